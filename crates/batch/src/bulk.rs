//! FHIR Bulk Data export folders: one Bundle per patient, mapped by `hepatica-fhir`.
//!
//! Not yet wired: the FHIR mapping crate is being written.

use std::io::Write;
use std::path::Path;

use hepatica_knowledge::Knowledge;

use crate::summary::Tally;
use crate::{Error, Options, Progress};

/// Checks that `folder` looks like a Bulk Data export (has `Patient.ndjson`).
pub fn check_folder(folder: &Path) -> Result<(), String> {
    let patients = folder.join("Patient.ndjson");
    if patients.is_file() {
        Ok(())
    } else {
        Err(format!("--input: expected a FHIR Bulk Data export folder containing Patient.ndjson, got {} without it", folder.display()))
    }
}

/// Runs a Bulk Data export folder through the pipeline.
pub fn run<W: Write + Send, E: Write + Send>(
    _kb: &Knowledge,
    _folder: &Path,
    _output: W,
    _errors: E,
    _opts: &Options,
    _progress: &dyn Progress,
) -> Result<Tally, Error> {
    Err(Error::Other("FHIR Bulk Data input is not available in this build yet".into()))
}
