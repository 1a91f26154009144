//! `hepatica ask QUESTION`: search all patient content (contract section 5).
//!
//! JSON is the contract's `{ "query", "results": [ { "title", "topic",
//! "snippet", "url" } ] }`, pretty-printed, with the extensions `snippet_html`,
//! `score` and, when nothing answers the question, `note`. When the question
//! describes a same-day red flag, JSON has the contract's `urgent` object
//! (section 8.3) and text and Markdown show it first, above the results.
//! No results is still success (exit 0). An empty question is invalid input (exit 2).

use anyhow::Context;
use hepatica_knowledge::Knowledge;
use hepatica_search::ask::{AskIndex, AskResponse};

use crate::{AskArgs, EXIT_OK, Format};

/// How many results the command shows.
const RESULTS: usize = 10;

/// Runs the sub-command.
pub fn run(args: AskArgs) -> anyhow::Result<u8> {
    if args.question.trim().is_empty() {
        return Ok(crate::invalid(&[format!("/question: expected a question of at least one word, got {:?}", args.question)]));
    }
    let kb = Knowledge::embedded();
    let index = AskIndex::build(kb).context("building the search index")?;
    let response = index.search(&args.question, RESULTS);
    let out = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&response).context("writing JSON")?;
            s.push('\n');
            s
        }
        Format::Text => text(&response, kb),
        Format::Markdown => markdown(&response, kb),
    };
    crate::print_stdout(&out).context("writing the results")?;
    Ok(EXIT_OK)
}

/// A reader's name for a topic: the treatment's title, or General, Support, Medicines.
fn topic_label(topic: &str, kb: &Knowledge) -> String {
    match topic {
        "general" => "General".to_string(),
        "support" => "Support".to_string(),
        "drugs" => "Medicines".to_string(),
        id => kb.treatment(id).map(|t| t.title.clone()).unwrap_or_else(|| id.to_string()),
    }
}

fn width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(80usize).clamp(40, 100)
}

fn text(r: &AskResponse, kb: &Knowledge) -> String {
    let width = width();
    let mut out = format!("Your question: {}\n\n", r.query.trim());
    if let Some(u) = &r.urgent {
        out.push_str(&format!("!! {}\n", u.title));
        let opts = textwrap::Options::new(width).initial_indent("   ").subsequent_indent("   ");
        for line in textwrap::wrap(u.text.trim(), &opts) {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&format!("   More: {}\n\n", u.url));
    }
    if r.results.is_empty() {
        out.push_str("No answers found.\n");
    }
    for (i, res) in r.results.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, res.title));
        out.push_str(&format!("   Topic: {}\n", topic_label(&res.topic, kb)));
        let opts = textwrap::Options::new(width).initial_indent("   ").subsequent_indent("   ");
        for line in textwrap::wrap(&res.snippet, &opts) {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&format!("   Read more: {}\n\n", res.url));
    }
    if let Some(note) = &r.note {
        for line in textwrap::wrap(note, width) {
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str("This is general information to discuss with your care team, not medical advice.\n");
    out
}

fn markdown(r: &AskResponse, kb: &Knowledge) -> String {
    let mut out = format!("## Your question: {}\n\n", escape_md(r.query.trim()));
    if let Some(u) = &r.urgent {
        out.push_str(&format!("> **{}**\n>\n> {} [Who to call now]({})\n\n", escape_md(&u.title), escape_md(u.text.trim()), u.url));
    }
    if r.results.is_empty() {
        out.push_str("No answers found.\n\n");
    }
    for (i, res) in r.results.iter().enumerate() {
        out.push_str(&format!(
            "{}. **[{}]({})** ({})\n\n   {}\n\n",
            i + 1,
            escape_md(&res.title),
            res.url,
            topic_label(&res.topic, kb),
            escape_md(&res.snippet)
        ));
    }
    if let Some(note) = &r.note {
        out.push_str(&format!("> {}\n\n", escape_md(note)));
    }
    out.push_str("*This is general information to discuss with your care team, not medical advice.*\n");
    out
}

/// Escapes the characters that would change Markdown formatting.
fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
