//! FHIR resources to a [`Case`], with a warning for everything not used.
//!
//! The mapper reads a flat list of resources, each with the JSON pointer it
//! came from, so the same code serves a Bundle (`/entry/3/resource`) and a
//! CDS Hooks prefetch (`/prefetch/conditions/entry/0/resource`). It never
//! guesses silently: a value it cannot use becomes an [`InputWarning`] that
//! says where, what, and why; a field it cannot establish stays unknown.
//! Errors are kept for the two cases the contract names: no primary cancer,
//! or a primary liver cancer.
//!
//! Split along the record's seams: [`conditions`] (which cancers, which
//! primary, why a Condition was not used), [`patient`] (whose record),
//! [`observations`] (tumour markers, variants, fitness, sizes), [`medications`]
//! (chemotherapy given and how it went), [`history`] (contract 8.1 treatment
//! history: medicines and procedures by class, primary resected), [`liver`]
//! (bilirubin, albumin, ascites, jaundice, Child-Pugh), [`pathology`]
//! (histology, grade, Ki-67, PD-L1 scores, HER2 IHC, BRCA origin, TMB),
//! [`values`] (reading answers, numbers and units) and [`warnings`] (how codes
//! read in messages).

use std::collections::{BTreeMap, BTreeSet};

use hepatica_engine::{
    Ascites, Biomarker, BiomarkerValue, BowelSide, BrcaOrigin, Case, ChemoHistory, ChildPugh, FieldError, Her2Ihc, Histology, InputWarning,
    LiverCondition, NetOrigin, PreviousTreatment, PrimarySite, Spread, TumourGrade,
};
use hepatica_knowledge::Knowledge;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::MapOptions;
use crate::codes::{CodeTable, DRUG, Hit, LOINC, Target, TreatmentClass, namespace};
use crate::datetime::epoch_seconds;
use crate::model::*;

mod conditions;
mod history;
mod liver;
mod medications;
mod observations;
mod pathology;
mod patient;
mod values;
mod warnings;

use conditions::*;
pub(crate) use patient::Deceased;
use warnings::*;

/// One resource to map and where it came from.
pub(crate) struct Input<'a> {
    /// JSON pointer of the resource.
    pub pointer: String,
    /// `Bundle.entry.fullUrl`, if any.
    pub full_url: Option<String>,
    /// The resource JSON.
    pub resource: &'a Json,
}

/// What the mapping produced.
pub(crate) struct Outcome {
    /// The case.
    pub case: Case,
    /// Everything not used, and why.
    pub warnings: Vec<InputWarning>,
    /// Whether a secondary liver cancer was found in the record.
    pub liver_secondary: bool,
    /// The patient has died: where the record says so, and when (if given).
    pub deceased: Option<Deceased>,
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[derive(Debug, Clone)]
struct Cand<T> {
    value: T,
    date: Option<i64>,
    date_text: Option<String>,
    pointer: String,
    order: usize,
}

impl Cand<()> {
    fn with<U>(&self, value: U) -> Cand<U> {
        Cand { value, date: self.date, date_text: self.date_text.clone(), pointer: self.pointer.clone(), order: self.order }
    }
}

/// Parsed resources (short-lived, one per input; boxing would not pay).
#[allow(clippy::large_enum_variant)]
enum Res {
    Patient(Patient),
    Condition(Condition),
    Observation(Observation),
    Med(&'static str, MedicationUse),
    Medication(Medication),
    Procedure(Procedure),
    BodyStructure(BodyStructure),
    Outcome(OperationOutcome),
}

struct Entry {
    pointer: String,
    full_url: Option<String>,
    res: Res,
}

impl Entry {
    fn id(&self) -> Option<&str> {
        match &self.res {
            Res::Patient(r) => r.id.as_deref(),
            Res::Condition(r) => r.id.as_deref(),
            Res::Observation(r) => r.id.as_deref(),
            Res::Med(_, r) => r.id.as_deref(),
            Res::Medication(r) => r.id.as_deref(),
            Res::Procedure(r) => r.id.as_deref(),
            Res::BodyStructure(r) => r.id.as_deref(),
            Res::Outcome(_) => None,
        }
    }

    fn type_name(&self) -> &'static str {
        match &self.res {
            Res::Patient(_) => "Patient",
            Res::Condition(_) => "Condition",
            Res::Observation(_) => "Observation",
            Res::Med(t, _) => t,
            Res::Medication(_) => "Medication",
            Res::Procedure(_) => "Procedure",
            Res::BodyStructure(_) => "BodyStructure",
            Res::Outcome(_) => "OperationOutcome",
        }
    }

    /// Whether a literal reference points at this resource.
    fn is_target_of(&self, reference: &str) -> bool {
        if self.full_url.as_deref() == Some(reference) {
            return true;
        }
        match self.id() {
            Some(id) => {
                let local = format!("{}/{}", self.type_name(), id);
                reference == local || reference.ends_with(&format!("/{local}"))
            }
            None => false,
        }
    }
}

/// Unmapped codes grouped so a big record gives one warning per distinct code.
struct Group {
    detail: String,
    pointers: Vec<String>,
}

/// Per-field candidates collected from Observations.
#[derive(Default)]
struct Facts {
    biomarkers: BTreeMap<Biomarker, Vec<Cand<BiomarkerValue>>>,
    ecog: Vec<Cand<u8>>,
    karnofsky: Vec<Cand<(u8, u8)>>,
    cea: Vec<Cand<f64>>,
    /// (lesion key, size) candidates.
    sizes: Vec<Cand<(String, f64)>>,
    node_positive: Vec<Cand<bool>>,
    disease_status: Vec<Cand<ChemoHistory>>,
    tumour_count: Vec<Cand<u32>>,
    largest_cm: Vec<Cand<f64>>,
    both_lobes: Vec<Cand<bool>>,
    near_vessels: Vec<Cand<bool>>,
    all_removable: Vec<Cand<bool>>,
    flr: Vec<Cand<f64>>,
    liver_condition: Vec<Cand<LiverCondition>>,
    no_spread: Vec<Cand<bool>>,
    fit: Vec<Cand<bool>>,
    // Contract 8.1.
    /// Bilirubin µmol/L, with the lab's upper limit of normal (µmol/L) when given.
    bilirubin: Vec<Cand<(f64, Option<f64>)>>,
    albumin: Vec<Cand<f64>>,
    ascites: Vec<Cand<Ascites>>,
    jaundice: Vec<Cand<bool>>,
    biliary_obstruction: Vec<Cand<bool>>,
    child_pugh: Vec<Cand<ChildPugh>>,
    carcinoid_syndrome: Vec<Cand<bool>>,
    castration_resistant: Vec<Cand<bool>>,
    endocrine_resistant: Vec<Cand<bool>>,
    platinum_sensitive: Vec<Cand<bool>>,
    lines: Vec<Cand<u8>>,
    percent_replaced: Vec<Cand<f64>>,
    months_controlled: Vec<Cand<f64>>,
    primary_resected: Vec<Cand<bool>>,
    net_origin: Vec<Cand<NetOrigin>>,
    histology: Vec<Cand<Histology>>,
    grade: Vec<Cand<TumourGrade>>,
    ki67: Vec<Cand<f64>>,
    pd_l1_cps: Vec<Cand<f64>>,
    pd_l1_tps: Vec<Cand<f64>>,
    pd_l1_ic: Vec<Cand<f64>>,
    /// HER2 IHC reading: 0 = 0, 1 = ultralow, 2 = 1+, 3 = 2+, 4 = 3+.
    her2_ihc: Vec<Cand<u8>>,
    /// HER2 ISH: amplified or not.
    her2_ish: Vec<Cand<bool>>,
    brca_origin: Vec<Cand<BrcaOrigin>>,
    /// Medicines and procedures that count for `previous`.
    treatments: Vec<history::Given>,
}

/// What a Condition is to the case (for reading its facets).
#[derive(Debug, Clone, Copy, PartialEq)]
enum ConditionRole {
    /// The primary chosen.
    Primary,
    /// A secondary cancer in the liver.
    LiverSecondary,
    /// Another cancer Condition.
    OtherCancer,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CondKind {
    Primary(Option<PrimarySite>, Option<BowelSide>),
    LiverSecondary,
    Spread(Spread),
}

struct CondFact {
    kind: CondKind,
    pointer: String,
    label: String,
    onset: Option<i64>,
    /// Index into entries.
    entry: usize,
    /// `condition-related` references (secondary → primary).
    related: Vec<String>,
    /// clinicalStatus is `resolved`.
    resolved: bool,
}

/// A chemotherapy record that counts as given.
struct ChemoGiven {
    name: String,
    pointer: String,
    date: Option<i64>,
    /// Set from a stop reason: refractory or intolerant.
    stop: Option<ChemoHistory>,
}

struct Mapper<'a> {
    kb: &'a Knowledge,
    opts: MapOptions,
    table: CodeTable,
    root: String,
    warnings: Vec<InputWarning>,
    groups: BTreeMap<String, Group>,
    order: usize,
    /// Whether any cancer Condition was recognised (set when a record is refused).
    cancer_seen: bool,
}

/// Maps resources to a case. `root` is the pointer used for record-wide warnings.
/// Why a record was refused, and whether it held any cancer Condition at all
/// (a CDS card explains a refusal only then; a record with no cancer is not
/// this service's business).
pub(crate) struct Refusal {
    pub errors: Vec<FieldError>,
    pub cancer_seen: bool,
}

pub(crate) fn map_resources(
    inputs: &[Input<'_>],
    kb: &Knowledge,
    root: &str,
    pre: Vec<InputWarning>,
    opts: &MapOptions,
) -> Result<Outcome, Refusal> {
    let mut m = Mapper {
        kb,
        opts: *opts,
        table: CodeTable::new(kb),
        root: root.to_string(),
        warnings: pre,
        groups: BTreeMap::new(),
        order: 0,
        cancer_seen: true,
    };
    let entries = m.parse(inputs);
    m.run(&entries).map_err(|errors| Refusal { errors, cancer_seen: m.cancer_seen })
}

impl<'a> Mapper<'a> {
    fn warn(&mut self, pointer: impl Into<String>, detail: impl Into<String>) {
        self.warnings.push(warn(pointer, detail));
    }

    /// Adds `pointer` to the group for `key`, creating it with `detail`.
    fn group(&mut self, key: String, detail: impl FnOnce() -> String, pointer: &str) {
        self.groups.entry(key).or_insert_with(|| Group { detail: detail(), pointers: Vec::new() }).pointers.push(pointer.to_string());
    }

    fn parse(&mut self, inputs: &[Input<'_>]) -> Vec<Entry> {
        fn de<T: DeserializeOwned>(v: &Json) -> Result<T, String> {
            serde_json::from_value(v.clone()).map_err(|e| e.to_string())
        }
        let mut entries = Vec::new();
        let mut ignored: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for input in inputs {
            let v = input.resource;
            let Some(rt) = v.get("resourceType").and_then(Json::as_str) else {
                self.warn(&input.pointer, "expected a FHIR resource with a resourceType, got none; not used");
                continue;
            };
            let parsed: Result<Option<Res>, String> = match rt {
                "Patient" => de(v).map(|r| Some(Res::Patient(r))),
                "Condition" => de(v).map(|r| Some(Res::Condition(r))),
                "Observation" => de(v).map(|r| Some(Res::Observation(r))),
                "MedicationRequest" => de(v).map(|r| Some(Res::Med("MedicationRequest", r))),
                "MedicationAdministration" => de(v).map(|r| Some(Res::Med("MedicationAdministration", r))),
                "MedicationStatement" => de(v).map(|r| Some(Res::Med("MedicationStatement", r))),
                "Medication" => de(v).map(|r| Some(Res::Medication(r))),
                "Procedure" => de(v).map(|r| Some(Res::Procedure(r))),
                "BodyStructure" => de(v).map(|r| Some(Res::BodyStructure(r))),
                "OperationOutcome" => de(v).map(|r| Some(Res::Outcome(r))),
                _ => Ok(None),
            };
            match parsed {
                Ok(Some(res)) => entries.push(Entry { pointer: input.pointer.clone(), full_url: input.full_url.clone(), res }),
                Ok(None) => ignored.entry(rt.to_string()).or_default().push(input.pointer.clone()),
                Err(e) => {
                    self.warn(&input.pointer, format!("expected a valid FHIR R4 {rt}, got one that could not be read ({e}); not used"))
                }
            }
        }
        for (rt, pointers) in ignored {
            let n = pointers.len();
            let detail = if n == 1 {
                format!("{rt}: Hepatica does not read this resource type; not used")
            } else {
                format!("{rt}: Hepatica does not read this resource type; {n} resources not used (first at this pointer)")
            };
            self.warn(&pointers[0], detail);
        }
        entries
    }

    fn next_order(&mut self) -> usize {
        self.order += 1;
        self.order
    }

    fn lookup_all(&self, cc: &CodeableConcept) -> Vec<(Coding, Hit)> {
        cc.coding
            .iter()
            .filter_map(|c| match (&c.system, &c.code) {
                (Some(s), Some(code)) => self.table.lookup(s, code).map(|h| (c.clone(), h.clone())),
                _ => None,
            })
            .collect()
    }

    fn run(&mut self, entries: &[Entry]) -> Result<Outcome, Vec<FieldError>> {
        // Conditions first: they decide the patient and the primary.
        let mut conds: Vec<CondFact> = Vec::new();
        let mut seen: Vec<Seen> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if let Res::Condition(c) = &e.res {
                self.condition(i, e, c, &mut conds, &mut seen);
            }
        }

        // Which patient the record is about.
        let patient_refs = self.choose_patient(entries, &conds);
        let belongs = |m: &mut Mapper<'_>, e: &Entry, subject: Option<&Reference>| -> bool {
            let Some(refs) = &patient_refs else { return true };
            match subject.and_then(|s| s.reference.as_deref()) {
                None => {
                    m.warn(
                        &e.pointer,
                        format!("{} has no subject; assumed to be about the same patient as the rest of the record", e.type_name()),
                    );
                    true
                }
                Some(r) if refs.iter().any(|p| p == r || r.ends_with(&format!("/{p}"))) => true,
                Some(r) => {
                    m.warn(&e.pointer, format!("{} is about {r}, not the patient this record is mapped for; not used", e.type_name()));
                    false
                }
            }
        };
        let mut kept = Vec::new();
        for c in conds {
            let e = &entries[c.entry];
            let Res::Condition(cond) = &e.res else { continue };
            if belongs(self, e, cond.subject.as_ref()) {
                kept.push(c);
            } else {
                let who = cond.subject.as_ref().and_then(|s| s.reference.clone()).unwrap_or_default();
                seen.push(Seen { pointer: c.pointer.clone(), label: c.label.clone(), reason: format!("about another patient ({who})") });
            }
        }
        let conds = kept;

        // The primary.
        let Primary { chosen, site, side, livers } = self.choose_primary(entries, &conds, &seen)?;
        let chosen = &conds[chosen];
        let livers: Vec<&CondFact> = livers.iter().map(|&i| &conds[i]).collect();
        let mut case = Case::new(site);
        if site == PrimarySite::Bowel {
            case.bowel_side = side;
        }
        let liver_secondary = !livers.is_empty();
        if !liver_secondary {
            self.warn(
                self.root.clone(),
                "no secondary liver cancer Condition found (SNOMED CT 94381002, ICD-10 C78.7 or C7B.02); the assessment assumes the cancer has spread to the liver",
            );
        }

        // Patient id.
        let mut deceased = None;
        for e in entries {
            if let Res::Patient(p) = &e.res
                && patient_refs.as_ref().is_none_or(|refs| refs.iter().any(|r| e.is_target_of(r)))
            {
                case.id = p.id.clone();
                deceased = patient::deceased(e, p);
                break;
            }
        }

        // Disease-free interval: primary diagnosis to liver spread.
        let liver_onset = livers.iter().filter_map(|l| l.onset).min();
        if let (Some(p), Some(l)) = (chosen.onset, liver_onset) {
            let months = ((l - p) as f64 / 86_400.0 / 30.4375).max(0.0);
            case.disease_free_interval_months = Some((months * 10.0).round() / 10.0);
        }

        // Everything else, for this patient only.
        let mut facts = Facts::default();
        let mut chemo: Vec<ChemoGiven> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            match &e.res {
                Res::Observation(o) if belongs(self, e, o.subject.as_ref()) => {
                    self.observation(e, o, entries, &conds, &mut facts);
                }
                Res::Med(_, mu) if belongs(self, e, mu.subject.as_ref()) => {
                    self.medication(e, mu, entries, &mut chemo, &mut facts, site);
                }
                Res::Procedure(p) if belongs(self, e, p.subject.as_ref()) => {
                    self.procedure(e, p, &mut chemo, &mut facts, site);
                }
                Res::Condition(c) if belongs(self, e, c.subject.as_ref()) => {
                    let role = conds.iter().find(|f| f.entry == i).map(|f| match f.kind {
                        CondKind::Primary(..) if std::ptr::eq(f, chosen) => ConditionRole::Primary,
                        CondKind::LiverSecondary => ConditionRole::LiverSecondary,
                        _ => ConditionRole::OtherCancer,
                    });
                    self.condition_facets(e, c, role, &mut facts);
                }
                Res::Outcome(oo) => {
                    let issues: Vec<String> = oo
                        .issue
                        .iter()
                        .map(|i| {
                            format!(
                                "{} {}{}",
                                i.severity.as_deref().unwrap_or("?"),
                                i.code.as_deref().unwrap_or("?"),
                                i.diagnostics.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
                            )
                        })
                        .collect();
                    self.warn(
                        &e.pointer,
                        format!("OperationOutcome from the sender ({}); data it stands for is missing", issues.join("; ")),
                    );
                }
                _ => {}
            }
        }

        // Spread outside the liver.
        let mut spread: BTreeSet<Spread> = BTreeSet::new();
        for c in &conds {
            if let CondKind::Spread(s) = c.kind {
                spread.insert(s);
            }
        }
        let no_spread = self.pick("spread_elsewhere", std::mem::take(&mut facts.no_spread));
        case.spread_elsewhere = match (spread.is_empty(), no_spread) {
            (false, Some(false)) => {
                self.warn(self.root.clone(), "a Hepatica spread_elsewhere Observation says the liver is the only place, but secondary cancer Conditions elsewhere are recorded; used the Conditions");
                Some(spread.into_iter().collect())
            }
            (false, _) => Some(spread.into_iter().collect()),
            (true, Some(false)) => Some(Vec::new()),
            (true, Some(true)) => {
                self.warn(self.root.clone(), "a Hepatica spread_elsewhere Observation says the cancer has spread outside the liver but no place is recorded; counted as other");
                Some(vec![Spread::Other])
            }
            (true, None) => {
                self.warn(
                    self.root.clone(),
                    "the record does not show whether the cancer has spread outside the liver (no secondary cancer Condition elsewhere, and nothing saying there is none); spread_elsewhere left unknown",
                );
                None
            }
        };

        // Observations to fields.
        for (b, cands) in std::mem::take(&mut facts.biomarkers) {
            if let Some(v) = self.pick(&format!("biomarkers/{}", b.as_str()), cands) {
                case.biomarkers.insert(b, v);
            }
        }
        let ecog = std::mem::take(&mut facts.ecog);
        let karnofsky = std::mem::take(&mut facts.karnofsky);
        case.performance_status = if !ecog.is_empty() {
            if !karnofsky.is_empty() {
                self.warn(&karnofsky[0].pointer, "Karnofsky score not used: an ECOG score is recorded and was used instead");
            }
            self.pick("performance_status", ecog)
        } else if let Some((k, e)) = self.pick("performance_status (Karnofsky)", karnofsky.clone()) {
            let c = karnofsky.iter().max_by_key(|c| (c.date.unwrap_or(i64::MIN), c.order)).map(|c| c.pointer.clone()).unwrap_or_default();
            self.warn(
                c,
                format!("performance_status {e} converted from Karnofsky {k}% (no ECOG score recorded); the conversion is approximate"),
            );
            Some(e)
        } else {
            None
        };
        case.cea_ng_ml = self.pick("cea_ng_ml", std::mem::take(&mut facts.cea));
        case.primary_node_positive = self.pick("primary_node_positive", std::mem::take(&mut facts.node_positive));

        // Liver: sizes are per lesion; latest per lesion, then the largest.
        let sizes = std::mem::take(&mut facts.sizes);
        let largest_direct = self.pick("liver/largest_tumour_cm", std::mem::take(&mut facts.largest_cm));
        if !sizes.is_empty() {
            // Measurements tied to a lesion (focus): the latest of each. Without a
            // focus lesions cannot be told apart: the latest study's measurements.
            let mut per_lesion: BTreeMap<String, &Cand<(String, f64)>> = BTreeMap::new();
            for c in sizes.iter().filter(|c| !c.value.0.is_empty()) {
                let slot = per_lesion.entry(c.value.0.clone()).or_insert(c);
                if (c.date.unwrap_or(i64::MIN), c.order) > (slot.date.unwrap_or(i64::MIN), slot.order) {
                    *slot = c;
                }
            }
            let unfocused: Vec<&Cand<(String, f64)>> = sizes.iter().filter(|c| c.value.0.is_empty()).collect();
            let latest_date = unfocused.iter().map(|c| c.date.unwrap_or(i64::MIN)).max();
            let latest_study: Vec<&&Cand<(String, f64)>> =
                unfocused.iter().filter(|c| Some(c.date.unwrap_or(i64::MIN)) == latest_date).collect();
            let largest = per_lesion.values().map(|c| c.value.1).chain(latest_study.iter().map(|c| c.value.1)).fold(f64::MIN, f64::max);
            let superseded = sizes.len() - per_lesion.len() - latest_study.len();
            if superseded > 0 {
                self.warn(
                    &sizes[0].pointer,
                    format!("{superseded} earlier liver tumour size measurement(s) not used; the latest of each tumour (or of the latest study, where no tumour is named) was used"),
                );
            }
            if let Some(d) = largest_direct {
                self.warn(self.root.clone(), format!("largest_tumour_cm: a Hepatica case-field Observation ({d} cm) and tumour size Observations ({largest} cm) both given; used the case field"));
                case.liver.largest_tumour_cm = Some(d);
            } else {
                case.liver.largest_tumour_cm = Some(largest);
            }
        } else {
            case.liver.largest_tumour_cm = largest_direct;
        }
        case.liver.tumour_count = self.pick("liver/tumour_count", std::mem::take(&mut facts.tumour_count));
        case.liver.both_lobes = self.pick("liver/both_lobes", std::mem::take(&mut facts.both_lobes));
        case.liver.near_major_vessels = self.pick("liver/near_major_vessels", std::mem::take(&mut facts.near_vessels));
        case.liver.all_removable = self.pick("liver/all_removable", std::mem::take(&mut facts.all_removable));
        case.liver.future_liver_remnant_percent = self.pick("liver/future_liver_remnant_percent", std::mem::take(&mut facts.flr));
        case.liver.liver_condition = self.pick("liver/liver_condition", std::mem::take(&mut facts.liver_condition));
        case.fit_for_major_surgery = self.pick("fit_for_major_surgery", std::mem::take(&mut facts.fit));

        // Chemotherapy history.
        case.chemotherapy_history = self.chemo_history(chemo, std::mem::take(&mut facts.disease_status));

        // Contract 8.1 facts.
        self.treatment_history(&mut case, &mut facts);
        self.liver_function(&mut case, &mut facts);
        self.pathology(&mut case, &mut facts);
        self.patient_facts(&mut case, entries, patient_refs.as_ref(), &mut facts);

        // Grouped "not used" codes.
        let groups = std::mem::take(&mut self.groups);
        let grouped: Vec<InputWarning> = groups
            .into_values()
            .map(|g| {
                let n = g.pointers.len();
                let detail = if n == 1 {
                    g.detail
                } else {
                    let more: Vec<&str> = g.pointers[1..].iter().take(5).map(String::as_str).collect();
                    let rest = if n - 1 > more.len() { format!(" and {} more", n - 1 - more.len()) } else { String::new() };
                    format!("{} ({n} resources: also {}{rest})", g.detail, more.join(", "))
                };
                warn(g.pointers[0].clone(), detail)
            })
            .collect();
        self.warnings.extend(grouped);
        // Record-wide warnings first, then in record order (stable within a resource).
        self.warnings.sort_by_key(|w| pointer_order(&w.pointer));
        Ok(Outcome { case, warnings: std::mem::take(&mut self.warnings), liver_secondary, deceased })
    }

    /// The latest candidate by date (undated ones lose), warning about disagreeing ones.
    fn pick<T: Clone + PartialEq + std::fmt::Debug + Show>(&mut self, field: &str, cands: Vec<Cand<T>>) -> Option<T> {
        let best = cands.iter().max_by_key(|c| (c.date.is_some(), c.date.unwrap_or(i64::MIN), c.order))?.clone();
        let differing: Vec<&Cand<T>> = cands.iter().filter(|c| c.value != best.value).collect();
        if !differing.is_empty() {
            let others: Vec<String> = differing
                .iter()
                .take(3)
                .map(|c| format!("{} gives {} ({})", c.pointer, c.value.show(), c.date_text.as_deref().unwrap_or("undated")))
                .collect();
            let more = if differing.len() > 3 { format!(" and {} more", differing.len() - 3) } else { String::new() };
            self.warn(
                &best.pointer,
                format!(
                    "{field}: results disagree; used the latest, {} ({}), from this resource; {}{more}",
                    best.value.show(),
                    best.date_text.as_deref().unwrap_or("undated"),
                    others.join("; ")
                ),
            );
        }
        Some(best.value)
    }
}

fn pointer_order(p: &str) -> Vec<(u64, String)> {
    p.split('/').map(|s| s.parse::<u64>().map(|n| (n, String::new())).unwrap_or((u64::MAX, s.to_string()))).collect()
}

/// How a value reads in messages.
trait Show {
    fn show(&self) -> String;
}
impl Show for BiomarkerValue {
    fn show(&self) -> String {
        self.as_str().to_string()
    }
}
impl Show for ChemoHistory {
    fn show(&self) -> String {
        self.as_str().to_string()
    }
}
macro_rules! show_wire {
    ($($t:ty),*) => {$(
        impl Show for $t {
            fn show(&self) -> String {
                self.as_str().to_string()
            }
        }
    )*};
}
show_wire!(LiverCondition, Ascites, ChildPugh, Histology, TumourGrade, BrcaOrigin, NetOrigin);
impl Show for u8 {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for u32 {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for f64 {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for bool {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for (f64, Option<f64>) {
    fn show(&self) -> String {
        match self.1 {
            Some(u) => format!("{} µmol/L (upper limit {u})", self.0),
            None => format!("{} µmol/L", self.0),
        }
    }
}
impl Show for (u8, u8) {
    fn show(&self) -> String {
        format!("Karnofsky {}%", self.0)
    }
}
