//! The rules: how each of the nine treatment areas is judged for a case.
//!
//! Each treatment has one function that starts from what is usual for the
//! primary site (its *base* level) and then applies criteria. A criterion is
//! met, not met or unknown, and records the inputs that decided it:
//!
//! - **not met** caps the level (at `possible` or `unlikely`);
//! - **unknown** and *blocking* turns the answer into `depends` (unless
//!   something already rules the option out), and says what would decide it;
//! - **unknown** and not blocking is only listed in `missing_information`.
//!
//! Final level: `unlikely` if the base or any cap is `unlikely`; otherwise
//! `depends` if the base is `depends` or a blocking criterion is unknown;
//! otherwise the lower of the base and the caps. This shape is what makes the
//! monotonicity properties hold (more disease or worse fitness only adds
//! not-met criteria, which only lower the answer).
//!
//! Every sentence comes from a knowledge-base statement (by id, with its
//! sources) and every number from a knowledge-base threshold.

use std::collections::BTreeSet;

use hepatica_knowledge::{EVIDENCE_LEVELS, EVIDENCE_SYSTEM, Knowledge, TREATMENT_IDS, Th};

use crate::case::{Biomarker as B, BiomarkerValue as V, ChemoHistory, ChildPugh, LiverCondition, PrimarySite as P};
use crate::*;
use crate::{eval, facts};

/// Every statement id the engine logic 1 rules cite (checked against the
/// knowledge base by [`crate::check_references`] and by tests that run the
/// rules); engine logic 2 cites these and [`LOGIC_2_STATEMENT_IDS`]. Read them
/// together with [`statement_ids`].
pub const STATEMENT_IDS: &[&str] = &[
    // summaries
    "summary.usual",
    "summary.possible",
    "summary.depends",
    "summary.unlikely",
    // chemotherapy
    "chemo.bowel",
    "chemo.bowel_msi_high",
    "chemo.breast_hr_positive",
    "chemo.breast_hr_negative_or_her2",
    "chemo.lung",
    "chemo.lung_driver",
    "systemic.ps_poor",
    "chemo.pancreas",
    "chemo.gastro_oesophageal",
    "chemo.gynae",
    "chemo.unknown_primary",
    "chemo.breast_depends",
    "other.depends_on_type",
    "chemo.prostate",
    "chemo.net",
    "chemo.melanoma",
    "chemo.uveal",
    "chemo.kidney",
    "chemo.gist",
    "chemo.ps_good",
    "chemo.ps_2",
    "chemo.ps_poor",
    "chemo.refractory",
    "chemo.intolerant",
    "chemo.conversion",
    "chemo.perioperative",
    // surgery
    "surgery.bowel",
    "surgery.net",
    "surgery.selected_sites",
    "surgery.rarely",
    "surgery.removable",
    "surgery.not_removable",
    "surgery.conversion_may_change",
    "surgery.remnant_enough",
    "surgery.remnant_too_small",
    "surgery.remnant_can_grow",
    "surgery.fit",
    "surgery.not_fit",
    "surgery.liver_only",
    "surgery.bowel_lung_spread",
    "surgery.spread",
    "surgery.selected_short_interval",
    "surgery.transplant_bowel",
    "surgery.transplant_net",
    // hormonal therapy
    "hormonal.breast_positive",
    "hormonal.breast_negative",
    "hormonal.prostate",
    "hormonal.net_sstr_positive",
    "hormonal.net_sstr_negative",
    "hormonal.gynae_positive",
    "hormonal.gynae_negative",
    "hormonal.not_hormone_driven",
    "hormonal.breast_depends",
    "hormonal.net_depends",
    "hormonal.gynae_depends",
    // targeted therapy
    "targeted.bowel_ras_wild_type",
    "targeted.bowel_right_sided",
    "targeted.bowel_ras_mutant",
    "targeted.bowel_anti_vegf",
    "targeted.bowel_braf",
    "targeted.bowel_her2",
    "targeted.bowel_g12c",
    "targeted.ntrk",
    "targeted.breast_her2_positive",
    "targeted.breast_cdk46",
    "targeted.breast_her2_low",
    "targeted.breast_pik3ca",
    "targeted.breast_triple_negative",
    "targeted.lung_driver",
    "targeted.lung_no_driver",
    "targeted.melanoma_braf",
    "targeted.melanoma_no_braf",
    "targeted.net",
    "targeted.gist",
    "targeted.gist_no_kit_pdgfra",
    "targeted.prostate_parp",
    "targeted.prostate_no_hrr",
    "targeted.gastric_her2",
    "targeted.gastric_her2_negative",
    "targeted.kidney",
    "targeted.ovary_parp",
    "targeted.lung_g12c",
    "targeted.bowel_anti_egfr_later",
    "targeted.ovary_depends",
    "targeted.breast_parp",
    "targeted.breast_depends",
    "targeted.not_standard",
    "targeted.lung_depends",
    "targeted.melanoma_depends",
    "targeted.prostate_depends",
    "targeted.gastric_depends",
    // immunotherapy
    "immuno.bowel_msi_high",
    "immuno.bowel_mss",
    "immuno.lung",
    "immuno.lung_egfr_alk",
    "immuno.lung_depends",
    "immuno.msi_high_other_site",
    "immuno.lung_pdl1_high",
    "immuno.melanoma",
    "immuno.uveal_hla_positive",
    "immuno.uveal_hla_negative",
    "immuno.breast_tnbc",
    "immuno.breast_tnbc_pdl1_negative",
    "immuno.breast_not_tnbc",
    "immuno.gastro_oesophageal",
    "immuno.kidney",
    "immuno.womb_msi_high",
    "immuno.not_standard",
    "immuno.bowel_depends",
    "immuno.uveal_depends",
    "immuno.breast_depends",
    // ablation
    "ablation.bowel",
    "ablation.breast",
    "ablation.other_sites",
    "ablation.small",
    "ablation.medium",
    "ablation.too_large",
    "ablation.few",
    "ablation.too_many",
    "ablation.liver_only",
    "ablation.spread",
    "ablation.ps_ok",
    "ablation.ps_poor",
    "ablation.near_vessels",
    // embolisation
    "embol.bowel",
    "embol.bowel_sirt_refractory",
    "embol.bowel_sirt_first_line",
    "embol.bowel_liver_only",
    "embol.bowel_spread",
    "embol.removable",
    "embol.net",
    "embol.net_sirt_not_commissioned",
    "embol.other_sites",
    // radiotherapy
    "radio.sabr",
    "radio.sabr_few",
    "radio.sabr_too_many",
    "radio.sabr_size_ok",
    "radio.sabr_too_large",
    "radio.sabr_ps_ok",
    "radio.sabr_ps_poor",
    "radio.sabr_liver_only",
    "radio.sabr_oligo",
    "radio.sabr_too_many_sites",
    "radio.sabr_interval_ok",
    "radio.sabr_interval_short",
    "radio.sabr_cirrhosis",
    "radio.lutetium_dotatate",
    "radio.lutetium_dotatate_negative",
    "radio.lutetium_psma",
    "radio.lutetium_psma_negative",
    "radio.lutetium_psma_after_chemo",
    // score interpretations
    "score.fong.low",
    "score.fong.high",
    "score.tbs.low",
    "score.tbs.medium",
    "score.tbs.high",
    "score.game.low",
    "score.game.medium",
    "score.game.high",
    "score.flr.adequate",
    "score.flr.inadequate",
    // supportive care
    "supportive.always",
    "supportive.early",
    "supportive.poor_fitness",
];

/// The statements cited only by the revision-2 logic
/// (issue 13, `engine_logic >= 2`: local and drug treatments); a release
/// published with `engine_logic = 1` need not hold them (see
/// [`crate::check_references`]). A test keeps this list exactly the ids the
/// frozen 2026.11.0 release lacks. See [`statement_ids`].
pub const LOGIC_2_STATEMENT_IDS: &[&str] = &[
    "surgery.staged_cirrhosis",
    "surgery.transplant_bowel_outside",
    "surgery.transplant_net_outside",
    "embol.uveal_hepatic_perfusion",
    "supportive.bile_drainage",
    "local.bile_drainage_first",
    "ablation.extensive",
    "ablation.few_other",
    "ablation.too_many_other",
    "embol.bilirubin_high",
    "embol.child_pugh_c",
    "embol.child_pugh_b",
    "embol.ascites",
    "embol.extensive",
    "embol.uveal_spread",
    "embol.net_carcinoid_syndrome",
    "radio.sabr_bilirubin",
    "radio.sabr_child_pugh",
    "radio.sabr_extensive",
    "supportive.ascites",
    "targeted.bowel_new_epoc",
    "targeted.bowel_later_line",
    "targeted.bowel_ras_mutant_g12c",
    "targeted.bowel_braf_first_line",
    "targeted.breast_her2_ultralow",
    "targeted.breast_tnbc_sacituzumab",
    "targeted.breast_after_cdk46",
    "targeted.lung_driver_poor_ps",
    "targeted.lung_small_cell",
    "targeted.ovary_parp_platinum_resistant",
    "targeted.ovary_niraparib",
    "targeted.ovary_mirvetuximab",
    "targeted.ovary_platinum_resistant_depends",
    "targeted.ovary_platinum_resistant",
    "targeted.oesophagus_squamous",
    "immuno.womb_dmmr_first_line",
    "immuno.womb_dmmr_later",
    "immuno.womb_pmmr_later",
    "immuno.womb_pmmr_first_line",
    "immuno.womb_depends",
    "chemo.lung_small_cell",
    "immuno.lung_small_cell",
    "immuno.lung_small_cell_ps",
    "chemo.bowel_refractory",
    "chemo.bowel_third_line",
    "chemo.bowel_intolerant_sirt",
    "chemo.ovary_platinum_resistant",
    "chemo.ovary_platinum_sensitive",
    "chemo.prostate_after_docetaxel",
    "systemic.bile_blocked",
    "systemic.bilirubin_high",
    "hormonal.breast_endocrine_resistant",
    "hormonal.prostate_arpi_resistant",
    "hormonal.net_grade_3",
    "hormonal.net_nec",
    "hormonal.net_carcinoid_syndrome",
    "targeted.pancreas_brca",
    "targeted.pancreas_brca_somatic",
    "targeted.womb_lenvatinib",
    "targeted.womb_first_line",
    "targeted.womb_depends",
    "targeted.gastric_cldn18",
    "targeted.gist_d842v",
    "targeted.gist_after_imatinib",
    "targeted.net_nec",
    "targeted.prostate_parp_after_arpi",
    "immuno.oesophagus_cps10",
    "immuno.gastric_cps5",
    "immuno.gastric_cps_low",
    "immuno.oesophagus_squamous",
    "immuno.gastro_oesophageal_depends",
    "chemo.womb",
];

/// The statements cited only by the revision-3 logic and the rules of knowledge
/// base 2026.12.1; releases 2026.11.0 and 2026.12.0 need not hold them.
pub const LOGIC_3_STATEMENT_IDS: &[&str] = &[
    "chemo.net_g3_depends",
    "immuno.after_immunotherapy",
    "immuno.uveal_after_tebentafusp",
    "immuno.kidney_non_clear_cell",
    "immuno.msi_high_tumour_agnostic",
    "immuno.tmb_high_tumour_agnostic",
    "immuno.breast_tnbc_first_line",
    "immuno.breast_tnbc_later",
    "immuno.breast_tnbc_pdl1_low",
    "immuno.breast_tnbc_pdl1_depends",
    "immuno.lung_after_tki",
    "chemo.nec",
    "chemo.lung_after_tki",
    "chemo.prostate_after_arpi",
    "targeted.ovary_low_grade_serous",
    "targeted.kidney_non_clear_cell",
    "targeted.lung_after_alectinib",
    "hormonal.womb_positive",
    "hormonal.womb_serous",
];

/// The statements cited only by the revision-4 logic and the rules of knowledge
/// base 2026.12.2; releases up to 2026.12.1 need not hold them.
pub const LOGIC_4_STATEMENT_IDS: &[&str] = &[
    "surgery.fit_ps",
    "targeted.lung_squamous",
    "immuno.lung_squamous",
    "immuno.uveal_hla_negative_ipi_nivo",
    "immuno.kidney_after_immunotherapy",
    // Cited by the rules of 2026.12.2.
    "targeted.kidney_histology_unknown",
    "immuno.kidney_histology_unknown",
    "surgery.nec",
    "embol.nec",
    "hormonal.breast_liver_failing",
    "surgery.extensive_selected",
    "targeted.womb_her2",
    // The fourth review (issue 13, clin3): PRRT is not for neuroendocrine carcinoma.
    "radio.lutetium_dotatate_nec",
    // Cited by the rules of 2026.12.2 (fourth review: a failing liver).
    "ablation.child_pugh_c",
    "ablation.child_pugh_b",
    "ablation.ascites",
    "ablation.bilirubin_high",
    "radio.sabr_ascites",
    "systemic.child_pugh_c",
    "systemic.ascites",
    "targeted.womb_serous_her2_depends",
];

/// The statements cited only by the revision-5 logic and the rules of knowledge
/// base 2026.12.3; releases up to 2026.12.2 need not hold them.
pub const LOGIC_5_STATEMENT_IDS: &[&str] = &[
    // Transplant selection decides surgery when resection is unlikely.
    "surgery.transplant_open",
    // Lung: after the EGFR tablet has failed.
    "targeted.lung_egfr_after_tki",
    // Cited by the rules of 2026.12.3: one site's text no longer shown at another.
    "surgery.conversion_may_change_net",
    "embol.removable_net",
    "targeted.kidney_papillary",
    "immuno.child_pugh_c",
    "chemo.net_type_depends",
    "hormonal.breast_liver_jaundice",
    "immuno.unknown_primary_msi_depends",
    "radio.lutetium_psma_hormone_sensitive",
];

/// The statements cited only by the revision-6 logic (knowledge base
/// 2026.12.5); releases up to 2026.12.4 need not hold them.
pub const LOGIC_6_STATEMENT_IDS: &[&str] = &[
    // Ovary: a PARP inhibitor again after one (OReO).
    "targeted.ovary_parp_again",
    // Lung, performance status 3-4 with EGFR or ALK not yet known.
    "targeted.lung_untested_poor_ps",
];

/// The statements cited only by the revision-7 logic (knowledge base
/// 2026.12.6); releases up to 2026.12.5 need not hold them.
pub const LOGIC_7_STATEMENT_IDS: &[&str] = &[
    // Melanoma, BRAF V600 at performance status 3-4.
    "targeted.melanoma_braf_poor_ps",
    // Breast: PIK3CA after a CDK4/6 inhibitor (TA816, capivasertib).
    "targeted.breast_pik3ca_after_cdk46",
    // NET: small-intestine, growing after a somatostatin analogue (NETTER-1, TA539).
    "radio.lutetium_dotatate_midgut",
    // Prostate: BRCA tested, other HRR genes not given.
    "targeted.prostate_no_brca",
    // Prostate: small-cell (neuroendocrine) carcinoma, PARP and PSMA do not apply.
    "targeted.prostate_small_cell",
    "radio.lutetium_psma_small_cell",
    // Prostate: lutetium-177 PSMA at performance status 3-4, and with no PSMA result.
    "radio.lutetium_psma_poor_ps",
    "radio.lutetium_psma_not_nice",
    // NET: PRRT for a lung NET (outside TA539) and a well-differentiated G3 NET (NETTER-2).
    "radio.lutetium_dotatate_lung",
    "radio.lutetium_dotatate_g3",
    // Breast: hormone-receptor-positive with HER2 not given (no "HER2-negative").
    "targeted.breast_cdk46_her2_unknown",
    // Bowel: anti-EGFR antibodies not rated above the chemotherapy they go with.
    "targeted.bowel_with_chemotherapy",
];

/// The statement ids a knowledge base of `engine_logic` must hold:
/// [`STATEMENT_IDS`], from logic 2 on [`LOGIC_2_STATEMENT_IDS`] too, from
/// logic 3 on [`LOGIC_3_STATEMENT_IDS`], from logic 4 on [`LOGIC_4_STATEMENT_IDS`],
/// from logic 5 on [`LOGIC_5_STATEMENT_IDS`], from logic 6 on [`LOGIC_6_STATEMENT_IDS`]
/// and from logic 7 on [`LOGIC_7_STATEMENT_IDS`].
pub fn statement_ids(engine_logic: u32) -> impl Iterator<Item = &'static str> {
    let revision_2: &[&str] = if engine_logic >= 2 { LOGIC_2_STATEMENT_IDS } else { &[] };
    let revision_3: &[&str] = if engine_logic >= 3 { LOGIC_3_STATEMENT_IDS } else { &[] };
    let revision_4: &[&str] = if engine_logic >= 4 { LOGIC_4_STATEMENT_IDS } else { &[] };
    let revision_5: &[&str] = if engine_logic >= 5 { LOGIC_5_STATEMENT_IDS } else { &[] };
    let revision_6: &[&str] = if engine_logic >= 6 { LOGIC_6_STATEMENT_IDS } else { &[] };
    let revision_7: &[&str] = if engine_logic >= 7 { LOGIC_7_STATEMENT_IDS } else { &[] };
    STATEMENT_IDS
        .iter()
        .chain(revision_2)
        .chain(revision_3)
        .chain(revision_4)
        .chain(revision_5)
        .chain(revision_6)
        .chain(revision_7)
        .copied()
}

/// Inputs in the order `missing_information` lists them.
/// Each pointer of [`INPUT_ORDER`] to its position.
fn input_order() -> &'static rustc_hash::FxHashMap<&'static str, usize> {
    static ORDER: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, usize>> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| INPUT_ORDER.iter().enumerate().map(|(i, p)| (*p, i)).collect())
}

const INPUT_ORDER: &[&str] = &[
    "/primary_site",
    "/bowel_side",
    "/biomarkers/KRAS",
    "/biomarkers/NRAS",
    "/biomarkers/BRAF_V600",
    "/biomarkers/MSI",
    "/biomarkers/HER2",
    "/biomarkers/ER",
    "/biomarkers/PR",
    "/biomarkers/PD_L1",
    "/biomarkers/EGFR",
    "/biomarkers/ALK",
    "/biomarkers/SSTR",
    "/biomarkers/PSMA",
    "/biomarkers/BRCA",
    "/biomarkers/HRR",
    "/biomarkers/HLA_A0201",
    "/biomarkers/KIT",
    "/biomarkers/PDGFRA",
    "/liver/tumour_count",
    "/liver/largest_tumour_cm",
    "/liver/all_removable",
    "/liver/future_liver_remnant_percent",
    "/liver/liver_condition",
    "/liver/near_major_vessels",
    "/spread_elsewhere",
    "/performance_status",
    "/fit_for_major_surgery",
    "/chemotherapy_history",
    "/primary_node_positive",
    "/disease_free_interval_months",
    "/cea_ng_ml",
    // 1.1, local treatments (transplant selection)
    "/liver/percent_liver_replaced",
    "/tumour_grade",
    "/primary_resected",
    "/age_years",
    "/months_disease_controlled",
    // ---- systemic (issue 13) ----
    "/treatment_history/lines_of_systemic_therapy",
    "/treatment_history/platinum_sensitive",
    "/biomarkers/PD_L1_CPS",
    "/biomarkers/FR_ALPHA",
    // ---- revision 3 (knowledge base 2026.12.1) ----
    "/biomarkers/PD_L1_IC",
    "/histology",
];

/// The statement id that explains why an input matters: `/liver/tumour_count`
/// becomes `input.liver.tumour_count`.
pub fn input_statement_id(pointer: &str) -> String {
    format!("input{}", pointer.replace('/', "."))
}

pub(crate) fn assess(kb: &Knowledge, case: &Case, audience: Audience) -> Assessment {
    let raised = child_pugh_from_labs(kb, case);
    // The decisions read the raised class; the warnings describe the input as given.
    assess_with(Cx { kb, case: raised.as_ref().unwrap_or(case), audience }, input_warnings(case))
}

/// The fewest Child-Pugh points the given labs score (bilirubin, albumin,
/// ascites; an INR and encephalopathy not given count 1 each): a floor, since
/// the missing parts can only add points.
fn child_pugh_floor(case: &Case) -> u8 {
    let f = &case.liver_function;
    let bilirubin = f.bilirubin_umol_l.map_or(1, |b| {
        if b > 50.0 {
            3
        } else if b >= 34.0 {
            2
        } else {
            1
        }
    });
    let albumin = f.albumin_g_l.map_or(1, |a| {
        if a < 28.0 {
            3
        } else if a <= 35.0 {
            2
        } else {
            1
        }
    });
    let ascites = f.ascites.map_or(1, |a| match a {
        crate::case::Ascites::None => 1,
        crate::case::Ascites::Mild => 2,
        crate::case::Ascites::ModerateSevere => 3,
    });
    bilirubin + albumin + ascites + 2
}

fn child_pugh_class(points: u8) -> ChildPugh {
    match points {
        0..=6 => ChildPugh::A,
        7..=9 => ChildPugh::B,
        _ => ChildPugh::C,
    }
}

/// Engine logic 5: a Child-Pugh class better than the labs given allow is
/// raised to the labs' floor for the decisions (a label must not override
/// bilirubin, albumin and ascites that mean a failing liver); `input_warnings`
/// says so. `None` when nothing changes.
fn child_pugh_from_labs(kb: &Knowledge, case: &Case) -> Option<Case> {
    let given = case.liver_function.child_pugh?;
    let floor = child_pugh_class(child_pugh_floor(case));
    (kb.engine_logic() >= 5 && floor > given).then(|| {
        let mut c = case.clone();
        c.liver_function.child_pugh = Some(floor);
        c
    })
}

/// Suitabilities and scores only: the same rule functions run with
/// [`Decide`], which records no text, trace, kinds or sources (see
/// [`crate::assess_summary`]).
pub(crate) fn assess_summary(kb: &Knowledge, case: &Case) -> Decisions {
    let raised = child_pugh_from_labs(kb, case);
    let case = raised.as_ref().unwrap_or(case);
    // The audience only words the explanation, which `Decide` does not build.
    let cx = Cx { kb, case, audience: Audience::Patient };
    Decisions {
        case_id: case.id.clone(),
        options: options::<Decide>(&cx)
            .into_iter()
            .zip(TREATMENT_IDS)
            .map(|(suitability, treatment)| Decision { treatment, suitability })
            .collect(),
        scores: scores(kb, case),
    }
}

/// The nine options, in contract order, as `E` finishes them.
fn options<E: Explain>(cx: &Cx) -> [E::Option; 9] {
    [
        chemotherapy::<E>(cx),
        surgery::<E>(cx),
        hormonal::<E>(cx),
        targeted::<E>(cx),
        immunotherapy::<E>(cx),
        ablation::<E>(cx),
        embolisation::<E>(cx),
        radiotherapy::<E>(cx),
        supportive::<E>(cx),
    ]
}

fn scores(kb: &Knowledge, case: &Case) -> Scores {
    Scores {
        fong_clinical_risk_score: scores::fong(kb, case),
        tumour_burden_score: scores::tumour_burden(kb, case),
        game_score: scores::game(kb, case),
        future_liver_remnant: scores::remnant(kb, case),
    }
}

fn assess_with(cx: Cx, input_warnings: Vec<InputWarning>) -> Assessment {
    let (kb, case, audience) = (cx.kb, cx.case, cx.audience);
    let options = Vec::from(options::<Explained>(&cx));
    debug_assert!(options.iter().map(|o| o.treatment.as_str()).eq(TREATMENT_IDS));
    let scores = scores(kb, case);

    // Missing information: every unknown criterion input, plus the inputs of
    // every score that applies but could not be computed.
    // Marked by position in INPUT_ORDER, which is also the order they are listed in.
    let mut missing = vec![false; INPUT_ORDER.len()];
    let order = input_order();
    for o in &options {
        for c in o.criteria.iter().filter(|c| c.status == CriterionStatus::Unknown) {
            for i in &c.inputs {
                if let Some(&at) = order.get(i.as_str()) {
                    missing[at] = true;
                }
            }
        }
    }
    let given = |p: &str| pointer_given(case, p);
    let bowel = case.primary_site == P::Bowel;
    let mut score_inputs: Vec<&str> = Vec::new();
    if scores.tumour_burden_score.is_none() {
        score_inputs.extend(scores::TBS_INPUTS);
    }
    if scores.future_liver_remnant.is_none() {
        score_inputs.extend(scores::FLR_INPUTS);
    }
    if bowel && scores.fong_clinical_risk_score.is_none() {
        score_inputs.extend(scores::FONG_INPUTS);
    }
    if bowel && scores.game_score.is_none() {
        score_inputs.extend(scores::GAME_INPUTS);
    }
    for p in score_inputs {
        if !given(p)
            && let Some(&at) = order.get(p)
        {
            missing[at] = true;
        }
    }
    let missing_information = INPUT_ORDER
        .iter()
        .zip(&missing)
        .filter_map(|(p, m)| m.then_some(p))
        .map(|p| Missing { pointer: p.to_string(), why: cx.input_text(p).unwrap_or_default() })
        .collect();

    let mut score_explanations = Vec::new();
    let mut explain = |score: &str, statement: String| {
        if let Some(r) = cx.reason(&statement) {
            score_explanations.push(ScoreExplanation {
                score: score.to_string(),
                text: r.text,
                sources: r.sources,
                statement: r.statement,
            });
        }
    };
    if let Some(f) = &scores.fong_clinical_risk_score {
        explain("fong_clinical_risk_score", format!("score.fong.{}", f.group));
    }
    if let Some(t) = &scores.tumour_burden_score {
        explain("tumour_burden_score", format!("score.tbs.{}", t.group));
    }
    if let Some(g) = &scores.game_score {
        explain("game_score", format!("score.game.{}", g.group));
    }
    if let Some(r) = &scores.future_liver_remnant {
        explain("future_liver_remnant", format!("score.flr.{}", if r.adequate { "adequate" } else { "inadequate" }));
    }

    // Every source cited, once, in id order.
    let mut cited: Vec<&str> = options
        .iter()
        .flat_map(|o| o.reasons.iter().flat_map(|r| &r.sources))
        .chain(score_explanations.iter().flat_map(|e| &e.sources))
        .map(String::as_str)
        .collect();
    cited.sort_unstable();
    cited.dedup();
    let sources = cited
        .into_iter()
        .filter_map(|id| kb.source(id))
        .map(|s| SourceRef { id: s.id.clone(), title: s.title.clone(), publisher: s.publisher.clone(), year: s.year, url: s.url.clone() })
        .collect();
    let support = kb.support.iter().map(|s| SupportRef { name: s.name.clone(), how: s.how.clone(), url: s.url.clone() }).collect();

    Assessment {
        contract: CONTRACT,
        case_id: case.id.clone(),
        knowledge_base: KbStamp::of(kb),
        audience,
        options,
        scores,
        score_explanations,
        missing_information,
        sources,
        support,
        disclaimer: kb.meta.disclaimer.clone(),
        input_warnings,
    }
}

/// Inputs that were given but do not apply, so the reader knows they were not used.
fn input_warnings(case: &Case) -> Vec<InputWarning> {
    let mut out = Vec::new();
    if case.bowel_side.is_some() && case.primary_site != P::Bowel {
        out.push(InputWarning {
            pointer: "/bowel_side".to_string(),
            detail: format!("bowel_side applies only when primary_site is bowel; it was not used for {}", case.primary_site),
        });
    }
    let site = case.primary_site;
    let open = matches!(site, P::Unknown | P::Other);
    let mut only = |pointer: &str, given: bool, sites: &[P], name: &str| {
        if given && !open && !sites.contains(&site) {
            let list: Vec<&str> = sites.iter().map(|s| s.as_str()).collect();
            out.push(InputWarning {
                pointer: pointer.to_string(),
                detail: format!("{name} applies to primary_site {}; it was not used for {site}", list.join(" or ")),
            });
        }
    };
    let h = &case.treatment_history;
    only("/treatment_history/castration_resistant", h.castration_resistant.is_some(), &[P::Prostate], "castration_resistant");
    only("/treatment_history/endocrine_resistant", h.endocrine_resistant.is_some(), &[P::Breast, P::Womb], "endocrine_resistant");
    only("/net_origin", case.net_origin.is_some(), &[P::Neuroendocrine], "net_origin");
    only("/carcinoid_syndrome", case.carcinoid_syndrome.is_some(), &[P::Neuroendocrine], "carcinoid_syndrome");
    only("/biomarkers/PDGFRA_D842V", case.biomarker(B::PdgfraD842v).is_some(), &[P::Gist], "PDGFRA_D842V");
    if let Some(sites) = case.histology.and_then(|h| h.sites()) {
        only("/histology", true, sites, &format!("histology {}", case.histology.map_or("", |h| h.as_str())));
    }
    // PD_L1's bands are percentages (contract section 2: high 50% or more,
    // positive 1-49%, negative under 1%). With no CPS or IC given they can only
    // be the tumour proportion score's, and a TPS in another band is an error
    // (the parser's); with a CPS or IC the band may be theirs, so it is a
    // warning. Rules that read the score use it.
    if let Some((tps, band, given)) = case.pd_l1_band_clash()
        && (case.biomarkers.pd_l1_cps.is_some() || case.biomarkers.pd_l1_ic.is_some())
    {
        out.push(InputWarning {
            pointer: "/biomarkers/PD_L1_TPS".to_string(),
            detail: format!(
                "PD_L1_TPS {tps} is in the \"{}\" band (high 50% or more, positive 1-49%, negative under 1%), but /biomarkers/PD_L1 is \"{}\" (perhaps banded by CPS or IC); check which is right. Rules that read the tumour proportion score use {tps}",
                band.as_str(),
                given.as_str()
            ),
        });
    }
    if let Some(given) = case.liver_function.child_pugh {
        let points = child_pugh_floor(case);
        let floor = child_pugh_class(points);
        if floor > given {
            out.push(InputWarning {
                pointer: "/liver_function/child_pugh".to_string(),
                detail: format!(
                    "child_pugh \"{}\", but the bilirubin, albumin and ascites given score at least {points} points, Child-Pugh \"{}\"; the assessment uses \"{}\" (knowledge bases of engine logic 5 and later); check the class",
                    given.as_str(),
                    floor.as_str(),
                    floor.as_str()
                ),
            });
        }
    }
    if h.platinum_sensitive.is_some()
        && h.had(PreviousTreatment::Platinum) == Some(false)
        && h.had(PreviousTreatment::Oxaliplatin) == Some(false)
    {
        out.push(InputWarning {
            pointer: "/treatment_history/platinum_sensitive".to_string(),
            detail: "platinum_sensitive applies when platinum was given, but /treatment_history/previous lists no platinum or oxaliplatin; it was not used".to_string(),
        });
    }
    out
}

/// Whether the input behind a Case JSON pointer was given (the honest-reason
/// tests use it: a reason may assert only what was given).
pub fn input_given(case: &Case, pointer: &str) -> bool {
    pointer_given(case, pointer)
}

/// Whether the input behind a pointer was given.
fn pointer_given(case: &Case, pointer: &str) -> bool {
    let l = &case.liver;
    let h = &case.treatment_history;
    let f = &case.liver_function;
    match pointer {
        "/primary_site" => case.primary_site != P::Other,
        "/bowel_side" => case.bowel_side.is_some(),
        "/liver/tumour_count" => l.tumour_count.is_some(),
        "/liver/largest_tumour_cm" => l.largest_tumour_cm.is_some(),
        "/liver/all_removable" => l.all_removable.is_some(),
        "/liver/future_liver_remnant_percent" => l.future_liver_remnant_percent.is_some(),
        "/liver/liver_condition" => l.liver_condition.is_some(),
        "/liver/near_major_vessels" => l.near_major_vessels.is_some(),
        "/liver/both_lobes" => l.both_lobes.is_some(),
        "/spread_elsewhere" => case.spread_elsewhere.is_some(),
        "/performance_status" => case.performance_status.is_some(),
        "/fit_for_major_surgery" => case.fit_for_major_surgery.is_some(),
        "/chemotherapy_history" => case.chemotherapy_history.is_some(),
        "/primary_node_positive" => case.primary_node_positive.is_some(),
        "/disease_free_interval_months" => case.disease_free_interval_months.is_some(),
        "/cea_ng_ml" => case.cea_ng_ml.is_some(),
        "/liver/percent_liver_replaced" => l.percent_liver_replaced.is_some(),
        "/treatment_history/lines_of_systemic_therapy" => h.lines_of_systemic_therapy.is_some(),
        "/treatment_history/previous" => h.previous.is_some(),
        "/treatment_history/platinum_sensitive" => h.platinum_sensitive.is_some(),
        "/treatment_history/castration_resistant" => h.castration_resistant.is_some(),
        "/treatment_history/endocrine_resistant" => h.endocrine_resistant.is_some(),
        "/liver_function/bilirubin_umol_l" => f.bilirubin_umol_l.is_some(),
        "/liver_function/albumin_g_l" => f.albumin_g_l.is_some(),
        "/liver_function/ascites" => f.ascites.is_some(),
        "/liver_function/jaundice" => f.jaundice.is_some(),
        "/liver_function/biliary_obstruction" => f.biliary_obstruction.is_some(),
        "/liver_function/child_pugh" => f.child_pugh.is_some(),
        "/liver_function/bilirubin_uln_umol_l" => f.bilirubin_uln_umol_l.is_some(),
        "/histology" => case.histology.is_some(),
        "/net_origin" => case.net_origin.is_some(),
        "/tumour_grade" => case.tumour_grade.is_some(),
        "/ki67_percent" => case.ki67_percent.is_some(),
        "/primary_resected" => case.primary_resected.is_some(),
        "/carcinoid_syndrome" => case.carcinoid_syndrome.is_some(),
        "/age_years" => case.age_years.is_some(),
        "/months_disease_controlled" => case.months_disease_controlled.is_some(),
        "/biomarkers/PD_L1_CPS" => case.biomarkers.pd_l1_cps.is_some(),
        "/biomarkers/PD_L1_TPS" => case.biomarkers.pd_l1_tps.is_some(),
        "/biomarkers/PD_L1_IC" => case.biomarkers.pd_l1_ic.is_some(),
        "/biomarkers/HER2_IHC" => case.biomarkers.her2_ihc.is_some(),
        "/biomarkers/BRCA_origin" => case.biomarkers.brca_origin.is_some(),
        p => match p.strip_prefix("/biomarkers/").and_then(B::parse) {
            Some(b) => case.biomarker(b).is_some(),
            None => false,
        },
    }
}

/// The case and knowledge base, with small look-up helpers.
pub(crate) struct Cx<'a> {
    pub(crate) kb: &'a Knowledge,
    pub(crate) case: &'a Case,
    audience: Audience,
}

impl Cx<'_> {
    fn site(&self) -> P {
        self.case.primary_site
    }

    fn bio(&self, b: B) -> Option<V> {
        self.case.biomarker(b)
    }

    fn text(&self, id: &str) -> Option<String> {
        self.kb.statement(id).map(|s| match self.audience {
            Audience::Patient => s.patient.trim().to_string(),
            Audience::Clinician => s.clinician.trim().to_string(),
        })
    }

    /// Why an input matters, in this audience's words: the primary site's own
    /// statement (`input.biomarkers.ER.womb`) where the knowledge base has one,
    /// else the general one (`input.biomarkers.ER`). Site statements keep one
    /// site's drugs and trials out of another site's answer.
    fn input_text(&self, pointer: &str) -> Option<String> {
        let id = input_statement_id(pointer);
        self.text(&format!("{id}.{}", self.site().as_str())).or_else(|| self.text(&id))
    }

    fn reason(&self, id: &str) -> Option<Reason> {
        let s = self.kb.statement(id)?;
        let text = match self.audience {
            Audience::Patient => s.patient.trim(),
            Audience::Clinician => s.clinician.trim(),
        };
        let evidence = s.evidence.as_ref().and_then(|code| {
            let (_, display) = EVIDENCE_LEVELS.iter().find(|(l, _)| l == code)?;
            Some(EvidenceLevel { system: EVIDENCE_SYSTEM.0, version: EVIDENCE_SYSTEM.1, code: code.clone(), display })
        });
        Some(Reason { text: text.to_string(), sources: s.sources.clone(), statement: s.id.clone(), evidence })
    }

    fn ps(&self) -> Option<u8> {
        self.case.performance_status
    }

    /// Decision logic of revision 2 (issue 13: line of treatment, UK status,
    /// histology). Releases published with `engine_logic = 1` keep the old answers.
    fn v2(&self) -> bool {
        self.kb.engine_logic() >= 2
    }

    /// Decision logic of revision 3 (knowledge base 2026.12.1: the audit's
    /// remaining disagreements). Older releases keep their answers.
    fn v3(&self) -> bool {
        self.kb.engine_logic() >= 3
    }

    /// Decision logic of revision 4 (knowledge base 2026.12.2: the third
    /// review's findings). Older releases keep their answers.
    fn v4(&self) -> bool {
        self.kb.engine_logic() >= 4
    }

    /// Squamous non-small-cell lung cancer (histology as given).
    fn lung_squamous(&self) -> bool {
        self.site() == P::Lung && self.case.histology == Some(crate::case::Histology::Squamous)
    }

    /// A threshold that only the revision-2 rules read (a rule also names it, so
    /// it is loaded and checked); `None` in older releases.
    fn th(&self, id: &str) -> Option<f64> {
        self.kb.threshold(id).map(|t| t.value)
    }

    /// HER2 as given, or read from the IHC score (contract 8.1 `HER2_IHC`).
    fn her2(&self) -> Option<V> {
        self.bio(B::Her2).or_else(|| self.case.biomarkers.her2_ihc.map(|i| i.status()))
    }

    fn ras(&self) -> Option<bool> {
        facts::ras_wild_type(self.case)
    }

    fn hr_positive(&self) -> Option<bool> {
        facts::hormone_receptor_positive(self.case)
    }
}

/// One criterion's outcome, as given to [`Opt::criterion`].
pub(crate) enum Out<'s> {
    /// Met: add the statement as a reason.
    Met(&'s str),
    /// Met, but its usual reason does not apply (another reason explains why).
    Note,
    /// Not met: add the statement and cap the level.
    NotMet(&'s str, Suitability),
    /// Unknown: blocking ones make the answer `depends`.
    Unknown { blocking: bool },
}

/// What an option records beside its level: the rule functions are generic
/// over it, so there is one decision path.
///
/// [`Explained`] builds the explanation (reasons, criteria trace,
/// `depends_on`, kinds, title, summary, questions) into an
/// [`OptionAssessment`]; [`Decide`] builds nothing and finishes with the
/// suitability alone, so its empty methods compile away and deciding allocates
/// no text (batch suitability lines, [`crate::assess_summary`]). The decision
/// state (base, caps, blocking) lives in [`Opt`] and is the same for both; no
/// method here returns anything a rule could decide on, except
/// [`Explain::reasons`], which only chooses further wording.
pub(crate) trait Explain: Default {
    /// A finished option.
    type Option;
    /// Adds a statement as a reason, once.
    fn reason(&mut self, cx: &Cx, statement: &str);
    /// Replaces the reason citing `from`, if present, by `to`, in place.
    fn replace_reason(&mut self, cx: &Cx, from: &str, to: &str);
    /// The reasons so far (none when nothing is explained).
    fn reasons(&self) -> &[Reason];
    /// Records a criterion of `treatment` in the trace, with its statement;
    /// `id` `None` is the slug of the label. The level effect (cap, blocking)
    /// is [`Opt`]'s.
    fn criterion<S: AsRef<str>>(&mut self, cx: &Cx, treatment: &str, id: Option<&str>, label: &str, inputs: &[S], out: &Out);
    /// Gives the met criteria with this id a new label.
    fn relabel_met(&mut self, id: &str, label: impl Fn() -> String);
    /// Adds to `depends_on` why each of these inputs that was not given matters.
    fn depends_on_missing(&mut self, cx: &Cx, pointers: &[&str]);
    /// Adds a kind of `treatment`, already capped.
    fn kind(&mut self, cx: &Cx, treatment: &str, id: &str, suitability: Suitability);
    /// The finished option at this level.
    fn finish(self, cx: &Cx, treatment: &'static str, suitability: Suitability) -> Self::Option;
}

/// Decisions only: every method is empty, the option is its suitability.
#[derive(Default)]
pub(crate) struct Decide;

impl Explain for Decide {
    type Option = Suitability;
    fn reason(&mut self, _: &Cx, _: &str) {}
    fn replace_reason(&mut self, _: &Cx, _: &str, _: &str) {}
    fn reasons(&self) -> &[Reason] {
        &[]
    }
    fn criterion<S: AsRef<str>>(&mut self, _: &Cx, _: &str, _: Option<&str>, _: &str, _: &[S], _: &Out) {}
    fn relabel_met(&mut self, _: &str, _: impl Fn() -> String) {}
    fn depends_on_missing(&mut self, _: &Cx, _: &[&str]) {}
    fn kind(&mut self, _: &Cx, _: &str, _: &str, _: Suitability) {}
    fn finish(self, _: &Cx, _: &'static str, suitability: Suitability) -> Suitability {
        suitability
    }
}

/// The whole explanation of one option.
#[derive(Default)]
pub(crate) struct Explained {
    reasons: Vec<Reason>,
    criteria: Vec<Criterion>,
    depends_on: Vec<String>,
    kinds: Vec<KindAssessment>,
}

impl Explain for Explained {
    type Option = OptionAssessment;

    fn reason(&mut self, cx: &Cx, statement: &str) {
        if let Some(r) = cx.reason(statement)
            && !self.reasons.iter().any(|x| x.statement == r.statement)
        {
            self.reasons.push(r);
        }
    }

    fn replace_reason(&mut self, cx: &Cx, from: &str, to: &str) {
        if let Some(i) = self.reasons.iter().position(|r| r.statement == from)
            && let Some(r) = cx.reason(to)
        {
            self.reasons[i] = r;
        }
    }

    fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    fn criterion<S: AsRef<str>>(&mut self, cx: &Cx, treatment: &str, id: Option<&str>, label: &str, inputs: &[S], out: &Out) {
        let missing: Vec<String> = inputs.iter().map(AsRef::as_ref).filter(|p| !pointer_given(cx.case, p)).map(str::to_string).collect();
        let status = match *out {
            Out::Met(s) => {
                self.reason(cx, s);
                CriterionStatus::Met
            }
            Out::Note => CriterionStatus::Met,
            Out::NotMet(s, _) => {
                self.reason(cx, s);
                CriterionStatus::NotMet
            }
            Out::Unknown { blocking } => {
                if blocking {
                    for p in &missing {
                        if let Some(t) = cx.input_text(p)
                            && !self.depends_on.contains(&t)
                        {
                            self.depends_on.push(t);
                        }
                    }
                }
                CriterionStatus::Unknown
            }
        };
        let decided = status != CriterionStatus::Unknown;
        let inputs = if status == CriterionStatus::Unknown && !missing.is_empty() {
            missing
        } else if decided && cx.kb.engine_logic() >= 2 && missing.len() < inputs.len() {
            // Engine logic 2: a decided criterion lists the inputs that decided it
            // (a named fact may settle on part of its inputs, e.g. a performance
            // status of 3 rules surgery out whatever else is known), so a trace
            // never shows met or not met beside an input that was not given.
            inputs.iter().map(AsRef::as_ref).filter(|p| pointer_given(cx.case, p)).map(str::to_string).collect()
        } else {
            inputs.iter().map(|s| s.as_ref().to_string()).collect()
        };
        // A criterion decided in procedural code has the treatment and the slug
        // of its fixed label as its id (frozen by the golden tests).
        let id = id.map_or_else(|| format!("{treatment}.{}", slug(label)), str::to_string);
        self.criteria.push(Criterion { id, label: label.to_string(), status, inputs });
    }

    fn relabel_met(&mut self, id: &str, label: impl Fn() -> String) {
        for c in self.criteria.iter_mut().filter(|c| c.id == id && c.status == CriterionStatus::Met) {
            c.label = label();
        }
    }

    fn depends_on_missing(&mut self, cx: &Cx, pointers: &[&str]) {
        for p in pointers {
            if !pointer_given(cx.case, p)
                && let Some(t) = cx.input_text(p)
            {
                self.depends_on.push(t);
            }
        }
    }

    fn kind(&mut self, cx: &Cx, treatment: &str, id: &str, suitability: Suitability) {
        let title = cx
            .kb
            .treatment(treatment)
            .and_then(|t| t.kinds.iter().find(|k| k.id == id))
            .map_or_else(|| id.replace('_', " "), |k| k.title.clone());
        self.kinds.push(KindAssessment { id: id.to_string(), title, suitability });
    }

    fn finish(self, cx: &Cx, treatment: &'static str, suitability: Suitability) -> OptionAssessment {
        let page = cx.kb.treatment(treatment);
        let title = page.map_or_else(|| treatment.to_string(), |t| t.title.clone());
        let summary_id = format!("summary.{}", suitability.as_str());
        let summary = cx.kb.statement(&summary_id).map_or_else(String::new, |s| {
            let template = match cx.audience {
                Audience::Patient => s.patient.trim(),
                Audience::Clinician => s.clinician.trim(),
            };
            fill_treatment(template, &title)
        });
        let mut kinds = self.kinds;
        if cx.v4() {
            // Revision 4: a kind is never rated above its option.
            for k in &mut kinds {
                k.suitability = k.suitability.min(suitability);
            }
        }
        let mut depends_on = self.depends_on;
        if suitability != Suitability::Depends {
            // `depends_on` is what would decide a `depends`; for a settled answer
            // the unknowns still appear in the criteria and missing_information.
            depends_on.clear();
        }
        OptionAssessment {
            treatment: treatment.to_string(),
            title,
            suitability,
            summary,
            reasons: self.reasons,
            depends_on,
            questions_to_ask: page.map(|t| t.questions.clone()).unwrap_or_default(),
            kinds,
            criteria: self.criteria,
        }
    }
}

/// Builder for one option: the decision state, and what `E` records of it.
pub(crate) struct Opt<'a, E: Explain> {
    pub(crate) cx: &'a Cx<'a>,
    pub(crate) treatment: &'static str,
    pub(crate) base: Suitability,
    cap: Suitability,
    blocked: bool,
    /// Ceiling for every kind (set when fitness rules the whole area out).
    kind_cap: Suitability,
    explain: E,
}

impl<'a, E: Explain> Opt<'a, E> {
    fn new(cx: &'a Cx<'a>, treatment: &'static str) -> Opt<'a, E> {
        Opt {
            cx,
            treatment,
            base: Suitability::Possible,
            cap: Suitability::Usual,
            blocked: false,
            kind_cap: Suitability::Usual,
            explain: E::default(),
        }
    }

    /// Sets the base level for the primary site, with the statement that explains it.
    pub(crate) fn base(&mut self, level: Suitability, statement: &str) {
        self.base = level;
        self.reason(statement);
    }

    /// Sets the base to `depends` on the given inputs.
    fn base_depends(&mut self, statement: &str, label: &str, inputs: &[&str]) {
        self.base = Suitability::Depends;
        self.reason(statement);
        self.criterion(label, inputs, Out::Unknown { blocking: true });
    }

    /// A `depends` base from a rules table, with its criterion's stable id.
    pub(crate) fn base_depends_id(&mut self, statement: &str, id: &str, label: &str, inputs: &[&str]) {
        self.base = Suitability::Depends;
        self.reason(statement);
        self.criterion_id(id, label, inputs, Out::Unknown { blocking: true });
    }

    /// Replaces the reason citing `from` (if present) by `to`, in place.
    fn replace_reason(&mut self, from: &str, to: &str) {
        self.explain.replace_reason(self.cx, from, to);
    }

    pub(crate) fn reason(&mut self, statement: &str) {
        self.explain.reason(self.cx, statement);
    }

    /// The reasons given so far (always none with [`Decide`]: use it only to
    /// choose wording).
    fn reasons(&self) -> &[Reason] {
        self.explain.reasons()
    }

    /// Adds to `depends_on` why each of these inputs that was not given matters.
    fn depends_on_missing(&mut self, pointers: &[&str]) {
        self.explain.depends_on_missing(self.cx, pointers);
    }

    /// Gives the met criteria with this id a new label.
    fn relabel_met(&mut self, id: &str, label: impl Fn() -> String) {
        self.explain.relabel_met(id, label);
    }

    fn cap(&mut self, level: Suitability) {
        self.cap = self.cap.min(level);
    }

    /// A criterion decided in procedural code; its id is the treatment and the
    /// slug of its fixed label (frozen by the golden tests).
    fn criterion(&mut self, label: &str, inputs: &[&str], out: Out) {
        self.decide(None, label, inputs, out);
    }

    /// A criterion with an explicit, stable id.
    pub(crate) fn criterion_id<S: AsRef<str>>(&mut self, id: &str, label: &str, inputs: &[S], out: Out) {
        self.decide(Some(id), label, inputs, out);
    }

    /// A criterion's effect on the level, then its record.
    fn decide<S: AsRef<str>>(&mut self, id: Option<&str>, label: &str, inputs: &[S], out: Out) {
        match out {
            Out::NotMet(_, cap) => self.cap(cap),
            Out::Unknown { blocking: true } => self.blocked = true,
            _ => {}
        }
        self.explain.criterion(self.cx, self.treatment, id, label, inputs, &out);
    }

    pub(crate) fn level(&self) -> Suitability {
        if self.base == Suitability::Unlikely || self.cap == Suitability::Unlikely {
            Suitability::Unlikely
        } else if self.base == Suitability::Depends || self.blocked {
            Suitability::Depends
        } else {
            self.base.min(self.cap)
        }
    }

    fn kind(&mut self, id: &str, suitability: Suitability) {
        self.explain.kind(self.cx, self.treatment, id, suitability.min(self.kind_cap));
    }

    fn finish(self) -> E::Option {
        self.finish_at(None)
    }

    /// Finishes with an explicit level (used where kinds decide the option).
    fn finish_at(self, level: Option<Suitability>) -> E::Option {
        let suitability = level.unwrap_or_else(|| self.level());
        self.explain.finish(self.cx, self.treatment, suitability)
    }
}

/// A summary template with `{treatment}` as the lower-case title and
/// `{Treatment}` as the title, in one pass.
fn fill_treatment(template: &str, title: &str) -> String {
    let mut out = String::with_capacity(template.len() + title.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{treatment}") {
            out.extend(title.chars().flat_map(char::to_lowercase));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{Treatment}") {
            out.push_str(title);
            rest = after;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

fn slug(label: &str) -> String {
    let mut s = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') && !s.is_empty() {
            s.push('_');
        }
    }
    s.trim_end_matches('_').to_string()
}

use Suitability::{Depends, Possible, Unlikely, Usual};

/// Performance status 3-4: cancer-directed treatments are not usually advised
/// (ASCO top five list). Applied to drug treatments and embolisation, not to
/// hormone therapy, which is gentler and often still used.
fn systemic_fitness(cx: &Cx, o: &mut Opt<impl Explain>) {
    if let Some(ps) = cx.ps()
        && f64::from(ps) > cx.kb.t(Th::ChemoMaxPsAny)
    {
        o.criterion("Performance status 0-2", &["/performance_status"], Out::NotMet("systemic.ps_poor", Unlikely));
        o.kind_cap = Unlikely;
    }
}

fn lung_driver(cx: &Cx) -> bool {
    facts::lung_driver(cx.case)
}

/// Every input [`lung_driver`] reads: a criterion decided by a driver lists them
/// (engine logic 2 keeps only those given), so ROS1 alone is not shown as EGFR.
const LUNG_DRIVER_INPUTS: &[&str] =
    &["/biomarkers/EGFR", "/biomarkers/ALK", "/biomarkers/ROS1", "/biomarkers/MET_EX14", "/biomarkers/RET", "/biomarkers/NTRK"];
/// Revision 2: targeted tablets for a lung cancer driver are gentle and often
/// restore fitness, so a performance status of 3-4 makes them `possible`
/// rather than ruling them out (the fitness ceiling still applies to chemotherapy
/// and immunotherapy).
/// Revision 6: as [`lung_driver_fitness`], when EGFR or ALK is not yet known.
fn lung_untested_fitness(cx: &Cx, o: &mut Opt<impl Explain>) {
    if let Some(ps) = cx.ps()
        && f64::from(ps) > cx.kb.t(Th::ChemoMaxPsAny)
    {
        o.criterion("Performance status 0-2", &["/performance_status"], Out::NotMet("targeted.lung_untested_poor_ps", Possible));
        o.kind_cap = Possible;
    }
}

fn lung_driver_fitness(cx: &Cx, o: &mut Opt<impl Explain>) {
    if let Some(ps) = cx.ps()
        && f64::from(ps) > cx.kb.t(Th::ChemoMaxPsAny)
    {
        o.criterion("Performance status 0-2", &["/performance_status"], Out::NotMet("targeted.lung_driver_poor_ps", Possible));
        o.kind_cap = Possible;
    }
}

/// Revision 7: BRAF and MEK inhibitor tablets for BRAF V600 melanoma often
/// work within weeks and can restore fitness, as a lung cancer driver's tablets
/// do ([`lung_driver_fitness`]), so performance status 3-4 makes them
/// `possible` rather than ruling them out (immunotherapy keeps the ceiling).
fn melanoma_braf_fitness(cx: &Cx, o: &mut Opt<impl Explain>) {
    if let Some(ps) = cx.ps()
        && f64::from(ps) > cx.kb.t(Th::ChemoMaxPsAny)
    {
        o.criterion("Performance status 0-2", &["/performance_status"], Out::NotMet("targeted.melanoma_braf_poor_ps", Possible));
        o.kind_cap = Possible;
    }
}

/// Revision 2, ovary: platinum sensitivity first (PARP maintenance follows a
/// response to platinum; mirvetuximab is for platinum-resistant FR-alpha-positive
/// disease), then BRCA (olaparib) or niraparib whatever BRCA shows.
fn ovary_targeted(cx: &Cx, o: &mut Opt<impl Explain>, kinds: &mut Vec<(&'static str, Suitability)>) {
    let h = &cx.case.treatment_history;
    if cx.v3() && cx.case.histology == Some(crate::case::Histology::LowGradeSerous) {
        // Revision 3: low-grade serous cancer responds less to chemotherapy; the MEK
        // inhibitor trametinib beat standard drugs (GOG 281/LOGS). PARP maintenance
        // follows a BRCA change and a response to platinum, as for other types.
        o.base(Possible, "targeted.ovary_low_grade_serous");
        let parp = match (cx.bio(B::Brca), h.platinum_sensitive) {
            (Some(V::Present), Some(true)) => Possible,
            (Some(V::Present), None) | (None, Some(true) | None) => Depends,
            _ => Unlikely,
        };
        kinds.push(("parp_inhibitors", parp));
        return;
    }
    if h.platinum_sensitive == Some(false) {
        kinds.push(("parp_inhibitors", Unlikely));
        o.reason("targeted.ovary_parp_platinum_resistant");
        match cx.bio(B::FrAlpha) {
            Some(V::Positive) => {
                o.criterion("FR-alpha positive", &["/biomarkers/FR_ALPHA"], Out::Met("targeted.ovary_mirvetuximab"));
                o.base = Possible;
            }
            Some(_) => o.base(Unlikely, "targeted.ovary_platinum_resistant"),
            None => o.base_depends("targeted.ovary_platinum_resistant_depends", "FR-alpha positive", &["/biomarkers/FR_ALPHA"]),
        }
        return;
    }
    match cx.bio(B::Brca) {
        Some(V::Present) => {
            o.criterion("BRCA gene change", &["/biomarkers/BRCA"], Out::Met("targeted.ovary_parp"));
            // Revision 6: a PARP inhibitor again after one has been given is a
            // rechallenge with a modest gain (OReO), not the usual maintenance.
            let again = cx.kb.engine_logic() >= 6 && h.had(PreviousTreatment::ParpInhibitor) == Some(true);
            if again {
                o.criterion(
                    "No PARP inhibitor before",
                    &["/treatment_history/previous"],
                    Out::NotMet("targeted.ovary_parp_again", Possible),
                );
            }
            let level = match h.platinum_sensitive {
                _ if again => Possible,
                Some(true) => Usual,
                // Platinum was given but whether it still works is not known: that decides.
                None if h.had(PreviousTreatment::Platinum) == Some(true) => {
                    o.criterion(
                        "Platinum-sensitive (came back 6 months or more after platinum)",
                        &["/treatment_history/platinum_sensitive"],
                        Out::Unknown { blocking: true },
                    );
                    Possible
                }
                _ => Possible,
            };
            o.base = level;
            kinds.push(("parp_inhibitors", level));
        }
        Some(_) => {
            o.base(Possible, "targeted.ovary_niraparib");
            kinds.push(("parp_inhibitors", Possible));
        }
        None => {
            o.base_depends("targeted.ovary_depends", "BRCA gene change", &["/biomarkers/BRCA"]);
            kinds.push(("parp_inhibitors", Depends));
        }
    }
}

// ---------------------------------------------------------------- what the code reads

/// The biomarker results this file's procedural code and the scores read for a
/// primary site, at the newest engine logic (older logic reads the same or
/// fewer). The rule tables' reads are derived from `content/rules/`
/// ([`hepatica_knowledge::rules::TreatmentRules::facts_for_site`]); together
/// they are [`crate::biomarkers_for_site`]. Kept next to the code it describes:
/// a property test checks that no other biomarker changes an assessment for
/// the site, and a search that each one listed can. Update it with the code.
pub(crate) fn procedural_biomarkers(site: P) -> &'static [B] {
    match site {
        // Targeted (RAS, BRAF, HER2, KRAS G12C), transplant (BRAF), immunotherapy
        // (MSI), the GAME score (KRAS); NTRK everywhere (tumour-agnostic).
        P::Bowel => &[B::Kras, B::Nras, B::BrafV600, B::Msi, B::Her2, B::Ntrk],
        // Targeted (HER2, hormone receptors, PIK3CA, BRCA), immunotherapy (triple negative, PD-L1).
        P::Breast => &[B::Her2, B::Er, B::Pr, B::Pik3ca, B::Brca, B::PdL1, B::Ntrk],
        // Targeted (BRCA, HRR), PSMA radioligand.
        P::Prostate => &[B::Brca, B::Hrr, B::Psma, B::Ntrk],
        // Targeted (the drivers, KRAS G12C), immunotherapy (EGFR, ALK, PD-L1).
        P::Lung => &[B::Egfr, B::Alk, B::Ros1, B::Ret, B::MetEx14, B::Ntrk, B::Kras, B::PdL1],
        P::Melanoma => &[B::BrafV600, B::Ntrk],
        // Tebentafusp.
        P::UvealMelanoma => &[B::HlaA0201, B::Ntrk],
        // Lutetium dotatate.
        P::Neuroendocrine => &[B::Sstr, B::Ntrk],
        P::Stomach | P::Oesophagus => &[B::Her2, B::Ntrk],
        // PARP inhibitors, mirvetuximab.
        P::Ovary => &[B::Brca, B::FrAlpha, B::Ntrk],
        // HER2 (targeted), MSI (immunotherapy).
        P::Womb => &[B::Her2, B::Msi, B::Ntrk],
        P::Gist => &[B::Kit, B::Pdgfra, B::Ntrk],
        P::Pancreas | P::Kidney | P::Unknown | P::Other => &[B::Ntrk],
    }
}

/// The [`crate::SITE_INPUTS`] this file's procedural code and the scores read
/// for a primary site, at the newest engine logic (older logic reads the same
/// or fewer); with the rule tables' reads they are [`crate::inputs_for_site`].
/// Kept next to the code it describes, like [`procedural_biomarkers`], and
/// tested the same way. Update it with the code.
pub(crate) fn procedural_inputs(site: P) -> &'static [&'static str] {
    match site {
        // The Fong and GAME scores (scores.rs), bowel only.
        P::Bowel => &["/primary_node_positive", "/disease_free_interval_months", "/cea_ng_ml"],
        // PARP inhibitors and mirvetuximab (`ovary_targeted`).
        P::Ovary => &["/treatment_history/platinum_sensitive"],
        _ => &[],
    }
}

// ---------------------------------------------------------------- chemotherapy

fn chemotherapy<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "chemotherapy");
    eval::apply(&mut o);
    let level = o.level();
    // Kinds.
    o.kind("palliative_chemotherapy", level);
    let bowel_like = matches!(cx.site(), P::Bowel);
    let removable = cx.case.liver.all_removable;
    let liver_only = facts::liver_only(cx.case);
    // Chemotherapy aimed at an operation only makes sense if an operation could follow.
    let unfit = facts::unfit_for_surgery(cx.kb, cx.case);
    let fit_known = facts::fit_for_surgery(cx.kb, cx.case) == Some(true);
    // Revision 4: with a failing liver no operation can follow, so chemotherapy
    // is never aimed at one.
    let unfit = unfit || (cx.v4() && liver_failing(cx));
    let conversion = if !bowel_like || level == Unlikely || unfit {
        Unlikely
    } else {
        match (removable, liver_only) {
            (Some(false), Some(true)) => {
                o.reason("chemo.conversion");
                Possible
            }
            (Some(false), None) | (None, Some(true)) | (None, None) => Depends,
            _ => Unlikely,
        }
    };
    o.kind("conversion_chemotherapy", conversion);
    let periop = if !bowel_like || level == Unlikely || unfit {
        Unlikely
    } else {
        match (removable, liver_only) {
            (Some(true), Some(true)) if !fit_known => Depends,
            (Some(true), Some(true)) => {
                o.reason("chemo.perioperative");
                Possible
            }
            (Some(false), _) | (_, Some(false)) => Unlikely,
            _ => Depends,
        }
    };
    o.kind("perioperative_chemotherapy", periop);
    o.finish()
}

/// A failing liver (revision 4): Child-Pugh C, moderate or severe ascites, or
/// bilirubin above `systemic.bilirubin_max_x_uln` times the upper limit without
/// a blocked bile duct.
fn liver_failing(cx: &Cx) -> bool {
    let f = &cx.case.liver_function;
    let high = match (f.bilirubin_times_uln(), cx.th("systemic.bilirubin_max_x_uln")) {
        (Some(b), Some(max)) => b > max,
        _ => false,
    };
    f.child_pugh == Some(crate::case::ChildPugh::C)
        || f.ascites == Some(crate::case::Ascites::ModerateSevere)
        || (high && f.biliary_obstruction != Some(true))
}

// ---------------------------------------------------------------- surgery

fn surgery<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "surgery");
    let site = cx.site();
    let curative_sites = matches!(site, P::Bowel | P::Neuroendocrine);
    eval::apply(&mut o);
    if cx.v4() && cx.case.fit_for_major_surgery != Some(true) {
        // Revision 4: a performance status alone does not make a person fit for a
        // big operation; it is one part of it, and the team assesses the rest.
        o.replace_reason("surgery.fit", "surgery.fit_ps");
        // The trace says what was met: the performance status, not fitness
        // for a major operation, which the team has not assessed.
        if cx.case.fit_for_major_surgery.is_none()
            && let Some(max) = cx.th("surgery.max_ps_implied_fit")
        {
            o.relabel_met("surgery.fit_for_major_surgery", || format!("Performance status 0-{max} (fitness for surgery not yet assessed)"));
        }
    }
    if o.base == Unlikely {
        for k in ["liver_resection", "two_stage_hepatectomy", "portal_vein_embolisation", "alpps", "liver_transplant"] {
            o.kind(k, Unlikely);
        }
        return o.finish();
    }
    let level = o.level();
    let enough = facts::remnant_enough(cx.kb, cx.case);
    // Kinds.
    o.kind("liver_resection", level);
    let fit_ok = !facts::unfit_for_surgery(cx.kb, cx.case);
    let spread_ok = facts::liver_only(cx.case) != Some(false) || (site == P::Bowel && facts::spread_extent(cx.case) == Some("lung_only"));
    let staged = if !curative_sites || !fit_ok || !spread_ok || cx.case.liver.all_removable == Some(false) {
        Unlikely
    } else {
        match (cx.case.liver.both_lobes, enough) {
            (Some(true), _) | (_, Some(false)) => Possible,
            (None, _) | (_, None) => Depends,
            _ => Unlikely,
        }
    };
    // Engine logic 2: growing the remnant needs a liver that can grow. Cirrhosis
    // impairs hypertrophy after PVE, and Child-Pugh B or C is not a liver for
    // staged major surgery; with a small remnant and the liver's state not
    // known, the staged kinds turn on it.
    let staged = if cx.kb.engine_logic() >= 2 && staged != Unlikely && enough == Some(false) {
        let l = &cx.case;
        let cirrhosis = l.liver.liver_condition.map(|c| c == LiverCondition::Cirrhosis);
        let poor = l.liver_function.child_pugh.map(|c| c != ChildPugh::A);
        if cirrhosis == Some(true) || poor == Some(true) {
            o.reason("surgery.staged_cirrhosis");
            Unlikely
        } else if cirrhosis.is_none() {
            Depends
        } else {
            staged
        }
    } else {
        staged
    };
    o.kind("two_stage_hepatectomy", staged);
    o.kind("portal_vein_embolisation", staged);
    let alpps = if staged == Possible && enough == Some(false) && site == P::Bowel {
        Possible
    } else if staged == Depends {
        Depends
    } else {
        Unlikely
    };
    o.kind("alpps", alpps);
    // Engine logic 5: when resection is unlikely, transplant is what is left of
    // the option, so its open selection criteria decide it (they block, and
    // `depends_on` names them); before, the kind said `depends` under an
    // `unlikely` option, and capping kinds at their option (logic 4) then hid it.
    // Only where resection is unlikely because the tumours cannot be removed
    // (the transplant question); unlikely for another reason stays unlikely.
    let decides = cx.kb.engine_logic() >= 5 && level == Unlikely && cx.case.liver.all_removable == Some(false);
    let transplant = transplant(cx, &mut o, fit_ok, decides);
    o.kind("liver_transplant", transplant);
    // Engine logic 2: the option includes transplant, so when resection is
    // unlikely but every transplant criterion is met, the option is
    // `possible`, not `unlikely`. Before logic 5, transplant criteria that turn
    // on inputs not given left the option as it was (the kind said `depends`).
    let level = if cx.kb.engine_logic() >= 2 && level == Unlikely && transplant == Possible {
        transplant
    } else if decides && transplant == Depends {
        o.reason("surgery.transplant_open");
        Depends
    } else {
        level
    };
    o.finish_at(Some(level))
}

/// Liver transplant: TRANSMET-style criteria for bowel, Milan-NET for NET.
/// `decides` (engine logic 5, resection unlikely): every open selection
/// criterion is recorded, and blocks, so the option says what would decide it.
fn transplant(cx: &Cx, o: &mut Opt<impl Explain>, fit_ok: bool, decides: bool) -> Suitability {
    let site = cx.site();
    if !matches!(site, P::Bowel | P::Neuroendocrine) || !fit_ok {
        return Unlikely;
    }
    if cx.kb.engine_logic() >= 5 {
        return transplant_5(cx, o, decides);
    }
    // Only when the liver disease cannot be removed and the cancer is only in the liver.
    match (cx.case.liver.all_removable, facts::liver_only(cx.case)) {
        (Some(true), _) | (_, Some(false)) => return Unlikely,
        (Some(false), Some(true)) => {}
        _ => return Depends,
    }
    if site == P::Bowel {
        let ps_ok = cx.ps().map(|p| f64::from(p) <= cx.kb.t(Th::TransplantMaxPs));
        let braf = cx.bio(B::BrafV600);
        let responding = cx.case.chemotherapy_history.map(|h| matches!(h, ChemoHistory::Responding | ChemoHistory::Stable));
        if ps_ok == Some(false) || braf == Some(V::Present) || responding == Some(false) {
            return Unlikely;
        }
        if ps_ok.is_none() || braf.is_none() || responding.is_none() {
            return Depends;
        }
        if cx.kb.engine_logic() >= 2 {
            // TRANSMET also set age, a removed primary, control on chemotherapy
            // for some months and at most a few lines: each unknown one leaves it open.
            let c = cx.case;
            let lines = c.treatment_history.lines_of_systemic_therapy.map(f64::from);
            let checks = [
                (at_most(cx, c.age_years.map(f64::from), "transplant.max_age_years"), "/age_years"),
                (c.primary_resected, "/primary_resected"),
                (at_least(cx, c.months_disease_controlled, "transplant.min_months_controlled"), "/months_disease_controlled"),
                // Lines that have ended; a missing count does not hold it up.
                (Some(at_most(cx, lines, "transplant.max_lines_ended") != Some(false)), "/treatment_history/lines_of_systemic_therapy"),
            ];
            if let Some(level) = transplant_checks(o, &checks, "surgery.transplant_bowel_outside") {
                return level;
            }
        }
        o.reason("surgery.transplant_bowel");
        Possible
    } else {
        if cx.kb.engine_logic() >= 2 {
            // Milan-NET: low grade, primary removed, half the liver or less, stable
            // for months, and an age limit.
            let c = cx.case;
            let checks = [
                (c.tumour_grade.map(|g| g != crate::case::TumourGrade::G3), "/tumour_grade"),
                (c.primary_resected, "/primary_resected"),
                (at_most(cx, c.liver.percent_liver_replaced, "transplant_net.max_liver_replaced_percent"), "/liver/percent_liver_replaced"),
                (at_least(cx, c.months_disease_controlled, "transplant_net.min_months_controlled"), "/months_disease_controlled"),
                (at_most(cx, c.age_years.map(f64::from), "transplant_net.max_age_years"), "/age_years"),
            ];
            if let Some(level) = transplant_checks(o, &checks, "surgery.transplant_net_outside") {
                return level;
            }
        }
        o.reason("surgery.transplant_net");
        Possible
    }
}

/// Engine logic 5 transplant selection: every check at once (TRANSMET for
/// bowel, Milan-NET for NET), so one trace criterion lists every open one.
/// A failed check makes it unlikely; the site's "outside the criteria" reason
/// is given for the checks that have one.
fn transplant_5(cx: &Cx, o: &mut Opt<impl Explain>, decides: bool) -> Suitability {
    let c = cx.case;
    // Only when the liver disease cannot be removed and the cancer is only in the liver.
    let gate = [(c.liver.all_removable.map(|r| !r), "/liver/all_removable"), (facts::liver_only(c), "/spread_elsewhere")];
    if gate.iter().any(|(ok, _)| *ok == Some(false)) {
        return Unlikely;
    }
    let (checks, outside): (Vec<(Option<bool>, &str)>, &str) = if cx.site() == P::Bowel {
        let lines = c.treatment_history.lines_of_systemic_therapy.map(f64::from);
        let plain = [
            (cx.ps().map(|p| f64::from(p) <= cx.kb.t(Th::TransplantMaxPs)), "/performance_status"),
            (cx.bio(B::BrafV600).map(|b| b != V::Present), "/biomarkers/BRAF_V600"),
            (c.chemotherapy_history.map(|h| matches!(h, ChemoHistory::Responding | ChemoHistory::Stable)), "/chemotherapy_history"),
        ];
        if plain.iter().any(|(ok, _)| *ok == Some(false)) {
            return Unlikely;
        }
        let mut checks = plain.to_vec();
        checks.extend([
            (at_most(cx, c.age_years.map(f64::from), "transplant.max_age_years"), "/age_years"),
            (c.primary_resected, "/primary_resected"),
            (at_least(cx, c.months_disease_controlled, "transplant.min_months_controlled"), "/months_disease_controlled"),
            // Lines that have ended; a missing count does not hold it up.
            (Some(at_most(cx, lines, "transplant.max_lines_ended") != Some(false)), "/treatment_history/lines_of_systemic_therapy"),
        ]);
        (checks, "surgery.transplant_bowel_outside")
    } else {
        let checks = vec![
            // Low grade: a neuroendocrine carcinoma is not, whatever grade is given.
            (
                if c.histology == Some(crate::case::Histology::NeuroendocrineCarcinoma) {
                    Some(false)
                } else {
                    c.tumour_grade.map(|g| g != crate::case::TumourGrade::G3)
                },
                "/tumour_grade",
            ),
            (c.primary_resected, "/primary_resected"),
            (at_most(cx, c.liver.percent_liver_replaced, "transplant_net.max_liver_replaced_percent"), "/liver/percent_liver_replaced"),
            (at_least(cx, c.months_disease_controlled, "transplant_net.min_months_controlled"), "/months_disease_controlled"),
            (at_most(cx, c.age_years.map(f64::from), "transplant_net.max_age_years"), "/age_years"),
        ];
        (checks, "surgery.transplant_net_outside")
    };
    if checks.iter().any(|(ok, _)| *ok == Some(false)) {
        o.reason(outside);
        return Unlikely;
    }
    let missing: Vec<&str> = gate.iter().chain(checks.iter()).filter(|(ok, _)| ok.is_none()).map(|(_, p)| *p).collect();
    if !missing.is_empty() {
        o.criterion_id(
            "surgery.transplant_selection",
            "Liver transplant selection criteria known",
            &missing,
            Out::Unknown { blocking: decides },
        );
        return Depends;
    }
    o.reason(if cx.site() == P::Bowel { "surgery.transplant_bowel" } else { "surgery.transplant_net" });
    Possible
}

/// `value <= threshold` (engine logic 2 thresholds, read by id); unknown when either is missing.
fn at_most(cx: &Cx, value: Option<f64>, threshold: &str) -> Option<bool> {
    Some(value? <= cx.kb.threshold(threshold)?.value)
}

/// `value >= threshold`; unknown when either is missing.
fn at_least(cx: &Cx, value: Option<f64>, threshold: &str) -> Option<bool> {
    Some(value? >= cx.kb.threshold(threshold)?.value)
}

/// Transplant selection: any failed check makes it unlikely (with the reason);
/// otherwise any unknown one leaves it open; `None` when all are met.
/// The criterion lists the selection inputs not given (not blocking: the option
/// is about resection; the transplant kind says `depends`).
fn transplant_checks(o: &mut Opt<impl Explain>, checks: &[(Option<bool>, &str)], outside: &str) -> Option<Suitability> {
    if checks.iter().any(|(c, _)| *c == Some(false)) {
        o.reason(outside);
        Some(Unlikely)
    } else if checks.iter().any(|(c, _)| c.is_none()) {
        let missing: Vec<&str> = checks.iter().filter(|(c, _)| c.is_none()).map(|(_, p)| *p).collect();
        o.criterion_id(
            "surgery.transplant_selection",
            "Liver transplant selection criteria known",
            &missing,
            Out::Unknown { blocking: false },
        );
        Some(Depends)
    } else {
        None
    }
}

// ---------------------------------------------------------------- hormonal therapy

fn hormonal<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "hormonal_therapy");
    eval::apply(&mut o);
    // Each kind follows the base level of its own site (revision 2: and a criterion
    // that rules the option out, such as neuroendocrine carcinoma).
    let base = if cx.v2() && o.level() == Unlikely {
        Unlikely
    } else if cx.v4() && o.level() == Possible && o.base == Usual {
        // Revision 4: a criterion that caps the option (a failing liver, resistance)
        // caps its kind too, so the kind never reads `usual` beside a `possible` option.
        Possible
    } else {
        o.base
    };
    let site = cx.site();
    let of = |sites: &[P]| if sites.contains(&site) && base != Unlikely { base } else { Unlikely };
    o.kind("endocrine_breast", of(&[P::Breast]));
    o.kind("androgen_deprivation", of(&[P::Prostate]));
    o.kind("somatostatin_analogues", of(&[P::Neuroendocrine]));
    o.kind("gynae_hormone_therapy", of(&[P::Womb, P::Ovary]));
    o.finish()
}

// ---------------------------------------------------------------- targeted therapy

fn targeted<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "targeted_therapy");
    let mut kinds: Vec<(&'static str, Suitability)> = Vec::new();
    let ntrk = cx.bio(B::Ntrk) == Some(V::Present);
    let table = eval::base(&mut o);
    // Revision 4: serous womb cancer, HER2 not given, where the table says
    // targeted therapy is unlikely: HER2 positive would make it possible, so the
    // answer depends on the HER2 test.
    let womb_her2_open = cx.v4()
        && cx.site() == P::Womb
        && cx.case.histology == Some(crate::case::Histology::Serous)
        && cx.her2().is_none()
        && o.base == Unlikely;
    if womb_her2_open {
        o.base_depends("targeted.womb_serous_her2_depends", "HER2 status (serous womb cancer)", &["/biomarkers/HER2"]);
        kinds.push(("her2_targeted", Depends));
    }
    match cx.site() {
        P::Neuroendocrine if table => kinds.extend([("mtor_inhibitors", Possible), ("tyrosine_kinase_inhibitors", Possible)]),
        P::Kidney if table => kinds.push(("tyrosine_kinase_inhibitors", Usual)),
        // Revision 4: HER2-positive womb cancer (trastuzumab with carboplatin-paclitaxel).
        P::Womb if table && cx.v4() && cx.her2() == Some(V::Positive) => kinds.push(("her2_targeted", Possible)),
        _ if table => {}
        P::Bowel => {
            let ras = cx.ras();
            let braf = cx.bio(B::BrafV600);
            let side = cx.case.bowel_side;
            let v2 = cx.v2();
            // Revision 2: the setting (perioperative for removable liver-only disease)
            // and the line of treatment decide the anti-EGFR, anti-VEGF, BRAF and G12C kinds.
            let periop = v2
                && cx.case.liver.all_removable == Some(true)
                && facts::liver_only(cx.case) == Some(true)
                && !facts::unfit_for_surgery(cx.kb, cx.case);
            let treated = if v2 { facts::previously_treated(cx.case) } else { None };
            let lines = cx.case.treatment_history.lines_of_systemic_therapy.map(f64::from);
            let third_line = match (lines, cx.th("systemic.third_line_min_prior_lines")) {
                (Some(n), Some(t)) => Some(n >= t),
                _ => None,
            };
            let anti_egfr = match (ras, braf, side) {
                (Some(false), _, _) | (_, Some(V::Present), _) => Unlikely,
                (Some(true), _, Some(crate::case::BowelSide::Left)) => Usual,
                (Some(true), _, _) => Possible,
                (None, _, _) => Depends,
            };
            let refractory = cx.case.chemotherapy_history == Some(ChemoHistory::Refractory);
            let later = refractory || treated == Some(true);
            let anti_egfr = if periop && anti_egfr != Unlikely {
                o.reason("targeted.bowel_new_epoc");
                Unlikely
            } else if later && anti_egfr != Unlikely {
                o.reason("targeted.bowel_anti_egfr_later");
                Unlikely
            } else {
                anti_egfr
            };
            let g12c_found = cx.bio(B::Kras) == Some(V::G12c);
            match ras {
                Some(true) if braf == Some(V::Present) || later || periop => {
                    o.criterion("RAS wild type (KRAS and NRAS)", &["/biomarkers/KRAS", "/biomarkers/NRAS"], Out::Note);
                }
                Some(true) => {
                    o.criterion(
                        "RAS wild type (KRAS and NRAS)",
                        &["/biomarkers/KRAS", "/biomarkers/NRAS"],
                        Out::Met("targeted.bowel_ras_wild_type"),
                    );
                    if side == Some(crate::case::BowelSide::Right) {
                        o.reason("targeted.bowel_right_sided");
                    }
                }
                Some(false) => o.criterion(
                    "RAS wild type (KRAS and NRAS)",
                    &["/biomarkers/KRAS", "/biomarkers/NRAS"],
                    // A G12C change opens anti-EGFR antibodies with a G12C inhibitor, so
                    // "not indicated" would contradict the G12C reason.
                    Out::NotMet(if v2 && g12c_found { "targeted.bowel_ras_mutant_g12c" } else { "targeted.bowel_ras_mutant" }, Usual),
                ),
                None => o.criterion(
                    "RAS wild type (KRAS and NRAS)",
                    &["/biomarkers/KRAS", "/biomarkers/NRAS"],
                    Out::Unknown { blocking: false },
                ),
            }
            // Bevacizumab: with first-line chemotherapy; after first line, not with further
            // chemotherapy (TA242) but with trifluridine-tipiracil after two lines (TA1008).
            let anti_vegf = if !v2 || !later {
                o.reason("targeted.bowel_anti_vegf");
                Possible
            } else {
                match third_line {
                    Some(true) => {
                        o.reason("targeted.bowel_later_line");
                        Possible
                    }
                    Some(false) => {
                        o.reason("targeted.bowel_anti_egfr_later");
                        Unlikely
                    }
                    None => Depends,
                }
            };
            let braf_kind = match braf {
                Some(V::Present) => {
                    o.criterion("BRAF V600E mutation", &["/biomarkers/BRAF_V600"], Out::Met("targeted.bowel_braf"));
                    if treated == Some(false) {
                        // NICE (TA668) is after earlier treatment; first line is licensed elsewhere.
                        o.reason("targeted.bowel_braf_first_line");
                        Possible
                    } else {
                        Usual
                    }
                }
                Some(_) => Unlikely,
                None => {
                    o.criterion("BRAF V600E mutation", &["/biomarkers/BRAF_V600"], Out::Unknown { blocking: false });
                    Depends
                }
            };
            let her2 = match cx.her2() {
                Some(V::Positive) if ras != Some(false) => {
                    o.reason("targeted.bowel_her2");
                    Possible
                }
                Some(_) => Unlikely,
                None => Depends,
            };
            let g12c = if g12c_found {
                o.reason("targeted.bowel_g12c");
                // Licensed after earlier chemotherapy, not first line.
                if treated == Some(false) { Unlikely } else { Possible }
            } else if cx.bio(B::Kras).is_none() {
                Depends
            } else {
                Unlikely
            };
            kinds.extend([
                ("anti_egfr", anti_egfr),
                ("anti_vegf", anti_vegf),
                ("braf_targeted", braf_kind),
                ("her2_targeted", her2),
                ("kras_g12c_inhibitors", g12c),
            ]);
            // The option: usual when a biomarker opens a standard targeted treatment;
            // otherwise bevacizumab-type drugs keep it possible; unknown RAS and BRAF -> depends
            // (not before an operation, where no anti-EGFR drug is added whatever RAS shows).
            o.base = if anti_egfr == Usual || braf_kind == Usual {
                Usual
            } else if ras.is_none() && braf.is_none() && !periop {
                o.blocked = true;
                o.depends_on_missing(&["/biomarkers/KRAS", "/biomarkers/NRAS", "/biomarkers/BRAF_V600"]);
                Possible
            } else {
                Possible
            };
            // Revision 7: cetuximab and panitumumab (TA439) are given with a chemotherapy
            // doublet, so they are never rated above the chemotherapy (outsider review
            // onc14, bo-10); the chemotherapy-free BRAF combination is not limited by it.
            if cx.kb.engine_logic() >= 7
                && anti_egfr == Usual
                && braf_kind != Usual
                && matches!(chemotherapy::<Decide>(cx), Possible | Unlikely)
            {
                o.reason("targeted.bowel_with_chemotherapy");
                o.cap(Possible);
            }
        }
        P::Breast => {
            // HER2 as given, or read from the IHC score (contract 8.1).
            let her2 = cx.her2();
            let hr = cx.hr_positive();
            let v2 = cx.v2();
            let her2_kind = match her2 {
                Some(V::Positive) => {
                    o.criterion("HER2 positive", &["/biomarkers/HER2"], Out::Met("targeted.breast_her2_positive"));
                    Usual
                }
                Some(V::Low) => {
                    o.reason("targeted.breast_her2_low");
                    // Licensed, but NICE does not recommend it (TA992).
                    if v2 { Unlikely } else { Possible }
                }
                Some(V::Ultralow) if v2 => {
                    o.reason("targeted.breast_her2_ultralow");
                    Unlikely
                }
                Some(_) => Unlikely,
                None => {
                    o.criterion("HER2 status known", &["/biomarkers/HER2"], Out::Unknown { blocking: hr != Some(true) });
                    Depends
                }
            };
            let her2_negative_like = match her2 {
                Some(V::Negative | V::Low) | None => true,
                Some(V::Ultralow) => v2,
                _ => false,
            };
            let had_cdk = if v2 { cx.case.treatment_history.had(PreviousTreatment::Cdk46Inhibitor) } else { None };
            // Revision 7: PIK3CA-altered, after a CDK4/6 inhibitor, no PI3K/AKT
            // inhibitor yet: alpelisib (TA816) or capivasertib with fulvestrant is
            // what NICE recommends next, the usual option.
            let v7 = cx.kb.engine_logic() >= 7;
            // Revision 7 (2026.12.6): "HER2-negative" is said only when HER2 was given.
            let her2_unknown_wording = v7 && her2.is_none();
            let pik3ca_next = v7
                && hr == Some(true)
                && her2_negative_like
                && !her2_unknown_wording
                && had_cdk == Some(true)
                && cx.bio(B::Pik3ca) == Some(V::Present)
                && cx.case.treatment_history.had(PreviousTreatment::Pi3kAktInhibitor) != Some(true);
            let cdk = match (hr, her2) {
                // Revision 7: the NHS funds one CDK4/6 inhibitor line, so after one
                // the kind is unlikely (outsider review onc14, R9).
                (Some(true), _) if pik3ca_next => {
                    o.reason("targeted.breast_pik3ca_after_cdk46");
                    if v7 { Unlikely } else { Possible }
                }
                (Some(true), _) if her2_negative_like && had_cdk == Some(true) => {
                    // First-line CDK4/6 inhibitors (TA563) have been used: what comes next.
                    o.reason("targeted.breast_after_cdk46");
                    if v7 { Unlikely } else { Possible }
                }
                (Some(true), _) if her2_unknown_wording => {
                    o.criterion(
                        "Hormone receptor positive, HER2 not given",
                        &["/biomarkers/ER", "/biomarkers/PR"],
                        Out::Met("targeted.breast_cdk46_her2_unknown"),
                    );
                    Usual
                }
                (Some(true), _) if her2_negative_like => {
                    o.criterion(
                        "Hormone receptor positive, HER2 negative",
                        &["/biomarkers/ER", "/biomarkers/PR", "/biomarkers/HER2"],
                        Out::Met("targeted.breast_cdk46"),
                    );
                    Usual
                }
                (Some(_), _) => Unlikely,
                (None, _) => {
                    o.criterion(
                        "Hormone receptor status known",
                        &["/biomarkers/ER", "/biomarkers/PR"],
                        Out::Unknown { blocking: her2 != Some(V::Positive) },
                    );
                    Depends
                }
            };
            let pik3ca = match (cx.bio(B::Pik3ca), hr) {
                _ if pik3ca_next => Usual,
                (Some(V::Present), Some(true)) => {
                    o.reason("targeted.breast_pik3ca");
                    Possible
                }
                (None, Some(true)) => Depends,
                _ => Unlikely,
            };
            let parp = match (cx.bio(B::Brca), her2) {
                (Some(V::Present), _) if her2_negative_like => {
                    o.reason("targeted.breast_parp");
                    Possible
                }
                (None, _) => Depends,
                _ => Unlikely,
            };
            kinds.extend([
                ("her2_targeted", her2_kind),
                ("cdk46_inhibitors", cdk),
                ("pi3k_akt_inhibitors", pik3ca),
                ("parp_inhibitors", parp),
            ]);
            let triple_negative = hr == Some(false) && matches!(her2, Some(V::Negative | V::Low | V::Ultralow));
            if o.reasons().is_empty() && !(v2 && triple_negative) {
                o.reason("targeted.breast_depends");
            }
            o.base = if her2_kind == Usual || cdk == Usual || pik3ca == Usual {
                Usual
            } else if v2 && triple_negative {
                // Sacituzumab govitecan is for earlier-treated triple-negative disease (TA819).
                match facts::previously_treated(cx.case) {
                    Some(true) => {
                        o.reason("targeted.breast_tnbc_sacituzumab");
                        Possible
                    }
                    Some(false) => {
                        o.reason("targeted.breast_triple_negative");
                        if parp == Possible { Possible } else { Unlikely }
                    }
                    None => {
                        o.reason("targeted.breast_triple_negative");
                        o.criterion(
                            "Treated before for the spread cancer",
                            &["/treatment_history/lines_of_systemic_therapy"],
                            Out::Unknown { blocking: true },
                        );
                        Possible
                    }
                }
            } else if her2_kind == Possible
                || parp == Possible
                || (v2 && (cdk == Possible || pik3ca == Possible))
                || (v7 && hr == Some(true) && her2_negative_like && had_cdk == Some(true))
            {
                Possible
            } else if hr == Some(false) && matches!(her2, Some(V::Negative)) {
                o.reason("targeted.breast_triple_negative");
                Unlikely
            } else {
                Possible
            };
        }
        P::Lung if cx.v2() && cx.case.histology == Some(crate::case::Histology::SmallCell) => {
            // The driver-directed appraisals are for non-small-cell lung cancer.
            o.base(Unlikely, "targeted.lung_small_cell");
            kinds.extend([("tyrosine_kinase_inhibitors", Unlikely), ("kras_g12c_inhibitors", Unlikely)]);
        }
        P::Lung => {
            let inputs = ["/biomarkers/EGFR", "/biomarkers/ALK"];
            let any = lung_driver(cx);
            let main_known = cx.bio(B::Egfr).is_some() && cx.bio(B::Alk).is_some();
            let squamous_untested = cx.v4() && cx.lung_squamous() && !main_known;
            // Engine logic 5: after the driver's own tablet has failed, the
            // first-line list no longer applies. EGFR: chemotherapy-based
            // treatment comes next and a further targeted drug is `possible`;
            // ALK: the knowledge base's rule names lorlatinib after alectinib.
            let h = &cx.case.treatment_history;
            let failed = cx.kb.engine_logic() >= 5 && facts::lung_tablet_failed(cx.case) == Some(true);
            let only_egfr = cx.bio(B::Egfr) == Some(V::Present)
                && [B::Alk, B::Ros1, B::MetEx14, B::Ret, B::Ntrk].iter().all(|&b| cx.bio(b) != Some(V::Present));
            let egfr_failed = failed && only_egfr && h.had(PreviousTreatment::EgfrTki) == Some(true);
            let alk_failed = failed && cx.bio(B::Alk) == Some(V::Present) && h.had(PreviousTreatment::AlkTki) == Some(true);
            if egfr_failed {
                o.criterion("A targetable gene change (e.g. EGFR, ALK)", LUNG_DRIVER_INPUTS, Out::Met("targeted.lung_egfr_after_tki"));
                o.base = Possible;
            } else if alk_failed {
                o.criterion("A targetable gene change (e.g. EGFR, ALK)", LUNG_DRIVER_INPUTS, Out::Note);
                o.base = Usual;
            } else if any {
                o.criterion("A targetable gene change (e.g. EGFR, ALK)", LUNG_DRIVER_INPUTS, Out::Met("targeted.lung_driver"));
                o.base = Usual;
            } else if squamous_untested {
                // Revision 4: squamous cancers are tested only in selected people
                // (never or light smokers), so an untested one does not wait on EGFR/ALK.
                o.base(Unlikely, "targeted.lung_squamous");
            } else if main_known {
                o.criterion("A targetable gene change (e.g. EGFR, ALK)", &inputs, Out::NotMet("targeted.lung_no_driver", Unlikely));
                o.base = Possible;
            } else {
                o.base_depends("targeted.lung_depends", "A targetable gene change (e.g. EGFR, ALK)", &inputs);
            }
            let g12c = cx.bio(B::Kras) == Some(V::G12c);
            if g12c && !any {
                // Sotorasib is licensed after earlier treatment: a later option, not first.
                o.reason("targeted.lung_g12c");
                o.base = Possible;
                o.cap = Usual;
                o.blocked = false;
            }
            let tki = if egfr_failed {
                Possible
            } else if any {
                Usual
            } else if main_known || squamous_untested {
                Unlikely
            } else {
                Depends
            };
            kinds.extend([("tyrosine_kinase_inhibitors", tki), ("kras_g12c_inhibitors", if g12c { Possible } else { Unlikely })]);
        }
        P::Melanoma => match cx.bio(B::BrafV600) {
            Some(V::Present) => {
                o.criterion("BRAF V600 mutation", &["/biomarkers/BRAF_V600"], Out::Met("targeted.melanoma_braf"));
                o.base = Usual;
                kinds.push(("braf_targeted", Usual));
            }
            Some(_) => {
                o.criterion("BRAF V600 mutation", &["/biomarkers/BRAF_V600"], Out::NotMet("targeted.melanoma_no_braf", Unlikely));
                kinds.push(("braf_targeted", Unlikely));
            }
            None => {
                o.base_depends("targeted.melanoma_depends", "BRAF V600 mutation", &["/biomarkers/BRAF_V600"]);
                kinds.push(("braf_targeted", Depends));
            }
        },
        P::Gist => {
            let kit = cx.bio(B::Kit);
            let pdgfra = cx.bio(B::Pdgfra);
            if kit == Some(V::Absent) && pdgfra == Some(V::Absent) {
                o.base(Possible, "targeted.gist_no_kit_pdgfra");
            } else {
                o.base(Usual, "targeted.gist");
                if kit.is_none() && pdgfra.is_none() {
                    o.criterion(
                        "KIT or PDGFRA mutation tested",
                        &["/biomarkers/KIT", "/biomarkers/PDGFRA"],
                        Out::Unknown { blocking: false },
                    );
                }
            }
            kinds.push(("tyrosine_kinase_inhibitors", o.base));
        }
        // Revision 7: small-cell (neuroendocrine) prostate cancer is treated as a
        // neuroendocrine carcinoma; BRCA and HRR results do not open a PARP inhibitor.
        P::Prostate if cx.kb.engine_logic() >= 7 && prostate_small_cell(cx) => {
            o.base(Unlikely, "targeted.prostate_small_cell");
            kinds.push(("parp_inhibitors", Unlikely));
        }
        P::Prostate => {
            let brca = cx.bio(B::Brca);
            let hrr = cx.bio(B::Hrr);
            let inputs = ["/biomarkers/BRCA", "/biomarkers/HRR"];
            if brca == Some(V::Present) || hrr == Some(V::Present) {
                o.criterion("BRCA or other HRR gene change", &inputs, Out::Met("targeted.prostate_parp"));
                // Revision 6: BRCA1/2 and growing after a newer hormone drug is
                // what NICE recommends olaparib for (TA887): the usual option.
                let nice_ta887 = cx.kb.engine_logic() >= 6 && brca == Some(V::Present) && facts::arpi_resistant(cx.case) == Some(true);
                if nice_ta887 {
                    o.base = Usual;
                }
                kinds.push(("parp_inhibitors", if nice_ta887 { Usual } else { Possible }));
            } else if cx.kb.engine_logic() >= 7 && brca == Some(V::Absent) && hrr.is_none() {
                // Revision 7: only BRCA was tested; the reason says so, not "no HRR change".
                o.criterion("BRCA or other HRR gene change", &inputs, Out::NotMet("targeted.prostate_no_brca", Unlikely));
                kinds.push(("parp_inhibitors", Unlikely));
            } else if brca.is_some() && hrr.is_some() || brca == Some(V::Absent) && hrr.is_none() {
                o.criterion("BRCA or other HRR gene change", &inputs, Out::NotMet("targeted.prostate_no_hrr", Unlikely));
                kinds.push(("parp_inhibitors", Unlikely));
            } else {
                o.base_depends("targeted.prostate_depends", "BRCA or other HRR gene change", &inputs);
                kinds.push(("parp_inhibitors", Depends));
            }
        }
        P::Oesophagus if cx.v2() && cx.case.histology == Some(crate::case::Histology::Squamous) => {
            // HER2-directed treatment is for adenocarcinoma (TA208, ToGA).
            o.base(Unlikely, "targeted.oesophagus_squamous");
            kinds.push(("her2_targeted", Unlikely));
        }
        P::Stomach | P::Oesophagus => match cx.her2() {
            Some(V::Positive) => {
                o.criterion("HER2 positive", &["/biomarkers/HER2"], Out::Met("targeted.gastric_her2"));
                o.base = Usual;
                kinds.push(("her2_targeted", Usual));
            }
            Some(_) => {
                o.criterion("HER2 positive", &["/biomarkers/HER2"], Out::NotMet("targeted.gastric_her2_negative", Unlikely));
                kinds.push(("her2_targeted", Unlikely));
            }
            None => {
                o.base_depends("targeted.gastric_depends", "HER2 positive", &["/biomarkers/HER2"]);
                kinds.push(("her2_targeted", Depends));
            }
        },
        P::Ovary if cx.v2() => ovary_targeted(cx, &mut o, &mut kinds),
        P::Ovary => match cx.bio(B::Brca) {
            Some(V::Present) => {
                o.criterion("BRCA gene change", &["/biomarkers/BRCA"], Out::Met("targeted.ovary_parp"));
                kinds.push(("parp_inhibitors", Possible));
            }
            Some(_) => o.base(Unlikely, "targeted.not_standard"),
            None => {
                o.base_depends("targeted.ovary_depends", "BRCA gene change", &["/biomarkers/BRCA"]);
                kinds.push(("parp_inhibitors", Depends));
            }
        },
        // Every other site has a row in content/rules/targeted_therapy.toml (kb check ensures it).
        _ => {}
    }
    eval::criteria(&mut o);
    if ntrk {
        o.reason("targeted.ntrk");
        kinds.push(("ntrk_inhibitors", Possible));
        if o.level() < Possible {
            // A tumour-agnostic licence opens this whatever the site.
            o.base = Possible;
            o.cap = Usual;
            o.blocked = false;
        }
    }
    // Revision 6: with EGFR or ALK not yet tested, poor fitness does not rule
    // the tablets out either: whether a driver is found decides.
    let untested = cx.kb.engine_logic() >= 6
        && cx.site() == P::Lung
        && !lung_driver(cx)
        && !(cx.bio(B::Egfr).is_some() && cx.bio(B::Alk).is_some())
        && !(cx.v4() && cx.lung_squamous());
    let melanoma_braf = cx.kb.engine_logic() >= 7 && cx.site() == P::Melanoma && cx.bio(B::BrafV600) == Some(V::Present);
    if melanoma_braf {
        melanoma_braf_fitness(cx, &mut o);
    } else if cx.v2()
        && cx.site() == P::Lung
        && (lung_driver(cx) || untested)
        && cx.case.histology != Some(crate::case::Histology::SmallCell)
    {
        if untested {
            lung_untested_fitness(cx, &mut o);
        } else {
            lung_driver_fitness(cx, &mut o);
        }
    } else {
        systemic_fitness(cx, &mut o);
    }
    if cx.v2() && o.level() == Unlikely {
        // A criterion ruled the option out after the kinds were set (e.g. neuroendocrine carcinoma).
        o.kind_cap = Unlikely;
    }
    let mut seen = BTreeSet::new();
    for (id, s) in kinds {
        if seen.insert(id) {
            o.kind(id, s);
        }
    }
    o.finish()
}

// ---------------------------------------------------------------- immunotherapy

fn immunotherapy<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "immunotherapy");
    let mut tebentafusp = Unlikely;
    let table = eval::base(&mut o);
    match cx.site() {
        _ if table => {}
        P::Bowel => match cx.bio(B::Msi) {
            Some(V::High) => {
                o.criterion("MSI-high or dMMR", &["/biomarkers/MSI"], Out::Met("immuno.bowel_msi_high"));
                o.base = Usual;
            }
            Some(_) => {
                o.criterion("MSI-high or dMMR", &["/biomarkers/MSI"], Out::NotMet("immuno.bowel_mss", Unlikely));
            }
            None => o.base_depends("immuno.bowel_depends", "MSI-high or dMMR", &["/biomarkers/MSI"]),
        },
        P::Lung if cx.v2() && cx.case.histology == Some(crate::case::Histology::SmallCell) => {
            // Small cell: atezolizumab with first chemotherapy, performance status 0-1 (TA638).
            o.base(Usual, "immuno.lung_small_cell");
            if let (Some(ps), Some(max)) = (cx.ps(), cx.th("chemo.max_ps_full"))
                && f64::from(ps) > max
            {
                o.criterion("Performance status 0-1", &["/performance_status"], Out::NotMet("immuno.lung_small_cell_ps", Possible));
            }
        }
        P::Lung if cx.v3() && lung_driver(cx) && facts::lung_tablet_failed(cx.case) == Some(true) => {
            // Revision 3: once the targeted tablet has failed, atezolizumab with
            // bevacizumab and chemotherapy is recommended (TA584).
            o.base(Possible, "immuno.lung_after_tki");
        }
        P::Lung if lung_driver(cx) => {
            o.criterion(
                "No gene change that targeted tablets treat first",
                LUNG_DRIVER_INPUTS,
                Out::NotMet("immuno.lung_egfr_alk", Unlikely),
            );
        }
        P::Lung if (cx.bio(B::Egfr).is_none() || cx.bio(B::Alk).is_none()) && !(cx.v4() && cx.lung_squamous()) => {
            o.base_depends("immuno.lung_depends", "EGFR and ALK results known", &["/biomarkers/EGFR", "/biomarkers/ALK"]);
        }
        P::Lung => {
            if cx.bio(B::Egfr).is_none() || cx.bio(B::Alk).is_none() {
                // Revision 4: squamous, EGFR/ALK not tested (testing is for selected
                // squamous cases): chemo-immunotherapy does not wait on them (TA770).
                o.reason("immuno.lung_squamous");
            } else {
                o.criterion(
                    "No gene change that targeted tablets treat first",
                    &["/biomarkers/EGFR", "/biomarkers/ALK"],
                    Out::Met("immuno.lung"),
                );
            }
            o.base = Usual;
            // Revision 2: the numeric tumour proportion score counts as well (TA531's 50%).
            let tps_high = match (cx.v2(), cx.case.biomarkers.pd_l1_tps, cx.th("immuno.lung_tps_high_min")) {
                (true, Some(tps), Some(min)) => tps >= min,
                _ => false,
            };
            let tps_given = cx.v2() && cx.case.biomarkers.pd_l1_tps.is_some();
            if cx.bio(B::PdL1) == Some(V::High) || tps_high {
                o.reason("immuno.lung_pdl1_high");
            } else if cx.bio(B::PdL1).is_none() && !tps_given {
                o.criterion("PD-L1 level known", &["/biomarkers/PD_L1"], Out::Unknown { blocking: false });
            }
        }
        P::UvealMelanoma => match cx.bio(B::HlaA0201) {
            Some(V::Present) => {
                o.criterion("HLA-A*02:01 tissue type", &["/biomarkers/HLA_A0201"], Out::Met("immuno.uveal_hla_positive"));
                o.base = Usual;
                tebentafusp = Usual;
            }
            Some(_) if cx.v4() => {
                // Revision 4: tebentafusp does not apply; ipilimumab with nivolumab
                // (single-arm phase II data) is the checkpoint option to discuss.
                o.criterion(
                    "HLA-A*02:01 tissue type",
                    &["/biomarkers/HLA_A0201"],
                    Out::NotMet("immuno.uveal_hla_negative_ipi_nivo", Possible),
                );
            }
            Some(_) => {
                o.criterion("HLA-A*02:01 tissue type", &["/biomarkers/HLA_A0201"], Out::NotMet("immuno.uveal_hla_negative", Unlikely));
            }
            None => {
                o.base_depends("immuno.uveal_depends", "HLA-A*02:01 tissue type", &["/biomarkers/HLA_A0201"]);
                tebentafusp = Depends;
            }
        },
        P::Breast => {
            // HER2-low and HER2-ultralow are HER2-negative for triple-negative disease.
            let tn = match (cx.hr_positive(), cx.her2()) {
                (Some(false), Some(V::Negative | V::Low | V::Ultralow)) => Some(true),
                (Some(true), _) | (_, Some(V::Positive)) => Some(false),
                _ => None,
            };
            if cx.v3() && tn == Some(true) {
                breast_tnbc_immunotherapy(cx, &mut o);
            } else {
                match (tn, cx.bio(B::PdL1)) {
                    (Some(false), _) => o.base(Unlikely, "immuno.breast_not_tnbc"),
                    (Some(true), Some(V::High | V::Positive)) => {
                        o.criterion("Triple-negative with PD-L1", &["/biomarkers/PD_L1"], Out::Met("immuno.breast_tnbc"));
                        o.base = Possible;
                    }
                    (Some(true), Some(_)) => {
                        o.criterion(
                            "Triple-negative with PD-L1",
                            &["/biomarkers/PD_L1"],
                            Out::NotMet("immuno.breast_tnbc_pdl1_negative", Unlikely),
                        );
                    }
                    (Some(true), None) => o.base_depends("immuno.breast_depends", "PD-L1 level known", &["/biomarkers/PD_L1"]),
                    (None, _) => o.base_depends(
                        "immuno.breast_depends",
                        "Triple-negative (ER, PR and HER2 negative)",
                        &["/biomarkers/ER", "/biomarkers/PR", "/biomarkers/HER2"],
                    ),
                }
            }
        }
        P::Womb if cx.v2() => womb_immunotherapy(cx, &mut o),
        P::Womb => match cx.bio(B::Msi) {
            Some(V::High) => {
                o.criterion("MSI-high or dMMR", &["/biomarkers/MSI"], Out::Met("immuno.womb_msi_high"));
                o.base = Possible;
            }
            _ => o.base(Possible, "immuno.womb_msi_high"),
        },
        // Every other site has a row in content/rules/immunotherapy.toml (kb check ensures it).
        _ => {}
    }
    eval::criteria(&mut o);
    if cx.v4()
        && cx.site() == P::Kidney
        && cx.case.treatment_history.had(PreviousTreatment::Immunotherapy) == Some(true)
        && facts::previously_treated(cx.case) == Some(true)
    {
        // Revision 4: CONTACT-03 was in kidney cancer after checkpoint inhibitor
        // progression on treatment for the spread cancer: rechallenge is unlikely,
        // not possible. Adjuvant treatment alone (no ended line) stays possible.
        o.replace_reason("immuno.after_immunotherapy", "immuno.kidney_after_immunotherapy");
        o.criterion(
            "No checkpoint inhibitor for the spread cancer before",
            &["/treatment_history/previous", "/treatment_history/lines_of_systemic_therapy", "/chemotherapy_history"],
            Out::NotMet("immuno.kidney_after_immunotherapy", Unlikely),
        );
    }
    systemic_fitness(cx, &mut o);
    let level = o.level();
    // For uveal melanoma the option is about tebentafusp; the knowledge base has no
    // verified statement on checkpoint inhibitors there, so that kind stays open.
    let uveal_hla_negative = cx.v4() && matches!(cx.bio(B::HlaA0201), Some(v) if v != V::Present);
    o.kind("checkpoint_inhibitors", if cx.site() == P::UvealMelanoma && !uveal_hla_negative { Depends } else { level });
    // Revision 3: the tebentafusp kind follows a cap on the option (given before).
    let tebentafusp = if cx.v3() && tebentafusp == Usual && level == Possible { Possible } else { tebentafusp };
    o.kind("tebentafusp", tebentafusp);
    o.finish()
}

/// Revision 3, triple-negative breast cancer: the NICE recommendations are for
/// untreated advanced disease, by PD-L1 CPS (pembrolizumab, TA801) or immune-cell
/// score (atezolizumab, TA639). Treated before: not usually started later.
fn breast_tnbc_immunotherapy(cx: &Cx, o: &mut Opt<impl Explain>) {
    let line = ["/treatment_history/lines_of_systemic_therapy"];
    if facts::previously_treated(cx.case) == Some(true) {
        o.base(Unlikely, "immuno.breast_tnbc_later");
        return;
    }
    let b = &cx.case.biomarkers;
    let meets = |v: Option<f64>, id: &str| match (v, cx.th(id)) {
        (Some(x), Some(t)) => Some(x >= t),
        _ => None,
    };
    let cps = meets(b.pd_l1_cps, "immuno.breast_tnbc_cps_min");
    let ic = meets(b.pd_l1_ic, "immuno.breast_tnbc_ic_min");
    let high = cps == Some(true) || ic == Some(true);
    if high {
        match facts::previously_treated(cx.case) {
            Some(_) => o.base(Usual, "immuno.breast_tnbc_first_line"),
            None => o.base_depends("immuno.breast_tnbc_first_line", "Treated before for the spread cancer", &line),
        }
    } else if cps == Some(false) && ic == Some(false) {
        o.base(Unlikely, "immuno.breast_tnbc_pdl1_low");
    } else if cps == Some(false) {
        o.base_depends("immuno.breast_tnbc_pdl1_depends", "PD-L1 immune-cell score (IC) known", &["/biomarkers/PD_L1_IC"]);
    } else if ic == Some(false) {
        o.base_depends("immuno.breast_tnbc_pdl1_depends", "PD-L1 combined positive score (CPS) known", &["/biomarkers/PD_L1_CPS"]);
    } else {
        // No numeric score: the PD-L1 category as before.
        match cx.bio(B::PdL1) {
            Some(V::High | V::Positive) => {
                o.criterion("Triple-negative with PD-L1", &["/biomarkers/PD_L1"], Out::Met("immuno.breast_tnbc"));
                o.base = Possible;
            }
            Some(_) => {
                o.criterion("Triple-negative with PD-L1", &["/biomarkers/PD_L1"], Out::NotMet("immuno.breast_tnbc_pdl1_negative", Unlikely))
            }
            None => o.base_depends("immuno.breast_depends", "PD-L1 level known", &["/biomarkers/PD_L1_CPS"]),
        }
    }
}

/// Revision 2, womb: MMR status and line of treatment decide. dMMR: dostarlimab with
/// first chemotherapy (TA963), or after platinum (TA779). pMMR: pembrolizumab with
/// lenvatinib after platinum (TA904).
fn womb_immunotherapy(cx: &Cx, o: &mut Opt<impl Explain>) {
    let line = ["/treatment_history/lines_of_systemic_therapy"];
    let treated = facts::previously_treated(cx.case);
    match cx.bio(B::Msi) {
        Some(V::High) => {
            o.criterion("MSI-high or dMMR", &["/biomarkers/MSI"], Out::Note);
            match treated {
                Some(false) => o.base(Usual, "immuno.womb_dmmr_first_line"),
                Some(true) => o.base(Possible, "immuno.womb_dmmr_later"),
                None => o.base_depends("immuno.womb_depends", "Treated before for the spread cancer", &line),
            }
        }
        Some(_) => match treated {
            // Revision 6: pembrolizumab with lenvatinib is the standard second
            // line for mismatch-repair-proficient disease (TA904).
            Some(true) if cx.kb.engine_logic() >= 6 => o.base(Usual, "immuno.womb_pmmr_later"),
            Some(true) => o.base(Possible, "immuno.womb_pmmr_later"),
            Some(false) => o.base(Unlikely, "immuno.womb_pmmr_first_line"),
            None => o.base_depends("immuno.womb_depends", "Treated before for the spread cancer", &line),
        },
        None => o.base_depends("immuno.womb_depends", "MSI-high or dMMR", &["/biomarkers/MSI"]),
    }
}

// ---------------------------------------------------------------- ablation

fn ablation<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "ablation");
    eval::apply(&mut o);
    let near = cx.case.liver.near_major_vessels;
    let level = o.level();
    o.kind("microwave_ablation", level);
    o.kind("radiofrequency_ablation", level);
    o.kind("cryotherapy", level.min(Possible));
    o.kind("laser_ablation", level.min(Possible));
    let ire = match (level, near) {
        (Unlikely, _) | (_, Some(false)) => Unlikely,
        (_, Some(true)) => level.min(Possible),
        (_, None) => Depends,
    };
    o.kind("irreversible_electroporation", ire);
    o.finish()
}

// ---------------------------------------------------------------- embolisation

fn embolisation<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "embolisation");
    eval::apply(&mut o);
    let (mut tace, mut sirt, mut bland, mut debiri) = (Unlikely, Unlikely, Unlikely, Unlikely);
    let level = o.level();
    match cx.site() {
        P::Bowel => {
            sirt = level;
            debiri = level.min(Possible);
            tace = level.min(Possible);
        }
        P::Neuroendocrine => {
            tace = level;
            bland = level;
        }
        _ => {}
    }
    // Engine logic 2: uveal melanoma in the liver has liver-directed treatments of its
    // own (melphalan hepatic perfusion under NICE special arrangements; TACE and SIRT
    // in specialist centres), not the NHS England bowel-cancer SIRT commissioning.
    let v2 = cx.kb.engine_logic() >= 2;
    let mut perfusion = Unlikely;
    if v2 && cx.site() == P::UvealMelanoma {
        perfusion = level;
        tace = level.min(Possible);
        sirt = level.min(Possible);
    }
    if cx.ps().is_some_and(|p| f64::from(p) > cx.kb.t(Th::ChemoMaxPsAny)) {
        systemic_fitness(cx, &mut o);
        (tace, sirt, bland, debiri, perfusion) = (Unlikely, Unlikely, Unlikely, Unlikely, Unlikely);
    }
    o.kind("tace", tace);
    o.kind("sirt", sirt);
    o.kind("bland_embolisation", bland);
    o.kind("debiri", debiri);
    if v2 && cx.site() == P::UvealMelanoma {
        o.kind("hepatic_perfusion", perfusion);
    }
    o.finish()
}

// ---------------------------------------------------------------- radiotherapy

fn radiotherapy<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "radiotherapy");
    eval::apply(&mut o);
    let sabr = o.level();
    o.kind("sabr", sabr);
    // Radionuclide treatments given by drip.
    let dotatate = if cx.site() == P::Neuroendocrine && cx.v4() && facts::neuroendocrine_carcinoma(cx.kb, cx.case) {
        // Revision 4: PRRT evidence is in well-differentiated grade 1-2 tumours
        // (NETTER-1, TA539), so not for a neuroendocrine carcinoma, whatever the scan.
        o.reason("radio.lutetium_dotatate_nec");
        Unlikely
    } else if cx.site() == P::Neuroendocrine {
        // Revision 7: small-intestine (midgut) NET, grade 1-2, growing after a
        // somatostatin analogue: lutetium-177 dotatate is the usual next step
        // (NETTER-1, TA539). Pancreatic and other origins stay `possible`, and
        // so does performance status 3-4 (NETTER-1 took Karnofsky 60 or more;
        // hazard HAZ-020: nothing but hormone therapy and supportive care is
        // `usual` then).
        let h = &cx.case.treatment_history;
        let midgut_after_ssa = cx.kb.engine_logic() >= 7
            && cx.ps().is_none_or(|ps| f64::from(ps) <= cx.kb.t(Th::ChemoMaxPsAny))
            && cx.case.net_origin == Some(crate::case::NetOrigin::SmallBowel)
            && matches!(cx.case.tumour_grade, Some(crate::case::TumourGrade::G1 | crate::case::TumourGrade::G2))
            && h.had(PreviousTreatment::SomatostatinAnalogue) == Some(true)
            && facts::previously_treated(cx.case) == Some(true);
        match cx.bio(B::Sstr) {
            Some(V::Positive) if midgut_after_ssa => {
                o.reason("radio.lutetium_dotatate_midgut");
                Usual
            }
            // Revision 7: the reason fits the tumour: a lung NET is outside
            // TA539 (GEP-NET); a well-differentiated G3 NET has NETTER-2, which
            // NICE has not appraised (TA539 covers G1-G2).
            Some(V::Positive) if cx.kb.engine_logic() >= 7 && cx.case.net_origin == Some(crate::case::NetOrigin::Lung) => {
                o.reason("radio.lutetium_dotatate_lung");
                Possible
            }
            Some(V::Positive) if cx.kb.engine_logic() >= 7 && cx.case.tumour_grade == Some(crate::case::TumourGrade::G3) => {
                o.reason("radio.lutetium_dotatate_g3");
                Possible
            }
            Some(V::Positive) => {
                o.reason("radio.lutetium_dotatate");
                Possible
            }
            Some(_) => {
                o.reason("radio.lutetium_dotatate_negative");
                Unlikely
            }
            None => Depends,
        }
    } else {
        Unlikely
    };
    // Engine logic 5: lutetium PSMA is for castration-resistant disease (VISION),
    // and a taxane in the treatment history is chemotherapy given, whatever
    // `chemotherapy_history` says.
    let h = &cx.case.treatment_history;
    let v5 = cx.kb.engine_logic() >= 5;
    let hormone_sensitive = v5 && h.castration_resistant == Some(false);
    let chemo = match cx.case.chemotherapy_history {
        None | Some(ChemoHistory::None) if v5 && h.had(PreviousTreatment::Taxane) == Some(true) => Some(ChemoHistory::Stable),
        c => c,
    };
    // Revision 7: lutetium-177 PSMA is not recommended by NICE (TA930), so a
    // missing PSMA scan no longer leaves radiotherapy `depends`; VISION took
    // performance status 0-2; small-cell prostate cancer is not its disease.
    let v7 = cx.kb.engine_logic() >= 7;
    let psma = if cx.site() == P::Prostate && hormone_sensitive {
        o.reason("radio.lutetium_psma_hormone_sensitive");
        Unlikely
    } else if cx.site() == P::Prostate && v7 && prostate_small_cell(cx) {
        o.reason("radio.lutetium_psma_small_cell");
        Unlikely
    } else if cx.site() == P::Prostate && v7 && cx.ps().is_some_and(|ps| f64::from(ps) > cx.kb.t(Th::ChemoMaxPsAny)) {
        o.reason("radio.lutetium_psma_poor_ps");
        Unlikely
    } else if cx.site() == P::Prostate && v7 && cx.bio(B::Psma).is_none() {
        o.reason("radio.lutetium_psma_not_nice");
        o.criterion("PSMA PET scan", &["/biomarkers/PSMA"], Out::Unknown { blocking: false });
        Unlikely
    } else if cx.site() == P::Prostate {
        match (cx.bio(B::Psma), chemo) {
            (Some(V::Positive), Some(ChemoHistory::None)) => {
                o.reason("radio.lutetium_psma_after_chemo");
                Unlikely
            }
            (Some(V::Positive), None) => Depends,
            (Some(V::Positive), Some(_)) => {
                // Its reason states `chemotherapy_history`; chemotherapy known
                // only from a taxane in `previous` leaves the kind unexplained
                // rather than stating what was not given.
                if cx.case.chemotherapy_history.is_some() {
                    o.reason("radio.lutetium_psma");
                }
                Possible
            }
            (Some(_), _) => {
                o.reason("radio.lutetium_psma_negative");
                Unlikely
            }
            (None, _) => Depends,
        }
    } else {
        Unlikely
    };
    o.kind("lutetium_dotatate", dotatate);
    o.kind("lutetium_psma", psma);
    let best = sabr.max(dotatate).max(psma);
    if dotatate == Depends || psma == Depends {
        let p: &[&str] = if dotatate == Depends {
            &["/biomarkers/SSTR"]
        } else if cx.bio(B::Psma).is_none() {
            &["/biomarkers/PSMA"]
        } else {
            &["/chemotherapy_history"]
        };
        o.criterion("Receptor scan and earlier treatment known", p, Out::Unknown { blocking: best == Depends });
    }
    o.finish_at(Some(best))
}

/// Prostate cancer given as small-cell or neuroendocrine carcinoma.
fn prostate_small_cell(cx: &Cx) -> bool {
    use crate::case::Histology as H;
    cx.site() == P::Prostate && matches!(cx.case.histology, Some(H::SmallCell | H::NeuroendocrineCarcinoma))
}

// ---------------------------------------------------------------- supportive care

fn supportive<E: Explain>(cx: &Cx) -> E::Option {
    let mut o = Opt::<E>::new(cx, "supportive_care");
    eval::apply(&mut o);
    o.kind("symptom_control", Usual);
    o.kind("specialist_palliative_care", Usual);
    o.kind("emotional_support", Usual);
    // Engine logic 2: with jaundice or a blocked bile duct, draining the bile
    // (usually a stent) comes first, before most other treatment.
    let f = &cx.case.liver_function;
    let stent = if cx.v4() && f.jaundice == Some(true) && f.biliary_obstruction.is_none() {
        // Revision 4: a stent helps only if a bile duct is blocked; a scan decides.
        o.criterion("Bile duct blocked", &["/liver_function/biliary_obstruction"], Out::Unknown { blocking: false });
        Depends
    } else if cx.kb.engine_logic() >= 2 && facts::bile_blocked_for(cx.kb, cx.case) == Some(true) {
        o.reason("supportive.bile_drainage");
        Usual
    } else {
        Possible
    };
    o.kind("biliary_stent", stent);
    // Supportive care is for everyone, at every stage: never capped.
    o.finish_at(Some(Usual))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(json: &str) -> Vec<String> {
        let case = crate::case_from_json(json.as_bytes()).expect("a valid case");
        input_warnings(&case).into_iter().map(|w| format!("{}: {}", w.pointer, w.detail)).collect()
    }

    #[test]
    fn a_summary_template_names_the_treatment_in_both_cases_and_keeps_other_braces() {
        assert_eq!(
            fill_treatment("{Treatment} may suit you. Ask about {treatment}.", "SABR Radiotherapy"),
            "SABR Radiotherapy may suit you. Ask about sabr radiotherapy."
        );
        assert_eq!(fill_treatment("{other} {", "X"), "{other} {");
        assert_eq!(fill_treatment("none", "X"), "none");
    }

    /// Contract 8.1: a field that does not apply to the primary site is
    /// accepted, with a warning naming it; where it applies, no warning.
    #[test]
    fn fields_for_another_primary_site_are_accepted_with_a_warning() {
        let w = warnings(r#"{"primary_site":"breast","treatment_history":{"castration_resistant":true}}"#);
        assert_eq!(
            w,
            vec![
                "/treatment_history/castration_resistant: castration_resistant applies to primary_site prostate; it was not used for breast"
            ]
        );
        assert!(warnings(r#"{"primary_site":"prostate","treatment_history":{"castration_resistant":true}}"#).is_empty());
        let w = warnings(r#"{"primary_site":"lung","histology":"lobular","carcinoid_syndrome":true,"net_origin":"lung"}"#);
        assert_eq!(w.len(), 3, "{w:#?}");
        assert!(w.iter().any(|m| m.starts_with("/histology: histology lobular applies to primary_site breast")), "{w:#?}");
        assert!(warnings(r#"{"primary_site":"unknown","histology":"lobular"}"#).is_empty(), "an unknown primary may be anything");
        assert!(
            warnings(r#"{"primary_site":"womb","treatment_history":{"endocrine_resistant":false},"histology":"endometrioid"}"#).is_empty()
        );
        let w = warnings(r#"{"primary_site":"ovary","treatment_history":{"previous":["taxane"],"platinum_sensitive":true}}"#);
        assert_eq!(w.len(), 1, "{w:#?}");
        assert!(w[0].starts_with("/treatment_history/platinum_sensitive: platinum_sensitive applies when platinum was given"));
        assert!(warnings(r#"{"primary_site":"ovary","treatment_history":{"platinum_sensitive":true}}"#).is_empty(), "history not known");
    }

    #[test]
    fn logic_2_statement_ids_are_what_the_first_release_lacks() {
        // The frozen 2026.11.0 release (engine logic 1) holds every statement
        // the engine cites except the revision-2 ones, and none of those.
        let old = hepatica_knowledge::Knowledge::release("2026.11.0").expect("frozen release");
        for id in STATEMENT_IDS {
            assert!(old.statement(id).is_some(), "{id}: 2026.11.0 lacks it, so it belongs in LOGIC_2_STATEMENT_IDS");
        }
        for id in LOGIC_2_STATEMENT_IDS {
            assert!(old.statement(id).is_none(), "{id}: 2026.11.0 has it, so it belongs in STATEMENT_IDS");
            assert!(!STATEMENT_IDS.contains(id), "{id} is listed twice");
        }
        assert!(crate::check_references(old).is_empty(), "{:?}", crate::check_references(old));
    }

    #[test]
    fn every_1_1_pointer_is_known_to_pointer_given() {
        let json = r#"{"primary_site":"bowel","treatment_history":{"lines_of_systemic_therapy":0,"previous":[],"platinum_sensitive":true,
            "castration_resistant":false,"endocrine_resistant":false},
          "liver_function":{"bilirubin_umol_l":14,"albumin_g_l":38,"ascites":"none","jaundice":false,"biliary_obstruction":false,
            "child_pugh":"A","bilirubin_uln_umol_l":20},
          "liver":{"percent_liver_replaced":20},"histology":"adenocarcinoma","net_origin":"other","tumour_grade":"G2","ki67_percent":8,
          "biomarkers":{"BRCA":"present","PD_L1_CPS":12,"PD_L1_TPS":60,"PD_L1_IC":1,"HER2_IHC":"0","BRCA_origin":"germline","HRD":"negative"},
          "primary_resected":true,"carcinoid_syndrome":false,"age_years":61,"months_disease_controlled":6}"#;
        let given = crate::case_from_json(json.as_bytes()).expect("valid");
        let blank = Case::new(P::Bowel);
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let mut pointers = Vec::new();
        fn walk(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| walk(v, format!("{at}/{k}"), out)),
                _ => out.push(at),
            }
        }
        walk(&value, String::new(), &mut pointers);
        for p in pointers.iter().filter(|p| *p != "/primary_site") {
            assert!(pointer_given(&given, p), "{p} is given");
            assert!(!pointer_given(&blank, p), "{p} is not given in a blank case");
        }
    }
}
