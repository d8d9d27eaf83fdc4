//! A session's memory budget over real connections: past it the connection holding the most
//! is closed, and the others go on once it has freed what it held.

mod common;

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use common::*;
use socket_tester::Error;
use socket_tester::net::addr::HostPort;
use socket_tester::net::{CloseReason, EventKind, RelayConfig, Session, no_waker};

#[test]
fn past_the_budget_the_largest_is_closed_and_the_server_goes_on_serving() {
    // With half-close, a connection the budget closed read as the peer's FIN and waited to
    // send on, holding its memory: every other reader then waited for that memory for good.
    for half_close in [false, true] {
        let mut args = vec![
            "tcp-server",
            "127.0.0.1:0",
            "--framing",
            "line",
            "--echo",
            "--memory-budget-mib",
            "4",
        ];
        args.extend(half_close.then_some("--half-close"));
        let mut server = Cli::spawn(&args);
        let addr = server.listening();
        // Two unfinished lines of 3 MiB each: together over the budget.
        let unfinished: Vec<TcpStream> = (0..2)
            .map(|_| {
                let mut stream = TcpStream::connect(addr).unwrap();
                // Refused part-way once the budget closed it.
                let _ = stream.write_all(&vec![b'x'; 3 * MIB]);
                stream
            })
            .collect();
        server.line_containing("memory budget");
        let mut fresh = TcpStream::connect(addr).unwrap();
        fresh.set_read_timeout(Some(DEADLINE)).unwrap();
        fresh.write_all(b"ping\n").unwrap();
        let mut echoed = [0u8; 5];
        fresh
            .read_exact(&mut echoed)
            .unwrap_or_else(|err| panic!("half-close {half_close}: no echo: {err}"));
        assert_eq!(&echoed, b"ping\n");
        drop(unfinished);
        server.signal(libc::SIGINT);
        let (code, _, stderr) = server.finish();
        assert_eq!(code, 130, "{stderr}");
    }
}

#[test]
fn a_relay_end_the_budget_closes_takes_its_pair_down_as_a_failure_does() {
    // The target never reads: what the client sends piles up in the relay's queue to it.
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let target_addr = target.local_addr().unwrap();
    let mut config = RelayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        HostPort {
            host: target_addr.ip().to_string(),
            port: target_addr.port(),
        },
    );
    config.options.memory_budget = MIB;
    let relay = Session::relay(config, no_waker()).expect("start a relay");
    let mut client = TcpStream::connect(listening(&relay)).unwrap();
    let client_addr = client.local_addr().unwrap();
    let (_never_reads, _) = target.accept().unwrap();
    let mut sending = client.try_clone().unwrap();
    sending.set_write_timeout(Some(DEADLINE)).unwrap();
    // More than the socket buffers on the way hold: the writes wait until the relay closes
    // this end, then fail.
    let sender = thread::spawn(move || {
        (0..64)
            .map(|_| sending.write_all(&vec![b'x'; MIB]))
            .find_map(Result::err)
    });
    let mut closes = HashMap::new();
    while closes.len() < 2 {
        let (peer, reason) = wait_for(&relay, "both ends closed", |kind| match kind {
            EventKind::Closed { peer, reason, .. } => Some((*peer, reason.clone())),
            _ => None,
        });
        closes.insert(peer, reason);
    }
    assert!(
        matches!(
            closes[&target_addr],
            CloseReason::Failed(Error::OverBudget { .. })
        ),
        "{closes:?}"
    );
    // Closed, as after any end that gave up: no FIN passed on as though the target had ended.
    assert_eq!(closes[&client_addr], CloseReason::ClosedHere, "{closes:?}");
    assert!(is_closed(&mut client));
    // Closed with what it had sent unread, the relay's end answers with a reset; a FIN passed
    // on first left the sender blocked on a shut window for a minute and more.
    let failure = sender.join().unwrap().expect("every write taken");
    assert!(
        !matches!(failure.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "the relay's end stopped taking bytes without a close: {failure}"
    );
    relay.stop();
}

/// A connection the budget closes while its writer is inside a write says the budget's reason
/// alone: the write its shutdown cut short is not a second error ("Broken pipe").
#[test]
fn a_budget_close_that_cuts_a_write_short_is_said_once() {
    // A server that sends without end and reads nothing: the client's echoes fill the socket
    // buffers, then its queue past the budget.
    let flooding = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = flooding.local_addr().unwrap().to_string();
    let mut client = Cli::spawn(&["tcp-client", &target, "--echo", "--memory-budget-mib", "1"]);
    let (stream, _) = flooding.accept().unwrap();
    flood(stream);
    client.line_containing("memory budget");
    client.signal(libc::SIGINT);
    let (_, _, stderr) = client.finish();
    assert!(!stderr.contains("failed after"), "{stderr}");
}
