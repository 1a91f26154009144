//! `hepatica assess`: one case in, its assessment out.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use hepatica_engine::{Audience, assess, case_from_json, parse::MAX_CASE_BYTES};
use hepatica_knowledge::Knowledge;

use crate::{AssessArgs, AudienceArg, EXIT_OK, Format, invalid, render};

/// Reads the case, assesses it and prints it in the chosen format.
pub fn run(args: AssessArgs) -> anyhow::Result<u8> {
    let audience = match args.audience {
        AudienceArg::Patient => Audience::Patient,
        AudienceArg::Clinician => Audience::Clinician,
    };
    let kb = match crate::knowledge(&args.kb) {
        Ok(kb) => kb,
        Err(code) => return Ok(code),
    };
    if let Some(path) = &args.fhir {
        return crate::cmd_assess::fhir(kb, path, args.format, audience);
    }
    let bytes = match read_input(args.file.as_deref()) {
        Ok(b) => b,
        Err(problem) => return Ok(invalid(&[problem])),
    };
    let case = match case_from_json(&bytes) {
        Ok(c) => c,
        Err(problems) => return Ok(invalid(&problems)),
    };
    let assessment = assess(kb, &case, audience);
    let text = render::assessment_with_case(&assessment, &case, args.format, kb);
    crate::print_stdout(&text).context("writing the assessment")?;
    Ok(EXIT_OK)
}

/// Reads FILE, or stdin for `-` or no FILE, refusing anything over the size limit.
/// A problem is reported as an input error (exit 2) naming the file.
pub fn read_input(file: Option<&Path>) -> Result<Vec<u8>, String> {
    let limit = MAX_CASE_BYTES as u64 + 1;
    let mut buf = Vec::new();
    let (name, result) = match file {
        None => ("stdin".to_string(), std::io::stdin().lock().take(limit).read_to_end(&mut buf)),
        Some(p) if p == Path::new("-") => ("stdin".to_string(), std::io::stdin().lock().take(limit).read_to_end(&mut buf)),
        Some(p) => {
            let name = p.display().to_string();
            match std::fs::File::open(p) {
                Ok(f) => (name, f.take(limit).read_to_end(&mut buf)),
                Err(e) => return Err(format!("{name}: expected a readable case file, got {e}")),
            }
        }
    };
    match result {
        Ok(_) if buf.len() as u64 >= limit => Err(format!("/: expected a case of at most {MAX_CASE_BYTES} bytes, got more from {name}")),
        Ok(_) => Ok(buf),
        Err(e) => Err(format!("{name}: expected readable input, got {e}")),
    }
}

/// `assess --fhir`: maps a FHIR R4 Bundle to a Case, assesses it and prints it;
/// what could not be mapped goes into `input_warnings`. Exit 2 with pointer
/// errors when the file is not a Bundle or names no usable primary cancer.
fn fhir(kb: &Knowledge, path: &Path, format: Format, audience: Audience) -> anyhow::Result<u8> {
    let name = path.display().to_string();
    let limit = hepatica_fhir::MAX_BUNDLE_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        match std::fs::File::open(path) {
            Ok(f) => f.take(limit).read_to_end(&mut bytes),
            Err(e) => return Ok(invalid(&[format!("{name}: expected a readable FHIR Bundle file, got {e}")])),
        }
    };
    if let Err(e) = read {
        return Ok(invalid(&[format!("{name}: expected readable input, got {e}")]));
    }
    if bytes.len() as u64 >= limit {
        return Ok(invalid(&[format!("/: expected a Bundle of at most {} bytes, got more from {name}", hepatica_fhir::MAX_BUNDLE_BYTES)]));
    }
    let value: serde_json::Value = match hepatica_engine::parse::json_from_slice(&bytes) {
        Ok(v) => v,
        Err(hepatica_engine::parse::JsonError::Syntax(e)) => {
            return Ok(invalid(&[format!("/: expected a FHIR R4 Bundle in JSON, got invalid JSON ({e})")]));
        }
        // A repeated key is ambiguous: an error naming it, as on the API (never last-wins).
        Err(dup) => return Ok(invalid(&[dup.field_error()])),
    };
    let mapped = match hepatica_fhir::map_bundle(&value, kb, &hepatica_fhir::MapOptions::today_utc()) {
        Ok(m) => m,
        Err(problems) => return Ok(invalid(&problems)),
    };
    let mut assessment = assess(kb, &mapped.case, audience);
    assessment.input_warnings.extend(mapped.warnings);
    let text = match format {
        // JSON adds the Case as mapped, as `POST /api/v1/assess/fhir` does.
        Format::Json => {
            let v = hepatica_fhir::with_mapped_case(&assessment, &mapped.case).context("serialising the assessment")?;
            serde_json::to_string_pretty(&v).context("serialising the assessment")? + "\n"
        }
        _ => render::assessment_with_case(&assessment, &mapped.case, format, kb),
    };
    crate::print_stdout(&text).context("writing the assessment")?;
    Ok(EXIT_OK)
}
