//! Hepatica's assessment engine: a [`Case`] in, an explained [`Assessment`] out.
//!
//! ```
//! use hepatica_engine::{assess, case_from_json, Audience};
//! use hepatica_knowledge::Knowledge;
//!
//! let case = case_from_json(br#"{"primary_site": "bowel"}"#).unwrap();
//! let a = assess(Knowledge::embedded(), &case, Audience::Patient);
//! assert_eq!(a.options.len(), 9);
//! ```
//!
//! **Architecture invariants.** The engine is pure: no I/O, no clock, no
//! randomness, no global state, so the same case and knowledge base always
//! give the same assessment, byte for byte once serialised. It never panics on
//! any [`Case`] value: missing or awkward input is a value in the output
//! (`depends`, `missing_information`), not an error. Every reason cites at
//! least one source that resolves in the [`Knowledge`] it was computed from;
//! every threshold it compares against is a knowledge-base threshold.
//!
//! It does not parse FHIR, render HTML or know about HTTP: those are views in
//! other crates. [`parse`] reads the contract's Case JSON because the engine's
//! input type and its validation belong together.

mod assessment;
mod case;
mod eval;
mod facts;
pub mod parse;
mod rules;
pub mod scores;

pub use assessment::*;
pub use case::*;
pub use parse::{FieldError, case_from_json, case_from_value};
pub use rules::{
    LOGIC_2_STATEMENT_IDS, LOGIC_3_STATEMENT_IDS, LOGIC_4_STATEMENT_IDS, LOGIC_5_STATEMENT_IDS, LOGIC_6_STATEMENT_IDS,
    LOGIC_7_STATEMENT_IDS, STATEMENT_IDS, input_given, statement_ids,
};

use hepatica_knowledge::{Diagnostic, Knowledge};

/// Assesses one case against a knowledge base, worded for `audience`.
pub fn assess(kb: &Knowledge, case: &Case, audience: Audience) -> Assessment {
    rules::assess(kb, case, audience)
}

/// An assessment as compact JSON, the same bytes as `serde_json::to_vec(a)`
/// (a test compares them on every recorded compat case, both audiences, and on
/// hostile strings), written by `sonic-rs`, whose SIMD string escaping makes
/// it about a third faster on an assessment's 20-30 KB of text (bench/README.md).
/// Use it where assessments are written in bulk: the API, `batch --full`.
pub fn to_json(a: &Assessment) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 * 1024);
    write_json(a, &mut out);
    out
}

/// [`to_json`], appended to `out`.
pub fn write_json(a: &Assessment, out: &mut Vec<u8>) {
    let start = out.len();
    if sonic_rs::to_writer(&mut *out, a).is_err() {
        // Not reached (every map key is a string); serde_json then says the same.
        out.truncate(start);
        out.extend(serde_json::to_vec(a).unwrap_or_default());
    }
}

/// Only the decisions: `case_id`, each treatment's suitability, and `scores`,
/// as a [`Decisions`] value (not an [`Assessment`] with empty fields).
///
/// Runs the same rule functions as [`assess`] with the wording switched off, so
/// the suitabilities and scores are identical (a property test checks this);
/// batch runs use it when they write only suitabilities, since building the
/// explanations is most of the cost of an assessment.
pub fn assess_summary(kb: &Knowledge, case: &Case) -> Decisions {
    rules::assess_summary(kb, case)
}

/// The biomarker results the engine reads for a primary site with this
/// knowledge base, in contract order: those the rule tables test for the site
/// (derived from `content/rules/`: each fact a rule for the site tests, and the
/// biomarkers that fact is computed from) and those the procedural code reads
/// for it (declared next to that code and tested against it). A biomarker not
/// listed changes nothing in an assessment for that site, so a form may leave
/// it out once the site is known.
pub fn biomarkers_for_site(kb: &Knowledge, site: PrimarySite) -> Vec<Biomarker> {
    let index = facts::site_index(site);
    let mut read: Vec<Biomarker> = rules::procedural_biomarkers(site).to_vec();
    for t in 0..hepatica_knowledge::TREATMENT_IDS.len() {
        for fact in kb.rules_of(t).facts_for_site(index) {
            read.extend(facts::biomarkers_read(fact));
        }
    }
    Biomarker::ALL.iter().copied().filter(|b| read.contains(b)).collect()
}

/// Case inputs, other than biomarker results, that only some primary sites'
/// assessments read (JSON pointers, in contract order): the Fong and GAME
/// score inputs, and platinum sensitivity. [`inputs_for_site`] names the
/// sites that read each, so a form asks each only where it can change the
/// options, as it does biomarkers.
pub const SITE_INPUTS: &[&str] =
    &["/primary_node_positive", "/disease_free_interval_months", "/cea_ng_ml", "/treatment_history/platinum_sensitive"];

/// The [`SITE_INPUTS`] the engine reads for a primary site with this knowledge
/// base, in their order: those the rule tables test for the site (each fact a
/// rule for the site tests, and the inputs it is computed from) and those the
/// procedural code and the scores read for it (declared next to that code).
/// The twin of [`biomarkers_for_site`]: an input of [`SITE_INPUTS`] not
/// listed changes nothing in an assessment for that site (a property test
/// checks it), so a form may leave it out once the site is known.
pub fn inputs_for_site(kb: &Knowledge, site: PrimarySite) -> Vec<&'static str> {
    let index = facts::site_index(site);
    let mut read: Vec<&'static str> = rules::procedural_inputs(site).to_vec();
    for t in 0..hepatica_knowledge::TREATMENT_IDS.len() {
        for fact in kb.rules_of(t).facts_for_site(index) {
            read.extend(fact.inputs());
        }
    }
    SITE_INPUTS.iter().copied().filter(|p| read.contains(p)).collect()
}

/// Checks that every statement the procedural rules cite, at `kb`'s engine
/// logic revision ([`statement_ids`]), exists in `kb`.
///
/// `hepatica kb check` runs this next to the knowledge base's own checks, so a
/// content edit that removes something the rules cite fails before release.
/// (Thresholds the code reads are typed and checked when the knowledge base
/// loads; statements and thresholds named in `content/rules/` are checked then too.)
pub fn check_references(kb: &Knowledge) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for id in statement_ids(kb.engine_logic()) {
        if kb.statement(id).is_none() {
            out.push(Diagnostic::error("statements", id, "id", "the engine cites this statement but it is not in the knowledge base"));
        }
    }
    out
}
