//! Timed sends: a thread that queues messages on a session, either the same ones at a steady
//! interval (periodic send; their variables such as `${seq}` take new values each time) or
//! each at its own time (split writes, replay).

use std::time::{Duration, Instant};

use crossbeam_channel::{at as at_instant, select, tick};

use crate::codec::template::{Random, Template, Values};
use crate::error::Error;
use crate::net::command::Destination;
use crate::net::session::Handle;
use crate::net::stoppable::Stoppable;

/// Sends messages on a timer until done or stopped. Dropping it stops it.
pub struct Repeater(Stoppable);

impl Repeater {
    pub(crate) fn start(
        handle: Handle,
        to: Destination,
        messages: Vec<Template>,
        interval: Duration,
        rounds: Option<u64>,
    ) -> Result<Repeater, Error> {
        if interval.is_zero() {
            return Err(Error::InvalidInterval);
        }
        let thread = Stoppable::spawn("repeat", move |stop| {
            let ticks = tick(interval);
            let (mut round, mut sent) = (0u64, 0u64);
            let mut random = Random::new(interval.as_nanos() as u64);
            // A peer slower than the interval holds the sends back; nothing piles up.
            let stopped = || stop.is_stopped() || handle.is_stopping();
            loop {
                for message in &messages {
                    sent += 1;
                    let values = Values {
                        seq: sent,
                        client: 0,
                        random: random.draw(),
                    };
                    let data = message.render(values);
                    // A send that fails to its one peer means the session or the connection
                    // ended (which its events say): nobody is left to send to. A server's
                    // clients come and go: it repeats to whoever is there.
                    if handle
                        .send_wait(to.clone(), data, None, &[stop.receiver()])
                        .is_err()
                        && (stopped() || sends_to_one_peer(&handle, &to))
                    {
                        return;
                    }
                }
                round += 1;
                if rounds.is_some_and(|rounds| round >= rounds) {
                    return;
                }
                select! {
                    recv(ticks) -> _ => {}
                    recv(stop.receiver()) -> _ => return,
                    recv(handle.stopping()) -> _ => return,
                }
            }
        })?;
        Ok(Repeater(thread))
    }

    /// Sends each message when its time (from now) comes, in order.
    pub(crate) fn schedule(
        handle: Handle,
        to: Destination,
        timeline: Vec<(Duration, Vec<u8>)>,
    ) -> Result<Repeater, Error> {
        let thread = Stoppable::spawn("schedule", move |stop| {
            let start = Instant::now();
            for (at, data) in timeline {
                // Nothing is sent on either stop: they disconnect when the Repeater is
                // dropped or the session stops.
                select! {
                    recv(stop.receiver()) -> _ => return,
                    recv(handle.stopping()) -> _ => return,
                    recv(at_instant(start + at)) -> _ => {}
                }
                if handle
                    .send_wait(to.clone(), data, None, &[stop.receiver()])
                    .is_err()
                {
                    return;
                }
            }
        })?;
        Ok(Repeater(thread))
    }

    /// Waits until every round is sent (forever, for endless repeats) or the session ended.
    pub fn wait(self) {
        self.0.wait();
    }

    /// False once every round is sent or the session ended.
    pub fn is_running(&self) -> bool {
        self.0.is_running()
    }
}

/// Whether `to` is a single connection that, once gone, is gone for good.
fn sends_to_one_peer(handle: &Handle, to: &Destination) -> bool {
    use crate::net::SessionKind;
    match handle.kind() {
        SessionKind::TcpClient | SessionKind::Udp => true,
        SessionKind::TcpServer | SessionKind::Relay => {
            matches!(to, Destination::Client(_) | Destination::Target(_))
        }
    }
}
