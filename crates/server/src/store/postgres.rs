//! The PostgreSQL store (`serve --database postgres://...`): one database
//! shared by every replica, so a CDS token accepted by one is refused by all.
//!
//! - **Pool**: `r2d2` over the blocking `postgres` client ([`PgOptions::pool_size`]
//!   connections, each checked before use, so a restarted database is picked up).
//! - **Timeouts**: every connection sets `statement_timeout` (and twice that as
//!   `idle_in_transaction_session_timeout`) to [`PgOptions::statement_timeout`], which
//!   also bounds the connect and the wait for a pooled connection.
//! - **Start**: [`PgStore::connect`] retries with back-off (250 ms doubling to
//!   5 s) for at most [`PgOptions::start_timeout`], then fails naming the last error.
//! - **Migrations**: [`MIGRATIONS`], applied in one transaction under an advisory
//!   lock (replicas starting together do not race) and recorded in the table
//!   `hepatica_schema`; a version newer than this program knows is refused by name.
//! - **Replay**: [`Storage::record_jti`] inserts `(iss, jti, expires_at)` with
//!   `ON CONFLICT DO NOTHING` and reads the affected row count, so exactly one
//!   server accepts an id; a per-issuer advisory lock keeps the capacity and
//!   rate counts exact across servers. [`Storage::sweep`] removes expired ids.
//! - **Readiness**: [`Storage::health`] checks the schema, the tables and a small
//!   write, cached for [`HEALTH_CACHE`] so probes do not load the database.
//!
//! Errors and logs name the database by [`redact_url`] only: never a password.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hepatica_fhir::cds::auth::AuthError;
use postgres::NoTls;
use postgres::config::SslMode;
use r2d2_postgres::PostgresConnectionManager;

use super::{CdsFeedbackRecord, FeedbackCount, FeedbackError, Storage, StoreError, redact_url};

/// Schema migrations; entry `i` takes the version in `hepatica_schema` from `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the same tables as SQLite's three migrations (crates/server/src/db.rs).
    "CREATE TABLE feedback (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        page TEXT NOT NULL CHECK (length(page) BETWEEN 1 AND 200),
        helpful BOOLEAN NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX feedback_page ON feedback (page);
    CREATE TABLE cds_feedback (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        card TEXT NOT NULL CHECK (length(card) BETWEEN 1 AND 128),
        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
        accepted_suggestions INTEGER NOT NULL DEFAULT 0,
        override_system TEXT,
        override_code TEXT,
        override_display TEXT,
        has_comment BOOLEAN NOT NULL DEFAULT false,
        outcome_timestamp TEXT NOT NULL,
        client TEXT NOT NULL,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX cds_feedback_card ON cds_feedback (card);
    CREATE TABLE cds_jti (
        iss TEXT NOT NULL CHECK (length(iss) BETWEEN 1 AND 512),
        jti TEXT NOT NULL CHECK (length(jti) BETWEEN 1 AND 256),
        expires_at BIGINT NOT NULL,
        seen_at BIGINT NOT NULL,
        PRIMARY KEY (iss, jti)
    );
    CREATE INDEX cds_jti_expiry ON cds_jti (expires_at);
    CREATE INDEX cds_jti_issuer_expiry ON cds_jti (iss, expires_at);
    CREATE INDEX cds_jti_issuer_seen ON cds_jti (iss, seen_at);
    CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at BIGINT NOT NULL);",
];

/// The tables the migrations create and the server uses.
const TABLES: &[&str] = &["feedback", "cds_feedback", "cds_jti", "health"];

/// Advisory lock held while migrating ("hepatica" in ASCII).
const MIGRATION_LOCK: i64 = 0x6865_7061_7469_6361;
/// First key of the per-issuer advisory locks (the second is a hash of the issuer).
const JTI_LOCK_SPACE: i32 = 0x6a74_6931;

/// How long a readiness answer is reused.
pub const HEALTH_CACHE: Duration = Duration::from_secs(1);
/// Longest wait for a connection in the readiness check.
const HEALTH_WAIT: Duration = Duration::from_secs(2);

/// Tuning for [`PgStore::connect`] (`serve --database-*` flags).
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Statement timeout; also the connect timeout and the pool wait.
    pub statement_timeout: Duration,
    /// Most connections one server holds.
    pub pool_size: u32,
    /// How long start-up keeps retrying an unreachable database.
    pub start_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> PgOptions {
        PgOptions { statement_timeout: Duration::from_secs(5), pool_size: 8, start_timeout: Duration::from_secs(30) }
    }
}

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// The PostgreSQL store; see the module docs.
pub struct PgStore {
    /// Always `Some` until dropped (see the `Drop` impl).
    pool: Option<Pool>,
    /// The URL as it may be shown ([`redact_url`]).
    shown: String,
    /// The last connection error the pool met (its own error drops the cause).
    last_error: Arc<Mutex<Option<String>>>,
    /// Rows in `feedback`: counted at start and by every sweep, plus this server's inserts.
    feedback_rows: AtomicU64,
    health: Mutex<Option<(Instant, Result<(), String>)>>,
    wait: Duration,
}

/// Records the pool's connection errors with their causes.
#[derive(Debug)]
struct Recorder(Arc<Mutex<Option<String>>>);

impl r2d2::HandleError<postgres::Error> for Recorder {
    fn handle_error(&self, error: postgres::Error) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(chain(&error));
    }
}

/// An error with its sources ("error connecting to server: Connection refused (os error 111)").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

fn pg(e: postgres::Error) -> StoreError {
    StoreError::Postgres(chain(&e))
}

/// The error for a URL that asks for TLS (`asks` names the setting), which this build does not speak.
fn no_tls(url: &str, asks: &str) -> String {
    format!(
        "--database: {} asks for {asks}, but this build connects without TLS; connect over a private network or a local socket (sslmode=disable or prefer), or put a TLS proxy beside the server",
        redact_url(url)
    )
}

/// Reads a PostgreSQL URL and adds the timeouts; the error never holds the password.
pub fn parse_config(url: &str, statement_timeout: Duration) -> Result<postgres::Config, String> {
    // libpq's certificate-checking modes are valid PostgreSQL settings that this
    // build cannot honour: say that, not "invalid value" (outsider operator test).
    let lower = url.to_ascii_lowercase();
    if let Some(mode) = ["verify-full", "verify-ca"].into_iter().find(|m| lower.contains(&format!("sslmode={m}"))) {
        return Err(no_tls(url, &format!("sslmode={mode} (TLS with certificate checks)")));
    }
    let mut c: postgres::Config = url
        .parse()
        .map_err(|e: postgres::Error| format!("--database: the PostgreSQL URL {} is not valid ({})", redact_url(url), chain(&e)))?;
    if matches!(c.get_ssl_mode(), SslMode::Require) {
        return Err(no_tls(url, "sslmode=require"));
    }
    if c.get_hosts().is_empty() {
        return Err(format!("--database: {} names no host (e.g. postgres://user@db.example:5432/hepatica)", redact_url(url)));
    }
    if c.get_connect_timeout().is_none() {
        c.connect_timeout(statement_timeout);
    }
    if c.get_application_name().is_none() {
        c.application_name("hepatica");
    }
    let ms = statement_timeout.as_millis().max(1);
    let options = format!(
        "{} -c statement_timeout={ms} -c idle_in_transaction_session_timeout={}",
        c.get_options().unwrap_or(""),
        ms.saturating_mul(2)
    );
    c.options(options.trim());
    Ok(c)
}

enum StartError {
    /// Worth retrying (unreachable, starting up, ...).
    Retry(String),
    /// Never going to work (a newer schema).
    Fatal(String),
}

impl PgStore {
    /// Connects, migrates, and counts; retries an unreachable database with
    /// back-off for at most `opts.start_timeout`. The error names the
    /// database (password-free) and the last problem.
    pub fn connect(url: &str, opts: &PgOptions) -> Result<PgStore, String> {
        let config = parse_config(url, opts.statement_timeout)?;
        let shown = redact_url(url);
        let last_error = Arc::new(Mutex::new(None));
        let pool = r2d2::Pool::builder()
            .max_size(opts.pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(opts.statement_timeout)
            .test_on_check_out(true)
            .error_handler(Box::new(Recorder(last_error.clone())))
            .build_unchecked(PostgresConnectionManager::new(config, NoTls));
        let store = PgStore {
            pool: Some(pool),
            shown,
            last_error,
            feedback_rows: AtomicU64::new(0),
            health: Mutex::new(None),
            wait: opts.statement_timeout,
        };
        let started = Instant::now();
        let deadline = started + opts.start_timeout;
        let mut pause = Duration::from_millis(250);
        let mut attempt = 1u32;
        loop {
            match store.migrate(deadline.saturating_duration_since(Instant::now()).min(store.wait).max(Duration::from_millis(100))) {
                Ok(()) => break,
                Err(StartError::Fatal(m)) => return Err(format!("the database {} cannot be used: {m}", store.shown)),
                Err(StartError::Retry(m)) => {
                    if Instant::now() + pause >= deadline {
                        return Err(format!(
                            "could not reach the database {} ({attempt} attempts in {:.0} s, --database-start-timeout): {m}",
                            store.shown,
                            started.elapsed().as_secs_f64()
                        ));
                    }
                    tracing::warn!(database = %store.shown, attempt, retry_in_ms = pause.as_millis() as u64, error = %m, "database not reachable yet; retrying");
                    eprintln!("hepatica: database {} not reachable yet ({m}); retrying in {} ms", store.shown, pause.as_millis());
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(5));
                    attempt += 1;
                }
            }
        }
        let rows = store.count_feedback().map_err(|e| format!("the database {} does not answer: {e}", store.shown))?;
        store.feedback_rows.store(rows, Ordering::Relaxed);
        Ok(store)
    }

    /// The database as it may be shown.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// A pooled connection within `wait`; the error is the last connection problem.
    fn conn_within(&self, wait: Duration) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, String> {
        let Some(pool) = self.pool.as_ref() else { return Err("the pool is closed".to_string()) };
        pool.get_timeout(wait)
            .map_err(|e| self.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone().unwrap_or_else(|| e.to_string()))
    }

    fn conn(&self) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, StoreError> {
        self.conn_within(self.wait).map_err(|cause| StoreError::Postgres(format!("cannot reach the database {}: {cause}", self.shown)))
    }

    fn migrate(&self, wait: Duration) -> Result<(), StartError> {
        let mut c = self.conn_within(wait).map_err(StartError::Retry)?;
        let retry = |e: postgres::Error| StartError::Retry(chain(&e));
        let mut tx = c.transaction().map_err(retry)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(retry)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS hepatica_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .map_err(retry)?;
        let version: i32 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM hepatica_schema", &[]).map_err(retry)?.get(0);
        if version < 0 || version as usize > MIGRATIONS.len() {
            return Err(StartError::Fatal(format!(
                "its schema version is {version} (table hepatica_schema), but this program knows versions up to {}: it was written by a newer or unknown program; use a matching version, or restore a backup",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(sql).map_err(|e| StartError::Fatal(format!("migration {} failed: {}", i + 1, chain(&e))))?;
            tx.execute("INSERT INTO hepatica_schema (version) VALUES ($1)", &[&((i + 1) as i32)]).map_err(retry)?;
            tracing::info!(database = %self.shown, version = i + 1, "database migrated");
        }
        tx.commit().map_err(retry)
    }

    fn count_feedback(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn()?.query_one("SELECT count(*) FROM feedback", &[]).map_err(pg)?.get(0);
        Ok(n.max(0) as u64)
    }

    fn check(&self, now: i64) -> Result<(), String> {
        let mut c =
            self.conn_within(HEALTH_WAIT.min(self.wait)).map_err(|cause| format!("cannot reach the database {}: {cause}", self.shown))?;
        let broken = |e: postgres::Error| format!("the database {} does not answer ({})", self.shown, chain(&e));
        let version: i32 = c.query_one("SELECT COALESCE(MAX(version), 0) FROM hepatica_schema", &[]).map_err(broken)?.get(0);
        if version as usize != MIGRATIONS.len() {
            return Err(format!("database schema version {version}, expected {}", MIGRATIONS.len()));
        }
        for table in TABLES {
            let found: bool = c.query_one("SELECT to_regclass($1::text) IS NOT NULL", &[table]).map_err(broken)?.get(0);
            if !found {
                return Err(format!("database table {table} is missing"));
            }
        }
        c.execute(
            "INSERT INTO health (id, checked_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET checked_at = EXCLUDED.checked_at",
            &[&now],
        )
        .map_err(|e| format!("the database {} cannot be written ({})", self.shown, chain(&e)))?;
        Ok(())
    }
}

impl Drop for PgStore {
    /// The blocking client closes its connections with a small runtime of its
    /// own, which must not happen on an async worker: close them on a thread.
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::Builder::new().name("hepatica-pg-close".into()).spawn(move || drop(pool));
        }
    }
}

impl Storage for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    /// The cap is checked against the count of the last sweep (every minute)
    /// plus this server's own inserts since: with several replicas the table
    /// may pass `max_rows` by up to a minute of (rate-limited) posts.
    fn record_feedback_capped(&self, page: &str, helpful: bool, max_rows: u64) -> Result<(), FeedbackError> {
        if self.feedback_rows.load(Ordering::Relaxed) >= max_rows {
            return Err(FeedbackError::Full(max_rows));
        }
        self.conn()
            .map_err(FeedbackError::Store)?
            .execute("INSERT INTO feedback (page, helpful) VALUES ($1, $2)", &[&page, &helpful])
            .map_err(|e| FeedbackError::Store(pg(e)))?;
        self.feedback_rows.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn feedback_rows(&self) -> u64 {
        self.feedback_rows.load(Ordering::Relaxed)
    }

    fn feedback_counts(&self) -> Result<Vec<FeedbackCount>, StoreError> {
        let rows = self
            .conn()?
            .query(
                "SELECT page, count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful)
                 FROM feedback GROUP BY page ORDER BY page COLLATE \"C\"",
                &[],
            )
            .map_err(pg)?;
        Ok(rows
            .iter()
            .map(|r| FeedbackCount { page: r.get(0), yes: r.get::<_, i64>(1).max(0) as u64, no: r.get::<_, i64>(2).max(0) as u64 })
            .collect())
    }

    fn record_cds_feedback(&self, items: &[CdsFeedbackRecord]) -> Result<(), StoreError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction().map_err(pg)?;
        for f in items {
            let (system, code, display) = match &f.override_reason {
                Some((s, c, d)) => (Some(s.as_str()), Some(c.as_str()), d.as_deref()),
                None => (None, None, None),
            };
            let accepted = i32::try_from(f.accepted_suggestions).unwrap_or(i32::MAX);
            tx.execute(
                "INSERT INTO cds_feedback (card, outcome, accepted_suggestions, override_system, override_code, override_display, has_comment, outcome_timestamp, client)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[&f.card, &f.outcome, &accepted, &system, &code, &display, &f.has_comment, &f.outcome_timestamp, &f.client],
            )
            .map_err(pg)?;
        }
        tx.commit().map_err(pg)
    }

    fn cds_feedback_for(&self, card: &str) -> Result<Vec<CdsFeedbackRecord>, StoreError> {
        let rows = self
            .conn()?
            .query(
                "SELECT card, outcome, accepted_suggestions, override_system, override_code, override_display, has_comment, outcome_timestamp, client
                 FROM cds_feedback WHERE card = $1 ORDER BY id",
                &[&card],
            )
            .map_err(pg)?;
        Ok(rows
            .iter()
            .map(|r| {
                let system: Option<String> = r.get(3);
                let code: Option<String> = r.get(4);
                CdsFeedbackRecord {
                    card: r.get(0),
                    outcome: r.get(1),
                    accepted_suggestions: r.get::<_, i32>(2).max(0) as u32,
                    override_reason: system.zip(code).map(|(s, c)| (s, c, r.get(5))),
                    has_comment: r.get(6),
                    outcome_timestamp: r.get(7),
                    client: r.get(8),
                }
            })
            .collect())
    }

    fn schema_version(&self) -> Result<i64, StoreError> {
        let v: i32 = self.conn()?.query_one("SELECT COALESCE(MAX(version), 0) FROM hepatica_schema", &[]).map_err(pg)?.get(0);
        Ok(i64::from(v))
    }

    /// Cached for [`HEALTH_CACHE`]; callers at the same moment share one check.
    fn health(&self, now: i64) -> Result<(), String> {
        let mut cached = self.health.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, answer)) = cached.as_ref()
            && at.elapsed() < HEALTH_CACHE
        {
            return answer.clone();
        }
        let answer = self.check(now);
        *cached = Some((Instant::now(), answer.clone()));
        answer
    }

    fn record_jti(&self, iss: &str, jti: &str, expires_at: u64, now: u64, capacity: u64, per_minute: u64) -> Result<(), AuthError> {
        let store = |e: postgres::Error| AuthError::ReplayStore(chain(&e));
        let mut c = self.conn().map_err(|e| AuthError::ReplayStore(e.to_string()))?;
        let now_i = now.min(i64::MAX as u64) as i64;
        let expires_i = expires_at.min(i64::MAX as u64) as i64;
        let mut tx = c.transaction().map_err(store)?;
        // One issuer at a time across every server, so the counts below are exact.
        tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2::text))", &[&JTI_LOCK_SPACE, &iss]).map_err(store)?;
        tx.execute("DELETE FROM cds_jti WHERE iss = $1 AND expires_at <= $2", &[&iss, &now_i]).map_err(store)?;
        let row = tx
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE seen_at > $2), COALESCE(bool_or(jti = $3), false) FROM cds_jti WHERE iss = $1",
                &[&iss, &(now_i - 60), &jti],
            )
            .map_err(store)?;
        let (live, recent, seen): (i64, i64, bool) = (row.get(0), row.get(1), row.get(2));
        if seen {
            return Err(AuthError::Replayed);
        }
        if live.max(0) as u64 >= capacity || recent.max(0) as u64 >= per_minute {
            return Err(AuthError::TooManyTokens);
        }
        // The insert decides: a row already there (from any server) means a replay.
        let inserted = tx
            .execute(
                "INSERT INTO cds_jti (iss, jti, expires_at, seen_at) VALUES ($1, $2, $3, $4) ON CONFLICT (iss, jti) DO NOTHING",
                &[&iss, &jti, &expires_i, &now_i],
            )
            .map_err(store)?;
        if inserted != 1 {
            return Err(AuthError::Replayed);
        }
        tx.commit().map_err(store)
    }

    fn sweep(&self, now: u64) -> Result<u64, StoreError> {
        let now_i = now.min(i64::MAX as u64) as i64;
        let removed = self.conn()?.execute("DELETE FROM cds_jti WHERE expires_at <= $1", &[&now_i]).map_err(pg)?;
        let rows = self.count_feedback()?;
        self.feedback_rows.store(rows, Ordering::Relaxed);
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loopback port with nothing listening (bound, then released).
    fn closed_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    #[test]
    fn an_unreachable_database_is_retried_then_named_without_its_password() {
        let port = closed_port();
        let url = format!("postgres://app:s3cret@127.0.0.1:{port}/hepatica");
        let opts = PgOptions { statement_timeout: Duration::from_millis(500), pool_size: 1, start_timeout: Duration::from_millis(1500) };
        let started = Instant::now();
        let err = PgStore::connect(&url, &opts).err().expect("nothing listens there");
        assert!(started.elapsed() < Duration::from_secs(10), "bounded: {:?}", started.elapsed());
        assert!(err.contains(&format!("postgres://***@127.0.0.1:{port}/hepatica")), "{err}");
        assert!(err.contains("attempts") && err.contains("refused"), "says what failed: {err}");
        assert!(!err.contains("s3cret") && !err.contains("app:"), "{err}");
    }

    #[test]
    fn every_connection_gets_the_statement_timeout() {
        let c = parse_config("postgres://db.example/hepatica?options=-c%20search_path%3Dhepatica", Duration::from_secs(3)).unwrap();
        assert_eq!(c.get_options(), Some("-c search_path=hepatica -c statement_timeout=3000 -c idle_in_transaction_session_timeout=6000"));
        assert_eq!(c.get_connect_timeout(), Some(&Duration::from_secs(3)));
        assert_eq!(c.get_application_name(), Some("hepatica"));
        let e = parse_config("postgres://app:s3cret@db.example/hepatica?sslmode=require", Duration::from_secs(3)).unwrap_err();
        assert!(e.contains("sslmode=require") && !e.contains("s3cret"), "{e}");
    }
}
