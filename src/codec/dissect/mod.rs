//! What one message means: the protocol dissectors a person picks for a row (Modbus TCP and
//! RTU, JSON, a WebSocket frame, text, Base64), and the row copied as a C or Python byte
//! literal.

mod literal;
mod modbus;
mod problem;
mod websocket;

pub use literal::{base64_decode, base64_encode, c_literal, python_literal, python_str_literal};
pub use problem::Problem;

use serde::{Deserialize, Serialize};

use crate::codec::TextEncoding;

/// The protocols a message can be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Dissector {
    #[default]
    ModbusTcp,
    ModbusRtu,
    Json,
    WebSocket,
    Text(TextEncoding),
    Base64,
}

impl Dissector {
    pub const ALL: [Dissector; 7] = [
        Dissector::ModbusTcp,
        Dissector::ModbusRtu,
        Dissector::Json,
        Dissector::WebSocket,
        Dissector::Text(TextEncoding::Utf8),
        Dissector::Text(TextEncoding::Gbk),
        Dissector::Base64,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dissector::ModbusTcp => "modbus-tcp",
            Dissector::ModbusRtu => "modbus-rtu",
            Dissector::Json => "json",
            Dissector::WebSocket => "websocket",
            Dissector::Text(TextEncoding::Utf8) => "utf-8",
            Dissector::Text(TextEncoding::Gbk) => "gbk",
            Dissector::Base64 => "base64",
        }
    }

    /// The name in a menu.
    pub fn label(self) -> &'static str {
        match self {
            Dissector::ModbusTcp => "Modbus TCP",
            Dissector::ModbusRtu => "Modbus RTU",
            Dissector::Json => "JSON",
            Dissector::WebSocket => "WebSocket frame",
            Dissector::Text(TextEncoding::Utf8) => "Text (UTF-8)",
            Dissector::Text(TextEncoding::Gbk) => "Text (GBK)",
            Dissector::Base64 => "Base64",
        }
    }

    pub fn from_name(name: &str) -> Option<Dissector> {
        let name = name.trim().to_ascii_lowercase().replace('_', "-");
        Dissector::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The protocol `bytes` fit, with their reading: a JSON object or array that parses, a
    /// Modbus TCP frame whose header agrees with it, a Modbus RTU frame whose CRC is right, a
    /// WebSocket frame whose length agrees with it; else text in `encoding`. (Base64 is never
    /// guessed: most text is also Base64.)
    pub fn guess(bytes: &[u8], encoding: TextEncoding) -> (Dissector, Dissection) {
        let json_like = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['));
        let candidates = [
            Dissector::Json,
            Dissector::ModbusTcp,
            Dissector::ModbusRtu,
            Dissector::WebSocket,
        ];
        for dissector in candidates {
            if dissector == Dissector::Json && !json_like {
                continue;
            }
            let reading = dissector.dissect(bytes);
            if reading.problem.is_none() {
                return (dissector, reading);
            }
        }
        let text = Dissector::Text(encoding);
        (text, text.dissect(bytes))
    }

    /// Reads `bytes` as this protocol.
    pub fn dissect(self, bytes: &[u8]) -> Dissection {
        match self {
            Dissector::ModbusTcp => modbus::tcp(bytes),
            Dissector::ModbusRtu => modbus::rtu(bytes),
            Dissector::Json => json(bytes),
            Dissector::WebSocket => websocket::frame(bytes),
            Dissector::Text(encoding) => Dissection {
                text: Some(encoding.decode_whole(bytes)),
                ..Dissection::default()
            },
            Dissector::Base64 => base64(bytes),
        }
    }
}

/// Named fields in the order they stand in the message, a text where the protocol is text,
/// and what does not fit the protocol (a wrong CRC, a length that disagrees).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dissection {
    pub fields: Vec<Field>,
    pub text: Option<String>,
    pub problem: Option<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub value: String,
}

impl Dissection {
    fn push(&mut self, name: &'static str, value: String) {
        self.fields.push(Field { name, value });
    }

    /// The value of the first field named `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    /// One line a field, then the text, then the problem: what the CLI prints.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.value))
            .collect();
        lines.extend(self.text.iter().flat_map(|t| t.lines().map(str::to_string)));
        lines.extend(self.problem.iter().map(|p| format!("problem: {p}")));
        lines
    }
}

/// JSON, pretty-printed; where it is not JSON, the line and column where it stops being JSON.
fn json(bytes: &[u8]) -> Dissection {
    let mut out = Dissection::default();
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        // Printing a parsed value cannot fail.
        Ok(value) => out.text = Some(serde_json::to_string_pretty(&value).unwrap_or_default()),
        Err(error) => {
            out.problem = Some(Problem::new(
                "not JSON: {error}",
                [("error", error.to_string())],
            ))
        }
    }
    out
}

/// The message read as Base64 text, decoded; and the message itself in Base64.
fn base64(bytes: &[u8]) -> Dissection {
    let mut out = Dissection::default();
    out.push("As Base64", base64_encode(bytes));
    match base64_decode(bytes) {
        Ok(decoded) => {
            out.push("Decoded (hex)", crate::codec::hex::format_hex(&decoded));
            out.push("Decoded (UTF-8)", TextEncoding::Utf8.decode_whole(&decoded));
        }
        Err(problem) => out.problem = Some(problem),
    }
    out
}

#[cfg(test)]
mod tests;
