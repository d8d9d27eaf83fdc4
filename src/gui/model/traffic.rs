//! Series for the live plots, from the log's rows without decoding any text: bytes per second
//! in and out, and round trips (a send to the next receive from the same peer).

use std::collections::HashMap;

use crate::gui::model::log::{Direction, Log};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct TrafficSeries {
    /// `[seconds since the first row, bytes]` per whole second.
    pub rx_per_second: Vec<[f64; 2]>,
    pub tx_per_second: Vec<[f64; 2]>,
    /// `[seconds since the first row, milliseconds]` per answered send.
    pub round_trips_ms: Vec<[f64; 2]>,
}

/// The series over `rows` (indices into `log`, oldest first).
pub fn traffic_series(log: &Log, rows: impl IntoIterator<Item = usize>) -> TrafficSeries {
    let mut series = TrafficSeries::default();
    let mut rows = rows.into_iter().peekable();
    let Some(&first) = rows.peek() else {
        return series;
    };
    let start = log.time_us(first);
    let seconds = |t: i64| (t - start) as f64 / 1e6;
    let mut buckets: Vec<[u64; 2]> = Vec::new();
    // Per peer: when the first send not yet answered went out.
    let mut waiting: HashMap<usize, i64> = HashMap::new();
    for i in rows {
        let (direction, time) = (log.direction(i), log.time_us(i));
        let slot = match direction {
            Direction::Rx => 0,
            Direction::Tx => 1,
            Direction::Info | Direction::Error => continue,
        };
        let bucket = ((time - start).max(0) / 1_000_000) as usize;
        if buckets.len() <= bucket {
            buckets.resize(bucket + 1, [0, 0]);
        }
        buckets[bucket][slot] += log.data_len(i) as u64;
        let Some(peer) = log.peer_index(i) else {
            continue;
        };
        match direction {
            Direction::Tx => {
                waiting.entry(peer).or_insert(time);
            }
            _ => {
                if let Some(sent) = waiting.remove(&peer) {
                    series
                        .round_trips_ms
                        .push([seconds(time), (time - sent) as f64 / 1000.0]);
                }
            }
        }
    }
    for (second, [rx, tx]) in buckets.into_iter().enumerate() {
        series.rx_per_second.push([second as f64, rx as f64]);
        series.tx_per_second.push([second as f64, tx as f64]);
    }
    series
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::codec::TextEncoding;
    use crate::net::{Event, EventKind};

    fn at(ms: u64, kind: EventKind) -> Event {
        Event {
            time: UNIX_EPOCH + Duration::from_millis(1_000_000 + ms),
            kind,
        }
    }

    #[test]
    fn bytes_per_second_and_round_trips_from_sends_to_the_next_reply() {
        let peer = "127.0.0.1:9".parse().unwrap();
        let sent = |n: usize| EventKind::Sent {
            client: None,
            peer,
            data: vec![0; n],
        };
        let received = |n: usize| EventKind::Received {
            client: None,
            peer,
            data: vec![0; n],
        };
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
        let series = traffic_series(&log, 0..log.len());
        assert_eq!(series.tx_per_second, [[0.0, 20.0], [1.0, 3.0]]);
        assert_eq!(series.rx_per_second, [[0.0, 4.0], [1.0, 8.0]]);
        assert_eq!(series.round_trips_ms, [[0.02, 20.0], [1.53, 30.0]]);
    }
}
