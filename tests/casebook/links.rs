//! Every internal link and fragment of the built example site resolves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::build::read_tree;
use crate::support::{TODAY, casebook};

/// Values of `attr="..."` in `html` (the theme always double-quotes attributes).
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", "\"")
}

/// Resolve `href` against the page at `page` (both relative to the site root).
fn resolve(page: &str, href: &str) -> Option<(String, Option<String>)> {
    if href.starts_with("http://") || href.starts_with("https://") || href.starts_with("mailto:") {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop(); // the file name
    if path.is_empty() {
        return Some((page.to_string(), fragment));
    }
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                assert!(parts.pop().is_some(), "{href} on {page} climbs above the site root");
            }
            s => parts.push(s),
        }
    }
    let mut target = parts.join("/");
    if path.ends_with('/') || target.is_empty() {
        target = if target.is_empty() { "index.html".into() } else { format!("{target}/index.html") };
    }
    Some((target, fragment))
}

/// The example site, built into a temporary folder.
fn example_site() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let out = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = casebook(root, &["build", "content", "-o", out.path().to_str().unwrap(), "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(out.path());
    (out, tree)
}

/// The not-found page is served at any missing address; its script finds the
/// site root as the folder above the first of the site's own top-level names
/// in that address. Every top-level name the site has must be among them, or
/// a missing page below it would be given the wrong root.
#[test]
fn the_not_found_page_knows_every_top_level_name_of_the_site() {
    let (_out, tree) = example_site();
    let page = String::from_utf8_lossy(&tree["404.html"]).into_owned();
    let start = page.find("var known = ").expect("the root-finding script") + "var known = ".len();
    let end = start + page[start..].find(';').unwrap();
    let known: Vec<String> = serde_json::from_str(&page[start..end]).unwrap();
    let top: BTreeSet<&str> =
        tree.keys().map(|p| p.split('/').next().unwrap()).filter(|n| !n.starts_with('.')).collect();
    let missing: Vec<&&str> = top.iter().filter(|n| !known.iter().any(|k| k == **n)).collect();
    assert!(missing.is_empty(), "not known to the 404 page: {missing:?}");
    assert!(top.len() > 10, "{top:?}");
    // Its links lead from the site root into the site, and it is styled without a style sheet link.
    for href in ["./", "./incidents/", "./remedies/", "./services/", "./search/"] {
        assert!(page.contains(&format!("=\"{href}\"")), "{href} missing from the 404 page");
        let target = resolve("404.html", href).unwrap().0;
        assert!(tree.contains_key(&target), "{href} → {target} missing");
    }
    assert!(page.contains("<style>") && !page.contains("rel=\"stylesheet\""));
}

#[test]
fn every_internal_link_and_fragment_of_the_example_site_resolves() {
    let (_out, tree) = example_site();
    let pages: BTreeMap<&String, String> = tree
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8_lossy(b).into_owned()))
        .collect();
    let ids: BTreeMap<&String, BTreeSet<String>> =
        pages.iter().map(|(p, html)| (*p, attribute_values(html, "id").into_iter().map(unescape).collect())).collect();
    let mut checked = 0;
    let mut broken = Vec::new();
    for (page, html) in &pages {
        for href in attribute_values(html, "href").into_iter().chain(attribute_values(html, "src")) {
            let href = unescape(href);
            let Some((target, fragment)) = resolve(page, &href) else { continue };
            checked += 1;
            if !tree.contains_key(&target) {
                broken.push(format!("{page}: {href} → {target} (missing)"));
                continue;
            }
            if let Some(f) = fragment {
                if !ids.get(&target).is_some_and(|set| set.contains(&f)) {
                    broken.push(format!("{page}: {href} → #{f} not found on {target}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{} broken of {checked}:\n{}", broken.len(), broken.join("\n"));
    assert!(checked > 5000, "only {checked} links checked");
    assert!(pages.len() > 100, "only {} pages", pages.len());
}
