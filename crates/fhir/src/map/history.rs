//! Contract 8.1 treatment history: which classes of treatment were given
//! (`treatment_history.previous`), from MedicationStatement,
//! MedicationAdministration, MedicationRequest and Procedure, and whether the
//! primary tumour was removed (`primary_resected`).
//!
//! A medicine counts by its code first (RxNorm, dm+d / SNOMED CT, ATC rows
//! `treatment:<class>` in `content/codes/`), then, as a reported last resort,
//! by the drug catalogue names found in its text. Only records that show the
//! treatment was given count: a plan, a proposal, a draft, a cancelled or
//! not-taken record, or a start date after today is reported and not used.
//! `lines_of_systemic_therapy` is never counted from medicines (a line is a
//! clinical judgement: regimens, switches for side effects and maintenance
//! are not lines); it is read only from an explicit source.

use super::*;
use crate::codes::{is_chemotherapy, is_liver_directed};

/// Small words a procedure's text may add or leave out ("ablation of the liver", "ablation liver").
const STOP_WORDS: &[&str] = &["of", "the", "a", "an", "to", "and", "in", "for", "with", "by"];

/// One record of treatment given that counts for `previous`.
#[derive(Debug, Clone)]
pub(super) struct Given {
    pub(super) classes: Vec<PreviousTreatment>,
    pub(super) name: String,
    pub(super) pointer: String,
}

/// What a medicine's or procedure's codes and text say it is.
#[derive(Debug, Clone, Default)]
pub(super) struct DrugHit {
    /// Contract classes (resolved for the site).
    pub(super) classes: Vec<PreviousTreatment>,
    /// The catalogue / table class when no contract class applies (`chemotherapy`, `supportive`, ...).
    pub(super) other: Option<String>,
    /// The name to show.
    pub(super) name: String,
    /// Read from text, not a code: always reported.
    pub(super) by_text: bool,
}

impl DrugHit {
    /// Whether this counts as chemotherapy given (for `chemotherapy_history`).
    pub(super) fn is_chemo(&self) -> bool {
        self.classes.iter().any(|c| is_chemotherapy(*c)) || self.other.as_deref() == Some("chemotherapy")
    }
}

fn resolve(v: &[TreatmentClass], site: PrimarySite) -> Vec<PreviousTreatment> {
    let mut out: Vec<PreviousTreatment> = v.iter().map(|c| c.resolve(site)).collect();
    out.sort();
    out.dedup();
    out
}

impl Mapper<'_> {
    /// A medicine's classes: by code, else by the catalogue names in its text (reported).
    pub(super) fn drug_hit(&self, cc: &CodeableConcept, site: PrimarySite) -> Option<DrugHit> {
        for (c, h) in self.lookup_all(cc) {
            let name = c.display.clone().unwrap_or(h.display.clone());
            match &h.target {
                Target::Treatment(v) => return Some(DrugHit { classes: resolve(v, site), other: None, name, by_text: false }),
                Target::Medication(class) => {
                    return Some(DrugHit { classes: Vec::new(), other: Some(class.clone()), name, by_text: false });
                }
                _ => {}
            }
        }
        // Last resort: catalogue names (and brand names, aliases) in the displays and text.
        let words = cc.words();
        if words.is_empty() {
            return None;
        }
        let tokens: Vec<&str> = words.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|t| !t.is_empty()).collect();
        let has = |name: &str| {
            let n = name.to_lowercase();
            if n.contains(' ') { words.contains(&n) } else { tokens.contains(&n.as_str()) }
        };
        let mut classes: Vec<PreviousTreatment> = Vec::new();
        let mut others: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        // A name several catalogue drugs share ("177Lu", "lutetium-177") names none of them on its own: a drug
        // counts only through a name that is its own, so "Lutetium (177Lu) oxodotreotide" is never Lu-PSMA too.
        let names_of = |d: &hepatica_knowledge::Drug| -> Vec<String> {
            std::iter::once(&d.name).chain(&d.brand_names).chain(&d.aliases).map(|n| n.to_lowercase()).collect()
        };
        let matched: Vec<(&hepatica_knowledge::Drug, Vec<String>)> = self
            .kb
            .drugs
            .iter()
            .map(|d| (d, names_of(d).into_iter().filter(|n| has(n)).collect::<Vec<_>>()))
            .filter(|(_, m)| !m.is_empty())
            .collect();
        let own = |d: &hepatica_knowledge::Drug, n: &str| matched.iter().all(|(o, m)| o.id == d.id || !m.iter().any(|x| x == n));
        for (d, m) in &matched {
            if !m.iter().any(|n| own(d, n)) {
                continue;
            }
            names.push(d.name.clone());
            match self.table.lookup(DRUG, &d.id).map(|h| &h.target) {
                Some(Target::Treatment(v)) => classes.extend(resolve(v, site)),
                Some(Target::Medication(c)) => others.push(c.clone()),
                _ => others.push(d.class.as_str().to_string()),
            }
        }
        if names.is_empty() {
            // The table's own displays (RxNorm ingredient names) in the text.
            let mut rows: Vec<&Hit> = self.table.rows_in("rxnorm").collect();
            rows.sort_by(|a, b| b.display.len().cmp(&a.display.len()).then_with(|| a.display.cmp(&b.display)));
            for h in rows {
                if !has(&h.display) {
                    continue;
                }
                match &h.target {
                    Target::Treatment(v) => {
                        return Some(DrugHit { classes: resolve(v, site), other: None, name: h.display.clone(), by_text: true });
                    }
                    Target::Medication(c) => {
                        return Some(DrugHit { classes: Vec::new(), other: Some(c.clone()), name: h.display.clone(), by_text: true });
                    }
                    _ => {}
                }
            }
            return None;
        }
        classes.sort();
        classes.dedup();
        // A chemotherapy beats a supportive companion ("oxaliplatin with leucovorin").
        let other = if others.iter().any(|c| c == "chemotherapy") {
            Some("chemotherapy".to_string())
        } else if classes.is_empty() {
            others.into_iter().find(|c| c != "supportive").or(Some("supportive".to_string()))
        } else {
            others.into_iter().find(|c| c != "supportive")
        };
        Some(DrugHit { classes, other, name: names.join(" with "), by_text: true })
    }

    /// Whether a medicine record shows the medicine was given, or why not.
    pub(super) fn given_status(&self, t: &str, mu: &MedicationUse) -> Result<(), String> {
        let status = mu.status.as_deref().unwrap_or("unknown");
        if !matches!(status, "completed" | "active" | "in-progress" | "on-hold" | "stopped") {
            return Err(format!("status is {status}, which does not show the medicine was given"));
        }
        if t == "MedicationRequest"
            && let Some(intent) = mu.intent.as_deref()
            && matches!(intent, "proposal" | "plan")
        {
            return Err(format!("intent is {intent}: a plan, not a medicine given"));
        }
        let start = mu
            .effective_period
            .as_ref()
            .and_then(|p| p.start.clone())
            .or_else(|| mu.effective_date_time.clone())
            .or_else(|| if t == "MedicationRequest" { mu.authored_on.clone() } else { None });
        if let (Some(start), Some(today)) = (start.as_deref(), self.opts.today)
            && let Some(d) = crate::datetime::date(start)
            && d > today
        {
            return Err(format!("it starts on {start}, after today: a plan, not a medicine given"));
        }
        Ok(())
    }

    /// Records a medicine for `previous` (called for every medicine record with a code).
    pub(super) fn medicine_for_history(&mut self, e: &Entry, t: &str, mu: &MedicationUse, hit: &DrugHit, facts: &mut Facts) {
        if hit.classes.is_empty() {
            return;
        }
        if let Err(why) = self.given_status(t, mu) {
            self.warn(&e.pointer, format!("{t} {}: {why}; not used for treatment_history.previous", hit.name));
            return;
        }
        if hit.by_text {
            self.warn(
                &e.pointer,
                format!(
                    "{t}: no medicine code Hepatica knows; read from its name as {} ({}) for treatment_history.previous (last-resort text match: check the record's coding)",
                    hit.name,
                    classes_text(&hit.classes)
                ),
            );
        }
        facts.treatments.push(Given { classes: hit.classes.clone(), name: hit.name.clone(), pointer: e.pointer.clone() });
    }

    /// A procedure: local liver treatment, removal of the primary, or chemotherapy; else reported.
    pub(super) fn procedure(&mut self, e: &Entry, p: &Procedure, out: &mut Vec<ChemoGiven>, facts: &mut Facts, site: PrimarySite) {
        let Some(cc) = &p.code else {
            self.warn(&e.pointer, "Procedure has no code; not used");
            return;
        };
        let status = p.status.as_deref().unwrap_or("unknown");
        let done = matches!(status, "completed" | "in-progress" | "stopped");
        let date_text = p.performed_date_time.clone().or_else(|| p.performed_period.as_ref().and_then(|x| x.start.clone()));
        let mut hits = self.lookup_all(cc);
        let mut by_text = None;
        if hits.is_empty()
            && let Some((kw, hit)) = self.procedure_in_text(&cc.words())
        {
            by_text = Some(kw);
            hits.push((Coding::default(), hit));
        }
        let label = concept_label(cc);
        let mut used = false;
        for (_, h) in &hits {
            match &h.target {
                Target::Medication(c) if c == "chemotherapy" => {
                    used = true;
                    if !done {
                        self.warn(
                            &e.pointer,
                            format!("Procedure {label}: status is {status}, which does not show chemotherapy was given; not used"),
                        );
                        continue;
                    }
                    out.push(ChemoGiven {
                        name: cc.label(),
                        pointer: e.pointer.clone(),
                        date: date_text.as_deref().and_then(epoch_seconds),
                        stop: None,
                    });
                }
                Target::Treatment(v) => {
                    used = true;
                    let classes = resolve(v, site);
                    if !done {
                        self.warn(&e.pointer, format!("Procedure {label}: status is {status}, which does not show it was done; not used for treatment_history.previous"));
                        continue;
                    }
                    // Local treatments count only when aimed at the liver: a radiotherapy or ablation code
                    // without the liver named is not read as liver treatment.
                    if let Some(kw) = &by_text {
                        self.warn(
                            &e.pointer,
                            format!(
                                "Procedure {label}: no procedure code Hepatica knows; read from its text {kw:?} as {} (last-resort text match: check the record's coding)",
                                classes_text(&classes)
                            ),
                        );
                    }
                    facts.treatments.push(Given { classes, name: cc.label(), pointer: e.pointer.clone() });
                }
                Target::Resection(s) => {
                    used = true;
                    if !done {
                        self.warn(&e.pointer, format!("Procedure {label}: status is {status}, which does not show the operation was done; not used for primary_resected"));
                        continue;
                    }
                    let organ = PrimarySite::parse(s).unwrap_or(PrimarySite::Other);
                    let net_ok = site == PrimarySite::Neuroendocrine
                        && matches!(organ, PrimarySite::Bowel | PrimarySite::Pancreas | PrimarySite::Stomach | PrimarySite::Lung);
                    let gist_ok = site == PrimarySite::Gist && matches!(organ, PrimarySite::Bowel | PrimarySite::Stomach);
                    if organ == site || net_ok || gist_ok {
                        if let Some(kw) = &by_text {
                            self.warn(
                                &e.pointer,
                                format!("Procedure {label}: read from its text {kw:?} as removal of the primary (last-resort text match: check the record's coding)"),
                            );
                        }
                        let order = self.next_order();
                        facts.primary_resected.push(Cand {
                            value: true,
                            date: date_text.as_deref().and_then(epoch_seconds),
                            date_text: date_text.clone(),
                            pointer: e.pointer.clone(),
                            order,
                        });
                    } else {
                        self.warn(
                            &e.pointer,
                            format!(
                                "Procedure {label}: an operation on the {} while the primary is {}; not used for primary_resected",
                                s.replace('_', " "),
                                site.as_str().replace('_', " ")
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
        if !used {
            self.group(format!("Procedure|{label}"), || format!("Procedure {label}: not a procedure Hepatica uses; not used"), &e.pointer);
        }
    }

    /// A procedure keyword in text (`urn:hepatica:text` rows with a treatment or resection meaning).
    fn procedure_in_text(&self, text: &str) -> Option<(String, Hit)> {
        if text.is_empty() {
            return None;
        }
        let padded = format!(" {} ", text.to_lowercase().replace(|c: char| !c.is_alphanumeric(), " "));
        let rows = || self.table.text_rows().filter(|(_, h)| matches!(h.target, Target::Treatment(_) | Target::Resection(_)));
        if let Some((kw, h)) = rows().find(|(kw, _)| padded.contains(&format!(" {kw} "))) {
            return Some((kw.to_string(), h.clone()));
        }
        // Word order and small words may differ ("Radiofrequency ablation liver", "liver radiofrequency
        // ablation"): every content word of the keyword, close together (a window of its own length plus two).
        let tokens: Vec<&str> = padded.split_whitespace().collect();
        rows().find_map(|(kw, h)| {
            let want: Vec<&str> = kw.split_whitespace().filter(|w| !STOP_WORDS.contains(w)).collect();
            if want.len() < 2 {
                return None;
            }
            let span = want.len() + 2;
            let found = (0..tokens.len()).any(|i| {
                let window = &tokens[i..(i + span).min(tokens.len())];
                want.iter().all(|w| window.contains(w))
            });
            found.then(|| (kw.to_string(), h.clone()))
        })
    }

    /// Fills `case.treatment_history` from the treatments and explicit observations.
    pub(super) fn treatment_history(&mut self, case: &mut Case, facts: &mut Facts) {
        let given = std::mem::take(&mut facts.treatments);
        if !given.is_empty() {
            let mut all: BTreeSet<PreviousTreatment> = BTreeSet::new();
            for g in &given {
                all.extend(g.classes.iter().copied());
            }
            case.treatment_history.previous = Some(all.iter().copied().collect());
            let systemic = all.iter().any(|p| !is_liver_directed(*p));
            if systemic && facts.lines.is_empty() {
                // Medicines only: procedures (liver-directed, resections) are not lines of systemic therapy.
                let names: BTreeSet<&str> =
                    given.iter().filter(|g| g.classes.iter().any(|p| !is_liver_directed(*p))).map(|g| g.name.as_str()).collect();
                self.warn(
                    &given[0].pointer,
                    format!(
                        "treatment_history.lines_of_systemic_therapy could not be derived: the record lists medicines ({}) but does not state which line of treatment each was (counting medicines or regimens would not give lines); left unknown",
                        names.into_iter().take(8).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        } else {
            self.warn(
                self.root.clone(),
                "treatment_history.previous left unknown: the record shows no cancer medicine or liver treatment given (that does not show none was given)",
            );
        }
        case.treatment_history.lines_of_systemic_therapy =
            self.pick("treatment_history/lines_of_systemic_therapy", std::mem::take(&mut facts.lines));
        case.treatment_history.platinum_sensitive =
            self.pick("treatment_history/platinum_sensitive", std::mem::take(&mut facts.platinum_sensitive));
        case.treatment_history.endocrine_resistant =
            self.pick("treatment_history/endocrine_resistant", std::mem::take(&mut facts.endocrine_resistant));
        let crpc = std::mem::take(&mut facts.castration_resistant);
        if case.primary_site == PrimarySite::Prostate {
            case.treatment_history.castration_resistant = self.pick("treatment_history/castration_resistant", crpc);
        } else if let Some(c) = crpc.first() {
            self.warn(&c.pointer, "castration-resistant prostate cancer is recorded but the primary is not prostate; not used");
        }
        if case.treatment_history.platinum_sensitive.is_some()
            && case.treatment_history.had(PreviousTreatment::Platinum) == Some(false)
            && case.treatment_history.had(PreviousTreatment::Oxaliplatin) == Some(false)
        {
            self.warn(
                self.root.clone(),
                "treatment_history.platinum_sensitive is recorded but no platinum medicine is in the record; kept as recorded",
            );
        }
        let resected = std::mem::take(&mut facts.primary_resected);
        case.primary_resected = self.pick("primary_resected", resected);
    }
}

/// Classes as they read in messages.
fn classes_text(v: &[PreviousTreatment]) -> String {
    v.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
}
