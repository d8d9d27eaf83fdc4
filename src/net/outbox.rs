//! A connection's queue of outgoing messages, bounded in bytes. Producers that may wait (file
//! sends, the CLI's input, echo and auto-replies on the reader's side) wait for room, so a peer
//! that reads slowly slows them down; the window, which must never wait, is refused whole.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crossbeam_channel::{Receiver, Sender, bounded};

use crate::codec::websocket::Opcode;
use crate::net::budget::{Budget, Usage};
use crate::net::stoppable::{Stop, any_signalled, wait_any};

/// Bytes queued for one connection before producers wait (or the window is refused). A few
/// MiB keep a socket busy; more would only be memory.
pub const OUTBOX_CAPACITY: usize = 4 * 1024 * 1024;

/// Counts messages handed to a session and not yet finished (written, sent or failed), so a
/// caller can tell when everything it sent has gone out.
pub(crate) struct InFlight {
    count: AtomicUsize,
    /// Gets a token each time the count falls to zero, for a consumer that waits for that.
    idle_tx: Sender<()>,
    idle_rx: Receiver<()>,
}

impl Default for InFlight {
    fn default() -> InFlight {
        let (idle_tx, idle_rx) = bounded(1);
        InFlight {
            count: AtomicUsize::new(0),
            idle_tx,
            idle_rx,
        }
    }
}

impl InFlight {
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    pub fn idle(&self) -> &Receiver<()> {
        &self.idle_rx
    }
}

/// One message in flight: dropping it, however the message ends, counts it finished.
pub struct Ticket(Arc<InFlight>);

impl Ticket {
    pub(crate) fn new(in_flight: &Arc<InFlight>) -> Ticket {
        in_flight.count.fetch_add(1, Ordering::AcqRel);
        Ticket(in_flight.clone())
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            // A token is enough: the waiter reads the count again.
            let _ = self.0.idle_tx.try_send(());
        }
    }
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ticket")
    }
}

/// A message for the writer, with what to tell when it is written.
pub(crate) struct Outgoing {
    pub data: Vec<u8>,
    /// A file send counts the bytes the socket has taken here.
    pub progress: Option<Arc<AtomicU64>>,
    /// Already counted and reported (`Sent`): the rest of a message that was written in part
    /// on its producer's thread, or bytes a relay passes on (shown where they were received).
    pub reported: bool,
    /// On a WebSocket connection, the frame's opcode; None: the session's choice of data frame
    /// (by default text or binary as the bytes are).
    pub opcode: Option<Opcode>,
    pub _ticket: Ticket,
}

impl Outgoing {
    pub fn new(data: Vec<u8>, progress: Option<Arc<AtomicU64>>, ticket: Ticket) -> Outgoing {
        Outgoing {
            data,
            progress,
            reported: false,
            opcode: None,
            _ticket: ticket,
        }
    }

    /// Bytes a relay passes on from its other end: counted by the reader that took them and
    /// shown as received there, so not reported again as sent.
    pub fn relayed(data: Vec<u8>, ticket: Ticket) -> Outgoing {
        Outgoing {
            reported: true,
            ..Outgoing::new(data, None, ticket)
        }
    }

    /// A WebSocket control frame (close, ping, pong) carrying `payload`.
    pub fn control(opcode: Opcode, payload: Vec<u8>, ticket: Ticket) -> Outgoing {
        Outgoing {
            opcode: Some(opcode),
            ..Outgoing::new(payload, None, ticket)
        }
    }
}

/// Writes a message on its producer's thread, sparing the writer's wake-up: counts and reports
/// it (`Sent`) only if the report fits at once, then writes what the socket takes without
/// waiting. None when it could not report (nothing was written), else the bytes written (0
/// when the socket took nothing or failed: the writer tries the rest and says why).
pub(crate) trait WriteNow: Send + Sync {
    fn write_now(&self, data: &[u8]) -> Option<usize>;
}

/// Why a message was not queued (it is dropped whole; the caller says so).
pub(crate) enum Refused {
    /// The queue holds this many bytes the peer has not taken.
    Full(usize),
    /// The connection is closing.
    Closed,
}

pub(crate) struct Outbox {
    state: Mutex<State>,
    /// A token when bytes leave the queue while producers wait for room (one token: each
    /// producer that leaves passes it on to the next).
    room_tx: Sender<()>,
    room_rx: Receiver<()>,
    /// Signalled when the queue closes or finishes: wakes every waiting producer.
    ended: Stop,
    /// Signalled when a message arrives or the queue closes.
    ready: Condvar,
    capacity: usize,
    /// Named in "not reading" messages.
    peer: SocketAddr,
    budget: Arc<Budget>,
    usage: Arc<Usage>,
    /// Where the platform can write without waiting (not on Windows).
    direct: Option<Box<dyn WriteNow>>,
}

#[derive(Default)]
struct State {
    items: VecDeque<Outgoing>,
    /// Bytes queued or being written.
    bytes: usize,
    closed: bool,
    /// Takes no more messages; the writer ends once it has written those queued.
    finished: bool,
    /// Producers waiting for room.
    waiting: usize,
}

impl Outbox {
    pub fn new(
        capacity: usize,
        peer: SocketAddr,
        budget: Arc<Budget>,
        usage: Arc<Usage>,
        direct: Option<Box<dyn WriteNow>>,
    ) -> Outbox {
        let (room_tx, room_rx) = bounded(1);
        Outbox {
            state: Mutex::new(State::default()),
            room_tx,
            room_rx,
            ended: Stop::new(),
            ready: Condvar::new(),
            capacity,
            peer,
            budget,
            usage,
            direct,
        }
    }

    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Queues `item` if it fits now. A message larger than the whole queue is taken when the
    /// queue is empty, so any message can be sent.
    pub fn try_push(&self, item: Outgoing) -> Result<(), Refused> {
        let mut state = self.lock();
        if state.closed || state.finished {
            return Err(Refused::Closed);
        }
        if !fits(&state, item.data.len(), self.capacity) {
            return Err(Refused::Full(state.bytes));
        }
        if let Some(rest) = self.write_now(&state, item) {
            self.enqueue(&mut state, rest);
        }
        Ok(())
    }

    /// Queues `item`, waiting for room while the peer is slow. Gives the message back when the
    /// connection closes or any of `give_up` (stops, channels never sent on) is signalled; the
    /// wait wakes on room, on the close and on those stops, never on a timer.
    pub fn push_wait(&self, item: Outgoing, give_up: &[&Receiver<()>]) -> Result<(), Outgoing> {
        let mut state = self.lock();
        let mut waited = false;
        let result = loop {
            if state.closed || state.finished || any_signalled(give_up) {
                break Err(item);
            }
            if fits(&state, item.data.len(), self.capacity) {
                if let Some(rest) = self.write_now(&state, item) {
                    self.enqueue(&mut state, rest);
                }
                break Ok(());
            }
            state.waiting += 1;
            waited = true;
            drop(state);
            let wakers: Vec<&Receiver<()>> = [&self.room_rx, self.ended.receiver()]
                .into_iter()
                .chain(give_up.iter().copied())
                .collect();
            wait_any(&wakers);
            state = self.lock();
            state.waiting -= 1;
        };
        // This producer may have taken the token another one needs to look again.
        if waited && state.waiting > 0 {
            let _ = self.room_tx.try_send(());
        }
        result
    }

    /// The next message, waiting for one; None once closed, or finished and empty. The bytes
    /// still count until [`Outbox::written`] says the write is over.
    pub fn pop(&self) -> Option<Outgoing> {
        let mut state = self.lock();
        loop {
            if state.closed {
                return None;
            }
            if let Some(item) = state.items.pop_front() {
                return Some(item);
            }
            if state.finished {
                return None;
            }
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// The writer is done with `len` bytes (written or failed): room for more.
    pub fn written(&self, len: usize) {
        let mut state = self.lock();
        state.bytes -= len;
        let waiting = state.waiting > 0;
        drop(state);
        self.budget.release(&self.usage, len);
        if waiting {
            let _ = self.room_tx.try_send(());
        }
    }

    /// Takes no more messages: the writer writes those queued, then ends the stream with a FIN
    /// (a relay passing on the FIN of its other end).
    pub fn finish(&self) {
        self.lock().finished = true;
        self.ended.signal();
        self.ready.notify_all();
    }

    pub fn is_finished(&self) -> bool {
        self.lock().finished
    }

    /// The memory budget closed the connection (it held the most).
    pub fn closed_by_the_budget(&self) -> bool {
        self.usage.was_evicted()
    }

    /// Ends the queue: waiting producers and the writer return, queued messages are dropped.
    /// Returns the bytes dropped.
    pub fn close(&self) -> usize {
        let mut state = self.lock();
        state.closed = true;
        let queued: usize = state.items.iter().map(|item| item.data.len()).sum();
        state.items.clear();
        state.bytes -= queued;
        drop(state);
        self.budget.release(&self.usage, queued);
        self.ended.signal();
        self.ready.notify_all();
        queued
    }

    /// Writes `item` on this thread when nothing is queued or being written (under the queue's
    /// lock, so the writer cannot start another message meanwhile, and in order); gives back
    /// what is left to queue (reported already), or the whole item when it was not written.
    fn write_now(&self, state: &State, mut item: Outgoing) -> Option<Outgoing> {
        let direct = self.direct.as_ref();
        let Some(direct) = direct.filter(|_| state.bytes == 0 && !state.closed && !item.reported)
        else {
            return Some(item);
        };
        let Some(written) = direct.write_now(&item.data) else {
            // Not reported, so not written either: the writer takes it whole.
            return Some(item);
        };
        item.reported = true;
        if let Some(progress) = &item.progress {
            progress.fetch_add(written as u64, Ordering::Relaxed);
        }
        if written == item.data.len() {
            return None;
        }
        item.data.drain(..written);
        Some(item)
    }

    fn enqueue(&self, state: &mut State, item: Outgoing) {
        let len = item.data.len();
        state.bytes += len;
        state.items.push_back(item);
        self.budget.charge(&self.usage, len);
        self.ready.notify_one();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        crate::net::front_end::assert_engine_thread();
        // The queue stays consistent even if a holder panicked: take it anyway.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn fits(state: &State, len: usize, capacity: usize) -> bool {
    state.bytes == 0 || state.bytes + len <= capacity
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox(capacity: usize) -> (Outbox, Arc<InFlight>) {
        outbox_writing_here(capacity, None)
    }

    fn outbox_writing_here(
        capacity: usize,
        direct: Option<Box<dyn WriteNow>>,
    ) -> (Outbox, Arc<InFlight>) {
        let budget = Arc::new(Budget::new(usize::MAX));
        let usage = budget.join(None);
        let peer = "127.0.0.1:9".parse().unwrap();
        (
            Outbox::new(capacity, peer, budget, usage, direct),
            Arc::default(),
        )
    }

    /// Reports or not (None), and takes this many bytes, whatever it is given.
    struct Takes(Option<usize>);

    impl WriteNow for Takes {
        fn write_now(&self, _: &[u8]) -> Option<usize> {
            self.0
        }
    }

    #[test]
    fn a_message_written_on_its_producers_thread_is_never_lost() {
        // Not reported (the event channel was full): queued whole, for the writer to report.
        let (outbox, in_flight) = outbox_writing_here(100, Some(Box::new(Takes(None))));
        outbox.try_push(item(10, &in_flight)).ok().unwrap();
        assert_eq!(in_flight.count(), 1, "still on its way");
        let queued = outbox.pop().unwrap();
        assert_eq!((queued.data.len(), queued.reported), (10, false));
        // Written in part: the rest is queued, already reported.
        let (outbox, in_flight) = outbox_writing_here(100, Some(Box::new(Takes(Some(4)))));
        outbox.push_wait(item(10, &in_flight), &[]).ok().unwrap();
        let rest = outbox.pop().unwrap();
        assert_eq!((rest.data.len(), rest.reported), (6, true));
        // Written whole: nothing queued, nothing in flight.
        let (outbox, in_flight) = outbox_writing_here(100, Some(Box::new(Takes(Some(10)))));
        outbox.try_push(item(10, &in_flight)).ok().unwrap();
        assert_eq!(in_flight.count(), 0);
        // Something queued already: the new message waits its turn, not written here.
        let (outbox, in_flight) = outbox_writing_here(100, Some(Box::new(Takes(Some(10)))));
        outbox.enqueue(&mut outbox.lock(), item(3, &in_flight));
        outbox.try_push(item(10, &in_flight)).ok().unwrap();
        assert_eq!(in_flight.count(), 2, "both wait for the writer, in order");
        assert_eq!(outbox.pop().unwrap().data.len(), 3);
    }

    fn item(len: usize, in_flight: &Arc<InFlight>) -> Outgoing {
        Outgoing::new(vec![7; len], None, Ticket::new(in_flight))
    }

    #[test]
    fn a_full_queue_refuses_whole_and_takes_an_oversized_message_when_empty() {
        let (outbox, in_flight) = outbox(10);
        assert!(
            outbox.try_push(item(25, &in_flight)).is_ok(),
            "empty: taken"
        );
        assert!(matches!(
            outbox.try_push(item(1, &in_flight)),
            Err(Refused::Full(25))
        ));
        assert_eq!(
            in_flight.count(),
            1,
            "the refused message's ticket is dropped"
        );
        let popped = outbox.pop().unwrap();
        outbox.written(popped.data.len());
        drop(popped);
        assert_eq!(in_flight.count(), 0);
        assert!(outbox.try_push(item(10, &in_flight)).is_ok(), "room again");
    }

    #[test]
    fn a_waiting_producer_continues_when_the_writer_makes_room_and_gives_up_on_close_or_stop() {
        let (outbox, in_flight) = outbox(10);
        let outbox = Arc::new(outbox);
        let stop = Stop::new();
        outbox.try_push(item(10, &in_flight)).ok().unwrap();
        let producer = waiting_producer(&outbox, &in_flight, 5, &stop);
        assert!(producer.is_empty(), "the producer waits: nothing dropped");
        let first = outbox.pop().unwrap();
        outbox.written(first.data.len());
        assert!(ended(&producer), "queued once there was room");
        assert_eq!(outbox.pop().unwrap().data.len(), 5);

        // Two waiting (the 5 bytes popped are still being written): each is woken in turn.
        outbox.try_push(item(5, &in_flight)).ok().unwrap();
        let (first, second) = (
            waiting_producer(&outbox, &in_flight, 3, &stop),
            waiting_producer(&outbox, &in_flight, 3, &stop),
        );
        outbox.written(5);
        let next = outbox.pop().unwrap();
        outbox.written(next.data.len());
        assert!(ended(&first) && ended(&second));
        let queued = outbox.pop().unwrap().data.len() + outbox.pop().unwrap().data.len();
        outbox.written(queued);

        outbox.try_push(item(10, &in_flight)).ok().unwrap();
        let stopped = waiting_producer(&outbox, &in_flight, 20, &stop);
        stop.signal();
        assert!(!ended(&stopped), "a stop wakes a waiting producer");

        let stuck = waiting_producer(&outbox, &in_flight, 20, &Stop::new());
        outbox.close();
        assert!(!ended(&stuck), "close wakes a waiting producer");
        assert!(outbox.pop().is_none());
    }

    /// A thread that queues `len` bytes with `push_wait`, giving up on `stop`; returns once it
    /// waits for room, with where it says how that ended (true once queued, false when given
    /// back).
    fn waiting_producer(
        outbox: &Arc<Outbox>,
        in_flight: &Arc<InFlight>,
        len: usize,
        stop: &Stop,
    ) -> Receiver<bool> {
        let (outbox, in_flight, stop) = (outbox.clone(), in_flight.clone(), stop.clone());
        let waiting_before = outbox.lock().waiting;
        let (tell, told) = bounded(1);
        {
            let outbox = outbox.clone();
            std::thread::spawn(move || {
                let queued = outbox.push_wait(item(len, &in_flight), &[stop.receiver()]);
                let _ = tell.send(queued.is_ok());
            });
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while outbox.lock().waiting == waiting_before {
            assert!(
                std::time::Instant::now() < deadline,
                "the producer never waited for room"
            );
            std::thread::yield_now();
        }
        told
    }

    /// How a waiting producer ended; a producer that is never woken fails the test.
    fn ended(producer: &Receiver<bool>) -> bool {
        producer
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the producer was never woken")
    }
}
