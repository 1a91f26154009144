//! The facts a rule may test: their names, types and the inputs behind them.
//!
//! This is the vocabulary of `content/rules/`. A fact is either an input as
//! given (`tumour_count`, `MSI`) or a *named fact* that needs code
//! (`liver_only`, `ras_wild_type`, `hormone_receptor_positive`,
//! `lung_driver`, ...). The engine computes every fact in one place
//! (`hepatica-engine`'s `facts.rs`, an exhaustive match on [`Fact`], so a fact
//! declared here cannot be left uncomputed). Adding a fact is a new variant
//! here and one match arm there; the rule evaluator does not change.

/// The type of a fact's value, which decides the comparisons a rule may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactType {
    /// `true` or `false` (`is = true`).
    Bool,
    /// A number (`at_most`, `at_least`, `above`, `below` a threshold).
    Number,
    /// One of a fixed set of values (`in = [...]`), listed in the slice.
    Enum(&'static [&'static str]),
}

/// Values of [`Fact::PrimarySite`] (the contract's primary sites).
pub const SITE_VALUES: &[&str] = &crate::PRIMARY_SITES;
/// Values of biomarker facts (the contract's biomarker values).
pub const BIOMARKER_VALUES: &[&str] =
    &["wild_type", "mutant", "G12C", "present", "absent", "high", "stable", "positive", "low", "negative", "ultralow"];
/// Values of [`Fact::ChemotherapyHistory`].
pub const CHEMO_HISTORY_VALUES: &[&str] = &["none", "responding", "stable", "refractory", "intolerant"];
/// Values of [`Fact::LiverCondition`].
pub const LIVER_CONDITION_VALUES: &[&str] = &["normal", "chemotherapy_injured", "cirrhosis"];
/// Values of [`Fact::SpreadExtent`].
pub const SPREAD_EXTENT_VALUES: &[&str] = &["none", "lung_only", "other"];
/// Values of [`Fact::Oligometastatic`].
pub const OLIGO_VALUES: &[&str] = &["liver_only", "oligometastatic", "too_many"];
/// Values of [`Fact::ChildPugh`] (local treatments, 1.1).
pub const CHILD_PUGH_VALUES: &[&str] = &["A", "B", "C"];
/// Values of [`Fact::RemnantState`] (local treatments, 1.1).
pub const REMNANT_STATE_VALUES: &[&str] = &["enough", "too_small_can_grow", "too_small_cannot_grow", "too_small_growth_unknown"];
/// Values of [`Fact::Ascites`] (local treatments, 1.1).
pub const ASCITES_VALUES: &[&str] = &["none", "mild", "moderate_severe"];
/// Values of [`Fact::Histology`] (contract 8.1 `histology`).
pub const HISTOLOGY_VALUES: &[&str] = &[
    "adenocarcinoma",
    "squamous",
    "small_cell",
    "large_cell",
    "clear_cell",
    "papillary",
    "chromophobe",
    "sarcomatoid",
    "high_grade_serous",
    "low_grade_serous",
    "serous",
    "carcinosarcoma",
    "endometrioid",
    "clear_cell_ovarian",
    "mucinous",
    "signet_ring",
    "ductal",
    "lobular",
    "neuroendocrine_carcinoma",
    "well_differentiated_net",
    "other",
];
/// Values of [`Fact::BrcaOrigin`].
pub const BRCA_ORIGIN_VALUES: &[&str] = &["germline", "somatic"];
/// Values of [`Fact::TumourGrade`].
pub const GRADE_VALUES: &[&str] = &["G1", "G2", "G3"];
/// Values of [`Fact::NetOrigin`] (contract 8.1 `net_origin`).
pub const NET_ORIGIN_VALUES: &[&str] = &["pancreas", "small_bowel", "large_bowel", "stomach", "lung", "other", "unknown"];

macro_rules! facts {
    ($($(#[$doc:meta])* $variant:ident = $name:literal : $ty:expr, [$($input:literal),*];)*) => {
        /// A fact a rule may test.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Fact {
            $($(#[$doc])* $variant,)*
        }

        impl Fact {
            /// Every fact.
            pub const ALL: &'static [Fact] = &[$(Fact::$variant,)*];

            /// The name rules use.
            pub const fn name(self) -> &'static str {
                match self { $(Fact::$variant => $name,)* }
            }

            /// The value type.
            pub const fn ty(self) -> FactType {
                match self { $(Fact::$variant => $ty,)* }
            }

            /// The Case inputs (JSON pointers) the fact is computed from.
            pub const fn inputs(self) -> &'static [&'static str] {
                match self { $(Fact::$variant => &[$($input),*],)* }
            }

            /// The fact with this name.
            pub fn parse(name: &str) -> Option<Fact> {
                Fact::ALL.iter().copied().find(|f| f.name() == name)
            }
        }
    };
}

facts! {
    /// Where the cancer started (always known; `other` when not one of the named sites).
    PrimarySite = "primary_site": FactType::Enum(SITE_VALUES), ["/primary_site"];
    /// Number of liver tumours.
    TumourCount = "tumour_count": FactType::Number, ["/liver/tumour_count"];
    /// Largest liver tumour in cm.
    LargestTumourCm = "largest_tumour_cm": FactType::Number, ["/liver/largest_tumour_cm"];
    /// The team's view that all liver tumours can be removed.
    AllRemovable = "all_removable": FactType::Bool, ["/liver/all_removable"];
    /// A tumour next to large blood vessels or bile ducts.
    NearMajorVessels = "near_major_vessels": FactType::Bool, ["/liver/near_major_vessels"];
    /// State of the liver outside the tumours.
    LiverCondition = "liver_condition": FactType::Enum(LIVER_CONDITION_VALUES), ["/liver/liver_condition"];
    /// Named: enough liver would be left after surgery, for the liver's condition
    /// (`flr.*` thresholds; without a condition, only clear-cut values decide).
    RemnantEnough = "remnant_enough": FactType::Bool, ["/liver/future_liver_remnant_percent", "/liver/liver_condition"];
    /// Named: no spread outside the liver.
    LiverOnly = "liver_only": FactType::Bool, ["/spread_elsewhere"];
    /// Named: `none`, `lung_only` or `other` spread outside the liver.
    SpreadExtent = "spread_extent": FactType::Enum(SPREAD_EXTENT_VALUES), ["/spread_elsewhere"];
    /// Named: `liver_only`, `oligometastatic` (at most `sabr.max_sites` sites in all,
    /// none in the brain) or `too_many`.
    Oligometastatic = "oligometastatic": FactType::Enum(OLIGO_VALUES), ["/spread_elsewhere", "/liver/tumour_count"];
    /// ECOG / WHO performance status.
    PerformanceStatus = "performance_status": FactType::Number, ["/performance_status"];
    /// Named: fit for a major operation (the team's view; a performance status above
    /// `surgery.max_ps` rules it out, one at or below `surgery.max_ps_implied_fit` implies it).
    FitForSurgery = "fit_for_surgery": FactType::Bool, ["/fit_for_major_surgery", "/performance_status"];
    /// How the cancer responded to chemotherapy so far.
    ChemotherapyHistory = "chemotherapy_history": FactType::Enum(CHEMO_HISTORY_VALUES), ["/chemotherapy_history"];
    /// Months from first diagnosis to liver spread.
    DiseaseFreeIntervalMonths = "disease_free_interval_months": FactType::Number, ["/disease_free_interval_months"];
    /// Named: hormone receptor positive (ER or PR positive; negative only if both are negative).
    HormoneReceptorPositive = "hormone_receptor_positive": FactType::Bool, ["/biomarkers/ER", "/biomarkers/PR"];
    /// Named: RAS wild type (KRAS and NRAS wild type; any RAS mutation makes it false).
    RasWildType = "ras_wild_type": FactType::Bool, ["/biomarkers/KRAS", "/biomarkers/NRAS"];
    /// Named: a lung cancer driver that first-line targeted tablets attack
    /// (EGFR, ALK, ROS1, MET exon 14, RET or NTRK present). Always known.
    LungDriver = "lung_driver": FactType::Bool, ["/biomarkers/EGFR", "/biomarkers/ALK"];
    /// MSI / MMR status.
    Msi = "MSI": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/MSI"];
    /// HER2 status.
    Her2 = "HER2": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/HER2"];
    /// Somatostatin receptor status.
    Sstr = "SSTR": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/SSTR"];
    // ---- local treatments (surgery, ablation, embolisation, radiotherapy, supportive care), 1.1
    /// Bilirubin in µmol/L, as measured.
    BilirubinUmolL = "bilirubin_umol_l": FactType::Number, ["/liver_function/bilirubin_umol_l"];
    /// Bilirubin as a multiple of the lab's upper limit of normal (21 µmol/L when the limit is not given).
    BilirubinTimesUln = "bilirubin_times_uln": FactType::Number, ["/liver_function/bilirubin_umol_l"];
    /// Named: bile is blocked (jaundice or biliary obstruction). True if either is true,
    /// false only if both are known false.
    BileBlocked = "bile_blocked": FactType::Bool, ["/liver_function/jaundice", "/liver_function/biliary_obstruction"];
    /// Child-Pugh class as given.
    ChildPugh = "child_pugh": FactType::Enum(CHILD_PUGH_VALUES), ["/liver_function/child_pugh"];
    /// Fluid in the belly.
    Ascites = "ascites": FactType::Enum(ASCITES_VALUES), ["/liver_function/ascites"];
    /// Share of the liver taken up by tumour, percent.
    PercentLiverReplaced = "percent_liver_replaced": FactType::Number, ["/liver/percent_liver_replaced"];
    /// Named: `enough` remnant (as `remnant_enough`), or too small and the liver
    /// `can_grow` (no cirrhosis, Child-Pugh A or not given), `cannot_grow`
    /// (cirrhosis, or Child-Pugh B or C) or `growth_unknown` (liver condition not given).
    RemnantState = "remnant_state": FactType::Enum(REMNANT_STATE_VALUES),
        ["/liver/future_liver_remnant_percent", "/liver/liver_condition", "/liver_function/child_pugh"];

    // ---- systemic (issue 13: chemotherapy, hormonal, targeted, immunotherapy) ----
    /// Ended lines of drug treatment for the spread cancer (contract 8.1).
    LinesOfSystemicTherapy = "lines_of_systemic_therapy": FactType::Number, ["/treatment_history/lines_of_systemic_therapy"];
    /// Named: treated before for the spread cancer: at least one ended line, or
    /// `chemotherapy_history` refractory or intolerant (that line has ended); not
    /// treated when the count is 0 or the history is `none`, and neither of those.
    PreviouslyTreated = "previously_treated": FactType::Bool, ["/treatment_history/lines_of_systemic_therapy", "/chemotherapy_history"];
    /// The cancer came back 6 months or more after the last platinum.
    PlatinumSensitive = "platinum_sensitive": FactType::Bool, ["/treatment_history/platinum_sensitive"];
    /// Prostate: grows despite hormone therapy.
    CastrationResistant = "castration_resistant": FactType::Bool, ["/treatment_history/castration_resistant"];
    /// Breast or womb: grows despite hormone therapy.
    EndocrineResistant = "endocrine_resistant": FactType::Bool, ["/treatment_history/endocrine_resistant"];
    /// Histology as given.
    Histology = "histology": FactType::Enum(HISTOLOGY_VALUES), ["/histology"];
    /// Tumour grade as given.
    TumourGrade = "tumour_grade": FactType::Enum(GRADE_VALUES), ["/tumour_grade"];
    /// PD-L1 combined positive score.
    PdL1Cps = "PD_L1_CPS": FactType::Number, ["/biomarkers/PD_L1_CPS"];
    /// PD-L1 tumour proportion score (percent).
    PdL1Tps = "PD_L1_TPS": FactType::Number, ["/biomarkers/PD_L1_TPS"];
    /// BRCA1/2 variant.
    Brca = "BRCA": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/BRCA"];
    /// Homologous recombination deficiency.
    Hrd = "HRD": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/HRD"];
    /// Folate receptor alpha.
    FrAlpha = "FR_ALPHA": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/FR_ALPHA"];
    /// Claudin 18.2.
    Cldn182 = "CLDN18_2": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/CLDN18_2"];
    /// PDGFRA D842V (GIST).
    PdgfraD842v = "PDGFRA_D842V": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/PDGFRA_D842V"];
    /// KRAS result.
    Kras = "KRAS": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/KRAS"];
    /// Named: had an imatinib-type tablet before (from `treatment_history.previous`).
    HadImatinib = "had_imatinib": FactType::Bool, ["/treatment_history/previous"];
    /// Named: had a CDK4/6 inhibitor before.
    HadCdk46Inhibitor = "had_cdk4_6_inhibitor": FactType::Bool, ["/treatment_history/previous"];
    /// Named: had a newer androgen receptor drug (abiraterone, enzalutamide and the like) before.
    HadAndrogenReceptorInhibitor = "had_androgen_receptor_inhibitor": FactType::Bool, ["/treatment_history/previous"];
    /// Named: had docetaxel or paclitaxel-type chemotherapy before.
    HadTaxane = "had_taxane": FactType::Bool, ["/treatment_history/previous"];
    /// Named: prostate cancer growing despite hormone therapy after a newer androgen
    /// receptor drug (`castration_resistant` and `previous` has `androgen_receptor_inhibitor`).
    ArpiResistant = "arpi_resistant": FactType::Bool, ["/treatment_history/castration_resistant", "/treatment_history/previous"];
    /// Whether a BRCA variant was inherited (`germline`) or found only in the tumour (`somatic`).
    BrcaOrigin = "BRCA_origin": FactType::Enum(BRCA_ORIGIN_VALUES), ["/biomarkers/BRCA_origin"];
    /// Carcinoid syndrome (neuroendocrine).
    CarcinoidSyndrome = "carcinoid_syndrome": FactType::Bool, ["/carcinoid_syndrome"];
    // ---- knowledge base 2026.12.1 (engine logic 3): what was given before, TMB ----
    /// Named: had a checkpoint inhibitor (immunotherapy) before.
    HadImmunotherapy = "had_immunotherapy": FactType::Bool, ["/treatment_history/previous"];
    /// Named: had tebentafusp before (uveal melanoma).
    HadTebentafusp = "had_tebentafusp": FactType::Bool, ["/treatment_history/previous"];
    /// Named: had an EGFR tablet (such as osimertinib) before.
    HadEgfrTki = "had_egfr_tki": FactType::Bool, ["/treatment_history/previous"];
    /// Named: had an ALK tablet (such as alectinib) before.
    HadAlkTki = "had_alk_tki": FactType::Bool, ["/treatment_history/previous"];
    /// Tumour mutational burden high.
    TmbHigh = "TMB_HIGH": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/TMB_HIGH"];
    /// PD-L1 immune-cell score (percent).
    PdL1Ic = "PD_L1_IC": FactType::Number, ["/biomarkers/PD_L1_IC"];
    /// Named: lung cancer whose EGFR or ALK tablet has failed: an EGFR or ALK tablet in
    /// `previous` and an ended line (`previously_treated`); false when neither tablet was
    /// given or nothing has ended yet.
    LungTabletFailed = "lung_tablet_failed": FactType::Bool,
        ["/treatment_history/previous", "/treatment_history/lines_of_systemic_therapy", "/chemotherapy_history"];
    // ---- knowledge base 2026.12.3 (engine logic 5) ----
    /// Named: jaundice from the liver itself: jaundice with the bile duct known to
    /// be open (`biliary_obstruction` false); false with no jaundice; unknown when
    /// jaundice is not given or the duct was not assessed.
    JaundiceFromLiver = "jaundice_from_liver": FactType::Bool, ["/liver_function/jaundice", "/liver_function/biliary_obstruction"];
    // ---- knowledge base 2026.12.5 ----
    /// Where a neuroendocrine tumour started, as given.
    NetOrigin = "net_origin": FactType::Enum(NET_ORIGIN_VALUES), ["/net_origin"];
    /// Named: had a PARP inhibitor before.
    HadParpInhibitor = "had_parp_inhibitor": FactType::Bool, ["/treatment_history/previous"];
    // ---- knowledge base 2026.12.6 ----
    /// Oestrogen receptor status as given.
    Er = "ER": FactType::Enum(BIOMARKER_VALUES), ["/biomarkers/ER"];
    /// Named: the only spread outside the liver is to the peritoneum (the lining of
    /// the belly): true for exactly `["peritoneum"]`, false for any other known list.
    PeritoneumOnly = "peritoneum_only": FactType::Bool, ["/spread_elsewhere"];
    /// Named: breast cancer after a CDK4/6 inhibitor with a target for an
    /// endocrine-based targeted next treatment: PIK3CA altered with no PI3K/AKT
    /// inhibitor given yet (alpelisib or capivasertib with fulvestrant) or an ESR1
    /// mutation (elacestrant). False with no CDK4/6 inhibitor given, or when PIK3CA
    /// and ESR1 were tested and neither opens one. Rules add the receptors and HER2.
    BreastEndocrineOptionLeft = "breast_endocrine_option_left": FactType::Bool,
        ["/treatment_history/previous", "/biomarkers/PIK3CA", "/biomarkers/ESR1"];
    /// Named: a chemotherapy class (fluoropyrimidine, platinum, taxane, gemcitabine ...)
    /// in `treatment_history.previous`; false when the list names treatments but no
    /// chemotherapy; unknown when the list is empty or not given (an empty list may
    /// only mean nothing was said).
    HadChemotherapy = "had_chemotherapy": FactType::Bool, ["/treatment_history/previous"];
}
