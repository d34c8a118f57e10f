//! Reads a knowledge base directory into the model, checking everything.
//!
//! Layer 2 of the pipeline (see `docs/architecture.md`) and, with `write`
//! and `serve`, the only one that touches the file system. It walks `incidents/`, decodes and splits each record, parses the
//! front matter with spans, converts it to the model (`record`) and runs the
//! policy and writing lints of that record alone (`lint`), all in parallel;
//! then it checks that every reference names a record (`crossref`). Checks
//! that need the analysis of every record (similar incidents, guardrails that
//! may not hold) run later, in `crosscheck`. Problems are collected, never
//! returned early: one run reports every broken file.

mod crossref;
mod front_matter;
mod lint;
pub use lint::HISTORY;
mod raw;
mod record;
mod unknown_keys;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::config::{self, Config};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, SourceFile};
use crate::model::{Incident, KnowledgeBase, is_id};
use crate::output::File;
use crate::output::Template;
use front_matter::SplitError;
use raw::S;

/// The folders of a knowledge base its sources are read from: records,
/// template overrides, static files and themes. A build's output may not be
/// in one of them.
pub const SOURCE_FOLDERS: [&str; 4] = ["incidents", "templates", "static", "themes"];

/// What loading needs to know beyond the files.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// The build date: decides what is late or overdue.
    pub today: NaiveDate,
}

/// The result of loading: the config, every record that could be understood
/// (drafts included), and every problem found.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub kb: KnowledgeBase,
    pub diagnostics: Diagnostics,
    /// How many record files were found (including ones that failed to parse).
    pub files: usize,
    /// Templates that override the default theme's, by name: a named theme's
    /// (`themes/NAME/templates/`), then the knowledge base's own `templates/`.
    pub templates: Vec<Template>,
    /// Files to copy to the site: a named theme's `static/` (under `static/`),
    /// then the knowledge base's `static/` (at the site root).
    pub static_files: Vec<File>,
    /// Where each record that parsed is, in file order: what checks across
    /// records (`crosscheck`) point at.
    pub anchors: Vec<Anchor>,
    /// How long each step of loading took, in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Errors that stop loading before any record is read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}: no such directory")]
    NoDirectory(PathBuf),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Where a record is, for the checks that run after analysis: its file and
/// the line of its title (or id, or its first line).
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The record's position in [`KnowledgeBase::incidents`].
    pub incident: usize,
    pub path: PathBuf,
    pub headline: Location,
}

/// One parsed record with what later checks need: its text and spans.
pub(crate) struct Parsed {
    pub source: SourceFile,
    pub offset: usize,
    /// Where the body starts in `source.text`.
    pub body_offset: usize,
    pub raw: raw::RawRecord,
    pub incident: Incident,
}

impl Parsed {
    fn anchor(&self, incident: usize) -> Anchor {
        let headline = match self.raw.title.as_ref().or(self.raw.id.as_ref()).map(S::span) {
            Some(s) => self.source.location(s.start + self.offset..s.end + self.offset),
            None => self.source.line_location(1),
        };
        Anchor { incident, path: self.source.path.clone(), headline }
    }

    /// Keep only what the checks across records read: the spans of the id,
    /// the title, the references and the names, and the lines they start on
    /// (for locations). The incident keeps everything else.
    fn thin(&mut self) {
        self.raw.thin();
        let raw = &self.raw;
        let names = raw.services.iter().flat_map(|s| s.get_ref()).chain(raw.tags.iter().flatten());
        let spans = [&raw.id, &raw.title]
            .into_iter()
            .flatten()
            .chain(&raw.recurrence_of)
            .chain(names)
            .map(S::span)
            .chain(raw.related.iter().map(S::span));
        let starts: Vec<usize> = spans.map(|s| s.start + self.offset).collect();
        self.source.keep_lines(self.body_offset, starts);
    }
}

/// Load and check the knowledge base at `dir`. Paths in diagnostics are `dir`
/// joined with the file's relative path, so they can be opened from where the
/// command ran.
pub fn load(dir: &Path, options: LoadOptions) -> Result<Loaded, LoadError> {
    if !dir.is_dir() {
        return Err(LoadError::NoDirectory(dir.to_path_buf()));
    }
    let mut diags = Diagnostics::default();
    let inside = Inside::new(dir);

    let config_path = dir.join(config::FILE_NAME);
    let config_escapes = config_path.is_symlink().then(|| inside.escapes(&config_path)).flatten();
    if let Some(target) = &config_escapes {
        diags.push(escaping_link(&config_path, target));
    }
    let config = match std::fs::read(&config_path) {
        _ if config_escapes.is_some() => Config::default(),
        Ok(bytes) => match decode(config_path.clone(), bytes, &mut diags) {
            Some(source) => Config::parse(&source, &mut diags),
            None => Config::default(),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
        Err(e) => {
            diags.push(Diagnostic::error("read-error", &config_path, format!("cannot read: {e}")));
            Config::default()
        }
    };

    let config_ok = !diags.has_errors();
    let mut timings = Vec::new();
    let mut mark = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        let now = std::time::Instant::now();
        timings.push((name, now - mark));
        mark = now;
    };
    let incidents_dir = dir.join("incidents");
    let files = if incidents_dir.is_dir() {
        walk(&incidents_dir, &inside, &mut diags)
    } else {
        diags.push(Diagnostic::error("no-records", &incidents_dir, "no incidents/ folder in the knowledge base").help(
            format!("put records in {}/incidents/, or create a knowledge base with `casebook init`", dir.display()),
        ));
        Vec::new()
    };

    // Read and parse every record in parallel; each keeps its own
    // diagnostics, merged in file order so the output never depends on timing.
    enum Outcome {
        Parsed(Box<Parsed>),
        /// Records that could not be read still own their file name as an id,
        /// so references to them do not pile more errors on the one that matters.
        Unreadable(String),
        Skipped,
    }
    let outcomes: Vec<(Outcome, Diagnostics)> = files
        .par_iter()
        .map(|path| {
            let mut diags = Diagnostics::default();
            let shown = path.clone();
            let relative = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
            let bytes = match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    diags.push(
                        Diagnostic::error("read-error", &shown, format!("cannot read the file: {e}"))
                            .help("check the file's permissions"),
                    );
                    return (Outcome::Skipped, diags);
                }
            };
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let Some(source) = decode(shown, bytes, &mut diags) else {
                return (Outcome::Unreadable(stem), diags);
            };
            let outcome = match parse_record(source, &config, config_ok, &mut diags) {
                Some(mut p) => {
                    p.incident.source = relative;
                    // The checks of one record on its own, while it is at hand;
                    // what the checks across records need is all that stays.
                    lint::check(&p, &config, options.today, &mut diags);
                    p.thin();
                    Outcome::Parsed(Box::new(p))
                }
                None => Outcome::Unreadable(stem),
            };
            (outcome, diags)
        })
        .collect();
    let mut parsed = Vec::with_capacity(outcomes.len());
    let mut unreadable_ids: Vec<String> = Vec::new();
    for (outcome, d) in outcomes {
        diags.extend(d);
        match outcome {
            Outcome::Parsed(p) => parsed.push(*p),
            Outcome::Unreadable(id) => unreadable_ids.push(id),
            Outcome::Skipped => {}
        }
    }

    lap("reading and parsing");
    crossref::check(&parsed, &unreadable_ids, &mut diags);
    crossref::check_names(&parsed, &mut diags);
    check_reading_path(&config, &parsed, &unreadable_ids, &mut diags);
    lap("checking records");

    let (templates, static_files) = theme_files(dir, &inside, &config, &mut diags);

    // Sort positions rather than the records themselves, which are large
    // to move; the sort is stable, so ties keep file order.
    let mut order: Vec<usize> = (0..parsed.len()).collect();
    order.sort_by(|&a, &b| parsed[a].incident.start_key().cmp(&parsed[b].incident.start_key()));
    let mut position = vec![0; parsed.len()];
    for (at, &i) in order.iter().enumerate() {
        position[i] = at;
    }
    let anchors: Vec<Anchor> = parsed.iter().zip(&position).map(|(p, &incident)| p.anchor(incident)).collect();
    let mut slots: Vec<Option<Incident>> = parsed.into_iter().map(|p| Some(p.incident)).collect();
    let incidents: Vec<Incident> = order.iter().filter_map(|&i| slots[i].take()).collect();
    if config.policy.strict {
        diags.make_strict();
    }
    Ok(Loaded {
        config,
        kb: KnowledgeBase { incidents },
        diagnostics: diags,
        files: files.len(),
        templates,
        static_files,
        anchors,
        timings,
    })
}

/// Every incident of the curated reading path (`[[start]]` in casebook.toml) exists.
fn check_reading_path(config: &Config, parsed: &[Parsed], unreadable: &[String], diags: &mut Diagnostics) {
    let ids: Vec<&str> = parsed.iter().map(|p| p.incident.id.as_str()).collect();
    for pick in &config.start {
        if ids.contains(&pick.incident.as_str()) || unreadable.contains(&pick.incident) {
            continue;
        }
        let help = match crate::diagnostics::toml_error::suggest(&pick.incident, &ids) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "give the id of a record in incidents/ (its `id`, or its file name without .md)".into(),
        };
        diags.push(
            Diagnostic::error(
                "config",
                &pick.path,
                format!("the reading path names `{}`, which is no incident", pick.incident),
            )
            .at(Some(pick.at.clone()))
            .help(help),
        );
    }
}

/// Load one record on its own, for a quick preview: `None` if it has any
/// error (the full rebuild will report it). Cross-record checks are skipped.
pub fn load_one(dir: &Path, path: &Path, config: &Config) -> Option<Incident> {
    let mut diags = Diagnostics::default();
    let bytes = std::fs::read(path).ok()?;
    let source = decode(path.to_path_buf(), bytes, &mut diags)?;
    let mut parsed = parse_record(source, config, true, &mut diags)?;
    if diags.has_errors() {
        return None;
    }
    parsed.incident.source = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
    Some(parsed.incident)
}

/// Check one record's text on its own, without the file system: what
/// [`load_one`] runs (split, front matter, conversion) and the record's own
/// lints, as of `today`. `path` only names the record in the diagnostics (and
/// gives the id when the front matter has none). Cross-record checks are
/// skipped. Every problem is returned; this never panics, whatever the text.
pub fn check_text(path: &Path, text: &str, config: &Config, today: NaiveDate) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let source = SourceFile::new(path.to_path_buf(), text.to_string());
    if let Some(parsed) = parse_record(source, config, true, &mut diags) {
        lint::check(&parsed, config, today, &mut diags);
    }
    diags
}

/// Template overrides and static files from a named theme and the knowledge base.
fn theme_files(dir: &Path, inside: &Inside, config: &Config, diags: &mut Diagnostics) -> (Vec<Template>, Vec<File>) {
    let mut templates: Vec<Template> = Vec::new();
    let mut statics: Vec<File> = Vec::new();
    let mut add_templates = |root: &Path, diags: &mut Diagnostics| {
        for (name, bytes) in files_under(root, inside, diags) {
            match String::from_utf8(bytes) {
                Ok(text) => {
                    templates.retain(|t| t.name != name);
                    let path = root.join(&name);
                    templates.push(Template { name, text, path });
                }
                Err(_) => diags.push(Diagnostic::error("not-utf8", &root.join(&name), "template is not UTF-8")),
            }
        }
    };
    if config.theme != "default" {
        let theme_dir = dir.join("themes").join(&config.theme);
        if theme_dir.is_dir() {
            add_templates(&theme_dir.join("templates"), diags);
            statics.extend(
                files_under(&theme_dir.join("static"), inside, diags)
                    .into_iter()
                    .map(|(p, bytes)| File { path: format!("static/{p}"), bytes }),
            );
        } else {
            diags.push(
                Diagnostic::error(
                    "config",
                    &dir.join(config::FILE_NAME),
                    format!("theme `{}` not found: no folder {}", config.theme, theme_dir.display()),
                )
                .help("put the theme in themes/NAME/ (templates/ and static/), or use name = \"default\""),
            );
        }
    }
    add_templates(&dir.join("templates"), diags);
    statics
        .extend(files_under(&dir.join("static"), inside, diags).into_iter().map(|(path, bytes)| File { path, bytes }));
    (templates, statics)
}

/// Every non-hidden file under `root`, as (path relative to root with `/`, bytes).
fn files_under(root: &Path, inside: &Inside, diags: &mut Diagnostics) -> Vec<(String, Vec<u8>)> {
    if !root.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in visible_entries(root, inside, true, diags) {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                let name = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                match std::fs::read(e.path()) {
                    Ok(bytes) => out.push((name, bytes)),
                    Err(err) => diags.push(Diagnostic::error("read-error", e.path(), format!("cannot read: {err}"))),
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                diags.push(Diagnostic::error("read-error", &path, format!("cannot read: {err}")));
            }
        }
    }
    out
}

/// The knowledge base's folder, resolved, to tell the symbolic links that
/// stay inside it from those that lead out.
struct Inside {
    root: Option<PathBuf>,
}

impl Inside {
    fn new(dir: &Path) -> Self {
        Inside { root: dir.canonicalize().ok() }
    }

    /// Where the symbolic link `path` leads, when that is out of the knowledge
    /// base. Links that resolve nowhere are left to the reader, which reports them.
    fn escapes(&self, path: &Path) -> Option<PathBuf> {
        let target = path.canonicalize().ok()?;
        match &self.root {
            Some(root) if target.starts_with(root) => None,
            _ => Some(target),
        }
    }
}

/// The error for a symbolic link at `link` that leads out of the knowledge base, to `target`.
fn escaping_link(link: &Path, target: &Path) -> Diagnostic {
    Diagnostic::error(
        "link-outside",
        link,
        format!("symbolic link leads out of the knowledge base, to {}", target.display()),
    )
    .help(
        "Casebook reads and publishes only what is inside the knowledge base, so a link cannot publish a file of the \
         machine that builds it; copy the file into the knowledge base, or point the link at a file inside it",
    )
}

/// Walk `root` (in name order if `sorted`), following links that stay in the
/// knowledge base, skipping hidden files and folders. A link that leads out
/// is an error, and neither it nor what is under it is walked.
fn visible_entries(
    root: &Path,
    inside: &Inside,
    sorted: bool,
    diags: &mut Diagnostics,
) -> Vec<walkdir::Result<walkdir::DirEntry>> {
    let walker = walkdir::WalkDir::new(root).follow_links(true);
    let walker = if sorted { walker.sort_by_file_name() } else { walker };
    let mut escaping: Vec<(PathBuf, PathBuf)> = Vec::new();
    let entries = walker
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.') {
                return false;
            }
            if !e.path_is_symlink() {
                return true;
            }
            match inside.escapes(e.path()) {
                Some(target) => {
                    escaping.push((e.path().to_path_buf(), target));
                    false
                }
                None => true,
            }
        })
        .collect();
    for (link, target) in escaping {
        diags.push(escaping_link(&link, &target));
    }
    entries
}

/// A key that sorts paths as a walk in name order visits them: the path's
/// bytes with each separator as 0, below any byte of a name, so a folder's
/// files come before a sibling whose name extends the folder's.
fn walk_order(path: &Path) -> Vec<u8> {
    let separators = [b'/', std::path::MAIN_SEPARATOR as u8];
    path.as_os_str().as_encoded_bytes().iter().map(|&b| if separators.contains(&b) { 0 } else { b }).collect()
}

/// Every `.md` file under `root`, sorted, skipping hidden entries. Walk errors
/// (unreadable folders, symlink loops) become diagnostics.
fn walk(root: &Path, inside: &Inside, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut files = Vec::new();
    // Sorted once at the end: walkdir's sort takes both names apart again at
    // every comparison, which cost more than parsing at 10,000 records.
    for entry in visible_entries(root, inside, false, diags) {
        match entry {
            Ok(e) if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md") => {
                files.push(e.into_path());
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(root).to_path_buf();
                let (message, help) = match e.loop_ancestor() {
                    Some(ancestor) => (
                        format!("symbolic link loop back to {}", ancestor.display()),
                        "remove or re-point the link; Casebook follows links inside incidents/",
                    ),
                    None => (
                        format!("cannot read: {}", e.io_error().map_or_else(|| e.to_string(), ToString::to_string)),
                        "check the permissions of this file or folder",
                    ),
                };
                diags.push(Diagnostic::error("read-error", &path, message).help(help));
            }
        }
    }
    files.sort_by_cached_key(|path| walk_order(path));
    files
}

/// Bytes to text, reporting the first invalid byte of a non-UTF-8 file.
fn decode(path: PathBuf, bytes: Vec<u8>, diags: &mut Diagnostics) -> Option<SourceFile> {
    match String::from_utf8(bytes) {
        Ok(text) => Some(SourceFile::new(path, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let byte = bytes.get(at).copied().unwrap_or_default();
            let lossy = SourceFile::new(path, String::from_utf8_lossy(&bytes).into_owned());
            diags.push(
                Diagnostic::error(
                    "not-utf8",
                    &lossy.path,
                    format!("the file is not UTF-8: invalid byte 0x{byte:02x} at byte offset {at}"),
                )
                .at(Some(lossy.location(at..at + 1)))
                .help("save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.new`"),
            );
            None
        }
    }
}

fn parse_record(source: SourceFile, config: &Config, config_ok: bool, diags: &mut Diagnostics) -> Option<Parsed> {
    let (toml_text, offset, body) = match front_matter::split(&source.text) {
        Ok(s) => (s.toml, s.toml_offset, s.body),
        Err(e) => {
            diags.push(split_error(&source, e));
            return None;
        }
    };
    let raw: raw::RawRecord = match toml::from_str(toml_text) {
        Ok(raw) => raw,
        Err(err) => {
            for err in unknown_keys::all(toml_text, err) {
                crate::diagnostics::toml_error::report(&source, offset, &err, diags);
            }
            return None;
        }
    };
    let body_offset = source.text.len() - body.len();
    let id = record_id(&source, offset, &raw, diags)?;
    let mut ctx = record::RecordCtx { source: &source, offset, diags, zone: record::Zone::Unset };
    let incident = record::convert(&mut ctx, &raw, id, body, config, config_ok);
    Some(Parsed { source, offset, body_offset, raw, incident })
}

/// The record's id: `id` from the front matter, else the file stem.
fn record_id(source: &SourceFile, offset: usize, raw: &raw::RawRecord, diags: &mut Diagnostics) -> Option<String> {
    if let Some(id) = &raw.id {
        if is_id(id.get_ref()) {
            return Some(id.get_ref().clone());
        }
        let span = id.span();
        diags.push(
            Diagnostic::error("bad-value", &source.path, format!("`{}` is not a valid incident id", id.get_ref()))
                .at(Some(source.location(span.start + offset..span.end + offset)))
                .help(format!(
                    "ids use letters, digits, '-' and '_': id = \"{}\"",
                    crate::model::slugify(id.get_ref())
                )),
        );
        return None;
    }
    let stem = source.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if is_id(&stem) {
        return Some(stem);
    }
    diags.push(
        Diagnostic::error("bad-value", &source.path, format!("the file name `{stem}` is not a valid incident id"))
            .at(Some(source.line_location(1)))
            .help(format!(
                "rename the file, or set an id in the front matter: id = \"{}\"",
                crate::model::slugify(&stem)
            )),
    );
    None
}

fn split_error(source: &SourceFile, e: SplitError) -> Diagnostic {
    let path = &source.path;
    match e {
        SplitError::Empty => Diagnostic::error("empty-record", path, "the file is empty")
            .help("start it with TOML front matter between +++ lines, or create one with `casebook new \"Title\"`"),
        SplitError::Yaml { open } => Diagnostic::error("yaml-front-matter", path, "front matter is YAML (`---`); Casebook reads TOML between `+++` lines")
            .at(Some(source.location(open..open + 3)))
            .help("replace both `---` lines with `+++` and write each `key: value` as `key = value`,\nquoting strings: title = \"Checkout errors\", services = [\"payments-api\"]"),
        SplitError::Missing { first_line } => Diagnostic::error("missing-front-matter", path, "the record does not start with `+++` front matter")
            .at(Some(source.location(first_line..first_line + source.text[first_line..].find(['\r', '\n']).unwrap_or(source.text.len() - first_line))))
            .help("begin the file with a line `+++`, the TOML fields, and a closing line `+++`"),
        SplitError::Unclosed { open } => Diagnostic::error("unclosed-front-matter", path, "the front matter opened here is never closed")
            .at(Some(source.location(open..open + 3)))
            .help("add a line `+++` after the last front-matter field"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_order_is_name_order_folder_by_folder() {
        let mut paths: Vec<PathBuf> =
            ["r/2021-old/a.md", "r/2021/z.md", "r/b.md", "r/2021/a.md", "r/a b.md"].iter().map(PathBuf::from).collect();
        paths.sort_by_cached_key(|p| walk_order(p));
        let sorted: Vec<&str> = paths.iter().filter_map(|p| p.to_str()).collect();
        assert_eq!(sorted, ["r/2021/a.md", "r/2021/z.md", "r/2021-old/a.md", "r/a b.md", "r/b.md"]);
    }
}
