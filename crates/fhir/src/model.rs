//! Lenient serde types for the handful of FHIR R4 resources Hepatica reads.
//!
//! Hand-written on purpose (see `shared/domain/interop.md` §1): every field is
//! optional, unknown fields are ignored, and choice types (`value[x]`,
//! `effective[x]`, `onset[x]`, `medication[x]`) are one `Option` field per
//! variant we use. A resource that still fails to deserialise (a field of the
//! wrong JSON type) is reported as a warning by the mapper, never a panic.

use serde::{Deserialize, Deserializer};

/// Accepts either one value or an array of values (R4 is not consistent across
/// resources, e.g. `statusReason`).
fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        One(T),
        Many(Vec<T>),
    }
    Ok(match Option::<OneOrMany<T>>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(t)) => vec![t],
        Some(OneOrMany::Many(v)) => v,
    })
}

/// `Coding`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Coding {
    /// Code system URI.
    pub system: Option<String>,
    /// The code.
    pub code: Option<String>,
    /// Display text.
    pub display: Option<String>,
}

/// `CodeableConcept`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CodeableConcept {
    /// Codings.
    pub coding: Vec<Coding>,
    /// Free text.
    pub text: Option<String>,
}

impl CodeableConcept {
    /// Every display and the text, lower-cased, joined by ` | ` (for text matching).
    pub fn words(&self) -> String {
        let mut parts: Vec<String> = self.coding.iter().filter_map(|c| c.display.as_ref()).map(|s| s.to_lowercase()).collect();
        if let Some(t) = &self.text {
            parts.push(t.to_lowercase());
        }
        parts.join(" | ")
    }

    /// A short human label: first display, text or code.
    pub fn label(&self) -> String {
        self.coding
            .iter()
            .find_map(|c| c.display.clone())
            .or_else(|| self.text.clone())
            .or_else(|| self.coding.iter().find_map(|c| c.code.clone()))
            .unwrap_or_else(|| "(no code)".to_string())
    }

    /// Whether any coding has this system and code.
    pub fn has(&self, system: &str, code: &str) -> bool {
        self.coding.iter().any(|c| c.system.as_deref() == Some(system) && c.code.as_deref() == Some(code))
    }
}

/// `Reference`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Reference {
    /// Literal reference (`Patient/1`, `urn:uuid:…`, absolute URL, `#contained`).
    pub reference: Option<String>,
    /// Display.
    pub display: Option<String>,
}

/// `Quantity`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Quantity {
    /// Numeric value.
    pub value: Option<f64>,
    /// `<`, `<=`, `>=`, `>`.
    pub comparator: Option<String>,
    /// Human unit.
    pub unit: Option<String>,
    /// Unit system (UCUM).
    pub system: Option<String>,
    /// Unit code.
    pub code: Option<String>,
}

impl Quantity {
    /// The unit code, else the human unit, trimmed.
    pub fn unit_code(&self) -> Option<&str> {
        self.code.as_deref().or(self.unit.as_deref()).map(str::trim)
    }
}

/// `Period`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Period {
    /// Start.
    pub start: Option<String>,
    /// End.
    pub end: Option<String>,
}

/// `Extension` (only the value types we use).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Extension {
    /// Extension URL.
    pub url: Option<String>,
    /// valueReference.
    pub value_reference: Option<Reference>,
    /// valueCodeableConcept.
    pub value_codeable_concept: Option<CodeableConcept>,
}

/// The `value[x]` variants we read, shared by Observation and its components.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Value {
    /// valueQuantity.
    pub value_quantity: Option<Quantity>,
    /// valueCodeableConcept.
    pub value_codeable_concept: Option<CodeableConcept>,
    /// valueString.
    pub value_string: Option<String>,
    /// valueBoolean.
    pub value_boolean: Option<bool>,
    /// valueInteger (read as a number so `1.0` is accepted).
    pub value_integer: Option<f64>,
}

impl Value {
    /// Whether no value variant is present.
    pub fn is_empty(&self) -> bool {
        self.value_quantity.is_none()
            && self.value_codeable_concept.is_none()
            && self.value_string.is_none()
            && self.value_boolean.is_none()
            && self.value_integer.is_none()
    }
}

/// `Patient` (its identity, and whether the person has died).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Patient {
    /// Logical id.
    pub id: Option<String>,
    /// deceasedBoolean.
    pub deceased_boolean: Option<bool>,
    /// deceasedDateTime.
    pub deceased_date_time: Option<String>,
    /// birthDate (for `age_years`).
    pub birth_date: Option<String>,
}

/// `Condition`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Condition {
    /// Logical id.
    pub id: Option<String>,
    /// active | recurrence | relapse | inactive | remission | resolved.
    pub clinical_status: Option<CodeableConcept>,
    /// unconfirmed | provisional | differential | confirmed | refuted | entered-in-error.
    pub verification_status: Option<CodeableConcept>,
    /// The diagnosis.
    pub code: Option<CodeableConcept>,
    /// Body sites.
    pub body_site: Vec<CodeableConcept>,
    /// The patient.
    pub subject: Option<Reference>,
    /// onsetDateTime.
    pub onset_date_time: Option<String>,
    /// onsetPeriod.
    pub onset_period: Option<Period>,
    /// recordedDate.
    pub recorded_date: Option<String>,
    /// severity (SNOMED CT mild / moderate / severe), read for ascites.
    pub severity: Option<CodeableConcept>,
    /// Extensions (mCODE `condition-related`, histology, ...).
    pub extension: Vec<Extension>,
}

/// One `Observation.component`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Component {
    /// What the component is.
    pub code: Option<CodeableConcept>,
    /// Its value.
    #[serde(flatten)]
    pub value: Value,
}

/// `Observation`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Observation {
    /// Logical id.
    pub id: Option<String>,
    /// registered | preliminary | final | amended | corrected | cancelled | entered-in-error | unknown.
    pub status: Option<String>,
    /// What was observed.
    pub code: Option<CodeableConcept>,
    /// The patient.
    pub subject: Option<Reference>,
    /// What the observation is about (mCODE tumour size: the tumour BodyStructure).
    pub focus: Vec<Reference>,
    /// effectiveDateTime.
    pub effective_date_time: Option<String>,
    /// effectivePeriod.
    pub effective_period: Option<Period>,
    /// effectiveInstant.
    pub effective_instant: Option<String>,
    /// issued.
    pub issued: Option<String>,
    /// The result.
    #[serde(flatten)]
    pub value: Value,
    /// Interpretation codes.
    pub interpretation: Vec<CodeableConcept>,
    /// Body site.
    pub body_site: Option<CodeableConcept>,
    /// Specimen (a removed tumour, for mCODE tumour size).
    pub specimen: Option<Reference>,
    /// Components.
    pub component: Vec<Component>,
    /// Extensions (mCODE `mcode-related-condition`).
    pub extension: Vec<Extension>,
    /// Reference ranges (the first one's `high` is the lab's upper limit of normal).
    pub reference_range: Vec<ReferenceRange>,
}

/// One `Observation.referenceRange`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReferenceRange {
    /// Low limit.
    pub low: Option<Quantity>,
    /// High limit.
    pub high: Option<Quantity>,
}

/// `MedicationRequest`, `MedicationAdministration` and `MedicationStatement`
/// read through one shape (the fields we use have the same names).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MedicationUse {
    /// Logical id.
    pub id: Option<String>,
    /// Status (value sets differ by resource type).
    pub status: Option<String>,
    /// Why stopped or not given (one in MedicationRequest, many in the others).
    #[serde(deserialize_with = "one_or_many")]
    pub status_reason: Vec<CodeableConcept>,
    /// medicationCodeableConcept.
    pub medication_codeable_concept: Option<CodeableConcept>,
    /// medicationReference.
    pub medication_reference: Option<Reference>,
    /// The patient (MedicationRequest, MedicationAdministration, MedicationStatement).
    pub subject: Option<Reference>,
    /// MedicationRequest.authoredOn.
    pub authored_on: Option<String>,
    /// MedicationRequest.intent (proposal | plan | order | ...).
    pub intent: Option<String>,
    /// effectiveDateTime (Administration, Statement).
    pub effective_date_time: Option<String>,
    /// effectivePeriod (Administration, Statement).
    pub effective_period: Option<Period>,
    /// Contained resources (a contained Medication).
    pub contained: Vec<serde_json::Value>,
}

/// `Medication` (only its code).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Medication {
    /// Logical id.
    pub id: Option<String>,
    /// The drug.
    pub code: Option<CodeableConcept>,
}

/// `Procedure`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Procedure {
    /// Logical id.
    pub id: Option<String>,
    /// preparation | in-progress | not-done | on-hold | stopped | completed | entered-in-error | unknown.
    pub status: Option<String>,
    /// What was done.
    pub code: Option<CodeableConcept>,
    /// The patient.
    pub subject: Option<Reference>,
    /// performedDateTime.
    pub performed_date_time: Option<String>,
    /// performedPeriod.
    pub performed_period: Option<Period>,
    /// Body sites.
    pub body_site: Vec<CodeableConcept>,
}

/// `BodyStructure` (mCODE tumour: where it is).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BodyStructure {
    /// Logical id.
    pub id: Option<String>,
    /// Body site.
    pub location: Option<CodeableConcept>,
    /// The patient.
    pub patient: Option<Reference>,
}

/// `OperationOutcome` (CDS Hooks prefetch errors, search outcomes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OperationOutcome {
    /// Issues.
    pub issue: Vec<OutcomeIssue>,
}

/// One `OperationOutcome.issue`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OutcomeIssue {
    /// fatal | error | warning | information.
    pub severity: Option<String>,
    /// Issue type code.
    pub code: Option<String>,
    /// Details.
    pub diagnostics: Option<String>,
}
