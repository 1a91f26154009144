//! Parsing content files into a [`Knowledge`], collecting every problem.
//!
//! Layout: `kb.toml` holds [`Meta`]; `treatments/<id>.toml` holds one
//! [`Treatment`]; every other `.toml` file may hold a `[review]` table and any
//! of the record lists (`[[source]]`, `[[statement]]`, `[[threshold]]`,
//! `[[term]]`, `[[drug]]`, `[[faq]]`, `[[service]]`, `[[code]]`, and the lexicon's
//! and urgent list's tables: `[[synonym]]`, `[[expand]]`, `[[spelling]]`, `[words]`,
//! `[urgent_help]`, `[[red_flag]]`, `[red_flag_context]`). A record with
//! no review fields inherits the file's `[review]`. `rules/<treatment>.toml`
//! holds one treatment's rules ([`crate::rules`]).
//!
//! After parsing, thresholds are validated ([`crate::thresholds`]), their
//! values are inserted into statement texts and rule labels, and the rules are
//! compiled; every problem of every stage is reported together.

use serde::Deserialize;

use crate::check::Diagnostic;
use crate::model::*;
use crate::{Knowledge, LoadError, TREATMENT_IDS};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    review: Option<Review>,
    #[serde(default)]
    source: Vec<Source>,
    #[serde(default)]
    statement: Vec<Statement>,
    #[serde(default)]
    threshold: Vec<Threshold>,
    #[serde(default)]
    term: Vec<Term>,
    #[serde(default)]
    drug: Vec<Drug>,
    #[serde(default)]
    faq: Vec<Faq>,
    #[serde(default)]
    service: Vec<SupportService>,
    #[serde(default)]
    code: Vec<CodeMapping>,
    #[serde(default)]
    synonym: Vec<SynonymGroup>,
    #[serde(default)]
    expand: Vec<Expansion>,
    #[serde(default)]
    spelling: Vec<Spelling>,
    words: Option<WordLists>,
    urgent_help: Option<UrgentHelp>,
    #[serde(default)]
    red_flag: Vec<RedFlag>,
    red_flag_context: Option<RedFlagContext>,
    #[serde(default)]
    reviewer: Vec<Reviewer>,
}

pub(crate) fn load_dir(dir: &std::path::Path) -> Result<Knowledge, LoadError> {
    let files = read_dir(dir)?;
    from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
}

/// Every `.toml` file under `dir` as `(path relative to dir, text)`, in path order.
pub(crate) fn read_dir(dir: &std::path::Path) -> Result<Vec<(String, String)>, LoadError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    collect(dir, dir, &mut files, &mut problems);
    if !problems.is_empty() {
        return Err(LoadError(problems));
    }
    files.sort();
    Ok(files)
}

fn collect(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, String)>, problems: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Diagnostic::error(dir.display().to_string(), "", "", format!("cannot read folder: {e}")));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out, problems);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            match std::fs::read_to_string(&path) {
                Ok(text) => out.push((rel, text)),
                Err(e) => problems.push(Diagnostic::error(rel, "", "", format!("cannot read file: {e}"))),
            }
        }
    }
}

pub(crate) fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Knowledge, LoadError> {
    let files: Vec<(&str, &str)> = files.into_iter().collect();
    let content_hash = crate::release::content_hash(files.iter().copied());
    let mut problems = Vec::new();
    let mut meta = None;
    let mut treatments = Vec::new();
    let mut lists = ListFile::default();
    let mut rule_files = Vec::new();
    let mut questionnaire = Questionnaire::default();

    for (path, text) in files {
        if path == "kb.toml" {
            match toml::from_str::<Meta>(text) {
                Ok(m) => meta = Some(m),
                Err(e) => problems.push(parse_problem(path, &e)),
            }
        } else if path.starts_with("rules/") {
            match crate::rules::parse(path, text) {
                Ok(r) => rule_files.push((path.to_string(), r)),
                Err(d) => problems.push(d),
            }
        } else if path == "questionnaire.toml" {
            match toml::from_str::<Questionnaire>(text) {
                Ok(q) => questionnaire = q,
                Err(e) => problems.push(parse_problem(path, &e)),
            }
        } else if path.starts_with("treatments/") {
            match toml::from_str::<Treatment>(text) {
                Ok(t) => {
                    if t.review.reviewed_on.is_none() || t.review.review_due.is_none() || t.review.reviewers.is_none() {
                        problems.push(Diagnostic::error(
                            path,
                            &t.id,
                            "reviewed_on",
                            "a treatment page needs reviewed_on, review_due and reviewers",
                        ));
                    }
                    treatments.push((path.to_string(), t));
                }
                Err(e) => problems.push(parse_problem(path, &e)),
            }
        } else {
            match toml::from_str::<ListFile>(text) {
                Ok(f) => merge(path, f, &mut lists, &mut problems),
                Err(e) => problems.push(parse_problem(path, &e)),
            }
        }
    }

    let Some(meta) = meta else {
        problems.push(Diagnostic::error("kb.toml", "", "", "missing or unreadable kb.toml"));
        return Err(LoadError(problems));
    };

    // Treatments in contract order; a missing one is a load error because every
    // assessment must describe all nine.
    let mut ordered: Vec<Treatment> = Vec::new();
    for id in TREATMENT_IDS {
        match treatments.iter().position(|(_, t)| t.id == id) {
            Some(i) => ordered.push(treatments.swap_remove(i).1),
            None => problems.push(Diagnostic::error(format!("treatments/{id}.toml"), id, "id", "missing treatment page")),
        }
    }
    for (path, t) in treatments {
        problems.push(Diagnostic::error(path, &t.id, "id", format!("unknown treatment id; expected one of {}", TREATMENT_IDS.join(", "))));
    }

    // Thresholds: typed and complete; then their values go into texts and rules.
    let used: Vec<String> = rule_files.iter().flat_map(|(_, r)| crate::rules::threshold_refs(r)).collect();
    let values = crate::thresholds::validate(&lists.threshold, &used, &mut problems);
    let by_id: std::collections::HashMap<&str, f64> = lists.threshold.iter().map(|t| (t.id.as_str(), t.value)).collect();
    let mut statements = std::mem::take(&mut lists.statement);
    for s in &mut statements {
        s.patient = crate::thresholds::interpolate(&s.patient, &by_id, "statements", &s.id, "patient", &mut problems);
        s.clinician = crate::thresholds::interpolate(&s.clinician, &by_id, "statements", &s.id, "clinician", &mut problems);
    }
    for t in &mut ordered {
        for sec in &mut t.sections {
            sec.text =
                crate::thresholds::interpolate(&sec.text, &by_id, "treatments", &t.id, &format!("section {}", sec.id), &mut problems);
        }
        for k in &mut t.kinds {
            k.text = crate::thresholds::interpolate(&k.text, &by_id, "treatments", &t.id, &format!("kind {}", k.id), &mut problems);
        }
    }
    let statement_ids: std::collections::HashSet<&str> = statements.iter().map(|s| s.id.as_str()).collect();
    let exists = |id: &str| statement_ids.contains(id);
    let interpolate = |text: &str, id: &str, field: &str, problems: &mut Vec<Diagnostic>| {
        crate::thresholds::interpolate(text, &by_id, "rules", id, field, problems)
    };
    let env = crate::rules::Env { thresholds: &by_id, statement_exists: &exists, interpolate: &interpolate };
    let mut compiled = Vec::new();
    for (path, raw) in rule_files {
        compiled.push((path.clone(), crate::rules::compile(&path, raw, &env, &mut problems)));
    }
    let mut rules = Vec::new();
    for id in TREATMENT_IDS {
        let mut matching = compiled.iter().filter(|(_, r)| r.treatment == id);
        match (matching.next(), matching.next()) {
            (Some((_, r)), None) => rules.push(r.clone()),
            (Some(_), Some((path, _))) => {
                problems.push(Diagnostic::error(path.as_str(), id, "treatment", "a second rules file for this treatment"))
            }
            (None, _) => problems.push(Diagnostic::error(format!("rules/{id}.toml"), id, "treatment", "missing rules file")),
        }
    }

    if !problems.is_empty() {
        return Err(LoadError(problems));
    }
    let meta_version = meta.version.clone();
    let mut glossary = lists.term;
    glossary.sort_by_key(|t| t.term.to_lowercase());
    let mut kb = Knowledge {
        meta,
        sources: lists.source,
        statements,
        thresholds: lists.threshold,
        threshold_values: values,
        rules,
        treatments: ordered,
        glossary,
        drugs: lists.drug,
        faqs: lists.faq,
        support: lists.service,
        codes: lists.code,
        questionnaire,
        lexicon: Lexicon {
            synonyms: lists.synonym,
            expansions: lists.expand,
            spellings: lists.spelling,
            words: lists.words.unwrap_or_default(),
        },
        urgent: lists.urgent_help,
        red_flags: lists.red_flag,
        red_flag_context: lists.red_flag_context.unwrap_or_default(),
        reviewers: lists.reviewer,
        superseded_by: crate::release::superseded_by(&meta_version),
        content_hash,
        index: Default::default(),
    };
    kb.reindex();
    Ok(kb)
}

fn parse_problem(path: &str, e: &toml::de::Error) -> Diagnostic {
    let msg = e.message().to_string();
    let location = e.span().map(|s| format!(" (at byte {})", s.start)).unwrap_or_default();
    Diagnostic::error(path, "", "", format!("{msg}{location}"))
}

fn merge(path: &str, mut f: ListFile, into: &mut ListFile, problems: &mut Vec<Diagnostic>) {
    let default = f.review.take();
    let mut fill = |id: &str, r: &mut ReviewOverride| {
        if let Some(d) = &default {
            r.reviewed_on.get_or_insert(d.reviewed_on);
            r.review_due.get_or_insert(d.review_due);
            r.reviewers.get_or_insert_with(|| d.reviewers.clone());
        }
        if r.reviewed_on.is_none() || r.review_due.is_none() || r.reviewers.is_none() {
            problems.push(Diagnostic::error(
                path,
                id,
                "review",
                "no review dates: add reviewed_on, review_due and reviewers, or a [review] table for the file",
            ));
            // Keep loading so every problem is reported; placeholders never reach a loaded KB.
        }
    };
    for x in &mut f.source {
        fill(&x.id, &mut x.review);
    }
    for x in &mut f.statement {
        fill(&x.id, &mut x.review);
    }
    for x in &mut f.threshold {
        fill(&x.id, &mut x.review);
    }
    for x in &mut f.term {
        fill(&x.id, &mut x.review);
    }
    for x in &mut f.drug {
        fill(&x.id, &mut x.review);
    }
    for x in &mut f.faq {
        fill(&x.id, &mut x.review);
    }
    for x in &mut f.service {
        fill(&x.id, &mut x.review);
    }
    if let Some(u) = &mut f.urgent_help {
        fill("urgent_help", &mut u.review);
    }
    for x in &mut f.red_flag {
        fill(&x.id, &mut x.review);
    }
    into.source.append(&mut f.source);
    into.statement.append(&mut f.statement);
    into.threshold.append(&mut f.threshold);
    into.term.append(&mut f.term);
    into.drug.append(&mut f.drug);
    into.faq.append(&mut f.faq);
    into.service.append(&mut f.service);
    into.code.append(&mut f.code);
    into.synonym.append(&mut f.synonym);
    into.expand.append(&mut f.expand);
    into.spelling.append(&mut f.spelling);
    if let Some(w) = f.words.take() {
        let into_words = into.words.get_or_insert_with(WordLists::default);
        into_words.stop.extend(w.stop);
        into_words.everyday.extend(w.everyday);
        into_words.weak.extend(w.weak);
    }
    if let Some(u) = f.urgent_help.take() {
        if into.urgent_help.is_some() {
            problems.push(Diagnostic::error(path, "urgent_help", "", "a second [urgent_help] table; keep one"));
        }
        into.urgent_help = Some(u);
    }
    into.red_flag.append(&mut f.red_flag);
    into.reviewer.append(&mut f.reviewer);
    if let Some(c) = f.red_flag_context.take() {
        let ctx = into.red_flag_context.get_or_insert_with(RedFlagContext::default);
        ctx.general.extend(c.general);
        ctx.personal.extend(c.personal);
    }
}
