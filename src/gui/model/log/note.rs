//! What an info or error row says, kept as facts and put into words only when the row is
//! drawn or saved: switching the language changes every row, old ones included.

use std::net::SocketAddr;
use std::time::Duration;

use crate::codec::format_size;
use crate::error::Error;
use crate::gui::i18n::{self, t, tf};
use crate::net::{ClientId, CloseReason, SequenceOutcome, StepState};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Listening {
        local: SocketAddr,
    },
    Connected {
        local: SocketAddr,
        peer: SocketAddr,
    },
    Accepted {
        client: ClientId,
    },
    /// A relay joined client `client` to its target.
    Relaying {
        client: ClientId,
        target: SocketAddr,
        local: SocketAddr,
    },
    Rejected {
        limit: usize,
    },
    PeerFinished,
    Closed(CloseReason),
    Error(Error),
    Reconnecting {
        delay: Duration,
    },
    /// A listener accepts again after it ran out of file descriptors.
    AcceptingAgain {
        local: SocketAddr,
    },
    /// A UDP socket's receive buffer, asked for and granted.
    ReceiveBuffer {
        asked: usize,
        granted: usize,
    },
    /// UDP's broadcast switch, turned while the socket is open.
    Broadcast(bool),
    /// Datagrams the kernel dropped in all so far, `more` of them since the last such row.
    KernelDropped {
        total: u64,
        more: u64,
    },
    /// A TLS handshake: the version and cipher suite; the peer's certificate; its SHA-256.
    TlsEstablished(crate::net::tls::TlsInfo),
    TlsCertificate(crate::net::tls::TlsInfo),
    TlsFingerprint(crate::net::tls::TlsInfo),
    /// A WebSocket handshake: its request and answer; the headers that tell something.
    WebSocketOpened(crate::net::websocket::WebSocketHandshake),
    WebSocketHeaders(crate::net::websocket::WebSocketHandshake),
    /// A WebSocket close, ping or pong, received or sent.
    WebSocketControl {
        sent: bool,
        opcode: crate::codec::websocket::Opcode,
        payload: Vec<u8>,
    },
    /// A sequence's step ended.
    SequenceStep {
        round: u64,
        step: usize,
        state: StepState,
    },
    SequenceEnded(SequenceOutcome),
}

impl Note {
    /// "dropped datagrams: not counted on Windows" where the kernel gives no count (never a 0
    /// that looks measured), for a UDP socket's first row and the counters; None where it does.
    pub fn drops_not_counted() -> Option<String> {
        crate::net::drops_not_counted_on().map(|system| {
            tf(
                "dropped datagrams: not counted on {system}",
                &[("system", &t(system))],
            )
        })
    }

    /// The note in the current language.
    pub fn words(&self) -> String {
        match self {
            Note::Listening { local } => tf("listening on {local}", &[("local", local)]),
            Note::Connected { local, peer } => tf(
                "connected to {peer} from {local}",
                &[("peer", peer), ("local", local)],
            ),
            Note::Accepted { client } => tf("client #{client} connected", &[("client", client)]),
            Note::Relaying {
                client,
                target,
                local,
            } => tf(
                "client #{client} relayed to target {target} (from {local})",
                &[("client", client), ("target", target), ("local", local)],
            ),
            Note::Rejected { limit } => tf(
                "rejected: {limit} clients are connected, the most allowed",
                &[("limit", limit)],
            ),
            Note::PeerFinished => {
                t("peer finished sending (FIN); this side can still send").to_string()
            }
            // A failure says what closed the connection; "closed here", "reset by peer (RST)"
            // say it themselves.
            Note::Closed(reason @ CloseReason::Failed(_)) => tf(
                "closed: {reason}",
                &[("reason", &i18n::close_reason(reason))],
            ),
            Note::Closed(reason) => i18n::close_reason(reason),
            Note::Error(error) => i18n::error(error),
            Note::ReceiveBuffer { asked, granted } => {
                let buffer = tf(
                    "receive buffer: {granted} granted by the kernel ({asked} asked)",
                    &[
                        ("granted", &format_size(*granted)),
                        ("asked", &format_size(*asked)),
                    ],
                );
                // Where drops are not counted the socket's first row says so, once.
                match Note::drops_not_counted() {
                    Some(words) => format!("{buffer} · {words}"),
                    None => buffer,
                }
            }
            Note::Broadcast(true) => {
                t("broadcast on: datagrams may go to broadcast addresses").to_string()
            }
            Note::Broadcast(false) => t("broadcast off").to_string(),
            Note::KernelDropped { total, more } if more < total => tf(
                "the kernel dropped {more} more datagrams ({total} in all): the receive buffer overflowed",
                &[("more", &grouped(*more)), ("total", &grouped(*total))],
            ),
            Note::KernelDropped { total, .. } => kernel_dropped(*total),
            Note::TlsEstablished(info) => tf(
                "TLS established: {version}, {suite}",
                &[("version", &info.version), ("suite", &info.cipher_suite)],
            ),
            Note::TlsCertificate(info) => tf(
                "peer certificate: {subject}, issued by {issuer}, expires {expires}",
                &[
                    ("subject", &info.subject),
                    ("issuer", &info.issuer),
                    ("expires", &info.not_after),
                ],
            ),
            Note::TlsFingerprint(info) => {
                tf("certificate SHA-256: {sha256}", &[("sha256", &info.sha256)])
            }
            Note::WebSocketOpened(handshake) => tf(
                "WebSocket open: {request}, answered {response}",
                &[
                    ("request", &handshake.request),
                    ("response", &handshake.response),
                ],
            ),
            Note::WebSocketHeaders(handshake) => {
                let headers: Vec<String> = handshake
                    .headers
                    .iter()
                    .map(|(name, value)| format!("{name}: {value}"))
                    .collect();
                tf(
                    "WebSocket headers: {headers}",
                    &[("headers", &headers.join("; "))],
                )
            }
            Note::WebSocketControl {
                sent,
                opcode,
                payload,
            } => websocket_control(*sent, *opcode, payload),
            Note::SequenceStep { round, step, state } => {
                let values: [(&str, &dyn std::fmt::Display); 2] =
                    [("step", &(step + 1)), ("round", round)];
                match state {
                    StepState::TimedOut { millis } => tf(
                        "step {step} (round {round}): nothing matched within {ms} ms",
                        &[values[0], values[1], ("ms", millis)],
                    ),
                    StepState::Failed(error) => tf(
                        "step {step} (round {round}) failed: {error}",
                        &[values[0], values[1], ("error", &i18n::error(error))],
                    ),
                    StepState::Passed | StepState::Running => {
                        tf("step {step} (round {round}) passed", &values)
                    }
                }
            }
            Note::SequenceEnded(SequenceOutcome::Passed { rounds }) => {
                tf("sequence passed ({n} rounds)", &[("n", rounds)])
            }
            Note::SequenceEnded(SequenceOutcome::Failed { round, step }) => tf(
                "sequence failed at step {step} of round {round}",
                &[("step", &(step + 1)), ("round", round)],
            ),
            Note::SequenceEnded(SequenceOutcome::Stopped) => t("sequence stopped").to_string(),
            Note::AcceptingAgain { local } => tf(
                "accepting again on {local}: the waiting clients are taken",
                &[("local", local)],
            ),
            Note::Reconnecting { delay } => {
                tf("reconnecting in {ms} ms", &[("ms", &delay.as_millis())])
            }
        }
    }
}

/// "the kernel dropped 1204 datagrams: the receive buffer overflowed", for the log and the
/// status line.
pub fn kernel_dropped(total: u64) -> String {
    tf(
        "the kernel dropped {n} datagrams: the receive buffer overflowed",
        &[("n", &grouped(total))],
    )
}

pub use crate::codec::render::grouped;

/// "WebSocket ping received: \"are you there\"", "WebSocket pong sent: 00 FF",
/// "WebSocket close sent: code 1000 (normal closure) bye".
fn websocket_control(
    sent: bool,
    opcode: crate::codec::websocket::Opcode,
    payload: &[u8],
) -> String {
    use crate::codec::websocket::{Opcode, close_meaning, read_close};
    let what = match (opcode, sent) {
        (Opcode::Ping, false) => t("WebSocket ping received"),
        (Opcode::Ping, true) => t("WebSocket ping sent"),
        (Opcode::Pong, false) => t("WebSocket pong received"),
        (Opcode::Pong, true) => t("WebSocket pong sent"),
        (_, false) => t("WebSocket close received"),
        (_, true) => t("WebSocket close sent"),
    };
    let detail = match (opcode, read_close(payload)) {
        (Opcode::Close, Some((code, reason))) => tf(
            "code {code} ({meaning}) {reason}",
            &[
                ("code", &code),
                ("meaning", &t(close_meaning(code))),
                ("reason", &reason),
            ],
        )
        .trim_end()
        .to_string(),
        (Opcode::Close, None) => t("no code").to_string(),
        _ if payload.is_empty() => return what.to_string(),
        _ => crate::codec::websocket::control_payload(payload),
    };
    tf("{what}: {detail}", &[("what", &what), ("detail", &detail)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::i18n::{Language, set_language};

    #[test]
    fn kernel_drops_read_as_more_since_the_last_row_and_in_all() {
        set_language(Language::English);
        let first = Note::KernelDropped {
            total: 174_508,
            more: 174_508,
        };
        assert_eq!(
            first.words(),
            "the kernel dropped 174,508 datagrams: the receive buffer overflowed"
        );
        let next = Note::KernelDropped {
            total: 394_781,
            more: 220_273,
        };
        assert_eq!(
            next.words(),
            "the kernel dropped 220,273 more datagrams (394,781 in all): the receive buffer overflowed"
        );
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1_000), "1,000");
    }

    #[test]
    fn a_note_is_worded_in_the_language_of_the_moment() {
        let note = Note::Closed(CloseReason::ClosedHere);
        set_language(Language::English);
        assert_eq!(note.words(), "closed here");
        set_language(Language::Chinese);
        assert_ne!(note.words(), "closed here");
        assert!(!note.words().is_ascii(), "{}", note.words());
        set_language(Language::English);
    }

    #[test]
    fn websocket_rows_say_the_frame_in_either_language() {
        use crate::codec::websocket::{Opcode, close_payload};
        let close = Note::WebSocketControl {
            sent: false,
            opcode: Opcode::Close,
            payload: close_payload(1001, "going"),
        };
        let ping = Note::WebSocketControl {
            sent: true,
            opcode: Opcode::Ping,
            payload: vec![0x70],
        };
        let binary_pong = Note::WebSocketControl {
            sent: false,
            opcode: Opcode::Pong,
            payload: vec![0x00, 0xFF],
        };
        set_language(Language::English);
        assert_eq!(
            close.words(),
            "WebSocket close received: code 1001 (going away) going"
        );
        assert_eq!(ping.words(), "WebSocket ping sent: \"p\"");
        assert_eq!(binary_pong.words(), "WebSocket pong received: 00 FF");
        set_language(Language::Chinese);
        assert_eq!(
            close.words(),
            "收到 WebSocket 关闭帧：代码 1001（离开）going"
        );
        assert_eq!(ping.words(), "发出 WebSocket ping：\"p\"");
        set_language(Language::English);
    }
}
