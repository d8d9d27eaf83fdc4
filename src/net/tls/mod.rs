//! TLS for a TCP client's connection (rustls with ring). The handshake runs on the connecting
//! thread; then a pump (`pump.rs`) carries the bytes between the TLS socket and a loopback
//! pair, whose other end is the ordinary connection: framing, batching, back-pressure, FIN
//! and RST work over TLS as over plain TCP.

#[cfg(feature = "tls")]
mod accept_any;
#[cfg(feature = "tls")]
mod client;
#[cfg(feature = "tls")]
mod pump;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use socket2::Socket;

use crate::error::Error;

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
}

impl TlsInfo {
    /// "TLSv1.3 TLS13_AES_256_GCM_SHA384, certificate CN=device (issued by CN=device,
    /// expires …, SHA-256 AB:CD:…)": one line for the log and the CLI.
    pub fn summary(&self) -> String {
        format!(
            "{} {}, certificate {} (issued by {}, expires {}, SHA-256 {})",
            self.version, self.cipher_suite, self.subject, self.issuer, self.not_after, self.sha256
        )
    }
}

/// What the handshake agreed and who the peer is, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
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
) -> Result<(Socket, TlsInfo), Error> {
    #[cfg(feature = "tls")]
    return client::connect(socket, peer, host, settings, timeout);
    #[cfg(not(feature = "tls"))]
    {
        let _ = (socket, peer, host, settings, timeout);
        Err(Error::TlsSettings(
            "this build has no TLS (it was built without the tls feature)".to_string(),
        ))
    }
}
