//! One-line renderings of received bytes for logs and the CLI.

use crate::codec::encoding::push_byte_escape;

/// Makes decoded text fit on one line: CR, LF and tab become `\r \n \t`, other control
/// characters `\xNN`. Escapes that the decoder wrote for bad bytes pass through unchanged.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\x7F' => push_byte_escape(&mut out, c as u8),
            c => out.push(c),
        }
    }
    out
}

/// Bytes per line of a hex dump.
pub const DUMP_WIDTH: usize = 16;

/// A classic hex dump: `0000  48 65 6C …  Hel…`, offsets in hex, printable ASCII beside.
pub fn hex_dump(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(DUMP_WIDTH) * (8 + DUMP_WIDTH * 4));
    for (line, chunk) in data.chunks(DUMP_WIDTH).enumerate() {
        if line > 0 {
            out.push('\n');
        }
        let hex = crate::codec::hex::format_hex(chunk);
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "{:04X}  {hex:<width$}  {ascii}",
            line * DUMP_WIDTH,
            width = DUMP_WIDTH * 3 - 1
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_has_offsets_hex_and_ascii() {
        let dump = hex_dump(b"Hello, world! 0123\x01");
        let lines: Vec<&str> = dump.lines().collect();
        assert_eq!(
            lines[0],
            "0000  48 65 6C 6C 6F 2C 20 77 6F 72 6C 64 21 20 30 31  Hello, world! 01"
        );
        assert_eq!(
            lines[1],
            "0010  32 33 01                                         23."
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\r\nb\t\x01你"), "a\\r\\nb\\t\\x01你");
    }
}
