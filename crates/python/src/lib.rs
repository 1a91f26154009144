//! `hepatica._native`: the Rust side of the `hepatica` Python package.
//!
//! Thin on purpose. Every function here parses its input with the same
//! library calls as the `hepatica` command, runs the same engine or search
//! code and returns JSON text (or Arrow arrays), so the Python output equals
//! the CLI's by construction: `assess_json` serialises the same `Assessment`
//! that `hepatica assess --format json` prints, `assess_arrow` builds the rows
//! of `hepatica batch` (the `hepatica_batch::columnar` layout, from
//! `assess_summary`, as batch does).
//!
//! The pure-Python layer (`python/hepatica/__init__.py`) turns the JSON into
//! dicts, raises `hepatica.InputError` with the pointer list, and checks
//! arguments. Keeping exception classes and argument checks in Python keeps
//! this file free of Python object juggling.
//!
//! **The GIL is released** (`Python::detach`) around every call into the
//! engine, the search indexes and the Arrow work, so Python threads (and
//! Spark's Arrow readers) keep running; many cases are assessed in parallel
//! on rayon's pool (`RAYON_NUM_THREADS` caps it, e.g. one per Spark task).
//!
//! **Arrow** crosses through the Arrow C data interface as PyCapsules
//! (`arrow_schema` / `arrow_array`, the Arrow PyCapsule protocol). Input
//! strings are read in place from the caller's buffers (zero-copy); the
//! result columns are built once here and handed over without a copy.

use std::ffi::CStr;
use std::sync::{Arc, OnceLock};

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray, StructArray, make_array};
use arrow_schema::{DataType, Field, Schema};
use hepatica_batch::columnar::{self, RowsBuilder};
use hepatica_engine::parse::{JsonError, json_from_slice};
use hepatica_engine::{Audience, Case, Decisions, FieldError, assess, assess_summary, case_from_json};
use hepatica_knowledge::Knowledge;
use hepatica_search::ask::AskIndex;
use hepatica_search::drugs::DrugIndex;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use rayon::prelude::*;
use serde_json::Value;

const SCHEMA_CAPSULE: &CStr = c"arrow_schema";
const ARRAY_CAPSULE: &CStr = c"arrow_array";

/// Cases per parallel work item.
const SUB_CHUNK: usize = 64;

fn audience(name: &str) -> PyResult<Audience> {
    Audience::parse(name).ok_or_else(|| PyValueError::new_err(format!("audience: expected 'patient' or 'clinician', got {name:?}")))
}

/// The knowledge base of a release version (`None` or `latest`: the newest),
/// as `hepatica --kb VERSION` picks it.
fn knowledge(version: Option<&str>) -> Result<&'static Knowledge, String> {
    Knowledge::by_version(version.unwrap_or("latest")).map_err(|e| e.to_string())
}

fn kb_arg(version: Option<&str>) -> PyResult<&'static Knowledge> {
    knowledge(version).map_err(|e| PyValueError::new_err(format!("kb: {e}")))
}

fn errors_json(errors: &[FieldError]) -> String {
    serde_json::to_string(errors).expect("field errors serialise")
}

/// Why a knowledge-base version cannot be used (`None` when it can), the
/// message of `hepatica --kb VERSION`'s error.
#[pyfunction]
#[pyo3(signature = (version=None))]
fn kb_error(version: Option<&str>) -> Option<String> {
    knowledge(version).err()
}

fn assess_one(kb: &Knowledge, case: &str, audience: Audience) -> (bool, String) {
    match case_from_json(case.as_bytes()) {
        Ok(c) => (true, serde_json::to_string(&assess(kb, &c, audience)).expect("assessments serialise")),
        Err(errors) => (false, errors_json(&errors)),
    }
}

/// Assesses one Case given as JSON text. Returns `(True, assessment JSON)` or
/// `(False, errors JSON)`, the errors being `[{"pointer", "detail"}]`.
#[pyfunction]
#[pyo3(signature = (case, audience_name, kb=None))]
fn assess_json(py: Python<'_>, case: &str, audience_name: &str, kb: Option<&str>) -> PyResult<(bool, String)> {
    let audience = audience(audience_name)?;
    let kb = kb_arg(kb)?;
    Ok(py.detach(|| assess_one(kb, case, audience)))
}

/// Assesses many Cases (JSON texts) in parallel; one `(ok, JSON)` per case, in order.
#[pyfunction]
#[pyo3(signature = (cases, audience_name, kb=None))]
fn assess_many_json(py: Python<'_>, cases: Vec<String>, audience_name: &str, kb: Option<&str>) -> PyResult<Vec<(bool, String)>> {
    let audience = audience(audience_name)?;
    let kb = kb_arg(kb)?;
    Ok(py.detach(|| cases.par_iter().with_min_len(SUB_CHUNK).map(|case| assess_one(kb, case, audience)).collect()))
}

/// Validates one Case (JSON text): the errors JSON, `[]` when it is valid.
#[pyfunction]
fn validate_json(py: Python<'_>, case: &str) -> String {
    py.detach(|| match case_from_json(case.as_bytes()) {
        Ok(_) => "[]".to_string(),
        Err(errors) => errors_json(&errors),
    })
}

/// Assesses one FHIR R4 Bundle (JSON text), as `hepatica assess --fhir
/// --format json` does: the Assessment plus `mapped_case`.
#[pyfunction]
#[pyo3(signature = (bundle, audience_name, kb=None))]
fn assess_fhir_json(py: Python<'_>, bundle: &str, audience_name: &str, kb: Option<&str>) -> PyResult<(bool, String)> {
    let audience = audience(audience_name)?;
    let kb = kb_arg(kb)?;
    py.detach(|| match fhir_case(bundle.as_bytes(), kb) {
        Ok((case, warnings)) => {
            let mut a = assess(kb, &case, audience);
            a.input_warnings.extend(warnings);
            let v = hepatica_fhir::with_mapped_case(&a, &case)
                .map_err(|e| PyRuntimeError::new_err(format!("serialising the assessment failed: {e}")))?;
            Ok((true, v.to_string()))
        }
        Err(errors) => Ok((false, errors_json(&errors))),
    })
}

/// Maps a Bundle to a Case as `hepatica assess --fhir` and batch over a Bulk
/// export do; a case without an id takes the Patient's id (as batch does).
fn fhir_case(bundle: &[u8], kb: &Knowledge) -> Result<(Case, Vec<hepatica_engine::InputWarning>), Vec<FieldError>> {
    if bundle.len() > hepatica_fhir::MAX_BUNDLE_BYTES {
        return Err(vec![FieldError {
            pointer: String::new(),
            detail: format!("expected a Bundle of at most {} bytes, got {} bytes", hepatica_fhir::MAX_BUNDLE_BYTES, bundle.len()),
        }]);
    }
    let value: Value = match json_from_slice(bundle) {
        Ok(v) => v,
        Err(JsonError::Syntax(e)) => {
            return Err(vec![FieldError {
                pointer: String::new(),
                detail: format!("expected a FHIR R4 Bundle in JSON, got invalid JSON ({e})"),
            }]);
        }
        // A repeated key is ambiguous: an error naming it (never last-wins), as the CLI.
        Err(dup) => return Err(vec![dup.field_error()]),
    };
    let mapped = hepatica_fhir::map_bundle(&value, kb, &hepatica_fhir::MapOptions::today_utc())?;
    let mut case = mapped.case;
    if case.id.is_none() {
        case.id = patient_id(&value);
    }
    Ok((case, mapped.warnings))
}

fn patient_id(bundle: &Value) -> Option<String> {
    bundle.get("entry")?.as_array()?.iter().filter_map(|e| e.get("resource")).find_map(|r| {
        (r.get("resourceType").and_then(Value::as_str) == Some("Patient"))
            .then(|| r.get("id").and_then(Value::as_str).map(str::to_string))?
    })
}

/// Looks a drug or regimen up (contract section 4), as `hepatica drug --format json`.
#[pyfunction]
fn drug_json(py: Python<'_>, query: &str, limit: usize) -> String {
    static INDEX: OnceLock<DrugIndex> = OnceLock::new();
    py.detach(|| {
        let index = INDEX.get_or_init(|| DrugIndex::new(Knowledge::embedded()));
        serde_json::to_string(&index.lookup(query, limit)).expect("drug answers serialise")
    })
}

/// Searches all content (contract section 5), as `hepatica ask --format json`,
/// with the contract's `urgent` object when the question describes a red flag.
#[pyfunction]
fn ask_json(py: Python<'_>, question: &str, limit: usize) -> PyResult<String> {
    static INDEX: OnceLock<Result<AskIndex, String>> = OnceLock::new();
    py.detach(|| {
        let index = INDEX.get_or_init(|| AskIndex::build(Knowledge::embedded()).map_err(|e| e.to_string()));
        match index {
            Ok(index) => Ok(serde_json::to_string(&index.search(question, limit)).expect("ask answers serialise")),
            Err(e) => Err(PyRuntimeError::new_err(format!("building the search index failed: {e}"))),
        }
    })
}

/// Every knowledge-base release this build embeds, oldest first, as
/// `hepatica kb versions --format json` lists them.
#[pyfunction]
fn kb_versions_json(py: Python<'_>) -> String {
    py.detach(|| serde_json::to_string(&Knowledge::catalogue()).expect("the catalogue serialises"))
}

/// Program and contract versions.
#[pyfunction]
fn versions_json() -> String {
    serde_json::json!({ "program": env!("CARGO_PKG_VERSION"), "contract": hepatica_engine::CONTRACT }).to_string()
}

/// The names of the Arrow result columns, in order (without `errors`).
#[pyfunction]
fn column_names() -> Vec<&'static str> {
    columnar::column_names()
}

/// Reads an Arrow array out of a `(schema, array)` PyCapsule pair, taking
/// ownership of the array (its buffers stay where the producer put them).
fn import_array(schema: &Bound<'_, PyCapsule>, array: &Bound<'_, PyCapsule>) -> PyResult<ArrayRef> {
    let schema_ptr = schema.pointer_checked(Some(SCHEMA_CAPSULE))?.cast::<FFI_ArrowSchema>();
    let array_ptr = array.pointer_checked(Some(ARRAY_CAPSULE))?.cast::<FFI_ArrowArray>();
    // SAFETY: the capsules are named as the Arrow PyCapsule protocol requires,
    // so they point at a valid ArrowSchema and ArrowArray. `from_raw` moves the
    // array out (leaving a released one, which the capsule's destructor then
    // ignores), so its release callback runs exactly once, when we drop it.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr());
        from_ffi(array, schema_ptr.as_ref())
    }
    .map_err(|e| PyValueError::new_err(format!("expected an Arrow array, got one that could not be imported ({e})")))?;
    Ok(make_array(data))
}

/// One input per row: the text, or `None` for a null.
fn texts(array: &ArrayRef) -> PyResult<Vec<Option<&str>>> {
    match array.data_type() {
        DataType::Utf8 => Ok(array.as_string::<i32>().iter().collect()),
        DataType::LargeUtf8 => Ok(array.as_string::<i64>().iter().collect()),
        DataType::Utf8View => Ok(array.as_string_view().iter().collect()),
        DataType::Binary => Ok(array.as_binary::<i32>().iter().map(|b| b.and_then(|b| std::str::from_utf8(b).ok())).collect()),
        DataType::LargeBinary => Ok(array.as_binary::<i64>().iter().map(|b| b.and_then(|b| std::str::from_utf8(b).ok())).collect()),
        other => Err(PyTypeError::new_err(format!("expected a column of JSON strings (string, large_string or string_view), got {other}"))),
    }
}

/// Assesses a column of Case (or FHIR Bundle, with `fhir`) JSON strings given
/// as Arrow PyCapsules. Returns the result record batch as a `(schema, array)`
/// PyCapsule pair: the [`columnar`] columns plus `errors` (the pointer list as
/// JSON, null for a valid row; the other columns but `case_id` are then null).
#[pyfunction]
#[pyo3(signature = (schema, array, fhir, kb=None))]
fn assess_arrow<'py>(
    py: Python<'py>,
    schema: &Bound<'py, PyCapsule>,
    array: &Bound<'py, PyCapsule>,
    fhir: bool,
    kb: Option<&str>,
) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
    let kb = kb_arg(kb)?;
    let input = import_array(schema, array)?;
    let (batch, errors) = py.detach(|| -> PyResult<(RecordBatch, StringArray)> {
        let rows = texts(&input)?;
        let results: Vec<Result<Decisions, (Option<String>, Vec<FieldError>)>> = rows
            .par_iter()
            .with_min_len(SUB_CHUNK)
            .map(|text| {
                let Some(text) = text else {
                    let what = if fhir { "a FHIR R4 Bundle JSON string" } else { "a Case JSON string" };
                    return Err((None, vec![FieldError { pointer: String::new(), detail: format!("expected {what}, got null") }]));
                };
                let case = if fhir { fhir_case(text.as_bytes(), kb).map(|(c, _)| c) } else { case_from_json(text.as_bytes()) };
                match case {
                    Ok(c) => Ok(assess_summary(kb, &c)),
                    Err(errors) => Err((if fhir { None } else { id_of(text) }, errors)),
                }
            })
            .collect();
        let mut builder = RowsBuilder::new(kb);
        let mut errors = Vec::with_capacity(results.len());
        for r in &results {
            match r {
                Ok(a) => {
                    builder.push_decisions(a);
                    errors.push(None);
                }
                Err((id, e)) => {
                    builder.push_invalid(id.as_deref());
                    errors.push(Some(errors_json(e)));
                }
            }
        }
        Ok((builder.finish(), StringArray::from(errors)))
    })?;
    let mut fields: Vec<Arc<Field>> = batch.schema().fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new("errors", DataType::Utf8, true)));
    let schema = Schema::new_with_metadata(fields, batch.schema().metadata().clone());
    let mut columns = batch.columns().to_vec();
    columns.push(Arc::new(errors));
    let out = StructArray::try_new(schema.fields().clone(), columns, None)
        .map_err(|e| PyRuntimeError::new_err(format!("building the result columns failed: {e}")))?;
    let c_schema =
        FFI_ArrowSchema::try_from(&schema).map_err(|e| PyRuntimeError::new_err(format!("exporting the result schema failed: {e}")))?;
    let c_array = FFI_ArrowArray::new(&out.to_data());
    Ok((PyCapsule::new_with_value(py, c_schema, SCHEMA_CAPSULE)?, PyCapsule::new_with_value(py, c_array, ARRAY_CAPSULE)?))
}

/// The `id` of an invalid case, when its JSON is an object with a string id.
fn id_of(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    v.get("id")?.as_str().map(str::to_string)
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(assess_json, m)?)?;
    m.add_function(wrap_pyfunction!(assess_many_json, m)?)?;
    m.add_function(wrap_pyfunction!(validate_json, m)?)?;
    m.add_function(wrap_pyfunction!(assess_fhir_json, m)?)?;
    m.add_function(wrap_pyfunction!(drug_json, m)?)?;
    m.add_function(wrap_pyfunction!(ask_json, m)?)?;
    m.add_function(wrap_pyfunction!(kb_versions_json, m)?)?;
    m.add_function(wrap_pyfunction!(kb_error, m)?)?;
    m.add_function(wrap_pyfunction!(versions_json, m)?)?;
    m.add_function(wrap_pyfunction!(column_names, m)?)?;
    m.add_function(wrap_pyfunction!(assess_arrow, m)?)?;
    Ok(())
}
