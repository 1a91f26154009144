//! Real-world records nobody on the project wrote (`shared/fixtures/fhir-real/`,
//! origin and licence of each in its `SOURCES.md`): CodeX mCODE test patients,
//! the mCODE IG's own examples, SMART Synthea patients, an Epic-style DSTU2
//! Condition and a genomics-only report.
//!
//! Each test states what the record's data says, written from reading the
//! record (not from the mapper's output): the Case it must map to, or the
//! refusal and what the refusal must explain. The folder lives beside the
//! checkout (`../shared`), or where `HEPATICA_SHARED` points; when it is absent
//! every test here says so on stderr and passes without checking anything.
//!
//! See: issue #15.

use std::io::Read;
use std::path::PathBuf;

use hepatica_fhir::{map_bundle, map_record};
use hepatica_knowledge::Knowledge;

/// The fixed day the records are mapped on (ages are counted to it).
static TODAY: std::sync::LazyLock<hepatica_fhir::MapOptions> = std::sync::LazyLock::new(|| hepatica_fhir::MapOptions::on("2026-12-01"));
use serde_json::{Value, json};

/// The fixture folder, if present.
fn dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("HEPATICA_SHARED").map(|s| PathBuf::from(s).join("fixtures/fhir-real")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/fhir-real")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_dir());
    if found.is_none() {
        eprintln!("skipped: shared/fixtures/fhir-real not present (set HEPATICA_SHARED to the shared folder)");
    }
    found
}

/// Reads a fixture, decompressing `.gz` in memory.
fn load(name: &str) -> Option<Value> {
    let path = dir()?.join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = if name.ends_with(".gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s).expect("gzip");
        s
    } else {
        String::from_utf8(bytes).expect("utf-8")
    };
    Some(serde_json::from_str(&text).expect("json"))
}

/// The record maps (through `map_bundle`, as the CLI and API do) to exactly `expected`.
#[track_caller]
fn check_case(name: &str, expected: Value) -> Option<hepatica_fhir::Mapped> {
    let bundle = load(name)?;
    let mapped = map_bundle(&bundle, Knowledge::embedded(), &TODAY).unwrap_or_else(|e| panic!("{name}: refused: {e:#?}"));
    let actual = serde_json::to_value(&mapped.case).expect("serialise");
    assert_eq!(actual, expected, "{name}: mapped case differs\nwarnings: {:#?}", mapped.warnings);
    hepatica_engine::case_from_value(&actual).unwrap_or_else(|e| panic!("{name}: not a valid Case: {e:?}"));
    Some(mapped)
}

/// Some warning at `pointer` (or anywhere, for `None`) contains every part of `parts`.
#[track_caller]
fn has_warning(m: &hepatica_fhir::Mapped, pointer: Option<&str>, parts: &[&str]) {
    let ok = m
        .warnings
        .iter()
        .any(|w| pointer.is_none_or(|p| w.pointer == p) && parts.iter().all(|x| w.detail.to_lowercase().contains(&x.to_lowercase())));
    assert!(ok, "no warning at {pointer:?} containing {parts:?}; warnings: {:#?}", m.warnings);
}

/// The record is refused by `map_bundle`; returns the errors as one lower-cased text.
#[track_caller]
fn refused(name: &str) -> Option<(Vec<hepatica_engine::FieldError>, String)> {
    let bundle = load(name)?;
    let errors = match map_bundle(&bundle, Knowledge::embedded(), &TODAY) {
        Ok(m) => panic!("{name}: expected a refusal, got {:#?}", m.case),
        Err(e) => e,
    };
    let text = errors.iter().map(|e| format!("{}: {}", e.pointer, e.detail)).collect::<Vec<_>>().join("\n").to_lowercase();
    Some((errors, text))
}

#[track_caller]
fn contains_all(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(&p.to_lowercase()), "expected {p:?} in:\n{text}");
    }
}

// ---- Records that are assessed ----

/// Breast primary (SNOMED 408643008, infiltrating duct carcinoma) with liver
/// (94381002), bone (94222008) and axillary node (94181007) secondaries linked
/// to it; ER 40556-3 and PR 40557-1 positive, HER2 18474-7 negative (SNOMED
/// answers), MSI 62862-8 positive, ESR1 and PIK3CA variants present, ECOG 1.
/// Its medicines are hormonal and CDK4/6 (no chemotherapy).
#[test]
fn ctm_patient01_breast_with_liver_metastases() {
    let Some(m) = check_case(
        "ctm-trialmatching-patient01.json",
        json!({
            "id": "mCODETrialMatchingPatientExample01",
            "primary_site": "breast",
            "biomarkers": { "ER": "positive", "PR": "positive", "HER2": "negative", "MSI": "high", "ESR1": "present", "PIK3CA": "present" },
            "liver": {},
            "spread_elsewhere": ["bone", "lymph_nodes"],
            "performance_status": 1,
            // Contract 8.1: birthDate 1959-01-01; abemaciclib and ribociclib (CDK4/6),
            // fulvestrant, and leuprolide (a GnRH agonist: ovarian suppression in breast cancer).
            "age_years": 67,
            "treatment_history": { "previous": ["cdk4_6_inhibitor", "endocrine"] }
        }),
    ) else {
        return;
    };
    // HER2 "negative" by IHC presence alone may still be HER2-low: said so.
    has_warning(&m, Some("/entry/8/resource"), &["her2-low"]);
    // No liver-secondary assumption warning: the record has one.
    assert!(!m.warnings.iter().any(|w| w.detail.contains("assumes the cancer has spread to the liver")), "{:#?}", m.warnings);
}

/// Breast 408643008 with bone-only spread; ER/PR positive, HER2 negative, MSI
/// positive, ECOG 1; capecitabine and gemcitabine given, but nothing says how
/// the cancer responded. CCND1, FGFR1, MDM2 amplifications have no Case key.
#[test]
fn ctm_patient02_breast_bone_only() {
    let Some(m) = check_case(
        "ctm-trialmatching-patient02.json",
        json!({
            "id": "mCODETrialMatchingPatientExample02",
            "primary_site": "breast",
            "biomarkers": { "ER": "positive", "PR": "positive", "HER2": "negative", "MSI": "high" },
            "liver": {},
            "spread_elsewhere": ["bone"],
            "performance_status": 1,
            // Contract 8.1: a lumpectomy (392021009) removed the breast primary; capecitabine,
            // gemcitabine, abemaciclib, alpelisib and four hormone medicines given.
            "age_years": 53,
            "primary_resected": true,
            "treatment_history": { "previous": ["fluoropyrimidine", "gemcitabine", "cdk4_6_inhibitor", "pi3k_akt_inhibitor", "endocrine"] }
        }),
    ) else {
        return;
    };
    has_warning(&m, Some("/entry"), &["no secondary liver cancer"]);
    has_warning(&m, None, &["capecitabine", "not how the cancer responded"]);
}

/// Synthea-derived breast 254837009; HER2 positive by IHC and by FISH; ER
/// positive; paclitaxel given; a secondary cancer (128462008) at a body site
/// Hepatica cannot place; ECOG, Karnofsky and a variant about ANOTHER patient.
#[test]
fn ctms_patient_data_breast_her2_positive() {
    let Some(m) = check_case(
        "ctms-patient-data.json",
        json!({
            "id": "1e208b6b-77f1-4808-a32b-9f9caf1ec334",
            "primary_site": "breast",
            // HER2 3+ by IHC (85319-2) with FISH amplified: HER2_IHC 3+.
            "biomarkers": { "ER": "positive", "HER2": "positive", "HER2_IHC": "3+" },
            "liver": {},
            "age_years": 60,
            "treatment_history": { "previous": ["taxane"] }
        }),
    ) else {
        return;
    };
    has_warning(&m, Some("/entry/24/resource"), &["patient/mcodemassivebiopatientexample1004", "not used"]);
    has_warning(&m, Some("/entry/19/resource"), &["secondary cancer", "body site"]);
}

/// Breast 372137005 with a lung secondary 94391008; ER positive in 2018 but
/// negative in 2022 (the latest is used, and the disagreement reported); PR and
/// HER2 negative; ECOG 3; cN3 (node positive). Disease improved, but the only
/// medicines are CDK4/6 and PI3K inhibitors, so no chemotherapy history.
#[test]
fn ctms_eom_patient1_breast_lung_spread() {
    let Some(m) = check_case(
        "ctms-eom-patient-1.json",
        json!({
            "id": "Ancora-13",
            "primary_site": "breast",
            "biomarkers": { "ER": "negative", "PR": "negative", "HER2": "negative" },
            "liver": {},
            "spread_elsewhere": ["lung"],
            "performance_status": 3,
            "primary_node_positive": true,
            "age_years": 39,
            "treatment_history": { "previous": ["cdk4_6_inhibitor", "pi3k_akt_inhibitor"] }
        }),
    ) else {
        return;
    };
    has_warning(&m, None, &["biomarkers/ER", "disagree"]);
}

/// The mCODE IG's breast example (353431000119107, left breast): ECOG 0,
/// ER+/PR-/HER2- (LOINC LA answers), AC-T given (MedicationAdministration
/// completed 2018-04-22), disease improved afterwards (2018-11-01), cN0 and pN0.
/// The tumour size is of a removed specimen, so not a liver tumour size.
#[test]
fn mcode_jenny_m_breast() {
    let Some(m) = check_case(
        "mcode-stu4-jenny-m-bundle.json",
        json!({
            "id": "cancer-patient-jenny-m",
            "primary_site": "breast",
            "biomarkers": { "ER": "positive", "PR": "negative", "HER2": "negative" },
            "liver": {},
            "performance_status": 0,
            "chemotherapy_history": "responding",
            "primary_node_positive": false,
            // Contract 8.1: infiltrating duct carcinoma (histology extension); partial mastectomy
            // (64368001); AC-T (doxorubicin, cyclophosphamide, paclitaxel) and anastrozole.
            "age_years": 61,
            "histology": "ductal",
            "primary_resected": true,
            "treatment_history": { "previous": ["taxane", "anthracycline", "endocrine"] }
        }),
    ) else {
        return;
    };
    has_warning(&m, None, &["removed specimen"]);
}

/// The mCODE IG's NSCLC example (254637007) with a brain secondary linked by
/// `condition-related`; ECOG 0 (Karnofsky 90 not needed); cisplatin given then
/// stopped as "Treatment not tolerated"; gefitinib; cN3. EGFR by IHC
/// (39004-7) is a protein stain, not an EGFR mutation, so EGFR stays unknown.
#[test]
fn mcode_john_anyperson_lung() {
    let Some(m) = check_case(
        "mcode-stu4-john-anyperson-bundle.json",
        json!({
            "id": "cancer-patient-john-anyperson",
            "primary_site": "lung",
            "liver": {},
            "spread_elsewhere": ["brain"],
            "performance_status": 0,
            "chemotherapy_history": "intolerant",
            "primary_node_positive": true,
            // Contract 8.1: partial lobectomy (359615001) removed the primary; cisplatin and gefitinib.
            "age_years": 75,
            "primary_resected": true,
            "treatment_history": { "previous": ["platinum", "egfr_tki"] }
        }),
    ) else {
        return;
    };
    has_warning(&m, None, &["39004-7"]);
}

// ---- Records that are refused, with the reason ----

/// Synthea colon cancer (93761005): the patient died in 2001. The record maps
/// (bowel primary) but is not assessed.
#[test]
fn synthea_florentino_colon_deceased() {
    let Some((errors, text)) = refused("synthea-r4-florentino-mertz-colon.json.gz") else { return };
    contains_all(&text, &["died", "2001-05-14", "not assessed"]);
    assert!(errors[0].pointer.ends_with("/deceasedDateTime"), "{errors:?}");
    let bundle = load("synthea-r4-florentino-mertz-colon.json.gz").expect("present");
    let m = map_record(&bundle, Knowledge::embedded(), &TODAY).expect("maps");
    assert_eq!(m.case.primary_site.as_str(), "bowel");
    assert_eq!(m.deceased.as_deref(), Some("2001-05-14T02:39:21+00:00"));
}

/// Synthea stage IV colorectal cancer coded only as 94260004 "Secondary
/// malignant neoplasm of colon": no primary. The refusal lists the Conditions
/// seen and why each was not used; leucovorin is not chemotherapy on its own.
#[test]
fn synthea_micah_secondary_only() {
    let Some((_, text)) = refused("synthea-r4-micah-schinner-colon-stage4.json.gz") else { return };
    contains_all(&text, &["died"]);
    let bundle = load("synthea-r4-micah-schinner-colon-stage4.json.gz").expect("present");
    let errors = map_record(&bundle, Knowledge::embedded(), &TODAY).expect_err("no primary");
    let text = errors.iter().map(|e| e.detail.clone()).collect::<Vec<_>>().join("\n").to_lowercase();
    contains_all(&text, &["94260004", "secondary", "anemia", "not a cancer code", "no usable primary"]);
}

/// Synthea NSCLC (254637007 and stage code 424132000; "suspected lung cancer"
/// is not a diagnosis): lung, but the patient died in 1989.
#[test]
fn synthea_austin_lung_deceased() {
    let Some((_, text)) = refused("synthea-r4-austin-franecki-lung.json.gz") else { return };
    contains_all(&text, &["died", "1989"]);
    let bundle = load("synthea-r4-austin-franecki-lung.json.gz").expect("present");
    let m = map_record(&bundle, Knowledge::embedded(), &TODAY).expect("maps");
    assert_eq!(m.case.primary_site.as_str(), "lung");
    // cisplatin and paclitaxel were given; no response recorded.
    assert_eq!(m.case.chemotherapy_history, None);
    // Contract 8.1: the 48 cisplatin and 48 paclitaxel requests give two classes; no line is counted from them.
    let v = serde_json::to_value(&m.case).expect("serialise");
    assert_eq!(v["treatment_history"], json!({ "previous": ["platinum", "taxane"] }));
    assert!(m.warnings.iter().any(|w| w.detail.contains("lines_of_systemic_therapy could not be derived")), "{:#?}", m.warnings);
}

/// The same Synthea stage IV colorectal record with the primary it lacks added
/// (C18.9, for its patient): its six real bilirubin (mg/dL) and albumin (g/dL)
/// results map to the most recent of each, converted (2018-05-31: 1.1228 mg/dL
/// is 19.2 µmol/L; 4.771 g/dL is 47.7 g/L), older ones reported; the
/// oxaliplatin request counts, leucovorin alone does not; the patient died on
/// 2020-11-24 (so `map_record`, which reports rather than refuses that), aged
/// 60 then (birthDate 1959-12-07).
#[test]
fn synthea_micah_labs_and_medicines_with_a_primary_added() {
    let Some(mut bundle) = load("synthea-r4-micah-schinner-colon-stage4.json.gz") else { return };
    let patient = bundle["entry"][0]["fullUrl"].as_str().expect("fullUrl").to_string();
    bundle["entry"].as_array_mut().expect("entries").push(json!({ "resource": {
        "resourceType": "Condition", "subject": { "reference": patient },
        "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C18.9" }] } } }));
    let m = map_record(&bundle, Knowledge::embedded(), &TODAY).unwrap_or_else(|e| panic!("refused: {e:#?}"));
    assert!(m.deceased.is_some());
    let v = serde_json::to_value(&m.case).expect("serialise");
    assert_eq!(v["liver_function"], json!({ "bilirubin_umol_l": 19.2, "albumin_g_l": 47.7 }));
    assert_eq!(v["treatment_history"], json!({ "previous": ["oxaliplatin"] }));
    assert_eq!(v["age_years"], json!(60));
    for field in ["bilirubin_umol_l", "albumin_g_l"] {
        assert!(
            m.warnings.iter().any(|w| w.detail.contains(field) && w.detail.contains("5 older result(s) not used")),
            "{field}: {:#?}",
            m.warnings
        );
    }
    assert!(m.warnings.iter().any(|w| w.detail.contains("Leucovorin") && w.detail.contains("supportive")), "{:#?}", m.warnings);
}

/// STU3 Synthea record: named as STU3 and refused.
#[test]
fn synthea_stu3_is_named() {
    let Some((_, text)) = refused("synthea-stu3-adams-nancee-lung.json") else { return };
    contains_all(&text, &["stu3", "r4"]);
}

/// Epic/Argonaut DSTU2 Condition (`patient`, string `verificationStatus`): named as DSTU2 and refused.
#[test]
fn epic_dstu2_is_named() {
    let Some((errors, text)) = refused("mef-dstu2-epic-breast-condition-searchset.json") else { return };
    contains_all(&text, &["dstu2", "r4"]);
    assert!(errors.iter().any(|e| e.pointer.starts_with("/entry/0/resource")), "{errors:?}");
}

/// A genomics-only report: no Condition at all.
#[test]
fn genomics_report_without_condition() {
    let Some((_, text)) = refused("gr-oncology-report-example.json") else { return };
    contains_all(&text, &["no condition", "primary cancer"]);
}

/// Every record in the folder is covered by a test here.
#[test]
fn every_record_has_a_test() {
    let Some(d) = dir() else { return };
    let known = [
        "ctm-trialmatching-patient01.json",
        "ctm-trialmatching-patient02.json",
        "ctms-patient-data.json",
        "ctms-eom-patient-1.json",
        "mcode-stu4-jenny-m-bundle.json",
        "mcode-stu4-john-anyperson-bundle.json",
        "synthea-r4-florentino-mertz-colon.json.gz",
        "synthea-r4-micah-schinner-colon-stage4.json.gz",
        "synthea-r4-austin-franecki-lung.json.gz",
        "synthea-stu3-adams-nancee-lung.json",
        "mef-dstu2-epic-breast-condition-searchset.json",
        "gr-oncology-report-example.json",
        // Not FHIR: used by the CDS Hooks tests.
        "cds-hooks-2.0.1-spec-examples.json",
    ];
    for e in std::fs::read_dir(d).expect("dir") {
        let name = e.expect("entry").file_name().to_string_lossy().to_string();
        if name.ends_with(".md") {
            continue;
        }
        assert!(known.contains(&name.as_str()), "{name} has no test in crates/fhir/tests/real.rs");
    }
}
