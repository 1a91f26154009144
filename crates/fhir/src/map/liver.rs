//! Contract 8.1 liver function: bilirubin and albumin with unit conversion,
//! the lab's upper limit of normal, ascites, jaundice, biliary obstruction and
//! Child-Pugh class; and the findings read from Conditions (ascites,
//! jaundice, carcinoid syndrome, castration-resistant prostate cancer).
//!
//! Labs: the most recent result by its effective time wins, and a warning
//! says how many older results were not used. A unit Hepatica cannot convert
//! is refused with a warning, never guessed; so are results at the same time
//! that disagree, units that disagree with the reference range, and albumin
//! whose size shows the unit is wrong.

use super::values::*;
use super::*;

/// Bilirubin: mg/dL × 17.1 = µmol/L (molar mass 584.7 g/mol).
pub(super) const BILIRUBIN_MG_DL_TO_UMOL_L: f64 = 17.1;

/// A bilirubin quantity in µmol/L, or why not.
pub(super) fn bilirubin_umol(q: &Quantity) -> Result<f64, String> {
    let Some(x) = q.value else { return Err("quantity has no value".into()) };
    let unit = q.unit_code().unwrap_or("");
    let u = unit.to_lowercase().replace(['μ', 'µ'], "u");
    let v = match u.as_str() {
        "umol/l" | "micromol/l" | "umol/litre" => x,
        "mmol/l" => x * 1000.0,
        "mg/dl" => x * BILIRUBIN_MG_DL_TO_UMOL_L,
        "mg/l" => x * BILIRUBIN_MG_DL_TO_UMOL_L / 10.0,
        "" => return Err("bilirubin has no unit; expected µmol/L or mg/dL".into()),
        _ => return Err(format!("expected bilirubin in µmol/L or mg/dL, got unit {unit:?}")),
    };
    Ok((v * 10.0).round() / 10.0)
}

/// Whether a bilirubin unit is molar (µmol/L, mmol/L) or mass (mg/dL, mg/L); None when unknown.
fn unit_family(unit: &str) -> Option<&'static str> {
    match unit.to_lowercase().replace(['μ', 'µ'], "u").as_str() {
        "umol/l" | "micromol/l" | "umol/litre" | "mmol/l" => Some("molar"),
        "mg/dl" | "mg/l" => Some("mass"),
        _ => None,
    }
}

/// An albumin quantity in g/L, or why not.
pub(super) fn albumin_g_l(q: &Quantity) -> Result<f64, String> {
    let Some(x) = q.value else { return Err("quantity has no value".into()) };
    let unit = q.unit_code().unwrap_or("");
    let v = match unit.to_lowercase().as_str() {
        "g/l" => x,
        "g/dl" => x * 10.0,
        "mg/dl" => x / 100.0,
        "" => return Err("albumin has no unit; expected g/L or g/dL".into()),
        _ => return Err(format!("expected albumin in g/L or g/dL, got unit {unit:?}")),
    };
    Ok((v * 10.0).round() / 10.0)
}

/// Ascites from a Condition.severity: SNOMED CT 255604002 Mild; 6736007 Moderate, 24484000 Severe and
/// 371924009 Moderate to severe are moderate/severe. "Mild to moderate" (371923003) straddles the line: unknown.
pub(super) fn ascites_of_severity(cc: &CodeableConcept) -> Option<Ascites> {
    for c in cc.coding.iter().filter(|c| c.system.as_deref() == Some("http://snomed.info/sct")) {
        match c.code.as_deref() {
            Some("255604002") => return Some(Ascites::Mild),
            Some("6736007" | "24484000" | "371924009") => return Some(Ascites::ModerateSevere),
            Some("371923003") => return None,
            _ => {}
        }
    }
    let w = cc.words();
    let tokens: Vec<&str> = w.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    match (tokens.contains(&"mild"), tokens.contains(&"moderate") || tokens.contains(&"severe")) {
        (true, false) => Some(Ascites::Mild),
        (false, true) => Some(Ascites::ModerateSevere),
        _ => None,
    }
}

/// Ascites from a value: absent, mild, or moderate / severe.
pub(super) fn ascites_of(v: &Value, interp: &[CodeableConcept]) -> Result<Ascites, String> {
    let mut w = value_words(v);
    for cc in interp {
        w.push_str(" | ");
        w.push_str(&cc.words());
    }
    let tokens: Vec<&str> = w.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    if w.contains("no ascites") || tokens.first().is_some_and(|t| *t == "none" || *t == "no") || tokens.contains(&"none") {
        return Ok(Ascites::None);
    }
    if w.contains("moderate") || w.contains("severe") || w.contains("large") || w.contains("tense") || w.contains("marked") {
        return Ok(Ascites::ModerateSevere);
    }
    if w.contains("mild") || w.contains("slight") || w.contains("small") || w.contains("minimal") || w.contains("trace") {
        return Ok(Ascites::Mild);
    }
    match v
        .value_codeable_concept
        .as_ref()
        .and_then(polarity_of_codes)
        .or_else(|| polarity_of_text(&w))
        .or_else(|| v.value_boolean.map(|b| if b { Polarity::Pos } else { Polarity::Neg }))
    {
        Some(Polarity::Neg) => Ok(Ascites::None),
        Some(Polarity::Pos) => Err("ascites is present but the record does not say how much (mild or moderate/severe)".into()),
        _ if v.is_empty() => Err("ascites is recorded without a value; how much is not known".into()),
        _ => Err(format!("value {w:?} not recognised as no, mild or moderate/severe ascites")),
    }
}

/// Child-Pugh class from a code, a string (`A`, `Child-Pugh B`, `class C`) or a score 5-15.
pub(super) fn child_pugh_of(v: &Value) -> Result<ChildPugh, String> {
    let w = value_words(v);
    for t in w.split(|c: char| !c.is_alphanumeric()) {
        match t {
            "a" | "a5" | "a6" => return Ok(ChildPugh::A),
            "b" | "b7" | "b8" | "b9" => return Ok(ChildPugh::B),
            "c" | "c10" | "c11" | "c12" | "c13" | "c14" | "c15" => return Ok(ChildPugh::C),
            _ => {}
        }
    }
    match number(v) {
        Some(n) if n.fract() == 0.0 && (5.0..=6.0).contains(&n) => Ok(ChildPugh::A),
        Some(n) if n.fract() == 0.0 && (7.0..=9.0).contains(&n) => Ok(ChildPugh::B),
        Some(n) if n.fract() == 0.0 && (10.0..=15.0).contains(&n) => Ok(ChildPugh::C),
        Some(n) => Err(format!("expected a Child-Pugh class A-C or score 5-15, got {n}")),
        None => Err(format!("expected a Child-Pugh class A-C or score 5-15, got {w:?}")),
    }
}

impl Mapper<'_> {
    /// A lab result for bilirubin or albumin.
    pub(super) fn liver_lab(&mut self, e: &Entry, o: &Observation, name: &str, label: &str, c: Cand<()>, facts: &mut Facts) {
        let Some(q) = &o.value.value_quantity else {
            self.warn(&e.pointer, format!("{label}: expected a valueQuantity; not used"));
            return;
        };
        if q.comparator.is_some() {
            self.warn(
                &e.pointer,
                format!("{label}: reported as {}{:?}; used as that value", q.comparator.as_deref().unwrap_or(""), q.value),
            );
        }
        if name == "bilirubin" {
            let v = match bilirubin_umol(q) {
                Ok(v) if (0.0..=1000.0).contains(&v) => v,
                Ok(v) => return self.warn(&e.pointer, format!("{label}: {v} µmol/L is outside 0-1000; not used")),
                Err(why) => return self.warn(&e.pointer, format!("{label}: {why}; not used")),
            };
            let unit = q.unit_code().unwrap_or("").to_string();
            if !matches!(unit.to_lowercase().replace(['μ', 'µ'], "u").as_str(), "umol/l" | "micromol/l") {
                self.warn(&e.pointer, format!("{label}: {} {unit} converted to {v} µmol/L", q.value.unwrap_or(0.0)));
            }
            // A value and a reference range in different kinds of unit (µmol/L against mg/dL): one is wrong.
            if let (Some(vf), Some((ru, rf))) = (
                unit_family(&unit),
                o.reference_range.iter().find_map(|r| r.high.as_ref()?.unit_code().map(|u| (u.to_string(), unit_family(u)))),
            ) && rf.is_some_and(|rf| rf != vf)
            {
                return self.warn(
                    &e.pointer,
                    format!(
                        "{label}: the value is in {unit} but its reference range in {ru}; one of the units is wrong, so liver_function/bilirubin_umol_l is left unknown from it (not used)"
                    ),
                );
            }
            // The lab's upper limit of normal, in the result's unit when the range gives none.
            let uln = o.reference_range.iter().find_map(|r| r.high.clone()).and_then(|mut h| {
                if h.unit_code().is_none() {
                    h.code = q.code.clone();
                    h.unit = q.unit.clone();
                }
                match bilirubin_umol(&h) {
                    Ok(u) if (1.0..=100.0).contains(&u) => Some(u),
                    Ok(u) => {
                        self.warn(
                            &e.pointer,
                            format!("{label}: reference range high {u} µmol/L is outside 1-100; bilirubin_uln_umol_l not set from it"),
                        );
                        None
                    }
                    Err(why) => {
                        self.warn(&e.pointer, format!("{label}: reference range high: {why}; bilirubin_uln_umol_l not set from it"));
                        None
                    }
                }
            });
            facts.bilirubin.push(c.with((v, uln)));
        } else {
            let unit = q.unit_code().unwrap_or("").to_lowercase();
            let raw = q.value.unwrap_or(0.0);
            // Albumin below 10 g/L is not seen in a living patient: almost certainly g/dL written as g/L (and the
            // other way round). Never converted silently.
            if (unit == "g/l" && raw > 0.0 && raw < 10.0) || (unit == "g/dl" && raw >= 10.0) {
                let other = if unit == "g/l" { "g/dL" } else { "g/L" };
                return self.warn(
                    &e.pointer,
                    format!(
                        "{label}: {raw} {} is implausible for albumin; almost certainly the unit is really {other}. Not converted: liver_function/albumin_g_l left unknown from it (not used)",
                        q.unit_code().unwrap_or("")
                    ),
                );
            }
            match albumin_g_l(q) {
                Ok(v) if (0.0..=80.0).contains(&v) => {
                    if q.unit_code().is_some_and(|u| !u.eq_ignore_ascii_case("g/l")) {
                        self.warn(
                            &e.pointer,
                            format!("{label}: {} {} converted to {v} g/L", q.value.unwrap_or(0.0), q.unit_code().unwrap_or("")),
                        );
                    }
                    facts.albumin.push(c.with(v));
                }
                Ok(v) => self.warn(&e.pointer, format!("{label}: {v} g/L is outside 0-80; not used")),
                Err(why) => self.warn(&e.pointer, format!("{label}: {why}; not used")),
            }
        }
    }

    /// An Observation whose code is a finding (ascites, jaundice, ...): its value says whether.
    pub(super) fn finding_observation(&mut self, e: &Entry, o: &Observation, name: &str, label: &str, c: Cand<()>, facts: &mut Facts) {
        if name == "ascites" {
            match ascites_of(&o.value, &o.interpretation) {
                Ok(a) => facts.ascites.push(c.with(a)),
                Err(why) => self.warn(&e.pointer, format!("{label}: {why}; liver_function/ascites not set from it")),
            }
            return;
        }
        let mut w = value_words(&o.value);
        for cc in &o.interpretation {
            w.push_str(" | ");
            w.push_str(&cc.words());
        }
        let pol = o
            .value
            .value_codeable_concept
            .as_ref()
            .and_then(polarity_of_codes)
            .or_else(|| polarity_of_text(&w))
            .or_else(|| o.value.value_boolean.map(|b| if b { Polarity::Pos } else { Polarity::Neg }));
        let present = match pol {
            Some(Polarity::Pos) => true,
            Some(Polarity::Neg) => false,
            // A finding recorded as an Observation with no value asserts it.
            None if o.value.is_empty() => true,
            _ => return self.warn(&e.pointer, format!("{label}: value {w:?} not recognised as present or absent; not used")),
        };
        self.push_finding(name, c.with(present), facts);
    }

    pub(super) fn push_finding(&mut self, name: &str, c: Cand<bool>, facts: &mut Facts) {
        match name {
            "jaundice" => facts.jaundice.push(c),
            "biliary_obstruction" => facts.biliary_obstruction.push(c),
            "carcinoid_syndrome" => facts.carcinoid_syndrome.push(c),
            "castration_resistant" => facts.castration_resistant.push(c),
            // Presence alone does not say how much; only "no ascites" is used.
            "ascites" if !c.value => {
                facts.ascites.push(Cand { value: Ascites::None, date: c.date, date_text: c.date_text, pointer: c.pointer, order: c.order })
            }
            _ => {}
        }
    }

    /// The facets of a Condition of this patient: findings, where a NET started, histology.
    pub(super) fn condition_facets(&mut self, e: &Entry, c: &Condition, role: Option<ConditionRole>, facts: &mut Facts) {
        let Some(code) = &c.code else { return };
        let vs = c.verification_status.as_ref().and_then(|v| v.coding.iter().find_map(|x| x.code.clone()));
        let clinical = c.clinical_status.as_ref().and_then(|v| v.coding.iter().find_map(|x| x.code.clone()));
        let date_text =
            c.onset_date_time.clone().or_else(|| c.onset_period.as_ref().and_then(|p| p.start.clone())).or(c.recorded_date.clone());
        let order = self.next_order();
        let base = Cand { value: (), date: date_text.as_deref().and_then(epoch_seconds), date_text, pointer: e.pointer.clone(), order };
        let label = concept_label(code);
        for h in self.facets_of(code) {
            match &h.target {
                Target::Finding(name) => {
                    if vs.as_deref() == Some("entered-in-error") {
                        continue;
                    }
                    let present = match (vs.as_deref(), clinical.as_deref()) {
                        (Some("refuted"), _) => false,
                        (_, Some("resolved" | "inactive" | "remission")) if name != "castration_resistant" => {
                            self.warn(
                                &e.pointer,
                                format!(
                                    "Condition {label}: clinicalStatus is {}; not used as a current finding",
                                    clinical.as_deref().unwrap_or("")
                                ),
                            );
                            continue;
                        }
                        (Some("unconfirmed" | "provisional" | "differential"), _) => {
                            self.warn(
                                &e.pointer,
                                format!("Condition {label}: verificationStatus is {}; not used", vs.as_deref().unwrap_or("")),
                            );
                            continue;
                        }
                        _ => true,
                    };
                    if name == "ascites" && present {
                        // A Condition says there is ascites; how much only if its severity says so.
                        match c.severity.as_ref().map(ascites_of_severity) {
                            Some(Some(a)) => facts.ascites.push(base.with(a)),
                            Some(None) => self.warn(&e.pointer, format!("Condition {label}: ascites severity {} is not mild, moderate or severe; liver_function/ascites left unknown from it", concept_label(c.severity.as_ref().expect("some")))),
                            None => self.warn(&e.pointer, format!("Condition {label}: ascites is recorded but not how much (no Condition.severity, mild or moderate/severe); liver_function/ascites left unknown from it")),
                        }
                        continue;
                    }
                    self.push_finding(name, base.with(present), facts);
                }
                Target::NetOrigin(o) if role == Some(ConditionRole::Primary) => facts.net_origin.push(base.with(*o)),
                _ => {}
            }
        }
        // Where a NET started, from the primary's body site.
        if role == Some(ConditionRole::Primary)
            && let Some(name) = self.body_site_name(&c.body_site)
            && let Some(o) = net_origin_of_body_site(&name)
        {
            facts.net_origin.push(base.with(o));
        }
        // Histology from the mCODE histology-morphology-behavior extension.
        if matches!(role, Some(ConditionRole::Primary | ConditionRole::LiverSecondary)) {
            for x in c.extension.iter().filter(|x| x.url.as_deref().is_some_and(|u| u.ends_with("histology-morphology-behavior"))) {
                let Some(cc) = &x.value_codeable_concept else { continue };
                self.histology_from(e, cc, base.clone(), facts);
            }
        }
    }

    /// Every facet row the codings of a concept match.
    pub(super) fn facets_of(&self, cc: &CodeableConcept) -> Vec<Hit> {
        let mut out = Vec::new();
        for c in &cc.coding {
            if let (Some(s), Some(code)) = (&c.system, &c.code) {
                out.extend(self.table.facets(s, code).into_iter().cloned());
            }
        }
        out
    }

    /// The latest of several lab results, saying how many older ones were not used.
    fn latest_lab<T: Clone + PartialEq + std::fmt::Debug + Show>(&mut self, field: &str, cands: Vec<Cand<T>>) -> Option<(T, String)> {
        let n = cands.len();
        let best = cands.iter().max_by_key(|c| (c.date.is_some(), c.date.unwrap_or(i64::MIN), c.order))?.clone();
        let same_time: Vec<&Cand<T>> = cands.iter().filter(|c| c.date == best.date && c.value != best.value).collect();
        if let (false, Some(_)) = (same_time.is_empty(), best.date) {
            // Never guess between results taken at the same time: leave the field unknown.
            let mut values: Vec<String> = vec![best.value.show()];
            values.extend(same_time.iter().map(|c| c.value.show()));
            values.dedup();
            self.warn(
                &best.pointer,
                format!(
                    "{field}: results at the same time disagree ({} at {}); left unknown, Hepatica does not guess which is right",
                    values.join(" and "),
                    best.date_text.as_deref().unwrap_or("")
                ),
            );
            return None;
        }
        if n > 1 {
            self.warn(
                &best.pointer,
                format!(
                    "{field}: used the most recent result, {} ({}); {} older result(s) not used",
                    best.value.show(),
                    best.date_text.as_deref().unwrap_or("undated"),
                    n - 1
                ),
            );
        }
        Some((best.value, best.pointer))
    }

    /// Fills `case.liver_function`.
    pub(super) fn liver_function(&mut self, case: &mut Case, facts: &mut Facts) {
        let bili = std::mem::take(&mut facts.bilirubin);
        let has_undated = bili.iter().any(|c| c.date.is_none()) && bili.len() > 1;
        if let Some(((v, uln), _)) = self.latest_lab("liver_function/bilirubin_umol_l", bili) {
            case.liver_function.bilirubin_umol_l = Some(v);
            case.liver_function.bilirubin_uln_umol_l = uln;
        }
        if has_undated {
            self.warn(self.root.clone(), "liver_function/bilirubin_umol_l: some results have no date; dated results were preferred");
        }
        case.liver_function.albumin_g_l = self.latest_lab("liver_function/albumin_g_l", std::mem::take(&mut facts.albumin)).map(|x| x.0);
        case.liver_function.ascites = self.pick("liver_function/ascites", std::mem::take(&mut facts.ascites));
        case.liver_function.jaundice = self.pick("liver_function/jaundice", std::mem::take(&mut facts.jaundice));
        case.liver_function.biliary_obstruction =
            self.pick("liver_function/biliary_obstruction", std::mem::take(&mut facts.biliary_obstruction));
        case.liver_function.child_pugh = self.pick("liver_function/child_pugh", std::mem::take(&mut facts.child_pugh));
        case.liver.percent_liver_replaced = self.pick("liver/percent_liver_replaced", std::mem::take(&mut facts.percent_replaced));
        case.months_disease_controlled = self.pick("months_disease_controlled", std::mem::take(&mut facts.months_controlled));
    }
}

/// `net_origin` from a body-site name (`body_site:<name>` rows).
pub(super) fn net_origin_of_body_site(name: &str) -> Option<NetOrigin> {
    Some(match name.split(':').next().unwrap_or(name) {
        "pancreas" => NetOrigin::Pancreas,
        "small_bowel" => NetOrigin::SmallBowel,
        "bowel" => NetOrigin::LargeBowel,
        "stomach" => NetOrigin::Stomach,
        "lung" => NetOrigin::Lung,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(v: f64, u: &str) -> Quantity {
        Quantity { value: Some(v), code: Some(u.into()), ..Default::default() }
    }

    #[test]
    fn bilirubin_units() {
        assert_eq!(bilirubin_umol(&q(1.0, "mg/dL")), Ok(17.1));
        assert_eq!(bilirubin_umol(&q(14.0, "umol/L")), Ok(14.0));
        assert_eq!(bilirubin_umol(&q(14.0, "µmol/L")), Ok(14.0));
        assert_eq!(bilirubin_umol(&q(0.014, "mmol/L")), Ok(14.0));
        assert!(bilirubin_umol(&q(1.0, "g/L")).unwrap_err().contains("g/L"));
        assert!(bilirubin_umol(&Quantity { value: Some(1.0), ..Default::default() }).is_err());
    }

    #[test]
    fn albumin_units() {
        assert_eq!(albumin_g_l(&q(3.8, "g/dL")), Ok(38.0));
        assert_eq!(albumin_g_l(&q(38.0, "g/L")), Ok(38.0));
        assert!(albumin_g_l(&q(38.0, "umol/L")).is_err());
    }

    #[test]
    fn child_pugh_values() {
        let s = |t: &str| Value { value_string: Some(t.into()), ..Default::default() };
        assert_eq!(child_pugh_of(&s("Child-Pugh class B")), Ok(ChildPugh::B));
        assert_eq!(child_pugh_of(&s("A")), Ok(ChildPugh::A));
        assert_eq!(child_pugh_of(&s("C10")), Ok(ChildPugh::C));
        assert_eq!(child_pugh_of(&Value { value_integer: Some(8.0), ..Default::default() }), Ok(ChildPugh::B));
        assert!(child_pugh_of(&Value { value_integer: Some(4.0), ..Default::default() }).is_err());
    }

    #[test]
    fn ascites_values() {
        let s = |t: &str| Value { value_string: Some(t.into()), ..Default::default() };
        assert_eq!(ascites_of(&s("no ascites"), &[]), Ok(Ascites::None));
        assert_eq!(ascites_of(&s("mild"), &[]), Ok(Ascites::Mild));
        assert_eq!(ascites_of(&s("moderate to severe"), &[]), Ok(Ascites::ModerateSevere));
        assert!(ascites_of(&s("present"), &[]).is_err());
        assert_eq!(ascites_of(&Value { value_boolean: Some(false), ..Default::default() }, &[]), Ok(Ascites::None));
    }
}
