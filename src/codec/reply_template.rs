//! Auto-replies built from what a rule matched: `${1}`…`${9}` (a regular expression's
//! groups), `${rx}` (the message), `${rx.hex}` (its bytes in hex), `${rx.len}` (its length)
//! and `${rx[A..B]}` (its bytes A up to B; `${rx[A..]}` to the end). Everything else is text
//! or hex as before; `$${` writes a literal `${`.

use crate::codec::hex::format_hex;
use crate::codec::{PayloadFormat, build_payload};
use crate::error::Error;

/// Groups a reply can name: `${1}` to `${9}`.
const MAX_GROUP: usize = 9;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Bytes(Vec<u8>),
    Group(usize),
    Message,
    MessageHex,
    MessageLen,
    /// Bytes `start` up to `end` (None: to the end), as many of them as the message has.
    MessageRange(usize, Option<usize>),
}

/// A rule's reply, parsed once when the rule is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTemplate {
    parts: Vec<Part>,
}

impl ReplyTemplate {
    /// Reads `reply` (text or hex, as `format` says); a reference that names nothing is
    /// refused with where it is and why.
    pub fn parse(reply: &str, format: &PayloadFormat) -> Result<ReplyTemplate, Error> {
        let refused = |reason: String| Error::InvalidRule {
            rule: format!("reply '{reply}'"),
            reason,
        };
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = reply;
        while let Some(at) = rest.find('$') {
            literal.push_str(&rest[..at]);
            let after = &rest[at..];
            if let Some(tail) = after.strip_prefix("$${") {
                literal.push_str("${");
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("${") {
                let end = tail.find('}').ok_or_else(|| {
                    refused(format!(
                        "the ${{ at position {} is never closed with }}",
                        reply.len() - after.len()
                    ))
                })?;
                push_literal(&mut parts, &mut literal, format)?;
                parts.push(reference(&tail[..end]).map_err(refused)?);
                rest = &tail[end + 1..];
            } else {
                literal.push('$');
                rest = &after[1..];
            }
        }
        literal.push_str(rest);
        push_literal(&mut parts, &mut literal, format)?;
        Ok(ReplyTemplate { parts })
    }

    /// The highest group the reply names (0: none).
    pub fn groups_named(&self) -> usize {
        self.parts
            .iter()
            .filter_map(|part| match part {
                Part::Group(n) => Some(*n),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// The reply for `message`, with `group(n)` the bytes of the match's group `n` (empty
    /// when the group took no part in the match).
    pub fn render(&self, message: &[u8], group: &dyn Fn(usize) -> Option<Vec<u8>>) -> Vec<u8> {
        let mut out = Vec::new();
        for part in &self.parts {
            match part {
                Part::Bytes(bytes) => out.extend_from_slice(bytes),
                Part::Group(n) => out.extend(group(*n).unwrap_or_default()),
                Part::Message => out.extend_from_slice(message),
                Part::MessageHex => out.extend_from_slice(format_hex(message).as_bytes()),
                Part::MessageLen => out.extend_from_slice(message.len().to_string().as_bytes()),
                Part::MessageRange(start, end) => {
                    let end = end.unwrap_or(message.len()).min(message.len());
                    out.extend_from_slice(message.get(*start..end).unwrap_or_default());
                }
            }
        }
        out
    }
}

/// The text or hex gathered since the last reference, as bytes.
fn push_literal(
    parts: &mut Vec<Part>,
    literal: &mut String,
    format: &PayloadFormat,
) -> Result<(), Error> {
    if !literal.trim().is_empty() || (!literal.is_empty() && format.mode == super::InputMode::Text)
    {
        parts.push(Part::Bytes(build_payload(literal, format)?));
    }
    literal.clear();
    Ok(())
}

/// What `${name}` stands for, or why it stands for nothing.
fn reference(name: &str) -> Result<Part, String> {
    let known = "a reply can use ${1}…${9}, ${rx}, ${rx.hex}, ${rx.len} and ${rx[A..B]} \
                 (write $${ for a literal ${)";
    match name {
        "rx" => return Ok(Part::Message),
        "rx.hex" => return Ok(Part::MessageHex),
        "rx.len" => return Ok(Part::MessageLen),
        _ => {}
    }
    if let Ok(n) = name.parse::<usize>() {
        return match n {
            1..=MAX_GROUP => Ok(Part::Group(n)),
            _ => Err(format!(
                "${{{name}}} names group {n}; groups go from 1 to {MAX_GROUP}"
            )),
        };
    }
    if let Some(range) = name.strip_prefix("rx[").and_then(|r| r.strip_suffix(']')) {
        let (start, end) = range
            .split_once("..")
            .ok_or_else(|| format!("${{{name}}}: write the bytes as rx[A..B] or rx[A..]"))?;
        let number = |text: &str| {
            text.trim()
                .parse::<usize>()
                .map_err(|_| format!("${{{name}}}: '{text}' is not a byte position"))
        };
        let start = number(start)?;
        let end = match end.trim() {
            "" => None,
            end => Some(number(end)?),
        };
        if end.is_some_and(|end| end < start) {
            return Err(format!("${{{name}}}: the range ends before it starts"));
        }
        return Ok(Part::MessageRange(start, end));
    }
    Err(format!("${{{name}}} is not a name a reply knows: {known}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::InputMode;

    fn text() -> PayloadFormat {
        PayloadFormat {
            escapes: true,
            ..PayloadFormat::default()
        }
    }

    fn hex() -> PayloadFormat {
        PayloadFormat {
            mode: InputMode::Hex,
            ..PayloadFormat::default()
        }
    }

    fn groups(list: &'static [&'static str]) -> impl Fn(usize) -> Option<Vec<u8>> {
        move |n| list.get(n - 1).map(|g| g.as_bytes().to_vec())
    }

    #[test]
    fn each_name_renders_what_it_names() {
        let reply = ReplyTemplate::parse(
            "ACK ${1}/${2} ${rx.len}: ${rx} [${rx.hex}] ${rx[1..3]}${rx[4..]}$${x}\\r\\n",
            &text(),
        )
        .unwrap();
        assert_eq!(reply.groups_named(), 2);
        let out = reply.render(b"ID=42", &groups(&["42", "x"]));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ACK 42/x 5: ID=42 [49 44 3D 34 32] D=2${x}\r\n"
        );
    }

    #[test]
    fn a_hex_reply_takes_the_message_s_bytes_and_a_short_message_gives_what_it_has() {
        let reply = ReplyTemplate::parse("${rx[0..2]} 00 06 ${rx[6..12]}", &hex()).unwrap();
        assert_eq!(
            reply.render(&[0x12, 0x34, 0, 0, 0, 6, 1, 3], &|_| None),
            vec![0x12, 0x34, 0, 6, 1, 3]
        );
        assert_eq!(reply.render(&[0x12], &|_| None), vec![0x12, 0, 6]);
    }

    #[test]
    fn a_bad_reference_is_refused_with_where_and_why() {
        for (reply, words) in [
            ("${0}", "groups go from 1 to 9"),
            ("${10}", "groups go from 1 to 9"),
            ("${seq}", "is not a name a reply knows"),
            ("${rx[4..2]}", "ends before it starts"),
            ("${rx[a..2]}", "'a' is not a byte position"),
            ("${rx[3]}", "write the bytes as rx[A..B]"),
            ("OK ${rx", "never closed"),
        ] {
            let error = ReplyTemplate::parse(reply, &text())
                .unwrap_err()
                .to_string();
            assert!(error.contains(words), "{reply}: {error}");
        }
    }

    #[test]
    fn a_reply_without_references_is_its_bytes() {
        let reply = ReplyTemplate::parse("PONG\\r\\n", &text()).unwrap();
        assert_eq!(reply.render(b"anything", &|_| None), b"PONG\r\n");
        assert_eq!(reply.groups_named(), 0);
    }
}
