//! The combined KRAS and NRAS result (LOINC 81420-2): "no mutation" means both
//! genes are wild type; a mutation counts only for the gene the result names.
//!
//! See: an integration test with EHR-shaped records, where an NRAS mutation in
//! this panel was read as a KRAS mutation and "no mutation in KRAS or NRAS"
//! left NRAS unknown.

use hepatica_engine::{Biomarker, BiomarkerValue};
use hepatica_fhir::map_bundle;
use hepatica_knowledge::Knowledge;

/// The fixed day the records are mapped on (ages are counted to it).
static TODAY: std::sync::LazyLock<hepatica_fhir::MapOptions> = std::sync::LazyLock::new(|| hepatica_fhir::MapOptions::on("2026-12-01"));
use serde_json::{Value, json};

fn bundle(value: Value) -> Value {
    let mut obs = json!({
        "resourceType": "Observation", "id": "ras", "status": "final",
        "subject": { "reference": "Patient/p1" },
        "code": { "coding": [ { "system": "http://loinc.org", "code": "81420-2" } ] },
        "effectiveDateTime": "2026-10-01"
    });
    for (k, v) in value.as_object().expect("a value object") {
        obs[k] = v.clone();
    }
    json!({ "resourceType": "Bundle", "type": "collection", "entry": [
        { "fullUrl": "urn:uuid:p1", "resource": { "resourceType": "Patient", "id": "p1" } },
        { "resource": { "resourceType": "Condition", "id": "c1", "subject": { "reference": "Patient/p1" },
            "clinicalStatus": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" } ] },
            "code": { "coding": [ { "system": "http://snomed.info/sct", "code": "363406005", "display": "Malignant tumor of colon" } ] } } },
        { "resource": obs }
    ] })
}

fn ras(value: Value) -> (Option<BiomarkerValue>, Option<BiomarkerValue>, Vec<String>) {
    let mapped = map_bundle(&bundle(value), Knowledge::embedded(), &TODAY).expect("maps");
    let warnings = mapped.warnings.iter().map(|w| format!("{w:?}")).collect();
    (mapped.case.biomarker(Biomarker::Kras), mapped.case.biomarker(Biomarker::Nras), warnings)
}

#[test]
fn no_mutation_in_the_panel_means_both_genes_are_wild_type() {
    let (k, n, _) = ras(json!({ "valueString": "No mutation detected in KRAS or NRAS" }));
    assert_eq!((k, n), (Some(BiomarkerValue::WildType), Some(BiomarkerValue::WildType)));
}

#[test]
fn a_mutation_counts_only_for_the_gene_it_names() {
    let (k, n, _) = ras(json!({ "valueString": "NRAS mutation present" }));
    assert_eq!((k, n), (None, Some(BiomarkerValue::Mutant)));
    let (k, n, _) = ras(json!({ "valueString": "KRAS G12C mutation detected" }));
    assert_eq!((k, n), (Some(BiomarkerValue::G12c), None));
}

#[test]
fn a_mutation_in_an_unnamed_gene_leaves_both_unknown_with_a_warning() {
    let (k, n, warnings) = ras(
        json!({ "valueCodeableConcept": { "coding": [ { "system": "http://loinc.org", "code": "LA9633-4", "display": "Present" } ] } }),
    );
    assert_eq!((k, n), (None, None));
    assert!(warnings.iter().any(|w| w.contains("does not say whether in KRAS or NRAS")), "{warnings:?}");
}
