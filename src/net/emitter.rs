//! The sending end of a session's events, shared by its threads: bounded in events and bytes,
//! so a slow consumer holds the producers back.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crossbeam_channel::{SendTimeoutError, Sender};

use crate::net::Waker;
use crate::net::event::{Event, EventKind};

/// How often a thread held back by a full event channel checks whether the session is stopping.
const BACKPRESSURE_CHECK: Duration = Duration::from_millis(50);

/// Payload bytes waiting in the event channel at most (besides its count of events): a few
/// large frames must not hold gigabytes while the consumer is slow.
const EVENT_BYTES: usize = 32 * 1024 * 1024;

/// How often a thread held back by the byte bound looks again (the consumer cannot signal it).
const BYTES_CHECK: Duration = Duration::from_millis(1);

/// The sending end of a session's event channel, shared by its threads.
#[derive(Clone)]
pub(crate) struct Emitter {
    events: Sender<Event>,
    stopping: Arc<AtomicBool>,
    waker: Waker,
    queued: Arc<Mutex<Queued>>,
}

/// The payload sizes of the events in the channel, oldest first. The channel is first in,
/// first out and only emitters fill it, so events it no longer holds are the oldest ones.
#[derive(Default)]
struct Queued {
    sizes: VecDeque<usize>,
    bytes: usize,
    /// Bytes that readers set aside for batches they are still filling: counted with the
    /// channel's, so batches and queued events together stay within `EVENT_BYTES`.
    reserved: usize,
}

impl Queued {
    /// Forgets the events the consumer has taken, given how many the channel still holds.
    fn trim(&mut self, in_channel: usize) {
        while self.sizes.len() > in_channel {
            if let Some(size) = self.sizes.pop_front() {
                self.bytes -= size;
            }
        }
    }

    fn fits(&self, size: usize) -> bool {
        self.bytes == 0 || self.bytes + self.reserved + size <= EVENT_BYTES
    }

    fn push(&mut self, size: usize) {
        self.sizes.push_back(size);
        self.bytes += size;
    }
}

impl Emitter {
    pub fn new(events: Sender<Event>, waker: Waker) -> Emitter {
        Emitter {
            events,
            stopping: Arc::new(AtomicBool::new(false)),
            waker,
            queued: Arc::default(),
        }
    }

    /// Sends an event and wakes the consumer. While the bounded channel is full (in events or
    /// in bytes) the calling thread waits (a TCP reader then stops reading: back-pressure,
    /// nothing lost). While the session stops, its owner drains the channel, so how each
    /// connection closed is never lost either; only the byte bound is lifted then. False when
    /// nobody will read events.
    pub fn emit(&self, kind: EventKind) -> bool {
        self.emit_reserved(kind, 0)
    }

    /// Emits a batch, giving back the `reserved` bytes set aside for it (`reserve_for_batch`)
    /// as it takes its place in the channel.
    pub fn emit_reserved(&self, kind: EventKind, mut reserved: usize) -> bool {
        let size = kind.payload_len();
        let mut event = Event::now(kind);
        loop {
            let mut queued = self.queued();
            queued.reserved -= std::mem::take(&mut reserved);
            queued.trim(self.events.len());
            if !queued.fits(size) && !self.is_stopping() {
                drop(queued);
                std::thread::sleep(BYTES_CHECK);
                continue;
            }
            // Sent under the lock, so the sizes stay in the channel's order.
            match self.events.send_timeout(event, BACKPRESSURE_CHECK) {
                Ok(()) => {
                    queued.push(size);
                    drop(queued);
                    (self.waker)();
                    return true;
                }
                Err(SendTimeoutError::Timeout(back)) => event = back,
                Err(SendTimeoutError::Disconnected(_)) => return false,
            }
        }
    }

    /// Whether a reader should read on into the batch it holds rather than send it now: only
    /// while the consumer is busy (events wait in the channel, so a batch costs no delay) and
    /// the channel has room in events and in bytes. True sets `read_ahead` bytes aside for the
    /// next read; `emit_reserved` or `give_back` returns them.
    pub fn reserve_for_batch(&self, read_ahead: usize) -> bool {
        let mut queued = self.queued();
        let waiting = self.events.len();
        queued.trim(waiting);
        let capacity = self.events.capacity().unwrap_or(usize::MAX);
        let busy = waiting > 0 && waiting < capacity;
        if busy && queued.bytes + queued.reserved + read_ahead <= EVENT_BYTES {
            queued.reserved += read_ahead;
            true
        } else {
            false
        }
    }

    /// Gives back bytes set aside for a batch that will not be sent.
    pub fn give_back(&self, reserved: usize) {
        self.queued().reserved -= reserved;
    }

    /// Sends an event only if there is room at once, without waiting for the channel or for
    /// a thread that holds its bookkeeping. False when it was not sent.
    pub fn try_emit(&self, kind: EventKind) -> bool {
        let size = kind.payload_len();
        let Ok(mut queued) = self.queued.try_lock() else {
            return false;
        };
        queued.trim(self.events.len());
        if !queued.fits(size) || self.events.try_send(Event::now(kind)).is_err() {
            return false;
        }
        queued.push(size);
        drop(queued);
        (self.waker)();
        true
    }

    /// A session that could not start: says why, then that it stopped.
    pub fn could_not_start(&self, error: crate::error::Error) {
        self.emit(EventKind::Error {
            client: None,
            error,
        });
        self.emit(EventKind::Stopped);
    }

    fn queued(&self) -> MutexGuard<'_, Queued> {
        // The sizes stay consistent even if a holder panicked: take them anyway.
        self.queued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    pub fn set_stopping(&self) {
        self.stopping.store(true, Ordering::Release);
    }
}
