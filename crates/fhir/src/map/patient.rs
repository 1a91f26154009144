//! The patient: which Patient the record is about.

use super::*;

impl Mapper<'_> {
    pub(super) fn choose_patient(&mut self, entries: &[Entry], conds: &[CondFact]) -> Option<Vec<String>> {
        let patients: Vec<&Entry> = entries.iter().filter(|e| matches!(e.res, Res::Patient(_))).collect();
        let refs_of = |e: &Entry| -> Vec<String> {
            let mut v = Vec::new();
            if let Some(id) = e.id() {
                v.push(format!("Patient/{id}"));
            }
            if let Some(u) = &e.full_url {
                v.push(u.clone());
            }
            v
        };
        let subject_of = |c: &CondFact| -> Option<String> {
            match &entries[c.entry].res {
                Res::Condition(cond) => cond.subject.as_ref().and_then(|s| s.reference.clone()),
                _ => None,
            }
        };
        let first_primary_subject = conds.iter().filter(|c| matches!(c.kind, CondKind::Primary(..))).find_map(subject_of);
        match patients.len() {
            0 => {
                let r = first_primary_subject.or_else(|| conds.iter().find_map(subject_of))?;
                Some(vec![r])
            }
            1 => {
                let refs = refs_of(patients[0]);
                if refs.is_empty() { None } else { Some(refs) }
            }
            n => {
                let chosen = first_primary_subject
                    .as_deref()
                    .and_then(|r| patients.iter().find(|p| p.is_target_of(r)))
                    .copied()
                    .unwrap_or(patients[0]);
                self.warn(
                    &chosen.pointer,
                    format!("the record holds {n} Patient resources; only this one (and resources about them) was used"),
                );
                Some(refs_of(chosen))
            }
        }
    }
}

/// Where and when the record says the patient died.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Deceased {
    /// JSON pointer of the `deceased[x]` element.
    pub pointer: String,
    /// `deceasedDateTime`, when given.
    pub when: Option<String>,
}

/// Whether this Patient resource says the person has died.
pub(super) fn deceased(e: &Entry, p: &Patient) -> Option<Deceased> {
    if let Some(when) = &p.deceased_date_time {
        return Some(Deceased { pointer: format!("{}/deceasedDateTime", e.pointer), when: Some(when.clone()) });
    }
    (p.deceased_boolean == Some(true)).then(|| Deceased { pointer: format!("{}/deceasedBoolean", e.pointer), when: None })
}
