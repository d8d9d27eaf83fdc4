//! Which rows the log view shows: filters, pause and find.

use super::*;

/// What the log view shows: which rows, in order, as indices into `page.log`.
pub enum ShownRows {
    /// The first `n` rows: no filter (nothing is collected, so a frame costs the same for a
    /// million rows).
    First(usize),
    Only(Vec<usize>),
}

impl ShownRows {
    pub fn len(&self) -> usize {
        match self {
            ShownRows::First(n) => *n,
            ShownRows::Only(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The log index of the `i`th shown row.
    pub fn row(&self, i: usize) -> usize {
        match self {
            ShownRows::First(_) => i,
            ShownRows::Only(rows) => rows[i],
        }
    }

    /// Where the row with log index `row` is shown, if it is.
    pub fn position(&self, row: usize) -> Option<usize> {
        match self {
            ShownRows::First(n) => (row < *n).then_some(row),
            ShownRows::Only(rows) => rows.binary_search(&row).ok(),
        }
    }
}

impl Page {
    /// The filter in force: the one typed, narrowed to the selected client if asked.
    pub fn effective_filter(&self) -> LogFilter {
        let mut filter = self.filter.clone();
        if self.only_selected_client {
            filter.client = filter.client.or(self.selected_client);
        }
        filter
    }

    /// The rows the view shows: up to where Pause froze it, through the filter.
    pub fn shown_rows(&self) -> ShownRows {
        let len = self.log.len();
        let end = self
            .paused_at
            .map_or(len, |at| at.saturating_sub(self.log.first()) as usize)
            .min(len);
        let filter = self.effective_filter();
        if filter.is_active() {
            ShownRows::Only(self.log.matching(&filter, end))
        } else {
            ShownRows::First(end)
        }
    }

    pub fn toggle_pause(&mut self) {
        self.paused_at = match self.paused_at {
            Some(_) => None,
            None => Some(self.log.first() + self.log.len() as u64),
        };
    }

    /// Shown rows that hold the search text, as log indices.
    pub fn find_matches(&self, shown: &ShownRows) -> Vec<usize> {
        if self.find.is_empty() {
            return Vec::new();
        }
        (0..shown.len())
            .map(|i| shown.row(i))
            .filter(|&row| row_contains(&self.log.row(row), &self.find))
            .collect()
    }

    /// Moves to the next (or previous) row holding the search text, wrapping around.
    pub fn find_next(&mut self, forward: bool) {
        let shown = self.shown_rows();
        let matches = self.find_matches(&shown);
        let first = self.log.first();
        let current = self
            .found
            .and_then(|n| n.checked_sub(first))
            .map(|n| n as usize);
        let next = match (current, forward) {
            (Some(at), true) => matches.iter().find(|&&m| m > at).or(matches.first()),
            (Some(at), false) => matches.iter().rev().find(|&&m| m < at).or(matches.last()),
            (None, true) => matches.first(),
            (None, false) => matches.last(),
        };
        self.found = next.map(|&row| first + row as u64);
        self.scroll_to_found = self.found.is_some();
    }
}
