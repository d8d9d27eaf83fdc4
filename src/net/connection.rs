//! One TCP connection: a reader thread and a writer thread over one socket. Used for the TCP
//! client's connection, for each client a TCP server accepts, and for both ends of each pair
//! a relay joins.

use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError};

use crossbeam_channel::{Receiver, Sender, bounded};
use socket2::{SockRef, Socket};

use crate::net::interrupt::shut_down_and_wake;

use crate::codec::framing::{DEFAULT_MAX_FRAME, Framer, Framing};
use crate::codec::websocket::{self, Opcode, close_payload};
use crate::error::Error;
use crate::net::ClientId;
use crate::net::answers::Answers;
use crate::net::budget::Usage;
use crate::net::direct_write::DirectWrite;
use crate::net::direct_write::send_if_room;
use crate::net::emitter::Emitter;
use crate::net::event::{CloseReason, EventKind};
use crate::net::outbox::{OUTBOX_CAPACITY, Outbox, Outgoing, Refused};
use crate::net::read_batch::ReadBatch;
use crate::net::reader::{ReadBuffer, Reader, close_reason};
use crate::net::reader_websocket::WebSocketReading;
use crate::net::session::Shared;
use crate::net::stats::Counters;
use crate::net::stoppable::{Stop, Stoppable, wait_any};
use crate::net::tcp_options::TcpOptions;
use crate::net::tls::Wire;
use crate::net::websocket::{Role, WebSocketLink};
use crate::net::writer::Writer;

pub(crate) struct Connection {
    pub peer: SocketAddr,
    socket: Arc<Socket>,
    outbox: Arc<Outbox>,
    usage: Arc<Usage>,
    client: Option<ClientId>,
    shared: Arc<Shared>,
    /// Holds the reader back until the owner has reported the connection (dropped to release,
    /// or given the other end's queue in a relay).
    gate: Option<Sender<Arc<Outbox>>>,
    /// A relay's connection to its target, published apart from its clients' connections.
    to_relay_target: bool,
    ending: Arc<Ending>,
    /// Wakes a reader that waits for the writer to end (after the peer's FIN under half-close,
    /// or for a WebSocket close's answer) so the connection can end.
    hangup: Sender<()>,
    /// Under TLS, the real socket the pump writes to (the connection's own is a loopback pair).
    wire: Option<Wire>,
    /// A WebSocket connection's end.
    websocket: Option<Role>,
    threads: Vec<Stoppable>,
}

/// How the connection is being ended; shared by its two threads and its handle.
#[derive(Default)]
pub(crate) struct Ending {
    /// Closed from this side (disconnect, reset or stop), not by the peer: a stop, so a
    /// producer waiting for room in the other end's queue (a relay) wakes.
    pub here: Stop,
    /// With RST: the sending side must not be shut down while that would send FIN.
    pub reset: AtomicBool,
    /// The writer is inside a write, which blocks while the peer does not read.
    pub writing: AtomicBool,
    /// Held by the writer while it writes a message, so a WebSocket close frame written on
    /// the closing thread never lands inside another frame.
    pub write_lock: std::sync::Mutex<()>,
    /// A WebSocket close frame was written as the connection was closed here: the reader
    /// says so as it ends (the closing thread must not wait for room to say it). Held while
    /// the frame is written (a write that never waits), so a reader that ends meanwhile, on
    /// the peer's answer to it, reads what the write did.
    said_goodbye: std::sync::Mutex<bool>,
    /// Why the writer gave up on the peer (a send timeout, a failed write).
    writer_failed: std::sync::Mutex<Option<Error>>,
    /// Which end of the connection's threads ended first (`NOBODY`, `READER`, `WRITER`): the
    /// first one's reason is the close's.
    first_to_end: std::sync::atomic::AtomicU8,
    /// A write met the peer's reset, and so took it from the socket: a read after it sees
    /// only an end of stream.
    peer_reset: AtomicBool,
    /// Signalled as the writer ends (or its thread unwinds).
    writer_ended: Stop,
    /// Signalled when a write failed: the connection carries nothing more, the reader reads
    /// no more, and its waits for room (toward a relay's other end, for an echo) end.
    pub broken: Stop,
    /// The peer's FIN closes the connection: a write the shutdown cuts short, and what the
    /// writer then drops, is counted in `unsent_at_fin`, said with what was still queued, not
    /// as an error of its own.
    pub closing_at_fin: AtomicBool,
    /// Bytes to the peer the writer dropped as the peer's FIN closed the connection.
    pub unsent_at_fin: std::sync::atomic::AtomicUsize,
}

/// Signals [`Ending::writer_ended`] when the writer's thread ends, however it ends.
struct WriterEnded(Arc<Ending>);

impl Drop for WriterEnded {
    fn drop(&mut self) {
        self.0.writer_ended.signal();
    }
}

const NOBODY: u8 = 0;
const READER: u8 = 1;
const WRITER: u8 = 2;

impl Ending {
    /// The writer gave up on the peer with `error`. Kept before the race for first is run, so
    /// a reader that loses it finds the reason.
    pub fn writer_gave_up(&self, error: Error) {
        *self
            .writer_failed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(error);
        let _ =
            self.first_to_end
                .compare_exchange(NOBODY, WRITER, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// The reader's read has ended: true if it ended first (its reason is the close's),
    /// false if the writer had given up before (the reader then only saw its shutdown).
    fn reader_first(&self) -> bool {
        self.first_to_end
            .compare_exchange(NOBODY, READER, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// A write (the writer's or a producer's) failed with `err`: a reset it took from the
    /// socket is kept for the reader, which then sees only an end of stream, and the
    /// connection is broken. (On Windows an aborted connection is a failure here, as the
    /// reader says it too.)
    pub fn note_write_error(&self, err: &std::io::Error) {
        use std::io::ErrorKind::{ConnectionAborted, ConnectionReset};
        let reset = match err.kind() {
            ConnectionReset => true,
            ConnectionAborted => !cfg!(windows),
            _ => false,
        };
        if reset {
            self.peer_reset.store(true, Ordering::Release);
            self.broken.signal();
        }
    }

    /// Why the writer gave up, once.
    fn take_writer_failure(&self) -> Option<Error> {
        self.writer_failed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    /// The close as the peer ended it: an end of stream the reader saw after the writer had
    /// met the peer's reset is that reset. Call once the socket is shut down and the queue
    /// closed, so the writer ends at once.
    fn as_the_writer_found_it(&self, reason: CloseReason, stop: &Receiver<()>) -> CloseReason {
        if reason != CloseReason::PeerClosed {
            return reason;
        }
        wait_any(&[self.writer_ended.receiver(), stop]);
        match self.peer_reset.load(Ordering::Acquire) {
            true => CloseReason::Reset,
            false => reason,
        }
    }
}

/// What a connection runs over: its socket (under TLS, the loopback pair's end), the TLS pump's
/// hold on the real socket, and, for WebSocket, what its handshake left.
pub(crate) struct Link {
    pub socket: Socket,
    pub wire: Option<Wire>,
    pub websocket: Option<WebSocketLink>,
}

impl Link {
    pub fn plain(socket: Socket) -> Link {
        Link {
            socket,
            wire: None,
            websocket: None,
        }
    }
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
    /// The connections are a relay's to its target (each named by its pair's client id).
    pub to_relay_target: bool,
}

impl Connection {
    /// Starts the writer, and the reader held until [`Connection::release_reader`], so nothing
    /// is reported before the owner reports the connection itself. The writer is published in
    /// the session's writers at once, so sends from the session handle go straight to it.
    /// `counters` count this connection's traffic (the session's totals are counted too).
    pub fn start(
        Link {
            socket,
            wire,
            websocket,
        }: Link,
        client: Option<ClientId>,
        peer: SocketAddr,
        counters: Arc<Counters>,
        owner: &Owner,
    ) -> Result<Connection, Error> {
        // Best effort: a socket that refuses an option still works.
        let options = &owner.options;
        let _ = socket.set_tcp_nodelay(options.nodelay);
        let _ = socket.set_keepalive(options.keepalive);
        let _ = socket.set_write_timeout(options.send_timeout);
        if let Some(wire) = &wire {
            wire.set_options(options.nodelay, options.keepalive, options.send_timeout);
        }
        let socket = Arc::new(socket);
        let ending = Arc::new(Ending::default());
        let budget = owner.shared.budget.clone();
        let usage = budget.join(Some(socket.clone()));
        let role = websocket.as_ref().map(|link| link.role);
        // A WebSocket message goes out framed, by the writer alone.
        let direct = DirectWrite::if_supported(
            socket.clone(),
            counters.clone(),
            owner.shared.clone(),
            (owner.emitter.clone(), ending.clone()),
            (client, peer),
        )
        .filter(|_| role.is_none());
        let outbox = Arc::new(Outbox::new(
            OUTBOX_CAPACITY,
            peer,
            budget.clone(),
            usage.clone(),
            direct,
        ));
        let (gate_tx, gate_rx) = bounded::<Arc<Outbox>>(1);
        // One slot: whoever ends the connection first (writer or `close`) leaves a token.
        let (hangup_tx, hangup_rx) = bounded::<()>(1);

        let writer = {
            let writer = Writer {
                socket: socket.clone(),
                outbox: outbox.clone(),
                ending: ending.clone(),
                counters: counters.clone(),
                shared: owner.shared.clone(),
                emitter: owner.emitter.clone(),
                client,
                peer,
                send_timeout: owner.options.send_timeout,
                websocket: role,
            };
            let hangup = hangup_tx.clone();
            let ended = WriterEnded(ending.clone());
            Stoppable::spawn_on("tcp-writer", owner.emitter.stop(), move |_| {
                writer.write_until_closed();
                drop(ended);
                let _ = hangup.try_send(());
            })
        };
        let writer = match writer {
            Ok(writer) => writer,
            Err(err) => {
                budget.leave(&usage);
                return Err(err);
            }
        };

        let reader = {
            let (socket, ending, outbox) = (socket.clone(), ending.clone(), outbox.clone());
            let hangup_back = hangup_tx.clone();
            let (emitter, shared, finished) = (
                owner.emitter.clone(),
                owner.shared.clone(),
                owner.finished.clone(),
            );
            // A WebSocket message is its frames: no framing of the stream besides.
            let framing = match role {
                Some(_) => Framing::Raw,
                None => owner.options.framing.clone(),
            };
            let framer = Framer::new(framing, DEFAULT_MAX_FRAME);
            let websocket = websocket.map(|link| WebSocketReading::new(link, budget.limit()));
            let (half_close, idle_timeout) = (owner.options.half_close, owner.options.idle_timeout);
            let usage = usage.clone();
            let tls_failure = wire.as_ref().map(Wire::failure);
            let stop = emitter.stop().clone();
            Stoppable::spawn_on("tcp-reader", &stop, move |_| {
                // Returns when the owner releases the gate: dropped, or with a relay's other end.
                let forward = gate_rx.recv().ok();
                let mut reader = Reader {
                    socket: &socket,
                    client,
                    peer,
                    counters: &counters,
                    shared: &shared,
                    emitter: &emitter,
                    framer,
                    usage: &usage,
                    outbox: &outbox,
                    ending: &ending,
                    idle_timeout,
                    answers: Answers::default(),
                    batch: ReadBatch::new(&emitter, client),
                    forward,
                    websocket,
                    buffer: ReadBuffer::new(),
                };
                let mut reason = reader.read_until_closed();
                reader.let_go_of_buffers();
                // A WebSocket close under way: the socket is shut down below only once its
                // answer is out (or the closing wait ran out).
                reader.wait_for_the_close_answer((&hangup_back, &hangup_rx));
                // A writer that gave up on the peer first shut the socket down, which the
                // read took for the peer's end: the writer's reason is the close's.
                if !ending.reader_first()
                    && let Some(error) = ending.take_writer_failure()
                {
                    reason = CloseReason::Failed(error);
                }
                // The close is the budget's (whatever the read or the writer met after its
                // shutdown), so no FIN is passed on or waited after.
                if usage.was_evicted() {
                    reason = CloseReason::Failed(Error::OverBudget {
                        limit: shared.budget.limit(),
                        held: usage.held_at_eviction(),
                    });
                }
                // After a write that failed (the peer's reset, taken by the write) the end of
                // stream is no FIN: none is passed on, and nothing can go out (no half-close).
                let peer_finished =
                    reason == CloseReason::PeerClosed && !ending.broken.is_stopped();
                if peer_finished && let Some(other_end) = &reader.forward {
                    // A relay passes the FIN on once the bytes before it are written.
                    other_end.finish();
                }
                if peer_finished && half_close && !ending.here.is_stopped() {
                    let _ = socket.shutdown(Shutdown::Read);
                    emitter.emit(EventKind::PeerFinished { client, peer });
                    // Sends still go out until the writer fails or the connection is closed.
                    let _ = hangup_rx.recv();
                    // The peer ended first; a write that failed after is said as an error.
                    if let Some(error) = ending.take_writer_failure() {
                        emitter.emit(EventKind::Error { client, error });
                    }
                    if let Some(error) = socket.take_error().ok().flatten() {
                        reason = close_reason(&error, peer);
                    }
                }
                let reset = ending.reset.load(Ordering::Acquire);
                let reason = if reset {
                    CloseReason::ResetHere
                } else if ending.here.is_stopped() && !matches!(reason, CloseReason::Failed(_)) {
                    // A connection that failed before the stop (a WebSocket peer refused with
                    // 1002 or 1009, then closed during its closing wait) says why it failed.
                    CloseReason::ClosedHere
                } else if let Some(problem) = tls_failure.and_then(|failure| failure.take()) {
                    CloseReason::Failed(Error::TlsHandshake { peer, problem })
                } else {
                    reason
                };
                // The peer's FIN closes the connection (no half-close): what is still to send
                // to it is dropped, and said. (A WebSocket connection ends on its close frames,
                // and a broken one on what its writer met.)
                let at_fin = peer_finished && !half_close && role.is_none();
                ending.closing_at_fin.store(at_fin, Ordering::Release);
                // Wakes a writer blocked on a peer that stopped reading (after a reset the
                // socket's close does that, and a shutdown would send FIN first).
                if !reset {
                    shut_down_and_wake(SockRef::from(&*socket), Shutdown::Both);
                }
                let dropped = outbox.close();
                let reason = ending.as_the_writer_found_it(reason, emitter.stop().receiver());
                let unsent = dropped + ending.unsent_at_fin.load(Ordering::Acquire);
                if at_fin && reason == CloseReason::PeerClosed && unsent > 0 {
                    let error = Error::UnsentAtFin { peer, unsent };
                    emitter.emit(EventKind::Error { client, error });
                }
                if *ending
                    .said_goodbye
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                {
                    emitter.emit(EventKind::WebSocketControl {
                        client,
                        peer,
                        sent: true,
                        opcode: Opcode::Close,
                        payload: close_payload(1000, ""),
                    });
                }
                let _ = finished.send((client, reason));
            })
        };
        let reader = match reader {
            Ok(reader) => reader,
            Err(err) => {
                outbox.close();
                writer.wait();
                budget.leave(&usage);
                return Err(err);
            }
        };

        match (owner.to_relay_target, client) {
            (true, Some(id)) => drop(owner.shared.relay_targets().insert(id, outbox.clone())),
            _ => drop(owner.shared.outboxes().insert(client, outbox.clone())),
        }
        Ok(Connection {
            peer,
            socket,
            outbox,
            usage,
            client,
            shared: owner.shared.clone(),
            gate: Some(gate_tx),
            to_relay_target: owner.to_relay_target,
            ending,
            hangup: hangup_tx,
            wire,
            websocket: role,
            threads: vec![reader, writer],
        })
    }

    /// Lets the reader start, once the owner has reported the connection.
    pub fn release_reader(&mut self) {
        self.gate = None;
    }

    /// Lets the reader start, passing on what it reads to `other_end`'s peer (a relay).
    pub fn release_relaying_to(&mut self, other_end: &Connection) {
        if let Some(gate) = self.gate.take() {
            // One slot, and only this send: it cannot be full.
            let _ = gate.try_send(other_end.outbox.clone());
        }
    }

    /// Queues a message from the control thread, which must not wait: refused whole when the
    /// peer is not reading.
    pub fn send(&self, message: Outgoing) -> Result<(), Error> {
        self.outbox
            .try_push(message)
            .map_err(|refused| match refused {
                Refused::Full(waiting) => Error::PeerNotReading {
                    peer: self.peer,
                    waiting,
                },
                Refused::Closed => Error::NotConnected,
            })
    }

    /// Closes the connection from this side; the reader then reports `ClosedHere`. A
    /// WebSocket connection says goodbye first (a close frame, 1000) when that takes no wait.
    pub fn close(&self) {
        self.ending.here.signal();
        if let Some(role) = self.websocket {
            self.say_goodbye(role);
        }
        shut_down_and_wake(SockRef::from(&*self.socket), Shutdown::Both);
        if let Some(wire) = &self.wire {
            wire.cut();
        }
        self.outbox.close();
        let _ = self.hangup.try_send(());
    }

    /// Writes a close frame (code 1000) on this thread if that needs no wait: the writer is
    /// not inside a write and the socket takes it at once.
    fn say_goodbye(&self, role: Role) {
        let Ok(_no_writer) = self.ending.write_lock.try_lock() else {
            return;
        };
        let frame = websocket::frame(Opcode::Close, &close_payload(1000, ""), role.mask());
        let mut said = (self.ending.said_goodbye.lock()).unwrap_or_else(PoisonError::into_inner);
        *said = send_if_room(&self.socket, &frame) == Some(frame.len());
    }

    /// Closes with RST instead of FIN: linger 0, and the socket's close, once the threads are
    /// joined, sends the RST. The reader is woken by shutting only the receiving side; the
    /// sending side is shut too only when the writer is stuck on a peer that does not read,
    /// and then the FIN waits behind unsent data that the RST throws away.
    pub fn reset(&self) {
        self.ending.reset.store(true, Ordering::Release);
        self.ending.here.signal();
        let _ = self.socket.set_linger(Some(std::time::Duration::ZERO));
        let side = if self.ending.writing.load(Ordering::Acquire) {
            Shutdown::Both
        } else {
            Shutdown::Read
        };
        shut_down_and_wake(SockRef::from(&*self.socket), side);
        if let Some(wire) = &self.wire {
            wire.cut();
        }
        self.outbox.close();
        let _ = self.hangup.try_send(());
    }

    /// Waits for both threads. Call after [`Connection::close`] or after the reader finished.
    pub fn join(mut self) {
        self.gate = None;
        match (self.to_relay_target, self.client) {
            (true, Some(id)) => drop(self.shared.relay_targets().remove(&id)),
            _ => drop(self.shared.outboxes().remove(&self.client)),
        }
        self.outbox.close();
        for thread in self.threads.drain(..) {
            thread.wait();
        }
        // Closed here, TLS says its close_notify before the session can end (a reset goes
        // out at once). After a peer's own close the pump is not waited for: under wss the
        // answer to a WebSocket close may still be in it if the process ends at once.
        if let Some(wire) = self.wire.take()
            && self.ending.here.is_stopped()
            && !self.ending.reset.load(Ordering::Acquire)
        {
            wire.finish();
        }
        self.shared.budget.leave(&self.usage);
    }
}
