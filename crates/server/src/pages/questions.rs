//! `/questions`: every question and answer, one anchor per faq id.

use axum::extract::State;
use maud::html;

use super::{Ctx, Opts, Page, cite, layout, paragraphs};
use crate::AppState;

/// A heading for a question topic.
pub fn topic_title(kb: &hepatica_knowledge::Knowledge, topic: &str) -> String {
    match topic {
        "general" => "General".into(),
        "support" => "Support and living with cancer".into(),
        "drugs" => "Medicines".into(),
        t => kb.treatment(t).map(|t| t.title.clone()).unwrap_or_else(|| t.replace('_', " ")),
    }
}

/// `GET /questions`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let mut topics: Vec<&str> = Vec::new();
    for t in ["general"].into_iter().chain(hepatica_knowledge::TREATMENT_IDS).chain(["drugs", "support"]) {
        if kb.faqs.iter().any(|f| f.topic == t) {
            topics.push(t);
        }
    }
    for f in &kb.faqs {
        if !topics.contains(&f.topic.as_str()) {
            topics.push(&f.topic);
        }
    }
    let body = html! {
        h1 { "Questions and answers" }
        p.lede { "Answers to questions people often ask about cancer that has spread to the liver." }
        @if kb.faqs.is_empty() {
            p { "The questions and answers are being written. Meanwhile, try the " a href="/treatments" { "treatment pages" } "." }
        } @else {
            nav aria-label="Topics" {
                ul { @for t in &topics { li { a href={ "#topic-" (t) } { (topic_title(kb, t)) } } } }
            }
            @for t in &topics {
                section aria-labelledby={ "topic-" (t) } {
                    h2 id={ "topic-" (t) } { (topic_title(kb, t)) }
                    @for f in kb.faqs.iter().filter(|f| f.topic == *t) {
                        h3 id=(f.id) { (f.question) }
                        (paragraphs(&f.answer))
                        (cite(kb, &f.sources))
                    }
                }
            }
        }
    };
    layout(kb, &ctx, "Questions and answers", body, Opts::default())
}
