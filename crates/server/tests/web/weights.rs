//! Every page, CSS included, is under 50 KiB transferred (gzip).

use super::*;

pub const LIMIT: usize = 50 * 1024;

async fn gzipped(app: Router, req: Request<Body>) -> usize {
    let res = send(app, req).await;
    assert_eq!(res.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"));
    to_bytes(res.into_body(), 10 << 20).await.unwrap().len()
}

#[tokio::test]
async fn pages_weigh_under_50_kib_with_css() {
    let css = gzipped(
        app(),
        Request::get(hepatica_server::assets::css_url()).header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap(),
    )
    .await;
    let js = gzipped(
        app(),
        Request::get(hepatica_server::assets::js_url()).header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap(),
    )
    .await;
    let mut report = vec![format!("{:<40} {:>7}", "css", css), format!("{:<40} {:>7}", "js", js)];
    for path in page_paths() {
        let n = gzipped(app(), Request::get(&path).header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap()).await;
        report.push(format!("{path:<40} {n:>7} (+css+js {})", n + css + js));
        assert!(n + css + js < LIMIT, "{path}: {} bytes", n + css + js);
    }
    for (path, form) in [("/results", BOWEL_FORM.to_string()), ("/clinician", format!("id=x&{BOWEL_FORM}"))] {
        let (to, _, _) = post_follow(app(), path, &form).await;
        let n = gzipped(app(), Request::get(&to).header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap()).await;
        report.push(format!("{path} (sealed) {n:>7} (+css+js {})", n + css + js));
        assert!(n + css + js < LIMIT, "{path}: {} bytes", n + css + js);
    }
    let (results, _, _) = post_follow(app(), "/results", BOWEL_FORM).await;
    let token = results.trim_start_matches("/results?a=");
    let (sheet, _, _) = post_follow(app(), "/sheet", &format!("a={token}&_v=longer&_q=What+is+the+aim%3F&_own=Mine")).await;
    let n = gzipped(app(), Request::get(&sheet).header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap()).await;
    report.push(format!("/sheet (sealed) {n:>7} (+css+js {})", n + css + js));
    assert!(n + css + js < LIMIT, "/sheet: {} bytes", n + css + js);
    eprintln!("page weights, gzip bytes:\n{}", report.join("\n"));
}
