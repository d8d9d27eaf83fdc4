//! The TCP server session: accept clients up to the cap, a connection each, send to one or all.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crossbeam_channel::{select, unbounded};
use socket2::{SockRef, Socket};

use crate::net::interrupt::shut_down_and_wake;

use crate::error::Error;
use crate::net::ClientId;
use crate::net::TcpOptions;
use crate::net::command::{Destination, TcpControl};
use crate::net::connection::{Connection, Link, Owner};
use crate::net::emitter::Emitter;
use crate::net::event::EventKind;
use crate::net::listener::Listener;
use crate::net::outbox::{Outgoing, Ticket};
use crate::net::session::{Shared, Worker};
use crate::net::stoppable::Stoppable;
use crate::net::tls::{Acceptor, TlsInfo, TlsServer};
use crate::net::websocket;

pub const DEFAULT_MAX_CLIENTS: usize = 1024;

/// How long a client may take over its TLS and WebSocket handshakes.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct TcpServerConfig {
    pub bind: SocketAddr,
    pub max_clients: usize,
    pub options: TcpOptions,
    /// On an IPv6 address such as `[::]`, accept IPv4 clients too.
    pub dual_stack: bool,
    /// Speak TLS with each client, with this certificate.
    pub tls: Option<TlsServer>,
    /// Take each client's WebSocket upgrade (over TLS too, when `tls` is set).
    pub websocket: bool,
}

impl TcpServerConfig {
    pub fn new(bind: SocketAddr) -> TcpServerConfig {
        TcpServerConfig {
            bind,
            max_clients: DEFAULT_MAX_CLIENTS,
            options: TcpOptions::default(),
            dual_stack: false,
            tls: None,
            websocket: false,
        }
    }
}

pub(crate) fn run(config: TcpServerConfig, worker: Worker) {
    let acceptor = match config.tls.as_ref().map(Acceptor::new).transpose() {
        Ok(acceptor) => acceptor,
        Err(error) => return worker.emitter.could_not_start(error),
    };
    let listener = match Listener::start(config.bind, config.dual_stack, &worker.emitter) {
        Ok(listener) => listener,
        Err(error) => return worker.emitter.could_not_start(error),
    };
    let (commands, emitter, shared) = worker.into_parts();
    let local = listener.local;

    let (finished_tx, finished_rx) = unbounded();
    let owner = Owner {
        emitter: emitter.clone(),
        shared: shared.clone(),
        finished: finished_tx,
        options: config.options.clone(),
        to_relay_target: false,
    };
    let mut clients: BTreeMap<ClientId, Connection> = BTreeMap::new();
    let mut admission = Admission {
        next_id: 1,
        local,
        shared: &shared,
        owner: &owner,
    };
    let mut full_reported = false;
    let (secured_tx, secured_rx) = unbounded();
    // Handshakes under way (TLS), each with a copy of its socket.
    let mut handshakes: Vec<(Option<Socket>, Stoppable)> = Vec::new();
    // Handshakes started whose outcome has not come back: each will be a client, so each
    // counts against the cap (silent connections cannot take a thread each past it).
    let mut pending = 0usize;
    loop {
        select! {
            recv(commands) -> command => match TcpControl::of(command.ok()) {
                TcpControl::Send { to, message } => send(&clients, to, message, &shared, &emitter),
                TcpControl::Close { id, reset } => close_client(&clients, id, reset, &emitter),
                TcpControl::Apply(setting) => shared.apply(setting),
                TcpControl::Ignore => {}
                TcpControl::Stop => break,
            },
            recv(emitter.stop().receiver()) -> _ => break,
            recv(listener.accepted) -> accepted => {
                let Ok((socket, peer)) = accepted else { continue };
                if clients.len() + pending >= config.max_clients {
                    drop(socket);
                    // Said once while the server is full, not for every attempt.
                    if !full_reported {
                        full_reported = true;
                        emitter.emit(EventKind::Rejected { peer, limit: config.max_clients });
                    }
                    continue;
                }
                full_reported = false;
                if acceptor.is_none() && !config.websocket {
                    admission.admit(&mut clients, Link::plain(socket), peer, None);
                    continue;
                }
                // The handshakes wait on the client: on a thread of their own.
                let (acceptor, secured) = (acceptor.clone(), secured_tx.clone());
                // A copy of the socket, to cut a handshake short when the server stops.
                let watch = socket.try_clone().ok();
                let websocket = config.websocket;
                let thread = Stoppable::spawn_or_report("handshake", &emitter, move |_| {
                    let _ = secured.send((peer, handshakes_with(socket, peer, acceptor.as_ref(), websocket)));
                });
                handshakes.retain(|(_, thread)| thread.is_running());
                pending += usize::from(thread.is_some());
                handshakes.extend(thread.map(|thread| (watch, thread)));
            },
            recv(secured_rx) -> secured => {
                let Ok((peer, outcome)) = secured else { continue };
                pending = pending.saturating_sub(1);
                match outcome {
                    Ok((link, tls)) => admission.admit(&mut clients, link, peer, tls),
                    Err(error) => {
                        emitter.emit(EventKind::Error { client: None, error });
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
    listener.stop();
    for (watch, thread) in handshakes {
        if let Some(socket) = watch {
            shut_down_and_wake(SockRef::from(&socket), std::net::Shutdown::Both);
        }
        thread.wait();
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
}

/// A client's TLS handshake, then its WebSocket one, as the server speaks them. A client that
/// fails them is closed at once (the server's copy of its socket would keep it open).
fn handshakes_with(
    socket: Socket,
    peer: SocketAddr,
    acceptor: Option<&Acceptor>,
    websocket: bool,
) -> Result<(Link, Option<TlsInfo>), Error> {
    let copy = socket.try_clone();
    let outcome = handshakes(socket, peer, acceptor, websocket);
    if let (Err(_), Ok(copy)) = (&outcome, copy) {
        let _ = copy.shutdown(std::net::Shutdown::Both);
    }
    outcome
}

fn handshakes(
    socket: Socket,
    peer: SocketAddr,
    acceptor: Option<&Acceptor>,
    websocket: bool,
) -> Result<(Link, Option<TlsInfo>), Error> {
    let (socket, wire, tls) = match acceptor {
        Some(acceptor) => {
            let (socket, wire, info) = acceptor.accept(socket, peer, HANDSHAKE_TIMEOUT)?;
            (socket, Some(wire), Some(info))
        }
        None => (socket, None, None),
    };
    let websocket = match websocket {
        true => Some(websocket::accept(&socket, peer, HANDSHAKE_TIMEOUT)?),
        false => None,
    };
    let link = Link {
        socket,
        wire,
        websocket,
    };
    Ok((link, tls))
}

/// Takes accepted clients in: an id each, listed, a connection, reported.
struct Admission<'a> {
    next_id: ClientId,
    local: SocketAddr,
    shared: &'a Shared,
    owner: &'a Owner,
}

impl Admission<'_> {
    fn admit(
        &mut self,
        clients: &mut BTreeMap<ClientId, Connection>,
        link: Link,
        peer: SocketAddr,
        tls: Option<TlsInfo>,
    ) {
        let opened = link.websocket.as_ref().map(|ws| ws.handshake.clone());
        let (id, local, emitter) = (self.next_id, self.local, &self.owner.emitter);
        self.next_id += 1;
        // Listed (and its writer published) before `Accepted` is reported, so a consumer sees
        // the list current and can send at once.
        let counters = self.shared.list_client(id, local, peer);
        match Connection::start(link, Some(id), peer, counters.clone(), self.owner) {
            Ok(mut connection) => {
                emitter.emit(EventKind::Accepted {
                    client: id,
                    local,
                    peer,
                    counters,
                });
                if let Some(info) = tls {
                    emitter.emit(EventKind::TlsEstablished {
                        client: Some(id),
                        peer,
                        info,
                    });
                }
                if let Some(handshake) = opened {
                    emitter.emit(EventKind::WebSocketOpened {
                        client: Some(id),
                        peer,
                        handshake,
                    });
                }
                connection.release_reader();
                clients.insert(id, connection);
            }
            Err(error) => {
                self.shared.clients().retain(|client| client.id != id);
                emitter.emit(EventKind::Error {
                    client: Some(id),
                    error,
                });
            }
        }
    }
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

/// Queues a message that came through the control thread on one client or all.
fn send(
    clients: &BTreeMap<ClientId, Connection>,
    to: Destination,
    message: Outgoing,
    shared: &Shared,
    emitter: &Emitter,
) {
    let chosen = match to {
        Destination::Client(id) => match clients.get(&id) {
            Some(connection) => vec![(id, connection)],
            None => {
                emitter.emit(EventKind::Error {
                    client: Some(id),
                    error: Error::NoSuchClient(id),
                });
                return;
            }
        },
        _ => clients.iter().map(|(&id, c)| (id, c)).collect(),
    };
    queue_on(&chosen, message, shared, emitter);
}

/// Queues `message` on each of `connections` (a copy each). The control thread must not wait,
/// so a connection whose peer is not reading has it refused (whole) with an error row.
pub(crate) fn queue_on(
    connections: &[(ClientId, &Connection)],
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
    match connections {
        [] => {
            emitter.emit(EventKind::Error {
                client: None,
                error: Error::NotConnected,
            });
        }
        [(id, connection)] => report(*id, connection.send(message)),
        several => {
            for (id, connection) in several {
                let copy = Outgoing {
                    opcode: message.opcode,
                    ..Outgoing::new(
                        message.data.clone(),
                        message.progress.clone(),
                        Ticket::new(&shared.in_flight),
                    )
                };
                report(*id, connection.send(copy));
            }
        }
    }
}
