//! Which rows pass the log's filter: direction, peer and text.

use super::*;

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

impl Log {
    /// Indices of the rows before `end` that pass `filter`.
    pub fn matching(&self, filter: &LogFilter, end: usize) -> Vec<usize> {
        (0..end.min(self.rows.len()))
            .filter(|&i| filter.matches(&self.row(i)))
            .collect()
    }
}
