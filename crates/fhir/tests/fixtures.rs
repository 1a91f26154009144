//! Data-driven test over `tests/fixtures/*.json`: each FHIR Bundle maps to the
//! Case in `<name>.expected.json` (or fails with the errors in
//! `<name>.expected-errors.json`); `<name>.warnings.json`, when present, lists
//! `{ "pointer", "contains" }` pairs that must appear among the warnings.
//!
//! `HEPATICA_UPDATE_FIXTURES=1 cargo test -p hepatica-fhir --test fixtures`
//! rewrites the expected files from the current output (review the diff!).

use std::path::{Path, PathBuf};

use hepatica_fhir::map_bundle;
use hepatica_knowledge::Knowledge;

/// The fixed day the records are mapped on (ages are counted to it).
static TODAY: std::sync::LazyLock<hepatica_fhir::MapOptions> = std::sync::LazyLock::new(|| hepatica_fhir::MapOptions::on("2026-12-01"));
use serde_json::{Value, json};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".json") && !n.contains(".expected") && !n.ends_with(".warnings.json")
        })
        .collect();
    v.sort();
    v
}

fn sibling(p: &Path, suffix: &str) -> PathBuf {
    let stem = p.file_stem().and_then(|s| s.to_str()).expect("stem");
    p.with_file_name(format!("{stem}{suffix}"))
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_fixture_maps_to_its_expected_case() {
    let kb = Knowledge::embedded();
    let update = std::env::var_os("HEPATICA_UPDATE_FIXTURES").is_some();
    let files = fixtures();
    assert!(files.len() >= 12, "expected at least 12 fixtures, found {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let bundle = read(f);
        let result = map_bundle(&bundle, kb, &TODAY);
        let (actual, expected_path, warnings) = match &result {
            Ok(m) => {
                // The mapped case must be a valid contract Case.
                let v = serde_json::to_value(&m.case).expect("serialise");
                if let Err(e) = hepatica_engine::case_from_value(&v) {
                    failures.push(format!("{name}: mapped case is not a valid Case: {e:?}"));
                }
                (v, sibling(f, ".expected.json"), m.warnings.clone())
            }
            Err(errs) => (json!(errs), sibling(f, ".expected-errors.json"), Vec::new()),
        };
        if update {
            let text = serde_json::to_string_pretty(&actual).expect("json") + "\n";
            std::fs::write(&expected_path, text).expect("write expected");
            for other in [".expected.json", ".expected-errors.json"] {
                let p = sibling(f, other);
                if p != expected_path && p.exists() {
                    std::fs::remove_file(p).expect("remove stale");
                }
            }
        }
        if !expected_path.exists() {
            failures.push(format!(
                "{name}: got {} but {} does not exist:\n{actual:#}",
                if result.is_ok() { "a case" } else { "errors" },
                expected_path.display()
            ));
            continue;
        }
        let expected = read(&expected_path);
        if expected != actual {
            failures.push(format!("{name}: expected\n{expected:#}\ngot\n{actual:#}\nwarnings: {warnings:#?}"));
        }
        let wpath = sibling(f, ".warnings.json");
        if wpath.exists() {
            for w in read(&wpath).as_array().expect("warnings list") {
                let pointer = w["pointer"].as_str().expect("pointer");
                let contains = w["contains"].as_str().expect("contains");
                if !warnings.iter().any(|x| x.pointer == pointer && x.detail.contains(contains)) {
                    failures.push(format!("{name}: no warning at {pointer} containing {contains:?}; warnings: {warnings:#?}"));
                }
            }
        }
        // Determinism: the same input maps the same way twice.
        assert_eq!(format!("{:?}", map_bundle(&bundle, kb, &TODAY)), format!("{result:?}"), "{name}: not deterministic");
    }
    assert!(failures.is_empty(), "{} fixture problem(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn every_fixture_has_an_expectation() {
    for f in fixtures() {
        assert!(
            sibling(&f, ".expected.json").exists() || sibling(&f, ".expected-errors.json").exists(),
            "{} has no expected file",
            f.display()
        );
    }
}
