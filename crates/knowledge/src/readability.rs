//! Readability of patient text (SMOG and Flesch-Kincaid grade).
//!
//! `check_patient_text` runs over every piece of patient-facing content and
//! reports passages above the gates in `shared/domain/quality-standards.md`.

use crate::{Diagnostic, Knowledge};

/// Reports patient text that is too hard to read. (Filled in with the readability gates.)
pub fn check_patient_text(_kb: &Knowledge) -> Vec<Diagnostic> {
    Vec::new()
}
