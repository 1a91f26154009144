//! The patient questionnaire (`/check`) and its results page (`POST /results`).
//!
//! The form is one page of short steps (fieldsets), posts to `/results` and
//! works with JavaScript off. Results come back on the POST response, so no
//! case data ever appears in a URL, a log or the database. Invalid answers
//! re-render the form with an error summary linked to each field, and 422.
//! "Change your answers" posts the answers back to `/check` to fill the form in.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hepatica_engine::{Assessment, Audience, Biomarker, Case, OptionAssessment, Suitability, assess};
use hepatica_knowledge::Knowledge;
use maud::{Markup, html};

use super::{Ctx, Opts, cite, layout, site_words, suitability_label};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::form::{
    Answers, BIOMARKER_GROUPS, FormProblem, Input, Question, SPREAD, STEPS, Wording, biomarker_question, biomarker_value_label, choice_id,
    field_id, question, to_case,
};

/// Posted form pairs, or the rejection (too large, wrong type).
pub type Posted = Result<Form<Vec<(String, String)>>, FormRejection>;

/// Reads posted pairs, turning a rejection into an error page.
pub fn posted(form: Posted) -> Result<Answers, PageError> {
    match form {
        Ok(Form(pairs)) => Ok(Answers::new(pairs)),
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge { limit: crate::MAX_BODY_BYTES }.into()),
        Err(r) => Err(AppError::BadRequest(r.body_text()).into()),
    }
}

/// `GET /check`.
pub async fn form_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    render_form(&state, &ctx, &Answers::default(), &[]).into_response()
}

/// `POST /check`: the form filled in with the posted answers ("Change your answers").
pub async fn prefilled_form(State(state): State<AppState>, ctx: Ctx, form: Posted) -> Result<Response, PageError> {
    let answers = posted(form)?;
    Ok(no_store(render_form(&state, &ctx, &answers, &[]).into_response()))
}

/// `GET /results`: there is nothing to show without answers.
pub async fn results_get() -> Redirect {
    Redirect::to("/check")
}

/// `POST /results`.
pub async fn results(State(state): State<AppState>, ctx: Ctx, form: Posted) -> Result<Response, PageError> {
    let answers = posted(form)?;
    match to_case(&answers, Wording::Patient) {
        Ok(case) => {
            let a = assess(state.kb(), &case, Audience::Patient);
            Ok(no_store(render_results(&state, &ctx, &answers, &case, &a).into_response()))
        }
        Err(problems) => {
            let page = render_form(&state, &ctx, &answers, &problems);
            Ok(no_store((StatusCode::UNPROCESSABLE_ENTITY, page).into_response()))
        }
    }
}

/// Marks a response as never to be cached (it holds someone's answers).
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn render_form(state: &AppState, ctx: &Ctx, answers: &Answers, problems: &[FormProblem]) -> super::Page {
    let kb = state.kb();
    let total = STEPS.len() + 1;
    let carer = answers.carer();
    let body = html! {
        h1 { "Check which treatments might be options" }
        p.lede { "Answer the questions you can. You can skip any question except the first one: choose \u{201c}I don't know\u{201d} or leave it blank." }
        p { "It takes about 5 minutes. You will then see all nine kinds of treatment, which of them are usually used in a situation like this, and what the care team would need to know to decide." }
        p.meta { "Nothing you enter is stored or shared. The results page is not saved anywhere." }
        (error_summary(problems))
        form method="post" action="/results" novalidate {
            fieldset.step {
                legend { span.step-no { "Step 1 of " (total) } "Who is this for?" }
                div.choices {
                    div.choice {
                        input type="radio" id="f-for-self" name="for" value="self" checked[!carer];
                        label for="f-for-self" { "I'm asking for myself" }
                    }
                    div.choice {
                        input type="radio" id="f-for-carer" name="for" value="carer" checked[carer];
                        label for="f-for-carer" { "I'm asking for someone I care for" }
                    }
                }
            }
            @for (i, (title, intro, names)) in STEPS.iter().enumerate() {
                fieldset.step {
                    legend { span.step-no { "Step " (i + 2) " of " (total) } (title) }
                    @if !intro.is_empty() { p.hint { (intro) } }
                    @for name in *names {
                        @if let Some(q) = question(name) {
                            (render_question(&q, answers, problems, Wording::Patient))
                        }
                    }
                    @if *title == "Test results" {
                        @for (group, markers) in BIOMARKER_GROUPS {
                            details open[markers.iter().any(|b| answers.get(&format!("biomarkers.{}", b.as_str())).is_some() || problems.iter().any(|p| p.field == format!("biomarkers.{}", b.as_str())))] {
                                summary { (group) }
                                div.inner.grid2 {
                                    @for b in *markers {
                                        (render_question(&biomarker_question(*b), answers, problems, Wording::Patient))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div.form-actions {
                button.start type="submit" { "Show treatment options" }
            }
        }
        (about_the_check(kb))
    };
    layout(kb, ctx, "Check which treatments might be options", body, Opts { has_errors: !problems.is_empty(), ..Opts::default() })
}

fn about_the_check(kb: &Knowledge) -> Markup {
    html! {
        h2 { "About this check" }
        p { (kb.meta.disclaimer) }
        p { "It covers cancer that started somewhere else and spread to the liver. It does not cover cancer that started in the liver." }
    }
}

/// The error summary at the top of a form (nothing when there are no problems).
pub fn error_summary(problems: &[FormProblem]) -> Markup {
    html! {
        @if !problems.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 #error-summary-title { "There is a problem" }
                ul {
                    @for p in problems {
                        li {
                            @match question(&p.field) {
                                Some(q) if !p.field.is_empty() => { a href={ "#" (q.input_id()) } { (p.message) } }
                                _ => { (p.message) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One question, with its help text, its error and the answer given so far.
pub fn render_question(q: &Question, answers: &Answers, problems: &[FormProblem], wording: Wording) -> Markup {
    let id = field_id(q.name);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-error");
    let problem = problems.iter().find(|p| p.field == q.name);
    let help = if wording == Wording::Patient { q.help } else { "" };
    let label = if wording == Wording::Patient { q.patient } else { q.clinician };
    let mut described = Vec::new();
    if !help.is_empty() {
        described.push(hint_id.clone());
    }
    if problem.is_some() {
        described.push(err_id.clone());
    }
    let described = (!described.is_empty()).then(|| described.join(" "));
    let invalid = problem.map(|_| "true");
    let current = answers.get(q.name).unwrap_or("");
    let hint = html! { @if !help.is_empty() { p.hint id=(hint_id) { (help) } } };
    let error = html! { @if let Some(p) = problem { p.field-error id=(err_id) { "Error: " (p.message) } } };
    let compact = wording == Wording::Clinician;
    html! {
        div.question.has-error[problem.is_some()] {
            @match q.input {
                Input::Choice(choices) if compact => {
                    label for=(id) { (label) }
                    (error)
                    select id=(id) name=(q.name) aria-describedby=[described.as_deref()] aria-invalid=[invalid] {
                        option value="" { @if q.name == "primary_site" { "Choose (required)" } @else { "Unknown" } }
                        @for (value, text) in choices {
                            option value=(value) selected[current == *value] { (text) }
                        }
                    }
                }
                Input::Choice(choices) => {
                    fieldset aria-describedby=[described.as_deref()] {
                        legend { (label) }
                        (hint)
                        (error)
                        div.choices.cols[choices.len() > 6] {
                            @for (value, text) in choices {
                                (radio(q.name, value, text, current == *value, invalid))
                            }
                            @if q.name != "primary_site" {
                                div.choice.dontknow { (radio_input(q.name, "", current.is_empty(), invalid)) label for=(choice_id(q.name, "")) { "I don't know" } }
                            }
                        }
                    }
                }
                Input::YesNo => {
                    fieldset aria-describedby=[described.as_deref()] {
                        legend { (label) }
                        (hint)
                        (error)
                        div.choices {
                            (radio(q.name, "true", "Yes", current == "true", invalid))
                            (radio(q.name, "false", "No", current == "false", invalid))
                            div.choice.dontknow { (radio_input(q.name, "", current.is_empty(), invalid)) label for=(choice_id(q.name, "")) { @if compact { "Unknown" } @else { "I don't know" } } }
                        }
                    }
                }
                Input::Whole | Input::Decimal | Input::Text => {
                    label for=(id) { (label) }
                    (hint)
                    (error)
                    input.num[!matches!(q.input, Input::Text)].text[matches!(q.input, Input::Text)] type="text" id=(id) name=(q.name) value=(current)
                        inputmode=[match q.input { Input::Whole => Some("numeric"), Input::Decimal => Some("decimal"), _ => None }]
                        autocomplete="off" spellcheck="false" aria-describedby=[described.as_deref()] aria-invalid=[invalid];
                }
                Input::Biomarker(b) => {
                    label for=(id) { (label) }
                    (hint)
                    (error)
                    select id=(id) name=(q.name) aria-describedby=[described.as_deref()] aria-invalid=[invalid] {
                        option value="" { @if compact { "Unknown" } @else { "Not known or not tested" } }
                        @for v in Biomarker::values(b) {
                            option value=(v.as_str()) selected[current == v.as_str()] { (biomarker_value_label(b, *v)) }
                        }
                    }
                }
                Input::Spread => {
                    @let chosen = answers.all(q.name);
                    fieldset aria-describedby=[described.as_deref()] {
                        legend { (label) }
                        (hint)
                        (error)
                        div.choices.cols[!compact] {
                            @for (value, text) in SPREAD {
                                (checkbox(q.name, value, text, chosen.contains(value), invalid))
                            }
                        }
                        div.choices {
                            div.choice.dontknow { (checkbox_input(q.name, "none", chosen.contains(&"none"), invalid)) label for=(choice_id(q.name, "none")) { "Only in the liver: it has not spread anywhere else" } }
                            (checkbox(q.name, "unknown", if compact { "Unknown" } else { "I don't know" }, chosen.contains(&"unknown"), invalid))
                        }
                    }
                }
            }
        }
    }
}

fn radio(name: &str, value: &str, text: &str, checked: bool, invalid: Option<&str>) -> Markup {
    html! { div.choice { (radio_input(name, value, checked, invalid)) label for=(choice_id(name, value)) { (text) } } }
}

fn radio_input(name: &str, value: &str, checked: bool, invalid: Option<&str>) -> Markup {
    html! { input type="radio" id=(choice_id(name, value)) name=(name) value=(value) checked[checked] aria-invalid=[invalid]; }
}

fn checkbox(name: &str, value: &str, text: &str, checked: bool, invalid: Option<&str>) -> Markup {
    html! { div.choice { (checkbox_input(name, value, checked, invalid)) label for=(choice_id(name, value)) { (text) } } }
}

fn checkbox_input(name: &str, value: &str, checked: bool, invalid: Option<&str>) -> Markup {
    html! { input type="checkbox" id=(choice_id(name, value)) name=(name) value=(value) checked[checked] aria-invalid=[invalid]; }
}

/// Pronouns for the results page: the reader or the person they care for.
#[derive(Clone, Copy)]
pub struct Voice {
    carer: bool,
}

impl Voice {
    /// "your" or "their".
    pub fn your(self) -> &'static str {
        if self.carer { "their" } else { "your" }
    }
    /// "you" or "they".
    pub fn you(self) -> &'static str {
        if self.carer { "they" } else { "you" }
    }
    /// "You" or "They".
    pub fn you_cap(self) -> &'static str {
        if self.carer { "They" } else { "You" }
    }
    /// "Your" or "Their".
    pub fn your_cap(self) -> &'static str {
        if self.carer { "Their" } else { "Your" }
    }
}

/// What each suitability group means, for patients.
pub fn group_meaning(s: Suitability, v: Voice) -> String {
    match s {
        Suitability::Usual => "Commonly used in a situation like this.".into(),
        Suitability::Possible => format!("May be an option. {} specialist team decides.", v.your_cap()),
        Suitability::Depends => "Turns on information we don't have yet. We say what would decide it.".into(),
        Suitability::Unlikely => "Not usually used in a situation like this.".into(),
    }
}

fn render_results(state: &AppState, ctx: &Ctx, answers: &Answers, case: &Case, a: &Assessment) -> super::Page {
    let kb = state.kb();
    let v = Voice { carer: answers.carer() };
    let title = format!("Treatment options to talk about with {} care team", v.your());
    let body = html! {
        h1 { (title) }
        p.lede {
            "Based on what " @if v.carer { "you told us about the person you care for" } @else { "you told us" }
            ": cancer that started in the " (site_words(case.primary_site.as_str())) " and has spread to the liver."
        }
        div.callout {
            p { strong { "This is information to discuss, not a decision." } " " (a.disclaimer) }
        }
        div.no-print.form-actions {
            button.js-print.secondary type="button" hidden { "Print or save as PDF" }
            form method="post" action="/check" {
                @for (k, val) in answers.pairs() {
                    @if !val.trim().is_empty() { input type="hidden" name=(k) value=(val); }
                }
                button.secondary type="submit" { "Change " @if v.carer { "the" } @else { "your" } " answers" }
            }
        }
        p.no-print.meta { "To take this to an appointment, print this page or save it as a PDF from your browser's menu." }
        p.print-only { "Printed from Hepatica. Knowledge base " (a.knowledge_base.version) ", published " (a.knowledge_base.published) "." }
        nav.no-print aria-label="On this page" {
            h2 { "On this page" }
            ul {
                @for s in Suitability::ALL {
                    @let n = a.options.iter().filter(|o| o.suitability == s).count();
                    @if n > 0 { li { a href={ "#group-" (s.as_str()) } { (suitability_label(s)) " (" (n) ")" } } }
                }
                @if has_scores(a) { li { a href="#scores" { "Scores doctors use" } } }
                @if !a.missing_information.is_empty() { li { a href="#missing" { "What would make this clearer" } } }
                li { a href="#sources" { "Sources" } }
                li { a href="#support" { "Support" } }
            }
        }
        @for s in Suitability::ALL {
            @let opts: Vec<&OptionAssessment> = a.options.iter().filter(|o| o.suitability == s).collect();
            @if !opts.is_empty() {
                section.group aria-labelledby={ "group-" (s.as_str()) } {
                    h2 id={ "group-" (s.as_str()) } { (suitability_label(s)) }
                    p { (group_meaning(s, v)) }
                    @for o in opts { (option_card(kb, o, v)) }
                }
            }
        }
        (scores(a, Wording::Patient))
        @if !a.missing_information.is_empty() {
            section aria-labelledby="missing" {
                h2 #missing { "What would make this clearer" }
                p { "The answer would be sharper if we knew more. " (v.you_cap()) " could ask the care team about:" }
                ul {
                    @for m in &a.missing_information {
                        li { strong { (pointer_label(&m.pointer)) } ": " (m.why) }
                    }
                }
            }
        }
        (sources_section(kb, a))
        (support_section(state, v))
        p.meta { "Knowledge base version " (a.knowledge_base.version) ", published " (a.knowledge_base.published) ". Sources and review dates are on the " a href="/about" { "About page" } "." }
    };
    layout(kb, ctx, &title, body, Opts::default())
}

fn option_card(kb: &Knowledge, o: &OptionAssessment, v: Voice) -> Markup {
    let t = kb.treatment(&o.treatment);
    let title = if o.title.is_empty() { t.map(|t| t.title.as_str()).unwrap_or(&o.treatment) } else { &o.title };
    let summary = if o.summary.is_empty() { t.map(|t| t.summary.as_str()).unwrap_or("") } else { &o.summary };
    let questions: Vec<&String> = if o.questions_to_ask.is_empty() {
        t.map(|t| t.questions.iter().take(3).collect()).unwrap_or_default()
    } else {
        o.questions_to_ask.iter().collect()
    };
    let sid = o.suitability.as_str();
    html! {
        article class={ "option s-" (sid) } aria-labelledby={ "opt-" (o.treatment) } {
            h3 id={ "opt-" (o.treatment) } { (title) }
            p { span class={ "badge s-" (sid) } { (suitability_label(o.suitability)) } }
            @if !summary.is_empty() { p { (summary) } }
            @if !o.reasons.is_empty() {
                h4 { "Why" }
                ul { @for r in &o.reasons { li { (r.text) (cite(kb, &r.sources)) } } }
            }
            @if !o.depends_on.is_empty() {
                h4 { "What would decide it" }
                ul { @for d in &o.depends_on { li { (d) } } }
            }
            @if !o.kinds.is_empty() {
                h4 { "Kinds" }
                ul {
                    @for k in &o.kinds {
                        li { a href={ "/treatments/" (o.treatment) "#kind-" (k.id) } { (k.title) } ": " (suitability_label(k.suitability).to_lowercase()) }
                    }
                }
            }
            @if !questions.is_empty() {
                h4 { "Questions " (v.you()) " could ask" }
                ul { @for q in questions { li { (q) } } }
            }
            p.no-print { a href={ "/treatments/" (o.treatment) } { "Read more about " (title.to_lowercase()) } }
        }
    }
}

fn has_scores(a: &Assessment) -> bool {
    let s = &a.scores;
    s.fong_clinical_risk_score.is_some() || s.tumour_burden_score.is_some() || s.game_score.is_some() || s.future_liver_remnant.is_some()
}

/// The scores section (nothing when no score could be worked out).
pub fn scores(a: &Assessment, wording: Wording) -> Markup {
    let s = &a.scores;
    html! {
        @if has_scores(a) {
            section aria-labelledby="scores" {
                h2 #scores { "Scores doctors use" }
                @if wording == Wording::Patient {
                    p { "Doctors sometimes use these scores to describe groups of people with similar cancers. They are a rough guide, not a prediction for one person." }
                }
                dl.facts {
                    @if let Some(f) = &s.fong_clinical_risk_score {
                        dt { "Clinical risk score (Fong)" }
                        dd { (f.value) " out of 5: " (f.group) " group. A higher score means the cancer is more likely to come back after surgery." }
                    }
                    @if let Some(t) = &s.tumour_burden_score {
                        dt { "Tumour burden score" }
                        dd { (format!("{:.1}", t.value)) ": " (t.group) " group. It combines the number and size of the tumours." }
                    }
                    @if let Some(g) = &s.game_score {
                        dt { "GAME score" }
                        dd { (g.value) " out of 7: " (g.group) " group." }
                    }
                    @if let Some(r) = &s.future_liver_remnant {
                        dt { "Liver left after surgery" }
                        dd {
                            (format!("{:.0}", r.value)) "%. Surgeons usually want at least " (r.threshold) "% for a liver in this condition: "
                            @if r.adequate { "this would be enough." } @else { "this would not be enough without extra steps first." }
                        }
                    }
                }
            }
        }
    }
}

/// The question that a missing-information pointer stands for.
pub fn pointer_label(pointer: &str) -> String {
    let field = crate::form::field_for_pointer(pointer);
    match question(&field) {
        Some(q) => q.patient.trim_end_matches('?').to_string(),
        None => pointer.trim_start_matches('/').replace(['/', '_'], " "),
    }
}

/// The sources cited in an assessment.
pub fn sources_section(kb: &Knowledge, a: &Assessment) -> Markup {
    let _ = kb;
    html! {
        section aria-labelledby="sources" {
            h2 #sources { "Sources" }
            @if a.sources.is_empty() {
                p { "All our sources are listed on the " a href="/about#sources" { "About page" } "." }
            } @else {
                ol.sources {
                    @for s in &a.sources {
                        li { a href={ "/about#source-" (s.id) } { (s.title) } " (" (s.publisher) ", " (s.year) ")" }
                    }
                }
            }
        }
    }
}

/// Support signposting.
pub fn support_section(state: &AppState, v: Voice) -> Markup {
    html! {
        section aria-labelledby="support" {
            h2 #support { "Support" }
            p { "Talking to someone can help. " (v.your_cap()) " care team, including a specialist nurse, is the first place to ask. These services can help too:" }
            ul {
                @for s in state.support().iter().take(6) {
                    li { strong { (s.name) } ": " (s.how) }
                }
            }
            p { a href="/support" { "More support services" } }
        }
    }
}

/// The answers for a page that needs the carer flag only.
pub fn voice(answers: &Answers) -> Voice {
    Voice { carer: answers.carer() }
}
