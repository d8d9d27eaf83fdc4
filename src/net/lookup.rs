//! Name lookups off a UDP session's control thread. A lookup can take seconds (a slow DNS
//! server); on a thread of its own it never holds up a Stop or a send to an address. Messages
//! for a name wait, in order, until its lookup reports; a name is looked up once.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use crossbeam_channel::{Receiver, Sender};

use crate::error::Error;
use crate::net::addr::{HostPort, resolve};
use crate::net::outbox::Outgoing;
use crate::net::stoppable::Stoppable;

/// Names whose address is kept, so they are not looked up again.
const RESOLVED_KEPT: usize = 64;
/// Lookups running at once; past it a message to yet another name is refused.
const LOOKUPS_AT_ONCE: usize = 8;

/// A finished lookup, as its thread reports it.
pub type LookedUp = (HostPort, Result<SocketAddr, Error>);

/// Where a message goes now.
pub enum Route {
    /// Send it to this address.
    Ready(SocketAddr, Outgoing),
    /// It waits for its name's lookup.
    Waiting,
    /// It cannot be sent: why, and the message, to be dropped.
    Refused(Error, Outgoing),
}

pub struct Lookups {
    /// The socket's own address: a name's address is taken in its family.
    local: SocketAddr,
    resolved: HashMap<HostPort, SocketAddr>,
    /// Names being looked up, with the messages waiting for them.
    waiting: HashMap<HostPort, VecDeque<Outgoing>>,
    report: Sender<LookedUp>,
}

impl Lookups {
    /// Lookups for a socket bound to `local`, and where finished ones are reported.
    pub fn new(local: SocketAddr) -> (Lookups, Receiver<LookedUp>) {
        let (report, reports) = crossbeam_channel::unbounded();
        let lookups = Lookups {
            local,
            resolved: HashMap::new(),
            waiting: HashMap::new(),
            report,
        };
        (lookups, reports)
    }

    /// Where `message` for `name` goes: at once for an IP address or a name looked up before,
    /// else after its lookup (started here unless one is running).
    pub fn route(&mut self, name: HostPort, message: Outgoing) -> Route {
        match name.literal() {
            Ok(Some(addr)) => {
                return match same_family(&name, &[addr], self.local) {
                    Ok(addr) => Route::Ready(addr, message),
                    Err(error) => Route::Refused(error, message),
                };
            }
            Err(error) => return Route::Refused(error, message),
            Ok(None) => {}
        }
        if let Some(&addr) = self.resolved.get(&name) {
            return Route::Ready(addr, message);
        }
        if let Some(queue) = self.waiting.get_mut(&name) {
            queue.push_back(message);
            return Route::Waiting;
        }
        if self.waiting.len() >= LOOKUPS_AT_ONCE {
            let error = Error::Resolve {
                host: name.host,
                reason: format!("{LOOKUPS_AT_ONCE} other names are being looked up"),
            };
            return Route::Refused(error, message);
        }
        let (report, local, looked_up) = (self.report.clone(), self.local, name.clone());
        // Let go at once: a lookup cannot be interrupted, and a session stopped meanwhile no
        // longer listens for what it finds.
        let started = Stoppable::spawn("udp-lookup", move |_| {
            let result = resolve(&looked_up).and_then(|a| same_family(&looked_up, &a, local));
            let _ = report.send((looked_up, result));
        });
        match started {
            Ok(_) => {
                self.waiting.insert(name, VecDeque::from([message]));
                Route::Waiting
            }
            Err(error) => Route::Refused(error, message),
        }
    }

    /// A lookup finished: its address (kept for next time) or why it failed, and the messages
    /// that waited for it, in the order they were sent.
    pub fn finished(
        &mut self,
        (name, result): LookedUp,
    ) -> (Result<SocketAddr, Error>, VecDeque<Outgoing>) {
        if let Ok(addr) = result
            && self.resolved.len() < RESOLVED_KEPT
        {
            self.resolved.insert(name.clone(), addr);
        }
        let waiting = self.waiting.remove(&name).unwrap_or_default();
        (result, waiting)
    }
}

/// The first of `addrs` in the family of the local socket.
fn same_family(
    name: &HostPort,
    addrs: &[SocketAddr],
    local: SocketAddr,
) -> Result<SocketAddr, Error> {
    addrs
        .iter()
        .copied()
        .find(|addr| addr.is_ipv4() == local.is_ipv4())
        .ok_or_else(|| Error::InvalidAddress {
            input: name.to_string(),
            reason: format!(
                "it has no {} address, and this socket is bound to {local}",
                if local.is_ipv4() { "IPv4" } else { "IPv6" }
            ),
        })
}
