//! The TCP server session: accept clients up to the cap, a connection each, send to one or all.

use std::collections::BTreeMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossbeam_channel::{Sender, select, unbounded};
use socket2::{Domain, Protocol, SockRef, Socket, Type};

use crate::error::Error;
use crate::net::ClientId;
use crate::net::TcpOptions;
use crate::net::command::{Command, Control, Destination};
use crate::net::connection::{Connection, Owner};
use crate::net::emitter::Emitter;
use crate::net::event::EventKind;
use crate::net::outbox::{Outgoing, Ticket};
use crate::net::session::{ClientInfo, Shared, Worker, spawn_or_report};
use crate::net::stats::Counters;

pub const DEFAULT_MAX_CLIENTS: usize = 1024;

/// Pending connections the OS queues before we accept them.
const BACKLOG: i32 = 1024;

/// Pause after an accept error that may repeat (out of file descriptors) before trying again.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct TcpServerConfig {
    pub bind: SocketAddr,
    pub max_clients: usize,
    pub options: TcpOptions,
    /// On an IPv6 address such as `[::]`, accept IPv4 clients too.
    pub dual_stack: bool,
}

impl TcpServerConfig {
    pub fn new(bind: SocketAddr) -> TcpServerConfig {
        TcpServerConfig {
            bind,
            max_clients: DEFAULT_MAX_CLIENTS,
            options: TcpOptions::default(),
            dual_stack: false,
        }
    }
}

pub(crate) fn run(config: TcpServerConfig, worker: Worker) {
    let listener = match bind_listener(config.bind, config.dual_stack) {
        Ok(listener) => Arc::new(listener),
        Err(error) => return worker.emitter.could_not_start(error),
    };
    let (commands, emitter, shared) = worker.into_parts();
    let local = listener.local_addr().unwrap_or(config.bind);
    emitter.emit(EventKind::Listening { local });

    let (accepted_tx, accepted_rx) = unbounded();
    let acceptor = {
        let (listener, accept_emitter) = (listener.clone(), emitter.clone());
        spawn_or_report("tcp-accept", &emitter, move || {
            accept_loop(&listener, local, &accept_emitter, &accepted_tx)
        })
    };

    let (finished_tx, finished_rx) = unbounded();
    let owner = Owner {
        emitter: emitter.clone(),
        shared: shared.clone(),
        finished: finished_tx,
        options: config.options.clone(),
    };
    let mut clients: BTreeMap<ClientId, Connection> = BTreeMap::new();
    let mut next_id: ClientId = 1;
    let mut full_reported = false;
    loop {
        select! {
            recv(commands) -> command => match command {
                Ok(Control::Send { to, message }) => send(&clients, to, message, &shared, &emitter),
                Ok(Control::Command(Command::Disconnect(id))) => close_client(&clients, id, false, &emitter),
                Ok(Control::Command(Command::Reset(id))) => close_client(&clients, id, true, &emitter),
                // Multicast is for UDP sessions.
                Ok(Control::Command(
                    Command::JoinMulticast(_)
                    | Command::LeaveMulticast(_)
                    | Command::SetBroadcast(_),
                )) => {}
                Ok(Control::Command(Command::Stop)) | Err(_) => break,
            },
            recv(accepted_rx) -> accepted => {
                let Ok((socket, peer)) = accepted else { continue };
                if clients.len() >= config.max_clients {
                    drop(socket);
                    // Said once while the server is full, not for every attempt.
                    if !full_reported {
                        full_reported = true;
                        emitter.emit(EventKind::Rejected { peer, limit: config.max_clients });
                    }
                    continue;
                }
                full_reported = false;
                let id = next_id;
                next_id += 1;
                let counters = Arc::new(Counters::default());
                // Listed (and its writer published) before `Accepted` is reported, so a
                // consumer sees the list current and can send at once.
                shared.clients().push(ClientInfo { id, local, peer, since: SystemTime::now(), counters: counters.clone() });
                match Connection::start(socket, Some(id), peer, counters, &owner) {
                    Ok(mut connection) => {
                        emitter.emit(EventKind::Accepted { client: id, local, peer });
                        connection.release_reader();
                        clients.insert(id, connection);
                    }
                    Err(error) => {
                        shared.clients().retain(|client| client.id != id);
                        emitter.emit(EventKind::Error { client: Some(id), error });
                    }
                }
            },
            recv(finished_rx) -> finished => {
                if let Ok((Some(id), reason)) = finished
                    && let Some(connection) = clients.remove(&id)
                {
                    let peer = connection.peer;
                    connection.join();
                    shared.clients().retain(|client| client.id != id);
                    emitter.emit(EventKind::Closed { client: Some(id), peer, reason });
                }
            },
        }
    }

    emitter.set_stopping();
    wake_acceptor(&listener, local);
    if let Some(acceptor) = acceptor {
        let _ = acceptor.join();
    }
    for connection in clients.values() {
        connection.close();
    }
    let peers: BTreeMap<ClientId, SocketAddr> =
        clients.iter().map(|(&id, c)| (id, c.peer)).collect();
    for (_, connection) in std::mem::take(&mut clients) {
        connection.join();
    }
    shared.clients().clear();
    shared.stop_delayed();
    for (client, reason) in finished_rx.try_iter() {
        if let Some(peer) = client.and_then(|id| peers.get(&id)) {
            emitter.emit(EventKind::Closed {
                client,
                peer: *peer,
                reason,
            });
        }
    }
    emitter.emit(EventKind::Stopped);
}

fn close_client(
    clients: &BTreeMap<ClientId, Connection>,
    id: ClientId,
    reset: bool,
    emitter: &Emitter,
) {
    match clients.get(&id) {
        Some(connection) if reset => connection.reset(),
        Some(connection) => connection.close(),
        None => {
            emitter.emit(EventKind::Error {
                client: Some(id),
                error: Error::NoSuchClient(id),
            });
        }
    }
}

/// Queues a message that came through the control thread; it must not wait, so a client that
/// is not reading has it refused (whole) with an error row.
fn send(
    clients: &BTreeMap<ClientId, Connection>,
    to: Destination,
    message: Outgoing,
    shared: &Shared,
    emitter: &Emitter,
) {
    let report = |client: ClientId, result: Result<(), Error>| {
        if let Err(error) = result {
            emitter.emit(EventKind::Error {
                client: Some(client),
                error,
            });
        }
    };
    match to {
        Destination::Client(id) => match clients.get(&id) {
            Some(connection) => report(id, connection.send(message)),
            None => report(id, Err(Error::NoSuchClient(id))),
        },
        Destination::Default
        | Destination::AllClients
        | Destination::Address(_)
        | Destination::Named(_) => {
            if clients.is_empty() {
                emitter.emit(EventKind::Error {
                    client: None,
                    error: Error::NotConnected,
                });
            }
            for (&id, connection) in clients {
                let copy = Outgoing::new(
                    message.data.clone(),
                    message.progress.clone(),
                    Ticket::new(&shared.in_flight),
                );
                report(id, connection.send(copy));
            }
        }
    }
}

fn bind_listener(addr: SocketAddr, dual_stack: bool) -> Result<TcpListener, Error> {
    let io_error = |e: io::Error| Error::from_io("listening on", addr, &e);
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(io_error)?;
    // Lets a stopped server's port be bound again at once despite connections in TIME_WAIT.
    // (On Windows this option would let two servers share a port, so it is left off there.)
    #[cfg(unix)]
    socket.set_reuse_address(true).map_err(io_error)?;
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
