//! Cohort counts: how many cases got each suitability for each treatment,
//! overall and by primary site, and their JSON, CSV and SVG renderings.
//!
//! A [`Tally`] has a fixed size (16 sites × 9 treatments × 4 suitabilities), so
//! counting never grows with the input. Tallies of chunks are added together
//! in any order and give the same totals, so the summary is deterministic
//! whatever the thread count.

use std::fmt::Write as _;

use hepatica_engine::{Decisions, PrimarySite, Suitability};
use hepatica_knowledge::{Knowledge, TREATMENT_IDS};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

const SITES: usize = 16;
const TREATMENTS: usize = 9;
const LEVELS: usize = 4;

/// Suitability counts for one group of cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupTally {
    /// Valid cases in the group.
    pub cases: u64,
    /// `counts[treatment][suitability]`, both in contract order
    /// ([`TREATMENT_IDS`], [`Suitability::ALL`]).
    pub counts: [[u64; LEVELS]; TREATMENTS],
}

impl GroupTally {
    fn add(&mut self, other: &GroupTally) {
        self.cases += other.cases;
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
    }

    /// The count of one treatment at one suitability.
    pub fn count(&self, treatment: &str, level: Suitability) -> u64 {
        match (treatment_index(treatment), level_index(level)) {
            (Some(t), l) => self.counts[t][l],
            (None, _) => 0,
        }
    }
}

/// Counts for a whole batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    /// Valid lines (or patients).
    pub valid: u64,
    /// Invalid lines (or patients).
    pub invalid: u64,
    /// Blank lines skipped (counted in line numbers, not in `total`).
    pub blank: u64,
    /// Whether suitabilities were counted (false with `--validate-only`).
    pub assessed: bool,
    /// All valid cases.
    pub overall: GroupTally,
    /// Valid cases by primary site, in [`PrimarySite::ALL`] order.
    pub by_site: [GroupTally; SITES],
}

fn treatment_index(id: &str) -> Option<usize> {
    TREATMENT_IDS.iter().position(|t| *t == id)
}

fn level_index(s: Suitability) -> usize {
    Suitability::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

fn site_index(s: PrimarySite) -> usize {
    PrimarySite::ALL.iter().position(|x| *x == s).unwrap_or(SITES - 1)
}

impl Tally {
    /// Valid plus invalid.
    pub fn total(&self) -> u64 {
        self.valid + self.invalid
    }

    /// Counts a valid case that was not assessed.
    pub fn add_valid(&mut self, site: PrimarySite) {
        self.valid += 1;
        self.overall.cases += 1;
        self.by_site[site_index(site)].cases += 1;
    }

    /// Counts a valid, assessed case.
    pub fn add_decisions(&mut self, site: PrimarySite, a: &Decisions) {
        self.add_valid(site);
        let s = site_index(site);
        for o in &a.options {
            if let Some(t) = treatment_index(o.treatment) {
                let l = level_index(o.suitability);
                self.overall.counts[t][l] += 1;
                self.by_site[s].counts[t][l] += 1;
            }
        }
    }

    /// Counts an invalid line.
    pub fn add_invalid(&mut self) {
        self.invalid += 1;
    }

    /// Adds another tally into this one.
    pub fn add(&mut self, other: &Tally) {
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.blank += other.blank;
        self.overall.add(&other.overall);
        for (mine, theirs) in self.by_site.iter_mut().zip(&other.by_site) {
            mine.add(theirs);
        }
    }

    /// The tally of one primary site.
    pub fn site(&self, site: PrimarySite) -> &GroupTally {
        &self.by_site[site_index(site)]
    }

    /// The summary JSON (pretty, with a final newline).
    pub fn to_json(&self, kb: &Knowledge) -> String {
        let doc = SummaryDoc { tally: self, kb };
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The summary as CSV: one row per group and treatment.
    ///
    /// Columns: `primary_site` (`all` for the whole batch), `cases`, `treatment`,
    /// then the four suitabilities. With `--validate-only` the treatment
    /// columns are empty and there is one row per group.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("primary_site,cases,treatment,usual,possible,depends,unlikely\n");
        let mut group = |name: &str, g: &GroupTally| {
            if self.assessed {
                for (t, id) in TREATMENT_IDS.iter().enumerate() {
                    let c = g.counts[t];
                    let _ = writeln!(s, "{name},{},{id},{},{},{},{}", g.cases, c[0], c[1], c[2], c[3]);
                }
            } else {
                let _ = writeln!(s, "{name},{},,,,,", g.cases);
            }
        };
        group("all", &self.overall);
        for site in PrimarySite::ALL {
            let g = self.site(*site);
            if g.cases > 0 {
                group(site.as_str(), g);
            }
        }
        s
    }
}

struct SummaryDoc<'a> {
    tally: &'a Tally,
    kb: &'a Knowledge,
}

struct GroupDoc<'a> {
    group: &'a GroupTally,
    assessed: bool,
}

struct TreatmentsDoc<'a>(&'a GroupTally);

struct LevelsDoc<'a>(&'a [u64; LEVELS]);

impl Serialize for SummaryDoc<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = self.tally;
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("knowledge_base", &hepatica_engine::KbStamp::of(self.kb))?;
        m.serialize_entry("assessed", &t.assessed)?;
        m.serialize_entry("total", &t.total())?;
        m.serialize_entry("valid", &t.valid)?;
        m.serialize_entry("invalid", &t.invalid)?;
        m.serialize_entry("blank_lines", &t.blank)?;
        m.serialize_entry("overall", &GroupDoc { group: &t.overall, assessed: t.assessed })?;
        m.serialize_entry("by_primary_site", &BySite(t))?;
        m.end()
    }
}

struct BySite<'a>(&'a Tally);

impl Serialize for BySite<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(None)?;
        for site in PrimarySite::ALL {
            let g = self.0.site(*site);
            if g.cases > 0 {
                m.serialize_entry(site.as_str(), &GroupDoc { group: g, assessed: self.0.assessed })?;
            }
        }
        m.end()
    }
}

impl Serialize for GroupDoc<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("cases", &self.group.cases)?;
        if self.assessed {
            m.serialize_entry("treatments", &TreatmentsDoc(self.group))?;
        }
        m.end()
    }
}

impl Serialize for TreatmentsDoc<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(TREATMENTS))?;
        for (t, id) in TREATMENT_IDS.iter().enumerate() {
            m.serialize_entry(id, &LevelsDoc(&self.0.counts[t]))?;
        }
        m.end()
    }
}

impl Serialize for LevelsDoc<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(LEVELS))?;
        for (l, level) in Suitability::ALL.iter().enumerate() {
            m.serialize_entry(level.as_str(), &self.0[l])?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_tallies_is_order_free() {
        let mut a = Tally { assessed: true, ..Tally::default() };
        a.add_valid(PrimarySite::Bowel);
        a.overall.counts[1][0] += 1;
        a.add_invalid();
        let mut b = Tally { assessed: true, ..Tally::default() };
        b.add_valid(PrimarySite::Lung);
        let mut ab = a.clone();
        ab.add(&b);
        let mut ba = b.clone();
        ba.add(&a);
        assert_eq!(ab.overall, ba.overall);
        assert_eq!(ab.total(), 3);
        assert_eq!(ab.site(PrimarySite::Lung).cases, 1);
    }

    #[test]
    fn csv_has_a_row_per_group_and_treatment() {
        let mut t = Tally { assessed: true, ..Tally::default() };
        t.add_valid(PrimarySite::Breast);
        let csv = t.to_csv();
        assert_eq!(csv.lines().count(), 1 + 9 * 2);
        assert!(csv.contains("\nbreast,1,surgery,0,0,0,0\n"));
        let v = Tally { assessed: false, ..t };
        assert_eq!(v.to_csv().lines().count(), 3);
    }
}
