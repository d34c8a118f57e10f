//! The plumbing every HTML page goes through: a [`Page`] is a template, an
//! output path and the page's own context; [`render_page`] adds what every
//! page shares and renders it, through the render cache.
//!
//! Part of `render` (layer 4). The page families in [`super::pages`] only
//! build `Page`s; when and where they are rendered is decided in
//! [`super::render_site`].

use serde::Serialize;

use super::cache::RenderCache;
use super::theme::Theme;
use super::{Output, RenderError, root_prefix};
use crate::config::Config;
use crate::output::File;

/// Work that makes one or more pages from the whole knowledge base.
pub(crate) type PageJob<'a> = Box<dyn Fn() -> Result<Vec<Page>, RenderError> + Sync + 'a>;

/// A page to render: template, output path, and its own context.
pub(crate) struct Page {
    pub(crate) template: &'static str,
    pub(crate) path: String,
    pub(crate) title: String,
    pub(crate) section: &'static str,
    pub(crate) ctx: tera::Context,
}

impl Page {
    pub(crate) fn new(
        template: &'static str,
        path: impl Into<String>,
        title: impl Into<String>,
        section: &'static str,
    ) -> Self {
        Page { template, path: path.into(), title: title.into(), section, ctx: tera::Context::new() }
    }

    pub(crate) fn with(mut self, key: &'static str, value: impl Serialize) -> Result<Self, RenderError> {
        // Straight into the template context: serialised once.
        self.ctx
            .try_insert(key, &value)
            .map_err(|e| RenderError::Template { template: self.template.to_string(), message: e.to_string() })?;
        Ok(self)
    }
}

/// Render one page with the context every page shares. The page's context
/// gains `site`, `root` and `page`, so it can be rendered again as another
/// page (the brief reuses the incident's) without building it twice.
pub(crate) fn render_page(
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
