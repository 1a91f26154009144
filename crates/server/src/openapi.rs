//! The OpenAPI 3.1 description served at `/api/openapi.json`.
//!
//! Operations come from the `#[utoipa::path]` attributes in [`crate::api`].
//! Component schemas are written here as JSON Schema and generated from the
//! engine's own value lists (`PrimarySite::ALL`, `Biomarker::values`, ...), so
//! the document cannot drift from what the parser accepts.

use hepatica_engine::{
    Ascites, Biomarker, BowelSide, BrcaOrigin, ChemoHistory, ChildPugh, Her2Ihc, Histology, LiverCondition, NetOrigin, PreviousTreatment,
    PrimarySite, Spread, TumourGrade,
};
use serde_json::{Value, json};
use utoipa::OpenApi;

/// The utoipa document (operations only).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hepatica API",
        description = "Explains treatment options for secondary cancer in the liver. Contract: hepatica.assessment/1. Information to discuss with a care team, not medical advice.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        crate::api::healthz,
        crate::api::readyz,
        crate::api::assess,
        crate::api::assess_fhir,
        crate::api::drugs,
        crate::api::ask,
        crate::api::kb_versions,
        crate::api::openapi_json,
    ),
    tags(
        (name = "assess", description = "Assess a case"),
        (name = "search", description = "Drug look-up and content search"),
        (name = "service", description = "Health and description"),
    )
)]
pub struct ApiDoc;

/// The full document: utoipa's operations plus the component schemas.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    if let Value::Object(root) = &mut doc {
        let components = root.entry("components").or_insert_with(|| json!({}));
        if let Value::Object(c) = components {
            c.insert("schemas".into(), schemas());
        }
    }
    doc
}

fn names<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|x| f(*x)).collect()
}

fn str_list() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

/// Every component schema.
pub fn schemas() -> Value {
    let mut biomarkers = serde_json::Map::new();
    for b in Biomarker::ALL {
        let mut values: Vec<&str> = b.values().iter().map(|v| v.as_str()).collect();
        values.push("unknown");
        biomarkers.insert(b.as_str().into(), json!({ "type": "string", "enum": values }));
    }
    // Contract 8.1: the detail of some results (scores 0-100, the HER2 IHC score, where a BRCA change came from).
    for (key, what) in [
        ("PD_L1_CPS", "PD-L1 combined positive score"),
        ("PD_L1_TPS", "PD-L1 tumour proportion score (%)"),
        ("PD_L1_IC", "PD-L1 immune-cell score (%)"),
    ] {
        biomarkers.insert(key.into(), json!({ "type": "number", "minimum": 0, "maximum": 100, "description": what }));
    }
    let with_unknown = |mut v: Vec<&'static str>| {
        v.push("unknown");
        v
    };
    biomarkers.insert(
        "HER2_IHC".into(),
        json!({ "type": "string", "enum": with_unknown(names(Her2Ihc::ALL, Her2Ihc::as_str)),
            "description": "When given with HER2 the two must agree: 3+ or 2+ ISH positive is positive; 1+ or 2+ ISH negative is low; ultralow; 0 is negative" }),
    );
    biomarkers.insert(
        "BRCA_origin".into(),
        json!({ "type": "string", "enum": with_unknown(names(BrcaOrigin::ALL, BrcaOrigin::as_str)), "description": "Only with BRCA: present" }),
    );
    let treatments = hepatica_knowledge::TREATMENT_IDS;
    let suitability = json!({ "type": "string", "enum": ["usual", "possible", "depends", "unlikely"] });
    // The remnant thresholds are knowledge-base values (`flr.*`), read, not repeated.
    let kb = hepatica_knowledge::Knowledge::embedded();
    let remnant_thresholds: Vec<u64> = [LiverCondition::Normal, LiverCondition::ChemotherapyInjured, LiverCondition::Cirrhosis]
        .into_iter()
        .map(|c| hepatica_engine::scores::remnant_threshold(kb, c).round() as u64)
        .collect();
    let grouped = |max: Value| json!({ "type": "object", "required": ["value", "group"], "properties": { "value": max, "group": { "type": "string" } } });
    json!({
        "Case": {
            "type": "object",
            "description": "One person's situation (contract section 2). Every field but primary_site is optional; leaving a field out means not known.",
            "required": ["primary_site"],
            "additionalProperties": false,
            "properties": {
                "id": { "type": "string", "maxLength": 256, "description": "Echoed as case_id" },
                "primary_site": { "type": "string", "enum": names(PrimarySite::ALL, PrimarySite::as_str) },
                "bowel_side": { "type": "string", "enum": names(BowelSide::ALL, BowelSide::as_str) },
                "biomarkers": { "type": "object", "additionalProperties": false, "properties": biomarkers },
                "liver": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "tumour_count": { "type": "integer", "minimum": 1, "maximum": 100 },
                        "largest_tumour_cm": { "type": "number", "exclusiveMinimum": 0, "maximum": 30 },
                        "both_lobes": { "type": "boolean" },
                        "near_major_vessels": { "type": "boolean" },
                        "all_removable": { "type": "boolean" },
                        "future_liver_remnant_percent": { "type": "number", "minimum": 0, "maximum": 100 },
                        "liver_condition": { "type": "string", "enum": names(LiverCondition::ALL, LiverCondition::as_str) },
                        "percent_liver_replaced": { "type": "number", "minimum": 0, "maximum": 100, "description": "Share of the liver taken up by tumour" }
                    }
                },
                "treatment_history": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "lines_of_systemic_therapy": { "type": "integer", "minimum": 0, "maximum": 10,
                            "description": "Lines of drug treatment for metastatic disease that were given and have ended; the current line and adjuvant or perioperative treatment are not counted" },
                        "previous": { "type": "array", "uniqueItems": true, "items": { "type": "string", "enum": names(PreviousTreatment::ALL, PreviousTreatment::as_str) },
                            "description": "What has been given at any time, adjuvant included" },
                        "platinum_sensitive": { "type": "boolean", "description": "The cancer came back or grew 6 months or more after the last platinum" },
                        "castration_resistant": { "type": "boolean", "description": "Prostate" },
                        "endocrine_resistant": { "type": "boolean", "description": "Breast, womb" }
                    }
                },
                "liver_function": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "bilirubin_umol_l": { "type": "number", "minimum": 0, "maximum": 1000 },
                        "bilirubin_uln_umol_l": { "type": "number", "minimum": 1, "maximum": 100, "description": "The lab's upper limit of normal; 21 is assumed when left out" },
                        "albumin_g_l": { "type": "number", "minimum": 0, "maximum": 80 },
                        "ascites": { "type": "string", "enum": names(Ascites::ALL, Ascites::as_str) },
                        "jaundice": { "type": "boolean" },
                        "biliary_obstruction": { "type": "boolean" },
                        "child_pugh": { "type": "string", "enum": names(ChildPugh::ALL, ChildPugh::as_str), "description": "Used as given; not cross-checked against the other fields" }
                    }
                },
                "histology": { "type": "string", "enum": names(Histology::ALL, Histology::as_str) },
                "net_origin": { "type": "string", "enum": names(NetOrigin::ALL, NetOrigin::as_str), "description": "Neuroendocrine" },
                "tumour_grade": { "type": "string", "enum": names(TumourGrade::ALL, TumourGrade::as_str) },
                "ki67_percent": { "type": "number", "minimum": 0, "maximum": 100 },
                "primary_resected": { "type": "boolean", "description": "The primary tumour has been removed" },
                "carcinoid_syndrome": { "type": "boolean", "description": "Neuroendocrine" },
                "age_years": { "type": "integer", "minimum": 18, "maximum": 120 },
                "months_disease_controlled": { "type": "number", "minimum": 0, "maximum": 600,
                    "description": "How long the cancer has been stable or shrinking on current treatment" },
                "spread_elsewhere": { "type": "array", "items": { "type": "string", "enum": names(Spread::ALL, Spread::as_str) }, "description": "[] means the liver is the only place; leaving it out means not known" },
                "performance_status": { "type": "integer", "minimum": 0, "maximum": 4 },
                "fit_for_major_surgery": { "type": "boolean" },
                "chemotherapy_history": { "type": "string", "enum": names(ChemoHistory::ALL, ChemoHistory::as_str) },
                "primary_node_positive": { "type": "boolean" },
                "disease_free_interval_months": { "type": "number", "minimum": 0 },
                "cea_ng_ml": { "type": "number", "minimum": 0 }
            }
        },
        "Assessment": {
            "type": "object",
            "description": "The explained assessment (contract section 3).",
            "required": ["contract", "knowledge_base", "options", "scores", "missing_information", "sources", "support", "disclaimer"],
            "properties": {
                "contract": { "const": "hepatica.assessment/1" },
                "case_id": { "type": "string" },
                "knowledge_base": { "$ref": "#/components/schemas/KbStamp" },
                "audience": { "type": "string", "enum": ["patient", "clinician"] },
                "options": {
                    "type": "array", "minItems": 9, "maxItems": 9,
                    "items": {
                        "type": "object",
                        "required": ["treatment", "title", "suitability", "summary", "reasons", "depends_on", "questions_to_ask", "kinds"],
                        "properties": {
                            "treatment": { "type": "string", "enum": treatments },
                            "title": { "type": "string" },
                            "suitability": suitability,
                            "summary": { "type": "string" },
                            "reasons": { "type": "array", "items": { "type": "object", "properties": { "text": { "type": "string" }, "sources": str_list(), "statement": { "type": "string" } } } },
                            "depends_on": str_list(),
                            "questions_to_ask": str_list(),
                            "kinds": { "type": "array", "items": { "type": "object", "properties": { "id": { "type": "string" }, "title": { "type": "string" }, "suitability": suitability } } },
                            "criteria": { "type": "array", "items": { "type": "object", "properties": {
                                "id": { "type": "string" }, "label": { "type": "string" },
                                "status": { "type": "string", "enum": ["met", "not_met", "unknown"] }, "inputs": str_list() } } }
                        }
                    }
                },
                "scores": {
                    "type": "object",
                    "properties": {
                        "fong_clinical_risk_score": grouped(json!({ "type": "integer", "minimum": 0, "maximum": 5 })),
                        "tumour_burden_score": grouped(json!({ "type": "number" })),
                        "game_score": grouped(json!({ "type": "integer", "minimum": 0, "maximum": 7 })),
                        "future_liver_remnant": { "type": "object", "properties": { "value": { "type": "number" }, "threshold": { "type": "integer", "enum": remnant_thresholds }, "adequate": { "type": "boolean" } } }
                    }
                },
                "missing_information": { "type": "array", "items": { "type": "object", "properties": { "pointer": { "type": "string" }, "why": { "type": "string" } } } },
                "sources": { "type": "array", "items": { "type": "object", "properties": {
                    "id": { "type": "string" }, "title": { "type": "string" }, "publisher": { "type": "string" }, "year": { "type": "integer" }, "url": { "type": "string" } } } },
                "support": { "type": "array", "items": { "type": "object", "properties": { "name": { "type": "string" }, "how": { "type": "string" }, "url": { "type": "string" } } } },
                "disclaimer": { "type": "string" },
                "input_warnings": { "type": "array", "items": { "type": "object", "properties": { "pointer": { "type": "string" }, "detail": { "type": "string" } } } }
            }
        },
        "KbStamp": {
            "type": "object",
            "description": "The knowledge-base release that produced an output (contract 8.2).",
            "required": ["version", "published", "content_hash"],
            "properties": {
                "version": { "type": "string", "examples": ["2026.11.0"] },
                "published": { "type": "string", "format": "date" },
                "content_hash": { "type": "string", "pattern": "^[0-9a-f]{64}$", "description": "Hex SHA-256 of the release's content files (ARCHITECTURE.md, \"Release store\")." },
                "superseded_by": { "type": "string", "description": "The newest release, present only when this one is older." },
                "draft": { "type": "boolean", "description": "Present (true) only when the knowledge base has the version of a release this program embeds but other content (a changed folder or bundle)." }
            }
        },
        "KbReleases": {
            "type": "array",
            "description": "The releases this server can answer with, oldest first (as hepatica kb versions --format json).",
            "items": {
                "type": "object",
                "required": ["version", "published", "content_hash", "engine_logic", "latest", "default", "frozen"],
                "properties": {
                    "version": { "type": "string" },
                    "published": { "type": "string", "format": "date" },
                    "content_hash": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                    "engine_logic": { "type": "integer", "minimum": 1, "description": "Revision of the decision logic still in Rust that the release runs with." },
                    "latest": { "type": "boolean", "description": "The newest release compiled in (?kb=latest)." },
                    "default": { "type": "boolean", "description": "Served when no ?kb= is given." },
                    "frozen": { "type": "boolean", "description": "Frozen under releases/: never changed again." },
                    "superseded_by": { "type": "string" }
                }
            }
        },
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details; errors lists every invalid field of a case (422).",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": { "type": "string" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
                "errors": { "type": "array", "items": { "type": "object", "required": ["pointer", "detail"], "properties": { "pointer": { "type": "string" }, "detail": { "type": "string" } } } }
            }
        },
        "DrugLookup": {
            "type": "object",
            "description": "Contract section 4.",
            "required": ["query", "matches"],
            "properties": {
                "query": { "type": "string" },
                "knowledge_base": { "$ref": "#/components/schemas/KbStamp" },
                "did_you_mean": { "type": "string" },
                "matches": { "type": "array", "items": { "type": "object", "required": ["id", "name", "kind", "brand_names", "class", "given_as", "used_for", "components", "sources"], "properties": {
                    "id": { "type": "string" }, "name": { "type": "string" }, "kind": { "type": "string", "enum": ["drug", "regimen"] },
                    "brand_names": str_list(),
                    "class": { "type": "string", "enum": ["chemotherapy", "targeted_therapy", "hormonal_therapy", "immunotherapy", "radionuclide", "supportive"] },
                    "given_as": str_list(), "used_for": str_list(), "components": str_list(), "sources": str_list(), "description": { "type": "string" } } } }
            }
        },
        "AskResponse": {
            "type": "object",
            "description": "Contract sections 5 and 8.3.",
            "required": ["query", "results"],
            "properties": {
                "query": { "type": "string" },
                "knowledge_base": { "$ref": "#/components/schemas/KbStamp" },
                "note": { "type": "string" },
                "urgent": { "type": "object", "description": "Contract 8.3: present only when the question describes symptoms that need help the same day.",
                    "required": ["title", "text", "url"], "properties": {
                    "title": { "type": "string" }, "text": { "type": "string" }, "url": { "type": "string" } } },
                "results": { "type": "array", "items": { "type": "object", "required": ["title", "topic", "snippet", "url"], "properties": {
                    "title": { "type": "string" }, "topic": { "type": "string" }, "snippet": { "type": "string" }, "url": { "type": "string" }, "score": { "type": "number" } } } }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hepatica_engine::case_from_value;

    fn case_schema() -> Value {
        schemas()["Case"].clone()
    }

    /// Every `(pointer, schema)` of a leaf property in the Case schema.
    fn leaves(schema: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
        for (k, v) in schema["properties"].as_object().into_iter().flatten() {
            let p = format!("{prefix}/{k}");
            if v["type"] == "object" {
                leaves(v, &p, out);
            } else {
                out.push((p, v.clone()));
            }
        }
    }

    /// A Case with `value` at `pointer` (and BRCA present where its origin is given).
    fn with(pointer: &str, value: Value) -> Value {
        let site = if pointer == "/primary_site" { value.clone() } else { json!("breast") };
        let mut case = json!({ "primary_site": site });
        if pointer == "/biomarkers/BRCA_origin" {
            case["biomarkers"] = json!({ "BRCA": "present" });
        }
        let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
        let mut slot = &mut case;
        for (i, part) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                slot[*part] = value.clone();
            } else {
                if slot.get(*part).is_none() {
                    slot[*part] = json!({});
                }
                slot = &mut slot[*part];
            }
        }
        case
    }

    #[test]
    fn the_case_schema_enums_are_the_engines_lists() {
        let s = case_schema();
        let e = |v: &Value| v["enum"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect::<Vec<_>>();
        let all = |v: Vec<&str>| v.into_iter().map(String::from).collect::<Vec<_>>();
        let p = &s["properties"];
        assert_eq!(
            e(&p["treatment_history"]["properties"]["previous"]["items"]),
            all(names(PreviousTreatment::ALL, PreviousTreatment::as_str))
        );
        assert_eq!(e(&p["liver_function"]["properties"]["ascites"]), all(names(Ascites::ALL, Ascites::as_str)));
        assert_eq!(e(&p["liver_function"]["properties"]["child_pugh"]), all(names(ChildPugh::ALL, ChildPugh::as_str)));
        assert_eq!(e(&p["histology"]), all(names(Histology::ALL, Histology::as_str)));
        assert_eq!(e(&p["net_origin"]), all(names(NetOrigin::ALL, NetOrigin::as_str)));
        assert_eq!(e(&p["tumour_grade"]), all(names(TumourGrade::ALL, TumourGrade::as_str)));
        let mut her2 = all(names(Her2Ihc::ALL, Her2Ihc::as_str));
        her2.push("unknown".into());
        assert_eq!(e(&p["biomarkers"]["properties"]["HER2_IHC"]), her2);
        // The contract's own lists, word for word (section 8.1), so neither side can drift.
        assert_eq!(e(&p["histology"]).len(), 21);
        assert_eq!(e(&p["treatment_history"]["properties"]["previous"]["items"]).len(), 39);
        assert_eq!(her2[..6], ["0", "ultralow", "1+", "2+_ish_negative", "2+_ish_positive", "3+"]);
        assert_eq!(e(&p["biomarkers"]["properties"]["BRCA_origin"])[..2], ["germline", "somatic"]);
        assert!(e(&p["biomarkers"]["properties"]["HER2"]).contains(&"ultralow".to_string()));
    }

    #[test]
    fn every_schema_value_and_bound_is_what_the_parser_accepts() {
        let mut fields = Vec::new();
        leaves(&case_schema(), "", &mut fields);
        assert!(fields.len() > 45, "{}", fields.len());
        for (pointer, schema) in &fields {
            let item = if schema["type"] == "array" { &schema["items"] } else { schema };
            let wrap = |v: Value| if schema["type"] == "array" { json!([v]) } else { v };
            if let Some(values) = item["enum"].as_array() {
                for v in values {
                    let case = with(pointer, wrap(v.clone()));
                    assert!(case_from_value(&case).is_ok(), "{pointer} = {v}: {:?}", case_from_value(&case).err());
                }
                if pointer != "/primary_site" {
                    let bad = case_from_value(&with(pointer, wrap(json!("not-a-value")))).unwrap_err();
                    assert!(bad.iter().any(|e| e.pointer.starts_with(pointer.as_str())), "{pointer}: {bad:?}");
                }
            }
            for (bound, outside) in [("minimum", -1.0), ("maximum", 1.0)] {
                if let Some(b) = item[bound].as_f64() {
                    assert!(case_from_value(&with(pointer, wrap(json!(b)))).is_ok(), "{pointer} {bound} {b} accepted");
                    let over = case_from_value(&with(pointer, wrap(json!(b + outside)))).unwrap_err();
                    assert!(over.iter().any(|e| e.pointer.starts_with(pointer.as_str())), "{pointer} {bound}: {over:?}");
                }
            }
            if item["type"] == "boolean" {
                assert!(case_from_value(&with(pointer, json!(true))).is_ok(), "{pointer}");
            }
        }
        // And the other way: a field the parser knows is in the schema (the contract 8.1 example).
        let example = json!({
            "primary_site": "breast",
            "treatment_history": { "lines_of_systemic_therapy": 1, "previous": ["oxaliplatin"], "platinum_sensitive": true, "castration_resistant": false, "endocrine_resistant": false },
            "liver_function": { "bilirubin_umol_l": 14, "albumin_g_l": 38, "ascites": "none", "jaundice": false, "biliary_obstruction": false, "child_pugh": "A", "bilirubin_uln_umol_l": 21 },
            "liver": { "percent_liver_replaced": 20 }, "histology": "adenocarcinoma", "tumour_grade": "G2", "ki67_percent": 8, "net_origin": "pancreas",
            "biomarkers": { "PD_L1_CPS": 12, "PD_L1_TPS": 60, "PD_L1_IC": 5, "HER2": "ultralow", "HER2_IHC": "ultralow", "BRCA": "present", "BRCA_origin": "germline" },
            "primary_resected": true, "carcinoid_syndrome": false, "age_years": 61, "months_disease_controlled": 7
        });
        assert!(case_from_value(&example).is_ok());
        let mut given = Vec::new();
        leaves(
            &json!({ "properties": example.as_object().unwrap().iter().map(|(k, v)| (k.clone(), if v.is_object() { json!({ "type": "object", "properties": v }) } else { json!({}) })).collect::<serde_json::Map<_, _>>() }),
            "",
            &mut given,
        );
        for (pointer, _) in given {
            assert!(fields.iter().any(|(p, _)| *p == pointer), "{pointer} is parsed but not in the OpenAPI Case schema");
        }
    }
}
