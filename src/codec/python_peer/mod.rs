//! "What the Python peer saw": a session's events as the calls a Python program like a
//! course's would make on the other end, and what each call would return or raise. Pure: the
//! window's log and the command line's run both hand their events over as `Row`s.
//!
//! Our sends are what the peer's `recv(1024)` returns. TCP is a stream, so sends close
//! together arrive in one `recv` (see `JOINED_WITHIN`), and more than 1,024 bytes take several;
//! a UDP datagram is one `recvfrom(1024)`, cut at 1,024 bytes (the rest is gone). What we
//! received is what the peer sent with `sendall`/`sendto`. Our FIN makes its `recv` return
//! `b''`, our RST makes it raise; a refused connect and a timeout are what the same call
//! raises in Python.

mod program;

pub use program::program;

use std::net::SocketAddr;

use super::TextEncoding;
use super::dissect::{python_literal, python_str_literal};

/// Sends to one peer closer together than this reach a Python peer in one `recv`: a course's
/// loop prints each message before it calls `recv` again (a few milliseconds in a terminal),
/// so writes within that time are waiting together when it reads; writes further apart find
/// it blocked in `recv` and each wakes it on its own. (A model, not a measurement: the Demo's
/// other half shows what a real reader got.)
pub const JOINED_WITHIN_US: i64 = 5_000;

/// What a Python peer asks `recv` and `recvfrom` for, as a course's programs do.
pub const RECV_SIZE: usize = 1024;

/// Our sends joined into one `recv` at most (a flood of tiny writes stays cheap to show).
pub const JOINED_AT_MOST: usize = 256;

/// How our session stood: which end the Python program would play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// We connected: the Python peer is a server (`s.accept()` gave it `conn`).
    TcpClient,
    /// We accepted: the Python peer is a client (its socket is `s`).
    TcpServer,
    Udp,
}

/// One of our session's events, as the translation needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'a> {
    /// We connected from `local` (the address the Python server's `accept` returns).
    Connected {
        local: SocketAddr,
    },
    /// The peer connected to us and we accepted it.
    Accepted,
    Sent(&'a [u8]),
    Received(&'a [u8]),
    /// The peer closed: with FIN, or with RST.
    PeerClosed {
        reset: bool,
    },
    /// We closed: with FIN, or with RST.
    ClosedHere {
        reset: bool,
    },
    /// Our connect to `addr` was refused.
    Refused {
        addr: SocketAddr,
    },
    /// We waited `millis` for the peer and gave up: connecting, or for it to send.
    TimedOut {
        millis: u64,
        connecting: bool,
    },
    /// Anything else (a note, listening): no Python call.
    Other,
}

/// A step with when it happened and the peer it concerns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row<'a> {
    pub time_us: i64,
    pub peer: Option<SocketAddr>,
    pub step: Step<'a>,
}

/// What our session knows of itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub role: Role,
    /// The address the Python peer reaches us at (a server's or UDP socket's bound address).
    pub ours: Option<SocketAddr>,
    /// The page's encoding: received text is shown decoded in it too.
    pub encoding: TextEncoding,
}

/// A Python call and what comes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The call as Python source: `conn.recv(1024)`.
    pub call: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The call returns `value` (Python's repr). Bytes that are text in the page's encoding
    /// (and not plain ASCII) carry their `.decode(...)` too.
    Returns {
        value: String,
        decoded: Option<String>,
        /// How many of our sends this one `recv` returns together (1: just this row's).
        joined: usize,
        /// TCP: bytes left for the next `recv` calls; UDP: bytes of the datagram lost.
        rest: usize,
    },
    /// The call raises this (`ConnectionResetError: [Errno 104] Connection reset by peer`).
    Raises(&'static str),
    /// The call returns nothing worth showing (`sendall`, `close`); `reset`: the close was
    /// made to send RST.
    Done { reset: bool },
    /// This row's bytes came back from the `recv` shown at an earlier row.
    InRecvAbove,
}

pub const RESET: &str = "ConnectionResetError: [Errno 104] Connection reset by peer";
pub const REFUSED: &str = "ConnectionRefusedError: [Errno 111] Connection refused";
pub const TIMED_OUT: &str = "TimeoutError: timed out";

/// The Python line for `rows[at]`, looking at its neighbours (sends joined by TCP); `None`
/// for a row with no Python call.
pub fn explain(rows: &[Row], at: usize, context: &Context) -> Option<Line> {
    let row = rows.get(at)?;
    let udp = context.role == Role::Udp;
    // The peer's socket: a Python server's accepted `conn`, else its only socket `s`.
    let sock = match context.role {
        Role::TcpClient => "conn",
        _ => "s",
    };
    let ours = || context.ours.map_or_else(|| "addr".to_string(), address);
    let line = |call: String, outcome| Some(Line { call, outcome });
    let done = |reset| Outcome::Done { reset };
    match row.step {
        Step::Connected { local } => line(
            "conn, addr = s.accept()".into(),
            returns(format!("(conn, {})", address(local)), None, 1, 0),
        ),
        Step::Accepted => line(format!("s.connect({})", ours()), done(false)),
        Step::Received(data) if udp => line(
            format!("s.sendto({}, {})", python_literal(data), ours()),
            done(false),
        ),
        Step::Received(data) => line(
            format!("{sock}.sendall({})", python_literal(data)),
            done(false),
        ),
        Step::Sent(data) if udp => {
            let (shown, lost) = data.split_at(data.len().min(RECV_SIZE));
            line(
                format!("data, addr = s.recvfrom({RECV_SIZE})"),
                bytes_returned(shown, context.encoding, 1, lost.len()),
            )
        }
        Step::Sent(_) => {
            if at > 0 && joins(&rows[at - 1], row) {
                return line(format!("{sock}.recv({RECV_SIZE})"), Outcome::InRecvAbove);
            }
            // The first recv's bytes, and how many more the joined sends hold.
            let mut first = Vec::with_capacity(RECV_SIZE);
            let (mut joined, mut total) = (0, 0);
            let mut previous = row;
            for next in rows[at..].iter().take(JOINED_AT_MOST) {
                let Step::Sent(data) = next.step else { break };
                if joined > 0 && !joins(previous, next) {
                    break;
                }
                let room = RECV_SIZE - first.len();
                first.extend_from_slice(&data[..data.len().min(room)]);
                total += data.len();
                joined += 1;
                previous = next;
            }
            line(
                format!("{sock}.recv({RECV_SIZE})"),
                bytes_returned(&first, context.encoding, joined, total - first.len()),
            )
        }
        Step::ClosedHere { reset: false } => line(
            format!("{sock}.recv({RECV_SIZE})"),
            returns("b''".into(), None, 1, 0),
        ),
        Step::ClosedHere { reset: true } => {
            line(format!("{sock}.recv({RECV_SIZE})"), Outcome::Raises(RESET))
        }
        Step::PeerClosed { reset } => line(format!("{sock}.close()"), done(reset)),
        // The same call in Python, on our side.
        Step::Refused { addr } => line(format!("s.connect({})", address(addr)), {
            Outcome::Raises(REFUSED)
        }),
        Step::TimedOut { millis, connecting } => {
            let seconds = seconds(millis);
            // Our own socket this time: a server's accepted `conn`, else `s`.
            let ours = match context.role {
                Role::TcpServer => "conn",
                _ => "s",
            };
            let call = if connecting {
                format!("s.settimeout({seconds}); s.connect(...)")
            } else {
                format!("{ours}.settimeout({seconds}); {ours}.recv({RECV_SIZE})")
            };
            line(call, Outcome::Raises(TIMED_OUT))
        }
        Step::Other => None,
    }
}

/// A line in words: the call, an arrow, what it returns or raises, and what that means.
/// `translate` gives the words around the call in the reader's language (the call stays
/// Python); `{n}` and `{calls}` in them are filled in here.
pub fn words(
    line: &Line,
    context: &Context,
    translate: impl Fn(&'static str) -> &'static str,
) -> String {
    let call = &line.call;
    match &line.outcome {
        Outcome::Returns {
            value,
            decoded,
            joined,
            rest,
        } => {
            let mut text = format!("{call} → {value}");
            if let Some(decoded) = decoded {
                let name = python_encoding(context.encoding);
                text.push_str(&format!("  .decode('{name}') → {decoded}"));
            }
            if *joined > 1 {
                let said = translate("  ({n} sends in one recv)");
                text.push_str(&said.replace("{n}", &joined.to_string()));
            }
            if *rest > 0 {
                let said = if context.role == Role::Udp {
                    translate("  (the other {n} bytes are gone)")
                } else {
                    translate("  (+{n} bytes for the next {calls} recv)")
                };
                let calls = rest.div_ceil(RECV_SIZE).to_string();
                let said = said.replace("{n}", &rest.to_string());
                text.push_str(&said.replace("{calls}", &calls));
            }
            text
        }
        Outcome::Raises(error) => format!("{call} → {error}"),
        Outcome::Done { reset: false } => call.clone(),
        Outcome::Done { reset: true } => {
            format!(
                "{call}  ({})",
                translate("SO_LINGER 0: the close sends RST")
            )
        }
        Outcome::InRecvAbove => translate("(came out of the recv above)").to_string(),
    }
}

/// Whether our send `next` reaches the peer in the same `recv` as our send `earlier`.
fn joins(earlier: &Row, next: &Row) -> bool {
    matches!((earlier.step, next.step), (Step::Sent(_), Step::Sent(_)))
        && earlier.peer == next.peer
        && next.time_us - earlier.time_us <= JOINED_WITHIN_US
}

fn returns(value: String, decoded: Option<String>, joined: usize, rest: usize) -> Outcome {
    Outcome::Returns {
        value,
        decoded,
        joined,
        rest,
    }
}

fn bytes_returned(data: &[u8], encoding: TextEncoding, joined: usize, rest: usize) -> Outcome {
    returns(python_literal(data), decoded(data, encoding), joined, rest)
}

/// `'你好'`: the bytes as text in `encoding`, when they are text beyond plain ASCII (a cut
/// character or a byte that is not text: none).
pub fn decoded(data: &[u8], encoding: TextEncoding) -> Option<String> {
    if data.is_ascii() {
        return None;
    }
    let text = encoding
        .encoding()
        .decode_without_bom_handling_and_without_replacement(data)?;
    Some(python_str_literal(&text))
}

/// The name Python gives the encoding in `.decode(...)`.
pub fn python_encoding(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Utf8 => "utf-8",
        TextEncoding::Gbk => "gbk",
    }
}

/// `('127.0.0.1', 8080)`: an address as Python writes it.
pub fn address(addr: SocketAddr) -> String {
    format!("('{}', {})", addr.ip(), addr.port())
}

/// `2` or `2.5`: seconds as Python's `settimeout` takes them.
fn seconds(millis: u64) -> String {
    if millis.is_multiple_of(1000) {
        (millis / 1000).to_string()
    } else {
        format!("{}", millis as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests;
