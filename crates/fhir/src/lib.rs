//! FHIR R4 / mCODE input for Hepatica, and the CDS Hooks 2.0 service logic.
//!
//! [`map_bundle`] reads a FHIR R4 Bundle (mCODE-style or plain EHR data) and
//! builds the contract's [`Case`](hepatica_engine::Case). It is lenient about
//! shape and strict about meaning: unknown resources and fields are ignored,
//! and everything that could not be used becomes an
//! [`InputWarning`](hepatica_engine::InputWarning) naming where it was and why,
//! never a silent drop. Codes are looked up in the knowledge base's
//! terminology table (`content/codes/*.toml`).
//!
//! [`cds`] is the CDS Hooks 2.0 service as pure functions: discovery, the
//! `patient-view` service (prefetch in, cards out), feedback, and JWT
//! verification of the calling client. The HTTP wiring lives in
//! `hepatica-server`.
//!
//! ```
//! use hepatica_fhir::map_bundle;
//! use hepatica_knowledge::Knowledge;
//!
//! let bundle = serde_json::json!({
//!     "resourceType": "Bundle", "type": "collection",
//!     "entry": [{ "resource": { "resourceType": "Condition",
//!         "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C18.7" }] } } }]
//! });
//! let mapped = map_bundle(&bundle, Knowledge::embedded()).unwrap();
//! assert_eq!(mapped.case.primary_site.as_str(), "bowel");
//! ```

pub mod cds;
pub mod codes;
mod datetime;
mod map;
pub mod model;

use hepatica_engine::{Case, FieldError, InputWarning};
use hepatica_knowledge::Knowledge;
use serde_json::Value;

pub use datetime::epoch_seconds;

/// A Case mapped from FHIR, with everything that was not used.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The case.
    pub case: Case,
    /// What could not be mapped, and why.
    pub warnings: Vec<InputWarning>,
}

/// Largest Bundle accepted, in bytes (the CLI and server read at most this much).
pub const MAX_BUNDLE_BYTES: usize = 32 << 20;

/// Maps a FHIR R4 Bundle to a Case.
///
/// Errors (exit 2 / HTTP 422) only when the input is not a Bundle, when no
/// primary cancer can be found, or when the primary is liver cancer.
pub fn map_bundle(bundle: &Value, kb: &Knowledge) -> Result<Mapped, Vec<FieldError>> {
    let err = |pointer: &str, detail: String| vec![FieldError { pointer: pointer.to_string(), detail }];
    let Some(obj) = bundle.as_object() else {
        return Err(err("", format!("expected a FHIR R4 Bundle (a JSON object), got {}", kind(bundle))));
    };
    match obj.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => {}
        Some(other) => return Err(err("/resourceType", format!("expected \"Bundle\", got {other:?}"))),
        None => return Err(err("/resourceType", "expected \"Bundle\", got nothing".to_string())),
    }
    let entries = match obj.get("entry") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(other) => return Err(err("/entry", format!("expected a list of entries, got {}", kind(other)))),
    };
    let (inputs, pre) = bundle_inputs(entries, "/entry");
    let out = map::map_resources(&inputs, kb, "/entry", pre)?;
    Ok(Mapped { case: out.case, warnings: out.warnings })
}

/// The resources of a Bundle's entries, with pointers under `base`; nested
/// Bundles are read too.
pub(crate) fn bundle_inputs<'a>(entries: &'a [Value], base: &str) -> (Vec<map::Input<'a>>, Vec<InputWarning>) {
    let mut inputs = Vec::new();
    let mut warnings = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let ptr = format!("{base}/{i}");
        match e.get("resource") {
            Some(r) if r.get("resourceType").and_then(Value::as_str) == Some("Bundle") => {
                if let Some(Value::Array(inner)) = r.get("entry") {
                    let (mut a, mut b) = bundle_inputs(inner, &format!("{ptr}/resource/entry"));
                    inputs.append(&mut a);
                    warnings.append(&mut b);
                }
            }
            Some(r) if r.is_object() => inputs.push(map::Input {
                pointer: format!("{ptr}/resource"),
                full_url: e.get("fullUrl").and_then(Value::as_str).map(str::to_string),
                resource: r,
            }),
            Some(other) => warnings.push(InputWarning {
                pointer: format!("{ptr}/resource"),
                detail: format!("expected a resource object, got {}; not used", kind(other)),
            }),
            None => warnings.push(InputWarning { pointer: ptr, detail: "entry has no resource; not used".to_string() }),
        }
    }
    (inputs, warnings)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
