//! Hardening of the binary against ambiguous input and hostile paths (issue 18):
//! duplicate JSON keys on `assess` and `batch`, batch outputs that would
//! replace a FIFO or device or overwrite an input, and clean-up of temporary
//! files when a batch run is interrupted by a signal. Everything is local and
//! bounded in size and time.
//!
//! Hazards: HAZ-037, HAZ-038, HAZ-039 (docs/safety/hazard-log.md).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hepatica");

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let d = std::env::temp_dir().join(format!("hepatica-hardening-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
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

const DUPLICATE: &str = r#"{"id":"d1","primary_site":"bowel","biomarkers":{"KRAS":"mutant","KRAS":"wild_type"}}"#;

/// See: HAZ-037. `{"KRAS":"mutant","KRAS":"wild_type"}` is an error naming
/// the pointer on the CLI (exit 2) and in batch (an errors-file line), never "last wins".
#[test]
fn duplicate_keys_are_refused_by_assess_and_batch() {
    let mut child = Command::new(BIN).arg("assess").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(DUPLICATE.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/biomarkers/KRAS") && err.contains("more than once"), "{err}");
    assert!(out.stdout.is_empty(), "no assessment is printed");

    let d = Scratch::new("dup");
    let input = d.0.join("in.ndjson");
    std::fs::write(&input, format!("{DUPLICATE}\n{}\n", r#"{"id":"ok","primary_site":"lung"}"#)).unwrap();
    let output = d.0.join("out.ndjson");
    let out = Command::new(BIN).args(["batch", "--input"]).arg(&input).arg("--output").arg(&output).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let errors = std::fs::read_to_string(d.0.join("out.ndjson.errors.ndjson")).unwrap();
    assert!(errors.contains("\"line\":1") && errors.contains("/biomarkers/KRAS"), "{errors}");
    assert_eq!(std::fs::read_to_string(&output).unwrap().lines().count(), 1);
}

/// See: HAZ-037 and the red-team finding that FHIR input on the CLI let the
/// last of two repeated keys win: `assess --fhir` and a Bulk Data folder in
/// `batch` refuse a repeated key naming its pointer, as the API does.
#[test]
fn duplicate_keys_in_fhir_input_are_refused_on_the_cli() {
    let d = Scratch::new("dupfhir");
    let patient = r#"{"resourceType":"Patient","id":"p1"}"#;
    let condition = r#"{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"363406005"}]}}"#;
    let cea = r#"{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"2039-6"}]},"valueQuantity":{"value":5,"value":250,"unit":"ng/mL","system":"http://unitsofmeasure.org","code":"ng/mL"}}"#;
    let bundle = format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[{{"resource":{patient}}},{{"resource":{condition}}},{{"resource":{cea}}}]}}"#
    );
    let file = d.0.join("bundle.json");
    std::fs::write(&file, &bundle).unwrap();
    let out = Command::new(BIN).args(["assess", "--format", "json", "--fhir"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/entry/2/resource/valueQuantity/value") && err.contains("more than once"), "{err}");
    assert!(out.stdout.is_empty());

    let export = d.0.join("export");
    std::fs::create_dir_all(&export).unwrap();
    std::fs::write(export.join("Patient.ndjson"), format!("{patient}\n")).unwrap();
    std::fs::write(export.join("Condition.ndjson"), format!("{condition}\n")).unwrap();
    std::fs::write(export.join("Observation.ndjson"), format!("{cea}\n")).unwrap();
    let output = d.0.join("out.ndjson");
    let out = Command::new(BIN).args(["batch", "--input"]).arg(&export).arg("--output").arg(&output).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let errors = std::fs::read_to_string(d.0.join("out.ndjson.errors.ndjson")).unwrap();
    assert!(errors.contains("/valueQuantity/value") && errors.contains("more than once"), "{errors}");
    assert_eq!(std::fs::read_to_string(&output).unwrap_or_default().lines().count(), 0, "no answer from an ambiguous record");
}

/// See: HAZ-038. `batch --output` onto a FIFO or a device is refused (exit 2)
/// and the target is left as it was; so is any output that is an input.
#[cfg(unix)]
#[test]
fn batch_refuses_fifo_device_and_colliding_outputs() {
    let d = Scratch::new("targets");
    let input = d.0.join("x.ndjson");
    std::fs::write(&input, "{\"id\":\"a\",\"primary_site\":\"lung\"}\n").unwrap();
    let fifo = d.0.join("pipe");
    if Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false) {
        let out = Command::new(BIN).args(["batch", "--input"]).arg(&input).arg("--output").arg(&fifo).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("named pipe"));
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO is untouched");
    }
    let out = Command::new(BIN).args(["batch", "--input"]).arg(&input).args(["--output", "/dev/null"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a device"));
    // --input X.errors.ndjson --output X: the run would overwrite its own input.
    let errs = d.0.join("x.ndjson.errors.ndjson");
    std::fs::write(&errs, "{\"id\":\"b\",\"primary_site\":\"lung\"}\n").unwrap();
    let out = Command::new(BIN).args(["batch", "--input"]).arg(&errs).arg("--output").arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&errs).unwrap(), "{\"id\":\"b\",\"primary_site\":\"lung\"}\n", "input unchanged");
}

/// See: HAZ-039. SIGTERM in the middle of a batch run removes its hidden
/// temporary files; a leftover of a killed run is removed at the next start.
#[cfg(unix)]
#[test]
fn interrupted_batch_leaves_no_temporary_files() {
    let d = Scratch::new("sigterm");
    let input = d.0.join("in.ndjson");
    let synth = Command::new(BIN).args(["synth", "--count", "200000", "--seed", "7", "--output"]).arg(&input).output().unwrap();
    assert!(synth.status.success(), "{}", String::from_utf8_lossy(&synth.stderr));
    let output = d.0.join("out.ndjson");
    let mut stopped = false;
    for attempt in 0..3 {
        let mut child = Command::new(BIN)
            .args(["batch", "--full", "--threads", "1", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&output)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the temporary files exist, then interrupt.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !d.names().iter().any(|n| n.ends_with(".tmp")) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(50 * (attempt + 1)));
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let status = child.wait().unwrap();
        if status.code() == Some(143) {
            stopped = true;
            break;
        }
    }
    assert!(stopped, "the run was interrupted by SIGTERM (exit 143)");
    let names = d.names();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    assert!(!output.exists(), "nothing half-written");
    // A leftover from a process that is gone is removed by the next run.
    let stale = d.0.join(".out.ndjson.4294967294.0.tmp");
    std::fs::write(&stale, "partial").unwrap();
    let small = d.0.join("small.ndjson");
    std::fs::write(&small, "{\"id\":\"a\",\"primary_site\":\"lung\"}\n").unwrap();
    let out = Command::new(BIN).args(["batch", "--input"]).arg(&small).arg("--output").arg(&output).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!stale.exists(), "the stale temporary file was removed");
}
