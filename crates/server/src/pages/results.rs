//! The results page as a decision aid (`GET /results?a=<sealed answers>`).
//!
//! Reading order follows the NHS design system and patient decision aids
//! (Option Grid, Ottawa): one plain sentence about the situation, then all
//! nine options at a glance (status, what each involves, what it can offer
//! and cost, as natural frequencies where a source gives them), the choice
//! not to have treatment, "what you told us" with change links, what to do
//! next, clinical trials, what matters most and a question builder for the
//! appointment sheet. Detail, reasons, sources and long lists sit in
//! `<details>`, and what the page would otherwise say twice is said once, so
//! a typical case is at most 10 phone screens long. Carer mode ([`Voice`]) words everything in the third person
//! or as things to ask together. Everything shown comes from the engine's
//! assessment or the knowledge base; nothing here decides anything.

use hepatica_engine::{Assessment, Biomarker, OptionAssessment, Suitability};
use hepatica_knowledge::Knowledge;
use maud::{Markup, html};

use super::gloss::Gloss;
use super::{cite, suitability_label};
use crate::AppState;
use crate::form::{Answers, BIOMARKER_GROUPS, Input, QUESTIONS, Wording, biomarker_value_label, number, on_patient_form, question};

/// Pronouns for the results page: the reader, or the person they care for.
#[derive(Clone, Copy)]
pub struct Voice {
    /// The reader is a carer.
    pub carer: bool,
}

impl Voice {
    /// The voice the answers ask for.
    pub fn of(answers: &Answers) -> Voice {
        Voice { carer: answers.carer() }
    }
    /// "your" or "their".
    pub fn your(self) -> &'static str {
        if self.carer { "their" } else { "your" }
    }
    /// "you" or "they".
    pub fn you(self) -> &'static str {
        if self.carer { "they" } else { "you" }
    }
    /// "You" or "They".
    pub fn you_cap(self) -> &'static str {
        if self.carer { "They" } else { "You" }
    }
    /// "Your" or "Their".
    pub fn your_cap(self) -> &'static str {
        if self.carer { "Their" } else { "Your" }
    }
    /// A knowledge-base text in this voice ("" when the id is missing).
    pub fn text<'k>(self, kb: &'k Knowledge, id: &str) -> &'k str {
        match kb.questionnaire.text(id) {
            Some(t) if self.carer => t.carer.as_deref().unwrap_or(&t.patient),
            Some(t) => &t.patient,
            None => "",
        }
    }
    /// A knowledge-base text's heading in this voice.
    pub fn heading(self, kb: &Knowledge, id: &str) -> String {
        let h = kb.questionnaire.text(id).and_then(|t| t.heading.as_deref()).unwrap_or("");
        if self.carer { h.replace("to you", "to them") } else { h.to_string() }
    }
    /// A question to ask, in this voice (carers get it in the third person).
    pub fn question(self, q: &str) -> String {
        if self.carer { third_person(q) } else { q.to_string() }
    }
    /// The disclaimer in this voice.
    pub fn disclaimer(self, kb: &Knowledge) -> String {
        let t = self.text(kb, "disclaimer");
        if t.is_empty() { kb.meta.disclaimer.clone() } else { t.to_string() }
    }
}

/// Rewrites a first-person question ("Would I need …", "my scans") in the third
/// person, so a carer can ask it about the person they care for.
pub fn third_person(s: &str) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let (core, tail) = split_punct(w);
        let next = words.get(i + 1).map(|n| split_punct(n).0.to_ascii_lowercase()).unwrap_or_default();
        let prev = if i > 0 { split_punct(words[i - 1]).0.to_ascii_lowercase() } else { String::new() };
        let replaced = match core {
            "I" => Some("they"),
            "I'm" | "I\u{2019}m" => Some("they're"),
            "I've" | "I\u{2019}ve" => Some("they've"),
            "I'd" | "I\u{2019}d" => Some("they'd"),
            "I'll" | "I\u{2019}ll" => Some("they'll"),
            "me" => Some("them"),
            "my" => Some("their"),
            "My" => Some("Their"),
            "mine" => Some("theirs"),
            "myself" => Some("themselves"),
            "am" if next == "i" => Some("are"),
            "Am" if next == "i" => Some("Are"),
            "was" if next == "i" || prev == "i" => Some("were"),
            "Was" if next == "i" => Some("Were"),
            "am" if prev == "i" => Some("are"),
            _ => None,
        };
        out.push(match replaced {
            Some(r) => format!("{r}{tail}"),
            None => w.to_string(),
        });
    }
    out.join(" ")
}

/// Words after which "you" is the object ("tell you", "for you"): "them".
const OBJECT_AFTER: &[&str] = &[
    "to", "for", "with", "at", "from", "about", "on", "by", "of", "near", "than", "like", "into", "around", "tell", "tells", "told",
    "give", "gives", "given", "help", "helps", "let", "lets", "make", "makes", "protect", "protects", "refer", "see", "sees", "suit",
    "suits", "ask", "asks", "send", "show", "shows", "call", "calls", "keep", "keeps", "offer", "offers", "invite", "check", "checks",
    "teach", "support", "supports", "treat", "treats", "put", "puts", "get", "gets", "leave", "leaves", "allow", "allows", "cause",
    "causes", "affect", "affects", "harm", "wake", "remind", "want", "wants", "need", "needs", "expect", "guide", "contact", "visit",
];

/// Words that start a verb phrase after "you" ("you are", "you usually get"): "they".
const VERB_AFTER: &[&str] = &[
    "are",
    "were",
    "do",
    "did",
    "don't",
    "can",
    "can't",
    "cannot",
    "could",
    "may",
    "might",
    "must",
    "need",
    "will",
    "won't",
    "would",
    "should",
    "shall",
    "have",
    "had",
    "get",
    "feel",
    "go",
    "stay",
    "take",
    "see",
    "know",
    "want",
    "choose",
    "live",
    "lie",
    "sleep",
    "find",
    "start",
    "keep",
    "notice",
    "eat",
    "drink",
    "come",
    "lose",
    "ask",
    "talk",
    "think",
    "decide",
    "become",
    "wear",
    "use",
    "hold",
    "breathe",
    "wake",
    "spend",
    "travel",
    "return",
    "carry",
    "receive",
    "give",
    "say",
    "tell",
    "meet",
    "join",
    "speak",
    "look",
    "move",
    "visit",
    "agree",
    "prefer",
    "like",
    "usually",
    "often",
    "also",
    "still",
    "then",
    "only",
    "first",
    "sometimes",
    "normally",
    "probably",
    "just",
    "always",
    "never",
    "already",
    "each",
    "pass",
    "leave",
    "swallow",
    "wait",
    "reach",
    "work",
    "drive",
    "rest",
    "recover",
    "walk",
    "shower",
    "bathe",
    "develop",
    "experience",
];

/// Rewrites a text that speaks to the patient ("You are fully asleep", "refer
/// you", "your scans") in the third person, for a carer reading about the
/// person they care for ("They are fully asleep", "refer them", "their
/// scans"); first-person words go through [`third_person`]. "you" is "them"
/// after a preposition or a verb that takes an object, "they" before a verb
/// and at the start of a sentence. Line breaks are kept.
pub fn carer_words(text: &str) -> String {
    let pieces: Vec<&str> = text.split_inclusive(char::is_whitespace).collect();
    let bare =
        |p: &str| -> String { p.trim().trim_matches(|c: char| c.is_ascii_punctuation() && c != '\'' && c != '-').to_ascii_lowercase() };
    let word_at = |i: usize| -> String { pieces.get(i).map(|p| bare(p)).unwrap_or_default() };
    let mut out = String::with_capacity(text.len() + 16);
    for (i, piece) in pieces.iter().enumerate() {
        let word = piece.trim_end();
        let ws = &piece[word.len()..];
        let lead_len = word.len() - word.trim_start_matches(['(', '"', '\u{201c}']).len();
        let (lead, rest) = word.split_at(lead_len);
        let (core, tail) = split_punct(rest);
        // The previous and next words, skipping whitespace-only pieces.
        let prev = (0..i).rev().map(&word_at).find(|w| !w.is_empty()).unwrap_or_default();
        let prev_ends_sentence =
            (0..i).rev().map(|j| pieces[j].trim()).find(|w| !w.is_empty()).is_none_or(|w| w.ends_with(['.', '!', '?', ':']));
        let next = (i + 1..pieces.len()).map(&word_at).find(|w| !w.is_empty()).unwrap_or_default();
        let ends_clause = tail.chars().any(|c| matches!(c, '.' | ',' | ';' | ':' | '?' | '!' | ')'));
        let subject = || {
            if OBJECT_AFTER.contains(&prev.as_str()) || ends_clause {
                false
            } else {
                prev_ends_sentence || VERB_AFTER.contains(&next.as_str())
            }
        };
        let replaced: Option<String> = match core {
            "You" => Some(if prev_ends_sentence || VERB_AFTER.contains(&next.as_str()) { "They" } else { "Them" }.into()),
            "you" => Some(if subject() { "they" } else { "them" }.into()),
            "Your" => Some("Their".into()),
            "your" => Some("their".into()),
            "yours" => Some("theirs".into()),
            "yourself" | "yourselves" => Some("themselves".into()),
            "Yourself" => Some("Themselves".into()),
            "you're" | "you\u{2019}re" => Some("they're".into()),
            "You're" | "You\u{2019}re" => Some("They're".into()),
            "you've" | "you\u{2019}ve" => Some("they've".into()),
            "You've" | "You\u{2019}ve" => Some("They've".into()),
            "you'll" | "you\u{2019}ll" => Some("they'll".into()),
            "You'll" | "You\u{2019}ll" => Some("They'll".into()),
            "you'd" | "you\u{2019}d" => Some("they'd".into()),
            "You'd" | "You\u{2019}d" => Some("They'd".into()),
            _ => None,
        };
        match replaced {
            Some(r) => {
                out.push_str(lead);
                out.push_str(&r);
                out.push_str(tail);
            }
            None => out.push_str(word),
        }
        out.push_str(ws);
    }
    out.split('\n').map(third_person).collect::<Vec<_>>().join("\n")
}

fn split_punct(w: &str) -> (&str, &str) {
    let end = w.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '\'').len();
    w.split_at(end)
}

/// First-person words a carer page must not contain.
pub const FIRST_PERSON: &[&str] = &["I", "I'm", "I've", "I'd", "I'll", "me", "my", "mine", "myself"];

/// The primary site in running text, after "has" ("cancer that started in the bowel").
pub fn site_phrase(site: &str) -> &'static str {
    match site {
        "bowel" => "cancer that started in the bowel",
        "breast" => "cancer that started in the breast",
        "prostate" => "cancer that started in the prostate",
        "lung" => "cancer that started in the lung",
        "melanoma" => "a melanoma that started in the skin",
        "uveal_melanoma" => "a melanoma that started in the eye",
        "neuroendocrine" => "a neuroendocrine tumour (NET)",
        "pancreas" => "cancer that started in the pancreas",
        "stomach" => "cancer that started in the stomach",
        "oesophagus" => "cancer that started in the oesophagus (food pipe)",
        "kidney" => "cancer that started in the kidney",
        "ovary" => "cancer that started in the ovary",
        "womb" => "cancer that started in the womb",
        "gist" => "a GIST (gastrointestinal stromal tumour)",
        "unknown" => "cancer of unknown primary (doctors could not find where it started)",
        _ => "cancer that started somewhere else in the body",
    }
}

/// The plain name of a primary site's cancer, as people say it ("pancreatic
/// cancer", "cancer of the womb"), for running text such as "unlikely for ...".
pub fn site_name(site: &str) -> &'static str {
    match site {
        "bowel" => "bowel cancer",
        "breast" => "breast cancer",
        "prostate" => "prostate cancer",
        "lung" => "lung cancer",
        "melanoma" => "melanoma of the skin",
        "uveal_melanoma" => "melanoma of the eye",
        "neuroendocrine" => "a neuroendocrine tumour (NET)",
        "pancreas" => "pancreatic cancer",
        "stomach" => "stomach cancer",
        "oesophagus" => "cancer of the oesophagus (food pipe)",
        "kidney" => "kidney cancer",
        "ovary" => "ovarian cancer",
        "womb" => "cancer of the womb",
        "gist" => "a GIST (gastrointestinal stromal tumour)",
        "unknown" => "cancer of unknown primary",
        _ => "a cancer that started somewhere else",
    }
}

/// A place the cancer has spread to, after "spread to" ("the bones").
fn spread_place(key: &str) -> &'static str {
    match key {
        "lung" => "the lungs",
        "bone" => "the bones",
        "brain" => "the brain",
        "lymph_nodes" => "lymph nodes (glands) outside the liver",
        "peritoneum" => "the lining of the tummy (peritoneum)",
        "adrenal" => "the adrenal glands",
        _ => "another part of the body",
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Plain sentences about the situation, from the answers: where the cancer
/// started and where it has spread, then the tumours in the liver, if known.
pub fn situation(answers: &Answers, v: Voice) -> String {
    let site = answers.get("primary_site").unwrap_or("other");
    let who = if v.carer { "You told us the person you care for has " } else { "You told us you have " };
    let mut s = format!("{who}{} that has spread to the liver", site_phrase(site));
    let spread = answers.all("spread_elsewhere");
    let places: Vec<&str> = question("spread_elsewhere")
        .map(|q| q.choices.iter().filter(|c| spread.contains(&c.value.as_str())).map(|c| spread_place(&c.value)).collect())
        .unwrap_or_default();
    if spread.contains(&"none") {
        s.push_str(" and nowhere else.");
    } else if !places.is_empty() {
        s.push_str(" and also to ");
        s.push_str(&and_list(&places));
        s.push('.');
    } else if spread.contains(&"unknown") {
        s.push_str(". It is not known yet if it has spread anywhere else.");
    } else {
        s.push('.');
    }
    let count = answers.get("liver.tumour_count").and_then(|n| number(n).ok()).and_then(|n| n.as_i64());
    let sides = match answers.get("liver.both_lobes") {
        Some("true") => Some("both sides"),
        Some("false") => Some("one side"),
        _ => None,
    };
    match (count, sides) {
        (Some(1), Some("one side") | None) => s.push_str(" There is 1 tumour in the liver."),
        (Some(1), Some(side)) => s.push_str(&format!(" There is 1 tumour in the liver, on {side} of it.")),
        (Some(n), None) => s.push_str(&format!(" There are {n} tumours in the liver.")),
        (Some(n), Some(side)) => s.push_str(&format!(" There are {n} tumours in the liver, on {side} of it.")),
        (None, Some(side)) => s.push_str(&format!(" The cancer is on {side} of the liver.")),
        (None, None) => {}
    }
    if let Some(p) = primary_removed(answers) {
        s.push(' ');
        s.push_str(p);
    }
    if let Some(had) = treatments_so_far(Knowledge::embedded(), answers, v) {
        s.push(' ');
        s.push_str(&had);
    }
    if let Some(r) = test_results(Knowledge::embedded(), answers) {
        s.push(' ');
        s.push_str(&r);
    }
    // Jaundice and a blocked bile duct change several options (ablation,
    // embolisation, most drug treatments), so the opening sentence names them.
    match (answers.get("liver_function.jaundice") == Some("true"), answers.get("liver_function.biliary_obstruction") == Some("true")) {
        (true, true) => s.push_str(" Jaundice (yellow skin or eyes) and a blocked bile duct change some of the options."),
        (true, false) => s.push_str(" Jaundice (yellow skin or eyes) changes some of the options."),
        (false, true) => s.push_str(" A blocked bile duct changes some of the options."),
        (false, false) => {}
    }
    s
}

/// Whether the main (first) tumour has been removed, as a sentence, when the
/// answer was given: it decides much of what surgery and the drug treatments mean.
pub fn primary_removed(answers: &Answers) -> Option<&'static str> {
    match answers.get("primary_resected") {
        Some("true") => Some("The main (first) tumour has been removed."),
        Some("false") => Some("The main (first) tumour has not been removed."),
        _ => None,
    }
}

/// The test results given that the assessment for this primary site reads
/// ([`hepatica_engine::biomarkers_for_site`], the form's own source), in plain
/// words and contract order: "Test results: KRAS gene normal, BRAF V600 change
/// not found and HER2-low." The words are the questionnaire's and
/// `content/labels.toml`'s, without their brackets. `None` when none was given.
pub fn test_results(kb: &Knowledge, answers: &Answers) -> Option<String> {
    let site = answers.get("primary_site").and_then(hepatica_engine::PrimarySite::parse)?;
    let read = hepatica_engine::biomarkers_for_site(kb, site);
    let mut said: Vec<String> = Vec::new();
    for b in Biomarker::ALL.iter().filter(|b| read.contains(b)) {
        let Some(value) = answers
            .get(&format!("biomarkers.{}", b.as_str()))
            .and_then(hepatica_engine::BiomarkerValue::parse)
            .filter(|v| Biomarker::values(*b).contains(v))
        else {
            continue;
        };
        let name = crate::form::biomarker_question(*b).patient;
        let words = without_brackets(biomarker_value_label(*b, value, Wording::Patient));
        // "HER2-low" and "MSI-high or dMMR" name the test themselves.
        let first = name.split([' ', '-']).next().unwrap_or(name);
        said.push(if words.starts_with(first) { words } else { format!("{name} {}", lower_first(&words)) });
    }
    if said.is_empty() {
        return None;
    }
    let said: Vec<&str> = said.iter().map(String::as_str).collect();
    Some(format!("Test results: {}.", and_list(&said)))
}

/// Text with any part in brackets left out ("Normal (wild type)" is "Normal").
fn without_brackets(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for ch in s.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first letter in lower case, unless the word is an abbreviation ("Not found" is "not found", "HER2" stays).
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if b.is_lowercase() || b == ' ' => format!("{}{}", a.to_lowercase(), &s[a.len_utf8()..]),
        _ => s.to_string(),
    }
}

/// Earlier treatments that are not drugs, in running text after "had".
fn local_treatment(value: &str) -> Option<&'static str> {
    Some(match value {
        "liver_surgery" => "an operation on the liver",
        "ablation" => "ablation",
        "tace" => "chemoembolisation (TACE)",
        "sirt" => "SIRT (radioactive beads)",
        "liver_radiotherapy" => "radiotherapy to the liver",
        _ => return None,
    })
}

/// A kind of drug in running text after "had" (the words of the option titles).
fn class_words(c: hepatica_knowledge::DrugClass) -> &'static str {
    use hepatica_knowledge::DrugClass::*;
    match c {
        Chemotherapy => "chemotherapy",
        TargetedTherapy => "targeted therapy",
        HormonalTherapy => "hormonal therapy",
        Immunotherapy => "immunotherapy",
        Radionuclide => "radionuclide therapy",
        Supportive => "supportive medicines",
    }
}

/// The kind of drug an earlier-treatment answer names: the class of the first
/// drug or regimen of the catalogue its words name (name or brand, any case),
/// or hormonal therapy for the answers that name no drug ("Hormone tablets or
/// injections ..."). `None` for the treatments that are not drugs.
pub fn previous_kind(kb: &Knowledge, value: &str) -> Option<hepatica_knowledge::DrugClass> {
    if local_treatment(value).is_some() {
        return None;
    }
    let label = question("treatment_history.previous")?.answer_label(value);
    let words: Vec<String> = label.split(|c: char| !c.is_alphanumeric() && c != '-').map(str::to_lowercase).collect();
    let named = words.iter().find_map(|w| {
        kb.drugs.iter().find(|d| std::iter::once(&d.name).chain(&d.brand_names).any(|n| n.to_lowercase() == *w)).map(|d| d.class)
    });
    named.or_else(|| ["endocrine", "androgen_deprivation"].contains(&value).then_some(hepatica_knowledge::DrugClass::HormonalTherapy))
}

/// A sentence or two on the treatments had so far, in plain words and in this
/// voice ("You have had chemotherapy and an operation on the liver. The cancer
/// grew despite chemotherapy."): the kinds of drug ticked, the treatments to
/// the liver ticked, and chemotherapy when the chemotherapy answer says there
/// was some. `None` when nothing about earlier treatment was answered.
pub fn treatments_so_far(kb: &Knowledge, answers: &Answers, v: Voice) -> Option<String> {
    let ticked = answers.all("treatment_history.previous");
    let mut had: Vec<String> = Vec::new();
    let mut add = |w: &'static str| {
        if !had.iter().any(|h| h == w) {
            had.push(w.to_string());
        }
    };
    let chemo = answers.get("chemotherapy_history");
    if matches!(chemo, Some("responding" | "stable" | "refractory" | "intolerant")) {
        add(class_words(hepatica_knowledge::DrugClass::Chemotherapy));
    }
    let mut local: Vec<&'static str> = Vec::new();
    // The chemotherapy named in the answers ticked, in plain words ("FOLFOX or CAPOX").
    let mut regimens: Vec<String> = Vec::new();
    for c in ticked.iter().filter(|c| !["none", "unknown"].contains(c)) {
        if previous_kind(kb, c) == Some(hepatica_knowledge::DrugClass::Chemotherapy) {
            let label = question("treatment_history.previous").map(|q| q.answer_label(c)).unwrap_or_default();
            let names = chemotherapy_names(kb, &label);
            if !names.is_empty() && !regimens.contains(&names) {
                regimens.push(names);
            }
        }
    }
    for c in ticked.iter().filter(|c| !["none", "unknown"].contains(c)) {
        if let Some(l) = local_treatment(c) {
            if !local.contains(&l) {
                local.push(l);
            }
        } else if let Some(k) = previous_kind(kb, c) {
            add(class_words(k));
        }
    }
    // Chemotherapy first, then the other drugs in the order ticked, then the liver treatments.
    if let Some(i) = had.iter().position(|w| w == "chemotherapy") {
        let w = had.remove(i);
        had.insert(
            0,
            if regimens.is_empty() { w } else { format!("{w} ({})", and_list(&regimens.iter().map(String::as_str).collect::<Vec<_>>())) },
        );
    }
    had.extend(local.iter().map(|l| l.to_string()));
    let had: Vec<&str> = had.iter().map(String::as_str).collect();
    let who = v.you_cap();
    let mut s = if had.is_empty() {
        match (chemo, ticked.contains(&"none")) {
            (Some("none"), _) | (None, true) => format!("{who} have not had chemotherapy yet."),
            _ => return None,
        }
    } else {
        format!("{who} have had {}.", and_list(&had))
    };
    let outcome = match chemo {
        Some("responding") => Some("The cancer shrank with chemotherapy."),
        Some("stable") => Some("The cancer stayed the same with chemotherapy."),
        Some("refractory") => Some("The cancer grew despite chemotherapy."),
        Some("intolerant") => Some("Chemotherapy had to stop because of side effects."),
        _ => None,
    };
    if let Some(o) = outcome {
        s.push(' ');
        s.push_str(o);
    }
    Some(s)
}

/// The chemotherapy an earlier-treatment answer names, as its words write them
/// and outside brackets, each name a drug, brand or regimen of the catalogue
/// (or one of its other names, such as 5-FU): "FOLFOX or CAPOX" from "FOLFOX or
/// CAPOX (oxaliplatin)", "capecitabine or 5-FU" from "Capecitabine tablets or
/// 5-FU through a drip". A drug's own name is lower case in running text.
pub fn chemotherapy_names(kb: &Knowledge, label: &str) -> String {
    let outside = without_brackets(label);
    let chemo = || kb.drugs.iter().filter(|d| d.class == hepatica_knowledge::DrugClass::Chemotherapy);
    let mut names: Vec<String> = Vec::new();
    for word in outside.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()) {
        let w = word.to_lowercase();
        let Some(d) = chemo().find(|d| std::iter::once(&d.name).chain(&d.brand_names).chain(&d.aliases).any(|n| n.to_lowercase() == w))
        else {
            continue;
        };
        let generic = d.kind == hepatica_knowledge::DrugKind::Drug && d.name.to_lowercase() == w;
        let name = if generic { w } else { word.to_string() };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(" or ")
}

/// One answer as the summary list shows it.
pub struct Told {
    /// Form field name.
    pub name: &'static str,
    /// The question, short.
    pub label: String,
    /// The answer in words (numbers as read, so "1,200" shows as 1200).
    pub value: String,
    /// HTML id of the question's first input, for the change link.
    pub anchor: String,
}

/// An answer naming regimens from the drug catalogue ("FOLFOX or CAPOX
/// (oxaliplatin)"), with each regimen's drugs in plain words: "FOLFOX (folinic
/// acid, fluorouracil and oxaliplatin) or CAPOX (capecitabine and
/// oxaliplatin)". Other answers are returned as they are.
pub fn with_regimen_drugs(kb: &Knowledge, label: &str) -> String {
    let mut found: Vec<(usize, &hepatica_knowledge::Drug)> = Vec::new();
    for d in kb.drugs.iter().filter(|d| d.kind == hepatica_knowledge::DrugKind::Regimen && !d.components.is_empty()) {
        let at = label.match_indices(d.name.as_str()).map(|(i, _)| i).find(|&i| {
            let before = label[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after = label[i + d.name.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            before && after
        });
        if let Some(i) = at {
            found.push((i, d));
        }
    }
    if found.is_empty() {
        return label.to_string();
    }
    found.sort_by_key(|(i, _)| *i);
    let parts: Vec<String> = found
        .iter()
        .map(|(_, d)| {
            let names: Vec<String> =
                d.components.iter().map(|c| kb.drug(c).map(|x| x.name.to_lowercase()).unwrap_or_else(|| c.replace('-', " "))).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            format!("{} ({})", d.name, and_list(&names))
        })
        .collect();
    parts.join(" or ")
}

/// Earlier treatments that are not drugs (they do not count as drug treatments).
const LOCAL_TREATMENTS: &[&str] = &["liver_surgery", "ablation", "tace", "sirt", "liver_radiotherapy"];

/// Whether an answer's words name a chemotherapy drug or regimen of the catalogue (name or brand, any case).
fn names_chemotherapy(kb: &Knowledge, label: &str) -> bool {
    let words: Vec<String> = label.split(|c: char| !c.is_alphanumeric() && c != '-').map(str::to_lowercase).collect();
    kb.drugs
        .iter()
        .filter(|d| d.class == hepatica_knowledge::DrugClass::Chemotherapy)
        .any(|d| std::iter::once(&d.name).chain(&d.brand_names).any(|n| words.iter().any(|w| *w == n.to_lowercase())))
}

/// A soft note when the treatment answers disagree with each other: more drug
/// treatments ticked than the count of treatments that ended allows (two or
/// more over it: drugs given together, or the one now, can explain one), or
/// chemotherapy ticked after "No chemotherapy yet". Never a block: both
/// answers are kept and used as given, and the person can check with the team.
pub fn history_check(kb: &Knowledge, answers: &Answers, v: Voice) -> Option<String> {
    let q = question("treatment_history.previous")?;
    let ticked: Vec<&str> = answers
        .all("treatment_history.previous")
        .into_iter()
        .filter(|c| !["none", "unknown"].contains(c) && !LOCAL_TREATMENTS.contains(c))
        .collect();
    if ticked.is_empty() {
        return None;
    }
    // The clearer disagreement first: chemotherapy ticked after "No chemotherapy
    // yet" cannot both be right, whereas more treatments than ended lines can.
    let chemo = ticked.iter().any(|c| names_chemotherapy(kb, &q.answer_label(c)));
    if answers.get("chemotherapy_history") == Some("none") && chemo {
        return Some(v.text(kb, "told.chemo-check").to_string());
    }
    let lines = answers.get("treatment_history.lines_of_systemic_therapy").and_then(|n| number(n).ok()).and_then(|n| n.as_u64());
    lines
        .filter(|l| ticked.len() as u64 >= l + 2)
        .map(|lines| v.text(kb, "told.lines-check").replace("{ticked}", &ticked.len().to_string()).replace("{lines}", &lines.to_string()))
}

/// Every answer given, in form order, in words.
pub fn told(answers: &Answers, wording: Wording) -> Vec<Told> {
    let mut out = Vec::new();
    let carer = answers.carer();
    for q in QUESTIONS.iter().filter(|q| q.name != "id" || wording == Wording::Clinician) {
        let value = match q.input {
            Input::Checklist => {
                let chosen = answers.all(q.name);
                if chosen.contains(&"none") {
                    q.none_label(wording).split(':').next().unwrap_or_default().to_string()
                } else {
                    // Every box ticked, in the list's order, each value once.
                    let mut words: Vec<String> = Vec::new();
                    for c in chosen.iter().filter(|c| **c != "unknown") {
                        let w = with_regimen_drugs(Knowledge::embedded(), &q.answer_label(c));
                        if !words.contains(&w) {
                            words.push(w);
                        }
                    }
                    words.join(", ")
                }
            }
            _ => match answers.get(q.name) {
                None => String::new(),
                Some(raw) => match q.input {
                    Input::Choice => q.answer_label(raw),
                    Input::YesNo => match raw {
                        "true" => "Yes".into(),
                        "false" => "No".into(),
                        other => other.into(),
                    },
                    Input::Whole | Input::Decimal => number(raw).map(|n| n.to_string()).unwrap_or_else(|_| raw.to_string()),
                    _ => raw.to_string(),
                },
            },
        };
        if !value.is_empty() {
            out.push(Told { name: q.name, label: q.label(wording, carer).to_string(), value, anchor: q.input_id() });
        }
    }
    for (_, _, markers) in BIOMARKER_GROUPS.iter() {
        for b in *markers {
            let name = format!("biomarkers.{}", b.as_str());
            if let (Some(raw), Some(q)) = (answers.get(&name), question(&name)) {
                let value = hepatica_engine::BiomarkerValue::parse(raw)
                    .filter(|v| Biomarker::values(*b).contains(v))
                    .map(|v| biomarker_value_label(*b, v, wording).to_string())
                    .unwrap_or_else(|| raw.to_string());
                out.push(Told { name: q.name, label: q.patient.to_string(), value, anchor: q.input_id() });
            }
        }
    }
    out
}

/// The NHS summary list of answers; with a token, each row has a change link
/// back to its question, answers kept.
pub fn summary_list(answers: &Answers, token: Option<&str>, wording: Wording) -> Markup {
    let rows = told(answers, wording);
    let v = Voice::of(answers);
    html! {
        dl.summary-list {
            div.summary-row {
                dt { "Who this is for" }
                dd { @if v.carer { "Someone you care for" } @else { "Yourself" } }
                @if let Some(t) = token {
                    dd.summary-change.no-print { a href={ "/check?a=" (t) "#f-for-self" } { "Change" span.visually-hidden { " who this is for" } } }
                }
            }
            @for r in &rows {
                div.summary-row {
                    dt { (r.label) }
                    dd { (r.value) }
                    @if let Some(t) = token {
                        dd.summary-change.no-print { a href={ "/check?a=" (t) "#" (r.anchor) } { "Change" span.visually-hidden { " " (r.label.trim_end_matches('?').to_lowercase()) } } }
                    }
                }
            }
        }
        @if wording == Wording::Patient {
            @if let Some(note) = history_check(Knowledge::embedded(), answers, v) {
                div.callout.warning.history-check role="note" { p { (note) } }
            }
        }
        @let skipped = QUESTIONS.iter().filter(|q| on_patient_form(q.name)).count() - rows.iter().filter(|r| on_patient_form(r.name)).count();
        @if skipped > 0 && wording == Wording::Patient {
            p.meta { (skipped) " other questions were not answered. Answering them can make the options clearer." }
        }
    }
}

/// Order of the grid: the options that fit best first.
const ORDER: [Suitability; 4] = [Suitability::Usual, Suitability::Possible, Suitability::Depends, Suitability::Unlikely];

/// The option grid: every option with its status, what it involves, and what it
/// can offer and cost; options not used for this primary site are grouped in one line.
pub fn glance(kb: &Knowledge, a: &Assessment, v: Voice, site: &str, g: &Gloss) -> Markup {
    let applies: Vec<&OptionAssessment> =
        ORDER.iter().take(3).flat_map(|s| a.options.iter().filter(move |o| o.suitability == *s)).collect();
    let unlikely: Vec<&OptionAssessment> = a.options.iter().filter(|o| o.suitability == Suitability::Unlikely).collect();
    // The "numbers come from groups" note belongs only next to a number.
    let figures_shown = applies
        .iter()
        .filter_map(|o| kb.treatment(&o.treatment).and_then(|t| t.glance_for_site(site)))
        .any(|g| g.has_figures() && g.figures_apply_to(site));
    html! {
        section.glance aria-labelledby="glance-h" {
            h2 #glance-h { "The options at a glance" }
            // One status heading over the options that share it, with how many
            // of the nine it holds, rather than the same badge on a line of its
            // own in every card and a sentence counting them again.
            @for (status, group) in ORDER.iter().take(3).map(|s| (*s, applies.iter().filter(|o| o.suitability == *s).collect::<Vec<_>>())).filter(|(_, g)| !g.is_empty()) {
                h3.og-status {
                    span class={ "badge s-" (status.as_str()) } { (suitability_label(status)) }
                    " " span.og-n { (group.len()) " of the " (a.options.len()) }
                }
                ol.grid {
                @for o in group {
                    @let row = kb.treatment(&o.treatment).and_then(|t| t.glance_for_site(site));
                    li class={ "og s-" (o.suitability.as_str()) } {
                        p.og-head {
                            a.og-title href={ "#opt-" (o.treatment) } { (title(kb, o)) }
                        }
                        @if let Some(row) = row {
                            p.og-line { (g.link(&row.involves)) }
                            @if row.figures_apply_to(site) {
                                @if let Some(off) = &row.offers { p.og-line { span.og-k { "Can offer: " } (g.link(off)) } }
                                @if let Some(h) = &row.harms { p.og-line { span.og-k { "Downsides: " } (g.link(h)) } }
                            }
                        }
                    }
                }
                }
            }
            @if figures_shown { p.meta.og-note { (g.link(v.text(kb, "groups"))) } }
            @if !unlikely.is_empty() {
                div.og-unlikely {
                    p {
                        span.badge.s-unlikely { (suitability_label(Suitability::Unlikely)) }
                        " for " (site_name(site)) " in this situation: "
                        @for (i, o) in unlikely.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "#opt-" (o.treatment) } { (title(kb, o)) }
                        }
                        "."
                    }
                }
            }
            div.og.s-choice {
                p.og-head {
                    a.og-title href="#not-having" { (v.heading(kb, "not-having")) }
                    " " span.badge.s-choice { (if v.carer { "Their choice" } else { "Your choice" }) }
                }
                p.og-line { (g.link(v.text(kb, "not-having"))) }
            }
        }
    }
}

/// The title of an option.
pub fn title<'a>(kb: &'a Knowledge, o: &'a OptionAssessment) -> &'a str {
    if o.title.is_empty() { kb.treatment(&o.treatment).map(|t| t.title.as_str()).unwrap_or(&o.treatment) } else { &o.title }
}

/// The questions for one option, in this voice.
pub fn option_questions(kb: &Knowledge, o: &OptionAssessment, v: Voice) -> Vec<String> {
    let qs: Vec<&String> = if o.questions_to_ask.is_empty() {
        kb.treatment(&o.treatment).map(|t| t.questions.iter().collect()).unwrap_or_default()
    } else {
        o.questions_to_ask.iter().collect()
    };
    qs.into_iter().map(|q| v.question(q)).collect()
}

/// One option in detail: summary, then why, what would decide it, kinds and
/// questions inside a `<details>`.
/// `link` is appended to links to the treatment pages: `?a=<token>` for a
/// carer, so the page speaks of "them" (the token is the results page's own), or "".
pub fn option_detail(kb: &Knowledge, o: &OptionAssessment, v: Voice, link: &str, g: &Gloss) -> Markup {
    let t = kb.treatment(&o.treatment);
    let title = title(kb, o);
    let summary = if o.summary.is_empty() { t.map(|t| t.summary.as_str()).unwrap_or("") } else { &o.summary };
    let sid = o.suitability.as_str();
    let questions = if o.suitability == Suitability::Unlikely { Vec::new() } else { option_questions(kb, o, v) };
    html! {
        article class={ "option s-" (sid) } aria-labelledby={ "opt-" (o.treatment) } {
            // The title links to the treatment's page (a line of its own per card was a screen in all).
            h3 id={ "opt-" (o.treatment) } { a href={ "/treatments/" (o.treatment) (link) } { (title) } " " span class={ "badge s-" (sid) } { (suitability_label(o.suitability)) } }
            // The summary sentence says the status again in words, so it opens
            // the detail rather than standing beside the badge (page length).
            details {
                summary { span { "Why, and what decides it" } }
                div.inner {
                    @if !summary.is_empty() { p { (g.link(summary)) } }
                    @if !o.reasons.is_empty() {
                        h4 { "Why" }
                        ul { @for r in &o.reasons { li { (g.link(&r.text)) (cite(kb, &r.sources)) } } }
                    }
                    @if !o.depends_on.is_empty() {
                        h4 { "What would decide it" }
                        ul { @for d in &o.depends_on { li { (g.link(d)) } } }
                    }
                    @if !o.kinds.is_empty() {
                        h4 { "Kinds" }
                        ul {
                            @for k in &o.kinds {
                                li { a href={ "/treatments/" (o.treatment) (link) "#kind-" (k.id) } { (k.title) } ": " (suitability_label(k.suitability).to_lowercase()) }
                            }
                        }
                    }
                    @if !questions.is_empty() {
                        h4 { @if v.carer { "Questions to ask together" } @else { "Questions you could ask" } }
                        ul { @for q in questions.iter().take(4) { li { (g.link(q)) } } }
                    }
                    p.no-print.more { a href={ "/treatments/" (o.treatment) (link) } { "Read more about " (title.to_lowercase()) } }
                }
            }
        }
    }
}

/// "What you can do next": MDT review, tests that would decide an option, and when to call.
pub fn what_next(kb: &Knowledge, a: &Assessment, v: Voice, g: &Gloss) -> Markup {
    let tests: Vec<String> = a
        .missing_information
        .iter()
        .filter(|m| m.pointer.starts_with("/biomarkers/"))
        .map(|m| pointer_label(&m.pointer))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let block = |id: &str| {
        let src = kb.questionnaire.text(id).map(|t| t.sources.clone()).unwrap_or_default();
        // The numbers to call are tappable (111, 999), as on the support page.
        let text = v.text(kb, id);
        let words = if id == "next.urgent" { super::support::tel_links(text) } else { g.link(text) };
        html! { h3 { (v.heading(kb, id)) } p { (words) } (cite(kb, &src)) }
    };
    html! {
        section.next aria-labelledby="next-h" {
            h2 #next-h { "What " (if v.carer { "you can do together" } else { "you can do" }) " next" }
            (block("next.mdt"))
            @if !tests.is_empty() {
                h3 { (v.heading(kb, "next.tests")) }
                // The tests in one line: each is also under "What would decide it" in the options.
                p { (g.link(v.text(kb, "next.tests"))) " " (g.link(&format!("{}.", and_list(&tests.iter().map(String::as_str).collect::<Vec<_>>())))) }
            }
            div.urgent {
                (block("next.urgent"))
                p.no-print { a href="/support#urgent" { "Signs that need help the same day" } }
            }
        }
    }
}

/// Trial finders, opened only if the person chooses a link.
pub fn trials(kb: &Knowledge, site: &str, v: Voice, g: &Gloss) -> Markup {
    let src = kb.questionnaire.text("trials").map(|t| t.sources.clone()).unwrap_or_default();
    let cond = trial_condition(site);
    html! {
        section.trials.no-print aria-labelledby="trials-h" {
            h2 #trials-h { (v.heading(kb, "trials")) }
            p { (g.link(v.text(kb, "trials"))) }
            details {
                summary { span { "Where to look for a trial" } }
                div.inner {
            (cite(kb, &src))
            ul.links {
                li { a href="https://bepartofresearch.nihr.ac.uk/" rel="noopener noreferrer" { "Be Part of Research (NIHR)" } " " span.print-url { "bepartofresearch.nihr.ac.uk" } }
                li { a href="https://www.cancerresearchuk.org/about-cancer/find-a-clinical-trial" rel="noopener noreferrer" { "Cancer Research UK trial finder" } " " span.print-url { "cancerresearchuk.org/about-cancer/find-a-clinical-trial" } }
                li {
                    a href={ "https://clinicaltrials.gov/search?cond=" (cond.replace(' ', "%20")) "&aggFilters=status:rec" } rel="noopener noreferrer" { "ClinicalTrials.gov: trials for " (cond.to_lowercase()) }
                    " " span.print-url { "clinicaltrials.gov" }
                }
            }
            p.meta { (v.text(kb, "trials.privacy")) }
                }
            }
        }
    }
}

fn trial_condition(site: &str) -> &'static str {
    match site {
        "bowel" => "Colorectal Cancer Liver Metastases",
        "breast" => "Breast Cancer Liver Metastases",
        "prostate" => "Prostate Cancer Liver Metastases",
        "lung" => "Lung Cancer Liver Metastases",
        "melanoma" => "Melanoma Liver Metastases",
        "uveal_melanoma" => "Uveal Melanoma Liver Metastases",
        "neuroendocrine" => "Neuroendocrine Tumor Liver Metastases",
        "pancreas" => "Pancreatic Cancer Liver Metastases",
        "stomach" => "Gastric Cancer Liver Metastases",
        "oesophagus" => "Esophageal Cancer Liver Metastases",
        "kidney" => "Renal Cell Carcinoma Liver Metastases",
        "ovary" => "Ovarian Cancer Liver Metastases",
        "womb" => "Endometrial Cancer Liver Metastases",
        "gist" => "GIST Liver Metastases",
        _ => "Liver Metastases",
    }
}

/// The questions the builder offers: from the options that apply, then general ones.
pub fn builder_questions(kb: &Knowledge, a: &Assessment, v: Voice) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ["ask.aim", "ask.without", "ask.mdt", "ask.tests"] {
        out.push(v.text(kb, id).to_string());
    }
    for s in ORDER.iter().take(3) {
        for o in a.options.iter().filter(|o| o.suitability == *s) {
            for q in option_questions(kb, o, v).into_iter().take(2) {
                if !out.contains(&q) {
                    out.push(q);
                }
            }
        }
    }
    for id in ["ask.trials", "ask.call"] {
        out.push(v.text(kb, id).to_string());
    }
    out.retain(|q| !q.is_empty());
    out
}

/// "What matters most" and the question builder: one form that makes the appointment sheet.
pub fn values_and_builder(kb: &Knowledge, a: &Assessment, answers: &Answers, token: &str, v: Voice) -> Markup {
    let chosen_values = answers.all("_v");
    let chosen_q = answers.all("_q");
    let own = answers.get("_own").unwrap_or("");
    html! {
        form.no-print.builder method="post" action="/sheet" {
            input type="hidden" name="a" value=(token);
            section aria-labelledby="values-h" {
                h2 #values-h { (v.heading(kb, "values").replace("to you", if v.carer { "to them" } else { "to you" })) }
                details.values open[!chosen_values.is_empty()] {
                    summary { span { "Choose what matters most (" (kb.questionnaire.values.len()) " things)" } }
                    div.inner {
                        fieldset {
                            legend { (v.text(kb, "values")) }
                            div.choices {
                                @for c in &kb.questionnaire.values {
                                    @let id = format!("v-{}", c.id);
                                    div.choice {
                                        input type="checkbox" id=(id) name="_v" value=(c.id) checked[chosen_values.contains(&c.id.as_str())];
                                        label for=(id) { (c.label) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section #builder aria-labelledby="builder-h" {
                h2 #builder-h { (v.heading(kb, "builder")) }
                // The list repeats the options' own questions: folded, open once some are chosen.
                @let offered = builder_questions(kb, a, v);
                details.questions open[!chosen_q.is_empty() || !own.is_empty()] {
                    summary { span { "Choose from " (offered.len()) " questions, or add " (if v.carer { "one of your own" } else { "your own" }) } }
                    div.inner {
                        fieldset {
                            legend { (v.text(kb, "builder")) }
                            div.choices {
                                @for (i, q) in offered.iter().enumerate() {
                                    @let id = format!("q-{i}");
                                    div.choice {
                                        input type="checkbox" id=(id) name="_q" value=(q) checked[chosen_q.contains(&q.as_str())];
                                        label for=(id) { (q) }
                                    }
                                }
                            }
                        }
                        div.question {
                            label for="f-own" { "Add " (if v.carer { "a question of your own" } else { "your own question" }) " (optional)" }
                            textarea #f-own name="_own" rows="3" maxlength="500" { (own) }
                        }
                    }
                }
            }
            div.form-actions { button.start type="submit" { "Make the appointment sheet" } }
        }
    }
}

/// The answers the engine did not use because they do not apply to this
/// primary site (its `input_warnings`), in plain words; nothing when none.
pub fn not_used(a: &Assessment, site: &str, v: Voice) -> Markup {
    let mut labels: Vec<String> = Vec::new();
    for w in &a.input_warnings {
        let l = pointer_label_as(&w.pointer, v);
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    html! {
        @if !labels.is_empty() {
            div.callout.warning role="note" {
                p { "These answers were not used, because they are not used for " (site_phrase(site)) ". It may be worth checking them with the care team:" }
                ul { @for l in &labels { li { (l) } } }
            }
        }
    }
}

/// The question that a missing-information pointer stands for.
pub fn pointer_label(pointer: &str) -> String {
    pointer_label_as(pointer, Voice { carer: false })
}

/// [`pointer_label`] in this voice (a carer reads "Is their skin ... yellow").
pub fn pointer_label_as(pointer: &str, v: Voice) -> String {
    let field = crate::form::field_for_pointer(pointer);
    match question(&field) {
        Some(q) => q.label(Wording::Patient, v.carer).trim_end_matches('?').to_string(),
        None => pointer.trim_start_matches('/').replace(['/', '_'], " "),
    }
}

/// The assessment's own texts (option summaries, reasons, what would decide
/// them, what would make them clearer) in this voice: for a carer in
/// [`carer_words`], so that "ask your team" or "whether you are up and about"
/// in a statement speaks of the person they care for (outsider phone test:
/// these reached a carer's page as written). For the person themself, as written.
pub fn in_voice(a: &Assessment, v: Voice) -> std::borrow::Cow<'_, Assessment> {
    if !v.carer {
        return std::borrow::Cow::Borrowed(a);
    }
    let mut a = a.clone();
    for o in &mut a.options {
        o.summary = carer_words(&o.summary);
        for r in &mut o.reasons {
            r.text = carer_words(&r.text);
        }
        for d in &mut o.depends_on {
            *d = carer_words(d);
        }
    }
    for m in &mut a.missing_information {
        m.why = carer_words(&m.why);
    }
    std::borrow::Cow::Owned(a)
}

/// The whole results page body.
pub fn body(state: &AppState, answers: &Answers, token: &str, a: &Assessment) -> (String, Markup) {
    let kb = state.kb();
    let v = Voice::of(answers);
    let a = &*in_voice(a, v);
    let site = answers.get("primary_site").unwrap_or("other");
    let title = format!("Treatment options to talk about with {} care team", v.your());
    let not_having = kb.questionnaire.text("not-having").map(|t| t.sources.clone()).unwrap_or_default();
    let link = if v.carer { format!("?a={token}") } else { String::new() };
    // Jargon links to the word list at its first use after the opening
    // sentence (which, like "what you told us", is the person's own words).
    let g = Gloss::new(kb);
    let body = html! {
        h1 { (title) }
        p.lede { (situation(answers, v)) }
        (glance(kb, a, v, site, &g))
        p.decision { (g.link(v.text(kb, "decision"))) }
        div.no-print.form-actions.top-actions {
            a.button.secondary href={ "/check?a=" (token) } { "Change " (if v.carer { "the" } else { "your" }) " answers" }
            a.button.secondary href="#builder" { "Make an appointment sheet" }
            button.js-print.secondary type="button" hidden { "Print" }
        }
        section aria-labelledby="told-h" {
            h2 #told-h { "What you told us" }
            (summary_list(answers, Some(token), Wording::Patient))
            (not_used(a, site, v))
        }
        (what_next(kb, a, v, &g))
        // The disclaimer says "information to discuss ... not medical advice" itself;
        // a bold lead saying the same doubled it (outsider phone test).
        div.callout { p { strong { (v.disclaimer(kb)) } } }
        section.no-print aria-labelledby="detail-h" {
            h2 #detail-h { "The options in detail" }
            @for s in ORDER {
                @for o in a.options.iter().filter(|o| o.suitability == s) { (option_detail(kb, o, v, &link, &g)) }
            }
            // Its words are in the grid already: here only its source and the page about it.
            article.choice-card #not-having aria-labelledby="not-having-h" {
                h3 #not-having-h { a href={ "/treatments/supportive_care" (link) "#choosing-not-to" } { (v.heading(kb, "not-having")) } }
                (cite(kb, &not_having))
            }
        }
        (trials(kb, site, v, &g))
        (values_and_builder(kb, a, answers, token, v))
        (scores(a, Wording::Patient))
        @if !a.missing_information.is_empty() {
            details.no-print {
                summary { span { "What would make this clearer (" (a.missing_information.len()) ")" } }
                div.inner {
                    p { "The options would be sharper if we knew more. " (v.you_cap()) " could ask the care team about:" }
                    ul { @for m in &a.missing_information { li { strong { (pointer_label_as(&m.pointer, v)) } ": " (g.link(&m.why)) } } }
                }
            }
        }
        details.no-print {
            summary { span { "Sources (" (a.sources.len()) ")" } }
            div.inner { (sources_list(a)) }
        }
        (support_section(state, v))
        // The footer gives the knowledge-base version and date.
        p.meta { "This page is not stored anywhere; its address stops working after 2 hours." }
    };
    (title, body)
}

/// The scores section (nothing when no score could be worked out).
pub fn scores(a: &Assessment, wording: Wording) -> Markup {
    let s = &a.scores;
    let any = s.fong_clinical_risk_score.is_some()
        || s.tumour_burden_score.is_some()
        || s.game_score.is_some()
        || s.future_liver_remnant.is_some();
    let inner = html! {
        dl.facts {
            @if let Some(f) = &s.fong_clinical_risk_score {
                dt { "Clinical risk score (Fong)" }
                dd { (f.value) " out of 5: " (f.group) " group." @if wording == Wording::Patient { " A higher score means the cancer is more likely to come back after surgery." } }
            }
            @if let Some(t) = &s.tumour_burden_score {
                dt { "Tumour burden score" }
                dd { (format!("{:.1}", t.value)) ": " (t.group) " group." @if wording == Wording::Patient { " It combines the number and size of the tumours." } }
            }
            @if let Some(g) = &s.game_score {
                dt { "GAME score" }
                dd { (g.value) " out of 7: " (g.group) " group." }
            }
            @if let Some(r) = &s.future_liver_remnant {
                dt { @if wording == Wording::Patient { "Liver left after surgery" } @else { "Future liver remnant" } }
                dd {
                    (format!("{:.0}", r.value)) "%; threshold " (r.threshold) "% for this liver: "
                    @if r.adequate { "adequate." } @else { "not adequate without augmentation." }
                }
            }
        }
    };
    html! {
        @if any {
            @if wording == Wording::Patient {
                details.no-print #scores {
                    summary { span { "Scores doctors use" } }
                    div.inner {
                        p { "Doctors sometimes use these scores to describe groups of people with similar cancers. They are a rough guide, not a prediction for one person." }
                        (inner)
                    }
                }
            } @else {
                section aria-labelledby="scores" { h2 #scores { "Scores" } (inner) }
            }
        }
    }
}

/// The sources cited in an assessment, as a list.
pub fn sources_list(a: &Assessment) -> Markup {
    html! {
        @if a.sources.is_empty() {
            p { "All our sources are listed on the " a href="/about#sources" { "About page" } "." }
        } @else {
            ol.sources #sources {
                @for s in &a.sources {
                    li { a href={ "/sources/" (s.id) } { (s.title) } " (" (s.publisher) ", " (s.year) ")" }
                }
            }
        }
    }
}

/// Support signposting.
pub fn support_section(state: &AppState, v: Voice) -> Markup {
    html! {
        section.no-print aria-labelledby="support" {
            h2 #support { "Support" }
            p { "Talking to someone can help. " (v.your_cap()) " care team, including a specialist nurse, is the first place to ask." }
            details {
                summary { span { "Support lines that can help" } }
                div.inner {
                    p { "These services can help too:" }
                    ul {
                        @for s in state.support().iter().take(3) {
                            li { strong { (s.name) } ": " (super::support::tel_links(&s.how)) }
                        }
                    }
                }
            }
            p { a href="/support" { "More support services" } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hepatica_knowledge::PRIMARY_SITES;

    #[test]
    fn third_person_questions() {
        assert_eq!(third_person("Would I need chemotherapy before the operation?"), "Would they need chemotherapy before the operation?");
        assert_eq!(third_person("Has a team looked at my scans?"), "Has a team looked at their scans?");
        assert_eq!(third_person("What are the risks for me?"), "What are the risks for them?");
        assert_eq!(third_person("Am I fit enough, and was I well enough?"), "Are they fit enough, and were they well enough?");
        assert_eq!(third_person("My liver: I'm worried."), "Their liver: they're worried.");
    }

    #[test]
    fn carer_words_speak_of_them() {
        let c = carer_words;
        assert_eq!(
            c("You are fully asleep. You do not need to be in hospital."),
            "They are fully asleep. They do not need to be in hospital."
        );
        assert_eq!(c("They cannot say what will happen to you."), "They cannot say what will happen to them.");
        assert_eq!(c("Enough liver must be left for you to stay well."), "Enough liver must be left for them to stay well.");
        assert_eq!(c("It may not be possible if you are not fit enough."), "It may not be possible if they are not fit enough.");
        assert_eq!(
            c("Your local team can refer you. You can ask them to send your scans."),
            "Their local team can refer them. They can ask them to send their scans."
        );
        assert_eq!(
            c("It helps you live well, and tablets you usually take at home."),
            "It helps them live well, and tablets they usually take at home."
        );
        assert_eq!(
            c("Look after yourself.\n\nIt is for you and for my family."),
            "Look after themselves.\n\nIt is for them and for their family."
        );
    }

    #[test]
    fn treatment_pages_in_carer_words_never_say_you() {
        let kb = Knowledge::embedded();
        let you = ["you", "your", "yours", "yourself", "you're", "you've", "you'll", "you'd"];
        for t in &kb.treatments {
            let texts = std::iter::once(&t.summary)
                .chain(t.sections.iter().flat_map(|s| [&s.heading, &s.text]))
                .chain(t.kinds.iter().map(|k| &k.text));
            for text in texts {
                let out = carer_words(text);
                let bad: Vec<&str> = out
                    .split(|c: char| !c.is_alphanumeric() && c != '\'')
                    .filter(|w| you.contains(&w.to_lowercase().as_str()) || FIRST_PERSON.contains(w))
                    .collect();
                assert!(bad.is_empty(), "{}: {bad:?} in {out}", t.id);
            }
        }
    }

    /// Every statement text a carer's results can show, for every site (with
    /// nothing else known, so that every "what would decide it" shows too),
    /// speaks of the person cared for: none says "you" or "your" to the carer
    /// about the person's own illness (outsider phone test: "whether you are up
    /// and about", "ask your team"). Those reached the carer's page as written.
    #[test]
    fn a_carers_assessment_texts_never_say_you() {
        let kb = Knowledge::embedded();
        let you = ["you", "your", "yours", "yourself", "you're", "you've", "you'll", "you'd"];
        let carer = Voice { carer: true };
        for site in PRIMARY_SITES {
            let case = hepatica_engine::case_from_json(format!(r#"{{"primary_site":"{site}"}}"#).as_bytes()).unwrap();
            let raw = hepatica_engine::assess(kb, &case, hepatica_engine::Audience::Patient);
            let a = in_voice(&raw, carer);
            let texts = a
                .options
                .iter()
                .flat_map(|o| std::iter::once(&o.summary).chain(o.reasons.iter().map(|r| &r.text)).chain(&o.depends_on))
                .chain(a.missing_information.iter().map(|m| &m.why));
            for text in texts {
                let bad: Vec<&str> =
                    text.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| you.contains(&w.to_lowercase().as_str())).collect();
                assert!(bad.is_empty(), "{site}: {bad:?} in {text}");
            }
            assert!(matches!(in_voice(&raw, Voice { carer: false }), std::borrow::Cow::Borrowed(_)), "the person's own texts as written");
        }
    }

    #[test]
    fn jaundice_and_a_blocked_duct_are_named_in_the_opening_sentence() {
        let a = |pairs: &[(&str, &str)]| Answers::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        let s = situation(
            &a(&[("primary_site", "bowel"), ("liver.tumour_count", "2"), ("liver_function.jaundice", "true")]),
            Voice { carer: false },
        );
        assert!(s.ends_with("2 tumours in the liver. Jaundice (yellow skin or eyes) changes some of the options."), "{s}");
        let s = situation(
            &a(&[("primary_site", "bowel"), ("liver_function.jaundice", "true"), ("liver_function.biliary_obstruction", "true")]),
            Voice { carer: true },
        );
        assert!(s.contains("Jaundice (yellow skin or eyes) and a blocked bile duct change"), "{s}");
        let s = situation(
            &a(&[("primary_site", "bowel"), ("liver_function.jaundice", "false"), ("liver_function.biliary_obstruction", "false")]),
            Voice { carer: false },
        );
        assert!(!s.to_lowercase().contains("jaundice") && !s.contains("bile duct"), "{s}");
    }

    #[test]
    fn the_opening_sentence_names_the_treatments_had_so_far() {
        let kb = Knowledge::embedded();
        let a = |pairs: &[(&str, &str)]| Answers::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        let me = Voice { carer: false };
        let them = Voice { carer: true };
        // The outsider's case: three chemotherapy answers, no outcome given.
        let folfox = [
            ("primary_site", "bowel"),
            ("treatment_history.previous", "oxaliplatin fluoropyrimidine"),
            ("treatment_history.previous", "irinotecan fluoropyrimidine"),
            ("treatment_history.previous", "fluoropyrimidine"),
        ];
        assert_eq!(
            treatments_so_far(kb, &a(&folfox), me).as_deref(),
            Some("You have had chemotherapy (FOLFOX or CAPOX, FOLFIRI and capecitabine or 5-FU).")
        );
        assert_eq!(
            treatments_so_far(kb, &a(&folfox), them).as_deref(),
            Some("They have had chemotherapy (FOLFOX or CAPOX, FOLFIRI and capecitabine or 5-FU).")
        );
        let one = [("primary_site", "bowel"), ("treatment_history.previous", "oxaliplatin fluoropyrimidine")];
        assert_eq!(treatments_so_far(kb, &a(&one), me).as_deref(), Some("You have had chemotherapy (FOLFOX or CAPOX)."));
        let mut more = folfox.to_vec();
        more.extend([
            ("treatment_history.previous", "liver_surgery"),
            ("treatment_history.previous", "anti_vegf"),
            ("chemotherapy_history", "refractory"),
        ]);
        assert_eq!(
            treatments_so_far(kb, &a(&more), them).as_deref(),
            Some(
                "They have had chemotherapy (FOLFOX or CAPOX, FOLFIRI and capecitabine or 5-FU), targeted therapy and an operation on the liver. The cancer grew despite chemotherapy."
            )
        );
        let s = situation(&a(&more), them);
        assert!(s.contains("They have had chemotherapy (FOLFOX or CAPOX, FOLFIRI and capecitabine or 5-FU), targeted therapy"), "{s}");
        // The chemotherapy answer alone says there was chemotherapy.
        let only = [("primary_site", "bowel"), ("chemotherapy_history", "responding")];
        assert_eq!(
            treatments_so_far(kb, &a(&only), me).as_deref(),
            Some("You have had chemotherapy. The cancer shrank with chemotherapy.")
        );
        let none = [("primary_site", "breast"), ("chemotherapy_history", "none"), ("treatment_history.previous", "endocrine")];
        assert_eq!(treatments_so_far(kb, &a(&none), me).as_deref(), Some("You have had hormonal therapy."));
        let nothing = [("primary_site", "bowel"), ("treatment_history.previous", "none")];
        assert_eq!(treatments_so_far(kb, &a(&nothing), them).as_deref(), Some("They have not had chemotherapy yet."));
        assert_eq!(treatments_so_far(kb, &a(&[("primary_site", "bowel")]), me), None, "nothing said, nothing claimed");
        assert_eq!(treatments_so_far(kb, &a(&[("primary_site", "bowel"), ("treatment_history.previous", "unknown")]), me), None);
    }

    #[test]
    fn every_earlier_treatment_answer_has_a_kind_in_plain_words() {
        let kb = Knowledge::embedded();
        let q = question("treatment_history.previous").expect("question");
        for c in q.choices {
            let kind = previous_kind(kb, &c.value);
            assert!(kind.is_some() || local_treatment(&c.value).is_some(), "{}: no kind for {:?}", c.value, c.label);
        }
        use hepatica_knowledge::DrugClass;
        assert_eq!(previous_kind(kb, "oxaliplatin fluoropyrimidine"), Some(DrugClass::Chemotherapy));
        assert_eq!(previous_kind(kb, "anti_egfr"), Some(DrugClass::TargetedTherapy));
        assert_eq!(previous_kind(kb, "immunotherapy"), Some(DrugClass::Immunotherapy));
        assert_eq!(previous_kind(kb, "androgen_receptor_inhibitor"), Some(DrugClass::HormonalTherapy));
    }

    #[test]
    fn chemotherapy_is_named_as_the_answer_writes_it() {
        let kb = Knowledge::embedded();
        assert_eq!(chemotherapy_names(kb, "FOLFOX or CAPOX (oxaliplatin)"), "FOLFOX or CAPOX");
        assert_eq!(chemotherapy_names(kb, "Capecitabine tablets or 5-FU through a drip"), "capecitabine or 5-FU");
        assert_eq!(chemotherapy_names(kb, "Lonsurf (trifluridine and tipiracil) tablets"), "Lonsurf");
        assert_eq!(chemotherapy_names(kb, "Cisplatin or carboplatin"), "cisplatin or carboplatin");
        assert_eq!(chemotherapy_names(kb, "Bevacizumab (Avastin) or a drug like it"), "");
        // Every chemotherapy answer on the form names something.
        let q = question("treatment_history.previous").expect("question");
        for c in q.choices.iter().filter(|c| previous_kind(kb, &c.value) == Some(hepatica_knowledge::DrugClass::Chemotherapy)) {
            assert!(!chemotherapy_names(kb, &c.label).is_empty(), "{}", c.label);
        }
    }

    #[test]
    fn regimens_are_echoed_with_their_drugs() {
        let kb = Knowledge::embedded();
        assert_eq!(
            with_regimen_drugs(kb, "FOLFOX or CAPOX (oxaliplatin)"),
            "FOLFOX (folinic acid, fluorouracil and oxaliplatin) or CAPOX (capecitabine and oxaliplatin)"
        );
        assert_eq!(with_regimen_drugs(kb, "FOLFIRI (irinotecan)"), "FOLFIRI (folinic acid, fluorouracil and irinotecan)");
        assert_eq!(with_regimen_drugs(kb, "Gemcitabine"), "Gemcitabine");
        assert_eq!(with_regimen_drugs(kb, "mFOLFOX6x"), "mFOLFOX6x");
    }

    #[test]
    fn disagreeing_treatment_answers_get_a_soft_note() {
        let kb = Knowledge::embedded();
        let a = |pairs: &[(&str, &str)]| Answers::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        let three = [
            ("primary_site", "bowel"),
            ("treatment_history.previous", "oxaliplatin fluoropyrimidine"),
            ("treatment_history.previous", "irinotecan fluoropyrimidine"),
            ("treatment_history.previous", "trifluridine_tipiracil"),
            ("treatment_history.previous", "liver_surgery"),
        ];
        let mut one = three.to_vec();
        one.push(("treatment_history.lines_of_systemic_therapy", "1"));
        let note = history_check(kb, &a(&one), Voice { carer: false }).expect("3 ticked against 1 line");
        assert!(note.contains("ticked 3 drug treatments") && note.contains("gave 1 as"), "{note}");
        let mut two = three.to_vec();
        two.push(("treatment_history.lines_of_systemic_therapy", "2"));
        assert_eq!(history_check(kb, &a(&two), Voice { carer: false }), None, "3 ticked, 2 ended and one now: no note");
        let mut none = three[..2].to_vec();
        none.push(("chemotherapy_history", "none"));
        let note = history_check(kb, &a(&none), Voice { carer: true }).expect("chemotherapy ticked after no chemotherapy");
        assert!(note.contains("no chemotherapy yet") && note.contains("their care team"), "{note}");
        let hormones = [("primary_site", "breast"), ("treatment_history.previous", "endocrine"), ("chemotherapy_history", "none")];
        assert_eq!(history_check(kb, &a(&hormones), Voice { carer: false }), None, "hormone tablets are not chemotherapy");
        assert_eq!(history_check(kb, &a(&three), Voice { carer: false }), None, "nothing to compare with");
        // Both disagreements: the clearer one shows (no chemotherapy yet, yet chemotherapy ticked).
        let mut both = three.to_vec();
        both.extend([("chemotherapy_history", "none"), ("treatment_history.lines_of_systemic_therapy", "0")]);
        let note = history_check(kb, &a(&both), Voice { carer: false }).expect("a note");
        assert!(note.contains("no chemotherapy yet") && !note.contains("ticked 3"), "{note}");
    }

    #[test]
    fn every_site_reads_as_a_sentence() {
        for site in PRIMARY_SITES {
            let s = situation(&Answers::new(vec![("primary_site".into(), site.to_string())]), Voice { carer: false });
            assert!(!s.contains("started in the other") && !s.contains("in the neuroendocrine") && !s.contains("in the unknown"), "{s}");
            assert!(s.ends_with("spread to the liver."), "{s}");
        }
    }
}
