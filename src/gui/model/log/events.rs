//! What each engine event becomes as a row of the log.

use super::*;
use crate::net::{Closer, Message, SequenceOutcome, StepState};

/// What a row says: its bytes, or a note put into words when drawn.
enum Content {
    Bytes(Vec<u8>),
    Note(Note),
}

impl Log {
    /// Adds a note of something that happened here, such as the user closing the session.
    pub fn push_note(&mut self, note: Note) {
        let direction = match note {
            Note::Error(_) => Direction::Error,
            _ => Direction::Info,
        };
        let kind = (direction, Mark::Note);
        self.push_content(SystemTime::now(), kind, NO_PEER, Content::Note(note));
    }

    /// Adds a row for an event worth showing (not `Stopped`). Received and sent bytes move
    /// into the row without a copy (the engine hands over buffers of exactly their length).
    pub fn push_event(&mut self, event: Event) {
        let Event { time, kind, .. } = event;
        let info = |mark| (Direction::Info, mark);
        let (kind, peer, client, content) = match kind {
            EventKind::Listening { local } => (
                info(Mark::Listening),
                None,
                None,
                Content::Note(Note::Listening { local }),
            ),
            EventKind::Connected { local, peer } => (
                info(Mark::Connected),
                Some(peer),
                None,
                Content::Note(Note::Connected { local, peer }),
            ),
            EventKind::Accepted { client, peer, .. } => (
                info(Mark::Accepted),
                Some(peer),
                Some(client),
                Content::Note(Note::Accepted { client }),
            ),
            EventKind::Relaying {
                client,
                local,
                target,
            } => (
                info(Mark::Connected),
                Some(target),
                Some(client),
                Content::Note(Note::Relaying {
                    client,
                    target,
                    local,
                }),
            ),
            // What was agreed, who the peer is, and its fingerprint: a row each, so each fits.
            EventKind::TlsEstablished {
                client,
                peer,
                info: agreed,
            } => {
                // A server's client shows no certificate.
                let certificate = !agreed.subject.is_empty();
                let mut rows = vec![Note::TlsEstablished(agreed.clone())];
                if certificate {
                    rows.push(Note::TlsCertificate(agreed.clone()));
                    rows.push(Note::TlsFingerprint(agreed));
                }
                let peer = self.peer_id(peer, client);
                for note in rows {
                    self.push_content(time, info(Mark::Note), peer, Content::Note(note));
                }
                return;
            }
            EventKind::WebSocketOpened {
                client,
                peer,
                handshake,
            } => {
                let mut rows = vec![Note::WebSocketOpened(handshake.clone())];
                if !handshake.headers.is_empty() {
                    rows.push(Note::WebSocketHeaders(handshake));
                }
                let peer = self.peer_id(peer, client);
                for note in rows {
                    self.push_content(time, info(Mark::Note), peer, Content::Note(note));
                }
                return;
            }
            EventKind::WebSocketControl {
                client,
                peer,
                sent,
                opcode,
                payload,
            } => (
                info(Mark::WebSocket { opcode, sent }),
                Some(peer),
                client,
                Content::Note(Note::WebSocketControl {
                    sent,
                    opcode,
                    payload,
                }),
            ),
            EventKind::Rejected { peer, limit } => (
                (Direction::Error, Mark::Rejected),
                Some(peer),
                None,
                Content::Note(Note::Rejected { limit }),
            ),
            EventKind::Received { client, messages } => {
                return self.push_messages(client, messages);
            }
            EventKind::Sent {
                client,
                peer,
                data,
                websocket,
            } => (
                (Direction::Tx, Mark::of_data(websocket, true)),
                Some(peer),
                client,
                Content::Bytes(data),
            ),
            EventKind::PeerFinished { client, peer } => (
                info(Mark::PeerFinished),
                Some(peer),
                client,
                Content::Note(Note::PeerFinished),
            ),
            EventKind::Closed {
                client,
                peer,
                reason,
            } => {
                let direction = match reason {
                    CloseReason::Failed(_) => Direction::Error,
                    _ => Direction::Info,
                };
                let mark = match reason.ending() {
                    (Closer::Peer, false) => Mark::ClosedByPeer,
                    (Closer::Peer, true) => Mark::ResetByPeer,
                    (Closer::Here, false) => Mark::ClosedHere,
                    (Closer::Here, true) => Mark::ResetHere,
                };
                (
                    (direction, mark),
                    Some(peer),
                    client,
                    Content::Note(Note::Closed(reason)),
                )
            }
            EventKind::Error { client, error } => (
                (Direction::Error, Mark::Error),
                None,
                client,
                Content::Note(Note::Error(error)),
            ),
            EventKind::ReceiveBuffer { asked, granted } => (
                info(Mark::Note),
                None,
                None,
                Content::Note(Note::ReceiveBuffer { asked, granted }),
            ),
            EventKind::KernelDropped { total } => {
                let more = total.saturating_sub(self.kernel_dropped);
                self.kernel_dropped = total;
                (
                    (Direction::Error, Mark::Error),
                    None,
                    None,
                    Content::Note(Note::KernelDropped { total, more }),
                )
            }
            EventKind::AcceptingAgain { local } => (
                info(Mark::Note),
                None,
                None,
                Content::Note(Note::AcceptingAgain { local }),
            ),
            EventKind::Reconnecting { delay } => (
                info(Mark::Note),
                None,
                None,
                Content::Note(Note::Reconnecting { delay }),
            ),
            // A step that starts shows in the sequence's list; its end gets a row.
            EventKind::SequenceStep {
                state: StepState::Running,
                ..
            }
            | EventKind::Stopped => return,
            EventKind::SequenceStep { round, step, state } => {
                let direction = match state {
                    StepState::Passed => Direction::Info,
                    _ => Direction::Error,
                };
                (
                    (direction, Mark::Note),
                    None,
                    None,
                    Content::Note(Note::SequenceStep { round, step, state }),
                )
            }
            EventKind::SequenceEnded { outcome } => {
                let direction = match outcome {
                    SequenceOutcome::Failed { .. } => Direction::Error,
                    _ => Direction::Info,
                };
                (
                    (direction, Mark::Note),
                    None,
                    None,
                    Content::Note(Note::SequenceEnded(outcome)),
                )
            }
        };
        let peer = match peer {
            Some(peer) => self.peer_id(peer, client),
            None => NO_PEER,
        };
        self.push_content(time, kind, peer, content);
    }

    /// Adds a row for each message of a batch, in one step.
    fn push_messages(&mut self, client: Option<ClientId>, messages: Vec<Message>) {
        self.rows.reserve(messages.len());
        for Message {
            time,
            peer,
            data,
            websocket,
        } in messages
        {
            let peer = self.peer_id(peer, client);
            self.push(
                time,
                (Direction::Rx, Mark::of_data(websocket, false)),
                peer,
                data.into_boxed_slice(),
            );
        }
    }

    fn push_content(
        &mut self,
        time: SystemTime,
        kind: (Direction, Mark),
        peer: u32,
        content: Content,
    ) {
        match content {
            Content::Bytes(data) => self.push(time, kind, peer, data.into_boxed_slice()),
            Content::Note(note) => {
                // The row's number once pushed; notes stay in row order.
                self.notes
                    .push_back((self.first + self.rows.len() as u64, note));
                self.push(time, kind, peer, Box::default());
            }
        }
    }
}
