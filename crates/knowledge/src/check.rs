//! Validation of a loaded knowledge base: sources, references, review dates.
//!
//! [`check`] never stops at the first problem. Each [`Diagnostic`] names the
//! file (or collection), the record id, the field and what is wrong, so a
//! content editor can fix everything in one pass.

use std::collections::HashSet;
use std::fmt;

use crate::model::*;
use crate::{Date, EXTRA_TOPICS, Knowledge, PRIMARY_SITES, TREATMENT_IDS};

/// How serious a diagnostic is. Only errors make `kb check` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Must be fixed before release.
    Error,
    /// Worth a look (e.g. a review due within 30 days).
    Warning,
}

/// One problem found in the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// File path or collection name (`sources`, `statements`, ...).
    pub file: String,
    /// Record id, empty for whole-file problems.
    pub id: String,
    /// Field name, empty if not field-specific.
    pub field: String,
    /// What is wrong, lower-case, no trailing period.
    pub message: String,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(file: impl Into<String>, id: impl Into<String>, field: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, file: file.into(), id: id.into(), field: field.into(), message: message.into() }
    }

    /// A warning diagnostic.
    pub fn warning(file: impl Into<String>, id: impl Into<String>, field: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, file: file.into(), id: id.into(), field: field.into(), message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: {}", self.file)?;
        if !self.id.is_empty() {
            write!(f, ": {}", self.id)?;
        }
        if !self.field.is_empty() {
            write!(f, ".{}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Days before a review is due at which `check` starts to warn.
pub const REVIEW_WARNING_DAYS: i64 = 30;

/// Validates `kb` as of `today`; returns every problem found (empty = clean).
pub fn check(kb: &Knowledge, today: Date) -> Vec<Diagnostic> {
    let mut c = Checker { kb, today, out: Vec::new() };
    c.meta();
    c.sources();
    c.collection_ids();
    for s in &kb.statements {
        c.cited("statements", &s.id, "sources", &s.sources);
        c.nonempty("statements", &s.id, "patient", &s.patient);
        c.nonempty("statements", &s.id, "clinician", &s.clinician);
        c.review("statements", &s.id, &s.review);
        if let Some(level) = &s.evidence
            && !EVIDENCE_LEVELS.iter().any(|(l, _)| l == level)
        {
            let known: Vec<&str> = EVIDENCE_LEVELS.iter().map(|(l, _)| *l).collect();
            c.err("statements", &s.id, "evidence", format!("unknown evidence level {level:?}; expected one of {}", known.join(", ")));
        }
    }
    c.statement_metadata();
    for t in &kb.thresholds {
        c.cited("thresholds", &t.id, "sources", &t.sources);
        c.review("thresholds", &t.id, &t.review);
    }
    for t in &kb.treatments {
        c.treatment(t);
    }
    for t in &kb.glossary {
        c.nonempty("glossary", &t.id, "definition", &t.definition);
        if let Some(topic) = &t.topic
            && !TREATMENT_IDS.contains(&topic.as_str())
            && !EXTRA_TOPICS.contains(&topic.as_str())
        {
            c.err(
                "glossary",
                &t.id,
                "topic",
                format!("unknown topic {topic:?}; expected a treatment id or one of {}", EXTRA_TOPICS.join(", ")),
            );
        }
        c.known_sources("glossary", &t.id, "sources", &t.sources);
        c.review("glossary", &t.id, &t.review);
    }
    for d in &kb.drugs {
        c.drug(d);
    }
    for q in &kb.faqs {
        c.cited("faq", &q.id, "sources", &q.sources);
        if !TREATMENT_IDS.contains(&q.topic.as_str()) && !EXTRA_TOPICS.contains(&q.topic.as_str()) {
            c.err(
                "faq",
                &q.id,
                "topic",
                format!("unknown topic {:?}; expected a treatment id or one of {}", q.topic, EXTRA_TOPICS.join(", ")),
            );
        }
        c.review("faq", &q.id, &q.review);
    }
    for s in &kb.support {
        c.review("support", &s.id, &s.review);
    }
    for m in &kb.codes {
        c.known_sources("codes", &m.code, "sources", &m.sources);
    }
    for t in &kb.questionnaire.texts {
        c.nonempty("questionnaire.toml", &t.id, "patient", &t.patient);
        c.known_sources("questionnaire.toml", &t.id, "sources", &t.sources);
    }
    if !kb.questionnaire.texts.is_empty() {
        c.review("questionnaire.toml", "review", &kb.questionnaire.review);
    }
    // Biomarker result words: both wordings given, each biomarker and value once.
    let mut seen: Vec<(Option<&str>, &str)> = Vec::new();
    for l in &kb.biomarker_values {
        let id = format!("{}:{}", l.biomarker.as_deref().unwrap_or("*"), l.value);
        c.nonempty("labels.toml", &id, "patient", &l.patient);
        c.nonempty("labels.toml", &id, "clinician", &l.clinician);
        let key = (l.biomarker.as_deref(), l.value.as_str());
        if seen.contains(&key) {
            c.err("labels.toml", &id, "value", "a second row for this biomarker and value; keep one");
        }
        seen.push(key);
    }
    c.urgent();
    c.out.extend(crate::signoff::problems(kb, today));
    c.out.extend(crate::readability::check_patient_text(kb));
    c.out.sort_by(|a, b| (a.severity, &a.file, &a.id).cmp(&(b.severity, &b.file, &b.id)));
    c.out
}

struct Checker<'a> {
    kb: &'a Knowledge,
    today: Date,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Honest-reason metadata (`asserts`, `sites`, `contradicts`): every pointer,
    /// site and id must exist; a rule may cite a statement only for sites it is
    /// written for, and a criterion branch only a statement that asserts no more
    /// than the criterion's fact (or the branch's inputs) looked at.
    fn statement_metadata(&mut self) {
        let kb = self.kb;
        let ids: HashSet<&str> = kb.statements.iter().map(|s| s.id.as_str()).collect();
        for s in &kb.statements {
            for p in &s.asserts {
                if !INPUT_POINTERS.contains(&p.as_str()) {
                    self.err(
                        "statements",
                        &s.id,
                        "asserts",
                        format!("unknown input {p:?}; expected a Case JSON pointer such as /liver/tumour_count"),
                    );
                }
            }
            self.known_sites("statements", &s.id, "sites", s.sites.as_deref().unwrap_or_default());
            if s.sites.as_ref().is_some_and(Vec::is_empty) {
                self.err("statements", &s.id, "sites", "empty list; leave it out for every site");
            }
            // `input.<pointer>.<site>` is shown instead of `input.<pointer>` for that site only.
            if let Some(site) = s.id.strip_prefix("input.").and_then(|rest| rest.rsplit_once('.')).map(|(_, last)| last)
                && PRIMARY_SITES.contains(&site)
                && s.sites.as_deref() != Some(&[site.to_string()][..])
            {
                self.err("statements", &s.id, "sites", format!("a site statement for an input; expected sites = [{site:?}]"));
            }
            for other in &s.contradicts {
                if other == &s.id {
                    self.err("statements", &s.id, "contradicts", "a statement cannot contradict itself");
                } else if !ids.contains(other.as_str()) {
                    self.err("statements", &s.id, "contradicts", format!("unknown statement {other:?}"));
                }
            }
        }
        if kb.engine_logic() >= 2 {
            for id in crate::thresholds::LOGIC_2.iter().filter(|id| kb.threshold(id).is_none()) {
                self.err("thresholds.toml", id, "id", "missing threshold: engine logic 2 reads it, so it must be defined");
            }
        }
        let written_for = |id: &str, site: usize| {
            kb.statement(id).is_none_or(|s| s.sites.as_ref().is_none_or(|l| l.iter().any(|x| x == PRIMARY_SITES[site])))
        };
        for r in &kb.rules {
            let file = format!("rules/{}.toml", r.treatment);
            for (i, row) in r.base.iter().enumerate() {
                for site in (0..PRIMARY_SITES.len()).filter(|x| row.sites.contains(*x)) {
                    if !written_for(&row.statement, site) {
                        self.err(
                            &file,
                            &format!("base[{i}]"),
                            "statement",
                            format!("{} is not written for {}", row.statement, PRIMARY_SITES[site]),
                        );
                    }
                }
            }
            for c in &r.criteria {
                for b in &c.branches {
                    let looked_at: Vec<&str> = match &b.inputs {
                        Some(inputs) => inputs.iter().map(String::as_str).collect(),
                        None => c.fact.inputs().to_vec(),
                    };
                    for id in b.statement.iter().chain(&b.also) {
                        for site in (0..PRIMARY_SITES.len()).filter(|x| c.sites.contains(*x) && b.sites.contains(*x)) {
                            if !written_for(id, site) {
                                self.err(&file, &c.id, "statement", format!("{id} is not written for {}", PRIMARY_SITES[site]));
                            }
                        }
                        let Some(s) = kb.statement(id) else { continue };
                        for p in s.asserts.iter().filter(|p| !looked_at.contains(&p.as_str())) {
                            self.err(
                                &file,
                                &c.id,
                                "statement",
                                format!("{id} asserts {p}, which the criterion's fact {} does not read", c.fact.name()),
                            );
                        }
                    }
                }
            }
        }
    }

    fn err(&mut self, file: &str, id: &str, field: &str, msg: impl Into<String>) {
        self.out.push(Diagnostic::error(file, id, field, msg));
    }

    /// An error for each of `sites` that is not a contract primary site id.
    fn known_sites(&mut self, file: &str, id: &str, field: &str, sites: &[String]) {
        for site in sites {
            if !PRIMARY_SITES.contains(&site.as_str()) {
                self.err(file, id, field, format!("unknown primary site {site:?}; expected one of {}", PRIMARY_SITES.join(", ")));
            }
        }
    }

    fn nonempty(&mut self, file: &str, id: &str, field: &str, text: &str) {
        if text.trim().is_empty() {
            self.err(file, id, field, "is empty");
        }
    }

    fn meta(&mut self) {
        let m = &self.kb.meta;
        let parts: Vec<&str> = m.version.split('.').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.parse::<u32>().is_err()) {
            self.err("kb.toml", "", "version", format!("expected a version like 2026.11.0, got {:?}", m.version));
        }
        let review = ReviewOverride {
            reviewed_on: Some(m.review.reviewed_on),
            review_due: Some(m.review.review_due),
            reviewers: Some(m.review.reviewers.clone()),
            signoff: Vec::new(),
        };
        self.review("kb.toml", "", &review);
    }

    fn sources(&mut self) {
        for s in &self.kb.sources {
            if s.url.is_empty() || !(s.url.starts_with("https://") || s.url.starts_with("http://")) {
                self.err("sources", &s.id, "url", format!("expected an http(s) URL, got {:?}", s.url));
            }
            if !(1900..=2100).contains(&s.year) {
                self.err("sources", &s.id, "year", format!("implausible year {}", s.year));
            }
            self.review("sources", &s.id, &s.review);
        }
    }

    fn collection_ids(&mut self) {
        fn dups<'x>(ids: impl Iterator<Item = &'x str>) -> Vec<&'x str> {
            let mut seen = HashSet::new();
            ids.filter(|id| !seen.insert(*id)).collect()
        }
        let kb = self.kb;
        let groups: [(&str, Vec<&str>); 7] = [
            ("sources", dups(kb.sources.iter().map(|x| x.id.as_str()))),
            ("statements", dups(kb.statements.iter().map(|x| x.id.as_str()))),
            ("thresholds", dups(kb.thresholds.iter().map(|x| x.id.as_str()))),
            ("glossary", dups(kb.glossary.iter().map(|x| x.id.as_str()))),
            ("drugs", dups(kb.drugs.iter().map(|x| x.id.as_str()))),
            ("faq", dups(kb.faqs.iter().map(|x| x.id.as_str()))),
            ("support", dups(kb.support.iter().map(|x| x.id.as_str()))),
        ];
        for (file, ids) in groups {
            for id in ids {
                self.err(file, id, "id", "duplicate id");
            }
        }
    }

    /// At least one source, every id known, none unverified.
    fn cited(&mut self, file: &str, id: &str, field: &str, sources: &[String]) {
        if sources.is_empty() {
            self.err(file, id, field, "unsourced: cite at least one source id");
        }
        self.known_sources(file, id, field, sources);
    }

    fn known_sources(&mut self, file: &str, id: &str, field: &str, sources: &[String]) {
        for s in sources {
            match self.kb.source(s) {
                None => self.err(file, id, field, format!("unknown source id {s:?}")),
                Some(src) if src.verification == Verification::U => {
                    self.err(file, id, field, format!("source {s:?} is unverified ([U]); verify it before citing"))
                }
                Some(_) => {}
            }
        }
    }

    fn review(&mut self, file: &str, id: &str, r: &ReviewOverride) {
        let (Some(on), Some(due)) = (r.reviewed_on, r.review_due) else {
            self.err(file, id, "review_due", "no review dates");
            return;
        };
        if r.reviewers.as_ref().is_none_or(|v| v.is_empty()) {
            self.err(file, id, "reviewers", "no reviewers named");
        }
        if due <= on {
            self.err(file, id, "review_due", format!("review_due {due} is not after reviewed_on {on}"));
        }
        if on > self.today {
            self.err(file, id, "reviewed_on", format!("reviewed_on {on} is in the future (today is {})", self.today));
        }
        if due < self.today {
            self.err(file, id, "review_due", format!("overdue: review was due {due} (today is {})", self.today));
        } else if due.days_since_epoch() - self.today.days_since_epoch() <= REVIEW_WARNING_DAYS {
            self.out.push(Diagnostic::warning(file, id, "review_due", format!("review due soon: {due}")));
        }
    }

    fn treatment(&mut self, t: &Treatment) {
        let file = format!("treatments/{}.toml", t.id);
        self.nonempty(&file, &t.id, "summary", &t.summary);
        if t.sections.is_empty() {
            self.err(&file, &t.id, "section", "a treatment page needs sections");
        }
        for s in &t.sections {
            self.cited(&file, &format!("{}#{}", t.id, s.id), "sources", &s.sources);
            self.nonempty(&file, &format!("{}#{}", t.id, s.id), "text", &s.text);
        }
        for k in &t.kinds {
            self.cited(&file, &format!("{}/{}", t.id, k.id), "sources", &k.sources);
        }
        for (id, general, g) in t.glance_rows() {
            self.cited(&file, &id, "sources", &g.sources);
            self.nonempty(&file, &id, "involves", &g.involves);
            if general && !g.sites.is_empty() {
                self.err(&file, &id, "sites", "the general [glance] row is for every site: put site rows under [[glance_for]]");
            }
            if !general && g.sites.is_empty() {
                self.err(&file, &id, "sites", "a [[glance_for]] row names the primary sites it is for");
            }
            self.known_sites(&file, &id, "sites", &g.sites);
            if g.has_figures() && g.frequency_sites.is_empty() {
                self.err(&file, &id, "frequency_sites", "offers or harms holds a number: list the primary sites its source studied");
            }
            self.known_sites(&file, &id, "frequency_sites", &g.frequency_sites);
        }
        if t.questions.is_empty() {
            self.err(&file, &t.id, "questions", "add questions to ask the care team");
        }
        self.review(&file, &t.id, &t.review);
    }

    /// The urgent-help text and the red-flag list (contract 8.3): sourced,
    /// reviewed, and every flag can match something.
    fn urgent(&mut self) {
        let kb = self.kb;
        if let Some(u) = &kb.urgent {
            self.cited("urgent", "urgent_help", "sources", &u.sources);
            self.nonempty("urgent", "urgent_help", "title", &u.title);
            self.nonempty("urgent", "urgent_help", "text", &u.text);
            if !u.url.starts_with('/') {
                self.err("urgent", "urgent_help", "url", format!("expected a site path such as /support#urgent, got {:?}", u.url));
            }
            self.review("urgent", "urgent_help", &u.review);
        } else if !kb.red_flags.is_empty() {
            self.err("urgent", "urgent_help", "", "red flags are listed but there is no [urgent_help] saying who to call");
        }
        let mut seen = HashSet::new();
        for f in &kb.red_flags {
            if !seen.insert(f.id.as_str()) {
                self.err("urgent", &f.id, "id", "duplicate id");
            }
            self.cited("urgent", &f.id, "sources", &f.sources);
            if f.any.is_empty() && f.all.is_empty() {
                self.err("urgent", &f.id, "any", "a red flag needs phrases in any or all");
            }
            if f.all.iter().any(|g| g.is_empty()) || f.any.iter().chain(f.all.iter().flatten()).any(|p| p.trim().is_empty()) {
                self.err("urgent", &f.id, "all", "empty phrase or phrase group");
            }
            self.review("urgent", &f.id, &f.review);
        }
    }

    fn drug(&mut self, d: &Drug) {
        self.cited("drugs", &d.id, "sources", &d.sources);
        self.nonempty("drugs", &d.id, "description", &d.description);
        for site in &d.used_for {
            if !PRIMARY_SITES.contains(&site.as_str()) {
                self.err("drugs", &d.id, "used_for", format!("unknown primary site {site:?}"));
            }
        }
        for c in &d.components {
            if self.kb.drug(c).is_none() {
                self.err("drugs", &d.id, "components", format!("unknown component drug id {c:?}"));
            }
        }
        if d.kind == DrugKind::Regimen && d.components.is_empty() {
            self.err("drugs", &d.id, "components", "a regimen lists its component drugs");
        }
        for g in &d.given_as {
            if !["tablet", "capsule", "drip", "injection", "pump", "liquid", "patch"].contains(&g.as_str()) {
                self.err(
                    "drugs",
                    &d.id,
                    "given_as",
                    format!("unknown route {g:?}; expected tablet, capsule, drip, injection, pump, liquid or patch"),
                );
            }
        }
        self.review("drugs", &d.id, &d.review);
    }
}
