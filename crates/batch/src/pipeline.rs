//! The streaming pipeline: read chunks, assess them in parallel, write in order.
//!
//! Three stages joined by bounded channels (capacity [`IN_FLIGHT`]):
//!
//! ```text
//! reader thread ──chunks──▶ rayon pool (per chunk, sub-chunks in parallel) ──pieces──▶ writer thread
//! ```
//!
//! **Architecture invariant: memory does not grow with the input.** At most
//! `2 × IN_FLIGHT + 1` chunks are alive at once (queued for the pool, being
//! assessed, queued for the writer), and a chunk holds at most
//! `chunk_lines` lines or about `chunk_bytes` bytes (plus one line of up to
//! 1 MiB), together with the output bytes of those lines. What memory grows
//! with is therefore the chunk size times the size of one line's input and
//! output (bigger with `--full`), plus one rayon stack per thread; the
//! [`Tally`] is of fixed size.
//!
//! **Order:** rayon's indexed `collect` keeps sub-chunk order and chunks are
//! sent in order, so the output is the same, byte for byte, for any thread
//! count.

use std::io::{self, BufRead, Write};
use std::sync::mpsc::sync_channel;

use hepatica_engine::{Assessment, Case, Decisions, FieldError, InputWarning, assess, assess_summary, case_from_json};
use hepatica_knowledge::Knowledge;
use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::lines::{Body, Chunk, ChunkReader, MAX_LINE_BYTES};
use crate::summary::Tally;
use crate::{Mode, Options, Progress};

/// Chunks queued between two stages.
pub const IN_FLIGHT: usize = 2;
/// Lines per parallel work item inside a chunk.
const SUB_CHUNK: usize = 64;

/// The output of a run of lines: output bytes, error-file bytes and counts.
#[derive(Debug, Default)]
pub struct Piece {
    /// Input line (or Patient line) being processed, for errors found while assessing.
    pub line: u64,
    /// Lines for the output file.
    pub out: Vec<u8>,
    /// Lines for the errors file.
    pub err: Vec<u8>,
    /// Counts of these lines.
    pub tally: Tally,
}

/// A failure of the pipeline itself (not of an input line).
#[derive(Debug)]
pub enum PipelineError {
    /// Reading the input failed.
    Read(io::Error),
    /// Writing the output or errors file failed.
    Write(io::Error),
    /// The worker pool could not start.
    Pool(String),
}

/// One line of the errors file.
#[derive(Serialize)]
pub(crate) struct ErrorLine<'a> {
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
    pub errors: &'a [FieldError],
}

/// The default output line: case id, the nine suitabilities in contract order, and the scores.
struct CompactLine<'a>(&'a Decisions);

impl Serialize for CompactLine<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut m = ser.serialize_map(Some(3))?;
        m.serialize_entry("case_id", &a.case_id)?;
        m.serialize_entry("suitability", &SuitabilityMap(a))?;
        m.serialize_entry("scores", &a.scores)?;
        m.end()
    }
}

struct SuitabilityMap<'a>(&'a Decisions);

impl Serialize for SuitabilityMap<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(self.0.options.len()))?;
        for o in &self.0.options {
            m.serialize_entry(o.treatment, &o.suitability)?;
        }
        m.end()
    }
}

/// What one valid case produced.
enum Outcome {
    Full(Box<Assessment>),
    Decided(Decisions),
}

#[derive(Serialize)]
struct ValidLine<'a> {
    case_id: &'a str,
    valid: bool,
}

/// Writes the output for one valid case into `p`, counting it. `warnings`
/// (from FHIR mapping) go into a full Assessment's `input_warnings`.
pub(crate) fn emit_case(kb: &Knowledge, case: &Case, warnings: Vec<InputWarning>, opts: &Options, p: &mut Piece) {
    let id = case.id.as_deref().unwrap_or_default();
    let start = p.out.len();
    let outcome = match opts.mode {
        Mode::ValidateOnly => None,
        Mode::Full => match guarded(|| assess(kb, case, opts.audience)) {
            Some(mut a) => {
                a.input_warnings.extend(warnings);
                Some(Outcome::Full(Box::new(a)))
            }
            None => return emit_error(p.line, None, None, &[internal_error()], p),
        },
        // Suitability lines need only the decisions: no explanations are built.
        Mode::Suitability => match guarded(|| assess_summary(kb, case)) {
            Some(d) => Some(Outcome::Decided(d)),
            None => return emit_error(p.line, None, None, &[internal_error()], p),
        },
    };
    let written = match &outcome {
        Some(Outcome::Full(a)) => {
            hepatica_engine::write_json(a, &mut p.out);
            Ok(())
        }
        Some(Outcome::Decided(d)) => serde_json::to_writer(&mut p.out, &CompactLine(d)),
        None => serde_json::to_writer(&mut p.out, &ValidLine { case_id: id, valid: true }),
    };
    if written.is_err() {
        // Cannot happen when writing to memory; kept so counts always match the lines.
        p.out.truncate(start);
        return emit_error(p.line, None, None, &[internal_error()], p);
    }
    p.out.push(b'\n');
    match &outcome {
        Some(Outcome::Full(a)) => p.tally.add_decisions(case.primary_site, &a.decisions()),
        Some(Outcome::Decided(d)) => p.tally.add_decisions(case.primary_site, d),
        None => p.tally.add_valid(case.primary_site),
    }
}

/// Runs `f`, turning a panic (a bug: the engine promises never to panic) into `None`
/// so one bad case becomes an errors-file line instead of stopping the batch.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// The error recorded for a case that hit a bug.
pub(crate) fn internal_error() -> FieldError {
    FieldError {
        pointer: String::new(),
        detail: "expected an assessment, got an internal error in Hepatica while assessing this case (please report it with this line)"
            .into(),
    }
}

/// Writes one errors-file line into `p`, counting it.
pub(crate) fn emit_error(line: u64, patient: Option<&str>, file: Option<&str>, errors: &[FieldError], p: &mut Piece) {
    p.tally.add_invalid();
    if serde_json::to_writer(&mut p.err, &ErrorLine { line, patient, file, errors }).is_ok() {
        p.err.push(b'\n');
    }
}

/// Parses and validates one NDJSON line: a Case with an `id`.
pub fn parse_line(body: Result<&[u8], u64>) -> Result<Case, Vec<FieldError>> {
    let bytes = match body {
        Ok(b) => b,
        Err(len) => {
            return Err(vec![FieldError {
                pointer: String::new(),
                detail: format!("expected a line of at most {MAX_LINE_BYTES} bytes, got {len} bytes"),
            }]);
        }
    };
    let case = case_from_json(bytes)?;
    if case.id.is_none() {
        return Err(vec![FieldError {
            pointer: "/id".into(),
            detail: "expected a case id (a string; each batch output line is matched to its input by it), got nothing".into(),
        }]);
    }
    Ok(case)
}

fn process_chunk(kb: &Knowledge, chunk: &Chunk, opts: &Options) -> Vec<Piece> {
    chunk
        .lines
        .par_chunks(SUB_CHUNK)
        .map(|lines| {
            let mut p = Piece { tally: Tally { assessed: opts.mode != Mode::ValidateOnly, ..Tally::default() }, ..Piece::default() };
            for line in lines {
                let body = match &line.body {
                    Body::Text(r) => Ok(chunk.text(r)),
                    Body::TooLong(n) => Err(*n),
                };
                p.line = line.number;
                match parse_line(body) {
                    Ok(case) => emit_case(kb, &case, Vec::new(), opts, &mut p),
                    Err(errors) => emit_error(line.number, None, None, &errors, &mut p),
                }
            }
            p
        })
        .collect()
}

/// Builds the worker pool for `threads` (None or 0: one per core).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, PipelineError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .thread_name(|i| format!("hepatica-batch-{i}"))
        .build()
        .map_err(|e| PipelineError::Pool(e.to_string()))
}

/// Runs NDJSON `input` through the pipeline, writing `output` and `errors` in input order.
pub fn process_ndjson<R, W, E>(
    kb: &Knowledge,
    input: R,
    output: W,
    errors: E,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Tally, PipelineError>
where
    R: BufRead + Send,
    W: Write + Send,
    E: Write + Send,
{
    let pool = pool(opts.threads)?;
    let (chunk_lines, chunk_bytes) = (opts.chunk_lines, opts.chunk_bytes);
    let source = move |tx: std::sync::mpsc::SyncSender<Chunk>| -> io::Result<()> {
        let mut reader = ChunkReader::new(input, chunk_lines, chunk_bytes);
        while let Some(chunk) = reader.next_chunk()? {
            if tx.send(chunk).is_err() {
                break;
            }
        }
        Ok(())
    };
    run_stages(source, |chunk: &Chunk| pool.install(|| process_chunk(kb, chunk, opts)), output, errors, opts, progress)
}

/// What a work item reports besides its pieces.
pub(crate) trait WorkItem: Send {
    /// Input bytes this item stands for (progress).
    fn bytes(&self) -> u64;
    /// Blank lines skipped (counted in the tally).
    fn blank(&self) -> u64;
}

impl WorkItem for Chunk {
    fn bytes(&self) -> u64 {
        self.bytes_read
    }
    fn blank(&self) -> u64 {
        self.blank
    }
}

/// The three-stage pipeline, generic over the source of work items and how one is processed.
pub(crate) fn run_stages<T, S, F, W, E>(
    source: S,
    work: F,
    mut output: W,
    mut errors: E,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Tally, PipelineError>
where
    T: WorkItem,
    S: FnOnce(std::sync::mpsc::SyncSender<T>) -> io::Result<()> + Send,
    F: Fn(&T) -> Vec<Piece>,
    W: Write + Send,
    E: Write + Send,
{
    let assessed = opts.mode != Mode::ValidateOnly;
    std::thread::scope(|s| {
        let (item_tx, item_rx) = sync_channel::<T>(IN_FLIGHT);
        let (piece_tx, piece_rx) = sync_channel::<(Vec<Piece>, u64, u64)>(IN_FLIGHT);
        let reader = s.spawn(move || source(item_tx));
        let writer = s.spawn(move || -> io::Result<Tally> {
            let mut tally = Tally { assessed, ..Tally::default() };
            for (pieces, bytes, blank) in piece_rx {
                let mut cases = 0;
                for p in pieces {
                    output.write_all(&p.out)?;
                    errors.write_all(&p.err)?;
                    cases += p.tally.total();
                    tally.add(&p.tally);
                }
                tally.blank += blank;
                progress.advance(bytes, cases);
            }
            output.flush()?;
            errors.flush()?;
            Ok(tally)
        });
        for item in item_rx {
            let pieces = work(&item);
            if piece_tx.send((pieces, item.bytes(), item.blank())).is_err() {
                break;
            }
        }
        drop(piece_tx);
        let read = reader.join().unwrap_or_else(|_| Err(io::Error::other("the reader thread stopped unexpectedly")));
        let written = writer.join().unwrap_or_else(|_| Err(io::Error::other("the writer thread stopped unexpectedly")));
        match (read, written) {
            (_, Err(e)) => Err(PipelineError::Write(e)),
            (Err(e), _) => Err(PipelineError::Read(e)),
            (Ok(()), Ok(tally)) => Ok(tally),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use crate::synth::{self, SynthOptions};

    /// Synthetic input with invalid lines and a blank line every 50.
    fn input(count: u64) -> Vec<u8> {
        let mut raw = Vec::new();
        synth::write(&mut raw, &SynthOptions { count, seed: 11, invalid_rate: 0.05 }).unwrap();
        let mut out = Vec::new();
        for (i, line) in raw.split(|b| *b == b'\n').filter(|l| !l.is_empty()).enumerate() {
            if i % 50 == 49 {
                out.extend_from_slice(b"   \n");
            }
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out
    }

    fn run(input: &[u8], mode: Mode, threads: usize, chunk_lines: usize) -> (Vec<u8>, Vec<u8>, Tally) {
        let kb = Knowledge::embedded();
        let opts = Options { mode, threads: Some(threads), chunk_lines, ..Options::default() };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let tally = process_ndjson(kb, input, &mut out, &mut err, &opts, &NoProgress).unwrap();
        (out, err, tally)
    }

    #[test]
    fn output_is_in_input_order_and_identical_for_any_threads_and_chunks() {
        let text = input(3000);
        let one = run(&text, Mode::Suitability, 1, 2048);
        let many = run(&text, Mode::Suitability, 8, 7);
        assert_eq!(one.0, many.0);
        assert_eq!(one.1, many.1);
        assert_eq!(one.2, many.2);

        let mut expected_ids = Vec::new();
        let mut expected_bad = Vec::new();
        for (i, line) in text.split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match parse_line(Ok(line)) {
                Ok(c) => expected_ids.push(c.id.unwrap()),
                Err(_) => expected_bad.push(i as u64 + 1),
            }
        }
        let ids: Vec<String> = String::from_utf8(one.0)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["case_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, expected_ids);
        let bad: Vec<u64> = String::from_utf8(one.1)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["line"].as_u64().unwrap())
            .collect();
        assert_eq!(bad, expected_bad);
        assert!(!bad.is_empty());
        assert_eq!(one.2.valid as usize, ids.len());
        assert_eq!(one.2.invalid as usize, bad.len());
        assert_eq!(one.2.blank, 3000 / 50);
    }

    #[test]
    fn summary_counts_match_the_lines() {
        let text = input(1000);
        let (out, _, tally) = run(&text, Mode::Suitability, 3, 64);
        let mut counts = std::collections::HashMap::<(String, String), u64>::new();
        for l in String::from_utf8(out).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = v["suitability"].as_object().unwrap();
            let at: Vec<usize> = hepatica_knowledge::TREATMENT_IDS.iter().map(|t| l.find(&format!("\"{t}\":")).unwrap()).collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "contract order: {l}");
            assert_eq!(s.len(), 9);
            for (t, level) in s {
                *counts.entry((t.clone(), level.as_str().unwrap().to_owned())).or_default() += 1;
            }
        }
        for t in hepatica_knowledge::TREATMENT_IDS {
            for level in hepatica_engine::Suitability::ALL {
                let n = counts.get(&(t.to_string(), level.as_str().to_string())).copied().unwrap_or(0);
                assert_eq!(tally.overall.count(t, level), n, "{t} {level:?}");
            }
        }
    }

    #[test]
    fn validate_only_and_full_write_one_line_per_valid_case() {
        let text = input(300);
        let (v, verr, vt) = run(&text, Mode::ValidateOnly, 2, 32);
        let (f, ferr, ft) = run(&text, Mode::Full, 2, 32);
        assert_eq!(verr, ferr);
        assert_eq!(vt.valid, ft.valid);
        let v = String::from_utf8(v).unwrap();
        let f = String::from_utf8(f).unwrap();
        assert_eq!(v.lines().count() as u64, vt.valid);
        assert_eq!(f.lines().count() as u64, ft.valid);
        for (vl, fl) in v.lines().zip(f.lines()) {
            let vv: serde_json::Value = serde_json::from_str(vl).unwrap();
            let fv: serde_json::Value = serde_json::from_str(fl).unwrap();
            assert_eq!(vv["valid"], true);
            assert_eq!(vv["case_id"], fv["case_id"]);
            assert_eq!(fv["contract"], "hepatica.assessment/1");
            assert_eq!(fv["options"].as_array().unwrap().len(), 9);
        }
        assert!(!vt.assessed && ft.assessed);
    }

    #[test]
    fn a_missing_id_is_an_error_at_its_pointer() {
        let (out, err, t) = run(b"{\"primary_site\":\"bowel\"}\n{\"id\":\"a\",\"primary_site\":\"lung\"}\n", Mode::Suitability, 1, 10);
        assert_eq!(t.valid, 1);
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
        let e: serde_json::Value = serde_json::from_slice(err.strip_suffix(b"\n").unwrap()).unwrap();
        assert_eq!(e["line"], 1);
        assert_eq!(e["errors"][0]["pointer"], "/id");
    }

    #[test]
    fn a_failing_writer_stops_the_run_with_a_write_error() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let text = input(5000);
        let kb = Knowledge::embedded();
        let opts = Options { chunk_lines: 16, ..Options::default() };
        let r = process_ndjson(kb, &text[..], Broken, Vec::new(), &opts, &NoProgress);
        assert!(matches!(r, Err(PipelineError::Write(_))));
    }
}
