//! The TCP engine over real loopback sockets.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use common::*;
use socket_tester::Error;
use socket_tester::net::addr::{HostPort, parse_host_port};
use socket_tester::net::{
    CloseReason, Command, Destination, EventKind, Session, TcpClientConfig, TcpServerConfig,
    no_waker,
};
use socket2::SockRef;

#[test]
fn client_round_trip_is_byte_exact_and_reports_addresses() {
    let echo = EchoServer::start().addr;
    let client = client_to(echo);
    let (local, peer) = connected(&client);
    assert_eq!(peer, echo);
    assert_eq!(local.ip(), echo.ip());
    let message = b"Hello, \x00\xFF world".to_vec();
    client.send(Destination::Default, message.clone()).unwrap();
    let sent = wait_for(&client, "Sent", |kind| match kind {
        EventKind::Sent { data, peer, .. } => Some((data.clone(), *peer)),
        _ => None,
    });
    assert_eq!(sent, (message.clone(), echo));
    assert_eq!(receive_exactly(&client, message.len()), message);
    let totals = client.totals();
    assert_eq!(
        (totals.tx_bytes, totals.tx_messages, totals.rx_bytes),
        (15, 1, 15)
    );
    client.stop();
}

#[test]
fn ten_megabytes_cross_in_both_directions_byte_exact() {
    const LEN: usize = 10 * 1024 * 1024;
    let payload = pattern(LEN);

    // Server session receives from a std client.
    let (server, local) = server_on("127.0.0.1:0");
    let to_send = payload.clone();
    let writer = thread::spawn(move || {
        let mut stream = TcpStream::connect(local).unwrap();
        stream.write_all(&to_send).unwrap();
    });
    accepted(&server);
    assert!(receive_exactly(&server, LEN) == payload);
    writer.join().unwrap();
    assert_eq!(server.totals().rx_bytes, LEN as u64);

    // Client session sends to a std server that reads everything.
    let (addr, reader) = collecting_server();
    let client = client_to(addr);
    connected(&client);
    for chunk in payload.chunks(1024 * 1024) {
        client
            .send_wait(Destination::Default, chunk.to_vec())
            .unwrap();
    }
    // `Sent` is reported as a write starts; the last write is over once nothing is in flight.
    let deadline = std::time::Instant::now() + DEADLINE;
    while client.in_flight() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the writes never ended"
        );
        // Events are taken so the writer is never held back by a full event channel.
        let _ = client.events().recv_timeout(Duration::from_millis(10));
    }
    client.stop();
    assert!(reader.join().unwrap() == payload);
}

#[test]
fn hundred_concurrent_clients_each_get_their_own_echo() {
    let (server, local) = server_on("127.0.0.1:0");
    let clients: Vec<_> = (0..100)
        .map(|i| {
            thread::spawn(move || {
                let mut stream = TcpStream::connect(local).unwrap();
                stream.set_read_timeout(Some(DEADLINE)).unwrap();
                let message = format!("client {i:03}");
                stream.write_all(message.as_bytes()).unwrap();
                let mut echo = vec![0u8; message.len()];
                stream.read_exact(&mut echo).unwrap();
                assert_eq!(echo, message.as_bytes());
            })
        })
        .collect();
    // Echo whatever arrives back to the client it came from, until every echo is written
    // (counters are updated before `Sent` is reported).
    let mut written = 0;
    while written < 100 * 10 {
        match next_event(&server) {
            EventKind::Received { client, messages } => {
                for message in messages {
                    let to = Destination::Client(client.unwrap());
                    server.send(to, message.data).unwrap();
                }
            }
            EventKind::Sent { data, .. } => written += data.len(),
            _ => {}
        }
    }
    for client in clients {
        client.join().unwrap();
    }
    assert_eq!(server.totals().rx_messages, server.totals().tx_messages);
    assert_eq!(server.totals().rx_bytes, 1000);
}

#[test]
fn send_to_all_reaches_every_client_and_disconnect_closes_one() {
    let (server, local) = server_on("127.0.0.1:0");
    let mut streams: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(local).unwrap()).collect();
    let ids: Vec<u64> = (0..3).map(|_| accepted(&server)).collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(server.clients().len(), 3);

    server
        .send(Destination::AllClients, b"to all".to_vec())
        .unwrap();
    for stream in &mut streams {
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut got = [0u8; 6];
        stream.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"to all");
    }

    server.command(Command::Disconnect(2)).unwrap();
    assert_eq!(closed(&server), CloseReason::ClosedHere);
    let mut rest = Vec::new();
    assert_eq!(
        streams[1].read_to_end(&mut rest).unwrap(),
        0,
        "client 2 sees end of stream"
    );
    let ids: Vec<u64> = server.clients().iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![1, 3]);

    server.command(Command::Disconnect(9)).unwrap();
    assert_eq!(error(&server), Error::NoSuchClient(9));
}

#[test]
fn server_tells_peer_close_from_reset() {
    let (server, local) = server_on("127.0.0.1:0");

    let polite = TcpStream::connect(local).unwrap();
    accepted(&server);
    drop(polite);
    assert_eq!(closed(&server), CloseReason::PeerClosed);

    let rude = TcpStream::connect(local).unwrap();
    accepted(&server);
    SockRef::from(&rude)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(rude);
    assert_eq!(closed(&server), CloseReason::Reset);
}

#[test]
fn client_tells_peer_close_from_reset() {
    for (linger, expected) in [
        (None, CloseReason::PeerClosed),
        (Some(Duration::ZERO), CloseReason::Reset),
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = client_to(listener.local_addr().unwrap());
        let (accepted, _) = listener.accept().unwrap();
        connected(&client);
        SockRef::from(&accepted).set_linger(linger).unwrap();
        drop(accepted);
        assert_eq!(closed(&client), expected);
        wait_for(&client, "Stopped", |kind| {
            matches!(kind, EventKind::Stopped).then_some(())
        });
    }
}

#[test]
fn refused_connection_is_reported_in_words() {
    let (_held, refusing) = refusing_tcp();
    let client = client_to(refusing);
    let error = error(&client);
    assert_eq!(
        error.to_string(),
        format!("connection refused by {refusing}")
    );
    assert!(matches!(next_event(&client), EventKind::Stopped));
}

#[test]
fn unresolvable_name_is_reported() {
    let target = HostPort {
        host: "no-such-host.invalid".into(),
        port: 80,
    };
    let client = Session::tcp_client(TcpClientConfig::new(target), no_waker()).unwrap();
    assert!(matches!(error(&client), Error::Resolve { .. }));
}

#[test]
fn address_in_use_is_reported() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let server = Session::tcp_server(TcpServerConfig::new(addr), no_waker()).unwrap();
    let error = error(&server);
    assert_eq!(error, Error::AddrInUse(addr));
    assert_eq!(
        error.to_string(),
        format!("address {addr} is already in use")
    );
}

#[test]
fn clients_past_the_limit_are_rejected() {
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.max_clients = 1;
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let local = listening(&server);
    let _first = TcpStream::connect(local).unwrap();
    accepted(&server);
    let mut second = TcpStream::connect(local).unwrap();
    let limit = wait_for(&server, "Rejected", |kind| match kind {
        EventKind::Rejected { limit, .. } => Some(*limit),
        _ => None,
    });
    assert_eq!(limit, 1);
    assert!(is_closed(&mut second), "the rejected client is closed");
}

#[test]
fn stop_closes_clients_and_frees_the_port_at_once() {
    let (server, local) = server_on("127.0.0.1:0");
    let mut streams: Vec<TcpStream> = (0..5).map(|_| TcpStream::connect(local).unwrap()).collect();
    for _ in 0..5 {
        accepted(&server);
    }
    server.stop();
    for stream in &mut streams {
        assert!(is_closed(stream));
    }
    let (again, _) = server_on(&local.to_string());
    assert!(matches!(again.totals().rx_bytes, 0));
    // `stop` waits for the port to be free (a drop stops without waiting).
    again.stop();
    // And a plain socket can take the port too.
    let _plain = TcpListener::bind(local).expect("port free after stop");
}

#[test]
fn connect_timeout_is_reported_and_stop_interrupts_a_pending_connect() {
    let (_listener, addr, _pending) = listener_that_stalls_connects();

    let mut config = TcpClientConfig::new(parse_host_port(&addr.to_string()).unwrap());
    config.connect_timeout = Duration::from_millis(300);
    let client = Session::tcp_client(config, no_waker()).unwrap();
    assert_eq!(
        error(&client).to_string(),
        format!("connection to {addr} timed out after 300 ms")
    );

    // With an hour-long timeout, only the interrupt can make stop return before the deadline.
    let mut config = TcpClientConfig::new(parse_host_port(&addr.to_string()).unwrap());
    config.connect_timeout = Duration::from_secs(3600);
    let client = Session::tcp_client(config, no_waker()).unwrap();
    let (done_tx, done_rx) = crossbeam_channel::bounded(1);
    thread::spawn(move || {
        client.stop();
        let _ = done_tx.send(());
    });
    done_rx
        .recv_timeout(DEADLINE)
        .expect("stop did not interrupt the pending connect");
}

#[test]
fn ipv6_loopback_round_trip() {
    if !has_ipv6_loopback() {
        eprintln!("SKIPPED: no IPv6 loopback on this machine");
        return;
    }
    let (server, local) = server_on("[::1]:0");
    let client = client_to(local);
    connected(&client);
    let id = accepted(&server);
    client.send(Destination::Default, b"v6".to_vec()).unwrap();
    assert_eq!(receive_exactly(&server, 2), b"v6");
    server
        .send(Destination::Client(id), b"back".to_vec())
        .unwrap();
    assert_eq!(receive_exactly(&client, 4), b"back");
}

#[test]
fn a_consumer_that_does_not_read_holds_the_sender_back_and_loses_nothing() {
    // Far more than the event channel (256 chunks of up to 64 KiB) plus socket buffers hold.
    const LEN: usize = 64 * 1024 * 1024;
    let payload = pattern(LEN);
    let (server, local) = server_on("127.0.0.1:0");
    let mut stream = TcpStream::connect(local).unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    accepted(&server);
    let client = server.clients()[0].clone();

    // Nobody drains the events: the writer must stall instead of the server buffering it all.
    let mut written = 0;
    while written < LEN {
        match stream.write(&payload[written..(written + 1024 * 1024).min(LEN)]) {
            Ok(n) => written += n,
            Err(_) => break,
        }
    }
    assert!(
        written < LEN,
        "the server took all {LEN} bytes without anyone reading its events"
    );

    // Drain, and let the writer finish: every byte arrives, in order.
    let rest = payload[written..].to_vec();
    let writer = thread::spawn(move || {
        stream.set_write_timeout(None).unwrap();
        stream.write_all(&rest).unwrap();
    });
    assert!(receive_exactly(&server, LEN) == payload);
    writer.join().unwrap();
    assert_eq!(
        client.counters.totals().rx_bytes,
        LEN as u64,
        "per-client counter"
    );
}

#[test]
fn client_connects_from_the_local_address_it_was_given() {
    // 127.0.0.2 is loopback too (Linux routes all of 127.0.0.0/8 there), and not the address
    // a connection to 127.0.0.1 starts from: only the bind can put it there. Port 0: a port
    // chosen here could be taken by a parallel test before the session binds it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config =
        TcpClientConfig::new(parse_host_port(&listener.local_addr().unwrap().to_string()).unwrap());
    config.local_bind = Some("127.0.0.2:0".parse().unwrap());
    let client = Session::tcp_client(config, no_waker()).unwrap();
    let (_, from) = listener.accept().unwrap();
    assert_eq!(from.ip(), std::net::Ipv4Addr::new(127, 0, 0, 2));
    let (local, _) = connected(&client);
    assert_eq!(local, from);
}

fn framed_server(spec: &str) -> (Session, SocketAddr) {
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.options.framing = socket_tester::codec::Framing::parse(spec).unwrap();
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let local = listening(&server);
    (server, local)
}

#[test]
fn line_framing_splits_one_write_into_three_messages() {
    let (server, local) = framed_server("line");
    let mut stream = TcpStream::connect(local).unwrap();
    stream.write_all(b"a\nb\nc\n").unwrap();
    assert_eq!(next_frames(&server, 3), [&b"a\n"[..], b"b\n", b"c\n"]);
    let totals = server.totals();
    assert_eq!((totals.rx_bytes, totals.rx_messages), (6, 3));
}

#[test]
fn a_partial_frame_is_still_reported_when_the_peer_closes() {
    let (server, local) = framed_server("crlf");
    let mut stream = TcpStream::connect(local).unwrap();
    stream.write_all(b"one\r\ntwo").unwrap();
    drop(stream);
    assert_eq!(next_frames(&server, 2), [&b"one\r\n"[..], b"two"]);
    assert_eq!(closed(&server), CloseReason::PeerClosed);
}

#[test]
fn idle_gap_framing_ends_a_message_when_the_peer_pauses() {
    let (server, local) = framed_server("idle:300");
    let mut stream = TcpStream::connect(local).unwrap();
    stream.write_all(b"ab").unwrap();
    stream.write_all(b"c").unwrap();
    assert_eq!(next_frames(&server, 1), [b"abc"]);
    stream.write_all(b"d").unwrap();
    assert_eq!(next_frames(&server, 1), [b"d"]);
}

#[test]
fn an_oversized_length_prefix_is_an_error_not_an_allocation() {
    let (server, local) = framed_server("len:4be");
    let mut stream = TcpStream::connect(local).unwrap();
    // The header claims almost 4 GiB: refused at once, and the claimed body would be skipped
    // as it arrives instead of being kept.
    stream.write_all(&[0xFF, 0xFF, 0xFF, 0xF0]).unwrap();
    let error = wait_for(&server, "Error", |kind| match kind {
        EventKind::Error { error, .. } => Some(error.clone()),
        _ => None,
    });
    assert_eq!(
        error,
        Error::FrameTooLong {
            len: 0xFFFF_FFF0 + 4,
            max: socket_tester::codec::framing::DEFAULT_MAX_FRAME
        }
    );
}

/// Echo and auto-replies are answered by the engine on the connection's reader side: they go
/// out while nobody takes the session's events (a hidden window, a busy consumer).
#[test]
fn the_engine_answers_rules_and_echo_without_the_consumer() {
    use socket_tester::codec::TextEncoding;
    use socket_tester::net::{Responder, Rule};
    let (server, local) = server_on("127.0.0.1:0");
    let rules = [Rule::parse("PING=>PONG").unwrap()];
    server
        .set_responder(Some(
            Responder::new(&rules, false, TextEncoding::Utf8).unwrap(),
        ))
        .expect("the session takes its rules");
    server.settle();
    let mut stream = connect(local);
    assert_eq!(ask(&mut stream, b"PING", 4), b"PONG");

    // Echo, 100 messages, each answered before the next is sent; no event is taken (the event
    // channel holds them; a consumer that never drains it would, past 256, hold TCP back).
    server
        .set_responder(Some(Responder::new(&[], true, TextEncoding::Utf8).unwrap()))
        .expect("the session takes its rules");
    server.settle();
    for i in 0..100u32 {
        let message = format!("m{i:04}");
        stream.write_all(message.as_bytes()).unwrap();
        let mut echo = [0u8; 5];
        stream.read_exact(&mut echo).unwrap();
        assert_eq!(&echo, message.as_bytes());
    }
}

/// Delayed replies share one thread per session, which never waits for one peer: a client
/// that reads nothing has its replies refused whole (with the reason), and another client's
/// delayed reply still comes.
#[test]
fn a_client_that_does_not_read_holds_up_no_other_clients_delayed_replies() {
    use socket_tester::codec::TextEncoding;
    use socket_tester::net::{Responder, Rule};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.options.framing = socket_tester::codec::Framing::parse("line").unwrap();
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let local = listening(&server);
    let reply = "x".repeat(60_000);
    let rule = Rule {
        pattern: "ping".to_string(),
        reply: reply.clone(),
        delay_ms: 10,
        ..Rule::default()
    };
    server
        .set_responder(Some(
            Responder::new(&[rule], false, TextEncoding::Utf8).unwrap(),
        ))
        .expect("the session takes its rules");
    server.settle();
    // The events are taken as they come (the refusals among them), all along.
    let events = server.events().clone();
    let refused = Arc::new(AtomicUsize::new(0));
    let (done, finished) = crossbeam_channel::bounded::<()>(0);
    {
        let refused = refused.clone();
        thread::spawn(move || {
            loop {
                crossbeam_channel::select! {
                    recv(events) -> event => match event {
                        Ok(event) => {
                            if let EventKind::Error { error: Error::PeerNotReading { .. }, .. } =
                                event.kind
                            {
                                refused.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Err(_) => return,
                    },
                    recv(finished) -> _ => return,
                }
            }
        });
    }
    // 400 replies of 60 KB to a client that reads none: far more than its queue and buffers.
    let mut rude = TcpStream::connect(local).unwrap();
    rude.write_all(&b"ping\n".repeat(400)).unwrap();
    let deadline = std::time::Instant::now() + DEADLINE;
    while refused.load(Ordering::Relaxed) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the rude client's replies were never refused"
        );
        thread::sleep(Duration::from_millis(5));
    }
    let mut polite = TcpStream::connect(local).unwrap();
    polite.write_all(b"ping\n").unwrap();
    polite.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut got = vec![0u8; reply.len()];
    polite
        .read_exact(&mut got)
        .expect("the polite client's delayed reply came");
    assert_eq!(got, reply.as_bytes());
    drop((rude, done));
}
