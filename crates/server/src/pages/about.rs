//! `/about`: intended use, how content is made and checked, update policy,
//! funding, reviewers, versions, feedback, and every source (`#source-<id>`).

use axum::extract::State;
use maud::html;

use super::{Ctx, Opts, Page, layout, resolved};
use crate::AppState;

/// `GET /about`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let m = &kb.meta;
    let mut reviewers: Vec<String> = m.review.reviewers.clone();
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
        h2 #funding { "Funding and conflicts of interest" }
        p { (m.funding) }
        h2 #version { "Version" }
        dl.facts {
            dt { "Knowledge base" } dd { (m.version) }
            dt { "Published" } dd { (m.published) }
            dt { "Last reviewed" } dd { (m.review.reviewed_on) }
            dt { "Next review due" } dd { (m.review.review_due) }
            dt { "Software" } dd { "hepatica " (env!("CARGO_PKG_VERSION")) }
        }
        p { "Developers can use the same assessments through the " a href="/api/openapi.json" { "JSON API (OpenAPI description)" } "." }
        h2 #feedback-how { "Feedback" }
        p { "Every page ends with \u{201c}Was this page helpful?\u{201d}. We record only the page and the answer, never anything about you, and we use the answers to decide which pages to improve first. To report a mistake in the content, please tell your care team or the organisation that runs this service." }
        h2 #sources { "Sources" }
        p { "Every statement in Hepatica cites at least one of these. The wording on this site is our own." }
        ol.sources {
            @for s in sources {
                @let r = resolved(kb, &s.review);
                li id={ "source-" (s.id) } {
                    a href=(s.url) { (s.title) } ". " (s.publisher) ", " (s.year) "."
                    @if let Some(c) = &s.citation { " " (c) }
                    br;
                    span.meta { "Checked " (r.reviewed_on) "; next check due " (r.review_due) "." }
                }
            }
        }
    };
    layout(kb, &ctx, "About Hepatica", body, Opts { review: Some(m.review.clone()), ..Opts::default() })
}
