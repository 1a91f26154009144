//! All-or-nothing output files: write to temporary files beside the targets,
//! rename them into place only when everything succeeded.
//!
//! A temporary file lives in its target's own folder (so the rename is atomic
//! on one file system) under a hidden name, `.<name>.<pid>.<n>.tmp`. If the
//! run fails, or the [`Staging`] is dropped without [`Staging::commit`], every
//! temporary file is removed and the targets are left as they were.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// A set of files being written, to be renamed into place together.
#[derive(Debug, Default)]
pub struct Staging {
    files: Vec<(PathBuf, PathBuf)>,
    committed: bool,
}

impl Staging {
    /// An empty set.
    pub fn new() -> Staging {
        Staging::default()
    }

    /// Creates a temporary file that will become `target` on commit.
    pub fn create(&mut self, target: &Path) -> io::Result<File> {
        let name = target.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "expected a file name"))?;
        let folder = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        for n in 0..1000u32 {
            let mut temp_name = OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(".{}.{n}.tmp", std::process::id()));
            let temp = folder.join(temp_name);
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(f) => {
                    self.files.push((temp, target.to_path_buf()));
                    return Ok(f);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(io::ErrorKind::AlreadyExists, "could not find a free temporary file name"))
    }

    /// Writes a whole small file (summary, CSV, SVG) as part of the set.
    pub fn write(&mut self, target: &Path, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        let mut f = self.create(target)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    /// The temporary paths being written (for tests).
    pub fn temp_paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(t, _)| t.as_path())
    }

    /// Renames every temporary file onto its target. On a failure the files
    /// not yet renamed are removed (those renamed stay: rename is per file).
    pub fn commit(mut self) -> Result<(), (PathBuf, io::Error)> {
        for (temp, target) in &self.files {
            if let Err(e) = std::fs::rename(temp, target) {
                return Err((target.clone(), e));
            }
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            for (temp, _) in &self.files {
                let _ = std::fs::remove_file(temp);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hepatica-batch-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn commit_renames_and_drop_cleans_up() {
        let d = scratch("commit");
        let target = d.join("out.ndjson");
        let mut s = Staging::new();
        s.write(&target, b"x\n").unwrap();
        assert!(!target.exists());
        s.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"x\n");

        let mut s = Staging::new();
        s.write(&target, b"y\n").unwrap();
        let temps: Vec<PathBuf> = s.temp_paths().map(Path::to_path_buf).collect();
        drop(s);
        assert!(temps.iter().all(|t| !t.exists()));
        assert_eq!(std::fs::read(&target).unwrap(), b"x\n", "a failed run leaves the old file alone");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&d);
    }
}
