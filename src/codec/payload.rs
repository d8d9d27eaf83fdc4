//! Builds the bytes of one outgoing message from what a person typed and how they want it read.

use serde::{Deserialize, Serialize};

use crate::codec::checksum::Checksum;
use crate::codec::encoding::{TextEncoding, push_control_escape};
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
// A sequence file may name only what differs from plain UTF-8 text.
#[serde(default)]
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
    let mut bytes = message_bytes(input, format)?;
    finish_payload(&mut bytes, format);
    Ok(bytes)
}

/// What `input` itself stands for: hex parsed, or text encoded (escapes read where on).
pub fn message_bytes(input: &str, format: &PayloadFormat) -> Result<Vec<u8>, Error> {
    Ok(match format.mode {
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
    })
}

/// Appends the checksum of the message, then the line ending.
pub fn finish_payload(bytes: &mut Vec<u8>, format: &PayloadFormat) {
    let checksum = format.checksum.bytes(bytes);
    bytes.extend(checksum);
    bytes.extend_from_slice(format.line_ending.bytes());
}

/// The typed message rewritten for the other input mode, as NetAssist and SSCOM do when Text
/// and Hex are switched: text becomes the hex of its bytes (escapes read when on); hex becomes
/// text when its bytes are text in `encoding` (with escapes on, `\\` and control bytes are
/// written as escapes so the text sends the same bytes back).
pub fn convert_message(
    input: &str,
    to: InputMode,
    format: &PayloadFormat,
) -> Result<String, Error> {
    if to == format.mode {
        return Ok(input.to_string());
    }
    let text_only = PayloadFormat {
        checksum: Checksum::None,
        line_ending: LineEnding::None,
        ..*format
    };
    let bytes = build_payload(input, &text_only)?;
    match to {
        InputMode::Hex => Ok(crate::codec::hex::format_hex(&bytes)),
        InputMode::Text => bytes_as_text(&bytes, format.encoding, format.escapes),
    }
}

fn bytes_as_text(bytes: &[u8], encoding: TextEncoding, escapes: bool) -> Result<String, Error> {
    let mut decoder = encoding.encoding().new_decoder_without_bom_handling();
    let room = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3 + 16);
    let mut text = String::with_capacity(room);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    if let encoding_rs::DecoderResult::Malformed(bad, after) = result {
        // 1-based, as the hex parser counts positions.
        let position = read - after as usize - bad as usize + 1;
        return Err(Error::NotText {
            encoding: encoding.label(),
            position,
        });
    }
    if !escapes {
        return Ok(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if !push_control_escape(&mut out, c) {
            out.push(c);
        }
    }
    Ok(out)
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
    use super::*;

    #[test]
    fn switching_text_and_hex_converts_the_message_both_ways() {
        // The line ending and checksum are added when sending, not written into the box.
        let mut text = format(InputMode::Text, TextEncoding::Gbk, false, LineEnding::CrLf);
        text.checksum = Checksum::Sum8;
        let hex = convert_message("你好 A", InputMode::Hex, &text).unwrap();
        assert_eq!(hex, "C4 E3 BA C3 20 41");
        let back = format(InputMode::Hex, TextEncoding::Gbk, false, LineEnding::CrLf);
        assert_eq!(
            convert_message(&hex, InputMode::Text, &back).unwrap(),
            "你好 A"
        );
        // With escapes the bytes of "\r\n" are read, and come back as escapes.
        let escaped = format(InputMode::Text, TextEncoding::Utf8, true, LineEnding::None);
        let hex = convert_message(r"a\r\n\\", InputMode::Hex, &escaped).unwrap();
        assert_eq!(hex, "61 0D 0A 5C");
        let back = format(InputMode::Hex, TextEncoding::Utf8, true, LineEnding::None);
        assert_eq!(
            convert_message(&hex, InputMode::Text, &back).unwrap(),
            r"a\r\n\\"
        );
    }

    #[test]
    fn hex_that_is_not_text_stays_hex_and_says_which_byte() {
        let hex = format(InputMode::Hex, TextEncoding::Utf8, false, LineEnding::None);
        assert_eq!(
            convert_message("41 FF 42", InputMode::Text, &hex),
            Err(Error::NotText {
                encoding: "UTF-8",
                position: 2
            })
        );
        assert!(convert_message("4G", InputMode::Text, &hex).is_err());
    }

    #[test]
    fn split_evenly_keeps_every_byte_in_order() {
        assert_eq!(
            super::split_evenly(b"abcdefg", 3),
            [b"abc".to_vec(), b"de".to_vec(), b"fg".to_vec()]
        );
        assert_eq!(super::split_evenly(b"ab", 5).len(), 2);
        assert_eq!(super::split_evenly(b"abc", 0), [b"abc".to_vec()]);
    }

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
