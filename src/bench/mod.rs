//! `socket-tester bench`: the engine and the GUI's log measured against plain baselines run in
//! the same process, so each ratio holds on a noisy machine. All traffic is on 127.0.0.1 and
//! bounded in count and time.

pub mod alloc_count;
mod echo;
mod footprint;
mod ingest;
mod log_view;
mod stand_in;
mod udp_rate;

use echo::echo_rtt;
use ingest::{tcp_ingest, udp_ingest};
use log_view::{flood_frame, log_frame, log_memory};
use udp_rate::udp_lossless_rate;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::codec::TextEncoding;
use crate::gui::model::log::Log;
use crate::net::addr::HostPort;
use crate::net::{
    Destination, Event, EventKind, Responder, Session, SessionKind, TcpClientConfig, TcpOptions,
    TcpServerConfig, UdpConfig, Waker, no_waker,
};

/// One measured figure and the baseline it is compared with.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub baseline: f64,
    pub ratio: f64,
    /// "measured": the baseline ran in this same run (a plain loop, a small log); "fixed": a
    /// reference that is not measured (the payload size, a count asked for, a ceiling).
    pub baseline_is: &'static str,
}

impl Figure {
    /// A figure against a baseline measured in the same run.
    fn new(name: &'static str, value: f64, unit: &'static str, baseline: f64) -> Figure {
        let ratio = if baseline == 0.0 {
            0.0
        } else {
            value / baseline
        };
        Figure {
            name,
            value,
            unit,
            baseline,
            ratio,
            baseline_is: "measured",
        }
    }

    /// A figure against a fixed reference, said so in the report.
    fn against_reference(
        name: &'static str,
        value: f64,
        unit: &'static str,
        reference: f64,
    ) -> Figure {
        Figure {
            baseline_is: "fixed",
            ..Figure::new(name, value, unit, reference)
        }
    }
}

/// How much work each measurement does.
struct Size {
    tcp_bytes: usize,
    udp_datagrams: usize,
    round_trips: usize,
    log_rows: usize,
    clients: usize,
    idle: Duration,
    /// How long each half of flood_frame runs.
    flood: Duration,
    /// How long each trial of udp_lossless_rate sends.
    udp_trial: Duration,
}

const FULL: Size = Size {
    tcp_bytes: 2048 * 1024 * 1024,
    udp_datagrams: 200_000,
    round_trips: 2_000,
    log_rows: 1_000_000,
    clients: 1_000,
    idle: Duration::from_secs(2),
    flood: Duration::from_secs(3),
    udp_trial: Duration::from_secs(2),
};

/// A smaller run for CI: an eighth of the TCP bytes, a tenth of the datagrams, fewer round
/// trips and clients; the log keeps its million rows (its figures are per frame).
const QUICK: Size = Size {
    tcp_bytes: FULL.tcp_bytes / 8,
    udp_datagrams: FULL.udp_datagrams / 10,
    round_trips: 300,
    clients: 200,
    idle: Duration::from_millis(500),
    flood: Duration::from_secs(1),
    udp_trial: Duration::from_millis(250),
    ..FULL
};

/// Runs the measurements (those whose names start with `only`, if given); `report` is called
/// with each figure as soon as it is known.
/// The measurements' names, as `--only` takes them.
pub const MEASUREMENTS: [&str; 9] = [
    "tcp_ingest",
    "udp_ingest",
    "udp_lossless_rate",
    "echo_rtt",
    "log_frame",
    "flood_frame",
    "log_memory",
    "clients",
    "idle_",
];

/// Whether `--only NAME` picks the measurement named `prefix`.
fn picks(only: &str, prefix: &str) -> bool {
    prefix.starts_with(only) || only.starts_with(prefix)
}

/// Checks `--only NAME`: it must pick at least one measurement.
pub fn check_only(only: &str) -> Result<(), crate::Error> {
    if MEASUREMENTS.iter().any(|prefix| picks(only, prefix)) {
        return Ok(());
    }
    Err(crate::Error::InvalidSetting {
        name: "--only",
        reason: format!(
            "'{only}' names no measurement (choose from {})",
            MEASUREMENTS.join(", ")
        ),
    })
}

/// Runs the measurements `only` picks, handing each figure to `report` as it is made; stops
/// after the measurement in hand when `report` returns false (nobody reads the figures).
pub fn run(
    quick: bool,
    only: Option<&str>,
    mut report: impl FnMut(&Figure) -> bool,
) -> Vec<Figure> {
    let size = if quick { &QUICK } else { &FULL };
    // In the order of MEASUREMENTS.
    let measures: [&dyn Fn() -> Vec<Figure>; 9] = [
        &|| vec![tcp_ingest(size.tcp_bytes)],
        &|| udp_ingest(size.udp_datagrams),
        &|| vec![udp_lossless_rate(size.udp_trial)],
        &|| echo_rtt(size.round_trips),
        &|| vec![log_frame(size.log_rows)],
        &|| vec![flood_frame(size.flood)],
        &|| vec![log_memory(size.log_rows)],
        &|| vec![clients(size.clients)],
        &|| idle_wakeups(size.idle),
    ];
    let mut figures = Vec::new();
    // The most any measurement left behind once it had had time to wind down.
    let mut left = footprint::Footprint::default();
    for (prefix, measure) in MEASUREMENTS.into_iter().zip(measures) {
        if only.is_some_and(|only| !picks(only, prefix)) {
            continue;
        }
        let before = footprint::Footprint::now();
        let measured = measure();
        // The figures are what a measurement keeps on the heap by design.
        let kept = measured.capacity() * std::mem::size_of::<Figure>();
        if let Some(extra) = before.map(|before| before.settle_back(kept)) {
            left.threads = left.threads.max(extra.threads);
            left.descriptors = left.descriptors.max(extra.descriptors);
            left.heap_bytes = left.heap_bytes.max(extra.heap_bytes);
        }
        let mut go_on = true;
        for figure in measured {
            go_on &= report(&figure);
            figures.push(figure);
        }
        if !go_on {
            return figures;
        }
    }
    // Said as figures, against nothing left: a measurement that leaves threads, sockets or
    // memory behind skews the ones after it. In a release build the heap figure may hold a
    // hundred bytes or so of statics made on first use (the same measurement run again leaves
    // none); a queue or a buffer left behind would show as kilobytes. A debug build's also
    // holds egui's debug-only record of every widget id it made (megabytes after the frames).
    for (name, value, unit) in [
        ("left_behind_threads", left.threads, "count"),
        ("left_behind_descriptors", left.descriptors, "count"),
        ("left_behind_heap_bytes", left.heap_bytes, "bytes"),
    ] {
        let figure = Figure::against_reference(name, value as f64, unit, 0.0);
        if !report(&figure) {
            break;
        }
        figures.push(figure);
    }
    figures
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn target(addr: SocketAddr) -> HostPort {
    HostPort {
        host: addr.ip().to_string(),
        port: addr.port(),
    }
}

fn wait_listening(session: &Session) -> Option<SocketAddr> {
    session.events().iter().find_map(|event| match event.kind {
        EventKind::Listening { local } => Some(local),
        EventKind::Stopped => Some(loopback()),
        _ => None,
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// Raises the open-file limit to its hard maximum where the OS allows (1,000 clients need
/// about 2,000 descriptors).
fn raise_fd_limit() {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0
                && limit.rlim_cur < limit.rlim_max
            {
                limit.rlim_cur = limit.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
}

/// The engine's echo, as `tcp-server --echo` and the window's Echo switch use it.
fn echo_responder() -> Responder {
    // Echo with no rules compiles nothing that can fail.
    Responder::new(&[], true, TextEncoding::Utf8).expect("echo alone is valid")
}

/// Concurrent TCP clients of one server session, each doing an echo round trip.
fn clients(count: usize) -> Figure {
    raise_fd_limit();
    let server =
        Session::tcp_server(TcpServerConfig::new(loopback()), no_waker()).expect("start a server");
    let addr = wait_listening(&server).unwrap_or(loopback());
    server
        .set_responder(Some(echo_responder()))
        .expect("the session takes its rules");
    server.settle();
    let echo = thread::spawn(move || {
        let mut log = Log::new(TextEncoding::Utf8, true);
        while let Ok(event) = server.events().recv_timeout(Duration::from_secs(3)) {
            log.push_event(event);
        }
    });
    let mut streams: Vec<TcpStream> = (0..count)
        .filter_map(|_| TcpStream::connect(addr).ok())
        .collect();
    let mut served = 0;
    for (i, stream) in streams.iter_mut().enumerate() {
        let _ = stream.write_all(format!("client {i:05}").as_bytes());
    }
    for (i, stream) in streams.iter_mut().enumerate() {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut back = [0u8; 12];
        if stream.read_exact(&mut back).is_ok() && back == *format!("client {i:05}").as_bytes() {
            served += 1;
        }
    }
    drop(streams);
    let _ = echo.join();
    Figure::against_reference("clients", served as f64, "clients", count as f64)
}

/// Voluntary context switches of every thread of this process: each is a thread waking up.
fn thread_wakeups() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .filter_map(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .and_then(|n| n.trim().parse::<u64>().ok())
        })
        .sum()
}

/// Waker calls and thread wake-ups per second while a session of each kind is open and
/// silent. Baselines: a worker polling with a 100 ms timeout (10 a second), three of them.
fn idle_wakeups(idle: Duration) -> Vec<Figure> {
    let calls = Arc::new(AtomicU64::new(0));
    let waker: Waker = {
        let calls = calls.clone();
        Arc::new(move || {
            calls.fetch_add(1, Ordering::Relaxed);
        })
    };
    let server = Session::tcp_server(TcpServerConfig::new(loopback()), waker.clone())
        .expect("start a server");
    let addr = wait_listening(&server).unwrap_or(loopback());
    let client = Session::tcp_client(TcpClientConfig::new(target(addr)), waker.clone())
        .expect("start a client");
    let udp = Session::udp(UdpConfig::new(loopback()), waker).expect("bind a UDP session");
    let _ = client
        .events()
        .iter()
        .find(|e| matches!(e.kind, EventKind::Connected { .. } | EventKind::Stopped));
    let _ = udp
        .events()
        .iter()
        .find(|e| matches!(e.kind, EventKind::Listening { .. } | EventKind::Stopped));
    let _ = server
        .events()
        .iter()
        .find(|e| matches!(e.kind, EventKind::Accepted { .. } | EventKind::Stopped));
    // Let start-up settle, then count over a silent window.
    thread::sleep(Duration::from_millis(100));
    let (calls_before, wakeups_before) = (calls.load(Ordering::Relaxed), thread_wakeups());
    thread::sleep(idle);
    let (calls_after, wakeups_after) = (calls.load(Ordering::Relaxed), thread_wakeups());
    let seconds = idle.as_secs_f64();
    // This thread's own sleep is one wake-up; the rest are the sessions' threads.
    let turns = wakeups_after
        .saturating_sub(wakeups_before)
        .saturating_sub(1);
    // References: ceilings for an idle app (a frame or a thread turn now and then).
    vec![
        Figure::against_reference(
            "idle_wakeups",
            (calls_after - calls_before) as f64 / seconds,
            "waker calls/s",
            10.0,
        ),
        Figure::against_reference(
            "idle_loop_turns",
            turns as f64 / seconds,
            "thread wake-ups/s",
            30.0,
        ),
    ]
}
