//! One session as the desktop app shows it: its settings, the running engine session, its log,
//! client list and counters. No drawing here (that is `ui`), so it is testable on its own.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::codec::{
    Checksum, Framing, InputMode, LineEnding, PayloadFormat, TextEncoding, build_payload,
    split_evenly,
};
use crate::error::Error;
use crate::gui::i18n::{self, t, tf};
use crate::gui::model::log::{
    DEFAULT_ROW_LIMIT, ExportFormat, Log, LogFilter, export, row_contains,
};
use crate::gui::model::recording::{RecordingConfig, SessionRecording};
use crate::net::addr::{HostPort, parse_bind_ip, parse_host, parse_multicast, parse_port};
use crate::net::rules::{Responder, Rule};
use crate::net::{
    ClientId, ClientInfo, Command, Destination, Event, EventKind, FileSend, Reconnect, Repeater,
    Session, SessionConfig, SessionKind, TcpClientConfig, TcpOptions, TcpServerConfig, Totals,
    UdpConfig, Waker, file_chunk,
};

/// How the log shows each message's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DisplayMode {
    #[default]
    Text,
    Hex,
    /// A hex dump with offsets and the text beside it.
    Both,
}

/// How the log is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogView {
    #[default]
    Table,
    /// A lane per end, an arrow per event.
    Chart,
    /// Bytes per second and round-trip times.
    Plots,
}

/// A timeout typed in seconds: empty is none, otherwise a number above 0.
fn seconds(name: &'static str, text: &str) -> Result<Option<Duration>, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 1e6 => Ok(Some(Duration::from_secs_f64(s))),
        _ => Err(Error::InvalidSetting {
            name,
            reason: format!("'{text}' must be a number of seconds above 0 (empty: never)"),
        }),
    }
}

/// What a page remembers across restarts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageConfig {
    /// TCP client: the server. UDP: the target.
    pub host: String,
    pub port: String,
    /// TCP server and UDP: the local address and port to bind.
    pub bind_address: String,
    pub bind_port: String,
    pub encoding: TextEncoding,
    pub display: DisplayMode,
    pub view: LogView,
    pub input_mode: InputMode,
    pub escapes: bool,
    pub line_ending: LineEnding,
    pub checksum: Checksum,
    pub broadcast: bool,
    pub reply_to_last_sender: bool,
    /// TCP: how received streams split into messages, in the command line's spelling.
    pub framing: String,
    pub nodelay: bool,
    pub keepalive: bool,
    /// TCP: keep a connection for sending after the peer's FIN (half-close).
    pub half_close: bool,
    /// TCP: close a connection whose peer sends nothing (or takes nothing we send) for this
    /// many seconds; empty: never.
    pub idle_timeout_s: String,
    pub send_timeout_s: String,
    /// TCP client: connect again after a failure or a lost connection.
    pub reconnect: bool,
    /// TCP server on an IPv6 address: accept IPv4 clients too.
    pub dual_stack: bool,
    /// UDP multicast: the group typed, groups to be in, hops (empty: OS default), loop.
    pub multicast_group: String,
    pub multicast_groups: Vec<IpAddr>,
    pub multicast_ttl: String,
    pub multicast_loop: bool,
    /// Where "Capture" writes received bytes, "Export log" writes the log, and "Send file" reads.
    pub capture_path: String,
    pub export_path: String,
    pub export_format: ExportFormat,
    pub file_path: String,
    /// Named messages, one click to send.
    pub presets: Vec<Preset>,
    /// The last messages sent, newest first.
    pub history: Vec<HistoryEntry>,
    /// How many rows the log keeps; older ones are dropped (counters and captures stay exact).
    pub row_limit: usize,
    /// Auto-reply: rules, and whether every message is sent back.
    pub rules: Vec<Rule>,
    pub echo: bool,
    /// Periodic send: milliseconds between sends, and how many (0: until stopped).
    pub repeat_interval_ms: String,
    pub repeat_times: String,
    /// TCP, the sticky-packet demonstrator: each send becomes this many writes, this many
    /// milliseconds apart.
    pub split_writes: String,
    pub split_gap_ms: String,
    pub recording: RecordingConfig,
}

impl Default for PageConfig {
    fn default() -> PageConfig {
        PageConfig {
            host: "127.0.0.1".into(),
            port: "8080".into(),
            bind_address: "0.0.0.0".into(),
            bind_port: "8080".into(),
            encoding: TextEncoding::Utf8,
            display: DisplayMode::Text,
            view: LogView::Table,
            input_mode: InputMode::Text,
            escapes: false,
            line_ending: LineEnding::None,
            checksum: Checksum::None,
            broadcast: false,
            reply_to_last_sender: false,
            framing: "raw".into(),
            nodelay: false,
            keepalive: false,
            half_close: false,
            idle_timeout_s: String::new(),
            send_timeout_s: String::new(),
            reconnect: false,
            dual_stack: false,
            multicast_group: "239.1.2.3".into(),
            multicast_groups: Vec::new(),
            multicast_ttl: String::new(),
            multicast_loop: true,
            capture_path: "capture.bin".into(),
            export_path: "log.txt".into(),
            export_format: ExportFormat::Txt,
            file_path: String::new(),
            presets: Vec::new(),
            history: Vec::new(),
            row_limit: DEFAULT_ROW_LIMIT,
            rules: Vec::new(),
            echo: false,
            repeat_interval_ms: "1000".into(),
            repeat_times: "0".into(),
            split_writes: "1".into(),
            split_gap_ms: "0".into(),
            recording: RecordingConfig::default(),
        }
    }
}

/// A named message with how it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    pub name: String,
    pub text: String,
    pub format: PayloadFormat,
}

/// A message sent earlier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub text: String,
    pub mode: InputMode,
}

/// How many sent messages the history keeps.
pub const HISTORY_LEN: usize = 50;

/// The path fields a file dialog can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathField {
    SendFile,
    Capture,
    Export,
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

/// Events handled per page per frame at most, so a flood cannot stall drawing.
const EVENTS_PER_FRAME: usize = 4096;

pub struct Page {
    pub kind: SessionKind,
    pub config: PageConfig,
    /// The message being typed in the send panel.
    pub message: String,
    /// The name typed for the next preset.
    pub preset_name: String,
    pub log: Log,
    pub link: Link,
    /// The last error, shown in red on the status line.
    pub status_error: Option<String>,
    /// Why the message cannot be sent (invalid hex, say), shown under the send box.
    pub send_error: Option<String>,
    pub clients: Vec<ClientInfo>,
    /// TCP server: the client to send to; None sends to all clients.
    pub selected_client: Option<ClientId>,
    /// TCP server: show only the selected client's rows.
    pub only_selected_client: bool,
    /// Which rows the log view shows.
    pub filter: LogFilter,
    /// The search bar (Ctrl+F): what to find, and the row (by number) found last.
    pub find: String,
    pub find_open: bool,
    pub found: Option<u64>,
    /// The view should bring the found row into sight (once, then the user may scroll).
    pub scroll_to_found: bool,
    /// UDP: who sent the last datagram, for "Reply to last sender".
    pub last_sender: Option<SocketAddr>,
    /// While paused the view ends at this row number; new rows are still kept.
    pub paused_at: Option<u64>,
    session: Option<Session>,
    /// The periodic send under way, if any.
    repeater: Option<Repeater>,
    /// Split writes still being sent (with a gap between writes).
    split_sends: Vec<Repeater>,
    pub recording: SessionRecording,
    /// Whether received bytes go to `config.capture_path` (also for the next session).
    pub capturing: bool,
    file_send: Option<FileSend>,
    /// What the last file action did, in words.
    pub file_note: Option<String>,
    /// A file dialog that is open: the field it fills, and where its answer comes.
    pub file_pick: Option<(PathField, crossbeam_channel::Receiver<PathBuf>)>,
    /// The rules, echo switch and encoding the session answers with (the engine answers);
    /// compared with the settings so edits reach the session.
    applied_rules: Option<(Vec<Rule>, bool, TextEncoding)>,
    /// Why the rules cannot be used, shown under them.
    pub rules_error: Option<String>,
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
            last_sender: None,
            paused_at: None,
            session: None,
            repeater: None,
            split_sends: Vec::new(),
            recording: SessionRecording::default(),
            capturing: false,
            file_send: None,
            file_note: None,
            file_pick: None,
            applied_rules: None,
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
            }
        }
    }

    fn open(&mut self, waker: Waker) -> Result<(), Error> {
        let config = match self.kind {
            SessionKind::TcpClient => {
                let mut config = TcpClientConfig::new(self.target()?);
                config.options = self.tcp_options()?;
                config.reconnect = self.config.reconnect.then(Reconnect::default);
                SessionConfig::TcpClient(config)
            }
            SessionKind::TcpServer => {
                let mut config = TcpServerConfig::new(self.bind()?);
                config.options = self.tcp_options()?;
                config.dual_stack = self.config.dual_stack;
                SessionConfig::TcpServer(config)
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
        let capture = self
            .capturing
            .then(|| PathBuf::from(&self.config.capture_path));
        self.session = Some(Session::open(config, waker, capture.as_deref())?);
        // Only once the session exists: a failed open leaves the page closed.
        if self.kind == SessionKind::TcpClient {
            self.link = Link::Connecting;
        }
        self.applied_rules = None;
        self.refresh_rules();
        Ok(())
    }

    /// Closes the session. Its threads are joined off the UI thread: a stop takes
    /// milliseconds, but a name lookup in progress cannot be interrupted.
    pub fn close(&mut self) {
        self.repeater = None;
        self.file_send = None;
        if let Some(session) = self.session.take() {
            self.earlier_totals = add(self.earlier_totals, session.totals());
            let _ = std::thread::Builder::new()
                .name("session-stop".into())
                .spawn(move || session.stop());
        }
        if self.link != Link::Closed {
            self.log.push_info("closed here".to_string());
        }
        self.link = Link::Closed;
        self.clients.clear();
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
        let port = parse_port(&self.config.port)?;
        if port == 0 {
            return Err(Error::PeerPortZero);
        }
        Ok(HostPort {
            host: parse_host(&self.config.host)?,
            port,
        })
    }

    fn bind(&self) -> Result<SocketAddr, Error> {
        let ip = if self.config.bind_address.trim().is_empty() {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            parse_bind_ip(&self.config.bind_address)?
        };
        Ok(SocketAddr::new(ip, parse_port(&self.config.bind_port)?))
    }

    pub fn payload_format(&self) -> PayloadFormat {
        PayloadFormat {
            mode: self.config.input_mode,
            encoding: self.config.encoding,
            escapes: self.config.escapes,
            line_ending: self.config.line_ending,
            checksum: self.config.checksum,
        }
    }

    /// Sends the typed message; on bad input nothing is sent and `send_error` says why.
    pub fn send(&mut self) {
        self.send_error = match self.try_send() {
            Ok(()) => None,
            Err(error) => Some(i18n::error(&error)),
        };
    }

    fn try_send(&mut self) -> Result<(), Error> {
        let (writes, gap) = self.split()?;
        let (session, destination, data) = self.outgoing()?;
        let pieces = split_evenly(&data, writes);
        if let [whole] = pieces.as_slice() {
            session.send(destination, whole.clone())?;
        } else {
            // Several writes go from a thread that waits for room, so none is refused halfway.
            let timeline = (0u32..).map(|i| gap * i).zip(pieces).collect();
            let split = session.schedule(destination, timeline)?;
            self.split_sends.retain(Repeater::is_running);
            self.split_sends.push(split);
        }
        self.remember(self.message.clone(), self.config.input_mode);
        Ok(())
    }

    /// How many writes each send becomes (TCP only) and the time between them.
    fn split(&self) -> Result<(usize, Duration), Error> {
        if self.kind == SessionKind::Udp {
            return Ok((1, Duration::ZERO));
        }
        let number = |name: &'static str, text: &str, max: u64| {
            text.trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| Error::InvalidSetting {
                    name,
                    reason: format!("'{}' must be a whole number up to {max}", text.trim()),
                })
        };
        let writes = number(t("Writes"), &self.config.split_writes, 10_000)?.max(1);
        let gap = number(t("Apart (ms)"), &self.config.split_gap_ms, 60_000)?;
        Ok((writes as usize, Duration::from_millis(gap)))
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
        if let Some(session) = &self.session {
            session.command(Command::Reset(client));
        }
    }

    /// Adds a sent message to the history (newest first, no repeats, at most `HISTORY_LEN`).
    fn remember(&mut self, text: String, mode: InputMode) {
        let history = &mut self.config.history;
        history.retain(|entry| entry.text != text || entry.mode != mode);
        history.insert(0, HistoryEntry { text, mode });
        history.truncate(HISTORY_LEN);
    }

    /// Puts a history entry back in the message box.
    pub fn recall(&mut self, index: usize) {
        if let Some(entry) = self.config.history.get(index) {
            self.message = entry.text.clone();
            self.config.input_mode = entry.mode;
        }
    }

    /// Saves the typed message and how it is sent as a named preset.
    pub fn save_preset(&mut self) {
        let typed = std::mem::take(&mut self.preset_name);
        let name = typed.trim();
        let name = if name.is_empty() {
            tf("Preset {n}", &[("n", &(self.config.presets.len() + 1))])
        } else {
            name.to_string()
        };
        self.config.presets.push(Preset {
            name,
            text: self.message.clone(),
            format: self.payload_format(),
        });
    }

    /// Sends a preset as it was saved.
    pub fn send_preset(&mut self, index: usize) {
        let Some(preset) = self.config.presets.get(index) else {
            return;
        };
        let sent = self
            .outgoing_of(&preset.text, &preset.format)
            .and_then(|(session, destination, data)| session.send(destination, data));
        self.send_error = sent.err().map(|e| i18n::error(&e));
    }

    /// Loads a preset into the send panel, to edit and save again.
    pub fn edit_preset(&mut self, index: usize) {
        if let Some(preset) = self.config.presets.get(index) {
            self.message = preset.text.clone();
            let format = preset.format;
            self.config.input_mode = format.mode;
            self.config.escapes = format.escapes;
            self.config.line_ending = format.line_ending;
            self.config.checksum = format.checksum;
            self.set_encoding(format.encoding);
        }
    }

    /// Moves a preset one place up (towards the start) or down.
    pub fn move_preset(&mut self, index: usize, up: bool) {
        let other = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1)
        };
        if let Some(other) = other.filter(|&o| o < self.config.presets.len()) {
            self.config.presets.swap(index, other);
        }
    }

    /// The typed message, where it goes, and the session to send it on.
    fn outgoing(&self) -> Result<(&Session, Destination, Vec<u8>), Error> {
        self.outgoing_of(&self.message, &self.payload_format())
    }

    fn outgoing_of(
        &self,
        text: &str,
        format: &PayloadFormat,
    ) -> Result<(&Session, Destination, Vec<u8>), Error> {
        let data = build_payload(text, format)?;
        if data.is_empty() {
            return Err(Error::EmptyMessage);
        }
        let session = self.session.as_ref().ok_or(Error::NotConnected)?;
        Ok((session, self.destination()?, data))
    }

    /// Where sends go: the peer, the selected client or all, the UDP target or last sender.
    fn destination(&self) -> Result<Destination, Error> {
        Ok(match self.kind {
            SessionKind::TcpClient => Destination::Default,
            SessionKind::TcpServer => self
                .selected_client
                .map_or(Destination::AllClients, Destination::Client),
            SessionKind::Udp => match (self.config.reply_to_last_sender, self.last_sender) {
                (true, Some(sender)) => Destination::Address(sender.to_string()),
                _ => Destination::Address(self.target()?.to_string()),
            },
        })
    }

    pub fn is_repeating(&self) -> bool {
        self.repeater.as_ref().is_some_and(Repeater::is_running)
    }

    /// Starts sending the typed message periodically, or stops it.
    pub fn toggle_repeat(&mut self) {
        if self.is_repeating() {
            self.repeater = None;
            return;
        }
        let started = self.start_repeat();
        self.send_error = started.err().map(|e| i18n::error(&e));
    }

    fn start_repeat(&mut self) -> Result<(), Error> {
        let number = |text: &str| {
            text.trim()
                .parse::<u64>()
                .map_err(|_| Error::InvalidNumber(text.to_string()))
        };
        let interval = Duration::from_millis(number(&self.config.repeat_interval_ms)?);
        let times = number(&self.config.repeat_times)?;
        let (session, destination, data) = self.outgoing()?;
        let repeater = session.repeat(
            destination,
            vec![data],
            interval,
            (times > 0).then_some(times),
        )?;
        self.repeater = Some(repeater);
        Ok(())
    }

    /// Joins the typed multicast group now (if open) and whenever the socket opens.
    pub fn join_group(&mut self) {
        self.status_error = None;
        match parse_multicast(&self.config.multicast_group) {
            Ok(group) => {
                if !self.config.multicast_groups.contains(&group) {
                    self.config.multicast_groups.push(group);
                    if let Some(session) = &self.session {
                        session.command(Command::JoinMulticast(group));
                    }
                }
            }
            Err(error) => self.status_error = Some(i18n::error(&error)),
        }
    }

    pub fn leave_group(&mut self, group: IpAddr) {
        self.config.multicast_groups.retain(|g| *g != group);
        if let Some(session) = &self.session {
            session.command(Command::LeaveMulticast(group));
        }
    }

    /// Starts or stops writing received bytes to the capture file.
    pub fn toggle_capture(&mut self) {
        let capturing = !self.capturing;
        let path = PathBuf::from(self.config.capture_path.trim());
        let result = match &self.session {
            Some(session) => session.set_capture(capturing.then_some(path.as_path())),
            None => Ok(()),
        };
        self.file_note = Some(match result {
            Ok(()) => {
                self.capturing = capturing;
                match capturing {
                    true => tf(
                        "Capturing received bytes to {path}",
                        &[("path", &path.display())],
                    ),
                    false => t("Capture stopped").to_string(),
                }
            }
            Err(error) => i18n::error(&error),
        });
    }

    /// Saves the whole log (not only the shown rows) in the chosen format.
    pub fn export_log(&mut self) {
        let path = PathBuf::from(self.config.export_path.trim());
        let written = std::fs::File::create(&path).and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            export(self.log.iter(), self.config.export_format, &mut out)
        });
        self.file_note = Some(match written {
            Ok(()) => tf(
                "Saved {n} rows to {path}",
                &[("n", &self.log.len()), ("path", &path.display())],
            ),
            Err(err) => Error::File {
                action: "saving the log to",
                path: path.display().to_string(),
                message: crate::error::describe_io(&err),
            }
            .to_string(),
        });
    }

    /// Sends the file at `config.file_path` (a datagram per chunk over UDP).
    pub fn send_file(&mut self) {
        let started = self.start_file_send();
        let path = &self.config.file_path;
        self.file_note = Some(match started {
            Ok(Some(total)) => tf(
                "Sending {path} ({total} bytes)",
                &[("path", path), ("total", &total)],
            ),
            Ok(None) => tf("Sending {path} (size unknown)", &[("path", path)]),
            Err(error) => i18n::error(&error),
        });
    }

    fn start_file_send(&mut self) -> Result<Option<u64>, Error> {
        let path = PathBuf::from(self.config.file_path.trim());
        let chunk = file_chunk(self.kind);
        let session = self.session.as_ref().ok_or(Error::NotConnected)?;
        let file_send = session.send_file(self.destination()?, &path, chunk)?;
        let total = file_send.total;
        self.file_send = Some(file_send);
        Ok(total)
    }

    /// Says how a file send that finished went: all sent, or why it stopped.
    fn check_file_send(&mut self) {
        let Some(file_send) = self.file_send.as_ref().filter(|f| !f.is_running()) else {
            return;
        };
        self.file_note = Some(match file_send.failure() {
            Some(error) => i18n::error(&error),
            None => tf(
                "Sent {path} ({n} bytes)",
                &[("path", &self.config.file_path), ("n", &file_send.read())],
            ),
        });
        self.file_send = None;
    }

    /// A file being sent: bytes the socket has taken so far, and the file's size if known.
    pub fn file_progress(&self) -> Option<(u64, Option<u64>)> {
        self.file_send
            .as_ref()
            .filter(|f| f.is_running())
            .map(|f| (f.written(), f.total))
    }

    pub fn set_encoding(&mut self, encoding: TextEncoding) {
        self.config.encoding = encoding;
        self.log.set_encoding(encoding);
        self.refresh_rules();
    }

    /// Applies the session's waiting events; true if more are waiting than one frame takes.
    pub fn drain_events(&mut self) -> bool {
        let Some(session) = &self.session else {
            return false;
        };
        let events: Vec<Event> = session.events().try_iter().take(EVENTS_PER_FRAME).collect();
        let more = events.len() == EVENTS_PER_FRAME;
        self.refresh_rules();
        self.check_file_send();
        for event in events {
            self.apply(event);
        }
        more
    }

    /// Hands the auto-reply rules and echo to the session when they were edited; the engine
    /// answers on each connection's reader side, so replies never wait for a frame.
    pub fn refresh_rules(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        let wanted = (
            self.config.rules.clone(),
            self.config.echo,
            self.config.encoding,
        );
        if self.applied_rules.as_ref() == Some(&wanted) {
            return;
        }
        match Responder::new(&wanted.0, wanted.1, wanted.2) {
            Ok(responder) => {
                session.set_responder(responder.is_active().then_some(responder));
                self.rules_error = None;
            }
            Err(error) => {
                session.set_responder(None);
                self.rules_error = Some(i18n::error(&error));
            }
        }
        self.applied_rules = Some(wanted);
    }

    fn apply(&mut self, event: Event) {
        let received = match &event.kind {
            EventKind::Received { peer, .. } => Some(*peer),
            _ => None,
        };
        self.update_state(&event);
        self.recording.observe(&event);
        self.log.push_event(event);
        if let Some(peer) = received {
            self.last_sender = Some(peer);
        }
    }

    fn update_state(&mut self, event: &Event) {
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
            EventKind::Accepted { .. } | EventKind::Closed { .. } => {
                if let Some(session) = &self.session {
                    self.clients = session.clients();
                }
                if self
                    .selected_client
                    .is_some_and(|id| !self.clients.iter().any(|c| c.id == id))
                {
                    self.selected_client = None;
                }
            }
            EventKind::Error { error, .. } => self.status_error = Some(i18n::error(error)),
            EventKind::Stopped => {
                if let Some(session) = self.session.take() {
                    self.earlier_totals = add(self.earlier_totals, session.totals());
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
        add(self.earlier_totals, current)
    }

    pub fn reset_totals(&mut self) {
        self.earlier_totals = Totals::default();
        if let Some(session) = &self.session {
            session.reset_totals();
        }
    }

    /// The status line: where the session stands, in words.
    pub fn status(&self) -> String {
        match (&self.link, self.kind) {
            (Link::Closed, SessionKind::TcpClient) => t("Not connected").to_string(),
            (Link::Closed, SessionKind::TcpServer) => t("Not listening").to_string(),
            (Link::Closed, SessionKind::Udp) => t("Closed").to_string(),
            (Link::Connecting, _) => tf(
                "Connecting to {host}:{port}…",
                &[("host", &self.config.host), ("port", &self.config.port)],
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

fn add(a: Totals, b: Totals) -> Totals {
    Totals {
        rx_bytes: a.rx_bytes + b.rx_bytes,
        rx_messages: a.rx_messages + b.rx_messages,
        tx_bytes: a.tx_bytes + b.tx_bytes,
        tx_messages: a.tx_messages + b.tx_messages,
    }
}

impl Page {
    /// TCP server: closes one client's connection.
    pub fn disconnect_client(&mut self, id: ClientId) {
        if let Some(session) = &self.session {
            session.command(crate::net::Command::Disconnect(id));
        }
    }
}

/// What the log view shows: which rows, in order, as indices into `page.log`.
pub enum ShownRows {
    /// The first `n` rows: no filter (nothing is collected, so a frame costs the same for a
    /// million rows).
    First(usize),
    Only(Vec<usize>),
}

impl ShownRows {
    pub fn len(&self) -> usize {
        match self {
            ShownRows::First(n) => *n,
            ShownRows::Only(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The log index of the `i`th shown row.
    pub fn row(&self, i: usize) -> usize {
        match self {
            ShownRows::First(_) => i,
            ShownRows::Only(rows) => rows[i],
        }
    }

    /// Where the row with log index `row` is shown, if it is.
    pub fn position(&self, row: usize) -> Option<usize> {
        match self {
            ShownRows::First(n) => (row < *n).then_some(row),
            ShownRows::Only(rows) => rows.binary_search(&row).ok(),
        }
    }
}

impl Page {
    /// The filter in force: the one typed, narrowed to the selected client if asked.
    pub fn effective_filter(&self) -> LogFilter {
        let mut filter = self.filter.clone();
        if self.only_selected_client {
            filter.client = filter.client.or(self.selected_client);
        }
        filter
    }

    /// The rows the view shows: up to where Pause froze it, through the filter.
    pub fn shown_rows(&self) -> ShownRows {
        let len = self.log.len();
        let end = self
            .paused_at
            .map_or(len, |at| at.saturating_sub(self.log.first()) as usize)
            .min(len);
        let filter = self.effective_filter();
        if filter.is_active() {
            ShownRows::Only(self.log.matching(&filter, end))
        } else {
            ShownRows::First(end)
        }
    }

    pub fn toggle_pause(&mut self) {
        self.paused_at = match self.paused_at {
            Some(_) => None,
            None => Some(self.log.first() + self.log.len() as u64),
        };
    }

    /// Shown rows that hold the search text, as log indices.
    pub fn find_matches(&self, shown: &ShownRows) -> Vec<usize> {
        if self.find.is_empty() {
            return Vec::new();
        }
        (0..shown.len())
            .map(|i| shown.row(i))
            .filter(|&row| row_contains(&self.log.row(row), &self.find))
            .collect()
    }

    /// Moves to the next (or previous) row holding the search text, wrapping around.
    pub fn find_next(&mut self, forward: bool) {
        let shown = self.shown_rows();
        let matches = self.find_matches(&shown);
        let first = self.log.first();
        let current = self
            .found
            .and_then(|n| n.checked_sub(first))
            .map(|n| n as usize);
        let next = match (current, forward) {
            (Some(at), true) => matches.iter().find(|&&m| m > at).or(matches.first()),
            (Some(at), false) => matches.iter().rev().find(|&&m| m < at).or(matches.last()),
            (None, true) => matches.first(),
            (None, false) => matches.last(),
        };
        self.found = next.map(|&row| first + row as u64);
        self.scroll_to_found = self.found.is_some();
    }
}
