//! Authentication of CDS clients: signed JWT bearer tokens (CDS Hooks 2.0.1, "Trusting CDS Clients").
//!
//! The trust file (`hepatica serve --cds-trust FILE`) lists this server's
//! public `base_url` and, per allowed issuer, its JWK Set:
//! `{ "base_url": "...", "issuers": [ { "iss": "...", "jwks": { "keys": [...] } } ] }`.
//!
//! Rules enforced by [`Verifier::verify`], each refusal a distinct [`AuthError`]:
//! - asymmetric algorithms only: ES384, RS384 (recommended), ES256, RS256, PS256/384/512;
//!   never `none`, never HMAC (a token "signed" with a public key as an HMAC secret is refused
//!   before any key is touched);
//! - header `typ` must be `JWT`, `kid` is required and selects the key within the issuer's set;
//!   `crit` is refused; `jku`, `jwk`, `x5u` are never fetched or used (no SSRF, no
//!   attacker-supplied keys), so a `jku` may be present and changes nothing;
//! - `iss` must be allow-listed, `aud` (string or array) must contain the exact endpoint URL
//!   built from `base_url`; `exp`, `iat` and `jti` are required; 60 s clock skew;
//!   tokens may live at most an hour; a `jti` is refused again until its token expires.
//!
//! Seen `jti`s go to a [`ReplayStore`]: by default [`MemoryReplayStore`] (one
//! process only); `hepatica serve` plugs in one backed by its database, so a
//! token is refused again after a restart and by every server sharing the
//! data folder. Either store has a capacity and a rate **per issuer**, so one
//! issuer that floods tokens is refused ([`AuthError::TooManyTokens`]) without
//! locking the others out.
//!
//! The verifier never reads the clock: the caller passes "now" (seconds since the epoch).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::SERVICE_ID;

/// Allowed clock skew, seconds.
pub const CLOCK_SKEW_SECS: u64 = 60;
/// Longest token lifetime accepted (`exp` - now), seconds.
pub const MAX_LIFETIME_SECS: u64 = 3600;
/// Most live `jti` values remembered per issuer (default).
pub const REPLAY_PER_ISSUER: u64 = 20_000;
/// Most new tokens accepted per issuer per minute (default).
pub const REPLAY_PER_ISSUER_PER_MINUTE: u64 = 1_200;
/// Longest `jti` accepted, bytes.
pub const MAX_JTI_BYTES: usize = 256;
/// Longest token accepted, bytes.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Which endpoint a token is for (its `aud`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET {base}/cds-services`.
    Discovery,
    /// `POST {base}/cds-services/liver-metastases-options`.
    Service,
    /// `POST {base}/cds-services/liver-metastases-options/feedback`.
    Feedback,
}

/// Why a request was not authenticated (HTTP 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    MissingToken,
    /// Not a well-formed JWT (or not a Bearer token).
    Malformed(String),
    /// `alg: none`.
    AlgNone,
    /// A symmetric (HMAC) algorithm.
    Hmac(String),
    /// Another algorithm we do not accept.
    AlgorithmNotAllowed(String),
    /// `typ` is not `JWT`.
    WrongType(String),
    /// No `kid` in the header.
    MissingKid,
    /// A `crit` header we do not understand.
    CriticalHeader,
    /// `iss` is not allow-listed.
    UnknownIssuer(String),
    /// `kid` is not in the issuer's JWK Set.
    UnknownKey(String),
    /// The key cannot be used with the token's algorithm.
    KeyAlgorithmMismatch(String),
    /// The signature does not verify.
    BadSignature,
    /// A required claim is missing or has the wrong type.
    MissingClaim(&'static str),
    /// `exp` is past.
    Expired,
    /// `iat` (or `nbf`) is in the future beyond the skew.
    NotYetValid,
    /// `exp` is too far in the future.
    LifetimeTooLong,
    /// `aud` does not name this endpoint.
    WrongAudience {
        /// The URL expected.
        expected: String,
    },
    /// The `jti` was already used.
    Replayed,
    /// This issuer has too many live tokens, or sent too many new ones this minute.
    TooManyTokens,
    /// The replay store failed (the token is refused: fail closed).
    ReplayStore(String),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::MissingToken => f.write_str("expected an Authorization: Bearer <JWT> header, got none"),
            AuthError::Malformed(m) => write!(f, "malformed bearer token: {m}"),
            AuthError::AlgNone => f.write_str("JWT alg \"none\" is never accepted"),
            AuthError::Hmac(a) => write!(f, "JWT alg {a} is symmetric (HMAC) and never accepted; sign with ES384 or RS384"),
            AuthError::AlgorithmNotAllowed(a) => {
                write!(f, "JWT alg {a} is not accepted; use ES384 or RS384 (ES256, RS256, PS256/384/512 also accepted)")
            }
            AuthError::WrongType(t) => write!(f, "JWT header typ must be \"JWT\", got {t}"),
            AuthError::MissingKid => f.write_str("JWT header has no kid; it is required to select the issuer's key"),
            AuthError::CriticalHeader => f.write_str("JWT header has crit extensions, which are not supported"),
            AuthError::UnknownIssuer(i) => write!(f, "issuer {i:?} is not in this server's trust file"),
            AuthError::UnknownKey(k) => write!(f, "kid {k:?} is not in the issuer's JWK Set in the trust file"),
            AuthError::KeyAlgorithmMismatch(m) => write!(f, "the key cannot verify this token: {m}"),
            AuthError::BadSignature => f.write_str("JWT signature does not verify with the issuer's key"),
            AuthError::MissingClaim(c) => write!(f, "JWT claim {c} is required"),
            AuthError::Expired => f.write_str("JWT has expired"),
            AuthError::NotYetValid => f.write_str("JWT is not valid yet (iat or nbf in the future)"),
            AuthError::LifetimeTooLong => write!(f, "JWT expires more than {MAX_LIFETIME_SECS} seconds from now"),
            AuthError::WrongAudience { expected } => write!(f, "JWT aud must be {expected:?}"),
            AuthError::Replayed => f.write_str("JWT jti was already used"),
            AuthError::TooManyTokens => f.write_str("too many tokens from this issuer; try again shortly"),
            AuthError::ReplayStore(_) => f.write_str("the token could not be checked for replay; try again shortly"),
        }
    }
}

impl std::error::Error for AuthError {}

/// A verified client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Issuer.
    pub iss: String,
    /// Key id used.
    pub kid: String,
    /// Token id.
    pub jti: String,
    /// `tenant` claim, if any.
    pub tenant: Option<String>,
    /// `jku` header as sent (recorded, never fetched).
    pub jku: Option<String>,
}

struct Key {
    decoding: DecodingKey,
    algorithms: Vec<Algorithm>,
}

/// Where seen token ids are kept until their tokens expire.
pub trait ReplayStore: Send + Sync {
    /// Records `(iss, jti)` until `expires_at`. `Err(Replayed)` if it was seen
    /// and has not expired; `Err(TooManyTokens)` over the issuer's capacity or rate.
    fn record(&self, iss: &str, jti: &str, expires_at: u64, now: u64) -> Result<(), AuthError>;
}

#[derive(Default)]
struct IssuerIds {
    ids: HashMap<String, u64>,
    /// Start of the current one-minute window, and new ids in it.
    window: u64,
    in_window: u64,
}

/// The in-process [`ReplayStore`], with a capacity and a rate per issuer.
pub struct MemoryReplayStore {
    per_issuer: u64,
    per_minute: u64,
    by_issuer: Mutex<HashMap<String, IssuerIds>>,
}

impl MemoryReplayStore {
    /// A store keeping at most `per_issuer` live ids and accepting `per_minute` new ids per issuer.
    pub fn new(per_issuer: u64, per_minute: u64) -> MemoryReplayStore {
        MemoryReplayStore { per_issuer, per_minute, by_issuer: Mutex::new(HashMap::new()) }
    }
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        MemoryReplayStore::new(REPLAY_PER_ISSUER, REPLAY_PER_ISSUER_PER_MINUTE)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn record(&self, iss: &str, jti: &str, expires_at: u64, now: u64) -> Result<(), AuthError> {
        let mut all = self.by_issuer.lock().unwrap_or_else(|p| p.into_inner());
        // Issuers are allow-listed, so this map is bounded by the trust file.
        let e = all.entry(iss.to_string()).or_default();
        if e.ids.get(jti).is_some_and(|&until| until > now) {
            return Err(AuthError::Replayed);
        }
        if e.ids.len() as u64 >= self.per_issuer {
            e.ids.retain(|_, until| *until > now);
            if e.ids.len() as u64 >= self.per_issuer {
                return Err(AuthError::TooManyTokens);
            }
        }
        if now >= e.window + 60 {
            e.window = now;
            e.in_window = 0;
        }
        if e.in_window >= self.per_minute {
            return Err(AuthError::TooManyTokens);
        }
        e.in_window += 1;
        e.ids.insert(jti.to_string(), expires_at);
        Ok(())
    }
}

/// Verifies bearer tokens against a trust file.
pub struct Verifier {
    base_url: String,
    issuers: HashMap<String, HashMap<String, Key>>,
    replay: RwLock<Arc<dyn ReplayStore>>,
    /// Keys skipped while loading (unsupported type, no kid), for the operator's log.
    pub notes: Vec<String>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier").field("base_url", &self.base_url).field("issuers", &self.issuers.keys().collect::<Vec<_>>()).finish()
    }
}

const ALLOWED: [Algorithm; 7] =
    [Algorithm::ES384, Algorithm::RS384, Algorithm::ES256, Algorithm::RS256, Algorithm::PS256, Algorithm::PS384, Algorithm::PS512];

impl Verifier {
    /// Loads a trust document; refuses symmetric keys and issuers without a usable key.
    pub fn from_json(trust: &Value) -> Result<Verifier, String> {
        let base_url =
            trust.get("base_url").and_then(Value::as_str).ok_or("expected a string \"base_url\"")?.trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(format!("base_url: expected an http(s) URL, got {base_url:?}"));
        }
        let list = trust.get("issuers").and_then(Value::as_array).ok_or("expected an array \"issuers\"")?;
        let mut issuers = HashMap::new();
        let mut notes = Vec::new();
        for (i, entry) in list.iter().enumerate() {
            let iss = entry.get("iss").and_then(Value::as_str).ok_or(format!("issuers[{i}]: expected a string \"iss\""))?;
            let keys = entry
                .get("jwks")
                .and_then(|j| j.get("keys"))
                .and_then(Value::as_array)
                .ok_or(format!("issuers[{i}]: expected \"jwks\": {{ \"keys\": [...] }}"))?;
            let mut map = HashMap::new();
            for (j, k) in keys.iter().enumerate() {
                let at = format!("issuers[{i}].jwks.keys[{j}]");
                if k.get("kty").and_then(Value::as_str) == Some("oct") {
                    return Err(format!("{at}: symmetric (oct) keys are not allowed: CDS Hooks forbids HMAC"));
                }
                let Some(kid) = k.get("kid").and_then(Value::as_str) else {
                    notes.push(format!("{at}: no kid; skipped (kid is required to select a key)"));
                    continue;
                };
                let jwk: Jwk = match serde_json::from_value(k.clone()) {
                    Ok(j) => j,
                    Err(e) => {
                        notes.push(format!("{at} ({kid}): not a usable JWK ({e}); skipped"));
                        continue;
                    }
                };
                match key_from_jwk(&jwk) {
                    Ok(key) => {
                        map.insert(kid.to_string(), key);
                    }
                    Err(why) => notes.push(format!("{at} ({kid}): {why}; skipped")),
                }
            }
            if map.is_empty() {
                return Err(format!(
                    "issuers[{i}] ({iss}): no usable public key (EC P-256/P-384 or RSA of 2048 bits or more, each with a kid)"
                ));
            }
            issuers.insert(iss.to_string(), map);
        }
        Ok(Verifier { base_url, issuers, replay: RwLock::new(Arc::new(MemoryReplayStore::default())), notes })
    }

    /// The public base URL from the trust file (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The exact URL a token for `ep` must name in `aud`.
    pub fn endpoint_url(&self, ep: Endpoint) -> String {
        match ep {
            Endpoint::Discovery => format!("{}/cds-services", self.base_url),
            Endpoint::Service => format!("{}/cds-services/{SERVICE_ID}", self.base_url),
            Endpoint::Feedback => format!("{}/cds-services/{SERVICE_ID}/feedback", self.base_url),
        }
    }

    /// Keeps seen token ids in `store` from now on (e.g. the server's database).
    pub fn use_replay_store(&self, store: Arc<dyn ReplayStore>) {
        *self.replay.write().unwrap_or_else(|p| p.into_inner()) = store;
    }

    /// Verifies the `Authorization` header value for `ep` at time `now` (seconds since the epoch).
    pub fn verify(&self, authorization: Option<&str>, ep: Endpoint, now: u64) -> Result<Client, AuthError> {
        let header = authorization.map(str::trim).filter(|h| !h.is_empty()).ok_or(AuthError::MissingToken)?;
        let (scheme, token) = header.split_once(' ').ok_or_else(|| AuthError::Malformed("expected \"Bearer <token>\"".into()))?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::Malformed(format!("expected the Bearer scheme, got {scheme:?}")));
        }
        let token = token.trim();
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::Malformed(format!("token longer than {MAX_TOKEN_BYTES} bytes")));
        }
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 || parts[0].is_empty() || parts[1].is_empty() {
            return Err(AuthError::Malformed("expected three base64url parts separated by dots".into()));
        }
        let head = decode_json(parts[0]).map_err(|e| AuthError::Malformed(format!("header: {e}")))?;
        let claims = decode_json(parts[1]).map_err(|e| AuthError::Malformed(format!("payload: {e}")))?;

        // Header.
        let alg_name = head.get("alg").and_then(Value::as_str).ok_or_else(|| AuthError::Malformed("header has no alg".into()))?;
        if alg_name.eq_ignore_ascii_case("none") {
            return Err(AuthError::AlgNone);
        }
        if alg_name.to_ascii_uppercase().starts_with("HS") {
            return Err(AuthError::Hmac(alg_name.to_string()));
        }
        let alg = ALLOWED
            .iter()
            .copied()
            .find(|a| format!("{a:?}") == alg_name)
            .ok_or_else(|| AuthError::AlgorithmNotAllowed(alg_name.to_string()))?;
        match head.get("typ").and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case("JWT") => {}
            Some(t) => return Err(AuthError::WrongType(format!("{t:?}"))),
            None => return Err(AuthError::WrongType("nothing".into())),
        }
        if head.get("crit").is_some() {
            return Err(AuthError::CriticalHeader);
        }
        let kid = head.get("kid").and_then(Value::as_str).filter(|k| !k.is_empty()).ok_or(AuthError::MissingKid)?;

        // Key by (iss, kid); `jku`/`jwk`/`x5u` in the header are ignored.
        let iss = claims.get("iss").and_then(Value::as_str).ok_or(AuthError::MissingClaim("iss"))?;
        let keys = self.issuers.get(iss).ok_or_else(|| AuthError::UnknownIssuer(iss.to_string()))?;
        let key = keys.get(kid).ok_or_else(|| AuthError::UnknownKey(kid.to_string()))?;
        if !key.algorithms.contains(&alg) {
            return Err(AuthError::KeyAlgorithmMismatch(format!("key {kid:?} is for {:?}, the token says {alg_name}", key.algorithms)));
        }

        // Signature (claims are checked below against our own clock).
        let mut validation = Validation::new(alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        jsonwebtoken::decode::<Value>(token, &key.decoding, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => AuthError::BadSignature,
            jsonwebtoken::errors::ErrorKind::InvalidEcdsaKey
            | jsonwebtoken::errors::ErrorKind::InvalidRsaKey(_)
            | jsonwebtoken::errors::ErrorKind::InvalidKeyFormat
            | jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => AuthError::KeyAlgorithmMismatch(e.to_string()),
            _ => AuthError::BadSignature,
        })?;

        // Claims.
        let exp = claims.get("exp").and_then(Value::as_u64).ok_or(AuthError::MissingClaim("exp"))?;
        let iat = claims.get("iat").and_then(Value::as_u64).ok_or(AuthError::MissingClaim("iat"))?;
        if exp.saturating_add(CLOCK_SKEW_SECS) <= now {
            return Err(AuthError::Expired);
        }
        if iat > now.saturating_add(CLOCK_SKEW_SECS) {
            return Err(AuthError::NotYetValid);
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = nbf.as_u64().ok_or(AuthError::MissingClaim("nbf (as a number)"))?;
            if nbf > now.saturating_add(CLOCK_SKEW_SECS) {
                return Err(AuthError::NotYetValid);
            }
        }
        if exp > now.saturating_add(MAX_LIFETIME_SECS + CLOCK_SKEW_SECS) {
            return Err(AuthError::LifetimeTooLong);
        }
        let expected = self.endpoint_url(ep);
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => *a == expected,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(expected.as_str())),
            None => return Err(AuthError::MissingClaim("aud")),
            Some(_) => false,
        };
        if !aud_ok {
            return Err(AuthError::WrongAudience { expected });
        }
        let jti = claims.get("jti").and_then(Value::as_str).filter(|j| !j.is_empty()).ok_or(AuthError::MissingClaim("jti"))?;

        if jti.len() > MAX_JTI_BYTES {
            return Err(AuthError::Malformed(format!("jti longer than {MAX_JTI_BYTES} bytes")));
        }

        // Replay: remember (iss, jti) until the token could no longer be accepted.
        let store = self.replay.read().unwrap_or_else(|p| p.into_inner()).clone();
        store.record(iss, jti, exp.saturating_add(CLOCK_SKEW_SECS), now)?;
        Ok(Client {
            iss: iss.to_string(),
            kid: kid.to_string(),
            jti: jti.to_string(),
            tenant: claims.get("tenant").and_then(Value::as_str).map(str::to_string),
            jku: head.get("jku").and_then(Value::as_str).map(str::to_string),
        })
    }
}

fn decode_json(part: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).map_err(|e| format!("not base64url ({e})"))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("not JSON ({e})"))?;
    if v.is_object() { Ok(v) } else { Err("not a JSON object".into()) }
}

fn key_from_jwk(jwk: &Jwk) -> Result<Key, String> {
    let algorithms: Vec<Algorithm> = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P384 => vec![Algorithm::ES384],
            EllipticCurve::P256 => vec![Algorithm::ES256],
            ref other => return Err(format!("EC curve {other:?} is not supported")),
        },
        AlgorithmParameters::RSA(p) => {
            let n = URL_SAFE_NO_PAD.decode(p.n.trim_end_matches('=')).map_err(|e| format!("RSA n is not base64url ({e})"))?;
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            if bits < 2048 {
                return Err(format!("RSA key of {bits} bits is too short (2048 at least)"));
            }
            vec![Algorithm::RS384, Algorithm::RS256, Algorithm::PS256, Algorithm::PS384, Algorithm::PS512]
        }
        AlgorithmParameters::OctetKey(_) => return Err("symmetric keys are not allowed".into()),
        _ => return Err("key type not supported (use EC P-384 or RSA)".into()),
    };
    // A JWK that names its algorithm is used for that algorithm only.
    let algorithms = match jwk.common.key_algorithm.as_ref().map(|a| format!("{a:?}")) {
        Some(named) => {
            let a: Vec<Algorithm> = algorithms.into_iter().filter(|x| format!("{x:?}") == named).collect();
            if a.is_empty() {
                return Err(format!("alg {named} does not fit the key type, or is not accepted"));
            }
            a
        }
        None => algorithms,
    };
    let decoding = DecodingKey::from_jwk(jwk).map_err(|e| format!("not a usable public key ({e})"))?;
    Ok(Key { decoding, algorithms })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_issuer_flooding_tokens_does_not_lock_out_another() {
        let store = MemoryReplayStore::new(3, 100);
        for i in 0..3 {
            assert_eq!(store.record("flood", &format!("j{i}"), 2_000, 1_000), Ok(()));
        }
        assert_eq!(store.record("flood", "j3", 2_000, 1_000), Err(AuthError::TooManyTokens));
        assert_eq!(store.record("ehr", "j0", 2_000, 1_000), Ok(()), "another issuer still gets in");
        assert_eq!(store.record("ehr", "j0", 2_000, 1_001), Err(AuthError::Replayed));
        // Expired ids make room again.
        assert_eq!(store.record("flood", "j4", 3_000, 2_000), Ok(()));
        // Rate per issuer and minute.
        let store = MemoryReplayStore::new(1_000, 2);
        assert_eq!(store.record("fast", "a", 9_000, 100), Ok(()));
        assert_eq!(store.record("fast", "b", 9_000, 110), Ok(()));
        assert_eq!(store.record("fast", "c", 9_000, 120), Err(AuthError::TooManyTokens));
        assert_eq!(store.record("slow", "c", 9_000, 120), Ok(()));
        assert_eq!(store.record("fast", "c", 9_000, 161), Ok(()), "a new minute");
    }
}
