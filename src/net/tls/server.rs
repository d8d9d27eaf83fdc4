//! The TLS server's side: its certificate (from files, or made here and self-signed) and the
//! handshake with each client it accepts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection};
use socket2::Socket;

use super::{TlsInfo, TlsServer, Wire, client};
use crate::error::Error;

/// A server's TLS settings, ready for handshakes.
#[derive(Clone)]
pub(crate) struct Acceptor(Arc<ServerConfig>);

impl Acceptor {
    pub fn new(identity: &TlsServer) -> Result<Acceptor, Error> {
        let bad = |what: &str, err: &dyn std::fmt::Display| {
            Error::TlsSettings(format!("the {what} is not usable: {err}"))
        };
        let chain = CertificateDer::pem_slice_iter(identity.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| bad("certificate", &err))?;
        if chain.is_empty() {
            return Err(Error::TlsSettings(
                "the certificate file holds no PEM certificate".to_string(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes())
            .map_err(|err| bad("key", &err))?;
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|err| Error::TlsSettings(err.to_string()))?
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .map_err(|err| bad("certificate and key pair", &err))?;
        Ok(Acceptor(Arc::new(config)))
    }

    /// Makes the handshake with a client just accepted; the socket the connection then uses.
    pub fn accept(
        &self,
        socket: Socket,
        peer: SocketAddr,
        timeout: Duration,
    ) -> Result<(Socket, Wire, TlsInfo), Error> {
        let connection = ServerConnection::new(self.0.clone())
            .map_err(|err| client::tls_error(&err, peer, ""))?;
        // A client presents no certificate: what was agreed is all there is to show.
        let describe = |connection: &rustls::Connection| TlsInfo {
            version: client::version(connection.protocol_version()),
            cipher_suite: client::suite(connection.negotiated_cipher_suite()),
            ..TlsInfo::default()
        };
        client::handshake(connection.into(), socket, (peer, ""), timeout, describe)
    }
}

/// A new key and a certificate for `names`, signed by itself.
pub(super) fn self_signed(names: &[String]) -> Result<TlsServer, Error> {
    let made = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|err| Error::TlsSettings(format!("no certificate could be made: {err}")))?;
    Ok(TlsServer {
        cert_pem: made.cert.pem(),
        key_pem: made.key_pair.serialize_pem(),
    })
}
