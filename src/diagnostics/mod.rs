//! Problems found in a knowledge base, and how they are shown.
//!
//! Every stage that reads user input reports into a [`Diagnostics`] collector
//! instead of returning early, so one `casebook check` run reports every problem
//! of every file. A [`Diagnostic`] carries the file, a 1-based line and column
//! (computed from byte offsets by [`SourceFile`], so a TOML span inside front
//! matter lands on the right line of the file), a message and a help text.
//! Rendering is rustc-style for people and JSON for machines; the collector
//! sorts by path, line and column so output is stable and easy to work through.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub mod toml_error;

pub use toml_error::suggest;

/// How bad a problem is. Errors stop a build; warnings do not, unless strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A position in a file: 1-based line and column (in characters), the text of
/// that line, and how many characters to underline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub line_text: String,
    #[serde(skip)]
    pub width: usize,
}

/// A second place that belongs to the same problem (the other file of a duplicate id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub path: PathBuf,
    #[serde(flatten)]
    pub location: Option<Location>,
    pub message: String,
}

/// One problem, with everything needed to show and fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case name of the kind of problem (see docs/record-format.md).
    pub code: &'static str,
    pub path: PathBuf,
    #[serde(flatten)]
    pub location: Option<Location>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            path: path.to_path_buf(),
            location: None,
            message: message.into(),
            help: None,
            related: Vec::new(),
        }
    }

    pub fn error(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, path, message)
    }

    pub fn warning(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, path, message)
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn related(mut self, path: &Path, location: Option<Location>, message: impl Into<String>) -> Self {
        self.related.push(Related { path: path.to_path_buf(), location, message: message.into() });
        self
    }

    fn sort_key(&self) -> (&Path, usize, usize, Severity, &str) {
        let (line, column) = self.location.as_ref().map_or((0, 0), |l| (l.line, l.column));
        (&self.path, line, column, self.severity, &self.message)
    }
}

/// The text of one input file, able to turn byte offsets into [`Location`]s.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the knowledge base when possible).
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// After [`SourceFile::keep_lines`]: `text` is empty and these are the
    /// lines kept, by 0-based index, each without its `\n`; `len` is how
    /// long the text was.
    kept: Vec<(usize, Box<str>)>,
    len: usize,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let line_starts =
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect();
        let len = text.len();
        SourceFile { path, text, line_starts, kept: Vec::new(), len }
    }

    /// Forget the text from byte `end` on (a char boundary) and every line
    /// but line 1 and those holding one of the offsets in `starts`: what is
    /// left is a few lines instead of the whole record. Locations starting
    /// on a kept line stay exactly as they were; elsewhere only their line
    /// number is right.
    pub fn keep_lines(&mut self, end: usize, starts: impl IntoIterator<Item = usize>) {
        if !self.kept.is_empty() || end > self.text.len() || !self.text.is_char_boundary(end) {
            return;
        }
        let lines = self.line_starts.partition_point(|&start| start <= end);
        let mut keep: Vec<usize> =
            starts.into_iter().map(|at| self.line_index(at.min(end))).chain(std::iter::once(0)).collect();
        keep.sort_unstable();
        keep.dedup();
        self.kept = keep.into_iter().map(|i| (i, self.line(i, end).into())).collect();
        // Fresh allocations of the exact size, not shrunk ones: an allocator
        // may keep a shrunk block's full size.
        self.line_starts = self.line_starts[..lines].to_vec();
        self.text = String::new();
        self.len = end;
    }

    /// The 0-based line holding byte `at`.
    fn line_index(&self, at: usize) -> usize {
        match self.line_starts.binary_search(&at) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Line `index` of the whole text cut at `end`, without its `\n`.
    fn line(&self, index: usize, end: usize) -> &str {
        let start = self.line_starts.get(index).copied().unwrap_or(0).min(end);
        let text = self.text.get(start..end).unwrap_or("");
        text.find('\n').map_or(text, |i| &text[..i])
    }

    /// The location of the byte range `span`. Offsets past the end clamp to the
    /// last character; an offset inside a multi-byte character counts as that
    /// character.
    pub fn location(&self, span: std::ops::Range<usize>) -> Location {
        let start = span.start.min(self.len);
        let line_index = self.line_index(start);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let line = if self.kept.is_empty() {
            self.line(line_index, self.len)
        } else {
            self.kept.binary_search_by_key(&line_index, |k| k.0).map_or("", |k| &self.kept[k].1)
        };
        let line_text = line.trim_end_matches('\r');
        // Offsets within the line; `start` is at most the line's end.
        let at = start - line_start;
        let column = line.get(..floor_char_boundary(line, at)).map_or(0, |p| p.chars().count()) + 1;
        // A span starting at a line's `\r` ends where it starts.
        let end = span.end.min(line_start + line_text.len()).max(start) - line_start;
        let width = line.get(at..floor_char_boundary(line, end)).map_or(0, |s| s.chars().count());
        Location { line: line_index + 1, column, line_text: line_text.to_string(), width: width.max(1) }
    }

    /// The location of the first character of 1-based `line` (used for whole-line problems).
    pub fn line_location(&self, line: usize) -> Location {
        let start = self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
        let mut loc = self.location(start..start);
        loc.width = loc.line_text.chars().count().max(1);
        loc
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// `text` made safe to print on a terminal: control characters other than
/// `\n` and `\t` (escape sequences that recolour, retitle, hide text or
/// rewrite the clipboard, carriage returns that overwrite a line, NUL) and
/// the Unicode controls that reorder text on screen are shown escaped, as
/// `\e`, `\r`, `\0` or `\u{..}`, instead of acting. Every piece of record
/// text that reaches a terminal goes through here.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How many characters of a source line a diagnostic shows, at most.
pub const SHOWN_LINE: usize = 200;

/// The part of `line` a diagnostic shows: all of it when short, else
/// [`SHOWN_LINE`] characters around `column` (1-based), with `…` where it was
/// cut; and the column and width of the marked span within what is shown.
fn shown_line(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let count = line.chars().count();
    if count <= SHOWN_LINE {
        return (line.to_string(), column, width);
    }
    let at = column.saturating_sub(1).min(count);
    let start = at.saturating_sub(SHOWN_LINE / 4).min(count.saturating_sub(SHOWN_LINE));
    let end = (start + SHOWN_LINE).min(count);
    let mut out: String = if start > 0 { "…".into() } else { String::new() };
    out.extend(line.chars().skip(start).take(end - start));
    if end < count {
        out.push('…');
    }
    let column = at - start + 1 + usize::from(start > 0);
    (out, column, width.min(end.saturating_sub(at)).max(1))
}

/// Collects diagnostics from every stage.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Push and return the diagnostic, to add help or related places to it.
    pub fn push_mut(&mut self, diagnostic: Diagnostic) -> &mut Diagnostic {
        self.items.push(diagnostic);
        let last = self.items.len() - 1;
        &mut self.items[last]
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Take out the warnings with one of `codes` about a file in `paths`,
    /// and return them.
    pub fn set_aside(&mut self, paths: &std::collections::HashSet<PathBuf>, codes: &[&str]) -> Vec<Diagnostic> {
        let (aside, kept) = std::mem::take(&mut self.items)
            .into_iter()
            .partition(|d| d.severity == Severity::Warning && codes.contains(&d.code) && paths.contains(&d.path));
        self.items = kept;
        aside
    }

    /// How many of each code, errors and warnings together.
    pub fn counts(&self) -> std::collections::BTreeMap<(&'static str, Severity), usize> {
        let mut counts = std::collections::BTreeMap::new();
        for d in &self.items {
            *counts.entry((d.code, d.severity)).or_insert(0) += 1;
        }
        counts
    }

    /// Turn every warning into an error (`--strict`, `[policy] strict = true`).
    pub fn make_strict(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Sorted by path, line, column; duplicates (same place, same message) removed.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        items.dedup_by(|a, b| a.sort_key() == b.sort_key());
        items
    }
}

/// ANSI styling for terminal output; `plain()` when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn plain() -> Self {
        Style { color: false }
    }

    pub fn colored() -> Self {
        Style { color: true }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.paint("1;31", text),
            Severity::Warning => self.paint("1;33", text),
        }
    }

    fn accent(&self, text: &str) -> String {
        self.paint("1;34", text)
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Bold text, for titles and matched words.
    pub fn emphasis(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed text, for secondary details.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// Render one diagnostic rustc-style:
///
/// ```text
/// error[unknown-key]: unknown field `sevrity`
///   --> incidents/db.md:4:1
///    |
///  4 | sevrity = "SEV1"
///    | ^^^^^^^
///    = help: did you mean `severity`?
/// ```
pub fn render_human(d: &Diagnostic, style: Style) -> String {
    let mut out = String::new();
    let head = format!("{}[{}]", d.severity.label(), d.code);
    let _ = writeln!(
        out,
        "{}{}",
        style.severity(d.severity, &head),
        style.bold(&format!(": {}", terminal_safe(&d.message)))
    );
    render_place(&mut out, &d.path, d.location.as_ref(), None, d.severity, style);
    for r in &d.related {
        render_place(&mut out, &r.path, r.location.as_ref(), Some(&r.message), d.severity, style);
    }
    if let Some(help) = &d.help {
        let gutter = gutter_width(d);
        for (i, line) in help.lines().enumerate() {
            let lead = if i == 0 { "= help: " } else { "        " };
            let _ = writeln!(out, "{:gutter$} {}{}", "", style.accent(lead), terminal_safe(line));
        }
    }
    out
}

fn gutter_width(d: &Diagnostic) -> usize {
    let max_line = std::iter::once(d.location.as_ref())
        .chain(d.related.iter().map(|r| r.location.as_ref()))
        .flatten()
        .map(|l| l.line)
        .max()
        .unwrap_or(0);
    max_line.to_string().len().max(1)
}

fn render_place(
    out: &mut String,
    path: &Path,
    location: Option<&Location>,
    label: Option<&str>,
    severity: Severity,
    style: Style,
) {
    let gutter = location.map_or(1, |l| l.line.to_string().len());
    let shown = path.display().to_string();
    let shown = terminal_safe(&shown);
    let place = match location {
        Some(l) => format!("{shown}:{}:{}", l.line, l.column),
        None => shown.into_owned(),
    };
    let label = label.map(terminal_safe);
    let label = label.as_deref();
    let _ = writeln!(out, "{:gutter$}{} {}", "", style.accent("-->"), place);
    let Some(l) = location else {
        if let Some(label) = label {
            let _ = writeln!(out, "{:gutter$} {} {}", "", style.accent("="), label);
        }
        return;
    };
    let bar = style.accent("|");
    let _ = writeln!(out, "{:gutter$} {bar}", "");
    let (text, column, width) = shown_line(&l.line_text, l.column, l.width);
    // Escaped characters take more room than they did: mark under what is shown.
    let before: String = text.chars().take(column.saturating_sub(1)).collect();
    let marked: String = text.chars().skip(column.saturating_sub(1)).take(width).collect();
    let (column, width) = (terminal_safe(&before).chars().count() + 1, terminal_safe(&marked).chars().count());
    let _ = writeln!(out, "{} {bar} {}", style.accent(&l.line.to_string()), terminal_safe(&text));
    let marker = format!("{}{}", " ".repeat(column.saturating_sub(1)), "^".repeat(width.max(1)));
    let marker = match label {
        Some(label) => format!("{marker} {label}"),
        None => marker,
    };
    let _ = writeln!(out, "{:gutter$} {bar} {}", "", style.severity(severity, &marker));
}

/// The closing summary line: `2 errors, 1 warning in 45 records`.
pub fn summary_line(diagnostics: &Diagnostics, records: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {} in {}",
        plural(diagnostics.error_count(), "error"),
        plural(diagnostics.warning_count(), "warning"),
        plural(records, "record")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let src = SourceFile::new("a.md".into(), "+++\ntitle = \"é x\"\nbad\n".into());
        let bad = src.text.find("bad").unwrap_or_default();
        let loc = src.location(bad..bad + 3);
        assert_eq!((loc.line, loc.column, loc.width), (3, 1, 3));
        assert_eq!(loc.line_text, "bad");
        // "x" sits after a two-byte character: column counts characters.
        let x = src.text.find('x').unwrap_or_default();
        assert_eq!(src.location(x..x + 1).column, 12);
    }

    #[test]
    fn location_clamps_past_the_end_and_inside_characters() {
        let src = SourceFile::new("a.md".into(), "é".into());
        assert_eq!(src.location(1..2).column, 1);
        assert_eq!(src.location(50..60).line, 1);
    }

    #[test]
    fn keeping_lines_keeps_their_locations() {
        let text = "+++\ntitle = \"é x\"\nid = \"a\"\r\nx = 1\n+++\nBody line\nmore\n";
        let whole = SourceFile::new("a.md".into(), text.into());
        let body = text.find("Body").unwrap_or_default();
        let title = text.find("title").unwrap_or_default();
        let id = text.find("id").unwrap_or_default();
        let mut thin = SourceFile::new("a.md".into(), text.into());
        thin.keep_lines(body, [title + 9, id + 5]);
        assert_eq!(thin.text, "");
        // Line 1 and the two lines holding an offset keep their locations,
        // to the character, including spans running past a line's end.
        for span in
            [0..3, 1..2, title..title + 5, title + 9..title + 12, title + 11..title + 40, id..id + 2, id + 8..id + 9]
        {
            let (a, b) = (whole.location(span.clone()), thin.location(span));
            assert_eq!((a.line, a.column, a.width, &a.line_text), (b.line, b.column, b.width, &b.line_text));
        }
        assert_eq!(thin.line_location(2).line_text, "title = \"é x\"");
        assert_eq!(thin.location(id..id + 2).line_text, "id = \"a\"");
        // Another line keeps its number, not its text; past the cut clamps to it.
        let x = text.find("x =").unwrap_or_default();
        assert_eq!((thin.location(x..x + 1).line, thin.location(x..x + 1).line_text.as_str()), (4, ""));
        assert_eq!(thin.location(body + 3..body + 4).line, 6);
        // A cut inside a character is refused: the text stays whole.
        let mut odd = SourceFile::new("a.md".into(), "é".into());
        odd.keep_lines(1, [0]);
        assert_eq!(odd.text, "é");
    }

    #[test]
    fn a_span_starting_at_a_carriage_return_has_width_one() {
        let src = SourceFile::new("a.md".into(), "ab\r\ncd".into());
        let loc = src.location(3..6);
        assert_eq!((loc.line, loc.column, loc.width, loc.line_text.as_str()), (1, 4, 1, "ab"));
    }

    #[test]
    fn crlf_is_not_part_of_the_line_text() {
        let src = SourceFile::new("a.md".into(), "a\r\nbc\r\n".into());
        assert_eq!(src.location(3..4).line_text, "bc");
    }

    #[test]
    fn renders_rustc_style() {
        let src = SourceFile::new("incidents/db.md".into(), "+++\nsevrity = \"SEV1\"\n+++\n".into());
        let d = Diagnostic::error("unknown-key", &src.path, "unknown field `sevrity`")
            .at(Some(src.location(4..11)))
            .help("did you mean `severity`?");
        let text = render_human(&d, Style::plain());
        assert_eq!(
            text,
            "error[unknown-key]: unknown field `sevrity`\n --> incidents/db.md:2:1\n  |\n2 | sevrity = \"SEV1\"\n  | ^^^^^^^\n  = help: did you mean `severity`?\n"
        );
    }

    #[test]
    fn terminal_safe_shows_controls_escaped() {
        assert_eq!(terminal_safe("plain\ttext\nnext ✓"), "plain\ttext\nnext ✓");
        assert!(matches!(terminal_safe("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            terminal_safe("\u{1b}[31mred\u{1b}]0;title\u{7}\r\0\u{9b}\u{202e}"),
            "\\e[31mred\\e]0;title\\u{7}\\r\\0\\u{9b}\\u{202e}"
        );
    }

    #[test]
    fn diagnostics_escape_controls_and_cut_long_lines() {
        let line = format!("title = \"{}\u{1b}[2J{}\"", "a".repeat(500_000), "b".repeat(500_000));
        let src = SourceFile::new("incidents/\u{1b}x.md".into(), format!("+++\n{line}\n+++\n"));
        let at = src.text.find('\u{1b}').unwrap();
        let d = Diagnostic::error("x", &src.path, "bad \u{1b}[2J").at(Some(src.location(at..at + 4))).help("h\u{7}");
        let text = render_human(&d, Style::plain());
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text}");
        assert!(text.len() < 1000, "{} bytes", text.len());
        let shown = text.lines().nth(3).unwrap();
        let marker = text.lines().nth(4).unwrap();
        assert!(shown.starts_with("2 | …aaa") && shown.ends_with("bbb…"), "{shown}");
        // Two `…`, and `\e` is one character more than ESC.
        assert_eq!(shown.chars().count(), "2 | ".len() + SHOWN_LINE + 2 + 1);
        // The marker stands under the escaped sequence, `\e[2J`.
        let col = marker.find('^').unwrap();
        assert_eq!(shown.chars().skip(col).take(5).collect::<String>(), "\\e[2J");
        assert_eq!(marker.matches('^').count(), 5);
        assert!(text.contains("incidents/\\ex.md"), "{text}");
    }

    #[test]
    fn sorts_by_path_then_position() {
        let mut all = Diagnostics::default();
        let b = SourceFile::new("b.md".into(), "x\ny\n".into());
        let a = SourceFile::new("a.md".into(), "x\ny\n".into());
        all.push(Diagnostic::error("x", &b.path, "late").at(Some(b.location(2..3))));
        all.push(Diagnostic::error("x", &b.path, "early").at(Some(b.location(0..1))));
        all.push(Diagnostic::warning("x", &a.path, "first"));
        let order: Vec<_> = all.sorted().into_iter().map(|d| d.message).collect();
        assert_eq!(order, ["first", "early", "late"]);
    }
}
