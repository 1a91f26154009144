//! Sealed answers: how the results page gets its own address without storing,
//! logging or showing anyone's answers.
//!
//! `POST /results` answers `303 See Other` to `/results?a=<token>`, so Back and
//! reload are plain GETs that never ask to resubmit a form. The token is the
//! posted answers, encrypted and authenticated with XChaCha20-Poly1305 under a
//! key made from the operating system's random source when the process starts.
//! The key lives only in memory: it is never written, logged or sent, so a
//! token is unreadable to anyone but this process, and worthless after a
//! restart. Each token also carries its own expiry ([`TTL`]), checked when it
//! is opened. The token goes in the query string, which the request log never
//! records (`layers.rs` logs the path only), and `Referrer-Policy: no-referrer`
//! keeps it from leaking to other sites.
//!
//! What this does not do: it does not store anything, so there is nothing to
//! delete; and it does not make a results address safe to share for longer
//! than [`TTL`] (the printed appointment sheet is for that).

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// How long a sealed results address keeps working.
pub const TTL: Duration = Duration::from_secs(2 * 60 * 60);

/// Tokens longer than this are refused before any work is done.
const MAX_TOKEN: usize = 16 * 1024;

static CIPHER: LazyLock<XChaCha20Poly1305> = LazyLock::new(|| XChaCha20Poly1305::new(&XChaCha20Poly1305::generate_key(&mut OsRng)));

/// Why a token could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseal {
    /// Not a token this process made (tampered, truncated, or from before a restart).
    Invalid,
    /// A real token whose time is up.
    Expired,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Seals form pairs into a URL-safe token that expires after [`TTL`].
pub fn seal(pairs: &[(String, String)]) -> String {
    seal_at(pairs, now())
}

fn seal_at(pairs: &[(String, String)], now: u64) -> String {
    let mut plain = (now + TTL.as_secs()).to_be_bytes().to_vec();
    // Serialising a list of string pairs cannot fail.
    plain.extend(serde_json::to_vec(pairs).unwrap_or_default());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    // Encryption fails only for inputs of gigabytes; the body limit rules them out.
    let sealed = CIPHER.encrypt(&nonce, plain.as_slice()).unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend(sealed);
    URL_SAFE_NO_PAD.encode(out)
}

/// Opens a token made by [`seal`].
pub fn unseal(token: &str) -> Result<Vec<(String, String)>, Unseal> {
    unseal_at(token, now())
}

fn unseal_at(token: &str, now: u64) -> Result<Vec<(String, String)>, Unseal> {
    if token.len() > MAX_TOKEN {
        return Err(Unseal::Invalid);
    }
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| Unseal::Invalid)?;
    if bytes.len() < 24 + 16 + 8 {
        return Err(Unseal::Invalid);
    }
    let (nonce, sealed) = bytes.split_at(24);
    let nonce: [u8; 24] = nonce.try_into().map_err(|_| Unseal::Invalid)?;
    let plain = CIPHER.decrypt(&XNonce::from(nonce), sealed).map_err(|_| Unseal::Invalid)?;
    let (expiry, json) = plain.split_at(8);
    let expiry = u64::from_be_bytes(expiry.try_into().map_err(|_| Unseal::Invalid)?);
    if now > expiry {
        return Err(Unseal::Expired);
    }
    serde_json::from_slice(json).map_err(|_| Unseal::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs() -> Vec<(String, String)> {
        vec![("primary_site".into(), "bowel".into()), ("liver.tumour_count".into(), "8".into())]
    }

    #[test]
    fn round_trip_and_nothing_readable() {
        let t = seal(&pairs());
        assert!(!t.contains("bowel") && !t.contains("primary"));
        assert_eq!(unseal(&t).unwrap(), pairs());
        // Two seals of the same answers differ (fresh nonce), so tokens cannot be compared.
        assert_ne!(seal(&pairs()), t);
    }

    #[test]
    fn tampered_and_expired_tokens_are_refused() {
        let t = seal_at(&pairs(), 1000);
        assert_eq!(unseal_at(&t, 1000 + TTL.as_secs()).unwrap(), pairs());
        assert_eq!(unseal_at(&t, 1001 + TTL.as_secs()), Err(Unseal::Expired));
        let mut bytes = URL_SAFE_NO_PAD.decode(&t).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(unseal_at(&URL_SAFE_NO_PAD.encode(bytes), 1000), Err(Unseal::Invalid));
        assert_eq!(unseal("not a token"), Err(Unseal::Invalid));
        assert_eq!(unseal(""), Err(Unseal::Invalid));
    }
}
