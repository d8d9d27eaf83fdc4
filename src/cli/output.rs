//! One line per event on stdout, plain or JSON Lines; errors also as one line on stderr.
//! A closed stdout (`| head -1`) is an ordinary end of the run, never a panic.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::SystemTime;

use chrono::{DateTime, Local, SecondsFormat};
use serde::Serialize;

use crate::codec::hex::format_hex;
use crate::codec::render::{json_line_escaped, one_line};
use crate::codec::websocket::{Opcode, describe_control};
use crate::codec::{PeerDecoders, TextEncoding};
use crate::net::{ClientId, Event, EventKind, SequenceOutcome, StepState};

/// The bytes of a message a line shows unless `--full` is given; the line says how many more
/// there were.
pub const SHOWN_BYTES: usize = 4096;

pub struct Printer {
    json: bool,
    hex: bool,
    /// Every byte of every message on its line (`--full`), not the first `SHOWN_BYTES`.
    full: bool,
    decoders: PeerDecoders,
    /// A relay's target for each pair, to tell its two ends apart, with how many of the
    /// pair's two connections are still open (forgotten at none: ids are not reused).
    relay_targets: HashMap<ClientId, (SocketAddr, u8)>,
}

/// Which end of a relay's pair a line is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Client,
    Target,
}

impl End {
    fn name(self) -> &'static str {
        match self {
            End::Client => "client",
            End::Target => "target",
        }
    }
}

#[derive(Serialize)]
struct JsonLine<'a> {
    time: String,
    event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<ClientId>,
    /// A relay's end: `client` or `target` (for `rx`, the end that sent the bytes; for
    /// `tx`, the end they were sent to).
    #[serde(skip_serializing_if = "Option::is_none")]
    side: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    local: Option<String>,
    /// WebSocket: `rx`'s opcode (`text`, `binary`); `websocket`'s control frame (`ping`,
    /// `pong`, `close`).
    #[serde(skip_serializing_if = "Option::is_none")]
    opcode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    len: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// `rx`, `tx`: bytes of the message past those in `text` and `hex` (without `--full`).
    #[serde(skip_serializing_if = "Option::is_none")]
    more: Option<usize>,
    /// `dropped`: datagrams the kernel dropped in all so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
    /// `step`: a sequence's round (from 1) and step (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    round: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    /// `step`: `passed`, `timed_out` or `failed` (why, in `reason`).
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'static str>,
}

impl<'a> JsonLine<'a> {
    fn new(time: SystemTime, event: &'a str) -> JsonLine<'a> {
        JsonLine {
            time: DateTime::<Local>::from(time).to_rfc3339_opts(SecondsFormat::Millis, false),
            event,
            client: None,
            side: None,
            peer: None,
            local: None,
            opcode: None,
            len: None,
            text: None,
            hex: None,
            reason: None,
            more: None,
            count: None,
            round: None,
            step: None,
            result: None,
        }
    }

    /// A line about one peer (and the client number a server gave it).
    fn about(
        time: SystemTime,
        event: &'a str,
        client: Option<ClientId>,
        peer: &SocketAddr,
    ) -> JsonLine<'a> {
        JsonLine {
            client,
            peer: Some(peer.to_string()),
            ..JsonLine::new(time, event)
        }
    }

    /// The line with its reason: why a client was rejected, a connection closed, and so on.
    fn because(self, reason: impl Into<String>) -> JsonLine<'a> {
        JsonLine {
            reason: Some(reason.into()),
            ..self
        }
    }
}

impl Printer {
    pub fn new(
        json: bool,
        hex: bool,
        full: bool,
        encoding: TextEncoding,
        streams: bool,
    ) -> Printer {
        Printer {
            json,
            hex,
            full,
            decoders: PeerDecoders::new(encoding, streams),
            relay_targets: HashMap::new(),
        }
    }

    /// Which end of a relay's pair `peer` is (None outside a relay).
    fn end(&self, client: Option<ClientId>, peer: &SocketAddr) -> Option<End> {
        let (target, _) = self.relay_targets.get(&client?)?;
        Some(if target == peer {
            End::Target
        } else {
            End::Client
        })
    }

    /// Prints one event; fails only when stdout cannot be written (closed by the reader).
    pub fn print(&mut self, event: &Event) -> io::Result<()> {
        let time = event.time;
        let clock = clock(time);
        let json = self.json;
        let line = |plain: String, json_line: JsonLine| print_line(json, plain, json_line);
        match &event.kind {
            EventKind::Listening { local } => line(
                format!("listening {local}"),
                JsonLine {
                    local: Some(local.to_string()),
                    ..JsonLine::new(time, "listening")
                },
            ),
            EventKind::Connected { local, peer } => line(
                format!("{clock} connected {peer} from {local}"),
                JsonLine {
                    local: Some(local.to_string()),
                    ..JsonLine::about(time, "connected", None, peer)
                },
            ),
            EventKind::Accepted {
                client,
                local,
                peer,
                ..
            } => line(
                format!("{clock} accepted #{client} {peer}"),
                JsonLine {
                    local: Some(local.to_string()),
                    ..JsonLine::about(time, "accepted", Some(*client), peer)
                },
            ),
            EventKind::Relaying {
                client,
                local,
                target,
            } => {
                self.relay_targets.insert(*client, (*target, 2));
                line(
                    format!("{clock} relaying #{client} to {target} from {local}"),
                    JsonLine {
                        local: Some(local.to_string()),
                        side: Some(End::Target.name()),
                        ..JsonLine::about(time, "relaying", Some(*client), target)
                    },
                )
            }
            EventKind::TlsEstablished { client, peer, info } => line(
                format!("{clock} tls {peer} {}", one_line(&info.summary())),
                JsonLine::about(time, "tls", *client, peer).because(info.summary()),
            ),
            EventKind::Rejected { peer, limit } => {
                let reason = format!("{limit} clients are connected, the most allowed");
                line(
                    format!("{clock} rejected {peer} {reason}"),
                    JsonLine {
                        peer: Some(peer.to_string()),
                        ..JsonLine::new(time, "rejected").because(&reason)
                    },
                )
            }
            EventKind::WebSocketOpened {
                client,
                peer,
                handshake,
            } => line(
                format!("{clock} websocket {peer} {}", handshake.summary()),
                JsonLine::about(time, "websocket_open", *client, peer).because(handshake.summary()),
            ),
            EventKind::WebSocketControl {
                client,
                peer,
                sent,
                opcode,
                payload,
            } => {
                let way = if *sent { "TX" } else { "RX" };
                let words = describe_control(*opcode, payload);
                line(
                    format!("{clock} {way} {peer} websocket {words}"),
                    JsonLine {
                        opcode: Some(opcode.name()),
                        len: Some(payload.len()),
                        reason: Some(words),
                        ..JsonLine::about(time, if *sent { "tx" } else { "rx" }, *client, peer)
                    },
                )
            }
            EventKind::Received { client, messages } => messages.iter().try_for_each(|m| {
                let data = (m.time, true, &m.peer, &m.data[..]);
                self.print_data(data, *client, m.websocket)
            }),
            EventKind::Sent {
                client,
                peer,
                data,
                websocket,
            } => self.print_data((time, false, peer, data), *client, *websocket),
            EventKind::PeerFinished { client, peer } => {
                let end = self.end(*client, peer);
                line(
                    format!(
                        "{clock} peer-finished {}{peer} (FIN; still sending)",
                        end_label(end)
                    ),
                    JsonLine {
                        side: end.map(End::name),
                        ..JsonLine::about(time, "peer_finished", *client, peer)
                    },
                )
            }
            EventKind::Closed {
                client,
                peer,
                reason,
            } => {
                self.decoders.end(*peer);
                let end = self.end(*client, peer);
                if let Some(id) = client
                    && let Some((_, open)) = self.relay_targets.get_mut(id)
                {
                    *open = open.saturating_sub(1);
                    if *open == 0 {
                        self.relay_targets.remove(id);
                    }
                }
                line(
                    format!("{clock} closed {}{peer} {reason}", end_label(end)),
                    JsonLine {
                        side: end.map(End::name),
                        ..JsonLine::about(time, "closed", *client, peer).because(reason.to_string())
                    },
                )
            }
            EventKind::Error { client, error } => {
                warn(&format!("error: {error}"));
                if json {
                    line(
                        String::new(),
                        JsonLine {
                            client: *client,
                            ..JsonLine::new(time, "error").because(error.to_string())
                        },
                    )
                } else {
                    Ok(())
                }
            }
            EventKind::ReceiveBuffer { asked, granted } => {
                let mut reason = format!("receive buffer {granted} bytes (asked {asked})");
                // No "kernel dropped" line will come where drops are not counted: say so here,
                // so silence is not read as none dropped.
                if let Some(system) = crate::net::drops_not_counted_on() {
                    reason.push_str(&format!("; dropped datagrams not counted on {system}"));
                }
                line(
                    format!("{clock} {reason}"),
                    JsonLine {
                        len: Some(*granted),
                        ..JsonLine::new(time, "receive_buffer").because(&reason)
                    },
                )
            }
            EventKind::KernelDropped { total } => {
                let reason = "the receive buffer overflowed";
                line(
                    format!("{clock} kernel dropped {total} datagrams: {reason}"),
                    JsonLine {
                        count: Some(*total),
                        ..JsonLine::new(time, "dropped").because(reason)
                    },
                )
            }
            EventKind::AcceptingAgain { local } => {
                let reason = format!("accepting again on {local}: the waiting clients are taken");
                line(
                    format!("{clock} {reason}"),
                    JsonLine::new(time, "accepting_again").because(&reason),
                )
            }
            EventKind::Reconnecting { delay } => {
                let reason = format!("reconnecting in {} ms", delay.as_millis());
                line(
                    format!("{clock} {reason}"),
                    JsonLine::new(time, "reconnecting").because(&reason),
                )
            }
            // A step that starts is said when it ends.
            EventKind::SequenceStep {
                state: StepState::Running,
                ..
            } => Ok(()),
            EventKind::SequenceStep { round, step, state } => {
                let (word, detail) = match state {
                    StepState::TimedOut { millis } => {
                        ("timed_out", format!("nothing matched within {millis} ms"))
                    }
                    StepState::Failed(error) => ("failed", error.to_string()),
                    _ => ("passed", String::new()),
                };
                let number = step + 1;
                line(
                    format!("{clock} step {number} {word} (round {round}) {detail}")
                        .trim_end()
                        .to_string(),
                    JsonLine {
                        round: Some(*round),
                        step: Some(number),
                        result: Some(word),
                        reason: (!detail.is_empty()).then_some(detail.clone()),
                        ..JsonLine::new(time, "step")
                    },
                )
            }
            EventKind::SequenceEnded { outcome } => {
                let reason = match outcome {
                    SequenceOutcome::Passed { rounds } => format!("passed ({rounds} rounds)"),
                    SequenceOutcome::Failed { round, step } => {
                        format!("failed at step {} of round {round}", step + 1)
                    }
                    SequenceOutcome::Stopped => "stopped".to_string(),
                };
                line(
                    format!("{clock} sequence {reason}"),
                    JsonLine::new(time, "sequence").because(reason),
                )
            }
            EventKind::Stopped => Ok(()),
        }
    }

    /// Prints one message received (`received`) or one write.
    fn print_data(
        &mut self,
        (time, received, peer, data): (SystemTime, bool, &SocketAddr, &[u8]),
        client: Option<ClientId>,
        websocket: Option<Opcode>,
    ) -> io::Result<()> {
        let json = self.json;
        // A line shows the first SHOWN_BYTES (a 1 GiB file sent is not 3 GB of output).
        let (shown, rest) = data.split_at(if self.full {
            data.len()
        } else {
            data.len().min(SHOWN_BYTES)
        });
        // Only what the line shows is made: a flood is printed at the pipe's pace.
        let text = (json || !self.hex).then(|| {
            // A WebSocket message is whole: it takes no character from another's end.
            if received && websocket.is_none() {
                let text = self.decoders.decode(*peer, shown);
                self.decoders.pass_over(*peer, rest);
                text
            } else {
                self.decoders.encoding().decode_whole(shown)
            }
        });
        let hex = (json || self.hex).then(|| format_hex(shown));
        let more = (!rest.is_empty()).then_some(rest.len());
        let direction = if received { "RX" } else { "TX" };
        let clock = clock(time);
        let end = self.end(client, peer);
        // A relay's line says which way the bytes went: "client→target", "→target".
        let way = match (end, received) {
            (None, _) => String::new(),
            (Some(End::Client), true) => "client→target ".to_string(),
            (Some(End::Target), true) => "target→client ".to_string(),
            (Some(to), false) => format!("→{} ", to.name()),
        };
        let after = more.map_or(String::new(), |more| {
            format!(
                " … ({} more bytes)",
                crate::codec::render::grouped(more as u64)
            )
        });
        let opcode = websocket.map_or(String::new(), |opcode| format!("{} ", opcode.name()));
        let plain = |shown: &str| {
            format!(
                "{clock} {direction} {way}{peer} {opcode}{}B {shown}{after}",
                data.len()
            )
        };
        let plain = match (&hex, &text) {
            _ if json => String::new(),
            (Some(hex), _) if self.hex => plain(hex),
            (_, Some(text)) => plain(&one_line(text)),
            _ => plain(""),
        };
        let event = if received { "rx" } else { "tx" };
        let json_line = JsonLine {
            side: end.map(End::name),
            opcode: websocket.map(Opcode::name),
            len: Some(data.len()),
            text,
            hex,
            more,
            ..JsonLine::about(time, event, client, peer)
        };
        print_line(json, plain, json_line)
    }
}

/// "client " or "target " before a relay's peer; nothing elsewhere.
fn end_label(end: Option<End>) -> String {
    end.map(|end| format!("{} ", end.name()))
        .unwrap_or_default()
}

fn clock(time: SystemTime) -> impl std::fmt::Display {
    DateTime::<Local>::from(time).format("%H:%M:%S%.3f")
}

/// Writes one line to stdout: `plain`, or `json_line` as JSON.
fn print_line(json: bool, plain: String, json_line: JsonLine) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if json {
        // Serializing plain strings and numbers cannot fail.
        let text = json_line_escaped(serde_json::to_string(&json_line).unwrap_or_default());
        writeln!(out, "{text}")?;
    } else {
        writeln!(out, "{plain}")?;
    }
    out.flush()
}

/// The exit code of a run whose stdout failed: a reader that went away (`| head -1`) is an
/// ordinary end (0); any other failure (a full disk, `> /dev/full`) lost output, so it is
/// said on stderr and exits 1.
pub fn stdout_failed(err: &io::Error) -> i32 {
    if err.kind() == io::ErrorKind::BrokenPipe {
        return super::EXIT_OK;
    }
    warn(&format!(
        "error: writing to standard output failed: {}",
        crate::error::describe_io(err)
    ));
    super::EXIT_NETWORK
}

/// One line on stderr; a closed stderr is ignored (there is nowhere left to say it).
pub fn warn(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}
