//! Stress runs: many clients against one server at a set rate, with live figures.
//!
//! One thread per client owns its blocking socket; a monitor thread samples the figures twice a
//! second and wakes the GUI (the waker fires once per sample, never while nothing runs). Stop
//! shuts every socket down, which ends blocked reads at once.

mod client;
mod figures;
mod pacer;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};
use socket2::Socket;

use crate::error::Error;
use crate::net::Waker;
use crate::net::addr::{HostPort, resolve};
use crate::net::stoppable::Stoppable;

pub use crate::codec::template::Template;
pub use figures::{Failures, LatencyFigures, Report, Sample, micros};

use client::Client;
use figures::Tally;
use pacer::Pacer;

/// Most clients one run may start (each is a thread).
pub const MAX_STRESS_CLIENTS: usize = 10_000;

/// Time between two samples of the live figures.
const SAMPLE_EVERY: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Protocol {
    Tcp,
    Udp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StressMode {
    /// Send, wait for the reply, measure the round trip.
    PingPong,
    /// Send only, as the rate allows.
    Throughput,
}

/// The slowest rate a run takes (one request in 1,000 s) and the fastest (beyond what one
/// machine can pace); outside them the pacer's interval would not be a usable time.
pub const MIN_RATE: f64 = 0.001;
pub const MAX_RATE: f64 = 10_000_000.0;

#[derive(Debug, Clone)]
pub struct StressConfig {
    pub protocol: Protocol,
    /// Resolved when the run starts, on its own thread.
    pub target: HostPort,
    pub clients: usize,
    /// TCP: a new connection for every request (short) or one per client (long).
    pub short_connections: bool,
    pub mode: StressMode,
    /// Requests per second over all clients; None: as fast as they go.
    pub rate: Option<f64>,
    /// The run ends after this long, or after `count` requests, whichever comes first.
    pub duration: Option<Duration>,
    pub count: Option<u64>,
    pub payload: Template,
    /// How long to wait for a connection or a reply before counting a failure.
    pub timeout: Duration,
}

/// The longest run a duration may ask for: about 31 years, past any real run but still a time
/// an `Instant` can hold.
const LONGEST_RUN_S: f64 = 1e9;

/// A run's duration as typed in seconds: the one check the Stress tab and `stress` share.
pub fn duration_from_seconds(seconds: f64) -> Result<Duration, Error> {
    if seconds.is_finite() && seconds > 0.0 && seconds < LONGEST_RUN_S {
        return Ok(Duration::from_secs_f64(seconds));
    }
    Err(Error::InvalidSetting {
        name: "duration",
        reason: format!("{seconds} must be a number of seconds above 0"),
    })
}

impl StressConfig {
    /// Checks the numbers; `Stress::start` does too, so a bad run never begins.
    pub fn check(&self) -> Result<(), Error> {
        if !(1..=MAX_STRESS_CLIENTS).contains(&self.clients) {
            return Err(Error::InvalidSetting {
                name: "clients",
                reason: format!("must be from 1 to {MAX_STRESS_CLIENTS}"),
            });
        }
        if self
            .rate
            .is_some_and(|r| !(MIN_RATE..=MAX_RATE).contains(&r))
        {
            return Err(Error::InvalidSetting {
                name: "rate",
                reason: format!(
                    "must be from {MIN_RATE} to {} messages per second",
                    MAX_RATE as u64
                ),
            });
        }
        if self.duration.is_none() && self.count.is_none() {
            return Err(Error::InvalidSetting {
                name: "duration",
                reason: "or count is needed: a run must end".into(),
            });
        }
        if self.duration.is_some_and(|d| d.is_zero()) || self.count == Some(0) {
            return Err(Error::InvalidSetting {
                name: "duration",
                reason: "and count must be above 0".into(),
            });
        }
        if self.timeout.is_zero() {
            return Err(Error::InvalidSetting {
                name: "timeout",
                reason: "must be at least 1 ms".into(),
            });
        }
        Ok(())
    }
}

/// What the clients of one run share.
pub(crate) struct Run {
    pub config: StressConfig,
    pub tally: Tally,
    pub pacer: Pacer,
    pub started: Instant,
    /// Clients start sending together, once each has connected (or failed to): the coordinator
    /// drops the gate's sender then, and each client's wait on it returns.
    gate: Receiver<()>,
    stopping: AtomicBool,
    /// Disconnected by stop: sleeping clients wake at once.
    stop_rx: Receiver<()>,
    /// Each client's open socket, so stop can shut them all down.
    sockets: Mutex<Vec<Option<Socket>>>,
}

impl Run {
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Blocks until every client is ready to send.
    pub fn wait_for_all_clients(&self) {
        // Nothing is sent on the gate: this returns when its sender is dropped.
        let _ = self.gate.recv();
    }

    /// Sleeps until `at`; false when the run was stopped meanwhile.
    pub fn sleep_until(&self, at: Instant) -> bool {
        let wait = at.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            return !self.stopping();
        }
        // Only stop disconnects the channel; nothing is ever sent on it.
        self.stop_rx.recv_timeout(wait).is_err() && !self.stopping()
    }

    /// Records client `index`'s socket (a duplicate handle) so stop can wake its blocked call.
    /// False if the run is stopping: the client should end.
    pub fn register(&self, index: usize, socket: Option<Socket>) -> bool {
        let mut sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        sockets[index] = socket;
        !self.stopping()
    }

    fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        let sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        for socket in sockets.iter().flatten() {
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// A running stress test. Dropping it stops the run and joins its threads.
pub struct Stress {
    run: Arc<Run>,
    stop_tx: Option<Sender<()>>,
    /// Live plot points, the end time, and why the run could not start (if so).
    outcome: Arc<Mutex<Outcome>>,
    done: Receiver<()>,
}

#[derive(Default)]
struct Outcome {
    timeline: Vec<Sample>,
    ended: Option<Duration>,
    error: Option<Error>,
}

impl Stress {
    /// Checks the settings and starts the run; resolving the target and starting the clients
    /// happen on the run's own thread, so this never blocks.
    pub fn start(config: StressConfig, waker: Waker) -> Result<Stress, Error> {
        config.check()?;
        let (stop_tx, stop_rx) = bounded::<()>(0);
        let (gate_tx, gate) = bounded::<()>(0);
        let clients = config.clients;
        let run = Arc::new(Run {
            pacer: Pacer::new(config.rate, config.count),
            config,
            tally: Tally::default(),
            started: Instant::now(),
            gate,
            stopping: AtomicBool::new(false),
            stop_rx,
            sockets: Mutex::new((0..clients).map(|_| None).collect()),
        });
        let outcome = Arc::new(Mutex::new(Outcome::default()));
        let (done_tx, done) = bounded::<()>(0);
        // Detached: `finished` says when it ends, and nothing waits for it.
        {
            let (run, outcome) = (run.clone(), outcome.clone());
            Stoppable::spawn("stress", move |_| {
                let error = coordinate(&run, gate_tx, &outcome, &waker).err();
                let mut outcome = outcome.lock().unwrap_or_else(|p| p.into_inner());
                outcome.ended = Some(run.started.elapsed());
                outcome.error = error;
                drop(outcome);
                drop(done_tx);
                waker();
            })?;
        }
        Ok(Stress {
            run,
            stop_tx: Some(stop_tx),
            outcome,
            done,
        })
    }

    /// Ends the run early; clients finish the request in hand (a blocked one ends at once).
    pub fn stop(&mut self) {
        self.run.stop();
        self.stop_tx = None;
    }

    /// Disconnects (a receive returns at once) when the run has ended.
    pub fn finished(&self) -> &Receiver<()> {
        &self.done
    }

    pub fn is_finished(&self) -> bool {
        self.outcome().ended.is_some()
    }

    /// Waits up to `timeout` for the run to end; true once it has.
    pub fn wait(&self, timeout: Duration) -> bool {
        // The coordinator drops its sender when it ends; nothing is ever sent.
        let _ = self.done.recv_timeout(timeout);
        self.is_finished()
    }

    fn outcome(&self) -> std::sync::MutexGuard<'_, Outcome> {
        self.outcome.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The figures now (the final report once the run is over).
    pub fn report(&self) -> Report {
        let outcome = self.outcome();
        let elapsed = outcome.ended.unwrap_or_else(|| self.run.started.elapsed());
        let mut report = self
            .run
            .tally
            .report(elapsed, &outcome.timeline, outcome.ended.is_none());
        report.error = outcome.error.as_ref().map(ToString::to_string);
        report
    }

    /// The live plot's points so far.
    pub fn timeline(&self) -> Vec<Sample> {
        self.timeline_since(0)
    }

    /// The live plot's points after the first `known`: a window that keeps the points it has
    /// copies only the new ones (two a second).
    pub fn timeline_since(&self, known: usize) -> Vec<Sample> {
        self.outcome()
            .timeline
            .get(known..)
            .map_or_else(Vec::new, <[Sample]>::to_vec)
    }

    /// How many live plot points there are: the figures change only when this does.
    pub fn samples(&self) -> usize {
        self.outcome().timeline.len()
    }
}

impl Drop for Stress {
    /// Stops the run without waiting: its threads end by themselves.
    fn drop(&mut self) {
        self.stop();
    }
}

/// Resolves the target, starts the clients, opens the gate once all are ready, samples the
/// figures until the last client ends, and joins them.
fn coordinate(
    run: &Arc<Run>,
    gate: Sender<()>,
    outcome: &Mutex<Outcome>,
    waker: &Waker,
) -> Result<(), Error> {
    let target = resolve(&run.config.target)?[0];
    let clients = run.config.clients;
    let mut threads = Vec::with_capacity(clients);
    // Each client says once that it is ready, and drops its sender when it ends.
    let (news_tx, news) = unbounded::<()>();
    for index in 0..clients {
        let (client_run, news_tx) = (run.clone(), news_tx.clone());
        match Stoppable::spawn("stress-client", move |_| {
            Client::new(index, target, client_run, news_tx).run();
        }) {
            Ok(thread) => threads.push(thread),
            Err(err) => {
                run.stop();
                drop(gate);
                threads.into_iter().for_each(Stoppable::wait);
                return Err(err);
            }
        }
    }
    drop(news_tx);
    // The run ends on time even while clients are still connecting or waiting for a reply:
    // their sockets are shut down then, whatever the timeout.
    let end = run.config.duration.map(|d| run.started + d);
    let end_run_if_due = || {
        if end.is_some_and(|end| Instant::now() >= end) {
            run.stop();
        }
    };
    let mut ready = 0;
    while ready < clients {
        let wait = end.filter(|_| !run.stopping()).unwrap_or(far_future());
        match news.recv_deadline(wait) {
            Ok(()) => ready += 1,
            Err(RecvTimeoutError::Timeout) => end_run_if_due(),
            // Every client has ended.
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    drop(gate);
    let mut sampler = Sampler::new(run);
    let mut next = Instant::now() + SAMPLE_EVERY;
    // Times out at each sample and at the end; disconnects when the last client has ended.
    loop {
        let wait = end.filter(|&end| end < next && !run.stopping());
        match news.recv_deadline(wait.unwrap_or(next)) {
            Err(RecvTimeoutError::Timeout) if wait.is_some() => end_run_if_due(),
            Err(RecvTimeoutError::Timeout) => {
                sampler.push(run, outcome);
                waker();
                next += SAMPLE_EVERY;
            }
            // Clients say nothing more once ready; the channel closes when the last ends.
            Ok(()) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    threads.into_iter().for_each(Stoppable::wait);
    sampler.push(run, outcome);
    Ok(())
}

/// A deadline that never comes, for a run without a duration.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(365 * 24 * 3600)
}

/// Turns the counters into points of the live plot.
struct Sampler {
    last: Instant,
    last_succeeded: u64,
}

impl Sampler {
    fn new(run: &Run) -> Sampler {
        Sampler {
            last: run.started,
            last_succeeded: 0,
        }
    }

    fn push(&mut self, run: &Run, outcome: &Mutex<Outcome>) {
        let (now, succeeded) = (Instant::now(), run.tally.succeeded());
        let seconds = now.duration_since(self.last).as_secs_f64();
        let point = Sample {
            at_s: now.duration_since(run.started).as_secs_f64(),
            qps: if seconds > 0.0 {
                (succeeded - self.last_succeeded) as f64 / seconds
            } else {
                0.0
            },
            p99_us: run.tally.take_recent_p99(),
        };
        (self.last, self.last_succeeded) = (now, succeeded);
        outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .timeline
            .push(point);
    }
}
