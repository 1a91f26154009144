//! Medicines and procedures: which chemotherapy was given, and how the cancer responded.

use super::*;

impl Mapper<'_> {
    pub(super) fn medication(
        &mut self,
        e: &Entry,
        mu: &MedicationUse,
        entries: &[Entry],
        out: &mut Vec<ChemoGiven>,
        facts: &mut Facts,
        site: PrimarySite,
    ) {
        let t = e.type_name();
        let cc = mu.medication_codeable_concept.clone().or_else(|| {
            let r = mu.medication_reference.as_ref()?.reference.as_deref()?;
            if let Some(local) = r.strip_prefix('#') {
                mu.contained
                    .iter()
                    .find(|c| c.get("id").and_then(Json::as_str) == Some(local))
                    .and_then(|c| serde_json::from_value::<Medication>(c.clone()).ok())
                    .and_then(|m| m.code)
            } else {
                entries.iter().find(|x| matches!(x.res, Res::Medication(_)) && x.is_target_of(r)).and_then(|x| match &x.res {
                    Res::Medication(m) => m.code.clone(),
                    _ => None,
                })
            }
        });
        let Some(cc) = cc else {
            self.warn(
                &e.pointer,
                format!(
                    "{t} names no medicine Hepatica can read (no medicationCodeableConcept, or a reference it cannot resolve); not used"
                ),
            );
            return;
        };
        let Some(hit) = self.drug_hit(&cc, site) else {
            let label = concept_label(&cc);
            self.group(format!("{t}|{label}"), || format!("{t} {label}: not a cancer medicine Hepatica knows; not used"), &e.pointer);
            return;
        };
        let name = hit.name.clone();
        if hit.classes.is_empty() && hit.other.as_deref() == Some("supportive") {
            self.warn(
                &e.pointer,
                format!("{t} {name}: a supportive medicine (it helps other treatment work or eases side effects); never counted as chemotherapy on its own"),
            );
            return;
        }
        self.medicine_for_history(e, t, mu, &hit, facts);
        if !hit.is_chemo() {
            if hit.classes.is_empty() {
                let class = hit.other.clone().unwrap_or_default().replace('_', " ");
                self.warn(
                    &e.pointer,
                    format!("{t} {name} ({class}): contract 8.1 treatment_history.previous has no class for it; not used"),
                );
            }
            return;
        }
        if hit.classes.is_empty() && hit.by_text {
            // Chemotherapy with no `previous` class, named only in text: say so once here.
            self.warn(&e.pointer, format!("{t}: no medicine code Hepatica knows; read from its name as {name} (chemotherapy) for chemotherapy_history (last-resort text match)"));
        } else if hit.classes.is_empty() {
            self.warn(
                &e.pointer,
                format!("{t} {name}: counted as chemotherapy given; contract 8.1 treatment_history.previous has no class for it"),
            );
        }
        let status = mu.status.as_deref().unwrap_or("unknown");
        let given = matches!(status, "completed" | "active" | "in-progress" | "on-hold" | "stopped");
        if !given {
            self.warn(
                &e.pointer,
                format!(
                    "{t} {name}: status is {status}, which does not show the chemotherapy was given; not used for chemotherapy_history"
                ),
            );
            return;
        }
        let date_text = mu
            .effective_date_time
            .clone()
            .or_else(|| mu.effective_period.as_ref().and_then(|p| p.start.clone()))
            .or_else(|| mu.authored_on.clone());
        let stop = if status == "stopped" {
            let w: String = mu.status_reason.iter().map(|c| c.words()).collect::<Vec<_>>().join(" | ");
            if ["progress", "refractory", "no response", "not respond", "absent response", "worse"].iter().any(|k| w.contains(k)) {
                Some(ChemoHistory::Refractory)
            } else if ["toxic", "tolerat", "adverse", "side effect", "side-effect", "intoleran"].iter().any(|k| w.contains(k)) {
                Some(ChemoHistory::Intolerant)
            } else {
                None
            }
        } else {
            None
        };
        out.push(ChemoGiven { name, pointer: e.pointer.clone(), date: date_text.as_deref().and_then(epoch_seconds), stop });
    }

    pub(super) fn chemo_history(&mut self, given: Vec<ChemoGiven>, status: Vec<Cand<ChemoHistory>>) -> Option<ChemoHistory> {
        if given.is_empty() {
            if !status.is_empty() {
                self.warn(&status[0].pointer, "disease status recorded, but no chemotherapy; not used for chemotherapy_history");
            }
            return None;
        }
        let latest = given.iter().max_by_key(|g| g.date.unwrap_or(i64::MIN)).expect("non-empty");
        if let Some(s) = latest.stop {
            return Some(s);
        }
        let first_chemo = given.iter().filter_map(|g| g.date).min();
        let after: Vec<Cand<ChemoHistory>> = status
            .into_iter()
            .filter(|s| match (s.date, first_chemo) {
                (Some(d), Some(c)) => d >= c,
                _ => true,
            })
            .collect();
        if let Some(v) = self.pick("chemotherapy_history (disease status)", after) {
            return Some(v);
        }
        let names: BTreeSet<&str> = given.iter().map(|g| g.name.as_str()).collect();
        self.warn(
            &latest.pointer,
            format!(
                "chemotherapy is recorded ({}) but not how the cancer responded (no disease status Observation, LOINC 97509-4, or stop reason); chemotherapy_history left unknown",
                names.into_iter().collect::<Vec<_>>().join(", ")
            ),
        );
        None
    }
}
