//! Drug look-up and question search, as the pages and the API see them.
//!
//! A thin adapter over `hepatica-search`: [`DrugIndex`] (contract section 4)
//! and [`AskIndex`] (section 5), built once per knowledge base. Should the
//! full-text index fail to build, a small word-match fallback answers with
//! the same types, so pages and API keep working.

use std::sync::{Arc, OnceLock};

use hepatica_knowledge::{DrugKind, Knowledge};
pub use hepatica_search::ask::{AskIndex, AskResponse, AskResult};
pub use hepatica_search::drugs::{DrugIndex, DrugLookup, DrugMatch};

/// Longest query accepted (characters); longer ones are cut.
pub const MAX_QUERY_CHARS: usize = 200;

/// The search indexes for one knowledge base. Cheap to clone.
#[derive(Clone)]
pub struct Search {
    kb: &'static Knowledge,
    indexes: Arc<Indexes>,
}

struct Indexes {
    drugs: DrugIndex,
    ask: Option<AskIndex>,
}

/// The contract's name for a drug kind.
pub fn kind_str(k: DrugKind) -> &'static str {
    match k {
        DrugKind::Drug => "drug",
        DrugKind::Regimen => "regimen",
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
    /// Builds the indexes (once per process for the embedded knowledge base).
    pub fn build(kb: &'static Knowledge) -> Search {
        static EMBEDDED: OnceLock<Arc<Indexes>> = OnceLock::new();
        let make = || {
            let ask = match AskIndex::build(kb) {
                Ok(i) => Some(i),
                Err(e) => {
                    tracing::error!(error = %e, "search index did not build; using the simple fallback");
                    None
                }
            };
            Arc::new(Indexes { drugs: DrugIndex::new(kb), ask })
        };
        let indexes = if std::ptr::eq(kb, Knowledge::embedded()) { EMBEDDED.get_or_init(make).clone() } else { make() };
        Search { kb, indexes }
    }

    /// The knowledge base these indexes are of.
    pub fn kb(&self) -> &'static Knowledge {
        self.kb
    }

    /// Looks a drug or regimen up by name, brand, abbreviation or misspelling.
    pub fn drugs(&self, query: &str, limit: usize) -> DrugLookup {
        self.indexes.drugs.lookup(&clean_query(query), limit)
    }

    /// Searches all patient content for an answer.
    pub fn ask(&self, query: &str, limit: usize) -> AskResponse {
        let query = clean_query(query);
        match &self.indexes.ask {
            Some(index) => index.search(&query, limit),
            None => self.fallback_ask(&query, limit),
        }
    }

    fn fallback_ask(&self, query: &str, limit: usize) -> AskResponse {
        let query = query.to_string();
        let words: Vec<String> = fold(&query).split_whitespace().filter(|w| w.len() >= 3 && !STOP.contains(w)).map(String::from).collect();
        let mut hits: Vec<AskResult> = Vec::new();
        if !words.is_empty() {
            let kb = self.kb;
            let mut add = |title: &str, topic: &str, text: &str, url: String| {
                let t = fold(title);
                let b = fold(text);
                let score: f32 = words
                    .iter()
                    .map(|w| if t.contains(w.as_str()) { 3.0 } else { 0.0 } + if b.contains(w.as_str()) { 1.0 } else { 0.0 })
                    .sum();
                if score > 0.0 {
                    let snippet = snippet(text, 220);
                    let snippet_html = maud::html! { (snippet) }.into_string();
                    hits.push(AskResult { title: title.to_string(), topic: topic.to_string(), snippet, snippet_html, url, score });
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
        AskResponse { query, urgent: None, results: hits, note }
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
