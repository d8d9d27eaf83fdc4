//! Issue 28 item 4: `--python-peer FILE` writes a Python program that plays the other end of
//! the session. Each test runs a session against a real Python peer in a course's style,
//! runs the program it wrote with python3 against a fresh run of the same session, and checks
//! that the session sees the same bytes in the same order. The bytes repr the Python column shows is checked against python3's own repr.
//! Everything on loopback; without python3 each test prints SKIPPED.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};

use common::{Cli, DEADLINE, TempDir, WAIT_MS_DEADLINE};
use socket_tester::codec::dissect::{python_literal, python_str_literal};

/// A python3 child: its stdout lines, waited for with a deadline. Killed when dropped.
struct Python {
    child: Child,
    lines: crossbeam_channel::Receiver<String>,
}

impl Python {
    /// Runs `python3 -u FILE` (or `-c SOURCE`); `None` (SKIPPED said) without python3.
    fn start(args: &[&str]) -> Option<Python> {
        let spawned = Command::new("python3")
            .arg("-u")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let Ok(mut child) = spawned else {
            eprintln!("SKIPPED: python3 is not installed");
            return None;
        };
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = crossbeam_channel::unbounded();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Some(Python { child, lines })
    }

    fn line(&self) -> String {
        self.lines
            .recv_timeout(DEADLINE)
            .expect("a line from python3 in time")
    }

    /// Every line left, once it exits with 0 (within the deadline: a program waiting for
    /// bytes that never come fails the test instead of hanging it).
    fn finish(mut self) -> Vec<String> {
        let deadline = std::time::Instant::now() + DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("python3 runs") {
                break status;
            }
            assert!(std::time::Instant::now() < deadline, "python3 did not end");
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let lines: Vec<String> = self.lines.iter().collect();
        assert!(status.success(), "python3 failed; printed {lines:?}");
        lines
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the session received, in order, from the `RX` lines (`TIME RX PEER NB TEXT`), joined:
/// TCP may cut a stream into reads differently each time.
fn received(lines: &[String]) -> String {
    lines
        .iter()
        .filter_map(|line| line.split_once(" RX ")?.1.splitn(3, ' ').nth(2))
        .collect()
}

/// Runs the CLI with `args` to its end; its stdout lines (it must succeed).
fn session(args: &[&str]) -> Vec<String> {
    let (code, lines, stderr) = Cli::spawn(args).finish();
    assert_eq!(code, 0, "{args:?}: {stderr} {lines:?}");
    lines
}

/// A TCP client session against a course-style Python server; then its program, run as the
/// server, against the same session again.
#[test]
fn a_tcp_clients_program_is_its_server() {
    const SERVER: &str = "
import socket
from socket import AF_INET, SOCK_STREAM
s = socket.socket(AF_INET, SOCK_STREAM)
# It closes first, so its port waits in TIME_WAIT: the program playing it binds the port again.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0))
s.listen(1)
print(s.getsockname()[1])
conn, addr = s.accept()
data = b''
while len(data) < 9:
    data += conn.recv(1024)
conn.sendall('你好'.encode('gbk'))
conn.sendall(b'World\\r\\n')
conn.close()
";
    let Some(server) = Python::start(&["-c", SERVER]) else {
        return;
    };
    let port = server.line();
    let dir = TempDir::new("python-peer-client");
    let (first, again) = (dir.file("first.py"), dir.file("again.py"));
    let target = format!("127.0.0.1:{port}");
    let args = |program: &std::path::Path| {
        let program = program.to_str().unwrap().to_string();
        [
            "tcp-client",
            &target,
            "--send",
            "Hello",
            "--send",
            "你好",
            "--encoding",
            "gbk",
            "--python-peer",
            &program,
        ]
        .map(String::from)
    };
    let lines = session(&args(&first).each_ref().map(String::as_str));
    server.finish();
    let program = std::fs::read_to_string(&first).expect("the program written");
    assert!(program.contains("conn.sendall('你好"), "{program}");
    assert!(program.contains(".encode('gbk'))"), "{program}");

    let played = Python::start(&[first.to_str().unwrap()]).expect("python3 ran before");
    assert!(played.line().starts_with("listening on"));
    let replayed = session(&args(&again).each_ref().map(String::as_str));
    let said = played.finish();
    assert_eq!(received(&replayed), received(&lines), "{replayed:?}");
    assert!(received(&lines).starts_with("你好World"), "{lines:?}");
    // The program received what the session sent, as Python prints it.
    assert!(
        said.contains(&r"recv b'Hello\xc4\xe3\xba\xc3'".to_string()),
        "{said:?}"
    );
    assert!(said.contains(&"Hello你好".to_string()), "{said:?}");
}

/// A TCP server session with a Python client that reads the welcome, answers and waits for
/// the server to close; then its program, run as the client, against a fresh server.
#[test]
fn a_tcp_servers_program_is_its_client() {
    let dir = TempDir::new("python-peer-server");
    let (first, again) = (dir.file("first.py"), dir.file("again.py"));
    let server_args = |bind: &str, program: &std::path::Path| {
        [
            "tcp-server",
            bind,
            "--send",
            "Welcome",
            "--count",
            "1",
            "--python-peer",
            program.to_str().unwrap(),
        ]
        .map(String::from)
    };
    let mut server = Cli::spawn(
        &server_args("127.0.0.1:0", &first)
            .each_ref()
            .map(String::as_str),
    );
    let addr = server.listening();
    let client = format!(
        "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', {port}))
data = b''
while len(data) < 7:
    data += s.recv(1024)
s.sendall(b'ping\\r\\n')
print(s.recv(1024))
s.close()
",
        port = addr.port()
    );
    let Some(python) = Python::start(&["-c", &client]) else {
        return;
    };
    let (code, lines, stderr) = server.finish();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(python.finish(), ["b''"]);
    let program = std::fs::read_to_string(&first).expect("the program written");
    assert!(program.contains(&format!("s.connect(('127.0.0.1', {}))", addr.port())));

    let mut fresh = Cli::spawn(
        &server_args(&addr.to_string(), &again)
            .each_ref()
            .map(String::as_str),
    );
    assert_eq!(fresh.listening(), addr);
    let played = Python::start(&[first.to_str().unwrap()]).expect("python3 ran before");
    let (code, replayed, stderr) = fresh.finish();
    assert_eq!(code, 0, "{stderr}");
    let said = played.finish();
    assert_eq!(received(&replayed), received(&lines));
    assert!(received(&lines).contains("ping"), "{lines:?}");
    assert!(said.contains(&"recv b'Welcome'".to_string()), "{said:?}");
}

/// A UDP session sends a 2,000-byte datagram to a Python socket, which answers; the program
/// receives it with recvfrom(1024) as a course's would: the first 1,024 bytes, the rest gone.
#[test]
fn a_udp_sockets_program_is_the_socket_it_talked_to() {
    // Two ports for the run and its replay.
    let free = |_| {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap()
    };
    let [ours, theirs]: [SocketAddr; 2] = [0, 1].map(free);
    const PEER: &str = "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
print('bound')
data, addr = s.recvfrom(4096)
s.sendto(b'pong', addr)
";
    let port = theirs.port().to_string();
    let Some(peer) = Python::start(&["-c", PEER, &port]) else {
        return;
    };
    assert_eq!(peer.line(), "bound");
    let big = "ab".repeat(1000);
    let dir = TempDir::new("python-peer-udp");
    let (first, again) = (dir.file("first.py"), dir.file("again.py"));
    let args = |program: &std::path::Path| {
        [
            "udp",
            "--bind",
            &ours.to_string(),
            "--to",
            &theirs.to_string(),
            "--send",
            &big,
            "--count",
            "1",
            "--wait-ms",
            WAIT_MS_DEADLINE,
            "--python-peer",
            program.to_str().unwrap(),
        ]
        .map(String::from)
    };
    let lines = session(&args(&first).each_ref().map(String::as_str));
    peer.finish();
    let program = std::fs::read_to_string(&first).expect("the program written");
    assert!(program.contains("the rest is gone"), "{program}");

    let played = Python::start(&[first.to_str().unwrap()]).expect("python3 ran before");
    assert!(played.line().starts_with("bound to"));
    let replayed = session(&args(&again).each_ref().map(String::as_str));
    let said = played.finish();
    assert_eq!(received(&replayed), received(&lines));
    assert_eq!(received(&lines), "pong", "{lines:?}");
    let cut = format!("recv {}", python_literal(&big.as_bytes()[..1024]));
    assert!(said.contains(&cut), "{said:?}");
    // Datagrams keep their bounds: the replay writes the same program.
    assert_eq!(std::fs::read_to_string(&again).unwrap(), program);
}

/// The column's bytes and text look exactly as Python's repr prints them: every byte value,
/// quotes of both kinds, and GBK text with the characters Python escapes.
#[test]
fn literals_are_what_python_repr_prints() {
    let mut samples: Vec<Vec<u8>> = vec![
        (0..=255).collect(),
        b"it's".to_vec(),
        b"say \"hi\"".to_vec(),
        b"both ' and \"".to_vec(),
        b"\\".to_vec(),
    ];
    // Pseudo-random bytes, the same each run.
    let mut seed = 0x2545_f491_u32;
    for len in [1, 7, 64, 300] {
        samples.push(
            (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    (seed >> 24) as u8
                })
                .collect(),
        );
    }
    let texts = [
        "你好",
        "it's",
        "tab\there\u{3000}全角空格",
        "\u{a0}\u{ad}é\u{200b}",
        "a\"b'",
    ];
    let mut source = String::from("import sys\nfor line in sys.stdin:\n");
    source.push_str("    kind, hex = line.split()\n");
    source.push_str("    data = bytes.fromhex(hex)\n");
    source.push_str("    print(repr(data) if kind == 'b' else repr(data.decode('utf-8')))\n");
    let spawned = Command::new("python3")
        .args(["-c", &source])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut python) = spawned else {
        eprintln!("SKIPPED: python3 is not installed");
        return;
    };
    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    let mut input = String::new();
    let mut ours = Vec::new();
    for sample in &samples {
        input.push_str(&format!("b {}\n", hex(sample)));
        ours.push(python_literal(sample));
    }
    for text in texts {
        input.push_str(&format!("s {}\n", hex(text.as_bytes())));
        ours.push(python_str_literal(text));
    }
    python
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = python.wait_with_output().unwrap();
    let theirs: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(theirs, ours);
    assert_eq!(python_literal(b""), "b''");
}

/// `--as-python` prints, when the run ends, what a Python program in the peer's place saw;
/// a refused connect and an idle timeout read as what the same Python call raises.
#[test]
fn as_python_prints_what_the_peer_saw() {
    let (_held, refusing) = common::refusing_tcp();
    let target = refusing.to_string();
    let (code, lines, _) = Cli::spawn(&["tcp-client", &target, "--as-python"]).finish();
    assert_eq!(code, 1);
    let refused = format!(
        "python  s.connect(('127.0.0.1', {})) → ConnectionRefusedError: [Errno 111] Connection \
         refused",
        refusing.port()
    );
    assert!(lines.contains(&refused), "{lines:?}");

    // A server that reads and then says nothing: the client gives up after 1 s.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap().to_string();
    let quiet = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        // Until the client closes.
        let _ = std::io::copy(&mut conn, &mut std::io::sink());
    });
    let (code, lines, stderr) = Cli::spawn(&[
        "tcp-client",
        &target,
        "--send",
        "Hello",
        "--idle-timeout-s",
        "1",
        "--wait-ms",
        WAIT_MS_DEADLINE,
        "--as-python",
    ])
    .finish();
    quiet.join().unwrap();
    let python: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.strip_prefix("python  "))
        .collect();
    assert_eq!(
        python[1..],
        [
            "conn.recv(1024) → b'Hello'",
            "s.settimeout(1); s.recv(1024) → TimeoutError: timed out",
        ],
        "{code} {stderr} {lines:?}"
    );
    assert!(python[0].starts_with("conn, addr = s.accept() → (conn, ('127.0.0.1', "));
}
