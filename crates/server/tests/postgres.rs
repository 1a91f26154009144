//! The PostgreSQL store against a real PostgreSQL: migrations, a newer schema
//! refused by name, a token id accepted exactly once by several stores racing
//! on one database, per-issuer capacity and rate, the sweep, and feedback.
//!
//! These need a server: `bash scripts/pg-test.sh` starts a throwaway cluster,
//! sets `HEPATICA_TEST_DATABASE_URL` (a superuser URL; each test makes its own
//! database) and runs them with `--ignored`. Run with `--ignored` but without
//! the URL they fail, saying so: they never pass without PostgreSQL.
//!
//! Hazards: HAZ-035 (docs/safety/hazard-log.md).

use std::sync::{Arc, Barrier};
use std::time::Duration;

use hepatica_fhir::cds::auth::AuthError;
use hepatica_server::store::postgres::{MIGRATIONS, PgOptions, PgStore};
use hepatica_server::store::{CdsFeedbackRecord, FeedbackCount, FeedbackError, Storage};

const NEEDS_PG: &str = "HEPATICA_TEST_DATABASE_URL is not set: these tests need PostgreSQL; run bash scripts/pg-test.sh";

/// A new, empty database on the test server; its URL.
fn fresh_database(name: &str) -> String {
    let admin = std::env::var("HEPATICA_TEST_DATABASE_URL").expect(NEEDS_PG);
    let db = format!("hepatica_store_{name}_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect to the test server");
    // Two statements, not one batch: a multi-statement batch is one implicit
    // transaction, and DROP DATABASE cannot run inside one.
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).expect("drop an old test database");
    client.batch_execute(&format!("CREATE DATABASE {db}")).expect("create the test database");
    let mut url = url::Url::parse(&admin).expect("test URL");
    url.set_path(&format!("/{db}"));
    url.to_string()
}

fn opts() -> PgOptions {
    PgOptions { statement_timeout: Duration::from_secs(5), pool_size: 4, start_timeout: Duration::from_secs(10) }
}

#[test]
#[ignore = "needs PostgreSQL: run bash scripts/pg-test.sh"]
fn migrates_once_and_refuses_a_newer_schema_by_name() {
    let url = fresh_database("migrate");
    let a = PgStore::connect(&url, &opts()).expect("first start migrates");
    assert_eq!(a.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(a.health(1), Ok(()));
    // A second server on the same database finds it migrated and changes nothing.
    let b = PgStore::connect(&url, &opts()).expect("second start");
    assert_eq!(b.schema_version().unwrap(), MIGRATIONS.len() as i64);
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let rows: i64 = raw.query_one("SELECT count(*) FROM hepatica_schema", &[]).unwrap().get(0);
    assert_eq!(rows, MIGRATIONS.len() as i64, "each migration recorded once");
    // A newer program's schema: refused at start, by name, and not ready at run time.
    raw.execute("INSERT INTO hepatica_schema (version) VALUES (99)", &[]).unwrap();
    let err = PgStore::connect(&url, &opts()).err().expect("a newer schema is refused");
    assert!(err.contains("schema version is 99") && err.contains("hepatica_schema"), "{err}");
    std::thread::sleep(Duration::from_millis(1100));
    assert!(a.health(2).unwrap_err().contains("schema version 99"));
    raw.execute("DELETE FROM hepatica_schema WHERE version = 99", &[]).unwrap();
    raw.batch_execute("DROP TABLE cds_jti").unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    assert!(a.health(3).unwrap_err().contains("cds_jti is missing"), "a dropped table is not ready");
}

#[test]
#[ignore = "needs PostgreSQL: run bash scripts/pg-test.sh"]
fn a_token_id_is_accepted_exactly_once_by_racing_servers() {
    let url = fresh_database("race");
    let stores: Vec<Arc<PgStore>> = (0..2).map(|_| Arc::new(PgStore::connect(&url, &opts()).expect("connect"))).collect();
    for round in 0..5 {
        let racers = 8;
        let barrier = Arc::new(Barrier::new(racers));
        let handles: Vec<_> = (0..racers)
            .map(|i| {
                let store = stores[i % 2].clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    store.record_jti("https://ehr", &format!("race-{round}"), 2_000, 1_000, 1_000, 1_000)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let accepted = results.iter().filter(|r| r.is_ok()).count();
        let replayed = results.iter().filter(|r| **r == Err(AuthError::Replayed)).count();
        assert_eq!((accepted, replayed), (1, racers - 1), "round {round}: {results:?}");
    }
    // Per issuer: ids, and once expired an id may come again.
    let (a, b) = (&stores[0], &stores[1]);
    assert_eq!(a.record_jti("https://other", "race-0", 2_000, 1_000, 10, 10), Ok(()), "ids are per issuer");
    assert_eq!(b.record_jti("https://ehr", "race-0", 3_000, 2_001, 1_000, 1_000), Ok(()), "expired, so forgotten");
    // Capacity per issuer, counted across both servers.
    for i in 0..5 {
        let s = if i % 2 == 0 { a } else { b };
        assert_eq!(s.record_jti("greedy", &format!("g{i}"), 10_000, 1_000 + i, 5, 100), Ok(()));
    }
    assert_eq!(a.record_jti("greedy", "g5", 10_000, 1_010, 5, 100), Err(AuthError::TooManyTokens), "capacity per issuer");
    assert_eq!(b.record_jti("polite", "p0", 10_000, 1_010, 5, 100), Ok(()), "other issuers are unaffected");
    // Rate per issuer: at most 3 new ids a minute.
    for i in 0..3 {
        assert_eq!(b.record_jti("fast", &format!("f{i}"), 10_000, 5_000, 100, 3), Ok(()));
    }
    assert_eq!(a.record_jti("fast", "f3", 10_000, 5_030, 100, 3), Err(AuthError::TooManyTokens), "rate per issuer");
    assert_eq!(a.record_jti("fast", "f4", 10_000, 5_061, 100, 3), Ok(()), "a minute later it may go on");
    // The sweep removes expired ids of every issuer.
    let removed = a.sweep(20_000).unwrap();
    assert!(removed >= 12, "{removed}");
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let left: i64 = raw.query_one("SELECT count(*) FROM cds_jti WHERE expires_at <= 20000", &[]).unwrap().get(0);
    assert_eq!(left, 0);
}

#[test]
#[ignore = "needs PostgreSQL: run bash scripts/pg-test.sh"]
fn feedback_from_two_servers_is_counted_once_each() {
    let url = fresh_database("feedback");
    let a = PgStore::connect(&url, &opts()).unwrap();
    let b = PgStore::connect(&url, &opts()).unwrap();
    a.record_feedback_capped("/", true, 100).unwrap();
    b.record_feedback_capped("/", false, 100).unwrap();
    b.record_feedback_capped("/about", true, 100).unwrap();
    let want = vec![FeedbackCount { page: "/".into(), yes: 1, no: 1 }, FeedbackCount { page: "/about".into(), yes: 1, no: 0 }];
    assert_eq!(a.feedback_counts().unwrap(), want);
    assert_eq!(b.feedback_counts().unwrap(), want);
    // The cap: each server knows the table's size after a sweep.
    a.sweep(0).unwrap();
    assert_eq!(a.feedback_rows(), 3);
    assert!(matches!(a.record_feedback_capped("/", true, 3), Err(FeedbackError::Full(3))));
    let item = CdsFeedbackRecord {
        card: "card-1".into(),
        outcome: "overridden".into(),
        accepted_suggestions: 0,
        override_reason: Some(("http://example.org/reasons".into(), "not-indicated".into(), Some("Not indicated".into()))),
        has_comment: true,
        outcome_timestamp: "2026-12-01T10:00:00Z".into(),
        client: "https://ehr".into(),
    };
    let plain = CdsFeedbackRecord { override_reason: None, has_comment: false, outcome: "accepted".into(), ..item.clone() };
    a.record_cds_feedback(std::slice::from_ref(&item)).unwrap();
    b.record_cds_feedback(std::slice::from_ref(&plain)).unwrap();
    assert_eq!(b.cds_feedback_for("card-1").unwrap(), vec![item, plain]);
    // All or none: a bad item stores nothing.
    let bad = CdsFeedbackRecord {
        outcome: "maybe".into(),
        card: "card-2".into(),
        ..CdsFeedbackRecord::clone(&a.cds_feedback_for("card-1").unwrap()[0])
    };
    let good = CdsFeedbackRecord { card: "card-2".into(), ..bad.clone() };
    let good = CdsFeedbackRecord { outcome: "accepted".into(), ..good };
    assert!(a.record_cds_feedback(&[good, bad]).is_err());
    assert!(a.cds_feedback_for("card-2").unwrap().is_empty());
}
