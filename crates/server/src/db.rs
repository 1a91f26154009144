//! The embedded SQLite store: page feedback and CDS Hooks card feedback.
//!
//! One file, `<data-dir>/hepatica.db`, in WAL mode. The schema version lives in
//! `PRAGMA user_version` and [`MIGRATIONS`] brings any older file up to date
//! on open. Only the page path, the yes/no answer and a timestamp are stored:
//! never case data, addresses or anything else about a person.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, params};

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
];

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

impl Db {
    /// Opens (creating if needed) and migrates the database file.
    pub fn open(path: &Path) -> rusqlite::Result<Db> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Db::init(conn)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> rusqlite::Result<Db> {
        Db::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> rusqlite::Result<Db> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut conn)?;
        Ok(Db { conn: Arc::new(Mutex::new(conn)) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        // A poisoned lock only means another request panicked mid-call; the
        // connection itself is still usable.
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }

    /// Stores one answer to "Was this page helpful?".
    pub fn record_feedback(&self, page: &str, helpful: bool) -> rusqlite::Result<()> {
        self.with(|c| c.execute("INSERT INTO feedback (page, helpful) VALUES (?1, ?2)", params![page, helpful as i64]).map(|_| ()))
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
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
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
