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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\r\nb\t\x01你"), "a\\r\\nb\\t\\x01你");
    }
}
