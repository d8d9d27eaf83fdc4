//! Guards against peers and settings that would make the tool spin or grow: a reconnect
//! against a server that closes at once backs off, a relay aimed back at itself is refused, a
//! server out of file descriptors says so once and recovers, and an IPv6 address with its
//! scope (`[::1%lo]`) is taken. Loopback only.

mod common;

use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::Duration;

use common::{Cli, has_ipv6_loopback, wait_for};
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::{EventKind, Reconnect, Session, TcpClientConfig, no_waker};

/// A server that accepts and closes at once: each connect succeeds and ends. The reconnect's
/// wait still doubles, because the connection never proved itself (before: it went back to
/// the first wait after every connect, knocking for ever).
#[test]
fn a_reconnect_to_a_server_that_closes_at_once_still_backs_off() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    let mut config = TcpClientConfig::new(parse_host_port(&addr.to_string()).unwrap());
    config.reconnect = Some(Reconnect {
        first: Duration::from_millis(10),
        max: Duration::from_secs(10),
    });
    let client = Session::tcp_client(config, no_waker()).unwrap();
    let delays: Vec<u128> = (0..5)
        .map(|_| {
            wait_for(&client, "Reconnecting", |kind| match kind {
                EventKind::Reconnecting { delay } => Some(delay.as_millis()),
                _ => None,
            })
        })
        .collect();
    assert_eq!(delays, [10, 20, 40, 80, 160]);
    client.stop();
}

/// `[::1%lo]:PORT` (an IPv6 address with its scope) connects, from the CLI.
#[cfg(unix)]
#[test]
fn an_ipv6_address_with_a_scope_is_taken() {
    if !has_ipv6_loopback() {
        eprintln!("SKIPPED: no IPv6 loopback on this machine");
        return;
    }
    let listener = TcpListener::bind("[::1]:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let lo = std::fs::read_dir("/sys/class/net")
        .ok()
        .and_then(|names| {
            names
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .find(|name| name == "lo")
        })
        .unwrap_or_else(|| "1".to_string());
    for scope in [lo.as_str(), "1"] {
        let target = format!("[::1%{scope}]:{port}");
        let mut cli = Cli::spawn(&["tcp-client", &target, "--send", "hi"]);
        // Before the accept, so a refused address fails the test rather than hanging it.
        cli.line_containing("connected");
        let (_accepted, peer) = listener.accept().expect("the scoped address connects");
        assert!(matches!(peer, SocketAddr::V6(_)));
        let (code, _, stderr) = cli.finish();
        assert_eq!(code, 0, "{target}: {stderr}");
    }
}

/// `ulimit -n 64`: a server out of file descriptors says so once (before: ten times a second
/// without end), closes the clients waiting in its queue at once and says how many (before:
/// they waited, unanswered, until they timed out), and when descriptors free up it says it
/// accepts again and takes new clients.
#[cfg(target_os = "linux")]
#[test]
fn a_server_out_of_file_descriptors_says_so_once_and_recovers() {
    use std::io::{BufRead, Read};
    use std::net::TcpStream;
    use std::process::{Command, Stdio};
    use std::time::Instant;

    const CLIENTS: usize = 100;
    let script = format!(
        "ulimit -n 64; exec '{}' tcp-server 127.0.0.1:0 2>&1",
        env!("CARGO_BIN_EXE_socket-tester")
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start socket-tester under sh");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, lines) = crossbeam_channel::unbounded();
    thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen: Vec<String> = Vec::new();
    let next = |seen: &mut Vec<String>, wait: Duration| {
        let line = lines.recv_timeout(wait).ok()?;
        seen.push(line.clone());
        Some(line)
    };
    let first = next(&mut seen, common::DEADLINE).expect("a listening line");
    let addr: SocketAddr = first
        .trim_start_matches("listening ")
        .parse()
        .expect(&first);
    let mut clients: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| TcpStream::connect(addr).expect("queued at least"))
        .collect();
    // A second and a half out of descriptors.
    let until = Instant::now() + Duration::from_millis(1500);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        next(&mut seen, left);
    }
    let said = |seen: &[String], what: &str| seen.iter().filter(|l| l.contains(what)).count();
    assert_eq!(said(&seen, "Too many open files"), 1, "{seen:#?}");
    let accepted = said(&seen, "accepted #");
    // "N clients waiting in the queue on … were closed at once"
    let turned_away: usize = seen
        .iter()
        .filter(|line| line.contains("were closed at once"))
        .filter_map(|line| {
            line.split_whitespace()
                .find_map(|word| word.parse::<usize>().ok())
        })
        .sum();
    assert!(turned_away > 0, "{seen:#?}");
    assert_eq!(accepted + turned_away, CLIENTS, "{seen:#?}");
    // The clients turned away hear the close; the ones taken do not.
    let closed = clients
        .iter()
        .filter(|client| {
            let mut client: &TcpStream = client;
            client.set_nonblocking(true).unwrap();
            let mut byte = [0u8; 1];
            !matches!(
                client.read(&mut byte),
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock
            )
        })
        .count();
    assert_eq!(closed, turned_away, "{seen:#?}");
    // Descriptors free up: a new client is taken.
    clients.clear();
    let _late = TcpStream::connect(addr).expect("connects");
    let deadline = Instant::now() + common::DEADLINE;
    while said(&seen, "accepted #") <= accepted {
        let left = deadline.checked_duration_since(Instant::now());
        assert!(
            left.and_then(|left| next(&mut seen, left)).is_some(),
            "{seen:#?}"
        );
    }
    assert_eq!(said(&seen, "accepting again on"), 1, "{seen:#?}");
    assert_eq!(said(&seen, "Too many open files"), 1, "{seen:#?}");
    let _ = child.kill();
    let _ = child.wait();
}
