//! Hepatica's curated knowledge base.
//!
//! The content lives as TOML files under the workspace `content/` folder (its
//! README gives the schema and the curation policy). `build.rs` embeds every
//! file in the binary; [`Knowledge::embedded`] parses them once. [`check`]
//! validates a loaded knowledge base against a given "today" and returns every
//! problem at once, never just the first.
//!
//! Thresholds are typed ([`Th`], [`thresholds`]) and rules are content
//! ([`rules`], over the fact vocabulary in [`facts`]); both are validated at
//! load time, so a loaded knowledge base has every number the code reads and
//! every rule type-checked.
//!
//! Releases ([`release`]): every frozen release under `releases/` is embedded
//! compressed and loaded on first use ([`Knowledge::release`],
//! [`Knowledge::by_version`]); each loaded knowledge base carries its
//! [`content_hash`](Knowledge::content_hash), computed once at load.
//! [`bundle`] reads and writes signed single-file releases, [`diff`] compares
//! two releases and [`signoff`] counts clinical sign-off.
//!
//! This crate does not assess cases (that is `hepatica-engine`) and does no I/O
//! beyond [`Knowledge::load_dir`], which the CLI uses to load a content folder
//! at run time (`--kb-dir`).

pub mod bundle;
mod check;
mod date;
pub mod diff;
pub mod facts;
mod load;
mod model;
pub mod readability;
pub mod release;
pub mod rules;
pub mod signoff;
pub mod thresholds;

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

pub use check::{Diagnostic, Severity, check};
pub use date::Date;
pub use load::file_kind;
pub use model::*;
pub use release::{ReleaseInfo, UnknownVersion, content_hash};
pub use thresholds::Th;

/// The nine treatment areas, in the order the contract lists them.
pub const TREATMENT_IDS: [&str; 9] = [
    "chemotherapy",
    "surgery",
    "hormonal_therapy",
    "targeted_therapy",
    "immunotherapy",
    "ablation",
    "embolisation",
    "radiotherapy",
    "supportive_care",
];

/// The primary sites the contract accepts (`liver` is deliberately absent).
pub const PRIMARY_SITES: [&str; 16] = [
    "bowel",
    "breast",
    "prostate",
    "lung",
    "melanoma",
    "uveal_melanoma",
    "neuroendocrine",
    "pancreas",
    "stomach",
    "oesophagus",
    "kidney",
    "ovary",
    "womb",
    "gist",
    "unknown",
    "other",
];

/// Topics a question-and-answer entry may have besides a treatment id.
pub const EXTRA_TOPICS: [&str; 3] = ["general", "support", "drugs"];

mod files {
    include!(concat!(env!("OUT_DIR"), "/content_files.rs"));
}

/// The newest revision of the Rust decision logic this program has
/// (`engine_logic` in `kb.toml`). A knowledge base that names a newer one was
/// published for a newer Hepatica, and is refused rather than half-applied.
pub const ENGINE_LOGIC_SUPPORTED: u32 = 7;

/// A loaded, resolved knowledge base.
///
/// Every record's review fields are resolved (record value, else the file's
/// `[review]` table), so [`Knowledge::review_of`] style look-ups never fail on a
/// value that loaded.
#[derive(Debug, Clone)]
pub struct Knowledge {
    /// Identity and version.
    pub meta: Meta,
    /// Source registry.
    pub sources: Vec<Source>,
    /// Sourced statements the engine cites.
    pub statements: Vec<Statement>,
    /// Numeric thresholds the engine uses.
    pub thresholds: Vec<Threshold>,
    /// Values of the thresholds the code reads, by [`Th`].
    threshold_values: thresholds::Values,
    /// Each treatment's rules, in contract order.
    pub rules: Vec<rules::TreatmentRules>,
    /// The nine treatment pages, in contract order.
    pub treatments: Vec<Treatment>,
    /// Glossary terms, sorted by term.
    pub glossary: Vec<Term>,
    /// Drug and regimen catalogue.
    pub drugs: Vec<Drug>,
    /// Questions and answers.
    pub faqs: Vec<Faq>,
    /// Support services.
    pub support: Vec<SupportService>,
    /// Terminology mappings for FHIR input.
    pub codes: Vec<CodeMapping>,
    /// The questionnaire and results pages' own words (`questionnaire.toml`).
    pub questionnaire: Questionnaire,
    /// The lay lexicon the search uses (`lexicon.toml`).
    pub lexicon: Lexicon,
    /// Who to call now when a question describes a red flag (`urgent.toml`).
    pub urgent: Option<UrgentHelp>,
    /// Same-day red-flag symptoms (`urgent.toml`).
    pub red_flags: Vec<RedFlag>,
    /// How a general question about a symptom is told from one describing it (`urgent.toml`).
    pub red_flag_context: RedFlagContext,
    /// The people who may sign items off (`reviewers.toml`; empty when none).
    pub reviewers: Vec<Reviewer>,
    /// Words for biomarker result values (`labels.toml`; empty in releases before 2026.12.1).
    pub biomarker_values: Vec<BiomarkerValueLabel>,
    /// [`content_hash`] of the files this was loaded from (computed once, at load).
    content_hash: String,
    /// The newest version this program has, when it is newer than this one.
    superseded_by: Option<String>,
    index: Index,
}

#[derive(Debug, Clone, Default)]
struct Index {
    sources: FxHashMap<String, usize>,
    statements: FxHashMap<String, usize>,
    thresholds: FxHashMap<String, usize>,
    drugs: FxHashMap<String, usize>,
}

/// Failure to load content: every problem found, each as a [`Diagnostic`].
#[derive(Debug, thiserror::Error)]
#[error("the knowledge base did not load ({} problems)", .0.len())]
pub struct LoadError(pub Vec<Diagnostic>);

impl Knowledge {
    /// The knowledge base embedded in this binary, parsed on first use.
    ///
    /// # Panics
    /// If the embedded content does not load. The `embedded_content_loads`
    /// test guards this, so a release cannot ship broken content.
    pub fn embedded() -> &'static Knowledge {
        static KB: OnceLock<Knowledge> = OnceLock::new();
        KB.get_or_init(|| match Knowledge::from_files(files::FILES.iter().copied()) {
            Ok(kb) => kb,
            Err(e) => panic!("embedded knowledge base is broken: {:?}", e.0),
        })
    }

    /// A frozen release embedded in this binary, by version (decompressed
    /// and parsed on first use, then kept for the life of the process).
    ///
    /// # Panics
    /// If the embedded release does not load; the `every_release_loads` test
    /// guards this.
    pub fn release(version: &str) -> Option<&'static Knowledge> {
        static CACHE: OnceLock<Vec<OnceLock<Knowledge>>> = OnceLock::new();
        let i = files::RELEASES.iter().position(|(v, _)| *v == version)?;
        let cache = CACHE.get_or_init(|| files::RELEASES.iter().map(|_| OnceLock::new()).collect());
        Some(cache[i].get_or_init(|| {
            let files = release::frozen_files(i);
            match Knowledge::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))) {
                Ok(kb) => kb,
                Err(e) => panic!("embedded release {version} is broken: {:?}", e.0),
            }
        }))
    }

    /// The versions of the frozen releases embedded in this binary, oldest first.
    pub fn release_versions() -> impl Iterator<Item = &'static str> {
        files::RELEASES.iter().map(|(v, _)| *v)
    }

    /// The files of a frozen release as `(path, text)` pairs, in path order.
    pub fn release_files(version: &str) -> Option<Vec<(&'static str, &'static str)>> {
        let i = files::RELEASES.iter().position(|(v, _)| *v == version)?;
        Some(release::frozen_files(i).iter().map(|(p, t)| (p.as_str(), t.as_str())).collect())
    }

    /// The files of any version this program has (`latest`, the working
    /// content's version, or a frozen release).
    pub fn files_of(version: &str) -> Option<Vec<(&'static str, &'static str)>> {
        if version == "latest" || version == files::LATEST_VERSION {
            return Some(files::FILES.to_vec());
        }
        Knowledge::release_files(version)
    }

    /// Every version this program has, oldest first: the frozen releases and,
    /// when its version is not frozen, the working content (the latest).
    pub fn versions() -> Vec<&'static str> {
        let mut v: Vec<&'static str> = Knowledge::release_versions().collect();
        if !v.contains(&files::LATEST_VERSION) {
            v.push(files::LATEST_VERSION);
        }
        v.sort_by(|a, b| release::compare_versions(a, b));
        v
    }

    /// The version `--kb latest` (the default) stands for: the working content's.
    pub fn latest_version() -> &'static str {
        files::LATEST_VERSION
    }

    /// The knowledge base of a version: `latest` (or the working content's
    /// version) is [`Knowledge::embedded`], any other a frozen release.
    pub fn by_version(version: &str) -> Result<&'static Knowledge, UnknownVersion> {
        let version = version.trim();
        if version == "latest" || version == files::LATEST_VERSION {
            return Ok(Knowledge::embedded());
        }
        Knowledge::release(version).ok_or_else(|| UnknownVersion {
            asked: version.chars().take(40).collect(),
            known: Knowledge::versions().iter().map(|v| v.to_string()).collect(),
        })
    }

    /// The catalogue of [`Knowledge::versions`], oldest first (loads each).
    pub fn catalogue() -> Vec<ReleaseInfo> {
        Knowledge::versions().into_iter().filter_map(|v| Knowledge::by_version(v).ok()).map(ReleaseInfo::of).collect()
    }

    /// Hex SHA-256 of this knowledge base's content files ([`content_hash`]).
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    /// Whether this knowledge base claims the version of a release this
    /// program embeds but has other content (a changed folder or bundle that
    /// kept the version number): its answers are stamped `draft: true`, and
    /// `serve --kb-file` refuses it without `--allow-draft`.
    pub fn is_draft(&self) -> bool {
        let v = self.meta.version.as_str();
        let embedded = if v == files::LATEST_VERSION { Some(Knowledge::embedded()) } else { Knowledge::release(v) };
        embedded.is_some_and(|k| !std::ptr::eq(k, self) && k.content_hash() != self.content_hash())
    }

    /// The newest version this program has, when it is newer than this one.
    pub fn superseded_by(&self) -> Option<&str> {
        self.superseded_by.as_deref()
    }

    /// A reviewer of `reviewers.toml` by id.
    pub fn reviewer(&self, id: &str) -> Option<&Reviewer> {
        self.reviewers.iter().find(|r| r.id == id)
    }

    /// The revision of the Rust decision logic this knowledge base was
    /// published with ([`Meta::engine_logic`]; absent means 1).
    pub fn engine_logic(&self) -> u32 {
        self.meta.engine_logic.unwrap_or(1)
    }

    /// The embedded content files as `(path, text)` pairs.
    pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
        files::FILES
    }

    /// Parses content files given as `(path relative to content/, text)`.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Knowledge, LoadError> {
        load::from_files(files)
    }

    /// Reads and parses every `.toml` file under `dir` (used by `kb check --dir`).
    pub fn load_dir(dir: &std::path::Path) -> Result<Knowledge, LoadError> {
        load::load_dir(dir)
    }

    /// The content files under `dir` (every `.toml` file, path order), as
    /// [`Knowledge::load_dir`] reads them: for hashing, bundling and diffs.
    pub fn read_dir_files(dir: &std::path::Path) -> Result<Vec<(String, String)>, LoadError> {
        load::read_dir(dir)
    }

    /// A source by id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.index.sources.get(id).map(|&i| &self.sources[i])
    }

    /// A statement by id.
    pub fn statement(&self, id: &str) -> Option<&Statement> {
        self.index.statements.get(id).map(|&i| &self.statements[i])
    }

    /// A threshold by id.
    pub fn threshold(&self, id: &str) -> Option<&Threshold> {
        self.index.thresholds.get(id).map(|&i| &self.thresholds[i])
    }

    /// The value of a threshold the code reads. Loading guarantees every [`Th`]
    /// is present and finite, so this cannot fail.
    pub fn t(&self, th: Th) -> f64 {
        self.threshold_values.0[th as usize]
    }

    /// The rules of the treatment at this index of [`TREATMENT_IDS`].
    pub fn rules_of(&self, treatment: usize) -> &rules::TreatmentRules {
        &self.rules[treatment]
    }

    /// The words for a biomarker result (`labels.toml`): the row for this
    /// biomarker and value, else the row for the value alone; patient or
    /// clinician words. `None` when the knowledge base has no row for it.
    pub fn biomarker_value_label(&self, biomarker: &str, value: &str, clinician: bool) -> Option<&str> {
        let rows = || self.biomarker_values.iter().filter(|l| l.value == value);
        let row = rows().find(|l| l.biomarker.as_deref() == Some(biomarker)).or_else(|| rows().find(|l| l.biomarker.is_none()))?;
        Some(if clinician { &row.clinician } else { &row.patient })
    }

    /// A drug or regimen by id.
    pub fn drug(&self, id: &str) -> Option<&Drug> {
        self.index.drugs.get(id).map(|&i| &self.drugs[i])
    }

    /// A treatment page by id.
    pub fn treatment(&self, id: &str) -> Option<&Treatment> {
        self.treatments.iter().find(|t| t.id == id)
    }

    fn reindex(&mut self) {
        fn map<T>(items: &[T], id: impl Fn(&T) -> &str) -> FxHashMap<String, usize> {
            items.iter().enumerate().map(|(i, x)| (id(x).to_string(), i)).collect()
        }
        self.index = Index {
            sources: map(&self.sources, |s| &s.id),
            statements: map(&self.statements, |s| &s.id),
            thresholds: map(&self.thresholds, |s| &s.id),
            drugs: map(&self.drugs, |s| &s.id),
        };
    }
}

impl ReviewOverride {
    /// The resolved review; loading guarantees all three fields are set.
    pub fn resolved(&self) -> Review {
        Review {
            reviewed_on: self.reviewed_on.expect("resolved at load"),
            review_due: self.review_due.expect("resolved at load"),
            reviewers: self.reviewers.clone().expect("resolved at load"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_content_loads() {
        let kb = Knowledge::from_files(Knowledge::embedded_files().iter().copied());
        if let Err(e) = &kb {
            for d in &e.0 {
                eprintln!("{d}");
            }
        }
        let kb = kb.expect("embedded content loads");
        assert!(!kb.meta.version.is_empty());
    }

    /// Every frozen release loads, under its folder's version, and names an
    /// engine logic revision this program has.
    #[test]
    fn every_release_loads() {
        let versions: Vec<&str> = Knowledge::release_versions().collect();
        assert!(versions.contains(&"2026.11.0"), "the first published release is kept: {versions:?}");
        for v in versions {
            let kb = Knowledge::release(v).expect("listed release");
            assert_eq!(kb.meta.version, v, "release folder {v} holds kb.toml version {}", kb.meta.version);
            assert!(kb.engine_logic() >= 1);
        }
        assert!(Knowledge::release("1999.1.0").is_none());
    }

    /// A knowledge base that names a decision-logic revision this program does
    /// not have is refused by name, not run on older logic.
    #[test]
    fn a_newer_engine_logic_is_refused() {
        let max = ENGINE_LOGIC_SUPPORTED;
        for (logic, refused) in [(max, false), (max + 1, true), (0, true)] {
            let files: Vec<(&str, String)> = Knowledge::embedded_files()
                .iter()
                .map(|&(p, t)| {
                    let t = if p == "kb.toml" {
                        t.lines()
                            .map(|l| if l.starts_with("engine_logic") { format!("engine_logic = {logic}") } else { l.to_string() })
                            .collect::<Vec<_>>()
                            .join("\n")
                    } else {
                        t.to_string()
                    };
                    (p, t)
                })
                .collect();
            let loaded = Knowledge::from_files(files.iter().map(|(p, t)| (*p, t.as_str())));
            match loaded {
                Ok(kb) => {
                    assert!(!refused, "engine_logic {logic} loaded");
                    assert_eq!(kb.engine_logic(), max);
                }
                Err(e) => {
                    assert!(refused, "engine_logic {logic} refused: {e:?}");
                    assert!(
                        e.0.iter().any(|d| d.to_string().contains("engine_logic") && d.to_string().contains("newer Hepatica")),
                        "{e:?}"
                    );
                }
            }
        }
    }

    /// `content/` may share a version with a frozen release only when the two
    /// are the same files: a published release is never changed in place.
    #[test]
    fn working_content_does_not_rewrite_a_release() {
        let working = Knowledge::embedded_files();
        if let Some(frozen) = Knowledge::release_files(&Knowledge::embedded().meta.version) {
            let names = |f: &[(&str, &str)]| f.iter().map(|(p, _)| p.to_string()).collect::<Vec<_>>();
            assert_eq!(names(working), names(&frozen), "content/ and its frozen release list different files");
            for ((path, a), (_, b)) in working.iter().zip(frozen.iter()) {
                assert!(a == b, "content/{path} differs from the frozen release of the same version: bump the version in content/kb.toml");
            }
        }
    }

    /// The working content is the latest: never older than a frozen release
    /// (a release is cut by copying content/ forward, never back).
    #[test]
    fn latest_is_not_older_than_any_frozen_release() {
        let latest = Knowledge::embedded().meta.version.clone();
        assert_eq!(latest, Knowledge::latest_version(), "build.rs read the version line of content/kb.toml");
        for v in Knowledge::release_versions() {
            assert!(release::compare_versions(&latest, v) != std::cmp::Ordering::Less, "content/ is {latest}, older than frozen {v}");
        }
        assert_eq!(Knowledge::embedded().superseded_by(), None);
        assert_eq!(*Knowledge::versions().last().expect("a version"), latest.as_str());
        let catalogue = Knowledge::catalogue();
        assert_eq!(catalogue.iter().filter(|r| r.latest).count(), 1, "{catalogue:?}");
        for r in &catalogue {
            assert_eq!(r.superseded_by.is_some(), r.version != latest, "{r:?}");
        }
    }

    /// `by_version`: latest, the working version and frozen releases; anything
    /// else names the versions that exist.
    #[test]
    fn versions_resolve_and_unknown_ones_are_named() {
        assert!(std::ptr::eq(Knowledge::by_version("latest").expect("latest"), Knowledge::embedded()));
        let old = Knowledge::by_version("2026.11.0").expect("first release");
        assert_eq!(old.meta.version, "2026.11.0");
        let e = Knowledge::by_version("2020.1.0").expect_err("unknown");
        assert!(e.to_string().contains("2026.11.0") && e.to_string().contains("\"2020.1.0\""), "{e}");
    }

    /// The content hash is of the files, in the documented serialisation:
    /// order-independent, and it changes with a byte or with a moved file boundary.
    #[test]
    fn content_hash_is_canonical() {
        let h = content_hash([("a.toml", "x = 1\n"), ("b.toml", "y = 2\n")]);
        assert_eq!(h.len(), 64);
        assert_eq!(h, content_hash([("b.toml", "y = 2\n"), ("a.toml", "x = 1\n")]));
        assert_ne!(h, content_hash([("a.toml", "x = 1\n"), ("b.toml", "y = 3\n")]));
        assert_ne!(content_hash([("a.toml", "ab"), ("b.toml", "")]), content_hash([("a.toml", "a"), ("b.toml", "b")]));
        // Known answer: SHA-256 of u64be(6) "a.toml" u64be(1) "x".
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&6u64.to_be_bytes());
        bytes.extend_from_slice(b"a.toml");
        bytes.extend_from_slice(&1u64.to_be_bytes());
        bytes.extend_from_slice(b"x");
        use sha2::Digest;
        assert_eq!(content_hash([("a.toml", "x")]), release::hex(&sha2::Sha256::digest(&bytes)));
        let kb = Knowledge::embedded();
        assert_eq!(kb.content_hash(), content_hash(Knowledge::embedded_files().iter().copied()));
    }

    /// The embedded content passes `kb check` (as of the day the CLI tests use),
    /// so a content error shows up in this crate's tests, not only in the CLI's.
    #[test]
    fn embedded_content_passes_check() {
        let kb = Knowledge::embedded();
        let errors: Vec<String> = check(kb, Date::new(2026, 12, 2).expect("a date"))
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "kb check errors:\n{}", errors.join("\n"));
        assert!(kb.urgent.is_some() && kb.red_flags.len() >= 8, "the urgent list is loaded");
        assert!(!kb.lexicon.synonyms.is_empty() && !kb.lexicon.expansions.is_empty(), "the lexicon is loaded");
    }

    /// A glance line with a number must say which primary sites its study
    /// covered, and those must be contract site ids.
    #[test]
    fn glance_figures_need_known_sites() {
        let errors_for = |kb: &Knowledge| -> Vec<String> {
            check(kb, Date::new(2026, 12, 2).expect("a date"))
                .into_iter()
                .filter(|d| d.severity == Severity::Error && d.field == "frequency_sites")
                .map(|d| d.to_string())
                .collect()
        };
        let mut kb = Knowledge::embedded().clone();
        let surgery = kb.treatments.iter_mut().find(|t| t.id == "surgery").expect("surgery");
        let g = surgery.glance.as_mut().expect("surgery glance");
        assert!(g.has_figures() && g.figures_apply_to("bowel") && !g.figures_apply_to("pancreas"));
        g.frequency_sites = vec!["colon".into()];
        let errs = errors_for(&kb);
        assert!(errs.len() == 1 && errs[0].contains("\"colon\""), "{errs:?}");
        let g = kb.treatments.iter_mut().find(|t| t.id == "surgery").and_then(|t| t.glance.as_mut()).expect("glance");
        g.frequency_sites.clear();
        assert!(!g.figures_apply_to("bowel"), "figures without sites are never shown");
        let errs = errors_for(&kb);
        assert!(errs.len() == 1 && errs[0].contains("number"), "{errs:?}");
    }

    /// A site's own grid row replaces the general one for that site only, and
    /// `kb check` requires it to name known sites (and the general row none).
    #[test]
    fn site_glance_rows_replace_the_general_row_for_their_sites() {
        let kb = Knowledge::embedded();
        let hormonal = kb.treatment("hormonal_therapy").expect("hormonal therapy");
        let net = hormonal.glance_for_site("neuroendocrine").expect("a NET row");
        assert!(!net.involves.contains("Tablets") && net.harms.as_deref().is_none_or(|h| !h.contains("Hot flushes")), "{net:?}");
        assert_eq!(hormonal.glance_for_site("breast").map(|g| &g.involves), hormonal.glance.as_ref().map(|g| &g.involves));
        let errors_for = |kb: &Knowledge| -> Vec<String> {
            check(kb, Date::new(2026, 12, 2).expect("a date"))
                .into_iter()
                .filter(|d| d.severity == Severity::Error && d.field == "sites" && d.id.contains("#glance"))
                .map(|d| d.to_string())
                .collect()
        };
        let mut kb = kb.clone();
        let t = kb.treatments.iter_mut().find(|t| t.id == "hormonal_therapy").expect("hormonal therapy");
        t.glance_for[0].sites = vec!["net".into()];
        t.glance_for.push(Glance { sites: Vec::new(), ..t.glance_for[0].clone() });
        if let Some(g) = t.glance.as_mut() {
            g.sites = vec!["breast".into()];
        }
        let errs = errors_for(&kb);
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("\"net\"")) && errs.iter().any(|e| e.contains("names the primary sites")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("general [glance]")), "{errs:?}");
    }
}
