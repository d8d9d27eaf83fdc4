//! The relay session: listens, connects each client it accepts to the target, and passes the
//! bytes on both ways. Each pair is two connections under the client's id; what either end
//! sends is reported as received from it, then written to the other end. A pair ends the way
//! either end ended it: a FIN is passed on as a FIN once the bytes before it are written (the
//! other way stays open until that end finishes too), a reset as a reset.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Sender, bounded, select, unbounded};
use socket2::Socket;

use crate::error::Error;
use crate::net::addr::{self, HostPort};
use crate::net::command::{Destination, TcpControl};
use crate::net::connection::{Connection, Link, Owner};
use crate::net::emitter::Emitter;
use crate::net::event::{CloseReason, Closer, EventKind};
use crate::net::interrupt::Interrupter;
use crate::net::listener::Listener;
use crate::net::outbox::Outgoing;
use crate::net::relay_loop::{self, Registered};
use crate::net::session::{Shared, Worker};
use crate::net::stats::Counters;
use crate::net::stoppable::Stoppable;
use crate::net::tcp_client::{self, DEFAULT_CONNECT_TIMEOUT, Outcome, TcpClientConfig};
use crate::net::tcp_server::{DEFAULT_MAX_CLIENTS, queue_on};
use crate::net::{ClientId, TcpOptions};

/// How long a stop waits for each connection to say it closed.
const STOP_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub listen: SocketAddr,
    pub target: HostPort,
    pub connect_timeout: Duration,
    /// Pairs at most; a client beyond them is closed at once.
    pub max_clients: usize,
    /// For both ends of every pair (half-close is always on: a relay passes a FIN on and
    /// keeps the other way open).
    pub options: TcpOptions,
}

impl RelayConfig {
    pub fn new(listen: SocketAddr, target: HostPort) -> RelayConfig {
        RelayConfig {
            listen,
            target,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_clients: DEFAULT_MAX_CLIENTS,
            options: TcpOptions::default(),
        }
    }

    /// The target is the relay's own address: each client would be joined to a new client
    /// of its own, until the relay is full. `resolve` looks a name up (blocking), or not.
    pub fn targets_itself(&self, resolve: bool) -> bool {
        if self.target.port != self.listen.port() {
            return false;
        }
        let targets = match self.target.literal() {
            Ok(Some(addr)) => vec![addr],
            Ok(None) if resolve => addr::resolve(&self.target).unwrap_or_default(),
            _ => return false,
        };
        relay_loop::aims_at(self.listen, &targets)
    }
}

/// A client and its connection to the target.
struct Pair {
    client: Option<Connection>,
    target: Option<Connection>,
    /// Connecting to the target: interrupted if the pair ends first.
    connecting: Option<(Arc<Interrupter>, Stoppable)>,
    counters: Arc<Counters>,
    /// Its client's address and its connection to the target's, known to the relays of this
    /// process while the pair lives, so a loop is found.
    registered: Vec<Registered>,
}

impl Pair {
    fn is_over(&self) -> bool {
        self.client.is_none() && self.target.is_none() && self.connecting.is_none()
    }

    /// Cuts a connect to the target short. The thread is not waited for: a name lookup
    /// cannot be interrupted, and what it finds goes to a pair that is gone (and is dropped).
    fn stop_connecting(&mut self) {
        if let Some((interrupter, thread)) = self.connecting.take() {
            interrupter.interrupt();
            drop(thread);
        }
    }

    /// Ends both connections from here; a client still waiting for its target is let go so
    /// its reader sees the end.
    fn end(&mut self, reset: bool) {
        self.stop_connecting();
        for connection in [&mut self.client, &mut self.target].into_iter().flatten() {
            if reset {
                connection.reset();
            } else {
                connection.close();
            }
            connection.release_reader();
        }
    }
}

/// Which end of a pair a connection is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Client,
    Target,
}

struct Relay {
    config: RelayConfig,
    emitter: Emitter,
    shared: Arc<Shared>,
    client_owner: Owner,
    target_owner: Owner,
    connected: Sender<(ClientId, Outcome, Option<Registered>)>,
    pairs: BTreeMap<ClientId, Pair>,
    next_id: ClientId,
    full_reported: bool,
    loop_reported: bool,
    /// This relay among the relays of the process (`relay_loop`).
    id: relay_loop::RelayId,
    listen_port: u16,
    /// Clients whose connection to the target waits for those being made (`accept`).
    waiting: Vec<ClientId>,
}

pub(crate) fn run(config: RelayConfig, worker: Worker) {
    if config.targets_itself(false) {
        return worker
            .emitter
            .could_not_start(Error::RelayToItself(config.target.to_string()));
    }
    let listener = match Listener::start(config.listen, false, &worker.emitter) {
        Ok(listener) => listener,
        Err(error) => return worker.emitter.could_not_start(error),
    };
    let (commands, emitter, shared) = worker.into_parts();
    let local = listener.local;
    let (client_done_tx, client_done_rx) = unbounded();
    let (target_done_tx, target_done_rx) = unbounded();
    let (connected_tx, connected_rx) = unbounded();
    let options = TcpOptions {
        half_close: true,
        ..config.options.clone()
    };
    let owner = |finished, to_relay_target| Owner {
        emitter: emitter.clone(),
        shared: shared.clone(),
        finished,
        options: options.clone(),
        to_relay_target,
    };
    let mut relay = Relay {
        client_owner: owner(client_done_tx, false),
        target_owner: owner(target_done_tx, true),
        config,
        emitter: emitter.clone(),
        shared: shared.clone(),
        connected: connected_tx,
        pairs: BTreeMap::new(),
        next_id: 1,
        full_reported: false,
        loop_reported: false,
        id: relay_loop::new_relay(),
        listen_port: local.port(),
        waiting: Vec::new(),
    };
    loop {
        select! {
            recv(commands) -> command => match TcpControl::of(command.ok()) {
                TcpControl::Send { to, message } => relay.send(to, message),
                TcpControl::Close { id, reset } => relay.end_pair(id, reset),
                TcpControl::Apply(setting) => relay.shared.apply(setting),
                TcpControl::Ignore => {}
                TcpControl::Stop => break,
            },
            recv(emitter.stop().receiver()) -> _ => break,
            recv(listener.accepted) -> accepted => {
                if let Ok((socket, peer)) = accepted {
                    relay.accept(socket, peer, local);
                }
            },
            recv(connected_rx) -> connected => {
                if let Ok((id, outcome, registered)) = connected {
                    relay.connected(id, outcome, registered);
                }
            },
            recv(client_done_rx) -> done => {
                if let Ok((Some(id), reason)) = done {
                    relay.closed(id, End::Client, reason);
                }
            },
            recv(target_done_rx) -> done => {
                if let Ok((Some(id), reason)) = done {
                    relay.closed(id, End::Target, reason);
                }
            },
        }
        relay.start_waiting();
    }

    emitter.set_stopping();
    listener.stop();
    // Every connection says how it closed, as when it closes before a stop.
    relay.end_all();
    while !relay.pairs.is_empty() {
        let (id, end, reason) = select! {
            recv(client_done_rx) -> done => match done {
                Ok((Some(id), reason)) => (id, End::Client, reason),
                _ => continue,
            },
            recv(target_done_rx) -> done => match done {
                Ok((Some(id), reason)) => (id, End::Target, reason),
                _ => continue,
            },
            default(STOP_WAIT) => break,
        };
        relay.closed(id, end, reason);
    }
    relay.join_the_rest();
    shared.clients().clear();
    shared.stop_delayed();
}

impl Relay {
    fn accept(&mut self, socket: Socket, peer: SocketAddr, local: SocketAddr) {
        let limit = self.config.max_clients;
        if self.pairs.len() >= limit {
            drop(socket);
            // Said once while the relay is full, not for every attempt.
            if !self.full_reported {
                self.full_reported = true;
                self.emitter.emit(EventKind::Rejected { peer, limit });
            }
            return;
        }
        self.full_reported = false;
        // A relay's own connection to its target come back: refused, or it would chain.
        let Some(registered) = relay_loop::client(self.id, peer) else {
            drop(socket);
            return report_loop(&self.emitter, &mut self.loop_reported, &self.config.target);
        };
        let id = self.next_id;
        self.next_id += 1;
        let counters = self.shared.list_client(id, local, peer);
        // The client's reader waits until the target is connected: what the client sends
        // meanwhile waits in the kernel, and nothing is lost.
        let client = match Connection::start(
            Link::plain(socket),
            Some(id),
            peer,
            counters.clone(),
            &self.client_owner,
        ) {
            Ok(client) => client,
            Err(error) => {
                self.shared.clients().retain(|client| client.id != id);
                self.emitter.emit(EventKind::Error {
                    client: Some(id),
                    error,
                });
                return;
            }
        };
        self.emitter.emit(EventKind::Accepted {
            client: id,
            local,
            peer,
            counters: counters.clone(),
        });
        let pair = Pair {
            client: Some(client),
            target: None,
            connecting: None,
            counters,
            registered: vec![registered],
        };
        // A client from this machine taken while a connection to the target is being made
        // may be that connection come back: it waits until they are made and known.
        let waits = relay_loop::is_local(peer.ip())
            && self.pairs.values().any(|pair| pair.connecting.is_some());
        self.pairs.insert(id, pair);
        if waits {
            self.waiting.push(id);
        } else {
            self.start_connect(id);
        }
    }

    /// Connects the pair of client `id` to the target, on a thread of its own.
    fn start_connect(&mut self, id: ClientId) {
        let Some(pair) = self.pairs.get_mut(&id) else {
            return;
        };
        let Some(peer) = pair.client.as_ref().map(|client| client.peer) else {
            return;
        };
        let interrupter = Arc::new(Interrupter::default());
        let target = TcpClientConfig {
            connect_timeout: self.config.connect_timeout,
            ..TcpClientConfig::new(self.config.target.clone())
        };
        let (connecting, connected) = (interrupter.clone(), self.connected.clone());
        let (listen_port, relay) = (self.listen_port, self.id);
        let thread = Stoppable::spawn_or_report("relay-connect", &self.emitter, move |_| {
            connect_target(
                &target,
                &connecting,
                (relay, listen_port, peer),
                id,
                &connected,
            )
        });
        match thread {
            Some(thread) => pair.connecting = Some((interrupter, thread)),
            None => pair.end(false),
        }
    }

    /// Clients that waited for the connections to the target being made: each is one of
    /// them come back (refused) or is connected in turn.
    fn start_waiting(&mut self) {
        if self.waiting.is_empty() || self.pairs.values().any(|pair| pair.connecting.is_some()) {
            return;
        }
        for id in std::mem::take(&mut self.waiting) {
            let Some(client) = self
                .pairs
                .get_mut(&id)
                .and_then(|pair| pair.client.as_mut())
            else {
                continue;
            };
            if relay_loop::comes_back(self.id, client.peer) {
                client.close();
                client.release_reader();
                report_loop(&self.emitter, &mut self.loop_reported, &self.config.target);
            } else {
                self.start_connect(id);
            }
        }
    }

    /// The target answered (or not) for the pair of client `id`.
    fn connected(&mut self, id: ClientId, outcome: Outcome, registered: Option<Registered>) {
        // A pair that ended meanwhile drops the new connection (the socket closes).
        let Some(pair) = self.pairs.get_mut(&id) else {
            return;
        };
        if let Some((_, thread)) = pair.connecting.take() {
            thread.wait();
        }
        let Some(client) = &mut pair.client else {
            return;
        };
        let (link, target, local) = match outcome {
            Outcome::Connected(connected) => (connected.link, connected.peer, connected.local),
            Outcome::Failed(Error::RelayLoop(_)) => {
                client.close();
                client.release_reader();
                return report_loop(&self.emitter, &mut self.loop_reported, &self.config.target);
            }
            Outcome::Failed(error) => {
                // The client is told the way the target told the relay: a refusal is a reset.
                if let Error::ConnectionRefused(_) = error {
                    client.reset();
                } else {
                    client.close();
                }
                client.release_reader();
                self.emitter.emit(EventKind::Error {
                    client: Some(id),
                    error,
                });
                return;
            }
        };
        pair.registered.extend(registered);
        let counters = pair.counters.clone();
        match Connection::start(link, Some(id), target, counters, &self.target_owner) {
            Ok(mut to_target) => {
                self.emitter.emit(EventKind::Relaying {
                    client: id,
                    local,
                    target,
                });
                client.release_relaying_to(&to_target);
                to_target.release_relaying_to(client);
                pair.target = Some(to_target);
            }
            Err(error) => {
                self.emitter.emit(EventKind::Error {
                    client: Some(id),
                    error,
                });
                client.close();
                client.release_reader();
            }
        }
    }

    /// One end of a pair closed: reports it, and ends the other end the same way.
    fn closed(&mut self, id: ClientId, end: End, reason: CloseReason) {
        let Some(pair) = self.pairs.get_mut(&id) else {
            return;
        };
        if end == End::Client {
            pair.stop_connecting();
        }
        let (this, other) = match end {
            End::Client => (&mut pair.client, &mut pair.target),
            End::Target => (&mut pair.target, &mut pair.client),
        };
        let Some(connection) = this.take() else {
            return;
        };
        let peer = connection.peer;
        connection.join();
        match (other.as_mut(), reason.ending()) {
            // A FIN was passed on as the reader met it; the other way ends on its own.
            _ if reason == CloseReason::PeerClosed => {}
            (Some(other), (_, true)) => other.reset(),
            (Some(other), (Closer::Here | Closer::Peer, false)) => other.close(),
            (None, _) => {}
        }
        if let Some(other) = other.as_mut() {
            other.release_reader();
        }
        // The client list is current when the event arrives.
        if pair.is_over() {
            self.pairs.remove(&id);
            self.shared.clients().retain(|client| client.id != id);
        }
        self.emitter.emit(EventKind::Closed {
            client: Some(id),
            peer,
            reason,
        });
    }

    /// Ends the pair of client `id` from here, both ends alike (Disconnect, Reset).
    fn end_pair(&mut self, id: ClientId, reset: bool) {
        match self.pairs.get_mut(&id) {
            Some(pair) => pair.end(reset),
            None => {
                self.emitter.emit(EventKind::Error {
                    client: Some(id),
                    error: Error::NoSuchClient(id),
                });
            }
        }
    }

    /// Queues a message injected into one direction of one pair or all.
    fn send(&self, to: Destination, message: Outgoing) {
        fn end_of(pair: &Pair, end: End) -> Option<&Connection> {
            match end {
                End::Client => pair.client.as_ref(),
                End::Target => pair.target.as_ref(),
            }
        }
        let (one, end) = match to {
            Destination::Client(id) => (Some(id), End::Client),
            Destination::AllClients => (None, End::Client),
            Destination::Target(id) => (Some(id), End::Target),
            Destination::Default | Destination::Address(_) | Destination::Named(_) => {
                (None, End::Target)
            }
        };
        let chosen: Vec<(ClientId, &Connection)> = match one {
            Some(id) => match self.pairs.get(&id) {
                Some(pair) => end_of(pair, end).map(|c| (id, c)).into_iter().collect(),
                None => {
                    self.emitter.emit(EventKind::Error {
                        client: Some(id),
                        error: Error::NoSuchClient(id),
                    });
                    return;
                }
            },
            None => self
                .pairs
                .iter()
                .filter_map(|(&id, pair)| end_of(pair, end).map(|c| (id, c)))
                .collect(),
        };
        queue_on(&chosen, message, &self.shared, &self.emitter);
    }

    /// Closes every pair; each connection's reader then says it finished.
    fn end_all(&mut self) {
        for pair in self.pairs.values_mut() {
            pair.end(false);
        }
        self.pairs.retain(|_, pair| !pair.is_over());
    }

    /// Waits for the threads of connections that did not say they finished in time (a stop
    /// must end even if one could not).
    fn join_the_rest(&mut self) {
        for (_, pair) in std::mem::take(&mut self.pairs) {
            for connection in [pair.client, pair.target].into_iter().flatten() {
                connection.join();
            }
        }
    }
}

/// A relay's connection to its target for the client at `peer`, reported on `connected` with
/// its registration; a client that is a connection of this process come back is refused.
fn connect_target(
    target: &TcpClientConfig,
    interrupter: &Interrupter,
    (relay, listen_port, peer): (relay_loop::RelayId, u16, SocketAddr),
    id: ClientId,
    connected: &Sender<(ClientId, Outcome, Option<Registered>)>,
) {
    let looped = || Outcome::Failed(Error::RelayLoop(target.target.to_string()));
    // Before connecting: a loop found after would already have made the next link.
    if relay_loop::comes_back(relay, peer)
        || relay_loop::relayed_back_by_another_process(peer, &target.target, listen_port)
    {
        let _ = connected.send((id, looped(), None));
        return;
    }
    let (outcome_tx, outcome_rx) = bounded(1);
    tcp_client::connect(target, interrupter, &outcome_tx);
    let Ok(outcome) = outcome_rx.try_recv() else {
        return;
    };
    let (outcome, registered) = match outcome {
        // Known at once, so a client that is this connection come back is found.
        Outcome::Connected(connected) => {
            match relay_loop::to_target(relay, connected.local, peer) {
                // Taken as a client by this relay already: a loop, seen from here.
                None => (looped(), None),
                registered => (Outcome::Connected(connected), registered),
            }
        }
        failed => (failed, None),
    };
    let _ = connected.send((id, outcome, registered));
}

/// Says once per session that connections to the target come back to a relay.
fn report_loop(emitter: &Emitter, reported: &mut bool, target: &HostPort) {
    if !std::mem::replace(reported, true) {
        emitter.emit(EventKind::Error {
            client: None,
            error: Error::RelayLoop(target.to_string()),
        });
    }
}
