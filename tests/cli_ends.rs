//! How command-line runs end when something outside goes wrong: a signal, a closed stdout, a
//! full disk, a bad input line, a value that makes no sense, a server that never accepts. Each
//! ends cleanly, says why, and exits with the code a script can act on; none panics.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, UdpSocket};
use std::process::{Command, Stdio};

use common::*;
use etherparse::{PacketHeaders, TransportHeader};
use pcap_file::pcap::PcapReader;

/// A stress run of 20 TCP clients against `addr` (a listener that stalls connects).
fn twenty_stuck_clients<'a>(
    addr: &'a str,
    duration_s: &'a str,
    timeout_ms: &'a str,
) -> [&'a str; 9] {
    [
        "stress",
        "tcp",
        addr,
        "--clients",
        "20",
        "--duration-s",
        duration_s,
        "--timeout-ms",
        timeout_ms,
    ]
}

/// Runs the command line, which must exit 1 (a network or write error) saying `reason`.
fn assert_fails_with(args: &[&str], reason: &str) {
    let (code, _, stderr) = run_cli(args);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(reason), "{stderr}");
}

#[test]
fn senseless_values_are_refused_naming_the_flag() {
    let rate_range = "rate must be from 0.001 to 10000000";
    let cases: Vec<(&[&str], &str)> = vec![
        (
            &["tcp-client", "127.0.0.1:9", "--timeout-ms", "0"],
            "--timeout-ms",
        ),
        (&["tcp-server", "0", "--max-clients", "0"], "--max-clients"),
        (&["tcp-server", "0", "--count", "0"], "--count"),
        (&["udp", "--count", "0"], "--count"),
        (&["tcp-client", "127.0.0.1:9", "--send="], "--send"),
        (&["tcp-server", "0", "--reply", "=>"], "the MATCH is empty"),
        (
            &["tcp-server", "0", "--reply", "ping=>"],
            "the REPLY is empty",
        ),
        (
            &["tcp-client", "[zz]:80"],
            "invalid address '[zz]': not a valid IPv6 address",
        ),
        (
            &["udp", "--to", "127.0.0.1:9", "--interval-ms", "5"],
            "--send <DATA>",
        ),
        (&["udp", "--join", "239.1.2.3", "--ttl", "256"], "--ttl"),
        (
            &["tcp-client", "127.0.0.1:9", "--send-timeout-s", "0"],
            "--send-timeout-s",
        ),
        (
            &["tcp-server", "0", "--idle-timeout-s", "0"],
            "--idle-timeout-s",
        ),
        (
            &["stress", "tcp", "127.0.0.1:9", "--rate", "1e-300"],
            rate_range,
        ),
        (
            &["stress", "tcp", "127.0.0.1:9", "--rate", "1e-19"],
            rate_range,
        ),
        (
            &["stress", "tcp", "127.0.0.1:9", "--rate", "2e7"],
            rate_range,
        ),
        (
            &["stress", "tcp", "127.0.0.1:9", "--rate", "NaN"],
            rate_range,
        ),
        (
            &["stress", "tcp", "127.0.0.1:9", "--timeout-ms", "0"],
            "--timeout-ms",
        ),
    ];
    // The bench is in builds with the `bench` feature (CI runs this file with it too).
    #[cfg(feature = "bench")]
    let cases = [
        cases,
        vec![(&["bench", "--only", "zzz"][..], "choose from tcp_ingest")],
    ]
    .concat();
    for (args, expected) in cases {
        let (code, stdout, stderr) = run_cli(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout:?}");
    }
}

#[test]
fn a_write_error_exits_1_and_a_bad_input_line_exits_2_after_the_rest_is_sent() {
    let echo = EchoServer::start();
    let target = echo.addr.to_string();
    if std::path::Path::new("/dev/full").exists() {
        assert_fails_with(
            &[
                "tcp-client",
                &target,
                "--send",
                "hi",
                "--wait-ms",
                "100",
                "--pcap",
                "/dev/full",
            ],
            "No space left on device",
        );
        // A capture that fails on its last write (when the run ends) is told too.
        let mut receiver = Cli::spawn(&[
            "udp",
            "--bind",
            "127.0.0.1:0",
            "--capture",
            "/dev/full",
            "--count",
            "1",
        ]);
        let addr = receiver.listening();
        UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .send_to(b"one datagram", addr)
            .unwrap();
        let (code, _, stderr) = receiver.finish();
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains("writing the capture to /dev/full failed"),
            "{stderr}"
        );
    }

    let mut cli = Cli::spawn_with_stdin(
        &["tcp-client", &target, "--hex", "--wait-ms", "200"],
        Stdio::piped(),
    );
    let mut stdin = cli.stdin();
    stdin.write_all(b"41 42\nzz\n43\n").unwrap();
    drop(stdin);
    let (code, lines, stderr) = cli.finish();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("line skipped"), "{stderr}");
    let sent: Vec<&String> = lines.iter().filter(|l| l.contains(" TX ")).collect();
    assert_eq!(sent.len(), 2, "the good lines still go out: {lines:?}");
}

/// Runs the CLI with stdout on a pipe, reads its first line, closes the pipe as `| head -1`
/// does, then lets `provoke` make it print more. Returns the exit code and stderr.
fn close_stdout_after_first_line(args: &[&str], provoke: impl FnOnce(&str)) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_socket-tester"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start socket-tester");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut first)
        .unwrap();
    // The reader is gone: the next write fails with a broken pipe.
    provoke(first.trim());
    // The next write may come only after a whole measurement (`bench`: 3 s in a debug build,
    // over 10 s on a loaded machine): the limit only stops a run that never ends.
    eprintln!("waiting for {args:?} to end");
    wait_exit(&mut child, 6 * DEADLINE)
}

/// What makes a run print again once its stdout is closed, given its first line.
type Provoke = Box<dyn FnOnce(&str)>;

#[test]
fn a_closed_stdout_ends_every_mode_quietly_with_exit_0() {
    let echo = EchoServer::start();
    let target = echo.addr.to_string();
    let connect_and_send = |first: &str| {
        let addr = first.trim_start_matches("listening ");
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(b"more to print").unwrap();
    };
    let send_datagram = |first: &str| {
        let addr = first.trim_start_matches("listening ");
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.send_to(b"more to print", addr).unwrap();
    };
    let runs: Vec<(Vec<&str>, Provoke)> = vec![
        (
            vec!["tcp-server", "127.0.0.1:0"],
            Box::new(connect_and_send),
        ),
        (
            vec!["udp", "--bind", "127.0.0.1:0"],
            Box::new(send_datagram),
        ),
        (
            // Connected, then the echoes of a message sent every 10 ms.
            vec![
                "tcp-client",
                &target,
                "--send",
                "x",
                "--interval-ms",
                "10",
                "--repeat",
                "0",
            ],
            Box::new(|_| {}),
        ),
        (
            // A progress line a second: the second one finds the pipe closed.
            vec!["stress", "tcp", &target, "--clients", "2", "--rate", "10"],
            Box::new(|_| {}),
        ),
    ];
    // The header, then the first figure finds the pipe closed; no more is measured.
    #[cfg(feature = "bench")]
    let runs = {
        let mut runs = runs;
        runs.push((vec!["bench", "--quick"], Box::new(|_| {})));
        runs
    };
    for (args, provoke) in runs {
        let (code, stderr) = close_stdout_after_first_line(&args, provoke);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_full_stdout_is_said_on_stderr_and_exits_1_in_every_mode() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("SKIPPED: no /dev/full here to fill stdout with");
        return;
    };
    let echo = EchoServer::start();
    let target = echo.addr.to_string();
    let runs: [&[&str]; 3] = [
        &["tcp-client", &target, "--send", "x", "--wait-ms", "200"],
        &["decode", "utf-8", "41"],
        &["stress", "tcp", &target, "--clients", "1", "--count", "5"],
    ];
    for args in runs {
        let mut child = Command::new(env!("CARGO_BIN_EXE_socket-tester"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start socket-tester");
        let (code, stderr) = wait_exit(&mut child, DEADLINE);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("error: writing to standard output failed: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

/// The TCP packets of a pcap file with FIN set, as (source port, destination port).
fn fin_packets(path: &std::path::Path) -> Vec<(u16, u16)> {
    let mut reader = PcapReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut fins = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.unwrap();
        let headers = PacketHeaders::from_ip_slice(&packet.data).unwrap();
        if let Some(TransportHeader::Tcp(tcp)) = headers.transport
            && tcp.fin
        {
            fins.push((tcp.source_port, tcp.destination_port));
        }
    }
    fins
}

#[cfg(unix)]
#[test]
fn ctrl_c_closes_every_connection_prints_each_close_and_finishes_the_pcap() {
    const CLIENTS: usize = 10;
    let dir = TempDir::new("sigint");
    let pcap = dir.file("server.pcap");
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--pcap",
        pcap.to_str().unwrap(),
    ]);
    let addr = server.listening();
    let mut clients: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    for _ in 0..CLIENTS {
        server.line_containing("accepted");
    }
    server.signal(libc::SIGINT);
    let (code, lines, stderr) = server.finish();
    assert_eq!(code, 130, "{stderr}");
    let closed = lines.iter().filter(|l| l.contains(" closed ")).count();
    assert_eq!(closed, CLIENTS, "a closed line for each client: {lines:?}");
    // Each client sees a FIN (end of stream), not a reset.
    for client in &mut clients {
        client.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut byte = [0u8; 1];
        assert_eq!(std::io::Read::read(client, &mut byte).unwrap(), 0);
    }
    let server_fins = fin_packets(&pcap)
        .into_iter()
        .filter(|&(source, _)| source == addr.port())
        .count();
    assert_eq!(server_fins, CLIENTS, "the pcap closes each connection");
}

#[cfg(unix)]
#[test]
fn sigterm_ends_a_client_and_a_udp_socket_with_143_and_their_closing_lines() {
    let echo = EchoServer::start();
    let target = echo.addr.to_string();
    let mut client = Cli::spawn(&["tcp-client", &target, "--send", "hi", "--wait-ms", "60000"]);
    client.line_containing(" RX ");
    client.signal(libc::SIGTERM);
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, 143, "{stderr}");
    assert!(
        lines.last().is_some_and(|l| l.contains("closed")),
        "{lines:?}"
    );

    let mut udp = Cli::spawn(&["udp", "--bind", "127.0.0.1:0"]);
    udp.listening();
    udp.signal(libc::SIGTERM);
    let (code, _, stderr) = udp.finish();
    assert_eq!(code, 143, "{stderr}");
}

/// The figure after `name ` in a stress report line ("… failed 20 (connect 0, …").
fn figure(report: &str, name: &str) -> u64 {
    let at = report.find(&format!("{name} ")).expect(name) + name.len() + 1;
    report[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|digits| digits.parse().ok())
        .expect("a number")
}

#[test]
fn stress_counts_connects_cut_short_by_the_end_of_the_run_as_timed_out() {
    let (_listener, addr, _pending) = listener_that_stalls_connects();
    // With a minute-long timeout the run still ends at its second: stuck connects are
    // abandoned and counted.
    let (code, lines, stderr) = run_cli(&twenty_stuck_clients(&addr.to_string(), "1", "60000"));
    let report = lines.last().expect("a report line").clone();
    assert!(report.starts_with("report:"), "{lines:?} {stderr}");
    assert_eq!(figure(&report, "failed"), 20, "{report}");
    assert_eq!(figure(&report, "timeout"), 20, "{report}");
    assert_eq!(figure(&report, "sent"), 20, "{report}");
    assert_eq!(code, 1, "nothing succeeded: {report}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_stress_run_stuck_in_connects_and_still_reports() {
    let (_listener, addr, _pending) = listener_that_stalls_connects();
    let mut stress = Cli::spawn(&twenty_stuck_clients(&addr.to_string(), "3600", "3600000"));
    // The first progress line: the run is under way, every client stuck connecting.
    stress.line_containing("progress");
    stress.signal(libc::SIGINT);
    let (code, lines, stderr) = stress.finish();
    assert_eq!(code, 130, "{stderr}");
    let report = lines.last().expect("a report line");
    assert!(report.starts_with("report:"), "{lines:?}");
    assert_eq!(figure(report, "timeout"), 20, "{report}");
}

#[cfg(unix)]
#[test]
fn a_server_at_its_cap_says_so_once_and_idle_clients_are_closed() {
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--max-clients",
        "1",
        "--idle-timeout-s",
        "0.5",
    ]);
    let addr = server.listening();
    let _first = TcpStream::connect(addr).unwrap();
    server.line_containing("accepted");
    let turned_away: Vec<TcpStream> = (0..5).map(|_| TcpStream::connect(addr).unwrap()).collect();
    server.line_containing("rejected");
    // The silent first client is closed by the idle timeout; its slot is free again.
    let idle = server.line_containing("closed");
    assert!(idle.contains("idle timeout"), "{idle}");
    drop(turned_away);
    server.signal(libc::SIGINT);
    let (_, lines, _) = server.finish();
    let rejected = lines.iter().filter(|l| l.contains("rejected")).count();
    assert_eq!(rejected, 1, "told once while full: {lines:?}");
}

#[test]
fn an_endless_file_to_a_peer_that_never_reads_ends_with_a_send_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // Accepts and holds the connection without ever reading.
    let holder = std::thread::spawn(move || listener.accept().map(|(stream, _)| stream));
    assert_fails_with(
        &[
            "tcp-client",
            &addr,
            "--send-file",
            "/dev/zero",
            "--send-timeout-s",
            "1",
        ],
        "send timed out",
    );
    drop(holder.join());
}

#[cfg(unix)]
#[test]
fn ctrl_c_in_the_middle_of_a_file_send_still_prints_how_the_connection_closed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // Reads everything, as fast as it comes.
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = std::io::copy(&mut stream, &mut std::io::sink());
    });
    let mut client = Cli::spawn(&["tcp-client", &addr, "--send-file", "/dev/zero", "--hex"]);
    // Well into the transfer: the event channel is full of sends when the signal comes.
    for _ in 0..300 {
        client.line_containing(" TX ");
    }
    client.signal(libc::SIGINT);
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, 130, "{stderr}");
    let last = lines.last().expect("output");
    assert!(
        last.contains(" closed ") && last.contains("closed here"),
        "{last}"
    );
}

/// A connection closed because the peer took nothing for `--send-timeout-s` says so as its
/// close (not "closed by peer"), once on stdout and as an error on stderr.
#[test]
fn a_send_timeout_is_the_close_reason_not_a_peer_fin() {
    let peer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = peer.local_addr().unwrap().to_string();
    let cli = common::Cli::spawn(&[
        "tcp-client",
        &addr,
        "--send-file",
        "/dev/zero",
        "--send-timeout-s",
        "1",
    ]);
    let (code, lines, stderr) = cli.finish();
    assert_eq!(code, 1, "{stderr}");
    let closed: Vec<&String> = lines.iter().filter(|l| l.contains(" closed ")).collect();
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert!(closed[0].contains("took nothing for 1000 ms"), "{closed:?}");
    assert!(!closed[0].contains("closed by peer"), "{closed:?}");
    // A file send cut short says what it left unsent, if it says anything; never a bare
    // "not connected".
    assert!(!stderr.contains("not connected"), "{stderr}");
    assert!(stderr.contains("took nothing for 1000 ms"), "{stderr}");
    drop(peer);
}
