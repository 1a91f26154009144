//! `POST /feedback`: "Was this page helpful?", stored as path + answer + time.
//!
//! What may be stored is tight, so nothing personal can be smuggled in and the
//! table cannot be flooded:
//! - only a **known page path** of this site ([`known_page`]: the fixed pages,
//!   and `/treatments/{id}` or `/drugs/{id}` for ids in the knowledge base), so
//!   `/John-Smith-1961-03-02` is refused;
//! - only **same-origin** posts ([`same_origin`]): a browser's `Sec-Fetch-Site`
//!   must be `same-origin`, or else an `Origin` must match `Host`; a cross-site
//!   form post is refused with 403 (this site sends `Referrer-Policy:
//!   no-referrer`, so a browser's own same-origin post may carry `Origin: null`;
//!   that is accepted, deliberately, only when `Sec-Fetch-Site` is absent: see
//!   "Feedback and cross-site posts" in docs/safety/operations.md for why, and
//!   what else bounds the route);
//! - a **rate per client address** ([`RateLimiter`], `--feedback-per-minute`), 429 over it;
//! - a **row cap** on the table (`--feedback-max-rows`), 503 when full.
//!
//! The answer redirects back to the page with `?feedback=thanks`, which shows
//! a thank-you message.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::Redirect;
use hepatica_knowledge::Knowledge;
use serde::Deserialize;

use crate::AppState;
use crate::db::FeedbackError;
use crate::error::{AppError, PageError};

/// The posted form.
#[derive(Debug, Deserialize)]
pub struct Feedback {
    /// The page path.
    pub page: String,
    /// `yes` or `no`.
    pub helpful: String,
}

/// Pages with a fixed path that show the feedback box.
pub const FIXED_PAGES: &[&str] = &[
    "/",
    "/check",
    "/results",
    "/clinician",
    "/treatments",
    "/glossary",
    "/drugs",
    "/ask",
    "/questions",
    "/about",
    "/about/changes",
    "/support",
];

/// Whether `page` is a plain same-site path we may store and redirect to.
pub fn valid_page(page: &str) -> bool {
    page.starts_with('/')
        && !page.starts_with("//")
        && page.len() <= 200
        && page.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c))
}

/// Whether `page` is a page this site has (not merely path-shaped).
pub fn known_page(kb: &Knowledge, page: &str) -> bool {
    if !valid_page(page) {
        return false;
    }
    if FIXED_PAGES.contains(&page) {
        return true;
    }
    if let Some(id) = page.strip_prefix("/treatments/") {
        return kb.treatments.iter().any(|t| t.id == id);
    }
    if let Some(id) = page.strip_prefix("/sources/") {
        return kb.source(id).is_some();
    }
    if let Some(id) = page.strip_prefix("/drugs/") {
        return kb.drugs.iter().any(|d| d.id == id);
    }
    false
}

/// Whether the post came from this site's own page (see the module docs).
///
/// Ambiguous headers are refused, not guessed at: a `Sec-Fetch-Site`, `Origin`
/// or `Host` that is repeated, empty or not readable text is never a browser's
/// own same-origin post (outsider red team). An `Origin` must match both the
/// host and the scheme the page was served over: `https` when a proxy in front
/// says so in one `X-Forwarded-Proto` (a cross-site form cannot set that
/// header, and a script would need a CORS preflight this site never grants),
/// otherwise `http`, the only scheme this server speaks itself.
pub fn same_origin(headers: &HeaderMap) -> bool {
    /// The one readable, non-empty value of `name`; `Err` when the header is
    /// there but repeated, empty or not text.
    fn one<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, ()> {
        let mut all = headers.get_all(name).iter();
        let Some(first) = all.next() else { return Ok(None) };
        if all.next().is_some() {
            return Err(());
        }
        match first.to_str().map(str::trim) {
            Ok(v) if !v.is_empty() => Ok(Some(v)),
            _ => Err(()),
        }
    }
    let Ok(site) = one(headers, "sec-fetch-site") else { return false };
    if let Some(site) = site {
        return site.eq_ignore_ascii_case("same-origin") || site.eq_ignore_ascii_case("none");
    }
    let Ok(origin) = one(headers, header::ORIGIN.as_str()) else { return false };
    match origin {
        None | Some("null") => true,
        Some(origin) => {
            let (Ok(Some(host)), Ok(proto)) = (one(headers, header::HOST.as_str()), one(headers, "x-forwarded-proto")) else {
                return false;
            };
            let scheme = match proto {
                None => "http",
                Some(p) if p.eq_ignore_ascii_case("https") => "https",
                Some(p) if p.eq_ignore_ascii_case("http") => "http",
                Some(_) => return false,
            };
            let Some((origin_scheme, authority)) = origin.split_once("://") else { return false };
            origin_scheme.eq_ignore_ascii_case(scheme) && authority.eq_ignore_ascii_case(host)
        }
    }
}

/// Fixed one-minute windows per client address.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<Option<IpAddr>, (u64, u32)>>,
}

/// Most client addresses tracked before old windows are dropped.
const MAX_TRACKED: usize = 10_000;

impl RateLimiter {
    /// `per_minute` posts per address.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one post from `client` at `now` (seconds); `false` over the limit.
    pub fn allow(&self, client: Option<IpAddr>, now: u64) -> bool {
        let minute = now / 60;
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() >= MAX_TRACKED {
            w.retain(|_, (m, _)| *m == minute);
        }
        let e = w.entry(client).or_insert((minute, 0));
        if e.0 != minute {
            *e = (minute, 0);
        }
        if e.1 >= self.per_minute {
            return false;
        }
        e.1 += 1;
        true
    }
}

/// `POST /feedback`.
pub async fn submit(
    State(state): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<Feedback>, FormRejection>,
) -> Result<Redirect, PageError> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden("feedback is only accepted from this site's own pages".into()).into());
    }
    let Form(f) = form.map_err(|r| AppError::BadRequest(crate::layers::cut(&r.body_text(), 200)))?;
    let helpful = match f.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::BadRequest("helpful must be yes or no".into()).into()),
    };
    if !known_page(state.kb(), &f.page) {
        return Err(AppError::BadRequest("page must be a page of this site".into()).into());
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    if !state.feedback_rate().allow(peer.map(|axum::Extension(ConnectInfo(a))| a.ip()), now) {
        return Err(AppError::TooManyRequests("too many answers from this address; please try again in a minute".into()).into());
    }
    let db = state.db().clone();
    let page = f.page.clone();
    let max_rows = state.limits().feedback_max_rows;
    tokio::task::spawn_blocking(move || db.record_feedback_capped(&page, helpful, max_rows))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| match e {
            FeedbackError::Full(_) => AppError::Unavailable("feedback is not being collected right now".into()),
            FeedbackError::Store(e) => e.into(),
        })?;
    Ok(Redirect::to(&format!("{}?feedback=thanks#feedback", f.page)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_known_pages_are_accepted() {
        let kb = Knowledge::embedded();
        assert!(known_page(kb, "/"));
        assert!(known_page(kb, "/treatments/surgery"));
        assert!(known_page(kb, &format!("/drugs/{}", kb.drugs[0].id)));
        for bad in ["/John-Smith-1961-03-02-NHS-9434765919", "/treatments/john-smith", "/drugs/x", "//evil", "/about/x"] {
            assert!(!known_page(kb, bad), "{bad}");
        }
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_static(v));
            }
            m
        };
        assert!(same_origin(&h(&[])), "no browser, no CSRF");
        assert!(same_origin(&h(&[("sec-fetch-site", "same-origin"), ("origin", "null")])));
        // Deliberate (docs/safety/operations.md, "Feedback and cross-site posts"): under this
        // site's `Referrer-Policy: no-referrer` an older browser's own post says `Origin: null`
        // and has no Sec-Fetch-Site. A browser that sends Sec-Fetch-Site is judged by it alone.
        assert!(same_origin(&h(&[("origin", "null"), ("host", "localhost:8080")])));
        assert!(!same_origin(&h(&[("sec-fetch-site", "cross-site"), ("origin", "null")])));
        assert!(!same_origin(&h(&[("sec-fetch-site", "cross-site"), ("origin", "http://localhost:8080"), ("host", "localhost:8080")])));
        assert!(same_origin(&h(&[("origin", "http://localhost:8080"), ("host", "localhost:8080")])));
        assert!(!same_origin(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&h(&[("sec-fetch-site", "same-site")])));
        assert!(!same_origin(&h(&[("origin", "https://evil.example"), ("host", "localhost:8080")])));
        // The scheme counts too: plain http unless a proxy says the page was served over https.
        assert!(!same_origin(&h(&[("origin", "https://localhost:8080"), ("host", "localhost:8080")])));
        assert!(!same_origin(&h(&[("origin", "ftp://localhost:8080"), ("host", "localhost:8080")])));
        assert!(same_origin(&h(&[("origin", "https://hepatica.example"), ("host", "hepatica.example"), ("x-forwarded-proto", "https")])));
        assert!(!same_origin(&h(&[("origin", "http://hepatica.example"), ("host", "hepatica.example"), ("x-forwarded-proto", "https")])));
        assert!(!same_origin(&h(&[("origin", "http://localhost:8080"), ("host", "localhost:8080"), ("x-forwarded-proto", "gopher")])));
        assert!(!same_origin(&h(&[("origin", "http://localhost:8080")])), "an Origin without a Host matches nothing");
    }

    #[test]
    fn ambiguous_headers_are_refused() {
        let h = |pairs: &[(&'static str, &'static [u8])]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.append(*k, HeaderValue::from_bytes(v).unwrap());
            }
            m
        };
        assert!(!same_origin(&h(&[("sec-fetch-site", b"")])), "an empty Sec-Fetch-Site is not a browser's");
        assert!(!same_origin(&h(&[("sec-fetch-site", b"same-origin"), ("sec-fetch-site", b"cross-site")])));
        assert!(!same_origin(&h(&[("sec-fetch-site", b"same-origin"), ("sec-fetch-site", b"same-origin")])));
        assert!(!same_origin(&h(&[("sec-fetch-site", b"\xffsame-origin")])), "not text");
        assert!(!same_origin(&h(&[("origin", b"null"), ("origin", b"https://evil.example")])));
        assert!(!same_origin(&h(&[("origin", b"")])));
        assert!(!same_origin(&h(&[("origin", b"http://a"), ("host", b"a"), ("host", b"b")])));
        assert!(same_origin(&h(&[("sec-fetch-site", b"same-origin")])), "one clear same-origin header is enough");
    }

    #[test]
    fn the_rate_is_per_client_and_minute() {
        let r = RateLimiter::new(2);
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(r.allow(a, 60) && r.allow(a, 61));
        assert!(!r.allow(a, 62));
        assert!(r.allow(b, 62), "another client is not affected");
        assert!(r.allow(a, 120), "a new minute");
    }
}
