//! What the command line prints of what arrives (issue 25, items 15, 21 and 25): exactly
//! `--count` messages, nothing a peer sends hidden or moving the cursor, in plain lines and in
//! JSON alike, and at most the first 4096 bytes of a message unless `--full`. Run as a real
//! process over loopback.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::thread;

use common::*;

/// A peer that sends `bytes` to the first client, then waits for the client to close.
fn peer_sending(bytes: Vec<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(&bytes).unwrap();
        let _ = stream.read_to_end(&mut Vec::new());
    });
    addr
}

/// The lines a tcp-client prints of the one message `bytes` (framed whole), with `flags`.
fn client_lines(bytes: &[u8], flags: &[&str]) -> Vec<String> {
    let addr = peer_sending(bytes.to_vec()).to_string();
    let framing = format!("fixed:{}", bytes.len());
    let mut args = vec!["tcp-client", &addr, "--framing", &framing, "--count", "1"];
    args.extend_from_slice(flags);
    let (code, lines, stderr) = run_cli(&args);
    assert_eq!(code, 0, "{stderr}");
    lines
}

fn rx_line(lines: &[String]) -> &str {
    lines
        .iter()
        .find(|l| l.contains(" RX ") || l.contains(r#""event":"rx""#))
        .unwrap_or_else(|| panic!("no rx line in {lines:?}"))
}

/// Before, `--count 3` printed the rest of the batch in flight (hundreds of rows) and every
/// message that arrived while the run stopped.
#[test]
fn count_prints_exactly_that_many_messages_of_a_burst() {
    let mut receiver = Cli::spawn(&["udp", "--bind", "127.0.0.1:0", "--count", "3"]);
    let local = receiver.listening();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..2000 {
        // Past the receiver's end the datagrams meet a closed port: no matter.
        let _ = sender.send_to(format!("m{i}").as_bytes(), local);
    }
    let (code, lines, stderr) = receiver.finish();
    assert_eq!(code, 0, "{stderr}");
    let rx: Vec<&String> = lines.iter().filter(|l| l.contains(" RX ")).collect();
    assert_eq!(rx.len(), 3, "{rx:?}");
    for (line, i) in rx.iter().zip(0..) {
        assert!(line.ends_with(&format!(" m{i}")), "{line}");
    }
}

/// Characters that hide, reorder or break a line, as a peer sent them: a C1 CSI, a right-to-
/// left override, a line separator, DEL, a byte order mark, a soft hyphen, a zero-width
/// joiner and a tag character.
const HIDDEN: &str = "a\u{9B}2J\u{202E}b\u{2028}c\u{7F}d\u{FEFF}e\u{AD}f\u{200D}g\u{E0041}h";

fn shows_no_hidden_character(line: &str) -> bool {
    !line.chars().any(|c| {
        matches!(
            c,
            '\u{7F}'
                ..='\u{9F}'
                    | '\u{202E}'
                    | '\u{2028}'
                    | '\u{FEFF}'
                    | '\u{AD}'
                    | '\u{200D}'
                    | '\u{E0041}'
        )
    })
}

/// Before, plain lines printed U+FEFF, U+00AD, U+200D and tag characters as they came, and
/// JSON lines passed C1 controls, bidi overrides, separators and DEL through raw.
#[test]
fn hidden_characters_are_escaped_in_plain_and_json_lines() {
    let lines = client_lines(HIDDEN.as_bytes(), &[]);
    let plain = rx_line(&lines);
    assert!(
        plain.ends_with(r"a\u{009B}2J\u{202E}b\u{2028}c\x7Fd\u{FEFF}e\u{00AD}f\u{200D}g\u{E0041}h"),
        "{plain}"
    );
    let lines = client_lines(HIDDEN.as_bytes(), &["--json"]);
    let json = rx_line(&lines);
    assert!(shows_no_hidden_character(json), "{json:?}");
    let event: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(event["text"], HIDDEN, "a JSON reader gets the text as sent");
}

/// Before, a 1 GiB `--send-file` printed 2.85 GB: every byte of every message.
#[test]
fn a_line_shows_the_first_4096_bytes_and_says_how_many_more() {
    let message: Vec<u8> = (0..10_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let dir = TempDir::new("shown");
    let capture = dir.file("in.bin");
    let lines = client_lines(&message, &["--capture", capture.to_str().unwrap()]);
    let shown = String::from_utf8(message[..4096].to_vec()).unwrap();
    assert!(
        rx_line(&lines).ends_with(&format!(" 10000B {shown} … (5,904 more bytes)")),
        "{lines:?}"
    );
    assert_eq!(
        std::fs::read(&capture).unwrap(),
        message,
        "the capture is whole"
    );

    let lines = client_lines(&message, &["--json"]);
    let event: serde_json::Value = serde_json::from_str(rx_line(&lines)).unwrap();
    assert_eq!(event["len"], 10_000);
    assert_eq!(event["text"], shown.as_str());
    assert_eq!(event["hex"].as_str().unwrap().len(), 4096 * 3 - 1);
    assert_eq!(event["more"], 5_904);

    let lines = client_lines(&message, &["--hex"]);
    assert!(
        rx_line(&lines).ends_with("6B 6C 6D 6E … (5,904 more bytes)"),
        "{lines:?}"
    );

    let lines = client_lines(&message, &["--full"]);
    let whole = String::from_utf8(message).unwrap();
    assert!(
        rx_line(&lines).ends_with(&format!(" 10000B {whole}")),
        "{lines:?}"
    );
}
