//! Auto-reply rules: when a received message matches, send a reply, now or after a delay.
//! The engine answers on the reader's side of each connection (see `connection.rs`), for the
//! desktop app and the command line alike; no I/O here.

use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::codec::hex::parse_hex;
use crate::codec::reply_template::ReplyTemplate;
use crate::codec::{Checksum, InputMode, PayloadFormat, TextEncoding};
use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MatchKind {
    /// Every message.
    #[default]
    Any,
    /// The message's text contains the pattern.
    ContainsText,
    /// The message's bytes contain the pattern's bytes, written in hex.
    ContainsHex,
    /// The message's text starts with the pattern.
    StartsWith,
    /// The message's text matches the pattern as a regular expression.
    Regex,
}

impl MatchKind {
    pub const ALL: [MatchKind; 5] = [
        MatchKind::Any,
        MatchKind::ContainsText,
        MatchKind::ContainsHex,
        MatchKind::StartsWith,
        MatchKind::Regex,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MatchKind::Any => "any message",
            MatchKind::ContainsText => "contains text",
            MatchKind::ContainsHex => "contains hex",
            MatchKind::StartsWith => "starts with",
            MatchKind::Regex => "matches regex",
        }
    }
}

/// A rule as a person writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rule {
    pub enabled: bool,
    pub kind: MatchKind,
    pub pattern: String,
    pub reply: String,
    /// The reply is hex, not text.
    pub reply_hex: bool,
    pub delay_ms: u64,
    /// Appended to the reply as built (after `${1}`, `${rx}`… are filled in).
    pub checksum: Checksum,
}

impl Default for Rule {
    fn default() -> Rule {
        Rule {
            enabled: true,
            kind: MatchKind::ContainsText,
            pattern: String::new(),
            reply: String::new(),
            reply_hex: false,
            delay_ms: 0,
            checksum: Checksum::None,
        }
    }
}

impl Rule {
    /// Parses the command line's `MATCH=>REPLY`: MATCH is text to look for, `hex:…` bytes
    /// to look for, `^…` a start, `re:…` a regular expression, or `*` for any message;
    /// REPLY is text (escapes such as `\r\n` work), or `hex:…`.
    pub fn parse(spec: &str) -> Result<Rule, Error> {
        let (matcher, reply) = spec.split_once("=>").ok_or_else(|| Error::InvalidRule {
            rule: spec.to_string(),
            reason: "write it as MATCH=>REPLY".to_string(),
        })?;
        let empty = |reason: &str| Error::InvalidRule {
            rule: spec.to_string(),
            reason: reason.to_string(),
        };
        if matcher.is_empty() {
            return Err(empty(
                "the MATCH is empty (write * to answer every message)",
            ));
        }
        if reply.is_empty() || reply == "hex:" {
            return Err(empty("the REPLY is empty: say what to send back"));
        }
        let (kind, pattern) = if matcher == "*" {
            (MatchKind::Any, "")
        } else if let Some(hex) = matcher.strip_prefix("hex:") {
            (MatchKind::ContainsHex, hex)
        } else if let Some(re) = matcher.strip_prefix("re:") {
            (MatchKind::Regex, re)
        } else if let Some(start) = matcher.strip_prefix('^') {
            (MatchKind::StartsWith, start)
        } else {
            (MatchKind::ContainsText, matcher)
        };
        let (reply, reply_hex) = match reply.strip_prefix("hex:") {
            Some(hex) => (hex, true),
            None => (reply, false),
        };
        Ok(Rule {
            enabled: true,
            kind,
            pattern: pattern.to_string(),
            reply: reply.to_string(),
            reply_hex,
            ..Rule::default()
        })
    }
}

/// What a received message is matched against: a rule's, or a sequence's wait for a reply.
#[derive(Clone)]
pub(crate) enum Matcher {
    Any,
    Text(String),
    Bytes(Vec<u8>),
    Start(String),
    Regex(Regex),
}

struct Compiled {
    matcher: Matcher,
    reply: ReplyTemplate,
    checksum: Checksum,
    delay: Duration,
}

/// Echo and the enabled rules, compiled once and shared by every connection of a session.
pub struct Responder {
    rules: Vec<Compiled>,
    /// Send every message back to where it came from.
    echo: bool,
    encoding: TextEncoding,
}

/// What answers one received message.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Replies {
    /// To send at once, in order.
    pub now: Vec<Vec<u8>>,
    /// To send after a delay.
    pub later: Option<(Duration, Vec<u8>)>,
}

impl Responder {
    /// Checks and compiles `rules` (disabled ones are left out); text replies are encoded in
    /// `encoding`, and text matchers see received bytes decoded from it.
    pub fn new(rules: &[Rule], echo: bool, encoding: TextEncoding) -> Result<Responder, Error> {
        let compiled = rules
            .iter()
            .filter(|rule| rule.enabled)
            .map(|rule| compile(rule, encoding))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Responder {
            rules: compiled,
            echo,
            encoding,
        })
    }

    pub fn is_active(&self) -> bool {
        self.echo || !self.rules.is_empty()
    }

    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Whether any rule looks at text (so the reader decodes what it receives).
    pub fn needs_text(&self) -> bool {
        self.rules.iter().any(|rule| rule.matcher.needs_text())
    }

    /// The answers to a received message (`text` is its decoded form, or empty when no rule
    /// needs text): echo first, then the first rule that matches.
    pub fn replies(&self, data: &[u8], text: &str) -> Replies {
        let mut replies = Replies::default();
        if self.echo {
            replies.now.push(data.to_vec());
        }
        if let Some(rule) = self
            .rules
            .iter()
            .find(|rule| rule.matcher.matches(data, text))
        {
            let reply = self.build(rule, data, text);
            if rule.delay.is_zero() {
                replies.now.push(reply);
            } else {
                replies.later = Some((rule.delay, reply));
            }
        }
        replies
    }

    /// The rule's reply to this message, with its checksum.
    fn build(&self, rule: &Compiled, data: &[u8], text: &str) -> Vec<u8> {
        let mut reply = rule.matcher.fill(&rule.reply, data, text, self.encoding);
        let checksum = rule.checksum.bytes(&reply);
        reply.extend_from_slice(&checksum);
        reply
    }
}

impl Matcher {
    /// Checks and compiles `pattern` read as `kind`.
    pub fn new(kind: MatchKind, pattern: &str) -> Result<Matcher, Error> {
        let invalid = |reason: String| Error::InvalidRule {
            rule: format!("{} '{}'", kind.label(), pattern),
            reason,
        };
        Ok(match kind {
            MatchKind::Any => Matcher::Any,
            MatchKind::ContainsText => Matcher::Text(pattern.to_string()),
            MatchKind::StartsWith => Matcher::Start(pattern.to_string()),
            MatchKind::ContainsHex => Matcher::Bytes(parse_hex(pattern)?),
            MatchKind::Regex => {
                Matcher::Regex(Regex::new(pattern).map_err(|e| invalid(one_line_regex_error(&e)))?)
            }
        })
    }

    /// Whether it reads the message's text (so the receiver decodes it).
    pub fn needs_text(&self) -> bool {
        matches!(
            self,
            Matcher::Text(_) | Matcher::Start(_) | Matcher::Regex(_)
        )
    }

    /// `reply` for a message this matched: the groups it names (the text of each, in
    /// `encoding`) and the message's bytes where it names them.
    pub fn fill(
        &self,
        reply: &ReplyTemplate,
        data: &[u8],
        text: &str,
        encoding: TextEncoding,
    ) -> Vec<u8> {
        let captures = match self {
            Matcher::Regex(regex) if reply.groups_named() > 0 => regex.captures(text),
            _ => None,
        };
        let group = |n: usize| {
            let found = captures.as_ref()?.get(n)?.as_str();
            // Decoded from this encoding, so it encodes back; UTF-8 if not.
            Some(
                encoding
                    .encode(found)
                    .unwrap_or_else(|_| found.as_bytes().to_vec()),
            )
        };
        reply.render(data, &group)
    }

    /// How many groups a reply can name after this matched (a regex's; none otherwise).
    pub fn groups(&self) -> usize {
        match self {
            Matcher::Regex(regex) => regex.captures_len() - 1,
            _ => 0,
        }
    }

    /// Whether a message matches (`text`: its bytes decoded, when `needs_text`).
    pub fn matches(&self, data: &[u8], text: &str) -> bool {
        match self {
            Matcher::Any => true,
            Matcher::Text(pattern) => text.contains(pattern.as_str()),
            Matcher::Start(pattern) => text.starts_with(pattern.as_str()),
            Matcher::Bytes(pattern) => {
                pattern.is_empty() || data.windows(pattern.len()).any(|w| w == pattern)
            }
            Matcher::Regex(regex) => regex.is_match(text),
        }
    }
}

fn compile(rule: &Rule, encoding: TextEncoding) -> Result<Compiled, Error> {
    let matcher = Matcher::new(rule.kind, &rule.pattern)?;
    // Text replies read escapes, so a rule can answer with a line ending ("OK\r\n").
    let reply_format = PayloadFormat {
        mode: if rule.reply_hex {
            InputMode::Hex
        } else {
            InputMode::Text
        },
        encoding,
        escapes: true,
        ..PayloadFormat::default()
    };
    let reply = ReplyTemplate::parse(&rule.reply, &reply_format)?;
    let named = reply.groups_named();
    let has = matcher.groups();
    if named > has {
        return Err(Error::InvalidRule {
            rule: format!("reply '{}'", rule.reply),
            reason: match &matcher {
                Matcher::Regex(_) => format!(
                    "${{{named}}} names group {named}, but the pattern has {has} group{}",
                    if has == 1 { "" } else { "s" }
                ),
                _ => format!(
                    "${{{named}}} names a group of a regular expression, and this rule's match \
                     is not one (write re:… with groups in parentheses)"
                ),
            },
        });
    }
    // A delay past a day is a typing mistake, and one near u64::MAX ms would overflow the
    // moment it is due.
    if rule.delay_ms > crate::net::MAX_STEP_MS {
        return Err(Error::InvalidSetting {
            name: "the reply delay",
            reason: format!(
                "is {} ms, longer than the limit of {} ms (24 h)",
                rule.delay_ms,
                crate::net::MAX_STEP_MS
            ),
        });
    }
    Ok(Compiled {
        matcher,
        reply,
        checksum: rule.checksum,
        delay: Duration::from_millis(rule.delay_ms),
    })
}

/// The regex crate explains a syntax error over several lines, with the pattern and a caret;
/// the pattern is in our message already, so keep the last line, the reason.
fn one_line_regex_error(err: &regex::Error) -> String {
    let text = err.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    last.trim().trim_start_matches("error: ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn responder(specs: &[&str], echo: bool) -> Responder {
        let rules: Vec<Rule> = specs.iter().map(|s| Rule::parse(s).unwrap()).collect();
        Responder::new(&rules, echo, TextEncoding::Utf8).unwrap()
    }

    fn replies(r: &Responder, data: &[u8]) -> Vec<Vec<u8>> {
        let text = String::from_utf8_lossy(data).to_string();
        r.replies(data, &text).now
    }

    #[test]
    fn the_checksum_is_computed_over_the_reply_as_built() {
        let mut rule = Rule::parse("re:^ID=(\\d+)$=>hex:01 ${1}").unwrap();
        rule.checksum = Checksum::Sum8;
        let r = Responder::new(&[rule], false, TextEncoding::Utf8).unwrap();
        // "ID=42": the group's text is "42" (34 32), so the reply is 01 34 32 and its sum 0x67.
        assert_eq!(replies(&r, b"ID=42"), vec![vec![0x01, 0x34, 0x32, 0x67]]);
    }

    #[test]
    fn each_kind_of_match() {
        let r = responder(
            &[
                r"PING=>PONG\r\n",
                "hex:01 03=>hex:01 83 02",
                "^AT=>OK",
                "re:^T=\\d+$=>ACK",
                "*=>?",
            ],
            false,
        );
        assert!(r.needs_text());
        assert_eq!(replies(&r, b"xPINGx"), vec![b"PONG\r\n".to_vec()]);
        assert_eq!(replies(&r, &[0, 1, 3, 9]), vec![vec![1, 0x83, 2]]);
        assert_eq!(replies(&r, b"AT+GMR"), vec![b"OK".to_vec()]);
        assert_eq!(replies(&r, b"T=42"), vec![b"ACK".to_vec()]);
        assert_eq!(replies(&r, b"other"), vec![b"?".to_vec()]);
    }

    #[test]
    fn echo_sends_the_message_back_before_a_rule_answers() {
        let r = responder(&["hex:00=>hex:FF"], true);
        assert!(!r.needs_text());
        assert_eq!(replies(&r, b"hi"), vec![b"hi".to_vec()]);
        assert_eq!(replies(&r, &[0]), vec![vec![0], vec![0xFF]]);
    }

    #[test]
    fn a_delayed_rule_says_when() {
        let mut rule = Rule::parse("*=>later").unwrap();
        rule.delay_ms = 100;
        let r = Responder::new(&[rule], false, TextEncoding::Utf8).unwrap();
        assert_eq!(
            r.replies(b"x", "x"),
            Replies {
                now: vec![],
                later: Some((Duration::from_millis(100), b"later".to_vec()))
            }
        );
    }

    #[test]
    fn bad_rules_are_explained() {
        assert!(Rule::parse("no arrow").is_err());
        assert!(Rule::parse("=>").is_err());
        assert!(Rule::parse("x=>").is_err());
        assert!(Rule::parse("=>x").is_err());
        let bad_regex = Rule::parse("re:(=>x").unwrap();
        assert!(Responder::new(&[bad_regex], false, TextEncoding::Utf8).is_err());
        let bad_hex = Rule::parse("hex:0G=>x").unwrap();
        assert!(Responder::new(&[bad_hex], false, TextEncoding::Utf8).is_err());
    }

    #[test]
    fn a_reply_delay_past_a_day_is_refused_not_left_to_overflow() {
        let rule = Rule {
            pattern: "ping".into(),
            reply: "pong".into(),
            delay_ms: u64::MAX,
            ..Rule::default()
        };
        let refused = Responder::new(&[rule], false, TextEncoding::Utf8).err();
        assert!(
            refused.is_some_and(|error| error.to_string().contains("limit of 86400000 ms")),
            "refused with the limit"
        );
    }
}
