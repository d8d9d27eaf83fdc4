use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Sender, select, unbounded};
use socket2::{Domain, Protocol, Socket, Type};

use crate::error::Error;
use crate::net::addr::{HostPort, resolve};
use crate::net::command::Command;
use crate::net::connection::{Connection, Owner, TcpOptions};
use crate::net::event::EventKind;
use crate::net::interrupt::Interrupter;
use crate::net::session::{Worker, spawn_worker};

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct TcpClientConfig {
    pub target: HostPort,
    pub connect_timeout: Duration,
    /// Local address to connect from (port 0 for any port).
    pub local_bind: Option<SocketAddr>,
    pub options: TcpOptions,
}

impl TcpClientConfig {
    pub fn new(target: HostPort) -> TcpClientConfig {
        TcpClientConfig {
            target,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            local_bind: None,
            options: TcpOptions::default(),
        }
    }
}

enum Outcome {
    Connected(Socket, SocketAddr),
    Failed(Error),
}

pub(crate) fn run(config: TcpClientConfig, worker: Worker) {
    let Worker {
        commands,
        emitter,
        shared,
    } = worker;
    let options = config.options.clone();
    let interrupter = Arc::new(Interrupter::default());
    let (outcome_tx, outcome_rx) = unbounded();
    let connector = {
        let interrupter = interrupter.clone();
        spawn_worker("tcp-connect", move || {
            connect(&config, &interrupter, &outcome_tx)
        })
    };
    let connector = match connector {
        Ok(connector) => connector,
        Err(error) => {
            emitter.emit(EventKind::Error {
                client: None,
                error,
            });
            emitter.emit(EventKind::Stopped);
            return;
        }
    };

    // Connecting: only a stop matters now.
    let outcome = loop {
        select! {
            recv(outcome_rx) -> outcome => break outcome.ok(),
            recv(commands) -> command => match command {
                Ok(Command::Stop) | Err(_) => {
                    emitter.set_stopping();
                    interrupter.interrupt();
                    break None;
                }
                Ok(_) => {
                    emitter.emit(EventKind::Error { client: None, error: Error::NotConnected });
                }
            },
        }
    };
    let _ = connector.join();
    let (socket, peer) = match outcome {
        Some(Outcome::Connected(socket, peer)) if !emitter.is_stopping() => (socket, peer),
        Some(Outcome::Failed(error)) => {
            emitter.emit(EventKind::Error {
                client: None,
                error,
            });
            emitter.emit(EventKind::Stopped);
            return;
        }
        _ => {
            emitter.emit(EventKind::Stopped);
            return;
        }
    };

    let local = socket
        .local_addr()
        .ok()
        .and_then(|addr| addr.as_socket())
        .unwrap_or(peer);
    emitter.emit(EventKind::Connected { local, peer });
    let (finished_tx, finished_rx) = unbounded();
    let owner = Owner {
        emitter: emitter.clone(),
        shared,
        finished: finished_tx,
        options,
    };
    let connection = match Connection::start(socket, None, peer, Default::default(), &owner) {
        Ok(connection) => connection,
        Err(error) => {
            emitter.emit(EventKind::Error {
                client: None,
                error,
            });
            emitter.emit(EventKind::Stopped);
            return;
        }
    };

    let reason = loop {
        select! {
            recv(commands) -> command => match command {
                Ok(Command::Send { data, .. }) => {
                    if let Err(error) = connection.send(data) {
                        emitter.emit(EventKind::Error { client: None, error });
                    }
                }
                Ok(Command::Disconnect(_)) => connection.close(),
                Ok(Command::Stop) | Err(_) => {
                    emitter.set_stopping();
                    connection.close();
                    break None;
                }
            },
            recv(finished_rx) -> finished => break finished.ok().map(|(_, reason)| reason),
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
    emitter.emit(EventKind::Stopped);
}

/// Tries each resolved address in turn, as a browser would, and reports the first that connects
/// or the last failure.
fn connect(config: &TcpClientConfig, interrupter: &Interrupter, outcome: &Sender<Outcome>) {
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
                    let _ = outcome.send(Outcome::Connected(socket, addr));
                    return;
                }
            }
            Err(err) => last_error = Some(connect_error(&err, addr, config.connect_timeout)),
        }
    }
    let error = last_error.unwrap_or(Error::NotConnected);
    let _ = outcome.send(Outcome::Failed(error));
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
