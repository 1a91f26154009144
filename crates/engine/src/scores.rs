//! Prognostic scores exactly as contract section 3 defines them.
//!
//! Each function returns `None` unless every input it needs is known; the
//! caller then names the missing inputs in `missing_information`. Every
//! cut-off is a knowledge-base threshold ([`Th`]); the directions follow the
//! derivation papers (Fong 1999: CEA > 200, size > 5 cm, DFI < 12 months;
//! GAME 2018: CEA >= 20; TBS zones < 3, 3 to < 9, >= 9), which it cites.

use hepatica_knowledge::{Knowledge, Th};

use crate::assessment::{GroupedScore, RemnantScore};
use crate::case::Biomarker;
use crate::case::{BiomarkerValue, Case, LiverCondition, PrimarySite};

/// The inputs each score needs, as JSON pointers (for `missing_information`).
pub const FONG_INPUTS: [&str; 5] =
    ["/primary_node_positive", "/disease_free_interval_months", "/liver/tumour_count", "/liver/largest_tumour_cm", "/cea_ng_ml"];
/// Inputs of the tumour burden score.
pub const TBS_INPUTS: [&str; 2] = ["/liver/largest_tumour_cm", "/liver/tumour_count"];
/// Inputs of the GAME score.
pub const GAME_INPUTS: [&str; 6] =
    ["/biomarkers/KRAS", "/cea_ng_ml", "/primary_node_positive", "/liver/largest_tumour_cm", "/liver/tumour_count", "/spread_elsewhere"];
/// Inputs of the remnant-liver check.
pub const FLR_INPUTS: [&str; 2] = ["/liver/future_liver_remnant_percent", "/liver/liver_condition"];

/// Fong clinical risk score (bowel primaries only): one point each for a
/// node-positive primary, DFI < 12 months, more than one tumour, largest > 5 cm,
/// CEA > 200 ng/mL. Group `low` 0-2, `high` 3-5.
pub fn fong(kb: &Knowledge, case: &Case) -> Option<GroupedScore<u8>> {
    if case.primary_site != PrimarySite::Bowel {
        return None;
    }
    let points = u8::from(case.primary_node_positive?)
        + u8::from(case.disease_free_interval_months? < kb.t(Th::FongDfiMonths))
        + u8::from(f64::from(case.liver.tumour_count?) > kb.t(Th::FongCount))
        + u8::from(case.liver.largest_tumour_cm? > kb.t(Th::FongSizeCm))
        + u8::from(case.cea_ng_ml? > kb.t(Th::FongCea));
    Some(GroupedScore { value: points, group: if f64::from(points) <= kb.t(Th::FongLowMaxPoints) { "low" } else { "high" } })
}

/// Tumour burden score: sqrt(largest_cm² + count²). Group `low` < 3,
/// `medium` 3 to < 9, `high` >= 9.
pub fn tumour_burden(kb: &Knowledge, case: &Case) -> Option<GroupedScore<f64>> {
    let size = case.liver.largest_tumour_cm?;
    let count = f64::from(case.liver.tumour_count?);
    let value = (size * size + count * count).sqrt();
    Some(GroupedScore { value, group: tbs_group(kb, value) })
}

fn tbs_group(kb: &Knowledge, value: f64) -> &'static str {
    if value < kb.t(Th::TbsMedium) {
        "low"
    } else if value < kb.t(Th::TbsHigh) {
        "medium"
    } else {
        "high"
    }
}

/// GAME score (bowel primaries only): KRAS mutant 1; CEA >= 20 ng/mL 1;
/// node-positive primary 1; TBS 3 to < 9 1 or >= 9 2; any spread elsewhere 2.
/// Group `low` 0-1, `medium` 2-3, `high` >= 4.
pub fn game(kb: &Knowledge, case: &Case) -> Option<GroupedScore<u8>> {
    if case.primary_site != PrimarySite::Bowel {
        return None;
    }
    let kras_mutant = match case.biomarker(Biomarker::Kras)? {
        BiomarkerValue::Mutant | BiomarkerValue::G12c => 1,
        _ => 0,
    };
    let tbs = tumour_burden(kb, case)?;
    let tbs_points = match tbs.group {
        "low" => 0,
        "medium" => 1,
        _ => 2,
    };
    let spread = if case.spread_elsewhere.as_ref()?.is_empty() { 0 } else { 2 };
    let points = kras_mutant + u8::from(case.cea_ng_ml? >= kb.t(Th::GameCea)) + u8::from(case.primary_node_positive?) + tbs_points + spread;
    let p = f64::from(points);
    let group = if p <= kb.t(Th::GameLowMaxPoints) {
        "low"
    } else if p <= kb.t(Th::GameMediumMaxPoints) {
        "medium"
    } else {
        "high"
    };
    Some(GroupedScore { value: points, group })
}

/// The minimum remnant (percent) for a liver condition: the `flr.*` thresholds
/// (20 normal, 30 after chemotherapy injury, 40 with cirrhosis today).
pub fn remnant_threshold(kb: &Knowledge, condition: LiverCondition) -> f64 {
    kb.t(crate::facts::flr_threshold(condition))
}

/// Future liver remnant adequacy: `adequate` when value >= threshold.
pub fn remnant(kb: &Knowledge, case: &Case) -> Option<RemnantScore> {
    let value = case.liver.future_liver_remnant_percent?;
    let threshold = remnant_threshold(kb, case.liver.liver_condition?);
    // Percent thresholds are whole numbers in the contract (an integer field).
    Some(RemnantScore { value, threshold: threshold.round().clamp(0.0, 255.0) as u8, adequate: value >= threshold })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hepatica_knowledge::Knowledge;

    fn kb() -> &'static Knowledge {
        Knowledge::embedded()
    }
    use crate::case::Spread;

    fn bowel() -> Case {
        let mut c = Case::new(PrimarySite::Bowel);
        c.primary_node_positive = Some(false);
        c.disease_free_interval_months = Some(12.0);
        c.liver.tumour_count = Some(1);
        c.liver.largest_tumour_cm = Some(5.0);
        c.cea_ng_ml = Some(200.0);
        c.biomarkers.insert(Biomarker::Kras, BiomarkerValue::WildType);
        c.spread_elsewhere = Some(vec![]);
        c
    }

    #[test]
    fn fong_boundaries_are_strict() {
        // Every factor exactly at its threshold scores nothing.
        assert_eq!(fong(kb(), &bowel()).unwrap().value, 0);
        type Tweak = (&'static str, fn(&mut Case));
        let cases: [Tweak; 5] = [
            ("node", |c| c.primary_node_positive = Some(true)),
            ("dfi 11.9", |c| c.disease_free_interval_months = Some(11.9)),
            ("count 2", |c| c.liver.tumour_count = Some(2)),
            ("size 5.1", |c| c.liver.largest_tumour_cm = Some(5.1)),
            ("cea 201", |c| c.cea_ng_ml = Some(201.0)),
        ];
        for (name, f) in cases {
            let mut c = bowel();
            f(&mut c);
            assert_eq!(fong(kb(), &c).unwrap().value, 1, "{name}");
        }
    }

    #[test]
    fn fong_groups_and_scope() {
        let mut c = bowel();
        c.primary_node_positive = Some(true);
        c.liver.tumour_count = Some(3);
        assert_eq!(fong(kb(), &c).unwrap(), GroupedScore { value: 2, group: "low" });
        c.cea_ng_ml = Some(500.0);
        assert_eq!(fong(kb(), &c).unwrap(), GroupedScore { value: 3, group: "high" });
        c.primary_site = PrimarySite::Breast;
        assert!(fong(kb(), &c).is_none(), "Fong is for bowel primaries only");
        let mut c = bowel();
        c.cea_ng_ml = None;
        assert!(fong(kb(), &c).is_none());
    }

    #[test]
    fn tbs_zones() {
        let mut c = Case::new(PrimarySite::Breast);
        c.liver.tumour_count = Some(1);
        c.liver.largest_tumour_cm = Some(2.0);
        let t = tumour_burden(kb(), &c).unwrap();
        assert!((t.value - 5f64.sqrt()).abs() < 1e-12);
        assert_eq!(t.group, "low");
        assert_eq!(tbs_group(kb(), kb().t(Th::TbsMedium) - 0.001), "low");
        assert_eq!(tbs_group(kb(), kb().t(Th::TbsMedium)), "medium");
        assert_eq!(tbs_group(kb(), kb().t(Th::TbsHigh) - 0.001), "medium");
        assert_eq!(tbs_group(kb(), kb().t(Th::TbsHigh)), "high");
    }

    #[test]
    fn game_points() {
        let mut c = bowel();
        c.cea_ng_ml = Some(19.9);
        c.liver.largest_tumour_cm = Some(1.0);
        assert_eq!(game(kb(), &c).unwrap(), GroupedScore { value: 0, group: "low" });
        c.cea_ng_ml = Some(20.0);
        assert_eq!(game(kb(), &c).unwrap().value, 1);
        c.biomarkers.insert(Biomarker::Kras, BiomarkerValue::G12c);
        assert_eq!(game(kb(), &c).unwrap(), GroupedScore { value: 2, group: "medium" });
        c.liver.largest_tumour_cm = Some(9.0); // TBS > 9
        assert_eq!(game(kb(), &c).unwrap().value, 4);
        c.spread_elsewhere = Some(vec![Spread::Lung]);
        assert_eq!(game(kb(), &c).unwrap(), GroupedScore { value: 6, group: "high" });
        c.spread_elsewhere = None;
        assert!(game(kb(), &c).is_none(), "unknown spread means no GAME score");
    }

    #[test]
    fn remnant_thresholds_by_condition() {
        let mut c = Case::new(PrimarySite::Bowel);
        c.liver.future_liver_remnant_percent = Some(30.0);
        assert!(remnant(kb(), &c).is_none());
        c.liver.liver_condition = Some(LiverCondition::Normal);
        assert_eq!(remnant(kb(), &c).unwrap(), RemnantScore { value: 30.0, threshold: 20, adequate: true });
        c.liver.liver_condition = Some(LiverCondition::ChemotherapyInjured);
        assert!(remnant(kb(), &c).unwrap().adequate, "30 is exactly adequate after chemotherapy injury");
        c.liver.future_liver_remnant_percent = Some(29.9);
        assert!(!remnant(kb(), &c).unwrap().adequate);
        c.liver.liver_condition = Some(LiverCondition::Cirrhosis);
        c.liver.future_liver_remnant_percent = Some(40.0);
        assert_eq!(remnant(kb(), &c).unwrap().threshold, 40);
        assert!(remnant(kb(), &c).unwrap().adequate);
    }
}
