//! Reproducibility: the answers recorded from knowledge-base release 2026.11.0.
//!
//! `tests/compat/kb-2026.11.0/cases.ndjson` holds 452 cases (the golden cases,
//! the contract examples and 400 synthetic cases, seed 20261126) and
//! `answers.ndjson` the options the 2026.11.0 release gave for each, for the
//! patient and the clinician audience: suitability, reasons with their sources,
//! and kinds (contract 8.2: "a pinned release reproduces its own answers").
//!
//! The frozen release `releases/2026.11.0/`, embedded in the binary, must give
//! exactly these answers in every later program version, whatever the working
//! content in `content/` says now.

use hepatica_engine::{Audience, assess, case_from_json};
use hepatica_knowledge::Knowledge;
use serde_json::{Value, json};

const RELEASE: &str = "2026.11.0";

fn compat_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compat/kb-2026.11.0")
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

#[test]
fn release_2026_11_0_reproduces_its_recorded_answers() {
    let kb = Knowledge::release(RELEASE).expect("release 2026.11.0 is embedded");
    assert_eq!(kb.meta.version, RELEASE);
    let cases = std::fs::read_to_string(compat_dir().join("cases.ndjson")).expect("cases.ndjson");
    let answers = std::fs::read_to_string(compat_dir().join("answers.ndjson")).expect("answers.ndjson");
    let mut expected = answers.lines();
    let mut checked = 0;
    for line in cases.lines() {
        let case = case_from_json(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let id = case.id.clone().expect("every compat case has an id");
        for (audience, name) in [(Audience::Patient, "patient"), (Audience::Clinician, "clinician")] {
            let got = serde_json::to_value(assess(kb, &case, audience)).expect("serialise");
            let got = projection(&id, name, &got);
            let want: Value =
                serde_json::from_str(expected.next().expect("one answer per case and audience")).expect("answers.ndjson is JSON");
            assert_eq!(got, want, "case {id} ({name}) differs from release {RELEASE}");
            checked += 1;
        }
    }
    assert!(expected.next().is_none(), "answers.ndjson has more lines than cases");
    assert_eq!(checked, 904);
}
