//! A session's memory budget: what its connections hold in framing buffers and send queues,
//! together. Past the budget, the connection holding the most is closed (with its own error),
//! so a crowd of clients that each stay under their own limit cannot exhaust the machine.

use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use socket2::{SockRef, Socket};

use crate::net::interrupt::shut_down_and_wake;

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
    members: Mutex<Vec<Arc<Usage>>>,
}

/// What one connection holds, and how to close it if it holds too much.
pub(crate) struct Usage {
    held: AtomicUsize,
    evicted: AtomicBool,
    /// What it held when the budget closed it (for the error row).
    held_at_eviction: AtomicUsize,
    socket: Option<Arc<Socket>>,
}

impl Usage {
    /// True when the budget closed this connection; the reader reports why.
    pub fn was_evicted(&self) -> bool {
        self.evicted.load(Ordering::Acquire)
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
            evicted: AtomicBool::new(false),
            held_at_eviction: AtomicUsize::new(0),
            socket,
        });
        self.members().push(usage.clone());
        usage
    }

    /// The connection ended: what it still held is free again.
    pub fn leave(&self, usage: &Arc<Usage>) {
        let held = usage.held.swap(0, Ordering::AcqRel);
        self.used.fetch_sub(held, Ordering::AcqRel);
        self.members().retain(|member| !Arc::ptr_eq(member, usage));
    }

    /// `usage` holds `bytes` more. Over the budget, the largest holder is closed.
    pub fn charge(&self, usage: &Usage, bytes: usize) {
        usage.held.fetch_add(bytes, Ordering::AcqRel);
        let used = self.used.fetch_add(bytes, Ordering::AcqRel) + bytes;
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
        self.used.fetch_sub(released, Ordering::AcqRel);
    }

    /// Closes the connections that hold the most until what the others hold fits the budget.
    /// A closed one stops reading at once; its memory is freed when its threads end.
    fn evict_largest(&self) {
        let members = self.members();
        let closing: usize = members
            .iter()
            .filter(|member| member.was_evicted())
            .map(|member| member.held())
            .sum();
        let mut kept = self.used.load(Ordering::Acquire).saturating_sub(closing);
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
            largest.evicted.store(true, Ordering::Release);
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
}
