//! `hepatica kb check`: validate the knowledge base.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hepatica_knowledge::{Date, Knowledge, Severity};

use crate::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check a content folder instead of the embedded knowledge base
    /// (`--dir` is the older spelling).
    #[arg(long = "kb-dir", alias = "dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Check as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
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
    if errors > 0 {
        eprintln!("{summary}");
        Ok(EXIT_FAILURE)
    } else {
        crate::print_stdout(&format!("{summary}\nreadability: {readability}\n")).context("writing the summary")?;
        Ok(EXIT_OK)
    }
}

/// Today's date (UTC) from the system clock. Only the CLI reads the clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Date::from_days_since_epoch((secs / 86_400) as i64)
}
