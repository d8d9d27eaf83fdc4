//! Files from the command line, run as a real process over loopback: the capture file, files
//! to send, `decode`, and output paths that would overwrite an input or each other.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use common::*;

/// A std TCP server that records everything one client sends and echoes it back.

#[test]
fn capture_file_holds_exactly_the_received_bytes() {
    let dir = TempDir::new("capture");
    let path = dir.file("capture.bin");
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--capture",
        path.to_str().unwrap(),
        "--framing",
        "line",
        "--count",
        "2",
    ]);
    let local = server.listening();
    let mut client = TcpStream::connect(local).unwrap();
    let sent = b"first\n\x00\xFF\xC4\xE3 second\n".to_vec();
    client.write_all(&sent[..4]).unwrap();
    client.write_all(&sent[4..]).unwrap();
    assert_eq!(server.finish().0, 0);
    assert_eq!(std::fs::read(&path).unwrap(), sent);

    let (code, _, stderr) = run_cli(&[
        "udp",
        "--bind",
        "127.0.0.1:0",
        "--capture",
        dir.0.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "a folder is not a capture file");
    assert!(
        stderr.starts_with("error: creating the capture file"),
        "{stderr}"
    );
}

#[test]
fn send_file_delivers_the_file_byte_exact() {
    let dir = TempDir::new("send-file");
    let path = dir.file("payload.bin");
    let content = common::pattern(300_000);
    std::fs::write(&path, &content).unwrap();
    let (addr, server) = recording_echo_server();
    let (code, _, stderr) = run_cli(&[
        "tcp-client",
        &addr.to_string(),
        "--send-file",
        path.to_str().unwrap(),
        "--wait-ms",
        "100",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(server.join().unwrap() == content);

    let (code, _, stderr) = run_cli(&[
        "tcp-client",
        &addr.to_string(),
        "--send-file",
        dir.file("missing").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: reading "), "{stderr}");
}

#[test]
fn bench_in_a_build_without_it_says_how_to_build_it() {
    let (code, lines, stderr) = run_cli(&["bench", "--quick"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(lines.is_empty(), "{lines:?}");
    assert!(stderr.contains("--features bench"), "{stderr}");
}

/// A WebSocket frame seen on a plain TCP connection: a browser's masked "Hello" (RFC 6455),
/// and a frame whose payload was cut short.
#[test]
fn decode_reads_a_websocket_frame_and_unmasks_it() {
    let (code, lines, _) = run_cli(&["decode", "websocket", "81 85 37 FA 21 3D 7F 9F 4D 51 58"]);
    assert_eq!(code, 0, "{lines:?}");
    for line in ["Opcode: 1 text", "Masked: yes, key 37 FA 21 3D", "Hello"] {
        assert!(lines.contains(&line.to_string()), "{line}: {lines:?}");
    }
    let (code, lines, _) = run_cli(&["decode", "websocket", "82 7E 01 00 00"]);
    assert_eq!(code, 1);
    assert!(
        lines.contains(&"problem: the header says 256 bytes of payload, the frame has 1".into()),
        "{lines:?}"
    );
}

#[test]
fn decode_reads_a_modbus_frame_and_says_when_its_crc_is_wrong() {
    let (code, lines, _) = run_cli(&["decode", "modbus-rtu", "01 03 00 00 00 01 84 0A"]);
    assert_eq!(code, 0);
    assert!(
        lines.contains(&"Function: 3 (Read Holding Registers)".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"CRC: 0x0A84 (correct)".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&r"Python: b'\x01\x03\x00\x00\x00\x01\x84\n'".to_string()));

    let (code, lines, _) = run_cli(&["decode", "modbus-rtu", "01 03 00 00 00 01 84 0B"]);
    assert_eq!(code, 1, "a frame that does not fit its protocol");
    assert!(
        lines.iter().any(|l| l.contains("it should be 0x0A84")),
        "{lines:?}"
    );

    let (code, _, stderr) = run_cli(&["decode", "xml", "00"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("modbus-rtu"), "{stderr}");
}

#[test]
fn an_output_file_that_is_an_input_or_another_output_is_refused_before_anything_opens() {
    let dir = TempDir::new("outputs-apart");
    let (data, pcap) = (dir.file("data.bin"), dir.file("run.pcap"));
    std::fs::write(&data, b"the file to send").unwrap();
    let (data, pcap) = (data.to_str().unwrap(), pcap.to_str().unwrap());
    // A listener that is never connected to: the run must stop before it connects.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap().to_string();
    for (args, said) in [
        (
            vec!["--send-file", data, "--capture", data],
            "--capture names the same file as --send-file",
        ),
        (
            vec!["--send-file", data, "--pcap", data],
            "--pcap names the same file as --send-file",
        ),
        (
            vec!["--pcap", pcap, "--capture", pcap],
            "--pcap names the same file as --capture",
        ),
    ] {
        let (code, _, stderr) = run_cli(&[&["tcp-client", &target][..], &args].concat());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{stderr}");
    }
    assert_eq!(std::fs::read(data).unwrap(), b"the file to send");
    assert!(!std::path::Path::new(pcap).exists());
    listener.set_nonblocking(true).unwrap();
    assert!(listener.accept().is_err(), "nothing connected");
}
