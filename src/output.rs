//! Files in memory and where they go: the one type every stage that makes
//! files shares.
//!
//! Bottom layer (see `docs/architecture.md`). `load` reads theme and static
//! files into [`File`]s, `index` and `render` make them, `scaffold` writes
//! new records as them, and a [`Sink`] takes them: `write::Staging` writes
//! each into a staging directory, [`MemorySink`] keeps them for `serve`.

/// One file: a path relative to its root, with `/` separators, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Where made files go: straight to a staging directory for `build`, or
/// into memory for `serve`. Called from several threads at once.
pub trait Sink: Sync {
    fn put(&self, file: File) -> std::io::Result<()>;

    /// A file written piece by piece by `write`, for a file too large to
    /// hold twice (the JSON exports). By default it is gathered, then put.
    fn put_written(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut bytes = Vec::new();
        write(&mut bytes)?;
        self.put(File { path: path.to_string(), bytes })
    }
}

/// Keeps every file in memory, in the order they arrive.
#[derive(Default)]
pub struct MemorySink {
    files: std::sync::Mutex<Vec<File>>,
}

impl MemorySink {
    /// The files, sorted by path.
    pub fn into_files(self) -> Vec<File> {
        let mut files = match self.files.into_inner() {
            Ok(files) => files,
            Err(poisoned) => poisoned.into_inner(),
        };
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Sink for MemorySink {
    fn put(&self, file: File) -> std::io::Result<()> {
        match self.files.lock() {
            Ok(mut files) => files.push(file),
            Err(poisoned) => poisoned.into_inner().push(file),
        }
        Ok(())
    }
}

/// A template of the theme given by the knowledge base or a named theme, by
/// the name it replaces (`base.html`, `partials/header.html`).
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub text: String,
    /// The file it was read from, as diagnostics show it.
    pub path: std::path::PathBuf,
}
