//! WebSocket sessions over loopback: `ws-client` against a Python `websockets` server and
//! `ws-server` against a Python client (text and binary both ways, a fragmented message, pings,
//! 16 MiB messages, close codes, wss://), and hand-made peers that break the protocol, send a
//! message over the budget, fail the handshake or never read. Skipped, with a printed reason,
//! without python3 or its `websockets` package (`pip install websockets`; CI installs it).

#![cfg(unix)] // signals

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::{Cli, Python, run_cli};
use serde_json::Value;

/// Python's `websockets`, or None after saying SKIPPED.
fn websockets() -> Option<()> {
    common::python_websockets().then_some(())
}

/// A Python server that, for each client: greets in text, sends three bytes in binary, a
/// message in two fragments, pings, takes one message, sends 16 MiB and closes with 4001.
const PYTHON_SERVER: &str = r#"
import ssl, sys
from websockets.sync.server import serve

def handler(ws):
    print("path", ws.request.path, flush=True)
    ws.send("welcome 你好")
    ws.send(b"\x00\x01\xff")
    ws.send(["frag", "mented"])
    print("pong", ws.ping(b"pp").wait(5), flush=True)
    print("got", repr(ws.recv(timeout=5)), flush=True)
    ws.send(bytes(range(256)) * 65536)
    ws.close(4001, "bye")

context = None
if len(sys.argv) > 2:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
with serve(handler, "127.0.0.1", 0, max_size=None, compression=None, ssl=context) as server:
    print(server.socket.getsockname()[1], flush=True)
    server.serve_forever()
"#;

/// A Python client that sends text, binary, a fragmented message and 16 MiB, checks each
/// echo, pings, and closes with 1000 "done".
const PYTHON_CLIENT: &str = r#"
import ssl, sys
from websockets.sync.client import connect

context = None
if sys.argv[1].startswith("wss"):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
with connect(sys.argv[1], max_size=None, compression=None, ssl=context,
             origin="http://lecture.example") as ws:
    ws.send("你好")
    print("echo", repr(ws.recv(timeout=5)), flush=True)
    ws.send(b"\x00\x01\xff")
    print("echo", repr(ws.recv(timeout=5)), flush=True)
    print("pong", ws.ping(b"hi").wait(5), flush=True)
    ws.send(["ab", "cd"])
    print("echo", repr(ws.recv(timeout=5)), flush=True)
    big = bytes(range(256)) * 65536
    ws.send(big)
    print("big", ws.recv(timeout=20) == big, flush=True)
    ws.close(1000, "done")
print("close", ws.close_code, flush=True)
"#;

fn json_lines(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// The JSON lines of `event` with `opcode`.
fn frames<'a>(lines: &'a [Value], event: &str, opcode: &str) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|line| line["event"] == event && line["opcode"] == opcode)
        .collect()
}

/// Our client's side of [`PYTHON_SERVER`]'s script, checked from the JSON lines.
fn check_client_run(lines: &[Value], python: &mut Python) {
    assert_eq!(python.line(), "path /chat?room=1");
    assert_eq!(python.line(), "pong True");
    assert_eq!(python.line(), "got 'from the client'");
    assert_eq!(frames(lines, "tx", "text")[0]["text"], "from the client");
    let text = frames(lines, "rx", "text");
    assert_eq!(text[0]["text"], "welcome 你好", "{lines:?}");
    assert_eq!(
        text[1]["text"], "fragmented",
        "two fragments are one message"
    );
    assert_eq!(frames(lines, "rx", "binary")[0]["hex"], "00 01 FF");
    assert_eq!(frames(lines, "rx", "binary")[1]["len"], 16 << 20);
    let ping = frames(lines, "rx", "ping");
    assert_eq!(ping[0]["reason"], "ping 2 B \"pp\"");
    assert_eq!(frames(lines, "tx", "pong")[0]["reason"], "pong 2 B \"pp\"");
    let close = frames(lines, "rx", "close");
    assert_eq!(close[0]["reason"], "close 4001 (private use) bye");
    assert_eq!(
        frames(lines, "tx", "close")[0]["reason"],
        "close 4001 (private use)"
    );
    let opened: Vec<_> = lines
        .iter()
        .filter(|line| line["event"] == "websocket_open")
        .collect();
    let said = opened[0]["reason"].as_str().unwrap();
    assert!(
        said.starts_with("GET /chat?room=1 HTTP/1.1 → HTTP/1.1 101 Switching Protocols"),
        "{said}"
    );
    assert!(said.contains("websockets/"), "the server's name: {said}");
}

#[test]
fn our_client_and_a_python_server_trade_every_kind_of_frame() {
    let Some(()) = websockets() else { return };
    let mut python = Python::start(PYTHON_SERVER, &[]).expect("python3 runs");
    let url = format!("ws://127.0.0.1:{}/chat?room=1", python.line());
    let (code, lines, stderr) = run_cli(&[
        "ws-client",
        &url,
        "--send",
        "from the client",
        "--wait-ms",
        "10000",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    check_client_run(&json_lines(&lines), &mut python);
}

#[cfg(feature = "tls")]
#[test]
fn wss_works_both_ways_over_tls() {
    let Some(()) = websockets() else { return };
    let certs = common::tls_peer::Certificates::new("websocket");
    let (cert, key) = certs.leaf("server", &["localhost"], false, false);
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let mut python = Python::start(PYTHON_SERVER, &[cert, key]).expect("python3 runs");
    let url = format!("wss://127.0.0.1:{}/chat?room=1", python.line());
    let (code, lines, stderr) = run_cli(&[
        "ws-client",
        &url,
        "--tls-insecure",
        "--send",
        "from the client",
        "--wait-ms",
        "10000",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let lines = json_lines(&lines);
    assert!(lines.iter().any(|line| line["event"] == "tls"), "{lines:?}");
    check_client_run(&lines, &mut python);

    let mut server = Cli::spawn(&[
        "ws-server",
        "127.0.0.1:0",
        "--tls",
        "--tls-self-signed",
        "--echo",
    ]);
    let url = format!("wss://{}/secure", server.listening());
    let mut python = Python::start(PYTHON_CLIENT, &[&url]).expect("python3 runs");
    check_python_client(&mut python);
}

/// What [`PYTHON_CLIENT`] prints against an echoing server.
fn check_python_client(python: &mut Python) {
    assert_eq!(python.line(), "echo '你好'");
    assert_eq!(
        python.line(),
        r"echo b'\x00\x01\xff'",
        "binary stays binary"
    );
    assert_eq!(python.line(), "pong True");
    assert_eq!(python.line(), "echo 'abcd'");
    assert_eq!(python.line(), "big True");
    assert_eq!(python.line(), "close 1000");
}

#[test]
fn a_python_client_and_our_server_trade_every_kind_of_frame() {
    let Some(()) = websockets() else { return };
    let mut server = Cli::spawn(&["ws-server", "127.0.0.1:0", "--echo", "--json"]);
    let url = format!("ws://{}/lab", server.listening());
    let mut python = Python::start(PYTHON_CLIENT, &[&url]).expect("python3 runs");
    check_python_client(&mut python);
    server.line_containing(r#""event":"closed""#);
    let lines = json_lines(&server.seen);
    let opened = lines
        .iter()
        .find(|line| line["event"] == "websocket_open")
        .expect("the handshake is said");
    let said = opened["reason"].as_str().unwrap();
    assert!(said.contains("GET /lab HTTP/1.1"), "{said}");
    assert!(said.contains("Origin: http://lecture.example"), "{said}");
    assert_eq!(frames(&lines, "rx", "text")[1]["text"], "abcd");
    assert_eq!(frames(&lines, "rx", "binary")[1]["len"], 16 << 20);
    assert_eq!(frames(&lines, "rx", "ping")[0]["reason"], "ping 2 B \"hi\"");
    assert_eq!(
        frames(&lines, "rx", "close")[0]["reason"],
        "close 1000 (normal closure) done"
    );
    assert_eq!(
        frames(&lines, "tx", "close")[0]["reason"],
        "close 1000 (normal closure)"
    );
}

#[test]
fn our_client_says_goodbye_with_code_1000_when_it_is_done() {
    let Some(()) = websockets() else { return };
    let source = r#"
import sys
from websockets.sync.server import serve
from websockets.exceptions import ConnectionClosed
def handler(ws):
    try:
        for message in ws:
            print("got", repr(message), flush=True)
    except ConnectionClosed:
        pass
    print("close", ws.close_code, flush=True)
with serve(handler, "127.0.0.1", 0, compression=None) as server:
    print(server.socket.getsockname()[1], flush=True)
    server.serve_forever()
"#;
    let mut python = Python::start(source, &[]).expect("python3 runs");
    let url = format!("ws://127.0.0.1:{}/", python.line());
    let (code, lines, stderr) = run_cli(&["ws-client", &url, "--send", "hi", "--wait-ms", "100"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(python.line(), "got 'hi'");
    assert_eq!(
        python.line(),
        "close 1000",
        "not 1006 (gone without a word)"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("TX") && l.contains("websocket close 1000")),
        "{lines:?}"
    );
}

#[test]
fn frames_go_out_as_the_kind_chosen_both_ways_and_by_their_bytes_unless_one_is() {
    // The server sends binary to each client; a client sends binary though "AT" is ASCII.
    let mut server = Cli::spawn(&[
        "ws-server",
        "127.0.0.1:0",
        "--json",
        "--frames",
        "binary",
        "--send",
        "hi",
    ]);
    let url = format!("ws://{}/", server.listening());
    // Long enough for the server's "hi" on a loaded machine: the client ends after it.
    let args = ["ws-client", &url, "--json", "--wait-ms", "1000"];
    let (code, lines, stderr) =
        run_cli(&[&args[..], &["--frames", "binary", "--send", "AT"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let lines = json_lines(&lines);
    let got = frames(&lines, "rx", "binary");
    assert_eq!(
        got.first().map(|m| &m["hex"]),
        Some(&"68 69".into()),
        "{lines:?}"
    );
    assert_eq!(
        frames(&lines, "tx", "binary")[0]["hex"],
        "41 54",
        "{lines:?}"
    );
    let got = next_message(&mut server);
    assert_eq!(
        (&got["opcode"], &got["hex"]),
        (&"binary".into(), &"41 54".into())
    );

    // Without --frames, hex that spells UTF-8 goes as text, as before.
    let (code, _, stderr) = run_cli(&[&args[..], &["--hex", "--send", "41 54"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let got = next_message(&mut server);
    assert_eq!(
        (&got["opcode"], &got["text"]),
        (&"text".into(), &"AT".into())
    );

    // An echo keeps a binary message binary, whatever the server's own choice.
    let mut echo = Cli::spawn(&["ws-server", "127.0.0.1:0", "--echo", "--frames", "text"]);
    let echo_url = format!("ws://{}/", echo.listening());
    let (code, lines, stderr) = run_cli(&[
        "ws-client",
        &echo_url,
        "--json",
        "--wait-ms",
        "1000",
        "--frames",
        "binary",
        "--send",
        "AT",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let lines = json_lines(&lines);
    let echoed = frames(&lines, "rx", "binary");
    assert_eq!(
        echoed.first().map(|m| &m["hex"]),
        Some(&"41 54".into()),
        "{lines:?}"
    );

    // Said in words where it cannot apply (even the default, where it means nothing) or names
    // no kind.
    let not_websocket: [&[&str]; 2] = [
        &[
            "tcp-client",
            "127.0.0.1:9",
            "--frames",
            "binary",
            "--send",
            "x",
        ],
        &[
            "udp",
            "--to",
            "127.0.0.1:9",
            "--frames",
            "auto",
            "--send",
            "x",
        ],
    ];
    for args in not_websocket {
        let (code, _, stderr) = run_cli(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("--frames is for ws-client and ws-server"),
            "{args:?}: {stderr}"
        );
    }
    let (code, _, stderr) = run_cli(&["ws-client", &url, "--frames", "utf8", "--send", "x"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--frames takes auto, text or binary, not 'utf8'"),
        "{stderr}"
    );
}

#[test]
fn each_message_is_read_as_text_on_its_own() {
    // "你" is E4 BD A0: split over two binary messages it is two messages' bytes, not one
    // character (as it would be over two reads of a TCP stream).
    let mut server = Cli::spawn(&["ws-server", "127.0.0.1:0", "--json"]);
    let url = format!("ws://{}/", server.listening());
    let (code, _, stderr) = run_cli(&[
        "ws-client",
        &url,
        "--hex",
        "--send",
        "E4 BD",
        "--send",
        "A0 41",
        "--wait-ms",
        "300",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(next_message(&mut server)["text"], "\\xE4\\xBD");
    assert_eq!(next_message(&mut server)["text"], "\\xA0A");
}

/// The next message `cli` says it received (not a control frame).
fn next_message(cli: &mut Cli) -> Value {
    loop {
        let line: Value = serde_json::from_str(&cli.line_containing(r#""event":"rx""#)).unwrap();
        if matches!(line["opcode"].as_str(), Some("text" | "binary")) {
            return line;
        }
    }
}

/// A hand-made client's upgrade to `addr`; the answer's head.
fn upgrade(addr: std::net::SocketAddr) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(common::DEADLINE)).unwrap();
    stream
        .write_all(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    (stream, String::from_utf8(head).unwrap())
}

/// Everything the server sends until it closes.
/// What is left to read up to the peer's FIN (this side stays open).
fn rest(stream: &mut TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    bytes
}

#[test]
fn a_broken_frame_is_answered_with_code_1002_and_said_in_words() {
    let mut server = Cli::spawn(&["ws-server", "127.0.0.1:0"]);
    let (mut stream, head) = upgrade(server.listening());
    assert!(
        head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "{head}"
    );
    // Reserved bits and opcode 15: garbage.
    stream.write_all(b"\xff\xff garbage").unwrap();
    assert_eq!(
        rest(&mut stream),
        [0x88, 0x02, 0x03, 0xEA],
        "close 1002, then FIN"
    );
    server.signal(libc::SIGINT);
    let (_, _, stderr) = server.finish();
    assert!(
        stderr.contains("the peer broke the WebSocket protocol (reserved bits 111 are set"),
        "{stderr}"
    );
}

#[test]
fn a_peer_that_closes_and_leaves_at_once_still_gets_the_close_answered_without_an_error() {
    // As some clients do (Wine's, a script that exits): the close frame, then FIN at once,
    // before the server's answer can go out. The answer used to be lost or fail with
    // "Broken pipe" as the server shut the socket on the FIN.
    let mut server = Cli::spawn(&["ws-server", "127.0.0.1:0", "--json"]);
    let addr = server.listening();
    for round in 0..20 {
        let (mut stream, _) = upgrade(addr);
        // A masked close frame, code 1000 (the mask of zeros leaves it as it is).
        stream
            .write_all(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8])
            .unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        assert_eq!(
            rest(&mut stream),
            [0x88, 0x02, 0x03, 0xE8],
            "round {round}: close 1000 answered, then FIN"
        );
        server.line_containing(r#""event":"closed""#);
    }
    server.signal(libc::SIGINT);
    let (_, lines, stderr) = server.finish();
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        !lines.iter().any(|l| l.contains(r#""event":"error""#)),
        "{lines:?}"
    );
}

#[test]
fn a_message_over_the_memory_budget_is_refused_with_code_1009() {
    let mut server = Cli::spawn(&["ws-server", "127.0.0.1:0", "--memory-budget-mib", "1"]);
    let (mut stream, _) = upgrade(server.listening());
    // A masked binary frame of 2 MiB: its header is enough to refuse it.
    stream
        .write_all(&[0x82, 0xFF, 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4])
        .unwrap();
    assert_eq!(
        rest(&mut stream),
        [0x88, 0x02, 0x03, 0xF1],
        "close 1009, then FIN"
    );
    // Stopped while it waits for this side to close: it still says why it closed.
    server.signal(libc::SIGINT);
    let (_, lines, stderr) = server.finish();
    drop(stream);
    assert!(
        stderr.contains("a message of 2.0 MiB or more is over the limit of 1.0 MiB"),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("closed") && l.contains("1009")),
        "{lines:?}"
    );
}

#[test]
fn handshakes_that_fail_say_why() {
    // A web server that knows no WebSocket at this path.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/nowhere", listener.local_addr().unwrap());
    let web = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 1024];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
    let (code, _, stderr) = run_cli(&["ws-client", &url, "--send", "x"]);
    web.join().unwrap();
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("answered \"HTTP/1.1 404 Not Found\" instead of switching to WebSocket"),
        "{stderr}"
    );

    // A plain HTTP request to our server: answered 400, and said.
    let mut server = Cli::spawn(&["ws-server", "127.0.0.1:0", "--json"]);
    let mut stream = TcpStream::connect(server.listening()).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let answer = String::from_utf8(rest(&mut stream)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400 Bad Request"), "{answer}");
    assert!(answer.contains("no \"Upgrade: websocket\""), "{answer}");
    server.line_containing("the client's request is not a WebSocket upgrade: no");

    // Not a URL.
    let (code, _, stderr) = run_cli(&["ws-client", "127.0.0.1:9", "--send", "x"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("ws://HOST[:PORT][/PATH]"), "{stderr}");
}

#[test]
fn a_client_that_never_reads_holds_up_no_stop() {
    let mut server = Cli::spawn(&["ws-server", "127.0.0.1:0", "--send-file", "/dev/zero"]);
    let (stream, _) = upgrade(server.listening());
    server.line_containing("GET / HTTP/1.1 → HTTP/1.1 101");
    server.line_containing(" TX ");
    // The sends stall once both socket buffers and the queue are full.
    while server.try_line(Duration::from_millis(300)).is_some() {}
    server.signal(libc::SIGINT);
    let (code, _, stderr) = server.finish();
    assert_eq!(code, 130, "{stderr}");
    drop(stream);
}

#[test]
fn a_client_that_never_reads_then_closes_and_leaves_ends_its_connection() {
    let mut server = Cli::spawn(&[
        "ws-server",
        "127.0.0.1:0",
        "--send-file",
        "/dev/zero",
        "--json",
    ]);
    let addr = server.listening();
    // Whether the close's answer finds the queue full to the byte varies: a few rounds.
    for round in 0..4 {
        let (mut stream, _) = upgrade(addr);
        server.line_containing(r#""event":"tx""#);
        // The sends stall once both socket buffers and the queue are full.
        while server.try_line(Duration::from_millis(300)).is_some() {}
        // A masked close 1000 and FIN; the client leaves without reading the rest (a reset).
        stream
            .write_all(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8])
            .unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        // Read before the reset, which would discard it.
        server.line_containing(r#""opcode":"close""#);
        drop(stream);
        // The write fails on the reset. The reader waiting for room to answer the close, and
        // the file's sender, used to wait on until the session stopped.
        let closed = server.line_containing(r#""event":"closed""#);
        assert!(
            closed.contains(&format!(r#""client":{}"#, round + 1)),
            "{closed}"
        );
    }
    server.signal(libc::SIGINT);
    let (code, _, stderr) = server.finish();
    assert_eq!(code, 130, "{stderr}");
}
