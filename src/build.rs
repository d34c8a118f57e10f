//! `casebook build`: the whole pipeline, load → analyze → check across
//! records → index and render → write.
//!
//! Layer L5. Kept apart from the commands (`cmd/`) so tests and `serve` run
//! the same build. Content errors stop the build before anything is written;
//! the previous site stays as it was. Failures are typed ([`BuildError`]),
//! each wrapping the stage's own error: the commands decide what to print.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::analyze::Analysis;
use crate::analyze::similar::{self, Similarity};
use crate::crosscheck;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::index::IndexError;
use crate::load::{self, LoadOptions, Loaded};
use crate::model::{KnowledgeBase, RecordStatus};
use crate::output::{File, Sink};
use crate::render::cache::RenderCache;
use crate::render::{self, Output, RenderError, RenderOptions, theme::Theme};
use crate::write;

#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub today: NaiveDate,
    pub drafts: bool,
    pub strict: bool,
}

/// A successful build.
#[derive(Debug)]
pub struct Built {
    /// Warnings (errors stop the build).
    pub diagnostics: Diagnostics,
    pub incidents: usize,
    pub pages: usize,
    pub files: usize,
    pub bytes: u64,
    pub elapsed: Duration,
    /// How long each phase took, in order.
    pub timings: Vec<(String, Duration)>,
    /// Policy warnings set aside on imported records.
    pub set_aside: SetAside,
    /// The lock on the output directory left by a build that ended, taken over.
    pub taken_over: Option<write::TakenOver>,
}

/// Why a build stopped. [`BuildError::Content`] is the knowledge base's
/// problem, reported as diagnostics; every other variant means the build
/// could not run at all, and wraps the stage's own error, whose message is
/// the one users see.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The knowledge base has errors (or warnings under strict): nothing written.
    #[error("the knowledge base has {} errors", .0.error_count())]
    Content(Diagnostics),
    /// The knowledge base cannot be read: a missing directory, an I/O failure.
    #[error(transparent)]
    Load(#[from] load::LoadError),
    /// The output directory cannot be prepared or swapped in.
    #[error(transparent)]
    Write(#[from] write::WriteError),
    /// A page could not be rendered (or handed to the output while rendering).
    #[error("rendering failed: {0}")]
    Render(#[source] RenderError),
    /// A search index or static file could not be handed to the output.
    #[error(transparent)]
    Output(RenderError),
    /// The search index could not be built.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The thread building the search index stopped without an answer.
    #[error("the search index build stopped unexpectedly")]
    SearchStopped,
}

/// What a build handed to its sink.
#[derive(Debug)]
pub struct Rendered {
    /// Every file's path, sorted.
    pub paths: Vec<String>,
    /// Per template: pages rendered and time spent, summed over threads.
    pub templates: Vec<(&'static str, usize, Duration)>,
    /// Warnings (errors stop the build).
    pub diagnostics: Diagnostics,
    pub incidents: usize,
    pub pages: usize,
    /// The steps of loading and how long each took.
    pub load_timings: Vec<(&'static str, Duration)>,
    /// How long the search index took, built alongside the pages.
    pub search_took: Duration,
    /// Policy warnings set aside on imported records.
    pub set_aside: SetAside,
}

/// Runs the pipeline; keeps a render cache between runs, so `serve` can
/// rebuild quickly. Every run reads every input again: results are reused only
/// where their inputs are byte-identical.
pub struct SiteBuilder {
    dir: std::path::PathBuf,
    options: BuildOptions,
    cache: RenderCache,
    /// What the last successful run built from, for quick previews.
    last: Option<LastBuild>,
}

struct LastBuild {
    kb: KnowledgeBase,
    config: crate::config::Config,
    theme: Theme,
    analysis: Analysis,
}

impl SiteBuilder {
    /// A builder that keeps what it rendered for the next run (`serve`).
    pub fn new(dir: &Path, options: BuildOptions) -> Self {
        SiteBuilder { dir: dir.to_path_buf(), options, cache: RenderCache::new(), last: None }
    }

    /// A builder for one run: nothing is kept for reuse.
    pub fn single(dir: &Path, options: BuildOptions) -> Self {
        SiteBuilder { dir: dir.to_path_buf(), options, cache: RenderCache::single_build(), last: None }
    }

    pub fn options(&self) -> BuildOptions {
        self.options
    }

    /// Pages the previous run can reuse.
    pub fn cached_pages(&self) -> usize {
        self.cache.cached_pages()
    }

    /// Load, check and render into `sink`. On an error, what already went
    /// into the sink is incomplete: the caller discards it.
    pub fn render(&mut self, progress: &dyn Fn(&str), sink: &dyn Sink) -> Result<Rendered, BuildError> {
        let dir = self.dir.as_path();
        let options = self.options;
        progress("loading records");
        let Checked { mut loaded, similarity, theme } = check(dir, options.today)?;
        let set_aside = if options.strict { SetAside::default() } else { set_aside_history(&mut loaded, dir) };
        if options.strict {
            loaded.diagnostics.make_strict();
        }

        let (Some(theme), false) = (theme, loaded.diagnostics.has_errors()) else {
            return Err(BuildError::Content(loaded.diagnostics));
        };

        let kb = KnowledgeBase {
            incidents: loaded
                .kb
                .incidents
                .into_iter()
                .filter(|i| options.drafts || i.status != RecordStatus::Draft)
                .collect(),
        };
        let started = Instant::now();
        let analysis = Analysis::new(&kb, similarity);
        loaded.timings.push(("relations and guardrail outcomes", started.elapsed()));
        progress("rendering pages");
        let render_options = RenderOptions { today: options.today, drafts: options.drafts };
        let out = Output::new(sink);
        let cache = &mut self.cache;
        // The search index needs nothing the pages make: build it alongside
        // them, so it fills the moments rendering leaves a core idle.
        let (rendered, search, search_took) = std::thread::scope(|scope| {
            let search = scope.spawn(|| {
                let started = Instant::now();
                // Its files go out as soon as they are made, while pages
                // are still being rendered.
                let written = search_files(&kb, &loaded.config.vocabulary.synonyms)
                    .map_err(BuildError::Index)
                    .and_then(|files| {
                        files
                            .into_iter()
                            .try_for_each(|file| out.put(file.path, file.bytes).map_err(BuildError::Output))
                    });
                (written, started.elapsed())
            });
            let rendered = render::render_site(&kb, &loaded.config, &analysis, &theme, &render_options, cache, &out);
            progress("indexing for search");
            match search.join() {
                Ok((written, took)) => (rendered, written, took),
                Err(_) => (rendered, Err(BuildError::SearchStopped), Duration::ZERO),
            }
        });
        if let Err(e) = rendered {
            // A template that fails on the data, or runs past a bound, is the
            // knowledge base's problem: reported as such.
            return match template_diagnostic(&e, &loaded.templates, dir) {
                Some(d) => {
                    loaded.diagnostics.push(d);
                    Err(BuildError::Content(loaded.diagnostics))
                }
                None => Err(BuildError::Render(e)),
            };
        }
        let pages = out.paths().iter().filter(|p| p.ends_with(".html")).count();
        search?;
        add_static(&out, loaded.static_files, &mut loaded.diagnostics, dir).map_err(BuildError::Output)?;
        if loaded.diagnostics.has_errors() {
            return Err(BuildError::Content(loaded.diagnostics));
        }
        let incidents = kb.incidents.len();
        let load_timings = loaded.timings;
        if self.cache.reuses() {
            self.last = Some(LastBuild { kb, config: loaded.config, theme, analysis });
        }
        Ok(Rendered {
            paths: out.paths(),
            templates: out.template_times(),
            diagnostics: loaded.diagnostics,
            incidents,
            pages,
            load_timings,
            search_took,
            set_aside,
        })
    }

    /// The page and brief of the record at `path`, re-rendered on their own
    /// against the last successful build: what `serve` shows within
    /// milliseconds of a save, before the full rebuild replaces every page.
    /// `None` when a quick preview cannot be trusted (a new or renamed
    /// record, a draft, any error): then only the full rebuild runs.
    pub fn preview_record(&mut self, path: &Path) -> Option<Vec<File>> {
        let dir = self.dir.canonicalize().ok()?;
        let last = self.last.as_mut()?;
        let incident = load::load_one(&dir, path, &last.config)?;
        if incident.status == RecordStatus::Draft && !self.options.drafts {
            return None;
        }
        let position = last.kb.incidents.iter().position(|i| i.id == incident.id && dir.join(&i.source) == path)?;
        let id = incident.id.clone();
        // Swap the record in place: no copy of the knowledge base.
        last.kb.incidents[position] = incident;
        let kb = &last.kb;
        let options = RenderOptions { today: self.options.today, drafts: self.options.drafts };
        let site = self.cache.site()?;
        render::render_incident(kb, &last.config, &last.analysis, &last.theme, &options, &self.cache, &id, &site).ok()
    }
}

/// A knowledge base loaded, with the similar incidents found among every
/// record and the checks across records done: all `casebook check` reports.
pub struct Checked {
    pub loaded: Loaded,
    /// Among every record that parsed, drafts too.
    pub similarity: Similarity,
    /// The theme with the knowledge base's templates, compiled: `None` when
    /// they do not compile (an error in `loaded.diagnostics` says why).
    pub theme: Option<Theme>,
}

/// Load `dir`, compile its templates, find similar incidents, and run the
/// checks across records: everything a build checks before it renders.
pub fn check(dir: &Path, today: NaiveDate) -> Result<Checked, load::LoadError> {
    let mut loaded = load::load(dir, LoadOptions { today })?;
    let started = Instant::now();
    let theme = match Theme::load(&loaded.templates) {
        Ok(theme) => Some(theme),
        Err(e) => {
            let d = match &e {
                RenderError::Loop(_) => template_diagnostic(&e, &loaded.templates, dir),
                _ => None,
            };
            let d = d.unwrap_or_else(|| {
                Diagnostic::error("template", &dir.join("templates"), e.to_string())
                    .help("fix the template override, or remove it to use the default theme's")
            });
            loaded.diagnostics.push(d);
            None
        }
    };
    loaded.timings.push(("compiling templates", started.elapsed()));
    let started = Instant::now();
    // In file order, as the scores' ties and term numbers are defined.
    let in_file_order: Vec<&crate::model::Incident> =
        loaded.anchors.iter().filter_map(|a| loaded.kb.incidents.get(a.incident)).collect();
    let similarity = similar::compute_among(
        &in_file_order,
        &similar::Params::from_config(&loaded.config.recurrence).with_own_names(&loaded.config.site.own_names),
    );
    loaded.timings.push(("similar incidents", started.elapsed()));
    let started = Instant::now();
    crosscheck::check(&loaded.kb, &loaded.anchors, &similarity, &mut loaded.diagnostics);
    if loaded.config.policy.strict {
        loaded.diagnostics.make_strict();
    }
    loaded.timings.push(("checking guardrails", started.elapsed()));
    Ok(Checked { loaded, similarity, theme })
}

/// The diagnostic for a template that loops, fails or runs past a bound,
/// at the override's file (and the tag, for a loop); `None` for errors that
/// are not the templates' (writing, JSON).
fn template_diagnostic(e: &RenderError, templates: &[crate::output::Template], dir: &Path) -> Option<Diagnostic> {
    let file = |name: &str| templates.iter().find(|t| t.name == name);
    let path = |name: &str| file(name).map_or_else(|| dir.join("templates"), |t| t.path.clone());
    match e {
        RenderError::Loop(l) => {
            let location = file(&l.template)
                .map(|t| crate::diagnostics::SourceFile::new(t.path.clone(), t.text.clone()).location(l.span.clone()));
            let help = match l.kind {
                render::loops::LoopKind::Template => format!(
                    "Tera would recurse until the stack overflows; break the loop. An override replaces the theme's template \
                     of the same name, so `{}` cannot extend or include the theme's own: copy what it needs instead",
                    l.template
                ),
                render::loops::LoopKind::Macro => {
                    "Tera sets no depth limit on macros, so recursive macros are refused; unroll it to the depth the data needs"
                        .to_string()
                }
            };
            Some(Diagnostic::error("template", &path(&l.template), e.to_string()).at(location).help(help))
        }
        RenderError::Bound { template, bound } => Some(
            Diagnostic::error("template", &path(template), format!("rendering `{template}` stopped: {bound}")).help(
                "look for a loop that runs away in this template or one it includes or calls; \
                 a page may write 64 MiB in 60 s, and its range() calls make 1,000,000 values",
            ),
        ),
        RenderError::Template { template, message } => Some(
            Diagnostic::error("template", &path(template), format!("rendering `{template}` failed: {message}"))
                .help("fix the template override, or remove it to use the default theme's"),
        ),
        RenderError::Json(_) | RenderError::Write { .. } => None,
    }
}

/// Policy warnings set aside on imported records: what their history cannot
/// satisfy (`load::HISTORY`), counted once rather than listed per record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Imported records with at least one warning set aside.
    pub records: usize,
    pub counts: std::collections::BTreeMap<&'static str, usize>,
}

impl SetAside {
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}

/// Set aside the history warnings of the imported records of `loaded` (at `dir`).
pub fn set_aside_history(loaded: &mut Loaded, dir: &Path) -> SetAside {
    let imported: std::collections::HashSet<std::path::PathBuf> =
        loaded.kb.incidents.iter().filter(|i| i.imported.is_some()).map(|i| dir.join(&i.source)).collect();
    if imported.is_empty() {
        return SetAside::default();
    }
    let aside = loaded.diagnostics.set_aside(&imported, load::HISTORY);
    let mut counts = std::collections::BTreeMap::new();
    for d in &aside {
        *counts.entry(d.code).or_insert(0) += 1;
    }
    let records = aside.iter().map(|d| &d.path).collect::<std::collections::HashSet<_>>().len();
    SetAside { records, counts }
}

/// The Tantivy index of `kb` and its static export; `synonyms`: the
/// knowledge base's `[vocabulary] synonyms`.
pub fn search_files(kb: &KnowledgeBase, synonyms: &[Vec<String>]) -> Result<Vec<File>, IndexError> {
    let (index, words) = crate::index::SearchIndex::build(kb)?;
    let synonyms = crate::index::query::synonyms(synonyms, &mut index.analyzer()?);
    crate::index::export::export(&index, kb, &words, &synonyms)
}

/// Build the site of `dir` into `out`. `progress` hears the phase names.
pub fn build(dir: &Path, out: &Path, options: BuildOptions, progress: impl Fn(&str)) -> Result<Built, BuildError> {
    let started = Instant::now();
    let marks: std::cell::RefCell<Vec<(String, Instant)>> = std::cell::RefCell::new(Vec::new());
    let phase = |name: &str| {
        marks.borrow_mut().push((name.to_string(), Instant::now()));
        progress(name);
    };
    // Check the output directory before any work, then write each file as
    // it is made: the site is never held in memory as a whole.
    let sources = write::Sources { dir, folders: &load::SOURCE_FOLDERS };
    let staging = write::Staging::begin(out, &sources)?;
    let taken_over = staging.taken_over().cloned();
    let rendered = match SiteBuilder::single(dir, options).render(&phase, &staging) {
        Ok(rendered) => rendered,
        Err(e) => {
            staging.abandon();
            return Err(e);
        }
    };
    phase("writing the site");
    let stats = staging.commit()?;
    let end = Instant::now();
    let marks = marks.into_inner();
    let mut timings: Vec<(String, Duration)> = marks
        .iter()
        .enumerate()
        .map(|(i, (name, at))| (name.clone(), marks.get(i + 1).map_or(end, |next| next.1) - *at))
        .collect();
    if let Some(at) = timings.iter().position(|(name, _)| name == "loading records") {
        for (i, (step, took)) in rendered.load_timings.iter().enumerate() {
            timings.insert(at + 1 + i, (format!("  {step}"), *took));
        }
    }
    if let Some(at) = timings.iter().position(|(name, _)| name == "rendering pages") {
        let mut by_time = rendered.templates.clone();
        by_time.sort_by_key(|t| std::cmp::Reverse(t.2));
        timings.insert(at + 1, ("  search index, alongside".to_string(), rendered.search_took));
        for (i, (template, pages, took)) in by_time.into_iter().enumerate() {
            timings.insert(at + 2 + i, (format!("  {template} ×{pages} (all threads)"), took));
        }
    }
    Ok(Built {
        diagnostics: rendered.diagnostics,
        incidents: rendered.incidents,
        pages: rendered.pages,
        files: stats.files,
        bytes: stats.bytes,
        elapsed: started.elapsed(),
        timings,
        set_aside: rendered.set_aside,
        taken_over,
    })
}

/// Add the knowledge base's static files; one that would replace a generated file is an error.
fn add_static(out: &Output<'_>, statics: Vec<File>, diags: &mut Diagnostics, dir: &Path) -> Result<(), RenderError> {
    let generated: std::collections::HashSet<String> = out.paths().into_iter().collect();
    for f in statics {
        if generated.contains(&f.path) {
            diags.push(
                Diagnostic::error(
                    "static-conflict",
                    &dir.join("static").join(&f.path),
                    format!("`{}` would replace a page Casebook generates", f.path),
                )
                .help("rename the file, or override the template that produces that page instead"),
            );
            continue;
        }
        out.put(f.path, f.bytes)?;
    }
    Ok(())
}
