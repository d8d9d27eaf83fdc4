//! The log model behind the GUI's log view: one compact row per event (a small header and the
//! raw bytes), text decoded only when a row is shown. Switching the encoding re-decodes every
//! row from its bytes; a character split across two reads of a connection is shown whole.

//! This file stores rows (a bounded queue, the peers they name); `events` turns engine events
//! into rows, `note` words info and error rows, `decode` puts bytes into words, `filter` picks
//! rows, `export` saves them.

mod decode;
mod events;
mod export;
mod filter;
mod note;

pub use export::{ExportFormat, export};
pub use filter::{Found, LogFilter, RowSearch, row_contains};
pub use note::{Note, grouped, kernel_dropped};

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Local, SecondsFormat};
use serde::{Deserialize, Serialize};

use crate::codec::TextEncoding;
use crate::codec::hex::format_hex;
use crate::codec::render::one_line;
use crate::codec::websocket::Opcode;
use crate::gui::i18n;
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

/// What an info or error row says happened, for the sequence chart (data rows: `Data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Data,
    /// A WebSocket frame: a message (text or binary, a data row) or a control frame (ping,
    /// pong, close: an info row), received or `sent`.
    WebSocket {
        opcode: Opcode,
        sent: bool,
    },
    Listening,
    /// This end connected to the peer.
    Connected,
    /// The peer connected and was accepted.
    Accepted,
    Rejected,
    /// The peer sent FIN and the connection stays open for sending (half-close).
    PeerFinished,
    /// Closed by `by` with FIN, or with RST.
    ClosedByPeer,
    ResetByPeer,
    ClosedHere,
    ResetHere,
    /// An error, or a note about the session itself.
    Error,
    Note,
}

impl Mark {
    /// The mark of a data row: a plain message, or a WebSocket message of `opcode`.
    pub fn of_data(websocket: Option<Opcode>, sent: bool) -> Mark {
        match websocket {
            Some(opcode) => Mark::WebSocket { opcode, sent },
            None => Mark::Data,
        }
    }
}

/// A row as stored: 40 bytes plus its payload, so a million rows fit in little memory.
#[derive(Debug, Clone)]
struct StoredRow {
    /// Microseconds since the Unix epoch.
    time_us: i64,
    /// The bytes as they crossed the wire; empty for info and error rows (see `Log::notes`).
    data: Box<[u8]>,
    /// Index into `Log::peers`, or `NO_PEER`.
    peer: u32,
    direction: Direction,
    mark: Mark,
    /// Bytes of an unfinished character from this connection's previous row, shown here.
    carry_in: [u8; MAX_CARRY],
    carry_in_len: u8,
    /// Bytes at the end (of `carry_in` + `data`) that begin a character finished in this
    /// connection's next row, so shown there.
    tail_len: u8,
}

const NO_PEER: u32 = u32::MAX;
/// Peers a log remembers without looking whether rows still refer to them.
const PEERS_KEPT_FREELY: usize = 1024;
/// The longest unfinished character of UTF-8 or GBK is 3 bytes.
const MAX_CARRY: usize = 3;

/// A row as the view and the exports see it.
#[derive(Debug, Clone)]
pub struct LogRow<'a> {
    pub time: SystemTime,
    pub direction: Direction,
    pub mark: Mark,
    pub peer: Option<SocketAddr>,
    pub client: Option<ClientId>,
    /// The bytes as they crossed the wire (empty for info and error rows).
    pub data: &'a [u8],
    /// `data` decoded in the log's encoding, or the message of an info or error row.
    pub text: String,
}

/// Rows a log keeps unless told otherwise; older rows are dropped (counters and captures are
/// kept by the engine, so they stay exact).
pub const DEFAULT_ROW_LIMIT: usize = 100_000;

/// Payload bytes a log keeps at most, whatever the row limit: a flood of large reads must not
/// hold gigabytes (and reusing freed memory keeps ingest fast).
pub const BYTE_LIMIT: usize = 64 * 1024 * 1024;

pub struct Log {
    rows: VecDeque<StoredRow>,
    /// Rows kept at most.
    limit: usize,
    /// Payload bytes of the rows kept.
    bytes: usize,
    /// How many rows were ever dropped or cleared: the number of `rows[0]` since the start.
    first: u64,
    encoding: TextEncoding,
    /// TCP receive streams may split a character across reads; UDP datagrams do not.
    streams: bool,
    /// Every peer (and server client id) seen, so a row stores a 4-byte index.
    peers: Vec<(SocketAddr, Option<ClientId>)>,
    peer_index: HashMap<(SocketAddr, Option<ClientId>), u32>,
    /// Per peer: the unfinished character at the end of its last received row.
    unfinished: HashMap<u32, decode::Carry>,
    /// What each info and error row says, by row number (`first` + index), in row order.
    notes: VecDeque<(u64, Note)>,
    /// Datagrams the kernel had dropped at the last such row.
    kernel_dropped: u64,
}

impl Log {
    pub fn new(encoding: TextEncoding, streams: bool) -> Log {
        Log {
            rows: VecDeque::new(),
            limit: DEFAULT_ROW_LIMIT,
            bytes: 0,
            first: 0,
            encoding,
            streams,
            peers: Vec::new(),
            peer_index: HashMap::new(),
            unfinished: HashMap::new(),
            notes: VecDeque::new(),
            kernel_dropped: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `i` (0 is the oldest kept), decoded.
    pub fn row(&self, i: usize) -> LogRow<'_> {
        let stored = &self.rows[i];
        let (peer, client) = match self.peers.get(stored.peer as usize) {
            Some(&(peer, client)) => (Some(peer), client),
            None => (None, None),
        };
        let (data, text): (&[u8], String) = match stored.direction {
            Direction::Info | Direction::Error => (&[], self.note_words(self.first + i as u64)),
            Direction::Rx | Direction::Tx => (&stored.data, self.decode(stored)),
        };
        LogRow {
            time: UNIX_EPOCH + Duration::from_micros(stored.time_us.max(0) as u64),
            direction: stored.direction,
            mark: stored.mark,
            peer,
            client,
            data,
            text,
        }
    }

    /// The words of the note of row number `number`, in the current language.
    fn note_words(&self, number: u64) -> String {
        self.notes
            .binary_search_by_key(&number, |(n, _)| *n)
            .map_or_else(|_| String::new(), |at| self.notes[at].1.words())
    }

    /// Every row, oldest first, decoded.
    pub fn iter(&self) -> impl Iterator<Item = LogRow<'_>> {
        (0..self.rows.len()).map(|i| self.row(i))
    }

    pub fn direction(&self, i: usize) -> Direction {
        self.rows[i].direction
    }

    /// When row `i` happened, in microseconds since the Unix epoch (no decoding).
    pub fn time_us(&self, i: usize) -> i64 {
        self.rows[i].time_us
    }

    /// Row `i` undecoded: what it marks, its bytes (empty for info and error rows) and its
    /// note (info and error rows), for the views that read rows their own way.
    pub fn raw(&self, i: usize) -> (Mark, &[u8], Option<&Note>) {
        let stored = &self.rows[i];
        let number = self.first + i as u64;
        let note = self
            .notes
            .binary_search_by_key(&number, |(n, _)| *n)
            .ok()
            .map(|at| &self.notes[at].1);
        (stored.mark, &stored.data, note)
    }

    /// The notes of the info and error rows kept, oldest first.
    pub fn notes(&self) -> impl DoubleEndedIterator<Item = &Note> {
        self.notes.iter().map(|(_, note)| note)
    }

    /// How many bytes crossed the wire in row `i` (0 for info and error rows).
    pub fn data_len(&self, i: usize) -> usize {
        match self.rows[i].direction {
            Direction::Rx | Direction::Tx => self.rows[i].data.len(),
            Direction::Info | Direction::Error => 0,
        }
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

    fn trim(&mut self) {
        while self.rows.len() > self.limit || (self.bytes > BYTE_LIMIT && self.rows.len() > 1) {
            if let Some(row) = self.rows.pop_front() {
                self.bytes -= row.data.len();
            }
            self.first += 1;
        }
        while self.notes.front().is_some_and(|(n, _)| *n < self.first) {
            self.notes.pop_front();
        }
    }

    /// Every peer (address and server client id) the log has seen, in the order first seen;
    /// `peer_index` of a row points into it.
    pub fn peers(&self) -> &[(SocketAddr, Option<ClientId>)] {
        &self.peers
    }

    /// Row `i`'s index into `peers`, if the row has a peer.
    pub fn peer_index(&self, i: usize) -> Option<usize> {
        let peer = self.rows[i].peer;
        (peer != NO_PEER).then_some(peer as usize)
    }

    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    pub fn clear(&mut self) {
        self.first += self.rows.len() as u64;
        self.rows.clear();
        self.notes.clear();
        self.bytes = 0;
        // A character begun before the Clear is not finished by what comes after it.
        self.unfinished.clear();
        // The chart shows no lanes for peers that are gone with their rows.
        self.forget_unused_peers();
    }

    /// Drops the peers that no row refers to (keeping those whose stream has an unfinished
    /// character), renumbering the rest in the order first seen.
    fn forget_unused_peers(&mut self) {
        let mut renumbered = vec![NO_PEER; self.peers.len()];
        let mut peers = Vec::new();
        let mut keep = |old: u32| {
            let slot = &mut renumbered[old as usize];
            if *slot == NO_PEER {
                *slot = peers.len() as u32;
                peers.push(self.peers[old as usize]);
            }
            *slot
        };
        for row in self.rows.iter_mut().filter(|row| row.peer != NO_PEER) {
            row.peer = keep(row.peer);
        }
        self.unfinished = self
            .unfinished
            .drain()
            .map(|(old, carry)| (keep(old), carry))
            .collect();
        self.peer_index = peers
            .iter()
            .enumerate()
            .map(|(id, &peer)| (peer, id as u32))
            .collect();
        self.peers = peers;
    }

    fn peer_id(&mut self, peer: SocketAddr, client: Option<ClientId>) -> u32 {
        // Rows mostly come from the peer of the row before: skip hashing then.
        if let Some(last) = self.rows.back()
            && self.peers.get(last.peer as usize) == Some(&(peer, client))
        {
            return last.peer;
        }
        if let Some(&id) = self.peer_index.get(&(peer, client)) {
            return id;
        }
        // A flood from many source ports must not grow the table without bound: past twice
        // the rows kept, peers whose rows are gone are forgotten (each time at least as many
        // peers were added as rows are kept, so the cost per peer stays constant).
        if self.peers.len() >= PEERS_KEPT_FREELY.max(2 * self.rows.len()) {
            self.forget_unused_peers();
        }
        let id = self.peers.len() as u32;
        self.peers.push((peer, client));
        self.peer_index.insert((peer, client), id);
        id
    }

    fn push(
        &mut self,
        time: SystemTime,
        (direction, mark): (Direction, Mark),
        peer: u32,
        data: Box<[u8]>,
    ) {
        let time_us = time
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as i64);
        let mut row = StoredRow {
            time_us,
            data,
            peer,
            direction,
            mark,
            carry_in: [0; MAX_CARRY],
            carry_in_len: 0,
            tail_len: 0,
        };
        match direction {
            // A WebSocket message is whole: it neither ends nor begins another's character.
            Direction::Rx if self.streams && matches!(row.mark, Mark::Data) => {
                let number = self.first + self.rows.len() as u64;
                if let Some(earlier) = self.carry(&mut row, number) {
                    self.keep_own_end(earlier);
                }
            }
            // A connection that begins or ends starts its stream afresh.
            Direction::Info | Direction::Error => {
                self.unfinished.remove(&peer);
            }
            _ => {}
        }
        self.bytes += row.data.len();
        self.rows.push_back(row);
        self.trim();
    }
}

#[cfg(test)]
mod tests;
