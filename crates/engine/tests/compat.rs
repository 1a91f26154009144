//! Reproducibility: every frozen release gives the answers recorded from it.
//!
//! `tests/compat/kb-<version>/cases.ndjson` holds the cases recorded for a
//! release and `answers.ndjson` the options that release gave for each, for the
//! patient and the clinician audience: suitability, reasons with their sources,
//! and kinds (contract 8.2: "a pinned release reproduces its own answers").
//! 2026.11.0 has 452 cases (the golden cases, the contract examples and 400
//! synthetic cases, seed 20261126).
//!
//! Each frozen release under `releases/`, embedded in the binary, must give
//! exactly its recorded answers in every later program version, whatever the
//! working content in `content/` says now; and every frozen release must have
//! recorded answers. To record them when a release is cut (content/README.md,
//! "How to cut a release"): put the cases in `tests/compat/kb-<version>/cases.ndjson`
//! and run `HEPATICA_RECORD_COMPAT=<version> cargo test --test compat`.

use hepatica_engine::{Audience, assess, case_from_json};
use hepatica_knowledge::Knowledge;
use serde_json::{Value, json};

fn compat_dir(version: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/compat/kb-{version}"))
}

/// The part of an Assessment that a pinned release must reproduce.
fn projection(case_id: &str, audience: &str, assessment: &Value) -> Value {
    let options: Vec<Value> = assessment["options"]
        .as_array()
        .expect("options is an array")
        .iter()
        .map(|o| {
            let reasons: Vec<Value> = o["reasons"]
                .as_array()
                .expect("reasons is an array")
                .iter()
                .map(|r| json!({ "text": r["text"], "sources": r["sources"] }))
                .collect();
            json!({
                "treatment": o["treatment"],
                "suitability": o["suitability"],
                "reasons": reasons,
                "kinds": o.get("kinds").cloned().unwrap_or_else(|| json!([])),
            })
        })
        .collect();
    json!({ "case_id": case_id, "audience": audience, "options": options })
}

/// Every answer of `version` for the recorded cases, one JSON line each.
fn answers_of(version: &str) -> Vec<String> {
    let kb = Knowledge::release(version).unwrap_or_else(|| panic!("release {version} is embedded"));
    assert_eq!(kb.meta.version, version);
    let cases = std::fs::read_to_string(compat_dir(version).join("cases.ndjson"))
        .unwrap_or_else(|e| panic!("tests/compat/kb-{version}/cases.ndjson: {e}"));
    let mut out = Vec::new();
    for line in cases.lines() {
        let case = case_from_json(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let id = case.id.clone().expect("every compat case has an id");
        for (audience, name) in [(Audience::Patient, "patient"), (Audience::Clinician, "clinician")] {
            let got = serde_json::to_value(assess(kb, &case, audience)).expect("serialise");
            out.push(serde_json::to_string(&projection(&id, name, &got)).expect("serialise"));
        }
    }
    out
}

#[test]
fn every_frozen_release_reproduces_its_recorded_answers() {
    if let Ok(version) = std::env::var("HEPATICA_RECORD_COMPAT") {
        let lines = answers_of(&version);
        std::fs::write(compat_dir(&version).join("answers.ndjson"), lines.join("\n") + "\n").expect("write answers.ndjson");
        eprintln!("recorded {} answers of release {version}", lines.len());
    }
    let versions: Vec<&str> = Knowledge::release_versions().collect();
    assert!(versions.contains(&"2026.11.0"));
    let mut checked = 0;
    for version in versions {
        let recorded = std::fs::read_to_string(compat_dir(version).join("answers.ndjson"))
            .unwrap_or_else(|e| panic!("release {version} has no recorded answers (tests/compat/kb-{version}/answers.ndjson: {e})"));
        let got = answers_of(version);
        assert_eq!(got.len(), recorded.lines().count(), "release {version}: one recorded answer per case and audience");
        for (got, want) in got.iter().zip(recorded.lines()) {
            let (got, want): (Value, Value) = (serde_json::from_str(got).unwrap(), serde_json::from_str(want).expect("answers are JSON"));
            assert_eq!(got, want, "release {version}: case {} ({}) differs", want["case_id"], want["audience"]);
            checked += 1;
        }
        if version == "2026.11.0" {
            assert_eq!(got.len(), 904);
        }
    }
    assert!(checked >= 904);
}
