//! Series for the live plots, from the log's rows without decoding any text: bytes per second
//! in and out, and round trips (a send to the next receive from the same peer). Kept from
//! frame to frame: each update looks only at the rows shown since the last, so the plots cost
//! the same at a million rows as at a hundred.

use std::collections::HashMap;
use std::net::SocketAddr;

use crate::gui::model::log::{Direction, Log, LogFilter};
use crate::gui::model::page::ShownRows;
use crate::net::ClientId;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct TrafficSeries {
    /// `[seconds since the first row, bytes]` per whole second.
    pub rx_per_second: Vec<[f64; 2]>,
    pub tx_per_second: Vec<[f64; 2]>,
    /// `[seconds since the first row, milliseconds]` per answered send.
    pub round_trips_ms: Vec<[f64; 2]>,
}

/// Seconds a series spans at most (a day); past it, it starts afresh.
const SECONDS_KEPT: usize = 24 * 3600;
/// Round trips kept at most; past it, the older half goes.
const ROUND_TRIPS_KEPT: usize = 100_000;

/// The series of the rows shown, brought up to date each frame.
#[derive(Default)]
pub struct TrafficTracker {
    /// The filter the series is for; another one starts it afresh.
    filter: Option<LogFilter>,
    /// The number (since the log began) of the next row to look at.
    next: u64,
    /// When the first row happened, in microseconds since the Unix epoch.
    start_us: Option<i64>,
    /// Bytes `[received, sent]` per second since the first row.
    buckets: Vec<[u64; 2]>,
    /// Per peer: when the first send not yet answered went out.
    waiting: HashMap<(SocketAddr, Option<ClientId>), i64>,
    round_trips_ms: Vec<[f64; 2]>,
}

impl TrafficTracker {
    /// Takes in the rows of `shown` (which passed `filter`) not seen yet, and returns the
    /// series.
    pub fn update(&mut self, log: &Log, filter: &LogFilter, shown: &ShownRows) -> TrafficSeries {
        if self.filter.as_ref() != Some(filter) {
            *self = TrafficTracker {
                filter: Some(filter.clone()),
                next: log.first(),
                ..TrafficTracker::default()
            };
        }
        let from = self.next.saturating_sub(log.first()) as usize;
        for position in shown.position_from(from)..shown.len() {
            self.take(log, shown.row(position));
        }
        // Past the last row shown: rows after a pause are taken once it ends.
        if let Some(last) = shown.len().checked_sub(1) {
            self.next = self.next.max(log.first() + shown.row(last) as u64 + 1);
        }
        self.series()
    }

    fn take(&mut self, log: &Log, row: usize) {
        let direction = log.direction(row);
        let slot = match direction {
            Direction::Rx => 0,
            Direction::Tx => 1,
            Direction::Info | Direction::Error => return,
        };
        let time = log.time_us(row);
        let start = *self.start_us.get_or_insert(time);
        let bucket = ((time - start).max(0) / 1_000_000) as usize;
        if bucket >= SECONDS_KEPT {
            *self = TrafficTracker {
                filter: self.filter.take(),
                ..TrafficTracker::default()
            };
            return self.take(log, row);
        }
        if self.buckets.len() <= bucket {
            self.buckets.resize(bucket + 1, [0, 0]);
        }
        self.buckets[bucket][slot] += log.data_len(row) as u64;
        let Some(peer) = log.peer_index(row).map(|i| log.peers()[i]) else {
            return;
        };
        match direction {
            Direction::Tx => {
                self.waiting.entry(peer).or_insert(time);
            }
            _ => {
                if let Some(sent) = self.waiting.remove(&peer) {
                    if self.round_trips_ms.len() >= ROUND_TRIPS_KEPT {
                        self.round_trips_ms.drain(..ROUND_TRIPS_KEPT / 2);
                    }
                    let at = (time - start) as f64 / 1e6;
                    self.round_trips_ms
                        .push([at, (time - sent) as f64 / 1000.0]);
                }
            }
        }
    }

    fn series(&self) -> TrafficSeries {
        let per_second = |slot: usize| {
            let seconds = self.buckets.iter().enumerate();
            seconds
                .map(|(s, bytes)| [s as f64, bytes[slot] as f64])
                .collect()
        };
        TrafficSeries {
            rx_per_second: per_second(0),
            tx_per_second: per_second(1),
            round_trips_ms: self.round_trips_ms.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::codec::TextEncoding;
    use crate::net::{Event, EventKind};

    /// `kind` as it happened `ms` after a fixed moment (its messages too).
    fn at(ms: u64, mut kind: EventKind) -> Event {
        let time = UNIX_EPOCH + Duration::from_millis(1_000_000 + ms);
        if let EventKind::Received { messages, .. } = &mut kind {
            messages.iter_mut().for_each(|message| message.time = time);
        }
        Event::at(time, kind)
    }

    #[test]
    fn bytes_per_second_and_round_trips_from_sends_to_the_next_reply() {
        let peer = "127.0.0.1:9".parse().unwrap();
        let sent = |n: usize| EventKind::sent(None, peer, vec![0; n]);
        let received = |n: usize| EventKind::received(None, peer, vec![0; n]);
        let mut log = Log::new(TextEncoding::Utf8, true);
        for event in [
            at(0, sent(10)),
            at(5, sent(10)), // still waiting: the round trip counts from the first send
            at(20, received(4)),
            at(1500, sent(3)),
            at(1530, received(7)),
            at(1600, received(1)), // nothing was waiting: no round trip
        ] {
            log.push_event(event);
        }
        let mut tracker = TrafficTracker::default();
        let all = LogFilter::default();
        // Two updates: the second takes only the rows added since the first.
        let first_half = tracker.update(&log, &all, &ShownRows::First(3));
        assert_eq!(first_half.tx_per_second, [[0.0, 20.0]]);
        let series = tracker.update(&log, &all, &ShownRows::First(log.len()));
        assert_eq!(series.tx_per_second, [[0.0, 20.0], [1.0, 3.0]]);
        assert_eq!(series.rx_per_second, [[0.0, 4.0], [1.0, 8.0]]);
        assert_eq!(series.round_trips_ms, [[0.02, 20.0], [1.53, 30.0]]);
        // Nothing new: the same series, nothing counted twice; a new filter starts afresh.
        assert_eq!(
            tracker.update(&log, &all, &ShownRows::First(log.len())),
            series
        );
        let sent_only = LogFilter {
            rx: false,
            ..LogFilter::default()
        };
        let mut search = crate::gui::model::log::RowSearch::default();
        let found = search.update(&log, &sent_only, "", log.len());
        let sends = tracker.update(&log, &sent_only, &ShownRows::Only(found));
        assert_eq!(sends.tx_per_second, series.tx_per_second);
        assert!(sends.rx_per_second.iter().all(|&[_, bytes]| bytes == 0.0));
    }
}
