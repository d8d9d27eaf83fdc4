//! Issue 28 item 3: auto-replies built from what the rule matched, over real sockets: a
//! regular expression's groups (UTF-8 and GBK text), the message's length and hex, bytes of
//! it in a hex reply (a Modbus TCP transaction id echoed back), and references that name
//! nothing refused before anything listens.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::{Cli, DEADLINE, run_cli};

/// A server with `rules` (and `more` flags); asks it each question in turn.
fn asked(rules: &[&str], more: &[&str], questions: &[(&[u8], &[u8])]) {
    let mut args = vec!["tcp-server", "127.0.0.1:0"];
    for rule in rules {
        args.extend(["--reply", rule]);
    }
    args.extend_from_slice(more);
    let mut server = Cli::spawn(&args);
    let mut client = TcpStream::connect(server.listening()).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    for (question, expected) in questions {
        client.write_all(question).unwrap();
        let mut answer = vec![0u8; expected.len()];
        client.read_exact(&mut answer).unwrap();
        assert_eq!(
            answer,
            *expected,
            "{:?} -> {:?}",
            String::from_utf8_lossy(question),
            String::from_utf8_lossy(&answer)
        );
    }
}

#[test]
fn a_regex_rule_answers_with_its_groups_and_the_message() {
    asked(
        &[r"re:^ID=(\d+);NAME=(\w+)=>ACK ${1} for ${2} (${rx.len} bytes: ${rx.hex})\n"],
        &[],
        &[(
            b"ID=42;NAME=pump",
            b"ACK 42 for pump (15 bytes: 49 44 3D 34 32 3B 4E 41 4D 45 3D 70 75 6D 70)\n",
        )],
    );
}

#[test]
fn groups_of_gbk_text_go_back_in_gbk() {
    let question = encoding_rs::GBK.encode("温度=21.5").0.into_owned();
    let answer = encoding_rs::GBK.encode("收到 21.5 度").0.into_owned();
    asked(
        &[r"re:温度=([\d.]+)=>收到 ${1} 度"],
        &["--encoding", "gbk"],
        &[(&question, &answer)],
    );
}

#[test]
fn a_hex_reply_echoes_a_modbus_transaction_id() {
    // Read holding registers: the answer carries the request's transaction id (bytes 0..2).
    asked(
        &["hex:00 00 00 06 01 03=>hex:${rx[0..2]} 00 00 00 07 01 03 04 00 2A 00 2B"],
        &[],
        &[
            (
                &[0x12, 0x34, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2],
                &[0x12, 0x34, 0, 0, 0, 7, 1, 3, 4, 0, 0x2A, 0, 0x2B],
            ),
            (
                &[0xAB, 0xCD, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2],
                &[0xAB, 0xCD, 0, 0, 0, 7, 1, 3, 4, 0, 0x2A, 0, 0x2B],
            ),
        ],
    );
}

#[test]
fn a_reference_that_names_nothing_is_refused_before_listening() {
    for (rule, words) in [
        (
            r"re:^ID=(\d+)=>ACK ${2}",
            "names group 2, but the pattern has 1 group",
        ),
        ("PING=>PONG ${1}", "is not one (write re:"),
        ("PING=>PONG ${seq}", "is not a name a reply knows"),
        ("PING=>PONG ${rx[5..1]}", "ends before it starts"),
    ] {
        let (code, _, stderr) = run_cli(&["tcp-server", "127.0.0.1:0", "--reply", rule]);
        assert_eq!(code, 2, "{rule}: {stderr}");
        assert!(stderr.contains(words), "{rule}: {stderr}");
    }
}

#[test]
fn the_reply_checksum_is_computed_over_the_reply_as_built() {
    // Modbus RTU: the answer carries the asking unit's address, then a CRC over all of it
    // (low byte first), so each unit gets a different CRC from one rule.
    asked(
        &["hex:03 00 00 00 01=>hex:${rx[0..1]} 03 02 00 2A"],
        &["--reply-checksum", "crc16-modbus"],
        &[
            (
                &[0x01, 0x03, 0, 0, 0, 1, 0x84, 0x0A],
                &[0x01, 0x03, 0x02, 0x00, 0x2A, 0x39, 0x9B],
            ),
            (
                &[0x02, 0x03, 0, 0, 0, 1, 0x84, 0x39],
                &[0x02, 0x03, 0x02, 0x00, 0x2A, 0x7D, 0x9B],
            ),
        ],
    );
}

#[test]
fn an_unknown_reply_checksum_is_refused_in_one_line() {
    let (code, lines, stderr) = run_cli(&[
        "tcp-server",
        "127.0.0.1:0",
        "--reply",
        "*=>OK",
        "--reply-checksum",
        "md5",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(lines.is_empty());
    assert!(stderr.contains("md5"), "{stderr}");
}
