//! Hepatica cohort batch: many cases in, one assessment line each out, in order.
//!
//! [`run`] reads NDJSON (one Case per line, each with an `id`) or a FHIR Bulk
//! Data export folder and writes, per contract section 7:
//!
//! - `--output`: one line per valid input line, in input order:
//!   `{"case_id", "suitability": {nine treatments in contract order}, "scores"}`,
//!   the whole Assessment with [`Mode::Full`], or `{"case_id", "valid": true}`
//!   with [`Mode::ValidateOnly`];
//!   With `--output FILE.parquet` (or [`Options::format`]) the same rows go to
//!   a Parquet file instead ([`parquet_out`], columns in [`columnar`]);
//! - `<output>.errors.ndjson`: one `{"line": n, "errors": [{"pointer", "detail"}]}`
//!   per invalid line (1-based; blank lines are skipped but counted). It is
//!   always written, empty when every line was valid, so an old one never
//!   lingers beside a new output;
//! - `--summary FILE` (optional): counts per treatment and suitability,
//!   overall and by primary site (JSON), the same as CSV (`FILE` with `.csv`)
//!   and an SVG bar chart (`.svg`).
//!
//! Nothing is half-written: every file goes to a temporary file in its own
//! folder and is renamed into place only when the whole run succeeded
//! ([`files`]). Memory does not grow with the input ([`pipeline`]); output is
//! the same byte for byte for any thread count.
//!
//! [`synth`] generates realistic synthetic cases for tests and benchmarks.
//!
//! This crate does no terminal I/O: progress is reported through [`Progress`],
//! which the CLI draws as a bar.

pub mod bulk;
pub mod chart;
pub mod columnar;
pub mod files;
pub mod lines;
pub mod parquet_out;
pub mod pipeline;
pub mod summary;
pub mod synth;

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use hepatica_engine::Audience;
use hepatica_knowledge::Knowledge;

pub use parquet_out::OutputFormat;
pub use summary::{GroupTally, Tally};

/// What to write for each valid line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `{"case_id", "suitability", "scores"}` (the default).
    #[default]
    Suitability,
    /// The whole Assessment (`--full`).
    Full,
    /// Parse and validate only: `{"case_id", "valid": true}` (`--validate-only`).
    ValidateOnly,
}

/// How to run a batch.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// What to write per valid line.
    pub mode: Mode,
    /// Wording of full assessments.
    pub audience: Audience,
    /// Worker threads; `None` or `Some(0)`: one per core.
    pub threads: Option<usize>,
    /// Most lines per chunk.
    pub chunk_lines: usize,
    /// About the most input bytes per chunk.
    pub chunk_bytes: usize,
    /// Output format; `None`: by the output's extension (`.parquet` is Parquet).
    pub format: Option<OutputFormat>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            mode: Mode::Suitability,
            audience: Audience::Patient,
            threads: None,
            chunk_lines: 2048,
            chunk_bytes: 4 << 20,
            format: None,
        }
    }
}

/// Receives progress as the writer commits output (implemented by the CLI's progress bar).
pub trait Progress: Sync {
    /// The run starts; `total_bytes` of input, if known.
    fn start(&self, _total_bytes: Option<u64>) {}
    /// `bytes` more input consumed and `cases` more lines or patients written.
    fn advance(&self, _bytes: u64, _cases: u64) {}
    /// The run ended (successfully or not).
    fn finish(&self) {}
    /// The input is a FIFO that nothing has opened for writing yet: the run
    /// waits for a writer (said after [`WRITER_NOTICE_AFTER`], once).
    fn waiting_for_writer(&self, _input: &Path) {}
}

/// How long opening a FIFO input may wait before the run says it is waiting
/// for a writer (outsider red team: a run whose writer never came waited
/// without a word).
pub const WRITER_NOTICE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Opens the input file; for a FIFO, tells `progress` when no writer has
/// come within [`WRITER_NOTICE_AFTER`] (opening a FIFO waits for one).
fn open_input(input: &Path, progress: &dyn Progress) -> std::io::Result<File> {
    #[cfg(unix)]
    let fifo = {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(input).is_ok_and(|m| m.file_type().is_fifo())
    };
    #[cfg(not(unix))]
    let fifo = false;
    if !fifo {
        return File::open(input);
    }
    std::thread::scope(|s| {
        let (opened, waiting) = std::sync::mpsc::channel::<()>();
        s.spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = waiting.recv_timeout(WRITER_NOTICE_AFTER) {
                progress.waiting_for_writer(input);
            }
        });
        let file = File::open(input);
        drop(opened);
        file
    })
}

/// A [`Progress`] that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// The files of one batch run.
#[derive(Debug, Clone)]
pub struct Job {
    /// NDJSON file, or FHIR Bulk Data export folder.
    pub input: PathBuf,
    /// Output NDJSON.
    pub output: PathBuf,
    /// Summary JSON (CSV and SVG beside it), if wanted.
    pub summary: Option<PathBuf>,
}

impl Job {
    /// `<output>.errors.ndjson`.
    pub fn errors_path(&self) -> PathBuf {
        let mut s = OsString::from(self.output.as_os_str());
        s.push(".errors.ndjson");
        PathBuf::from(s)
    }

    /// The summary's CSV and SVG paths.
    pub fn summary_extras(&self) -> Option<(PathBuf, PathBuf)> {
        self.summary.as_ref().map(|s| (s.with_extension("csv"), s.with_extension("svg")))
    }
}

/// A batch that could not run or finish. Input lines that are invalid are not
/// errors: they go to the errors file and are counted in the [`Tally`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments: unreadable input, output in a missing folder, ... (exit 2).
    /// One message per problem, each starting with the flag it concerns.
    #[error("{}", .0.join("; "))]
    Arguments(Vec<String>),
    /// Reading the input failed part-way.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file being read.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing an output file failed; nothing was left behind.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Anything else (the worker pool, the chart).
    #[error("{0}")]
    Other(String),
}

/// What a finished run did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Counts.
    pub tally: Tally,
    /// Where invalid lines went.
    pub errors_file: PathBuf,
}

/// Checks the job's paths before any work: every problem, not only the first.
pub fn check_job(job: &Job) -> Result<(), Error> {
    let mut problems = Vec::new();
    match std::fs::metadata(&job.input) {
        Err(e) => problems
            .push(format!("--input: expected a readable NDJSON file or FHIR Bulk Data export folder, got {} ({e})", job.input.display())),
        Ok(m) if m.is_dir() => {
            if let Err(p) = bulk::check_folder(&job.input) {
                problems.push(p);
            }
        }
        Ok(m) if m.is_file() => {
            if let Err(e) = File::open(&job.input) {
                problems.push(format!("--input: expected a readable NDJSON file, got {} ({e})", job.input.display()));
            }
        }
        // A FIFO, `/dev/stdin` or another stream is opened once, by the run:
        // a trial open here would wait for a writer, and closing it again would
        // leave the writer with no reader (it gets EPIPE) and the run's own
        // open waiting forever for a writer that is gone.
        Ok(_) => {}
    }
    check_target("--output", &job.output, &mut problems);
    check_regular("--output (its errors file)", &job.errors_path(), &mut problems);
    if job.errors_path().is_dir() {
        problems.push(format!("--output: expected to write {} beside the output, but it is a folder", job.errors_path().display()));
    }
    if let (Some(s), Some((csv, svg))) = (&job.summary, job.summary_extras()) {
        check_target("--summary", s, &mut problems);
        for extra in [csv, svg] {
            check_regular("--summary", &extra, &mut problems);
            if extra.is_dir() {
                problems.push(format!("--summary: expected to write {} beside the summary, but it is a folder", extra.display()));
            }
        }
        if s.extension().is_some_and(|e| e == "csv" || e == "svg") {
            problems.push(format!("--summary: expected a JSON file name (the CSV and SVG are written beside it), got {}", s.display()));
        }
    }
    check_collisions(job, &mut problems);
    if problems.is_empty() { Ok(()) } else { Err(Error::Arguments(problems)) }
}

/// Every file a run writes, with the flag it comes from.
pub fn written_files(job: &Job) -> Vec<(&'static str, PathBuf)> {
    let mut out = vec![("--output", job.output.clone()), ("--output (its errors file)", job.errors_path())];
    if let (Some(s), Some((csv, svg))) = (&job.summary, job.summary_extras()) {
        out.push(("--summary", s.clone()));
        out.push(("--summary (its CSV)", csv));
        out.push(("--summary (its SVG)", svg));
    }
    out
}

/// A path made absolute with its folder resolved (symlinks, `..`), so two
/// spellings of one file compare equal even when the file does not exist yet.
fn resolved(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    let folder = p.parent().filter(|f| !f.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match (std::fs::canonicalize(folder), p.file_name()) {
        (Ok(f), Some(name)) => f.join(name),
        _ => p.to_path_buf(),
    }
}

/// Refuses any written file that is the input (or inside the input folder),
/// or that is another written file: batch must never overwrite what it reads
/// or one of its own outputs.
fn check_collisions(job: &Job, problems: &mut Vec<String>) {
    let written: Vec<(&str, PathBuf, PathBuf)> = written_files(job).into_iter().map(|(f, p)| (f, resolved(&p), p)).collect();
    let input = resolved(&job.input);
    let input_is_dir = job.input.is_dir();
    for (flag, r, p) in &written {
        if *r == input {
            problems.push(format!("{flag}: expected a different file from --input, got {} for both", p.display()));
        } else if input_is_dir && r.starts_with(&input) {
            problems.push(format!("{flag}: expected a file outside the --input export folder, got {}", p.display()));
        }
    }
    for (i, (flag_a, ra, pa)) in written.iter().enumerate() {
        for (flag_b, rb, _) in &written[i + 1..] {
            if ra == rb {
                problems.push(format!("{flag_b}: expected a different file from {flag_a}, got {} for both", pa.display()));
            }
        }
    }
}

/// Batch writes a temporary file and renames it over the target, which would
/// replace a FIFO, a device (`/dev/null`, `/dev/stdout`) or a socket with a
/// regular file: such targets are refused.
fn check_regular(flag: &str, path: &Path, problems: &mut Vec<String>) {
    let Ok(m) = std::fs::metadata(path) else { return };
    if m.is_file() || m.is_dir() {
        return;
    }
    let kind = hepatica_knowledge::file_kind(&m);
    problems.push(format!(
        "{flag}: expected a regular file (batch writes a temporary file and renames it into place), got {} which is {kind}",
        path.display()
    ));
}

fn check_target(flag: &str, path: &Path, problems: &mut Vec<String>) {
    check_regular(flag, path, problems);
    if path.is_dir() {
        problems.push(format!("{flag}: expected a file path, got the folder {}", path.display()));
        return;
    }
    if path.file_name().is_none() {
        problems.push(format!("{flag}: expected a file path, got {}", path.display()));
        return;
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !folder.is_dir() {
        problems.push(format!(
            "{flag}: expected a file in an existing folder, got {}: the folder {} does not exist",
            path.display(),
            folder.display()
        ));
    }
}

/// Runs a batch job: checks the paths, streams the input, writes every output
/// file atomically.
pub fn run(kb: &Knowledge, job: &Job, opts: &Options, progress: &dyn Progress) -> Result<Report, Error> {
    check_job(job)?;
    let format = OutputFormat::resolve(opts.format, &job.output, opts.mode)?;
    // Temporary files and folders left in the output folders by earlier runs that were killed.
    let mut folders: Vec<PathBuf> = Vec::new();
    for (_, target) in written_files(job) {
        files::remove_stale_temps(&target);
        let folder =
            resolved(&target).parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        if !folders.contains(&folder) {
            files::remove_stale_in_folder(&folder);
            folders.push(folder);
        }
    }
    let errors_path = job.errors_path();
    let mut staging = files::Staging::new();
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    // A folder we cannot create files in is a bad argument (exit 2), found before any work.
    let unwritable = |flag: &str, path: &Path| {
        let flag = flag.to_string();
        let path = path.to_path_buf();
        move |e: std::io::Error| {
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Error::Arguments(vec![format!("{flag}: expected a folder we can write to, got {} ({e})", folder.display())])
        }
    };
    let out_file = staging.create(&job.output).map_err(unwritable("--output", &job.output))?;
    let err_file = staging.create(&errors_path).map_err(unwritable("--output", &errors_path))?;
    if let Some(summary) = &job.summary {
        // Probe the summary's folder now rather than after the whole run.
        let probe = files::Staging::new().create(summary).map_err(unwritable("--summary", summary));
        drop(probe?);
    }
    let mut out = parquet_out::Output::new(format, BufWriter::with_capacity(1 << 20, out_file), kb).map_err(write_err(&job.output))?;
    let errs = BufWriter::with_capacity(1 << 16, err_file);

    let tally = if job.input.is_dir() {
        bulk::run(kb, &job.input, &job.output, &mut out, errs, opts, progress)?
    } else {
        // A stream (FIFO, pipe, `/dev/stdin`) is read as it comes, to its end: it has no size.
        let file = open_input(&job.input, progress)
            .map_err(|e| Error::Arguments(vec![format!("--input: expected a readable NDJSON file, got {} ({e})", job.input.display())]))?;
        progress.start(file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len()));
        let input = BufReader::with_capacity(1 << 20, file);
        let result = pipeline::process_ndjson(kb, input, &mut out, errs, opts, progress);
        progress.finish();
        result.map_err(|e| pipeline_error(e, &job.input, &job.output))?
    };
    out.finish().map_err(write_err(&job.output))?;

    if let (Some(summary), Some((csv, svg))) = (&job.summary, job.summary_extras()) {
        staging.write(summary, tally.to_json(kb).as_bytes()).map_err(write_err(summary))?;
        staging.write(&csv, tally.to_csv().as_bytes()).map_err(write_err(&csv))?;
        let chart = chart::svg(&tally, kb).map_err(|e| Error::Other(format!("drawing the chart: {e}")))?;
        staging.write(&svg, chart.as_bytes()).map_err(write_err(&svg))?;
    }
    staging.commit().map_err(|(path, source)| Error::Write { path, source })?;
    Ok(Report { tally, errors_file: errors_path })
}

pub(crate) fn pipeline_error(e: pipeline::PipelineError, input: &Path, output: &Path) -> Error {
    match e {
        pipeline::PipelineError::Read(source) => Error::Read { path: input.to_path_buf(), source },
        pipeline::PipelineError::Write(source) => Error::Write { path: output.to_path_buf(), source },
        pipeline::PipelineError::Pool(m) => Error::Other(format!("starting the worker threads: {m}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hepatica-batch-lib-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn problems(job: &Job) -> Vec<String> {
        match check_job(job) {
            Err(Error::Arguments(p)) => p,
            other => panic!("expected argument errors, got {other:?}"),
        }
    }

    #[test]
    fn every_path_problem_is_reported_at_once() {
        let d = scratch("check");
        let input = d.join("in.ndjson");
        std::fs::write(&input, "").unwrap();
        let p = problems(&Job { input: input.clone(), output: input.clone(), summary: Some(d.join("s.csv")) });
        assert!(p.iter().any(|m| m.starts_with("--output: expected a different file")), "{p:?}");
        assert!(p.iter().any(|m| m.starts_with("--summary: expected a JSON file name")), "{p:?}");
        let p = problems(&Job { input: d.join("missing"), output: d.clone(), summary: Some(d.join("no/s.json")) });
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("--input:") && p[1].starts_with("--output: expected a file path, got the folder"));
        assert!(p[2].contains("does not exist"));
        assert!(check_job(&Job { input, output: d.join("o.ndjson"), summary: Some(d.join("s.json")) }).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn every_collision_between_inputs_and_written_files_is_refused() {
        let d = scratch("collide");
        let x = d.join("x.ndjson");
        std::fs::write(&x, "").unwrap();
        let errors_of_x = d.join("x.ndjson.errors.ndjson");
        std::fs::write(&errors_of_x, "").unwrap();
        let s_json = d.join("s.json");
        std::fs::write(&s_json, "").unwrap();
        let s_csv = d.join("s.csv");
        std::fs::write(&s_csv, "").unwrap();
        let cases: Vec<(Job, &str)> = vec![
            // --input X.errors.ndjson --output X
            (
                Job { input: errors_of_x.clone(), output: x.clone(), summary: None },
                "--output (its errors file): expected a different file from --input",
            ),
            // --input S.json --summary S.json
            (
                Job { input: s_json.clone(), output: d.join("o.ndjson"), summary: Some(s_json.clone()) },
                "--summary: expected a different file from --input",
            ),
            // an input named like the summary's CSV
            (
                Job { input: s_csv.clone(), output: d.join("o.ndjson"), summary: Some(s_json.clone()) },
                "--summary (its CSV): expected a different file from --input",
            ),
            // --output S.csv --summary S.json
            (
                Job { input: x.clone(), output: s_csv.clone(), summary: Some(s_json.clone()) },
                "--summary (its CSV): expected a different file from --output",
            ),
            // the same file spelt two ways
            (Job { input: x.clone(), output: d.join("sub/../x.ndjson"), summary: None }, "expected a different file from --input"),
        ];
        std::fs::create_dir_all(d.join("sub")).unwrap();
        for (job, want) in cases {
            let p = problems(&job);
            assert!(p.iter().any(|m| m.contains(want)), "{job:?}: {p:?}");
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn fifo_and_device_targets_are_refused() {
        let d = scratch("fifo");
        let input = d.join("in.ndjson");
        std::fs::write(&input, "").unwrap();
        let fifo = d.join("out.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
        if made {
            let p = problems(&Job { input: input.clone(), output: fifo.clone(), summary: None });
            assert!(p.iter().any(|m| m.contains("named pipe")), "{p:?}");
            assert!(std::fs::metadata(&fifo).map(|m| !m.is_file()).unwrap(), "the FIFO is still a FIFO");
        }
        let p = problems(&Job { input, output: "/dev/null".into(), summary: None });
        assert!(p.iter().any(|m| m.starts_with("--output: expected a regular file") && m.contains("a device")), "{p:?}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn side_files_are_named_from_the_main_ones() {
        let job = Job { input: "in".into(), output: "dir/out.ndjson".into(), summary: Some("dir/sum.json".into()) };
        assert_eq!(job.errors_path(), PathBuf::from("dir/out.ndjson.errors.ndjson"));
        assert_eq!(job.summary_extras(), Some(("dir/sum.csv".into(), "dir/sum.svg".into())));
    }
}
