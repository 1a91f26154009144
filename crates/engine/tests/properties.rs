//! Property tests of the engine over arbitrary cases.
//!
//! Invariants: nine options in contract order; every reason sourced and every
//! cited source listed; determinism; supportive care never `unlikely`;
//! `depends` always says what it depends on; only known statements cited.
//! Monotonicity: more spread never raises surgery, ablation or SABR; a bigger or
//! more numerous liver burden never raises ablation; a worse performance status
//! never raises surgery or chemotherapy; worse liver function (higher bilirubin,
//! jaundice, a blocked bile duct, a worse Child-Pugh class, more fluid in the
//! belly) and more of the liver replaced never raise surgery, ablation,
//! embolisation or SABR.
//! Honest reasons (contract 8.1, issue 13): every reason's asserted inputs were
//! given and its statement is written for the case's primary site; no two
//! reasons in one option contradict; a criterion is met or not met only on inputs
//! that were given, and unknown only when one of its inputs was not.
//! Shrunk failures are pinned as named tests in `regressions` below (we do not
//! commit `proptest-regressions/`).

use std::collections::BTreeSet;

use hepatica_engine::*;
use hepatica_knowledge::{Knowledge, TREATMENT_IDS};
use proptest::prelude::*;

fn opt<T: std::fmt::Debug + Clone + 'static>(s: impl Strategy<Value = T> + 'static) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 3 => s.prop_map(Some)].boxed()
}

/// The contract 8.1 fields the local treatments read (and the rest of 8.1 that
/// a generated case should carry, so every rule sees realistic mixtures).
#[derive(Debug, Clone)]
struct Extra {
    liver_function: LiverFunction,
    percent_liver_replaced: Option<f64>,
    age_years: Option<u8>,
    primary_resected: Option<bool>,
    months_disease_controlled: Option<f64>,
    carcinoid_syndrome: Option<bool>,
    tumour_grade: Option<TumourGrade>,
    ki67_percent: Option<f64>,
    histology: Option<Histology>,
    lines: Option<u8>,
    previous: Option<Vec<PreviousTreatment>>,
}

impl Extra {
    fn apply(self, c: &mut Case) {
        c.liver_function = self.liver_function;
        c.liver.percent_liver_replaced = self.percent_liver_replaced;
        c.age_years = self.age_years;
        c.primary_resected = self.primary_resected;
        c.months_disease_controlled = self.months_disease_controlled;
        c.carcinoid_syndrome = self.carcinoid_syndrome;
        c.tumour_grade = self.tumour_grade;
        c.ki67_percent = self.ki67_percent;
        c.histology = self.histology;
        c.treatment_history.lines_of_systemic_therapy = self.lines;
        c.treatment_history.previous = self.previous;
    }
}

fn arb_liver_function() -> impl Strategy<Value = LiverFunction> {
    (
        opt((0u32..=3000).prop_map(|b| f64::from(b) / 10.0)),
        opt((10u32..=55).prop_map(f64::from)),
        opt(proptest::sample::select(Ascites::ALL.to_vec())),
        opt(any::<bool>()),
        opt(any::<bool>()),
        opt(proptest::sample::select(ChildPugh::ALL.to_vec())),
        prop_oneof![3 => Just(None), 1 => (5u32..=40).prop_map(|u| Some(f64::from(u)))],
    )
        .prop_map(|(bilirubin, albumin, ascites, jaundice, obstruction, child_pugh, uln)| LiverFunction {
            bilirubin_umol_l: bilirubin,
            albumin_g_l: albumin,
            ascites,
            jaundice,
            biliary_obstruction: obstruction,
            child_pugh,
            bilirubin_uln_umol_l: uln,
        })
}

fn arb_1_1() -> impl Strategy<Value = Extra> {
    (
        arb_liver_function(),
        opt((0u32..=100).prop_map(f64::from)),
        opt(18u8..=90),
        opt(any::<bool>()),
        opt((0u32..=60).prop_map(f64::from)),
        opt(any::<bool>()),
        opt(proptest::sample::select(TumourGrade::ALL.to_vec())),
        opt((0u32..=100).prop_map(f64::from)),
        opt(proptest::sample::select(Histology::ALL.to_vec())),
        opt(0u8..=6),
        opt(proptest::collection::btree_set(proptest::sample::select(PreviousTreatment::ALL.to_vec()), 0..5)
            .prop_map(|s| s.into_iter().collect::<Vec<_>>())),
    )
        .prop_map(|(liver_function, replaced, age, resected, controlled, carcinoid, grade, ki67, histology, lines, previous)| Extra {
            liver_function,
            percent_liver_replaced: replaced,
            age_years: age,
            primary_resected: resected,
            months_disease_controlled: controlled,
            carcinoid_syndrome: carcinoid,
            tumour_grade: grade,
            ki67_percent: ki67,
            histology,
            lines,
            previous,
        })
}

fn arb_case() -> impl Strategy<Value = Case> {
    let site = proptest::sample::select(PrimarySite::ALL.to_vec());
    let biomarkers = proptest::collection::btree_map(proptest::sample::select(Biomarker::ALL.to_vec()), any::<prop::sample::Index>(), 0..8)
        .prop_map(|m| m.into_iter().map(|(b, i)| (b, *i.get(b.values()))).collect::<std::collections::BTreeMap<_, _>>());
    let liver = (
        opt(1u32..=100),
        opt((1u32..=300).prop_map(|t| f64::from(t) / 10.0)),
        opt(any::<bool>()),
        opt(any::<bool>()),
        opt(any::<bool>()),
        opt((0u32..=100).prop_map(f64::from)),
        opt(proptest::sample::select(LiverCondition::ALL.to_vec())),
    )
        .prop_map(|(c, s, b, n, r, f, l)| Liver {
            tumour_count: c,
            largest_tumour_cm: s,
            both_lobes: b,
            near_major_vessels: n,
            all_removable: r,
            future_liver_remnant_percent: f,
            liver_condition: l,
            percent_liver_replaced: None,
        });
    let spread = opt(proptest::collection::btree_set(proptest::sample::select(Spread::ALL.to_vec()), 0..4)
        .prop_map(|s| s.into_iter().collect::<Vec<_>>()));
    let rest = (
        opt(0u8..=4),
        opt(any::<bool>()),
        opt(proptest::sample::select(ChemoHistory::ALL.to_vec())),
        opt(any::<bool>()),
        opt((0u32..=240).prop_map(f64::from)),
        opt((0u32..=2000).prop_map(|c| f64::from(c) / 2.0)),
        opt(proptest::sample::select(BowelSide::ALL.to_vec())),
    );
    (site, biomarkers, liver, spread, rest, arb_1_1()).prop_map(
        |(site, biomarkers, liver, spread, (ps, fit, chemo, node, dfi, cea, side), extra)| {
            let mut c = Case::new(site);
            extra.apply(&mut c);
            c.biomarkers = biomarkers.into();
            c.liver = liver;
            c.spread_elsewhere = spread;
            c.performance_status = ps;
            c.fit_for_major_surgery = fit;
            c.chemotherapy_history = chemo;
            c.primary_node_positive = node;
            c.disease_free_interval_months = dfi;
            c.cea_ng_ml = cea;
            c.bowel_side = side;
            c
        },
    )
}

fn level(a: &Assessment, t: &str) -> Suitability {
    a.option(t).unwrap().suitability
}

fn sabr(a: &Assessment) -> Suitability {
    a.option("radiotherapy").unwrap().kinds.iter().find(|k| k.id == "sabr").unwrap().suitability
}

fn check_invariants(case: &Case) {
    let kb = Knowledge::embedded();
    for audience in [Audience::Patient, Audience::Clinician] {
        let a = assess(kb, case, audience);
        assert!(a.options.iter().map(|o| o.treatment.as_str()).eq(TREATMENT_IDS), "nine options in contract order");
        let listed: BTreeSet<&str> = a.sources.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(listed.len(), a.sources.len(), "sources listed once");
        for o in &a.options {
            assert!(!o.title.is_empty() && !o.summary.is_empty(), "{}: title and summary", o.treatment);
            for r in &o.reasons {
                assert!(!r.text.is_empty(), "{}: empty reason {}", o.treatment, r.statement);
                assert!(!r.sources.is_empty(), "{}: unsourced reason {}", o.treatment, r.statement);
                for s in &r.sources {
                    assert!(listed.contains(s.as_str()), "{}: cited {s} not listed", o.treatment);
                }
                // A reason comes from the procedural rules (the Rust lists) or from
                // the rule tables of this release (content/rules/), nowhere else.
                assert!(
                    hepatica_engine::statement_ids(kb.engine_logic()).any(|id| id == r.statement)
                        || kb.rules.iter().any(|t| t.statement_ids().any(|id| id == r.statement)),
                    "statement {} not in STATEMENT_IDS, the LOGIC_N_STATEMENT_IDS of this release or its rule tables",
                    r.statement
                );
            }
            assert!(!o.reasons.is_empty(), "{}: at least one reason for {case:?}", o.treatment);
            let page = kb.treatment(&o.treatment).unwrap();
            for k in &o.kinds {
                assert!(page.kinds.iter().any(|pk| pk.id == k.id), "{}: kind {} has no entry on the treatment page", o.treatment, k.id);
                // Engine logic 4: a kind is never rated above its option.
                if kb.engine_logic() >= 4 {
                    assert!(
                        k.suitability <= o.suitability,
                        "{}: kind {} is {:?}, above the option's {:?} for {case:?}",
                        o.treatment,
                        k.id,
                        k.suitability,
                        o.suitability
                    );
                }
            }
            if o.suitability == Suitability::Depends {
                assert!(!o.depends_on.is_empty(), "{}: depends without depends_on for {case:?}", o.treatment);
            } else {
                assert!(o.depends_on.is_empty(), "{}: depends_on on a settled answer", o.treatment);
            }
        }
        for e in &a.score_explanations {
            assert!(!e.sources.is_empty() && e.sources.iter().all(|s| listed.contains(s.as_str())), "score {} sources", e.score);
        }
        assert_ne!(level(&a, "supportive_care"), Suitability::Unlikely);
        for m in &a.missing_information {
            assert!(!m.why.is_empty(), "missing {} has no why", m.pointer);
        }
        // Determinism, byte for byte.
        let again = assess(kb, case, audience);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&again).unwrap());
    }
}

/// Honest reasons and an honest trace, for every one of the nine options.
fn check_honesty(case: &Case) {
    let kb = Knowledge::embedded();
    let site = case.primary_site.as_str();
    let a = assess(kb, case, Audience::Clinician);
    for o in &a.options {
        let ids: Vec<&str> = o.reasons.iter().map(|r| r.statement.as_str()).collect();
        for r in &o.reasons {
            let s = kb.statement(&r.statement).expect("a cited statement exists");
            for p in &s.asserts {
                assert!(input_given(case, p), "{}: reason {} states {p}, which was not given, for {case:?}", o.treatment, s.id);
            }
            if let Some(sites) = &s.sites {
                assert!(sites.iter().any(|x| x == site), "{}: reason {} is written for {sites:?}, not {site}", o.treatment, s.id);
            }
            for other in &s.contradicts {
                assert!(!ids.contains(&other.as_str()), "{}: reasons {} and {other} contradict, for {case:?}", o.treatment, s.id);
            }
        }
        for c in &o.criteria {
            match c.status {
                CriterionStatus::Met | CriterionStatus::NotMet => {
                    assert!(!c.inputs.is_empty(), "{}: criterion {} decided on no input", o.treatment, c.id);
                    for p in &c.inputs {
                        assert!(
                            input_given(case, p),
                            "{}: criterion {} decided, but its input {p} was not given, for {case:?}",
                            o.treatment,
                            c.id
                        );
                    }
                }
                CriterionStatus::Unknown => {
                    assert!(
                        c.inputs.iter().any(|p| !input_given(case, p)),
                        "{}: criterion {} unknown although all its inputs {:?} were given, for {case:?}",
                        o.treatment,
                        c.id,
                        c.inputs
                    );
                }
            }
        }
    }
}

/// A copy of `case` whose liver works worse or is more replaced, by one step of `how`.
fn worse_liver(case: &Case, how: u8, by: u32) -> (Case, Case) {
    let mut base = case.clone();
    let f = &mut base.liver_function;
    match how % 7 {
        0 => {
            f.bilirubin_umol_l.get_or_insert(10.0);
        }
        1 => {
            f.jaundice.get_or_insert(false);
        }
        2 => {
            f.biliary_obstruction.get_or_insert(false);
        }
        3 => {
            f.child_pugh.get_or_insert(ChildPugh::A);
        }
        4 => {
            f.ascites.get_or_insert(Ascites::None);
        }
        _ => {
            base.liver.percent_liver_replaced.get_or_insert(10.0);
        }
    }
    let mut more = base.clone();
    let g = &mut more.liver_function;
    match how % 7 {
        0 => g.bilirubin_umol_l = g.bilirubin_umol_l.map(|b| (b + f64::from(by)).min(1000.0)),
        1 => g.jaundice = Some(true),
        2 => g.biliary_obstruction = Some(true),
        3 => {
            g.child_pugh = g.child_pugh.map(|c| match (c, by % 2) {
                (ChildPugh::A, 0) => ChildPugh::B,
                (ChildPugh::A | ChildPugh::B, _) => ChildPugh::C,
                (c, _) => c,
            })
        }
        4 => {
            g.ascites = g.ascites.map(|a| match (a, by % 2) {
                (Ascites::None, 0) => Ascites::Mild,
                _ => Ascites::ModerateSevere,
            })
        }
        _ => more.liver.percent_liver_replaced = more.liver.percent_liver_replaced.map(|p| (p + f64::from(by)).min(100.0)),
    }
    (base, more)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold(case in arb_case()) {
        check_invariants(&case);
    }

    #[test]
    fn summary_path_decides_exactly_like_the_full_assessment(case in arb_case()) {
        let kb = Knowledge::embedded();
        let full = assess(kb, &case, Audience::Patient);
        let brief = assess_summary(kb, &case);
        let levels = full.options.iter().map(|o| (o.treatment.as_str(), o.suitability)).collect::<Vec<_>>();
        prop_assert_eq!(levels, brief.options.iter().map(|d| (d.treatment, d.suitability)).collect::<Vec<_>>());
        prop_assert_eq!(&full.scores, &brief.scores);
        prop_assert_eq!(&full.case_id, &brief.case_id);
        prop_assert_eq!(full.decisions(), brief);
    }

    #[test]
    fn more_spread_never_raises_local_treatments(case in arb_case(), extra in proptest::sample::select(Spread::ALL.to_vec())) {
        let kb = Knowledge::embedded();
        let mut base = case.clone();
        let mut spread = base.spread_elsewhere.clone().unwrap_or_default();
        base.spread_elsewhere = Some(spread.clone());
        if !spread.contains(&extra) {
            spread.push(extra);
            spread.sort();
        }
        let mut more = base.clone();
        more.spread_elsewhere = Some(spread);
        let (a, b) = (assess(kb, &base, Audience::Patient), assess(kb, &more, Audience::Patient));
        for t in ["surgery", "ablation"] {
            prop_assert!(level(&b, t) <= level(&a, t), "{t}: {:?} -> {:?}", level(&a, t), level(&b, t));
        }
        prop_assert!(sabr(&b) <= sabr(&a));
    }

    #[test]
    fn bigger_liver_burden_never_raises_ablation(case in arb_case(), more_count in 0u32..20, more_cm in 0u32..50) {
        let kb = Knowledge::embedded();
        let mut base = case.clone();
        let count = base.liver.tumour_count.unwrap_or(1);
        let size = base.liver.largest_tumour_cm.unwrap_or(1.0);
        base.liver.tumour_count = Some(count);
        base.liver.largest_tumour_cm = Some(size);
        let mut more = base.clone();
        more.liver.tumour_count = Some((count + more_count).min(100));
        more.liver.largest_tumour_cm = Some((size + f64::from(more_cm) / 10.0).min(30.0));
        let (a, b) = (assess(kb, &base, Audience::Patient), assess(kb, &more, Audience::Patient));
        prop_assert!(level(&b, "ablation") <= level(&a, "ablation"));
    }

    #[test]
    fn worse_performance_status_never_raises_surgery_or_chemotherapy(case in arb_case(), ps in 0u8..=4, worse in 0u8..=4) {
        let kb = Knowledge::embedded();
        let mut base = case.clone();
        base.performance_status = Some(ps);
        let mut more = base.clone();
        more.performance_status = Some((ps + worse).min(4));
        let (a, b) = (assess(kb, &base, Audience::Patient), assess(kb, &more, Audience::Patient));
        for t in ["surgery", "chemotherapy"] {
            prop_assert!(level(&b, t) <= level(&a, t), "{t}: ps {} -> {}", ps, (ps + worse).min(4));
        }
    }

    #[test]
    fn reasons_and_criteria_are_honest(case in arb_case()) {
        check_honesty(&case);
    }

    #[test]
    fn worse_liver_function_or_more_liver_replaced_never_raises_local_treatments(case in arb_case(), how in 0u8..7, by in 1u32..400) {
        let kb = Knowledge::embedded();
        let (base, more) = worse_liver(&case, how, by);
        let (a, b) = (assess(kb, &base, Audience::Patient), assess(kb, &more, Audience::Patient));
        for t in ["surgery", "ablation", "embolisation"] {
            prop_assert!(level(&b, t) <= level(&a, t), "{t}: {:?} -> {:?} for {:?} -> {:?}", level(&a, t), level(&b, t), base.liver_function, more.liver_function);
        }
        prop_assert!(sabr(&b) <= sabr(&a), "sabr: {:?} -> {:?}", sabr(&a), sabr(&b));
        check_honesty(&more);
    }
}

/// Every statement and threshold the engine names exists in the embedded knowledge base.
#[test]
fn engine_references_resolve() {
    let problems = check_references(Knowledge::embedded());
    assert!(problems.is_empty(), "{problems:#?}");
}

/// A release of engine logic 1 (2026.11.0) loads: the statements only logic 2
/// cites are not required of it, and are required of a logic-2 release.
#[test]
fn references_follow_the_engine_logic_revision() {
    let old = Knowledge::release("2026.11.0").expect("frozen release");
    assert_eq!(old.engine_logic(), 1);
    let problems = check_references(old);
    assert!(problems.is_empty(), "{problems:#?}");
    for id in hepatica_engine::LOGIC_2_STATEMENT_IDS {
        assert!(!STATEMENT_IDS.contains(id), "{id} is listed in both");
        assert!(!hepatica_engine::statement_ids(1).any(|x| x == *id), "{id} is required of logic 1");
        assert!(hepatica_engine::statement_ids(2).any(|x| x == *id), "{id} is not required of logic 2");
    }
    assert_eq!(hepatica_engine::statement_ids(2).count(), STATEMENT_IDS.len() + hepatica_engine::LOGIC_2_STATEMENT_IDS.len());
    // Revision 3 (knowledge base 2026.12.1): release 2026.12.0 (logic 2) loads without them.
    let logic_2 = Knowledge::release("2026.12.0").expect("frozen release");
    assert_eq!(logic_2.engine_logic(), 2);
    let problems = check_references(logic_2);
    assert!(problems.is_empty(), "{problems:#?}");
    for id in hepatica_engine::LOGIC_3_STATEMENT_IDS {
        assert!(!STATEMENT_IDS.contains(id) && !hepatica_engine::LOGIC_2_STATEMENT_IDS.contains(id), "{id} is listed twice");
        assert!(!hepatica_engine::statement_ids(2).any(|x| x == *id), "{id} is required of logic 2");
        assert!(hepatica_engine::statement_ids(3).any(|x| x == *id), "{id} is not required of logic 3");
        assert!(logic_2.statement(id).is_none(), "{id} is already in 2026.12.0: it belongs to an older list");
    }
    // Revision 4 (knowledge base 2026.12.2): release 2026.12.1 (logic 3) loads without them.
    let logic_3 = Knowledge::release("2026.12.1").expect("frozen release");
    assert_eq!(logic_3.engine_logic(), 3);
    let problems = check_references(logic_3);
    assert!(problems.is_empty(), "{problems:#?}");
    for id in hepatica_engine::LOGIC_4_STATEMENT_IDS {
        assert!(
            !STATEMENT_IDS.contains(id)
                && !hepatica_engine::LOGIC_2_STATEMENT_IDS.contains(id)
                && !hepatica_engine::LOGIC_3_STATEMENT_IDS.contains(id),
            "{id} is listed twice"
        );
        assert!(!hepatica_engine::statement_ids(3).any(|x| x == *id), "{id} is required of logic 3");
        assert!(hepatica_engine::statement_ids(4).any(|x| x == *id), "{id} is not required of logic 4");
        assert!(logic_3.statement(id).is_none(), "{id} is already in 2026.12.1: it belongs to an older list");
    }
    // Revision 5 (knowledge base 2026.12.3): release 2026.12.2 (logic 4) loads without them.
    let logic_4 = Knowledge::release("2026.12.2").expect("frozen release");
    assert_eq!(logic_4.engine_logic(), 4);
    let problems = check_references(logic_4);
    assert!(problems.is_empty(), "{problems:#?}");
    for id in hepatica_engine::LOGIC_5_STATEMENT_IDS {
        assert!(!hepatica_engine::statement_ids(4).any(|x| x == *id), "{id} is required of logic 4 (listed twice?)");
        assert!(hepatica_engine::statement_ids(5).any(|x| x == *id), "{id} is not required of logic 5");
        assert!(logic_4.statement(id).is_none(), "{id} is already in 2026.12.2: it belongs to an older list");
    }
    // Revision 6 (knowledge base 2026.12.5): release 2026.12.4 (logic 5) loads without them.
    let logic_5 = Knowledge::release("2026.12.4").expect("frozen release");
    assert_eq!(logic_5.engine_logic(), 5);
    let problems = check_references(logic_5);
    assert!(problems.is_empty(), "{problems:#?}");
    for id in hepatica_engine::LOGIC_6_STATEMENT_IDS {
        assert!(!hepatica_engine::statement_ids(5).any(|x| x == *id), "{id} is required of logic 5 (listed twice?)");
        assert!(hepatica_engine::statement_ids(6).any(|x| x == *id), "{id} is not required of logic 6");
        assert!(logic_5.statement(id).is_none(), "{id} is already in 2026.12.4: it belongs to an older list");
    }
    // Revision 7 (knowledge base 2026.12.6): release 2026.12.5 (logic 6) loads without them.
    let logic_6 = Knowledge::release("2026.12.5").expect("frozen release");
    assert_eq!(logic_6.engine_logic(), 6);
    let problems = check_references(logic_6);
    assert!(problems.is_empty(), "{problems:#?}");
    for id in hepatica_engine::LOGIC_7_STATEMENT_IDS {
        assert!(!hepatica_engine::statement_ids(6).any(|x| x == *id), "{id} is required of logic 6 (listed twice?)");
        assert!(hepatica_engine::statement_ids(7).any(|x| x == *id), "{id} is not required of logic 7");
        assert!(logic_6.statement(id).is_none(), "{id} is already in 2026.12.5: it belongs to an older list");
    }
}

// ---- engine logic 7 (knowledge base 2026.12.6) ----
proptest! {
    /// BRAF V600 melanoma: performance status 3-4 alone never rules out the
    /// BRAF-MEK tablets (as a lung driver's tablets): from performance status
    /// 2 to 3 targeted therapy falls at most to `possible`. Frozen 2026.12.5
    /// keeps its blanket fitness rule.
    #[test]
    fn melanoma_braf_tablets_are_not_ruled_out_by_fitness_alone(case in arb_case(), ps in 3u8..=4) {
        let kb = Knowledge::embedded();
        let mut c = case.clone();
        c.primary_site = PrimarySite::Melanoma;
        c.biomarkers.insert(Biomarker::BrafV600, BiomarkerValue::Present);
        c.performance_status = Some(2);
        let fit = level(&assess(kb, &c, Audience::Patient), "targeted_therapy");
        c.performance_status = Some(ps);
        let unwell = assess(kb, &c, Audience::Patient);
        prop_assert!(level(&unwell, "targeted_therapy") >= fit.min(Suitability::Possible), "PS 2 {fit:?} -> PS {ps} {:?}", level(&unwell, "targeted_therapy"));
        let old = assess(Knowledge::release("2026.12.5").unwrap(), &c, Audience::Patient);
        prop_assert_eq!(level(&old, "targeted_therapy"), Suitability::Unlikely);
    }

    /// Prostate cancer: small-cell carcinoma never has a PARP inhibitor or
    /// lutetium-177 PSMA above `unlikely`, whatever the gene
    /// and PSMA results; and with no PSMA result, or at performance status 3-4,
    /// lutetium-177 PSMA is `unlikely` (never `depends`: NICE TA930).
    #[test]
    fn prostate_lutetium_psma_and_small_cell_never_hang_on_a_test(case in arb_case(), small_cell in any::<bool>()) {
        let kb = Knowledge::embedded();
        let mut c = case.clone();
        c.primary_site = PrimarySite::Prostate;
        let psma_kind = |a: &Assessment| a.option("radiotherapy").unwrap().kinds.iter().find(|k| k.id == "lutetium_psma").unwrap().suitability;
        if small_cell {
            c.histology = Some(Histology::SmallCell);
            let a = assess(kb, &c, Audience::Patient);
            // The option may still be open to a tumour-agnostic drug (NTRK); PARP is not.
            let parp = a.option("targeted_therapy").unwrap().kinds.iter().find(|k| k.id == "parp_inhibitors").map(|k| k.suitability);
            prop_assert!(parp.is_none_or(|p| p == Suitability::Unlikely), "parp {parp:?}");
            prop_assert_eq!(psma_kind(&a), Suitability::Unlikely);
        } else {
            c.biomarkers.remove(&Biomarker::Psma);
            prop_assert_eq!(psma_kind(&assess(kb, &c, Audience::Patient)), Suitability::Unlikely);
            let mut d = case.clone();
            d.primary_site = PrimarySite::Prostate;
            d.performance_status = Some(3);
            prop_assert_eq!(psma_kind(&assess(kb, &d, Audience::Patient)), Suitability::Unlikely);
        }
    }

    /// Bowel cancer without a BRAF V600E change: the targeted drugs are given with
    /// chemotherapy (anti-EGFR antibodies with a doublet, bevacizumab), so
    /// targeted therapy is never `usual` where chemotherapy is `possible` or
    /// `unlikely` (outsider review onc14, bo-10).
    #[test]
    fn bowel_targeted_therapy_is_not_above_its_chemotherapy(case in arb_case()) {
        let kb = Knowledge::embedded();
        let mut c = case.clone();
        c.primary_site = PrimarySite::Bowel;
        if c.biomarkers.get(&Biomarker::BrafV600) == Some(&BiomarkerValue::Present) {
            c.biomarkers.insert(Biomarker::BrafV600, BiomarkerValue::Absent);
        }
        let a = assess(kb, &c, Audience::Patient);
        let chemo = level(&a, "chemotherapy");
        if matches!(chemo, Suitability::Possible | Suitability::Unlikely) {
            prop_assert!(level(&a, "targeted_therapy") != Suitability::Usual, "chemotherapy {chemo:?}, targeted usual");
        }
    }

    /// Knowledge base 2026.12.6 (content): a checkpoint inhibitor given before
    /// and a line of treatment for the spread cancer ended: immunotherapy is
    /// `unlikely` at every site except skin melanoma, uveal melanoma (tebentafusp)
    /// and MSI-high cancers, and never cites the general "may still talk about it"
    /// reason.
    #[test]
    fn immunotherapy_again_after_a_checkpoint_inhibitor_is_unlikely(
        case in arb_case(),
        site in proptest::sample::select(PrimarySite::ALL.to_vec()),
        lines in 1u8..=4,
    ) {
        prop_assume!(!matches!(site, PrimarySite::Melanoma | PrimarySite::UvealMelanoma));
        let kb = Knowledge::embedded();
        let mut c = case;
        c.primary_site = site;
        c.biomarkers.insert(Biomarker::Msi, BiomarkerValue::Stable);
        c.treatment_history.lines_of_systemic_therapy = Some(lines);
        let previous = c.treatment_history.previous.get_or_insert_with(Vec::new);
        if !previous.contains(&PreviousTreatment::Immunotherapy) {
            previous.push(PreviousTreatment::Immunotherapy);
        }
        let a = assess(kb, &c, Audience::Clinician);
        let o = a.option("immunotherapy").unwrap();
        prop_assert_eq!(o.suitability, Suitability::Unlikely, "{}", site);
        prop_assert!(o.reasons.iter().all(|r| r.statement != "immuno.after_immunotherapy"), "{site}: {:?}", o.reasons);
    }
}

/// The knowledge base's score thresholds (which `scores.rs` reads) are the contract's fixed cut-offs.
#[test]
fn score_thresholds_match_knowledge_base() {
    let kb = Knowledge::embedded();
    let t = |id: &str| kb.threshold(id).unwrap().value;
    assert_eq!(t("fong.dfi_months"), 12.0);
    assert_eq!(t("fong.count"), 1.0);
    assert_eq!(t("fong.size_cm"), 5.0);
    assert_eq!(t("fong.cea"), 200.0);
    assert_eq!(t("game.cea"), 20.0);
    assert_eq!(t("tbs.medium"), 3.0);
    assert_eq!(t("tbs.high"), 9.0);
    assert_eq!((t("fong.low_max_points"), t("game.low_max_points"), t("game.medium_max_points")), (2.0, 1.0, 3.0));
    use hepatica_engine::scores::remnant_threshold;
    assert_eq!(remnant_threshold(kb, LiverCondition::Normal), 20.0);
    assert_eq!(remnant_threshold(kb, LiverCondition::ChemotherapyInjured), 30.0);
    assert_eq!(remnant_threshold(kb, LiverCondition::Cirrhosis), 40.0);
    assert_eq!(remnant_threshold(kb, LiverCondition::Normal), t("flr.normal_min_percent"));
}

mod regressions {
    //! Shrunk property failures, pinned by name.
    use super::*;

    /// A minimal case of every primary site passes the invariants.
    #[test]
    fn every_site_minimal() {
        for site in PrimarySite::ALL {
            check_invariants(&Case::new(*site));
            check_honesty(&Case::new(*site));
        }
    }

    /// Issue 13: "only a few places of spread in all" was given when the number
    /// of liver tumours was not known (it was counted as one).
    #[test]
    fn sabr_does_not_call_spread_few_when_the_tumour_count_is_unknown() {
        let mut c = Case::new(PrimarySite::Breast);
        c.spread_elsewhere = Some(vec![Spread::Bone]);
        let a = assess(Knowledge::embedded(), &c, Audience::Patient);
        let r = a.option("radiotherapy").unwrap();
        assert!(r.reasons.iter().all(|x| x.statement != "radio.sabr_oligo"), "{:?}", r.reasons);
        assert_eq!(sabr(&a), Suitability::Depends);
        check_honesty(&c);
    }

    /// Shrunk failure: a lung cancer with only ROS1 given was traced as decided
    /// on EGFR and ALK, which were not given.
    #[test]
    fn a_lung_driver_criterion_lists_the_driver_that_decided_it() {
        let mut c = Case::new(PrimarySite::Lung);
        c.biomarkers.insert(Biomarker::Ros1, BiomarkerValue::Present);
        check_honesty(&c);
        let a = assess(Knowledge::embedded(), &c, Audience::Clinician);
        for t in ["targeted_therapy", "immunotherapy"] {
            let decided: Vec<_> = a.option(t).unwrap().criteria.iter().filter(|x| x.status != CriterionStatus::Unknown).collect();
            assert!(decided.iter().any(|x| x.inputs == ["/biomarkers/ROS1"]), "{t}: {decided:?}");
        }
    }

    /// Shrunk failure: one tumour taking up most of the liver gave "few enough
    /// tumours" beside "more than half the liver"; both are true, and the
    /// metadata no longer calls them contradictory.
    #[test]
    fn one_large_tumour_replacing_most_of_the_liver() {
        let mut c = Case::new(PrimarySite::Bowel);
        c.liver.tumour_count = Some(1);
        c.liver.largest_tumour_cm = Some(12.0);
        c.liver.percent_liver_replaced = Some(70.0);
        c.spread_elsewhere = Some(vec![]);
        check_honesty(&c);
        let a = assess(Knowledge::embedded(), &c, Audience::Patient);
        assert_eq!(level(&a, "ablation"), Suitability::Unlikely);
        assert_eq!(sabr(&a), Suitability::Unlikely);
    }

    /// Every pointer a statement may assert is one the engine knows.
    #[test]
    fn every_assertable_input_is_known_to_the_engine() {
        let c = Case::new(PrimarySite::Bowel);
        for p in hepatica_knowledge::INPUT_POINTERS {
            // A blank case has none of them, except the primary site itself.
            assert_eq!(input_given(&c, p), *p == "/primary_site", "{p}");
            if let Some(name) = p.strip_prefix("/biomarkers/") {
                let numbers = ["PD_L1_CPS", "PD_L1_TPS", "PD_L1_IC", "HER2_IHC", "BRCA_origin"];
                assert!(Biomarker::parse(name).is_some() || numbers.contains(&name), "{p} is not a biomarker the engine reads");
            }
        }
    }
}

// ---- systemic (issue 13): line of treatment and resistance (owned by the `systemic` helper) ----
// More earlier treatment never raises an option it argues against: bowel targeted therapy
// without BRAF V600E (anti-EGFR is first line, TA439/TA242), ovary chemotherapy once the cancer
// is platinum-resistant, breast hormone therapy once it is endocrine-resistant.
proptest! {
    #[test]
    fn more_earlier_treatment_never_raises_what_it_argues_against(case in arb_case(), lines in 0u8..=3, more in 0u8..=3) {
        let kb = Knowledge::embedded();
        let with = |site: PrimarySite, f: &dyn Fn(&mut Case)| {
            let mut c = case.clone();
            c.primary_site = site;
            f(&mut c);
            assess(kb, &c, Audience::Patient)
        };
        if case.biomarkers.get(&Biomarker::BrafV600) != Some(&BiomarkerValue::Present) {
            let a = with(PrimarySite::Bowel, &|c| c.treatment_history.lines_of_systemic_therapy = Some(lines));
            let b = with(PrimarySite::Bowel, &|c| c.treatment_history.lines_of_systemic_therapy = Some(lines + more));
            prop_assert!(level(&b, "targeted_therapy") <= level(&a, "targeted_therapy"), "bowel targeted: lines {lines} -> {}", lines + more);
        }
        let a = with(PrimarySite::Ovary, &|c| c.treatment_history.platinum_sensitive = Some(true));
        let b = with(PrimarySite::Ovary, &|c| c.treatment_history.platinum_sensitive = Some(false));
        prop_assert!(level(&b, "chemotherapy") <= level(&a, "chemotherapy"), "ovary chemotherapy: platinum-resistant");
        let a = with(PrimarySite::Breast, &|c| c.treatment_history.endocrine_resistant = Some(false));
        let b = with(PrimarySite::Breast, &|c| c.treatment_history.endocrine_resistant = Some(true));
        prop_assert!(level(&b, "hormonal_therapy") <= level(&a, "hormonal_therapy"), "breast hormone therapy: endocrine-resistant");
    }
}

// ---- issue 16: which biomarkers a form asks for a primary site ----

/// An assessment as JSON without `input_warnings` (which name an input given
/// for a site that does not use it: that is not reading it).
fn without_warnings(a: &Assessment) -> serde_json::Value {
    let mut v = serde_json::to_value(a).unwrap();
    v.as_object_mut().unwrap().remove("input_warnings");
    v
}

/// A generated case with the treatment-history answers some biomarkers are read
/// under (platinum sensitivity for FR-alpha, resistance to hormone therapy).
fn arb_case_more() -> impl Strategy<Value = Case> {
    (arb_case(), opt(any::<bool>()), opt(any::<bool>()), opt(any::<bool>())).prop_map(|(mut c, platinum, castration, endocrine)| {
        c.treatment_history.platinum_sensitive = platinum;
        c.treatment_history.castration_resistant = castration;
        c.treatment_history.endocrine_resistant = endocrine;
        c
    })
}

/// `with` gets the same assessment as `without`, warnings aside, for both audiences.
fn assert_same_assessments(kb: &Knowledge, without: &Case, with: &Case, what: &str) -> Result<(), TestCaseError> {
    for audience in [Audience::Patient, Audience::Clinician] {
        prop_assert_eq!(without_warnings(&assess(kb, without, audience)), without_warnings(&assess(kb, with, audience)), "{}", what);
    }
    Ok(())
}

/// 3,000 generated cases, the same on every run, for the searches below.
fn search_cases() -> Vec<Case> {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = arb_case_more();
    (0..3000).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect()
}

/// Whether some case of `cases`, moved to `site` with an input cleared, gets
/// another assessment once that input is set to one of its `values` values.
fn some_assessment_changes(
    kb: &Knowledge,
    cases: &[Case],
    site: PrimarySite,
    clear: &dyn Fn(&mut Case),
    values: usize,
    set: &dyn Fn(&mut Case, usize),
) -> bool {
    cases.iter().any(|c| {
        let mut base = c.clone();
        base.primary_site = site;
        clear(&mut base);
        let before = without_warnings(&assess(kb, &base, Audience::Clinician));
        (0..values).any(|i| {
            let mut with = base.clone();
            set(&mut with, i);
            without_warnings(&assess(kb, &with, Audience::Clinician)) != before
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, .. ProptestConfig::default() })]

    /// Never drop a biomarker the engine would use: one that
    /// `biomarkers_for_site` leaves out changes nothing in the assessment for
    /// that site, whatever its value, in every release this program has.
    #[test]
    fn a_biomarker_not_read_for_the_site_changes_nothing(
        case in arb_case_more(),
        b in proptest::sample::select(Biomarker::ALL.to_vec()),
        i in any::<prop::sample::Index>(),
        version in proptest::sample::select(Knowledge::versions()),
    ) {
        let kb = Knowledge::by_version(version).unwrap();
        prop_assume!(!biomarkers_for_site(kb, case.primary_site).contains(&b));
        let mut without = case.clone();
        without.biomarkers.remove(&b);
        let mut with = case.clone();
        with.biomarkers.insert(b, *i.get(b.values()));
        assert_same_assessments(kb, &without, &with, &format!("{b} changed an assessment for {} ({version})", case.primary_site))?;
    }
}

/// Each biomarker `biomarkers_for_site` lists for a site changes some
/// assessment for that site (a deterministic search over generated cases), so
/// the list asks nothing the engine ignores.
#[test]
fn every_biomarker_read_for_a_site_can_change_its_assessment() {
    let kb = Knowledge::embedded();
    let cases = search_cases();
    let mut missing = Vec::new();
    for site in PrimarySite::ALL {
        for b in biomarkers_for_site(kb, *site) {
            let clear = |c: &mut Case| {
                c.biomarkers.remove(&b);
            };
            let set = |c: &mut Case, i: usize| {
                c.biomarkers.insert(b, b.values()[i]);
            };
            if !some_assessment_changes(kb, &cases, *site, &clear, b.values().len(), &set) {
                missing.push(format!("{b} for {site}"));
            }
        }
    }
    assert!(missing.is_empty(), "listed but never changes an assessment: {missing:?}");
}

/// What a bowel and a breast form ask: their own tests, not each other's.
#[test]
fn bowel_and_breast_read_their_own_biomarkers() {
    let kb = Knowledge::embedded();
    let bowel = biomarkers_for_site(kb, PrimarySite::Bowel);
    let breast = biomarkers_for_site(kb, PrimarySite::Breast);
    for b in [Biomarker::Kras, Biomarker::Nras, Biomarker::BrafV600, Biomarker::Msi] {
        assert!(bowel.contains(&b) && !breast.contains(&b), "{b}: bowel {bowel:?}, breast {breast:?}");
    }
    for b in [Biomarker::Er, Biomarker::Pr, Biomarker::Pik3ca] {
        assert!(breast.contains(&b) && !bowel.contains(&b), "{b}: bowel {bowel:?}, breast {breast:?}");
    }
}

/// One of [`SITE_INPUTS`] set from a generated number (`None` leaves it out).
fn set_site_input(case: &mut Case, pointer: &str, n: Option<u32>) {
    let yes = n.map(|n| n % 2 == 0);
    match pointer {
        "/primary_node_positive" => case.primary_node_positive = yes,
        "/disease_free_interval_months" => case.disease_free_interval_months = n.map(|n| f64::from(n % 121) / 2.0),
        "/cea_ng_ml" => case.cea_ng_ml = n.map(|n| f64::from(n % 2001) / 2.0),
        "/treatment_history/platinum_sensitive" => case.treatment_history.platinum_sensitive = yes,
        other => panic!("no setter for {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, .. ProptestConfig::default() })]

    /// Never drop a question the engine would use: an input of `SITE_INPUTS`
    /// that `inputs_for_site` leaves out changes nothing in the assessment for
    /// that site, whatever its value, in every release this program has.
    #[test]
    fn a_site_input_not_read_for_the_site_changes_nothing(
        case in arb_case_more(),
        pointer in proptest::sample::select(SITE_INPUTS.to_vec()),
        n in any::<u32>(),
        version in proptest::sample::select(Knowledge::versions()),
    ) {
        let kb = Knowledge::by_version(version).unwrap();
        prop_assume!(!inputs_for_site(kb, case.primary_site).contains(&pointer));
        let mut without = case.clone();
        set_site_input(&mut without, pointer, None);
        let mut with = case.clone();
        set_site_input(&mut with, pointer, Some(n));
        assert_same_assessments(kb, &without, &with, &format!("{pointer} changed an assessment for {} ({version})", case.primary_site))?;
    }
}

/// Each input `inputs_for_site` lists for a site changes some assessment for
/// that site (a deterministic search over generated cases), so the form asks
/// nothing the engine ignores.
#[test]
fn every_site_input_read_for_a_site_can_change_its_assessment() {
    const VALUES: [u32; 8] = [0, 1, 10, 23, 25, 48, 400, 1000];
    let kb = Knowledge::embedded();
    let cases = search_cases();
    let mut missing = Vec::new();
    for site in PrimarySite::ALL {
        for pointer in inputs_for_site(kb, *site) {
            let clear = |c: &mut Case| set_site_input(c, pointer, None);
            let set = |c: &mut Case, i: usize| set_site_input(c, pointer, Some(VALUES[i]));
            if !some_assessment_changes(kb, &cases, *site, &clear, VALUES.len(), &set) {
                missing.push(format!("{pointer} for {site}"));
            }
        }
    }
    assert!(missing.is_empty(), "listed but never changes an assessment: {missing:?}");
}

/// The outsider's report: CEA and the primary's lymph nodes are for bowel
/// cancer (the Fong and GAME scores) and platinum sensitivity for ovarian
/// cancer; none is read for breast cancer.
#[test]
fn site_inputs_follow_the_scores_and_rules_that_read_them() {
    let kb = Knowledge::embedded();
    let sites_of =
        |p: &str| PrimarySite::ALL.iter().filter(|s| inputs_for_site(kb, **s).contains(&p)).map(|s| s.as_str()).collect::<Vec<_>>();
    assert_eq!(sites_of("/cea_ng_ml"), ["bowel"]);
    assert_eq!(sites_of("/primary_node_positive"), ["bowel"]);
    assert_eq!(sites_of("/treatment_history/platinum_sensitive"), ["ovary"]);
    assert!(sites_of("/disease_free_interval_months").contains(&"breast"), "surgery and SABR read it beyond bowel");
}
