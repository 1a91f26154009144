//! The appointment sheet (`/sheet`): one or two A4 pages to take to the care team.
//!
//! `POST /sheet` takes the results page's sealed answers (`a`) with what the
//! person ticked (what matters most, `_v`; questions, `_q`; their own
//! question, `_own`), seals them all again and answers `303` to
//! `/sheet?a=<token>`. The sheet shows the date, the knowledge-base version,
//! the answers, the options at a glance, what matters most, the chosen
//! questions, room for notes, the 24-hour line and printed web addresses.
//! Nothing is stored: the sheet lives in the sealed address and on paper.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use hepatica_engine::{Audience, Suitability, assess};
use maud::html;

use super::check::{Opened, Posted, Sealed, lost_note, no_store, opened, posted, see_other};
use super::results::{Voice, summary_list, title};
use super::{Ctx, Opts, layout, suitability_label};
use crate::AppState;
use crate::error::PageError;
use crate::form::{Answers, Wording, to_case};

/// At most this many ticked questions and values are kept.
const MAX_TICKS: usize = 40;
/// At most this many characters of the person's own question are kept.
const MAX_OWN: usize = 500;

/// `POST /sheet`: reseal the answers with the ticked questions and values.
pub async fn make(form: Posted) -> Result<Response, PageError> {
    let posted = posted(form)?;
    let Some(token) = posted.get("a") else { return Ok(Redirect::to("/check").into_response()) };
    let mut q = std::collections::HashMap::new();
    q.insert("a".to_string(), token.to_string());
    let base = match opened(&q) {
        Opened::Answers(a) => a,
        _ => return Ok(see_other(&format!("/sheet?a={token}"))),
    };
    let mut pairs: Vec<(String, String)> = base.pairs().iter().filter(|(k, _)| !k.starts_with('_')).cloned().collect();
    for name in ["_v", "_q"] {
        for v in posted.all(name).into_iter().take(MAX_TICKS) {
            pairs.push((name.to_string(), v.chars().take(MAX_OWN).collect()));
        }
    }
    if let Some(own) = posted.get("_own") {
        pairs.push(("_own".into(), own.chars().take(MAX_OWN).collect()));
    }
    Ok(see_other(&format!("/sheet?a={}", super::seal::seal(&pairs))))
}

/// `GET /sheet?a=<token>`: the printable sheet.
pub async fn page(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, Query(q): Sealed) -> Response {
    let answers = match opened(&q) {
        Opened::None => return Redirect::to("/check").into_response(),
        Opened::Lost(e) => {
            let body = html! { h1 { "Appointment sheet" } (lost_note(e)) p { a href="/check" { "Answer the questions again" } } };
            return no_store(layout(state.kb(), &ctx, "Appointment sheet", body, Opts::default()).into_response());
        }
        Opened::Answers(a) => a,
    };
    let Ok(case) = to_case(&answers, Wording::Patient) else { return Redirect::to("/check").into_response() };
    let token = q.get("a").cloned().unwrap_or_default();
    no_store(render(&state, &ctx, &headers, &answers, &token, &assess(state.kb(), &case, Audience::Patient)).into_response())
}

/// Today's date in words, e.g. "1 December 2026".
fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// This site's address as the browser used it (for printed links).
fn origin(headers: &HeaderMap) -> String {
    let host =
        headers.get("host").and_then(|h| h.to_str().ok()).filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)));
    let proto = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).filter(|p| *p == "https").unwrap_or("http");
    match host {
        Some(h) => format!("{proto}://{h}"),
        None => String::new(),
    }
}

fn render(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    answers: &Answers,
    token: &str,
    a: &hepatica_engine::Assessment,
) -> super::Page {
    let kb = state.kb();
    let v = Voice::of(answers);
    let a = &*super::results::in_voice(a, v);
    let site = origin(headers);
    let values: Vec<&str> = answers.all("_v");
    let chosen_values: Vec<&str> =
        kb.questionnaire.values.iter().filter(|c| values.contains(&c.id.as_str())).map(|c| c.label.as_str()).collect();
    let mut questions: Vec<&str> = answers.all("_q");
    if let Some(own) = answers.get("_own") {
        questions.push(own);
    }
    let order = [Suitability::Usual, Suitability::Possible, Suitability::Depends, Suitability::Unlikely];
    let support_line = state.support().first();
    let body = html! {
        h1 { "Appointment sheet" }
        p.sheet-meta {
            "Made on " strong { (today()) } " with Hepatica, knowledge base " (a.knowledge_base.version) " (published " (a.knowledge_base.published) "). "
            "It is not stored anywhere."
        }
        div.no-print.form-actions {
            button.js-print.start type="button" hidden { "Print or save as PDF" }
            a.button.secondary href={ "/results?a=" (token) "#builder" } { "Change the questions" }
            a.button.secondary href={ "/results?a=" (token) } { "Back to the options" }
        }
        p.no-print.meta { "To print without JavaScript, use your browser's Print menu. This page's address stops working after 2 hours; the printout does not." }
        section aria-labelledby="s-told" {
            h2 #s-told { "What you told us" }
            (summary_list(answers, None, Wording::Patient))
        }
        section aria-labelledby="s-glance" {
            h2 #s-glance { "The options at a glance" }
            table.sheet-table {
                caption.visually-hidden { "Each kind of treatment and how it fits" }
                thead { tr { th scope="col" { "Treatment" } th scope="col" { "In this situation" } } }
                tbody {
                    @for s in order {
                        @for o in a.options.iter().filter(|o| o.suitability == s) {
                            tr { th scope="row" { (title(kb, o)) } td { (suitability_label(o.suitability)) } }
                        }
                    }
                    tr { th scope="row" { (v.heading(kb, "not-having")) } td { (if v.carer { "Their choice" } else { "Your choice" }) } }
                }
            }
        }
        section aria-labelledby="s-values" {
            h2 #s-values { (v.heading(kb, "values")) }
            @if chosen_values.is_empty() {
                p.write-in { "Nothing ticked yet. Write here:" }
                div.lines.short {}
            } @else {
                ul { @for c in &chosen_values { li { (c) } } }
            }
        }
        section aria-labelledby="s-questions" {
            h2 #s-questions { "Questions to ask" }
            @if questions.is_empty() {
                p.write-in { "No questions ticked yet. Write them here:" }
            } @else {
                ol.ask { @for q in &questions { li { (q) } } }
            }
            div.lines.short {}
        }
        section aria-labelledby="s-notes" {
            h2 #s-notes { "Notes from the appointment" }
            div.lines {}
        }
        section.urgent aria-labelledby="s-urgent" {
            h2 #s-urgent { (v.heading(kb, "next.urgent")) }
            p { (v.text(kb, "next.urgent")) }
            p.write-in { "24-hour line: " span.blank {} }
            p.write-in { "Specialist nurse: " span.blank {} }
            @if let Some(s) = support_line { p { strong { (s.name) } ": " (super::support::tel_links(&s.how)) } }
        }
        section aria-labelledby="s-links" {
            h2 #s-links { "Web addresses" }
            ul.addresses {
                li { "The treatments explained: " span.url { (site) "/treatments" } }
                li { "Support services: " span.url { (site) "/support" } }
                li { "Clinical trials: " span.url { "bepartofresearch.nihr.ac.uk" } " and " span.url { "cancerresearchuk.org/about-cancer/find-a-clinical-trial" } }
            }
        }
        p.sheet-disclaimer { (v.disclaimer(kb)) }
    };
    // The body says the disclaimer once, in the reader's voice: not again in the footer.
    layout(
        kb,
        ctx,
        "Appointment sheet",
        body,
        Opts { main_class: Some("sheet"), no_feedback: true, no_footer_disclaimer: true, ..Opts::default() },
    )
}
