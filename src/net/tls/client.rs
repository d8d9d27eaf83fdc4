//! The TLS client's handshake with rustls: trust settings, one-line errors, and what the
//! handshake agreed.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore};
use socket2::Socket;

use super::{ClientCertificate, TlsClient, TlsInfo, Trust, Wire, accept_any, pem, pump, server};
use crate::error::{Error, TlsProblem};

/// See [`super::connect`].
pub(super) fn connect(
    socket: Socket,
    peer: SocketAddr,
    host: &str,
    settings: &TlsClient,
    timeout: Duration,
) -> Result<(Socket, Wire, TlsInfo), Error> {
    // An IPv6 host's scope (`fe80::1%eth0`) names our interface, not the peer: a certificate
    // names the address alone.
    let name = settings
        .sni
        .as_deref()
        .unwrap_or_else(|| host.split('%').next().unwrap_or(host));
    let server_name = ServerName::try_from(name.to_string()).map_err(|_| Error::Tls {
        peer,
        reason: format!("'{name}' is not a name a certificate can be checked against"),
    })?;
    let config = client_config(&settings.trust, settings.certificate.as_ref())?;
    let connection = ClientConnection::new(Arc::new(config), server_name)
        .map_err(|err| tls_error(&err, peer, name))?;
    handshake(connection.into(), socket, (peer, name), timeout, info)
}

/// Makes the handshake over `socket` within `timeout` (the peer named `name` in errors), then
/// starts the pump: the socket the connection uses, and what `describe` says was agreed.
pub(super) fn handshake(
    mut connection: Connection,
    socket: Socket,
    (peer, name): (SocketAddr, &str),
    timeout: Duration,
    describe: impl FnOnce(&Connection) -> TlsInfo,
) -> Result<(Socket, Wire, TlsInfo), Error> {
    let mut stream: TcpStream = socket.into();
    let io_error = |err: io::Error| Error::from_io("making the TLS handshake with", peer, &err);
    // One limit for the whole handshake: a peer that trickles its bytes cannot stretch it.
    let deadline = Instant::now() + timeout;
    let timed_out = || handshake_error(&io::ErrorKind::TimedOut.into(), peer, name, timeout);
    while connection.is_handshaking() {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or_else(timed_out)?;
        stream.set_read_timeout(Some(left)).map_err(io_error)?;
        stream.set_write_timeout(Some(left)).map_err(io_error)?;
        // One read or write at a time (rustls's `complete_io` reads on while bytes come, so
        // a trickle would never bring it back to the deadline).
        let step = if connection.wants_write() {
            connection.write_tls(&mut stream).map(|_| ())
        } else {
            match connection.read_tls(&mut stream) {
                Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(_) => match connection.process_new_packets() {
                    Ok(_) => Ok(()),
                    Err(err) => {
                        // The alert that says why goes out before the error is reported.
                        let _ = connection.write_tls(&mut stream);
                        return Err(tls_error(&err, peer, name));
                    }
                },
                Err(err) => Err(err),
            }
        };
        if let Err(err) = step {
            // A read or write waits at most until the deadline: its timeout says so.
            return Err(handshake_error(&err, peer, name, timeout));
        }
    }
    // The handshake's last flight (a client's Finished) goes out before the pump starts.
    while connection.wants_write() {
        connection
            .write_tls(&mut stream)
            .map_err(|err| handshake_error(&err, peer, name, timeout))?;
    }
    let info = describe(&connection);
    stream.set_read_timeout(None).map_err(io_error)?;
    stream.set_write_timeout(None).map_err(io_error)?;
    let (plain, wire) = pump::start(connection, stream).map_err(io_error)?;
    Ok((plain, wire, info))
}

fn client_config(
    trust: &Trust,
    certificate: Option<&ClientCertificate>,
) -> Result<ClientConfig, Error> {
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|err| Error::TlsSettings(err.to_string()))?;
    let builder = match trust {
        Trust::AnyCertificate => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(accept_any::AcceptAny::new())),
        Trust::SystemRoots => builder.with_root_certificates(system_roots()),
        Trust::CaFile(path) => {
            let reading = |reason: String| Error::File {
                action: "reading the CA certificates in",
                path: path.display().to_string(),
                message: reason,
            };
            let mut roots = RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|err| reading(err.to_string()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|err| reading(err.to_string()))?;
            if certs.is_empty() {
                return Err(reading("it holds no PEM certificate".to_string()));
            }
            roots.add_parsable_certificates(certs);
            builder.with_root_certificates(roots)
        }
    };
    let Some(certificate) = certificate else {
        return Ok(builder.with_no_client_auth());
    };
    let chain = pem::certificates(&certificate.cert_pem, "client certificate")?;
    let key = pem::private_key(&certificate.key_pem, "client key")?;
    builder.with_client_auth_cert(chain, key).map_err(|err| {
        Error::TlsSettings(format!(
            "the client certificate and key pair is not usable: {err}"
        ))
    })
}

/// The system's trusted certificates, read once per process: reading them takes tens of
/// milliseconds, and a reconnecting client would read them on every attempt.
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut roots = RootCertStore::empty();
            // A system store with some unreadable certificates still has the others.
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            Arc::new(roots)
        })
        .clone()
}

/// A handshake that failed, in one line: the certificate's problem, a peer that is not
/// speaking TLS, a peer that did not answer within `timeout`, or what the network said.
pub(super) fn handshake_error(
    err: &io::Error,
    peer: SocketAddr,
    name: &str,
    timeout: Duration,
) -> Error {
    let problem = match err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => return tls_error(tls, peer, name),
        None if err.kind() == io::ErrorKind::UnexpectedEof => TlsProblem::ClosedDuringHandshake,
        // A read timeout: WouldBlock on Unix, TimedOut on Windows.
        None if matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) =>
        {
            TlsProblem::TimedOut {
                secs: timeout.as_secs().max(1),
            }
        }
        None => return Error::from_io("making the TLS handshake with", peer, err),
    };
    Error::TlsHandshake { peer, problem }
}

/// A rustls error as a problem a person can act on, named for the certificate's `name`.
pub(super) fn tls_error(err: &rustls::Error, peer: SocketAddr, name: &str) -> Error {
    Error::TlsHandshake {
        peer,
        problem: problem(err, name.to_string()),
    }
}

pub(super) fn problem(err: &rustls::Error, name: String) -> TlsProblem {
    use rustls::AlertDescription as Alert;
    use rustls::CertificateError as Cert;
    use rustls::Error as Tls;
    // A server that asks for client certificates names its own problems with them.
    let a_client = name == server::CLIENT;
    match err {
        Tls::NoCertificatesPresented if a_client => TlsProblem::NoClientCertificate,
        // A bad signature: signed by another CA that has the same name as one trusted.
        Tls::InvalidCertificate(Cert::UnknownIssuer | Cert::BadSignature) if a_client => {
            TlsProblem::ClientNotTrusted
        }
        Tls::AlertReceived(Alert::CertificateRequired) => TlsProblem::CertificateRequired,
        // Only the side that checks a client's certificate sends these to a client
        // (DecryptError: its signature did not check out against the CA of that name).
        Tls::AlertReceived(
            alert @ (Alert::BadCertificate
            | Alert::DecryptError
            | Alert::UnknownCA
            | Alert::CertificateUnknown
            | Alert::CertificateExpired
            | Alert::CertificateRevoked
            | Alert::UnsupportedCertificate),
        ) if !a_client => TlsProblem::OurCertificateRefused {
            alert: format!("{alert:?}"),
        },
        Tls::InvalidCertificate(cert) => match cert {
            Cert::Expired | Cert::ExpiredContext { .. } => TlsProblem::Expired { name },
            Cert::NotValidYet | Cert::NotValidYetContext { .. } => TlsProblem::NotValidYet { name },
            Cert::NotValidForName | Cert::NotValidForNameContext { .. } => {
                TlsProblem::WrongName { name }
            }
            Cert::UnknownIssuer => TlsProblem::UnknownIssuer { name },
            Cert::Revoked => TlsProblem::Revoked { name },
            Cert::BadSignature
            | Cert::UnsupportedSignatureAlgorithmContext { .. }
            | Cert::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                TlsProblem::BadSignature { name }
            }
            Cert::InvalidPurpose | Cert::InvalidPurposeContext { .. } => {
                TlsProblem::NotForServers { name }
            }
            // webpki's reasons come wrapped: CaUsedAsEndEntity is the one `openssl req -x509`
            // certificates meet.
            Cert::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity") => {
                TlsProblem::CaUsedAsEndEntity { name }
            }
            other => TlsProblem::BadCertificate {
                name,
                detail: format!("{other:?}"),
            },
        },
        Tls::InvalidMessage(_) | Tls::InappropriateMessage { .. } => TlsProblem::NotTls,
        Tls::InappropriateHandshakeMessage { .. } => TlsProblem::NotTls,
        Tls::AlertReceived(alert) => TlsProblem::Refused {
            alert: format!("{alert:?}"),
        },
        Tls::PeerIncompatible(why) => TlsProblem::NothingInCommon {
            detail: format!("{why:?}"),
        },
        Tls::NoCertificatesPresented => TlsProblem::NoCertificate,
        other => TlsProblem::Other(other.to_string()),
    }
}

/// "TLSv1.3".
pub(super) fn version(version: Option<rustls::ProtocolVersion>) -> String {
    version.map_or_else(String::new, |v| format!("{v:?}").replace('_', "."))
}

/// "TLS13_AES_256_GCM_SHA384".
pub(super) fn suite(suite: Option<rustls::SupportedCipherSuite>) -> String {
    suite.map_or_else(String::new, |s| format!("{:?}", s.suite()))
}

pub(super) fn info(connection: &Connection) -> TlsInfo {
    let version = version(connection.protocol_version());
    let cipher_suite = suite(connection.negotiated_cipher_suite());
    let certificate = connection
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|cert| cert.as_ref().to_vec())
        .unwrap_or_default();
    let (subject, issuer, not_after) = x509_parser::parse_x509_certificate(&certificate)
        .map(|(_, cert)| {
            (
                cert.subject().to_string(),
                cert.issuer().to_string(),
                cert.validity()
                    .not_after
                    .to_rfc2822()
                    .unwrap_or_else(|_| cert.validity().not_after.to_string()),
            )
        })
        .unwrap_or_default();
    let digest = ring::digest::digest(&ring::digest::SHA256, &certificate);
    let sha256 = digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    TlsInfo {
        version,
        cipher_suite,
        subject,
        issuer,
        not_after,
        sha256,
    }
}
