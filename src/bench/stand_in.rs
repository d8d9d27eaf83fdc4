//! The thread that stands for the window in the measurements. It is woken as the window is:
//! through the session's waker and the window's own [`Coalescer`] (one wake-up until it looks
//! again), then takes the events waiting without blocking. Blocking in the channel's `recv`
//! instead would spin and yield the processor a few times before sleeping, every time the
//! channel runs empty; the window never does that, and on two cores those yields hand the
//! processor back and forth with the session's own reader.

use std::sync::{Arc, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};

use crate::gui::wake::Coalescer;
use crate::net::{Event, Waker};

pub(super) struct WindowStandIn {
    coalescer: Coalescer,
    /// The thread that waits in `next`: the waker wakes it.
    waiter: Arc<OnceLock<Thread>>,
}

impl WindowStandIn {
    /// The stand-in, and the waker to give the session whose events it takes.
    pub fn new() -> (WindowStandIn, Waker) {
        let waiter: Arc<OnceLock<Thread>> = Arc::default();
        let (coalescer, waker) = Coalescer::new({
            let waiter = waiter.clone();
            move || {
                // Before the first wait nobody sleeps: `next` looks at the channel first.
                if let Some(thread) = waiter.get() {
                    thread.unpark();
                }
            }
        });
        (WindowStandIn { coalescer, waiter }, waker)
    }

    /// The next event, waiting at most `timeout`; None when none came or the session is gone.
    /// Always called from the same thread.
    pub fn next(&self, events: &Receiver<Event>, timeout: Duration) -> Option<Event> {
        let me = self.waiter.get_or_init(thread::current);
        debug_assert_eq!(me.id(), thread::current().id(), "one waiting thread");
        let deadline = Instant::now() + timeout;
        // Some(event), Some(None) when the session is gone, None when nothing waits.
        let look = || match events.try_recv() {
            Ok(event) => Some(Some(event)),
            Err(TryRecvError::Disconnected) => Some(None),
            Err(TryRecvError::Empty) => None,
        };
        loop {
            if let Some(found) = look() {
                return found;
            }
            // As a frame starts: an event sent from here on wakes this thread.
            self.coalescer.frame_started();
            if let Some(found) = look() {
                return found;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            thread::park_timeout(left);
        }
    }
}
