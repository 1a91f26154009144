//! CDS Hooks 2.0 endpoints (contract section 6), over `hepatica_fhir::cds`.
//!
//! - `GET /cds-services`: the discovery document. Open to any caller once a
//!   trust file is configured (it holds no patient data), but a bearer token
//!   that is sent must verify.
//! - `POST /cds-services/liver-metastases-options`: a signed JWT is required
//!   (ES384/RS384, `kid`, `aud` = this exact URL from the trust file's
//!   `base_url`, `iss` allow-listed, `jti` not replayed; `jku` never fetched).
//!   200 with cards, 401, 412 (required prefetch missing and not fetched, with
//!   the reason), 422 (malformed request). Prefetch that is not sent is fetched
//!   from the request's `fhirServer` only when the trust file allows that
//!   server (`fhir_servers`, `allow_private_fhir_servers`; see [`crate::cds_fetch`]).
//! - `POST /cds-services/liver-metastases-options/feedback`: same
//!   authentication; validated items are stored in the `cds_feedback` table
//!   (no case data, no free text).
//!
//! Without a trust file every endpoint answers 401 problem+json.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hepatica_engine::FieldError;
use hepatica_fhir::cds::auth::{AuthError, Client, Endpoint, Verifier};
use hepatica_fhir::cds::service::{
    CdsError, REQUIRED_PREFETCH, call_with_fetch_note, discovery, missing_prefetch, prefetch_templates, validate,
};
use serde_json::{Value, json};

use crate::cds_fetch::FetchPolicy;
use crate::db::CdsFeedbackRecord;
use crate::error::{PROBLEM_JSON, Problem};
use crate::{AppError, AppState, ServeError};

/// The one service id.
pub const SERVICE_ID: &str = hepatica_fhir::cds::SERVICE_ID;

/// The parsed `--cds-trust` file, with its token verifier (and replay cache).
#[derive(Debug, Clone)]
pub struct CdsTrust {
    /// Where it was read from.
    pub path: PathBuf,
    /// The whole file as JSON.
    pub json: Value,
    /// `base_url`: this server's public base URL (the JWT `aud` is built from it).
    pub base_url: String,
    /// `issuers`: each `{ "iss": ..., "jwks": { "keys": [...] } }`.
    pub issuers: Vec<Value>,
    /// Verifies bearer tokens against `issuers`.
    pub verifier: Arc<Verifier>,
    /// `fhir_servers` and `allow_private_fhir_servers`: which EHR FHIR servers may be queried.
    pub fetch: FetchPolicy,
}

impl CdsTrust {
    /// Reads and checks a trust file.
    pub fn load(path: &Path) -> Result<CdsTrust, ServeError> {
        let bad = |detail: String| ServeError::CdsTrust { path: path.to_path_buf(), detail };
        let text = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let json: Value = serde_json::from_slice(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
        CdsTrust::from_json(path.to_path_buf(), json).map_err(bad)
    }

    /// Checks trust JSON and builds its verifier (refusing symmetric keys).
    pub fn from_json(path: PathBuf, json: Value) -> Result<CdsTrust, String> {
        let verifier = Verifier::from_json(&json)?;
        let fetch = FetchPolicy::from_trust(&json)?;
        for note in &verifier.notes {
            tracing::warn!(%note, "CDS trust file");
        }
        let base_url = verifier.base_url().to_string();
        let issuers = json.get("issuers").and_then(Value::as_array).cloned().unwrap_or_default();
        Ok(CdsTrust { path, json, base_url, issuers, verifier: Arc::new(verifier), fetch })
    }
}

/// The CDS Hooks routes, with their own state: the FHIR body limit, and CORS
/// for browser clients such as the CDS Hooks sandbox (preflight answered,
/// `Authorization` and `Content-Type` allowed, any origin: the routes use
/// bearer tokens, never cookies).
pub fn routes(state: AppState) -> Router {
    let limit = DefaultBodyLimit::max(state.fhir_body_limit());
    Router::new()
        .route("/cds-services", get(discovery_handler).options(preflight))
        .route(&format!("/cds-services/{SERVICE_ID}"), post(service).options(preflight))
        .route(&format!("/cds-services/{SERVICE_ID}/feedback"), post(feedback).options(preflight))
        .layer(limit)
        .layer(axum::middleware::map_response(cors))
        .with_state(state)
}

/// Methods the CDS routes answer (for CORS).
const CORS_METHODS: &str = "GET, POST, OPTIONS";
/// Request headers a browser CDS client may send.
const CORS_HEADERS: &str = "Authorization, Content-Type";

/// A CORS preflight (`OPTIONS`): 204 with what may be sent.
async fn preflight() -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(CORS_METHODS));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(CORS_HEADERS));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    res
}

/// Adds CORS headers to every CDS response (errors included, so a browser can read them).
async fn cors(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("WWW-Authenticate, Content-Type"));
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    res
}

fn require_trust(state: &AppState) -> Result<&CdsTrust, AppError> {
    state
        .cds_trust()
        .ok_or_else(|| AppError::Unauthorized("CDS Hooks is not configured on this server: start it with --cds-trust FILE".into()))
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
}

/// Verifies the bearer token. On tokio's blocking pool: the replay check is a
/// database call (SQLite or PostgreSQL) that must not hold an async worker.
async fn authenticate(trust: &CdsTrust, headers: &HeaderMap, ep: Endpoint) -> Result<Client, AppError> {
    let verifier = trust.verifier.clone();
    let authorization = authorization(headers).map(str::to_string);
    let verified = tokio::task::spawn_blocking(move || verifier.verify(authorization.as_deref(), ep, now()))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    verified.map_err(|e| match e {
        // The token may be good; the server could not check it. Not the client's fault: 503 with Retry-After.
        AuthError::ReplayStore(ref cause) => {
            tracing::warn!(error = %cause, "CDS token not checked: the replay store failed");
            AppError::Unavailable(e.to_string())
        }
        AuthError::TooManyTokens => {
            tracing::info!(reason = %e, "CDS client refused for now");
            AppError::TooManyRequests(e.to_string())
        }
        _ => {
            tracing::info!(reason = %e, "CDS client not authenticated");
            AppError::Unauthorized(e.to_string())
        }
    })
}

/// A problem+json response with any status.
fn problem(status: StatusCode, detail: String, errors: Vec<FieldError>) -> Response {
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let mut res = (status, serde_json::to_vec(&body).unwrap_or_default()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, AppError> {
    if headers.contains_key(header::CONTENT_TYPE) && !crate::api::is_json(headers) {
        return Err(AppError::BadRequest(
            "expected Content-Type: application/json (application/fhir+json and application/json+fhir are accepted too)".into(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| AppError::BadRequest(format!("expected a JSON body, got invalid JSON ({e})")))
}

/// The discovery document (also used by the OpenAPI description).
pub fn discovery_document(kb: &hepatica_knowledge::Knowledge) -> Value {
    serde_json::to_value(discovery(kb)).unwrap_or(Value::Null)
}

async fn discovery_handler(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let trust = require_trust(&state)?;
    if authorization(&headers).is_some() {
        authenticate(trust, &headers, Endpoint::Discovery).await?;
    }
    Ok(Json(discovery_document(state.kb())).into_response())
}

async fn service(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let trust = require_trust(&state)?;
    authenticate(trust, &headers, Endpoint::Service).await?;
    let mut request = json_body(&headers, &body)?;
    let kb = state.kb();
    let base_url = trust.base_url.clone();
    // Prefetch not sent: fetch it from the EHR's fhirServer, if the trust file allows that server.
    let mut note = None;
    if let Ok(req) = validate(&request) {
        let keys = missing_prefetch(&req, kb);
        if !keys.is_empty() {
            let templates = prefetch_templates(kb);
            match crate::cds_fetch::fetch(&trust.fetch, &req, &templates, &keys, &REQUIRED_PREFETCH, state.fhir_body_limit()).await {
                Ok(fetched) => {
                    if !request.get("prefetch").is_some_and(Value::is_object) {
                        request["prefetch"] = json!({});
                    }
                    if let Some(prefetch) = request.get_mut("prefetch").and_then(Value::as_object_mut) {
                        prefetch.extend(fetched);
                    }
                }
                Err(reason) => {
                    tracing::info!(%reason, "CDS prefetch not fetched");
                    note = Some(reason);
                }
            }
        }
    }
    // Mapping a large prefetch is CPU work: keep it off the async workers.
    let result = tokio::task::spawn_blocking(move || call_with_fetch_note(&request, kb, &base_url, note.as_deref()))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(match result {
        Ok(resp) => {
            let mut res = Json(resp).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(CdsError::PreconditionFailed(detail)) => problem(StatusCode::PRECONDITION_FAILED, detail, Vec::new()),
        Err(CdsError::Invalid(errors)) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the CDS Hooks request has {} problem{}; see errors", errors.len(), if errors.len() == 1 { "" } else { "s" }),
            errors,
        ),
    })
}

async fn feedback(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let trust = require_trust(&state)?;
    let client = authenticate(trust, &headers, Endpoint::Feedback).await?;
    let value = json_body(&headers, &body)?;
    let items = match hepatica_fhir::cds::feedback::parse(&value) {
        Ok(items) => items,
        Err(errors) => {
            return Ok(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the feedback has {} problem{}; see errors", errors.len(), if errors.len() == 1 { "" } else { "s" }),
                errors,
            ));
        }
    };
    let records: Vec<CdsFeedbackRecord> = items
        .iter()
        .map(|f| CdsFeedbackRecord {
            card: f.card.clone(),
            outcome: f.outcome.as_str().to_string(),
            accepted_suggestions: f.accepted_suggestions.len() as u32,
            override_reason: f
                .override_reason
                .as_ref()
                .and_then(|r| r.reason.as_ref())
                .map(|c| (c.system.clone(), c.code.clone(), c.display.clone())),
            has_comment: f.override_reason.as_ref().is_some_and(|r| r.user_comment.as_deref().is_some_and(|c| !c.trim().is_empty())),
            outcome_timestamp: f.outcome_timestamp.clone(),
            client: client.iss.clone(),
        })
        .collect();
    let db = state.db().clone();
    tokio::task::spawn_blocking(move || db.record_cds_feedback(&records))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::from)?;
    Ok(Json(json!({ "stored": items.len() })).into_response())
}
