//! The TLS server's side: its certificate (from files, or made here and self-signed) and the
//! handshake with each client it accepts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::server::WebPkiClientVerifier;
use rustls::{ServerConfig, ServerConnection};
use socket2::Socket;

use super::{TlsInfo, TlsServer, Wire, client, pem};
use crate::error::Error;

/// A server's TLS settings, ready for handshakes.
#[derive(Clone)]
pub(crate) struct Acceptor(Arc<ServerConfig>);

impl Acceptor {
    pub fn new(identity: &TlsServer) -> Result<Acceptor, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain = pem::certificates(&identity.cert_pem, "certificate")?;
        let key = pem::private_key(&identity.key_pem, "key")?;
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|err| Error::TlsSettings(err.to_string()))?;
        let builder = match &identity.client_ca_pem {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let roots = pem::roots(ca, "client CA file")?;
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .build()
                        .map_err(|err| Error::TlsSettings(format!("the client CA file: {err}")))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let config = builder.with_single_cert(chain, key).map_err(|err| {
            Error::TlsSettings(format!("the certificate and key pair is not usable: {err}"))
        })?;
        Ok(Acceptor(Arc::new(config)))
    }

    /// Makes the handshake with a client just accepted; the socket the connection then uses.
    /// A client's certificate, when the server asks for one, is shown as a server's is.
    pub fn accept(
        &self,
        socket: Socket,
        peer: SocketAddr,
        timeout: Duration,
    ) -> Result<(Socket, Wire, TlsInfo), Error> {
        let connection = ServerConnection::new(self.0.clone())
            .map_err(|err| client::tls_error(&err, peer, CLIENT))?;
        client::handshake(
            connection.into(),
            socket,
            (peer, CLIENT),
            timeout,
            client::info,
        )
    }
}

/// How a client is named in what its certificate's problems say.
pub(super) const CLIENT: &str = "the client";

/// A new key and a certificate for `names`, signed by itself.
pub(super) fn self_signed(names: &[String]) -> Result<TlsServer, Error> {
    let made = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|err| Error::TlsSettings(format!("no certificate could be made: {err}")))?;
    Ok(TlsServer {
        cert_pem: made.cert.pem(),
        key_pem: made.key_pair.serialize_pem(),
        client_ca_pem: None,
    })
}
