//! 10,000 connect/disconnect cycles against one server session: afterwards the process has the
//! threads and file descriptors it had before. Alone in its test binary, so no other test's
//! threads or sockets come and go meanwhile.

mod common;

use std::net::TcpStream;

use common::*;
use socket_tester::net::EventKind;

/// The entries of a /proc folder; None where there is no /proc (only Linux has it: reading
/// nothing there would compare 0 with 0 and pass without looking).
fn count(dir: &str) -> Option<usize> {
    let entries = std::fs::read_dir(dir).ok()?.count();
    assert!(entries > 0, "{dir} is there but empty");
    Some(entries)
}

#[test]
fn ten_thousand_connect_disconnect_cycles_leak_no_thread_or_descriptor() {
    const CYCLES: usize = 10_000;
    let (Some(threads_before), Some(fds_before)) =
        (count("/proc/self/task"), count("/proc/self/fd"))
    else {
        if cfg!(target_os = "linux") {
            panic!("Linux has /proc, and it could not be read");
        }
        eprintln!("SKIPPED: no /proc to count this process's threads and descriptors");
        return;
    };

    let (server, local) = server_on("127.0.0.1:0");
    let mut closed = 0;
    for _ in 0..CYCLES {
        drop(TcpStream::connect(local).unwrap());
        // Keep up with the events so the bounded channel never holds the server back.
        while let Ok(event) = server.events().try_recv() {
            closed += usize::from(matches!(event.kind, EventKind::Closed { .. }));
        }
    }
    while closed < CYCLES {
        let event = server
            .events()
            .recv_timeout(DEADLINE)
            .expect("a Closed event for every client");
        closed += usize::from(matches!(event.kind, EventKind::Closed { .. }));
    }
    assert!(server.clients().is_empty());
    server.stop();

    assert_eq!(
        count("/proc/self/task"),
        Some(threads_before),
        "threads after {CYCLES} cycles"
    );
    assert_eq!(
        count("/proc/self/fd"),
        Some(fds_before),
        "file descriptors after {CYCLES} cycles"
    );
}
