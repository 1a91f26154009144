//! Contract 8.1 pathology and patient facts: histology (ICD-O-3 and SNOMED CT
//! morphology), grade, Ki-67, PD-L1 scores (CPS, TPS, IC), the HER2 IHC
//! score with ISH for 2+, BRCA origin, TMB, PDGFRA D842V, age, where a
//! neuroendocrine tumour started and carcinoid syndrome.

use super::values::*;
use super::*;

/// TMB of at least this many mutations per megabase is `TMB_HIGH: present`
/// (the threshold of the FDA tissue-agnostic approval of pembrolizumab, 2020).
pub(super) const TMB_HIGH_MUT_PER_MB: f64 = 10.0;

/// HER2 IHC readings as the mapper stores them.
const HER2_IHC: [(u8, &str); 5] = [(0, "0"), (1, "ultralow"), (2, "1+"), (3, "2+"), (4, "3+")];

/// A HER2 IHC reading from text or a number: 0 = 0, 1 = ultralow, 2 = 1+, 3 = 2+, 4 = 3+.
pub(super) fn her2_ihc_reading(v: &Value, interp: &[CodeableConcept]) -> Option<u8> {
    let mut w = value_words(v);
    for cc in interp {
        w.push_str(" | ");
        w.push_str(&cc.words());
    }
    if w.contains("ultralow") || w.contains("ultra-low") || w.contains("ultra low") {
        return Some(1);
    }
    if let Some(s) = ihc_score(&w) {
        return Some(s + 1).map(|x| if x == 1 { 0 } else { x });
    }
    number(v).filter(|n| (0.0..=3.0).contains(n) && n.fract() == 0.0).map(|n| if n == 0.0 { 0 } else { n as u8 + 1 })
}

/// A grade from a value: codes or words (`G2`, `grade 3`, `well differentiated`).
pub(super) fn grade_of(v: &Value) -> Result<TumourGrade, String> {
    let w = value_words(v);
    let tokens: Vec<&str> = w.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let after_grade = |n: &str| tokens.windows(2).any(|p| p[0] == "grade" && p[1] == n);
    if tokens.contains(&"g4") || after_grade("4") || w.contains("undifferentiated") {
        return Err("grade 4 (undifferentiated) has no contract value (G1-G3)".into());
    }
    if tokens.contains(&"gx") || w.contains("cannot be assessed") {
        return Err("grade cannot be assessed (GX)".into());
    }
    if tokens.contains(&"g1") || after_grade("1") || w.contains("well differentiated") || w.contains("well-differentiated") {
        Ok(TumourGrade::G1)
    } else if tokens.contains(&"g2") || after_grade("2") || w.contains("moderately differentiated") || w.contains("intermediate grade") {
        Ok(TumourGrade::G2)
    } else if tokens.contains(&"g3") || after_grade("3") || w.contains("poorly differentiated") || w.contains("high grade") {
        Ok(TumourGrade::G3)
    } else {
        match number(v) {
            Some(1.0) => Ok(TumourGrade::G1),
            Some(2.0) => Ok(TumourGrade::G2),
            Some(3.0) => Ok(TumourGrade::G3),
            _ => Err(format!("value {w:?} not recognised as a grade G1-G3")),
        }
    }
}

/// A percentage 0-100 from a value (`%`, no unit, or a number in a string).
pub(super) fn percent_of(v: &Value) -> Option<f64> {
    if let Some(q) = &v.value_quantity {
        return match q.unit_code() {
            None | Some("%") | Some("{score}") | Some("1") => q.value,
            _ => None,
        };
    }
    v.value_integer.or_else(|| {
        // A number written as "12%" wins; else the last number ("Ki-67 index 12").
        let s = v.value_string.as_deref()?;
        let nums: Vec<(f64, bool)> = s
            .split(|c: char| c.is_whitespace() || c == ':' || c == '=' || c == ',')
            .filter_map(|t| {
                let pct = t.ends_with('%');
                t.trim_end_matches('%').parse::<f64>().ok().map(|n| (n, pct))
            })
            .collect();
        nums.iter().find(|(_, pct)| *pct).or(nums.last()).map(|(n, _)| *n)
    })
}

impl Mapper<'_> {
    /// Histology (and an ICD-O-3 grade digit) from a morphology concept.
    pub(super) fn histology_from(&mut self, e: &Entry, cc: &CodeableConcept, base: Cand<()>, facts: &mut Facts) {
        let found = self.facets_of(cc).into_iter().find_map(|h| match h.target {
            Target::Histology(x) => Some(x),
            _ => None,
        });
        match found {
            Some(h) => facts.histology.push(base.with(h)),
            None => {
                let label = concept_label(cc);
                self.group(
                    format!("histology|{label}"),
                    || format!("histology {label}: not a morphology Hepatica maps to a contract histology; histology not set from it"),
                    &e.pointer,
                );
            }
        }
        // ICD-O-3 `8140/32`: the sixth digit is the grade.
        for c in &cc.coding {
            if c.system.as_deref().map(namespace).as_deref() != Some("icdo3") {
                continue;
            }
            let Some((_, bg)) = c.code.as_deref().and_then(|x| x.split_once('/')) else { continue };
            match bg.chars().nth(1) {
                Some('1') => facts.grade.push(base.with(TumourGrade::G1)),
                Some('2') => facts.grade.push(base.with(TumourGrade::G2)),
                Some('3') => facts.grade.push(base.with(TumourGrade::G3)),
                Some('4') => {
                    self.warn(&e.pointer, "ICD-O-3 grade 4 (undifferentiated) has no contract value (G1-G3); tumour_grade not set from it")
                }
                _ => {}
            }
        }
    }

    /// PD-L1 scores from one result: `Ok(true)` when it is a CPS (then no PD_L1 category is read from its number).
    pub(super) fn pd_l1_scores(
        &mut self,
        e: &Entry,
        o: &Observation,
        code: &CodeableConcept,
        label: &str,
        base: &Cand<()>,
        facts: &mut Facts,
    ) -> bool {
        let kind = |w: &str| -> Option<&'static str> {
            let w = w.to_lowercase();
            if w.contains("combined positive") || w.split(|c: char| !c.is_alphanumeric()).any(|t| t == "cps") {
                Some("cps")
            } else if w.contains("tumor proportion")
                || w.contains("tumour proportion")
                || w.contains("viable tumor cells")
                || w.contains("viable tumour cells")
                || w.split(|c: char| !c.is_alphanumeric()).any(|t| t == "tps")
            {
                Some("tps")
            } else if w.contains("immune cell") || w.split(|c: char| !c.is_alphanumeric()).any(|t| t == "ic") {
                Some("ic")
            } else {
                None
            }
        };
        let mut parts: Vec<(Option<&'static str>, &Value)> =
            vec![(kind(&format!("{} | {}", code.words(), value_words(&o.value))), &o.value)];
        for c in &o.component {
            let k = c.code.as_ref().map(|cc| cc.words()).and_then(|w| kind(&w));
            parts.push((k, &c.value));
        }
        let mut cps = false;
        for (k, v) in parts {
            let Some(k) = k else { continue };
            let Some(n) = percent_of(v) else { continue };
            let n = if k == "cps" && n > 100.0 {
                self.warn(&e.pointer, format!("{label}: CPS {n} is above 100; recorded as 100"));
                100.0
            } else {
                n
            };
            if !(0.0..=100.0).contains(&n) {
                self.warn(&e.pointer, format!("{label}: PD-L1 {} {n} is outside 0-100; not used", k.to_uppercase()));
                continue;
            }
            match k {
                "cps" => {
                    cps = true;
                    facts.pd_l1_cps.push(base.with(n));
                }
                "tps" => facts.pd_l1_tps.push(base.with(n)),
                _ => facts.pd_l1_ic.push(base.with(n)),
            }
        }
        if !cps && kind(&code.words()).is_none() && percent_of(&o.value).is_some() && o.component.is_empty() {
            self.warn(
                &e.pointer,
                format!("{label}: a PD-L1 percentage without saying which score (TPS, CPS or IC); PD_L1_TPS, PD_L1_CPS and PD_L1_IC not set from it"),
            );
        }
        cps
    }

    /// A HER2 result: IHC score or ISH call; `true` when it was read here (no category is read from it then).
    pub(super) fn her2_detail(
        &mut self,
        e: &Entry,
        o: &Observation,
        code_words: &str,
        label: &str,
        base: &Cand<()>,
        facts: &mut Facts,
    ) -> bool {
        let ihc = code_words.contains("immune stain") || code_words.contains("immunohisto") || code_words.contains("ihc");
        let ish = code_words.contains("fish")
            || code_words.contains("in situ")
            || code_words.contains(" ish")
            || code_words.contains("erbb2 gene");
        if ihc && !ish {
            return match her2_ihc_reading(&o.value, &o.interpretation) {
                Some(r) => {
                    facts.her2_ihc.push(base.with(r));
                    true
                }
                None => false,
            };
        }
        if ish {
            let mut w = value_words(&o.value);
            for cc in &o.interpretation {
                w.push_str(" | ");
                w.push_str(&cc.words());
            }
            match o.value.value_codeable_concept.as_ref().and_then(polarity_of_codes).or_else(|| polarity_of_text(&w)) {
                Some(Polarity::Pos) => facts.her2_ish.push(base.with(true)),
                Some(Polarity::Neg) => facts.her2_ish.push(base.with(false)),
                Some(Polarity::Equivocal) => self.warn(&e.pointer, format!("{label}: HER2 ISH result is equivocal; not used")),
                None => self.warn(&e.pointer, format!("{label}: HER2 ISH result {w:?} not recognised as amplified or not; not used")),
            }
            return true;
        }
        false
    }

    /// BRCA origin from an mCODE GenomicVariant's genomic source class (LOINC 48002-0).
    pub(super) fn brca_origin_of(&self, o: &Observation) -> Option<BrcaOrigin> {
        let comp = o.component.iter().find(|c| c.code.as_ref().is_some_and(|cc| cc.has(LOINC, "48002-0")))?;
        if let Some(cc) = &comp.value.value_codeable_concept {
            for c in &cc.coding {
                match c.code.as_deref() {
                    Some("LA6683-2") => return Some(BrcaOrigin::Germline),
                    Some("LA6684-0") => return Some(BrcaOrigin::Somatic),
                    _ => {}
                }
            }
        }
        let w = value_words(&comp.value);
        if w.contains("germline") {
            Some(BrcaOrigin::Germline)
        } else if w.contains("somatic") {
            Some(BrcaOrigin::Somatic)
        } else {
            None
        }
    }

    /// The pathology observations the mapper reads by name.
    pub(super) fn pathology_observation(&mut self, e: &Entry, o: &Observation, name: &str, label: &str, c: Cand<()>, facts: &mut Facts) {
        match name {
            "histology" => match &o.value.value_codeable_concept {
                Some(cc) => self.histology_from(e, cc, c, facts),
                None => self.warn(&e.pointer, format!("{label}: expected a coded morphology (valueCodeableConcept); not used")),
            },
            "tumour_grade" => match grade_of(&o.value) {
                Ok(g) => facts.grade.push(c.with(g)),
                Err(why) => self.warn(&e.pointer, format!("{label}: {why}; tumour_grade not set from it")),
            },
            "ki67" => match percent_of(&o.value) {
                Some(n) if (0.0..=100.0).contains(&n) => facts.ki67.push(c.with(n)),
                other => self.warn(&e.pointer, format!("{label}: expected a Ki-67 percentage 0-100, got {other:?}; not used")),
            },
            "tmb" => {
                let q = o.value.value_quantity.as_ref();
                let n = q.and_then(|q| q.value).or_else(|| number(&o.value));
                let words =
                    format!("{} {}", value_words(&o.value), o.interpretation.iter().map(|i| i.words()).collect::<Vec<_>>().join(" "));
                let v = match n {
                    Some(n) if n >= 0.0 => {
                        if n >= TMB_HIGH_MUT_PER_MB {
                            BiomarkerValue::Present
                        } else {
                            BiomarkerValue::Absent
                        }
                    }
                    _ if words.contains("high") => BiomarkerValue::Present,
                    _ if words.contains("low") || words.contains("intermediate") => BiomarkerValue::Absent,
                    _ => {
                        return self
                            .warn(&e.pointer, format!("{label}: expected mutations per megabase, got none; TMB_HIGH not set from it"));
                    }
                };
                if let Some(n) = n {
                    self.warn(
                        &e.pointer,
                        format!("{label}: TMB {n} mutations/Mb read as TMB_HIGH {} (high is {TMB_HIGH_MUT_PER_MB} or more)", v.as_str()),
                    );
                }
                facts.biomarkers.entry(Biomarker::TmbHigh).or_default().push(c.with(v));
            }
            _ => self.warn(&e.pointer, format!("{label}: Hepatica does not read an observation named {name}; not used")),
        }
    }

    /// Values the Case JSON parser refuses as contradictions (contract 8.1):
    /// records can hold both sides, from different reports. A grade that a
    /// neuroendocrine carcinoma contradicts, or a grade and Ki-67 that disagree,
    /// are left unknown, with a warning, rather than guessed.
    fn reconcile_1_1(&mut self, case: &mut Case) {
        let root = self.root.clone();
        if let Some(g) = case.nec_grade_clash() {
            self.warn(
                &root,
                format!("tumour_grade: grade {} contradicts neuroendocrine carcinoma, which is high grade; grade left unknown", g.as_str()),
            );
            case.tumour_grade = None;
        }
        if let Some((g, k)) = case.net_grade_ki67_clash() {
            self.warn(
                &root,
                format!(
                    "tumour_grade, ki67_percent: grade {} and Ki-67 {k}% disagree (WHO: G1 under 3%, G3 over 20%); both left unknown, Hepatica does not guess which is right",
                    g.as_str()
                ),
            );
            case.tumour_grade = None;
            case.ki67_percent = None;
        }
    }

    /// Fills histology, grade, Ki-67, PD-L1 scores, HER2 IHC and BRCA origin.
    pub(super) fn pathology(&mut self, case: &mut Case, facts: &mut Facts) {
        let site = case.primary_site;
        if let Some(h) = self.pick("histology", std::mem::take(&mut facts.histology)) {
            case.histology = self.histology_for_site(h, site);
        }
        case.tumour_grade = self.pick("tumour_grade", std::mem::take(&mut facts.grade));
        case.ki67_percent = self.pick("ki67_percent", std::mem::take(&mut facts.ki67));
        case.biomarkers.pd_l1_cps = self.pick("biomarkers/PD_L1_CPS", std::mem::take(&mut facts.pd_l1_cps));
        case.biomarkers.pd_l1_tps = self.pick("biomarkers/PD_L1_TPS", std::mem::take(&mut facts.pd_l1_tps));
        case.biomarkers.pd_l1_ic = self.pick("biomarkers/PD_L1_IC", std::mem::take(&mut facts.pd_l1_ic));
        self.reconcile_1_1(case);

        // HER2: the IHC score, with ISH for 2+.
        let ihc_cands = std::mem::take(&mut facts.her2_ihc);
        let ish_cands = std::mem::take(&mut facts.her2_ish);
        let ihc_ptr = ihc_cands.iter().max_by_key(|c| (c.date.is_some(), c.date.unwrap_or(i64::MIN), c.order)).map(|c| c.pointer.clone());
        let ihc = self.pick("biomarkers/HER2_IHC", ihc_cands);
        let ish = self.pick("HER2 ISH", ish_cands);
        let ptr = ihc_ptr.unwrap_or_else(|| self.root.clone());
        let (score, status): (Option<Her2Ihc>, Option<BiomarkerValue>) = match (ihc, ish) {
            (Some(4), _) => (Some(Her2Ihc::Three), None),
            (Some(3), Some(true)) => (Some(Her2Ihc::TwoIshPositive), None),
            (Some(3), Some(false)) => (Some(Her2Ihc::TwoIshNegative), None),
            (Some(3), None) => {
                self.warn(&ptr, "HER2 IHC 2+ is equivocal and no ISH result is recorded; HER2_IHC and HER2 left unknown from it");
                (None, None)
            }
            (Some(r), Some(true)) => {
                self.warn(&ptr, format!("HER2 IHC {} with ISH amplified: HER2 read as positive; HER2_IHC not set (the contract's scores do not include this combination)", HER2_IHC[r as usize].1));
                (None, Some(BiomarkerValue::Positive))
            }
            (Some(2), _) => (Some(Her2Ihc::One), None),
            (Some(1), _) => (Some(Her2Ihc::Ultralow), None),
            (Some(_), _) => (Some(Her2Ihc::Zero), None),
            (None, Some(true)) => (None, Some(BiomarkerValue::Positive)),
            (None, Some(false)) => {
                self.warn(
                    &ptr,
                    "HER2 ISH not amplified, but whether it is HER2-low or HER2 0 needs the IHC score; HER2 left unknown from it",
                );
                (None, None)
            }
            (None, None) => (None, None),
        };
        let derived = score.map(Her2Ihc::status).or(status);
        if let Some(d) = derived {
            if let Some(given) = case.biomarkers.get(&Biomarker::Her2).copied()
                && given != d
            {
                self.warn(
                    &ptr,
                    format!(
                        "biomarkers/HER2: a HER2 result says {} but the IHC/ISH scores give {}; used the scores",
                        given.as_str(),
                        d.as_str()
                    ),
                );
            }
            case.biomarkers.insert(Biomarker::Her2, d);
        }
        case.biomarkers.her2_ihc = score;

        // BRCA origin, only with BRCA present.
        let origin = std::mem::take(&mut facts.brca_origin);
        if !origin.is_empty() {
            if case.biomarkers.get(&Biomarker::Brca) == Some(&BiomarkerValue::Present) {
                case.biomarkers.brca_origin = self.pick("biomarkers/BRCA_origin", origin);
            } else {
                self.warn(
                    &origin[0].pointer,
                    "a BRCA genomic source class is recorded but BRCA is not recorded as present; BRCA_origin not set",
                );
            }
        }
    }

    /// A histology as it applies to the primary site (clear cell of the ovary, NET versus NEC, ...).
    fn histology_for_site(&mut self, h: Histology, site: PrimarySite) -> Option<Histology> {
        use Histology as H;
        use PrimarySite as P;
        let out = match (h, site) {
            (H::ClearCell, P::Ovary) => H::ClearCellOvarian,
            (H::ClearCellOvarian, s) if s != P::Ovary => H::ClearCell,
            (H::SmallCell | H::LargeCell, P::Neuroendocrine) => H::NeuroendocrineCarcinoma,
            (H::Serous, P::Ovary) => {
                self.warn(self.root.clone(), "histology: serous carcinoma of the ovary without high or low grade; histology left unknown");
                return None;
            }
            (H::HighGradeSerous | H::LowGradeSerous, P::Womb) => H::Serous,
            (x, _) => x,
        };
        if let Some(sites) = out.sites()
            && !sites.contains(&site)
            && !matches!(site, P::Unknown | P::Other)
        {
            self.warn(
                self.root.clone(),
                format!(
                    "histology {} belongs to {}, not {}; kept as recorded",
                    out.as_str(),
                    sites.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "),
                    site.as_str()
                ),
            );
        }
        Some(out)
    }

    /// Age, where a neuroendocrine tumour started, carcinoid syndrome.
    pub(super) fn patient_facts(&mut self, case: &mut Case, entries: &[Entry], patient_refs: Option<&Vec<String>>, facts: &mut Facts) {
        // Age from birthDate, counted to today (given by the caller).
        let patient = entries
            .iter()
            .find(|e| matches!(e.res, Res::Patient(_)) && patient_refs.is_none_or(|refs| refs.iter().any(|r| e.is_target_of(r))));
        if let Some(e) = patient
            && let Res::Patient(p) = &e.res
        {
            // A person who has died is as old as they were then.
            let death = p.deceased_date_time.as_deref().and_then(crate::datetime::date);
            let until = match (self.opts.today, death) {
                (Some(t), Some(d)) if d < t => Some(d),
                (t, _) => t,
            };
            match (p.birth_date.as_deref(), until) {
                (Some(b), Some(today)) => match crate::datetime::age_on(b, today) {
                    Some((age, partial)) if (18..=120).contains(&age) => {
                        if partial {
                            self.warn(
                                format!("{}/birthDate", e.pointer),
                                format!("birthDate {b} is not a full date; age_years {age} may be a year too high"),
                            );
                        }
                        case.age_years = Some(age as u8);
                    }
                    Some((age, _)) => self.warn(
                        format!("{}/birthDate", e.pointer),
                        format!("age {age} from birthDate {b} is outside the contract's 18-120; age_years left unknown"),
                    ),
                    None => {
                        self.warn(format!("{}/birthDate", e.pointer), format!("birthDate {b:?} is not a FHIR date; age_years left unknown"))
                    }
                },
                (Some(_), None) => self.warn(
                    format!("{}/birthDate", e.pointer),
                    "birthDate given but no date for today was passed to the mapper; age_years left unknown",
                ),
                (None, _) => self.warn(&e.pointer, "Patient has no birthDate; age_years left unknown"),
            }
        }
        let origin = std::mem::take(&mut facts.net_origin);
        let carcinoid = std::mem::take(&mut facts.carcinoid_syndrome);
        if case.primary_site == PrimarySite::Neuroendocrine {
            case.net_origin = self.pick("net_origin", origin);
            case.carcinoid_syndrome = self.pick("carcinoid_syndrome", carcinoid);
        } else if let Some(c) = carcinoid.first() {
            self.warn(&c.pointer, "carcinoid syndrome is recorded but the primary is not a neuroendocrine tumour; not used");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Value {
        Value { value_string: Some(t.into()), ..Default::default() }
    }

    #[test]
    fn grades() {
        assert_eq!(grade_of(&s("G2")), Ok(TumourGrade::G2));
        assert_eq!(grade_of(&s("Grade 3")), Ok(TumourGrade::G3));
        assert_eq!(grade_of(&s("Well differentiated")), Ok(TumourGrade::G1));
        assert!(grade_of(&s("G4")).is_err());
        assert!(grade_of(&s("GX")).is_err());
    }

    #[test]
    fn her2_readings() {
        assert_eq!(her2_ihc_reading(&s("3+"), &[]), Some(4));
        assert_eq!(her2_ihc_reading(&s("2+"), &[]), Some(3));
        assert_eq!(her2_ihc_reading(&s("1+"), &[]), Some(2));
        assert_eq!(her2_ihc_reading(&s("0"), &[]), Some(0));
        assert_eq!(her2_ihc_reading(&s("HER2-ultralow (0 with faint staining)"), &[]), Some(1));
        assert_eq!(her2_ihc_reading(&Value { value_integer: Some(2.0), ..Default::default() }, &[]), Some(3));
        assert_eq!(her2_ihc_reading(&s("positive"), &[]), None);
    }

    #[test]
    fn percents() {
        assert_eq!(percent_of(&s("Ki-67 12%")), Some(12.0));
        let q = Value {
            value_quantity: Some(Quantity { value: Some(60.0), code: Some("%".into()), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(percent_of(&q), Some(60.0));
        let mg = Value {
            value_quantity: Some(Quantity { value: Some(60.0), code: Some("mg".into()), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(percent_of(&mg), None);
    }
}
