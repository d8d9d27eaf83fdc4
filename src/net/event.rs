//! What a session reports: events out, and how a connection closed.

use std::fmt;
use std::net::SocketAddr;
use std::time::SystemTime;

use crate::codec::websocket::Opcode;
use crate::error::Error;
use crate::net::ClientId;
use crate::net::sequence::{SequenceOutcome, StepState};
use crate::net::tls::TlsInfo;
use crate::net::websocket::WebSocketHandshake;

/// Something that happened in a session, stamped when it happened.
#[derive(Debug, Clone)]
pub struct Event {
    pub time: SystemTime,
    pub kind: EventKind,
    /// What its payload holds of the session's event bytes, given back as the consumer lets
    /// go of the event (an emitter waiting for room is woken then): kept for its drop.
    _held: Held,
}

impl Event {
    pub fn now(kind: EventKind) -> Event {
        Event::at(SystemTime::now(), kind)
    }

    /// An event stamped `time` (a recording's, a test's).
    pub fn at(time: SystemTime, kind: EventKind) -> Event {
        Event {
            time,
            kind,
            _held: Held::default(),
        }
    }

    /// An event whose payload holds `held` of its session's event bytes.
    pub(crate) fn holding(kind: EventKind, held: Held) -> Event {
        Event {
            _held: held,
            ..Event::now(kind)
        }
    }
}

/// Bytes of a session's event budget an event holds; given back when it is dropped.
#[derive(Default)]
pub(crate) struct Held(Option<(std::sync::Arc<crate::net::emitter::EventBytes>, usize)>);

impl Held {
    /// An event without payload holds nothing and has nothing to give back.
    pub fn new(bytes: std::sync::Arc<crate::net::emitter::EventBytes>, size: usize) -> Held {
        Held((size > 0).then_some((bytes, size)))
    }
}

/// A copy of an event (a log's, a test's) holds nothing of the budget: the original gives
/// its bytes back.
impl Clone for Held {
    fn clone(&self) -> Held {
        Held(None)
    }
}

impl fmt::Debug for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Held({})", self.0.as_ref().map_or(0, |(_, size)| *size))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some((bytes, size)) = self.0.take() {
            bytes.give_back(size);
        }
    }
}

/// One message received: exactly the bytes one `read` returned (or one frame, when the
/// session frames the stream), or one datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub time: SystemTime,
    pub peer: SocketAddr,
    pub data: Vec<u8>,
    /// On a WebSocket connection: the message's opcode (text or binary); None elsewhere.
    pub websocket: Option<Opcode>,
}

impl Message {
    /// A message received just now.
    pub fn now(peer: SocketAddr, data: Vec<u8>) -> Message {
        Message {
            time: SystemTime::now(),
            peer,
            data,
            websocket: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum EventKind {
    /// A server or UDP socket is bound; `local` has the real port.
    Listening { local: SocketAddr },
    /// A TCP client connected.
    Connected { local: SocketAddr, peer: SocketAddr },
    /// A TCP client's TLS handshake is done: what it agreed and the peer's certificate.
    TlsEstablished {
        client: Option<ClientId>,
        peer: SocketAddr,
        info: TlsInfo,
    },
    /// A WebSocket connection's opening handshake is done (after `Connected` or `Accepted`,
    /// and after `TlsEstablished` under TLS).
    WebSocketOpened {
        client: Option<ClientId>,
        peer: SocketAddr,
        handshake: WebSocketHandshake,
    },
    /// A WebSocket control frame (close, ping, pong) received, or `sent`.
    WebSocketControl {
        client: Option<ClientId>,
        peer: SocketAddr,
        sent: bool,
        opcode: Opcode,
        payload: Vec<u8>,
    },
    /// A TCP server accepted a client.
    Accepted {
        client: ClientId,
        local: SocketAddr,
        peer: SocketAddr,
        /// The client's own traffic, counted as it goes (a front end keeps its client list
        /// from these events, and reads the counts without a lock).
        counters: std::sync::Arc<crate::net::Counters>,
    },
    /// A relay connected the pair of client `client` to its target (from `local`): from now on
    /// what either end sends is passed on to the other.
    Relaying {
        client: ClientId,
        local: SocketAddr,
        target: SocketAddr,
    },
    /// A TCP server closed a connection at once because `limit` clients were connected.
    Rejected { peer: SocketAddr, limit: usize },
    /// Messages read together while the consumer was busy (TCP), or the datagrams of one
    /// system call (UDP), oldest first; never empty. Each keeps its own bytes, peer and time,
    /// so a batch shows as the same rows, arrows and frames as one read at a time would.
    Received {
        client: Option<ClientId>,
        messages: Vec<Message>,
    },
    /// Bytes fully written to the socket.
    Sent {
        client: Option<ClientId>,
        peer: SocketAddr,
        data: Vec<u8>,
        /// The frame's opcode on a WebSocket connection (text or binary).
        websocket: Option<Opcode>,
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
    /// A UDP socket's receive buffer: the size asked for, and what the kernel granted (as it
    /// counts it: Linux reports twice what it was asked, within its limit `net.core.rmem_max`).
    ReceiveBuffer { asked: usize, granted: usize },
    /// The kernel dropped datagrams because the socket's receive buffer was full: `total` in
    /// all since the session began (or its counters were reset). Said at most a few times a
    /// second; the counters have the exact figure at any time.
    KernelDropped { total: u64 },
    /// A send sequence's step `step` (from 0) of round `round` (from 1) began or ended.
    SequenceStep {
        round: u64,
        step: usize,
        state: StepState,
    },
    /// A send sequence ended: every round passed, a step failed, or it was stopped.
    SequenceEnded { outcome: SequenceOutcome },
    /// A listener accepts again after it could not (out of file descriptors, said once as
    /// `Error::AcceptStalled`).
    AcceptingAgain { local: SocketAddr },
    /// A TCP client will try to connect again after `delay`.
    Reconnecting { delay: std::time::Duration },
    /// The session ended: its threads are done and its sockets are closed.
    Stopped,
}

impl EventKind {
    /// One message received just now, as its own event.
    pub fn received(client: Option<ClientId>, peer: SocketAddr, data: Vec<u8>) -> EventKind {
        EventKind::Received {
            client,
            messages: vec![Message::now(peer, data)],
        }
    }

    /// A message sent, not over WebSocket.
    pub fn sent(client: Option<ClientId>, peer: SocketAddr, data: Vec<u8>) -> EventKind {
        EventKind::Sent {
            client,
            peer,
            data,
            websocket: None,
        }
    }

    /// The bytes received in the event: those of all its messages (0 for other events).
    pub fn received_len(&self) -> usize {
        match self {
            EventKind::Received { messages, .. } => messages.iter().map(|m| m.data.len()).sum(),
            _ => 0,
        }
    }

    /// The payload bytes the event carries (what the event channel's byte bound counts).
    pub(crate) fn payload_len(&self) -> usize {
        match self {
            EventKind::Sent { data, .. } => data.len(),
            _ => self.received_len(),
        }
    }
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

/// Which end closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closer {
    Here,
    Peer,
}

impl CloseReason {
    /// Who ended the connection, and whether with RST (else FIN): the one reading of a close
    /// that the log, the sequence chart, recordings and pcap share.
    pub fn ending(&self) -> (Closer, bool) {
        match self {
            CloseReason::PeerClosed => (Closer::Peer, false),
            CloseReason::Reset => (Closer::Peer, true),
            CloseReason::ClosedHere => (Closer::Here, false),
            CloseReason::ResetHere => (Closer::Here, true),
            // This end gave up on the peer and shut the connection down: a FIN from here.
            CloseReason::Failed(
                Error::IdleTimeout { .. } | Error::SendTimeout { .. } | Error::OverBudget { .. },
            ) => (Closer::Here, false),
            // A read or write failed under us: the connection is gone as after a reset.
            CloseReason::Failed(_) => (Closer::Peer, true),
        }
    }
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
