//! Names typed without a folder land in the files folder (here moved by its environment
//! variable to a folder of the test's own), which is made when missing; messages give the full
//! path. One test in this binary: it sets the variable before anything reads it.

mod common;

use common::*;
use socket_tester::gui::model::folder::{FOLDER_VARIABLE, files_folder};
use socket_tester::gui::model::page::PageAction;
use socket_tester::net::no_waker;

#[test]
fn files_named_without_a_folder_go_to_the_files_folder_and_messages_say_where() {
    let dir = TempDir::new("files-folder");
    let folder = dir.file("not-yet-made");
    // SAFETY: the only test of this binary sets the variable before any thread reads it.
    unsafe { std::env::set_var(FOLDER_VARIABLE, &folder) };
    assert_eq!(files_folder(), folder);

    let echo = EchoServer::start();
    let mut page = client_page(echo.addr.port());
    let waker = no_waker();
    page.perform(PageAction::ExportLog, &waker);
    let log = folder.join("log.txt");
    assert!(log.is_file(), "the default log.txt is in the folder");
    let note = page.file_note().unwrap_or_default().to_string();
    assert!(note.contains(&log.display().to_string()), "{note}");

    // Record a connection, save it as pcap and as a recording, replay it from its bare name.
    page.perform(PageAction::ToggleRecording, &waker);
    page.toggle(waker.clone());
    drain_until(&mut page, "the connection", |page| page.is_connected());
    page.perform(PageAction::ToggleRecording, &waker);
    page.perform(PageAction::SavePcap, &waker);
    let pcap = folder.join("session.pcap");
    assert!(pcap.is_file());
    let note = page.recording().note.clone().unwrap_or_default();
    assert!(note.contains(&pcap.display().to_string()), "{note}");
    page.perform(PageAction::SaveRecording, &waker);
    assert!(folder.join("session.json").is_file());
    page.perform(PageAction::ToggleReplay, &waker);
    let note = page.recording().note.clone().unwrap_or_default();
    assert!(
        !note.contains("reading"),
        "the replay found session.json: {note}"
    );
}
