//! The input: one person's situation, as the contract's Case describes it.
//!
//! Every field but `primary_site` is optional, and `None` always means "not
//! known", never "no". The engine treats an unknown value as a reason to say
//! `depends`, not as a default.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in contract order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The contract's wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the contract's wire name.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// Where the cancer started.
    PrimarySite {
        /// Bowel (colorectal).
        Bowel = "bowel",
        /// Breast.
        Breast = "breast",
        /// Prostate.
        Prostate = "prostate",
        /// Lung.
        Lung = "lung",
        /// Melanoma of the skin.
        Melanoma = "melanoma",
        /// Melanoma of the eye.
        UvealMelanoma = "uveal_melanoma",
        /// Neuroendocrine tumour (NET).
        Neuroendocrine = "neuroendocrine",
        /// Pancreas.
        Pancreas = "pancreas",
        /// Stomach.
        Stomach = "stomach",
        /// Oesophagus (food pipe).
        Oesophagus = "oesophagus",
        /// Kidney.
        Kidney = "kidney",
        /// Ovary.
        Ovary = "ovary",
        /// Womb (endometrium).
        Womb = "womb",
        /// Gastrointestinal stromal tumour.
        Gist = "gist",
        /// Cancer of unknown primary.
        Unknown = "unknown",
        /// Any other primary.
        Other = "other",
    }
}

wire_enum! {
    /// Side of the bowel where the primary started.
    BowelSide {
        /// Left-sided (descending, sigmoid colon, rectum).
        Left = "left",
        /// Right-sided (caecum, ascending, transverse colon).
        Right = "right",
    }
}

wire_enum! {
    /// State of the liver outside the tumours.
    LiverCondition {
        /// Healthy liver.
        Normal = "normal",
        /// Injured by earlier chemotherapy.
        ChemotherapyInjured = "chemotherapy_injured",
        /// Scarred (cirrhosis).
        Cirrhosis = "cirrhosis",
    }
}

wire_enum! {
    /// A place outside the liver where the cancer has spread.
    Spread {
        /// Lungs.
        Lung = "lung",
        /// Bones.
        Bone = "bone",
        /// Brain.
        Brain = "brain",
        /// Lymph nodes.
        LymphNodes = "lymph_nodes",
        /// Lining of the abdomen.
        Peritoneum = "peritoneum",
        /// Adrenal glands.
        Adrenal = "adrenal",
        /// Anywhere else.
        Other = "other",
    }
}

wire_enum! {
    /// How the cancer has responded to chemotherapy so far.
    ChemoHistory {
        /// No chemotherapy yet.
        None = "none",
        /// Shrinking on chemotherapy.
        Responding = "responding",
        /// Stable on chemotherapy.
        Stable = "stable",
        /// Grew despite chemotherapy.
        Refractory = "refractory",
        /// Could not tolerate chemotherapy.
        Intolerant = "intolerant",
    }
}

wire_enum! {
    /// A biomarker the contract names.
    Biomarker {
        /// KRAS gene.
        Kras = "KRAS",
        /// NRAS gene.
        Nras = "NRAS",
        /// BRAF V600 mutation.
        BrafV600 = "BRAF_V600",
        /// Microsatellite instability / mismatch repair.
        Msi = "MSI",
        /// HER2.
        Her2 = "HER2",
        /// Oestrogen receptor.
        Er = "ER",
        /// Progesterone receptor.
        Pr = "PR",
        /// NTRK gene fusion.
        Ntrk = "NTRK",
        /// EGFR mutation.
        Egfr = "EGFR",
        /// ALK rearrangement.
        Alk = "ALK",
        /// ROS1 rearrangement.
        Ros1 = "ROS1",
        /// RET fusion.
        Ret = "RET",
        /// MET exon 14 skipping.
        MetEx14 = "MET_EX14",
        /// BRCA1/2 mutation.
        Brca = "BRCA",
        /// Homologous recombination repair gene alteration.
        Hrr = "HRR",
        /// PIK3CA mutation.
        Pik3ca = "PIK3CA",
        /// ESR1 mutation.
        Esr1 = "ESR1",
        /// KIT mutation.
        Kit = "KIT",
        /// PDGFRA mutation.
        Pdgfra = "PDGFRA",
        /// HLA-A*02:01 type.
        HlaA0201 = "HLA_A0201",
        /// Somatostatin receptor (on a scan).
        Sstr = "SSTR",
        /// PSMA (on a scan).
        Psma = "PSMA",
        /// PD-L1 expression.
        PdL1 = "PD_L1",
        /// Homologous recombination deficiency (1.1).
        Hrd = "HRD",
        /// High tumour mutational burden (1.1).
        TmbHigh = "TMB_HIGH",
        /// PDGFRA D842V mutation (GIST, 1.1).
        PdgfraD842v = "PDGFRA_D842V",
        /// Claudin 18.2 (1.1).
        Cldn182 = "CLDN18_2",
        /// Folate receptor alpha (1.1).
        FrAlpha = "FR_ALPHA",
    }
}

wire_enum! {
    /// A biomarker result. Which values a biomarker accepts is [`Biomarker::values`].
    BiomarkerValue {
        /// No mutation.
        WildType = "wild_type",
        /// Mutated.
        Mutant = "mutant",
        /// KRAS G12C (a mutant).
        G12c = "G12C",
        /// Found.
        Present = "present",
        /// Not found.
        Absent = "absent",
        /// MSI-high / dMMR, or PD-L1 50% or more.
        High = "high",
        /// MSS / pMMR.
        Stable = "stable",
        /// Positive.
        Positive = "positive",
        /// HER2-low.
        Low = "low",
        /// HER2-ultralow (1.1).
        Ultralow = "ultralow",
        /// Negative.
        Negative = "negative",
    }
}

wire_enum! {
    /// A treatment given at any time (contract 8.1 `treatment_history.previous`).
    PreviousTreatment {
        /// 5-FU or capecitabine.
        Fluoropyrimidine = "fluoropyrimidine",
        /// Oxaliplatin.
        Oxaliplatin = "oxaliplatin",
        /// Irinotecan.
        Irinotecan = "irinotecan",
        /// Cisplatin or carboplatin.
        Platinum = "platinum",
        /// Paclitaxel or docetaxel.
        Taxane = "taxane",
        /// Cabazitaxel.
        Cabazitaxel = "cabazitaxel",
        /// Doxorubicin, epirubicin.
        Anthracycline = "anthracycline",
        /// Gemcitabine.
        Gemcitabine = "gemcitabine",
        /// Temozolomide.
        Temozolomide = "temozolomide",
        /// Trifluridine-tipiracil.
        TrifluridineTipiracil = "trifluridine_tipiracil",
        /// Cetuximab or panitumumab.
        AntiEgfr = "anti_egfr",
        /// Bevacizumab, aflibercept, ramucirumab.
        AntiVegf = "anti_vegf",
        /// Checkpoint inhibitor immunotherapy.
        Immunotherapy = "immunotherapy",
        /// Trastuzumab, pertuzumab and other HER2 drugs.
        Her2Targeted = "her2_targeted",
        /// Trastuzumab deruxtecan.
        TrastuzumabDeruxtecan = "trastuzumab_deruxtecan",
        /// A topoisomerase-1 antibody-drug conjugate (e.g. sacituzumab govitecan).
        Topo1Adc = "topo1_adc",
        /// Palbociclib, ribociclib, abemaciclib.
        Cdk46Inhibitor = "cdk4_6_inhibitor",
        /// Alpelisib, capivasertib, inavolisib.
        Pi3kAktInhibitor = "pi3k_akt_inhibitor",
        /// Everolimus.
        MtorInhibitor = "mtor_inhibitor",
        /// Hormone (endocrine) therapy.
        Endocrine = "endocrine",
        /// Androgen deprivation therapy.
        AndrogenDeprivation = "androgen_deprivation",
        /// Abiraterone, enzalutamide, apalutamide, darolutamide.
        AndrogenReceptorInhibitor = "androgen_receptor_inhibitor",
        /// Olaparib, niraparib, rucaparib, talazoparib.
        ParpInhibitor = "parp_inhibitor",
        /// EGFR tyrosine kinase inhibitor.
        EgfrTki = "egfr_tki",
        /// ALK tyrosine kinase inhibitor.
        AlkTki = "alk_tki",
        /// BRAF inhibitor.
        BrafInhibitor = "braf_inhibitor",
        /// Sotorasib, adagrasib.
        KrasG12cInhibitor = "kras_g12c_inhibitor",
        /// VEGF tyrosine kinase inhibitor (sunitinib, regorafenib, cabozantinib, lenvatinib, ...).
        VegfTki = "vegf_tki",
        /// Imatinib.
        Imatinib = "imatinib",
        /// Octreotide, lanreotide.
        SomatostatinAnalogue = "somatostatin_analogue",
        /// Peptide receptor radionuclide therapy (Lu-177 dotatate).
        Prrt = "prrt",
        /// Lutetium-177 PSMA.
        LutetiumPsma = "lutetium_psma",
        /// Radium-223.
        Radium223 = "radium_223",
        /// Tebentafusp.
        Tebentafusp = "tebentafusp",
        /// An operation on the liver.
        LiverSurgery = "liver_surgery",
        /// Tumour ablation.
        Ablation = "ablation",
        /// Chemoembolisation.
        Tace = "tace",
        /// Selective internal radiation therapy.
        Sirt = "sirt",
        /// Radiotherapy to the liver (SABR).
        LiverRadiotherapy = "liver_radiotherapy",
    }
}

wire_enum! {
    /// Fluid in the belly (ascites).
    Ascites {
        /// None.
        None = "none",
        /// Mild.
        Mild = "mild",
        /// Moderate or severe.
        ModerateSevere = "moderate_severe",
    }
}

wire_enum! {
    /// Child-Pugh class, as given (not cross-checked).
    ChildPugh {
        /// Class A.
        A = "A",
        /// Class B.
        B = "B",
        /// Class C.
        C = "C",
    }
}

wire_enum! {
    /// What the cancer cells look like under the microscope (contract 8.1).
    Histology {
        /// Adenocarcinoma.
        Adenocarcinoma = "adenocarcinoma",
        /// Squamous cell carcinoma.
        Squamous = "squamous",
        /// Small cell carcinoma.
        SmallCell = "small_cell",
        /// Large cell carcinoma.
        LargeCell = "large_cell",
        /// Clear cell (kidney, womb).
        ClearCell = "clear_cell",
        /// Papillary.
        Papillary = "papillary",
        /// Chromophobe (kidney).
        Chromophobe = "chromophobe",
        /// Sarcomatoid.
        Sarcomatoid = "sarcomatoid",
        /// High-grade serous (ovary).
        HighGradeSerous = "high_grade_serous",
        /// Low-grade serous (ovary).
        LowGradeSerous = "low_grade_serous",
        /// Serous (womb).
        Serous = "serous",
        /// Carcinosarcoma.
        Carcinosarcoma = "carcinosarcoma",
        /// Endometrioid.
        Endometrioid = "endometrioid",
        /// Clear cell (ovary).
        ClearCellOvarian = "clear_cell_ovarian",
        /// Mucinous.
        Mucinous = "mucinous",
        /// Signet ring cell.
        SignetRing = "signet_ring",
        /// Ductal (breast, no special type).
        Ductal = "ductal",
        /// Lobular (breast).
        Lobular = "lobular",
        /// Neuroendocrine carcinoma (poorly differentiated).
        NeuroendocrineCarcinoma = "neuroendocrine_carcinoma",
        /// Well-differentiated neuroendocrine tumour.
        WellDifferentiatedNet = "well_differentiated_net",
        /// Anything else.
        Other = "other",
    }
}

impl Histology {
    /// The primary sites this histology belongs to, where it belongs to few;
    /// `None` for histologies seen at many sites. `unknown` and `other`
    /// primaries accept every histology.
    pub fn sites(self) -> Option<&'static [PrimarySite]> {
        use PrimarySite as P;
        match self {
            Histology::Ductal | Histology::Lobular => Some(&[P::Breast]),
            Histology::HighGradeSerous | Histology::LowGradeSerous | Histology::ClearCellOvarian => Some(&[P::Ovary]),
            Histology::Serous => Some(&[P::Womb]),
            Histology::Endometrioid | Histology::Carcinosarcoma => Some(&[P::Womb, P::Ovary]),
            Histology::Chromophobe => Some(&[P::Kidney]),
            Histology::WellDifferentiatedNet => Some(&[P::Neuroendocrine]),
            _ => None,
        }
    }
}

wire_enum! {
    /// Where a neuroendocrine tumour started.
    NetOrigin {
        /// Pancreas.
        Pancreas = "pancreas",
        /// Small bowel.
        SmallBowel = "small_bowel",
        /// Large bowel.
        LargeBowel = "large_bowel",
        /// Stomach.
        Stomach = "stomach",
        /// Lung.
        Lung = "lung",
        /// Elsewhere.
        Other = "other",
        /// Not known.
        Unknown = "unknown",
    }
}

wire_enum! {
    /// Tumour grade.
    TumourGrade {
        /// Grade 1.
        G1 = "G1",
        /// Grade 2.
        G2 = "G2",
        /// Grade 3.
        G3 = "G3",
    }
}

wire_enum! {
    /// HER2 immunohistochemistry score, with ISH where it was 2+.
    Her2Ihc {
        /// IHC 0 with no staining.
        Zero = "0",
        /// IHC 0 with faint staining in 10% of cells or fewer.
        Ultralow = "ultralow",
        /// IHC 1+.
        One = "1+",
        /// IHC 2+, ISH not amplified.
        TwoIshNegative = "2+_ish_negative",
        /// IHC 2+, ISH amplified.
        TwoIshPositive = "2+_ish_positive",
        /// IHC 3+.
        Three = "3+",
    }
}

impl Her2Ihc {
    /// The HER2 status this score means (contract 8.1).
    pub fn status(self) -> BiomarkerValue {
        match self {
            Her2Ihc::Zero => BiomarkerValue::Negative,
            Her2Ihc::Ultralow => BiomarkerValue::Ultralow,
            Her2Ihc::One | Her2Ihc::TwoIshNegative => BiomarkerValue::Low,
            Her2Ihc::TwoIshPositive | Her2Ihc::Three => BiomarkerValue::Positive,
        }
    }
}

wire_enum! {
    /// Whether a BRCA variant was inherited or found only in the tumour.
    BrcaOrigin {
        /// Inherited (in every cell).
        Germline = "germline",
        /// Only in the tumour.
        Somatic = "somatic",
    }
}

impl Biomarker {
    /// The values this biomarker accepts (besides `unknown`).
    pub fn values(self) -> &'static [BiomarkerValue] {
        use BiomarkerValue::*;
        match self {
            Biomarker::Kras => &[WildType, Mutant, G12c],
            Biomarker::Nras => &[WildType, Mutant],
            Biomarker::Msi => &[High, Stable],
            Biomarker::Her2 => &[Positive, Low, Ultralow, Negative],
            Biomarker::Er
            | Biomarker::Pr
            | Biomarker::Sstr
            | Biomarker::Psma
            | Biomarker::Hrd
            | Biomarker::Cldn182
            | Biomarker::FrAlpha => &[Positive, Negative],
            Biomarker::PdL1 => &[High, Positive, Negative],
            _ => &[Present, Absent],
        }
    }
}

/// How the liver is affected.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Liver {
    /// Number of tumours in the liver (1-100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tumour_count: Option<u32>,
    /// Size of the largest tumour, centimetres (0-30].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_tumour_cm: Option<f64>,
    /// Tumours in both halves (lobes) of the liver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub both_lobes: Option<bool>,
    /// Tumours close to major blood vessels or bile ducts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_major_vessels: Option<bool>,
    /// The specialist team thinks all the tumours could be removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_removable: Option<bool>,
    /// Percentage of liver that would be left after surgery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub future_liver_remnant_percent: Option<f64>,
    /// State of the rest of the liver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liver_condition: Option<LiverCondition>,
    /// Share of the liver taken up by tumour, percent (1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_liver_replaced: Option<f64>,
}

/// Biomarker results: the named results of contract section 2 (a map, read
/// through `Deref`) and the 1.1 scores and details, written back as one
/// `biomarkers` object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Biomarkers {
    values: BTreeMap<Biomarker, BiomarkerValue>,
    /// PD-L1 combined positive score, 0-100.
    pub pd_l1_cps: Option<f64>,
    /// PD-L1 tumour proportion score, percent.
    pub pd_l1_tps: Option<f64>,
    /// PD-L1 immune-cell score, percent.
    pub pd_l1_ic: Option<f64>,
    /// HER2 IHC score (agrees with `HER2` when both are given).
    pub her2_ihc: Option<Her2Ihc>,
    /// Germline or somatic, only with `BRCA: present`.
    pub brca_origin: Option<BrcaOrigin>,
}

impl Biomarkers {
    /// No result at all, named or detailed.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
            && self.pd_l1_cps.is_none()
            && self.pd_l1_tps.is_none()
            && self.pd_l1_ic.is_none()
            && self.her2_ihc.is_none()
            && self.brca_origin.is_none()
    }
}

impl From<BTreeMap<Biomarker, BiomarkerValue>> for Biomarkers {
    fn from(values: BTreeMap<Biomarker, BiomarkerValue>) -> Biomarkers {
        Biomarkers { values, ..Biomarkers::default() }
    }
}

impl std::ops::Deref for Biomarkers {
    type Target = BTreeMap<Biomarker, BiomarkerValue>;
    fn deref(&self) -> &Self::Target {
        &self.values
    }
}

impl std::ops::DerefMut for Biomarkers {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.values
    }
}

impl Serialize for Biomarkers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        for (b, v) in &self.values {
            m.serialize_entry(b, v)?;
        }
        let numbers = [("PD_L1_CPS", self.pd_l1_cps), ("PD_L1_TPS", self.pd_l1_tps), ("PD_L1_IC", self.pd_l1_ic)];
        for (key, n) in numbers {
            if let Some(n) = n {
                m.serialize_entry(key, &n)?;
            }
        }
        if let Some(x) = self.her2_ihc {
            m.serialize_entry("HER2_IHC", &x)?;
        }
        if let Some(x) = self.brca_origin {
            m.serialize_entry("BRCA_origin", &x)?;
        }
        m.end()
    }
}

/// What has been given so far (contract 8.1 `treatment_history`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TreatmentHistory {
    /// Ended lines of drug treatment for the spread cancer, 0-10.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines_of_systemic_therapy: Option<u8>,
    /// Everything given at any time, adjuvant included; `Some([])` = nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Vec<PreviousTreatment>>,
    /// The cancer came back 6 months or more after the last platinum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platinum_sensitive: Option<bool>,
    /// Prostate: grows despite castrate testosterone levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub castration_resistant: Option<bool>,
    /// Breast, womb: grows despite hormone therapy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endocrine_resistant: Option<bool>,
}

impl TreatmentHistory {
    /// Whether this was given: `None` when the list is not known.
    pub fn had(&self, t: PreviousTreatment) -> Option<bool> {
        self.previous.as_ref().map(|p| p.contains(&t))
    }

    /// Nothing was said about treatment history.
    pub fn is_empty(&self) -> bool {
        *self == TreatmentHistory::default()
    }
}

/// How well the liver works (contract 8.1 `liver_function`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LiverFunction {
    /// Bilirubin, µmol/L.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bilirubin_umol_l: Option<f64>,
    /// Albumin, g/L.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub albumin_g_l: Option<f64>,
    /// Fluid in the belly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ascites: Option<Ascites>,
    /// Yellow skin or eyes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jaundice: Option<bool>,
    /// Blocked bile ducts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub biliary_obstruction: Option<bool>,
    /// Child-Pugh class as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_pugh: Option<ChildPugh>,
    /// The lab's upper limit of normal for bilirubin, µmol/L.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bilirubin_uln_umol_l: Option<f64>,
}

impl LiverFunction {
    /// The upper limit of normal the contract assumes when none is given, µmol/L.
    pub const DEFAULT_BILIRUBIN_ULN: f64 = 21.0;

    /// Bilirubin as a multiple of the upper limit of normal, if bilirubin is known.
    pub fn bilirubin_times_uln(&self) -> Option<f64> {
        let uln = self.bilirubin_uln_umol_l.unwrap_or(Self::DEFAULT_BILIRUBIN_ULN);
        self.bilirubin_umol_l.map(|b| b / uln)
    }

    /// Nothing was said about liver function.
    pub fn is_empty(&self) -> bool {
        *self == LiverFunction::default()
    }
}

/// One person's situation (contract section 2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Caller's id, echoed as `case_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where the cancer started (required).
    pub primary_site: PrimarySite,
    /// Bowel primaries only: left or right side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bowel_side: Option<BowelSide>,
    /// Known biomarker results (`unknown` results are simply absent).
    #[serde(skip_serializing_if = "Biomarkers::is_empty")]
    pub biomarkers: Biomarkers,
    /// Liver involvement.
    pub liver: Liver,
    /// Spread outside the liver: `None` = not known, `Some([])` = liver only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread_elsewhere: Option<Vec<Spread>>,
    /// ECOG / WHO performance status 0-4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance_status: Option<u8>,
    /// Judged fit for major surgery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit_for_major_surgery: Option<bool>,
    /// Chemotherapy so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chemotherapy_history: Option<ChemoHistory>,
    /// The primary tumour had spread to nearby lymph nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_node_positive: Option<bool>,
    /// Months from diagnosis of the primary to liver spread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disease_free_interval_months: Option<f64>,
    /// CEA blood level, ng/mL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cea_ng_ml: Option<f64>,
    /// Treatment so far (1.1).
    #[serde(skip_serializing_if = "TreatmentHistory::is_empty")]
    pub treatment_history: TreatmentHistory,
    /// How well the liver works (1.1).
    #[serde(skip_serializing_if = "LiverFunction::is_empty")]
    pub liver_function: LiverFunction,
    /// Histology (1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub histology: Option<Histology>,
    /// Where a neuroendocrine tumour started (1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_origin: Option<NetOrigin>,
    /// Tumour grade (1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tumour_grade: Option<TumourGrade>,
    /// Ki-67 proliferation index, percent (1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ki67_percent: Option<f64>,
    /// The primary tumour has been removed (1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_resected: Option<bool>,
    /// Carcinoid syndrome (neuroendocrine, 1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carcinoid_syndrome: Option<bool>,
    /// Age in whole years, 18-120 (1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_years: Option<u8>,
    /// Months the cancer has been stable or shrinking on current treatment (1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months_disease_controlled: Option<f64>,
}

impl Case {
    /// The PD-L1 band the tumour proportion score falls in (contract section
    /// 2: `high` 50% or more, `positive` 1-49%, `negative` under 1%) and the
    /// `PD_L1` given, when both are given and disagree.
    pub fn pd_l1_band_clash(&self) -> Option<(f64, BiomarkerValue, BiomarkerValue)> {
        let tps = self.biomarkers.pd_l1_tps?;
        let given = self.biomarker(Biomarker::PdL1)?;
        let band = if tps >= 50.0 {
            BiomarkerValue::High
        } else if tps >= 1.0 {
            BiomarkerValue::Positive
        } else {
            BiomarkerValue::Negative
        };
        (band != given).then_some((tps, band, given))
    }

    /// A grade 1 or 2 given for a neuroendocrine carcinoma, which is high
    /// grade by definition (WHO).
    pub fn nec_grade_clash(&self) -> Option<TumourGrade> {
        match (self.histology, self.tumour_grade) {
            (Some(Histology::NeuroendocrineCarcinoma), Some(g @ (TumourGrade::G1 | TumourGrade::G2))) => Some(g),
            _ => None,
        }
    }

    /// A neuroendocrine tumour's grade and Ki-67 at opposite ends (WHO: G1
    /// under 3%, G2 3-20%, G3 over 20%; only G1 over 20% and G3 under 3%
    /// count): the grade and the Ki-67.
    pub fn net_grade_ki67_clash(&self) -> Option<(TumourGrade, f64)> {
        if self.primary_site != PrimarySite::Neuroendocrine {
            return None;
        }
        let (g, k) = (self.tumour_grade?, self.ki67_percent?);
        let clash = match g {
            TumourGrade::G1 => k > 20.0,
            TumourGrade::G3 => k < 3.0,
            TumourGrade::G2 => false,
        };
        clash.then_some((g, k))
    }

    /// A case with only the primary site known.
    pub fn new(primary_site: PrimarySite) -> Case {
        Case {
            id: None,
            primary_site,
            bowel_side: None,
            biomarkers: Biomarkers::default(),
            liver: Liver::default(),
            spread_elsewhere: None,
            performance_status: None,
            fit_for_major_surgery: None,
            chemotherapy_history: None,
            primary_node_positive: None,
            disease_free_interval_months: None,
            cea_ng_ml: None,
            treatment_history: TreatmentHistory::default(),
            liver_function: LiverFunction::default(),
            histology: None,
            net_origin: None,
            tumour_grade: None,
            ki67_percent: None,
            primary_resected: None,
            carcinoid_syndrome: None,
            age_years: None,
            months_disease_controlled: None,
        }
    }

    /// A biomarker result, if known.
    pub fn biomarker(&self, b: Biomarker) -> Option<BiomarkerValue> {
        self.biomarkers.get(&b).copied()
    }
}
