//! `/drugs` (search box and A–Z list) and `/drugs/<id>` (one medicine or regimen).
//!
//! A drug page says what the medicine is for, how it is given, its common side
//! effects, its UK status and when to call the 24-hour line, each from the
//! knowledge base with its sources. Search aliases (misspellings, internal ids)
//! are for finding a medicine and are not shown.

use axum::extract::{Path, Query, State};
use hepatica_knowledge::Knowledge;
use maud::html;
use serde::Deserialize;

use super::{Ctx, Opts, Page, cite, layout, paragraphs, resolved, site_words, words};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::search::{DrugMatch, kind_str};

/// `?q=`.
#[derive(Debug, Deserialize, Default)]
pub struct SearchQuery {
    /// The query.
    #[serde(default)]
    pub q: Option<String>,
}

/// `GET /drugs`.
pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let kb = state.kb();
    let q = q.ok().and_then(|Query(s)| s.q).map(|s| crate::search::clean_query(&s)).filter(|s| !s.is_empty());
    let lookup = q.as_deref().map(|q| state.search().drugs(q, 10));
    let mut drugs: Vec<_> = kb.drugs.iter().collect();
    drugs.sort_by_key(|d| d.name.to_lowercase());
    let mut letters: Vec<char> = drugs.iter().filter_map(|d| d.name.chars().next()).map(|c| c.to_ascii_uppercase()).collect();
    letters.dedup();
    let body = html! {
        h1 { "Medicines" }
        p.lede { "Look up a cancer medicine or a combination of medicines (a regimen). You can type a medicine's name, a brand name or an abbreviation such as FOLFOX." }
        form method="get" action="/drugs" role="search" aria-label="Medicines" {
            label for="drug-q" { "Name of the medicine" }
            div.search-row {
                input #drug-q.text type="search" name="q" value=[q.as_deref()] autocomplete="off" spellcheck="false";
                button type="submit" { "Look up" }
            }
        }
        @if let Some(l) = &lookup {
            section aria-labelledby="results-h" {
                h2 #results-h { "Results for \u{201c}" (l.query) "\u{201d}" }
                @if l.matches.is_empty() {
                    p { "We could not find a medicine with that name." }
                    @if let Some(s) = &l.did_you_mean { p { "Did you mean " a href={ "/drugs?q=" (s) } { (s) } "?" } }
                    p { "Check the spelling, or look through the list below." }
                } @else {
                    ul { @for m in &l.matches { li { (match_line(m)) } } }
                }
            }
        }
        h2 { "All medicines from A to Z" }
        @if drugs.is_empty() {
            p { "The list of medicines is being written." }
        } @else {
            nav aria-label="Letters" { ul.az { @for c in &letters { li { a href={ "#letter-" (c) } { (c) } } } } }
            @for c in &letters {
                h3 id={ "letter-" (c) } { (c) }
                ul {
                    @for d in drugs.iter().filter(|d| d.name.chars().next().map(|x| x.to_ascii_uppercase()) == Some(*c)) {
                        li {
                            a href={ "/drugs/" (d.id) } { (d.name) }
                            @if !d.brand_names.is_empty() { " (" (d.brand_names.join(", ")) ")" }
                            span.meta { " " (words(d.class.as_str())) }
                        }
                    }
                }
            }
        }
    };
    layout(kb, &ctx, "Medicines", body, Opts::default())
}

fn match_line(m: &DrugMatch) -> maud::Markup {
    html! {
        a href={ "/drugs/" (m.id) } { (m.name) }
        @if !m.brand_names.is_empty() { " (" (m.brand_names.join(", ")) ")" }
        ": " (words(&m.class)) @if m.kind == "regimen" { " regimen" }
    }
}

/// "Cancer of the bowel, breast and lung"; all sixteen sites read as any cancer.
fn used_for_words(sites: &[String]) -> String {
    if sites.len() >= hepatica_knowledge::PRIMARY_SITES.len() {
        return "Any cancer: a supportive medicine".to_string();
    }
    let names: Vec<&str> = sites.iter().map(|s| site_words(s)).collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    format!("Cancer of the {list}")
}

/// "As a drip into a vein, or as tablets".
fn given_as_words(routes: &[String]) -> String {
    let words: Vec<&str> = routes
        .iter()
        .map(|r| match r.as_str() {
            "tablet" => "as tablets",
            "capsule" => "as capsules",
            "drip" => "as a drip into a vein",
            "injection" => "as an injection",
            "pump" => "through a small pump",
            "liquid" => "as a liquid to swallow",
            "patch" => "as a skin patch",
            other => other,
        })
        .collect();
    let s = words.join(", or ");
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

fn drug_name(kb: &Knowledge, id: &str) -> String {
    kb.drug(id).map(|d| d.name.clone()).unwrap_or_else(|| id.to_string())
}

/// `GET /drugs/{id}`.
pub async fn page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Page, PageError> {
    let kb = state.kb();
    let d = kb.drug(&id).ok_or(AppError::NotFound)?;
    let in_regimens: Vec<_> = kb.drugs.iter().filter(|r| r.components.iter().any(|c| c == &d.id)).collect();
    let body = html! {
        h1 { (d.name) }
        dl.facts {
            dt { "What it is" } dd { @if kind_str(d.kind) == "regimen" { "A combination of medicines (regimen)" } @else { "A medicine" } }
            dt { "Type" } dd { (words(d.class.as_str())) }
            @if !d.brand_names.is_empty() { dt { "Brand names" } dd { (d.brand_names.join(", ")) } }
            @if !d.used_for.is_empty() {
                dt { "What it is for" } dd { (used_for_words(&d.used_for)) }
            }
            @if !d.given_as.is_empty() { dt { "How it is given" } dd { (given_as_words(&d.given_as)) } }
            @if !d.biomarkers.is_empty() { dt { "Depends on tests" } dd { (d.biomarkers.join(", ").replace(':', ": ").replace('_', " ")) } }
            @if let Some(status) = &d.uk_status { dt { "UK status" } dd { (status) } }
        }
        (paragraphs(&d.description))
        @if !d.side_effects.is_empty() {
            h2 { "Common side effects" }
            p { "Not everyone gets these, and there may be others. Your team can tell you what to expect." }
            ul { @for e in &d.side_effects { li { (e) } } }
        }
        (cite(kb, &d.sources))
        (super::support::urgent_box(kb, "h2"))
        @if !d.components.is_empty() {
            h2 { "Medicines in this regimen" }
            ul { @for c in &d.components { li { @if kb.drug(c).is_some() { a href={ "/drugs/" (c) } { (drug_name(kb, c)) } } @else { (c) } } } }
        }
        @if !in_regimens.is_empty() {
            h2 { "Part of these regimens" }
            ul { @for r in in_regimens { li { a href={ "/drugs/" (r.id) } { (r.name) } } } }
        }
        p { a href="/drugs" { "All medicines" } }
    };
    Ok(layout(kb, &ctx, &d.name, body, Opts { review: Some(resolved(kb, &d.review)), ..Opts::default() }))
}
