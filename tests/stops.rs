//! Every stop stops (issue 25): each mode and each job, with its queues full and a peer that
//! does not read, ends when told to, and leaves no thread behind.
//!
//! The engine's table drops each running session and job (what the window does) and counts
//! the process's threads until they are back where they started; the command line's table
//! sends SIGINT mid-transfer and waits for the exit. Each row prints how long its stop took
//! (docs/RELIABILITY.md gives the figures); the assertion is only that it ends, with a
//! deadline far above them, so a loaded machine does not fail a working stop.

mod common;

use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{Cli, TempDir, listening, wait_for};
use socket_tester::codec::TextEncoding;
use socket_tester::codec::payload::PayloadFormat;
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::{
    Destination, EventKind, Sequence, Session, SessionConfig, Step, TcpClientConfig,
    TcpServerConfig, UdpConfig, no_waker,
};

/// How long a stop may take before the test calls it a hang (the figures are milliseconds).
const HANG: Duration = Duration::from_secs(5);

/// The thread count is the process's: the rows run one at a time, and apart from the other
/// tests of this file.
static ALONE: Mutex<()> = Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ALONE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The process's threads now, but the test harness's (Linux); None elsewhere.
fn threads() -> Option<usize> {
    std::fs::read_dir("/proc/self/task").ok()?;
    let harness = |name: &String| {
        name.starts_with("stops-") || TESTS.iter().any(|test| test.starts_with(name.as_str()))
    };
    Some(thread_names().iter().filter(|name| !harness(name)).count())
}

/// The tests of this file: the harness runs each on a thread named after it (cut to 15
/// bytes), which come and go as they wait for each other; they are not counted.
const TESTS: &[&str] = &[
    "dropping_any_running_session_returns_at_once_and_leaves_no_thread",
    "stopping_any_running_session_ends_with_stopped_and_leaves_no_thread",
    "sigint_ends_every_mode_mid_transfer",
    "a_capture_fifo_without_a_reader_is_refused_at_once",
    "a_stop_cuts_a_trickled_tls_handshake_short",
    "a_trickled_tls_handshake_times_out_in_words",
    "pending_tls_handshakes_count_against_the_cap",
    "the_window_thread_never_waits_while_sessions_stop",
    "sigint_ends_a_run_whose_capture_fifo_is_not_read",
];

/// The names of the process's threads (Linux), to say which were left.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .map(|name| name.trim().to_string())
        .collect()
}

/// Waits until the process has `baseline` threads again; how long that took.
fn threads_back_to(baseline: usize, row: &str, since: Instant) -> Duration {
    loop {
        let now = threads().unwrap_or(baseline);
        if now <= baseline {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < HANG,
            "{row}: {now} threads {HANG:?} after the stop, {baseline} before it started: {:?}",
            thread_names()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn client_to(addr: SocketAddr) -> Session {
    let target = parse_host_port(&addr.to_string()).unwrap();
    Session::tcp_client(TcpClientConfig::new(target), no_waker()).unwrap()
}

fn udp_to(addr: SocketAddr) -> Session {
    let mut config = UdpConfig::new("127.0.0.1:0".parse().unwrap());
    config.target = Some(parse_host_port(&addr.to_string()).unwrap());
    Session::udp(config, no_waker()).unwrap()
}

fn connected(session: &Session) {
    wait_for(session, "Connected", |kind| {
        matches!(kind, EventKind::Connected { .. }).then_some(())
    });
}

/// A running session and its jobs, its event queue left full: nobody takes its events.
struct Running {
    session: Session,
    jobs: Vec<Box<dyn std::any::Any>>,
}

/// One row: sets a running job up against a peer that does not read (the peer's sockets are
/// in `peers`, held until the stop is over). No thread of the test's own.
type Row = fn(&mut Vec<Box<dyn std::any::Any>>) -> Running;

fn tcp_client_sending_a_file(peers: &mut Vec<Box<dyn std::any::Any>>) -> Running {
    // Accepted by the kernel, never read: the send queue and the socket buffers fill.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let session = client_to(listener.local_addr().unwrap());
    connected(&session);
    let file = session
        .send_file(Destination::Default, "/dev/zero".as_ref(), 64 * 1024)
        .unwrap();
    peers.push(Box::new(listener));
    Running {
        session,
        jobs: vec![Box::new(file)],
    }
}

fn udp_sending_a_file(peers: &mut Vec<Box<dyn std::any::Any>>) -> Running {
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let session = udp_to(receiver.local_addr().unwrap());
    listening(&session);
    // Each datagram is reported: with nobody taking the events, the control thread waits
    // for room while the file send fills the control queue (issue 25 item 2).
    let file = session
        .send_file(Destination::Default, "/dev/zero".as_ref(), 1024)
        .unwrap();
    peers.push(Box::new(receiver));
    Running {
        session,
        jobs: vec![Box::new(file)],
    }
}

fn tcp_server_repeating_to_a_client(peers: &mut Vec<Box<dyn std::any::Any>>) -> Running {
    let session = Session::tcp_server(
        TcpServerConfig::new("127.0.0.1:0".parse().unwrap()),
        no_waker(),
    )
    .unwrap();
    let local = listening(&session);
    let client = TcpStream::connect(local).unwrap();
    wait_for(&session, "Accepted", |kind| {
        matches!(kind, EventKind::Accepted { .. }).then_some(())
    });
    let message = socket_tester::codec::template::Template::parse(
        &"x".repeat(60_000),
        PayloadFormat::default(),
    )
    .unwrap();
    let repeater = session
        .repeat(
            Destination::AllClients,
            vec![message],
            Duration::from_millis(1),
            None,
        )
        .unwrap();
    peers.push(Box::new(client));
    Running {
        session,
        jobs: vec![Box::new(repeater)],
    }
}

fn relay_between_peers_that_do_not_read(peers: &mut Vec<Box<dyn std::any::Any>>) -> Running {
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let config = socket_tester::net::RelayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        parse_host_port(&target.local_addr().unwrap().to_string()).unwrap(),
    );
    let session = Session::open(SessionConfig::Relay(config), no_waker(), None).unwrap();
    let local = listening(&session);
    let client = TcpStream::connect(local).unwrap();
    wait_for(&session, "Relaying", |kind| {
        matches!(kind, EventKind::Relaying { .. }).then_some(())
    });
    // The relay's own side sends to both ends, which read nothing.
    let file = session
        .send_file(Destination::AllClients, "/dev/zero".as_ref(), 64 * 1024)
        .unwrap();
    peers.push(Box::new(target));
    peers.push(Box::new(client));
    Running {
        session,
        jobs: vec![Box::new(file)],
    }
}

fn endless_sequence_with_capture(peers: &mut Vec<Box<dyn std::any::Any>>) -> Running {
    let dir = TempDir::new("stops-capture");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = parse_host_port(&listener.local_addr().unwrap().to_string()).unwrap();
    let session = Session::open(
        SessionConfig::TcpClient(TcpClientConfig::new(target)),
        no_waker(),
        Some(&dir.file("capture.bin")),
    )
    .unwrap();
    connected(&session);
    let sequence = Sequence {
        steps: vec![
            Step::Send {
                text: "PING".to_string(),
                format: PayloadFormat::default(),
            },
            Step::Wait { ms: 0 },
        ],
        rounds: 0,
    };
    let run = session
        .run_sequence(Destination::Default, &sequence, TextEncoding::Utf8)
        .unwrap();
    peers.push(Box::new(listener));
    peers.push(Box::new(dir));
    Running {
        session,
        jobs: vec![Box::new(run)],
    }
}

/// A Python TLS client (as a course's program would be) that finishes its handshake and
/// then reads nothing, while the server sends to it.
#[cfg(feature = "tls")]
const PYTHON_TLS_CLIENT_THAT_DOES_NOT_READ: &str = r#"
import socket, ssl, sys, time
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
plain = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
tls = context.wrap_socket(plain, server_hostname="localhost")
print("ready", flush=True)
time.sleep(60)
"#;

#[cfg(feature = "tls")]
fn tls_server_to_a_client_that_does_not_read(peers: &mut Vec<Box<dyn std::any::Any>>) -> Running {
    use socket_tester::net::tls::TlsServer;
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.tls = Some(TlsServer::self_signed(&["localhost".to_string()]).unwrap());
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let port = listening(&server).port().to_string();
    let mut python = common::Python::start(PYTHON_TLS_CLIENT_THAT_DOES_NOT_READ, &[&port])
        .expect("python3 (CI has it)");
    assert_eq!(python.line(), "ready");
    wait_for(&server, "TlsEstablished", |kind| {
        matches!(kind, EventKind::TlsEstablished { .. }).then_some(())
    });
    // The pump's writes to the client fill its buffers and then wait for it: until the
    // file's bytes stop moving.
    let to_client = server
        .send_file(Destination::AllClients, "/dev/zero".as_ref(), 64 * 1024)
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut written = 0;
    while to_client.written() != written || written == 0 {
        assert!(
            Instant::now() < deadline,
            "the client's buffers never filled"
        );
        written = to_client.written();
        std::thread::sleep(Duration::from_millis(300));
    }
    peers.push(Box::new(python));
    Running {
        session: server,
        jobs: vec![Box::new(to_client)],
    }
}

fn rows() -> Vec<(&'static str, Row)> {
    let mut rows: Vec<(&'static str, Row)> = vec![
        ("tcp-client sending /dev/zero", tcp_client_sending_a_file),
        ("udp sending /dev/zero", udp_sending_a_file),
        ("tcp-server repeating", tcp_server_repeating_to_a_client),
        (
            "relay sending to both ends",
            relay_between_peers_that_do_not_read,
        ),
        (
            "endless sequence with capture",
            endless_sequence_with_capture,
        ),
    ];
    #[cfg(feature = "tls")]
    rows.push((
        "TLS server sending to a Python client that does not read",
        tls_server_to_a_client_that_does_not_read,
    ));
    rows
}

#[test]
fn dropping_any_running_session_returns_at_once_and_leaves_no_thread() {
    let _alone = alone();
    let Some(baseline) = threads() else {
        eprintln!("SKIPPED: no /proc/self/task to count threads on this system");
        return;
    };
    for (row, start) in rows() {
        let mut peers = Vec::new();
        let running = start(&mut peers);
        // Let the queues fill.
        std::thread::sleep(Duration::from_millis(100));
        let before = threads().unwrap();
        assert!(
            before > baseline,
            "{row}: the job runs on threads of its own"
        );
        let since = Instant::now();
        drop(running.jobs);
        drop(running.session);
        let returned = since.elapsed();
        let ended = threads_back_to(baseline, row, since);
        drop(peers);
        eprintln!(
            "{row}: the drop returned in {returned:?}; {} threads ended in {ended:?}",
            before - baseline
        );
    }
}

#[test]
fn stopping_any_running_session_ends_with_stopped_and_leaves_no_thread() {
    let _alone = alone();
    let Some(baseline) = threads() else {
        eprintln!("SKIPPED: no /proc/self/task to count threads on this system");
        return;
    };
    for (row, start) in rows() {
        let mut peers = Vec::new();
        let running = start(&mut peers);
        std::thread::sleep(Duration::from_millis(100));
        let since = Instant::now();
        // What the command line does: stop, taking the events to the last.
        let mut last = None;
        running
            .session
            .stop_and_drain(|event| last = Some(event.kind));
        let stopped = since.elapsed();
        assert!(
            matches!(last, Some(EventKind::Stopped)),
            "{row}: the last event is Stopped, not {last:?}"
        );
        drop(running.jobs);
        let ended = threads_back_to(baseline, row, since);
        drop(peers);
        eprintln!("{row}: stopped in {stopped:?}; threads ended in {ended:?}");
    }
}

/// The command line's modes under SIGINT, mid-transfer to a peer that does not read.
#[cfg(unix)]
#[test]
fn sigint_ends_every_mode_mid_transfer() {
    let _alone = alone();
    let tcp_peer = TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp = tcp_peer.local_addr().unwrap().to_string();
    let udp_peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let udp = udp_peer.local_addr().unwrap().to_string();
    let fifo_dir = TempDir::new("stops-fifo");
    let fifo = fifo_dir.file("input.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let rows: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "udp --send-file /dev/zero",
            vec!["udp", "--to", &udp, "--send-file", "/dev/zero"],
            "TX",
        ),
        (
            "tcp-client --send-file /dev/zero",
            vec!["tcp-client", &tcp, "--send-file", "/dev/zero"],
            "connected",
        ),
        (
            "tcp-client repeating every millisecond",
            vec![
                "tcp-client",
                &tcp,
                "--send",
                "ping",
                "--interval-ms",
                "1",
                "--repeat",
                "0",
            ],
            "connected",
        ),
        (
            "tcp-client --send-file FIFO with no writer",
            vec!["tcp-client", &tcp, "--send-file", fifo],
            "connected",
        ),
    ];
    for (row, args, started) in rows {
        // Several tries: a stop that hangs only sometimes must not pass by luck.
        for _ in 0..3 {
            let mut cli = Cli::spawn(&args);
            cli.line_containing(started);
            std::thread::sleep(Duration::from_millis(100));
            let since = Instant::now();
            cli.signal(libc::SIGINT);
            let (code, _, stderr) = cli.finish();
            eprintln!("{row}: exit {code} {:?} after SIGINT", since.elapsed());
            assert_eq!(code, 130, "{row}: {stderr}");
        }
    }
}

/// A capture into a FIFO that nobody reads yet is refused at once, in words, instead of
/// hanging before it connects.
#[cfg(unix)]
#[test]
fn a_capture_fifo_without_a_reader_is_refused_at_once() {
    let _alone = alone();
    let dir = TempDir::new("stops-capture-fifo");
    let fifo = dir.file("capture.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let peer = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = peer.local_addr().unwrap().to_string();
    let cli = Cli::spawn(&["tcp-client", &addr, "--capture", fifo.to_str().unwrap()]);
    let (code, _, stderr) = cli.finish();
    assert_ne!(code, 0);
    assert!(
        stderr.contains("nothing reads it yet"),
        "says why in words: {stderr}"
    );
}

/// A server that accepts and then trickles a byte of nonsense every 20 ms, for ever: each
/// read of a TLS handshake gets something, so only a limit on the whole handshake ends it.
#[cfg(feature = "tls")]
fn trickling_server() -> SocketAddr {
    use std::io::Write;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        // A TLS record header (handshake, TLS 1.2, 16384 bytes long) whose body then comes
        // a byte at a time. Bounded: ends when the client goes, or after a minute.
        if stream.write_all(&[22, 3, 3, 0x40, 0]).is_err() {
            return;
        }
        for _ in 0..3000 {
            if stream.write_all(&[0]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    addr
}

#[cfg(feature = "tls")]
fn tls_client_to(addr: SocketAddr, timeout: Duration) -> Session {
    use socket_tester::net::tls::{TlsClient, Trust};
    let mut config = TcpClientConfig::new(parse_host_port(&addr.to_string()).unwrap());
    config.connect_timeout = timeout;
    config.tls = Some(TlsClient {
        sni: Some("localhost".to_string()),
        trust: Trust::AnyCertificate,
        certificate: None,
    });
    Session::tcp_client(config, no_waker()).unwrap()
}

/// Stopping a TLS client whose server trickles its handshake ends at once (the handshake
/// runs off the session's control thread, and the stop cuts it short).
#[cfg(feature = "tls")]
#[test]
fn a_stop_cuts_a_trickled_tls_handshake_short() {
    let _alone = alone();
    let client = tls_client_to(trickling_server(), Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(200));
    let (done_tx, done) = crossbeam_channel::bounded(1);
    let since = Instant::now();
    std::thread::spawn(move || {
        client.stop();
        let _ = done_tx.send(());
    });
    assert!(
        done.recv_timeout(HANG).is_ok(),
        "the stop waited on the handshake"
    );
    eprintln!(
        "stopped during a trickled handshake in {:?}",
        since.elapsed()
    );
}

/// A handshake has one limit as a whole, and says so in words when it passes it.
#[cfg(feature = "tls")]
#[test]
fn a_trickled_tls_handshake_times_out_in_words() {
    let _alone = alone();
    let client = tls_client_to(trickling_server(), Duration::from_secs(1));
    let error = common::error(&client);
    assert!(
        error
            .to_string()
            .contains("the TLS handshake timed out after 1 s"),
        "{error}"
    );
}

/// Handshakes under way count against a TLS server's cap on clients: silent connections
/// are turned away past it instead of taking a thread each.
#[cfg(feature = "tls")]
#[test]
fn pending_tls_handshakes_count_against_the_cap() {
    let _alone = alone();
    use socket_tester::net::tls::TlsServer;
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.tls = Some(TlsServer::self_signed(&["localhost".to_string()]).unwrap());
    config.max_clients = 2;
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let local = listening(&server);
    let silent: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(local).unwrap()).collect();
    let limit = wait_for(&server, "Rejected", |kind| match kind {
        EventKind::Rejected { limit, .. } => Some(*limit),
        _ => None,
    });
    assert_eq!(limit, 2);
    drop(silent);
}

/// The longest call the window's thread makes (applying events, closing pages) while ten
/// sessions stop: TCP clients capturing to files and sending from a FIFO nobody writes or
/// from /dev/zero to peers that read nothing, and a TLS server sending to a Python client that
/// reads nothing. Nothing there may wait on the engine: a wait would be a join on a thread
/// stuck on a peer or a FIFO (for ever), or the 50 ms a stop used to take. The figure is
/// printed; the bound only tells a wait from work.
#[cfg(all(unix, feature = "tls"))]
#[test]
fn the_window_thread_never_waits_while_sessions_stop() {
    use socket_tester::gui::model::page::{Link, Page, PageConfig};
    use socket_tester::net::SessionKind;
    let _alone = alone();
    let dir = TempDir::new("stops-window");
    let fifo = dir.file("never-written.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let longest = std::cell::Cell::new(Duration::ZERO);
    let timed = |call: &mut dyn FnMut()| {
        let since = Instant::now();
        call();
        longest.set(longest.get().max(since.elapsed()));
    };
    let waker = no_waker();
    let mut peers = Vec::new();
    let mut pages = Vec::new();
    for index in 0..9 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut page = common::client_page(listener.local_addr().unwrap().port());
        peers.push(listener);
        timed(&mut || page.toggle(waker.clone()));
        while !page.is_connected() {
            timed(&mut || {
                page.drain_events();
            });
            std::thread::sleep(Duration::from_millis(1));
        }
        page.config_mut().capture_path = dir
            .file(&format!("capture-{index}.bin"))
            .display()
            .to_string();
        timed(&mut || page.toggle_capture());
        page.config_mut().file_path = match index % 2 {
            0 => fifo.display().to_string(),
            _ => "/dev/zero".to_string(),
        };
        timed(&mut || page.send_file());
        pages.push(page);
    }
    let mut tls = Page::new(
        SessionKind::TcpServer,
        PageConfig {
            bind_address: "127.0.0.1".into(),
            bind_port: "0".into(),
            tls: true,
            tls_generated: Some(
                socket_tester::net::tls::TlsServer::self_signed(&["localhost".to_string()])
                    .unwrap(),
            ),
            ..PageConfig::default()
        },
    );
    timed(&mut || tls.toggle(waker.clone()));
    let deadline = Instant::now() + HANG;
    let port = loop {
        timed(&mut || {
            tls.drain_events();
        });
        if let Link::Listening { local } = *tls.link() {
            break local.port();
        }
        assert!(
            Instant::now() < deadline,
            "the TLS server never listened: {:?}",
            tls.status_error()
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    let mut python =
        common::Python::start(PYTHON_TLS_CLIENT_THAT_DOES_NOT_READ, &[&port.to_string()])
            .expect("python3 (CI has it)");
    assert_eq!(python.line(), "ready");
    tls.config_mut().file_path = "/dev/zero".to_string();
    let deadline = Instant::now() + HANG;
    while tls.clients().is_empty() {
        assert!(Instant::now() < deadline, "the TLS client was never listed");
        timed(&mut || {
            tls.drain_events();
        });
        std::thread::sleep(Duration::from_millis(1));
    }
    timed(&mut || tls.send_file());
    pages.push(tls);
    // The queues fill, as frames go by.
    let filling = Instant::now();
    while filling.elapsed() < Duration::from_millis(300) {
        for page in &mut pages {
            timed(&mut || {
                page.drain_events();
            });
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let before = longest.replace(Duration::ZERO);
    for page in &mut pages {
        timed(&mut || page.close());
    }
    for page in &mut pages {
        timed(&mut || {
            page.drain_events();
        });
    }
    timed(&mut || drop(std::mem::take(&mut pages)));
    let longest = longest.get();
    eprintln!(
        "the window's thread: longest call {before:?} while running, {longest:?} while stopping"
    );
    assert!(
        longest < Duration::from_millis(100),
        "the window's thread waited {longest:?} while sessions stopped"
    );
    drop((peers, python));
}

/// A capture into a FIFO whose reader holds it open and reads nothing: the session's readers
/// wait for it (nothing is lost while it runs), and SIGINT still ends the run, saying the
/// capture is incomplete.
#[cfg(unix)]
#[test]
fn sigint_ends_a_run_whose_capture_fifo_is_not_read() {
    use std::io::Write;
    let _alone = alone();
    let dir = TempDir::new("stops-stuck-fifo");
    let fifo = dir.file("capture.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap().to_string();
    // A reader that holds the FIFO open and reads nothing (opened without waiting for a
    // writer, so the run's capture finds it there).
    let reader = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap()
    };
    // A peer that sends 64 MiB, far more than the FIFO and the queues hold.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let chunk = vec![7u8; 1 << 20];
            for _ in 0..64 {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
            }
        }
    });
    let mut cli = Cli::spawn(&["tcp-client", &addr, "--capture", &fifo]);
    cli.line_containing("connected");
    std::thread::sleep(Duration::from_millis(300));
    let since = Instant::now();
    cli.signal(libc::SIGINT);
    let (code, _, stderr) = cli.finish();
    eprintln!(
        "a capture FIFO not read: exit {code} {:?} after SIGINT",
        since.elapsed()
    );
    assert_eq!(code, 130, "{stderr}");
    assert!(
        stderr.contains("incomplete"),
        "says the capture is incomplete: {stderr}"
    );
    drop(reader);
}
