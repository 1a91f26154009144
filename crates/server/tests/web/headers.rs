//! Security headers, request ids and compression on every response.

use super::*;

#[tokio::test]
async fn security_headers_on_every_kind_of_response() {
    let css = hepatica_server::assets::css_url();
    for (method, path) in
        [("GET", "/"), ("GET", "/nope"), ("GET", css.as_str()), ("GET", "/healthz"), ("POST", "/api/v1/assess"), ("GET", "/cds-services")]
    {
        let res = send(app(), Request::builder().method(method).uri(path).body(Body::empty()).unwrap()).await;
        let h = res.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert!(h.contains_key("permissions-policy"), "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
}

#[tokio::test]
async fn request_id_is_echoed() {
    let res = send(app(), Request::get("/").header("x-request-id", "abc-123").body(Body::empty()).unwrap()).await;
    assert_eq!(res.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn pages_are_compressed() {
    for enc in ["gzip", "br"] {
        let res = send(app(), Request::get("/about").header(header::ACCEPT_ENCODING, enc).body(Body::empty()).unwrap()).await;
        assert_eq!(res.headers()[header::CONTENT_ENCODING], enc);
    }
}
