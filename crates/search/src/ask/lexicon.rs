//! The lay lexicon, compiled for searching, and the text analyzers.
//!
//! The words live in `content/lexicon.toml` (see `content/README.md`):
//! two-way synonym groups, one-way expansions (some of which replace the
//! reader's phrase, so "first line" never finds "Support Line"), whole-word
//! American-to-British spellings, stop words, everyday words and weak words.
//! Only the spelling *rules* (-ize, -emia, hem-, esophag-, ...) are code,
//! in [`british`].
//!
//! This module does no I/O.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hepatica_knowledge::Knowledge;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};

/// Whole-word spellings, shared by every analyzer built from one lexicon.
pub(crate) type Spellings = Arc<HashMap<String, String>>;

/// One one-way expansion, as surface words.
#[derive(Debug, Clone)]
pub(crate) struct Expansion {
    /// Phrases that trigger it.
    pub(crate) from: Vec<Vec<String>>,
    /// The words our content uses for it.
    pub(crate) to: Vec<String>,
    /// Search only `to`.
    pub(crate) replace: bool,
}

/// The lexicon in the form the query planner uses: every phrase already cut
/// into surface words (folded, lower case, British, not stemmed).
#[derive(Debug, Clone)]
pub(crate) struct Lexicon {
    pub(crate) spellings: Spellings,
    pub(crate) synonyms: Vec<Vec<Vec<String>>>,
    pub(crate) expansions: Vec<Expansion>,
    pub(crate) stop: HashSet<String>,
    pub(crate) everyday: HashSet<String>,
    pub(crate) weak: HashSet<String>,
}

impl Lexicon {
    /// Compiles the knowledge base's lexicon.
    pub(crate) fn new(kb: &Knowledge) -> Lexicon {
        let lex = &kb.lexicon;
        let spellings: Spellings = Arc::new(lex.spellings.iter().map(|s| (s.us.to_lowercase(), s.uk.to_lowercase())).collect());
        let mut surface = surface_analyzer(&spellings);
        let mut cut = |p: &str| analyze(&mut surface, p);
        let synonyms = lex
            .synonyms
            .iter()
            .map(|g| g.words.iter().map(|p| cut(p)).filter(|p| !p.is_empty()).collect::<Vec<_>>())
            .filter(|g| !g.is_empty())
            .collect();
        let expansions = lex
            .expansions
            .iter()
            .map(|e| Expansion {
                from: e.from.iter().map(|p| cut(p)).filter(|p| !p.is_empty()).collect(),
                to: cut(&e.to),
                replace: e.replace,
            })
            .filter(|e| !e.from.is_empty())
            .collect();
        let set = |words: &[String]| words.iter().map(|w| w.to_lowercase()).collect::<HashSet<String>>();
        Lexicon {
            synonyms,
            expansions,
            stop: set(&lex.words.stop),
            everyday: set(&lex.words.everyday),
            weak: set(&lex.words.weak),
            spellings,
        }
    }

    /// The index analyzer for this lexicon.
    pub(crate) fn analyzer(&self) -> TextAnalyzer {
        analyzer(&self.spellings)
    }

    /// The surface analyzer for this lexicon.
    pub(crate) fn surface(&self) -> TextAnalyzer {
        surface_analyzer(&self.spellings)
    }
}

/// Runs `analyzer` over `text` and returns the token texts.
pub(crate) fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The index analyzer: words, folded, lower case, British spelling, English stems.
pub(crate) fn analyzer(spellings: &Spellings) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(BritishSpelling { words: spellings.clone() })
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The same without stemming: the words a reader typed, for matching phrases.
pub(crate) fn surface_analyzer(spellings: &Spellings) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(BritishSpelling { words: spellings.clone() })
        .build()
}

/// British spelling of a lower-case word: first the lexicon's whole words
/// (`tumor` → `tumour`), then the rules: `embolization` → `embolisation`,
/// `esophagus` → `oesophagus`, `hemorrhage` → `haemorrhage`, `anemia` →
/// `anaemia`, `diarrhea` → `diarrhoea`. Other words are returned as they are.
pub(crate) fn british<'a>(word: &'a str, words: &HashMap<String, String>) -> Cow<'a, str> {
    if let Some(uk) = words.get(word) {
        return Cow::Owned(uk.clone());
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

/// Word starts whose British spelling differs (hem- only before -at, -o and -orr: not "hemisphere").
/// These are spelling rules, not vocabulary, so they stay in code.
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
struct BritishSpelling {
    words: Spellings,
}

impl TokenFilter for BritishSpelling {
    type Tokenizer<T: Tokenizer> = BritishSpellingFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> BritishSpellingFilter<T> {
        BritishSpellingFilter { inner: tokenizer, words: self.words }
    }
}

#[derive(Clone)]
struct BritishSpellingFilter<T> {
    inner: T,
    words: Spellings,
}

impl<T: Tokenizer> Tokenizer for BritishSpellingFilter<T> {
    type TokenStream<'a> = BritishSpellingStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        BritishSpellingStream { tail: self.inner.token_stream(text), words: &self.words }
    }
}

struct BritishSpellingStream<'a, T> {
    tail: T,
    words: &'a HashMap<String, String>,
}

impl<T: TokenStream> TokenStream for BritishSpellingStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let words = self.words;
        let token = self.tail.token_mut();
        let uk = british(&token.text, words);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> HashMap<String, String> {
        Lexicon::new(Knowledge::embedded()).spellings.as_ref().clone()
    }

    #[test]
    fn british_spellings() {
        let w = words();
        let b = |s: &str| british(s, &w).into_owned();
        assert_eq!(b("tumor"), "tumour");
        assert_eq!(b("embolization"), "embolisation");
        assert_eq!(b("radioembolization"), "radioembolisation");
        assert_eq!(b("chemoembolization"), "chemoembolisation");
        assert_eq!(b("esophagus"), "oesophagus");
        assert_eq!(b("esophageal"), "oesophageal");
        assert_eq!(b("hemorrhage"), "haemorrhage");
        assert_eq!(b("hematology"), "haematology");
        assert_eq!(b("anemia"), "anaemia");
        assert_eq!(b("anaemia"), "anaemia");
        assert_eq!(b("leukemia"), "leukaemia");
        assert_eq!(b("diarrhea"), "diarrhoea");
        assert_eq!(b("minimize"), "minimise");
        assert_eq!(b("metabolized"), "metabolised");
        assert_eq!(b("analyze"), "analyse");
        assert_eq!(b("ischemic"), "ischaemic");
        assert_eq!(b("systemic"), "systemic");
        assert_eq!(b("academia"), "academia");
        assert_eq!(b("characterize"), "characterise");
        // Left alone.
        assert_eq!(b("size"), "size");
        assert_eq!(b("hemisphere"), "hemisphere");
        assert_eq!(b("oesophagus"), "oesophagus");
        assert_eq!(b("tumour"), "tumour");
        assert_eq!(b("doctor"), "doctor");
    }

    #[test]
    fn analyzer_folds_spelling_and_stems() {
        let lex = Lexicon::new(Knowledge::embedded());
        let mut a = lex.analyzer();
        assert_eq!(analyze(&mut a, "Tumors"), analyze(&mut a, "tumours"));
        assert_eq!(analyze(&mut a, "Embolization"), analyze(&mut a, "embolisation"));
        assert_eq!(analyze(&mut a, "Œsophagus"), analyze(&mut a, "oesophagus"));
    }

    #[test]
    fn the_lexicon_is_loaded_from_content() {
        let lex = Lexicon::new(Knowledge::embedded());
        assert!(lex.synonyms.len() >= 40, "synonym groups: {}", lex.synonyms.len());
        assert!(lex.stop.contains("what") && lex.everyday.contains("best") && lex.weak.contains("liver"));
        assert!(lex.expansions.iter().any(|e| e.replace && e.from.iter().any(|p| p == &["first", "line"])));
    }
}
