//! The stylesheet, the small enhancement script and the icon.
//!
//! Each is embedded in the binary and served under a URL that carries a hash
//! of its content (`/assets/site.<hash>.css`), so it can be cached for a year
//! and a new build can never show a stale file. No third-party requests.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::{AppError, AppState};

/// The stylesheet.
pub const CSS: &str = include_str!("../assets/site.css");
/// The enhancement script.
pub const JS: &str = include_str!("../assets/site.js");
/// The icon.
pub const ICON: &str = include_str!("../assets/icon.svg");

struct Asset {
    name: String,
    body: &'static str,
    mime: &'static str,
}

static ASSETS: LazyLock<[Asset; 3]> = LazyLock::new(|| {
    [
        Asset { name: format!("site.{}.css", hash(CSS)), body: CSS, mime: "text/css; charset=utf-8" },
        Asset { name: format!("site.{}.js", hash(JS)), body: JS, mime: "text/javascript; charset=utf-8" },
        Asset { name: format!("icon.{}.svg", hash(ICON)), body: ICON, mime: "image/svg+xml" },
    ]
});

/// URL of the stylesheet.
pub fn css_url() -> String {
    format!("/assets/{}", ASSETS[0].name)
}

/// URL of the script.
pub fn js_url() -> String {
    format!("/assets/{}", ASSETS[1].name)
}

/// URL of the icon.
pub fn icon_url() -> String {
    format!("/assets/{}", ASSETS[2].name)
}

/// FNV-1a 64, first 10 hex digits: enough to bust caches, not a security hash.
fn hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")[..10].to_string()
}

/// `GET /assets/{file}`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let a = ASSETS.iter().find(|a| a.name == file).ok_or(AppError::NotFound)?;
    let mut res = a.body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(res)
}
