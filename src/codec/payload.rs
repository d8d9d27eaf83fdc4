//! Builds the bytes of one outgoing message from what a person typed and how they want it read.

use serde::{Deserialize, Serialize};

use crate::codec::checksum::Checksum;
use crate::codec::encoding::TextEncoding;
use crate::codec::escape::{Piece, parse_escapes};
use crate::codec::hex::parse_hex;
use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InputMode {
    #[default]
    Text,
    Hex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LineEnding {
    #[default]
    None,
    Lf,
    Cr,
    CrLf,
}

impl LineEnding {
    pub const ALL: [LineEnding; 4] = [
        LineEnding::None,
        LineEnding::Lf,
        LineEnding::Cr,
        LineEnding::CrLf,
    ];

    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::None => b"",
            LineEnding::Lf => b"\n",
            LineEnding::Cr => b"\r",
            LineEnding::CrLf => b"\r\n",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LineEnding::None => "none",
            LineEnding::Lf => "LF",
            LineEnding::Cr => "CR",
            LineEnding::CrLf => "CRLF",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PayloadFormat {
    pub mode: InputMode,
    pub encoding: TextEncoding,
    /// Whether `\r \n \t \\ \0 \xNN` in text mean what they say.
    pub escapes: bool,
    pub line_ending: LineEnding,
    /// Appended after the message, before the line ending.
    #[serde(default)]
    pub checksum: Checksum,
}

/// The bytes to send for `input`, or the reason nothing can be sent.
pub fn build_payload(input: &str, format: &PayloadFormat) -> Result<Vec<u8>, Error> {
    let mut bytes = match format.mode {
        InputMode::Hex => parse_hex(input)?,
        InputMode::Text if format.escapes => {
            let mut bytes = Vec::with_capacity(input.len());
            for piece in parse_escapes(input)? {
                match piece {
                    Piece::Text(text) => bytes.extend(format.encoding.encode(&text)?),
                    Piece::Byte(byte) => bytes.push(byte),
                }
            }
            bytes
        }
        InputMode::Text => format.encoding.encode(input)?,
    };
    let checksum = format.checksum.bytes(&bytes);
    bytes.extend(checksum);
    bytes.extend_from_slice(format.line_ending.bytes());
    Ok(bytes)
}

/// `data` cut into `parts` pieces as equal as can be (at most one per byte), for showing how
/// TCP joins or splits writes. Each piece is sent with its own write.
pub fn split_evenly(data: &[u8], parts: usize) -> Vec<Vec<u8>> {
    let parts = parts.clamp(1, data.len().max(1));
    let (size, extra) = (data.len() / parts, data.len() % parts);
    let mut pieces = Vec::with_capacity(parts);
    let mut rest = data;
    for i in 0..parts {
        let (piece, tail) = rest.split_at(size + usize::from(i < extra));
        pieces.push(piece.to_vec());
        rest = tail;
    }
    pieces
}

#[cfg(test)]
mod tests {
    #[test]
    fn split_evenly_keeps_every_byte_in_order() {
        assert_eq!(
            super::split_evenly(b"abcdefg", 3),
            [b"abc".to_vec(), b"de".to_vec(), b"fg".to_vec()]
        );
        assert_eq!(super::split_evenly(b"ab", 5).len(), 2);
        assert_eq!(super::split_evenly(b"abc", 0), [b"abc".to_vec()]);
    }

    use super::*;

    fn format(
        mode: InputMode,
        encoding: TextEncoding,
        escapes: bool,
        line_ending: LineEnding,
    ) -> PayloadFormat {
        PayloadFormat {
            mode,
            encoding,
            escapes,
            line_ending,
            checksum: Checksum::None,
        }
    }

    #[test]
    fn text_with_escapes_and_gbk() {
        let f = format(InputMode::Text, TextEncoding::Gbk, true, LineEnding::CrLf);
        assert_eq!(
            build_payload(r"你\x01", &f).unwrap(),
            vec![0xC4, 0xE3, 0x01, b'\r', b'\n']
        );
    }

    #[test]
    fn escapes_off_keeps_backslashes() {
        let f = format(InputMode::Text, TextEncoding::Utf8, false, LineEnding::Lf);
        assert_eq!(build_payload(r"a\n", &f).unwrap(), b"a\\n\n".to_vec());
    }

    #[test]
    fn checksum_goes_after_the_message_and_before_the_line_ending() {
        let mut f = format(InputMode::Hex, TextEncoding::Utf8, false, LineEnding::None);
        f.checksum = Checksum::Crc16Modbus;
        assert_eq!(
            build_payload("01 03 00 00 00 01", &f).unwrap(),
            vec![0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A]
        );
        f.line_ending = LineEnding::CrLf;
        f.checksum = Checksum::Xor8;
        assert_eq!(
            build_payload("01 02", &f).unwrap(),
            vec![1, 2, 3, b'\r', b'\n']
        );
    }

    #[test]
    fn hex_mode_parses_hex() {
        let f = format(InputMode::Hex, TextEncoding::Utf8, false, LineEnding::None);
        assert_eq!(build_payload("01 03", &f).unwrap(), vec![1, 3]);
        assert!(build_payload("0G", &f).is_err());
    }
}
