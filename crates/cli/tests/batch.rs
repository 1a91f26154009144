//! `hepatica batch` and `hepatica synth` through the built binary: contract
//! section 7 outputs, exit codes 0/2/3, order, summaries, and that a failed
//! run leaves nothing behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hepatica");

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

/// A scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("hepatica-cli-batch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn hepatica(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("runs the binary")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn synth(dir: &Scratch, name: &str, count: u64, seed: u64) -> PathBuf {
    let p = dir.path(name);
    let o = hepatica(&["synth", "--count", &count.to_string(), "--seed", &seed.to_string(), "--output", s(&p)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    p
}

fn json_lines(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn all_valid_exits_0_with_one_line_per_case_in_contract_shape() {
    let d = Scratch::new("valid");
    let input = synth(&d, "in.ndjson", 500, 1);
    let out = d.path("out.ndjson");
    let o = hepatica(&["batch", "--input", s(&input), "--output", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 500);
    let ids: Vec<String> = json_lines(&input).iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    for (line, id) in lines.iter().zip(&ids) {
        assert_eq!(line["case_id"], id.as_str());
        let suit = line["suitability"].as_object().unwrap();
        assert_eq!(suit.len(), 9);
        for t in TREATMENTS {
            assert!(["usual", "possible", "depends", "unlikely"].contains(&suit[t].as_str().unwrap()), "{line}");
        }
        assert!(line["scores"].is_object());
    }
    let text = std::fs::read_to_string(&out).unwrap();
    let first = text.lines().next().unwrap();
    let at: Vec<usize> = TREATMENTS.iter().map(|t| first.find(&format!("\"{t}\":")).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "treatments in contract order: {first}");
    assert_eq!(std::fs::read(d.path("out.ndjson.errors.ndjson")).unwrap(), b"", "errors file written, empty");
    assert_eq!(d.names(), ["in.ndjson", "out.ndjson", "out.ndjson.errors.ndjson"], "no temporary files left");
}

#[test]
fn invalid_lines_exit_3_with_correct_line_numbers_and_the_rest_go_on() {
    let d = Scratch::new("invalid");
    let good = synth(&d, "good.ndjson", 20, 2);
    let good_lines: Vec<String> = std::fs::read_to_string(&good).unwrap().lines().map(str::to_owned).collect();
    let mut text = String::new();
    text += &good_lines[0]; // line 1
    text += "\n\n"; // line 2 blank
    text += r#"{"id":"bad-3","primary_site":"bowl","liver":{"tumor_count":3},"performance_status":7}"#; // line 3
    text += "\n";
    text += &good_lines[1]; // line 4
    text += "\n";
    text += &format!("{{\"id\":\"huge\",\"primary_site\":\"bowel\",\"x\":\"{}\"}}\n", "a".repeat(1_200_000)); // line 5
    text += "not json\n"; // line 6
    text += "   \n"; // line 7 blank
    text += r#"{"primary_site":"lung"}"#; // line 8: no id
    text += "\r\n";
    for l in &good_lines[2..] {
        text += l;
        text += "\n";
    }
    let input = d.path("in.ndjson");
    std::fs::write(&input, text).unwrap();
    let out = d.path("out.ndjson");
    let o = hepatica(&["batch", "--input", s(&input), "--output", s(&out), "--threads", "3"]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let errors = json_lines(&d.path("out.ndjson.errors.ndjson"));
    let numbers: Vec<u64> = errors.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [3, 5, 6, 8]);
    let pointers: Vec<&str> = errors[0]["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers.len(), 3, "every problem of a line, not only the first: {pointers:?}");
    assert!(pointers.contains(&"/liver/tumor_count") && pointers.contains(&"/primary_site") && pointers.contains(&"/performance_status"));
    for e in &errors {
        for p in e["errors"].as_array().unwrap() {
            assert!(p["pointer"].is_string() && p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{e}");
        }
    }
    assert!(errors[1]["errors"][0]["detail"].as_str().unwrap().contains("at most 1048576 bytes"), "{}", errors[1]);
    assert_eq!(errors[3]["errors"][0]["pointer"], "/id");
    let ids: Vec<String> = json_lines(&out).iter().map(|l| l["case_id"].as_str().unwrap().to_owned()).collect();
    let expected: Vec<String> =
        good_lines.iter().map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, expected, "valid lines all written, in input order");
}

#[test]
fn order_and_bytes_are_the_same_for_any_thread_count() {
    let d = Scratch::new("order");
    let input = synth(&d, "in.ndjson", 6000, 3);
    let mut outputs = Vec::new();
    for threads in ["1", "8"] {
        let out = d.path(&format!("out{threads}.ndjson"));
        let o = hepatica(&["batch", "--input", s(&input), "--output", s(&out), "--threads", threads]);
        assert_eq!(o.status.code(), Some(0));
        outputs.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    let ids: Vec<String> = json_lines(&d.path("out8.ndjson")).iter().map(|l| l["case_id"].as_str().unwrap().to_owned()).collect();
    let expected: Vec<String> = (0..6000).map(|i| format!("synth-3-{i:07}")).collect();
    assert_eq!(ids, expected);
}

#[test]
fn bad_arguments_exit_2_naming_the_problem_and_write_nothing() {
    let d = Scratch::new("args");
    let input = synth(&d, "in.ndjson", 5, 4);
    let missing = d.path("nope.ndjson");
    let o = hepatica(&["batch", "--input", s(&missing), "--output", s(&d.path("out.ndjson"))]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("error: --input:") && err.contains("nope.ndjson"), "{err}");
    assert!(o.stdout.is_empty());

    let nowhere = d.path("no-such-folder").join("out.ndjson");
    let o = hepatica(&["batch", "--input", s(&input), "--output", s(&nowhere), "--summary", s(&d.path("x/sum.json"))]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error: --output:") && err.contains("no-such-folder"), "{err}");
    assert!(err.contains("error: --summary:"), "every problem is reported: {err}");
    assert_eq!(err.lines().count(), 2, "{err}");

    let o = hepatica(&["batch", "--input", s(&input), "--output", s(&d.path("o.ndjson")), "--full", "--validate-only"]);
    assert_eq!(o.status.code(), Some(2));
    let o = hepatica(&["batch", "--input", s(&input)]);
    assert_eq!(o.status.code(), Some(2), "missing --output is a usage error");
    assert_eq!(d.names(), ["in.ndjson"], "nothing written");
}

#[cfg(target_os = "linux")]
#[test]
fn a_failure_part_way_leaves_the_old_output_and_no_temporary_files() {
    let d = Scratch::new("failure");
    let out = d.path("out.ndjson");
    std::fs::write(&out, "old\n").unwrap();
    // Reading /proc/self/mem from offset 0 fails with an I/O error after the outputs were opened.
    let o = hepatica(&["batch", "--input", "/proc/self/mem", "--output", s(&out), "--summary", s(&d.path("sum.json"))]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: "));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
    assert_eq!(d.names(), ["out.ndjson"]);
}

#[test]
fn summary_counts_match_the_output_lines_and_come_with_csv_and_svg() {
    let d = Scratch::new("summary");
    let input = synth(&d, "in.ndjson", 1500, 5);
    let out = d.path("out.ndjson");
    let sum = d.path("summary.json");
    let o = hepatica(&["batch", "--input", s(&input), "--output", s(&out), "--summary", s(&sum)]);
    assert_eq!(o.status.code(), Some(0));
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&sum).unwrap()).unwrap();
    assert_eq!(summary["valid"], 1500);
    assert_eq!(summary["invalid"], 0);
    assert_eq!(summary["total"], 1500);
    let cases = json_lines(&input);
    let lines = json_lines(&out);
    for t in TREATMENTS {
        for level in ["usual", "possible", "depends", "unlikely"] {
            let n = lines.iter().filter(|l| l["suitability"][t] == level).count() as u64;
            assert_eq!(summary["overall"]["treatments"][t][level].as_u64(), Some(n), "{t} {level}");
            let bowel =
                lines.iter().zip(&cases).filter(|(l, c)| c["primary_site"] == "bowel" && l["suitability"][t] == level).count() as u64;
            assert_eq!(summary["by_primary_site"]["bowel"]["treatments"][t][level].as_u64(), Some(bowel), "bowel {t} {level}");
        }
    }
    let by_site: u64 = summary["by_primary_site"].as_object().unwrap().values().map(|g| g["cases"].as_u64().unwrap()).sum();
    assert_eq!(by_site, 1500);
    let csv = std::fs::read_to_string(d.path("summary.csv")).unwrap();
    assert!(csv.starts_with("primary_site,cases,treatment,usual,possible,depends,unlikely\n"));
    let n = lines.iter().filter(|l| l["suitability"]["surgery"] == "usual").count();
    assert!(csv.contains(&format!("\nall,1500,surgery,{n},")), "{csv}");
    let svg = std::fs::read_to_string(d.path("summary.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("1,500 cases") && svg.contains("knowledge base ") && svg.contains("Hormonal therapy") && svg.contains("Usual"));
}

#[test]
fn validate_only_writes_case_ids_and_counts_without_assessing() {
    let d = Scratch::new("validate");
    let input = d.path("in.ndjson");
    std::fs::write(&input, "{\"id\":\"a\",\"primary_site\":\"bowel\"}\n{\"id\":\"b\",\"primary_site\":\"liver\"}\n{\"id\":\"c\",\"primary_site\":\"breast\"}\n").unwrap();
    let out = d.path("out.ndjson");
    let sum = d.path("sum.json");
    let o = hepatica(&["batch", "--input", s(&input), "--output", s(&out), "--validate-only", "--summary", s(&sum)]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "{\"case_id\":\"a\",\"valid\":true}\n{\"case_id\":\"c\",\"valid\":true}\n");
    let e = json_lines(&d.path("out.ndjson.errors.ndjson"));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["line"], 2);
    assert!(e[0]["errors"][0]["detail"].as_str().unwrap().contains("out of scope"));
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&sum).unwrap()).unwrap();
    assert_eq!(summary["assessed"], false);
    assert_eq!(summary["by_primary_site"]["breast"]["cases"], 1);
    assert!(summary["overall"].get("treatments").is_none());
}

#[test]
fn full_writes_whole_assessments_like_assess_does() {
    let d = Scratch::new("full");
    let input = synth(&d, "in.ndjson", 30, 6);
    let out = d.path("out.ndjson");
    let o = hepatica(&["batch", "--input", s(&input), "--output", s(&out), "--full"]);
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(&out).unwrap();
    let first_case = std::fs::read_to_string(&input).unwrap().lines().next().unwrap().to_owned();
    let single = Command::new(BIN)
        .args(["assess", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(first_case.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 30);
    assert_eq!(lines[0]["contract"], "hepatica.assessment/1");
    assert_eq!(lines[0]["options"].as_array().unwrap().len(), 9);
    if single.status.success() {
        let a: Value = serde_json::from_slice(&single.stdout).unwrap();
        assert_eq!(a, lines[0], "batch --full gives the same assessment as assess");
    }
}

#[test]
fn synth_is_deterministic_and_valid() {
    let a = hepatica(&["synth", "--count", "200", "--seed", "9"]);
    let b = hepatica(&["synth", "--count", "200", "--seed", "9"]);
    let c = hepatica(&["synth", "--count", "200", "--seed", "10"]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout);
    let text = String::from_utf8(a.stdout).unwrap();
    assert_eq!(text.lines().count(), 200);
    let sites: std::collections::HashSet<String> =
        text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["primary_site"].as_str().unwrap().to_owned()).collect();
    assert!(sites.len() > 5 && sites.contains("bowel"), "{sites:?}");
}

/// Fixture bundles of `hepatica-fhir` whose resources all reference their Patient as `Patient/p1`.
const FHIR_FIXTURES: [&str; 10] = [
    "bowel-braf-v600e",
    "bowel-kras-g12c",
    "bowel-msi-high",
    "breast-er-pr-her2",
    "lung-egfr-pdl1",
    "net-pancreas",
    "prostate-bone",
    "unknown-primary",
    "messy-duplicates",
    "error-no-primary",
];

/// Each fixture's resources with its patient renamed `p1` -> `<n>-<fixture>`.
fn fixture_resources(n: usize, name: &str) -> (String, Vec<Value>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fhir/tests/fixtures").join(format!("{name}.json"));
    let id = format!("{n}-{name}");
    let text = std::fs::read_to_string(path).unwrap().replace("\"Patient/p1\"", &format!("\"Patient/{id}\""));
    let bundle: Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for e in bundle["entry"].as_array().unwrap() {
        let mut r = e["resource"].clone();
        if r["resourceType"] == "Patient" {
            r["id"] = Value::String(id.clone());
        }
        out.push(r);
    }
    (id, out)
}

#[test]
fn fhir_bulk_folder_is_mapped_like_single_bundles() {
    let d = Scratch::new("bulk");
    let export = d.path("export");
    std::fs::create_dir_all(&export).unwrap();
    let mut by_type: std::collections::BTreeMap<String, String> = Default::default();
    let mut patients = Vec::new();
    for (n, name) in FHIR_FIXTURES.iter().enumerate() {
        let (id, resources) = fixture_resources(n, name);
        // The reference Bundle, in the order a Bulk export regroups it: the Patient, then by file name.
        let mut ordered: Vec<&Value> = resources.iter().filter(|r| r["resourceType"] == "Patient").collect();
        let mut others: Vec<&Value> = resources.iter().filter(|r| r["resourceType"] != "Patient").collect();
        others.sort_by_key(|r| r["resourceType"].as_str().unwrap().to_owned());
        ordered.extend(others);
        for r in &resources {
            let t = r["resourceType"].as_str().unwrap().to_owned();
            let file = by_type.entry(t).or_default();
            file.push_str(&serde_json::to_string(r).unwrap());
            file.push('\n');
        }
        let bundle = serde_json::json!({ "resourceType": "Bundle", "type": "collection",
            "entry": ordered.iter().map(|r| serde_json::json!({ "resource": r })).collect::<Vec<_>>() });
        let single = d.path(&format!("{id}.json"));
        std::fs::write(&single, serde_json::to_string(&bundle).unwrap()).unwrap();
        patients.push((id, single));
    }
    for (t, text) in &by_type {
        std::fs::write(export.join(format!("{t}.ndjson")), text).unwrap();
    }
    let out = d.path("out.ndjson");
    let o = hepatica(&["batch", "--input", s(&export), "--output", s(&out), "--full", "--threads", "4"]);
    assert_eq!(o.status.code(), Some(3), "error-no-primary is one invalid patient: {}", String::from_utf8_lossy(&o.stderr));
    let lines = json_lines(&out);
    let mut k = 0;
    for (id, single) in &patients {
        let a = hepatica(&["assess", "--fhir", s(single), "--format", "json"]);
        if a.status.code() == Some(2) {
            continue; // mapped to an error; checked below
        }
        assert_eq!(a.status.code(), Some(0), "{}", String::from_utf8_lossy(&a.stderr));
        let mut single: Value = serde_json::from_slice(&a.stdout).unwrap();
        // `assess --fhir` also shows the Case as mapped; batch writes Assessments only.
        let mapped = single.as_object_mut().unwrap().remove("mapped_case").expect("assess --fhir shows mapped_case");
        assert!(hepatica_engine::case_from_value(&mapped).is_ok(), "{id}: mapped_case is a valid Case: {mapped}");
        let mut bulk = lines[k].clone();
        k += 1;
        assert_eq!(bulk["case_id"], id.as_str(), "case id is the Patient id, in Patient file order");
        // Warnings name the resource's file and line in bulk mode; compare pointers only.
        let pointers = |v: &mut Value| -> Vec<String> {
            let w = v.as_object_mut().unwrap().remove("input_warnings").unwrap_or(Value::Array(vec![]));
            w.as_array().unwrap().iter().map(|x| x["pointer"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(pointers(&mut bulk), pointers(&mut single), "{id}");
        assert_eq!(bulk, single, "{id}: the bulk assessment equals the single-bundle one");
    }
    assert_eq!(k, lines.len());
    assert_eq!(k, FHIR_FIXTURES.len() - 1);
    let errors = json_lines(&d.path("out.ndjson.errors.ndjson"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["patient"], "9-error-no-primary");
    assert_eq!(errors[0]["file"], "Patient.ndjson");
    assert_eq!(errors[0]["line"], 10);
    assert_eq!(d.names().iter().filter(|n| n.starts_with('.')).count(), 0, "no temporary files or buckets left");

    // The default output has the same case ids and suitabilities.
    let compact = d.path("compact.ndjson");
    let o = hepatica(&["batch", "--input", s(&export), "--output", s(&compact), "--threads", "1"]);
    assert_eq!(o.status.code(), Some(3));
    for (c, f) in json_lines(&compact).iter().zip(&lines) {
        assert_eq!(c["case_id"], f["case_id"]);
        for opt in f["options"].as_array().unwrap() {
            assert_eq!(c["suitability"][opt["treatment"].as_str().unwrap()], opt["suitability"]);
        }
    }
}

#[test]
fn fhir_bulk_orphans_and_bad_lines_are_reported_with_their_file_and_line() {
    let d = Scratch::new("bulk-bad");
    let export = d.path("export");
    std::fs::create_dir_all(&export).unwrap();
    let (_, resources) = fixture_resources(0, "bowel-msi-high");
    let mut patient = String::new();
    let mut conditions = String::new();
    for r in &resources {
        match r["resourceType"].as_str().unwrap() {
            "Patient" => patient += &format!("{}\n", r),
            "Condition" => conditions += &format!("{}\n", r),
            _ => {}
        }
    }
    conditions += "{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/nobody\"}}\n";
    conditions += "not json\n";
    std::fs::write(export.join("Patient.ndjson"), patient).unwrap();
    std::fs::write(export.join("Condition.ndjson"), &conditions).unwrap();
    let out = d.path("out.ndjson");
    let o = hepatica(&["batch", "--input", s(&export), "--output", s(&out)]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json_lines(&out).len(), 1);
    let errors = json_lines(&d.path("out.ndjson.errors.ndjson"));
    let n = conditions.lines().count() as u64;
    assert_eq!(errors.len(), 2);
    assert_eq!((errors[0]["file"].as_str(), errors[0]["line"].as_u64()), (Some("Condition.ndjson"), Some(n - 1)));
    assert_eq!(errors[0]["errors"][0]["pointer"], "/subject/reference");
    assert_eq!((errors[1]["file"].as_str(), errors[1]["line"].as_u64()), (Some("Condition.ndjson"), Some(n)));

    let empty = d.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = hepatica(&["batch", "--input", s(&empty), "--output", s(&d.path("o2.ndjson"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Patient.ndjson"));
}
