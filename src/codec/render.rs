//! One-line renderings of received bytes for logs and the CLI.

use crate::codec::encoding::push_control_escape;

/// Makes decoded text fit on one line and safe for a terminal: CR, LF and tab become
/// `\r \n \t`, other C0 controls and DEL `\xNN`; C1 controls (one-character terminal
/// escapes such as U+009B), bidirectional overrides and isolates, and line and paragraph
/// separators become `\u{NNNN}`, so a peer can neither move the cursor nor reorder or break
/// what is shown. Escapes that the decoder wrote for bad bytes pass through unchanged.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if push_control_escape(&mut out, c) {
            continue;
        }
        if is_invisible_control(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that change how a terminal or a text view lays out what follows.
fn is_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9F}'          // C1 controls (CSI, OSC, NEL, …)
        | '\u{061C}'                 // Arabic letter mark
        | '\u{200E}' | '\u{200F}'     // left-to-right and right-to-left marks
        | '\u{2028}' | '\u{2029}'     // line and paragraph separators
        | '\u{202A}'..='\u{202E}'    // bidi embeddings and overrides
        | '\u{2066}'..='\u{2069}'    // bidi isolates
    )
}

/// A byte count for people: `512 B`, `4.0 KiB`, `64.0 MiB`, `1.5 GiB`.
pub fn format_size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
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

    #[test]
    fn c1_controls_bidi_overrides_and_separators_are_escaped() {
        assert_eq!(
            one_line("a\u{9B}31m\u{202E}txt\u{2028}b\u{2066}\u{85}"),
            "a\\u{009B}31m\\u{202E}txt\\u{2028}b\\u{2066}\\u{0085}"
        );
        assert_eq!(one_line("é — 你好"), "é — 你好", "ordinary text stays");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(4 * 1024 * 1024), "4.0 MiB");
        assert_eq!(format_size(1536 * 1024 * 1024), "1.5 GiB");
    }
}
