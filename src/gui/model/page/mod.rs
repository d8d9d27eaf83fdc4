//! One session as the desktop app shows it: its settings, the running engine session, its log,
//! client list and counters. No drawing here (that is `gui::view`), so it is testable on its
//! own. This file opens and drains the session and says where it stands; the rest is
//! split by concern: `ending` (closing, and the closed session's last events), `config` (what is remembered), `send` (messages, presets, repeats),
//! `sequence` (send sequences), `tls`, `files` (capture, export, file sends) and
//! `view_state` (which rows are shown).

mod action;
mod config;
mod ending;
mod files;
mod read;
mod send;
mod sequence;
mod sync;
#[cfg(test)]
mod tests;
mod tls;
mod view_state;

use ending::Ending;

pub use action::PageAction;
pub use config::{
    DisplayMode, HISTORY_LEN, HistoryEntry, LogView, PageConfig, Preset, rule_is_complete,
};
pub use files::PathField;
pub use read::PeerBrevity;
pub use sequence::{SequenceProgress, StepKind};
pub use view_state::{Searches, ShownRows};

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::codec::{
    Checksum, Framing, InputMode, LineEnding, PayloadFormat, TextEncoding, convert_message,
    dissect::Dissector,
    hex::parse_hex,
    split_evenly,
    template::{Random, Template, Values},
    websocket::DataFrames,
};
use crate::error::Error;
use crate::gui::i18n::{self, t, tf};
use crate::gui::model::folder;
use crate::gui::model::log::{DEFAULT_ROW_LIMIT, ExportFormat, Log, LogFilter, Note, export};
use crate::gui::model::recording::{RecordingConfig, SessionRecording};
use crate::net::addr::{HostPort, parse_bind_parts, parse_multicast, parse_remote_parts};
use crate::net::rules::{Responder, Rule};
use crate::net::websocket::WebSocketUrl;
use crate::net::{
    ClientId, ClientInfo, CloseReason, Command, Destination, Event, EventKind, FileSend, Reconnect,
    RelayConfig, Repeater, Session, SessionConfig, SessionKind, TcpClientConfig, TcpOptions,
    TcpServerConfig, Totals, UdpConfig, Waker, file_chunk, timeout_seconds,
};

/// A timeout typed in seconds: empty is none, otherwise a number above 0.
fn seconds(name: &'static str, text: &str) -> Result<Option<Duration>, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Not a number is refused as a number out of range would be, naming what was typed.
    let seconds = text.parse::<f64>().unwrap_or(f64::NAN);
    timeout_seconds(name, seconds, &format!("'{text}'")).map(Some)
}

/// Where the page's session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Closed,
    Connecting,
    /// `peer_finished`: the peer sent FIN and the connection is kept for sending (half-close).
    Connected {
        local: SocketAddr,
        peer: SocketAddr,
        peer_finished: bool,
    },
    Listening {
        local: SocketAddr,
    },
}

/// Rows (messages and other events) taken per page per frame at most, so a flood cannot stall
/// drawing.
const ROWS_PER_FRAME: usize = 4096;

/// The events waiting in `session`'s queue, up to a frame's rows; true if that many were taken.
fn waiting_events(session: &Session) -> (Vec<Event>, bool) {
    let mut events: Vec<Event> = Vec::new();
    let mut rows = 0;
    while rows < ROWS_PER_FRAME
        && let Ok(event) = session.events().try_recv()
    {
        rows += match &event.kind {
            EventKind::Received { messages, .. } => messages.len(),
            _ => 1,
        };
        events.push(event);
    }
    (events, rows >= ROWS_PER_FRAME)
}

pub struct Page {
    kind: SessionKind,
    config: PageConfig,
    /// The message being typed in the send panel.
    message: String,
    /// The name typed for the next preset.
    preset_name: String,
    log: Log,
    link: Link,
    /// The last error, shown in red on the status line.
    status_error: Option<String>,
    /// Why the message cannot be sent (invalid hex, say), shown under the send box.
    send_error: Option<String>,
    clients: Vec<ClientInfo>,
    /// TCP server: the client to send to; None sends to all clients.
    selected_client: Option<ClientId>,
    /// TCP server: show only the selected client's rows.
    only_selected_client: bool,
    /// Which rows the log view shows.
    filter: LogFilter,
    /// The search bar (Ctrl+F): what to find, and the row (by number) found last.
    find: String,
    find_open: bool,
    found: Option<u64>,
    /// The view should bring the found row into sight (once, then the user may scroll).
    scroll_to_found: bool,
    /// The row (by number) whose detail pane is open.
    selected_row: Option<u64>,
    /// Messages sent from the message box and presets: the last `${seq}`.
    sends: u64,
    /// UDP: who sent the last datagram, for "Reply to last sender".
    last_sender: Option<SocketAddr>,
    /// Relay: the target addresses its pairs were joined to (usually one), to tell a row of
    /// the target's end from one of a client's.
    relay_targets: Vec<SocketAddr>,
    /// While paused the view ends at this row number; new rows are still kept.
    paused_at: Option<u64>,
    /// Filter and find results kept between frames.
    searches: Searches,
    session: Option<Session>,
    /// Sessions closed here whose last events are still coming to the log.
    endings: Vec<Ending>,
    /// The periodic send under way, if any.
    repeater: Option<Repeater>,
    /// The send sequence under way, where its steps stand, and what its last action said.
    sequence_run: Option<crate::net::SequenceRun>,
    sequence_progress: SequenceProgress,
    sequence_note: Option<String>,
    /// Split writes still being sent (with a gap between writes).
    split_sends: Vec<Repeater>,
    recording: SessionRecording,
    /// Whether received bytes go to `config.capture_path` (also for the next session).
    capturing: bool,
    file_send: Option<FileSend>,
    /// What the last file action did, in words.
    file_note: Option<String>,
    /// A file dialog that is open: the field it fills, and where its answer comes.
    file_pick: Option<(PathField, crossbeam_channel::Receiver<PathBuf>)>,
    /// The rules, echo switch and encoding the session answers with (the engine answers);
    /// compared with the settings so edits reach the session.
    applied_rules: Option<(Vec<Rule>, bool, TextEncoding)>,
    /// UDP: the broadcast switch as the open socket has it.
    applied_broadcast: bool,
    /// Why the rules cannot be used, shown under them.
    rules_error: Option<String>,
    /// Counts of sessions that have ended, so counters survive a reconnect.
    earlier_totals: Totals,
}

impl Page {
    pub fn new(kind: SessionKind, config: PageConfig) -> Page {
        Page {
            kind,
            log: {
                let mut log = Log::new(config.encoding, kind != SessionKind::Udp);
                log.set_limit(config.row_limit);
                log
            },
            config,
            message: String::new(),
            preset_name: String::new(),
            link: Link::Closed,
            status_error: None,
            send_error: None,
            clients: Vec::new(),
            selected_client: None,
            only_selected_client: false,
            filter: LogFilter::default(),
            find: String::new(),
            find_open: false,
            found: None,
            scroll_to_found: false,
            selected_row: None,
            sends: 0,
            last_sender: None,
            relay_targets: Vec::new(),
            paused_at: None,
            searches: Searches::default(),
            session: None,
            endings: Vec::new(),
            repeater: None,
            sequence_run: None,
            sequence_progress: SequenceProgress::default(),
            sequence_note: None,
            split_sends: Vec::new(),
            recording: SessionRecording::default(),
            capturing: false,
            file_send: None,
            file_note: None,
            file_pick: None,
            applied_rules: None,
            applied_broadcast: false,
            rules_error: None,
            earlier_totals: Totals::default(),
        }
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.link, Link::Connected { .. })
    }

    pub fn is_open(&self) -> bool {
        self.session.is_some()
    }

    /// Connect, Listen or Open; or Disconnect, Stop or Close when already open.
    pub fn toggle(&mut self, waker: Waker) {
        if self.session.is_some() {
            self.close();
        } else {
            self.status_error = None;
            if let Err(error) = self.open(waker) {
                self.status_error = Some(i18n::error(&error));
                self.log.push_note(Note::Error(error));
            }
        }
    }

    fn open(&mut self, waker: Waker) -> Result<(), Error> {
        let config = match self.kind {
            SessionKind::TcpClient => {
                let url = self.websocket_url()?;
                let secure = url.as_ref().is_some_and(|url| url.secure);
                let mut config = match url {
                    Some(url) => TcpClientConfig {
                        websocket: Some(url.target),
                        ..TcpClientConfig::new(url.peer)
                    },
                    None => TcpClientConfig::new(self.target()?),
                };
                config.options = self.tcp_options()?;
                config.reconnect = self.config.reconnect.then(Reconnect::default);
                config.tls = self.tls_client(secure)?;
                SessionConfig::TcpClient(config)
            }
            SessionKind::TcpServer => {
                let mut config = TcpServerConfig::new(self.bind()?);
                config.options = self.tcp_options()?;
                config.dual_stack = self.config.dual_stack;
                config.tls = self.tls_server()?;
                config.websocket = self.config.websocket;
                SessionConfig::TcpServer(config)
            }
            SessionKind::Relay => {
                let mut config = RelayConfig::new(self.bind()?, self.target()?);
                config.options = self.tcp_options()?;
                SessionConfig::Relay(config)
            }
            SessionKind::Udp => {
                let mut config = UdpConfig::new(self.bind()?);
                config.broadcast = self.config.broadcast;
                config.multicast_groups = self.config.multicast_groups.clone();
                config.multicast_loop = self.config.multicast_loop;
                config.multicast_ttl = match self.config.multicast_ttl.trim() {
                    "" => None,
                    ttl => Some(
                        ttl.parse()
                            .map_err(|_| Error::InvalidNumber(ttl.to_string()))?,
                    ),
                };
                // The target may be filled in later, before sending.
                config.target = self.target().ok();
                SessionConfig::Udp(config)
            }
        };
        let capture = match self.capturing {
            true => Some(folder::for_writing(&self.config.capture_path)?),
            false => None,
        };
        self.session = Some(Session::open(config, waker, capture.as_deref(), None)?);
        // Only once the session exists: a failed open leaves the page closed.
        if self.kind == SessionKind::TcpClient {
            self.link = Link::Connecting;
        }
        self.applied_rules = None;
        self.applied_broadcast = self.config.broadcast;
        self.sync_session();
        Ok(())
    }

    fn tcp_options(&self) -> Result<TcpOptions, Error> {
        Ok(TcpOptions {
            framing: Framing::parse(&self.config.framing)?,
            nodelay: self.config.nodelay,
            keepalive: self.config.keepalive,
            half_close: self.config.half_close,
            idle_timeout: seconds(t("Idle timeout (s)"), &self.config.idle_timeout_s)?,
            send_timeout: seconds(t("Send timeout (s)"), &self.config.send_timeout_s)?,
            ..TcpOptions::default()
        })
    }

    /// The peer typed in Host and Port (never port 0).
    fn target(&self) -> Result<HostPort, Error> {
        parse_remote_parts(&self.config.host, &self.config.port)
    }

    /// TCP client: Host holds a ws:// or wss:// URL; a URL without a port takes Port's.
    fn websocket_url(&self) -> Result<Option<WebSocketUrl>, Error> {
        let port = self.config.port.trim().parse().ok();
        WebSocketUrl::parse_or_port(&self.config.host, port)
    }

    fn bind(&self) -> Result<SocketAddr, Error> {
        let address = match self.config.bind_address.trim() {
            "" => "0.0.0.0",
            typed => typed,
        };
        parse_bind_parts(address, &self.config.bind_port)
    }

    /// Replays the chosen side of a saved recording over this session, or stops the replay.
    pub fn toggle_replay(&mut self) {
        match self.destination() {
            Ok(to) => {
                self.recording
                    .toggle_replay(&self.config.recording, self.session.as_ref(), to)
            }
            Err(error) => self.recording.note = Some(i18n::error(&error)),
        }
    }

    /// Closes the TCP connection (a client's, or the selected client of a server) with RST.
    pub fn reset_connection(&mut self, client: ClientId) {
        if let Some(session) = &self.session
            && let Err(error) = session.command(Command::Reset(client))
        {
            self.status_error = Some(i18n::error(&error));
        }
    }

    /// Joins the typed multicast group now (if open) and whenever the socket opens.
    pub fn join_group(&mut self) {
        self.status_error = None;
        match parse_multicast(&self.config.multicast_group) {
            // The list shows what the socket has joined: a join the session refused (its
            // queue full) is not listed.
            Ok(group) if !self.config.multicast_groups.contains(&group) => {
                match self.command(Command::JoinMulticast(group)) {
                    Ok(()) => self.config.multicast_groups.push(group),
                    Err(error) => self.status_error = Some(i18n::error(&error)),
                }
            }
            Ok(_) => {}
            Err(error) => self.status_error = Some(i18n::error(&error)),
        }
    }

    pub fn leave_group(&mut self, group: IpAddr) {
        match self.command(Command::LeaveMulticast(group)) {
            Ok(()) => self.config.multicast_groups.retain(|g| *g != group),
            Err(error) => self.status_error = Some(i18n::error(&error)),
        }
    }

    /// Hands `command` to the open session; with none open there is nothing to refuse it.
    fn command(&self, command: Command) -> Result<(), Error> {
        self.session
            .as_ref()
            .map_or(Ok(()), |session| session.command(command))
    }

    pub fn set_encoding(&mut self, encoding: TextEncoding) {
        self.config.encoding = encoding;
        self.log.set_encoding(encoding);
        self.sync_session();
    }

    /// Applies the session's waiting events, and the last ones of sessions closed here; true
    /// if more are waiting than one frame takes.
    pub fn drain_events(&mut self) -> bool {
        self.take_chosen_path();
        let ending_more = self.drain_endings();
        // A session opened right after a close waits until the closed one has said its last:
        // its rows would otherwise come between the closed one's and its "closed here".
        let (Some(session), true) = (&self.session, self.endings.is_empty()) else {
            return ending_more;
        };
        let (events, more) = waiting_events(session);
        let more = more || ending_more;
        self.sync_session();
        self.check_file_send();
        for event in events {
            self.apply_event(event);
        }
        more
    }

    /// Applies one engine event, as `drain_events` does (benchmarks feed events this way).
    pub fn apply_event(&mut self, event: Event) {
        let received = match &event.kind {
            EventKind::Received { messages, .. } => messages.last().map(|m| m.peer),
            _ => None,
        };
        self.update_state(&event);
        self.follow_sequence(&event.kind);
        self.recording.observe(&event);
        self.log.push_event(event);
        if let Some(peer) = received {
            self.last_sender = Some(peer);
        }
    }

    fn update_state(&mut self, event: &Event) {
        if matches!(
            event.kind,
            EventKind::Listening { .. } | EventKind::Connected { .. }
        ) {
            // "Not connected" and the like no longer hold.
            self.send_error = None;
            self.status_error = None;
        }
        match &event.kind {
            EventKind::Listening { local } => self.link = Link::Listening { local: *local },
            EventKind::Connected { local, peer } => {
                self.link = Link::Connected {
                    local: *local,
                    peer: *peer,
                    peer_finished: false,
                }
            }
            EventKind::PeerFinished { client: None, .. } => {
                if let Link::Connected { peer_finished, .. } = &mut self.link {
                    *peer_finished = true;
                }
            }
            EventKind::Reconnecting { .. } => self.link = Link::Connecting,
            EventKind::Relaying { target, .. } if !self.relay_targets.contains(target) => {
                self.relay_targets.push(*target);
            }
            // The client list is kept from the events, in their order: no engine lock.
            EventKind::Accepted {
                client,
                local,
                peer,
                counters,
            } => self.clients.push(ClientInfo {
                id: *client,
                local: *local,
                peer: *peer,
                since: event.time,
                counters: counters.clone(),
            }),
            EventKind::Closed { client, reason, .. } => {
                // The page's own connection failed (a TLS server's refusal, a send that timed
                // out): the status line says why, as it does for an error.
                if let (None, CloseReason::Failed(error)) = (client, reason) {
                    self.status_error = Some(i18n::error(error));
                }
                self.clients.retain(|listed| Some(listed.id) != *client);
                if self
                    .selected_client
                    .is_some_and(|id| !self.clients.iter().any(|c| c.id == id))
                {
                    self.selected_client = None;
                }
            }
            EventKind::Error { error, .. } => {
                // A send refused whole by the engine (its queue is full) is said by the send
                // box too, as a refusal at the moment of sending is.
                if let Error::PeerNotReading { .. } = error {
                    self.send_error = Some(i18n::error(error));
                }
                self.status_error = Some(i18n::error(error));
            }
            EventKind::Stopped => {
                if let Some(session) = self.session.take() {
                    self.earlier_totals = self.earlier_totals.saturating_add(session.totals());
                }
                self.link = Link::Closed;
                self.clients.clear();
            }
            _ => {}
        }
    }

    pub fn totals(&self) -> Totals {
        let current = self
            .session
            .as_ref()
            .map(Session::totals)
            .unwrap_or_default();
        self.endings.iter().fold(
            self.earlier_totals.saturating_add(current),
            |sum, ending| sum.saturating_add(ending.totals()),
        )
    }

    pub fn reset_totals(&mut self) {
        self.earlier_totals = Totals::default();
        self.endings.iter_mut().for_each(Ending::leave_uncounted);
        if let Some(Err(error)) = self.session.as_ref().map(Session::reset_totals) {
            self.status_error = Some(i18n::error(&error));
        }
    }

    /// The status line: where the session stands, in words.
    pub fn status(&self) -> String {
        match (&self.link, self.kind) {
            (Link::Closed, SessionKind::TcpClient) => t("Not connected").to_string(),
            (Link::Closed, SessionKind::TcpServer) => t("Not listening").to_string(),
            (Link::Closed, SessionKind::Udp) => t("Closed").to_string(),
            (Link::Closed, SessionKind::Relay) => t("Not relaying").to_string(),
            (Link::Connecting, _) => tf(
                "Connecting to {target}…",
                &[("target", &self.config.peer_label())],
            ),
            (
                Link::Connected {
                    local,
                    peer,
                    peer_finished,
                },
                _,
            ) => {
                let finished = if *peer_finished {
                    t(" · peer finished sending (FIN): you can still send")
                } else {
                    ""
                };
                tf(
                    "Connected to {peer} from local {local}",
                    &[("peer", peer), ("local", local)],
                ) + finished
            }
            (Link::Listening { local }, SessionKind::Udp) => {
                tf("Open on {local}", &[("local", local)])
            }
            (Link::Listening { local }, SessionKind::Relay) => tf(
                "Relaying {local} to {host}:{port} · {n} client(s)",
                &[
                    ("local", local),
                    ("host", &self.config.host),
                    ("port", &self.config.port),
                    ("n", &self.clients.len()),
                ],
            ),
            (Link::Listening { local }, _) => {
                let reach = if local.ip().is_unspecified() {
                    t(" (all interfaces: reachable from the LAN)")
                } else {
                    ""
                };
                tf(
                    "Listening on {local}{reach} · {n} client(s)",
                    &[
                        ("local", local),
                        ("reach", &reach),
                        ("n", &self.clients.len()),
                    ],
                )
            }
        }
    }
}

impl Page {
    /// TCP server: closes one client's connection.
    pub fn disconnect_client(&mut self, id: ClientId) {
        if let Some(session) = &self.session
            && let Err(error) = session.command(crate::net::Command::Disconnect(id))
        {
            self.status_error = Some(i18n::error(&error));
        }
    }
}
