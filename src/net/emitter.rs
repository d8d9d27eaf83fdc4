//! The sending end of a session's events, shared by its threads: bounded in events and bytes,
//! so a slow consumer holds the producers back.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};

use crossbeam_channel::{Select, Sender, TrySendError};

use crate::net::Waker;
use crate::net::event::{Event, EventKind, Held};
use crate::net::stoppable::Stop;

/// Payload bytes the consumer has not let go of at most (besides the channel's count of
/// events): a few large frames must not hold gigabytes while the consumer is slow.
const EVENT_BYTES: usize = 32 * 1024 * 1024;

/// The sending end of a session's event channel, shared by its threads.
#[derive(Clone)]
pub(crate) struct Emitter {
    events: Sender<Event>,
    /// The session's stop: signalled from outside the command queue, seen by every thread.
    stop: Stop,
    waker: Waker,
    bytes: Arc<EventBytes>,
    /// True once `Stopped` is sent: nothing comes after it. Read-held by each send, so the
    /// last word waits for sends under way and none starts after it.
    closed: Arc<RwLock<bool>>,
}

/// The payload bytes of a session's events that the consumer holds or has not taken yet, and
/// those readers set aside for batches they are filling. An event gives its bytes back when
/// the consumer drops it, which wakes an emitter waiting for room: a wake-up, not a timer.
#[derive(Default)]
pub(crate) struct EventBytes {
    counts: Mutex<Counts>,
    room: Condvar,
}

#[derive(Default)]
struct Counts {
    held: usize,
    /// Set aside for batches still being filled: counted with the events', so batches and
    /// events together stay within `EVENT_BYTES`.
    reserved: usize,
    /// Emitters waiting for room: bytes given back wake them, and only then (a wake-up is a
    /// system call, and most events are dropped while nobody waits).
    waiting: usize,
}

impl Counts {
    fn fits(&self, size: usize) -> bool {
        self.held == 0 || self.held + self.reserved + size <= EVENT_BYTES
    }
}

impl EventBytes {
    fn counts(&self) -> MutexGuard<'_, Counts> {
        // The counts stay consistent even if a holder panicked: take them anyway.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An event of `size` bytes was let go of.
    pub fn give_back(&self, size: usize) {
        let mut counts = self.counts();
        counts.held -= size;
        self.wake_waiting(counts);
    }

    /// Wakes the emitters waiting for room, if there are any.
    fn wake_waiting(&self, counts: MutexGuard<'_, Counts>) {
        let anyone = counts.waiting > 0;
        drop(counts);
        if anyone {
            self.room.notify_all();
        }
    }

    /// Waits until bytes are given back or the session stops.
    fn wait_for_room<'a>(&self, mut counts: MutexGuard<'a, Counts>) -> MutexGuard<'a, Counts> {
        counts.waiting += 1;
        let mut counts = self
            .room
            .wait(counts)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counts.waiting -= 1;
        counts
    }

    /// Wakes every emitter waiting for room (the session is stopping).
    fn wake_all(&self) {
        let _counts = self.counts();
        self.room.notify_all();
    }
}

impl Emitter {
    pub fn new(events: Sender<Event>, waker: Waker) -> Emitter {
        Emitter {
            events,
            stop: Stop::new(),
            waker,
            bytes: Arc::default(),
            closed: Arc::default(),
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
    /// as it takes its place among the events.
    pub fn emit_reserved(&self, kind: EventKind, reserved: usize) -> bool {
        let size = kind.payload_len();
        let mut counts = self.bytes.counts();
        counts.reserved -= reserved;
        // What this batch set aside may be what another emitter waits for.
        if reserved > 0 && counts.waiting > 0 {
            self.bytes.room.notify_all();
        }
        while !counts.fits(size) && !self.is_stopping() {
            counts = self.bytes.wait_for_room(counts);
        }
        counts.held += size;
        drop(counts);
        let event = Event::holding(kind, Held::new(self.bytes.clone(), size));
        let closed = self.closed.read().unwrap_or_else(|p| p.into_inner());
        // After `Stopped` nothing is sent (the event gives its bytes back as it is dropped).
        !*closed && self.send(event)
    }

    /// Sends `Stopped`, the last event: sends under way finish first, none comes after.
    pub fn emit_last(&self, kind: EventKind) -> bool {
        let mut closed = self.closed.write().unwrap_or_else(|p| p.into_inner());
        *closed = true;
        self.send(Event::now(kind))
    }

    /// A full channel is waited on until it has room or the session stops; from then on the
    /// consumer drains it to the end (or drops it, which fails the send). Wakes the consumer.
    fn send(&self, event: Event) -> bool {
        let sent = match self.send_or_stop(event) {
            None => true,
            Some(back) => self.events.send(back).is_ok(),
        };
        if sent {
            (self.waker)();
        }
        sent
    }

    /// Sends `event` once the channel has room; gives it back if the session stops first or
    /// nobody reads the channel any more.
    fn send_or_stop(&self, event: Event) -> Option<Event> {
        if self.is_stopping() {
            return Some(event);
        }
        // Most sends find room: only a full channel needs the select (which costs a wait
        // list per call).
        let event = match self.events.try_send(event) {
            Ok(()) => return None,
            Err(TrySendError::Full(event)) => event,
            Err(TrySendError::Disconnected(event)) => return Some(event),
        };
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
        let waiting = self.events.len();
        let capacity = self.events.capacity().unwrap_or(usize::MAX);
        let busy = waiting > 0 && waiting < capacity;
        let mut counts = self.bytes.counts();
        if busy && counts.held + counts.reserved + read_ahead <= EVENT_BYTES {
            counts.reserved += read_ahead;
            true
        } else {
            false
        }
    }

    /// Gives back bytes set aside for a batch that will not be sent.
    pub fn give_back(&self, reserved: usize) {
        let mut counts = self.bytes.counts();
        counts.reserved -= reserved;
        self.bytes.wake_waiting(counts);
    }

    /// Sends an event only if there is room at once, without waiting for the channel or for
    /// a thread that holds the byte counts. False when it was not sent.
    pub fn try_emit(&self, kind: EventKind) -> bool {
        let size = kind.payload_len();
        let Ok(mut counts) = self.bytes.counts.try_lock() else {
            return false;
        };
        if !counts.fits(size) {
            return false;
        }
        counts.held += size;
        drop(counts);
        // From here the event holds the bytes: dropped unsent, it gives them back.
        let event = Event::holding(kind, Held::new(self.bytes.clone(), size));
        let Ok(closed) = self.closed.try_read() else {
            return false;
        };
        if *closed || self.events.try_send(event).is_err() {
            return false;
        }
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

    pub fn is_stopping(&self) -> bool {
        self.stop.is_stopped()
    }

    /// Stops the session: every thread that watches its stop wakes at once.
    pub fn set_stopping(&self) {
        self.stop.signal();
        // The byte bound is lifted while stopping: emitters waiting on it go on.
        self.bytes.wake_all();
    }

    /// The session's stop, for threads that wait on something else too.
    pub fn stop(&self) -> &Stop {
        &self.stop
    }
}
