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
//! - *Contract 8.1 facts,* drawn from a stream of their own so the facts above
//!   are unchanged for every seed: age 30-90 (median 66); primary removed;
//!   completed lines 0-3, most at 0-1, agreeing with the chemotherapy history
//!   (none for the untreated, at least one after the cancer grew or the drugs
//!   were stopped); what was given following the site's usual sequence of
//!   regimens and its biomarkers (FOLFOX then FOLFIRI then trifluridine-
//!   tipiracil for bowel, endocrine with CDK4/6 first for ER+ breast, an EGFR
//!   tablet first for EGFR lung, imatinib then a VEGF TKI for GIST, ...), with
//!   adjuvant treatment and liver procedures now and then; platinum
//!   sensitivity only after platinum, castration resistance only for prostate,
//!   endocrine resistance only for breast and womb after endocrine therapy;
//!   bilirubin log-normal and mostly normal, a few jaundiced (more with
//!   extensive disease) with jaundice, bile-duct blockage, albumin and
//!   Child-Pugh agreeing; ascites more with peritoneal spread; the share of
//!   liver replaced following the tumour count; histology by site; NET
//!   origin, grade and Ki-67 agreeing (NEC is G3); PD-L1 TPS for lung and CPS
//!   for stomach and oesophagus inside the PD-L1 band drawn; HER2 IHC agreeing
//!   with HER2 (some HER2-0 breast cancers ultralow); BRCA origin only with
//!   BRCA present; HRD and FR-alpha for ovary, claudin 18.2 for stomach and
//!   oesophagus, PDGFRA D842V for GIST, TMB-high now and then.
//! - *Missing information:* every optional field is left out at a realistic
//!   rate (e.g. the remnant-liver volume is usually unknown), so the
//!   `depends` paths of the engine are exercised too.

use std::collections::BTreeMap;
use std::io::{self, Write};

use hepatica_engine::{
    Ascites, Biomarker as B, BiomarkerValue as V, BowelSide, BrcaOrigin, Case, ChemoHistory, ChildPugh, Her2Ihc, Histology, Liver,
    LiverCondition, NetOrigin, PreviousTreatment as T, PrimarySite as P, Spread, TumourGrade,
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
    clinical_depth(&mut c, seed, index);
    c
}

/// The contract 8.1 facts of a case, drawn from their own stream so the facts
/// of contract 1.0 stay exactly what they were for every seed.
fn clinical_depth(c: &mut Case, seed: u64, index: u64) {
    let mut r = Rng::for_item(seed ^ 0x0811_0811_0811_0811, index);
    let r = &mut r;
    let site = c.primary_site;
    c.age_years = r.chance(0.85).then(|| (66.0 + 11.0 * r.normal()).round().clamp(30.0, 90.0) as u8);
    c.primary_resected = r.chance(0.75).then(|| {
        r.chance(match site {
            P::Bowel => 0.6,
            P::Breast | P::Kidney | P::Gist | P::Melanoma | P::UvealMelanoma => 0.7,
            P::Unknown => 0.0,
            _ => 0.35,
        })
    });
    treatment_history(c, r);
    liver_function(c, r);
    if r.chance(0.4)
        && let Some(n) = c.liver.tumour_count
    {
        let (lo, hi) = match n {
            1..=3 => (2.0, 20.0),
            4..=9 => (10.0, 40.0),
            _ => (20.0, 80.0),
        };
        c.liver.percent_liver_replaced = Some((lo + (hi - lo) * r.unit()).round());
    }
    pathology(c, r);
    biomarker_detail(c, r);
    let on_treatment = matches!(c.chemotherapy_history, Some(ChemoHistory::Responding | ChemoHistory::Stable));
    if on_treatment && r.chance(0.4) {
        c.months_disease_controlled = Some(r.log_normal(6.0, 0.7).round().clamp(1.0, 120.0));
    }
}

/// The drug classes of each line of treatment for the spread cancer, first line first, by site.
fn regimens(c: &Case, r: &mut Rng) -> Vec<Vec<T>> {
    let has = |b: B, v: V| c.biomarker(b) == Some(v);
    match c.primary_site {
        P::Bowel => {
            let ras_wt = has(B::Kras, V::WildType) && !has(B::Nras, V::Mutant);
            let biologic = if ras_wt && c.bowel_side == Some(BowelSide::Left) && r.chance(0.6) { T::AntiEgfr } else { T::AntiVegf };
            let (first, second) = if r.chance(0.65) { (T::Oxaliplatin, T::Irinotecan) } else { (T::Irinotecan, T::Oxaliplatin) };
            vec![
                vec![T::Fluoropyrimidine, first, biologic],
                vec![T::Fluoropyrimidine, second, T::AntiVegf],
                vec![T::TrifluridineTipiracil, T::AntiVegf],
            ]
        }
        P::Breast => {
            if has(B::Her2, V::Positive) {
                vec![vec![T::Her2Targeted, T::Taxane], vec![T::TrastuzumabDeruxtecan], vec![T::Her2Targeted, T::Fluoropyrimidine]]
            } else if has(B::Er, V::Positive) {
                vec![vec![T::Endocrine, T::Cdk46Inhibitor], vec![T::Endocrine, T::Pi3kAktInhibitor], vec![T::Taxane]]
            } else {
                vec![vec![T::Taxane, T::Immunotherapy], vec![T::Topo1Adc], vec![T::Anthracycline]]
            }
        }
        P::Prostate => vec![
            vec![T::AndrogenDeprivation, T::AndrogenReceptorInhibitor],
            vec![T::AndrogenDeprivation, T::Taxane],
            vec![T::AndrogenDeprivation, T::Cabazitaxel],
        ],
        P::Lung => {
            if has(B::Egfr, V::Present) {
                vec![vec![T::EgfrTki], vec![T::Platinum], vec![T::Taxane]]
            } else if has(B::Alk, V::Present) {
                vec![vec![T::AlkTki], vec![T::AlkTki], vec![T::Platinum]]
            } else {
                vec![vec![T::Platinum, T::Immunotherapy], vec![T::Taxane], vec![T::Gemcitabine]]
            }
        }
        P::Pancreas => {
            if r.chance(0.5) {
                vec![vec![T::Fluoropyrimidine, T::Oxaliplatin, T::Irinotecan], vec![T::Gemcitabine, T::Taxane]]
            } else {
                vec![vec![T::Gemcitabine, T::Taxane], vec![T::Fluoropyrimidine, T::Irinotecan]]
            }
        }
        P::Stomach | P::Oesophagus => {
            let extra = if has(B::Her2, V::Positive) { T::Her2Targeted } else { T::Immunotherapy };
            vec![vec![T::Fluoropyrimidine, T::Oxaliplatin, extra], vec![T::Taxane], vec![T::TrifluridineTipiracil]]
        }
        P::Neuroendocrine => vec![vec![T::SomatostatinAnalogue], vec![T::Prrt], vec![T::MtorInhibitor]],
        P::Gist => vec![vec![T::Imatinib], vec![T::VegfTki], vec![T::VegfTki]],
        P::Melanoma => {
            if has(B::BrafV600, V::Present) && r.chance(0.3) {
                vec![vec![T::BrafInhibitor], vec![T::Immunotherapy]]
            } else {
                vec![vec![T::Immunotherapy], vec![T::BrafInhibitor]]
            }
        }
        P::UvealMelanoma => {
            if has(B::HlaA0201, V::Present) {
                vec![vec![T::Tebentafusp], vec![T::Immunotherapy]]
            } else {
                vec![vec![T::Immunotherapy]]
            }
        }
        P::Kidney => vec![vec![T::Immunotherapy, T::VegfTki], vec![T::VegfTki], vec![T::MtorInhibitor]],
        P::Ovary => {
            let mut first = vec![T::Platinum, T::Taxane];
            if has(B::Brca, V::Present) && r.chance(0.7) {
                first.push(T::ParpInhibitor);
            }
            vec![first, vec![T::Platinum, T::Gemcitabine], vec![T::Anthracycline]]
        }
        P::Womb => vec![vec![T::Platinum, T::Taxane], vec![T::Immunotherapy, T::VegfTki], vec![T::Endocrine]],
        P::Unknown | P::Other => vec![vec![T::Platinum, T::Taxane], vec![T::Fluoropyrimidine, T::Oxaliplatin]],
    }
}

/// Lines, what was given (consistent with the site, its biomarkers, the lines
/// and the chemotherapy history), and the resistance facts that follow.
fn treatment_history(c: &mut Case, r: &mut Rng) {
    if !r.chance(0.75) {
        return;
    }
    let plan = regimens(c, r);
    // Ended lines: none for someone not yet treated; most at 0-1 otherwise.
    let lines: usize = match c.chemotherapy_history {
        Some(ChemoHistory::None) => 0,
        Some(ChemoHistory::Responding | ChemoHistory::Stable) => r.pick(&[(0usize, 60.0), (1, 28.0), (2, 9.0), (3, 3.0)]),
        Some(ChemoHistory::Refractory | ChemoHistory::Intolerant) => r.pick(&[(1usize, 50.0), (2, 30.0), (3, 20.0)]),
        None => r.pick(&[(0usize, 50.0), (1, 30.0), (2, 14.0), (3, 6.0)]),
    };
    let on_now = matches!(c.chemotherapy_history, Some(ChemoHistory::Responding | ChemoHistory::Stable));
    let given = (lines + usize::from(on_now)).min(plan.len());
    let lines = lines.min(given);
    let (site, resected, removable) = (c.primary_site, c.primary_resected, c.liver.all_removable);
    let er_positive = c.biomarker(B::Er) == Some(V::Positive);
    let th = &mut c.treatment_history;
    th.lines_of_systemic_therapy = r.chance(0.85).then_some(lines as u8);
    if r.chance(0.8) {
        let mut previous: Vec<T> = Vec::new();
        let mut add = |t: T| {
            if !previous.contains(&t) {
                previous.push(t);
            }
        };
        for regimen in plan.iter().take(given) {
            regimen.iter().copied().for_each(&mut add);
        }
        // Adjuvant treatment after an operation on the primary, counted in `previous` only.
        if given == 0 && resected == Some(true) && r.chance(0.3) {
            match site {
                P::Bowel | P::Stomach | P::Oesophagus => [T::Fluoropyrimidine, T::Oxaliplatin].into_iter().for_each(&mut add),
                P::Breast if er_positive => add(T::Endocrine),
                P::Breast => [T::Anthracycline, T::Taxane].into_iter().for_each(&mut add),
                _ => {}
            }
        }
        if removable == Some(true) && r.chance(0.15) {
            add(T::LiverSurgery);
        }
        if r.chance(0.05) {
            add(r.pick(&[(T::Ablation, 50.0), (T::Tace, 20.0), (T::Sirt, 20.0), (T::LiverRadiotherapy, 10.0)]));
        }
        // In contract order, as the engine's serialiser writes it.
        previous.sort_by_key(|t| T::ALL.iter().position(|x| x == t));
        th.previous = Some(previous);
    }
    let had = |t: T| plan.iter().take(given).any(|reg| reg.contains(&t));
    if had(T::Platinum) && r.chance(0.7) {
        th.platinum_sensitive = Some(r.chance(if site == P::Ovary && lines <= 1 { 0.65 } else { 0.4 }));
    }
    if site == P::Prostate && given > 0 && r.chance(0.85) {
        th.castration_resistant = Some(lines >= 1 || r.chance(0.3));
    }
    if matches!(site, P::Breast | P::Womb) && had(T::Endocrine) && r.chance(0.7) {
        th.endocrine_resistant = Some(lines >= 1 || r.chance(0.2));
    }
}

/// Bilirubin (log-normal, mostly normal, a few jaundiced), albumin, ascites,
/// jaundice and bile-duct blockage agreeing with the bilirubin, and Child-Pugh
/// mostly where the liver is scarred.
fn liver_function(c: &mut Case, r: &mut Rng) {
    let extensive = c.liver.tumour_count.is_some_and(|n| n >= 10);
    let jaundiced = r.chance(if extensive { 0.1 } else { 0.03 });
    let f = &mut c.liver_function;
    if r.chance(0.2) {
        f.bilirubin_uln_umol_l = Some(r.pick(&[(21.0, 60.0), (20.0, 20.0), (17.0, 20.0)]));
    }
    let uln = f.bilirubin_uln_umol_l.unwrap_or(hepatica_engine::LiverFunction::DEFAULT_BILIRUBIN_ULN);
    let bilirubin =
        if jaundiced { r.log_normal(3.5 * uln, 0.5).clamp(2.0 * uln, 600.0) } else { r.log_normal(9.0, 0.4).clamp(2.0, 1.4 * uln) };
    if r.chance(0.6) {
        f.bilirubin_umol_l = Some(bilirubin.round());
    }
    if r.chance(0.55) {
        f.albumin_g_l = Some((if jaundiced { 31.0 } else { 39.0 } + 4.5 * r.normal()).round().clamp(15.0, 55.0));
    }
    if r.chance(0.5) {
        f.jaundice = Some(jaundiced);
    }
    if r.chance(0.4) {
        f.biliary_obstruction = Some(r.chance(if jaundiced { 0.5 } else { 0.02 }));
    }
    let peritoneum = c.spread_elsewhere.as_ref().is_some_and(|s| s.contains(&Spread::Peritoneum));
    if r.chance(0.5) {
        let severe = if peritoneum || jaundiced { 12.0 } else { 3.0 };
        f.ascites =
            Some(r.pick(&[(Ascites::None, 100.0 - severe * 2.5), (Ascites::Mild, severe * 1.5), (Ascites::ModerateSevere, severe)]));
    }
    let cirrhosis = c.liver.liver_condition == Some(LiverCondition::Cirrhosis);
    if r.chance(if cirrhosis { 0.8 } else { 0.15 }) {
        f.child_pugh = Some(if jaundiced || f.ascites == Some(Ascites::ModerateSevere) {
            r.pick(&[(ChildPugh::B, 60.0), (ChildPugh::C, 40.0)])
        } else if cirrhosis {
            r.pick(&[(ChildPugh::A, 70.0), (ChildPugh::B, 30.0)])
        } else {
            ChildPugh::A
        });
    }
}

/// Histology by site; NET origin, grade and Ki-67 that agree with each other; carcinoid syndrome.
fn pathology(c: &mut Case, r: &mut Rng) {
    use Histology as H;
    let site = c.primary_site;
    let histology = match site {
        P::Bowel => Some(r.pick(&[(H::Adenocarcinoma, 90.0), (H::Mucinous, 8.0), (H::SignetRing, 2.0)])),
        P::Lung => Some(r.pick(&[(H::Adenocarcinoma, 60.0), (H::Squamous, 23.0), (H::SmallCell, 14.0), (H::LargeCell, 3.0)])),
        P::Oesophagus => Some(r.pick(&[(H::Adenocarcinoma, 65.0), (H::Squamous, 35.0)])),
        P::Stomach => Some(r.pick(&[(H::Adenocarcinoma, 85.0), (H::SignetRing, 15.0)])),
        P::Breast => Some(r.pick(&[(H::Ductal, 80.0), (H::Lobular, 15.0), (H::Other, 5.0)])),
        P::Kidney => Some(r.pick(&[(H::ClearCell, 75.0), (H::Papillary, 15.0), (H::Chromophobe, 5.0), (H::Sarcomatoid, 5.0)])),
        P::Ovary => Some(r.pick(&[
            (H::HighGradeSerous, 72.0),
            (H::LowGradeSerous, 5.0),
            (H::Endometrioid, 9.0),
            (H::ClearCellOvarian, 8.0),
            (H::Mucinous, 4.0),
            (H::Carcinosarcoma, 2.0),
        ])),
        P::Womb => Some(r.pick(&[(H::Endometrioid, 70.0), (H::Serous, 15.0), (H::Carcinosarcoma, 8.0), (H::Other, 7.0)])),
        P::Pancreas | P::Prostate => Some(H::Adenocarcinoma),
        P::Neuroendocrine => Some(r.pick(&[(H::WellDifferentiatedNet, 85.0), (H::NeuroendocrineCarcinoma, 15.0)])),
        P::Unknown => Some(r.pick(&[(H::Adenocarcinoma, 60.0), (H::Squamous, 10.0), (H::Other, 30.0)])),
        P::Melanoma | P::UvealMelanoma | P::Gist | P::Other => None,
    };
    if r.chance(0.6) {
        c.histology = histology;
    }
    if site != P::Neuroendocrine {
        return;
    }
    let origin = r.pick(&[
        (NetOrigin::SmallBowel, 35.0),
        (NetOrigin::Pancreas, 35.0),
        (NetOrigin::Lung, 10.0),
        (NetOrigin::Stomach, 4.0),
        (NetOrigin::LargeBowel, 4.0),
        (NetOrigin::Other, 2.0),
        (NetOrigin::Unknown, 10.0),
    ]);
    c.net_origin = r.chance(0.85).then_some(origin);
    let grade = if histology == Some(H::NeuroendocrineCarcinoma) {
        TumourGrade::G3
    } else {
        r.pick(&[(TumourGrade::G1, 35.0), (TumourGrade::G2, 52.0), (TumourGrade::G3, 13.0)])
    };
    c.tumour_grade = r.chance(0.85).then_some(grade);
    if r.chance(0.75) {
        let (lo, hi) = match grade {
            TumourGrade::G1 => (0.5, 2.9),
            TumourGrade::G2 => (3.0, 20.0),
            TumourGrade::G3 if histology == Some(H::NeuroendocrineCarcinoma) => (55.0, 95.0),
            TumourGrade::G3 => (21.0, 55.0),
        };
        c.ki67_percent = Some(round1(lo + (hi - lo) * r.unit()));
    }
    if r.chance(0.8) {
        c.carcinoid_syndrome = Some(r.chance(if origin == NetOrigin::SmallBowel { 0.4 } else { 0.05 }));
    }
}

/// Scores and detail that agree with the results already drawn: PD-L1 scores
/// with the PD-L1 band, the HER2 IHC score with HER2 (some HER2-0 breast
/// cancers become ultralow), BRCA origin only with BRCA present; and the newer
/// tests where they are done.
fn biomarker_detail(c: &mut Case, r: &mut Rng) {
    let site = c.primary_site;
    if c.biomarkers.is_empty() {
        return;
    }
    let pd_l1 = c.biomarker(B::PdL1);
    let b = &mut c.biomarkers;
    match (site, pd_l1) {
        (P::Lung, Some(band)) if r.chance(0.8) => {
            b.pd_l1_tps = Some(match band {
                V::High => r.range(50, 100),
                V::Positive => r.range(1, 49),
                _ => 0,
            } as f64);
        }
        (P::Stomach | P::Oesophagus, Some(band)) if r.chance(0.8) => {
            b.pd_l1_cps = Some(match band {
                V::High => r.range(10, 80),
                V::Positive => r.range(1, 9),
                _ => 0,
            } as f64);
            if site == P::Oesophagus && r.chance(0.3) {
                b.pd_l1_tps = Some(match band {
                    V::Negative => 0,
                    _ => r.range(1, 60),
                } as f64);
            }
        }
        _ => {}
    }
    if matches!(site, P::Breast | P::Stomach | P::Oesophagus)
        && let Some(her2) = b.get(&B::Her2).copied()
        && r.chance(0.7)
    {
        let ihc = match her2 {
            V::Positive => r.pick(&[(Her2Ihc::Three, 80.0), (Her2Ihc::TwoIshPositive, 20.0)]),
            V::Low => r.pick(&[(Her2Ihc::One, 55.0), (Her2Ihc::TwoIshNegative, 45.0)]),
            _ if site == P::Breast && r.chance(0.3) => Her2Ihc::Ultralow,
            _ => Her2Ihc::Zero,
        };
        if ihc == Her2Ihc::Ultralow {
            b.insert(B::Her2, V::Ultralow);
        }
        b.her2_ihc = Some(ihc);
    }
    if b.get(&B::Brca) == Some(&V::Present) && r.chance(0.8) {
        let germline = match site {
            P::Pancreas => 0.85,
            P::Breast => 0.8,
            P::Ovary => 0.65,
            _ => 0.5,
        };
        b.brca_origin = Some(if r.chance(germline) { BrcaOrigin::Germline } else { BrcaOrigin::Somatic });
    }
    let pa = |r: &mut Rng, p: f64| if r.chance(p) { V::Present } else { V::Absent };
    let pn = |r: &mut Rng, p: f64| if r.chance(p) { V::Positive } else { V::Negative };
    match site {
        P::Ovary => {
            if r.chance(0.6) {
                let hrd = if b.get(&B::Brca) == Some(&V::Present) { V::Positive } else { pn(r, 0.35) };
                b.insert(B::Hrd, hrd);
            }
            if r.chance(0.4) {
                b.insert(B::FrAlpha, pn(r, 0.35));
            }
        }
        P::Stomach | P::Oesophagus if r.chance(0.5) => {
            b.insert(B::Cldn182, pn(r, 0.38));
        }
        P::Gist => {
            if let Some(pdgfra) = b.get(&B::Pdgfra).copied() {
                let d842v = if pdgfra == V::Present { pa(r, 0.6) } else { V::Absent };
                b.insert(B::PdgfraD842v, d842v);
            }
        }
        P::Unknown | P::Other | P::Bowel | P::Womb if r.chance(0.15) => {
            let high = b.get(&B::Msi) == Some(&V::High);
            let tmb = if high { V::Present } else { pa(r, 0.05) };
            b.insert(B::TmbHigh, tmb);
        }
        _ => {}
    }
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
    fn the_new_facts_are_consistent_and_apply_to_their_site() {
        let kb = hepatica_knowledge::Knowledge::embedded();
        for i in 0..1500 {
            let c = case(11, i);
            let b = &c.biomarkers;
            if let (Some(ihc), Some(her2)) = (b.her2_ihc, c.biomarker(B::Her2)) {
                assert_eq!(ihc.status(), her2, "case {i}");
            }
            assert!(b.her2_ihc.is_none() || c.biomarker(B::Her2).is_some(), "case {i}: HER2 IHC without HER2");
            assert!(b.brca_origin.is_none() || c.biomarker(B::Brca) == Some(V::Present), "case {i}: BRCA origin without BRCA present");
            let th = &c.treatment_history;
            if c.chemotherapy_history == Some(ChemoHistory::None) {
                assert_eq!(th.lines_of_systemic_therapy.unwrap_or(0), 0, "case {i}");
            }
            if th.platinum_sensitive.is_some() && th.previous.is_some() {
                assert_eq!(th.had(T::Platinum), Some(true), "case {i}: platinum sensitivity without platinum");
            }
            if let (Some(f), Some(j)) = (c.liver_function.bilirubin_times_uln(), c.liver_function.jaundice) {
                assert_eq!(j, f >= 2.0, "case {i}: jaundice {j} with bilirubin {f:.1} x ULN");
            }
            if let (Some(g), Some(k)) = (c.tumour_grade, c.ki67_percent) {
                let ok = match g {
                    TumourGrade::G1 => k < 3.0,
                    TumourGrade::G2 => (3.0..=20.0).contains(&k),
                    TumourGrade::G3 => k > 20.0,
                };
                assert!(ok, "case {i}: {g:?} with Ki-67 {k}");
            }
            if i < 400 {
                let a = hepatica_engine::assess(kb, &c, hepatica_engine::Audience::Clinician);
                assert!(a.input_warnings.is_empty(), "case {i}: {:?}\n{}", a.input_warnings, serde_json::to_string(&c).unwrap());
            }
        }
    }

    #[test]
    fn the_new_facts_come_at_realistic_rates() {
        let n = 20_000;
        let cases: Vec<Case> = (0..n).map(|i| case(3, i)).collect();
        let share = |f: &dyn Fn(&Case) -> bool| cases.iter().filter(|c| f(c)).count() as f64 / n as f64;
        let lines_given = share(&|c| c.treatment_history.lines_of_systemic_therapy.is_some());
        let low_lines = share(&|c| matches!(c.treatment_history.lines_of_systemic_therapy, Some(0 | 1)));
        assert!(lines_given > 0.5 && low_lines / lines_given > 0.7, "{lines_given} {low_lines}");
        assert!(cases.iter().all(|c| c.treatment_history.lines_of_systemic_therapy.is_none_or(|n| n <= 3)));
        let jaundiced = share(&|c| c.liver_function.bilirubin_times_uln().is_some_and(|x| x >= 2.0));
        let bilirubin = share(&|c| c.liver_function.bilirubin_umol_l.is_some());
        assert!(jaundiced / bilirubin > 0.01 && jaundiced / bilirubin < 0.1, "{jaundiced} of {bilirubin}");
        assert!(cases.iter().all(|c| c.age_years.is_none_or(|a| (30..=90).contains(&a))));
        assert!(share(&|c| c.age_years.is_some()) > 0.8);
        let bowel_oxali =
            cases.iter().filter(|c| c.primary_site == P::Bowel && c.treatment_history.had(T::Oxaliplatin) == Some(true)).count();
        let bowel_taxane = cases.iter().filter(|c| c.primary_site == P::Bowel && c.treatment_history.had(T::Taxane) == Some(true)).count();
        assert!(bowel_oxali > 1000 && bowel_taxane == 0, "{bowel_oxali} {bowel_taxane}");
        assert!(cases.iter().any(|c| c.primary_site == P::Breast && c.biomarkers.her2_ihc == Some(Her2Ihc::Ultralow)));
        assert!(cases.iter().any(|c| c.biomarkers.brca_origin == Some(BrcaOrigin::Germline)));
        assert!(cases.iter().filter(|c| c.primary_site == P::Lung).any(|c| c.biomarkers.pd_l1_tps.is_some()));
        assert!(cases.iter().filter(|c| c.primary_site == P::Neuroendocrine).any(|c| c.tumour_grade.is_some() && c.ki67_percent.is_some()));
        assert!(cases.iter().all(|c| c.histology.is_none_or(|h| h.sites().is_none_or(|s| s.contains(&c.primary_site)))));
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
