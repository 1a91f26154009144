//! `hepatica batch` and `hepatica synth`: thin shells over `hepatica-batch`.
//!
//! `batch` maps the library's outcome to the contract's exit codes: 0 every
//! line valid, 3 some lines invalid (listed in `<output>.errors.ndjson`), 2 bad
//! arguments (one `error:` line per problem), 1 any other failure. It draws a
//! progress bar on stderr only when stderr is a terminal.
//!
//! With `--validate-only` the output holds one `{"case_id": "...", "valid": true}`
//! line per valid input line (in input order), so a caller can join it with the
//! input the same way as a normal run; the summary then counts cases per
//! primary site without suitabilities.
//!
//! SIGINT and SIGTERM remove the run's temporary files before the process
//! exits (130 / 143), so an interrupted run leaves no hidden `.tmp` files;
//! files left by a `kill -9` are removed by the next run writing into the same
//! folder (`hepatica_batch::files::remove_stale_in_folder`).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use hepatica_batch::synth::{self, SynthOptions};
use hepatica_batch::{Error, Job, Mode, Options, Progress};
use hepatica_engine::Audience;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{BatchArgs, EXIT_OK, EXIT_PARTIAL, SynthArgs, invalid};

/// Runs `batch`.
pub fn run(args: BatchArgs) -> anyhow::Result<u8> {
    if args.full && args.validate_only {
        return Ok(invalid(&["--validate-only: expected either --full or --validate-only, got both"]));
    }
    let mode = if args.validate_only {
        Mode::ValidateOnly
    } else if args.full {
        Mode::Full
    } else {
        Mode::Suitability
    };
    let job = Job { input: args.input, output: args.output, summary: args.summary };
    clean_up_on_signal();
    let format = args.output_format.map(Into::into);
    let opts = Options { mode, audience: Audience::Patient, threads: args.threads, format, ..Options::default() };
    let bar = Bar::new();
    let kb = match crate::knowledge(&args.kb) {
        Ok(kb) => kb,
        Err(code) => return Ok(code),
    };
    match hepatica_batch::run(kb, &job, &opts, &bar) {
        Ok(report) => {
            let t = &report.tally;
            let mut stderr = std::io::stderr().lock();
            if t.invalid > 0 {
                let _ = writeln!(
                    stderr,
                    "hepatica batch: {} of {} lines invalid, listed in {}; {} valid written to {}",
                    t.invalid,
                    t.total(),
                    report.errors_file.display(),
                    t.valid,
                    job.output.display()
                );
                Ok(EXIT_PARTIAL)
            } else {
                if std::io::stderr().is_terminal() {
                    let _ = writeln!(stderr, "hepatica batch: {} lines valid, written to {}", t.valid, job.output.display());
                }
                Ok(EXIT_OK)
            }
        }
        Err(Error::Arguments(problems)) => Ok(invalid(&problems)),
        Err(e) => Err(anyhow::Error::new(e).context("hepatica batch failed; no output files were changed")),
    }
}

/// On SIGINT or SIGTERM: remove every temporary output file, then exit with
/// 128 + the signal number. Runs on its own thread with a tiny runtime.
fn clean_up_on_signal() {
    let spawned = std::thread::Builder::new().name("hepatica-signals".into()).spawn(|| {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_io().build() else { return };
        let code = rt.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
                    return None;
                };
                tokio::select! {
                    _ = int.recv() => Some(130),
                    _ = term.recv() => Some(143),
                }
            }
            #[cfg(not(unix))]
            {
                tokio::signal::ctrl_c().await.ok().map(|()| 130)
            }
        });
        if let Some(code) = code {
            let removed = hepatica_batch::files::remove_live_temps();
            let _ = writeln!(std::io::stderr(), "hepatica batch: interrupted; removed {removed} temporary output files");
            std::process::exit(code);
        }
    });
    if spawned.is_err() {
        let _ = writeln!(std::io::stderr(), "hepatica batch: warning: could not watch for signals");
    }
}

/// The progress bar: drawn on stderr when it is a terminal, otherwise nothing.
struct Bar {
    bar: Option<ProgressBar>,
    cases: AtomicU64,
}

impl Bar {
    fn new() -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta}) {msg}")
            {
                b.set_style(style);
            }
            b
        });
        Bar { bar, cases: AtomicU64::new(0) }
    }
}

impl Progress for Bar {
    fn start(&self, total_bytes: Option<u64>) {
        if let (Some(b), Some(n)) = (&self.bar, total_bytes) {
            b.set_length(n);
        }
    }

    fn advance(&self, bytes: u64, cases: u64) {
        let total = self.cases.fetch_add(cases, Ordering::Relaxed) + cases;
        if let Some(b) = &self.bar {
            b.inc(bytes);
            b.set_message(format!("{total} cases"));
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    fn waiting_for_writer(&self, input: &std::path::Path) {
        let _ = writeln!(
            std::io::stderr(),
            "hepatica batch: waiting for a program to write to {} (a FIFO; nothing has opened it for writing yet); Ctrl-C stops",
            input.display()
        );
    }
}

/// Runs `synth`: realistic synthetic cases as NDJSON, to a file (written
/// atomically) or stdout.
pub fn synth(args: SynthArgs) -> anyhow::Result<u8> {
    if !(0.0..=1.0).contains(&args.invalid_rate) {
        return Ok(invalid(&[format!("--invalid-rate: expected a number from 0 to 1, got {}", args.invalid_rate)]));
    }
    let opts = SynthOptions { count: args.count, seed: args.seed, invalid_rate: args.invalid_rate };
    match &args.output {
        None => {
            let stdout = std::io::stdout().lock();
            synth::write(std::io::BufWriter::with_capacity(1 << 20, stdout), &opts)?;
        }
        Some(path) => {
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            if !folder.is_dir() || path.is_dir() {
                return Ok(invalid(&[format!("--output: expected a file in an existing folder, got {}", path.display())]));
            }
            hepatica_batch::files::remove_stale_in_folder(folder);
            let mut staging = hepatica_batch::files::Staging::new();
            let file = staging.create(path)?;
            synth::write(std::io::BufWriter::with_capacity(1 << 20, file), &opts)?;
            staging.commit().map_err(|(p, e)| anyhow::anyhow!("writing {}: {e}", p.display()))?;
        }
    }
    Ok(EXIT_OK)
}
