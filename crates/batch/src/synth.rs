//! Realistic synthetic cases for tests and benchmarks (`hepatica synth`).
//!
//! **Deterministic:** case `i` of seed `s` depends only on `(s, i)`, drawn
//! from its own splitmix64 stream, so the same seed gives the same file byte
//! for byte, a shorter run is a prefix of a longer one, and turning
//! `invalid_rate` on changes only the lines it picks.
//!
//! **Valid:** every case is a [`Case`] value serialised by the engine's own
//! serialiser with values inside the contract's ranges, so every valid line
//! passes `case_from_json` (a test checks thousands).
//!
//! **Plausible, not epidemiology.** The mix imitates the people a liver
//! multidisciplinary team sees, from the facts in `shared/domain`
//! (seed-facts.md, clinical-evidence.md); it is for exercising the software,
//! never for drawing clinical conclusions:
//!
//! - *Primary sites:* bowel is the commonest source of liver metastases (about
//!   45% here), then pancreas, breast, lung, stomach, oesophagus,
//!   neuroendocrine, unknown primary and the rarer ones ([`SITE_MIX`]).
//! - *Biomarkers, per site, at roughly published frequencies:* bowel RAS
//!   mutant ~45% (KRAS G12C ~3%), BRAF V600 ~9% of RAS wild-type, MSI-high
//!   ~4% (more often right-sided), HER2-amplified ~3%; breast ER+ ~72%, HER2+
//!   ~18% and HER2-low ~37% of the rest, PIK3CA, ESR1, BRCA; prostate PSMA,
//!   BRCA/HRR; lung EGFR/ALK/ROS1/RET/MET/KRAS G12C drivers (mutually
//!   exclusive) and PD-L1; melanoma BRAF ~45%; uveal HLA-A*02:01 ~48%; NET
//!   SSTR+ ~80%; GIST KIT ~78%; stomach/oesophagus HER2, MSI; womb MSI-high
//!   ~28%. About 15% of cases have no biomarker results at all (not tested).
//! - *Liver burden:* limited (1-3 tumours), intermediate (4-9) or extensive
//!   (10-100) disease, limited disease commonest for bowel and NET; largest
//!   tumour log-normal (median about 3 cm, 0.5-25 cm); both lobes more likely
//!   with more tumours; the team's "all removable" judgement mostly for
//!   limited disease; future liver remnant 10-90% where resection is planned;
//!   chemotherapy-injured liver after chemotherapy, occasional cirrhosis.
//! - *Spread elsewhere:* liver-only disease about half the time for bowel,
//!   NET, GIST and uveal melanoma, less for the others; site-typical places
//!   (bone for breast and prostate, brain and adrenal for lung, ...).
//! - *Performance status* mostly 0-1, some 2-4; fitness for major surgery
//!   following it; chemotherapy history, node status, disease-free interval
//!   (a third synchronous) and CEA (bowel: log-normal, median ~12 ng/mL, a
//!   few over 200).
//! - *Missing information:* every optional field is left out at a realistic
//!   rate (e.g. the remnant-liver volume is usually unknown), so the
//!   `depends` paths of the engine are exercised too.

use std::collections::BTreeMap;
use std::io::{self, Write};

use hepatica_engine::{
    Biomarker as B, BiomarkerValue as V, BowelSide, Case, ChemoHistory, Liver, LiverCondition, PrimarySite as P, Spread,
};

/// The mix of primary sites, as relative weights.
pub const SITE_MIX: &[(P, f64)] = &[
    (P::Bowel, 45.0),
    (P::Pancreas, 9.0),
    (P::Breast, 8.0),
    (P::Lung, 8.0),
    (P::Stomach, 5.0),
    (P::Oesophagus, 4.0),
    (P::Neuroendocrine, 4.0),
    (P::Unknown, 3.0),
    (P::Melanoma, 2.0),
    (P::Kidney, 2.0),
    (P::Prostate, 2.0),
    (P::Ovary, 2.0),
    (P::Other, 2.0),
    (P::UvealMelanoma, 1.5),
    (P::Womb, 1.5),
    (P::Gist, 1.0),
];

/// A small, fast, seedable generator (splitmix64, Steele, Lea and Flood 2014).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The stream for item `index` of `seed`.
    pub fn for_item(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed);
        let a = r.next_u64();
        let mut r = Rng(a ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A whole number in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % u64::from(hi - lo + 1)) as u32
    }

    /// One item of a weighted list.
    pub fn pick<T: Copy>(&mut self, weighted: &[(T, f64)]) -> T {
        let total: f64 = weighted.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (item, w) in weighted {
            if x < *w {
                return *item;
            }
            x -= w;
        }
        weighted[weighted.len() - 1].0
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and log-scale spread.
    pub fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The id of case `index` of `seed`.
pub fn case_id(seed: u64, index: u64) -> String {
    format!("synth-{seed}-{index:07}")
}

/// Synthetic case number `index` (0-based) for `seed`.
pub fn case(seed: u64, index: u64) -> Case {
    let mut r = Rng::for_item(seed, index);
    let site = r.pick(SITE_MIX);
    let mut c = Case::new(site);
    c.id = Some(case_id(seed, index));
    if site == P::Bowel && r.chance(0.9) {
        c.bowel_side = Some(if r.chance(0.65) { BowelSide::Left } else { BowelSide::Right });
    }
    if r.chance(0.85) {
        c.biomarkers = biomarkers(&mut r, site, c.bowel_side).into();
    }
    c.chemotherapy_history = r.chance(0.9).then(|| {
        r.pick(&[
            (ChemoHistory::None, 40.0),
            (ChemoHistory::Responding, 22.0),
            (ChemoHistory::Stable, 16.0),
            (ChemoHistory::Refractory, 14.0),
            (ChemoHistory::Intolerant, 8.0),
        ])
    });
    c.liver = liver(&mut r, site, c.chemotherapy_history);
    c.spread_elsewhere = r.chance(0.9).then(|| spread(&mut r, site));
    c.performance_status = r.chance(0.92).then(|| r.pick(&[(0u8, 30.0), (1, 42.0), (2, 16.0), (3, 9.0), (4, 3.0)]));
    c.fit_for_major_surgery = r.chance(0.65).then(|| {
        let p = match c.performance_status {
            Some(0 | 1) => 0.85,
            Some(2) => 0.35,
            Some(_) => 0.03,
            None => 0.6,
        };
        r.chance(p)
    });
    let bowel = site == P::Bowel;
    c.primary_node_positive = r.chance(if bowel { 0.9 } else { 0.75 }).then(|| r.chance(0.6));
    c.disease_free_interval_months =
        r.chance(0.8).then(|| if r.chance(0.35) { 0.0 } else { (-(1.0 - r.unit()).ln() * 24.0).round().clamp(1.0, 240.0) });
    c.cea_ng_ml = if bowel {
        r.chance(0.85).then(|| round1(r.log_normal(12.0, 1.6).clamp(0.5, 10_000.0)))
    } else {
        r.chance(0.3).then(|| round1(r.log_normal(3.0, 1.0).clamp(0.2, 2_000.0)))
    };
    c
}

fn biomarkers(r: &mut Rng, site: P, side: Option<BowelSide>) -> BTreeMap<B, V> {
    let mut m = BTreeMap::new();
    let set = |m: &mut BTreeMap<B, V>, b: B, v: V| {
        m.insert(b, v);
    };
    let pa = |r: &mut Rng, p: f64| if r.chance(p) { V::Present } else { V::Absent };
    match site {
        P::Bowel => {
            let kras = r.pick(&[(V::WildType, 55.0), (V::Mutant, 42.0), (V::G12c, 3.0)]);
            set(&mut m, B::Kras, kras);
            let ras_wt = kras == V::WildType;
            let nras = if ras_wt && r.chance(0.07) { V::Mutant } else { V::WildType };
            set(&mut m, B::Nras, nras);
            let braf_p = if ras_wt && nras == V::WildType { 0.15 } else { 0.01 };
            let braf = pa(r, braf_p);
            set(&mut m, B::BrafV600, braf);
            let msi_p = match (side, braf) {
                (_, V::Present) => 0.2,
                (Some(BowelSide::Right), _) => 0.06,
                _ => 0.02,
            };
            set(&mut m, B::Msi, if r.chance(msi_p) { V::High } else { V::Stable });
            if r.chance(0.5) {
                set(&mut m, B::Her2, if ras_wt && r.chance(0.06) { V::Positive } else { V::Negative });
            }
            if r.chance(0.3) {
                set(&mut m, B::Ntrk, pa(r, 0.01));
            }
        }
        P::Breast => {
            let er = r.chance(0.72);
            set(&mut m, B::Er, if er { V::Positive } else { V::Negative });
            set(&mut m, B::Pr, if r.chance(if er { 0.7 } else { 0.05 }) { V::Positive } else { V::Negative });
            let her2 = r.pick(&[(V::Positive, 18.0), (V::Low, 37.0), (V::Negative, 45.0)]);
            set(&mut m, B::Her2, her2);
            if er && r.chance(0.7) {
                set(&mut m, B::Pik3ca, pa(r, 0.35));
            }
            if er && r.chance(0.4) {
                set(&mut m, B::Esr1, pa(r, 0.25));
            }
            if r.chance(0.5) {
                set(&mut m, B::Brca, pa(r, 0.06));
            }
            if !er && her2 != V::Positive && r.chance(0.7) {
                set(&mut m, B::PdL1, r.pick(&[(V::Positive, 40.0), (V::Negative, 60.0)]));
            }
        }
        P::Prostate => {
            if r.chance(0.6) {
                set(&mut m, B::Psma, if r.chance(0.85) { V::Positive } else { V::Negative });
            }
            if r.chance(0.6) {
                let brca = pa(r, 0.1);
                set(&mut m, B::Brca, brca);
                set(&mut m, B::Hrr, if brca == V::Present || r.chance(0.13) { V::Present } else { V::Absent });
            }
        }
        P::Lung => {
            let driver = r.pick(&[
                (Some(B::Egfr), 14.0),
                (Some(B::Alk), 4.0),
                (Some(B::Ros1), 1.5),
                (Some(B::BrafV600), 2.0),
                (Some(B::MetEx14), 3.0),
                (Some(B::Ret), 1.5),
                (Some(B::Kras), 12.0),
                (None, 62.0),
            ]);
            for b in [B::Egfr, B::Alk, B::Ros1, B::BrafV600, B::MetEx14, B::Ret] {
                set(&mut m, b, if driver == Some(b) { V::Present } else { V::Absent });
            }
            let kras = if driver == Some(B::Kras) {
                V::G12c
            } else if driver.is_none() && r.chance(0.25) {
                V::Mutant
            } else {
                V::WildType
            };
            set(&mut m, B::Kras, kras);
            if r.chance(0.9) {
                set(&mut m, B::PdL1, r.pick(&[(V::High, 30.0), (V::Positive, 33.0), (V::Negative, 37.0)]));
            }
        }
        P::Melanoma => {
            let braf = pa(r, 0.45);
            set(&mut m, B::BrafV600, braf);
            if braf == V::Absent {
                set(&mut m, B::Nras, if r.chance(0.35) { V::Mutant } else { V::WildType });
            }
            if r.chance(0.2) {
                set(&mut m, B::Kit, pa(r, 0.05));
            }
        }
        P::UvealMelanoma => set(&mut m, B::HlaA0201, pa(r, 0.48)),
        P::Neuroendocrine => set(&mut m, B::Sstr, if r.chance(0.8) { V::Positive } else { V::Negative }),
        P::Gist => {
            let kit = pa(r, 0.78);
            set(&mut m, B::Kit, kit);
            set(&mut m, B::Pdgfra, pa(r, if kit == V::Present { 0.0 } else { 0.4 }));
        }
        P::Stomach | P::Oesophagus => {
            set(&mut m, B::Her2, if r.chance(0.17) { V::Positive } else { V::Negative });
            set(&mut m, B::Msi, if r.chance(if site == P::Stomach { 0.06 } else { 0.03 }) { V::High } else { V::Stable });
            if r.chance(0.7) {
                set(&mut m, B::PdL1, r.pick(&[(V::High, 15.0), (V::Positive, 50.0), (V::Negative, 35.0)]));
            }
        }
        P::Pancreas => {
            set(&mut m, B::Kras, if r.chance(0.9) { V::Mutant } else { V::WildType });
            set(&mut m, B::Brca, pa(r, 0.06));
            if r.chance(0.5) {
                set(&mut m, B::Msi, if r.chance(0.01) { V::High } else { V::Stable });
            }
        }
        P::Ovary => {
            let brca = pa(r, 0.18);
            set(&mut m, B::Brca, brca);
            set(&mut m, B::Hrr, if brca == V::Present || r.chance(0.3) { V::Present } else { V::Absent });
            if r.chance(0.5) {
                set(&mut m, B::Er, if r.chance(0.6) { V::Positive } else { V::Negative });
            }
        }
        P::Womb => {
            set(&mut m, B::Msi, if r.chance(0.28) { V::High } else { V::Stable });
            set(&mut m, B::Er, if r.chance(0.6) { V::Positive } else { V::Negative });
            if r.chance(0.5) {
                set(&mut m, B::Her2, if r.chance(0.1) { V::Positive } else { V::Negative });
            }
        }
        P::Kidney => {}
        P::Unknown | P::Other => {
            if r.chance(0.4) {
                set(&mut m, B::Msi, if r.chance(0.03) { V::High } else { V::Stable });
            }
            if r.chance(0.3) {
                set(&mut m, B::Ntrk, pa(r, 0.01));
            }
        }
    }
    m
}

#[derive(Clone, Copy, PartialEq)]
enum Burden {
    Limited,
    Intermediate,
    Extensive,
}

fn liver(r: &mut Rng, site: P, chemo: Option<ChemoHistory>) -> Liver {
    let limited = match site {
        P::Bowel => 0.5,
        P::Breast | P::Gist | P::Kidney => 0.4,
        P::Neuroendocrine => 0.35,
        _ => 0.3,
    };
    let burden =
        r.pick(&[(Burden::Limited, limited), (Burden::Intermediate, (1.0 - limited) * 0.55), (Burden::Extensive, (1.0 - limited) * 0.45)]);
    let count = match burden {
        Burden::Limited => r.pick(&[(1u32, 50.0), (2, 30.0), (3, 20.0)]),
        Burden::Intermediate => r.range(4, 9),
        Burden::Extensive => (10.0 + r.log_normal(8.0, 0.8)).round().clamp(10.0, 100.0) as u32,
    };
    let median = if burden == Burden::Limited { 2.8 } else { 4.0 };
    let size = round1(r.log_normal(median, 0.6).clamp(0.5, 25.0));
    let both = match count {
        1 => false,
        2 | 3 => r.chance(0.35),
        4..=9 => r.chance(0.75),
        _ => r.chance(0.95),
    };
    let mut l = Liver {
        tumour_count: r.chance(0.92).then_some(count),
        largest_tumour_cm: r.chance(0.9).then_some(size),
        both_lobes: r.chance(0.85).then_some(both),
        near_major_vessels: r.chance(0.7).then(|| r.chance(if size > 5.0 { 0.4 } else { 0.15 })),
        ..Liver::default()
    };
    let resection_minded = matches!(site, P::Bowel | P::Neuroendocrine);
    let removable_p = match burden {
        Burden::Limited => 0.75,
        Burden::Intermediate => 0.35,
        Burden::Extensive => 0.05,
    } * if resection_minded { 1.0 } else { 0.5 };
    l.all_removable = r.chance(0.7).then(|| r.chance(removable_p));
    if l.all_removable == Some(true) && r.chance(0.6) {
        l.future_liver_remnant_percent = Some((55.0 + 15.0 * r.normal()).round().clamp(10.0, 90.0));
    }
    let had_chemo = !matches!(chemo, Some(ChemoHistory::None) | None);
    l.liver_condition = r.chance(0.8).then(|| {
        if had_chemo {
            r.pick(&[(LiverCondition::Normal, 67.0), (LiverCondition::ChemotherapyInjured, 30.0), (LiverCondition::Cirrhosis, 3.0)])
        } else {
            r.pick(&[(LiverCondition::Normal, 94.0), (LiverCondition::ChemotherapyInjured, 2.0), (LiverCondition::Cirrhosis, 4.0)])
        }
    });
    l
}

fn spread(r: &mut Rng, site: P) -> Vec<Spread> {
    let liver_only = match site {
        P::Bowel | P::Gist | P::UvealMelanoma => 0.5,
        P::Neuroendocrine => 0.45,
        P::Breast => 0.3,
        _ => 0.25,
    };
    if r.chance(liver_only) {
        return Vec::new();
    }
    use Spread::*;
    let places: &[(Spread, f64)] = match site {
        P::Bowel => &[(Lung, 40.0), (LymphNodes, 25.0), (Peritoneum, 25.0), (Bone, 5.0), (Adrenal, 3.0), (Brain, 2.0), (Other, 5.0)],
        P::Breast => &[(Bone, 45.0), (Lung, 25.0), (LymphNodes, 25.0), (Brain, 8.0), (Other, 5.0)],
        P::Prostate => &[(Bone, 70.0), (LymphNodes, 30.0), (Lung, 10.0), (Other, 3.0)],
        P::Lung => &[(Bone, 30.0), (Brain, 25.0), (Adrenal, 20.0), (LymphNodes, 30.0), (Other, 5.0)],
        P::Melanoma => &[(Lung, 35.0), (LymphNodes, 30.0), (Brain, 20.0), (Bone, 10.0), (Other, 10.0)],
        P::Pancreas | P::Stomach | P::Oesophagus | P::Ovary => {
            &[(Peritoneum, 40.0), (LymphNodes, 35.0), (Lung, 20.0), (Bone, 5.0), (Other, 5.0)]
        }
        _ => &[(LymphNodes, 35.0), (Lung, 30.0), (Bone, 20.0), (Peritoneum, 10.0), (Other, 5.0)],
    };
    let n = r.pick(&[(1usize, 65.0), (2, 25.0), (3, 10.0)]);
    let mut out: Vec<Spread> = (0..n).map(|_| r.pick(places)).collect();
    out.sort();
    out.dedup();
    out
}

/// Kinds of deliberately invalid line, each a mistake seen in real exports.
const MISTAKES: usize = 7;

/// An invalid line for case `index`: a valid case with one realistic mistake.
pub fn invalid_line(seed: u64, index: u64) -> Vec<u8> {
    let mut r = Rng::for_item(seed ^ 0x5EED_BAD0_5EED_BAD0, index);
    let c = case(seed, index);
    let mut v = serde_json::to_value(&c).unwrap_or_default();
    let kind = (r.next_u64() % MISTAKES as u64) as usize;
    if let Some(obj) = v.as_object_mut() {
        match kind {
            0 => {
                let liver = obj.entry("liver").or_insert_with(|| serde_json::json!({}));
                if let Some(l) = liver.as_object_mut() {
                    let n = l.remove("tumour_count").unwrap_or(serde_json::json!(2));
                    l.insert("tumor_count".into(), n);
                }
            }
            1 => {
                obj.insert("primary_site".into(), "liver".into());
            }
            2 => {
                obj.insert("performance_status".into(), 7.into());
            }
            3 => {
                let liver = obj.entry("liver").or_insert_with(|| serde_json::json!({}));
                if let Some(l) = liver.as_object_mut() {
                    l.insert("largest_tumour_cm".into(), (-2).into());
                }
            }
            4 => {
                let b = obj.entry("biomarkers").or_insert_with(|| serde_json::json!({}));
                if let Some(b) = b.as_object_mut() {
                    b.insert("KRAS".into(), "present".into());
                }
            }
            5 => {
                obj.remove("id");
            }
            _ => {
                let text = v.to_string();
                return text.as_bytes()[..text.len() / 2].to_vec();
            }
        }
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

/// How to generate.
#[derive(Debug, Clone, Copy)]
pub struct SynthOptions {
    /// Number of lines.
    pub count: u64,
    /// Seed.
    pub seed: u64,
    /// Fraction (0-1) of lines made deliberately invalid.
    pub invalid_rate: f64,
}

/// Whether line `index` is one of the deliberately invalid ones.
pub fn is_invalid(seed: u64, index: u64, rate: f64) -> bool {
    rate > 0.0 && Rng::for_item(seed ^ 0xBAD0_BAD0_BAD0_BAD0, index).chance(rate)
}

/// Writes `count` NDJSON lines.
pub fn write<W: Write>(mut out: W, opts: &SynthOptions) -> io::Result<()> {
    let mut line = Vec::with_capacity(1024);
    for i in 0..opts.count {
        line.clear();
        if is_invalid(opts.seed, i, opts.invalid_rate) {
            line.extend_from_slice(&invalid_line(opts.seed, i));
        } else {
            serde_json::to_writer(&mut line, &case(opts.seed, i)).map_err(io::Error::other)?;
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hepatica_engine::case_from_json;

    fn lines(opts: &SynthOptions) -> Vec<String> {
        let mut buf = Vec::new();
        write(&mut buf, opts).unwrap();
        String::from_utf8(buf).unwrap().lines().map(str::to_owned).collect()
    }

    #[test]
    fn every_generated_case_parses_back_to_itself() {
        for i in 0..20_000 {
            let c = case(7, i);
            let json = serde_json::to_vec(&c).unwrap();
            let back = case_from_json(&json).unwrap_or_else(|e| panic!("case {i} invalid: {e:?}\n{}", String::from_utf8_lossy(&json)));
            assert_eq!(back, c);
        }
    }

    #[test]
    fn same_seed_same_lines_and_prefix_property() {
        let a = lines(&SynthOptions { count: 300, seed: 42, invalid_rate: 0.0 });
        let b = lines(&SynthOptions { count: 300, seed: 42, invalid_rate: 0.0 });
        let c = lines(&SynthOptions { count: 100, seed: 42, invalid_rate: 0.0 });
        let d = lines(&SynthOptions { count: 100, seed: 43, invalid_rate: 0.0 });
        assert_eq!(a, b);
        assert_eq!(&a[..100], &c[..]);
        assert_ne!(c, d);
    }

    #[test]
    fn mix_is_plausible() {
        let n = 20_000;
        let cases: Vec<Case> = (0..n).map(|i| case(1, i)).collect();
        let share = |f: &dyn Fn(&Case) -> bool| cases.iter().filter(|c| f(c)).count() as f64 / n as f64;
        let bowel = share(&|c| c.primary_site == P::Bowel);
        assert!((0.42..0.48).contains(&bowel), "bowel {bowel}");
        for (site, _) in SITE_MIX.iter().filter(|(s, _)| *s != P::Bowel) {
            assert!(share(&|c| c.primary_site == *site) < bowel, "bowel is the most common primary");
        }
        let kras_mut =
            cases.iter().filter(|c| c.primary_site == P::Bowel && matches!(c.biomarker(B::Kras), Some(V::Mutant | V::G12c))).count() as f64
                / cases.iter().filter(|c| c.primary_site == P::Bowel && c.biomarker(B::Kras).is_some()).count() as f64;
        assert!((0.4..0.5).contains(&kras_mut), "KRAS mutant among tested bowel {kras_mut}");
        let ps01 = share(&|c| matches!(c.performance_status, Some(0 | 1)));
        assert!(ps01 > 0.6, "{ps01}");
        let liver_only = share(&|c| c.spread_elsewhere.as_ref().is_some_and(Vec::is_empty));
        assert!((0.3..0.45).contains(&liver_only), "{liver_only}");
        assert!(share(&|c| c.liver.future_liver_remnant_percent.is_some()) > 0.05);
        assert!(share(&|c| c.biomarkers.is_empty()) > 0.1);
    }

    #[test]
    fn invalid_lines_only_when_asked_and_only_those_change() {
        let clean = lines(&SynthOptions { count: 2000, seed: 5, invalid_rate: 0.0 });
        assert!(clean.iter().all(|l| case_from_json(l.as_bytes()).is_ok()));
        let dirty = lines(&SynthOptions { count: 2000, seed: 5, invalid_rate: 0.05 });
        let mut bad = 0;
        for (i, (c, d)) in clean.iter().zip(&dirty).enumerate() {
            if is_invalid(5, i as u64, 0.05) {
                bad += 1;
                let parsed = case_from_json(d.as_bytes());
                assert!(parsed.is_err() || parsed.as_ref().is_ok_and(|c| c.id.is_none()), "line {i} should be invalid: {d}");
            } else {
                assert_eq!(c, d);
            }
        }
        assert!((50..170).contains(&bad), "{bad}");
    }
}
