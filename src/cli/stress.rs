//! `socket-tester stress`: live figures once a second, then the report as the last line.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::args::{StressArgs, StressModeArg, StressProtocol};
use super::plan::payload_format;
use super::{EXIT_NETWORK, EXIT_OK};
use crate::error::Error;
use crate::net::addr::parse_remote;
use crate::net::no_waker;
use crate::net::stress::{Protocol, Report, Stress, StressConfig, StressMode, Template};

/// A run with neither `--duration-s` nor `--count` lasts this long.
const DEFAULT_DURATION: Duration = Duration::from_secs(10);

const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Set by Ctrl+C: the run stops and the report is still printed.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Release);
}

pub fn run(args: &StressArgs) -> Result<i32, Error> {
    let config = config(args)?;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_interrupt as *const () as libc::sighandler_t,
        )
    };
    let mut stress = Stress::start(config, no_waker())?;
    let mut next_progress = Instant::now() + PROGRESS_EVERY;
    // Short waits so Ctrl+C is noticed quickly; the run itself never polls.
    while !stress.wait(Duration::from_millis(100)) {
        if INTERRUPTED.load(Ordering::Acquire) {
            stress.stop();
        }
        if Instant::now() >= next_progress {
            print(&stress.report(), "progress", args.json);
            next_progress += PROGRESS_EVERY;
        }
    }
    let report = stress.report();
    print(&report, "report", args.json);
    // Nothing answered at all: the target is down or wrong.
    Ok(
        if report.error.is_some() || (report.succeeded == 0 && report.failed > 0) {
            EXIT_NETWORK
        } else {
            EXIT_OK
        },
    )
}

fn config(args: &StressArgs) -> Result<StressConfig, Error> {
    let format = payload_format(&args.format)?;
    let payload = Template::parse(&args.send, format)?;
    let target = parse_remote(&args.target)?;
    let duration = match args.duration_s {
        Some(s) if !(s.is_finite() && s > 0.0 && s < 1e9) => {
            return Err(Error::InvalidSetting {
                name: "--duration-s",
                reason: format!("{s} must be a number of seconds above 0"),
            });
        }
        Some(s) => Some(Duration::from_secs_f64(s)),
        None => args.count.is_none().then_some(DEFAULT_DURATION),
    };
    let config = StressConfig {
        protocol: match args.protocol {
            StressProtocol::Tcp => Protocol::Tcp,
            StressProtocol::Udp => Protocol::Udp,
        },
        target,
        clients: args.clients as usize,
        short_connections: args.short,
        mode: match args.mode {
            StressModeArg::PingPong => StressMode::PingPong,
            StressModeArg::Throughput => StressMode::Throughput,
        },
        rate: args.rate,
        duration,
        count: args.count,
        payload,
        timeout: Duration::from_millis(args.timeout_ms),
    };
    config.check()?;
    Ok(config)
}

#[derive(Serialize)]
struct Line<'a> {
    kind: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

fn print(report: &Report, kind: &str, json: bool) {
    if json {
        // Numbers and fixed names always serialise.
        println!(
            "{}",
            serde_json::to_string(&Line { kind, report }).unwrap_or_default()
        );
    } else {
        println!("{kind}: {}", report.summary());
    }
}
