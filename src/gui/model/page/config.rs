//! What a page remembers across restarts: its settings, presets and send history.

use super::*;
use crate::net::rules::MatchKind;

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
    /// The log's Python column: each row as the call a Python peer would make (lecture mode).
    pub python_column: bool,
    pub view: LogView,
    /// How the selected row's detail pane reads the message; `None`: as the bytes fit
    /// (JSON, Modbus TCP, Modbus RTU, else text).
    pub decode_as: Option<Dissector>,
    pub input_mode: InputMode,
    pub escapes: bool,
    pub line_ending: LineEnding,
    pub checksum: Checksum,
    /// On a WebSocket connection: the frame each message goes out in (by its bytes, text,
    /// binary).
    pub data_frames: DataFrames,
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
    /// TCP client: speak TLS; the name to ask for (empty: the host); a CA file to trust
    /// (empty: the system's roots); or any certificate at all.
    pub tls: bool,
    pub tls_sni: String,
    pub tls_ca_file: String,
    pub tls_accept_any: bool,
    /// The certificate and key files to present: a TCP server's, or a TCP client's when the
    /// server asks for one (mutual TLS; empty: none). A server can use a certificate made
    /// here instead ("Generate a self-signed certificate"), kept with the settings.
    pub tls_cert_file: String,
    pub tls_key_file: String,
    pub tls_generated: Option<crate::net::tls::TlsServer>,
    /// TCP server: ask each client for a certificate signed by a CA in this file (empty:
    /// ask for none).
    pub tls_client_ca_file: String,
    /// TCP server on an IPv6 address: accept IPv4 clients too.
    pub dual_stack: bool,
    /// TCP server: take each client's WebSocket upgrade (a TCP client speaks WebSocket when
    /// its Host is a ws:// or wss:// URL).
    pub websocket: bool,
    /// Relay: a message typed goes to the client end of the pairs, not to the target.
    pub inject_toward_client: bool,
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
    /// The rules were switched off by a restart and none has been switched on since.
    #[serde(skip)]
    pub rules_off_since_restart: bool,
    /// Periodic send: milliseconds between sends, and how many (0: until stopped).
    pub repeat_interval_ms: String,
    pub repeat_times: String,
    /// TCP, the sticky-packet demonstrator: each send becomes this many writes, this many
    /// milliseconds apart.
    pub split_writes: String,
    pub split_gap_ms: String,
    pub recording: RecordingConfig,
    /// The send sequence, and the file it is exported to and imported from.
    pub sequence: crate::net::Sequence,
    pub sequence_path: String,
}

impl PageConfig {
    /// The settings as restored after a restart: every auto-reply rule and echo switched off,
    /// so nothing answers a device before someone switches it on again.
    pub fn with_answers_off(mut self) -> PageConfig {
        self.echo = false;
        self.rules_off_since_restart = !self.rules.is_empty();
        for rule in &mut self.rules {
            rule.enabled = false;
        }
        self
    }

    /// The settings a new page of `kind` starts with. A UDP page binds 8081 and aims at 8080,
    /// so a first send does not go to itself.
    pub fn default_for(kind: SessionKind) -> PageConfig {
        let config = PageConfig::default();
        match kind {
            // A relay listens on 8081 and passes on to 8080 on this machine.
            SessionKind::Udp | SessionKind::Relay => PageConfig {
                bind_port: "8081".into(),
                ..config
            },
            SessionKind::TcpClient | SessionKind::TcpServer => config,
        }
    }

    /// The settings for another page like this one ("+"): the same, except that a page that
    /// binds takes a free port (port 0), since this one may hold its port.
    pub fn for_another_page(&self) -> PageConfig {
        PageConfig {
            bind_port: "0".into(),
            // A session answers a device only when told to on that session.
            rules: Vec::new(),
            echo: false,
            rules_off_since_restart: false,
            ..self.clone()
        }
    }

    /// Switches rule `index` on (if it can answer) or off; once one is on, the rules are no
    /// longer "off since restart".
    pub fn switch_rule(&mut self, index: usize, on: bool) {
        if let Some(rule) = self.rules.get_mut(index) {
            rule.enabled = on && rule_is_complete(rule);
            if rule.enabled {
                self.rules_off_since_restart = false;
            }
        }
    }

    /// The rules handed to the engine: those switched on that can answer (a pattern, or
    /// "any" chosen on purpose, and a reply).
    pub fn live_rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules
            .iter()
            .filter(|rule| rule.enabled && rule_is_complete(rule))
    }

    /// What answers on its own now, for the badge: the rules switched on, and echo.
    pub fn answers_on(&self) -> (usize, bool) {
        let rules = self.live_rules().count();
        (rules, self.echo)
    }
}

impl PageConfig {
    /// Where a TCP client connects, as typed: "host:port", or a WebSocket URL whole.
    pub fn peer_label(&self) -> String {
        let host = self.host.trim();
        if host.contains("://") {
            host.to_string()
        } else {
            format!("{host}:{}", self.port.trim())
        }
    }
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
            python_column: false,
            view: LogView::Table,
            decode_as: None,
            input_mode: InputMode::Text,
            escapes: false,
            line_ending: LineEnding::None,
            checksum: Checksum::None,
            data_frames: DataFrames::ByContent,
            broadcast: false,
            reply_to_last_sender: false,
            framing: "raw".into(),
            nodelay: false,
            keepalive: false,
            half_close: false,
            idle_timeout_s: String::new(),
            send_timeout_s: String::new(),
            reconnect: false,
            tls: false,
            tls_sni: String::new(),
            tls_ca_file: String::new(),
            tls_accept_any: false,
            tls_cert_file: String::new(),
            tls_key_file: String::new(),
            tls_generated: None,
            tls_client_ca_file: String::new(),
            dual_stack: false,
            websocket: false,
            inject_toward_client: false,
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
            rules_off_since_restart: false,
            echo: false,
            repeat_interval_ms: "1000".into(),
            repeat_times: "0".into(),
            split_writes: "1".into(),
            split_gap_ms: "0".into(),
            recording: RecordingConfig::default(),
            sequence: crate::net::Sequence::default(),
            sequence_path: "sequence.json".into(),
        }
    }
}

/// Whether a rule can answer: it has a pattern (or matches any message, chosen on purpose)
/// and a reply. An empty reply never sends.
pub fn rule_is_complete(rule: &Rule) -> bool {
    (rule.kind == MatchKind::Any || !rule.pattern.is_empty()) && !rule.reply.trim().is_empty()
}

/// A new rule: off, with nothing to match and nothing to send, until it is filled in.
pub fn new_rule() -> Rule {
    Rule {
        enabled: false,
        ..Rule::default()
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
