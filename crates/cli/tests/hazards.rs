//! The hazard log (`docs/safety/hazard-log.md`) as a test, and the hazard controls that had no test of their own.
//!
//! [`hazard_log_controls_point_at_real_tests`] parses the log and fails if:
//! there are fewer than 20 hazards; a hazard lacks a field or a `test:` /
//! `check:` control; a `test: <file>::<fn>` names a file that does not exist
//! or that holds no `fn <fn>` marked as a test; a `check:` names a script that does not exist
//! or that CI (`scripts/test.sh`) does not run, or a `hepatica` sub-command
//! that does not exist; a risk does not match the log's matrix; or a
//! residual risk is higher than the initial one.
//!
//! The other tests are end-to-end checks of specific hazards (the engine,
//! FHIR mapping, CDS cards and the binary), named in the log.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use hepatica_engine::{Assessment, Audience, Biomarker, BiomarkerValue, Case, PrimarySite, Suitability, assess, case_from_json};
use hepatica_knowledge::Knowledge;
use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

fn hepatica() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hepatica"))
}

// ------------------------------------------------------------------ the log

/// One hazard as written in the log.
#[derive(Debug, Default)]
struct Hazard {
    id: String,
    title: String,
    fields: Vec<(String, String)>,
    controls: Vec<String>,
}

impl Hazard {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Parses `### HAZ-NNN: title` sections with `- **Field:** value` lines and
/// a `- **Controls:**` list of `  - kind: reference` items.
fn parse_log(text: &str) -> Vec<Hazard> {
    let mut out: Vec<Hazard> = Vec::new();
    let mut in_controls = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("### ") {
            let (id, title) = rest.split_once(':').unwrap_or((rest, ""));
            out.push(Hazard { id: id.trim().to_string(), title: title.trim().to_string(), ..Hazard::default() });
            in_controls = false;
            continue;
        }
        if line.starts_with("## ") {
            in_controls = false;
            continue;
        }
        let Some(h) = out.last_mut() else { continue };
        if let Some(rest) = line.strip_prefix("- **") {
            let Some((name, value)) = rest.split_once(":**") else { continue };
            in_controls = name == "Controls";
            h.fields.push((name.to_string(), value.trim().to_string()));
        } else if in_controls && let Some(item) = line.strip_prefix("  - ") {
            h.controls.push(item.trim().to_string());
        } else if !line.trim().is_empty() && !line.starts_with("  ") {
            in_controls = false;
        }
    }
    out
}

/// The log's risk matrix: `RISK[likelihood - 1][severity - 1]`.
const RISK: [[u8; 5]; 5] = [[1, 1, 2, 2, 3], [1, 2, 2, 3, 4], [2, 2, 3, 3, 4], [2, 3, 3, 4, 5], [3, 4, 4, 5, 5]];

fn rating(field: Option<&str>) -> Option<u8> {
    field?.split_whitespace().next()?.parse().ok().filter(|n| (1..=5).contains(n))
}

/// `severity S, likelihood L, risk R`.
fn residual(field: Option<&str>) -> Option<(u8, u8, u8)> {
    let mut nums = field?.split(',').map(|part| part.split_whitespace().last().and_then(|n| n.parse::<u8>().ok()));
    Some((nums.next()??, nums.next()??, nums.next()??))
}

/// Whether `file` declares a function called `name` (`fn name(` or `fn name<`).
fn declares_fn(file: &str, name: &str) -> bool {
    [format!("fn {name}("), format!("fn {name}<")].iter().any(|pat| file.contains(pat.as_str()))
}

/// Whether that function is a test: `#[test]` or `#[tokio::test]` among the
/// attribute and doc lines just above it (also inside `proptest!`).
fn is_test_fn(file: &str, name: &str) -> bool {
    let lines: Vec<&str> = file.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        declares_fn(line, name)
            && lines[i.saturating_sub(8)..i]
                .iter()
                .rev()
                .map(|l| l.trim())
                .take_while(|l| l.starts_with("#[") || l.starts_with("///") || l.starts_with("//"))
                .any(|l| l.starts_with("#[test]") || l.starts_with("#[tokio::test"))
    })
}

/// The problems with one control reference, if any.
fn check_control(root: &Path, ci: &str, control: &str) -> Option<String> {
    if let Some(rest) = control.strip_prefix("test:") {
        let reference = rest.split_whitespace().next().unwrap_or("");
        let Some((path, name)) = reference.rsplit_once("::") else {
            return Some(format!("`{reference}` is not <file>::<function>"));
        };
        let file = root.join(path);
        let Ok(text) = std::fs::read_to_string(&file) else {
            return Some(format!("test file {path} does not exist"));
        };
        if !declares_fn(&text, name) {
            return Some(format!("{path} has no `fn {name}`"));
        }
        (!is_test_fn(&text, name)).then(|| format!("{path}: `fn {name}` is not marked #[test] or #[tokio::test]"))
    } else if let Some(rest) = control.strip_prefix("check:") {
        let words: Vec<&str> = rest.split_whitespace().take_while(|w| !w.starts_with('(')).collect();
        match words.as_slice() {
            ["hepatica", sub @ ..] if !sub.is_empty() => {
                let out = hepatica().args(sub).arg("--help").output().expect("run hepatica");
                if !out.status.success() {
                    return Some(format!("`hepatica {}` is not a command", sub.join(" ")));
                }
                // `cargo run ... -- <sub>`, or the built binary: `.../debug/hepatica" <sub>`.
                let (run, built) = (format!("-- {}", sub.join(" ")), format!("/debug/hepatica\" {}", sub.join(" ")));
                (!ci.contains(&run) && !ci.contains(&built)).then(|| format!("CI does not run `hepatica {}`", sub.join(" ")))
            }
            [script] if script.starts_with("scripts/") => {
                if !root.join(script).is_file() {
                    return Some(format!("script {script} does not exist"));
                }
                (!ci.contains(script)).then(|| format!("CI (scripts/test.sh) does not run {script}"))
            }
            _ => Some(format!("unknown check `{}`", rest.trim())),
        }
    } else if let Some(rest) = control.strip_prefix("doc:") {
        let path = rest.split_whitespace().next().unwrap_or("");
        (!root.join(path).is_file()).then(|| format!("document {path} does not exist"))
    } else {
        Some(format!("control `{control}` is not test:, check: or doc:"))
    }
}

/// See: docs/safety/hazard-log.md ("Each control points at the test or check that proves it").
#[test]
fn hazard_log_controls_point_at_real_tests() {
    let root = repo();
    let text = std::fs::read_to_string(root.join("docs/safety/hazard-log.md")).expect("hazard log");
    // CI runs scripts/test.sh; it also runs whatever scripts it names (fuzz/load smoke when present).
    let ci = std::fs::read_to_string(root.join("scripts/test.sh")).expect("scripts/test.sh");
    let hazards = parse_log(&text);
    let mut problems = Vec::new();
    if hazards.len() < 20 {
        problems.push(format!("the log has {} hazards; at least 20 are required", hazards.len()));
    }
    let mut seen = BTreeSet::new();
    for (i, h) in hazards.iter().enumerate() {
        let at = format!("{} ({})", h.id, h.title);
        if h.id != format!("HAZ-{:03}", i + 1) {
            problems.push(format!("{at}: expected id HAZ-{:03} (ids are sequential)", i + 1));
        }
        if !seen.insert(h.id.clone()) {
            problems.push(format!("{at}: duplicate id"));
        }
        for f in ["Hazard", "Cause", "Effect", "Severity", "Likelihood", "Initial risk", "Controls", "Residual risk"] {
            if h.field(f).is_none() {
                problems.push(format!("{at}: no {f}"));
            }
        }
        for f in ["Hazard", "Cause", "Effect"] {
            if h.field(f).is_some_and(str::is_empty) {
                problems.push(format!("{at}: empty {f}"));
            }
        }
        let (sev, like, risk) = (rating(h.field("Severity")), rating(h.field("Likelihood")), rating(h.field("Initial risk")));
        match (sev, like, risk) {
            (Some(s), Some(l), Some(r)) => {
                let want = RISK[usize::from(l) - 1][usize::from(s) - 1];
                if r != want {
                    problems.push(format!("{at}: initial risk {r} does not match the matrix ({want} for severity {s}, likelihood {l})"));
                }
                match residual(h.field("Residual risk")) {
                    Some((rs, rl, rr)) if (1..=5).contains(&rs) && (1..=5).contains(&rl) => {
                        let want = RISK[usize::from(rl) - 1][usize::from(rs) - 1];
                        if rr != want {
                            problems.push(format!("{at}: residual risk {rr} does not match the matrix ({want})"));
                        }
                        if rr > r {
                            problems.push(format!("{at}: residual risk {rr} is higher than the initial {r}"));
                        }
                        if rs > s {
                            problems.push(format!("{at}: residual severity {rs} is higher than the initial {s}"));
                        }
                    }
                    _ => problems.push(format!("{at}: residual risk must read `severity S, likelihood L, risk R`")),
                }
            }
            _ => problems.push(format!("{at}: severity, likelihood and initial risk must each be 1-5")),
        }
        if !h.controls.iter().any(|c| c.starts_with("test:") || c.starts_with("check:")) {
            problems.push(format!("{at}: no control names a test or a check"));
        }
        for c in &h.controls {
            if let Some(p) = check_control(&root, &ci, c) {
                problems.push(format!("{at}: {p}"));
            }
        }
    }
    assert!(problems.is_empty(), "hazard log problems:\n{}", problems.join("\n"));
}

/// The parser itself: a missing function and a missing file are caught.
#[test]
fn the_log_checker_catches_missing_tests() {
    let root = repo();
    let ci = "bash scripts/fuzz-smoke.sh";
    assert!(check_control(&root, ci, "test: crates/cli/tests/hazards.rs::hazard_log_controls_point_at_real_tests").is_none());
    assert!(check_control(&root, ci, "test: crates/cli/tests/hazards.rs::no_such_test_anywhere").is_some());
    assert!(check_control(&root, ci, "test: crates/cli/tests/hazards.rs::parse_log").is_some(), "a helper is not a test");
    assert!(check_control(&root, ci, "test: crates/cli/tests/no_such_file.rs::x").is_some());
    assert!(check_control(&root, ci, "test: crates/cli/tests/hazards.rs").is_some());
    assert!(check_control(&root, ci, "check: scripts/no-such-script.sh").is_some());
    assert!(check_control(&root, "", "check: scripts/fuzz-smoke.sh").is_some(), "a check CI does not run");
    assert!(check_control(&root, ci, "check: hepatica no-such-command").is_some());
    assert!(check_control(&root, ci, "nothing: at all").is_some());
    let log = "## Hazards\n\n### HAZ-001: x\n\n- **Hazard:** h\n- **Controls:**\n  - test: a::b\n  - check: c\n- **Residual risk:** severity 1, likelihood 1, risk 1\n";
    let parsed = parse_log(log);
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0].controls, ["test: a::b", "check: c"]);
    assert_eq!(residual(parsed[0].field("Residual risk")), Some((1, 1, 1)));
}

// ------------------------------------------------------- end-to-end hazard checks

fn kb() -> &'static Knowledge {
    Knowledge::embedded()
}

fn level(a: &Assessment, treatment: &str) -> Suitability {
    a.option(treatment).expect("all nine options").suitability
}

/// Realistic cases for every primary site: the synthetic cohort generator's first `n`.
fn cohort(n: u64) -> impl Iterator<Item = Case> {
    (0..n).map(|i| hepatica_batch::synth::case(20_261_127, i))
}

/// See: HAZ-020. At performance status 3-4 only hormone therapy and
/// supportive care may be `usual`; no operation, drug or procedure is.
#[test]
fn poor_performance_status_never_shows_cancer_treatment_as_usual() {
    let mut checked = 0;
    let sites = PrimarySite::ALL.iter().map(|s| Case::new(*s));
    for mut case in cohort(600).chain(sites) {
        for ps in [3u8, 4] {
            case.performance_status = Some(ps);
            for audience in [Audience::Patient, Audience::Clinician] {
                let a = assess(kb(), &case, audience);
                for o in &a.options {
                    if o.suitability == Suitability::Usual {
                        assert!(
                            ["hormonal_therapy", "supportive_care"].contains(&o.treatment.as_str()),
                            "PS {ps}: {} is usual for {case:?}",
                            o.treatment
                        );
                    }
                }
                assert_eq!(level(&a, "chemotherapy"), Suitability::Unlikely, "PS {ps}: chemotherapy for {case:?}");
                assert_eq!(level(&a, "surgery"), Suitability::Unlikely, "PS {ps}: surgery for {case:?}");
                assert_eq!(level(&a, "supportive_care"), Suitability::Usual, "PS {ps}: supportive care for {case:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 2000);
}

/// See: HAZ-006. Someone not fit for a major operation is never shown surgery as usual (or possible).
#[test]
fn unfit_for_surgery_never_shows_surgery_as_usual() {
    for mut case in cohort(600) {
        case.fit_for_major_surgery = Some(false);
        let a = assess(kb(), &case, Audience::Clinician);
        assert_eq!(level(&a, "surgery"), Suitability::Unlikely, "{case:?}");
        let surgery = a.option("surgery").expect("surgery");
        // Where surgery is weighed at all (it has a criteria trace), fitness is one of the inputs.
        if !surgery.criteria.is_empty() {
            let fitness = surgery.criteria.iter().find(|c| c.inputs.iter().any(|i| i == "/fit_for_major_surgery"));
            assert!(fitness.is_some(), "the trace names fitness as an input: {:?}", surgery.criteria);
        }
    }
    // The ideal resectable case, made unfit.
    let mut case =
        case_from_json(&std::fs::read(repo().join("crates/cli/tests/fixtures/contract/bowel-resectable.json")).expect("fixture"))
            .expect("valid");
    assert_eq!(level(&assess(kb(), &case, Audience::Patient), "surgery"), Suitability::Usual);
    case.fit_for_major_surgery = Some(false);
    assert_eq!(level(&assess(kb(), &case, Audience::Patient), "surgery"), Suitability::Unlikely);
}

fn kind(a: &Assessment, treatment: &str, kind: &str) -> Suitability {
    a.option(treatment).and_then(|o| o.kinds.iter().find(|k| k.id == kind)).map(|k| k.suitability).expect("kind listed")
}

/// See: HAZ-005. KRAS G12C is a KRAS mutation: anti-EGFR antibodies are never
/// offered for it, whatever else is known, and FHIR "p.G12C" maps to it.
#[test]
fn kras_g12c_is_never_read_as_wild_type() {
    let base = json!({ "primary_site": "bowel", "bowel_side": "left", "performance_status": 0,
        "biomarkers": { "KRAS": "wild_type", "NRAS": "wild_type", "BRAF_V600": "absent", "MSI": "stable" } });
    let wild = case_from_json(base.to_string().as_bytes()).expect("valid");
    assert_eq!(kind(&assess(kb(), &wild, Audience::Clinician), "targeted_therapy", "anti_egfr"), Suitability::Usual);
    let mut g12c = base.clone();
    g12c["biomarkers"]["KRAS"] = json!("G12C");
    let g12c = case_from_json(g12c.to_string().as_bytes()).expect("valid");
    let a = assess(kb(), &g12c, Audience::Clinician);
    assert_eq!(kind(&a, "targeted_therapy", "anti_egfr"), Suitability::Unlikely, "anti-EGFR for KRAS G12C");
    assert_ne!(kind(&a, "targeted_therapy", "kras_g12c_inhibitors"), Suitability::Unlikely, "G12C inhibitors considered");
    // Across the cohort: any KRAS G12C bowel case never gets anti-EGFR above unlikely.
    for mut case in cohort(400).filter(|c| c.primary_site == PrimarySite::Bowel) {
        case.biomarkers.insert(Biomarker::Kras, BiomarkerValue::G12c);
        let a = assess(kb(), &case, Audience::Clinician);
        assert_eq!(kind(&a, "targeted_therapy", "anti_egfr"), Suitability::Unlikely, "{case:?}");
    }
    // FHIR: the G12C fixture's protein change reaches the Case as G12C, not as "mutant" or wild type.
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(repo().join("crates/fhir/tests/fixtures/bowel-kras-g12c.json")).expect("fixture"))
            .expect("json");
    let mapped = hepatica_fhir::map_bundle(&bundle, kb(), &hepatica_fhir::MapOptions::on("2026-12-01")).expect("maps");
    assert_eq!(mapped.case.biomarkers.get(&Biomarker::Kras), Some(&BiomarkerValue::G12c));
}

/// See: HAZ-004. "45" meant as 45 mm is refused (at most 30 cm), naming the field and the unit.
#[test]
fn a_size_in_millimetres_is_refused_not_read_as_centimetres() {
    let out = hepatica()
        .args(["assess", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(br#"{"primary_site":"bowel","liver":{"largest_tumour_cm":45}}"#)?;
            child.wait_with_output()
        })
        .expect("run hepatica");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/liver/largest_tumour_cm") && stderr.contains("30"), "{stderr}");
    // The boundary itself is accepted: 30 cm is a real (very large) tumour.
    assert!(case_from_json(br#"{"primary_site":"bowel","liver":{"largest_tumour_cm":30}}"#).is_ok());
    assert!(case_from_json(br#"{"primary_site":"bowel","liver":{"largest_tumour_cm":30.5}}"#).is_err());
}

/// The bowel KRAS G12C fixture, split into prefetch keys as an EHR sends it.
fn cds_request() -> Value {
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(repo().join("crates/fhir/tests/fixtures/bowel-kras-g12c.json")).expect("fixture"))
            .expect("json");
    let mut by_type: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    let mut patient = Value::Null;
    for e in bundle["entry"].as_array().expect("entries") {
        let rt = e["resource"]["resourceType"].as_str().expect("resourceType").to_string();
        if rt == "Patient" {
            patient = e["resource"].clone();
        } else {
            by_type.entry(rt).or_default().push(json!({ "fullUrl": e["fullUrl"], "resource": e["resource"] }));
        }
    }
    let set = |t: &str| json!({ "resourceType": "Bundle", "type": "searchset", "entry": by_type.get(t).cloned().unwrap_or_default() });
    json!({
        "hook": "patient-view", "hookInstance": "3f1c2f0e-5d7a-4c53-9a0e-5a1f0c1b2d3e",
        "context": { "userId": "Practitioner/p", "patientId": "p1" },
        "prefetch": { "patient": patient, "conditions": set("Condition"), "observations": set("Observation"),
                      "medications": set("MedicationAdministration"), "bodystructures": set("BodyStructure") }
    })
}

/// See: HAZ-007, HAZ-022. The card informs; it never orders. No suggestions or
/// actions (nothing the EHR could turn into an order), no imperative verbs in
/// the summary, and the detail opens by saying it is not a recommendation.
#[test]
fn cds_card_is_information_not_an_order() {
    let resp = hepatica_fhir::cds::service::call(&cds_request(), kb(), "https://hepatica.example").expect("cards");
    assert_eq!(resp.cards.len(), 1);
    let card = serde_json::to_value(&resp.cards[0]).expect("json");
    for key in ["suggestions", "selectionBehavior", "overrideReasons"] {
        assert!(card.get(key).is_none(), "the card carries {key}");
    }
    let summary = card["summary"].as_str().expect("summary").to_lowercase();
    for word in ["start", "order", "prescribe", "give", "recommend", "should", "must", "refer", "begin", "administer"] {
        assert!(!summary.split(|c: char| !c.is_alphanumeric()).any(|w| w == word), "summary says {word:?}: {summary}");
    }
    let detail = card["detail"].as_str().expect("detail");
    let first = detail.lines().next().unwrap_or("");
    assert!(first.contains("not a recommendation"), "{first}");
    assert!(["info", "warning"].contains(&card["indicator"].as_str().unwrap_or("")), "never critical");
    for link in card["links"].as_array().expect("links") {
        assert_eq!(link["type"], "absolute", "links open information pages, not SMART apps that could act");
    }
}

/// See: HAZ-014, HAZ-022. Every assessment names the knowledge-base version and
/// date it came from and carries the disclaimer, in every wording and format.
#[test]
fn every_assessment_is_stamped_and_disclaimed() {
    let meta = &kb().meta;
    for case in cohort(50) {
        for audience in [Audience::Patient, Audience::Clinician] {
            let a = serde_json::to_value(assess(kb(), &case, audience)).expect("json");
            assert_eq!(a["knowledge_base"]["version"], meta.version.as_str());
            assert_eq!(a["knowledge_base"]["published"], meta.published.to_string());
            let disclaimer = a["disclaimer"].as_str().unwrap_or("");
            assert!(disclaimer.contains("not medical advice") || disclaimer.contains("not a recommendation"), "{disclaimer}");
        }
    }
    let case = r#"{"primary_site":"lung"}"#;
    for format in ["text", "markdown"] {
        let out = hepatica()
            .args(["assess", "-", "--format", format])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().expect("stdin").write_all(case.as_bytes())?;
                child.wait_with_output()
            })
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&meta.version), "{format} output names the knowledge-base version");
    }
}

/// See: HAZ-021. The intended use says what Hepatica is not for, and the README agrees.
#[test]
fn intended_use_states_scope_and_limits() {
    let root = repo();
    let text = std::fs::read_to_string(root.join("docs/safety/intended-use.md")).expect("intended use").to_lowercase();
    for needle in ["primary liver cancer", "children", "does not make decisions", "adults", "information aid"] {
        assert!(text.contains(needle), "intended-use.md does not mention {needle:?}");
    }
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README").to_lowercase();
    assert!(readme.contains("primary liver cancer") && readme.contains("never makes a decision"));
    assert!(kb().meta.intended_use.to_lowercase().contains("primary liver cancer"), "the About page's intended use");
}
