//! Query understanding: a question becomes a [`Plan`] of concepts.
//!
//! 1. **Words, not query syntax.** The question is cut to
//!    [`super::MAX_QUERY_CHARS`] and split into words by the surface analyzer
//!    (folded, lower case, British spelling). Nothing reaches tantivy's query
//!    parser, so quotes, brackets, `:`, `*`, `^`, `~`, `-` and emoji are text.
//! 2. **Phrases first.** Lexicon phrases are found as whole phrases before
//!    single words: a two-way synonym group adds its other phrases at a lower
//!    weight; a one-way expansion adds the words our content uses for it; an
//!    expansion marked `replace` searches only those words, so "first line",
//!    "PICC line", "stage 4" and "pins and needles" mean what people mean and
//!    never match "Support Line", "Two-stage surgery" or ablation needles.
//! 3. **Words.** Each remaining word that our content uses is a concept of its
//!    own. Weak words ("liver", "cancer") count at a low weight, so they show
//!    the question is in scope without deciding the ranking.
//! 4. **Typos.** A word our content does not use is replaced by the closest
//!    words it does use with the same first letter: Damerau distance 1 for
//!    words of 5 to 7 letters, 2 for longer ones, searched at a lower weight.
//!
//! The plan also records what [`super::scope::Scope`] needs to judge whether
//! the question is about what we cover.

use std::collections::BTreeMap;

use tantivy::tokenizer::TextAnalyzer;

use super::lexicon::analyze;
use super::scope::Scope;
use super::snippets::truncate_chars;
use super::{AskIndex, MAX_QUERY_CHARS};

/// Only this many words of a question are searched for.
const MAX_QUERY_WORDS: usize = 40;
/// Weight of a word that came from a synonym rather than from the question.
const WEIGHT_SYNONYM: f32 = 0.6;
/// Weight of the words an expansion stands for.
const WEIGHT_EXPANSION: f32 = 0.9;
/// Weight of a word that came from correcting a typo.
const WEIGHT_TYPO: f32 = 0.7;
/// Weight of a weak word.
const WEIGHT_WEAK: f32 = 0.25;

/// A question turned into concepts: each a set of weighted phrases (lists of
/// index terms) that mean one thing, of which a document needs only one.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Per concept: phrase → weight (the highest, if a phrase comes in more than one way).
    pub(crate) concepts: Vec<BTreeMap<Vec<String>, f32>>,
    /// What the scope decision needs.
    pub(crate) scope: Scope,
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
    pub(crate) fn terms(&self) -> BTreeMap<String, f32> {
        let mut all = BTreeMap::new();
        for (terms, &weight) in self.concepts.iter().flatten() {
            for term in terms {
                let w = all.entry(term.clone()).or_insert(0.0f32);
                *w = w.max(weight);
            }
        }
        all
    }
}

impl AskIndex {
    /// Turns a question into concepts, and gathers what the scope decision needs.
    pub(crate) fn plan(&self, question: &str) -> Plan {
        let text = truncate_chars(question, MAX_QUERY_CHARS);
        let mut surface = self.lexicon.surface();
        let mut words = analyze(&mut surface, text);
        words.truncate(MAX_QUERY_WORDS);
        let mut analyzer = self.analyzer.clone();
        let mut plan = Plan::default();
        let lex = &self.lexicon;
        let everyday_phrase = |p: &[String]| p.iter().all(|w| lex.stop.contains(w) || lex.everyday.contains(w) || lex.weak.contains(w));

        // Words covered by a lexicon phrase, and whether the phrase says something specific.
        let mut covered = vec![false; words.len()];
        let mut specific = vec![false; words.len()];
        for exp in &lex.expansions {
            let mut hit = false;
            for from in &exp.from {
                for start in find_phrase(&words, from) {
                    if covered[start..start + from.len()].iter().all(|c| *c) {
                        continue;
                    }
                    hit = true;
                    covered[start..start + from.len()].iter_mut().for_each(|x| *x = true);
                    if !everyday_phrase(from) {
                        specific[start..start + from.len()].iter_mut().for_each(|x| *x = true);
                    }
                }
            }
            if !hit {
                continue;
            }
            let c = plan.new_concept();
            if !exp.replace {
                for from in &exp.from {
                    if !find_phrase(&words, from).is_empty()
                        && let Some(terms) = self.phrase_terms(&mut analyzer, from)
                    {
                        plan.add(c, terms, 1.0);
                    }
                }
            }
            for word in &exp.to {
                if let Some(terms) = self.phrase_terms(&mut analyzer, std::slice::from_ref(word)) {
                    let w = if lex.weak.contains(word) { WEIGHT_WEAK } else { WEIGHT_EXPANSION };
                    plan.add(c, terms, w);
                }
            }
        }
        for group in &lex.synonyms {
            let found: Vec<Vec<usize>> = group.iter().map(|p| find_phrase(&words, p)).collect();
            if found.iter().all(|f| f.is_empty()) {
                continue;
            }
            let mut fresh = false;
            for (phrase, starts) in group.iter().zip(&found) {
                for &start in starts {
                    if covered[start..start + phrase.len()].iter().all(|c| *c) {
                        continue;
                    }
                    fresh = true;
                    covered[start..start + phrase.len()].iter_mut().for_each(|x| *x = true);
                    if !everyday_phrase(phrase) {
                        specific[start..start + phrase.len()].iter_mut().for_each(|x| *x = true);
                    }
                }
            }
            if !fresh {
                continue;
            }
            let c = plan.new_concept();
            for (phrase, starts) in group.iter().zip(&found) {
                let in_question = !starts.is_empty();
                if let Some(terms) = self.phrase_terms(&mut analyzer, phrase) {
                    let weak = phrase.iter().all(|w| lex.weak.contains(w));
                    let w = match (in_question, weak) {
                        (_, true) => WEIGHT_WEAK,
                        (true, false) => 1.0,
                        (false, false) => WEIGHT_SYNONYM,
                    };
                    plan.add(c, terms, w);
                }
            }
        }

        // The question's own words.
        for (i, word) in words.iter().enumerate() {
            if lex.stop.contains(word) {
                continue;
            }
            plan.scope.content_words += 1;
            let everyday = lex.everyday.contains(word);
            if covered[i] {
                // A lexicon phrase is about our subject even if its words are everyday ones.
                plan.scope.matched += 1.0;
                plan.scope.domain_words += 1;
                if specific[i] {
                    plan.scope.specific_words += 1;
                }
                continue;
            }
            if let Some(terms) = self.phrase_terms(&mut analyzer, std::slice::from_ref(word)) {
                let c = plan.new_concept();
                let w = if lex.weak.contains(word) { WEIGHT_WEAK } else { 1.0 };
                plan.add(c, terms, w);
                plan.scope.matched += 1.0;
                if !everyday {
                    plan.scope.domain_words += 1;
                }
                continue;
            }
            let near = self.corrections(word);
            if !near.is_empty() {
                let c = plan.new_concept();
                for term in near {
                    plan.add(c, vec![term], WEIGHT_TYPO);
                }
                plan.scope.matched += 0.5;
                if !everyday {
                    plan.scope.domain_words += 1;
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
            if self.lexicon.stop.contains(word) {
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
}

/// Starts of every occurrence of `phrase` in `words`.
pub(crate) fn find_phrase(words: &[String], phrase: &[String]) -> Vec<usize> {
    if phrase.is_empty() || phrase.len() > words.len() {
        return Vec::new();
    }
    (0..=words.len() - phrase.len()).filter(|&i| words[i..i + phrase.len()] == *phrase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_found() {
        let w: Vec<String> = ["what", "is", "y", "90"].iter().map(|s| s.to_string()).collect();
        let p: Vec<String> = ["y", "90"].iter().map(|s| s.to_string()).collect();
        assert_eq!(find_phrase(&w, &p), vec![2]);
        assert!(find_phrase(&w, &[]).is_empty());
        assert!(find_phrase(&p, &w).is_empty());
    }
}
