//! Text encodings (UTF-8 and GBK) over encoding_rs, with a streaming decoder per connection so a
//! character split across two reads decodes right, and undecodable bytes shown as `\xNN`.

use std::fmt::Write as _;

use encoding_rs::{DecoderResult, Encoding, GBK, UTF_8};
use serde::{Deserialize, Serialize};

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TextEncoding {
    #[default]
    Utf8,
    Gbk,
}

impl TextEncoding {
    pub const ALL: [TextEncoding; 2] = [TextEncoding::Utf8, TextEncoding::Gbk];

    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
        }
    }

    /// Accepts the names people type: `utf-8`, `utf8`, `gbk`, `gb2312`, `cp936`, any case.
    pub fn from_name(name: &str) -> Result<TextEncoding, Error> {
        match name.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            "gbk" | "gb2312" | "cp936" => Ok(TextEncoding::Gbk),
            _ => Err(Error::UnknownEncoding(name.to_string())),
        }
    }

    pub(crate) fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::Gbk => GBK,
        }
    }

    /// Encodes `text`; a character the encoding cannot represent is an error naming it
    /// (encoding_rs would silently write `&#NNNN;` instead).
    pub fn encode(self, text: &str) -> Result<Vec<u8>, Error> {
        let (bytes, _, had_unmappable) = self.encoding().encode(text);
        if !had_unmappable {
            return Ok(bytes.into_owned());
        }
        let mut buf = [0u8; 4];
        let character = text
            .chars()
            .find(|c| self.encoding().encode(c.encode_utf8(&mut buf)).2)
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        Err(Error::Unencodable {
            character,
            encoding: self.label(),
        })
    }

    /// How many bytes at the end of `head` + `body` (which starts on a character boundary)
    /// begin a character that is not finished yet: they belong with the bytes that follow.
    /// At most 3.
    pub fn unfinished_tail(self, head: &[u8], body: &[u8]) -> usize {
        let len = head.len() + body.len();
        let at = |i: usize| {
            if i < head.len() {
                head[i]
            } else {
                body[i - head.len()]
            }
        };
        match self {
            TextEncoding::Utf8 => {
                // UTF-8 synchronises itself: only the last few bytes matter.
                for back in 1..=len.min(3) {
                    let byte = at(len - back);
                    if byte & 0xC0 == 0x80 {
                        continue; // a continuation byte: look further back for the lead
                    }
                    let needed = match byte {
                        0xC2..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        0xF0..=0xF4 => 4,
                        _ => return 0,
                    };
                    return if back < needed { back } else { 0 };
                }
                0
            }
            TextEncoding::Gbk => {
                // GBK's trail bytes overlap ASCII, so walk forward from the known boundary.
                let mut i = 0;
                while i < len {
                    let byte = at(i);
                    if !(0x81..=0xFE).contains(&byte) {
                        i += 1;
                        continue;
                    }
                    if i + 1 >= len {
                        return len - i;
                    }
                    match at(i + 1) {
                        // GB18030 four-byte form: lead, digit, lead, digit.
                        0x30..=0x39 if i + 3 >= len => return len - i,
                        0x30..=0x39 => i += 4,
                        0x40..=0x7E | 0x80..=0xFE => i += 2,
                        _ => i += 1,
                    }
                }
                0
            }
        }
    }

    pub fn stream_decoder(self) -> StreamDecoder {
        StreamDecoder::new(self)
    }

    /// Decodes one complete message (a datagram, a log row) for display.
    pub fn decode_whole(self, bytes: &[u8]) -> String {
        self.stream_decoder().feed(bytes, true)
    }
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// How many bytes before the current chunk a malformed sequence can reach back
/// (the longest UTF-8 or GBK sequence is 4 bytes).
const HISTORY: usize = 4;

/// Decodes a byte stream chunk by chunk, carrying an incomplete character over to the next chunk.
pub struct StreamDecoder {
    decoder: encoding_rs::Decoder,
    /// The last bytes fed before the current chunk: encoding_rs reports malformed sequences by
    /// length, and such a sequence may have started in an earlier chunk.
    history: Vec<u8>,
}

impl StreamDecoder {
    pub fn new(encoding: TextEncoding) -> StreamDecoder {
        StreamDecoder {
            decoder: encoding.encoding().new_decoder_without_bom_handling(),
            history: Vec::with_capacity(HISTORY * 2),
        }
    }

    /// Decodes `chunk`; bytes that cannot be decoded come out as `\xNN`. With `last`, an
    /// incomplete character at the end is flushed as `\xNN` too.
    pub fn feed(&mut self, chunk: &[u8], last: bool) -> String {
        let mut out = String::new();
        let mut pos = 0;
        loop {
            let needed = self
                .decoder
                .max_utf8_buffer_length_without_replacement(chunk.len() - pos)
                .unwrap_or(chunk.len() * 3 + 16);
            out.reserve(needed);
            let (result, read) =
                self.decoder
                    .decode_to_string_without_replacement(&chunk[pos..], &mut out, last);
            pos += read;
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => continue,
                DecoderResult::Malformed(bad, after) => {
                    let end = pos as isize - after as isize;
                    for index in end - bad as isize..end {
                        let byte = if index >= 0 {
                            chunk[index as usize]
                        } else {
                            self.history[(self.history.len() as isize + index) as usize]
                        };
                        push_byte_escape(&mut out, byte);
                    }
                }
            }
        }
        self.history
            .extend_from_slice(&chunk[chunk.len().saturating_sub(HISTORY)..]);
        let excess = self.history.len().saturating_sub(HISTORY);
        self.history.drain(..excess);
        out
    }
}

pub fn push_byte_escape(out: &mut String, byte: u8) {
    // Writing to a String cannot fail.
    let _ = write!(out, "\\x{byte:02X}");
}

/// Writes a C0 control or DEL as an escape the message box reads back (`\r \n \t`, else
/// `\xNN`); false, and nothing written, for any other character.
pub fn push_control_escape(out: &mut String, c: char) -> bool {
    match c {
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 || c == '\x7F' => push_byte_escape(out, c as u8),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_encodes_chinese() {
        assert_eq!(
            TextEncoding::Gbk.encode("你好").unwrap(),
            vec![0xC4, 0xE3, 0xBA, 0xC3]
        );
    }

    #[test]
    fn unencodable_character_is_named() {
        let err = TextEncoding::Gbk.encode("a😀b").unwrap_err();
        assert_eq!(err.to_string(), "'😀' (U+1F600) cannot be encoded in GBK");
    }

    #[test]
    fn split_gbk_character_decodes_across_chunks() {
        let mut decoder = TextEncoding::Gbk.stream_decoder();
        let first = decoder.feed(&[0x41, 0xC4], false);
        let second = decoder.feed(&[0xE3, 0x42], false);
        assert_eq!(first + &second, "A你B");
    }

    #[test]
    fn split_utf8_character_decodes_across_chunks() {
        let bytes = "é中".as_bytes();
        let mut decoder = TextEncoding::Utf8.stream_decoder();
        let text: String = bytes.chunks(1).map(|c| decoder.feed(c, false)).collect();
        assert_eq!(text, "é中");
    }

    #[test]
    fn invalid_bytes_show_as_escapes() {
        assert_eq!(TextEncoding::Utf8.decode_whole(b"a\xFFb"), "a\\xFFb");
        assert_eq!(
            TextEncoding::Utf8.decode_whole(b"ok\xE4\xBD"),
            "ok\\xE4\\xBD"
        );
    }

    #[test]
    fn malformed_sequence_started_in_earlier_chunk_is_shown_with_its_bytes() {
        let mut decoder = TextEncoding::Utf8.stream_decoder();
        let text = decoder.feed(b"x\xE4", false) + &decoder.feed(b"A", true);
        assert_eq!(text, "x\\xE4A");
    }

    #[test]
    fn unfinished_tails() {
        let utf8 = TextEncoding::Utf8;
        assert_eq!(utf8.unfinished_tail(b"", "a中".as_bytes()), 0);
        assert_eq!(utf8.unfinished_tail(b"", &"a中".as_bytes()[..2]), 1);
        assert_eq!(utf8.unfinished_tail(&[0xE4], &[0xB8]), 2);
        assert_eq!(
            utf8.unfinished_tail(b"", b"a\xFF"),
            0,
            "invalid, not unfinished"
        );
        let gbk = TextEncoding::Gbk;
        assert_eq!(gbk.unfinished_tail(b"", &[0x41, 0xC4]), 1);
        assert_eq!(gbk.unfinished_tail(b"", &[0xC4, 0xE3]), 0);
        // 0xE3 here is a trail byte, not a lead: walking from the start tells them apart.
        assert_eq!(gbk.unfinished_tail(&[0xC4], &[0xE3, 0xBA]), 1);
        assert_eq!(gbk.unfinished_tail(b"", &[0x81, 0x30, 0x81]), 3);
    }

    #[test]
    fn names_are_accepted_in_any_case() {
        assert_eq!(TextEncoding::from_name("UTF8").unwrap(), TextEncoding::Utf8);
        assert_eq!(TextEncoding::from_name("Gbk").unwrap(), TextEncoding::Gbk);
        assert!(TextEncoding::from_name("latin1").is_err());
    }
}
