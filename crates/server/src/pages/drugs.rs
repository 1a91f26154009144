//! `/drugs` (search box and A–Z list) and `/drugs/<id>` (one medicine or regimen).

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
            @if !d.aliases.is_empty() { dt { "Also called" } dd { (d.aliases.join(", ")) } }
            @if !d.given_as.is_empty() { dt { "Given as" } dd { (d.given_as.join(", ")) } }
            @if !d.used_for.is_empty() {
                dt { "Used for cancer of the" } dd { (d.used_for.iter().map(|s| site_words(s)).collect::<Vec<_>>().join(", ")) }
            }
            @if !d.biomarkers.is_empty() { dt { "Depends on tests" } dd { (d.biomarkers.join(", ").replace(':', ": ").replace('_', " ")) } }
        }
        (paragraphs(&d.description))
        (cite(kb, &d.sources))
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
