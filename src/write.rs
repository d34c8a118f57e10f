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

use crate::scaffold::NewFile;

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
pub fn create_new_files(dir: &Path, files: &[NewFile]) -> Result<Vec<PathBuf>, WriteError> {
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
        file.write_all(f.contents.as_bytes()).map_err(io(&path))?;
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

/// Write a built site to `out` atomically: everything goes into a staging
/// directory beside `out`, which then replaces `out` by rename. A failure at
/// any point leaves the previous `out` untouched. `out` must be missing,
/// empty, or carry our marker; nothing outside `out` and our own staging
/// directories is ever removed.
pub fn write_site(out: &Path, files: &[crate::render::OutputFile]) -> Result<WriteStats, WriteError> {
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
    let staging = parent.join(format!(".{name}.casebook-staging"));
    let old = parent.join(format!(".{name}.casebook-old"));
    for leftover in [&staging, &old] {
        remove_ours(leftover)?;
    }

    let result = fill(&staging, files);
    let stats = match result {
        Ok(stats) => stats,
        Err(e) => {
            let _ = remove_ours(&staging);
            return Err(e);
        }
    };

    if out.exists() {
        std::fs::rename(out, &old).map_err(io(out))?;
        if let Err(e) = std::fs::rename(&staging, out) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(&old, out);
            let _ = remove_ours(&staging);
            return Err(io(out)(e));
        }
        if is_ours(&old) {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            // It was an empty directory without our marker.
            std::fs::remove_dir(&old).map_err(io(&old))?;
        }
    } else {
        std::fs::rename(&staging, out).map_err(io(out))?;
    }
    Ok(stats)
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

fn fill(staging: &Path, files: &[crate::render::OutputFile]) -> Result<WriteStats, WriteError> {
    std::fs::create_dir_all(staging).map_err(io(staging))?;
    let marker = staging.join(MARKER);
    std::fs::write(&marker, MARKER_TEXT).map_err(io(&marker))?;
    let mut dirs: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    let mut bytes = 0u64;
    for f in files {
        let path = staging.join(&f.path);
        if let Some(parent) = path.parent() {
            if dirs.insert(parent.to_path_buf()) {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
        }
        std::fs::write(&path, &f.bytes).map_err(io(&path))?;
        bytes += f.bytes.len() as u64;
    }
    Ok(WriteStats { files: files.len(), bytes })
}
