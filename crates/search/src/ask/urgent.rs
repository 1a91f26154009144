//! Urgent symptoms (contract 8.3): recognising a same-day red flag in a
//! question written in a person's own words.
//!
//! The list is curated content (`content/urgent.toml`): each [`RedFlag`] has
//! phrases that on their own describe it (`any`), groups of phrases that
//! together do (`all`), and phrases that show the words mean something else
//! (`unless`). This module only matches them:
//!
//! - Words are compared after folding, lower-casing and British spelling.
//!   Contractions are joined ("can't", "cant" and "can t" are one word), and
//!   possessive `'s` is dropped.
//! - A phrase word ending in `*` matches any word that starts with it
//!   (`vomit*`: vomit, vomiting, vomited). A phrase word `*` on its own
//!   matches up to three words of any kind ("stools * black").
//! - Typos: a question word of five letters or more matches a phrase word of
//!   the same first letter within one edit (two for eight letters or more).
//! - A question that asks about a symptom in general ("what is jaundice",
//!   "can SIRT cause a fever") raises no alarm, unless it also has a word
//!   showing the symptom is happening to someone now ("my", "mum", "today").
//!   Erring towards the alarm is deliberate: a question with neither kind of
//!   cue that names a red flag gets it.
//!
//! It never panics and does no I/O.

use std::collections::HashSet;

use hepatica_knowledge::{Knowledge, RedFlag};
use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use super::lexicon::{Lexicon, analyze};

/// The contract's `urgent` object: who to call now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Urgent {
    /// Short heading.
    pub title: String,
    /// Who to call now, in plain English.
    pub text: String,
    /// Where the full advice is: `/support#urgent`.
    pub url: String,
}

/// A phrase as words; `None` stands for the `*` gap.
type Phrase = Vec<Option<Word>>;

#[derive(Debug, Clone)]
struct Word {
    text: String,
    prefix: bool,
}

#[derive(Debug, Clone)]
struct Flag {
    id: String,
    any: Vec<Phrase>,
    all: Vec<Vec<Phrase>>,
    unless: Vec<Phrase>,
}

/// The compiled red-flag list.
pub(crate) struct RedFlags {
    flags: Vec<Flag>,
    general: Vec<Phrase>,
    personal: HashSet<String>,
    help: Option<Urgent>,
    surface: TextAnalyzer,
}

impl std::fmt::Debug for RedFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedFlags").field("flags", &self.flags.len()).finish_non_exhaustive()
    }
}

/// Words longest gap `*` may stand for.
const GAP_WORDS: usize = 3;

impl RedFlags {
    pub(crate) fn new(kb: &Knowledge, lexicon: &Lexicon) -> RedFlags {
        let mut surface = lexicon.surface();
        let mut phrase = |p: &str| -> Phrase {
            let mut out = Vec::new();
            for raw in p.split_whitespace() {
                if raw == "*" {
                    out.push(None);
                    continue;
                }
                let (body, prefix) = match raw.strip_suffix('*') {
                    Some(b) => (b, true),
                    None => (raw, false),
                };
                let words = normalise(analyze(&mut surface, body));
                let n = words.len();
                for (i, w) in words.into_iter().enumerate() {
                    out.push(Some(Word { text: w, prefix: prefix && i + 1 == n }));
                }
            }
            out
        };
        let compile = |f: &RedFlag, phrase: &mut dyn FnMut(&str) -> Phrase| Flag {
            id: f.id.clone(),
            any: f.any.iter().map(|p| phrase(p)).filter(|p| !p.is_empty()).collect(),
            all: f.all.iter().map(|g| g.iter().map(|p| phrase(p)).filter(|p| !p.is_empty()).collect()).collect(),
            unless: f.unless.iter().map(|p| phrase(p)).filter(|p| !p.is_empty()).collect(),
        };
        let flags = kb.red_flags.iter().map(|f| compile(f, &mut phrase)).collect();
        let general = kb.red_flag_context.general.iter().map(|p| phrase(p)).filter(|p| !p.is_empty()).collect();
        let personal = kb.red_flag_context.personal.iter().flat_map(|p| normalise(analyze(&mut lexicon.surface(), p))).collect();
        let help = kb.urgent.as_ref().map(|u| Urgent { title: u.title.clone(), text: u.text.clone(), url: u.url.clone() });
        RedFlags { flags, general, personal, help, surface: lexicon.surface() }
    }

    /// The ids of the red flags `question` describes (empty if none, or if it asks in general).
    pub(crate) fn matches(&self, question: &str) -> Vec<&str> {
        let mut surface = self.surface.clone();
        let words = normalise(analyze(&mut surface, question));
        if words.is_empty() {
            return Vec::new();
        }
        let found: Vec<&str> = self
            .flags
            .iter()
            .filter(|f| {
                let described = f.any.iter().any(|p| contains(&words, p))
                    || (!f.all.is_empty() && f.all.iter().all(|g| g.iter().any(|p| contains(&words, p))));
                described && !f.unless.iter().any(|p| contains(&words, p))
            })
            .map(|f| f.id.as_str())
            .collect();
        if found.is_empty() {
            return found;
        }
        let general = self.general.iter().any(|p| contains(&words, p));
        let personal = words.iter().any(|w| self.personal.contains(w));
        if general && !personal { Vec::new() } else { found }
    }

    /// The `urgent` object for `question`, if it describes a red flag.
    pub(crate) fn urgent(&self, question: &str) -> Option<Urgent> {
        let help = self.help.as_ref()?;
        (!self.matches(question).is_empty()).then(|| help.clone())
    }
}

/// Joins contractions ("can" "t" → "cant") and drops possessive "s".
fn normalise(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        match w.as_str() {
            "t" | "ve" | "ll" | "re" | "m" | "d" => {
                if let Some(prev) = out.last_mut() {
                    prev.push_str(&w);
                }
            }
            "s" => {}
            _ => out.push(w),
        }
    }
    out
}

/// Whether `phrase` occurs in `words` (consecutive, with `*` gaps).
fn contains(words: &[String], phrase: &Phrase) -> bool {
    (0..words.len()).any(|start| match_at(words, start, phrase))
}

fn match_at(words: &[String], at: usize, phrase: &[Option<Word>]) -> bool {
    let Some((first, rest)) = phrase.split_first() else { return true };
    match first {
        None => (0..=GAP_WORDS).any(|skip| at + skip <= words.len() && match_at(words, at + skip, rest)),
        Some(w) => at < words.len() && word_matches(&words[at], w) && match_at(words, at + 1, rest),
    }
}

fn word_matches(typed: &str, want: &Word) -> bool {
    if typed == want.text || (want.prefix && typed.starts_with(&want.text)) {
        return true;
    }
    let len = typed.chars().count();
    let max = match len {
        0..=4 => return false,
        5..=7 => 1,
        _ => 2,
    };
    if typed.chars().next() != want.text.chars().next() {
        return false;
    }
    if want.prefix {
        // A typo in the stem: compare the stem with the same number of typed characters (give or take one).
        let stem_len = want.text.chars().count();
        if stem_len < 5 {
            return false;
        }
        return (stem_len.saturating_sub(1)..=stem_len + 1).any(|n| {
            let head: String = typed.chars().take(n).collect();
            strsim::damerau_levenshtein(&head, &want.text) <= 1
        });
    }
    want.text.chars().count().abs_diff(len) <= max && strsim::damerau_levenshtein(typed, &want.text) <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags() -> RedFlags {
        let kb = Knowledge::embedded();
        RedFlags::new(kb, &Lexicon::new(kb))
    }

    #[test]
    fn the_issue_example_is_urgent() {
        let f = flags();
        let m = f.matches("mum has gone really confused and sleepy and her eyes are yellow");
        assert!(m.contains(&"confusion") && m.contains(&"jaundice"), "{m:?}");
    }

    #[test]
    fn lay_wording_and_typos_are_recognised() {
        let f = flags();
        for q in [
            "whites of my eyes look yelow today",
            "feeling shivery 5 days after folfox",
            "high temprature during treatment",
            "mum vomitted blood this morning",
            "black tarry poo",
            "dad hasn't had a wee all day",
            "belly suddenly huge and breathless",
            "chest pain on capecitabine",
            "my wife is confussed",
        ] {
            assert!(!f.matches(q).is_empty(), "{q:?} should be urgent");
        }
    }

    #[test]
    fn general_questions_raise_no_alarm() {
        let f = flags();
        for q in [
            "what is jaundice",
            "can liver mets cause jaundice",
            "does sirt give you a temperature afterwards",
            "is it normal to be tired after chemo",
            "why is my tummy swollen",
            "I'm confused about my treatment options",
            "what pain relief is there for liver pain",
            "feeling a bit breathless when I walk upstairs",
        ] {
            assert!(f.matches(q).is_empty(), "{q:?} should not be urgent: {:?}", f.matches(q));
        }
    }

    #[test]
    fn repeated_vomiting_and_little_urine_are_their_own_flags() {
        let f = flags();
        for q in ["been sick 6 times today on chemo", "vomiting all day after chemo", "cant stop being sick on chemo"] {
            assert!(f.matches(q).contains(&"repeated-vomiting"), "{q:?}: {:?}", f.matches(q));
        }
        for q in ["hardly peed today", "barely any wee since this morning", "not passing water"] {
            assert!(f.matches(q).contains(&"no-urine"), "{q:?}: {:?}", f.matches(q));
        }
        for q in ["can chemo make me sick", "what is anti-sickness medicine", "how much should I drink on chemo", "I was sick a few times"]
        {
            assert!(f.matches(q).is_empty(), "{q:?} should not be urgent: {:?}", f.matches(q));
        }
    }

    #[test]
    fn contractions_join() {
        assert_eq!(normalise(vec!["can".into(), "t".into(), "breathe".into()]), vec!["cant", "breathe"]);
        assert_eq!(normalise(vec!["dad".into(), "s".into(), "skin".into()]), vec!["dad", "skin"]);
    }
}
