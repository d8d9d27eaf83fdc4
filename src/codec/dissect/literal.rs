//! A message as a C array or a Python bytes literal (to paste into the program on the other
//! end), and Base64 both ways.

use std::fmt::Write;

use super::Problem;

/// `{0x01, 0x03, 0x00}`.
pub fn c_literal(bytes: &[u8]) -> String {
    let items: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
    format!("{{{}}}", items.join(", "))
}

/// `b'OK\r\n\x01'`: printable ASCII as itself, the rest escaped as Python reads them.
pub fn python_literal(bytes: &[u8]) -> String {
    let mut out = String::from("b'");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
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
    out.push('\'');
    out
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
