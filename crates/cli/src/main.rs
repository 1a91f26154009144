//! The `hepatica` command: a thin shell over the library crates.
//!
//! Each sub-command lives in its own module and only parses arguments, reads
//! files, calls a library and prints. Exit codes (contract section 1): 0 success,
//! 2 invalid input or arguments (nothing on stdout, one `error:` line per
//! problem on stderr), 3 batch finished with some invalid lines, 1 anything else.

mod cmd_ask;
mod cmd_assess;
mod cmd_batch;
mod cmd_drug;
mod cmd_kb;
mod cmd_serve;
mod render;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// mimalloc: the engine allocates many small strings per assessment, and batch
/// runs do millions of them across threads (about half the CPU per case with
/// the system allocator went to malloc and free; see bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use hepatica_knowledge::Knowledge;

/// Exit code for success.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code for any failure other than bad input.
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Exit code for invalid input or arguments.
pub(crate) const EXIT_INVALID: u8 = 2;
/// Exit code for a batch that finished with some invalid lines.
pub(crate) const EXIT_PARTIAL: u8 = 3;

const AFTER_HELP: &str = "\
Exit codes: 0 success; 2 invalid input or arguments (one 'error:' line per problem on stderr, nothing on stdout); \
3 batch finished but some lines were invalid; 1 any other failure.

Hepatica is an information aid to discuss with the care team. It does not make treatment decisions.";

#[derive(Debug, Parser)]
#[command(name = "hepatica", version = version_string(), about = "Explains and assesses treatment options for secondary cancer in the liver", after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess one case (JSON from FILE or stdin, or a FHIR R4 Bundle with --fhir).
    Assess(AssessArgs),
    /// Assess many cases: NDJSON or a FHIR Bulk Data export folder.
    Batch(BatchArgs),
    /// Look a drug or regimen up by name, brand, abbreviation or misspelling.
    Drug(DrugArgs),
    /// Search all content for an answer to a question.
    Ask(AskArgs),
    /// Run the web app, JSON API and CDS Hooks service.
    Serve(ServeArgs),
    /// Knowledge-base tools.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// Write realistic synthetic cases as NDJSON (for tests and benchmarks).
    Synth(SynthArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Machine-readable JSON.
    Json,
    /// Terminal text.
    Text,
    /// Markdown.
    Markdown,
}

/// Wording audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AudienceArg {
    /// Plain English for patients and carers.
    Patient,
    /// Clinical depth with the criteria trace.
    Clinician,
}

#[derive(Debug, Args)]
pub(crate) struct AssessArgs {
    /// Case JSON file, or - for stdin (the default).
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
    /// Read a FHIR R4 Bundle from this file instead of a Case.
    #[arg(long, value_name = "FILE", conflicts_with = "file")]
    pub fhir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Who the wording is for.
    #[arg(long, value_enum, default_value = "patient")]
    pub audience: AudienceArg,
    /// Which knowledge base to use.
    #[command(flatten)]
    pub kb: KbArgs,
}

/// Which knowledge base a command uses (contract 8.2): a release by version
/// (`--kb`, default latest), a content folder (`--kb-dir`) or a signed
/// bundle (`--kb-file` with `--public-key`); the three are mutually exclusive.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct KbArgs {
    /// Knowledge-base release: a version such as 2026.11.0, or latest (the default).
    /// An unknown version is exit 2 naming the versions that exist (hepatica kb versions).
    #[arg(long = "kb", value_name = "VERSION", env = "HEPATICA_KB", conflicts_with_all = ["kb_dir", "kb_file"])]
    pub version: Option<String>,
    /// Load the knowledge base from this content folder instead of the embedded one
    /// (every problem is named and the exit code is 2 if it does not load).
    #[arg(long, value_name = "DIR", env = "HEPATICA_KB_DIR", conflicts_with = "kb_file")]
    pub kb_dir: Option<PathBuf>,
    /// Load the knowledge base from a signed bundle (hepatica kb bundle, kb sign);
    /// an unsigned, tampered or damaged bundle is refused (exit 2).
    #[arg(long, value_name = "FILE", env = "HEPATICA_KB_FILE", requires = "public_key")]
    pub kb_file: Option<PathBuf>,
    /// The publisher's public key (hex, from hepatica kb keygen) that must have signed --kb-file.
    #[arg(long, value_name = "KEY", env = "HEPATICA_KB_PUBLIC_KEY", requires = "kb_file")]
    pub public_key: Option<PathBuf>,
    /// Refuse (exit 2) unless the knowledge base's content hash is this one
    /// (the 64 hex digits kb versions and every answer's stamp show).
    #[arg(long, value_name = "HASH", env = "HEPATICA_KB_EXPECT_HASH")]
    pub expect_hash: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct BatchArgs {
    /// NDJSON file (one Case per line) or a FHIR Bulk Data export folder.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// NDJSON output, one line per valid input line, in input order (Parquet,
    /// one row per case, for a FILE ending in .parquet).
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
    /// Output format (default: by the output's extension).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<OutputFormatArg>,
    /// Write counts per treatment and suitability (JSON; also .csv and .svg beside it).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Write the whole Assessment for each line.
    #[arg(long)]
    pub full: bool,
    /// Parse and validate only; do not assess. The output then has one
    /// {"case_id", "valid": true} line per valid input line.
    #[arg(long)]
    pub validate_only: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Which knowledge base to use.
    #[command(flatten)]
    pub kb: KbArgs,
}

/// Batch output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormatArg {
    /// One JSON object per line (contract section 7).
    Ndjson,
    /// Apache Parquet: one row per case, a column per treatment and per score.
    Parquet,
}

impl From<OutputFormatArg> for hepatica_batch::OutputFormat {
    fn from(f: OutputFormatArg) -> hepatica_batch::OutputFormat {
        match f {
            OutputFormatArg::Ndjson => hepatica_batch::OutputFormat::Ndjson,
            OutputFormatArg::Parquet => hepatica_batch::OutputFormat::Parquet,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct DrugArgs {
    /// Name, brand, abbreviation or regimen.
    pub query: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct AskArgs {
    /// The question, in your own words.
    pub question: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "HEPATICA_ADDR")]
    pub addr: String,
    /// Also serve /healthz and /readyz on this address, with a small connection budget of
    /// their own (32), apart from --max-connections and --max-in-flight, so that probes
    /// answer while the public listener is full. /healthz stays on --addr as well.
    #[arg(long, value_name = "ADDR", env = "HEPATICA_HEALTH_ADDR")]
    pub health_addr: Option<String>,
    /// Folder for the embedded database (created if missing).
    #[arg(long, default_value = "./hepatica-data", env = "HEPATICA_DATA_DIR")]
    pub data_dir: PathBuf,
    /// CDS Hooks trust file (base_url and allow-listed issuers with their JWK sets).
    #[arg(long, value_name = "FILE", env = "HEPATICA_CDS_TRUST")]
    pub cds_trust: Option<PathBuf>,
    /// Which knowledge base to use.
    #[command(flatten)]
    pub kb: KbArgs,
    /// Serve a --kb-file bundle that has the version of an embedded release
    /// but other content (refused without this; its answers are stamped draft).
    #[arg(long)]
    pub allow_draft: bool,
    /// Largest request body on the FHIR and CDS Hooks routes, in MiB (other routes accept 1 MiB).
    #[arg(long, value_name = "MIB", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024), env = "HEPATICA_MAX_FHIR_BODY")]
    pub max_fhir_body: u32,
    /// Timeouts, caps and rates (docs/safety/operations.md).
    #[command(flatten)]
    pub limits: cmd_serve::LimitArgs,
    /// Where feedback and the CDS replay cache live: SQLite or PostgreSQL.
    #[command(flatten)]
    pub database: cmd_serve::DatabaseArgs,
}

#[derive(Debug, Subcommand)]
enum KbCommand {
    /// Validate the knowledge base: sources, references, review dates, readability, sign-off.
    Check(cmd_kb::CheckArgs),
    /// List the knowledge-base releases this program has (version, date, content hash).
    Versions(cmd_kb::VersionsArgs),
    /// What changed between two releases, statement by statement.
    Diff(cmd_kb::DiffArgs),
    /// Write one release as a single bundle file carrying its content hash.
    Bundle(cmd_kb::BundleArgs),
    /// Make an Ed25519 key pair for signing bundles.
    Keygen(cmd_kb::KeygenArgs),
    /// Sign a bundle (the signature is appended to the bundle file).
    Sign(cmd_kb::SignArgs),
    /// Check a bundle's hash and signature; print its version and content hash.
    Verify(cmd_kb::VerifyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SynthArgs {
    /// How many cases.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// Random seed (same seed, same cases).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of lines (0-1) made deliberately invalid, to exercise error handling.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub invalid_rate: f64,
    /// Output file (default stdout).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn version_string() -> &'static str {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let kb = Knowledge::embedded();
        format!("{} (knowledge base {}, published {})", env!("CARGO_PKG_VERSION"), kb.meta.version, kb.meta.published)
    })
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INVALID } else { EXIT_OK };
            // --help and --version print to stdout and succeed; bad arguments are exit 2.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Assess(a) => cmd_assess::run(a),
        Command::Batch(a) => cmd_batch::run(a),
        Command::Drug(a) => cmd_drug::run(a),
        Command::Ask(a) => cmd_ask::run(a),
        Command::Serve(a) => cmd_serve::run(a),
        Command::Kb { command: KbCommand::Check(a) } => cmd_kb::check(a),
        Command::Kb { command: KbCommand::Versions(a) } => cmd_kb::versions(a),
        Command::Kb { command: KbCommand::Diff(a) } => cmd_kb::diff(a),
        Command::Kb { command: KbCommand::Bundle(a) } => cmd_kb::bundle(a),
        Command::Kb { command: KbCommand::Keygen(a) } => cmd_kb::keygen(a),
        Command::Kb { command: KbCommand::Sign(a) } => cmd_kb::sign(a),
        Command::Kb { command: KbCommand::Verify(a) } => cmd_kb::verify(a),
        Command::Synth(a) => cmd_batch::synth(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::from(EXIT_OK);
            }
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// The knowledge base a command runs with ([`KbArgs`]): a release by version
/// (`--kb`, default the latest, embedded), a content folder (`--kb-dir`) or a
/// signed bundle (`--kb-file` + `--public-key`), the last two loaded and
/// type-checked at run time (rules, thresholds and the statements the engine
/// cites). Anything that does not load prints every problem and gives exit code 2.
///
/// Then: `--expect-hash` other than the loaded content hash is exit 2; a
/// folder or bundle that has an embedded release's version but other content
/// ([`Knowledge::is_draft`]) gets a warning on stderr, and its answers carry
/// `knowledge_base.draft: true`.
pub(crate) fn knowledge(args: &KbArgs) -> Result<&'static Knowledge, u8> {
    let kb = load_knowledge(args)?;
    let mut stderr = std::io::stderr().lock();
    if let Some(want) = &args.expect_hash
        && !want.trim().eq_ignore_ascii_case(kb.content_hash())
    {
        let _ = writeln!(
            stderr,
            "error: --expect-hash: expected a knowledge base with content hash {}, got {} (knowledge base {})",
            want.trim(),
            kb.content_hash(),
            kb.meta.version
        );
        return Err(EXIT_INVALID);
    }
    if kb.is_draft() {
        let embedded = Knowledge::by_version(&kb.meta.version).map(|k| k.content_hash()).unwrap_or_default();
        let _ = writeln!(
            stderr,
            "warning: knowledge base {} has content hash {}, not that of the release {} this program embeds ({embedded}): it is a draft, and its answers are stamped draft",
            kb.meta.version,
            kb.content_hash(),
            kb.meta.version
        );
    }
    Ok(kb)
}

fn load_knowledge(args: &KbArgs) -> Result<&'static Knowledge, u8> {
    let mut stderr = std::io::stderr().lock();
    if let (Some(file), Some(key)) = (&args.kb_file, &args.public_key) {
        return match cmd_kb::open_bundle(file, key) {
            Ok(kb) => {
                let problems = hepatica_engine::check_references(&kb);
                if problems.is_empty() {
                    return Ok(Box::leak(Box::new(kb)));
                }
                for d in &problems {
                    let _ = writeln!(stderr, "{d}");
                }
                let _ =
                    writeln!(stderr, "error: --kb-file {}: the knowledge base did not load ({} problems)", file.display(), problems.len());
                Err(EXIT_INVALID)
            }
            Err(message) => {
                let _ = writeln!(stderr, "{message}");
                Err(EXIT_INVALID)
            }
        };
    }
    let Some(dir) = &args.kb_dir else {
        return match Knowledge::by_version(args.version.as_deref().unwrap_or("latest")) {
            Ok(kb) => Ok(kb),
            Err(e) => {
                let _ = writeln!(stderr, "error: --kb: {e}");
                Err(EXIT_INVALID)
            }
        };
    };
    let problems = match Knowledge::load_dir(dir) {
        Ok(kb) => {
            let problems = hepatica_engine::check_references(&kb);
            if problems.is_empty() {
                // One knowledge base per process, alive until it exits.
                return Ok(Box::leak(Box::new(kb)));
            }
            problems
        }
        Err(e) => e.0,
    };
    for d in &problems {
        let _ = writeln!(stderr, "{d}");
    }
    let _ = writeln!(stderr, "error: --kb-dir {}: the knowledge base did not load ({} problems)", dir.display(), problems.len());
    Err(EXIT_INVALID)
}

/// Prints input problems as `error: <pointer>: <detail>` lines and returns exit code 2.
pub(crate) fn invalid<T: std::fmt::Display>(problems: &[T]) -> u8 {
    let mut stderr = std::io::stderr().lock();
    for p in problems {
        let _ = writeln!(stderr, "error: {p}");
    }
    EXIT_INVALID
}

/// Writes `text` to stdout in one go (so a failure leaves nothing half-written).
pub(crate) fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
