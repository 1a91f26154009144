//! Medicines and procedures: which chemotherapy was given, and how the cancer responded.

use super::*;

impl Mapper<'_> {
    pub(super) fn drug_class(&self, cc: &CodeableConcept) -> Option<(String, String)> {
        for (c, h) in self.lookup_all(cc) {
            if let Target::Medication(class) = &h.target {
                return Some((class.clone(), c.display.clone().unwrap_or(h.display.clone())));
            }
        }
        let words = cc.words();
        let tokens: Vec<&str> = words.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|t| !t.is_empty()).collect();
        let has = |name: &str| {
            let n = name.to_lowercase();
            if n.contains(' ') { words.contains(&n) } else { tokens.contains(&n.as_str()) }
        };
        // Every catalogue drug named; a class override (`urn:hepatica:drug`) wins over
        // the catalogue class, and a chemotherapy beats a supportive companion
        // ("oxaliplatin with leucovorin" is chemotherapy; leucovorin alone is not).
        let mut named: Vec<(String, String)> = Vec::new();
        for d in &self.kb.drugs {
            if std::iter::once(&d.name).chain(&d.brand_names).chain(&d.aliases).any(|n| has(n)) {
                let class = match self.table.lookup(DRUG, &d.id).map(|h| &h.target) {
                    Some(Target::Medication(c)) => c.clone(),
                    _ => d.class.as_str().to_string(),
                };
                named.push((class, d.name.clone()));
            }
        }
        if let Some(chemo) = named.iter().find(|(c, _)| c == "chemotherapy") {
            return Some(chemo.clone());
        }
        if let Some(first) = named.into_iter().next() {
            return Some(first);
        }
        for h in self.table.rows_in("rxnorm") {
            if let Target::Medication(class) = &h.target
                && has(&h.display)
            {
                return Some((class.clone(), h.display.clone()));
            }
        }
        None
    }

    pub(super) fn medication(&mut self, e: &Entry, mu: &MedicationUse, entries: &[Entry], out: &mut Vec<ChemoGiven>) {
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
        let Some((class, name)) = self.drug_class(&cc) else {
            let label = concept_label(&cc);
            self.group(format!("{t}|{label}"), || format!("{t} {label}: not a cancer medicine Hepatica knows; not used"), &e.pointer);
            return;
        };
        if class == "supportive" {
            self.warn(
                &e.pointer,
                format!("{t} {name}: a supportive medicine (it helps other treatment work or eases side effects); never counted as chemotherapy on its own"),
            );
            return;
        }
        if class != "chemotherapy" {
            self.warn(
                &e.pointer,
                format!(
                    "{t} {name} ({}): the Case has no field for earlier {}; not used",
                    class.replace('_', " "),
                    class.replace('_', " ")
                ),
            );
            return;
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

    pub(super) fn procedure(&mut self, e: &Entry, p: &Procedure, out: &mut Vec<ChemoGiven>) {
        let Some(cc) = &p.code else {
            self.warn(&e.pointer, "Procedure has no code; not used");
            return;
        };
        let is_chemo = self.lookup_all(cc).iter().any(|(_, h)| h.target == Target::Medication("chemotherapy".into()));
        if !is_chemo {
            let label = concept_label(cc);
            self.group(format!("Procedure|{label}"), || format!("Procedure {label}: not a procedure Hepatica uses; not used"), &e.pointer);
            return;
        }
        let status = p.status.as_deref().unwrap_or("unknown");
        if !matches!(status, "completed" | "in-progress" | "stopped") {
            self.warn(
                &e.pointer,
                format!("Procedure {}: status is {status}, which does not show chemotherapy was given; not used", concept_label(cc)),
            );
            return;
        }
        let date_text = p.performed_date_time.clone().or_else(|| p.performed_period.as_ref().and_then(|x| x.start.clone()));
        out.push(ChemoGiven {
            name: cc.label(),
            pointer: e.pointer.clone(),
            date: date_text.as_deref().and_then(epoch_seconds),
            stop: None,
        });
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
