use crate::net::ClientId;

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Destination {
    /// A TCP client's peer; a UDP session's default target; every client of a TCP server.
    Default,
    /// One client of a TCP server.
    Client(ClientId),
    /// Every client of a TCP server.
    AllClients,
    /// A UDP target `HOST:PORT` for this message only.
    Address(String),
}

/// What a session's control thread is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Send {
        to: Destination,
        data: Vec<u8>,
    },
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
    /// Close everything and end the session (dropping the command sender does the same).
    Stop,
}
