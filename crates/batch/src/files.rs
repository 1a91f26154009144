//! All-or-nothing output files: write to temporary files beside the targets,
//! rename them into place only when everything succeeded.
//!
//! A temporary file lives in its target's own folder (so the rename is atomic
//! on one file system) under a hidden name, `.<name>.hepatica-<pid>-<n>.tmp`
//! ([`temp_name`]). If the run fails, or the [`Staging`] is dropped without
//! [`Staging::commit`], every temporary file is removed and the targets are
//! left as they were. A FHIR Bulk Data run also keeps a [`ScratchDir`] of
//! bucket files, `.hepatica-bulk.<pid>.<n>.tmp`, beside its output.
//!
//! A run stopped by a signal never reaches `Drop`: every live temporary file
//! and folder is also listed process-wide, and the CLI's SIGINT/SIGTERM
//! handler calls [`remove_live_temps`] before exiting.
//!
//! After a `kill -9`, an out-of-memory kill or a power cut, the next run that
//! writes into the same folder removes what the dead run left
//! ([`remove_stale_in_folder`]), whatever its target was called. A leftover
//! is removed only when all of these hold, so a live run's files and a user's
//! files are never touched:
//!
//! - its name is exactly hepatica's pattern (`.<name>.hepatica-<pid>-<n>.tmp`,
//!   or `.hepatica-bulk.<pid>.<n>.tmp` for a bucket folder);
//! - it is a regular file (or, for a bucket folder, a real folder holding only
//!   bucket files and its lock), never a symlink, FIFO or device;
//! - `<pid>` is a process id this system can give (1 to `kernel.pid_max`; a
//!   file named for 0 or a larger number is not hepatica's) and that process
//!   does not exist (`kill(pid, 0)` answers "no such process"; a process we
//!   may not signal counts as alive);
//! - nobody holds its lock: a run holds an exclusive `flock` on each of its
//!   temporary files (and on its bucket folder's `.lock`) until it ends, and
//!   the kernel drops the lock when the process dies. This also protects a run
//!   in another PID namespace (another container sharing the folder), whose
//!   pid means nothing here. On a file system without `flock` the lock cannot
//!   be taken, so nothing is removed.
//!
//! Leftovers of older versions (`.<name>.<pid>.<n>.tmp`, without the marker
//! and without a lock) are removed only for the run's own targets
//! ([`remove_stale_temps`]), by the pid test alone, as before.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written by this process.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Temporary folders (bulk buckets) of this process.
static LIVE_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

fn live_dirs() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE_DIRS.lock().unwrap_or_else(|p| p.into_inner())
}

fn forget(paths: &[Temp]) {
    live().retain(|p| !paths.iter().any(|t| &t.temp == p));
}

/// The marker in every temporary file name.
const MARKER: &str = ".hepatica-";
/// How a bucket folder's name starts.
pub const BULK_PREFIX: &str = ".hepatica-bulk.";
/// The lock file inside a bucket folder.
const DIR_LOCK: &str = ".lock";

/// The temporary name of attempt `n` for a target called `name`, written by
/// process `pid`: `.<name>.hepatica-<pid>-<n>.tmp`.
pub fn temp_name(name: &std::ffi::OsStr, pid: u32, n: u32) -> OsString {
    let mut t = OsString::from(".");
    t.push(name);
    t.push(format!("{MARKER}{pid}-{n}.tmp"));
    t
}

/// The writing process of a temporary file named by [`temp_name`], or `None`
/// when the name is not exactly that pattern.
fn temp_owner(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (name, tail) = rest.rsplit_once(MARKER)?;
    let (pid, n) = tail.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    (!name.is_empty() && digits(pid) && digits(n)).then(|| pid.parse().ok())?
}

/// The writing process of a bucket folder `.hepatica-bulk.<pid>.<n>.tmp`.
fn bulk_owner(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix(BULK_PREFIX)?.strip_suffix(".tmp")?;
    let (pid, n) = rest.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    (digits(pid) && digits(n)).then(|| pid.parse().ok())?
}

/// Whether process `pid` may still be running: it is us, or `kill(pid, 0)`
/// does not answer "no such process". Where that cannot be asked, always.
///
/// A number that is not a process id this system can give (0, or above its
/// `pid_max`) also counts as running: no hepatica run can have written that
/// name, so the file is someone else's, named like ours, and is left alone
/// (outsider red team: a file named for pid 0 was removed).
fn process_may_run(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if pid == 0 || u64::from(pid) > pid_max() {
        return true;
    }
    #[cfg(unix)]
    {
        let Some(p) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { return true };
        !matches!(rustix::process::test_kill_process(p), Err(rustix::io::Errno::SRCH)) && !is_zombie(pid)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Whether process `pid` has ended but not yet been reaped by its parent (a
/// zombie still answers `kill(pid, 0)`, but it runs no more and holds no
/// files or locks): Linux's `/proc/<pid>/stat` state `Z` or `X`. Elsewhere, never.
fn is_zombie(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    // The state follows the command name in parentheses, which may hold spaces.
    stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()).is_some_and(|state| state == "Z" || state == "X")
}

/// The largest process id this system gives: Linux's `kernel.pid_max`, else
/// the most any Unix allows (`i32::MAX`).
fn pid_max() -> u64 {
    std::fs::read_to_string("/proc/sys/kernel/pid_max").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(i32::MAX as u64)
}

/// Takes an exclusive `flock` on `file` without waiting; `false` when another
/// open file holds it, or the file system has no such locks.
fn try_lock(file: &File) -> bool {
    #[cfg(unix)]
    {
        rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

/// Opens `path` for reading without following a symlink and without waiting
/// (a FIFO put in its place does not block), and only if it is a regular file.
#[cfg(unix)]
fn open_regular_nofollow(path: &Path) -> Option<File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC, Mode::empty()).ok()?;
    let file = File::from(fd);
    file.metadata().ok().filter(std::fs::Metadata::is_file).map(|_| file)
}

/// Whether nobody holds the lock of the regular file at `path` (taking it for
/// a moment; it is released when the returned value is dropped).
#[cfg(unix)]
fn unlocked(path: &Path) -> Option<File> {
    let file = open_regular_nofollow(path)?;
    try_lock(&file).then_some(file)
}

/// Removes every temporary file and folder this process is writing (for a
/// signal handler: the process exits right after). Returns how many were removed.
pub fn remove_live_temps() -> usize {
    let mut l = live();
    let mut n = l.iter().filter(|p| std::fs::remove_file(p).is_ok()).count();
    l.clear();
    let mut d = live_dirs();
    n += d.iter().filter(|p| std::fs::remove_dir_all(p).is_ok()).count();
    d.clear();
    n
}

/// Removes leftover temporary files of `target` in the naming of older
/// versions (`.<name>.<pid>.<n>.tmp`, no lock) whose process no longer runs.
/// Returns how many were removed.
pub fn remove_stale_temps(target: &Path) -> usize {
    let Some(name) = target.file_name() else { return 0 };
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
        if !process_may_run(pid) && e.file_type().is_ok_and(|t| t.is_file()) && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Removes the temporary files and bucket folders that dead hepatica runs
/// left in `folder` (see the module documentation for the four conditions).
/// Returns how many were removed. Only on Unix; elsewhere nothing is removed.
pub fn remove_stale_in_folder(folder: &Path) -> usize {
    #[cfg(unix)]
    {
        let Ok(entries) = std::fs::read_dir(folder) else { return 0 };
        let mut removed = 0;
        for e in entries.flatten() {
            let file_name = e.file_name();
            let Some(n) = file_name.to_str() else { continue };
            let path = e.path();
            if let Some(pid) = temp_owner(n) {
                if process_may_run(pid) {
                    continue;
                }
                // The lock is ours until the file is gone (a run with the file open would hold it).
                let Some(_lock) = unlocked(&path) else { continue };
                if std::fs::remove_file(&path).is_ok() {
                    removed += 1;
                }
            } else if let Some(pid) = bulk_owner(n)
                && !process_may_run(pid)
                && remove_stale_bucket_dir(&path)
            {
                removed += 1;
            }
        }
        removed
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        0
    }
}

/// Removes a dead run's bucket folder: a real folder (not a symlink) whose
/// `.lock` nobody holds and that holds only `NNNNN.bucket` files and that
/// lock. A folder holding anything else is left as it is.
#[cfg(unix)]
fn remove_stale_bucket_dir(dir: &Path) -> bool {
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return false;
    }
    let Some(_lock) = unlocked(&dir.join(DIR_LOCK)) else { return false };
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    let mut buckets = Vec::new();
    for e in entries {
        let Ok(e) = e else { return false };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name == DIR_LOCK {
            continue;
        }
        let bucket = name.strip_suffix(".bucket").is_some_and(|b| !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()));
        if !bucket || !e.file_type().is_ok_and(|t| t.is_file()) {
            return false;
        }
        buckets.push(e.path());
    }
    for b in buckets {
        let _ = std::fs::remove_file(b);
    }
    let _ = std::fs::remove_file(dir.join(DIR_LOCK));
    std::fs::remove_dir(dir).is_ok()
}

/// A hidden scratch folder `.hepatica-bulk.<pid>.<n>.tmp` beside a target,
/// locked while it lives and removed when dropped (or by the signal handler).
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
    _lock: Option<File>,
}

impl ScratchDir {
    /// Creates the folder beside `target` (in its folder).
    pub fn create(target: &Path) -> io::Result<ScratchDir> {
        let folder = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        for n in 0..1000u32 {
            let path = folder.join(format!("{BULK_PREFIX}{}.{n}.tmp", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => {
                    live_dirs().push(path.clone());
                    let lock = OpenOptions::new().write(true).create_new(true).open(path.join(DIR_LOCK)).ok();
                    let lock = lock.filter(try_lock);
                    return Ok(ScratchDir { path, _lock: lock });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(io::ErrorKind::AlreadyExists, "could not find a free temporary folder name"))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
        live_dirs().retain(|p| p != &self.path);
    }
}

/// One temporary file: where it is, what it becomes, and a handle that holds
/// its lock until the set is committed or dropped.
#[derive(Debug)]
struct Temp {
    temp: PathBuf,
    target: PathBuf,
    _lock: Option<File>,
}

/// A set of files being written, to be renamed into place together.
#[derive(Debug, Default)]
pub struct Staging {
    files: Vec<Temp>,
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
            let temp = folder.join(temp_name(name, std::process::id(), n));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(f) => {
                    live().push(temp.clone());
                    // The lock lives on the open file, shared with this duplicate, so it
                    // holds until the set is done even when the caller closes its handle.
                    let lock = f.try_clone().ok().filter(try_lock);
                    self.files.push(Temp { temp, target: target.to_path_buf(), _lock: lock });
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
        self.files.iter().map(|t| t.temp.as_path())
    }

    /// Renames every temporary file onto its target. On a failure the files
    /// not yet renamed are removed (those renamed stay: rename is per file).
    pub fn commit(mut self) -> Result<(), (PathBuf, io::Error)> {
        for i in 0..self.files.len() {
            let t = &self.files[i];
            if let Err(e) = std::fs::rename(&t.temp, &t.target) {
                return Err((t.target.clone(), e));
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
            for t in &self.files {
                let _ = std::fs::remove_file(&t.temp);
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

    #[cfg(unix)]
    #[test]
    fn stale_temps_of_the_old_naming_are_removed_for_their_target() {
        let d = scratch("stale");
        let target = d.join("out.ndjson");
        // A leftover from a process that is gone, one of a live process (ours), another
        // target's, and two named for numbers no process can have (not hepatica's: kept).
        let dead = dead_pid();
        let stale = d.join(format!(".out.ndjson.{dead}.0.tmp"));
        let ours = d.join(format!(".out.ndjson.{}.7.tmp", std::process::id()));
        let other = d.join(format!(".other.ndjson.{dead}.0.tmp"));
        let not_pids = [d.join(".out.ndjson.0.0.tmp"), d.join(".out.ndjson.4294967294.0.tmp")];
        for p in [&stale, &ours, &other].into_iter().chain(&not_pids) {
            std::fs::write(p, b"partial").unwrap();
        }
        assert_eq!(remove_stale_temps(&target), 1);
        assert!(!stale.exists() && ours.exists() && other.exists());
        assert!(not_pids.iter().all(|p| p.exists()), "names with no possible process are someone else's");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn temp_names_are_recognised_exactly() {
        let name = temp_name(std::ffi::OsStr::new("out.ndjson"), 123, 4);
        assert_eq!(name, ".out.ndjson.hepatica-123-4.tmp");
        assert_eq!(temp_owner(name.to_str().unwrap()), Some(123));
        for not_ours in [
            "out.ndjson.hepatica-1-2.tmp",
            "..hepatica-1-2.tmp",
            ".x.hepatica-1a-2.tmp",
            ".x.hepatica-1-.tmp",
            ".x.hepatica-1-2.tmp~",
            ".x.1-2.tmp",
        ] {
            assert_eq!(temp_owner(not_ours), None, "{not_ours}");
        }
        assert_eq!(bulk_owner(".hepatica-bulk.77.0.tmp"), Some(77));
        assert_eq!(bulk_owner(".hepatica-bulk.77.tmp"), None);
    }

    /// A process killed a moment ago whose parent has not reaped it yet (a
    /// zombie) is gone: its leftovers may go (outsider red team: a run started
    /// right after `kill -9` kept them).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_zombie_is_not_running() {
        let mut c = std::process::Command::new("true").spawn().expect("run true");
        let pid = c.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !is_zombie(pid) {
            assert!(std::time::Instant::now() < deadline, "true did not end");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(!process_may_run(pid), "a zombie runs no more");
        c.wait().unwrap();
        assert!(process_may_run(std::process::id()), "we run");
    }

    /// A process that is gone: a child that ran and was waited for.
    #[cfg(unix)]
    fn dead_pid() -> u32 {
        let mut c = std::process::Command::new("true").spawn().expect("run true");
        let pid = c.id();
        c.wait().unwrap();
        pid
    }

    /// See: HAZ-039. A leftover of any target in the folder is removed when its
    /// process is gone and nobody holds its lock; a live run's files (ours,
    /// another process's, or locked by a run whose pid we cannot see), a
    /// user's files, a symlink and a FIFO named like ours are left alone.
    #[cfg(unix)]
    #[test]
    fn stale_temps_in_a_folder_are_removed_and_nothing_else() {
        use std::os::unix::fs::FileTypeExt;
        let d = scratch("folder");
        let dead = dead_pid();
        let mut sleeper = std::process::Command::new("sleep").arg("30").spawn().expect("run sleep");
        let name = |target: &str, pid: u32| d.join(temp_name(std::ffi::OsStr::new(target), pid, 0));
        let stale = [name("other.ndjson", dead), name("out.ndjson.errors.ndjson", dead)];
        let live = [name("out.ndjson", std::process::id()), name("x.ndjson", sleeper.id())];
        // Numbers no process here can have: no hepatica run wrote these (outsider red team: pid 0 was removed).
        let not_pids = [name("s.json", 0), name("t.json", 4_294_967_294), name("u.json", (i32::MAX as u32) + 1)];
        let locked = name("y.ndjson", dead);
        let users = [d.join(".notes.tmp"), d.join(".x.1234.tmp"), d.join("x.hepatica-1-2.tmp"), d.join("keep.txt")];
        for p in stale.iter().chain(&live).chain(users.iter()).chain(&not_pids).chain([&locked]) {
            std::fs::write(p, b"partial").unwrap();
        }
        // A run in another PID namespace: its pid means nothing here, but it holds the lock.
        let holder = File::open(&locked).unwrap();
        assert!(try_lock(&holder));
        let link = name("link.ndjson", dead);
        std::os::unix::fs::symlink(d.join("keep.txt"), &link).unwrap();
        let fifo = name("fifo.ndjson", dead);
        let has_fifo = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        // Bucket folders: a dead run's (removed), one without a lock (an older version: kept),
        // and one holding a user's file (kept whole).
        let bulk = |pid: u32, n: u32| d.join(format!("{BULK_PREFIX}{pid}.{n}.tmp"));
        let make_bulk = |p: &Path, lock: bool, extra: bool| {
            std::fs::create_dir(p).unwrap();
            std::fs::write(p.join("00000.bucket"), b"x").unwrap();
            if lock {
                std::fs::write(p.join(DIR_LOCK), b"").unwrap();
            }
            if extra {
                std::fs::write(p.join("mine.txt"), b"x").unwrap();
            }
        };
        make_bulk(&bulk(dead, 0), true, false);
        make_bulk(&bulk(dead, 1), false, false);
        make_bulk(&bulk(dead, 2), true, true);

        assert_eq!(remove_stale_in_folder(&d), stale.len() + 1);
        assert!(stale.iter().all(|p| !p.exists()), "the dead runs' files are gone");
        assert!(live.iter().all(|p| p.exists()), "live runs' files stay");
        assert!(locked.exists(), "a locked file stays");
        assert!(users.iter().all(|p| p.exists()), "users' files stay");
        assert!(not_pids.iter().all(|p| p.exists()), "files named for no possible process stay");
        assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()), "a symlink stays");
        assert_eq!(std::fs::read(d.join("keep.txt")).unwrap(), b"partial", "its target too");
        if has_fifo {
            assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "a FIFO stays (and opening it did not block)");
        }
        assert!(!bulk(dead, 0).exists());
        assert!(bulk(dead, 1).join("00000.bucket").exists(), "no lock file: kept");
        assert!(bulk(dead, 2).join("00000.bucket").exists() && bulk(dead, 2).join("mine.txt").exists(), "kept whole");

        // Once the lock is released (the holder died), the file goes at the next run.
        drop(holder);
        assert_eq!(remove_stale_in_folder(&d), 1);
        assert!(!locked.exists());
        let _ = sleeper.kill();
        let _ = sleeper.wait();
        let _ = std::fs::remove_dir_all(&d);
    }

    /// A run holds the lock of each temporary file and bucket folder until it
    /// ends, even after the caller closed its own handle.
    #[cfg(unix)]
    #[test]
    fn a_run_holds_the_locks_of_its_temporary_files() {
        let d = scratch("locks");
        let mut s = Staging::new();
        s.write(&d.join("s.json"), b"{}").unwrap();
        let temp = s.temp_paths().next().unwrap().to_path_buf();
        assert!(!try_lock(&File::open(&temp).unwrap()), "locked while the run lives");
        let dir = ScratchDir::create(&d.join("out.ndjson")).unwrap();
        assert!(!try_lock(&File::open(dir.path().join(DIR_LOCK)).unwrap()));
        // Listed for the signal handler (not called here: it is process-wide, and other tests run beside this one).
        assert!(live().contains(&temp) && live_dirs().iter().any(|p| p == dir.path()));
        let path = dir.path().to_path_buf();
        drop((s, dir));
        assert!(!temp.exists() && !path.exists());
        assert!(!live().contains(&temp) && !live_dirs().contains(&path));
        let _ = std::fs::remove_dir_all(&d);
    }
}
