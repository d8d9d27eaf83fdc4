//! A page's TLS: the client's trust settings and the server's certificate, as typed, and a
//! self-signed certificate made for the server.

use super::*;
use crate::net::tls::{ClientCertificate, TlsClient, TlsServer, Trust};

impl Page {
    /// TCP client: the TLS settings as typed, if TLS is on (or `wss`: a wss:// URL).
    pub(super) fn tls_client(&self, wss: bool) -> Result<Option<TlsClient>, Error> {
        let config = &self.config;
        if !config.tls && !wss {
            return Ok(None);
        }
        let typed = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
        let (cert, key) = (config.tls_cert_file.trim(), config.tls_key_file.trim());
        let certificate = (!cert.is_empty() || !key.is_empty())
            .then(|| ClientCertificate::from_files(&folder::resolve(cert), &folder::resolve(key)))
            .transpose()?;
        Ok(Some(TlsClient {
            sni: typed(&config.tls_sni),
            trust: match (config.tls_accept_any, typed(&config.tls_ca_file)) {
                (true, _) => Trust::AnyCertificate,
                (false, Some(file)) => Trust::CaFile(folder::resolve(&file)),
                (false, None) => Trust::SystemRoots,
            },
            certificate,
        }))
    }

    /// TCP server: the certificate to present, if TLS is on: the files typed, else the one
    /// generated here.
    pub(super) fn tls_server(&self) -> Result<Option<TlsServer>, Error> {
        let config = &self.config;
        if !config.tls {
            return Ok(None);
        }
        let (cert, key) = (config.tls_cert_file.trim(), config.tls_key_file.trim());
        let identity = if !cert.is_empty() || !key.is_empty() {
            TlsServer::from_files(&folder::resolve(cert), &folder::resolve(key))?
        } else {
            config.tls_generated.clone().ok_or(Error::InvalidSetting {
                name: "TLS",
                reason: "needs a certificate and key file, or a generated certificate".to_string(),
            })?
        };
        match config.tls_client_ca_file.trim() {
            "" => Ok(Some(identity)),
            ca => identity
                .asking_clients_for_certificates(&folder::resolve(ca))
                .map(Some),
        }
    }

    /// TCP server: a new self-signed certificate for localhost and the address to bind.
    pub(super) fn generate_certificate(&mut self) {
        let names = [
            "localhost".to_string(),
            self.config.bind_address.trim().to_string(),
        ];
        match TlsServer::self_signed(&names) {
            Ok(made) => {
                self.config.tls_generated = Some(made);
                self.config.tls_cert_file.clear();
                self.config.tls_key_file.clear();
                self.status_error = None;
            }
            Err(error) => self.status_error = Some(i18n::error(&error)),
        }
    }
}
