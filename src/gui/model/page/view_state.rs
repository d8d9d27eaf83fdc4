//! Which rows the log view shows: filters, pause and find. Filter and find results are kept
//! from frame to frame ([`RowSearch`]), so a frame looks only at rows added since the last.

use super::*;
use crate::gui::model::log::{Found, RowSearch};
use crate::gui::model::traffic::{TrafficSeries, TrafficTracker};

/// What the log view shows: which rows, in order, as indices into `page.log`.
pub enum ShownRows {
    /// The first `n` rows: no filter (nothing is collected, so a frame costs the same for a
    /// million rows).
    First(usize),
    Only(Found),
}

impl ShownRows {
    pub fn len(&self) -> usize {
        match self {
            ShownRows::First(n) => *n,
            ShownRows::Only(found) => found.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The log index of the `i`th shown row.
    pub fn row(&self, i: usize) -> usize {
        match self {
            ShownRows::First(_) => i,
            ShownRows::Only(found) => found.row(i),
        }
    }

    /// How many shown rows come before log index `row`: where rows from `row` on begin.
    pub fn position_from(&self, row: usize) -> usize {
        match self {
            ShownRows::First(n) => row.min(*n),
            ShownRows::Only(found) => found.position_from(row),
        }
    }

    /// Where the row with log index `row` is shown, if it is.
    pub fn position(&self, row: usize) -> Option<usize> {
        match self {
            ShownRows::First(n) => (row < *n).then_some(row),
            ShownRows::Only(found) => found.position(row),
        }
    }
}

/// The searches a page keeps between frames: what the filter shows, and what Find finds.
#[derive(Default)]
pub struct Searches {
    shown: RowSearch,
    find: RowSearch,
    traffic: TrafficTracker,
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

    /// Rows shown: up to where Pause froze the view.
    fn shown_end(&self) -> usize {
        let len = self.log.len();
        self.paused_at
            .map_or(len, |at| at.saturating_sub(self.log.first()) as usize)
            .min(len)
    }

    /// The rows the view shows: up to where Pause froze it, through the filter.
    pub fn shown_rows(&mut self) -> ShownRows {
        let end = self.shown_end();
        let filter = self.effective_filter();
        if filter.is_active() {
            ShownRows::Only(self.searches.shown.update(&self.log, &filter, "", end))
        } else {
            ShownRows::First(end)
        }
    }

    /// The plots' series of the shown rows, brought up to date with rows added since the last
    /// frame.
    pub fn traffic_series(&mut self, shown: &ShownRows) -> TrafficSeries {
        let filter = self.effective_filter();
        self.searches.traffic.update(&self.log, &filter, shown)
    }

    /// Forgets the plots' series (the log was cleared).
    pub(super) fn forget_traffic(&mut self) {
        self.searches.traffic = TrafficTracker::default();
    }

    pub fn toggle_pause(&mut self) {
        self.paused_at = match self.paused_at {
            Some(_) => None,
            None => Some(self.log.first() + self.log.len() as u64),
        };
    }

    /// Shown rows that hold the search text (none while it is empty).
    pub fn find_matches(&mut self) -> Option<Found> {
        if self.find.is_empty() {
            return None;
        }
        let (end, filter) = (self.shown_end(), self.effective_filter());
        Some(
            self.searches
                .find
                .update(&self.log, &filter, &self.find, end),
        )
    }

    /// Moves to the next (or previous) row holding the search text, wrapping around.
    pub fn find_next(&mut self, forward: bool) {
        let Some(matches) = self.find_matches() else {
            return;
        };
        let first = self.log.first();
        let current = self
            .found
            .and_then(|n| n.checked_sub(first))
            .map(|n| n as usize);
        let wrap = || match (forward, matches.len()) {
            (_, 0) => None,
            (true, _) => Some(matches.row(0)),
            (false, n) => Some(matches.row(n - 1)),
        };
        let next = current
            .and_then(|at| matches.next_to(at, forward))
            .or_else(wrap);
        self.found = next.map(|row| first + row as u64);
        self.scroll_to_found = self.found.is_some();
    }
}
