//! Renders the knowledge base into the files of the static site.
//!
//! Layer 4 of the crate (see `src/lib.rs`): it uses the model, config,
//! analysis and search index below it, and nothing above (`build` and
//! `serve` call it). The render stage of the pipeline (load → model →
//! analyze → index → **render** → write). It never touches the file system
//! itself: it hands each file to a [`Sink`] as soon as it is made:
//! `write::Staging` for a build (written into the staging directory, swapped
//! in atomically at the end), [`MemorySink`] for `serve`. Templates are
//! parsed once ([`theme::Theme`]); pages render in parallel with rayon.
//! Every internal link is written relative to the page (`root` is `../..`
//! style) unless `base_url` is set, so the site works from any folder,
//! sub-path or `file://`.
//!
//! The folder, by what it does:
//!
//! - this file: the entry points ([`render_site`], [`render_incident`]) and
//!   what runs when; [`Output`], the sink with a record of what went in;
//! - [`views`]: the structs templates see, made from the model;
//! - `site`: what every page knows about the site; `page`: how a page's
//!   context is completed and rendered, through [`cache`];
//! - `pages`: the HTML pages, one file per family (home, incidents,
//!   categories and services, catalogs, actions, recurring);
//! - [`learning`] and [`charts`]: the metrics pages and their SVG charts;
//! - `feeds`: the Atom feed, the sitemap and the JSON exports;
//! - [`theme`] and [`markdown`]: templates, static files, escaping, and the
//!   records' narrative as HTML.

pub mod cache;
pub mod charts;
mod feeds;
pub mod learning;
pub mod loops;
pub mod markdown;
mod page;
mod pages;
mod site;
pub mod theme;
pub mod views;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::analyze::Analysis;
use crate::config::Config;
use crate::model::KnowledgeBase;
use crate::output::File;
pub use crate::output::{MemorySink, Sink};
use cache::RenderCache;
use page::{Page, PageJob};
pub use pages::{CATALOG_PREVIEW, CLOSED_LISTED, OVERVIEW_ENTRIES, OVERVIEW_INCIDENTS};
use pages::{actions, catalogs, groups, home, incidents, recurring, review, start};
pub use site::{NavItem, SiteCounts, SiteView};
use theme::Theme;
use views::SiteData;

/// A sink with a record of what went into it: the paths, and the time each
/// template took.
pub struct Output<'a> {
    sink: &'a dyn Sink,
    paths: std::sync::Mutex<Vec<String>>,
    templates: std::sync::Mutex<BTreeMap<&'static str, (usize, std::time::Duration)>>,
}

impl<'a> Output<'a> {
    pub fn new(sink: &'a dyn Sink) -> Self {
        Output { sink, paths: Default::default(), templates: Default::default() }
    }

    pub fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), RenderError> {
        if let Ok(mut paths) = self.paths.lock() {
            paths.push(path.clone());
        }
        self.sink
            .put(File { path: path.clone(), bytes })
            .map_err(|e| RenderError::Write { path, message: e.to_string() })
    }

    /// [`Sink::put_written`], recorded like [`Output::put`].
    pub(crate) fn put_written(
        &self,
        path: &str,
        mut write: impl FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), RenderError> {
        if let Ok(mut paths) = self.paths.lock() {
            paths.push(path.to_string());
        }
        self.sink
            .put_written(path, &mut write)
            .map_err(|e| RenderError::Write { path: path.to_string(), message: e.to_string() })
    }

    pub(crate) fn timed(&self, template: &'static str, took: std::time::Duration) {
        if let Ok(mut t) = self.templates.lock() {
            let entry = t.entry(template).or_default();
            entry.0 += 1;
            entry.1 += took;
        }
    }

    /// Every path written so far, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut paths = self.paths.lock().map(|p| p.clone()).unwrap_or_default();
        paths.sort();
        paths
    }

    /// Per template: pages rendered and the time spent in them, summed over threads.
    pub fn template_times(&self) -> Vec<(&'static str, usize, std::time::Duration)> {
        self.templates.lock().map(|t| t.iter().map(|(k, (n, d))| (*k, *n, *d)).collect()).unwrap_or_default()
    }
}

/// Options that change what is rendered.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The build date: decides what is overdue, printed on pages.
    pub today: NaiveDate,
    /// Whether drafts were included (shown in the footer).
    pub drafts: bool,
}

/// Why rendering stopped: a template failed, a context did not serialise,
/// or the sink refused a file.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template `{template}`: {message}")]
    Template { template: String, message: String },
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    /// Templates that extend, include or call each other in a loop.
    #[error(transparent)]
    Loop(#[from] loops::TemplateLoop),
    /// A page went past a bound of [`theme::Bounds`] while rendering.
    #[error("template `{template}`: {bound}")]
    Bound { template: String, bound: theme::Exceeded },
}

/// The prefix that leads from the page at `path` to the site root.
pub fn root_prefix(path: &str, base_url: Option<&str>) -> String {
    if let Some(base) = base_url {
        return if base.ends_with('/') { base.to_string() } else { format!("{base}/") };
    }
    let depth = path.matches('/').count();
    if depth == 0 { "./".to_string() } else { "../".repeat(depth) }
}

/// Render the whole site into `out`. `kb` holds exactly the incidents to publish.
pub fn render_site(
    kb: &KnowledgeBase,
    config: &Config,
    analysis: &Analysis,
    theme: &Theme,
    options: &RenderOptions,
    cache: &mut RenderCache,
    out: &Output<'_>,
) -> Result<(), RenderError> {
    cache.begin(theme.key(cache));
    let result = render_pages(kb, config, analysis, theme, options, cache, out);
    cache.finish();
    result
}

fn render_pages(
    kb: &KnowledgeBase,
    config: &Config,
    analysis: &Analysis,
    theme: &Theme,
    options: &RenderOptions,
    cache: &RenderCache,
    out: &Output<'_>,
) -> Result<(), RenderError> {
    let data = SiteData::new(kb, config, analysis, options.today);
    let all_actions = data.all_actions();

    let chains = recurring::chain_views(&data);
    let metrics = learning::site_metrics(&data);
    let reviews = review::quarter_reviews(&data, analysis, &metrics);
    let categories = groups::category_index(&data);
    let members_of = groups::service_members(&data);
    let services = groups::service_index(&data, &members_of);
    let site_json = serde_json::to_value(SiteView::new(&data, options, &categories, &services, &all_actions))?;
    cache.remember_site(&site_json);
    let render = |mut page: Page| -> Result<(), RenderError> {
        let file = page::render_page(&mut page, &site_json, config, theme, cache, out)?;
        out.put(file.path, file.bytes)
    };

    // The other pages each take the whole knowledge base: build each
    // context in parallel and render it at once. They run beside the
    // incident pages (below), so that their long jobs (a catalog of every
    // guardrail, the JSON exports) start early and the many small incident
    // pages fill the threads around them, instead of leaving one thread
    // working alone at the end.
    let one = |page: Result<Page, RenderError>| page.map(|p| vec![p]);
    let (data, metrics, chains, members_of, reviews) = (&data, &metrics, &chains, &members_of, &reviews);
    let mut jobs: Vec<PageJob<'_>> = vec![
        Box::new(|| one(home::home_page(data, metrics, &all_actions, &categories, chains))),
        Box::new(|| one(incidents::incidents_page(data))),
        Box::new(|| one(groups::categories_page(&categories))),
        Box::new(|| one(groups::services_page(&services))),
        Box::new(|| catalogs::remedies_pages(data)),
        Box::new(|| catalogs::guardrails_pages(data)),
        Box::new(|| one(actions::actions_page(&all_actions))),
        Box::new(|| one(recurring::recurring_page(data, chains))),
        Box::new(|| one(start::start_page(data, chains))),
        Box::new(|| one(start::glossary_page(data))),
        Box::new(|| {
            one(Page::new("metrics.html", "metrics/index.html", "Learning metrics", "metrics")
                .with("metrics", learning::metrics_page(data, metrics))
                .and_then(|page| page.with("reviews", review::review_links(reviews))))
        }),
        Box::new(|| review::review_pages(data, reviews, &all_actions, options.drafts)),
        Box::new(|| one(not_found_page(theme))),
        Box::new(|| Ok(vec![Page::new("search.html", "search/index.html", "Search", "search")])),
    ];
    for category in &categories {
        jobs.push(Box::new(move || groups::category_pages(data, metrics, chains, category)));
    }
    for service in &services {
        jobs.push(Box::new(move || groups::service_pages(data, metrics, chains, members_of, service)));
    }
    let site_pages = || -> Result<(), RenderError> {
        jobs.par_iter().try_for_each(|job| job()?.into_par_iter().try_for_each(render))
    };
    let files = || -> Result<(), RenderError> {
        let feed = feeds::feed(data, theme, &site_json)?;
        out.put(feed.path, feed.bytes)?;
        feeds::exports(data, &all_actions, out)?;
        for (path, bytes) in theme.static_files() {
            out.put(format!("static/{path}"), bytes.to_vec())?;
        }
        Ok(())
    };
    // Incident pages are most of the site: each is handed on as soon as it
    // is made, so memory holds a page per thread, not the site.
    let every_incident = || incidents::render_every_incident(data, &site_json, theme, cache, out);

    let (incidents, (others, files)) = rayon::join(every_incident, || rayon::join(site_pages, files));
    incidents.and(others).and(files)?;
    // Last: it lists every page written.
    let sitemap = feeds::sitemap(&out.paths(), theme, &site_json, config.site.base_url.as_deref())?;
    out.put(sitemap.path, sitemap.bytes)
}

/// The site's top-level folders and files: the not-found page finds the
/// site root in a missing address by the first of these in it.
const TOP_LEVEL: &[&str] = &[
    "incidents",
    "categories",
    "services",
    "remedies",
    "guardrails",
    "actions",
    "recurring",
    "metrics",
    "review",
    "search",
    "start",
    "glossary",
    "static",
    "data",
    "index.html",
    "404.html",
    "feed.xml",
    "sitemap.xml",
];

/// `/404.html`, served by static hosts at any missing address: it carries
/// its style inline and the names that locate the site root (see the template).
fn not_found_page(theme: &Theme) -> Result<Page, RenderError> {
    Page::new("404.html", "404.html", "Page not found", "")
        .with("known_sections", TOP_LEVEL)?
        .with("inline_style", theme.static_text("style.css"))
}

/// Just the page and brief of incident `id`, for `serve`'s quick preview of
/// an edit while the full rebuild runs. The site-wide counts in the footer
/// are those of `kb`; the full rebuild that follows settles every page.
#[allow(clippy::too_many_arguments)] // the same inputs as render_site, plus the page
pub fn render_incident(
    kb: &KnowledgeBase,
    config: &Config,
    analysis: &Analysis,
    theme: &Theme,
    options: &RenderOptions,
    cache: &RenderCache,
    id: &str,
    site_json: &serde_json::Value,
) -> Result<Vec<File>, RenderError> {
    // `analysis` is the last build's: a preview must not cost a pass over
    // the whole knowledge base. The full rebuild that follows settles
    // anything the edit changed in it.
    let data = SiteData::new(kb, config, analysis, options.today);
    let Some(inc) = data.get(id) else { return Ok(Vec::new()) };
    let markdown = cache.markdown_renderer(config.allow_raw_html);
    let view = data.incident_view(inc, markdown.render(markdown::without_title_heading(&inc.body, &inc.title)));
    let sink = MemorySink::default();
    incidents::incident_pages(inc, &view, site_json, config, theme, cache, &Output::new(&sink)).map(Vec::from)
}

#[cfg(test)]
mod tests {
    use super::root_prefix;

    #[test]
    fn root_prefix_climbs_to_the_site_root() {
        assert_eq!(root_prefix("index.html", None), "./");
        assert_eq!(root_prefix("incidents/index.html", None), "../");
        assert_eq!(root_prefix("incidents/a/brief/index.html", None), "../../../");
        assert_eq!(root_prefix("incidents/a/index.html", Some("https://x/kb")), "https://x/kb/");
    }
}
