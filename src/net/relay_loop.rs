//! A relay that would reach itself: aimed at its own address however it is spelled (a name,
//! a v4-mapped address, loopback for an unspecified bind), or found at run time when a
//! connection made to the target arrives back at a relay of this process. Each client would
//! otherwise be joined to a new client of its own until the relay is full.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};

use crate::net::addr::HostPort;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

/// Whether connecting to any of `targets` reaches a listener bound to `listen`.
pub fn aims_at(listen: SocketAddr, targets: &[SocketAddr]) -> bool {
    let listen_ip = listen.ip().to_canonical();
    targets.iter().any(|target| {
        let ip = target.ip().to_canonical();
        target.port() == listen.port()
            && (ip == listen_ip
                || (listen_ip.is_unspecified()
                    && ip.is_ipv4() == listen_ip.is_ipv4()
                    && is_local(ip))
                || (ip.is_unspecified() && ip.is_ipv4() == listen_ip.is_ipv4()))
    })
}

/// An address of this machine: loopback, unspecified or one of its interfaces'.
pub fn is_local(ip: IpAddr) -> bool {
    ip.is_loopback()
        || ip.is_unspecified()
        || if_addrs::get_if_addrs()
            .unwrap_or_default()
            .iter()
            .any(|interface| interface.ip().to_canonical() == ip)
}

/// Whether the client at `peer`, to be passed on to `target`, is another socket-tester relay
/// passing a connection of this process back to it. Linux (read from /proc; elsewhere not
/// known), and only for a client and a target that may be on this machine (an IP address
/// elsewhere costs nothing). Blocking for a few milliseconds: call it off the relay's control
/// thread.
pub fn relayed_back_by_another_process(
    peer: SocketAddr,
    target: &HostPort,
    listen_port: u16,
) -> bool {
    #[cfg(target_os = "linux")]
    {
        let target_here = match target.literal() {
            Ok(Some(addr)) => is_local(addr.ip()),
            // A name may be this machine's.
            _ => true,
        };
        target_here && is_local(peer.ip()) && super::relay_procfs::relayed_back(peer, listen_port)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (peer, target, listen_port);
        false
    }
}

/// The ends the relays of this process made or took: the local address of each connection to
/// a target, with the relay that made it and its pair's client; the peer of each client, with
/// the relay that took it. Following a client back through the connections that made it
/// finds a loop: it comes back to the relay taking it.
#[derive(Default)]
struct Ends {
    to_targets: HashMap<SocketAddr, (RelayId, SocketAddr)>,
    clients: HashMap<SocketAddr, RelayId>,
    /// Clients found to be a relay's own connection only after they were taken: their own
    /// connection to the target is not made, so the chain ends with them.
    looped: HashSet<SocketAddr>,
}

/// A relay session of this process.
pub type RelayId = u64;

static ENDS: LazyLock<Mutex<Ends>> = LazyLock::new(Mutex::default);
static NEXT_RELAY: AtomicU64 = AtomicU64::new(1);

/// A new relay's id.
pub fn new_relay() -> RelayId {
    NEXT_RELAY.fetch_add(1, Ordering::Relaxed)
}

fn ends() -> MutexGuard<'static, Ends> {
    ENDS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An address as the system compares it: a v4-mapped IPv6 address as IPv4.
pub(super) fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

/// One end registered while it lives; dropping it forgets the address.
pub struct Registered {
    addr: SocketAddr,
    to_target: bool,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut ends = ends();
        if self.to_target {
            ends.to_targets.remove(&self.addr);
        } else {
            ends.clients.remove(&self.addr);
            ends.looped.remove(&self.addr);
        }
    }
}

impl Ends {
    /// Whether the connection from `peer` was made by `relay`, directly or through other
    /// relays of this process.
    fn made_by(&self, mut peer: SocketAddr, relay: RelayId) -> bool {
        // Each step goes one relay back; a chain is at most as long as the table.
        for _ in 0..=self.to_targets.len() {
            match self.to_targets.get(&peer) {
                Some(&(maker, _)) if maker == relay => return true,
                Some(&(_, client)) => peer = client,
                None => return false,
            }
        }
        false
    }
}

/// Whether the client at `peer` is a connection `relay` made (directly or through other
/// relays of this process).
pub fn comes_back(relay: RelayId, peer: SocketAddr) -> bool {
    let (ends, peer) = (ends(), canonical(peer));
    ends.looped.contains(&peer) || ends.made_by(peer, relay)
}

/// `relay` accepted a client from `peer`: None if `relay` made that connection itself (to
/// its target, directly or through other relays of this process: a loop), else its
/// registration.
pub fn client(relay: RelayId, peer: SocketAddr) -> Option<Registered> {
    let addr = canonical(peer);
    let mut ends = ends();
    if ends.made_by(addr, relay) {
        return None;
    }
    ends.clients.insert(addr, relay);
    Some(Registered {
        addr,
        to_target: false,
    })
}

/// `relay` connected to its target from `local` for its client `client`: None if `relay`
/// already took that connection as a client (a loop, seen from this side), else its
/// registration.
pub fn to_target(relay: RelayId, local: SocketAddr, client: SocketAddr) -> Option<Registered> {
    let addr = canonical(local);
    let mut ends = ends();
    if ends.clients.get(&addr) == Some(&relay) {
        ends.looped.insert(addr);
        return None;
    }
    ends.to_targets.insert(addr, (relay, canonical(client)));
    Some(Registered {
        addr,
        to_target: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_target_that_is_the_relay_however_spelled_is_found() {
        let any = addr("0.0.0.0:9000");
        let lo = addr("127.0.0.1:9000");
        assert!(aims_at(lo, &[addr("127.0.0.1:9000")]));
        assert!(aims_at(lo, &[addr("[::ffff:127.0.0.1]:9000")]));
        assert!(aims_at(any, &[addr("127.0.0.1:9000")]));
        assert!(aims_at(any, &[addr("[::ffff:127.0.0.1]:9000")]));
        assert!(aims_at(any, &[addr("0.0.0.0:9000")]));
        assert!(aims_at(addr("[::]:9000"), &[addr("[::1]:9000")]));
        // `localhost` resolves to both families.
        assert!(aims_at(lo, &[addr("[::1]:9000"), addr("127.0.0.1:9000")]));
        assert!(!aims_at(lo, &[addr("127.0.0.1:9001")]));
        assert!(!aims_at(lo, &[addr("[::1]:9000")]));
        assert!(!aims_at(addr("127.0.0.2:9000"), &[addr("127.0.0.1:9000")]));
        assert!(
            !aims_at(any, &[addr("192.0.2.1:9000")]),
            "not this machine's"
        );
    }

    #[test]
    fn a_connection_to_the_target_that_comes_back_is_found_from_either_side() {
        let (relay, other) = (new_relay(), new_relay());
        let outside = addr("127.0.0.1:40000");
        let out = addr("127.0.0.1:40001");
        let registered = to_target(relay, out, outside).expect("a first connection");
        assert!(client(relay, addr("[::ffff:127.0.0.1]:40001")).is_none());
        // Another relay of this process may take it: a chain of relays, not a loop.
        let chained = client(other, out).expect("a relay behind a relay");
        // That relay's own connection to its target comes back to the first: a loop.
        let back = addr("127.0.0.1:40002");
        let _its = to_target(other, back, out).expect("its connection");
        assert!(client(relay, back).is_none());
        // Seen from the other side: the client was taken before the connection was known.
        let taken = client(relay, addr("127.0.0.1:40003")).expect("a client");
        assert!(to_target(relay, addr("127.0.0.1:40003"), outside).is_none());
        assert!(
            comes_back(relay, addr("127.0.0.1:40003")),
            "its own connection is not made"
        );
        drop((registered, chained, taken));
        assert!(client(relay, out).is_some(), "forgotten once it ended");
    }
}
