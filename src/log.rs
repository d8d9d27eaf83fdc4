//! The log model behind the GUI's log view: one row per event, raw bytes always kept, text
//! decoded per connection so that switching the encoding can re-decode every row.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::SystemTime;

use chrono::{DateTime, Local, SecondsFormat};
use serde::{Deserialize, Serialize};

use crate::codec::hex::format_hex;
use crate::codec::render::one_line;
use crate::codec::{PeerDecoders, TextEncoding};
use crate::net::{ClientId, CloseReason, Event, EventKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Rx,
    Tx,
    /// Something that happened to the connection: connected, closed, listening.
    Info,
    Error,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::Rx => "RX",
            Direction::Tx => "TX",
            Direction::Info => "INFO",
            Direction::Error => "ERROR",
        }
    }
}

#[derive(Debug, Clone)]
pub struct LogRow {
    pub time: SystemTime,
    pub direction: Direction,
    pub peer: Option<SocketAddr>,
    pub client: Option<ClientId>,
    /// The bytes as they crossed the wire (empty for info and error rows).
    pub data: Vec<u8>,
    /// `data` decoded in the log's encoding, or the message of an info or error row.
    pub text: String,
}

/// Rows a log keeps unless told otherwise; older rows are dropped (counters and captures are
/// kept by the engine, so they stay exact).
pub const DEFAULT_ROW_LIMIT: usize = 100_000;

pub struct Log {
    rows: VecDeque<LogRow>,
    /// Rows kept at most.
    limit: usize,
    /// How many rows were ever dropped or cleared: the number of `rows[0]` since the start.
    first: u64,
    /// TCP receive streams decode per connection; UDP datagrams decode one by one.
    streams: bool,
    decoders: PeerDecoders,
}

impl Log {
    pub fn new(encoding: TextEncoding, streams: bool) -> Log {
        Log {
            rows: VecDeque::new(),
            limit: DEFAULT_ROW_LIMIT,
            first: 0,
            streams,
            decoders: PeerDecoders::new(encoding, streams),
        }
    }

    pub fn rows(&self) -> &VecDeque<LogRow> {
        &self.rows
    }

    /// The number (since the log began) of the first row kept.
    pub fn first(&self) -> u64 {
        self.first
    }

    /// Keeps at most `limit` rows (at least 1), dropping the oldest.
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit.max(1);
        self.trim();
    }

    fn push(&mut self, row: LogRow) {
        self.rows.push_back(row);
        self.trim();
    }

    fn trim(&mut self) {
        while self.rows.len() > self.limit {
            self.rows.pop_front();
            self.first += 1;
        }
    }

    /// Indices of the rows that pass `filter`.
    pub fn matching(&self, filter: &LogFilter) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|&i| filter.matches(&self.rows[i]))
            .collect()
    }

    pub fn encoding(&self) -> TextEncoding {
        self.decoders.encoding()
    }

    pub fn clear(&mut self) {
        self.first += self.rows.len() as u64;
        self.rows.clear();
    }

    /// Adds a note of something that happened here, such as the user closing the session.
    pub fn push_info(&mut self, text: String) {
        self.push(LogRow {
            time: SystemTime::now(),
            direction: Direction::Info,
            peer: None,
            client: None,
            data: Vec::new(),
            text,
        });
    }

    /// Adds a row for an event worth showing (not `Stopped`).
    pub fn push_event(&mut self, event: &Event) {
        let time = event.time;
        let info = |peer: Option<SocketAddr>, client: Option<ClientId>, text: String| LogRow {
            time,
            direction: Direction::Info,
            peer,
            client,
            data: Vec::new(),
            text,
        };
        let row = match &event.kind {
            EventKind::Listening { local } => info(None, None, format!("listening on {local}")),
            EventKind::Connected { local, peer } => {
                self.decoders.end(*peer);
                info(
                    Some(*peer),
                    None,
                    format!("connected to {peer} from {local}"),
                )
            }
            EventKind::Accepted { client, peer, .. } => {
                self.decoders.end(*peer);
                info(
                    Some(*peer),
                    Some(*client),
                    format!("client #{client} connected"),
                )
            }
            EventKind::Rejected { peer, limit } => LogRow {
                direction: Direction::Error,
                ..info(
                    Some(*peer),
                    None,
                    format!("rejected: {limit} clients are connected, the most allowed"),
                )
            },
            EventKind::Received { client, peer, data } => LogRow {
                direction: Direction::Rx,
                data: data.clone(),
                text: self.decoders.decode(*peer, data),
                ..info(Some(*peer), *client, String::new())
            },
            EventKind::Sent { client, peer, data } => LogRow {
                direction: Direction::Tx,
                data: data.clone(),
                text: self.encoding().decode_whole(data),
                ..info(Some(*peer), *client, String::new())
            },
            EventKind::Closed {
                client,
                peer,
                reason,
            } => {
                self.decoders.end(*peer);
                let direction = match reason {
                    CloseReason::Failed(_) => Direction::Error,
                    _ => Direction::Info,
                };
                LogRow {
                    direction,
                    ..info(Some(*peer), *client, format!("closed: {reason}"))
                }
            }
            EventKind::Error { client, error } => LogRow {
                direction: Direction::Error,
                ..info(None, *client, error.to_string())
            },
            EventKind::Reconnecting { delay } => info(
                None,
                None,
                format!("reconnecting in {} ms", delay.as_millis()),
            ),
            EventKind::Stopped => return,
        };
        self.push(row);
    }

    /// Re-decodes every row from its raw bytes, in order, as if it had arrived in `encoding`.
    pub fn set_encoding(&mut self, encoding: TextEncoding) {
        if encoding == self.encoding() {
            return;
        }
        self.decoders = PeerDecoders::new(encoding, self.streams);
        let mut rows = std::mem::take(&mut self.rows);
        for row in &mut rows {
            match (row.direction, row.peer) {
                (Direction::Rx, Some(peer)) => row.text = self.decoders.decode(peer, &row.data),
                (Direction::Tx, _) => row.text = encoding.decode_whole(&row.data),
                // Connected, accepted and closed rows are where a peer's stream starts or ends.
                (Direction::Info | Direction::Error, Some(peer)) => self.decoders.end(peer),
                _ => {}
            }
        }
        self.rows = rows;
    }
}

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
        || format_hex(&row.data).to_lowercase().contains(&needle)
}

/// File formats the log can be saved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ExportFormat {
    #[default]
    Txt,
    Csv,
    JsonLines,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [
        ExportFormat::Txt,
        ExportFormat::Csv,
        ExportFormat::JsonLines,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Txt => "TXT",
            ExportFormat::Csv => "CSV",
            ExportFormat::JsonLines => "JSON Lines",
        }
    }
}

/// One row as the export formats write it.
#[derive(Serialize)]
struct ExportRow<'a> {
    time: String,
    direction: &'a str,
    peer: String,
    client: Option<ClientId>,
    len: usize,
    text: &'a str,
    hex: String,
}

impl<'a> ExportRow<'a> {
    fn of(row: &'a LogRow) -> ExportRow<'a> {
        ExportRow {
            time: DateTime::<Local>::from(row.time).to_rfc3339_opts(SecondsFormat::Millis, false),
            direction: row.direction.label(),
            peer: row.peer.map(|p| p.to_string()).unwrap_or_default(),
            client: row.client,
            len: row.data.len(),
            text: &row.text,
            hex: format_hex(&row.data),
        }
    }
}

/// Writes `rows` in `format`: TXT as the CLI prints them, CSV with a header row, or one JSON
/// object per line.
pub fn export<'a>(
    rows: impl IntoIterator<Item = &'a LogRow>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == ExportFormat::Csv {
        writeln!(out, "time,direction,peer,client,len,text,hex")?;
    }
    for row in rows {
        let r = ExportRow::of(row);
        match format {
            ExportFormat::Txt => writeln!(
                out,
                "{} {} {} {}B {}",
                r.time,
                r.direction,
                r.peer,
                r.len,
                one_line(r.text)
            )?,
            ExportFormat::Csv => {
                let client = r.client.map(|c| c.to_string()).unwrap_or_default();
                let len = r.len.to_string();
                let fields = [
                    r.time.as_str(),
                    r.direction,
                    &r.peer,
                    &client,
                    &len,
                    r.text,
                    &r.hex,
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                writeln!(out, "{}", line.join(","))?;
            }
            ExportFormat::JsonLines => {
                serde_json::to_writer(&mut *out, &r)?;
                writeln!(out)?;
            }
        }
    }
    out.flush()
}

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(peer: &str, data: &[u8]) -> Event {
        Event::now(EventKind::Received {
            client: None,
            peer: peer.parse().unwrap(),
            data: data.to_vec(),
        })
    }

    #[test]
    fn a_character_split_across_reads_decodes_in_the_second_row() {
        let mut log = Log::new(TextEncoding::Gbk, true);
        log.push_event(&received("127.0.0.1:1", &[0xC4]));
        log.push_event(&received("127.0.0.1:1", &[0xE3, 0x41]));
        let texts: Vec<&str> = log.rows().iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["", "你A"]);
    }

    #[test]
    fn switching_encoding_redecodes_from_raw_bytes() {
        let mut log = Log::new(TextEncoding::Utf8, true);
        log.push_event(&received("127.0.0.1:1", &[0xC4, 0xE3, 0xBA, 0xC3]));
        // Invalid UTF-8; the last byte could still begin a character, so it waits for more.
        assert_eq!(log.rows()[0].text, "\\xC4\\xE3\\xBA");
        log.set_encoding(TextEncoding::Gbk);
        assert_eq!(log.rows()[0].text, "你好");
        assert_eq!(log.rows()[0].data, vec![0xC4, 0xE3, 0xBA, 0xC3]);
    }

    #[test]
    fn export_formats_carry_every_row() {
        let mut log = Log::new(TextEncoding::Utf8, true);
        log.push_event(&received("127.0.0.1:1", b"a,\"b\"\n"));
        log.push_event(&received("127.0.0.1:1", b"ok"));
        let write = |format| {
            let mut out = Vec::new();
            export(log.rows(), format, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let txt = write(ExportFormat::Txt);
        assert!(
            txt.lines()
                .next()
                .unwrap()
                .ends_with(r#" RX 127.0.0.1:1 6B a,"b"\n"#),
            "{txt}"
        );
        let csv = write(ExportFormat::Csv);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "time,direction,peer,client,len,text,hex");
        assert!(lines[1].contains(r#",RX,127.0.0.1:1,,6,"a,""b"""#), "{csv}");
        let json: Vec<serde_json::Value> = write(ExportFormat::JsonLines)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(json.len(), 2);
        assert_eq!(json[0]["text"], "a,\"b\"\n");
        assert_eq!(json[1]["hex"], "6F 6B");
    }

    #[test]
    fn old_rows_are_dropped_past_the_limit_and_numbering_goes_on() {
        let mut log = Log::new(TextEncoding::Utf8, true);
        log.set_limit(3);
        for i in 0..5u8 {
            log.push_event(&received("127.0.0.1:1", &[b'a' + i]));
        }
        let texts: Vec<&str> = log.rows().iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["c", "d", "e"]);
        assert_eq!(log.first(), 2);
        log.clear();
        assert_eq!(log.first(), 5);
    }

    #[test]
    fn filter_by_direction_peer_and_text() {
        let mut log = Log::new(TextEncoding::Utf8, true);
        log.push_event(&received("127.0.0.1:1", b"Temperature 21"));
        log.push_event(&received("127.0.0.1:2", b"humidity"));
        log.push_info("listening".into());
        let only = |filter: LogFilter| log.matching(&filter);
        assert_eq!(only(LogFilter::default()), vec![0, 1, 2]);
        assert_eq!(
            only(LogFilter {
                events: false,
                ..LogFilter::default()
            }),
            vec![0, 1]
        );
        assert_eq!(
            only(LogFilter {
                peer: ":2".into(),
                ..LogFilter::default()
            }),
            vec![1]
        );
        assert_eq!(
            only(LogFilter {
                text: "temp".into(),
                ..LogFilter::default()
            }),
            vec![0]
        );
        assert_eq!(
            only(LogFilter {
                text: "68 75".into(),
                ..LogFilter::default()
            }),
            vec![1],
            "hex of 'hu'"
        );
        assert_eq!(
            only(LogFilter {
                rx: false,
                events: false,
                ..LogFilter::default()
            }),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn streams_of_different_peers_do_not_mix() {
        let mut log = Log::new(TextEncoding::Gbk, true);
        log.push_event(&received("127.0.0.1:1", &[0xC4]));
        log.push_event(&received("127.0.0.1:2", &[0x41]));
        log.push_event(&received("127.0.0.1:1", &[0xE3]));
        let texts: Vec<&str> = log.rows().iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["", "A", "你"]);
    }
}
