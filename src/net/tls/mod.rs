//! TLS for a TCP client's connection (rustls with ring). The handshake runs on the connecting
//! thread; then a pump (`pump.rs`) carries the bytes between the TLS socket and a loopback
//! pair, whose other end is the ordinary connection: framing, batching, back-pressure, FIN
//! and RST work over TLS as over plain TCP.

#[cfg(feature = "tls")]
mod accept_any;
#[cfg(feature = "tls")]
mod client;
#[cfg(feature = "tls")]
mod pem;
#[cfg(feature = "tls")]
mod pump;
#[cfg(feature = "tls")]
mod server;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use socket2::Socket;

#[cfg(feature = "tls")]
pub(crate) use pump::Wire;

/// A build without TLS has no TLS sockets to hold.
#[cfg(not(feature = "tls"))]
pub(crate) enum Wire {}

#[cfg(not(feature = "tls"))]
impl Wire {
    pub fn set_options(&self, _: bool, _: bool, _: Option<Duration>) {
        match *self {}
    }

    pub fn failure(&self) -> TlsFailure {
        match *self {}
    }

    pub fn cut(&self) {
        match *self {}
    }

    pub fn finish(self) {
        match self {}
    }
}

use crate::error::{Error, TlsProblem};

/// Why a TLS peer ended the connection with an alert after the handshake (a server that asks
/// for a client certificate sends its refusal then, in TLS 1.3), so that the close says so
/// rather than "reset by peer".
#[derive(Clone, Default)]
pub(crate) struct TlsFailure(std::sync::Arc<std::sync::Mutex<Option<TlsProblem>>>);

impl TlsFailure {
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    fn set(&self, problem: TlsProblem) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(problem);
    }

    pub fn take(&self) -> Option<TlsProblem> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Which certificates a TLS client accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Those the system trusts.
    SystemRoots,
    /// Those signed by the CA certificates in this PEM file.
    CaFile(PathBuf),
    /// Any certificate at all: for devices with self-signed certificates. Anyone between
    /// us and the device can read and change the traffic.
    AnyCertificate,
}

/// A TCP client's TLS settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsClient {
    /// The name sent (SNI) and checked in the certificate; None: the host connected to.
    pub sni: Option<String>,
    pub trust: Trust,
    /// Presented when the server asks for one (mutual TLS).
    pub certificate: Option<ClientCertificate>,
}

/// A client's certificate (chain) and private key, as PEM, for servers that ask for one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    pub cert_pem: String,
    pub key_pem: String,
}

impl ClientCertificate {
    /// Reads a certificate (chain) file and a key file, both PEM.
    pub fn from_files(cert: &Path, key: &Path) -> Result<ClientCertificate, Error> {
        Ok(ClientCertificate {
            cert_pem: read_pem(cert)?,
            key_pem: read_pem(key)?,
        })
    }
}

fn read_pem(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|err| Error::File {
        action: "reading",
        path: path.display().to_string(),
        message: crate::error::describe_io(&err),
    })
}

impl TlsInfo {
    /// "TLSv1.3 TLS13_AES_256_GCM_SHA384, certificate CN=device (issued by CN=device,
    /// expires …, SHA-256 AB:CD:…)": one line for the log and the CLI.
    pub fn summary(&self) -> String {
        if self.subject.is_empty() {
            return format!("{} {}", self.version, self.cipher_suite);
        }
        format!(
            "{} {}, certificate {} (issued by {}, expires {}, SHA-256 {})",
            self.version, self.cipher_suite, self.subject, self.issuer, self.not_after, self.sha256
        )
    }
}

/// A TLS server's certificate chain and private key, as PEM, and the CAs whose clients it
/// takes when it asks each client for a certificate (mutual TLS).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TlsServer {
    pub cert_pem: String,
    pub key_pem: String,
    /// Asks each client for a certificate signed by one of these CAs (PEM), and refuses a
    /// client without one; None: asks for none.
    #[serde(default)]
    pub client_ca_pem: Option<String>,
}

impl TlsServer {
    /// Reads a certificate (chain) file and a key file, both PEM.
    pub fn from_files(cert: &Path, key: &Path) -> Result<TlsServer, Error> {
        Ok(TlsServer {
            cert_pem: read_pem(cert)?,
            key_pem: read_pem(key)?,
            client_ca_pem: None,
        })
    }

    /// Asks each client for a certificate signed by a CA in `ca_file` (PEM).
    pub fn asking_clients_for_certificates(self, ca_file: &Path) -> Result<TlsServer, Error> {
        Ok(TlsServer {
            client_ca_pem: Some(read_pem(ca_file)?),
            ..self
        })
    }

    /// A new key and a self-signed certificate for `names` (such as "localhost" and this
    /// machine's addresses): clients must accept it as such.
    pub fn self_signed(names: &[String]) -> Result<TlsServer, Error> {
        #[cfg(feature = "tls")]
        return server::self_signed(names);
        #[cfg(not(feature = "tls"))]
        {
            let _ = names;
            Err(no_tls())
        }
    }
}

/// Makes each accepted client's handshake, with the server's certificate.
#[derive(Clone)]
pub(crate) struct Acceptor {
    #[cfg(feature = "tls")]
    inner: server::Acceptor,
}

impl Acceptor {
    pub fn new(identity: &TlsServer) -> Result<Acceptor, Error> {
        #[cfg(feature = "tls")]
        return Ok(Acceptor {
            inner: server::Acceptor::new(identity)?,
        });
        #[cfg(not(feature = "tls"))]
        {
            let _ = identity;
            Err(no_tls())
        }
    }

    /// The handshake with a client just accepted; the socket its connection then uses.
    pub fn accept(
        &self,
        socket: Socket,
        peer: SocketAddr,
        timeout: Duration,
    ) -> Result<(Socket, Wire, TlsInfo), Error> {
        #[cfg(feature = "tls")]
        return self.inner.accept(socket, peer, timeout);
        #[cfg(not(feature = "tls"))]
        {
            let _ = (socket, peer, timeout);
            Err(no_tls())
        }
    }
}

#[cfg(not(feature = "tls"))]
fn no_tls() -> Error {
    Error::TlsSettings("this build has no TLS (it was built without the tls feature)".to_string())
}

/// What the handshake agreed and who the peer is, as the log shows it (a server's client
/// shows no certificate: the fields are empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsInfo {
    pub version: String,
    pub cipher_suite: String,
    /// The peer certificate's subject and issuer, as RFC 4514 names.
    pub subject: String,
    pub issuer: String,
    /// When the certificate expires (UTC).
    pub not_after: String,
    /// SHA-256 of the certificate, as colon-separated hex.
    pub sha256: String,
}

/// Makes the TLS handshake over `socket` (connected to `peer`, named `host`), then returns the
/// socket the connection reads and writes plain bytes on, and what the handshake agreed.
pub(crate) fn connect(
    socket: Socket,
    peer: SocketAddr,
    host: &str,
    settings: &TlsClient,
    timeout: Duration,
) -> Result<(Socket, Wire, TlsInfo), Error> {
    #[cfg(feature = "tls")]
    return client::connect(socket, peer, host, settings, timeout);
    #[cfg(not(feature = "tls"))]
    {
        let _ = (socket, peer, host, settings, timeout);
        Err(no_tls())
    }
}
