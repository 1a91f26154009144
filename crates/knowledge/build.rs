//! Embeds the knowledge base into the binary: the working `content/` folder
//! and every frozen release under `releases/<version>/`.
//!
//! The generated `content_files.rs` holds `(relative path, include_str!)` pairs in
//! sorted order for `content/`, so the embedded knowledge base is the same on
//! every machine. Each frozen release is packed into one container (the
//! format of `src/bundle.rs`: per file, in path order, a little-endian `u32`
//! path length, the path, a `u32` text length, the text), compressed with
//! zlib into `OUT_DIR/release-<version>.z` and embedded with `include_bytes!`;
//! `RELEASES` lists them in version order. `LATEST_VERSION` is the version
//! line of `content/kb.toml`, read here so that a release can say which newer
//! one supersedes it without loading the working content.

use std::io::Write;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let content = manifest.join("../../content").canonicalize().expect("content/ folder");
    let releases = manifest.join("../../releases").canonicalize().expect("releases/ folder");
    let mut out =
        String::from("/// Every embedded content file: (path relative to `content/`, text).\npub static FILES: &[(&str, &str)] = &");
    out.push_str(&file_list(&content));
    out.push(';');
    let kb_toml = std::fs::read_to_string(content.join("kb.toml")).expect("content/kb.toml");
    let latest = kb_toml
        .lines()
        .find_map(|l| l.strip_prefix("version = \"").and_then(|r| r.strip_suffix('"')))
        .expect("content/kb.toml has a version = \"...\" line");
    out.push_str(&format!("\n\n/// The version in `content/kb.toml`.\npub static LATEST_VERSION: &str = {latest:?};\n"));
    out.push_str(
        "\n/// Every frozen release: (version, zlib-compressed container of its files), oldest first.\npub static RELEASES: &[(&str, &[u8])] = &[\n",
    );
    println!("cargo:rerun-if-changed={}", releases.display());
    let mut versions: Vec<String> = std::fs::read_dir(&releases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    versions.sort_by_key(|v| v.split('.').map(|n| n.parse::<u64>().expect("release folders are named by version")).collect::<Vec<_>>());
    for v in &versions {
        let root = releases.join(v);
        let mut files = Vec::new();
        walk(&root, &root, &mut files);
        files.sort();
        let mut container = Vec::new();
        for rel in &files {
            let abs = root.join(rel);
            println!("cargo:rerun-if-changed={}", abs.display());
            let text = std::fs::read(&abs).unwrap();
            container.extend_from_slice(&(rel.len() as u32).to_le_bytes());
            container.extend_from_slice(rel.as_bytes());
            container.extend_from_slice(&(text.len() as u32).to_le_bytes());
            container.extend_from_slice(&text);
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&container).unwrap();
        let packed = z.finish().unwrap();
        let dest = out_dir.join(format!("release-{v}.z"));
        std::fs::write(&dest, packed).unwrap();
        out.push_str(&format!("    ({v:?}, include_bytes!({:?})),\n", dest.display().to_string()));
    }
    out.push_str("];\n");
    std::fs::write(out_dir.join("content_files.rs"), out).unwrap();
}

/// `[(rel, include_str!(abs)), ...]` for every `.toml` file under `root`.
fn file_list(root: &Path) -> String {
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
