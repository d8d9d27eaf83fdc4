//! Messages gathered into one event. One event per read costs a channel hand-off and a
//! wake-up each; while the consumer is still busy with earlier events, a reader reads on into
//! one event instead. Each message keeps its own bytes, peer and time, so nothing about them
//! changes but how many hand-offs carry them.

use std::net::SocketAddr;

use crate::net::ClientId;
use crate::net::answers::Answer;
use crate::net::emitter::Emitter;
use crate::net::event::{EventKind, Message};

/// Messages in one event at most.
const BATCH_MESSAGES: usize = 64;

/// Bytes in one event at most (a read that starts below it may end above it).
const BATCH_BYTES: usize = 1024 * 1024;

/// Messages waiting to be sent as one `Received` event, with what echo and the rules answer
/// to each (and what a relay passes on): the answers go out after the event, so a reply is
/// never reported before what it answers.
pub(crate) struct ReadBatch<'a> {
    emitter: &'a Emitter,
    client: Option<ClientId>,
    messages: Vec<Message>,
    answers: Vec<(SocketAddr, Answer)>,
    bytes: usize,
    /// Event-channel bytes set aside for the reads after the first (`read_on`).
    reserved: usize,
}

impl<'a> ReadBatch<'a> {
    pub fn new(emitter: &'a Emitter, client: Option<ClientId>) -> ReadBatch<'a> {
        ReadBatch {
            emitter,
            client,
            messages: Vec::new(),
            answers: Vec::new(),
            bytes: 0,
            reserved: 0,
        }
    }

    pub fn push(&mut self, message: Message, answer: Answer) {
        self.bytes += message.data.len();
        if !answer.is_empty() {
            self.answers.push((message.peer, answer));
        }
        self.messages.push(message);
    }

    /// Whether to read up to `read_ahead` more bytes into this batch before sending it: only
    /// when it holds something, has room, and the consumer is busy with earlier events (so
    /// waiting costs it nothing). Sets the bytes aside in the event channel's bound.
    pub fn read_on(&mut self, read_ahead: usize) -> bool {
        let room = !self.messages.is_empty()
            && self.messages.len() < BATCH_MESSAGES
            && self.bytes + read_ahead <= BATCH_BYTES;
        if room && self.emitter.reserve_for_batch(read_ahead) {
            self.reserved += read_ahead;
            true
        } else {
            false
        }
    }

    /// Sends the messages as one event (waiting for room, as every event does) and returns the
    /// answers to send now, in the messages' order. None when nobody reads events.
    pub fn send(&mut self) -> Option<Vec<(SocketAddr, Answer)>> {
        if self.messages.is_empty() {
            return Some(Vec::new());
        }
        let event = EventKind::Received {
            client: self.client,
            messages: std::mem::take(&mut self.messages),
        };
        self.bytes = 0;
        let reserved = std::mem::take(&mut self.reserved);
        let mut answers = std::mem::take(&mut self.answers);
        if !self.emitter.emit_reserved(event, reserved) {
            return None;
        }
        // A sequence waiting for one of these messages: it is in the log now.
        for (_, answer) in &mut answers {
            for met in answer.matched.drain(..) {
                met.tell();
            }
        }
        Some(answers)
    }
}

impl Drop for ReadBatch<'_> {
    fn drop(&mut self) {
        if self.reserved > 0 {
            self.emitter.give_back(self.reserved);
        }
    }
}
