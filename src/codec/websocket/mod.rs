//! WebSocket frames (RFC 6455, section 5.2): a header's fields read from bytes, the payload
//! unmasked, the rules a header must keep, and frames written (`write.rs`). A stream of bytes
//! becomes whole messages and control frames in `messages.rs`. Pure: the row decoder and the
//! engine's WebSocket connections both use it.

mod messages;
mod write;

use std::fmt;

pub use messages::{MessageReader, Piece, Unreadable};
pub use write::{DataFrames, close_payload, frame, random_mask};

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opcode {
    Continuation,
    Text,
    Binary,
    Close,
    Ping,
    Pong,
    /// 3–7 and 11–15: reserved, a peer that sends one breaks the protocol.
    Reserved(u8),
}

impl Opcode {
    fn from_bits(bits: u8) -> Opcode {
        match bits {
            0 => Opcode::Continuation,
            1 => Opcode::Text,
            2 => Opcode::Binary,
            8 => Opcode::Close,
            9 => Opcode::Ping,
            10 => Opcode::Pong,
            other => Opcode::Reserved(other),
        }
    }

    /// The four bits on the wire.
    pub fn bits(self) -> u8 {
        match self {
            Opcode::Continuation => 0,
            Opcode::Text => 1,
            Opcode::Binary => 2,
            Opcode::Close => 8,
            Opcode::Ping => 9,
            Opcode::Pong => 10,
            Opcode::Reserved(bits) => bits,
        }
    }

    /// "text", "binary", "ping", …: the name the CLI's JSON and the log use.
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Continuation => "continuation",
            Opcode::Text => "text",
            Opcode::Binary => "binary",
            Opcode::Close => "close",
            Opcode::Ping => "ping",
            Opcode::Pong => "pong",
            Opcode::Reserved(_) => "reserved",
        }
    }

    /// Close, ping and pong: at most 125 bytes, never fragmented.
    pub fn is_control(self) -> bool {
        matches!(self, Opcode::Close | Opcode::Ping | Opcode::Pong)
            || matches!(self, Opcode::Reserved(bits) if bits >= 8)
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Opcode::Continuation => f.write_str("0 continuation"),
            Opcode::Text => f.write_str("1 text"),
            Opcode::Binary => f.write_str("2 binary"),
            Opcode::Close => f.write_str("8 close"),
            Opcode::Ping => f.write_str("9 ping"),
            Opcode::Pong => f.write_str("10 pong"),
            Opcode::Reserved(bits) => write!(f, "{bits} reserved"),
        }
    }
}

/// A frame's header, as its first bytes say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameHeader {
    /// The last frame of its message.
    pub fin: bool,
    /// The three reserved bits (0 unless an extension was agreed).
    pub rsv: u8,
    pub opcode: Opcode,
    /// A client's frames are masked with this key; a server's are not.
    pub mask: Option<[u8; 4]>,
    pub payload_len: u64,
    /// Where the payload starts.
    pub header_len: usize,
}

impl FrameHeader {
    /// Reads the header at the start of `bytes`; Err(needed) when they are fewer than the
    /// header's own length says.
    pub fn parse(bytes: &[u8]) -> Result<FrameHeader, usize> {
        let [first, second, ..] = *bytes else {
            return Err(2);
        };
        let (len_bytes, short_len) = match second & 0x7F {
            126 => (2, None),
            127 => (8, None),
            len => (0, Some(u64::from(len))),
        };
        let masked = second & 0x80 != 0;
        let header_len = 2 + len_bytes + if masked { 4 } else { 0 };
        if bytes.len() < header_len {
            return Err(header_len);
        }
        let payload_len = short_len.unwrap_or_else(|| {
            bytes[2..2 + len_bytes]
                .iter()
                .fold(0u64, |len, &b| (len << 8) | u64::from(b))
        });
        let mask = masked.then(|| {
            let at = 2 + len_bytes;
            [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]
        });
        Ok(FrameHeader {
            fin: first & 0x80 != 0,
            rsv: (first >> 4) & 0x07,
            opcode: Opcode::from_bits(first & 0x0F),
            mask,
            payload_len,
            header_len,
        })
    }
}

/// A rule of RFC 6455 a frame's header breaks (no extension is ever agreed here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokenRule {
    /// Reserved bits set (their value).
    ReservedBits(u8),
    /// A reserved opcode (its value).
    ReservedOpcode(u8),
    /// A close, ping or pong over 125 bytes or fragmented.
    LongOrFragmentedControl,
    /// A continuation frame with no message begun.
    StrayContinuation,
    /// A new text or binary message while a fragmented one is unfinished.
    MessageInsideMessage,
}

impl BrokenRule {
    /// The rule the header breaks, if any.
    pub fn of(header: &FrameHeader) -> Option<BrokenRule> {
        if header.rsv != 0 {
            return Some(BrokenRule::ReservedBits(header.rsv));
        }
        if let Opcode::Reserved(bits) = header.opcode {
            return Some(BrokenRule::ReservedOpcode(bits));
        }
        if header.opcode.is_control() && (header.payload_len > 125 || !header.fin) {
            return Some(BrokenRule::LongOrFragmentedControl);
        }
        None
    }

    /// The rule a frame's first byte breaks alone (its reserved bits or opcode), if any.
    pub fn of_first_byte(first: u8) -> Option<BrokenRule> {
        let rsv = (first >> 4) & 0x07;
        match Opcode::from_bits(first & 0x0F) {
            _ if rsv != 0 => Some(BrokenRule::ReservedBits(rsv)),
            Opcode::Reserved(bits) => Some(BrokenRule::ReservedOpcode(bits)),
            _ => None,
        }
    }
}

impl fmt::Display for BrokenRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrokenRule::ReservedBits(rsv) => {
                write!(
                    f,
                    "reserved bits {rsv:03b} are set: no extension was agreed"
                )
            }
            BrokenRule::ReservedOpcode(bits) => write!(f, "opcode {bits} is reserved"),
            BrokenRule::LongOrFragmentedControl => f.write_str(
                "a control frame (close, ping, pong) carries at most 125 bytes, unfragmented",
            ),
            BrokenRule::StrayContinuation => {
                f.write_str("a continuation frame came with no message begun")
            }
            BrokenRule::MessageInsideMessage => {
                f.write_str("a new message began before the fragmented one ended")
            }
        }
    }
}

/// The close codes RFC 6455 (7.4.1) names.
pub fn close_meaning(code: u16) -> &'static str {
    match code {
        1000 => "normal closure",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1005 => "no code given",
        1007 => "invalid payload data",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "mandatory extension",
        1011 => "internal error",
        3000..=3999 => "registered by a library or framework",
        4000..=4999 => "private use",
        _ => "not a code RFC 6455 names",
    }
}

/// A close frame's code and reason (the reason as UTF-8, lossily); None for an empty payload.
pub fn read_close(payload: &[u8]) -> Option<(u16, String)> {
    let [high, low, reason @ ..] = payload else {
        return None;
    };
    Some((
        u16::from_be_bytes([*high, *low]),
        String::from_utf8_lossy(reason).into_owned(),
    ))
}

/// A control frame in words: "ping 4 bytes 41 42 43 44", "close 1000 (normal closure) bye".
pub fn describe_control(opcode: Opcode, payload: &[u8]) -> String {
    match (opcode, read_close(payload)) {
        (Opcode::Close, Some((code, reason))) if reason.is_empty() => {
            format!("close {code} ({})", close_meaning(code))
        }
        (Opcode::Close, Some((code, reason))) => {
            format!("close {code} ({}) {reason}", close_meaning(code))
        }
        (Opcode::Close, None) => "close, no code".to_string(),
        (opcode, _) if payload.is_empty() => opcode.name().to_string(),
        (opcode, _) => format!(
            "{} {} B {}",
            opcode.name(),
            payload.len(),
            control_payload(payload)
        ),
    }
}

/// A ping's or pong's payload as people wrote it: quoted when it is printable UTF-8 (most
/// libraries send words or nothing), else in hex.
pub fn control_payload(payload: &[u8]) -> String {
    match std::str::from_utf8(payload) {
        Ok(text) if !text.chars().any(char::is_control) => format!("{text:?}"),
        _ => crate::codec::hex::format_hex(payload),
    }
}

/// The payload as sent: masked bytes XORed with the key, in turn.
pub fn unmask(payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    match mask {
        Some(key) => payload
            .iter()
            .zip(key.iter().cycle())
            .map(|(byte, key)| byte ^ key)
            .collect(),
        None => payload.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_s_examples_read_as_the_rfc_says() {
        // RFC 6455 5.7: an unmasked "Hello" and a masked one.
        let unmasked = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
        let header = FrameHeader::parse(&unmasked).unwrap();
        assert!(header.fin && header.mask.is_none());
        assert_eq!(
            (header.opcode, header.payload_len, header.header_len),
            (Opcode::Text, 5, 2)
        );
        let masked = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let header = FrameHeader::parse(&masked).unwrap();
        assert_eq!(header.mask, Some([0x37, 0xfa, 0x21, 0x3d]));
        assert_eq!(unmask(&masked[header.header_len..], header.mask), b"Hello");
        // A first fragment, and a 256-byte binary message's 16-bit length.
        assert!(
            !FrameHeader::parse(&[0x01, 0x03, b'H', b'e', b'l'])
                .unwrap()
                .fin
        );
        let long = FrameHeader::parse(&[0x82, 0x7E, 0x01, 0x00]).unwrap();
        assert_eq!(
            (long.opcode, long.payload_len, long.header_len),
            (Opcode::Binary, 256, 4)
        );
        let huge = FrameHeader::parse(&[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]).unwrap();
        assert_eq!((huge.payload_len, huge.header_len), (65_536, 10));
    }

    #[test]
    fn a_header_cut_short_says_how_long_it_is() {
        assert_eq!(FrameHeader::parse(&[0x81]), Err(2));
        assert_eq!(FrameHeader::parse(&[0x82, 0x7E, 0x01]), Err(4));
        assert_eq!(FrameHeader::parse(&[0x81, 0x85, 0x37]), Err(6));
    }
}
