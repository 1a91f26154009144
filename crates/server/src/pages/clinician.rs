//! `/clinician`: every Case field on one compact form, and results in
//! clinician wording with the criteria trace (met / not met / unknown, with
//! the inputs that decided each criterion).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hepatica_engine::{Assessment, Audience, Biomarker, CriterionStatus, assess};
use maud::html;

use super::check::{Posted, error_summary, no_store, posted, render_question, scores, sources_section};
use super::{Ctx, Opts, Page, cite, layout, suitability_label};
use crate::AppState;
use crate::error::PageError;
use crate::form::{Answers, FormProblem, QUESTIONS, Wording, biomarker_question, to_case};

/// `GET /clinician`.
pub async fn form_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    render_form(&state, &ctx, &Answers::default(), &[]).into_response()
}

/// `POST /clinician`.
pub async fn results(State(state): State<AppState>, ctx: Ctx, form: Posted) -> Result<Response, PageError> {
    let answers = posted(form)?;
    if answers.get("_edit").is_some() {
        return Ok(no_store(render_form(&state, &ctx, &answers, &[]).into_response()));
    }
    match to_case(&answers, Wording::Clinician) {
        Ok(case) => {
            let a = assess(state.kb(), &case, Audience::Clinician);
            Ok(no_store(render_results(&state, &ctx, &answers, &a).into_response()))
        }
        Err(problems) => Ok(no_store((StatusCode::UNPROCESSABLE_ENTITY, render_form(&state, &ctx, &answers, &problems)).into_response())),
    }
}

fn render_form(state: &AppState, ctx: &Ctx, answers: &Answers, problems: &[FormProblem]) -> Page {
    let kb = state.kb();
    let body = html! {
        h1 { "Clinician assessment" }
        p.lede { "Every Case input on one form. Leave a field empty when it is unknown. Results use clinical wording and show the criteria trace." }
        p.meta { "Do not enter names, NHS numbers or other identifiers. Nothing is stored or logged." }
        (error_summary(problems))
        form method="post" action="/clinician" novalidate {
            fieldset.step {
                legend { "Case" }
                div.grid2 {
                    @for q in QUESTIONS.iter().filter(|q| !q.name.starts_with("liver.")) {
                        (render_question(q, answers, problems, Wording::Clinician))
                    }
                }
            }
            fieldset.step {
                legend { "Liver" }
                div.grid2 {
                    @for q in QUESTIONS.iter().filter(|q| q.name.starts_with("liver.")) {
                        (render_question(q, answers, problems, Wording::Clinician))
                    }
                }
            }
            fieldset.step {
                legend { "Biomarkers" }
                div.grid2 {
                    @for b in Biomarker::ALL {
                        (render_question(&biomarker_question(*b), answers, problems, Wording::Clinician))
                    }
                }
            }
            div.form-actions { button.start type="submit" { "Assess" } }
        }
    };
    layout(kb, ctx, "Clinician assessment", body, Opts { has_errors: !problems.is_empty(), ..Opts::default() })
}

fn status_words(s: CriterionStatus) -> (&'static str, &'static str) {
    match s {
        CriterionStatus::Met => ("met", "Met"),
        CriterionStatus::NotMet => ("not_met", "Not met"),
        CriterionStatus::Unknown => ("unknown", "Unknown"),
    }
}

fn render_results(state: &AppState, ctx: &Ctx, answers: &Answers, a: &Assessment) -> Page {
    let kb = state.kb();
    let body = html! {
        h1 { "Clinician assessment: results" }
        p.meta {
            @if let Some(id) = &a.case_id { "Case " (id) ". " }
            "Knowledge base " (a.knowledge_base.version) ", published " (a.knowledge_base.published) "."
        }
        div.callout { p { (a.disclaimer) } }
        div.no-print.form-actions {
            button.js-print.secondary type="button" hidden { "Print or save as PDF" }
            form method="post" action="/clinician" {
                input type="hidden" name="_edit" value="1";
                @for (k, val) in answers.pairs() {
                    @if !val.trim().is_empty() && !k.starts_with('_') { input type="hidden" name=(k) value=(val); }
                }
                button.secondary type="submit" { "Change inputs" }
            }
        }
        div.table-scroll {
            table {
                caption.visually-hidden { "Suitability of each treatment area" }
                thead { tr { th scope="col" { "Treatment area" } th scope="col" { "Suitability" } th scope="col" { "Kinds" } } }
                tbody {
                    @for o in &a.options {
                        tr {
                            th scope="row" { a href={ "#opt-" (o.treatment) } { (o.title) } }
                            td { span class={ "badge s-" (o.suitability.as_str()) } { (o.suitability.as_str()) } }
                            td { (o.kinds.iter().map(|k| format!("{} ({})", k.title, k.suitability.as_str())).collect::<Vec<_>>().join("; ")) }
                        }
                    }
                }
            }
        }
        @for o in &a.options {
            section class={ "option s-" (o.suitability.as_str()) } aria-labelledby={ "opt-" (o.treatment) } {
                h2 id={ "opt-" (o.treatment) } { (o.title) }
                p { span class={ "badge s-" (o.suitability.as_str()) } { (suitability_label(o.suitability)) } " " @if !o.summary.is_empty() { (o.summary) } }
                @if !o.reasons.is_empty() {
                    h3 { "Reasons" }
                    ul { @for r in &o.reasons { li { (r.text) (cite(kb, &r.sources)) } } }
                }
                @if !o.depends_on.is_empty() {
                    h3 { "Depends on" }
                    ul { @for d in &o.depends_on { li { (d) } } }
                }
                h3 { "Criteria" }
                @if o.criteria.is_empty() {
                    p.meta { "No criteria recorded for this option." }
                } @else {
                    div.table-scroll {
                        table {
                            thead { tr { th scope="col" { "Criterion" } th scope="col" { "Status" } th scope="col" { "Inputs" } } }
                            tbody {
                                @for c in &o.criteria {
                                    @let (cls, label) = status_words(c.status);
                                    tr {
                                        td { (c.label) }
                                        td { span class={ "crit-" (cls) } { (label) } }
                                        td { code { (c.inputs.join(", ")) } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !o.questions_to_ask.is_empty() {
                    h3 { "Questions for the MDT" }
                    ul { @for q in &o.questions_to_ask { li { (q) } } }
                }
            }
        }
        (scores(a, Wording::Clinician))
        @if !a.missing_information.is_empty() {
            section aria-labelledby="missing" {
                h2 #missing { "Missing information" }
                ul { @for m in &a.missing_information { li { code { (m.pointer) } ": " (m.why) } } }
            }
        }
        @if !a.input_warnings.is_empty() {
            section aria-labelledby="warnings" {
                h2 #warnings { "Input warnings" }
                ul { @for w in &a.input_warnings { li { code { (w.pointer) } ": " (w.detail) } } }
            }
        }
        (sources_section(kb, a))
    };
    layout(kb, ctx, "Clinician assessment: results", body, Opts::default())
}
