//! CDS Hooks client authentication: every rejection, and the accepted shapes.
//!
//! Keys are generated here, for tests only: a P-384 key from a fixed test
//! scalar and an RSA-2048 key from the OS RNG. No private key is committed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hepatica_fhir::cds::auth::{AuthError, Endpoint, Verifier};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p384::elliptic_curve::sec1::ToEncodedPoint;
use p384::pkcs8::EncodePrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

const BASE: &str = "http://127.0.0.1:8080";
const ISS: &str = "https://sandbox.cds-hooks.org";
const KID: &str = "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f";
const NOW: u64 = 1_800_000_000;

struct EcKey {
    encoding: EncodingKey,
    jwk: Value,
    sec1: Vec<u8>,
}

/// A TEST-ONLY P-384 key from a fixed scalar (never use outside tests).
fn ec_key(seed: u8, kid: &str) -> EcKey {
    let secret = p384::SecretKey::from_slice(&[seed; 48]).expect("valid test scalar");
    let der = secret.to_pkcs8_der().expect("pkcs8");
    let point = secret.public_key().to_encoded_point(false);
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    EcKey {
        encoding: EncodingKey::from_ec_der(der.as_bytes()),
        jwk: json!({ "kty": "EC", "crv": "P-384", "kid": kid, "use": "sig", "alg": "ES384",
                     "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")) }),
        sec1: point.as_bytes().to_vec(),
    }
}

fn rsa_key(kid: &str) -> (EncodingKey, Value) {
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("rsa keygen");
    let der = key.to_pkcs1_der().expect("pkcs1");
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    (
        EncodingKey::from_rsa_der(der.as_bytes()),
        json!({ "kty": "RSA", "kid": kid, "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be()) }),
    )
}

fn verifier(jwks: Vec<Value>) -> Verifier {
    Verifier::from_json(&json!({ "base_url": BASE, "issuers": [ { "iss": ISS, "jwks": { "keys": jwks } } ] })).expect("trust file")
}

fn claims(aud: &str) -> Value {
    json!({ "iss": ISS, "aud": aud, "exp": NOW + 300, "iat": NOW, "jti": "b5a1b0a4-6b43-4c38-9a6f-0000000000aa" })
}

fn header(alg: Algorithm, kid: Option<&str>) -> Header {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_string);
    h.jku = Some("https://sandbox.cds-hooks.org/.well-known/jwks.json".into());
    h
}

fn sign(key: &EncodingKey, h: &Header, c: &Value) -> String {
    format!("Bearer {}", jsonwebtoken::encode(h, c, key).expect("sign"))
}

fn service_aud() -> String {
    format!("{BASE}/cds-services/liver-metastases-options")
}

fn raw_token(h: &Value, c: &Value, sig: &str) -> String {
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
    format!("Bearer {}.{}.{sig}", b64(h), b64(c))
}

#[test]
fn accepts_a_sandbox_style_es384_token_for_each_endpoint() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    for (ep, path) in [
        (Endpoint::Discovery, "/cds-services"),
        (Endpoint::Service, "/cds-services/liver-metastases-options"),
        (Endpoint::Feedback, "/cds-services/liver-metastases-options/feedback"),
    ] {
        let mut c = claims(&format!("{BASE}{path}"));
        c["jti"] = json!(format!("jti-{path}"));
        let client = v.verify(Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), ep, NOW).expect("accepted");
        assert_eq!(client.iss, ISS);
        assert_eq!(client.kid, KID);
        assert_eq!(client.jku.as_deref(), Some("https://sandbox.cds-hooks.org/.well-known/jwks.json"));
    }
}

#[test]
fn accepts_rs384_and_an_audience_array() {
    let (enc, jwk) = rsa_key("rsa-1");
    let v = verifier(vec![jwk]);
    let mut c = claims("unused");
    c["aud"] = json!(["https://other.example/cds-services", service_aud()]);
    assert!(v.verify(Some(&sign(&enc, &header(Algorithm::RS384, Some("rsa-1")), &c)), Endpoint::Service, NOW).is_ok());
}

fn reject(v: &Verifier, token: Option<&str>, ep: Endpoint) -> AuthError {
    v.verify(token, ep, NOW).expect_err("must be rejected")
}

#[test]
fn rejects_a_missing_token() {
    let v = verifier(vec![ec_key(7, KID).jwk]);
    assert_eq!(reject(&v, None, Endpoint::Service), AuthError::MissingToken);
    assert_eq!(reject(&v, Some("  "), Endpoint::Service), AuthError::MissingToken);
}

#[test]
fn rejects_alg_none() {
    let v = verifier(vec![ec_key(7, KID).jwk]);
    let t = raw_token(&json!({ "alg": "none", "typ": "JWT", "kid": KID }), &claims(&service_aud()), "");
    assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::AlgNone);
    let t = raw_token(&json!({ "alg": "None", "typ": "JWT", "kid": KID }), &claims(&service_aud()), "");
    assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::AlgNone);
}

#[test]
fn rejects_hmac_signed_with_the_public_key() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    for secret in [k.sec1.clone(), serde_json::to_vec(&k.jwk).expect("json")] {
        let t = sign(&EncodingKey::from_secret(&secret), &header(Algorithm::HS384, Some(KID)), &claims(&service_aud()));
        assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::Hmac("HS384".into()));
    }
    let t = sign(&EncodingKey::from_secret(&k.sec1), &header(Algorithm::HS256, Some(KID)), &claims(&service_aud()));
    assert!(matches!(reject(&v, Some(&t), Endpoint::Service), AuthError::Hmac(_)));
}

#[test]
fn rejects_expired_tokens_beyond_the_skew() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    let mut c = claims(&service_aud());
    c["iat"] = json!(NOW - 600);
    c["exp"] = json!(NOW - 61);
    assert_eq!(reject(&v, Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), Endpoint::Service), AuthError::Expired);
    // within the 60 s skew: accepted
    c["exp"] = json!(NOW - 30);
    c["jti"] = json!("skew-ok");
    assert!(v.verify(Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), Endpoint::Service, NOW).is_ok());
}

#[test]
fn rejects_tokens_issued_in_the_future() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    let mut c = claims(&service_aud());
    c["iat"] = json!(NOW + 120);
    c["exp"] = json!(NOW + 400);
    assert_eq!(reject(&v, Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), Endpoint::Service), AuthError::NotYetValid);
    let mut c = claims(&service_aud());
    c["nbf"] = json!(NOW + 120);
    assert_eq!(reject(&v, Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), Endpoint::Service), AuthError::NotYetValid);
}

#[test]
fn rejects_tokens_that_live_too_long() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    let mut c = claims(&service_aud());
    c["exp"] = json!(NOW + 86_400);
    assert_eq!(
        reject(&v, Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), Endpoint::Service),
        AuthError::LifetimeTooLong
    );
}

#[test]
fn rejects_the_wrong_audience() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    // a discovery token used on the service endpoint
    let t = sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &claims(&format!("{BASE}/cds-services")));
    assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::WrongAudience { expected: service_aud() });
    // a trailing slash is a different URL
    let t = sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &claims(&format!("{}/", service_aud())));
    assert!(matches!(reject(&v, Some(&t), Endpoint::Service), AuthError::WrongAudience { .. }));
    let mut c = claims(&service_aud());
    c.as_object_mut().expect("obj").remove("aud");
    assert_eq!(
        reject(&v, Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), Endpoint::Service),
        AuthError::MissingClaim("aud")
    );
}

#[test]
fn rejects_an_unknown_issuer() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    let mut c = claims(&service_aud());
    c["iss"] = json!("https://evil.example");
    assert_eq!(
        reject(&v, Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), Endpoint::Service),
        AuthError::UnknownIssuer("https://evil.example".into())
    );
}

#[test]
fn rejects_an_unknown_or_missing_kid() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    let t = sign(&k.encoding, &header(Algorithm::ES384, Some("other-kid")), &claims(&service_aud()));
    assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::UnknownKey("other-kid".into()));
    let t = sign(&k.encoding, &header(Algorithm::ES384, None), &claims(&service_aud()));
    assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::MissingKid);
}

#[test]
fn rejects_a_token_signed_by_another_key() {
    let trusted = ec_key(7, KID);
    let attacker = ec_key(9, KID);
    let v = verifier(vec![trusted.jwk]);
    let t = sign(&attacker.encoding, &header(Algorithm::ES384, Some(KID)), &claims(&service_aud()));
    assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::BadSignature);
    // an RS384 token against an EC key id
    let (rsa_enc, _) = rsa_key("rsa-x");
    let t = sign(&rsa_enc, &header(Algorithm::RS384, Some(KID)), &claims(&service_aud()));
    assert!(matches!(reject(&v, Some(&t), Endpoint::Service), AuthError::KeyAlgorithmMismatch(_)));
}

#[test]
fn rejects_missing_required_claims() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    for claim in ["jti", "exp", "iat", "iss"] {
        let mut c = claims(&service_aud());
        c.as_object_mut().expect("obj").remove(claim);
        let err = reject(&v, Some(&sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c)), Endpoint::Service);
        assert!(matches!(err, AuthError::MissingClaim(x) if x == claim), "{claim}: {err:?}");
    }
}

#[test]
fn rejects_a_replayed_jti_until_it_expires() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    let t = sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &claims(&service_aud()));
    assert!(v.verify(Some(&t), Endpoint::Service, NOW).is_ok());
    assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::Replayed);
    // another token with the same jti is a replay too
    let mut c = claims(&service_aud());
    c["iat"] = json!(NOW + 1);
    let t2 = sign(&k.encoding, &header(Algorithm::ES384, Some(KID)), &c);
    assert_eq!(v.verify(Some(&t2), Endpoint::Service, NOW + 1), Err(AuthError::Replayed));
}

#[test]
fn rejects_malformed_tokens() {
    let k = ec_key(7, KID);
    let v = verifier(vec![k.jwk.clone()]);
    for t in [
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-jwt",
        "Bearer a.b",
        "Bearer !!!.@@@.###",
        "Bearer e30.e30.",
        "Bearer bm90IGpzb24.e30.sig",
    ] {
        let err = reject(&v, Some(t), Endpoint::Service);
        assert!(matches!(err, AuthError::Malformed(_)), "{t}: {err:?}");
    }
    // a header without typ
    let mut h = header(Algorithm::ES384, Some(KID));
    h.typ = None;
    assert!(matches!(reject(&v, Some(&sign(&k.encoding, &h, &claims(&service_aud()))), Endpoint::Service), AuthError::WrongType(_)));
    // crit headers are refused
    let t = raw_token(&json!({ "alg": "ES384", "typ": "JWT", "kid": KID, "crit": ["exp"] }), &claims(&service_aud()), "AAAA");
    assert_eq!(reject(&v, Some(&t), Endpoint::Service), AuthError::CriticalHeader);
    // other algorithms
    let t = raw_token(&json!({ "alg": "EdDSA", "typ": "JWT", "kid": KID }), &claims(&service_aud()), "AAAA");
    assert!(matches!(reject(&v, Some(&t), Endpoint::Service), AuthError::AlgorithmNotAllowed(_)));
}

#[test]
fn the_trust_file_refuses_symmetric_keys_and_empty_issuers() {
    let oct =
        json!({ "base_url": BASE, "issuers": [ { "iss": ISS, "jwks": { "keys": [ { "kty": "oct", "kid": "h", "k": "c2VjcmV0" } ] } } ] });
    assert!(Verifier::from_json(&oct).expect_err("oct").contains("symmetric"));
    let none = json!({ "base_url": BASE, "issuers": [ { "iss": ISS, "jwks": { "keys": [] } } ] });
    assert!(Verifier::from_json(&none).is_err());
    let no_base = json!({ "issuers": [] });
    assert!(Verifier::from_json(&no_base).is_err());
    let v = verifier(vec![ec_key(7, KID).jwk]);
    assert_eq!(v.endpoint_url(Endpoint::Feedback), format!("{BASE}/cds-services/liver-metastases-options/feedback"));
}
