//! Rules as content: `content/rules/<treatment>.toml`, parsed and type-checked.
//!
//! A rules file holds, for one treatment area,
//! - a **base-level table**: rows of primary sites (optionally with a condition
//!   on a fact such as `MSI` or `hormone_receptor_positive`, and further
//!   conditions in `and = [...]` that must all hold, e.g. histology and grade
//!   and receptors), the level and the statement that explains it; the first
//!   matching row wins (an unknown fact never matches). A `depends` row
//!   names the criterion that would decide it;
//! - **criteria**: each has a stable `id`, a `label`, the [`Fact`] it tests,
//!   ordered `when` branches (a comparison against a threshold id or a value
//!   set, optionally `and` conditions on other facts, and the result: `met` with a statement, `not_met` with a statement and
//!   a cap, `reason` for an informative statement only, or `none`), and what an
//!   unknown value does (`blocking`, `open` or `skip`).
//!
//! Sites whose base is decided by procedural Rust code are listed in
//! `procedural_sites`. [`compile`] resolves every fact, threshold, statement
//! and enum value once, at load time, into [`TreatmentRules`]; any problem is a
//! [`Diagnostic`] naming the file, the rule id and the field, and all of them
//! are reported together. The evaluator lives in `hepatica-engine`.

use std::collections::HashMap;

use serde::Deserialize;

use crate::check::Diagnostic;
use crate::facts::{Fact, FactType};
use crate::{PRIMARY_SITES, TREATMENT_IDS};

/// A suitability level as rules name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Usual.
    Usual,
    /// Possible.
    Possible,
    /// Depends.
    Depends,
    /// Unlikely.
    Unlikely,
}

/// A set of primary sites, one bit per entry of [`PRIMARY_SITES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteSet(pub u32);

impl SiteSet {
    /// Every site.
    pub const ALL: SiteSet = SiteSet((1 << PRIMARY_SITES.len()) - 1);

    /// Whether the site with this index in [`PRIMARY_SITES`] is in the set.
    pub fn contains(self, site: usize) -> bool {
        self.0 & (1 << site) != 0
    }
}

/// A comparison on a fact's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Test {
    /// Any known value.
    Any,
    /// A boolean fact equals this.
    Is(bool),
    /// An enum fact's value index is in this bit set.
    In(u32),
    /// Number at or below.
    AtMost(f64),
    /// Number at or above.
    AtLeast(f64),
    /// Number strictly above.
    Above(f64),
    /// Number strictly below.
    Below(f64),
}

/// A condition: a fact and a test.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    /// The fact tested.
    pub fact: Fact,
    /// The comparison.
    pub test: Test,
}

/// One row of the base-level table.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseRow {
    /// Sites the row applies to.
    pub sites: SiteSet,
    /// Optional condition; an unknown fact does not match.
    pub when: Option<Cond>,
    /// Further conditions that must all hold too (`and = [...]`); an unknown
    /// fact does not match.
    pub and: Vec<Cond>,
    /// The base level.
    pub level: Level,
    /// The statement that explains it.
    pub statement: String,
    /// For `depends`: the criterion that would decide it.
    pub depends: Option<DependsOn>,
}

/// What would decide a `depends` base.
#[derive(Debug, Clone, PartialEq)]
pub struct DependsOn {
    /// Stable criterion id.
    pub id: String,
    /// Label.
    pub label: String,
    /// The fact whose inputs are missing.
    pub fact: Fact,
}

/// What an unknown fact does to a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unknown {
    /// Recorded as unknown; the answer becomes `depends`.
    Blocking,
    /// Recorded as unknown; only listed in missing information.
    Open,
    /// Not recorded.
    Skip,
}

/// The result of a matching branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Met: the statement is a reason.
    Met,
    /// Met, without its usual reason (another statement explains why).
    Note,
    /// Not met: the statement is a reason and the level is capped.
    NotMet(Level),
    /// No criterion recorded; the statement is an informative reason.
    Reason,
    /// Nothing recorded.
    Nothing,
}

/// One branch of a criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The comparison (first match wins).
    pub test: Test,
    /// Conditions on other facts that must all hold too (`and = [...]`); an
    /// unknown fact makes the branch not match, so the next branch is tried.
    pub and: Vec<Cond>,
    /// Sites the branch applies to.
    pub sites: SiteSet,
    /// What happens.
    pub outcome: Outcome,
    /// Statement for `met`, `not_met` and `reason`.
    pub statement: Option<String>,
    /// Further informative statements.
    pub also: Vec<String>,
    /// Label override for this branch.
    pub label: Option<String>,
    /// Inputs override for this branch.
    pub inputs: Option<Vec<String>>,
}

/// One criterion, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleCriterion {
    /// Stable id (reaches CDS card extensions).
    pub id: String,
    /// Label (thresholds inserted).
    pub label: String,
    /// The fact tested.
    pub fact: Fact,
    /// Sites the criterion applies to.
    pub sites: SiteSet,
    /// Ordered branches.
    pub branches: Vec<Branch>,
    /// What an unknown does.
    pub unknown: Unknown,
    /// Label when unknown.
    pub unknown_label: Option<String>,
    /// Inputs named when unknown (default: the fact's inputs).
    pub unknown_inputs: Option<Vec<String>>,
}

/// One treatment's rules, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct TreatmentRules {
    /// Treatment id.
    pub treatment: String,
    /// Sites whose base level Rust code decides.
    pub procedural_sites: SiteSet,
    /// When the base is `unlikely`, skip the criteria (they would only add noise).
    pub skip_criteria_when_base_unlikely: bool,
    /// Base-level table.
    pub base: Vec<BaseRow>,
    /// Criteria in order.
    pub criteria: Vec<RuleCriterion>,
}

impl TreatmentRules {
    /// Every statement id these rules can cite: base rows, and each branch's
    /// statement and `also` statements. (`kb check` has checked that each exists.)
    pub fn statement_ids(&self) -> impl Iterator<Item = &str> {
        let base = self.base.iter().map(|b| b.statement.as_str());
        let branches = self.criteria.iter().flat_map(|c| &c.branches).flat_map(|b| b.statement.iter().chain(&b.also)).map(String::as_str);
        base.chain(branches)
    }

    /// The facts these rules can test for the primary site at this index of
    /// [`PRIMARY_SITES`], in file order, each once: the conditions (and the
    /// `depends` facts) of the base rows the evaluator can reach for the site
    /// (none for a procedural site, whose base Rust code decides; none after
    /// the first unconditional row, which always matches), and the facts of the
    /// criteria for the site that can record something (a branch for the site,
    /// or an unknown that is not `skip`). Criteria are left out only when the
    /// file skips them under an `unlikely` base and every reachable base row
    /// for the site is `unlikely`.
    ///
    /// What the rules *read* for a site, so that a form can ask only what
    /// matters there (the engine maps facts to the inputs it computes them from).
    pub fn facts_for_site(&self, site: usize) -> Vec<Fact> {
        let mut out: Vec<Fact> = Vec::new();
        let mut add = |f: Fact| {
            if !out.contains(&f) {
                out.push(f);
            }
        };
        let procedural = self.procedural_sites.contains(site);
        let mut always_unlikely = !procedural;
        if !procedural {
            for row in self.base.iter().filter(|r| r.sites.contains(site)) {
                always_unlikely &= row.level == Level::Unlikely;
                if let Some(c) = &row.when {
                    add(c.fact);
                }
                for c in &row.and {
                    add(c.fact);
                }
                if let Some(d) = &row.depends {
                    add(d.fact);
                }
                if row.when.is_none() && row.and.is_empty() {
                    break;
                }
            }
        }
        if self.skip_criteria_when_base_unlikely && always_unlikely {
            return out;
        }
        for c in self.criteria.iter().filter(|c| c.sites.contains(site)) {
            if c.unknown != Unknown::Skip || c.branches.iter().any(|b| b.sites.contains(site)) {
                add(c.fact);
            }
            for b in c.branches.iter().filter(|b| b.sites.contains(site)) {
                for a in &b.and {
                    add(a.fact);
                }
            }
        }
        out
    }
}

// ------------------------------------------------------------------ raw TOML

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    treatment: String,
    #[serde(default)]
    procedural_sites: Vec<String>,
    #[serde(default)]
    skip_criteria_when_base_unlikely: bool,
    #[serde(default)]
    base: Vec<RawBase>,
    #[serde(default)]
    criterion: Vec<RawCriterion>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTest {
    fact: Option<String>,
    is: Option<bool>,
    #[serde(rename = "in")]
    in_: Option<Vec<String>>,
    at_most: Option<String>,
    at_least: Option<String>,
    above: Option<String>,
    below: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBase {
    sites: Vec<String>,
    when: Option<RawTest>,
    #[serde(default)]
    and: Vec<RawTest>,
    level: Level,
    statement: String,
    depends: Option<RawDepends>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepends {
    id: String,
    label: String,
    fact: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: String,
    label: String,
    fact: String,
    sites: Option<Vec<String>>,
    except_sites: Option<Vec<String>>,
    unknown: Unknown,
    unknown_label: Option<String>,
    unknown_inputs: Option<Vec<String>>,
    #[serde(default)]
    when: Vec<RawBranch>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranch {
    #[serde(flatten)]
    test: RawTest,
    sites: Option<Vec<String>>,
    #[serde(default)]
    and: Vec<RawTest>,
    result: String,
    statement: Option<String>,
    cap: Option<Level>,
    #[serde(default)]
    also: Vec<String>,
    label: Option<String>,
    inputs: Option<Vec<String>>,
}

/// Parses one rules file (TOML errors become a diagnostic).
pub(crate) fn parse(path: &str, text: &str) -> Result<RawFile, Diagnostic> {
    toml::from_str::<RawFile>(text).map_err(|e| {
        let location = e.span().map(|s| format!(" (at byte {})", s.start)).unwrap_or_default();
        Diagnostic::error(path, "", "", format!("{}{location}", e.message()))
    })
}

/// Threshold ids a raw file refers to (so they count as used).
pub(crate) fn threshold_refs(f: &RawFile) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |t: &RawTest| {
        for x in [&t.at_most, &t.at_least, &t.above, &t.below].into_iter().flatten() {
            out.push(x.clone());
        }
    };
    for b in &f.base {
        if let Some(w) = &b.when {
            add(w);
        }
        b.and.iter().for_each(&mut add);
    }
    for c in &f.criterion {
        for b in &c.when {
            add(&b.test);
            b.and.iter().for_each(&mut add);
        }
    }
    out
}

/// Inserts threshold values into a label: `(text, rule id, field, problems)`.
pub(crate) type Interpolate<'a> = &'a dyn Fn(&str, &str, &str, &mut Vec<Diagnostic>) -> String;

/// What compiling needs from the rest of the knowledge base.
pub(crate) struct Env<'a> {
    pub(crate) thresholds: &'a HashMap<&'a str, f64>,
    pub(crate) statement_exists: &'a dyn Fn(&str) -> bool,
    /// Inserts threshold values into a label.
    pub(crate) interpolate: Interpolate<'a>,
}

struct Ctx<'a, 'b> {
    env: &'a Env<'b>,
    file: &'a str,
    problems: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_, '_> {
    fn err(&mut self, id: &str, field: &str, msg: impl Into<String>) {
        self.problems.push(Diagnostic::error(self.file, id, field, msg));
    }

    fn sites(&mut self, id: &str, field: &str, sites: &[String]) -> SiteSet {
        let mut mask = 0u32;
        for s in sites {
            if s == "*" {
                mask = SiteSet::ALL.0;
            } else if let Some(i) = PRIMARY_SITES.iter().position(|p| p == s) {
                mask |= 1 << i;
            } else {
                self.err(id, field, format!("unknown primary site {s:?}; expected \"*\" or one of {}", PRIMARY_SITES.join(", ")));
            }
        }
        SiteSet(mask)
    }

    fn statement(&mut self, id: &str, field: &str, s: &str) {
        if !(self.env.statement_exists)(s) {
            self.err(id, field, format!("unknown statement {s:?}"));
        }
    }

    fn fact(&mut self, id: &str, field: &str, name: &str) -> Option<Fact> {
        let f = Fact::parse(name);
        if f.is_none() {
            let known: Vec<&str> = Fact::ALL.iter().map(|f| f.name()).collect();
            self.err(id, field, format!("unknown fact {name:?}; expected one of {}", known.join(", ")));
        }
        f
    }

    fn inputs(&mut self, id: &str, field: &str, inputs: &[String]) {
        for i in inputs {
            if !Fact::ALL.iter().any(|f| f.inputs().contains(&i.as_str())) {
                self.err(id, field, format!("unknown input {i:?}; expected a JSON pointer that a fact reads"));
            }
        }
    }

    /// Compiles `and = [...]`: each entry names its own fact.
    fn conds(&mut self, id: &str, field: &str, raw: &[RawTest]) -> Vec<Cond> {
        let mut out = Vec::new();
        for (i, t) in raw.iter().enumerate() {
            let field = format!("{field}[{i}]");
            let Some(name) = &t.fact else {
                self.err(id, &format!("{field}.fact"), "each `and` condition needs a fact");
                continue;
            };
            let fact = self.fact(id, &format!("{field}.fact"), name);
            let test = self.test(id, &field, fact, t);
            if test == Test::Any {
                self.err(id, &field, "an `and` condition needs a comparison (is, in, at_most, at_least, above or below)");
            }
            if let Some(fact) = fact {
                out.push(Cond { fact, test });
            }
        }
        out
    }

    /// Compiles a test for `fact` (`None` if the fact itself is unknown).
    fn test(&mut self, id: &str, field: &str, fact: Option<Fact>, t: &RawTest) -> Test {
        let mut tests = Vec::new();
        if let Some(b) = t.is {
            tests.push(("is", Test::Is(b)));
        }
        let number = |ctx: &mut Self, name: &str, th: &str| -> f64 {
            match ctx.env.thresholds.get(th) {
                Some(v) => *v,
                None => {
                    ctx.err(id, &format!("{field}.{name}"), format!("unknown threshold {th:?}"));
                    0.0
                }
            }
        };
        if let Some(th) = &t.at_most {
            tests.push(("at_most", Test::AtMost(number(self, "at_most", th))));
        }
        if let Some(th) = &t.at_least {
            tests.push(("at_least", Test::AtLeast(number(self, "at_least", th))));
        }
        if let Some(th) = &t.above {
            tests.push(("above", Test::Above(number(self, "above", th))));
        }
        if let Some(th) = &t.below {
            tests.push(("below", Test::Below(number(self, "below", th))));
        }
        if let Some(values) = &t.in_ {
            let mut mask = 0u32;
            if let Some(FactType::Enum(allowed)) = fact.map(Fact::ty) {
                for v in values {
                    match allowed.iter().position(|a| a == v) {
                        Some(i) => mask |= 1 << i,
                        None => self.err(
                            id,
                            &format!("{field}.in"),
                            format!(
                                "value {v:?} is not a value of fact {:?}; expected one of {}",
                                fact.map_or("", Fact::name),
                                allowed.join(", ")
                            ),
                        ),
                    }
                }
            }
            tests.push(("in", Test::In(mask)));
        }
        if tests.len() > 1 {
            let names: Vec<&str> = tests.iter().map(|(n, _)| *n).collect();
            self.err(id, field, format!("expected at most one comparison, got {}", names.join(" and ")));
        }
        let Some((name, test)) = tests.first().copied() else { return Test::Any };
        if let Some(f) = fact {
            let fits = matches!(
                (f.ty(), test),
                (FactType::Bool, Test::Is(_))
                    | (FactType::Enum(_), Test::In(_))
                    | (FactType::Number, Test::AtMost(_) | Test::AtLeast(_) | Test::Above(_) | Test::Below(_))
            );
            if !fits {
                let expected = match f.ty() {
                    FactType::Bool => "is",
                    FactType::Number => "at_most, at_least, above or below",
                    FactType::Enum(_) => "in",
                };
                self.err(
                    id,
                    &format!("{field}.{name}"),
                    format!("fact {:?} is {:?}; expected the comparison {expected}", f.name(), f.ty()),
                );
            }
        }
        test
    }
}

/// Compiles one parsed rules file, adding every problem to `problems`.
pub(crate) fn compile(path: &str, raw: RawFile, env: &Env<'_>, problems: &mut Vec<Diagnostic>) -> TreatmentRules {
    let mut cx = Ctx { env, file: path, problems };
    let t = raw.treatment.clone();
    if !TREATMENT_IDS.contains(&t.as_str()) {
        cx.err(&t, "treatment", format!("unknown treatment; expected one of {}", TREATMENT_IDS.join(", ")));
    }
    let procedural_sites = cx.sites(&t, "procedural_sites", &raw.procedural_sites);
    let mut base = Vec::new();
    for (i, b) in raw.base.iter().enumerate() {
        let rid = format!("{t}.base[{i}]");
        let sites = cx.sites(&rid, "sites", &b.sites);
        let when = b.when.as_ref().and_then(|w| {
            let Some(name) = &w.fact else {
                cx.err(&rid, "when.fact", "a base condition needs a fact");
                return None;
            };
            let fact = cx.fact(&rid, "when.fact", name);
            let test = cx.test(&rid, "when", fact, w);
            fact.map(|fact| Cond { fact, test })
        });
        let and = cx.conds(&rid, "and", &b.and);
        cx.statement(&rid, "statement", &b.statement);
        let depends = match (&b.depends, b.level) {
            (Some(d), Level::Depends) => {
                let label = (env.interpolate)(&d.label, &rid, "depends.label", cx.problems);
                cx.fact(&rid, "depends.fact", &d.fact).map(|fact| DependsOn { id: d.id.clone(), label, fact })
            }
            (None, Level::Depends) => {
                cx.err(&rid, "depends", "a depends row needs depends = { id, label, fact }");
                None
            }
            (Some(_), _) => {
                cx.err(&rid, "depends", "only a row with level = \"depends\" names what would decide it");
                None
            }
            (None, _) => None,
        };
        base.push(BaseRow { sites, when, and, level: b.level, statement: b.statement.clone(), depends });
    }
    // Every site has a base: an unconditional row or procedural code.
    for (i, site) in PRIMARY_SITES.iter().enumerate() {
        let covered = procedural_sites.contains(i) || base.iter().any(|b| b.when.is_none() && b.and.is_empty() && b.sites.contains(i));
        if !covered {
            cx.err(&t, "base", format!("no base level for primary site {site:?} (add a row without `when`, or \"*\")"));
        }
    }
    let mut criteria = Vec::new();
    for c in &raw.criterion {
        let id = c.id.clone();
        if !id.starts_with(&format!("{t}.")) {
            cx.err(&id, "id", format!("a criterion id starts with its treatment: \"{t}.…\""));
        }
        if criteria.iter().any(|x: &RuleCriterion| x.id == id) {
            cx.err(&id, "id", "duplicate criterion id");
        }
        let fact = cx.fact(&id, "fact", &c.fact);
        let mut sites = match &c.sites {
            Some(s) => cx.sites(&id, "sites", s),
            None => SiteSet::ALL,
        };
        if let Some(except) = &c.except_sites {
            let e = cx.sites(&id, "except_sites", except);
            sites = SiteSet(sites.0 & !e.0);
        }
        let label = (env.interpolate)(&c.label, &id, "label", cx.problems);
        let unknown_label = c.unknown_label.as_ref().map(|l| (env.interpolate)(l, &id, "unknown_label", cx.problems));
        if let Some(i) = &c.unknown_inputs {
            cx.inputs(&id, "unknown_inputs", i);
        }
        let mut branches = Vec::new();
        for (bi, b) in c.when.iter().enumerate() {
            let field = format!("when[{bi}]");
            if b.test.fact.is_some() {
                cx.err(&id, &format!("{field}.fact"), "a branch tests the criterion's fact; remove `fact`");
            }
            let test = cx.test(&id, &field, fact, &b.test);
            let bsites = match &b.sites {
                Some(s) => cx.sites(&id, &format!("{field}.sites"), s),
                None => SiteSet::ALL,
            };
            let outcome = match (b.result.as_str(), b.cap) {
                ("met", None) => Outcome::Met,
                ("note", None) => Outcome::Note,
                ("not_met", Some(cap)) => Outcome::NotMet(cap),
                ("not_met", None) => {
                    cx.err(&id, &format!("{field}.cap"), "a not_met branch needs a cap (possible or unlikely)");
                    Outcome::NotMet(Level::Unlikely)
                }
                ("reason", None) => Outcome::Reason,
                ("none", None) => Outcome::Nothing,
                (r @ ("met" | "note" | "reason" | "none"), Some(_)) => {
                    cx.err(&id, &format!("{field}.cap"), format!("only a not_met branch has a cap, not {r}"));
                    Outcome::Nothing
                }
                (other, _) => {
                    cx.err(
                        &id,
                        &format!("{field}.result"),
                        format!("unknown result {other:?}; expected met, note, not_met, reason or none"),
                    );
                    Outcome::Nothing
                }
            };
            let needs_statement = matches!(outcome, Outcome::Met | Outcome::NotMet(_) | Outcome::Reason);
            match (&b.statement, needs_statement) {
                (Some(s), true) => cx.statement(&id, &format!("{field}.statement"), s),
                (None, true) => cx.err(&id, &format!("{field}.statement"), format!("a {} branch needs a statement", b.result)),
                (Some(_), false) => cx.err(&id, &format!("{field}.statement"), format!("a {} branch has no statement", b.result)),
                (None, false) => {}
            }
            for s in &b.also {
                cx.statement(&id, &format!("{field}.also"), s);
            }
            if let Some(i) = &b.inputs {
                cx.inputs(&id, &format!("{field}.inputs"), i);
            }
            let label = b.label.as_ref().map(|l| (env.interpolate)(l, &id, &format!("{field}.label"), cx.problems));
            let and = cx.conds(&id, &format!("{field}.and"), &b.and);
            // A branch that also reads other facts names their inputs in the trace.
            let inputs = match (&b.inputs, fact) {
                (None, Some(f)) if !and.is_empty() => {
                    let mut all: Vec<String> = Vec::new();
                    for i in f.inputs().iter().chain(and.iter().flat_map(|a| a.fact.inputs())) {
                        if !all.iter().any(|x| x == i) {
                            all.push((*i).to_string());
                        }
                    }
                    Some(all)
                }
                _ => b.inputs.clone(),
            };
            branches.push(Branch {
                test,
                and,
                sites: bsites,
                outcome,
                statement: b.statement.clone(),
                also: b.also.clone(),
                label,
                inputs,
            });
        }
        if let Some(fact) = fact {
            criteria.push(RuleCriterion {
                id,
                label,
                fact,
                sites,
                branches,
                unknown: c.unknown,
                unknown_label,
                unknown_inputs: c.unknown_inputs.clone(),
            });
        }
    }
    TreatmentRules {
        treatment: t,
        procedural_sites,
        skip_criteria_when_base_unlikely: raw.skip_criteria_when_base_unlikely,
        base,
        criteria,
    }
}
