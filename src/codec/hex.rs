//! Hex input and output. Input takes what people paste from datasheets and other tools:
//! `48 65 6C`, `48656C`, `0x48,0x65`, `48-65`, any case, separated by spaces, newlines, `,`
//! `-` `:` or `;`. Positions in errors count characters from 1, as a person counts.

use std::fmt::Write as _;

use crate::error::Error;

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '-' | ':' | ';')
}

pub fn parse_hex(input: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::with_capacity(input.len() / 2);
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if is_separator(chars[i]) {
            i += 1;
            continue;
        }
        // A group runs to the next separator; a `0x` prefix belongs to the group.
        let group_start = i;
        if chars[i] == '0' && matches!(chars.get(i + 1), Some('x' | 'X')) {
            i += 2;
        }
        let digits_start = i;
        while i < chars.len() && !is_separator(chars[i]) {
            if !chars[i].is_ascii_hexdigit() {
                return Err(Error::InvalidHexDigit {
                    digit: chars[i],
                    position: i + 1,
                });
            }
            i += 1;
        }
        let digits = &chars[digits_start..i];
        if !digits.len().is_multiple_of(2) {
            return Err(Error::OddHexDigits {
                position: group_start + 1,
            });
        }
        for pair in digits.chunks(2) {
            // Both are ASCII hex digits, checked above.
            let high = pair[0].to_digit(16).unwrap_or(0) as u8;
            let low = pair[1].to_digit(16).unwrap_or(0) as u8;
            bytes.push(high << 4 | low);
        }
    }
    Ok(bytes)
}

/// `48 65 6C`: upper case, one space between bytes.
pub fn format_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02X}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_common_forms() {
        let hello = vec![0x48, 0x65, 0x6C];
        for input in [
            "48 65 6C",
            "48656C",
            "0x48,0x65,0x6c",
            "48-65-6c",
            "48\n65\r\n6C ",
            "0X48 0x656C",
        ] {
            assert_eq!(parse_hex(input).unwrap(), hello, "{input}");
        }
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn bad_digit_is_named_with_its_position() {
        assert_eq!(
            parse_hex("48 G5").unwrap_err().to_string(),
            "invalid hex digit 'G' at position 4"
        );
    }

    #[test]
    fn odd_digit_count_is_an_error() {
        let err = parse_hex("48 656").unwrap_err();
        assert_eq!(err, Error::OddHexDigits { position: 4 });
        assert!(err.to_string().starts_with("odd number of hex digits"));
    }

    #[test]
    fn formats_upper_case_with_spaces() {
        assert_eq!(format_hex(&[0x48, 0x65, 0x6C]), "48 65 6C");
        assert_eq!(format_hex(&[]), "");
    }
}
