//! Full-text search over all patient content (contract sections 5 and 8.3).
//!
//! [`AskIndex::build`] puts every piece of patient content into an in-memory
//! tantivy index once, at start-up. [`AskIndex::search`] then answers a
//! question typed in a patient's or carer's own words. The work is split along
//! its seams:
//!
//! - [`index`](self::index): the documents, fields, boosts and the scored query.
//! - [`lexicon`](self::lexicon): the lay lexicon from `content/lexicon.toml`
//!   (abbreviations, forum words, British and American spellings, UK services)
//!   and the analyzers.
//! - [`query`](self::query): query understanding; phrases before words, weak
//!   words, typo correction.
//! - [`scope`](self::scope): whether a question is about what we cover, and
//!   the notes when it is not. No silent failures: a question gets results
//!   whenever any part of it matches our content in a way that shows it is
//!   about cancer care.
//! - [`snippets`](self::snippets): the extract under each result.
//! - [`urgent`](self::urgent): same-day red flags from `content/urgent.toml`;
//!   a question that describes one gets the contract's `urgent` object, and
//!   always results too, the answer about when and whom to call first.
//!
//! This module does no I/O. It never panics on any question.

mod index;
mod lexicon;
mod query;
mod scope;
mod snippets;
mod urgent;

use std::collections::HashMap;

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexReader, Searcher};

use self::index::{DocMeta, Fields};
use self::scope::{PRIMARY_LIVER_NOTE, PrimaryLiver, primary_liver_cancer};
pub use self::urgent::Urgent;

/// Only this many characters of a question are read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 500;
/// At most this many results are returned, whatever the caller asks for.
pub const MAX_RESULTS: usize = 50;
/// The answer that says when and whom to call; always the first result of an urgent question.
const URGENT_FAQ_URL: &str = "/questions#when-to-call-the-24-hour-line";

/// A failure to build the search index.
///
/// Building only fails if tantivy itself fails (for example, it cannot get
/// memory for the index writer). Searching never fails.
#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// tantivy could not create, fill or open the in-memory index.
    #[error("the search index could not be built: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// One search result (contract section 5, with extensions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskResult {
    /// Heading of the matched content (a section heading, a question, a term, a drug name).
    pub title: String,
    /// A treatment id, or `general`, `support` or `drugs`.
    pub topic: String,
    /// Plain-text extract of the matched content.
    pub snippet: String,
    /// Where the content is in the web app, e.g. `/treatments/ablation#what-it-is`.
    pub url: String,
    /// Extension: the snippet as HTML, escaped, with `<mark>` around the matched words.
    pub snippet_html: String,
    /// Extension: relevance score (higher is better; only comparable within one response).
    pub score: f32,
}

/// The answer to one question (contract sections 5 and 8.3, with extensions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskResponse {
    /// The question as asked.
    pub query: String,
    /// Contract 8.3: present only when the question describes symptoms that
    /// need help the same day. It never replaces `results`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgent: Option<Urgent>,
    /// Best first; empty only when nothing we hold answers the question.
    pub results: Vec<AskResult>,
    /// Extension: a plain-English note, e.g. when the question is outside what we cover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The search index over all patient content. Built once; `Send + Sync`.
pub struct AskIndex {
    fields: Fields,
    /// Kept with the searcher it made, so the index outlives every query.
    _reader: IndexReader,
    searcher: Searcher,
    analyzer: TextAnalyzer,
    /// Display data of each document, by the `ord` stored with it.
    docs: Vec<DocMeta>,
    /// Every indexed term (analyzed: folded, British, stemmed) with its document frequency.
    vocabulary: HashMap<String, u32>,
    /// Words as our content spells them, with their index terms, grouped by first character (typo correction).
    by_initial: HashMap<char, Vec<(String, String)>>,
    lexicon: lexicon::Lexicon,
    red_flags: urgent::RedFlags,
    /// The document of [`URGENT_FAQ_URL`], if the content has it.
    urgent_fallback: Option<usize>,
    out_of_scope_note: String,
}

impl std::fmt::Debug for AskIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AskIndex").field("documents", &self.docs.len()).field("vocabulary", &self.vocabulary.len()).finish_non_exhaustive()
    }
}

impl AskIndex {
    /// Number of documents in the index.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index holds no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The ids of the red flags `question` describes (see [`urgent`](self::urgent)).
    pub fn red_flags(&self, question: &str) -> Vec<&str> {
        self.red_flags.matches(snippets::truncate_chars(question, MAX_QUERY_CHARS))
    }

    /// Answers `question` with at most `limit` results (capped at [`MAX_RESULTS`]), best first.
    ///
    /// Never fails and never panics: an empty or unanswerable question gives
    /// no results and a `note`. A question that describes a red flag always
    /// gets `urgent` and at least one result.
    pub fn search(&self, question: &str, limit: usize) -> AskResponse {
        let limit = limit.min(MAX_RESULTS);
        let text = snippets::truncate_chars(question, MAX_QUERY_CHARS);
        let urgent = self.red_flags.urgent(text);
        let plan = self.plan(question);
        let respond = |results, note: Option<String>| AskResponse { query: question.to_string(), urgent: urgent.clone(), results, note };

        let primary_liver = primary_liver_cancer(question);
        if urgent.is_none() {
            if plan.scope.content_words == 0 {
                let note = if question.trim().is_empty() {
                    "Type a question to search, for example: what is SIRT?".to_string()
                } else {
                    "Please ask with a few more words, for example: what is SIRT, or can chemotherapy cure it?".to_string()
                };
                return respond(Vec::new(), Some(note));
            }
            if primary_liver == PrimaryLiver::Named {
                return respond(Vec::new(), Some(PRIMARY_LIVER_NOTE.to_string()));
            }
            if !plan.scope.in_scope() || plan.concepts.is_empty() {
                return respond(Vec::new(), Some(self.out_of_scope_note.clone()));
            }
        }
        if limit == 0 {
            return respond(Vec::new(), None);
        }

        let mut hits = if plan.concepts.is_empty() { Vec::new() } else { self.run(&plan) };
        if urgent.is_some()
            && let Some(fallback) = self.urgent_fallback
        {
            // Who to call now comes first in every urgent question: it is what
            // the person needs most, whatever else matched. Scored just above
            // the best hit so the order stays by score.
            hits.retain(|(_, o)| *o != fallback);
            let top = hits.first().map_or(1.0, |h| h.0);
            hits.insert(0, (top * 1.01 + f32::EPSILON, fallback));
        }
        let results: Vec<AskResult> = hits.into_iter().take(limit).map(|(score, ord)| self.result(&plan, score, ord)).collect();
        if results.is_empty() {
            return respond(Vec::new(), Some(self.out_of_scope_note.clone()));
        }
        let note = (primary_liver != PrimaryLiver::No).then(|| PRIMARY_LIVER_NOTE.to_string());
        respond(results, note)
    }

    fn result(&self, plan: &query::Plan, score: f32, ord: usize) -> AskResult {
        let meta = &self.docs[ord];
        let (snippet, snippet_html) = snippets::snippet(plan.terms(), self.analyzer.clone(), self.fields.body, &meta.body);
        AskResult { title: meta.title.clone(), topic: meta.topic.clone(), snippet, url: meta.url.clone(), snippet_html, score }
    }
}
