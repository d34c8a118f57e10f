//! The theme: Tera templates and static assets.
//!
//! Part of `render` (layer 4): everything else in `render` renders through
//! [`Theme::render`], and [`escape_html`] is the one escaping of the site
//! (pages, the Atom feed, the sitemap, the SVG charts).
//!
//! The default theme (`themes/default/`) is compiled into the binary. A
//! knowledge base overrides any template or partial by putting a file with
//! the same name in its `templates/` folder, and may add static files; pages
//! are built from blocks and partials, so an override replaces a piece rather
//! than a copy of a whole page that would break on upgrade. Templates are
//! parsed once per build.

use tera::Tera;

use super::RenderError;
use crate::output::Template;

macro_rules! embedded {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),+]
    };
}

/// The default theme's templates, by name.
pub const TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "macros.html",
    "tables.html",
    "cards.html",
    "charts.html",
    "group.html",
    "index.html",
    "incidents.html",
    "incident.html",
    "brief.html",
    "categories.html",
    "category.html",
    "services.html",
    "service.html",
    "remedies.html",
    "guardrails.html",
    "actions.html",
    "recurring.html",
    "metrics.html",
    "404.html",
    "search.html",
    "feed.xml",
    "sitemap.xml",
);

/// The default theme's static files, served under `static/`.
pub const STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
    ("sort.js", include_bytes!("../../themes/default/static/sort.js")),
    ("search.js", include_bytes!("../../themes/default/static/search.js")),
    ("search-ui.js", include_bytes!("../../themes/default/static/search-ui.js")),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
];

/// Parsed templates plus the static files to copy.
pub struct Theme {
    tera: Tera,
    statics: Vec<(String, Vec<u8>)>,
    /// Every template's name and text, for the render cache's key.
    sources: Vec<(String, String)>,
}

impl Theme {
    /// The default theme with `overrides` on top. Static files of the
    /// knowledge base are not part of the theme (they go to the site root).
    pub fn load(overrides: &[Template]) -> Result<Theme, RenderError> {
        let mut tera = Tera::default();
        tera.set_escape_fn(escape_html);
        let mut all: Vec<(String, String)> = TEMPLATES
            .iter()
            .filter(|(name, _)| !overrides.iter().any(|o| o.name == *name))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        all.extend(overrides.iter().map(|o| (o.name.clone(), o.text.clone())));
        let sources = all.clone();
        tera.add_raw_templates(all)
            .map_err(|e| RenderError::Template { template: e.to_string(), message: error_chain(&e) })?;
        let statics = STATIC.iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect();
        Ok(Theme { tera, statics, sources })
    }

    /// A content key of every template: pages rendered with an equal key are reusable.
    pub fn key(&self, cache: &super::cache::RenderCache) -> super::cache::Key {
        let parts: Vec<&[u8]> = self.sources.iter().flat_map(|(n, t)| [n.as_bytes(), t.as_bytes()]).collect();
        cache.key(&parts)
    }

    /// Render `template` to HTML (or XML) bytes.
    pub fn render(&self, template: &str, ctx: &tera::Context) -> Result<Vec<u8>, RenderError> {
        thread_local! {
            /// Each thread renders into one buffer that keeps its size, instead of
            /// growing a new one from nothing for every page.
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|buffer| {
            buffer.clear();
            self.tera
                .render_to(template, ctx, &mut *buffer)
                .map_err(|e| RenderError::Template { template: template.to_string(), message: error_chain(&e) })?;
            // An exact-size copy: `serve` keeps every page in memory.
            Ok(buffer.to_vec())
        })
    }

    pub fn static_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.statics.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }
}

/// Escape text for HTML element content and quoted attribute values. Unlike
/// Tera's default it leaves `/` alone, so URLs stay readable in the source.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    // Copy the runs between special characters whole: most text has none.
    let mut start = 0;
    for (i, b) in input.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&input[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&input[start..]);
    out
}

/// Tera hides the useful part of an error in its source chain.
fn error_chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::escape_html;

    #[test]
    fn escapes_markup_and_keeps_everything_else() {
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("plain / text"), "plain / text");
        assert_eq!(
            escape_html("<a href=\"x\">Tom's & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#x27;s &amp; co&lt;/a&gt;"
        );
        assert_eq!(escape_html("ünïcödé <b>—</b> ✓"), "ünïcödé &lt;b&gt;—&lt;/b&gt; ✓");
        assert_eq!(escape_html("&"), "&amp;");
    }
}
