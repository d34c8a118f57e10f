//! The layering rule of `docs/architecture.md`, checked on the source: a
//! top-level module may use only modules of a lower layer, so the pipeline
//! stays readable from the folder names and has no import cycle.
//!
//! The check reads `src/` as text: every `crate::NAME` path and every name in
//! a `use crate::{…}` group, outside `#[cfg(test)]` modules (tests may reach
//! anywhere). A new top-level module must be given a layer here.

use std::collections::BTreeSet;
use std::path::Path;

/// Layer of each top-level module, lowest first. A module may use a module
/// of a strictly lower layer only.
const LAYERS: &[(&str, u8)] = &[
    // L0: plain data and the vocabulary every stage shares.
    ("model", 0),
    ("diagnostics", 0),
    ("output", 0),
    ("text", 0),
    // L1: the knowledge base's settings.
    ("config", 1),
    // L2: files → checked model, one record at a time; other formats →
    // records.
    ("load", 2),
    ("import", 2),
    // L3: what the whole knowledge base says; the search index.
    ("analyze", 3),
    ("index", 3),
    // L4: checks across records, pages in memory, the output directory.
    ("crosscheck", 4),
    ("render", 4),
    ("write", 4),
    // L5: the pipeline run as a whole, and the commands' own work.
    ("build", 5),
    ("review", 5),
    ("scaffold", 5),
    // L6: the live preview runs builds.
    ("serve", 6),
    // L7: the command line's definitions, then the commands.
    ("cli", 7),
    ("cmd", 8),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(name, _)| *name == module).map(|(_, layer)| *layer)
}

/// The source without its `#[cfg(test)]` modules (by convention the last
/// item of a file).
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// Every top-level module named after `crate::` in `text`.
fn used_modules(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::b, c}`: the first segment of each entry at depth 0.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        rest = &group[i..];
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => {
                        let name: String =
                            group[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        used.insert(name);
                        start = false;
                    }
                    c if c.is_whitespace() => {}
                    _ => start = false,
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                used.insert(name);
            }
        }
    }
    used
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    let mut seen = BTreeSet::new();
    for path in &files {
        let relative = path.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        seen.insert(module.clone());
        let Some(own) = layer(&module) else {
            broken.push(format!("{}: module `{module}` has no layer in tests/casebook/layers.rs", relative.display()));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        for used in used_modules(without_tests(&text)) {
            if used == module {
                continue;
            }
            match layer(&used) {
                Some(theirs) if theirs < own => {}
                Some(theirs) => broken.push(format!(
                    "{}: `{module}` (layer {own}) uses `{used}` (layer {theirs}); a module may use lower layers only",
                    relative.display()
                )),
                None => broken.push(format!("{}: uses `crate::{used}`, which has no layer", relative.display())),
            }
        }
    }
    assert!(broken.is_empty(), "the layering rule is broken:\n{}", broken.join("\n"));
    // Every layer listed is a module that exists: the table stays true.
    let listed: BTreeSet<String> = LAYERS.iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(listed, seen, "tests/casebook/layers.rs lists modules that are not in src/, or misses some");
}

#[test]
fn the_reader_sees_grouped_and_nested_uses() {
    let used = used_modules("use crate::{model::{Incident, slugify}, output::File};\nlet x = crate::text::stem(y);");
    assert_eq!(used.into_iter().collect::<Vec<_>>(), ["model", "output", "text"]);
    assert_eq!(without_tests("a\n#[cfg(test)]\nmod tests { use crate::cmd; }"), "a\n");
}
