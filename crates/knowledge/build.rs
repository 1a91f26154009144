//! Embeds the knowledge base into the binary: the working `content/` folder
//! and every frozen release under `releases/<version>/`.
//!
//! The generated `content_files.rs` holds `(relative path, include_str!)` pairs in
//! sorted order, so the embedded knowledge base is the same on every machine.
//! `RELEASES` lists the frozen releases in version order, each with its files.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let content = manifest.join("../../content").canonicalize().expect("content/ folder");
    let releases = manifest.join("../../releases").canonicalize().expect("releases/ folder");
    let mut out =
        String::from("/// Every embedded content file: (path relative to `content/`, text).\npub static FILES: &[(&str, &str)] = &");
    out.push_str(&file_list(&content));
    out.push_str(";\n\n/// Every frozen release: (version, its files as in [`FILES`]), oldest first.\npub static RELEASES: &[(&str, &[(&str, &str)])] = &[\n");
    println!("cargo:rerun-if-changed={}", releases.display());
    let mut versions: Vec<String> = std::fs::read_dir(&releases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    versions.sort_by_key(|v| v.split('.').map(|n| n.parse::<u64>().expect("release folders are named by version")).collect::<Vec<_>>());
    for v in &versions {
        out.push_str(&format!("    ({v:?}, &{}),\n", file_list(&releases.join(v))));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("content_files.rs");
    std::fs::write(dest, out).unwrap();
}

/// `[(rel, include_str!(abs)), ...]` for every `.toml` file under `root`.
fn file_list(root: &Path) -> String {
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(root, root, &mut files);
    files.sort();
    let mut out = String::from("[\n");
    for rel in &files {
        let abs = root.join(rel);
        println!("cargo:rerun-if-changed={}", abs.display());
        out.push_str(&format!("    ({:?}, include_str!({:?})),\n", rel, abs.display().to_string()));
    }
    out.push(']');
    out
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<String>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            files.push(rel);
        }
    }
}
