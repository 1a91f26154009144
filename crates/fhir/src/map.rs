//! FHIR resources to a [`Case`], with a warning for everything not used.
//!
//! The mapper reads a flat list of resources, each with the JSON pointer it
//! came from, so the same code serves a Bundle (`/entry/3/resource`) and a
//! CDS Hooks prefetch (`/prefetch/conditions/entry/0/resource`). It never
//! guesses silently: a value it cannot use becomes an [`InputWarning`] that
//! says where, what, and why; a field it cannot establish stays unknown.
//! Errors are kept for the two cases the contract names: no primary cancer,
//! or a primary liver cancer.

use std::collections::{BTreeMap, BTreeSet};

use hepatica_engine::{
    Biomarker, BiomarkerValue, BowelSide, Case, ChemoHistory, FieldError, InputWarning, LiverCondition, PrimarySite, Spread,
};
use hepatica_knowledge::Knowledge;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::codes::{CodeTable, Hit, LOINC, Target, namespace};
use crate::datetime::epoch_seconds;
use crate::model::*;

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
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn warn(pointer: impl Into<String>, detail: impl Into<String>) -> InputWarning {
    InputWarning { pointer: pointer.into(), detail: detail.into() }
}

/// A short rendering of a coding for messages: `SNOMED CT 94381002 "Secondary …"`.
fn coding_label(c: &Coding) -> String {
    let sys = match c.system.as_deref().map(namespace).as_deref() {
        Some("snomed") => "SNOMED CT".to_string(),
        Some("loinc") => "LOINC".to_string(),
        Some("icd10") => "ICD-10".to_string(),
        Some("rxnorm") => "RxNorm".to_string(),
        Some("hgnc") => "HGNC".to_string(),
        Some(other) => other.to_string(),
        None => "(no system)".to_string(),
    };
    let code = c.code.as_deref().unwrap_or("(no code)");
    match &c.display {
        Some(d) => format!("{sys} {code} \"{d}\""),
        None => format!("{sys} {code}"),
    }
}

fn concept_label(cc: &CodeableConcept) -> String {
    match cc.coding.first() {
        Some(c) => coding_label(c),
        None => match &cc.text {
            Some(t) => format!("\"{t}\" (text only, no code)"),
            None => "(no code)".to_string(),
        },
    }
}

/// A dated value from one resource, competing with others for one Case field.
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
    table: CodeTable,
    root: String,
    warnings: Vec<InputWarning>,
    groups: BTreeMap<String, Group>,
    order: usize,
}

/// Maps resources to a case. `root` is the pointer used for record-wide warnings.
pub(crate) fn map_resources(inputs: &[Input<'_>], kb: &Knowledge, root: &str, pre: Vec<InputWarning>) -> Result<Outcome, Vec<FieldError>> {
    let mut m = Mapper { kb, table: CodeTable::new(kb), root: root.to_string(), warnings: pre, groups: BTreeMap::new(), order: 0 };
    let entries = m.parse(inputs);
    m.run(&entries)
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

    fn run(mut self, entries: &[Entry]) -> Result<Outcome, Vec<FieldError>> {
        // Conditions first: they decide the patient and the primary.
        let mut conds: Vec<CondFact> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if let Res::Condition(c) = &e.res {
                self.condition(i, e, c, &mut conds);
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
        let conds: Vec<CondFact> = conds
            .into_iter()
            .filter(|c| {
                let e = &entries[c.entry];
                let Res::Condition(cond) = &e.res else { return false };
                belongs(&mut self, e, cond.subject.as_ref())
            })
            .collect();

        // The primary.
        let primaries: Vec<&CondFact> = conds.iter().filter(|c| matches!(c.kind, CondKind::Primary(..))).collect();
        let livers: Vec<&CondFact> = conds.iter().filter(|c| c.kind == CondKind::LiverSecondary).collect();
        if primaries.is_empty() {
            let (pointer, detail) = match livers.first() {
                Some(l) => (
                    l.pointer.clone(),
                    format!(
                        "expected a primary cancer Condition (where the cancer started) alongside this secondary liver cancer ({}), got none; if the primary is unknown, record it as such (ICD-10 C80)",
                        l.label
                    ),
                ),
                None => (
                    self.root.clone(),
                    "expected a Condition coding a primary cancer (SNOMED CT or ICD-10), got none; Hepatica cannot tell where the cancer started"
                        .to_string(),
                ),
            };
            return Err(vec![FieldError { pointer, detail }]);
        }
        let linked: Vec<usize> = livers
            .iter()
            .flat_map(|l| l.related.iter())
            .filter_map(|r| primaries.iter().position(|p| entries[p.entry].is_target_of(r)))
            .collect();
        let chosen_idx = match linked.first() {
            Some(&i) => i,
            None => {
                let mut best = 0;
                for (i, p) in primaries.iter().enumerate() {
                    let b = primaries[best];
                    if p.onset.unwrap_or(i64::MIN) > b.onset.unwrap_or(i64::MIN) {
                        best = i;
                    }
                }
                best
            }
        };
        let chosen = primaries[chosen_idx];
        let CondKind::Primary(site, mut side) = chosen.kind else { unreachable!("filtered to primaries") };
        let why = if !linked.is_empty() {
            "the one the secondary liver cancer is linked to"
        } else if chosen.onset.is_some() {
            "the most recently diagnosed"
        } else {
            "the first in the record"
        };
        for p in &primaries {
            let CondKind::Primary(s, sd) = p.kind else { continue };
            if s != site {
                let name =
                    |s: Option<PrimarySite>| s.map(|x| x.as_str().to_string()).unwrap_or_else(|| "liver (primary liver cancer)".into());
                self.warn(
                    &p.pointer,
                    format!(
                        "conflicting primary cancers: this Condition says {} ({}), {} says {} ({}); used {}, {why}",
                        name(s),
                        p.label,
                        chosen.pointer,
                        name(site),
                        chosen.label,
                        name(site)
                    ),
                );
            } else if let (Some(a), Some(b)) = (side, sd)
                && a != b
            {
                self.warn(
                    &p.pointer,
                    format!("conflicting bowel sides: this Condition says {b}, another says {a}; bowel_side left unknown"),
                );
                side = None;
                break;
            } else if side.is_none() && sd.is_some() && std::ptr::eq(*p, chosen) {
                side = sd;
            }
        }
        if side.is_none() {
            // take a side from any agreeing primary of the same site
            let sides: BTreeSet<BowelSide> = primaries
                .iter()
                .filter_map(|p| if let CondKind::Primary(s, Some(sd)) = p.kind { (s == site).then_some(sd) } else { None })
                .collect();
            if sides.len() == 1 {
                side = sides.into_iter().next();
            }
        }
        let Some(site) = site else {
            return Err(vec![FieldError {
                pointer: chosen.pointer.clone(),
                detail: format!(
                    "expected a cancer that has spread to the liver from elsewhere, got primary liver cancer ({}); Hepatica covers secondary liver cancer only",
                    chosen.label
                ),
            }]);
        };
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
        for e in entries {
            if let Res::Patient(p) = &e.res
                && patient_refs.as_ref().is_none_or(|refs| refs.iter().any(|r| e.is_target_of(r)))
            {
                case.id = p.id.clone();
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
        for e in entries {
            match &e.res {
                Res::Observation(o) if belongs(&mut self, e, o.subject.as_ref()) => {
                    self.observation(e, o, entries, &conds, &mut facts);
                }
                Res::Med(_, mu) if belongs(&mut self, e, mu.subject.as_ref()) => {
                    self.medication(e, mu, entries, &mut chemo);
                }
                Res::Procedure(p) if belongs(&mut self, e, p.subject.as_ref()) => {
                    self.procedure(e, p, &mut chemo);
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
        Ok(Outcome { case, warnings: self.warnings, liver_secondary })
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

    fn condition(&mut self, i: usize, e: &Entry, c: &Condition, out: &mut Vec<CondFact>) {
        let vs = c.verification_status.as_ref().and_then(|v| v.coding.iter().find_map(|x| x.code.clone()));
        if let Some(v) = vs.as_deref()
            && matches!(v, "refuted" | "entered-in-error")
        {
            self.warn(&e.pointer, format!("Condition verificationStatus is {v}; not used"));
            return;
        }
        let Some(code) = &c.code else {
            self.warn(&e.pointer, "Condition has no code; not used");
            return;
        };
        let hits = self.lookup_all(code);
        if hits.is_empty() {
            let label = concept_label(code);
            self.group(
                format!("Condition|{label}"),
                || format!("Condition {label}: not a cancer code Hepatica knows (SNOMED CT or ICD-10 in content/codes); not used"),
                &e.pointer,
            );
            return;
        }
        let mut kinds: Vec<(CondKind, String)> = Vec::new();
        for (coding, hit) in &hits {
            let k = match &hit.target {
                Target::Primary(s, side) => CondKind::Primary(*s, *side),
                Target::LiverSecondary => CondKind::LiverSecondary,
                Target::Spread(s) => CondKind::Spread(*s),
                Target::Observation(n) if n == "secondary_by_body_site" => match self.body_site_of(&c.body_site) {
                    Some(BodySiteKind::Liver) => CondKind::LiverSecondary,
                    Some(BodySiteKind::Spread(s)) => CondKind::Spread(s),
                    None => {
                        self.warn(
                            &e.pointer,
                            format!("{}: a secondary cancer without a body site Hepatica knows; not used", coding_label(coding)),
                        );
                        continue;
                    }
                },
                Target::Unmapped(why) => {
                    self.warn(&e.pointer, format!("Condition {}: {why}; not used", coding_label(coding)));
                    continue;
                }
                other => {
                    self.warn(
                        &e.pointer,
                        format!("Condition {}: this code is not a diagnosis ({other:?}); not used", coding_label(coding)),
                    );
                    continue;
                }
            };
            kinds.push((k, coding_label(coding)));
        }
        let Some((first, first_label)) = kinds.first().cloned() else { return };
        // Merge agreeing codings (a SNOMED site plus an ICD-10 code with a side).
        let mut kind = first;
        for (k, label) in &kinds[1..] {
            match (kind, *k) {
                (CondKind::Primary(a, None), CondKind::Primary(b, Some(s))) if a == b => kind = CondKind::Primary(a, Some(s)),
                (CondKind::Primary(a, _), CondKind::Primary(b, _)) if a == b => {}
                (x, y) if x == y => {}
                _ => self.warn(
                    &e.pointer,
                    format!("conflicting codes in one Condition: {first_label} and {label} mean different things; used {first_label} (the first coding)"),
                ),
            }
        }
        let clinical = c.clinical_status.as_ref().and_then(|v| v.coding.iter().find_map(|x| x.code.clone()));
        if let Some(cs) = clinical.as_deref()
            && matches!(cs, "resolved" | "inactive" | "remission")
            && !matches!(kind, CondKind::Primary(..))
        {
            self.warn(&e.pointer, format!("{first_label}: clinicalStatus is {cs}; still counted, as the record lists it"));
        }
        let onset_text = c.onset_date_time.clone().or_else(|| c.onset_period.as_ref().and_then(|p| p.start.clone()));
        let onset = onset_text.as_deref().and_then(epoch_seconds);
        let related = c
            .extension
            .iter()
            .filter(|x| {
                x.url.as_deref().is_some_and(|u| u.ends_with("condition-related") || u.ends_with("mcode-related-primary-cancer-condition"))
            })
            .filter_map(|x| x.value_reference.as_ref().and_then(|r| r.reference.clone()))
            .collect();
        out.push(CondFact { kind, pointer: e.pointer.clone(), label: first_label, onset, entry: i, related });
    }

    fn body_site_of(&self, sites: &[CodeableConcept]) -> Option<BodySiteKind> {
        for cc in sites {
            for (_, h) in self.lookup_all(cc) {
                if let Target::BodySite(s) = &h.target {
                    return body_site_kind(s);
                }
            }
            let w = cc.words();
            if w.contains("liver") || w.contains("hepat") {
                return Some(BodySiteKind::Liver);
            }
        }
        None
    }

    /// The literal references that identify the record's patient, or `None` when nothing names one.
    fn choose_patient(&mut self, entries: &[Entry], conds: &[CondFact]) -> Option<Vec<String>> {
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

    fn observation(&mut self, e: &Entry, o: &Observation, entries: &[Entry], conds: &[CondFact], facts: &mut Facts) {
        let status = o.status.as_deref().unwrap_or("unknown");
        if matches!(status, "cancelled" | "entered-in-error" | "registered") {
            self.warn(&e.pointer, format!("Observation status is {status}; not used"));
            return;
        }
        let Some(code) = &o.code else {
            self.warn(&e.pointer, "Observation has no code; not used");
            return;
        };
        let hits = self.lookup_all(code);
        let Some((coding, hit)) = hits.first().cloned() else {
            let label = concept_label(code);
            self.group(format!("Observation|{label}"), || format!("Observation {label}: not a code Hepatica uses; not used"), &e.pointer);
            return;
        };
        let label = coding_label(&coding);
        let date_text = o
            .effective_date_time
            .clone()
            .or_else(|| o.effective_period.as_ref().and_then(|p| p.end.clone().or_else(|| p.start.clone())))
            .or_else(|| o.effective_instant.clone())
            .or_else(|| o.issued.clone());
        let date = date_text.as_deref().and_then(epoch_seconds);
        let order = self.next_order();
        let base = Cand { value: (), date, date_text: date_text.clone(), pointer: e.pointer.clone(), order };
        if status == "preliminary" {
            self.warn(&e.pointer, format!("{label}: status is preliminary; used, but the final result may differ"));
        }
        match &hit.target {
            Target::Biomarker(b) => match self.interpret(*b, &o.value, &o.interpretation, &code.words()) {
                Ok((v, note)) => {
                    if let Some(n) = note {
                        self.warn(&e.pointer, format!("{label}: {n}"));
                    }
                    facts.biomarkers.entry(*b).or_default().push(base.with(v));
                }
                Err(why) => self.warn(&e.pointer, format!("{label}: {why}; {} left unknown from this result", b.as_str())),
            },
            Target::Observation(name) => match name.as_str() {
                "cea" => match cea(&o.value) {
                    Ok((v, note)) => {
                        if let Some(n) = note {
                            self.warn(&e.pointer, format!("{label}: {n}"));
                        }
                        facts.cea.push(base.with(v));
                    }
                    Err(why) => self.warn(&e.pointer, format!("{label}: {why}; not used")),
                },
                "ecog" => match ecog(&o.value) {
                    Ok(v) => facts.ecog.push(base.with(v)),
                    Err(why) => self.warn(&e.pointer, format!("{label}: {why}; not used")),
                },
                "karnofsky" => match number(&o.value) {
                    Some(k) if (10.0..=100.0).contains(&k) => {
                        let k = k.round() as u8;
                        let e = match k {
                            90..=100 => 0,
                            70..=89 => 1,
                            50..=69 => 2,
                            30..=49 => 3,
                            _ => 4,
                        };
                        facts.karnofsky.push(base.with((k, e)));
                    }
                    other => self.warn(&e.pointer, format!("{label}: expected a Karnofsky score 10-100, got {other:?}; not used")),
                },
                "tumour_size" | "tumour_longest_dimension" => {
                    let q = if name == "tumour_size" {
                        o.component
                            .iter()
                            .find(|c| c.code.as_ref().is_some_and(|cc| cc.has(LOINC, "33728-7")))
                            .and_then(|c| c.value.value_quantity.clone())
                            .or_else(|| o.value.value_quantity.clone())
                    } else {
                        o.value.value_quantity.clone()
                    };
                    let Some(q) = q else {
                        self.warn(&e.pointer, format!("{label}: no longest-dimension (LOINC 33728-7) quantity; not used"));
                        return;
                    };
                    match self.liver_lesion(o, entries, conds) {
                        Ok(lesion) => match size_cm(&q) {
                            Ok(cm) => facts.sizes.push(base.with((lesion, cm))),
                            Err(why) => self.warn(&e.pointer, format!("{label}: {why}; not used")),
                        },
                        Err(why) => self.warn(&e.pointer, format!("{label}: {why}; not used for largest_tumour_cm")),
                    }
                }
                "genomic_variant" => match self.variant(o) {
                    Ok((b, v, note)) => {
                        if let Some(n) = note {
                            self.warn(&e.pointer, format!("{label}: {n}"));
                        }
                        facts.biomarkers.entry(b).or_default().push(base.with(v));
                    }
                    Err(why) => self.warn(&e.pointer, format!("{label}: {why}; not used")),
                },
                "disease_status" => match disease_status(&o.value) {
                    Some(v) => facts.disease_status.push(base.with(v)),
                    None => self.warn(&e.pointer, format!("{label}: value not recognised as improved, stable or worse; not used")),
                },
                "tnm_n" => {
                    let text = value_words(&o.value);
                    match parse_n(&text) {
                        Some(Some(v)) => facts.node_positive.push(base.with(v)),
                        Some(None) => {
                            self.warn(&e.pointer, format!("{label}: NX (nodes not assessed); primary_node_positive not set from it"))
                        }
                        None => self.warn(&e.pointer, format!("{label}: value {text:?} not recognised as an N category; not used")),
                    }
                }
                field => self.case_field(e, field, &label, &o.value, base.clone(), facts),
            },
            Target::Unmapped(why) => self.warn(&e.pointer, format!("Observation {label}: {why}; not used")),
            other => {
                self.warn(&e.pointer, format!("Observation {label}: this code is not an observation Hepatica reads ({other:?}); not used"))
            }
        }
    }

    /// Hepatica case-field observations (`urn:hepatica:case|<field>`).
    fn case_field(&mut self, e: &Entry, field: &str, label: &str, v: &Value, c: Cand<()>, facts: &mut Facts) {
        let bad = |m: &mut Mapper<'_>, expected: &str| m.warn(&e.pointer, format!("{label}: expected {expected}; not used"));
        match field {
            "tumour_count" => match number(v) {
                Some(n) if n.fract() == 0.0 && (1.0..=100.0).contains(&n) => facts.tumour_count.push(c.with(n as u32)),
                _ => bad(self, "a whole number 1-100 (valueInteger)"),
            },
            "largest_tumour_cm" => match v.value_quantity.as_ref().map(size_cm) {
                Some(Ok(cm)) => facts.largest_cm.push(c.with(cm)),
                Some(Err(why)) => bad(self, &why),
                None => bad(self, "a valueQuantity in mm or cm"),
            },
            "future_liver_remnant_percent" => match number(v) {
                Some(n) if (0.0..=100.0).contains(&n) => facts.flr.push(c.with(n)),
                _ => bad(self, "a number 0-100"),
            },
            "both_lobes" | "near_major_vessels" | "all_removable" | "fit_for_major_surgery" | "spread_elsewhere" => match v.value_boolean {
                Some(b) => match field {
                    "both_lobes" => facts.both_lobes.push(c.with(b)),
                    "near_major_vessels" => facts.near_vessels.push(c.with(b)),
                    "all_removable" => facts.all_removable.push(c.with(b)),
                    "fit_for_major_surgery" => facts.fit.push(c.with(b)),
                    _ => facts.no_spread.push(c.with(b)),
                },
                None => bad(self, "a valueBoolean"),
            },
            "liver_condition" => {
                let s = v
                    .value_string
                    .clone()
                    .or_else(|| v.value_codeable_concept.as_ref().and_then(|cc| cc.coding.iter().find_map(|c| c.code.clone())));
                match s.as_deref().and_then(LiverCondition::parse) {
                    Some(lc) => facts.liver_condition.push(c.with(lc)),
                    None => bad(self, "normal, chemotherapy_injured or cirrhosis"),
                }
            }
            other => self.warn(&e.pointer, format!("{label}: Hepatica does not read an observation named {other}; not used")),
        }
    }

    /// Which liver lesion a tumour-size observation measures, or why it does not count.
    fn liver_lesion(&self, o: &Observation, entries: &[Entry], conds: &[CondFact]) -> Result<String, String> {
        if o.specimen.is_some() && o.focus.is_empty() {
            return Err("it measures a removed specimen, not a tumour still in the body".into());
        }
        if let Some(bs) = &o.body_site
            && let Some(k) = self.body_site_of(std::slice::from_ref(bs))
        {
            return match k {
                BodySiteKind::Liver => Ok(o.focus.first().and_then(|f| f.reference.clone()).unwrap_or_default()),
                BodySiteKind::Spread(_) => Err("the tumour is not in the liver".into()),
            };
        }
        for f in &o.focus {
            let Some(r) = f.reference.as_deref() else { continue };
            for e in entries {
                if !e.is_target_of(r) {
                    continue;
                }
                match &e.res {
                    Res::BodyStructure(b) => {
                        return match b.location.as_ref().and_then(|l| self.body_site_of(std::slice::from_ref(l))) {
                            Some(BodySiteKind::Liver) => Ok(r.to_string()),
                            Some(_) => Err("the tumour it measures is not in the liver".into()),
                            None => Err("the tumour it measures has no location Hepatica can place in the liver".into()),
                        };
                    }
                    Res::Condition(_) => {
                        if conds.iter().any(|c| c.kind == CondKind::LiverSecondary && std::ptr::eq(&entries[c.entry], e)) {
                            return Ok(r.to_string());
                        }
                        return Err("it measures a tumour that is not the secondary liver cancer".into());
                    }
                    _ => {}
                }
            }
        }
        for x in &o.extension {
            if x.url.as_deref().is_some_and(|u| u.ends_with("mcode-related-condition"))
                && let Some(r) = x.value_reference.as_ref().and_then(|r| r.reference.as_deref())
                && conds.iter().any(|c| c.kind == CondKind::LiverSecondary && entries[c.entry].is_target_of(r))
            {
                return Ok(String::new());
            }
        }
        Err("it is not linked to the liver (no liver bodySite, focus on a liver tumour, or related liver secondary Condition)".into())
    }

    /// Interprets a tumour-marker result for one biomarker; `Ok((value, note))`.
    fn interpret(
        &self,
        b: Biomarker,
        v: &Value,
        interp: &[CodeableConcept],
        code_words: &str,
    ) -> Result<(BiomarkerValue, Option<String>), String> {
        use BiomarkerValue as V;
        let words = {
            let mut w = value_words(v);
            for cc in interp {
                w.push_str(" | ");
                w.push_str(&cc.words());
            }
            w
        };
        let pol = v
            .value_codeable_concept
            .as_ref()
            .and_then(polarity_of_codes)
            .or_else(|| interp.iter().find_map(polarity_of_codes))
            .or_else(|| polarity_of_text(&words))
            .or_else(|| v.value_boolean.map(|b| if b { Polarity::Pos } else { Polarity::Neg }));
        if pol == Some(Polarity::Equivocal) {
            return Err("result is equivocal or indeterminate".into());
        }
        let pct = v.value_quantity.as_ref().filter(|q| q.unit_code().is_some_and(|u| u == "%")).and_then(|q| q.value);
        match b {
            Biomarker::Kras | Biomarker::Nras => {
                let protein = protein_change(&words);
                if b == Biomarker::Kras && protein.as_deref() == Some("G12C") {
                    return Ok((V::G12c, None));
                }
                match (pol, protein) {
                    (Some(Polarity::Neg), None) => Ok((V::WildType, None)),
                    (Some(Polarity::Neg), Some(p)) => Err(format!("{p} not found does not mean no {} mutation", b.as_str())),
                    (_, Some(_)) | (Some(Polarity::Pos), None) => Ok((V::Mutant, None)),
                    _ => Err(format!("result {words:?} not recognised as mutated or wild type")),
                }
            }
            Biomarker::BrafV600 => {
                let protein = protein_change(&words);
                match (pol, protein) {
                    (_, Some(p)) if !p.starts_with("V600") => Err(format!("BRAF {p} is not a V600 mutation")),
                    (Some(Polarity::Neg), _) => Ok((V::Absent, None)),
                    (Some(Polarity::Pos), _) | (None, Some(_)) => Ok((V::Present, None)),
                    _ => Err(format!("result {words:?} not recognised")),
                }
            }
            Biomarker::Msi => {
                let high =
                    ["msi-h", "msi high", "msi-high", "instability-high", "high instability", "unstable", "dmmr", "deficient", "loss of"];
                let stable = ["mss", "stable", "msi-l", "msi low", "msi-low", "pmmr", "proficient", "intact", "retained", "low"];
                if high.iter().any(|h| words.contains(h)) || (words.contains("high") && !words.contains("not high")) {
                    Ok((V::High, None))
                } else if stable.iter().any(|s| words.contains(s)) {
                    Ok((V::Stable, None))
                } else {
                    match pol {
                        Some(Polarity::Pos) => Ok((V::High, None)),
                        Some(Polarity::Neg) => Ok((V::Stable, None)),
                        _ => Err(format!("result {words:?} not recognised as MSI-high or stable")),
                    }
                }
            }
            Biomarker::Her2 => {
                let ish = code_words.contains("fish")
                    || code_words.contains("in situ")
                    || code_words.contains("ish")
                    || code_words.contains("gene");
                let score =
                    ihc_score(&words).or_else(|| number(v).filter(|n| (0.0..=3.0).contains(n) && n.fract() == 0.0).map(|n| n as u8));
                if words.contains("ultralow") || words.contains("ultra-low") {
                    return Err("HER2-ultralow has no contract value".into());
                }
                if words.contains("her2-low")
                    || words.contains("her2 low")
                    || words.split(|c: char| !c.is_alphanumeric()).any(|t| t == "low")
                {
                    return Ok((V::Low, None));
                }
                match score {
                    Some(3) => return Ok((V::Positive, None)),
                    Some(2) => return Err("HER2 IHC 2+ is equivocal until ISH is known".into()),
                    Some(1) => return Ok((V::Low, None)),
                    Some(0) => return Ok((V::Negative, None)),
                    _ => {}
                }
                match pol {
                    Some(Polarity::Pos) => Ok((V::Positive, None)),
                    Some(Polarity::Neg) if ish => Err("not amplified by ISH, but whether it is HER2-low (IHC 1+ or 2+) or HER2 0 needs the IHC score".into()),
                    Some(Polarity::Neg) => Ok((
                        V::Negative,
                        Some("HER2 'negative' without an IHC score was taken as negative; it may still be HER2-low (IHC 1+, or 2+ without amplification)".into()),
                    )),
                    _ => Err(format!("result {words:?} not recognised")),
                }
            }
            Biomarker::Er | Biomarker::Pr | Biomarker::Sstr | Biomarker::Psma => match (pct, pol) {
                (Some(p), _) => Ok((if p >= 1.0 { V::Positive } else { V::Negative }, None)),
                (None, Some(Polarity::Pos)) => Ok((V::Positive, None)),
                (None, Some(Polarity::Neg)) => Ok((V::Negative, None)),
                _ => Err(format!("result {words:?} not recognised as positive or negative")),
            },
            Biomarker::PdL1 => match (pct, pol) {
                (Some(p), _) => Ok((
                    if p >= 50.0 {
                        V::High
                    } else if p >= 1.0 {
                        V::Positive
                    } else {
                        V::Negative
                    },
                    None,
                )),
                (None, _) if words.contains("high") => Ok((V::High, None)),
                (None, Some(Polarity::Pos)) => {
                    Ok((V::Positive, Some("PD-L1 'positive' without a percentage was taken as 1-49% (positive, not high)".into())))
                }
                (None, Some(Polarity::Neg)) => Ok((V::Negative, None)),
                _ => Err(format!("result {words:?} not recognised")),
            },
            _ => match pol {
                Some(Polarity::Pos) => Ok((V::Present, None)),
                Some(Polarity::Neg) => Ok((V::Absent, None)),
                _ => Err(format!("result {words:?} not recognised as present or absent")),
            },
        }
    }

    /// An mCODE GenomicVariant: gene (48018-6), protein change (48005-3), presence.
    fn variant(&self, o: &Observation) -> Result<(Biomarker, BiomarkerValue, Option<String>), String> {
        use BiomarkerValue as V;
        let comp = |loinc: &str| o.component.iter().find(|c| c.code.as_ref().is_some_and(|cc| cc.has(LOINC, loinc)));
        let gene_cc = comp("48018-6").and_then(|c| c.value.value_codeable_concept.clone());
        let gene_text = comp("48018-6").and_then(|c| c.value.value_string.clone());
        let mut target: Option<(Target, String)> = None;
        if let Some(cc) = &gene_cc {
            target = self.lookup_all(cc).into_iter().next().map(|(_, h)| (h.target, h.display));
        }
        if target.is_none() {
            let symbols: Vec<String> = gene_cc
                .iter()
                .flat_map(|cc| cc.coding.iter().filter_map(|c| c.display.clone().or(c.code.clone())).chain(cc.text.clone()))
                .chain(gene_text)
                .map(|s| s.trim().to_uppercase())
                .collect();
            target = self
                .table
                .rows_in("hgnc")
                .find(|h| symbols.iter().any(|s| *s == h.display.to_uppercase()))
                .map(|h| (h.target.clone(), h.display.clone()));
        }
        let Some((target, gene)) = target else {
            return Err("gene studied (component 48018-6) missing or not a gene Hepatica uses".into());
        };
        let protein_words = comp("48005-3").map(|c| value_words(&c.value)).unwrap_or_default();
        let all_words: String = o.component.iter().map(|c| value_words(&c.value)).collect::<Vec<_>>().join(" | ");
        let protein = protein_change(&protein_words);
        let present = match o
            .value
            .value_codeable_concept
            .as_ref()
            .and_then(polarity_of_codes)
            .or_else(|| polarity_of_text(&value_words(&o.value)))
        {
            Some(Polarity::Neg) => false,
            Some(Polarity::Equivocal) => return Err("variant call is indeterminate".into()),
            _ => true,
        };
        let b = match target {
            Target::Biomarker(b) => b,
            Target::Gene(g) if g == "ERBB2" => {
                return Err("an ERBB2 gene variant is not a HER2 status (HER2 comes from IHC or ISH)".into());
            }
            _ => return Err(format!("gene {gene} has no biomarker key")),
        };
        let specific = |p: &Option<String>| p.as_ref().map(|s| format!("{gene} {s}"));
        let v = match (b, present) {
            (Biomarker::Kras, true) => {
                if protein.as_deref() == Some("G12C") {
                    V::G12c
                } else {
                    V::Mutant
                }
            }
            (Biomarker::Kras | Biomarker::Nras, false) if protein.is_none() => V::WildType,
            (Biomarker::Nras, true) => V::Mutant,
            (Biomarker::BrafV600, true) => match &protein {
                Some(p) if p.starts_with("V600") => V::Present,
                Some(p) => return Err(format!("BRAF {p} is not a V600 mutation; BRAF_V600 left unknown")),
                None => return Err("BRAF variant without a protein change; whether it is V600 is unknown".into()),
            },
            (Biomarker::BrafV600, false) => V::Absent,
            (Biomarker::MetEx14, true) => {
                let t = format!("{protein_words} {all_words}").to_lowercase();
                if t.contains("exon 14") || t.contains("ex14") || t.contains("exon14") {
                    V::Present
                } else {
                    return Err("MET variant not described as exon 14 skipping".into());
                }
            }
            (_, true) => V::Present,
            (_, false) if protein.is_none() => V::Absent,
            (_, false) => {
                return Err(format!("{} not found does not mean no {gene} variant", specific(&protein).unwrap_or_default()));
            }
        };
        Ok((b, v, None))
    }

    fn drug_class(&self, cc: &CodeableConcept) -> Option<(String, String)> {
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
        for d in &self.kb.drugs {
            if std::iter::once(&d.name).chain(&d.brand_names).chain(&d.aliases).any(|n| has(n)) {
                return Some((d.class.as_str().to_string(), d.name.clone()));
            }
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

    fn medication(&mut self, e: &Entry, mu: &MedicationUse, entries: &[Entry], out: &mut Vec<ChemoGiven>) {
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

    fn procedure(&mut self, e: &Entry, p: &Procedure, out: &mut Vec<ChemoGiven>) {
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

    fn chemo_history(&mut self, given: Vec<ChemoGiven>, status: Vec<Cand<ChemoHistory>>) -> Option<ChemoHistory> {
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

/// Sort key for pointers so `/entry/10` follows `/entry/9`.
fn pointer_order(p: &str) -> Vec<(u64, String)> {
    p.split('/').map(|s| s.parse::<u64>().map(|n| (n, String::new())).unwrap_or((u64::MAX, s.to_string()))).collect()
}

enum BodySiteKind {
    Liver,
    Spread(Spread),
}

fn body_site_kind(s: &str) -> Option<BodySiteKind> {
    if s == "liver" { Some(BodySiteKind::Liver) } else { Spread::parse(s).map(BodySiteKind::Spread) }
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
impl Show for LiverCondition {
    fn show(&self) -> String {
        self.as_str().to_string()
    }
}
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
impl Show for (u8, u8) {
    fn show(&self) -> String {
        format!("Karnofsky {}%", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Polarity {
    Pos,
    Neg,
    Equivocal,
}

/// Answer codes: LOINC LA6576-8 Positive, LA6577-6 Negative, LA9633-4 Present,
/// LA9634-2 Absent; SNOMED CT 10828004 Positive, 260385009 Negative.
fn polarity_of_codes(cc: &CodeableConcept) -> Option<Polarity> {
    for c in &cc.coding {
        let code = c.code.as_deref().unwrap_or("");
        match (c.system.as_deref().map(namespace).as_deref(), code) {
            (Some("loinc"), "LA6576-8" | "LA9633-4") | (Some("snomed"), "10828004") => return Some(Polarity::Pos),
            (Some("loinc"), "LA6577-6" | "LA9634-2") | (Some("snomed"), "260385009") => return Some(Polarity::Neg),
            _ => {}
        }
    }
    None
}

fn polarity_of_text(w: &str) -> Option<Polarity> {
    let w = w.to_lowercase();
    const EQ: &[&str] = &["equivocal", "indeterminate", "inconclusive", "borderline", "uncertain", "failed"];
    const NEG: &[&str] = &[
        "not detected",
        "not present",
        "not found",
        "not identified",
        "no mutation",
        "negative",
        "absent",
        "wild type",
        "wild-type",
        "wildtype",
        "not amplified",
        "no amplification",
        "non-amplified",
        "undetected",
    ];
    const POS: &[&str] = &["positive", "detected", "present", "mutated", "mutant", "amplified", "identified", "overexpress"];
    if EQ.iter().any(|k| w.contains(k)) {
        Some(Polarity::Equivocal)
    } else if NEG.iter().any(|k| w.contains(k)) {
        Some(Polarity::Neg)
    } else if POS.iter().any(|k| w.contains(k)) {
        Some(Polarity::Pos)
    } else {
        None
    }
}

/// All text of a value (codes, displays, text, string), lower-cased.
fn value_words(v: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(cc) = &v.value_codeable_concept {
        for c in &cc.coding {
            if let Some(code) = &c.code {
                parts.push(code.to_lowercase());
            }
        }
        let w = cc.words();
        if !w.is_empty() {
            parts.push(w);
        }
    }
    if let Some(s) = &v.value_string {
        parts.push(s.to_lowercase());
    }
    parts.join(" | ")
}

/// A plain number from valueInteger, valueQuantity (unitless or `{score}`) or valueString.
fn number(v: &Value) -> Option<f64> {
    v.value_integer
        .or_else(|| v.value_quantity.as_ref().and_then(|q| q.value))
        .or_else(|| v.value_string.as_deref().and_then(|s| s.trim().parse().ok()))
}

fn ecog(v: &Value) -> Result<u8, String> {
    // LOINC answer list LL529-9.
    if let Some(cc) = &v.value_codeable_concept {
        for c in &cc.coding {
            let n = match c.code.as_deref() {
                Some("LA9622-7") => 0,
                Some("LA9623-5") => 1,
                Some("LA9624-3") => 2,
                Some("LA9625-0") => 3,
                Some("LA9626-8") => 4,
                Some("LA9627-6") => 5,
                _ => continue,
            };
            return check_ecog(n as f64);
        }
    }
    match number(v) {
        Some(n) => check_ecog(n),
        None => Err("expected an ECOG score (valueInteger 0-4 or a LOINC LL529-9 answer), got none".into()),
    }
}

fn check_ecog(n: f64) -> Result<u8, String> {
    if n.fract() == 0.0 && (0.0..=4.0).contains(&n) {
        Ok(n as u8)
    } else if n == 5.0 {
        Err("ECOG 5 (dead) is outside the contract's 0-4".into())
    } else {
        Err(format!("expected an ECOG score 0-4, got {n}"))
    }
}

/// CEA in ng/mL from a quantity (µg/L is the same).
fn cea(v: &Value) -> Result<(f64, Option<String>), String> {
    let Some(q) = &v.value_quantity else { return Err("expected a valueQuantity".into()) };
    let Some(x) = q.value else { return Err("quantity has no value".into()) };
    let unit = q.unit_code().unwrap_or("");
    let factor = match unit.to_lowercase().replace(['μ', 'µ'], "u").as_str() {
        "ng/ml" | "ug/l" => 1.0,
        "ng/l" | "pg/ml" => 0.001,
        "ug/ml" | "mg/l" => 1000.0,
        "" => return Err("CEA has no unit; expected ng/mL or µg/L".into()),
        other => return Err(format!("expected CEA in ng/mL or µg/L, got unit {other:?}")),
    };
    let ng = x * factor;
    if ng < 0.0 {
        return Err(format!("expected CEA >= 0, got {x}"));
    }
    let note = match q.comparator.as_deref() {
        Some(c) => Some(format!("CEA reported as {c}{x} {unit}; used {ng} ng/mL")),
        None if factor != 1.0 => Some(format!("CEA {x} {unit} converted to {ng} ng/mL")),
        None => None,
    };
    Ok((ng, note))
}

/// A tumour size in cm from a UCUM mm/cm quantity, within the contract's (0, 30].
fn size_cm(q: &Quantity) -> Result<f64, String> {
    let Some(x) = q.value else { return Err("quantity has no value".into()) };
    let cm = match q.unit_code().unwrap_or("") {
        "mm" => x / 10.0,
        "cm" => x,
        "m" => x * 100.0,
        "" => return Err("size has no unit; expected mm or cm".into()),
        other => return Err(format!("expected a size in mm or cm, got unit {other:?}")),
    };
    if cm > 0.0 && cm <= 30.0 {
        Ok((cm * 1000.0).round() / 1000.0)
    } else {
        Err(format!("expected a size above 0 and at most 30 cm, got {cm} cm"))
    }
}

/// Disease status (mCODE ConditionStatusTrendVS: SNOMED 268910001 improved,
/// 359746009 stable, 271299001 worse) as a chemotherapy response.
fn disease_status(v: &Value) -> Option<ChemoHistory> {
    if let Some(cc) = &v.value_codeable_concept {
        for c in &cc.coding {
            match c.code.as_deref() {
                Some("268910001") => return Some(ChemoHistory::Responding),
                Some("359746009") => return Some(ChemoHistory::Stable),
                Some("271299001") => return Some(ChemoHistory::Refractory),
                _ => {}
            }
        }
    }
    let w = value_words(v);
    if w.contains("improv") || w.contains("respon") || w.contains("remission") {
        Some(ChemoHistory::Responding)
    } else if w.contains("progress") || w.contains("worse") {
        Some(ChemoHistory::Refractory)
    } else if w.contains("stable") {
        Some(ChemoHistory::Stable)
    } else {
        None
    }
}

/// An N category from text: `Some(Some(node positive))`, `Some(None)` for NX.
fn parse_n(text: &str) -> Option<Option<bool>> {
    for token in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let t = token.to_ascii_lowercase();
        let t = t.trim_start_matches(['c', 'p', 'y', 'r']);
        let mut ch = t.chars();
        if ch.next() != Some('n') {
            continue;
        }
        match ch.next() {
            Some('0') => return Some(Some(false)),
            Some('1' | '2' | '3') => return Some(Some(true)),
            Some('x') if ch.next().is_none() => return Some(None),
            _ => {}
        }
    }
    None
}

/// A HER2 IHC score written as `0`, `1+`, `2+`, `3+`.
fn ihc_score(w: &str) -> Option<u8> {
    for (s, n) in [("3+", 3), ("2+", 2), ("1+", 1), ("0+", 0)] {
        if w.contains(s) {
            return Some(n);
        }
    }
    w.split(|c: char| !c.is_alphanumeric()).any(|t| t == "0").then_some(0)
}

/// A protein change in one-letter form (`G12C`, `V600E`) from HGVS or plain text.
fn protein_change(w: &str) -> Option<String> {
    const AA: &[(&str, &str)] = &[
        ("ala", "A"),
        ("arg", "R"),
        ("asn", "N"),
        ("asp", "D"),
        ("cys", "C"),
        ("gln", "Q"),
        ("glu", "E"),
        ("gly", "G"),
        ("his", "H"),
        ("ile", "I"),
        ("leu", "L"),
        ("lys", "K"),
        ("met", "M"),
        ("phe", "F"),
        ("pro", "P"),
        ("ser", "S"),
        ("thr", "T"),
        ("trp", "W"),
        ("tyr", "Y"),
        ("val", "V"),
    ];
    for token in w.split(|c: char| c.is_whitespace() || c == '|' || c == ',' || c == ';' || c == ':') {
        let mut t = token.trim().to_lowercase();
        if let Some(r) = t.strip_prefix("p.") {
            t = r.trim_matches(|c| c == '(' || c == ')').to_string();
        }
        for (three, one) in AA {
            t = t.replace(three, &one.to_lowercase());
        }
        let b = t.as_bytes();
        // letter, digits, letter (or '=' / '*')
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1].is_ascii_digit() {
            let digits: String = t[1..].chars().take_while(|c| c.is_ascii_digit()).collect();
            let rest = &t[1 + digits.len()..];
            if rest.len() == 1 && rest.chars().all(|c| c.is_ascii_alphabetic() || c == '*') {
                return Some(format!("{}{}{}", t[..1].to_uppercase(), digits, rest.to_uppercase()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protein_changes() {
        assert_eq!(protein_change("p.G12C").as_deref(), Some("G12C"));
        assert_eq!(protein_change("p.(Gly12Cys)").as_deref(), Some("G12C"));
        assert_eq!(protein_change("nm_004985.5:c.35g>a | p.gly12asp").as_deref(), Some("G12D"));
        assert_eq!(protein_change("braf v600e").as_deref(), Some("V600E"));
        assert_eq!(protein_change("positive"), None);
    }

    #[test]
    fn n_categories() {
        assert_eq!(parse_n("cn0"), Some(Some(false)));
        assert_eq!(parse_n("ypN1a"), Some(Some(true)));
        assert_eq!(parse_n("N2 category (finding)"), Some(Some(true)));
        assert_eq!(parse_n("nx"), Some(None));
        assert_eq!(parse_n("negative"), None);
    }

    #[test]
    fn text_polarity() {
        assert_eq!(polarity_of_text("not detected"), Some(Polarity::Neg));
        assert_eq!(polarity_of_text("Detected"), Some(Polarity::Pos));
        assert_eq!(polarity_of_text("equivocal"), Some(Polarity::Equivocal));
    }

    #[test]
    fn sizes_and_cea() {
        let q = |v: f64, u: &str| Quantity { value: Some(v), code: Some(u.into()), ..Default::default() };
        assert_eq!(size_cm(&q(42.0, "mm")), Ok(4.2));
        assert_eq!(size_cm(&q(4.2, "cm")), Ok(4.2));
        assert!(size_cm(&q(42.0, "cm")).is_err());
        let v = Value { value_quantity: Some(q(12.5, "ug/L")), ..Default::default() };
        assert_eq!(cea(&v).map(|x| x.0), Ok(12.5));
        let v = Value { value_quantity: Some(q(12.5, "µg/L")), ..Default::default() };
        assert_eq!(cea(&v).map(|x| x.0), Ok(12.5));
    }
}
