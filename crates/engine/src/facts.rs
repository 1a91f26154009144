//! Every fact a rule can test, computed from a [`Case`] in one place.
//!
//! The vocabulary (names, types, inputs) is declared in
//! [`hepatica_knowledge::facts`]; this module computes each one with an
//! exhaustive `match`, so a declared fact cannot be left uncomputed. Named
//! facts that need code (`liver_only`, `ras_wild_type`,
//! `hormone_receptor_positive`, `lung_driver`, `remnant_enough`,
//! `fit_for_surgery`, ...) are defined here and nowhere else; the procedural
//! rules call the same functions. Adding a fact is a variant there and an arm
//! here; the evaluator (`eval.rs`) does not change.

use hepatica_knowledge::facts::{
    ASCITES_VALUES, BIOMARKER_VALUES, BRCA_ORIGIN_VALUES, CHEMO_HISTORY_VALUES, CHILD_PUGH_VALUES, Fact, GRADE_VALUES, HISTOLOGY_VALUES,
    LIVER_CONDITION_VALUES, NET_ORIGIN_VALUES, OLIGO_VALUES, REMNANT_STATE_VALUES, SITE_VALUES, SPREAD_EXTENT_VALUES,
};
use hepatica_knowledge::{Knowledge, Th};

use crate::case::{
    Biomarker as B, BiomarkerValue as V, Case, ChemoHistory, LiverCondition, PreviousTreatment as Prev, PrimarySite as P, Spread,
};

/// A fact's value; enum values are indexes into the fact's value list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val {
    Bool(bool),
    Num(f64),
    Sym(usize),
}

fn sym(values: &[&str], v: &str) -> Option<Val> {
    values.iter().position(|x| *x == v).map(Val::Sym)
}

/// The value of `fact` for `case`; `None` when its inputs are not known.
pub(crate) fn value(kb: &Knowledge, case: &Case, fact: Fact) -> Option<Val> {
    let l = &case.liver;
    match fact {
        Fact::PrimarySite => sym(SITE_VALUES, case.primary_site.as_str()),
        Fact::TumourCount => l.tumour_count.map(|n| Val::Num(f64::from(n))),
        Fact::LargestTumourCm => l.largest_tumour_cm.map(Val::Num),
        Fact::AllRemovable => l.all_removable.map(Val::Bool),
        Fact::NearMajorVessels => l.near_major_vessels.map(Val::Bool),
        Fact::LiverCondition => l.liver_condition.and_then(|c| sym(LIVER_CONDITION_VALUES, c.as_str())),
        Fact::RemnantEnough => remnant_enough(kb, case).map(Val::Bool),
        Fact::LiverOnly => liver_only(case).map(Val::Bool),
        Fact::SpreadExtent => spread_extent(case).and_then(|s| sym(SPREAD_EXTENT_VALUES, s)),
        Fact::Oligometastatic => oligometastatic(kb, case).and_then(|s| sym(OLIGO_VALUES, s)),
        Fact::PerformanceStatus => case.performance_status.map(|p| Val::Num(f64::from(p))),
        Fact::FitForSurgery => fit_for_surgery(kb, case).map(Val::Bool),
        Fact::ChemotherapyHistory => case.chemotherapy_history.and_then(|h| sym(CHEMO_HISTORY_VALUES, h.as_str())),
        Fact::DiseaseFreeIntervalMonths => case.disease_free_interval_months.map(Val::Num),
        Fact::HormoneReceptorPositive => hormone_receptor_positive(case).map(Val::Bool),
        Fact::RasWildType => ras_wild_type(case).map(Val::Bool),
        Fact::LungDriver => Some(Val::Bool(lung_driver(case))),
        Fact::Msi => biomarker(case, B::Msi),
        // HER2 as given, or read from the IHC score (contract 8.1; absent from 1.0 cases).
        Fact::Her2 => {
            case.biomarker(B::Her2).or_else(|| case.biomarkers.her2_ihc.map(|i| i.status())).and_then(|v| sym(BIOMARKER_VALUES, v.as_str()))
        }
        Fact::Sstr => biomarker(case, B::Sstr),
        // ---- local treatments, 1.1
        Fact::BilirubinUmolL => case.liver_function.bilirubin_umol_l.map(Val::Num),
        Fact::BilirubinTimesUln => case.liver_function.bilirubin_times_uln().map(Val::Num),
        Fact::BileBlocked => bile_blocked_for(kb, case).map(Val::Bool),
        Fact::ChildPugh => case.liver_function.child_pugh.and_then(|c| sym(CHILD_PUGH_VALUES, c.as_str())),
        Fact::Ascites => case.liver_function.ascites.and_then(|a| sym(ASCITES_VALUES, a.as_str())),
        Fact::PercentLiverReplaced => l.percent_liver_replaced.map(Val::Num),
        Fact::CarcinoidSyndrome => case.carcinoid_syndrome.map(Val::Bool),
        Fact::RemnantState => remnant_state(kb, case).and_then(|s| sym(REMNANT_STATE_VALUES, s)),
        // ---- systemic (issue 13) ----
        Fact::LinesOfSystemicTherapy => case.treatment_history.lines_of_systemic_therapy.map(|n| Val::Num(f64::from(n))),
        Fact::PreviouslyTreated => previously_treated(case).map(Val::Bool),
        Fact::PlatinumSensitive => case.treatment_history.platinum_sensitive.map(Val::Bool),
        Fact::CastrationResistant => case.treatment_history.castration_resistant.map(Val::Bool),
        Fact::EndocrineResistant => case.treatment_history.endocrine_resistant.map(Val::Bool),
        Fact::Histology => histology(kb, case).and_then(|h| sym(HISTOLOGY_VALUES, h.as_str())),
        Fact::TumourGrade => case.tumour_grade.and_then(|g| sym(GRADE_VALUES, g.as_str())),
        Fact::PdL1Cps => case.biomarkers.pd_l1_cps.map(Val::Num),
        Fact::PdL1Tps => case.biomarkers.pd_l1_tps.map(Val::Num),
        Fact::Brca => biomarker(case, B::Brca),
        Fact::Hrd => biomarker(case, B::Hrd),
        Fact::FrAlpha => biomarker(case, B::FrAlpha),
        Fact::Cldn182 => biomarker(case, B::Cldn182),
        Fact::PdgfraD842v => biomarker(case, B::PdgfraD842v),
        Fact::Kras => biomarker(case, B::Kras),
        Fact::HadImatinib => case.treatment_history.had(Prev::Imatinib).map(Val::Bool),
        Fact::HadCdk46Inhibitor => case.treatment_history.had(Prev::Cdk46Inhibitor).map(Val::Bool),
        Fact::HadAndrogenReceptorInhibitor => case.treatment_history.had(Prev::AndrogenReceptorInhibitor).map(Val::Bool),
        Fact::HadTaxane => case.treatment_history.had(Prev::Taxane).map(Val::Bool),
        Fact::ArpiResistant => arpi_resistant(case).map(Val::Bool),
        Fact::BrcaOrigin => case.biomarkers.brca_origin.and_then(|o| sym(BRCA_ORIGIN_VALUES, o.as_str())),
        Fact::HadImmunotherapy => case.treatment_history.had(Prev::Immunotherapy).map(Val::Bool),
        Fact::HadTebentafusp => case.treatment_history.had(Prev::Tebentafusp).map(Val::Bool),
        Fact::HadEgfrTki => case.treatment_history.had(Prev::EgfrTki).map(Val::Bool),
        Fact::HadAlkTki => case.treatment_history.had(Prev::AlkTki).map(Val::Bool),
        Fact::TmbHigh => biomarker(case, B::TmbHigh),
        Fact::PdL1Ic => case.biomarkers.pd_l1_ic.map(Val::Num),
        Fact::LungTabletFailed => lung_tablet_failed(case).map(Val::Bool),
        Fact::NetOrigin => case.net_origin.and_then(|o| sym(NET_ORIGIN_VALUES, o.as_str())),
        Fact::HadParpInhibitor => case.treatment_history.had(Prev::ParpInhibitor).map(Val::Bool),
        Fact::Er => biomarker(case, B::Er),
        Fact::PeritoneumOnly => case.spread_elsewhere.as_deref().map(|s| Val::Bool(s == [Spread::Peritoneum])),
        Fact::BreastEndocrineOptionLeft => breast_endocrine_option_left(case).map(Val::Bool),
        Fact::HadChemotherapy => had_chemotherapy(case).map(Val::Bool),
        Fact::JaundiceFromLiver => {
            let f = &case.liver_function;
            match (f.jaundice, f.biliary_obstruction) {
                (Some(false), _) => Some(Val::Bool(false)),
                (Some(true), Some(false)) => Some(Val::Bool(true)),
                _ => None,
            }
        }
    }
}

/// The biomarker results [`value`] reads to compute `fact` (an exhaustive
/// match, kept next to the computations; a test checks it against [`value`]:
/// every biomarker listed can change the fact, and no other can). Wider than
/// the knowledge base's [`Fact::inputs`], which names what to ask for when the
/// fact is unknown: `lung_driver` is always known, yet reads six drivers.
pub(crate) fn biomarkers_read(fact: Fact) -> &'static [B] {
    match fact {
        Fact::HormoneReceptorPositive => &[B::Er, B::Pr],
        Fact::RasWildType => &[B::Kras, B::Nras],
        Fact::LungDriver => &LUNG_DRIVERS,
        Fact::Msi => &[B::Msi],
        Fact::Her2 => &[B::Her2],
        Fact::Sstr => &[B::Sstr],
        Fact::Brca => &[B::Brca],
        Fact::Hrd => &[B::Hrd],
        Fact::FrAlpha => &[B::FrAlpha],
        Fact::Cldn182 => &[B::Cldn182],
        Fact::PdgfraD842v => &[B::PdgfraD842v],
        Fact::Kras => &[B::Kras],
        Fact::TmbHigh => &[B::TmbHigh],
        Fact::Er => &[B::Er],
        Fact::BreastEndocrineOptionLeft => &[B::Pik3ca, B::Esr1],
        Fact::PrimarySite
        | Fact::TumourCount
        | Fact::LargestTumourCm
        | Fact::AllRemovable
        | Fact::PeritoneumOnly
        | Fact::NearMajorVessels
        | Fact::LiverCondition
        | Fact::RemnantEnough
        | Fact::LiverOnly
        | Fact::SpreadExtent
        | Fact::Oligometastatic
        | Fact::PerformanceStatus
        | Fact::FitForSurgery
        | Fact::ChemotherapyHistory
        | Fact::DiseaseFreeIntervalMonths
        | Fact::BilirubinUmolL
        | Fact::BilirubinTimesUln
        | Fact::BileBlocked
        | Fact::ChildPugh
        | Fact::Ascites
        | Fact::PercentLiverReplaced
        | Fact::RemnantState
        | Fact::LinesOfSystemicTherapy
        | Fact::PreviouslyTreated
        | Fact::PlatinumSensitive
        | Fact::CastrationResistant
        | Fact::EndocrineResistant
        | Fact::Histology
        | Fact::TumourGrade
        | Fact::PdL1Cps
        | Fact::PdL1Tps
        | Fact::HadImatinib
        | Fact::HadCdk46Inhibitor
        | Fact::HadAndrogenReceptorInhibitor
        | Fact::HadTaxane
        | Fact::ArpiResistant
        | Fact::BrcaOrigin
        | Fact::CarcinoidSyndrome
        | Fact::HadImmunotherapy
        | Fact::HadTebentafusp
        | Fact::HadEgfrTki
        | Fact::HadAlkTki
        | Fact::PdL1Ic
        | Fact::LungTabletFailed
        | Fact::NetOrigin
        | Fact::HadParpInhibitor
        | Fact::HadChemotherapy
        | Fact::JaundiceFromLiver => &[],
    }
}

/// Breast (knowledge base 2026.12.6): after a CDK4/6 inhibitor, a target for an
/// endocrine-based targeted next step: PIK3CA altered and no PI3K/AKT inhibitor
/// yet (TA816, capivasertib), or an ESR1 mutation (elacestrant, TA1036). The
/// receptors and HER2 are separate conditions of the rules that read it.
/// `None` while a result or the history that could decide it is missing.
pub(crate) fn breast_endocrine_option_left(case: &Case) -> Option<bool> {
    if case.primary_site != P::Breast {
        return Some(false);
    }
    let pik3ca_open = match case.biomarker(B::Pik3ca) {
        Some(V::Present) => case.treatment_history.had(Prev::Pi3kAktInhibitor).map(|had| !had),
        Some(_) => Some(false),
        None => None,
    };
    let esr1_open = case.biomarker(B::Esr1).map(|v| v == V::Present);
    let target = match (pik3ca_open, esr1_open) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    };
    match (case.treatment_history.had(Prev::Cdk46Inhibitor), target) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

// ---- systemic (issue 13) named facts ----

/// Treated before for the spread cancer: `Some(true)` with at least one ended line, or
/// chemotherapy that stopped working or could not be tolerated (that line has ended,
/// although the count leaves out the current line); `Some(false)` with no ended line
/// (or history `none`) and no such chemotherapy; otherwise unknown.
pub(crate) fn previously_treated(case: &Case) -> Option<bool> {
    let ended = matches!(case.chemotherapy_history, Some(ChemoHistory::Refractory | ChemoHistory::Intolerant));
    match case.treatment_history.lines_of_systemic_therapy {
        Some(n) => Some(n >= 1 || ended),
        None if ended => Some(true),
        None => match case.chemotherapy_history? {
            ChemoHistory::None => Some(false),
            _ => None,
        },
    }
}

/// A chemotherapy class was given (see [`Fact::HadChemotherapy`]): unknown with an
/// empty or missing list.
pub(crate) fn had_chemotherapy(case: &Case) -> Option<bool> {
    let previous = case.treatment_history.previous.as_ref().filter(|p| !p.is_empty())?;
    Some(previous.iter().any(|&p| is_chemotherapy(p)))
}

/// The chemotherapy classes of `treatment_history.previous`.
fn is_chemotherapy(p: Prev) -> bool {
    matches!(
        p,
        Prev::Fluoropyrimidine
            | Prev::Oxaliplatin
            | Prev::Irinotecan
            | Prev::Platinum
            | Prev::Taxane
            | Prev::Cabazitaxel
            | Prev::Anthracycline
            | Prev::Gemcitabine
            | Prev::Temozolomide
            | Prev::TrifluridineTipiracil
    )
}

/// Prostate: growing despite hormone therapy after a newer androgen receptor drug.
/// An EGFR or ALK tablet was given and a line of treatment has ended (see
/// [`Fact::LungTabletFailed`]).
pub(crate) fn lung_tablet_failed(case: &Case) -> Option<bool> {
    let h = &case.treatment_history;
    let had = match (h.had(Prev::EgfrTki), h.had(Prev::AlkTki)) {
        (Some(e), Some(a)) => e || a,
        _ => return None,
    };
    if !had {
        return Some(false);
    }
    previously_treated(case)
}

pub(crate) fn arpi_resistant(case: &Case) -> Option<bool> {
    let h = &case.treatment_history;
    match (h.castration_resistant, h.had(Prev::AndrogenReceptorInhibitor)) {
        (Some(true), Some(true)) => Some(true),
        (Some(false), _) | (_, Some(false)) => Some(false),
        _ => None,
    }
}

fn biomarker(case: &Case, b: B) -> Option<Val> {
    case.biomarker(b).and_then(|v| sym(BIOMARKER_VALUES, v.as_str()))
}

/// Liver-only disease: `Some(true)` liver only, `Some(false)` spread elsewhere, `None` unknown.
pub(crate) fn liver_only(case: &Case) -> Option<bool> {
    case.spread_elsewhere.as_ref().map(Vec::is_empty)
}

/// `none`, `lung_only` (spread only to the lungs) or `other`.
pub(crate) fn spread_extent(case: &Case) -> Option<&'static str> {
    case.spread_elsewhere.as_deref().map(|s| match s {
        [] => "none",
        [Spread::Lung] => "lung_only",
        _ => "other",
    })
}

/// For SABR: `liver_only`, `oligometastatic` (at most `sabr.max_sites` sites in
/// all, counting each liver tumour, none in the brain) or `too_many`.
pub(crate) fn oligometastatic(kb: &Knowledge, case: &Case) -> Option<&'static str> {
    let spread = case.spread_elsewhere.as_deref()?;
    if spread.is_empty() {
        return Some("liver_only");
    }
    let too_many = |liver: u32| spread.len() as f64 + f64::from(liver) > kb.t(Th::SabrMaxSites) || spread.contains(&Spread::Brain);
    match case.liver.tumour_count {
        Some(n) => Some(if too_many(n) { "too_many" } else { "oligometastatic" }),
        // At least one liver tumour: too many already, or not known (engine logic 2;
        // release 2026.11.0 counted an unknown number as one).
        None if kb.engine_logic() >= 2 => too_many(1).then_some("too_many"),
        None => Some(if too_many(1) { "too_many" } else { "oligometastatic" }),
    }
}

/// Histology as the rules read it. Engine logic 4: small cell histology at a
/// neuroendocrine primary is a neuroendocrine carcinoma (poorly differentiated,
/// WHO 2019), never a well-differentiated tumour.
pub(crate) fn histology(kb: &Knowledge, case: &Case) -> Option<crate::case::Histology> {
    use crate::case::Histology as H;
    match case.histology? {
        H::SmallCell if kb.engine_logic() >= 4 && case.primary_site == P::Neuroendocrine => Some(H::NeuroendocrineCarcinoma),
        h => Some(h),
    }
}

/// Neuroendocrine carcinoma (poorly differentiated) at a neuroendocrine primary,
/// as [`histology`] reads it.
pub(crate) fn neuroendocrine_carcinoma(kb: &Knowledge, case: &Case) -> bool {
    case.primary_site == P::Neuroendocrine && histology(kb, case) == Some(crate::case::Histology::NeuroendocrineCarcinoma)
}

/// Bile is blocked: `Some(true)` with jaundice or biliary obstruction, `Some(false)`
/// only when both are known to be absent.
pub(crate) fn bile_blocked(case: &Case) -> Option<bool> {
    let f = &case.liver_function;
    if f.jaundice == Some(true) || f.biliary_obstruction == Some(true) {
        Some(true)
    } else if f.jaundice == Some(false) && f.biliary_obstruction == Some(false) {
        Some(false)
    } else {
        None
    }
}

/// Bile is blocked as the rules read it. Engine logic 4: only a blocked bile
/// duct counts; jaundice with the duct known to be open is the liver itself
/// failing (no stent can clear it), and jaundice with the duct not assessed
/// still counts (it may be blocked). Older logic: [`bile_blocked`].
pub(crate) fn bile_blocked_for(kb: &Knowledge, case: &Case) -> Option<bool> {
    if kb.engine_logic() < 4 {
        return bile_blocked(case);
    }
    let f = &case.liver_function;
    match f.biliary_obstruction {
        Some(b) => Some(b),
        None if f.jaundice == Some(true) => Some(true),
        None => None,
    }
}

/// RAS wild type: `Some(true)` KRAS and NRAS wild type, `Some(false)` any RAS mutation.
pub(crate) fn ras_wild_type(case: &Case) -> Option<bool> {
    let k = case.biomarker(B::Kras);
    let n = case.biomarker(B::Nras);
    if matches!(k, Some(V::Mutant | V::G12c)) || n == Some(V::Mutant) {
        return Some(false);
    }
    if k == Some(V::WildType) && n == Some(V::WildType) { Some(true) } else { None }
}

/// Hormone receptor positive if ER or PR is positive; negative only if both are known negative.
pub(crate) fn hormone_receptor_positive(case: &Case) -> Option<bool> {
    let er = case.biomarker(B::Er);
    let pr = case.biomarker(B::Pr);
    if er == Some(V::Positive) || pr == Some(V::Positive) {
        Some(true)
    } else if er == Some(V::Negative) && pr == Some(V::Negative) {
        Some(false)
    } else {
        None
    }
}

/// A lung cancer driver that first-line targeted tablets attack.
pub(crate) fn lung_driver(case: &Case) -> bool {
    // First-line targeted treatment verified in the knowledge base: EGFR TA654, ALK TA536,
    // ROS1 TA643, RET TA911, MET exon 14 TA789, NTRK TA630. KRAS G12C is later-line.
    LUNG_DRIVERS.iter().any(|b| case.biomarker(*b) == Some(V::Present))
}

/// The drivers [`lung_driver`] looks for.
pub(crate) const LUNG_DRIVERS: [B; 6] = [B::Egfr, B::Alk, B::Ros1, B::MetEx14, B::Ret, B::Ntrk];

/// The remnant threshold for a liver condition.
pub(crate) fn flr_threshold(c: LiverCondition) -> Th {
    match c {
        LiverCondition::Normal => Th::FlrNormalMinPercent,
        LiverCondition::ChemotherapyInjured => Th::FlrChemotherapyInjuredMinPercent,
        LiverCondition::Cirrhosis => Th::FlrCirrhosisMinPercent,
    }
}

/// Enough liver would be left: against the condition's threshold; without a
/// condition only a remnant at or above the highest threshold (enough) or below
/// the lowest (not enough) decides.
pub(crate) fn remnant_enough(kb: &Knowledge, case: &Case) -> Option<bool> {
    let flr = case.liver.future_liver_remnant_percent?;
    match case.liver.liver_condition {
        Some(c) => Some(flr >= kb.t(flr_threshold(c))),
        None if flr >= kb.t(Th::FlrCirrhosisMinPercent) => Some(true),
        None if flr < kb.t(Th::FlrNormalMinPercent) => Some(false),
        None => None,
    }
}

/// Whether too small a remnant could be grown first (PVE, two stages, ALPPS):
/// cirrhosis impairs hypertrophy, and Child-Pugh B or C rules staged surgery out.
pub(crate) fn remnant_state(kb: &Knowledge, case: &Case) -> Option<&'static str> {
    if remnant_enough(kb, case)? {
        return Some("enough");
    }
    let cirrhosis = case.liver.liver_condition.map(|c| c == LiverCondition::Cirrhosis);
    let poor = case.liver_function.child_pugh.is_some_and(|c| c != crate::case::ChildPugh::A);
    Some(match cirrhosis {
        _ if poor => "too_small_cannot_grow",
        Some(true) => "too_small_cannot_grow",
        Some(false) => "too_small_can_grow",
        None => "too_small_growth_unknown",
    })
}

/// Not fit for a major operation: the team says so, or performance status above `surgery.max_ps`.
pub(crate) fn unfit_for_surgery(kb: &Knowledge, case: &Case) -> bool {
    case.fit_for_major_surgery == Some(false) || case.performance_status.is_some_and(|p| f64::from(p) > kb.t(Th::SurgeryMaxPs))
}

/// Fit for a major operation: `Some(false)` if [`unfit_for_surgery`]; `Some(true)` if the team
/// says so or performance status is at or below `surgery.max_ps_implied_fit`; else unknown.
pub(crate) fn fit_for_surgery(kb: &Knowledge, case: &Case) -> Option<bool> {
    if unfit_for_surgery(kb, case) {
        Some(false)
    } else if case.fit_for_major_surgery == Some(true)
        || case.performance_status.is_some_and(|p| f64::from(p) <= kb.t(Th::SurgeryMaxPsImpliedFit))
    {
        Some(true)
    } else {
        None
    }
}

/// The primary site's index in the knowledge base's site list.
pub(crate) fn site_index(site: P) -> usize {
    SITE_VALUES.iter().position(|s| *s == site.as_str()).unwrap_or(SITE_VALUES.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases of every site with no biomarker, and with every biomarker set to
    /// its k-th value (cycling), so each fact is seen from several starting points.
    fn bases() -> Vec<Case> {
        let mut out = Vec::new();
        for site in P::ALL {
            out.push(Case::new(*site));
            for k in 0..4 {
                let mut c = Case::new(*site);
                for b in B::ALL {
                    let vs = b.values();
                    c.biomarkers.insert(*b, vs[k % vs.len()]);
                }
                out.push(c);
            }
        }
        out
    }

    /// `biomarkers_read` is what `value` reads: a biomarker it does not list
    /// never changes the fact, and each one it lists can.
    #[test]
    fn biomarkers_read_is_what_value_reads() {
        let kb = Knowledge::embedded();
        for fact in Fact::ALL {
            let listed = biomarkers_read(*fact);
            for b in B::ALL {
                let mut changes = false;
                for base in bases() {
                    for set in b.values().iter().map(Some).chain([None]) {
                        let mut c = base.clone();
                        match set {
                            Some(v) => c.biomarkers.insert(*b, *v),
                            None => c.biomarkers.remove(b),
                        };
                        changes |= value(kb, &c, *fact) != value(kb, &base, *fact);
                    }
                }
                assert_eq!(changes, listed.contains(b), "{fact:?} and {b}: changes the fact {changes}, listed {}", listed.contains(b));
            }
            // The biomarkers the knowledge base names as the fact's inputs are among them.
            for input in fact.inputs().iter().filter_map(|i| i.strip_prefix("/biomarkers/")).filter_map(B::parse) {
                assert!(listed.contains(&input), "{fact:?} names {input} as an input but is not said to read it");
            }
        }
    }
}
