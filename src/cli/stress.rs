//! `socket-tester stress`: live figures once a second, then the report as the last line.

use std::io::Write;
use std::time::{Duration, Instant};

use crossbeam_channel::{at, select};
use serde::Serialize;

use super::args::{StressArgs, StressModeArg, StressProtocol};
use super::output::stdout_failed;
use super::plan::payload_format;
use super::signals;
use super::{EXIT_NETWORK, EXIT_OK, warn};
use crate::error::Error;
use crate::net::addr::parse_remote;
use crate::net::no_waker;
use crate::net::stress::{
    Protocol, Report, Stress, StressConfig, StressMode, Template, duration_from_seconds,
};

/// A run with neither `--duration-s` nor `--count` lasts this long.
const DEFAULT_DURATION: Duration = Duration::from_secs(10);

const PROGRESS_EVERY: Duration = Duration::from_secs(1);

pub fn run(args: &StressArgs) -> Result<i32, Error> {
    let config = config(args)?;
    let signal = signals::listen();
    let mut stress = Stress::start(config, no_waker())?;
    let mut stdout = Stdout { error: None };
    let mut stopped_by = None;
    let mut next_progress = Instant::now() + PROGRESS_EVERY;
    loop {
        select! {
            // Closes when the run has ended.
            recv(stress.finished()) -> _ => break,
            recv(signal) -> stop => {
                // The run stops at once; the report is still printed.
                stopped_by = stop.ok();
                stress.stop();
            },
            recv(at(next_progress)) -> _ => {
                if !stdout.print(&stress.report(), "progress", args.json) {
                    // Nobody reads the figures any more (`| head`): end quietly.
                    stress.stop();
                }
                next_progress += PROGRESS_EVERY;
            },
        }
    }
    let report = stress.report();
    // The report is the run's result: printed unless stdout failed already.
    if !stdout.print(&report, "report", args.json)
        && let Some(error) = &stdout.error
    {
        return Ok(stdout_failed(error));
    }
    Ok(match stopped_by {
        Some(stop) => stop.exit_code,
        None if report.error.is_some() => EXIT_NETWORK,
        // Nothing answered at all: the target is down, wrong, or never replies (then every
        // request was still waiting when the run ended, and counts neither way).
        None if report.succeeded == 0 => {
            if report.failed == 0 {
                warn(&format!(
                    "no request was answered by {} before the run ended",
                    args.target
                ));
            }
            EXIT_NETWORK
        }
        None => EXIT_OK,
    })
}

fn config(args: &StressArgs) -> Result<StressConfig, Error> {
    let format = payload_format(&args.format)?;
    let payload = Template::parse_for_stress(&args.send, format)?;
    let target = parse_remote(&args.target)?;
    let duration = match args.duration_s {
        Some(s) => Some(duration_from_seconds(s)?),
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

/// Standard output that may be closed by its reader (`| head -1`) or be full: the run goes on
/// to its end, printing nothing more.
struct Stdout {
    /// Why printing failed (nothing more is printed then).
    error: Option<std::io::Error>,
}

impl Stdout {
    /// False once printing failed.
    fn print(&mut self, report: &Report, kind: &str, json: bool) -> bool {
        let text = if json {
            // Numbers and fixed names always serialise.
            serde_json::to_string(&Line { kind, report }).unwrap_or_default()
        } else {
            format!("{kind}: {}", report.summary())
        };
        let mut out = std::io::stdout().lock();
        if self.error.is_none() {
            self.error = writeln!(out, "{text}").and_then(|()| out.flush()).err();
        }
        self.error.is_none()
    }
}
