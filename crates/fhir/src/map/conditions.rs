//! Conditions: primary and secondary cancers, body sites, which primary is
//! used, and why a Condition was not.
//!
//! A Condition is read from its codes (SNOMED CT, ICD-10 under any system
//! URI, ICD-O-3), then from a generic cancer code plus its body site and
//! mCODE histology, and only as a last resort from its text. Every
//! Condition that is not used is remembered with the reason, so that a
//! record without a usable primary is refused with the whole story.

use super::*;

/// A Condition that was seen and not used, with why.
pub(super) struct Seen {
    pub(super) pointer: String,
    pub(super) label: String,
    pub(super) reason: String,
}

/// The primary chosen, and the liver secondaries (indices into the kept Conditions).
pub(super) struct Primary {
    pub(super) chosen: usize,
    pub(super) site: PrimarySite,
    pub(super) side: Option<BowelSide>,
    pub(super) livers: Vec<usize>,
}

/// Where a body site places a cancer.
pub(super) enum BodySiteKind {
    Liver,
    Spread(Spread),
}

/// The morphology kinds that decide a contract site on their own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Morph {
    Melanoma,
    Gist,
    Neuroendocrine,
}

impl Morph {
    fn parse(s: &str) -> Option<Morph> {
        match s {
            "melanoma" => Some(Morph::Melanoma),
            "gist" => Some(Morph::Gist),
            "neuroendocrine" => Some(Morph::Neuroendocrine),
            _ => None,
        }
    }
}

/// A body-site name (`body_site:<name>`) as a place cancer has spread to.
pub(super) fn body_site_kind(s: &str) -> Option<BodySiteKind> {
    if s == "liver" {
        return Some(BodySiteKind::Liver);
    }
    Some(BodySiteKind::Spread(Spread::parse(s).unwrap_or(Spread::Other)))
}

/// A body-site name as the place a cancer started, refined by its morphology.
fn primary_at(s: &str, morph: Option<Morph>) -> (Option<PrimarySite>, Option<BowelSide>) {
    match morph {
        Some(Morph::Gist) => return (Some(PrimarySite::Gist), None),
        Some(Morph::Neuroendocrine) => return (Some(PrimarySite::Neuroendocrine), None),
        Some(Morph::Melanoma) if s == "uvea" => return (Some(PrimarySite::UvealMelanoma), None),
        Some(Morph::Melanoma) => return (Some(PrimarySite::Melanoma), None),
        None => {}
    }
    if s == "liver" {
        return (None, None);
    }
    let (site, side) = match s.split_once(':') {
        Some((a, b)) => (a, BowelSide::parse(b)),
        None => (s, None),
    };
    (Some(PrimarySite::parse(site).unwrap_or(PrimarySite::Other)), side)
}

/// Words that make a Condition's text something other than a cancer diagnosis.
const NOT_A_DIAGNOSIS: &[&str] = &[
    "suspected",
    "history of",
    "family history",
    "screening",
    "benign",
    "in situ",
    "polyp",
    "risk of",
    "rule out",
    "no evidence",
    "fear of",
    "referral",
];

/// Words that say a text is about a cancer.
const CANCER_WORDS: &[&str] = &[
    "cancer",
    "carcinoma",
    "malignan",
    "neoplasm",
    "tumour",
    "tumor",
    "melanoma",
    "sarcoma",
    "metasta",
    "carcinoid",
    "neuroendocrine",
    "gist",
];

/// Words that, before a site, make it the place the cancer spread to.
const SECONDARY_WORDS: &[&str] = &[
    "secondary",
    "secondaries",
    "metastasis to",
    "metastases to",
    "metastatic to",
    "metastasis in",
    "metastases in",
    "deposits in",
    "spread to",
    "metastatic malignant neoplasm to",
];

impl Mapper<'_> {
    pub(super) fn condition(&mut self, i: usize, e: &Entry, c: &Condition, out: &mut Vec<CondFact>, seen: &mut Vec<Seen>) {
        let label_of = |c: &Condition| c.code.as_ref().map(concept_label).unwrap_or_else(|| "(no code)".into());
        let mut not_used = |m: &mut Mapper<'_>, reason: String, warn: bool| {
            if warn {
                m.warn(&e.pointer, format!("Condition {}: {reason}; not used", label_of(c)));
            }
            seen.push(Seen { pointer: e.pointer.clone(), label: label_of(c), reason });
        };
        let vs = c.verification_status.as_ref().and_then(|v| v.coding.iter().find_map(|x| x.code.clone()));
        if let Some(v) = vs.as_deref()
            && matches!(v, "refuted" | "entered-in-error")
        {
            not_used(self, format!("verificationStatus is {v}"), true);
            return;
        }
        let Some(code) = &c.code else {
            not_used(self, "it has no code".into(), true);
            return;
        };
        let morph = self.morphology(c);
        let hits = self.lookup_all(code);
        if hits.is_empty() && self.facets_of(code).iter().any(|h| matches!(h.target, Target::Finding(_))) {
            // A finding (ascites, jaundice, ...), not a cancer: read with the patient's other facts.
            return;
        }
        let mut kinds: Vec<(CondKind, String)> = Vec::new();
        for (coding, hit) in &hits {
            let k = match &hit.target {
                Target::Primary(s, side) => CondKind::Primary(*s, *side),
                Target::LiverSecondary => CondKind::LiverSecondary,
                Target::Spread(s) => CondKind::Spread(*s),
                Target::Observation(n) if n == "secondary_by_body_site" => match self.body_site_name(&c.body_site) {
                    Some(name) => match body_site_kind(&name) {
                        Some(BodySiteKind::Liver) => CondKind::LiverSecondary,
                        Some(BodySiteKind::Spread(s)) => CondKind::Spread(s),
                        None => continue,
                    },
                    None => {
                        not_used(self, format!("{}: a secondary cancer without a body site Hepatica knows", coding_label(coding)), true);
                        continue;
                    }
                },
                Target::Observation(n) if n == "primary_by_body_site" => {
                    let behaviour_metastatic = self.morphology_behaviour(c) == Some('6');
                    match (self.body_site_name(&c.body_site), morph) {
                        (Some(name), _) if behaviour_metastatic => match body_site_kind(&name) {
                            Some(BodySiteKind::Liver) => CondKind::LiverSecondary,
                            Some(BodySiteKind::Spread(s)) => CondKind::Spread(s),
                            None => continue,
                        },
                        (Some(name), m) => {
                            let (s, side) = primary_at(&name, m);
                            CondKind::Primary(s, side)
                        }
                        (None, Some(m)) => {
                            let (s, side) = primary_at("other", Some(m));
                            CondKind::Primary(s, side)
                        }
                        (None, None) => {
                            not_used(
                                self,
                                format!(
                                    "{}: a cancer code that does not say where it started, with no body site or histology Hepatica knows",
                                    coding_label(coding)
                                ),
                                true,
                            );
                            continue;
                        }
                    }
                }
                Target::Unmapped(why) => {
                    not_used(self, format!("{}: {why}", coding_label(coding)), true);
                    continue;
                }
                other => {
                    not_used(self, format!("{}: this code is not a diagnosis ({other:?})", coding_label(coding)), true);
                    continue;
                }
            };
            kinds.push((k, coding_label(coding)));
        }
        if hits.is_empty() {
            let label = concept_label(code);
            let bad_ids: Vec<&str> = code
                .coding
                .iter()
                .filter(|c| c.system.as_deref() == Some(crate::codes::SNOMED))
                .filter_map(|c| c.code.as_deref())
                .filter(|c| !crate::codes::verhoeff_ok(c))
                .collect();
            if !bad_ids.is_empty() {
                self.warn(
                        &e.pointer,
                        format!(
                            "Condition {label}: {} is not a valid SNOMED CT identifier (its check digit is wrong: mistyped or not a real code); the code is not used",
                            bad_ids.join(", ")
                        ),
                    );
            }
            // Last resort: the text. Always reported, with the text matched.
            match self.condition_from_text(code, morph) {
                Some((k, matched)) => {
                    let what = match k {
                        CondKind::Primary(Some(s), _) => format!("a primary cancer of the {}", s.as_str().replace('_', " ")),
                        CondKind::Primary(None, _) => "a primary liver cancer".to_string(),
                        CondKind::LiverSecondary => "a secondary cancer in the liver".to_string(),
                        CondKind::Spread(s) => format!("a secondary cancer in the {}", s.as_str().replace('_', " ")),
                    };
                    self.warn(
                        &e.pointer,
                        format!(
                            "Condition {}: no code Hepatica knows; read from its text {matched:?} as {what} (last-resort text match: check the record's coding)",
                            concept_label(code)
                        ),
                    );
                    kinds.push((k, concept_label(code)));
                }
                None => {
                    let label = concept_label(code);
                    let words = code.words();
                    if [
                        "biliary obstruction",
                        "bile duct obstruction",
                        "obstruction of bile duct",
                        "obstructive jaundice",
                        "biliary stricture",
                    ]
                    .iter()
                    .any(|k| words.contains(k))
                    {
                        // Not a cancer code: say honestly what to do instead.
                        self.warn(
                            &e.pointer,
                            format!("Condition {label}: biliary obstruction is not read from codes yet; give liver_function.biliary_obstruction (the Hepatica case field urn:hepatica:case|biliary_obstruction); not used"),
                        );
                        seen.push(Seen {
                            pointer: e.pointer.clone(),
                            label,
                            reason: "biliary obstruction is not read from codes yet".into(),
                        });
                        return;
                    }
                    self.group(
                        format!("Condition|{label}"),
                        || format!("Condition {label}: not a cancer code Hepatica knows (SNOMED CT, ICD-10 or ICD-O-3 in content/codes); not used"),
                        &e.pointer,
                    );
                    seen.push(Seen { pointer: e.pointer.clone(), label, reason: "not a cancer code Hepatica knows".into() });
                    return;
                }
            }
        }
        let Some((first, first_label)) = kinds.first().cloned() else { return };
        // Merge agreeing codings (a SNOMED site plus an ICD-10 code with a side).
        let mut kind = first;
        for (k, label) in &kinds[1..] {
            match (kind, *k) {
                (CondKind::Primary(a, None), CondKind::Primary(b, Some(s))) if a == b => kind = CondKind::Primary(a, Some(s)),
                (CondKind::Primary(a, _), CondKind::Primary(b, _)) if a == b => {}
                (x, y) if x == y => {}
                _ => self.warn(
                    &e.pointer,
                    format!("conflicting codes in one Condition: {first_label} and {label} mean different things; used {first_label} (the first coding)"),
                ),
            }
        }
        let clinical = c.clinical_status.as_ref().and_then(|v| v.coding.iter().find_map(|x| x.code.clone()));
        let resolved = clinical.as_deref() == Some("resolved");
        if let Some(cs) = clinical.as_deref()
            && matches!(cs, "resolved" | "inactive" | "remission")
        {
            let note = if matches!(kind, CondKind::Primary(..)) {
                "still read as where the cancer started"
            } else {
                "still counted, as the record lists it"
            };
            self.warn(&e.pointer, format!("{first_label}: clinicalStatus is {cs}; {note}"));
        }
        let onset_text = c.onset_date_time.clone().or_else(|| c.onset_period.as_ref().and_then(|p| p.start.clone()));
        let onset = onset_text.as_deref().and_then(epoch_seconds);
        let related = c
            .extension
            .iter()
            .filter(|x| {
                x.url.as_deref().is_some_and(|u| u.ends_with("condition-related") || u.ends_with("mcode-related-primary-cancer-condition"))
            })
            .filter_map(|x| x.value_reference.as_ref().and_then(|r| r.reference.clone()))
            .collect();
        out.push(CondFact { kind, pointer: e.pointer.clone(), label: first_label, onset, entry: i, related, resolved });
    }

    /// The mCODE histology (`mcode-histology-morphology-behavior`), when it decides a site.
    fn morphology(&self, c: &Condition) -> Option<Morph> {
        c.extension
            .iter()
            .filter(|x| x.url.as_deref().is_some_and(|u| u.ends_with("mcode-histology-morphology-behavior")))
            .filter_map(|x| x.value_codeable_concept.as_ref())
            .flat_map(|cc| self.lookup_all(cc))
            .find_map(|(_, h)| match &h.target {
                Target::Morphology(m) => Morph::parse(m),
                _ => None,
            })
    }

    /// The ICD-O-3 behaviour digit (`8140/6` gives `6`) of the histology extension.
    fn morphology_behaviour(&self, c: &Condition) -> Option<char> {
        c.extension
            .iter()
            .filter(|x| x.url.as_deref().is_some_and(|u| u.ends_with("mcode-histology-morphology-behavior")))
            .filter_map(|x| x.value_codeable_concept.as_ref())
            .flat_map(|cc| cc.coding.iter())
            .filter_map(|c| c.code.as_deref())
            .find_map(|code| code.split_once('/').and_then(|(_, b)| b.chars().next()))
    }

    /// The body-site name of the first body site Hepatica knows (codes first, then text).
    pub(super) fn body_site_name(&self, sites: &[CodeableConcept]) -> Option<String> {
        for cc in sites {
            for (_, h) in self.lookup_all(cc) {
                if let Target::BodySite(s) = &h.target {
                    return Some(s.clone());
                }
            }
        }
        for cc in sites {
            if let Some((name, _)) = self.site_in_text(&cc.words()) {
                return Some(name);
            }
        }
        None
    }

    pub(super) fn body_site_of(&self, sites: &[CodeableConcept]) -> Option<BodySiteKind> {
        self.body_site_name(sites).and_then(|n| body_site_kind(&n))
    }

    /// The first site keyword in `text` (longest keywords first): `(body site name, keyword)`.
    fn site_in_text(&self, text: &str) -> Option<(String, String)> {
        let padded = format!(" {} ", text.to_lowercase().replace(|c: char| !c.is_alphanumeric(), " "));
        let mut best: Option<(usize, usize, String, String)> = None;
        for (kw, h) in self.table.text_rows() {
            let Target::BodySite(name) = &h.target else { continue };
            if let Some(pos) = padded.find(&format!(" {kw} ")) {
                let better = match &best {
                    None => true,
                    Some((p, len, _, _)) => pos < *p || (pos == *p && kw.len() > *len),
                };
                if better {
                    best = Some((pos, kw.len(), name.clone(), kw.to_string()));
                }
            }
        }
        best.map(|(_, _, n, k)| (n, k))
    }

    /// A morphology named in `text` (`melanoma`, `gastrointestinal stromal`, `carcinoid`, ...).
    fn morphology_in_text(&self, text: &str) -> Option<Morph> {
        let padded = format!(" {} ", text.to_lowercase().replace(|c: char| !c.is_alphanumeric(), " "));
        self.table.text_rows().find_map(|(kw, h)| match &h.target {
            Target::Morphology(m) if padded.contains(&format!(" {kw} ")) => Morph::parse(m),
            _ => None,
        })
    }

    /// Last resort: a cancer diagnosis read from `code.text` and the displays.
    fn condition_from_text(&self, code: &CodeableConcept, morph: Option<Morph>) -> Option<(CondKind, String)> {
        let texts: Vec<String> = code.text.iter().cloned().chain(code.coding.iter().filter_map(|c| c.display.clone())).collect();
        for text in texts {
            let t = text.to_lowercase();
            if NOT_A_DIAGNOSIS.iter().any(|w| t.contains(w)) || !CANCER_WORDS.iter().any(|w| t.contains(w)) {
                continue;
            }
            let morph = morph.or_else(|| self.morphology_in_text(&t));
            let site = self.site_in_text(&t);
            let secondary_at = SECONDARY_WORDS.iter().filter_map(|w| t.find(w)).min();
            let kind = match (&site, secondary_at) {
                (Some((name, kw)), Some(at)) if t.find(kw.as_str()).is_some_and(|p| p > at) => match body_site_kind(name)? {
                    BodySiteKind::Liver => CondKind::LiverSecondary,
                    BodySiteKind::Spread(s) => CondKind::Spread(s),
                },
                (_, Some(_)) => continue,
                (Some((name, _)), None) => {
                    let (s, side) = primary_at(name, morph);
                    CondKind::Primary(s, side)
                }
                (None, None) => match morph {
                    Some(m) => {
                        let (s, side) = primary_at("other", Some(m));
                        CondKind::Primary(s, side)
                    }
                    None => continue,
                },
            };
            return Some((kind, text));
        }
        None
    }

    /// Chooses the primary cancer, or refuses the record explaining every Condition seen.
    pub(super) fn choose_primary(&mut self, entries: &[Entry], conds: &[CondFact], seen: &[Seen]) -> Result<Primary, Vec<FieldError>> {
        let all_primaries: Vec<usize> = (0..conds.len()).filter(|&i| matches!(conds[i].kind, CondKind::Primary(..))).collect();
        let livers: Vec<usize> = (0..conds.len()).filter(|&i| conds[i].kind == CondKind::LiverSecondary).collect();
        let any_secondary = conds.iter().any(|c| !matches!(c.kind, CondKind::Primary(..)));
        // A primary marked resolved counts only when no other primary is active and a secondary cancer is recorded.
        let active: Vec<usize> = all_primaries.iter().copied().filter(|&i| !conds[i].resolved).collect();
        let (primaries, resolved_out) = if !active.is_empty() {
            (active, Vec::new())
        } else if any_secondary {
            (all_primaries.clone(), Vec::new())
        } else {
            (Vec::new(), all_primaries.clone())
        };
        if primaries.is_empty() {
            self.cancer_seen = !conds.is_empty() || !resolved_out.is_empty();
            return Err(self.refusal(conds, seen, &resolved_out));
        }
        let linked: Vec<usize> = livers
            .iter()
            .flat_map(|&l| conds[l].related.iter())
            .filter_map(|r| primaries.iter().copied().find(|&p| entries[conds[p].entry].is_target_of(r)))
            .collect();
        let chosen = match linked.first() {
            Some(&i) => i,
            None => {
                let mut best = primaries[0];
                for &p in &primaries {
                    if conds[p].onset.unwrap_or(i64::MIN) > conds[best].onset.unwrap_or(i64::MIN) {
                        best = p;
                    }
                }
                best
            }
        };
        let CondKind::Primary(site, mut side) = conds[chosen].kind else { unreachable!("filtered to primaries") };
        let why = if !linked.is_empty() {
            "the one the secondary liver cancer is linked to"
        } else if conds[chosen].onset.is_some() {
            "the most recently diagnosed"
        } else {
            "the first in the record"
        };
        let name = |s: Option<PrimarySite>| s.map(|x| x.as_str().to_string()).unwrap_or_else(|| "liver (primary liver cancer)".into());
        for &p in &primaries {
            let CondKind::Primary(s, sd) = conds[p].kind else { continue };
            if s != site {
                self.warn(
                    &conds[p].pointer,
                    format!(
                        "conflicting primary cancers: this Condition says {} ({}), {} says {} ({}); used {}, {why}",
                        name(s),
                        conds[p].label,
                        conds[chosen].pointer,
                        name(site),
                        conds[chosen].label,
                        name(site)
                    ),
                );
            } else if let (Some(a), Some(b)) = (side, sd)
                && a != b
            {
                self.warn(
                    &conds[p].pointer,
                    format!("conflicting bowel sides: this Condition says {b}, another says {a}; bowel_side left unknown"),
                );
                side = None;
                break;
            } else if side.is_none() && sd.is_some() && p == chosen {
                side = sd;
            }
        }
        if side.is_none() {
            // Take a side from any agreeing primary of the same site.
            let sides: BTreeSet<BowelSide> = primaries
                .iter()
                .filter_map(|&p| if let CondKind::Primary(s, Some(sd)) = conds[p].kind { (s == site).then_some(sd) } else { None })
                .collect();
            if sides.len() == 1 {
                side = sides.into_iter().next();
            }
        }
        let Some(site) = site else {
            // Primary liver cancer is outside Hepatica's scope: refused, and no CDS card.
            self.cancer_seen = false;
            return Err(vec![FieldError {
                pointer: conds[chosen].pointer.clone(),
                detail: format!(
                    "expected a cancer that has spread to the liver from elsewhere, got primary liver cancer ({}); Hepatica covers secondary liver cancer only",
                    conds[chosen].label
                ),
            }]);
        };
        Ok(Primary { chosen, site, side, livers })
    }

    /// The refusal when no primary can be used: one line for the record, then
    /// one per Condition seen, each with why it was not used.
    fn refusal(&self, conds: &[CondFact], seen: &[Seen], resolved: &[usize]) -> Vec<FieldError> {
        const SHOWN: usize = 40;
        let mut lines: Vec<(String, String)> = Vec::new();
        for c in conds {
            let why = match c.kind {
                CondKind::Primary(..) if resolved.iter().any(|&r| std::ptr::eq(&conds[r], c)) => {
                    "a primary cancer marked resolved, with no secondary cancer recorded".to_string()
                }
                CondKind::Primary(..) => continue,
                CondKind::LiverSecondary => {
                    "a secondary cancer in the liver: it says where the cancer spread, not where it started".to_string()
                }
                CondKind::Spread(s) => {
                    format!("a secondary cancer ({}): it says where the cancer spread, not where it started", s.as_str().replace('_', " "))
                }
            };
            lines.push((c.pointer.clone(), format!("Condition {}: {why}", c.label)));
        }
        for s in seen {
            lines.push((s.pointer.clone(), format!("Condition {}: {}", s.label, s.reason)));
        }
        lines.sort_by_key(|(p, _)| pointer_order(p));
        let secondary_only = conds.iter().any(|c| !matches!(c.kind, CondKind::Primary(..)));
        let head = if lines.is_empty() {
            "expected a Condition coding a primary cancer (SNOMED CT, ICD-10 or ICD-O-3), got no Condition at all; Hepatica cannot tell where the cancer started".to_string()
        } else if secondary_only {
            format!(
                "expected a Condition coding a primary cancer (where the cancer started) alongside the secondary cancer, got no usable primary among {} (each listed with why it was not used); if the primary is unknown, record it as such (ICD-10 C80)",
                conditions(lines.len())
            )
        } else {
            format!(
                "expected a Condition coding a primary cancer (SNOMED CT, ICD-10 or ICD-O-3), got no usable primary among {} (each listed with why it was not used)",
                conditions(lines.len())
            )
        };
        let mut out = vec![FieldError { pointer: self.root.clone(), detail: head }];
        let n = lines.len();
        out.extend(lines.into_iter().take(SHOWN).map(|(pointer, detail)| FieldError { pointer, detail }));
        if n > SHOWN {
            out.push(FieldError { pointer: self.root.clone(), detail: format!("…and {} more Conditions not used", n - SHOWN) });
        }
        out
    }
}

fn conditions(n: usize) -> String {
    if n == 1 { "1 Condition".into() } else { format!("{n} Conditions") }
}
