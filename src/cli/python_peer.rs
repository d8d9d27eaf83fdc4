//! `--python-peer FILE`: when the run ends, a short Python program that plays the other end
//! of what the session did (as the window's "Copy as Python program" does).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::capture::python_peer::{close_step, error_step};
use crate::codec::TextEncoding;
use crate::codec::python_peer::{Context, Role, Row, Step};
use crate::error::Error;
use crate::net::{Event, EventKind, SessionKind};

/// What the session did, kept to write the program at the end.
pub struct PythonPeerLog {
    path: PathBuf,
    context: Context,
    /// Each event's time, peer and step; the bytes of sends and receipts beside it.
    rows: Vec<(i64, Option<SocketAddr>, Kept)>,
}

/// A step that owns its bytes.
enum Kept {
    Sent(Vec<u8>),
    Received(Vec<u8>),
    Other(Step<'static>),
}

impl PythonPeerLog {
    /// `None` for a relay, which has two peers: the arguments refuse it first.
    pub fn new(path: &Path, kind: SessionKind, encoding: TextEncoding) -> Option<PythonPeerLog> {
        let role = match kind {
            SessionKind::TcpClient => Role::TcpClient,
            SessionKind::TcpServer => Role::TcpServer,
            SessionKind::Udp => Role::Udp,
            SessionKind::Relay => return None,
        };
        Some(PythonPeerLog {
            path: path.to_path_buf(),
            context: Context {
                role,
                ours: None,
                encoding,
            },
            rows: Vec::new(),
        })
    }

    pub fn record(&mut self, event: &Event) {
        let time_us = event
            .time
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as i64);
        let mut push = |peer: Option<SocketAddr>, kept| self.rows.push((time_us, peer, kept));
        match &event.kind {
            EventKind::Listening { local } => self.context.ours = Some(*local),
            EventKind::Connected { local, peer } => {
                push(Some(*peer), Kept::Other(Step::Connected { local: *local }));
            }
            EventKind::Accepted { peer, .. } => push(Some(*peer), Kept::Other(Step::Accepted)),
            EventKind::Sent { peer, data, .. } => push(Some(*peer), Kept::Sent(data.clone())),
            EventKind::Received { messages, .. } => {
                for message in messages {
                    let time_us = message
                        .time
                        .duration_since(UNIX_EPOCH)
                        .map_or(time_us, |d| d.as_micros() as i64);
                    let kept = Kept::Received(message.data.clone());
                    self.rows.push((time_us, Some(message.peer), kept));
                }
            }
            EventKind::Closed { peer, reason, .. } => {
                push(Some(*peer), Kept::Other(close_step(reason)));
            }
            EventKind::Error { error, .. } => push(None, Kept::Other(error_step(error))),
            _ => {}
        }
    }

    /// Writes the program; a session that never had a peer writes none and says so.
    pub fn write(self) -> Result<(), Error> {
        let rows: Vec<Row> = self
            .rows
            .iter()
            .map(|(time_us, peer, kept)| Row {
                time_us: *time_us,
                peer: *peer,
                step: match kept {
                    Kept::Sent(data) => Step::Sent(data),
                    Kept::Received(data) => Step::Received(data),
                    Kept::Other(step) => *step,
                },
            })
            .collect();
        let path = self.path.display().to_string();
        let program =
            crate::codec::python_peer::program(&rows, &self.context).ok_or_else(|| {
                Error::InvalidSetting {
                    name: "--python-peer",
                    reason: format!("wrote nothing to {path}: the session had no peer to play"),
                }
            })?;
        std::fs::write(&self.path, program).map_err(|err| Error::File {
            action: "writing",
            path,
            message: crate::error::describe_io(&err),
        })
    }
}
