//! `--python-peer FILE`: when the run ends, a short Python program that plays the other end
//! of what the session did (as the window's "Copy as Python program" does); `--as-python`:
//! what that peer saw, a line per event (as the window's Python column shows it).

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use crate::capture::python_peer::{close_step, error_step};
use crate::codec::TextEncoding;
use crate::codec::python_peer::{self, Context, Role, Row, Step};
use crate::error::Error;
use crate::net::{Event, EventKind, SessionKind};

/// Payload bytes kept at most: a long run keeps its beginning (a lesson's worth), not
/// gigabytes; what came after is said to be left out.
const KEPT_BYTES: usize = 16 * 1024 * 1024;
/// Events kept at most, for the same reason.
const KEPT_EVENTS: usize = 100_000;

/// What the session did, kept to write the program at the end.
pub struct PythonPeerLog {
    /// Where the program goes (`--python-peer`), and whether to print the lines (`--as-python`).
    path: Option<PathBuf>,
    show: bool,
    context: Context,
    /// Each event's time, peer and step; the bytes of sends and receipts beside it.
    rows: Vec<(i64, Option<SocketAddr>, Kept)>,
    /// Payload bytes kept, and whether events past the limits were left out.
    bytes: usize,
    left_out: bool,
}

/// A step that owns its bytes.
enum Kept {
    Sent(Vec<u8>),
    Received(Vec<u8>),
    Other(Step<'static>),
}

impl PythonPeerLog {
    /// `None` for a relay, which has two peers: the arguments refuse it first.
    pub fn new(
        path: Option<PathBuf>,
        show: bool,
        kind: SessionKind,
        encoding: TextEncoding,
    ) -> Option<PythonPeerLog> {
        let role = match kind {
            SessionKind::TcpClient => Role::TcpClient,
            SessionKind::TcpServer => Role::TcpServer,
            SessionKind::Udp => Role::Udp,
            SessionKind::Relay => return None,
        };
        Some(PythonPeerLog {
            path,
            show,
            context: Context {
                role,
                ours: None,
                encoding,
            },
            rows: Vec::new(),
            bytes: 0,
            left_out: false,
        })
    }

    pub fn record(&mut self, event: &Event) {
        if self.rows.len() >= KEPT_EVENTS || self.bytes >= KEPT_BYTES {
            self.left_out |= !matches!(event.kind, EventKind::Stopped);
            return;
        }
        self.bytes += event.kind.received_len();
        if let EventKind::Sent { data, .. } = &event.kind {
            self.bytes += data.len();
        }
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

    /// The steps kept, as the translation reads them.
    fn rows(&self) -> Vec<Row<'_>> {
        self.rows
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
            .collect()
    }

    /// `--as-python`: a line per event the Python peer saw, `python  CALL → RESULT`.
    pub fn show(&self, out: &mut impl Write) -> io::Result<()> {
        if !self.show {
            return Ok(());
        }
        let rows = self.rows();
        for at in 0..rows.len() {
            if let Some(line) = python_peer::explain(&rows, at, &self.context) {
                writeln!(
                    out,
                    "python  {}",
                    python_peer::words(&line, &self.context, |e| e)
                )?;
            }
        }
        if self.left_out {
            writeln!(
                out,
                "python  # the run went on: what came after the first {} events ({} bytes) \
                 is left out",
                self.rows.len(),
                self.bytes
            )?;
        }
        out.flush()
    }

    /// `--python-peer`: writes the program; a session that never had a peer writes none and
    /// says so.
    pub fn write(&self) -> Result<(), Error> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let shown = path.display().to_string();
        let mut program = python_peer::program(&self.rows(), &self.context).ok_or_else(|| {
            Error::InvalidSetting {
                name: "--python-peer",
                reason: format!("wrote nothing to {shown}: the session had no peer to play"),
            }
        })?;
        if self.left_out {
            program.push_str(&format!(
                "# socket-tester kept the first {} events of the run: what came after is not here.\n",
                self.rows.len()
            ));
        }
        std::fs::write(path, program).map_err(|err| Error::File {
            action: "writing",
            path: shown,
            message: crate::error::describe_io(&err),
        })
    }
}
