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
//!
//! Templates are code: before they are parsed, loops between them (a
//! template that extends or includes itself, a macro that calls itself) are
//! refused (`loops`), as Tera would recurse until the stack overflows. While
//! a page renders, [`Bounds`] stop it when its output grows past a size, it
//! runs past a time, or its `range()` calls ask for more values than any
//! page needs, instead of running until memory is gone.

use std::cell::Cell;
use std::time::{Duration, Instant};

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
    "review.html",
    "start.html",
    "glossary.html",
    "404.html",
    "search.html",
    "feed.xml",
    "sitemap.xml",
);

/// The default theme's static files, served under `static/`.
pub const STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
    ("sort.js", include_bytes!("../../themes/default/static/sort.js")),
    ("filter.js", include_bytes!("../../themes/default/static/filter.js")),
    ("copy.js", include_bytes!("../../themes/default/static/copy.js")),
    ("search.js", include_bytes!("../../themes/default/static/search.js")),
    ("stem.js", include_bytes!("../../themes/default/static/stem.js")),
    ("search-ui.js", include_bytes!("../../themes/default/static/search-ui.js")),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
];

/// Parsed templates plus the static files to copy.
pub struct Theme {
    tera: Tera,
    statics: Vec<(String, Vec<u8>)>,
    /// Every template's name and text, for the render cache's key.
    sources: Vec<(String, String)>,
    bounds: Bounds,
}

/// How far one page may go while it renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Bytes of output.
    pub output: usize,
    /// Time, checked as output is written and as `range()` is called.
    pub time: Duration,
    /// Values made by all the page's `range()` calls together.
    pub range: usize,
}

impl Default for Bounds {
    /// Far beyond any real page: the largest pages of a 10,000-record
    /// knowledge base are a few megabytes and render in milliseconds.
    fn default() -> Self {
        Bounds { output: 64 << 20, time: Duration::from_secs(60), range: 1_000_000 }
    }
}

/// Which bound a page went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Exceeded {
    #[error("the page's output passed {} MiB", .0 >> 20)]
    Output(usize),
    #[error("the page took more than {} s to render", .0.as_secs())]
    Time(Duration),
    #[error("the page's range() calls asked for more than {0} values")]
    Range(usize),
}

/// The page a thread is rendering: its bounds, what `range()` may still
/// make, its deadline, and the bound it went past, if one.
#[derive(Debug, Clone, Copy)]
struct Page {
    bounds: Bounds,
    range_left: usize,
    deadline: Option<Instant>,
    exceeded: Option<Exceeded>,
}

thread_local! {
    static PAGE: Cell<Option<Page>> = const { Cell::new(None) };
}

/// Change the page this thread renders, if it renders one.
fn page(change: impl FnOnce(&mut Page)) {
    PAGE.with(|p| {
        if let Some(mut page) = p.get() {
            change(&mut page);
            p.set(Some(page));
        }
    });
}

/// Past the deadline of the page being rendered? Noted as exceeded if so.
fn late() -> bool {
    let mut late = false;
    page(|p| {
        if p.deadline.is_some_and(|d| Instant::now() > d) {
            p.exceeded = Some(Exceeded::Time(p.bounds.time));
            late = true;
        }
    });
    late
}

/// Tera's `range(start, end, step_by)`, counted against the page's bound.
fn bounded_range(args: &std::collections::HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let number = |key: &str, default: Option<usize>| match args.get(key) {
        Some(v) => tera::from_value::<usize>(v.clone()).map_err(|_| {
            tera::Error::msg(format!("Function `range` received {key}={v} but `{key}` can only be a number"))
        }),
        None => {
            default.ok_or_else(|| tera::Error::msg(format!("Function `range` was called without a `{key}` argument")))
        }
    };
    let (start, end, step) = (number("start", Some(0))?, number("end", None)?, number("step_by", Some(1))?.max(1));
    if start > end {
        return Err(tera::Error::msg("Function `range` was called with a `start` argument greater than the `end` one"));
    }
    let count = (end - start).div_ceil(step);
    let mut allowed = true;
    page(|p| match p.range_left.checked_sub(count) {
        Some(left) => p.range_left = left,
        None => {
            p.exceeded = Some(Exceeded::Range(p.bounds.range));
            allowed = false;
        }
    });
    if !allowed || late() {
        return Err(tera::Error::msg("the page went past a bound"));
    }
    Ok(tera::Value::Array((start..end).step_by(step).map(tera::Value::from).collect()))
}

/// The page's buffer, refusing to grow past the bounds.
struct BoundedWriter<'a> {
    out: &'a mut Vec<u8>,
    bounds: Bounds,
    writes: u32,
}

impl std::io::Write for BoundedWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > self.bounds.output {
            page(|p| p.exceeded = Some(Exceeded::Output(p.bounds.output)));
            return Err(std::io::Error::other("the page went past a bound"));
        }
        // Reading the clock is cheap, but writes are many and small.
        self.writes = self.writes.wrapping_add(1);
        if self.writes % 1024 == 0 && late() {
            return Err(std::io::Error::other("the page went past a bound"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
        if let Some(found) = super::loops::find(&all, &|name| overrides.iter().any(|o| o.name == name)) {
            return Err(RenderError::Loop(found));
        }
        let bounds = Bounds::default();
        tera.register_function("range", bounded_range);
        tera.register_filter("ticket_id", ticket_id_filter);
        tera.register_filter("step_html", step_html_filter);
        tera.add_raw_templates(all)
            .map_err(|e| RenderError::Template { template: e.to_string(), message: error_chain(&e) })?;
        let statics = STATIC.iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect();
        Ok(Theme { tera, statics, sources, bounds })
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
        let bounds = self.bounds;
        let deadline = Instant::now().checked_add(bounds.time);
        PAGE.with(|p| p.set(Some(Page { bounds, range_left: bounds.range, deadline, exceeded: None })));
        BUFFER.with_borrow_mut(|buffer| {
            buffer.clear();
            let rendered = self.tera.render_to(template, ctx, BoundedWriter { out: &mut *buffer, bounds, writes: 0 });
            let passed = PAGE.with(|p| p.take()).and_then(|p| p.exceeded);
            if let Some(bound) = passed {
                // The buffer may have grown large: let it go.
                *buffer = Vec::new();
                return Err(RenderError::Bound { template: template.to_string(), bound });
            }
            rendered.map_err(|e| RenderError::Template { template: template.to_string(), message: error_chain(&e) })?;
            // An XML document may not hold every character text may: NUL and
            // the other controls make the feed unreadable to every reader.
            if template.ends_with(".xml") {
                return Ok(xml_chars_only(buffer));
            }
            // An exact-size copy: `serve` keeps every page in memory.
            Ok(buffer.to_vec())
        })
    }

    pub fn static_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.statics.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    /// The text of the static file `name` (empty when there is none or it is
    /// not UTF-8): the not-found page inlines the style sheet.
    pub fn static_text(&self, name: &str) -> &str {
        self.statics.iter().find(|(p, _)| p == name).and_then(|(_, b)| std::str::from_utf8(b).ok()).unwrap_or("")
    }
}

/// The ticket a tracker link points to, as people say it: `OPS-123` for
/// `https://jira.example/browse/OPS-123`, `#42` for a numbered issue, the
/// `selectedIssue` of a board link; the host when the address names nothing.
pub fn ticket_id(url: &str) -> String {
    let without_fragment = url.split('#').next().unwrap_or(url);
    let (path, query) = without_fragment.split_once('?').unwrap_or((without_fragment, ""));
    for pair in query.split('&') {
        if let Some(("selectedIssue" | "issue" | "id", v)) = pair.split_once('=') {
            if !v.is_empty() {
                return v.to_string();
            }
        }
    }
    let rest = path.split_once("://").map_or(path, |(_, r)| r);
    let mut parts = rest.split('/').filter(|p| !p.is_empty());
    let host = parts.next().unwrap_or(rest);
    match parts.next_back() {
        Some(last) if last.chars().all(|c| c.is_ascii_digit()) => format!("#{last}"),
        Some(last) => last.to_string(),
        None => host.to_string(),
    }
}

fn ticket_id_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    Ok(tera::Value::String(ticket_id(value.as_str().unwrap_or_default())))
}

/// Commands a remedy step may start with: such a step is shown as a code
/// block with a copy button.
const COMMANDS: &[&str] = &[
    "kubectl",
    "psql",
    "mysql",
    "redis-cli",
    "curl",
    "aws",
    "gcloud",
    "az",
    "helm",
    "terraform",
    "docker",
    "git",
    "systemctl",
    "journalctl",
    "ssh",
    "sudo",
    "openssl",
    "dig",
    "nslookup",
    "vault",
    "consul",
    "etcdctl",
    "nginx",
    "pg_dump",
    "pg_ctl",
    "ansible",
    "make",
    "cargo",
    "npm",
    "SELECT",
    "UPDATE",
    "ALTER",
    "DELETE",
    "INSERT",
    "$",
];

/// A remedy step as HTML: a step that is a command (it starts with one of
/// [`COMMANDS`]) is a code block; otherwise prose with `backticked` words as
/// inline code. Everything is escaped.
pub fn step_html(step: &str) -> String {
    let first = step.split_whitespace().next().unwrap_or("");
    if COMMANDS.contains(&first) {
        let command = step.strip_prefix("$ ").unwrap_or(step);
        return format!("<pre class=\"step-command\" tabindex=\"0\"><code>{}</code></pre>", escape_html(command));
    }
    let pieces: Vec<&str> = step.split('`').collect();
    // An unclosed backtick: the step stays as typed.
    if pieces.len() % 2 == 0 {
        return escape_html(step);
    }
    let mut out = String::new();
    for (n, piece) in pieces.iter().enumerate() {
        if n % 2 == 1 {
            out.push_str(&format!("<code>{}</code>", escape_html(piece)));
        } else {
            out.push_str(&escape_html(piece));
        }
    }
    out
}

fn step_html_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    Ok(tera::Value::String(step_html(value.as_str().unwrap_or_default())))
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

/// Whether XML 1.0 allows `c` in a document (`Char` in the specification;
/// Rust strings hold no surrogates).
fn xml_allowed(c: char) -> bool {
    !matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// `bytes` without the characters XML 1.0 does not allow, copied exactly.
fn xml_chars_only(bytes: &[u8]) -> Vec<u8> {
    // The quick test: no control byte, and no U+FFFE or U+FFFF (EF BF BE/BF).
    let clean = !bytes.iter().any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        && !bytes.windows(3).any(|w| w[0] == 0xef && w[1] == 0xbf && w[2] >= 0xbe);
    if clean {
        return bytes.to_vec();
    }
    String::from_utf8_lossy(bytes).chars().filter(|&c| xml_allowed(c)).collect::<String>().into_bytes()
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
mod ticket_tests {
    use super::{step_html, ticket_id};

    #[test]
    fn a_command_step_is_a_code_block_and_backticks_are_inline_code() {
        assert_eq!(
            step_html("kubectl -n x rollout restart deploy/<api>"),
            "<pre class=\"step-command\" tabindex=\"0\"><code>kubectl -n x rollout restart deploy/&lt;api&gt;</code></pre>"
        );
        assert_eq!(step_html("$ psql -c 'select 1'").matches("<pre").count(), 1);
        assert_eq!(step_html("Run `SHOW pool` on <pgbouncer>"), "Run <code>SHOW pool</code> on &lt;pgbouncer&gt;");
        assert_eq!(step_html("Restart the pods"), "Restart the pods");
    }

    #[test]
    fn a_ticket_link_reads_as_its_ticket() {
        assert_eq!(ticket_id("https://tracker.example/RECS-642"), "RECS-642");
        assert_eq!(ticket_id("https://jira.example/browse/OPS-12/"), "OPS-12");
        assert_eq!(ticket_id("https://github.com/o/r/issues/42#c1"), "#42");
        assert_eq!(ticket_id("https://jira.example/secure/RapidBoard.jspa?rapidView=3&selectedIssue=PAY-7"), "PAY-7");
        assert_eq!(ticket_id("https://tracker.example/"), "tracker.example");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(page: &str, bounds: Bounds) -> Theme {
        let page = Template { name: "404.html".into(), text: page.into(), path: "templates/404.html".into() };
        let mut theme = Theme::load(&[page]).unwrap();
        theme.bounds = bounds;
        theme
    }

    #[test]
    fn a_page_stops_at_its_bounds() {
        let wide = Bounds { output: 1000, ..Bounds::default() };
        let loop_ = "{% for i in range(end=300) %}{{ i }}-{% endfor %}";
        assert!(theme(loop_, Bounds::default()).render("404.html", &tera::Context::new()).is_ok());
        let err = theme(loop_, wide).render("404.html", &tera::Context::new()).err();
        assert!(matches!(err, Some(RenderError::Bound { bound: Exceeded::Output(1000), .. })), "{err:?}");
        let slow = Bounds { time: Duration::ZERO, ..Bounds::default() };
        let err = theme(loop_, slow).render("404.html", &tera::Context::new()).err();
        assert!(matches!(err, Some(RenderError::Bound { bound: Exceeded::Time(_), .. })), "{err:?}");
        let few = Bounds { range: 299, ..Bounds::default() };
        let err = theme(loop_, few).render("404.html", &tera::Context::new()).err();
        assert!(matches!(err, Some(RenderError::Bound { bound: Exceeded::Range(299), .. })), "{err:?}");
        // The next page starts with its own bounds.
        assert!(theme(loop_, Bounds::default()).render("404.html", &tera::Context::new()).is_ok());
    }

    #[test]
    fn xml_keeps_only_the_characters_xml_allows() {
        assert_eq!(xml_chars_only("a\tb\n\r é ✓ 𝄞".as_bytes()), "a\tb\n\r é ✓ 𝄞".as_bytes());
        assert_eq!(
            xml_chars_only("a\0b\u{1b}c\u{7f}\u{ffff}\u{fffe}d\u{fffd}".as_bytes()),
            "abc\u{7f}d\u{fffd}".as_bytes()
        );
    }

    #[test]
    fn range_counts_as_tera_does() {
        let t = theme(
            "{{ range(end=5) | join(sep=',') }};{{ range(start=2, end=9, step_by=3) | join(sep=',') }}",
            Bounds::default(),
        );
        let out = t.render("404.html", &tera::Context::new()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "0,1,2,3,4;2,5,8");
    }

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
