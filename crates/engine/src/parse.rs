//! Reading a Case from JSON, with every problem named by JSON pointer.
//!
//! Parsing never stops at the first problem: [`case_from_json`] returns all of
//! them, each with what was expected and what was given, and a "did you mean"
//! hint for near-miss field names and values. The same errors back the CLI's
//! exit code 2 and the API's HTTP 422.
//!
//! JSON text is read by [`json_from_slice`], which refuses a key given twice in
//! one object (anywhere, also inside `biomarkers`): serde_json alone keeps the
//! last one silently, so `{"KRAS":"mutant","KRAS":"wild_type"}` would be read
//! as wild type. Ambiguous input is an error naming the pointer, never a guess.
//!
//! Errors are capped at [`MAX_ERRORS`] (then one "and N more" item) and every
//! echoed key or value is cut to a few dozen characters, so a hostile body
//! cannot make a large answer or a long log line, and "did you mean" hints are
//! only computed for short keys (edit distance is quadratic in length).

use std::fmt;

use serde_json::{Map, Value};

use crate::case::*;

/// Largest JSON document accepted for one case, in bytes.
pub const MAX_CASE_BYTES: usize = 1 << 20;

/// Most problems reported for one case; the rest are counted in one last item.
pub const MAX_ERRORS: usize = 100;

/// Longest key or value echoed back in an error, in characters.
pub const MAX_ECHO_CHARS: usize = 40;

/// Longest key that gets a "did you mean" hint.
const MAX_SUGGEST_CHARS: usize = 64;

/// One problem with the input, at a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// RFC 6901 JSON pointer; empty string for the whole document.
    pub pointer: String,
    /// What was expected and what was given.
    pub detail: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = if self.pointer.is_empty() { "/" } else { &self.pointer };
        write!(f, "{p}: {}", self.detail)
    }
}

/// Parses one Case from JSON text.
pub fn case_from_json(text: &[u8]) -> Result<Case, Vec<FieldError>> {
    if text.len() > MAX_CASE_BYTES {
        return Err(vec![err("", format!("expected a case of at most {MAX_CASE_BYTES} bytes, got {} bytes", text.len()))]);
    }
    // A UTF-8 byte order mark is harmless; some editors on Windows add one.
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let value = match json_from_slice(text) {
        Ok(v) => v,
        Err(JsonError::Syntax(e)) => return Err(vec![err("", format!("expected a JSON object, got invalid JSON ({e})"))]),
        Err(e) => return Err(vec![e.field_error()]),
    };
    case_from_value(&value)
}

/// Why JSON text could not be read.
#[derive(Debug)]
pub enum JsonError {
    /// Not JSON.
    Syntax(serde_json::Error),
    /// A key appears twice in one object: the input is ambiguous.
    DuplicateKey {
        /// RFC 6901 pointer of the repeated key.
        pointer: String,
    },
    /// A number too large for a 64-bit float (`1e400`): valid JSON grammar,
    /// but no value can be read from it, so it is a problem of that field.
    OutOfRange {
        /// RFC 6901 pointer of the number.
        pointer: String,
    },
}

impl JsonError {
    /// The error as a field problem (the pointer of a repeated key, or the whole document).
    pub fn field_error(&self) -> FieldError {
        match self {
            JsonError::Syntax(e) => err("", format!("expected valid JSON, got invalid JSON ({e})")),
            JsonError::DuplicateKey { pointer } => err(
                pointer.clone(),
                "expected each field once, got this field more than once: the input is ambiguous, so nothing was assumed",
            ),
            JsonError::OutOfRange { pointer } => {
                err(pointer.clone(), "expected a number of an ordinary size, got one too large to be read (such as 1e400)")
            }
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.field_error())
    }
}

impl std::error::Error for JsonError {}

/// Reads JSON text into a [`Value`], refusing any object with a repeated key
/// (serde_json would keep the last silently). A leading UTF-8 byte order mark
/// is skipped. serde_json's nesting limit (128) still applies.
pub fn json_from_slice(text: &[u8]) -> Result<Value, JsonError> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let mut track = strict::Track::default();
    let mut de = serde_json::Deserializer::from_slice(text);
    let result = serde::de::DeserializeSeed::deserialize(strict::Seed(&mut track), &mut de).and_then(|v| de.end().map(|()| v));
    match (result, track.dup) {
        (Ok(v), _) => Ok(v),
        // A repeated key is reported only in otherwise valid JSON: the strict
        // reader stops at the repeat, so check the rest of the text (found by
        // the fuzz smoke: `{"a":1,"a"=2}` is malformed, not ambiguous).
        // (A full `Value` parse, not `IgnoredAny`, which would skip the UTF-8 check of strings.)
        (Err(_), Some(pointer)) => match serde_json::from_slice::<Value>(text) {
            Ok(_) => Err(JsonError::DuplicateKey { pointer }),
            Err(syntax) => Err(JsonError::Syntax(syntax)),
        },
        // serde_json names no field for a number too large to read (`1e400`); the
        // strict reader knows where it was (outsider red team: a 400 without a field).
        (Err(e), None) => match track.at {
            Some(pointer) if e.to_string().starts_with("number out of range") => Err(JsonError::OutOfRange { pointer }),
            _ => Err(JsonError::Syntax(e)),
        },
    }
}

/// A serde visitor that builds a [`Value`] and stops at the first repeated
/// key. The pointer is built on the way out of the error (each level prepends
/// its key or index), so the success path costs one map look-up per key.
mod strict {
    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    /// Where reading stopped: `dup`, the pointer of a repeated key; `at`, the
    /// pointer of the value being read when any other error happened.
    #[derive(Default)]
    pub struct Track {
        pub dup: Option<String>,
        pub at: Option<String>,
    }

    pub struct Seed<'a>(pub &'a mut Track);

    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    /// On the way out of an error from the value at `segment`: the innermost
    /// level starts `at` (unless a repeated key is the error), and every level
    /// prepends its segment.
    fn prepend(t: &mut Track, segment: &str) {
        if t.dup.is_none() && t.at.is_none() {
            t.at = Some(String::new());
        }
        for p in [&mut t.dup, &mut t.at].into_iter().flatten() {
            *p = format!("/{}{p}", super::escape(segment));
        }
    }

    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            loop {
                match seq.next_element_seed(Seed(&mut *self.0)) {
                    Ok(Some(v)) => out.push(v),
                    Ok(None) => return Ok(Value::Array(out)),
                    Err(e) => {
                        prepend(self.0, &out.len().to_string());
                        return Err(e);
                    }
                }
            }
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    self.0.dup = Some(format!("/{}", super::escape(&key)));
                    return Err(de::Error::custom("duplicate key"));
                }
                match map.next_value_seed(Seed(&mut *self.0)) {
                    Ok(v) => {
                        out.insert(key, v);
                    }
                    Err(e) => {
                        prepend(self.0, &key);
                        return Err(e);
                    }
                }
            }
            Ok(Value::Object(out))
        }
    }
}

/// Validates an already-parsed JSON value as a Case.
pub fn case_from_value(value: &Value) -> Result<Case, Vec<FieldError>> {
    let mut p = Parser { errors: Vec::new(), more: 0 };
    let case = p.case(value);
    match case {
        Some(c) if p.errors.is_empty() => Ok(c),
        _ => {
            if p.more > 0 {
                let n = p.more;
                p.errors.push(err("", format!("and {n} more problem{} not listed", if n == 1 { "" } else { "s" })));
            }
            Err(p.errors)
        }
    }
}

const CASE_FIELDS: &[&str] = &[
    "id",
    "primary_site",
    "bowel_side",
    "biomarkers",
    "liver",
    "spread_elsewhere",
    "performance_status",
    "fit_for_major_surgery",
    "chemotherapy_history",
    "primary_node_positive",
    "disease_free_interval_months",
    "cea_ng_ml",
    "treatment_history",
    "liver_function",
    "histology",
    "net_origin",
    "tumour_grade",
    "ki67_percent",
    "primary_resected",
    "carcinoid_syndrome",
    "age_years",
    "months_disease_controlled",
];

const HISTORY_FIELDS: &[&str] =
    &["lines_of_systemic_therapy", "previous", "platinum_sensitive", "castration_resistant", "endocrine_resistant"];

const LIVER_FUNCTION_FIELDS: &[&str] =
    &["bilirubin_umol_l", "albumin_g_l", "ascites", "jaundice", "biliary_obstruction", "child_pugh", "bilirubin_uln_umol_l"];

/// The 1.1 biomarker keys that are not a [`Biomarker`] with a named value.
const BIOMARKER_DETAIL_KEYS: &[&str] = &["PD_L1_CPS", "PD_L1_TPS", "PD_L1_IC", "HER2_IHC", "BRCA_origin"];

const LIVER_FIELDS: &[&str] = &[
    "tumour_count",
    "largest_tumour_cm",
    "both_lobes",
    "near_major_vessels",
    "all_removable",
    "future_liver_remnant_percent",
    "liver_condition",
    "percent_liver_replaced",
];

/// Well-known aliases that deserve a precise hint (US spellings, synonyms).
const FIELD_ALIASES: &[(&str, &str)] = &[
    ("tumor_count", "tumour_count"),
    ("largest_tumor_cm", "largest_tumour_cm"),
    ("ecog", "performance_status"),
    ("who_performance_status", "performance_status"),
    ("cea", "cea_ng_ml"),
    ("flr", "future_liver_remnant_percent"),
    ("primary", "primary_site"),
    ("site", "primary_site"),
    ("extrahepatic_disease", "spread_elsewhere"),
    ("tumor_grade", "tumour_grade"),
    ("grade", "tumour_grade"),
    ("ki67", "ki67_percent"),
    ("age", "age_years"),
    ("bilirubin", "bilirubin_umol_l"),
    ("albumin", "albumin_g_l"),
    ("lines_of_therapy", "lines_of_systemic_therapy"),
    ("prior_lines", "lines_of_systemic_therapy"),
    ("prior_therapies", "previous"),
    ("child_pugh_class", "child_pugh"),
];

fn err(pointer: impl Into<String>, detail: impl Into<String>) -> FieldError {
    FieldError { pointer: pointer.into(), detail: detail.into() }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A short, safe rendering of what was given.
fn shown(v: &Value) -> String {
    let s = match v {
        Value::Object(_) => "an object".to_string(),
        Value::Array(_) => "a list".to_string(),
        Value::Null => return "null (leave the field out when it is not known)".to_string(),
        other => other.to_string(),
    };
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
}

/// The closest candidate, if it is close enough to be a likely typo.
pub fn suggest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if given.chars().count() > MAX_SUGGEST_CHARS {
        return None;
    }
    let g = given.to_lowercase();
    // The closest candidate and whether another is as close: a tie (`D` is one
    // edit from each of `A`, `B` and `C`) names no likely typo, so no hint.
    let mut best: Option<(&str, usize, bool)> = None;
    for c in candidates {
        let lc = c.to_lowercase();
        if lc == g {
            return Some(c);
        }
        let d = strsim::damerau_levenshtein(&g, &lc);
        let limit = (lc.chars().count() / 3).clamp(1, 3);
        if d > limit {
            continue;
        }
        best = match best {
            Some((b, bd, _)) if d == bd => Some((b, bd, true)),
            Some((_, bd, _)) if d < bd => Some((c, d, false)),
            None => Some((c, d, false)),
            kept => kept,
        };
    }
    best.and_then(|(c, _, tied)| (!tied).then_some(c))
}

struct Parser {
    errors: Vec<FieldError>,
    /// Problems found beyond [`MAX_ERRORS`].
    more: usize,
}

/// A string as given, quoted, cut to [`MAX_ECHO_CHARS`] characters.
fn quoted(s: &str) -> String {
    if s.chars().count() > MAX_ECHO_CHARS {
        format!("{:?}…", s.chars().take(MAX_ECHO_CHARS).collect::<String>())
    } else {
        format!("{s:?}")
    }
}

/// `ptr/key`, with a long key cut to [`MAX_ECHO_CHARS`] characters (marked with `…`).
fn key_pointer(ptr: &str, key: &str) -> String {
    if key.chars().count() > MAX_ECHO_CHARS {
        format!("{ptr}/{}…", escape(&key.chars().take(MAX_ECHO_CHARS).collect::<String>()))
    } else {
        format!("{ptr}/{}", escape(key))
    }
}

impl Parser {
    /// Whether [`MAX_ERRORS`] problems are already listed (skip costly hints).
    fn full(&self) -> bool {
        self.errors.len() >= MAX_ERRORS
    }

    fn push(&mut self, e: FieldError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        } else {
            self.more += 1;
        }
    }

    fn object<'v>(&mut self, v: &'v Value, ptr: &str, fields: &[&str]) -> Option<&'v Map<String, Value>> {
        let Value::Object(map) = v else {
            self.push(err(ptr, format!("expected an object, got {}", shown(v))));
            return None;
        };
        for key in map.keys() {
            if !fields.contains(&key.as_str()) {
                if self.full() {
                    self.more += 1;
                    continue;
                }
                let hint = FIELD_ALIASES
                    .iter()
                    .find(|(a, t)| a.eq_ignore_ascii_case(key) && fields.contains(t))
                    .map(|(_, t)| *t)
                    .or_else(|| suggest(key, fields.iter().copied()));
                let detail = match hint {
                    Some(h) => format!("unknown field (did you mean {h}?)"),
                    None => format!("unknown field; expected one of {}", fields.join(", ")),
                };
                self.push(err(key_pointer(ptr, key), detail));
            }
        }
        Some(map)
    }

    fn case(&mut self, v: &Value) -> Option<Case> {
        let map = self.object(v, "", CASE_FIELDS)?;
        let primary = match map.get("primary_site") {
            None => {
                self.push(err("/primary_site", "expected one of the primary sites (it is required), got nothing"));
                None
            }
            Some(v) => self.primary_site(v),
        };
        let mut case = Case::new(primary.unwrap_or(PrimarySite::Other));
        case.id = map.get("id").and_then(|v| self.string(v, "/id", 256));
        case.bowel_side = self.opt_enum(map, "bowel_side", "/bowel_side", BowelSide::ALL, BowelSide::as_str, BowelSide::parse);
        if let Some(b) = map.get("biomarkers") {
            case.biomarkers = self.biomarkers(b);
        }
        if let Some(l) = map.get("liver") {
            case.liver = self.liver(l);
        }
        if let Some(s) = map.get("spread_elsewhere") {
            case.spread_elsewhere = self.spread(s);
        }
        case.performance_status = self.opt_whole(map, "performance_status", "/performance_status", 0, 4).map(|n| n as u8);
        case.fit_for_major_surgery = self.opt_bool(map, "fit_for_major_surgery", "/fit_for_major_surgery");
        case.chemotherapy_history = self.opt_enum(
            map,
            "chemotherapy_history",
            "/chemotherapy_history",
            ChemoHistory::ALL,
            ChemoHistory::as_str,
            ChemoHistory::parse,
        );
        case.primary_node_positive = self.opt_bool(map, "primary_node_positive", "/primary_node_positive");
        case.disease_free_interval_months =
            self.opt_number(map, "disease_free_interval_months", "/disease_free_interval_months", Range::AtLeast(0.0), "months");
        case.cea_ng_ml = self.opt_number(map, "cea_ng_ml", "/cea_ng_ml", Range::AtLeast(0.0), "ng/mL");
        if let Some(h) = map.get("treatment_history") {
            case.treatment_history = self.treatment_history(h);
        }
        if let Some(f) = map.get("liver_function") {
            case.liver_function = self.liver_function(f);
        }
        case.histology = self.opt_enum(map, "histology", "/histology", Histology::ALL, Histology::as_str, Histology::parse);
        case.net_origin = self.opt_enum(map, "net_origin", "/net_origin", NetOrigin::ALL, NetOrigin::as_str, NetOrigin::parse);
        case.tumour_grade = self.opt_enum(map, "tumour_grade", "/tumour_grade", TumourGrade::ALL, TumourGrade::as_str, TumourGrade::parse);
        case.ki67_percent = self.opt_number(map, "ki67_percent", "/ki67_percent", Range::Between(0.0, 100.0), "percent");
        case.primary_resected = self.opt_bool(map, "primary_resected", "/primary_resected");
        case.carcinoid_syndrome = self.opt_bool(map, "carcinoid_syndrome", "/carcinoid_syndrome");
        case.age_years = self.opt_whole(map, "age_years", "/age_years", 18, 120).map(|n| n as u8);
        case.months_disease_controlled =
            self.opt_number(map, "months_disease_controlled", "/months_disease_controlled", Range::Between(0.0, 600.0), "months");
        self.contradictions(&case);
        self.contradictions_1_1(&case);
        primary.map(|_| case)
    }

    fn primary_site(&mut self, v: &Value) -> Option<PrimarySite> {
        let Some(s) = v.as_str() else {
            self.push(err("/primary_site", format!("expected a string naming the primary site, got {}", shown(v))));
            return None;
        };
        if let Some(site) = PrimarySite::parse(s) {
            return Some(site);
        }
        let lower = s.to_lowercase();
        if ["liver", "hepatocellular", "hcc", "primary_liver", "cholangiocarcinoma", "bile_duct"].contains(&lower.as_str()) {
            self.push(err(
                "/primary_site",
                format!(
                    "expected the place where the cancer started before it spread to the liver, got {}: primary liver cancer is out of scope (Hepatica covers secondary cancer in the liver)",
                    quoted(s)
                ),
            ));
            return None;
        }
        let aliases = [
            ("colorectal", "bowel"),
            ("colon", "bowel"),
            ("rectum", "bowel"),
            ("rectal", "bowel"),
            ("crc", "bowel"),
            ("net", "neuroendocrine"),
            ("esophagus", "oesophagus"),
            ("skin", "melanoma"),
            ("uterus", "womb"),
            ("endometrium", "womb"),
            ("renal", "kidney"),
            ("gastric", "stomach"),
        ];
        let hint =
            aliases.iter().find(|(a, _)| *a == lower).map(|(_, t)| *t).or_else(|| suggest(s, PrimarySite::ALL.iter().map(|p| p.as_str())));
        let list = PrimarySite::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ");
        let detail = match hint {
            Some(h) => format!("expected one of {list}; got {} (did you mean {h}?)", quoted(s)),
            None => format!("expected one of {list}; got {}", quoted(s)),
        };
        self.push(err("/primary_site", detail));
        None
    }

    fn string(&mut self, v: &Value, ptr: &str, max: usize) -> Option<String> {
        match v {
            Value::String(s) if s.chars().count() <= max => Some(s.clone()),
            Value::String(s) => {
                self.push(err(ptr, format!("expected a string of at most {max} characters, got {} characters", s.chars().count())));
                None
            }
            other => {
                self.push(err(ptr, format!("expected a string, got {}", shown(other))));
                None
            }
        }
    }

    fn enum_value<T: Copy>(
        &mut self,
        v: &Value,
        ptr: &str,
        all: &[T],
        name: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let names: Vec<&str> = all.iter().map(|x| name(*x)).collect();
        match v {
            Value::String(s) => match parse(s) {
                Some(x) => Some(x),
                None => {
                    let detail = match suggest(s, names.iter().copied()) {
                        Some(h) => format!("expected one of {}; got {} (did you mean {h}?)", names.join(", "), quoted(s)),
                        None => format!("expected one of {}; got {}", names.join(", "), quoted(s)),
                    };
                    self.push(err(ptr, detail));
                    None
                }
            },
            other => {
                self.push(err(ptr, format!("expected one of {}, got {}", names.join(", "), shown(other))));
                None
            }
        }
    }

    fn opt_enum<T: Copy>(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        ptr: &str,
        all: &[T],
        name: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        map.get(key).and_then(|v| self.enum_value(v, ptr, all, name, parse))
    }

    fn opt_bool(&mut self, map: &Map<String, Value>, key: &str, ptr: &str) -> Option<bool> {
        match map.get(key) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.push(err(ptr, format!("expected true or false, got {}", shown(other))));
                None
            }
        }
    }

    fn opt_whole(&mut self, map: &Map<String, Value>, key: &str, ptr: &str, min: u64, max: u64) -> Option<u64> {
        let v = map.get(key)?;
        let n = v.as_u64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64).map(|f| f as u64));
        match n {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.push(err(ptr, format!("expected a whole number from {min} to {max}, got {}", shown(v))));
                None
            }
        }
    }

    fn opt_number(&mut self, map: &Map<String, Value>, key: &str, ptr: &str, range: Range, unit: &str) -> Option<f64> {
        let v = map.get(key)?;
        match v.as_f64() {
            Some(n) if range.contains(n) => Some(n),
            _ => {
                self.push(err(ptr, format!("expected {} ({unit}), got {}", range.describe(), shown(v))));
                None
            }
        }
    }

    fn biomarkers(&mut self, v: &Value) -> Biomarkers {
        let mut out = Biomarkers::default();
        let Value::Object(map) = v else {
            self.push(err("/biomarkers", format!("expected an object of biomarker results, got {}", shown(v))));
            return out;
        };
        let mut names: Vec<&str> = Biomarker::ALL.iter().map(|b| b.as_str()).collect();
        names.extend_from_slice(BIOMARKER_DETAIL_KEYS);
        let score =
            |p: &mut Self, key: &str, what: &str| p.opt_number(map, key, &format!("/biomarkers/{key}"), Range::Between(0.0, 100.0), what);
        out.pd_l1_cps = score(self, "PD_L1_CPS", "combined positive score");
        out.pd_l1_tps = score(self, "PD_L1_TPS", "percent of tumour cells");
        out.pd_l1_ic = score(self, "PD_L1_IC", "percent of immune cells");
        // As for every biomarker, "unknown" means not known.
        let known = |key: &str| map.get(key).filter(|v| v.as_str() != Some("unknown"));
        out.her2_ihc =
            known("HER2_IHC").and_then(|v| self.enum_value(v, "/biomarkers/HER2_IHC", Her2Ihc::ALL, Her2Ihc::as_str, Her2Ihc::parse));
        out.brca_origin = known("BRCA_origin")
            .and_then(|v| self.enum_value(v, "/biomarkers/BRCA_origin", BrcaOrigin::ALL, BrcaOrigin::as_str, BrcaOrigin::parse));
        for (key, val) in map {
            let ptr = key_pointer("/biomarkers", key);
            if BIOMARKER_DETAIL_KEYS.contains(&key.as_str()) {
                continue;
            }
            let Some(b) = Biomarker::parse(key) else {
                if self.full() {
                    self.more += 1;
                    continue;
                }
                let detail = match suggest(key, names.iter().copied()) {
                    Some(h) => format!("unknown biomarker (did you mean {h}?)"),
                    None => format!("unknown biomarker; expected one of {}", names.join(", ")),
                };
                self.push(err(ptr, detail));
                continue;
            };
            if val.as_str() == Some("unknown") {
                continue;
            }
            let allowed = b.values();
            let mut names: Vec<&str> = allowed.iter().map(|x| x.as_str()).collect();
            names.push("unknown");
            let parsed = val.as_str().and_then(BiomarkerValue::parse).filter(|x| allowed.contains(x));
            match parsed {
                Some(x) => {
                    out.insert(b, x);
                }
                None => {
                    let detail = match val.as_str().and_then(|s| suggest(s, names.iter().copied())) {
                        Some(h) => format!("expected one of {}; got {} (did you mean {h}?)", names.join(", "), shown(val)),
                        None => format!("expected one of {}; got {}", names.join(", "), shown(val)),
                    };
                    self.push(err(ptr, detail));
                }
            }
        }
        out
    }

    fn treatment_history(&mut self, v: &Value) -> TreatmentHistory {
        let mut h = TreatmentHistory::default();
        let Some(map) = self.object(v, "/treatment_history", HISTORY_FIELDS) else {
            return h;
        };
        let ptr = "/treatment_history";
        h.lines_of_systemic_therapy =
            self.opt_whole(map, "lines_of_systemic_therapy", &format!("{ptr}/lines_of_systemic_therapy"), 0, 10).map(|n| n as u8);
        if let Some(list) = map.get("previous") {
            h.previous = self.previous(list);
        }
        for (key, slot) in [
            ("platinum_sensitive", &mut h.platinum_sensitive),
            ("castration_resistant", &mut h.castration_resistant),
            ("endocrine_resistant", &mut h.endocrine_resistant),
        ] {
            *slot = self.opt_bool(map, key, &format!("{ptr}/{key}"));
        }
        h
    }

    fn previous(&mut self, v: &Value) -> Option<Vec<PreviousTreatment>> {
        let ptr = "/treatment_history/previous";
        let Value::Array(items) = v else {
            self.push(err(ptr, format!("expected a list of treatments given so far ([] for none), got {}", shown(v))));
            return None;
        };
        let mut out: Vec<PreviousTreatment> = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = format!("{ptr}/{i}");
            match self.enum_value(item, &p, PreviousTreatment::ALL, PreviousTreatment::as_str, PreviousTreatment::parse) {
                Some(t) if out.contains(&t) => {
                    self.push(err(p, format!("{} is listed twice; expected each treatment once", quoted(t.as_str()))));
                    ok = false;
                }
                Some(t) => out.push(t),
                None => ok = false,
            }
        }
        out.sort();
        ok.then_some(out)
    }

    fn liver_function(&mut self, v: &Value) -> LiverFunction {
        let mut f = LiverFunction::default();
        let Some(map) = self.object(v, "/liver_function", LIVER_FUNCTION_FIELDS) else {
            return f;
        };
        let ptr = "/liver_function";
        f.bilirubin_umol_l =
            self.opt_number(map, "bilirubin_umol_l", &format!("{ptr}/bilirubin_umol_l"), Range::Between(0.0, 1000.0), "µmol/L");
        f.albumin_g_l = self.opt_number(map, "albumin_g_l", &format!("{ptr}/albumin_g_l"), Range::Between(0.0, 80.0), "g/L");
        f.ascites = self.opt_enum(map, "ascites", &format!("{ptr}/ascites"), Ascites::ALL, Ascites::as_str, Ascites::parse);
        f.jaundice = self.opt_bool(map, "jaundice", &format!("{ptr}/jaundice"));
        f.biliary_obstruction = self.opt_bool(map, "biliary_obstruction", &format!("{ptr}/biliary_obstruction"));
        f.child_pugh = self.opt_enum(map, "child_pugh", &format!("{ptr}/child_pugh"), ChildPugh::ALL, ChildPugh::as_str, ChildPugh::parse);
        f.bilirubin_uln_umol_l = self.opt_number(
            map,
            "bilirubin_uln_umol_l",
            &format!("{ptr}/bilirubin_uln_umol_l"),
            Range::Between(1.0, 100.0),
            "µmol/L, the lab's upper limit of normal",
        );
        f
    }

    /// Values that contradict each other: an error naming both pointers.
    fn contradictions(&mut self, case: &Case) {
        let b = &case.biomarkers;
        if let Some(origin) = b.brca_origin
            && case.biomarker(Biomarker::Brca) != Some(BiomarkerValue::Present)
        {
            let given = match case.biomarker(Biomarker::Brca) {
                Some(v) => format!("BRCA is {}", quoted(v.as_str())),
                None => "BRCA is not given".to_string(),
            };
            self.push(err(
                "/biomarkers/BRCA_origin",
                format!("BRCA_origin {} needs /biomarkers/BRCA to be \"present\"; {given}", quoted(origin.as_str())),
            ));
        }
        if let (Some(ihc), Some(her2)) = (b.her2_ihc, case.biomarker(Biomarker::Her2))
            && ihc.status() != her2
        {
            self.push(err(
                "/biomarkers/HER2_IHC",
                format!(
                    "HER2_IHC {} means HER2 {}, but /biomarkers/HER2 is {}; expected the two to agree",
                    quoted(ihc.as_str()),
                    quoted(ihc.status().as_str()),
                    quoted(her2.as_str())
                ),
            ));
        }
    }

    /// Values of the 1.1 fields that contradict each other by definition.
    fn contradictions_1_1(&mut self, case: &Case) {
        // PD_L1's bands are percentages (contract section 2). With no CPS or IC
        // given, they can only be the tumour proportion score's (with one, the
        // band may be theirs: a warning in `input_warnings` instead).
        let b = &case.biomarkers;
        if let Some((tps, band, given)) = case.pd_l1_band_clash()
            && b.pd_l1_cps.is_none()
            && b.pd_l1_ic.is_none()
        {
            self.push(err(
                "/biomarkers/PD_L1_TPS",
                format!(
                    "PD_L1_TPS {tps} means PD_L1 {} (high 50% or more, positive 1-49%, negative under 1%), but /biomarkers/PD_L1 is {}; expected the two to agree",
                    quoted(band.as_str()),
                    quoted(given.as_str())
                ),
            ));
        }
        if let Some(g) = case.nec_grade_clash() {
            self.push(err(
                "/tumour_grade",
                format!(
                    "tumour_grade {} contradicts /histology \"neuroendocrine_carcinoma\", which is high grade by definition; expected \"G3\" or no grade (a well-differentiated tumour is \"well_differentiated_net\")",
                    quoted(g.as_str())
                ),
            ));
        }
        if let Some((g, k)) = case.net_grade_ki67_clash() {
            self.push(err(
                "/ki67_percent",
                format!(
                    "ki67_percent {k} contradicts /tumour_grade {} for a neuroendocrine tumour (WHO: G1 under 3%, G2 3-20%, G3 over 20%); expected the two to agree",
                    quoted(g.as_str())
                ),
            ));
        }
    }

    fn liver(&mut self, v: &Value) -> Liver {
        let mut liver = Liver::default();
        let Some(map) = self.object(v, "/liver", LIVER_FIELDS) else {
            return liver;
        };
        liver.tumour_count = self.opt_whole(map, "tumour_count", "/liver/tumour_count", 1, 100).map(|n| n as u32);
        liver.largest_tumour_cm =
            self.opt_number(map, "largest_tumour_cm", "/liver/largest_tumour_cm", Range::AboveZeroAtMost(30.0), "centimetres");
        liver.both_lobes = self.opt_bool(map, "both_lobes", "/liver/both_lobes");
        liver.near_major_vessels = self.opt_bool(map, "near_major_vessels", "/liver/near_major_vessels");
        liver.all_removable = self.opt_bool(map, "all_removable", "/liver/all_removable");
        liver.future_liver_remnant_percent = self.opt_number(
            map,
            "future_liver_remnant_percent",
            "/liver/future_liver_remnant_percent",
            Range::Between(0.0, 100.0),
            "percent",
        );
        liver.liver_condition = self.opt_enum(
            map,
            "liver_condition",
            "/liver/liver_condition",
            LiverCondition::ALL,
            LiverCondition::as_str,
            LiverCondition::parse,
        );
        liver.percent_liver_replaced = self.opt_number(
            map,
            "percent_liver_replaced",
            "/liver/percent_liver_replaced",
            Range::Between(0.0, 100.0),
            "percent of the liver",
        );
        liver
    }

    fn spread(&mut self, v: &Value) -> Option<Vec<Spread>> {
        let Value::Array(items) = v else {
            self.push(err("/spread_elsewhere", format!("expected a list of places ([] for none), got {}", shown(v))));
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = self.enum_value(item, &format!("/spread_elsewhere/{i}"), Spread::ALL, Spread::as_str, Spread::parse) {
                out.push(s);
            }
        }
        out.sort();
        out.dedup();
        Some(out)
    }
}

#[derive(Clone, Copy)]
enum Range {
    AtLeast(f64),
    AboveZeroAtMost(f64),
    Between(f64, f64),
}

impl Range {
    fn contains(self, n: f64) -> bool {
        match self {
            Range::AtLeast(lo) => n >= lo && n.is_finite(),
            Range::AboveZeroAtMost(hi) => n > 0.0 && n <= hi,
            Range::Between(lo, hi) => n >= lo && n <= hi,
        }
    }

    fn describe(self) -> String {
        match self {
            Range::AtLeast(lo) => format!("a number of at least {lo}"),
            Range::AboveZeroAtMost(hi) => format!("a number greater than 0 and at most {hi}"),
            Range::Between(lo, hi) => format!("a number from {lo} to {hi}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(json: &str) -> Vec<String> {
        case_from_json(json.as_bytes()).unwrap_err().iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn contract_invalid_example_reports_every_problem() {
        let e = errors(r#"{ "primary_site": "bowl", "liver": { "tumor_count": 3, "largest_tumour_cm": -2 }, "performance_status": 7 }"#);
        assert_eq!(e.len(), 4, "{e:#?}");
        assert!(e[0].starts_with("/primary_site: expected one of bowel,") && e[0].ends_with("(did you mean bowel?)"), "{}", e[0]);
        assert!(e.contains(&"/liver/tumor_count: unknown field (did you mean tumour_count?)".to_string()), "{e:#?}");
        assert!(
            e.contains(&"/liver/largest_tumour_cm: expected a number greater than 0 and at most 30 (centimetres), got -2".to_string()),
            "{e:#?}"
        );
        assert!(e.contains(&"/performance_status: expected a whole number from 0 to 4, got 7".to_string()), "{e:#?}");
    }

    /// The contract's section 8.1 example, every field, reads back as given.
    #[test]
    fn contract_1_1_example_parses_and_round_trips() {
        let json = r#"{"primary_site":"bowel",
          "treatment_history":{"lines_of_systemic_therapy":1,"previous":["oxaliplatin","fluoropyrimidine","anti_vegf"],
            "platinum_sensitive":true,"castration_resistant":false,"endocrine_resistant":false},
          "liver_function":{"bilirubin_umol_l":14,"albumin_g_l":38,"ascites":"none","jaundice":false,"biliary_obstruction":false,"child_pugh":"A"},
          "liver":{"percent_liver_replaced":20},
          "histology":"adenocarcinoma","tumour_grade":"G2","ki67_percent":8,
          "biomarkers":{"BRCA":"present","PD_L1_CPS":12,"PD_L1_TPS":60,"HER2":"ultralow","BRCA_origin":"germline"},
          "primary_resected":true,"carcinoid_syndrome":false,"age_years":61}"#;
        let c = case_from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{e:#?}"));
        let h = &c.treatment_history;
        assert_eq!(h.lines_of_systemic_therapy, Some(1));
        assert_eq!(
            h.previous.as_deref(),
            Some(&[PreviousTreatment::Fluoropyrimidine, PreviousTreatment::Oxaliplatin, PreviousTreatment::AntiVegf][..])
        );
        assert_eq!(h.had(PreviousTreatment::Irinotecan), Some(false));
        assert_eq!((h.platinum_sensitive, h.castration_resistant, h.endocrine_resistant), (Some(true), Some(false), Some(false)));
        let f = &c.liver_function;
        assert_eq!((f.bilirubin_umol_l, f.albumin_g_l), (Some(14.0), Some(38.0)));
        assert_eq!(
            (f.ascites, f.jaundice, f.biliary_obstruction, f.child_pugh),
            (Some(Ascites::None), Some(false), Some(false), Some(ChildPugh::A))
        );
        assert_eq!(f.bilirubin_times_uln(), Some(14.0 / 21.0), "the contract's default upper limit of normal is 21");
        assert_eq!(c.liver.percent_liver_replaced, Some(20.0));
        assert_eq!((c.histology, c.tumour_grade, c.ki67_percent), (Some(Histology::Adenocarcinoma), Some(TumourGrade::G2), Some(8.0)));
        assert_eq!((c.biomarkers.pd_l1_cps, c.biomarkers.pd_l1_tps, c.biomarkers.pd_l1_ic), (Some(12.0), Some(60.0), None));
        assert_eq!(c.biomarker(Biomarker::Her2), Some(BiomarkerValue::Ultralow));
        assert_eq!(c.biomarkers.brca_origin, Some(BrcaOrigin::Germline));
        assert_eq!((c.primary_resected, c.carcinoid_syndrome, c.age_years), (Some(true), Some(false), Some(61)));
        let again = case_from_value(&serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(again, c, "a Case serialises to the contract shape it was read from");
    }

    #[test]
    fn a_1_0_case_means_the_same_under_1_1() {
        let c = case_from_json(br#"{"primary_site":"lung","biomarkers":{"EGFR":"present"}}"#).unwrap();
        assert!(c.treatment_history.is_empty() && c.liver_function.is_empty());
        assert_eq!((c.histology, c.age_years, c.liver.percent_liver_replaced), (None, None, None));
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!({"primary_site":"lung","biomarkers":{"EGFR":"present"},"liver":{}})
        );
    }

    #[test]
    fn new_fields_are_checked_like_the_old_ones() {
        let e = errors(
            r#"{"primary_site":"ovary",
              "treatment_history":{"lines_of_systemic_therapy":11,"previous":["platinum","platnum","platinum"],"platinum_sensitve":true},
              "liver_function":{"bilirubin_umol_l":-1,"albumin_g_l":81,"ascites":"severe","child_pugh":"D","bilirubin_uln_umol_l":0},
              "liver":{"percent_liver_replaced":101},
              "histology":"serous_high_grade","tumour_grade":"G4","ki67_percent":"8","age_years":17,"months_disease_controlled":601,
              "biomarkers":{"PD_L1_CPS":101,"PD_L1_TPS":"high","HER2_IHC":"2+","HRD":"present","FR_ALPHA":"positive"}}"#,
        );
        let has = |prefix: &str| assert!(e.iter().any(|m| m.starts_with(prefix)), "no {prefix:?} in {e:#?}");
        has("/treatment_history/lines_of_systemic_therapy: expected a whole number from 0 to 10, got 11");
        has("/treatment_history/previous/1: expected one of fluoropyrimidine,");
        assert!(e.iter().any(|m| m.starts_with("/treatment_history/previous/1:") && m.ends_with("(did you mean platinum?)")), "{e:#?}");
        has("/treatment_history/previous/2: \"platinum\" is listed twice");
        has("/treatment_history/platinum_sensitve: unknown field (did you mean platinum_sensitive?)");
        has("/liver_function/bilirubin_umol_l: expected a number from 0 to 1000 (µmol/L), got -1");
        has("/liver_function/albumin_g_l: expected a number from 0 to 80 (g/L), got 81");
        has("/liver_function/ascites: expected one of none, mild, moderate_severe; got \"severe\"");
        has("/liver_function/child_pugh: expected one of A, B, C; got \"D\"");
        // One edit from each allowed value: no misleading "did you mean A?" (issue 13).
        assert!(e.contains(&"/liver_function/child_pugh: expected one of A, B, C; got \"D\"".to_string()), "{e:#?}");
        assert!(e.contains(&"/tumour_grade: expected one of G1, G2, G3; got \"G4\"".to_string()), "{e:#?}");
        has("/liver_function/bilirubin_uln_umol_l: expected a number from 1 to 100");
        has("/liver/percent_liver_replaced: expected a number from 0 to 100");
        has("/histology: expected one of adenocarcinoma,");
        has("/tumour_grade: expected one of G1, G2, G3; got \"G4\"");
        has("/ki67_percent: expected a number from 0 to 100 (percent), got \"8\"");
        has("/age_years: expected a whole number from 18 to 120, got 17");
        has("/months_disease_controlled: expected a number from 0 to 600 (months), got 601");
        has("/biomarkers/PD_L1_CPS: expected a number from 0 to 100 (combined positive score), got 101");
        has("/biomarkers/PD_L1_TPS: expected a number from 0 to 100");
        has("/biomarkers/HER2_IHC: expected one of 0, ultralow, 1+, 2+_ish_negative, 2+_ish_positive, 3+; got \"2+\"");
        has("/biomarkers/HRD: expected one of positive, negative, unknown; got \"present\"");
        assert!(!e.iter().any(|m| m.starts_with("/biomarkers/FR_ALPHA")), "FR_ALPHA positive is valid: {e:#?}");
    }

    #[test]
    fn contradicting_values_name_both_pointers() {
        let e = errors(r#"{"primary_site":"ovary","biomarkers":{"BRCA":"absent","BRCA_origin":"germline"}}"#);
        assert_eq!(
            e,
            vec!["/biomarkers/BRCA_origin: BRCA_origin \"germline\" needs /biomarkers/BRCA to be \"present\"; BRCA is \"absent\""]
        );
        let e = errors(r#"{"primary_site":"ovary","biomarkers":{"BRCA_origin":"somatic"}}"#);
        assert!(e[0].ends_with("BRCA is not given"), "{e:?}");
        let e = errors(r#"{"primary_site":"breast","biomarkers":{"HER2":"positive","HER2_IHC":"1+"}}"#);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("/biomarkers/HER2_IHC: HER2_IHC \"1+\" means HER2 \"low\", but /biomarkers/HER2 is \"positive\""),
            "{e:?}"
        );
        for (ihc, her2) in [
            ("0", "negative"),
            ("ultralow", "ultralow"),
            ("1+", "low"),
            ("2+_ish_negative", "low"),
            ("2+_ish_positive", "positive"),
            ("3+", "positive"),
        ] {
            let json = format!(r#"{{"primary_site":"breast","biomarkers":{{"HER2":"{her2}","HER2_IHC":"{ihc}"}}}}"#);
            assert!(case_from_json(json.as_bytes()).is_ok(), "{ihc} agrees with {her2}");
        }
        let c = case_from_json(br#"{"primary_site":"breast","biomarkers":{"HER2_IHC":"unknown","BRCA_origin":"unknown"}}"#).unwrap();
        assert!(c.biomarkers.is_empty(), "unknown means not known for the 1.1 keys too");
    }

    #[test]
    fn liver_primary_is_out_of_scope() {
        let e = errors(r#"{"primary_site":"liver"}"#);
        assert_eq!(e.len(), 1);
        assert!(e[0].contains("primary liver cancer is out of scope"), "{}", e[0]);
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors_not_panics() {
        for input in ["", "null", "[]", "42", "\"bowel\"", "{", "\u{0}\u{1}", "{\"primary_site\": 1}"] {
            assert!(case_from_json(input.as_bytes()).is_err(), "{input:?} should fail");
        }
        let deep = "[".repeat(100_000);
        assert!(case_from_json(deep.as_bytes()).is_err());
        assert!(case_from_json(&[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn unknown_means_absent_and_null_is_a_wrong_type() {
        let c = case_from_json(br#"{"primary_site":"bowel","biomarkers":{"KRAS":"unknown","MSI":"high"}}"#).unwrap();
        assert_eq!(c.biomarker(Biomarker::Kras), None);
        assert_eq!(c.biomarker(Biomarker::Msi), Some(BiomarkerValue::High));
        assert_eq!(c.spread_elsewhere, None);
        let e = errors(
            r#"{"primary_site":"bowel","spread_elsewhere":null,"liver":{"all_removable":null},"biomarkers":{"KRAS":null},"cea_ng_ml":null}"#,
        );
        assert_eq!(e.len(), 4, "{e:#?}");
        assert!(e.iter().all(|m| m.contains("got null (leave the field out when it is not known)")), "{e:#?}");
    }

    #[test]
    fn byte_order_mark_is_accepted() {
        assert!(case_from_json(b"\xEF\xBB\xBF{\"primary_site\":\"lung\"}").is_ok());
    }

    #[test]
    fn biomarker_values_are_checked_per_key() {
        let e = errors(r#"{"primary_site":"bowel","biomarkers":{"KRAS":"present","kras":"mutant","HER2":"postive"}}"#);
        assert!(e.iter().any(|m| m.starts_with("/biomarkers/KRAS: expected one of wild_type, mutant, G12C, unknown")), "{e:#?}");
        assert!(e.iter().any(|m| m == "/biomarkers/kras: unknown biomarker (did you mean KRAS?)"), "{e:#?}");
        assert!(e.iter().any(|m| m.ends_with("(did you mean positive?)")), "{e:#?}");
    }

    #[test]
    fn boundaries_of_ranges() {
        assert!(
            case_from_json(
                br#"{"primary_site":"bowel","liver":{"largest_tumour_cm":30,"tumour_count":100,"future_liver_remnant_percent":0}}"#
            )
            .is_ok()
        );
        assert!(case_from_json(br#"{"primary_site":"bowel","liver":{"largest_tumour_cm":30.01}}"#).is_err());
        assert!(case_from_json(br#"{"primary_site":"bowel","liver":{"largest_tumour_cm":0}}"#).is_err());
        assert!(case_from_json(br#"{"primary_site":"bowel","liver":{"tumour_count":0}}"#).is_err());
        assert!(case_from_json(br#"{"primary_site":"bowel","liver":{"tumour_count":2.5}}"#).is_err());
        assert!(case_from_json(br#"{"primary_site":"bowel","liver":{"tumour_count":2.0}}"#).is_ok());
        assert!(case_from_json(br#"{"primary_site":"bowel","performance_status":-1}"#).is_err());
        assert!(case_from_json(br#"{"primary_site":"bowel","cea_ng_ml":-0.1}"#).is_err());
    }

    #[test]
    fn a_number_too_large_to_read_names_its_field() {
        let e = errors(r#"{"primary_site":"bowel","liver":{"largest_tumour_cm":1e400}}"#);
        assert_eq!(e.len(), 1, "{e:#?}");
        assert!(e[0].starts_with("/liver/largest_tumour_cm: expected a number of an ordinary size"), "{e:#?}");
        assert!(matches!(json_from_slice(b"[1, [2, -1e999]]"), Err(JsonError::OutOfRange { pointer }) if pointer == "/1/1"));
        // A bare number has no field to name.
        assert!(matches!(json_from_slice(b"1e400"), Err(JsonError::Syntax(_))));
        // Other malformed JSON stays a syntax error of the whole document.
        assert!(matches!(json_from_slice(br#"{"a":[1,2,}"#), Err(JsonError::Syntax(_))));
    }

    #[test]
    fn a_repeated_key_in_malformed_json_is_a_syntax_error() {
        for text in [&br#"{"a":1,"a"=2}"#[..], br#"{"a":1,"a":2"#, br#"{"a":1,"a":2} x"#, b"{\"a\":1,\"a\":\"\xff\"}"] {
            assert!(matches!(json_from_slice(text), Err(JsonError::Syntax(_))), "{}", String::from_utf8_lossy(text));
        }
        assert!(matches!(json_from_slice(br#"{"a":1,"a":2}"#), Err(JsonError::DuplicateKey { .. })));
    }

    #[test]
    fn duplicate_keys_are_an_error_naming_the_pointer() {
        let e = errors(r#"{"primary_site":"bowel","biomarkers":{"KRAS":"mutant","KRAS":"wild_type"}}"#);
        assert_eq!(e.len(), 1, "{e:#?}");
        assert!(e[0].starts_with("/biomarkers/KRAS: expected each field once"), "{e:#?}");
        let e = errors(r#"{"primary_site":"bowel","primary_site":"lung"}"#);
        assert!(e[0].starts_with("/primary_site: expected each field once"), "{e:#?}");
        let e = errors(r#"{"primary_site":"bowel","liver":{"tumour_count":1,"tumour_count":9}}"#);
        assert!(e[0].starts_with("/liver/tumour_count: "), "{e:#?}");
        let v = json_from_slice(br#"{"a":[{"x":1},{"y/~":1,"y/~":2}]}"#).unwrap_err();
        assert!(matches!(&v, JsonError::DuplicateKey { pointer } if pointer == "/a/1/y~1~0"), "{v:?}");
        // Same key in different objects is fine; BOM is skipped; trailing garbage is still an error.
        assert!(json_from_slice(b"\xEF\xBB\xBF{\"a\":{\"k\":1},\"b\":{\"k\":1}}").is_ok());
        assert!(matches!(json_from_slice(b"{} x"), Err(JsonError::Syntax(_))));
        assert_eq!(json_from_slice(br#"{"n":[1,-2,3.5,null,true,"s"]}"#).unwrap(), serde_json::json!({"n":[1,-2,3.5,null,true,"s"]}));
    }

    #[test]
    fn errors_are_capped_and_echoes_cut() {
        let mut body = String::from(r#"{"primary_site":"bowel""#);
        for i in 0..1000 {
            body.push_str(&format!(r#","{}{i}":1"#, "k".repeat(500)));
        }
        body.push('}');
        let e = case_from_json(body.as_bytes()).unwrap_err();
        assert_eq!(e.len(), MAX_ERRORS + 1);
        assert_eq!(e[MAX_ERRORS].detail, "and 900 more problems not listed");
        assert!(e.iter().all(|x| x.pointer.chars().count() < 60 && x.detail.len() < 400), "{:?}", e[0]);
        let long = "x".repeat(100_000);
        let e = errors(&format!(r#"{{"primary_site":"{long}","bowel_side":"{long}"}}"#));
        assert!(e.iter().all(|m| m.len() < 400), "{e:#?}");
    }

    #[test]
    fn pointer_escapes_odd_keys() {
        let e = errors(r#"{"primary_site":"bowel","a/b~c":1}"#);
        assert_eq!(e, vec!["/a~1b~0c: unknown field; expected one of id, primary_site, bowel_side, biomarkers, liver, spread_elsewhere, performance_status, fit_for_major_surgery, chemotherapy_history, primary_node_positive, disease_free_interval_months, cea_ng_ml, treatment_history, liver_function, histology, net_origin, tumour_grade, ki67_percent, primary_resected, carcinoid_syndrome, age_years, months_disease_controlled".to_string()]);
    }
}
