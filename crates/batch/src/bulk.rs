//! FHIR Bulk Data export folders: one Bundle per patient, mapped by `hepatica-fhir`.
//!
//! A Bulk Data export (`$export`) is a folder of NDJSON files, one per
//! resource type (`Patient.ndjson`, `Condition.ndjson`, `Observation.ndjson`,
//! `MedicationRequest.ndjson`, ...; split files such as `Observation.2.ndjson`
//! too), not grouped by patient. This module regroups them with bounded
//! memory, in three passes:
//!
//! 1. **Patients.** Every `Patient*.ndjson` line, in file-name then line
//!    order, gets an ordinal (this is the output order) and goes to bucket
//!    file `ordinal / bucket_size` in a temporary folder beside the output.
//! 2. **Resources.** Every other file (sorted by name) is read line by line;
//!    each resource goes to the bucket of the patient its `subject` or
//!    `patient` reference names. `Medication` resources (shared, not
//!    per-patient) are kept aside and added to the Bundle of each patient
//!    whose resources reference them. Other shared resources (Practitioner,
//!    Organization, ...) are not patient data and are not used. A resource
//!    naming no known patient, or a line that is not JSON, is an invalid line
//!    in the errors file (`{"file", "line", "errors"}`).
//! 3. **Patients, bucket by bucket, in order.** A bucket is loaded, each
//!    patient's resources become one Bundle (the Patient first, then the
//!    others in file and line order), [`hepatica_fhir::map_bundle`] maps it to
//!    a Case whose id is the Patient id, and the case is assessed like an
//!    NDJSON line, in parallel, written in order. A patient whose Bundle
//!    cannot be mapped is an errors-file entry `{"line", "patient", "file",
//!    "errors"}` (the Patient's line), each error's detail naming the file and
//!    line of the resource it is about.
//!
//! **Memory** grows with the number of patients only through the id-to-ordinal
//! map (one short string and a number per patient, about 60 bytes), with the
//! number of distinct Medication resources, and with one bucket's resources
//! (1,024 patients, more only beyond 512 buckets); never with the total size
//! of the export.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use hepatica_engine::{FieldError, InputWarning};
use hepatica_knowledge::Knowledge;
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::lines::{Body, ChunkReader};
use crate::pipeline::{Piece, WorkItem, emit_case, emit_error, guarded, internal_error, run_stages};
use crate::summary::Tally;
use crate::{Error, Mode, Options, Progress};

/// Patients per bucket (at least).
const BUCKET_PATIENTS: u64 = 1024;
/// Most bucket files open at once.
const MAX_BUCKETS: u64 = 512;

/// Checks that `folder` looks like a Bulk Data export (has `Patient.ndjson`).
pub fn check_folder(folder: &Path) -> Result<(), String> {
    match export_files(folder) {
        Ok((patients, _)) if !patients.is_empty() => Ok(()),
        Ok(_) => {
            Err(format!("--input: expected a FHIR Bulk Data export folder containing Patient.ndjson, got {} without it", folder.display()))
        }
        Err(e) => Err(format!("--input: expected a readable FHIR Bulk Data export folder, got {} ({e})", folder.display())),
    }
}

/// The export's NDJSON files: Patient files and the others, each sorted by name.
fn export_files(folder: &Path) -> io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut patients = Vec::new();
    let mut others = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if !path.is_file() || !name.ends_with(".ndjson") {
            continue;
        }
        let kind = name.split('.').next().unwrap_or_default();
        let kind = kind.split('_').next().unwrap_or_default();
        if kind == "Patient" { patients.push(path) } else { others.push(path) }
    }
    patients.sort();
    others.sort();
    Ok((patients, others))
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The temporary bucket folder (locked while it lives), removed when dropped.
struct BucketDir {
    dir: crate::files::ScratchDir,
    path: PathBuf,
}

impl BucketDir {
    fn create(beside: &Path) -> io::Result<BucketDir> {
        let dir = crate::files::ScratchDir::create(beside)?;
        let path = dir.path().to_path_buf();
        Ok(BucketDir { dir, path })
    }

    fn bucket(&self, b: u64) -> PathBuf {
        self.dir.path().join(format!("{b:05}.bucket"))
    }
}

/// The few fields of a resource the scan needs; the rest of the line is
/// checked as JSON but not built into a tree (the mapper parses it later).
#[derive(serde::Deserialize)]
struct Head {
    #[serde(rename = "resourceType")]
    resource_type: Option<Value>,
    id: Option<Value>,
    subject: Option<Value>,
    patient: Option<Value>,
}

impl Head {
    fn resource_type(&self) -> Option<&str> {
        self.resource_type.as_ref().and_then(Value::as_str)
    }

    fn id(&self) -> Option<&str> {
        self.id.as_ref().and_then(Value::as_str)
    }

    fn patient_ref(&self) -> Option<&str> {
        patient_ref_of([self.subject.as_ref(), self.patient.as_ref()])
    }
}

/// Where a patient's reference points, if anywhere: the id after `Patient/`
/// (relative or absolute URL) or after `urn:uuid:`.
#[cfg(test)]
fn patient_ref(resource: &Value) -> Option<&str> {
    patient_ref_of([resource.get("subject"), resource.get("patient")])
}

fn patient_ref_of(fields: [Option<&Value>; 2]) -> Option<&str> {
    for field in fields {
        if let Some(r) = field.and_then(|v| v.get("reference")).and_then(Value::as_str) {
            if let Some(i) = r.rfind("Patient/") {
                return Some(&r[i + "Patient/".len()..]);
            }
            if let Some(id) = r.strip_prefix("urn:uuid:") {
                return Some(id);
            }
        }
    }
    None
}

/// Every `Medication/<id>` a resource refers to.
fn medication_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "reference"
                    && let Some(id) = x.as_str().and_then(|r| r.rfind("Medication/").map(|i| &r[i + "Medication/".len()..]))
                {
                    out.push(id.to_string());
                } else {
                    medication_refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| medication_refs(x, out)),
        _ => {}
    }
}

fn line_error(detail: String) -> Vec<FieldError> {
    vec![FieldError { pointer: String::new(), detail }]
}

/// One bucket record: which patient, from which file and line, and the resource JSON.
struct Record {
    ordinal: u64,
    file: u32,
    line: u64,
    json: Vec<u8>,
}

fn write_record(w: &mut impl Write, ordinal: u64, file: u32, line: u64, json: &[u8]) -> io::Result<()> {
    write!(w, "{ordinal}\t{file}\t{line}\t")?;
    w.write_all(json)?;
    w.write_all(b"\n")
}

fn read_records(path: &Path) -> io::Result<Vec<Record>> {
    let mut out = Vec::new();
    if !path.exists() {
        return Ok(out);
    }
    let mut r = BufReader::new(File::open(path)?);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        let mut parts = buf.splitn(4, |b| *b == b'\t');
        let num = |p: Option<&[u8]>| p.and_then(|x| std::str::from_utf8(x).ok()).and_then(|s| s.parse::<u64>().ok());
        let (Some(ordinal), Some(file), Some(line), Some(json)) = (num(parts.next()), num(parts.next()), num(parts.next()), parts.next())
        else {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt bucket record"));
        };
        out.push(Record { ordinal, file: file as u32, line, json: json.to_vec() });
    }
    Ok(out)
}

/// A bucket of patients, ready to map and assess.
struct Bucket {
    /// Per patient (in ordinal order): its records, the Patient's first.
    patients: Vec<Vec<Record>>,
}

impl WorkItem for Bucket {
    fn bytes(&self) -> u64 {
        0
    }
    fn blank(&self) -> u64 {
        0
    }
}

/// State of the scan passes.
struct Scan<'a, E: Write> {
    errors: &'a mut E,
    tally: Tally,
    files: Vec<String>,
    ids: HashMap<String, u64>,
    medications: HashMap<String, Vec<u8>>,
    writers: Vec<Option<BufWriter<File>>>,
    buckets: BucketDir,
    bucket_size: u64,
    progress: &'a dyn Progress,
}

impl<E: Write> Scan<'_, E> {
    fn error(&mut self, file: u32, line: u64, errors: &[FieldError]) -> io::Result<()> {
        let mut p = Piece::default();
        let name = self.files[file as usize].clone();
        emit_error(line, None, Some(&name), errors, &mut p);
        self.tally.add(&p.tally);
        self.errors.write_all(&p.err)
    }

    fn put_in_bucket(&mut self, ordinal: u64, file: u32, line: u64, json: &[u8]) -> io::Result<()> {
        let b = (ordinal / self.bucket_size) as usize;
        if self.writers.len() <= b {
            self.writers.resize_with(b + 1, || None);
        }
        if self.writers[b].is_none() {
            let f = std::fs::OpenOptions::new().create(true).append(true).open(self.buckets.bucket(b as u64))?;
            self.writers[b] = Some(BufWriter::with_capacity(16 << 10, f));
        }
        match self.writers[b].as_mut() {
            Some(w) => write_record(w, ordinal, file, line, json),
            None => Ok(()),
        }
    }

    /// Reads one file's lines, calling `each` with (line number, text or error).
    fn each_line(&mut self, path: &Path, file: u32, mut each: impl FnMut(&mut Self, u64, &[u8]) -> io::Result<()>) -> Result<(), Error> {
        let read_err = |source| Error::Read { path: path.to_path_buf(), source };
        let f = File::open(path).map_err(read_err)?;
        let mut reader = ChunkReader::new(BufReader::with_capacity(1 << 20, f), 4096, 4 << 20);
        while let Some(chunk) = reader.next_chunk().map_err(read_err)? {
            self.tally.blank += chunk.blank;
            for line in &chunk.lines {
                let r = match &line.body {
                    Body::Text(range) => each(self, line.number, chunk.text(range)),
                    Body::TooLong(n) => self.error(
                        file,
                        line.number,
                        &line_error(format!("expected a line of at most {} bytes, got {n} bytes", crate::lines::MAX_LINE_BYTES)),
                    ),
                };
                r.map_err(|source| Error::Write { path: self.buckets.path.clone(), source })?;
            }
            self.progress.advance(chunk.bytes_read, 0);
        }
        Ok(())
    }
}

/// Runs a Bulk Data export folder: writes one output line per patient, in
/// Patient file order, and errors for lines and patients that could not be used.
/// Temporary bucket files go in a hidden folder beside `scratch_beside` (the
/// output file), and are removed whatever happens.
pub fn run<W: Write + Send, E: Write + Send>(
    kb: &Knowledge,
    folder: &Path,
    scratch_beside: &Path,
    output: W,
    mut errors: E,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Tally, Error> {
    let (patient_files, other_files) = export_files(folder)
        .map_err(|e| Error::Arguments(vec![format!("--input: expected a readable folder, got {} ({e})", folder.display())]))?;
    let total: u64 = patient_files.iter().chain(&other_files).filter_map(|p| p.metadata().ok()).map(|m| m.len()).sum();
    progress.start(Some(total));
    let result = scan_and_run(kb, folder, scratch_beside, &patient_files, &other_files, output, &mut errors, opts, progress);
    progress.finish();
    result
}

#[allow(clippy::too_many_arguments)]
fn scan_and_run<W: Write + Send, E: Write + Send>(
    kb: &Knowledge,
    folder: &Path,
    scratch_beside: &Path,
    patient_files: &[PathBuf],
    other_files: &[PathBuf],
    output: W,
    errors: &mut E,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Tally, Error> {
    // Size buckets from a cheap line count bound: file size / 64 bytes per Patient at least.
    let patient_bytes: u64 = patient_files.iter().filter_map(|p| p.metadata().ok()).map(|m| m.len()).sum();
    let bucket_size = BUCKET_PATIENTS.max((patient_bytes / 64).div_ceil(MAX_BUCKETS));
    let buckets = BucketDir::create(scratch_beside).map_err(|source| Error::Write { path: scratch_beside.to_path_buf(), source })?;
    let files: Vec<String> = patient_files.iter().chain(other_files).map(|p| file_name(p)).collect();
    let mut scan = Scan {
        errors,
        tally: Tally { assessed: opts.mode != Mode::ValidateOnly, ..Tally::default() },
        files,
        ids: HashMap::new(),
        medications: HashMap::new(),
        writers: Vec::new(),
        buckets,
        bucket_size,
        progress,
    };

    // Pass 1: patients.
    let mut next = 0u64;
    for (i, path) in patient_files.iter().enumerate() {
        let file = i as u32;
        scan.each_line(path, file, |s, line, text| {
            let v: Head = match serde_json::from_slice(text) {
                Ok(v) => v,
                Err(e) => return s.error(file, line, &line_error(format!("expected a Patient resource in JSON, got invalid JSON ({e})"))),
            };
            let id = match (v.resource_type(), v.id()) {
                (Some("Patient"), Some(id)) if !id.is_empty() => id.to_string(),
                (Some("Patient"), _) => {
                    return s.error(
                        file,
                        line,
                        &[FieldError { pointer: "/id".into(), detail: "expected the Patient's id, got nothing".into() }],
                    );
                }
                (other, _) => {
                    return s.error(
                        file,
                        line,
                        &[FieldError { pointer: "/resourceType".into(), detail: format!("expected \"Patient\", got {other:?}") }],
                    );
                }
            };
            if s.ids.contains_key(&id) {
                return s.error(
                    file,
                    line,
                    &[FieldError { pointer: "/id".into(), detail: format!("expected each Patient once, got {id:?} again") }],
                );
            }
            s.ids.insert(id, next);
            s.put_in_bucket(next, file, line, text)?;
            next += 1;
            Ok(())
        })?;
    }
    let patients = next;

    // Pass 2: everything else.
    for (i, path) in other_files.iter().enumerate() {
        let file = (patient_files.len() + i) as u32;
        scan.each_line(path, file, |s, line, text| {
            let v: Head = match serde_json::from_slice(text) {
                Ok(v) => v,
                Err(e) => return s.error(file, line, &line_error(format!("expected a FHIR resource in JSON, got invalid JSON ({e})"))),
            };
            match v.patient_ref() {
                Some(id) => match s.ids.get(id).copied() {
                    Some(ordinal) => s.put_in_bucket(ordinal, file, line, text),
                    None => s.error(
                        file,
                        line,
                        &[FieldError {
                            pointer: if v.subject.is_some() { "/subject/reference".into() } else { "/patient/reference".into() },
                            detail: format!("expected a reference to a Patient in the export, got Patient {id:?}; resource not used"),
                        }],
                    ),
                },
                None => {
                    if v.resource_type() == Some("Medication")
                        && let Some(id) = v.id()
                    {
                        s.medications.insert(id.to_string(), text.to_vec());
                    }
                    Ok(())
                }
            }
        })?;
    }
    for w in scan.writers.iter_mut().flatten() {
        w.flush().map_err(|source| Error::Write { path: scan.buckets.path.clone(), source })?;
    }
    scan.writers.clear();

    // Pass 3: bucket by bucket, in order.
    let Scan { errors, tally: scan_tally, files, medications, buckets, bucket_size, .. } = scan;
    let pool = crate::pipeline::pool(opts.threads).map_err(|e| crate::pipeline_error(e, folder, folder))?;
    let n_buckets = patients.div_ceil(bucket_size);
    let bucket_paths: Vec<PathBuf> = (0..n_buckets).map(|b| buckets.bucket(b)).collect();
    let source = move |tx: std::sync::mpsc::SyncSender<Bucket>| -> io::Result<()> {
        for (b, path) in bucket_paths.iter().enumerate() {
            let base = b as u64 * bucket_size;
            let count = (patients - base).min(bucket_size) as usize;
            let mut grouped: Vec<Vec<Record>> = (0..count).map(|_| Vec::new()).collect();
            for r in read_records(path)? {
                let i = (r.ordinal - base) as usize;
                if let Some(g) = grouped.get_mut(i) {
                    g.push(r);
                }
            }
            // Records of one patient: the Patient first (Patient files come first), then file and line order.
            for g in &mut grouped {
                g.sort_by_key(|r| (r.file, r.line));
            }
            let _ = std::fs::remove_file(path);
            if tx.send(Bucket { patients: grouped }).is_err() {
                break;
            }
        }
        Ok(())
    };
    let (files, medications) = (&files, &medications);
    let work = |bucket: &Bucket| -> Vec<Piece> {
        pool.install(|| {
            bucket
                .patients
                .par_chunks(16)
                .map(|group| {
                    let mut p =
                        Piece { tally: Tally { assessed: opts.mode != Mode::ValidateOnly, ..Tally::default() }, ..Piece::default() };
                    for records in group {
                        patient(kb, records, files, medications, opts, &mut p);
                    }
                    p
                })
                .collect()
        })
    };
    let tally = run_stages(source, work, output, errors, opts, progress).map_err(|e| crate::pipeline_error(e, folder, &buckets.path))?;
    let mut total = scan_tally;
    total.add(&tally);
    Ok(total)
}

/// Maps, assesses and emits one patient.
fn patient(kb: &Knowledge, records: &[Record], files: &[String], medications: &HashMap<String, Vec<u8>>, opts: &Options, p: &mut Piece) {
    let Some(first) = records.first() else { return };
    let mut entries = Vec::with_capacity(records.len() + 1);
    let mut origin: Vec<(u32, u64)> = Vec::with_capacity(records.len() + 1);
    let mut meds = Vec::new();
    for r in records {
        // A repeated key makes the record ambiguous, and a number too large to
        // read has no value: refuse the patient rather than let the last value
        // win or drop the field (the scan only read the ids).
        let v = match hepatica_engine::parse::json_from_slice(&r.json) {
            Ok(v) => v,
            Err(e @ (hepatica_engine::parse::JsonError::DuplicateKey { .. } | hepatica_engine::parse::JsonError::OutOfRange { .. })) => {
                let file = files.get(r.file as usize).map(String::as_str);
                emit_error(r.line, None, file, &[e.field_error()], p);
                return;
            }
            Err(_) => continue,
        };
        medication_refs(&v, &mut meds);
        let mut e = Map::new();
        e.insert("resource".into(), v);
        entries.push(Value::Object(e));
        origin.push((r.file, r.line));
    }
    meds.sort();
    meds.dedup();
    for id in meds {
        if let Some(v) = medications.get(&id).and_then(|j| serde_json::from_slice::<Value>(j).ok()) {
            let mut e = Map::new();
            e.insert("resource".into(), v);
            entries.push(Value::Object(e));
            origin.push((u32::MAX, 0));
        }
    }
    let mut bundle = Map::new();
    bundle.insert("resourceType".into(), "Bundle".into());
    bundle.insert("type".into(), "collection".into());
    bundle.insert("entry".into(), Value::Array(entries));
    let bundle = Value::Object(bundle);
    let where_ = |pointer: &str| -> Option<String> {
        let rest = pointer.strip_prefix("/entry/")?;
        let i: usize = rest.split('/').next()?.parse().ok()?;
        let (file, line) = origin.get(i)?;
        files.get(*file as usize).map(|f| format!(" ({f} line {line})"))
    };
    p.line = first.line;
    let Some(mapped) = guarded(|| hepatica_fhir::map_bundle(&bundle, kb, &hepatica_fhir::MapOptions::today_utc())) else {
        let id = bundle.pointer("/entry/0/resource/id").and_then(Value::as_str).map(str::to_string);
        emit_error(first.line, id.as_deref(), files.get(first.file as usize).map(String::as_str), &[internal_error()], p);
        return;
    };
    match mapped {
        Ok(mapped) => {
            let mut case = mapped.case;
            if case.id.is_none() {
                case.id = bundle.pointer("/entry/0/resource/id").and_then(Value::as_str).map(str::to_string);
            }
            let warnings: Vec<InputWarning> = mapped
                .warnings
                .into_iter()
                .map(|w| {
                    let suffix = where_(&w.pointer).unwrap_or_default();
                    InputWarning { detail: format!("{}{suffix}", w.detail), pointer: w.pointer }
                })
                .collect();
            emit_case(kb, &case, warnings, opts, p);
        }
        Err(errs) => {
            let errs: Vec<FieldError> = errs
                .into_iter()
                .map(|e| {
                    let suffix = where_(&e.pointer).unwrap_or_default();
                    FieldError { detail: format!("{}{suffix}", e.detail), pointer: e.pointer }
                })
                .collect();
            let id = bundle.pointer("/entry/0/resource/id").and_then(Value::as_str).map(str::to_string);
            emit_error(first.line, id.as_deref(), files.get(first.file as usize).map(String::as_str), &errs, p);
        }
    }
}

/// Reads a whole small file (tests).
#[cfg(test)]
fn read(p: &Path) -> String {
    use std::io::Read;
    let mut s = String::new();
    File::open(p).and_then(|mut f| f.read_to_string(&mut s)).unwrap();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patient_references_in_common_shapes() {
        let r = |s: &str| serde_json::json!({ "subject": { "reference": s } });
        assert_eq!(patient_ref(&r("Patient/p1")), Some("p1"));
        assert_eq!(patient_ref(&r("https://x.org/fhir/Patient/p2")), Some("p2"));
        assert_eq!(patient_ref(&r("urn:uuid:abc")), Some("abc"));
        assert_eq!(patient_ref(&serde_json::json!({ "patient": { "reference": "Patient/p3" } })), Some("p3"));
        assert_eq!(patient_ref(&serde_json::json!({ "code": {} })), None);
    }

    #[test]
    fn records_round_trip_through_a_bucket() {
        let d = std::env::temp_dir().join(format!("hepatica-bulk-rec-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join("b");
        let mut f = File::create(&p).unwrap();
        write_record(&mut f, 7, 2, 9, br#"{"a":"x\ty"}"#).unwrap();
        drop(f);
        let r = read_records(&p).unwrap();
        assert_eq!((r[0].ordinal, r[0].file, r[0].line), (7, 2, 9));
        assert_eq!(r[0].json, br#"{"a":"x\ty"}"#);
        assert!(read(&p).ends_with('\n'));
        let _ = std::fs::remove_dir_all(&d);
    }
}

#[cfg(test)]
mod bucket_tests {
    use super::*;
    use crate::NoProgress;

    /// 2,500 patients span three buckets; resources are written in reverse
    /// patient order to check the regrouping.
    #[test]
    fn many_patients_across_buckets_keep_patient_order() {
        let d = std::env::temp_dir().join(format!("hepatica-bulk-many-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let export = d.join("export");
        std::fs::create_dir_all(&export).unwrap();
        let n = 2500;
        let mut patients = String::new();
        let mut conditions = String::new();
        for i in 0..n {
            patients += &format!("{{\"resourceType\":\"Patient\",\"id\":\"p{i}\"}}\n");
        }
        for i in (0..n).rev() {
            let code = if i % 2 == 0 { "C18.7" } else { "C50.9" };
            conditions += &format!(
                "{{\"resourceType\":\"Condition\",\"subject\":{{\"reference\":\"Patient/p{i}\"}},\"code\":{{\"coding\":[{{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"{code}\"}}]}}}}\n"
            );
        }
        std::fs::write(export.join("Patient.ndjson"), patients).unwrap();
        std::fs::write(export.join("Condition.ndjson"), conditions).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let opts = Options { threads: Some(3), ..Options::default() };
        let tally = run(Knowledge::embedded(), &export, &d.join("out.ndjson"), &mut out, &mut err, &opts, &NoProgress).unwrap();
        assert_eq!(String::from_utf8_lossy(&err), "");
        assert_eq!(tally.valid, n);
        let ids: Vec<String> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["case_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, (0..n).map(|i| format!("p{i}")).collect::<Vec<_>>());
        assert_eq!(tally.site(hepatica_engine::PrimarySite::Bowel).cases, n / 2);
        let left: Vec<_> = std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("export")], "bucket folder removed");
        let _ = std::fs::remove_dir_all(&d);
    }
}
