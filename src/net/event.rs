use std::fmt;
use std::net::SocketAddr;
use std::time::SystemTime;

use crate::error::Error;
use crate::net::ClientId;

/// Something that happened in a session, stamped when it happened.
#[derive(Debug, Clone)]
pub struct Event {
    pub time: SystemTime,
    pub kind: EventKind,
}

impl Event {
    pub fn now(kind: EventKind) -> Event {
        Event {
            time: SystemTime::now(),
            kind,
        }
    }
}

#[derive(Debug, Clone)]
pub enum EventKind {
    /// A server or UDP socket is bound; `local` has the real port.
    Listening { local: SocketAddr },
    /// A TCP client connected.
    Connected { local: SocketAddr, peer: SocketAddr },
    /// A TCP server accepted a client.
    Accepted {
        client: ClientId,
        local: SocketAddr,
        peer: SocketAddr,
    },
    /// A TCP server closed a connection at once because `limit` clients were connected.
    Rejected { peer: SocketAddr, limit: usize },
    /// One read: exactly the bytes that one `read`/`recv_from` returned.
    Received {
        client: Option<ClientId>,
        peer: SocketAddr,
        data: Vec<u8>,
    },
    /// Bytes fully written to the socket.
    Sent {
        client: Option<ClientId>,
        peer: SocketAddr,
        data: Vec<u8>,
    },
    /// The peer shut its sending side (FIN) and the session keeps the connection for sending
    /// (half-close); `Closed` follows when it ends.
    PeerFinished {
        client: Option<ClientId>,
        peer: SocketAddr,
    },
    Closed {
        client: Option<ClientId>,
        peer: SocketAddr,
        reason: CloseReason,
    },
    /// An operation failed; the session goes on unless `Stopped` follows.
    Error {
        client: Option<ClientId>,
        error: Error,
    },
    /// A TCP client will try to connect again after `delay`.
    Reconnecting { delay: std::time::Duration },
    /// The session ended: its threads are done and its sockets are closed.
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The peer closed its side (FIN): a read returned end of stream.
    PeerClosed,
    /// The peer reset the connection (RST).
    Reset,
    /// Closed by us: disconnect or stop.
    ClosedHere,
    /// Closed by us with RST (SO_LINGER 0).
    ResetHere,
    /// Any other failure.
    Failed(Error),
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::PeerClosed => f.write_str("closed by peer (FIN)"),
            CloseReason::Reset => f.write_str("reset by peer (RST)"),
            CloseReason::ClosedHere => f.write_str("closed here"),
            CloseReason::ResetHere => f.write_str("reset here (RST)"),
            CloseReason::Failed(error) => write!(f, "{error}"),
        }
    }
}
