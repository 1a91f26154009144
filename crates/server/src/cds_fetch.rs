//! Fetching missing CDS Hooks prefetch from the EHR's `fhirServer` (issue #15).
//!
//! Only when the `--cds-trust` file allows it: `fhir_servers` lists base URLs
//! (exact prefix match, scheme included, on a path boundary), and a server that
//! resolves to a private, loopback, link-local or unspecified address is refused
//! unless `allow_private_fhir_servers` is `true` (no SSRF). Every address the
//! host resolves to is checked, and the connection is pinned to those addresses
//! (no second DNS lookup). The queries are the discovery prefetch templates,
//! with `fhirAuthorization.access_token` as the bearer token; no redirects, no
//! proxy, [`FETCH_TIMEOUT`] in total, at most [`MAX_REQUESTS`] requests
//! (searchset `next` links followed only within that budget and only under the
//! same base URL) and at most the FHIR body limit in bytes altogether.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hepatica_fhir::cds::types::Request;
use reqwest::Url;
use serde_json::{Map, Value};

/// The whole fetch (DNS, connections, every request and body) ends within this.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Connecting to the FHIR server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// At most this many HTTP requests per CDS call.
pub const MAX_REQUESTS: usize = 8;

/// What the trust file allows: `fhir_servers` and `allow_private_fhir_servers`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FetchPolicy {
    /// Allowed base URLs, without a trailing `/`.
    pub servers: Vec<String>,
    /// Whether private, loopback and link-local addresses are allowed.
    pub allow_private: bool,
}

impl FetchPolicy {
    /// Reads the optional fields of the trust JSON (both absent: fetching is off).
    pub fn from_trust(json: &Value) -> Result<FetchPolicy, String> {
        let mut servers = Vec::new();
        match json.get("fhir_servers") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for (i, s) in list.iter().enumerate() {
                    let s = s.as_str().ok_or(format!("fhir_servers[{i}]: expected a string (a FHIR base URL)"))?;
                    let url = Url::parse(s).map_err(|e| format!("fhir_servers[{i}]: expected an http(s) URL, got {s:?} ({e})"))?;
                    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                        return Err(format!("fhir_servers[{i}]: expected an http or https URL with a host, got {s:?}"));
                    }
                    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
                        return Err(format!("fhir_servers[{i}]: expected a base URL without user, query or fragment, got {s:?}"));
                    }
                    servers.push(s.trim_end_matches('/').to_string());
                }
            }
            Some(other) => return Err(format!("fhir_servers: expected an array of FHIR base URLs, got {other}")),
        }
        let allow_private = match json.get("allow_private_fhir_servers") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => return Err(format!("allow_private_fhir_servers: expected true or false, got {other}")),
        };
        Ok(FetchPolicy { servers, allow_private })
    }

    /// Whether `server` is under an allowed base URL (same scheme, host, port and path prefix).
    pub fn allows(&self, server: &str) -> bool {
        let server = server.trim_end_matches('/');
        self.servers.iter().any(|base| server == base || server.strip_prefix(base.as_str()).is_some_and(|rest| rest.starts_with('/')))
    }
}

/// Private, loopback, link-local or unspecified (10/8, 172.16/12, 192.168/16,
/// 127/8, 169.254/16, 0/8, ::1, ::, fc00::/7, fe80::/10, and IPv4-mapped forms).
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => v.is_private() || v.is_loopback() || v.is_link_local() || v.octets()[0] == 0 || v.is_broadcast(),
        IpAddr::V6(v) => {
            let s0 = v.segments()[0];
            v.is_loopback()
                || v.is_unspecified()
                || (s0 & 0xfe00) == 0xfc00
                || (s0 & 0xffc0) == 0xfe80
                || v.to_ipv4_mapped().is_some_and(|m| is_private(IpAddr::V4(m)))
        }
    }
}

/// A FHIR resource id (`[A-Za-z0-9\-\.]{1,64}`), safe to put in a URL.
fn is_fhir_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Fetches the prefetch `keys` (with their `templates`) from the request's
/// `fhirServer`, if the policy allows. `Err` says why nothing was fetched
/// (for the 412 detail); it never holds the token or patient data.
pub async fn fetch(
    policy: &FetchPolicy,
    req: &Request,
    templates: &Map<String, Value>,
    keys: &[String],
    required: &[&str],
    byte_limit: usize,
) -> Result<Map<String, Value>, String> {
    let server = req.fhir_server.as_deref().ok_or("no fhirServer was given to fetch it from")?.trim_end_matches('/').to_string();
    let token = req
        .fhir_authorization
        .as_ref()
        .and_then(|a| a.access_token.as_deref())
        .filter(|t| !t.is_empty())
        .ok_or("the fhirServer was given without fhirAuthorization.access_token")?;
    if !policy.allows(&server) {
        return Err("the fhirServer is not listed in fhir_servers in this server's CDS trust file, so Hepatica does not query it".into());
    }
    let patient = req.context.get("patientId").and_then(Value::as_str).unwrap_or("");
    if !is_fhir_id(patient) {
        return Err("context.patientId is not a FHIR id ([A-Za-z0-9-.], at most 64), so it cannot be put in a query".into());
    }
    let url = Url::parse(&server).map_err(|e| format!("the fhirServer is not a URL ({e})"))?;
    match tokio::time::timeout(FETCH_TIMEOUT, run(policy, &url, &server, token, patient, templates, keys, required, byte_limit)).await {
        Ok(r) => r,
        Err(_) => Err(format!("the fhirServer did not answer within {} s", FETCH_TIMEOUT.as_secs())),
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    policy: &FetchPolicy,
    url: &Url,
    server: &str,
    token: &str,
    patient: &str,
    templates: &Map<String, Value>,
    keys: &[String],
    required: &[&str],
    byte_limit: usize,
) -> Result<Map<String, Value>, String> {
    let port = url.port_or_known_default().ok_or("the fhirServer URL has no port")?;
    let host = url.host_str().ok_or("the fhirServer URL has no host")?;
    let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    let addrs: Vec<SocketAddr> = match literal {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => {
            tokio::net::lookup_host((host, port)).await.map_err(|_| "the fhirServer host name could not be resolved".to_string())?.collect()
        }
    };
    if addrs.is_empty() {
        return Err("the fhirServer host name resolved to no address".into());
    }
    if !policy.allow_private
        && let Some(a) = addrs.iter().find(|a| is_private(a.ip()))
    {
        return Err(format!(
            "the fhirServer resolves to a private, loopback or link-local address ({}), which this server's CDS trust file does not allow (allow_private_fhir_servers)",
            a.ip()
        ));
    }
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().connect_timeout(CONNECT_TIMEOUT);
    if literal.is_none() {
        builder = builder.resolve_to_addrs(host, &addrs);
    }
    let client = builder.build().map_err(|e| format!("could not set up the HTTP client ({e})"))?;
    let mut budget = Budget { requests: MAX_REQUESTS, bytes: byte_limit, limit: byte_limit };

    let mut out = Map::new();
    for key in keys {
        let Some(template) = templates.get(key).and_then(Value::as_str) else { continue };
        if budget.requests == 0 {
            break;
        }
        let query = template.replace("{{context.patientId}}", patient);
        let target = Url::parse(&format!("{server}/{query}")).map_err(|e| format!("{key}: could not build the query URL ({e})"))?;
        let mut value = match get(&client, target, token, &mut budget).await {
            Ok(v) => v,
            Err(Fail::Status(status)) if !required.contains(&key.as_str()) => {
                tracing::info!(key = %key, %status, "CDS fetch: optional prefetch not available");
                continue;
            }
            Err(e) => return Err(format!("{key}: {}", e.describe())),
        };
        // Follow searchset pages within the budget, under the same base URL only.
        while budget.requests > 0 {
            let Some(next) = next_link(&value) else { break };
            if !policy.allows(&next) || !(next.starts_with(&format!("{server}/")) || next.starts_with(&format!("{server}?"))) {
                break;
            }
            let Ok(next_url) = Url::parse(&next) else { break };
            let page = get(&client, next_url, token, &mut budget).await.map_err(|e| format!("{key} (next page): {}", e.describe()))?;
            let entries = page.get("entry").and_then(Value::as_array).cloned().unwrap_or_default();
            if let Some(list) = value.get_mut("entry").and_then(Value::as_array_mut) {
                list.extend(entries);
            } else if let Some(o) = value.as_object_mut() {
                o.insert("entry".into(), Value::Array(entries));
            }
            let link = page.get("link").cloned().unwrap_or(Value::Array(Vec::new()));
            if let Some(o) = value.as_object_mut() {
                o.insert("link".into(), link);
            }
        }
        out.insert(key.clone(), value);
    }
    Ok(out)
}

/// Requests and bytes left.
struct Budget {
    requests: usize,
    bytes: usize,
    /// The byte limit for the whole fetch.
    limit: usize,
}

/// Why one request gave nothing.
enum Fail {
    Status(reqwest::StatusCode),
    TooLarge(usize),
    Transport(String),
    NotJson,
}

impl Fail {
    fn describe(&self) -> String {
        match self {
            Fail::Status(s) if s.is_redirection() => {
                format!("the FHIR server answered with a redirect (HTTP {}), which is not followed", s.as_u16())
            }
            Fail::Status(s) => format!("the FHIR server answered HTTP {}", s.as_u16()),
            Fail::TooLarge(limit) => format!("the FHIR server's answers exceed the FHIR body limit of {limit} bytes; cut off"),
            Fail::Transport(e) => format!("the FHIR server could not be reached ({e})"),
            Fail::NotJson => "the FHIR server's answer is not JSON".into(),
        }
    }
}

/// One GET, its body read up to the bytes left.
async fn get(client: &reqwest::Client, url: Url, token: &str, budget: &mut Budget) -> Result<Value, Fail> {
    budget.requests -= 1;
    let limit = budget.limit;
    let mut res = client
        .get(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/fhir+json")
        .send()
        .await
        .map_err(|e| Fail::Transport(transport(&e)))?;
    if res.status() != reqwest::StatusCode::OK {
        return Err(Fail::Status(res.status()));
    }
    if res.content_length().is_some_and(|n| n > budget.bytes as u64) {
        return Err(Fail::TooLarge(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| Fail::Transport(transport(&e)))? {
        if chunk.len() > budget.bytes {
            return Err(Fail::TooLarge(limit));
        }
        budget.bytes -= chunk.len();
        body.extend_from_slice(&chunk);
    }
    // A large answer is parsed on the blocking pool, not on an async worker.
    if body.len() > 64 * 1024 {
        return tokio::task::spawn_blocking(move || serde_json::from_slice(&body).map_err(|_| Fail::NotJson))
            .await
            .map_err(|e| Fail::Transport(e.to_string()))?;
    }
    serde_json::from_slice(&body).map_err(|_| Fail::NotJson)
}

/// A transport error without its URL (the URL holds the patient id).
fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        "the connection broke off".into()
    }
}

fn next_link(bundle: &Value) -> Option<String> {
    bundle
        .get("link")?
        .as_array()?
        .iter()
        .find(|l| l.get("relation").and_then(Value::as_str) == Some("next"))?
        .get("url")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn allow_list_is_an_exact_prefix_on_a_path_boundary() {
        let p = FetchPolicy::from_trust(&json!({ "fhir_servers": ["https://ehr.example/fhir/"] })).expect("policy");
        assert!(p.allows("https://ehr.example/fhir"));
        assert!(p.allows("https://ehr.example/fhir/r4"));
        assert!(!p.allows("https://ehr.example/fhirx"));
        assert!(!p.allows("http://ehr.example/fhir"));
        assert!(!p.allows("https://ehr.example.evil/fhir"));
        assert!(!p.allow_private);
        assert!(FetchPolicy::from_trust(&json!({})).expect("none").servers.is_empty());
        assert!(FetchPolicy::from_trust(&json!({ "fhir_servers": "https://x" })).is_err());
        assert!(FetchPolicy::from_trust(&json!({ "fhir_servers": ["ftp://x/fhir"] })).is_err());
        assert!(FetchPolicy::from_trust(&json!({ "fhir_servers": ["https://u:p@x/fhir"] })).is_err());
        assert!(FetchPolicy::from_trust(&json!({ "allow_private_fhir_servers": "yes" })).is_err());
    }

    #[test]
    fn private_loopback_and_link_local_addresses_are_recognised() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "2001:4860:4860::8888", "93.184.216.34"] {
            assert!(!is_private(ip.parse().expect("ip")), "{ip}");
        }
    }
}
