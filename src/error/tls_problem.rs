//! Why a TLS handshake (or a TLS peer) ended a connection, in words a person can act on.

use thiserror::Error;

/// Why a TLS handshake failed, each with what to do (the window words them in its language).
/// `name` is the name the certificate was checked for.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TlsProblem {
    #[error("the certificate for {name} has expired")]
    Expired { name: String },
    #[error("the certificate for {name} is not valid yet (check the clocks of both machines)")]
    NotValidYet { name: String },
    #[error("the certificate is not valid for {name} (set the TLS name it was made for)")]
    WrongName { name: String },
    #[error(
        "the certificate for {name} is not signed by a trusted authority (a self-signed \
         device needs \"Accept any certificate\" or its CA file)"
    )]
    UnknownIssuer { name: String },
    #[error(
        "the certificate for {name} is a CA certificate used as a server's, as `openssl req \
         -x509` makes by default: tick \"Accept any certificate\" (--tls-insecure), or make \
         the server's certificate with CA:FALSE"
    )]
    CaUsedAsEndEntity { name: String },
    #[error("the certificate for {name} has been revoked")]
    Revoked { name: String },
    #[error("the certificate for {name} has a signature that does not check out")]
    BadSignature { name: String },
    #[error("the certificate for {name} is not meant for a TLS server")]
    NotForServers { name: String },
    #[error("the certificate for {name} cannot be used: {detail}")]
    BadCertificate { name: String, detail: String },
    #[error("the peer does not speak TLS")]
    NotTls,
    #[error("the peer closed the connection during the TLS handshake")]
    ClosedDuringHandshake,
    #[error("the peer refused the handshake ({alert})")]
    Refused { alert: String },
    #[error("the peer and this end have no TLS version or cipher suite in common ({detail})")]
    NothingInCommon { detail: String },
    #[error("the peer sent no certificate")]
    NoCertificate,
    #[error(
        "the client sent no certificate, and this server asks each client for one signed by \
         a CA in its client CA file"
    )]
    NoClientCertificate,
    #[error("the client's certificate is not signed by a CA in this server's client CA file")]
    ClientNotTrusted,
    #[error(
        "the server asks for a client certificate: give one (--cert and --key; \"Client \
         certificate\" and \"Key file\" in the window)"
    )]
    CertificateRequired,
    #[error(
        "the server did not accept this client's certificate ({alert}): is it signed by a CA \
         the server trusts, and still valid?"
    )]
    OurCertificateRefused { alert: String },
    #[error(
        "the TLS handshake timed out after {secs} s: the peer took the connection but did \
         not answer (is it a TLS server?)"
    )]
    TimedOut { secs: u64 },
    #[error("{0}")]
    Other(String),
}
