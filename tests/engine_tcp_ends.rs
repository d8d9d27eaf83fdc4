//! How TCP connections end and come back, over real loopback sockets: reconnecting, a
//! dual-stack server, half-closed connections, split writes, and closes with RST.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use common::*;
use socket_tester::Error;
use socket_tester::codec::TextEncoding;
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::{
    CloseReason, Command, Destination, EventKind, Responder, Session, TcpClientConfig,
    TcpServerConfig, no_waker,
};

fn reconnecting_client(addr: SocketAddr) -> Session {
    let mut config = TcpClientConfig::new(parse_host_port(&addr.to_string()).unwrap());
    config.reconnect = Some(socket_tester::net::Reconnect {
        first: Duration::from_millis(20),
        max: Duration::from_millis(100),
    });
    Session::tcp_client(config, no_waker()).unwrap()
}

#[test]
fn reconnect_comes_back_after_a_lost_connection_and_after_a_refusal() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = reconnecting_client(addr);
    let (first, _) = listener.accept().unwrap();
    connected(&client);
    drop(first);
    assert_eq!(closed(&client), CloseReason::PeerClosed);
    wait_for(&client, "Reconnecting", |kind| {
        matches!(kind, EventKind::Reconnecting { .. }).then_some(())
    });
    let (_second, _) = listener.accept().unwrap();
    connected(&client);
    client.stop();

    // Nobody listens at first: refusals are retried until a server appears (on the socket
    // that held the port meanwhile).
    let (held, refusing) = refusing_tcp();
    let client = reconnecting_client(refusing);
    assert!(matches!(error(&client), Error::ConnectionRefused(_)));
    wait_for(&client, "Reconnecting", |kind| {
        matches!(kind, EventKind::Reconnecting { .. }).then_some(())
    });
    held.listen(8).unwrap();
    let listener: TcpListener = held.into();
    let (_accepted, _) = listener.accept().unwrap();
    connected(&client);
}

#[test]
fn dual_stack_server_takes_ipv4_clients_on_an_ipv6_address() {
    if !has_ipv6_loopback() {
        eprintln!("SKIPPED: no IPv6 loopback on this machine");
        return;
    }
    let mut config = TcpServerConfig::new("[::]:0".parse().unwrap());
    config.dual_stack = true;
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let port = listening(&server).port();
    let _v4 = TcpStream::connect(("127.0.0.1", port)).expect("IPv4 client accepted");
    accepted(&server);

    let (v6_only, local) = server_on("[::]:0");
    assert!(
        TcpStream::connect(("127.0.0.1", local.port())).is_err(),
        "IPv6 only without the option"
    );
    drop(v6_only);
}

fn half_close_server() -> (Session, SocketAddr) {
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.options.half_close = true;
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let local = listening(&server);
    (server, local)
}

fn peer_finished(session: &Session) -> Option<u64> {
    wait_for(session, "PeerFinished", |kind| match kind {
        EventKind::PeerFinished { client, .. } => Some(*client),
        _ => None,
    })
}

/// `sendall(question); shutdown(SHUT_WR); recv()`: the request/reply pattern of HTTP/1.0.
#[test]
fn half_closed_client_still_gets_the_reply_it_waits_for() {
    let (server, local) = half_close_server();
    let mut stream = TcpStream::connect(local).unwrap();
    let id = accepted(&server);
    stream.write_all(b"question").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();

    assert_eq!(next_frames(&server, 1), [b"question"]);
    assert_eq!(peer_finished(&server), Some(id));
    assert_eq!(server.clients().len(), 1, "the connection is kept");

    server
        .send(Destination::Client(id), b"answer".to_vec())
        .unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut got = [0u8; 6];
    stream.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"answer");

    server.command(Command::Disconnect(id)).unwrap();
    assert_eq!(closed(&server), CloseReason::ClosedHere);
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).unwrap(), 0);
    assert!(server.clients().is_empty());
}

#[test]
fn half_closed_connection_ends_when_a_send_finds_the_peer_gone() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = parse_host_port(&listener.local_addr().unwrap().to_string()).unwrap();
    let mut config = TcpClientConfig::new(target);
    config.options.half_close = true;
    let client = Session::tcp_client(config, no_waker()).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    connected(&client);
    peer.write_all(b"bye").unwrap();
    peer.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(next_frames(&client, 1), [b"bye"]);
    assert_eq!(peer_finished(&client), None);

    client
        .send(Destination::Default, b"still here".to_vec())
        .unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut got = [0u8; 10];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"still here");

    // Gone for good: the next writes meet its RST, and the connection ends.
    drop(peer);
    let mut sends = 0;
    let reason = loop {
        let _ = client.send(Destination::Default, b"anyone?".to_vec());
        sends += 1;
        assert!(sends < 100, "sends never failed");
        let ended = wait_for(&client, "Sent or Closed", |kind| match kind {
            EventKind::Sent { .. } => Some(None),
            EventKind::Closed { reason, .. } => Some(Some(reason.clone())),
            _ => None,
        });
        if let Some(reason) = ended {
            break reason;
        }
    };
    assert_eq!(reason, CloseReason::PeerClosed);
    wait_for(&client, "Stopped", |kind| {
        matches!(kind, EventKind::Stopped).then_some(())
    });
}

/// The sticky-packet demonstrator's split send: one message, three writes, 30 ms apart.
#[test]
fn a_scheduled_split_send_makes_one_write_per_piece() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config =
        TcpClientConfig::new(parse_host_port(&listener.local_addr().unwrap().to_string()).unwrap());
    config.options.nodelay = true;
    let client = Session::tcp_client(config, no_waker()).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    connected(&client);

    let pieces = socket_tester::codec::split_evenly(b"abcdefghi", 3);
    let gap = Duration::from_millis(30);
    let timeline = (0u32..).map(|i| gap * i).zip(pieces).collect();
    let _split = client.schedule(Destination::Default, timeline).unwrap();
    let writes: Vec<Vec<u8>> = (0..3)
        .map(|_| {
            wait_for(&client, "Sent", |kind| match kind {
                EventKind::Sent { data, .. } => Some(data.clone()),
                _ => None,
            })
        })
        .collect();
    assert_eq!(writes, [b"abc".to_vec(), b"def".to_vec(), b"ghi".to_vec()]);
    let mut got = [0u8; 9];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"abcdefghi");
}

#[test]
fn close_with_rst_is_a_reset_for_the_peer_and_fin_is_an_end_of_stream() {
    let (server, local) = server_on("127.0.0.1:0");
    let mut rude = TcpStream::connect(local).unwrap();
    let rude_id = accepted(&server);
    let mut polite = TcpStream::connect(local).unwrap();
    let polite_id = accepted(&server);

    server.command(Command::Reset(rude_id)).unwrap();
    assert_eq!(closed(&server), CloseReason::ResetHere);
    rude.set_read_timeout(Some(DEADLINE)).unwrap();
    let err = rude.read(&mut [0u8; 8]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");

    server.command(Command::Disconnect(polite_id)).unwrap();
    assert_eq!(closed(&server), CloseReason::ClosedHere);
    polite.set_read_timeout(Some(DEADLINE)).unwrap();
    assert_eq!(polite.read(&mut [0u8; 8]).unwrap(), 0, "FIN: end of stream");
}

#[test]
fn a_client_closing_with_rst_resets_its_peer() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = client_to(listener.local_addr().unwrap());
    let (mut peer, _) = listener.accept().unwrap();
    connected(&client);
    client.command(Command::Reset(0)).unwrap();
    assert_eq!(closed(&client), CloseReason::ResetHere);
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let err = peer.read(&mut [0u8; 8]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
}

/// The most a TCP send buffer grows to by itself (Linux's `tcp_wmem`, last figure).
fn largest_send_buffer() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().last()?.parse().ok())
        .unwrap_or(4 * 1024 * 1024)
}

/// A writer stuck on a peer that does not read must not keep a reset from happening.
#[test]
fn a_reset_ends_a_connection_whose_writer_is_blocked_on_a_peer_that_does_not_read() {
    let (server, local) = server_on("127.0.0.1:0");
    // A small receive window, so a few MiB fill everything between the two ends.
    let idle = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    idle.set_recv_buffer_size(4096).unwrap();
    idle.connect(&local.into()).unwrap();
    let window = idle.recv_buffer_size().unwrap();
    let mut idle: TcpStream = idle.into();
    let id = accepted(&server);
    // What the kernel can hold of one connection's outgoing bytes: the server's send buffer
    // (it grows to tcp_wmem's largest at most; 4 MiB by default) and the peer's window.
    let held = largest_send_buffer() + window;
    // One message, taken whole (the queue is empty): what the kernel takes at once (at most
    // `held`) is written as it is queued, and the connection's writer writes the rest.
    server
        .send(Destination::Client(id), vec![7u8; 3 * held])
        .unwrap();
    // Setup: more than `held` arrives, so the writer is writing; then nothing more is read,
    // and what it has left (more than `held`) blocks it.
    idle.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut taken = vec![0u8; held + 1];
    idle.read_exact(&mut taken).expect("the writer wrote");
    server.command(Command::Reset(id)).unwrap();
    let reason = wait_for(&server, "Closed", |kind| match kind {
        EventKind::Closed { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason, CloseReason::ResetHere);
    idle.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let end = loop {
        match idle.read(&mut buf) {
            Ok(0) => break Ok(0),
            Ok(_) => continue,
            Err(err) => break Err(err.kind()),
        }
    };
    assert_eq!(
        end,
        Err(std::io::ErrorKind::ConnectionReset),
        "RST, not FIN"
    );
}

/// A peer still sending when it is disconnected hears of it at once, even one whose window
/// had shut: what it sent stays unread, and the socket's close resets it.
#[test]
fn a_disconnected_peer_that_still_sends_is_reset_at_once_even_on_a_shut_window() {
    let (server, local) = server_on("127.0.0.1:0");
    let mut peer = TcpStream::connect(local).unwrap();
    let id = accepted(&server);
    // Nobody takes the server's events meanwhile: its reader waits, and the peer's window
    // shuts once the buffers between them are full.
    peer.set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    let mut written = 0;
    while written < 1024 * MIB {
        match peer.write(&chunk) {
            Ok(n) => written += n,
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            Err(err) => panic!("the server failed the connection: {err}"),
        }
    }
    assert!(written < 1024 * MIB, "the peer's window never shut");
    server.command(Command::Disconnect(id)).unwrap();
    assert_eq!(closed(&server), CloseReason::ClosedHere);
    peer.set_write_timeout(Some(DEADLINE)).unwrap();
    let failure = std::iter::repeat_with(|| peer.write(&chunk))
        .find_map(Result::err)
        .expect("writes end");
    assert!(
        !matches!(failure.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "the disconnected peer was left waiting on a shut window: {failure}"
    );
}

/// A peer that sends on and never reads what is echoed hears at once that the send timeout
/// gave up on it, though its own window had shut by then.
#[test]
fn a_peer_that_never_reads_is_reset_at_once_when_the_send_timeout_gives_up_on_it() {
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.options.send_timeout = Some(Duration::from_millis(300));
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let local = listening(&server);
    server
        .set_responder(Some(Responder::new(&[], true, TextEncoding::Utf8).unwrap()))
        .expect("the session takes its rules");
    server.settle();
    let peer = TcpStream::connect(local).unwrap();
    accepted(&server);
    let mut sending = peer.try_clone().unwrap();
    sending.set_write_timeout(Some(DEADLINE)).unwrap();
    let sender = std::thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        std::iter::repeat_with(|| sending.write(&chunk)).find_map(Result::err)
    });
    let reason = closed(&server);
    assert!(
        matches!(reason, CloseReason::Failed(Error::SendTimeout { .. })),
        "{reason}"
    );
    let failure = sender.join().unwrap().expect("writes end");
    assert!(
        !matches!(failure.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "the peer was left waiting on a shut window: {failure}"
    );
}

/// A send that waits (a file's, a repeat's, a sequence step's) to a client that has gone is
/// refused: it ends, rather than going on to nobody (a file from /dev/zero never would).
#[test]
fn a_waiting_send_to_a_client_that_has_gone_is_refused() {
    let (server, local) = server_on("127.0.0.1:0");
    let peer = TcpStream::connect(local).unwrap();
    let id = accepted(&server);
    drop(peer);
    assert_eq!(closed(&server), CloseReason::PeerClosed);
    let refused = server.send_wait(Destination::Client(id), b"anyone?".to_vec());
    assert!(
        matches!(refused, Err(Error::NoSuchClient(gone)) if gone == id),
        "{refused:?}"
    );
}

/// A peer that resets while the server is sending to it is said to have reset, whichever of the
/// connection's two threads met the reset first. Before, when the writer met it, the reader
/// then saw only an end of stream: 14 to 18 of 20 such closes read "closed by peer (FIN)".
#[test]
fn a_reset_met_by_a_write_is_said_as_a_reset() {
    let (server, local) = server_on("127.0.0.1:0");
    for _ in 0..10 {
        let mut peer = TcpStream::connect(local).unwrap();
        let id = accepted(&server);
        let file = server
            .send_file(
                Destination::Client(id),
                std::path::Path::new("/dev/zero"),
                64 * 1024,
            )
            .unwrap();
        peer.read_exact(&mut [0u8; 4096]).unwrap();
        socket2::SockRef::from(&peer)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(peer);
        assert_eq!(closed(&server), CloseReason::Reset);
        drop(file);
    }
}

/// Without half-close the peer's FIN closes the connection, and echoes still queued for it are
/// dropped: said, to the byte, never silent (before: a client that sent 8 MB and its FIN got
/// 3.8 to 7.9 MB back with nothing said about the rest, and the server said only "failed after 0 of 65536 bytes: Broken pipe",
/// which its own shutdown had caused).
#[test]
fn echoes_the_peers_fin_leaves_unsent_are_said_to_the_byte() {
    const SENT: usize = 8 * MIB;
    let (server, local) = server_on("127.0.0.1:0");
    server
        .set_responder(Some(Responder::new(&[], true, TextEncoding::Utf8).unwrap()))
        .expect("the session takes its rules");
    server.settle();
    // The server's errors as they come (its reader is not held back by its events).
    let (errors_tx, errors) = crossbeam_channel::unbounded();
    let events = server.events().clone();
    std::thread::spawn(move || {
        for event in events.iter() {
            match event.kind {
                EventKind::Error { error, .. } => drop(errors_tx.send(Some(error))),
                EventKind::Closed { .. } => drop(errors_tx.send(None)),
                _ => {}
            }
        }
    });
    for _ in 0..10 {
        // All of it and the FIN before reading any echo, through a small receive window: the
        // echoes wait in the server's queue, and the FIN finds some still there.
        let small =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        small.set_recv_buffer_size(64 * 1024).unwrap();
        small.connect(&local.into()).unwrap();
        let mut peer = TcpStream::from(small);
        peer.set_read_timeout(Some(DEADLINE)).unwrap();
        peer.set_write_timeout(Some(DEADLINE)).unwrap();
        peer.write_all(&vec![b'e'; SENT]).unwrap();
        peer.shutdown(std::net::Shutdown::Write).unwrap();
        let mut echoed = Vec::new();
        peer.read_to_end(&mut echoed).unwrap();
        let mut unsent = 0;
        while let Some(error) = errors.recv_timeout(DEADLINE).expect("the close") {
            match error {
                Error::UnsentAtFin { unsent: bytes, .. } => unsent += bytes,
                other => panic!("{other}"),
            }
        }
        assert_eq!(echoed.len() + unsent, SENT, "{} echoed", echoed.len());
    }
}
