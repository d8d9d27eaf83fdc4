//! What each engine event becomes as a row of the log.

use super::*;
use crate::net::Closer;

/// What a row is made of: its kind, peer, client and bytes.
type RowParts = (
    (Direction, Mark),
    Option<SocketAddr>,
    Option<ClientId>,
    Box<[u8]>,
);

fn note(text: String) -> Box<[u8]> {
    text.into_bytes().into_boxed_slice()
}

impl Log {
    /// Adds a note of something that happened here, such as the user closing the session.
    pub fn push_info(&mut self, text: String) {
        self.push(
            SystemTime::now(),
            (Direction::Info, Mark::Note),
            NO_PEER,
            text.into_bytes().into_boxed_slice(),
        );
    }

    /// Adds a row for an event worth showing (not `Stopped`). Received and sent bytes move
    /// into the row without a copy (the engine hands over buffers of exactly their length).
    pub fn push_event(&mut self, event: Event) {
        let info = (Direction::Info, Mark::Note);
        let Event { time, kind } = event;
        let (kind, peer, client, data): RowParts = match kind {
            EventKind::Listening { local } => (
                (Direction::Info, Mark::Listening),
                None,
                None,
                note(tf("listening on {local}", &[("local", &local)])),
            ),
            EventKind::Connected { local, peer } => (
                (Direction::Info, Mark::Connected),
                Some(peer),
                None,
                note(tf(
                    "connected to {peer} from {local}",
                    &[("peer", &peer), ("local", &local)],
                )),
            ),
            EventKind::Accepted { client, peer, .. } => (
                (Direction::Info, Mark::Accepted),
                Some(peer),
                Some(client),
                note(tf("client #{client} connected", &[("client", &client)])),
            ),
            EventKind::Rejected { peer, limit } => (
                (Direction::Error, Mark::Rejected),
                Some(peer),
                None,
                note(tf(
                    "rejected: {limit} clients are connected, the most allowed",
                    &[("limit", &limit)],
                )),
            ),
            EventKind::Received { client, peer, data } => (
                (Direction::Rx, Mark::Data),
                Some(peer),
                client,
                data.into_boxed_slice(),
            ),
            EventKind::Sent { client, peer, data } => (
                (Direction::Tx, Mark::Data),
                Some(peer),
                client,
                data.into_boxed_slice(),
            ),
            EventKind::PeerFinished { client, peer } => (
                (Direction::Info, Mark::PeerFinished),
                Some(peer),
                client,
                note(t("peer finished sending (FIN); this side can still send").to_string()),
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
                let kind = (direction, mark);
                (
                    kind,
                    Some(peer),
                    client,
                    // "closed here", "reset by peer (RST)"…; a failure says what closed it.
                    note(match reason {
                        CloseReason::Failed(_) => tf(
                            "closed: {reason}",
                            &[("reason", &i18n::close_reason(&reason))],
                        ),
                        _ => i18n::close_reason(&reason),
                    }),
                )
            }
            EventKind::Error { client, error } => (
                (Direction::Error, Mark::Error),
                None,
                client,
                note(i18n::error(&error)),
            ),
            EventKind::Reconnecting { delay } => (
                info,
                None,
                None,
                note(tf("reconnecting in {ms} ms", &[("ms", &delay.as_millis())])),
            ),
            EventKind::Stopped => return,
        };
        let peer = match peer {
            Some(peer) => self.peer_id(peer, client),
            None => NO_PEER,
        };
        self.push(time, kind, peer, data);
    }
}
