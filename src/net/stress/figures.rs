//! What a stress run counts, and the report made from it (live and at the end).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Connect,
    Send,
    TimedOut,
    ClosedByPeer,
}

/// Counters shared by every client of a run; latencies go to histograms (microseconds).
#[derive(Default)]
pub(crate) struct Tally {
    sent: AtomicU64,
    succeeded: AtomicU64,
    connect_failed: AtomicU64,
    send_failed: AtomicU64,
    timed_out: AtomicU64,
    closed_by_peer: AtomicU64,
    active: AtomicU64,
    bytes_out: AtomicU64,
    bytes_in: AtomicU64,
    latency: Mutex<Latencies>,
}

struct Latencies {
    /// The whole run.
    total: Histogram<u64>,
    /// Since the last sample, for the p99 line of the live plot.
    recent: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Latencies {
        // 1 µs to 1 hour at 3 significant digits; these bounds are valid, so `new` cannot fail.
        let histogram = || Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds");
        Latencies {
            total: histogram(),
            recent: histogram(),
        }
    }
}

impl Tally {
    pub fn attempt(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Un-counts a request that stop cut short: it neither succeeded nor failed.
    pub fn cancel(&self) {
        self.sent.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn succeed(&self, round_trip: Option<Duration>) {
        if let Some(rtt) = round_trip {
            let micros = (rtt.as_micros() as u64).max(1);
            let mut latency = self.latency.lock().unwrap_or_else(|p| p.into_inner());
            // Saturating records clamp values past the top bound instead of failing.
            latency.total.saturating_record(micros);
            latency.recent.saturating_record(micros);
        }
        // After the latency, so a report that sees the success also sees its round trip.
        self.succeeded.fetch_add(1, Ordering::Release);
    }

    pub fn fail(&self, why: Failure) {
        let counter = match why {
            Failure::Connect => &self.connect_failed,
            Failure::Send => &self.send_failed,
            Failure::TimedOut => &self.timed_out,
            Failure::ClosedByPeer => &self.closed_by_peer,
        };
        counter.fetch_add(1, Ordering::Release);
    }

    pub fn connection_opened(&self) {
        self.active.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection_closed(&self) {
        self.active.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn wrote(&self, n: usize) {
        self.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn read(&self, n: usize) {
        self.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn succeeded(&self) -> u64 {
        self.succeeded.load(Ordering::Acquire)
    }

    /// The p99 of round trips since the last call, in microseconds (0 when none).
    pub fn take_recent_p99(&self) -> u64 {
        let mut latency = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        let p99 = if latency.recent.is_empty() {
            0
        } else {
            latency.recent.value_at_quantile(0.99)
        };
        latency.recent.reset();
        p99
    }

    /// The figures now; `timeline` and `elapsed` come from the run.
    pub fn report(&self, elapsed: Duration, timeline: &[Sample], running: bool) -> Report {
        let load = |c: &AtomicU64| c.load(Ordering::Acquire);
        let failures = Failures {
            connect_failed: load(&self.connect_failed),
            send_failed: load(&self.send_failed),
            timed_out: load(&self.timed_out),
            closed_by_peer: load(&self.closed_by_peer),
        };
        let latency = {
            let latency = self.latency.lock().unwrap_or_else(|p| p.into_inner());
            let total = &latency.total;
            (!total.is_empty()).then(|| LatencyFigures {
                p50_us: total.value_at_quantile(0.50),
                p95_us: total.value_at_quantile(0.95),
                p99_us: total.value_at_quantile(0.99),
                max_us: total.max(),
                mean_us: total.mean(),
            })
        };
        let succeeded = load(&self.succeeded);
        let seconds = elapsed.as_secs_f64();
        Report {
            running,
            elapsed_s: seconds,
            sent: load(&self.sent),
            succeeded,
            failed: failures.total(),
            failures,
            active: load(&self.active),
            bytes_out: load(&self.bytes_out),
            bytes_in: load(&self.bytes_in),
            qps_now: timeline.last().map_or(0.0, |s| s.qps),
            qps_peak: timeline.iter().map(|s| s.qps).fold(0.0, f64::max),
            qps_mean: if seconds > 0.0 {
                succeeded as f64 / seconds
            } else {
                0.0
            },
            latency,
            error: None,
        }
    }
}

/// One point of the live plot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    /// Seconds since the start.
    pub at_s: f64,
    /// Requests that succeeded per second since the previous sample.
    pub qps: f64,
    /// p99 round trip since the previous sample, µs (0: none).
    pub p99_us: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Failures {
    pub connect_failed: u64,
    pub send_failed: u64,
    pub timed_out: u64,
    pub closed_by_peer: u64,
}

impl Failures {
    pub fn total(&self) -> u64 {
        self.connect_failed + self.send_failed + self.timed_out + self.closed_by_peer
    }
}

/// Round-trip percentiles in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyFigures {
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    pub mean_us: f64,
}

/// The figures of a run. `sent` counts requests begun; once the run is over,
/// `sent = succeeded + failed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub running: bool,
    pub elapsed_s: f64,
    pub sent: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub failures: Failures,
    /// Connections open now.
    pub active: u64,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub qps_now: f64,
    pub qps_peak: f64,
    pub qps_mean: f64,
    /// None when no round trip was measured (throughput mode, or nothing succeeded).
    pub latency: Option<LatencyFigures>,
    /// Why the run could not start (the target did not resolve, no threads left).
    pub error: Option<String>,
}

impl Report {
    /// One JSON object on one line.
    pub fn to_json(&self) -> String {
        // Plain numbers and strings always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `figure,value` rows, for a spreadsheet.
    pub fn to_csv(&self) -> String {
        let mut csv = String::from("figure,value\n");
        for (name, value) in self.figures() {
            csv.push_str(&format!("{name},{value}\n"));
        }
        csv
    }

    /// Every figure by name, in the order people read them.
    pub fn figures(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![
            ("elapsed_s", format!("{:.3}", self.elapsed_s)),
            ("sent", self.sent.to_string()),
            ("succeeded", self.succeeded.to_string()),
            ("failed", self.failed.to_string()),
            ("connect_failed", self.failures.connect_failed.to_string()),
            ("send_failed", self.failures.send_failed.to_string()),
            ("timed_out", self.failures.timed_out.to_string()),
            ("closed_by_peer", self.failures.closed_by_peer.to_string()),
            ("active", self.active.to_string()),
            ("bytes_out", self.bytes_out.to_string()),
            ("bytes_in", self.bytes_in.to_string()),
            ("qps_now", format!("{:.1}", self.qps_now)),
            ("qps_peak", format!("{:.1}", self.qps_peak)),
            ("qps_mean", format!("{:.1}", self.qps_mean)),
        ];
        if let Some(l) = &self.latency {
            rows.extend([
                ("p50_us", l.p50_us.to_string()),
                ("p95_us", l.p95_us.to_string()),
                ("p99_us", l.p99_us.to_string()),
                ("max_us", l.max_us.to_string()),
                ("mean_us", format!("{:.1}", l.mean_us)),
            ]);
        }
        rows
    }

    /// One line for a terminal.
    pub fn summary(&self) -> String {
        let latency = self.latency.map_or(String::new(), |l| {
            format!(
                " · rtt p50 {} p95 {} p99 {} max {}",
                micros(l.p50_us),
                micros(l.p95_us),
                micros(l.p99_us),
                micros(l.max_us)
            )
        });
        if let Some(error) = &self.error {
            return format!("could not run: {error}");
        }
        let f = &self.failures;
        format!(
            "{:.1}s · sent {} ok {} failed {} (connect {}, send {}, timeout {}, closed {}) · qps {:.0} peak {:.0} · {} conns · out {} B in {} B{latency}",
            self.elapsed_s,
            self.sent,
            self.succeeded,
            self.failed,
            f.connect_failed,
            f.send_failed,
            f.timed_out,
            f.closed_by_peer,
            self.qps_now,
            self.qps_peak,
            self.active,
            self.bytes_out,
            self.bytes_in,
        )
    }
}

/// A round trip for people: µs below a millisecond, ms with decimals above.
pub fn micros(us: u64) -> String {
    if us < 1000 {
        format!("{us} µs")
    } else {
        format!("{:.2} ms", us as f64 / 1000.0)
    }
}
