//! One TCP connection: a reader thread and a writer thread over one socket. Used for the TCP
//! client's connection and for each client a TCP server accepts.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, bounded};
use socket2::Socket;

use crate::codec::framing::{DEFAULT_MAX_FRAME, FrameTooLong, Framer};
use crate::error::Error;
use crate::net::ClientId;
use crate::net::answers::{Answer, Answers};
use crate::net::budget::Usage;
use crate::net::direct_write::{DONT_WAIT, DirectWrite};
use crate::net::emitter::Emitter;
use crate::net::event::{CloseReason, EventKind, Message};
use crate::net::outbox::{OUTBOX_CAPACITY, Outbox, Outgoing, Refused};
use crate::net::read_batch::ReadBatch;
use crate::net::session::{Shared, spawn_worker};
use crate::net::stats::Counters;
use crate::net::tcp_options::TcpOptions;

/// Size of one read: one read is one `Message` of a `Received` event.
const READ_CHUNK: usize = 64 * 1024;

pub(crate) struct Connection {
    pub peer: SocketAddr,
    socket: Arc<Socket>,
    outbox: Arc<Outbox>,
    usage: Arc<Usage>,
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
        let _ = socket.set_write_timeout(owner.options.send_timeout);
        let socket = Arc::new(socket);
        let ending = Arc::new(Ending::default());
        let budget = owner.shared.budget.clone();
        let usage = budget.join(Some(socket.clone()));
        let direct = DirectWrite::if_supported(
            socket.clone(),
            counters.clone(),
            owner.shared.clone(),
            owner.emitter.clone(),
            (client, peer),
        );
        let outbox = Arc::new(Outbox::new(
            OUTBOX_CAPACITY,
            peer,
            budget.clone(),
            usage.clone(),
            direct,
        ));
        let (gate_tx, gate_rx) = bounded::<()>(0);
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
            };
            let hangup = hangup_tx.clone();
            spawn_worker("tcp-writer", move || {
                writer.write_until_closed();
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
            let (emitter, shared, finished) = (
                owner.emitter.clone(),
                owner.shared.clone(),
                owner.finished.clone(),
            );
            let framer = Framer::new(owner.options.framing.clone(), DEFAULT_MAX_FRAME);
            let (half_close, idle_timeout) = (owner.options.half_close, owner.options.idle_timeout);
            let usage = usage.clone();
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
                    usage: &usage,
                    outbox: &outbox,
                    ending: &ending,
                    idle_timeout,
                    answers: Answers::default(),
                    batch: ReadBatch::new(&emitter, client),
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
                } else if usage.was_evicted() {
                    CloseReason::Failed(Error::OverBudget {
                        limit: shared.budget.limit(),
                        held: usage.held_at_eviction(),
                    })
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
                outbox.close();
                let _ = finished.send((client, reason));
            })
        };
        let reader = match reader {
            Ok(reader) => reader,
            Err(err) => {
                outbox.close();
                let _ = writer.join();
                budget.leave(&usage);
                return Err(err);
            }
        };

        owner.shared.outboxes().insert(client, outbox.clone());
        Ok(Connection {
            peer,
            socket,
            outbox,
            usage,
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

    /// Closes the connection from this side; the reader then reports `ClosedHere`.
    pub fn close(&self) {
        self.ending.here.store(true, Ordering::Release);
        let _ = self.socket.shutdown(Shutdown::Both);
        self.outbox.close();
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
        self.outbox.close();
        let _ = self.hangup.try_send(());
    }

    /// Waits for both threads. Call after [`Connection::close`] or after the reader finished.
    pub fn join(mut self) {
        self.gate = None;
        self.shared.outboxes().remove(&self.client);
        self.outbox.close();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        self.shared.budget.leave(&self.usage);
    }
}

/// A connection's writing side: takes messages from the outbox and writes each whole.
struct Writer {
    socket: Arc<Socket>,
    outbox: Arc<Outbox>,
    ending: Arc<Ending>,
    counters: Arc<Counters>,
    shared: Arc<Shared>,
    emitter: Emitter,
    client: Option<ClientId>,
    peer: SocketAddr,
    send_timeout: Option<Duration>,
}

impl Writer {
    /// Each message is reported (`Sent`) as its write starts, so the report comes before
    /// anything the peer sends in answer; a write that fails says how much went out.
    fn write_until_closed(&self) {
        let (client, peer) = (self.client, self.peer);
        while let Some(Outgoing {
            data,
            progress,
            reported,
            _ticket: ticket,
        }) = self.outbox.pop()
        {
            let len = data.len();
            if self.ending.reset.load(Ordering::Acquire) {
                self.outbox.written(len);
                break;
            }
            // The rest of a message begun on its producer's thread was reported then.
            let reported = reported || {
                self.counters.add_tx(len);
                self.shared.counters.add_tx(len);
                self.emitter.emit(EventKind::Sent {
                    client,
                    peer,
                    data: data.clone(),
                })
            };
            self.ending.writing.store(true, Ordering::Release);
            let written = write_fully(&self.socket, &data);
            self.ending.writing.store(false, Ordering::Release);
            self.outbox.written(len);
            drop(ticket);
            if let Err((sent, err)) = written {
                // The `Sent` row came as the write started: say how much of it went out.
                let error = if self.ending.here.load(Ordering::Acquire) {
                    Error::SendFailed {
                        peer,
                        sent,
                        len,
                        message: "the connection was closed here during the write".to_string(),
                    }
                } else {
                    match (err.kind(), self.send_timeout) {
                        (io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut, Some(limit)) => {
                            Error::SendTimeout {
                                peer,
                                millis: limit.as_millis() as u64,
                                sent,
                                len,
                            }
                        }
                        _ => Error::SendFailed {
                            peer,
                            sent,
                            len,
                            message: crate::error::describe_io(&err),
                        },
                    }
                };
                self.emitter.emit(EventKind::Error { client, error });
                let _ = self.socket.shutdown(Shutdown::Both);
                break;
            }
            if let Some(progress) = progress {
                progress.fetch_add(len as u64, Ordering::Relaxed);
            }
            if !reported {
                break;
            }
        }
    }
}

/// Writes all of `data`; on failure, how many bytes went out before it.
fn write_fully(mut socket: &Socket, data: &[u8]) -> Result<(), (usize, io::Error)> {
    let mut sent = 0;
    while sent < data.len() {
        match socket.write(&data[sent..]) {
            Ok(0) => return Err((sent, io::ErrorKind::WriteZero.into())),
            Ok(n) => sent += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err((sent, err)),
        }
    }
    Ok(())
}

/// A connection's reading side: reads, applies the framing, reports each message, and answers
/// it (echo, auto-reply) on this side, so a reply waits for room in the outbox and a peer that
/// does not read what we answer is slowed by TCP flow control.
struct Reader<'a> {
    socket: &'a Socket,
    client: Option<ClientId>,
    peer: SocketAddr,
    counters: &'a Counters,
    shared: &'a Arc<Shared>,
    emitter: &'a Emitter,
    framer: Framer,
    usage: &'a Usage,
    outbox: &'a Arc<Outbox>,
    ending: &'a Ending,
    idle_timeout: Option<Duration>,
    answers: Answers,
    /// Messages read but not yet reported.
    batch: ReadBatch<'a>,
}

impl Reader<'_> {
    fn read_until_closed(&mut self) -> CloseReason {
        let reason = self.read_and_report();
        // What came before the end is reported before it.
        self.send_batch();
        reason
    }

    fn read_and_report(&mut self) -> CloseReason {
        let idle_gap = self.framer.framing().idle_gap();
        let mut last_heard = Instant::now();
        loop {
            let result = match DONT_WAIT.filter(|_| self.batch.read_on(READ_CHUNK)) {
                // The consumer is busy: take what has arrived into the batch, and send the
                // batch once nothing more is there.
                Some(dont_wait) => match recv_owned(self.socket, dont_wait) {
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                        if self.send_batch() {
                            continue;
                        }
                        return CloseReason::ClosedHere;
                    }
                    result => result,
                },
                None => {
                    if !self.send_batch() {
                        return CloseReason::ClosedHere;
                    }
                    // A read waits at most the framing's idle gap while a message is
                    // pending, and at most until the idle timeout.
                    let gap = idle_gap.filter(|_| self.framer.has_pending());
                    let idle_left = self
                        .idle_timeout
                        .map(|limit| limit.saturating_sub(last_heard.elapsed()));
                    let wait = match (gap, idle_left) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    // Zero would mean "no timeout" to the OS.
                    let _ = self
                        .socket
                        .set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))));
                    recv_owned(self.socket, 0)
                }
            };
            let reason = match result {
                Ok(chunk) if chunk.is_empty() => CloseReason::PeerClosed,
                Ok(chunk) => {
                    last_heard = Instant::now();
                    if self.take(chunk) {
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
                    if let Some(limit) = self.idle_timeout
                        && last_heard.elapsed() >= limit
                    {
                        CloseReason::Failed(Error::IdleTimeout {
                            peer: self.peer,
                            millis: limit.as_millis() as u64,
                        })
                    } else if self.flush() {
                        continue;
                    } else {
                        return CloseReason::ClosedHere;
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => close_reason(&err, self.peer),
            };
            // A partial message at the end is still what the peer sent: report it (unless the
            // budget closed the connection for holding too much; the close says how much).
            if !self.usage.was_evicted() {
                self.flush();
            }
            return reason;
        }
    }

    /// Counts, captures and frames one read. False when nobody reads events.
    fn take(&mut self, chunk: Vec<u8>) -> bool {
        let n = chunk.len();
        self.counters.add_rx(n, 0);
        self.shared.counters.add_rx(n, 0);
        if let Err(error) = self.shared.capture(&chunk) {
            let client = self.client;
            self.emit(EventKind::Error { client, error });
        }
        let before = self.framer.pending_len();
        let frames = self.framer.push(chunk);
        self.account(before);
        frames.into_iter().all(|frame| self.deliver(frame))
    }

    /// Charges the session's budget for what the framer holds now compared with `before`.
    fn account(&self, before: usize) {
        let after = self.framer.pending_len();
        let budget = &self.shared.budget;
        if after > before {
            budget.charge(self.usage, after - before);
        } else {
            budget.release(self.usage, before - after);
        }
    }

    /// Reports what the framer holds as one message. False when nobody reads events.
    fn flush(&mut self) -> bool {
        let before = self.framer.pending_len();
        let frame = self.framer.flush();
        self.account(before);
        match frame {
            Some(frame) => self.deliver(Ok(frame)),
            None => true,
        }
    }

    /// Adds a message to the batch, or reports a frame too long. False when nobody reads
    /// events.
    fn deliver(&mut self, frame: Result<Vec<u8>, FrameTooLong>) -> bool {
        match frame {
            Ok(data) => {
                self.counters.add_rx(0, 1);
                self.shared.counters.add_rx(0, 1);
                let replies = self.answers.replies(self.shared, &data, true);
                self.batch.push(Message::now(self.peer, data), replies);
                true
            }
            Err(FrameTooLong { len, max }) => self.emit(EventKind::Error {
                client: self.client,
                error: Error::FrameTooLong { len, max },
            }),
        }
    }

    /// Reports an event after the messages read before it. False when nobody reads events.
    fn emit(&mut self, kind: EventKind) -> bool {
        self.send_batch() && self.emitter.emit(kind)
    }

    /// Reports the batch, then queues its answers. False when nobody reads events.
    fn send_batch(&mut self) -> bool {
        match self.batch.send() {
            Some(answers) => answers.into_iter().all(|(_, answer)| self.answer(answer)),
            None => false,
        }
    }

    /// Queues the replies on this connection, waiting for room: while the peer does not read,
    /// this reader does not read either. False only when nobody reads events.
    fn answer(&self, answer: Answer) -> bool {
        let closing = || self.ending.here.load(Ordering::Acquire) || self.emitter.is_stopping();
        for (data, ticket) in answer.now {
            let message = Outgoing::new(data, None, ticket);
            if self.outbox.push_wait(message, &closing).is_err() {
                return true;
            }
        }
        if let Some((delay, data, ticket)) = answer.later {
            let message = Outgoing::new(data, None, ticket);
            let outbox = self.outbox.clone();
            let job = Box::new(move || {
                // A connection that closes meanwhile gives the reply back: it is dropped.
                let _ = outbox.push_wait(message, &|| false);
            });
            if let Err(error) = self.shared.schedule(Instant::now() + delay, job) {
                // The batch this answers was sent already.
                return self.emitter.emit(EventKind::Error {
                    client: self.client,
                    error,
                });
            }
        }
        true
    }
}

/// One read into a buffer of its own, so the bytes move into the event and the log's row
/// without another copy. A full read is moved as it is; a short one is shrunk to its length
/// (the allocator may move it: at most one copy of the bytes read).
fn recv_owned(socket: &Socket, flags: i32) -> io::Result<Vec<u8>> {
    let mut chunk = Vec::with_capacity(READ_CHUNK);
    let n = socket.recv_with_flags(chunk.spare_capacity_mut(), flags)?;
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
