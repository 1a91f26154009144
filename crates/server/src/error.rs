//! The one error type for handlers, and its two faces.
//!
//! [`AppError`] answers as RFC 9457 problem details (`application/problem+json`)
//! on API routes; [`PageError`] wraps it for HTML routes and renders a calm,
//! accessible error page instead. 4xx answers are specific; a 5xx answer is
//! generic and its detail goes to the log (never case data).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hepatica_engine::FieldError;
use serde::Serialize;

/// Media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed request: bad JSON, wrong content type, bad query (400).
    #[error("{0}")]
    BadRequest(String),
    /// Missing or invalid credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Refused on purpose, e.g. a cross-site post (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such page or record (404).
    #[error("not found")]
    NotFound,
    /// Body over the limit (413).
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Request line and headers over the limit (431).
    #[error("the request line and headers are larger than {limit} bytes")]
    HeadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A well-formed case with invalid fields (422), every problem listed.
    #[error("the case is not valid ({} problems)", .0.len())]
    InvalidCase(Vec<FieldError>),
    /// `?kb=` named a knowledge-base version this server does not have, was
    /// empty, or was given more than once (422); the message names the
    /// versions that exist, and `errors` holds it with the pointer `?kb`.
    #[error("{0}")]
    UnknownKb(String),
    /// Too busy, a cap reached, or a rate exceeded, for now (503 or 429).
    #[error("{0}")]
    Unavailable(String),
    /// Too many requests from one client (429).
    #[error("{0}")]
    TooManyRequests(String),
    /// A route whose feature is not available yet (501).
    #[error("{0}")]
    NotImplemented(String),
    /// Anything else (500); the detail is logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::HeadTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            AppError::InvalidCase(_) | AppError::UnknownKb(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The detail safe to show to the caller.
    pub fn public_detail(&self) -> String {
        match self {
            AppError::InvalidCase(errors) => {
                format!("the case has {} invalid field{}; see errors", errors.len(), if errors.len() == 1 { "" } else { "s" })
            }
            AppError::Internal(_) => "something went wrong on our side; please try again".to_string(),
            AppError::NotFound => "there is nothing at this address".to_string(),
            other => other.to_string(),
        }
    }

    /// The problem-details body.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.public_detail(),
            errors: match self {
                AppError::InvalidCase(e) => capped(e),
                AppError::UnknownKb(detail) => vec![FieldError { pointer: "?kb".to_string(), detail: detail.clone() }],
                _ => Vec::new(),
            },
        }
    }
}

/// At most [`hepatica_engine::parse::MAX_ERRORS`] field problems, then one
/// "and N more" item (the engine caps its own; this covers every other source).
fn capped(errors: &[FieldError]) -> Vec<FieldError> {
    let max = hepatica_engine::parse::MAX_ERRORS;
    if errors.len() <= max + 1 {
        return errors.to_vec();
    }
    let mut out = errors[..max].to_vec();
    out.push(FieldError { pointer: String::new(), detail: format!("and {} more problems not listed", errors.len() - max) });
    out
}

/// RFC 9457 problem details, with the contract's `errors` extension.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Problem type URI; `about:blank` means "see the status".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status's reason phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for this request.
    pub detail: String,
    /// Field problems, each named by JSON pointer (422 only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        set_retry_after(&mut res);
        res
    }
}

/// A 429 says when to try again (the per-client rates are per minute), and so
/// does a 503 (a cap reached or the server busy: soon).
fn set_retry_after(res: &mut Response) {
    let secs = match res.status() {
        StatusCode::TOO_MANY_REQUESTS => 60,
        StatusCode::SERVICE_UNAVAILABLE => crate::layers::RETRY_AFTER_SECS,
        _ => return,
    };
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
}

/// Whether a path is a FHIR or CDS Hooks route (the larger body limit).
pub fn is_fhir_route(path: &str) -> bool {
    path == "/api/v1/assess/fhir" || path == "/cds-services" || path.starts_with("/cds-services/")
}

/// 413 problem details for a body over `limit` bytes; CDS Hooks answers
/// carry CORS (`cds`), as every CDS answer does.
pub fn payload_too_large(limit: usize, cds: bool) -> Response {
    let mut res = AppError::PayloadTooLarge { limit }.into_response();
    if cds {
        res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    res
}

/// Middleware: a body over the limit gets 413 problem details on every route.
///
/// A request that declares a `Content-Length` over the route's limit is
/// answered at once, without reading the body; a body that turns out too
/// large while an extractor reads it (axum answers that in plain text) is
/// rewritten to the same problem details.
pub async fn too_large_as_problem(State(state): State<crate::AppState>, req: Request, next: Next) -> Response {
    let limit = if is_fhir_route(req.uri().path()) { state.fhir_body_limit() } else { crate::MAX_BODY_BYTES };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    let cds = req.uri().path().starts_with("/cds-services");
    let too_large = || payload_too_large(limit, cds);
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let res = next.run(req).await;
    let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem {
        return too_large();
    }
    res
}

/// An [`AppError`] met while serving an HTML page: rendered as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self.0 {
            tracing::error!(%detail, "internal error");
        }
        let status = self.0.status();
        let (title, text) = match status {
            StatusCode::NOT_FOUND => {
                ("Page not found", "We could not find that page. It may have moved. Try the search box, or go to the home page.")
            }
            StatusCode::PAYLOAD_TOO_LARGE => {
                ("That was too much to send", "The form sent more than we can accept. Please go back and try again.")
            }
            StatusCode::BAD_REQUEST => ("Something was wrong with that request", "Please go back and try again."),
            StatusCode::FORBIDDEN => ("That was not sent from this site", "Please use the buttons on our own pages."),
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                ("We are busy right now", "Please wait a minute and try again.")
            }
            _ => ("Sorry, something went wrong", "Please try again in a few minutes."),
        };
        let markup = crate::pages::error_page(title, text);
        let mut res = (status, markup).into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        set_retry_after(&mut res);
        res
    }
}
