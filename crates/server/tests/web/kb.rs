//! Knowledge-base releases on the API and pages (contract 8.2): `?kb=`,
//! `GET /api/v1/kb`, the footer's content hash, `/about/changes`, and the
//! release each treatment page last changed in.

use super::*;
use hepatica_knowledge::Knowledge;
use serde_json::Value;

async fn json(res: Response<Body>) -> Value {
    serde_json::from_str(&text(res).await).unwrap()
}

#[tokio::test]
async fn kb_lists_every_release_with_its_hash_and_the_default() {
    let (status, body) = get("/api/v1/kb").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    let list = v.as_array().expect("an array");
    let versions: Vec<&str> = list.iter().map(|r| r["version"].as_str().unwrap()).collect();
    assert_eq!(versions, Knowledge::versions(), "every release, oldest first");
    for r in list {
        let kb = Knowledge::by_version(r["version"].as_str().unwrap()).unwrap();
        assert_eq!(r["content_hash"], kb.content_hash());
        assert_eq!(r["published"], kb.meta.published.to_string());
        assert_eq!(r["default"], r["latest"], "the test server serves the latest");
    }
    assert_eq!(list.iter().filter(|r| r["default"] == true).count(), 1);
    assert_eq!(list[0]["version"], "2026.11.0");
    assert_eq!(list[0]["superseded_by"], Knowledge::latest_version());
}

#[tokio::test]
async fn assess_takes_kb_and_stamps_hash_and_superseded_by() {
    let case = r#"{"primary_site":"bowel","liver":{"tumour_count":2}}"#;
    let latest = json(post_json("/api/v1/assess", case).await).await;
    let kb = Knowledge::embedded();
    assert_eq!(latest["knowledge_base"]["version"], kb.meta.version.as_str());
    assert_eq!(latest["knowledge_base"]["content_hash"], kb.content_hash());
    assert!(latest["knowledge_base"].get("superseded_by").is_none());
    let res = post_json("/api/v1/assess?kb=2026.11.0&audience=clinician", case).await;
    assert_eq!(res.status(), StatusCode::OK);
    let old = json(res).await;
    let frozen = Knowledge::release("2026.11.0").unwrap();
    assert_eq!(old["knowledge_base"]["version"], "2026.11.0");
    assert_eq!(old["knowledge_base"]["content_hash"], frozen.content_hash());
    assert_eq!(old["knowledge_base"]["superseded_by"], Knowledge::latest_version());
    assert_eq!(old["audience"], "clinician");
    let same = json(post_json("/api/v1/assess?kb=latest", case).await).await;
    assert_eq!(same["knowledge_base"], latest["knowledge_base"]);
}

#[tokio::test]
async fn an_unknown_kb_is_422_naming_the_versions_on_every_route() {
    for (method, path) in [
        ("POST", "/api/v1/assess?kb=1999.1.0"),
        ("POST", "/api/v1/assess/fhir?kb=1999.1.0"),
        ("GET", "/api/v1/drugs?q=folfox&kb=1999.1.0"),
        ("GET", "/api/v1/ask?q=surgery&kb=1999.1.0"),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"primary_site":"bowel"}"#))
            .unwrap();
        let res = send(app(), req).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json", "{path}");
        let p = json(res).await;
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("\"1999.1.0\"") && detail.contains("2026.11.0") && detail.contains(Knowledge::latest_version()),
            "{path}: {detail}"
        );
        assert_eq!(p["errors"][0]["pointer"], "?kb", "{path}: {p}");
        assert_eq!(p["errors"][0]["detail"], detail, "{path}");
    }
}

#[tokio::test]
async fn kb_twice_or_empty_is_422_problem_details() {
    for (method, path, want) in [
        ("GET", "/api/v1/drugs?q=folfox&kb=2026.11.0&kb=2026.12.0", "more than once"),
        ("GET", "/api/v1/ask?q=surgery&kb=latest&%6Bb=latest", "more than once"),
        ("POST", "/api/v1/assess?kb=2026.11.0&kb=2026.11.0", "more than once"),
        ("POST", "/api/v1/assess?kb=", "empty"),
        ("GET", "/api/v1/drugs?q=folfox&kb=", "empty"),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"primary_site":"bowel"}"#))
            .unwrap();
        let res = send(app(), req).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json", "{path}");
        let p = json(res).await;
        assert!(p["detail"].as_str().unwrap().contains(want), "{path}: {p}");
        assert!(!p["detail"].as_str().unwrap().contains("duplicate field"), "{path}: {p}");
        assert_eq!(p["errors"][0]["pointer"], "?kb", "{path}: {p}");
    }
}

#[tokio::test]
async fn knowledge_routes_name_the_release_that_answered() {
    let frozen = Knowledge::release("2026.11.0").unwrap();
    let latest = Knowledge::embedded();
    for (method, path, kb) in [
        ("POST", "/api/v1/assess", latest),
        ("POST", "/api/v1/assess?kb=2026.11.0", frozen),
        ("GET", "/api/v1/drugs?q=folfox", latest),
        ("GET", "/api/v1/drugs?q=folfox&kb=2026.11.0", frozen),
        ("GET", "/api/v1/ask?q=surgery&kb=2026.11.0", frozen),
        ("GET", "/api/v1/ask?q=surgery", latest),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"primary_site":"bowel"}"#))
            .unwrap();
        let res = send(app(), req).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["hepatica-kb"].to_str().unwrap(), format!("{}; sha256={}", kb.meta.version, kb.content_hash()), "{path}");
        let v = json(res).await;
        assert_eq!(v["knowledge_base"]["version"], kb.meta.version.as_str(), "{path}");
        assert_eq!(v["knowledge_base"]["content_hash"], kb.content_hash(), "{path}");
    }
}

#[tokio::test]
async fn search_routes_answer_from_the_release_asked_for() {
    let state = AppState::for_tests();
    let app = router(state.clone());
    for path in ["/api/v1/drugs?q=folfox&kb=2026.11.0", "/api/v1/ask?q=liver%20surgery&kb=2026.11.0"] {
        let res = send(app.clone(), Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let v = json(res).await;
        assert!(v.get("results").or(v.get("matches")).is_some(), "{path}: {v}");
    }
    assert_eq!(state.cached_release_searches(), 1, "one other release's indexes, built once and reused");
    let (status, _) = get("/api/v1/drugs?q=folfox&kb=latest").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn pages_show_the_hash_changes_and_the_release_a_treatment_last_changed_in() {
    let kb = Knowledge::embedded();
    let (status, home) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(kb.content_hash()), "the footer shows the content hash");
    let (status, changes) = get("/about/changes").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h1(&changes), "What changed in each release");
    for v in Knowledge::versions() {
        assert!(changes.contains(&format!("id=\"release-{v}\"")), "{v} has a section");
        assert!(changes.contains(Knowledge::by_version(v).unwrap().content_hash()));
    }
    assert!(changes.contains("The first published release."));
    assert!(changes.contains("How the program applies the rules changed: revision 1 \u{2192} 2."), "the engine logic change is named");
    assert!(changes.contains("A new threshold: "), "thresholds in words");
    let (status, surgery) = get("/treatments/surgery").await;
    assert_eq!(status, StatusCode::OK);
    let at = surgery.find("This page last changed in knowledge-base release ").expect("release note");
    let version = &surgery[at + "This page last changed in knowledge-base release ".len()..];
    assert!(Knowledge::versions().iter().any(|v| version.starts_with(v)), "{}", &version[..20]);
    // No reviewer is listed in content/, so no page claims a sign-off.
    assert!(surgery.contains("Clinical sign-off pending."));
    assert!(!surgery.contains("Reviewed by "));
    let (_, about) = get("/about").await;
    assert!(about.contains("Clinical sign-off pending"));
}

/// A temporary copy of `content/` with one fixture reviewer who signed the
/// surgery page off (tests only: content/ lists no one).
fn signed_off_fixture() -> &'static Knowledge {
    let dir = std::env::temp_dir().join(format!("hepatica-signoff-web-{}", std::process::id()));
    copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content"), &dir);
    std::fs::write(
        dir.join("reviewers.toml"),
        "[[reviewer]]\nid = \"fixture\"\nname = \"Test Reviewer (fixture)\"\nrole = \"Test role\"\norganisation = \"Test organisation\"\n",
    )
    .unwrap();
    let page = dir.join("treatments/surgery.toml");
    let text = std::fs::read_to_string(&page).unwrap();
    let line = text.lines().find(|l| l.starts_with("reviewers = ")).expect("the page's reviewers line").to_string();
    let signed =
        text.replacen(&line, &format!("{line}\nsignoff = [{{ reviewer = \"fixture\", on = 2026-11-30, release = \"2026.12.0\" }}]"), 1);
    std::fs::write(&page, signed).unwrap();
    // A free-text name (kb check refuses it; the pages must not show it either).
    let chemo = dir.join("treatments/chemotherapy.toml");
    let text = std::fs::read_to_string(&chemo).unwrap();
    let line = text.lines().find(|l| l.starts_with("reviewers = ")).expect("the page's reviewers line").to_string();
    std::fs::write(&chemo, text.replacen(&line, "reviewers = [\"Dr Invented Person\"]", 1)).unwrap();
    let kb = Knowledge::load_dir(&dir).unwrap_or_else(|e| panic!("{:?}", e.0));
    let _ = std::fs::remove_dir_all(&dir);
    Box::leak(Box::new(kb))
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() { copy_dir(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}

#[tokio::test]
async fn a_real_sign_off_record_is_shown_and_only_there() {
    let kb = signed_off_fixture();
    let db = hepatica_server::Db::open_in_memory().unwrap();
    let app = router(AppState::new(kb, db, hepatica_server::support::built_in(kb), None));
    let page = |path: &'static str| {
        let app = app.clone();
        async move { text(send(app, Request::get(path).body(Body::empty()).unwrap()).await).await }
    };
    let surgery = page("/treatments/surgery").await;
    assert!(surgery.contains("Reviewed by Test Reviewer (fixture), Test role on 2026-11-30 (release 2026.12.0)."), "sign-off shown");
    // With a sign-off record the page does not also say it is pending.
    assert!(!surgery.contains("sign-off pending"), "no contradiction");
    assert!(surgery.contains(" by Hepatica content team. Next review due"), "the team, without \"pending\"");
    let ablation = page("/treatments/ablation").await;
    assert!(ablation.contains("Clinical sign-off pending.") && !ablation.contains("Reviewed by "));
    // A free-text name in a record's review is never shown as a reviewer.
    assert!(!page("/treatments/chemotherapy").await.contains("Dr Invented Person"));
    assert!(!page("/about").await.contains("Dr Invented Person"));
    let about = page("/about").await;
    assert!(about.contains("1 of ") && about.contains("Test Reviewer (fixture), Test role, Test organisation"), "about lists the reviewer");
    // The served folder's hash is the folder's, not the embedded one's.
    assert!(surgery.contains(kb.content_hash()) && kb.content_hash() != Knowledge::embedded().content_hash());
}

/// `serve --kb 2026.11.0`: the pinned release is the default everywhere.
#[tokio::test]
async fn a_pinned_deployment_serves_its_release_by_default() {
    let kb = Knowledge::release("2026.11.0").unwrap();
    let db = hepatica_server::Db::open_in_memory().unwrap();
    let app = router(AppState::new(kb, db, hepatica_server::support::built_in(kb), None));
    let req = Request::post("/api/v1/assess")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"primary_site":"bowel"}"#))
        .unwrap();
    let a = json(send(app.clone(), req).await).await;
    assert_eq!(a["knowledge_base"]["version"], "2026.11.0");
    assert_eq!(a["knowledge_base"]["content_hash"], kb.content_hash());
    let list = json(send(app.clone(), Request::get("/api/v1/kb").body(Body::empty()).unwrap()).await).await;
    let default: Vec<&str> =
        list.as_array().unwrap().iter().filter(|r| r["default"] == true).map(|r| r["version"].as_str().unwrap()).collect();
    assert_eq!(default, ["2026.11.0"]);
    let req = Request::post("/api/v1/assess?kb=latest")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"primary_site":"bowel"}"#))
        .unwrap();
    let latest = json(send(app.clone(), req).await).await;
    assert_eq!(latest["knowledge_base"]["version"], Knowledge::latest_version(), "?kb= still reaches other releases");
    let page = text(send(app.clone(), Request::get("/treatments/surgery").body(Body::empty()).unwrap()).await).await;
    assert!(page.contains(kb.content_hash()));
    assert!(page.contains("This page last changed in knowledge-base release 2026.11.0."), "no later release counts for a pinned one");
    assert!(page.contains(&format!("A newer release, {}, exists.", Knowledge::latest_version())));
    let changes = text(send(app, Request::get("/about/changes").body(Body::empty()).unwrap()).await).await;
    let uses = changes.find("This is the release this site uses.").expect("the served release is named");
    let section = changes[..uses].rfind("id=\"release-").expect("inside a release section");
    assert!(changes[section..uses].starts_with("id=\"release-2026.11.0\""), "{}", &changes[section..uses]);
}

/// The cache of other releases' search indexes stays bounded.
#[tokio::test]
async fn the_release_search_cache_is_bounded() {
    let state = AppState::for_tests();
    for _ in 0..hepatica_server::RELEASE_SEARCH_CACHE + 1 {
        let other: &'static Knowledge = Box::leak(Box::new(Knowledge::embedded().clone()));
        let s = state.search_for(other);
        assert!(std::ptr::eq(s.kb(), other));
    }
    assert_eq!(state.cached_release_searches(), hepatica_server::RELEASE_SEARCH_CACHE);
    assert!(std::ptr::eq(state.search_for(Knowledge::embedded()).kb(), Knowledge::embedded()), "the served one is never cached twice");
    assert_eq!(state.cached_release_searches(), hepatica_server::RELEASE_SEARCH_CACHE);
}
