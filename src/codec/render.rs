//! One-line renderings of received bytes for logs and the CLI.

use crate::codec::encoding::push_control_escape;

/// Makes decoded text fit on one line and safe for a terminal: CR, LF and tab become
/// `\r \n \t`, other C0 controls and DEL `\xNN`; what [`is_hidden`] names becomes
/// `\u{NNNN}`, so a peer can neither move the cursor nor reorder or break what is shown, and
/// two different messages never look the same. Escapes that the decoder wrote for bad bytes
/// pass through unchanged.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if push_control_escape(&mut out, c) {
            continue;
        }
        if is_hidden(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON line (from serde_json, which escapes C0 controls, `"` and `\`) with DEL and what
/// [`is_hidden`] names written as `\uNNNN` escapes too: a JSON reader gets the same text back,
/// while the line itself, on a terminal or in a file, hides and moves nothing, as
/// [`one_line`] makes a plain line. Outside strings a JSON line is ASCII, so every such
/// character is inside a string.
pub fn json_line_escaped(line: String) -> String {
    if !line.chars().any(|c| c == '\x7F' || is_hidden(c)) {
        return line;
    }
    let mut out = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if c == '\x7F' || is_hidden(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters not shown as they are, beyond C0 controls and DEL: those that change how a
/// terminal or a text view lays out what follows (C1 controls such as CSI U+009B, bidi marks,
/// embeddings, overrides and isolates, line and paragraph separators), and those that show
/// nothing (Unicode's format characters, such as U+FEFF, U+00AD, U+200B to U+200D and the tag
/// characters U+E0000 to U+E007F, and the invisible fillers), so two messages that differ look
/// different.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9F}'            // C1 controls (CSI, OSC, NEL, …)
        | '\u{AD}'                     // soft hyphen
        | '\u{034F}'                   // combining grapheme joiner
        | '\u{0600}'..='\u{0605}'      // Arabic number signs
        | '\u{061C}'                   // Arabic letter mark
        | '\u{06DD}' | '\u{070F}' | '\u{0890}' | '\u{0891}' | '\u{08E2}'
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
        | '\u{180E}'                   // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'      // zero-width space, (non-)joiner, LTR and RTL marks
        | '\u{2028}' | '\u{2029}'       // line and paragraph separators
        | '\u{202A}'..='\u{202E}'      // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'      // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'      // bidi isolates, deprecated format characters
        | '\u{FEFF}'                   // zero-width no-break space (byte order mark)
        | '\u{FFF9}'..='\u{FFFB}'      // interlinear annotation
        | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'    // Egyptian hieroglyph format controls
        | '\u{1BCA0}'..='\u{1BCA3}'    // shorthand format controls
        | '\u{1D173}'..='\u{1D17A}'    // musical symbol format controls
        | '\u{E0000}'..='\u{E007F}'    // tag characters
    )
}

/// 394781 as "394,781": large counts read at a glance.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
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

    /// Issue 25 item 21: invisible characters are shown, so two messages never look the same.
    #[test]
    fn invisible_characters_are_escaped() {
        assert_eq!(
            one_line("a\u{FEFF}b\u{AD}c\u{200D}d\u{E0041}\u{E007F}e\u{7F}"),
            "a\\u{FEFF}b\\u{00AD}c\\u{200D}d\\u{E0041}\\u{E007F}e\\x7F"
        );
    }

    /// The same characters in a JSON line become JSON escapes, and read back as they came.
    #[test]
    fn json_lines_escape_what_plain_lines_escape() {
        let text = "a\u{9B}2J\u{202E}b\u{2028}c\u{7F}\u{FEFF}\u{E0041} 你好";
        let line = serde_json::to_string(&serde_json::json!({ "text": text })).unwrap();
        let escaped = json_line_escaped(line);
        assert_eq!(
            escaped,
            r#"{"text":"a\u009b2J\u202eb\u2028c\u007f\ufeff\udb40\udc41 你好"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["text"], text);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(4 * 1024 * 1024), "4.0 MiB");
        assert_eq!(format_size(1536 * 1024 * 1024), "1.5 GiB");
    }
}
