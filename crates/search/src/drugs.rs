//! Drug and regimen look-up by name (contract section 4).
//!
//! [`DrugIndex`] is built once from the knowledge base's drug catalogue and is
//! then read-only (`Send + Sync`). [`DrugIndex::lookup`] finds entries by
//! generic name, brand name, abbreviation, regimen name or misspelling:
//!
//! 1. The query is folded: accents removed (Unicode NFKD), lower case, every
//!    run of punctuation or spaces becomes one space. `5-FU`, `5 FU` and `5fu`
//!    are the same query, and so are `Xéloda` and `xeloda`.
//! 2. Each name of each entry (generic name, id, brand names, aliases) is a
//!    key. A key matches exactly, as a prefix, word by word, or fuzzily. Fuzzy
//!    means a close edit distance (Damerau-Levenshtein), shared letter pairs
//!    (Sørensen-Dice) or the same Double Metaphone sound code, all from crates.
//! 3. An entry's score is its best key's score. A regimen that matches also
//!    brings in its components, ranked below it; a drug that matches brings in
//!    the regimens that contain it, ranked below it.
//! 4. Ties are broken by id, so the same query always gives the same order.
//!
//! When the best match was found by tolerance (a typo, a sound-alike, a
//! prefix) rather than by a name exactly, it is uncertain and
//! [`DrugLookup::did_you_mean`] names it; when nothing matched but a name came
//! close, `matches` is empty and `did_you_mean` names the near miss. A query that is not a drug name ("hello", "liver", "surgery",
//! emoji, empty) matches nothing. This module does no I/O.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use hepatica_knowledge::{Drug, DrugKind, Knowledge};
use rphonetic::{DoubleMetaphone, Encoder};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The longest folded query that is matched as a whole; longer ones are matched word by word.
const MAX_WHOLE_QUERY: usize = 64;
/// At most this many words of a query are looked at.
const MAX_WORDS: usize = 8;
/// Words longer than this are not drug names; they are skipped (and keep look-ups fast).
const MAX_WORD: usize = 40;
/// Fuzzy similarity below this is not a match.
const MATCH_THRESHOLD: f64 = 0.80;
/// A near miss at or above this (but below [`MATCH_THRESHOLD`]) is offered as "did you mean".
const SUGGEST_THRESHOLD: f64 = 0.75;
/// Score factor for a regimen's component brought in by the regimen.
const COMPONENT_FACTOR: f64 = 0.60;
/// Score factor for a regimen brought in by one of its components.
const CONTAINING_FACTOR: f64 = 0.50;

/// Words that say nothing about which drug is meant.
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "the",
    "with",
    "plus",
    "of",
    "for",
    "drug",
    "drugs",
    "medicine",
    "tablet",
    "tablets",
    "capsule",
    "capsules",
    "injection",
    "injections",
    "infusion",
    "drip",
    "mg",
    "regimen",
    "chemo",
    "chemotherapy",
    "what",
    "is",
    "about",
    "on",
    "my",
];

/// The drug and regimen look-up, built once from a knowledge base.
#[derive(Debug)]
pub struct DrugIndex {
    entries: Vec<Entry>,
    keys: Vec<Key>,
    /// Regimen entry indexes that list each drug id as a component.
    containing: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, usize>,
    /// Every key's compact form, to tell at once whether a query names something exactly.
    exact: HashSet<String>,
}

/// One catalogue entry, ready to be returned.
#[derive(Debug, Clone)]
struct Entry {
    m: DrugMatch,
}

/// Which field a key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Id,
    Brand,
    Alias,
}

impl Field {
    fn label(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Id => "id",
            Field::Brand => "brand",
            Field::Alias => "alias",
        }
    }

    /// Exact-match score: the generic name beats a brand beats an alias.
    fn exact_score(self) -> f64 {
        match self {
            Field::Name | Field::Id => 1.0,
            Field::Brand => 0.99,
            Field::Alias => 0.98,
        }
    }
}

/// One searchable name of one entry.
#[derive(Debug, Clone)]
struct Key {
    entry: usize,
    field: Field,
    /// The name as written in the content.
    text: String,
    /// Folded with the spaces removed.
    compact: String,
    /// Folded words.
    words: Vec<String>,
    /// Double Metaphone primary code of `compact` (empty if it has no letters).
    sound: String,
    /// Characters in `compact`.
    len: usize,
    /// Letter counts of `compact`.
    hist: Histogram,
}

/// The answer to one look-up: contract section 4.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrugLookup {
    /// The query as given.
    pub query: String,
    /// Matches, best first.
    pub matches: Vec<DrugMatch>,
    /// A name to suggest when the best match is uncertain (or nothing matched but something came close).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
}

/// One matching drug or regimen: contract section 4, plus `description`, `matched_on` and `score`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrugMatch {
    /// Stable id, e.g. `pembrolizumab`, `folfox`.
    pub id: String,
    /// Generic or regimen name.
    pub name: String,
    /// `drug` or `regimen`.
    pub kind: String,
    /// UK and US brand names.
    pub brand_names: Vec<String>,
    /// Contract class: `chemotherapy`, `targeted_therapy`, `hormonal_therapy`, `immunotherapy`, `radionuclide`, `supportive`.
    pub class: String,
    /// How it is given: `tablet`, `capsule`, `drip`, `injection`, `pump`, `liquid`, `patch`.
    pub given_as: Vec<String>,
    /// Contract primary-site ids it is used for.
    pub used_for: Vec<String>,
    /// Component drug ids (regimens only).
    pub components: Vec<String>,
    /// Source ids.
    pub sources: Vec<String>,
    /// One plain-English paragraph (extension).
    pub description: String,
    /// What the query matched, e.g. `brand: Keytruda` or `component of: FOLFOX` (extension).
    pub matched_on: String,
    /// Match strength from 0 to 1, higher is better (extension).
    pub score: f64,
}

/// The contract's value for a drug kind.
pub fn kind_str(kind: DrugKind) -> &'static str {
    match kind {
        DrugKind::Drug => "drug",
        DrugKind::Regimen => "regimen",
    }
}

/// Folds text for matching: accents off, lower case, runs of anything but letters and digits become one space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn sound_of(metaphone: &DoubleMetaphone, compact: &str) -> String {
    let letters: String = compact.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if letters.len() < 3 { String::new() } else { metaphone.encode(&letters) }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Letter counts (a-z, 0-9, anything else): a cheap lower bound on edit distance.
type Histogram = [u8; 37];

fn histogram(compact: &str) -> Histogram {
    let mut h = [0u8; 37];
    for c in compact.chars() {
        let slot = match c {
            'a'..='z' => c as usize - 'a' as usize,
            '0'..='9' => 26 + (c as usize - '0' as usize),
            _ => 36,
        };
        h[slot] = h[slot].saturating_add(1);
    }
    h
}

/// At least this many single-letter edits turn one text into the other.
fn min_edits(a: &Histogram, b: &Histogram) -> usize {
    let diff: usize = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as usize).sum();
    diff.div_ceil(2)
}

/// One folded query string, ready to compare with every key.
struct Probe {
    compact: String,
    len: usize,
    sound: String,
    hist: Histogram,
}

impl Probe {
    fn new(compact: String, metaphone: &DoubleMetaphone) -> Probe {
        let sound = sound_of(metaphone, &compact);
        Probe { len: compact.chars().count(), hist: histogram(&compact), sound, compact }
    }
}

/// How well one folded query string matches one key, from 0 to 1.
///
/// Exact: the field's score. Prefix of a longer name (4+ letters): 0.84 to 0.94.
/// Otherwise fuzzy, at most 0.95: the best of edit similarity (optimal string
/// alignment), letter-pair overlap (Sørensen-Dice), one or two typos in a long
/// name, and the same Double Metaphone code. Keys whose length or letters are
/// too far off to reach half similarity are skipped before any of that.
///
/// With `tolerant` false (the query already names some entry exactly), only
/// exact and prefix matches count, which keeps exact look-ups fast and quiet.
fn similarity(q: &Probe, key: &Key, tolerant: bool) -> f64 {
    let k = key.compact.as_str();
    if q.compact.is_empty() || k.is_empty() {
        return 0.0;
    }
    if q.compact == k {
        return key.field.exact_score();
    }
    // A prefix of a longer name ("pembro", "trastuzumab der"): only for 4+ letters.
    if q.len >= 4 && k.starts_with(q.compact.as_str()) {
        return 0.84 + 0.1 * (q.len as f64 / key.len as f64);
    }
    // Very short queries and keys only match exactly: "ac" must not find "ec".
    if !tolerant || q.len < 4 || key.len < 4 {
        return 0.0;
    }
    let longest = q.len.max(key.len);
    // Below half similarity nothing here can reach a match or a suggestion.
    let budget = longest / 2;
    if q.len.abs_diff(key.len) > budget || min_edits(&q.hist, &key.hist) > budget {
        return 0.0;
    }
    let edits = strsim::osa_distance(&q.compact, k);
    let lev = 1.0 - edits as f64 / longest as f64;
    if lev < 0.5 {
        return lev;
    }
    let mut best = lev.max(strsim::sorensen_dice(&q.compact, k) * 0.95);
    // One or two typos in a long name are still a good match.
    if edits == 1 && q.len >= 5 {
        best = best.max(0.88);
    } else if edits == 2 && q.len >= 7 {
        best = best.max(0.84);
    }
    // Sounds the same ("zeloda" / "xeloda", "setuximab" / "cetuximab").
    if !q.sound.is_empty() && q.sound == key.sound && q.len >= 5 {
        best = best.max(0.86);
    }
    best.min(0.95)
}

/// A scored candidate while a look-up runs.
#[derive(Debug, Clone)]
struct Hit {
    entry: usize,
    score: f64,
    matched_on: String,
    /// The name that matched, offered as "did you mean" when the match is uncertain.
    key_text: String,
    fuzzy: bool,
}

impl DrugIndex {
    /// Builds the index from every drug and regimen in `kb`.
    pub fn new(kb: &Knowledge) -> DrugIndex {
        DrugIndex::from_drugs(&kb.drugs)
    }

    fn from_drugs(drugs: &[Drug]) -> DrugIndex {
        let metaphone = DoubleMetaphone::new(Some(12));
        let mut sorted: Vec<&Drug> = drugs.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        let mut entries = Vec::with_capacity(sorted.len());
        let mut keys = Vec::new();
        let mut by_id = HashMap::new();
        for (i, d) in sorted.iter().enumerate() {
            by_id.insert(d.id.clone(), i);
            entries.push(Entry {
                m: DrugMatch {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    kind: kind_str(d.kind).to_string(),
                    brand_names: d.brand_names.clone(),
                    class: d.class.as_str().to_string(),
                    given_as: d.given_as.clone(),
                    used_for: d.used_for.clone(),
                    components: d.components.clone(),
                    sources: d.sources.clone(),
                    description: d.description.clone(),
                    matched_on: String::new(),
                    score: 0.0,
                },
            });
            let names = std::iter::once((Field::Name, &d.name))
                .chain(std::iter::once((Field::Id, &d.id)))
                .chain(d.brand_names.iter().map(|b| (Field::Brand, b)))
                .chain(d.aliases.iter().map(|a| (Field::Alias, a)));
            for (field, text) in names {
                let folded = fold(text);
                if folded.is_empty() {
                    continue;
                }
                let compact: String = folded.split(' ').collect();
                if keys.iter().any(|k: &Key| k.entry == i && k.compact == compact) {
                    continue;
                }
                let sound = sound_of(&metaphone, &compact);
                let words = folded.split(' ').map(str::to_string).collect();
                let (len, hist) = (compact.chars().count(), histogram(&compact));
                keys.push(Key { entry: i, field, text: text.clone(), compact, words, sound, len, hist });
            }
        }
        let mut containing: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            for c in &e.m.components {
                containing.entry(c.clone()).or_default().push(i);
            }
        }
        let exact = keys.iter().map(|k| k.compact.clone()).collect();
        DrugIndex { entries, keys, containing, by_id, exact }
    }

    /// How many drugs and regimens the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Looks `query` up; returns at most `limit` matches, best first. Never panics.
    pub fn lookup(&self, query: &str, limit: usize) -> DrugLookup {
        let (mut hits, suggestion) = self.score(query);
        self.rank(&mut hits);
        self.expand(&mut hits);
        self.rank(&mut hits);
        let did_you_mean = match hits.first() {
            Some(best) if best.fuzzy => Some(best.key_text.clone()),
            Some(_) => None,
            None => suggestion,
        };
        let matches = hits
            .into_iter()
            .take(limit)
            .map(|h| {
                let mut m = self.entries[h.entry].m.clone();
                m.matched_on = h.matched_on;
                m.score = round3(h.score);
                m
            })
            .collect();
        DrugLookup { query: query.to_string(), matches, did_you_mean }
    }

    /// What to offer as "did you mean" for a key: a name or brand as written, else the entry's name
    /// (an alias may itself be a misspelling).
    fn suggestion(&self, key: &Key) -> String {
        match key.field {
            Field::Name | Field::Brand => key.text.clone(),
            Field::Id | Field::Alias => self.entries[key.entry].m.name.clone(),
        }
    }

    /// Best first; equal scores in id order (entries are stored sorted by id).
    fn rank(&self, hits: &mut [Hit]) {
        hits.sort_by(|a, b| b.score.partial_cmp(&a.score).unwrap_or(Ordering::Equal).then_with(|| a.entry.cmp(&b.entry)));
    }

    /// Direct matches (best per entry) and, if none, the name of the best near miss.
    fn score(&self, query: &str) -> (Vec<Hit>, Option<String>) {
        let folded = fold(query);
        if folded.is_empty() {
            return (Vec::new(), None);
        }
        let metaphone = DoubleMetaphone::new(Some(12));
        let mut best: HashMap<usize, Hit> = HashMap::new();
        let mut near: Option<(f64, usize, String)> = None;
        let mut consider = |entry: usize, score: f64, key: &'_ Key, fuzzy: bool| {
            if score >= MATCH_THRESHOLD {
                let hit =
                    Hit { entry, score, matched_on: format!("{}: {}", key.field.label(), key.text), key_text: self.suggestion(key), fuzzy };
                match best.get(&entry) {
                    Some(h) if h.score >= score => {}
                    _ => {
                        best.insert(entry, hit);
                    }
                }
            } else if score >= SUGGEST_THRESHOLD && near.as_ref().is_none_or(|(s, i, _)| score > *s || (score == *s && entry < *i)) {
                near = Some((score, entry, self.suggestion(key)));
            }
        };

        let words: Vec<&str> = folded.split(' ').take(MAX_WORDS).collect();
        // Single meaningful words of a longer query ("pembrolizumab injection", "herceptin for breast cancer").
        let word_probes: Vec<Probe> = if words.len() > 1 {
            words.iter().filter(|w| !STOP_WORDS.contains(w) && w.len() <= MAX_WORD).map(|w| Probe::new(w.to_string(), &metaphone)).collect()
        } else {
            Vec::new()
        };
        let names_exactly = |p: &Probe| self.exact.contains(&p.compact);
        let some_word_exact = word_probes.iter().any(names_exactly);

        // The whole query against each whole key; tolerant only if no part of it is an exact name.
        if folded.len() <= MAX_WHOLE_QUERY {
            let probe = Probe::new(folded.split(' ').collect(), &metaphone);
            let tolerant = !names_exactly(&probe) && !some_word_exact;
            for key in &self.keys {
                let s = similarity(&probe, key, tolerant);
                if s > 0.0 {
                    consider(key.entry, s, key, s < key.field.exact_score() - 1e-9);
                }
            }
            // A key that appears word for word inside a longer query ("folfox and bevacizumab").
            if words.len() > 1 {
                for key in &self.keys {
                    if key.words.len() < words.len() && contains_words(&words, &key.words) && key.compact.len() >= 2 {
                        let s = 0.9 * key.field.exact_score();
                        consider(key.entry, s, key, false);
                    }
                }
            }
        }
        for probe in &word_probes {
            let tolerant = !names_exactly(probe);
            for key in &self.keys {
                let s = similarity(probe, key, tolerant);
                if s > 0.0 {
                    let exact = s >= key.field.exact_score() - 1e-9;
                    consider(key.entry, s * 0.92, key, !exact);
                }
            }
        }
        let hits: Vec<Hit> = best.into_values().collect();
        let suggestion = if hits.is_empty() { near.map(|(_, _, text)| text) } else { None };
        (hits, suggestion)
    }

    /// Adds the components of matched regimens and the regimens containing matched drugs, ranked below.
    fn expand(&self, hits: &mut Vec<Hit>) {
        let mut seen: HashMap<usize, usize> = hits.iter().enumerate().map(|(pos, h)| (h.entry, pos)).collect();
        let direct: Vec<Hit> = hits.clone();
        for h in &direct {
            let e = &self.entries[h.entry].m;
            let mut related: Vec<(usize, f64, String)> = Vec::new();
            for c in &e.components {
                if let Some(&i) = self.by_id.get(c) {
                    related.push((i, h.score * COMPONENT_FACTOR, format!("component of: {}", e.name)));
                }
            }
            if let Some(regimens) = self.containing.get(&e.id) {
                for &i in regimens {
                    related.push((i, h.score * CONTAINING_FACTOR, format!("contains: {}", e.name)));
                }
            }
            for (i, score, matched_on) in related {
                match seen.get(&i) {
                    Some(&pos) if hits[pos].score >= score => {}
                    Some(&pos) => hits[pos] = Hit { entry: i, score, matched_on, key_text: h.key_text.clone(), fuzzy: h.fuzzy },
                    None => {
                        seen.insert(i, hits.len());
                        hits.push(Hit { entry: i, score, matched_on, key_text: h.key_text.clone(), fuzzy: h.fuzzy });
                    }
                }
            }
        }
    }
}

/// Whether `needle` occurs as consecutive words of `haystack`.
fn contains_words(haystack: &[&str], needle: &[String]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w.iter().zip(needle).all(|(a, b)| *a == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_accents_case_and_punctuation() {
        assert_eq!(fold("  5-FU "), "5 fu");
        assert_eq!(fold("Xéloda®"), "xeloda");
        assert_eq!(fold("T-DXd"), "t dxd");
        assert_eq!(fold("¹⁷⁷Lu-PSMA"), "177lu psma");
        assert_eq!(fold("🙂"), "");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn contains_words_needs_consecutive_words() {
        let h = ["folfox", "and", "bevacizumab"];
        assert!(contains_words(&h, &["folfox".to_string()]));
        assert!(contains_words(&h, &["and".to_string(), "bevacizumab".to_string()]));
        assert!(!contains_words(&h, &["folfox".to_string(), "bevacizumab".to_string()]));
    }
}
