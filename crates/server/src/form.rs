//! The questionnaire's questions, and turning a posted form into a Case.
//!
//! How each question is answered (choice, yes/no, number, checklist) and its
//! place on the clinician form are here ([`QUESTIONS`]); every word of it (the
//! question, help, fix, answers, the patient form's parts) is in
//! `content/questionnaire.toml`, read from the embedded knowledge base, where
//! `hepatica kb check` gates its readability. Form field names are the contract's Case field names, nested ones with a
//! dot (`liver.tumour_count`, `biomarkers.KRAS`). An empty value means "I don't
//! know" and leaves the field out of the Case. Numbers are parsed here; every
//! other check is the engine's own (`case_from_value`), whose JSON-pointer
//! errors are mapped back to the form field they came from, so the form and
//! the API can never disagree about what is valid.
//!
//! Nothing here stores or logs what was submitted.

use std::sync::LazyLock;

use hepatica_engine::{Biomarker, BiomarkerValue, Case, FieldError, PrimarySite, case_from_value};
use hepatica_knowledge::{ChoiceText, Knowledge, Questionnaire};
use serde_json::{Map, Number, Value};

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One of several values (radio buttons, or a select on the clinician form).
    Choice,
    /// Yes / No / I don't know.
    YesNo,
    /// A whole number.
    Whole,
    /// A number with decimals allowed.
    Decimal,
    /// Checkboxes, with "none" and "I don't know" (the spread-elsewhere and earlier-treatment lists).
    Checklist,
    /// One biomarker result.
    Biomarker(Biomarker),
    /// Free text (the clinician form's case id).
    Text,
}

/// The clinician form's sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The case itself: site, fitness, history in general.
    Case,
    /// `treatment_history`.
    Treatment,
    /// `liver`.
    Liver,
    /// `liver_function`.
    LiverFunction,
    /// Histology, grade, Ki-67.
    Pathology,
    /// `biomarkers`.
    Biomarkers,
}

/// One question on the forms: how it is answered (here) and its words (from
/// `content/questionnaire.toml`, the `[[question]]` with the same id).
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// Form field name = Case field name (`liver.tumour_count`).
    pub name: &'static str,
    /// The question as patients see it.
    pub patient: &'static str,
    /// The question for a carer (the patient words when the file gives none).
    pub carer: &'static str,
    /// Short clinical label.
    pub clinician: &'static str,
    /// Plain help text under the question ("" for none).
    pub help: &'static str,
    /// How it is answered.
    pub input: Input,
    /// What to do when the answer is not valid (patient wording).
    pub fix: &'static str,
    /// The answers of a choice or checklist, patient words.
    pub choices: &'static [ChoiceText],
    /// The clinician form's answers (the patient ones when the file gives none).
    pub clinician_choices: &'static [ChoiceText],
    /// Primary sites the question applies to (empty: all).
    pub sites: &'static [String],
    /// Section on the clinician form.
    pub group: Group,
}

impl Question {
    /// The JSON pointer of the Case field.
    pub fn pointer(&self) -> String {
        format!("/{}", self.name.replace('.', "/"))
    }

    /// The question in the reader's voice.
    pub fn label(&self, wording: Wording, carer: bool) -> &'static str {
        match wording {
            Wording::Clinician => self.clinician,
            Wording::Patient if carer => self.carer,
            Wording::Patient => self.patient,
        }
    }

    /// The answers offered in this wording.
    pub fn choices_for(&self, wording: Wording) -> &'static [ChoiceText] {
        match wording {
            Wording::Clinician => self.clinician_choices,
            Wording::Patient => self.choices,
        }
    }

    /// The words of an answer value, from either list (the value itself when unknown).
    pub fn answer_label(&self, value: &str) -> String {
        self.choices
            .iter()
            .chain(self.clinician_choices)
            .find(|c| c.value == value)
            .map(|c| c.label.clone())
            .unwrap_or_else(|| value.to_string())
    }

    /// Whether the question (or an answer with these sites) applies once the primary site is `site`.
    pub fn applies_to(sites: &[String], site: Option<&str>) -> bool {
        match site {
            Some(s) if !sites.is_empty() => sites.iter().any(|x| x == s),
            _ => true,
        }
    }

    /// What "none" means on a checklist.
    pub fn none_label(&self, wording: Wording) -> &'static str {
        match (self.name, wording) {
            ("spread_elsewhere", Wording::Patient) => "Only in the liver: it has not spread anywhere else",
            ("spread_elsewhere", Wording::Clinician) => "None (liver only)",
            (_, Wording::Patient) => "None yet",
            (_, Wording::Clinician) => "None",
        }
    }

    /// The HTML id of the question's first input (error links point here).
    pub fn input_id(&self) -> String {
        match self.input {
            Input::Choice | Input::Checklist => choice_id(self.name, self.choices.first().map(|x| x.value.as_str()).unwrap_or("")),
            Input::YesNo => choice_id(self.name, "true"),
            _ => field_id(self.name),
        }
    }

    /// The id of the input on the clinician form (a select or the first checkbox).
    pub fn clinician_input_id(&self) -> String {
        match self.input {
            Input::Checklist => choice_id(self.name, self.clinician_choices.first().map(|x| x.value.as_str()).unwrap_or("")),
            Input::YesNo => choice_id(self.name, "true"),
            _ => field_id(self.name),
        }
    }
}

/// The id of a text input or select.
pub fn field_id(name: &str) -> String {
    format!("f-{}", name.replace(['.', '_'], "-").to_lowercase())
}

/// The id of one radio button or checkbox.
pub fn choice_id(name: &str, value: &str) -> String {
    let v = if value.is_empty() { "unknown" } else { value };
    let v: String = v
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else if c == '+' {
                'p'
            } else {
                '-'
            }
        })
        .collect();
    format!("{}-{}", field_id(name), v)
}

/// How each question is answered and where it sits on the clinician form, in form order.
const SPEC: &[(&str, Input, Group)] = {
    use Group::*;
    use Input::*;
    &[
        ("id", Text, Case),
        ("primary_site", Choice, Case),
        ("bowel_side", Choice, Case),
        ("age_years", Whole, Case),
        ("performance_status", Choice, Case),
        ("fit_for_major_surgery", YesNo, Case),
        ("spread_elsewhere", Checklist, Case),
        ("primary_resected", YesNo, Case),
        ("primary_node_positive", YesNo, Case),
        ("disease_free_interval_months", Decimal, Case),
        ("cea_ng_ml", Decimal, Case),
        ("carcinoid_syndrome", YesNo, Case),
        ("chemotherapy_history", Choice, Treatment),
        ("treatment_history.lines_of_systemic_therapy", Whole, Treatment),
        ("treatment_history.previous", Checklist, Treatment),
        ("treatment_history.platinum_sensitive", YesNo, Treatment),
        ("treatment_history.castration_resistant", YesNo, Treatment),
        ("treatment_history.endocrine_resistant", YesNo, Treatment),
        ("months_disease_controlled", Decimal, Treatment),
        ("liver.tumour_count", Whole, Liver),
        ("liver.largest_tumour_cm", Decimal, Liver),
        ("liver.both_lobes", YesNo, Liver),
        ("liver.near_major_vessels", YesNo, Liver),
        ("liver.all_removable", YesNo, Liver),
        ("liver.future_liver_remnant_percent", Decimal, Liver),
        ("liver.percent_liver_replaced", Decimal, Liver),
        ("liver.liver_condition", Choice, Liver),
        ("liver_function.jaundice", YesNo, LiverFunction),
        ("liver_function.ascites", Choice, LiverFunction),
        ("liver_function.biliary_obstruction", YesNo, LiverFunction),
        ("liver_function.bilirubin_umol_l", Decimal, LiverFunction),
        ("liver_function.bilirubin_uln_umol_l", Decimal, LiverFunction),
        ("liver_function.albumin_g_l", Decimal, LiverFunction),
        ("liver_function.child_pugh", Choice, LiverFunction),
        ("histology", Choice, Pathology),
        ("net_origin", Choice, Pathology),
        ("tumour_grade", Choice, Pathology),
        ("ki67_percent", Decimal, Pathology),
        ("biomarkers.PD_L1_CPS", Decimal, Biomarkers),
        ("biomarkers.PD_L1_TPS", Decimal, Biomarkers),
        ("biomarkers.PD_L1_IC", Decimal, Biomarkers),
        ("biomarkers.HER2_IHC", Choice, Biomarkers),
        ("biomarkers.BRCA_origin", Choice, Biomarkers),
    ]
};

fn words() -> &'static Questionnaire {
    &Knowledge::embedded().questionnaire
}

/// The primary sites whose assessment reads each of the engine's
/// [`hepatica_engine::SITE_INPUTS`] (CEA, the primary's lymph nodes, months
/// to liver spread, platinum sensitivity), from
/// [`hepatica_engine::inputs_for_site`]: the one source for where the
/// questionnaire asks them, as [`biomarker_sites`] is for biomarkers. Empty
/// when every site reads it (asked everywhere).
static INPUT_SITES: LazyLock<Vec<(String, Vec<String>)>> = LazyLock::new(|| {
    let kb = Knowledge::embedded();
    let per_site: Vec<(PrimarySite, Vec<&str>)> = PrimarySite::ALL.iter().map(|s| (*s, hepatica_engine::inputs_for_site(kb, *s))).collect();
    hepatica_engine::SITE_INPUTS
        .iter()
        .map(|p| {
            let sites: Vec<String> = per_site.iter().filter(|(_, ps)| ps.contains(p)).map(|(s, _)| s.as_str().to_string()).collect();
            let name = p.trim_start_matches('/').replace('/', ".");
            (name, if sites.len() == PrimarySite::ALL.len() { Vec::new() } else { sites })
        })
        .collect()
});

/// Whether the question's sites come from the engine ([`INPUT_SITES`]) rather than the content file.
pub fn sites_from_engine(name: &str) -> bool {
    INPUT_SITES.iter().any(|(n, _)| n == name)
}

fn build(name: &str, input: Input, group: Group) -> Question {
    let w = words().question(name).unwrap_or_else(|| panic!("content/questionnaire.toml has no [[question]] with id {name:?}"));
    let sites: &'static [String] = match INPUT_SITES.iter().find(|(n, _)| n == name) {
        Some((_, s)) => s,
        None => &w.sites,
    };
    let choices: &'static [ChoiceText] = &w.choices;
    Question {
        name: &w.id,
        patient: &w.patient,
        carer: w.carer.as_deref().unwrap_or(&w.patient),
        clinician: &w.clinician,
        help: &w.help,
        input,
        fix: if w.fix.is_empty() { "Choose a result from the list, or \u{201c}Not known\u{201d}." } else { &w.fix },
        choices,
        clinician_choices: if w.clinician_choices.is_empty() { choices } else { &w.clinician_choices },
        sites,
        group,
    }
}

/// Every non-biomarker-result question, in form order (words from `content/questionnaire.toml`).
pub static QUESTIONS: LazyLock<Vec<Question>> = LazyLock::new(|| SPEC.iter().map(|(n, i, g)| build(n, *i, *g)).collect());

/// One part of the patient questionnaire.
#[derive(Debug, Clone)]
pub struct Step {
    /// Heading.
    pub title: &'static str,
    /// Short introduction ("" for none).
    pub intro: &'static str,
    /// The questions asked first.
    pub questions: Vec<&'static str>,
    /// The heading and questions of a closed "more" section (empty when none).
    pub more: Option<(&'static str, Vec<&'static str>)>,
}

/// The patient form's parts, from `content/questionnaire.toml` (`[[step]]`).
pub static STEPS: LazyLock<Vec<Step>> = LazyLock::new(|| {
    let names = |v: &'static [String]| v.iter().map(String::as_str).collect::<Vec<_>>();
    words()
        .steps
        .iter()
        .map(|s| Step {
            title: &s.title,
            intro: &s.intro,
            questions: names(&s.questions),
            more: s.more_title.as_deref().map(|t| (t, names(&s.more))),
        })
        .collect()
});

/// Whether the question is asked on the patient questionnaire.
pub fn on_patient_form(name: &str) -> bool {
    STEPS.iter().any(|s| s.questions.contains(&name) || s.more.as_ref().is_some_and(|(_, m)| m.contains(&name)))
}

/// Biomarker groups on the patient form (each biomarker appears once): the
/// `[[text]]` id of the heading, the primary site it is named for (none for
/// the catch-all "Other tests"), and the biomarkers. Only the layout: which
/// site reads which biomarker comes from the engine ([`biomarker_sites`]).
const BIOMARKER_GROUP_SPEC: &[(&str, Option<PrimarySite>, &[Biomarker])] = {
    use Biomarker::*;
    &[
        ("biomarkers.bowel", Some(PrimarySite::Bowel), &[Kras, Nras, BrafV600, Msi]),
        ("biomarkers.breast", Some(PrimarySite::Breast), &[Er, Pr, Her2, Pik3ca, Esr1, Brca]),
        ("biomarkers.lung", Some(PrimarySite::Lung), &[Egfr, Alk, Ros1, Ret, MetEx14, PdL1]),
        ("biomarkers.other", None, &[Ntrk, Hrr, Kit, Pdgfra, HlaA0201, Sstr, Psma, Hrd, TmbHigh, PdgfraD842v, Cldn182, FrAlpha]),
    ]
};

/// A biomarker group on the patient form: heading, the site it is named for, biomarkers.
pub type BiomarkerGroup = (&'static str, Option<PrimarySite>, &'static [Biomarker]);

/// Biomarker groups on the patient form, with their headings' words.
pub static BIOMARKER_GROUPS: LazyLock<Vec<BiomarkerGroup>> = LazyLock::new(|| {
    BIOMARKER_GROUP_SPEC.iter().map(|(id, own, bs)| (words().text(id).map(|t| t.patient.as_str()).unwrap_or(id), *own, *bs)).collect()
});

/// The primary sites whose assessment reads each biomarker, in the order of
/// [`Biomarker::ALL`], from the engine ([`hepatica_engine::biomarkers_for_site`]:
/// the knowledge base's rules and the engine's own code), so the form asks a
/// biomarker only where it can change the options. A biomarker no site reads
/// has no sites.
pub fn biomarker_sites(kb: &Knowledge) -> Vec<Vec<&'static str>> {
    let per_site: Vec<(PrimarySite, Vec<Biomarker>)> =
        PrimarySite::ALL.iter().map(|s| (*s, hepatica_engine::biomarkers_for_site(kb, *s))).collect();
    Biomarker::ALL.iter().map(|b| per_site.iter().filter(|(_, bs)| bs.contains(b)).map(|(s, _)| s.as_str()).collect()).collect()
}

/// The question for a form field name (biomarkers included).
pub fn question(name: &str) -> Option<Question> {
    if let Some(b) = name.strip_prefix("biomarkers.").and_then(Biomarker::parse) {
        return Some(biomarker_question(b));
    }
    QUESTIONS.iter().find(|q| q.name == name).copied()
}

/// The question for one biomarker.
pub fn biomarker_question(b: Biomarker) -> Question {
    static ALL: LazyLock<Vec<Question>> = LazyLock::new(|| {
        Biomarker::ALL.iter().map(|b| build(&format!("biomarkers.{}", b.as_str()), Input::Biomarker(*b), Group::Biomarkers)).collect()
    });
    ALL[Biomarker::ALL.iter().position(|x| *x == b).unwrap_or(0)]
}

/// The words for a biomarker value in this wording, from `content/labels.toml`
/// ([`Knowledge::biomarker_value_label`]; the value itself if the file has no row).
pub fn biomarker_value_label(b: Biomarker, v: BiomarkerValue, wording: Wording) -> &'static str {
    Knowledge::embedded().biomarker_value_label(b.as_str(), v.as_str(), wording == Wording::Clinician).unwrap_or(v.as_str())
}

/// A problem with one answer, ready to show next to its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    /// Form field name, or "" for a problem with the form as a whole.
    pub field: String,
    /// What to do about it.
    pub message: String,
    /// The field was sent more than once.
    pub duplicate: bool,
}

impl FormProblem {
    /// A problem with `field`.
    pub fn new(field: &str, message: &str) -> FormProblem {
        FormProblem { field: field.into(), message: message.into(), duplicate: false }
    }

    /// `field` was sent more than once.
    pub fn duplicate(field: &str) -> FormProblem {
        let known = field == "for" || question(field).is_some();
        let label = match question(field) {
            Some(q) => format!("\u{201c}{}\u{201d}", q.patient.trim_end_matches('?')),
            None if field == "for" => "\u{201c}Who is this for\u{201d}".to_string(),
            None => format!("the field {field}"),
        };
        FormProblem {
            field: if known && field != "for" { field.into() } else { String::new() },
            message: format!("The answer to {label} ({field}) was sent more than once. Give one answer."),
            duplicate: true,
        }
    }
}

/// The submitted answers, kept to fill the form in again.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pairs: Vec<(String, String)>,
}

impl Answers {
    /// Wraps posted pairs.
    pub fn new(pairs: Vec<(String, String)>) -> Answers {
        Answers { pairs }
    }

    /// Every non-empty value given for `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim()).collect()
    }

    /// The first non-empty value for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }

    /// Whether the person is asking for someone they care for (`for=carer`).
    pub fn carer(&self) -> bool {
        self.get("for") == Some("carer")
    }

    /// The raw pairs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// Who the wording of problems is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// Plain words with what to do.
    Patient,
    /// The engine's precise detail.
    Clinician,
}

/// Turns the answers into Case JSON, noting numbers that are not numbers.
pub fn to_json(answers: &Answers) -> (Value, Vec<FormProblem>) {
    let mut root = Map::new();
    let mut problems = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (name, _) in answers.pairs() {
        let name = name.as_str();
        if name.starts_with('_') || name.is_empty() {
            continue;
        }
        if seen.contains(&name) {
            // A field sent twice is an error rather than "first wins": the two
            // answers may disagree, and guessing which one was meant is not ours to do.
            // Only checklists may repeat.
            if !is_checklist(name) && !problems.iter().any(|p: &FormProblem| p.field == name && p.duplicate) {
                problems.push(FormProblem::duplicate(name));
            }
            continue;
        }
        seen.insert(name);
        if name == "for" {
            continue;
        }
        let q = question(name);
        let value = if is_checklist(name) {
            match checklist(&answers.all(name)) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(()) => {
                    problems.push(FormProblem::new(name, q.map(|q| q.fix).unwrap_or_default()));
                    continue;
                }
            }
        } else {
            let Some(raw) = answers.get(name) else { continue };
            match q.map(|q| q.input) {
                Some(Input::Whole) | Some(Input::Decimal) => match number(raw) {
                    Ok(n) => n,
                    Err(e) => {
                        let fix = q.map(|q| q.fix).unwrap_or_default();
                        let message = match e {
                            NumberError::Comma => format!("{fix} Write a decimal with a full stop (2.5), and thousands as 1200 or 1,200."),
                            NumberError::NotANumber => fix.to_string(),
                        };
                        problems.push(FormProblem::new(name, &message));
                        continue;
                    }
                },
                Some(Input::YesNo) => match raw {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    other => Value::String(other.into()),
                },
                Some(Input::Choice) if name == "performance_status" => number(raw).unwrap_or_else(|_| Value::String(raw.into())),
                _ => Value::String(raw.into()),
            }
        };
        match name.split_once('.') {
            Some((outer, inner)) => {
                let slot = root.entry(outer.to_string()).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = slot {
                    m.insert(inner.to_string(), value);
                }
            }
            None => {
                root.insert(name.into(), value);
            }
        }
    }
    (Value::Object(root), problems)
}

fn is_checklist(name: &str) -> bool {
    question(name).is_some_and(|q| q.input == Input::Checklist)
}

/// A checklist's boxes as a Case list: "none" is the empty list, "unknown" (or
/// nothing ticked) leaves the field out, and a mix is an error. A box may stand
/// for several values ("oxaliplatin fluoropyrimidine" for FOLFOX); each value
/// appears once.
fn checklist(values: &[&str]) -> Result<Option<Value>, ()> {
    let none = values.contains(&"none");
    let unknown = values.contains(&"unknown");
    let mut places: Vec<Value> = Vec::new();
    for v in values.iter().filter(|v| **v != "none" && **v != "unknown").flat_map(|v| v.split_whitespace()) {
        let v = Value::String(v.to_string());
        if !places.contains(&v) {
            places.push(v);
        }
    }
    match (none, unknown, places.is_empty()) {
        (false, false, true) | (false, true, true) => Ok(None),
        (true, false, true) => Ok(Some(Value::Array(vec![]))),
        (false, false, false) => Ok(Some(Value::Array(places))),
        _ => Err(()),
    }
}

/// Why a typed number was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// A comma that is not a thousands separator (`2,5`, `1,20`): it could
    /// mean a decimal point or a typo, so it is refused rather than guessed.
    Comma,
    /// Not a plain number at all.
    NotANumber,
}

/// Reads a typed number: digits, at most one full stop, an optional leading
/// minus, thousands separated by commas in groups of three (`1,200` is 1200,
/// never 1.2), and an optional `%` or `cm` after it. Anything else is refused.
pub fn number(raw: &str) -> Result<Value, NumberError> {
    let s = raw.trim().trim_end_matches('%').trim_end_matches("cm").trim();
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return Err(if body.contains(',') { NumberError::Comma } else { NumberError::NotANumber });
    }
    let digits = if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
            return Err(if groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
                NumberError::Comma
            } else {
                NumberError::NotANumber
            });
        }
        groups.concat()
    } else {
        whole.to_string()
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotANumber);
    }
    let text = match frac {
        Some(f) => format!("{sign}{digits}.{f}"),
        None => format!("{sign}{digits}"),
    };
    let n: f64 = text.parse().map_err(|_| NumberError::NotANumber)?;
    if !n.is_finite() {
        return Err(NumberError::NotANumber);
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Ok(Value::Number(Number::from(n as i64)))
    } else {
        Number::from_f64(n).map(Value::Number).ok_or(NumberError::NotANumber)
    }
}

/// Parses the answers into a Case, or every problem, in form order.
pub fn to_case(answers: &Answers, wording: Wording) -> Result<Case, Vec<FormProblem>> {
    let (json, mut problems) = to_json(answers);
    let result = case_from_value(&json);
    if let Err(errors) = &result {
        problems.extend(errors.iter().flat_map(|e| from_field_error(e, wording)));
    }
    if problems.is_empty() {
        return result.map_err(|_| Vec::new());
    }
    problems.sort_by_key(|p| order(&p.field));
    problems.dedup_by(|a, b| a.field == b.field && !a.field.is_empty());
    Err(problems)
}

/// The form field a JSON pointer names ("" when it names no question).
pub fn field_for_pointer(pointer: &str) -> String {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let name = match parts.as_slice() {
        ["spread_elsewhere", ..] => "spread_elsewhere".to_string(),
        [a, b, ..] if ["liver", "biomarkers", "treatment_history", "liver_function"].contains(a) => format!("{a}.{b}"),
        [a] => a.to_string(),
        _ => String::new(),
    };
    if question(&name).is_some() { name } else { String::new() }
}

/// A field error as form problems: one next to its field and, when the error
/// names another field it contradicts (BRCA_origin without BRCA present), one
/// next to that field too, so both are marked.
fn from_field_error(e: &FieldError, wording: Wording) -> Vec<FormProblem> {
    let first = from_one_error(e, wording);
    let mut out = vec![first.clone()];
    for other in other_pointers(&e.detail, &e.pointer) {
        let field = field_for_pointer(&other);
        if let (Some(q), Some(mine)) = (question(&field), question(&first.field)) {
            let message = match wording {
                Wording::Patient => {
                    format!("This answer does not agree with \u{201c}{}\u{201d}. {}", mine.patient.trim_end_matches('?'), mine.fix)
                }
                Wording::Clinician => format!("{}: does not agree with {} (see there).", q.clinician, mine.clinician),
            };
            out.push(FormProblem { field, message, duplicate: false });
        }
    }
    out
}

/// JSON pointers named inside an error's detail, other than its own.
fn other_pointers(detail: &str, own: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in detail.match_indices('/') {
        if i > 0 && !detail[..i].ends_with(' ') {
            continue;
        }
        let p: String = detail[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '/').collect();
        if p.len() > 1 && p != own && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Clinician wording of an engine detail: the pointers in it named by their labels.
fn clinical_detail(detail: &str, own: &str) -> String {
    // The label is already in front: drop the field's own key where the detail starts with it.
    let key = own.rsplit('/').next().unwrap_or_default();
    let mut out =
        detail.strip_prefix(key).filter(|_| !key.is_empty()).map(|d| d.trim_start().to_string()).unwrap_or_else(|| detail.to_string());
    for p in other_pointers(detail, own) {
        if let Some(q) = question(&field_for_pointer(&p)) {
            out = out.replace(&p, q.clinician);
        }
    }
    out
}

fn from_one_error(e: &FieldError, wording: Wording) -> FormProblem {
    let field = field_for_pointer(&e.pointer);
    let message = match (question(&field), wording) {
        // Primary liver cancer is out of scope: say so plainly rather than "choose again".
        (Some(_), Wording::Patient) if field == "primary_site" && e.detail.contains("out of scope") => {
            "Hepatica is for cancer that started somewhere else and spread to the liver. It does not cover cancer that started in the liver (primary liver cancer). Your care team or a support line can help with that.".to_string()
        }
        (Some(q), Wording::Patient) if !field.is_empty() => q.fix.to_string(),
        (Some(q), Wording::Clinician) if !field.is_empty() => format!("{}: {}", q.clinician, clinical_detail(&e.detail, &e.pointer)),
        _ => e.to_string(),
    };
    FormProblem { field, message, duplicate: false }
}

fn order(field: &str) -> usize {
    if field.is_empty() {
        return 0;
    }
    if let Some(key) = field.strip_prefix("biomarkers.") {
        return 1000 + Biomarker::ALL.iter().position(|b| b.as_str() == key).unwrap_or(99);
    }
    // The patient form's order first (the order its errors are listed in), then the rest.
    let patient = STEPS.iter().flat_map(|s| s.questions.iter().chain(s.more.iter().flat_map(|(_, m)| m.iter()))).position(|n| *n == field);
    match patient {
        Some(i) => 1 + i,
        None => 500 + QUESTIONS.iter().position(|q| q.name == field).unwrap_or(499),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        Answers::new(pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect())
    }

    #[test]
    fn empty_means_unknown_and_nesting_works() {
        let a = answers(&[
            ("for", "carer"),
            ("primary_site", "bowel"),
            ("bowel_side", ""),
            ("liver.tumour_count", "3"),
            ("liver.largest_tumour_cm", "2.5"),
            ("liver.both_lobes", "true"),
            ("biomarkers.KRAS", "wild_type"),
            ("biomarkers.NRAS", ""),
            ("spread_elsewhere", "none"),
            ("performance_status", "1"),
        ]);
        assert!(a.carer());
        let case = to_case(&a, Wording::Patient).unwrap();
        assert_eq!(case.liver.tumour_count, Some(3));
        assert_eq!(case.liver.largest_tumour_cm, Some(2.5));
        assert_eq!(case.liver.both_lobes, Some(true));
        assert_eq!(case.bowel_side, None);
        assert_eq!(case.spread_elsewhere, Some(vec![]));
        assert_eq!(case.performance_status, Some(1));
        assert_eq!(case.biomarkers.len(), 1);
    }

    #[test]
    fn problems_name_their_fields_in_form_order() {
        let a = answers(&[
            ("liver.tumour_count", "lots"),
            ("liver.largest_tumour_cm", "45"),
            ("spread_elsewhere", "none"),
            ("spread_elsewhere", "lung"),
        ]);
        let p = to_case(&a, Wording::Patient).unwrap_err();
        let fields: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["primary_site", "liver.tumour_count", "liver.largest_tumour_cm", "spread_elsewhere"]);
    }

    #[test]
    fn numbers_are_never_guessed() {
        let n = |s: &str| number(s).map(|v| v.as_f64().unwrap());
        assert_eq!(n("1,200"), Ok(1200.0));
        assert_eq!(n("12,000,000"), Ok(12_000_000.0));
        assert_eq!(n("1,200.5"), Ok(1200.5));
        assert_eq!(n(" 2.5 cm"), Ok(2.5));
        assert_eq!(n("45%"), Ok(45.0));
        assert_eq!(n("-1"), Ok(-1.0));
        assert_eq!(n("2,5"), Err(NumberError::Comma));
        assert_eq!(n("1,20"), Err(NumberError::Comma));
        assert_eq!(n("1,2000"), Err(NumberError::Comma));
        for bad in ["lots", "1e5", "inf", "NaN", "1.2.3", ".", "", "1.", "0x10", "1 200"] {
            assert_eq!(n(bad), Err(NumberError::NotANumber), "{bad}");
        }
        let a = answers(&[("primary_site", "bowel"), ("cea_ng_ml", "1,200")]);
        assert_eq!(to_case(&a, Wording::Patient).unwrap().cea_ng_ml, Some(1200.0));
        let a = answers(&[("primary_site", "bowel"), ("liver.largest_tumour_cm", "2,5")]);
        let p = to_case(&a, Wording::Patient).unwrap_err();
        assert_eq!(p[0].field, "liver.largest_tumour_cm");
        assert!(p[0].message.contains("full stop"), "{}", p[0].message);
    }

    #[test]
    fn duplicate_fields_are_an_error_naming_the_field() {
        let a = answers(&[("primary_site", "bowel"), ("liver.tumour_count", "2"), ("liver.tumour_count", "8")]);
        let p = to_case(&a, Wording::Patient).unwrap_err();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].field, "liver.tumour_count");
        assert!(p[0].message.contains("more than once") && p[0].message.contains("liver.tumour_count"), "{}", p[0].message);
        let a = answers(&[("primary_site", "bowel"), ("primary_site", "breast")]);
        assert_eq!(to_case(&a, Wording::Patient).unwrap_err()[0].field, "primary_site");
        let a = answers(&[("primary_site", "bowel"), ("for", "self"), ("for", "carer")]);
        assert!(to_case(&a, Wording::Patient).unwrap_err()[0].message.contains("(for)"));
        // Checkboxes and the page's own `_` fields may repeat.
        let a = answers(&[("primary_site", "bowel"), ("spread_elsewhere", "lung"), ("spread_elsewhere", "bone"), ("_q", "a"), ("_q", "b")]);
        assert_eq!(to_case(&a, Wording::Patient).unwrap().spread_elsewhere.map(|v| v.len()), Some(2));
    }

    #[test]
    fn checklist_choices() {
        assert_eq!(checklist(&[]), Ok(None));
        assert_eq!(checklist(&["unknown"]), Ok(None));
        assert_eq!(checklist(&["none"]), Ok(Some(Value::Array(vec![]))));
        assert!(checklist(&["none", "unknown"]).is_err());
        assert!(checklist(&["lung", "unknown"]).is_err());
        assert_eq!(
            checklist(&["oxaliplatin fluoropyrimidine", "fluoropyrimidine", "irinotecan fluoropyrimidine"]),
            Ok(Some(serde_json::json!(["oxaliplatin", "fluoropyrimidine", "irinotecan"])))
        );
    }

    #[test]
    fn new_fields_reach_the_case() {
        use hepatica_engine::PreviousTreatment;
        let a = answers(&[
            ("primary_site", "bowel"),
            ("treatment_history.lines_of_systemic_therapy", "1"),
            ("treatment_history.previous", "oxaliplatin fluoropyrimidine"),
            ("treatment_history.previous", "anti_vegf"),
            ("liver_function.jaundice", "false"),
            ("liver_function.ascites", "mild"),
            ("liver_function.bilirubin_umol_l", "14"),
            ("liver.percent_liver_replaced", "20"),
            ("histology", "adenocarcinoma"),
            ("biomarkers.PD_L1_CPS", "12"),
            ("primary_resected", "true"),
            ("age_years", "61"),
        ]);
        let case = to_case(&a, Wording::Patient).unwrap();
        let th = &case.treatment_history;
        assert_eq!(th.lines_of_systemic_therapy, Some(1));
        assert_eq!(th.had(PreviousTreatment::Oxaliplatin), Some(true));
        assert_eq!(th.had(PreviousTreatment::Fluoropyrimidine), Some(true));
        assert_eq!(th.had(PreviousTreatment::AntiVegf), Some(true));
        assert_eq!(th.had(PreviousTreatment::Irinotecan), Some(false));
        assert_eq!(case.liver_function.jaundice, Some(false));
        assert_eq!(case.liver_function.bilirubin_umol_l, Some(14.0));
        assert_eq!(case.liver.percent_liver_replaced, Some(20.0));
        assert_eq!(case.biomarkers.pd_l1_cps, Some(12.0));
        assert_eq!(case.primary_resected, Some(true));
        assert_eq!(case.age_years, Some(61));
        // Not sure: left out, so not known.
        let a = answers(&[("primary_site", "bowel"), ("treatment_history.previous", "unknown")]);
        assert_eq!(to_case(&a, Wording::Patient).unwrap().treatment_history.had(PreviousTreatment::Oxaliplatin), None);
    }

    #[test]
    fn a_contradiction_marks_both_fields_like_the_api() {
        let a = answers(&[("primary_site", "breast"), ("biomarkers.BRCA", "absent"), ("biomarkers.BRCA_origin", "germline")]);
        for wording in [Wording::Patient, Wording::Clinician] {
            let p = to_case(&a, wording).unwrap_err();
            let fields: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
            assert!(fields.contains(&"biomarkers.BRCA") && fields.contains(&"biomarkers.BRCA_origin"), "{p:?}");
        }
        let p = to_case(&a, Wording::Clinician).unwrap_err();
        let origin = p.iter().find(|p| p.field == "biomarkers.BRCA_origin").unwrap();
        assert!(origin.message.contains("BRCA1 or BRCA2") && !origin.message.contains("/biomarkers/"), "{}", origin.message);
        // The JSON API's error names the same pointers.
        let api = case_from_value(&to_json(&a).0).unwrap_err();
        assert!(api.iter().any(|e| e.pointer == "/biomarkers/BRCA_origin" && e.detail.contains("/biomarkers/BRCA")), "{api:?}");
        let a = answers(&[("primary_site", "breast"), ("biomarkers.HER2", "negative"), ("biomarkers.HER2_IHC", "3+")]);
        let fields: Vec<String> = to_case(&a, Wording::Clinician).unwrap_err().into_iter().map(|p| p.field).collect();
        assert!(fields.contains(&"biomarkers.HER2".to_string()) && fields.contains(&"biomarkers.HER2_IHC".to_string()), "{fields:?}");
    }

    #[test]
    fn every_question_has_words_and_valid_answers() {
        for q in QUESTIONS.iter() {
            assert!(!q.patient.is_empty() && !q.clinician.is_empty() && !q.fix.is_empty(), "{}", q.name);
            if matches!(q.input, Input::Choice | Input::Checklist) {
                assert!(!q.choices.is_empty(), "{} has no answers", q.name);
            }
            for site in q.sites.iter().chain(q.choices.iter().flat_map(|c| c.sites.iter())) {
                assert!(hepatica_knowledge::PRIMARY_SITES.contains(&site.as_str()), "{}: {site}", q.name);
            }
        }
        // Every answer value, patient and clinician, is one the engine accepts.
        for q in QUESTIONS.iter().filter(|q| matches!(q.input, Input::Choice | Input::Checklist)) {
            for c in q.choices.iter().chain(q.clinician_choices) {
                let mut pairs = vec![("primary_site", if q.name == "primary_site" { c.value.as_str() } else { "other" })];
                if q.name != "primary_site" {
                    pairs.push((q.name, &c.value));
                }
                if q.name == "biomarkers.BRCA_origin" {
                    pairs.push(("biomarkers.BRCA", "present"));
                }
                assert!(to_case(&answers(&pairs), Wording::Clinician).is_ok(), "{} = {:?}", q.name, c.value);
            }
        }
        // The clinician list of earlier treatment is every contract class, once.
        let previous = question("treatment_history.previous").unwrap();
        let values: Vec<&str> = previous.clinician_choices.iter().map(|c| c.value.as_str()).collect();
        let all: Vec<&str> = hepatica_engine::PreviousTreatment::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(values, all);
    }

    #[test]
    fn where_the_engine_names_the_sites_the_content_does_not() {
        // One source of truth: a question the engine reads only for some
        // sites takes them from `inputs_for_site`, never from the file.
        for (name, _) in INPUT_SITES.iter() {
            let w = words().question(name).unwrap_or_else(|| panic!("{name}"));
            assert!(w.sites.is_empty(), "{name}: sites given in content/questionnaire.toml too");
        }
        let sites = |n: &str| question(n).unwrap().sites.iter().map(String::as_str).collect::<Vec<_>>();
        assert_eq!(sites("cea_ng_ml"), ["bowel"]);
        assert_eq!(sites("primary_node_positive"), ["bowel"]);
        assert_eq!(sites("treatment_history.platinum_sensitive"), ["ovary"]);
        assert!(sites("disease_free_interval_months").is_empty(), "read for every site (surgery, SABR, the Fong score)");
    }

    #[test]
    fn every_biomarker_value_has_words_in_content() {
        let kb = Knowledge::embedded();
        for b in Biomarker::ALL {
            for v in Biomarker::values(*b) {
                for clinician in [false, true] {
                    assert!(kb.biomarker_value_label(b.as_str(), v.as_str(), clinician).is_some(), "{b} {v:?} has no row in labels.toml");
                }
            }
        }
        assert_eq!(biomarker_value_label(Biomarker::Kras, BiomarkerValue::WildType, Wording::Patient), "Normal (wild type)");
        assert_eq!(biomarker_value_label(Biomarker::Msi, BiomarkerValue::High, Wording::Patient), "MSI-high or dMMR");
        assert_eq!(biomarker_value_label(Biomarker::PdL1, BiomarkerValue::High, Wording::Patient), "High (50% or more)");
        assert_eq!(biomarker_value_label(Biomarker::Ntrk, BiomarkerValue::Absent, Wording::Clinician), "not detected");
    }

    #[test]
    fn every_case_field_has_a_question() {
        for f in [
            "id",
            "primary_site",
            "bowel_side",
            "spread_elsewhere",
            "performance_status",
            "fit_for_major_surgery",
            "chemotherapy_history",
            "primary_node_positive",
            "disease_free_interval_months",
            "cea_ng_ml",
            "liver.tumour_count",
            "liver.largest_tumour_cm",
            "liver.both_lobes",
            "liver.near_major_vessels",
            "liver.all_removable",
            "liver.future_liver_remnant_percent",
            "liver.liver_condition",
            "liver.percent_liver_replaced",
            "treatment_history.lines_of_systemic_therapy",
            "treatment_history.previous",
            "treatment_history.platinum_sensitive",
            "treatment_history.castration_resistant",
            "treatment_history.endocrine_resistant",
            "liver_function.bilirubin_umol_l",
            "liver_function.bilirubin_uln_umol_l",
            "liver_function.albumin_g_l",
            "liver_function.ascites",
            "liver_function.jaundice",
            "liver_function.biliary_obstruction",
            "liver_function.child_pugh",
            "histology",
            "net_origin",
            "tumour_grade",
            "ki67_percent",
            "biomarkers.PD_L1_CPS",
            "biomarkers.PD_L1_TPS",
            "biomarkers.PD_L1_IC",
            "biomarkers.HER2_IHC",
            "biomarkers.BRCA_origin",
            "primary_resected",
            "carcinoid_syndrome",
            "age_years",
            "months_disease_controlled",
        ] {
            assert!(question(f).is_some(), "{f}");
        }
        for b in Biomarker::ALL {
            assert!(question(&format!("biomarkers.{}", b.as_str())).is_some(), "{b}");
            let groups = BIOMARKER_GROUPS.iter().filter(|(_, _, bs)| bs.contains(b)).count();
            assert_eq!(groups, 1, "{b} must be in exactly one patient group");
        }
        for s in STEPS.iter() {
            for n in s.questions.iter().chain(s.more.iter().flat_map(|(_, m)| m.iter())) {
                assert!(question(n).is_some(), "{n}");
            }
        }
    }
}
