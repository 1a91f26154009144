//! Loading type-checks rules and thresholds: every problem is reported at once,
//! naming the file, the rule id and the field.

use hepatica_knowledge::{Diagnostic, Knowledge, Th};

/// The embedded files with `path` edited by `edit`.
fn load_with(path: &str, edit: impl Fn(&str) -> String) -> Result<Knowledge, Vec<Diagnostic>> {
    let files: Vec<(&str, String)> =
        Knowledge::embedded_files().iter().map(|(p, t)| (*p, if *p == path { edit(t) } else { t.to_string() })).collect();
    assert!(files.iter().any(|(p, _)| *p == path), "{path} is embedded");
    Knowledge::from_files(files.iter().map(|(p, t)| (*p, t.as_str()))).map_err(|e| e.0)
}

fn has(problems: &[Diagnostic], file: &str, id: &str, field: &str, message: &str) -> bool {
    problems.iter().any(|d| d.file == file && d.id == id && d.field == field && d.message.contains(message))
}

#[test]
fn a_rule_naming_an_unknown_fact_statement_threshold_or_value_fails_with_every_problem() {
    let problems = load_with("rules/ablation.toml", |t| {
        t.replace("fact = \"near_major_vessels\"", "fact = \"near_big_vessels\"")
            .replace("statement = \"ablation.few\"", "statement = \"ablation.fewer\"")
            .replace("at_most = \"ablation.max_cm\"", "at_most = \"ablation.maximum_cm\"")
            .replace(
                "is = true, result = \"met\", statement = \"ablation.liver_only\"",
                "in = [\"yes\"], result = \"met\", statement = \"ablation.liver_only\"",
            )
    })
    .expect_err("broken rules do not load");
    let file = "rules/ablation.toml";
    assert!(
        has(&problems, file, "ablation.tumours_away_from_large_blood_vessels", "fact", "unknown fact \"near_big_vessels\""),
        "{problems:#?}"
    );
    assert!(
        has(&problems, file, "ablation.few_enough_tumours", "when[0].statement", "unknown statement \"ablation.fewer\""),
        "{problems:#?}"
    );
    assert!(has(&problems, file, "ablation.tumour_size", "when[1].at_most", "unknown threshold \"ablation.maximum_cm\""), "{problems:#?}");
    assert!(has(&problems, file, "ablation.cancer_only_in_the_liver", "when[0].in", "expected the comparison is"), "{problems:#?}");
}

#[test]
fn an_enum_value_a_fact_cannot_take_is_named() {
    let problems =
        load_with("rules/embolisation.toml", |t| t.replace("in = [\"refractory\", \"intolerant\"]", "in = [\"refractory\", \"tired\"]"))
            .expect_err("an unknown value does not load");
    assert!(
        has(
            &problems,
            "rules/embolisation.toml",
            "embolisation.chemotherapy_stopped_working_or_could_not_be_tolerated",
            "when[0].in",
            "\"tired\""
        ),
        "{problems:#?}"
    );
}

#[test]
fn every_site_needs_a_base_level() {
    let problems = load_with("rules/ablation.toml", |t| t.replace("sites = [\"*\"]", "sites = [\"lung\"]")).expect_err("missing base rows");
    assert!(has(&problems, "rules/ablation.toml", "ablation", "base", "primary site \"prostate\""), "{problems:#?}");
    assert!(has(&problems, "rules/ablation.toml", "ablation", "base", "primary site \"other\""), "{problems:#?}");
}

#[test]
fn thresholds_missing_unknown_or_ill_typed_fail_to_load() {
    let problems = load_with("thresholds.toml", |t| {
        t.replace("id = \"tbs.high\"", "id = \"tbs.very_high\"")
            .replace("value = 10\nunit = \"count\"", "value = 10.5\nunit = \"count\"")
            .replace("value = 200", "value = nan")
    })
    .expect_err("broken thresholds do not load");
    assert!(has(&problems, "thresholds.toml", "tbs.high", "id", "missing threshold"), "{problems:#?}");
    assert!(has(&problems, "thresholds.toml", "tbs.very_high", "id", "unknown threshold"), "{problems:#?}");
    assert!(has(&problems, "thresholds.toml", "ablation.max_count", "value", "whole number"), "{problems:#?}");
    assert!(has(&problems, "thresholds.toml", "fong.cea", "value", "finite"), "{problems:#?}");
}

#[test]
fn a_statement_naming_an_unknown_threshold_fails() {
    let problems =
        load_with("statements/ablation.toml", |t| t.replace("{ablation.ideal_max_cm} cm or less)", "{ablation.ideal_cm} cm or less)"))
            .expect_err("unknown placeholder");
    assert!(has(&problems, "statements", "ablation.small", "patient", "unknown threshold {ablation.ideal_cm}"), "{problems:#?}");
}

#[test]
fn a_moved_threshold_moves_every_sentence_and_label_that_states_it() {
    let kb = load_with("thresholds.toml", |t| {
        t.replace("id = \"ablation.ideal_max_cm\"\nvalue = 3", "id = \"ablation.ideal_max_cm\"\nvalue = 4")
    })
    .expect("loads");
    let small = kb.statement("ablation.small").unwrap();
    assert!(small.patient.contains("(4 cm or less)"), "{}", small.patient);
    assert!(small.clinician.contains("4 cm or less"), "{}", small.clinician);
    let medium = kb.statement("ablation.medium").unwrap();
    assert!(medium.patient.contains("over 4 cm"), "{}", medium.patient);
    let ablation = &kb.rules_of(5);
    assert_eq!(ablation.treatment, "ablation");
    let size = ablation.criteria.iter().find(|c| c.id == "ablation.tumour_size").unwrap();
    assert_eq!(size.label, "Tumours small enough (4 cm or less is best)");
    assert_eq!(kb.t(Th::TbsHigh), Knowledge::embedded().t(Th::TbsHigh));
}

/// Honest-reason metadata (issue 13): `kb check` rejects unknown pointers, sites
/// and contradicted ids, a rule citing a statement for a site it is not written
/// for, and a criterion citing a statement that asserts an input its fact does
/// not read.
#[test]
fn honest_reason_metadata_is_checked() {
    let today = hepatica_knowledge::Date::parse("2026-12-02").unwrap();
    let clean = hepatica_knowledge::check(&load_with("statements/ablation.toml", |t| t.to_string()).unwrap(), today);
    assert!(!clean.iter().any(|d| d.severity == hepatica_knowledge::Severity::Error), "{clean:#?}");
    let kb = load_with("statements/ablation.toml", |t| {
        t.replace(
            r#"asserts = ["/liver/largest_tumour_cm"]
contradicts = ["ablation.medium", "ablation.too_large"]"#,
            r#"asserts = ["/liver/tumor_count", "/spread_elsewhere"]
contradicts = ["ablation.nowhere"]"#,
        )
        .replace(
            r#"sites = ["bowel"]
"#,
            "sites = [\"breast\", \"liver\"]\n",
        )
    })
    .expect("metadata problems do not stop loading");
    let problems = hepatica_knowledge::check(&kb, today);
    assert!(has(&problems, "statements", "ablation.small", "asserts", "unknown input \"/liver/tumor_count\""), "{problems:#?}");
    assert!(has(&problems, "statements", "ablation.small", "contradicts", "unknown statement \"ablation.nowhere\""), "{problems:#?}");
    assert!(has(&problems, "statements", "ablation.bowel", "sites", "unknown primary site \"liver\""), "{problems:#?}");
    assert!(has(&problems, "rules/ablation.toml", "base[0]", "statement", "ablation.bowel is not written for bowel"), "{problems:#?}");
    assert!(
        has(&problems, "rules/ablation.toml", "ablation.tumour_size", "statement", "ablation.small asserts /spread_elsewhere"),
        "{problems:#?}"
    );
}

fn site(name: &str) -> usize {
    hepatica_knowledge::PRIMARY_SITES.iter().position(|s| *s == name).unwrap()
}

fn rules<'a>(kb: &'a Knowledge, treatment: &str) -> &'a hepatica_knowledge::rules::TreatmentRules {
    kb.rules_of(hepatica_knowledge::TREATMENT_IDS.iter().position(|t| *t == treatment).unwrap())
}

#[test]
fn the_facts_rules_read_for_a_site_follow_the_tables() {
    use hepatica_knowledge::facts::Fact;
    let kb = Knowledge::embedded();
    let immuno = rules(kb, "immunotherapy");
    // Stomach: the base rows test PD-L1 CPS; melanoma's first row always matches,
    // so the MSI and TMB rows further down are never reached for it.
    assert!(immuno.facts_for_site(site("stomach")).contains(&Fact::PdL1Cps));
    let melanoma = immuno.facts_for_site(site("melanoma"));
    assert!(!melanoma.contains(&Fact::PdL1Cps) && !melanoma.contains(&Fact::Msi), "{melanoma:?}");
    // Pancreas reaches the MSI and TMB-high rows.
    let pancreas = immuno.facts_for_site(site("pancreas"));
    assert!(pancreas.contains(&Fact::Msi) && pancreas.contains(&Fact::TmbHigh), "{pancreas:?}");
    // Bowel is procedural for immunotherapy: its base rows are not read (the
    // engine declares what its code reads), the criteria still are: MSI through
    // the given-before criterion (2026.12.6), TMB-high (base rows only) not.
    let bowel = immuno.facts_for_site(site("bowel"));
    assert!(bowel.contains(&Fact::Msi) && !bowel.contains(&Fact::TmbHigh), "{bowel:?}");
    // Surgery skips its criteria where the base is always unlikely (lung).
    let surgery = rules(kb, "surgery");
    assert!(surgery.facts_for_site(site("lung")).is_empty(), "{:?}", surgery.facts_for_site(site("lung")));
    assert!(surgery.facts_for_site(site("bowel")).contains(&Fact::AllRemovable));
}

#[test]
fn a_rule_added_for_a_site_adds_the_fact_it_reads_for_that_site_only() {
    use hepatica_knowledge::facts::Fact;
    let before = rules(Knowledge::embedded(), "surgery").facts_for_site(site("bowel"));
    assert!(!before.contains(&Fact::Brca), "{before:?}");
    let criterion = "\n[[criterion]]\nid = \"surgery.test_brca\"\nlabel = \"BRCA\"\nfact = \"BRCA\"\nsites = [\"bowel\"]\nunknown = \"skip\"\nwhen = [\n  { in = [\"present\"], result = \"reason\", statement = \"surgery.bowel\" },\n]\n";
    let kb = load_with("rules/surgery.toml", |t| format!("{t}{criterion}")).expect("loads");
    let surgery = rules(&kb, "surgery");
    assert!(surgery.facts_for_site(site("bowel")).contains(&Fact::Brca));
    assert!(!surgery.facts_for_site(site("breast")).contains(&Fact::Brca));
    // A skip criterion whose only branch is for another site records nothing there.
    let other_site = criterion.replace("in = [\"present\"],", "in = [\"present\"], sites = [\"kidney\"],");
    let kb = load_with("rules/surgery.toml", |t| format!("{t}{other_site}")).expect("loads");
    assert!(!rules(&kb, "surgery").facts_for_site(site("bowel")).contains(&Fact::Brca));
}

/// A site statement for an input (`input.<pointer>.<site>`, knowledge base
/// 2026.12.3) must be marked as written for that site alone.
#[test]
fn a_site_statement_for_an_input_names_its_site() {
    let today = hepatica_knowledge::Date::parse("2026-12-02").unwrap();
    let kb = load_with("statements/clinical-2026-12-3.toml", |t| {
        t.replace("id = \"input.biomarkers.ER.womb\"", "id = \"input.biomarkers.ER.ovary_x\"").replace(
            "clinician = \"MMR or MSI status: dMMR or MSI-high advanced endometrial cancer, dostarlimab with carboplatin-paclitaxel first line (RUBY, TA963).\"\nsources = [\"nice-ta963\"]\nsites = [\"womb\"]",
            "clinician = \"MMR or MSI status: dMMR or MSI-high advanced endometrial cancer, dostarlimab with carboplatin-paclitaxel first line (RUBY, TA963).\"\nsources = [\"nice-ta963\"]\nsites = [\"womb\", \"ovary\"]",
        )
    })
    .expect("loads");
    let problems = hepatica_knowledge::check(&kb, today);
    let errors: Vec<String> =
        problems.iter().filter(|d| d.severity == hepatica_knowledge::Severity::Error).map(|d| format!("{} {}", d.id, d.message)).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].starts_with("input.biomarkers.MSI.womb ") && errors[0].contains("sites = [\"womb\"]"), "{errors:#?}");
}
