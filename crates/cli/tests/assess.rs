//! `hepatica assess`, `kb check` and `--version` driven as a user would, through the binary.
//!
//! The contract examples are copied into `tests/fixtures/contract/`; when
//! `../shared/contract/examples` exists beside the checkout, the copies are
//! also checked against it so drift is caught.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hepatica"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contract").join(name)
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

const TREATMENTS: [&str; 9] = [
    "chemotherapy",
    "surgery",
    "hormonal_therapy",
    "targeted_therapy",
    "immunotherapy",
    "ablation",
    "embolisation",
    "radiotherapy",
    "supportive_care",
];

#[test]
fn fixtures_match_shared_contract_when_present() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/contract/examples");
    if !shared.is_dir() {
        eprintln!("skipped: {} not present", shared.display());
        return;
    }
    for name in ["bowel-resectable.json", "breast-minimal.json", "only-primary.json", "invalid.json"] {
        assert_eq!(std::fs::read(shared.join(name)).unwrap(), std::fs::read(fixture(name)).unwrap(), "{name} drifted from shared/contract");
    }
}

#[test]
fn bowel_resectable_example_is_a_full_contract_assessment() {
    let out = bin().args(["assess", fixture("bowel-resectable.json").to_str().unwrap(), "--format", "json"]).output().unwrap();
    let a = json(&out);
    assert_eq!(a["contract"], "hepatica.assessment/1");
    assert_eq!(a["case_id"], "example-1");
    assert!(a["knowledge_base"]["version"].as_str().unwrap().starts_with("20"));
    let options = a["options"].as_array().unwrap();
    let ids: Vec<&str> = options.iter().map(|o| o["treatment"].as_str().unwrap()).collect();
    assert_eq!(ids, TREATMENTS);
    let by = |t: &str| options.iter().find(|o| o["treatment"] == t).unwrap()["suitability"].as_str().unwrap().to_string();
    assert_eq!(by("surgery"), "usual", "resectable, liver-only, fit, adequate remnant");
    assert_eq!(by("chemotherapy"), "usual");
    // Resectable, liver-only and fit: no anti-EGFR drug is added around the operation
    // (New EPOC: perioperative cetuximab shortened survival), so targeted therapy is possible.
    assert_eq!(by("targeted_therapy"), "possible", "left-sided RAS wild type, perioperative");
    assert_eq!(by("immunotherapy"), "unlikely", "MSS");
    assert_eq!(by("hormonal_therapy"), "unlikely");
    assert_eq!(by("supportive_care"), "usual");
    // Scores: node-positive, DFI 8 < 12, 2 tumours -> Fong 3 (high); TBS sqrt(3.5^2+2^2)=4.03 medium;
    // GAME: node 1 + CEA 40 >= 20 1 + TBS medium 1 = 3 (medium); FLR 55 >= 20.
    assert_eq!(a["scores"]["fong_clinical_risk_score"], serde_json::json!({"value": 3, "group": "high"}));
    assert_eq!(a["scores"]["game_score"], serde_json::json!({"value": 3, "group": "medium"}));
    assert_eq!(a["scores"]["tumour_burden_score"]["group"], "medium");
    assert!((a["scores"]["tumour_burden_score"]["value"].as_f64().unwrap() - 4.0311).abs() < 1e-3);
    assert_eq!(a["scores"]["future_liver_remnant"], serde_json::json!({"value": 55.0, "threshold": 20, "adequate": true}));
    // Every cited source is listed.
    let listed: Vec<&str> = a["sources"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    for o in options {
        for r in o["reasons"].as_array().unwrap() {
            for s in r["sources"].as_array().unwrap() {
                assert!(listed.contains(&s.as_str().unwrap()));
            }
        }
    }
    assert!(!a["disclaimer"].as_str().unwrap().is_empty());
    assert!(!a["support"].as_array().unwrap().is_empty());
}

#[test]
fn only_primary_gives_depends_with_what_would_decide_it() {
    let out = bin().args(["assess", fixture("only-primary.json").to_str().unwrap(), "--format", "json"]).output().unwrap();
    let a = json(&out);
    assert!(a.get("case_id").is_none());
    let options = a["options"].as_array().unwrap();
    let depends: Vec<&serde_json::Value> = options.iter().filter(|o| o["suitability"] == "depends").collect();
    assert!(!depends.is_empty(), "missing inputs give depends, not guesses");
    for o in depends {
        assert!(!o["depends_on"].as_array().unwrap().is_empty(), "{} depends on nothing", o["treatment"]);
    }
    let missing: Vec<&str> = a["missing_information"].as_array().unwrap().iter().map(|m| m["pointer"].as_str().unwrap()).collect();
    for p in ["/liver/tumour_count", "/spread_elsewhere", "/performance_status", "/biomarkers/EGFR"] {
        assert!(missing.contains(&p), "{p} not in missing_information: {missing:?}");
    }
    assert_eq!(a["scores"], serde_json::json!({}));
}

#[test]
fn breast_minimal_puts_hormone_therapy_first() {
    let out = bin().args(["assess", fixture("breast-minimal.json").to_str().unwrap(), "--format", "json"]).output().unwrap();
    let a = json(&out);
    let s = |t: &str| a["options"].as_array().unwrap().iter().find(|o| o["treatment"] == t).unwrap()["suitability"].clone();
    assert_eq!(s("hormonal_therapy"), "usual");
    assert_eq!(s("targeted_therapy"), "usual", "CDK4/6 inhibitor with hormone therapy");
    assert_eq!(s("chemotherapy"), "possible");
}

#[test]
fn invalid_example_reports_every_problem_and_exits_2() {
    let out = bin().args(["assess", fixture("invalid.json").to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(lines.iter().all(|l| l.starts_with("error: /")), "{err}");
    for needle in [
        "/primary_site: ",
        "did you mean bowel",
        "/liver/tumor_count: unknown field (did you mean tumour_count?)",
        "/liver/largest_tumour_cm: ",
        "got -2",
        "/performance_status: ",
        "got 7",
    ] {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
}

#[test]
fn stdin_and_dash_read_the_case() {
    let input = std::fs::read(fixture("breast-minimal.json")).unwrap();
    let a = run_stdin(&["assess", "--format", "json"], &input);
    let b = run_stdin(&["assess", "-", "--format", "json"], &input);
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn output_is_deterministic_byte_for_byte() {
    let f = fixture("bowel-resectable.json");
    let runs: Vec<Vec<u8>> =
        (0..3).map(|_| bin().args(["assess", f.to_str().unwrap(), "--format", "json"]).output().unwrap().stdout).collect();
    assert!(runs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn liver_primary_is_explained_as_out_of_scope() {
    let out = run_stdin(&["assess"], br#"{"primary_site":"liver"}"#);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("primary liver cancer is out of scope"));
}

#[test]
fn hostile_inputs_exit_2_without_panicking() {
    let deep = "[".repeat(200_000);
    let huge = format!("{{\"primary_site\":\"bowel\",\"id\":\"{}\"}}", "x".repeat(2 << 20));
    let inputs: Vec<&[u8]> = vec![
        b"",
        b"   ",
        b"null",
        b"[]",
        b"{",
        &[0xff, 0xfe, 0, 1],
        deep.as_bytes(),
        huge.as_bytes(),
        b"{\"primary_site\":\"bowel\"} trailing",
    ];
    for input in inputs {
        let out = run_stdin(&["assess"], input);
        assert_eq!(out.status.code(), Some(2), "input {:?}", String::from_utf8_lossy(&input[..input.len().min(40)]));
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn missing_file_is_an_input_error() {
    let out = bin().args(["assess", "/nonexistent/case.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/case.json"));
}

#[test]
fn text_and_markdown_show_all_nine_and_the_clinician_trace() {
    let f = fixture("bowel-resectable.json");
    let text = bin().args(["assess", f.to_str().unwrap()]).output().unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour when stdout is not a terminal");
    for heading in ["USUAL", "POSSIBLE", "UNLIKELY", "Sources", "Questions to ask your team"] {
        assert!(text.contains(heading), "{heading} missing");
    }
    let md = bin().args(["assess", f.to_str().unwrap(), "--format", "markdown", "--audience", "clinician"]).output().unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert_eq!(md.matches("\n### ").count(), 9, "nine option headings");
    assert!(md.contains("| Criterion | Status | Inputs |"), "clinician trace table");
    assert!(md.contains("Fong") || md.contains("FOLFOX"), "clinician wording");
}

#[test]
fn bad_arguments_exit_2() {
    for args in [&["assess", "--format", "pdf"][..], &["frobnicate"], &["assess", "--audience", "nurse"]] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn version_names_program_and_knowledge_base() {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    let v = String::from_utf8(out.stdout).unwrap();
    assert!(v.contains("knowledge base 20"), "{v}");
}

fn content_copy() -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
    copy_dir(&src, dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() { copy_dir(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}

mod tempdir {
    //! A temporary folder removed on drop (no extra dependency needed).
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let p = std::env::temp_dir().join(format!("hepatica-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn kb_check(dir: &Path, today: &str) -> Output {
    bin().args(["kb", "check", "--dir", dir.to_str().unwrap(), "--today", today]).output().unwrap()
}

#[test]
fn kb_check_passes_on_the_embedded_and_checked_in_content() {
    let out = bin().args(["kb", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let copy = content_copy();
    assert!(kb_check(copy.path(), "2026-12-02").status.success());
}

#[test]
fn kb_check_fails_on_an_unsourced_statement() {
    let copy = content_copy();
    let f = copy.path().join("statements/extra.toml");
    std::fs::write(&f, "[review]\nreviewed_on = 2026-11-26\nreview_due = 2027-11-26\nreviewers = [\"t\"]\n\n[[statement]]\nid = \"x.unsourced\"\npatient = \"A claim.\"\nclinician = \"A claim.\"\nsources = []\n").unwrap();
    let out = kb_check(copy.path(), "2026-12-02");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("x.unsourced.sources: unsourced"));
}

#[test]
fn kb_check_fails_on_an_unknown_source_id() {
    let copy = content_copy();
    let f = copy.path().join("statements/extra.toml");
    std::fs::write(&f, "[review]\nreviewed_on = 2026-11-26\nreview_due = 2027-11-26\nreviewers = [\"t\"]\n\n[[statement]]\nid = \"x.ghost\"\npatient = \"A claim.\"\nclinician = \"A claim.\"\nsources = [\"no-such-source\"]\n").unwrap();
    let out = kb_check(copy.path(), "2026-12-02");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown source id \"no-such-source\""));
}

#[test]
fn kb_check_fails_when_a_review_is_overdue() {
    let copy = content_copy();
    let out = kb_check(copy.path(), "2031-01-01");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("overdue: review was due"));
}

#[test]
fn kb_check_fails_when_the_engine_cites_a_missing_statement() {
    let copy = content_copy();
    // A statement only the procedural rules cite (rules files are checked when the folder loads).
    let f = copy.path().join("statements/surgery.toml");
    let text =
        std::fs::read_to_string(&f).unwrap().replace("id = \"surgery.transplant_bowel\"", "id = \"surgery.transplant_bowel_renamed\"");
    std::fs::write(&f, text).unwrap();
    let out = kb_check(copy.path(), "2026-12-02");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("surgery.transplant_bowel.id: the engine cites this statement"));
}

#[test]
fn kb_check_names_a_statement_a_rules_file_cites_but_the_folder_lacks() {
    let copy = content_copy();
    std::fs::remove_file(copy.path().join("statements/supportive-care.toml")).unwrap();
    let out = kb_check(copy.path(), "2026-12-02");
    assert_eq!(out.status.code(), Some(2), "a folder that does not load is exit 2");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rules/supportive_care.toml: supportive_care.base[0].statement: unknown statement \"supportive.always\""),
        "{err}"
    );
}
