//! Which file-system changes matter to the preview.
//!
//! `classify` is a pure function of the knowledge base directory and a changed
//! path. Editors' swap, backup and temporary files, hidden files, and the
//! output of earlier builds are ignored, so saving a record triggers one
//! rebuild, not three.

use std::path::Path;

/// What a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Ignored,
    Record,
    Config,
    Template,
    Static,
}

/// Classify a changed `path` inside the knowledge base `dir`. `output` is a
/// build output folder inside it to ignore (`public/` by default).
pub fn classify(dir: &Path, output: &Path, path: &Path) -> ChangeKind {
    let Ok(relative) = path.strip_prefix(dir) else { return ChangeKind::Ignored };
    if let Ok(rel_out) = output.strip_prefix(dir) {
        if !rel_out.as_os_str().is_empty() && relative.starts_with(rel_out) {
            return ChangeKind::Ignored;
        }
    }
    let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.iter().any(|p| p.starts_with('.')) {
        return ChangeKind::Ignored;
    }
    let Some(name) = parts.last() else { return ChangeKind::Ignored };
    if is_editor_temp(name) {
        return ChangeKind::Ignored;
    }
    match parts.first().map(String::as_str) {
        Some("casebook.toml") if parts.len() == 1 => ChangeKind::Config,
        Some("incidents") if name.ends_with(".md") => ChangeKind::Record,
        // A folder under incidents/ was renamed or removed: its records changed.
        Some("incidents") if !name.contains('.') => ChangeKind::Record,
        Some("templates") | Some("themes") => ChangeKind::Template,
        Some("static") => ChangeKind::Static,
        _ => ChangeKind::Ignored,
    }
}

/// Whether a file-system event changes content. Reads (open, access, close
/// without writing) are not changes: the rebuild itself reads every file, and
/// counting those would rebuild forever.
pub fn is_change(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::{MetadataKind, ModifyKind};
    match kind {
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => true,
    }
}

/// Swap, backup and temporary files written by editors while saving.
fn is_editor_temp(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with('#')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".kate-swp", ".crswap", ".part"].iter().any(|s| name.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_knowledge_base_changes() {
        let dir = Path::new("/kb");
        let out = Path::new("/kb/public");
        let c = |p: &str| classify(dir, out, Path::new(p));
        assert_eq!(c("/kb/incidents/2024/a.md"), ChangeKind::Record);
        assert_eq!(c("/kb/incidents/2024"), ChangeKind::Record);
        assert_eq!(c("/kb/casebook.toml"), ChangeKind::Config);
        assert_eq!(c("/kb/templates/base.html"), ChangeKind::Template);
        assert_eq!(c("/kb/themes/corp/templates/base.html"), ChangeKind::Template);
        assert_eq!(c("/kb/static/logo.svg"), ChangeKind::Static);
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::EventKind;
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, ModifyKind, RemoveKind};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(AccessMode::Read))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(DataChange::Any))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Remove(RemoveKind::File)));
    }

    #[test]
    fn ignores_editor_files_hidden_files_output_and_the_rest() {
        let dir = Path::new("/kb");
        let out = Path::new("/kb/public");
        let c = |p: &str| classify(dir, out, Path::new(p));
        for ignored in [
            "/kb/incidents/.a.md.swp",
            "/kb/incidents/a.md~",
            "/kb/incidents/#a.md#",
            "/kb/incidents/.#a.md",
            "/kb/incidents/4913",
            "/kb/incidents/a.md.tmp",
            "/kb/incidents/notes.txt",
            "/kb/public/index.html",
            "/kb/.git/index",
            "/kb/.public.casebook-staging/x",
            "/kb/README.md",
            "/elsewhere/incidents/a.md",
        ] {
            assert_eq!(c(ignored), ChangeKind::Ignored, "{ignored}");
        }
    }
}
