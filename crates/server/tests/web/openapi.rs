//! The OpenAPI document matches the routes, both ways.

use std::collections::BTreeSet;

use super::*;

#[tokio::test]
async fn openapi_is_3_1_and_matches_the_routes() {
    let res = send(app(), Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&text(res).await).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routed: BTreeSet<String> = hepatica_server::api::api_routes().into_iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(documented, routed, "documented paths and API routes differ");
    // Every documented operation is a real route: not 404, not 405.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let req = Request::builder().method(method.to_uppercase().as_str()).uri(path.as_str()).body(Body::empty()).unwrap();
            let status = send(app(), req).await.status();
            assert!(status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED, "{method} {path}: {status}");
        }
    }
    // Every $ref resolves.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &r[..r.find('"').unwrap()];
        assert!(doc["components"]["schemas"].get(name).is_some(), "dangling $ref {name}");
    }
}

#[test]
fn case_schema_lists_every_primary_site_and_biomarker() {
    let s = hepatica_server::openapi::schemas();
    assert_eq!(s["Case"]["properties"]["primary_site"]["enum"].as_array().unwrap().len(), hepatica_engine::PrimarySite::ALL.len());
    // Every biomarker, plus the contract 8.1 detail: PD-L1 CPS/TPS/IC, HER2 IHC and BRCA origin.
    assert_eq!(s["Case"]["properties"]["biomarkers"]["properties"].as_object().unwrap().len(), hepatica_engine::Biomarker::ALL.len() + 5);
}
