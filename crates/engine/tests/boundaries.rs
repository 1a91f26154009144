//! Boundary tests for every threshold the rules compare against.
//!
//! Each test sets one input exactly at a threshold and just past it, with
//! everything else favourable, and checks the option moves as the knowledge
//! base says (inclusive or strict).

use hepatica_engine::*;
use hepatica_knowledge::Knowledge;

fn favourable_bowel() -> Case {
    let mut c = Case::new(PrimarySite::Bowel);
    c.bowel_side = Some(BowelSide::Left);
    c.liver.tumour_count = Some(1);
    c.liver.largest_tumour_cm = Some(2.0);
    c.liver.all_removable = Some(true);
    c.liver.future_liver_remnant_percent = Some(50.0);
    c.liver.liver_condition = Some(LiverCondition::Normal);
    c.liver.near_major_vessels = Some(false);
    c.spread_elsewhere = Some(vec![]);
    c.performance_status = Some(0);
    c.fit_for_major_surgery = Some(true);
    c.disease_free_interval_months = Some(24.0);
    c
}

fn level(c: &Case, t: &str) -> Suitability {
    assess(Knowledge::embedded(), c, Audience::Clinician).option(t).unwrap().suitability
}

fn kind(c: &Case, t: &str, k: &str) -> Suitability {
    let a = assess(Knowledge::embedded(), c, Audience::Clinician);
    a.option(t).unwrap().kinds.iter().find(|x| x.id == k).unwrap().suitability
}

#[test]
fn remnant_thresholds_are_inclusive_per_liver_condition() {
    for (cond, t) in [(LiverCondition::Normal, 20.0), (LiverCondition::ChemotherapyInjured, 30.0), (LiverCondition::Cirrhosis, 40.0)] {
        let mut c = favourable_bowel();
        c.liver.liver_condition = Some(cond);
        c.liver.future_liver_remnant_percent = Some(t);
        assert_eq!(level(&c, "surgery"), Suitability::Usual, "{cond:?} at {t}");
        c.liver.future_liver_remnant_percent = Some(t - 0.1);
        if cond == LiverCondition::Cirrhosis {
            // Issue 13: a cirrhotic liver grows poorly after PVE, so a small remnant
            // cannot be counted on to grow first.
            assert_eq!(level(&c, "surgery"), Suitability::Unlikely, "{cond:?} below {t}: the remnant cannot be grown");
            assert_eq!(kind(&c, "surgery", "portal_vein_embolisation"), Suitability::Unlikely, "no PVE in cirrhosis");
            assert_eq!(kind(&c, "surgery", "alpps"), Suitability::Unlikely, "no ALPPS in cirrhosis");
        } else {
            assert_eq!(level(&c, "surgery"), Suitability::Possible, "{cond:?} below {t}: possible after growing the remnant");
            assert_eq!(kind(&c, "surgery", "portal_vein_embolisation"), Suitability::Possible, "remnant can be grown");
            // Child-Pugh B or C: the liver cannot be grown either.
            let mut poor = c.clone();
            poor.liver_function.child_pugh = Some(ChildPugh::B);
            assert_eq!(level(&poor, "surgery"), Suitability::Unlikely, "{cond:?}, Child-Pugh B");
            assert_eq!(kind(&poor, "surgery", "portal_vein_embolisation"), Suitability::Unlikely, "{cond:?}, Child-Pugh B");
        }
        // For a less common primary the remnant cannot be counted on to grow: unlikely.
        let mut breast = c.clone();
        breast.primary_site = PrimarySite::Breast;
        assert_eq!(level(&breast, "surgery"), Suitability::Unlikely, "breast, {cond:?} below {t}");
    }
}

#[test]
fn remnant_without_liver_condition_depends_between_the_extremes() {
    let mut c = favourable_bowel();
    c.liver.liver_condition = None;
    c.liver.future_liver_remnant_percent = Some(40.0);
    assert_eq!(level(&c, "surgery"), Suitability::Usual, "40% is enough for any liver");
    c.liver.future_liver_remnant_percent = Some(39.9);
    assert_eq!(level(&c, "surgery"), Suitability::Depends);
    c.liver.future_liver_remnant_percent = Some(20.0);
    assert_eq!(level(&c, "surgery"), Suitability::Depends);
    c.liver.future_liver_remnant_percent = Some(19.9);
    assert_eq!(level(&c, "surgery"), Suitability::Possible, "below 20% is too little for any liver: only after growing it");
    c.primary_site = PrimarySite::Kidney;
    assert_eq!(level(&c, "surgery"), Suitability::Unlikely);
}

#[test]
fn surgery_performance_status() {
    let mut c = favourable_bowel();
    c.fit_for_major_surgery = None;
    c.performance_status = Some(1);
    assert_eq!(level(&c, "surgery"), Suitability::Usual, "PS 1 implies fitness");
    c.performance_status = Some(2);
    assert_eq!(level(&c, "surgery"), Suitability::Depends, "PS 2 needs the team's judgement");
    c.fit_for_major_surgery = Some(true);
    assert_eq!(level(&c, "surgery"), Suitability::Usual);
    c.performance_status = Some(3);
    assert_eq!(level(&c, "surgery"), Suitability::Unlikely, "PS 3 overrides a stated fitness");
}

#[test]
fn chemotherapy_performance_status() {
    let mut c = favourable_bowel();
    for (ps, want) in [
        (0, Suitability::Usual),
        (1, Suitability::Usual),
        (2, Suitability::Possible),
        (3, Suitability::Unlikely),
        (4, Suitability::Unlikely),
    ] {
        c.performance_status = Some(ps);
        assert_eq!(level(&c, "chemotherapy"), want, "PS {ps}");
    }
    c.performance_status = Some(3);
    c.biomarkers.insert(Biomarker::Kras, BiomarkerValue::WildType);
    c.biomarkers.insert(Biomarker::Nras, BiomarkerValue::WildType);
    assert_eq!(level(&c, "targeted_therapy"), Suitability::Unlikely, "PS 3 also rules out targeted drugs");
    assert_eq!(level(&c, "supportive_care"), Suitability::Usual);
}

#[test]
fn ablation_size_and_count() {
    let mut c = favourable_bowel();
    c.liver.largest_tumour_cm = Some(3.0);
    assert_eq!(level(&c, "ablation"), Suitability::Possible);
    c.liver.largest_tumour_cm = Some(5.0);
    assert_eq!(level(&c, "ablation"), Suitability::Possible, "3-5 cm: less reliable but possible");
    c.liver.largest_tumour_cm = Some(5.1);
    assert_eq!(level(&c, "ablation"), Suitability::Unlikely);
    c.liver.largest_tumour_cm = Some(2.0);
    c.liver.tumour_count = Some(10);
    assert_eq!(level(&c, "ablation"), Suitability::Possible);
    c.liver.tumour_count = Some(11);
    assert_eq!(level(&c, "ablation"), Suitability::Unlikely);
}

#[test]
fn ablation_near_vessels_opens_ire_only_then() {
    let mut c = favourable_bowel();
    assert_eq!(kind(&c, "ablation", "irreversible_electroporation"), Suitability::Unlikely);
    c.liver.near_major_vessels = Some(true);
    assert_eq!(kind(&c, "ablation", "irreversible_electroporation"), Suitability::Possible);
    c.liver.near_major_vessels = None;
    assert_eq!(kind(&c, "ablation", "irreversible_electroporation"), Suitability::Depends);
}

#[test]
fn sabr_count_size_sites_and_interval() {
    let mut c = favourable_bowel();
    c.primary_site = PrimarySite::Breast;
    c.liver.tumour_count = Some(3);
    c.liver.largest_tumour_cm = Some(5.0);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Possible);
    c.liver.tumour_count = Some(4);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Unlikely);
    c.liver.tumour_count = Some(2);
    c.liver.largest_tumour_cm = Some(5.1);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Unlikely);
    c.liver.largest_tumour_cm = Some(2.0);
    c.spread_elsewhere = Some(vec![Spread::Bone]);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Possible, "2 liver + 1 bone = 3 sites");
    c.spread_elsewhere = Some(vec![Spread::Bone, Spread::Lung]);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Unlikely, "4 sites");
    c.spread_elsewhere = Some(vec![]);
    c.disease_free_interval_months = Some(6.0);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Unlikely, "interval must exceed 6 months");
    c.disease_free_interval_months = Some(6.1);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Possible);
    c.primary_site = PrimarySite::Bowel;
    c.disease_free_interval_months = Some(0.0);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Possible, "synchronous bowel liver spread is not excluded");
    c.performance_status = Some(3);
    assert_eq!(kind(&c, "radiotherapy", "sabr"), Suitability::Unlikely);
}

#[test]
fn sirt_needs_refractory_or_intolerant_liver_only_unresectable_bowel() {
    let mut c = favourable_bowel();
    c.liver.all_removable = Some(false);
    c.chemotherapy_history = Some(ChemoHistory::Refractory);
    assert_eq!(kind(&c, "embolisation", "sirt"), Suitability::Possible);
    c.chemotherapy_history = Some(ChemoHistory::Intolerant);
    assert_eq!(kind(&c, "embolisation", "sirt"), Suitability::Possible);
    c.chemotherapy_history = Some(ChemoHistory::Responding);
    assert_eq!(kind(&c, "embolisation", "sirt"), Suitability::Unlikely, "first line: research only");
    c.chemotherapy_history = Some(ChemoHistory::Refractory);
    c.spread_elsewhere = Some(vec![Spread::Lung]);
    assert_eq!(kind(&c, "embolisation", "sirt"), Suitability::Unlikely, "not liver-only");
    c.spread_elsewhere = Some(vec![]);
    c.liver.all_removable = Some(true);
    assert_eq!(kind(&c, "embolisation", "sirt"), Suitability::Unlikely, "resectable");
    c.liver.all_removable = Some(false);
    c.chemotherapy_history = None;
    assert_eq!(level(&c, "embolisation"), Suitability::Depends);
}

#[test]
fn transplant_criteria_for_bowel() {
    let mut c = favourable_bowel();
    c.liver.all_removable = Some(false);
    c.chemotherapy_history = Some(ChemoHistory::Responding);
    c.biomarkers.insert(Biomarker::BrafV600, BiomarkerValue::Absent);
    // TRANSMET selection the 1.1 fields carry. Resection is unlikely (the
    // liver disease cannot be removed), so from engine logic 5 transplant is
    // what is left of the option: its unknown criteria make surgery `depends`,
    // and `depends_on` says what would decide it (logic 4 capped the kind at
    // the option's `unlikely` and hid the question).
    assert_eq!(kind(&c, "surgery", "liver_transplant"), Suitability::Depends, "age, primary and control not given");
    assert_eq!(level(&c, "surgery"), Suitability::Depends);
    let a = assess(Knowledge::embedded(), &c, Audience::Clinician);
    let surgery = a.option("surgery").unwrap();
    assert!(surgery.reasons.iter().any(|r| r.statement == "surgery.transplant_open"), "{:?}", surgery.reasons);
    assert_eq!(surgery.depends_on.len(), 3, "age, primary resected, months controlled: {:?}", surgery.depends_on);
    assert!(
        surgery.kinds.iter().filter(|k| k.id != "liver_transplant").all(|k| k.suitability == Suitability::Unlikely),
        "resection and staged surgery stay unlikely: {:?}",
        surgery.kinds
    );
    let open: Vec<&str> = a
        .option("surgery")
        .unwrap()
        .criteria
        .iter()
        .filter(|k| k.status == hepatica_engine::CriterionStatus::Unknown)
        .flat_map(|k| k.inputs.iter().map(String::as_str))
        .collect();
    assert!(open.contains(&"/age_years"), "the unknown transplant criteria stay in the trace: {open:?}");
    c.age_years = Some(65);
    c.primary_resected = Some(true);
    c.months_disease_controlled = Some(3.0);
    assert_eq!(kind(&c, "surgery", "liver_transplant"), Suitability::Possible);
    for (what, edit) in [
        ("over 65", (|c: &mut Case| c.age_years = Some(66)) as fn(&mut Case)),
        ("primary in place", |c: &mut Case| c.primary_resected = Some(false)),
        ("under 3 months controlled", |c: &mut Case| c.months_disease_controlled = Some(2.9)),
        ("a 4th line", |c: &mut Case| c.treatment_history.lines_of_systemic_therapy = Some(3)),
    ] {
        let mut x = c.clone();
        edit(&mut x);
        assert_eq!(kind(&x, "surgery", "liver_transplant"), Suitability::Unlikely, "{what}");
    }
    c.treatment_history.lines_of_systemic_therapy = Some(2);
    assert_eq!(kind(&c, "surgery", "liver_transplant"), Suitability::Possible, "2 ended lines: the current one is the 3rd");
    c.biomarkers.insert(Biomarker::BrafV600, BiomarkerValue::Present);
    assert_eq!(kind(&c, "surgery", "liver_transplant"), Suitability::Unlikely, "BRAF mutant excluded in TRANSMET");
    c.biomarkers.remove(&Biomarker::BrafV600);
    assert_eq!(kind(&c, "surgery", "liver_transplant"), Suitability::Depends, "BRAF not given: open");
    let a = assess(Knowledge::embedded(), &c, Audience::Patient);
    let surgery = a.option("surgery").unwrap();
    assert_eq!(surgery.suitability, Suitability::Depends);
    assert_eq!(surgery.depends_on.len(), 1, "only BRAF decides it now: {:?}", surgery.depends_on);
    assert!(
        surgery.depends_on[0].contains("BRAF") && surgery.depends_on[0].contains("transplant"),
        "the bowel wording: {:?}",
        surgery.depends_on
    );
    c.biomarkers.insert(Biomarker::BrafV600, BiomarkerValue::Absent);
    c.chemotherapy_history = Some(ChemoHistory::Refractory);
    assert_eq!(kind(&c, "surgery", "liver_transplant"), Suitability::Unlikely, "progression on chemotherapy");
    c.chemotherapy_history = Some(ChemoHistory::Stable);
    c.performance_status = Some(2);
    assert_eq!(kind(&c, "surgery", "liver_transplant"), Suitability::Unlikely, "ECOG 0-1 only");
}

#[test]
fn biomarker_not_tested_gives_depends_with_the_test() {
    let mut c = favourable_bowel();
    let a = assess(Knowledge::embedded(), &c, Audience::Patient);
    let immuno = a.option("immunotherapy").unwrap();
    assert_eq!(immuno.suitability, Suitability::Depends);
    assert!(immuno.depends_on.iter().any(|d| d.contains("MSI")), "{:?}", immuno.depends_on);
    c.biomarkers.insert(Biomarker::Msi, BiomarkerValue::High);
    assert_eq!(level(&c, "immunotherapy"), Suitability::Usual);
    c.biomarkers.insert(Biomarker::Msi, BiomarkerValue::Stable);
    assert_eq!(level(&c, "immunotherapy"), Suitability::Unlikely);
}

#[test]
fn lung_drivers_and_immunotherapy_order() {
    let mut c = Case::new(PrimarySite::Lung);
    assert_eq!(level(&c, "immunotherapy"), Suitability::Depends, "EGFR/ALK not known: immunotherapy first is not a given");
    c.biomarkers.insert(Biomarker::Egfr, BiomarkerValue::Absent);
    c.biomarkers.insert(Biomarker::Alk, BiomarkerValue::Absent);
    assert_eq!(level(&c, "immunotherapy"), Suitability::Usual);
    assert_eq!(level(&c, "targeted_therapy"), Suitability::Unlikely);
    c.biomarkers.insert(Biomarker::Kras, BiomarkerValue::G12c);
    assert_eq!(level(&c, "targeted_therapy"), Suitability::Possible, "KRAS G12C: a later-line option");
    assert_eq!(level(&c, "chemotherapy"), Suitability::Usual, "G12C is not a first-line tablet target");
    c.biomarkers.insert(Biomarker::Ros1, BiomarkerValue::Present);
    assert_eq!(level(&c, "targeted_therapy"), Suitability::Usual);
    assert_eq!(level(&c, "immunotherapy"), Suitability::Unlikely);
    assert_eq!(level(&c, "chemotherapy"), Suitability::Possible);
}

#[test]
fn anti_egfr_not_after_chemotherapy_has_failed() {
    let mut c = favourable_bowel();
    c.biomarkers.insert(Biomarker::Kras, BiomarkerValue::WildType);
    c.biomarkers.insert(Biomarker::Nras, BiomarkerValue::WildType);
    // Removable and fit: not around the operation (New EPOC, knowledge-base logic 2).
    assert_eq!(kind(&c, "targeted_therapy", "anti_egfr"), Suitability::Unlikely, "New EPOC");
    c.liver.all_removable = Some(false);
    assert_eq!(kind(&c, "targeted_therapy", "anti_egfr"), Suitability::Usual);
    c.chemotherapy_history = Some(ChemoHistory::Refractory);
    assert_eq!(kind(&c, "targeted_therapy", "anti_egfr"), Suitability::Unlikely, "TA242");
}

#[test]
fn chemotherapy_aimed_at_surgery_needs_a_possible_operation() {
    let mut c = favourable_bowel();
    assert_eq!(kind(&c, "chemotherapy", "perioperative_chemotherapy"), Suitability::Possible);
    c.fit_for_major_surgery = Some(false);
    assert_eq!(kind(&c, "chemotherapy", "perioperative_chemotherapy"), Suitability::Unlikely);
    c.liver.all_removable = Some(false);
    assert_eq!(kind(&c, "chemotherapy", "conversion_chemotherapy"), Suitability::Unlikely, "unfit: no operation to convert to");
    c.fit_for_major_surgery = Some(true);
    assert_eq!(kind(&c, "chemotherapy", "conversion_chemotherapy"), Suitability::Possible);
}
