//! Hepatica's web app, JSON API and CDS Hooks service.
//!
//! [`router`] builds the whole axum application from an [`AppState`]; it does
//! no I/O of its own, so tests drive it with `tower::ServiceExt::oneshot`.
//! [`serve`] locks and opens the data folder, binds the address and runs the
//! router under [`net`] (timeouts, connection cap, load shedding, bounded
//! drain) until SIGINT or SIGTERM.
//!
//! Handlers only parse input, call `hepatica_engine::assess` or a knowledge
//! look-up, and render HTML (maud, in [`pages`]) or JSON (in [`api`]). They
//! never log or store case data: logs carry a request id, method, path and
//! status only, and the database holds page feedback (path, answer, time).
//!
//! Module map:
//! - [`pages`]: server-rendered pages that work without JavaScript;
//! - [`api`]: `/api/v1/*`, `/healthz`, `/readyz` and `/api/openapi.json`;
//! - [`cds`]: CDS Hooks endpoints (401 until a trust file is configured);
//! - [`store`]: the [`store::Storage`] trait for feedback and the CDS replay
//!   cache, with two implementations: [`db`] (embedded SQLite, the default) and
//!   [`store::postgres`] (PostgreSQL shared by several replicas);
//!   [`support`]: the support list, with a
//!   deployment's `support.toml` override; [`assets`]: the CSS and script;
//! - [`error`]: the one `AppError` and its problem-details / HTML responses;
//! - [`layers`]: security headers, request ids, logging, limits, compression, load shedding;
//! - [`net`]: the hyper connection loop and the tunable [`Limits`];
//! - [`metrics`]: Prometheus `/metrics` (request counts and latency by route template).

pub mod api;
pub mod assets;
pub mod cds;
pub mod cds_fetch;
pub mod db;
pub mod error;
pub mod form;
pub mod layers;
pub mod metrics;
pub mod net;
pub mod openapi;
pub mod pages;
pub mod search;
pub mod store;
pub mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use hepatica_knowledge::Knowledge;

pub use cds::CdsTrust;
pub use db::Db;
pub use error::AppError;
pub use net::Limits;
pub use store::{Database, Store};
pub use support::SupportEntry;

/// Largest request body accepted by the pages and the Case API, in bytes (1 MiB).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Default largest body on the FHIR and CDS Hooks routes, in bytes (32 MiB):
/// real Synthea cancer patients are 1.4-2.6 MB, EHR prefetches larger.
/// `hepatica serve --max-fhir-body` (or `HEPATICA_MAX_FHIR_BODY`) changes it.
pub const MAX_FHIR_BODY_BYTES: usize = hepatica_fhir::MAX_BUNDLE_BYTES;

/// Everything a handler may read. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    kb: &'static Knowledge,
    db: Store,
    support: Vec<SupportEntry>,
    cds_trust: Option<CdsTrust>,
    search: search::Search,
    fhir_body_limit: usize,
    limits: Limits,
    feedback_rate: pages::feedback::RateLimiter,
    /// Search indexes of other releases asked for with `?kb=`, most recent first.
    release_search: Mutex<Vec<search::Search>>,
}

/// How many other releases' search indexes a server keeps (each is a few MB).
pub const RELEASE_SEARCH_CACHE: usize = 3;

impl AppState {
    /// Builds the state from its parts (`db`: a [`Db`], or any [`Store`]).
    pub fn new(kb: &'static Knowledge, db: impl Into<Store>, support: Vec<SupportEntry>, cds_trust: Option<CdsTrust>) -> AppState {
        let db = db.into();
        let search = search::Search::build(kb);
        let limits = Limits::default();
        let feedback_rate = pages::feedback::RateLimiter::new(limits.feedback_per_minute);
        AppState {
            inner: Arc::new(Inner {
                kb,
                db,
                support,
                cds_trust,
                search,
                fhir_body_limit: MAX_FHIR_BODY_BYTES,
                limits,
                feedback_rate,
                release_search: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The same state with another body limit for the FHIR and CDS Hooks
    /// routes. Call it before the state is cloned (it changes nothing once
    /// clones exist).
    pub fn with_fhir_body_limit(mut self, bytes: usize) -> AppState {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.fhir_body_limit = bytes;
        }
        self
    }

    /// Largest body accepted by the FHIR and CDS Hooks routes, in bytes.
    pub fn fhir_body_limit(&self) -> usize {
        self.inner.fhir_body_limit
    }

    /// The same state with other [`Limits`]. Call it before the state is
    /// cloned (it changes nothing once clones exist).
    pub fn with_limits(mut self, limits: Limits) -> AppState {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.feedback_rate = pages::feedback::RateLimiter::new(limits.feedback_per_minute);
            inner.limits = limits;
        }
        self
    }

    /// The tunable limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Page feedback posts per client and minute.
    pub fn feedback_rate(&self) -> &pages::feedback::RateLimiter {
        &self.inner.feedback_rate
    }

    /// The embedded knowledge base, an in-memory database, the built-in
    /// support list and no CDS trust file: what the tests use.
    pub fn for_tests() -> AppState {
        let kb = Knowledge::embedded();
        let db = Db::open_in_memory().expect("in-memory database opens");
        AppState::new(kb, db, support::built_in(kb), None)
    }

    /// The knowledge base served when no `?kb=` is given: the latest, or the
    /// one the deployment pinned (`serve --kb`, `--kb-dir`, `--kb-file`).
    pub fn kb(&self) -> &'static Knowledge {
        self.inner.kb
    }

    /// The knowledge base for `?kb=VERSION`: none, or the served one's
    /// version, is [`AppState::kb`]; an empty value is 422 (like `--kb ""`); `latest` or another version this program
    /// has is that release; anything else is 422 naming the versions that exist.
    pub fn kb_for(&self, version: Option<&str>) -> Result<&'static Knowledge, AppError> {
        let served = self.kb();
        match version.map(str::trim) {
            None => Ok(served),
            Some("") => {
                Err(AppError::UnknownKb("kb: expected a knowledge-base version (see /api/v1/kb) or latest, got an empty value".to_string()))
            }
            Some(v) if v == served.meta.version => Ok(served),
            Some(v) => Knowledge::by_version(v).map_err(|mut e| {
                if !e.known.contains(&served.meta.version) {
                    e.known.push(served.meta.version.clone());
                }
                AppError::UnknownKb(e.to_string())
            }),
        }
    }

    /// The releases this server can answer with (`GET /api/v1/kb`): every
    /// release compiled in and, when it is not one of them, the served one;
    /// `default` marks the served one.
    pub fn catalogue(&self) -> Vec<hepatica_knowledge::ReleaseInfo> {
        let served = self.kb();
        let mut list = Knowledge::catalogue();
        if !list.iter().any(|r| r.version == served.meta.version && r.content_hash == served.content_hash()) {
            list.retain(|r| r.version != served.meta.version);
            list.push(hepatica_knowledge::ReleaseInfo::of(served));
        }
        for r in &mut list {
            r.default = r.version == served.meta.version;
        }
        list
    }

    /// The search indexes of a knowledge base: the served one's, or another
    /// release's, built on first use and kept in a small cache
    /// ([`RELEASE_SEARCH_CACHE`] releases, least recently used dropped).
    pub fn search_for(&self, kb: &'static Knowledge) -> search::Search {
        if std::ptr::eq(kb, self.kb()) {
            return self.inner.search.clone();
        }
        let mut cache = self.inner.release_search.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = cache.iter().position(|s| std::ptr::eq(s.kb(), kb)) {
            let hit = cache.remove(i);
            cache.insert(0, hit.clone());
            return hit;
        }
        let built = search::Search::build(kb);
        cache.insert(0, built.clone());
        cache.truncate(RELEASE_SEARCH_CACHE);
        built
    }

    /// How many other releases' search indexes are cached now.
    pub fn cached_release_searches(&self) -> usize {
        self.inner.release_search.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// The store: feedback and the CDS replay cache (SQLite or PostgreSQL).
    pub fn db(&self) -> &Store {
        &self.inner.db
    }

    /// Support services shown on pages (the deployment's override first).
    pub fn support(&self) -> &[SupportEntry] {
        &self.inner.support
    }

    /// The CDS Hooks trust configuration, when `--cds-trust` was given.
    pub fn cds_trust(&self) -> Option<&CdsTrust> {
        self.inner.cds_trust.as_ref()
    }

    /// Drug and question search.
    pub fn search(&self) -> &search::Search {
        &self.inner.search
    }
}

/// The whole application: pages, API, CDS Hooks, assets, with every layer.
pub fn router(state: AppState) -> Router {
    let app = Router::new()
        .merge(pages::routes())
        .merge(api::routes(state.fhir_body_limit()))
        .merge(assets::routes())
        .with_state(state.clone())
        .merge(cds::routes(state.clone()));
    // Every oversized body, whichever route and extractor met it, answers 413 problem details.
    // Every knowledge API route: one ?kb= at most, and the answering release in a header.
    let app = app.layer(axum::middleware::from_fn_with_state(state.clone(), api::kb_header));
    let app = app.layer(axum::middleware::from_fn_with_state(state, error::too_large_as_problem));
    layers::apply(metrics::instrument(app))
}

/// The health listener's application (`serve --health-addr`): `/healthz`
/// (liveness) and `/readyz` (readiness), the same handlers as on the public
/// listener, with `Cache-Control: no-store` and `nosniff`; anything else is 404.
/// No request log (probes every few seconds would drown it) and no metrics.
pub fn health_router(state: AppState) -> Router {
    use axum::http::{HeaderValue, header};
    use axum::routing::get;
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .with_state(state)
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(5),
        ))
}

/// How `hepatica serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on (loopback by default).
    pub addr: String,
    /// A second address that serves only `/healthz` and `/readyz`, with its
    /// own small connection budget ([`net::health_limits`]); `None`: none.
    pub health_addr: Option<String>,
    /// Folder for `hepatica.db` and an optional `support.toml`; created if missing.
    pub data_dir: PathBuf,
    /// CDS Hooks trust file.
    pub cds_trust: Option<PathBuf>,
    /// The knowledge base to serve (`Knowledge::embedded()`, or one loaded with `--kb-dir`).
    pub kb: &'static Knowledge,
    /// Largest body on the FHIR and CDS Hooks routes, in bytes.
    pub max_fhir_body_bytes: usize,
    /// Timeouts, caps and rates.
    pub limits: Limits,
    /// Allow other servers on the same data folder (they share the database,
    /// and with it the CDS replay store). Off: a second server is refused.
    /// With PostgreSQL the folder is never locked (the store is shared).
    pub shared_data_dir: bool,
    /// Where feedback and the CDS replay cache live (`--database`).
    pub database: Database,
    /// Pool size and timeouts when `database` is PostgreSQL.
    pub pg: store::postgres::PgOptions,
}

impl ServeConfig {
    /// Loopback, `data_dir`, no CDS trust file, default limits.
    pub fn new(addr: impl Into<String>, data_dir: impl Into<PathBuf>) -> ServeConfig {
        ServeConfig {
            addr: addr.into(),
            health_addr: None,
            data_dir: data_dir.into(),
            cds_trust: None,
            kb: Knowledge::embedded(),
            max_fhir_body_bytes: MAX_FHIR_BODY_BYTES,
            limits: Limits::default(),
            shared_data_dir: false,
            database: Database::Sqlite,
            pg: store::postgres::PgOptions::default(),
        }
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data folder could not be created.
    #[error("could not create the data folder {path}: {source}")]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Another server holds the data folder's lock file.
    #[error(
        "the data folder {path} is in use by another hepatica server (lock file {lock}); stop it, use another --data-dir, or pass --shared-data-dir when several servers share one database on purpose"
    )]
    Locked {
        /// The folder.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// The database is damaged or from a newer version.
    #[error("the database {path} cannot be used: {detail}")]
    DbCheck {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The PostgreSQL database is unreachable, refused us, or cannot be used
    /// (the text names it without its password).
    #[error("{0}")]
    Database(String),
    /// The database could not be opened or migrated.
    #[error("could not open the database {path}: {source}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// `support.toml` could not be read or is invalid.
    #[error("invalid support file {path}: {detail}")]
    Support {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The CDS trust file could not be read or is invalid.
    #[error("invalid CDS trust file {path}: {detail}")]
    CdsTrust {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The address is not `HOST:PORT`.
    #[error("invalid address {addr:?}: expected HOST:PORT, e.g. 127.0.0.1:8080")]
    Addr {
        /// What was given.
        addr: String,
    },
    /// Binding or serving failed.
    #[error("server error on {addr}: {source}")]
    Io {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl AppState {
    /// Opens the data folder (creating it), the database and the optional
    /// support override, and reads the CDS trust file.
    pub fn open(config: &ServeConfig) -> Result<AppState, ServeError> {
        let kb = config.kb;
        std::fs::create_dir_all(&config.data_dir).map_err(|source| ServeError::DataDir { path: config.data_dir.clone(), source })?;
        let db: Store = match &config.database {
            Database::Sqlite => {
                let db_path = config.data_dir.join("hepatica.db");
                Db::open(&db_path)
                    .map_err(|e| match e {
                        db::OpenError::Sqlite(source) => ServeError::Db { path: db_path.clone(), source },
                        db::OpenError::Check(detail) => ServeError::DbCheck { path: db_path.clone(), detail },
                    })?
                    .into()
            }
            Database::Postgres(url) => store::postgres::PgStore::connect(url, &config.pg).map_err(ServeError::Database)?.into(),
        };
        let support = support::load(kb, &config.data_dir)?;
        let cds_trust = match &config.cds_trust {
            Some(path) => Some(CdsTrust::load(path)?),
            None => None,
        };
        if let Some(trust) = &cds_trust {
            // Seen token ids live in the database: refused again after a restart and by every server sharing it.
            trust.verifier.use_replay_store(Arc::new(store::StoreReplay::new(
                db.clone(),
                config.limits.jti_per_issuer,
                config.limits.jti_per_issuer_per_minute,
            )));
        }
        Ok(AppState::new(kb, db, support, cds_trust).with_limits(config.limits.clone()).with_fhir_body_limit(config.max_fhir_body_bytes))
    }
}

/// Runs the server until SIGINT or SIGTERM, then finishes in-flight requests.
pub async fn serve(config: ServeConfig) -> Result<(), ServeError> {
    init_logging();
    let addr: SocketAddr = resolve(&config.addr)?;
    let health_addr: Option<SocketAddr> = config.health_addr.as_deref().map(resolve).transpose()?;
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ServeError::DataDir { path: config.data_dir.clone(), source })?;
    // SQLite is one server's file: lock the folder. PostgreSQL is shared on purpose: no lock.
    let shared = config.shared_data_dir || matches!(config.database, Database::Postgres(_));
    let _lock = if shared { None } else { Some(db::DataDirLock::acquire(&config.data_dir)?) };
    // Opening may wait for the database (PostgreSQL retries with back-off), and
    // the blocking PostgreSQL client must not run on an async worker.
    let opening = config.clone();
    let state = tokio::task::spawn_blocking(move || AppState::open(&opening))
        .await
        .map_err(|e| ServeError::Database(format!("opening the store failed: {e}")))??;
    let listener = net::bind(addr).map_err(|source| ServeError::Io { addr: config.addr.clone(), source })?;
    let local = listener.local_addr().map_err(|source| ServeError::Io { addr: config.addr.clone(), source })?;
    // The health listener keeps answering while the public one drains, and stops after it.
    let (public_done, health_stop) = tokio::sync::oneshot::channel::<()>();
    let health = match health_addr {
        Some(h) => {
            let health_listener = net::bind(h).map_err(|source| ServeError::Io { addr: format!("{h}"), source })?;
            let health_local = health_listener.local_addr().map_err(|source| ServeError::Io { addr: format!("{h}"), source })?;
            eprintln!("hepatica: health checks on http://{health_local}/healthz and /readyz");
            tracing::info!(addr = %health_local, max_connections = net::HEALTH_MAX_CONNECTIONS, "health listener");
            let app = health_router(state.clone());
            let limits = net::health_limits(&config.limits);
            let std_listener = health_listener.into_std().map_err(|source| ServeError::Io { addr: format!("{h}"), source })?;
            let thread = net::spawn_health(std_listener, app, limits, async move {
                let _ = health_stop.await;
            })
            .map_err(|source| ServeError::Io { addr: format!("{h}"), source })?;
            Some(thread)
        }
        None => None,
    };
    eprintln!("hepatica: listening on http://{local}/ (data in {}, store {})", display(&config.data_dir), config.database.describe());
    tracing::info!(addr = %local, limits = ?config.limits, database = %config.database.describe(), "listening");
    let sweeper = tokio::spawn(sweep_forever(state.db().clone()));
    let heavy_body_limit = state.fhir_body_limit();
    let app = layers::shed(router(state), config.limits.max_in_flight, config.limits.max_fhir_in_flight, heavy_body_limit);
    let left = net::run(listener, app, &config.limits, shutdown_signal()).await;
    let _ = public_done.send(());
    if let Some(h) = health {
        let _ = tokio::task::spawn_blocking(move || h.join()).await;
    }
    sweeper.abort();
    tracing::info!(dropped_connections = left, "stopped");
    Ok(())
}

/// [`serve`] on a fresh multi-threaded runtime, for callers without one.
pub fn serve_blocking(config: ServeConfig) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServeError::Io { addr: config.addr.clone(), source })?;
    let result = rt.block_on(serve(config));
    // Blocking tasks still running after the bounded drain are not waited for.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// Removes expired CDS token ids every [`store::SWEEP_EVERY`] (the store also
/// drops an issuer's expired ids whenever that issuer sends a token).
async fn sweep_forever(store: Store) {
    let mut every = tokio::time::interval(store::SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let s = store.clone();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        match tokio::task::spawn_blocking(move || s.sweep(now)).await {
            Ok(Ok(removed)) => tracing::debug!(removed, "expired CDS token ids swept"),
            Ok(Err(e)) => tracing::warn!(error = %e, "sweeping expired CDS token ids failed"),
            Err(e) => tracing::warn!(error = %e, "sweeping expired CDS token ids failed"),
        }
    }
}

fn resolve(addr: &str) -> Result<SocketAddr, ServeError> {
    use std::net::ToSocketAddrs;
    addr.to_socket_addrs().ok().and_then(|mut a| a.next()).ok_or_else(|| ServeError::Addr { addr: addr.to_string() })
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("HEPATICA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
