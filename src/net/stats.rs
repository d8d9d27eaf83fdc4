//! Byte and message counters, updated by the threads that read and write.

use std::sync::atomic::{AtomicU64, Ordering};

/// Byte and message counters, updated by the worker threads and read by anyone.
#[derive(Debug, Default)]
pub struct Counters {
    rx_bytes: AtomicU64,
    rx_messages: AtomicU64,
    tx_bytes: AtomicU64,
    tx_messages: AtomicU64,
}

/// A reading of [`Counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub rx_bytes: u64,
    pub rx_messages: u64,
    pub tx_bytes: u64,
    pub tx_messages: u64,
    /// Datagrams the kernel dropped because the receive buffer was full (UDP on Linux). Where
    /// no count is known it stays 0, and `drops_not_counted_on` says so: show that, not this 0.
    pub kernel_dropped: u64,
}

impl Counters {
    /// Bytes read and the messages they made: one per read, or per frame with framing.
    pub fn add_rx(&self, bytes: usize, messages: usize) {
        add(&self.rx_bytes, bytes as u64);
        add(&self.rx_messages, messages as u64);
    }

    pub fn add_tx(&self, bytes: usize) {
        add(&self.tx_bytes, bytes as u64);
        add(&self.tx_messages, 1);
    }

    /// A message counted as it was handed to the socket did not go out after all. A Reset
    /// between the count and this leaves less than is taken back: the counter stops at 0.
    pub fn take_back_tx(&self, bytes: usize) {
        take_back(&self.tx_bytes, bytes as u64);
        take_back(&self.tx_messages, 1);
    }

    pub fn totals(&self) -> Totals {
        Totals {
            rx_bytes: self.rx_bytes.load(Ordering::Relaxed),
            rx_messages: self.rx_messages.load(Ordering::Relaxed),
            tx_bytes: self.tx_bytes.load(Ordering::Relaxed),
            tx_messages: self.tx_messages.load(Ordering::Relaxed),
            // Read from the socket by the session (`Session::totals`).
            kernel_dropped: 0,
        }
    }

    pub fn reset(&self) {
        for counter in [
            &self.rx_bytes,
            &self.rx_messages,
            &self.tx_bytes,
            &self.tx_messages,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }
}

impl Totals {
    /// Two readings summed (a session's earlier runs and the current one); a sum past
    /// `u64::MAX` stays there rather than wrapping to a small number.
    pub fn saturating_add(self, other: Totals) -> Totals {
        Totals {
            rx_bytes: self.rx_bytes.saturating_add(other.rx_bytes),
            rx_messages: self.rx_messages.saturating_add(other.rx_messages),
            tx_bytes: self.tx_bytes.saturating_add(other.tx_bytes),
            tx_messages: self.tx_messages.saturating_add(other.tx_messages),
            kernel_dropped: self.kernel_dropped.saturating_add(other.kernel_dropped),
        }
    }
}

/// Adds to a counter, stopping at `u64::MAX`.
fn add(counter: &AtomicU64, amount: u64) {
    // The closure always returns Some, so the update cannot fail.
    let _ = counter.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |now| {
        Some(now.saturating_add(amount))
    });
}

/// Takes from a counter, stopping at 0.
fn take_back(counter: &AtomicU64, amount: u64) {
    let _ = counter.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |now| {
        Some(now.saturating_sub(amount))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Reset between counting a message and taking it back (its send failed) leaves the
    /// counters at 0, not at 18,446,744,073,709,551,6xx.
    #[test]
    fn a_take_back_after_a_reset_stops_at_zero() {
        let counters = Counters::default();
        counters.add_tx(100);
        counters.reset();
        counters.take_back_tx(100);
        assert_eq!(counters.totals(), Totals::default());
        counters.add_tx(10);
        counters.take_back_tx(100);
        let totals = counters.totals();
        assert_eq!((totals.tx_bytes, totals.tx_messages), (0, 0));
    }

    #[test]
    fn counters_and_sums_stop_at_the_top() {
        let counters = Counters::default();
        counters.add_rx(usize::MAX, 1);
        counters.add_rx(usize::MAX, 1);
        counters.add_rx(usize::MAX, 1);
        assert_eq!(counters.totals().rx_messages, 3);
        assert!(counters.totals().rx_bytes >= usize::MAX as u64);
        let big = Totals {
            rx_bytes: u64::MAX - 1,
            rx_messages: u64::MAX,
            tx_bytes: u64::MAX,
            tx_messages: 1,
            kernel_dropped: u64::MAX,
        };
        let sum = big.saturating_add(big);
        assert_eq!(
            sum,
            Totals {
                rx_bytes: u64::MAX,
                rx_messages: u64::MAX,
                tx_bytes: u64::MAX,
                tx_messages: 2,
                kernel_dropped: u64::MAX,
            }
        );
    }
}
