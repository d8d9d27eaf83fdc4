//! A WebSocket connection's reading side: frames in, whole messages reported as any
//! connection's (echo, auto-reply, capture and the budget work on them), control frames said
//! and answered here, on the reader, as every answer is: a ping gets its pong, a close its
//! close, and a peer that breaks the protocol gets a close with the code that says why.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, select};

use crate::codec::websocket::{
    MessageReader, Opcode, Piece, Unreadable, close_payload, read_close,
};
use crate::error::{Error, WebSocketProblem};
use crate::net::event::{CloseReason, EventKind};
use crate::net::outbox::{Outgoing, Ticket};
use crate::net::reader::Reader;
use crate::net::websocket::WebSocketLink;

/// How long the peer has to close the TCP connection once the close frames crossed.
const CLOSING_WAIT: Duration = Duration::from_secs(2);

/// What a reader keeps of a WebSocket connection.
pub(crate) struct WebSocketReading {
    messages: MessageReader,
    /// Read with the handshake: the first frames, when the peer sent them at once.
    leftover: Vec<u8>,
    /// Once a close frame came (or this end closed on a broken rule): how the connection
    /// ends. Nothing read after it is reported.
    closing: Option<CloseReason>,
    /// When the closing wait that began with the close runs out.
    closing_deadline: Option<Instant>,
}

impl WebSocketReading {
    /// Messages over `max` bytes (the session's memory budget) are refused.
    pub fn new(link: WebSocketLink, max: usize) -> WebSocketReading {
        WebSocketReading {
            messages: MessageReader::new(max),
            leftover: link.leftover,
            closing: None,
            closing_deadline: None,
        }
    }

    pub fn pending_len(&self) -> usize {
        self.messages.pending_len()
    }

    pub fn forget_pending(&mut self) {
        self.messages.forget_pending();
    }
}

impl Reader<'_> {
    /// The frames that came with the handshake, read before anything else. False when
    /// nobody reads events.
    pub(crate) fn take_leftover(&mut self) -> bool {
        match self
            .websocket
            .as_mut()
            .map(|ws| std::mem::take(&mut ws.leftover))
        {
            Some(leftover) if !leftover.is_empty() => self.take(leftover),
            _ => true,
        }
    }

    /// Once a close was read to its end: waits until the writer has written what is queued
    /// (the answer to a peer's close, then FIN), the connection is closed here, the session
    /// stops or the closing wait runs out, so a peer that sent its close and FIN at once still
    /// gets the answer (shutting the socket down on its FIN lost it, or failed it with "Broken
    /// pipe"). The writer's token, taken from `hangup`, goes back for whoever waits next.
    pub(crate) fn wait_for_the_close_answer(&self, hangup: (&Sender<()>, &Receiver<()>)) {
        let Some(deadline) = self.websocket.as_ref().and_then(|ws| ws.closing_deadline) else {
            return;
        };
        let (here, stop) = (self.ending.here.receiver(), self.emitter.stop().receiver());
        select! {
            recv(hangup.1) -> token => {
                if token.is_ok() {
                    let _ = hangup.0.try_send(());
                }
            }
            recv(here) -> _ => {}
            recv(stop) -> _ => {}
            default(deadline.saturating_duration_since(Instant::now())) => {}
        }
    }

    /// How the connection ends when a close began it, whatever the last read said.
    pub(crate) fn websocket_close(&mut self) -> Option<CloseReason> {
        self.websocket.as_mut()?.closing.take()
    }

    /// Reads `chunk` on as frames. False when nobody reads events.
    pub(crate) fn take_frames(&mut self, chunk: &[u8]) -> bool {
        let before = self.pending_len();
        let mut pieces = Vec::new();
        let read = match self.websocket.as_mut() {
            Some(ws) if ws.closing.is_none() => ws.messages.push(chunk, &mut pieces),
            _ => return true,
        };
        self.account(before);
        for piece in pieces {
            let reported = match piece {
                Piece::Message {
                    opcode, payload, ..
                } => self.deliver(Ok(payload), Some(opcode)),
                Piece::Control { opcode, payload } => self.control(opcode, payload),
            };
            if !reported {
                return false;
            }
            if self.is_closing() {
                return true;
            }
        }
        match read {
            Ok(()) => true,
            Err(unreadable) => {
                let (code, problem) = match unreadable {
                    Unreadable::Broken(rule) => (1002, WebSocketProblem::Broken { rule }),
                    Unreadable::TooBig { len, max } => {
                        (1009, WebSocketProblem::TooBig { len, max })
                    }
                };
                let error = Error::WebSocket {
                    peer: self.peer,
                    problem,
                };
                let reported = self.emit(EventKind::Error {
                    client: self.client,
                    error: error.clone(),
                });
                self.send_control(Opcode::Close, close_payload(code, ""));
                self.begin_close(CloseReason::Failed(error));
                reported
            }
        }
    }

    fn is_closing(&self) -> bool {
        self.websocket
            .as_ref()
            .is_some_and(|ws| ws.closing.is_some())
    }

    /// Says a control frame, and answers a ping or a close. False when nobody reads events.
    fn control(&mut self, opcode: Opcode, payload: Vec<u8>) -> bool {
        let reported = self.emit(EventKind::WebSocketControl {
            client: self.client,
            peer: self.peer,
            sent: false,
            opcode,
            payload: payload.clone(),
        });
        match opcode {
            Opcode::Ping => self.send_control(Opcode::Pong, payload),
            Opcode::Close => {
                // The close is answered with its own code (RFC 6455 5.5.1), then FIN.
                let answer = read_close(&payload)
                    .map(|(code, _)| code.to_be_bytes().to_vec())
                    .unwrap_or_default();
                self.send_control(Opcode::Close, answer);
                self.begin_close(CloseReason::PeerClosed);
            }
            _ => {}
        }
        reported
    }

    /// Queues a control frame, waiting for room as every answer does.
    fn send_control(&self, opcode: Opcode, payload: Vec<u8>) {
        let closing = self.closing_signals();
        let ticket = Ticket::new(&self.shared.in_flight);
        let _ = self
            .outbox
            .push_wait(Outgoing::control(opcode, payload, ticket), &closing);
    }

    /// After the close frames: what is queued goes out, then FIN; the peer has a while to
    /// close its side, and the connection ends with `reason` either way.
    fn begin_close(&mut self, reason: CloseReason) {
        if let Some(ws) = self.websocket.as_mut() {
            ws.closing = Some(reason);
            ws.closing_deadline = Some(Instant::now() + CLOSING_WAIT);
        }
        self.outbox.finish();
        self.idle_timeout = Some(CLOSING_WAIT);
    }
}
