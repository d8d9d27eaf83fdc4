//! Hands out requests: their sequence numbers, the count limit, and the rate.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The rate is a token bucket holding one token, shared by all clients: request `n` may go at
/// `start + n / rate` at the earliest, and time not used is not saved up for a burst.
pub(crate) struct Pacer {
    interval: Option<Duration>,
    next_slot: Mutex<Option<Instant>>,
    issued: AtomicU64,
    count: Option<u64>,
}

impl Pacer {
    pub fn new(rate: Option<f64>, count: Option<u64>) -> Pacer {
        Pacer {
            interval: rate.map(|r| Duration::from_secs_f64(1.0 / r)),
            next_slot: Mutex::new(None),
            issued: AtomicU64::new(0),
            count,
        }
    }

    /// The next request's sequence number and the time it may be sent; None once `count`
    /// requests have been handed out.
    pub fn next(&self) -> Option<(u64, Instant)> {
        let seq = self.issued.fetch_add(1, Ordering::Relaxed);
        if self.count.is_some_and(|count| seq >= count) {
            return None;
        }
        let now = Instant::now();
        let Some(interval) = self.interval else {
            return Some((seq, now));
        };
        let mut next_slot = self.next_slot.lock().unwrap_or_else(|p| p.into_inner());
        let slot = next_slot.map_or(now, |slot| slot.max(now));
        *next_slot = Some(slot + interval);
        Some((seq, slot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_limits_the_tickets_and_numbers_them_in_order() {
        let pacer = Pacer::new(None, Some(3));
        let seqs: Vec<u64> = std::iter::from_fn(|| pacer.next().map(|(seq, _)| seq)).collect();
        assert_eq!(seqs, [0, 1, 2]);
    }

    #[test]
    fn slots_are_one_interval_apart_when_asked_at_once() {
        let pacer = Pacer::new(Some(100.0), None);
        let slots: Vec<Instant> = (0..5).map(|_| pacer.next().unwrap().1).collect();
        for pair in slots.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(10) - Duration::from_micros(1));
        }
    }
}
