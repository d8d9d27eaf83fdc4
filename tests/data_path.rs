//! The data path with fewer hand-offs: messages read together into one event while the
//! consumer is busy keep their own boundaries in the log and the sequence chart; echoes
//! written on the reader's thread, in part when the peer reads late, arrive whole and are
//! reported once. Nothing is lost or reordered.

mod common;

use std::net::{TcpStream, UdpSocket};
use std::thread;
use std::time::Duration;

use common::*;
use socket_tester::codec::TextEncoding;
use socket_tester::gui::model::chart::{Tone, arrow};
use socket_tester::gui::model::log::{Direction, Log};
use socket_tester::net::{Event, EventKind, Responder, Session, UdpConfig, no_waker};

/// A read takes at most this much (the engine's read size).
const READ_CHUNK: usize = 64 * 1024;

/// What the event channel holds at most in payload bytes.
const EVENT_BYTES: usize = 32 * MIB;

/// The most one batch of reads holds (a read that starts below it may end above it).
const BATCH_BYTES: usize = MIB + READ_CHUNK;

/// More than the event channel holds in bytes: the reader is held back with data waiting in
/// the socket, and reads on into batches once it may go on.
const FLOOD_MIBS: usize = 40;

/// Polls `done` until it holds; fails with `what` after the deadline.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + DEADLINE;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "never saw {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

/// Takes events one at a time, slowly enough that the channel stays busy, until `bytes` have
/// arrived.
fn take_slowly(session: &Session, bytes: usize) -> Vec<Event> {
    let (mut events, mut received) = (Vec::new(), 0);
    while received < bytes {
        let event = session.events().recv_timeout(DEADLINE).expect("more data");
        received += event.kind.received_len();
        // A copy is kept: the event itself gives its bytes back to the session as it is
        // dropped, as a consumer that shows it and lets go does (a consumer that kept every
        // event would hold the session's readers back past 32 MiB).
        events.push(event.clone());
        thread::sleep(Duration::from_millis(1));
    }
    events
}

#[test]
fn a_batch_keeps_each_reads_boundary_in_the_log_and_the_chart() {
    let (server, local) = server_on("127.0.0.1:0");
    let writer = write_numbered_mibs(TcpStream::connect(local).unwrap(), FLOOD_MIBS);
    // Nothing is taken until the reader is held back by the full channel: full in events, or
    // the reader has read all but what a batch holds of what fits in bytes (reads are counted
    // before they are sent).
    let events = server.events();
    wait_until("the event channel full", || {
        events.len() == events.capacity().unwrap_or(usize::MAX)
            || server.totals().rx_bytes >= (EVENT_BYTES - BATCH_BYTES) as u64
    });
    let events = take_slowly(&server, FLOOD_MIBS * MIB);
    writer.join().unwrap();

    let batches: Vec<usize> = events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::Received { messages, .. } => Some(messages.len()),
            _ => None,
        })
        .collect();
    let largest = batches.iter().copied().max().unwrap_or(0);
    let seen = format!("{} events, at most {largest} reads each", batches.len());
    assert!(
        largest >= 2,
        "reads are batched while the consumer is busy: {seen}"
    );
    assert!(largest <= 64, "a batch holds at most 64 reads: {seen}");
    let messages: usize = batches.iter().sum();

    let mut log = Log::new(TextEncoding::Utf8, true);
    log.set_limit(usize::MAX);
    let mut sizes = Vec::new();
    for event in events {
        if let EventKind::Received { messages, .. } = &event.kind {
            sizes.extend(messages.iter().map(|m| m.data.len()));
        }
        log.push_event(event);
    }
    let rows: Vec<usize> = (0..log.len())
        .filter(|&i| log.direction(i) == Direction::Rx)
        .collect();
    assert_eq!(rows.len(), messages, "one row per read, batched or not");
    let row_sizes: Vec<usize> = rows.iter().map(|&i| log.data_len(i)).collect();
    assert_eq!(row_sizes, sizes, "each row holds exactly one read");
    assert!(sizes.iter().all(|&n| (1..=READ_CHUNK).contains(&n)));
    let mut all = Vec::with_capacity(FLOOD_MIBS * MIB);
    for &i in &rows {
        let row = log.row(i);
        all.extend_from_slice(row.data);
        let arrow = arrow(&row, log.peer_index(i));
        assert_eq!((arrow.from, arrow.to, arrow.tone), (1, 0, Tone::Data));
    }
    read_numbered_mibs(&mut all.as_slice(), FLOOD_MIBS);
}

#[test]
fn datagrams_waiting_together_arrive_in_one_event_in_order() {
    const SENT: u32 = 2_000;
    let session =
        Session::udp(UdpConfig::new("127.0.0.1:0".parse().unwrap()), no_waker()).expect("bind");
    let local = listening(&session);
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    // Nothing is taken meanwhile: the channel fills (256 events), the receiver is held back
    // and datagrams wait in the kernel; those past its buffer are dropped there and counted.
    for i in 0..SENT {
        sender.send_to(&i.to_be_bytes(), local).unwrap();
    }
    // Taken until each one arrived or was counted as dropped. The kernel drops only while
    // its buffer is full, so a receive (which reads the count) follows the last drop.
    let (mut got, mut largest) = (Vec::new(), 0);
    let deadline = std::time::Instant::now() + DEADLINE;
    loop {
        let dropped = session.totals().kernel_dropped;
        if got.len() as u64 + dropped >= u64::from(SENT) {
            assert_eq!(
                got.len() as u64 + dropped,
                u64::from(SENT),
                "each one arrived or was counted, once"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} arrived and {dropped} were counted as dropped of {SENT}",
            got.len()
        );
        if let Ok(event) = session.events().recv_timeout(Duration::from_millis(10))
            && let EventKind::Received { messages, .. } = event.kind
        {
            largest = largest.max(messages.len());
            for message in messages {
                assert_eq!(message.peer, sender.local_addr().unwrap());
                got.push(u32::from_be_bytes(message.data.try_into().unwrap()));
            }
        }
    }
    assert!(got.windows(2).all(|w| w[0] < w[1]), "in the order sent");
    if cfg!(target_os = "linux") {
        assert!(largest >= 2, "recvmmsg takes what waits in one call");
    }
}

#[test]
fn an_echo_to_a_peer_that_reads_late_comes_back_whole_and_is_reported_once() {
    const MIBS: usize = 8;
    let (server, local) = server_on("127.0.0.1:0");
    let echo = Responder::new(&[], true, TextEncoding::Utf8).unwrap();
    server
        .set_responder(Some(echo))
        .expect("the session takes its rules");
    server.settle();
    // What the server reports sending, taken as it comes (a full channel would stop it).
    let events = server.events().clone();
    let reports = thread::spawn(move || {
        let mut reported = Vec::with_capacity(MIBS * MIB);
        while reported.len() < MIBS * MIB {
            let event = events.recv_timeout(DEADLINE).expect("more events");
            if let EventKind::Sent { data, .. } = event.kind {
                reported.extend_from_slice(&data);
            }
        }
        reported
    });
    let mut stream = connect(local);
    let writer = write_numbered_mibs(stream.try_clone().unwrap(), MIBS);
    // The echo fills the socket buffers while nobody reads: the reader's writes on its own
    // thread go out in part, and the rest waits for the writer. A write is counted when it is
    // reported, which a queued echo is only once the writer takes it, so echoes wait in the
    // queue once the server has read more than it counted sent by over a batch (a batch's
    // echoes go out after it is reported). The reader reads on until the queue is full (4
    // MiB), so that many bytes wait sooner or later.
    wait_until("echoes waiting for the writer", || {
        let totals = server.totals();
        totals.rx_bytes.saturating_sub(totals.tx_bytes) > (2 * BATCH_BYTES) as u64
    });
    read_numbered_mibs(&mut stream, MIBS);
    writer.join().unwrap();
    let reported = reports.join().unwrap();
    read_numbered_mibs(&mut reported.as_slice(), MIBS);
    assert_eq!(
        server.totals().tx_bytes,
        (MIBS * MIB) as u64,
        "each byte counted once"
    );
}
