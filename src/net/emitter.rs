//! The sending end of a session's events, shared by its threads: bounded in events and bytes,
//! so a slow consumer holds the producers back.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crossbeam_channel::{Select, Sender};

use crate::net::Waker;
use crate::net::event::{Event, EventKind};
use crate::net::stoppable::Stop;

/// Payload bytes waiting in the event channel at most (besides its count of events): a few
/// large frames must not hold gigabytes while the consumer is slow.
const EVENT_BYTES: usize = 32 * 1024 * 1024;

/// How often a thread held back by the byte bound looks again (the consumer cannot signal it;
/// a stop wakes it at once).
const BYTES_CHECK: Duration = Duration::from_millis(1);

/// The sending end of a session's event channel, shared by its threads.
#[derive(Clone)]
pub(crate) struct Emitter {
    events: Sender<Event>,
    /// The session's stop: signalled from outside the command queue, seen by every thread.
    stop: Stop,
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
            stop: Stop::new(),
            waker,
            queued: Arc::default(),
        }
    }

    /// Sends an event and wakes the consumer. While the bounded channel is full (in events or
    /// in bytes) the calling thread waits (a TCP reader then stops reading: back-pressure,
    /// nothing lost). While the session stops, its consumer drains the channel to `Stopped`
    /// (or drops it), so how each connection closed is never lost either; only the byte bound
    /// is lifted then. False when nobody will read events.
    pub fn emit(&self, kind: EventKind) -> bool {
        self.emit_reserved(kind, 0)
    }

    /// Emits a batch, giving back the `reserved` bytes set aside for it (`reserve_for_batch`)
    /// as it takes its place in the channel.
    pub fn emit_reserved(&self, kind: EventKind, mut reserved: usize) -> bool {
        let size = kind.payload_len();
        let event = Event::now(kind);
        loop {
            let mut queued = self.queued();
            queued.reserved -= std::mem::take(&mut reserved);
            queued.trim(self.events.len());
            if !queued.fits(size) && !self.is_stopping() {
                drop(queued);
                let _ = self.stop.receiver().recv_timeout(BYTES_CHECK);
                continue;
            }
            // Sent under the lock, so the sizes stay in the channel's order. A full channel
            // is waited on until it has room or the session stops; from then on the consumer
            // drains it to the end (or drops it, which fails the send).
            let sent = match self.send_or_stop(event) {
                None => true,
                Some(back) => self.events.send(back).is_ok(),
            };
            if sent {
                queued.push(size);
                drop(queued);
                (self.waker)();
            }
            return sent;
        }
    }

    /// Sends `event` once the channel has room; gives it back if the session stops first or
    /// nobody reads the channel any more.
    fn send_or_stop(&self, event: Event) -> Option<Event> {
        if self.is_stopping() {
            return Some(event);
        }
        let mut select = Select::new();
        let room = select.send(&self.events);
        select.recv(self.stop.receiver());
        let operation = select.select();
        if operation.index() == room {
            return operation
                .send(&self.events, event)
                .err()
                .map(|failed| failed.0);
        }
        // The stop's channel is never sent on: this completes the select, as it must.
        let _ = operation.recv(self.stop.receiver());
        Some(event)
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

    /// A session that could not start: says why (`Stopped` follows, as after every run).
    pub fn could_not_start(&self, error: crate::error::Error) {
        self.emit(EventKind::Error {
            client: None,
            error,
        });
    }

    fn queued(&self) -> MutexGuard<'_, Queued> {
        // The sizes stay consistent even if a holder panicked: take them anyway.
        self.queued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_stopping(&self) -> bool {
        self.stop.is_stopped()
    }

    /// Stops the session: every thread that watches its stop wakes at once.
    pub fn set_stopping(&self) {
        self.stop.signal();
    }

    /// The session's stop, for threads that wait on something else too.
    pub fn stop(&self) -> &Stop {
        &self.stop
    }
}
