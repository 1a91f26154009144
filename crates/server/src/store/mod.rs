//! Where the server keeps its shared state: page feedback, CDS Hooks card
//! feedback and the CDS replay cache (seen token ids, `jti`).
//!
//! [`Storage`] is the one trait, blocking (callers run it on tokio's blocking
//! pool with `spawn_blocking`), with two implementations:
//! - [`crate::db::Db`]: the embedded SQLite file `<data-dir>/hepatica.db`, the
//!   default (`--database sqlite:` or no `--database`); one server per data
//!   folder, kept so by [`crate::db::DataDirLock`];
//! - [`postgres::PgStore`]: a PostgreSQL database (`--database postgres://...`)
//!   shared by any number of replicas, with a connection pool, migrations in a
//!   schema version table, statement timeouts and a cached readiness check.
//!
//! [`Store`] is the cheap-to-clone handle the server state holds.
//! [`Database`] is what `--database` names, and [`redact_url`] is how a
//! PostgreSQL URL is ever shown: without its user, password or `password=`.

pub mod postgres;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use hepatica_fhir::cds::auth::{AuthError, ReplayStore};

pub use crate::db::{CdsFeedbackRecord, FeedbackCount, FeedbackError};

/// Why a store call failed. The text never holds a password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (the cause, with its chain of sources).
    #[error("{0}")]
    Postgres(String),
}

/// A store failure as an HTTP answer. PostgreSQL failures are the database
/// being unreachable, slow or restarting (a shared service the next attempt may
/// find again): 503 with `Retry-After`, detail logged (password-free), not shown.
/// SQLite is a file beside the server: its failure is an internal error (500).
impl From<StoreError> for crate::error::AppError {
    fn from(e: StoreError) -> crate::error::AppError {
        match e {
            StoreError::Postgres(cause) => {
                tracing::warn!(error = %cause, "database call failed");
                crate::error::AppError::Unavailable("the server's database is not reachable right now; try again shortly".to_string())
            }
            StoreError::Sqlite(e) => crate::error::AppError::Internal(e.to_string()),
        }
    }
}

/// The server's shared state, SQLite or PostgreSQL. Blocking: call it from
/// `spawn_blocking` (or a plain thread), never on an async worker.
pub trait Storage: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Stores one answer to "Was this page helpful?" unless the table holds `max_rows`.
    fn record_feedback_capped(&self, page: &str, helpful: bool, max_rows: u64) -> Result<(), FeedbackError>;
    /// Rows in the feedback table (as last counted; see each implementation).
    fn feedback_rows(&self) -> u64;
    /// Feedback counts per page, sorted by page.
    fn feedback_counts(&self) -> Result<Vec<FeedbackCount>, StoreError>;
    /// Stores CDS Hooks feedback items, all or none.
    fn record_cds_feedback(&self, items: &[CdsFeedbackRecord]) -> Result<(), StoreError>;
    /// Stored CDS Hooks feedback for a card, oldest first.
    fn cds_feedback_for(&self, card: &str) -> Result<Vec<CdsFeedbackRecord>, StoreError>;
    /// The schema version this store is at.
    fn schema_version(&self) -> Result<i64, StoreError>;
    /// Run-time readiness; `Err` says what is wrong (no data, no password).
    fn health(&self, now: i64) -> Result<(), String>;
    /// Records a CDS token id until `expires_at`; refuses a replay
    /// ([`AuthError::Replayed`]), and more than `capacity` live ids or
    /// `per_minute` new ids for one issuer ([`AuthError::TooManyTokens`]).
    /// Exactly one of several servers sharing the store accepts a given id.
    fn record_jti(&self, iss: &str, jti: &str, expires_at: u64, now: u64, capacity: u64, per_minute: u64) -> Result<(), AuthError>;
    /// Removes token ids that expired by `now` (and refreshes what is
    /// counted); the server calls it every [`SWEEP_EVERY`]. Returns the rows removed.
    fn sweep(&self, now: u64) -> Result<u64, StoreError>;
}

/// How often `serve` sweeps expired token ids from the store.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A handle to the store; cheap to clone. Derefs to [`Storage`].
#[derive(Clone)]
pub struct Store(Arc<dyn Storage>);

impl Store {
    /// Wraps any implementation.
    pub fn new(storage: impl Storage + 'static) -> Store {
        Store(Arc::new(storage))
    }
}

impl Deref for Store {
    type Target = dyn Storage;
    fn deref(&self) -> &(dyn Storage + 'static) {
        &*self.0
    }
}

impl From<crate::db::Db> for Store {
    fn from(db: crate::db::Db) -> Store {
        Store::new(db)
    }
}

impl From<postgres::PgStore> for Store {
    fn from(pg: postgres::PgStore) -> Store {
        Store::new(pg)
    }
}

/// The CDS replay store backed by any [`Store`] (see [`Storage::record_jti`]).
pub struct StoreReplay {
    store: Store,
    capacity: u64,
    per_minute: u64,
}

impl StoreReplay {
    /// A replay store with per-issuer `capacity` live ids and `per_minute` new ids.
    pub fn new(store: Store, capacity: u64, per_minute: u64) -> StoreReplay {
        StoreReplay { store, capacity, per_minute }
    }
}

impl ReplayStore for StoreReplay {
    fn record(&self, iss: &str, jti: &str, expires_at: u64, now: u64) -> Result<(), AuthError> {
        self.store.record_jti(iss, jti, expires_at, now, self.capacity, self.per_minute)
    }
}

/// What `--database` names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Database {
    /// The embedded SQLite file in `--data-dir` (the default).
    #[default]
    Sqlite,
    /// A PostgreSQL URL (`postgres://` or `postgresql://`), kept as given;
    /// show it only through [`redact_url`].
    Postgres(String),
}

impl Database {
    /// Reads a `--database` value: `sqlite:` is the embedded default (so is
    /// no value at all, decided by the caller); an empty or blank value is an
    /// error; `postgres://...` or `postgresql://...` is PostgreSQL.
    /// The error never repeats the URL's user or password.
    pub fn parse(value: &str) -> Result<Database, String> {
        let v = value.trim();
        if v.is_empty() {
            return Err("--database (HEPATICA_DATABASE_URL): expected sqlite: or a postgres:// (postgresql://) URL, got an empty value; \
                 leave it unset for the embedded default"
                .to_string());
        }
        if v.eq_ignore_ascii_case("sqlite:") || v.eq_ignore_ascii_case("sqlite://") {
            return Ok(Database::Sqlite);
        }
        let scheme = v.split_once(':').map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
        match scheme.as_str() {
            "sqlite" => {
                Err("--database: sqlite: takes no path (the file is <data-dir>/hepatica.db; choose the folder with --data-dir)".to_string())
            }
            "postgres" | "postgresql" => {
                postgres::parse_config(v, Duration::from_secs(5))?;
                Ok(Database::Postgres(v.to_string()))
            }
            _ => Err(format!(
                "--database: expected sqlite: or a postgres:// (postgresql://) URL, got {}",
                if scheme.is_empty() || scheme.len() > 20 { "something else".to_string() } else { format!("a {scheme}: address") }
            )),
        }
    }

    /// How the database is named in logs and errors (password-free).
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite => "sqlite: (hepatica.db in the data folder)".to_string(),
            Database::Postgres(url) => redact_url(url),
        }
    }
}

/// A PostgreSQL URL fit to show: the user and password are replaced by
/// `***`, and so are the values of `password` (and `user`) query parameters.
/// Something that does not parse as a URL is not shown at all.
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url.trim()) else {
        return "(a database URL that could not be read)".to_string();
    };
    if !u.username().is_empty() || u.password().is_some() {
        let _ = u.set_password(None);
        let _ = u.set_username("***");
    }
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let secret = matches!(k.to_ascii_lowercase().as_str(), "password" | "user" | "passfile" | "sslpassword");
                (k.into_owned(), if secret { "***".to_string() } else { v.into_owned() })
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_503_and_a_broken_file_500() {
        use axum::http::StatusCode;
        let pg = crate::error::AppError::from(StoreError::Postgres("cannot reach the database postgres://***@db/h: refused".into()));
        assert_eq!(pg.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(!pg.to_string().contains("db/h"), "the database is not named to the client: {pg}");
        let file = crate::error::AppError::from(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
        assert_eq!(file.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn database_urls_are_read_and_never_shown_with_a_password() {
        for blank in ["", "  "] {
            assert!(Database::parse(blank).unwrap_err().contains("got an empty value"), "{blank:?}");
        }
        assert_eq!(Database::parse("sqlite:").unwrap(), Database::Sqlite);
        assert!(Database::parse("sqlite:/tmp/x.db").unwrap_err().contains("takes no path"));
        assert!(Database::parse("mysql://root:hunter2@db/x").unwrap_err().contains("a mysql: address"));
        assert!(!Database::parse("mysql://root:hunter2@db/x").unwrap_err().contains("hunter2"));
        let pg = Database::parse("postgres://app:s3cret@db.example:5433/hepatica?application_name=x").unwrap();
        assert_eq!(pg, Database::Postgres("postgres://app:s3cret@db.example:5433/hepatica?application_name=x".into()));
        let shown = pg.describe();
        assert_eq!(shown, "postgres://***@db.example:5433/hepatica?application_name=x");
        assert!(Database::parse("postgresql://db/hepatica").is_ok());
        let q = redact_url("postgresql://db/hepatica?user=app&password=s3cret&connect_timeout=3");
        assert!(!q.contains("s3cret") && !q.contains("app") && q.contains("connect_timeout=3"), "{q}");
        assert_eq!(redact_url("not a url s3cret"), "(a database URL that could not be read)");
        // A bad value is named without echoing the secret.
        let e = Database::parse("postgres://app:s3cret@db/hepatica?sslmode=sometimes").unwrap_err();
        assert!(e.contains("sslmode") && !e.contains("s3cret"), "{e}");
        // The certificate-checking modes are named as unsupported TLS, not as a typo.
        for mode in ["verify-full", "verify-ca"] {
            let e = Database::parse(&format!("postgres://app:s3cret@db/hepatica?sslmode={mode}")).unwrap_err();
            assert!(e.contains(&format!("sslmode={mode}")) && e.contains("without TLS") && !e.contains("s3cret"), "{e}");
        }
    }
}
