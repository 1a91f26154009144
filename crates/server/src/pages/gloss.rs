//! Links jargon to the word list: the first use on a page of each glossary
//! term (its name, or an abbreviation it lists, such as SABR, TACE or CDK4/6)
//! becomes a plain link to `/glossary#<id>`. Server-rendered, so it works
//! without JavaScript; a link in running text is announced as a link, and a
//! visually hidden "(word list)" says where it goes.
//!
//! One [`Gloss`] is made per page and passed to everything that writes the
//! page's explanatory text, in reading order, so only the first use of each
//! term is linked. Text inside other links or form labels is left alone.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use hepatica_knowledge::Knowledge;
use maud::{Markup, PreEscaped, html};

/// One way a term is written: the words, its glossary id, and whether case must match.
struct Needle {
    words: String,
    id: String,
    exact_case: bool,
}

/// A knowledge base's terms and one automaton that finds them all in a single
/// pass (ASCII case folded; exact-case terms are checked after). Built once
/// per knowledge base: building it, and scanning each text once per term, per
/// page, had cut the results page from about 8,000 to 750 a second.
struct Needles {
    list: Vec<Needle>,
    finder: AhoCorasick,
}

impl Needles {
    fn new(list: Vec<Needle>) -> Needles {
        let finder = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(list.iter().map(|n| n.words.as_str()))
            .expect("glossary terms make an automaton");
        Needles { list, finder }
    }
}

/// The terms of one page, and which of them it has linked so far.
pub struct Gloss {
    needles: Arc<Needles>,
    seen: RefCell<Vec<String>>,
}

/// Whether a name is an abbreviation (two capitals or more, as in SABR,
/// CDK4/6 or HER2-low): matched with its case, so "NICE" never links "nice".
fn abbreviation(s: &str) -> bool {
    s.chars().filter(char::is_ascii_uppercase).count() >= 2
}

/// The needles made so far, by the address of their knowledge base.
type Made = Mutex<Vec<(usize, Arc<Needles>)>>;

/// The needles of `kb`, made once (knowledge bases live as long as the process).
fn needles_of(kb: &Knowledge) -> Arc<Needles> {
    static MADE: OnceLock<Made> = OnceLock::new();
    let key = std::ptr::from_ref(kb) as usize;
    let mut made = MADE.get_or_init(Mutex::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, n)) = made.iter().find(|(k, _)| *k == key) {
        return n.clone();
    }
    let mut list: Vec<Needle> = Vec::new();
    for t in &kb.glossary {
        let name = t.term.split(" (").next().unwrap_or(&t.term).trim();
        let names = std::iter::once(name).chain(t.aliases.iter().map(String::as_str).filter(|a| a.len() >= 3 && abbreviation(a)));
        for n in names {
            if !list.iter().any(|x| x.words.eq_ignore_ascii_case(n)) {
                list.push(Needle { words: n.to_string(), id: t.id.clone(), exact_case: abbreviation(n) });
            }
        }
    }
    // Longest first, so "Stereotactic ablative radiotherapy" wins over "Radiotherapy".
    list.sort_by_key(|n| std::cmp::Reverse(n.words.len()));
    let needles = Arc::new(Needles::new(list));
    made.push((key, needles.clone()));
    needles
}

impl Gloss {
    /// The glossary of `kb`: each term's name (without a part in brackets:
    /// "Port (portacath)" is "Port") and the abbreviations among its other
    /// names of three characters or more (everyday phrases among them, such
    /// as "specialist team", and two-letter ones, such as "PS", are not links).
    pub fn new(kb: &Knowledge) -> Gloss {
        Gloss { needles: needles_of(kb), seen: RefCell::new(Vec::new()) }
    }

    /// A linker that links nothing (pages and tests that want plain text).
    pub fn none() -> Gloss {
        static NONE: OnceLock<Arc<Needles>> = OnceLock::new();
        Gloss { needles: NONE.get_or_init(|| Arc::new(Needles::new(Vec::new()))).clone(), seen: RefCell::new(Vec::new()) }
    }

    /// The glossary ids linked so far, in page order.
    pub fn linked(&self) -> Vec<String> {
        self.seen.borrow().clone()
    }

    /// `text` with the first use on the page of each term linked; the rest is
    /// escaped as maud would. A term already linked, or a shorter term inside
    /// a longer one, is left as text.
    pub fn link(&self, text: &str) -> Markup {
        let bytes = text.as_bytes();
        let boundary = |i: usize| i == 0 || i >= bytes.len() || !(bytes[i].is_ascii_alphanumeric());
        // (start, end, index of the needle), the longest at each place first.
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        if self.needles.list.is_empty() {
            return PreEscaped(escape(text));
        }
        for m in self.needles.finder.find_overlapping_iter(text) {
            let n = m.pattern().as_usize();
            let needle = &self.needles.list[n];
            let at = m.start();
            let mut end = m.end();
            if needle.exact_case && text[at..end] != needle.words {
                continue;
            }
            // A plural of a word ("tumours" for "Tumour").
            if !needle.exact_case && bytes.get(end) == Some(&b's') && boundary(end + 1) {
                end += 1;
            }
            if (at == 0 || !bytes[at - 1].is_ascii_alphanumeric()) && boundary(end) {
                found.push((at, end, n));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = String::with_capacity(text.len() + 64);
        let mut at = 0;
        let mut seen = self.seen.borrow_mut();
        for (start, end, n) in found {
            if start < at {
                continue;
            }
            let id = &self.needles.list[n].id;
            // The place is taken either way: a shorter term inside a longer one is never linked.
            if seen.contains(id) {
                out.push_str(&escape(&text[at..end]));
            } else {
                seen.push(id.clone());
                out.push_str(&escape(&text[at..start]));
                let link = html! { a.gloss href={ "/glossary#" (id) } { (&text[start..end]) span.visually-hidden { " (word list)" } } };
                out.push_str(&link.into_string());
            }
            at = end;
        }
        out.push_str(&escape(&text[at..]));
        PreEscaped(out)
    }
}

/// Text escaped for HTML, as maud escapes it.
fn escape(s: &str) -> String {
    html! { (s) }.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(m: Markup) -> String {
        m.into_string()
    }

    #[test]
    fn the_first_use_of_each_term_is_linked_once() {
        let g = Gloss::new(Knowledge::embedded());
        let a = plain(g.link("In one clinical trial, 42 in 100 people who had SABR were alive."));
        assert!(
            a.contains("<a class=\"gloss\" href=\"/glossary#sabr\">SABR<span class=\"visually-hidden\"> (word list)</span></a>"),
            "{a}"
        );
        assert!(a.contains("href=\"/glossary#clinical-trial\">clinical trial<"), "{a}");
        let b = plain(g.link("SABR is precise. TACE and SIRT are kinds of embolisation."));
        assert!(!b.contains("#sabr"), "linked once per page: {b}");
        for id in ["tace", "sirt", "embolisation"] {
            assert!(b.contains(&format!("href=\"/glossary#{id}\"")), "{id}: {b}");
        }
        assert_eq!(g.linked(), ["clinical-trial", "sabr", "tace", "sirt", "embolisation"]);
    }

    #[test]
    fn longer_terms_win_case_matters_for_abbreviations_and_text_is_escaped() {
        let g = Gloss::new(Knowledge::embedded());
        let a = plain(g.link("Stereotactic ablative radiotherapy <is> a kind of radiotherapy."));
        assert!(a.contains("#sabr\">Stereotactic ablative radiotherapy<"), "{a}");
        assert!(a.contains("&lt;is&gt;"), "escaped: {a}");
        assert!(a.contains("#radiotherapy\">radiotherapy<"), "the shorter term later, on its own: {a}");
        let b = plain(g.link("A nice drug, a CDK4/6 inhibitor, for 2 tumours."));
        assert!(!b.contains("#nice"), "NICE only in capitals: {b}");
        assert!(b.contains("#cdk46-inhibitor\">CDK4/6 inhibitor<"), "{b}");
        assert!(b.contains("#tumour\">tumours<"), "a plural: {b}");
        let c = plain(g.link("Shortness of breath."));
        assert!(!c.contains("<a"), "no term inside a word: {c}");
        assert_eq!(plain(Gloss::none().link("SABR & TACE")), "SABR &amp; TACE");
    }
}
