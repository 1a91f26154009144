//! Drug and regimen look-up against the embedded catalogue (contract section 4).
//!
//! Every query in the tables below names the id that must come first, or says
//! that nothing may match. The tables cover generic names, UK and US brands,
//! abbreviations, regimens, misspellings, case, spacing and accents, and
//! queries that are not drugs. Property tests check that any input is handled
//! without a panic, that results are ranked and bounded, and that every name and
//! brand in the catalogue finds its own entry.

use std::sync::OnceLock;

use hepatica_knowledge::Knowledge;
use hepatica_search::drugs::{DrugIndex, DrugLookup};
use proptest::prelude::*;

fn index() -> &'static DrugIndex {
    static INDEX: OnceLock<DrugIndex> = OnceLock::new();
    INDEX.get_or_init(|| DrugIndex::new(Knowledge::embedded()))
}

fn lookup(query: &str) -> DrugLookup {
    index().lookup(query, 10)
}

/// Each query's best match must be `expected`; collects every failure before failing.
#[track_caller]
fn check_best(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for &(query, expected) in cases {
        let found = lookup(query);
        match found.matches.first() {
            Some(m) if m.id == expected => {}
            Some(m) => failures.push(format!("{query:?}: expected {expected}, got {} ({})", m.id, m.matched_on)),
            None => failures.push(format!("{query:?}: expected {expected}, got no match (did you mean {:?})", found.did_you_mean)),
        }
    }
    assert!(failures.is_empty(), "{} of {} queries failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Each query must match nothing.
#[track_caller]
fn check_none(queries: &[&str]) {
    let mut failures = Vec::new();
    for &query in queries {
        let found = lookup(query);
        if let Some(m) = found.matches.first() {
            failures.push(format!("{query:?}: expected no match, got {} ({})", m.id, m.matched_on));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn generic_names() {
    check_best(&[
        ("pembrolizumab", "pembrolizumab"),
        ("oxaliplatin", "oxaliplatin"),
        ("capecitabine", "capecitabine"),
        ("bevacizumab", "bevacizumab"),
        ("cetuximab", "cetuximab"),
        ("panitumumab", "panitumumab"),
        ("irinotecan", "irinotecan"),
        ("fluorouracil", "fluorouracil"),
        ("trastuzumab", "trastuzumab"),
        ("trastuzumab deruxtecan", "trastuzumab-deruxtecan"),
        ("trastuzumab emtansine", "trastuzumab-emtansine"),
        ("sacituzumab govitecan", "sacituzumab-govitecan"),
        ("osimertinib", "osimertinib"),
        ("imatinib", "imatinib"),
        ("everolimus", "everolimus"),
        ("lanreotide", "lanreotide"),
        ("octreotide", "octreotide"),
        ("tebentafusp", "tebentafusp"),
        ("abiraterone", "abiraterone"),
        ("zoledronic acid", "zoledronic-acid"),
        ("dexamethasone", "dexamethasone"),
        ("morphine", "morphine"),
        ("radium-223", "radium-223"),
        ("folinic acid", "folinic-acid"),
        ("nab-paclitaxel", "nab-paclitaxel"),
        ("paclitaxel", "paclitaxel"),
        ("zolbetuximab", "zolbetuximab"),
    ]);
}

#[test]
fn uk_and_us_brand_names() {
    check_best(&[
        ("Keytruda", "pembrolizumab"),
        ("Xeloda", "capecitabine"),
        ("Avastin", "bevacizumab"),
        ("Erbitux", "cetuximab"),
        ("Vectibix", "panitumumab"),
        ("Herceptin", "trastuzumab"),
        ("Enhertu", "trastuzumab-deruxtecan"),
        ("Kadcyla", "trastuzumab-emtansine"),
        ("Ibrance", "palbociclib"),
        ("Kisqali", "ribociclib"),
        ("Verzenios", "abemaciclib"),
        ("Verzenio", "abemaciclib"),
        ("Lynparza", "olaparib"),
        ("Tagrisso", "osimertinib"),
        ("Lorviqua", "lorlatinib"),
        ("Lorbrena", "lorlatinib"),
        ("Glivec", "imatinib"),
        ("Gleevec", "imatinib"),
        ("Lonsurf", "trifluridine-tipiracil"),
        ("Zoladex", "goserelin"),
        ("Prostap", "leuprorelin"),
        ("Lupron Depot", "leuprorelin"),
        ("Zytiga", "abiraterone"),
        ("Xtandi", "enzalutamide"),
        ("Nubeqa", "darolutamide"),
        ("Sandostatin LAR", "octreotide"),
        ("Somatuline Autogel", "lanreotide"),
        ("Opdivo", "nivolumab"),
        ("Yervoy", "ipilimumab"),
        ("Opdualag", "nivolumab-relatlimab"),
        ("Kimmtrak", "tebentafusp"),
        ("Lutathera", "lutetium-177-dotatate"),
        ("Pluvicto", "lutetium-177-psma-617"),
        ("Xofigo", "radium-223"),
        ("Zofran", "ondansetron"),
        ("Xgeva", "denosumab"),
        ("Neupogen", "filgrastim"),
        ("Imodium", "loperamide"),
        ("Questran", "colestyramine"),
        ("Oramorph", "morphine"),
        ("MS Contin", "morphine"),
        ("Korserdu", "elacestrant"),
        ("Orserdu", "elacestrant"),
        ("Lumykras", "sotorasib"),
        ("Lumakras", "sotorasib"),
        ("Retsevmo", "selpercatinib"),
        ("Retevmo", "selpercatinib"),
        ("Campto", "irinotecan"),
        ("Camptosar", "irinotecan"),
        ("Onivyde", "liposomal-irinotecan"),
        ("Abraxane", "nab-paclitaxel"),
        ("Vyloy", "zolbetuximab"),
        ("Reglan", "metoclopramide"),
        ("Temodar", "temozolomide"),
    ]);
}

#[test]
fn abbreviations() {
    check_best(&[
        ("5-FU", "fluorouracil"),
        ("5FU", "fluorouracil"),
        ("5 fu", "fluorouracil"),
        ("T-DXd", "trastuzumab-deruxtecan"),
        ("tdxd", "trastuzumab-deruxtecan"),
        ("T-DM1", "trastuzumab-emtansine"),
        ("Lu-177", "lutetium-177-dotatate"),
        ("Lu-PSMA", "lutetium-177-psma-617"),
        ("Ra-223", "radium-223"),
        ("G-CSF", "filgrastim"),
        ("TAS-102", "trifluridine-tipiracil"),
        ("nal-IRI", "liposomal-irinotecan"),
        ("pembro", "pembrolizumab"),
        ("nivo ipi", "nivolumab-ipilimumab"),
        ("gem nab", "gemcitabine-nab-paclitaxel"),
        ("leucovorin", "folinic-acid"),
        ("PRRT", "lutetium-177-dotatate"),
    ]);
}

#[test]
fn regimens() {
    check_best(&[
        ("FOLFOX", "folfox"),
        ("folfox", "folfox"),
        ("mFOLFOX6", "mfolfox6"),
        ("FOLFIRI", "folfiri"),
        ("FOLFOXIRI", "folfoxiri"),
        ("CAPOX", "capox"),
        ("XELOX", "capox"),
        ("CAPEOX", "capox"),
        ("FOLFIRINOX", "folfirinox"),
        ("NALIRIFOX", "nalirifox"),
        ("EC", "ec"),
        ("AC", "ac"),
        ("CAPTEM", "captem"),
        ("FLOT", "flot"),
        ("gemcitabine with nab-paclitaxel", "gemcitabine-nab-paclitaxel"),
        ("encorafenib with cetuximab", "encorafenib-cetuximab"),
        ("dabrafenib and trametinib", "dabrafenib-trametinib"),
    ]);
}

#[test]
fn misspellings() {
    check_best(&[
        ("pembrolizumap", "pembrolizumab"),
        ("pembrolisumab", "pembrolizumab"),
        ("pembrolizimab", "pembrolizumab"),
        ("keytrooda", "pembrolizumab"),
        ("capecitibine", "capecitabine"),
        ("capecitabeen", "capecitabine"),
        ("zeloda", "capecitabine"),
        ("oxaliplaten", "oxaliplatin"),
        ("oxaliplatine", "oxaliplatin"),
        ("bevacizumub", "bevacizumab"),
        ("avastn", "bevacizumab"),
        ("setuximab", "cetuximab"),
        ("herceptn", "trastuzumab"),
        ("tamoxifan", "tamoxifen"),
        ("letrozol", "letrozole"),
        ("anastrazol", "anastrozole"),
        ("folfx", "folfox"),
        ("folfirinocks", "folfirinox"),
        ("enzalutamine", "enzalutamide"),
        ("osimertinab", "osimertinib"),
        ("gemcitabin", "gemcitabine"),
        ("irinotekan", "irinotecan"),
        ("docetaxol", "docetaxel"),
        ("lutathara", "lutetium-177-dotatate"),
        ("flurouracil", "fluorouracil"),
        ("ondansatron", "ondansetron"),
        ("imatinibe", "imatinib"),
    ]);
}

#[test]
fn case_spacing_hyphens_and_accents() {
    check_best(&[
        ("KEYTRUDA", "pembrolizumab"),
        ("  keytruda  ", "pembrolizumab"),
        ("key-truda", "pembrolizumab"),
        ("Xéloda", "capecitabine"),
        ("ÉRBITUX", "cetuximab"),
        ("5 - FU", "fluorouracil"),
        ("FOL FOX", "folfox"),
        ("m folfox 6", "mfolfox6"),
        ("Trastuzumab-Deruxtecan", "trastuzumab-deruxtecan"),
        ("lutetium 177 dotatate", "lutetium-177-dotatate"),
    ]);
}

#[test]
fn us_and_uk_generic_names() {
    check_best(&[
        ("leuprolide", "leuprorelin"),
        ("cholestyramine", "colestyramine"),
        ("colestyramine", "colestyramine"),
        ("calcium folinate", "folinic-acid"),
        ("ado-trastuzumab emtansine", "trastuzumab-emtansine"),
        ("fam-trastuzumab deruxtecan", "trastuzumab-deruxtecan"),
        ("morphine sulfate", "morphine"),
        ("morphine sulphate", "morphine"),
        ("zoledronate", "zoledronic-acid"),
    ]);
}

#[test]
fn words_around_a_name() {
    check_best(&[
        ("pembrolizumab injection", "pembrolizumab"),
        ("what is keytruda", "pembrolizumab"),
        ("herceptin for breast cancer", "trastuzumab"),
        ("capecitabine tablets", "capecitabine"),
        ("folfox chemo", "folfox"),
    ]);
}

#[test]
fn queries_that_are_not_drugs_match_nothing() {
    let long = "x".repeat(5000);
    let long_words = "liver ".repeat(1000);
    check_none(&[
        "",
        "   ",
        "hello",
        "liver",
        "surgery",
        "ablation",
        "radiotherapy",
        "chemotherapy",
        "cancer",
        "pain",
        "what should I eat",
        "🙂",
        "💊💊",
        "???",
        "-",
        &long,
        &long_words,
    ]);
}

#[test]
fn a_regimen_comes_before_its_components() {
    let found = lookup("FOLFOX");
    let ids: Vec<&str> = found.matches.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"folfox"));
    for component in ["folinic-acid", "fluorouracil", "oxaliplatin"] {
        let pos = ids.iter().position(|id| *id == component).unwrap_or_else(|| panic!("{component} missing from {ids:?}"));
        assert!(pos > 0, "{component} ranked above the regimen");
        assert!(found.matches[pos].matched_on.starts_with("component of"), "{}", found.matches[pos].matched_on);
    }
    assert!(found.matches[0].score > found.matches[1].score);
}

#[test]
fn a_drug_brings_in_the_regimens_that_contain_it_below_itself() {
    let found = lookup("oxaliplatin");
    assert_eq!(found.matches[0].id, "oxaliplatin");
    let folfox = found.matches.iter().position(|m| m.id == "folfox").expect("FOLFOX listed");
    assert!(folfox > 0 && found.matches[folfox].score < found.matches[0].score);
    let flot = found.matches.iter().find(|m| m.id == "flot").expect("FLOT listed");
    assert_eq!(flot.matched_on, "contains: Oxaliplatin");
}

#[test]
fn did_you_mean_only_when_uncertain() {
    let sure = lookup("Keytruda");
    assert_eq!(sure.did_you_mean, None);
    let unsure = lookup("pembrolisumab");
    assert_eq!(unsure.matches[0].id, "pembrolizumab");
    assert_eq!(unsure.did_you_mean.as_deref(), Some("Pembrolizumab"));
    let nothing = lookup("hello");
    assert_eq!(nothing.did_you_mean, None);
    // "chemo" is close to the alias "AC chemo", but not close enough to suggest AC.
    assert_eq!(lookup("chemo").did_you_mean, None);
    let near_miss = lookup("trastuzumab der");
    assert_eq!(near_miss.matches[0].id, "trastuzumab-deruxtecan");
    assert_eq!(near_miss.did_you_mean.as_deref(), Some("Trastuzumab deruxtecan"));
}

#[test]
fn limit_is_respected() {
    assert_eq!(index().lookup("FOLFOX", 1).matches.len(), 1);
    assert!(index().lookup("FOLFOX", 0).matches.is_empty());
}

#[test]
fn json_has_the_contract_fields() {
    let value = serde_json::to_value(lookup("Keytruda")).unwrap();
    assert_eq!(value["query"], "Keytruda");
    assert!(value.get("did_you_mean").is_none(), "did_you_mean is left out when there is none");
    let m = &value["matches"][0];
    for field in ["id", "name", "kind", "brand_names", "class", "given_as", "used_for", "components", "sources"] {
        assert!(m.get(field).is_some(), "missing {field}");
    }
    assert_eq!(m["id"], "pembrolizumab");
    assert_eq!(m["name"], "Pembrolizumab");
    assert_eq!(m["kind"], "drug");
    assert_eq!(m["class"], "immunotherapy");
    assert_eq!(m["brand_names"], serde_json::json!(["Keytruda"]));
    assert!(m["given_as"].as_array().unwrap().contains(&serde_json::json!("drip")));
    assert!(m["used_for"].as_array().unwrap().contains(&serde_json::json!("lung")));
    let regimen = serde_json::to_value(lookup("FOLFOX")).unwrap();
    assert_eq!(regimen["matches"][0]["kind"], "regimen");
    assert_eq!(regimen["matches"][0]["class"], "chemotherapy");
    let empty = serde_json::to_value(lookup("hello")).unwrap();
    assert_eq!(empty["matches"], serde_json::json!([]));
}

#[test]
fn every_class_and_primary_is_covered() {
    let kb = Knowledge::embedded();
    assert!(kb.drugs.len() >= 120, "only {} entries", kb.drugs.len());
    for site in hepatica_knowledge::PRIMARY_SITES {
        assert!(kb.drugs.iter().any(|d| d.used_for.iter().any(|u| u == site)), "no drug for {site}");
    }
}

#[test]
fn every_name_and_brand_finds_its_own_entry() {
    let kb = Knowledge::embedded();
    let mut failures = Vec::new();
    for d in &kb.drugs {
        let by_name = lookup(&d.name);
        if by_name.matches.first().map(|m| m.id.as_str()) != Some(d.id.as_str()) {
            failures.push(format!("name {:?} -> {:?}", d.name, by_name.matches.first().map(|m| &m.id)));
        }
        for brand in &d.brand_names {
            let found = lookup(brand);
            if !found.matches.first().is_some_and(|m| m.brand_names.contains(brand)) {
                failures.push(format!("brand {brand:?} -> {:?}", found.matches.first().map(|m| &m.id)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

proptest! {
    #[test]
    fn any_text_is_handled(query in "\\PC{0,80}") {
        let found = index().lookup(&query, 5);
        prop_assert!(found.matches.len() <= 5);
        prop_assert_eq!(&found.query, &query);
        for pair in found.matches.windows(2) {
            prop_assert!(pair[0].score >= pair[1].score);
        }
        prop_assert_eq!(found, index().lookup(&query, 5));
    }

    #[test]
    fn a_name_with_one_typo_is_still_found(pick in 0usize..1000, pos in 0usize..100, letter in "[a-z]") {
        let kb = Knowledge::embedded();
        let names: Vec<&str> = kb.drugs.iter().filter(|d| d.name.len() >= 9 && d.name.chars().all(|c| c.is_ascii_alphabetic())).map(|d| d.name.as_str()).collect();
        let name = names[pick % names.len()];
        let mut chars: Vec<char> = name.to_lowercase().chars().collect();
        let i = pos % chars.len();
        chars[i] = letter.chars().next().unwrap();
        let typo: String = chars.into_iter().collect();
        let found = index().lookup(&typo, 10);
        prop_assert!(found.matches.iter().any(|m| m.name == name), "{} -> {:?}", typo, found.matches.iter().map(|m| &m.id).collect::<Vec<_>>());
    }
}
