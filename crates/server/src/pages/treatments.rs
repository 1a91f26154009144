//! `/treatments` and `/treatments/<id>`: the nine treatment pages from the
//! knowledge base. Each says in which release it last changed (its page, its
//! rules or its statements; [`super::about::last_changed`]) and shows its
//! clinical sign-off only where a real record exists. Opened from a carer's
//! results page (`?a=<token>`), its text and questions speak of "them"
//! ([`carer_words`], [`third_person`]).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::check::{Opened, Sealed, no_store, opened};
use super::results::{carer_words, third_person};
use super::{Ctx, Opts, Page, cite, layout, paragraphs, resolved, signoff_line};
use crate::AppState;
use crate::error::{AppError, PageError};

/// `GET /treatments`.
pub async fn index(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let body = html! {
        h1 { "Treatments" }
        p.lede { "These are the nine main kinds of treatment for cancer that has spread to the liver. Many people have more than one." }
        ul.cards {
            @for t in &kb.treatments {
                li { a href={ "/treatments/" (t.id) } { (t.title) } p { (t.summary) } }
            }
        }
        p { "To see which of these might be options in a particular situation, " a href="/check" { "answer a few questions" } "." }
    };
    layout(kb, &ctx, "Treatments", body, Opts::default())
}

/// `GET /treatments/{id}`; from a carer's results page (`?a=<token>`, the
/// results page's sealed answers) the questions to ask speak of "them", not "me".
pub async fn page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, Query(q): Sealed) -> Result<Response, PageError> {
    let carer = matches!(opened(&q), Opened::Answers(a) if a.carer());
    let kb = state.kb();
    let t = kb.treatment(&id).ok_or(AppError::NotFound)?;
    let mut all_sources: Vec<String> = Vec::new();
    for s in t.sections.iter().map(|s| &s.sources).chain(t.kinds.iter().map(|k| &k.sources)) {
        for id in s {
            if !all_sources.contains(id) {
                all_sources.push(id.clone());
            }
        }
    }
    let faqs: Vec<_> = kb.faqs.iter().filter(|f| f.topic == t.id).collect();
    let review = resolved(kb, &t.review);
    // A carer reads about the person they care for: "you" becomes "they".
    let say = |text: &str| if carer { carer_words(text) } else { text.to_string() };
    let body = html! {
        h1 { (t.title) }
        p.lede { (say(&t.summary)) }
        nav aria-label="On this page" {
            h2 { "On this page" }
            ul.toc {
                @for s in &t.sections { li { a href={ "#" (s.id) } { (s.heading) } } }
                @if !t.kinds.is_empty() { li { a href="#kinds" { "Kinds of " (t.title.to_lowercase()) } } }
                li { a href="#questions" { "Questions to ask" } }
                li { a href="#sources" { "Sources" } }
            }
        }
        @for s in &t.sections {
            section aria-labelledby=(s.id) {
                h2 id=(s.id) { (say(&s.heading)) }
                (paragraphs(&say(&s.text)))
                (cite(kb, &s.sources))
            }
        }
        @if !t.kinds.is_empty() {
            section aria-labelledby="kinds" {
                h2 #kinds { "Kinds of " (t.title.to_lowercase()) }
                @for k in &t.kinds {
                    h3 id={ "kind-" (k.id) } { (k.title) }
                    (paragraphs(&say(&k.text)))
                    (cite(kb, &k.sources))
                }
            }
        }
        section aria-labelledby="questions" {
            h2 #questions { @if carer { "Questions to ask their care team together" } @else { "Questions to ask the care team" } }
            ul { @for q in &t.questions { li { @if carer { (third_person(q)) } @else { (q) } } } }
        }
        @if !faqs.is_empty() {
            section aria-labelledby="faqs" {
                h2 #faqs { "Common questions" }
                ul { @for f in faqs { li { a href={ "/questions#" (f.id) } { @if carer { (third_person(&f.question)) } @else { (f.question) } } } } }
            }
        }
        section aria-labelledby="sources" {
            h2 #sources { "Sources" }
            ol.sources {
                @for id in &all_sources {
                    li { a href={ "/sources/" (id) } { (super::source_label(kb, id)) } }
                }
            }
        }
        p.meta.release-note {
            "This page last changed in knowledge-base release " (super::about::last_changed(kb, &t.id)) ". "
            a href="/about/changes" { "What changed in each release" } ". "
            (signoff_line(kb, &t.review))
        }
    };
    let footer_disclaimer = carer.then(|| super::results::Voice { carer: true }.disclaimer(kb));
    let page = layout(kb, &ctx, &t.title, body, Opts { review: Some(review), footer_disclaimer, ..Opts::default() }).into_response();
    // A page opened with someone's sealed answers is never cached.
    Ok(if q.contains_key("a") { no_store(page) } else { page })
}
