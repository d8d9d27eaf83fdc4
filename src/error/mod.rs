//! The one error type of the library. Every message is written for a person reading it in the
//! GUI's status line or on the CLI's stderr, so it names the address, character or position.

use std::io;
use std::net::SocketAddr;

use thiserror::Error;

mod tls_problem;
mod websocket_problem;
pub use tls_problem::TlsProblem;
pub use websocket_problem::WebSocketProblem;

/// Largest UDP payload that fits one IPv4 datagram (65,535 − 8 UDP header − 20 IP header).
pub const MAX_UDP_PAYLOAD: usize = 65_507;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    // --- input a person typed ---
    #[error("invalid hex digit '{digit}' at position {position}")]
    InvalidHexDigit { digit: char, position: usize },
    #[error("odd number of hex digits in the group at position {position}")]
    OddHexDigits { position: usize },
    #[error("invalid escape '{escape}' at position {position} (use \\r \\n \\t \\\\ \\0 or \\xNN)")]
    InvalidEscape { escape: String, position: usize },
    #[error("'{character}' (U+{code:04X}) cannot be encoded in {encoding}", code = *character as u32)]
    Unencodable {
        character: char,
        encoding: &'static str,
    },
    #[error("these bytes are not {encoding} text (byte {position} does not fit): they stay hex")]
    NotText {
        encoding: &'static str,
        position: usize,
    },
    #[error("unknown encoding '{0}' (choose utf-8 or gbk)")]
    UnknownEncoding(String),
    #[error(
        "unknown checksum '{0}' (choose none, sum8, xor8, crc16-modbus, crc16-ccitt-false or crc32)"
    )]
    UnknownChecksum(String),
    #[error("invalid framing '{spec}': {reason}")]
    InvalidFraming { spec: String, reason: String },
    #[error("a frame of {len} bytes or more is over the limit of {max} bytes; it was dropped")]
    FrameTooLong { len: usize, max: usize },
    #[error("invalid rule {rule}: {reason}")]
    InvalidRule { rule: String, reason: String },
    #[error("invalid address '{input}': {reason}")]
    InvalidAddress { input: String, reason: String },
    #[error("invalid port '{0}': use a number from 0 to 65535")]
    InvalidPort(String),
    #[error("port 0 cannot be a peer's port: use 1 to 65535")]
    PeerPortZero,
    #[error("UDP payload of {len} bytes is over the limit of {MAX_UDP_PAYLOAD} bytes")]
    DatagramTooLarge { len: usize },
    #[error("the interval must be at least 1 ms")]
    InvalidInterval,
    #[error("invalid number '{0}'")]
    InvalidNumber(String),
    #[error("nothing to send: the message is empty")]
    EmptyMessage,
    #[error("no target address: set Host and Port to send to")]
    NoTarget,
    #[error("nothing recorded: press Record, or choose a recording with messages")]
    NothingRecorded,
    #[error(
        "unknown variable '{0}' (use ${{seq}}, ${{client}}, ${{time}}, ${{random:MIN:MAX}} or ${{hex:BYTES}})"
    )]
    UnknownVariable(String),
    #[error("'${{random:{min}:{max}}}': min {min} is greater than max {max}")]
    RandomRange { min: u64, max: u64 },
    #[error(
        "'${{random:{min}:{max}}}': in hex a number is 4 bytes, so max can be at most 4294967295"
    )]
    RandomOverHexBytes { min: u64, max: u64 },
    #[error("${{client}} is the number of a stress client: it has a value only in the stress tool")]
    ClientOutsideStress,
    #[error(
        "not a usable sequence: {step} is {ms} ms, longer than the limit of {} ms (24 h)",
        crate::net::MAX_STEP_MS
    )]
    StepTooLong { step: &'static str, ms: u64 },
    #[error("{name} {reason}")]
    InvalidSetting { name: &'static str, reason: String },
    #[error("not a usable sequence: {0}")]
    BadSequence(String),
    #[error("target {0} is where the relay listens: it would connect to itself")]
    RelayToItself(String),
    #[error(
        "connections to the target {0} come back to a relay of this program (aimed at itself, or at a relay aimed back): refused (said once)"
    )]
    RelayLoop(String),
    #[error("TLS with {peer} failed: {reason}")]
    Tls { peer: SocketAddr, reason: String },
    /// A handshake that failed for a reason a person can act on (see [`TlsProblem`]).
    #[error("TLS with {peer} failed: {problem}")]
    TlsHandshake {
        peer: SocketAddr,
        problem: TlsProblem,
    },
    #[error("WebSocket with {peer}: {problem}")]
    WebSocket {
        peer: SocketAddr,
        problem: WebSocketProblem,
    },
    #[error("TLS cannot be set up: {0}")]
    TlsSettings(String),

    // --- what the network said ---
    #[error("cannot resolve host '{host}': {reason}")]
    Resolve { host: String, reason: String },
    #[error("connection refused by {0}")]
    ConnectionRefused(SocketAddr),
    #[error("connection to {addr} timed out after {millis} ms")]
    ConnectTimeout { addr: SocketAddr, millis: u64 },
    #[error("address {0} is already in use")]
    AddrInUse(SocketAddr),
    #[error("address {0} is not available on this machine")]
    AddrNotAvailable(SocketAddr),
    #[error(
        "permission denied for {0} (ports below 1024 need administrator rights: root or CAP_NET_BIND_SERVICE)"
    )]
    PermissionDenied(SocketAddr),
    /// The system refused (EACCES, EPERM) where no rule of ports explains it: its words, and
    /// what likely did it.
    #[error("{action} {addr} was not permitted: {message} ({likely})")]
    Denied {
        action: &'static str,
        addr: SocketAddr,
        message: String,
        likely: &'static str,
    },
    #[error(
        "accepting on {local} failed: {reason}; tried again at growing intervals until it clears (said once)"
    )]
    AcceptStalled { local: SocketAddr, reason: String },
    /// While accepting failed, the clients that waited were taken and closed, so they are told
    /// at once instead of waiting for a timeout.
    #[error(
        "{count} clients waiting in the queue on {local} were closed at once: out of file descriptors, they could not be taken"
    )]
    ClientsTurnedAway { local: SocketAddr, count: u64 },
    /// Windows' WSAEACCES (10013): it has no rule about ports below 1024.
    #[error("address {0} is forbidden: {why}", why = FORBIDDEN_WHY)]
    Forbidden(SocketAddr),
    #[error("sending to {0} was refused: turn on Broadcast to send to a broadcast address")]
    BroadcastNotEnabled(SocketAddr),
    #[error("{action} multicast group {group} failed: {reason}")]
    Multicast {
        action: &'static str,
        group: std::net::IpAddr,
        reason: String,
    },
    #[error(
        "a datagram sent from {0} met a closed port (ICMP port unreachable); receiving goes on (said once)"
    )]
    PortUnreachable(SocketAddr),
    #[error("no client with id {0}")]
    NoSuchClient(u64),
    #[error("not connected")]
    NotConnected,
    #[error("{peer} is not reading: {} waiting; the message was not sent", crate::codec::format_size(*waiting))]
    PeerNotReading { peer: SocketAddr, waiting: usize },
    #[error("the session is still handing on earlier messages; try again")]
    SessionBusy,
    #[error(
        "{peer} took nothing for {millis} ms: send timed out after {sent} of {len} bytes, connection closed"
    )]
    SendTimeout {
        peer: SocketAddr,
        millis: u64,
        sent: usize,
        len: usize,
    },
    #[error("sending to {peer} failed after {sent} of {len} bytes: {message}")]
    SendFailed {
        peer: SocketAddr,
        sent: usize,
        len: usize,
        message: String,
    },
    #[error(
        "{peer} sent nothing for {} s: idle timeout, connection closed",
        seconds(*millis)
    )]
    IdleTimeout { peer: SocketAddr, millis: u64 },
    #[error(
        "the session's connections held more than their memory budget of {}; this one held the most ({}, dropped with it) and was closed",
        crate::codec::format_size(*limit), crate::codec::format_size(*held)
    )]
    OverBudget { limit: usize, held: usize },
    #[error(
        "{peer} closed its side (FIN) with {} still to send to it: the connection closed and it was dropped (half-close keeps sending after a peer's FIN)",
        crate::codec::format_size(*unsent)
    )]
    UnsentAtFin { peer: SocketAddr, unsent: usize },
    #[error("{action} {path} failed: {message}")]
    File {
        action: &'static str,
        path: String,
        message: String,
    },
    #[error("{action} {addr} failed: {message}")]
    Io {
        action: &'static str,
        addr: String,
        message: String,
    },
}

impl Error {
    /// Turns an `io::Error` from an operation on `addr` into words a person understands.
    pub fn from_io(action: &'static str, addr: SocketAddr, err: &io::Error) -> Error {
        if let Some(error) =
            winsock_code(err).and_then(|code| Error::from_winsock(action, addr, code))
        {
            return error;
        }
        match err.kind() {
            io::ErrorKind::ConnectionRefused => Error::ConnectionRefused(addr),
            io::ErrorKind::AddrInUse => Error::AddrInUse(addr),
            io::ErrorKind::AddrNotAvailable => Error::AddrNotAvailable(addr),
            io::ErrorKind::PermissionDenied if cfg!(windows) => Error::Forbidden(addr),
            io::ErrorKind::PermissionDenied
                if matches!(action, "binding" | "listening on")
                    && needs_privilege(
                        addr.port(),
                        lowest_unprivileged_port(),
                        may_bind_low_ports(),
                    ) =>
            {
                Error::PermissionDenied(addr)
            }
            io::ErrorKind::PermissionDenied => Error::Denied {
                action,
                addr,
                message: describe_io(err),
                likely: DENIED_LIKELY,
            },
            _ => Error::Io {
                action,
                addr: addr.to_string(),
                message: describe_io(err),
            },
        }
    }

    /// A datagram to `target` the system refused (EACCES, EPERM): Broadcast is off and
    /// `target` is a broadcast address, or a firewall refused it.
    pub fn send_denied(
        target: SocketAddr,
        broadcast_off_to_broadcast: bool,
        err: &io::Error,
    ) -> Error {
        if broadcast_off_to_broadcast {
            return Error::BroadcastNotEnabled(target);
        }
        if cfg!(windows) {
            return Error::from_io("sending to", target, err);
        }
        Error::Denied {
            action: "sending to",
            addr: target,
            message: describe_io(err),
            likely: FIREWALL_REFUSED,
        }
    }

    /// A Winsock error code from an operation on `addr` in words, or None for a code without
    /// words of ours. Pure, so the Windows mapping is tested on Linux.
    pub fn from_winsock(action: &'static str, addr: SocketAddr, code: i32) -> Option<Error> {
        Some(match code {
            WSAEACCES => Error::Forbidden(addr),
            WSAEADDRINUSE => Error::AddrInUse(addr),
            WSAEADDRNOTAVAIL => Error::AddrNotAvailable(addr),
            WSAECONNREFUSED => Error::ConnectionRefused(addr),
            _ => Error::Io {
                action,
                addr: addr.to_string(),
                message: winsock_words(code)?.to_string(),
            },
        })
    }

    /// True for mistakes in what a person typed (the CLI exits 2 for these), false for what the
    /// network did (exit 1).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Error::InvalidHexDigit { .. }
                | Error::OddHexDigits { .. }
                | Error::InvalidEscape { .. }
                | Error::Unencodable { .. }
                | Error::UnknownEncoding(_)
                | Error::UnknownChecksum(_)
                | Error::InvalidFraming { .. }
                | Error::InvalidRule { .. }
                | Error::InvalidAddress { .. }
                | Error::InvalidPort(_)
                | Error::PeerPortZero
                | Error::DatagramTooLarge { .. }
                | Error::NoTarget
                | Error::UnknownVariable(_)
                | Error::RandomRange { .. }
                | Error::RandomOverHexBytes { .. }
                | Error::ClientOutsideStress
                | Error::StepTooLong { .. }
                | Error::InvalidSetting { .. }
                | Error::BadSequence(_)
                | Error::RelayToItself(_)
                | Error::EmptyMessage
                | Error::InvalidInterval
                | Error::InvalidNumber(_)
                | Error::File { .. }
        )
    }
}

/// The OS message without Rust's " (os error 111)" suffix, which means nothing to a user; on
/// Windows our words for the Winsock errors a user meets (the system's are in the language of
/// its installation and often vague, as "An existing connection was forcibly closed").
pub fn describe_io(err: &io::Error) -> String {
    if let Some(words) = winsock_code(err).and_then(winsock_words) {
        return words.to_string();
    }
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// Milliseconds as people write seconds: "30", "0.5", "1.25".
pub fn seconds(millis: u64) -> String {
    let text = format!("{}.{:03}", millis / 1000, millis % 1000);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

// Winsock error codes (WinError.h), named here so the mapping compiles and is tested on every
// system.
const WSAEACCES: i32 = 10013;
const WSAEADDRINUSE: i32 = 10048;
const WSAEADDRNOTAVAIL: i32 = 10049;
const WSAENETUNREACH: i32 = 10051;
const WSAECONNABORTED: i32 = 10053;
const WSAECONNRESET: i32 = 10054;
const WSAETIMEDOUT: i32 = 10060;
const WSAECONNREFUSED: i32 = 10061;
const WSAEHOSTUNREACH: i32 = 10065;

/// Why Windows refuses an address with WSAEACCES (10013).
pub const FORBIDDEN_WHY: &str = "another program holds the port exclusively, a firewall blocks it, \
    or Windows reserves it (netsh int ipv4 show excludedportrange protocol=tcp lists the reserved \
    ranges; protocol=udp for UDP)";

/// What likely refused an operation when no rule of ports explains it.
pub const DENIED_LIKELY: &str =
    "a firewall rule (netfilter) or a security policy such as SELinux or AppArmor may forbid it";
/// What refused a datagram to an address that is not a broadcast one.
pub const FIREWALL_REFUSED: &str = "a firewall rule (netfilter) refused it";

/// Whether binding `port` is refused for want of privilege: a port below the first
/// unprivileged one (1024 unless the system says otherwise), without the right to bind it.
pub fn needs_privilege(port: u16, unprivileged_from: u16, may_bind_low: bool) -> bool {
    port != 0 && port < unprivileged_from && !may_bind_low
}

/// The first port anyone may bind (`net.ipv4.ip_unprivileged_port_start`, 1024 by default).
#[cfg(target_os = "linux")]
fn lowest_unprivileged_port() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(1024)
}

#[cfg(all(unix, not(target_os = "linux")))]
fn lowest_unprivileged_port() -> u16 {
    1024
}

/// Windows has no rule about low ports (its refusals are `Forbidden`).
#[cfg(not(unix))]
fn lowest_unprivileged_port() -> u16 {
    0
}

/// Whether this process may bind ports below 1024: it holds CAP_NET_BIND_SERVICE (root
/// holds every capability unless they were dropped).
#[cfg(target_os = "linux")]
fn may_bind_low_ports() -> bool {
    const CAP_NET_BIND_SERVICE: u32 = 10;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << CAP_NET_BIND_SERVICE) != 0)
}

#[cfg(all(unix, not(target_os = "linux")))]
fn may_bind_low_ports() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
fn may_bind_low_ports() -> bool {
    true
}

/// EACCES (WSAEACCES on Windows), as told apart from EPERM: both are `PermissionDenied`.
pub fn is_access_denied(err: &io::Error) -> bool {
    #[cfg(unix)]
    let code = libc::EACCES;
    #[cfg(not(unix))]
    let code = WSAEACCES;
    err.raw_os_error() == Some(code)
}

/// The raw code of an error from a socket call on Windows (None elsewhere: the same numbers
/// mean other things there).
fn winsock_code(err: &io::Error) -> Option<i32> {
    if cfg!(windows) {
        err.raw_os_error()
    } else {
        None
    }
}

/// What a Winsock error a user can meet means, in words (None for the others, which keep the
/// system's message).
pub fn winsock_words(code: i32) -> Option<&'static str> {
    Some(match code {
        WSAEACCES => FORBIDDEN_WHY,
        WSAEADDRINUSE => "the address is already in use",
        WSAEADDRNOTAVAIL => "the address is not on this machine",
        WSAENETUNREACH => "the network is unreachable (no route to it)",
        WSAEHOSTUNREACH => "the host is unreachable (no route to it)",
        WSAECONNABORTED => {
            "the connection was aborted by this machine (often a firewall or antivirus)"
        }
        WSAECONNRESET => "the connection was reset by the peer",
        WSAETIMEDOUT => "timed out: the peer did not answer",
        WSAECONNREFUSED => "refused: nothing listens on that port",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> SocketAddr {
        "0.0.0.0:80".parse().unwrap()
    }

    /// Unit test: Windows' error codes reach this mapping only on Windows (Wine gives Linux's
    /// errors), so the codes are fed in directly.
    #[test]
    fn winsock_codes_become_errors_in_words() {
        let error = |code| Error::from_winsock("connecting to", addr(), code);
        assert_eq!(error(10048), Some(Error::AddrInUse(addr())));
        assert_eq!(error(10049), Some(Error::AddrNotAvailable(addr())));
        assert_eq!(error(10061), Some(Error::ConnectionRefused(addr())));
        let forbidden = error(10013).map(|e| e.to_string()).unwrap_or_default();
        assert!(
            forbidden.contains("forbidden")
                && forbidden.contains("netsh int ipv4 show excludedportrange protocol=tcp")
                && !forbidden.contains("1024"),
            "{forbidden}"
        );
        for (code, words) in [
            (10054, "reset"),
            (10060, "timed out"),
            (10065, "unreachable"),
            (10051, "unreachable"),
            (10053, "aborted by this machine"),
        ] {
            let text = error(code).map(|e| e.to_string()).unwrap_or_default();
            assert!(
                text.contains(words) && text.contains("0.0.0.0:80"),
                "{code}: {text}"
            );
        }
        assert_eq!(
            error(10035),
            None,
            "WSAEWOULDBLOCK keeps the system's words"
        );
    }

    /// On Linux the numbers are not Winsock's: ECONNREFUSED stays what the kind says.
    #[test]
    fn other_systems_map_by_kind_as_before() {
        if cfg!(windows) {
            return;
        }
        let raw = io::Error::from_raw_os_error(10054);
        assert!(winsock_words(10054).is_some());
        assert_ne!(describe_io(&raw), winsock_words(10054).unwrap_or_default());
    }

    /// "Ports below 1024 need administrator rights" only where that rule is why: a port below
    /// the first unprivileged one, bound without the right to. Elsewhere the system's words
    /// and what likely refused it (before: every EACCES and EPERM spoke of ports below 1024).
    #[test]
    fn permission_denied_speaks_of_low_ports_only_when_they_are_why() {
        assert!(needs_privilege(80, 1024, false));
        assert!(
            !needs_privilege(80, 1024, true),
            "root or CAP_NET_BIND_SERVICE"
        );
        assert!(!needs_privilege(8080, 1024, false));
        assert!(
            !needs_privilege(80, 80, false),
            "ip_unprivileged_port_start = 80"
        );
        assert!(!needs_privilege(0, 1024, false), "any port");
        if cfg!(windows) {
            return;
        }
        let eperm = io::Error::from_raw_os_error(libc::EPERM);
        let high: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        for action in ["binding", "listening on", "connecting to"] {
            let text = Error::from_io(action, high, &eperm).to_string();
            assert!(
                !text.contains("1024")
                    && text.contains("Operation not permitted")
                    && text.contains("firewall"),
                "{text}"
            );
        }
        let connect = Error::from_io("connecting to", addr(), &eperm).to_string();
        assert!(!connect.contains("1024"), "{connect}");
    }

    /// "Turn on Broadcast" only for a broadcast address with Broadcast off; any other refused
    /// datagram was refused by a firewall (before: every EPERM said "turn on Broadcast").
    #[test]
    fn a_refused_datagram_names_broadcast_only_for_a_broadcast_address() {
        let eperm = io::Error::from(io::ErrorKind::PermissionDenied);
        let broadcast: SocketAddr = "255.255.255.255:9".parse().unwrap();
        assert_eq!(
            Error::send_denied(broadcast, true, &eperm),
            Error::BroadcastNotEnabled(broadcast)
        );
        #[cfg(unix)]
        {
            assert!(is_access_denied(&io::Error::from_raw_os_error(
                libc::EACCES
            )));
            assert!(!is_access_denied(&io::Error::from_raw_os_error(
                libc::EPERM
            )));
        }
        let text = Error::send_denied(addr(), false, &eperm).to_string();
        assert!(!text.contains("Broadcast"), "{text}");
        if !cfg!(windows) {
            assert!(text.contains("firewall rule (netfilter)"), "{text}");
        }
    }
}
