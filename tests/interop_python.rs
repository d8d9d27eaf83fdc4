//! The CLI against Python peers written the way socket tutorials write them. Skipped, with a
//! printed reason, where python3 is missing.

mod common;

use common::*;

const ECHO_SERVER: &str = r#"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
conn, addr = s.accept()
while True:
    data = conn.recv(1024)
    if not data:
        break
    print(data.hex(), flush=True)
    conn.sendall(data)
conn.close()
"#;

#[test]
fn cli_client_against_python_echo_server() {
    let Some(mut python) = Python::start(ECHO_SERVER, &[]) else {
        return;
    };
    let port = python.line();
    let target = format!("127.0.0.1:{port}");
    let (code, lines, stderr) = run_cli(&[
        "tcp-client",
        &target,
        "--send",
        "Hello, world",
        "--count",
        "1",
        "--wait-ms",
        WAIT_MS_DEADLINE,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(&format!("RX {target} 12B Hello, world"))),
        "{lines:?}"
    );
    assert_eq!(python.line(), hex(b"Hello, world"));
}

#[test]
fn cli_client_sends_gbk_to_python() {
    let Some(mut python) = Python::start(ECHO_SERVER, &[]) else {
        return;
    };
    let port = python.line();
    let lines = client_run(&format!("127.0.0.1:{port}"), GBK_HELLO);
    assert_eq!(python.line(), "c4e3bac3");
    assert_printed_rx(&lines, "你好");
}

#[test]
fn cli_server_receives_gbk_from_a_python_client_that_closes() {
    let mut server = Cli::spawn(&["tcp-server", "127.0.0.1:0", "--encoding", "gbk"]);
    let local = server.listening();
    let client = r#"
import socket, sys
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(('127.0.0.1', int(sys.argv[1])))
c.sendall('你好，服务器'.encode('gbk'))
c.close()
"#;
    let Some(python) = Python::start(client, &[&local.port().to_string()]) else {
        return;
    };
    assert_eq!(python.wait(), 0);
    let rx = server.line_containing(" RX ");
    assert!(rx.ends_with("12B 你好，服务器"), "{rx}");
    let closed = server.line_containing("closed");
    assert!(closed.ends_with("closed by peer (FIN)"), "{closed}");
}

#[test]
fn cli_udp_receiver_prints_python_sendto_with_sender() {
    let mut receiver = Cli::spawn(&["udp", "--bind", "127.0.0.1:0", "--count", "1"]);
    let local = receiver.listening();
    let sender = r#"
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 0))
print(u.getsockname()[1], flush=True)
u.sendto('hello 你好'.encode('utf-8'), ('127.0.0.1', int(sys.argv[1])))
"#;
    let Some(mut python) = Python::start(sender, &[&local.port().to_string()]) else {
        return;
    };
    let sender_port = python.line();
    let (code, lines, _) = receiver.finish();
    assert_eq!(code, 0);
    let expected = format!("RX 127.0.0.1:{sender_port} 12B hello 你好");
    assert!(lines.iter().any(|l| l.ends_with(&expected)), "{lines:?}");
}

#[test]
fn cli_udp_sender_reaches_python_recvfrom() {
    let receiver = r#"
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 0))
print(u.getsockname()[1], flush=True)
data, addr = u.recvfrom(1024)
print(data.decode('gbk'), flush=True)
"#;
    let Some(mut python) = Python::start(receiver, &[]) else {
        return;
    };
    let port = python.line();
    let (code, _, _) = run_cli(&[
        "udp",
        "--to",
        &format!("127.0.0.1:{port}"),
        "--encoding",
        "gbk",
        "--send",
        "数据报",
        "--wait-ms",
        "0",
    ]);
    assert_eq!(code, 0);
    assert_eq!(python.line(), "数据报");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn toolkit_flags_against_python_peers() {
    // A client that sends three lines in one sendall, then reads the rule's replies.
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--framing",
        "line",
        "--reply",
        r"^PING=>PONG\n",
        "--count",
        "3",
    ]);
    let local = server.listening();
    let client = r#"
import socket, sys
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(('127.0.0.1', int(sys.argv[1])))
c.sendall(b'PING 1\nPING 2\nhello\n')
got = b''
while got.count(b'\n') < 2:
    got += c.recv(1024)
print(got.decode(), end='', flush=True)
c.close()
"#;
    let Some(mut python) = Python::start(client, &[&local.port().to_string()]) else {
        return;
    };
    assert_eq!(python.line(), "PONG");
    assert_eq!(python.line(), "PONG");
    let (code, lines, _) = server.finish();
    assert_eq!(code, 0);
    assert_eq!(
        lines.iter().filter(|l| l.contains(" RX ")).count(),
        3,
        "one row per line: {lines:?}"
    );

    // A Modbus-style request with its CRC appended, checked by a Python server.
    let Some(mut python) = Python::start(ECHO_SERVER, &[]) else {
        return;
    };
    let port = python.line();
    client_run(&format!("127.0.0.1:{port}"), MODBUS_READ);
    assert_eq!(python.line(), "010300000001840a");
}

/// What "Copy as Python" and `decode` print is a literal Python reads back as the same bytes,
/// for every byte value (quotes and backslashes included).
#[test]
fn python_byte_literals_read_back_in_python() {
    let every_byte: Vec<u8> = (0..=255).collect();
    let literal = socket_tester::codec::dissect::python_literal(&every_byte);
    let source = format!("print(({literal}).hex(), flush=True)");
    let Some(mut python) = Python::start(&source, &[]) else {
        return;
    };
    assert_eq!(python.line(), hex(&every_byte));
    assert_eq!(python.wait(), 0);
}
