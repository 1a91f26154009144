//! `/glossary`: the word list, one anchor per term id.

use axum::extract::State;
use maud::html;

use super::{Ctx, Opts, Page, cite, layout};
use crate::AppState;

/// `GET /glossary`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let mut letters: Vec<char> = kb.glossary.iter().filter_map(|t| t.term.chars().next()).map(|c| c.to_ascii_uppercase()).collect();
    letters.dedup();
    let body = html! {
        h1 { "Word list" }
        p.lede { "Medical words you may hear, explained in plain English." }
        @if kb.glossary.is_empty() {
            p { "The word list is being written." }
        } @else {
            nav aria-label="Letters" {
                ul.az { @for c in &letters { li { a href={ "#letter-" (c) } { (c) } } } }
            }
            @for c in &letters {
                h2 id={ "letter-" (c) } { (c) }
                dl.terms {
                    @for t in kb.glossary.iter().filter(|t| t.term.chars().next().map(|x| x.to_ascii_uppercase()) == Some(*c)) {
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
