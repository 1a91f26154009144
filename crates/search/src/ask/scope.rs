//! Scope: whether a question is about what Hepatica covers, and the notes
//! given when it is not.
//!
//! A question is answered whenever any part of it matches our content in a
//! way that shows it is about cancer care: a phrase from the lexicon, or a word
//! that is more than an everyday word. Only a question with no such word (or
//! one that names a primary liver cancer, which Hepatica does not cover) gets
//! the out-of-scope note instead of results. An everyday word that our content
//! happens to use ("results", "best") is not enough on its own, and a question
//! whose known words are a small minority of its words is judged on how
//! specific those words are (see [`Scope::in_scope`]).

use hepatica_knowledge::Knowledge;

use super::snippets::one_line;

/// What the planner learnt about a question's words, for the scope decision.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Scope {
    /// Words of the question that are not stop words.
    pub(crate) content_words: usize,
    /// Of those, how many are known to our content (a typo correction counts half).
    pub(crate) matched: f32,
    /// Of those, how many are more than everyday words.
    pub(crate) domain_words: usize,
    /// Of those, how many are specific: a lexicon phrase, or a word few documents use.
    pub(crate) specific_words: usize,
}

impl Scope {
    /// In scope when a specific word matched, or, failing that, when at least
    /// one domain word matched and known words are at least half the question.
    pub(crate) fn in_scope(&self) -> bool {
        if self.content_words == 0 || self.domain_words == 0 {
            return false;
        }
        self.specific_words > 0 || self.matched * 2.0 >= self.content_words as f32
    }
}

/// Said when a question is about cancer that started in the liver, which Hepatica does not cover.
pub(crate) const PRIMARY_LIVER_NOTE: &str = "Hepatica covers cancer that started somewhere else and spread to the liver. \
It does not cover cancer that started in the liver (primary liver cancer, such as hepatocellular carcinoma). \
Please ask your care team, or a support line such as the British Liver Trust.";

/// Whether a question is about primary liver cancer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PrimaryLiver {
    /// Not about primary liver cancer.
    No,
    /// Names a primary liver cancer type (HCC, cholangiocarcinoma): nothing here answers it.
    Named,
    /// Mentions primary liver cancer, perhaps to compare: answer, with the note.
    Mentioned,
}

pub(crate) fn primary_liver_cancer(question: &str) -> PrimaryLiver {
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
pub(crate) fn out_of_scope_note(kb: &Knowledge) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_liver_cancer_is_named_as_out_of_scope() {
        assert_eq!(primary_liver_cancer("hepatocellular carcinoma treatment"), PrimaryLiver::Named);
        assert_eq!(primary_liver_cancer("What is HCC?"), PrimaryLiver::Named);
        assert_eq!(primary_liver_cancer("is this the same as primary liver cancer"), PrimaryLiver::Mentioned);
        assert_eq!(primary_liver_cancer("what is SIRT"), PrimaryLiver::No);
        assert_eq!(primary_liver_cancer("lymph nodes in the chest"), PrimaryLiver::No, "no false match inside words");
    }

    #[test]
    fn scope_needs_a_domain_word() {
        let s = Scope { content_words: 3, matched: 1.0, domain_words: 0, specific_words: 0 };
        assert!(!s.in_scope());
        let s = Scope { content_words: 8, matched: 2.0, domain_words: 2, specific_words: 1 };
        assert!(s.in_scope(), "a wordy question with one specific word is answered");
        let s = Scope { content_words: 3, matched: 1.0, domain_words: 1, specific_words: 0 };
        assert!(!s.in_scope(), "one common word among unknown ones is not enough");
    }
}
