//! Clinical sign-off: who signed which item off, and how much of a release is
//! covered.
//!
//! `reviewers.toml` lists the people who may sign items off (`[[reviewer]]`:
//! id, name, role, organisation, optional registration). An item records its
//! sign-offs beside its review dates, `signoff = [{ reviewer = "id", on =
//! 2026-12-01, release = "2026.12.0" }]` (`content/README.md`, "Sign-off").
//! Both are optional, so a release without them (2026.11.0) loads unchanged;
//! its items count as "sign-off pending". `kb check` reports the coverage and
//! `kb check --require-signoff` fails while any item lacks a record.

//!
//! The free-text `reviewers` list of a `[review]` names no person: its only
//! accepted value is [`CONTENT_TEAM`] (or [`CONTENT_TEAM_SIGNED`]), and
//! `kb check` fails on any other entry (a named person must be registered in
//! `reviewers.toml` and sign off with a record). Pages show a person's name
//! only from a sign-off record ([`latest`]), and the team otherwise
//! ([`team_line`]). A sign-off's `release` must be a version this program
//! has or the knowledge base's own.

use crate::check::Diagnostic;
use crate::{Date, Knowledge, ReviewOverride, Reviewer, SignOff};

/// Every item that can be signed off: (collection, id, review fields).
pub fn items(kb: &Knowledge) -> Vec<(&'static str, &str, &ReviewOverride)> {
    let mut out: Vec<(&'static str, &str, &ReviewOverride)> = Vec::new();
    out.extend(kb.sources.iter().map(|x| ("sources", x.id.as_str(), &x.review)));
    out.extend(kb.statements.iter().map(|x| ("statements", x.id.as_str(), &x.review)));
    out.extend(kb.thresholds.iter().map(|x| ("thresholds", x.id.as_str(), &x.review)));
    out.extend(kb.treatments.iter().map(|x| ("treatments", x.id.as_str(), &x.review)));
    out.extend(kb.glossary.iter().map(|x| ("glossary", x.id.as_str(), &x.review)));
    out.extend(kb.drugs.iter().map(|x| ("drugs", x.id.as_str(), &x.review)));
    out.extend(kb.faqs.iter().map(|x| ("faq", x.id.as_str(), &x.review)));
    out.extend(kb.support.iter().map(|x| ("support", x.id.as_str(), &x.review)));
    out.extend(kb.red_flags.iter().map(|x| ("urgent", x.id.as_str(), &x.review)));
    if let Some(u) = &kb.urgent {
        out.push(("urgent", "urgent_help", &u.review));
    }
    out
}

/// How much of a knowledge base is signed off.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// Items that can be signed off.
    pub items: usize,
    /// Items with at least one sign-off record.
    pub signed: usize,
    /// Items with a sign-off record for this release's version.
    pub signed_for_this_release: usize,
    /// `collection/id` of every item without a record.
    pub missing: Vec<String>,
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} items signed off ({} for this release); {} pending",
            self.signed,
            self.items,
            self.signed_for_this_release,
            self.missing.len()
        )
    }
}

/// The content team, while no clinician has signed an item off: the only
/// free-text reviewer a content file may give.
pub const CONTENT_TEAM: &str = "Hepatica content team (clinical sign-off pending)";
/// The content team as pages name it beside a sign-off record.
pub const CONTENT_TEAM_SIGNED: &str = "Hepatica content team";

/// Who a page says last reviewed an item: the team, and "(clinical sign-off
/// pending)" only while it has no sign-off record by a listed reviewer
/// (never a free-text name: see the module doc).
pub fn team_line(kb: &Knowledge, review: &ReviewOverride) -> &'static str {
    if latest(kb, review).is_some() { CONTENT_TEAM_SIGNED } else { CONTENT_TEAM }
}

/// Counts sign-off records.
pub fn coverage(kb: &Knowledge) -> Coverage {
    let all = items(kb);
    let missing: Vec<String> = all.iter().filter(|(_, _, r)| r.signoff.is_empty()).map(|(c, id, _)| format!("{c}/{id}")).collect();
    let this = all.iter().filter(|(_, _, r)| r.signoff.iter().any(|s| s.release == kb.meta.version)).count();
    Coverage { items: all.len(), signed: all.len() - missing.len(), signed_for_this_release: this, missing }
}

/// The latest sign-off of an item whose reviewer is listed, with that reviewer:
/// what a page may show as "Reviewed by NAME, ROLE on DATE".
pub fn latest<'a>(kb: &'a Knowledge, review: &'a ReviewOverride) -> Option<(&'a SignOff, &'a Reviewer)> {
    review.signoff.iter().filter_map(|s| kb.reviewer(&s.reviewer).map(|r| (s, r))).max_by_key(|(s, _)| s.on)
}

/// Problems with reviewers and sign-off records: unknown reviewer ids, a
/// repeated reviewer id, empty fields, a sign-off dated after `today` or for
/// a release that is neither this one nor one this program has, and a
/// free-text reviewer that is not the content team.
pub fn problems(kb: &Knowledge, today: Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &kb.reviewers {
        if !seen.insert(r.id.as_str()) {
            out.push(Diagnostic::error("reviewers.toml", &r.id, "id", "a second reviewer with this id"));
        }
        for (field, value) in [("id", &r.id), ("name", &r.name), ("role", &r.role), ("organisation", &r.organisation)] {
            if value.trim().is_empty() {
                out.push(Diagnostic::error("reviewers.toml", &r.id, field, "expected a non-empty value"));
            }
        }
    }
    let free_text = |collection: &str, id: &str, names: &[String], out: &mut Vec<Diagnostic>| {
        for name in names.iter().filter(|n| n.as_str() != CONTENT_TEAM && n.as_str() != CONTENT_TEAM_SIGNED) {
            out.push(Diagnostic::error(
                collection,
                id,
                "reviewers",
                format!(
                    "{name:?} is not the content team: a named person must be listed in reviewers.toml and sign off with a signoff record; the free-text reviewers list may only hold {CONTENT_TEAM:?}"
                ),
            ));
        }
    };
    free_text("kb.toml", "", &kb.meta.review.reviewers, &mut out);
    let known_releases = Knowledge::versions();
    for (collection, id, review) in items(kb) {
        if let Some(names) = &review.reviewers {
            free_text(collection, id, names, &mut out);
        }
        for s in &review.signoff {
            let release = s.release.trim();
            if !release.is_empty() && release != kb.meta.version && !known_releases.contains(&release) {
                out.push(Diagnostic::error(
                    collection,
                    id,
                    "signoff",
                    format!("release {release:?} is not a release: expected {} or one of {}", kb.meta.version, known_releases.join(", ")),
                ));
            }
            if kb.reviewer(&s.reviewer).is_none() {
                let known: Vec<&str> = kb.reviewers.iter().map(|r| r.id.as_str()).collect();
                let expected = if known.is_empty() {
                    "reviewers.toml lists no one".to_string()
                } else {
                    format!("expected one of {}", known.join(", "))
                };
                out.push(Diagnostic::error(collection, id, "signoff", format!("unknown reviewer {:?}; {expected}", s.reviewer)));
            }
            if s.on > today {
                out.push(Diagnostic::error(collection, id, "signoff", format!("signed off on {} which is after today ({today})", s.on)));
            }
            if s.release.trim().is_empty() {
                out.push(Diagnostic::error(collection, id, "signoff", "expected the release the sign-off is for"));
            }
        }
    }
    out
}
