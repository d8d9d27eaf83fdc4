//! What a receiving thread needs to answer messages: the session's rules as last picked up,
//! and, for a TCP stream, a decoder that carries a character split across two reads.

use std::sync::Arc;
use std::time::Duration;

use crate::codec::StreamDecoder;
use crate::net::outbox::Ticket;
use crate::net::rules::Responder;
use crate::net::sequence::Met;
use crate::net::session::Shared;

/// Replies to one message, each already counted in flight: they are made before the message
/// is reported, so a consumer never sees the session idle between a message and its answer.
#[derive(Default)]
pub(crate) struct Answer {
    pub now: Vec<(Vec<u8>, Ticket)>,
    pub later: Option<(Duration, Vec<u8>, Ticket)>,
    /// In a relay: the message itself, for the other end.
    pub relay: Option<(Vec<u8>, Ticket)>,
    /// A sequence waits for replies and this message is one (or several): each told once the
    /// message is reported.
    pub matched: Vec<Met>,
    /// A binary WebSocket message is answered in binary frames (text ones as the session's
    /// choice of data frame says), so an echo keeps a binary message's kind.
    pub binary: bool,
}

impl Answer {
    pub fn is_empty(&self) -> bool {
        self.now.is_empty()
            && self.later.is_none()
            && self.relay.is_none()
            && self.matched.is_empty()
    }
}

#[derive(Default)]
pub(crate) struct Answers {
    version: u64,
    responder: Option<Arc<Responder>>,
    /// Present for a stream whose rules read text.
    decoder: Option<StreamDecoder>,
}

impl Answers {
    /// What echo and the rules answer to `data`, with the rules in force now. `stream`: the
    /// messages are pieces of one TCP stream (decoded on from the last), not datagrams.
    pub fn replies(&mut self, shared: &Shared, data: &[u8], stream: bool) -> Answer {
        let matched = shared.offer_to_sequence(data);
        if let Some((version, responder)) = shared.responder_since(self.version) {
            self.decoder = responder
                .as_ref()
                .filter(|r| stream && r.needs_text())
                .map(|r| r.encoding().stream_decoder());
            self.version = version;
            self.responder = responder;
        }
        let Some(responder) = &self.responder else {
            return Answer {
                matched,
                ..Answer::default()
            };
        };
        let text = match &mut self.decoder {
            Some(decoder) => decoder.feed(data, false),
            None if responder.needs_text() => responder.encoding().decode_whole(data),
            None => String::new(),
        };
        let replies = responder.replies(data, &text);
        let ticket = || Ticket::new(&shared.in_flight);
        Answer {
            now: replies.now.into_iter().map(|d| (d, ticket())).collect(),
            later: replies.later.map(|(delay, d)| (delay, d, ticket())),
            relay: None,
            matched,
            binary: false,
        }
    }
}
