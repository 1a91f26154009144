//! Drug look-up and question search, as the pages and the API see them.
//!
//! This is a thin adapter: the indexes themselves belong to `hepatica-search`.
//! Until those are wired in, a small built-in fallback answers with the same
//! contract shapes (sections 4 and 5), so pages and API do not change when
//! the real indexes arrive.

use hepatica_knowledge::{Drug, DrugClass, DrugKind, Knowledge};
use serde::Serialize;

/// Longest query accepted (characters); longer ones are cut.
pub const MAX_QUERY_CHARS: usize = 200;

/// The search indexes for one knowledge base.
pub struct Search {
    kb: &'static Knowledge,
}

/// Contract section 4.
#[derive(Debug, Clone, Serialize)]
pub struct DrugLookup {
    /// The query as given.
    pub query: String,
    /// Matches, best first.
    pub matches: Vec<DrugMatch>,
    /// A suggestion when nothing matched well.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
}

/// One drug or regimen (contract section 4, plus `description`).
#[derive(Debug, Clone, Serialize)]
pub struct DrugMatch {
    /// Stable id.
    pub id: String,
    /// Generic or regimen name.
    pub name: String,
    /// `drug` or `regimen`.
    pub kind: String,
    /// Brand names.
    pub brand_names: Vec<String>,
    /// Contract class.
    pub class: String,
    /// How it is given.
    pub given_as: Vec<String>,
    /// Primary sites it is used for.
    pub used_for: Vec<String>,
    /// Component drug ids (regimens).
    pub components: Vec<String>,
    /// Source ids.
    pub sources: Vec<String>,
    /// One plain paragraph.
    pub description: String,
}

/// Contract section 5.
#[derive(Debug, Clone, Serialize)]
pub struct AskResponse {
    /// The query as given.
    pub query: String,
    /// Results, best first.
    pub results: Vec<AskResult>,
    /// A note for the reader (e.g. nothing found).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct AskResult {
    /// Title of the page or entry.
    pub title: String,
    /// A treatment id, `general`, `support` or `drugs`.
    pub topic: String,
    /// Plain-text snippet.
    pub snippet: String,
    /// Where to read it: `/path#anchor`.
    pub url: String,
    /// Relevance, higher is better.
    pub score: f64,
}

/// The contract's name for a drug class.
pub fn class_str(c: DrugClass) -> &'static str {
    match c {
        DrugClass::Chemotherapy => "chemotherapy",
        DrugClass::TargetedTherapy => "targeted_therapy",
        DrugClass::HormonalTherapy => "hormonal_therapy",
        DrugClass::Immunotherapy => "immunotherapy",
        DrugClass::Radionuclide => "radionuclide",
        DrugClass::Supportive => "supportive",
    }
}

/// The contract's name for a drug kind.
pub fn kind_str(k: DrugKind) -> &'static str {
    match k {
        DrugKind::Drug => "drug",
        DrugKind::Regimen => "regimen",
    }
}

impl DrugMatch {
    /// The contract view of a catalogue entry.
    pub fn from_drug(d: &Drug) -> DrugMatch {
        DrugMatch {
            id: d.id.clone(),
            name: d.name.clone(),
            kind: kind_str(d.kind).to_string(),
            brand_names: d.brand_names.clone(),
            class: class_str(d.class).to_string(),
            given_as: d.given_as.clone(),
            used_for: d.used_for.clone(),
            components: d.components.clone(),
            sources: d.sources.clone(),
            description: d.description.clone(),
        }
    }
}

/// Cuts a query to [`MAX_QUERY_CHARS`] and trims it.
pub fn clean_query(q: &str) -> String {
    q.chars().take(MAX_QUERY_CHARS).collect::<String>().trim().to_string()
}

fn fold(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric() || c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

impl Search {
    /// Builds the indexes.
    pub fn build(kb: &'static Knowledge) -> Search {
        Search { kb }
    }

    /// Looks a drug or regimen up by name, brand or abbreviation.
    pub fn drugs(&self, query: &str, limit: usize) -> DrugLookup {
        let query = clean_query(query);
        let q = fold(&query).replace(' ', "");
        let mut scored: Vec<(u8, &Drug)> = Vec::new();
        if !q.is_empty() {
            for d in &self.kb.drugs {
                let names = std::iter::once(&d.name).chain(&d.brand_names).chain(&d.aliases).chain(std::iter::once(&d.id));
                let mut best = 0;
                for n in names {
                    let n = fold(n).replace(' ', "");
                    let s = if n == q {
                        3
                    } else if n.starts_with(&q) {
                        2
                    } else if q.len() >= 3 && n.contains(&q) {
                        1
                    } else {
                        0
                    };
                    best = best.max(s);
                }
                if best > 0 {
                    scored.push((best, d));
                }
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        DrugLookup { query, matches: scored.into_iter().take(limit).map(|(_, d)| DrugMatch::from_drug(d)).collect(), did_you_mean: None }
    }

    /// Searches all patient content for an answer.
    pub fn ask(&self, query: &str, limit: usize) -> AskResponse {
        let query = clean_query(query);
        let words: Vec<String> = fold(&query).split_whitespace().filter(|w| w.len() >= 3 && !STOP.contains(w)).map(String::from).collect();
        let mut hits: Vec<AskResult> = Vec::new();
        if !words.is_empty() {
            let kb = self.kb;
            let mut add = |title: &str, topic: &str, text: &str, url: String| {
                let t = fold(title);
                let b = fold(text);
                let score: f64 = words
                    .iter()
                    .map(|w| if t.contains(w.as_str()) { 3.0 } else { 0.0 } + if b.contains(w.as_str()) { 1.0 } else { 0.0 })
                    .sum();
                if score > 0.0 {
                    hits.push(AskResult { title: title.to_string(), topic: topic.to_string(), snippet: snippet(text, 220), url, score });
                }
            };
            for f in &kb.faqs {
                add(&f.question, &f.topic, &f.answer, format!("/questions#{}", f.id));
            }
            for t in &kb.treatments {
                add(&t.title, &t.id, &t.summary, format!("/treatments/{}", t.id));
                for s in &t.sections {
                    add(&format!("{}: {}", t.title, s.heading), &t.id, &s.text, format!("/treatments/{}#{}", t.id, s.id));
                }
            }
            for g in &kb.glossary {
                add(&g.term, "general", &g.definition, format!("/glossary#{}", g.id));
            }
            for d in &kb.drugs {
                add(&d.name, "drugs", &d.description, format!("/drugs/{}", d.id));
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.url.cmp(&b.url)));
        hits.truncate(limit);
        let note = hits.is_empty().then(|| "Nothing matched. Try other words, or look through the treatment pages.".to_string());
        AskResponse { query, results: hits, note }
    }
}

const STOP: &[&str] = &[
    "the", "and", "for", "are", "can", "how", "what", "does", "will", "with", "have", "why", "who", "when", "you", "your", "this", "that",
    "there", "they",
];

/// The first `max` characters of `text`, cut at a word boundary.
pub fn snippet(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{cut}…")
}
