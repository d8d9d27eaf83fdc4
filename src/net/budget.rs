//! A session's memory budget: what its connections hold in framing buffers and send queues,
//! together. Past the budget, the connection holding the most is closed (with its own error),
//! so a crowd of clients that each stay under their own limit cannot exhaust the machine.
//! Until a closed connection has freed what it held, the others' readers wait to read more:
//! what the session holds stays within the budget however slowly the closed ones end.

use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crossbeam_channel::{Receiver, Sender, bounded};
use socket2::{SockRef, Socket};

use crate::net::interrupt::shut_down_and_wake;
use crate::net::stoppable::{Stop, any_signalled, wait_any};

/// Sets glibc's allocator up for the engine's buffers. Call once at start-up, before threads
/// are started.
/// - A fixed mmap threshold: glibc raises its threshold after large buffers are freed, so
///   later ones come from heaps it seldom returns; with many connections each growing a
///   large frame, resident memory ended near twice the budget. Fixed, large buffers are
///   mapped on their own and returned when freed.
/// - One arena: each connection's reader allocates the buffers it reads into, and the log
///   frees them on another thread. With an arena per thread, a new connection's reader often
///   starts on an arena whose memory went back to the system, and its reads fault fresh
///   pages in (two to three times the page faults of a flood over four connections,
///   `docs/PERFORMANCE.md`); with one, memory freed by any thread is what the next read gets.
pub fn set_up_the_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator settings; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// The budget a session gets unless told otherwise.
pub const DEFAULT_MEMORY_BUDGET: usize = 256 * 1024 * 1024;

pub(crate) struct Budget {
    limit: usize,
    used: AtomicUsize,
    /// Readers in [`Budget::wait_for_room`]: releases wake them only when there are any.
    waiting: AtomicUsize,
    members: Mutex<Vec<Arc<Usage>>>,
}

/// What one connection holds, and how to close it if it holds too much.
pub(crate) struct Usage {
    held: AtomicUsize,
    /// Signalled when the budget closes this connection: its reader's waits (for room here,
    /// in a send queue) end.
    eviction: Stop,
    /// What it held when the budget closed it (for the error row).
    held_at_eviction: AtomicUsize,
    socket: Option<Arc<Socket>>,
    /// Its reader waits for room; a release leaves a token.
    waiting: AtomicBool,
    wake: (Sender<()>, Receiver<()>),
}

impl Usage {
    /// True when the budget closed this connection; the reader reports why.
    pub fn was_evicted(&self) -> bool {
        self.eviction.is_stopped()
    }

    /// Ready once the budget closed this connection: for waits that should then end.
    pub fn eviction(&self) -> &Receiver<()> {
        self.eviction.receiver()
    }

    pub fn held(&self) -> usize {
        self.held.load(Ordering::Acquire)
    }

    pub fn held_at_eviction(&self) -> usize {
        self.held_at_eviction.load(Ordering::Acquire)
    }
}

impl Budget {
    pub fn new(limit: usize) -> Budget {
        Budget {
            limit,
            used: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            members: Mutex::new(Vec::new()),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Registers a connection; `socket` is shut down if the budget has to close it.
    pub fn join(&self, socket: Option<Arc<Socket>>) -> Arc<Usage> {
        let usage = Arc::new(Usage {
            held: AtomicUsize::new(0),
            eviction: Stop::new(),
            held_at_eviction: AtomicUsize::new(0),
            socket,
            waiting: AtomicBool::new(false),
            wake: bounded(1),
        });
        self.members().push(usage.clone());
        usage
    }

    /// The connection ended: what it still held is free again.
    pub fn leave(&self, usage: &Arc<Usage>) {
        let held = usage.held.swap(0, Ordering::AcqRel);
        self.used.fetch_sub(held, Ordering::SeqCst);
        self.members().retain(|member| !Arc::ptr_eq(member, usage));
        self.wake_the_waiting(held);
    }

    /// `usage` holds `bytes` more. Over the budget, the largest holder is closed.
    pub fn charge(&self, usage: &Usage, bytes: usize) {
        usage.held.fetch_add(bytes, Ordering::AcqRel);
        let used = self.used.fetch_add(bytes, Ordering::SeqCst) + bytes;
        if used > self.limit {
            self.evict_largest();
        }
    }

    pub fn release(&self, usage: &Usage, bytes: usize) {
        // A connection that left already gave back everything it held.
        let released = usage
            .held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                Some(held.saturating_sub(bytes))
            })
            .map_or(0, |held| held.min(bytes));
        self.used.fetch_sub(released, Ordering::SeqCst);
        self.wake_the_waiting(released);
    }

    /// Waits while the session holds more than its budget, which happens only while
    /// connections it closed have not yet freed what they held: a reader that read on would
    /// take resident memory past the budget (its peer waits in TCP meanwhile). Returns once
    /// under the budget, once `usage` itself is closed by it, or when any of `give_up` is
    /// signalled; wakes on releases, never on a timer.
    pub fn wait_for_room(&self, usage: &Usage, give_up: &[&Receiver<()>]) {
        // Counted before looking, so a release that follows the look sees the waiter.
        self.waiting.fetch_add(1, Ordering::SeqCst);
        usage.waiting.store(true, Ordering::SeqCst);
        while self.used.load(Ordering::SeqCst) > self.limit
            && !usage.was_evicted()
            && !any_signalled(give_up)
        {
            let wakers: Vec<&Receiver<()>> = [&usage.wake.1, usage.eviction()]
                .into_iter()
                .chain(give_up.iter().copied())
                .collect();
            wait_any(&wakers);
        }
        usage.waiting.store(false, Ordering::SeqCst);
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }

    /// True while the session holds more than its budget (see [`Budget::wait_for_room`]).
    pub fn is_over(&self) -> bool {
        self.used.load(Ordering::Acquire) > self.limit
    }

    /// After `released` bytes were freed: readers waiting for room look again, once it is
    /// under the budget.
    fn wake_the_waiting(&self, released: usize) {
        if released == 0
            || self.waiting.load(Ordering::SeqCst) == 0
            || self.used.load(Ordering::SeqCst) > self.limit
        {
            return;
        }
        for member in self.members().iter() {
            if member.waiting.load(Ordering::SeqCst) {
                let _ = member.wake.0.try_send(());
            }
        }
    }

    /// Closes the connections that hold the most until what the others hold fits the budget.
    /// A closed one stops reading at once and frees its buffers then; its send queue's
    /// memory when its threads end.
    fn evict_largest(&self) {
        let members = self.members();
        // Read before what the closing ones hold: one that frees memory in between is then
        // counted as still holding it (more is closed), never subtracted twice (too little).
        let used = self.used.load(Ordering::SeqCst);
        let closing: usize = members
            .iter()
            .filter(|member| member.was_evicted())
            .map(|member| member.held())
            .sum();
        let mut kept = used.saturating_sub(closing);
        while kept > self.limit {
            let Some(largest) = members
                .iter()
                .filter(|member| !member.was_evicted())
                .max_by_key(|member| member.held())
            else {
                return;
            };
            let held = largest.held();
            largest.held_at_eviction.store(held, Ordering::Release);
            // Before the shutdown: the reader it wakes asks whether the budget closed it.
            largest.eviction.signal();
            if let Some(socket) = &largest.socket {
                shut_down_and_wake(SockRef::from(&**socket), Shutdown::Both);
            }
            kept = kept.saturating_sub(held);
        }
    }

    fn members(&self) -> MutexGuard<'_, Vec<Arc<Usage>>> {
        crate::net::front_end::assert_engine_thread();
        // The list stays valid even if a holder panicked: take it anyway.
        self.members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn past_the_budget_the_largest_holder_is_closed_once() {
        let budget = Budget::new(100);
        let small = budget.join(None);
        let large = budget.join(None);
        budget.charge(&small, 30);
        budget.charge(&large, 60);
        assert!(!small.was_evicted() && !large.was_evicted());
        budget.charge(&small, 20);
        assert!(large.was_evicted() && !small.was_evicted());
        assert_eq!(large.held_at_eviction(), 60);
        budget.charge(&small, 50);
        assert!(!small.was_evicted(), "the rest fits while the first closes");
        budget.charge(&small, 1);
        assert!(small.was_evicted(), "then the next largest");
        budget.release(&small, 1000);
        assert_eq!(small.held(), 0);
    }

    /// Starts a reader's wait for room on its own thread; the receiver hears when it returns.
    fn waiting_reader(
        budget: &Arc<Budget>,
        usage: &Arc<Usage>,
        give_up: Receiver<()>,
    ) -> Receiver<()> {
        let (done_tx, done_rx) = bounded(1);
        let (budget, usage) = (budget.clone(), usage.clone());
        std::thread::spawn(move || {
            budget.wait_for_room(&usage, &[&give_up]);
            let _ = done_tx.send(());
        });
        done_rx
    }

    /// True when the wait has not returned after a while (it would have by then if woken).
    fn still_waiting(done: &Receiver<()>) -> bool {
        done.recv_timeout(Duration::from_millis(200)).is_err()
    }

    fn ends(done: &Receiver<()>) -> bool {
        done.recv_timeout(Duration::from_secs(10)).is_ok()
    }

    #[test]
    fn readers_wait_while_a_closed_connection_still_holds_its_memory() {
        let budget = Arc::new(Budget::new(100));
        let (closing, reader) = (budget.join(None), budget.join(None));
        budget.charge(&closing, 80);
        budget.charge(&reader, 30);
        assert!(closing.was_evicted() && budget.is_over());
        let (_never_tx, never) = bounded::<()>(0);

        let done = waiting_reader(&budget, &reader, never.clone());
        assert!(
            still_waiting(&done),
            "110 held: over while the closed one holds 80"
        );
        budget.release(&closing, 5);
        assert!(still_waiting(&done), "105 held: still over");
        budget.leave(&closing);
        assert!(
            ends(&done),
            "woken once the closed one has freed its memory"
        );
        assert!(!budget.is_over());

        // Closed by the budget while it waits (its send queue grew): it ends at once.
        let closing = budget.join(None);
        budget.charge(&closing, 80);
        assert!(closing.was_evicted() && budget.is_over());
        let done = waiting_reader(&budget, &reader, never.clone());
        assert!(still_waiting(&done));
        budget.charge(&reader, 80);
        assert!(reader.was_evicted());
        assert!(ends(&done), "woken by its own eviction");

        // So does a stop.
        let fresh = budget.join(None);
        let (stop_tx, stop) = bounded::<()>(0);
        let done = waiting_reader(&budget, &fresh, stop);
        assert!(still_waiting(&done));
        drop(stop_tx);
        assert!(ends(&done), "woken by the stop");
    }
}
