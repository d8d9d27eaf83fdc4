//! A file send from a FIFO ends its thread when it is dropped, whether the FIFO has no writer
//! yet (the open used to wait for one for ever) or a writer that writes nothing (the read
//! did). Threads are counted by name in /proc/self/task (Linux).
#![cfg(target_os = "linux")]

mod common;

use std::net::TcpListener;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use common::{TempDir, wait_for};
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::{
    Destination, EventKind, Session, SessionConfig, TcpClientConfig, no_waker,
};

/// Far above what a thread takes to end; only a leak reaches it.
const HANG: Duration = Duration::from_secs(5);

fn file_send_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .filter(|name| name.trim() == "file-send")
        .count()
}

fn until_no_file_send_thread(what: &str) {
    let since = Instant::now();
    while file_send_threads() > 0 {
        assert!(
            since.elapsed() < HANG,
            "{what}: a file-send thread is still there {HANG:?} after the drop"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn connected_client(listener: &TcpListener) -> Session {
    let target = parse_host_port(&listener.local_addr().unwrap().to_string()).unwrap();
    let config = SessionConfig::TcpClient(TcpClientConfig::new(target));
    let session = Session::open(config, no_waker(), None, None).unwrap();
    wait_for(&session, "Connected", |kind| {
        matches!(kind, EventKind::Connected { .. }).then_some(())
    });
    session
}

#[test]
fn a_dropped_fifo_send_leaves_no_thread_with_or_without_a_writer() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = connected_client(&listener);
    let dir = TempDir::new("file-send-fifo");

    // No writer: dropped at once, most often before its thread has opened the FIFO.
    let fifo = dir.fifo("no-writer.fifo");
    for _ in 0..10 {
        let send = client
            .send_file(Destination::Default, &fifo, 64 * 1024)
            .unwrap();
        drop(send);
    }
    until_no_file_send_thread("a FIFO with no writer");

    // A writer that holds the FIFO open and writes nothing (O_RDWR: open at once, and a
    // writer for as long as it is held): the send waits in its read.
    let fifo = dir.fifo("silent-writer.fifo");
    let writer = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    let send = client
        .send_file(Destination::Default, &fifo, 64 * 1024)
        .unwrap();
    assert!(send.is_running());
    drop(send);
    until_no_file_send_thread("a FIFO whose writer writes nothing");
    drop(writer);

    // And a FIFO that is written goes out whole, its send ending when its writer leaves.
    let (mut peer, _) = listener.accept().unwrap();
    let fifo = dir.fifo("written.fifo");
    let send = client.send_file(Destination::Default, &fifo, 4).unwrap();
    // Waits in `open` for the send's reading end.
    std::fs::write(&fifo, b"through the fifo").unwrap();
    assert_eq!(send.wait(), None);
    let mut got = vec![0u8; b"through the fifo".len()];
    peer.set_read_timeout(Some(HANG)).unwrap();
    std::io::Read::read_exact(&mut peer, &mut got).unwrap();
    assert_eq!(got, b"through the fifo");
}
