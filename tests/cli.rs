//! The command-line interface that scripts rely on, run as a real process over loopback.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::Stdio;

use common::*;

#[test]
fn tcp_client_sends_and_prints_the_echo() {
    let (addr, server) = recording_echo_server();
    let (code, lines, stderr) = run_cli(&[
        "tcp-client",
        &addr.to_string(),
        "--send",
        "Hello, world",
        "--count",
        "1",
        "--wait-ms",
        WAIT_MS_DEADLINE,
    ]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(lines[0].contains(&format!("connected {addr}")), "{lines:?}");
    let rx = lines
        .iter()
        .find(|l| l.contains(" RX "))
        .expect("an RX line");
    assert!(rx.ends_with(&format!("RX {addr} 12B Hello, world")), "{rx}");
    assert_eq!(server.join().unwrap(), b"Hello, world");
}

#[test]
fn tcp_client_gbk_delivers_gbk_bytes_and_decodes_the_reply() {
    let (addr, server) = recording_echo_server();
    let lines = client_run(&addr.to_string(), GBK_HELLO);
    assert_eq!(server.join().unwrap(), vec![0xC4, 0xE3, 0xBA, 0xC3]);
    assert_printed_rx(&lines, "4B 你好");
}

#[test]
fn tcp_client_sends_each_stdin_line_with_the_line_ending() {
    let (addr, server) = recording_echo_server();
    let mut cli = Cli::spawn_with_stdin(
        &[
            "tcp-client",
            &addr.to_string(),
            "--eol",
            "crlf",
            "--wait-ms",
            "200",
        ],
        Stdio::piped(),
    );
    let mut stdin = cli.stdin();
    stdin.write_all(b"first\nsecond\n").unwrap();
    drop(stdin);
    let (code, _, _) = cli.finish();
    assert_eq!(code, 0);
    assert_eq!(server.join().unwrap(), b"first\r\nsecond\r\n");
}

#[test]
fn tcp_client_hex_in_and_out_with_json_lines() {
    let (addr, server) = recording_echo_server();
    let (code, lines, _) = run_cli(&[
        "tcp-client",
        &addr.to_string(),
        "--hex",
        "--send",
        "0x01,0x03 00-00 0001",
        "--json",
        "--count",
        "1",
        "--wait-ms",
        WAIT_MS_DEADLINE,
    ]);
    assert_eq!(code, 0);
    assert_eq!(server.join().unwrap(), vec![1, 3, 0, 0, 0, 1]);
    let events: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(events[0]["event"], "connected");
    assert_eq!(events[0]["peer"], addr.to_string());
    let rx = events
        .iter()
        .find(|e| e["event"] == "rx")
        .expect("rx event");
    assert_eq!(rx["hex"], "01 03 00 00 00 01");
    assert_eq!(rx["len"], 6);
    assert!(rx["time"].as_str().unwrap().contains('T'), "RFC 3339 time");
    assert!(events.iter().any(|e| e["event"] == "tx"));
}

#[test]
fn tcp_server_prints_its_real_port_echoes_and_stops_after_count() {
    let mut server = Cli::spawn(&["tcp-server", "127.0.0.1:0", "--echo", "--count", "1"]);
    let local = server.listening();
    assert_ne!(local.port(), 0);
    let mut client = connect(local);
    assert_eq!(ask(&mut client, b"ping", 4), b"ping");
    let (code, lines, _) = server.finish();
    assert_eq!(code, 0);
    assert!(lines.iter().any(|l| l.contains("accepted #1")), "{lines:?}");
    assert_printed_rx(&lines, "4B ping");
}

#[test]
fn tcp_server_greets_each_client_with_send() {
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--send",
        "welcome",
        "--eol",
        "lf",
    ]);
    let local = server.listening();
    let mut client = TcpStream::connect(local).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut greeting = [0u8; 8];
    client.read_exact(&mut greeting).unwrap();
    assert_eq!(&greeting, b"welcome\n");
}

#[test]
fn udp_receiver_prints_each_datagram_with_its_sender() {
    let mut receiver = Cli::spawn(&["udp", "--bind", "127.0.0.1:0", "--count", "2"]);
    let local = receiver.listening();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.send_to(b"one", local).unwrap();
    sender.send_to(b"two", local).unwrap();
    let (code, lines, _) = receiver.finish();
    assert_eq!(code, 0);
    let from = sender.local_addr().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(&format!("RX {from} 3B one"))),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(&format!("RX {from} 3B two"))),
        "{lines:?}"
    );
}

#[test]
fn udp_sender_sends_to_target_and_echo_replies() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut echo = Cli::spawn(&["udp", "--bind", "127.0.0.1:0", "--echo", "--count", "1"]);
    let echo_addr = echo.listening();
    peer.send_to(b"bounce", echo_addr).unwrap();
    let mut buf = [0u8; 16];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"bounce"[..], echo_addr));
    assert_eq!(echo.finish().0, 0);

    let (code, _, _) = run_cli(&[
        "udp",
        "--to",
        &peer.local_addr().unwrap().to_string(),
        "--send",
        "a",
        "--send",
        "b",
        "--wait-ms",
        "0",
    ]);
    assert_eq!(code, 0);
    for expected in [b"a", b"b"] {
        let (n, _) = peer.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], expected);
    }
}

#[test]
fn network_errors_exit_1_with_one_line() {
    let (_held, refusing) = refusing_tcp();
    let (code, _, stderr) = run_cli(&["tcp-client", &refusing.to_string(), "--send", "x"]);
    assert_eq!(code, 1);
    assert_eq!(stderr, format!("error: connection refused by {refusing}\n"));
}

#[test]
fn bad_input_exits_2_with_one_line_and_sends_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let target = listener.local_addr().unwrap().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["tcp-client", "127.0.0.1:70000", "--send", "x"],
            "error: invalid port '70000'",
        ),
        (
            vec!["tcp-client", "127.0.0.1:abc"],
            "error: invalid port 'abc'",
        ),
        (
            vec!["tcp-client", "[::1:80"],
            "error: invalid address '[::1:80'",
        ),
        (
            vec!["tcp-client", "999.1.1.1:80"],
            "error: invalid address '999.1.1.1'",
        ),
        (vec!["tcp-client", " :80"], "error: invalid address"),
        (
            vec!["tcp-client", &target, "--hex", "--send", "48 G5"],
            "error: invalid hex digit 'G' at position 4",
        ),
        (
            vec!["tcp-client", &target, "--hex", "--send", "486"],
            "error: odd number of hex digits",
        ),
        (
            vec!["tcp-client", &target, "--encoding", "latin1", "--send", "x"],
            "error: unknown encoding 'latin1'",
        ),
        (
            vec!["tcp-client", &target, "--encoding", "gbk", "--send", "😀"],
            "error: '😀' (U+1F600) cannot be encoded in GBK",
        ),
        (
            vec!["tcp-client", &target, "--escapes", "--send", "\\q"],
            "error: invalid escape '\\q'",
        ),
        (vec!["tcp-server", "70000"], "error: invalid port '70000'"),
        (vec!["tcp-server", "65536"], "error: invalid port '65536'"),
        (vec!["tcp-client", "127.0.0.1:"], "error: invalid port ''"),
        (vec!["tcp-client", "a b:80"], "error: invalid address 'a b'"),
        (
            vec!["tcp-client", "127.0.0.1:0"],
            "error: port 0 cannot be a peer's port",
        ),
        (
            vec!["udp", "--to", "127.0.0.1:0", "--send", "x"],
            "error: port 0 cannot be a peer's port",
        ),
        (
            vec!["udp", "--to", &target, "--send", "x", "--interval-ms", "0"],
            "error: invalid value '0' for '--interval-ms <N>'",
        ),
        (
            vec!["udp", "--to", &target, "--send", "x", "--interval-ms", "-5"],
            "error: unexpected argument '-5'",
        ),
        (
            vec![
                "udp",
                "--to",
                &target,
                "--send",
                "x",
                "--interval-ms",
                "99999999999999999999",
            ],
            "error: invalid value '99999999999999999999'",
        ),
        (
            vec!["udp", "--to", &target, "--send-file", "/"],
            "error: reading / failed",
        ),
        (
            vec!["udp", "--to", &target, "--send-file", "/no/such/file"],
            "error: reading /no/such/file failed",
        ),
        (
            vec!["udp", "--to", &target, "--bind", "999.1.1.1:0"],
            "error: invalid address '999.1.1.1'",
        ),
        (
            vec!["tcp-server", "0", "--reply", "re:(=>x"],
            "error: invalid rule matches regex '('",
        ),
        (
            vec!["tcp-server", "0", "--reply", "no arrow"],
            "error: invalid rule no arrow",
        ),
        (
            vec!["tcp-server", "0", "--framing", "len:3"],
            "error: invalid framing 'len:3'",
        ),
        (
            vec!["tcp-client", &target, "--checksum", "md5", "--send", "x"],
            "error: unknown checksum 'md5'",
        ),
        (vec!["udp", "--send", "x"], "error: no target address"),
    ];
    for (args, expected) in &cases {
        let (code, stdout, stderr) = run_cli(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout:?}");
    }
    assert!(listener.accept().is_err(), "no connection was made");
    // A UDP payload over the limit is refused too.
    let big = "00".repeat(65_508);
    let (code, _, stderr) = run_cli(&["udp", "--to", &target, "--hex", "--send", &big]);
    assert_eq!(
        (code, stderr.trim()),
        (
            2,
            "error: UDP payload of 65508 bytes is over the limit of 65507 bytes"
        )
    );
}

#[test]
fn checksum_is_appended_to_what_is_sent() {
    let (addr, server) = recording_echo_server();
    client_run(&addr.to_string(), MODBUS_READ);
    assert_eq!(
        server.join().unwrap(),
        vec![0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A]
    );
}

#[test]
fn server_framing_prints_one_line_per_message() {
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--framing",
        "line",
        "--count",
        "3",
    ]);
    let local = server.listening();
    let mut client = TcpStream::connect(local).unwrap();
    client.write_all(b"a\nb\nc\n").unwrap();
    let (code, lines, _) = server.finish();
    assert_eq!(code, 0);
    let rx: Vec<&String> = lines.iter().filter(|l| l.contains(" RX ")).collect();
    assert_eq!(rx.len(), 3, "{lines:?}");
    assert!(
        rx[0].ends_with("2B a\\n") && rx[2].ends_with("2B c\\n"),
        "{rx:?}"
    );
}

#[test]
fn interval_and_repeat_send_the_message_that_many_times() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let (code, lines, stderr) = run_cli(&[
        "udp",
        "--to",
        &peer.local_addr().unwrap().to_string(),
        "--send",
        "hb",
        "--interval-ms",
        "10",
        "--repeat",
        "4",
        "--wait-ms",
        "0",
    ]);
    assert_eq!(code, 0, "{stderr}");
    // Four sent (each send is printed as it goes out), and the four arrive.
    assert_eq!(lines.iter().filter(|l| l.contains(" TX ")).count(), 4);
    let mut buf = [0u8; 8];
    for _ in 0..4 {
        let (n, _) = peer.recv_from(&mut buf).expect("each send arrives");
        assert_eq!(&buf[..n], b"hb");
    }
}

#[test]
fn reply_rules_answer_matching_messages() {
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--reply",
        "PING=>PONG",
        "--reply",
        "hex:01 03=>hex:01 83 02",
        "--count",
        "3",
    ]);
    let local = server.listening();
    let mut client = TcpStream::connect(local).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut ask = |question: &[u8], expected: &[u8]| {
        client.write_all(question).unwrap();
        let mut answer = vec![0u8; expected.len()];
        client.read_exact(&mut answer).unwrap();
        assert_eq!(answer, expected);
    };
    ask(b"PING", b"PONG");
    ask(&[0x00, 0x01, 0x03], &[0x01, 0x83, 0x02]);
    client.write_all(b"no rule matches this").unwrap();
    let (code, lines, _) = server.finish();
    assert_eq!(code, 0);
    assert_eq!(
        lines.iter().filter(|l| l.contains(" TX ")).count(),
        2,
        "{lines:?}"
    );
}

#[test]
fn tcp_client_with_half_close_keeps_sending_after_the_peers_fin() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut cli = Cli::spawn_with_stdin(
        &[
            "tcp-client",
            &addr.to_string(),
            "--half-close",
            "--wait-ms",
            "200",
        ],
        Stdio::piped(),
    );
    let (mut peer, _) = listener.accept().unwrap();
    peer.write_all(b"done talking").unwrap();
    peer.shutdown(std::net::Shutdown::Write).unwrap();
    cli.line_containing("RX");
    cli.line_containing("peer-finished");

    let mut stdin = cli.stdin();
    stdin.write_all(b"late reply\n").unwrap();
    drop(stdin);
    let mut got = Vec::new();
    peer.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"late reply");
    let (code, _, stderr) = cli.finish();
    assert_eq!(code, 0, "{stderr}");
}

/// The app is built without the bench: `bench` says how to get one, and exits 2.
#[cfg(not(feature = "bench"))]
#[test]
fn variables_fill_in_each_send_of_the_command_line() {
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let to = peer.local_addr().unwrap().to_string();
    let (code, _, stderr) = run_cli(&[
        "udp",
        "--to",
        &to,
        "--send",
        "a${seq}",
        "--send",
        "b${seq}${hex:0D 0A}",
        "--wait-ms",
        "0",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run_cli(&[
        "udp",
        "--to",
        &to,
        "--hex",
        "--send",
        "AA ${seq}",
        "--interval-ms",
        "5",
        "--repeat",
        "2",
        "--wait-ms",
        "0",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut got = Vec::new();
    for _ in 0..4 {
        let mut buf = [0u8; 64];
        let (n, _) = peer.recv_from(&mut buf).unwrap();
        got.push(buf[..n].to_vec());
    }
    assert_eq!(
        got,
        [
            b"a1".to_vec(),
            b"b2\r\n".to_vec(),
            vec![0xAA, 0, 0, 0, 1],
            vec![0xAA, 0, 0, 0, 2],
        ]
    );

    let mut cli = Cli::spawn_with_stdin(&["udp", "--to", &to, "--wait-ms", "0"], Stdio::piped());
    let mut stdin = cli.stdin();
    stdin.write_all(b"x${seq}\ny${seq}\n").unwrap();
    drop(stdin);
    assert_eq!(cli.finish().0, 0);
    for expected in [b"x1", b"y2"] {
        let mut buf = [0u8; 64];
        let (n, _) = peer.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], expected, "a line of standard input");
    }

    let (code, _, stderr) = run_cli(&["udp", "--to", &to, "--send", "${nope}"]);
    assert_eq!(code, 2, "an unknown variable is bad input");
    assert!(stderr.contains("${hex:BYTES}"), "{stderr}");
}
