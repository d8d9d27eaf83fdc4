//! A connection's writing side: takes messages from its outbox and writes each whole.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use socket2::{SockRef, Socket};

use crate::net::interrupt::shut_down_and_wake;

use crate::codec::websocket;
use crate::error::Error;
use crate::net::ClientId;
use crate::net::connection::Ending;
use crate::net::emitter::Emitter;
use crate::net::event::EventKind;
use crate::net::outbox::{Outbox, Outgoing};
use crate::net::session::Shared;
use crate::net::stats::Counters;
use crate::net::websocket::Role;

/// A connection's writing side: takes messages from the outbox and writes each whole.
pub(crate) struct Writer {
    pub socket: Arc<Socket>,
    pub outbox: Arc<Outbox>,
    pub ending: Arc<Ending>,
    pub counters: Arc<Counters>,
    pub shared: Arc<Shared>,
    pub emitter: Emitter,
    pub client: Option<ClientId>,
    pub peer: SocketAddr,
    pub send_timeout: Option<Duration>,
    /// A WebSocket connection's end: each message goes out as one frame.
    pub websocket: Option<Role>,
}

impl Writer {
    /// Each message is reported (`Sent`) as its write starts, so the report comes before
    /// anything the peer sends in answer; a write that fails says how much went out. A queue
    /// that finished (a relay passing on its other end's FIN) ends with a FIN once written.
    pub fn write_until_closed(&self) {
        let (client, peer) = (self.client, self.peer);
        while let Some(Outgoing {
            data,
            progress,
            reported,
            opcode,
            _ticket: ticket,
        }) = self.outbox.pop()
        {
            let len = data.len();
            if self.ending.reset.load(Ordering::Acquire) {
                self.outbox.written(len);
                break;
            }
            let frame = self.websocket.map(|role| {
                let opcode = opcode.unwrap_or_else(|| self.shared.data_frames().opcode(&data));
                (opcode, websocket::frame(opcode, &data, role.mask()))
            });
            let reported = match &frame {
                // A control frame is said as such, and is not a message of the session's.
                Some((opcode, _)) if opcode.is_control() => {
                    self.emitter.emit(EventKind::WebSocketControl {
                        client,
                        peer,
                        sent: true,
                        opcode: *opcode,
                        payload: data.clone(),
                    })
                }
                // The rest of a message begun on its producer's thread was reported then.
                _ => {
                    reported || {
                        self.counters.add_tx(len);
                        self.shared.counters.add_tx(len);
                        self.emitter.emit(EventKind::Sent {
                            client,
                            peer,
                            data: data.clone(),
                            websocket: frame.as_ref().map(|(opcode, _)| *opcode),
                        })
                    }
                }
            };
            let bytes = frame.as_ref().map_or(&data, |(_, bytes)| bytes);
            let one_writer = self
                .ending
                .write_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            self.ending.writing.store(true, Ordering::Release);
            let written = write_fully(&self.socket, bytes);
            self.ending.writing.store(false, Ordering::Release);
            drop(one_writer);
            self.outbox.written(len);
            drop(ticket);
            if let Err((sent, err)) = written {
                // Before anything that may wait: the reader, woken by it, reads what the write
                // met (a reset breaks the connection at once).
                self.ending.note_write_error(&err);
                // A write cut short by our own close, reset or stop, or by the memory budget's
                // close, is what was asked for, not an error: the close says why, once. One cut
                // short as the peer's FIN closes the connection is said with the rest unsent.
                let at_fin = self.ending.closing_at_fin.load(Ordering::Acquire);
                if at_fin {
                    let unsent = bytes.len().saturating_sub(sent);
                    (self.ending.unsent_at_fin).fetch_add(unsent, Ordering::AcqRel);
                } else if !self.ending.here.is_stopped() && !self.outbox.closed_by_the_budget() {
                    // Of the bytes on the wire (a WebSocket frame's header among them).
                    self.write_failed(err, sent, bytes.len());
                }
                // After the writer's reason is kept: the reader it wakes takes it.
                self.ending.broken.signal();
                shut_down_and_wake(SockRef::from(&*self.socket), Shutdown::Both);
                // Nothing more can go out: producers waiting for room (a file's sender, the
                // reader answering a close or ping) give up now rather than at the stop.
                let dropped = self.outbox.close();
                if at_fin {
                    (self.ending.unsent_at_fin).fetch_add(dropped, Ordering::AcqRel);
                }
                break;
            }
            if let Some(progress) = progress {
                progress.fetch_add(len as u64, Ordering::Relaxed);
            }
            if !reported {
                break;
            }
        }
        if self.outbox.is_finished() && !self.ending.reset.load(Ordering::Acquire) {
            let _ = self.socket.shutdown(Shutdown::Write);
        }
    }
}

impl Writer {
    /// Says what became of a write that failed on the peer's account or ours (`sent` of
    /// `len` bytes went out).
    fn write_failed(&self, err: io::Error, sent: usize, len: usize) {
        let (client, peer) = (self.client, self.peer);
        if peer_ended(&err) {
            // The peer reset or went away: the reader reports that as the close; this says
            // what became of the write.
            let error = Error::SendFailed {
                peer,
                sent,
                len,
                message: crate::error::describe_io(&err),
            };
            self.emitter.emit(EventKind::Error { client, error });
            return;
        }
        // This end gave up on the peer: the connection closes for this reason, said once, as
        // it closes (unless the reader had ended first).
        let error = match (err.kind(), self.send_timeout) {
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
        };
        self.ending.writer_gave_up(error);
    }
}

/// A write that failed because the peer reset or closed: the peer's doing, which the reader
/// reports.
fn peer_ended(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    )
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
