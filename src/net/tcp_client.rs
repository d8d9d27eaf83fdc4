//! The TCP client session: connect (with timeout, interruptible, reconnect with back-off),
//! then one connection.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, select, unbounded};
use socket2::{Domain, Protocol, Socket, Type};

use crate::error::Error;
use crate::net::TcpOptions;
use crate::net::addr::{HostPort, resolve};
use crate::net::command::{Command, Control, TcpControl};
use crate::net::connection::{Connection, Link, Owner};
use crate::net::event::EventKind;
use crate::net::interrupt::Interrupter;
use crate::net::session::Worker;
use crate::net::stoppable::Stoppable;
use crate::net::tls::{self, TlsClient, TlsInfo};
use crate::net::websocket::{self, WebSocketTarget};

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a connection lives before a reconnect after it starts again from the shortest wait
/// (a connection that brings data proves itself at once).
const PROVEN_AFTER: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct TcpClientConfig {
    pub target: HostPort,
    pub connect_timeout: Duration,
    /// Local address to connect from (port 0 for any port).
    pub local_bind: Option<SocketAddr>,
    pub options: TcpOptions,
    /// Connect again after a failure or a lost connection, waiting longer each time.
    pub reconnect: Option<Reconnect>,
    /// Speak TLS over the connection.
    pub tls: Option<TlsClient>,
    /// Speak WebSocket over the connection (over TLS too, for `wss://`).
    pub websocket: Option<WebSocketTarget>,
}

/// Back-off between reconnect attempts: `first`, then doubling up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Reconnect {
    fn default() -> Reconnect {
        Reconnect {
            first: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl TcpClientConfig {
    pub fn new(target: HostPort) -> TcpClientConfig {
        TcpClientConfig {
            target,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            local_bind: None,
            options: TcpOptions::default(),
            reconnect: None,
            tls: None,
            websocket: None,
        }
    }
}

pub(crate) enum Outcome {
    /// Connected (and, with TLS, the handshake done): the socket the connection uses, the
    /// real one under TLS, the peer, and what the handshake agreed.
    Connected(Box<Connected>),
    Failed(Error),
}

pub(crate) struct Connected {
    pub link: Link,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub tls: Option<TlsInfo>,
}

/// How a phase of the client's life ended.
enum Phase {
    /// The user stopped the session.
    Stopped,
    /// The connection could not be made or was lost; a reconnect may follow.
    Ended,
}

pub(crate) fn run(config: TcpClientConfig, worker: Worker) {
    let mut delay = config.reconnect.map(|r| r.first);
    loop {
        let phase = match connect_phase(&config, &worker) {
            Ok(Some(connected)) => {
                let (began, received) = (Instant::now(), worker.shared.counters.totals().rx_bytes);
                let phase = connection_phase(connected, &config, &worker);
                // A connection that proved itself (it lived a while or brought data) starts
                // the next reconnect from the shortest wait; one a server closes at once does
                // not, or a reconnect would knock every 500 ms for ever.
                if began.elapsed() >= PROVEN_AFTER
                    || worker.shared.counters.totals().rx_bytes > received
                {
                    delay = config.reconnect.map(|r| r.first);
                }
                phase
            }
            Ok(None) => Phase::Stopped,
            Err(error) => {
                worker.emitter.emit(EventKind::Error {
                    client: None,
                    error,
                });
                Phase::Ended
            }
        };
        let (Phase::Ended, Some(reconnect), Some(wait)) = (phase, config.reconnect, delay) else {
            break;
        };
        // A first connection that fails is retried too: a device still booting is the usual
        // reason to turn reconnecting on.
        worker.emitter.emit(EventKind::Reconnecting { delay: wait });
        if !wait_or_stop(&worker, wait) {
            break;
        }
        delay = Some((wait * 2).min(reconnect.max));
    }
    worker.shared.stop_delayed();
}

/// Waits `delay` before the next attempt; false if the user stopped the session meanwhile.
fn wait_or_stop(worker: &Worker, delay: Duration) -> bool {
    let deadline = crossbeam_channel::after(delay);
    loop {
        select! {
            recv(deadline) -> _ => return true,
            recv(worker.emitter.stop().receiver()) -> _ => return false,
            recv(worker.commands) -> command => match command {
                Ok(Control::Command(Command::Stop)) | Err(_) => {
                    worker.emitter.set_stopping();
                    return false;
                }
                Ok(command) => while_unconnected(command, worker),
            },
        }
    }
}

/// A message while there is no connection is refused (the message is dropped with its
/// ticket); settings are applied; multicast is for UDP sessions; closing nothing does nothing.
fn while_unconnected(command: Control, worker: &Worker) {
    match command {
        Control::Send { .. } => {
            worker.emitter.emit(EventKind::Error {
                client: None,
                error: Error::NotConnected,
            });
        }
        Control::Apply(setting) => worker.shared.apply(setting),
        Control::Command(_) => {}
    }
}

/// Resolves, connects and makes the TLS handshake, on a thread of its own, so a stop is
/// heard at once whatever the peer does; Ok(None) when the user stopped meanwhile.
fn connect_phase(config: &TcpClientConfig, worker: &Worker) -> Result<Option<Connected>, Error> {
    let interrupter = Arc::new(Interrupter::default());
    let (outcome_tx, outcome_rx) = unbounded();
    let connector = {
        let (interrupter, config) = (interrupter.clone(), config.clone());
        Stoppable::spawn_on("tcp-connect", worker.emitter.stop(), move |_| {
            connect(&config, &interrupter, &outcome_tx)
        })?
    };
    // Connecting: only a stop matters now.
    let outcome = loop {
        select! {
            recv(outcome_rx) -> outcome => break outcome.ok(),
            recv(worker.emitter.stop().receiver()) -> _ => {
                interrupter.interrupt();
                break None;
            },
            recv(worker.commands) -> command => match command {
                Ok(Control::Command(Command::Stop)) | Err(_) => {
                    worker.emitter.set_stopping();
                    interrupter.interrupt();
                    break None;
                }
                Ok(command) => while_unconnected(command, worker),
            },
        }
    };
    match outcome {
        // Stopped: a name lookup cannot be interrupted, so the connector is left to finish
        // on its own (its outcome goes nowhere); a connect or handshake it was in is cut.
        None => drop(connector),
        Some(_) => {
            connector.wait();
        }
    }
    match outcome {
        Some(Outcome::Connected(connected)) if !worker.emitter.is_stopping() => {
            Ok(Some(*connected))
        }
        Some(Outcome::Failed(error)) => Err(error),
        _ => Ok(None),
    }
}

/// Runs a connection until it closes or the user stops the session.
fn connection_phase(connected: Connected, config: &TcpClientConfig, worker: &Worker) -> Phase {
    let emitter = &worker.emitter;
    let options = &config.options;
    let Connected {
        link,
        peer,
        local,
        tls,
    } = connected;
    let opened = link.websocket.as_ref().map(|ws| ws.handshake.clone());
    let (finished_tx, finished_rx) = unbounded();
    let owner = Owner {
        emitter: emitter.clone(),
        shared: worker.shared.clone(),
        finished: finished_tx,
        options: options.clone(),
        to_relay_target: false,
    };
    let mut connection = match Connection::start(link, None, peer, Default::default(), &owner) {
        Ok(connection) => connection,
        Err(error) => {
            emitter.emit(EventKind::Error {
                client: None,
                error,
            });
            return Phase::Ended;
        }
    };
    emitter.emit(EventKind::Connected { local, peer });
    if let Some(info) = tls {
        emitter.emit(EventKind::TlsEstablished {
            client: None,
            peer,
            info,
        });
    }
    if let Some(handshake) = opened {
        emitter.emit(EventKind::WebSocketOpened {
            client: None,
            peer,
            handshake,
        });
    }
    connection.release_reader();
    let (phase, reason) = loop {
        select! {
            recv(worker.commands) -> command => match TcpControl::of(command.ok()) {
                TcpControl::Send { message, .. } => {
                    if let Err(error) = connection.send(message) {
                        emitter.emit(EventKind::Error { client: None, error });
                    }
                }
                TcpControl::Close { reset: false, .. } => connection.close(),
                TcpControl::Close { reset: true, .. } => connection.reset(),
                TcpControl::Apply(setting) => worker.shared.apply(setting),
                TcpControl::Ignore => {}
                TcpControl::Stop => {
                    emitter.set_stopping();
                    connection.close();
                    break (Phase::Stopped, None);
                }
            },
            recv(emitter.stop().receiver()) -> _ => {
                connection.close();
                break (Phase::Stopped, None);
            },
            recv(finished_rx) -> finished => break (Phase::Ended, finished.ok().map(|(_, reason)| reason)),
        }
    };
    connection.join();
    let reason = reason.or_else(|| finished_rx.try_recv().ok().map(|(_, reason)| reason));
    if let Some(reason) = reason {
        emitter.emit(EventKind::Closed {
            client: None,
            peer,
            reason,
        });
    }
    phase
}

/// Tries each resolved address in turn, as a browser would, and reports the first that connects
/// or the last failure.
pub(crate) fn connect(
    config: &TcpClientConfig,
    interrupter: &Interrupter,
    outcome: &Sender<Outcome>,
) {
    let addrs = match resolve(&config.target) {
        Ok(addrs) => addrs,
        Err(error) => {
            let _ = outcome.send(Outcome::Failed(error));
            return;
        }
    };
    let mut last_error = None;
    for addr in addrs {
        let socket = match new_socket(addr, config.local_bind) {
            Ok(socket) => Arc::new(socket),
            Err(error) => {
                last_error = Some(error);
                continue;
            }
        };
        if !interrupter.watch(socket.clone()) {
            return;
        }
        let result = socket.connect_timeout(&addr.into(), config.connect_timeout);
        interrupter.unwatch();
        if interrupter.is_interrupted() {
            return;
        }
        match result {
            Ok(()) => {
                // The interrupter let go of its clone in `unwatch`, so this is the only one.
                if let Ok(socket) = Arc::try_unwrap(socket) {
                    let _ = outcome.send(secure(socket, addr, config, interrupter));
                    return;
                }
            }
            Err(err) => last_error = Some(connect_error(&err, addr, config.connect_timeout)),
        }
    }
    let error = last_error.unwrap_or(Error::NotConnected);
    let _ = outcome.send(Outcome::Failed(error));
}

/// A connected socket, with the TLS handshake and then the WebSocket one made over it if the
/// session speaks them; a stop cuts either short as it does a connect.
fn secure(
    socket: Socket,
    peer: SocketAddr,
    config: &TcpClientConfig,
    interrupter: &Interrupter,
) -> Outcome {
    let local = socket
        .local_addr()
        .ok()
        .and_then(|addr| addr.as_socket())
        .unwrap_or(peer);
    let timeout = config.connect_timeout;
    let (socket, wire, tls) = match &config.tls {
        None => (socket, None, None),
        Some(settings) => {
            let secured = watched(socket.try_clone(), peer, interrupter, || {
                tls::connect(socket, peer, &config.target.host, settings, timeout)
            });
            match secured {
                Ok((plain, wire, info)) => (plain, Some(wire), Some(info)),
                Err(error) => return Outcome::Failed(error),
            }
        }
    };
    let websocket = match &config.websocket {
        None => None,
        Some(target) => {
            let upgraded = watched(socket.try_clone(), peer, interrupter, || {
                websocket::connect(&socket, peer, target, timeout)
            });
            match upgraded {
                Ok(link) => Some(link),
                Err(error) => return Outcome::Failed(error),
            }
        }
    };
    Outcome::Connected(Box::new(Connected {
        link: Link {
            socket,
            wire,
            websocket,
        },
        peer,
        local,
        tls,
    }))
}

/// Runs a handshake while the interrupter watches `copy`, a copy of its socket.
fn watched<T>(
    copy: io::Result<Socket>,
    peer: SocketAddr,
    interrupter: &Interrupter,
    handshake: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    let watching = match copy {
        Ok(copy) => interrupter.watch(Arc::new(copy)),
        Err(err) => return Err(Error::from_io("connecting to", peer, &err)),
    };
    if !watching {
        return Err(Error::NotConnected);
    }
    let outcome = handshake();
    interrupter.unwatch();
    outcome
}

fn new_socket(addr: SocketAddr, local_bind: Option<SocketAddr>) -> Result<Socket, Error> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| Error::from_io("opening a socket for", addr, &e))?;
    if let Some(local) = local_bind {
        socket
            .bind(&local.into())
            .map_err(|e| Error::from_io("binding", local, &e))?;
    }
    Ok(socket)
}

fn connect_error(err: &io::Error, addr: SocketAddr, timeout: Duration) -> Error {
    match err.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::ConnectTimeout {
            addr,
            millis: timeout.as_millis() as u64,
        },
        _ => Error::from_io("connecting to", addr, err),
    }
}
