//! Message variables on the command line (issue 25, items 13 and 16): every message that is
//! accepted sends each time, and what could not is refused before anything is sent, in words,
//! with exit 2. Run as a real process over loopback.

mod common;

use std::net::UdpSocket;
use std::time::Duration;

use common::*;

/// A UDP socket on loopback to send to, with a deadline on reads.
fn receiver() -> (UdpSocket, String) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    let addr = socket.local_addr().unwrap().to_string();
    (socket, addr)
}

/// Runs `udp --to` a receiver with `args`, ending at once after the last send: the receiver,
/// the exit code and stderr.
fn udp_run(args: &[&str]) -> (UdpSocket, i32, String) {
    let (socket, addr) = receiver();
    let mut all = vec!["udp", "--to", &addr, "--wait-ms", "0"];
    all.extend_from_slice(args);
    let (code, _, stderr) = run_cli(&all);
    (socket, code, stderr)
}

/// Runs the CLI, which must refuse its input: exit 2, `reason` on stderr, nothing sent.
fn assert_refused(args: &[&str], reason: &str) {
    let (socket, code, stderr) = udp_run(args);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert!(stderr.contains(reason), "{args:?}: {stderr}");
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert!(
        socket.recv(&mut [0u8; 64]).is_err(),
        "{args:?}: nothing is sent"
    );
}

/// Before, `--hex --send '01 ${random:0:5000000000}' --repeat 20` sent the few messages whose
/// number fitted 8 hex digits, stopped silently at the first that did not, and exited 0.
#[test]
fn a_number_too_wide_for_hex_is_refused_before_anything_is_sent() {
    assert_refused(
        &[
            "--hex",
            "--send",
            "01 ${random:0:5000000000}",
            "--interval-ms",
            "1",
            "--repeat",
            "20",
        ],
        "in hex a number is 4 bytes, so max can be at most 4294967295",
    );
}

/// The widest random number hex allows goes out every time, 4 bytes each.
#[test]
fn a_repeater_sends_every_message_it_accepted() {
    let (socket, code, stderr) = udp_run(&[
        "--hex",
        "--send",
        "01 ${random:0:4294967295} ${seq}",
        "--interval-ms",
        "1",
        "--repeat",
        "20",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut buf = [0u8; 64];
    for seq in 1..=20u32 {
        let n = socket.recv(&mut buf).unwrap();
        assert_eq!(n, 9, "message {seq}");
        assert_eq!(buf[5..9], seq.to_be_bytes(), "message {seq}");
    }
}

#[test]
fn a_reversed_random_range_is_told_as_such() {
    assert_refused(
        &["--send", "${random:5:1}"],
        "'${random:5:1}': min 5 is greater than max 1",
    );
}

/// `${client}` is a stress client's number; elsewhere it was silently 0.
#[test]
fn client_is_refused_outside_stress() {
    assert_refused(
        &["--send", "n=${client}"],
        "${client} is the number of a stress client",
    );
}

/// An escape would be finished by the digits of a number: `\` then `0` made `\0` for
/// `${seq}` 0 and a bad escape for 1.
#[test]
fn an_escape_cut_by_a_variable_is_refused() {
    assert_refused(
        &["--escapes", "--send", r"\${seq}"],
        "invalid escape '\\' at position 1",
    );
}

#[test]
fn a_doubled_dollar_sends_a_literal_variable_start() {
    let (socket, code, stderr) = udp_run(&["--send", "$${seq} is ${seq}"]);
    assert_eq!(code, 0, "{stderr}");
    let mut buf = [0u8; 64];
    let n = socket.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"${seq} is 1");
}

/// A wait of u64::MAX ms was accepted (and a sequence could never end).
#[test]
fn a_sequence_wait_over_a_day_is_refused_with_the_limit() {
    let dir = TempDir::new("long-wait");
    for (step, words) in [
        (
            r#"{"step":"wait","ms":18446744073709551615}"#,
            "a wait is 18446744073709551615 ms, longer than the limit of 86400000 ms (24 h)",
        ),
        (
            r#"{"step":"expect","pattern":"x","timeout_ms":86400001}"#,
            "an expect's timeout is 86400001 ms, longer than the limit of 86400000 ms (24 h)",
        ),
    ] {
        let path = dir.file("steps.json");
        std::fs::write(&path, format!(r#"{{"steps":[{step}]}}"#)).unwrap();
        assert_refused(&["--sequence", path.to_str().unwrap()], words);
    }
}
