//! `POST /feedback`: "Was this page helpful?", stored as path + answer + time.
//!
//! Only a same-site page path is accepted (no query, at most 200 characters),
//! so nothing personal can be smuggled in. The answer redirects back to the
//! page with `?feedback=thanks`, which shows a thank-you message.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::Redirect;
use serde::Deserialize;

use crate::AppState;
use crate::error::{AppError, PageError};

/// The posted form.
#[derive(Debug, Deserialize)]
pub struct Feedback {
    /// The page path.
    pub page: String,
    /// `yes` or `no`.
    pub helpful: String,
}

/// Whether `page` is a plain same-site path we may store and redirect to.
pub fn valid_page(page: &str) -> bool {
    page.starts_with('/')
        && !page.starts_with("//")
        && page.len() <= 200
        && page.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c))
}

/// `POST /feedback`.
pub async fn submit(State(state): State<AppState>, form: Result<Form<Feedback>, FormRejection>) -> Result<Redirect, PageError> {
    let Form(f) = form.map_err(|r| AppError::BadRequest(r.body_text()))?;
    let helpful = match f.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::BadRequest("helpful must be yes or no".into()).into()),
    };
    if !valid_page(&f.page) {
        return Err(AppError::BadRequest("page must be a path on this site".into()).into());
    }
    let db = state.db().clone();
    let page = f.page.clone();
    tokio::task::spawn_blocking(move || db.record_feedback(&page, helpful))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to(&format!("{}?feedback=thanks#feedback", f.page)))
}
