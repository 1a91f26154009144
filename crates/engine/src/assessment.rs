//! The output: an explained, sourced assessment of the nine treatment areas.
//!
//! Field names and order are the contract's (section 3); serialising an
//! [`Assessment`] with `serde_json` gives the contract JSON byte for byte.
//! Fields beyond the contract (`audience`, `criteria`, `statement`, `kb`
//! references) are compatible extensions.

use serde::Serialize;

/// Contract identifier written into every assessment.
pub const CONTRACT: &str = "hepatica.assessment/1";

/// Who the wording is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Plain English for patients and carers.
    #[default]
    Patient,
    /// Clinical wording with trials, thresholds and the criteria trace.
    Clinician,
}

impl Audience {
    /// Parses `patient` or `clinician`.
    pub fn parse(s: &str) -> Option<Audience> {
        match s {
            "patient" => Some(Audience::Patient),
            "clinician" => Some(Audience::Clinician),
            _ => None,
        }
    }
}

/// How well a treatment area fits the situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suitability {
    /// Not usually used in this situation.
    Unlikely,
    /// Turns on information not given; `depends_on` says what.
    Depends,
    /// May be an option; the specialist team decides.
    Possible,
    /// Commonly used in this situation.
    Usual,
}

impl Suitability {
    /// Contract wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Suitability::Usual => "usual",
            Suitability::Possible => "possible",
            Suitability::Depends => "depends",
            Suitability::Unlikely => "unlikely",
        }
    }

    /// All four, most favourable first (the order pages group them in).
    pub const ALL: [Suitability; 4] = [Suitability::Usual, Suitability::Possible, Suitability::Depends, Suitability::Unlikely];
}

/// Knowledge-base identity stamped on every output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KbStamp {
    /// e.g. `2026.11.0`.
    pub version: String,
    /// Publication date, `YYYY-MM-DD`.
    pub published: String,
    /// Hex SHA-256 of the release's content files (contract 8.2; computed
    /// once when the knowledge base loads, see `hepatica_knowledge::release`).
    pub content_hash: String,
    /// The newest release this program has, when it is newer than this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// `true` when the knowledge base has the version of a release this
    /// program embeds but other content (a changed `--kb-dir` folder or
    /// bundle that kept the number; [`hepatica_knowledge::Knowledge::is_draft`]).
    /// Left out otherwise (an extension of contract 8.2).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
}

impl KbStamp {
    /// The stamp of a loaded knowledge base.
    pub fn of(kb: &hepatica_knowledge::Knowledge) -> KbStamp {
        KbStamp {
            version: kb.meta.version.clone(),
            published: kb.meta.published.to_string(),
            content_hash: kb.content_hash().to_string(),
            superseded_by: kb.superseded_by().map(str::to_string),
            draft: kb.is_draft(),
        }
    }
}

/// One sourced reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The reason in the audience's wording.
    pub text: String,
    /// Source ids; never empty.
    pub sources: Vec<String>,
    /// Knowledge-base statement id (extension).
    pub statement: String,
    /// Coded evidence level, where the statement has one (extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceLevel>,
}

/// A coded evidence level with its system and version (extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceLevel {
    /// Code system URI.
    pub system: &'static str,
    /// Code system version.
    pub version: &'static str,
    /// The level code, e.g. `nice_recommended`.
    pub code: String,
    /// Plain label.
    pub display: &'static str,
}

/// Whether one criterion is met, for the "why and why not" trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionStatus {
    /// The input satisfies it.
    Met,
    /// The input rules it out (or lowers the level).
    NotMet,
    /// The input needed to decide it is missing.
    Unknown,
}

/// One criterion of one option, with the inputs that decided it (extension).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    /// Statement id describing the criterion.
    pub id: String,
    /// Short label, e.g. "All liver tumours can be removed".
    pub label: String,
    /// Met, not met or unknown.
    pub status: CriterionStatus,
    /// JSON pointers of the inputs that decided it.
    pub inputs: Vec<String>,
}

/// A sub-kind of a treatment (e.g. microwave ablation) and its suitability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindAssessment {
    /// Contract kind id, e.g. `microwave_ablation`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Suitability of this kind.
    pub suitability: Suitability,
}

/// One of the nine treatment areas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionAssessment {
    /// Contract treatment id.
    pub treatment: String,
    /// Title.
    pub title: String,
    /// Suitability.
    pub suitability: Suitability,
    /// One plain sentence.
    pub summary: String,
    /// Why, each reason sourced.
    pub reasons: Vec<Reason>,
    /// What would decide it (non-empty when `suitability` is `depends`).
    pub depends_on: Vec<String>,
    /// Questions to ask the care team.
    pub questions_to_ask: Vec<String>,
    /// Sub-kinds.
    pub kinds: Vec<KindAssessment>,
    /// Criteria trace (extension).
    pub criteria: Vec<Criterion>,
}

/// A prognostic score's value and group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupedScore<T> {
    /// Score value.
    pub value: T,
    /// Risk group.
    pub group: &'static str,
}

/// Remnant-liver adequacy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemnantScore {
    /// Future liver remnant, percent.
    pub value: f64,
    /// Threshold for the liver condition: 20, 30 or 40.
    pub threshold: u8,
    /// `value >= threshold`.
    pub adequate: bool,
}

/// Scores present only when all their inputs are given.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Fong clinical risk score (bowel only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fong_clinical_risk_score: Option<GroupedScore<u8>>,
    /// Tumour burden score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tumour_burden_score: Option<GroupedScore<f64>>,
    /// GAME score (bowel only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub game_score: Option<GroupedScore<u8>>,
    /// Future liver remnant adequacy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub future_liver_remnant: Option<RemnantScore>,
}

/// What a score means, with its source and derivation cohort (extension).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreExplanation {
    /// The score's key in `scores`, e.g. `fong_clinical_risk_score`.
    pub score: String,
    /// Interpretation in the audience's wording.
    pub text: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// Knowledge-base statement id.
    pub statement: String,
}

/// An input that would sharpen the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    /// JSON pointer of the missing input.
    pub pointer: String,
    /// Why it matters.
    pub why: String,
}

/// A cited source, as listed in the output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    /// Source id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Publisher.
    pub publisher: String,
    /// Year.
    pub year: u16,
    /// URL.
    pub url: String,
}

/// A support service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupportRef {
    /// Name.
    pub name: String,
    /// How to reach it.
    pub how: String,
    /// Web address, if any (extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The assessment of one case (contract section 3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Always [`CONTRACT`].
    pub contract: &'static str,
    /// The case's `id`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// Knowledge-base version and date.
    pub knowledge_base: KbStamp,
    /// Audience of the wording (extension).
    pub audience: Audience,
    /// Exactly nine options, in contract order.
    pub options: Vec<OptionAssessment>,
    /// Scores whose inputs were all given.
    pub scores: Scores,
    /// A sourced, non-directive interpretation of each score present (extension;
    /// kept apart from `scores` so the contract's score objects stay exact).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub score_explanations: Vec<ScoreExplanation>,
    /// Inputs that would sharpen the answer.
    pub missing_information: Vec<Missing>,
    /// Every source cited anywhere above, sorted by id.
    pub sources: Vec<SourceRef>,
    /// Where to get support.
    pub support: Vec<SupportRef>,
    /// The disclaimer.
    pub disclaimer: String,
    /// Problems met while mapping the input (e.g. FHIR codes that could not be
    /// mapped); empty, and then omitted, for a plain Case (extension).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub input_warnings: Vec<InputWarning>,
}

/// Something in the input that was not used, and why (extension).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputWarning {
    /// Where in the input (JSON pointer or FHIR reference).
    pub pointer: String,
    /// What was not used and why.
    pub detail: String,
}

/// Only the decisions for one case: what batch suitability lines and tallies
/// need. A type of its own, so no caller meets a contract document with empty
/// fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Decisions {
    /// The case's `id`, if given.
    pub case_id: Option<String>,
    /// The nine treatments in contract order with their suitability.
    pub options: Vec<Decision>,
    /// Scores whose inputs were all given.
    pub scores: Scores,
}

/// One treatment's suitability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Treatment id (one of the knowledge base's `TREATMENT_IDS`).
    pub treatment: &'static str,
    /// Its suitability.
    pub suitability: Suitability,
}

impl Assessment {
    /// The decisions this assessment explains (equal to [`crate::assess_summary`]'s).
    pub fn decisions(&self) -> Decisions {
        Decisions {
            case_id: self.case_id.clone(),
            options: self
                .options
                .iter()
                .zip(hepatica_knowledge::TREATMENT_IDS)
                .map(|(o, treatment)| Decision { treatment, suitability: o.suitability })
                .collect(),
            scores: self.scores.clone(),
        }
    }

    /// The option for a treatment id.
    pub fn option(&self, treatment: &str) -> Option<&OptionAssessment> {
        self.options.iter().find(|o| o.treatment == treatment)
    }
}
