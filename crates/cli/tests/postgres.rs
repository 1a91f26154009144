//! Several real `hepatica serve` processes on one PostgreSQL database: a CDS
//! token accepted by one server is refused by the other and by the first after
//! a restart; page feedback posted to both is stored once per post; `/readyz`
//! goes false while PostgreSQL is down and true again once it is back; an
//! unreachable database stops the start with its (password-free) name (that
//! last test needs no PostgreSQL and runs with the other CLI tests).
//!
//! `bash scripts/pg-test.sh` starts a throwaway PostgreSQL, sets
//! `HEPATICA_TEST_DATABASE_URL` (and `HEPATICA_TEST_PG_STOP` /
//! `HEPATICA_TEST_PG_START`, shell commands that stop and start it) and runs
//! these with `--ignored --test-threads=1`. Run with `--ignored` but without
//! the URL they fail, saying so. Loopback only; every wait is bounded.
//!
//! Hazards: HAZ-035 (docs/safety/hazard-log.md).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p384::elliptic_curve::sec1::ToEncodedPoint;
use p384::pkcs8::EncodePrivateKey;
use serde_json::{Value, json};

const NEEDS_PG: &str = "HEPATICA_TEST_DATABASE_URL is not set: these tests need PostgreSQL; run bash scripts/pg-test.sh";
const BASE: &str = "http://127.0.0.1:8080";
const ISS: &str = "https://ehr.example.org";
const KID: &str = "pg-test-key";

/// A scratch folder removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("hepatica-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new, empty database on the test server; its URL.
fn fresh_database(name: &str) -> String {
    let admin = std::env::var("HEPATICA_TEST_DATABASE_URL").expect(NEEDS_PG);
    let db = format!("hepatica_cli_{name}_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect to the test server");
    // Two statements, not one batch: a multi-statement batch is one implicit
    // transaction, and DROP DATABASE cannot run inside one.
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).expect("drop an old test database");
    client.batch_execute(&format!("CREATE DATABASE {db}")).expect("create the test database");
    let (head, _) = admin.rsplit_once('/').expect("a URL with a database name");
    format!("{head}/{db}")
}

/// TEST-ONLY signing key (a fixed scalar) and its public JWK.
fn test_key() -> (EncodingKey, Value) {
    let secret = p384::SecretKey::from_slice(&[0x3b; 48]).expect("valid test scalar");
    let der = secret.to_pkcs8_der().expect("pkcs8");
    let p = secret.public_key().to_encoded_point(false);
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    let jwk = json!({ "kty": "EC", "crv": "P-384", "kid": KID, "use": "sig", "alg": "ES384",
                      "x": b64(p.x().expect("x")), "y": b64(p.y().expect("y")) });
    (EncodingKey::from_ec_der(der.as_bytes()), jwk)
}

fn token(key: &EncodingKey, jti: &str) -> String {
    let mut h = Header::new(Algorithm::ES384);
    h.kid = Some(KID.into());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let claims = json!({ "iss": ISS, "aud": format!("{BASE}/cds-services"), "exp": now + 300, "iat": now, "jti": jti });
    jsonwebtoken::encode(&h, &claims, key).expect("sign")
}

/// A running server; killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    fn start(data: &Path, name: &str, args: &[&str]) -> Server {
        let log = data.with_file_name(format!("{name}.log"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_hepatica"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .args(args)
            .env("HEPATICA_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start the server");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(at) = text.find("listening on http://") {
                let addr: String = text[at + "listening on http://".len()..].chars().take_while(|c| *c != '/').collect();
                return Server { child, addr: addr.parse().expect("the server prints its address"), log };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("{name} exited with {status} before listening:\n{text}");
            }
            assert!(Instant::now() < deadline, "{name} did not start within 60 s:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request over a fresh connection: status and body.
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut msg = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        msg.push_str(&format!("{k}: {v}\r\n"));
    }
    msg.push_str("\r\n");
    msg.push_str(body);
    s.write_all(msg.as_bytes()).expect("send");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn discovery(addr: SocketAddr, token: &str) -> (u16, String) {
    request(addr, "GET", "/cds-services", &[("Authorization", &format!("Bearer {token}"))], "")
}

fn feedback(addr: SocketAddr, page: &str, helpful: &str) -> u16 {
    request(addr, "POST", "/feedback", &[("Content-Type", "application/x-www-form-urlencoded")], &format!("page={page}&helpful={helpful}"))
        .0
}

fn readyz(addr: SocketAddr) -> u16 {
    request(addr, "GET", "/readyz", &[], "").0
}

/// Polls `/readyz` until it answers `want`; how long that took.
fn wait_ready(addr: SocketAddr, want: u16, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let got = readyz(addr);
        if got == want {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "/readyz still {got}, not {want}, after {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
#[ignore = "needs PostgreSQL: run bash scripts/pg-test.sh"]
fn two_servers_share_the_replay_cache_and_the_feedback() {
    let url = fresh_database("share");
    let dir = Scratch::new("share");
    let (key, jwk) = test_key();
    let trust = dir.0.join("trust.json");
    std::fs::write(&trust, json!({ "base_url": BASE, "issuers": [ { "iss": ISS, "jwks": { "keys": [jwk] } } ] }).to_string()).unwrap();
    let trust = trust.to_str().unwrap().to_string();
    let args = ["--database", url.as_str(), "--cds-trust", trust.as_str()];
    // Both on one data folder: with PostgreSQL the folder is not locked.
    let data = dir.0.join("data");
    let a = Server::start(&data, "a", &args);
    let b = Server::start(&data, "b", &args);
    assert_eq!(readyz(a.addr), 200, "{}", a.log());
    assert_eq!(readyz(b.addr), 200, "{}", b.log());

    let first = token(&key, "token-1");
    let (status, body) = discovery(a.addr, &first);
    assert_eq!(status, 200, "A accepts a new token: {body}");
    let (status, body) = discovery(b.addr, &first);
    assert_eq!(status, 401, "B refuses it: {body}");
    assert!(body.contains("already used"), "{body}");
    assert_eq!(discovery(b.addr, &token(&key, "token-2")).0, 200, "B accepts its own new token");
    assert_eq!(discovery(a.addr, &token(&key, "token-2")).0, 401, "and A refuses that one");

    // Page feedback: three answers to A, two to B, each stored once.
    for (server, page, helpful) in
        [(&a, "/", "yes"), (&a, "/about", "no"), (&b, "/about", "yes"), (&a, "/about", "yes"), (&b, "/check", "no")]
    {
        assert_eq!(feedback(server.addr, page, helpful), 303);
    }
    // After a restart, A still refuses the first token.
    drop(a);
    let a = Server::start(&data, "a-again", &args);
    let (status, body) = discovery(a.addr, &first);
    assert_eq!(status, 401, "refused after a restart: {body}");

    let mut db = postgres::Client::connect(&url, postgres::NoTls).expect("read back");
    let rows = db
        .query(
            "SELECT page, count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful) FROM feedback GROUP BY page ORDER BY page COLLATE \"C\"",
            &[],
        )
        .unwrap();
    let counts: Vec<(String, i64, i64)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    assert_eq!(counts, vec![("/".to_string(), 1, 0), ("/about".to_string(), 2, 1), ("/check".to_string(), 0, 1)]);
    let ids: Vec<String> = db.query("SELECT jti FROM cds_jti ORDER BY jti", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, ["token-1", "token-2"], "each token id once");
    // The URL is shown only without its user (and password).
    for log in [a.log(), b.log()] {
        assert!(log.contains("store postgres://***@127.0.0.1:") && !log.contains(&url), "{log}");
    }
}

#[test]
#[ignore = "needs PostgreSQL: run bash scripts/pg-test.sh"]
fn readiness_follows_the_database_and_an_unreachable_one_stops_the_start() {
    let url = fresh_database("ready");
    let dir = Scratch::new("ready");
    let (key, jwk) = test_key();
    let trust = dir.0.join("trust.json");
    std::fs::write(&trust, json!({ "base_url": BASE, "issuers": [ { "iss": ISS, "jwks": { "keys": [jwk] } } ] }).to_string()).unwrap();
    let server = Server::start(&dir.0.join("data"), "ready", &["--database", url.as_str(), "--cds-trust", trust.to_str().unwrap()]);
    assert_eq!(readyz(server.addr), 200, "{}", server.log());

    // Stop PostgreSQL: not ready; start it: ready again (the pool reconnects).
    match (std::env::var("HEPATICA_TEST_PG_STOP"), std::env::var("HEPATICA_TEST_PG_START")) {
        (Ok(stop), Ok(start)) => {
            let run = |cmd: &str| assert!(Command::new("sh").args(["-c", cmd]).status().expect("sh").success(), "{cmd}");
            run(&stop);
            let down = wait_ready(server.addr, 503, Duration::from_secs(20));
            // The database being away is the server's problem, for now: 503 (with
            // Retry-After), not 500, and a good CDS token is not called bad (401).
            assert_eq!(feedback(server.addr, "/", "yes"), 503, "a write while the database is down is refused for now");
            let (status, body) = discovery(server.addr, &token(&key, "while-down"));
            assert_eq!(status, 503, "the replay check could not run: {body}");
            assert!(body.contains("try again"), "{body}");
            assert!(!server.log().contains("while-down"), "no token id in the log");
            run(&start);
            let up = wait_ready(server.addr, 200, Duration::from_secs(30));
            assert_eq!(feedback(server.addr, "/", "yes"), 303, "writes work again");
            assert_eq!(discovery(server.addr, &token(&key, "after-up")).0, 200, "CDS works again");
            eprintln!("readyz: 503 {down:?} after PostgreSQL stopped, 200 {up:?} after it started");
        }
        _ => panic!("HEPATICA_TEST_PG_STOP and HEPATICA_TEST_PG_START are not set: run bash scripts/pg-test.sh"),
    }
}

/// Needs no PostgreSQL: runs with the other CLI tests.
#[test]
fn an_unreachable_or_invalid_database_stops_the_start() {
    let dir = Scratch::new("unreachable");
    // Nothing listening: the start retries for --database-start-timeout, then
    // fails naming the database without its user or password.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bad = format!("postgres://app:s3cret@127.0.0.1:{port}/hepatica");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_hepatica"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-start-timeout", "2", "--database-statement-timeout", "1", "--data-dir"])
        .arg(dir.0.join("unreachable"))
        .env("HEPATICA_DATABASE_URL", &bad)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30), "bounded: {:?}", started.elapsed());
    assert!(stderr.contains(&format!("could not reach the database postgres://***@127.0.0.1:{port}/hepatica")), "{stderr}");
    assert!(stderr.contains("retrying"), "says it retries: {stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    // A value that is not a database URL is bad input: exit 2, named.
    let out = Command::new(env!("CARGO_BIN_EXE_hepatica"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database", "mysql://root:s3cret@db/x", "--data-dir"])
        .arg(dir.0.join("bad"))
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--database") && !stderr.contains("s3cret"), "{stderr}");
    // A blank value (an empty Secret) is an error, not a silent fall-back to a
    // SQLite file per replica (outsider operator test).
    for (flag, env) in [(Some(""), None), (Some("  "), None), (None, Some("")), (None, Some(" "))] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hepatica"));
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--data-dir"]).arg(dir.0.join("blank")).stdin(Stdio::null());
        if let Some(v) = flag {
            cmd.args(["--database", v]);
        }
        if let Some(v) = env {
            cmd.env("HEPATICA_DATABASE_URL", v);
        }
        let out = cmd.output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag:?} {env:?}: {stderr}");
        assert!(stderr.contains("got an empty value"), "{stderr}");
    }
}
