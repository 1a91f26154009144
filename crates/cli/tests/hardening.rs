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

    /// A FIFO called `name` in the folder, or `None` (with a SKIPPED note) where `mkfifo` cannot make one.
    #[cfg(unix)]
    fn fifo(&self, name: &str) -> Option<PathBuf> {
        let fifo = self.0.join(name);
        if Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
            Some(fifo)
        } else {
            eprintln!("SKIPPED: no mkfifo");
            None
        }
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
    // A number too large to read names its field too (it was an error about the whole document).
    let mut child = Command::new(BIN).arg("assess").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(br#"{"primary_site":"bowel","liver":{"largest_tumour_cm":1e400}}"#).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/liver/largest_tumour_cm") && err.contains("too large"), "{err}");

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
    if let Some(fifo) = d.fifo("pipe") {
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
    let gone = {
        let mut c = Command::new("true").spawn().expect("run true");
        let pid = c.id();
        c.wait().unwrap();
        pid
    };
    let stale = d.0.join(format!(".out.ndjson.{gone}.0.tmp"));
    std::fs::write(&stale, "partial").unwrap();
    let small = d.0.join("small.ndjson");
    std::fs::write(&small, "{\"id\":\"a\",\"primary_site\":\"lung\"}\n").unwrap();
    let out = Command::new(BIN).args(["batch", "--input"]).arg(&small).arg("--output").arg(&output).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!stale.exists(), "the stale temporary file was removed");
}

/// Waits for `child` for at most `limit`; kills it and returns `None` when it
/// is still running (so a run that hangs fails the test instead of hanging it).
fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A FIFO input whose writer never comes: the run says it is waiting (it
/// used to wait without a word) and writes nothing meanwhile.
#[cfg(unix)]
#[test]
fn batch_says_it_waits_for_a_fifo_writer() {
    let d = Scratch::new("fifo-wait");
    let Some(fifo) = d.fifo("in.fifo") else { return };
    let output = d.0.join("out.ndjson");
    let mut child = spawn_batch(&fifo, &output, &[]);
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // The whole first line: stderr is unbuffered, so one line can arrive in several writes.
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stderr), &mut line);
        let _ = tx.send(line);
    });
    let said = rx.recv_timeout(Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    let said = said.expect("the run said something on stderr while it waited");
    assert!(said.contains("waiting for a program to write to") && said.contains("in.fifo"), "{said:?}");
    assert!(!output.exists(), "nothing written while waiting");
}

/// Starts `hepatica batch` from `input` to `output` (with `extra` arguments
/// first), stdin closed and stderr piped.
fn spawn_batch(input: &std::path::Path, output: &std::path::Path, extra: &[&str]) -> std::process::Child {
    Command::new(BIN)
        .arg("batch")
        .args(extra)
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `n` valid cases, one per line.
fn cases(n: usize) -> String {
    (0..n).map(|i| format!("{{\"id\":\"c{i}\",\"primary_site\":\"lung\"}}\n")).collect()
}

/// See: HAZ-044. `batch --input FIFO` streams and finishes when the writer
/// closes. The writer here is like `printf ... > fifo`: it writes everything at
/// once and closes. A batch that opened the input twice (a trial open while
/// checking the arguments, then the real one) lost that writer between the two
/// opens and then waited forever for another. A second writer streams 3 MB in
/// pieces with pauses.
#[cfg(unix)]
#[test]
fn batch_streams_from_a_fifo_and_finishes_when_the_writer_closes() {
    let d = Scratch::new("fifo-in");
    let Some(fifo) = d.fifo("in.fifo") else { return };
    let small = cases(40);
    let big = cases(60_000);
    for (round, (text, pieces)) in [(&small, 1usize), (&small, 1), (&small, 1), (&big, 30)].into_iter().enumerate() {
        let output = d.0.join(format!("out{round}.ndjson"));
        let mut child = spawn_batch(&fifo, &output, &["--threads", "2"]);
        let (tx, rx) = std::sync::mpsc::channel();
        let (path, bytes) = (fifo.clone(), text.clone().into_bytes());
        // Not joined: if the run never opens the FIFO, this thread stays blocked in open().
        std::thread::spawn(move || {
            let result = (|| -> std::io::Result<()> {
                let mut w = std::fs::OpenOptions::new().write(true).open(&path)?;
                for piece in bytes.chunks(bytes.len().div_ceil(pieces)) {
                    w.write_all(piece)?;
                    if pieces > 1 {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
                Ok(())
            })();
            let _ = tx.send(result.map_err(|e| e.to_string()));
        });
        let status = wait_bounded(&mut child, Duration::from_secs(120));
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        let status = status.unwrap_or_else(|| panic!("round {round}: batch on a FIFO did not finish within 120 s (killed)"));
        assert_eq!(status.code(), Some(0), "round {round}: {err}");
        let written = rx.recv_timeout(Duration::from_secs(10)).expect("the writer finished");
        assert_eq!(written, Ok(()), "round {round}: the writer lost its reader");
        let lines = std::fs::read_to_string(&output).unwrap().lines().count();
        assert_eq!(lines, text.lines().count(), "round {round}: every line streamed through");
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the input FIFO is untouched");
}

/// See: HAZ-044. `batch --input /dev/stdin` reads a pipe to its end.
#[cfg(target_os = "linux")]
#[test]
fn batch_reads_dev_stdin_from_a_pipe() {
    let d = Scratch::new("stdin-in");
    let output = d.0.join("out.ndjson");
    let mut child = Command::new(BIN)
        .args(["batch", "--threads", "2", "--input", "/dev/stdin", "--output"])
        .arg(&output)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let text = cases(5_000);
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let status = wait_bounded(&mut child, Duration::from_secs(120)).expect("batch on /dev/stdin finished within 120 s");
    assert_eq!(status.code(), Some(0));
    assert!(writer.join().unwrap().is_ok());
    assert_eq!(std::fs::read_to_string(&output).unwrap().lines().count(), 5_000);
}

/// See: HAZ-039. A run killed with SIGKILL cannot clean up; the next run that
/// writes into the same folder, whatever its output is called, removes what
/// the dead run left, and nothing else (a user's hidden file stays).
#[cfg(unix)]
#[test]
fn a_later_run_into_the_folder_removes_what_a_killed_run_left() {
    let d = Scratch::new("sigkill");
    let input = d.0.join("in.ndjson");
    let synth = Command::new(BIN).args(["synth", "--count", "100000", "--seed", "11", "--output"]).arg(&input).output().unwrap();
    assert!(synth.status.success(), "{}", String::from_utf8_lossy(&synth.stderr));
    let user_file = d.0.join(".notes.1.2.tmp");
    std::fs::write(&user_file, "mine").unwrap();
    let temps = |d: &Scratch| d.names().into_iter().filter(|n| n.contains(".hepatica-") && n.ends_with(".tmp")).collect::<Vec<_>>();
    let mut left = Vec::new();
    for _ in 0..3 {
        let mut child = Command::new(BIN)
            .args(["batch", "--full", "--threads", "1", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(d.0.join("first.ndjson"))
            .args(["--summary"])
            .arg(d.0.join("first-summary.json"))
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while temps(&d).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().unwrap(); // SIGKILL: no handler runs
        let status = child.wait().unwrap();
        left = temps(&d);
        if status.code().is_none() && !left.is_empty() {
            break;
        }
    }
    assert!(!left.is_empty(), "the killed run left its temporary files");
    let small = d.0.join("small.ndjson");
    std::fs::write(&small, cases(3)).unwrap();
    let out = Command::new(BIN).args(["batch", "--input"]).arg(&small).arg("--output").arg(d.0.join("second.ndjson")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(temps(&d), Vec::<String>::new(), "the dead run's {left:?} were removed");
    assert_eq!(std::fs::read_to_string(&user_file).unwrap(), "mine", "a user's file is untouched");
    assert!(!d.0.join("first.ndjson").exists(), "the killed run's output never appeared");
}
