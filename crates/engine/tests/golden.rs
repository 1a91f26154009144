//! Golden assessments: every case in `tests/cases/*.json`, rendered compactly.
//!
//! The rendering lists each option's suitability, kinds, the statement ids of
//! its reasons, its criteria trace and what it depends on, then the scores and
//! missing information. Review changes with `cargo insta review`; each case was
//! checked for clinical sense against `shared/domain/` when it was added.

use std::fmt::Write;

use hepatica_engine::{Assessment, Audience, CriterionStatus, assess, case_from_json};
use hepatica_knowledge::Knowledge;

fn render(a: &Assessment) -> String {
    let mut out = String::new();
    for o in &a.options {
        let kinds: Vec<String> = o.kinds.iter().map(|k| format!("{}={}", k.id, k.suitability.as_str())).collect();
        let _ = writeln!(out, "{}: {}  [{}]", o.treatment, o.suitability.as_str(), kinds.join(", "));
        let reasons: Vec<&str> = o.reasons.iter().map(|r| r.statement.as_str()).collect();
        let _ = writeln!(out, "  reasons: {}", reasons.join(", "));
        for c in &o.criteria {
            let s = match c.status {
                CriterionStatus::Met => "met",
                CriterionStatus::NotMet => "NOT MET",
                CriterionStatus::Unknown => "unknown",
            };
            let _ = writeln!(out, "  {s}: {} ({})", c.label, c.inputs.join(", "));
        }
        if !o.depends_on.is_empty() {
            let _ = writeln!(out, "  depends on {} inputs", o.depends_on.len());
        }
    }
    let s = &a.scores;
    let mut scores = Vec::new();
    if let Some(f) = &s.fong_clinical_risk_score {
        scores.push(format!("fong={} {}", f.value, f.group));
    }
    if let Some(t) = &s.tumour_burden_score {
        scores.push(format!("tbs={:.3} {}", t.value, t.group));
    }
    if let Some(g) = &s.game_score {
        scores.push(format!("game={} {}", g.value, g.group));
    }
    if let Some(r) = &s.future_liver_remnant {
        scores.push(format!("flr={}/{} adequate={}", r.value, r.threshold, r.adequate));
    }
    let _ = writeln!(out, "scores: {}", scores.join("; "));
    let missing: Vec<&str> = a.missing_information.iter().map(|m| m.pointer.as_str()).collect();
    let _ = writeln!(out, "missing: {}", missing.join(", "));
    out
}

#[test]
fn golden_cases() {
    let kb = Knowledge::embedded();
    insta::glob!("cases/*.json", |path| {
        let bytes = std::fs::read(path).unwrap();
        let case = case_from_json(&bytes).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let a = assess(kb, &case, Audience::Clinician);
        insta::assert_snapshot!(render(&a));
    });
}

#[test]
fn at_least_forty_cases_cover_every_primary_site() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut sites = std::collections::BTreeSet::new();
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let case = case_from_json(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
        sites.insert(case.primary_site);
        n += 1;
    }
    assert!(n >= 40, "{n} golden cases");
    assert_eq!(sites.len(), hepatica_engine::PrimarySite::ALL.len(), "every primary site has a golden case");
}
