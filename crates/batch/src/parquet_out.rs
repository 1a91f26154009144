//! Parquet output for `hepatica batch --output FILE.parquet`: the same rows as
//! the NDJSON output, in the [`crate::columnar`] layout.
//!
//! [`Output`] stands where the pipeline writes its output lines. For NDJSON
//! it passes them through; for Parquet ([`ParquetLines`]) it turns each
//! suitability line into a row and writes a row group every
//! [`ROWS_PER_GROUP`] rows, so memory stays bounded whatever the input size,
//! and the pipeline itself does not know which format it writes. The footer
//! (with the knowledge-base stamp as key-value metadata, [`columnar::metadata`])
//! is written by [`Output::finish`]; the file is then renamed into place with
//! the others, so a failed run leaves no half-written Parquet file.
//!
//! Parquet holds suitabilities and scores only: `--full` (whole assessments,
//! nested text) and `--validate-only` stay NDJSON, and asking for them with
//! Parquet is a bad argument. Invalid lines still go to
//! `<output>.errors.ndjson`. Compression is Snappy (fast, and readable by
//! every Parquet reader: pyarrow, DuckDB, Spark, Polars).

use std::io::{self, Write};
use std::path::Path;

use hepatica_knowledge::Knowledge;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::columnar::{self, RowsBuilder};
use crate::{Error, Mode};

/// Rows per Parquet row group (and per record batch handed to the writer).
pub const ROWS_PER_GROUP: usize = 64 * 1024;

/// The format of `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// One JSON object per line (contract section 7; the default).
    #[default]
    Ndjson,
    /// Apache Parquet, one row per case.
    Parquet,
}

impl OutputFormat {
    /// Parquet for a `.parquet` or `.pq` file name, NDJSON otherwise.
    pub fn for_path(path: &Path) -> OutputFormat {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("parquet" | "pq") => OutputFormat::Parquet,
            _ => OutputFormat::Ndjson,
        }
    }

    /// The format given, else the one named by the output's extension; an error
    /// when Parquet is asked for together with a mode it cannot hold.
    pub fn resolve(given: Option<OutputFormat>, output: &Path, mode: Mode) -> Result<OutputFormat, Error> {
        let format = given.unwrap_or_else(|| OutputFormat::for_path(output));
        match (format, mode) {
            (OutputFormat::Parquet, Mode::Full) => Err(Error::Arguments(vec![
                "--full: expected NDJSON output (whole assessments do not fit one row per case), got a Parquet output".to_string(),
            ])),
            (OutputFormat::Parquet, Mode::ValidateOnly) => Err(Error::Arguments(vec![
                "--validate-only: expected NDJSON output, got a Parquet output (Parquet holds suitabilities and scores)".to_string(),
            ])),
            _ => Ok(format),
        }
    }
}

/// Where the pipeline's output lines go.
pub enum Output<W: Write + Send> {
    /// Lines as they are.
    Ndjson(W),
    /// Lines turned into Parquet rows.
    Parquet(Box<ParquetLines<W>>),
}

impl<W: Write + Send> Output<W> {
    /// An output of `format` over `inner`, stamped with `kb`.
    pub fn new(format: OutputFormat, inner: W, kb: &Knowledge) -> io::Result<Output<W>> {
        Ok(match format {
            OutputFormat::Ndjson => Output::Ndjson(inner),
            OutputFormat::Parquet => Output::Parquet(Box::new(ParquetLines::new(inner, kb)?)),
        })
    }

    /// Writes what is pending (for Parquet: the last row group and the footer)
    /// and flushes.
    pub fn finish(self) -> io::Result<W> {
        match self {
            Output::Ndjson(mut w) => {
                w.flush()?;
                Ok(w)
            }
            Output::Parquet(p) => p.finish(),
        }
    }
}

impl<W: Write + Send> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Ndjson(w) => w.write(buf),
            Output::Parquet(p) => p.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Ndjson(w) => w.write_all(buf),
            Output::Parquet(p) => p.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Ndjson(w) => w.flush(),
            Output::Parquet(p) => p.flush(),
        }
    }
}

/// Turns suitability lines written to it into a Parquet file on `W`.
pub struct ParquetLines<W: Write + Send> {
    writer: ArrowWriter<W>,
    rows: RowsBuilder,
    /// Bytes of a line not yet ended by a newline.
    pending: Vec<u8>,
}

impl<W: Write + Send> ParquetLines<W> {
    /// A Parquet writer over `inner` with the [`columnar::schema`] for `kb`.
    pub fn new(inner: W, kb: &Knowledge) -> io::Result<ParquetLines<W>> {
        let rows = RowsBuilder::new(kb);
        let mut kv: Vec<KeyValue> = columnar::metadata(kb).into_iter().map(|(k, v)| KeyValue::new(k, v)).collect();
        kv.sort_by(|a, b| a.key.cmp(&b.key));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROWS_PER_GROUP))
            .set_created_by(format!("hepatica {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(kv))
            .build();
        let writer = ArrowWriter::try_new(inner, rows.schema(), Some(props)).map_err(io::Error::other)?;
        Ok(ParquetLines { writer, rows, pending: Vec::new() })
    }

    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        self.rows.push_line(line).map_err(io::Error::other)?;
        if self.rows.len() >= ROWS_PER_GROUP {
            self.write_batch()?;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let batch = self.rows.finish();
        self.writer.write(&batch).map_err(io::Error::other)
    }

    /// Writes the last rows and the footer, and returns the inner writer, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.line(&rest)?;
        }
        self.write_batch()?;
        let mut inner = self.writer.into_inner().map_err(io::Error::other)?;
        inner.flush()?;
        Ok(inner)
    }
}

impl<W: Write + Send> Write for ParquetLines<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            if self.pending.is_empty() {
                self.line(&rest[..end])?;
            } else {
                let mut line = std::mem::take(&mut self.pending);
                line.extend_from_slice(&rest[..end]);
                self.line(&line)?;
            }
            rest = &rest[end + 1..];
        }
        self.pending.extend_from_slice(rest);
        Ok(buf.len())
    }

    /// Row groups are written as they fill; the footer only by [`ParquetLines::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{self, SynthOptions};
    use crate::{NoProgress, Options, pipeline};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn the_format_follows_the_flag_then_the_extension() {
        assert_eq!(OutputFormat::for_path(Path::new("out.parquet")), OutputFormat::Parquet);
        assert_eq!(OutputFormat::for_path(Path::new("OUT.PQ")), OutputFormat::Parquet);
        assert_eq!(OutputFormat::for_path(Path::new("out.ndjson")), OutputFormat::Ndjson);
        assert_eq!(OutputFormat::for_path(Path::new("parquet")), OutputFormat::Ndjson);
        let p = Path::new("o.ndjson");
        assert_eq!(OutputFormat::resolve(Some(OutputFormat::Parquet), p, Mode::Suitability).unwrap(), OutputFormat::Parquet);
        assert_eq!(OutputFormat::resolve(Some(OutputFormat::Ndjson), Path::new("o.parquet"), Mode::Full).unwrap(), OutputFormat::Ndjson);
        for mode in [Mode::Full, Mode::ValidateOnly] {
            assert!(matches!(OutputFormat::resolve(None, Path::new("o.parquet"), mode), Err(Error::Arguments(_))));
        }
    }

    #[test]
    fn parquet_holds_the_ndjson_rows_with_the_stamp() {
        let kb = Knowledge::embedded();
        let mut input = Vec::new();
        synth::write(&mut input, &SynthOptions { count: 700, seed: 5, invalid_rate: 0.03 }).unwrap();
        let opts = Options { chunk_lines: 50, ..Options::default() };
        let (mut ndjson, mut errs) = (Vec::new(), Vec::new());
        pipeline::process_ndjson(kb, &input[..], &mut ndjson, &mut errs, &opts, &NoProgress).unwrap();

        let mut out = Output::new(OutputFormat::Parquet, Vec::new(), kb).unwrap();
        let (mut errs2, mut tiny) = (Vec::new(), Vec::new());
        pipeline::process_ndjson(kb, &input[..], &mut out, &mut errs2, &opts, &NoProgress).unwrap();
        assert_eq!(errs, errs2);
        let file = out.finish().unwrap();

        // Expected: the NDJSON lines pushed one by one, in odd-sized writes.
        let mut rows = RowsBuilder::new(kb);
        let mut count = 0;
        for line in ndjson.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            rows.push_line(line).unwrap();
            count += 1;
        }
        let expected = rows.finish();
        let mut by_bytes = ParquetLines::new(Vec::new(), kb).unwrap();
        for piece in ndjson.chunks(37) {
            by_bytes.write_all(piece).unwrap();
        }
        tiny.extend(by_bytes.finish().unwrap());

        for bytes in [file, tiny] {
            let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap();
            let kv = reader.metadata().file_metadata().key_value_metadata().unwrap().clone();
            let get = |k: &str| kv.iter().find(|e| e.key == k).and_then(|e| e.value.clone());
            assert_eq!(get(columnar::META_KB_VERSION).as_deref(), Some(kb.meta.version.as_str()));
            assert_eq!(get(columnar::META_KB_HASH).as_deref(), Some(columnar::embedded_content_hash()));
            let batches: Vec<_> = reader.build().unwrap().map(Result::unwrap).collect();
            assert_eq!(batches.len(), 1, "fewer rows than one row group");
            let got = &batches[0];
            assert_eq!(got.num_rows(), count);
            assert!(count > 600);
            for c in 0..expected.num_columns() {
                assert_eq!(got.column(c).to_data(), expected.column(c).to_data(), "column {c}");
            }
        }
    }
}
