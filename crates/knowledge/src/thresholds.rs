//! Thresholds as a typed, validated part of the knowledge base.
//!
//! Every number the Rust code compares against is a variant of [`Th`]; the
//! value comes from `content/thresholds.toml` and is read with
//! [`Knowledge::t`](crate::Knowledge::t), an array index that cannot fail:
//! loading refuses a knowledge base in which any [`Th`] is missing, so there
//! is no fallback value and no NaN. Thresholds that only rules in
//! `content/rules/` use need no variant; a threshold that neither the code nor
//! any rule uses is an error (it would be a number nobody reads).
//!
//! Texts insert values by id: `{ablation.ideal_max_cm}` in a statement, rule
//! label or treatment page becomes `3`; `{ablation.max_ps+1}` adds one (for
//! "3 or more" next to a cut-off of 2). Placeholders are resolved once at load
//! time, so each number is written once in content.

use std::collections::HashMap;

use crate::check::Diagnostic;
use crate::model::Threshold;

/// What values a threshold may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A whole number (a count, a performance status).
    Integer,
    /// Any finite number at or above zero (centimetres, months, percent).
    Number,
}

impl ValueKind {
    /// The kind implied by a threshold's unit: `count` and `ECOG` are whole numbers.
    pub fn of_unit(unit: &str) -> ValueKind {
        match unit {
            "count" | "ECOG" | "points" => ValueKind::Integer,
            _ => ValueKind::Number,
        }
    }
}

macro_rules! thresholds {
    ($($(#[$doc:meta])* $variant:ident = $id:literal,)*) => {
        /// A threshold that Rust code reads (scores, named facts, procedural rules,
        /// FHIR interpretation). Its value is always present once loaded.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(usize)]
        pub enum Th {
            $($(#[$doc])* $variant,)*
        }

        impl Th {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Th] = &[$(Th::$variant,)*];

            /// The threshold's id in `content/thresholds.toml`.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Th::$variant => $id,)*
                }
            }
        }
    };
}

thresholds! {
    /// Smallest remnant in a normal liver (percent).
    FlrNormalMinPercent = "flr.normal_min_percent",
    /// Smallest remnant after chemotherapy injury (percent).
    FlrChemotherapyInjuredMinPercent = "flr.chemotherapy_injured_min_percent",
    /// Smallest remnant with cirrhosis (percent).
    FlrCirrhosisMinPercent = "flr.cirrhosis_min_percent",
    /// Highest performance status for major liver surgery.
    SurgeryMaxPs = "surgery.max_ps",
    /// Performance status at or below which fitness for surgery is assumed.
    SurgeryMaxPsImpliedFit = "surgery.max_ps_implied_fit",
    /// Highest performance status for liver transplant (TRANSMET).
    TransplantMaxPs = "transplant.max_ps",
    /// Highest performance status for any cancer-directed drug treatment.
    ChemoMaxPsAny = "chemo.max_ps_any",
    /// Most sites of disease in all for SABR of oligometastases.
    SabrMaxSites = "sabr.max_sites",
    /// Fong: disease-free interval strictly below (months).
    FongDfiMonths = "fong.dfi_months",
    /// Fong: strictly more tumours than.
    FongCount = "fong.count",
    /// Fong: largest tumour strictly larger than (cm).
    FongSizeCm = "fong.size_cm",
    /// Fong: CEA strictly above (ng/mL).
    FongCea = "fong.cea",
    /// Fong: low group up to and including this many points.
    FongLowMaxPoints = "fong.low_max_points",
    /// GAME: CEA at or above (ng/mL).
    GameCea = "game.cea",
    /// GAME: low group up to and including this many points.
    GameLowMaxPoints = "game.low_max_points",
    /// GAME: medium group up to and including this many points.
    GameMediumMaxPoints = "game.medium_max_points",
    /// Tumour burden score: medium from.
    TbsMedium = "tbs.medium",
    /// Tumour burden score: high from.
    TbsHigh = "tbs.high",
}

/// Thresholds that engine logic 2 reads by id (procedural transplant criteria):
/// a release with `engine_logic = 2` or later must define them (`kb check`
/// says so), and releases of logic 1, which never read them, do not have them.
/// The engine treats a missing one as unknown, never as a number.
pub const LOGIC_2: &[&str] = &[
    "transplant.max_age_years",
    "transplant.min_months_controlled",
    "transplant.max_lines_ended",
    "transplant_net.max_age_years",
    "transplant_net.max_liver_replaced_percent",
    "transplant_net.min_months_controlled",
];

/// The values of every [`Th`], in declaration order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values(pub(crate) Vec<f64>);

/// Checks every threshold's value and that every [`Th`] is present; `used_by_rules`
/// are ids that rules refer to (these need no variant). Returns the values of
/// the variants, or every problem found.
pub(crate) fn validate(thresholds: &[Threshold], used_by_rules: &[String], problems: &mut Vec<Diagnostic>) -> Values {
    let file = "thresholds.toml";
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for t in thresholds {
        if seen.insert(&t.id, 1).is_some() {
            problems.push(Diagnostic::error(file, &t.id, "id", "duplicate threshold id"));
        }
        if !t.value.is_finite() {
            problems.push(Diagnostic::error(file, &t.id, "value", format!("expected a finite number, got {}", t.value)));
        } else if t.value < 0.0 {
            problems.push(Diagnostic::error(file, &t.id, "value", format!("expected a number at or above 0, got {}", t.value)));
        } else if ValueKind::of_unit(&t.unit) == ValueKind::Integer && t.value.fract() != 0.0 {
            problems.push(Diagnostic::error(
                file,
                &t.id,
                "value",
                format!("expected a whole number for unit {:?}, got {}", t.unit, t.value),
            ));
        }
        let known = Th::ALL.iter().any(|v| v.id() == t.id) || used_by_rules.contains(&t.id) || LOGIC_2.contains(&t.id.as_str());
        if !known {
            problems.push(Diagnostic::error(
                file,
                &t.id,
                "id",
                "unknown threshold: neither the engine nor any rule in rules/ uses it (remove it, or use it in a rule)",
            ));
        }
    }
    let mut values = Vec::with_capacity(Th::ALL.len());
    for v in Th::ALL {
        match thresholds.iter().find(|t| t.id == v.id()) {
            Some(t) => values.push(t.value),
            None => {
                problems.push(Diagnostic::error(file, v.id(), "id", "missing threshold: the engine reads it, so it must be defined"));
                values.push(0.0);
            }
        }
    }
    Values(values)
}

/// Formats a threshold value for text: `3`, `2.5`.
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// Replaces `{threshold.id}` and `{threshold.id+N}` placeholders in `text`.
/// A placeholder is a brace pair whose content contains a dot; other braces
/// (such as `{treatment}`) are left for their own users. Unknown ids are
/// reported as problems against `file`, `id`, `field`.
pub(crate) fn interpolate(
    text: &str,
    values: &HashMap<&str, f64>,
    file: &str,
    id: &str,
    field: &str,
    problems: &mut Vec<Diagnostic>,
) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        if !inner.contains('.') {
            out.push('{');
            out.push_str(inner);
            out.push('}');
        } else {
            let (name, offset) = match inner.split_once('+') {
                Some((n, o)) => (n.trim(), o.trim().parse::<f64>().ok()),
                None => (inner.trim(), Some(0.0)),
            };
            match (values.get(name), offset) {
                (Some(v), Some(o)) => out.push_str(&format_value(v + o)),
                (None, _) => {
                    problems.push(Diagnostic::error(file, id, field, format!("unknown threshold {{{name}}} in the text")));
                    out.push_str(&rest[start..start + end + 2]);
                }
                (_, None) => {
                    problems.push(Diagnostic::error(file, id, field, format!("expected {{id}} or {{id+N}}, got {{{inner}}}")));
                    out.push_str(&rest[start..start + end + 2]);
                }
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_values_and_leave_other_braces() {
        let values: HashMap<&str, f64> = [("a.b", 3.0), ("c.d", 2.5)].into_iter().collect();
        let mut p = Vec::new();
        let s = interpolate("{a.b} cm, {a.b+1} or more, {c.d}; {treatment}", &values, "f", "i", "x", &mut p);
        assert_eq!(s, "3 cm, 4 or more, 2.5; {treatment}");
        assert!(p.is_empty());
        interpolate("{x.y} and {a.b+z}", &values, "f", "i", "x", &mut p);
        assert_eq!(p.len(), 2, "{p:?}");
    }
}
