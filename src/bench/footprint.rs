//! What a measurement leaves behind: the process's threads and open descriptors (sockets among
//! them), read from /proc, and the heap's live bytes (queues, buffers, logs not let go of), from
//! the counting allocator. Each measurement must end with the process as it started, or the
//! next one is measured against threads that still run, sockets that still take traffic and
//! memory that is still held.

use std::time::{Duration, Instant};

/// How long a measurement's sessions may take to wind down (their threads end by themselves
/// after a stop; nothing waits for them).
const SETTLE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Footprint {
    pub threads: usize,
    pub descriptors: usize,
    pub heap_bytes: usize,
}

impl Footprint {
    /// Now; None where /proc does not say (off Linux).
    pub fn now() -> Option<Footprint> {
        let count = |dir: &str| std::fs::read_dir(dir).ok().map(Iterator::count);
        Some(Footprint {
            threads: count("/proc/self/task")?,
            descriptors: count("/proc/self/fd")?,
            heap_bytes: super::alloc_count::live_bytes().max(0) as usize,
        })
    }

    /// Waits (a little) until the process's threads and descriptors are back to `self`; what
    /// is still more than then, and the heap bytes more than `self`'s but for `kept`, which
    /// the caller still holds on purpose. The heap is read once the threads have ended, as
    /// they free what they held (or when the wait runs out, with the threads said too).
    pub fn settle_back(self, kept: usize) -> Footprint {
        let deadline = Instant::now() + SETTLE;
        loop {
            let Some(now) = Footprint::now() else {
                return Footprint::default();
            };
            let threads = now.threads.saturating_sub(self.threads);
            let descriptors = now.descriptors.saturating_sub(self.descriptors);
            if threads + descriptors == 0 || Instant::now() >= deadline {
                return Footprint {
                    threads,
                    descriptors,
                    heap_bytes: now.heap_bytes.saturating_sub(self.heap_bytes + kept),
                };
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
