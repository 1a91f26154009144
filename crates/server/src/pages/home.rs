//! `/`: what Hepatica is and is not, who it is for, and where to start.

use axum::extract::State;
use maud::html;

use super::{Ctx, Opts, Page, layout};
use crate::AppState;

/// `GET /`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let body = html! {
        h1 { "Treatment options for cancer that has spread to the liver" }
        p.lede { "Cancer that starts in one part of the body and spreads to the liver is called secondary liver cancer, or liver metastases. There are nine main kinds of treatment. This site explains them in plain English." }
        p { a.button.start href="/check" { "Check which treatments might be options" } }
        p.meta { "About 5 minutes. Skip any question you can't answer. Nothing you enter is stored." }
        div.panel {
            h2 { "What this is" }
            ul {
                li { "A guide to which treatments are usually used, which may be possible and which are unlikely, depending on where the cancer started and how the liver is affected." }
                li { "Questions to ask your care team, and what would help them decide." }
                li { "Every statement comes with its source, and every page shows when it was last checked." }
            }
            h2 { "What this is not" }
            ul {
                li { "It is not medical advice and it does not make decisions. Only your specialist team can say which treatments are right for you." }
                li { "It does not cover cancer that started in the liver (primary liver cancer)." }
            }
            h2 { "Who it is for" }
            p { "People with cancer that has spread to the liver, their family and friends who care for them, and their care teams. Clinicians can use the " a href="/clinician" { "clinician form" } ", which shows the full reasoning." }
        }
        h2 { "The nine kinds of treatment" }
        ul.cards {
            @for t in &kb.treatments {
                li { a href={ "/treatments/" (t.id) } { (t.title) } p { (t.summary) } }
            }
        }
        h2 { "Other help" }
        ul {
            li { a href="/questions" { "Common questions and answers" } }
            li { a href="/drugs" { "Look up a medicine by name" } }
            li { a href="/glossary" { "Word list: medical words explained" } }
            li { a href="/support" { "Where to get support" } }
        }
    };
    layout(
        kb,
        &ctx,
        "Treatment options for cancer that has spread to the liver",
        body,
        Opts { review: Some(kb.meta.review.clone()), ..Opts::default() },
    )
}
