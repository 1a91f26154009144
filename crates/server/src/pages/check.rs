//! The patient questionnaire (`/check`), and the handlers that turn it into
//! the results page (`/results`) and the appointment sheet (`/sheet`).
//!
//! The one required question (where the cancer started) comes first, with
//! "Show my options now" straight after it; every other question is optional
//! and has "I don't know". Questions for one primary site are asked only for
//! that site: without JavaScript, "Next" seals the answers so far into
//! `/check?a=<token>` and the page hides (and disables) the other sites'
//! questions; with it, `site.js` does the same in place. The form posts to `/results`, which answers
//! `303 See Other` to `/results?a=<sealed answers>` ([`super::seal`]), so Back
//! and reload never resubmit a form and no answer is readable in any address,
//! log or store. "Change" links go to `/check?a=<token>#<question>`, answers
//! kept. Back from the results keeps every answer: `site.js` seals them into
//! the questionnaire's own address just before sending (`_seal`), and without
//! JavaScript the browser restores the form (no `autocomplete="off"` on it).
//! Invalid answers re-render the form with an error summary linked to each
//! field, and 422. Works with JavaScript off.

use std::collections::HashMap;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hepatica_engine::{Audience, Biomarker, PrimarySite, assess};
use hepatica_knowledge::{ChoiceText, Knowledge};
use maud::{Markup, html};

use super::seal::{self, Unseal};
use super::{Ctx, Opts, layout};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::form::{
    Answers, BIOMARKER_GROUPS, BiomarkerGroup, FormProblem, Input, Question, STEPS, Wording, biomarker_question, biomarker_sites,
    biomarker_value_label, choice_id, field_id, question, to_case,
};

/// Posted form pairs, or the rejection (too large, wrong type).
pub type Posted = Result<Form<Vec<(String, String)>>, FormRejection>;

/// The query of a sealed page (`?a=<token>`); anything else is ignored.
pub type Sealed = Query<HashMap<String, String>>;

/// Most fields a questionnaire post (or sealed token) may hold. The form has
/// about 200 (every question, biomarker and tick box); checking answers is
/// linear in fields per field, so 40,000 unknown fields under the 1 MiB body
/// cap took 10 s of CPU each and a few such posts starved `/healthz`
/// (outsider red team, 2026-12-01). Over it: 400, before any work.
pub const MAX_FORM_FIELDS: usize = 1_000;

fn too_many(n: usize) -> AppError {
    AppError::BadRequest(format!("expected at most {MAX_FORM_FIELDS} form fields, got {n}"))
}

/// Reads posted pairs, turning a rejection into an error page.
pub fn posted(form: Posted) -> Result<Answers, PageError> {
    match form {
        Ok(Form(pairs)) if pairs.len() > MAX_FORM_FIELDS => Err(too_many(pairs.len()).into()),
        Ok(Form(pairs)) => Ok(Answers::new(pairs)),
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge { limit: crate::MAX_BODY_BYTES }.into()),
        Err(r) => Err(AppError::BadRequest(r.body_text()).into()),
    }
}

/// What a `?a=` token held: answers, nothing, or a reason it could not be opened.
pub enum Opened {
    /// No token given.
    None,
    /// The sealed answers.
    Answers(Answers),
    /// The token was not valid or has expired.
    Lost(Unseal),
}

/// Opens the `a` parameter of a sealed page.
pub fn opened(q: &HashMap<String, String>) -> Opened {
    match q.get("a") {
        None => Opened::None,
        Some(t) => match seal::unseal(t) {
            Ok(pairs) if pairs.len() > MAX_FORM_FIELDS => Opened::Lost(Unseal::Invalid),
            Ok(pairs) => Opened::Answers(Answers::new(pairs)),
            Err(e) => Opened::Lost(e),
        },
    }
}

/// `GET /check`, or `GET /check?a=<token>` to change answers (the form filled in).
pub async fn form_page(State(state): State<AppState>, ctx: Ctx, Query(q): Sealed) -> Response {
    match opened(&q) {
        Opened::None => render_form(&state, &ctx, &Answers::default(), &[], None).into_response(),
        Opened::Answers(a) => no_store(render_form(&state, &ctx, &a, &[], None).into_response()),
        Opened::Lost(e) => no_store(render_form(&state, &ctx, &Answers::default(), &[], Some(e)).into_response()),
    }
}

/// `POST /check`: the form filled in with the posted answers (kept for old
/// links and scripts). From the form's "Next" button (`_next`), the answers so
/// far are sealed into `/check?a=<token>` (303), which asks only the chosen
/// site's questions; without a site, the form again with that one problem (422).
/// With `_seal` (site.js, just before the form is sent), the answers so far are
/// sealed and the address `/check?a=<token>` is the plain-text reply.
pub async fn prefilled_form(State(state): State<AppState>, ctx: Ctx, form: Posted) -> Result<Response, PageError> {
    let answers = posted(form)?;
    // site.js seals the answers just before the form is sent, and puts this
    // address in place of the questionnaire's own, so Back from the results
    // comes back to every answer (typed ones too) without storing anything.
    if answers.get("_seal").is_some() {
        let pairs: Vec<(String, String)> =
            answers.pairs().iter().filter(|(k, v)| !v.trim().is_empty() && !k.starts_with('_')).cloned().collect();
        let to = format!("/check?a={}", seal::seal(&pairs));
        return Ok(no_store(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], to).into_response()));
    }
    if answers.get("_next").is_some() {
        if answers.get("primary_site").is_some() {
            let pairs: Vec<(String, String)> =
                answers.pairs().iter().filter(|(k, v)| !v.trim().is_empty() && k != "_next").cloned().collect();
            return Ok(see_other(&format!("/check?a={}#more-h", seal::seal(&pairs))));
        }
        let problems: Vec<FormProblem> =
            to_case(&answers, Wording::Patient).err().unwrap_or_default().into_iter().filter(|p| p.field == "primary_site").collect();
        let page = render_form(&state, &ctx, &answers, &problems, None);
        return Ok(no_store((StatusCode::UNPROCESSABLE_ENTITY, page).into_response()));
    }
    Ok(no_store(render_form(&state, &ctx, &answers, &[], None).into_response()))
}

/// `POST /results`: valid answers are sealed into the results address (303);
/// invalid ones re-render the form with every problem (422).
pub async fn results(State(state): State<AppState>, ctx: Ctx, form: Posted) -> Result<Response, PageError> {
    let answers = posted(form)?;
    match to_case(&answers, Wording::Patient) {
        Ok(_) => {
            let pairs: Vec<(String, String)> = answers.pairs().iter().filter(|(_, v)| !v.trim().is_empty()).cloned().collect();
            Ok(see_other(&format!("/results?a={}", seal::seal(&pairs))))
        }
        Err(problems) => {
            let page = render_form(&state, &ctx, &answers, &problems, None);
            Ok(no_store((StatusCode::UNPROCESSABLE_ENTITY, page).into_response()))
        }
    }
}

/// `GET /results?a=<token>`: the results page. Without a token there is nothing
/// to show; an expired or foreign token gives the form with a note.
pub async fn results_get(State(state): State<AppState>, ctx: Ctx, Query(q): Sealed) -> Response {
    let answers = match opened(&q) {
        Opened::None => return Redirect::to("/check").into_response(),
        Opened::Lost(e) => return no_store(render_form(&state, &ctx, &Answers::default(), &[], Some(e)).into_response()),
        Opened::Answers(a) => a,
    };
    match to_case(&answers, Wording::Patient) {
        Ok(case) => {
            let a = assess(state.kb(), &case, Audience::Patient);
            let token = q.get("a").map(String::as_str).unwrap_or_default();
            let (title, body) = super::results::body(&state, &answers, token, &a);
            no_store(
                layout(state.kb(), &ctx, &title, body, Opts { main_class: Some("results"), no_footer_disclaimer: true, ..Opts::default() })
                    .into_response(),
            )
        }
        Err(problems) => no_store((StatusCode::UNPROCESSABLE_ENTITY, render_form(&state, &ctx, &answers, &problems, None)).into_response()),
    }
}

/// A 303 to `to`, never cached.
pub fn see_other(to: &str) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Marks a response as never to be cached (it holds someone's answers).
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The note shown when a sealed address could not be opened.
pub fn lost_note(e: Unseal) -> Markup {
    html! {
        div.callout role="status" {
            p {
                strong { "The earlier answers are no longer available." } " "
                @match e {
                    Unseal::Expired => "To keep them private, answers are kept in the page address for 2 hours only, and never stored.",
                    Unseal::Invalid => "The page address was not complete, or Hepatica has restarted since. Answers are never stored.",
                }
                " Please answer again."
            }
        }
    }
}

/// One part of the form as asked: title, intro, its questions, and a folded "more" section.
type AskedStep = (&'static str, &'static str, Vec<Question>, Option<(&'static str, Vec<Question>)>);

fn render_form(state: &AppState, ctx: &Ctx, answers: &Answers, problems: &[FormProblem], lost: Option<Unseal>) -> super::Page {
    let kb = state.kb();
    let carer = answers.carer();
    let primary = question("primary_site");
    let site = answers.get("primary_site");
    // Every question is in the page; one for other primary sites is hidden and
    // disabled (never sent) once the site is known, and site.js shows and hides
    // them in place when the site changes. Without JavaScript the site comes
    // first: "Next" seals it into the address and shows only its questions.
    let asked =
        |names: &[&'static str]| -> Vec<Question> { names.iter().filter(|n| **n != "primary_site").filter_map(|n| question(n)).collect() };
    let steps: Vec<AskedStep> = STEPS
        .iter()
        .map(|s| (s.title, s.intro, asked(&s.questions), s.more.as_ref().map(|(t, m)| (*t, asked(m))).filter(|(_, m)| !m.is_empty())))
        .filter(|(_, _, qs, more)| !qs.is_empty() || more.is_some())
        .collect();
    let applies = |q: &Question| Question::applies_to(q.sites, site);
    let step_applies = |qs: &[Question], more: &Option<(&'static str, Vec<Question>)>| {
        qs.iter().chain(more.iter().flat_map(|(_, m)| m.iter())).any(applies)
    };
    let total = steps.iter().filter(|(_, _, qs, more)| step_applies(qs, more)).count();
    let answered = |qs: &[Question]| qs.iter().any(|q| answers.get(q.name).is_some() || problems.iter().any(|p| p.field == q.name));
    // The optional questions show once the site is known, or when answers or problems are already in them.
    let show_more = site.is_some()
        || problems.iter().any(|p| p.field != "primary_site")
        || answers.pairs().iter().any(|(k, v)| !v.trim().is_empty() && k != "for" && !k.starts_with('_'));
    let parts: Vec<Option<usize>> = steps
        .iter()
        .scan(0, |n, (_, _, qs, more)| {
            Some(if step_applies(qs, more) {
                *n += 1;
                Some(*n)
            } else {
                None
            })
        })
        .collect();
    let body = html! {
        h1 { "Check which treatments might be options" }
        @if let Some(e) = lost { (lost_note(e)) }
        p.lede { "Only the first question is needed. You can see the options straight after it, or answer more to make them clearer." }
        p.meta { "Nothing you enter is stored or shared. Every other question has \u{201c}I don't know\u{201d}." }
        (error_summary(problems))
        form method="post" action="/results" novalidate {
            @if let Some(q) = &primary {
                div.step.required { (render_question_as(q, answers, problems, Wording::Patient, carer)) }
            }
            fieldset.step {
                legend { "Who is this for?" }
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
            div.form-actions {
                button.start type="submit" { "Show my options now" }
                button.secondary.js-hide type="submit" name="_next" value="1" formaction="/check" { "Next: questions for this cancer" }
            }
            div #more-questions hidden[!show_more] {
                h2 #more-h { "More questions (optional)" }
                p { "Each answer can make the options clearer. Skip anything you don't know." }
                @for ((title, intro, qs, more), part) in steps.iter().zip(&parts) {
                    fieldset.step hidden[part.is_none()] {
                        legend { span.step-no { "Part " (part.unwrap_or(0)) " of " (total) } (title) }
                        (voiced_hint(intro, carer, None))
                        (asked_questions(qs, site, answers, problems, carer))
                        @if let Some((more_title, more_qs)) = more {
                            details.more open[answered(more_qs)] {
                                summary { span { (more_title) } }
                                div.inner { (asked_questions(more_qs, site, answers, problems, carer)) }
                            }
                        }
                        @if *title == "Test results" { (biomarker_groups(kb, answers, problems, site)) }
                    }
                }
                div.form-actions {
                    button.start type="submit" { "Show my options" }
                }
            }
        }
        (about_the_check(kb, carer))
    };
    // "About this check" says the disclaimer once, in the asker's voice; the
    // footer would repeat it in the patient's.
    layout(
        kb,
        ctx,
        "Check which treatments might be options",
        body,
        Opts { has_errors: !problems.is_empty(), no_footer_disclaimer: true, ..Opts::default() },
    )
}

/// The biomarker questions, in their sections ("Tests often done for bowel
/// cancer", ..., "Other tests"). Each is asked only for the primary sites whose
/// assessment reads it ([`biomarker_sites`]: the engine and the knowledge
/// base's rules), and hidden and disabled (never sent) for the others; all of
/// them while the site is not known, except those no site reads, which are
/// not asked at all. Once it is known, a section named for
/// another site is not shown: a biomarker of it that this site reads (HER2 for
/// bowel) is asked under the catch-all section instead. Each carries its sites
/// (`data-sites`), its own section (`data-home`) and its place (`data-i`), so
/// that site.js does the same in place when the site changes.
fn biomarker_groups(kb: &Knowledge, answers: &Answers, problems: &[FormProblem], site: Option<&str>) -> Markup {
    let sites = biomarker_sites(kb);
    let site = site.and_then(PrimarySite::parse).map(PrimarySite::as_str);
    let groups: &[BiomarkerGroup] = &BIOMARKER_GROUPS;
    let catch_all = groups.iter().position(|(_, own, _)| own.is_none());
    // (global place, biomarker, its sites, home section, section it is asked in, hidden)
    let mut items = Vec::new();
    for (home, (_, own, markers)) in groups.iter().enumerate() {
        for b in *markers {
            let read: &[&str] = Biomarker::ALL.iter().position(|x| x == b).map(|i| sites[i].as_slice()).unwrap_or(&[]);
            // A result no site's assessment reads (ESR1, HRD today) is recorded
            // through the clinician form and the API, never asked of a patient.
            if read.is_empty() {
                continue;
            }
            let off = site.is_some_and(|s| !read.contains(&s));
            let moved = !off && site.is_some_and(|s| own.is_some_and(|o| o.as_str() != s));
            let at = if moved { catch_all.unwrap_or(home) } else { home };
            items.push((items.len(), *b, read, home, at, off));
        }
    }
    let all_sites = PrimarySite::ALL.len();
    let given = |b: &Biomarker| {
        let name = format!("biomarkers.{}", b.as_str());
        answers.get(&name).is_some() || problems.iter().any(|p| p.field == name)
    };
    html! {
        @for (g, (heading, own, _)) in groups.iter().enumerate() {
            @let here: Vec<_> = items.iter().filter(|it| it.4 == g).collect();
            @let shown = here.iter().any(|it| !it.5);
            details.bio-group data-own=[own.map(PrimarySite::as_str)] hidden[!shown]
                open[here.iter().any(|it| !it.5 && given(&it.1))] {
                summary { span { (heading) } }
                div.inner.grid2 {
                    @for (i, b, read, home, _, off) in here.iter().map(|it| **it) {
                        fieldset.site-only.bio data-sites=[(read.len() < all_sites).then(|| read.join(" "))] data-home=(home) data-i=(i)
                            hidden[off] disabled[off] {
                            (render_question(&biomarker_question(b), answers, problems, Wording::Patient))
                        }
                    }
                }
            }
        }
    }
}

/// A hint (`p.hint`, none when `text` is empty) in the voice of who is asking:
/// a carer's hints speak of the person they care for, as the labels do, and
/// when the two differ both ride along for site.js to switch in place.
fn voiced_hint(text: &str, carer: bool, id: Option<&str>) -> Markup {
    if text.is_empty() {
        return html! {};
    }
    let theirs = crate::pages::results::carer_words(text);
    let both = theirs != text;
    html! {
        p.hint id=[id] data-self=[both.then_some(text)] data-carer=[both.then_some(theirs.as_str())] {
            @if carer { (theirs) } @else { (text) }
        }
    }
}

/// Questions in form order. Those the engine reads only for some primary
/// sites ([`crate::form::sites_from_engine`]: CEA and the primary's lymph
/// nodes for bowel cancer, platinum sensitivity for ovarian cancer) are
/// grouped, next ones with the same sites together, under a heading that says
/// which cancer they are for ("For bowel cancer"), so that a form shown
/// before the site is known says so without JavaScript; like every question
/// for some sites, the group is hidden and disabled once the site is another
/// ([`site_only`]), and site.js does the same in place.
fn asked_questions(qs: &[Question], site: Option<&str>, answers: &Answers, problems: &[FormProblem], carer: bool) -> Markup {
    let grouped = |q: &Question| !q.sites.is_empty() && crate::form::sites_from_engine(q.name);
    let mut groups: Vec<Vec<&Question>> = Vec::new();
    for q in qs {
        match groups.last_mut() {
            Some(g) if grouped(q) && grouped(g[0]) && g[0].sites == q.sites => g.push(q),
            _ => groups.push(vec![q]),
        }
    }
    html! {
        @for g in &groups {
            @if grouped(g[0]) {
                @let off = !Question::applies_to(g[0].sites, site);
                fieldset.site-only.site-group data-sites=(g[0].sites.join(" ")) hidden[off] disabled[off] {
                    legend.site-for { "For " (for_sites(g[0].sites)) }
                    @for q in g { (render_question_as(q, answers, problems, Wording::Patient, carer)) }
                }
            } @else {
                (site_only(g[0], site, render_question_as(g[0], answers, problems, Wording::Patient, carer)))
            }
        }
    }
}

/// The cancers of these primary sites in running text, after "For": "bowel
/// cancer", "breast cancer or cancer of the womb".
fn for_sites(sites: &[String]) -> String {
    let names: Vec<&str> = sites.iter().map(|s| super::results::site_name(s)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A question asked only for some primary sites: wrapped so that site.js can
/// show it for those sites, and hidden and disabled (so never sent) when the
/// known site is another one. Other questions are returned as they are.
fn site_only(q: &Question, site: Option<&str>, inner: Markup) -> Markup {
    if q.sites.is_empty() {
        return inner;
    }
    let off = !Question::applies_to(q.sites, site);
    html! {
        fieldset.site-only data-sites=(q.sites.join(" ")) hidden[off] disabled[off] { (inner) }
    }
}

/// The footer, with the disclaimer in the voice of who is asking (both ride
/// along for site.js, as the hints do).
fn about_the_check(kb: &Knowledge, carer: bool) -> Markup {
    let own = crate::pages::results::Voice { carer: false }.disclaimer(kb);
    let theirs = crate::pages::results::Voice { carer: true }.disclaimer(kb);
    let both = own != theirs;
    html! {
        h2 { "About this check" }
        p data-self=[both.then_some(own.as_str())] data-carer=[both.then_some(theirs.as_str())] { @if carer { (theirs) } @else { (own) } }
        p { "It covers cancer that started somewhere else and spread to the liver. It does not cover cancer that started in the liver." }
    }
}

/// The error summary at the top of the patient form (nothing when there are no problems).
pub fn error_summary(problems: &[FormProblem]) -> Markup {
    error_summary_for(problems, Wording::Patient)
}

/// The error summary of a form in this wording, each problem linked to its field's input.
pub fn error_summary_for(problems: &[FormProblem], wording: Wording) -> Markup {
    html! {
        @if !problems.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 #error-summary-title { "There is a problem" }
                ul {
                    @for p in problems {
                        li {
                            @match question(&p.field) {
                                Some(q) if !p.field.is_empty() => { a href={ "#" (if wording == Wording::Clinician { q.clinician_input_id() } else { q.input_id() }) } { (p.message) } }
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
    render_question_as(q, answers, problems, wording, false)
}

/// [`render_question`] in a carer's voice when `carer` (patient wording only).
pub fn render_question_as(q: &Question, answers: &Answers, problems: &[FormProblem], wording: Wording, carer: bool) -> Markup {
    let id = field_id(q.name);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-error");
    let problem = problems.iter().find(|p| p.field == q.name);
    let help = if wording == Wording::Patient { q.help } else { "" };
    let label = q.label(wording, carer);
    // Both voices ride along when they differ, so site.js can switch the words
    // in place when "Who is this for?" changes (the server picks the same words).
    let (voice_self, voice_carer) =
        if wording == Wording::Patient && q.patient != q.carer { (Some(q.patient), Some(q.carer)) } else { (None, None) };
    let site = answers.get("primary_site");
    // Every answer is in the page; one for other primary sites is marked for
    // site.js, and hidden and disabled once the site is known (see `site_only`).
    let choices: Vec<_> = q.choices_for(wording).iter().collect();
    let off = |c: &ChoiceText| wording == Wording::Patient && !Question::applies_to(&c.sites, site);
    let sites = |c: &ChoiceText| (wording == Wording::Patient && !c.sites.is_empty()).then(|| c.sites.join(" "));
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
    let hint = voiced_hint(help, carer, Some(&hint_id));
    let error = html! { @if let Some(p) = problem { p.field-error id=(err_id) { "Error: " (p.message) } } };
    let compact = wording == Wording::Clinician;
    html! {
        div.question.has-error[problem.is_some()] {
            @match q.input {
                Input::Choice if compact => {
                    label for=(id) data-self=[voice_self] data-carer=[voice_carer] { (label) }
                    (error)
                    select id=(id) name=(q.name) aria-describedby=[described.as_deref()] aria-invalid=[invalid] {
                        option value="" { @if q.name == "primary_site" { "Choose (required)" } @else { "Unknown" } }
                        @for c in &choices {
                            option value=(c.value) selected[current == c.value] { (c.label) }
                        }
                    }
                }
                Input::Choice => {
                    fieldset aria-describedby=[described.as_deref()] {
                        legend data-self=[voice_self] data-carer=[voice_carer] { (label) }
                        (hint)
                        (error)
                        div.choices.cols[choices.len() > 6] {
                            @for c in &choices {
                                div.choice data-sites=[sites(c)] hidden[off(c)] {
                                    input type="radio" id=(choice_id(q.name, &c.value)) name=(q.name) value=(c.value) checked[current == c.value] aria-invalid=[invalid] disabled[off(c)];
                                    label for=(choice_id(q.name, &c.value)) { (c.label) }
                                }
                            }
                            @if q.name != "primary_site" {
                                div.choice.dontknow { (radio_input(q.name, "", current.is_empty(), invalid)) label for=(choice_id(q.name, "")) { "I don't know" } }
                            }
                        }
                    }
                }
                Input::YesNo => {
                    fieldset aria-describedby=[described.as_deref()] {
                        legend data-self=[voice_self] data-carer=[voice_carer] { (label) }
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
                    label for=(id) data-self=[voice_self] data-carer=[voice_carer] { (label) }
                    (hint)
                    (error)
                    input.num[!matches!(q.input, Input::Text)].text[matches!(q.input, Input::Text)] type="text" id=(id) name=(q.name) value=(current)
                        inputmode=[match q.input { Input::Whole => Some("numeric"), Input::Decimal => Some("decimal"), _ => None }]
                        spellcheck="false" aria-describedby=[described.as_deref()] aria-invalid=[invalid];
                }
                Input::Biomarker(b) => {
                    label for=(id) data-self=[voice_self] data-carer=[voice_carer] { (label) }
                    (hint)
                    (error)
                    select id=(id) name=(q.name) aria-describedby=[described.as_deref()] aria-invalid=[invalid] {
                        option value="" { @if compact { "Unknown" } @else { "Not known or not tested" } }
                        @for v in Biomarker::values(b) {
                            option value=(v.as_str()) selected[current == v.as_str()] { (biomarker_value_label(b, *v, wording)) }
                        }
                    }
                }
                Input::Checklist => {
                    @let chosen = answers.all(q.name);
                    fieldset aria-describedby=[described.as_deref()] {
                        legend data-self=[voice_self] data-carer=[voice_carer] { (label) }
                        (hint)
                        (error)
                        div.choices.cols[!compact || choices.len() > 8] {
                            @for c in &choices {
                                div.choice data-sites=[sites(c)] hidden[off(c)] {
                                    input type="checkbox" id=(choice_id(q.name, &c.value)) name=(q.name) value=(c.value) checked[chosen.contains(&c.value.as_str())] aria-invalid=[invalid] disabled[off(c)];
                                    label for=(choice_id(q.name, &c.value)) { (c.label) }
                                }
                            }
                        }
                        div.choices {
                            div.choice.dontknow { (checkbox_input(q.name, "none", chosen.contains(&"none"), invalid)) label for=(choice_id(q.name, "none")) { (q.none_label(wording)) } }
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
