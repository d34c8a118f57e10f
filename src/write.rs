//! Everything Casebook writes to disk goes through here.
//!
//! Last stage of the pipeline. The scaffolds of `init` and `new` are only ever
//! created, never overwritten, and `init` refuses a directory that already has
//! content. A built site is written to a staging directory and swapped in by
//! rename, so a failed build leaves the previous site untouched; a directory is
//! replaced only if it is empty or carries Casebook's marker file, so a
//! mistyped `--output` cannot delete someone's work.

use std::io::Write as _;
use std::path::{Path, PathBuf};

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
}

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
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    files: std::sync::atomic::AtomicUsize,
    bytes: std::sync::atomic::AtomicU64,
}

impl Staging {
    /// Check that `out` may be replaced and create an empty staging directory.
    pub fn begin(out: &Path) -> Result<Staging, WriteError> {
        if out.exists() && !out.is_dir() {
            return Err(WriteError::Exists(out.to_path_buf()));
        }
        let empty = is_missing_or_empty(out)?;
        if !empty && !is_ours(out) {
            return Err(WriteError::NotOurs(out.to_path_buf()));
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let dir = parent.join(format!(".{name}.casebook-staging"));
        let old = parent.join(format!(".{name}.casebook-old"));
        for leftover in [&dir, &old] {
            remove_ours(leftover)?;
        }
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let marker = dir.join(MARKER);
        std::fs::write(&marker, MARKER_TEXT).map_err(io(&marker))?;
        let made = std::sync::Mutex::new(std::collections::HashSet::from([dir.clone()]));
        Ok(Staging { out: out.to_path_buf(), dir, old, made, files: Default::default(), bytes: Default::default() })
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
