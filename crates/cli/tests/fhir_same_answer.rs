//! The same FHIR bytes give the same answer through `hepatica assess --fhir`
//! and `POST /api/v1/assess/fhir` of a real `hepatica serve` on 127.0.0.1
//! (port chosen by the OS): the same Assessment, or the same errors (exit 2
//! on the CLI, 422 problem details on the API). See: issue #15.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running `hepatica serve`, stopped (by its own pid) when dropped.
struct Server {
    child: Child,
    addr: String,
    _dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Server {
    let dir = std::env::temp_dir().join(format!("hepatica-fhir-same-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_hepatica"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("server said where it listens").expect("line");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split('/').next().expect("addr").to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Server { child, addr, _dir: dir }
}

/// POSTs `body` and returns (status, body JSON).
fn post(addr: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(body).expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("headers end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1).expect("status").parse().expect("number");
    assert!(!head.to_lowercase().contains("transfer-encoding: chunked"), "expected a sized body: {head}");
    (status, serde_json::from_slice(&raw[split + 4..]).expect("JSON body"))
}

/// The CLI's answer: (exit code, stdout JSON or the stderr error lines).
fn cli(file: &Path) -> (i32, Value, Vec<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_hepatica")).args(["assess", "--format", "json", "--fhir"]).arg(file).output().expect("run");
    let code = out.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let errors = String::from_utf8_lossy(&out.stderr).lines().filter_map(|l| l.strip_prefix("error: ").map(str::to_string)).collect();
    (code, json, errors)
}

fn shared(name: &str) -> Option<PathBuf> {
    let dirs = [
        std::env::var_os("HEPATICA_SHARED").map(|s| PathBuf::from(s).join("fixtures/fhir-real")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/fhir-real")),
    ];
    let found = dirs.into_iter().flatten().find(|p| p.is_dir()).map(|d| d.join(name));
    if found.is_none() {
        eprintln!("skipped {name}: shared/fixtures/fhir-real not present (set HEPATICA_SHARED)");
    }
    found
}

#[test]
fn cli_and_api_agree_on_the_same_bytes() {
    let mut files = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fhir/tests/fixtures/bowel-kras-g12c.json")];
    files.extend(
        ["ctm-trialmatching-patient01.json", "gr-oncology-report-example.json", "mef-dstu2-epic-breast-condition-searchset.json"]
            .iter()
            .filter_map(|n| shared(n)),
    );
    let server = serve();
    for (i, file) in files.iter().enumerate() {
        let bytes = std::fs::read(file).expect("read");
        // The content types EHRs send: all three accepted.
        let ct = ["application/fhir+json", "application/json+fhir", "application/json"][i % 3];
        let (status, api) = post(&server.addr, "/api/v1/assess/fhir", ct, &bytes);
        let (code, out, errors) = cli(file);
        let name = file.display();
        if code == 0 {
            assert_eq!(status, 200, "{name}: CLI assessed it, API said {status}: {api}");
            assert_eq!(out, api, "{name}: CLI and API assessments differ");
            // Both show the Case as mapped, so an integrator can see what was read.
            let mapped = &out["mapped_case"];
            assert!(mapped["primary_site"].is_string(), "{name}: no mapped_case.primary_site in {out}");
            assert!(hepatica_engine::case_from_value(mapped).is_ok(), "{name}: mapped_case is a valid Case: {mapped}");
        } else {
            assert_eq!(code, 2, "{name}");
            assert_eq!(status, 422, "{name}: CLI refused it, API said {status}: {api}");
            let api_errors: Vec<String> = api["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .map(|e| format!("{}: {}", e["pointer"].as_str().unwrap_or(""), e["detail"].as_str().unwrap_or("")))
                .collect();
            assert_eq!(errors, api_errors, "{name}: CLI and API errors differ");
        }
    }
}
