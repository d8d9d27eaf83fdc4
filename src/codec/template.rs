//! Messages with variables, for every send and the stress tool alike: `${seq}`, `${client}`,
//! `${time}`, `${random:MIN:MAX}` and `${hex:BYTES}`.
//!
//! In text mode a number becomes its decimal digits; in hex mode it becomes big-endian hex
//! bytes (4 bytes, `${time}` 8), so binary protocols can carry a sequence number. `${hex:…}`
//! puts raw bytes into a text message (`OK${hex:0D 0A}`). Reading the clock for `${time}` is
//! the one thing here that is not a pure conversion.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::codec::hex::{format_hex, parse_hex};
use crate::codec::payload::{finish_payload, message_bytes};
use crate::codec::{InputMode, PayloadFormat};
use crate::error::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Seq,
    Client,
    /// Milliseconds since the Unix epoch.
    Time,
    Random {
        min: u64,
        max: u64,
    },
    Bytes(Vec<u8>),
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
    /// Parses `input`; a message is built once here, so a bad one fails before anything opens.
    pub fn parse(input: &str, format: PayloadFormat) -> Result<Template, Error> {
        let mut parts = Vec::new();
        let mut rest = input;
        while let Some(start) = rest.find("${") {
            let end = rest[start..]
                .find('}')
                .map(|e| start + e)
                .ok_or_else(|| Error::UnknownVariable(rest[start..].to_string()))?;
            if start > 0 {
                parts.push(Part::Literal(rest[..start].to_string()));
            }
            parts.push(parse_variable(&rest[start + 2..end])?);
            rest = &rest[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        // Raw bytes are as fixed as literal text: only numbers change between messages.
        let varies = parts
            .iter()
            .any(|p| !matches!(p, Part::Literal(_) | Part::Bytes(_)));
        let mut template = Template {
            parts,
            format,
            fixed: None,
        };
        let sample = template.render(Values {
            seq: 0,
            client: 0,
            random: 0,
        })?;
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

    /// The bytes of one message.
    pub fn render(&self, values: Values) -> Result<Vec<u8>, Error> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let hex = self.format.mode == InputMode::Hex;
        let mut bytes = Vec::new();
        let mut text = String::new();
        for part in &self.parts {
            let (value, width) = match part {
                Part::Literal(literal) => {
                    text.push_str(literal);
                    continue;
                }
                // In hex its own group; in text the bytes go in as they are, between the
                // encoded texts around them.
                Part::Bytes(raw) if hex => {
                    text.push_str(&format!(" {} ", format_hex(raw)));
                    continue;
                }
                Part::Bytes(raw) => {
                    bytes.extend(message_bytes(&std::mem::take(&mut text), &self.format)?);
                    bytes.extend_from_slice(raw);
                    continue;
                }
                Part::Seq => (values.seq, 8),
                Part::Client => (values.client, 8),
                Part::Time => (unix_millis(), 16),
                Part::Random { min, max } => {
                    // `max - min + 1` cannot overflow: parse refuses the full u64 range.
                    (min + values.random % (max - min + 1), 8)
                }
            };
            if hex {
                // A separate group, so the hex parser never joins it with a neighbour's digits.
                text.push_str(&format!(" {value:0width$x} "));
            } else {
                text.push_str(&value.to_string());
            }
        }
        bytes.extend(message_bytes(&text, &self.format)?);
        finish_payload(&mut bytes, &self.format);
        Ok(bytes)
    }
}

fn parse_variable(name: &str) -> Result<Part, Error> {
    let unknown = || Error::UnknownVariable(format!("${{{name}}}"));
    match name {
        "seq" => Ok(Part::Seq),
        "client" => Ok(Part::Client),
        "time" => Ok(Part::Time),
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
            if min > max || max - min == u64::MAX {
                return Err(unknown());
            }
            Ok(Part::Random { min, max })
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

    #[test]
    fn text_variables_become_decimal() {
        let t = Template::parse("req ${seq} from ${client}", format(InputMode::Text)).unwrap();
        assert_eq!(t.render(values(42, 7, 0)).unwrap(), b"req 42 from 7");
    }

    #[test]
    fn hex_variables_become_big_endian_bytes() {
        let t = Template::parse("AA ${seq} 55", format(InputMode::Hex)).unwrap();
        assert_eq!(
            t.render(values(0x0102, 0, 0)).unwrap(),
            [0xAA, 0, 0, 1, 2, 0x55]
        );
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
            t.render(values(0, 0, 0)).unwrap(),
            [0xC4, 0xE3, 0x00, 0xFF, 0xBA, 0xC3, b'\n']
        );
        let t = Template::parse("01 ${hex:0203}", format(InputMode::Hex)).unwrap();
        assert_eq!(t.render(values(0, 0, 0)).unwrap(), [1, 2, 3]);
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
            let text = String::from_utf8(t.render(values(0, 0, random.draw())).unwrap()).unwrap();
            let n: u64 = text.parse().unwrap();
            assert!((10..=12).contains(&n), "{n}");
        }
    }

    #[test]
    fn time_is_milliseconds_since_the_epoch() {
        let t = Template::parse("${time}", format(InputMode::Text)).unwrap();
        let text = String::from_utf8(t.render(values(0, 0, 0)).unwrap()).unwrap();
        let ms: u64 = text.parse().unwrap();
        assert!(ms.abs_diff(unix_millis()) < 60_000);
    }

    #[test]
    fn unknown_or_broken_variables_are_refused() {
        for bad in [
            "${nope}",
            "${seq",
            "${random:5:1}",
            "${random:a:b}",
            "${random:1}",
        ] {
            let err = Template::parse(bad, format(InputMode::Text)).unwrap_err();
            assert!(matches!(err, Error::UnknownVariable(_)), "{bad}: {err:?}");
        }
        assert_eq!(
            Template::parse("", format(InputMode::Text)).unwrap_err(),
            Error::EmptyMessage
        );
        assert!(Template::parse("zz ${seq}", format(InputMode::Hex)).is_err());
    }
}
