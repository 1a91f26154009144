//! Reading values: answer codes and text, numbers, units, ECOG, CEA, sizes, TNM N, HER2 scores, protein changes.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Polarity {
    Pos,
    Neg,
    Equivocal,
}

/// Answer codes: LOINC LA6576-8 Positive, LA6577-6 Negative, LA9633-4 Present,
/// LA9634-2 Absent; SNOMED CT 10828004 Positive, 260385009 Negative.
pub(super) fn polarity_of_codes(cc: &CodeableConcept) -> Option<Polarity> {
    for c in &cc.coding {
        let code = c.code.as_deref().unwrap_or("");
        match (c.system.as_deref().map(namespace).as_deref(), code) {
            (Some("loinc"), "LA6576-8" | "LA9633-4") | (Some("snomed"), "10828004") => return Some(Polarity::Pos),
            (Some("loinc"), "LA6577-6" | "LA9634-2") | (Some("snomed"), "260385009") => return Some(Polarity::Neg),
            _ => {}
        }
    }
    None
}

pub(super) fn polarity_of_text(w: &str) -> Option<Polarity> {
    let w = w.to_lowercase();
    const EQ: &[&str] = &["equivocal", "indeterminate", "inconclusive", "borderline", "uncertain", "failed"];
    const NEG: &[&str] = &[
        "not detected",
        "not present",
        "not found",
        "not identified",
        "no mutation",
        "negative",
        "absent",
        "wild type",
        "wild-type",
        "wildtype",
        "not amplified",
        "no amplification",
        "non-amplified",
        "undetected",
    ];
    const POS: &[&str] = &["positive", "detected", "present", "mutated", "mutant", "amplified", "identified", "overexpress"];
    if EQ.iter().any(|k| w.contains(k)) {
        Some(Polarity::Equivocal)
    } else if NEG.iter().any(|k| w.contains(k)) {
        Some(Polarity::Neg)
    } else if POS.iter().any(|k| w.contains(k)) {
        Some(Polarity::Pos)
    } else {
        None
    }
}

/// All text of a value (codes, displays, text, string), lower-cased.
pub(super) fn value_words(v: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(cc) = &v.value_codeable_concept {
        for c in &cc.coding {
            if let Some(code) = &c.code {
                parts.push(code.to_lowercase());
            }
        }
        let w = cc.words();
        if !w.is_empty() {
            parts.push(w);
        }
    }
    if let Some(s) = &v.value_string {
        parts.push(s.to_lowercase());
    }
    parts.join(" | ")
}

/// A plain number from valueInteger, valueQuantity (unitless or `{score}`) or valueString.
pub(super) fn number(v: &Value) -> Option<f64> {
    v.value_integer
        .or_else(|| v.value_quantity.as_ref().and_then(|q| q.value))
        .or_else(|| v.value_string.as_deref().and_then(|s| s.trim().parse().ok()))
}

pub(super) fn ecog(v: &Value) -> Result<u8, String> {
    // LOINC answer list LL529-9.
    if let Some(cc) = &v.value_codeable_concept {
        for c in &cc.coding {
            let n = match c.code.as_deref() {
                Some("LA9622-7") => 0,
                Some("LA9623-5") => 1,
                Some("LA9624-3") => 2,
                Some("LA9625-0") => 3,
                Some("LA9626-8") => 4,
                Some("LA9627-6") => 5,
                _ => continue,
            };
            return check_ecog(n as f64);
        }
    }
    match number(v) {
        Some(n) => check_ecog(n),
        None => Err("expected an ECOG score (valueInteger 0-4 or a LOINC LL529-9 answer), got none".into()),
    }
}

pub(super) fn check_ecog(n: f64) -> Result<u8, String> {
    if n.fract() == 0.0 && (0.0..=4.0).contains(&n) {
        Ok(n as u8)
    } else if n == 5.0 {
        Err("ECOG 5 (dead) is outside the contract's 0-4".into())
    } else {
        Err(format!("expected an ECOG score 0-4, got {n}"))
    }
}

/// CEA in ng/mL from a quantity (µg/L is the same).
pub(super) fn cea(v: &Value) -> Result<(f64, Option<String>), String> {
    let Some(q) = &v.value_quantity else { return Err("expected a valueQuantity".into()) };
    let Some(x) = q.value else { return Err("quantity has no value".into()) };
    let unit = q.unit_code().unwrap_or("");
    let factor = match unit.to_lowercase().replace(['μ', 'µ'], "u").as_str() {
        "ng/ml" | "ug/l" => 1.0,
        "ng/l" | "pg/ml" => 0.001,
        "ug/ml" | "mg/l" => 1000.0,
        "" => return Err("CEA has no unit; expected ng/mL or µg/L".into()),
        other => return Err(format!("expected CEA in ng/mL or µg/L, got unit {other:?}")),
    };
    let ng = x * factor;
    if ng < 0.0 {
        return Err(format!("expected CEA >= 0, got {x}"));
    }
    let note = match q.comparator.as_deref() {
        Some(c) => Some(format!("CEA reported as {c}{x} {unit}; used {ng} ng/mL")),
        None if factor != 1.0 => Some(format!("CEA {x} {unit} converted to {ng} ng/mL")),
        None => None,
    };
    Ok((ng, note))
}

/// A tumour size in cm from a UCUM mm/cm quantity, within the contract's (0, 30].
pub(super) fn size_cm(q: &Quantity) -> Result<f64, String> {
    let Some(x) = q.value else { return Err("quantity has no value".into()) };
    let cm = match q.unit_code().unwrap_or("") {
        "mm" => x / 10.0,
        "cm" => x,
        "m" => x * 100.0,
        "" => return Err("size has no unit; expected mm or cm".into()),
        other => return Err(format!("expected a size in mm or cm, got unit {other:?}")),
    };
    if cm > 0.0 && cm <= 30.0 {
        Ok((cm * 1000.0).round() / 1000.0)
    } else {
        Err(format!("expected a size above 0 and at most 30 cm, got {cm} cm"))
    }
}

/// Disease status (mCODE ConditionStatusTrendVS: SNOMED 268910001 improved,
/// 359746009 stable, 271299001 worse) as a chemotherapy response.
pub(super) fn disease_status(v: &Value) -> Option<ChemoHistory> {
    if let Some(cc) = &v.value_codeable_concept {
        for c in &cc.coding {
            match c.code.as_deref() {
                Some("268910001") => return Some(ChemoHistory::Responding),
                Some("359746009") => return Some(ChemoHistory::Stable),
                Some("271299001") => return Some(ChemoHistory::Refractory),
                _ => {}
            }
        }
    }
    let w = value_words(v);
    if w.contains("improv") || w.contains("respon") || w.contains("remission") {
        Some(ChemoHistory::Responding)
    } else if w.contains("progress") || w.contains("worse") {
        Some(ChemoHistory::Refractory)
    } else if w.contains("stable") {
        Some(ChemoHistory::Stable)
    } else {
        None
    }
}

/// An N category from text: `Some(Some(node positive))`, `Some(None)` for NX.
pub(super) fn parse_n(text: &str) -> Option<Option<bool>> {
    for token in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let t = token.to_ascii_lowercase();
        let t = t.trim_start_matches(['c', 'p', 'y', 'r']);
        let mut ch = t.chars();
        if ch.next() != Some('n') {
            continue;
        }
        match ch.next() {
            Some('0') => return Some(Some(false)),
            Some('1' | '2' | '3') => return Some(Some(true)),
            Some('x') if ch.next().is_none() => return Some(None),
            _ => {}
        }
    }
    None
}

/// A HER2 IHC score written as `0`, `1+`, `2+`, `3+`.
pub(super) fn ihc_score(w: &str) -> Option<u8> {
    for (s, n) in [("3+", 3), ("2+", 2), ("1+", 1), ("0+", 0)] {
        if w.contains(s) {
            return Some(n);
        }
    }
    w.split(|c: char| !c.is_alphanumeric()).any(|t| t == "0").then_some(0)
}

/// A protein change in one-letter form (`G12C`, `V600E`) from HGVS or plain text.
pub(super) fn protein_change(w: &str) -> Option<String> {
    const AA: &[(&str, &str)] = &[
        ("ala", "A"),
        ("arg", "R"),
        ("asn", "N"),
        ("asp", "D"),
        ("cys", "C"),
        ("gln", "Q"),
        ("glu", "E"),
        ("gly", "G"),
        ("his", "H"),
        ("ile", "I"),
        ("leu", "L"),
        ("lys", "K"),
        ("met", "M"),
        ("phe", "F"),
        ("pro", "P"),
        ("ser", "S"),
        ("thr", "T"),
        ("trp", "W"),
        ("tyr", "Y"),
        ("val", "V"),
    ];
    for token in w.split(|c: char| c.is_whitespace() || c == '|' || c == ',' || c == ';' || c == ':') {
        let mut t = token.trim().to_lowercase();
        if let Some(r) = t.strip_prefix("p.") {
            t = r.trim_matches(|c| c == '(' || c == ')').to_string();
        }
        for (three, one) in AA {
            t = t.replace(three, &one.to_lowercase());
        }
        let b = t.as_bytes();
        // letter, digits, letter (or '=' / '*')
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1].is_ascii_digit() {
            let digits: String = t[1..].chars().take_while(|c| c.is_ascii_digit()).collect();
            let rest = &t[1 + digits.len()..];
            if rest.len() == 1 && rest.chars().all(|c| c.is_ascii_alphabetic() || c == '*') {
                return Some(format!("{}{}{}", t[..1].to_uppercase(), digits, rest.to_uppercase()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protein_changes() {
        assert_eq!(protein_change("p.G12C").as_deref(), Some("G12C"));
        assert_eq!(protein_change("p.(Gly12Cys)").as_deref(), Some("G12C"));
        assert_eq!(protein_change("nm_004985.5:c.35g>a | p.gly12asp").as_deref(), Some("G12D"));
        assert_eq!(protein_change("braf v600e").as_deref(), Some("V600E"));
        assert_eq!(protein_change("positive"), None);
    }

    #[test]
    fn n_categories() {
        assert_eq!(parse_n("cn0"), Some(Some(false)));
        assert_eq!(parse_n("ypN1a"), Some(Some(true)));
        assert_eq!(parse_n("N2 category (finding)"), Some(Some(true)));
        assert_eq!(parse_n("nx"), Some(None));
        assert_eq!(parse_n("negative"), None);
    }

    #[test]
    fn text_polarity() {
        assert_eq!(polarity_of_text("not detected"), Some(Polarity::Neg));
        assert_eq!(polarity_of_text("Detected"), Some(Polarity::Pos));
        assert_eq!(polarity_of_text("equivocal"), Some(Polarity::Equivocal));
    }

    #[test]
    fn sizes_and_cea() {
        let q = |v: f64, u: &str| Quantity { value: Some(v), code: Some(u.into()), ..Default::default() };
        assert_eq!(size_cm(&q(42.0, "mm")), Ok(4.2));
        assert_eq!(size_cm(&q(4.2, "cm")), Ok(4.2));
        assert!(size_cm(&q(42.0, "cm")).is_err());
        let v = Value { value_quantity: Some(q(12.5, "ug/L")), ..Default::default() };
        assert_eq!(cea(&v).map(|x| x.0), Ok(12.5));
        let v = Value { value_quantity: Some(q(12.5, "µg/L")), ..Default::default() };
        assert_eq!(cea(&v).map(|x| x.0), Ok(12.5));
    }
}
