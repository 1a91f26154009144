//! Parsing content files into a [`Knowledge`], collecting every problem.
//!
//! Layout: `kb.toml` holds [`Meta`]; `treatments/<id>.toml` holds one
//! [`Treatment`]; every other `.toml` file may hold a `[review]` table and any
//! of the record lists (`[[source]]`, `[[statement]]`, `[[threshold]]`,
//! `[[term]]`, `[[drug]]`, `[[faq]]`, `[[service]]`, `[[code]]`, and the lexicon's
//! and urgent list's tables: `[[synonym]]`, `[[expand]]`, `[[spelling]]`, `[words]`,
//! `[urgent_help]`, `[[red_flag]]`, `[red_flag_context]`, and the biomarker
//! result words `[[biomarker_value]]` of `labels.toml`). A record with
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
    #[serde(default)]
    biomarker_value: Vec<BiomarkerValueLabel>,
}

pub(crate) fn load_dir(dir: &std::path::Path) -> Result<Knowledge, LoadError> {
    let files = read_dir(dir)?;
    from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
}

/// Largest content file read by [`read_dir`] (a release's largest is about 60 KB).
pub(crate) const MAX_FILE_BYTES: u64 = 8 << 20;
/// Largest content folder read by [`read_dir`], all files together.
pub(crate) const MAX_DIR_BYTES: u64 = 64 << 20;

/// Every `.toml` file under `dir` as `(path relative to dir, text)`, in path order.
///
/// Only regular files are read (a symlink to one is followed): a `.toml`
/// entry that is a FIFO, device or socket (or a symlink to one), and a
/// symlink to a folder, are refused naming the file, as is a file above
/// [`MAX_FILE_BYTES`] or a folder above [`MAX_DIR_BYTES`] in all.
pub(crate) fn read_dir(dir: &std::path::Path) -> Result<Vec<(String, String)>, LoadError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut total = 0u64;
    collect(dir, dir, &mut files, &mut problems, &mut total);
    if !problems.is_empty() {
        return Err(LoadError(problems));
    }
    files.sort();
    Ok(files)
}

fn collect(
    root: &std::path::Path,
    dir: &std::path::Path,
    out: &mut Vec<(String, String)>,
    problems: &mut Vec<Diagnostic>,
    total: &mut u64,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Diagnostic::error(dir.display().to_string(), "", "", format!("cannot read folder: {e}")));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        let meta = std::fs::metadata(&path);
        if meta.as_ref().is_ok_and(|m| m.is_dir()) {
            if is_link {
                problems.push(Diagnostic::error(rel, "", "", "expected a folder, got a symbolic link to one (not followed)"));
            } else {
                collect(root, &path, out, problems, total);
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        match meta {
            Ok(m) if !m.is_file() => {
                let link = if is_link { "a symbolic link to " } else { "" };
                problems.push(Diagnostic::error(rel, "", "", format!("expected a regular file, got {link}{}", file_kind(&m))));
                continue;
            }
            Ok(m) if m.len() > MAX_FILE_BYTES => {
                problems.push(Diagnostic::error(
                    rel,
                    "",
                    "",
                    format!("expected a file of at most {MAX_FILE_BYTES} bytes, got {}", m.len()),
                ));
                continue;
            }
            _ => {}
        }
        match read_capped(&path) {
            Ok(text) => {
                *total += text.len() as u64;
                if *total > MAX_DIR_BYTES {
                    problems.push(Diagnostic::error(
                        rel,
                        "",
                        "",
                        format!("the content folder holds more than {MAX_DIR_BYTES} bytes of .toml files"),
                    ));
                    return;
                }
                out.push((rel, text));
            }
            Err(e) => problems.push(Diagnostic::error(rel, "", "", format!("cannot read file: {e}"))),
        }
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] (checked again on the
/// open handle, so a file swapped after the first check is still capped).
fn read_capped(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("expected a regular file"));
    }
    let mut text = String::new();
    f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!("expected a file of at most {MAX_FILE_BYTES} bytes")));
    }
    Ok(text)
}

/// What a file that is not a regular file is, for messages ("a named pipe
/// (FIFO)", "a device", ...). One wording for every place that refuses one:
/// `--kb-dir` loading here, the `kb` commands' output files and `batch`'s.
pub fn file_kind(m: &std::fs::Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_symlink() {
        return "a symbolic link";
    }
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
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
    if let Some(logic) = meta.engine_logic.filter(|&l| l == 0 || l > crate::ENGINE_LOGIC_SUPPORTED) {
        problems.push(Diagnostic::error(
            "kb.toml",
            "",
            "engine_logic",
            format!(
                "engine_logic {logic} is not a revision this program has; expected 1 to {} (a newer release needs a newer Hepatica)",
                crate::ENGINE_LOGIC_SUPPORTED
            ),
        ));
    }

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
        biomarker_values: lists.biomarker_value,
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
    into.biomarker_value.append(&mut f.biomarker_value);
    if let Some(c) = f.red_flag_context.take() {
        let ctx = into.red_flag_context.get_or_insert_with(RedFlagContext::default);
        ctx.general.extend(c.general);
        ctx.personal.extend(c.personal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("hepatica-load-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    fn problems(dir: &std::path::Path) -> String {
        let e = read_dir(dir).expect_err("refused");
        e.0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = scratch("special");
        std::fs::write(dir.join("kb.toml"), "version = \"x\"\n").unwrap();
        assert_eq!(read_dir(&dir).unwrap().len(), 1);
        // A FIFO named .toml: refused (opening it would hang), naming it.
        let fifo = dir.join("pipe.toml");
        if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
            let p = problems(&dir);
            assert!(p.contains("pipe.toml") && p.contains("named pipe"), "{p}");
            std::fs::remove_file(&fifo).unwrap();
            // A symlink to it is refused too.
            std::process::Command::new("mkfifo").arg(dir.join("real-pipe")).status().unwrap();
            std::os::unix::fs::symlink(dir.join("real-pipe"), dir.join("link.toml")).unwrap();
            let p = problems(&dir);
            assert!(p.contains("link.toml") && p.contains("symbolic link to a named pipe"), "{p}");
            std::fs::remove_file(dir.join("link.toml")).unwrap();
        } else {
            eprintln!("skipping the FIFO cases: mkfifo is not available");
        }
        // A symlink to a folder is not followed (a loop would never end).
        std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
        let p = problems(&dir);
        assert!(p.contains("loop") && p.contains("symbolic link"), "{p}");
        std::fs::remove_file(dir.join("loop")).unwrap();
        // A symlink to a regular file is read.
        std::fs::write(dir.join("real"), "[review]\n").unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("linked.toml")).unwrap();
        assert_eq!(read_dir(&dir).unwrap().len(), 2);
        // One file over the cap (sparse, so cheap to make).
        let big = std::fs::File::create(dir.join("big.toml")).unwrap();
        big.set_len(MAX_FILE_BYTES + 1).unwrap();
        let p = problems(&dir);
        assert!(p.contains("big.toml") && p.contains("at most"), "{p}");
        std::fs::remove_file(dir.join("big.toml")).unwrap();
        // Many files under the per-file cap, over the folder's.
        for i in 0..(MAX_DIR_BYTES / MAX_FILE_BYTES + 1) {
            std::fs::File::create(dir.join(format!("part{i}.toml"))).unwrap().set_len(MAX_FILE_BYTES).unwrap();
        }
        let p = problems(&dir);
        assert!(p.contains("more than"), "{p}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
