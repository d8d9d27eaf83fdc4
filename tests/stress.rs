//! Stress runs against local servers: the counts add up, the limits hold, failures are sorted.

mod common;

use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener, UdpSocket};

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::*;
use socket_tester::codec::{Checksum, InputMode, LineEnding, PayloadFormat, TextEncoding};
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::no_waker;
use socket_tester::net::stress::{Protocol, Report, Stress, StressConfig, StressMode, Template};

/// A UDP echo server that also keeps every datagram it got.
fn udp_echo() -> (SocketAddr, Arc<Mutex<Vec<Vec<u8>>>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let record = got.clone();
    thread::spawn(move || {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            record.lock().unwrap().push(buf[..n].to_vec());
            let _ = socket.send_to(&buf[..n], from);
        }
    });
    (addr, got)
}

fn text(template: &str) -> Template {
    let format = PayloadFormat {
        mode: InputMode::Text,
        encoding: TextEncoding::Utf8,
        escapes: false,
        line_ending: LineEnding::None,
        checksum: Checksum::None,
    };
    Template::parse_for_stress(template, format).unwrap()
}

fn config(protocol: Protocol, target: SocketAddr, clients: usize) -> StressConfig {
    StressConfig {
        protocol,
        target: parse_host_port(&target.to_string()).unwrap(),
        clients,
        short_connections: false,
        mode: StressMode::PingPong,
        rate: None,
        duration: None,
        count: Some(1000),
        payload: text("ping ${seq}"),
        timeout: Duration::from_secs(5),
    }
}

fn run_to_end(config: StressConfig) -> Report {
    let stress = Stress::start(config, no_waker()).unwrap();
    assert!(stress.wait(Duration::from_secs(60)), "the run never ended");
    let report = stress.report();
    assert!(!report.running);
    assert_eq!(
        report.sent,
        report.succeeded + report.failed,
        "sent = succeeded + failed: {report:?}"
    );
    assert_eq!(report.failed, report.failures.total());
    assert_eq!(report.active, 0, "every connection closed at the end");
    report
}

fn assert_percentiles_ordered(report: &Report) {
    let l = report.latency.expect("round trips were measured");
    assert!(
        l.p50_us <= l.p95_us && l.p95_us <= l.p99_us && l.p99_us <= l.max_us,
        "{l:?}"
    );
    assert!(l.p50_us > 0);
}

#[test]
fn two_hundred_tcp_clients_ping_pong_and_the_counts_add_up() {
    let server = EchoServer::start();
    let mut config = config(Protocol::Tcp, server.addr, 200);
    config.count = Some(4000);
    let report = run_to_end(config);
    assert_eq!(report.succeeded, 4000);
    assert_eq!(report.failed, 0);
    assert_eq!(
        report.bytes_in, report.bytes_out,
        "each request came back whole"
    );
    // A client whose connection the run no longer needed may still wait in the accept queue
    // when the report comes: the server's accept thread counts it a moment later.
    wait_until(|| server.accepted() >= 200);
    assert_eq!(server.accepted(), 200, "one connection per client");
    assert_percentiles_ordered(&report);
}

#[test]
fn the_rate_limit_holds_over_the_counts() {
    let server = EchoServer::start();
    let mut config = config(Protocol::Tcp, server.addr, 8);
    config.count = None;
    config.rate = Some(200.0);
    config.duration = Some(Duration::from_secs(1));
    let report = run_to_end(config);
    // At most one request per 5 ms slot in one second, plus the one at time zero.
    assert!(report.sent <= 201, "{report:?}");
    assert!(
        report.sent >= 100,
        "the rate was far from reached: {report:?}"
    );
}

#[test]
fn short_connections_open_one_connection_per_request() {
    let server = EchoServer::start();
    let mut config = config(Protocol::Tcp, server.addr, 5);
    config.short_connections = true;
    config.count = Some(100);
    let report = run_to_end(config);
    assert_eq!(report.succeeded, 100);
    wait_until(|| server.accepted() == 100);
}

#[test]
fn udp_ping_pong_and_payload_variables() {
    let (addr, got) = udp_echo();
    let mut config = config(Protocol::Udp, addr, 4);
    config.count = Some(200);
    config.payload = text("${client}:${seq}");
    let report = run_to_end(config);
    assert_eq!(report.succeeded, 200);
    assert_percentiles_ordered(&report);
    let got = got.lock().unwrap();
    let seqs: HashSet<u64> = got
        .iter()
        .map(|d| {
            let text = String::from_utf8(d.clone()).unwrap();
            let (client, seq) = text.split_once(':').unwrap();
            assert!((1..=4).contains(&client.parse::<u64>().unwrap()), "{text}");
            seq.parse().unwrap()
        })
        .collect();
    assert_eq!(seqs, (0..200).collect(), "every request numbered once");
}

#[test]
fn throughput_mode_sends_without_waiting_and_measures_no_round_trips() {
    let server = EchoServer::start();
    let mut config = config(Protocol::Tcp, server.addr, 4);
    config.mode = StressMode::Throughput;
    config.count = Some(5000);
    let report = run_to_end(config);
    assert_eq!(report.succeeded, 5000);
    assert!(report.latency.is_none());
    assert!(report.bytes_out >= 5000 * 6);
}

#[test]
fn failures_are_sorted_by_cause() {
    // Refused: nothing listens on a port this test holds.
    let (_held, refusing) = refusing_tcp();
    let report = run_to_end(config(Protocol::Tcp, refusing, 2));
    assert_eq!(report.failures.connect_failed, report.sent);
    assert_eq!(report.sent, 1000);

    // Closed by the peer: a server that accepts and hangs up at once.
    let closer = TcpListener::bind("127.0.0.1:0").unwrap();
    let closer_addr = closer.local_addr().unwrap();
    thread::spawn(move || {
        for stream in closer.incoming() {
            drop(stream);
        }
    });
    let mut closed = config(Protocol::Tcp, closer_addr, 2);
    closed.count = Some(20);
    let report = run_to_end(closed);
    assert_eq!(report.succeeded, 0);
    assert_eq!(
        report.failures.closed_by_peer + report.failures.send_failed,
        20,
        "{report:?}"
    );
    assert!(report.failures.closed_by_peer > 0);

    // Timed out: a server that reads and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap();
    thread::spawn(move || {
        let mut kept = Vec::new();
        for stream in silent.incoming() {
            kept.push(stream);
        }
    });
    let mut timing_out = config(Protocol::Tcp, silent_addr, 2);
    timing_out.count = Some(4);
    timing_out.timeout = Duration::from_millis(100);
    let report = run_to_end(timing_out);
    assert_eq!(report.failures.timed_out, 4, "{report:?}");
}

#[test]
fn stop_ends_a_long_run_at_once_and_the_counts_still_add_up() {
    let server = EchoServer::start();
    let mut config = config(Protocol::Tcp, server.addr, 20);
    config.count = None;
    config.duration = Some(Duration::from_secs(3600));
    config.rate = Some(2000.0);
    let mut stress = Stress::start(config, no_waker()).unwrap();
    wait_until(|| stress.report().succeeded > 100);
    stress.stop();
    assert!(
        stress.wait(Duration::from_secs(10)),
        "stop did not end the run"
    );
    let report = stress.report();
    assert_eq!(report.sent, report.succeeded + report.failed, "{report:?}");
    assert_eq!(report.failed, 0, "stopping is not a failure: {report:?}");
    assert!(!stress.timeline().is_empty(), "live samples were taken");
}

#[test]
fn bad_settings_are_refused_before_anything_starts() {
    let target: SocketAddr = "127.0.0.1:9".parse().unwrap();
    for bad in [
        StressConfig {
            clients: 0,
            ..config(Protocol::Tcp, target, 1)
        },
        StressConfig {
            rate: Some(0.0),
            ..config(Protocol::Tcp, target, 1)
        },
        StressConfig {
            count: None,
            duration: None,
            ..config(Protocol::Tcp, target, 1)
        },
    ] {
        let err = Stress::start(bad, no_waker()).err().expect("refused");
        assert!(err.is_input_error(), "{err}");
    }
}

fn wait_until(mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + DEADLINE;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "condition never held");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn cli_drives_two_hundred_clients_and_ends_with_the_report() {
    let server = EchoServer::start();
    let (code, lines, stderr) = run_cli(&[
        "stress",
        "tcp",
        &server.addr.to_string(),
        "--clients",
        "200",
        "--count",
        "2000",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let last: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(last["kind"], "report");
    assert_eq!(last["sent"], 2000);
    assert_eq!(last["succeeded"], 2000);
    assert_eq!(last["failed"], 0);
    let p = |name: &str| last["latency"][name].as_u64().unwrap();
    assert!(p("p50_us") <= p("p95_us") && p("p95_us") <= p("p99_us") && p("p99_us") <= p("max_us"));
}

#[test]
fn cli_bad_stress_input_exits_2_with_one_line() {
    for args in [
        &["stress", "tcp", "127.0.0.1:9", "--clients", "0"][..],
        &["stress", "tcp", "127.0.0.1:9", "--send", "${nope}"],
        &["stress", "udp", "127.0.0.1:0"],
        &["stress", "tcp", "127.0.0.1:9", "--duration-s", "-1"],
        &["stress", "tcp", "127.0.0.1:9", "--rate", "0"],
        &["stress", "tcp", "127.0.0.1:9", "--hex", "--send", "zz"],
    ] {
        let (code, lines, stderr) = run_cli(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(lines.is_empty(), "{args:?}: {lines:?}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    }
}

#[test]
fn cli_reports_a_target_that_refuses_with_exit_1() {
    let (_held, refusing) = refusing_udp();
    let (code, lines, _) = run_cli(&["stress", "udp", &refusing.to_string(), "--count", "5"]);
    assert_eq!(code, 1);
    assert!(lines.last().unwrap().starts_with("report:"), "{lines:?}");
    assert!(lines.last().unwrap().contains("connect 5"), "{lines:?}");
}

#[test]
fn cli_reports_a_target_that_never_answers_with_exit_1() {
    // Accepts every connection and never reads or replies.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap().to_string();
    let held = std::thread::spawn(move || listener.incoming().take(2).collect::<Vec<_>>());
    let (code, lines, stderr) = run_cli(&[
        "stress",
        "tcp",
        &target,
        "--clients",
        "2",
        "--duration-s",
        "0.5",
    ]);
    assert_eq!(code, 1, "{lines:?}");
    assert!(
        stderr.contains(&format!("no request was answered by {target}")),
        "{stderr}"
    );
    drop(held.join());
}

#[test]
fn a_name_that_does_not_resolve_ends_the_run_with_the_reason() {
    let mut config = config(Protocol::Tcp, "127.0.0.1:9".parse().unwrap(), 3);
    config.target = parse_host_port("no-such-host.invalid:9").unwrap();
    let report = run_to_end(config);
    assert_eq!(report.sent, 0);
    let error = report.error.expect("the reason is kept");
    assert!(error.contains("no-such-host.invalid"), "{error}");
}
