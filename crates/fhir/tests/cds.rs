//! The CDS Hooks service logic: discovery, cards from prefetch, 412 and 422.

use hepatica_fhir::cds::service::{CdsError, MAX_SUMMARY_CHARS, call, card_uuid, discovery};
use hepatica_fhir::cds::types::Indicator;
use hepatica_knowledge::Knowledge;
use serde_json::{Value, json};

const BASE: &str = "https://hepatica.example";

/// The bowel KRAS G12C fixture, split into prefetch keys as an EHR would send it.
fn prefetch_from_fixture() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bowel-kras-g12c.json")).expect("fixture");
    let bundle: Value = serde_json::from_str(&text).expect("json");
    let mut by_type: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    let mut patient = Value::Null;
    for e in bundle["entry"].as_array().expect("entries") {
        let rt = e["resource"]["resourceType"].as_str().expect("rt").to_string();
        if rt == "Patient" {
            patient = e["resource"].clone();
        } else {
            by_type.entry(rt).or_default().push(json!({ "fullUrl": e["fullUrl"], "resource": e["resource"] }));
        }
    }
    let searchset =
        |t: &str| json!({ "resourceType": "Bundle", "type": "searchset", "entry": by_type.get(t).cloned().unwrap_or_default() });
    json!({
        "patient": patient,
        "conditions": searchset("Condition"),
        "observations": searchset("Observation"),
        "medications": searchset("MedicationAdministration"),
        "bodystructures": searchset("BodyStructure"),
    })
}

fn request(prefetch: Value) -> Value {
    json!({
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.example/fhir",
        "context": { "userId": "Practitioner/example", "patientId": "p1" },
        "prefetch": prefetch
    })
}

#[test]
fn a_patient_with_liver_metastases_gets_one_sourced_card() {
    let kb = Knowledge::embedded();
    let resp = call(&request(prefetch_from_fixture()), kb, BASE).expect("cards");
    assert_eq!(resp.cards.len(), 1);
    let card = &resp.cards[0];
    assert!(card.summary.chars().count() <= MAX_SUMMARY_CHARS, "{}", card.summary);
    assert!(card.summary.contains("bowel"), "{}", card.summary);
    assert_eq!(card.uuid, card_uuid("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", 0));
    assert!(card.source.label.contains(&kb.meta.version));
    assert_eq!(card.source.url.as_deref(), Some("https://hepatica.example/about"));
    assert_eq!(card.source.topic.as_ref().map(|t| t.code.as_str()), Some("94381002"));
    let urls: Vec<&str> = card.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls, ["https://hepatica.example/check", "https://hepatica.example/clinician"]);
    assert!(card.links.iter().all(|l| l.kind == "absolute"));
    for t in hepatica_knowledge::TREATMENT_IDS {
        let title = kb.treatment(t).map(|x| x.title.clone()).unwrap_or_else(|| t.to_string());
        assert!(card.detail.contains(&title), "detail misses {title}");
    }
    assert!(card.detail.contains("not a recommendation"));
    let ext = &card.extension;
    assert_eq!(ext["org.hepatica.criteria"].as_array().map(Vec::len), Some(9));
    assert_eq!(ext["org.hepatica.case"]["biomarkers"]["KRAS"], "G12C");
    assert_eq!(ext["org.hepatica.case"]["spread_elsewhere"], json!(["lung"]));
    // The knowledge-base stamp (contract 8.2): version, date and content hash.
    assert_eq!(ext["org.hepatica.knowledge-base"]["version"], kb.meta.version.as_str());
    assert_eq!(ext["org.hepatica.knowledge-base"]["content_hash"], kb.content_hash());
    let old = Knowledge::release("2026.11.0").expect("first release");
    let pinned = call(&request(prefetch_from_fixture()), old, BASE).expect("cards");
    let stamp = &pinned.cards[0].extension["org.hepatica.knowledge-base"];
    assert_eq!(stamp["content_hash"], old.content_hash());
    assert_eq!(stamp["superseded_by"], Knowledge::latest_version());
    let indicator_ok = matches!(card.indicator, Indicator::Info | Indicator::Warning);
    assert!(indicator_ok);
    // the same request gives the same response, byte for byte
    let again = call(&request(prefetch_from_fixture()), kb, BASE).expect("cards");
    assert_eq!(serde_json::to_string(&again).expect("json"), serde_json::to_string(&resp).expect("json"));
}

#[test]
fn missing_required_prefetch_is_412_and_says_why_it_was_not_fetched() {
    let kb = Knowledge::embedded();
    let mut r = request(json!({ "observations": null }));
    let err = call(&r, kb, BASE).expect_err("412");
    assert_eq!(err.status(), 412);
    assert!(err.to_string().contains("patient (not sent)"), "{err}");
    assert!(err.to_string().contains("not fetched from the fhirServer"), "{err}");
    // What a server may fetch: every template key not sent (null means "no data"), required ones first.
    let req = hepatica_fhir::cds::service::validate(&r).expect("valid");
    let missing = hepatica_fhir::cds::service::missing_prefetch(&req, kb);
    assert_eq!(&missing[..2], ["patient", "conditions"]);
    assert!(!missing.iter().any(|k| k == "observations"), "{missing:?}");
    assert!(missing.iter().any(|k| k == "procedures"), "{missing:?}");
    r["fhirAuthorization"] =
        json!({ "access_token": "x", "token_type": "Bearer", "expires_in": 300, "scope": "patient/*.read", "subject": "hepatica" });
    let err = hepatica_fhir::cds::service::call_with_fetch_note(&r, kb, BASE, Some("the fhirServer is not allow-listed")).expect_err("412");
    assert!(err.to_string().contains("not fetched from a FHIR server: the fhirServer is not allow-listed"), "{err}");
    r.as_object_mut().expect("obj").remove("fhirServer");
    r.as_object_mut().expect("obj").remove("fhirAuthorization");
    let err = call(&r, kb, BASE).expect_err("412");
    assert!(err.to_string().contains("no fhirServer was given"), "{err}");
    r.as_object_mut().expect("obj").remove("prefetch");
    assert_eq!(call(&r, kb, BASE).expect_err("412").status(), 412);
    // an OperationOutcome in place of a required key counts as missing
    let oo = json!({ "resourceType": "OperationOutcome", "issue": [ { "severity": "error", "code": "forbidden" } ] });
    let err = call(&request(json!({ "patient": { "resourceType": "Patient", "id": "p1" }, "conditions": oo })), kb, BASE).expect_err("412");
    assert!(err.to_string().contains("OperationOutcome"), "{err}");
}

#[test]
fn a_malformed_request_is_422_with_pointers() {
    let kb = Knowledge::embedded();
    let err = call(&json!({ "hook": "order-sign", "context": {} }), kb, BASE).expect_err("422");
    assert_eq!(err.status(), 422);
    let CdsError::Invalid(errors) = err else { panic!("expected Invalid") };
    let ptrs: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(ptrs, ["/hook", "/hookInstance", "/context/patientId"]);
    let mut r = request(json!({}));
    r.as_object_mut().expect("obj").remove("fhirServer");
    r["fhirAuthorization"] = json!({ "access_token": "x" });
    let CdsError::Invalid(errors) = call(&r, kb, BASE).expect_err("422") else { panic!("expected Invalid") };
    assert_eq!(errors[0].pointer, "/fhirServer");
    assert!(call(&json!([1, 2]), kb, BASE).is_err());
}

#[test]
fn no_card_without_cancer_in_the_liver() {
    let kb = Knowledge::embedded();
    let patient = json!({ "resourceType": "Patient", "id": "p1" });
    // no conditions at all
    let r = call(&request(json!({ "patient": patient, "conditions": null })), kb, BASE).expect("ok");
    assert!(r.cards.is_empty());
    // a primary cancer but no liver secondary
    let conditions = json!({ "resourceType": "Bundle", "type": "searchset", "entry": [ { "resource": {
        "resourceType": "Condition", "id": "c", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [ { "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C18.7" } ] } } } ] });
    let r = call(&request(json!({ "patient": patient, "conditions": conditions })), kb, BASE).expect("ok");
    assert!(r.cards.is_empty());
    // primary liver cancer
    let hcc = json!({ "resourceType": "Bundle", "type": "searchset", "entry": [ { "resource": {
        "resourceType": "Condition", "id": "c", "subject": { "reference": "Patient/p1" },
        "code": { "coding": [ { "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C22.0" } ] } } } ] });
    let r = call(&request(json!({ "patient": patient, "conditions": hcc })), kb, BASE).expect("ok");
    assert!(r.cards.is_empty());
}

#[test]
fn discovery_has_the_prefetch_templates() {
    let d = serde_json::to_value(discovery(Knowledge::embedded())).expect("json");
    let s = &d["services"][0];
    assert_eq!(s["id"], "liver-metastases-options");
    assert_eq!(s["hook"], "patient-view");
    assert!(s["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(s["description"].as_str().is_some_and(|t| !t.is_empty()));
    for k in
        ["patient", "conditions", "observations", "medicationStatements", "medicationAdministrations", "medicationRequests", "procedures"]
    {
        assert!(s["prefetch"][k].as_str().is_some_and(|t| t.contains("{{context.patientId}}")), "{k}");
    }
    // The Observation template asks for the codes the mapper reads (issue #15: ER 40556-3, HER2 18474-7, ECOG).
    let obs = s["prefetch"]["observations"].as_str().expect("observations");
    for code in ["http://loinc.org|40556-3", "http://loinc.org|18474-7", "http://loinc.org|89247-1", "http://loinc.org|69548-6"] {
        assert!(obs.contains(code), "{code} missing from {obs}");
    }
    assert!(!obs.contains("category=laboratory"), "ECOG is a survey, not a laboratory result");
    assert!(s["prefetch"]["medicationStatements"].as_str().is_some_and(|t| t.starts_with("MedicationStatement?")));
}

/// The discovery's Observation prefetch asks for the contract 8.1 codes the mapper reads (built from the code table).
#[test]
fn prefetch_asks_for_the_liver_function_and_pathology_codes() {
    let d = discovery(hepatica_knowledge::Knowledge::embedded());
    let obs = d.services[0].prefetch["observations"].as_str().expect("template").to_string();
    for code in [
        "http://loinc.org|1975-2",
        "http://loinc.org|1751-7",
        "http://loinc.org|29593-1",
        "http://loinc.org|31205-8",
        "http://snomed.info/sct|389026000",
    ] {
        assert!(obs.contains(code), "{code} not in {obs}");
    }
    for key in ["medicationStatements", "medicationAdministrations", "medicationRequests", "procedures"] {
        assert!(d.services[0].prefetch.contains_key(key), "{key}");
    }
}
