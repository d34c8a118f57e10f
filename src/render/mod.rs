//! Renders the knowledge base into the files of the static site.
//!
//! The render stage of the pipeline (load → model → analyze → index →
//! **render** → write). It never touches the file system itself: it hands
//! each file to a [`Sink`] as soon as it is made: `write::Staging` for a
//! build (written into the staging directory, swapped in atomically at the
//! end), [`MemorySink`] for `serve`. Templates are parsed once
//! ([`theme::Theme`]); pages render in parallel with rayon.
//! Every internal link is written relative to the page (`root` is `../..`
//! style) unless `base_url` is set, so the site works from any folder,
//! sub-path or `file://`.

pub mod cache;
pub mod charts;
pub mod learning;
pub mod markdown;
pub mod theme;
pub mod views;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::analyze::Analysis;
use crate::analyze::similar::SimilarLink;
use crate::config::Config;
use crate::model::{Incident, KnowledgeBase, slugify};
use cache::RenderCache;
use theme::Theme;

use crate::output::File;
pub use crate::output::{MemorySink, Sink};
use views::{ActionCounts, ActionView, GuardrailView, IncidentRef, IncidentRow, RemedyView, SiteData, incident_ref};

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
    fn put_written(
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

    fn timed(&self, template: &'static str, took: std::time::Duration) {
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

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template `{template}`: {message}")]
    Template { template: String, message: String },
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    pub build_date: String,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub counts: SiteCounts,
    pub nav: Vec<NavItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteCounts {
    pub incidents: usize,
    pub categories: usize,
    pub services: usize,
    pub remedies: usize,
    pub guardrails: usize,
    pub actions: ActionCounts,
    pub chains: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub key: &'static str,
    pub label: &'static str,
    pub url: &'static str,
}

const NAV: &[NavItem] = &[
    NavItem { key: "incidents", label: "Incidents", url: "incidents/" },
    NavItem { key: "categories", label: "Categories", url: "categories/" },
    NavItem { key: "services", label: "Services", url: "services/" },
    NavItem { key: "remedies", label: "Remedies", url: "remedies/" },
    NavItem { key: "guardrails", label: "Guardrails", url: "guardrails/" },
    NavItem { key: "actions", label: "Actions", url: "actions/" },
    NavItem { key: "recurring", label: "Recurring", url: "recurring/" },
    NavItem { key: "metrics", label: "Metrics", url: "metrics/" },
];

/// Work that makes one or more pages from the whole knowledge base.
type PageJob<'a> = Box<dyn Fn() -> Result<Vec<Page>, RenderError> + Sync + 'a>;

/// A page to render: template, output path, and its own context.
struct Page {
    template: &'static str,
    path: String,
    title: String,
    section: &'static str,
    ctx: tera::Context,
}

impl Page {
    fn new(template: &'static str, path: impl Into<String>, title: impl Into<String>, section: &'static str) -> Self {
        Page { template, path: path.into(), title: title.into(), section, ctx: tera::Context::new() }
    }

    fn with(mut self, key: &'static str, value: impl Serialize) -> Result<Self, RenderError> {
        // Straight into the template context: serialised once.
        self.ctx
            .try_insert(key, &value)
            .map_err(|e| RenderError::Template { template: self.template.to_string(), message: e.to_string() })?;
        Ok(self)
    }
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
    let markdown = cache.markdown_renderer(config.allow_raw_html);
    let all_actions = data.all_actions();

    let chains = chain_views(&data);
    let metrics = learning::site_metrics(&data);
    let categories = category_index(&data);
    let mut members_of: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for inc in &kb.incidents {
        let slugs: BTreeSet<String> = inc.services.iter().map(|s| slugify(s)).collect();
        for slug in slugs {
            if let Some((key, _)) = data.services.get_key_value(&slug) {
                members_of.entry(key.as_str()).or_default().push(inc);
            }
        }
    }
    let services = service_index(&data, &members_of);
    let remedies_total: usize = kb.incidents.iter().map(|i| i.remedies.len()).sum();
    let guardrails_total: usize = kb.incidents.iter().map(|i| i.guardrails.len()).sum();
    let site = SiteView {
        title: config.site.title.clone(),
        description: config.site.description.clone(),
        language: config.site.language.clone(),
        build_date: options.today.format("%Y-%m-%d").to_string(),
        base_url: config.site.base_url.clone(),
        drafts: options.drafts,
        counts: SiteCounts {
            incidents: kb.incidents.len(),
            categories: categories.iter().filter(|c| c.count > 0).count(),
            services: services.len(),
            remedies: remedies_total,
            guardrails: guardrails_total,
            actions: ActionCounts::of(all_actions.iter()),
            chains: data.chains.len(),
        },
        nav: NAV.to_vec(),
    };
    let site_json = serde_json::to_value(&site)?;
    cache.remember_site(&site_json);
    let render = |mut page: Page| -> Result<(), RenderError> {
        let file = render_page(&mut page, &site_json, config, theme, cache, out)?;
        out.put(file.path, file.bytes)
    };

    // The other pages each take the whole knowledge base: build each
    // context in parallel and render it at once. They run beside the
    // incident pages (below), so that their long jobs (a catalog of every
    // guardrail, the JSON exports) start early and the many small incident
    // pages fill the threads around them, instead of leaving one thread
    // working alone at the end.
    let one = |page: Result<Page, RenderError>| page.map(|p| vec![p]);
    let mut jobs: Vec<PageJob<'_>> = vec![
        Box::new(|| one(home_page(&data, &metrics, &all_actions, &categories, &chains))),
        Box::new(|| {
            one(Page::new("incidents.html", "incidents/index.html", "Incidents", "incidents")
                .with("incidents", data.rows(kb.incidents.iter())))
        }),
        Box::new(|| {
            one(Page::new("categories.html", "categories/index.html", "Failure categories", "categories")
                .with("categories", &categories))
        }),
        Box::new(|| {
            one(Page::new("services.html", "services/index.html", "Services", "services").with("services", &services))
        }),
        Box::new(|| remedies_pages(&data)),
        Box::new(|| guardrails_pages(&data)),
        Box::new(|| one(actions_page(&all_actions))),
        Box::new(|| {
            one(Page::new("recurring.html", "recurring/index.html", "Recurring failures", "recurring")
                .with("chains", &chains)
                .and_then(|p| p.with("detected", learning::detected_page(&data))))
        }),
        Box::new(|| {
            one(Page::new("metrics.html", "metrics/index.html", "Learning metrics", "metrics")
                .with("metrics", learning::metrics_page(&data, &metrics)))
        }),
        Box::new(|| Ok(vec![Page::new("404.html", "404.html", "Page not found", "")])),
        Box::new(|| Ok(vec![Page::new("search.html", "search/index.html", "Search", "search")])),
    ];
    let (data, metrics, chains, members_of) = (&data, &metrics, &chains, &members_of);
    for cat in &categories {
        jobs.push(Box::new(move || {
            let members: Vec<&Incident> = kb.incidents.iter().filter(|i| i.categories.contains(&cat.name)).collect();
            let group = Group {
                kind: "category",
                slug: slugify(&cat.name),
                name: &cat.name,
                members: &members,
                urls: GroupUrls {
                    base: cat.url.clone(),
                    remedies: Some(format!("remedies/{}/", cat.name)),
                    guardrails: Some(format!("guardrails/{}/", cat.name)),
                },
            };
            group_pages(data, metrics, chains, &group, cat)
        }));
    }
    for svc in &services {
        jobs.push(Box::new(move || {
            let members: &[&Incident] = members_of.get(svc.slug.as_str()).map_or(&[], |m| m.as_slice());
            let group = Group {
                kind: "service",
                slug: svc.slug.clone(),
                name: &svc.name,
                members,
                urls: GroupUrls { base: svc.url.clone(), remedies: None, guardrails: None },
            };
            group_pages(data, metrics, chains, &group, svc)
        }));
    }
    let site_pages = || -> Result<(), RenderError> {
        jobs.par_iter().try_for_each(|job| job()?.into_par_iter().try_for_each(render))
    };
    let files = || -> Result<(), RenderError> {
        let feed = feed(data, theme, &site_json)?;
        out.put(feed.path, feed.bytes)?;
        exports(data, &all_actions, out)?;
        for (path, bytes) in theme.static_files() {
            out.put(format!("static/{path}"), bytes.to_vec())?;
        }
        Ok(())
    };
    // Incident pages are most of the site: render and hand each one on as
    // soon as it is made, so memory holds a page per thread, not the site.
    let every_incident = || {
        kb.incidents.par_iter().try_for_each(|inc| {
            let allow = [u8::from(config.allow_raw_html)];
            let body = if cache.reuses() {
                let key = cache.key(&[b"markdown", &allow, inc.body.as_bytes()]);
                cache.markdown(key, || markdown.render(&inc.body))
            } else {
                markdown.render(&inc.body)
            };
            let view = data.incident_view(inc, body);
            for file in incident_pages(inc, &view, &site_json, config, theme, cache, out)? {
                out.put(file.path, file.bytes)?;
            }
            Ok::<(), RenderError>(())
        })
    };

    let (incidents, (others, files)) = rayon::join(every_incident, || rayon::join(site_pages, files));
    incidents.and(others).and(files)?;
    let sitemap = sitemap(&out.paths(), config.site.base_url.as_deref(), &site.build_date);
    out.put(sitemap.path, sitemap.bytes)
}

/// Render one page with the context every page shares. The page's context
/// gains `site`, `root` and `page`, so it can be rendered again as another
/// page (the brief reuses the incident's) without building it twice.
fn render_page(
    page: &mut Page,
    site_json: &serde_json::Value,
    config: &Config,
    theme: &Theme,
    cache: &RenderCache,
    out: &Output<'_>,
) -> Result<File, RenderError> {
    let started = std::time::Instant::now();
    let ctx = &mut page.ctx;
    // A page rendered again as another (an incident's brief) has it already.
    if !ctx.contains_key("site") {
        ctx.insert("site", site_json);
    }
    ctx.insert("root", &root_prefix(&page.path, config.site.base_url.as_deref()));
    ctx.insert("page", &serde_json::json!({ "title": page.title, "path": page.path, "section": page.section }));
    let ctx = &page.ctx;
    let bytes = if cache.reuses() {
        // The context is everything the template sees: its JSON is the cache key.
        let json = ctx.clone().into_json().to_string();
        let key = cache.key(&[page.template.as_bytes(), json.as_bytes()]);
        cache.page(key, || theme.render(page.template, ctx))?
    } else {
        theme.render(page.template, ctx)?
    };
    out.timed(page.template, started.elapsed());
    Ok(File { path: page.path.clone(), bytes })
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
    let view = data.incident_view(inc, markdown.render(&inc.body));
    let sink = MemorySink::default();
    incident_pages(inc, &view, site_json, config, theme, cache, &Output::new(&sink)).map(Vec::from)
}

/// An incident's page and its brief, from one context.
fn incident_pages(
    inc: &Incident,
    view: &views::IncidentView,
    site_json: &serde_json::Value,
    config: &Config,
    theme: &Theme,
    cache: &RenderCache,
    out: &Output<'_>,
) -> Result<[File; 2], RenderError> {
    let mut page = Page::new("incident.html", format!("incidents/{}/index.html", inc.id), &inc.title, "incidents")
        .with("incident", view)?;
    let full = render_page(&mut page, site_json, config, theme, cache, out)?;
    page.template = "brief.html";
    page.path = format!("incidents/{}/brief/index.html", inc.id);
    page.title = format!("Brief: {}", inc.title);
    let brief = render_page(&mut page, site_json, config, theme, cache, out)?;
    Ok([full, brief])
}

// ---------------------------------------------------------------- home

#[derive(Debug, Serialize)]
struct Headline {
    incidents: usize,
    recurrences: usize,
    chains: usize,
    completion_percent: Option<u32>,
    actions_closed: usize,
    actions_total: usize,
    overdue: usize,
    guardrails_live: usize,
    guardrails_total: usize,
    guardrails_held: usize,
    guardrails_recurred: usize,
    /// Incidents detected as likely recurrences that nobody linked.
    unlinked_recurrences: usize,
    /// Median and p90 time to resolve over every incident precise to the minute.
    ttr: learning::StatView,
}

fn home_page(
    data: &SiteData<'_>,
    metrics: &crate::analyze::metrics::Metrics,
    actions: &[ActionView],
    categories: &[CategorySummary],
    chains: &[ChainSummary],
) -> Result<Page, RenderError> {
    let kb = data.kb;
    let counts = ActionCounts::of(actions.iter());
    let guardrails: Vec<GuardrailView> = kb.incidents.iter().flat_map(|i| data.guardrail_views(i)).collect();
    let countable = counts.total - counts.wont_do;
    let headline = Headline {
        incidents: kb.incidents.len(),
        recurrences: data.recurrences.len(),
        unlinked_recurrences: data.recurrences.iter().filter(|id| data.chain(id).is_none()).count(),
        ttr: learning::StatView::of(&metrics.overall.ttr),
        chains: data.chains.len(),
        completion_percent: (countable > 0).then(|| (counts.done * 100 / countable) as u32),
        actions_closed: counts.done,
        actions_total: countable,
        overdue: counts.overdue,
        guardrails_live: guardrails.iter().filter(|g| g.status != "proposed").count(),
        guardrails_total: guardrails.len(),
        guardrails_held: guardrails.iter().filter(|g| g.outcome.state == "held").count(),
        guardrails_recurred: guardrails.iter().filter(|g| g.outcome.state == "recurred").count(),
    };
    let mut overdue: Vec<&ActionView> = actions.iter().filter(|a| a.overdue).collect();
    overdue.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then_with(|| a.incident.id.cmp(&b.incident.id)));
    overdue.truncate(8);
    let mut top_chains = chains.to_vec();
    top_chains.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| b.last.cmp(&a.last)));
    top_chains.truncate(5);
    let mut top_categories: Vec<&CategorySummary> = categories.iter().filter(|c| c.count > 0).collect();
    top_categories.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    top_categories.truncate(8);
    let recent: Vec<IncidentRow> = data.rows(kb.incidents.iter()).into_iter().take(8).collect();
    Page::new("index.html", "index.html", data.config.site.title.clone(), "home")
        .with("headline", headline)?
        .with("recent", recent)?
        .with("overdue", overdue)?
        .with("top_chains", top_chains)?
        .with("top_categories", top_categories)
}

// ---------------------------------------------------------------- categories & services

#[derive(Debug, Clone, Serialize)]
struct CategorySummary {
    name: String,
    url: String,
    description: Option<String>,
    group: Option<String>,
    count: usize,
    last: Option<IncidentRef>,
    recurrences: usize,
    remedies: usize,
    guardrails: usize,
}

fn summary_of(incidents: &[&Incident]) -> (usize, Option<IncidentRef>, usize, usize, usize) {
    let last =
        incidents.iter().filter(|i| i.clock.started.is_some()).max_by_key(|i| i.clock.started).map(|i| incident_ref(i));
    (
        incidents.len(),
        last,
        incidents.iter().filter(|i| !i.recurrence_of.is_empty()).count(),
        incidents.iter().map(|i| i.remedies.len()).sum(),
        incidents.iter().map(|i| i.guardrails.len()).sum(),
    )
}

fn category_index(data: &SiteData<'_>) -> Vec<CategorySummary> {
    // The declared taxonomy in its order, then categories only records use.
    let mut names: Vec<(String, Option<String>, Option<String>)> =
        data.config.categories.iter().map(|c| (c.name.clone(), c.description.clone(), c.group.clone())).collect();
    let used: BTreeSet<&String> = data.kb.incidents.iter().flat_map(|i| i.categories.iter()).collect();
    for name in used {
        if !names.iter().any(|(n, _, _)| n == name) {
            names.push((name.clone(), None, None));
        }
    }
    names
        .into_iter()
        .map(|(name, description, group)| {
            let incidents: Vec<&Incident> = data.kb.incidents.iter().filter(|i| i.categories.contains(&name)).collect();
            let (count, last, recurrences, remedies, guardrails) = summary_of(&incidents);
            CategorySummary {
                url: SiteData::category_url(&name),
                name,
                description,
                group,
                count,
                last,
                recurrences,
                remedies,
                guardrails,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
struct ServiceSummary {
    name: String,
    slug: String,
    url: String,
    count: usize,
    last: Option<IncidentRef>,
    recurrences: usize,
    remedies: usize,
    guardrails: usize,
}

fn service_index(data: &SiteData<'_>, members_of: &BTreeMap<&str, Vec<&Incident>>) -> Vec<ServiceSummary> {
    data.services
        .iter()
        .map(|(slug, name)| {
            let incidents: &[&Incident] = members_of.get(slug.as_str()).map_or(&[], |m| m.as_slice());
            let (count, last, recurrences, remedies, guardrails) = summary_of(incidents);
            ServiceSummary {
                name: name.clone(),
                slug: slug.clone(),
                url: format!("services/{slug}/"),
                count,
                last,
                recurrences,
                remedies,
                guardrails,
            }
        })
        .collect()
}

/// How many entries an overview lists before it links to the full list:
/// every page stays a readable size however large the knowledge base grows.
pub const OVERVIEW_INCIDENTS: usize = 25;
/// Remedies, guardrails, chains and open actions on a category or service page,
/// and per category on the catalogs.
pub const OVERVIEW_ENTRIES: usize = 10;
/// Remedies and guardrails per category on the catalogs' front pages, which
/// are read across every category at once.
pub const CATALOG_PREVIEW: usize = 5;
/// Closed actions listed on the action tracker (all of them are in `data/actions.json`).
pub const CLOSED_LISTED: usize = 50;

/// What a category or service page lists: the most recent entries of each
/// kind, the totals, and where the full lists are.
#[derive(Debug, Serialize)]
struct GroupDetail {
    incidents: Vec<IncidentRow>,
    incidents_total: usize,
    /// The page listing every incident of the group, when this one does not.
    all_incidents_url: Option<String>,
    remedies: Vec<RemedyView>,
    remedies_total: usize,
    /// The catalog page with every remedy of the group, if there is one.
    all_remedies_url: Option<String>,
    guardrails: Vec<GuardrailView>,
    guardrails_total: usize,
    all_guardrails_url: Option<String>,
    actions: ActionCounts,
    open_actions: Vec<ActionView>,
    open_total: usize,
    chains: Vec<ChainSummary>,
    chains_total: usize,
}

/// Where a group's full lists live.
struct GroupUrls {
    /// The group page's own URL (`categories/NAME/`).
    base: String,
    /// Catalog pages with every remedy and guardrail of the group (categories only).
    remedies: Option<String>,
    guardrails: Option<String>,
}

fn group_detail(
    data: &SiteData<'_>,
    chains: &[ChainSummary],
    incidents: &[&Incident],
    urls: &GroupUrls,
) -> GroupDetail {
    let ids: BTreeSet<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    // Count every action, but make views only of the open ones shown.
    let mut counts = ActionCounts::default();
    let mut open: Vec<(&Incident, &crate::model::Action)> = Vec::new();
    for inc in incidents {
        for a in &inc.actions {
            counts.add(a.status.as_str(), a.is_overdue(data.today));
            if matches!(a.status.as_str(), "open" | "in-progress") {
                open.push((inc, a));
            }
        }
    }
    open.sort_by_key(|(_, a)| a.due);
    let open_total = open.len();
    let open_actions: Vec<ActionView> =
        open.into_iter().take(OVERVIEW_ENTRIES).map(|(inc, a)| data.action_view(inc, a)).collect();

    // Incidents are in start order: the most recent are at the end.
    let recent = incidents.iter().rev();
    let remedies_total: usize = incidents.iter().map(|i| i.remedies.len()).sum();
    let guardrails_total: usize = incidents.iter().map(|i| i.guardrails.len()).sum();
    let remedies: Vec<RemedyView> = recent.clone().flat_map(|i| data.remedy_views(i)).take(OVERVIEW_ENTRIES).collect();
    let guardrails: Vec<GuardrailView> =
        recent.clone().flat_map(|i| data.guardrail_views(i)).take(OVERVIEW_ENTRIES).collect();
    let mut group_chains: Vec<ChainSummary> =
        chains.iter().filter(|c| c.members.iter().any(|m| ids.contains(m.id.as_str()))).cloned().collect();
    group_chains.sort_by(|a, b| b.last.cmp(&a.last).then_with(|| a.title.cmp(&b.title)));
    let chains_total = group_chains.len();
    group_chains.truncate(OVERVIEW_ENTRIES);
    GroupDetail {
        incidents: data.rows(recent.take(OVERVIEW_INCIDENTS).copied()),
        incidents_total: incidents.len(),
        all_incidents_url: (incidents.len() > OVERVIEW_INCIDENTS).then(|| format!("{}incidents/", urls.base)),
        remedies,
        remedies_total,
        all_remedies_url: urls.remedies.clone().filter(|_| remedies_total > OVERVIEW_ENTRIES),
        guardrails,
        guardrails_total,
        all_guardrails_url: urls.guardrails.clone().filter(|_| guardrails_total > OVERVIEW_ENTRIES),
        actions: counts,
        open_actions,
        open_total,
        chains: group_chains,
        chains_total,
    }
}

/// A category or service, for its pages.
struct Group<'a> {
    /// "category" or "service": also the template name and the context key.
    kind: &'static str,
    slug: String,
    name: &'a str,
    members: &'a [&'a Incident],
    urls: GroupUrls,
}

/// A category's or service's page, and its full incident list when the page
/// shows only the most recent. `summary` is the group's line in the index.
fn group_pages(
    data: &SiteData<'_>,
    metrics: &crate::analyze::metrics::Metrics,
    chains: &[ChainSummary],
    group: &Group<'_>,
    summary: impl Serialize,
) -> Result<Vec<Page>, RenderError> {
    let section = if group.kind == "category" { "categories" } else { "services" };
    let title = if group.kind == "category" { "Category" } else { "Service" };
    let page = Page::new(
        if group.kind == "category" { "category.html" } else { "service.html" },
        format!("{}index.html", group.urls.base),
        format!("{title}: {}", group.name),
        section,
    )
    .with(group.kind, summary)?
    .with("metrics", learning::group_block(data, metrics, &group.slug, group.name, group.members))?
    .with("detail", group_detail(data, chains, group.members, &group.urls))?;
    let mut pages = vec![page];
    pages.extend(group_incidents_page(data, group.members, &group.urls.base, group.kind, group.name, section)?);
    Ok(pages)
}

/// The full incident list of a category or service whose page shows only the most recent.
fn group_incidents_page(
    data: &SiteData<'_>,
    incidents: &[&Incident],
    base: &str,
    kind: &str,
    name: &str,
    section: &'static str,
) -> Result<Option<Page>, RenderError> {
    if incidents.len() <= OVERVIEW_INCIDENTS {
        return Ok(None);
    }
    let page =
        Page::new("incidents.html", format!("{base}incidents/index.html"), format!("Incidents: {name}"), section)
            .with("incidents", data.rows(incidents.iter().rev().copied()))?
            .with("group", serde_json::json!({ "kind": kind, "name": name, "url": base }))?;
    Ok(Some(page))
}

// ---------------------------------------------------------------- catalogs

#[derive(Debug, Clone, Serialize)]
struct RemedyGroup {
    category: String,
    url: Option<String>,
    description: Option<String>,
    worked: Vec<RemedyView>,
    did_not_work: Vec<RemedyView>,
    worked_total: usize,
    did_not_work_total: usize,
    /// The page with every remedy of the category, when this list is cut short.
    all_url: Option<String>,
}

/// The path segment of a category's catalog page; records without a
/// category get one no category slug can take.
fn catalog_slug(category: &str, url: Option<&String>) -> String {
    if url.is_some() { category.to_string() } else { "_uncategorised".to_string() }
}

/// `/remedies/`: per category, the most recent remedies and the count; and
/// `/remedies/CATEGORY/` with every remedy of a category that has more.
fn remedies_pages(data: &SiteData<'_>) -> Result<Vec<Page>, RenderError> {
    let mut pages = Vec::new();
    let mut overview = Vec::new();
    for mut group in remedy_groups(data) {
        if group.worked_total + group.did_not_work_total > CATALOG_PREVIEW {
            let url = format!("remedies/{}/", catalog_slug(&group.category, group.url.as_ref()));
            group.all_url = Some(url.clone());
            pages.push(
                Page::new(
                    "remedies.html",
                    format!("{url}index.html"),
                    format!("Remedies: {}", group.category),
                    "remedies",
                )
                .with("groups", [&group])?
                .with("category", &group.category)?,
            );
            group.worked.truncate(CATALOG_PREVIEW);
            group.did_not_work.truncate(CATALOG_PREVIEW.saturating_sub(group.worked.len()).max(2));
        }
        overview.push(group);
    }
    pages.push(Page::new("remedies.html", "remedies/index.html", "Remedies", "remedies").with("groups", overview)?);
    Ok(pages)
}

fn remedy_groups(data: &SiteData<'_>) -> Vec<RemedyGroup> {
    let mut groups: BTreeMap<String, Vec<RemedyView>> = BTreeMap::new();
    for inc in data.kb.incidents.iter().rev() {
        let keys: Vec<String> = if inc.categories.is_empty() { vec![String::new()] } else { inc.categories.clone() };
        for key in keys {
            groups.entry(key).or_default().extend(data.remedy_views(inc));
        }
    }
    order_by_taxonomy(data, groups)
        .into_iter()
        .map(|(category, remedies)| {
            let (worked, did_not_work): (Vec<RemedyView>, Vec<RemedyView>) =
                remedies.into_iter().partition(|r| r.worked);
            RemedyGroup {
                worked_total: worked.len(),
                did_not_work_total: did_not_work.len(),
                all_url: None,
                url: (!category.is_empty()).then(|| SiteData::category_url(&category)),
                description: data
                    .config
                    .categories
                    .iter()
                    .find(|c| c.name == category)
                    .and_then(|c| c.description.clone()),
                category: if category.is_empty() { "uncategorised".into() } else { category },
                worked,
                did_not_work,
            }
        })
        .filter(|g| !g.worked.is_empty() || !g.did_not_work.is_empty())
        .collect()
}

/// Group entries in the taxonomy's order, then the rest alphabetically.
fn order_by_taxonomy<T>(data: &SiteData<'_>, mut groups: BTreeMap<String, Vec<T>>) -> Vec<(String, Vec<T>)> {
    let mut out = Vec::new();
    for c in &data.config.categories {
        if let Some(v) = groups.remove(&c.name) {
            out.push((c.name.clone(), v));
        }
    }
    out.extend(groups);
    out
}

#[derive(Debug, Serialize)]
struct GuardrailGroup {
    category: String,
    url: Option<String>,
    controls: Vec<ControlGroup>,
    total: usize,
    /// How many of this category's guardrails the failure came back after.
    recurred: usize,
    listed: usize,
    /// The page with every guardrail of the category, when this list is cut short.
    all_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct ControlGroup {
    control: String,
    guardrails: Vec<GuardrailView>,
}

#[derive(Debug, Default, Serialize)]
struct GuardrailTotals {
    total: usize,
    proposed: usize,
    implemented: usize,
    verified: usize,
    held: usize,
    recurred: usize,
}

fn by_control(list: Vec<GuardrailView>) -> Vec<ControlGroup> {
    let mut groups: BTreeMap<String, Vec<GuardrailView>> = BTreeMap::new();
    for g in list {
        groups.entry(g.control.unwrap_or("unspecified").to_string()).or_default().push(g);
    }
    groups.into_iter().map(|(control, guardrails)| ControlGroup { control, guardrails }).collect()
}

/// `/guardrails/`: totals, and per category the guardrails that did not hold
/// first, then the most recent; `/guardrails/CATEGORY/` with every guardrail
/// of a category that has more.
fn guardrails_pages(data: &SiteData<'_>) -> Result<Vec<Page>, RenderError> {
    let mut lists: BTreeMap<String, Vec<GuardrailView>> = BTreeMap::new();
    let mut totals = GuardrailTotals::default();
    for inc in data.kb.incidents.iter().rev() {
        let views = data.guardrail_views(inc);
        for g in &views {
            totals.total += 1;
            match g.status {
                "implemented" => totals.implemented += 1,
                "verified" => totals.verified += 1,
                _ => totals.proposed += 1,
            }
            match g.outcome.state {
                "held" => totals.held += 1,
                "recurred" => totals.recurred += 1,
                _ => {}
            }
        }
        let keys: Vec<String> = if inc.categories.is_empty() { vec![String::new()] } else { inc.categories.clone() };
        for key in keys {
            lists.entry(key).or_default().extend(views.iter().cloned());
        }
    }
    let mut pages = Vec::new();
    let mut groups = Vec::new();
    for (category, mut list) in order_by_taxonomy(data, lists) {
        let url = (!category.is_empty()).then(|| SiteData::category_url(&category));
        let category = if category.is_empty() { "uncategorised".to_string() } else { category };
        let total = list.len();
        let recurred = list.iter().filter(|g| g.outcome.state == "recurred").count();
        let mut all_url = None;
        if total > CATALOG_PREVIEW {
            let page_url = format!("guardrails/{}/", catalog_slug(&category, url.as_ref()));
            let full = GuardrailGroup {
                category: category.clone(),
                url: url.clone(),
                controls: by_control(list.clone()),
                total,
                recurred,
                listed: total,
                all_url: None,
            };
            pages.push(
                Page::new(
                    "guardrails.html",
                    format!("{page_url}index.html"),
                    format!("Guardrails: {category}"),
                    "guardrails",
                )
                .with("groups", [full])?
                .with("category", &category)?,
            );
            all_url = Some(page_url);
            // What did not hold is what a reader needs first.
            list.sort_by_key(|g| match g.outcome.state {
                "recurred" => 0,
                "likely-recurred" => 1,
                _ => 2,
            });
            list.truncate(CATALOG_PREVIEW);
        }
        groups.push(GuardrailGroup {
            listed: list.len(),
            controls: by_control(list),
            category,
            url,
            total,
            recurred,
            all_url,
        });
    }
    pages.push(
        Page::new("guardrails.html", "guardrails/index.html", "Guardrails", "guardrails")
            .with("groups", groups)?
            .with("totals", totals)?,
    );
    Ok(pages)
}

#[derive(Debug, Serialize)]
struct OwnerRow {
    owner: String,
    open: usize,
    overdue: usize,
    done: usize,
}

fn actions_page(actions: &[ActionView]) -> Result<Page, RenderError> {
    let overdue: Vec<&ActionView> = actions.iter().filter(|a| a.overdue).collect();
    let open: Vec<&ActionView> =
        actions.iter().filter(|a| !a.overdue && (a.status == "open" || a.status == "in-progress")).collect();
    let mut closed: Vec<&ActionView> = actions.iter().filter(|a| a.status == "done" || a.status == "wont-do").collect();
    closed.sort_by(|a, b| b.completed.cmp(&a.completed).then_with(|| a.incident.id.cmp(&b.incident.id)));
    let closed_total = closed.len();
    closed.truncate(CLOSED_LISTED);
    let mut owners: BTreeMap<String, OwnerRow> = BTreeMap::new();
    for a in actions {
        let name = a.owner.clone().unwrap_or_else(|| "(no owner)".into());
        let row = owners.entry(name.clone()).or_insert(OwnerRow { owner: name, open: 0, overdue: 0, done: 0 });
        match a.status {
            "done" | "wont-do" => row.done += 1,
            _ => row.open += 1,
        }
        if a.overdue {
            row.overdue += 1;
        }
    }
    let mut owners: Vec<OwnerRow> = owners.into_values().collect();
    owners.sort_by(|a, b| {
        b.overdue.cmp(&a.overdue).then_with(|| b.open.cmp(&a.open)).then_with(|| a.owner.cmp(&b.owner))
    });
    Page::new("actions.html", "actions/index.html", "Action tracker", "actions")
        .with("counts", ActionCounts::of(actions.iter()))?
        .with("overdue", overdue)?
        .with("open", open)?
        .with("closed", closed)?
        .with("closed_total", closed_total)?
        .with("owners", owners)
}

#[derive(Debug, Clone, Serialize)]
struct ChainSummary {
    title: String,
    members: Vec<IncidentRef>,
    count: usize,
    first: Option<String>,
    last: Option<String>,
    categories: Vec<String>,
    services: Vec<String>,
    guardrails: Vec<GuardrailView>,
    guardrails_live: usize,
    guardrails_recurred: usize,
}

fn chain_views(data: &SiteData<'_>) -> Vec<ChainSummary> {
    data.chains
        .iter()
        .map(|chain| {
            let incidents: Vec<&Incident> = chain.members.iter().filter_map(|id| data.get(id)).collect();
            let categories: BTreeSet<String> = incidents.iter().flat_map(|i| i.categories.iter().cloned()).collect();
            let services: BTreeSet<String> = incidents.iter().flat_map(|i| i.services.iter().cloned()).collect();
            let members: Vec<IncidentRef> = incidents.iter().map(|i| incident_ref(i)).collect();
            let guardrails: Vec<GuardrailView> = incidents.iter().flat_map(|i| data.guardrail_views(i)).collect();
            ChainSummary {
                guardrails_live: guardrails.iter().filter(|g| g.status != "proposed").count(),
                guardrails_recurred: guardrails.iter().filter(|g| g.outcome.state == "recurred").count(),
                title: incidents.first().map(|i| i.title.clone()).unwrap_or_default(),
                count: members.len(),
                first: members.first().and_then(|m| m.started.clone()),
                last: members.last().and_then(|m| m.started.clone()),
                members,
                categories: categories.into_iter().collect(),
                services: services.into_iter().collect(),
                guardrails,
            }
        })
        .collect()
}

// ---------------------------------------------------------------- feed, sitemap, data

fn feed(data: &SiteData<'_>, theme: &Theme, site: &serde_json::Value) -> Result<File, RenderError> {
    let mut entries: Vec<&Incident> = data.kb.incidents.iter().collect();
    entries.sort_by(|a, b| {
        let key = |i: &Incident| i.published.or(i.clock.started.map(|s| s.date_naive()));
        key(b).cmp(&key(a)).then_with(|| a.id.cmp(&b.id))
    });
    entries.truncate(30);
    let entries: Vec<serde_json::Value> = entries
        .iter()
        .map(|i| {
            let day = i.published.or(i.clock.started.map(|s| s.date_naive())).unwrap_or(data.today);
            serde_json::json!({
                "id": i.id,
                "url": SiteData::incident_url(&i.id),
                "title": i.title,
                "summary": i.summary,
                "updated": format!("{}T00:00:00Z", day.format("%Y-%m-%d")),
                "categories": i.categories,
                "severity": i.severity,
            })
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("site", site);
    ctx.insert("root", &root_prefix("feed.xml", data.config.site.base_url.as_deref()));
    ctx.insert("entries", &entries);
    ctx.insert("updated", &format!("{}T00:00:00Z", data.today.format("%Y-%m-%d")));
    Ok(File { path: "feed.xml".into(), bytes: theme.render("feed.xml", &ctx)? })
}

fn sitemap(paths: &[String], base_url: Option<&str>, build_date: &str) -> File {
    let prefix = root_prefix("sitemap.xml", base_url);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths.iter().filter(|p| p.ends_with("index.html")) {
        let dir = path.trim_end_matches("index.html");
        xml.push_str(&format!(
            "  <url><loc>{}{}</loc><lastmod>{build_date}</lastmod></url>\n",
            xml_escape(&prefix),
            xml_escape(dir)
        ));
    }
    xml.push_str("</urlset>\n");
    File { path: "sitemap.xml".into(), bytes: xml.into_bytes() }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The machine-readable exports, each written as it is serialised: the
/// incidents' file is the largest of the site (tens of MB at 10,000 records).
fn exports(data: &SiteData<'_>, actions: &[ActionView], out: &Output<'_>) -> Result<(), RenderError> {
    // One incident at a time: the JSON trees of every incident at once
    // would hold several times the size of the file.
    let incident = |inc: &Incident| -> Result<serde_json::Value, serde_json::Error> {
        let mut v = serde_json::to_value(inc)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("url".into(), SiteData::incident_url(&inc.id).into());
            let links = data.links.get(&inc.id).cloned().unwrap_or_default();
            obj.insert("recurred_as".into(), serde_json::to_value(&links.recurred_as)?);
            obj.insert("related_from".into(), serde_json::to_value(&links.related_from)?);
            let similar: Vec<&SimilarLink> = data
                .similarity
                .all(&inc.id)
                .iter()
                .filter(|l| data.get(&l.id).is_some())
                .take(data.similarity.max_listed)
                .collect();
            obj.insert("similar".into(), serde_json::to_value(similar)?);
        }
        Ok(v)
    };
    out.put_written("data/incidents.json", |w| json_lines(w, data.kb.incidents.iter().map(incident)))?;
    out.put_written("data/actions.json", |w| json_lines(w, actions.iter().map(Ok)))
}

/// A JSON array with one compact entry per line: a third of the size of
/// pretty JSON, and still easy to grep and diff.
fn json_lines<T: Serialize>(
    out: &mut dyn std::io::Write,
    items: impl Iterator<Item = Result<T, serde_json::Error>>,
) -> std::io::Result<()> {
    out.write_all(b"[\n")?;
    let mut empty = true;
    for item in items {
        if !empty {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &item?)?;
        empty = false;
    }
    out.write_all(if empty { b"]\n" } else { b"\n]\n" })
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
