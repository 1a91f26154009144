//! The release store: frozen releases embedded compressed, the content hash,
//! version order and the catalogue `kb versions` and `GET /api/v1/kb` list.
//!
//! **Content hash** (`hepatica-kb-content/1`): the lower-case hex SHA-256 of
//! the content files (every `.toml` file of a content folder, paths relative
//! to it with `/` separators) serialised as follows: the files sorted by path
//! (byte order); for each, the path's length in bytes as a big-endian `u64`,
//! the path's UTF-8 bytes, the text's length in bytes as a big-endian `u64`,
//! the text's bytes. Nothing else (no timestamps, no folder names) goes in,
//! so the same files give the same hash on every machine, and a change to
//! any byte of any file, a renamed file or a moved boundary between two files
//! gives another. [`content_hash`] is the only implementation.
//!
//! **Container** (inside the binary and inside a bundle): per file, in path
//! order, a little-endian `u32` path length, the path, a little-endian `u32`
//! text length, the text; the whole container is zlib-compressed.

use std::io::{Read, Write};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::Knowledge;
use crate::files;

/// Hex SHA-256 of content files in the canonical serialisation above.
pub fn content_hash<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut files: Vec<(&str, &str)> = files.into_iter().collect();
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut h = Sha256::new();
    for (path, text) in files {
        h.update((path.len() as u64).to_be_bytes());
        h.update(path.as_bytes());
        h.update((text.len() as u64).to_be_bytes());
        h.update(text.as_bytes());
    }
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two versions: numeric dot-separated parts compare as numbers
/// (`2026.9.0` < `2026.11.0`); anything else compares as text.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |v: &str| v.split('.').map(|p| p.parse::<u64>().ok()).collect::<Option<Vec<u64>>>();
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The newest version this program has: the working content's or a frozen release's.
pub fn newest_version() -> &'static str {
    files::RELEASES
        .iter()
        .map(|(v, _)| *v)
        .chain([files::LATEST_VERSION])
        .max_by(|a, b| compare_versions(a, b))
        .unwrap_or(files::LATEST_VERSION)
}

/// The version that supersedes `version`, if this program has a newer one.
pub fn superseded_by(version: &str) -> Option<String> {
    let newest = newest_version();
    (compare_versions(newest, version) == std::cmp::Ordering::Greater).then(|| newest.to_string())
}

/// Packs files into the (uncompressed) container.
pub fn pack<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<u8> {
    let mut files: Vec<(&str, &str)> = files.into_iter().collect();
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = Vec::new();
    for (path, text) in files {
        out.extend_from_slice(&(path.len() as u32).to_le_bytes());
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    out
}

/// Unpacks a container; a problem is described in one sentence.
pub fn unpack(mut bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    fn take<'b>(bytes: &mut &'b [u8], n: usize, what: &str) -> Result<&'b [u8], String> {
        if bytes.len() < n {
            return Err(format!("the file list ends inside {what}"));
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Ok(head)
    }
    let mut files: Vec<(String, String)> = Vec::new();
    while !bytes.is_empty() {
        let n = u32::from_le_bytes(take(&mut bytes, 4, "a path length")?.try_into().expect("4 bytes")) as usize;
        let path = String::from_utf8(take(&mut bytes, n, "a path")?.to_vec()).map_err(|_| "a path is not UTF-8".to_string())?;
        let n = u32::from_le_bytes(take(&mut bytes, 4, "a text length")?.try_into().expect("4 bytes")) as usize;
        let text = String::from_utf8(take(&mut bytes, n, "a file")?.to_vec()).map_err(|_| format!("{path} is not UTF-8"))?;
        if !path.ends_with(".toml") || path.starts_with('/') || path.split('/').any(|p| p.is_empty() || p == "..") {
            return Err(format!("{path:?} is not a content file path"));
        }
        if files.last().is_some_and(|(p, _)| p.as_bytes() >= path.as_bytes()) {
            return Err(format!("{path} is out of order or repeated"));
        }
        files.push((path, text));
    }
    Ok(files)
}

/// zlib-compresses bytes.
pub fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).expect("writing to memory");
    z.finish().expect("writing to memory")
}

/// Largest decompressed container accepted (64 MiB; the content is under 1 MiB).
pub const MAX_CONTAINER_BYTES: u64 = 64 << 20;

/// zlib-decompresses bytes, refusing more than [`MAX_CONTAINER_BYTES`].
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut z = flate2::read::ZlibDecoder::new(bytes).take(MAX_CONTAINER_BYTES + 1);
    z.read_to_end(&mut out).map_err(|e| format!("the compressed content is damaged ({e})"))?;
    if out.len() as u64 > MAX_CONTAINER_BYTES {
        return Err(format!("the content is larger than {MAX_CONTAINER_BYTES} bytes"));
    }
    Ok(out)
}

/// A release's files, `(path, text)` in path order.
type Files = Vec<(String, String)>;

/// The files of frozen release `i` of [`files::RELEASES`], decompressed on first use.
pub(crate) fn frozen_files(i: usize) -> &'static [(String, String)] {
    static CACHE: OnceLock<Vec<OnceLock<Files>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| files::RELEASES.iter().map(|_| OnceLock::new()).collect());
    cache[i].get_or_init(|| {
        let (version, packed) = files::RELEASES[i];
        decompress(packed).and_then(|c| unpack(&c)).unwrap_or_else(|e| panic!("embedded release {version} is damaged: {e}"))
    })
}

/// One knowledge-base release this program can run (`kb versions`, `GET /api/v1/kb`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReleaseInfo {
    /// e.g. `2026.11.0`.
    pub version: String,
    /// Publication date, `YYYY-MM-DD`.
    pub published: String,
    /// [`content_hash`] of its content files.
    pub content_hash: String,
    /// The revision of the Rust decision logic it runs with.
    pub engine_logic: u32,
    /// Whether it is the newest compiled in: the working content, `--kb latest`.
    pub latest: bool,
    /// Whether it is what a command or server uses when no version is asked
    /// for (the latest, unless a deployment pinned another with `serve --kb`).
    pub default: bool,
    /// Whether it is frozen under `releases/` (never changed again).
    pub frozen: bool,
    /// The newest version, when this one is older.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
}

impl ReleaseInfo {
    /// The catalogue entry of a loaded knowledge base.
    pub fn of(kb: &Knowledge) -> ReleaseInfo {
        ReleaseInfo {
            version: kb.meta.version.clone(),
            published: kb.meta.published.to_string(),
            content_hash: kb.content_hash().to_string(),
            engine_logic: kb.engine_logic(),
            latest: kb.meta.version == files::LATEST_VERSION,
            default: kb.meta.version == files::LATEST_VERSION,
            frozen: files::RELEASES.iter().any(|(v, _)| *v == kb.meta.version),
            superseded_by: kb.superseded_by().map(str::to_string),
        }
    }
}

/// `--kb VERSION` / `?kb=VERSION` named a version this program does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown knowledge-base version {asked:?}: expected latest or one of {}", .known.join(", "))]
pub struct UnknownVersion {
    /// What was asked for (cut to 40 characters).
    pub asked: String,
    /// The versions that exist, oldest first.
    pub known: Vec<String>,
}
