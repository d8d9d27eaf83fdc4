//! A connection's reading side: reads, frames, reports each message, and answers it (echo,
//! auto-reply) or, in a relay, passes it on to the other end.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use socket2::Socket;

use crate::codec::framing::{FrameTooLong, Framer};
use crate::codec::websocket::Opcode;
use crate::error::Error;
use crate::net::ClientId;
use crate::net::answers::{Answer, Answers};
use crate::net::budget::Usage;
use crate::net::connection::Ending;
use crate::net::direct_write::DONT_WAIT;
use crate::net::emitter::Emitter;
use crate::net::event::{CloseReason, EventKind, Message};
use crate::net::outbox::{Outbox, Outgoing, Refused, Ticket};
use crate::net::read_batch::ReadBatch;
use crate::net::reader_websocket::WebSocketReading;
use crate::net::session::Shared;
use crate::net::stats::Counters;

/// Size of one read: one read is one `Message` of a `Received` event.
const READ_CHUNK: usize = 64 * 1024;

/// A connection's reading side: reads, applies the framing, reports each message, and answers
/// it (echo, auto-reply) on this side, so a reply waits for room in the outbox and a peer that
/// does not read what we answer is slowed by TCP flow control.
pub(crate) struct Reader<'a> {
    pub socket: &'a Socket,
    pub client: Option<ClientId>,
    pub peer: SocketAddr,
    pub counters: &'a Counters,
    pub shared: &'a Arc<Shared>,
    pub emitter: &'a Emitter,
    pub framer: Framer,
    pub usage: &'a Usage,
    pub outbox: &'a Arc<Outbox>,
    pub ending: &'a Ending,
    pub idle_timeout: Option<Duration>,
    pub answers: Answers,
    /// Messages read but not yet reported.
    pub batch: ReadBatch<'a>,
    /// In a relay: the other end's queue, where every message read here is passed on.
    pub forward: Option<Arc<Outbox>>,
    /// A WebSocket connection: its frames are read instead of framing the stream.
    pub websocket: Option<WebSocketReading>,
    pub buffer: ReadBuffer,
}

impl Reader<'_> {
    pub fn read_until_closed(&mut self) -> CloseReason {
        let reason = if self.take_leftover() {
            self.read_and_report()
        } else {
            CloseReason::ClosedHere
        };
        // What came before the end is reported before it.
        self.send_batch();
        self.websocket_close().unwrap_or(reason)
    }

    fn read_and_report(&mut self) -> CloseReason {
        let idle_gap = self.framer.framing().idle_gap();
        let mut last_heard = Instant::now();
        // The read timeout last given to the socket (None: not given yet).
        let mut timeout_set: Option<Option<Duration>> = None;
        loop {
            if self.shared.budget.is_over() && !self.wait_for_room() {
                return CloseReason::ClosedHere;
            }
            // Closed here or by the budget, or broken by a write that failed (the writer shut
            // the socket down): what is queued stays unread, so the socket's close resets a
            // peer that still sends. Reads after the shutdown would take its bytes without
            // opening its window again, and a peer stalled on a full window would then wait
            // out the kernel's FIN timeout, a minute and more, before it heard.
            if let Some(reason) = self.reads_no_more() {
                return self.end_with(reason);
            }
            let result = match DONT_WAIT.filter(|_| self.batch.read_on(READ_CHUNK)) {
                // The consumer is busy: take what has arrived into the batch, and send the
                // batch once nothing more is there.
                Some(dont_wait) => match self.buffer.recv(self.socket, dont_wait) {
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
                    // Closed while the batch waited for the consumer: no read after it.
                    if self.reads_no_more().is_some() {
                        continue;
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
                    let wait = wait.map(|w| w.max(Duration::from_millis(1)));
                    // A system call per read only when the limit changes (never, without
                    // an idle gap or timeout).
                    if timeout_set != Some(wait) {
                        let _ = self.socket.set_read_timeout(wait);
                        timeout_set = Some(wait);
                    }
                    self.buffer.recv(self.socket, 0)
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
                // Closed here: the close woke this read (on Windows by cancelling it, which
                // reads as a timeout), so it must not read again.
                Err(_) if self.ending.here.is_stopped() => CloseReason::ClosedHere,
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
                    } else if self.usage.was_evicted() || self.flush() {
                        // (Evicted on Windows, where the budget's wake reads as a timeout: the
                        // next turn ends it, holding back what it held.)
                        continue;
                    } else {
                        return CloseReason::ClosedHere;
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => close_reason(&err, self.peer),
            };
            return self.end_with(reason);
        }
    }

    /// Why the connection reads no more, if it does not: closed here or by the budget, or
    /// broken by a write that failed (whose close says what the writer met).
    fn reads_no_more(&self) -> Option<CloseReason> {
        if self.ending.here.is_stopped() || self.usage.was_evicted() {
            Some(CloseReason::ClosedHere)
        } else if self.ending.broken.is_stopped() {
            Some(CloseReason::PeerClosed)
        } else {
            None
        }
    }

    /// The read ends with `reason`. A partial message at the end is still what the peer sent:
    /// it is reported (unless the budget closed the connection for holding too much; the
    /// close says how much).
    fn end_with(&mut self, reason: CloseReason) -> CloseReason {
        if !self.usage.was_evicted() {
            self.flush();
        }
        reason
    }

    /// Reports what was read, then reads no more until connections the budget closed have
    /// freed what they held (or this one is closed; the next read then ends it). False when
    /// nobody reads events.
    fn wait_for_room(&mut self) -> bool {
        if !self.send_batch() {
            return false;
        }
        self.shared
            .budget
            .wait_for_room(self.usage, &self.closing_signals());
        true
    }

    /// What ends this reader's waits for room: closed here or by the memory budget, a write
    /// that failed (the peer reset, say), or the session stopping.
    pub(crate) fn closing_signals(&self) -> [&Receiver<()>; 4] {
        [
            self.ending.here.receiver(),
            self.usage.eviction(),
            self.ending.broken.receiver(),
            self.emitter.stop().receiver(),
        ]
    }

    /// Nothing more is read: the buffers need not wait with the connection (a connection
    /// the budget closed frees its memory now, as the others' readers wait for that).
    pub(crate) fn let_go_of_buffers(&mut self) {
        self.buffer = ReadBuffer::new();
        let before = self.pending_len();
        self.framer.forget_pending();
        if let Some(ws) = self.websocket.as_mut() {
            ws.forget_pending();
        }
        self.account(before);
    }

    /// Counts, captures and frames one read. False when nobody reads events.
    pub(crate) fn take(&mut self, chunk: Vec<u8>) -> bool {
        // A WebSocket connection counts its messages' payloads, as it does what it sends
        // (frame headers and control frames are not the session's data).
        if self.websocket.is_none() {
            self.counters.add_rx(chunk.len(), 0);
            self.shared.counters.add_rx(chunk.len(), 0);
        }
        if let Err(error) = self.shared.capture(&chunk, self.emitter.stop()) {
            let client = self.client;
            self.emit(EventKind::Error { client, error });
        }
        if self.websocket.is_some() {
            return self.take_frames(&chunk);
        }
        let before = self.pending_len();
        let frames = self.framer.push(chunk);
        self.account(before);
        frames.into_iter().all(|frame| self.deliver(frame, None))
    }

    /// Bytes read and held until their message is whole.
    pub(crate) fn pending_len(&self) -> usize {
        self.framer.pending_len() + self.websocket.as_ref().map_or(0, |ws| ws.pending_len())
    }

    /// Charges the session's budget for what is held now compared with `before`.
    pub(crate) fn account(&self, before: usize) {
        let after = self.pending_len();
        let budget = &self.shared.budget;
        if after > before {
            budget.charge(self.usage, after - before);
        } else {
            budget.release(self.usage, before - after);
        }
    }

    /// Reports what the framer holds as one message. False when nobody reads events.
    fn flush(&mut self) -> bool {
        let before = self.pending_len();
        let frame = self.framer.flush();
        self.account(before);
        match frame {
            Some(frame) => self.deliver(Ok(frame), None),
            None => true,
        }
    }

    /// Adds a message (a WebSocket one with its opcode) to the batch, or reports a frame too
    /// long. False when nobody reads events.
    pub(crate) fn deliver(
        &mut self,
        frame: Result<Vec<u8>, FrameTooLong>,
        websocket: Option<Opcode>,
    ) -> bool {
        match frame {
            Ok(data) => {
                let bytes = if websocket.is_some() { data.len() } else { 0 };
                self.counters.add_rx(bytes, 1);
                self.shared.counters.add_rx(bytes, 1);
                let mut replies = self.answers.replies(self.shared, &data, true);
                replies.binary = websocket == Some(Opcode::Binary);
                if self.forward.is_some() {
                    replies.relay = Some((data.clone(), Ticket::new(&self.shared.in_flight)));
                }
                let message = Message {
                    websocket,
                    ..Message::now(self.peer, data)
                };
                self.batch.push(message, replies);
                true
            }
            Err(FrameTooLong { len, max }) => self.emit(EventKind::Error {
                client: self.client,
                error: Error::FrameTooLong { len, max },
            }),
        }
    }

    /// Reports an event after the messages read before it. False when nobody reads events.
    pub(crate) fn emit(&mut self, kind: EventKind) -> bool {
        self.send_batch() && self.emitter.emit(kind)
    }

    /// Reports the batch, then queues its answers. False when nobody reads events.
    fn send_batch(&mut self) -> bool {
        match self.batch.send() {
            Some(answers) => answers.into_iter().all(|(_, answer)| self.answer(answer)),
            None => false,
        }
    }

    /// Passes a relayed message on to the other end, and queues the replies on this
    /// connection, waiting for room: while either peer does not read, this reader does not
    /// read either. False only when nobody reads events.
    fn answer(&self, answer: Answer) -> bool {
        let closing = self.closing_signals();
        if let (Some((data, ticket)), Some(forward)) = (answer.relay, &self.forward) {
            let len = data.len();
            // Refused only when either end is closing: its close says what became of it.
            if forward
                .push_wait(Outgoing::relayed(data, ticket), &closing)
                .is_ok()
            {
                self.counters.add_tx(len);
                self.shared.counters.add_tx(len);
            }
        }
        let opcode = answer.binary.then_some(Opcode::Binary);
        for (data, ticket) in answer.now {
            let message = Outgoing {
                opcode,
                ..Outgoing::new(data, None, ticket)
            };
            if self.outbox.push_wait(message, &closing).is_err() {
                return true;
            }
        }
        if let Some((delay, data, ticket)) = answer.later {
            let message = Outgoing {
                opcode,
                ..Outgoing::new(data, None, ticket)
            };
            let (outbox, emitter, client) =
                (self.outbox.clone(), self.emitter.clone(), self.client);
            // The delayed replies of every connection share a thread: it never waits for one
            // peer. A reply that does not fit is refused whole, with the reason (as the
            // window's sends are); one to a connection closed meanwhile is dropped with it.
            let job = Box::new(move || {
                if let Err(Refused::Full(waiting)) = outbox.try_push(message) {
                    let peer = outbox.peer();
                    emitter.emit(EventKind::Error {
                        client,
                        error: Error::PeerNotReading { peer, waiting },
                    });
                }
            });
            let stop = self.emitter.stop();
            if let Err(error) = self.shared.schedule(Instant::now() + delay, job, stop) {
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

/// Reads of at most this many bytes are copied out of the reader's buffer, which stays for
/// the next read; longer ones take the buffer with them.
const COPIED_READ: usize = 16 * 1024;

/// Where a reader reads. A short read (a typed line, an echo, a device's reply) is copied out
/// into a vector of its own size, and the buffer is read into again: a fresh 64 KiB for every
/// read often made the allocator grow and trim its heap around it (`brk` 308 times in 2,000
/// echo round trips under `strace`, 14 times after), and with one arena other threads waited
/// on its lock meanwhile. A long read moves into the event as it is, shrunk to its length
/// (the allocator may move it: at most one copy), and the next read gets a new buffer.
pub(crate) struct ReadBuffer(Vec<u8>);

impl ReadBuffer {
    pub fn new() -> ReadBuffer {
        ReadBuffer(Vec::new())
    }

    /// One read of at most `READ_CHUNK` bytes, as a vector that holds only what was read.
    pub fn recv(&mut self, socket: &Socket, flags: i32) -> io::Result<Vec<u8>> {
        if self.0.capacity() < READ_CHUNK {
            self.0 = Vec::with_capacity(READ_CHUNK);
        }
        let n = socket.recv_with_flags(&mut self.0.spare_capacity_mut()[..READ_CHUNK], flags)?;
        // SAFETY: `recv` initialised the first `n` bytes of the spare capacity it was given.
        unsafe { self.0.set_len(n) };
        if n <= COPIED_READ {
            let chunk = self.0.to_vec();
            self.0.clear();
            return Ok(chunk);
        }
        let mut chunk = std::mem::take(&mut self.0);
        // A read short of a whole chunk should not keep a whole chunk's memory in the log.
        chunk.shrink_to_fit();
        Ok(chunk)
    }
}

pub(crate) fn close_reason(err: &io::Error, peer: SocketAddr) -> CloseReason {
    match err.kind() {
        // Windows' WSAECONNABORTED (10053) is this machine giving up the connection (often a
        // firewall or antivirus), not the peer's RST: said in words (`Error::from_winsock`).
        io::ErrorKind::ConnectionAborted if cfg!(windows) => {
            CloseReason::Failed(Error::from_io("reading from", peer, err))
        }
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => CloseReason::Reset,
        _ => CloseReason::Failed(Error::from_io("reading from", peer, err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};

    /// A connected pair on loopback: what is written to the first is read from the second.
    fn pair() -> (TcpStream, Socket) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("loopback binds");
        let writer = TcpStream::connect(listener.local_addr().expect("bound")).expect("connects");
        let (reader, _) = listener.accept().expect("accepts");
        (writer, Socket::from(reader))
    }

    #[test]
    fn a_short_read_is_copied_out_and_the_buffer_is_read_into_again() {
        let (mut writer, socket) = pair();
        let mut buffer = ReadBuffer::new();
        for line in [&b"ping\n"[..], b"a second line\n"] {
            writer.write_all(line).expect("written");
            let chunk = buffer.recv(&socket, 0).expect("read");
            assert_eq!(chunk, line);
            // The row keeps only its own bytes; the chunk-sized buffer stays for the next read.
            assert_eq!(chunk.capacity(), line.len());
            assert!(buffer.0.capacity() >= READ_CHUNK && buffer.0.is_empty());
        }
    }

    #[test]
    fn a_long_read_takes_the_buffer_with_it_and_the_next_read_gets_a_new_one() {
        let (mut writer, socket) = pair();
        let mut buffer = ReadBuffer::new();
        let long = vec![0x5A; COPIED_READ + 1];
        writer.write_all(&long).expect("written");
        let (mut got, mut taken) = (Vec::new(), false);
        while got.len() < long.len() {
            let chunk = buffer.recv(&socket, 0).expect("read");
            assert!(!chunk.is_empty(), "the writer is still open");
            if chunk.len() > COPIED_READ {
                // The chunk is the buffer itself, moved out: nothing is left behind to reuse.
                assert_eq!(buffer.0.capacity(), 0);
                taken = true;
            }
            got.extend_from_slice(&chunk);
        }
        assert_eq!(got, long);
        assert!(taken, "loopback delivers 16 KiB and a byte in one read");
        writer.write_all(b"after").expect("written");
        assert_eq!(buffer.recv(&socket, 0).expect("read"), b"after");
    }
}
