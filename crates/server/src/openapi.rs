//! The OpenAPI 3.1 description served at `/api/openapi.json`.
//!
//! Operations come from the `#[utoipa::path]` attributes in [`crate::api`].
//! Component schemas are written here as JSON Schema and generated from the
//! engine's own value lists (`PrimarySite::ALL`, `Biomarker::values`, ...), so
//! the document cannot drift from what the parser accepts.

use hepatica_engine::{Biomarker, BowelSide, ChemoHistory, LiverCondition, PrimarySite, Spread};
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
                        "liver_condition": { "type": "string", "enum": names(LiverCondition::ALL, LiverCondition::as_str) }
                    }
                },
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
