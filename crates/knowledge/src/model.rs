//! The knowledge base as plain data: what each content file holds once parsed.
//!
//! These types mirror the TOML files under `content/` (see `content/README.md`).
//! Unknown keys are rejected so that a misspelt field is a load error, not a
//! silently ignored statement. Nothing here does I/O.

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// Who reviewed an item, when, and when its next review is due.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Date of the last review.
    pub reviewed_on: Date,
    /// Date by which the item must be reviewed again; `kb check` fails after it.
    pub review_due: Date,
    /// Who reviewed it (names or roles).
    pub reviewers: Vec<String>,
}

/// Optional per-record review fields; a record without them inherits the file's `[review]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewOverride {
    /// See [`Review::reviewed_on`].
    pub reviewed_on: Option<Date>,
    /// See [`Review::review_due`].
    pub review_due: Option<Date>,
    /// See [`Review::reviewers`].
    pub reviewers: Option<Vec<String>>,
    /// Clinical sign-off records of this item (optional; `content/README.md`,
    /// "Sign-off"). Each names a reviewer of `reviewers.toml`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signoff: Vec<SignOff>,
}

/// One clinical sign-off of an item: who, when, for which release.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    /// A reviewer id of `reviewers.toml`.
    pub reviewer: String,
    /// The day they signed the item off.
    pub on: Date,
    /// The release they signed it off for, e.g. `2026.12.0`.
    pub release: String,
}

/// A person who may sign items off (`content/reviewers.toml`, `[[reviewer]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reviewer {
    /// Stable id that sign-off records name.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Role, e.g. "Consultant medical oncologist".
    pub role: String,
    /// Employer or body.
    pub organisation: String,
    /// Professional registration (e.g. "GMC 1234567"), when they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<String>,
}

/// Knowledge-base identity: `content/kb.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Calendar version, e.g. `2026.11.0`.
    pub version: String,
    /// Publication date of this version.
    pub published: Date,
    /// One-paragraph intended use, shown on `/about` and in `--help`.
    pub intended_use: String,
    /// The disclaimer attached to every assessment.
    pub disclaimer: String,
    /// How and how often content is reviewed.
    pub update_policy: String,
    /// Funding and conflicts of interest.
    pub funding: String,
    /// How content is written and checked.
    pub how_made: String,
    /// Revision of the decision logic that still lives in Rust (absent: 1).
    /// A release names the revision it was published with; the engine keeps
    /// every revision a frozen release names, so a pinned release reproduces
    /// its own answers. Read it with [`crate::Knowledge::engine_logic`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_logic: Option<u32>,
    /// Review metadata of the file itself.
    pub review: Review,
}

/// What kind of publication a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A clinical guideline (NICE NG/CG, ESMO).
    Guideline,
    /// A NICE technology appraisal.
    TechnologyAppraisal,
    /// A NICE interventional procedures guidance.
    ProcedureGuidance,
    /// A commissioning policy (NHS England).
    Commissioning,
    /// A randomised or single-arm trial report.
    Trial,
    /// A regulator's licence or approval.
    Licence,
    /// A consensus statement.
    Consensus,
    /// A systematic or narrative review.
    Review,
    /// An observational cohort or case series.
    Cohort,
    /// Patient information from a charity or health service.
    PatientInformation,
}

/// How firmly the fact behind a source was checked ([V] or [V2] in the domain notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Verification {
    /// Seen in the source itself.
    V,
    /// Seen second-hand only.
    V2,
    /// Not verified: allowed in the registry only so `kb check` can reject its use.
    U,
}

/// A citable source: `content/sources/*.toml`, `[[source]]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Stable id, lower-case with hyphens, e.g. `nice-ng151`.
    pub id: String,
    /// Title as published.
    pub title: String,
    /// Publisher or journal, e.g. `NICE`, `Lancet`.
    pub publisher: String,
    /// Year of publication.
    pub year: u16,
    /// Where to read it.
    pub url: String,
    /// Publication kind.
    pub kind: SourceKind,
    /// Short citation (authors, journal, volume, pages) where there is one.
    #[serde(default)]
    pub citation: Option<String>,
    /// How it was verified.
    pub verification: Verification,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// Audience-specific wording of one sourced statement.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Stable id, `<area>.<topic>`, referenced by the engine.
    pub id: String,
    /// Plain-English wording for patients and carers.
    pub patient: String,
    /// Clinical wording for clinicians (may name trials, thresholds, codes).
    pub clinician: String,
    /// Source ids; at least one.
    pub sources: Vec<String>,
    /// Strength of the evidence or UK access status, a level of [`EVIDENCE_SYSTEM`].
    #[serde(default)]
    pub evidence: Option<String>,
    /// The Case inputs (JSON pointers, from [`INPUT_POINTERS`]) whose values the
    /// statement states as facts about the person: the engine may show it only
    /// when every one was given (a property test holds it to that; empty = it
    /// states nothing about the person's inputs).
    #[serde(default)]
    pub asserts: Vec<String>,
    /// The primary sites it is written for; absent = every site. It must never
    /// be shown for another site (checked by the same property test).
    #[serde(default)]
    pub sites: Option<Vec<String>>,
    /// Statements that say the opposite: never shown in the same option as
    /// this one (the relation is symmetric; `kb check` validates the ids).
    #[serde(default)]
    pub contradicts: Vec<String>,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// Every Case input a statement may assert (contract sections 2 and 8.1), as
/// JSON pointers. The engine's tests check that it knows each one.
pub const INPUT_POINTERS: &[&str] = &[
    "/primary_site",
    "/bowel_side",
    "/liver/tumour_count",
    "/liver/largest_tumour_cm",
    "/liver/both_lobes",
    "/liver/near_major_vessels",
    "/liver/all_removable",
    "/liver/future_liver_remnant_percent",
    "/liver/liver_condition",
    "/liver/percent_liver_replaced",
    "/spread_elsewhere",
    "/performance_status",
    "/fit_for_major_surgery",
    "/chemotherapy_history",
    "/primary_node_positive",
    "/disease_free_interval_months",
    "/cea_ng_ml",
    "/treatment_history/lines_of_systemic_therapy",
    "/treatment_history/previous",
    "/treatment_history/platinum_sensitive",
    "/treatment_history/castration_resistant",
    "/treatment_history/endocrine_resistant",
    "/liver_function/bilirubin_umol_l",
    "/liver_function/albumin_g_l",
    "/liver_function/ascites",
    "/liver_function/jaundice",
    "/liver_function/biliary_obstruction",
    "/liver_function/child_pugh",
    "/liver_function/bilirubin_uln_umol_l",
    "/histology",
    "/net_origin",
    "/tumour_grade",
    "/ki67_percent",
    "/primary_resected",
    "/carcinoid_syndrome",
    "/age_years",
    "/months_disease_controlled",
    "/biomarkers/KRAS",
    "/biomarkers/NRAS",
    "/biomarkers/BRAF_V600",
    "/biomarkers/MSI",
    "/biomarkers/HER2",
    "/biomarkers/ER",
    "/biomarkers/PR",
    "/biomarkers/PD_L1",
    "/biomarkers/EGFR",
    "/biomarkers/ALK",
    "/biomarkers/ROS1",
    "/biomarkers/RET",
    "/biomarkers/MET_EX14",
    "/biomarkers/NTRK",
    "/biomarkers/SSTR",
    "/biomarkers/PSMA",
    "/biomarkers/BRCA",
    "/biomarkers/HRR",
    "/biomarkers/PIK3CA",
    "/biomarkers/ESR1",
    "/biomarkers/HLA_A0201",
    "/biomarkers/KIT",
    "/biomarkers/PDGFRA",
    "/biomarkers/HRD",
    "/biomarkers/TMB_HIGH",
    "/biomarkers/PDGFRA_D842V",
    "/biomarkers/CLDN18_2",
    "/biomarkers/FR_ALPHA",
    "/biomarkers/PD_L1_CPS",
    "/biomarkers/PD_L1_TPS",
    "/biomarkers/PD_L1_IC",
    "/biomarkers/HER2_IHC",
    "/biomarkers/BRCA_origin",
];

/// The coded evidence scale used on statements: its system and version.
pub const EVIDENCE_SYSTEM: (&str, &str) = ("https://hepatica.example/evidence-levels", "1");

/// The levels of [`EVIDENCE_SYSTEM`], strongest UK access first, with plain labels.
///
/// A level names the strongest verified basis for the statement, not a judgement
/// of the treatment: an NHS route (NICE or NHS England), a regulator's licence,
/// randomised evidence, or weaker evidence.
pub const EVIDENCE_LEVELS: &[(&str, &str)] = &[
    ("nice_recommended", "Recommended by NICE for this use (technology appraisal or guideline)"),
    ("nhse_commissioned", "Routinely commissioned by NHS England"),
    ("nice_managed_access", "Available through the Cancer Drugs Fund or managed access"),
    ("nice_standard_arrangements", "NICE procedure guidance: standard arrangements"),
    ("regulator_approved", "Licensed or approved by a regulator; UK funding not verified here"),
    ("phase3_trial", "Shown in a randomised (phase 3) trial; UK approval not verified here"),
    ("expert_review", "Described in expert reviews; no UK decision verified here"),
    ("observational", "Based on observational series"),
    ("nice_research_only", "NICE advises use only in research"),
    ("not_commissioned", "Not routinely commissioned by NHS England"),
];

/// A numeric threshold the engine uses, with its source.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Stable id, e.g. `flr.normal_min_percent`.
    pub id: String,
    /// The value.
    pub value: f64,
    /// Unit, e.g. `percent`, `cm`, `months`, `count`, `ng/mL`.
    pub unit: String,
    /// What it means and how it is applied (inclusive or strict).
    pub description: String,
    /// Source ids; at least one.
    pub sources: Vec<String>,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// One section of a treatment page.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Anchor id, e.g. `what-it-is`.
    pub id: String,
    /// Heading shown to readers.
    pub heading: String,
    /// Plain-English body; paragraphs separated by blank lines.
    pub text: String,
    /// Source ids; at least one.
    pub sources: Vec<String>,
}

/// A sub-kind of a treatment area (e.g. microwave ablation).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    /// Stable id, snake_case, e.g. `microwave_ablation`.
    pub id: String,
    /// Title shown to readers.
    pub title: String,
    /// Plain-English description.
    pub text: String,
    /// Source ids; at least one.
    pub sources: Vec<String>,
}

/// A treatment area page: `content/treatments/<id>.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Treatment {
    /// One of the nine contract treatment ids.
    pub id: String,
    /// Title, e.g. `Tumour ablation`.
    pub title: String,
    /// One plain-English sentence.
    pub summary: String,
    /// Page sections in reading order.
    #[serde(rename = "section")]
    pub sections: Vec<Section>,
    /// Sub-kinds.
    #[serde(rename = "kind", default)]
    pub kinds: Vec<Kind>,
    /// General questions to ask the care team about this treatment.
    pub questions: Vec<String>,
    /// The option grid's row: what it involves in a few words and, where a
    /// source gives one, what it can offer as a natural frequency.
    #[serde(default)]
    pub glance: Option<Glance>,
    /// Rows for some primary sites instead of [`Treatment::glance`]
    /// (`[[glance_for]]`, each with its `sites`): where the general row would
    /// describe another cancer's treatment (hormone tablets for a NET, SABR
    /// where the drip PRRT is what fits). See [`Treatment::glance_for_site`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glance_for: Vec<Glance>,
    /// Review metadata.
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// The questionnaire and results pages' own words: `content/questionnaire.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// Review for the whole file.
    #[serde(default)]
    pub review: ReviewOverride,
    /// Sourced blocks of text the pages show, by id.
    #[serde(rename = "text", default)]
    pub texts: Vec<PageText>,
    /// "What matters most?" choices (values clarification; they change nothing in the engine).
    #[serde(rename = "value", default)]
    pub values: Vec<ValueChoice>,
    /// The forms' questions, by Case field name (the server's `form.rs` says how each is answered).
    #[serde(rename = "question", default)]
    pub questions: Vec<QuestionText>,
    /// The patient questionnaire's parts, in order.
    #[serde(rename = "step", default)]
    pub steps: Vec<StepText>,
}

impl Questionnaire {
    /// The text with this id.
    pub fn text(&self, id: &str) -> Option<&PageText> {
        self.texts.iter().find(|t| t.id == id)
    }

    /// The words of the question for this form field (`liver.tumour_count`).
    pub fn question(&self, id: &str) -> Option<&QuestionText> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// The words of one form question (`[[question]]` in `questionnaire.toml`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionText {
    /// The form field name: the Case field, nested ones with a dot (`liver_function.jaundice`).
    pub id: String,
    /// The question as the person sees it ("you").
    pub patient: String,
    /// The question for a carer ("they"); the patient words are used when absent.
    #[serde(default)]
    pub carer: Option<String>,
    /// The short clinical label on the clinician form.
    pub clinician: String,
    /// Plain help text under the question.
    #[serde(default)]
    pub help: String,
    /// What to do when the answer is not valid (plain words).
    #[serde(default)]
    pub fix: String,
    /// The answers, for a choice or a checklist (patient words).
    #[serde(rename = "choice", default)]
    pub choices: Vec<ChoiceText>,
    /// The clinician form's answers when they differ from the patient's (e.g. every
    /// class of earlier treatment rather than everyday names).
    #[serde(rename = "clinician_choice", default)]
    pub clinician_choices: Vec<ChoiceText>,
    /// Primary sites (contract ids) the question applies to; empty for all. Once the
    /// site is known, the questionnaire only asks a site-specific question for its sites.
    #[serde(default)]
    pub sites: Vec<String>,
}

/// One answer of a choice or checklist question.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceText {
    /// The form value: a contract value, or for a checklist several separated by spaces
    /// ("oxaliplatin fluoropyrimidine" for FOLFOX).
    pub value: String,
    /// The words on the page.
    pub label: String,
    /// Primary sites this answer applies to; empty for all.
    #[serde(default)]
    pub sites: Vec<String>,
}

/// One part of the patient questionnaire (`[[step]]`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepText {
    /// Heading of the part.
    pub title: String,
    /// Short introduction ("" for none).
    #[serde(default)]
    pub intro: String,
    /// The question ids asked first.
    pub questions: Vec<String>,
    /// Heading of a closed "more" section (progressive disclosure), if any.
    #[serde(default)]
    pub more_title: Option<String>,
    /// The question ids inside the "more" section.
    #[serde(default)]
    pub more: Vec<String>,
}

/// One block of page text, in the reader's own voice and in a carer's.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageText {
    /// Stable id, e.g. `next.mdt`.
    pub id: String,
    /// Optional heading.
    #[serde(default)]
    pub heading: Option<String>,
    /// For the person themselves ("you").
    pub patient: String,
    /// For a carer ("they", or "to ask together"); the patient text is used when absent.
    #[serde(default)]
    pub carer: Option<String>,
    /// Source ids; none for plain page furniture, at least one for a clinical statement.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// One "what matters most?" choice.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueChoice {
    /// Stable id, used as the form value.
    pub id: String,
    /// The words on the page and the appointment sheet.
    pub label: String,
}

/// One treatment's row in the results page's option grid (`[glance]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Glance {
    /// What it involves, in a few words ("An operation in a specialist liver unit").
    pub involves: String,
    /// What it can offer, as a natural frequency for a group ("37 in 100 ..."), if a source gives one.
    #[serde(default)]
    pub offers: Option<String>,
    /// What it costs the person: main harms, recovery and travel, in a few words.
    #[serde(default)]
    pub harms: Option<String>,
    /// The primary sites (contract ids, `bowel`, `breast`, ...) whose people the
    /// studies behind `offers` and `harms` included. The results page shows those
    /// two lines only for these sites; for any other site (or an unknown one) the
    /// row shows `involves` alone. Required when either line holds a number.
    #[serde(default)]
    pub frequency_sites: Vec<String>,
    /// Source ids; at least one.
    pub sources: Vec<String>,
    /// For a `[[glance_for]]` row only: the primary sites it is the row for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<String>,
}

impl Treatment {
    /// The option grid's row for someone whose cancer started in `site`: the
    /// first `[[glance_for]]` row naming the site, else the general `[glance]`.
    pub fn glance_for_site(&self, site: &str) -> Option<&Glance> {
        self.glance_for.iter().find(|g| g.sites.iter().any(|s| s == site)).or(self.glance.as_ref())
    }

    /// Every grid row, with the id diagnostics name it by and whether it is
    /// the general row: `<treatment>#glance`, then `<treatment>#glance_for[<n>]`.
    pub fn glance_rows(&self) -> impl Iterator<Item = (String, bool, &Glance)> {
        let general = self.glance.iter().map(|g| (format!("{}#glance", self.id), true, g));
        general.chain(self.glance_for.iter().enumerate().map(|(n, g)| (format!("{}#glance_for[{n}]", self.id), false, g)))
    }
}

impl Glance {
    /// Whether the `offers` and `harms` lines (the figures from studies) may be
    /// shown to someone whose cancer started in `site`. Lines without a number
    /// and no `frequency_sites` apply to every site.
    pub fn figures_apply_to(&self, site: &str) -> bool {
        if self.frequency_sites.is_empty() {
            return !self.has_figures();
        }
        self.frequency_sites.iter().any(|s| s == site)
    }

    /// Whether `offers` or `harms` holds a number (a natural frequency or a time).
    pub fn has_figures(&self) -> bool {
        [&self.offers, &self.harms].iter().any(|l| l.as_deref().is_some_and(|t| t.chars().any(|c| c.is_ascii_digit())))
    }
}

/// A glossary entry: `content/glossary.toml`, `[[term]]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Stable id, lower-case with hyphens.
    pub id: String,
    /// The term as readers meet it.
    pub term: String,
    /// Other spellings and abbreviations.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Plain-English definition.
    pub definition: String,
    /// Source ids (may be empty for plain word meanings).
    #[serde(default)]
    pub sources: Vec<String>,
    /// The topic the term belongs to: a treatment id, or `general`, `support`
    /// or `drugs` (contract section 5). Left out, it is `general`.
    #[serde(default)]
    pub topic: Option<String>,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

impl Term {
    /// The term's topic, `general` when none is given.
    pub fn topic(&self) -> &str {
        self.topic.as_deref().unwrap_or("general")
    }
}

/// Whether a catalogue entry is a single drug or a regimen of several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DrugKind {
    /// A single medicine.
    Drug,
    /// A named combination (e.g. FOLFOX).
    Regimen,
}

/// Drug class, exactly the contract's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DrugClass {
    /// Chemotherapy.
    Chemotherapy,
    /// Targeted therapy.
    TargetedTherapy,
    /// Hormonal therapy.
    HormonalTherapy,
    /// Immunotherapy.
    Immunotherapy,
    /// Radionuclide (internal radiotherapy by drip).
    Radionuclide,
    /// Supportive medicine.
    Supportive,
}

impl DrugClass {
    /// The contract's wire value, e.g. `targeted_therapy`.
    pub fn as_str(self) -> &'static str {
        match self {
            DrugClass::Chemotherapy => "chemotherapy",
            DrugClass::TargetedTherapy => "targeted_therapy",
            DrugClass::HormonalTherapy => "hormonal_therapy",
            DrugClass::Immunotherapy => "immunotherapy",
            DrugClass::Radionuclide => "radionuclide",
            DrugClass::Supportive => "supportive",
        }
    }
}

/// A drug or regimen: `content/drugs/*.toml`, `[[drug]]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Drug {
    /// Stable id, lower-case with hyphens, e.g. `pembrolizumab`, `folfox`.
    pub id: String,
    /// Generic or regimen name, e.g. `Pembrolizumab`, `FOLFOX`.
    pub name: String,
    /// Drug or regimen.
    pub kind: DrugKind,
    /// UK and US brand names.
    #[serde(default)]
    pub brand_names: Vec<String>,
    /// Abbreviations, other spellings and common misspellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Contract class.
    pub class: DrugClass,
    /// How it is given: `tablet`, `capsule`, `drip`, `injection`, `pump`.
    pub given_as: Vec<String>,
    /// Contract primary-site ids it is used for.
    pub used_for: Vec<String>,
    /// Biomarker conditions, e.g. `KRAS:wild_type`, `HER2:positive`.
    #[serde(default)]
    pub biomarkers: Vec<String>,
    /// Component drug ids (regimens only).
    #[serde(default)]
    pub components: Vec<String>,
    /// One plain-English paragraph.
    pub description: String,
    /// Common side effects, each a short plain phrase (for the drug page).
    #[serde(default)]
    pub side_effects: Vec<String>,
    /// UK status in plain words, e.g. the NICE technology appraisal and whether it is recommended.
    #[serde(default)]
    pub uk_status: Option<String>,
    /// Source ids; at least one.
    pub sources: Vec<String>,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// The words for one biomarker result value (`content/labels.toml`,
/// `[[biomarker_value]]`), as every page and the CLI text output show it; look
/// it up with [`crate::Knowledge::biomarker_value_label`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BiomarkerValueLabel {
    /// The biomarker this row is for (contract key, e.g. `PD_L1`); absent: any biomarker with this value.
    #[serde(default)]
    pub biomarker: Option<String>,
    /// The contract value, e.g. `wild_type`.
    pub value: String,
    /// Plain words for patients, e.g. "Normal (wild type)".
    pub patient: String,
    /// Clinical words, e.g. "wild type".
    pub clinician: String,
}

/// A common question with our answer: `content/faq/*.toml`, `[[faq]]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    /// Stable id, lower-case with hyphens.
    pub id: String,
    /// The question as a patient or carer would ask it.
    pub question: String,
    /// Plain-English answer.
    pub answer: String,
    /// A treatment id, or `general`, `support`, `drugs`.
    pub topic: String,
    /// Source ids; at least one.
    pub sources: Vec<String>,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// A support service: `content/support.toml`, `[[service]]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SupportService {
    /// Stable id.
    pub id: String,
    /// Name of the service.
    pub name: String,
    /// How to reach it, in plain words (phone, chat, forum).
    pub how: String,
    /// Web address, if any.
    #[serde(default)]
    pub url: Option<String>,
    /// Region code, e.g. `UK`.
    pub region: String,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// A code-to-concept mapping used by the FHIR mapper: `content/codes/*.toml`, `[[code]]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CodeMapping {
    /// Code system URI, e.g. `http://snomed.info/sct`.
    pub system: String,
    /// The code, or a prefix ending in `*` for ICD-10 ranges (e.g. `C18*`).
    pub code: String,
    /// Human display.
    pub display: String,
    /// What it maps to: `primary:<site>`, `liver_secondary`, `spread:<site>`, `biomarker:<KEY>`, `observation:<name>`.
    pub maps_to: String,
    /// Source ids (terminology or IG); may be empty.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Two-way lexicon entry: words and phrases a reader may use for the same
/// thing (`content/lexicon.toml`, `[[synonym]]`). A question with one of them
/// is also searched for the others, at a lower weight.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymGroup {
    /// The words and phrases, lower case.
    pub words: Vec<String>,
}

/// One-way lexicon entry (`[[expand]]`): a reader's phrase that also means
/// the words in `to`. With `replace`, the phrase's own words are not searched
/// (so "first line" never finds "Support Line", "stage 4" never finds
/// "Two-stage surgery").
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expansion {
    /// Phrases, any of which triggers the expansion (lower case).
    pub from: Vec<String>,
    /// Words our content uses for the same idea.
    pub to: String,
    /// Search only `to`, never the words of `from`.
    #[serde(default)]
    pub replace: bool,
}

/// An American spelling and its British form (`[[spelling]]`), for whole words
/// that no rule in the search analyzer finds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spelling {
    /// American (or other) spelling, lower case.
    pub us: String,
    /// British spelling, lower case.
    pub uk: String,
}

/// Word lists of the lexicon (`[words]`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WordLists {
    /// Words that say nothing about what is asked ("what", "my").
    #[serde(default)]
    pub stop: Vec<String>,
    /// Everyday words our content uses but that do not show a question is about cancer care.
    #[serde(default)]
    pub everyday: Vec<String>,
    /// Words nearly every question and page uses ("liver", "cancer"): they show a
    /// question is in scope but weigh little in the ranking.
    #[serde(default)]
    pub weak: Vec<String>,
}

/// The lay lexicon the search uses: `content/lexicon.toml` (and any other file
/// with these tables).
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Two-way groups.
    pub synonyms: Vec<SynonymGroup>,
    /// One-way expansions.
    pub expansions: Vec<Expansion>,
    /// Whole-word spellings.
    pub spellings: Vec<Spelling>,
    /// Stop and everyday words.
    pub words: WordLists,
}

/// What to do now when a question describes a same-day red flag (contract 8.3):
/// `content/urgent.toml`, `[urgent_help]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UrgentHelp {
    /// Short heading, e.g. "Get help now".
    pub title: String,
    /// Who to call now, in plain English.
    pub text: String,
    /// Where the full advice is on the site: `/support#urgent`.
    pub url: String,
    /// Source ids; at least one.
    pub sources: Vec<String>,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// A same-day red-flag symptom, as people describe it: `[[red_flag]]`.
///
/// A question matches when it contains any phrase of `any`, or, for each
/// group of `all`, at least one of the group's phrases. Matching is by whole
/// words, with spelling variants and small typos tolerated.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlag {
    /// Stable id, lower-case with hyphens.
    pub id: String,
    /// Plain name of the symptom, e.g. "Yellow skin or eyes (jaundice)".
    pub name: String,
    /// Phrases that on their own describe the red flag.
    #[serde(default)]
    pub any: Vec<String>,
    /// Groups of phrases that together describe it (one phrase from each group).
    #[serde(default)]
    pub all: Vec<Vec<String>>,
    /// Phrases that show the words mean something else ("confused about my
    /// options"): with one of them the flag does not match.
    #[serde(default)]
    pub unless: Vec<String>,
    /// Source ids; at least one.
    pub sources: Vec<String>,
    /// Review metadata (inherits the file's `[review]`).
    #[serde(flatten)]
    pub review: ReviewOverride,
}

/// Phrases that show a question asks about a symptom in general rather than
/// describing one happening now ("what is jaundice", "can SIRT cause a fever"):
/// `[red_flag_context]`. Such a question gets no alarm unless it also has a
/// word of `personal` ("my", "mum", "since", "today").
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlagContext {
    /// Phrases that ask for general information.
    #[serde(default)]
    pub general: Vec<String>,
    /// Words that show the symptom is happening to someone now.
    #[serde(default)]
    pub personal: Vec<String>,
}
