//! Auto-replies with a delay: one thread per session keeps them in time order and sends each
//! when it is due. Bounded: past `MAX_PENDING` replies, readers that want to add one wait, so a
//! flood of matching messages slows its sender instead of growing a heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, at, bounded, never, select};

use crate::error::Error;
use crate::net::stoppable::{Stop, StopSignal, Stoppable};

/// Delayed replies held at most (plus a small inbox); more make the adding reader wait.
const MAX_PENDING: usize = 4096;

/// Sends one reply; runs on the delayed-reply thread when its time comes.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

pub(crate) struct Delayed {
    inbox: Option<Sender<(Instant, Job)>>,
    thread: Option<Stoppable>,
}

impl Delayed {
    /// Starts the thread; it ends at once when `stop` says so (replies not yet due are
    /// dropped with the session), whatever it holds.
    pub fn start(stop: &Stop) -> Result<Delayed, Error> {
        let (inbox, jobs) = bounded(64);
        let thread = Stoppable::spawn_on("delayed-replies", stop, move |stop| run(&jobs, &stop))?;
        Ok(Delayed {
            inbox: Some(inbox),
            thread: Some(thread),
        })
    }

    /// Where jobs go; sending waits while the thread holds `MAX_PENDING`.
    pub fn inbox(&self) -> Option<Sender<(Instant, Job)>> {
        self.inbox.clone()
    }
}

impl Drop for Delayed {
    /// Replies not yet due are dropped: the session is ending.
    fn drop(&mut self) {
        self.inbox = None;
        if let Some(thread) = self.thread.take() {
            thread.wait();
        }
    }
}

struct Pending {
    due: Instant,
    sequence: u64,
    job: Job,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.sequence) == (other.due, other.sequence)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    /// Reversed, so the max-heap gives the earliest (then the first added) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.sequence).cmp(&(self.due, self.sequence))
    }
}

fn run(jobs: &Receiver<(Instant, Job)>, stop: &StopSignal) {
    let mut pending: BinaryHeap<Pending> = BinaryHeap::new();
    let mut sequence = 0u64;
    loop {
        let next = pending.peek().map_or_else(never, |p| at(p.due));
        // A full heap takes nothing more until some replies are out.
        let inbox = if pending.len() < MAX_PENDING {
            jobs.clone()
        } else {
            never()
        };
        select! {
            recv(stop.receiver()) -> _ => return,
            recv(inbox) -> job => match job {
                Ok((due, job)) => {
                    sequence += 1;
                    pending.push(Pending { due, sequence, job });
                }
                Err(_) => return,
            },
            recv(next) -> _ => {
                let now = Instant::now() + Duration::from_micros(100);
                while pending.peek().is_some_and(|p| p.due <= now) {
                    if let Some(due) = pending.pop() {
                        (due.job)();
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_go_out_in_time_order() {
        let stop = crate::net::stoppable::Stop::new();
        let delayed = Delayed::start(&stop).unwrap();
        let (done, order) = crossbeam_channel::unbounded();
        let start = Instant::now();
        for (ms, name) in [(60, "late"), (20, "early"), (20, "early too")] {
            let done = done.clone();
            let job: Job = Box::new(move || done.send(name).unwrap());
            delayed
                .inbox()
                .unwrap()
                .send((start + Duration::from_millis(ms), job))
                .unwrap();
        }
        // Each job says when it ran; the deadline only stops a broken test from hanging.
        let ran: Vec<&str> = (0..3)
            .map(|_| {
                order
                    .recv_timeout(Duration::from_secs(10))
                    .expect("a delayed reply never went out")
            })
            .collect();
        drop(delayed);
        assert_eq!(ran, ["early", "early too", "late"]);
    }

    #[test]
    fn a_stop_ends_the_thread_whatever_it_holds() {
        let stop = crate::net::stoppable::Stop::new();
        let delayed = Delayed::start(&stop).unwrap();
        let (ran_tx, ran) = crossbeam_channel::unbounded::<()>();
        // Due in a day: without the stop, the thread would wait for it.
        let job: Job = Box::new(move || ran_tx.send(()).unwrap());
        let day = Instant::now() + Duration::from_secs(86_400);
        delayed.inbox().unwrap().send((day, job)).unwrap();
        stop.signal();
        // The inbox stays open: only the stop can end the thread.
        let mut delayed = delayed;
        let thread = delayed.thread.take().unwrap();
        let (ended_tx, ended) = crossbeam_channel::bounded(1);
        std::thread::spawn(move || {
            thread.wait();
            ended_tx.send(()).unwrap()
        });
        assert_eq!(ended.recv_timeout(Duration::from_secs(10)), Ok(()));
        assert!(ran.try_recv().is_err(), "the reply not yet due was dropped");
    }
}
