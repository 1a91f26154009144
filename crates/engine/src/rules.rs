//! The rules: placeholder while the rule set is written (see issue 2).

use hepatica_knowledge::{Knowledge, TREATMENT_IDS};

use crate::*;

/// Every statement id the rules cite.
pub const STATEMENT_IDS: &[&str] = &[];
/// Every threshold id the rules use.
pub const THRESHOLD_IDS: &[&str] = &[];

pub(crate) fn assess(kb: &Knowledge, case: &Case, audience: Audience) -> Assessment {
    let options = TREATMENT_IDS
        .iter()
        .map(|id| OptionAssessment {
            treatment: id.to_string(),
            title: kb.treatment(id).map(|t| t.title.clone()).unwrap_or_default(),
            suitability: Suitability::Depends,
            summary: String::new(),
            reasons: vec![],
            depends_on: vec![],
            questions_to_ask: vec![],
            kinds: vec![],
            criteria: vec![],
        })
        .collect();
    Assessment {
        contract: CONTRACT,
        case_id: case.id.clone(),
        knowledge_base: KbStamp { version: kb.meta.version.clone(), published: kb.meta.published.to_string() },
        audience,
        options,
        scores: Scores::default(),
        missing_information: vec![],
        sources: vec![],
        support: vec![],
        disclaimer: kb.meta.disclaimer.clone(),
        input_warnings: vec![],
    }
}
