//! The rule evaluator: applies a treatment's rules from `content/rules/` to an option.
//!
//! Small and typed on purpose (no general rule engine): the base-level table
//! is a first-match lookup by primary site and optional fact conditions
//! (`when`, and every `and`);
//! each criterion evaluates one fact ([`crate::facts`]), takes the first
//! matching branch (a branch may require conditions on other facts too) and records met / not met (with its cap) / unknown exactly
//! as the procedural rules do, through the same [`Opt`] builder. Rules were
//! type-checked when the knowledge base loaded, so nothing here can fail.

use hepatica_knowledge::rules::{Cond, Level, Outcome, Test, Unknown};

use crate::Suitability;
use crate::facts::{self, Val};
use crate::rules::{Explain, Opt, Out};

fn level(l: Level) -> Suitability {
    match l {
        Level::Usual => Suitability::Usual,
        Level::Possible => Suitability::Possible,
        Level::Depends => Suitability::Depends,
        Level::Unlikely => Suitability::Unlikely,
    }
}

fn holds(v: Val, test: Test) -> bool {
    match (test, v) {
        (Test::Any, _) => true,
        (Test::Is(b), Val::Bool(x)) => x == b,
        (Test::In(mask), Val::Sym(i)) => i < 32 && mask & (1 << i) != 0,
        (Test::AtMost(t), Val::Num(x)) => x <= t,
        (Test::AtLeast(t), Val::Num(x)) => x >= t,
        (Test::Above(t), Val::Num(x)) => x > t,
        (Test::Below(t), Val::Num(x)) => x < t,
        // Ill-typed tests are rejected at load; a mismatch never matches.
        _ => false,
    }
}

/// A condition on a fact holds; an unknown fact never does.
fn cond_holds(o: &Opt<impl Explain>, c: &Cond) -> bool {
    facts::value(o.cx.kb, o.cx.case, c.fact).is_some_and(|v| holds(v, c.test))
}

fn treatment_index(o: &Opt<impl Explain>) -> usize {
    hepatica_knowledge::TREATMENT_IDS.iter().position(|t| *t == o.treatment).unwrap_or(0)
}

/// Sets the base level from the table. Returns `false` when the primary site is
/// one the rules file leaves to procedural code.
pub(crate) fn base(o: &mut Opt<impl Explain>) -> bool {
    let cx = o.cx;
    let rules = cx.kb.rules_of(treatment_index(o));
    let site = facts::site_index(cx.case.primary_site);
    if rules.procedural_sites.contains(site) {
        return false;
    }
    for row in &rules.base {
        if !row.sites.contains(site) {
            continue;
        }
        if !row.when.iter().chain(&row.and).all(|c| cond_holds(o, c)) {
            continue;
        }
        match &row.depends {
            Some(d) => o.base_depends_id(&row.statement, &d.id, &d.label, d.fact.inputs()),
            None => o.base(level(row.level), &row.statement),
        }
        return true;
    }
    // Loading checks that every site has an unconditional row or is procedural.
    false
}

/// Applies the criteria in file order.
pub(crate) fn criteria(o: &mut Opt<impl Explain>) {
    let cx = o.cx;
    let rules = cx.kb.rules_of(treatment_index(o));
    if rules.skip_criteria_when_base_unlikely && o.base == Suitability::Unlikely {
        return;
    }
    let site = facts::site_index(cx.case.primary_site);
    for c in &rules.criteria {
        if !c.sites.contains(site) {
            continue;
        }
        let Some(v) = facts::value(cx.kb, cx.case, c.fact) else {
            let blocking = match c.unknown {
                Unknown::Skip => continue,
                Unknown::Blocking => true,
                Unknown::Open => false,
            };
            let label = c.unknown_label.as_deref().unwrap_or(&c.label);
            match &c.unknown_inputs {
                Some(inputs) => o.criterion_id(&c.id, label, inputs, Out::Unknown { blocking }),
                None => o.criterion_id(&c.id, label, c.fact.inputs(), Out::Unknown { blocking }),
            }
            continue;
        };
        let Some(b) = c.branches.iter().find(|b| b.sites.contains(site) && holds(v, b.test) && b.and.iter().all(|a| cond_holds(o, a)))
        else {
            continue;
        };
        let label = b.label.as_deref().unwrap_or(&c.label);
        let statement = b.statement.as_deref().unwrap_or_default();
        let out = match b.outcome {
            Outcome::Met => Some(Out::Met(statement)),
            Outcome::Note => Some(Out::Note),
            Outcome::NotMet(cap) => Some(Out::NotMet(statement, level(cap))),
            Outcome::Reason => {
                o.reason(statement);
                None
            }
            Outcome::Nothing => None,
        };
        if let Some(out) = out {
            match &b.inputs {
                Some(inputs) => o.criterion_id(&c.id, label, inputs, out),
                None => o.criterion_id(&c.id, label, c.fact.inputs(), out),
            }
        }
        for s in &b.also {
            o.reason(s);
        }
    }
}

/// The base table, then the criteria.
pub(crate) fn apply(o: &mut Opt<impl Explain>) {
    base(o);
    criteria(o);
}
