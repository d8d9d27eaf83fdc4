//! What a session is asked to do: commands in, and where a message goes.

use std::net::SocketAddr;

use crate::net::ClientId;
use crate::net::addr::HostPort;
use crate::net::capture_file::CaptureFile;
use crate::net::outbox::Outgoing;
use crate::net::rules::Responder;

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Destination {
    /// A TCP client's peer; a UDP session's default target; every client of a TCP server;
    /// a relay's target, on every pair's connection to it.
    Default,
    /// One client of a TCP server or a relay.
    Client(ClientId),
    /// Every client of a TCP server or a relay.
    AllClients,
    /// A relay's target, on the connection of the pair of this client.
    Target(ClientId),
    /// A UDP target for this message only.
    Address(SocketAddr),
    /// A UDP target by name for this message only, looked up once and off the session's
    /// control thread.
    Named(HostPort),
}

/// What a session's control thread is asked to do (messages go through [`crate::net::Session::send`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Close one client of a TCP server (a TCP client closes its connection, whatever the id)
    /// with FIN, the polite way.
    Disconnect(ClientId),
    /// Like `Disconnect` but with RST (SO_LINGER 0): the peer's next read fails with
    /// "connection reset", and anything not yet delivered is thrown away.
    Reset(ClientId),
    /// UDP: receive datagrams sent to this multicast group (IPv4 or IPv6).
    JoinMulticast(std::net::IpAddr),
    /// UDP: stop receiving this multicast group.
    LeaveMulticast(std::net::IpAddr),
    /// UDP: allow or forbid sending to broadcast addresses (SO_BROADCAST), while open.
    SetBroadcast(bool),
    /// Close everything and end the session (dropping the command sender does the same).
    Stop,
}

/// What reaches a session's control thread: a command, or a message that could not go
/// straight to a connection's queue (UDP, all of a server's clients, not connected yet).
pub(crate) enum Control {
    Command(Command),
    Send {
        to: Destination,
        message: Outgoing,
    },
    /// A change to what the session's threads share, made by the control thread so that the
    /// caller (the window's thread) takes no lock of the engine.
    Apply(Setting),
}

/// A change to a session's shared state (see [`crate::net::shared::Shared::apply`]).
pub(crate) enum Setting {
    /// Echo and auto-reply rules (None: no answers), for connections already open too.
    Responder(Option<Responder>),
    /// Every received byte to this file from now on (None: no capture).
    Capture(Option<CaptureFile>),
    /// Every counter back to zero, the clients' included.
    ResetTotals,
    /// Applied after everything handed over before it: says so by dropping its sender.
    Mark(crossbeam_channel::Sender<()>),
}

/// A control message as a session of TCP connections (client, server, relay) takes it.
pub(crate) enum TcpControl {
    Send {
        to: Destination,
        message: Outgoing,
    },
    /// Close a connection (a TCP client's whatever the id): with RST if `reset`, else FIN.
    Close {
        id: ClientId,
        reset: bool,
    },
    /// A change to the shared state: the caller applies it.
    Apply(Setting),
    /// Multicast and broadcast are for UDP sessions.
    Ignore,
    Stop,
}

impl TcpControl {
    /// What `control` asks of TCP connections; None (the session's handle is gone) stops.
    pub fn of(control: Option<Control>) -> TcpControl {
        match control {
            Some(Control::Send { to, message }) => TcpControl::Send { to, message },
            Some(Control::Apply(setting)) => TcpControl::Apply(setting),
            Some(Control::Command(Command::Disconnect(id))) => {
                TcpControl::Close { id, reset: false }
            }
            Some(Control::Command(Command::Reset(id))) => TcpControl::Close { id, reset: true },
            Some(Control::Command(
                Command::JoinMulticast(_) | Command::LeaveMulticast(_) | Command::SetBroadcast(_),
            )) => TcpControl::Ignore,
            Some(Control::Command(Command::Stop)) | None => TcpControl::Stop,
        }
    }
}
