//! All-or-nothing output files: write to temporary files beside the targets,
//! rename them into place only when everything succeeded.
//!
//! A temporary file lives in its target's own folder (so the rename is atomic
//! on one file system) under a hidden name, `.<name>.<pid>.<n>.tmp`. If the
//! run fails, or the [`Staging`] is dropped without [`Staging::commit`], every
//! temporary file is removed and the targets are left as they were.
//!
//! A run stopped by a signal never reaches `Drop`: every live temporary file
//! is also listed process-wide, and the CLI's SIGINT/SIGTERM handler calls
//! [`remove_live_temps`] before exiting. After a `kill -9` or a power cut,
//! [`remove_stale_temps`] at the next start removes the temporary files of a
//! target whose writing process is gone.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written by this process.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

fn forget(paths: &[(PathBuf, PathBuf)]) {
    live().retain(|p| !paths.iter().any(|(t, _)| t == p));
}

/// Removes every temporary file this process is writing (for a signal
/// handler: the process exits right after). Returns how many were removed.
pub fn remove_live_temps() -> usize {
    let mut l = live();
    let n = l.iter().filter(|p| std::fs::remove_file(p).is_ok()).count();
    l.clear();
    n
}

/// Removes leftover temporary files of `target` (`.<name>.<pid>.<n>.tmp`)
/// whose process no longer runs. Only on systems with `/proc`; returns how
/// many were removed.
pub fn remove_stale_temps(target: &Path) -> usize {
    let proc_fs = Path::new("/proc/self");
    let (Some(name), true) = (target.file_name(), proc_fs.is_dir()) else { return 0 };
    let folder = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let Some(prefix) = prefix.to_str().map(str::to_string) else { return 0 };
    let Ok(entries) = std::fs::read_dir(folder) else { return 0 };
    let mut removed = 0;
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(n) = file_name.to_str() else { continue };
        let Some(rest) = n.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".tmp")) else { continue };
        let Some((pid, seq)) = rest.split_once('.') else { continue };
        let (Ok(pid), true) = (pid.parse::<u32>(), seq.bytes().all(|b| b.is_ascii_digit()) && !seq.is_empty()) else { continue };
        let alive = pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists();
        if !alive && e.file_type().is_ok_and(|t| t.is_file()) && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

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
                    live().push(temp.clone());
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
        for (i, (temp, target)) in self.files.iter().enumerate() {
            if let Err(e) = std::fs::rename(temp, target) {
                return Err((target.clone(), e));
            }
            forget(&self.files[i..=i]);
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
        forget(&self.files);
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

    #[test]
    fn stale_temps_are_removed_at_the_next_start() {
        let d = scratch("stale");
        let target = d.join("out.ndjson");
        // A leftover from a process that is gone (pid far above any pid_max), and one of a live process (ours).
        let stale = d.join(".out.ndjson.4294967294.0.tmp");
        let ours = d.join(format!(".out.ndjson.{}.7.tmp", std::process::id()));
        let other = d.join(".other.ndjson.4294967294.0.tmp");
        for p in [&stale, &ours, &other] {
            std::fs::write(p, b"partial").unwrap();
        }
        if Path::new("/proc/self").is_dir() {
            assert_eq!(remove_stale_temps(&target), 1);
            assert!(!stale.exists() && ours.exists() && other.exists());
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}
