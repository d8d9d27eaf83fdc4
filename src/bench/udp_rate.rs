//! udp_lossless_rate: the highest paced rate of 64-byte datagrams that a receiver takes for a
//! whole trial without losing one: the UDP session (into the log model, as the window does)
//! against a plain `recv_from` loop with the same kernel buffer, trial by trial in turns.

use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

use super::ingest::UDP_QUIET;
use super::stand_in::WindowStandIn;
use super::{Figure, loopback, percentile, wait_listening};
use crate::codec::TextEncoding;
use crate::gui::model::log::Log;
use crate::net::{EventKind, Session, UdpConfig};

/// The kernel buffer both receivers ask for (the session's own).
const KERNEL_BUFFER: usize = 4 * 1024 * 1024;

/// The first rate tried, and the most tried (datagrams per second).
const FIRST_RATE: f64 = 25_000.0;
const MOST_RATE: f64 = 3_200_000.0;

/// How many times the gap between the last rate without loss and the first with loss is halved.
const REFINEMENTS: usize = 4;

/// Searches for each receiver; the figure is their median. One search ends on the best of a
/// few noisy trials: the plain loop's single searches ranged from 267,000 to 574,000 a second
/// within minutes on the same machine.
const SEARCHES: usize = 3;

#[derive(Clone, Copy)]
enum Receiver {
    PlainLoop,
    Session,
}

pub(super) fn udp_lossless_rate(trial: Duration) -> Figure {
    let (mut plain, mut ours): (Vec<f64>, Vec<f64>) =
        (0..SEARCHES).map(|_| search_both(trial)).unzip();
    Figure::new(
        "udp_lossless_rate",
        median(&mut ours),
        "datagrams/s",
        median(&mut plain),
    )
}

/// One search for each receiver's highest rate (the plain loop's, the session's); the two
/// take turns, trial by trial, so the machine's swings fall on both.
fn search_both(trial: Duration) -> (f64, f64) {
    let (mut plain, mut ours) = (Search::default(), Search::default());
    loop {
        let mut tried = false;
        for (receiver, search) in [
            (Receiver::PlainLoop, &mut plain),
            (Receiver::Session, &mut ours),
        ] {
            if let Some(rate) = search.next_rate() {
                search.record(rate, run_trial(receiver, rate, trial));
                tried = true;
            }
        }
        if !tried {
            return (plain.good, ours.good);
        }
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    percentile(values, 0.5)
}

/// The search for one receiver's highest rate without loss: doubles the rate until a trial
/// loses a datagram, then halves the gap between the last rate without loss and the first
/// with loss `REFINEMENTS` times. A rate is the one the sender reached: where it cannot keep
/// up with the one asked for, that is the highest there is to find.
struct Search {
    /// The highest rate reached without loss.
    good: f64,
    /// The lowest rate asked for that lost a datagram, once one did.
    bad: Option<f64>,
    /// The next rate to try while doubling.
    doubling: f64,
    refinements_left: usize,
    done: bool,
}

impl Default for Search {
    fn default() -> Search {
        Search {
            good: 0.0,
            bad: None,
            doubling: FIRST_RATE,
            refinements_left: REFINEMENTS,
            done: false,
        }
    }
}

impl Search {
    fn next_rate(&self) -> Option<f64> {
        match self.bad {
            _ if self.done => None,
            None => Some(self.doubling).filter(|&rate| rate <= MOST_RATE),
            Some(bad) => Some((self.good + bad) / 2.0).filter(|_| self.refinements_left > 0),
        }
    }

    /// What a trial at `rate` gave: the rate reached, or None when it lost a datagram.
    fn record(&mut self, rate: f64, reached: Option<f64>) {
        if let Some(reached) = reached {
            self.good = self.good.max(reached);
        }
        match (self.bad, reached) {
            (None, Some(reached)) if reached < 0.9 * rate => self.done = true,
            (None, Some(_)) => self.doubling *= 2.0,
            (None, None) => self.bad = Some(rate),
            (Some(_), reached) => {
                self.refinements_left -= 1;
                if reached.is_none() {
                    self.bad = Some(rate);
                }
            }
        }
    }
}

/// Sends at `rate` for `trial` to `receiver`: the rate reached if nothing was lost.
fn run_trial(receiver: Receiver, rate: f64, trial: Duration) -> Option<f64> {
    let (sent, received) = match receiver {
        Receiver::PlainLoop => {
            let socket = plain_socket().ok()?;
            let addr = socket.local_addr().ok()?;
            let sender = paced_flood(addr, rate, trial);
            let mut buf = [0u8; 2048];
            let mut received = 0;
            while socket.recv_from(&mut buf).is_ok() {
                received += 1;
            }
            (sender.join().unwrap_or(0), received)
        }
        Receiver::Session => {
            let (window, waker) = WindowStandIn::new();
            let session = Session::udp(UdpConfig::new(loopback()), waker).ok()?;
            let addr = wait_listening(&session).unwrap_or(loopback());
            let mut log = Log::new(TextEncoding::Utf8, false);
            let sender = paced_flood(addr, rate, trial);
            let mut received = 0;
            while let Some(event) = window.next(session.events(), UDP_QUIET) {
                if let EventKind::Received { messages, .. } = &event.kind {
                    received += messages.len();
                }
                log.push_event(event);
            }
            (sender.join().unwrap_or(0), received)
        }
    };
    (received >= sent).then(|| sent as f64 / trial.as_secs_f64())
}

/// A plain socket on loopback with the session's kernel buffer; its reads end after a quiet
/// spell.
fn plain_socket() -> std::io::Result<UdpSocket> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, None)?;
    let _ = socket.set_recv_buffer_size(KERNEL_BUFFER);
    socket.bind(&loopback().into())?;
    let socket = UdpSocket::from(socket);
    socket.set_read_timeout(Some(UDP_QUIET))?;
    Ok(socket)
}

/// Sends 64-byte datagrams to `to` at `rate` per second for `trial`, in small bursts on a
/// schedule; returns how many went out.
fn paced_flood(to: SocketAddr, rate: f64, trial: Duration) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let Ok(socket) = UdpSocket::bind(loopback()) else {
            return 0;
        };
        let payload = [0xA5u8; 64];
        let start = Instant::now();
        let (mut due, mut sent) = (0usize, 0usize);
        while start.elapsed() < trial {
            let now_due = (start.elapsed().as_secs_f64() * rate) as usize;
            while due < now_due {
                due += 1;
                sent += usize::from(socket.send_to(&payload, to).is_ok());
            }
            thread::sleep(Duration::from_micros(200));
        }
        sent
    })
}
