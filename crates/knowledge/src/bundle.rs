//! Signed single-file releases (`hepatica kb bundle|sign|verify`, `--kb-file`).
//!
//! A bundle is one file: a text header, the compressed content, and an
//! optional Ed25519 signature trailer.
//!
//! ```text
//! hepatica-kb-bundle 1
//! version: 2026.11.0
//! published: 2026-11-26
//! content_hash: <64 hex: crate::release::content_hash of the files>
//! payload: <N, the payload's length in bytes>
//!
//! <N bytes: the zlib-compressed container of crate::release>
//! signature: ed25519 <128 hex>\n        (only once signed)
//! ```
//!
//! The signature covers every byte before the trailer (header and payload),
//! so changing the version, the hash or any content byte breaks it. Keys are
//! files holding 64 hex digits (32 bytes) and a newline: the private key is
//! the Ed25519 seed, the public key the compressed point. Lines starting with
//! `#` are comments.
//!
//! [`open`] checks, in order: the magic line and header (at most
//! [`MAX_HEADER_BYTES`], each line at most [`MAX_HEADER_LINE`]); that the
//! payload is all there (truncated); that a signature is present (unsigned)
//! and valid for the key (tampered or another key), before anything is
//! decompressed, since the signature covers the compressed bytes; that it
//! decompresses and unpacks (corrupt); that its hash is the header's
//! (tampered); that the content loads. Each failure is one [`BundleError`]
//! naming the problem.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::Knowledge;
use crate::check::Diagnostic;
use crate::release::{compress, content_hash, decompress, hex, pack, unpack};

const MAGIC: &str = "hepatica-kb-bundle 1\n";
const SIGNATURE_PREFIX: &str = "signature: ed25519 ";
/// Where the header must have ended (a real one is about 150 bytes).
pub const MAX_HEADER_BYTES: usize = 4096;
/// Longest header line.
pub const MAX_HEADER_LINE: usize = 256;

/// Why a bundle or key was refused.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a bundle, or a damaged header or payload.
    #[error("not a valid knowledge-base bundle: {0}")]
    Corrupt(String),
    /// The file ends before the payload does.
    #[error("the bundle is truncated: its payload should be {expected} bytes, the file holds {got}")]
    Truncated {
        /// From the header.
        expected: usize,
        /// What the file holds.
        got: usize,
    },
    /// The content's hash is not the header's.
    #[error("the bundle was tampered with: its content hashes to {actual}, the header says {header}")]
    HashMismatch {
        /// From the header.
        header: String,
        /// Of the content.
        actual: String,
    },
    /// No signature trailer.
    #[error("the bundle is not signed (sign it with hepatica kb sign FILE --private-key KEY)")]
    Unsigned,
    /// The signature does not verify with the key.
    #[error("the signature does not match this public key: the bundle was changed after signing, or it was signed with another key")]
    BadSignature,
    /// A key file is not 64 hex digits.
    #[error("{0}")]
    Key(String),
    /// The content does not load.
    #[error("the bundle's knowledge base did not load ({} problems)", .0.len())]
    Load(Vec<Diagnostic>),
}

/// A bundle's parts, checked for shape only (see [`open`] for the full check).
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The header's version.
    pub version: String,
    /// The header's publication date.
    pub published: String,
    /// The header's content hash.
    pub content_hash: String,
    /// The bytes the signature covers (header and payload).
    pub signed_part: Vec<u8>,
    /// The compressed container.
    pub payload: Vec<u8>,
    /// The signature, when the bundle is signed.
    pub signature: Option<[u8; 64]>,
}

/// Writes an unsigned bundle of a loaded knowledge base's files.
pub fn write(kb: &Knowledge, files: &[(&str, &str)]) -> Vec<u8> {
    let payload = compress(&pack(files.iter().copied()));
    let mut out = format!(
        "{MAGIC}version: {}\npublished: {}\ncontent_hash: {}\npayload: {}\n\n",
        kb.meta.version,
        kb.meta.published,
        content_hash(files.iter().copied()),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(&payload);
    out
}

/// Splits a bundle into its parts, checking its shape (magic, header, length, trailer).
pub fn parse(bytes: &[u8]) -> Result<Parsed, BundleError> {
    let corrupt = |s: &str| BundleError::Corrupt(s.to_string());
    if !bytes.starts_with(MAGIC.as_bytes()) {
        return Err(corrupt("it does not start with \"hepatica-kb-bundle 1\""));
    }
    let head = &bytes[..bytes.len().min(MAX_HEADER_BYTES)];
    let end = head
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or_else(|| BundleError::Corrupt(format!("the header has no end (a blank line) within {MAX_HEADER_BYTES} bytes")))?;
    let header = std::str::from_utf8(&bytes[..end]).map_err(|_| corrupt("the header is not UTF-8"))?;
    let mut fields = std::collections::BTreeMap::new();
    for line in header.lines().skip(1) {
        if line.len() > MAX_HEADER_LINE {
            return Err(BundleError::Corrupt(format!("a header line is longer than {MAX_HEADER_LINE} bytes")));
        }
        let (k, v) = line.split_once(": ").ok_or_else(|| BundleError::Corrupt(format!("header line {line:?} is not \"key: value\"")))?;
        if fields.insert(k, v).is_some() {
            return Err(BundleError::Corrupt(format!("header field {k} is repeated")));
        }
    }
    let field = |k: &str| fields.get(k).map(|v| v.to_string()).ok_or_else(|| BundleError::Corrupt(format!("the header has no {k}")));
    let version = field("version")?;
    let published = field("published")?;
    let hash = field("content_hash")?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(corrupt("content_hash is not 64 hex digits"));
    }
    let len: usize = field("payload")?.parse().map_err(|_| corrupt("payload is not a byte count"))?;
    let start = end + 2;
    let got = bytes.len() - start;
    if got < len {
        return Err(BundleError::Truncated { expected: len, got });
    }
    let payload = bytes[start..start + len].to_vec();
    let trailer = &bytes[start + len..];
    let signature = if trailer.is_empty() {
        None
    } else {
        let t = std::str::from_utf8(trailer).map_err(|_| corrupt("bytes after the payload are not a signature"))?;
        let h = t
            .strip_prefix(SIGNATURE_PREFIX)
            .and_then(|r| r.strip_suffix('\n'))
            .ok_or_else(|| corrupt("bytes after the payload are not a \"signature: ed25519 <hex>\" line"))?;
        let sig = from_hex(h).filter(|b| b.len() == 64).ok_or_else(|| corrupt("the signature is not 128 hex digits"))?;
        Some(sig.try_into().expect("64 bytes"))
    };
    Ok(Parsed { version, published, content_hash: hash, signed_part: bytes[..start + len].to_vec(), payload, signature })
}

/// The bundle with a signature by `key` (replacing any earlier one). The
/// content is checked first (hash and shape), so a damaged bundle is never signed.
///
/// Refused as a [`BundleError::Key`]: a key whose 32 bytes, read as a public
/// key, verify the bundle's present signature (the signer's public key given
/// as the private key). The new signature is verified with the key's own
/// public key before it is returned.
pub fn sign(bytes: &[u8], key: &SigningKey) -> Result<Vec<u8>, BundleError> {
    let p = parse(bytes)?;
    files_checked(&p)?;
    if let (Some(old), Ok(as_public)) = (p.signature, VerifyingKey::from_bytes(key.as_bytes()))
        && as_public.verify(&p.signed_part, &Signature::from_bytes(&old)).is_ok()
    {
        return Err(BundleError::Key("expected a private key, got the public key that verifies this bundle's signature".into()));
    }
    let sig = key.sign(&p.signed_part);
    key.verifying_key()
        .verify(&p.signed_part, &sig)
        .map_err(|_| BundleError::Key("the new signature does not verify with the key's public key".into()))?;
    let mut out = p.signed_part;
    out.extend_from_slice(format!("{SIGNATURE_PREFIX}{}\n", hex(&sig.to_bytes())).as_bytes());
    Ok(out)
}

/// A verified bundle's knowledge base, after every check in the module doc.
pub fn open(bytes: &[u8], key: &VerifyingKey) -> Result<Knowledge, BundleError> {
    let p = parse(bytes)?;
    // The signature covers the compressed bytes: nothing unsigned is decompressed.
    let sig = p.signature.ok_or(BundleError::Unsigned)?;
    key.verify(&p.signed_part, &Signature::from_bytes(&sig)).map_err(|_| BundleError::BadSignature)?;
    let files = files_checked(&p)?;
    let kb = Knowledge::from_files(files.iter().map(|(a, b)| (a.as_str(), b.as_str()))).map_err(|e| BundleError::Load(e.0))?;
    if kb.meta.version != p.version {
        return Err(BundleError::Corrupt(format!("the header says version {}, its kb.toml says {}", p.version, kb.meta.version)));
    }
    Ok(kb)
}

/// The bundle's files, checked against the header's hash.
pub fn files_checked(p: &Parsed) -> Result<Vec<(String, String)>, BundleError> {
    let files = decompress(&p.payload).and_then(|c| unpack(&c)).map_err(BundleError::Corrupt)?;
    let actual = content_hash(files.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    if actual != p.content_hash {
        return Err(BundleError::HashMismatch { header: p.content_hash.clone(), actual });
    }
    Ok(files)
}

/// A new key pair from 32 random bytes: (private key file text, public key file text).
pub fn keypair_from_seed(seed: [u8; 32]) -> (String, String) {
    let key = SigningKey::from_bytes(&seed);
    (
        format!("# Hepatica knowledge-base signing key (Ed25519 seed, hex). Keep it secret.\n{}\n", hex(&seed)),
        format!("# Hepatica knowledge-base public key (Ed25519, hex).\n{}\n", hex(key.verifying_key().as_bytes())),
    )
}

/// Reads a private key file's text. A file whose comment says it is a public
/// key (as `kb keygen` writes them) is refused: both are 64 hex digits, and
/// signing with a public key's bytes gives a signature nobody can check.
pub fn signing_key(text: &str) -> Result<SigningKey, BundleError> {
    if comments(text).any(|c| c.contains("public key")) {
        return Err(BundleError::Key("expected a private key, got a public key file (its comment says \"public key\")".into()));
    }
    Ok(SigningKey::from_bytes(&key_bytes(text, "private")?))
}

/// Reads a public key file's text (a private key file, by its comment, is refused).
pub fn verifying_key(text: &str) -> Result<VerifyingKey, BundleError> {
    if comments(text).any(|c| c.contains("signing key") || c.contains("Keep it secret")) {
        return Err(BundleError::Key("expected a public key, got a private key file (its comment says \"signing key\")".into()));
    }
    VerifyingKey::from_bytes(&key_bytes(text, "public")?)
        .map_err(|_| BundleError::Key("the public key is not a valid Ed25519 point".into()))
}

fn comments(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| l.starts_with('#'))
}

fn key_bytes(text: &str, which: &str) -> Result<[u8; 32], BundleError> {
    let body: String = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    from_hex(&body)
        .filter(|b| b.len() == 32)
        .map(|b| b.try_into().expect("32 bytes"))
        .ok_or_else(|| BundleError::Key(format!("expected a {which} key of 64 hex digits, got {} characters", body.len())))
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> (Vec<u8>, SigningKey) {
        let files = Knowledge::release_files("2026.11.0").expect("frozen release");
        let kb = Knowledge::release("2026.11.0").expect("release");
        (write(kb, &files), SigningKey::from_bytes(&[7; 32]))
    }

    #[test]
    fn signed_bundle_opens_and_every_damage_is_named() {
        let (unsigned, key) = bundle();
        let signed = sign(&unsigned, &key).expect("signs");
        let kb = open(&signed, &key.verifying_key()).expect("opens");
        assert_eq!(kb.meta.version, "2026.11.0");
        assert_eq!(kb.content_hash(), Knowledge::release("2026.11.0").expect("release").content_hash());
        assert!(matches!(open(&unsigned, &key.verifying_key()), Err(BundleError::Unsigned)));
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert!(matches!(open(&signed, &other), Err(BundleError::BadSignature)));
        assert!(matches!(open(&signed[..signed.len() / 2], &key.verifying_key()), Err(BundleError::Truncated { .. })));
        assert!(matches!(open(b"hello", &key.verifying_key()), Err(BundleError::Corrupt(_))));
        // A changed version in the header keeps the hash but breaks the signature.
        let text = String::from_utf8_lossy(&signed[..60]).replace("2026.11.0", "2026.11.9");
        let mut relabelled = text.into_bytes();
        relabelled.extend_from_slice(&signed[60..]);
        assert!(matches!(open(&relabelled, &key.verifying_key()), Err(BundleError::BadSignature)));
        // A flipped payload byte breaks the signature, checked before decompressing.
        let mut flipped = signed.clone();
        let at = signed.len() - 200;
        flipped[at] ^= 0x55;
        assert!(matches!(open(&flipped, &key.verifying_key()), Err(BundleError::BadSignature)));
        // Signed over damaged compression: corrupt, found after the signature.
        let mut damaged = unsigned.clone();
        let at = damaged.len() - 100;
        damaged[at] ^= 0x55;
        let p = parse(&damaged).expect("shape");
        let mut resigned = p.signed_part.clone();
        resigned.extend_from_slice(format!("{SIGNATURE_PREFIX}{}\n", hex(&key.sign(&p.signed_part).to_bytes())).as_bytes());
        assert!(matches!(open(&resigned, &key.verifying_key()), Err(BundleError::Corrupt(_) | BundleError::HashMismatch { .. })));
        // A header with no end in its first 4 KiB, or a very long line.
        let long = [MAGIC.as_bytes(), &[b'x'; MAX_HEADER_BYTES]].concat();
        assert!(matches!(parse(&long), Err(BundleError::Corrupt(m)) if m.contains("within")));
        let line = format!("{MAGIC}version: {}\n\n", "9".repeat(MAX_HEADER_LINE));
        assert!(matches!(parse(line.as_bytes()), Err(BundleError::Corrupt(m)) if m.contains("longer than")));
    }

    #[test]
    fn keys_round_trip_and_bad_keys_are_named() {
        let (private, public) = keypair_from_seed([3; 32]);
        let sk = signing_key(&private).expect("private key");
        assert_eq!(verifying_key(&public).expect("public key"), sk.verifying_key());
        assert!(matches!(verifying_key("abc"), Err(BundleError::Key(m)) if m.contains("64 hex digits")));
        // Each file is refused in the other's place.
        assert!(matches!(signing_key(&public), Err(BundleError::Key(m)) if m.contains("public key file")));
        assert!(matches!(verifying_key(&private), Err(BundleError::Key(m)) if m.contains("private key file")));
    }

    #[test]
    fn signing_with_the_signers_public_key_bytes_is_refused() {
        let (unsigned, key) = bundle();
        let signed = sign(&unsigned, &key).expect("signs");
        // The public key's hex without its comment: the same length as a private key.
        let public_hex = hex(key.verifying_key().as_bytes());
        let wrong = signing_key(&public_hex).expect("64 hex digits read as a seed");
        assert!(matches!(sign(&signed, &wrong), Err(BundleError::Key(m)) if m.contains("public key")));
        // Re-signing with the real key, or another private key, is fine.
        assert!(sign(&signed, &key).is_ok());
        assert!(sign(&signed, &SigningKey::from_bytes(&[9; 32])).is_ok());
    }
}
