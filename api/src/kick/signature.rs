//! Kick's webhook signature: RSA-SHA256 (PKCS#1 v1.5) over `{message id}.{timestamp}.{raw
//! body}`, base64 in the `Kick-Event-Signature` header, checked with Kick's public key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::sha2::Sha256;
use rsa::signature::Verifier;
use std::fmt;
use std::path::Path;

/// The smallest RSA key accepted, in bits: Kick's is 2048.
pub const MIN_KEY_BITS: usize = 2048;

/// Why a key cannot be used (the server refuses to start).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file named could not be read.
    #[error("cannot read the Kick public key file {path}: {source}")]
    Read {
        /// The path given.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The text is not a PEM public key this server reads.
    #[error(
        "the Kick public key is not a PEM RSA public key (\"-----BEGIN PUBLIC KEY-----\" or \
         \"-----BEGIN RSA PUBLIC KEY-----\"): {0}"
    )]
    Invalid(String),
    /// The key is too small to be Kick's.
    #[error("the Kick public key has {bits} bits; at least {MIN_KEY_BITS} are required")]
    TooSmall {
        /// Its size.
        bits: usize,
    },
}

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not base64.
    #[error("the signature is not base64")]
    NotBase64,
    /// The signature does not verify with the key over this id, timestamp and body.
    #[error("the signature does not verify")]
    Mismatch,
}

/// Kick's public key, ready to check signatures.
#[derive(Clone)]
pub struct KickPublicKey {
    key: VerifyingKey<Sha256>,
    bits: usize,
}

impl fmt::Debug for KickPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KickPublicKey({} bits)", self.bits)
    }
}

impl KickPublicKey {
    /// Reads a PEM public key: SubjectPublicKeyInfo (`PUBLIC KEY`, what Kick publishes) or
    /// PKCS#1 (`RSA PUBLIC KEY`), of at least [`MIN_KEY_BITS`].
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let pem = pem.trim();
        let key = if pem.contains("BEGIN RSA PUBLIC KEY") {
            rsa::PublicKey::from_pkcs1_pem(pem).map_err(|e| KeyError::Invalid(e.to_string()))?
        } else {
            rsa::PublicKey::from_public_key_pem(pem)
                .map_err(|e| KeyError::Invalid(e.to_string()))?
        };
        let bits = rsa::traits::PublicKeyParts::size(&key) * 8;
        if bits < MIN_KEY_BITS {
            return Err(KeyError::TooSmall { bits });
        }
        Ok(KickPublicKey {
            key: VerifyingKey::new(key),
            bits,
        })
    }

    /// Reads the key from `value`: the PEM text itself when it holds a `-----BEGIN` line, else
    /// the path of a PEM file.
    pub fn load(value: &str) -> Result<Self, KeyError> {
        if value.contains("-----BEGIN") {
            return Self::from_pem(value);
        }
        let path = Path::new(value.trim());
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_pem(&text)
    }

    /// The key's size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Checks `signature` (base64, as sent) over `{message_id}.{timestamp}.{body}`.
    pub fn verify(
        &self,
        message_id: &str,
        timestamp: &str,
        body: &[u8],
        signature: &str,
    ) -> Result<(), SignatureError> {
        let raw = STANDARD
            .decode(signature.trim())
            .map_err(|_| SignatureError::NotBase64)?;
        let signature =
            Signature::try_from(raw.as_slice()).map_err(|_| SignatureError::Mismatch)?;
        let signed = signed_message(message_id, timestamp, body);
        self.key
            .verify(&signed, &signature)
            .map_err(|_| SignatureError::Mismatch)
    }
}

/// The bytes Kick signs: `{message_id}.{timestamp}.{body}`.
pub fn signed_message(message_id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message_id.len() + timestamp.len() + body.len() + 2);
    out.extend_from_slice(message_id.as_bytes());
    out.push(b'.');
    out.extend_from_slice(timestamp.as_bytes());
    out.push(b'.');
    out.extend_from_slice(body);
    out
}
