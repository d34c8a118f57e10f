//! Everything Casebook writes to disk goes through here.
//!
//! Last stage of the pipeline. For now it creates the scaffolds of `init` and
//! `new`: files are only ever created, never overwritten, and `init` refuses a
//! directory that already has content, so a mistyped path cannot clobber work.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::scaffold::NewFile;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} already exists and is not empty")]
    NotEmpty(PathBuf),
    #[error("{0} already exists; Casebook does not overwrite files")]
    Exists(PathBuf),
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
