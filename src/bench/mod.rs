//! `socket-tester bench`: the engine and the GUI's log measured against plain baselines run in
//! the same process, so each ratio holds on a noisy machine. All traffic is on 127.0.0.1 and
//! bounded in count and time.

pub mod alloc_count;
mod log_view;
mod udp_rate;

use log_view::{flood_frame, log_frame, log_memory};
use udp_rate::udp_lossless_rate;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

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
    tcp_bytes: 512 * 1024 * 1024,
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
    for (prefix, measure) in MEASUREMENTS.into_iter().zip(measures) {
        if only.is_some_and(|only| !picks(only, prefix)) {
            continue;
        }
        let mut go_on = true;
        for figure in measure() {
            go_on &= report(&figure);
            figures.push(figure);
        }
        if !go_on {
            break;
        }
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

/// Writes `bytes` to `addr` as fast as the socket takes them, from its own thread.
fn firehose(addr: SocketAddr, bytes: usize) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let Ok(mut stream) = TcpStream::connect(addr) else {
            return;
        };
        let chunk = vec![0x5Au8; 64 * 1024];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len());
            if stream.write_all(&chunk[..n]).is_err() {
                return;
            }
            left -= n;
        }
    })
}

fn wait_listening(session: &Session) -> Option<SocketAddr> {
    session.events().iter().find_map(|event| match event.kind {
        EventKind::Listening { local } => Some(local),
        EventKind::Stopped => Some(loopback()),
        _ => None,
    })
}

/// Bytes per second a TCP server session takes in and hands to the GUI's log model, against a
/// plain read loop into a 64 KiB buffer.
fn tcp_ingest(bytes: usize) -> Figure {
    let baseline = {
        let listener = TcpListener::bind(loopback()).expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let start = Instant::now();
        let writer = firehose(addr, bytes);
        let mut total = 0;
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n @ 1..) = stream.read(&mut buf) {
                total += n;
            }
        }
        let _ = writer.join();
        total as f64 / start.elapsed().as_secs_f64()
    };
    let ours = {
        let server = Session::tcp_server(TcpServerConfig::new(loopback()), no_waker())
            .expect("start a server");
        let addr = wait_listening(&server).unwrap_or(loopback());
        let mut log = Log::new(TextEncoding::Utf8, true);
        let start = Instant::now();
        let writer = firehose(addr, bytes);
        let mut total = 0;
        while total < bytes {
            let Ok(event) = server.events().recv_timeout(Duration::from_secs(10)) else {
                break;
            };
            total += event.kind.received_len();
            log.push_event(event);
        }
        let _ = writer.join();
        total as f64 / start.elapsed().as_secs_f64()
    };
    Figure::new("tcp_ingest", ours, "bytes/s", baseline)
}

/// Sends `count` 64-byte datagrams to `to` as fast as possible; returns how many were sent.
fn udp_flood(to: SocketAddr, count: usize) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let Ok(socket) = UdpSocket::bind(loopback()) else {
            return 0;
        };
        let payload = [0xA5u8; 64];
        (0..count)
            .filter(|_| socket.send_to(&payload, to).is_ok())
            .count()
    })
}

/// How long the receivers wait for one more datagram before the flood counts as over.
const UDP_QUIET: Duration = Duration::from_millis(300);

/// 64-byte datagrams per second received through a UDP session into the log model, against a
/// plain `recv_from` loop; also the datagrams each lost.
fn udp_ingest(count: usize) -> Vec<Figure> {
    let (base_rate, base_loss) = {
        let socket = UdpSocket::bind(loopback()).expect("bind 127.0.0.1");
        let _ = socket.set_read_timeout(Some(UDP_QUIET));
        let sender = udp_flood(socket.local_addr().expect("local address"), count);
        let mut buf = [0u8; 2048];
        let (mut received, mut first, mut last) = (0usize, None, Instant::now());
        while socket.recv_from(&mut buf).is_ok() {
            received += 1;
            last = Instant::now();
            first.get_or_insert(last);
        }
        let sent = sender.join().unwrap_or(count);
        let seconds = first.map_or(1.0, |f| last.duration_since(f).as_secs_f64().max(1e-6));
        (
            received as f64 / seconds,
            sent.saturating_sub(received) as f64,
        )
    };
    let (rate, loss, dropped) = {
        let session =
            Session::udp(UdpConfig::new(loopback()), no_waker()).expect("bind a UDP session");
        let addr = wait_listening(&session).unwrap_or(loopback());
        let mut log = Log::new(TextEncoding::Utf8, false);
        let sender = udp_flood(addr, count);
        let (mut received, mut first, mut last) = (0usize, None, Instant::now());
        while let Ok(event) = session.events().recv_timeout(UDP_QUIET) {
            if let EventKind::Received { messages, .. } = &event.kind {
                received += messages.len();
                last = Instant::now();
                first.get_or_insert(last);
            }
            log.push_event(event);
        }
        let sent = sender.join().unwrap_or(count);
        let seconds = first.map_or(1.0, |f| last.duration_since(f).as_secs_f64().max(1e-6));
        (
            received as f64 / seconds,
            sent.saturating_sub(received) as f64,
            session.totals().kernel_dropped as f64,
        )
    };
    vec![
        Figure::new("udp_ingest", rate, "datagrams/s", base_rate),
        // Counts can be 0: the ratio adds one to each side so it stays finite and fair.
        Figure {
            ratio: (loss + 1.0) / (base_loss + 1.0),
            ..Figure::new("udp_loss", loss, "datagrams", base_loss)
        },
        // Every datagram lost should be one the session counted as dropped by the kernel
        // (Linux): 1.0 when each loss is accounted for, also when there were none.
        Figure {
            ratio: if loss == 0.0 { 1.0 } else { dropped / loss },
            ..Figure::new("udp_kernel_drops", dropped, "datagrams", loss)
        },
    ]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// Round trips of 64 bytes through a TCP client session and a server session that echoes,
/// against two plain sockets doing the same.
fn echo_rtt(round_trips: usize) -> Vec<Figure> {
    let message = [0x42u8; 64];
    let baseline = {
        let listener = TcpListener::bind(loopback()).expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let echo = thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_nodelay(true);
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buf) {
                if stream.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        });
        let mut rtts = Vec::with_capacity(round_trips);
        if let Ok(mut stream) = TcpStream::connect(addr) {
            let _ = stream.set_nodelay(true);
            let mut back = [0u8; 64];
            for _ in 0..round_trips {
                let start = Instant::now();
                if stream.write_all(&message).is_err() || stream.read_exact(&mut back).is_err() {
                    break;
                }
                rtts.push(start.elapsed().as_secs_f64() * 1e6);
            }
        }
        let _ = echo.join();
        rtts
    };
    let ours = {
        let options = TcpOptions {
            nodelay: true,
            ..TcpOptions::default()
        };
        let mut server_config = TcpServerConfig::new(loopback());
        server_config.options = options.clone();
        let server = Session::tcp_server(server_config, no_waker()).expect("start a server");
        let addr = wait_listening(&server).unwrap_or(loopback());
        server.set_responder(Some(echo_responder()));
        let echo = thread::spawn(move || {
            for event in server.events().iter() {
                if let EventKind::Closed { .. } | EventKind::Stopped = event.kind {
                    return;
                }
            }
        });
        let mut client_config = TcpClientConfig::new(target(addr));
        client_config.options = options;
        let client = Session::tcp_client(client_config, no_waker()).expect("start a client");
        let mut rtts = Vec::with_capacity(round_trips);
        let connected = client
            .events()
            .iter()
            .find(|e| matches!(e.kind, EventKind::Connected { .. } | EventKind::Stopped))
            .is_some_and(|e| matches!(e.kind, EventKind::Connected { .. }));
        if connected {
            'trips: for _ in 0..round_trips {
                let start = Instant::now();
                if client.send(Destination::Default, message.to_vec()).is_err() {
                    break 'trips;
                }
                let mut got = 0;
                while got < message.len() {
                    match client.events().recv_timeout(Duration::from_secs(5)) {
                        Ok(event) => got += event.kind.received_len(),
                        Err(_) => break 'trips,
                    }
                }
                rtts.push(start.elapsed().as_secs_f64() * 1e6);
            }
        }
        client.stop();
        let _ = echo.join();
        rtts
    };
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    let (baseline, ours) = (sorted(baseline), sorted(ours));
    vec![
        Figure::new(
            "echo_rtt_p50",
            percentile(&ours, 0.50),
            "µs",
            percentile(&baseline, 0.50),
        ),
        Figure::new(
            "echo_rtt_p99",
            percentile(&ours, 0.99),
            "µs",
            percentile(&baseline, 0.99),
        ),
    ]
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
    server.set_responder(Some(echo_responder()));
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
