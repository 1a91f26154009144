//! The JSON API: assess, problem details, limits, search, health.

use super::*;
use serde_json::Value;

async fn json(res: Response<Body>) -> Value {
    serde_json::from_str(&text(res).await).unwrap()
}

#[tokio::test]
async fn assess_returns_nine_options() {
    let res = post_json("/api/v1/assess", r#"{"id":"x1","primary_site":"bowel","liver":{"tumour_count":2}}"#).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let v = json(res).await;
    assert_eq!(v["contract"], "hepatica.assessment/1");
    assert_eq!(v["case_id"], "x1");
    assert_eq!(v["options"].as_array().unwrap().len(), 9);
    assert_eq!(v["audience"], "patient");
    let res = post_json("/api/v1/assess?audience=clinician", r#"{"primary_site":"bowel"}"#).await;
    assert_eq!(json(res).await["audience"], "clinician");
}

#[tokio::test]
async fn contract_examples_assess() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/contract/examples");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.ends_with(".json") {
            continue;
        }
        let body = std::fs::read(e.path()).unwrap();
        let res = post_json("/api/v1/assess", body).await;
        let want = if name.starts_with("invalid") { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
        assert_eq!(res.status(), want, "{name}");
    }
}

#[tokio::test]
async fn invalid_case_is_422_problem_json_with_every_error() {
    let res = post_json(
        "/api/v1/assess",
        r#"{ "primary_site": "bowl", "liver": { "tumor_count": 3, "largest_tumour_cm": -2 }, "performance_status": 7 }"#,
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
    let v = json(res).await;
    assert_eq!(v["status"], 422);
    assert!(v["type"].is_string() && v["title"].is_string() && v["detail"].is_string());
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 4);
    let pointers: Vec<&str> = errors.iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert!(pointers.contains(&"/liver/tumor_count"));
    assert!(pointers.contains(&"/primary_site"));
    assert!(errors.iter().all(|e| e["detail"].is_string()));
}

#[tokio::test]
async fn malformed_json_and_wrong_type_are_400() {
    let res = post_json("/api/v1/assess", "{not json").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(json(res).await["status"], 400);
    let res = send(app(), Request::post("/api/v1/assess").header(header::CONTENT_TYPE, "text/plain").body(Body::from("{}")).unwrap()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
    let res = post_json("/api/v1/assess?audience=robot", r#"{"primary_site":"bowel"}"#).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bodies_over_one_mib_are_413() {
    let big = format!("{{\"primary_site\":\"bowel\",\"id\":\"{}\"}}", "x".repeat(1 << 20));
    let res = post_json("/api/v1/assess", big).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(json(res).await["status"], 413);
    let (status, _, _) = post_form(app(), "/results", &format!("primary_site=bowel&id={}", "x".repeat(1 << 20))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn fhir_bundle_is_assessed() {
    let bundle = r#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Condition",
        "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"C18.7"}]}}}]}"#;
    let res = send(
        app(),
        Request::post("/api/v1/assess/fhir").header(header::CONTENT_TYPE, "application/fhir+json").body(Body::from(bundle)).unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = json(res).await;
    assert_eq!(v["options"].as_array().unwrap().len(), 9);
    let res = send(
        app(),
        Request::post("/api/v1/assess/fhir")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"resourceType":"Patient"}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(json(res).await["errors"][0]["pointer"], "/resourceType");
}

#[tokio::test]
async fn drugs_and_ask_follow_the_contract() {
    let res = send(app(), Request::get("/api/v1/drugs?q=keytruda").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = json(res).await;
    assert_eq!(v["query"], "keytruda");
    assert!(v["matches"].is_array());
    for m in v["matches"].as_array().unwrap() {
        for k in ["id", "name", "kind", "brand_names", "class", "given_as", "used_for", "components", "sources"] {
            assert!(m.get(k).is_some(), "{k}");
        }
    }
    let res = send(app(), Request::get("/api/v1/ask?q=what%20is%20ablation").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = json(res).await;
    assert!(v["results"].is_array());
    for r in v["results"].as_array().unwrap() {
        for k in ["title", "topic", "snippet", "url"] {
            assert!(r.get(k).is_some(), "{k}");
        }
    }
    let res = send(app(), Request::get("/api/v1/ask").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn health_and_readiness() {
    let res = send(app(), Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = send(app(), Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn cds_without_trust_is_401_problem() {
    for (method, path) in [
        ("GET", "/cds-services"),
        ("POST", "/cds-services/liver-metastases-options"),
        ("POST", "/cds-services/liver-metastases-options/feedback"),
    ] {
        let req =
            Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap();
        let res = send(app(), req).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
    }
}

#[tokio::test]
async fn duplicate_keys_bom_charset_and_error_caps() {
    // A repeated key is ambiguous: 422 naming the pointer, never "last wins".
    let res = post_json("/api/v1/assess", r#"{"primary_site":"bowel","biomarkers":{"KRAS":"mutant","KRAS":"wild_type"}}"#).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v = json(res).await;
    assert_eq!(v["errors"][0]["pointer"], "/biomarkers/KRAS", "{v}");
    // The FHIR route too.
    let res = send(
        app(),
        Request::post("/api/v1/assess/fhir")
            .header(header::CONTENT_TYPE, "application/fhir+json")
            .body(Body::from(r#"{"resourceType":"Bundle","resourceType":"Patient"}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(res).await["errors"][0]["pointer"], "/resourceType");
    // A number too large to read is a problem of its field, not a 400 without one (outsider red team).
    let res = post_json("/api/v1/assess", r#"{"primary_site":"bowel","cea_ng_ml":1e400}"#).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v = json(res).await;
    assert_eq!(v["errors"][0]["pointer"], "/cea_ng_ml", "{v}");
    assert!(v["errors"][0]["detail"].as_str().unwrap().contains("too large"), "{v}");
    // A UTF-8 BOM is accepted, as on the CLI and in batch.
    let res = post_json("/api/v1/assess", b"\xEF\xBB\xBF{\"primary_site\":\"lung\"}".to_vec()).await;
    assert_eq!(res.status(), StatusCode::OK);
    // A charset other than UTF-8 is refused rather than misread.
    let res = send(
        app(),
        Request::post("/api/v1/assess")
            .header(header::CONTENT_TYPE, "application/json; charset=iso-8859-1")
            .body(Body::from(r#"{"primary_site":"lung"}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(json(res).await["detail"].as_str().unwrap().contains("UTF-8"));
    let res = send(
        app(),
        Request::post("/api/v1/assess")
            .header(header::CONTENT_TYPE, "application/json; charset=UTF-8")
            .body(Body::from(r#"{"primary_site":"lung"}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // 1,000 long unknown keys: at most 100 problems plus "and N more", each short.
    let mut body = String::from(r#"{"primary_site":"bowel""#);
    for i in 0..1000 {
        body.push_str(&format!(r#","{}{i}":1"#, "k".repeat(900)));
    }
    body.push('}');
    let res = post_json("/api/v1/assess", body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = text(res).await;
    assert!(text.len() < 64 * 1024, "answer of {} bytes", text.len());
    let v: Value = serde_json::from_str(&text).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 101);
    assert_eq!(errors[100]["detail"], "and 900 more problems not listed");
    // An enum value of 100,000 characters is not echoed back whole.
    let res = post_json("/api/v1/assess", format!(r#"{{"primary_site":"bowel","bowel_side":"{}"}}"#, "x".repeat(100_000))).await;
    assert!(text_len(res).await < 2_000);
}

async fn text_len(res: Response<Body>) -> usize {
    text(res).await.len()
}

#[tokio::test]
async fn wrong_method_names_the_allowed_methods() {
    let res = send(app(), Request::put("/api/v1/assess").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = res.headers().get(header::ALLOW).map(|v| v.to_str().unwrap().to_string());
    let v = json(res).await;
    let detail = v["detail"].as_str().unwrap();
    assert!(detail.contains("POST"), "{detail:?} (Allow: {allow:?})");
}
