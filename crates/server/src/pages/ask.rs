//! `/ask`: the site search (every page's search box lands here).
//!
//! When the question describes a same-day red flag (contract 8.3), the
//! urgent box with who to call now comes first, above the results.

use axum::extract::{Query, State};
use maud::{PreEscaped, html};

use super::drugs::SearchQuery;
use super::{Ctx, Opts, Page, layout};
use crate::AppState;

/// The search crate's snippet HTML if it holds no tag but `<mark>`; otherwise
/// the plain snippet, escaped. Never trusts other markup.
pub fn safe_snippet_html(snippet_html: &str, plain: &str) -> String {
    let rest = snippet_html.replace("<mark>", "").replace("</mark>", "");
    if rest.contains('<') || rest.contains('>') { maud::html! { (plain) }.into_string() } else { snippet_html.to_string() }
}

/// `GET /ask?q=`.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let kb = state.kb();
    let q = q.ok().and_then(|Query(s)| s.q).map(|s| crate::search::clean_query(&s)).filter(|s| !s.is_empty());
    let res = q.as_deref().map(|q| state.search().ask(q, 10));
    let body = html! {
        h1 { "Search" }
        form method="get" action="/ask" role="search" aria-label="Search the site" {
            label for="ask-q" { "Ask a question or type a few words" }
            div.search-row {
                input #ask-q.text type="search" name="q" value=[q.as_deref()] autocomplete="off";
                button type="submit" { "Search" }
            }
        }
        @if let Some(r) = &res {
            section aria-labelledby="results-h" {
                @if let Some(u) = &r.urgent {
                    div.panel.urgent role="alert" {
                        h3 { (u.title) }
                        p { (super::support::tel_links(u.text.trim())) }
                        p { a href=(u.url) { "Who to call now" } " \u{b7} " a href="tel:999" { "Emergency: call 999" } }
                    }
                }
                h2 #results-h { "Results for \u{201c}" (r.query) "\u{201d}" }
                @if let Some(n) = &r.note { p { (n) } }
                @if r.results.is_empty() {
                    p { "Try different words, or browse the " a href="/treatments" { "treatments" } ", " a href="/questions" { "questions and answers" } " or " a href="/glossary" { "word list" } "." }
                } @else {
                    ol.results {
                        @for hit in &r.results {
                            li {
                                a href=(hit.url) { (hit.title) }
                                p { (PreEscaped(safe_snippet_html(&hit.snippet_html, &hit.snippet))) }
                            }
                        }
                    }
                }
            }
        } @else {
            p { "For example: \u{201c}Can the liver grow back after surgery?\u{201d} or \u{201c}what is SIRT\u{201d}." }
        }
    };
    layout(kb, &ctx, "Search", body, Opts::default())
}
