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
        /// Negative.
        Negative = "negative",
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
            Biomarker::Her2 => &[Positive, Low, Negative],
            Biomarker::Er | Biomarker::Pr | Biomarker::Sstr | Biomarker::Psma => &[Positive, Negative],
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
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub biomarkers: BTreeMap<Biomarker, BiomarkerValue>,
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
}

impl Case {
    /// A case with only the primary site known.
    pub fn new(primary_site: PrimarySite) -> Case {
        Case {
            id: None,
            primary_site,
            bowel_side: None,
            biomarkers: BTreeMap::new(),
            liver: Liver::default(),
            spread_elsewhere: None,
            performance_status: None,
            fit_for_major_surgery: None,
            chemotherapy_history: None,
            primary_node_positive: None,
            disease_free_interval_months: None,
            cea_ng_ml: None,
        }
    }

    /// A biomarker result, if known.
    pub fn biomarker(&self, b: Biomarker) -> Option<BiomarkerValue> {
        self.biomarkers.get(&b).copied()
    }
}
