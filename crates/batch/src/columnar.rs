//! Columnar rows (Apache Arrow): one row per case, one column per treatment's
//! suitability and per part of each score.
//!
//! This is the one definition of the columnar shape. The Parquet output of
//! `hepatica batch` ([`crate::parquet_out`]) and the Python package's Arrow
//! entry point (`crates/python`) both build their record batches here, so a
//! column never means one thing in a file and another in a data frame.
//!
//! Columns, in order:
//!
//! | column | Arrow type | value |
//! |---|---|---|
//! | `case_id` | utf8 | the case's `id` (null when the case has none) |
//! | `chemotherapy` … `supportive_care` | utf8 | `usual`, `possible`, `depends` or `unlikely`, the nine treatments in contract order |
//! | `fong_clinical_risk_score`, `fong_clinical_risk_score_group` | int32, utf8 | contract section 3 |
//! | `tumour_burden_score`, `tumour_burden_score_group` | float64, utf8 | |
//! | `game_score`, `game_score_group` | int32, utf8 | |
//! | `future_liver_remnant`, `future_liver_remnant_threshold`, `future_liver_remnant_adequate` | float64, int32, bool | |
//!
//! A score's columns are null when the score is absent (one of its inputs was
//! not given; the assessment then names it in `missing_information`). Flat
//! columns, rather than structs, because that is what SQL engines, Spark and
//! spreadsheets read without unnesting.
//!
//! The schema carries the knowledge-base stamp as metadata ([`metadata`]):
//! its version, publication date, the SHA-256 of its content files and,
//! for an older release, the newest one (`superseded_by`).
//!
//! Rows come either from the engine's [`Decisions`] ([`RowsBuilder::push_decisions`])
//! or from a batch suitability line ([`RowsBuilder::push_line`], the NDJSON
//! the pipeline writes), so the Parquet file is exactly the NDJSON output in
//! another layout.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int32Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use hepatica_engine::{CONTRACT, Decisions};
use hepatica_knowledge::{Knowledge, TREATMENT_IDS};
use serde::Deserialize;

/// Metadata key: knowledge-base version.
pub const META_KB_VERSION: &str = "hepatica.knowledge_base.version";
/// Metadata key: knowledge-base publication date.
pub const META_KB_PUBLISHED: &str = "hepatica.knowledge_base.published";
/// Metadata key: hex SHA-256 of the knowledge base's content files.
pub const META_KB_HASH: &str = "hepatica.knowledge_base.content_hash";
/// Metadata key: the contract the values follow.
pub const META_CONTRACT: &str = "hepatica.contract";
/// Metadata key: the program version that wrote the rows.
pub const META_PROGRAM: &str = "hepatica.program_version";

/// The score columns after the treatment columns.
const SCORE_COLUMNS: [(&str, DataType); 9] = [
    ("fong_clinical_risk_score", DataType::Int32),
    ("fong_clinical_risk_score_group", DataType::Utf8),
    ("tumour_burden_score", DataType::Float64),
    ("tumour_burden_score_group", DataType::Utf8),
    ("game_score", DataType::Int32),
    ("game_score_group", DataType::Utf8),
    ("future_liver_remnant", DataType::Float64),
    ("future_liver_remnant_threshold", DataType::Int32),
    ("future_liver_remnant_adequate", DataType::Boolean),
];

/// Hex SHA-256 of the embedded content files
/// ([`hepatica_knowledge::content_hash`], computed once when it loads).
pub fn embedded_content_hash() -> &'static str {
    Knowledge::embedded().content_hash()
}

/// Metadata key: the newest release, when the one used is older.
pub const META_KB_SUPERSEDED_BY: &str = "hepatica.knowledge_base.superseded_by";

/// The knowledge-base stamp and provenance as key-value metadata: the same
/// fields as an Assessment's `knowledge_base` (contract 8.2).
pub fn metadata(kb: &Knowledge) -> HashMap<String, String> {
    let mut m = HashMap::new();
    m.insert(META_KB_VERSION.to_string(), kb.meta.version.clone());
    m.insert(META_KB_PUBLISHED.to_string(), kb.meta.published.to_string());
    m.insert(META_KB_HASH.to_string(), kb.content_hash().to_string());
    if let Some(newer) = kb.superseded_by() {
        m.insert(META_KB_SUPERSEDED_BY.to_string(), newer.to_string());
    }
    m.insert(META_CONTRACT.to_string(), CONTRACT.to_string());
    m.insert(META_PROGRAM.to_string(), env!("CARGO_PKG_VERSION").to_string());
    m
}

/// The column names, in order.
pub fn column_names() -> Vec<&'static str> {
    let mut names = vec!["case_id"];
    names.extend(TREATMENT_IDS);
    names.extend(SCORE_COLUMNS.iter().map(|(n, _)| *n));
    names
}

/// The Arrow schema, with [`metadata`] for `kb`. Every column is nullable.
pub fn schema(kb: &Knowledge) -> SchemaRef {
    let mut fields = vec![Field::new("case_id", DataType::Utf8, true)];
    fields.extend(TREATMENT_IDS.iter().map(|t| Field::new(*t, DataType::Utf8, true)));
    fields.extend(SCORE_COLUMNS.iter().map(|(n, ty)| Field::new(*n, ty.clone(), true)));
    Arc::new(Schema::new_with_metadata(fields, metadata(kb)))
}

/// A batch suitability line, as the pipeline writes it (contract section 7).
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    case_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    suitability: HashMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(default, borrow)]
    scores: LineScores<'a>,
}

#[derive(Deserialize, Default)]
struct LineScores<'a> {
    #[serde(borrow)]
    fong_clinical_risk_score: Option<Grouped<'a, i32>>,
    #[serde(borrow)]
    tumour_burden_score: Option<Grouped<'a, f64>>,
    #[serde(borrow)]
    game_score: Option<Grouped<'a, i32>>,
    future_liver_remnant: Option<Remnant>,
}

#[derive(Deserialize)]
struct Grouped<'a, T> {
    value: T,
    #[serde(borrow)]
    group: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Remnant {
    value: f64,
    threshold: i32,
    adequate: bool,
}

/// Builds record batches of the [`schema`], row by row.
pub struct RowsBuilder {
    schema: SchemaRef,
    case_id: StringBuilder,
    options: Vec<StringBuilder>,
    fong: Int32Builder,
    fong_group: StringBuilder,
    tbs: Float64Builder,
    tbs_group: StringBuilder,
    game: Int32Builder,
    game_group: StringBuilder,
    flr: Float64Builder,
    flr_threshold: Int32Builder,
    flr_adequate: BooleanBuilder,
    rows: usize,
}

impl RowsBuilder {
    /// An empty builder for rows assessed with `kb`.
    pub fn new(kb: &Knowledge) -> RowsBuilder {
        RowsBuilder {
            schema: schema(kb),
            case_id: StringBuilder::new(),
            options: TREATMENT_IDS.iter().map(|_| StringBuilder::new()).collect(),
            fong: Int32Builder::new(),
            fong_group: StringBuilder::new(),
            tbs: Float64Builder::new(),
            tbs_group: StringBuilder::new(),
            game: Int32Builder::new(),
            game_group: StringBuilder::new(),
            flr: Float64Builder::new(),
            flr_threshold: Int32Builder::new(),
            flr_adequate: BooleanBuilder::new(),
            rows: 0,
        }
    }

    /// Rows pushed since the last [`RowsBuilder::finish`].
    pub fn len(&self) -> usize {
        self.rows
    }

    /// No rows pushed since the last [`RowsBuilder::finish`].
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The schema of the batches this builds.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Appends the row of a case's decisions ([`hepatica_engine::assess_summary`],
    /// or [`hepatica_engine::Assessment::decisions`] of a full assessment).
    pub fn push_decisions(&mut self, a: &Decisions) {
        self.case_id.append_option(a.case_id.as_deref());
        for (builder, t) in self.options.iter_mut().zip(TREATMENT_IDS) {
            builder.append_option(a.options.iter().find(|o| o.treatment == t).map(|o| o.suitability.as_str()));
        }
        let s = &a.scores;
        self.fong.append_option(s.fong_clinical_risk_score.as_ref().map(|g| i32::from(g.value)));
        self.fong_group.append_option(s.fong_clinical_risk_score.as_ref().map(|g| g.group));
        self.tbs.append_option(s.tumour_burden_score.as_ref().map(|g| g.value));
        self.tbs_group.append_option(s.tumour_burden_score.as_ref().map(|g| g.group));
        self.game.append_option(s.game_score.as_ref().map(|g| i32::from(g.value)));
        self.game_group.append_option(s.game_score.as_ref().map(|g| g.group));
        self.flr.append_option(s.future_liver_remnant.as_ref().map(|r| r.value));
        self.flr_threshold.append_option(s.future_liver_remnant.as_ref().map(|r| i32::from(r.threshold)));
        self.flr_adequate.append_option(s.future_liver_remnant.as_ref().map(|r| r.adequate));
        self.rows += 1;
    }

    /// Appends a row of nulls but for `case_id` (an input that was not valid).
    pub fn push_invalid(&mut self, case_id: Option<&str>) {
        self.case_id.append_option(case_id);
        for b in &mut self.options {
            b.append_null();
        }
        self.fong.append_null();
        self.fong_group.append_null();
        self.tbs.append_null();
        self.tbs_group.append_null();
        self.game.append_null();
        self.game_group.append_null();
        self.flr.append_null();
        self.flr_threshold.append_null();
        self.flr_adequate.append_null();
        self.rows += 1;
    }

    /// Appends the row of one batch suitability line
    /// (`{"case_id", "suitability", "scores"}`), or says why it is not one.
    pub fn push_line(&mut self, line: &[u8]) -> Result<(), String> {
        let l: Line<'_> = serde_json::from_slice(line).map_err(|e| format!("expected a batch suitability line, got {e}"))?;
        let mut levels = [""; 9];
        for (slot, t) in levels.iter_mut().zip(TREATMENT_IDS) {
            *slot = l.suitability.get(t).map(|c| c.as_ref()).ok_or_else(|| format!("expected a suitability for {t}"))?;
        }
        self.case_id.append_option(l.case_id.as_deref());
        for (builder, level) in self.options.iter_mut().zip(levels) {
            builder.append_value(level);
        }
        let s = &l.scores;
        // serde_json's default float parser may be one ULP off; std's is exact, so
        // the row holds the very f64 the line was printed from.
        let tbs = s.tumour_burden_score.as_ref().map(|g| exact_f64(line, "tumour_burden_score").unwrap_or(g.value));
        let flr = s.future_liver_remnant.as_ref().map(|r| exact_f64(line, "future_liver_remnant").unwrap_or(r.value));
        self.fong.append_option(s.fong_clinical_risk_score.as_ref().map(|g| g.value));
        self.fong_group.append_option(s.fong_clinical_risk_score.as_ref().map(|g| g.group.as_ref()));
        self.tbs.append_option(tbs);
        self.tbs_group.append_option(s.tumour_burden_score.as_ref().map(|g| g.group.as_ref()));
        self.game.append_option(s.game_score.as_ref().map(|g| g.value));
        self.game_group.append_option(s.game_score.as_ref().map(|g| g.group.as_ref()));
        self.flr.append_option(flr);
        self.flr_threshold.append_option(s.future_liver_remnant.as_ref().map(|r| r.threshold));
        self.flr_adequate.append_option(s.future_liver_remnant.as_ref().map(|r| r.adequate));
        self.rows += 1;
        Ok(())
    }

    /// The rows pushed so far as one record batch; the builder starts empty again.
    pub fn finish(&mut self) -> RecordBatch {
        let mut columns: Vec<ArrayRef> = vec![Arc::new(self.case_id.finish())];
        columns.extend(self.options.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        columns.extend([
            Arc::new(self.fong.finish()) as ArrayRef,
            Arc::new(self.fong_group.finish()),
            Arc::new(self.tbs.finish()),
            Arc::new(self.tbs_group.finish()),
            Arc::new(self.game.finish()),
            Arc::new(self.game_group.finish()),
            Arc::new(self.flr.finish()),
            Arc::new(self.flr_threshold.finish()),
            Arc::new(self.flr_adequate.finish()),
        ]);
        self.rows = 0;
        RecordBatch::try_new(self.schema.clone(), columns).expect("every column has one value per row, of the schema's type")
    }
}

/// The number after `"<score>":{"value":` in a compact line, parsed exactly.
fn exact_f64(line: &[u8], score: &str) -> Option<f64> {
    let key = format!("\"{score}\":{{\"value\":");
    let at = line.windows(key.len()).position(|w| w == key.as_bytes())? + key.len();
    let rest = &line[at..];
    let end = rest.iter().position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))).unwrap_or(rest.len());
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    use hepatica_engine::{assess, assess_summary, case_from_json};

    const CASE: &[u8] = br#"{"id":"c1","primary_site":"bowel","biomarkers":{"KRAS":"mutant"},"liver":{"tumour_count":3,"largest_tumour_cm":6,"future_liver_remnant_percent":35,"liver_condition":"normal"},"spread_elsewhere":[],"primary_node_positive":true,"disease_free_interval_months":6,"cea_ng_ml":250}"#;

    #[test]
    fn a_line_and_its_assessment_give_the_same_row() {
        let kb = Knowledge::embedded();
        let case = case_from_json(CASE).unwrap();
        let summary = assess_summary(kb, &case);
        // The line exactly as the batch pipeline writes it.
        let (mut out, mut err) = (Vec::new(), Vec::new());
        crate::pipeline::process_ndjson(kb, CASE, &mut out, &mut err, &crate::Options::default(), &crate::NoProgress).unwrap();
        assert!(err.is_empty());
        let line = out.strip_suffix(b"\n").unwrap();
        let mut b = RowsBuilder::new(kb);
        b.push_decisions(&assess(kb, &case, hepatica_engine::Audience::Clinician).decisions());
        b.push_decisions(&summary);
        b.push_line(line).unwrap();
        b.push_invalid(Some("bad"));
        let batch = b.finish();
        assert_eq!(batch.num_rows(), 4);
        assert!(b.is_empty());
        for c in 0..batch.num_columns() {
            let col = batch.column(c);
            assert_eq!(col.slice(0, 1).to_data(), col.slice(1, 1).to_data(), "column {c}");
            assert_eq!(col.slice(0, 1).to_data(), col.slice(2, 1).to_data(), "column {c}");
            assert_eq!(col.is_null(3), c != 0, "column {c}");
        }
        let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, column_names());
        // The values are the assessment's, column by column.
        assert_eq!(batch.column(0).as_string::<i32>().value(0), "c1");
        for (i, t) in TREATMENT_IDS.iter().enumerate() {
            assert_eq!(
                batch.column(1 + i).as_string::<i32>().value(0),
                summary.options.iter().find(|o| o.treatment == *t).unwrap().suitability.as_str()
            );
        }
        let s = &summary.scores;
        let fong = s.fong_clinical_risk_score.as_ref().unwrap();
        assert_eq!(batch.column(10).as_primitive::<Int32Type>().value(0), i32::from(fong.value));
        assert_eq!(batch.column(11).as_string::<i32>().value(0), fong.group);
        let tbs = s.tumour_burden_score.as_ref().unwrap();
        assert_eq!(batch.column(12).as_primitive::<Float64Type>().value(0), tbs.value);
        let flr = s.future_liver_remnant.as_ref().unwrap();
        assert_eq!(batch.column(16).as_primitive::<Float64Type>().value(0), flr.value);
        assert_eq!(batch.column(18).as_boolean().value(0), flr.adequate);
    }

    #[test]
    fn lines_give_the_exact_floats_of_their_assessments() {
        let kb = Knowledge::embedded();
        let mut input = Vec::new();
        crate::synth::write(&mut input, &crate::synth::SynthOptions { count: 3000, seed: 4, invalid_rate: 0.0 }).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        crate::pipeline::process_ndjson(kb, &input[..], &mut out, &mut err, &crate::Options::default(), &crate::NoProgress).unwrap();
        let (mut from_lines, mut from_cases) = (RowsBuilder::new(kb), RowsBuilder::new(kb));
        for (line, case) in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).zip(input.split(|b| *b == b'\n')) {
            from_lines.push_line(line).unwrap();
            from_cases.push_decisions(&assess_summary(kb, &case_from_json(case).unwrap()));
        }
        let (a, b) = (from_lines.finish(), from_cases.finish());
        assert_eq!(a.num_rows(), 3000);
        for c in 0..a.num_columns() {
            assert_eq!(a.column(c).to_data(), b.column(c).to_data(), "column {c}");
        }
    }

    #[test]
    fn absent_scores_are_null_and_bad_lines_are_refused() {
        let kb = Knowledge::embedded();
        let mut b = RowsBuilder::new(kb);
        b.push_decisions(&assess_summary(kb, &case_from_json(br#"{"primary_site":"lung"}"#).unwrap()));
        let batch = b.finish();
        assert!(batch.column(0).is_null(0));
        assert!(!batch.column(1).is_null(0));
        for c in 10..19 {
            assert!(batch.column(c).is_null(0), "column {c}");
        }
        assert!(b.push_line(b"{\"case_id\":\"x\",\"suitability\":{}}").unwrap_err().contains("chemotherapy"));
        assert!(b.push_line(b"not json").is_err());
        assert!(b.is_empty());
    }

    #[test]
    fn metadata_stamps_the_knowledge_base() {
        let kb = Knowledge::embedded();
        let m = metadata(kb);
        assert_eq!(m[META_KB_VERSION], kb.meta.version);
        assert_eq!(m[META_CONTRACT], CONTRACT);
        let hash = &m[META_KB_HASH];
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(hash, kb.content_hash());
        assert!(!m.contains_key(META_KB_SUPERSEDED_BY));
        // A pinned older release says which one supersedes it.
        let old = Knowledge::release("2026.11.0").expect("first release");
        let m = metadata(old);
        assert_eq!(m[META_KB_HASH], old.content_hash());
        assert_ne!(m[META_KB_HASH], kb.content_hash());
        assert_eq!(m.get(META_KB_SUPERSEDED_BY).map(String::as_str), old.superseded_by());
    }
}
