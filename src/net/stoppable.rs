//! A producer's worker thread (periodic sends, replay, sequences) that runs until it is done
//! or told to stop. Dropping it stops it and waits for it.

use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TryRecvError, bounded};

use crate::error::Error;
use crate::net::session::spawn_worker;

pub(crate) struct Stoppable {
    /// Never sent on: dropped to say "stop", which wakes a thread waiting on it at once.
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What the thread watches to know it should stop.
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

impl Stoppable {
    pub fn spawn(
        name: &str,
        body: impl FnOnce(StopSignal) + Send + 'static,
    ) -> Result<Stoppable, Error> {
        let (stop, signal) = bounded::<()>(0);
        let thread = spawn_worker(name, move || body(StopSignal(signal)))?;
        Ok(Stoppable {
            stop: Some(stop),
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
            let _ = thread.join();
        }
    }
}

impl Drop for Stoppable {
    fn drop(&mut self) {
        self.stop = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
