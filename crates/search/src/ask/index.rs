//! The index: every piece of patient content as a tantivy document, and the
//! scored query over it.
//!
//! Each treatment page section and treatment kind, question and answer,
//! glossary term, drug or regimen and support service is its own document.
//! Fields and their boosts: title 3, keywords (aliases, brand names) 2.5,
//! question 2, body 1, extra 0.5. A term's weight is also damped by how common
//! it is across all content ([`AskIndex::rarity`]), so a word in nearly every
//! document cannot decide the ranking however it is boosted. Results are
//! sorted by score, then by URL, so the same question always gives the same
//! order.
//!
//! A glossary entry carries the topic of the treatment it belongs to (its
//! `topic`, else `general`), and scores at 0.4 of its weight: a definition is short
//! and names its term in the title, so on raw BM25 it would outrank the page
//! that explains the treatment, which links to it anyway.

use std::collections::{HashMap, HashSet};

use hepatica_knowledge::Knowledge;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::{DocAddress, Index, ReloadPolicy, TantivyDocument, Term};

use super::lexicon::{Lexicon, analyze};
use super::query::Plan;
use super::scope::out_of_scope_note;
use super::snippets::one_line;
use super::urgent::RedFlags;
use super::{AskError, AskIndex};

/// Name under which the analyzer is registered with the index.
const ANALYZER: &str = "hepatica_en";

/// Field boosts: title > keywords > question > body > extra.
const BOOST_TITLE: f32 = 3.0;
const BOOST_KEYWORDS: f32 = 2.5;
const BOOST_QUESTION: f32 = 2.0;
const BOOST_BODY: f32 = 1.0;
const BOOST_EXTRA: f32 = 0.5;
/// Score factor for glossary entries (see the module doc).
const PRIOR_GLOSSARY: f32 = 0.4;
/// Share of a concept's other terms' scores added to its best term's score.
const CONCEPT_TIE_BREAKER: f32 = 0.1;
/// A term at least this rare (inverse document frequency across all content) gets full weight.
const RARE_IDF: f32 = 2.0;
/// Results scoring below this share of the best result are dropped.
const RELATIVE_FLOOR: f32 = 0.2;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) title: Field,
    keywords: Field,
    question: Field,
    pub(crate) body: Field,
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
pub(crate) struct DocMeta {
    pub(crate) title: String,
    pub(crate) topic: String,
    pub(crate) url: String,
    pub(crate) body: String,
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
        let lexicon = Lexicon::new(kb);
        let analyzer = lexicon.analyzer();

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
        let mut surface_for_vocab = lexicon.surface();
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
        let red_flags = RedFlags::new(kb, &lexicon);
        let urgent_fallback = drafts.iter().position(|d| d.meta.url == super::URGENT_FAQ_URL);

        Ok(AskIndex {
            fields,
            _reader: reader,
            searcher,
            analyzer,
            docs: drafts.into_iter().map(|d| d.meta).collect(),
            vocabulary,
            by_initial,
            lexicon,
            red_flags,
            urgent_fallback,
            out_of_scope_note: out_of_scope_note(kb),
        })
    }

    /// Runs the planned query; returns `(score, ord)` sorted by score, then URL.
    pub(crate) fn run(&self, plan: &Plan) -> Vec<(f32, usize)> {
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
                // "Chemotherapy: Conversion chemotherapy" names its treatment once, not twice,
                // so the treatment's name does not outweigh the rest of a question.
                title: if k.title.to_lowercase().contains(&t.title.to_lowercase()) {
                    k.title.clone()
                } else {
                    format!("{} {}", t.title, k.title)
                },
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
                topic: g.topic().to_string(),
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
        let class = d.class.as_str().replace('_', " ");
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
            extra: format!(
                "{class} {} {} {} {}",
                d.given_as.join(" "),
                d.used_for.join(" ").replace('_', " "),
                d.components.join(" "),
                d.side_effects.join(" ")
            ),
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
