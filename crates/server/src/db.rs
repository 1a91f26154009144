//! The embedded SQLite store: page feedback, CDS Hooks card feedback and the
//! CDS replay cache. It is the default [`crate::store::Storage`]; the other is
//! PostgreSQL ([`crate::store::postgres`]), for several replicas.
//!
//! One file, `<data-dir>/hepatica.db`, in WAL mode. The schema version lives in
//! `PRAGMA user_version` and [`MIGRATIONS`] brings any older file up to date
//! on open. Only the page path, the yes/no answer and a timestamp are stored:
//! never case data, addresses or anything else about a person.
//!
//! Opening refuses a file that fails `PRAGMA quick_check` (a damaged page) or
//! whose `user_version` is newer than this program knows, rather than serving
//! from it. [`Db::health`] is the run-time readiness check: the schema
//! version, a small write (so a full disk or a read-only file shows), and the
//! free space of the folder. [`DataDirLock`] keeps a second server off a data
//! folder, and [`crate::store::StoreReplay`] (over this store) keeps seen CDS token ids (`jti`) until they
//! expire, across restarts and across servers sharing the file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hepatica_fhir::cds::auth::AuthError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::store::StoreError;

/// Free space below which the server is not ready (bytes).
pub const MIN_FREE_BYTES: u64 = 16 << 20;

/// Schema migrations; entry `i` takes `user_version` from `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        page TEXT NOT NULL CHECK (length(page) BETWEEN 1 AND 200),
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX feedback_page ON feedback (page);",
    // 2: CDS Hooks card feedback (crates/server/src/cds.rs). No case data and no
    // free text: the card id, the outcome, a coded override reason, whether a
    // comment was given, and which client (JWT issuer) sent it.
    "CREATE TABLE cds_feedback (
        id INTEGER PRIMARY KEY,
        card TEXT NOT NULL CHECK (length(card) BETWEEN 1 AND 128),
        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
        accepted_suggestions INTEGER NOT NULL DEFAULT 0,
        override_system TEXT,
        override_code TEXT,
        override_display TEXT,
        has_comment INTEGER NOT NULL DEFAULT 0 CHECK (has_comment IN (0, 1)),
        outcome_timestamp TEXT NOT NULL,
        client TEXT NOT NULL,
        received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX cds_feedback_card ON cds_feedback (card);",
    // 3: seen CDS token ids, kept until the token expires (replay across
    // restarts and instances), and a one-row table the readiness check writes.
    "CREATE TABLE cds_jti (
        iss TEXT NOT NULL CHECK (length(iss) BETWEEN 1 AND 512),
        jti TEXT NOT NULL CHECK (length(jti) BETWEEN 1 AND 256),
        expires_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (iss, jti)
    ) WITHOUT ROWID;
    CREATE INDEX cds_jti_expiry ON cds_jti (expires_at);
    CREATE INDEX cds_jti_seen ON cds_jti (iss, seen_at);
    CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL);",
];

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// SQLite failed (not a database, permissions, ...).
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// It opened but must not be used: damaged, or from a newer version.
    #[error("{0}")]
    Check(String),
}

/// Why a feedback answer was not stored.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    /// The table holds its maximum number of rows.
    #[error("the feedback store is full ({0} answers)")]
    Full(u64),
    /// The store failed: SQLite or PostgreSQL.
    #[error(transparent)]
    Store(crate::store::StoreError),
}

impl From<rusqlite::Error> for FeedbackError {
    fn from(e: rusqlite::Error) -> FeedbackError {
        FeedbackError::Store(e.into())
    }
}

/// One CDS Hooks feedback item as stored (see migration 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdsFeedbackRecord {
    /// The card's uuid.
    pub card: String,
    /// `accepted` or `overridden`.
    pub outcome: String,
    /// How many suggestions were accepted.
    pub accepted_suggestions: u32,
    /// Override reason coding: system, code, display.
    pub override_reason: Option<(String, String, Option<String>)>,
    /// Whether the user wrote a comment (the text is not kept).
    pub has_comment: bool,
    /// When the user acted (RFC 3339, from the client).
    pub outcome_timestamp: String,
    /// The client's JWT issuer.
    pub client: String,
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    /// The file, for the free-space check (`None` in memory).
    path: Option<PathBuf>,
    /// Rows in `feedback` (counted at open, then kept up to date).
    feedback_rows: Arc<AtomicU64>,
}

/// Feedback counts for one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackCount {
    /// Page path.
    pub page: String,
    /// "Yes" answers.
    pub yes: u64,
    /// "No" answers.
    pub no: u64,
}

/// The tables the migrations create and the server uses.
const TABLES: &[&str] = &["feedback", "cds_feedback", "cds_jti", "health"];

impl Db {
    /// Opens (creating if needed) and migrates the database file.
    /// Refuses a damaged file or one from a newer version ([`OpenError::Check`]).
    pub fn open(path: &Path) -> Result<Db, OpenError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        check(&conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Db::init(conn, Some(path.to_path_buf()))
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> rusqlite::Result<Db> {
        Db::init(Connection::open_in_memory()?, None).map_err(|e| match e {
            OpenError::Sqlite(e) => e,
            OpenError::Check(m) => rusqlite::Error::InvalidParameterName(m),
        })
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Db, OpenError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut conn)?;
        let rows: i64 = conn.query_row("SELECT count(*) FROM feedback", [], |r| r.get(0))?;
        Ok(Db { conn: Arc::new(Mutex::new(conn)), path, feedback_rows: Arc::new(AtomicU64::new(rows.max(0) as u64)) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        // A poisoned lock only means another request panicked mid-call; the
        // connection itself is still usable.
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }

    /// Stores one answer to "Was this page helpful?".
    pub fn record_feedback(&self, page: &str, helpful: bool) -> rusqlite::Result<()> {
        self.with(|c| c.execute("INSERT INTO feedback (page, helpful) VALUES (?1, ?2)", params![page, helpful as i64]))?;
        self.feedback_rows.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Stores one answer unless the table already holds `max_rows`.
    pub fn record_feedback_capped(&self, page: &str, helpful: bool, max_rows: u64) -> Result<(), FeedbackError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if self.feedback_rows.load(Ordering::Relaxed) >= max_rows {
            return Err(FeedbackError::Full(max_rows));
        }
        conn.execute("INSERT INTO feedback (page, helpful) VALUES (?1, ?2)", params![page, helpful as i64])?;
        self.feedback_rows.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Rows in the feedback table.
    pub fn feedback_rows(&self) -> u64 {
        self.feedback_rows.load(Ordering::Relaxed)
    }

    /// Counts per page, sorted by page.
    pub fn feedback_counts(&self) -> rusqlite::Result<Vec<FeedbackCount>> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT page, SUM(helpful), SUM(1 - helpful) FROM feedback GROUP BY page ORDER BY page")?;
            let rows = stmt.query_map([], |r| {
                Ok(FeedbackCount { page: r.get(0)?, yes: r.get::<_, i64>(1)? as u64, no: r.get::<_, i64>(2)? as u64 })
            })?;
            rows.collect()
        })
    }

    /// Stores CDS Hooks feedback items, all or none.
    pub fn record_cds_feedback(&self, items: &[CdsFeedbackRecord]) -> rusqlite::Result<()> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction()?;
        for f in items {
            let (system, code, display) = match &f.override_reason {
                Some((s, c, d)) => (Some(s.as_str()), Some(c.as_str()), d.as_deref()),
                None => (None, None, None),
            };
            tx.execute(
                "INSERT INTO cds_feedback (card, outcome, accepted_suggestions, override_system, override_code, override_display, has_comment, outcome_timestamp, client)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![f.card, f.outcome, f.accepted_suggestions, system, code, display, f.has_comment as i64, f.outcome_timestamp, f.client],
            )?;
        }
        tx.commit()
    }

    /// Stored CDS Hooks feedback for a card, oldest first.
    pub fn cds_feedback_for(&self, card: &str) -> rusqlite::Result<Vec<CdsFeedbackRecord>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT card, outcome, accepted_suggestions, override_system, override_code, override_display, has_comment, outcome_timestamp, client
                 FROM cds_feedback WHERE card = ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map(params![card], |r| {
                let system: Option<String> = r.get(3)?;
                let code: Option<String> = r.get(4)?;
                Ok(CdsFeedbackRecord {
                    card: r.get(0)?,
                    outcome: r.get(1)?,
                    accepted_suggestions: r.get(2)?,
                    override_reason: system.zip(code).map(|(s, c)| (s, c, r.get(5).ok().flatten())),
                    has_comment: r.get::<_, i64>(6)? != 0,
                    outcome_timestamp: r.get(7)?,
                    client: r.get(8)?,
                })
            })?;
            rows.collect()
        })
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> rusqlite::Result<i64> {
        self.with(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
    }

    /// A cheap query proving the database answers (readiness).
    pub fn ping(&self) -> rusqlite::Result<()> {
        self.with(|c| c.query_row("SELECT 1", [], |_| Ok(())))
    }

    /// Run-time readiness: the schema is the one this program wrote, a small
    /// write succeeds, and the folder has at least [`MIN_FREE_BYTES`] free.
    /// `Err` says what is wrong (no data in it).
    pub fn health(&self, now: i64) -> Result<(), String> {
        let version = self.schema_version().map_err(|e| format!("database does not answer ({e})"))?;
        if version != MIGRATIONS.len() as i64 {
            return Err(format!("database schema version {version}, expected {}", MIGRATIONS.len()));
        }
        // Every table the server uses must be there (a schema version alone
        // does not prove it: a table dropped by hand left CDS calls failing).
        for table in TABLES {
            let found: i64 = self
                .with(|c| c.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| r.get(0)))
                .map_err(|e| format!("database does not answer ({e})"))?;
            if found == 0 {
                return Err(format!("database table {table} is missing"));
            }
        }
        self.with(|c| {
            c.execute("INSERT INTO health (id, checked_at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET checked_at = ?1", [now])
        })
        .map_err(|e| format!("database cannot be written ({e})"))?;
        if let Some(free) = self.free_bytes()
            && free < MIN_FREE_BYTES
        {
            return Err(format!("only {free} bytes free beside the database, need {MIN_FREE_BYTES}"));
        }
        Ok(())
    }

    /// Free bytes on the database's file system, when known.
    fn free_bytes(&self) -> Option<u64> {
        let folder = self.path.as_ref()?.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        free_bytes(folder)
    }

    /// Records a CDS token id until `expires_at`; refuses a replay, and more
    /// than `capacity` live ids or `per_minute` new ids for one issuer. One
    /// immediate transaction, so two servers sharing the file cannot both accept it.
    pub fn record_jti(&self, iss: &str, jti: &str, expires_at: u64, now: u64, capacity: u64, per_minute: u64) -> Result<(), AuthError> {
        let store = |e: rusqlite::Error| AuthError::ReplayStore(e.to_string());
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store)?;
        let now_i = now.min(i64::MAX as u64) as i64;
        tx.execute("DELETE FROM cds_jti WHERE expires_at <= ?1", [now_i]).map_err(store)?;
        let seen: Option<i64> = tx
            .query_row("SELECT expires_at FROM cds_jti WHERE iss = ?1 AND jti = ?2", params![iss, jti], |r| r.get(0))
            .optional()
            .map_err(store)?;
        if seen.is_some() {
            return Err(AuthError::Replayed);
        }
        let live: i64 = tx.query_row("SELECT count(*) FROM cds_jti WHERE iss = ?1", [iss], |r| r.get(0)).map_err(store)?;
        if live as u64 >= capacity {
            return Err(AuthError::TooManyTokens);
        }
        let recent: i64 = tx
            .query_row("SELECT count(*) FROM cds_jti WHERE iss = ?1 AND seen_at > ?2", params![iss, now_i - 60], |r| r.get(0))
            .map_err(store)?;
        if recent as u64 >= per_minute {
            return Err(AuthError::TooManyTokens);
        }
        tx.execute(
            "INSERT INTO cds_jti (iss, jti, expires_at, seen_at) VALUES (?1, ?2, ?3, ?4)",
            params![iss, jti, expires_at.min(i64::MAX as u64) as i64, now_i],
        )
        .map_err(store)?;
        tx.commit().map_err(store)
    }
}

impl crate::store::Storage for Db {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
    fn record_feedback_capped(&self, page: &str, helpful: bool, max_rows: u64) -> Result<(), FeedbackError> {
        Db::record_feedback_capped(self, page, helpful, max_rows)
    }
    fn feedback_rows(&self) -> u64 {
        Db::feedback_rows(self)
    }
    fn feedback_counts(&self) -> Result<Vec<FeedbackCount>, StoreError> {
        Ok(Db::feedback_counts(self)?)
    }
    fn record_cds_feedback(&self, items: &[CdsFeedbackRecord]) -> Result<(), StoreError> {
        Ok(Db::record_cds_feedback(self, items)?)
    }
    fn cds_feedback_for(&self, card: &str) -> Result<Vec<CdsFeedbackRecord>, StoreError> {
        Ok(Db::cds_feedback_for(self, card)?)
    }
    fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(Db::schema_version(self)?)
    }
    fn health(&self, now: i64) -> Result<(), String> {
        Db::health(self, now)
    }
    fn record_jti(&self, iss: &str, jti: &str, expires_at: u64, now: u64, capacity: u64, per_minute: u64) -> Result<(), AuthError> {
        Db::record_jti(self, iss, jti, expires_at, now, capacity, per_minute)
    }
    fn sweep(&self, now: u64) -> Result<u64, StoreError> {
        let now = now.min(i64::MAX as u64) as i64;
        Ok(self.with(|c| c.execute("DELETE FROM cds_jti WHERE expires_at <= ?1", [now]))? as u64)
    }
}

#[cfg(unix)]
fn free_bytes(folder: &Path) -> Option<u64> {
    let s = rustix::fs::statvfs(folder).ok()?;
    Some(s.f_bavail.saturating_mul(s.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_folder: &Path) -> Option<u64> {
    None
}

/// Refuses a damaged database or one written by a newer version.
fn check(conn: &Connection) -> Result<(), OpenError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > MIGRATIONS.len() as i64 || version < 0 {
        return Err(OpenError::Check(format!(
            "its schema version is {version}, but this program knows versions up to {}: it was written by a newer or unknown program; restore a backup or use a matching version",
            MIGRATIONS.len()
        )));
    }
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let problems: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(0))?.filter_map(Result::ok).take(5).collect();
    if problems.first().is_none_or(|p| p != "ok") {
        return Err(OpenError::Check(format!(
            "the integrity check failed ({}); restore the last backup (docs/safety/operations.md)",
            problems.join("; ")
        )));
    }
    Ok(())
}

/// An exclusive lock on `<data-dir>/hepatica.lock`, held while the server runs.
#[derive(Debug)]
pub struct DataDirLock {
    _file: std::fs::File,
}

impl DataDirLock {
    /// Takes the lock, or fails at once if another process holds it. The
    /// lock is the kernel's (`flock`), so it is released when the process
    /// dies, even by `kill -9`: a stale file never blocks a restart.
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock, crate::ServeError> {
        let lock = data_dir.join("hepatica.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(|source| crate::ServeError::DataDir { path: lock.clone(), source })?;
        #[cfg(unix)]
        rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
            .map_err(|_| crate::ServeError::Locked { path: data_dir.to_path_buf(), lock: lock.clone() })?;
        Ok(DataDirLock { _file: file })
    }
}

fn migrate(conn: &mut Connection) -> Result<(), OpenError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_and_counts() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len() as i64);
        db.record_feedback("/", true).unwrap();
        db.record_feedback("/", false).unwrap();
        db.record_feedback("/about", true).unwrap();
        let c = db.feedback_counts().unwrap();
        assert_eq!(c[0], FeedbackCount { page: "/".into(), yes: 1, no: 1 });
        assert_eq!(c[1], FeedbackCount { page: "/about".into(), yes: 1, no: 0 });
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hepatica-db-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_token_id_is_refused_again_by_another_instance_and_after_a_restart() {
        let dir = scratch("jti");
        let path = dir.join("hepatica.db");
        let a = Db::open(&path).unwrap();
        let b = Db::open(&path).unwrap();
        assert_eq!(a.record_jti("https://ehr", "t-1", 2_000, 1_000, 10, 10), Ok(()));
        assert_eq!(b.record_jti("https://ehr", "t-1", 2_000, 1_000, 10, 10), Err(AuthError::Replayed), "second instance");
        drop((a, b));
        let c = Db::open(&path).unwrap();
        assert_eq!(c.record_jti("https://ehr", "t-1", 2_000, 1_500, 10, 10), Err(AuthError::Replayed), "after a restart");
        assert_eq!(c.record_jti("https://other", "t-1", 2_000, 1_500, 10, 10), Ok(()), "ids are per issuer");
        // Once the token has expired its id is forgotten (and the row removed).
        assert_eq!(c.record_jti("https://ehr", "t-1", 3_000, 2_001, 10, 10), Ok(()));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn one_issuer_cannot_fill_the_replay_store_for_others() {
        let db = Db::open_in_memory().unwrap();
        for i in 0..5 {
            assert_eq!(db.record_jti("greedy", &format!("t{i}"), 10_000, 1_000 + i, 5, 100), Ok(()));
        }
        assert_eq!(db.record_jti("greedy", "t5", 10_000, 1_010, 5, 100), Err(AuthError::TooManyTokens), "capacity per issuer");
        assert_eq!(db.record_jti("polite", "p0", 10_000, 1_010, 5, 100), Ok(()), "other issuers are unaffected");
        // Rate: at most 3 new ids a minute.
        for i in 0..3 {
            assert_eq!(db.record_jti("fast", &format!("f{i}"), 10_000, 5_000, 100, 3), Ok(()));
        }
        assert_eq!(db.record_jti("fast", "f3", 10_000, 5_030, 100, 3), Err(AuthError::TooManyTokens), "rate per issuer");
        assert_eq!(db.record_jti("fast", "f4", 10_000, 5_061, 100, 3), Ok(()), "a minute later it may go on");
    }

    #[test]
    fn a_damaged_or_newer_database_is_refused_at_start() {
        let dir = scratch("check");
        let path = dir.join("hepatica.db");
        {
            let db = Db::open(&path).unwrap();
            for i in 0..3000 {
                db.record_feedback(&format!("/page-{i}"), i % 2 == 0).unwrap();
            }
            db.with(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")).unwrap();
        }
        // Overwrite the middle of the file (b-tree pages) with garbage.
        let mut bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 5 * 4096, "{}", bytes.len());
        for b in &mut bytes[2 * 4096..4 * 4096] {
            *b = 0x5a;
        }
        std::fs::write(&path, &bytes).unwrap();
        match Db::open(&path) {
            Err(OpenError::Check(m)) => assert!(m.contains("integrity check failed"), "{m}"),
            Err(e) => assert!(e.to_string().contains("malformed"), "{e}"),
            Ok(_) => panic!("a damaged database must not open"),
        }
        let newer = dir.join("newer.db");
        {
            let c = Connection::open(&newer).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        match Db::open(&newer) {
            Err(OpenError::Check(m)) => assert!(m.contains("schema version is 99"), "{m}"),
            _ => panic!("an unknown schema version must not open"),
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn health_fails_on_a_wrong_schema_or_a_failed_write() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(db.health(1), Ok(()));
        db.with(|c| c.pragma_update(None, "user_version", 99)).unwrap();
        assert!(db.health(2).unwrap_err().contains("schema version 99"));
        db.with(|c| c.pragma_update(None, "user_version", MIGRATIONS.len() as i64)).unwrap();
        db.with(|c| c.execute_batch("PRAGMA query_only = ON")).unwrap();
        assert!(db.health(3).unwrap_err().contains("cannot be written"), "a read-only or full store is not ready");
        let db = Db::open_in_memory().unwrap();
        db.with(|c| c.execute_batch("DROP TABLE cds_jti")).unwrap();
        assert!(db.health(4).unwrap_err().contains("cds_jti is missing"), "a dropped table is not ready");
    }

    #[test]
    fn expired_token_ids_are_swept() {
        use crate::store::Storage;
        let db = Db::open_in_memory().unwrap();
        db.record_jti("https://ehr", "old", 1_100, 1_000, 10, 10).unwrap();
        db.record_jti("https://ehr", "new", 9_000, 1_000, 10, 10).unwrap();
        assert_eq!(Storage::sweep(&db, 2_000).unwrap(), 1, "only the expired id goes");
        assert_eq!(db.record_jti("https://ehr", "new", 9_000, 2_000, 10, 10), Err(AuthError::Replayed), "a live id stays");
    }

    #[test]
    fn the_feedback_table_is_capped() {
        let db = Db::open_in_memory().unwrap();
        for _ in 0..3 {
            db.record_feedback_capped("/", true, 3).unwrap();
        }
        assert!(matches!(db.record_feedback_capped("/", true, 3), Err(FeedbackError::Full(3))));
        assert_eq!(db.feedback_rows(), 3);
    }

    #[test]
    fn a_second_server_cannot_lock_the_same_data_folder() {
        let dir = scratch("lock");
        let first = DataDirLock::acquire(&dir).unwrap();
        assert!(matches!(DataDirLock::acquire(&dir), Err(crate::ServeError::Locked { .. })));
        drop(first);
        assert!(DataDirLock::acquire(&dir).is_ok(), "released with its holder");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn file_database_is_wal_and_reopens() {
        let dir = std::env::temp_dir().join(format!("hepatica-db-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("hepatica.db");
        {
            let db = Db::open(&path).unwrap();
            db.record_feedback("/check", true).unwrap();
            let mode: String = db.with(|c| c.pragma_query_value(None, "journal_mode", |r| r.get(0))).unwrap();
            assert_eq!(mode, "wal");
        }
        let db = Db::open(&path).unwrap();
        assert_eq!(db.feedback_counts().unwrap().len(), 1);
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len() as i64);
        drop(db);
        let _ = std::fs::remove_dir_all(dir);
    }
}
