//! Observations: tumour markers, genomic variants, performance status, CEA, tumour size, TNM, case fields.

use super::values::*;
use super::*;

impl Mapper<'_> {
    pub(super) fn observation(&mut self, e: &Entry, o: &Observation, entries: &[Entry], conds: &[CondFact], facts: &mut Facts) {
        let status = o.status.as_deref().unwrap_or("unknown");
        if matches!(status, "cancelled" | "entered-in-error" | "registered") {
            self.warn(&e.pointer, format!("Observation status is {status}; not used"));
            return;
        }
        let Some(code) = &o.code else {
            self.warn(&e.pointer, "Observation has no code; not used");
            return;
        };
        let mut hits = self.lookup_all(code);
        if hits.is_empty()
            && let Some(h) = self.facets_of(code).into_iter().find(|h| matches!(h.target, Target::Finding(_)))
        {
            let coding = code.coding.iter().find(|c| c.code.is_some()).cloned().unwrap_or_default();
            hits.push((coding, h));
        }
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
        if let Target::Biomarker(b @ (Biomarker::Her2 | Biomarker::PdL1)) = &hit.target {
            let words = format!("{} {}", code.words(), coding.display.as_deref().unwrap_or("").to_lowercase());
            let read = if *b == Biomarker::Her2 {
                self.her2_detail(e, o, &words, &label, &base, facts)
            } else {
                self.pd_l1_scores(e, o, code, &label, &base, facts)
            };
            if read {
                return;
            }
        }
        match &hit.target {
            Target::Finding(name) => self.finding_observation(e, o, name, &label, base.clone(), facts),
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
                        if b == Biomarker::Brca && v == BiomarkerValue::Present {
                            match self.brca_origin_of(o) {
                                Some(origin) => facts.brca_origin.push(base.with(origin)),
                                None => self.warn(&e.pointer, format!("{label}: BRCA variant without a genomic source class (LOINC 48002-0: germline or somatic); BRCA_origin left unknown from it")),
                            }
                        }
                        if b == Biomarker::Pdgfra {
                            let protein = o
                                .component
                                .iter()
                                .find(|c| c.code.as_ref().is_some_and(|cc| cc.has(LOINC, "48005-3")))
                                .and_then(|c| protein_change(&value_words(&c.value)));
                            let d842v = match (v, protein.as_deref()) {
                                (BiomarkerValue::Present, Some("D842V")) => Some(BiomarkerValue::Present),
                                (BiomarkerValue::Absent, None) => Some(BiomarkerValue::Absent),
                                _ => None,
                            };
                            if let Some(d) = d842v {
                                facts.biomarkers.entry(Biomarker::PdgfraD842v).or_default().push(base.clone().with(d));
                            }
                        }
                        facts.biomarkers.entry(b).or_default().push(base.with(v));
                    }
                    Err(why) => self.warn(&e.pointer, format!("{label}: {why}; not used")),
                },
                "ras_panel" => self.ras_panel(e, o, &label, &code.words(), base.clone(), facts),
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
                "bilirubin" | "albumin" => self.liver_lab(e, o, name, &label, base.clone(), facts),
                "child_pugh" => match super::liver::child_pugh_of(&o.value) {
                    Ok(c) => facts.child_pugh.push(base.with(c)),
                    Err(why) => self.warn(&e.pointer, format!("{label}: {why}; not used")),
                },
                "histology" | "tumour_grade" | "ki67" | "tmb" => self.pathology_observation(e, o, name, &label, base.clone(), facts),
                field => self.case_field(e, field, &label, &o.value, base.clone(), facts),
            },
            Target::Unmapped(why) => self.warn(&e.pointer, format!("Observation {label}: {why}; not used")),
            other => {
                self.warn(&e.pointer, format!("Observation {label}: this code is not an observation Hepatica reads ({other:?}); not used"))
            }
        }
    }

    /// A combined KRAS and NRAS result (LOINC 81420-2). "No mutation" means both
    /// genes are wild type. A mutation counts only for the gene the result names:
    /// when it names neither (or both), which gene is mutated is not known, so both
    /// stay unknown and a warning says why (never a guess that it is KRAS).
    fn ras_panel(&mut self, e: &Entry, o: &Observation, label: &str, code_words: &str, base: Cand<()>, facts: &mut Facts) {
        use BiomarkerValue as V;
        let mut words = value_words(&o.value);
        for cc in &o.interpretation {
            words.push_str(" | ");
            words.push_str(&cc.words());
        }
        let words = words.to_ascii_lowercase();
        let (kras, nras) = (words.contains("kras"), words.contains("nras"));
        match self.interpret(Biomarker::Kras, &o.value, &o.interpretation, code_words) {
            Ok((V::WildType, _)) => {
                for b in [Biomarker::Kras, Biomarker::Nras] {
                    facts.biomarkers.entry(b).or_default().push(base.clone().with(V::WildType));
                }
            }
            Ok((v, _)) if kras != nras => {
                let (b, v) = if kras { (Biomarker::Kras, v) } else { (Biomarker::Nras, V::Mutant) };
                facts.biomarkers.entry(b).or_default().push(base.with(v));
            }
            Ok(_) => self.warn(
                &e.pointer,
                format!("{label}: a RAS mutation was found, but the result does not say whether in KRAS or NRAS; both left unknown from this result"),
            ),
            Err(_) => self.warn(
                &e.pointer,
                format!("{label}: result {words:?} not recognised as no mutation or as a mutation in a named gene; KRAS and NRAS left unknown from this result"),
            ),
        }
    }

    /// Hepatica case-field observations (`urn:hepatica:case|<field>`).
    pub(super) fn case_field(&mut self, e: &Entry, field: &str, label: &str, v: &Value, c: Cand<()>, facts: &mut Facts) {
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
            "lines_of_systemic_therapy" => match number(v) {
                Some(n) if n.fract() == 0.0 && (0.0..=10.0).contains(&n) => facts.lines.push(c.with(n as u8)),
                _ => bad(self, "a whole number 0-10 (valueInteger)"),
            },
            "platinum_sensitive"
            | "endocrine_resistant"
            | "castration_resistant"
            | "primary_resected"
            | "carcinoid_syndrome"
            | "jaundice"
            | "biliary_obstruction" => match v.value_boolean {
                Some(b) => match field {
                    "platinum_sensitive" => facts.platinum_sensitive.push(c.with(b)),
                    "endocrine_resistant" => facts.endocrine_resistant.push(c.with(b)),
                    "castration_resistant" => facts.castration_resistant.push(c.with(b)),
                    "primary_resected" => facts.primary_resected.push(c.with(b)),
                    "carcinoid_syndrome" => facts.carcinoid_syndrome.push(c.with(b)),
                    "jaundice" => facts.jaundice.push(c.with(b)),
                    _ => facts.biliary_obstruction.push(c.with(b)),
                },
                None => bad(self, "a valueBoolean"),
            },
            "percent_liver_replaced" => match number(v) {
                Some(n) if (0.0..=100.0).contains(&n) => facts.percent_replaced.push(c.with(n)),
                _ => bad(self, "a number 0-100"),
            },
            "months_disease_controlled" => match number(v) {
                Some(n) if (0.0..=600.0).contains(&n) => facts.months_controlled.push(c.with(n)),
                _ => bad(self, "a number 0-600"),
            },
            "net_origin" => {
                let s = v
                    .value_string
                    .clone()
                    .or_else(|| v.value_codeable_concept.as_ref().and_then(|cc| cc.coding.iter().find_map(|c| c.code.clone())));
                match s.as_deref().and_then(NetOrigin::parse) {
                    Some(o) => facts.net_origin.push(c.with(o)),
                    None => bad(self, "pancreas, small_bowel, large_bowel, stomach, lung, other or unknown"),
                }
            }
            "ascites" => {
                let s = v
                    .value_string
                    .clone()
                    .or_else(|| v.value_codeable_concept.as_ref().and_then(|cc| cc.coding.iter().find_map(|c| c.code.clone())));
                match s.as_deref().and_then(Ascites::parse) {
                    Some(a) => facts.ascites.push(c.with(a)),
                    None => bad(self, "none, mild or moderate_severe"),
                }
            }
            other => self.warn(&e.pointer, format!("{label}: Hepatica does not read an observation named {other}; not used")),
        }
    }

    /// Which liver lesion a tumour-size observation measures, or why it does not count.
    pub(super) fn liver_lesion(&self, o: &Observation, entries: &[Entry], conds: &[CondFact]) -> Result<String, String> {
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
    pub(super) fn interpret(
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
                    return Ok((V::Ultralow, None));
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
    pub(super) fn variant(&self, o: &Observation) -> Result<(Biomarker, BiomarkerValue, Option<String>), String> {
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
}
