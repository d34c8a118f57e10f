//! The site's files for machines rather than readers: the Atom feed
//! (`feed.xml`), the sitemap (`sitemap.xml`) and the JSON exports
//! (`data/incidents.json`, `data/actions.json`).
//!
//! Part of `render` (layer 4). The feed and the sitemap are templates of the
//! theme (`feed.xml`, `sitemap.xml`), so Tera escapes them like every page;
//! they are not [`Page`](super::page::Page)s, as they have no `page` or
//! navigation and are not cached. The sitemap is made last, from the paths
//! of every page written.

use serde::Serialize;

use super::theme::Theme;
use super::views::{ActionView, SiteData};
use super::{Output, RenderError, root_prefix};
use crate::analyze::similar::SimilarLink;
use crate::model::Incident;
use crate::output::File;

/// `feed.xml`: the 30 most recently published incidents.
pub(crate) fn feed(data: &SiteData<'_>, theme: &Theme, site: &serde_json::Value) -> Result<File, RenderError> {
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
    let updated = format!("{}T00:00:00Z", data.today.format("%Y-%m-%d"));
    xml_file(theme, "feed.xml", site, data.config.site.base_url.as_deref(), |ctx| {
        ctx.insert("entries", &entries);
        ctx.insert("updated", &updated);
    })
}

/// `sitemap.xml`: every page (each `…/index.html`, as its folder URL) of
/// `paths`, stamped with the build date.
pub(crate) fn sitemap(
    paths: &[String],
    theme: &Theme,
    site: &serde_json::Value,
    base_url: Option<&str>,
) -> Result<File, RenderError> {
    let urls: Vec<&str> =
        paths.iter().filter(|p| p.ends_with("index.html")).map(|p| p.trim_end_matches("index.html")).collect();
    xml_file(theme, "sitemap.xml", site, base_url, |ctx| ctx.insert("urls", &urls))
}

/// The theme's template `name` rendered into the file of that name at the
/// site root. It sees `site`, `root`, and what `fill` adds.
fn xml_file(
    theme: &Theme,
    name: &'static str,
    site: &serde_json::Value,
    base_url: Option<&str>,
    fill: impl FnOnce(&mut tera::Context),
) -> Result<File, RenderError> {
    let mut ctx = tera::Context::new();
    ctx.insert("site", site);
    ctx.insert("root", &root_prefix(name, base_url));
    fill(&mut ctx);
    Ok(File { path: name.into(), bytes: theme.render(name, &ctx)? })
}

/// The machine-readable exports, each written as it is serialised: the
/// incidents' file is the largest of the site (tens of MB at 10,000 records).
pub(crate) fn exports(data: &SiteData<'_>, actions: &[ActionView], out: &Output<'_>) -> Result<(), RenderError> {
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
