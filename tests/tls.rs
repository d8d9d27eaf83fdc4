//! A TLS client against Python's `ssl` module as the server, on loopback: a verified
//! handshake with its details printed, "accept any certificate" for a self-signed device, and
//! each failure in its own words (expired, wrong name, untrusted, not TLS). Certificates are
//! made here with rcgen. Skipped, with a printed reason, where python3 is missing.

#![cfg(feature = "tls")]

mod common;

use std::io::Write;
use std::net::TcpListener;

use common::run_cli;
use common::tls_peer::{Certificates, python_server};

/// `tcp-client ADDR --tls` checking the certificate for "localhost" against the CA in `ca`.
fn checked_client(addr: &str, ca: &std::path::Path, more: &[&str]) -> (i32, Vec<String>, String) {
    let mut args = vec![
        "tcp-client",
        addr,
        "--tls",
        "--sni",
        "localhost",
        "--ca",
        ca.to_str().unwrap(),
    ];
    args.extend_from_slice(more);
    run_cli(&args)
}

#[test]
fn a_verified_handshake_with_python_shows_what_was_agreed_and_carries_the_data() {
    let certs = Certificates::new("tls-verified");
    let (cert, key) = certs.leaf("device", &["localhost"], false, false);
    let Some((_python, addr)) = python_server(&cert, &key) else {
        return;
    };
    let (code, lines, stderr) =
        checked_client(&addr, &certs.ca_file(), &["--send", "hello", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let tls = json
        .iter()
        .find(|j| j["event"] == "tls")
        .expect("a tls line");
    let said = tls["reason"].as_str().unwrap();
    assert!(said.starts_with("TLSv1.3 TLS13_"), "{said}");
    assert!(
        said.contains("certificate CN=device (issued by CN=Socket Tester Test CA"),
        "{said}"
    );
    assert!(said.contains("SHA-256 "), "{said}");
    let received: Vec<&str> = json
        .iter()
        .filter(|j| j["event"] == "rx")
        .filter_map(|j| j["text"].as_str())
        .collect();
    assert_eq!(received.concat(), "echo:hello");
}

#[test]
fn a_self_signed_device_is_refused_unless_any_certificate_is_accepted() {
    let certs = Certificates::new("tls-self-signed");
    let (cert, key) = certs.leaf("device", &["localhost"], true, false);
    let Some((_python, addr)) = python_server(&cert, &key) else {
        return;
    };
    let (code, _, stderr) = run_cli(&["tcp-client", &addr, "--tls", "--send", "hello"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("is not signed by a trusted authority"),
        "{stderr}"
    );

    let Some((_python, addr)) = python_server(&cert, &key) else {
        return;
    };
    let (code, lines, stderr) = run_cli(&[
        "tcp-client",
        &addr,
        "--tls",
        "--tls-insecure",
        "--send",
        "hello",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" tls ") && l.contains("TLSv1.3")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("echo:hello")), "{lines:?}");
}

#[test]
fn expired_and_wrong_name_certificates_each_say_so() {
    let certs = Certificates::new("tls-bad-certs");
    let ca = certs.ca_file();
    for (file, names, expired, said) in [
        (
            "expired",
            "localhost",
            true,
            "the certificate for localhost has expired",
        ),
        (
            "other",
            "device.example",
            false,
            "the certificate is not valid for localhost",
        ),
    ] {
        let (cert, key) = certs.leaf(file, &[names], false, expired);
        let Some((_python, addr)) = python_server(&cert, &key) else {
            return;
        };
        let (code, _, stderr) = checked_client(&addr, &ca, &[]);
        assert_eq!(code, 1, "{file}");
        assert!(stderr.contains(said), "{file}: {stderr}");
    }
}

#[test]
fn a_peer_that_does_not_speak_tls_is_named_as_such() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let device = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        // A plain-text banner where a TLS server's hello should be; the connection stays
        // open until the client has given up and closed it.
        let _ = stream.write_all(b"220 device ready\r\n");
        stream.set_read_timeout(Some(common::DEADLINE)).unwrap();
        let _ = std::io::Read::read_to_end(&mut stream, &mut Vec::new());
    });
    let (code, _, stderr) = run_cli(&["tcp-client", &addr, "--tls", "--tls-insecure"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("the peer does not speak TLS"), "{stderr}");
    device.join().unwrap();
}

#[test]
fn four_megabytes_cross_tls_both_ways_and_closing_sends_close_notify() {
    use common::tls_peer::python_echo_server;
    let certs = Certificates::new("tls-bulk");
    let (cert, key) = certs.leaf("device", &["localhost"], false, false);
    let Some((python, addr)) = python_echo_server(&cert, &key) else {
        return;
    };
    let file = certs_file(&certs, "bulk.bin", &common::pattern(4 * common::MIB));
    let (code, lines, stderr) = checked_client(
        &addr,
        &certs.ca_file(),
        &[
            "--send-file",
            file.to_str().unwrap(),
            "--hex",
            // The echo as 64 frames of 64 KiB: the run ends once all are back.
            "--framing",
            "fixed:65536",
            "--count",
            "64",
            "--wait-ms",
            common::WAIT_MS_DEADLINE,
            "--json",
            "--full",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let mut echoed = Vec::new();
    for line in &lines {
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        if json["event"] == "rx" {
            let hex = json["hex"].as_str().unwrap();
            echoed.extend(socket_tester::codec::hex::parse_hex(hex).unwrap());
        }
    }
    assert!(
        echoed == common::pattern(4 * common::MIB),
        "{} bytes came back",
        echoed.len()
    );
    assert_eq!(
        python.wait(),
        0,
        "Python read a clean close_notify, not a bare EOF"
    );
}

fn certs_file(certs: &Certificates, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = certs.ca_file().with_file_name(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A Python TLS client: sends its first argument's text, prints what comes back, closes.
/// With a CA file it checks the server's certificate for "localhost"; without, it takes any.
const TLS_CLIENT: &str = r#"
import socket, ssl, sys
port = int(sys.argv[1])
if len(sys.argv) > 2:
    context = ssl.create_default_context(cafile=sys.argv[2])
else:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"hello over tls")
        print(tls.recv(1024).decode(), flush=True)
"#;

#[test]
fn a_tls_server_answers_python_clients_with_a_self_signed_or_a_given_certificate() {
    // A self-signed certificate made at start; Python takes any.
    let mut server = common::Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--tls",
        "--tls-self-signed",
        "--echo",
    ]);
    let port = server.listening().port().to_string();
    let Some(mut python) = common::Python::start(TLS_CLIENT, &[&port]) else {
        return;
    };
    assert_eq!(python.line(), "hello over tls");
    assert_eq!(python.wait(), 0);
    let agreed = server.line_containing(" tls ");
    assert!(agreed.contains("TLSv1.3 TLS13_"), "{agreed}");
    drop(server);

    // A certificate from files, which Python checks against its CA.
    let certs = Certificates::new("tls-server");
    let (cert, key) = certs.leaf("server", &["localhost"], false, false);
    let mut server = common::Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--tls",
        "--cert",
        cert.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--echo",
    ]);
    let port = server.listening().port().to_string();
    let ca = certs.ca_file();
    let mut python = common::Python::start(TLS_CLIENT, &[&port, ca.to_str().unwrap()]).unwrap();
    assert_eq!(python.line(), "hello over tls");
    assert_eq!(python.wait(), 0);
    server.line_containing(" tls ");
}

#[test]
fn a_tls_server_names_a_client_that_does_not_speak_tls_and_goes_on() {
    let mut server = common::Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--tls",
        "--tls-self-signed",
        "--echo",
    ]);
    let addr = server.listening();
    let mut plain = std::net::TcpStream::connect(addr).unwrap();
    plain.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    // The server goes on: a TLS client after it is served.
    let Some(mut python) = common::Python::start(TLS_CLIENT, &[&addr.port().to_string()]) else {
        return;
    };
    assert_eq!(python.line(), "hello over tls");
    drop(plain);
    server.signal(libc::SIGINT);
    let (_, _, stderr) = server.finish();
    assert!(stderr.contains("the peer does not speak TLS"), "{stderr}");
}

#[test]
fn a_tls_server_without_a_certificate_is_refused_before_listening() {
    let (code, _, stderr) = run_cli(&["tcp-server", "127.0.0.1:0", "--tls"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--tls needs --cert FILE --key FILE, or --tls-self-signed"),
        "{stderr}"
    );
}

#[test]
fn stopping_a_tls_server_cuts_a_stalled_handshake_short() {
    use socket_tester::net::tls::TlsServer;
    use socket_tester::net::{Session, TcpServerConfig, no_waker};
    use std::io::Read;
    let mut config = TcpServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.tls = Some(TlsServer::self_signed(&["localhost".to_string()]).unwrap());
    let server = Session::tcp_server(config, no_waker()).unwrap();
    let addr = common::listening(&server);
    // A client that connects and never says hello: its handshake waits (up to 10 s).
    let mut silent = std::net::TcpStream::connect(addr).unwrap();
    // Clients are accepted in turn: once a second one, which does say hello, is in, the
    // silent one was accepted and its handshake is waiting.
    let _speaking =
        common::Cli::spawn(&["tcp-client", &addr.to_string(), "--tls", "--tls-insecure"]);
    common::wait_for(&server, "the second client accepted", |kind| {
        matches!(kind, socket_tester::net::EventKind::Accepted { .. }).then_some(())
    });
    server.stop();
    // Stopping closed its socket too, long before the handshake's own limit.
    silent
        .set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .unwrap();
    let mut byte = [0u8; 1];
    match silent.read(&mut byte) {
        Ok(0) => {}
        Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("the stalled client is still connected: {other:?}"),
    }
}

/// A TLS client whose first message travels in the same segment as its handshake's Finished
/// (as a client that writes at once often does): Python's SSLObject makes the records, one
/// `sendall` sends them. Prints what comes back within 5 s.
const CLIENT_SENDING_WITH_ITS_FINISHED: &str = r#"
import socket, ssl, sys, time
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = context.wrap_bio(incoming, outgoing)
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
sock.settimeout(5)
while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        sock.sendall(outgoing.read())
        incoming.write(sock.recv(65536))
tls.write(b"first words")
sock.sendall(outgoing.read())
got = b""
try:
    while len(got) < 11:
        try:
            got += tls.read(64)
        except ssl.SSLWantReadError:
            incoming.write(sock.recv(65536))
except socket.timeout:
    pass
print("echo", got.decode(), flush=True)
"#;

#[test]
fn a_message_behind_the_clients_finished_is_read_at_once() {
    let mut server = common::Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--tls",
        "--tls-self-signed",
        "--echo",
    ]);
    let port = server.listening().port().to_string();
    let Some(mut python) = common::Python::start(CLIENT_SENDING_WITH_ITS_FINISHED, &[&port]) else {
        return;
    };
    // Before: the handshake had decrypted it, and it waited for the client's next record.
    assert_eq!(python.line(), "echo first words");
    server.line_containing("RX");
}
