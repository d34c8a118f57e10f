//! The incident pages: each record's page (`/incidents/ID/`) and its
//! one-page brief (`/incidents/ID/brief/`), and the list of every incident
//! (`/incidents/`).
//!
//! Part of `render`'s pages (layer 4). Incident pages are most of the site,
//! so unlike the other families they are rendered here as soon as they are
//! built: memory holds a page per thread, not the site.

use rayon::prelude::*;

use crate::config::Config;
use crate::model::Incident;
use crate::output::File;
use crate::render::cache::RenderCache;
use crate::render::markdown::without_title_heading;
use crate::render::page::{Page, render_page};
use crate::render::theme::Theme;
use crate::render::views::{IncidentView, SiteData};
use crate::render::{Output, RenderError};

/// Every incident's page and brief, in parallel, each file handed on as
/// soon as it is made.
pub(crate) fn render_every_incident(
    data: &SiteData<'_>,
    site_json: &serde_json::Value,
    theme: &Theme,
    cache: &RenderCache,
    out: &Output<'_>,
) -> Result<(), RenderError> {
    let config = data.config;
    let markdown = cache.markdown_renderer(config.allow_raw_html);
    data.kb.incidents.par_iter().try_for_each(|inc| {
        let allow = [u8::from(config.allow_raw_html)];
        let narrative = without_title_heading(&inc.body, &inc.title);
        let body = if cache.reuses() {
            let key = cache.key(&[b"markdown", &allow, narrative.as_bytes()]);
            cache.markdown(key, || markdown.render(narrative))
        } else {
            markdown.render(narrative)
        };
        let view = data.incident_view(inc, body);
        for file in incident_pages(inc, &view, site_json, config, theme, cache, out)? {
            out.put(file.path, file.bytes)?;
        }
        Ok(())
    })
}

/// An incident's page and its brief, from one context.
pub(crate) fn incident_pages(
    inc: &Incident,
    view: &IncidentView,
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

/// `/incidents/`: every incident, newest first.
pub(crate) fn incidents_page(data: &SiteData<'_>) -> Result<Page, RenderError> {
    Page::new("incidents.html", "incidents/index.html", "Incidents", "incidents")
        .with("incidents", data.rows(data.kb.incidents.iter()))
}
