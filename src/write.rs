//! Everything Casebook writes to disk goes through here.
//!
//! Last stage of the pipeline. The scaffolds of `init` and `new` are only ever
//! created, never overwritten, and `init` refuses a directory that already has
//! content. A built site is written to a staging directory and swapped in by
//! rename, so a failed build leaves the previous site untouched; a directory is
//! replaced only if it is empty or carries Casebook's marker file, so a
//! mistyped `--output` cannot delete someone's work.
//!
//! The output directory is resolved (symbolic links and `..` above it) before
//! anything is written, and refused when it is a symbolic link itself, holds
//! the current directory, or is, holds or lies inside the knowledge base's
//! sources. One build at a time writes to it: a lock file beside it, created
//! only if absent, names the building process; the staging and old copies
//! carry the process id and a time in their names, so two builds never share
//! one, and those of a build that was killed are removed by the next.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::output;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} already exists and is not empty")]
    NotEmpty(PathBuf),
    #[error("{0} already exists; Casebook does not overwrite files")]
    Exists(PathBuf),
    #[error(
        "{0} is not empty and was not created by Casebook; refusing to replace it (choose another --output, or empty it)"
    )]
    NotOurs(PathBuf),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The output directory is a symbolic link (to `target`).
    #[error("{out}: symbolic link to {target}")]
    Symlink { out: PathBuf, target: PathBuf },
    /// The output directory is the current directory or one of its parents.
    #[error("{0}: holds the current directory")]
    HoldsWorkingDir(PathBuf),
    /// The output directory has no parent to stage beside (`/`).
    #[error("{0}: no parent directory")]
    Root(PathBuf),
    /// The output directory is the knowledge base itself.
    #[error("{out}: is the knowledge base {dir}")]
    IsSources { out: PathBuf, dir: PathBuf },
    /// The output directory contains the knowledge base or one of its source folders.
    #[error("{out}: contains the sources {kept}")]
    HoldsSources { out: PathBuf, kept: PathBuf },
    /// The output directory is a source folder (`name`, at `folder`) or inside one.
    #[error("{out}: inside the source folder {folder}")]
    InSources { out: PathBuf, name: String, folder: PathBuf },
    /// Another build holds the lock on the output directory.
    #[error("{out}: locked by {lock} (process {pid:?}) for {waited:?}")]
    Locked { out: PathBuf, lock: PathBuf, pid: Option<u32>, waited: Duration },
}

/// The knowledge base whose sources the output directory must keep clear of.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The knowledge base; the output may be below it, never it or above it.
    pub dir: &'a Path,
    /// Its folders (relative) the output may not be in.
    pub folders: &'a [&'a str],
}

/// A lock on the output directory left by a process that is no longer
/// running (or, where that cannot be told, an old one), which a build took over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenOver {
    pub lock: PathBuf,
    /// The process it named, if it named one.
    pub pid: Option<u32>,
}

/// How long a build waits for another one's lock before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(5);
/// Where whether a process runs cannot be told, the age at which its lock is stale.
const STALE_AGE: Duration = Duration::from_secs(60 * 60);

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), source }
}

/// Whether `dir` is missing or an empty directory.
pub fn is_missing_or_empty(dir: &Path) -> Result<bool, WriteError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io(dir)(e)),
    }
}

/// Create every file under `dir`. Fails, before writing anything, if one exists.
pub fn create_new_files(dir: &Path, files: &[output::File]) -> Result<Vec<PathBuf>, WriteError> {
    for f in files {
        let path = dir.join(&f.path);
        if path.exists() {
            return Err(WriteError::Exists(path));
        }
    }
    let mut created = Vec::new();
    for f in files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(io(&path))?;
        file.write_all(&f.bytes).map_err(io(&path))?;
        created.push(path);
    }
    Ok(created)
}

/// The file that marks a directory as Casebook's output, safe to replace.
pub const MARKER: &str = ".casebook-output";
const MARKER_TEXT: &str = "This directory was written by `casebook build` and is replaced on every build.\n";

/// What a site write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub files: usize,
    pub bytes: u64,
}

/// Whether `dir` carries Casebook's marker.
pub fn is_ours(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

/// A site being written: files go into a staging directory beside `out` as
/// they are made (from any thread), and [`Staging::commit`] swaps it in. If
/// the build fails, [`Staging::abandon`] removes it and `out` is untouched.
/// The output directory stays locked until either is done.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    files: std::sync::atomic::AtomicUsize,
    bytes: std::sync::atomic::AtomicU64,
    taken_over: Option<TakenOver>,
    /// Released (the file removed) when the staging is dropped.
    _lock: Lock,
}

impl Staging {
    /// Check that `out` may be replaced, lock it, and create an empty staging
    /// directory beside it; `sources` are kept clear of.
    pub fn begin(out: &Path, sources: &Sources<'_>) -> Result<Staging, WriteError> {
        let real = resolve_out(out, sources)?;
        let (Some(parent), Some(name)) = (real.parent(), real.file_name()) else {
            return Err(WriteError::Root(out.to_path_buf()));
        };
        let name = name.to_string_lossy().into_owned();
        if real.exists() && !real.is_dir() {
            return Err(WriteError::Exists(out.to_path_buf()));
        }
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let (lock, taken_over) = Lock::take(out, parent, &name)?;
        let empty = is_missing_or_empty(&real)?;
        if !empty && !is_ours(&real) {
            return Err(WriteError::NotOurs(out.to_path_buf()));
        }
        remove_leftovers(parent, &name)?;
        let unique = format!("{}-{}", std::process::id(), nanos());
        let dir = parent.join(format!(".{name}.casebook-staging-{unique}"));
        let old = parent.join(format!(".{name}.casebook-old-{unique}"));
        std::fs::create_dir(&dir).map_err(io(&dir))?;
        let marker = dir.join(MARKER);
        if let Err(e) = std::fs::write(&marker, MARKER_TEXT) {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(io(&marker)(e));
        }
        let made = std::sync::Mutex::new(std::collections::HashSet::from([dir.clone()]));
        Ok(Staging {
            out: real,
            dir,
            old,
            made,
            files: Default::default(),
            bytes: Default::default(),
            taken_over,
            _lock: lock,
        })
    }

    /// The stale lock this build took over, if it found one.
    pub fn taken_over(&self) -> Option<&TakenOver> {
        self.taken_over.as_ref()
    }

    /// Write one file at `path` (relative, `/`-separated) into the staging directory.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let target = self.target(path)?;
        std::fs::write(&target, bytes).map_err(io(&target))?;
        self.wrote(bytes.len() as u64);
        Ok(())
    }

    /// [`Staging::write`] for a file that `write` produces piece by piece,
    /// through a buffer, without holding the whole file in memory.
    pub fn write_with(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        let target = self.target(path)?;
        let file = std::fs::File::create(&target).map_err(io(&target))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out).and_then(|()| out.flush()).map_err(io(&target))?;
        let bytes = out.get_ref().metadata().map_err(io(&target))?.len();
        self.wrote(bytes);
        Ok(())
    }

    fn wrote(&self, bytes: u64) {
        self.files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.bytes.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    /// Where `path` goes in the staging directory, its directory made.
    fn target(&self, path: &str) -> Result<PathBuf, WriteError> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            let known = self.made.lock().map(|m| m.contains(parent)).unwrap_or(false);
            if !known {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
                if let Ok(mut made) = self.made.lock() {
                    made.insert(parent.to_path_buf());
                }
            }
        }
        Ok(target)
    }

    /// Swap the staging directory in for `out`.
    pub fn commit(self) -> Result<WriteStats, WriteError> {
        let stats = WriteStats {
            files: self.files.load(std::sync::atomic::Ordering::Relaxed),
            bytes: self.bytes.load(std::sync::atomic::Ordering::Relaxed),
        };
        let (out, staging, old) = (&self.out, &self.dir, &self.old);
        if out.exists() {
            std::fs::rename(out, old).map_err(io(out))?;
            if let Err(e) = std::fs::rename(staging, out) {
                // Put the previous site back before reporting.
                let _ = std::fs::rename(old, out);
                let _ = remove_ours(staging);
                return Err(io(out)(e));
            }
            if is_ours(old) {
                std::fs::remove_dir_all(old).map_err(io(old))?;
            } else {
                // It was an empty directory without our marker.
                std::fs::remove_dir(old).map_err(io(old))?;
            }
        } else if let Err(e) = std::fs::rename(staging, out) {
            let _ = remove_ours(staging);
            return Err(io(out)(e));
        }
        Ok(stats)
    }

    /// Give up: remove the staging directory; `out` stays as it was.
    pub fn abandon(self) {
        let _ = remove_ours(&self.dir);
    }
}

impl crate::output::Sink for Staging {
    fn put(&self, file: crate::output::File) -> std::io::Result<()> {
        self.write(&file.path, &file.bytes).map_err(into_io)
    }

    fn put_written(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.write_with(path, write).map_err(into_io)
    }
}

fn into_io(e: WriteError) -> std::io::Error {
    match e {
        WriteError::Io { source, .. } => source,
        // Kept whole inside the I/O error, so its message and source survive.
        other => std::io::Error::other(other),
    }
}

/// Remove `dir` if it exists and carries our marker (a leftover of a crash).
fn remove_ours(dir: &Path) -> Result<(), WriteError> {
    if !dir.exists() {
        return Ok(());
    }
    if is_ours(dir) {
        std::fs::remove_dir_all(dir).map_err(io(dir))
    } else {
        Err(WriteError::NotOurs(dir.to_path_buf()))
    }
}

/// Nanoseconds since 1970, to make a name unique.
fn nanos() -> u128 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// `out` resolved, once it is known to be a place a build may replace: not a
/// symbolic link, not the current directory or above it, clear of `sources`.
fn resolve_out(out: &Path, sources: &Sources<'_>) -> Result<PathBuf, WriteError> {
    // Without a trailing `/` or `/.`, which would look through a link.
    let given: PathBuf = out.components().collect();
    let given = if given.as_os_str().is_empty() { PathBuf::from(".") } else { given };
    if let Ok(meta) = std::fs::symlink_metadata(&given) {
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&given).map_err(io(&given))?;
            return Err(WriteError::Symlink { out: out.to_path_buf(), target });
        }
    }
    let real = resolve(&given)?;
    if let Ok(cwd) = std::env::current_dir() {
        if resolve(&cwd).unwrap_or(cwd).starts_with(&real) {
            return Err(WriteError::HoldsWorkingDir(out.to_path_buf()));
        }
    }
    let dir = resolve(sources.dir)?;
    if real == dir {
        return Err(WriteError::IsSources { out: out.to_path_buf(), dir });
    }
    let mut kept = vec![dir.clone()];
    for name in sources.folders {
        let folder = resolve(&dir.join(name))?;
        if real.starts_with(&folder) {
            return Err(WriteError::InSources { out: out.to_path_buf(), name: (*name).to_string(), folder });
        }
        kept.push(folder);
    }
    match kept.into_iter().find(|k| k.starts_with(&real)) {
        Some(kept) => Err(WriteError::HoldsSources { out: out.to_path_buf(), kept }),
        None => Ok(real),
    }
}

/// `path` made absolute with its symbolic links, `.` and `..` resolved,
/// whether it exists or not: the part that exists as the file system sees
/// it, the rest by its names.
fn resolve(path: &Path) -> Result<PathBuf, WriteError> {
    let absolute = std::path::absolute(path).map_err(io(path))?;
    let parts: Vec<Component<'_>> = absolute.components().collect();
    for split in (1..=parts.len()).rev() {
        let head: PathBuf = parts[..split].iter().collect();
        match head.canonicalize() {
            Ok(mut real) => {
                for part in &parts[split..] {
                    match part {
                        Component::ParentDir => {
                            real.pop();
                        }
                        Component::Normal(name) => real.push(name),
                        Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
                    }
                }
                return Ok(real);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&head)(e)),
        }
    }
    Ok(absolute)
}

/// The lock on an output directory: a file beside it, created only if
/// absent, holding the building process's id; removed when dropped.
struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Take the lock on `parent/name` (shown as `out`), waiting up to
    /// [`LOCK_WAIT`] for another build, and taking over a stale lock.
    fn take(out: &Path, parent: &Path, name: &str) -> Result<(Lock, Option<TakenOver>), WriteError> {
        let path = parent.join(format!(".{name}.casebook-lock"));
        let started = Instant::now();
        let mut taken_over = None;
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let lock = Lock { path: path.clone() };
                    writeln!(file, "{}", std::process::id()).map_err(io(&path))?;
                    return Ok((lock, taken_over));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = std::fs::read_to_string(&path).ok().and_then(|text| text.trim().parse::<u32>().ok());
                    if stale(&path, pid) {
                        match std::fs::remove_file(&path) {
                            Ok(()) => taken_over = Some(TakenOver { lock: path.clone(), pid }),
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                            Err(e) => return Err(io(&path)(e)),
                        }
                    } else if started.elapsed() >= LOCK_WAIT {
                        return Err(WriteError::Locked {
                            out: out.to_path_buf(),
                            lock: path,
                            pid,
                            waited: started.elapsed(),
                        });
                    } else {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
                Err(e) => return Err(io(&path)(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the process `pid` is running: `None` where that cannot be told.
fn alive(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(true);
    }
    let proc = Path::new("/proc");
    (cfg!(target_os = "linux") && proc.join("self").exists()).then(|| proc.join(pid.to_string()).exists())
}

/// Whether the lock at `path`, naming `pid`, was left by a build that ended.
fn stale(path: &Path, pid: Option<u32>) -> bool {
    let age =
        || std::fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).unwrap_or_default();
    match pid.map(alive) {
        Some(Some(alive)) => !alive,
        Some(None) => age() > STALE_AGE,
        // No id written: a build that died between creating the file and
        // writing to it, unless the file is brand new.
        None => age() > LOCK_WAIT,
    }
}

/// Remove what builds of `parent/name` that ended without finishing left:
/// staging and old copies named by our pattern whose process is not running,
/// and, under the names before those had a process id, the ones that carry
/// our marker. Called with the lock held.
fn remove_leftovers(parent: &Path, name: &str) -> Result<(), WriteError> {
    let patterns = [format!(".{name}.casebook-staging-"), format!(".{name}.casebook-old-")];
    let entries = std::fs::read_dir(parent).map_err(io(parent))?;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| patterns.iter().find_map(|p| n.strip_prefix(p.as_str())))
        else {
            continue;
        };
        let Some((pid, time)) = rest.split_once('-') else { continue };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let (true, true, Ok(pid)) = (digits(pid), digits(time), pid.parse::<u32>()) else { continue };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && alive(pid) != Some(true) {
            let path = entry.path();
            std::fs::remove_dir_all(&path).map_err(io(&path))?;
        }
    }
    for legacy in [format!(".{name}.casebook-staging"), format!(".{name}.casebook-old")] {
        let path = parent.join(legacy);
        if is_ours(&path) {
            remove_ours(&path)?;
        }
    }
    Ok(())
}
