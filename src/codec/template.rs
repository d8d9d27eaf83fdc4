//! Messages with variables, for every send and the stress tool alike: `${seq}`, `${client}`
//! (stress only), `${time}`, `${random:MIN:MAX}` and `${hex:BYTES}`; `$${` is a literal `${`.
//!
//! In text mode a number becomes its decimal digits; in hex mode it becomes big-endian bytes
//! (4 bytes, `${time}` 8), so binary protocols can carry a sequence number. `${hex:…}` puts raw
//! bytes into a text message (`OK${hex:0D 0A}`). Everything that can be wrong with a message
//! is found when it is parsed: the text around the variables is turned into bytes once, there,
//! so rendering a message that parsed cannot fail (a repeater or a stress client never stops on
//! a bad message halfway). Reading the clock for `${time}` is the one thing here that is not a
//! pure conversion.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::codec::hex::{format_hex, parse_hex};
use crate::codec::payload::{finish_payload, message_bytes};
use crate::codec::{InputMode, PayloadFormat};
use crate::error::Error;

/// The largest number a variable takes in hex mode, where it is 4 bytes.
const HEX_NUMBER_MAX: u64 = u32::MAX as u64;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Text already encoded (or hex already parsed), and raw `${hex:…}` bytes.
    Bytes(Vec<u8>),
    Number(Number),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    Seq,
    Client,
    /// Milliseconds since the Unix epoch.
    Time,
    Random {
        min: u64,
        max: u64,
    },
}

/// What varies between messages.
#[derive(Debug, Clone, Copy)]
pub struct Values {
    pub seq: u64,
    pub client: u64,
    /// Drawn from the client's own generator for `${random}`.
    pub random: u64,
}

#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
    format: PayloadFormat,
    /// The bytes when nothing varies, built once.
    fixed: Option<Vec<u8>>,
}

impl Template {
    /// Parses `input`; every mistake is found here, so a bad message fails before anything
    /// opens. `${client}` is refused: it has a value only in the stress tool.
    pub fn parse(input: &str, format: PayloadFormat) -> Result<Template, Error> {
        Template::parse_in(input, format, false)
    }

    /// Parses a stress run's message, where `${client}` is the client's number (1..N).
    pub fn parse_for_stress(input: &str, format: PayloadFormat) -> Result<Template, Error> {
        Template::parse_in(input, format, true)
    }

    fn parse_in(input: &str, format: PayloadFormat, stress: bool) -> Result<Template, Error> {
        let hex = format.mode == InputMode::Hex;
        let mut parts = Vec::new();
        // Literal text not yet turned into bytes, and where it starts (in characters).
        let mut text = String::new();
        let mut text_at = 0;
        let flush = |text: &mut String, at: usize, parts: &mut Vec<Part>| {
            if text.is_empty() {
                return Ok(());
            }
            let bytes = message_bytes(text, &format).map_err(|e| shifted(e, at))?;
            text.clear();
            parts.push(Part::Bytes(bytes));
            Ok::<(), Error>(())
        };
        let mut rest = input;
        while let Some(start) = rest.find("${") {
            let before = &rest[..start];
            if text.is_empty() {
                text_at = input[..input.len() - rest.len()].chars().count();
            }
            // `$${` is a literal `${`.
            if let Some(kept) = before.strip_suffix('$') {
                text.push_str(kept);
                text.push_str("${");
                rest = &rest[start + 2..];
                continue;
            }
            text.push_str(before);
            let end = rest[start..]
                .find('}')
                .map(|e| start + e)
                .ok_or_else(|| Error::UnknownVariable(rest[start..].to_string()))?;
            let part = parse_variable(&rest[start + 2..end], hex, stress)?;
            rest = &rest[end + 1..];
            // Raw bytes join the text around them in hex (a group of their own); in text they
            // go in as they are, between the encoded texts around them.
            match part {
                Part::Bytes(raw) if hex => {
                    text.push_str(&format!(" {} ", format_hex(&raw)));
                    continue;
                }
                part => {
                    flush(&mut text, text_at, &mut parts)?;
                    parts.push(part);
                }
            }
        }
        if text.is_empty() {
            text_at = input[..input.len() - rest.len()].chars().count();
        }
        text.push_str(rest);
        flush(&mut text, text_at, &mut parts)?;
        let varies = parts.iter().any(|p| matches!(p, Part::Number(_)));
        let mut template = Template {
            parts,
            format,
            fixed: None,
        };
        let sample = template.render(Values {
            seq: 0,
            client: 0,
            random: 0,
        });
        if sample.is_empty() {
            return Err(Error::EmptyMessage);
        }
        if !varies {
            template.fixed = Some(sample);
        }
        Ok(template)
    }

    /// A message that has no variables: these bytes each time.
    pub fn from_bytes(bytes: Vec<u8>) -> Template {
        Template {
            parts: Vec::new(),
            format: PayloadFormat::default(),
            fixed: Some(bytes),
        }
    }

    /// The bytes of one message. It cannot fail: whatever could was refused by `parse`.
    pub fn render(&self, values: Values) -> Vec<u8> {
        if let Some(fixed) = &self.fixed {
            return fixed.clone();
        }
        let hex = self.format.mode == InputMode::Hex;
        let mut bytes = Vec::new();
        for part in &self.parts {
            let number = match part {
                Part::Bytes(raw) => {
                    bytes.extend_from_slice(raw);
                    continue;
                }
                Part::Number(number) => *number,
            };
            let value = match number {
                Number::Seq => values.seq,
                Number::Client => values.client,
                Number::Time => unix_millis(),
                Number::Random { min, max } => match (max - min).checked_add(1) {
                    Some(span) => min + values.random % span,
                    None => values.random,
                },
            };
            match number {
                _ if !hex => bytes.extend_from_slice(value.to_string().as_bytes()),
                Number::Time => bytes.extend_from_slice(&value.to_be_bytes()),
                // Four bytes: a counter past 4294967295 wraps as a 32-bit counter does, and a
                // random number fits (parse refused a larger maximum).
                _ => bytes.extend_from_slice(&(value as u32).to_be_bytes()),
            }
        }
        finish_payload(&mut bytes, &self.format);
        bytes
    }
}

/// `error` about text that starts `at` characters into the message, with its position counted
/// from the message's start.
fn shifted(error: Error, at: usize) -> Error {
    match error {
        Error::InvalidHexDigit { digit, position } => Error::InvalidHexDigit {
            digit,
            position: position + at,
        },
        Error::OddHexDigits { position } => Error::OddHexDigits {
            position: position + at,
        },
        Error::InvalidEscape { escape, position } => Error::InvalidEscape {
            escape,
            position: position + at,
        },
        other => other,
    }
}

fn parse_variable(name: &str, hex: bool, stress: bool) -> Result<Part, Error> {
    let unknown = || Error::UnknownVariable(format!("${{{name}}}"));
    match name {
        "seq" => Ok(Part::Number(Number::Seq)),
        "client" if stress => Ok(Part::Number(Number::Client)),
        "client" => Err(Error::ClientOutsideStress),
        "time" => Ok(Part::Number(Number::Time)),
        _ if name.starts_with("hex:") => parse_hex(&name[4..])
            .ok()
            .filter(|bytes| !bytes.is_empty())
            .map(Part::Bytes)
            .ok_or_else(unknown),
        _ => {
            let range = name.strip_prefix("random:").ok_or_else(unknown)?;
            let (min, max) = range.split_once(':').ok_or_else(unknown)?;
            let number = |s: &str| s.trim().parse::<u64>().map_err(|_| unknown());
            let (min, max) = (number(min)?, number(max)?);
            if min > max {
                return Err(Error::RandomRange { min, max });
            }
            if hex && max > HEX_NUMBER_MAX {
                return Err(Error::RandomOverHexBytes { min, max });
            }
            Ok(Part::Number(Number::Random { min, max }))
        }
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A small fast generator (SplitMix64) for `${random}`: one per client, no locking.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed ^ unix_millis().rotate_left(17))
    }

    pub fn draw(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Checksum, LineEnding, TextEncoding};

    fn format(mode: InputMode) -> PayloadFormat {
        PayloadFormat {
            mode,
            encoding: TextEncoding::Utf8,
            escapes: false,
            line_ending: LineEnding::None,
            checksum: Checksum::None,
        }
    }

    fn values(seq: u64, client: u64, random: u64) -> Values {
        Values {
            seq,
            client,
            random,
        }
    }

    fn text(template: &Template, values: Values) -> String {
        String::from_utf8(template.render(values)).unwrap()
    }

    #[test]
    fn text_variables_become_decimal() {
        let t = Template::parse_for_stress("req ${seq} from ${client}", format(InputMode::Text))
            .unwrap();
        assert_eq!(text(&t, values(42, 7, 0)), "req 42 from 7");
    }

    #[test]
    fn hex_variables_become_big_endian_bytes() {
        let t = Template::parse("AA ${seq} 55", format(InputMode::Hex)).unwrap();
        assert_eq!(t.render(values(0x0102, 0, 0)), [0xAA, 0, 0, 1, 2, 0x55]);
    }

    #[test]
    fn hex_variables_put_raw_bytes_into_text() {
        let gbk = PayloadFormat {
            encoding: TextEncoding::Gbk,
            line_ending: LineEnding::Lf,
            ..format(InputMode::Text)
        };
        let t = Template::parse("你${hex:00 FF}好", gbk).unwrap();
        assert_eq!(
            t.render(values(0, 0, 0)),
            [0xC4, 0xE3, 0x00, 0xFF, 0xBA, 0xC3, b'\n']
        );
        let t = Template::parse("01 ${hex:0203}", format(InputMode::Hex)).unwrap();
        assert_eq!(t.render(values(0, 0, 0)), [1, 2, 3]);
        assert_eq!(
            t.fixed.as_deref(),
            Some(&[1u8, 2, 3][..]),
            "built once, not per send"
        );
        for bad in ["${hex:}", "${hex:zz}", "${hex:123}"] {
            assert!(
                Template::parse(bad, format(InputMode::Text)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn random_stays_in_its_range() {
        let t = Template::parse("${random:10:12}", format(InputMode::Text)).unwrap();
        let mut random = Random::new(1);
        for _ in 0..200 {
            let n: u64 = text(&t, values(0, 0, random.draw())).parse().unwrap();
            assert!((10..=12).contains(&n), "{n}");
        }
        let all =
            Template::parse("${random:0:18446744073709551615}", format(InputMode::Text)).unwrap();
        assert_eq!(text(&all, values(0, 0, u64::MAX)), u64::MAX.to_string());
    }

    #[test]
    fn time_is_milliseconds_since_the_epoch() {
        let t = Template::parse("${time}", format(InputMode::Text)).unwrap();
        let ms: u64 = text(&t, values(0, 0, 0)).parse().unwrap();
        assert!(ms.abs_diff(unix_millis()) < 60_000);
    }

    /// Issue 25 item 13: a message that parsed renders for every value; what could not
    /// (a random number wider than 4 bytes in hex, an escape that a number would finish) is
    /// refused when parsed.
    #[test]
    fn a_message_that_parsed_renders_for_every_value() {
        let hex = format(InputMode::Hex);
        assert_eq!(
            Template::parse("01 ${random:0:5000000000}", hex).unwrap_err(),
            Error::RandomOverHexBytes {
                min: 0,
                max: 5_000_000_000
            }
        );
        let t = Template::parse("01 ${random:0:4294967295} ${seq}", hex).unwrap();
        for (seq, random) in [(0, 0), (u64::MAX, u64::MAX), (1 << 32, 1 << 40)] {
            assert_eq!(t.render(values(seq, 0, random)).len(), 9, "{seq} {random}");
        }
        assert_eq!(
            t.render(values(0x1_0000_0002, 0, 0))[5..],
            [0, 0, 0, 2],
            "a 4-byte counter wraps"
        );
        let escapes = PayloadFormat {
            escapes: true,
            ..format(InputMode::Text)
        };
        // Before, `\` and the digits of ${seq} made `\0` for 0 and a bad escape for 1.
        assert_eq!(
            Template::parse(r"ab\${seq}", escapes).unwrap_err(),
            Error::InvalidEscape {
                escape: "\\".to_string(),
                position: 3
            }
        );
        let t = Template::parse(r"\x41${random:0:1000}\r\n", escapes).unwrap();
        assert_eq!(text(&t, values(0, 0, 999)), "A999\r\n");
        assert_eq!(
            Template::parse("AA ${seq} 0G", hex).unwrap_err(),
            Error::InvalidHexDigit {
                digit: 'G',
                position: 12
            },
            "positions count from the message's start"
        );
    }

    #[test]
    fn a_doubled_dollar_is_a_literal_variable_start() {
        let t = Template::parse("cost $${seq} = ${seq}$$", format(InputMode::Text)).unwrap();
        assert_eq!(text(&t, values(5, 0, 0)), "cost ${seq} = 5$$");
        let t = Template::parse("$${", format(InputMode::Text)).unwrap();
        assert_eq!(text(&t, values(0, 0, 0)), "${");
        assert!(t.fixed.is_some(), "nothing varies");
    }

    #[test]
    fn client_is_a_stress_variable_only() {
        assert_eq!(
            Template::parse("n ${client}", format(InputMode::Text)).unwrap_err(),
            Error::ClientOutsideStress
        );
        assert!(Template::parse_for_stress("n ${client}", format(InputMode::Text)).is_ok());
    }

    #[test]
    fn unknown_or_broken_variables_are_refused() {
        for bad in ["${nope}", "${seq", "${random:a:b}", "${random:1}"] {
            let err = Template::parse(bad, format(InputMode::Text)).unwrap_err();
            assert!(matches!(err, Error::UnknownVariable(_)), "{bad}: {err:?}");
        }
        let err = Template::parse("${random:5:1}", format(InputMode::Text)).unwrap_err();
        assert_eq!(err, Error::RandomRange { min: 5, max: 1 });
        assert!(
            err.to_string().contains("min 5 is greater than max 1"),
            "{err}"
        );
        assert_eq!(
            Template::parse("", format(InputMode::Text)).unwrap_err(),
            Error::EmptyMessage
        );
        assert!(Template::parse("zz ${seq}", format(InputMode::Hex)).is_err());
    }
}
