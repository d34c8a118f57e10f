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

/// The narrative without a leading `# Heading` that only repeats the title.
///
/// Records imported from elsewhere often open with the title as an H1; the
/// page already shows the title as its own `<h1>`, so that heading would be
/// rendered twice. It is dropped when, after any blank lines, the body starts
/// with an ATX level-1 heading whose text equals `title` ignoring case,
/// surrounding whitespace and trailing punctuation. Any other body is
/// returned unchanged.
pub fn without_title_heading<'a>(body: &'a str, title: &str) -> &'a str {
    let mut rest = body;
    while !rest.is_empty() {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        if line.trim().is_empty() {
            rest = after;
            continue;
        }
        return match h1_text(line) {
            Some(text) if same_title(text, title) => after,
            _ => body,
        };
    }
    body
}

/// The text of an ATX level-1 heading line (`# Text`, `# Text #`), if it is one.
fn h1_text(line: &str) -> Option<&str> {
    let unindented = line.trim_start_matches(' ');
    if line.len() - unindented.len() > 3 {
        return None; // indented code
    }
    let after = unindented.strip_prefix('#')?;
    if !(after.is_empty() || after.starts_with([' ', '\t', '\r'])) {
        return None; // `##` or `#text`: not a level-1 heading
    }
    let text = after.trim();
    // An optional closing sequence of `#`, after a space.
    let open = text.trim_end_matches('#');
    Some(if open.is_empty() || open.ends_with([' ', '\t']) { open.trim_end() } else { text })
}

/// Whether a heading says the same as the title: case, surrounding and
/// repeated whitespace and trailing punctuation aside.
fn same_title(heading: &str, title: &str) -> bool {
    fn norm(s: &str) -> String {
        let trailing = |c: char| c.is_whitespace() || c.is_ascii_punctuation() || matches!(c, '…' | '。' | '！' | '？');
        s.trim().trim_end_matches(trailing).split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }
    let title = norm(title);
    !title.is_empty() && norm(heading) == title
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
    fn a_leading_h1_that_repeats_the_title_is_dropped() {
        let title = "Checkout errors after payments DB failover";
        let body = "\n\n# checkout errors after payments DB failover.\n\n## Summary\nText\n";
        assert_eq!(without_title_heading(body, title), "\n## Summary\nText\n");
        assert_eq!(without_title_heading("# Checkout  errors after payments DB failover #\nx", title), "x");
        assert_eq!(without_title_heading("\r\n  #  Checkout errors after payments DB failover!\r\nx", title), "x");
        assert_eq!(without_title_heading(&format!("# {title}"), title), "");
        // Anything else stays.
        for body in [
            "# Checkout errors\n\n## Summary\n",
            "Intro\n\n# Checkout errors after payments DB failover\n",
            "## Checkout errors after payments DB failover\n",
            "#Checkout errors after payments DB failover\n",
            "    # Checkout errors after payments DB failover\n",
            "# Checkout errors after payments DB failover, again\n",
            "",
            "\n\n",
        ] {
            assert_eq!(without_title_heading(body, title), body, "{body:?}");
        }
        // A title of punctuation only never matches an empty heading.
        assert_eq!(without_title_heading("#\nx", "?"), "#\nx");
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
