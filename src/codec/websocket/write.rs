//! Frames as they go out: one frame per message (never fragmented), masked from a client.

use std::hash::{BuildHasher, Hasher};

use tungstenite::protocol::frame::FrameHeader as WireHeader;
use tungstenite::protocol::frame::coding::{Control, Data, OpCode};

use serde::{Deserialize, Serialize};

use super::Opcode;
use crate::error::Error;

/// What kind of data frame a message sent on a WebSocket connection goes out as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[repr(u8)]
pub enum DataFrames {
    /// Text when the bytes are UTF-8 (as RFC 6455 requires of text), else binary.
    #[default]
    ByContent,
    /// Always text, even bytes that are not UTF-8 (a peer may then close with 1007).
    Text,
    /// Always binary: hex a device reads as bytes stays binary even when it spells ASCII.
    Binary,
}

impl DataFrames {
    /// In the order of their `u8`s.
    pub const ALL: [DataFrames; 3] = [DataFrames::ByContent, DataFrames::Text, DataFrames::Binary];

    /// The name used on the command line and in the GUI.
    pub fn name(self) -> &'static str {
        match self {
            DataFrames::ByContent => "auto",
            DataFrames::Text => "text",
            DataFrames::Binary => "binary",
        }
    }

    pub fn from_name(name: &str) -> Result<DataFrames, Error> {
        let wanted = name.trim().to_ascii_lowercase();
        DataFrames::ALL
            .into_iter()
            .find(|frames| frames.name() == wanted)
            .ok_or_else(|| Error::InvalidSetting {
                name: "--frames",
                reason: format!("takes auto, text or binary, not '{name}'"),
            })
    }

    /// The opcode `data` goes out with.
    pub fn opcode(self, data: &[u8]) -> Opcode {
        match self {
            DataFrames::Text => Opcode::Text,
            DataFrames::Binary => Opcode::Binary,
            DataFrames::ByContent if std::str::from_utf8(data).is_ok() => Opcode::Text,
            DataFrames::ByContent => Opcode::Binary,
        }
    }
}

/// One whole frame carrying `payload`: its header (tungstenite writes it), then the payload,
/// XORed with `mask` when there is one (RFC 6455 5.3: every frame a client sends is masked).
pub fn frame(opcode: Opcode, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let header = WireHeader {
        opcode: wire_opcode(opcode),
        mask,
        ..WireHeader::default()
    };
    let mut out = Vec::with_capacity(header.len(payload.len() as u64) + payload.len());
    // Writing into a Vec cannot fail.
    let _ = header.format(payload.len() as u64, &mut out);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = mask {
        for (byte, key) in out[start..].iter_mut().zip(key.iter().cycle()) {
            *byte ^= key;
        }
    }
    out
}

fn wire_opcode(opcode: Opcode) -> OpCode {
    match opcode {
        Opcode::Continuation => OpCode::Data(Data::Continue),
        Opcode::Text => OpCode::Data(Data::Text),
        Opcode::Binary => OpCode::Data(Data::Binary),
        Opcode::Close => OpCode::Control(Control::Close),
        Opcode::Ping => OpCode::Control(Control::Ping),
        Opcode::Pong => OpCode::Control(Control::Pong),
        Opcode::Reserved(bits) if bits >= 8 => OpCode::Control(Control::Reserved(bits)),
        Opcode::Reserved(bits) => OpCode::Data(Data::Reserved(bits)),
    }
}

/// A close frame's payload: the code, then the reason (cut to fit 125 bytes at a character).
pub fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(&reason.as_bytes()[..end]);
    payload
}

/// A fresh mask key: the standard library's per-process random hash keys, with a counter so
/// no two calls repeat (masks only need to be unpredictable to a proxy, not secret).
pub fn random_mask() -> [u8; 4] {
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let [a, b, c, d, ..] = hasher.finish().to_le_bytes();
    [a, b, c, d]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::websocket::{FrameHeader, unmask};

    #[test]
    fn a_frame_reads_back_as_written_masked_or_not() {
        for (len, header_len) in [(5, 2), (300, 4), (70_000, 10)] {
            let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
            for mask in [None, Some(random_mask())] {
                let bytes = frame(Opcode::Binary, &payload, mask);
                let header = FrameHeader::parse(&bytes).unwrap();
                let extra = if mask.is_some() { 4 } else { 0 };
                assert_eq!(header.header_len, header_len + extra);
                assert_eq!((header.fin, header.opcode), (true, Opcode::Binary));
                assert_eq!(header.payload_len, len as u64);
                assert_eq!(unmask(&bytes[header.header_len..], header.mask), payload);
            }
        }
        // RFC 6455 5.7's masked "Hello".
        let hello = frame(Opcode::Text, b"Hello", Some([0x37, 0xfa, 0x21, 0x3d]));
        assert_eq!(
            hello,
            [
                0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
            ]
        );
    }

    #[test]
    fn a_message_goes_out_as_the_frames_chosen_and_by_its_bytes_unless_one_is() {
        let (ascii, gbk) = (b"AT\r\n".as_slice(), [0xC4, 0xE3].as_slice());
        assert_eq!(
            DataFrames::ByContent.opcode("你好".as_bytes()),
            Opcode::Text
        );
        assert_eq!(DataFrames::ByContent.opcode(ascii), Opcode::Text);
        assert_eq!(DataFrames::ByContent.opcode(gbk), Opcode::Binary);
        assert_eq!(DataFrames::Binary.opcode(ascii), Opcode::Binary);
        assert_eq!(DataFrames::Text.opcode(gbk), Opcode::Text);
        for (index, frames) in DataFrames::ALL.into_iter().enumerate() {
            assert_eq!(DataFrames::from_name(frames.name()).unwrap(), frames);
            assert_eq!(
                frames as usize, index,
                "a session stores the choice as its u8"
            );
        }
        assert_eq!(
            DataFrames::from_name(" Binary ").unwrap(),
            DataFrames::Binary
        );
        let refused = DataFrames::from_name("utf8").unwrap_err().to_string();
        assert_eq!(refused, "--frames takes auto, text or binary, not 'utf8'");
    }

    #[test]
    fn a_close_reason_is_cut_at_a_character_to_fit_a_control_frame() {
        assert_eq!(close_payload(1000, "bye"), b"\x03\xe8bye");
        let long = "你".repeat(50);
        let payload = close_payload(1001, &long);
        assert!(payload.len() <= 125);
        assert!(std::str::from_utf8(&payload[2..]).is_ok());
        assert_ne!(random_mask(), random_mask());
    }
}
