//! The terminology table: FHIR codings to Case concepts, from `content/codes/*.toml`.
//!
//! Each `[[code]]` row has a `system`, a `code` (a trailing `*` makes it a
//! prefix, longest prefix wins) and `maps_to`, one of:
//!
//! | `maps_to` | meaning |
//! |---|---|
//! | `primary:<site>` or `primary:bowel:<left\|right>` | a primary cancer; `primary:liver` is primary liver cancer (out of scope) |
//! | `liver_secondary` | a secondary cancer in the liver |
//! | `spread:<site>` | a secondary cancer outside the liver (`spread_elsewhere` value) |
//! | `biomarker:<KEY>` | a test result for a contract biomarker key |
//! | `gene:<SYMBOL>` | a gene Hepatica recognises but that has no biomarker key of its own |
//! | `observation:<name>` | an observation the mapper reads (`cea`, `ecog`, `tumour_size`, ...) |
//! | `medication:<class>` | a medicine of a drug class (`chemotherapy`, `targeted_therapy`, ...) |
//! | `body_site:<site>` | a body structure: `liver`, a `spread_elsewhere` value, or a primary site (`bowel:left`, `breast`, `uvea`, ...) |
//! | `morphology:<kind>` | a histology that decides the site on its own: `melanoma`, `gist`, `neuroendocrine` |
//! | `unmapped:<why>` | recognised, deliberately not used; the reason goes into the warning |
//! | `treatment:<class>[+<class>…]` | a medicine or procedure that counts for contract 8.1 `treatment_history.previous` (one or more classes, e.g. `treatment:oxaliplatin+fluoropyrimidine`); the class `gnrh` is resolved by site (prostate: `androgen_deprivation`, otherwise `endocrine`); a chemotherapy class also counts as chemotherapy given |
//! | `resection:<site>` | an operation that removes a primary cancer at that site (`bowel`, `breast`, ...): `primary_resected` |
//! | `histology:<value>` | a contract 8.1 `histology` (ICD-O-3 or SNOMED CT morphology); a facet: see below |
//! | `finding:<name>` | a finding the mapper reads (`ascites`, `jaundice`, `biliary_obstruction`, `carcinoid_syndrome`, `castration_resistant`); a facet |
//! | `net_origin:<value>` | where a neuroendocrine tumour started (contract 8.1 `net_origin`); a facet |
//!
//! Facet rows (`histology:`, `finding:`, `net_origin:`) are kept apart from the
//! others: a code can be a primary cancer and also carry a facet (an ICD-10
//! C7A.01 code is a neuroendocrine primary and says it started in the small
//! bowel), so facets never shadow the main meaning; [`CodeTable::facets`]
//! returns every facet row a code matches (exact first, then prefixes, longest
//! first).
//!
//! ICD-10 and ICD-10-CM share one namespace here (the codes we use agree) and
//! are compared without dots, under every system URI real systems send: the
//! HL7 URIs, the OIDs as `urn:oid:` (ICD-10-CM `2.16.840.1.113883.6.90`, WHO
//! ICD-10 `2.16.840.1.113883.6.3`) and national editions. ICD-O-3 has its own
//! namespace (its topography C77 is a site, not a secondary cancer). HGNC ids
//! are compared without the `HGNC:` prefix. `urn:hepatica:text` rows are the
//! keywords of the last-resort text match; `urn:hepatica:drug` rows are keyed
//! by drug catalogue id.

use std::collections::HashMap;

use hepatica_engine::{Biomarker, BowelSide, Histology, NetOrigin, PreviousTreatment, PrimarySite, Spread};
use hepatica_knowledge::Knowledge;

/// SNOMED CT.
pub const SNOMED: &str = "http://snomed.info/sct";
/// LOINC.
pub const LOINC: &str = "http://loinc.org";
/// ICD-10-CM.
pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
/// WHO ICD-10.
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
/// RxNorm.
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// HGNC (mCODE alias).
pub const HGNC: &str = "http://www.genenames.org";
/// Hepatica's own code system for Case fields that have no standard code.
pub const CASE_FIELDS: &str = "urn:hepatica:case";
/// Keywords for the last-resort text match (`code` is a lower-case word or phrase).
pub const TEXT: &str = "urn:hepatica:text";
/// Overrides keyed by drug catalogue id (`code` is the catalogue id).
pub const DRUG: &str = "urn:hepatica:drug";
/// WHO ATC (Anatomical Therapeutic Chemical) classification.
pub const ATC: &str = "http://www.whocc.no/atc";
/// NHS dictionary of medicines and devices (dm+d), the SNOMED CT UK drug extension.
pub const DMD: &str = "https://dmd.nhs.uk";

/// What a code means for the Case.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A primary cancer site; `None` site means primary liver cancer.
    Primary(Option<PrimarySite>, Option<BowelSide>),
    /// Secondary cancer in the liver.
    LiverSecondary,
    /// Secondary cancer elsewhere.
    Spread(Spread),
    /// A biomarker test.
    Biomarker(Biomarker),
    /// A gene without its own biomarker key.
    Gene(String),
    /// An observation the mapper reads by name.
    Observation(String),
    /// A medicine of a drug class.
    Medication(String),
    /// A body site.
    BodySite(String),
    /// An ICD-O-3 (or other) morphology that decides a site: `melanoma`, `gist`, `neuroendocrine`.
    Morphology(String),
    /// Recognised, deliberately not used, with the reason.
    Unmapped(String),
    /// Treatment classes for `treatment_history.previous` (`gnrh` is resolved by site).
    Treatment(Vec<TreatmentClass>),
    /// An operation that removes a primary cancer at a site.
    Resection(String),
    /// A contract histology (facet).
    Histology(Histology),
    /// A finding read by name (facet).
    Finding(String),
    /// Where a neuroendocrine tumour started (facet).
    NetOrigin(NetOrigin),
}

/// A treatment class as the code table writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreatmentClass {
    /// A contract `previous` value.
    Is(PreviousTreatment),
    /// A GnRH agonist or antagonist: androgen deprivation in prostate cancer, endocrine therapy otherwise.
    Gnrh,
}

impl TreatmentClass {
    /// The contract value for a primary site.
    pub fn resolve(self, site: PrimarySite) -> PreviousTreatment {
        match self {
            TreatmentClass::Is(p) => p,
            TreatmentClass::Gnrh if site == PrimarySite::Prostate => PreviousTreatment::AndrogenDeprivation,
            TreatmentClass::Gnrh => PreviousTreatment::Endocrine,
        }
    }
}

/// The chemotherapy classes of `previous` (a medicine of one of these also counts for `chemotherapy_history`).
pub fn is_chemotherapy(p: PreviousTreatment) -> bool {
    use PreviousTreatment as P;
    matches!(
        p,
        P::Fluoropyrimidine
            | P::Oxaliplatin
            | P::Irinotecan
            | P::Platinum
            | P::Taxane
            | P::Cabazitaxel
            | P::Anthracycline
            | P::Gemcitabine
            | P::Temozolomide
            | P::TrifluridineTipiracil
    )
}

/// Local treatments to the liver (procedures, not medicines).
pub fn is_liver_directed(p: PreviousTreatment) -> bool {
    use PreviousTreatment as P;
    matches!(p, P::LiverSurgery | P::Ablation | P::Tace | P::Sirt | P::LiverRadiotherapy)
}

impl Target {
    /// Whether this is a facet row (kept apart, never shadowing a main meaning).
    pub fn is_facet(&self) -> bool {
        matches!(self, Target::Histology(_) | Target::Finding(_) | Target::NetOrigin(_))
    }
}

/// Findings the mapper reads from Conditions and Observations.
pub const FINDINGS: &[&str] = &["ascites", "jaundice", "biliary_obstruction", "carcinoid_syndrome", "castration_resistant"];

impl Target {
    /// Parses a `maps_to` value.
    pub fn parse(s: &str) -> Option<Target> {
        let (kind, rest) = s.split_once(':').unwrap_or((s, ""));
        Some(match kind {
            "liver_secondary" if rest.is_empty() => Target::LiverSecondary,
            "primary" => {
                let (site, side) = match rest.split_once(':') {
                    Some((a, b)) => (a, Some(BowelSide::parse(b)?)),
                    None => (rest, None),
                };
                if site == "liver" { Target::Primary(None, None) } else { Target::Primary(Some(PrimarySite::parse(site)?), side) }
            }
            "spread" => Target::Spread(Spread::parse(rest)?),
            "biomarker" => Target::Biomarker(Biomarker::parse(rest)?),
            "gene" if !rest.is_empty() => Target::Gene(rest.to_string()),
            "observation" if !rest.is_empty() => Target::Observation(rest.to_string()),
            "medication" if !rest.is_empty() => Target::Medication(rest.to_string()),
            "body_site" if !rest.is_empty() => Target::BodySite(rest.to_string()),
            "morphology" if matches!(rest, "melanoma" | "gist" | "neuroendocrine") => Target::Morphology(rest.to_string()),
            "unmapped" if !rest.is_empty() => Target::Unmapped(rest.to_string()),
            "treatment" if !rest.is_empty() => {
                let mut v = Vec::new();
                for c in rest.split('+') {
                    v.push(if c == "gnrh" { TreatmentClass::Gnrh } else { TreatmentClass::Is(PreviousTreatment::parse(c)?) });
                }
                Target::Treatment(v)
            }
            "resection" if PrimarySite::parse(rest).is_some() => Target::Resection(rest.to_string()),
            "histology" => Target::Histology(Histology::parse(rest)?),
            "finding" if FINDINGS.contains(&rest) => Target::Finding(rest.to_string()),
            "net_origin" => Target::NetOrigin(NetOrigin::parse(rest)?),
            _ => return None,
        })
    }
}

/// One match: what it maps to and the table's display.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Meaning.
    pub target: Target,
    /// Display from the table.
    pub display: String,
}

/// The loaded table.
#[derive(Debug, Default)]
pub struct CodeTable {
    exact: HashMap<(String, String), Hit>,
    /// (namespace, prefix, hit), longest prefix first.
    prefixes: Vec<(String, String, Hit)>,
    /// Text-match keywords, longest first.
    text: Vec<(String, Hit)>,
    /// Facet rows: (namespace, code or prefix, is prefix, hit).
    facets: Vec<(String, String, bool, Hit)>,
    /// Problems with the table itself (a bad `maps_to`).
    pub problems: Vec<String>,
}

/// The namespace a system URI is compared in (aliases folded together).
pub fn namespace(system: &str) -> String {
    let s = system.trim().trim_end_matches('/');
    match s {
        ICD10CM
        | ICD10
        | "http://hl7.org/fhir/sid/icd-10-uk"
        | "http://hl7.org/fhir/sid/icd-10-de"
        | "http://hl7.org/fhir/sid/icd-10-nl"
        | "http://hl7.org/fhir/sid/icd-10-ca"
        | "http://hl7.org/fhir/sid/icd-10-au"
        | "urn:oid:2.16.840.1.113883.6.90"
        | "urn:oid:2.16.840.1.113883.6.3"
        | "http://id.who.int/icd/release/10"
        | "https://icd.who.int/browse10" => "icd10".into(),
        "http://terminology.hl7.org/CodeSystem/icd-o-3" | "urn:oid:2.16.840.1.113883.6.43.1" | "http://hl7.org/fhir/sid/icd-o-3" => {
            "icdo3".into()
        }
        "urn:oid:2.16.840.1.113883.6.96" => "snomed".into(),
        "urn:oid:2.16.840.1.113883.6.1" => "loinc".into(),
        "urn:oid:2.16.840.1.113883.6.88" => "rxnorm".into(),
        ATC
        | "http://www.whocc.no/atc/"
        | "urn:oid:2.16.840.1.113883.6.73"
        | "http://fhir.de/CodeSystem/bfarm/atc"
        | "http://fhir.de/CodeSystem/dimdi/atc" => "atc".into(),
        DMD | "https://dmd.nhs.uk/" | "http://dmd.nhs.uk" | "https://fhir.nhs.uk/Id/dmd-code" => "snomed".into(),
        HGNC | "http://www.genenames.org/geneId" | "http://www.genenames.org/geneid" | "https://www.genenames.org" => "hgnc".into(),
        "http://snomed.info/sct" | "https://snomed.info/sct" => "snomed".into(),
        "http://loinc.org" | "https://loinc.org" => "loinc".into(),
        RXNORM => "rxnorm".into(),
        other => other.to_string(),
    }
}

/// A code normalised for comparison within its namespace.
pub fn normalise(ns: &str, code: &str) -> String {
    let c = code.trim();
    match ns {
        "icd10" | "icdo3" => c.replace('.', "").to_uppercase(),
        "atc" => c.to_uppercase(),
        TEXT => c.to_lowercase(),
        "hgnc" => c.trim_start_matches("HGNC:").trim_start_matches("hgnc:").to_string(),
        _ => c.to_string(),
    }
}

impl CodeTable {
    /// Builds the table from a knowledge base.
    pub fn new(kb: &Knowledge) -> CodeTable {
        let mut t = CodeTable::default();
        for m in &kb.codes {
            let Some(target) = Target::parse(&m.maps_to) else {
                t.problems.push(format!("{} {}: unknown maps_to {:?}", m.system, m.code, m.maps_to));
                continue;
            };
            let ns = namespace(&m.system);
            let facet = target.is_facet();
            let hit = Hit { target, display: m.display.clone() };
            if facet {
                let (code, prefix) = match m.code.strip_suffix('*') {
                    Some(p) => (p, true),
                    None => (m.code.as_str(), false),
                };
                let code = normalise(&ns, code);
                t.facets.push((ns, code, prefix, hit));
                continue;
            }
            match m.code.strip_suffix('*') {
                Some(prefix) => t.prefixes.push((ns.clone(), normalise(&ns, prefix), hit)),
                None => {
                    let code = normalise(&ns, &m.code);
                    t.exact.insert((ns, code), hit);
                }
            }
        }
        t.prefixes.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.1.cmp(&b.1)));
        // Exact rows first, then prefixes longest first.
        t.facets.sort_by(|a, b| a.2.cmp(&b.2).then_with(|| b.1.len().cmp(&a.1.len())).then_with(|| a.1.cmp(&b.1)));
        t.text = t.exact.iter().filter(|((n, _), _)| n == TEXT).map(|((_, k), h)| (k.clone(), h.clone())).collect();
        t.text.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        t
    }

    /// What a system and code map to, if anything.
    pub fn lookup(&self, system: &str, code: &str) -> Option<&Hit> {
        let ns = namespace(system);
        let code = normalise(&ns, code);
        if let Some(h) = self.exact.get(&(ns.clone(), code.clone())) {
            return Some(h);
        }
        self.prefixes.iter().find(|(n, p, _)| *n == ns && code.starts_with(p.as_str())).map(|(_, _, h)| h)
    }

    /// Every facet row this code matches: exact rows first, then prefixes, longest first.
    pub fn facets(&self, system: &str, code: &str) -> Vec<&Hit> {
        let ns = namespace(system);
        let code = normalise(&ns, code);
        self.facets
            .iter()
            .filter(|(n, c, prefix, _)| *n == ns && if *prefix { code.starts_with(c.as_str()) } else { code == *c })
            .map(|(_, _, _, h)| h)
            .collect()
    }

    /// The text-match keywords with what they mean, longest first.
    pub fn text_rows(&self) -> impl Iterator<Item = (&str, &Hit)> + '_ {
        self.text.iter().map(|(k, h)| (k.as_str(), h))
    }

    /// Rows of a namespace whose target satisfies `f` (used for name matching of genes and drugs).
    pub fn rows_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = &'a Hit> + 'a {
        self.exact.iter().filter(move |((n, _), _)| n == ns).map(|(_, h)| h)
    }
}

/// Verhoeff check digit: SNOMED CT identifiers end with one over the other digits.
pub fn verhoeff_ok(code: &str) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut c = 0u8;
    for (i, b) in code.bytes().rev().enumerate() {
        c = D[c as usize][P[i % 8][(b - b'0') as usize] as usize];
    }
    c == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(Target::parse("primary:bowel:right"), Some(Target::Primary(Some(PrimarySite::Bowel), Some(BowelSide::Right))));
        assert_eq!(Target::parse("primary:liver"), Some(Target::Primary(None, None)));
        assert_eq!(Target::parse("spread:lymph_nodes"), Some(Target::Spread(Spread::LymphNodes)));
        assert_eq!(Target::parse("biomarker:BRAF_V600"), Some(Target::Biomarker(Biomarker::BrafV600)));
        assert_eq!(Target::parse("liver_secondary"), Some(Target::LiverSecondary));
        assert_eq!(Target::parse("primary:kidneys"), None);
        assert_eq!(Target::parse("nonsense"), None);
    }

    #[test]
    fn embedded_table_parses_and_prefers_longest_prefix() {
        let t = CodeTable::new(Knowledge::embedded());
        assert!(t.problems.is_empty(), "{:?}", t.problems);
        if t.exact.is_empty() {
            return; // content not written yet
        }
        let hit = t.lookup(ICD10CM, "C78.7").expect("C78.7");
        assert_eq!(hit.target, Target::LiverSecondary);
        assert_eq!(t.lookup(ICD10, "C787").map(|h| &h.target), Some(&Target::LiverSecondary));
        assert_eq!(t.lookup(ICD10CM, "C25.4").map(|h| &h.target), Some(&Target::Primary(Some(PrimarySite::Neuroendocrine), None)));
        assert_eq!(t.lookup(ICD10CM, "C25.1").map(|h| &h.target), Some(&Target::Primary(Some(PrimarySite::Pancreas), None)));
        assert_eq!(t.lookup(SNOMED, "94381002").map(|h| &h.target), Some(&Target::LiverSecondary));
        assert_eq!(t.lookup(HGNC, "HGNC:6407").map(|h| &h.target), Some(&Target::Biomarker(Biomarker::Kras)));
    }

    #[test]
    fn every_snomed_code_in_the_table_has_a_valid_check_digit() {
        assert!(verhoeff_ok("389026000") && verhoeff_ok("94381002") && !verhoeff_ok("389026001"));
        let bad: Vec<String> = Knowledge::embedded()
            .codes
            .iter()
            .filter(|c| namespace(&c.system) == "snomed" && !c.code.ends_with('*'))
            .filter(|c| !verhoeff_ok(&c.code))
            .map(|c| format!("{} {}", c.code, c.display))
            .collect();
        assert!(bad.is_empty(), "SNOMED CT codes failing the Verhoeff check: {bad:?}");
    }

    #[test]
    fn no_code_is_listed_twice_and_drug_codes_are_broad() {
        let kb = Knowledge::embedded();
        let mut seen = std::collections::HashMap::new();
        let mut dups = Vec::new();
        for c in &kb.codes {
            let ns = namespace(&c.system);
            let facet = Target::parse(&c.maps_to).is_some_and(|t| t.is_facet());
            let key = (ns.clone(), normalise(&ns, &c.code), facet);
            if let Some(prev) = seen.insert(key, c.maps_to.clone()) {
                dups.push(format!("{} {} ({prev} / {})", c.system, c.code, c.maps_to));
            }
        }
        assert!(dups.is_empty(), "listed twice: {dups:?}");
        let t = CodeTable::new(kb);
        let drugs = ["rxnorm", "atc"]
            .iter()
            .flat_map(|ns| t.rows_in(ns))
            .filter(|h| matches!(h.target, Target::Treatment(_) | Target::Medication(_)))
            .count();
        assert!(drugs >= 120, "only {drugs} RxNorm and ATC medicine codes");
    }
}
