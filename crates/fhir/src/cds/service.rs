//! The `liver-metastases-options` service: discovery entry, and prefetch in → cards out.
//!
//! Pure logic: the caller (the server) authenticates the client first, then
//! passes the request JSON, the knowledge base and its public base URL. Data
//! comes from the prefetch; when required prefetch is missing the server may
//! fetch it from the EHR's `fhirServer` first (see `hepatica-server`), and
//! otherwise answers HTTP 412. A cancer record without a usable primary gets
//! one info card saying why; a deceased patient gets no card.

use std::fmt::Write;

use hepatica_engine::{Assessment, Audience, FieldError, InputWarning, Suitability, assess};
use hepatica_knowledge::Knowledge;
use serde_json::{Map, Value, json};

use super::types::*;
use super::{HOOK, SERVICE_ID};
use crate::map::{Input, escape};

/// Prefetch keys without which the service cannot work.
pub const REQUIRED_PREFETCH: [&str; 2] = ["patient", "conditions"];

/// Why a call produced no response.
#[derive(Debug, Clone, PartialEq)]
pub enum CdsError {
    /// The request is malformed (HTTP 422), every problem by pointer.
    Invalid(Vec<FieldError>),
    /// Required data is missing and will not be fetched (HTTP 412).
    PreconditionFailed(String),
}

impl CdsError {
    /// The HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            CdsError::Invalid(_) => 422,
            CdsError::PreconditionFailed(_) => 412,
        }
    }
}

impl std::fmt::Display for CdsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CdsError::Invalid(errors) => {
                let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
                write!(f, "invalid CDS Hooks request: {}", parts.join("; "))
            }
            CdsError::PreconditionFailed(m) => f.write_str(m),
        }
    }
}

/// The Observation codes the mapper reads (LOINC and SNOMED CT), for the prefetch template.
pub fn observation_codes(kb: &Knowledge) -> Vec<String> {
    let mut codes: Vec<String> = kb
        .codes
        .iter()
        .filter(|c| !c.code.ends_with('*'))
        .filter(|c| c.maps_to.starts_with("biomarker:") || c.maps_to.starts_with("observation:") || c.maps_to.starts_with("finding:"))
        .filter(|c| !c.maps_to.ends_with("_by_body_site"))
        .filter_map(|c| match crate::codes::namespace(&c.system).as_str() {
            "loinc" => Some(format!("http://loinc.org|{}", c.code)),
            "snomed" => Some(format!("http://snomed.info/sct|{}", c.code)),
            _ => None,
        })
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// The prefetch templates: everything the mapper reads, for the patient in context.
pub fn prefetch_templates(kb: &Knowledge) -> Map<String, Value> {
    let mut prefetch = Map::new();
    let observations = format!("Observation?patient={{{{context.patientId}}}}&code={}", observation_codes(kb).join(","));
    for (k, v) in [
        ("patient", "Patient/{{context.patientId}}".to_string()),
        ("conditions", "Condition?patient={{context.patientId}}".to_string()),
        ("observations", observations),
        ("medicationStatements", "MedicationStatement?patient={{context.patientId}}".to_string()),
        ("medicationAdministrations", "MedicationAdministration?patient={{context.patientId}}".to_string()),
        ("medicationRequests", "MedicationRequest?patient={{context.patientId}}".to_string()),
        ("procedures", "Procedure?patient={{context.patientId}}".to_string()),
    ] {
        prefetch.insert(k.to_string(), Value::String(v));
    }
    prefetch
}

/// The discovery document (`GET /cds-services`).
pub fn discovery(kb: &Knowledge) -> Discovery {
    Discovery {
        services: vec![Service {
            hook: HOOK.to_string(),
            title: "Hepatica: treatment options for secondary liver cancer".to_string(),
            description: "Explains the nine treatment areas for cancer that has spread to the liver (liver metastases), \
                          each rated usual, possible, depends or unlikely with sourced reasons, from the patient's \
                          conditions, tumour markers, performance status and earlier chemotherapy. Information to support \
                          discussion in the specialist team, not a recommendation."
                .to_string(),
            id: SERVICE_ID.to_string(),
            prefetch: prefetch_templates(kb),
            usage_requirements: Some(
                "Send the prefetch (at least patient and conditions), or a fhirServer with fhirAuthorization \
                 (access_token) that the server's trust file lists in fhir_servers: prefetch not sent is then fetched \
                 with the same queries (HTTP 412 with the reason otherwise). Authenticate with a signed JWT \
                 (ES384 or RS384) whose issuer is listed in the server's trust file."
                    .to_string(),
            ),
        }],
    }
}

/// Handles one `patient-view` call: validates the request, maps the prefetch,
/// assesses it for clinicians and returns the cards. No card when the record
/// holds no secondary liver cancer or no usable primary.
pub fn call(request: &Value, kb: &Knowledge, base_url: &str) -> Result<Response, CdsError> {
    call_with_fetch_note(request, kb, base_url, None)
}

/// The prefetch template keys a valid request does not carry (absent, or an
/// `OperationOutcome` in their place): what a server may fetch from the EHR's
/// `fhirServer`. Keys sent as `null` mean "no data" and are not listed.
/// Required keys come first.
pub fn missing_prefetch(req: &Request, kb: &Knowledge) -> Vec<String> {
    let prefetch = req.prefetch.clone().unwrap_or_default();
    let mut keys: Vec<String> = REQUIRED_PREFETCH.iter().map(|k| k.to_string()).collect();
    keys.extend(prefetch_templates(kb).keys().filter(|k| !REQUIRED_PREFETCH.contains(&k.as_str())).cloned());
    keys.retain(|k| match prefetch.get(k) {
        None => true,
        Some(v) => v.get("resourceType").and_then(Value::as_str) == Some("OperationOutcome"),
    });
    keys
}

/// [`call`], where `fetch_note` says why required prefetch that is missing was
/// not fetched from the EHR's `fhirServer` (it goes into the 412 detail).
pub fn call_with_fetch_note(request: &Value, kb: &Knowledge, base_url: &str, fetch_note: Option<&str>) -> Result<Response, CdsError> {
    let req = validate(request)?;
    let prefetch = req.prefetch.clone().unwrap_or_default();

    // Required prefetch.
    let mut missing = Vec::new();
    for key in REQUIRED_PREFETCH {
        match prefetch.get(key) {
            None => missing.push(format!("{key} (not sent)")),
            Some(v) if v.get("resourceType").and_then(Value::as_str) == Some("OperationOutcome") => {
                missing.push(format!("{key} (the EHR returned an OperationOutcome)"))
            }
            Some(_) => {}
        }
    }
    if !missing.is_empty() {
        let fetch = match fetch_note {
            Some(note) => format!("it was not fetched from a FHIR server: {note}"),
            None if req.fhir_server.is_some() => "it was not fetched from the fhirServer".to_string(),
            None => "no fhirServer was given to fetch it from".to_string(),
        };
        return Err(CdsError::PreconditionFailed(format!(
            "required prefetch missing: {}; {fetch}; send the prefetch templates listed in discovery",
            missing.join(", ")
        )));
    }

    // Flatten the prefetch into resources with pointers.
    let mut inputs: Vec<Input<'_>> = Vec::new();
    let mut pre: Vec<InputWarning> = Vec::new();
    for (key, value) in &prefetch {
        let base = format!("/prefetch/{}", escape(key));
        match value {
            Value::Null => {}
            Value::Object(o) => match o.get("resourceType").and_then(Value::as_str) {
                Some("Bundle") => {
                    let entries = o.get("entry").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
                    let (mut a, mut b) = crate::bundle_inputs(entries, &format!("{base}/entry"));
                    inputs.append(&mut a);
                    pre.append(&mut b);
                    if o.get("link")
                        .and_then(Value::as_array)
                        .is_some_and(|l| l.iter().any(|x| x.get("relation").and_then(Value::as_str) == Some("next")))
                    {
                        pre.push(InputWarning {
                            pointer: base.clone(),
                            detail: "the search result has more pages; only the first was sent and read".to_string(),
                        });
                    }
                }
                Some(_) => inputs.push(Input { pointer: base.clone(), full_url: None, resource: value }),
                None => pre.push(InputWarning {
                    pointer: base.clone(),
                    detail: "expected a FHIR resource or Bundle, got an object without resourceType; not used".into(),
                }),
            },
            other => pre.push(InputWarning {
                pointer: base.clone(),
                detail: format!("expected a FHIR resource, Bundle or null, got {other}; not used"),
            }),
        }
    }
    if let (Some(Value::Object(p)), Some(pid)) = (prefetch.get("patient"), req.context.get("patientId").and_then(Value::as_str))
        && let Some(id) = p.get("id").and_then(Value::as_str)
        && id != pid
    {
        pre.push(InputWarning {
            pointer: "/prefetch/patient".into(),
            detail: format!("Patient id {id} differs from context.patientId {pid}"),
        });
    }

    let outcome = match crate::map_inputs_refusal(&inputs, kb, "/prefetch", pre, &crate::MapOptions::today_utc()) {
        Ok(m) => m,
        // A record with cancer but no usable primary: say so and why, rather than nothing.
        Err(r) if r.cancer_seen => return Ok(Response { cards: vec![refusal_card(kb, &r.errors, &req.hook_instance, base_url)] }),
        Err(_) => return Ok(Response { cards: Vec::new() }),
    };
    // Hepatica does not assess the records of people who have died: no card.
    if outcome.deceased.is_some() || !outcome.liver_secondary {
        return Ok(Response { cards: Vec::new() });
    }
    let mut assessment = assess(kb, &outcome.case, Audience::Clinician);
    assessment.input_warnings = outcome.warnings;
    let case = serde_json::to_value(&outcome.case).unwrap_or(Value::Null);
    Ok(Response { cards: vec![summary_card(&assessment, &case, &req.hook_instance, base_url)] })
}

/// The one info card for a cancer record Hepatica could not assess, with every reason.
fn refusal_card(kb: &Knowledge, errors: &[FieldError], hook_instance: &str, base_url: &str) -> Card {
    let base = base_url.trim_end_matches('/');
    let mut detail = String::from(
        "Hepatica could not assess treatment options for secondary liver cancer from this record, because it cannot \
         tell where the cancer started. What it found:\n\n",
    );
    const SHOWN: usize = 20;
    for e in errors.iter().take(SHOWN) {
        let _ = writeln!(detail, "- `{}`: {}", e.pointer.replace('`', "'"), md(&e.detail));
    }
    if errors.len() > SHOWN {
        let _ = writeln!(detail, "- …and {} more", errors.len() - SHOWN);
    }
    let _ = write!(
        detail,
        "\nRecording the primary cancer as a coded Condition (SNOMED CT or ICD-10; ICD-10 C80 when it is unknown) lets Hepatica assess the record. Knowledge base {} ({}).",
        kb.meta.version, kb.meta.published
    );
    let mut ext = Map::new();
    ext.insert("org.hepatica.errors".into(), json!(errors));
    ext.insert("org.hepatica.knowledge-base".into(), json!(hepatica_engine::KbStamp::of(kb)));
    Card {
        uuid: card_uuid(hook_instance, 0),
        summary: "Hepatica: no primary cancer it can use in this record, so liver metastasis options were not assessed".to_string(),
        detail,
        indicator: Indicator::Info,
        source: Source {
            label: format!("Hepatica (knowledge base {}, {})", kb.meta.version, kb.meta.published),
            url: Some(format!("{base}/about")),
            topic: None,
        },
        links: Vec::new(),
        extension: ext,
    }
}

/// Checks the request envelope, every problem by pointer.
pub fn validate(v: &Value) -> Result<Request, CdsError> {
    let mut errors = Vec::new();
    let mut e = |pointer: &str, detail: String| errors.push(FieldError { pointer: pointer.to_string(), detail });
    let Some(obj) = v.as_object() else {
        return Err(CdsError::Invalid(vec![FieldError { pointer: String::new(), detail: "expected a CDS Hooks request object".into() }]));
    };
    match obj.get("hook").and_then(Value::as_str) {
        Some(HOOK) => {}
        Some(other) => e("/hook", format!("expected \"{HOOK}\", got {other:?}")),
        None => e("/hook", format!("expected \"{HOOK}\", got nothing")),
    }
    match obj.get("hookInstance").and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() && s.len() <= 256 => {}
        _ => e("/hookInstance", "expected a non-empty string (a UUID) of at most 256 characters".into()),
    }
    match obj.get("context") {
        Some(Value::Object(c)) => match c.get("patientId") {
            Some(Value::String(s)) if !s.is_empty() => {}
            _ => e("/context/patientId", "expected the patient's id (a non-empty string)".into()),
        },
        _ => e("/context", "expected an object with userId and patientId".into()),
    }
    match obj.get("prefetch") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => e("/prefetch", "expected an object (key → resource, Bundle or null)".into()),
    }
    if obj.get("fhirAuthorization").is_some_and(|a| !a.is_null()) {
        if obj.get("fhirServer").and_then(Value::as_str).is_none() {
            e("/fhirServer", "expected a URL: fhirServer is required when fhirAuthorization is given".into());
        }
        if !obj.get("fhirAuthorization").is_some_and(Value::is_object) {
            e("/fhirAuthorization", "expected an object".into());
        }
    }
    if !errors.is_empty() {
        return Err(CdsError::Invalid(errors));
    }
    serde_json::from_value(v.clone()).map_err(|err| {
        CdsError::Invalid(vec![FieldError { pointer: String::new(), detail: format!("expected a CDS Hooks request, got {err}") }])
    })
}

/// A deterministic UUID for card `index` of a hook instance (UUID v5).
pub fn card_uuid(hook_instance: &str, index: usize) -> String {
    // Namespace: UUID v5 of the service URL path in the URL namespace.
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("urn:hepatica:cds:{SERVICE_ID}").as_bytes());
    uuid::Uuid::new_v5(&ns, format!("{hook_instance}#{index}").as_bytes()).to_string()
}

fn site_words(site: &str) -> String {
    site.replace('_', " ")
}

/// Longest summary the spec allows ("<140 characters").
pub const MAX_SUMMARY_CHARS: usize = 139;

fn summary_card(a: &Assessment, case: &Value, hook_instance: &str, base_url: &str) -> Card {
    let base = base_url.trim_end_matches('/');
    let count = |s: Suitability| a.options.iter().filter(|o| o.suitability == s).count();
    let site = case.get("primary_site").and_then(Value::as_str).unwrap_or("unknown");
    let mut summary = format!(
        "Liver metastases ({} primary): {} usual, {} possible, {} depend on more data, {} unlikely treatment areas",
        site_words(site),
        count(Suitability::Usual),
        count(Suitability::Possible),
        count(Suitability::Depends),
        count(Suitability::Unlikely)
    );
    if summary.chars().count() > MAX_SUMMARY_CHARS {
        summary = summary.chars().take(MAX_SUMMARY_CHARS - 1).collect::<String>() + "…";
    }
    let mut ext = Map::new();
    ext.insert(
        "org.hepatica.criteria".into(),
        Value::Array(
            a.options.iter().map(|o| json!({ "treatment": o.treatment, "suitability": o.suitability, "criteria": o.criteria })).collect(),
        ),
    );
    ext.insert("org.hepatica.case".into(), case.clone());
    ext.insert("org.hepatica.input-warnings".into(), json!(a.input_warnings));
    ext.insert("org.hepatica.knowledge-base".into(), json!(a.knowledge_base));
    Card {
        uuid: card_uuid(hook_instance, 0),
        summary,
        detail: detail_markdown(a),
        // Information, never an alert: missing data is said in the detail, and a
        // `warning` on nearly every patient (most records lack something) would
        // teach clinicians to ignore cards.
        indicator: Indicator::Info,
        source: Source {
            label: format!("Hepatica (knowledge base {}, {})", a.knowledge_base.version, a.knowledge_base.published),
            url: Some(format!("{base}/about")),
            topic: Some(Coding {
                code: "94381002".into(),
                system: "http://snomed.info/sct".into(),
                display: Some("Secondary malignant neoplasm of liver".into()),
            }),
        },
        links: vec![
            Link {
                label: "Patient questionnaire and plain-English results (Hepatica)".into(),
                url: format!("{base}/check"),
                kind: "absolute".into(),
            },
            Link {
                label: "Clinician view with criteria trace (Hepatica)".into(),
                url: format!("{base}/clinician"),
                kind: "absolute".into(),
            },
        ],
        extension: ext,
    }
}

/// Escapes text from the record (or anywhere untrusted) for Markdown and HTML.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn detail_markdown(a: &Assessment) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "**Information to support discussion in the specialist team, not a recommendation.** Knowledge base {} ({}).\n",
        a.knowledge_base.version, a.knowledge_base.published
    );
    for (suit, heading) in [
        (Suitability::Usual, "Usual: commonly used in this situation"),
        (Suitability::Possible, "Possible: may be an option; the specialist team decides"),
        (Suitability::Depends, "Depends: turns on information not in the record"),
        (Suitability::Unlikely, "Unlikely: not usually used in this situation"),
    ] {
        let opts: Vec<_> = a.options.iter().filter(|o| o.suitability == suit).collect();
        if opts.is_empty() {
            continue;
        }
        let _ = writeln!(s, "### {heading}\n");
        for o in opts {
            let title = if o.title.is_empty() { o.treatment.clone() } else { o.title.clone() };
            if o.summary.is_empty() {
                let _ = writeln!(s, "- **{}**", md(&title));
            } else {
                let _ = writeln!(s, "- **{}**: {}", md(&title), md(&o.summary));
            }
            for r in &o.reasons {
                let _ = writeln!(s, "  - {} [{}]", md(&r.text), md(&r.sources.join(", ")));
            }
            if !o.depends_on.is_empty() {
                let _ = writeln!(s, "  - Depends on: {}", md(&o.depends_on.join("; ")));
            }
        }
        s.push('\n');
    }
    if !a.missing_information.is_empty() {
        let _ = writeln!(s, "### Information that would sharpen this\n");
        for m in &a.missing_information {
            let _ = writeln!(s, "- `{}`: {}", m.pointer.replace('`', "'"), md(&m.why));
        }
        s.push('\n');
    }
    if !a.input_warnings.is_empty() {
        // Two honest headings: what was left out, and what was read but carries a note (a conversion, a text
        // match, the latest of several results).
        const SHOWN: usize = 12;
        let dropped = |d: &str| ["not used", "left unknown", "not set", "refused", "could not be derived"].iter().any(|k| d.contains(k));
        let (not_used, noted): (Vec<_>, Vec<_>) = a.input_warnings.iter().partition(|w| dropped(&w.detail));
        for (title, list) in [("Record data not used", not_used), ("Record data read with a note", noted)] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "### {title} ({})\n", list.len());
            for w in list.iter().take(SHOWN) {
                let _ = writeln!(s, "- `{}`: {}", w.pointer.replace('`', "'"), md(&w.detail));
            }
            if list.len() > SHOWN {
                let _ = writeln!(s, "- …and {} more (see the card extension `org.hepatica.input-warnings`)", list.len() - SHOWN);
            }
            s.push('\n');
        }
    }
    if !a.sources.is_empty() {
        let _ = writeln!(s, "### Sources\n");
        for src in &a.sources {
            let _ = writeln!(
                s,
                "- \\[{}\\] {}, {} {}: <{}>",
                md(&src.id),
                md(&src.title),
                md(&src.publisher),
                src.year,
                src.url.replace(['<', '>', ' '], "")
            );
        }
        s.push('\n');
    }
    let _ = write!(s, "_{}_", md(&a.disclaimer));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_deterministic_and_distinct() {
        assert_eq!(card_uuid("abc", 0), card_uuid("abc", 0));
        assert_ne!(card_uuid("abc", 0), card_uuid("abc", 1));
        assert_ne!(card_uuid("abc", 0), card_uuid("abd", 0));
        assert_eq!(card_uuid("abc", 0).len(), 36);
    }

    #[test]
    fn markdown_escapes_record_text() {
        assert_eq!(md("<script>*x*</script>"), "&lt;script&gt;\\*x\\*&lt;/script&gt;");
    }

    #[test]
    fn discovery_lists_the_service() {
        let d = discovery(Knowledge::embedded());
        assert_eq!(d.services.len(), 1);
        assert_eq!(d.services[0].id, SERVICE_ID);
        assert_eq!(d.services[0].hook, "patient-view");
        for k in REQUIRED_PREFETCH {
            assert!(d.services[0].prefetch.contains_key(k));
        }
    }
}
