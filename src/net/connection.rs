//! One TCP connection: a reader thread and a writer thread over one socket. Used for the TCP
//! client's connection and for each client a TCP server accepts.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Sender, TrySendError, bounded};
use socket2::Socket;

use crate::codec::framing::{DEFAULT_MAX_FRAME, FrameTooLong, Framer, Framing};
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
    client: Option<ClientId>,
    shared: Arc<Shared>,
    /// Holds the reader back until the owner has reported the connection (dropped to release).
    gate: Option<Sender<()>>,
    ending: Arc<Ending>,
    /// Wakes a reader that waits after the peer's FIN (half-close) so the connection can end.
    hangup: Sender<()>,
    threads: Vec<JoinHandle<()>>,
}

/// How the connection is being ended; shared by its two threads and its handle.
#[derive(Default)]
struct Ending {
    /// Closed from this side (disconnect, reset or stop), not by the peer.
    here: AtomicBool,
    /// With RST: the sending side must not be shut down while that would send FIN.
    reset: AtomicBool,
    /// The writer is inside a write, which blocks while the peer does not read.
    writing: AtomicBool,
}

/// Who a connection reports to.
pub(crate) struct Owner {
    pub emitter: Emitter,
    pub shared: Arc<Shared>,
    /// Told the connection's client id (None for a TCP client) and why it closed when its
    /// reader ends; the owner reports `Closed` once it has joined the connection's threads, so
    /// its client list is current when the event arrives.
    pub finished: Sender<(Option<ClientId>, CloseReason)>,
    pub options: TcpOptions,
}

/// Settings for every connection of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcpOptions {
    /// How received streams are split into messages.
    pub framing: Framing,
    /// TCP_NODELAY: send small writes at once instead of waiting to coalesce them (Nagle).
    pub nodelay: bool,
    /// SO_KEEPALIVE: probe an idle connection so a vanished peer is noticed.
    pub keepalive: bool,
    /// After the peer's FIN, keep the connection so this side can still send (TCP half-close);
    /// it closes when closed here, when a send fails or when the session stops. Off: the
    /// connection closes at the peer's FIN, as most socket tools do.
    pub half_close: bool,
}

impl Connection {
    /// Starts the writer, and the reader held until [`Connection::release_reader`], so nothing
    /// is reported before the owner reports the connection itself. The writer is published in
    /// the session's writers at once, so sends from the session handle go straight to it.
    /// `counters` count this connection's traffic (the session's totals are counted too).
    pub fn start(
        socket: Socket,
        client: Option<ClientId>,
        peer: SocketAddr,
        counters: Arc<Counters>,
        owner: &Owner,
    ) -> Result<Connection, Error> {
        // Best effort: a socket that refuses an option still works.
        let _ = socket.set_tcp_nodelay(owner.options.nodelay);
        let _ = socket.set_keepalive(owner.options.keepalive);
        let socket = Arc::new(socket);
        let ending = Arc::new(Ending::default());
        let (outgoing_tx, outgoing_rx) = bounded::<Vec<u8>>(OUTGOING_CAPACITY);
        let (gate_tx, gate_rx) = bounded::<()>(0);
        // One slot: whoever ends the connection first (writer or `close`) leaves a token.
        let (hangup_tx, hangup_rx) = bounded::<()>(1);

        let writer = {
            let (socket, counters, ending) = (socket.clone(), counters.clone(), ending.clone());
            let (emitter, shared, hangup) = (
                owner.emitter.clone(),
                owner.shared.clone(),
                hangup_tx.clone(),
            );
            spawn_worker("tcp-writer", move || {
                for data in outgoing_rx {
                    if ending.reset.load(Ordering::Acquire) {
                        break;
                    }
                    ending.writing.store(true, Ordering::Release);
                    let written = (&*socket).write_all(&data);
                    ending.writing.store(false, Ordering::Release);
                    if let Err(err) = written {
                        if !ending.here.load(Ordering::Acquire) {
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
                let _ = hangup.try_send(());
            })?
        };

        let reader = {
            let (socket, counters, ending) = (socket.clone(), counters.clone(), ending.clone());
            let (emitter, shared, finished) = (
                owner.emitter.clone(),
                owner.shared.clone(),
                owner.finished.clone(),
            );
            let framer = Framer::new(owner.options.framing.clone(), DEFAULT_MAX_FRAME);
            let half_close = owner.options.half_close;
            spawn_worker("tcp-reader", move || {
                // Returns when the owner releases the gate (drops its sender).
                let _ = gate_rx.recv();
                let mut reader = Reader {
                    socket: &socket,
                    client,
                    peer,
                    counters: &counters,
                    shared: &shared,
                    emitter: &emitter,
                    framer,
                };
                let mut reason = reader.read_until_closed();
                if reason == CloseReason::PeerClosed
                    && half_close
                    && !ending.here.load(Ordering::Acquire)
                {
                    let _ = socket.shutdown(Shutdown::Read);
                    emitter.emit(EventKind::PeerFinished { client, peer });
                    // Sends still go out until the writer fails or the connection is closed.
                    let _ = hangup_rx.recv();
                    if let Some(error) = socket.take_error().ok().flatten() {
                        reason = close_reason(&error, peer);
                    }
                }
                let reset = ending.reset.load(Ordering::Acquire);
                let reason = if reset {
                    CloseReason::ResetHere
                } else if ending.here.load(Ordering::Acquire) {
                    CloseReason::ClosedHere
                } else {
                    reason
                };
                // Wakes a writer blocked on a peer that stopped reading (after a reset the
                // socket's close does that, and a shutdown would send FIN first).
                if !reset {
                    let _ = socket.shutdown(Shutdown::Both);
                }
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

        owner.shared.writers().insert(client, outgoing_tx.clone());
        Ok(Connection {
            peer,
            socket,
            outgoing: Some(outgoing_tx),
            client,
            shared: owner.shared.clone(),
            gate: Some(gate_tx),
            ending,
            hangup: hangup_tx,
            threads: vec![reader, writer],
        })
    }

    /// Lets the reader start, once the owner has reported the connection.
    pub fn release_reader(&mut self) {
        self.gate = None;
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
        self.ending.here.store(true, Ordering::Release);
        let _ = self.socket.shutdown(Shutdown::Both);
        let _ = self.hangup.try_send(());
    }

    /// Closes with RST instead of FIN: linger 0, and the socket's close, once the threads are
    /// joined, sends the RST. The reader is woken by shutting only the receiving side; the
    /// sending side is shut too only when the writer is stuck on a peer that does not read,
    /// and then the FIN waits behind unsent data that the RST throws away.
    pub fn reset(&self) {
        self.ending.reset.store(true, Ordering::Release);
        self.ending.here.store(true, Ordering::Release);
        let _ = self.socket.set_linger(Some(std::time::Duration::ZERO));
        let side = if self.ending.writing.load(Ordering::Acquire) {
            Shutdown::Both
        } else {
            Shutdown::Read
        };
        let _ = self.socket.shutdown(side);
        let _ = self.hangup.try_send(());
    }

    /// Waits for both threads. Call after [`Connection::close`] or after the reader finished.
    pub fn join(mut self) {
        self.gate = None;
        // The writer ends when every sender is gone, the published one included.
        self.shared.writers().remove(&self.client);
        self.outgoing = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// A connection's reading side: reads, applies the framing, reports each message.
struct Reader<'a> {
    socket: &'a Socket,
    client: Option<ClientId>,
    peer: SocketAddr,
    counters: &'a Counters,
    shared: &'a Shared,
    emitter: &'a Emitter,
    framer: Framer,
}

impl Reader<'_> {
    fn read_until_closed(&mut self) -> CloseReason {
        let idle_gap = self.framer.framing().idle_gap();
        let mut timeout_set = false;
        loop {
            // With idle-gap framing, a read waits at most the gap while a message is pending.
            if let Some(gap) = idle_gap
                && timeout_set != self.framer.has_pending()
            {
                timeout_set = !timeout_set;
                let _ = self.socket.set_read_timeout(timeout_set.then_some(gap));
            }
            let reason = match recv_owned(self.socket) {
                Ok(chunk) if chunk.is_empty() => CloseReason::PeerClosed,
                Ok(chunk) => {
                    let n = chunk.len();
                    self.counters.add_rx(n, 0);
                    self.shared.counters.add_rx(n, 0);
                    if let Err(error) = self.shared.capture(&chunk) {
                        self.emitter.emit(EventKind::Error {
                            client: self.client,
                            error,
                        });
                    }
                    let frames = self.framer.push(chunk);
                    if frames.into_iter().all(|frame| self.deliver(frame)) {
                        continue;
                    }
                    return CloseReason::ClosedHere;
                }
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if self.flush() {
                        continue;
                    }
                    return CloseReason::ClosedHere;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => close_reason(&err, self.peer),
            };
            // A partial message at the end is still what the peer sent: report it.
            self.flush();
            return reason;
        }
    }

    /// Reports what the framer holds as one message. False when nobody reads events.
    fn flush(&mut self) -> bool {
        match self.framer.flush() {
            Some(frame) => self.deliver(Ok(frame)),
            None => true,
        }
    }

    fn deliver(&self, frame: Result<Vec<u8>, FrameTooLong>) -> bool {
        let (client, peer) = (self.client, self.peer);
        let kind = match frame {
            Ok(data) => {
                self.counters.add_rx(0, 1);
                self.shared.counters.add_rx(0, 1);
                EventKind::Received { client, peer, data }
            }
            Err(FrameTooLong { len, max }) => EventKind::Error {
                client,
                error: Error::FrameTooLong { len, max },
            },
        };
        self.emitter.emit(kind)
    }
}

/// One read into a buffer of its own, so the bytes move into the event without a copy.
fn recv_owned(socket: &Socket) -> io::Result<Vec<u8>> {
    let mut chunk = Vec::with_capacity(READ_CHUNK);
    let n = socket.recv(chunk.spare_capacity_mut())?;
    // SAFETY: `recv` initialised the first `n` bytes of the spare capacity it was given.
    unsafe { chunk.set_len(n) };
    // A short read should not keep a whole chunk's memory in the log.
    if n < READ_CHUNK {
        chunk.shrink_to_fit();
    }
    Ok(chunk)
}

fn close_reason(err: &io::Error, peer: SocketAddr) -> CloseReason {
    match err.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => CloseReason::Reset,
        _ => CloseReason::Failed(Error::from_io("reading from", peer, err)),
    }
}
