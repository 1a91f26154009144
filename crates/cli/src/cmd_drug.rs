//! `hepatica drug QUERY`: look a drug or regimen up by name (contract section 4).
//!
//! This module only checks the query, calls [`DrugIndex::lookup`] and prints
//! the answer as JSON (the contract, pretty-printed), terminal text or
//! Markdown. No match is not an error: it prints an empty answer and exits 0.
//! An empty query is invalid input: exit 2 and one `error:` line on stderr.

use std::fmt::Write;
use std::io::IsTerminal;

use anyhow::Context;
use hepatica_knowledge::Knowledge;
use hepatica_search::drugs::{DrugIndex, DrugLookup, DrugMatch};

use crate::{EXIT_OK, Format};

/// How many matches are printed.
const LIMIT: usize = 10;
/// How many matches text and Markdown show in full; the rest get one line each.
const FULL: usize = 1;

/// Runs the sub-command.
pub fn run(args: crate::DrugArgs) -> anyhow::Result<u8> {
    if args.query.trim().is_empty() {
        return Ok(crate::invalid(&[format!("/query: expected a drug or regimen name, got {:?}", args.query)]));
    }
    let kb = Knowledge::embedded();
    let index = DrugIndex::new(kb);
    let found = index.lookup(&args.query, LIMIT);
    let out = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&found).context("writing JSON")?;
            s.push('\n');
            s
        }
        Format::Text => text(&found, kb, TextStyle::detect()),
        Format::Markdown => markdown(&found, kb),
    };
    crate::print_stdout(&out).context("writing the answer")?;
    Ok(EXIT_OK)
}

/// Bold on a terminal without `NO_COLOR`; wrap width from `COLUMNS` (40 to 100).
#[derive(Clone, Copy)]
struct TextStyle {
    bold: bool,
    width: usize,
}

impl TextStyle {
    fn detect() -> TextStyle {
        let bold = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(80usize).clamp(40, 100);
        TextStyle { bold, width }
    }

    fn strong(&self, s: &str) -> String {
        if self.bold { format!("\x1b[1m{s}\x1b[0m") } else { s.to_string() }
    }
}

/// Plain words for a contract class value.
fn class_label(class: &str) -> &str {
    match class {
        "chemotherapy" => "chemotherapy",
        "targeted_therapy" => "targeted therapy",
        "hormonal_therapy" => "hormonal therapy",
        "immunotherapy" => "immunotherapy",
        "radionuclide" => "radionuclide (internal radiotherapy)",
        "supportive" => "supportive care",
        other => other,
    }
}

/// Plain words for a contract primary-site id.
fn site_label(site: &str) -> String {
    match site {
        "uveal_melanoma" => "uveal (eye) melanoma".to_string(),
        "gist" => "GIST".to_string(),
        "oesophagus" => "oesophagus (gullet)".to_string(),
        "neuroendocrine" => "neuroendocrine tumours".to_string(),
        "unknown" => "cancer of unknown primary".to_string(),
        "other" => "other cancers".to_string(),
        other => other.replace('_', " "),
    }
}

/// Used-for list; every primary site reads as "any cancer".
fn used_for(m: &DrugMatch) -> String {
    if m.used_for.len() >= hepatica_knowledge::PRIMARY_SITES.len() {
        "any cancer".to_string()
    } else {
        m.used_for.iter().map(|s| site_label(s)).collect::<Vec<_>>().join(", ")
    }
}

fn components(m: &DrugMatch, kb: &Knowledge) -> String {
    m.components.iter().map(|c| kb.drug(c).map_or_else(|| c.clone(), |d| d.name.clone())).collect::<Vec<_>>().join(", ")
}

/// Biomarker conditions in plain words, e.g. `KRAS:wild_type` as `KRAS wild type`.
fn biomarkers(m: &DrugMatch, kb: &Knowledge) -> Vec<String> {
    let label = |b: &str| {
        let (key, value) = b.split_once(':').unwrap_or((b, ""));
        let key = match key {
            "BRAF_V600" => "BRAF V600",
            "MET_EX14" => "MET exon 14",
            "HLA_A0201" => "HLA-A*02:01",
            "PD_L1" => "PD-L1",
            "MSI" if value == "high" => return "MSI-high or dMMR".to_string(),
            other => other,
        };
        format!("{key} {}", value.replace('_', " "))
    };
    kb.drug(&m.id).map(|d| d.biomarkers.iter().map(|b| label(b)).collect()).unwrap_or_default()
}

/// A source as `title (publisher, year)` and its address, kept whole so it stays clickable.
fn source_label(id: &str, kb: &Knowledge) -> (String, Option<String>) {
    match kb.source(id) {
        Some(s) => (format!("{} ({}, {})", s.title, s.publisher, s.year), Some(s.url.clone())),
        None => (id.to_string(), None),
    }
}

fn or_none(list: &[String]) -> String {
    if list.is_empty() { "none".to_string() } else { list.join(", ") }
}

fn no_match(found: &DrugLookup) -> String {
    let mut s = format!("No drug or regimen matched {:?}.", found.query);
    if let Some(name) = &found.did_you_mean {
        let _ = write!(s, " Did you mean {name}?");
    }
    s
}

fn text(found: &DrugLookup, kb: &Knowledge, style: TextStyle) -> String {
    let mut out = String::new();
    let wrap = |out: &mut String, label: &str, body: &str| {
        let opts = textwrap::Options::new(style.width).initial_indent("  ").subsequent_indent("    ");
        for line in textwrap::wrap(&format!("{label}: {body}"), opts) {
            let _ = writeln!(out, "{line}");
        }
    };
    if found.matches.is_empty() {
        let _ = writeln!(out, "{}", no_match(found));
        return out;
    }
    if let Some(name) = &found.did_you_mean {
        let _ = writeln!(out, "Showing results for {name} (you typed {:?}).\n", found.query);
    }
    for m in found.matches.iter().take(FULL) {
        let _ = writeln!(out, "{} ({} {})", style.strong(&m.name), class_label(&m.class), m.kind);
        wrap(&mut out, "Brand names", &or_none(&m.brand_names));
        if !m.components.is_empty() {
            wrap(&mut out, "Made up of", &components(m, kb));
        }
        wrap(&mut out, "How it is given", &m.given_as.join(", "));
        wrap(&mut out, "Used for", &used_for(m));
        let markers = biomarkers(m, kb);
        if !markers.is_empty() {
            wrap(&mut out, "Tests that matter", &markers.join(", "));
        }
        wrap(&mut out, "About", &m.description);
        let _ = writeln!(out, "  Sources:");
        let opts = textwrap::Options::new(style.width).initial_indent("    - ").subsequent_indent("      ");
        for id in &m.sources {
            let (title, url) = source_label(id, kb);
            for line in textwrap::wrap(&title, opts.clone()) {
                let _ = writeln!(out, "{line}");
            }
            if let Some(url) = url {
                let _ = writeln!(out, "      {url}");
            }
        }
    }
    let rest: Vec<&DrugMatch> = found.matches.iter().skip(FULL).collect();
    if !rest.is_empty() {
        let _ = writeln!(out, "\nAlso matched:");
        for m in rest {
            let _ = writeln!(out, "  - {} ({} {}; {})", m.name, class_label(&m.class), m.kind, m.matched_on);
        }
    }
    let _ = writeln!(out, "\nThis is general information. Your care team can tell you what fits you.");
    out
}

fn markdown(found: &DrugLookup, kb: &Knowledge) -> String {
    let mut out = format!("# Drug look-up: {}\n\n", found.query.trim());
    if found.matches.is_empty() {
        let _ = writeln!(out, "{}", no_match(found));
        return out;
    }
    if let Some(name) = &found.did_you_mean {
        let _ = writeln!(out, "Showing results for **{name}**.\n");
    }
    for m in found.matches.iter().take(FULL) {
        let _ = writeln!(out, "## {}\n", m.name);
        let _ = writeln!(out, "- **Kind:** {}", m.kind);
        let _ = writeln!(out, "- **Class:** {}", class_label(&m.class));
        let _ = writeln!(out, "- **Brand names:** {}", or_none(&m.brand_names));
        if !m.components.is_empty() {
            let _ = writeln!(out, "- **Made up of:** {}", components(m, kb));
        }
        let _ = writeln!(out, "- **How it is given:** {}", m.given_as.join(", "));
        let _ = writeln!(out, "- **Used for:** {}", used_for(m));
        let markers = biomarkers(m, kb);
        if !markers.is_empty() {
            let _ = writeln!(out, "- **Tests that matter:** {}", markers.join(", "));
        }
        let _ = writeln!(out, "\n{}\n\n### Sources\n", m.description);
        for id in &m.sources {
            match kb.source(id) {
                Some(s) => {
                    let _ = writeln!(out, "- [{}]({}) ({}, {})", s.title, s.url, s.publisher, s.year);
                }
                None => {
                    let _ = writeln!(out, "- {id}");
                }
            }
        }
    }
    let rest: Vec<&DrugMatch> = found.matches.iter().skip(FULL).collect();
    if !rest.is_empty() {
        let _ = writeln!(out, "\n## Also matched\n");
        for m in rest {
            let _ = writeln!(out, "- **{}** ({} {}; {})", m.name, class_label(&m.class), m.kind, m.matched_on);
        }
    }
    out
}
