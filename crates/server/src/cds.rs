//! CDS Hooks 2.0 endpoints (contract section 6): the seam another module fills in.
//!
//! Interface, kept small on purpose:
//! - [`routes`]`(state) -> Router` mounts `GET /cds-services`,
//!   `POST /cds-services/liver-metastases-options` and
//!   `POST /cds-services/liver-metastases-options/feedback`;
//! - [`CdsTrust`] is the parsed `--cds-trust` file, kept in `AppState`
//!   (`state.cds_trust()`): its path, its raw JSON and the two fields the
//!   contract names (`base_url`, `issuers`).
//!
//! Without a trust file every endpoint answers 401 problem+json, as the
//! contract requires. With one, discovery lists the service; the service and
//! feedback calls answer 501 until JWT verification (ES384/RS384, `aud` = the
//! endpoint URL, `iss` allow-listed) and card mapping are implemented here.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::{AppError, AppState, ServeError};

/// The one service id.
pub const SERVICE_ID: &str = "liver-metastases-options";

/// The parsed `--cds-trust` file.
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
}

impl CdsTrust {
    /// Reads and checks the shape of a trust file.
    pub fn load(path: &Path) -> Result<CdsTrust, ServeError> {
        let bad = |detail: String| ServeError::CdsTrust { path: path.to_path_buf(), detail };
        let text = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let json: Value = serde_json::from_slice(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
        CdsTrust::from_json(path.to_path_buf(), json).map_err(bad)
    }

    /// Checks the shape of trust JSON.
    pub fn from_json(path: PathBuf, json: Value) -> Result<CdsTrust, String> {
        let base_url =
            json.get("base_url").and_then(Value::as_str).ok_or("expected a string \"base_url\"")?.trim_end_matches('/').to_string();
        let issuers = json.get("issuers").and_then(Value::as_array).ok_or("expected an array \"issuers\"")?.clone();
        for (i, iss) in issuers.iter().enumerate() {
            if iss.get("iss").and_then(Value::as_str).is_none() {
                return Err(format!("issuers[{i}]: expected a string \"iss\""));
            }
            if iss.get("jwks").and_then(|j| j.get("keys")).and_then(Value::as_array).is_none() {
                return Err(format!("issuers[{i}]: expected \"jwks\": {{ \"keys\": [...] }}"));
            }
        }
        Ok(CdsTrust { path, json, base_url, issuers })
    }
}

/// The CDS Hooks routes, with their own state.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/cds-services", get(discovery))
        .route(&format!("/cds-services/{SERVICE_ID}"), post(service))
        .route(&format!("/cds-services/{SERVICE_ID}/feedback"), post(feedback))
        .with_state(state)
}

fn require_trust(state: &AppState) -> Result<&CdsTrust, AppError> {
    state
        .cds_trust()
        .ok_or_else(|| AppError::Unauthorized("CDS Hooks is not configured on this server: start it with --cds-trust FILE".into()))
}

/// The discovery document.
pub fn discovery_document() -> Value {
    json!({
        "services": [{
            "hook": "patient-view",
            "id": SERVICE_ID,
            "title": "Liver metastases: treatment options",
            "description": "Explains which of the nine treatment areas for secondary cancer in the liver are usual, possible, depend on missing information, or unlikely, with sources.",
            "prefetch": {
                "patient": "Patient/{{context.patientId}}",
                "conditions": "Condition?patient={{context.patientId}}",
                "observations": "Observation?patient={{context.patientId}}",
                "medications": "MedicationRequest?patient={{context.patientId}}"
            }
        }]
    })
}

async fn discovery(State(state): State<AppState>) -> Result<Response, AppError> {
    require_trust(&state)?;
    Ok(Json(discovery_document()).into_response())
}

async fn service(State(state): State<AppState>) -> Result<Response, AppError> {
    require_trust(&state)?;
    Err(AppError::NotImplemented("the CDS Hooks service is not available yet".into()))
}

async fn feedback(State(state): State<AppState>) -> Result<Response, AppError> {
    require_trust(&state)?;
    Err(AppError::NotImplemented("CDS Hooks feedback is not available yet".into()))
}
