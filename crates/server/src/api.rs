//! The JSON API: `/api/v1/*`, `/healthz`, `/readyz` and `/api/openapi.json`.
//!
//! Every route is listed once in [`api_routes`]; the router is built from that
//! list and a test checks it against the OpenAPI document both ways. Errors
//! are RFC 9457 problem details: 400 for malformed JSON or a wrong content
//! type, 413 over the limit (1 MiB; 32 MiB by default on the FHIR route, see
//! `--max-fhir-body`), 422 with `errors: [{pointer, detail}]` for an
//! invalid case. Responses holding assessments are never cached.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use hepatica_engine::{Audience, case_from_value};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::error::AppError;
use crate::{AppState, MAX_BODY_BYTES};

/// Every API route: path and handler. The router and the OpenAPI test both read this.
pub fn api_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/healthz", allow("GET, HEAD", get(healthz))),
        ("/readyz", allow("GET, HEAD", get(readyz))),
        ("/api/v1/assess", allow("POST", post(assess))),
        ("/api/v1/assess/fhir", allow("POST", post(assess_fhir))),
        ("/api/v1/drugs", allow("GET, HEAD", get(drugs))),
        ("/api/v1/ask", allow("GET, HEAD", get(ask))),
        ("/api/v1/kb", allow("GET, HEAD", get(kb_versions))),
        ("/api/openapi.json", allow("GET, HEAD", get(openapi_json))),
    ]
}

/// A wrong method gets 405 problem details that name the methods the address
/// accepts. (axum adds the `Allow` header only after every layer has run, so
/// a layer cannot read it: the route says it itself.)
fn allow(methods: &'static str, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(move || async move {
        let problem = crate::error::Problem {
            kind: "about:blank",
            title: "Method Not Allowed".into(),
            status: StatusCode::METHOD_NOT_ALLOWED.as_u16(),
            detail: format!("this address accepts {methods}"),
            errors: Vec::new(),
        };
        let mut res = (StatusCode::METHOD_NOT_ALLOWED, serde_json::to_vec(&problem).unwrap_or_default()).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(crate::error::PROBLEM_JSON));
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    })
}

/// The API router. Unknown `/api/` paths and wrong methods also answer with
/// problem details (RFC 9457), not an HTML page or an empty body.
/// `fhir_limit` is the body limit of the FHIR route (the others keep 1 MiB).
pub fn routes(fhir_limit: usize) -> Router<AppState> {
    api_routes()
        .into_iter()
        .fold(Router::new(), |r, (path, method)| {
            let method = if crate::error::is_fhir_route(path) { method.layer(DefaultBodyLimit::max(fhir_limit)) } else { method };
            r.route(path, method)
        })
        .route("/api/{*rest}", axum::routing::any(|| async { AppError::NotFound }))
        .layer(axum::middleware::map_response(method_not_allowed_as_problem))
}

/// axum answers a wrong method with an empty 405; give it a problem-details body, keeping `Allow`.
async fn method_not_allowed_as_problem(res: Response) -> Response {
    if res.status() != StatusCode::METHOD_NOT_ALLOWED || res.headers().contains_key(header::CONTENT_TYPE) {
        return res;
    }
    let (mut parts, _) = res.into_parts();
    let allow = parts.headers.get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let problem = crate::error::Problem {
        kind: "about:blank",
        title: "Method Not Allowed".into(),
        status: StatusCode::METHOD_NOT_ALLOWED.as_u16(),
        detail: format!("this address accepts {allow}"),
        errors: Vec::new(),
    };
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(crate::error::PROBLEM_JSON));
    parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, axum::body::Body::from(serde_json::to_vec(&problem).unwrap_or_default()))
}

/// `?audience=&kb=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessParams {
    /// `patient` (default) or `clinician`: clinician wording adds trials and thresholds.
    pub audience: Option<String>,
    /// Knowledge-base release, e.g. `2026.11.0`, or `latest` (default: the one the server serves; see `/api/v1/kb`).
    pub kb: Option<String>,
}

/// `?q=&limit=&kb=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for (at most 200 characters are used).
    pub q: Option<String>,
    /// How many results, 1-50 (default 10).
    pub limit: Option<usize>,
    /// Knowledge-base release, e.g. `2026.11.0`, or `latest` (default: the one the server serves; see `/api/v1/kb`).
    pub kb: Option<String>,
}

fn json_response(value: &impl serde::Serialize, cache: &'static str) -> Result<Response, AppError> {
    let body = serde_json::to_vec(value).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(json_bytes_response(body, cache))
}

/// A 200 with a JSON body already written (an assessment, by
/// `hepatica_engine::to_json`, on the blocking pool with the assessment).
fn json_bytes_response(body: Vec<u8>, cache: &'static str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "service", responses((status = 200, description = "The process is up", body = Object, example = json!({"status": "ok"}))))]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the knowledge base is loaded and the database answers.
#[utoipa::path(get, path = "/readyz", tag = "service", responses(
    (status = 200, description = "Ready to serve", body = Object),
    (status = 503, description = "Not ready", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.db().clone();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let db_state = tokio::task::spawn_blocking(move || db.health(now)).await.unwrap_or_else(|e| Err(e.to_string()));
    let kb = state.kb();
    let kb_ok = kb.treatments.len() == hepatica_knowledge::TREATMENT_IDS.len();
    match (&db_state, kb_ok) {
        (Ok(()), true) => Json(json!({ "status": "ready", "knowledge_base": hepatica_engine::KbStamp::of(kb) })).into_response(),
        _ => {
            if let Err(detail) = &db_state {
                tracing::warn!(%detail, "not ready");
            }
            let what =
                if db_state.is_err() { "the database is not usable (see the server log)" } else { "the knowledge base is incomplete" };
            AppError::Unavailable(format!("not ready: {what}")).into_response()
        }
    }
}

/// Whether the body is JSON: `application/json`, `application/fhir+json`,
/// any other `application/*+json`, or the DSTU2-era `application/json+fhir`
/// that EHRs still send.
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || mime == "application/json+fhir" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Reads a JSON body of at most `limit` bytes: 400 for a wrong content type or malformed JSON, 413 over the limit.
fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Value, AppError> {
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE { AppError::PayloadTooLarge { limit } } else { AppError::BadRequest(r.body_text()) }
    })?;
    if body.len() > limit {
        return Err(AppError::PayloadTooLarge { limit });
    }
    if !is_json(headers) {
        return Err(AppError::BadRequest(
            "expected Content-Type: application/json (application/fhir+json and application/json+fhir are accepted too)".into(),
        ));
    }
    if let Some(charset) = charset(headers).filter(|c| !c.eq_ignore_ascii_case("utf-8") && !c.eq_ignore_ascii_case("utf8")) {
        return Err(AppError::BadRequest(format!(
            "expected a UTF-8 body (charset=utf-8), got charset={}",
            crate::layers::cut(&charset, 40)
        )));
    }
    parse_json(&body)
}

/// Parses JSON strictly: a leading BOM is skipped (as the CLI and batch do),
/// a repeated key or a number too large to read (`1e400`) is a 422 naming its
/// pointer, anything else malformed is a 400.
pub fn parse_json(body: &[u8]) -> Result<Value, AppError> {
    use hepatica_engine::parse::{JsonError, json_from_slice};
    json_from_slice(body).map_err(|e| match e {
        JsonError::Syntax(e) => AppError::BadRequest(format!("the body is not valid JSON: {e}")),
        // A repeated key or a number too large to read: a 422 naming the field.
        field => AppError::InvalidCase(vec![field.field_error()]),
    })
}

/// The `charset` parameter of the Content-Type, if any.
fn charset(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Bodies above this size are parsed and assessed on the blocking pool, so a
/// large hostile body never holds an async worker (small ones are cheaper inline).
pub const INLINE_PARSE_BYTES: usize = 16 * 1024;

/// Large bodies parsed at once on the blocking pool: one per core. Without a
/// bound, a flood of large invalid bodies ran up to one blocking thread per
/// in-flight slot (512), and the scheduler gave the async workers, and the
/// health listener's thread, too little of the CPU to answer probes in time
/// (outsider red team: health p99 over 1 s). The others wait their turn (the
/// request timeout still applies).
static LARGE_PARSES: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get)));

/// Runs CPU work inline for small inputs, on the blocking pool for large ones
/// (at most [`LARGE_PARSES`] at once).
async fn cpu<T: Send + 'static>(size: usize, f: impl FnOnce() -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    if size <= INLINE_PARSE_BYTES {
        return f();
    }
    let permit = LARGE_PARSES.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    // The permit goes with the work: a request dropped by its timeout does not
    // free it while the parse still runs.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

fn audience(
    state: &AppState,
    q: Result<Query<AssessParams>, QueryRejection>,
) -> Result<(Audience, &'static hepatica_knowledge::Knowledge), AppError> {
    let Query(p) = q.map_err(|r| AppError::BadRequest(r.body_text()))?;
    let audience = match p.audience.as_deref() {
        None => Audience::Patient,
        Some(a) => Audience::parse(a).ok_or_else(|| AppError::BadRequest(format!("audience must be patient or clinician, got {a:?}")))?,
    };
    Ok((audience, state.kb_for(p.kb.as_deref())?))
}

/// Assesses one Case (contract sections 2 and 3).
#[utoipa::path(post, path = "/api/v1/assess", tag = "assess", params(AssessParams),
    request_body(content = ref("#/components/schemas/Case"), content_type = "application/json", description = "One Case (contract section 2)"),
    responses(
        (status = 200, description = "The Assessment (contract section 3)", body = ref("#/components/schemas/Assessment")),
        (status = 400, description = "Malformed JSON, wrong content type or bad query", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
        (status = 422, description = "Invalid case: every problem, by JSON pointer; or an unknown knowledge-base version (kb)", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
    ))]
pub async fn assess(
    State(state): State<AppState>,
    query: Result<Query<AssessParams>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let (audience, kb) = audience(&state, query)?;
    let size = body.as_ref().map(|b| b.len()).unwrap_or(0);
    let a = cpu(size, move || {
        let value = json_body(&headers, body, MAX_BODY_BYTES)?;
        let case = case_from_value(&value).map_err(AppError::InvalidCase)?;
        Ok(hepatica_engine::to_json(&hepatica_engine::assess(kb, &case, audience)))
    })
    .await?;
    Ok(json_bytes_response(a, "no-store"))
}

/// Assesses a FHIR R4 Bundle (contract section 6); unmapped data becomes `input_warnings`.
#[utoipa::path(post, path = "/api/v1/assess/fhir", tag = "assess", params(AssessParams),
    request_body(content = Object, content_type = "application/fhir+json", description = "A FHIR R4 Bundle (also sent as application/json or application/json+fhir)"),
    responses(
        (status = 200, description = "The Assessment, with `mapped_case`: the Case (contract section 2 shape) as mapped from the record, so an integrator can see what was read", body = ref("#/components/schemas/Assessment")),
        (status = 400, description = "Malformed JSON or wrong content type", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
        (status = 413, description = "Body over the FHIR limit (32 MiB unless configured)", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
        (status = 422, description = "Not a Bundle, no usable primary cancer, primary liver cancer, or an unknown knowledge-base version (kb)", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
    ))]
pub async fn assess_fhir(
    State(state): State<AppState>,
    query: Result<Query<AssessParams>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let (audience, kb) = audience(&state, query)?;
    let limit = state.fhir_body_limit();
    // Parsing and mapping a large Bundle is CPU work: keep it off the async workers.
    let a = tokio::task::spawn_blocking(move || {
        let bundle = json_body(&headers, body, limit)?;
        let mapped = hepatica_fhir::map_bundle(&bundle, kb, &hepatica_fhir::MapOptions::today_utc()).map_err(AppError::InvalidCase)?;
        let mut a = hepatica_engine::assess(kb, &mapped.case, audience);
        a.input_warnings.extend(mapped.warnings);
        hepatica_fhir::with_mapped_case(&a, &mapped.case).map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    json_response(&a, "no-store")
}

type SearchRequest = (String, usize, crate::search::Search, &'static hepatica_knowledge::Knowledge);

fn search_params(state: &AppState, q: Result<Query<SearchParams>, QueryRejection>) -> Result<SearchRequest, AppError> {
    let Query(p) = q.map_err(|r| AppError::BadRequest(r.body_text()))?;
    let kb = state.kb_for(p.kb.as_deref())?;
    let q = p.q.map(|s| crate::search::clean_query(&s)).unwrap_or_default();
    if q.is_empty() {
        return Err(AppError::BadRequest("the query parameter q is required".into()));
    }
    Ok((q, p.limit.unwrap_or(10).clamp(1, 50), state.search_for(kb), kb))
}

/// `value` with a `knowledge_base` stamp (the release that answered) added
/// to its top-level object, as every Assessment has (an extension of
/// contract sections 4 and 5).
fn stamped(value: &impl serde::Serialize, kb: &hepatica_knowledge::Knowledge) -> Result<Value, AppError> {
    let mut v = serde_json::to_value(value).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Value::Object(map) = &mut v {
        let stamp = serde_json::to_value(hepatica_engine::KbStamp::of(kb)).map_err(|e| AppError::Internal(e.to_string()))?;
        map.insert("knowledge_base".to_string(), stamp);
    }
    Ok(v)
}

/// The API routes whose answers come from a knowledge base.
pub fn is_knowledge_route(path: &str) -> bool {
    matches!(path, "/api/v1/assess" | "/api/v1/assess/fhir" | "/api/v1/drugs" | "/api/v1/ask")
}

/// Every value of `key` in a query string, percent-decoded (keys too, so
/// `%6Bb` counts as `kb`).
fn query_values(query: &str, key: &str) -> Vec<String> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => match std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(x) => {
                        out.push(x);
                        i += 2;
                    }
                    None => out.push(b'%'),
                },
                x => out.push(x),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .filter(|(k, _)| decode(k) == key)
        .map(|(_, v)| decode(v))
        .collect()
}

/// Middleware on the knowledge routes ([`is_knowledge_route`]): `?kb=` given
/// more than once is 422 problem details (not the query parser's 400), and
/// every successful answer carries `Hepatica-KB: <version>; sha256=<content
/// hash>` (and `; draft` for a draft, see `Knowledge::is_draft`) naming the
/// release that answered.
pub async fn kb_header(State(state): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !is_knowledge_route(req.uri().path()) {
        return next.run(req).await;
    }
    let values = query_values(req.uri().query().unwrap_or(""), "kb");
    if values.len() > 1 {
        return AppError::UnknownKb(format!("kb given more than once ({} times); give one version", values.len())).into_response();
    }
    let kb = match state.kb_for(values.first().map(String::as_str)) {
        Ok(kb) => kb,
        Err(e) => return e.into_response(),
    };
    let mut res = next.run(req).await;
    if res.status().is_success() {
        let draft = if kb.is_draft() { "; draft" } else { "" };
        if let Ok(v) = HeaderValue::from_str(&format!("{}; sha256={}{draft}", kb.meta.version, kb.content_hash())) {
            res.headers_mut().insert(KB_HEADER, v);
        }
    }
    res
}

/// The response header naming the knowledge-base release that answered.
pub const KB_HEADER: &str = "hepatica-kb";

/// Looks a drug or regimen up by name, brand, abbreviation or misspelling (contract section 4).
#[utoipa::path(get, path = "/api/v1/drugs", tag = "search", params(SearchParams), responses(
    (status = 200, description = "Matches, best first", body = ref("#/components/schemas/DrugLookup")),
    (status = 400, description = "Missing q", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
    (status = 422, description = "Unknown knowledge-base version (kb)", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
))]
pub async fn drugs(State(state): State<AppState>, q: Result<Query<SearchParams>, QueryRejection>) -> Result<Response, AppError> {
    let (q, limit, search, kb) = search_params(&state, q)?;
    json_response(&stamped(&search.drugs(&q, limit), kb)?, "no-cache")
}

/// Searches all patient content (contract section 5).
#[utoipa::path(get, path = "/api/v1/ask", tag = "search", params(SearchParams), responses(
    (status = 200, description = "Results, best first", body = ref("#/components/schemas/AskResponse")),
    (status = 400, description = "Missing q", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
    (status = 422, description = "Unknown knowledge-base version (kb)", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
))]
pub async fn ask(State(state): State<AppState>, q: Result<Query<SearchParams>, QueryRejection>) -> Result<Response, AppError> {
    let (q, limit, search, kb) = search_params(&state, q)?;
    json_response(&stamped(&search.ask(&q, limit), kb)?, "no-cache")
}

/// The knowledge-base releases this server can answer with, oldest first
/// (as `hepatica kb versions --format json`; `default` marks the one served
/// when no `?kb=` is given).
#[utoipa::path(get, path = "/api/v1/kb", tag = "service", responses(
    (status = 200, description = "Releases with publication dates and SHA-256 content hashes", body = ref("#/components/schemas/KbReleases")),
))]
pub async fn kb_versions(State(state): State<AppState>) -> Result<Response, AppError> {
    json_response(&state.catalogue(), "no-cache")
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "service", responses((status = 200, description = "OpenAPI 3.1 description of the API", body = Object)))]
pub async fn openapi_json() -> Result<Response, AppError> {
    json_response(&crate::openapi::document(), "no-cache")
}
