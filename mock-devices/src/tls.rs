//! HTTPS for a mock device: a certificate for its address, signed by a CA generated for it,
//! as a site CA signs a camera's certificate (or, to a client that does not know that CA, a
//! self-signed certificate: either way unknown to the public roots).

use std::net::IpAddr;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A device's TLS identity.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The CA that signed the device certificate, PEM: what `--ca-cert` takes.
    pub ca_pem: String,
    /// SHA-256 (lower-case hex) of the device certificate (DER): what a pin holds.
    pub cert_sha256: String,
    pub(crate) acceptor: TlsAcceptor,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("cert_sha256", &self.cert_sha256)
            .finish_non_exhaustive()
    }
}

/// Why a TLS identity could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot make a TLS certificate: {0}")]
pub struct TlsError(String);

impl TlsIdentity {
    /// A fresh CA and a certificate for `ip` signed by it.
    pub fn generate(ip: IpAddr) -> Result<Self, TlsError> {
        let err = |e: &dyn std::fmt::Display| TlsError(e.to_string());
        let ca_key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
        let mut ca_params =
            rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| err(&e))?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "mock-onvif site CA");
        let ca = ca_params.self_signed(&ca_key).map_err(|e| err(&e))?;

        let key = rcgen::KeyPair::generate().map_err(|e| err(&e))?;
        let mut params =
            rcgen::CertificateParams::new(vec![ip.to_string()]).map_err(|e| err(&e))?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, ip.to_string());
        params.subject_alt_names = vec![rcgen::SanType::IpAddress(ip)];
        let cert = params.signed_by(&key, &ca, &ca_key).map_err(|e| err(&e))?;

        let der: CertificateDer<'static> = cert.der().clone();
        let cert_sha256 = Sha256::digest(der.as_ref())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| err(&e))?
        .with_no_client_auth()
        .with_single_cert(vec![der, ca.der().clone()], key_der)
        .map_err(|e| err(&e))?;
        Ok(Self {
            ca_pem: ca.pem(),
            cert_sha256,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}
