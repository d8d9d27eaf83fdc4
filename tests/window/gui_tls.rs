//! Issue 27 item 3: a TLS client page says in words, in English and in Chinese, why a
//! handshake failed: a certificate made by plain `openssl req -x509` (a CA certificate used as
//! a server's), and a server that takes the connection but never answers (a timeout).

#![cfg(feature = "tls")]

#[path = "../common/mod.rs"]
mod common;
mod gui_support;

use std::net::{SocketAddr, TcpListener};
use std::process::Command;

use common::TempDir;
use common::tls_peer::python_server;
use egui_kittest::Harness;
use gui_support::*;
use socket_tester::gui::app::App;
use socket_tester::gui::i18n::Language;

/// A client page set to reach `addr` over TLS with `ca` as its CA file (none: system roots).
fn tls_client(language: Language, addr: SocketAddr, ca: Option<&str>) -> Harness<'static, App> {
    let mut h = projector(SIZES[1], language);
    let config = h.state_mut().tab().page().config_mut();
    config.host = addr.ip().to_string();
    config.port = addr.port().to_string();
    config.tls = true;
    config.tls_sni = "localhost".into();
    config.tls_ca_file = ca.unwrap_or_default().to_string();
    h.run();
    click(&mut h, "Connect");
    h
}

fn status_error(h: &mut Harness<'static, App>) -> Option<String> {
    h.state_mut()
        .tab()
        .page()
        .status_error()
        .map(str::to_string)
}

#[test]
fn a_ca_certificate_used_as_a_servers_is_said_in_words_in_both_languages() {
    let dir = TempDir::new("gui-tls-ca-as-server");
    let (cert, key) = (dir.file("cert.pem"), dir.file("key.pem"));
    // As a tutorial makes it: openssl's defaults mark the certificate as a CA.
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    if !made.is_ok_and(|out| out.status.success()) {
        eprintln!("SKIPPED: openssl could not make a certificate");
        return;
    }
    for (language, words) in [
        (Language::English, "is a CA certificate used as a server's"),
        (Language::Chinese, "CA 证书却被当作服务器证书使用"),
    ] {
        let Some((_python, addr)) = python_server(&cert, &key) else {
            return;
        };
        let addr: SocketAddr = addr.parse().unwrap();
        let mut h = tls_client(language, addr, cert.to_str());
        wait_until(&mut h, "the refusal", |h| status_error(h).is_some());
        let said = status_error(&mut h).unwrap_or_default();
        assert!(said.contains(words), "{language:?}: {said}");
        assert!(!said.contains("OtherError"), "{language:?}: {said}");
    }
}

#[test]
fn a_handshake_that_times_out_says_so() {
    for (language, words) in [
        (Language::English, "the TLS handshake timed out after 5 s"),
        (Language::Chinese, "TLS 握手在 5 秒后超时"),
    ] {
        // Takes the connection and never answers the client's hello.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = silent.local_addr().unwrap();
        let holder = std::thread::spawn(move || silent.accept().map(|(stream, _)| stream));
        let mut h = tls_client(language, addr, None);
        let _held = holder.join();
        wait_until(&mut h, "the timeout", |h| status_error(h).is_some());
        let said = status_error(&mut h).unwrap_or_default();
        assert!(said.contains(words), "{language:?}: {said}");
    }
}

/// Issue 28 item 2: a client page presents the certificate typed in "Client certificate" and
/// "Key file" to a server that asks for one; without one, the server's refusal is said in
/// words in both languages.
#[test]
fn a_client_page_presents_its_certificate_and_says_when_one_is_asked_for() {
    use common::tls_peer::{Certificates, python_asking_server};
    let certs = Certificates::new("gui-mtls");
    let (server_cert, server_key) = certs.leaf("server", &["localhost"], false, false);
    let (cert, key) = certs.client("student-07");
    let ca = certs.ca_file();
    let Some((mut python, port)) = python_asking_server(&server_cert, &server_key, &ca) else {
        return;
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    for (language, words) in [
        (
            Language::English,
            "the server asks for a client certificate",
        ),
        (Language::Chinese, "服务器要求客户端证书"),
    ] {
        let mut h = tls_client(language, addr, ca.to_str());
        wait_until(&mut h, "the refusal", |h| status_error(h).is_some());
        let said = status_error(&mut h).unwrap_or_default();
        assert!(said.contains(words), "{language:?}: {said}");
        assert!(python.line().starts_with("refused:"));
    }

    let mut h = projector(SIZES[1], Language::English);
    let config = h.state_mut().tab().page().config_mut();
    config.host = addr.ip().to_string();
    config.port = port.clone();
    config.tls = true;
    config.tls_sni = "localhost".into();
    config.tls_ca_file = ca.to_str().unwrap().to_string();
    h.run();
    click(&mut h, "Framing and TCP options");
    type_into(&mut h, "Client certificate", cert.to_str().unwrap());
    type_into(&mut h, "Key file", key.to_str().unwrap());
    click(&mut h, "Connect");
    assert_eq!(python.line(), "accepted student-07");
    assert_eq!(status_error(&mut h), None);
}
