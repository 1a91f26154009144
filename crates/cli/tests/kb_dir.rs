//! `--kb-dir DIR`: a content folder loaded at run time (contract 8.2). A curator
//! edits TOML and sees the effect without compiling; a broken folder is exit 2
//! with every problem named.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hepatica"))
}

/// A copy of `content/` in a fresh temporary folder, removed on drop.
struct Copy(PathBuf);

impl Copy {
    fn new() -> Copy {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!("hepatica-kbdir-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content"), &p);
        Copy(p)
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.0.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{file}: {from:?} occurs once");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }

    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() { copy_dir(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}

fn assess(kb_dir: Option<&Copy>, audience: &str, case: &str) -> Output {
    let mut cmd = bin();
    cmd.args(["assess", "--format", "json", "--audience", audience]);
    if let Some(d) = kb_dir {
        cmd.args(["--kb-dir", d.arg()]);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(case.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn option(out: &Output, treatment: &str) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["options"].as_array().unwrap().iter().find(|o| o["treatment"] == treatment).unwrap().clone()
}

const LARGE_TUMOUR: &str = r#"{"primary_site": "bowel", "liver": {"tumour_count": 1, "largest_tumour_cm": 4.5, "near_major_vessels": false}, "spread_elsewhere": [], "performance_status": 0}"#;

#[test]
fn a_moved_threshold_moves_the_decision_and_every_sentence_that_states_it() {
    let before = assess(None, "patient", LARGE_TUMOUR);
    let a = option(&before, "ablation");
    assert_eq!(a["suitability"], "possible", "4.5 cm is between the ideal and the largest size");

    let kb = Copy::new();
    kb.edit("thresholds.toml", "id = \"ablation.max_cm\"\nvalue = 5", "id = \"ablation.max_cm\"\nvalue = 4");
    for audience in ["patient", "clinician"] {
        let o = option(&assess(Some(&kb), audience, LARGE_TUMOUR), "ablation");
        assert_eq!(o["suitability"], "unlikely", "{audience}: 4.5 cm is now above ablation.max_cm");
        let reasons: Vec<&str> = o["reasons"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect();
        let too_large = o["reasons"].as_array().unwrap().iter().find(|r| r["statement"] == "ablation.too_large").unwrap();
        assert!(too_large["text"].as_str().unwrap().contains("over 4 cm"), "{audience}: {too_large}");
        assert!(reasons.iter().all(|t| !t.contains("over 5 cm")), "{audience}: no sentence keeps the old number: {reasons:?}");
    }
}

#[test]
fn a_rule_changed_only_in_content_rules_changes_the_answer() {
    let case = r#"{"primary_site": "kidney"}"#;
    assert_eq!(option(&assess(None, "patient", case), "chemotherapy")["suitability"], "unlikely");
    let kb = Copy::new();
    kb.edit("rules/chemotherapy.toml", "sites = [\"kidney\"]\nlevel = \"unlikely\"", "sites = [\"kidney\"]\nlevel = \"possible\"");
    assert_eq!(option(&assess(Some(&kb), "patient", case), "chemotherapy")["suitability"], "possible");

    // Batch reads the same folder.
    let input = kb.0.join("cases.ndjson");
    let output = kb.0.join("out.ndjson");
    std::fs::write(&input, "{\"id\": \"k1\", \"primary_site\": \"kidney\"}\n").unwrap();
    let out = bin()
        .args(["batch", "--input", input.to_str().unwrap(), "--output", output.to_str().unwrap(), "--kb-dir", kb.arg()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&output).unwrap().trim()).unwrap();
    assert_eq!(line["suitability"]["chemotherapy"], "possible");
}

/// `and` conditions (knowledge base 2026.12.5) are content too: narrowing one
/// moves the answer, and one naming an unknown fact is named by file, rule and field.
#[test]
fn an_and_condition_is_content_and_is_type_checked() {
    let case = r#"{"primary_site": "womb", "histology": "endometrioid", "tumour_grade": "G2", "biomarkers": {"ER": "positive"}}"#;
    let hormonal = |kb: Option<&Copy>| option(&assess(kb, "clinician", case), "hormonal_therapy")["suitability"].clone();
    assert_eq!(hormonal(None), "usual");
    let grades = "and = [{ fact = \"tumour_grade\", in = [\"G1\", \"G2\"] }, { fact = \"hormone_receptor_positive\", is = true }]";
    let kb = Copy::new();
    kb.edit("rules/hormonal_therapy.toml", grades, &grades.replace("[\"G1\", \"G2\"]", "[\"G1\"]"));
    assert_eq!(hormonal(Some(&kb)), "possible", "grade 2 no longer matches the low-grade row");

    let broken = Copy::new();
    broken.edit("rules/hormonal_therapy.toml", grades, &grades.replace("fact = \"tumour_grade\"", "fact = \"tumour_grad\""));
    let out = assess(Some(&broken), "clinician", case);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("rules/hormonal_therapy.toml: hormonal_therapy.base[") && err.contains("].and[0].fact: unknown fact \"tumour_grad\""),
        "{err}"
    );
}

#[test]
fn a_broken_folder_is_exit_2_naming_every_problem_on_every_command() {
    let kb = Copy::new();
    kb.edit("rules/ablation.toml", "fact = \"near_major_vessels\"", "fact = \"near_big_vessels\"");
    kb.edit("rules/ablation.toml", "statement = \"ablation.few\"", "statement = \"ablation.fewer\"");
    kb.edit("thresholds.toml", "id = \"sabr.max_ps\"", "id = \"sabr.max_performance\"");
    let expect = |out: &Output, what: &str| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(out.stdout.is_empty() || what == "kb check", "{what}: nothing on stdout");
        assert!(
            err.contains("rules/ablation.toml: ablation.tumours_away_from_large_blood_vessels.fact: unknown fact \"near_big_vessels\""),
            "{what}: {err}"
        );
        assert!(
            err.contains("rules/ablation.toml: ablation.few_enough_tumours.when[0].statement: unknown statement \"ablation.fewer\""),
            "{what}: {err}"
        );
        assert!(
            err.contains("rules/radiotherapy.toml: radiotherapy.performance_status.when[0].at_most: unknown threshold \"sabr.max_ps\""),
            "{what}: {err}"
        );
    };
    expect(&assess(Some(&kb), "patient", LARGE_TUMOUR), "assess");
    let out = bin().args(["batch", "--input", "-", "--output", "/dev/null", "--kb-dir", kb.arg()]).output().unwrap();
    expect(&out, "batch");
    let out = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir", kb.0.join("data").to_str().unwrap(), "--kb-dir", kb.arg()])
        .output()
        .unwrap();
    expect(&out, "serve");
    let out = bin().args(["kb", "check", "--kb-dir", kb.arg()]).output().unwrap();
    expect(&out, "kb check");
}

#[test]
fn a_missing_folder_is_exit_2() {
    let out = bin().args(["assess", "--kb-dir", "/no/such/hepatica/content"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read folder"));
}
