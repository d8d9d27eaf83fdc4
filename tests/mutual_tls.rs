//! Mutual TLS against Python's `ssl` module, on loopback: our client presents a certificate
//! to a Python server that asks for one, and our server asks Python clients for theirs. Each
//! refusal says which side refused and why (no certificate, or one from another CA).
//! Certificates are made here with rcgen. Skipped, with a printed reason, without python3.

#![cfg(feature = "tls")]

mod common;

use common::tls_peer::{Certificates, python_asking_server, python_presenting_client};
use common::{Cli, run_cli};

/// `tcp-client` with TLS to `port`, checking the server against `ca`, with `more` flags.
fn client(port: &str, ca: &std::path::Path, more: &[&str]) -> (i32, Vec<String>, String) {
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec!["tcp-client", &addr, "--tls", "--sni", "localhost"];
    let ca = ca.to_str().unwrap();
    args.extend(["--ca", ca, "--send", "hello"]);
    args.extend_from_slice(more);
    run_cli(&args)
}

#[test]
fn our_client_presents_its_certificate_and_a_refusal_says_why() {
    let certs = Certificates::new("mtls-client");
    let (server_cert, server_key) = certs.leaf("server", &["localhost"], false, false);
    let (cert, key) = certs.client("student-07");
    let stranger = Certificates::new("mtls-stranger");
    let (other_cert, other_key) = stranger.client("intruder");
    let ca = certs.ca_file();
    let Some((mut python, port)) = python_asking_server(&server_cert, &server_key, &ca) else {
        return;
    };

    let (code, lines, stderr) = client(
        &port,
        &ca,
        &[
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(python.line(), "accepted student-07");
    let received: String = lines
        .iter()
        .filter(|l| l.contains(" RX "))
        .cloned()
        .collect();
    assert!(received.contains("echo:hello from student-07"), "{lines:?}");

    // No certificate: the server's refusal arrives after our side of the handshake, as TLS
    // 1.3 has it, and is said in words, not as a reset.
    let (code, lines, stderr) = client(&port, &ca, &[]);
    assert_ne!(code, 0, "{lines:?}");
    let said = format!("{lines:?} {stderr}");
    assert!(
        said.contains("the server asks for a client certificate"),
        "{said}"
    );
    assert!(python.line().starts_with("refused:"));

    // A certificate from another CA.
    let (code, lines, stderr) = client(
        &port,
        &ca,
        &[
            "--cert",
            other_cert.to_str().unwrap(),
            "--key",
            other_key.to_str().unwrap(),
        ],
    );
    assert_ne!(code, 0, "{lines:?}");
    let said = format!("{lines:?} {stderr}");
    assert!(
        said.contains("the server did not accept this client's certificate"),
        "{said}"
    );
    assert!(python.line().starts_with("refused:"));
    assert_eq!(python.wait(), 0);
}

#[test]
fn our_server_asks_python_clients_for_certificates_and_names_each_refusal() {
    let certs = Certificates::new("mtls-server");
    let (server_cert, server_key) = certs.leaf("server", &["localhost"], false, false);
    let (cert, key) = certs.client("student-07");
    let stranger = Certificates::new("mtls-server-stranger");
    let (other_cert, other_key) = stranger.client("intruder");
    let ca = certs.ca_file();
    let mut server = Cli::spawn(&[
        "tcp-server",
        "127.0.0.1:0",
        "--tls",
        "--cert",
        server_cert.to_str().unwrap(),
        "--key",
        server_key.to_str().unwrap(),
        "--client-ca",
        ca.to_str().unwrap(),
        "--echo",
        "--json",
    ]);
    let port = server.listening().port().to_string();
    let python = |cert: &str, key: &str| python_presenting_client(&port, cert, key, &ca);

    let Some(mut accepted) = python(cert.to_str().unwrap(), key.to_str().unwrap()) else {
        return;
    };
    assert_eq!(accepted.line(), "got hello");
    assert_eq!(accepted.wait(), 0);
    // The client's certificate is shown as a server's is: subject, issuer, expiry, SHA-256.
    let agreed = server.line_containing(r#""event":"tls""#);
    assert!(
        agreed.contains("certificate CN=student-07 (issued by CN=Socket Tester Test CA"),
        "{agreed}"
    );
    assert!(agreed.contains("SHA-256 "), "{agreed}");

    let mut without = python("", "").unwrap();
    assert!(without.line().starts_with("failed:"));
    let said = server.line_containing(r#""event":"error""#);
    assert!(
        said.contains("the client sent no certificate, and this server asks each client"),
        "{said}"
    );

    let mut stranger = python(other_cert.to_str().unwrap(), other_key.to_str().unwrap()).unwrap();
    assert!(stranger.line().starts_with("failed:"));
    let said = server.line_containing(r#""event":"error""#);
    assert!(
        said.contains(
            "the client's certificate is not signed by a CA in this server's client CA file"
        ),
        "{said}"
    );
}

#[test]
fn a_client_certificate_without_its_key_or_a_bad_ca_file_is_refused_before_connecting() {
    let certs = Certificates::new("mtls-flags");
    let (cert, _) = certs.client("student-07");
    let (code, _, stderr) = run_cli(&[
        "tcp-client",
        "127.0.0.1:9",
        "--tls",
        "--cert",
        cert.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--key"), "{stderr}");

    let not_pem = certs.ca_file().with_file_name("not-a-ca.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let (code, _, stderr) = run_cli(&[
        "tcp-server",
        "127.0.0.1:0",
        "--tls",
        "--tls-self-signed",
        "--client-ca",
        not_pem.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("client CA file"), "{stderr}");
}
