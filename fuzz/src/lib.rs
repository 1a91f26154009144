//! Fuzz target bodies for every parser that takes outside input, as plain functions.
//!
//! Each target takes arbitrary bytes and must never panic; where cheap, it also
//! checks an invariant of the parser's output (a valid case assesses to nine
//! sourced options; a batch never drops a line silently; an HTTP client error
//! is a 4xx, never a 5xx). A panic is a bug: the input becomes a regression
//! test in the owning crate.
//!
//! The same functions are driven two ways:
//! - by libFuzzer, through the thin wrappers in `fuzz_targets/` (nightly,
//!   `cargo +nightly fuzz run <target>`, `scripts/fuzz-long.sh`);
//! - by [`smoke`], a deterministic mutation loop over the seed corpus that
//!   builds on stable (`examples/smoke.rs`, `scripts/fuzz-smoke.sh`, in CI).
//!
//! This crate does no file I/O except in [`smoke::load_corpus`] and holds no
//! clinical logic.

pub mod smoke;

use std::io::Cursor;
use std::sync::OnceLock;

use hepatica_engine::{Assessment, Audience, FieldError, assess, case_from_json};
use hepatica_knowledge::Knowledge;
use serde_json::{Value, json};

/// One fuzz target: its name (= `fuzz_targets/<name>.rs` and `corpus/<name>/`) and body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, in the order the smoke run takes them.
pub const TARGETS: &[Target] = &[
    ("case_json", case_json),
    ("fhir_bundle", fhir_bundle),
    ("cds_request", cds_request),
    ("cds_feedback", cds_feedback),
    ("cds_token", cds_token),
    ("ndjson_batch", ndjson_batch),
    ("drug_query", drug_query),
    ("ask_query", ask_query),
    ("form_post", form_post),
    ("http_post", http_post),
    ("strict_json", strict_json),
];

fn kb() -> &'static Knowledge {
    Knowledge::embedded()
}

/// Checks what every assessment must satisfy, whatever the input.
fn check_assessment(a: &Assessment) {
    assert_eq!(a.options.len(), 9, "nine options");
    for o in &a.options {
        for r in &o.reasons {
            assert!(!r.sources.is_empty(), "{}: unsourced reason", o.treatment);
            for s in &r.sources {
                assert!(a.sources.iter().any(|x| &x.id == s), "{}: source {s} not listed", o.treatment);
            }
        }
        if o.treatment == "supportive_care" {
            assert_ne!(o.suitability, hepatica_engine::Suitability::Unlikely, "supportive care is never unlikely");
        }
    }
}

fn check_errors(errors: &[FieldError]) {
    assert!(!errors.is_empty(), "an error result names at least one problem");
    assert!(errors.len() <= hepatica_engine::parse::MAX_ERRORS + 1, "errors are capped: {}", errors.len());
    for e in errors {
        assert!(e.pointer.is_empty() || e.pointer.starts_with('/'), "pointer {:?}", e.pointer);
        assert!(!e.detail.is_empty(), "empty detail at {:?}", e.pointer);
    }
}

/// Case JSON (contract section 2): `case_from_json`, then `assess` in both wordings.
pub fn case_json(data: &[u8]) {
    match case_from_json(data) {
        Ok(case) => {
            for audience in [Audience::Patient, Audience::Clinician] {
                let a = assess(kb(), &case, audience);
                check_assessment(&a);
                serde_json::to_vec(&a).expect("an assessment always serialises");
            }
        }
        Err(errors) => check_errors(&errors),
    }
}

/// The strict JSON reader behind every Case (`hepatica_engine::parse::json_from_slice`):
/// it agrees with serde_json on every document without a repeated key, and
/// a repeated key it reports is really there (its parent object exists).
pub fn strict_json(data: &[u8]) {
    use hepatica_engine::parse::{JsonError, json_from_slice};
    let text = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let loose = serde_json::from_slice::<Value>(text);
    match json_from_slice(data) {
        Ok(v) => assert_eq!(Some(&v), loose.as_ref().ok(), "strict and serde_json agree"),
        Err(JsonError::Syntax(_)) => assert!(loose.is_err(), "strict refused what serde_json reads, without a repeated key"),
        Err(JsonError::OutOfRange { pointer }) => {
            assert!(loose.is_err(), "{pointer}: serde_json refuses a number too large to read as well")
        }
        Err(JsonError::DuplicateKey { pointer }) => {
            let v = loose.expect("a repeated key is only reported in valid JSON");
            let parent = &pointer[..pointer.rfind('/').expect("pointer has a key")];
            assert!(v.pointer(parent).is_some_and(Value::is_object), "{pointer}: parent is an object");
            assert!(v.pointer(&pointer).is_some(), "{pointer}: the key is there");
        }
    }
}

/// A FHIR R4 Bundle: `hepatica_fhir::map_bundle`, then `assess`.
pub fn fhir_bundle(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    // A fixed day, so a run is reproducible (ages count to it).
    match hepatica_fhir::map_bundle(&value, kb(), &hepatica_fhir::MapOptions::on("2026-12-01")) {
        Ok(mapped) => {
            let mut a = assess(kb(), &mapped.case, Audience::Clinician);
            a.input_warnings.extend(mapped.warnings);
            check_assessment(&a);
            serde_json::to_vec(&a).expect("serialises");
        }
        Err(errors) => check_errors(&errors),
    }
}

/// A CDS Hooks `patient-view` request body: `cds::service::call`.
pub fn cds_request(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    match hepatica_fhir::cds::service::call(&value, kb(), "http://127.0.0.1:8080") {
        Ok(resp) => {
            for card in &resp.cards {
                assert!(card.summary.chars().count() <= hepatica_fhir::cds::service::MAX_SUMMARY_CHARS, "summary too long");
            }
            serde_json::to_vec(&resp).expect("serialises");
        }
        Err(e) => {
            let status = e.status();
            assert!((400..500).contains(&status), "a bad CDS request is a 4xx, got {status}");
        }
    }
}

/// A CDS Hooks feedback body: `cds::feedback::parse`.
pub fn cds_feedback(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    if let Err(errors) = hepatica_fhir::cds::feedback::parse(&value) {
        check_errors(&errors);
    }
}

/// A fixed, TEST-ONLY P-384 key: the verifier trusts its public half.
struct TokenKit {
    verifier: hepatica_fhir::cds::auth::Verifier,
    encoding: jsonwebtoken::EncodingKey,
}

const ISS: &str = "https://fuzz.example";
const KID: &str = "fuzz-key";
const NOW: u64 = 1_800_000_000;

fn token_kit() -> &'static TokenKit {
    static KIT: OnceLock<TokenKit> = OnceLock::new();
    KIT.get_or_init(|| {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use p384::elliptic_curve::sec1::ToEncodedPoint;
        use p384::pkcs8::EncodePrivateKey;
        let secret = p384::SecretKey::from_slice(&[7u8; 48]).expect("valid test scalar");
        let der = secret.to_pkcs8_der().expect("pkcs8");
        let point = secret.public_key().to_encoded_point(false);
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let jwk = json!({ "kty": "EC", "crv": "P-384", "kid": KID, "alg": "ES384",
                          "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")) });
        let trust = json!({ "base_url": "http://127.0.0.1:8080", "issuers": [ { "iss": ISS, "jwks": { "keys": [jwk] } } ] });
        TokenKit {
            verifier: hepatica_fhir::cds::auth::Verifier::from_json(&trust).expect("trust"),
            encoding: jsonwebtoken::EncodingKey::from_ec_der(der.as_bytes()),
        }
    })
}

/// CDS Hooks bearer tokens: `cds::auth::Verifier::verify`.
///
/// The first byte picks a mode: the raw `Authorization` header; claims JSON
/// signed with the trusted key (so claim checks are reached past the
/// signature); or a header JSON with fixed claims and a junk signature.
pub fn cds_token(data: &[u8]) {
    use hepatica_fhir::cds::auth::Endpoint;
    let Some((&mode, rest)) = data.split_first() else { return };
    let kit = token_kit();
    let text = String::from_utf8_lossy(rest);
    let ep = [Endpoint::Discovery, Endpoint::Service, Endpoint::Feedback][usize::from(mode / 3) % 3];
    match mode % 3 {
        0 => {
            let _ = kit.verifier.verify(Some(&text), ep, NOW);
        }
        1 => {
            let Ok(claims) = serde_json::from_str::<Value>(&text) else { return };
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES384);
            header.kid = Some(KID.into());
            let Ok(token) = jsonwebtoken::encode(&header, &claims, &kit.encoding) else { return };
            let first = kit.verifier.verify(Some(&format!("Bearer {token}")), ep, NOW);
            if first.is_ok() {
                // The same token twice is a replay, always.
                let again = kit.verifier.verify(Some(&format!("Bearer {token}")), ep, NOW);
                assert!(again.is_err(), "a replayed token was accepted");
            }
        }
        _ => {
            use base64::Engine;
            use base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let claims = json!({ "iss": ISS, "aud": kit.verifier.endpoint_url(ep), "exp": NOW + 60, "iat": NOW, "jti": "j" });
            let token = format!(
                "Bearer {}.{}.{}",
                URL_SAFE_NO_PAD.encode(text.as_bytes()),
                URL_SAFE_NO_PAD.encode(claims.to_string()),
                URL_SAFE_NO_PAD.encode(b"not a signature")
            );
            assert!(kit.verifier.verify(Some(&token), ep, NOW).is_err(), "an unsigned token was accepted");
        }
    }
}

/// NDJSON batch input: line splitting (`lines::ChunkReader`), `pipeline::parse_line`,
/// and the whole pipeline, checking that every non-blank line is either
/// written or reported (never silently dropped) and output keeps input order.
pub fn ndjson_batch(data: &[u8]) {
    use hepatica_batch::lines::{Body, ChunkReader};
    // Small chunks so that chunk edges are exercised.
    let mut reader = ChunkReader::new(Cursor::new(data), 3, 64);
    let mut last = 0u64;
    let mut non_blank = 0u64;
    let mut ids = Vec::new();
    while let Ok(Some(chunk)) = reader.next_chunk() {
        for line in &chunk.lines {
            assert!(line.number > last, "line numbers increase");
            last = line.number;
            non_blank += 1;
            let body = match &line.body {
                Body::Text(r) => Ok(chunk.text(r)),
                Body::TooLong(n) => Err(*n),
            };
            if let Ok(case) = hepatica_batch::pipeline::parse_line(body) {
                ids.push(case.id.clone().unwrap_or_default());
            }
        }
    }
    let opts = hepatica_batch::Options { threads: Some(1), chunk_lines: 2, chunk_bytes: 256, ..Default::default() };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let tally = hepatica_batch::pipeline::process_ndjson(kb(), Cursor::new(data), &mut out, &mut err, &opts, &hepatica_batch::NoProgress)
        .expect("in-memory batch cannot fail to write");
    let out_lines: Vec<&[u8]> = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    let err_lines = err.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() as u64;
    assert_eq!(out_lines.len() as u64 + err_lines, non_blank, "every non-blank line is written or reported");
    assert_eq!(tally.valid + tally.invalid, non_blank, "the tally counts every line");
    for (line, id) in out_lines.iter().zip(&ids) {
        let v: Value = serde_json::from_slice(line).expect("output lines are JSON");
        assert_eq!(v["case_id"].as_str(), Some(id.as_str()), "output in input order");
    }
}

fn drug_index() -> &'static hepatica_search::drugs::DrugIndex {
    static IDX: OnceLock<hepatica_search::drugs::DrugIndex> = OnceLock::new();
    IDX.get_or_init(|| hepatica_search::drugs::DrugIndex::new(kb()))
}

fn ask_index() -> &'static hepatica_search::ask::AskIndex {
    static IDX: OnceLock<hepatica_search::ask::AskIndex> = OnceLock::new();
    IDX.get_or_init(|| hepatica_search::ask::AskIndex::build(kb()).expect("the ask index builds"))
}

/// A drug look-up query: `DrugIndex::lookup`.
pub fn drug_query(data: &[u8]) {
    let q = String::from_utf8_lossy(data);
    let r = drug_index().lookup(&q, 10);
    assert!(r.matches.len() <= 10, "limit respected");
}

/// A question: `AskIndex::search`.
pub fn ask_query(data: &[u8]) {
    let q = String::from_utf8_lossy(data);
    let r = ask_index().search(&q, 10);
    assert!(r.results.len() <= 10, "limit respected");
}

/// A posted questionnaire (`application/x-www-form-urlencoded`): the form → Case parser.
pub fn form_post(data: &[u8]) {
    use hepatica_server::form::{Answers, Wording, to_case};
    let pairs: Vec<(String, String)> = form_urlencoded::parse(data).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let answers = Answers::new(pairs);
    for wording in [Wording::Patient, Wording::Clinician] {
        match to_case(&answers, wording) {
            Ok(case) => check_assessment(&assess(kb(), &case, Audience::Patient)),
            Err(problems) => assert!(!problems.is_empty(), "a refused form names a problem"),
        }
    }
}

struct Http {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
}

fn http() -> &'static Http {
    static HTTP: OnceLock<Http> = OnceLock::new();
    HTTP.get_or_init(|| Http {
        rt: tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime"),
        app: hepatica_server::router(hepatica_server::AppState::for_tests()),
    })
}

/// Routes that take a body, with the content type a well-behaved client sends.
const POST_ROUTES: &[(&str, &str)] = &[
    ("/api/v1/assess", "application/json"),
    ("/api/v1/assess?audience=clinician", "application/json"),
    ("/api/v1/assess/fhir", "application/fhir+json"),
    ("/results", "application/x-www-form-urlencoded"),
    ("/clinician", "application/x-www-form-urlencoded"),
    ("/check", "application/x-www-form-urlencoded"),
    ("/feedback", "application/x-www-form-urlencoded"),
    ("/cds-services/liver-metastases-options", "application/json"),
    ("/api/v1/assess", "text/plain"),
    ("/results", "application/json"),
];

/// The whole HTTP stack (router and layers, in process): the first byte picks
/// a route and content type, the rest is the body. Bad input is never a 5xx,
/// and every API client error is `application/problem+json`.
pub fn http_post(data: &[u8]) {
    use tower::ServiceExt;
    let Some((&pick, body)) = data.split_first() else { return };
    let (path, content_type) = POST_ROUTES[usize::from(pick) % POST_ROUTES.len()];
    let h = http();
    let req = axum::http::Request::post(path)
        .header("content-type", content_type)
        .body(axum::body::Body::from(body.to_vec()))
        .expect("request builds");
    let res = h.rt.block_on(h.app.clone().oneshot(req)).expect("infallible");
    let status = res.status();
    assert!(!status.is_server_error(), "{path}: bad input gave {status}");
    if status.is_client_error() && (path.starts_with("/api/") || path.starts_with("/cds-services")) {
        let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(ct, "application/problem+json", "{path}: {status} is problem details");
    }
    for h in ["content-security-policy", "x-content-type-options", "x-request-id"] {
        assert!(res.headers().contains_key(h), "{path}: header {h} missing");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_accepts_empty_and_tiny_inputs() {
        for (_, f) in TARGETS {
            for input in [&b""[..], b"\0", b"{}", b"[", b"\xff\xfe"] {
                f(input);
            }
        }
    }
}
