//! Splitting a TCP byte stream into messages ("sticky packets"): TCP keeps no message
//! boundaries, so a device protocol's framing has to be applied to show one row per message.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Frames larger than this are refused, whatever a peer's length prefix says.
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Framing {
    /// Each read is one message, as it arrived.
    #[default]
    Raw,
    /// A message ends with these bytes (kept in the message): LF, CRLF or custom.
    Delimiter(Vec<u8>),
    /// Every message is this many bytes.
    FixedLength(usize),
    /// A big- or little-endian length of 1, 2 or 4 bytes starts each message; the length
    /// counts the header too, or only what follows it.
    LengthPrefix {
        width: u8,
        big_endian: bool,
        includes_header: bool,
    },
    /// A message ends after this many milliseconds without data.
    IdleGap(u64),
}

impl Framing {
    /// Parses the command line's spelling: `raw`, `line`, `crlf`, `delim:HEX`, `fixed:N`,
    /// `len:1`, `len:2be`, `len:2le`, `len:4be`, `len:4le` (a `+h` suffix: the length counts
    /// the header too), `idle:MS`.
    pub fn parse(spec: &str) -> Result<Framing, Error> {
        let invalid = |why: &str| Error::InvalidFraming {
            spec: spec.to_string(),
            reason: why.to_string(),
        };
        let spec_lower = spec.trim().to_ascii_lowercase();
        let (kind, arg) = spec_lower
            .split_once(':')
            .unwrap_or((spec_lower.as_str(), ""));
        let number = |what: &str| {
            arg.parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| invalid(what))
        };
        match (kind, arg) {
            ("raw", "") => Ok(Framing::Raw),
            ("line" | "lf", "") => Ok(Framing::Delimiter(b"\n".to_vec())),
            ("crlf", "") => Ok(Framing::Delimiter(b"\r\n".to_vec())),
            ("delim", hex) => {
                let bytes = crate::codec::hex::parse_hex(hex)?;
                if bytes.is_empty() {
                    return Err(invalid("give the delimiter in hex, like delim:0D0A"));
                }
                Ok(Framing::Delimiter(bytes))
            }
            ("fixed", _) => {
                let n = number("give a length in bytes, like fixed:8")? as usize;
                if n > DEFAULT_MAX_FRAME {
                    return Err(invalid("the length is over the 16 MiB frame limit"));
                }
                Ok(Framing::FixedLength(n))
            }
            ("idle", _) => Ok(Framing::IdleGap(number(
                "give a gap in milliseconds, like idle:50",
            )?)),
            ("len", arg) => {
                let (arg, includes_header) = match arg.strip_suffix("+h") {
                    Some(rest) => (rest, true),
                    None => (arg, false),
                };
                let (width, big_endian) = match arg {
                    "1" => (1, true),
                    "2be" | "2" => (2, true),
                    "2le" => (2, false),
                    "4be" | "4" => (4, true),
                    "4le" => (4, false),
                    _ => return Err(invalid("use len:1, len:2be, len:2le, len:4be or len:4le")),
                };
                Ok(Framing::LengthPrefix {
                    width,
                    big_endian,
                    includes_header,
                })
            }
            _ => Err(invalid(
                "use raw, line, crlf, delim:HEX, fixed:N, len:1|2be|2le|4be|4le, or idle:MS",
            )),
        }
    }

    /// How long a pending partial message may wait for more data before it is a message.
    pub fn idle_gap(&self) -> Option<Duration> {
        match self {
            Framing::IdleGap(ms) => Some(Duration::from_millis(*ms)),
            _ => None,
        }
    }
}

/// A frame that could not be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameTooLong {
    pub len: usize,
    pub max: usize,
}

/// What to throw away after a frame that was too long, so memory stays bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Discard {
    Nothing,
    /// Everything through the next delimiter.
    ToDelimiter,
    /// This many more bytes: the rest of an oversized length-prefixed frame.
    Bytes(usize),
}

/// Applies a [`Framing`] to a stream, chunk by chunk.
pub struct Framer {
    framing: Framing,
    max: usize,
    /// Bytes of a message not yet complete.
    pending: Vec<u8>,
    /// How far `pending` was already searched for a delimiter.
    scanned: usize,
    discarding: Discard,
}

impl Framer {
    pub fn new(framing: Framing, max: usize) -> Framer {
        Framer {
            framing,
            max,
            pending: Vec::new(),
            scanned: 0,
            discarding: Discard::Nothing,
        }
    }

    pub fn framing(&self) -> &Framing {
        &self.framing
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty() && self.discarding == Discard::Nothing
    }

    /// Drops a message not yet complete, and frees its memory (nothing more will be read).
    pub fn forget_pending(&mut self) {
        self.pending = Vec::new();
        self.scanned = 0;
        self.discarding = Discard::Nothing;
    }

    /// Memory held for a message not yet complete (what a memory budget counts).
    pub fn pending_len(&self) -> usize {
        self.pending.capacity()
    }

    /// Adds a chunk; returns the frames it completed, in order, and any frame that was too long.
    /// Raw framing hands the chunk on as it is, without a copy.
    pub fn push(&mut self, chunk: Vec<u8>) -> Vec<Result<Vec<u8>, FrameTooLong>> {
        let mut out = Vec::new();
        if self.framing == Framing::Raw {
            if !chunk.is_empty() {
                out.push(Ok(chunk));
            }
            return out;
        }
        self.pending.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(step) = self.step(start) {
            match step {
                Step::Frame(end) => out.push(Ok(self.pending[start..end].to_vec())),
                Step::TooLong(len, _) => out.push(Err(FrameTooLong { len, max: self.max })),
                Step::Skip(_) => {}
            }
            start = step.end();
        }
        self.pending.drain(..start);
        self.scanned = self.scanned.saturating_sub(start);
        // A long message once pending should not keep its memory after it is out.
        if self.pending.len() < self.pending.capacity() / 4 {
            self.pending.shrink_to(self.pending.len().max(64 * 1024));
        }
        out
    }

    /// What the bytes from `start` on make, if anything yet.
    fn step(&mut self, start: usize) -> Option<Step> {
        let available = self.pending.len() - start;
        match (self.discarding, &self.framing) {
            (Discard::Bytes(n), _) => {
                let skip = n.min(available);
                self.discarding = if skip == n {
                    Discard::Nothing
                } else {
                    Discard::Bytes(n - skip)
                };
                return (skip > 0).then_some(Step::Skip(start + skip));
            }
            (Discard::ToDelimiter, Framing::Delimiter(delimiter)) => {
                return match find(&self.pending[start..], delimiter) {
                    Some(at) => {
                        self.discarding = Discard::Nothing;
                        Some(Step::Skip(start + at + delimiter.len()))
                    }
                    // Keep what could be the start of a delimiter split across chunks.
                    None => {
                        let skip = available.saturating_sub(delimiter.len() - 1);
                        (skip > 0).then_some(Step::Skip(start + skip))
                    }
                };
            }
            _ => {}
        }
        match &self.framing {
            Framing::Delimiter(delimiter) => {
                let from = self.scanned.saturating_sub(delimiter.len() - 1).max(start);
                match find(&self.pending[from..], delimiter) {
                    Some(at) => {
                        let end = from + at + delimiter.len();
                        self.scanned = end;
                        Some(if end - start > self.max {
                            Step::TooLong(end - start, end)
                        } else {
                            Step::Frame(end)
                        })
                    }
                    None if available > self.max => {
                        self.discarding = Discard::ToDelimiter;
                        let end = self.pending.len() - (delimiter.len() - 1).min(available);
                        self.scanned = end;
                        Some(Step::TooLong(available, end))
                    }
                    None => {
                        self.scanned = self.pending.len();
                        None
                    }
                }
            }
            Framing::FixedLength(n) => (available >= *n).then_some(Step::Frame(start + n)),
            Framing::LengthPrefix {
                width,
                big_endian,
                includes_header,
            } => {
                let width = *width as usize;
                if available < width {
                    return None;
                }
                let declared = read_length(&self.pending[start..start + width], *big_endian);
                let total = if *includes_header {
                    declared
                } else {
                    declared.saturating_add(width)
                };
                if total < width || total > self.max {
                    let body = total.saturating_sub(width);
                    self.discarding = if body == 0 {
                        Discard::Nothing
                    } else {
                        Discard::Bytes(body)
                    };
                    return Some(Step::TooLong(total, start + width));
                }
                (available >= total).then_some(Step::Frame(start + total))
            }
            Framing::IdleGap(_) if available > self.max => {
                Some(Step::TooLong(available, self.pending.len()))
            }
            Framing::IdleGap(_) | Framing::Raw => None,
        }
    }

    /// Takes what is pending as a message: when the idle gap passed, or the stream ended.
    pub fn flush(&mut self) -> Option<Vec<u8>> {
        self.scanned = 0;
        if self.discarding != Discard::Nothing {
            self.pending.clear();
            return None;
        }
        (!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending))
    }
}

/// One thing found in the pending bytes; each ends at a byte offset.
#[derive(Debug, Clone, Copy)]
enum Step {
    Frame(usize),
    /// A frame of this length that is not kept.
    TooLong(usize, usize),
    /// Bytes thrown away.
    Skip(usize),
}

impl Step {
    fn end(self) -> usize {
        match self {
            Step::Frame(end) | Step::TooLong(_, end) | Step::Skip(end) => end,
        }
    }
}

fn read_length(header: &[u8], big_endian: bool) -> usize {
    let fold = |acc: usize, &b: &u8| (acc << 8) | b as usize;
    if big_endian {
        header.iter().fold(0, fold)
    } else {
        header.iter().rev().fold(0, fold)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(framing: &str, chunks: &[&[u8]]) -> Vec<Result<Vec<u8>, FrameTooLong>> {
        let mut framer = Framer::new(Framing::parse(framing).unwrap(), 10);
        chunks
            .iter()
            .flat_map(|c| framer.push(c.to_vec()))
            .collect()
    }

    fn ok(frames: &[&[u8]]) -> Vec<Result<Vec<u8>, FrameTooLong>> {
        frames.iter().map(|f| Ok(f.to_vec())).collect()
    }

    #[test]
    fn lines_sent_in_one_write_become_three_frames() {
        assert_eq!(
            frames("line", &[b"a\nb\nc\n"]),
            ok(&[b"a\n", b"b\n", b"c\n"])
        );
    }

    #[test]
    fn a_delimiter_split_across_reads_is_found() {
        assert_eq!(
            frames("crlf", &[b"ab\r", b"\ncd\r\n"]),
            ok(&[b"ab\r\n", b"cd\r\n"])
        );
        assert_eq!(
            frames("delim:AA55", &[b"x\xAA", b"\x55y\xAA\x55"]),
            ok(&[b"x\xAA\x55", b"y\xAA\x55"])
        );
    }

    #[test]
    fn fixed_length_and_length_prefixes() {
        assert_eq!(frames("fixed:3", &[b"abcd", b"ef"]), ok(&[b"abc", b"def"]));
        assert_eq!(
            frames("len:1", &[b"\x02ab\x01c"]),
            ok(&[b"\x02ab", b"\x01c"])
        );
        assert_eq!(
            frames("len:2be", &[b"\x00", b"\x02ab"]),
            ok(&[b"\x00\x02ab"])
        );
        assert_eq!(frames("len:2le", &[b"\x02\x00ab"]), ok(&[b"\x02\x00ab"]));
        assert_eq!(
            frames("len:4be+h", &[b"\x00\x00\x00\x05z"]),
            ok(&[b"\x00\x00\x00\x05z"])
        );
    }

    #[test]
    fn oversized_frames_are_refused_without_keeping_them() {
        // The peer claims 65535 bytes; the limit here is 10. The claimed bytes are skipped.
        let mut framer = Framer::new(Framing::parse("len:2be").unwrap(), 10);
        let mut got = framer.push(b"\xFF\xFF".to_vec());
        got.extend(framer.push(vec![0u8; 65_535]));
        got.extend(framer.push(b"\x00\x01k".to_vec()));
        assert_eq!(
            got,
            vec![
                Err(FrameTooLong {
                    len: 65_537,
                    max: 10
                }),
                Ok(b"\x00\x01k".to_vec())
            ]
        );

        let got = frames("line", &[b"0123456789ABCDEF", b"tail\nnext\n"]);
        assert_eq!(
            got,
            vec![
                Err(FrameTooLong { len: 16, max: 10 }),
                Ok(b"next\n".to_vec())
            ]
        );
    }

    #[test]
    fn idle_gap_frames_are_taken_by_flush() {
        let mut framer = Framer::new(Framing::parse("idle:20").unwrap(), 10);
        assert!(framer.push(b"ab".to_vec()).is_empty());
        assert!(framer.push(b"c".to_vec()).is_empty());
        assert_eq!(framer.flush(), Some(b"abc".to_vec()));
        assert_eq!(framer.flush(), None);
    }

    #[test]
    fn specs_are_checked() {
        for bad in [
            "", "fixed:0", "fixed:x", "len:3", "idle:", "delim:", "delim:zz", "lines",
        ] {
            assert!(Framing::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Framing::parse("idle:50").unwrap().idle_gap(),
            Some(Duration::from_millis(50))
        );
    }
}
