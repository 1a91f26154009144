//! Server-rendered pages (contract section 6), written with maud.
//!
//! Every page is plain HTML that works without JavaScript: one `h1`, landmarks,
//! a skip link, a search box, a "Was this page helpful?" form and a footer with
//! the knowledge-base version, its content hash and review dates. Pages only read the knowledge
//! base and the engine's output; they hold no clinical logic.
//!
//! One module per page family: [`home`], [`check`] (questionnaire and its
//! handlers), [`results`] (the decision aid), [`sheet`] (the appointment
//! sheet), [`seal`] (answers sealed into addresses), [`clinician`], [`treatments`], [`glossary`], [`drugs`], [`ask`],
//! [`questions`], [`about`], [`support`], [`feedback`].

pub mod about;
pub mod ask;
pub mod check;
pub mod clinician;
pub mod drugs;
pub mod feedback;
pub mod gloss;
pub mod glossary;
pub mod home;
pub mod questions;
pub mod results;
pub mod seal;
pub mod sheet;
pub mod support;
pub mod treatments;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Html;
use axum::routing::{get, post};
use hepatica_knowledge::{Knowledge, Review, ReviewOverride};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::AppState;
use crate::error::{AppError, PageError};

/// A rendered page.
pub type Page = Html<String>;

/// What to call a page path in navigation, in order.
pub const NAV: &[(&str, &str)] = &[
    ("/check", "Check options"),
    ("/treatments", "Treatments"),
    ("/drugs", "Medicines"),
    ("/questions", "Questions"),
    ("/glossary", "Word list"),
    ("/support", "Support"),
    ("/about", "About"),
];

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/check", get(check::form_page).post(check::prefilled_form))
        .route("/results", post(check::results).get(check::results_get))
        .route("/sheet", post(sheet::make).get(sheet::page))
        .route("/clinician", get(clinician::form_page).post(clinician::results))
        .route("/treatments", get(treatments::index))
        .route("/treatments/{id}", get(treatments::page))
        .route("/glossary", get(glossary::page))
        .route("/drugs", get(drugs::index))
        .route("/drugs/{id}", get(drugs::page))
        .route("/ask", get(ask::page))
        .route("/questions", get(questions::page))
        .route("/about", get(about::page))
        .route("/about/changes", get(about::changes))
        .route("/sources/{id}", get(about::source))
        .route("/support", get(support::page))
        .route("/feedback", post(feedback::submit))
        .fallback(not_found)
}

async fn not_found() -> PageError {
    PageError(AppError::NotFound)
}

/// Per-request facts every page needs: its path, and whether feedback was just sent.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The path of the page (the GET page for POST-only results).
    pub path: String,
    /// `?feedback=thanks` after a feedback post.
    pub thanks: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let path = match parts.uri.path() {
            "/results" | "/sheet" => "/check".to_string(),
            p => p.to_string(),
        };
        let thanks = parts.uri.query().is_some_and(|q| q.split('&').any(|kv| kv == "feedback=thanks"));
        Ok(Ctx { path, thanks })
    }
}

/// Options for [`layout`].
#[derive(Default)]
pub struct Opts<'a> {
    /// The page's own review, shown above the footer.
    pub review: Option<Review>,
    /// Extra class on `<main>`.
    pub main_class: Option<&'a str>,
    /// Prefix the title with "Error: " (forms with errors).
    pub has_errors: bool,
    /// Leave out "Was this page helpful?" (error pages).
    pub no_feedback: bool,
    /// Leave the disclaimer out of the footer (the results page says it once,
    /// in the reader's own voice, in its body).
    pub no_footer_disclaimer: bool,
    /// The footer's disclaimer in another voice (a carer's pages: "their care
    /// team"); the knowledge base's own words when `None`.
    pub footer_disclaimer: Option<String>,
}

/// The page shell around `body` (which must contain the page's one `h1`).
pub fn layout(kb: &Knowledge, ctx: &Ctx, title: &str, body: Markup, opts: Opts<'_>) -> Page {
    let full_title = if ctx.path == "/" {
        format!("{title}: Hepatica")
    } else if opts.has_errors {
        format!("Error: {title}: Hepatica")
    } else {
        format!("{title}: Hepatica")
    };
    let meta = &kb.meta;
    let m = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (full_title) }
                meta name="description" content="Plain-English information about treatments for cancer that has spread to the liver (liver metastases).";
                link rel="stylesheet" href=(crate::assets::css_url());
                link rel="icon" href=(crate::assets::icon_url()) type="image/svg+xml";
                script src=(crate::assets::js_url()) defer {}
            }
            body {
                a.skip href="#main" { "Skip to main content" }
                header.site-header {
                    div.wrap {
                        a.brand href="/" {
                            "Hepatica"
                            span { "Treatments for cancer that has spread to the liver" }
                        }
                        form.site-search role="search" method="get" action="/ask" {
                            label for="site-q" { "Search Hepatica" }
                            input #site-q type="search" name="q" autocomplete="off" placeholder="Search, e.g. what is ablation?";
                            button.secondary type="submit" { "Search" }
                        }
                    }
                    nav.site-nav aria-label="Main" {
                        ul.wrap {
                            @for (href, label) in NAV {
                                li {
                                    @if is_current(&ctx.path, href) {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main class={ "wrap" @if let Some(c) = opts.main_class { " " (c) } } tabindex="-1" {
                    (body)
                    @if let Some(r) = &opts.review {
                        p.meta { (review_line(r)) }
                    }
                    @if !opts.no_feedback { (feedback_box(ctx)) }
                }
                footer.site-footer {
                    div.wrap {
                        p {
                            "Knowledge base version " strong { (meta.version) } ", published " (meta.published)
                            ". Last reviewed " (meta.review.reviewed_on) "; next review due " (meta.review.review_due) "."
                            @if let Some(newer) = kb.superseded_by() { " A newer release, " (newer) ", exists." }
                        }
                        p.kb-hash { "Content hash (SHA-256): " code { (kb.content_hash()) } }
                        @if !opts.no_footer_disclaimer { p { (opts.footer_disclaimer.as_deref().unwrap_or(&meta.disclaimer)) } }
                        ul {
                            li { a href="/about" { "About and sources" } }
                            li { a href="/about/changes" { "What changed" } }
                            li { a href="/support" { "Support" } }
                            li { a href="/clinician" { "For clinicians" } }
                            li { a href="/api/openapi.json" { "API" } }
                        }
                    }
                }
            }
        }
    };
    Html(m.into_string())
}

fn is_current(path: &str, href: &str) -> bool {
    if href == "/" { path == "/" } else { path == href || path.starts_with(&format!("{href}/")) }
}

fn feedback_box(ctx: &Ctx) -> Markup {
    html! {
        section.feedback #feedback aria-labelledby="feedback-h" {
            h2 #feedback-h { "Was this page helpful?" }
            @if ctx.thanks {
                p.thanks role="status" { "Thank you. Your answer helps us improve this page." }
            } @else {
                form method="post" action="/feedback" {
                    input type="hidden" name="page" value=(ctx.path);
                    button.secondary type="submit" name="helpful" value="yes" { "Yes" }
                    button.secondary type="submit" name="helpful" value="no" { "No" }
                }
                p.meta { "We only record the page and your answer, nothing about you." }
            }
        }
    }
}

/// The error page for [`PageError`].
pub fn error_page(title: &str, text: &str) -> Page {
    let kb = Knowledge::embedded();
    let ctx = Ctx { path: "/".into(), thanks: false };
    let body = html! {
        h1 { (title) }
        p { (text) }
        p { a href="/" { "Go to the home page" } }
    };
    // The error page has no feedback form: there is no page to give feedback on.
    layout(kb, &ctx, title, body, Opts { no_feedback: true, ..Opts::default() })
}

/// "Reviewed on … by …; next review due …".
pub fn review_line(r: &Review) -> Markup {
    html! {
        "Last reviewed " (r.reviewed_on) " by " (r.reviewers.join(", ")) ". Next review due " (r.review_due) "."
    }
}

/// "Reviewed by NAME, ROLE on DATE" where a sign-off record names a listed
/// reviewer, else the honest "Clinical sign-off pending".
pub fn signoff_line(kb: &Knowledge, r: &ReviewOverride) -> Markup {
    match hepatica_knowledge::signoff::latest(kb, r) {
        Some((s, who)) => html! { "Reviewed by " (who.name) ", " (who.role) " on " (s.on) " (release " (s.release) ")." },
        None => html! { "Clinical sign-off pending." },
    }
}

/// The resolved review of a record, or the knowledge base's own, as a page
/// shows it: the reviewer is always the content team
/// ([`hepatica_knowledge::signoff::team_line`]), "(clinical sign-off
/// pending)" only without a sign-off record, and never a free-text name (a
/// person is named only by [`signoff_line`], from `reviewers.toml`).
pub fn resolved(kb: &Knowledge, r: &ReviewOverride) -> Review {
    let mut review = match (r.reviewed_on, r.review_due, &r.reviewers) {
        (Some(reviewed_on), Some(review_due), Some(reviewers)) => Review { reviewed_on, review_due, reviewers: reviewers.clone() },
        _ => kb.meta.review.clone(),
    };
    review.reviewers = vec![hepatica_knowledge::signoff::team_line(kb, r).to_string()];
    review
}

/// Plain text with blank-line paragraphs, as `<p>`s (lines starting "- " become a list).
pub fn paragraphs(text: &str) -> Markup {
    let blocks: Vec<&str> = text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()).collect();
    html! {
        @for b in blocks {
            @if b.lines().all(|l| l.trim_start().starts_with("- ")) {
                ul { @for l in b.lines() { li { (l.trim_start().trim_start_matches("- ")) } } }
            } @else {
                p { (b.split_whitespace().collect::<Vec<_>>().join(" ")) }
            }
        }
    }
}

/// Links to the cited sources.
/// Each source links to its own page (`/sources/<id>`: what it is, in plain
/// words, and what cites it), not to its line on the long About list
/// (outsider phone test: an 89-screen page).
pub fn cite(kb: &Knowledge, ids: &[String]) -> Markup {
    html! {
        @if !ids.is_empty() {
            p.cite {
                @if ids.len() == 1 { "Source: " } @else { "Sources: " }
                @for (i, id) in ids.iter().enumerate() {
                    @if i > 0 { "; " }
                    @match kb.source(id) {
                        Some(s) => { a href={ "/sources/" (id) } { (s.publisher) " " (s.year) span.visually-hidden { ": " (s.title) } } }
                        None => { a href={ "/about#source-" (id) } { (id) } }
                    }
                }
            }
        }
    }
}

/// A short readable label for a source id.
pub fn source_label(kb: &Knowledge, id: &str) -> String {
    match kb.source(id) {
        Some(s) => format!("{} ({}, {})", s.title, s.publisher, s.year),
        None => id.to_string(),
    }
}

/// Human words for a suitability.
pub fn suitability_label(s: hepatica_engine::Suitability) -> &'static str {
    use hepatica_engine::Suitability::*;
    match s {
        Usual => "Usually used",
        Possible => "May be possible",
        Depends => "Depends on more information",
        Unlikely => "Not usually used",
    }
}

/// Turns `snake_case` ids into words.
pub fn words(id: &str) -> String {
    id.replace('_', " ")
}

/// A name for a primary site in running text.
pub fn site_words(site: &str) -> &'static str {
    match site {
        "bowel" => "bowel",
        "breast" => "breast",
        "prostate" => "prostate",
        "lung" => "lung",
        "melanoma" => "melanoma (skin)",
        "uveal_melanoma" => "melanoma of the eye",
        "neuroendocrine" => "neuroendocrine tumour",
        "pancreas" => "pancreas",
        "stomach" => "stomach",
        "oesophagus" => "oesophagus (food pipe)",
        "kidney" => "kidney",
        "ovary" => "ovary",
        "womb" => "womb",
        "gist" => "GIST",
        "unknown" => "unknown primary",
        _ => "other",
    }
}

/// Raw HTML that the caller has already made safe.
pub fn trusted(s: String) -> PreEscaped<String> {
    PreEscaped(s)
}
