//! What changed between two releases (`hepatica kb diff`, `/about/changes`).
//!
//! The diff works on content files, not on the loaded model, so it sees
//! exactly what a curator changed (a statement's wording with its
//! `{threshold}` placeholders, a rule's criterion, a page section). Every
//! array-of-tables record with an `id` (statements, sources, thresholds,
//! drugs, glossary terms, questions, ...) is matched by its kind and id across
//! files, so moving a record between files is not a change. A rules file
//! gives one record per criterion (`<treatment>/<criterion id>`), one per
//! base level (`<treatment>/base <sites>`) and one for its settings; a
//! treatment page is one record whose fields are its top-level keys and its
//! sections (`sections.<id>`). Fields compare by their TOML value.

use std::collections::BTreeMap;

use serde::Serialize;

/// One record's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Record id (for rules `<treatment>/<criterion id>`, for other records `<kind>:<id>`).
    pub id: String,
    /// `added`, `removed` or `changed`.
    pub change: ChangeKind,
    /// The fields that differ (empty for added and removed records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// The record's `description` (thresholds), from the newer release when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// New in the newer release.
    Added,
    /// Gone from the newer release.
    Removed,
    /// In both, with different fields.
    Changed,
}

/// One field's old and new value (TOML text; absent when the field is new or gone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Field name (`patient`, `clinician`, `sources`, `value`, `sections.<id>`, ...).
    pub field: String,
    /// The older value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The newer value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// Everything that changed from one release to another, by area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KbDiff {
    /// The older version.
    pub from: String,
    /// The newer version.
    pub to: String,
    /// Statements added, removed or reworded (`patient`, `clinician`) or re-sourced (`sources`).
    pub statements: Vec<Change>,
    /// Sources.
    pub sources: Vec<Change>,
    /// Thresholds (`value` is the number).
    pub thresholds: Vec<Change>,
    /// Rules, by treatment and criterion.
    pub rules: Vec<Change>,
    /// Drugs and regimens.
    pub drugs: Vec<Change>,
    /// Treatment pages and the questionnaire.
    pub pages: Vec<Change>,
    /// The release's own settings (`kb.toml`: `engine_logic`, dates, texts).
    pub release: Vec<Change>,
    /// Everything else (glossary, questions, support, codes, lexicon, urgent list, reviewers).
    pub other: Vec<Change>,
}

impl KbDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.areas().iter().all(|(_, c)| c.is_empty())
    }

    /// The areas with their names, in display order.
    pub fn areas(&self) -> [(&'static str, &Vec<Change>); 8] {
        [
            ("release", &self.release),
            ("statements", &self.statements),
            ("sources", &self.sources),
            ("thresholds", &self.thresholds),
            ("rules", &self.rules),
            ("drugs", &self.drugs),
            ("pages", &self.pages),
            ("other", &self.other),
        ]
    }

    /// Whether anything about a treatment changed: its page, its rules, or a
    /// statement of its area (`<area>.<topic>`, the area as in [`statement_area`]).
    pub fn touches_treatment(&self, treatment: &str) -> bool {
        let area = statement_area(treatment);
        self.pages.iter().any(|c| c.id == format!("treatment:{treatment}"))
            || self.rules.iter().any(|c| c.id.split('/').next() == Some(treatment))
            || self.statements.iter().any(|c| c.id.trim_start_matches("statement:").split('.').next() == Some(area))
    }

    /// The diff in plain English, one sentence per area that changed (for `/about/changes`).
    pub fn plain_english(&self) -> Vec<String> {
        let mut out = Vec::new();
        // A file's own settings (`file:<path>`, its [review]) are not records to count.
        let count = |c: &[Change], k: ChangeKind| c.iter().filter(|x| x.change == k && !x.id.starts_with("file:")).count();
        for c in &self.release {
            let mut rest = Vec::new();
            for f in &c.fields {
                match f.field.as_str() {
                    "engine_logic" => out.push(format!(
                        "How the program applies the rules changed: revision {} \u{2192} {}.",
                        f.old.as_deref().unwrap_or("1"),
                        f.new.as_deref().unwrap_or("1")
                    )),
                    "version" | "published" => {}
                    other => rest.push(other.replace('_', " ")),
                }
            }
            if !rest.is_empty() {
                out.push(format!("The release's own details changed ({}).", rest.join(", ")));
            }
        }
        let s = &self.statements;
        let s: Vec<Change> = s.iter().filter(|c| !c.id.starts_with("file:")).cloned().collect();
        let s = &s;
        let reworded = s.iter().filter(|c| c.fields.iter().any(|f| f.field == "patient" || f.field == "clinician")).count();
        let resourced = s.iter().filter(|c| c.fields.iter().any(|f| f.field == "sources")).count();
        if !s.is_empty() {
            out.push(format!(
                "Statements: {} new, {} taken out, {} reworded, {} with changed sources.",
                count(s, ChangeKind::Added),
                count(s, ChangeKind::Removed),
                reworded,
                resourced
            ));
        }
        if self.sources.iter().any(|c| !c.id.starts_with("file:")) {
            out.push(format!(
                "Sources: {} new, {} taken out, {} updated.",
                count(&self.sources, ChangeKind::Added),
                count(&self.sources, ChangeKind::Removed),
                count(&self.sources, ChangeKind::Changed)
            ));
        }
        for c in self.thresholds.iter().filter(|c| !c.id.starts_with("file:")) {
            let name = c.id.trim_start_matches("threshold:");
            let what = match &c.description {
                Some(d) => format!("{} ({name})", d.trim_end_matches('.')),
                None => name.to_string(),
            };
            match (c.change, c.fields.iter().find(|f| f.field == "value")) {
                (ChangeKind::Changed, Some(f)) => out.push(format!(
                    "Threshold changed: {what}: {} \u{2192} {}.",
                    f.old.as_deref().unwrap_or("none"),
                    f.new.as_deref().unwrap_or("none")
                )),
                (ChangeKind::Added, _) => out.push(format!("A new threshold: {what}.")),
                (ChangeKind::Removed, _) => out.push(format!("Threshold taken out: {what}.")),
                _ => {}
            }
        }
        let mut by_treatment: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &self.rules {
            *by_treatment.entry(c.id.split('/').next().unwrap_or("")).or_default() += 1;
        }
        for (t, n) in by_treatment {
            out.push(format!("The rules for {} changed ({n} {}).", t.replace('_', " "), if n == 1 { "part" } else { "parts" }));
        }
        if self.drugs.iter().any(|c| !c.id.starts_with("file:")) {
            out.push(format!(
                "Drugs: {} new, {} taken out, {} updated.",
                count(&self.drugs, ChangeKind::Added),
                count(&self.drugs, ChangeKind::Removed),
                count(&self.drugs, ChangeKind::Changed)
            ));
        }
        for c in &self.pages {
            out.push(format!("The page {} was {}.", c.id.split(':').nth(1).unwrap_or(&c.id).replace('_', " "), verb(c.change)));
        }
        if !self.other.is_empty() {
            out.push(format!("{} other items changed (glossary, questions, support, search words or settings).", self.other.len()));
        }
        out
    }
}

/// The statement-id area of a treatment (`chemotherapy` statements are `chemo.*`).
pub fn statement_area(treatment: &str) -> &str {
    match treatment {
        "chemotherapy" => "chemo",
        "embolisation" => "embol",
        "hormonal_therapy" => "hormonal",
        "immunotherapy" => "immuno",
        "radiotherapy" => "radio",
        "supportive_care" => "supportive",
        "targeted_therapy" => "targeted",
        other => other,
    }
}

fn verb(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "taken out",
        ChangeKind::Changed => "updated",
    }
}

type Record = BTreeMap<String, String>;

/// Compares two releases' content files (`(path, text)`). A file that is not
/// valid TOML is an error naming it.
pub fn diff(from: (&str, &[(&str, &str)]), to: (&str, &[(&str, &str)])) -> Result<KbDiff, String> {
    let old = records(from.1)?;
    let new = records(to.1)?;
    let mut d = KbDiff {
        from: from.0.to_string(),
        to: to.0.to_string(),
        statements: Vec::new(),
        sources: Vec::new(),
        thresholds: Vec::new(),
        rules: Vec::new(),
        drugs: Vec::new(),
        pages: Vec::new(),
        release: Vec::new(),
        other: Vec::new(),
    };
    let keys: std::collections::BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let (area, id) = key;
        let description = new.get(key).or(old.get(key)).and_then(|r| r.get("description")).filter(|_| area == "threshold").cloned();
        let change = match (old.get(key), new.get(key)) {
            (None, Some(_)) => Change { id: id.clone(), change: ChangeKind::Added, fields: Vec::new(), description },
            (Some(_), None) => Change { id: id.clone(), change: ChangeKind::Removed, fields: Vec::new(), description },
            (Some(a), Some(b)) if a != b => {
                let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                let fields = names
                    .into_iter()
                    .filter(|n| a.get(*n) != b.get(*n))
                    .map(|n| FieldChange { field: n.clone(), old: a.get(n).cloned(), new: b.get(n).cloned() })
                    .collect();
                Change { id: id.clone(), change: ChangeKind::Changed, fields, description }
            }
            _ => continue,
        };
        // A file's own settings go with what the file holds (by its folder).
        let area = match id.strip_prefix("file:") {
            Some("kb.toml") => "release",
            Some(p) if p.starts_with("sources/") => "source",
            Some(p) if p.starts_with("statements/") => "statement",
            Some(p) if p.starts_with("drugs/") => "drug",
            Some("thresholds.toml") => "threshold",
            _ => area.as_str(),
        };
        match area {
            "statement" => d.statements.push(change),
            "source" => d.sources.push(change),
            "threshold" => d.thresholds.push(change),
            "rules" => d.rules.push(change),
            "drug" => d.drugs.push(change),
            "page" => d.pages.push(change),
            "release" => d.release.push(change),
            _ => d.other.push(change),
        }
    }
    Ok(d)
}

/// Every record of a release, keyed by (area, id).
fn records(files: &[(&str, &str)]) -> Result<BTreeMap<(String, String), Record>, String> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        let table: toml::Table = toml::from_str(text).map_err(|e| format!("{path}: not valid TOML ({})", e.message()))?;
        if let Some(name) = path.strip_prefix("rules/").and_then(|p| p.strip_suffix(".toml")) {
            let treatment = table.get("treatment").and_then(|v| v.as_str()).unwrap_or(name).to_string();
            let mut settings = Record::new();
            for (k, v) in &table {
                match v.as_array().filter(|a| a.iter().all(|x| x.is_table())) {
                    Some(items) if k == "criterion" || k == "base" => {
                        for (i, item) in items.iter().enumerate() {
                            let t = item.as_table().expect("checked");
                            let id = match (t.get("id").and_then(|v| v.as_str()), t.get("sites").and_then(|v| v.as_array())) {
                                (Some(id), _) => id.to_string(),
                                (None, Some(sites)) => {
                                    let s: Vec<&str> = sites.iter().filter_map(|s| s.as_str()).collect();
                                    format!("base {}", s.join(","))
                                }
                                (None, None) => format!("{k} {}", i + 1),
                            };
                            out.insert(("rules".into(), format!("{treatment}/{id}")), fields(t));
                        }
                    }
                    _ => {
                        settings.insert(k.clone(), v.to_string());
                    }
                }
            }
            out.insert(("rules".into(), format!("{treatment}/settings")), settings);
        } else if path.starts_with("treatments/") || *path == "questionnaire.toml" {
            let id = table.get("id").and_then(|v| v.as_str()).unwrap_or(path.trim_end_matches(".toml")).to_string();
            let kind = if path.starts_with("treatments/") { "treatment" } else { "questionnaire" };
            let mut rec = Record::new();
            for (k, v) in &table {
                match v.as_array().filter(|a| !a.is_empty() && a.iter().all(|x| x.as_table().is_some_and(|t| t.contains_key("id")))) {
                    Some(items) => {
                        for item in items {
                            let t = item.as_table().expect("checked");
                            let sid = t.get("id").and_then(|v| v.as_str()).unwrap_or("");
                            rec.insert(format!("{k}.{sid}"), item.to_string());
                        }
                    }
                    None => {
                        rec.insert(k.clone(), v.to_string());
                    }
                }
            }
            out.insert(("page".into(), format!("{kind}:{id}")), rec);
        } else {
            let mut file_level = Record::new();
            for (k, v) in &table {
                match v.as_array().filter(|a| !a.is_empty() && a.iter().all(|x| x.is_table())) {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let t = item.as_table().expect("checked");
                            let id = ["id", "term", "code", "canonical", "word"]
                                .iter()
                                .find_map(|key| t.get(*key).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                                .unwrap_or_else(|| format!("{path}#{}", i + 1));
                            out.insert((k.clone(), format!("{k}:{id}")), fields(t));
                        }
                    }
                    None => {
                        file_level.insert(k.clone(), v.to_string());
                    }
                }
            }
            if !file_level.is_empty() {
                out.insert(("file".into(), format!("file:{path}")), file_level);
            }
        }
    }
    Ok(out)
}

fn fields(t: &toml::Table) -> Record {
    t.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_against_itself_is_empty_and_edits_show_by_id() {
        let files = crate::Knowledge::release_files("2026.11.0").expect("frozen");
        let same = diff(("a", &files), ("b", &files)).expect("diff");
        assert!(same.is_empty(), "{same:?}");
        let mut edited: Vec<(String, String)> = files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
        let (_, th) = edited.iter_mut().find(|(p, _)| p == "thresholds.toml").expect("thresholds.toml");
        let first_value = th.find("\nvalue = ").expect("a threshold value") + 1;
        let line_end = first_value + th[first_value..].find('\n').expect("line end");
        th.replace_range(first_value..line_end, "value = 12345");
        let (_, st) = edited.iter_mut().find(|(p, _)| p == "statements/chemotherapy.toml").expect("chemo statements");
        let at = st.find("patient = \"").expect("a patient wording") + "patient = \"".len();
        st.insert_str(at, "Now: ");
        let (_, rules) = edited.iter_mut().find(|(p, _)| p == "rules/surgery.toml").expect("surgery rules");
        *rules = rules.replacen("label = \"All liver tumours can be removed\"", "label = \"Every liver tumour can be removed\"", 1);
        let view: Vec<(&str, &str)> = edited.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let d = diff(("old", &files), ("new", &view)).expect("diff");
        assert_eq!(d.thresholds.len(), 1, "{d:?}");
        let f = &d.thresholds[0].fields;
        assert!(f.len() == 1 && f[0].field == "value" && f[0].new.as_deref() == Some("12345"), "{f:?}");
        assert_eq!(d.rules.len(), 1, "{:?}", d.rules);
        assert_eq!(d.rules[0].id, "surgery/surgery.all_liver_tumours_can_be_removed");
        assert!(d.touches_treatment("surgery") && !d.touches_treatment("radiotherapy"));
        assert_eq!(d.statements.len(), 1, "{:?}", d.statements);
        assert_eq!(d.statements[0].fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["patient"]);
        assert!(d.touches_treatment("chemotherapy"));
        let words = d.plain_english();
        let desc = d.thresholds[0].description.as_deref().expect("a threshold's description");
        assert!(words.iter().any(|l| l.contains(desc.trim_end_matches('.')) && l.contains("\u{2192} 12345")), "{words:?}");
        let back = diff(("new", &view), ("old", &files)).expect("diff");
        // Between the two releases: kb.toml is the release's own, sources files are sources.
        let second = crate::Knowledge::release_files("2026.12.0").expect("frozen");
        let d = diff(("2026.11.0", &files), ("2026.12.0", &second)).expect("diff");
        assert!(d.release.iter().any(|c| c.id == "file:kb.toml"), "{:?}", d.release);
        assert!(!d.other.iter().any(|c| c.id.starts_with("file:kb.toml") || c.id.starts_with("file:sources/")), "{:?}", d.other);
        let words = d.plain_english();
        assert!(words.iter().any(|l| l == "How the program applies the rules changed: revision 1 \u{2192} 2."), "{words:?}");
        assert_eq!(back.thresholds[0].fields[0].old.as_deref(), Some("12345"));
    }
}
