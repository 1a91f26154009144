//! `/support`: where to get support, one anchor per service id.
//!
//! The list is the knowledge base's, with a deployment's own services first
//! when `<data-dir>/support.toml` exists (see [`crate::support`]).

use axum::extract::State;
use maud::html;

use super::{Ctx, Opts, Page, layout};
use crate::AppState;

/// `GET /support`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let body = html! {
        h1 { "Support" }
        p.lede { "You don't have to cope on your own. Your care team, including your specialist nurse, is the first place to ask. These services can also help people with cancer and the people who care for them." }
        @if state.support().is_empty() {
            p { "The list of services is being written. Please ask your care team." }
        }
        @for s in state.support() {
            section.panel aria-labelledby=(s.id) {
                h2 id=(s.id) { (s.name) }
                p { (s.how) }
                @if let Some(url) = &s.url { p { a href=(url) { "Visit the " (s.name) " website" } } }
                p.meta { "Region: " (s.region) @if s.local { ". Added by this service." } }
            }
        }
        h2 { "If you feel unwell" }
        p { "If you are having treatment and feel unwell, call the number your care team gave you, at any time. In an emergency, call 999." }
    };
    layout(kb, &ctx, "Support", body, Opts::default())
}
