//! A WebSocket frame as it crosses a plain TCP connection (a device's or a browser's traffic
//! seen raw): FIN, opcode, mask, length, then the payload unmasked: text, a close's code and
//! reason, or bytes in hex. Only the first frame is read; more bytes after it are said.

use super::{Dissection, Problem};
use crate::codec::TextEncoding;
use crate::codec::hex::format_hex;
use crate::codec::websocket::{BrokenRule, FrameHeader, Opcode, close_meaning, unmask};

pub fn frame(bytes: &[u8]) -> Dissection {
    let mut out = Dissection::default();
    let header = match FrameHeader::parse(bytes) {
        Ok(header) => header,
        Err(needed) => {
            out.problem = Some(Problem::new(
                "{len} bytes: this frame's header has {needed}",
                [
                    ("len", bytes.len().to_string()),
                    ("needed", needed.to_string()),
                ],
            ));
            return out;
        }
    };
    let yes_no = |on: bool| if on { "yes" } else { "no" }.to_string();
    out.push("FIN", yes_no(header.fin));
    out.push("Opcode", header.opcode.to_string());
    out.push(
        "Masked",
        match header.mask {
            Some(key) => format!("yes, key {}", format_hex(&key)),
            None => yes_no(false),
        },
    );
    out.push("Payload length", header.payload_len.to_string());
    let available = (bytes.len() - header.header_len) as u64;
    if available < header.payload_len {
        out.problem = Some(Problem::new(
            "the header says {length} bytes of payload, the frame has {actual}",
            [
                ("length", header.payload_len.to_string()),
                ("actual", available.to_string()),
            ],
        ));
        return out;
    }
    // At most the available bytes, so the length fits in memory.
    let end = header.header_len + header.payload_len as usize;
    let payload = unmask(&bytes[header.header_len..end], header.mask);
    payload_fields(header.opcode, &payload, &mut out);
    out.problem = broken_rule(&header).or_else(|| {
        (end < bytes.len()).then(|| {
            Problem::new(
                "{extra} more bytes follow the frame (the next frame, in a TCP stream)",
                [("extra", (bytes.len() - end).to_string())],
            )
        })
    });
    out
}

/// What the payload says, by the frame's opcode.
fn payload_fields(opcode: Opcode, payload: &[u8], out: &mut Dissection) {
    match opcode {
        Opcode::Text => out.text = Some(TextEncoding::Utf8.decode_whole(payload)),
        Opcode::Close => {
            if let [high, low, reason @ ..] = payload {
                let code = u16::from_be_bytes([*high, *low]);
                out.push("Close code", format!("{code} ({})", close_meaning(code)));
                out.push("Reason", TextEncoding::Utf8.decode_whole(reason));
            }
        }
        _ if !payload.is_empty() => out.push("Payload (hex)", format_hex(payload)),
        _ => {}
    }
}

/// A rule of RFC 6455 the header breaks, if any, in the dissector's translatable words.
fn broken_rule(header: &FrameHeader) -> Option<Problem> {
    Some(match BrokenRule::of(header)? {
        BrokenRule::ReservedBits(rsv) => Problem::new(
            "reserved bits {rsv} are set: no extension was agreed",
            [("rsv", format!("{rsv:03b}"))],
        ),
        BrokenRule::ReservedOpcode(bits) => Problem::new(
            "opcode {opcode} is reserved",
            [("opcode", bits.to_string())],
        ),
        // A header alone breaks no other rule.
        _ => Problem::new(
            "a control frame (close, ping, pong) carries at most 125 bytes, unfragmented",
            [],
        ),
    })
}
