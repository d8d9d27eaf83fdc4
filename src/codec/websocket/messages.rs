//! A WebSocket byte stream read into whole messages and control frames, as bytes arrive in
//! reads of any size: a fragmented message is joined; a ping between its fragments comes out
//! on its own, in order.

use super::{BrokenRule, FrameHeader, Opcode, unmask};

/// What the stream carried, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A whole text or binary message, from `frames` frames.
    Message {
        opcode: Opcode,
        payload: Vec<u8>,
        frames: usize,
    },
    /// A close, ping or pong.
    Control { opcode: Opcode, payload: Vec<u8> },
}

/// Why the stream cannot be read on: the connection is to be closed with a close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    Broken(BrokenRule),
    /// A message of at least `len` bytes, over `max` (RFC 6455 close code 1009).
    TooBig {
        len: u64,
        max: usize,
    },
}

impl Unreadable {
    /// The close code that says why.
    pub fn close_code(self) -> u16 {
        match self {
            Unreadable::Broken(_) => 1002,
            Unreadable::TooBig { .. } => 1009,
        }
    }
}

/// Bytes in, pieces out.
pub struct MessageReader {
    /// Bytes of a frame not yet whole.
    pending: Vec<u8>,
    /// A fragmented message begun: its opcode, payload so far and frame count.
    message: Option<(Opcode, Vec<u8>, usize)>,
    max: usize,
}

impl MessageReader {
    /// A reader that refuses any message over `max` bytes (frames joined).
    pub fn new(max: usize) -> MessageReader {
        MessageReader {
            pending: Vec::new(),
            message: None,
            max,
        }
    }

    /// Drops a frame or message not yet whole, and frees its memory (nothing more is read).
    pub fn forget_pending(&mut self) {
        self.pending = Vec::new();
        self.message = None;
    }

    /// Bytes held: a frame not yet whole and a message not yet finished.
    pub fn pending_len(&self) -> usize {
        self.pending.len() + self.message.as_ref().map_or(0, |(_, data, _)| data.len())
    }

    /// Reads `bytes` on from where the last call left off; the pieces made whole go to `out`.
    /// After an Err, nothing more is read.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Piece>) -> Result<(), Unreadable> {
        self.pending.extend_from_slice(bytes);
        let mut at = 0;
        let result = loop {
            let header = match FrameHeader::parse(&self.pending[at..]) {
                Ok(header) => header,
                // Reserved bits or opcode in the first byte: refused without waiting for the
                // rest of a header that may never come.
                Err(_) => match self
                    .pending
                    .get(at)
                    .and_then(|&first| BrokenRule::of_first_byte(first))
                {
                    Some(rule) => break Err(Unreadable::Broken(rule)),
                    None => break Ok(()),
                },
            };
            if let Some(rule) = BrokenRule::of(&header) {
                break Err(Unreadable::Broken(rule));
            }
            let so_far = self.message.as_ref().map_or(0, |(_, data, _)| data.len());
            let total = header.payload_len.saturating_add(so_far as u64);
            if !header.opcode.is_control() && total > self.max as u64 {
                break Err(Unreadable::TooBig {
                    len: total,
                    max: self.max,
                });
            }
            // Fits in memory: at most `max` (controls at most 125).
            let end = header.header_len + header.payload_len as usize;
            if self.pending.len() - at < end {
                break Ok(());
            }
            let payload = unmask(&self.pending[at + header.header_len..at + end], header.mask);
            at += end;
            if let Err(rule) = self.take(&header, payload, out) {
                break Err(Unreadable::Broken(rule));
            }
        };
        self.pending.drain(..at);
        result
    }

    /// One whole frame.
    fn take(
        &mut self,
        header: &FrameHeader,
        payload: Vec<u8>,
        out: &mut Vec<Piece>,
    ) -> Result<(), BrokenRule> {
        let opcode = header.opcode;
        if opcode.is_control() {
            out.push(Piece::Control { opcode, payload });
            return Ok(());
        }
        let (opcode, payload, frames) = match (opcode, self.message.take()) {
            (Opcode::Continuation, None) => return Err(BrokenRule::StrayContinuation),
            (Opcode::Continuation, Some((opcode, mut data, frames))) => {
                data.extend_from_slice(&payload);
                (opcode, data, frames + 1)
            }
            (_, Some(_)) => return Err(BrokenRule::MessageInsideMessage),
            (opcode, None) => (opcode, payload, 1),
        };
        if header.fin {
            out.push(Piece::Message {
                opcode,
                payload,
                frames,
            });
        } else {
            self.message = Some((opcode, payload, frames));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::websocket::frame;

    fn fragment(fin: bool, opcode: Opcode, payload: &[u8]) -> Vec<u8> {
        let mut bytes = frame(opcode, payload, None);
        if !fin {
            bytes[0] &= 0x7F;
        }
        bytes
    }

    #[test]
    fn a_fragmented_message_with_a_ping_between_reads_whole_whatever_the_reads() {
        let mut stream = fragment(false, Opcode::Text, b"Hel");
        stream.extend(frame(Opcode::Ping, b"p", Some([1, 2, 3, 4])));
        stream.extend(fragment(true, Opcode::Continuation, b"lo"));
        stream.extend(frame(Opcode::Binary, &[0; 300], None));
        for cut in 1..stream.len() {
            let mut reader = MessageReader::new(1 << 20);
            let mut out = Vec::new();
            reader.push(&stream[..cut], &mut out).unwrap();
            reader.push(&stream[cut..], &mut out).unwrap();
            assert_eq!(reader.pending_len(), 0);
            assert_eq!(
                out,
                [
                    Piece::Control {
                        opcode: Opcode::Ping,
                        payload: b"p".to_vec()
                    },
                    Piece::Message {
                        opcode: Opcode::Text,
                        payload: b"Hello".to_vec(),
                        frames: 2
                    },
                    Piece::Message {
                        opcode: Opcode::Binary,
                        payload: vec![0; 300],
                        frames: 1
                    },
                ]
            );
        }
    }

    #[test]
    fn broken_rules_and_oversized_messages_are_refused_by_their_header() {
        let mut out = Vec::new();
        let refused =
            |bytes: &[u8], max: usize| MessageReader::new(max).push(bytes, &mut Vec::new()).err();
        assert_eq!(
            refused(&fragment(true, Opcode::Continuation, b"x"), 10),
            Some(Unreadable::Broken(BrokenRule::StrayContinuation))
        );
        let mut two = fragment(false, Opcode::Text, b"a");
        two.extend(frame(Opcode::Text, b"b", None));
        assert_eq!(
            refused(&two, 10),
            Some(Unreadable::Broken(BrokenRule::MessageInsideMessage))
        );
        assert_eq!(
            refused(&[0xC1, 0x00], 10),
            Some(Unreadable::Broken(BrokenRule::ReservedBits(0b100)))
        );
        // Only the header of a 16 MiB frame over a 1 MiB limit: refused before its payload.
        let header = &frame(Opcode::Binary, &vec![0; 16 << 20], None)[..10];
        assert_eq!(
            refused(header, 1 << 20),
            Some(Unreadable::TooBig {
                len: 16 << 20,
                max: 1 << 20
            })
        );
        // Fragments count together.
        let mut reader = MessageReader::new(4);
        reader
            .push(&fragment(false, Opcode::Binary, b"abc"), &mut out)
            .unwrap();
        assert_eq!(reader.pending_len(), 3);
        assert_eq!(
            reader.push(&fragment(true, Opcode::Continuation, b"de"), &mut out),
            Err(Unreadable::TooBig { len: 5, max: 4 })
        );
    }
}
