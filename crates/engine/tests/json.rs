//! `to_json` writes the same bytes as `serde_json::to_vec`: on every case the
//! compat suite records (both audiences) and on hostile strings and awkward
//! numbers. The API and `batch --full` use `to_json`; clients and the compat
//! answers were made with serde_json.

use hepatica_engine::{Assessment, Audience, GroupedScore, assess, case_from_json, to_json};
use hepatica_knowledge::Knowledge;

fn same(a: &Assessment) {
    let want = serde_json::to_vec(a).expect("serialises");
    let got = to_json(a);
    if got != want {
        let at = got.iter().zip(&want).position(|(x, y)| x != y).unwrap_or(got.len().min(want.len()));
        let lo = at.saturating_sub(60);
        panic!(
            "to_json differs from serde_json at byte {at}:\n to_json:    {}\n serde_json: {}",
            String::from_utf8_lossy(&got[lo..(at + 60).min(got.len())]),
            String::from_utf8_lossy(&want[lo..(at + 60).min(want.len())])
        );
    }
}

#[test]
fn to_json_equals_serde_json_on_every_recorded_compat_case() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/compat/kb-2026.12.5/cases.ndjson");
    let text = std::fs::read_to_string(path).expect("the compat cases are in the repository");
    let kb = Knowledge::embedded();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case = case_from_json(line.as_bytes()).expect("a recorded case parses");
        for audience in [Audience::Patient, Audience::Clinician] {
            same(&assess(kb, &case, audience));
            n += 1;
        }
    }
    assert!(n > 4_000, "only {n} assessments compared");
}

#[test]
fn to_json_escapes_hostile_strings_and_writes_numbers_as_serde_json_does() {
    let kb = Knowledge::embedded();
    let case = case_from_json(br#"{"primary_site":"bowel","liver":{"tumour_count":3,"largest_tumour_cm":2.5}}"#).expect("valid");
    let base = assess(kb, &case, Audience::Clinician);
    let controls: String = (0u8..0x20).map(char::from).collect();
    let hostile = [
        controls.as_str(),
        "\"quoted\" and back\\slash / solidus",
        "\u{7f} DEL, \u{2028} line and \u{2029} paragraph separators",
        "émigré naïve Ünïcødé, 肝臓, 🩺🧬 outside the BMP",
        "</script><script>alert(1)</script>&amp;",
        "",
        "a very long text ".repeat(500).as_str(),
    ]
    .map(str::to_string);
    for s in &hostile {
        let mut a = base.clone();
        a.case_id = Some(s.clone());
        a.options[0].reasons[0].text = s.clone();
        a.options[1].title = s.clone();
        same(&a);
    }
    for v in [0.0, -0.0, 0.1 + 0.2, 1e21, 1e-7, 123_456_789.125, 5e-324, f64::MAX, 2.5, 100.0] {
        let mut a = base.clone();
        a.scores.tumour_burden_score = Some(GroupedScore { value: v, group: "low" });
        same(&a);
    }
}
