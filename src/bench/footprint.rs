//! What a measurement leaves behind: the process's threads and open descriptors (sockets among
//! them), read from /proc. Each measurement must end with the process as it started, or the
//! next one is measured against threads that still run and sockets that still take traffic.

use std::time::{Duration, Instant};

/// How long a measurement's sessions may take to wind down (their threads end by themselves
/// after a stop; nothing waits for them).
const SETTLE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Footprint {
    pub threads: usize,
    pub descriptors: usize,
}

impl Footprint {
    /// Now; None where /proc does not say (off Linux).
    pub fn now() -> Option<Footprint> {
        let count = |dir: &str| std::fs::read_dir(dir).ok().map(Iterator::count);
        Some(Footprint {
            threads: count("/proc/self/task")?,
            descriptors: count("/proc/self/fd")?,
        })
    }

    /// Waits (a little) until the process is back to `self`; what is still more than then.
    pub fn settle_back(self) -> Footprint {
        let deadline = Instant::now() + SETTLE;
        loop {
            let Some(now) = Footprint::now() else {
                return Footprint::default();
            };
            let extra = Footprint {
                threads: now.threads.saturating_sub(self.threads),
                descriptors: now.descriptors.saturating_sub(self.descriptors),
            };
            if extra == Footprint::default() || Instant::now() >= deadline {
                return extra;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
