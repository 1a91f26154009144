//! The support services shown on `/support` and on results pages.
//!
//! The built-in list comes from the knowledge base (`content/support.toml`).
//! A deployment can add its own services, such as a local hospital's cancer
//! information centre, with a `support.toml` in the data folder:
//!
//! ```toml
//! # <data-dir>/support.toml
//! replace = false          # true: show only these; false (default): these first, then the built-in list
//!
//! [[service]]
//! id = "st-elsewhere-cic"  # lower-case letters, digits and hyphens; the anchor on /support
//! name = "St Elsewhere Cancer Information Centre"
//! how = "Drop in, Monday to Friday, 9am to 5pm, or call 01234 567890."
//! url = "https://example.org/cic"   # optional, https only
//! region = "UK"
//! ```
//!
//! Unknown keys are errors, so a misspelt field stops the server at start-up
//! rather than being silently ignored.

use std::path::Path;

use hepatica_knowledge::Knowledge;
use serde::Deserialize;

use crate::ServeError;

/// One support service as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportEntry {
    /// Anchor id on `/support`.
    pub id: String,
    /// Name.
    pub name: String,
    /// How to reach it, in plain words.
    pub how: String,
    /// Web address.
    #[serde(default)]
    pub url: Option<String>,
    /// Region code, e.g. `UK`.
    pub region: String,
    /// Whether it came from the deployment's `support.toml`.
    #[serde(skip)]
    pub local: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SupportFile {
    #[serde(default)]
    replace: bool,
    #[serde(default)]
    service: Vec<SupportEntry>,
}

/// The knowledge base's support list.
pub fn built_in(kb: &Knowledge) -> Vec<SupportEntry> {
    kb.support
        .iter()
        .map(|s| SupportEntry {
            id: s.id.clone(),
            name: s.name.clone(),
            how: s.how.clone(),
            url: s.url.clone(),
            region: s.region.clone(),
            local: false,
        })
        .collect()
}

/// The built-in list combined with `<data_dir>/support.toml` if it exists.
pub fn load(kb: &Knowledge, data_dir: &Path) -> Result<Vec<SupportEntry>, ServeError> {
    let path = data_dir.join("support.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(built_in(kb)),
        Err(e) => return Err(ServeError::Support { path, detail: e.to_string() }),
    };
    merge(kb, &text).map_err(|detail| ServeError::Support { path, detail })
}

/// Parses a `support.toml` text and merges it with the built-in list.
pub fn merge(kb: &Knowledge, text: &str) -> Result<Vec<SupportEntry>, String> {
    let file: SupportFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for mut s in file.service {
        if s.id.is_empty() || !s.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(format!("service id {:?}: expected lower-case letters, digits and hyphens", s.id));
        }
        if let Some(url) = &s.url
            && !url.starts_with("https://")
        {
            return Err(format!("service {}: url must start with https://, got {url:?}", s.id));
        }
        if out.iter().any(|o: &SupportEntry| o.id == s.id) {
            return Err(format!("service id {:?} appears twice", s.id));
        }
        s.local = true;
        out.push(s);
    }
    if !file.replace {
        for s in built_in(kb) {
            if !out.iter().any(|o| o.id == s.id) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_services_come_first_and_can_replace() {
        let kb = Knowledge::embedded();
        let text = "[[service]]\nid = \"local-cic\"\nname = \"Local centre\"\nhow = \"Drop in\"\nregion = \"UK\"\n";
        let merged = merge(kb, text).unwrap();
        assert_eq!(merged[0].id, "local-cic");
        assert!(merged[0].local);
        assert_eq!(merged.len(), 1 + kb.support.len());
        let replaced = merge(kb, &format!("replace = true\n{text}")).unwrap();
        assert_eq!(replaced.len(), 1);
    }

    #[test]
    fn bad_files_are_rejected() {
        let kb = Knowledge::embedded();
        assert!(merge(kb, "[[service]]\nid = \"x\"\nname = \"n\"\nhow = \"h\"\nregion = \"UK\"\nphone = \"1\"\n").is_err());
        assert!(merge(kb, "[[service]]\nid = \"Bad Id\"\nname = \"n\"\nhow = \"h\"\nregion = \"UK\"\n").is_err());
        assert!(merge(kb, "[[service]]\nid = \"x\"\nname = \"n\"\nhow = \"h\"\nregion = \"UK\"\nurl = \"javascript:alert(1)\"\n").is_err());
    }
}
