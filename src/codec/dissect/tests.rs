use super::*;
use crate::codec::Checksum;
use crate::codec::hex::parse_hex;

fn bytes(hex: &str) -> Vec<u8> {
    parse_hex(hex).unwrap()
}

/// An RTU frame: `body` and its CRC as a device computes it.
fn rtu_frame(body: &str) -> Vec<u8> {
    let mut frame = bytes(body);
    frame.extend(Checksum::Crc16Modbus.bytes(&frame));
    frame
}

#[test]
fn modbus_rtu_read_request_and_its_reply() {
    let request = Dissector::ModbusRtu.dissect(&bytes("01 03 00 00 00 01 84 0A"));
    assert_eq!(request.field("Address"), Some("1"));
    assert_eq!(
        request.field("Function"),
        Some("3 (Read Holding Registers)")
    );
    assert_eq!(request.field("Start address"), Some("0"));
    assert_eq!(request.field("Quantity"), Some("1"));
    assert_eq!(request.field("CRC"), Some("0x0A84 (correct)"));
    assert_eq!(request.problem, None);

    let reply = Dissector::ModbusRtu.dissect(&rtu_frame("01 03 04 00 2A 01 00"));
    assert_eq!(reply.field("Byte count"), Some("4"));
    assert_eq!(reply.field("Registers"), Some("42, 256"));
    assert_eq!(reply.problem, None, "{reply:?}");
}

#[test]
fn modbus_rtu_names_a_wrong_crc_and_the_right_one() {
    let frame = Dissector::ModbusRtu.dissect(&bytes("01 03 00 00 00 01 84 0B"));
    let problem = frame.problem.unwrap().to_string();
    assert!(
        problem.contains("0x0B84") && problem.contains("0x0A84"),
        "{problem}"
    );
}

#[test]
fn modbus_exceptions_are_named() {
    let frame = Dissector::ModbusRtu.dissect(&rtu_frame("01 83 02"));
    assert_eq!(
        frame.field("Function"),
        Some("131 (Read Holding Registers): exception")
    );
    assert_eq!(frame.field("Exception"), Some("2 (Illegal Data Address)"));
}

#[test]
fn modbus_tcp_request_and_reply() {
    let request = Dissector::ModbusTcp.dissect(&bytes("00 01 00 00 00 06 11 03 00 6B 00 03"));
    assert_eq!(request.field("Transaction"), Some("1"));
    assert_eq!(request.field("Unit"), Some("17"));
    assert_eq!(request.field("Start address"), Some("107"));
    assert_eq!(request.field("Quantity"), Some("3"));
    assert_eq!(request.problem, None);

    let reply =
        Dissector::ModbusTcp.dissect(&bytes("00 01 00 00 00 09 11 03 06 02 2B 00 00 00 64"));
    assert_eq!(reply.field("Registers"), Some("555, 0, 100"));
    assert_eq!(reply.problem, None);
}

#[test]
fn modbus_tcp_says_where_the_header_disagrees() {
    let frame = Dissector::ModbusTcp.dissect(&bytes("00 01 00 00 00 09 01 03 00 00 00 01"));
    assert!(frame.problem.unwrap().to_string().contains("says 9 bytes"));
    let short = Dissector::ModbusTcp.dissect(&bytes("00 01 00"));
    assert!(short.problem.unwrap().to_string().contains("at least 8"));
    let short = Dissector::ModbusRtu.dissect(&bytes("01 03"));
    assert!(short.problem.unwrap().to_string().contains("at least 4"));
}

#[test]
fn modbus_writes_show_where_and_what() {
    let single = Dissector::ModbusRtu.dissect(&rtu_frame("01 06 00 01 00 03"));
    assert_eq!(single.field("Function"), Some("6 (Write Single Register)"));
    assert_eq!(single.field("Value"), Some("3 (0x0003)"));
    let many = Dissector::ModbusRtu.dissect(&rtu_frame("01 10 00 01 00 02 04 00 0A 01 02"));
    assert_eq!(many.field("Quantity"), Some("2"));
    assert_eq!(many.field("Values"), Some("00 0A 01 02"));
    let coils = Dissector::ModbusRtu.dissect(&rtu_frame("01 01 01 05"));
    assert_eq!(coils.field("Bits (first to last)"), Some("10100000"));
}

#[test]
fn json_is_pretty_or_says_where_it_stops() {
    let good = Dissector::Json.dissect(br#"{"temp":21.5,"ok":true}"#);
    assert_eq!(
        good.text.as_deref(),
        Some("{\n  \"temp\": 21.5,\n  \"ok\": true\n}")
    );
    let bad = Dissector::Json.dissect(br#"{"temp":"#);
    assert!(bad.problem.unwrap().to_string().contains("line 1 column 8"));
}

#[test]
fn text_in_either_encoding() {
    let gbk = Dissector::Text(TextEncoding::Gbk).dissect(&[0xC4, 0xE3, 0xBA, 0xC3]);
    assert_eq!(gbk.text.as_deref(), Some("你好"));
}

#[test]
fn base64_both_ways() {
    assert_eq!(base64_encode(b""), "");
    assert_eq!(base64_encode(b"Hello"), "SGVsbG8=");
    assert_eq!(base64_encode(b"Hi!"), "SGkh");
    assert_eq!(base64_encode(b"Hi"), "SGk=");
    assert_eq!(base64_decode(b"SGVsbG8=").unwrap(), b"Hello");
    assert_eq!(base64_decode(b"SGVsbG8").unwrap(), b"Hello");
    assert_eq!(base64_decode(b"SGk h\n").unwrap(), b"Hi!");
    let problem = |text: &[u8]| base64_decode(text).unwrap_err().to_string();
    assert_eq!(
        problem(b"SGV*"),
        "not Base64: byte 4 (0x2A) is not a Base64 character"
    );
    assert!(problem(b"SGVsb").contains("too many"));
    let row = Dissector::Base64.dissect(b"SGVsbG8=");
    assert_eq!(row.field("Decoded (UTF-8)"), Some("Hello"));
    assert_eq!(row.field("As Base64"), Some("U0dWc2JHOD0="));
}

#[test]
fn rows_copy_as_c_and_python_literals() {
    assert_eq!(c_literal(&[0x01, 0x03, 0xFF]), "{0x01, 0x03, 0xFF}");
    assert_eq!(c_literal(&[]), "{}");
    assert_eq!(python_literal(b"OK\r\n\x01'\\"), r#"b"OK\r\n\x01'\\""#);
    assert_eq!(python_literal(b"'\""), r#"b'\'"'"#);
}

#[test]
fn names_round_trip() {
    for dissector in Dissector::ALL {
        assert_eq!(Dissector::from_name(dissector.name()), Some(dissector));
    }
    assert_eq!(
        Dissector::from_name("Modbus_RTU"),
        Some(Dissector::ModbusRtu)
    );
    assert_eq!(Dissector::from_name("xml"), None);
}

#[test]
fn a_masked_websocket_text_frame_reads_as_its_text() {
    // RFC 6455 5.7: a client's masked "Hello".
    let frame = bytes("81 85 37 FA 21 3D 7F 9F 4D 51 58");
    let reading = Dissector::WebSocket.dissect(&frame);
    assert_eq!(reading.field("FIN"), Some("yes"));
    assert_eq!(reading.field("Opcode"), Some("1 text"));
    assert_eq!(reading.field("Masked"), Some("yes, key 37 FA 21 3D"));
    assert_eq!(reading.field("Payload length"), Some("5"));
    assert_eq!(reading.text.as_deref(), Some("Hello"));
    assert_eq!(reading.problem, None);
    assert_eq!(
        Dissector::guess(&frame, TextEncoding::Utf8).0,
        Dissector::WebSocket
    );
}

#[test]
fn a_websocket_close_says_its_code_and_reason_and_a_binary_frame_its_bytes() {
    let close = Dissector::WebSocket.dissect(&bytes("88 06 03 E9 62 79 65 21"));
    assert_eq!(close.field("Close code"), Some("1001 (going away)"));
    assert_eq!(close.field("Reason"), Some("bye!"));
    let binary = Dissector::WebSocket.dissect(&bytes("82 03 01 02 FF"));
    assert_eq!(binary.field("Payload (hex)"), Some("01 02 FF"));
    assert_eq!(binary.problem, None);
}

#[test]
fn a_websocket_frame_that_breaks_a_rule_says_which() {
    for (frame, words) in [
        ("81", "1 bytes: this frame's header has 2"),
        ("81 05 48 65", "says 5 bytes of payload, the frame has 2"),
        ("81 01 41 81 01 42", "3 more bytes follow the frame"),
        ("C1 01 41", "reserved bits 100 are set"),
        ("83 00", "opcode 3 is reserved"),
        (
            "09 01 41",
            "a control frame (close, ping, pong) carries at most 125 bytes",
        ),
    ] {
        let reading = Dissector::WebSocket.dissect(&bytes(frame));
        let problem = reading.problem.map(|p| p.to_string()).unwrap_or_default();
        assert!(problem.contains(words), "{frame}: {problem}");
    }
    // Text is not guessed to be a frame: its first byte sets reserved bits.
    assert_eq!(
        Dissector::guess(b"hello", TextEncoding::Utf8).0,
        Dissector::Text(TextEncoding::Utf8)
    );
}
