//! Stopping without waiting: a [`Stop`] that every thread of a job watches, and the one worker
//! type, [`Stoppable`], for every background thread of the engine: a session's control thread,
//! its accept, connect, reader and writer threads, delayed replies, TLS pumps, capture writers,
//! stress runs, and the jobs (periodic sends, replay, sequences, file sends).
//!
//! A stop is a channel whose only sender is dropped: every thread blocked in a `select!` on it
//! wakes at once, and nothing is ever queued behind traffic. A worker either has a stop of its
//! own (`spawn`: a job the caller may end alone) or watches one it shares with its session
//! (`spawn_on`: the session's stop ends them all). Threads blocked in a socket call are woken
//! by their owner (a shutdown, a close), not by the stop. Dropping a worker signals its own
//! stop, if it has one, and lets the thread end by itself: nothing joins a thread on the
//! caller's thread, so a window never waits for a job that is stuck on a peer or a disk.
//! `wait` joins, for callers that may wait (the command line, a session's own threads).

use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError, bounded};

use crate::error::Error;
use crate::net::emitter::Emitter;
use crate::net::event::EventKind;

/// Worker threads touch little stack; a small one keeps a thousand clients cheap.
const WORKER_STACK: usize = 256 * 1024;

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

/// A background thread, with its name and the stop it watches. Dropping it signals its own
/// stop (a shared one is left to its owner) without waiting for the thread; `wait` is for
/// callers that may wait.
pub(crate) struct Stoppable {
    stop: Stop,
    /// True when the stop is this worker's alone, so dropping the worker signals it.
    owns_stop: bool,
    thread: Option<JoinHandle<()>>,
}

impl Stoppable {
    /// Starts `body` on a thread named `name`, with a stop of its own.
    pub fn spawn(
        name: &str,
        body: impl FnOnce(StopSignal) + Send + 'static,
    ) -> Result<Stoppable, Error> {
        Stoppable::start(name, Stop::new(), true, body)
    }

    /// Starts `body` on a thread named `name` that watches `stop`, shared with other threads
    /// (a session's): dropping the worker leaves the stop alone.
    pub fn spawn_on(
        name: &str,
        stop: &Stop,
        body: impl FnOnce(StopSignal) + Send + 'static,
    ) -> Result<Stoppable, Error> {
        Stoppable::start(name, stop.clone(), false, body)
    }

    /// A session's thread on the session's stop; one that cannot start is reported as an
    /// error event and the session goes on without it.
    pub fn spawn_or_report(
        name: &str,
        emitter: &Emitter,
        body: impl FnOnce(StopSignal) + Send + 'static,
    ) -> Option<Stoppable> {
        Stoppable::spawn_on(name, emitter.stop(), body)
            .map_err(|error| {
                emitter.emit(EventKind::Error {
                    client: None,
                    error,
                })
            })
            .ok()
    }

    fn start(
        name: &str,
        stop: Stop,
        owns_stop: bool,
        body: impl FnOnce(StopSignal) + Send + 'static,
    ) -> Result<Stoppable, Error> {
        let signal = stop.watch();
        let thread = thread::Builder::new()
            .name(name.to_string())
            .stack_size(WORKER_STACK)
            .spawn(move || body(signal))
            .map_err(|e| Error::Io {
                action: "starting a thread for",
                addr: name.to_string(),
                message: crate::error::describe_io(&e),
            })?;
        Ok(Stoppable {
            stop,
            owns_stop,
            thread: Some(thread),
        })
    }

    /// False once the thread is done.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Waits until the thread is done by itself (a worker with its own stop is not stopped
    /// first: drop it for that).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            // A panic in the job was already printed; there is nothing more to do with it.
            let _ = thread.join();
        }
    }
}

impl Drop for Stoppable {
    fn drop(&mut self) {
        if self.owns_stop {
            self.stop.signal();
        }
        // Detached: the thread sees the stop (or its owner's wake) and ends by itself.
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

    #[test]
    fn a_worker_on_a_shared_stop_is_named_leaves_the_stop_alone_when_dropped_and_ends_with_it() {
        let stop = Stop::new();
        let (name_tx, name) = bounded(1);
        let (ended_tx, ended) = bounded::<()>(1);
        let worker = Stoppable::spawn_on("shared-job", &stop, move |signal| {
            let _ = name_tx.send(std::thread::current().name().map(str::to_owned));
            let _ = signal.receiver().recv();
            let _ = ended_tx.send(());
        })
        .unwrap();
        assert_eq!(name.recv().unwrap().as_deref(), Some("shared-job"));
        let other = Stoppable::spawn_on("other-job", &stop, |_| {}).unwrap();
        other.wait();
        drop(Stoppable::spawn_on("dropped-job", &stop, |_| {}).unwrap());
        assert!(
            !stop.is_stopped(),
            "a worker's drop signalled the shared stop"
        );
        assert!(worker.is_running());
        stop.signal();
        worker.wait();
        assert!(ended.try_recv().is_ok(), "ended by the shared stop");
    }
}
