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
        self.rx_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.rx_messages
            .fetch_add(messages as u64, Ordering::Relaxed);
    }

    pub fn add_tx(&self, bytes: usize) {
        self.tx_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.tx_messages.fetch_add(1, Ordering::Relaxed);
    }

    /// A message counted as it was handed to the socket did not go out after all.
    pub fn take_back_tx(&self, bytes: usize) {
        self.tx_bytes.fetch_sub(bytes as u64, Ordering::Relaxed);
        self.tx_messages.fetch_sub(1, Ordering::Relaxed);
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
