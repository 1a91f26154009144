//! The connection layer under the router: hyper's HTTP/1.1 server with every
//! timer and cap a public service needs, and a bounded graceful drain.
//!
//! axum's `serve` sets no header-read or idle timer, so a client that opens a
//! connection and sends nothing, or sends a request head one byte a minute,
//! holds a socket and a file descriptor forever (about 1,000 of them stop a
//! server with the default 1,024-descriptor limit). Here:
//!
//! - **first byte**: a connection that sends nothing within
//!   [`Limits::first_byte_timeout`] is closed before hyper sees it;
//! - **header read**: hyper closes a connection whose request head is not
//!   complete within [`Limits::header_read_timeout`]. Hyper starts this timer
//!   whenever it waits for a head, so it is also the keep-alive idle timeout
//!   between requests;
//! - **head size**: hyper's read buffer is capped at [`Limits::max_head_bytes`]
//!   (a longer head gets 431), so unfinished heads cannot pin much memory; a
//!   head that arrives in one large read can overshoot that buffer, so
//!   [`head_cap`] also measures every parsed head and answers 431 over the limit;
//! - **connections**: at most [`Limits::max_connections`] at once (and never
//!   more than the process's descriptor limit allows); a connection over the
//!   cap is closed at once and counted;
//! - **drain**: on SIGINT/SIGTERM the listener closes, open connections are
//!   asked to finish, and after [`Limits::drain_timeout`] the rest are dropped.
//!
//! With `serve --health-addr`, [`run_health`] serves `/healthz` and `/readyz`
//! on a listener of their own with [`health_limits`]: its own small connection
//! budget, apart from the public listener's caps and in-flight limit, so that
//! a flood that fills the public listener never fails a liveness probe. When
//! that budget is full the oldest health connection is closed to make room
//! (idle connections cannot starve it), and `serve` runs it on a thread and
//! runtime of its own (busy public workers cannot delay it).
//!
//! The in-process concurrency limit with load shedding (503 + `Retry-After`)
//! is a router layer: [`crate::layers::shed`]. Only HTTP/1.1 is served (a
//! TLS-terminating proxy in front speaks HTTP/2 to browsers).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// The limits a deployment can tune (`hepatica serve --help`; docs/safety/operations.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Close a connection that sends no byte within this time.
    pub first_byte_timeout: Duration,
    /// Close a connection whose request head is not complete within this time
    /// (also the keep-alive idle timeout).
    pub header_read_timeout: Duration,
    /// Largest request head (request line and headers), in bytes.
    pub max_head_bytes: usize,
    /// Most open connections.
    pub max_connections: usize,
    /// Most open connections from one client address (0: no per-address cap,
    /// for a deployment behind a proxy that connects from one address).
    pub max_connections_per_address: usize,
    /// Most requests handled at once; more are answered 503 with `Retry-After`.
    pub max_in_flight: usize,
    /// Most FHIR and CDS Hooks posts handled at once (each may hold a large
    /// Bundle in memory); more are answered 503 with `Retry-After`.
    pub max_fhir_in_flight: usize,
    /// How long SIGTERM waits for open connections before exiting.
    pub drain_timeout: Duration,
    /// Page feedback posts accepted per client address per minute.
    pub feedback_per_minute: u32,
    /// Most page feedback rows kept; further posts are refused (503).
    pub feedback_max_rows: u64,
    /// Most live CDS token ids remembered per issuer.
    pub jti_per_issuer: u64,
    /// New CDS tokens accepted per issuer per minute.
    pub jti_per_issuer_per_minute: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            first_byte_timeout: Duration::from_secs(5),
            header_read_timeout: Duration::from_secs(10),
            max_head_bytes: 64 * 1024,
            max_connections: 4096,
            max_connections_per_address: 1024,
            max_in_flight: 512,
            max_fhir_in_flight: 2,
            drain_timeout: Duration::from_secs(10),
            feedback_per_minute: 20,
            feedback_max_rows: 1_000_000,
            jti_per_issuer: 20_000,
            jti_per_issuer_per_minute: 1_200,
        }
    }
}

/// Open connections per client address, so that one client cannot take
/// every connection slot. A taken slot is given back when its guard drops.
#[derive(Debug, Clone, Default)]
pub struct PerAddress {
    max: usize,
    open: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>,
}

/// One connection's slot in [`PerAddress`].
#[derive(Debug)]
pub struct AddressSlot {
    ip: std::net::IpAddr,
    open: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>,
}

impl PerAddress {
    /// At most `max` connections an address; 0 means no cap.
    pub fn new(max: usize) -> PerAddress {
        PerAddress { max, open: Arc::default() }
    }

    /// A slot for a new connection from `ip`, or `None` when that address
    /// already has `max` open.
    pub fn take(&self, ip: std::net::IpAddr) -> Option<AddressSlot> {
        if self.max == 0 {
            return Some(AddressSlot { ip, open: Arc::default() });
        }
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(AddressSlot { ip, open: self.open.clone() })
    }

    /// How many addresses have a connection open (the map never keeps zeros).
    pub fn addresses(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Descriptors kept free for the database, logs and the listener.
const RESERVED_FDS: u64 = 64;

/// The connection cap actually used: the configured one, lowered so that
/// accepting never fails for lack of descriptors.
pub fn effective_max_connections(configured: usize) -> usize {
    match fd_limit() {
        Some(limit) => configured.min(limit.saturating_sub(RESERVED_FDS).max(1) as usize),
        None => configured,
    }
}

#[cfg(unix)]
fn fd_limit() -> Option<u64> {
    let l = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    l.current
}

#[cfg(not(unix))]
fn fd_limit() -> Option<u64> {
    None
}

/// Answers 431 to a request whose line and headers, as parsed, are over `max`
/// bytes (as sent: `NAME: VALUE\r\n` a header).
pub async fn head_cap(
    axum::extract::State(max): axum::extract::State<usize>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let line = req.method().as_str().len() + req.uri().path_and_query().map_or(1, |p| p.as_str().len()) + 11;
    let headers: usize = req.headers().iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum();
    if line + headers > max {
        return crate::error::AppError::HeadTooLarge { limit: max }.into_response();
    }
    next.run(req).await
}

/// Pending connections the kernel may queue before `accept` (it clamps this to
/// `net.core.somaxconn`, 4096 on current Linux). Tokio's `bind` asks for 1,024:
/// under a flood of reconnecting slow clients that queue overflows, the kernel
/// drops new SYNs, and an honest client (a health check) waits a full second
/// for its SYN to be retried.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener on `addr` with [`LISTEN_BACKLOG`] (and `SO_REUSEADDR`, as
/// `TcpListener::bind` sets on Unix, so a restart does not wait for TIME_WAIT).
pub fn bind(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Most open connections on the health listener (`serve --health-addr`):
/// probes open one connection each, a few per period, so this is plenty, and
/// it is a budget of its own, apart from [`Limits::max_connections`].
pub const HEALTH_MAX_CONNECTIONS: usize = 32;

/// The limits of the health listener, derived from the public ones: its own
/// small connection cap ([`HEALTH_MAX_CONNECTIONS`]), no per-address cap (a
/// kubelet or load balancer probes from one address), timers no longer than
/// 2 s for the first byte and 5 s for the head, and a 1 s drain.
pub fn health_limits(public: &Limits) -> Limits {
    Limits {
        first_byte_timeout: public.first_byte_timeout.min(Duration::from_secs(2)),
        header_read_timeout: public.header_read_timeout.min(Duration::from_secs(5)),
        max_head_bytes: 8192,
        max_connections: HEALTH_MAX_CONNECTIONS,
        max_connections_per_address: 0,
        drain_timeout: Duration::from_secs(1),
        ..public.clone()
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains for at
/// most `limits.drain_timeout`. Returns how many connections were still open
/// when the drain gave up (0 after a clean drain).
pub async fn run(listener: TcpListener, app: Router, limits: &Limits, shutdown: impl Future<Output = ()>) -> usize {
    serve_listener(listener, app, limits, Role::Public, shutdown).await
}

/// [`run`] for the health listener: the same timers and caps (from
/// [`health_limits`]), but its connections are not counted in the public
/// listener's connection metrics, and when all its slots are taken a new
/// connection closes the **oldest** open one instead of being refused.
///
/// Probes open a connection, send one request and get their answer within
/// milliseconds; a connection that has been open longest is the one most
/// likely idle or sending its head a byte at a time. Refusing at the cap let
/// 38 such connections starve the listener (outsider red team); evicting the
/// oldest means a flood would have to open the whole budget again within the
/// milliseconds a probe takes.
pub async fn run_health(listener: TcpListener, app: Router, limits: &Limits, shutdown: impl Future<Output = ()>) -> usize {
    serve_listener(listener, app, limits, Role::Health, shutdown).await
}

/// Runs [`run_health`] on a thread and a one-thread runtime of its own, so
/// that public workers kept busy by CPU-heavy requests cannot delay a probe's
/// answer (outsider red team: a CPU flood took the health p99 over 1 s). The
/// thread ends when `shutdown` completes and the short drain is over.
pub fn spawn_health(
    listener: std::net::TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    listener.set_nonblocking(true)?;
    std::thread::Builder::new().name("hepatica-health".into()).spawn(move || {
        rt.block_on(async move {
            match TcpListener::from_std(listener) {
                Ok(listener) => {
                    run_health(listener, app, &limits, shutdown).await;
                }
                Err(e) => tracing::error!(error = %e, "the health listener could not start"),
            }
        });
        rt.shutdown_timeout(Duration::from_secs(1));
    })
}

/// Which listener: the public one (metered, refuses over its caps) or the
/// health one (not metered, evicts its oldest connection when full).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Public,
    Health,
}

/// The open connections of the health listener, oldest first, each with the
/// signal that closes it.
type Live = Arc<std::sync::Mutex<std::collections::VecDeque<(u64, Arc<tokio::sync::Notify>)>>>;

/// Takes a connection off [`Live`] when it ends, however it ends.
struct Forget {
    id: u64,
    live: Live,
}

impl Drop for Forget {
    fn drop(&mut self) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).retain(|(id, _)| *id != self.id);
    }
}

/// How long the health listener waits for an evicted connection's slot.
const EVICTION_WAIT: Duration = Duration::from_millis(250);

async fn serve_listener(listener: TcpListener, app: Router, limits: &Limits, role: Role, shutdown: impl Future<Output = ()>) -> usize {
    let metered = role == Role::Public;
    let evicts = role == Role::Health;
    let live: Live = Arc::default();
    let mut next_id = 0u64;
    let max = effective_max_connections(limits.max_connections);
    if max < limits.max_connections {
        tracing::warn!(configured = limits.max_connections, used = max, "connection cap lowered to fit the open-file limit");
    }
    let refused = move || {
        if metered {
            crate::metrics::connection_refused();
        }
    };
    let timed_out = move || {
        if metered {
            crate::metrics::connection_timed_out();
        }
    };
    let slots = Arc::new(Semaphore::new(max));
    let per_address = PerAddress::new(limits.max_connections_per_address);
    let app = app.layer(axum::middleware::from_fn_with_state(limits.max_head_bytes, head_cap));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192))
        .keep_alive(true);
    let first_byte = limits.first_byte_timeout;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // EMFILE and friends: back off briefly instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) if evicts => {
                let oldest = live.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                if let Some((_, close)) = oldest {
                    close.notify_one();
                }
                match tokio::time::timeout(EVICTION_WAIT, slots.clone().acquire_owned()).await {
                    Ok(Ok(slot)) => slot,
                    _ => {
                        drop(stream);
                        continue;
                    }
                }
            }
            Err(_) => {
                refused();
                drop(stream);
                continue;
            }
        };
        let Some(address_slot) = per_address.take(peer.ip()) else {
            refused();
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let watcher = graceful.watcher();
        let builder = builder.clone();
        // The peer address is visible to handlers (per-client rate limits), never logged.
        let svc = TowerToHyperService::new(app.clone().map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            req
        }));
        let close = Arc::new(tokio::sync::Notify::new());
        let forget = evicts.then(|| {
            let id = next_id;
            next_id += 1;
            live.lock().unwrap_or_else(|p| p.into_inner()).push_back((id, close.clone()));
            Forget { id, live: live.clone() }
        });
        let connection = async move {
            let mut probe = [0u8; 1];
            match tokio::time::timeout(first_byte, stream.peek(&mut probe)).await {
                Ok(Ok(n)) if n > 0 => {}
                Ok(_) => return,
                Err(_) => {
                    timed_out();
                    return;
                }
            }
            let conn = builder.serve_connection(TokioIo::new(stream), svc);
            if let Err(e) = watcher.watch(conn).await {
                if e.is_timeout() {
                    timed_out();
                }
                tracing::debug!(error = %e, "connection ended");
            }
        };
        tokio::spawn(async move {
            let _slot = slot;
            let _address_slot = address_slot;
            let _forget = forget;
            let _open = metered.then(crate::metrics::ConnectionGuard::new);
            tokio::select! {
                () = connection => {}
                () = close.notified() => tracing::debug!("oldest health connection closed to make room"),
            }
        });
    }
    drop(listener);
    tracing::info!(open = max.saturating_sub(slots.available_permits()), "draining connections");
    match tokio::time::timeout(limits.drain_timeout, graceful.shutdown()).await {
        Ok(()) => 0,
        Err(_) => {
            let left = max.saturating_sub(slots.available_permits());
            tracing::warn!(left, "drain timed out; closing the remaining connections");
            left
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    #[test]
    fn one_address_cannot_take_every_connection() {
        let cap = PerAddress::new(2);
        let a: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        let b: std::net::IpAddr = "192.0.2.2".parse().unwrap();
        let first = cap.take(a).expect("first");
        let second = cap.take(a).expect("second");
        assert!(cap.take(a).is_none(), "a third from the same address is refused");
        let other = cap.take(b).expect("another address is not affected");
        drop(first);
        let again = cap.take(a).expect("a closed connection gives its slot back");
        drop((second, again, other));
        assert_eq!(cap.addresses(), 0, "no entries are kept for addresses with nothing open");
        let off = PerAddress::new(0);
        let held: Vec<_> = (0..10_000).map(|_| off.take(a).expect("no cap")).collect();
        assert_eq!((held.len(), off.addresses()), (10_000, 0));
    }

    /// The listener asks the kernel for a queue of [`LISTEN_BACKLOG`] pending
    /// connections, not tokio's 1,024. `ss -ltn` shows a listening socket's
    /// queue size as its Send-Q (clamped to `net.core.somaxconn`).
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_listener_queues_more_than_tokios_default() {
        let Ok(somaxconn) = std::fs::read_to_string("/proc/sys/net/core/somaxconn") else {
            eprintln!("SKIPPED: no /proc/sys/net/core/somaxconn");
            return;
        };
        let somaxconn: u32 = somaxconn.trim().parse().expect("a number");
        let queue = |listener: &TcpListener| -> Option<u32> {
            let port = listener.local_addr().unwrap().port();
            let out = std::process::Command::new("ss").args(["-ltnH", &format!("sport = :{port}")]).output().ok()?;
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            text.split_whitespace().nth(2)?.parse().ok()
        };
        let ours = bind("127.0.0.1:0".parse().unwrap()).expect("bind");
        let tokios = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (Some(ours), Some(tokios)) = (queue(&ours), queue(&tokios)) else {
            eprintln!("SKIPPED: `ss` (iproute2) is not installed");
            return;
        };
        assert_eq!(ours, LISTEN_BACKLOG.min(somaxconn));
        if somaxconn > 1024 {
            assert!(ours > tokios, "ours {ours} vs tokio's {tokios}");
        }
    }

    fn healthz_app() -> Router {
        Router::new().route("/healthz", get(|| async { "ok" }))
    }

    /// Serves [`healthz_app`] on `listener` in the given role until the sender is used.
    fn serve_in_background(
        listener: TcpListener,
        limits: Limits,
        role: Role,
    ) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<usize>) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            serve_listener(listener, healthz_app(), &limits, role, async move {
                let _ = stopped.await;
            })
            .await
        });
        (stop, server)
    }

    /// Sends `GET /healthz` on `stream` and reads the answer to the end (empty
    /// when the server closed or reset the connection instead).
    async fn probe(stream: &mut tokio::net::TcpStream) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        if stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n").await.is_err() {
            return String::new();
        }
        let mut answer = Vec::new();
        match tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await.expect("answered in time") {
            Ok(_) => String::from_utf8_lossy(&answer).into_owned(),
            Err(_) => String::new(),
        }
    }

    /// Idle connections cannot starve the health listener: when its budget is
    /// full a new connection closes the oldest instead of being refused
    /// (outsider red team: 38 idle connections starved a 32-connection budget).
    #[tokio::test]
    async fn a_full_health_listener_closes_its_oldest_connection_for_a_probe() {
        use tokio::io::AsyncReadExt;
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let limits = Limits {
            max_connections: 2,
            first_byte_timeout: Duration::from_secs(60),
            header_read_timeout: Duration::from_secs(60),
            ..health_limits(&Limits::default())
        };
        let (stop, server) = serve_in_background(listener, limits, Role::Health);
        let mut oldest = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _second = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
        let answer = probe(&mut third).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "the probe over the budget is answered: {answer:?}");
        let mut rest = Vec::new();
        let n = tokio::time::timeout(Duration::from_secs(10), oldest.read_to_end(&mut rest)).await.expect("closed in time").unwrap();
        assert_eq!(n, 0, "the oldest idle connection was closed, with nothing sent");
        let _ = stop.send(());
        server.await.unwrap();
    }

    /// The public listener still refuses over its cap (it is metered, and its
    /// clients are not probes).
    #[tokio::test]
    async fn a_full_public_listener_refuses_a_new_connection() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let limits = Limits {
            max_connections: 1,
            first_byte_timeout: Duration::from_secs(60),
            header_read_timeout: Duration::from_secs(60),
            drain_timeout: Duration::from_millis(100),
            ..Limits::default()
        };
        let (stop, server) = serve_in_background(listener, limits, Role::Public);
        let _held = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut second = tokio::net::TcpStream::connect(addr).await.unwrap();
        let answer = probe(&mut second).await;
        assert_eq!(answer, "", "refused: closed or reset without an answer");
        let _ = stop.send(());
        server.await.unwrap();
    }

    /// The health listener runs on a thread of its own: it answers while the
    /// runtime that started it is blocked (as busy public workers would be).
    #[test]
    fn the_health_listener_answers_while_the_starting_runtime_is_blocked() {
        use std::io::{Read, Write};
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let thread = spawn_health(listener, healthz_app(), health_limits(&Limits::default()), async move {
                let _ = stopped.await;
            })
            .unwrap();
            // Blocking I/O on this runtime's only thread: nothing else of this runtime can run.
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n").unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).expect("answered although the starting runtime is blocked");
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
            let _ = stop.send(());
            thread.join().unwrap();
        });
    }

    /// A head that hyper's buffer let through in one large read (a single
    /// 110 KB header line did) is still refused once parsed.
    #[tokio::test]
    async fn a_parsed_head_over_the_limit_gets_431() {
        let max = 64 * 1024;
        let app = Router::new().route("/", get(|| async { "ok" })).layer(axum::middleware::from_fn_with_state(max, head_cap));
        let status = |value: String| {
            let app = app.clone();
            async move {
                let req = Request::get("/").header("x-long", value).body(Body::empty()).unwrap();
                app.oneshot(req).await.unwrap().status()
            }
        };
        assert_eq!(status("a".repeat(110 * 1024)).await, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert_eq!(status("a".repeat(max)).await, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert_eq!(status("a".repeat(max - 100)).await, StatusCode::OK);
        let unknown = Request::get("/nowhere").header("x-long", "a".repeat(max)).body(Body::empty()).unwrap();
        assert_eq!(app.clone().oneshot(unknown).await.unwrap().status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
}
