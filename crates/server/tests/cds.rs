//! End-to-end CDS Hooks test: a request shaped like the public CDS Hooks
//! sandbox's (`patient-view`, prefetch, an ES384 JWT with `kid` and `jku`
//! headers and `iss`/`aud`/`exp`/`iat`/`jti` claims) sent to the real router.
//!
//! The signing key is a TEST-ONLY P-384 key derived from a fixed scalar here;
//! no private key is committed.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hepatica_knowledge::Knowledge;
use hepatica_server::{AppState, CdsTrust, Db, router};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p384::elliptic_curve::sec1::ToEncodedPoint;
use p384::pkcs8::EncodePrivateKey;
use serde_json::{Value, json};
use tower::ServiceExt;

const BASE: &str = "http://127.0.0.1:8080";
const ISS: &str = "https://sandbox.cds-hooks.org";
const KID: &str = "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f";
const JKU: &str = "https://sandbox.cds-hooks.org/.well-known/jwks.json";
const SERVICE: &str = "/cds-services/liver-metastases-options";

/// TEST-ONLY signing key and its public JWK.
fn test_key() -> (EncodingKey, Value) {
    let secret = p384::SecretKey::from_slice(&[0x2a; 48]).expect("valid test scalar");
    let der = secret.to_pkcs8_der().expect("pkcs8");
    let p = secret.public_key().to_encoded_point(false);
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    let jwk = json!({ "kty": "EC", "crv": "P-384", "kid": KID, "use": "sig", "alg": "ES384",
                      "x": b64(p.x().expect("x")), "y": b64(p.y().expect("y")) });
    (EncodingKey::from_ec_der(der.as_bytes()), jwk)
}

fn app() -> (Router, AppState, EncodingKey) {
    let (key, jwk) = test_key();
    let trust = json!({ "base_url": BASE, "issuers": [ { "iss": ISS, "jwks": { "keys": [jwk] } } ] });
    let trust = CdsTrust::from_json("test-trust.json".into(), trust).expect("trust");
    let kb = Knowledge::embedded();
    let state = AppState::new(kb, Db::open_in_memory().expect("db"), hepatica_server::support::built_in(kb), Some(trust));
    (router(state.clone()), state, key)
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs()
}

/// What the sandbox's jwt-generator.js signs.
fn sandbox_jwt(key: &EncodingKey, path: &str, jti: &str) -> String {
    let mut h = Header::new(Algorithm::ES384);
    h.kid = Some(KID.into());
    h.jku = Some(JKU.into());
    let now = now();
    let claims = json!({ "iss": ISS, "aud": format!("{BASE}{path}"), "exp": now + 300, "iat": now, "jti": jti });
    jsonwebtoken::encode(&h, &claims, key).expect("sign")
}

/// The bowel KRAS G12C fixture as the sandbox would prefetch it.
fn prefetch() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../fhir/tests/fixtures/bowel-kras-g12c.json")).expect("fixture");
    let bundle: Value = serde_json::from_str(&text).expect("json");
    let mut patient = Value::Null;
    let mut groups: std::collections::BTreeMap<&str, Vec<Value>> = Default::default();
    for e in bundle["entry"].as_array().expect("entries") {
        let r = &e["resource"];
        let key = match r["resourceType"].as_str().expect("rt") {
            "Patient" => {
                patient = r.clone();
                continue;
            }
            "Condition" => "conditions",
            "Observation" => "observations",
            "MedicationAdministration" | "MedicationRequest" => "medications",
            _ => "other",
        };
        groups.entry(key).or_default().push(json!({ "fullUrl": e["fullUrl"], "resource": r }));
    }
    let mut out = json!({ "patient": patient, "procedures": null });
    for (k, entries) in groups {
        out[k] = json!({ "resourceType": "Bundle", "type": "searchset", "total": entries.len(), "entry": entries });
    }
    out
}

fn sandbox_request(prefetch: Value) -> Value {
    json!({
        "hookInstance": "9a2f6b0e-3a6c-4a34-8f43-6c1e3c1f5e11",
        "fhirServer": "https://launch.smarthealthit.org/v/r4/fhir",
        "hook": "patient-view",
        "context": { "userId": "Practitioner/COREPRACTITIONER1", "patientId": "p1" },
        "prefetch": prefetch
    })
}

async fn send(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut req = Request::builder().method(method).uri(path).header(header::ACCEPT, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(serde_json::to_vec(b).expect("json"))),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = to_bytes(res.into_body(), 16 << 20).await.expect("body");
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn sandbox_style_patient_view_call_returns_a_card() {
    let (app, _, key) = app();

    // Discovery: open metadata once configured.
    let (status, _, body) = send(&app, "GET", "/cds-services", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["services"][0]["id"], "liver-metastases-options");
    assert_eq!(body["services"][0]["hook"], "patient-view");

    // The service call, as the sandbox sends it.
    let token = sandbox_jwt(&key, SERVICE, "0d7e4cb6-7f5e-4b8b-9a53-5f1b2d0c1a01");
    let (status, headers, body) = send(&app, "POST", SERVICE, Some(&token), Some(&sandbox_request(prefetch()))).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert!(headers[header::CONTENT_TYPE].to_str().expect("ct").starts_with("application/json"));
    let cards = body["cards"].as_array().expect("cards");
    assert_eq!(cards.len(), 1);
    let card = &cards[0];
    let summary = card["summary"].as_str().expect("summary");
    assert!(summary.chars().count() < 140, "{summary}");
    assert!(summary.contains("bowel"));
    assert_eq!(card["indicator"], "info", "an information card, not an alert");
    assert_eq!(card["uuid"].as_str().map(str::len), Some(36));
    assert!(card["source"]["label"].as_str().expect("label").contains(&Knowledge::embedded().meta.version));
    assert_eq!(card["links"][0]["url"], format!("{BASE}/check"));
    assert_eq!(card["links"][1]["url"], format!("{BASE}/clinician"));
    assert_eq!(card["links"][0]["type"], "absolute");
    assert_eq!(card["extension"]["org.hepatica.criteria"].as_array().map(Vec::len), Some(9));
    assert_eq!(card["extension"]["org.hepatica.case"]["biomarkers"]["KRAS"], "G12C");
    assert!(card["detail"].as_str().expect("detail").contains("not a recommendation"));
    let card_uuid = card["uuid"].as_str().expect("uuid").to_string();

    // The same token again is a replay.
    let (status, headers, _) = send(&app, "POST", SERVICE, Some(&token), Some(&sandbox_request(prefetch()))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");

    // Feedback on the card, with a token for the feedback URL.
    let fb = json!({ "feedback": [ { "card": card_uuid, "outcome": "overridden",
        "overrideReason": { "reason": { "code": "not-relevant", "system": "https://example.org/reasons", "display": "Not relevant" }, "userComment": "free text is not stored" },
        "outcomeTimestamp": "2026-11-27T10:00:00Z" } ] });
    let ftoken = sandbox_jwt(&key, &format!("{SERVICE}/feedback"), "fb-1");
    let (status, _, body) = send(&app, "POST", &format!("{SERVICE}/feedback"), Some(&ftoken), Some(&fb)).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["stored"], 1);
}

#[tokio::test]
async fn feedback_is_stored_without_free_text() {
    let (app, state, key) = app();
    let fb = json!({ "feedback": [ { "card": "card-1", "outcome": "accepted", "acceptedSuggestions": [], "outcomeTimestamp": "2026-11-27T10:00:00Z" },
                                   { "card": "card-1", "outcome": "overridden", "overrideReason": { "userComment": "patient X said..." }, "outcomeTimestamp": "2026-11-27T10:01:00Z" } ] });
    let token = sandbox_jwt(&key, &format!("{SERVICE}/feedback"), "fb-2");
    let (status, _, body) = send(&app, "POST", &format!("{SERVICE}/feedback"), Some(&token), Some(&fb)).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    let rows = state.db().cds_feedback_for("card-1").expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].outcome, "accepted");
    assert_eq!(rows[0].client, ISS);
    assert!(rows[1].has_comment);
    // invalid feedback: 422 with pointers
    let token = sandbox_jwt(&key, &format!("{SERVICE}/feedback"), "fb-3");
    let (status, _, body) =
        send(&app, "POST", &format!("{SERVICE}/feedback"), Some(&token), Some(&json!({ "feedback": [ { "outcome": "ignored" } ] }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/feedback/0/card");
}

#[tokio::test]
async fn unauthenticated_or_misaddressed_calls_are_401() {
    let (app, _, key) = app();
    let (status, _, body) = send(&app, "POST", SERVICE, None, Some(&sandbox_request(prefetch()))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["status"], 401);
    // a token for the feedback URL used on the service
    let t = sandbox_jwt(&key, &format!("{SERVICE}/feedback"), "aud-1");
    let (status, _, body) = send(&app, "POST", SERVICE, Some(&t), Some(&sandbox_request(prefetch()))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["detail"].as_str().expect("detail").contains("aud"));
    // a bad token on discovery is refused too
    let (status, _, _) = send(&app, "GET", "/cds-services", Some("not.a.jwt"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A replay store that answers one fixed error, as a store does when its database is away or an issuer floods.
struct Refusing(hepatica_fhir::cds::auth::AuthError);

impl hepatica_fhir::cds::auth::ReplayStore for Refusing {
    fn record(&self, _: &str, _: &str, _: u64, _: u64) -> Result<(), hepatica_fhir::cds::auth::AuthError> {
        Err(self.0.clone())
    }
}

#[tokio::test]
async fn a_replay_store_that_cannot_answer_is_503_and_a_flood_429_not_401() {
    use hepatica_fhir::cds::auth::AuthError;
    for (error, want) in [
        (AuthError::ReplayStore("cannot reach the database".into()), StatusCode::SERVICE_UNAVAILABLE),
        (AuthError::TooManyTokens, StatusCode::TOO_MANY_REQUESTS),
        (AuthError::Replayed, StatusCode::UNAUTHORIZED),
    ] {
        let (app, state, key) = app();
        state.cds_trust().expect("trust").verifier.use_replay_store(std::sync::Arc::new(Refusing(error.clone())));
        let t = sandbox_jwt(&key, SERVICE, "store-1");
        let (status, headers, body) = send(&app, "POST", SERVICE, Some(&t), Some(&sandbox_request(prefetch()))).await;
        assert_eq!(status, want, "{error:?}: {body}");
        assert_eq!(body["status"], want.as_u16(), "problem+json: {body}");
        if want == StatusCode::SERVICE_UNAVAILABLE {
            assert!(headers.contains_key(header::RETRY_AFTER), "503 says when to retry");
            assert!(!body.to_string().contains("database"), "the cause is logged, not shown: {body}");
        }
    }
}

#[tokio::test]
async fn missing_prefetch_is_412_and_bad_requests_422() {
    let (app, _, key) = app();
    let t = sandbox_jwt(&key, SERVICE, "pf-1");
    let (status, headers, body) = send(&app, "POST", SERVICE, Some(&t), Some(&sandbox_request(json!({})))).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert!(body["detail"].as_str().expect("detail").contains("without fhirAuthorization.access_token"), "{body}");
    let t = sandbox_jwt(&key, SERVICE, "pf-2");
    let (status, _, body) = send(&app, "POST", SERVICE, Some(&t), Some(&json!({ "hook": "patient-view", "context": {} }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/hookInstance");
}

/// The shared real-record folder (`../shared` beside the checkout, or `HEPATICA_SHARED`), if present.
fn shared_fixture(name: &str) -> Option<Value> {
    let dirs = [
        std::env::var_os("HEPATICA_SHARED").map(|s| std::path::PathBuf::from(s).join("fixtures/fhir-real")),
        Some(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/fhir-real")),
    ];
    let Some(dir) = dirs.into_iter().flatten().find(|p| p.is_dir()) else {
        eprintln!("skipped: shared/fixtures/fhir-real not present (set HEPATICA_SHARED to the shared folder)");
        return None;
    };
    Some(serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("fixture")).expect("json"))
}

/// A record's resources as a CDS client would prefetch them with our templates.
fn as_prefetch(bundle: &Value) -> Value {
    let mut out = serde_json::Map::new();
    let mut groups: std::collections::BTreeMap<&str, Vec<Value>> = Default::default();
    for e in bundle["entry"].as_array().expect("entries") {
        let r = &e["resource"];
        let key = match r["resourceType"].as_str().unwrap_or("") {
            "Patient" => {
                out.insert("patient".into(), r.clone());
                continue;
            }
            "Condition" => "conditions",
            "Observation" => "observations",
            "MedicationStatement" => "medicationStatements",
            "MedicationAdministration" => "medicationAdministrations",
            "MedicationRequest" => "medicationRequests",
            "Procedure" => "procedures",
            _ => continue,
        };
        groups.entry(key).or_default().push(json!({ "resource": r }));
    }
    for (k, entries) in groups {
        out.insert(k.into(), json!({ "resourceType": "Bundle", "type": "searchset", "entry": entries }));
    }
    Value::Object(out)
}

/// The CDS Hooks 2.0.1 spec's own patient-view example request (with its
/// fhirServer and fhirAuthorization), its prefetch replaced by the CodeX
/// patient with liver metastases, signed as the sandbox signs (ES384, kid, jku),
/// gets a card. See: issue #15.
#[tokio::test]
async fn spec_example_request_for_the_liver_metastasis_record_gets_a_card() {
    let (Some(examples), Some(record)) =
        (shared_fixture("cds-hooks-2.0.1-spec-examples.json"), shared_fixture("ctm-trialmatching-patient01.json"))
    else {
        return;
    };
    let mut request = examples["request_patient_view"].clone();
    request["context"]["patientId"] = json!("mCODETrialMatchingPatientExample01");
    request["prefetch"] = as_prefetch(&record);
    let (app, _, key) = app();
    let token = sandbox_jwt(&key, SERVICE, "spec-example-1");
    let (status, headers, body) = send(&app, "POST", SERVICE, Some(&token), Some(&request)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).map(|v| v.to_str().unwrap()), Some("*"));
    let cards = body["cards"].as_array().expect("cards");
    assert_eq!(cards.len(), 1, "{body}");
    let summary = cards[0]["summary"].as_str().expect("summary");
    assert!(summary.contains("breast primary"), "{summary}");
    assert_eq!(cards[0]["extension"]["org.hepatica.case"]["biomarkers"]["ER"], "positive");
}

/// A cancer record without a usable primary gets one info card saying why; a deceased patient gets none.
#[tokio::test]
async fn no_primary_gives_an_explaining_card_and_deceased_gives_none() {
    let (app, _, key) = app();
    let patient = json!({ "resourceType": "Patient", "id": "p1" });
    let conditions = json!({ "resourceType": "Bundle", "type": "searchset", "entry": [ { "resource": {
        "resourceType": "Condition", "id": "c1", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [ { "system": "http://snomed.info/sct", "code": "94381002", "display": "Secondary malignant neoplasm of liver" } ] } } } ] });
    let token = sandbox_jwt(&key, SERVICE, "no-primary-1");
    let req = sandbox_request(json!({ "patient": patient, "conditions": conditions }));
    let (status, _, body) = send(&app, "POST", SERVICE, Some(&token), Some(&req)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cards = body["cards"].as_array().expect("cards");
    assert_eq!(cards.len(), 1, "{body}");
    assert_eq!(cards[0]["indicator"], "info");
    assert!(cards[0]["detail"].as_str().is_some_and(|d| d.contains("94381002") && d.contains("where the cancer spread")), "{body}");

    let dead = json!({ "resourceType": "Patient", "id": "p1", "deceasedDateTime": "2020-11-24T07:21:10+00:00" });
    let token = sandbox_jwt(&key, SERVICE, "deceased-1");
    let mut req = sandbox_request(prefetch());
    req["prefetch"]["patient"] = dead;
    let (status, _, body) = send(&app, "POST", SERVICE, Some(&token), Some(&req)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["cards"], json!([]), "no card for a deceased patient");
}

/// Browser CDS clients (the sandbox) send a CORS preflight first.
#[tokio::test]
async fn cors_preflight_is_answered_on_every_cds_route() {
    let (app, _, _) = app();
    for path in ["/cds-services", SERVICE, "/cds-services/liver-metastases-options/feedback"] {
        let req = Request::builder()
            .method("OPTIONS")
            .uri(path)
            .header(header::ORIGIN, "https://sandbox.cds-hooks.org")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization, content-type")
            .body(Body::empty())
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("response");
        assert!(res.status().is_success(), "{path}: {}", res.status());
        let h = res.headers();
        assert_eq!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).map(|v| v.to_str().unwrap()), Some("*"), "{path}");
        let allowed = h.get(header::ACCESS_CONTROL_ALLOW_HEADERS).and_then(|v| v.to_str().ok()).unwrap_or("").to_lowercase();
        assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{path}: {allowed}");
        let methods = h.get(header::ACCESS_CONTROL_ALLOW_METHODS).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(methods.contains("POST"), "{path}: {methods}");
    }
}

/// Real records are megabytes: the CDS route accepts a 3 MB body, and a body
/// over the limit gets problem+json 413 (with CORS), never plain text.
#[tokio::test]
async fn large_bodies_accepted_and_oversized_ones_are_problem_json_413() {
    let (app, _, key) = app();
    let token = sandbox_jwt(&key, SERVICE, "big-1");
    let mut req = sandbox_request(prefetch());
    req["prefetch"]["padding"] = json!({ "resourceType": "Bundle", "type": "searchset",
        "entry": [ { "resource": { "resourceType": "Basic", "id": "x", "text": { "div": "x".repeat(3 << 20) } } } ] });
    let (status, _, body) = send(&app, "POST", SERVICE, Some(&token), Some(&req)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let small = hepatica_server::AppState::for_tests().with_fhir_body_limit(1 << 20);
    let app = router(small);
    for (path, ct) in
        [(SERVICE, "application/json"), ("/api/v1/assess/fhir", "application/fhir+json"), ("/api/v1/assess", "application/json")]
    {
        let big = vec![b' '; (1 << 20) + 10];
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::CONTENT_TYPE, ct)
            .header(header::CONTENT_LENGTH, big.len())
            .body(Body::from(big))
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("response");
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        let ct = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert_eq!(ct, "application/problem+json", "{path}");
        let b = to_bytes(res.into_body(), 1 << 20).await.expect("body");
        let v: Value = serde_json::from_slice(&b).expect("problem json");
        assert_eq!(v["status"], 413, "{path}");
    }
}

/// How the test FHIR server behaves.
#[derive(Clone, Copy, PartialEq)]
enum Ehr {
    /// Serves the record's resources as searchset Bundles (Conditions in two pages).
    Normal,
    /// Never answers within the fetch timeout.
    Slow,
    /// Answers the Patient read with a body far over the FHIR body limit.
    Huge,
}

#[derive(Clone)]
struct EhrState {
    record: std::sync::Arc<Value>,
    base: String,
    mode: Ehr,
    /// The Authorization header and path of every request received.
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

async fn ehr_handler(
    axum::extract::State(s): axum::extract::State<EhrState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    s.seen.lock().expect("lock").push((auth, uri.path().to_string()));
    if s.mode == Ehr::Slow {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
    let rest = uri.path().strip_prefix("/fhir/").unwrap_or("");
    let resources: Vec<&Value> = s.record["entry"].as_array().expect("entries").iter().map(|e| &e["resource"]).collect();
    let body = match rest.split('/').collect::<Vec<_>>().as_slice() {
        ["Patient", id] => {
            let Some(p) = resources.iter().find(|r| r["resourceType"] == "Patient" && r["id"] == *id) else {
                return StatusCode::NOT_FOUND.into_response();
            };
            let mut p = (*p).clone();
            if s.mode == Ehr::Huge {
                p["text"] = json!({ "status": "generated", "div": "x".repeat(2 << 20) });
            }
            p
        }
        [kind] => {
            let mut of_kind: Vec<Value> =
                resources.iter().filter(|r| r["resourceType"] == *kind).map(|r| json!({ "resource": r })).collect();
            let mut link = Vec::new();
            if *kind == "Condition" {
                // Two pages: the service must follow `next` (within its request budget).
                if uri.query().unwrap_or("").contains("page=2") {
                    of_kind = of_kind.split_off(2.min(of_kind.len()));
                } else {
                    of_kind.truncate(2);
                    link.push(json!({ "relation": "next", "url": format!("{}/Condition?page=2", s.base) }));
                }
            }
            json!({ "resourceType": "Bundle", "type": "searchset", "link": link, "entry": of_kind })
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, "application/fhir+json")], serde_json::to_vec(&body).expect("json")).into_response()
}

/// Starts a FHIR server on 127.0.0.1 serving `record`; returns its base URL and what it saw.
async fn start_ehr(record: Value, mode: Ehr) -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/fhir", listener.local_addr().expect("addr"));
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let state = EhrState { record: std::sync::Arc::new(record), base: base.clone(), mode, seen: seen.clone() };
    let app = Router::new().fallback(ehr_handler).with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (base, seen)
}

/// The app with extra trust-file fields (e.g. `fhir_servers`) and a FHIR body limit.
fn app_with(extra: Value, body_limit: usize) -> (Router, EncodingKey) {
    let (key, jwk) = test_key();
    let mut trust = json!({ "base_url": BASE, "issuers": [ { "iss": ISS, "jwks": { "keys": [jwk] } } ] });
    for (k, v) in extra.as_object().expect("object") {
        trust[k] = v.clone();
    }
    let trust = CdsTrust::from_json("test-trust.json".into(), trust).expect("trust");
    let kb = Knowledge::embedded();
    let state = AppState::new(kb, Db::open_in_memory().expect("db"), hepatica_server::support::built_in(kb), Some(trust))
        .with_fhir_body_limit(body_limit);
    (router(state), key)
}

/// The spec's example request for the liver-metastasis record, without prefetch, naming `server`.
fn fetch_request(examples: &Value, server: &str) -> Value {
    let mut request = examples["request_patient_view"].clone();
    request["context"]["patientId"] = json!("mCODETrialMatchingPatientExample01");
    request["fhirServer"] = json!(server);
    request["fhirAuthorization"]["access_token"] = json!("ehr-token-7f3a");
    request.as_object_mut().expect("object").remove("prefetch");
    request
}

/// Without prefetch, the service fetches the record from the allow-listed
/// `fhirServer` (a FHIR server on loopback serving the real CodeX record, with
/// `allow_private_fhir_servers`), sends the EHR's bearer token, follows a
/// `next` page, and gives the same card as with prefetch. See: issue #15.
#[tokio::test]
async fn missing_prefetch_is_fetched_from_an_allowed_fhir_server() {
    let (Some(examples), Some(record)) =
        (shared_fixture("cds-hooks-2.0.1-spec-examples.json"), shared_fixture("ctm-trialmatching-patient01.json"))
    else {
        return;
    };
    let (base, seen) = start_ehr(record.clone(), Ehr::Normal).await;
    let (app, key) = app_with(json!({ "fhir_servers": [base], "allow_private_fhir_servers": true }), 32 << 20);

    let mut with_prefetch = fetch_request(&examples, &base);
    with_prefetch["prefetch"] = as_prefetch(&record);
    for k in ["fhirServer", "fhirAuthorization"] {
        with_prefetch.as_object_mut().expect("object").remove(k);
    }
    let (status, _, sent) = send(&app, "POST", SERVICE, Some(&sandbox_jwt(&key, SERVICE, "fetch-1")), Some(&with_prefetch)).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert!(seen.lock().expect("lock").is_empty(), "a complete prefetch needs no fetch");

    let (status, _, fetched) =
        send(&app, "POST", SERVICE, Some(&sandbox_jwt(&key, SERVICE, "fetch-2")), Some(&fetch_request(&examples, &base))).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    let cards = fetched["cards"].as_array().expect("cards");
    assert_eq!(cards.len(), 1, "{fetched}");
    assert!(cards[0]["summary"].as_str().expect("summary").contains("breast primary"));
    assert_eq!(cards[0], sent["cards"][0], "the fetched record gives the same card as the prefetched one");

    let seen = seen.lock().expect("lock").clone();
    assert!(seen.len() <= hepatica_server::cds_fetch::MAX_REQUESTS, "{seen:?}");
    assert!(seen.iter().all(|(auth, _)| auth == "Bearer ehr-token-7f3a"), "{seen:?}");
    assert!(seen.iter().any(|(_, p)| p == "/fhir/Patient/mCODETrialMatchingPatientExample01"), "{seen:?}");
    assert_eq!(seen.iter().filter(|(_, p)| p == "/fhir/Condition").count(), 2, "both Condition pages: {seen:?}");
}

/// No SSRF: a server not on the trust file's list, or a loopback server without
/// `allow_private_fhir_servers`, is never contacted and the call is 412 saying why.
#[tokio::test]
async fn fhir_servers_not_allowed_are_never_queried() {
    let (Some(examples), Some(record)) =
        (shared_fixture("cds-hooks-2.0.1-spec-examples.json"), shared_fixture("ctm-trialmatching-patient01.json"))
    else {
        return;
    };
    let (base, seen) = start_ehr(record, Ehr::Normal).await;

    // Not on the list (a prefix that is not on a path boundary does not count).
    let (app, key) = app_with(json!({ "fhir_servers": [format!("{base}-other")], "allow_private_fhir_servers": true }), 32 << 20);
    let (status, headers, body) =
        send(&app, "POST", SERVICE, Some(&sandbox_jwt(&key, SERVICE, "deny-1")), Some(&fetch_request(&examples, &base))).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert!(body["detail"].as_str().expect("detail").contains("not listed in fhir_servers"), "{body}");

    // Listed, but loopback without allow_private_fhir_servers.
    let (app, key) = app_with(json!({ "fhir_servers": [base] }), 32 << 20);
    let (status, _, body) =
        send(&app, "POST", SERVICE, Some(&sandbox_jwt(&key, SERVICE, "deny-2")), Some(&fetch_request(&examples, &base))).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert!(body["detail"].as_str().expect("detail").contains("private, loopback or link-local address (127.0.0.1)"), "{body}");

    // Listed with the flag, but no access token: not fetched either.
    let (app, key) = app_with(json!({ "fhir_servers": [base], "allow_private_fhir_servers": true }), 32 << 20);
    let mut request = fetch_request(&examples, &base);
    request.as_object_mut().expect("object").remove("fhirAuthorization");
    let (status, _, body) = send(&app, "POST", SERVICE, Some(&sandbox_jwt(&key, SERVICE, "deny-3")), Some(&request)).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert!(body["detail"].as_str().expect("detail").contains("fhirAuthorization.access_token"), "{body}");

    assert!(seen.lock().expect("lock").is_empty(), "a refused server is never contacted");
}

/// A FHIR server that does not answer is given up on within the fetch timeout (412 saying so).
#[tokio::test]
async fn a_slow_fhir_server_times_out() {
    let (Some(examples), Some(record)) =
        (shared_fixture("cds-hooks-2.0.1-spec-examples.json"), shared_fixture("ctm-trialmatching-patient01.json"))
    else {
        return;
    };
    let (base, seen) = start_ehr(record, Ehr::Slow).await;
    let (app, key) = app_with(json!({ "fhir_servers": [base], "allow_private_fhir_servers": true }), 32 << 20);
    let started = std::time::Instant::now();
    let (status, _, body) =
        send(&app, "POST", SERVICE, Some(&sandbox_jwt(&key, SERVICE, "slow-1")), Some(&fetch_request(&examples, &base))).await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert!(body["detail"].as_str().expect("detail").contains("did not answer within 5 s"), "{body}");
    assert!(took < hepatica_server::cds_fetch::FETCH_TIMEOUT + std::time::Duration::from_secs(5), "{took:?}");
    assert_eq!(seen.lock().expect("lock").len(), 1);
}

/// An answer over the FHIR body limit is cut off (412 saying so), not read whole.
#[tokio::test]
async fn a_huge_fhir_response_is_cut_off() {
    let (Some(examples), Some(record)) =
        (shared_fixture("cds-hooks-2.0.1-spec-examples.json"), shared_fixture("ctm-trialmatching-patient01.json"))
    else {
        return;
    };
    let (base, _) = start_ehr(record, Ehr::Huge).await;
    let (app, key) = app_with(json!({ "fhir_servers": [base], "allow_private_fhir_servers": true }), 256 << 10);
    let (status, _, body) =
        send(&app, "POST", SERVICE, Some(&sandbox_jwt(&key, SERVICE, "huge-1")), Some(&fetch_request(&examples, &base))).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.contains("patient: the FHIR server's answers exceed the FHIR body limit of 262144 bytes"), "{detail}");
}
