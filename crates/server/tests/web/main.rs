//! Router tests for hepatica-server, driven with `tower::ServiceExt::oneshot`.
//!
//! No sockets, no network: each test builds `router(AppState::for_tests())`
//! (embedded knowledge base, in-memory SQLite) and sends requests to it.

mod api;
mod forms;
mod headers;
mod kb;
mod openapi;
mod pages;
mod results;
mod weights;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, Response, StatusCode, header};
use hepatica_server::{AppState, router};
use tower::ServiceExt;

/// A fresh app.
pub fn app() -> Router {
    router(AppState::for_tests())
}

/// A fresh app and its state (to inspect the database).
pub fn app_with_state() -> (Router, AppState) {
    let state = AppState::for_tests();
    (router(state.clone()), state)
}

/// Sends one request.
pub async fn send(app: Router, req: Request<Body>) -> Response<Body> {
    app.oneshot(req).await.unwrap()
}

/// Reads a body as text.
pub async fn text(res: Response<Body>) -> String {
    String::from_utf8(to_bytes(res.into_body(), 10 << 20).await.unwrap().to_vec()).unwrap()
}

/// GET a path; status and body.
pub async fn get(path: &str) -> (StatusCode, String) {
    let res = send(app(), Request::get(path).body(Body::empty()).unwrap()).await;
    let status = res.status();
    (status, text(res).await)
}

/// POST a urlencoded form; status and body.
pub async fn post_form(app: Router, path: &str, form: &str) -> (StatusCode, String, Response<()>) {
    let res = send(
        app,
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(form.to_string())).unwrap(),
    )
    .await;
    let (parts, body) = res.into_parts();
    let status = parts.status;
    let body = String::from_utf8(to_bytes(body, 10 << 20).await.unwrap().to_vec()).unwrap();
    (status, body, Response::from_parts(parts, ()))
}

/// POST a urlencoded form, expect `303 See Other`, and GET where it points:
/// the redirect's location, then the page's status and body.
pub async fn post_follow(app: Router, path: &str, form: &str) -> (String, StatusCode, String) {
    let (status, body, res) = post_form(app.clone(), path, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let to = res.headers()[header::LOCATION].to_str().unwrap().to_string();
    let page = send(app, Request::get(&to).body(Body::empty()).unwrap()).await;
    let status = page.status();
    (to, status, text(page).await)
}

/// POST JSON; the response.
pub async fn post_json(path: &str, body: impl Into<Body>) -> Response<Body> {
    send(app(), Request::post(path).header(header::CONTENT_TYPE, "application/json").body(body.into()).unwrap()).await
}

/// The one `<h1>` of a page, as text.
pub fn h1(html: &str) -> String {
    assert_eq!(html.matches("<h1").count(), 1, "exactly one h1 expected");
    let start = html.find("<h1").unwrap();
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let end = open_end + html[open_end..].find("</h1>").unwrap();
    html[open_end..end].to_string()
}

/// Every page path the site has (besides the POST-only results pages).
pub fn page_paths() -> Vec<String> {
    let kb = hepatica_knowledge::Knowledge::embedded();
    let mut paths: Vec<String> = [
        "/",
        "/check",
        "/clinician",
        "/treatments",
        "/glossary",
        "/drugs",
        "/ask",
        "/ask?q=surgery",
        "/drugs?q=folfox",
        "/questions",
        "/about",
        "/support",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    paths.extend(hepatica_knowledge::TREATMENT_IDS.iter().map(|t| format!("/treatments/{t}")));
    paths.extend(kb.drugs.iter().map(|d| format!("/drugs/{}", d.id)));
    // A source page each for the first, a middle and the last source.
    let n = kb.sources.len();
    paths.extend([0, n / 2, n - 1].iter().map(|&i| format!("/sources/{}", kb.sources[i].id)));
    paths
}

/// A full patient form for a bowel case.
pub const BOWEL_FORM: &str = "for=carer&primary_site=bowel&bowel_side=left&liver.tumour_count=2&liver.largest_tumour_cm=2.5\
&liver.both_lobes=false&liver.near_major_vessels=&liver.all_removable=true&liver.liver_condition=normal\
&liver.future_liver_remnant_percent=45&spread_elsewhere=none&performance_status=1&fit_for_major_surgery=true\
&chemotherapy_history=none&primary_node_positive=false&disease_free_interval_months=18&cea_ng_ml=12.5\
&biomarkers.KRAS=wild_type&biomarkers.NRAS=wild_type&biomarkers.BRAF_V600=absent&biomarkers.MSI=stable";
