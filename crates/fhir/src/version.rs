//! Telling FHIR STU3 and DSTU2 records from R4 ones, and naming them.
//!
//! Hepatica reads R4 (4.0.1) only. Older releases differ exactly where the
//! mapper looks: DSTU2 Conditions name the patient in `patient` (R4:
//! `subject`), carry `dateRecorded` and one `category` object; STU3 and DSTU2
//! give `clinicalStatus` and `verificationStatus` as plain strings (R4:
//! CodeableConcepts); DSTU2 prescriptions are `MedicationOrder` (R4:
//! MedicationRequest). Mapping such a record as R4 would silently drop its
//! diagnoses, so it is refused with the release named and the fields that
//! show it. Pure: looks at JSON only.

use hepatica_engine::FieldError;
use serde_json::Value;

use crate::map::Input;

/// A FHIR release older than R4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Release {
    Stu3,
    Dstu2,
}

/// The release a resource's shape shows, and the fields that show it.
fn shape(r: &Value) -> Option<(Release, Vec<&'static str>)> {
    let rt = r.get("resourceType").and_then(Value::as_str)?;
    let mut dstu2 = Vec::new();
    let mut stu3 = Vec::new();
    match rt {
        "MedicationOrder" => dstu2.push("resourceType MedicationOrder (R4: MedicationRequest)"),
        "Condition" => {
            if r.get("patient").is_some() && r.get("subject").is_none() {
                dstu2.push("Condition.patient (R4: subject)");
            }
            if r.get("dateRecorded").is_some() {
                dstu2.push("Condition.dateRecorded (R4: recordedDate)");
            }
            if r.get("category").is_some_and(Value::is_object) {
                dstu2.push("Condition.category as one object (R4: a list)");
            }
            if r.get("clinicalStatus").is_some_and(Value::is_string) {
                stu3.push("Condition.clinicalStatus as a string (R4: a CodeableConcept)");
            }
            if r.get("verificationStatus").is_some_and(Value::is_string) {
                stu3.push("Condition.verificationStatus as a string (R4: a CodeableConcept)");
            }
            if r.get("assertedDate").is_some() {
                stu3.push("Condition.assertedDate (R4: an extension)");
            }
        }
        _ => return None,
    }
    if !dstu2.is_empty() {
        dstu2.extend(stu3);
        Some((Release::Dstu2, dstu2))
    } else if !stu3.is_empty() {
        Some((Release::Stu3, stu3))
    } else {
        None
    }
}

/// The refusal for a record whose resources are STU3- or DSTU2-shaped, if any are.
pub(crate) fn not_r4(inputs: &[Input<'_>]) -> Option<Vec<FieldError>> {
    let found: Vec<(&Input<'_>, Release, Vec<&'static str>)> =
        inputs.iter().filter_map(|i| shape(i.resource).map(|(r, why)| (i, r, why))).collect();
    let release = found.iter().map(|f| f.1).max()?;
    let name = match release {
        Release::Stu3 => "STU3 (3.0)",
        Release::Dstu2 => "DSTU2 (1.0)",
    };
    let (first, _, why) = found.iter().find(|f| f.1 == release).expect("one of that release");
    let mut errors = vec![FieldError {
        pointer: first.pointer.clone(),
        detail: format!(
            "expected FHIR R4 (4.0.1), got a FHIR {name} record: {}; Hepatica reads R4 only (ask the sender for R4, e.g. US Core or mCODE, or convert the record)",
            why.join(", ")
        ),
    }];
    let more = found.len() - 1;
    if more > 0 {
        errors.push(FieldError {
            pointer: first.pointer.clone(),
            detail: format!("{more} more resources in this record have the same older shape"),
        });
    }
    Some(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_release() {
        let dstu2 = json!({"resourceType": "Condition", "patient": {"display": "x"}, "verificationStatus": "confirmed"});
        assert_eq!(shape(&dstu2).map(|s| s.0), Some(Release::Dstu2));
        let stu3 = json!({"resourceType": "Condition", "subject": {"reference": "Patient/1"}, "clinicalStatus": "active"});
        assert_eq!(shape(&stu3).map(|s| s.0), Some(Release::Stu3));
        let r4 = json!({"resourceType": "Condition", "subject": {"reference": "Patient/1"}, "clinicalStatus": {"coding": []}});
        assert_eq!(shape(&r4), None);
    }
}
