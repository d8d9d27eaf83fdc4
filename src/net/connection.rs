//! One TCP connection: a reader thread and a writer thread over one socket. Used for the TCP
//! client's connection and for each client a TCP server accepts.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Sender, TrySendError, bounded};
use socket2::Socket;

use crate::error::Error;
use crate::net::ClientId;
use crate::net::emitter::Emitter;
use crate::net::event::{CloseReason, EventKind};
use crate::net::session::{Shared, spawn_worker};
use crate::net::stats::Counters;

/// Size of one read: one read becomes one `Received` event.
const READ_CHUNK: usize = 64 * 1024;

/// Messages queued for one connection's writer before sends to it are refused.
const OUTGOING_CAPACITY: usize = 1024;

pub(crate) struct Connection {
    pub peer: SocketAddr,
    socket: Arc<Socket>,
    outgoing: Option<Sender<Vec<u8>>>,
    closing_here: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Who a connection reports to.
pub(crate) struct Owner {
    pub emitter: Emitter,
    pub shared: Arc<Shared>,
    /// Told the connection's client id (None for a TCP client) and why it closed when its
    /// reader ends; the owner reports `Closed` once it has joined the connection's threads, so
    /// its client list is current when the event arrives.
    pub finished: Sender<(Option<ClientId>, CloseReason)>,
}

impl Connection {
    /// Starts the reader and writer; `counters` count this connection's traffic (the session's
    /// totals are counted too).
    pub fn start(
        socket: Socket,
        client: Option<ClientId>,
        peer: SocketAddr,
        counters: Arc<Counters>,
        owner: &Owner,
    ) -> Result<Connection, Error> {
        let socket = Arc::new(socket);
        let closing_here = Arc::new(AtomicBool::new(false));
        let (outgoing_tx, outgoing_rx) = bounded::<Vec<u8>>(OUTGOING_CAPACITY);

        let writer = {
            let (socket, counters, closing_here) =
                (socket.clone(), counters.clone(), closing_here.clone());
            let (emitter, shared) = (owner.emitter.clone(), owner.shared.clone());
            spawn_worker("tcp-writer", move || {
                for data in outgoing_rx {
                    if let Err(err) = (&*socket).write_all(&data) {
                        if !closing_here.load(Ordering::Acquire) {
                            emitter.emit(EventKind::Error {
                                client,
                                error: Error::from_io("sending to", peer, &err),
                            });
                        }
                        let _ = socket.shutdown(Shutdown::Both);
                        break;
                    }
                    counters.add_tx(data.len());
                    shared.counters.add_tx(data.len());
                    emitter.emit(EventKind::Sent { client, peer, data });
                }
            })?
        };

        let reader = {
            let (socket, counters, closing_here) =
                (socket.clone(), counters.clone(), closing_here.clone());
            let (emitter, shared, finished) = (
                owner.emitter.clone(),
                owner.shared.clone(),
                owner.finished.clone(),
            );
            spawn_worker("tcp-reader", move || {
                let reason = read_until_closed(&socket, client, peer, &counters, &shared, &emitter);
                let reason = if closing_here.load(Ordering::Acquire) {
                    CloseReason::ClosedHere
                } else {
                    reason
                };
                // Wakes a writer blocked on a peer that stopped reading.
                let _ = socket.shutdown(Shutdown::Both);
                let _ = finished.send((client, reason));
            })
        };
        let reader = match reader {
            Ok(reader) => reader,
            Err(err) => {
                drop(outgoing_tx);
                let _ = writer.join();
                return Err(err);
            }
        };

        Ok(Connection {
            peer,
            socket,
            outgoing: Some(outgoing_tx),
            closing_here,
            threads: vec![reader, writer],
        })
    }

    /// Queues `data` for the writer; refused when the peer has stopped reading for long.
    pub fn send(&self, data: Vec<u8>) -> Result<(), Error> {
        let outgoing = self.outgoing.as_ref().ok_or(Error::NotConnected)?;
        outgoing.try_send(data).map_err(|err| match err {
            TrySendError::Full(_) => Error::SendQueueFull(self.peer),
            TrySendError::Disconnected(_) => Error::NotConnected,
        })
    }

    /// Closes the connection from this side; the reader then reports `ClosedHere`.
    pub fn close(&self) {
        self.closing_here.store(true, Ordering::Release);
        let _ = self.socket.shutdown(Shutdown::Both);
    }

    /// Waits for both threads. Call after [`Connection::close`] or after the reader finished.
    pub fn join(mut self) {
        self.outgoing = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

fn read_until_closed(
    socket: &Socket,
    client: Option<ClientId>,
    peer: SocketAddr,
    counters: &Counters,
    shared: &Shared,
    emitter: &Emitter,
) -> CloseReason {
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        match (&*socket).read(&mut buf) {
            Ok(0) => return CloseReason::PeerClosed,
            Ok(n) => {
                counters.add_rx(n);
                shared.counters.add_rx(n);
                let data = buf[..n].to_vec();
                if !emitter.emit(EventKind::Received { client, peer, data }) {
                    return CloseReason::ClosedHere;
                }
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return close_reason(&err, peer),
        }
    }
}

fn close_reason(err: &io::Error, peer: SocketAddr) -> CloseReason {
    match err.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => CloseReason::Reset,
        _ => CloseReason::Failed(Error::from_io("reading from", peer, err)),
    }
}
