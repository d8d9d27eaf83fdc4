//! What views read from a page, and the few fields a person types into directly (the settings,
//! the message, a preset's name, the filter and the find text). Everything else changes
//! through [`PageAction`](super::PageAction).

use super::*;
use crate::gui::model::log::{Direction, LogRow};

/// What every row of a log shares, so a narrow Peer column can leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerBrevity {
    /// One peer only: no Peer column.
    pub hidden: bool,
    /// Every peer has the same address: the port tells them apart.
    pub same_address: bool,
}

impl Page {
    pub fn kind(&self) -> SessionKind {
        self.kind
    }

    pub fn config(&self) -> &PageConfig {
        &self.config
    }

    /// The settings as typed: host, port, options, rules. Checked when used, not here.
    pub fn config_mut(&mut self) -> &mut PageConfig {
        &mut self.config
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message box; report edits with [`PageAction::MessageEdited`].
    pub fn message_mut(&mut self) -> &mut String {
        &mut self.message
    }

    pub fn preset_name_mut(&mut self) -> &mut String {
        &mut self.preset_name
    }

    pub fn log(&self) -> &Log {
        &self.log
    }

    pub fn link(&self) -> &Link {
        &self.link
    }

    /// The page's name among its tab's sessions: the peer for a client; for the others the
    /// port listened on, the one the system chose once the session asked for port 0.
    pub fn session_name(&self) -> String {
        match (&self.link, self.kind) {
            (_, SessionKind::TcpClient) => self.config.peer_label(),
            (Link::Listening { local }, _) => format!(":{}", local.port()),
            _ => format!(":{}", self.config.bind_port.trim()),
        }
    }

    /// TCP client: the port a ws:// or wss:// URL in Host names, which Port then does not set.
    pub fn port_in_url(&self) -> Option<u16> {
        match self.kind {
            SessionKind::TcpClient => WebSocketUrl::port_named(&self.config.host),
            _ => None,
        }
    }

    /// The last error of opening or running the session, for the status line.
    pub fn status_error(&self) -> Option<&str> {
        self.status_error.as_deref()
    }

    /// Why the message cannot be sent, shown under the message box.
    pub fn send_error(&self) -> Option<&str> {
        self.send_error.as_deref()
    }

    /// TCP server: the connected clients.
    pub fn clients(&self) -> &[ClientInfo] {
        &self.clients
    }

    /// TCP server: the client sends go to (None: all).
    pub fn selected_client(&self) -> Option<ClientId> {
        self.selected_client
    }

    pub fn only_selected_client(&self) -> bool {
        self.only_selected_client
    }

    pub fn filter_mut(&mut self) -> &mut LogFilter {
        &mut self.filter
    }

    pub fn is_find_open(&self) -> bool {
        self.find_open
    }

    pub fn find_text(&self) -> &str {
        &self.find
    }

    pub fn find_text_mut(&mut self) -> &mut String {
        &mut self.find
    }

    /// The row (by number since the log began) Find stopped at.
    pub fn found(&self) -> Option<u64> {
        self.found
    }

    /// The row (by number, as [`Page::found`]) whose detail pane is open.
    pub fn selected_row(&self) -> Option<u64> {
        self.selected_row
    }

    /// Whether the view should bring the found row into sight; true once per Find.
    pub fn take_scroll_to_found(&mut self) -> bool {
        std::mem::take(&mut self.scroll_to_found)
    }

    /// A row's Peer cell: "#1 127.0.0.1:50007"; on a relay page also which end and which way,
    /// "#1 client->target 127.0.0.1:50007" for the bytes a client sent.
    pub fn peer_cell(&self, row: &LogRow) -> String {
        self.peer_words(row, None)
    }

    /// What a narrow log's Peer column can drop because every row shares it: the whole
    /// column when the log has one peer, the address when every peer has the same one.
    pub fn peer_brevity(&self) -> PeerBrevity {
        let peers = self.log.peers();
        let first = peers.first();
        PeerBrevity {
            hidden: peers.iter().all(|peer| Some(peer) == first),
            same_address: peers
                .iter()
                .all(|(peer, _)| first.is_some_and(|(f, _)| f.ip() == peer.ip())),
        }
    }

    /// The Peer cell without what `brevity` says every row shares: a client's number (and a
    /// relay's end) names it alone, else the port when every peer has the same address.
    pub fn brief_peer_cell(&self, row: &LogRow, brevity: PeerBrevity) -> String {
        self.peer_words(row, Some(brevity))
    }

    fn peer_words(&self, row: &LogRow, brevity: Option<PeerBrevity>) -> String {
        let peer = match (row.peer, brevity) {
            (None, _) => String::new(),
            (Some(_), Some(_)) if row.client.is_some() => String::new(),
            (Some(peer), Some(b)) if b.same_address => format!(":{}", peer.port()),
            (Some(peer), _) => peer.to_string(),
        };
        let end = match row.peer {
            Some(peer) if self.kind == SessionKind::Relay && row.client.is_some() => {
                let from_target = self.relay_targets.contains(&peer);
                Some(match (row.direction, from_target) {
                    (Direction::Rx, false) => t("client->target"),
                    (Direction::Rx, true) => t("target->client"),
                    (Direction::Tx, false) => t("->client"),
                    (Direction::Tx, true) => t("->target"),
                    (_, false) => t("client"),
                    (_, true) => t("target"),
                })
            }
            _ => None,
        };
        let words = match (row.client, end) {
            (Some(id), Some(end)) => format!("#{id} {end} {peer}"),
            (Some(id), None) => format!("#{id} {peer}"),
            (None, _) => peer,
        };
        words.trim_end().to_string()
    }

    /// UDP: who sent the last datagram.
    pub fn last_sender(&self) -> Option<SocketAddr> {
        self.last_sender
    }

    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    pub fn recording(&self) -> &SessionRecording {
        &self.recording
    }

    /// Waits until what was handed to the session (rules, echo, capture) is in force: for
    /// tests, which then know the next message is answered. The window never waits on it.
    pub fn settle_session(&self) {
        if let Some(session) = &self.session {
            session.settle();
        }
    }

    pub fn is_capturing(&self) -> bool {
        self.capturing
    }

    /// What the last file action did, in words.
    pub fn file_note(&self) -> Option<&str> {
        self.file_note.as_deref()
    }

    /// Why the auto-reply rules cannot be used.
    pub fn rules_error(&self) -> Option<&str> {
        self.rules_error.as_deref()
    }
}
