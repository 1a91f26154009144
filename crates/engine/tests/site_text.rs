//! Text written for one primary site is not shown for another.
//!
//! Some trials and drug names belong to one cancer (TRANSMET to bowel cancer,
//! RUBY to womb cancer). A reason, a `depends_on` line or a
//! `missing_information` line that names one of them in another site's answer
//! reads as advice for the wrong cancer (the fifth oncologist review found
//! several, issue 13). The cases are the recorded compat cases of every frozen
//! release, assessed with the embedded (newest) knowledge base.

use hepatica_engine::{Audience, assess, case_from_json};
use hepatica_knowledge::Knowledge;

/// A term, and the primary sites whose answers may name it.
const SITE_TERMS: &[(&str, &[&str])] = &[
    ("TRANSMET", &["bowel"]),
    ("KEYNOTE-177", &["bowel"]),
    ("MOUNTAINEER", &["bowel"]),
    ("TA668", &["bowel"]),
    ("CDK4/6", &["breast"]),
    ("CLEOPATRA", &["breast"]),
    ("DESTINY-Breast", &["breast"]),
    ("OlympiAD", &["breast"]),
    ("RUBY", &["womb"]),
    ("PAPMET", &["kidney"]),
    ("Milan", &["neuroendocrine"]),
    ("PROfound", &["prostate"]),
    ("ToGA", &["stomach", "oesophagus"]),
];

#[test]
fn no_site_specific_trial_in_another_sites_answer() {
    let kb = Knowledge::embedded();
    let mut cases = String::new();
    for version in Knowledge::release_versions() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/compat/kb-{version}/cases.ndjson"));
        cases += &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let mut problems = std::collections::BTreeSet::new();
    let mut checked = 0;
    for line in cases.lines() {
        let case = case_from_json(line.as_bytes()).expect("a recorded case parses");
        let site = case.primary_site.as_str();
        for audience in [Audience::Patient, Audience::Clinician] {
            let a = assess(kb, &case, audience);
            let mut texts: Vec<(String, &str)> =
                a.missing_information.iter().map(|m| (format!("missing {}", m.pointer), m.why.as_str())).collect();
            for o in &a.options {
                texts.extend(o.reasons.iter().map(|r| (format!("{} reason {}", o.treatment, r.statement), r.text.as_str())));
                texts.extend(o.depends_on.iter().map(|d| (format!("{} depends_on", o.treatment), d.as_str())));
            }
            for (where_, text) in texts {
                checked += 1;
                for (term, sites) in SITE_TERMS {
                    if text.contains(term) && !sites.contains(&site) {
                        problems.insert(format!("{site}: {where_} names {term}: {text}"));
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} texts checked");
    assert!(
        problems.is_empty(),
        "{} texts name another site's trial:\n{}",
        problems.len(),
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}
