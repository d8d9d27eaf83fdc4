//! Which rows pass the log's filter: direction, peer and text.

use std::sync::Arc;

use super::*;
use crate::gui::i18n::Language;

/// Which rows the log view shows. Empty text fields match everything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogFilter {
    pub rx: bool,
    pub tx: bool,
    /// Info and error rows.
    pub events: bool,
    /// Part of the peer address, like `:502` or `192.168.1.`.
    pub peer: String,
    /// Part of the text or of the hex (`01 03`), any case.
    pub text: String,
    /// Only this client's rows (TCP server).
    pub client: Option<ClientId>,
}

impl Default for LogFilter {
    fn default() -> LogFilter {
        LogFilter {
            rx: true,
            tx: true,
            events: true,
            peer: String::new(),
            text: String::new(),
            client: None,
        }
    }
}

impl LogFilter {
    /// True when some rows may be hidden.
    pub fn is_active(&self) -> bool {
        *self != LogFilter::default()
    }

    pub fn matches(&self, row: &LogRow) -> bool {
        let direction = match row.direction {
            Direction::Rx => self.rx,
            Direction::Tx => self.tx,
            Direction::Info | Direction::Error => self.events,
        };
        direction
            && self.client.is_none_or(|id| row.client == Some(id))
            && (self.peer.is_empty()
                || row
                    .peer
                    .is_some_and(|p| p.to_string().contains(self.peer.trim())))
            && (self.text.is_empty() || row_contains(row, &self.text))
    }
}

/// Whether a row's text or hex holds `needle`, ignoring case.
pub fn row_contains(row: &LogRow, needle: &str) -> bool {
    let needle = needle.to_lowercase();
    row.text.to_lowercase().contains(&needle)
        || format_hex(row.data).to_lowercase().contains(&needle)
}

/// The rows that pass a filter and hold a search text, kept from frame to frame: each update
/// looks only at the rows added since the last one, so a frame with a filter on costs the
/// same at a million rows as at a hundred.
#[derive(Default)]
pub struct RowSearch {
    /// What the results are for; anything else starts the search afresh (notes are worded in
    /// the language of the moment, so a switch may change what they hold).
    key: Option<(LogFilter, String, TextEncoding, Language)>,
    /// Rows found, as numbers since the log began (`log.first()` + index), oldest first;
    /// shared with the view's snapshot of the frame.
    found: Arc<Vec<u64>>,
    /// Entries of `found` before this are rows the log has dropped.
    start: usize,
    /// The number of the next row to look at.
    next: u64,
}

/// Rows found by a [`RowSearch`] as one frame sees them.
#[derive(Clone)]
pub struct Found {
    rows: Arc<Vec<u64>>,
    start: usize,
    len: usize,
    first: u64,
}

impl Found {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn numbers(&self) -> &[u64] {
        &self.rows[self.start..self.start + self.len]
    }

    /// The log index of the `i`th row found.
    pub fn row(&self, i: usize) -> usize {
        (self.numbers()[i] - self.first) as usize
    }

    /// How many rows found come before log index `row`.
    pub fn position_from(&self, row: usize) -> usize {
        let number = self.first + row as u64;
        self.numbers().partition_point(|&n| n < number)
    }

    /// Where the row with log index `row` is among those found, if it is.
    pub fn position(&self, row: usize) -> Option<usize> {
        self.numbers()
            .binary_search(&(self.first + row as u64))
            .ok()
    }

    /// The first row found after log index `row`, or before it (`forward` false).
    pub fn next_to(&self, row: usize, forward: bool) -> Option<usize> {
        let number = self.first + row as u64;
        let numbers = self.numbers();
        let found = if forward {
            numbers.get(numbers.partition_point(|&n| n <= number))
        } else {
            numbers[..numbers.partition_point(|&n| n < number)].last()
        };
        found.map(|&n| (n - self.first) as usize)
    }
}

impl RowSearch {
    /// Brings the results up to date with `log`: rows that pass `filter` and hold `find` (any
    /// row when empty). Returns those before log index `end` (rows after a pause are not shown).
    pub fn update(&mut self, log: &Log, filter: &LogFilter, find: &str, end: usize) -> Found {
        let first = log.first();
        let key = (
            filter.clone(),
            find.to_string(),
            log.encoding(),
            i18n::language(),
        );
        if self.key.as_ref() != Some(&key) {
            *self = RowSearch {
                key: Some(key),
                next: first,
                ..RowSearch::default()
            };
        }
        let found = Arc::make_mut(&mut self.found);
        // Rows the log dropped (past its limit, or cleared).
        self.start += found[self.start..].partition_point(|&n| n < first);
        if self.start > found.len() / 2 {
            found.drain(..self.start);
            self.start = 0;
        }
        // The last row looked at again: its text can still change when the next read of its
        // connection finishes a character split between them.
        let mut next = self.next.max(first);
        if next > first {
            next -= 1;
            if found.last() == Some(&next) {
                found.pop();
            }
        }
        let total = first + log.len() as u64;
        for number in next..total {
            let row = log.row((number - first) as usize);
            if filter.matches(&row) && (find.is_empty() || row_contains(&row, find)) {
                found.push(number);
            }
        }
        self.next = total;
        let end = first + end.min(log.len()) as u64;
        let len = found[self.start..].partition_point(|&n| n < end);
        Found {
            rows: self.found.clone(),
            start: self.start,
            len,
            first,
        }
    }
}
