//! `/clinician`: every Case field on one compact form, and an MDT summary in
//! clinical wording: the inputs echoed for the record, each option with its
//! reasons, what it depends on and the criteria trace (met / not met /
//! unknown, with the inputs that decided each), points for MDT discussion
//! and a clinician disclaimer. No internal names (JSON pointers, field ids)
//! are shown. Like the patient results, valid input answers `303` to a
//! sealed address (`/clinician?a=<token>`), so Back works and nothing is stored.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hepatica_engine::{Assessment, Audience, Biomarker, CriterionStatus, Suitability, assess};
use maud::{Markup, html};

use super::check::{Opened, Posted, Sealed, error_summary_for, lost_note, no_store, opened, posted, render_question, see_other};
use super::results::{scores, sources_list, told};
use super::{Ctx, Opts, Page, cite, layout};
use crate::AppState;
use crate::error::PageError;
use crate::form::{Answers, FormProblem, Group, QUESTIONS, Wording, biomarker_question, field_for_pointer, question, to_case};

/// `GET /clinician`; with `?a=<token>` the MDT summary, or with `&edit=1` the form filled in.
pub async fn form_page(State(state): State<AppState>, ctx: Ctx, Query(q): Sealed) -> Response {
    match opened(&q) {
        Opened::None => render_form(&state, &ctx, &Answers::default(), &[], None).into_response(),
        Opened::Lost(e) => no_store(render_form(&state, &ctx, &Answers::default(), &[], Some(lost_note(e))).into_response()),
        Opened::Answers(answers) if q.contains_key("edit") => no_store(render_form(&state, &ctx, &answers, &[], None).into_response()),
        Opened::Answers(answers) => match to_case(&answers, Wording::Clinician) {
            Ok(case) => {
                let a = assess(state.kb(), &case, Audience::Clinician);
                let token = q.get("a").cloned().unwrap_or_default();
                no_store(render_results(&state, &ctx, &answers, &token, &a).into_response())
            }
            Err(problems) => {
                no_store((StatusCode::UNPROCESSABLE_ENTITY, render_form(&state, &ctx, &answers, &problems, None)).into_response())
            }
        },
    }
}

/// `POST /clinician`: valid input is sealed into the summary's address (303).
pub async fn results(State(state): State<AppState>, ctx: Ctx, form: Posted) -> Result<Response, PageError> {
    let answers = posted(form)?;
    match to_case(&answers, Wording::Clinician) {
        Ok(_) => {
            let pairs: Vec<(String, String)> =
                answers.pairs().iter().filter(|(k, v)| !v.trim().is_empty() && !k.starts_with('_')).cloned().collect();
            Ok(see_other(&format!("/clinician?a={}", super::seal::seal(&pairs))))
        }
        Err(problems) => {
            Ok(no_store((StatusCode::UNPROCESSABLE_ENTITY, render_form(&state, &ctx, &answers, &problems, None)).into_response()))
        }
    }
}

/// The clinician form's sections, in order.
const GROUPS: &[(Group, &str)] = &[
    (Group::Case, "Case"),
    (Group::Treatment, "Treatment history"),
    (Group::Liver, "Liver"),
    (Group::LiverFunction, "Liver function"),
    (Group::Pathology, "Pathology"),
    (Group::Biomarkers, "Biomarkers"),
];

fn render_form(state: &AppState, ctx: &Ctx, answers: &Answers, problems: &[FormProblem], note: Option<Markup>) -> Page {
    let kb = state.kb();
    let body = html! {
        h1 { "Clinician assessment" }
        @if let Some(n) = note { (n) }
        p.lede { "Every Case input on one form. Leave a field empty when it is unknown. Results use clinical wording and show the criteria trace." }
        p.meta { "Do not enter names, NHS numbers or other identifiers. Nothing is stored or logged." }
        (error_summary_for(problems, Wording::Clinician))
        form method="post" action="/clinician" novalidate {
            @for (group, title) in GROUPS {
                fieldset.step {
                    legend { (title) }
                    div.grid2 {
                        @for q in QUESTIONS.iter().filter(|q| q.group == *group) {
                            (render_question(q, answers, problems, Wording::Clinician))
                        }
                        @if *group == Group::Biomarkers {
                            @for b in Biomarker::ALL {
                                (render_question(&biomarker_question(*b), answers, problems, Wording::Clinician))
                            }
                        }
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

/// Clinical label for a suitability.
pub fn clinical_label(s: Suitability) -> &'static str {
    match s {
        Suitability::Usual => "Usual (standard option)",
        Suitability::Possible => "Possible (MDT decision)",
        Suitability::Depends => "Depends (information missing)",
        Suitability::Unlikely => "Unlikely (not usually indicated)",
    }
}

/// A clinician label for a JSON pointer or field name, never the pointer itself.
fn input_label(pointer: &str) -> String {
    let field =
        field_for_pointer(if pointer.starts_with('/') { pointer.to_string() } else { format!("/{}", pointer.replace('.', "/")) }.as_str());
    match question(&field) {
        Some(q) => q.clinician.split(" (").next().unwrap_or(q.clinician).to_string(),
        None => pointer.trim_start_matches('/').replace(['/', '_'], " "),
    }
}

/// Engine wording that points at output fields reads as page text here.
fn clinical_text(t: &str) -> String {
    t.replace(" (see depends_on)", " (see \u{201c}Depends on\u{201d})").replace("see depends_on", "see \u{201c}Depends on\u{201d}")
}

/// Points for the MDT: each option that turns on missing information, and the inputs not given.
fn mdt_points(a: &Assessment) -> Vec<String> {
    let mut out = Vec::new();
    for o in a.options.iter().filter(|o| o.suitability == Suitability::Depends) {
        if !o.depends_on.is_empty() {
            out.push(format!(
                "{}: establish {}.",
                o.title,
                o.depends_on.iter().map(|d| d.trim_end_matches('.').to_string()).collect::<Vec<_>>().join("; ")
            ));
        }
    }
    for o in a.options.iter().filter(|o| o.suitability == Suitability::Possible) {
        out.push(format!("{}: confirm suitability at MDT (criteria below).", o.title));
    }
    let missing: Vec<String> =
        a.missing_information.iter().map(|m| input_label(&m.pointer)).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    if !missing.is_empty() {
        out.push(format!("Inputs not provided: {}.", missing.join(", ")));
    }
    out
}

fn render_results(state: &AppState, ctx: &Ctx, answers: &Answers, token: &str, a: &Assessment) -> Page {
    let kb = state.kb();
    let rows = told(answers, Wording::Clinician);
    let disclaimer = kb.questionnaire.text("clinician.disclaimer").map(|t| t.patient.clone()).unwrap_or_else(|| a.disclaimer.clone());
    let body = html! {
        h1 { "MDT summary: options for discussion" }
        p.meta {
            @if let Some(id) = &a.case_id { "Case reference " (id) ". " }
            "Knowledge base " (a.knowledge_base.version) ", published " (a.knowledge_base.published) "."
        }
        div.callout { p { strong { "For clinicians. " } (disclaimer) } }
        div.no-print.form-actions {
            button.js-print.secondary type="button" hidden { "Print or save as PDF" }
            a.button.secondary href={ "/clinician?a=" (token) "&edit=1" } { "Change inputs" }
        }
        section aria-labelledby="inputs" {
            h2 #inputs { "Inputs as entered" }
            @if rows.is_empty() { p { "Primary site only." } }
            dl.summary-list {
                @for r in &rows {
                    div.summary-row { dt { (r.label.split(" (").next().unwrap_or(&r.label)) } dd { (r.value) } }
                }
            }
        }
        div.table-scroll {
            table {
                caption { "Suitability of each treatment area" }
                thead { tr { th scope="col" { "Treatment area" } th scope="col" { "Suitability" } th scope="col" { "Modalities" } } }
                tbody {
                    @for o in &a.options {
                        tr {
                            th scope="row" { a href={ "#opt-" (o.treatment) } { (o.title) } }
                            td { span class={ "badge s-" (o.suitability.as_str()) } { (clinical_label(o.suitability)) } }
                            td { (o.kinds.iter().map(|k| format!("{}: {}", k.title, k.suitability.as_str())).collect::<Vec<_>>().join("; ")) }
                        }
                    }
                }
            }
        }
        @let points = mdt_points(a);
        @if !points.is_empty() {
            section aria-labelledby="mdt" {
                h2 #mdt { "Points for MDT discussion" }
                ul { @for p in &points { li { (p) } } }
            }
        }
        @for o in &a.options {
            section class={ "option s-" (o.suitability.as_str()) } aria-labelledby={ "opt-" (o.treatment) } {
                h2 id={ "opt-" (o.treatment) } { (o.title) }
                p { span class={ "badge s-" (o.suitability.as_str()) } { (clinical_label(o.suitability)) } " " @if !o.summary.is_empty() { (clinical_text(&o.summary)) } }
                @if !o.reasons.is_empty() {
                    h3 { "Reasons" }
                    ul { @for r in &o.reasons { li { (clinical_text(&r.text)) (cite(kb, &r.sources)) } } }
                }
                @if !o.depends_on.is_empty() {
                    h3 { "Depends on" }
                    ul { @for d in &o.depends_on { li { (d) } } }
                }
                @if !o.criteria.is_empty() {
                    details {
                        summary { span { "Criteria (" (o.criteria.len()) ")" } }
                        div.inner.table-scroll {
                            table {
                                thead { tr { th scope="col" { "Criterion" } th scope="col" { "Status" } th scope="col" { "Decided by" } } }
                                tbody {
                                    @for c in &o.criteria {
                                        @let (cls, label) = status_words(c.status);
                                        tr {
                                            td { (c.label) }
                                            td { span class={ "crit-" (cls) } { (label) } }
                                            td { (c.inputs.iter().map(|i| input_label(i)).collect::<Vec<_>>().join(", ")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (scores(a, Wording::Clinician))
        @if !a.missing_information.is_empty() {
            section aria-labelledby="missing" {
                h2 #missing { "Missing information" }
                ul { @for m in &a.missing_information { li { strong { (input_label(&m.pointer)) } ": " (m.why) } } }
            }
        }
        @if !a.input_warnings.is_empty() {
            section aria-labelledby="warnings" {
                h2 #warnings { "Input warnings" }
                ul { @for w in &a.input_warnings { li { strong { (input_label(&w.pointer)) } ": " (w.detail) } } }
            }
        }
        section aria-labelledby="sources-h" {
            h2 #sources-h { "Sources" }
            (sources_list(a))
        }
    };
    layout(kb, ctx, "MDT summary", body, Opts::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_never_show_pointers() {
        assert_eq!(input_label("/biomarkers/NRAS"), "NRAS gene");
        assert_eq!(input_label("/liver/tumour_count"), "Liver tumour count");
        assert!(!clinical_text("Surgery: depends on information not provided (see depends_on).").contains("depends_on"));
    }
}
