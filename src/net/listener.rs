//! A listening TCP socket and its accept thread, for the TCP server and the relay.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};
use socket2::{Domain, Protocol, SockRef, Socket, Type};

use crate::error::Error;
use crate::net::emitter::Emitter;
use crate::net::event::EventKind;
use crate::net::session::spawn_or_report;
use crate::net::socket_options::{self, SocketKind};

/// Pending connections the OS queues before we accept them.
const BACKLOG: i32 = 1024;

/// Pause after an accept error that may repeat (out of file descriptors) before trying again.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// A bound, listening socket; what its thread accepts comes on `accepted`.
pub(crate) struct Listener {
    socket: Arc<TcpListener>,
    /// The address bound, with the real port.
    pub local: SocketAddr,
    pub accepted: Receiver<(Socket, SocketAddr)>,
    acceptor: Option<JoinHandle<()>>,
}

impl Listener {
    /// Binds `addr`, reports `Listening` with the real port, and starts accepting.
    pub fn start(addr: SocketAddr, dual_stack: bool, emitter: &Emitter) -> Result<Listener, Error> {
        let socket = Arc::new(bind_listener(addr, dual_stack)?);
        let local = socket.local_addr().unwrap_or(addr);
        emitter.emit(EventKind::Listening { local });
        let (accepted_tx, accepted) = unbounded();
        let acceptor = {
            let (socket, accept_emitter) = (socket.clone(), emitter.clone());
            spawn_or_report("tcp-accept", emitter, move || {
                accept_loop(&socket, local, &accept_emitter, &accepted_tx)
            })
        };
        Ok(Listener {
            socket,
            local,
            accepted,
            acceptor,
        })
    }

    /// Stops accepting and waits for the accept thread (after the emitter is set stopping).
    pub fn stop(self) {
        wake_acceptor(&self.socket, self.local);
        if let Some(acceptor) = self.acceptor {
            let _ = acceptor.join();
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
) {
    loop {
        let result = listener.accept();
        if emitter.is_stopping() {
            return;
        }
        match result {
            Ok((stream, peer)) => {
                if accepted.send((Socket::from(stream), peer)).is_err() {
                    return;
                }
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => {
                emitter.emit(EventKind::Error {
                    client: None,
                    error: Error::from_io("accepting on", local, &err),
                });
                std::thread::sleep(ACCEPT_RETRY);
            }
        }
    }
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
