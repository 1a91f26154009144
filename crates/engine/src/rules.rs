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

use hepatica_knowledge::{EVIDENCE_LEVELS, EVIDENCE_SYSTEM, Knowledge, TREATMENT_IDS};

use crate::case::{Biomarker as B, BiomarkerValue as V, ChemoHistory, PrimarySite as P, Spread};
use crate::*;

/// Every statement id the rules cite (checked against the knowledge base by
/// [`crate::check_references`] and by tests that run the rules).
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

/// Every threshold id the rules use.
pub const THRESHOLD_IDS: &[&str] = &[
    "flr.normal_min_percent",
    "flr.chemotherapy_injured_min_percent",
    "flr.cirrhosis_min_percent",
    "ablation.ideal_max_cm",
    "ablation.max_cm",
    "ablation.max_count",
    "sabr.max_liver_count",
    "sabr.max_liver_cm",
    "sabr.max_ps",
    "sabr.max_sites",
    "sabr.min_interval_months",
    "chemo.max_ps_full",
    "surgery.max_ps",
    "surgery.selected_min_interval_months",
    "ablation.max_ps",
    "chemo.max_ps_any",
    "surgery.max_ps_implied_fit",
    "fong.dfi_months",
    "fong.count",
    "fong.size_cm",
    "fong.cea",
    "game.cea",
    "tbs.medium",
    "tbs.high",
];

/// Inputs in the order `missing_information` lists them.
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
];

/// The statement id that explains why an input matters: `/liver/tumour_count`
/// becomes `input.liver.tumour_count`.
pub fn input_statement_id(pointer: &str) -> String {
    format!("input{}", pointer.replace('/', "."))
}

pub(crate) fn assess(kb: &Knowledge, case: &Case, audience: Audience) -> Assessment {
    assess_with(Cx { kb, case, audience, lite: false })
}

/// Suitabilities and scores only: the same rule functions with all text, the
/// trace, sources and support switched off (see [`crate::assess_summary`]).
pub(crate) fn assess_summary(kb: &Knowledge, case: &Case) -> Assessment {
    assess_with(Cx { kb, case, audience: Audience::Patient, lite: true })
}

fn assess_with(cx: Cx) -> Assessment {
    let (kb, case, audience) = (cx.kb, cx.case, cx.audience);
    let options = vec![
        chemotherapy(&cx),
        surgery(&cx),
        hormonal(&cx),
        targeted(&cx),
        immunotherapy(&cx),
        ablation(&cx),
        embolisation(&cx),
        radiotherapy(&cx),
        supportive(&cx),
    ];
    debug_assert!(options.iter().map(|o| o.treatment.as_str()).eq(TREATMENT_IDS));

    let scores = Scores {
        fong_clinical_risk_score: scores::fong(case),
        tumour_burden_score: scores::tumour_burden(case),
        game_score: scores::game(case),
        future_liver_remnant: scores::remnant(case),
    };
    if cx.lite {
        return Assessment {
            contract: CONTRACT,
            case_id: case.id.clone(),
            knowledge_base: KbStamp { version: String::new(), published: String::new() },
            audience,
            options,
            scores,
            score_explanations: Vec::new(),
            missing_information: Vec::new(),
            sources: Vec::new(),
            support: Vec::new(),
            disclaimer: String::new(),
            input_warnings: Vec::new(),
        };
    }

    // Missing information: every unknown criterion input, plus the inputs of
    // every score that applies but could not be computed.
    let mut missing: BTreeSet<&str> = BTreeSet::new();
    for o in &options {
        for c in o.criteria.iter().filter(|c| c.status == CriterionStatus::Unknown) {
            for i in &c.inputs {
                if let Some(p) = INPUT_ORDER.iter().find(|p| **p == i.as_str()) {
                    missing.insert(p);
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
        if !given(p) {
            missing.insert(p);
        }
    }
    let missing_information = INPUT_ORDER
        .iter()
        .filter(|p| missing.contains(**p))
        .map(|p| Missing { pointer: p.to_string(), why: cx.text(&input_statement_id(p)).unwrap_or_default() })
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

    let mut cited: BTreeSet<&str> = BTreeSet::new();
    for o in &options {
        for r in &o.reasons {
            cited.extend(r.sources.iter().map(String::as_str));
        }
    }
    for e in &score_explanations {
        cited.extend(e.sources.iter().map(String::as_str));
    }
    let sources = cited
        .into_iter()
        .filter_map(|id| kb.source(id))
        .map(|s| SourceRef { id: s.id.clone(), title: s.title.clone(), publisher: s.publisher.clone(), year: s.year, url: s.url.clone() })
        .collect();
    let support = kb.support.iter().map(|s| SupportRef { name: s.name.clone(), how: s.how.clone(), url: s.url.clone() }).collect();

    Assessment {
        contract: CONTRACT,
        case_id: case.id.clone(),
        knowledge_base: KbStamp { version: kb.meta.version.clone(), published: kb.meta.published.to_string() },
        audience,
        options,
        scores,
        score_explanations,
        missing_information,
        sources,
        support,
        disclaimer: kb.meta.disclaimer.clone(),
        input_warnings: input_warnings(case),
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
    out
}

/// Whether the input behind a pointer was given.
fn pointer_given(case: &Case, pointer: &str) -> bool {
    let l = &case.liver;
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
        p => match p.strip_prefix("/biomarkers/").and_then(B::parse) {
            Some(b) => case.biomarker(b).is_some(),
            None => false,
        },
    }
}

/// The case and knowledge base, with small look-up helpers.
struct Cx<'a> {
    kb: &'a Knowledge,
    case: &'a Case,
    audience: Audience,
    /// Decide only: no wording, trace, kinds or sources (batch summaries).
    lite: bool,
}

impl Cx<'_> {
    fn site(&self) -> P {
        self.case.primary_site
    }

    fn bio(&self, b: B) -> Option<V> {
        self.case.biomarker(b)
    }

    /// A threshold's value. Thresholds are checked present by `check_references`
    /// and by tests; a missing one falls back to NaN, which makes every
    /// comparison false (so nothing is claimed on a missing number).
    fn t(&self, id: &str) -> f64 {
        self.kb.threshold(id).map_or(f64::NAN, |t| t.value)
    }

    fn text(&self, id: &str) -> Option<String> {
        self.kb.statement(id).map(|s| match self.audience {
            Audience::Patient => s.patient.trim().to_string(),
            Audience::Clinician => s.clinician.trim().to_string(),
        })
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

    /// Liver-only disease: `Some(true)` liver only, `Some(false)` spread elsewhere, `None` unknown.
    fn liver_only(&self) -> Option<bool> {
        self.case.spread_elsewhere.as_ref().map(Vec::is_empty)
    }

    fn ps(&self) -> Option<u8> {
        self.case.performance_status
    }

    fn ras(&self) -> Option<bool> {
        // Some(true) = RAS wild type (KRAS and NRAS), Some(false) = RAS mutant.
        let k = self.bio(B::Kras);
        let n = self.bio(B::Nras);
        if matches!(k, Some(V::Mutant | V::G12c)) || n == Some(V::Mutant) {
            return Some(false);
        }
        if k == Some(V::WildType) && n == Some(V::WildType) { Some(true) } else { None }
    }

    fn hr_positive(&self) -> Option<bool> {
        // Hormone receptor positive if ER or PR is positive; negative only if both are known negative.
        let er = self.bio(B::Er);
        let pr = self.bio(B::Pr);
        if er == Some(V::Positive) || pr == Some(V::Positive) {
            Some(true)
        } else if er == Some(V::Negative) && pr == Some(V::Negative) {
            Some(false)
        } else {
            None
        }
    }
}

/// One criterion's outcome, as given to [`Opt::criterion`].
enum Out {
    /// Met: add the statement as a reason.
    Met(&'static str),
    /// Met, but its usual reason does not apply (another reason explains why).
    Note,
    /// Not met: add the statement and cap the level.
    NotMet(&'static str, Suitability),
    /// Unknown: blocking ones make the answer `depends`.
    Unknown { blocking: bool },
}

/// Builder for one option.
struct Opt<'a> {
    cx: &'a Cx<'a>,
    treatment: &'static str,
    base: Suitability,
    cap: Suitability,
    blocked: bool,
    reasons: Vec<Reason>,
    criteria: Vec<Criterion>,
    depends_on: Vec<String>,
    kinds: Vec<KindAssessment>,
    /// Ceiling for every kind (set when fitness rules the whole area out).
    kind_cap: Suitability,
}

impl<'a> Opt<'a> {
    fn new(cx: &'a Cx<'a>, treatment: &'static str) -> Opt<'a> {
        Opt {
            cx,
            treatment,
            base: Suitability::Possible,
            cap: Suitability::Usual,
            blocked: false,
            reasons: Vec::new(),
            criteria: Vec::new(),
            depends_on: Vec::new(),
            kinds: Vec::new(),
            kind_cap: Suitability::Usual,
        }
    }

    /// Sets the base level for the primary site, with the statement that explains it.
    fn base(&mut self, level: Suitability, statement: &str) {
        self.base = level;
        self.reason(statement);
    }

    /// Sets the base to `depends` on the given inputs.
    fn base_depends(&mut self, statement: &str, label: &str, inputs: &[&str]) {
        self.base = Suitability::Depends;
        self.reason(statement);
        self.criterion(label, inputs, Out::Unknown { blocking: true });
    }

    fn reason(&mut self, statement: &str) {
        if self.cx.lite {
            return;
        }
        if let Some(r) = self.cx.reason(statement)
            && !self.reasons.iter().any(|x| x.statement == r.statement)
        {
            self.reasons.push(r);
        }
    }

    fn cap(&mut self, level: Suitability) {
        self.cap = self.cap.min(level);
    }

    fn criterion(&mut self, label: &str, inputs: &[&str], out: Out) {
        if self.cx.lite {
            // Same effects on the level as below, without building the trace.
            match out {
                Out::NotMet(_, cap) => self.cap(cap),
                Out::Unknown { blocking: true } => self.blocked = true,
                _ => {}
            }
            return;
        }
        let missing: Vec<String> = inputs.iter().filter(|p| !pointer_given(self.cx.case, p)).map(|p| p.to_string()).collect();
        let status = match out {
            Out::Met(s) => {
                self.reason(s);
                CriterionStatus::Met
            }
            Out::Note => CriterionStatus::Met,
            Out::NotMet(s, cap) => {
                self.reason(s);
                self.cap(cap);
                CriterionStatus::NotMet
            }
            Out::Unknown { blocking } => {
                if blocking {
                    self.blocked = true;
                    for p in &missing {
                        if let Some(t) = self.cx.text(&input_statement_id(p))
                            && !self.depends_on.contains(&t)
                        {
                            self.depends_on.push(t);
                        }
                    }
                }
                CriterionStatus::Unknown
            }
        };
        let inputs = if status == CriterionStatus::Unknown && !missing.is_empty() {
            missing
        } else {
            inputs.iter().map(|s| s.to_string()).collect()
        };
        self.criteria.push(Criterion { id: format!("{}.{}", self.treatment, slug(label)), label: label.to_string(), status, inputs });
    }

    fn level(&self) -> Suitability {
        if self.base == Suitability::Unlikely || self.cap == Suitability::Unlikely {
            Suitability::Unlikely
        } else if self.base == Suitability::Depends || self.blocked {
            Suitability::Depends
        } else {
            self.base.min(self.cap)
        }
    }

    fn kind(&mut self, id: &str, suitability: Suitability) {
        if self.cx.lite {
            return;
        }
        let title = self
            .cx
            .kb
            .treatment(self.treatment)
            .and_then(|t| t.kinds.iter().find(|k| k.id == id))
            .map_or_else(|| id.replace('_', " "), |k| k.title.clone());
        self.kinds.push(KindAssessment { id: id.to_string(), title, suitability: suitability.min(self.kind_cap) });
    }

    fn finish(self) -> OptionAssessment {
        self.finish_at(None)
    }

    /// Finishes with an explicit level (used where kinds decide the option).
    fn finish_at(self, level: Option<Suitability>) -> OptionAssessment {
        let suitability = level.unwrap_or_else(|| self.level());
        if self.cx.lite {
            return OptionAssessment {
                treatment: self.treatment.to_string(),
                title: String::new(),
                suitability,
                summary: String::new(),
                reasons: Vec::new(),
                depends_on: Vec::new(),
                questions_to_ask: Vec::new(),
                kinds: Vec::new(),
                criteria: Vec::new(),
            };
        }
        let page = self.cx.kb.treatment(self.treatment);
        let title = page.map_or_else(|| self.treatment.to_string(), |t| t.title.clone());
        let summary_id = format!("summary.{}", suitability.as_str());
        let summary =
            self.cx.text(&summary_id).unwrap_or_default().replace("{treatment}", &title.to_lowercase()).replace("{Treatment}", &title);
        let mut depends_on = self.depends_on;
        if suitability != Suitability::Depends {
            // `depends_on` is what would decide a `depends`; for a settled answer
            // the unknowns still appear in the criteria and missing_information.
            depends_on.clear();
        }
        OptionAssessment {
            treatment: self.treatment.to_string(),
            title,
            suitability,
            summary,
            reasons: self.reasons,
            depends_on,
            questions_to_ask: page.map(|t| t.questions.clone()).unwrap_or_default(),
            kinds: self.kinds,
            criteria: self.criteria,
        }
    }
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
fn systemic_fitness(cx: &Cx, o: &mut Opt) {
    if let Some(ps) = cx.ps()
        && f64::from(ps) > cx.t("chemo.max_ps_any")
    {
        o.criterion("Performance status 0-2", &["/performance_status"], Out::NotMet("systemic.ps_poor", Unlikely));
        o.kind_cap = Unlikely;
    }
}

/// A lung cancer driver that targeted tablets attack.
fn lung_driver(cx: &Cx) -> bool {
    // First-line targeted treatment verified in the knowledge base: EGFR TA654, ALK TA536,
    // ROS1 TA643, RET TA911, MET exon 14 TA789, NTRK TA630. KRAS G12C is later-line.
    [B::Egfr, B::Alk, B::Ros1, B::MetEx14, B::Ret, B::Ntrk].iter().any(|b| cx.bio(*b) == Some(V::Present))
}

// ---------------------------------------------------------------- chemotherapy

fn chemotherapy(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "chemotherapy");
    match cx.site() {
        P::Bowel if cx.bio(B::Msi) == Some(V::High) => o.base(Possible, "chemo.bowel_msi_high"),
        P::Bowel => o.base(Usual, "chemo.bowel"),
        P::Breast => match (cx.hr_positive(), cx.bio(B::Her2)) {
            (_, Some(V::Positive)) | (Some(false), _) => o.base(Usual, "chemo.breast_hr_negative_or_her2"),
            (Some(true), _) => o.base(Possible, "chemo.breast_hr_positive"),
            (None, _) => o.base_depends("chemo.breast_depends", "Hormone receptor status known", &["/biomarkers/ER", "/biomarkers/PR"]),
        },
        P::Lung if lung_driver(cx) => o.base(Possible, "chemo.lung_driver"),
        P::Lung => o.base(Usual, "chemo.lung"),
        P::Pancreas => o.base(Usual, "chemo.pancreas"),
        P::Stomach | P::Oesophagus => o.base(Usual, "chemo.gastro_oesophageal"),
        P::Ovary | P::Womb => o.base(Usual, "chemo.gynae"),
        P::Unknown => o.base(Usual, "chemo.unknown_primary"),
        P::Prostate => o.base(Possible, "chemo.prostate"),
        P::Neuroendocrine => o.base(Possible, "chemo.net"),
        P::Melanoma => o.base(Possible, "chemo.melanoma"),
        P::UvealMelanoma => o.base(Possible, "chemo.uveal"),
        P::Kidney => o.base(Unlikely, "chemo.kidney"),
        P::Gist => o.base(Unlikely, "chemo.gist"),
        P::Other => o.base_depends("other.depends_on_type", "Type of cancer known", &["/primary_site"]),
    }
    // Fitness: chemotherapy is rarely helpful when someone is in bed or a chair most of the day.
    match cx.ps() {
        Some(ps) if f64::from(ps) <= cx.t("chemo.max_ps_full") => {
            o.criterion("Performance status 0-1", &["/performance_status"], Out::Met("chemo.ps_good"))
        }
        Some(ps) if f64::from(ps) <= cx.t("chemo.max_ps_any") => {
            o.criterion("Performance status 0-1", &["/performance_status"], Out::NotMet("chemo.ps_2", Possible))
        }
        Some(_) => o.criterion("Performance status 0-2", &["/performance_status"], Out::NotMet("chemo.ps_poor", Unlikely)),
        None => o.criterion("Performance status known", &["/performance_status"], Out::Unknown { blocking: false }),
    }
    match cx.case.chemotherapy_history {
        Some(ChemoHistory::Refractory) => {
            o.criterion("Not growing despite chemotherapy", &["/chemotherapy_history"], Out::NotMet("chemo.refractory", Possible))
        }
        Some(ChemoHistory::Intolerant) => {
            o.criterion("Able to tolerate chemotherapy", &["/chemotherapy_history"], Out::NotMet("chemo.intolerant", Possible))
        }
        _ => {}
    }
    let level = o.level();
    // Kinds.
    o.kind("palliative_chemotherapy", level);
    let bowel_like = matches!(cx.site(), P::Bowel);
    let removable = cx.case.liver.all_removable;
    // Chemotherapy aimed at an operation only makes sense if an operation could follow.
    let unfit = cx.case.fit_for_major_surgery == Some(false) || cx.ps().is_some_and(|p| f64::from(p) > cx.t("surgery.max_ps"));
    let fit_known =
        cx.case.fit_for_major_surgery == Some(true) || cx.ps().is_some_and(|p| f64::from(p) <= cx.t("surgery.max_ps_implied_fit"));
    let conversion = if !bowel_like || level == Unlikely || unfit {
        Unlikely
    } else {
        match (removable, cx.liver_only()) {
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
        match (removable, cx.liver_only()) {
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

// ---------------------------------------------------------------- surgery

fn surgery(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "surgery");
    let site = cx.site();
    let curative_sites = matches!(site, P::Bowel | P::Neuroendocrine);
    match site {
        P::Bowel => o.base(Usual, "surgery.bowel"),
        P::Neuroendocrine => o.base(Possible, "surgery.net"),
        P::Breast | P::Kidney | P::Gist | P::Ovary | P::Womb | P::UvealMelanoma => o.base(Possible, "surgery.selected_sites"),
        P::Other => o.base_depends("other.depends_on_type", "Type of cancer known", &["/primary_site"]),
        P::Melanoma | P::Stomach | P::Oesophagus | P::Pancreas | P::Lung | P::Prostate | P::Unknown => o.base(Unlikely, "surgery.rarely"),
    }
    if o.base == Unlikely {
        // The primary site already makes liver surgery unusual; its criteria would
        // only add noise to the trace and to missing_information.
        for k in ["liver_resection", "two_stage_hepatectomy", "portal_vein_embolisation", "alpps", "liver_transplant"] {
            o.kind(k, Unlikely);
        }
        return o.finish();
    }
    // 1. All the liver disease can be removed.
    match cx.case.liver.all_removable {
        Some(true) => o.criterion("All liver tumours can be removed", &["/liver/all_removable"], Out::Met("surgery.removable")),
        Some(false) => {
            o.criterion("All liver tumours can be removed", &["/liver/all_removable"], Out::NotMet("surgery.not_removable", Unlikely));
            if curative_sites {
                o.reason("surgery.conversion_may_change");
            }
        }
        None => o.criterion("All liver tumours can be removed", &["/liver/all_removable"], Out::Unknown { blocking: true }),
    }
    // 2. Enough liver left afterwards (threshold by liver condition).
    let flr = cx.case.liver.future_liver_remnant_percent;
    let needed = cx.case.liver.liver_condition.map(|c| cx.t(flr_threshold_id(c)));
    let lowest = cx.t("flr.normal_min_percent");
    let highest = cx.t("flr.cirrhosis_min_percent");
    let remnant_inputs = ["/liver/future_liver_remnant_percent", "/liver/liver_condition"];
    let enough = match (flr, needed) {
        (Some(v), Some(n)) => Some(v >= n),
        (Some(v), None) if v >= highest => Some(true),
        (Some(v), None) if v < lowest => Some(false),
        _ => None,
    };
    match enough {
        Some(true) => o.criterion("Enough liver would be left", &remnant_inputs, Out::Met("surgery.remnant_enough")),
        // For bowel and NET primaries the remnant can often be grown first (PVE,
        // two-stage surgery, ALPPS), so a small remnant lowers surgery to possible.
        Some(false) if curative_sites => {
            o.criterion("Enough liver would be left", &remnant_inputs, Out::NotMet("surgery.remnant_too_small", Possible));
            o.reason("surgery.remnant_can_grow");
        }
        Some(false) => o.criterion("Enough liver would be left", &remnant_inputs, Out::NotMet("surgery.remnant_too_small", Unlikely)),
        None => o.criterion("Enough liver would be left", &remnant_inputs, Out::Unknown { blocking: true }),
    }
    // 3. Fit for a major operation.
    let fitness_inputs = ["/fit_for_major_surgery", "/performance_status"];
    match (cx.case.fit_for_major_surgery, cx.ps()) {
        (_, Some(ps)) if f64::from(ps) > cx.t("surgery.max_ps") => {
            o.criterion("Fit for major surgery", &fitness_inputs, Out::NotMet("surgery.not_fit", Unlikely))
        }
        (Some(false), _) => o.criterion("Fit for major surgery", &fitness_inputs, Out::NotMet("surgery.not_fit", Unlikely)),
        (Some(true), _) => o.criterion("Fit for major surgery", &fitness_inputs, Out::Met("surgery.fit")),
        (None, Some(ps)) if f64::from(ps) <= cx.t("surgery.max_ps_implied_fit") => {
            o.criterion("Fit for major surgery", &fitness_inputs, Out::Met("surgery.fit"))
        }
        (None, _) => o.criterion("Fit for major surgery", &["/fit_for_major_surgery"], Out::Unknown { blocking: true }),
    }
    // 4. Spread elsewhere.
    match cx.case.spread_elsewhere.as_deref() {
        None => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::Unknown { blocking: true }),
        Some([]) => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::Met("surgery.liver_only")),
        Some([Spread::Lung]) if site == P::Bowel => {
            o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::NotMet("surgery.bowel_lung_spread", Possible))
        }
        Some(_) => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::NotMet("surgery.spread", Unlikely)),
    }
    // A short interval before liver spread is a poorer sign for the less common sites (informative only).
    if matches!(site, P::Breast | P::Kidney | P::Gist | P::Ovary | P::Womb | P::UvealMelanoma)
        && cx.case.disease_free_interval_months.is_some_and(|d| d < cx.t("surgery.selected_min_interval_months"))
    {
        o.reason("surgery.selected_short_interval");
    }
    let level = o.level();
    // Kinds.
    o.kind("liver_resection", level);
    // The same condition as the "not fit" branches of the fitness criterion above.
    let fit_ok = !(cx.case.fit_for_major_surgery == Some(false) || cx.ps().is_some_and(|ps| f64::from(ps) > cx.t("surgery.max_ps")));
    let spread_ok =
        cx.liver_only() != Some(false) || (site == P::Bowel && cx.case.spread_elsewhere.as_deref() == Some(&[Spread::Lung][..]));
    let staged = if !curative_sites || !fit_ok || !spread_ok || cx.case.liver.all_removable == Some(false) {
        Unlikely
    } else {
        match (cx.case.liver.both_lobes, enough) {
            (Some(true), _) | (_, Some(false)) => Possible,
            (None, _) | (_, None) => Depends,
            _ => Unlikely,
        }
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
    let transplant = transplant(cx, &mut o, fit_ok);
    o.kind("liver_transplant", transplant);
    o.finish_at(Some(level))
}

fn flr_threshold_id(c: crate::case::LiverCondition) -> &'static str {
    match c {
        crate::case::LiverCondition::Normal => "flr.normal_min_percent",
        crate::case::LiverCondition::ChemotherapyInjured => "flr.chemotherapy_injured_min_percent",
        crate::case::LiverCondition::Cirrhosis => "flr.cirrhosis_min_percent",
    }
}

/// Liver transplant: TRANSMET-style criteria for bowel, Milan-NET for NET.
fn transplant(cx: &Cx, o: &mut Opt, fit_ok: bool) -> Suitability {
    let site = cx.site();
    if !matches!(site, P::Bowel | P::Neuroendocrine) || !fit_ok {
        return Unlikely;
    }
    // Only when the liver disease cannot be removed and the cancer is only in the liver.
    match (cx.case.liver.all_removable, cx.liver_only()) {
        (Some(true), _) | (_, Some(false)) => return Unlikely,
        (Some(false), Some(true)) => {}
        _ => return Depends,
    }
    if site == P::Bowel {
        let ps_ok = cx.ps().map(|p| p <= 1);
        let braf = cx.bio(B::BrafV600);
        let responding = cx.case.chemotherapy_history.map(|h| matches!(h, ChemoHistory::Responding | ChemoHistory::Stable));
        if ps_ok == Some(false) || braf == Some(V::Present) || responding == Some(false) {
            return Unlikely;
        }
        if ps_ok.is_none() || braf.is_none() || responding.is_none() {
            return Depends;
        }
        o.reason("surgery.transplant_bowel");
        Possible
    } else {
        o.reason("surgery.transplant_net");
        Possible
    }
}

// ---------------------------------------------------------------- hormonal therapy

fn hormonal(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "hormonal_therapy");
    let (mut breast, mut adt, mut ssa, mut gynae) = (Unlikely, Unlikely, Unlikely, Unlikely);
    match cx.site() {
        P::Breast => match cx.hr_positive() {
            Some(true) => {
                o.base(Usual, "hormonal.breast_positive");
                breast = Usual;
            }
            Some(false) => o.base(Unlikely, "hormonal.breast_negative"),
            None => {
                o.base_depends("hormonal.breast_depends", "Hormone receptor status known", &["/biomarkers/ER", "/biomarkers/PR"]);
                breast = Depends;
            }
        },
        P::Prostate => {
            o.base(Usual, "hormonal.prostate");
            adt = Usual;
        }
        P::Neuroendocrine => match cx.bio(B::Sstr) {
            Some(V::Positive) => {
                o.base(Usual, "hormonal.net_sstr_positive");
                ssa = Usual;
            }
            Some(_) => {
                o.base(Unlikely, "hormonal.net_sstr_negative");
            }
            None => {
                o.base_depends("hormonal.net_depends", "Somatostatin receptor status known", &["/biomarkers/SSTR"]);
                ssa = Depends;
            }
        },
        P::Womb | P::Ovary => match cx.hr_positive() {
            Some(true) => {
                o.base(Possible, "hormonal.gynae_positive");
                gynae = Possible;
            }
            Some(false) => o.base(Unlikely, "hormonal.gynae_negative"),
            None => {
                o.base_depends("hormonal.gynae_depends", "Hormone receptor status known", &["/biomarkers/ER", "/biomarkers/PR"]);
                gynae = Depends;
            }
        },
        P::Other => o.base_depends("other.depends_on_type", "Type of cancer known", &["/primary_site"]),
        _ => o.base(Unlikely, "hormonal.not_hormone_driven"),
    }
    o.kind("endocrine_breast", breast);
    o.kind("androgen_deprivation", adt);
    o.kind("somatostatin_analogues", ssa);
    o.kind("gynae_hormone_therapy", gynae);
    o.finish()
}

// ---------------------------------------------------------------- targeted therapy

fn targeted(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "targeted_therapy");
    let mut kinds: Vec<(&'static str, Suitability)> = Vec::new();
    let ntrk = cx.bio(B::Ntrk) == Some(V::Present);
    match cx.site() {
        P::Bowel => {
            let ras = cx.ras();
            let braf = cx.bio(B::BrafV600);
            let side = cx.case.bowel_side;
            let anti_egfr = match (ras, braf, side) {
                (Some(false), _, _) | (_, Some(V::Present), _) => Unlikely,
                (Some(true), _, Some(crate::case::BowelSide::Left)) => Usual,
                (Some(true), _, _) => Possible,
                (None, _, _) => Depends,
            };
            let refractory = cx.case.chemotherapy_history == Some(ChemoHistory::Refractory);
            let anti_egfr = if refractory && anti_egfr != Unlikely {
                o.reason("targeted.bowel_anti_egfr_later");
                Unlikely
            } else {
                anti_egfr
            };
            match ras {
                Some(true) if braf == Some(V::Present) || refractory => {
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
                    Out::NotMet("targeted.bowel_ras_mutant", Usual),
                ),
                None => o.criterion(
                    "RAS wild type (KRAS and NRAS)",
                    &["/biomarkers/KRAS", "/biomarkers/NRAS"],
                    Out::Unknown { blocking: false },
                ),
            }
            o.reason("targeted.bowel_anti_vegf");
            let braf_kind = match braf {
                Some(V::Present) => {
                    o.criterion("BRAF V600E mutation", &["/biomarkers/BRAF_V600"], Out::Met("targeted.bowel_braf"));
                    Usual
                }
                Some(_) => Unlikely,
                None => {
                    o.criterion("BRAF V600E mutation", &["/biomarkers/BRAF_V600"], Out::Unknown { blocking: false });
                    Depends
                }
            };
            let her2 = match cx.bio(B::Her2) {
                Some(V::Positive) if ras != Some(false) => {
                    o.reason("targeted.bowel_her2");
                    Possible
                }
                Some(_) => Unlikely,
                None => Depends,
            };
            let g12c = if cx.bio(B::Kras) == Some(V::G12c) {
                o.reason("targeted.bowel_g12c");
                Possible
            } else if cx.bio(B::Kras).is_none() {
                Depends
            } else {
                Unlikely
            };
            kinds.extend([
                ("anti_egfr", anti_egfr),
                ("anti_vegf", Possible),
                ("braf_targeted", braf_kind),
                ("her2_targeted", her2),
                ("kras_g12c_inhibitors", g12c),
            ]);
            // The option: usual when a biomarker opens a standard targeted treatment;
            // otherwise bevacizumab-type drugs keep it possible; unknown RAS and BRAF -> depends.
            o.base = if anti_egfr == Usual || braf_kind == Usual {
                Usual
            } else if ras.is_none() && braf.is_none() {
                o.blocked = true;
                for p in ["/biomarkers/KRAS", "/biomarkers/NRAS", "/biomarkers/BRAF_V600"].into_iter().filter(|_| !cx.lite) {
                    if !pointer_given(cx.case, p)
                        && let Some(t) = cx.text(&input_statement_id(p))
                    {
                        o.depends_on.push(t);
                    }
                }
                Possible
            } else {
                Possible
            };
        }
        P::Breast => {
            let her2 = cx.bio(B::Her2);
            let hr = cx.hr_positive();
            let her2_kind = match her2 {
                Some(V::Positive) => {
                    o.criterion("HER2 positive", &["/biomarkers/HER2"], Out::Met("targeted.breast_her2_positive"));
                    Usual
                }
                Some(V::Low) => {
                    o.reason("targeted.breast_her2_low");
                    Possible
                }
                Some(_) => Unlikely,
                None => {
                    o.criterion("HER2 status known", &["/biomarkers/HER2"], Out::Unknown { blocking: hr != Some(true) });
                    Depends
                }
            };
            let cdk = match (hr, her2) {
                (Some(true), Some(V::Negative | V::Low) | None) => {
                    o.criterion(
                        "Hormone receptor positive, HER2 negative",
                        &["/biomarkers/ER", "/biomarkers/PR", "/biomarkers/HER2"],
                        Out::Met("targeted.breast_cdk46"),
                    );
                    Usual
                }
                (Some(false), _) | (Some(true), Some(_)) => Unlikely,
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
                (Some(V::Present), Some(true)) => {
                    o.reason("targeted.breast_pik3ca");
                    Possible
                }
                (None, Some(true)) => Depends,
                _ => Unlikely,
            };
            let parp = match (cx.bio(B::Brca), her2) {
                (Some(V::Present), Some(V::Negative | V::Low) | None) => {
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
            if o.reasons.is_empty() {
                o.reason("targeted.breast_depends");
            }
            o.base = if her2_kind == Usual || cdk == Usual {
                Usual
            } else if her2_kind == Possible || parp == Possible {
                Possible
            } else if hr == Some(false) && matches!(her2, Some(V::Negative)) {
                o.reason("targeted.breast_triple_negative");
                Unlikely
            } else {
                Possible
            };
        }
        P::Lung => {
            let inputs = ["/biomarkers/EGFR", "/biomarkers/ALK"];
            let any = lung_driver(cx);
            let main_known = cx.bio(B::Egfr).is_some() && cx.bio(B::Alk).is_some();
            if any {
                o.criterion("A targetable gene change (e.g. EGFR, ALK)", &inputs, Out::Met("targeted.lung_driver"));
                o.base = Usual;
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
            let tki = if any {
                Usual
            } else if main_known {
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
        P::Neuroendocrine => {
            o.base(Possible, "targeted.net");
            kinds.extend([("mtor_inhibitors", Possible), ("tyrosine_kinase_inhibitors", Possible)]);
        }
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
        P::Prostate => {
            let brca = cx.bio(B::Brca);
            let hrr = cx.bio(B::Hrr);
            let inputs = ["/biomarkers/BRCA", "/biomarkers/HRR"];
            if brca == Some(V::Present) || hrr == Some(V::Present) {
                o.criterion("BRCA or other HRR gene change", &inputs, Out::Met("targeted.prostate_parp"));
                kinds.push(("parp_inhibitors", Possible));
            } else if brca.is_some() && hrr.is_some() || brca == Some(V::Absent) && hrr.is_none() {
                o.criterion("BRCA or other HRR gene change", &inputs, Out::NotMet("targeted.prostate_no_hrr", Unlikely));
                kinds.push(("parp_inhibitors", Unlikely));
            } else {
                o.base_depends("targeted.prostate_depends", "BRCA or other HRR gene change", &inputs);
                kinds.push(("parp_inhibitors", Depends));
            }
        }
        P::Stomach | P::Oesophagus => match cx.bio(B::Her2) {
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
        P::Kidney => {
            o.base(Usual, "targeted.kidney");
            kinds.push(("tyrosine_kinase_inhibitors", Usual));
        }
        P::Other => o.base_depends("other.depends_on_type", "Type of cancer known", &["/primary_site"]),
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
        _ => o.base(Unlikely, "targeted.not_standard"),
    }
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
    systemic_fitness(cx, &mut o);
    let mut seen = BTreeSet::new();
    for (id, s) in kinds {
        if seen.insert(id) {
            o.kind(id, s);
        }
    }
    o.finish()
}

// ---------------------------------------------------------------- immunotherapy

fn immunotherapy(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "immunotherapy");
    let mut tebentafusp = Unlikely;
    match cx.site() {
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
        P::Lung if lung_driver(cx) => {
            o.criterion(
                "No gene change that targeted tablets treat first",
                &["/biomarkers/EGFR", "/biomarkers/ALK"],
                Out::NotMet("immuno.lung_egfr_alk", Unlikely),
            );
        }
        P::Lung if cx.bio(B::Egfr).is_none() || cx.bio(B::Alk).is_none() => {
            o.base_depends("immuno.lung_depends", "EGFR and ALK results known", &["/biomarkers/EGFR", "/biomarkers/ALK"]);
        }
        P::Lung => {
            o.criterion(
                "No gene change that targeted tablets treat first",
                &["/biomarkers/EGFR", "/biomarkers/ALK"],
                Out::Met("immuno.lung"),
            );
            o.base = Usual;
            if cx.bio(B::PdL1) == Some(V::High) {
                o.reason("immuno.lung_pdl1_high");
            } else if cx.bio(B::PdL1).is_none() {
                o.criterion("PD-L1 level known", &["/biomarkers/PD_L1"], Out::Unknown { blocking: false });
            }
        }
        P::Melanoma => o.base(Usual, "immuno.melanoma"),
        P::UvealMelanoma => match cx.bio(B::HlaA0201) {
            Some(V::Present) => {
                o.criterion("HLA-A*02:01 tissue type", &["/biomarkers/HLA_A0201"], Out::Met("immuno.uveal_hla_positive"));
                o.base = Usual;
                tebentafusp = Usual;
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
            let tn = match (cx.hr_positive(), cx.bio(B::Her2)) {
                (Some(false), Some(V::Negative | V::Low)) => Some(true),
                (Some(true), _) | (_, Some(V::Positive)) => Some(false),
                _ => None,
            };
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
        P::Stomach | P::Oesophagus => o.base(Possible, "immuno.gastro_oesophageal"),
        P::Kidney => o.base(Usual, "immuno.kidney"),
        P::Womb => match cx.bio(B::Msi) {
            Some(V::High) => {
                o.criterion("MSI-high or dMMR", &["/biomarkers/MSI"], Out::Met("immuno.womb_msi_high"));
                o.base = Possible;
            }
            _ => o.base(Possible, "immuno.womb_msi_high"),
        },
        P::Other => o.base_depends("other.depends_on_type", "Type of cancer known", &["/primary_site"]),
        _ => {
            o.base(Unlikely, "immuno.not_standard");
            if cx.bio(B::Msi) == Some(V::High) {
                o.reason("immuno.msi_high_other_site");
            }
        }
    }
    systemic_fitness(cx, &mut o);
    let level = o.level();
    // For uveal melanoma the option is about tebentafusp; the knowledge base has no
    // verified statement on checkpoint inhibitors there, so that kind stays open.
    o.kind("checkpoint_inhibitors", if cx.site() == P::UvealMelanoma { Depends } else { level });
    o.kind("tebentafusp", tebentafusp);
    o.finish()
}

// ---------------------------------------------------------------- ablation

fn ablation(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "ablation");
    match cx.site() {
        P::Bowel => o.base(Possible, "ablation.bowel"),
        P::Breast => o.base(Possible, "ablation.breast"),
        _ => o.base(Possible, "ablation.other_sites"),
    }
    let l = &cx.case.liver;
    match l.largest_tumour_cm {
        Some(cm) if cm <= cx.t("ablation.ideal_max_cm") => {
            o.criterion("Tumours small enough (3 cm or less is best)", &["/liver/largest_tumour_cm"], Out::Met("ablation.small"))
        }
        Some(cm) if cm <= cx.t("ablation.max_cm") => o.criterion(
            "Tumours small enough (3 cm or less is best)",
            &["/liver/largest_tumour_cm"],
            Out::NotMet("ablation.medium", Possible),
        ),
        Some(_) => o.criterion(
            "Tumours small enough (3 cm or less is best)",
            &["/liver/largest_tumour_cm"],
            Out::NotMet("ablation.too_large", Unlikely),
        ),
        None => o.criterion("Tumours small enough (3 cm or less is best)", &["/liver/largest_tumour_cm"], Out::Unknown { blocking: true }),
    }
    match l.tumour_count {
        Some(n) if f64::from(n) <= cx.t("ablation.max_count") => {
            o.criterion("Few enough tumours", &["/liver/tumour_count"], Out::Met("ablation.few"))
        }
        Some(_) => o.criterion("Few enough tumours", &["/liver/tumour_count"], Out::NotMet("ablation.too_many", Unlikely)),
        None => o.criterion("Few enough tumours", &["/liver/tumour_count"], Out::Unknown { blocking: true }),
    }
    match cx.liver_only() {
        Some(true) => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::Met("ablation.liver_only")),
        Some(false) => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::NotMet("ablation.spread", Unlikely)),
        None => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::Unknown { blocking: true }),
    }
    match cx.ps() {
        Some(ps) if f64::from(ps) <= cx.t("ablation.max_ps") => {
            o.criterion("Performance status 0-2", &["/performance_status"], Out::Met("ablation.ps_ok"))
        }
        Some(_) => o.criterion("Performance status 0-2", &["/performance_status"], Out::NotMet("ablation.ps_poor", Unlikely)),
        None => o.criterion("Performance status 0-2", &["/performance_status"], Out::Unknown { blocking: false }),
    }
    let near = l.near_major_vessels;
    if near == Some(true) {
        o.reason("ablation.near_vessels");
    } else if near.is_none() {
        o.criterion("Tumours away from large blood vessels", &["/liver/near_major_vessels"], Out::Unknown { blocking: false });
    }
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

fn embolisation(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "embolisation");
    let (mut tace, mut sirt, mut bland, mut debiri) = (Unlikely, Unlikely, Unlikely, Unlikely);
    match cx.site() {
        P::Bowel => {
            o.base(Possible, "embol.bowel");
            match cx.case.chemotherapy_history {
                Some(ChemoHistory::Refractory | ChemoHistory::Intolerant) => o.criterion(
                    "Chemotherapy stopped working or could not be tolerated",
                    &["/chemotherapy_history"],
                    Out::Met("embol.bowel_sirt_refractory"),
                ),
                Some(_) => o.criterion(
                    "Chemotherapy stopped working or could not be tolerated",
                    &["/chemotherapy_history"],
                    Out::NotMet("embol.bowel_sirt_first_line", Unlikely),
                ),
                None => o.criterion(
                    "Chemotherapy stopped working or could not be tolerated",
                    &["/chemotherapy_history"],
                    Out::Unknown { blocking: true },
                ),
            }
            match cx.liver_only() {
                Some(true) => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::Met("embol.bowel_liver_only")),
                Some(false) => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::NotMet("embol.bowel_spread", Unlikely)),
                None => o.criterion("Cancer only in the liver", &["/spread_elsewhere"], Out::Unknown { blocking: true }),
            }
            if cx.case.liver.all_removable == Some(true) {
                o.criterion("Liver tumours cannot be removed", &["/liver/all_removable"], Out::NotMet("embol.removable", Unlikely));
            }
            let level = o.level();
            sirt = level;
            debiri = level.min(Possible);
            tace = level.min(Possible);
        }
        P::Neuroendocrine => {
            o.base(Possible, "embol.net");
            if cx.case.liver.all_removable == Some(true) {
                o.criterion("Liver tumours cannot be removed", &["/liver/all_removable"], Out::NotMet("embol.removable", Unlikely));
            }
            o.reason("embol.net_sirt_not_commissioned");
            let level = o.level();
            tace = level;
            bland = level;
        }
        _ => o.base(Unlikely, "embol.other_sites"),
    }
    if cx.ps().is_some_and(|p| f64::from(p) > cx.t("chemo.max_ps_any")) {
        systemic_fitness(cx, &mut o);
        (tace, sirt, bland, debiri) = (Unlikely, Unlikely, Unlikely, Unlikely);
    }
    o.kind("tace", tace);
    o.kind("sirt", sirt);
    o.kind("bland_embolisation", bland);
    o.kind("debiri", debiri);
    o.finish()
}

// ---------------------------------------------------------------- radiotherapy

fn radiotherapy(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "radiotherapy");
    o.base(Possible, "radio.sabr");
    let l = &cx.case.liver;
    match l.tumour_count {
        Some(n) if f64::from(n) <= cx.t("sabr.max_liver_count") => {
            o.criterion("1 to 3 liver tumours", &["/liver/tumour_count"], Out::Met("radio.sabr_few"))
        }
        Some(_) => o.criterion("1 to 3 liver tumours", &["/liver/tumour_count"], Out::NotMet("radio.sabr_too_many", Unlikely)),
        None => o.criterion("1 to 3 liver tumours", &["/liver/tumour_count"], Out::Unknown { blocking: true }),
    }
    match l.largest_tumour_cm {
        Some(cm) if cm <= cx.t("sabr.max_liver_cm") => {
            o.criterion("Largest liver tumour 5 cm or less", &["/liver/largest_tumour_cm"], Out::Met("radio.sabr_size_ok"))
        }
        Some(_) => {
            o.criterion("Largest liver tumour 5 cm or less", &["/liver/largest_tumour_cm"], Out::NotMet("radio.sabr_too_large", Unlikely))
        }
        None => o.criterion("Largest liver tumour 5 cm or less", &["/liver/largest_tumour_cm"], Out::Unknown { blocking: true }),
    }
    match cx.ps() {
        Some(ps) if f64::from(ps) <= cx.t("sabr.max_ps") => {
            o.criterion("Performance status 0-2", &["/performance_status"], Out::Met("radio.sabr_ps_ok"))
        }
        Some(_) => o.criterion("Performance status 0-2", &["/performance_status"], Out::NotMet("radio.sabr_ps_poor", Unlikely)),
        None => o.criterion("Performance status 0-2", &["/performance_status"], Out::Unknown { blocking: true }),
    }
    match cx.case.spread_elsewhere.as_deref() {
        None => o.criterion("Few sites of spread in all (oligometastatic)", &["/spread_elsewhere"], Out::Unknown { blocking: true }),
        Some([]) => o.criterion("Few sites of spread in all (oligometastatic)", &["/spread_elsewhere"], Out::Met("radio.sabr_liver_only")),
        Some(spread) => {
            let sites = spread.len() as f64 + f64::from(l.tumour_count.unwrap_or(1));
            if sites <= cx.t("sabr.max_sites") && !spread.contains(&Spread::Brain) {
                o.criterion(
                    "Few sites of spread in all (oligometastatic)",
                    &["/spread_elsewhere", "/liver/tumour_count"],
                    Out::Met("radio.sabr_oligo"),
                );
            } else {
                o.criterion(
                    "Few sites of spread in all (oligometastatic)",
                    &["/spread_elsewhere", "/liver/tumour_count"],
                    Out::NotMet("radio.sabr_too_many_sites", Unlikely),
                );
            }
        }
    }
    match cx.case.disease_free_interval_months {
        // Synchronous bowel liver spread was not excluded from the NHS England evaluation.
        Some(_) if cx.site() == P::Bowel => {}
        Some(d) if d > cx.t("sabr.min_interval_months") => {
            o.criterion("More than 6 months from first diagnosis", &["/disease_free_interval_months"], Out::Met("radio.sabr_interval_ok"))
        }
        Some(_) => o.criterion(
            "More than 6 months from first diagnosis",
            &["/disease_free_interval_months"],
            Out::NotMet("radio.sabr_interval_short", Unlikely),
        ),
        None if cx.site() == P::Bowel => {}
        None => {
            o.criterion("More than 6 months from first diagnosis", &["/disease_free_interval_months"], Out::Unknown { blocking: false })
        }
    }
    if l.liver_condition == Some(crate::case::LiverCondition::Cirrhosis) {
        o.reason("radio.sabr_cirrhosis");
    }
    let sabr = o.level();
    o.kind("sabr", sabr);
    // Radionuclide treatments given by drip.
    let dotatate = if cx.site() == P::Neuroendocrine {
        match cx.bio(B::Sstr) {
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
    let psma = if cx.site() == P::Prostate {
        match (cx.bio(B::Psma), cx.case.chemotherapy_history) {
            (Some(V::Positive), Some(ChemoHistory::None)) => {
                o.reason("radio.lutetium_psma_after_chemo");
                Unlikely
            }
            (Some(V::Positive), None) => Depends,
            (Some(V::Positive), Some(_)) => {
                o.reason("radio.lutetium_psma");
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

// ---------------------------------------------------------------- supportive care

fn supportive(cx: &Cx) -> OptionAssessment {
    let mut o = Opt::new(cx, "supportive_care");
    o.base(Usual, "supportive.always");
    o.reason("supportive.early");
    if cx.ps().is_some_and(|p| p >= 3) {
        o.reason("supportive.poor_fitness");
    }
    o.kind("symptom_control", Usual);
    o.kind("specialist_palliative_care", Usual);
    o.kind("emotional_support", Usual);
    o.kind("biliary_stent", Possible);
    // Supportive care is for everyone, at every stage: never capped.
    o.finish_at(Some(Usual))
}
