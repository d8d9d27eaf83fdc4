//! Certificates and keys from PEM text, with errors that say which file's contents failed.

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::Error;

fn unusable(what: &str, err: &dyn std::fmt::Display) -> Error {
    Error::TlsSettings(format!("the {what} is not usable: {err}"))
}

/// The certificates in `pem` (at least one), named `what` in errors.
pub(super) fn certificates(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| unusable(what, &err))?;
    if chain.is_empty() {
        return Err(Error::TlsSettings(format!(
            "the {what} holds no PEM certificate"
        )));
    }
    Ok(chain)
}

pub(super) fn private_key(pem: &str, what: &str) -> Result<PrivateKeyDer<'static>, Error> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|err| unusable(what, &err))
}

/// The CA certificates in `pem` as trust anchors; refused when none of them is usable.
pub(super) fn roots(pem: &str, what: &str) -> Result<RootCertStore, Error> {
    let mut roots = RootCertStore::empty();
    let (_, unusable_count) = roots.add_parsable_certificates(certificates(pem, what)?);
    if roots.is_empty() {
        return Err(Error::TlsSettings(format!(
            "none of the {unusable_count} certificates in the {what} can be used as a CA"
        )));
    }
    Ok(roots)
}
