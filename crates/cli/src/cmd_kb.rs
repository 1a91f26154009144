//! `hepatica kb ...`: check, versions, diff, bundle, keygen, sign, verify.
//!
//! Bundles and keys are described in `hepatica_knowledge::bundle`. Every file
//! these commands write goes to a temporary file beside the target first and
//! is renamed over it, so a failure never leaves half a file. A target that
//! exists and is not a regular file (device, FIFO, symlink, folder) is refused
//! with exit 2; `bundle --out` replaces an existing file only with `--force`;
//! `keygen` never overwrites a key; `sign` keeps the bundle's mode.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use hepatica_knowledge::bundle::{self, BundleError};
use hepatica_knowledge::diff::{ChangeKind, KbDiff};
use hepatica_knowledge::{Date, Knowledge, ReleaseInfo, Severity};

use crate::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK, Format, KbArgs, invalid};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check a content folder instead of the embedded knowledge base
    /// (`--dir` is the older spelling).
    #[arg(long = "kb-dir", alias = "dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Check as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Fail (exit 1) when any item has no clinical sign-off record.
    #[arg(long)]
    pub require_signoff: bool,
}

/// Runs every check and prints each problem; exit 1 if any error.
pub fn check(args: CheckArgs) -> anyhow::Result<u8> {
    let today = match &args.today {
        Some(s) => match Date::parse(s) {
            Some(d) => d,
            None => {
                eprintln!("error: --today: expected a date YYYY-MM-DD, got {s:?}");
                return Ok(EXIT_INVALID);
            }
        },
        None => today(),
    };
    let loaded;
    let kb = match &args.dir {
        Some(dir) => {
            anyhow::ensure!(dir.is_dir(), "{} is not a folder", dir.display());
            match Knowledge::load_dir(dir) {
                Ok(kb) => {
                    loaded = kb;
                    &loaded
                }
                Err(e) => {
                    for d in &e.0 {
                        eprintln!("{d}");
                    }
                    eprintln!("kb check: {} problems; the knowledge base did not load", e.0.len());
                    // A folder that does not load is invalid input, like --kb-dir elsewhere.
                    return Ok(EXIT_INVALID);
                }
            }
        }
        None => Knowledge::embedded(),
    };
    let mut diags = hepatica_knowledge::check(kb, today);
    diags.extend(hepatica_engine::check_references(kb));
    let coverage = hepatica_knowledge::signoff::coverage(kb);
    if args.require_signoff {
        for item in &coverage.missing {
            let (collection, id) = item.split_once('/').unwrap_or((item.as_str(), ""));
            diags.push(hepatica_knowledge::Diagnostic::error(collection, id, "signoff", "no clinical sign-off record (--require-signoff)"));
        }
    }
    let readability = hepatica_knowledge::readability::report(kb);
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    for d in &diags {
        eprintln!("{d}");
    }
    let summary = format!(
        "kb check: knowledge base {} ({} sources, {} statements, {} thresholds, {} treatments, {} glossary terms, {} drugs, {} questions) as of {today}: {errors} errors, {warnings} warnings",
        kb.meta.version,
        kb.sources.len(),
        kb.statements.len(),
        kb.thresholds.len(),
        kb.treatments.len(),
        kb.glossary.len(),
        kb.drugs.len(),
        kb.faqs.len(),
    );
    let signoff = format!("sign-off: {coverage}");
    if errors > 0 {
        eprintln!("{summary}\n{signoff}");
        Ok(EXIT_FAILURE)
    } else {
        crate::print_stdout(&format!("{summary}\nreadability: {readability}\n{signoff}\n")).context("writing the summary")?;
        Ok(EXIT_OK)
    }
}

/// Today's date (UTC) from the system clock. Only the CLI reads the clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Date::from_days_since_epoch((secs / 86_400) as i64)
}

/// `kb versions`.
#[derive(Debug, Args)]
pub struct VersionsArgs {
    /// Output format (text or json).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Lists the releases this program has, oldest first.
pub fn versions(args: VersionsArgs) -> anyhow::Result<u8> {
    let catalogue = Knowledge::catalogue();
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&catalogue)? + "\n",
        Format::Text | Format::Markdown => versions_text(&catalogue),
    };
    crate::print_stdout(&text).context("writing the versions")?;
    Ok(EXIT_OK)
}

fn versions_text(catalogue: &[ReleaseInfo]) -> String {
    let mut out =
        String::from("VERSION      PUBLISHED   LOGIC  CONTENT HASH (SHA-256)                                            STATUS\n");
    for r in catalogue {
        let mut status = vec![if r.frozen { "frozen".to_string() } else { "not frozen (working content)".to_string() }];
        match (&r.superseded_by, r.latest) {
            (_, true) => status.push("latest (default)".to_string()),
            (Some(newer), false) => status.push(format!("superseded by {newer}")),
            (None, false) => {}
        }
        let status = status.join(", ");
        out.push_str(format!("{:<12} {:<11} {:<6} {} {}", r.version, r.published, r.engine_logic, r.content_hash, status).trim_end());
        out.push('\n');
    }
    out
}

/// `kb diff OLD NEW`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older release: a version (see kb versions), latest, or a content folder.
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The newer release: a version, latest, or a content folder.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Output format (text for people, json for tools).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// The files of a version or a content folder, with the name to show.
fn release_files(spec: &str) -> Result<(String, Vec<(String, String)>), String> {
    let path = Path::new(spec);
    if path.is_dir() {
        let files = Knowledge::read_dir_files(path)
            .map_err(|e| format!("{spec}: {}", e.0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; ")))?;
        let version = Knowledge::from_files(files.iter().map(|(a, b)| (a.as_str(), b.as_str())))
            .map(|kb| kb.meta.version.clone())
            .unwrap_or_else(|_| spec.to_string());
        return Ok((format!("{version} ({spec})"), files));
    }
    let kb = Knowledge::by_version(spec).map_err(|e| e.to_string())?;
    let files = Knowledge::files_of(&kb.meta.version).expect("a known version has files");
    Ok((kb.meta.version.clone(), files.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()))
}

fn view(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// Prints what changed between two releases.
pub fn diff(args: DiffArgs) -> anyhow::Result<u8> {
    let (old, new) = match (release_files(&args.old), release_files(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (o, n) => {
            let problems: Vec<String> =
                [("OLD", o.err()), ("NEW", n.err())].into_iter().filter_map(|(w, e)| e.map(|e| format!("{w}: {e}"))).collect();
            return Ok(invalid(&problems));
        }
    };
    let d = match hepatica_knowledge::diff::diff((&old.0, &view(&old.1)), (&new.0, &view(&new.1))) {
        Ok(d) => d,
        Err(e) => return Ok(invalid(&[e])),
    };
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&d)? + "\n",
        Format::Text | Format::Markdown => diff_text(&d),
    };
    crate::print_stdout(&text).context("writing the diff")?;
    Ok(EXIT_OK)
}

fn cut(s: &str, n: usize) -> String {
    let one_line = s.replace('\n', " ");
    if one_line.chars().count() <= n { one_line } else { one_line.chars().take(n).collect::<String>() + "…" }
}

fn diff_text(d: &KbDiff) -> String {
    let mut out = format!("Knowledge base {} -> {}\n", d.from, d.to);
    if d.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    for (area, changes) in d.areas() {
        if changes.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{area} ({}):\n", changes.len()));
        for c in changes {
            match c.change {
                ChangeKind::Added => out.push_str(&format!("  + {} (added)\n", c.id)),
                ChangeKind::Removed => out.push_str(&format!("  - {} (removed)\n", c.id)),
                ChangeKind::Changed => {
                    let what: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
                    let label = if area == "statements" && what.iter().any(|f| *f == "patient" || *f == "clinician") {
                        "reworded"
                    } else {
                        "changed"
                    };
                    out.push_str(&format!("  ~ {} ({label}: {})\n", c.id, what.join(", ")));
                    for f in &c.fields {
                        out.push_str(&format!(
                            "      {}: {} -> {}\n",
                            f.field,
                            cut(f.old.as_deref().unwrap_or("(none)"), 160),
                            cut(f.new.as_deref().unwrap_or("(none)"), 160)
                        ));
                    }
                }
            }
        }
    }
    out
}

/// `kb bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// Which release to bundle (default latest).
    #[command(flatten)]
    pub kb: KbArgs,
    /// The bundle file to write (a new file; see --force).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace --out when it is an existing regular file (devices, FIFOs,
    /// symlinks and folders are refused even then).
    #[arg(long)]
    pub force: bool,
}

/// Writes one release as an (unsigned) bundle.
pub fn bundle(args: BundleArgs) -> anyhow::Result<u8> {
    if let Err(e) = check_out("--out", &args.out, args.force) {
        return Ok(invalid(&[e]));
    }
    let kb = match crate::knowledge(&args.kb) {
        Ok(kb) => kb,
        Err(code) => return Ok(code),
    };
    let files: Vec<(String, String)> = match (&args.kb.kb_dir, &args.kb.kb_file) {
        (Some(dir), _) => {
            Knowledge::read_dir_files(dir).map_err(|e| anyhow::anyhow!("{} problems reading {}", e.0.len(), dir.display()))?
        }
        (None, Some(file)) => {
            let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            bundle::files_checked(&bundle::parse(&bytes)?)?
        }
        (None, None) => Knowledge::files_of(&kb.meta.version)
            .expect("a loaded release has files")
            .into_iter()
            .map(|(a, b)| (a.into(), b.into()))
            .collect(),
    };
    let view: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let bytes = bundle::write(kb, &view);
    write_atomically(&args.out, &bytes, false)?;
    crate::print_stdout(&format!(
        "wrote {} (knowledge base {}, content hash {}, unsigned)\n",
        args.out.display(),
        kb.meta.version,
        kb.content_hash()
    ))?;
    Ok(EXIT_OK)
}

/// `kb keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the private key (hex; keep it secret). Never overwritten.
    #[arg(long, value_name = "FILE")]
    pub out_private: PathBuf,
    /// Where to write the public key (hex; give it to deployments). Never overwritten.
    #[arg(long, value_name = "FILE")]
    pub out_public: PathBuf,
}

/// Writes a new Ed25519 key pair.
pub fn keygen(args: KeygenArgs) -> anyhow::Result<u8> {
    let mut problems: Vec<String> = [("--out-private", &args.out_private), ("--out-public", &args.out_public)]
        .into_iter()
        .filter_map(|(flag, p)| {
            check_out(flag, p, false).err().map(|e| {
                if e.contains("--force") {
                    format!("{flag}: expected a new file, got {} which exists (keys are never overwritten)", p.display())
                } else {
                    e
                }
            })
        })
        .collect();
    if same_file(&args.out_private, &args.out_public) {
        problems.push(format!("--out-public: expected a different file from --out-private, got {} for both", args.out_public.display()));
    }
    if !problems.is_empty() {
        return Ok(invalid(&problems));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
    let (private, public) = bundle::keypair_from_seed(seed);
    write_atomically(&args.out_private, private.as_bytes(), true)?;
    write_atomically(&args.out_public, public.as_bytes(), false)?;
    crate::print_stdout(&format!(
        "wrote {} (private, keep it secret) and {} (public)\n",
        args.out_private.display(),
        args.out_public.display()
    ))?;
    Ok(EXIT_OK)
}

/// `kb sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The bundle to sign (in place; an earlier signature is replaced).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The private key file (from kb keygen).
    #[arg(long, value_name = "KEY")]
    pub private_key: PathBuf,
}

/// Signs a bundle in place.
pub fn sign(args: SignArgs) -> anyhow::Result<u8> {
    // The bundle is rewritten in place: only a regular file (not a symlink,
    // which the rename would replace with a file) is signed.
    match std::fs::symlink_metadata(&args.file) {
        Ok(m) if !m.file_type().is_file() => {
            return Ok(invalid(&[format!(
                "{}: expected a regular bundle file, got {}",
                args.file.display(),
                hepatica_knowledge::file_kind(&m)
            )]));
        }
        _ => {}
    }
    let key = match read_small(&args.private_key, "--private-key")
        .and_then(|t| bundle::signing_key(&t).map_err(|e| format!("--private-key {}: {e}", args.private_key.display())))
    {
        Ok(k) => k,
        Err(e) => return Ok(invalid(&[e])),
    };
    let bytes = match read_bundle(&args.file) {
        Ok(b) => b,
        Err(e) => return Ok(invalid(&[e])),
    };
    let signed = match bundle::sign(&bytes, &key) {
        Ok(s) => s,
        Err(e) => return Ok(invalid(&[format!("{}: {e}", args.file.display())])),
    };
    let mode = std::fs::metadata(&args.file).map(|m| m.permissions()).ok();
    write_atomically_with(&args.file, &signed, false, mode)?;
    let p = bundle::parse(&signed)?;
    crate::print_stdout(&format!("signed {} (knowledge base {}, content hash {})\n", args.file.display(), p.version, p.content_hash))?;
    Ok(EXIT_OK)
}

/// `kb verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle to check.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The publisher's public key file.
    #[arg(long, value_name = "KEY")]
    pub public_key: PathBuf,
}

/// Verifies a bundle: exit 0 printing its version and hash, or exit 2 naming the problem.
pub fn verify(args: VerifyArgs) -> anyhow::Result<u8> {
    match open_bundle(&args.file, &args.public_key) {
        Ok(kb) => {
            crate::print_stdout(&format!(
                "{}: verified: knowledge base {} (published {}), content hash {}\n",
                args.file.display(),
                kb.meta.version,
                kb.meta.published,
                kb.content_hash()
            ))?;
            Ok(EXIT_OK)
        }
        Err(message) => {
            eprintln!("{message}");
            Ok(EXIT_INVALID)
        }
    }
}

/// Opens and verifies a signed bundle; the error is the lines to print (each `error: ...` or a diagnostic).
pub(crate) fn open_bundle(file: &Path, key: &Path) -> Result<Knowledge, String> {
    let key = read_small(key, "--public-key")
        .and_then(|t| bundle::verifying_key(&t).map_err(|e| format!("--public-key {}: {e}", key.display())))
        .map_err(|e| format!("error: {e}"))?;
    let bytes = read_bundle(file).map_err(|e| format!("error: {e}"))?;
    bundle::open(&bytes, &key).map_err(|e| match e {
        BundleError::Load(problems) => {
            let mut lines: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
            lines.push(format!("error: {}: the bundle's knowledge base did not load ({} problems)", file.display(), problems.len()));
            lines.join("\n")
        }
        e => format!("error: {}: {e}", file.display()),
    })
}

/// Largest bundle read (64 MiB; a release is about 200 KB).
const MAX_BUNDLE_BYTES: u64 = 64 << 20;

fn read_bundle(file: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let f = std::fs::File::open(file).map_err(|e| format!("{}: expected a readable bundle file, got {e}", file.display()))?;
    let mut bytes = Vec::new();
    f.take(MAX_BUNDLE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(format!("{}: expected a bundle of at most {MAX_BUNDLE_BYTES} bytes", file.display()));
    }
    Ok(bytes)
}

fn read_small(file: &Path, flag: &str) -> Result<String, String> {
    use std::io::Read;
    let f = std::fs::File::open(file).map_err(|e| format!("{flag} {}: expected a readable key file, got {e}", file.display()))?;
    let mut text = String::new();
    f.take(4096).read_to_string(&mut text).map_err(|e| format!("{flag} {}: expected a text key file, got {e}", file.display()))?;
    Ok(text)
}

/// Checks a file these commands are about to write (by renaming a temporary
/// file over it, which would turn a device, FIFO or symlink into a regular
/// file): a target that exists and is not a regular file is refused, and so
/// is an existing regular file unless `force`. Like `batch --output`.
fn check_out(flag: &str, path: &Path, force: bool) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Err(_) => {
            if path.file_name().is_none() {
                return Err(format!("{flag}: expected a file path, got {}", path.display()));
            }
            Ok(())
        }
        Ok(m) if !m.file_type().is_file() => Err(format!(
            "{flag}: expected a regular file (it is written to a temporary file and renamed into place), got {} which is {}",
            path.display(),
            hepatica_knowledge::file_kind(&m)
        )),
        Ok(_) if force => Ok(()),
        Ok(_) => Err(format!("{flag}: expected a new file, got {} which exists (give --force to replace it)", path.display())),
    }
}

/// Whether two paths name the same file (also before either exists).
fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        dir.canonicalize().ok().map(|d| d.join(p.file_name().unwrap_or_default()))
    };
    a == b || resolve(a).is_some_and(|x| Some(x) == resolve(b))
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`: readers see the old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> anyhow::Result<()> {
    write_atomically_with(path, bytes, private, None)
}

/// [`write_atomically`], giving the new file `mode` (the replaced file's, for `kb sign`).
fn write_atomically_with(path: &Path, bytes: &[u8], private: bool, mode: Option<std::fs::Permissions>) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = private;
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        if let Some(mode) = mode {
            f.set_permissions(mode)?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))
}
