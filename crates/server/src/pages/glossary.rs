//! `/glossary`: the word list, one anchor per term id, with a search box.
//!
//! `?q=` filters the list to terms whose name, other names or definition
//! contain every word typed (ignoring case), so it works without JavaScript.

use axum::extract::{Query, State};
use maud::html;

use super::drugs::SearchQuery;
use super::{Ctx, Opts, Page, cite, layout};
use crate::AppState;

/// `GET /glossary?q=`.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let kb = state.kb();
    let q = q.ok().and_then(|Query(s)| s.q).map(|s| crate::search::clean_query(&s)).filter(|s| !s.is_empty());
    let wanted: Vec<String> = q.as_deref().map(|q| q.to_lowercase().split_whitespace().map(str::to_string).collect()).unwrap_or_default();
    let terms: Vec<_> = kb
        .glossary
        .iter()
        .filter(|t| {
            let hay = format!("{} {} {}", t.term, t.aliases.join(" "), t.definition).to_lowercase();
            wanted.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    let mut letters: Vec<char> = terms.iter().filter_map(|t| t.term.chars().next()).map(|c| c.to_ascii_uppercase()).collect();
    letters.dedup();
    let body = html! {
        h1 { "Word list" }
        p.lede { "Medical words you may hear, explained in plain English." }
        form method="get" action="/glossary" role="search" aria-label="Word list" {
            label for="glossary-q" { "Find a word" }
            div.search-row {
                input #glossary-q.text type="search" name="q" value=[q.as_deref()] autocomplete="off";
                button type="submit" { "Find" }
            }
        }
        @if let Some(q) = &q {
            p role="status" {
                @if terms.is_empty() {
                    "No words match \u{201c}" (q) "\u{201d}. Try fewer letters, or "
                    a href={ "/ask?q=" (q) } { "search the whole site" } "."
                } @else {
                    (terms.len()) @if terms.len() == 1 { " word matches" } @else { " words match" } " \u{201c}" (q) "\u{201d}. "
                    a href="/glossary" { "Show all words" }
                }
            }
        }
        @if kb.glossary.is_empty() {
            p { "The word list is being written." }
        } @else if !terms.is_empty() {
            nav aria-label="Letters" {
                ul.az { @for c in &letters { li { a href={ "#letter-" (c) } { (c) } } } }
            }
            @for c in &letters {
                h2 id={ "letter-" (c) } { (c) }
                dl.terms {
                    @for t in terms.iter().filter(|t| t.term.chars().next().map(|x| x.to_ascii_uppercase()) == Some(*c)) {
                        dt id=(t.id) {
                            (t.term)
                            @if !t.aliases.is_empty() { span.meta { " (also: " (t.aliases.join(", ")) ")" } }
                        }
                        dd { (t.definition) (cite(kb, &t.sources)) }
                    }
                }
            }
        }
    };
    layout(kb, &ctx, "Word list", body, Opts::default())
}
