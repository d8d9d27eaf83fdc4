//! Coalesces wake-ups: however many events arrive between two frames, the GUI is asked to
//! repaint once (each request is a message to the window's event loop).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::net::Waker;

pub struct Coalescer {
    pending: Arc<AtomicBool>,
}

impl Coalescer {
    /// A waker for the engine that calls `repaint` only when no repaint is pending yet.
    pub fn new(repaint: impl Fn() + Send + Sync + 'static) -> (Coalescer, Waker) {
        let pending = Arc::new(AtomicBool::new(false));
        let waker: Waker = {
            let pending = pending.clone();
            Arc::new(move || {
                if !pending.swap(true, Ordering::AcqRel) {
                    repaint();
                }
            })
        };
        (Coalescer { pending }, waker)
    }

    /// Call at the start of a frame, before draining events: an event that arrives after this
    /// asks for the next frame. A swap, not a store: it reads the flag the engine set after
    /// sending, so the drain that follows sees that event (a plain store could let the drain
    /// run ahead of it, find nothing, and the engine find the flag still set: no repaint).
    pub fn frame_started(&self) {
        self.pending.swap(false, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn many_events_between_frames_ask_for_one_repaint() {
        let repaints = Arc::new(AtomicUsize::new(0));
        let counted = repaints.clone();
        let (coalescer, waker) = Coalescer::new(move || {
            counted.fetch_add(1, Ordering::Relaxed);
        });
        for _ in 0..1000 {
            waker();
        }
        assert_eq!(repaints.load(Ordering::Relaxed), 1);
        coalescer.frame_started();
        waker();
        waker();
        assert_eq!(repaints.load(Ordering::Relaxed), 2);
    }
}
