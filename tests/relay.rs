//! The relay over real sockets on loopback: bytes pass both ways unchanged for many clients at
//! once, a FIN passes on as a FIN and a reset as a reset, and messages are injected either way.

mod common;

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use common::{DEADLINE, connect, flood, listening, pattern, wait_for};
use socket_tester::net::addr::HostPort;
use socket_tester::net::{
    ClientId, CloseReason, Destination, EventKind, RelayConfig, Session, no_waker,
};

fn relay_to(target: SocketAddr) -> (Session, SocketAddr) {
    let config = RelayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        HostPort {
            host: target.ip().to_string(),
            port: target.port(),
        },
    );
    let relay = Session::relay(config, no_waker()).expect("start a relay");
    let addr = listening(&relay);
    (relay, addr)
}

/// Waits until the relay has joined client `id` to the target; returns the target's address.
fn relaying(relay: &Session) -> (ClientId, SocketAddr) {
    wait_for(relay, "Relaying", |kind| match kind {
        EventKind::Relaying { client, target, .. } => Some((*client, *target)),
        _ => None,
    })
}

/// What the target sends back for `request`: different bytes, so the two ways are told apart.
fn answer_to(request: &[u8]) -> Vec<u8> {
    request.iter().rev().map(|b| b ^ 0x5A).collect()
}

#[test]
fn bytes_pass_both_ways_unchanged_for_ten_clients_at_once() {
    const CLIENTS: usize = 10;
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let target_addr = target.local_addr().unwrap();
    // The target reads each request to its end (the relay passes the client's FIN on), then
    // answers and closes.
    let server = thread::spawn(move || {
        let mut handlers = Vec::new();
        for _ in 0..CLIENTS {
            let (mut stream, _) = target.accept().unwrap();
            handlers.push(thread::spawn(move || {
                let mut request = Vec::new();
                stream.read_to_end(&mut request).unwrap();
                stream.write_all(&answer_to(&request)).unwrap();
                request
            }));
        }
        let mut requests: Vec<Vec<u8>> = handlers.into_iter().map(|h| h.join().unwrap()).collect();
        requests.sort();
        requests
    });
    let (relay, addr) = relay_to(target_addr);
    // The relay's events are taken as they come, counting the bytes of each end.
    let events = relay.events().clone();
    let observer = thread::spawn(move || {
        let mut from: HashMap<SocketAddr, usize> = HashMap::new();
        let mut closed = 0;
        while closed < 2 * CLIENTS {
            match events.recv_timeout(DEADLINE).expect("relay events").kind {
                EventKind::Received { messages, .. } => {
                    for m in messages {
                        *from.entry(m.peer).or_default() += m.data.len();
                    }
                }
                EventKind::Closed { .. } => closed += 1,
                _ => {}
            }
        }
        from
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            thread::spawn(move || {
                let mut request = pattern(200_000 + i * 1_000);
                request[0] = i as u8;
                let mut stream = connect(addr);
                let local = stream.local_addr().unwrap();
                stream.write_all(&request).unwrap();
                stream.shutdown(Shutdown::Write).unwrap();
                let mut answer = Vec::new();
                stream.read_to_end(&mut answer).unwrap();
                assert!(
                    answer == answer_to(&request),
                    "client {i}: the answer changed"
                );
                (local, request)
            })
        })
        .collect();
    let mut sent: Vec<(SocketAddr, Vec<u8>)> =
        clients.into_iter().map(|c| c.join().unwrap()).collect();
    let received_by_target = server.join().unwrap();
    sent.sort_by(|a, b| a.1.cmp(&b.1));
    let requests: Vec<Vec<u8>> = sent.iter().map(|(_, r)| r.clone()).collect();
    assert!(received_by_target == requests, "the target got other bytes");

    let from = observer.join().unwrap();
    for (client, request) in &sent {
        assert_eq!(
            from.get(client),
            Some(&request.len()),
            "logged from {client}"
        );
    }
    let total: usize = sent.iter().map(|(_, r)| r.len()).sum();
    assert_eq!(
        from.get(&target_addr),
        Some(&total),
        "logged from the target"
    );
    assert_eq!(relay.totals().rx_bytes as usize, 2 * total);
    assert_eq!(relay.totals().tx_bytes as usize, 2 * total);
}

#[test]
fn a_fin_passes_on_as_a_fin_and_the_other_way_stays_open() {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let (relay, addr) = relay_to(target.local_addr().unwrap());
    let mut client = connect(addr);
    let (mut upstream, _) = target.accept().unwrap();
    upstream.set_read_timeout(Some(DEADLINE)).unwrap();
    relaying(&relay);

    client.write_all(b"last words").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut got = Vec::new();
    upstream.read_to_end(&mut got).unwrap();
    assert_eq!(
        got, b"last words",
        "the target reads the bytes, then the end"
    );
    wait_for(&relay, "PeerFinished from the client", |kind| match kind {
        EventKind::PeerFinished { .. } => Some(()),
        _ => None,
    });

    // Half-closed: the target still answers, and its own FIN ends the client's stream.
    upstream.write_all(b"a late answer").unwrap();
    upstream.shutdown(Shutdown::Write).unwrap();
    let mut answer = Vec::new();
    client.read_to_end(&mut answer).unwrap();
    assert_eq!(answer, b"a late answer");
    let reasons: Vec<CloseReason> = (0..2)
        .map(|_| {
            wait_for(&relay, "Closed", |kind| match kind {
                EventKind::Closed { reason, .. } => Some(reason.clone()),
                _ => None,
            })
        })
        .collect();
    assert_eq!(reasons, [CloseReason::PeerClosed, CloseReason::PeerClosed]);
    assert!(relay.clients().is_empty(), "the pair is gone");
}

/// A connection that ends with RST when dropped.
fn reset(stream: TcpStream) {
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(stream);
}

fn read_error(stream: &mut TcpStream) -> ErrorKind {
    let mut buf = [0u8; 16];
    match stream.read(&mut buf) {
        Ok(n) => panic!("read {n} bytes instead of a reset"),
        Err(err) => err.kind(),
    }
}

#[test]
fn a_reset_passes_on_as_a_reset_either_way() {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let (relay, addr) = relay_to(target.local_addr().unwrap());

    // The client resets: the target's next read fails with "connection reset".
    let client = connect(addr);
    let (mut upstream, _) = target.accept().unwrap();
    upstream.set_read_timeout(Some(DEADLINE)).unwrap();
    relaying(&relay);
    reset(client);
    assert_eq!(read_error(&mut upstream), ErrorKind::ConnectionReset);
    let reason = wait_for(&relay, "Closed from the client", |kind| match kind {
        EventKind::Closed { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason, CloseReason::Reset);

    // The target resets: the client's next read fails the same way.
    let mut client = connect(addr);
    let (upstream, _) = target.accept().unwrap();
    relaying(&relay);
    reset(upstream);
    assert_eq!(read_error(&mut client), ErrorKind::ConnectionReset);
}

#[test]
fn a_message_is_injected_toward_either_end_and_logged_as_sent_there() {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let (relay, addr) = relay_to(target.local_addr().unwrap());
    let mut client = connect(addr);
    let client_addr = client.local_addr().unwrap();
    let (mut upstream, _) = target.accept().unwrap();
    upstream.set_read_timeout(Some(DEADLINE)).unwrap();
    let (id, target_addr) = relaying(&relay);

    relay
        .send(Destination::Target(id), b"to the target".to_vec())
        .unwrap();
    let mut got = [0u8; 13];
    upstream.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"to the target");
    relay
        .send(Destination::Client(id), b"to the client".to_vec())
        .unwrap();
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"to the client");

    let sent: Vec<(SocketAddr, Vec<u8>)> = (0..2)
        .map(|_| {
            wait_for(&relay, "Sent", |kind| match kind {
                EventKind::Sent { peer, data, .. } => Some((*peer, data.clone())),
                _ => None,
            })
        })
        .collect();
    assert_eq!(
        sent,
        [
            (target_addr, b"to the target".to_vec()),
            (client_addr, b"to the client".to_vec())
        ]
    );
    // Relayed bytes are not reported as sent: only the two injected messages are.
    client.write_all(b"passing through").unwrap();
    let mut through = [0u8; 15];
    upstream.read_exact(&mut through).unwrap();
    relay.send(Destination::Default, b"!".to_vec()).unwrap();
    let next_sent = wait_for(&relay, "Sent", |kind| match kind {
        EventKind::Sent { data, .. } => Some(data.clone()),
        _ => None,
    });
    assert_eq!(next_sent, b"!");
}

#[test]
fn a_target_that_refuses_resets_the_client_and_says_why() {
    let (_held, refusing) = common::refusing_tcp();
    let (relay, addr) = relay_to(refusing);
    let mut client = connect(addr);
    let error = common::error(&relay);
    assert_eq!(
        error.to_string(),
        format!("connection refused by {refusing}")
    );
    assert_eq!(read_error(&mut client), ErrorKind::ConnectionReset);
    let reason = wait_for(&relay, "Closed", |kind| match kind {
        EventKind::Closed { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason, CloseReason::ResetHere);
}

#[test]
fn stopping_the_relay_closes_both_ends_and_frees_the_port() {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let (relay, addr) = relay_to(target.local_addr().unwrap());
    let mut client = connect(addr);
    let (mut upstream, _) = target.accept().unwrap();
    relaying(&relay);
    let closed: Vec<EventKind> = relay
        .stop_and_collect()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| matches!(k, EventKind::Closed { .. }))
        .collect();
    assert_eq!(closed.len(), 2, "both ends say how they closed: {closed:?}");
    assert!(common::is_closed(&mut client));
    assert!(common::is_closed(&mut upstream));
    TcpListener::bind(addr).expect("the port is free again");
}

#[test]
fn the_command_line_relay_prints_each_way_with_its_side() {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let target_addr = target.local_addr().unwrap().to_string();
    let mut cli = common::Cli::spawn(&["relay", "127.0.0.1:0", &target_addr, "--json"]);
    let addr = cli.listening();
    let mut client = connect(addr);
    let (mut upstream, _) = target.accept().unwrap();
    upstream.set_read_timeout(Some(DEADLINE)).unwrap();
    client.write_all(b"ping").unwrap();
    let mut got = [0u8; 4];
    upstream.read_exact(&mut got).unwrap();
    upstream.write_all(b"pong").unwrap();
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"pong");
    drop(client);
    let mut rest = Vec::new();
    upstream.read_to_end(&mut rest).unwrap();
    drop(upstream);
    cli.line_containing("\"closed\"");
    cli.line_containing("\"closed\"");
    cli.signal(libc::SIGINT);
    let (code, lines, stderr) = cli.finish();
    assert_eq!(code, 130, "{stderr}");

    // "event side text" for each line.
    let said: Vec<String> = lines
        .iter()
        .map(|line| {
            let json: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let field = |key: &str| json[key].as_str().unwrap_or("-").to_string();
            format!("{} {} {}", field("event"), field("side"), field("text"))
        })
        .collect();
    assert_eq!(
        said[..5],
        [
            "listening - -",
            "accepted - -",
            "relaying target -",
            "rx client ping",
            "rx target pong"
        ],
        "{said:?}"
    );
    // How the two ends closed comes last, in whichever order they did.
    let mut closed: Vec<&String> = said[5..]
        .iter()
        .filter(|s| s.starts_with("closed"))
        .collect();
    closed.sort();
    assert_eq!(closed, ["closed client -", "closed target -"], "{said:?}");
}

#[test]
fn a_relay_aimed_at_itself_does_not_start_and_says_why() {
    // Refused before anything is bound: the port is one this test holds, so it is nobody
    // else's either.
    let (_held, held_addr) = common::refusing_tcp();
    let port = held_addr.port();
    let config = RelayConfig::new(
        SocketAddr::from(([0, 0, 0, 0], port)),
        HostPort {
            host: "127.0.0.1".to_string(),
            port,
        },
    );
    let relay = Session::relay(config, no_waker()).expect("a session");
    assert_eq!(
        common::error(&relay).to_string(),
        format!("target 127.0.0.1:{port} is where the relay listens: it would connect to itself")
    );
    wait_for(&relay, "Stopped", |kind| {
        matches!(kind, EventKind::Stopped).then_some(())
    });
}

/// Accepted clients and loop reports of each relay over `window`.
fn accepts_and_loops(relays: &[&Session], window: Duration) -> Vec<(usize, usize)> {
    let mut counts = vec![(0, 0); relays.len()];
    let end = crossbeam_channel::after(window);
    loop {
        let mut select = crossbeam_channel::Select::new();
        for relay in relays {
            select.recv(relay.events());
        }
        let ended = select.recv(&end);
        let op = select.select();
        let index = op.index();
        if index == ended {
            let _ = op.recv(&end);
            return counts;
        }
        let Ok(event) = op.recv(relays[index].events()) else {
            return counts;
        };
        match event.kind {
            EventKind::Accepted { .. } => counts[index].0 += 1,
            EventKind::Error {
                error: socket_tester::Error::RelayLoop(_),
                ..
            } => counts[index].1 += 1,
            _ => {}
        }
    }
}

/// A port free a moment ago, for a relay that must know its own port before it listens (it
/// is aimed at itself, or at a relay aimed back at it). Another test may take it meanwhile:
/// callers start again with a new one when the relay cannot listen there (`in_ten_tries`).
fn port_free_a_moment_ago() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a port")
}

/// `start` with a port free a moment ago, until it listens there (ten tries).
fn in_ten_tries<T>(mut start: impl FnMut(u16) -> Option<T>) -> T {
    (0..10)
        .find_map(|_| start(port_free_a_moment_ago()))
        .expect("a free port in ten tries")
}

/// Whether `relay` listens (true) or could not start (false).
fn listens(relay: &Session) -> bool {
    wait_for(relay, "Listening or an error", |kind| match kind {
        EventKind::Listening { .. } => Some(true),
        EventKind::Error { .. } => Some(false),
        _ => None,
    })
}

fn relay_on(listen: SocketAddr, host: &str, port: u16) -> (Session, SocketAddr) {
    let target = HostPort {
        host: host.into(),
        port,
    };
    let relay = Session::relay(RelayConfig::new(listen, target), no_waker()).expect("a relay");
    let local = listening(&relay);
    (relay, local)
}

/// A relay aimed at itself by a name (`localhost`): the connection to the target that comes
/// back is refused and said once; the client is let go (before: each client was joined to a
/// new client of its own until the relay was full, 1,024 of them).
#[test]
fn a_relay_aimed_at_itself_by_a_name_refuses_the_loop_and_says_so_once() {
    // The target names the relay's own port, so it is chosen first.
    let (relay, port) = in_ten_tries(|port| {
        let target = HostPort {
            host: "localhost".into(),
            port,
        };
        let config = RelayConfig::new(([127, 0, 0, 1], port).into(), target);
        let relay = Session::relay(config, no_waker()).expect("a relay");
        listens(&relay).then_some((relay, port))
    });
    let mut client = connect(([127, 0, 0, 1], port).into());
    let counts = accepts_and_loops(&[&relay], Duration::from_millis(1500));
    assert!(counts[0].0 <= 3, "accepted {} clients", counts[0].0);
    assert_eq!(counts[0].1, 1, "the loop is said once");
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut byte = [0u8; 1];
    assert!(matches!(client.read(&mut byte), Ok(0) | Err(_)), "let go");
}

/// Two relays of one process aimed at each other: the loop is found and refused within a few
/// links (the connections of the other relay become known as they are made), neither grows
/// (before: 1,024 clients each and ~3,000 threads).
#[test]
fn two_relays_aimed_at_each_other_refuse_the_loop() {
    let (first, second, first_port) = in_ten_tries(|first_port| {
        let (second, second_addr) =
            relay_on("127.0.0.1:0".parse().unwrap(), "127.0.0.1", first_port);
        let target = HostPort {
            host: "127.0.0.1".into(),
            port: second_addr.port(),
        };
        let config = RelayConfig::new(([127, 0, 0, 1], first_port).into(), target);
        let first = Session::relay(config, no_waker()).expect("a relay");
        listens(&first).then_some((first, second, first_port))
    });
    let _client = connect(([127, 0, 0, 1], first_port).into());
    let counts = accepts_and_loops(&[&first, &second], Duration::from_millis(1500));
    let (accepted, loops) = (counts[0].0 + counts[1].0, counts[0].1 + counts[1].1);
    assert!(accepted <= 20, "accepted {counts:?}");
    assert!(loops >= 1, "{counts:?}");
}

/// Aimed at its own address however spelled (a name, a v4-mapped address, loopback for an
/// unspecified bind): refused before it starts, exit 2 (before: exit 1 for the literal, and
/// a chain of connections for the others).
#[test]
fn a_relay_aimed_at_its_own_address_however_spelled_is_a_usage_error() {
    // Held, so the port is no one else's; the relay refuses before it binds.
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    for (listen, target) in [
        (format!("127.0.0.1:{port}"), format!("127.0.0.1:{port}")),
        (format!("127.0.0.1:{port}"), format!("localhost:{port}")),
        (
            format!("127.0.0.1:{port}"),
            format!("[::ffff:127.0.0.1]:{port}"),
        ),
        (format!("0.0.0.0:{port}"), format!("localhost:{port}")),
    ] {
        let (code, _, stderr) = common::run_cli(&["relay", &listen, &target]);
        assert_eq!(code, 2, "{listen} -> {target}: {stderr}");
        assert!(stderr.contains("is where the relay listens"), "{stderr}");
    }
}

/// Two relays in two processes aimed at each other: the second sees its client is the first
/// relaying a connection of its own back, refuses it and says so once; neither grows (before:
/// 1,024 clients each and ~3,000 threads). Linux (read from /proc).
#[cfg(target_os = "linux")]
#[test]
fn two_relay_processes_aimed_at_each_other_refuse_the_loop() {
    let (mut first, mut second, first_port) = in_ten_tries(|first_port| {
        let mut second =
            common::Cli::spawn(&["relay", "127.0.0.1:0", &format!("127.0.0.1:{first_port}")]);
        let second_port = second.listening().port();
        let mut first = common::Cli::spawn(&[
            "relay",
            &format!("127.0.0.1:{first_port}"),
            &format!("127.0.0.1:{second_port}"),
        ]);
        // A relay that cannot listen ends at once, saying why on stderr.
        let line = first.try_line(DEADLINE)?;
        line.starts_with("listening")
            .then_some((first, second, first_port))
    });
    let _client = connect(([127, 0, 0, 1], first_port).into());
    let end = std::time::Instant::now() + Duration::from_millis(1500);
    let mut accepted = 0;
    while let Some(left) = end.checked_duration_since(std::time::Instant::now()) {
        let wait = left.min(Duration::from_millis(50));
        for relay in [&mut first, &mut second] {
            if relay
                .try_line(wait)
                .is_some_and(|line| line.contains("accepted #"))
            {
                accepted += 1;
            }
        }
    }
    assert!(accepted <= 6, "accepted {accepted}");
    let mut said = 0;
    for relay in [first, second] {
        relay.signal(libc::SIGINT);
        let (_, _, stderr) = relay.finish();
        said += stderr.matches("come back to a relay").count();
    }
    assert!(said >= 1, "the loop is said");
}

/// A client that resets while its target floods and reads nothing: the pair ends, the reset
/// passed on. Before, the client's writer took the reset from the socket, and the reader,
/// waiting for room toward the target, never woke (or woke to an end of stream, a FIN): the
/// relay read the target's flood on, for nobody, until it was stopped.
#[test]
fn a_client_that_resets_while_its_target_floods_ends_the_pair() {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let (relay, addr) = relay_to(target.local_addr().unwrap());
    // How the ends end, taken as they come (the reader is not held back by its events).
    let (closes_tx, closes) = crossbeam_channel::unbounded();
    let events = relay.events().clone();
    thread::spawn(move || {
        let _ = (events.iter()).try_for_each(|event| match event.kind {
            EventKind::Closed { peer, reason, .. } => closes_tx.send((peer, Some(reason))),
            // A FIN it never sent: the relay's half-close must not be said either.
            EventKind::PeerFinished { peer, .. } => closes_tx.send((peer, None)),
            _ => Ok(()),
        });
    });
    for _ in 0..3 {
        let mut client = connect(addr);
        let client_addr = client.local_addr().unwrap();
        let (upstream, _) = target.accept().unwrap();
        flood(upstream);
        // The client sends until the relay takes no more (its queue to the target is full),
        // reads a little of the flood, and leaves with the rest unread.
        client.set_nonblocking(true).unwrap();
        let chunk = vec![b'c'; 64 * 1024];
        let filled = (0..100_000).any(|_| {
            thread::sleep(Duration::from_micros(100));
            matches!(client.write(&chunk), Err(err) if err.kind() == ErrorKind::WouldBlock)
        });
        assert!(filled, "the relay took everything");
        client.set_nonblocking(false).unwrap();
        client.read_exact(&mut [0u8; 4096]).unwrap();
        reset(client);
        let mut ends: Vec<(SocketAddr, Option<CloseReason>)> = Vec::new();
        while ends.iter().filter(|(_, closed)| closed.is_some()).count() < 2 {
            let end = closes
                .recv_timeout(DEADLINE)
                .unwrap_or_else(|_| panic!("the pair did not end; ended: {ends:?}"));
            ends.push(end);
        }
        ends.retain(|(peer, _)| *peer == client_addr);
        assert_eq!(ends, [(client_addr, Some(CloseReason::Reset))]);
    }
}
