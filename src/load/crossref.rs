//! Checks that need every record at once: unique incident ids (also when
//! only their case differs: one folder on a case-insensitive file system),
//! references to other incidents (`recurrence_of`, `related`), and service
//! and tag names that would collide in URLs or have no address at all.

use std::collections::BTreeMap;
use std::ops::Range;

use rustc_hash::FxHashMap;

use super::Parsed;
use super::raw::S;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Related};
use crate::model::{RecordStatus, slugify};

fn place(p: &Parsed, span: Option<Range<usize>>) -> Location {
    match span {
        Some(s) => p.source.location(s.start + p.offset..s.end + p.offset),
        None => p.source.line_location(1),
    }
}

/// Duplicate ids and references between incidents.
/// `unreadable` are the file names of records that failed to parse: references
/// to them are not reported again.
pub(super) fn check(parsed: &[Parsed], unreadable: &[String], diags: &mut Diagnostics) {
    let mut first: BTreeMap<&str, &Parsed> = BTreeMap::new();
    // The first record of each id in lower case: ids that differ only in
    // case are one page folder on macOS and Windows.
    let mut folded: FxHashMap<String, &Parsed> = FxHashMap::default();
    for p in parsed {
        let id = p.incident.id.as_str();
        if let Some(other) = first.get(id) {
            let message = format!("incident id `{id}` is used by two records");
            diags.push(duplicate_id(p, other, message, "also used here".into()));
            continue;
        }
        first.insert(id, p);
        match folded.entry(id.to_lowercase()) {
            std::collections::hash_map::Entry::Occupied(other) => {
                let other = other.get();
                let message = format!(
                    "incident ids `{id}` and `{}` differ only in case, so their pages are one folder on a case-insensitive file system (macOS, Windows)",
                    other.incident.id
                );
                diags.push(duplicate_id(p, other, message, format!("`{}` is used here", other.incident.id)));
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(p);
            }
        }
    }

    let ids: Vec<&str> = first.keys().copied().collect();
    for p in parsed {
        let refs = p
            .raw
            .recurrence_of
            .iter()
            .map(|r| ("recurrence_of", r.get_ref().as_str(), r.span()))
            .chain(p.raw.related.iter().map(|r| ("related", r.get_ref().id(), r.span())));
        for (field, target, span) in refs {
            let loc = Some(place(p, Some(span)));
            let path = &p.source.path;
            if target == p.incident.id {
                diags.push(
                    Diagnostic::error("unknown-reference", path, format!("`{field}` names this incident itself"))
                        .at(loc),
                );
                continue;
            }
            if unreadable.iter().any(|u| u == target) && !first.contains_key(target) {
                continue;
            }
            let Some(other) = first.get(target) else {
                let help = match suggest(target, &ids) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "use the id of an existing record (its `id`, or its file name without .md)".into(),
                };
                diags.push(
                    Diagnostic::error(
                        "unknown-reference",
                        path,
                        format!("`{field}` names `{target}`, but no record has that id"),
                    )
                    .at(loc)
                    .help(help),
                );
                continue;
            };
            if other.incident.status == RecordStatus::Draft && p.incident.status != RecordStatus::Draft {
                diags.push(
                    Diagnostic::warning(
                        "draft-reference",
                        path,
                        format!("`{field}` names `{target}`, which is a draft"),
                    )
                    .at(loc.clone())
                    .help("drafts are built only with --drafts, so the link will be missing from the published site"),
                );
            }
            if field == "recurrence_of" {
                if let (Some(this), Some(that)) = (p.incident.clock.started, other.incident.clock.started) {
                    if that > this {
                        diags.push(
                            Diagnostic::warning(
                                "recurrence-order",
                                path,
                                format!("`{target}` started after this incident, so this cannot be its recurrence"),
                            )
                            .at(loc)
                            .help(format!("put `recurrence_of = [\"{}\"]` in the later record instead", p.incident.id)),
                        );
                    }
                }
            }
        }
    }
}

/// The `duplicate-id` error of record `p`, whose id clashes with `other`'s.
fn duplicate_id(p: &Parsed, other: &Parsed, message: String, there_message: String) -> Diagnostic {
    let here = place(p, p.raw.id.as_ref().map(S::span));
    let there = place(other, other.raw.id.as_ref().map(S::span));
    Diagnostic::error("duplicate-id", &p.source.path, message)
        .at(Some(here))
        .related(&other.source.path, Some(there), there_message)
        .help("ids come from `id = …` or the file name; give one record another id")
}

/// Service names and tags are free text; two spellings with the same URL slug
/// are merged, and one with no slug at all (no letter or digit: `🔥`, `.`)
/// has no address for its page, so it is an error.
pub(super) fn check_names(parsed: &[Parsed], diags: &mut Diagnostics) {
    for (what, field, get) in [
        (
            "service",
            "services",
            (|p: &Parsed| p.raw.services.as_ref().map(|s| s.get_ref().iter().collect()).unwrap_or_default())
                as fn(&Parsed) -> Vec<&S<String>>,
        ),
        ("tag", "tags", |p: &Parsed| p.raw.tags.as_ref().map(|t| t.iter().collect()).unwrap_or_default()),
    ] {
        // The first spelling of each slug, and where it is; locations are
        // worked out only for what is reported. Each spelling is slugged
        // once (slugs are not cheap): a repeated one adds nothing, unless
        // it has no slug, which is reported wherever it is used.
        let mut seen: BTreeMap<String, (&str, &Parsed, Range<usize>)> = BTreeMap::new();
        let mut spellings: FxHashMap<&str, bool> = FxHashMap::default();
        for p in parsed {
            for name in get(p) {
                let spelling = name.get_ref().trim();
                let nameless = |diags: &mut Diagnostics| {
                    diags.push(
                        Diagnostic::error(
                            "empty-slug",
                            &p.source.path,
                            format!(
                                "{what} `{spelling}` in `{field}` has no letter or digit to make its address from"
                            ),
                        )
                        .at(Some(place(p, Some(name.span()))))
                        .help(format!("give the {what} a name with letters or digits: its page is {what}s/NAME/, NAME made of them"))
                    );
                };
                if let Some(&empty) = spellings.get(spelling) {
                    if empty {
                        nameless(diags);
                    }
                    continue;
                }
                let slug = slugify(spelling);
                spellings.insert(spelling, slug.is_empty());
                if slug.is_empty() {
                    nameless(diags);
                    continue;
                }
                match seen.get(&slug) {
                    Some((first, first_p, first_span)) => {
                        let mut d = Diagnostic::warning(
                            "merged-names",
                            &p.source.path,
                            format!(
                                "{what} `{spelling}` and `{first}` share the address {what}s/{slug}/ and are merged"
                            ),
                        )
                        .at(Some(place(p, Some(name.span()))))
                        .help(format!("spell the {what} the same way everywhere"));
                        d.related.push(Related {
                            path: first_p.source.path.clone(),
                            location: Some(place(first_p, Some(first_span.clone()))),
                            message: format!("`{first}` first used here"),
                        });
                        diags.push(d);
                    }
                    None => {
                        seen.insert(slug, (spelling, p, name.span()));
                    }
                }
            }
        }
    }
}
