//! `/about`: intended use, how content is made and checked, update policy,
//! funding, reviewers, versions, feedback, and every source (`#source-<id>`).
//! `/about/changes`: what changed in each release, in plain English, from
//! `hepatica_knowledge::diff` of each release against the one before.
//! `/sources/<id>`: one source: what kind of source it is, its citation (what
//! the content took from it) and what cites it, kept off `/about` so that page
//! stays light as the sources grow.

use std::sync::OnceLock;

use axum::extract::{Path, State};
use hepatica_knowledge::diff::KbDiff;
use hepatica_knowledge::{Knowledge, ReleaseInfo};
use maud::html;

use super::{Ctx, Opts, Page, layout, resolved};
use crate::AppState;
use crate::error::{AppError, PageError};

/// One release in the history, with its diff against the one before (none for the first).
pub struct Entry {
    /// The release.
    pub info: ReleaseInfo,
    /// What changed since the previous release.
    pub diff: Option<KbDiff>,
}

/// Every release this program has, oldest first, each diffed against the one
/// before (computed once per process: the releases are compiled in).
pub fn history() -> &'static [Entry] {
    static HISTORY: OnceLock<Vec<Entry>> = OnceLock::new();
    HISTORY.get_or_init(|| {
        let mut out: Vec<Entry> = Vec::new();
        let mut previous: Option<(String, Vec<(&'static str, &'static str)>)> = None;
        for info in Knowledge::catalogue() {
            let files = Knowledge::files_of(&info.version).unwrap_or_default();
            let diff = previous.as_ref().and_then(|(v, old)| hepatica_knowledge::diff::diff((v, old), (&info.version, &files)).ok());
            previous = Some((info.version.clone(), files));
            out.push(Entry { info, diff });
        }
        out
    })
}

/// The release in which a treatment's page, rules or statements last changed,
/// up to the served release (the first release when they never changed).
pub fn last_changed(kb: &Knowledge, treatment: &str) -> String {
    let h = history();
    let upto = h.iter().position(|e| e.info.version == kb.meta.version).map(|i| i + 1).unwrap_or(h.len());
    h[..upto]
        .iter()
        .rev()
        .find(|e| e.diff.as_ref().is_some_and(|d| d.touches_treatment(treatment)))
        .or_else(|| h.first())
        .map(|e| e.info.version.clone())
        .unwrap_or_else(|| kb.meta.version.clone())
}

/// `GET /about/changes`.
pub async fn changes(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let body = html! {
        h1 { "What changed in each release" }
        p.lede { "Hepatica's content is published in releases. Each release keeps its own version number, date and content hash, so an answer can always be traced to the content that gave it." }
        @for e in history().iter().rev() {
            section aria-labelledby={ "release-" (e.info.version) } {
                h2 id={ "release-" (e.info.version) } { "Release " (e.info.version) }
                p.meta {
                    "Published " (e.info.published) ". "
                    @if e.info.version == kb.meta.version && e.info.content_hash == kb.content_hash() { "This is the release this site uses. " }
                    @if e.info.latest { "The newest release. " }
                    "Content hash " code { (e.info.content_hash) }
                }
                @match &e.diff {
                    None => p { "The first published release." },
                    Some(d) if d.is_empty() => p { "No changes to the content since release " (d.from) "." },
                    Some(d) => {
                        p { "Changes since release " (d.from) ":" }
                        ul { @for line in d.plain_english() { li { (line) } } }
                    }
                }
            }
        }
        p { "Developers can get the full list, statement by statement, with " code { "hepatica kb diff OLD NEW" } "." }
    };
    layout(kb, &ctx, "What changed in each release", body, Opts::default())
}

/// `GET /about`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let m = &kb.meta;
    // Only the content team: free-text names are never shown (signoff.rs).
    let mut reviewers: Vec<String> = Vec::new();
    let reviews = kb
        .treatments
        .iter()
        .map(|t| &t.review)
        .chain(kb.sources.iter().map(|s| &s.review))
        .chain(kb.drugs.iter().map(|d| &d.review))
        .chain(kb.faqs.iter().map(|f| &f.review));
    for r in reviews {
        for name in resolved(kb, r).reviewers {
            if !reviewers.contains(&name) {
                reviewers.push(name);
            }
        }
    }
    let coverage = hepatica_knowledge::signoff::coverage(kb);
    let mut sources: Vec<_> = kb.sources.iter().collect();
    sources.sort_by(|a, b| a.title.cmp(&b.title));
    let body = html! {
        h1 { "About Hepatica" }
        nav aria-label="On this page" {
            ul.toc {
                li { a href="#intended-use" { "What it is for" } }
                li { a href="#how-made" { "How the content is made" } }
                li { a href="#updates" { "Updates and reviews" } }
                li { a href="#funding" { "Funding" } }
                li { a href="#version" { "Version" } }
                li { a href="#feedback-how" { "Feedback" } }
                li { a href="#sources" { "Sources" } }
            }
        }
        h2 #intended-use { "What it is for" }
        p { (m.intended_use) }
        p { (m.disclaimer) }
        h2 #how-made { "How the content is made and checked" }
        p { (m.how_made) }
        h2 #updates { "Updates and reviews" }
        p { (m.update_policy) }
        h3 { "Reviewers" }
        ul { @for r in &reviewers { li { (r) } } }
        h3 { "Clinical sign-off" }
        @if kb.reviewers.is_empty() || coverage.signed == 0 {
            p { "Clinical sign-off pending: no clinician has signed this content off yet." }
        } @else {
            p { (coverage.signed) " of " (coverage.items) " items have been signed off by:" }
            ul { @for r in &kb.reviewers { li { (r.name) ", " (r.role) ", " (r.organisation) @if let Some(reg) = &r.registration { " (" (reg) ")" } } } }
        }
        h2 #funding { "Funding and conflicts of interest" }
        p { (m.funding) }
        h2 #version { "Version" }
        dl.facts {
            dt { "Knowledge base" } dd { (m.version) }
            dt { "Published" } dd { (m.published) }
            dt { "Content hash (SHA-256)" } dd { code { (kb.content_hash()) } }
            dt { "Last reviewed" } dd { (m.review.reviewed_on) }
            dt { "Next review due" } dd { (m.review.review_due) }
            dt { "Software" } dd { "hepatica " (env!("CARGO_PKG_VERSION")) }
        }
        p { a href="/about/changes" { "What changed in each release" } "." }
        p { "Developers can use the same assessments through the " a href="/api/openapi.json" { "JSON API (OpenAPI description)" } "." }
        h2 #feedback-how { "Feedback" }
        p { "Every page ends with \u{201c}Was this page helpful?\u{201d}. We record only the page and the answer, never anything about you, and we use the answers to decide which pages to improve first. To report a mistake in the content, please tell your care team or the organisation that runs this service." }
        h2 #sources { "Sources" }
        p { "Every statement in Hepatica cites at least one of these. The wording on this site is our own." }
        ol.sources {
            @for s in sources {
                @let r = resolved(kb, &s.review);
                li id={ "source-" (s.id) } {
                    a href=(s.url) { (s.title) } ". " (s.publisher) ", " (s.year) ". "
                    @if s.citation.is_some() { a href={ "/sources/" (s.id) } { "What we took from it" span.visually-hidden { ": " (s.title) } } "." }
                    br;
                    span.meta { "Checked " (r.reviewed_on) "; next check due " (r.review_due) "." }
                }
            }
        }
    };
    layout(kb, &ctx, "About Hepatica", body, Opts { review: Some(m.review.clone()), ..Opts::default() })
}

/// What kind of source this is, in one plain sentence, from its kind,
/// publisher and year in `content/sources`.
pub fn what_it_is(s: &hepatica_knowledge::Source) -> String {
    use hepatica_knowledge::SourceKind::*;
    let (p, y) = (&s.publisher, s.year);
    match s.kind {
        Guideline => {
            format!("A clinical guideline from {p}, published in {y}. It is advice for doctors and nurses on how to treat an illness.")
        }
        TechnologyAppraisal => {
            format!("A technology appraisal from {p}, published in {y}. It decides whether the NHS should offer a medicine, and for whom.")
        }
        ProcedureGuidance => format!(
            "Procedure guidance from {p}, published in {y}. It says whether a procedure is safe and works well enough to use, and how."
        ),
        Commissioning => format!("A policy from {p}, published in {y}. It says when the NHS pays for a treatment."),
        Trial => format!("A report of a clinical trial, in {p} ({y}). A trial tests a treatment in a group of people."),
        Licence => format!("A licence or approval from {p}, in {y}. It is the regulator's decision on what a medicine may be used for."),
        Consensus => format!("A consensus statement, in {p} ({y}). It says what a group of experts agreed."),
        Review => format!("A review, in {p} ({y}). It brings together the results of other studies."),
        Cohort => format!(
            "An observational study, in {p} ({y}). It looked at what happened to a group of people, without choosing their treatment at random."
        ),
        PatientInformation => format!("Information for patients and families from {p} ({y})."),
    }
}

/// A page or part of one that cites a source: where it is, and what it is called.
pub struct Citing {
    /// The address (`/treatments/surgery`, `/drugs/folfox`, `/glossary#sabr`).
    pub href: String,
    /// The page or entry's name.
    pub label: String,
}

/// What cites a source: the treatment pages (a section, kind or at-a-glance
/// row), drug pages, word-list entries and questions and answers that name it,
/// and the statements (the reasons the results give) that cite it, in their
/// patient words.
pub fn cited_by(kb: &Knowledge, id: &str) -> (Vec<Citing>, Vec<String>) {
    let has = |ids: &[String]| ids.iter().any(|x| x == id);
    let mut pages: Vec<Citing> = Vec::new();
    for t in &kb.treatments {
        let cites = t.sections.iter().any(|s| has(&s.sources))
            || t.kinds.iter().any(|k| has(&k.sources))
            || t.glance_rows().any(|(_, _, g)| has(&g.sources));
        if cites {
            pages.push(Citing { href: format!("/treatments/{}", t.id), label: t.title.clone() });
        }
    }
    for d in kb.drugs.iter().filter(|d| has(&d.sources)) {
        pages.push(Citing { href: format!("/drugs/{}", d.id), label: d.name.clone() });
    }
    for t in kb.glossary.iter().filter(|t| has(&t.sources)) {
        pages.push(Citing { href: format!("/glossary#{}", t.id), label: format!("Word list: {}", t.term) });
    }
    for f in kb.faqs.iter().filter(|f| has(&f.sources)) {
        pages.push(Citing { href: format!("/questions#{}", f.id), label: f.question.clone() });
    }
    let mut statements: Vec<String> = Vec::new();
    for st in kb.statements.iter().filter(|st| has(&st.sources)) {
        if !statements.contains(&st.patient) {
            statements.push(st.patient.clone());
        }
    }
    (pages, statements)
}

/// `/sources/<id>`: one source: what kind of source it is, what the content
/// took from it, and the pages and statements that cite it.
pub async fn source(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Page, PageError> {
    let kb = state.kb();
    let s = kb.source(&id).ok_or(AppError::NotFound)?;
    let r = resolved(kb, &s.review);
    let (pages, statements) = cited_by(kb, &s.id);
    let body = html! {
        h1 { (s.title) }
        p.lede { (what_it_is(s)) }
        dl.facts {
            dt { "Published by" } dd { (s.publisher) ", " (s.year) }
            dt { "Link" } dd { a href=(s.url) { (s.url) } }
            @if let Some(c) = &s.citation { dt { "What we took from it" } dd { (c) } }
            dt { "How we checked it" } dd {
                @match s.verification {
                    hepatica_knowledge::Verification::V2 => "We read the fact in a summary of this source, not in the source itself.",
                    _ => "We read the fact in the source itself.",
                }
            }
            dt { "Checked" } dd { (r.reviewed_on) "; next check due " (r.review_due) }
        }
        @if !pages.is_empty() {
            h2 #cited-pages { "Pages that use it" }
            ul { @for c in &pages { li { a href=(c.href) { (c.label) } } } }
        }
        @if !statements.is_empty() {
            h2 #cited-statements { "What it supports in the results" }
            p { "The results page gives these reasons, and cites this source for them:" }
            ul { @for st in &statements { li { (st) } } }
        }
        p { a href={ "/about#source-" (s.id) } { "All sources" } }
    };
    Ok(layout(kb, &ctx, &s.title, body, Opts { review: Some(r), ..Opts::default() }))
}
