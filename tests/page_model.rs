//! A session's page as the window's model, without drawing: what it says and where it stands.

mod common;

use common::*;
use socket_tester::gui::model::page::{Link, Page};
use socket_tester::net::no_waker;

#[test]
fn a_client_whose_capture_file_cannot_be_made_stays_closed_and_says_why() {
    let echo = EchoServer::start();
    let mut page = client_page(echo.addr.port());
    // A folder that cannot be made: its name is taken by a file.
    let dir = TempDir::new("capture-unmade");
    std::fs::write(dir.file("plain"), b"").unwrap();
    let capture = dir.file("plain").join("capture.bin");
    page.config_mut().capture_path = capture.display().to_string();
    page.toggle_capture();
    page.toggle(no_waker());
    assert!(!page.is_open());
    assert_eq!(*page.link(), Link::Closed, "not left 'Connecting…'");
    let error = page
        .status_error()
        .map(str::to_string)
        .expect("the reason is shown");
    assert!(error.contains(&capture.display().to_string()), "{error}");
    assert!(!page.status().contains("Connecting"), "{}", page.status());
}

#[test]
fn a_send_to_a_peer_that_never_reads_is_refused_whole_with_the_reason() {
    use std::net::TcpListener;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and holds the connection without ever reading.
    let holder = std::thread::spawn(move || listener.accept().map(|(stream, _)| stream));
    let mut page = client_page(port);
    page.toggle(no_waker());
    drain_until(&mut page, "the connection", Page::is_connected);
    // 1 MiB at a time: the socket's buffers and the 4 MiB queue fill, then a send is refused.
    *page.message_mut() = "x".repeat(1024 * 1024);
    let mut accepted = 0;
    while page.send_error().is_none() {
        assert!(accepted < 200, "never refused");
        page.send();
        page.drain_events();
        accepted += usize::from(page.send_error().is_none());
    }
    let error = page.send_error().map(str::to_string).unwrap();
    assert!(
        error.contains(&format!("127.0.0.1:{port} is not reading"))
            && error.contains("the message was not sent"),
        "{error}"
    );
    assert!(
        page.is_connected(),
        "the connection stays; only the message is refused"
    );
    drop(holder.join());
}

/// Disconnect while the log is behind the traffic: what arrived before the click still comes
/// to the log (it went with the session before), and then "closed here", once.
#[test]
fn a_page_closed_while_its_log_is_behind_logs_every_message_that_arrived() {
    use socket_tester::gui::model::log::Direction;
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut page = client_page(listener.local_addr().unwrap().port());
    page.toggle(no_waker());
    let (mut peer, _) = listener.accept().unwrap();
    drain_until(&mut page, "the connection", Page::is_connected);
    let sent = 200 * 1024;
    for chunk in pattern(sent).chunks(1024) {
        peer.write_all(chunk).unwrap();
    }
    // Read by the engine, not yet drawn: the page's events wait in its queue.
    let deadline = std::time::Instant::now() + DEADLINE;
    while page.totals().rx_bytes < sent as u64 {
        assert!(std::time::Instant::now() < deadline, "never read");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    page.close();
    assert!(!page.is_open(), "closed at once");
    let logged = |page: &Page| -> usize {
        page.log()
            .iter()
            .filter(|row| row.direction == Direction::Rx)
            .map(|row| row.data.len())
            .sum()
    };
    let said_closed = |page: &Page| page.log().iter().any(|row| row.text == "closed here");
    drain_until(&mut page, "every byte and the close", |page| {
        logged(page) == sent && said_closed(page)
    });
    let last = page.log().row(page.log().len() - 1);
    assert_eq!(last.text, "closed here", "after the last message");
    assert_eq!(page.totals().rx_bytes, sent as u64);
}
