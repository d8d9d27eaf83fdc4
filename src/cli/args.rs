//! The command line as clap sees it. Values that need checking (addresses, encodings, hex) are
//! taken as text and checked in `cli::plan`, so a mistake is reported in one clear line.

use clap::builder::{NonEmptyStringValueParser, RangedU64ValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::codec::LineEnding;

#[derive(Debug, Parser)]
#[command(
    name = "socket-tester",
    version,
    about = "Send and receive over TCP and UDP. With no command, opens the desktop app.",
    after_help = "Examples:\n  \
        socket-tester tcp-client 127.0.0.1:8080 --send \"Hello, world\"\n  \
        socket-tester tcp-client 192.0.2.7:502 --hex --send \"01 03 00 00 00 01 84 0A\"\n  \
        socket-tester tcp-server 127.0.0.1:9000 --echo\n  \
        socket-tester relay 127.0.0.1:5020 192.0.2.7:502 --hex\n  \
        socket-tester udp --bind 127.0.0.1:0\n  \
        socket-tester udp --to 127.0.0.1:9999 --encoding gbk --send 你好"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
// Parsed once per run: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    #[command(flatten)]
    Session(Mode),
    /// Measure the engine and the log view against plain baselines (use a release build).
    Bench(BenchArgs),
    /// Load a server with many clients at a set rate; print live figures, then the report.
    Stress(StressArgs),
    /// Read one message as a protocol: its fields, what is wrong with it, and the message as a
    /// C array and a Python bytes literal.
    Decode(DecodeArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n    \
    socket-tester decode modbus-rtu \"01 03 00 00 00 01 84 0A\"\n    \
    socket-tester decode json --text '{\"temp\": 21.5}'")]
pub struct DecodeArgs {
    /// modbus-tcp, modbus-rtu, json, websocket, utf-8, gbk or base64.
    pub protocol: String,
    /// The message in hex ("01 03 00 00", "0x01,0x03"), or as text with --text.
    pub message: String,
    /// The message is text (sent as UTF-8), not hex.
    #[arg(long)]
    pub text: bool,
}

#[derive(Debug, Subcommand)]
pub enum Mode {
    /// Connect to a TCP server, send, and print what comes back.
    TcpClient(TcpClientArgs),
    /// Listen for TCP clients and print what they send.
    TcpServer(TcpServerArgs),
    /// Connect to a WebSocket server (ws://HOST:PORT/PATH, or wss:// over TLS): each message
    /// sent is one frame (text when it is UTF-8, else binary; see --frames); pings are
    /// answered.
    WsClient(TcpClientArgs),
    /// Listen for WebSocket clients (each is asked to upgrade; --tls for wss://) and print
    /// the messages they send.
    WsServer(TcpServerArgs),
    /// Send and receive UDP datagrams.
    Udp(UdpArgs),
    /// Sit between TCP clients and a server: connect each client that LISTEN accepts to
    /// TARGET, pass the bytes on both ways, and print both directions. Lines typed on a
    /// terminal go to the target on every pair.
    Relay(RelayArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Print one JSON object per figure instead of a table.
    #[arg(long)]
    pub json: bool,
    /// A shorter run (under 20 s) with smaller loads.
    #[arg(long)]
    pub quick: bool,
    /// Run only the measurements whose figure names start with NAME (e.g. tcp_ingest, echo).
    #[arg(long, value_name = "NAME")]
    pub only: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    socket-tester stress tcp 127.0.0.1:9000 --clients 200 --duration-s 10\n  \
    socket-tester stress udp 127.0.0.1:9999 --clients 10 --rate 1000 --count 5000 --send \"ping ${seq}\"\n\n\
    Payload variables: ${seq} (request number), ${client} (1..N), ${time} (Unix ms),\n\
    ${random:MIN:MAX}, ${hex:BYTES}; $${ is a literal ${. With --hex they become big-endian\n\
    bytes (4; ${time} 8).")]
pub struct StressArgs {
    #[arg(value_enum)]
    pub protocol: StressProtocol,
    /// The server to load: HOST:PORT.
    #[arg(value_name = "HOST:PORT")]
    pub target: String,
    /// Clients at once (each is a thread with its own socket).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub clients: u32,
    /// Requests per second over all clients (default: as fast as they go).
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,
    /// Stop after S seconds (default 10 unless --count is given).
    #[arg(long, value_name = "S")]
    pub duration_s: Option<f64>,
    /// Stop after N requests in all.
    #[arg(long, value_name = "N", value_parser = at_least_one())]
    pub count: Option<u64>,
    /// ping-pong: wait for each reply and measure the round trip; throughput: send only.
    #[arg(long, value_enum, default_value_t = StressModeArg::PingPong)]
    pub mode: StressModeArg,
    /// TCP: a new connection for every request instead of one per client.
    #[arg(long)]
    pub short: bool,
    /// The message, with variables such as ${seq} (see below).
    #[arg(long, value_name = "DATA", default_value = "ping ${seq}", value_parser = NonEmptyStringValueParser::new())]
    pub send: String,
    /// Milliseconds to wait for a connection or a reply before counting a failure.
    #[arg(long, value_name = "N", default_value_t = 3000, value_parser = at_least_one())]
    pub timeout_ms: u64,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Print JSON Lines (progress, then the report) instead of plain lines.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StressProtocol {
    Tcp,
    Udp,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StressModeArg {
    PingPong,
    Throughput,
}

impl Mode {
    /// How messages are written and shown, whatever the mode.
    pub fn data(&self) -> &DataArgs {
        match self {
            Mode::TcpClient(a) | Mode::WsClient(a) => &a.data,
            Mode::TcpServer(a) | Mode::WsServer(a) => &a.data,
            Mode::Udp(a) => &a.data,
            Mode::Relay(a) => &a.data,
        }
    }

    pub fn kind(&self) -> crate::net::SessionKind {
        match self {
            Mode::TcpClient(_) | Mode::WsClient(_) => crate::net::SessionKind::TcpClient,
            Mode::TcpServer(_) | Mode::WsServer(_) => crate::net::SessionKind::TcpServer,
            Mode::Udp(_) => crate::net::SessionKind::Udp,
            Mode::Relay(_) => crate::net::SessionKind::Relay,
        }
    }
}

#[derive(Debug, Args)]
pub struct TcpClientArgs {
    /// Server to connect to: HOST:PORT, [IPv6]:PORT, or a WebSocket URL
    /// (ws://HOST:PORT/PATH; wss:// speaks TLS).
    #[arg(value_name = "HOST:PORT|URL")]
    pub target: String,
    /// Local address to connect from: [ADDR:]PORT.
    #[arg(long, value_name = "[ADDR:]PORT")]
    pub bind: Option<String>,
    /// Give up connecting after this many milliseconds.
    #[arg(long, value_name = "N", default_value_t = 5000, value_parser = at_least_one())]
    pub timeout_ms: u64,
    /// Milliseconds to wait for replies after the last send (or end of input) before closing.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub wait_ms: u64,
    /// Connect again when the connection fails or is lost (0.5 s, doubling up to 30 s).
    #[arg(long)]
    pub reconnect: bool,
    /// Send every received message back.
    #[arg(long)]
    pub echo: bool,
    /// Speak TLS: the server's certificate is checked against the system's roots (or --ca).
    #[arg(long)]
    pub tls: bool,
    /// With --tls or wss://: accept any certificate, for devices with self-signed ones (whoever sits
    /// between could read and change the traffic).
    #[arg(long, conflicts_with = "ca")]
    pub tls_insecure: bool,
    /// With --tls or wss://: the name to ask for and check (SNI; default: the host connected to).
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    /// With --tls or wss://: trust the CA certificates in this PEM file instead of the system's.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<std::path::PathBuf>,
    /// With --tls or wss://: present this certificate (chain, PEM) when the server asks for one
    /// (mutual TLS); needs --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<std::path::PathBuf>,
    /// With --tls or wss://: the private key of --cert, PEM.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub tcp: TcpArgs,
    #[command(flatten)]
    pub data: DataArgs,
}

/// How many clients a server or relay serves at once.
#[derive(Debug, Args)]
pub struct ClientLimit {
    /// Close connections past this many clients at once.
    #[arg(long, value_name = "N", default_value_t = crate::net::DEFAULT_MAX_CLIENTS as u32, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_clients: u32,
}

/// Settings of TCP connections.
#[derive(Debug, Args)]
pub struct TcpArgs {
    /// How received streams split into messages: raw (each read), line, crlf, delim:HEX,
    /// fixed:N, len:1|2be|2le|4be|4le (add +h if the length counts the header), idle:MS.
    #[arg(long, value_name = "SPEC", default_value = "raw")]
    pub framing: String,
    /// Set TCP_NODELAY (send small writes at once, no Nagle delay).
    #[arg(long)]
    pub nodelay: bool,
    /// Set SO_KEEPALIVE on connections.
    #[arg(long)]
    pub keepalive: bool,
    /// After the peer's FIN, keep the connection open for sending (TCP half-close) until
    /// input ends.
    #[arg(long)]
    pub half_close: bool,
    /// Close a connection whose peer takes nothing we send for S seconds.
    #[arg(long, value_name = "S")]
    pub send_timeout_s: Option<f64>,
    /// Close a connection whose peer sends nothing for S seconds.
    #[arg(long, value_name = "S")]
    pub idle_timeout_s: Option<f64>,
    /// What all connections together may hold in framing buffers and send queues; past it,
    /// the connection holding the most is closed with an error.
    #[arg(long, value_name = "MIB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub memory_budget_mib: u64,
}

#[derive(Debug, Args)]
pub struct TcpServerArgs {
    /// Where to listen: PORT (on all interfaces, 0.0.0.0), or ADDR:PORT such as 127.0.0.1:9000.
    /// Port 0 picks a free port; the first line printed tells which.
    #[arg(value_name = "[ADDR:]PORT")]
    pub listen: String,
    /// Send every received message back to the client it came from.
    #[arg(long)]
    pub echo: bool,
    /// On an IPv6 address such as [::]:9000, accept IPv4 clients too.
    #[arg(long)]
    pub dual_stack: bool,
    /// Speak TLS with each client, with --cert and --key, or --tls-self-signed.
    #[arg(long)]
    pub tls: bool,
    /// With --tls: the certificate (chain) to present, PEM.
    #[arg(long, value_name = "FILE", requires_all = ["tls", "key"])]
    pub cert: Option<std::path::PathBuf>,
    /// With --tls: the certificate's private key, PEM.
    #[arg(long, value_name = "FILE", requires_all = ["tls", "cert"])]
    pub key: Option<std::path::PathBuf>,
    /// With --tls: a new self-signed certificate for localhost and the address listened on
    /// (clients must accept it as such).
    #[arg(long, requires = "tls", conflicts_with_all = ["cert", "key"])]
    pub tls_self_signed: bool,
    /// With --tls: ask each client for a certificate signed by a CA in this PEM file, and
    /// refuse clients without one (mutual TLS); each client's certificate is shown.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub client_ca: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub limit: ClientLimit,
    #[command(flatten)]
    pub tcp: TcpArgs,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct RelayArgs {
    /// Where to listen: PORT (on all interfaces, 0.0.0.0), or ADDR:PORT such as 127.0.0.1:5020.
    /// Port 0 picks a free port; the first line printed tells which.
    #[arg(value_name = "[ADDR:]PORT")]
    pub listen: String,
    /// Where to connect each client: HOST:PORT, or [IPv6]:PORT.
    #[arg(value_name = "HOST:PORT")]
    pub target: String,
    /// Give up connecting to the target after this many milliseconds (the client is then
    /// closed: reset if the target refused).
    #[arg(long, value_name = "N", default_value_t = 5000, value_parser = at_least_one())]
    pub timeout_ms: u64,
    #[command(flatten)]
    pub limit: ClientLimit,
    #[command(flatten)]
    pub tcp: TcpArgs,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct UdpArgs {
    /// Local address to bind: [ADDR:]PORT (default: any address, a free port).
    #[arg(long, value_name = "[ADDR:]PORT")]
    pub bind: Option<String>,
    /// Where to send: HOST:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    pub to: Option<String>,
    /// Allow sending to broadcast addresses.
    #[arg(long)]
    pub broadcast: bool,
    /// Join a multicast group, like 239.1.2.3 or ff02::1:3 (repeatable).
    #[arg(long, value_name = "GROUP")]
    pub join: Vec<String>,
    /// Hops our multicast datagrams may cross (default 1: this network only).
    #[arg(long, value_name = "N")]
    pub ttl: Option<u32>,
    /// Do not deliver our own multicast datagrams back to this machine.
    #[arg(long)]
    pub no_multicast_loop: bool,
    /// Send every received datagram back to its sender.
    #[arg(long)]
    pub echo: bool,
    /// Milliseconds to wait for replies after the last send (or end of input) before exiting.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub wait_ms: u64,
    #[command(flatten)]
    pub data: DataArgs,
}

/// How messages are written and shown; shared by every mode.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Exit after receiving N messages (datagrams over UDP).
    #[arg(long, value_name = "N", value_parser = at_least_one())]
    pub count: Option<u64>,
    /// Send DATA (repeat to send several messages in order). Without it, each line of standard
    /// input is sent as one message; a line that is not valid (bad hex, say) is told on stderr
    /// and skipped, the run goes on, and it exits 2 at the end. Variables: ${seq} (1 for the
    /// first message sent), ${time} (Unix ms), ${random:MIN:MAX}, ${hex:BYTES} (raw bytes in
    /// text); $${ is a literal ${. With --interval-ms each round takes new values.
    #[arg(long = "send", value_name = "DATA", value_parser = NonEmptyStringValueParser::new())]
    pub send: Vec<String>,
    #[command(flatten)]
    pub format: FormatArgs,
    /// ws-client and ws-server: the frame each message goes out in: auto (the default: text
    /// when its bytes are UTF-8, else binary), text, or binary (hex that spells ASCII stays
    /// binary).
    #[arg(long, value_name = "KIND")]
    pub frames: Option<String>,
    /// Send the --send messages again every N milliseconds (tcp-client and udp).
    #[arg(long, value_name = "N", requires = "send", value_parser = at_least_one())]
    pub interval_ms: Option<u64>,
    /// With --interval-ms: how many times to send them (0: until Ctrl+C).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "interval_ms")]
    pub repeat: u64,
    /// Send the bytes of FILE after any --send messages (a datagram per KiB over UDP), read as
    /// the peer takes them: any size, or an endless source such as /dev/zero.
    #[arg(long, value_name = "PATH")]
    pub send_file: Option<std::path::PathBuf>,
    /// Reply when a message matches: MATCH=>REPLY (repeatable; the first match answers).
    /// MATCH is text to look for, hex:BYTES, ^START, re:REGEX, or * for any message;
    /// REPLY is text (escapes such as \r\n work) or hex:BYTES, and can use what matched:
    /// ${1}…${9} (re: groups), ${rx}, ${rx.hex}, ${rx.len}, ${rx[A..B]} (bytes A to B); $${ is
    /// a literal ${. Example: 're:^ID=(\d+)=>ACK ${1}\n'.
    #[arg(long, value_name = "MATCH=>REPLY")]
    pub reply: Vec<String>,
    /// Checksum appended to each --reply, computed over the reply as built: none, sum8, xor8,
    /// crc16-modbus, crc16-ccitt-false or crc32.
    #[arg(long, value_name = "NAME", default_value = "none", requires = "reply")]
    pub reply_checksum: String,
    /// Run the steps of a sequence FILE (JSON: send, wait, expect a reply) once the session is
    /// ready (a server: at its first client), then end; exit 1 if a wait for a reply times out.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["send", "send_file"])]
    pub sequence: Option<std::path::PathBuf>,
    /// Write every received byte to FILE, exactly as it arrived.
    #[arg(long, value_name = "FILE")]
    pub capture: Option<std::path::PathBuf>,
    /// Write the session's traffic to FILE as pcap, for Wireshark or tshark (IP, TCP or UDP
    /// headers are synthesised around the real payloads).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<std::path::PathBuf>,
    /// When the run ends, write FILE: a short Python program that plays the other end of
    /// what this session did (listens where a client connected, connects to a server, binds
    /// where datagrams went), receives what was sent and sends what was received (tcp-client,
    /// tcp-server and udp).
    #[arg(long, value_name = "FILE")]
    pub python_peer: Option<std::path::PathBuf>,
    /// When the run ends, print what a Python peer saw: each event as the call a Python
    /// program on the other end makes and what it gets, such as conn.recv(1024) -> b'Hello'
    /// (tcp-client, tcp-server and udp).
    #[arg(long, conflicts_with = "json")]
    pub as_python: bool,
    /// Print JSON Lines instead of plain lines.
    #[arg(long)]
    pub json: bool,
    /// Print every byte of each message; without it a line shows the first 4096 and says how
    /// many more there were (--capture keeps them all either way).
    #[arg(long)]
    pub full: bool,
}

/// How a message typed as text becomes bytes.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// DATA and input lines are hex ("48 65 6C", "0x48,0x65"); received data is shown as hex.
    #[arg(long)]
    pub hex: bool,
    /// Text encoding: utf-8 or gbk.
    #[arg(long, value_name = "NAME", default_value = "utf-8")]
    pub encoding: String,
    /// Line ending appended to each message.
    #[arg(long, value_enum, default_value_t = Eol::None)]
    pub eol: Eol,
    /// Checksum appended to each message (before the line ending): none, sum8, xor8,
    /// crc16-modbus (low byte first), crc16-ccitt-false or crc32 (high byte first).
    #[arg(long, value_name = "NAME", default_value = "none")]
    pub checksum: String,
    /// Read \r \n \t \\ \0 and \xNN in text.
    #[arg(long)]
    pub escapes: bool,
}

/// A count or a time that 0 would make meaningless.
fn at_least_one() -> RangedU64ValueParser<u64> {
    RangedU64ValueParser::new().range(1..)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Eol {
    None,
    Lf,
    Cr,
    Crlf,
}

impl From<Eol> for LineEnding {
    fn from(eol: Eol) -> LineEnding {
        match eol {
            Eol::None => LineEnding::None,
            Eol::Lf => LineEnding::Lf,
            Eol::Cr => LineEnding::Cr,
            Eol::Crlf => LineEnding::CrLf,
        }
    }
}
