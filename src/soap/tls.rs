//! Which device certificates a client trusts: public roots plus a site CA (`--ca-cert`), a
//! certificate pinned by its SHA-256 (trust on first use), or, when asked, anything
//! (`--insecure`).
//!
//! Cameras mostly carry self-signed certificates or ones from a site CA, and are reached by IP
//! address: the public web PKI alone leaves HTTPS unusable on a real site, and users fall back
//! to plain HTTP, which sends every credential in the clear. A pin is what makes a self-signed
//! certificate trustworthy: the fingerprint recorded on first use (in inventory.json) must be
//! the one presented every later time, whatever its chain.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest as _, Sha256};

/// How a client decides whether to trust a device's certificate.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsTrust {
    /// Site CA certificates (DER), trusted besides the public roots.
    pub ca_certs: Vec<Vec<u8>>,
    /// Accept any certificate. Its fingerprint is still recorded.
    pub insecure: bool,
    /// The SHA-256 (hex) the device's certificate must have: when set, it alone decides.
    pub pinned: Option<String>,
    /// Accept a certificate the CAs do not vouch for when no pin is known yet (the first
    /// use), so that its fingerprint can be recorded and required afterwards.
    pub pin_on_first_use: bool,
}

impl fmt::Debug for TlsTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTrust")
            .field("ca_certs", &self.ca_certs.len())
            .field("insecure", &self.insecure)
            .field("pinned", &self.pinned)
            .field("pin_on_first_use", &self.pin_on_first_use)
            .finish()
    }
}

impl TlsTrust {
    /// True when reqwest's own verification (public roots) is all that is asked for.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Why a `--ca-cert` file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    /// It could not be read.
    #[error("cannot read CA certificate file {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// Why (shown in the message, so not a `source`).
        error: std::io::Error,
    },
    /// It holds no PEM certificate.
    #[error("CA certificate file {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    Empty {
        /// The file.
        path: String,
    },
    /// A certificate in it is not well-formed.
    #[error("CA certificate file {path}: {reason}")]
    Bad {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// The certificates (DER) of a PEM file, for [`TlsTrust::ca_certs`].
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<Vec<u8>>, CaFileError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| CaFileError::Read {
        path: shown.clone(),
        error,
    })?;
    let mut out = Vec::new();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| CaFileError::Bad {
            path: shown.clone(),
            reason: format!("{e:?}"),
        })?;
        let mut roots = RootCertStore::empty();
        roots.add(cert.clone()).map_err(|e| CaFileError::Bad {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        out.push(cert.to_vec());
    }
    if out.is_empty() {
        return Err(CaFileError::Empty { path: shown });
    }
    Ok(out)
}

/// Lower-case hex SHA-256 of a certificate (DER), the form pins are stored in.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where the verifier leaves the fingerprint of the certificate a device presented.
pub(crate) type SeenCertificate = Arc<Mutex<Option<String>>>;

/// The rustls configuration for `trust`, and the slot the presented certificate's
/// fingerprint lands in.
pub(crate) fn client_config(
    trust: &TlsTrust,
) -> Result<(rustls::ClientConfig, SeenCertificate), String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in &trust.ca_certs {
        roots
            .add(CertificateDer::from(der.clone()))
            .map_err(|e| format!("a site CA certificate is not usable: {e}"))?;
    }
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .build()
            .map_err(|e| format!("cannot set up certificate verification: {e}"))?;
    let seen = Arc::new(Mutex::new(None));
    let verifier = Verifier {
        webpki,
        provider: Arc::clone(&provider),
        trust: trust.clone(),
        seen: Arc::clone(&seen),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok((config, seen))
}

/// The presented certificate is not the pinned one.
#[derive(Debug, thiserror::Error)]
#[error(
    "the certificate changed: its SHA-256 is {presented}, the one pinned for this device is {pinned} (a replaced camera, or someone in between; check before trusting it)"
)]
pub struct PinMismatch {
    /// Fingerprint presented.
    pub presented: String,
    /// Fingerprint pinned.
    pub pinned: String,
}

#[derive(Debug)]
struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
    trust: TlsTrust,
    seen: SeenCertificate,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = fingerprint(end_entity);
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(presented.clone());
        if let Some(pinned) = &self.trust.pinned {
            return if pinned.eq_ignore_ascii_case(&presented) {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                    rustls::OtherError(Arc::new(PinMismatch {
                        presented,
                        pinned: pinned.clone(),
                    })),
                )))
            };
        }
        if self.trust.insecure {
            return Ok(ServerCertVerified::assertion());
        }
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => Ok(v),
            Err(_) if self.trust.pin_on_first_use => Ok(ServerCertVerified::assertion()),
            Err(e) => Err(e),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What is wrong with a device's certificate, in words a site engineer can act on, when
/// `error` (or one of its causes) is a TLS certificate failure.
pub(crate) fn certificate_problem(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return Some(describe(t));
        }
        // io::Error::source skips the error it wraps (hyper-rustls nests two): look inside.
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

fn describe(e: &rustls::Error) -> String {
    const HINT: &str =
        "give the site CA with --ca-cert FILE, or trust and pin it with --pin-on-first-use";
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => format!(
                "its certificate is not signed by a trusted CA (self-signed or a site CA): {HINT}"
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("its certificate does not name the address we reached: {HINT}")
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "its certificate has expired".to_owned()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "its certificate is not valid yet (check this computer's clock)".to_owned()
            }
            CertificateError::Revoked => "its certificate is revoked".to_owned(),
            CertificateError::Other(o) => format!("{}", o.0),
            other => format!("its certificate is refused: {other:?}"),
        },
        other => format!("the TLS handshake failed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_lower_case_hex_sha256() {
        // sha256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            fingerprint(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("site-ca.pem");
        std::fs::write(&p, "not a certificate\n").unwrap();
        let e = read_ca_file(&p).unwrap_err().to_string();
        assert!(
            e.contains("site-ca.pem") && e.contains("no PEM certificate"),
            "{e}"
        );
        let e = read_ca_file(&dir.path().join("missing.pem"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }
}
