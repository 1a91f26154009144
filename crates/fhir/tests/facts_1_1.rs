//! Contract 8.1 facts mapped from FHIR: one test per mapping (units and
//! conversions, most recent wins, conflicting values, what is refused), on
//! small Bundles built here. The real records are in `real.rs`.
//!
//! See: issue #13 (FHIR mapping), issue #15 (RxNorm / dm+d / ATC breadth).

use hepatica_fhir::{MapOptions, Mapped, map_bundle};
use hepatica_knowledge::Knowledge;
use serde_json::{Value, json};

/// A Bundle with a patient (born 1960-06-15), a bowel primary (C18.7, left) and a liver secondary, plus `extra`.
fn bundle_with(primary: Value, extra: Vec<Value>) -> Value {
    let mut entries = vec![
        json!({ "resource": { "resourceType": "Patient", "id": "p1", "birthDate": "1960-06-15" } }),
        json!({ "resource": primary }),
        json!({ "resource": { "resourceType": "Condition", "id": "liver", "subject": { "reference": "Patient/p1" },
            "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "94381002" }] } } }),
    ];
    entries.extend(extra.into_iter().map(|r| json!({ "resource": r })));
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
}

fn icd10(code: &str) -> Value {
    json!({ "resourceType": "Condition", "id": "primary", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code }] } })
}

fn bowel(extra: Vec<Value>) -> Value {
    bundle_with(icd10("C18.7"), extra)
}

fn map(b: &Value) -> Mapped {
    map_bundle(b, Knowledge::embedded(), &MapOptions::on("2026-12-01")).unwrap_or_else(|e| panic!("refused: {e:#?}"))
}

fn case(m: &Mapped) -> Value {
    serde_json::to_value(&m.case).expect("serialise")
}

#[track_caller]
fn warned(m: &Mapped, parts: &[&str]) {
    assert!(
        m.warnings.iter().any(|w| parts.iter().all(|p| w.detail.to_lowercase().contains(&p.to_lowercase()))),
        "no warning with {parts:?}: {:#?}",
        m.warnings
    );
}

fn lab(loinc: &str, value: f64, unit: &str, when: &str) -> Value {
    json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://loinc.org", "code": loinc }] },
        "effectiveDateTime": when,
        "valueQuantity": { "value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit } })
}

fn med(kind: &str, coding: Value, status: &str, extra: Value) -> Value {
    let mut r = json!({ "resourceType": kind, "status": status, "subject": { "reference": "Patient/p1" },
        "medicationCodeableConcept": coding });
    if let (Some(o), Some(x)) = (r.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            o.insert(k.clone(), v.clone());
        }
    }
    r
}

fn rx(code: &str, display: &str) -> Value {
    json!({ "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code, "display": display }] })
}

fn procedure(coding: Value, status: &str) -> Value {
    json!({ "resourceType": "Procedure", "status": status, "subject": { "reference": "Patient/p1" }, "code": coding,
        "performedDateTime": "2025-03-01" })
}

// ---- Liver function ----

#[test]
fn bilirubin_in_mg_dl_is_converted_and_the_reference_range_gives_the_uln() {
    let mut obs = lab("1975-2", 1.2, "mg/dL", "2026-10-01");
    obs["referenceRange"] = json!([{ "high": { "value": 1.2, "unit": "mg/dL", "code": "mg/dL" } }]);
    let m = map(&bowel(vec![obs]));
    let c = case(&m);
    assert_eq!(c["liver_function"]["bilirubin_umol_l"], json!(20.5));
    assert_eq!(c["liver_function"]["bilirubin_uln_umol_l"], json!(20.5));
    warned(&m, &["converted to 20.5 µmol/L"]);
}

#[test]
fn bilirubin_in_umol_l_is_used_as_is_and_the_latest_wins() {
    let m = map(&bowel(vec![
        lab("14631-6", 40.0, "umol/L", "2026-01-01"),
        lab("1975-2", 14.0, "µmol/L", "2026-11-01"),
        lab("42719-5", 30.0, "umol/L", "2026-06-01"),
    ]));
    assert_eq!(case(&m)["liver_function"]["bilirubin_umol_l"], json!(14.0));
    assert!(case(&m)["liver_function"].get("bilirubin_uln_umol_l").is_none());
    warned(&m, &["bilirubin_umol_l", "most recent", "2 older result(s) not used"]);
}

#[test]
fn a_bilirubin_unit_hepatica_cannot_convert_is_refused() {
    let m = map(&bowel(vec![lab("1975-2", 1.0, "g/L", "2026-10-01")]));
    assert!(case(&m).get("liver_function").is_none(), "{:#}", case(&m));
    warned(&m, &["expected bilirubin in µmol/L or mg/dL", "g/L", "not used"]);
}

#[test]
fn albumin_in_g_dl_is_converted_to_g_l() {
    let m = map(&bowel(vec![lab("1751-7", 3.8, "g/dL", "2026-10-01"), lab("61151-7", 30.0, "g/L", "2025-10-01")]));
    assert_eq!(case(&m)["liver_function"]["albumin_g_l"], json!(38.0));
    warned(&m, &["albumin_g_l", "1 older result(s) not used"]);
}

#[test]
fn results_at_the_same_time_that_disagree_are_reported() {
    let m = map(&bowel(vec![lab("1751-7", 38.0, "g/L", "2026-10-01"), lab("2862-1", 30.0, "g/L", "2026-10-01")]));
    warned(&m, &["albumin_g_l", "same time disagree"]);
}

#[test]
fn ascites_needs_an_amount_and_no_ascites_is_read() {
    let obs = |v: Value| {
        let mut o = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
            "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "389026000", "display": "Ascites" }] },
            "effectiveDateTime": "2026-10-01" });
        for (k, x) in v.as_object().unwrap() {
            o[k] = x.clone();
        }
        o
    };
    let m = map(&bowel(vec![obs(json!({ "valueString": "moderate" }))]));
    assert_eq!(case(&m)["liver_function"]["ascites"], json!("moderate_severe"));
    let m = map(&bowel(vec![obs(json!({ "valueCodeableConcept": { "text": "No ascites" } }))]));
    assert_eq!(case(&m)["liver_function"]["ascites"], json!("none"));
    // A Condition says there is ascites but not how much: left unknown, said so.
    let cond = json!({ "resourceType": "Condition", "subject": { "reference": "Patient/p1" },
        "clinicalStatus": { "coding": [{ "code": "active" }] },
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "389026000" }] } });
    let m = map(&bowel(vec![cond]));
    assert!(case(&m).get("liver_function").is_none());
    warned(&m, &["ascites is recorded but not how much"]);
}

#[test]
fn jaundice_from_a_condition_and_refuted_means_no() {
    let cond = |vs: &str| {
        json!({ "resourceType": "Condition", "subject": { "reference": "Patient/p1" },
            "verificationStatus": { "coding": [{ "code": vs }] }, "onsetDateTime": "2026-09-01",
            "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "18165001", "display": "Jaundice" }] } })
    };
    let m = map(&bowel(vec![cond("confirmed")]));
    assert_eq!(case(&m)["liver_function"]["jaundice"], json!(true));
    // A finding Condition is not listed as an unknown cancer code.
    assert!(!m.warnings.iter().any(|w| w.detail.contains("not a cancer code")), "{:#?}", m.warnings);
    let m = map(&bowel(vec![cond("refuted")]));
    assert_eq!(case(&m)["liver_function"]["jaundice"], json!(false));
}

#[test]
fn child_pugh_and_biliary_obstruction_from_case_fields() {
    let field = |f: &str, v: Value| {
        let mut o = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
            "code": { "coding": [{ "system": "urn:hepatica:case", "code": f }] } });
        for (k, x) in v.as_object().unwrap() {
            o[k] = x.clone();
        }
        o
    };
    let m = map(&bowel(vec![
        field("child_pugh", json!({ "valueString": "Child-Pugh class B" })),
        field("biliary_obstruction", json!({ "valueBoolean": true })),
        field("percent_liver_replaced", json!({ "valueInteger": 30 })),
    ]));
    let c = case(&m);
    assert_eq!(c["liver_function"]["child_pugh"], json!("B"));
    assert_eq!(c["liver_function"]["biliary_obstruction"], json!(true));
    assert_eq!(c["liver"]["percent_liver_replaced"], json!(30.0));
}

// ---- Treatment history ----

#[test]
fn medicines_by_rxnorm_atc_and_catalogue_name_give_previous_classes() {
    let atc = |code: &str| json!({ "coding": [{ "system": "http://www.whocc.no/atc", "code": code }] });
    let m = map(&bowel(vec![
        med(
            "MedicationStatement",
            rx("32592", "Oxaliplatin"),
            "completed",
            json!({ "effectivePeriod": { "start": "2025-01-01", "end": "2025-06-01" } }),
        ),
        med("MedicationAdministration", atc("L01FG01"), "completed", json!({ "effectiveDateTime": "2025-02-01" })),
        med("MedicationRequest", json!({ "text": "FOLFIRI" }), "active", json!({ "intent": "order", "authoredOn": "2026-01-01" })),
    ]));
    let c = case(&m);
    assert_eq!(c["treatment_history"]["previous"], json!(["fluoropyrimidine", "oxaliplatin", "irinotecan", "anti_vegf"]));
    // The text-only regimen is reported as read from its name.
    warned(&m, &["read from its name as folfiri", "last-resort text match"]);
    // Lines are never counted from medicines.
    assert!(c["treatment_history"].get("lines_of_systemic_therapy").is_none());
    warned(&m, &["lines_of_systemic_therapy could not be derived"]);
}

#[test]
fn only_medicines_that_were_given_count() {
    let m = map(&bowel(vec![
        med("MedicationStatement", rx("1547545", "pembrolizumab"), "intended", json!({})),
        med("MedicationRequest", rx("318341", "cetuximab"), "active", json!({ "intent": "plan" })),
        med("MedicationStatement", rx("51499", "irinotecan"), "active", json!({ "effectivePeriod": { "start": "2027-02-01" } })),
        med("MedicationStatement", rx("6313", "leucovorin"), "completed", json!({})),
    ]));
    assert!(case(&m).get("treatment_history").is_none(), "{:#}", case(&m));
    warned(&m, &["status is intended", "not used for treatment_history.previous"]);
    warned(&m, &["intent is plan"]);
    warned(&m, &["starts on 2027-02-01, after today"]);
    warned(&m, &["leucovorin", "supportive", "never counted"]);
    warned(&m, &["treatment_history.previous left unknown"]);
}

#[test]
fn gnrh_agonists_are_androgen_deprivation_in_prostate_and_endocrine_in_breast() {
    let goserelin = || {
        med("MedicationStatement", json!({ "coding": [{ "system": "http://www.whocc.no/atc", "code": "L02AE03" }] }), "active", json!({}))
    };
    let m = map(&bundle_with(icd10("C61"), vec![goserelin()]));
    assert_eq!(case(&m)["treatment_history"]["previous"], json!(["androgen_deprivation"]));
    let m = map(&bundle_with(icd10("C50.911"), vec![goserelin()]));
    assert_eq!(case(&m)["treatment_history"]["previous"], json!(["endocrine"]));
}

#[test]
fn trastuzumab_deruxtecan_is_its_own_class_and_her2_targeted() {
    let m = map(&bundle_with(
        icd10("C50.911"),
        vec![med(
            "MedicationStatement",
            json!({ "coding": [{ "system": "http://www.whocc.no/atc", "code": "L01FD04" }] }),
            "completed",
            json!({}),
        )],
    ));
    assert_eq!(case(&m)["treatment_history"]["previous"], json!(["her2_targeted", "trastuzumab_deruxtecan"]));
}

#[test]
fn liver_procedures_count_and_the_primary_resection_must_match_the_site() {
    let m = map(&bowel(vec![
        procedure(json!({ "text": "Right hepatectomy" }), "completed"),
        procedure(
            json!({ "coding": [{ "system": "http://snomed.info/sct", "code": "4558008", "display": "Anterior resection of rectum" }] }),
            "completed",
        ),
        procedure(
            json!({ "coding": [{ "system": "http://snomed.info/sct", "code": "26294005", "display": "Radical prostatectomy" }] }),
            "completed",
        ),
        procedure(json!({ "text": "Transarterial chemoembolization" }), "not-done"),
    ]));
    let c = case(&m);
    assert_eq!(c["treatment_history"]["previous"], json!(["liver_surgery"]));
    assert_eq!(c["primary_resected"], json!(true));
    warned(&m, &["read from its text \"hepatectomy\"", "liver_surgery"]);
    warned(&m, &["operation on the prostate while the primary is bowel"]);
    warned(&m, &["status is not-done"]);
}

#[test]
fn lines_and_platinum_sensitivity_only_from_an_explicit_source() {
    let field = |f: &str, v: Value| {
        let mut o = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
            "code": { "coding": [{ "system": "urn:hepatica:case", "code": f }] } });
        for (k, x) in v.as_object().unwrap() {
            o[k] = x.clone();
        }
        o
    };
    let m = map(&bundle_with(
        icd10("C56.9"),
        vec![
            med("MedicationStatement", rx("40048", "carboplatin"), "completed", json!({})),
            field("lines_of_systemic_therapy", json!({ "valueInteger": 2 })),
            field("platinum_sensitive", json!({ "valueBoolean": true })),
        ],
    ));
    let c = case(&m);
    assert_eq!(c["treatment_history"], json!({ "lines_of_systemic_therapy": 2, "previous": ["platinum"], "platinum_sensitive": true }));
    assert!(!m.warnings.iter().any(|w| w.detail.contains("could not be derived")), "{:#?}", m.warnings);
}

#[test]
fn castration_resistance_from_its_snomed_code_for_prostate_only() {
    let crpc = json!({ "resourceType": "Condition", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "427492003" }] } });
    let m = map(&bundle_with(icd10("C61"), vec![crpc.clone()]));
    assert_eq!(case(&m)["treatment_history"]["castration_resistant"], json!(true));
    let m = map(&bowel(vec![crpc]));
    assert!(case(&m)["treatment_history"].get("castration_resistant").is_none());
    warned(&m, &["castration-resistant", "primary is not prostate"]);
}

// ---- Pathology ----

fn with_histology(primary_code: &str, morphology: &str) -> Value {
    let mut p = icd10(primary_code);
    p["extension"] = json!([{ "url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior",
        "valueCodeableConcept": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/icd-o-3", "code": morphology }] } }]);
    bundle_with(p, vec![])
}

#[test]
fn histology_from_icd_o_3_with_the_site_deciding_the_name() {
    assert_eq!(case(&map(&with_histology("C18.7", "8140/3")))["histology"], json!("adenocarcinoma"));
    assert_eq!(case(&map(&with_histology("C56.9", "8310/3")))["histology"], json!("clear_cell_ovarian"));
    assert_eq!(case(&map(&with_histology("C64.9", "8310/3")))["histology"], json!("clear_cell"));
    assert_eq!(case(&map(&with_histology("C56.9", "8461/3")))["histology"], json!("high_grade_serous"));
    // Serous carcinoma of the ovary without its grade: left unknown.
    let m = map(&with_histology("C56.9", "8441/3"));
    assert!(case(&m).get("histology").is_none());
    warned(&m, &["serous carcinoma of the ovary without high or low grade"]);
    // The sixth digit is the grade.
    assert_eq!(case(&map(&with_histology("C18.7", "8140/32")))["tumour_grade"], json!("G2"));
}

#[test]
fn neuroendocrine_histology_origin_and_carcinoid_syndrome() {
    let mut p = icd10("C7A.010");
    p["extension"] = json!([{ "url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior",
        "valueCodeableConcept": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/icd-o-3", "code": "8240/3" }] } }]);
    let syndrome = json!({ "resourceType": "Condition", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "35868009" }] } });
    let ki67 = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://loinc.org", "code": "29593-1" }] }, "valueQuantity": { "value": 4, "unit": "%", "code": "%" } });
    let grade = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://loinc.org", "code": "33732-9" }] }, "valueCodeableConcept": { "text": "G1" } });
    let c = case(&map(&bundle_with(p, vec![syndrome, ki67, grade])));
    assert_eq!(c["primary_site"], json!("neuroendocrine"));
    assert_eq!(c["histology"], json!("well_differentiated_net"));
    assert_eq!(c["net_origin"], json!("small_bowel"));
    assert_eq!(c["carcinoid_syndrome"], json!(true));
    assert_eq!(c["ki67_percent"], json!(4.0));
    assert_eq!(c["tumour_grade"], json!("G1"));
}

/// Records can hold a grade that the histology or the Ki-67 contradicts (the
/// Case JSON parser refuses both): the grade is left unknown, with a warning.
#[test]
fn a_grade_the_histology_or_ki67_contradicts_is_left_unknown() {
    let net = |morphology: &str, ki67: f64, grade: &str| {
        let mut p = icd10("C7A.010");
        p["extension"] = json!([{ "url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior",
            "valueCodeableConcept": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/icd-o-3", "code": morphology }] } }]);
        let ki67 = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
            "code": { "coding": [{ "system": "http://loinc.org", "code": "29593-1" }] }, "valueQuantity": { "value": ki67, "unit": "%", "code": "%" } });
        let grade = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
            "code": { "coding": [{ "system": "http://loinc.org", "code": "33732-9" }] }, "valueCodeableConcept": { "text": grade } });
        map(&bundle_with(p, vec![ki67, grade]))
    };
    // Neuroendocrine carcinoma (8246/3) recorded as G1.
    let m = net("8246/3", 60.0, "G1");
    let c = case(&m);
    assert_eq!(c["histology"], json!("neuroendocrine_carcinoma"), "{c:#}");
    assert!(c.get("tumour_grade").is_none(), "{c:#}");
    assert_eq!(c["ki67_percent"], json!(60.0));
    warned(&m, &["grade g1 contradicts neuroendocrine carcinoma"]);
    // A well-differentiated NET recorded as G1 with Ki-67 40%: neither is guessed.
    let m = net("8240/3", 40.0, "G1");
    let c = case(&m);
    assert!(c.get("tumour_grade").is_none() && c.get("ki67_percent").is_none(), "{c:#}");
    warned(&m, &["disagree", "both left unknown"]);
    // The mapped Case passes the parser's contradiction checks.
    for m in [net("8246/3", 60.0, "G1"), net("8240/3", 40.0, "G1")] {
        let json = serde_json::to_vec(&m.case).unwrap();
        assert!(hepatica_engine::case_from_json(&json).is_ok(), "{}", String::from_utf8_lossy(&json));
    }
}

fn her2(loinc: &str, display: &str, value: Value, when: &str) -> Value {
    let mut o = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://loinc.org", "code": loinc, "display": display }] }, "effectiveDateTime": when });
    for (k, x) in value.as_object().unwrap() {
        o[k] = x.clone();
    }
    o
}

#[test]
fn her2_ihc_2_plus_needs_ish_and_sets_both_fields() {
    let ihc = her2("18474-7", "HER2 Ag [Presence] in Tissue by Immune stain", json!({ "valueString": "2+" }), "2026-09-01");
    let m = map(&bundle_with(icd10("C50.911"), vec![ihc.clone()]));
    assert!(case(&m).get("biomarkers").is_none(), "{:#}", case(&m));
    warned(&m, &["2+ is equivocal", "no ISH"]);
    let ish = her2(
        "85318-4",
        "ERBB2 gene duplication [Presence] in Breast cancer specimen by FISH",
        json!({ "valueCodeableConcept": { "coding": [{ "system": "http://loinc.org", "code": "LA6577-6" }] } }),
        "2026-09-05",
    );
    let c = case(&map(&bundle_with(icd10("C50.911"), vec![ihc.clone(), ish])));
    assert_eq!(c["biomarkers"], json!({ "HER2": "low", "HER2_IHC": "2+_ish_negative" }));
    let c = case(&map(&bundle_with(
        icd10("C50.911"),
        vec![her2("18474-7", "HER2 Ag by Immune stain", json!({ "valueString": "ultralow" }), "2026-09-01")],
    )));
    assert_eq!(c["biomarkers"], json!({ "HER2": "ultralow", "HER2_IHC": "ultralow" }));
    let c = case(&map(&bundle_with(
        icd10("C50.911"),
        vec![her2("18474-7", "HER2 Ag by Immune stain", json!({ "valueString": "0" }), "2026-09-01")],
    )));
    assert_eq!(c["biomarkers"], json!({ "HER2": "negative", "HER2_IHC": "0" }));
}

#[test]
fn pd_l1_scores_by_the_score_named() {
    let obs = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://loinc.org", "code": "85147-7" }], "text": "PD-L1 22C3" },
        "component": [
            { "code": { "text": "Combined positive score (CPS)" }, "valueQuantity": { "value": 12, "unit": "{score}", "code": "{score}" } },
            { "code": { "text": "Tumor proportion score (TPS)" }, "valueQuantity": { "value": 60, "unit": "%", "code": "%" } }
        ] });
    let c = case(&map(&bundle_with(icd10("C15.9"), vec![obs])));
    assert_eq!(c["biomarkers"]["PD_L1_CPS"], json!(12.0));
    assert_eq!(c["biomarkers"]["PD_L1_TPS"], json!(60.0));
}

#[test]
fn brca_origin_from_the_genomic_source_class_and_tmb() {
    let variant = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://loinc.org", "code": "69548-6" }] },
        "valueCodeableConcept": { "coding": [{ "system": "http://loinc.org", "code": "LA9633-4", "display": "Present" }] },
        "component": [
            { "code": { "coding": [{ "system": "http://loinc.org", "code": "48018-6" }] },
              "valueCodeableConcept": { "coding": [{ "system": "http://www.genenames.org/geneId", "code": "HGNC:1101", "display": "BRCA2" }] } },
            { "code": { "coding": [{ "system": "http://loinc.org", "code": "48002-0" }] },
              "valueCodeableConcept": { "coding": [{ "system": "http://loinc.org", "code": "LA6683-2", "display": "Germline" }] } }
        ] });
    let tmb = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://loinc.org", "code": "94076-7" }] },
        "valueQuantity": { "value": 12.5, "unit": "{mutations}/[Mb]" } });
    let m = map(&bundle_with(icd10("C25.9"), vec![variant, tmb]));
    let c = case(&m);
    assert_eq!(c["biomarkers"]["BRCA"], json!("present"));
    assert_eq!(c["biomarkers"]["BRCA_origin"], json!("germline"));
    assert_eq!(c["biomarkers"]["TMB_HIGH"], json!("present"));
    warned(&m, &["TMB 12.5", "high is 10 or more"]);
}

// ---- Patient ----

#[test]
fn age_is_counted_to_the_day_passed_in() {
    let b = bowel(vec![]);
    let on = |d: &str| map_bundle(&b, Knowledge::embedded(), &MapOptions::on(d)).expect("maps").case.age_years;
    assert_eq!(on("2026-06-14"), Some(65));
    assert_eq!(on("2026-06-15"), Some(66));
    let m = map_bundle(&b, Knowledge::embedded(), &MapOptions::default()).expect("maps");
    assert_eq!(m.case.age_years, None);
    warned(&m, &["no date for today was passed", "age_years left unknown"]);
}

#[test]
fn every_mapped_case_is_a_valid_contract_case() {
    // The richest bundle above must still parse as a contract Case (agreeing HER2 fields, BRCA origin with BRCA).
    let ihc = her2("18474-7", "HER2 Ag [Presence] in Tissue by Immune stain", json!({ "valueString": "3+" }), "2026-09-01");
    let interp = her2("48676-1", "HER2 [Interpretation] in Tissue", json!({ "valueString": "negative" }), "2026-09-02");
    let m = map(&bundle_with(icd10("C50.911"), vec![ihc, interp, lab("1975-2", 0.8, "mg/dL", "2026-10-01")]));
    let v = case(&m);
    assert_eq!(v["biomarkers"]["HER2"], json!("positive"));
    warned(&m, &["a HER2 result says negative", "used the scores"]);
    hepatica_engine::case_from_value(&v).unwrap_or_else(|e| panic!("not a valid Case: {e:?}\n{v:#}"));
}

// ---- EHR 1.1 outsider test (59 bundles): fixes ----

fn prostate(extra: Vec<Value>) -> Value {
    bundle_with(icd10("C61"), extra)
}

fn net(extra: Vec<Value>) -> Value {
    bundle_with(icd10("C7A.012"), extra)
}

#[test]
fn lutetium_oxodotreotide_is_prrt_only_and_never_lu_psma() {
    let atc =
        json!({ "coding": [{ "system": "http://www.whocc.no/atc", "code": "V10XX04", "display": "Lutetium (177Lu) oxodotreotide" }] });
    let text = json!({ "text": "Lutetium (177Lu) oxodotreotide 7.4 GBq (Lutathera)" });
    for cc in [atc, text] {
        let m = map(&net(vec![med("MedicationAdministration", cc.clone(), "completed", json!({ "effectiveDateTime": "2025-02-01" }))]));
        let prev = &case(&m)["treatment_history"]["previous"];
        assert_eq!(prev, &json!(["prrt"]), "{cc}: {prev}");
    }
    // Lu-PSMA only when PSMA (or its names) is named.
    let m = map(&prostate(vec![med(
        "MedicationAdministration",
        json!({ "text": "Lutetium-177 vipivotide tetraxetan (Pluvicto)" }),
        "completed",
        json!({ "effectiveDateTime": "2025-02-01" }),
    )]));
    assert_eq!(case(&m)["treatment_history"]["previous"], json!(["lutetium_psma"]));
    // A name both share, alone, names neither.
    let m = map(&prostate(vec![med(
        "MedicationAdministration",
        json!({ "text": "Lu-177" }),
        "completed",
        json!({ "effectiveDateTime": "2025-02-01" }),
    )]));
    assert!(case(&m)["treatment_history"].get("previous").is_none(), "{:#}", case(&m));
}

#[test]
fn bilirubin_results_at_the_same_time_that_disagree_leave_it_unknown() {
    let m =
        map(&bowel(vec![lab("14631-6", 12.0, "umol/L", "2026-10-01T09:00:00Z"), lab("1975-2", 60.0, "umol/L", "2026-10-01T09:00:00Z")]));
    assert!(case(&m).get("liver_function").and_then(|l| l.get("bilirubin_umol_l")).is_none(), "{:#}", case(&m));
    warned(&m, &["bilirubin_umol_l", "same time disagree", "12", "60", "left unknown"]);
    let m = map(&bowel(vec![lab("1751-7", 38.0, "g/L", "2026-10-01"), lab("2862-1", 30.0, "g/L", "2026-10-01")]));
    assert!(case(&m).get("liver_function").and_then(|l| l.get("albumin_g_l")).is_none(), "{:#}", case(&m));
    warned(&m, &["albumin_g_l", "38", "30", "left unknown"]);
}

#[test]
fn common_rxnorm_ingredient_codes_without_a_display_are_read() {
    let cases = [
        ("1601374", "cdk4_6_inhibitor"),
        ("253337", "anti_vegf"),
        ("72965", "endocrine"),
        ("282357", "endocrine"),
        ("72962", "taxane"),
        ("1721560", "egfr_tki"),
        ("1597582", "parp_inhibitor"),
        ("282388", "imatinib"),
        ("224905", "her2_targeted"),
    ];
    for (code, class) in cases {
        let coding = json!({ "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code }] });
        let m = map(&bowel(vec![med("MedicationStatement", coding, "completed", json!({ "effectiveDateTime": "2025-02-01" }))]));
        let prev = &case(&m)["treatment_history"]["previous"];
        assert!(prev.as_array().is_some_and(|a| a.contains(&json!(class))), "{code}: {prev}");
    }
    let rx = |code: &str| json!({ "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code }] });
    let m = map(&prostate(vec![
        med("MedicationStatement", rx("42375"), "completed", json!({ "effectiveDateTime": "2025-02-01" })),
        med("MedicationStatement", rx("1307298"), "completed", json!({ "effectiveDateTime": "2025-03-01" })),
    ]));
    let prev = case(&m)["treatment_history"]["previous"].clone();
    assert!(
        prev.as_array().is_some_and(|a| a.contains(&json!("androgen_deprivation")) && a.contains(&json!("androgen_receptor_inhibitor"))),
        "{prev}"
    );
    let m = map(&net(vec![med("MedicationStatement", rx("7617"), "completed", json!({ "effectiveDateTime": "2025-02-01" }))]));
    assert_eq!(case(&m)["treatment_history"]["previous"], json!(["somatostatin_analogue"]));
}

#[test]
fn an_invalid_snomed_identifier_is_reported_and_never_read_as_castration_resistance() {
    // 1197209002 (sent as "Castration resistant prostate cancer") fails the SNOMED CT check digit.
    let cond = json!({ "resourceType": "Condition", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "1197209002", "display": "Castration resistant prostate cancer" }] } });
    let m = map(&prostate(vec![cond]));
    assert!(case(&m)["treatment_history"].get("castration_resistant").is_none(), "{:#}", case(&m));
    warned(&m, &["1197209002 is not a valid SNOMED CT identifier", "the code is not used"]);
}

#[test]
fn ascites_condition_severity_gives_the_amount() {
    let cond = |sev: &str| {
        json!({ "resourceType": "Condition", "subject": { "reference": "Patient/p1" },
            "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "389026000" }] },
            "severity": { "coding": [{ "system": "http://snomed.info/sct", "code": sev }] } })
    };
    for (sev, want) in [("6736007", "moderate_severe"), ("24484000", "moderate_severe"), ("255604002", "mild")] {
        let m = map(&bowel(vec![cond(sev)]));
        assert_eq!(case(&m)["liver_function"]["ascites"], json!(want), "{sev}");
    }
    let m = map(&bowel(vec![cond("371923003")]));
    assert!(case(&m).get("liver_function").and_then(|l| l.get("ascites")).is_none());
    warned(&m, &["ascites severity", "left unknown"]);
}

#[test]
fn implausible_units_leave_the_lab_unknown_with_a_warning() {
    let mut obs = lab("14631-6", 1.5, "umol/L", "2026-10-01");
    obs["referenceRange"] = json!([{ "high": { "value": 1.2, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL" } }]);
    let m = map(&bowel(vec![obs]));
    assert!(case(&m).get("liver_function").and_then(|l| l.get("bilirubin_umol_l")).is_none(), "{:#}", case(&m));
    warned(&m, &["umol/L", "reference range in mg/dL", "left unknown"]);
    let m = map(&bowel(vec![lab("1751-7", 3.8, "g/L", "2026-10-01")]));
    assert!(case(&m).get("liver_function").and_then(|l| l.get("albumin_g_l")).is_none(), "{:#}", case(&m));
    warned(&m, &["3.8 g/L is implausible", "really g/dL", "not converted"]);
}

#[test]
fn nottingham_grade_and_snomed_lobular_morphology_are_read() {
    let grade = json!({ "resourceType": "Observation", "status": "final", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://loinc.org", "code": "44648-4" }] }, "effectiveDateTime": "2026-10-01",
        "valueCodeableConcept": { "coding": [{ "system": "http://loinc.org", "code": "LA27824-4", "display": "Nottingham grade 2" }] } });
    let mut primary = icd10("C50.9");
    primary["extension"] = json!([{ "url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior",
        "valueCodeableConcept": { "coding": [{ "system": "http://snomed.info/sct", "code": "89740008" }] } }]);
    let m = map(&bundle_with(primary, vec![grade]));
    let c = case(&m);
    assert_eq!(c["tumour_grade"], json!("G2"), "{c:#}");
    assert_eq!(c["histology"], json!("lobular"), "{c:#}");
}

#[test]
fn biliary_obstruction_condition_gets_an_honest_message() {
    let cond = json!({ "resourceType": "Condition", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "30144000", "display": "Biliary obstruction" }], "text": "Biliary obstruction" } });
    let m = map(&bowel(vec![cond]));
    warned(&m, &["biliary obstruction is not read from codes yet", "liver_function.biliary_obstruction"]);
    assert!(
        !m.warnings.iter().any(|w| w.detail.contains("Biliary obstruction") && w.detail.contains("not a cancer code")),
        "{:#?}",
        m.warnings
    );
}

#[test]
fn procedure_text_matches_whatever_the_word_order_and_lines_list_medicines_only() {
    let rfa = procedure(json!({ "text": "Radiofrequency ablation liver" }), "completed");
    let hep = procedure(json!({ "text": "Right hepatectomy" }), "completed");
    let m = map(&bowel(vec![
        rfa,
        hep,
        med("MedicationStatement", rx("32592", "Oxaliplatin"), "completed", json!({ "effectiveDateTime": "2025-02-01" })),
    ]));
    let prev = case(&m)["treatment_history"]["previous"].clone();
    assert!(prev.as_array().is_some_and(|a| a.contains(&json!("ablation"))), "{prev}");
    let w = m.warnings.iter().find(|w| w.detail.contains("lines_of_systemic_therapy could not be derived")).expect("lines warning");
    assert!(w.detail.contains("Oxaliplatin") && !w.detail.contains("hepatectomy"), "{}", w.detail);
}

#[test]
fn the_cds_card_separates_data_not_used_from_data_read_with_a_note() {
    use hepatica_fhir::cds::service::call;
    let searchset = |rs: Vec<Value>| json!({ "resourceType": "Bundle", "type": "searchset", "entry": rs.into_iter().map(|r| json!({ "resource": r })).collect::<Vec<_>>() });
    let liver = json!({ "resourceType": "Condition", "id": "liver", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "94381002" }] } });
    let prefetch = json!({
        "patient": { "resourceType": "Patient", "id": "p1", "birthDate": "1960-06-15" },
        "conditions": searchset(vec![icd10("C18.7"), liver]),
        // Converted (read with a note) and an unknown medicine (not used).
        "observations": searchset(vec![lab("1975-2", 1.2, "mg/dL", "2026-10-01")]),
        "medications": searchset(vec![med("MedicationAdministration", json!({ "text": "aspirin" }), "completed", json!({ "effectiveDateTime": "2025-02-01" }))]),
    });
    let req = json!({ "hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.example/fhir", "context": { "userId": "Practitioner/example", "patientId": "p1" }, "prefetch": prefetch });
    let resp = call(&req, Knowledge::embedded(), "https://hepatica.example").expect("cards");
    let detail = &resp.cards[0].detail;
    let section = |title: &str| -> Vec<String> {
        let Some(start) = detail.find(&format!("### {title} (")) else { return Vec::new() };
        detail[start..].lines().skip(1).skip_while(|l| l.is_empty()).take_while(|l| l.starts_with("- ")).map(str::to_string).collect()
    };
    let noted = section("Record data read with a note");
    let dropped = section("Record data not used");
    assert!(noted.iter().any(|l| l.contains("converted to 20.5")), "{detail}");
    assert!(noted.iter().all(|l| !l.contains("not used")), "{noted:#?}");
    assert!(dropped.iter().any(|l| l.contains("aspirin")), "{detail}");
}
