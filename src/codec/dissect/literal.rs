//! A message as a C array or a Python bytes literal (to paste into the program on the other
//! end), and Base64 both ways.

use std::fmt::Write;

use super::Problem;

/// `{0x01, 0x03, 0x00}`.
pub fn c_literal(bytes: &[u8]) -> String {
    let items: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
    format!("{{{}}}", items.join(", "))
}

/// `b'OK\r\n\x01'`: the bytes exactly as Python's `repr` prints them (what a Python program's
/// `print(conn.recv(1024))` shows): printable ASCII as itself, the rest escaped, in double
/// quotes when the bytes hold a `'` and no `"`.
pub fn python_literal(bytes: &[u8]) -> String {
    let quote = python_quote(bytes.contains(&b'\''), bytes.contains(&b'"'));
    let mut out = format!("b{quote}");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            _ if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7E => out.push(char::from(b)),
            // Writing to a String cannot fail.
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
    out
}

/// `'你好\r\n'`: text as Python's `repr` prints a `str` (what `data.decode('gbk')` shows at
/// Python's prompt). Characters Python counts as unprintable are escaped; this knows those
/// of ASCII, Latin-1, and the spaces, marks and private-use ranges text from a device or a
/// Chinese page holds (Python's full list comes from the Unicode database).
pub fn python_str_literal(text: &str) -> String {
    let quote = python_quote(text.contains('\''), text.contains('"'));
    let mut out = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            _ if c == quote => {
                out.push('\\');
                out.push(quote);
            }
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            _ if python_prints(c) => out.push(c),
            // Writing to a String cannot fail.
            _ => {
                let code = u32::from(c);
                let _ = match code {
                    0..=0xFF => write!(out, "\\x{code:02x}"),
                    0x100..=0xFFFF => write!(out, "\\u{code:04x}"),
                    _ => write!(out, "\\U{code:08x}"),
                };
            }
        }
    }
    out.push(quote);
    out
}

/// Python's choice of quote: `'`, unless the text holds a `'` and no `"`.
fn python_quote(single: bool, double: bool) -> char {
    if single && !double { '"' } else { '\'' }
}

/// Whether Python's `str.isprintable` holds for a character beyond ASCII: not a control,
/// format, separator (other than the ASCII space), surrogate or private-use character.
fn python_prints(c: char) -> bool {
    !matches!(u32::from(c),
        0x00..=0x1F | 0x7F..=0xA0 | 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F
        | 0x1680 | 0x180E | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x2064
        | 0x2066..=0x206F | 0x3000 | 0xD800..=0xF8FF | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xF0000..=0x10FFFF)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard Base64 with padding (RFC 4648).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard or URL-safe Base64, padded or not, whitespace ignored; where it fails, why.
pub fn base64_decode(text: &[u8]) -> Result<Vec<u8>, Problem> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut bits, mut count) = (0u32, 0u32);
    let mut padding = false;
    for (position, &c) in text.iter().enumerate() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => {
                return Err(Problem::new(
                    "not Base64: byte {position} ({value}) is not a Base64 character",
                    [
                        ("position", (position + 1).to_string()),
                        ("value", format!("0x{c:02X}")),
                    ],
                ));
            }
        };
        if padding {
            return Err(Problem::new(
                "not Base64: byte {position} follows the '=' padding",
                [("position", (position + 1).to_string())],
            ));
        }
        bits = bits << 6 | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    if count >= 6 {
        return Err(Problem::new(
            "not Base64: one character too many at the end",
            [],
        ));
    }
    Ok(out)
}
