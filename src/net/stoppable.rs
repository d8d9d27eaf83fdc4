//! Stopping without waiting: a [`Stop`] that every thread of a job watches, and the one worker
//! type, [`Stoppable`], for background jobs (periodic sends, replay, sequences, file sends).
//!
//! A stop is a channel whose only sender is dropped: every thread blocked in a `select!` on it
//! wakes at once, and nothing is ever queued behind traffic. Dropping a worker signals its stop
//! and lets the thread end by itself: nothing joins a thread on the caller's thread, so a
//! window never waits for a job that is stuck on a peer or a disk.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError, bounded};

use crate::error::Error;
use crate::net::session::spawn_worker;

/// A stop shared by several threads: signalled once, seen by all of them.
#[derive(Clone)]
pub(crate) struct Stop {
    /// Never sent on: taken and dropped to say "stop".
    switch: Arc<Mutex<Option<Sender<()>>>>,
    signal: StopSignal,
}

impl Stop {
    pub fn new() -> Stop {
        let (switch, signal) = bounded::<()>(0);
        Stop {
            switch: Arc::new(Mutex::new(Some(switch))),
            signal: StopSignal(signal),
        }
    }

    /// Stops every thread that watches this stop (again: nothing more happens).
    pub fn signal(&self) {
        let switch = self
            .switch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        drop(switch);
    }

    /// What a thread watches.
    pub fn watch(&self) -> StopSignal {
        self.signal.clone()
    }

    pub fn is_stopped(&self) -> bool {
        self.signal.is_stopped()
    }

    /// Ready (disconnected) once stopped: for `select!` and deadlines.
    pub fn receiver(&self) -> &Receiver<()> {
        self.signal.receiver()
    }
}

impl Default for Stop {
    fn default() -> Stop {
        Stop::new()
    }
}

/// What a thread watches to know it should stop.
#[derive(Clone)]
pub(crate) struct StopSignal(Receiver<()>);

impl StopSignal {
    pub fn is_stopped(&self) -> bool {
        matches!(self.0.try_recv(), Err(TryRecvError::Disconnected))
    }

    /// Ready (disconnected) once the thread should stop: for `select!` and deadlines.
    pub fn receiver(&self) -> &Receiver<()> {
        &self.0
    }
}

/// True once any of `stops` (channels never sent on, such as [`Stop::receiver`]) is signalled.
pub(crate) fn any_signalled(stops: &[&Receiver<()>]) -> bool {
    stops
        .iter()
        .any(|stop| matches!(stop.try_recv(), Err(TryRecvError::Disconnected)))
}

/// Waits until any of `wakers` is ready: a token sent, or a stop signalled. Takes one token.
pub(crate) fn wait_any(wakers: &[&Receiver<()>]) {
    let mut select = Select::new();
    for waker in wakers {
        select.recv(waker);
    }
    let operation = select.select();
    let index = operation.index();
    // A selected operation must be completed, with the receiver it was chosen for.
    let _ = operation.recv(wakers[index]);
}

/// A background job's thread, with its name and its stop. Dropping it stops the job without
/// waiting for it; `wait` is for callers that may wait (the command line).
pub(crate) struct Stoppable {
    stop: Stop,
    thread: Option<JoinHandle<()>>,
}

impl Stoppable {
    pub fn spawn(
        name: &str,
        body: impl FnOnce(StopSignal) + Send + 'static,
    ) -> Result<Stoppable, Error> {
        let stop = Stop::new();
        let signal = stop.watch();
        let thread = spawn_worker(name, move || body(signal))?;
        Ok(Stoppable {
            stop,
            thread: Some(thread),
        })
    }

    /// False once the thread is done.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Waits until the thread is done by itself.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            // A panic in the job was already printed; there is nothing more to do with it.
            let _ = thread.join();
        }
    }
}

impl Drop for Stoppable {
    fn drop(&mut self) {
        self.stop.signal();
        // Detached: the thread sees the stop and ends by itself.
        drop(self.thread.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_wakes_every_watcher_and_dropping_a_worker_does_not_wait_for_it() {
        let stop = Stop::new();
        let watchers: Vec<_> = (0..3)
            .map(|_| {
                let signal = stop.watch();
                std::thread::spawn(move || signal.receiver().recv().is_err())
            })
            .collect();
        stop.signal();
        stop.signal();
        for watcher in watchers {
            assert!(
                watcher.join().unwrap(),
                "woken by the stop, not by a message"
            );
        }

        // A job that ignores its stop for a while: dropping it returns before the job ends.
        let (release, released) = bounded::<()>(0);
        let (ended_tx, ended) = bounded::<()>(1);
        let job = Stoppable::spawn("test-job", move |signal| {
            let _ = signal.receiver().recv();
            let _ = released.recv();
            let _ = ended_tx.send(());
        })
        .unwrap();
        drop(job);
        assert!(
            ended.try_recv().is_err(),
            "the drop did not wait for the job"
        );
        release.send(()).unwrap();
        ended.recv().unwrap();
    }
}
