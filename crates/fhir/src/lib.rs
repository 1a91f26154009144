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
//! let mapped = map_bundle(&bundle, Knowledge::embedded(), &hepatica_fhir::MapOptions::on("2026-12-01")).unwrap();
//! assert_eq!(mapped.case.primary_site.as_str(), "bowel");
//! ```

pub mod cds;
pub mod codes;
mod datetime;
mod map;
pub mod model;
mod version;

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
    /// `deceasedDateTime` (or `"true"` for `deceasedBoolean`) when the record
    /// says the patient has died; [`map_bundle`] refuses such a record.
    pub deceased: Option<String>,
    /// Where the record says so (JSON pointer), when it does.
    pub deceased_pointer: Option<String>,
    /// Whether a secondary liver cancer Condition was found.
    pub liver_secondary: bool,
}

/// What the pure mapper cannot know by itself, passed in by the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapOptions {
    /// Today's date: `age_years` is counted from `Patient.birthDate` to it, and a
    /// treatment that starts after it is a plan, not treatment given. Without it
    /// `age_years` is left out (with a warning).
    pub today: Option<time::Date>,
}

impl MapOptions {
    /// Options for a given day (`YYYY-MM-DD`); panics on a malformed date (for tests and fixed inputs).
    pub fn on(date: &str) -> MapOptions {
        MapOptions { today: Some(datetime::date(date).unwrap_or_else(|| panic!("not a YYYY-MM-DD date: {date:?}"))) }
    }

    /// Options for today in UTC, read from the system clock (for the CLI, server and batch; the mapping itself reads no clock).
    pub fn today_utc() -> MapOptions {
        MapOptions { today: Some(time::OffsetDateTime::now_utc().date()) }
    }
}

/// Largest Bundle accepted, in bytes (the CLI and server read at most this much).
pub const MAX_BUNDLE_BYTES: usize = 32 << 20;

/// Maps a FHIR R4 Bundle to a Case, for assessment.
///
/// Errors (exit 2 / HTTP 422) when the input is not a Bundle, is STU3 or
/// DSTU2 rather than R4, holds no usable primary cancer (every Condition seen
/// is then listed with why it was not used), when the primary is liver
/// cancer, or when the patient has died (Hepatica does not assess the records
/// of people who have died).
pub fn map_bundle(bundle: &Value, kb: &Knowledge, opts: &MapOptions) -> Result<Mapped, Vec<FieldError>> {
    let mapped = match map_record(bundle, kb, opts) {
        Ok(m) => m,
        Err(mut errors) => {
            // Say so too when the patient has died, whatever else is wrong.
            if let Some(d) = deceased_in(bundle) {
                errors.push(d);
            }
            return Err(errors);
        }
    };
    if let Some(err) = deceased_error(&mapped) {
        return Err(vec![err]);
    }
    Ok(mapped)
}

/// The Assessment's JSON with `mapped_case` added: the Case as mapped from the
/// record, in the contract's section 2 shape, so an integrator can see what
/// was read (and replay it through `hepatica assess`). The CLI's
/// `assess --fhir --format json` and `POST /api/v1/assess/fhir` both use it.
pub fn with_mapped_case(
    assessment: &hepatica_engine::Assessment,
    case: &hepatica_engine::Case,
) -> Result<serde_json::Value, serde_json::Error> {
    let mut v = serde_json::to_value(assessment)?;
    if let serde_json::Value::Object(map) = &mut v {
        map.insert("mapped_case".to_string(), serde_json::to_value(case)?);
    }
    Ok(v)
}

/// The refusal for a record whose patient has died, if it is one.
pub fn deceased_error(m: &Mapped) -> Option<FieldError> {
    let when = m.deceased.as_deref()?;
    let date = if when == "true" { String::new() } else { format!(" on {}", when.split('T').next().unwrap_or(when)) };
    Some(FieldError {
        pointer: m.deceased_pointer.clone().unwrap_or_default(),
        detail: format!(
            "expected the record of a living patient, got a Patient who died{date} ({}); not assessed: Hepatica does not assess the records of people who have died",
            if when == "true" { "deceasedBoolean true".to_string() } else { format!("deceasedDateTime {when}") }
        ),
    })
}

/// A deceased Patient among a Bundle's entries (when mapping failed before the patient was chosen).
fn deceased_in(bundle: &Value) -> Option<FieldError> {
    let entries = bundle.get("entry")?.as_array()?;
    entries.iter().enumerate().find_map(|(i, e)| {
        let r = e.get("resource")?;
        if r.get("resourceType").and_then(Value::as_str) != Some("Patient") {
            return None;
        }
        let base = format!("/entry/{i}/resource");
        let (when, pointer) = match (r.get("deceasedDateTime").and_then(Value::as_str), r.get("deceasedBoolean").and_then(Value::as_bool)) {
            (Some(t), _) => (t.to_string(), format!("{base}/deceasedDateTime")),
            (None, Some(true)) => ("true".to_string(), format!("{base}/deceasedBoolean")),
            _ => return None,
        };
        let m = Mapped {
            case: Case::new(hepatica_engine::PrimarySite::Unknown),
            warnings: Vec::new(),
            deceased: Some(when),
            deceased_pointer: Some(pointer),
            liver_secondary: false,
        };
        deceased_error(&m)
    })
}

/// Maps a FHIR R4 Bundle to a Case without refusing a deceased patient (the
/// result says so in [`Mapped::deceased`]); every other refusal of
/// [`map_bundle`] applies.
pub fn map_record(bundle: &Value, kb: &Knowledge, opts: &MapOptions) -> Result<Mapped, Vec<FieldError>> {
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
    map_inputs(&inputs, kb, "/entry", pre, opts)
}

/// Maps resources (a Bundle's or a CDS prefetch's), refusing STU3 and DSTU2 shapes.
pub(crate) fn map_inputs(
    inputs: &[map::Input<'_>],
    kb: &Knowledge,
    root: &str,
    pre: Vec<InputWarning>,
    opts: &MapOptions,
) -> Result<Mapped, Vec<FieldError>> {
    map_inputs_refusal(inputs, kb, root, pre, opts).map_err(|r| r.errors)
}

/// [`map_inputs`], saying on refusal whether the record held any cancer Condition.
pub(crate) fn map_inputs_refusal(
    inputs: &[map::Input<'_>],
    kb: &Knowledge,
    root: &str,
    pre: Vec<InputWarning>,
    opts: &MapOptions,
) -> Result<Mapped, map::Refusal> {
    if let Some(errors) = version::not_r4(inputs) {
        return Err(map::Refusal { errors, cancer_seen: true });
    }
    let out = map::map_resources(inputs, kb, root, pre, opts)?;
    Ok(Mapped {
        case: out.case,
        warnings: out.warnings,
        deceased_pointer: out.deceased.as_ref().map(|d| d.pointer.clone()),
        deceased: out.deceased.map(|d| d.when.unwrap_or_else(|| "true".into())),
        liver_secondary: out.liver_secondary,
    })
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
