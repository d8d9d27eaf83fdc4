//! The options each listening or receiving socket gets before it is bound, decided per socket
//! kind and system by a pure function (so the Windows choices are tested on Linux too), and
//! the calls that set them: the only Winsock-specific socket calls of the engine.
//!
//! A stress run's UDP sockets are connected and get none of these: a closed port there is
//! reported by Linux as by Windows, and the run counts it as the failure it is.

use std::io;

use socket2::Socket;

/// Kernel receive buffer a UDP socket asks for, so a burst waits in the kernel instead of being
/// dropped (the Windows default, 64 KiB, drops datagrams even on loopback).
pub(crate) const UDP_RECV_BUFFER: usize = 4 * 1024 * 1024;

/// What a socket is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SocketKind {
    /// A TCP server's or relay's listening socket.
    TcpListener,
    /// A UDP session's socket; `multicast` when it joins groups as it opens.
    Udp { multicast: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Platform {
    Windows,
    /// Linux, macOS and the other Unixes: the same rules for these options.
    Unix,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SocketOption {
    /// `SO_REUSEADDR`. On Unix: a stopped server's port can be bound again at once despite
    /// connections in TIME_WAIT, and receivers of one multicast group share its port. On
    /// Windows it lets any other program bind the same port and take its traffic.
    ReuseAddr,
    /// `SO_EXCLUSIVEADDRUSE` (Windows): no other socket may bind the port while this one holds
    /// it. Cannot go with `ReuseAddr` (Windows refuses the pair).
    ExclusiveAddrUse,
    /// `SIO_UDP_CONNRESET` off (Windows): otherwise one datagram to a closed port makes the next
    /// receive fail with WSAECONNRESET (10054), which says nothing about what arrives.
    UdpConnResetOff,
    /// `SO_RCVBUF` of this many bytes (the size granted is reported).
    ReceiveBuffer(usize),
}

impl SocketOption {
    /// Whether the socket must not open without it. The others are asked for and may be
    /// refused: a smaller buffer still works, and a receive error after a closed port is
    /// survived by the receiving loop (Wine, for one, may not know `SIO_UDP_CONNRESET`).
    fn required(self) -> bool {
        matches!(
            self,
            SocketOption::ReuseAddr | SocketOption::ExclusiveAddrUse
        )
    }
}

/// The options a socket of `kind` gets on `platform`, in the order they are set (all before
/// `bind`).
pub(crate) fn options(kind: SocketKind, platform: Platform) -> Vec<SocketOption> {
    use SocketOption::*;
    match (kind, platform) {
        (SocketKind::TcpListener, Platform::Unix) => vec![ReuseAddr],
        // The price (Microsoft's documentation): while a connection it accepted is still
        // open, its port cannot be listened on again.
        (SocketKind::TcpListener, Platform::Windows) => vec![ExclusiveAddrUse],
        (SocketKind::Udp { multicast }, platform) => {
            let mut options = vec![ReceiveBuffer(UDP_RECV_BUFFER)];
            match (multicast, platform) {
                // Several receivers of one group on one machine each bind the group's port;
                // on Windows too, where the system itself holds ports such as mDNS's 5353 that
                // way. The price there: another program may bind that port as well. A
                // multicast receiver exists to share it, so sharing wins.
                (true, _) => options.push(ReuseAddr),
                (false, Platform::Windows) => options.push(ExclusiveAddrUse),
                (false, Platform::Unix) => {}
            }
            if platform == Platform::Windows {
                options.push(UdpConnResetOff);
            }
            options
        }
    }
}

/// Sets the options this system gives a socket of `kind`; fails only when a required one
/// cannot be set.
pub(crate) fn apply(socket: &Socket, kind: SocketKind) -> io::Result<()> {
    for option in options(kind, Platform::current()) {
        let result = set(socket, option);
        if option.required() {
            result?;
        }
    }
    Ok(())
}

fn set(socket: &Socket, option: SocketOption) -> io::Result<()> {
    match option {
        SocketOption::ReuseAddr => socket.set_reuse_address(true),
        SocketOption::ReceiveBuffer(size) => socket.set_recv_buffer_size(size),
        SocketOption::ExclusiveAddrUse => windows::exclusive_addr_use(socket),
        SocketOption::UdpConnResetOff => windows::udp_connreset_off(socket),
    }
}

#[cfg(windows)]
mod windows {
    use std::io;
    use std::os::windows::io::AsRawSocket;

    use socket2::Socket;
    use windows_sys::Win32::Foundation::FALSE;
    use windows_sys::Win32::Networking::WinSock::{
        SIO_UDP_CONNRESET, SO_EXCLUSIVEADDRUSE, SOCKET, SOCKET_ERROR, SOL_SOCKET, WSAGetLastError,
        WSAIoctl, setsockopt,
    };

    fn checked(result: i32) -> io::Result<()> {
        if result == SOCKET_ERROR {
            // SAFETY: no arguments; reads this thread's last Winsock error.
            Err(io::Error::from_raw_os_error(unsafe { WSAGetLastError() }))
        } else {
            Ok(())
        }
    }

    pub fn exclusive_addr_use(socket: &Socket) -> io::Result<()> {
        let on: i32 = 1;
        // SAFETY: a valid socket, and an option value of the length given that outlives the call.
        checked(unsafe {
            setsockopt(
                socket.as_raw_socket() as SOCKET,
                SOL_SOCKET,
                SO_EXCLUSIVEADDRUSE,
                (&on as *const i32).cast(),
                std::mem::size_of_val(&on) as i32,
            )
        })
    }

    pub fn udp_connreset_off(socket: &Socket) -> io::Result<()> {
        let off = FALSE;
        let mut returned = 0u32;
        // SAFETY: a valid socket; an input BOOL of the length given, no output buffer, and a
        // synchronous call (no OVERLAPPED, no completion routine).
        checked(unsafe {
            WSAIoctl(
                socket.as_raw_socket() as SOCKET,
                SIO_UDP_CONNRESET,
                (&off as *const i32).cast(),
                std::mem::size_of_val(&off) as u32,
                std::ptr::null_mut(),
                0,
                &mut returned,
                std::ptr::null_mut(),
                None,
            )
        })
    }
}

/// Never decided for these systems (`options` gives them to Windows only).
#[cfg(not(windows))]
mod windows {
    use std::io;

    use socket2::Socket;

    pub fn exclusive_addr_use(_: &Socket) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }

    pub fn udp_connreset_off(_: &Socket) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }
}

// Unit tests of the decision, not of sockets: Wine maps Winsock onto Linux sockets, so running
// the Windows build under Wine cannot show what these options do on real Windows.
#[cfg(test)]
mod tests {
    use super::*;
    use SocketOption::*;

    const UDP_KINDS: [SocketKind; 2] = [
        SocketKind::Udp { multicast: false },
        SocketKind::Udp { multicast: true },
    ];

    /// Unit test: under Wine SO_REUSEADDR follows Linux rules, so a second program binding a
    /// Windows server's port could not be shown there.
    #[test]
    fn a_windows_listener_holds_its_port_exclusively() {
        let options = options(SocketKind::TcpListener, Platform::Windows);
        assert!(options.contains(&ExclusiveAddrUse), "{options:?}");
        assert!(!options.contains(&ReuseAddr), "{options:?}");
    }

    /// Unit test: WSAECONNRESET on a UDP receive is a Windows behaviour Wine does not have.
    #[test]
    fn every_windows_udp_socket_switches_udp_connreset_off() {
        for kind in UDP_KINDS {
            assert!(
                options(kind, Platform::Windows).contains(&UdpConnResetOff),
                "{kind:?}"
            );
            assert!(
                !options(kind, Platform::Unix).contains(&UdpConnResetOff),
                "{kind:?}"
            );
        }
    }

    /// Unit test: the 64 KiB Windows default is not Wine's (it takes Linux's).
    #[test]
    fn every_udp_socket_asks_for_its_receive_buffer() {
        for (kind, platform) in UDP_KINDS
            .into_iter()
            .flat_map(|k| [(k, Platform::Windows), (k, Platform::Unix)])
        {
            assert!(
                options(kind, platform).contains(&ReceiveBuffer(UDP_RECV_BUFFER)),
                "{kind:?} {platform:?}"
            );
        }
    }

    /// Unit test: Windows' rules for sharing a port are not Wine's.
    #[test]
    fn a_windows_udp_socket_is_exclusive_unless_it_shares_a_multicast_port() {
        let unicast = options(SocketKind::Udp { multicast: false }, Platform::Windows);
        assert!(unicast.contains(&ExclusiveAddrUse) && !unicast.contains(&ReuseAddr));
        let multicast = options(SocketKind::Udp { multicast: true }, Platform::Windows);
        assert!(multicast.contains(&ReuseAddr) && !multicast.contains(&ExclusiveAddrUse));
    }

    #[test]
    fn windows_never_gets_both_sharing_options_and_unix_never_gets_windows_ones() {
        for kind in UDP_KINDS.into_iter().chain([SocketKind::TcpListener]) {
            let windows = options(kind, Platform::Windows);
            assert!(!(windows.contains(&ReuseAddr) && windows.contains(&ExclusiveAddrUse)));
            let unix = options(kind, Platform::Unix);
            assert!(!unix.contains(&ExclusiveAddrUse) && !unix.contains(&UdpConnResetOff));
        }
        // Unix keeps what it had: a listener rebinds at once, unicast UDP shares nothing.
        assert_eq!(
            options(SocketKind::TcpListener, Platform::Unix),
            [ReuseAddr]
        );
        assert_eq!(
            options(SocketKind::Udp { multicast: false }, Platform::Unix),
            [ReceiveBuffer(UDP_RECV_BUFFER)]
        );
    }
}
