//! Text escapes in typed messages: `\r \n \t \\ \0 \xNN`. `\xNN` is a raw byte, not a character,
//! so it is kept apart from text and never goes through the text encoding.

use crate::error::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Byte(u8),
}

/// Splits `input` into text runs and raw bytes. Positions in errors count characters from 1.
pub fn parse_escapes(input: &str) -> Result<Vec<Piece>, Error> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = input.chars().enumerate().peekable();
    while let Some((index, c)) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        let invalid = |escape: String| Error::InvalidEscape {
            escape,
            position: index + 1,
        };
        match chars.next().map(|(_, c)| c) {
            Some('r') => text.push('\r'),
            Some('n') => text.push('\n'),
            Some('t') => text.push('\t'),
            Some('0') => text.push('\0'),
            Some('\\') => text.push('\\'),
            Some('x') => {
                let high = chars.next().map(|(_, c)| c);
                let low = chars.next().map(|(_, c)| c);
                let byte = match (
                    high.and_then(|h| h.to_digit(16)),
                    low.and_then(|l| l.to_digit(16)),
                ) {
                    (Some(h), Some(l)) => (h << 4 | l) as u8,
                    _ => {
                        let seen: String = [high, low].into_iter().flatten().collect();
                        return Err(invalid(format!("\\x{seen}")));
                    }
                };
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Byte(byte));
            }
            Some(other) => return Err(invalid(format!("\\{other}"))),
            None => return Err(invalid("\\".to_string())),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_escapes_become_characters_and_bytes() {
        assert_eq!(
            parse_escapes(r"a\r\n\t\\\0b\x7Fz").unwrap(),
            vec![
                Piece::Text("a\r\n\t\\\0b".into()),
                Piece::Byte(0x7F),
                Piece::Text("z".into())
            ]
        );
    }

    #[test]
    fn unknown_or_short_escapes_are_errors_with_position() {
        assert_eq!(
            parse_escapes(r"ab\q").unwrap_err().to_string(),
            r"invalid escape '\q' at position 3 (use \r \n \t \\ \0 or \xNN)"
        );
        assert!(matches!(
            parse_escapes(r"\x4").unwrap_err(),
            Error::InvalidEscape { position: 1, .. }
        ));
        assert!(parse_escapes("end\\").is_err());
    }
}
