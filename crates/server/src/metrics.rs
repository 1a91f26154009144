//! Prometheus metrics at `GET /metrics` (text exposition format 0.0.4).
//!
//! Counted per route template (axum's `MatchedPath`, e.g. `/treatments/{id}`,
//! never the real path or query) and status code: requests, and a latency
//! histogram. Also requests in flight (decremented by a drop guard, so a
//! request dropped by the timeout or a client that went away is not counted
//! for ever), open connections, connections refused over the cap or closed by
//! a timer, requests shed under load, build and knowledge-base versions, and
//! the process start time. Only aggregate numbers: no case data, no
//! addresses, no ids. The counters are process-wide, so every router in one
//! process shares them.
//!
//! Deployments should expose `/metrics` to their monitoring network only.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hepatica_knowledge::Knowledge;

/// Upper bounds of the latency histogram, in seconds.
pub const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

struct Registry {
    started: f64,
    series: Mutex<BTreeMap<(&'static str, String, u16), Series>>,
    in_flight: AtomicI64,
    connections_open: AtomicI64,
    connections_refused: AtomicU64,
    connections_timed_out: AtomicU64,
    requests_shed: AtomicU64,
}

fn registry() -> &'static Registry {
    static REG: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REG.get_or_init(|| Registry {
        started: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0),
        series: Mutex::new(BTreeMap::new()),
        in_flight: AtomicI64::new(0),
        connections_open: AtomicI64::new(0),
        connections_refused: AtomicU64::new(0),
        connections_timed_out: AtomicU64::new(0),
        requests_shed: AtomicU64::new(0),
    })
}

/// Counts one open connection while alive.
pub struct ConnectionGuard(());

impl ConnectionGuard {
    /// A connection was accepted.
    pub fn new() -> ConnectionGuard {
        registry().connections_open.fetch_add(1, Ordering::Relaxed);
        ConnectionGuard(())
    }
}

impl Default for ConnectionGuard {
    fn default() -> Self {
        ConnectionGuard::new()
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        registry().connections_open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A connection was refused because the connection cap was reached.
pub fn connection_refused() {
    registry().connections_refused.fetch_add(1, Ordering::Relaxed);
}

/// A connection was closed by the first-byte or header-read timer.
pub fn connection_timed_out() {
    registry().connections_timed_out.fetch_add(1, Ordering::Relaxed);
}

/// A request was answered 503 by the concurrency limit.
pub fn request_shed() {
    registry().requests_shed.fetch_add(1, Ordering::Relaxed);
}

/// Requests being handled now.
pub fn in_flight() -> i64 {
    registry().in_flight.load(Ordering::Relaxed)
}

/// Decrements the in-flight gauge when the request's future ends or is dropped.
struct InFlight;

impl InFlight {
    fn start() -> InFlight {
        registry().in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        registry().in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

fn method_label(m: &axum::http::Method) -> &'static str {
    match m.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "PATCH" => "PATCH",
        _ => "other",
    }
}

/// Adds `/metrics` to `app` and counts every request that reaches it.
pub fn instrument(app: Router) -> Router {
    app.route("/metrics", get(metrics)).layer(axum::middleware::from_fn(track))
}

async fn track(req: Request, next: Next) -> Response {
    let reg = registry();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".to_string());
    let method = method_label(req.method());
    let guard = InFlight::start();
    let start = Instant::now();
    let res = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    drop(guard);
    let mut series = reg.series.lock().unwrap_or_else(|p| p.into_inner());
    let s = series.entry((method, route, res.status().as_u16())).or_default();
    s.count += 1;
    s.sum += secs;
    for (b, le) in s.buckets.iter_mut().zip(BUCKETS) {
        if secs <= le {
            *b += 1;
        }
    }
    res
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The exposition text.
pub fn render() -> String {
    let reg = registry();
    let kb = Knowledge::embedded();
    let mut out = String::new();
    let _ = writeln!(out, "# HELP hepatica_build_info Program and knowledge-base versions.");
    let _ = writeln!(out, "# TYPE hepatica_build_info gauge");
    let _ = writeln!(
        out,
        "hepatica_build_info{{version=\"{}\",knowledge_base=\"{}\",knowledge_base_published=\"{}\"}} 1",
        escape(env!("CARGO_PKG_VERSION")),
        escape(&kb.meta.version),
        kb.meta.published
    );
    let _ = writeln!(out, "# HELP process_start_time_seconds Start time of the process since the Unix epoch, in seconds.");
    let _ = writeln!(out, "# TYPE process_start_time_seconds gauge");
    let _ = writeln!(out, "process_start_time_seconds {}", reg.started);
    let _ = writeln!(out, "# HELP hepatica_http_requests_in_flight Requests being handled now.");
    let _ = writeln!(out, "# TYPE hepatica_http_requests_in_flight gauge");
    let _ = writeln!(out, "hepatica_http_requests_in_flight {}", reg.in_flight.load(Ordering::Relaxed));
    let _ = writeln!(out, "# HELP hepatica_http_connections_open Connections open now.");
    let _ = writeln!(out, "# TYPE hepatica_http_connections_open gauge");
    let _ = writeln!(out, "hepatica_http_connections_open {}", reg.connections_open.load(Ordering::Relaxed));
    for (name, help, v) in [
        (
            "hepatica_http_connections_refused_total",
            "Connections closed at once because the connection cap was reached.",
            &reg.connections_refused,
        ),
        (
            "hepatica_http_connections_timed_out_total",
            "Connections closed by the first-byte or header-read timer.",
            &reg.connections_timed_out,
        ),
        ("hepatica_http_requests_shed_total", "Requests answered 503 by the concurrency limit.", &reg.requests_shed),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} counter");
        let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
    }
    let series = reg.series.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let _ = writeln!(out, "# HELP hepatica_http_requests_total Requests answered, by method, route template and status.");
    let _ = writeln!(out, "# TYPE hepatica_http_requests_total counter");
    for ((method, route, status), s) in &series {
        let _ = writeln!(
            out,
            "hepatica_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
            escape(route),
            s.count
        );
    }
    let _ = writeln!(out, "# HELP hepatica_http_request_duration_seconds Time to answer, by method and route template.");
    let _ = writeln!(out, "# TYPE hepatica_http_request_duration_seconds histogram");
    let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
    for ((method, route, _), s) in &series {
        let agg = by_route.entry((method, route.as_str())).or_default();
        agg.count += s.count;
        agg.sum += s.sum;
        for (a, b) in agg.buckets.iter_mut().zip(s.buckets) {
            *a += b;
        }
    }
    for ((method, route), s) in &by_route {
        let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
        for (le, n) in BUCKETS.iter().zip(s.buckets) {
            let _ = writeln!(out, "hepatica_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {n}");
        }
        let _ = writeln!(out, "hepatica_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
        let _ = writeln!(out, "hepatica_http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
        let _ = writeln!(out, "hepatica_http_request_duration_seconds_count{{{labels}}} {}", s.count);
    }
    out
}

async fn metrics() -> Response {
    let mut res = render().into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    /// The registry is process-wide: these tests run one at a time.
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[tokio::test]
    async fn counts_requests_by_route_template_and_status() {
        let _serial = SERIAL.lock().await;
        let app = instrument(Router::new().route("/things/{id}", get(|| async { "ok" })));
        for path in ["/things/secret-value-1", "/things/secret-value-2", "/nothing-here"] {
            let _ = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        }
        let res = app.oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/plain; version=0.0.4; charset=utf-8");
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.contains("hepatica_http_requests_total{method=\"GET\",route=\"/things/{id}\",status=\"200\"} 2"), "{text}");
        assert!(text.contains("route=\"unmatched\",status=\"404\""), "{text}");
        assert!(!text.contains("secret-value"), "real paths never appear");
        assert!(text.contains("hepatica_build_info{"));
        assert!(text.contains("le=\"+Inf\"} 2"));
    }

    #[tokio::test]
    async fn in_flight_goes_back_down_when_a_request_is_dropped() {
        let _serial = SERIAL.lock().await;
        let app = instrument(Router::new().route("/hang", get(std::future::pending::<&'static str>)));
        let before = in_flight();
        let req = app.oneshot(Request::get("/hang").body(Body::empty()).unwrap());
        // The client goes away (or the timeout fires) before an answer.
        let r = tokio::time::timeout(std::time::Duration::from_millis(50), req).await;
        assert!(r.is_err());
        assert_eq!(in_flight(), before, "a dropped request is no longer in flight");
    }
}
