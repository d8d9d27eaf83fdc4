//! A TLS peer for tests: a test CA and the certificates it signs (rcgen), and Python's `ssl`
//! module as a server of one connection.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair, date_time_ymd,
};

use super::{Python, TempDir};

/// How each Python TLS server starts: its certificate and key from the command line, a free
/// port printed, one connection accepted.
const SERVER_START: &str = r#"
import socket, ssl, sys
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
print(server.getsockname()[1], flush=True)
conn, addr = server.accept()
"#;

/// After `SERVER_START`: sends back "echo:" and what it got, then closes.
const TLS_SERVER: &str = r#"
try:
    tls = context.wrap_socket(conn, server_side=True)
    data = tls.recv(1024)
    tls.sendall(b"echo:" + data)
    tls.close()
except (ssl.SSLError, OSError) as e:
    print("handshake failed:", e, file=sys.stderr)
"#;

/// A test CA and the files of certificates it signs.
pub struct Certificates {
    dir: TempDir,
    ca: Certificate,
    ca_key: KeyPair,
}

impl Certificates {
    pub fn new(name: &str) -> Certificates {
        let ca_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "Socket Tester Test CA");
        let ca = params.self_signed(&ca_key).unwrap();
        let dir = TempDir::new(name);
        std::fs::write(dir.file("ca.pem"), ca.pem()).unwrap();
        Certificates { dir, ca, ca_key }
    }

    pub fn ca_file(&self) -> PathBuf {
        self.dir.file("ca.pem")
    }

    /// A certificate for `names` signed by the CA (or by itself), valid now unless `expired`:
    /// the paths of its certificate and key files.
    pub fn leaf(
        &self,
        file: &str,
        names: &[&str],
        self_signed: bool,
        expired: bool,
    ) -> (PathBuf, PathBuf) {
        self.leaf_for("device", file, names, self_signed, expired)
    }

    /// A client's certificate, named `common_name` (CN), signed by the CA.
    pub fn client(&self, common_name: &str) -> (PathBuf, PathBuf) {
        self.leaf_for(common_name, common_name, &[], false, false)
    }

    fn leaf_for(
        &self,
        common_name: &str,
        file: &str,
        names: &[&str],
        self_signed: bool,
        expired: bool,
    ) -> (PathBuf, PathBuf) {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        if expired {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2021, 1, 1);
        }
        let cert = if self_signed {
            params.self_signed(&key).unwrap()
        } else {
            params.signed_by(&key, &self.ca, &self.ca_key).unwrap()
        };
        let (cert_path, key_path) = (
            self.dir.file(&format!("{file}.pem")),
            self.dir.file(&format!("{file}.key")),
        );
        std::fs::write(&cert_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        (cert_path, key_path)
    }
}

/// After `SERVER_START`: echoes everything until the client closes. Ragged EOFs are not
/// suppressed, so the end is a clean close_notify (exit 0) or an error (exit 1). No unwrap():
/// OpenSSL may refuse its own shutdown "while in init" (a TLS 1.3 server's tickets still
/// due), whatever the client did.
const TLS_ECHO_SERVER: &str = r#"
tls = context.wrap_socket(conn, server_side=True, suppress_ragged_eofs=False)
while True:
    data = tls.recv(65536)
    if not data:
        break
    tls.sendall(data)
tls.close()
"#;

/// After `SERVER_START`: finishes the handshake, then reads nothing for a minute.
const TLS_SERVER_THAT_DOES_NOT_READ: &str = r#"
import time
tls = context.wrap_socket(conn, server_side=True)
time.sleep(60)
"#;

/// A Python TLS server with this certificate, and its address; None where python3 is missing.
pub fn python_server(cert: &Path, key: &Path) -> Option<(Python, String)> {
    start(TLS_SERVER, cert, key)
}

/// A Python TLS echo server (until the client closes); None where python3 is missing.
pub fn python_echo_server(cert: &Path, key: &Path) -> Option<(Python, String)> {
    start(TLS_ECHO_SERVER, cert, key)
}

/// A Python TLS server that finishes its handshake and then reads nothing; None where python3
/// is missing.
pub fn python_server_that_does_not_read(cert: &Path, key: &Path) -> Option<(Python, String)> {
    start(TLS_SERVER_THAT_DOES_NOT_READ, cert, key)
}

fn start(script: &str, cert: &Path, key: &Path) -> Option<(Python, String)> {
    let source = format!("{SERVER_START}{script}");
    let mut python = Python::start(&source, &[cert.to_str().unwrap(), key.to_str().unwrap()])?;
    let port = python.line();
    Some((python, format!("127.0.0.1:{port}")))
}

/// A Python server that asks each client for a certificate signed by the CA in argv 3, for
/// three connections in turn: prints "accepted" and the client's CN, then answers "echo:",
/// what it got, " from " and the CN; or prints "refused:" and why.
const ASKING_SERVER: &str = r#"
import socket, ssl, sys
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
context.verify_mode = ssl.CERT_REQUIRED
context.load_verify_locations(sys.argv[3])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(3)
print(server.getsockname()[1], flush=True)
for _ in range(3):
    conn, addr = server.accept()
    try:
        tls = context.wrap_socket(conn, server_side=True)
        name = dict(field[0] for field in tls.getpeercert()["subject"])["commonName"]
        print("accepted", name, flush=True)
        data = tls.recv(1024)
        tls.sendall(b"echo:" + data + b" from " + name.encode())
        tls.close()
    except (ssl.SSLError, OSError) as e:
        print("refused:", e, flush=True)
        conn.close()
"#;

/// A Python TLS server that asks for client certificates signed by `ca` (mutual TLS), and its
/// port; None where python3 is missing.
pub fn python_asking_server(cert: &Path, key: &Path, ca: &Path) -> Option<(Python, String)> {
    let mut python = Python::start(
        ASKING_SERVER,
        &[
            cert.to_str().unwrap(),
            key.to_str().unwrap(),
            ca.to_str().unwrap(),
        ],
    )?;
    let port = python.line();
    Some((python, port))
}

/// A Python client with the certificate and key in argv 2 and 3 (none when absent), trusting
/// the CA in argv 4: sends "hello" and prints what comes back, or why it failed.
const PRESENTING_CLIENT: &str = r#"
import socket, ssl, sys
port = int(sys.argv[1])
context = ssl.create_default_context(cafile=sys.argv[4])
if sys.argv[2]:
    context.load_cert_chain(sys.argv[2], sys.argv[3])
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"hello")
            print("got", tls.recv(1024).decode(), flush=True)
except (ssl.SSLError, OSError) as e:
    print("failed:", e, flush=True)
"#;

/// A Python TLS client of the server on `port` presenting `cert` and `key` (empty: none),
/// trusting `ca`; None where python3 is missing.
pub fn python_presenting_client(port: &str, cert: &str, key: &str, ca: &Path) -> Option<Python> {
    Python::start(PRESENTING_CLIENT, &[port, cert, key, ca.to_str().unwrap()])
}
