//! A listening TCP socket and its accept thread, for the TCP server and the relay.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};
use socket2::{Domain, Protocol, SockRef, Socket, Type};

use crate::error::{Error, describe_io};
use crate::net::accept_reserve::Reserve;
use crate::net::emitter::Emitter;
use crate::net::event::EventKind;
use crate::net::socket_options::{self, SocketKind};
use crate::net::stoppable::Stoppable;

/// Pending connections the OS queues before we accept them.
const BACKLOG: i32 = 1024;

/// The first wait after an accept failed for want of resources (out of file descriptors),
/// doubled after each failure up to `ACCEPT_RETRY_MAX`; a stop ends a wait at once.
const ACCEPT_RETRY_FIRST: Duration = Duration::from_millis(10);
const ACCEPT_RETRY_MAX: Duration = Duration::from_secs(1);

/// A bound, listening socket; what its thread accepts comes on `accepted`.
pub(crate) struct Listener {
    socket: Arc<TcpListener>,
    /// The address bound, with the real port.
    pub local: SocketAddr,
    pub accepted: Receiver<(Socket, SocketAddr)>,
    acceptor: Option<Stoppable>,
    /// Wakes the accept thread out of a wait between failed accepts.
    wake: Sender<()>,
}

impl Listener {
    /// Binds `addr`, reports `Listening` with the real port, and starts accepting.
    pub fn start(addr: SocketAddr, dual_stack: bool, emitter: &Emitter) -> Result<Listener, Error> {
        let socket = Arc::new(bind_listener(addr, dual_stack)?);
        let local = socket.local_addr().unwrap_or(addr);
        emitter.emit(EventKind::Listening { local });
        let (accepted_tx, accepted) = unbounded();
        let (wake, woken) = bounded(1);
        let acceptor = {
            let (socket, accept_emitter) = (socket.clone(), emitter.clone());
            Stoppable::spawn_or_report("tcp-accept", emitter, move |_| {
                accept_loop(&socket, local, &accept_emitter, &accepted_tx, &woken)
            })
        };
        Ok(Listener {
            socket,
            local,
            accepted,
            acceptor,
            wake,
        })
    }

    /// Stops accepting and waits for the accept thread (after the emitter is set stopping).
    pub fn stop(self) {
        let _ = self.wake.try_send(());
        wake_acceptor(&self.socket, self.local);
        if let Some(acceptor) = self.acceptor {
            acceptor.wait();
        }
    }
}

fn bind_listener(addr: SocketAddr, dual_stack: bool) -> Result<TcpListener, Error> {
    let io_error = |e: io::Error| Error::from_io("listening on", addr, &e);
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(io_error)?;
    socket_options::apply(&socket, SocketKind::TcpListener).map_err(io_error)?;
    if addr.is_ipv6() {
        socket.set_only_v6(!dual_stack).map_err(io_error)?;
    }
    socket.bind(&addr.into()).map_err(io_error)?;
    socket.listen(BACKLOG).map_err(io_error)?;
    Ok(socket.into())
}

fn accept_loop(
    listener: &TcpListener,
    local: SocketAddr,
    emitter: &Emitter,
    accepted: &Sender<(Socket, SocketAddr)>,
    woken: &Receiver<()>,
) {
    // The wait after the last failed accept, while accepting fails.
    let mut stalled: Option<Duration> = None;
    let mut reserve = Reserve::new();
    loop {
        let result = listener.accept();
        if emitter.is_stopping() {
            return;
        }
        match result {
            Ok((stream, peer)) => {
                if stalled.take().is_some() {
                    emitter.emit(EventKind::AcceptingAgain { local });
                }
                if accepted.send((Socket::from(stream), peer)).is_err() {
                    return;
                }
            }
            // That one connection failed (it was aborted or reset before we took it, a
            // firewall refused it): the next one is taken at once, and nothing is said.
            Err(err) if is_per_connection(&err) => {}
            // Out of file descriptors or memory: said once; the clients waiting are told with
            // a close (each batch said); tried again at growing intervals until it clears.
            Err(err) => {
                let wait = match stalled {
                    None => {
                        emitter.emit(EventKind::Error {
                            client: None,
                            error: Error::AcceptStalled {
                                local,
                                reason: describe_io(&err),
                            },
                        });
                        ACCEPT_RETRY_FIRST
                    }
                    Some(wait) => (wait * 2).min(ACCEPT_RETRY_MAX),
                };
                stalled = Some(wait);
                let count = reserve.turn_away_waiting(listener);
                if count > 0 {
                    let error = Error::ClientsTurnedAway { local, count };
                    emitter.emit(EventKind::Error {
                        client: None,
                        error,
                    });
                }
                if woken.recv_timeout(wait) != Err(RecvTimeoutError::Timeout) {
                    return;
                }
            }
        }
    }
}

/// An accept error that concerns only the connection being taken (accept(2): "treat them
/// like EAGAIN by retrying"), not the listener.
fn is_per_connection(err: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        err.kind(),
        Interrupted
            | WouldBlock
            | ConnectionAborted
            | ConnectionReset
            | PermissionDenied
            | HostUnreachable
            | NetworkUnreachable
            | NetworkDown
    ) || per_connection_code(err)
}

#[cfg(unix)]
fn per_connection_code(err: &io::Error) -> bool {
    let codes = [
        libc::EPROTO,
        libc::ENOPROTOOPT,
        libc::EHOSTDOWN,
        libc::EOPNOTSUPP,
        #[cfg(target_os = "linux")]
        libc::ENONET,
    ];
    err.raw_os_error().is_some_and(|code| codes.contains(&code))
}

/// Windows says these with the kinds above (WSAECONNRESET, WSAENETDOWN, …).
#[cfg(not(unix))]
fn per_connection_code(_: &io::Error) -> bool {
    false
}

/// Wakes the thread blocked in `accept`. On Linux, shutting a listening socket down makes
/// `accept` fail at once; elsewhere a connection to ourselves does it.
fn wake_acceptor(listener: &TcpListener, local: SocketAddr) {
    let _ = SockRef::from(listener).shutdown(Shutdown::Read);
    if !cfg!(target_os = "linux") {
        let _ = std::net::TcpStream::connect_timeout(
            &crate::net::addr::reachable_local(local),
            Duration::from_secs(1),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection aborted or reset before it was taken is not the listener's error: no row,
    /// no pause (before: an error row and a 100 ms stall each). Running out of descriptors is.
    #[test]
    fn per_connection_accept_errors_are_told_from_the_listeners() {
        let kind = |kind: io::ErrorKind| io::Error::from(kind);
        assert!(is_per_connection(&kind(io::ErrorKind::ConnectionAborted)));
        assert!(is_per_connection(&kind(io::ErrorKind::ConnectionReset)));
        assert!(is_per_connection(&kind(io::ErrorKind::Interrupted)));
        #[cfg(unix)]
        {
            for code in [
                libc::ECONNABORTED,
                libc::EPROTO,
                libc::EPERM,
                libc::ENETUNREACH,
            ] {
                let err = io::Error::from_raw_os_error(code);
                assert!(is_per_connection(&err), "{err}");
            }
            for code in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM] {
                let err = io::Error::from_raw_os_error(code);
                assert!(!is_per_connection(&err), "{err}");
            }
        }
    }
}
