//! Modbus frames as devices send them: TCP (an MBAP header, then the PDU) and RTU (an address,
//! the PDU, a CRC-16 sent low byte first). A PDU is read as a request or a response by its
//! length, as a person reading a capture would.

use super::{Dissection, Problem};
use crate::codec::Checksum;

/// A Modbus TCP frame: transaction, protocol (0), length, unit, then the PDU.
pub fn tcp(frame: &[u8]) -> Dissection {
    if frame.len() < 8 {
        return too_short(
            frame,
            "{len} bytes: a Modbus TCP frame has at least 8 (a 7-byte MBAP header and a function)",
        );
    }
    let mut out = Dissection::default();
    let word = |at: usize| u16::from_be_bytes([frame[at], frame[at + 1]]);
    out.push("Transaction", word(0).to_string());
    let protocol = word(2);
    out.push("Protocol", protocol.to_string());
    if protocol != 0 {
        out.problem = Some(Problem::new(
            "protocol {protocol}: Modbus is protocol 0",
            [("protocol", protocol.to_string())],
        ));
    }
    let length = usize::from(word(4));
    out.push("Length", length.to_string());
    out.push("Unit", frame[6].to_string());
    if length != frame.len() - 6 {
        out.problem = Some(Problem::new(
            "the header says {length} bytes follow it, the frame has {actual}",
            [
                ("length", length.to_string()),
                ("actual", (frame.len() - 6).to_string()),
            ],
        ));
    }
    pdu(&frame[7..], &mut out);
    out
}

/// A Modbus RTU frame: address, the PDU, and its CRC-16 (checked).
pub fn rtu(frame: &[u8]) -> Dissection {
    if frame.len() < 4 {
        return too_short(
            frame,
            "{len} bytes: a Modbus RTU frame has at least 4 (address, function, CRC)",
        );
    }
    let mut out = Dissection::default();
    let (body, crc) = frame.split_at(frame.len() - 2);
    out.push("Address", body[0].to_string());
    pdu(&body[1..], &mut out);
    let expected = Checksum::Crc16Modbus.bytes(body);
    let crc_value = |b: &[u8]| u16::from_le_bytes([b[0], b[1]]);
    if crc == expected.as_slice() {
        out.push("CRC", format!("0x{:04X} (correct)", crc_value(crc)));
    } else {
        out.push("CRC", format!("0x{:04X}", crc_value(crc)));
        out.problem = Some(Problem::new(
            "CRC {found} does not match the frame: it should be {expected}",
            [
                ("found", format!("0x{:04X}", crc_value(crc))),
                ("expected", format!("0x{:04X}", crc_value(&expected))),
            ],
        ));
    }
    out
}

fn too_short(frame: &[u8], template: &'static str) -> Dissection {
    Dissection {
        problem: Some(Problem::new(template, [("len", frame.len().to_string())])),
        ..Dissection::default()
    }
}

/// Function code and data: a request or a response, or an exception.
fn pdu(pdu: &[u8], out: &mut Dissection) {
    let Some((&function, data)) = pdu.split_first() else {
        out.problem = Some(Problem::new("no function code", []));
        return;
    };
    if function & 0x80 != 0 {
        out.push(
            "Function",
            format!("{function} ({}): exception", function_name(function & 0x7F)),
        );
        match data.first() {
            Some(&code) => out.push("Exception", format!("{code} ({})", exception_name(code))),
            None => out.problem = Some(Problem::new("an exception without its code", [])),
        }
        return;
    }
    out.push(
        "Function",
        format!("{function} ({})", function_name(function)),
    );
    let word = |at: usize| u16::from_be_bytes([data[at], data[at + 1]]);
    let counted = |data: &[u8]| {
        data.first()
            .is_some_and(|&n| usize::from(n) + 1 == data.len())
    };
    match (function, data.len()) {
        // Reads: a request names where and how many; a response counts its bytes.
        (1..=4, 4) if !counted(data) => {
            out.push("Start address", word(0).to_string());
            out.push("Quantity", word(2).to_string());
        }
        (1..=4, _) if counted(data) => {
            out.push("Byte count", data[0].to_string());
            if function >= 3 {
                let registers: Vec<String> = data[1..]
                    .chunks(2)
                    .map(|pair| match pair {
                        [hi, lo] => u16::from_be_bytes([*hi, *lo]).to_string(),
                        _ => format!("(odd byte 0x{:02X})", pair[0]),
                    })
                    .collect();
                out.push("Registers", registers.join(", "));
            } else {
                let bits: String = data[1..]
                    .iter()
                    .flat_map(|byte| {
                        (0..8).map(move |bit| if byte >> bit & 1 == 1 { '1' } else { '0' })
                    })
                    .collect();
                out.push("Bits (first to last)", bits);
            }
        }
        (5 | 6, 4) => {
            out.push("Address", word(0).to_string());
            out.push("Value", format!("{} (0x{:04X})", word(2), word(2)));
        }
        // Writes of many: the request carries the values, the response echoes where and how many.
        (15 | 16, 4) => {
            out.push("Start address", word(0).to_string());
            out.push("Quantity", word(2).to_string());
        }
        (15 | 16, n) if n >= 5 => {
            out.push("Start address", word(0).to_string());
            out.push("Quantity", word(2).to_string());
            out.push("Byte count", data[4].to_string());
            out.push("Values", crate::codec::hex::format_hex(&data[5..]));
        }
        _ => out.push("Data", crate::codec::hex::format_hex(data)),
    }
}

fn function_name(function: u8) -> &'static str {
    match function {
        1 => "Read Coils",
        2 => "Read Discrete Inputs",
        3 => "Read Holding Registers",
        4 => "Read Input Registers",
        5 => "Write Single Coil",
        6 => "Write Single Register",
        15 => "Write Multiple Coils",
        16 => "Write Multiple Registers",
        _ => "not a standard function",
    }
}

fn exception_name(code: u8) -> &'static str {
    match code {
        1 => "Illegal Function",
        2 => "Illegal Data Address",
        3 => "Illegal Data Value",
        4 => "Server Device Failure",
        5 => "Acknowledge",
        6 => "Server Device Busy",
        8 => "Memory Parity Error",
        10 => "Gateway Path Unavailable",
        11 => "Gateway Target Device Failed to Respond",
        _ => "not a standard exception",
    }
}
