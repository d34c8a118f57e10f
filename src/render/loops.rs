//! Loops between templates, found before anything renders.
//!
//! Part of `render` (layer 4). Tera follows `extends`, `include`, `import`
//! and macro calls by recursion: a template that extends itself (an
//! override of `base.html` holding `{% extends "base.html" %}`), two
//! templates that include each other, or a macro that calls itself would
//! recurse until the stack overflows and the process aborts. So the theme's
//! sources are scanned for those tags first, and a loop is refused with the
//! place of the tag that closes it. Macros that call themselves, directly or
//! through others, are refused too: Tera has no depth bound to stop them.
//!
//! The scan reads tags (`{% … %}`, `{{ … }}`), skips comments and `raw`
//! blocks, and needs no parse, so it can point at the offending tag.

use std::collections::{HashMap, HashSet};

/// What a loop goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKind {
    /// `{% extends %}`, `{% include %}` or `{% import %}`: one template needs another.
    Template,
    /// Macros that call themselves, directly or through other macros.
    Macro,
}

/// A loop, placed at the tag in `template` that closes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct TemplateLoop {
    pub kind: LoopKind,
    /// The template holding the tag that closes the loop.
    pub template: String,
    /// The byte range of that tag in the template's text.
    pub span: std::ops::Range<usize>,
    /// The names along the loop, first repeated at the end: templates, or `file::macro`.
    pub chain: Vec<String>,
}

impl TemplateLoop {
    fn describe(&self) -> String {
        match self.kind {
            LoopKind::Template => {
                format!("templates extend or include each other in a loop: {}", self.chain.join(" → "))
            }
            LoopKind::Macro => format!("a macro calls itself: {}", self.chain.join(" → ")),
        }
    }
}

/// A tag naming another template or macro, and where it is.
#[derive(Debug, Clone)]
struct Edge {
    to: String,
    span: std::ops::Range<usize>,
}

/// What one template's text says about the others.
#[derive(Debug, Default)]
struct Scan {
    /// Templates this one extends, includes or imports.
    needs: Vec<Edge>,
    /// `import "file" as ns`: namespace → file.
    imports: HashMap<String, String>,
    /// Per macro defined here: the calls in its body, as (namespace, macro, span).
    calls: Vec<(String, Vec<Call>)>,
}

/// A macro call in a macro's body: namespace, macro, where.
type Call = (String, String, std::ops::Range<usize>);

/// The first loop among `sources` (name, text), preferring one closed by a
/// template for which `preferred` holds (the knowledge base's overrides),
/// so the error points at a file its authors can change.
pub fn find(sources: &[(String, String)], preferred: &dyn Fn(&str) -> bool) -> Option<TemplateLoop> {
    let scans: HashMap<&str, Scan> = sources.iter().map(|(name, text)| (name.as_str(), scan(text))).collect();
    let mut order: Vec<&str> = sources.iter().map(|(n, _)| n.as_str()).collect();
    order.sort_by_key(|n| (!preferred(n), *n));

    let mut found: Vec<TemplateLoop> = Vec::new();
    // Templates: a depth-first search from each, in order.
    let graph: HashMap<&str, Vec<&Edge>> = scans.iter().map(|(n, s)| (*n, s.needs.iter().collect())).collect();
    if let Some(l) = first_cycle(&order, &graph, LoopKind::Template) {
        found.push(l);
    }
    // Macros: nodes are `template::macro`; `self::m` is the same template's.
    let mut macro_graph: HashMap<String, Vec<Edge>> = HashMap::new();
    let mut owner: HashMap<String, &str> = HashMap::new();
    for (name, s) in &scans {
        for (m, calls) in &s.calls {
            let node = format!("{name}::{m}");
            let edges = calls
                .iter()
                .filter_map(|(ns, callee, span)| {
                    let file = if ns == "self" { Some(*name) } else { s.imports.get(ns).map(String::as_str) }?;
                    Some(Edge { to: format!("{file}::{callee}"), span: span.clone() })
                })
                .collect();
            owner.insert(node.clone(), name);
            macro_graph.insert(node, edges);
        }
    }
    let mut macro_order: Vec<&str> = macro_graph.keys().map(String::as_str).collect();
    macro_order.sort_by_key(|n| (!owner.get(*n).is_some_and(|t| preferred(t)), *n));
    let macro_graph: HashMap<&str, Vec<&Edge>> =
        macro_graph.iter().map(|(n, edges)| (n.as_str(), edges.iter().collect())).collect();
    if let Some(mut l) = first_cycle(&macro_order, &macro_graph, LoopKind::Macro) {
        l.template = owner.get(l.template.as_str()).map_or(l.template.clone(), |t| t.to_string());
        found.push(l);
    }
    found.sort_by_key(|l| !preferred(&l.template));
    found.into_iter().next()
}

/// The first cycle reached from `order`'s nodes: `template` is the node
/// whose edge closes it.
fn first_cycle(order: &[&str], graph: &HashMap<&str, Vec<&Edge>>, kind: LoopKind) -> Option<TemplateLoop> {
    let mut done: HashSet<&str> = HashSet::new();
    for start in order {
        if done.contains(start) {
            continue;
        }
        // An explicit stack of (node, next edge), so a long chain cannot overflow ours.
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        let mut on_path: HashSet<&str> = HashSet::from([*start]);
        while let Some(&(node, next)) = path.last() {
            let edges = graph.get(node).map(Vec::as_slice).unwrap_or_default();
            let Some(edge) = edges.get(next) else {
                on_path.remove(node);
                done.insert(node);
                path.pop();
                continue;
            };
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            let Some((&to, _)) = graph.get_key_value(edge.to.as_str()) else { continue };
            if on_path.contains(to) {
                let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                let mut chain: Vec<String> = path[from..].iter().map(|(n, _)| n.to_string()).collect();
                chain.push(to.to_string());
                return Some(TemplateLoop { kind, template: node.to_string(), span: edge.span.clone(), chain });
            }
            if !done.contains(to) {
                on_path.insert(to);
                path.push((to, 0));
            }
        }
    }
    None
}

/// Read the tags of one template.
fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    let mut current: Option<usize> = None;
    let mut at = 0;
    while let Some(open) = text[at..].find('{').map(|i| at + i) {
        let rest = &text[open..];
        let close = if rest.starts_with("{#") {
            "#}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{{") {
            "}}"
        } else {
            at = open + 1;
            continue;
        };
        let Some(end) = rest[2..].find(close).map(|i| open + 2 + i + 2) else { break };
        at = end;
        if close == "#}" {
            continue;
        }
        let inner = text[open + 2..end - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let span = open..end;
        let keyword = inner.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("");
        if close == "%}" {
            match keyword {
                "raw" => {
                    // Everything up to `endraw` is text.
                    at = text[at..].find("endraw").map_or(text.len(), |i| at + i);
                    continue;
                }
                "extends" | "include" | "import" => {
                    let names = quoted(&inner[keyword.len()..]);
                    let names = if keyword == "import" { names.into_iter().take(1).collect() } else { names };
                    if let (true, Some(file), Some(ns)) =
                        (keyword == "import", names.first(), inner.rsplit(" as ").next())
                    {
                        out.imports.insert(ns.trim().to_string(), file.clone());
                    }
                    out.needs.extend(names.into_iter().map(|to| Edge { to, span: span.clone() }));
                    continue;
                }
                "macro" => {
                    let name = inner["macro".len()..].trim_start();
                    let name: String = name.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    out.calls.push((name, Vec::new()));
                    current = Some(out.calls.len() - 1);
                    continue;
                }
                "endmacro" => {
                    current = None;
                    continue;
                }
                _ => {}
            }
        }
        if let Some(m) = current.and_then(|i| out.calls.get_mut(i)) {
            m.1.extend(macro_calls(inner).into_iter().map(|(ns, name)| (ns, name, span.clone())));
        }
    }
    out
}

/// The string literals in a tag, in order.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '"' | '\'' | '`') {
            let start = i + 1;
            let end = chars.by_ref().find(|(_, d)| *d == c).map_or(text.len(), |(j, _)| j);
            out.push(text[start..end].to_string());
        }
    }
    out
}

/// `ns::name(` calls in a tag, as (namespace, macro).
fn macro_calls(text: &str) -> Vec<(String, String)> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("::").map(|i| from + i) {
        from = i + 2;
        let ns_start = text[..i].rfind(|c: char| !ident(c)).map_or(0, |j| j + 1);
        let name_end = text[from..].find(|c: char| !ident(c)).map_or(text.len(), |j| from + j);
        let (ns, name) = (&text[ns_start..i], &text[from..name_end]);
        if !ns.is_empty() && !name.is_empty() && text[name_end..].trim_start().starts_with('(') {
            out.push((ns.to_string(), name.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
    }

    #[test]
    fn the_default_theme_has_no_loop() {
        assert_eq!(find(&sources(super::super::theme::TEMPLATES), &|_| false), None);
    }

    #[test]
    fn a_template_extending_itself_is_a_loop_at_its_tag() {
        let text = "<p>\n  {% extends \"base.html\" %}";
        let all = sources(&[("base.html", text), ("index.html", "{% extends \"base.html\" %}")]);
        let l = find(&all, &|n| n == "base.html").unwrap_or_else(|| panic!("no loop"));
        assert_eq!(
            (l.kind, l.template.as_str(), &text[l.span.clone()]),
            (LoopKind::Template, "base.html", "{% extends \"base.html\" %}")
        );
        assert_eq!(l.chain, ["base.html", "base.html"]);
    }

    #[test]
    fn includes_and_imports_in_a_ring_are_a_loop() {
        let all = sources(&[
            ("a.html", "{% include \"b.html\" %}"),
            ("b.html", "{%- include [\"x.html\", \"c.html\"] ignore missing -%}"),
            ("c.html", "{% import \"a.html\" as a %}"),
        ]);
        let l = find(&all, &|_| true).unwrap_or_else(|| panic!("no loop"));
        assert_eq!(l.chain, ["a.html", "b.html", "c.html", "a.html"]);
        assert_eq!(l.template, "c.html");
    }

    #[test]
    fn macros_calling_themselves_are_a_loop_and_comments_are_not_read() {
        let text = "{% macro tree(n) %}{{ self::tree(n=n) }}{% endmacro tree %}";
        let l = find(&sources(&[("m.html", text)]), &|_| true).unwrap_or_else(|| panic!("no loop"));
        assert_eq!((l.kind, l.template.as_str()), (LoopKind::Macro, "m.html"));
        assert_eq!(&text[l.span], "{{ self::tree(n=n) }}");
        let mutual = "{% import \"m.html\" as m %}{% macro a() %}{{ m::b() }}{% endmacro %}{% macro b() %}{{ m::a() }}{% endmacro %}";
        assert!(find(&sources(&[("m.html", mutual)]), &|_| true).is_some());
        let quiet = "{# {% include \"q.html\" %} #}{% raw %}{% include \"q.html\" %}{% endraw %}";
        assert_eq!(find(&sources(&[("q.html", quiet)]), &|_| true), None);
    }
}
