//! The sequence chart's model: each log row as an arrow between two lanes (this end and one
//! lane per peer), or a note on one lane. Drawing is in `ui::chart_view`.

use crate::codec::render::one_line;
use crate::gui::i18n::{t, tf};
use crate::gui::model::log::{Direction, LogRow, Mark};

/// Characters of a message shown on its arrow.
const PREVIEW_CHARS: usize = 24;

/// How an arrow is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Data,
    /// Connect, accept, FIN.
    Control,
    /// RST, rejected, errors.
    Alarm,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrow {
    /// Lanes: 0 is this end, `1 + i` is the log's peer `i`. `from == to` is a note on a lane.
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub tone: Tone,
}

/// The arrow for `row`, whose peer is the log's peer `peer_index`.
pub fn arrow(row: &LogRow<'_>, peer_index: Option<usize>) -> Arrow {
    const HERE: usize = 0;
    let Some(peer) = peer_index.map(|i| i + 1) else {
        let tone = match row.direction {
            Direction::Error => Tone::Alarm,
            _ => Tone::Note,
        };
        return note(HERE, row.text.clone(), tone);
    };
    let (from, to, label, tone) = match row.mark {
        Mark::Data => {
            let (from, to) = match row.direction {
                Direction::Tx => (HERE, peer),
                _ => (peer, HERE),
            };
            (from, to, data_label(row), Tone::Data)
        }
        Mark::WebSocket { opcode, sent } => {
            let (from, to) = if sent { (HERE, peer) } else { (peer, HERE) };
            if opcode.is_control() {
                (
                    from,
                    to,
                    preview(&row.text, PREVIEW_CHARS * 2),
                    Tone::Control,
                )
            } else {
                let label = format!("{} · {}", t(opcode.name()), data_label(row));
                (from, to, label, Tone::Data)
            }
        }
        Mark::Connected => (HERE, peer, t("connect").to_string(), Tone::Control),
        Mark::Accepted => {
            let label = match row.client {
                Some(id) => tf("connect · client #{id}", &[("id", &id)]),
                None => t("connect").to_string(),
            };
            (peer, HERE, label, Tone::Control)
        }
        Mark::ClosedByPeer => (peer, HERE, "FIN".to_string(), Tone::Control),
        Mark::PeerFinished => (peer, HERE, t("FIN (half-close)").to_string(), Tone::Control),
        Mark::ClosedHere => (HERE, peer, "FIN".to_string(), Tone::Control),
        Mark::ResetByPeer => (peer, HERE, "RST".to_string(), Tone::Alarm),
        Mark::ResetHere => (HERE, peer, "RST".to_string(), Tone::Alarm),
        Mark::Rejected => (
            peer,
            HERE,
            t("rejected (too many clients)").to_string(),
            Tone::Alarm,
        ),
        Mark::Listening | Mark::Error | Mark::Note => {
            let tone = if row.mark == Mark::Error {
                Tone::Alarm
            } else {
                Tone::Note
            };
            return note(HERE, row.text.clone(), tone);
        }
    };
    Arrow {
        from,
        to,
        label,
        tone,
    }
}

fn note(lane: usize, label: String, tone: Tone) -> Arrow {
    Arrow {
        from: lane,
        to: lane,
        label,
        tone,
    }
}

/// "5 B hello": the length, then the start of the text on one line.
fn data_label(row: &LogRow<'_>) -> String {
    format!(
        "{} B  {}",
        row.data.len(),
        preview(&row.text, PREVIEW_CHARS)
    )
}

/// The first `chars` characters of `text` on one line, with "…" when there were more.
fn preview(text: &str, chars: usize) -> String {
    let text = one_line(text);
    let mut preview: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        preview.push('…');
    }
    preview
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::TextEncoding;
    use crate::gui::model::log::Log;
    use crate::net::{CloseReason, Event, EventKind};

    #[test]
    fn a_conversation_is_one_arrow_per_event_in_the_right_direction() {
        let peer = "127.0.0.1:50007".parse().unwrap();
        let mut log = Log::new(TextEncoding::Utf8, true);
        for kind in [
            EventKind::Accepted {
                client: 1,
                local: "127.0.0.1:9000".parse().unwrap(),
                peer,
                counters: Default::default(),
            },
            EventKind::received(Some(1), peer, b"hello".to_vec()),
            EventKind::sent(
                Some(1),
                peer,
                b"a reply longer than the preview shows".to_vec(),
            ),
            EventKind::Closed {
                client: Some(1),
                peer,
                reason: CloseReason::Reset,
            },
        ] {
            log.push_event(Event::now(kind));
        }
        let arrows: Vec<(usize, usize, String, Tone)> = (0..log.len())
            .map(|i| {
                let a = arrow(&log.row(i), log.peer_index(i));
                (a.from, a.to, a.label, a.tone)
            })
            .collect();
        assert_eq!(
            arrows,
            [
                (1, 0, "connect · client #1".into(), Tone::Control),
                (1, 0, "5 B  hello".into(), Tone::Data),
                (0, 1, "37 B  a reply longer than the …".into(), Tone::Data),
                (1, 0, "RST".into(), Tone::Alarm),
            ]
        );
    }

    #[test]
    fn websocket_messages_and_control_frames_are_arrows_each_way() {
        use crate::codec::websocket::{Opcode, close_payload};
        crate::gui::i18n::set_language(crate::gui::i18n::Language::English);
        let peer = "127.0.0.1:50007".parse().unwrap();
        let mut log = Log::new(TextEncoding::Utf8, true);
        let mut received = crate::net::Message::now(peer, b"hi".to_vec());
        received.websocket = Some(Opcode::Text);
        for kind in [
            EventKind::Received {
                client: None,
                messages: vec![received],
            },
            EventKind::Sent {
                client: None,
                peer,
                data: vec![0, 1],
                websocket: Some(Opcode::Binary),
            },
            EventKind::WebSocketControl {
                client: None,
                peer,
                sent: false,
                opcode: Opcode::Ping,
                payload: b"pp".to_vec(),
            },
            EventKind::WebSocketControl {
                client: None,
                peer,
                sent: true,
                opcode: Opcode::Close,
                payload: close_payload(1000, ""),
            },
        ] {
            log.push_event(Event::now(kind));
        }
        let arrows: Vec<(usize, usize, String, Tone)> = (0..log.len())
            .map(|i| {
                let a = arrow(&log.row(i), log.peer_index(i));
                (a.from, a.to, a.label, a.tone)
            })
            .collect();
        assert_eq!(
            arrows,
            [
                (1, 0, "text · 2 B  hi".into(), Tone::Data),
                (0, 1, "binary · 2 B  \\x00\\x01".into(), Tone::Data),
                (
                    1,
                    0,
                    "WebSocket ping received: \"pp\"".into(),
                    Tone::Control
                ),
                (
                    0,
                    1,
                    "WebSocket close sent: code 1000 (normal closure)".into(),
                    Tone::Control
                ),
            ]
        );
    }
}
