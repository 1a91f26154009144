//! Warnings: how codes read in messages, and one warning per distinct unmapped code.

use super::*;

pub(super) fn warn(pointer: impl Into<String>, detail: impl Into<String>) -> InputWarning {
    InputWarning { pointer: pointer.into(), detail: detail.into() }
}

/// A short rendering of a coding for messages: `SNOMED CT 94381002 "Secondary …"`.
pub(super) fn coding_label(c: &Coding) -> String {
    let sys = match c.system.as_deref().map(namespace).as_deref() {
        Some("snomed") => "SNOMED CT".to_string(),
        Some("loinc") => "LOINC".to_string(),
        Some("icd10") => "ICD-10".to_string(),
        Some("rxnorm") => "RxNorm".to_string(),
        Some("hgnc") => "HGNC".to_string(),
        Some(other) => other.to_string(),
        None => "(no system)".to_string(),
    };
    let code = c.code.as_deref().unwrap_or("(no code)");
    match &c.display {
        Some(d) => format!("{sys} {code} \"{d}\""),
        None => format!("{sys} {code}"),
    }
}

pub(super) fn concept_label(cc: &CodeableConcept) -> String {
    match cc.coding.first() {
        Some(c) => coding_label(c),
        None => match &cc.text {
            Some(t) => format!("\"{t}\" (text only, no code)"),
            None => "(no code)".to_string(),
        },
    }
}
