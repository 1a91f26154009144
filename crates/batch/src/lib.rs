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
        Ok(_) => {
            if let Err(e) = File::open(&job.input) {
                problems.push(format!("--input: expected a readable NDJSON file, got {} ({e})", job.input.display()));
            }
        }
    }
    check_target("--output", &job.output, &mut problems);
    if job.errors_path().is_dir() {
        problems.push(format!("--output: expected to write {} beside the output, but it is a folder", job.errors_path().display()));
    }
    if let (Some(s), Some((csv, svg))) = (&job.summary, job.summary_extras()) {
        check_target("--summary", s, &mut problems);
        for extra in [csv, svg] {
            if extra.is_dir() {
                problems.push(format!("--summary: expected to write {} beside the summary, but it is a folder", extra.display()));
            }
        }
        if s.extension().is_some_and(|e| e == "csv" || e == "svg") {
            problems.push(format!("--summary: expected a JSON file name (the CSV and SVG are written beside it), got {}", s.display()));
        }
    }
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    if same(&job.input, &job.output) {
        problems.push(format!("--output: expected a different file from --input, got {} for both", job.output.display()));
    }
    if let Some(s) = &job.summary
        && (same(s, &job.output) || same(s, &job.errors_path()))
    {
        problems.push(format!("--summary: expected a different file from the output files, got {}", s.display()));
    }
    if problems.is_empty() { Ok(()) } else { Err(Error::Arguments(problems)) }
}

fn check_target(flag: &str, path: &Path, problems: &mut Vec<String>) {
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
        let file = File::open(&job.input).map_err(|source| Error::Read { path: job.input.clone(), source })?;
        progress.start(file.metadata().ok().map(|m| m.len()));
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
    fn side_files_are_named_from_the_main_ones() {
        let job = Job { input: "in".into(), output: "dir/out.ndjson".into(), summary: Some("dir/sum.json".into()) };
        assert_eq!(job.errors_path(), PathBuf::from("dir/out.ndjson.errors.ndjson"));
        assert_eq!(job.summary_extras(), Some(("dir/sum.csv".into(), "dir/sum.svg".into())));
    }
}
