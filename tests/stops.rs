//! Every stop stops (issue 25): each mode and each job, with its queues full and a peer that
//! does not read, ends when told to, and leaves no thread behind.
//!
//! The engine's table (rows in `stops/rows.rs`) drops each running session and job (what the
//! window does), or stops it taking its events to the last (what the command line does), and
//! counts the process's threads until they are back where they started; `stops_cli.rs` sends
//! SIGINT to the command line's modes. Each row prints how long its stop took against the
//! 500 ms goal (docs/RELIABILITY.md gives the figures); the assertion is only that it ends, with
//! a deadline far above them, so a loaded machine does not fail a working stop.

mod common;
#[path = "stops/rows.rs"]
mod rows;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{TempDir, listening, wait_for};
use rows::{Running, Target};
use socket_tester::net::addr::parse_host_port;
use socket_tester::net::{EventKind, Session, TcpClientConfig, TcpServerConfig, no_waker};

/// How long a stop may take before the test calls it a hang (the figures are milliseconds).
const HANG: Duration = Duration::from_secs(5);

/// What a stop should take (issue 25); a row past it says so, but only a hang fails.
const GOAL: Duration = Duration::from_millis(500);

/// The thread count is the process's: the rows run one at a time, and apart from the other
/// tests of this file.
static ALONE: Mutex<()> = Mutex::new(());

fn alone() -> Alone {
    let guard = ALONE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Alone {
        baseline: threads(),
        _guard: guard,
    }
}

/// A test's hold on the process: when it ends, it waits until the threads it started have
/// ended too, so the next test's count starts from the process as it was (a session dropped
/// as the window drops it ends its threads after the drop returns).
struct Alone {
    baseline: Option<usize>,
    _guard: std::sync::MutexGuard<'static, ()>,
}

impl Drop for Alone {
    fn drop(&mut self) {
        if let Some(baseline) = self.baseline
            && !std::thread::panicking()
        {
            threads_back_to(baseline, "the test's own threads", Instant::now());
        }
    }
}

/// The process's threads now, but the test harness's and the peers' floods (Linux); None
/// elsewhere.
fn threads() -> Option<usize> {
    std::fs::read_dir("/proc/self/task").ok()?;
    let harness = |name: &String| {
        name == common::FLOOD_THREAD || TESTS.iter().any(|test| test.starts_with(name.as_str()))
    };
    Some(thread_names().iter().filter(|name| !harness(name)).count())
}

/// The tests of this file: the harness runs each on a thread named after it (cut to 15
/// bytes), which come and go as they wait for each other; they are not counted.
const TESTS: &[&str] = &[
    "dropping_any_running_session_returns_at_once_and_leaves_no_thread",
    "stopping_any_running_session_ends_with_stopped_and_leaves_no_thread",
    "a_stop_cuts_a_trickled_tls_handshake_short",
    "a_trickled_tls_handshake_times_out_in_words",
    "pending_tls_handshakes_count_against_the_cap",
    "the_window_thread_never_waits_while_sessions_stop",
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

/// How a row's run is ended.
#[derive(Clone, Copy)]
enum Stop {
    /// Drop the jobs and the session, as the window does: returns at once, threads end after.
    Drop,
    /// `stop_and_drain`, as the command line does: `Stopped` is the last event (a stress run,
    /// which has no events, is stopped and waited for).
    StopAndDrain,
}

/// Ends `running` the way `how` says and returns what the row prints.
fn end(running: Running, how: Stop, row: &str) -> String {
    let since = Instant::now();
    match (how, running.target) {
        (Stop::Drop, target) => {
            drop(running.jobs);
            drop(target);
            let returned = since.elapsed();
            assert!(returned < HANG, "{row}: the drop took {returned:?}");
            format!("the drop returned in {returned:?}")
        }
        (Stop::StopAndDrain, Target::Session(session)) => {
            let mut last = None;
            session.stop_and_drain(|event| last = Some(event.kind));
            let stopped = since.elapsed();
            assert!(stopped < HANG, "{row}: the stop took {stopped:?}");
            assert!(
                matches!(last, Some(EventKind::Stopped)),
                "{row}: the last event is Stopped, not {last:?}"
            );
            drop(running.jobs);
            format!("stopped in {stopped:?}{}", over_the_goal(stopped))
        }
        (Stop::StopAndDrain, Target::Stress(mut stress)) => {
            stress.stop();
            assert!(stress.wait(HANG), "{row}: the run did not end in {HANG:?}");
            let stopped = since.elapsed();
            assert!(!stress.report().running, "{row}: {:?}", stress.report());
            format!("stopped in {stopped:?}{}", over_the_goal(stopped))
        }
    }
}

fn over_the_goal(took: Duration) -> &'static str {
    if took > GOAL {
        " (over the 500 ms goal)"
    } else {
        ""
    }
}

/// The one loop of both tables: each row set running, its queues left to fill, ended `how`,
/// and its threads counted back to where they were.
fn every_row(how: Stop) {
    let _alone = alone();
    let Some(baseline) = threads() else {
        eprintln!("SKIPPED: no /proc/self/task to count threads on this system");
        return;
    };
    for (row, start) in rows::all() {
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
        let words = end(running, how, row);
        let ended = threads_back_to(baseline, row, since);
        drop(peers);
        eprintln!(
            "{row}: {words}; {} threads ended in {ended:?}{}",
            before - baseline,
            over_the_goal(ended)
        );
    }
}

#[test]
fn dropping_any_running_session_returns_at_once_and_leaves_no_thread() {
    every_row(Stop::Drop);
}

#[test]
fn stopping_any_running_session_ends_with_stopped_and_leaves_no_thread() {
    every_row(Stop::StopAndDrain);
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
    // As the window does: in this (debug) build an engine lock taken on this thread panics.
    socket_tester::net::mark_front_end_thread();
    let dir = TempDir::new("stops-window");
    let fifo = dir.fifo("never-written.fifo");
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
    let mut python = common::Python::start(
        rows::PYTHON_TLS_CLIENT_THAT_DOES_NOT_READ,
        &[&port.to_string()],
    )
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
