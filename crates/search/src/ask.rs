//! Full-text search over all patient content (contract section 5).
//!
//! [`AskIndex::build`] puts every piece of patient content into an in-memory
//! tantivy index, once, at start-up: each treatment page section and each
//! treatment kind, every question and answer, glossary term, drug or regimen,
//! and support service is its own document. [`AskIndex::search`] then answers
//! a question typed in a patient's or carer's own words.
//!
//! How a question is answered:
//!
//! 1. **Words, not query syntax.** The question is cut to [`MAX_QUERY_CHARS`]
//!    and split into words by the same analyzer the index uses. Nothing is
//!    passed to tantivy's query parser, so quotes, brackets, `:`, `*`, `^`,
//!    `~`, `-` and emoji are just text.
//! 2. **Spelling.** The analyzer folds accents, lower-cases, turns American
//!    spellings into British ones ([`british`]: tumor, esophagus,
//!    embolization, hemorrhage, -ize, -emia, ...) and stems English words, both
//!    when indexing and when searching.
//! 3. **Synonyms and abbreviations.** [`SYNONYMS`] lists groups of words that
//!    mean the same to a reader (SIRT, radioembolisation, Y-90, radioactive
//!    beads; mets, secondaries, spread; op, surgery, resection; ...). A
//!    question that contains one phrase of a group also searches for the
//!    others, at a lower weight. [`ALSO_MEANS`] holds one-way expansions
//!    (`burning the tumour` also means ablation, not the other way round).
//! 4. **Typos.** A word that is not in the index's vocabulary is replaced by
//!    the closest vocabulary words with the same first letter: edit distance
//!    (Damerau) 1 for words of 4 to 7 letters, 2 for longer ones. The
//!    corrected words are searched at a lower weight. Doing this against our
//!    own vocabulary, rather than with tantivy's fuzzy query, lets the snippet
//!    highlight the corrected words and lets step 6 know what matched.
//! 5. **Scoring.** BM25 over four fields, boosted: title 3, keywords
//!    (aliases, brand names) 2.5, question 2, body 1. Results are sorted by
//!    score, then by URL, so the same question always gives the same order.
//! 6. **Out of scope.** If fewer than half the question's content words are
//!    known to our content (typo corrections count half), or only everyday
//!    words such as "best" or "today" are, the question is about something we
//!    do not cover: the answer has no results and a [`AskResponse::note`]
//!    that says so and points to the care team and a support line.
//!
//! Snippets come from tantivy's [`SnippetGenerator`] over the body text, with
//! the matched words marked: `snippet` is plain text and `snippet_html` is
//! HTML-escaped with `<mark>` around matches.
//!
//! This module does no I/O. It never panics on any question.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use hepatica_knowledge::Knowledge;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

/// Only this many characters of a question are read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 500;
/// Only this many words of a question are searched for.
const MAX_QUERY_WORDS: usize = 32;
/// At most this many results are returned, whatever the caller asks for.
pub const MAX_RESULTS: usize = 50;
/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 180;
/// Name under which the analyzer is registered with the index.
const ANALYZER: &str = "hepatica_en";

/// Field boosts: title > keywords > question > body > extra.
const BOOST_TITLE: f32 = 3.0;
const BOOST_KEYWORDS: f32 = 2.5;
const BOOST_QUESTION: f32 = 2.0;
const BOOST_BODY: f32 = 1.0;
const BOOST_EXTRA: f32 = 0.5;
/// Weight of a word that came from a synonym rather than from the question.
const WEIGHT_SYNONYM: f32 = 0.6;
/// Weight of a word that came from correcting a typo.
const WEIGHT_TYPO: f32 = 0.7;
/// Score factor for glossary entries. A definition is short and names its term
/// in the title, so on raw BM25 it outranks the page that explains the
/// treatment; the page links to the definition, so the page should come first.
const PRIOR_GLOSSARY: f32 = 0.5;
/// Share of a concept's other terms' scores added to its best term's score.
const CONCEPT_TIE_BREAKER: f32 = 0.1;
/// A term at least this rare (inverse document frequency across all content) gets full weight.
const RARE_IDF: f32 = 2.0;
/// Results scoring below this share of the best result are dropped.
const RELATIVE_FLOOR: f32 = 0.2;

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

/// The answer to one question (contract section 5, with extensions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskResponse {
    /// The question as asked.
    pub query: String,
    /// Best first; empty when nothing we hold answers the question.
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
    synonyms: Vec<Vec<Vec<String>>>,
    also_means: Vec<(Vec<String>, Vec<String>)>,
    out_of_scope_note: String,
}

impl std::fmt::Debug for AskIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AskIndex").field("documents", &self.docs.len()).field("vocabulary", &self.vocabulary.len()).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    title: Field,
    keywords: Field,
    question: Field,
    body: Field,
    extra: Field,
    ord: Field,
}

impl Fields {
    fn boosted(&self) -> [(Field, f32); 5] {
        [
            (self.title, BOOST_TITLE),
            (self.keywords, BOOST_KEYWORDS),
            (self.question, BOOST_QUESTION),
            (self.body, BOOST_BODY),
            (self.extra, BOOST_EXTRA),
        ]
    }
}

/// What a result shows, kept outside tantivy so results need no stored-field reads.
#[derive(Debug, Clone)]
struct DocMeta {
    title: String,
    topic: String,
    url: String,
    body: String,
    /// Score factor for this kind of content (see [`PRIOR_GLOSSARY`]).
    prior: f32,
}

/// One document before it is indexed.
struct Draft {
    meta: DocMeta,
    /// Indexed as title (the treatment title is added to its sections and kinds).
    title: String,
    keywords: String,
    question: String,
    extra: String,
}

impl AskIndex {
    /// Builds the index from every piece of patient content in `kb`.
    pub fn build(kb: &Knowledge) -> Result<AskIndex, AskError> {
        let drafts = drafts(kb);
        let analyzer = analyzer();

        let mut builder = Schema::builder();
        let indexed = TextOptions::default()
            .set_indexing_options(TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs));
        let fields = Fields {
            title: builder.add_text_field("title", indexed.clone()),
            keywords: builder.add_text_field("keywords", indexed.clone()),
            question: builder.add_text_field("question", indexed.clone()),
            body: builder.add_text_field("body", indexed.clone()),
            extra: builder.add_text_field("extra", indexed),
            ord: builder.add_u64_field("ord", FAST | STORED),
        };
        let index = Index::create_in_ram(builder.build());
        index.tokenizers().register(ANALYZER, analyzer.clone());

        let mut vocabulary: HashMap<String, u32> = HashMap::new();
        // Each word as written (folded, British) → its index term, for typo correction.
        let mut spelt: HashMap<String, String> = HashMap::new();
        let mut analyzer_for_vocab = analyzer.clone();
        let mut surface_for_vocab = surface_analyzer();
        // One thread and one commit give one segment; 15 MB is tantivy's minimum budget.
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        for (ord, d) in drafts.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.title, &d.title);
            doc.add_text(fields.keywords, &d.keywords);
            doc.add_text(fields.question, &d.question);
            doc.add_text(fields.body, &d.meta.body);
            doc.add_text(fields.extra, &d.extra);
            doc.add_u64(fields.ord, ord as u64);
            writer.add_document(doc)?;

            let mut seen = HashSet::new();
            for text in [&d.title, &d.keywords, &d.question, &d.meta.body, &d.extra] {
                let terms = analyze(&mut analyzer_for_vocab, text);
                let words = analyze(&mut surface_for_vocab, text);
                // The stemmer maps one token to one token, so the two lists line up.
                if terms.len() == words.len() {
                    for (word, term) in words.into_iter().zip(&terms) {
                        spelt.entry(word).or_insert_with(|| term.clone());
                    }
                }
                for term in terms {
                    if seen.insert(term.clone()) {
                        *vocabulary.entry(term).or_insert(0) += 1;
                    }
                }
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;

        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();

        let mut by_initial: HashMap<char, Vec<(String, String)>> = HashMap::new();
        let mut sorted: Vec<(String, String)> = spelt.into_iter().collect();
        sorted.sort();
        for (word, term) in sorted {
            if let Some(c) = word.chars().next() {
                by_initial.entry(c).or_default().push((word, term));
            }
        }

        let mut surface = surface_analyzer();
        let synonyms =
            SYNONYMS.iter().map(|group| group.iter().map(|p| analyze(&mut surface, p)).filter(|p| !p.is_empty()).collect()).collect();
        let also_means = ALSO_MEANS
            .iter()
            .map(|(from, to)| (analyze(&mut surface, from), analyze(&mut surface, to)))
            .filter(|(from, _)| !from.is_empty())
            .collect();

        Ok(AskIndex {
            fields,
            _reader: reader,
            searcher,
            analyzer,
            docs: drafts.into_iter().map(|d| d.meta).collect(),
            vocabulary,
            by_initial,
            synonyms,
            also_means,
            out_of_scope_note: out_of_scope_note(kb),
        })
    }

    /// Number of documents in the index.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index holds no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Answers `question` with at most `limit` results (capped at [`MAX_RESULTS`]), best first.
    ///
    /// Never fails and never panics: an empty or unanswerable question gives
    /// no results and a `note`.
    pub fn search(&self, question: &str, limit: usize) -> AskResponse {
        let limit = limit.min(MAX_RESULTS);
        let plan = self.plan(question);
        let respond = |results, note: Option<String>| AskResponse { query: question.to_string(), results, note };

        if plan.content_words == 0 {
            let note = if question.trim().is_empty() {
                "Type a question to search, for example: what is SIRT?".to_string()
            } else {
                "Please ask with a few more words, for example: what is SIRT, or can chemotherapy cure it?".to_string()
            };
            return respond(Vec::new(), Some(note));
        }
        let primary_liver = primary_liver_cancer(question);
        if primary_liver == PrimaryLiver::Named {
            return respond(Vec::new(), Some(PRIMARY_LIVER_NOTE.to_string()));
        }
        if !plan.in_scope() || plan.concepts.is_empty() {
            return respond(Vec::new(), Some(self.out_of_scope_note.clone()));
        }
        if limit == 0 {
            return respond(Vec::new(), None);
        }

        let hits = self.run(&plan);
        let results: Vec<AskResult> = hits.into_iter().take(limit).map(|(score, ord)| self.result(&plan, score, ord)).collect();
        if results.is_empty() {
            return respond(Vec::new(), Some(self.out_of_scope_note.clone()));
        }
        let note = (primary_liver == PrimaryLiver::Mentioned).then(|| PRIMARY_LIVER_NOTE.to_string());
        respond(results, note)
    }

    /// Turns a question into concepts, and judges whether it is in scope.
    fn plan(&self, question: &str) -> Plan {
        let text = truncate_chars(question, MAX_QUERY_CHARS);
        let mut surface = surface_analyzer();
        let mut words = analyze(&mut surface, text);
        words.truncate(MAX_QUERY_WORDS);
        let mut analyzer = self.analyzer.clone();
        let mut plan = Plan::default();

        // Words covered by a phrase of a synonym group or a one-way expansion.
        let mut covered = vec![false; words.len()];
        for group in &self.synonyms {
            let found: Vec<bool> = group.iter().map(|p| !find_phrase(&words, p).is_empty()).collect();
            if !found.contains(&true) {
                continue;
            }
            let c = plan.new_concept();
            for (phrase, &in_question) in group.iter().zip(&found) {
                if in_question {
                    for start in find_phrase(&words, phrase) {
                        covered[start..start + phrase.len()].iter_mut().for_each(|x| *x = true);
                    }
                }
                if let Some(terms) = self.phrase_terms(&mut analyzer, phrase) {
                    plan.add(c, terms, if in_question { 1.0 } else { WEIGHT_SYNONYM });
                }
            }
        }
        for (from, to) in &self.also_means {
            let starts = find_phrase(&words, from);
            if starts.is_empty() {
                continue;
            }
            for start in starts {
                covered[start..start + from.len()].iter_mut().for_each(|x| *x = true);
            }
            let c = plan.new_concept();
            if let Some(terms) = self.phrase_terms(&mut analyzer, from) {
                plan.add(c, terms, 1.0);
            }
            for word in to {
                if let Some(terms) = self.phrase_terms(&mut analyzer, std::slice::from_ref(word)) {
                    plan.add(c, terms, WEIGHT_SYNONYM);
                }
            }
        }

        // The question's own words.
        for (i, word) in words.iter().enumerate() {
            if STOP_WORDS.contains(&word.as_str()) {
                continue;
            }
            plan.content_words += 1;
            let generic = GENERIC_WORDS.contains(&word.as_str());
            if covered[i] {
                // A phrase from the synonym lists is about our subject even if its words are everyday ones.
                plan.matched += 1.0;
                plan.domain_words += 1;
                continue;
            }
            if let Some(terms) = self.phrase_terms(&mut analyzer, std::slice::from_ref(word)) {
                let c = plan.new_concept();
                plan.add(c, terms, 1.0);
                plan.matched += 1.0;
                if !generic {
                    plan.domain_words += 1;
                }
                continue;
            }
            let near = self.corrections(word);
            if !near.is_empty() {
                let c = plan.new_concept();
                for term in near {
                    plan.add(c, vec![term], WEIGHT_TYPO);
                }
                plan.matched += 0.5;
                if !generic {
                    plan.domain_words += 1;
                }
            }
        }
        plan.concepts.retain(|c| !c.is_empty());
        plan
    }

    /// The index terms of a phrase (stop words dropped), or `None` if our content lacks one of them.
    fn phrase_terms(&self, analyzer: &mut TextAnalyzer, phrase: &[String]) -> Option<Vec<String>> {
        let mut terms = Vec::new();
        for word in phrase {
            if STOP_WORDS.contains(&word.as_str()) {
                continue;
            }
            for stem in analyze(analyzer, word) {
                if !self.vocabulary.contains_key(&stem) {
                    return None;
                }
                terms.push(stem);
            }
        }
        (!terms.is_empty()).then_some(terms)
    }

    /// Index terms of the words our content uses that are within the allowed
    /// edit distance of `word` (same first letter), closest first.
    fn corrections(&self, word: &str) -> Vec<String> {
        let len = word.chars().count();
        // Words of four letters or fewer are too short to correct reliably ("leeds" is not "lead").
        let max = match len {
            0..=4 => return Vec::new(),
            5..=7 => 1,
            _ => 2,
        };
        let Some(first) = word.chars().next() else { return Vec::new() };
        let Some(candidates) = self.by_initial.get(&first) else { return Vec::new() };
        let mut best: Vec<(usize, &String)> = Vec::new();
        for (cand, term) in candidates {
            if cand.chars().count().abs_diff(len) > max {
                continue;
            }
            let d = strsim::damerau_levenshtein(word, cand);
            if d <= max {
                best.push((d, term));
            }
        }
        let Some(min) = best.iter().map(|(d, _)| *d).min() else { return Vec::new() };
        let mut near: Vec<&String> = best.into_iter().filter(|(d, _)| *d == min).map(|(_, t)| t).collect();
        near.sort();
        near.dedup();
        // Prefer the term our content uses most; then alphabetical, for a stable answer.
        near.sort_by(|a, b| self.vocabulary.get(*b).cmp(&self.vocabulary.get(*a)).then_with(|| a.cmp(b)));
        near.into_iter().take(2).cloned().collect()
    }

    /// Runs the planned query; returns `(score, ord)` sorted by score, then URL.
    fn run(&self, plan: &Plan) -> Vec<(f32, usize)> {
        // Each concept scores as its best term (plus a little for the others), so a
        // document that uses every synonym of one idea does not outrank one that
        // matches two different ideas of the question.
        let mut concepts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for concept in &plan.concepts {
            let mut phrases: Vec<Box<dyn Query>> = Vec::new();
            for (terms, weight) in concept {
                // A phrase of several words needs all of them (in any field).
                let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for term in terms {
                    let weight = weight * self.rarity(term);
                    let fields: Vec<(Occur, Box<dyn Query>)> = self
                        .fields
                        .boosted()
                        .into_iter()
                        .map(|(field, boost)| {
                            let q = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
                            (Occur::Should, Box::new(BoostQuery::new(Box::new(q), weight * boost)) as Box<dyn Query>)
                        })
                        .collect();
                    let occur = if terms.len() > 1 { Occur::Must } else { Occur::Should };
                    parts.push((occur, Box::new(BooleanQuery::new(fields))));
                }
                phrases.push(Box::new(BooleanQuery::new(parts)));
            }
            concepts.push((Occur::Should, Box::new(DisjunctionMaxQuery::with_tie_breaker(phrases, CONCEPT_TIE_BREAKER))));
        }
        let query = BooleanQuery::new(concepts);
        let all = (self.docs.len()).max(1);
        let Ok(top) = self.searcher.search(&query, &TopDocs::with_limit(all).order_by_score()) else {
            return Vec::new();
        };
        let mut hits: Vec<(f32, usize)> =
            top.into_iter().filter_map(|(score, addr)| self.ord(addr).map(|o| (score * self.docs[o].prior, o))).collect();
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| self.docs[a.1].url.cmp(&self.docs[b.1].url)));
        if let Some(best) = hits.first().map(|h| h.0) {
            hits.retain(|h| h.0 >= best * RELATIVE_FLOOR);
        }
        hits
    }

    /// How much a term says about a document, from its frequency across all content (0.15 to 1).
    ///
    /// BM25 weighs a term by how rare it is in each field, so "liver", in nearly
    /// every body but in few titles, would count as a strong title word. This
    /// factor, from the term's frequency across all fields, damps such words.
    fn rarity(&self, term: &str) -> f32 {
        let n = self.docs.len() as f32;
        let df = self.vocabulary.get(term).copied().unwrap_or(0) as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        (idf / RARE_IDF).clamp(0.15, 1.0)
    }

    fn ord(&self, addr: DocAddress) -> Option<usize> {
        let segment = self.searcher.segment_reader(addr.segment_ord);
        let column = segment.fast_fields().u64("ord").ok()?;
        let ord = column.first(addr.doc_id)? as usize;
        (ord < self.docs.len()).then_some(ord)
    }

    fn result(&self, plan: &Plan, score: f32, ord: usize) -> AskResult {
        let meta = &self.docs[ord];
        let terms = plan.terms();
        let generator = SnippetGenerator::new(terms, self.analyzer.clone(), self.fields.body, SNIPPET_CHARS);
        let mut snippet = generator.snippet(&meta.body);
        let (text, html) = if snippet.fragment().is_empty() {
            // No matched word in the body (the match was in the title or keywords): show its start.
            let start = lead(&meta.body, SNIPPET_CHARS);
            (start.clone(), escape_html(&start))
        } else {
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            (snippet.fragment().to_string(), snippet.to_html())
        };
        AskResult { title: meta.title.clone(), topic: meta.topic.clone(), snippet: text, url: meta.url.clone(), snippet_html: html, score }
    }
}

/// A question turned into concepts: each a set of weighted phrases (lists of
/// index terms) that mean one thing, of which a document needs only one.
#[derive(Debug, Default)]
struct Plan {
    /// Per concept: phrase → weight (the highest, if a phrase comes in more than one way).
    concepts: Vec<BTreeMap<Vec<String>, f32>>,
    /// Words of the question that are not stop words.
    content_words: usize,
    /// Of those, how many are known to our content (a typo correction counts half).
    matched: f32,
    /// Of those, how many are more than everyday words.
    domain_words: usize,
}

impl Plan {
    fn new_concept(&mut self) -> usize {
        self.concepts.push(BTreeMap::new());
        self.concepts.len() - 1
    }

    fn add(&mut self, concept: usize, terms: Vec<String>, weight: f32) {
        let w = self.concepts[concept].entry(terms).or_insert(0.0);
        if weight > *w {
            *w = weight;
        }
    }

    /// Every term of every concept, with its highest weight (for highlighting).
    fn terms(&self) -> BTreeMap<String, f32> {
        let mut all = BTreeMap::new();
        for (terms, &weight) in self.concepts.iter().flatten() {
            for term in terms {
                let w = all.entry(term.clone()).or_insert(0.0f32);
                *w = w.max(weight);
            }
        }
        all
    }

    /// In scope when at least half the content words are known and one of them is more than an everyday word.
    fn in_scope(&self) -> bool {
        self.content_words > 0 && self.domain_words > 0 && self.matched * 2.0 >= self.content_words as f32
    }
}

/// Starts of every occurrence of `phrase` in `words`.
fn find_phrase(words: &[String], phrase: &[String]) -> Vec<usize> {
    if phrase.is_empty() || phrase.len() > words.len() {
        return Vec::new();
    }
    (0..=words.len() - phrase.len()).filter(|&i| words[i..i + phrase.len()] == *phrase).collect()
}

/// The first `max` characters of `s`, cut at a character boundary.
fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The start of `text`, at most `max` characters, cut after a whole word.
fn lead(text: &str, max: usize) -> String {
    let cut = truncate_chars(text, max);
    if cut.len() == text.len() {
        return cut.to_string();
    }
    match cut.rfind(' ') {
        Some(i) if i > 0 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Collapses every run of whitespace to one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Said when a question is about cancer that started in the liver, which Hepatica does not cover.
const PRIMARY_LIVER_NOTE: &str = "Hepatica covers cancer that started somewhere else and spread to the liver. \
It does not cover cancer that started in the liver (primary liver cancer, such as hepatocellular carcinoma). \
Please ask your care team, or a support line such as the British Liver Trust.";

#[derive(Debug, PartialEq, Eq)]
enum PrimaryLiver {
    /// Not about primary liver cancer.
    No,
    /// Names a primary liver cancer type (HCC, cholangiocarcinoma): nothing here answers it.
    Named,
    /// Mentions primary liver cancer, perhaps to compare: answer, with the note.
    Mentioned,
}

fn primary_liver_cancer(question: &str) -> PrimaryLiver {
    let q = question.to_lowercase();
    let words: Vec<&str> = q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let named = ["hepatocellular", "hcc", "cholangiocarcinoma", "hepatoma", "hepatoblastoma"];
    if words.iter().any(|w| named.contains(w)) {
        return PrimaryLiver::Named;
    }
    if q.contains("primary liver cancer") || q.contains("started in the liver") || q.contains("started in my liver") {
        return PrimaryLiver::Mentioned;
    }
    PrimaryLiver::No
}

/// The note given with no results: what we cover, and where to ask instead.
fn out_of_scope_note(kb: &Knowledge) -> String {
    let base = "We could not find an answer to that. Hepatica only covers treatment for cancer that has spread to the liver.";
    let line = kb.support.iter().find(|s| s.region.eq_ignore_ascii_case("UK")).or_else(|| kb.support.first());
    match line {
        Some(s) => {
            let how = one_line(&s.how);
            let end = if how.ends_with(['.', '!', '?']) { "" } else { "." };
            format!("{base} Please ask your care team, or a support line such as the {}. {how}{end}", s.name)
        }
        None => format!("{base} Please ask your care team, or a cancer support line."),
    }
}

/// Every piece of patient content as a document draft, in a stable order.
fn drafts(kb: &Knowledge) -> Vec<Draft> {
    let mut out = Vec::new();
    for t in &kb.treatments {
        let page_extra = one_line(&format!("{} {}", t.summary, t.questions.join(" ")));
        for (i, s) in t.sections.iter().enumerate() {
            out.push(Draft {
                meta: DocMeta {
                    title: format!("{}: {}", t.title, s.heading),
                    topic: t.id.clone(),
                    url: format!("/treatments/{}#{}", t.id, s.id),
                    body: one_line(&s.text),
                    prior: 1.0,
                },
                title: format!("{} {}", t.title, s.heading),
                keywords: String::new(),
                question: String::new(),
                // The page summary and its questions to ask belong to the page; index them once, with its first section.
                extra: if i == 0 { page_extra.clone() } else { String::new() },
            });
        }
        for k in &t.kinds {
            out.push(Draft {
                meta: DocMeta {
                    title: format!("{}: {}", t.title, k.title),
                    topic: t.id.clone(),
                    url: format!("/treatments/{}#kind-{}", t.id, k.id),
                    body: one_line(&k.text),
                    prior: 1.0,
                },
                title: format!("{} {}", t.title, k.title),
                keywords: k.id.replace('_', " "),
                question: String::new(),
                extra: String::new(),
            });
        }
    }
    for q in &kb.faqs {
        out.push(Draft {
            meta: DocMeta {
                title: one_line(&q.question),
                topic: q.topic.clone(),
                url: format!("/questions#{}", q.id),
                body: one_line(&q.answer),
                prior: 1.0,
            },
            title: String::new(),
            keywords: String::new(),
            question: q.question.clone(),
            extra: String::new(),
        });
    }
    for g in &kb.glossary {
        out.push(Draft {
            meta: DocMeta {
                title: g.term.clone(),
                topic: "general".to_string(),
                url: format!("/glossary#{}", g.id),
                body: one_line(&g.definition),
                prior: PRIOR_GLOSSARY,
            },
            title: g.term.clone(),
            keywords: g.aliases.join(" "),
            question: String::new(),
            extra: String::new(),
        });
    }
    for d in &kb.drugs {
        let class = serde_json::to_value(d.class).ok().and_then(|v| v.as_str().map(|s| s.replace('_', " "))).unwrap_or_default();
        let mut keywords = d.brand_names.clone();
        keywords.extend(d.aliases.iter().cloned());
        keywords.push(d.id.replace('-', " "));
        out.push(Draft {
            meta: DocMeta {
                title: d.name.clone(),
                topic: "drugs".to_string(),
                url: format!("/drugs/{}", d.id),
                body: one_line(&d.description),
                prior: 1.0,
            },
            title: d.name.clone(),
            keywords: keywords.join(" "),
            question: String::new(),
            extra: format!("{class} {} {} {}", d.given_as.join(" "), d.used_for.join(" ").replace('_', " "), d.components.join(" ")),
        });
    }
    for s in &kb.support {
        out.push(Draft {
            meta: DocMeta {
                title: s.name.clone(),
                topic: "support".to_string(),
                url: format!("/support#{}", s.id),
                body: one_line(&s.how),
                prior: 1.0,
            },
            title: s.name.clone(),
            keywords: "support".to_string(),
            question: String::new(),
            extra: s.url.clone().unwrap_or_default(),
        });
    }
    out
}

/// Runs `analyzer` over `text` and returns the token texts.
fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The index analyzer: words, folded, lower case, British spelling, English stems.
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(BritishSpelling)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The same without stemming: the words a reader typed, for matching synonym phrases.
fn surface_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(BritishSpelling)
        .build()
}

/// British spelling of a lower-case word: `tumor` → `tumour`, `embolization` →
/// `embolisation`, `esophagus` → `oesophagus`, `hemorrhage` → `haemorrhage`,
/// `anemia` → `anaemia`, `diarrhea` → `diarrhoea`. Other words are returned as they are.
pub fn british(word: &str) -> Cow<'_, str> {
    if let Some(&(_, uk)) = WORDS_US_UK.iter().find(|(us, _)| *us == word) {
        return Cow::Borrowed(uk);
    }
    for (us, uk) in PREFIXES_US_UK {
        if let Some(rest) = word.strip_prefix(us) {
            return Cow::Owned(format!("{uk}{rest}"));
        }
    }
    // -emia → -aemia (anemia, leukemia, septicemia); not "academia", not already -aemia.
    for (us, uk) in [("emia", "aemia"), ("emias", "aemias")] {
        if let Some(stem) = word.strip_suffix(us)
            && stem.len() >= 2
            && !stem.ends_with('a')
            && !stem.ends_with('d')
        {
            return Cow::Owned(format!("{stem}{uk}"));
        }
    }
    // -emic only for the blood words ("systemic" and "epidemic" stay as they are).
    for us in ["anemic", "leukemic", "glycemic", "ischemic", "uremic", "septicemic", "toxemic"] {
        if let Some(stem) = word.strip_suffix(us) {
            let uk = us.replacen("emic", "aemic", 1);
            return Cow::Owned(format!("{stem}{uk}"));
        }
    }
    if let Some(stem) = word.strip_suffix("rrhea") {
        return Cow::Owned(format!("{stem}rrhoea"));
    }
    // -ize, -ization, -yze families → -ise, -isation, -yse (not "size", "seize", "prize").
    if word.len() > 6 && !IZE_EXCEPTIONS.iter().any(|e| word.ends_with(e)) {
        for (us, uk) in [
            ("izations", "isations"),
            ("ization", "isation"),
            ("izing", "ising"),
            ("izers", "isers"),
            ("izer", "iser"),
            ("ized", "ised"),
            ("izes", "ises"),
            ("ize", "ise"),
            ("yzed", "ysed"),
            ("yzes", "yses"),
            ("yzing", "ysing"),
            ("yze", "yse"),
        ] {
            if let Some(stem) = word.strip_suffix(us) {
                return Cow::Owned(format!("{stem}{uk}"));
            }
        }
    }
    Cow::Borrowed(word)
}

/// Whole words whose British spelling is not found by a rule.
const WORDS_US_UK: &[(&str, &str)] = &[
    ("tumor", "tumour"),
    ("tumors", "tumours"),
    ("tumorous", "tumourous"),
    ("color", "colour"),
    ("colors", "colours"),
    ("labor", "labour"),
    ("behavior", "behaviour"),
    ("favor", "favour"),
    ("flavor", "flavour"),
    ("humor", "humour"),
    ("center", "centre"),
    ("centers", "centres"),
    ("liter", "litre"),
    ("liters", "litres"),
    ("fiber", "fibre"),
    ("gray", "grey"),
    ("edema", "oedema"),
    ("fetus", "foetus"),
    ("program", "programme"),
    ("counseling", "counselling"),
    ("traveling", "travelling"),
    ("traveler", "traveller"),
    ("canceled", "cancelled"),
    ("catheterization", "catheterisation"),
    ("mold", "mould"),
    ("aluminum", "aluminium"),
    ("ameba", "amoeba"),
];

/// Word starts whose British spelling differs (hem- only before -at, -o and -orr: not "hemisphere").
const PREFIXES_US_UK: &[(&str, &str)] = &[
    ("esophag", "oesophag"),
    ("estrog", "oestrog"),
    ("estradiol", "oestradiol"),
    ("hemat", "haemat"),
    ("hemo", "haemo"),
    ("hemorr", "haemorr"),
    ("gynec", "gynaec"),
    ("pediatr", "paediatr"),
    ("orthoped", "orthopaed"),
    ("anesthe", "anaesthe"),
    ("celiac", "coeliac"),
];

/// Words ending like -ize that are spelt the same on both sides of the Atlantic.
const IZE_EXCEPTIONS: &[&str] = &["size", "sized", "sizes", "seize", "seized", "seizes", "prize", "prized", "prizes", "capsize"];

/// Token filter that applies [`british`] to every token.
#[derive(Clone)]
struct BritishSpelling;

impl TokenFilter for BritishSpelling {
    type Tokenizer<T: Tokenizer> = BritishSpellingFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> BritishSpellingFilter<T> {
        BritishSpellingFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
struct BritishSpellingFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for BritishSpellingFilter<T> {
    type TokenStream<'a> = BritishSpellingStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        BritishSpellingStream { tail: self.inner.token_stream(text) }
    }
}

struct BritishSpellingStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for BritishSpellingStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let uk = british(&token.text);
        if uk != token.text.as_str() {
            token.text = uk.into_owned();
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Words that say nothing about what is asked.
const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "anyone", "anything", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could",
    "did", "do", "does", "doing", "for", "from", "had", "has", "have", "having", "he", "her", "hers", "him", "his", "how", "i", "i'm",
    "if", "im", "in", "into", "is", "it", "its", "just", "me", "mine", "my", "myself", "of", "on", "or", "our", "ours", "please", "she",
    "should", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "us",
    "very", "was", "we", "were", "what", "whats", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours", "s", "t", "don", "doesn", "isn", "ve", "ll", "d", "m", "re", "got", "get", "gets", "getting", "tell", "know", "want",
    "thanks", "thank", "hi", "hello",
];

/// Everyday words that our content uses but that do not show a question is about cancer care.
const GENERIC_WORDS: &[&str] = &[
    "best",
    "good",
    "better",
    "bad",
    "worse",
    "cheap",
    "cheapest",
    "free",
    "new",
    "old",
    "today",
    "tomorrow",
    "yesterday",
    "now",
    "time",
    "times",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "way",
    "ways",
    "thing",
    "things",
    "people",
    "person",
    "make",
    "find",
    "need",
    "use",
    "used",
    "number",
    "long",
    "take",
    "go",
    "going",
    "come",
    "back",
    "see",
    "look",
    "say",
    "said",
    "help",
    "more",
    "most",
    "less",
    "much",
    "many",
    "one",
    "two",
    "first",
    "next",
    "last",
    "near",
    "far",
    "big",
    "small",
    "place",
    "places",
    "home",
    "open",
    "close",
    "buy",
    "sell",
    "price",
    "pay",
    "fix",
    "work",
    "works",
    "working",
    "live",
    "life",
    "food",
    "eat",
    "drink",
    "score",
    "scores",
    "team",
    "teams",
    "start",
    "stop",
    "keep",
    "after",
    "before",
    "not",
    "no",
    "yes",
    "all",
    "other",
    "same",
];

/// Groups of words and phrases a reader may use for the same thing. A question
/// containing any phrase of a group is also searched for the others.
const SYNONYMS: &[&[&str]] = &[
    &[
        "sirt",
        "selective internal radiation therapy",
        "radioembolisation",
        "radioembolization",
        "y 90",
        "y90",
        "yttrium",
        "radioactive beads",
        "microspheres",
        "sir spheres",
    ],
    &["tace", "chemoembolisation", "chemoembolization", "transarterial chemoembolisation", "debiri"],
    &["embolisation", "embolization", "embolise", "block the blood supply", "blocking the blood supply", "blood supply"],
    &["sabr", "sbrt", "stereotactic", "cyberknife", "stereotactic ablative radiotherapy"],
    &["rfa", "radiofrequency", "radio frequency"],
    &["mwa", "microwave"],
    &["ire", "irreversible electroporation", "electroporation", "nanoknife"],
    &["cryotherapy", "cryoablation", "freezing", "freeze"],
    &["mets", "metastases", "metastasis", "metastatic", "secondaries", "secondary", "spread", "spreading"],
    &["bowel", "colorectal", "colon", "rectal", "rectum", "crc"],
    &["op", "ops", "operation", "operate", "surgery", "surgical", "resection", "hepatectomy", "resect"],
    &["chemo", "chemotherapy"],
    &["immuno", "immunotherapy", "checkpoint inhibitor", "checkpoint inhibitors", "immune therapy", "immune treatment"],
    &["mdt", "multidisciplinary team", "multi disciplinary team", "tumour board"],
    &["net", "nets", "neuroendocrine", "carcinoid"],
    &["hormone", "hormones", "hormonal", "endocrine therapy", "anti hormone"],
    &["targeted", "targetted", "biological therapy", "biologic", "biologics"],
    &["palliative", "supportive", "symptom control", "comfort care"],
    &["jaundice", "yellow skin", "yellow eyes", "yellowing", "jaundiced"],
    &["ascites", "fluid in tummy", "fluid in my tummy", "swollen tummy", "swollen belly", "fluid build up"],
    &["tummy", "belly", "abdomen", "abdominal"],
    &["tired", "tiredness", "fatigue", "exhausted", "exhaustion", "no energy"],
    &["sick", "nausea", "nauseous", "vomiting", "vomit", "throwing up"],
    &["pain", "ache", "aching", "painful", "hurts"],
    &["cure", "curable", "cured", "curative", "cureable"],
    &["trial", "trials", "clinical trial", "clinical trials", "study", "studies", "research"],
    &["second opinion", "another opinion", "another doctor"],
    &["scan", "scans", "ct", "mri", "pet", "ultrasound", "imaging"],
    &["biomarker", "biomarkers", "gene test", "genetic test", "genetic testing", "mutation", "mutations", "molecular", "genomic"],
    &["kras", "ras", "nras"],
    &["msi", "msi high", "dmmr", "mismatch repair", "microsatellite"],
    &["carer", "carers", "caregiver", "caregivers", "caring", "looking after", "care giver"],
    &["money", "financial", "finance", "finances", "benefits", "grant", "grants", "costs"],
    &["worried", "anxious", "anxiety", "scared", "frightened", "afraid", "fear", "depressed", "low mood", "feelings", "worry"],
    &["helpline", "help line", "support line", "phone line", "phone number"],
    &["forum", "online community", "chat online", "talk to others"],
    &["holiday", "holidays", "vacation", "abroad", "trip"],
    &["work", "working", "job", "employer", "employment"],
    &["diet", "eat", "eating", "food", "nutrition", "appetite"],
    &["alcohol", "drink", "drinking", "wine", "beer"],
    &["transplant", "new liver", "liver transplant"],
    &["lutetium", "lu 177", "lu177", "prrt", "dotatate"],
    &["side effects", "side affects", "side effect", "side affect"],
    &["radiotherapy", "radiation", "radiation therapy", "xrt", "rays"],
    &["portal vein embolisation", "pve"],
    &["oligometastatic", "oligometastases", "oligometastasis"],
    &["hospice", "end of life"],
    &["steroid", "steroids", "dexamethasone"],
    &["prognosis", "life expectancy", "survival", "how long will i live"],
];

/// One-way expansions: a reader's phrase that also means the words on the right.
const ALSO_MEANS: &[(&str, &str)] = &[
    ("burn", "ablation heat"),
    ("burning", "ablation heat"),
    ("heat needle", "ablation"),
    ("cut out", "surgery remove"),
    ("remove the tumour", "surgery"),
    ("how long have i got", "live"),
    ("how long do i have", "live"),
    ("how long have i left", "live"),
    ("life expectancy", "live"),
    ("hepatic", "liver"),
    ("lesion", "tumour"),
    ("lesions", "tumours"),
    ("lump", "tumour"),
    ("lumps", "tumours"),
    ("yellow", "jaundice"),
    ("itch", "itching jaundice"),
    ("itchy", "itching jaundice"),
    ("itching", "jaundice"),
    ("swollen", "swelling"),
    ("dying", "palliative hospice"),
    ("die", "palliative hospice"),
    ("terminal", "palliative hospice"),
    ("anti egfr", "cetuximab panitumumab"),
    ("gene", "biomarker"),
    ("genes", "biomarker"),
    ("dna", "biomarker"),
    ("tablets", "tablet"),
    ("drip", "infusion"),
    ("talk to", "support"),
    ("someone to talk", "support"),
    ("macmillan", "support line"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn primary_liver_cancer_is_named_as_out_of_scope() {
        assert_eq!(super::primary_liver_cancer("hepatocellular carcinoma treatment"), super::PrimaryLiver::Named);
        assert_eq!(super::primary_liver_cancer("What is HCC?"), super::PrimaryLiver::Named);
        assert_eq!(super::primary_liver_cancer("is this the same as primary liver cancer"), super::PrimaryLiver::Mentioned);
        assert_eq!(super::primary_liver_cancer("what is SIRT"), super::PrimaryLiver::No);
        assert_eq!(super::primary_liver_cancer("lymph nodes in the chest"), super::PrimaryLiver::No, "no false match inside words");
    }

    use super::*;

    #[test]
    fn british_spellings() {
        assert_eq!(british("tumor"), "tumour");
        assert_eq!(british("embolization"), "embolisation");
        assert_eq!(british("radioembolization"), "radioembolisation");
        assert_eq!(british("chemoembolization"), "chemoembolisation");
        assert_eq!(british("esophagus"), "oesophagus");
        assert_eq!(british("esophageal"), "oesophageal");
        assert_eq!(british("hemorrhage"), "haemorrhage");
        assert_eq!(british("hematology"), "haematology");
        assert_eq!(british("anemia"), "anaemia");
        assert_eq!(british("anaemia"), "anaemia");
        assert_eq!(british("leukemia"), "leukaemia");
        assert_eq!(british("diarrhea"), "diarrhoea");
        assert_eq!(british("minimize"), "minimise");
        assert_eq!(british("metabolized"), "metabolised");
        assert_eq!(british("analyze"), "analyse");
        assert_eq!(british("ischemic"), "ischaemic");
        assert_eq!(british("systemic"), "systemic");
        assert_eq!(british("academia"), "academia");
        // Left alone.
        assert_eq!(british("size"), "size");
        assert_eq!(british("hemisphere"), "hemisphere");
        assert_eq!(british("oesophagus"), "oesophagus");
        assert_eq!(british("tumour"), "tumour");
        assert_eq!(british("doctor"), "doctor");
    }

    #[test]
    fn analyzer_folds_spelling_and_stems() {
        let mut a = analyzer();
        assert_eq!(analyze(&mut a, "Tumors"), analyze(&mut a, "tumours"));
        assert_eq!(analyze(&mut a, "Embolization"), analyze(&mut a, "embolisation"));
        assert_eq!(analyze(&mut a, "Œsophagus"), analyze(&mut a, "oesophagus"));
    }

    #[test]
    fn phrases_are_found() {
        let w: Vec<String> = ["what", "is", "y", "90"].iter().map(|s| s.to_string()).collect();
        let p: Vec<String> = ["y", "90"].iter().map(|s| s.to_string()).collect();
        assert_eq!(find_phrase(&w, &p), vec![2]);
        assert!(find_phrase(&w, &[]).is_empty());
        assert!(find_phrase(&p, &w).is_empty());
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("🙂🙂🙂", 1), "🙂");
        assert_eq!(lead("one two three", 7), "one…");
        assert_eq!(escape_html("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
