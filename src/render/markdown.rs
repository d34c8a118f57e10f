//! Markdown to HTML with comrak: GitHub-flavoured extensions, heading anchors,
//! syntax-highlighted code blocks, and no raw HTML unless the config allows it.
//!
//! The narrative sits under the page's own "Narrative" heading, so its
//! headings are shifted down one level (`#` becomes `<h2>`, `##` `<h3>`) and
//! their ids are prefixed with `narrative-` so they cannot collide with the
//! page's section ids. Code is highlighted with CSS classes (not inline
//! colours) so the theme's light and dark modes both apply.
//!
//! Part of `render` (layer 4); the renderers live in the render cache, built
//! once per setting of `allow_raw_html`.

use std::fmt::{self, Write};
use std::sync::Mutex;

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::Sourcepos;
use comrak::options::Plugins;
use comrak::plugins::syntect::{SyntectAdapter, SyntectAdapterBuilder};
use comrak::{Anchorizer, Options};

/// A configured Markdown renderer; build once, use from many threads.
pub struct Markdown {
    options: Options<'static>,
    highlighter: SyntectAdapter,
}

impl Markdown {
    pub fn new(allow_raw_html: bool) -> Self {
        let mut options = Options::default();
        options.extension.strikethrough = true;
        options.extension.table = true;
        options.extension.autolink = true;
        options.extension.tasklist = true;
        options.extension.footnotes = true;
        options.render.r#unsafe = allow_raw_html;
        // Without permission, raw HTML is shown as text rather than silently dropped.
        options.render.escape = !allow_raw_html;
        // Class-based output needs no colour themes: skip loading syntect's defaults.
        let highlighter = SyntectAdapterBuilder::new()
            .css_with_class_prefix("hl-")
            .theme_set(syntect::highlighting::ThemeSet::new())
            .build();
        Markdown { options, highlighter }
    }

    /// Render one document.
    pub fn render(&self, text: &str) -> String {
        let headings = Headings { anchors: Mutex::new(Anchorizer::new()) };
        let mut plugins = Plugins::default();
        plugins.render.codefence_syntax_highlighter = Some(&self.highlighter);
        plugins.render.heading_adapter = Some(&headings);
        let html = comrak::markdown_to_html_with_plugins(text, &self.options, &plugins);
        // Code blocks scroll sideways: make them reachable from the keyboard.
        html.replace("<pre", "<pre tabindex=\"0\"")
    }
}

/// Headings one level down, with unique `narrative-` ids and a link to each.
struct Headings {
    anchors: Mutex<Anchorizer>,
}

impl Headings {
    fn id(&self, content: &str) -> String {
        let slug = match self.anchors.lock() {
            Ok(mut a) => a.anchorize(content),
            Err(poisoned) => poisoned.into_inner().anchorize(content),
        };
        format!("narrative-{slug}")
    }
}

fn level(heading: &HeadingMeta) -> u8 {
    (heading.level + 1).min(6)
}

impl HeadingAdapter for Headings {
    fn enter(&self, output: &mut dyn Write, heading: &HeadingMeta, _sourcepos: Option<Sourcepos>) -> fmt::Result {
        let id = self.id(&heading.content);
        write!(output, "<h{} id=\"{}\">", level(heading), escape_attr(&id))
    }

    fn exit(&self, output: &mut dyn Write, heading: &HeadingMeta) -> fmt::Result {
        write!(output, "</h{}>", level(heading))
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_links_are_neutralised() {
        let md = Markdown::new(false);
        let html = md.render("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b>hi</b>\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn raw_html_passes_only_when_allowed() {
        let html = Markdown::new(true).render("<b>hi</b>\n");
        assert!(html.contains("<b>hi</b>"), "{html}");
    }

    #[test]
    fn headings_shift_down_with_unique_prefixed_ids() {
        let html = Markdown::new(false).render("# Summary\n\n## Impact\n\n## Impact\n");
        assert!(html.contains("<h2 id=\"narrative-summary\">Summary</h2>"), "{html}");
        assert!(html.contains("<h3 id=\"narrative-impact\">"), "{html}");
        assert!(html.contains("<h3 id=\"narrative-impact-1\">"), "{html}");
    }

    #[test]
    fn gfm_tables_tasks_footnotes_and_highlighting() {
        let html = Markdown::new(false).render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\nNote[^1]\n\n[^1]: foot\n\n```yaml\nkey: value\n```\n",
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert!(html.contains("footnote"), "{html}");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("<pre tabindex=\"0\""), "{html}");
    }
}
