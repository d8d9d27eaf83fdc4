//! The log model behind the GUI's log view: one row per event, raw bytes always kept, text
//! decoded per connection so that switching the encoding can re-decode every row.

use std::net::SocketAddr;
use std::time::SystemTime;

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

pub struct Log {
    rows: Vec<LogRow>,
    /// TCP receive streams decode per connection; UDP datagrams decode one by one.
    streams: bool,
    decoders: PeerDecoders,
}

impl Log {
    pub fn new(encoding: TextEncoding, streams: bool) -> Log {
        Log {
            rows: Vec::new(),
            streams,
            decoders: PeerDecoders::new(encoding, streams),
        }
    }

    pub fn rows(&self) -> &[LogRow] {
        &self.rows
    }

    pub fn encoding(&self) -> TextEncoding {
        self.decoders.encoding()
    }

    pub fn clear(&mut self) {
        self.rows.clear();
    }

    /// Adds a note of something that happened here, such as the user closing the session.
    pub fn push_info(&mut self, text: String) {
        self.rows.push(LogRow {
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
            EventKind::Stopped => return,
        };
        self.rows.push(row);
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
    fn streams_of_different_peers_do_not_mix() {
        let mut log = Log::new(TextEncoding::Gbk, true);
        log.push_event(&received("127.0.0.1:1", &[0xC4]));
        log.push_event(&received("127.0.0.1:2", &[0x41]));
        log.push_event(&received("127.0.0.1:1", &[0xE3]));
        let texts: Vec<&str> = log.rows().iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["", "A", "你"]);
    }
}
