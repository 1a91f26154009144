//! The layers every response passes through.
//!
//! Outermost first: a request id (`x-request-id`: a caller's id is kept only
//! when it is a short safe token, at most [`MAX_REQUEST_ID_CHARS`] of
//! `A-Z a-z 0-9 . _ -`; anything else is replaced by a generated UUID, so a
//! 300 KB header never reaches the log), a trace span that logs method, path (never the query or
//! body), status and latency, security headers, compression (br, gzip), a
//! 30-second timeout and the 1 MiB body limit. Nothing here reads or logs
//! case data.
//!
//! [`shed`] is the in-process concurrency limit that `serve` puts outside all
//! of these: over the limit a request is answered at once with 503 and
//! `Retry-After` instead of queueing (`/healthz` is never shed); it reads a
//! request's body before the request takes a slot, so slow bodies hold none.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use std::sync::Arc;

use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::MAX_BODY_BYTES;

/// The Content-Security-Policy: same-origin only, no inline script or style.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; \
connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `Permissions-Policy`: no powerful features are used.
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), accelerometer=(), gyroscope=(), magnetometer=()";

/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest caller-supplied `x-request-id` that is kept.
pub const MAX_REQUEST_ID_CHARS: usize = 64;

/// Whether a caller's request id is short and safe to echo and log.
pub fn safe_request_id(v: &[u8]) -> bool {
    !v.is_empty() && v.len() <= MAX_REQUEST_ID_CHARS && v.iter().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b))
}

/// `s` cut to `max` characters, with `…` when it was longer (for echoing input).
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() > max { format!("{}…", s.chars().take(max).collect::<String>()) } else { s.to_string() }
}

/// Drops an unsafe `x-request-id` so that one is generated instead.
async fn drop_unsafe_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    let name = HeaderName::from_static("x-request-id");
    let all: Vec<&HeaderValue> = req.headers().get_all(&name).iter().collect();
    if all.len() > 1 || all.first().is_some_and(|v| !safe_request_id(v.as_bytes())) {
        req.headers_mut().remove(&name);
    }
    req
}

/// Seconds a shed client is asked to wait.
pub const RETRY_AFTER_SECS: u64 = 1;

/// At most `max_in_flight` requests at once, and of those at most `max_heavy`
/// FHIR or CDS Hooks posts (a 32 MiB Bundle costs many times its size in memory
/// while it is parsed and mapped, so these are bounded apart); the rest get 503
/// with `Retry-After` at once (no queue, so a burst cannot pile up memory or
/// latency). The probes `/healthz` and `/readyz` are never shed: slow clients
/// filling the slots must not make a load balancer take the server out. A slot
/// is freed when the response is done or the request is dropped (timeout,
/// client gone).
///
/// A request takes its slot only once its whole body has arrived: within
/// [`BODY_READ_TIMEOUT`] (at most [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES)),
/// or for a FHIR or CDS Hooks post within [`HEAVY_BODY_DEADLINE`] (at most
/// `heavy_body_limit`). A client sending a body a byte at a time must not hold
/// a slot: two slow posts without a token had turned every signed CDS call
/// away, and 600 slow form posts filled the 512 general slots (outsider red
/// team). While bodies arrive their bytes count against budgets (`max_heavy`
/// full FHIR bodies; [`BODY_BUDGET_KIB_PER_SLOT`] a general slot), so memory
/// stays bounded; a slow body holds only the bytes it has sent, and a body
/// that would overrun a budget is answered 503.
pub fn shed(app: Router, max_in_flight: usize, max_heavy: usize, heavy_body_limit: usize) -> Router {
    let slots = Arc::new(tokio::sync::Semaphore::new(max_in_flight.max(1)));
    let heavy = Arc::new(tokio::sync::Semaphore::new(max_heavy.max(1)));
    let kib = |bytes: usize| u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
    let heavy_budget = Arc::new(tokio::sync::Semaphore::new(
        (kib(heavy_body_limit) as usize).saturating_mul(max_heavy.max(1)).min(tokio::sync::Semaphore::MAX_PERMITS),
    ));
    let budget = Arc::new(tokio::sync::Semaphore::new(
        max_in_flight
            .max(1)
            .saturating_mul(BODY_BUDGET_KIB_PER_SLOT)
            .max(kib(crate::MAX_BODY_BYTES) as usize)
            .min(tokio::sync::Semaphore::MAX_PERMITS),
    ));
    app.layer(axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| {
        let (slots, heavy, heavy_budget, budget) = (slots.clone(), heavy.clone(), heavy_budget.clone(), budget.clone());
        async move {
            let path = req.uri().path();
            if path == "/healthz" || path == "/readyz" {
                return next.run(req).await;
            }
            let fhir_route = crate::error::is_fhir_route(path);
            let is_heavy = req.method() == axum::http::Method::POST && fhir_route;
            let cds = path.starts_with("/cds-services");
            let (limit, deadline, budget) = if fhir_route {
                (heavy_body_limit, HEAVY_BODY_DEADLINE, &heavy_budget)
            } else {
                (crate::MAX_BODY_BYTES, BODY_READ_TIMEOUT, &budget)
            };
            let (req, _held) = match read_body_first(req, limit, deadline, budget, cds).await {
                Ok(got) => got,
                Err(answer) => return early(answer),
            };
            let Ok(_slot) = slots.try_acquire_owned() else { return early(busy()) };
            let _heavy = match is_heavy.then(|| heavy.try_acquire_owned()) {
                Some(Err(_)) => return early(busy()),
                held => held,
            };
            next.run(req).await
        }
    }))
}

/// KiB of request bodies being received that each general in-flight slot
/// allows (512 slots: 64 MiB in all); a single body may always be of full size.
pub const BODY_BUDGET_KIB_PER_SLOT: usize = 128;

/// The request with its body read to the end (within `deadline`, at most
/// `limit` bytes, counted against `budget`) and the budget it holds, or the
/// answer to send instead: 413 over the limit, 408 too slow, 503 over the
/// budget, 400 unreadable. A request without a body passes as it is.
async fn read_body_first(
    req: axum::extract::Request,
    limit: usize,
    deadline: Duration,
    budget: &Arc<tokio::sync::Semaphore>,
    cds: bool,
) -> Result<(axum::extract::Request, Vec<tokio::sync::OwnedSemaphorePermit>), Response> {
    use http_body::Body as _;
    if req.body().is_end_stream() || req.body().size_hint().exact() == Some(0) {
        return Ok((req, Vec::new()));
    }
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(crate::error::payload_too_large(limit, cds));
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(deadline, receive(body, limit, budget)).await {
        Ok(Ok((bytes, held))) => Ok((axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes)), held)),
        Ok(Err(Received::TooLarge)) => Err(crate::error::payload_too_large(limit, cds)),
        Ok(Err(Received::Busy)) => Err(busy()),
        Ok(Err(Received::Broken)) => Err(crate::error::AppError::BadRequest("the request body could not be read".into()).into_response()),
        Err(_) => {
            let mut res = crate::error::AppError::BadRequest(format!("the request body did not arrive within {} s", deadline.as_secs()))
                .into_response();
            *res.status_mut() = StatusCode::REQUEST_TIMEOUT;
            Err(res)
        }
    }
}

/// A whole FHIR or CDS Hooks body must arrive within this time (it is read
/// before the request takes a heavy slot).
pub const HEAVY_BODY_DEADLINE: Duration = Duration::from_secs(20);

/// Why a body was not received.
enum Received {
    TooLarge,
    Busy,
    Broken,
}

/// Reads `body` to the end, at most `limit` bytes, taking a permit (1 KiB)
/// from `budget` for each KiB of buffer it holds as it arrives; the permits are returned with
/// the bytes and released when the request is done.
async fn receive(
    mut body: axum::body::Body,
    limit: usize,
    budget: &Arc<tokio::sync::Semaphore>,
) -> Result<(axum::body::Bytes, Vec<tokio::sync::OwnedSemaphorePermit>), Received> {
    use http_body::Body as _;
    let mut buf = Vec::new();
    let mut held = Vec::new();
    let mut counted = 0usize;
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|_| Received::Broken)?;
        let Ok(data) = frame.into_data() else { continue };
        if buf.len() + data.len() > limit {
            return Err(Received::TooLarge);
        }
        buf.extend_from_slice(&data);
        // The memory held is the buffer's capacity (it grows by doubling), not
        // its length: count that, so the budget bounds what is really held.
        let kib = buf.capacity().div_ceil(1024);
        if kib > counted {
            let more = u32::try_from(kib - counted).map_err(|_| Received::TooLarge)?;
            held.push(budget.clone().try_acquire_many_owned(more).map_err(|_| Received::Busy)?);
            counted = kib;
        }
    }
    Ok((axum::body::Bytes::from(buf), held))
}

/// 503 problem details with `Retry-After`.
fn busy() -> Response {
    crate::metrics::request_shed();
    let mut res = crate::error::AppError::Unavailable("the server is busy; please try again in a moment".into()).into_response();
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    res
}

/// A request body must arrive within this time, so a client sending it a byte
/// at a time cannot hold a request slot for the whole request timeout.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The security headers every response carries (unless it sets its own).
fn security_headers() -> [(HeaderName, &'static str); 7] {
    [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (HeaderName::from_static("permissions-policy"), PERMISSIONS_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (header::CACHE_CONTROL, "no-cache"),
    ]
}

/// An answer [`shed`] gives before the request reaches the other layers (503
/// busy, 408, 413): with the same security headers and a generated
/// `x-request-id`, as every other answer has (outsider red team: the busy
/// answer had none).
fn early(mut res: Response) -> Response {
    for (name, value) in security_headers() {
        if !res.headers().contains_key(&name) {
            res.headers_mut().insert(name, HeaderValue::from_static(value));
        }
    }
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), id);
    }
    res
}

/// Wraps the router in every layer.
pub fn apply(app: Router) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let headers = security_headers();
    let mut app = app
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT))
        .layer(CompressionLayer::new());
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    app.layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
                    // The route only, as written in the router (`/treatments/{id}`): queries
                    // can hold search words, bodies case data, and a mistyped or probing
                    // path anything at all (a name, a date of birth), so an unmatched path
                    // is logged as "unmatched".
                    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
                    tracing::info_span!("request", id = %id, method = %req.method(), route = %route)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .layer(axum::middleware::map_request(drop_unsafe_request_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn long_or_unsafe_request_ids_are_replaced() {
        let app = apply(Router::new().route("/", get(|| async { "ok" })));
        let id = |v: Option<&str>| {
            let app = app.clone();
            let v = v.map(str::to_string);
            async move {
                let mut req = Request::get("/");
                if let Some(v) = v {
                    req = req.header("x-request-id", v);
                }
                let res = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
                res.headers()["x-request-id"].to_str().unwrap().to_string()
            }
        };
        assert_eq!(id(Some("abc-123_X.y")).await, "abc-123_X.y");
        for bad in ["x".repeat(300_000), "a b".into(), "<script>".into(), "x".repeat(65), "é".into()] {
            let got = id(Some(&bad)).await;
            assert_ne!(got, bad);
            assert!(uuid::Uuid::parse_str(&got).is_ok(), "{got}");
        }
        assert!(uuid::Uuid::parse_str(&id(None).await).is_ok());
    }

    #[tokio::test]
    async fn over_the_in_flight_limit_requests_get_503_with_retry_after() {
        let gate = Arc::new(tokio::sync::Notify::new());
        let g = gate.clone();
        let app = shed(
            Router::new()
                .route(
                    "/slow",
                    get(move || {
                        let g = g.clone();
                        async move {
                            g.notified().await;
                            "done"
                        }
                    }),
                )
                .route("/healthz", get(|| async { "ok" }))
                .route("/readyz", get(|| async { "ready" })),
            1,
            1,
            1 << 20,
        );
        let first = tokio::spawn(app.clone().oneshot(Request::get("/slow").body(Body::empty()).unwrap()));
        tokio::task::yield_now().await;
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        let res = app.clone().oneshot(Request::get("/slow").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
        assert_eq!(res.headers()[header::CONTENT_TYPE], crate::error::PROBLEM_JSON);
        // The busy answer carries the security headers and a request id, as every answer does.
        assert_eq!(res.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(res.headers()[header::X_FRAME_OPTIONS], "DENY");
        assert!(uuid::Uuid::parse_str(res.headers()["x-request-id"].to_str().unwrap()).is_ok());
        let res = app.clone().oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "liveness is never shed");
        let res = app.clone().oneshot(Request::get("/readyz").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "readiness is never shed: slow clients must not take the server out of service");
        gate.notify_one();
        assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::OK);
        // The slot is free again, also after a dropped (cancelled) request.
        let dropped = tokio::spawn(app.clone().oneshot(Request::get("/slow").body(Body::empty()).unwrap()));
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        dropped.abort();
        let _ = dropped.await;
        let res = app.oneshot(Request::get("/healthz-not").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "a cancelled request gives its slot back");
    }

    /// A body that sends its first bytes and then nothing more, ever.
    struct Trickle(Option<axum::body::Bytes>);

    impl http_body::Body for Trickle {
        type Data = axum::body::Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
            match self.0.take() {
                Some(b) => std::task::Poll::Ready(Some(Ok(http_body::Frame::data(b)))),
                None => std::task::Poll::Pending,
            }
        }
    }

    /// A slow body holds no request slot: 600 slow form posts had filled the
    /// 512 general slots (outsider red team). It is answered 408 when it has
    /// not arrived within [`BODY_READ_TIMEOUT`], and a quick body still
    /// reaches its handler whole.
    #[tokio::test(start_paused = true)]
    async fn a_slow_body_holds_no_slot_and_times_out() {
        let app = shed(
            Router::new()
                .route("/results", axum::routing::post(|b: axum::body::Bytes| async move { b.len().to_string() }))
                .route("/treatments", get(|| async { "page" })),
            1,
            1,
            1 << 20,
        );
        let slow = Request::post("/results").body(Body::new(Trickle(Some("primary_site=bo".into())))).unwrap();
        let slow = tokio::spawn(app.clone().oneshot(slow));
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        let res = app.clone().oneshot(Request::get("/treatments").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "the only slot is free while the slow body arrives");
        let res = app.clone().oneshot(Request::post("/results").body(Body::from("primary_site=bowel")).unwrap()).await.unwrap();
        assert_eq!(axum::body::to_bytes(res.into_body(), 100).await.unwrap(), "18", "a quick body arrives whole");
        let res = slow.await.unwrap().unwrap();
        assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(res.headers()[header::CONTENT_TYPE], crate::error::PROBLEM_JSON);
        let over = Request::post("/results").body(Body::from(vec![b'x'; (1 << 20) + 1])).unwrap();
        assert_eq!(app.oneshot(over).await.unwrap().status(), StatusCode::PAYLOAD_TOO_LARGE, "over the general limit, undeclared");
    }

    /// See: red-team finding (a few 32 MiB Bundles at once cost gigabytes).
    #[tokio::test]
    async fn fhir_posts_have_their_own_smaller_limit() {
        let gate = Arc::new(tokio::sync::Notify::new());
        let g = gate.clone();
        let slow = move || {
            let g = g.clone();
            async move {
                g.notified().await;
                "done"
            }
        };
        let app = shed(
            Router::new()
                .route("/api/v1/assess/fhir", axum::routing::post(slow.clone()))
                .route("/api/v1/assess", axum::routing::post(|| async { "ok" })),
            8,
            1,
            1 << 20,
        );
        let post = |path: &str| Request::post(path).body(Body::empty()).unwrap();
        let first = tokio::spawn(app.clone().oneshot(post("/api/v1/assess/fhir")));
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        let res = app.clone().oneshot(post("/api/v1/assess/fhir")).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "a second Bundle waits for the first");
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
        let res = app.clone().oneshot(post("/api/v1/assess")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "other routes keep their own slots");
        gate.notify_one();
        assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::OK);
    }

    /// A FHIR or CDS body is read before its heavy slot is taken: one over the
    /// limit is 413 problem details (CORS on CDS), whether it declares its
    /// length or not, and a body within it reaches the handler whole.
    #[tokio::test]
    async fn fhir_bodies_are_read_first_and_held_to_their_limit() {
        let app = shed(
            Router::new()
                .route("/api/v1/assess/fhir", axum::routing::post(|b: axum::body::Bytes| async move { b.len().to_string() }))
                .route("/cds-services/x", axum::routing::post(|| async { "ok" })),
            8,
            1,
            1024,
        );
        let post = |path: &str, n: usize, declare: bool| {
            let mut r = Request::post(path);
            if declare {
                r = r.header(header::CONTENT_LENGTH, n);
            }
            r.body(Body::from(vec![b'x'; n])).unwrap()
        };
        let res = app.clone().oneshot(post("/api/v1/assess/fhir", 1024, false)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(axum::body::to_bytes(res.into_body(), 100).await.unwrap(), "1024", "the whole body reaches the handler");
        for declare in [true, false] {
            let res = app.clone().oneshot(post("/api/v1/assess/fhir", 1025, declare)).await.unwrap();
            assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "declared: {declare}");
            assert_eq!(res.headers()[header::CONTENT_TYPE], crate::error::PROBLEM_JSON);
        }
        let res = app.clone().oneshot(post("/cds-services/x", 2000, false)).await.unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }
}
