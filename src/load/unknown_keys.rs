//! Every unknown key of a record in one run.
//!
//! serde stops at the first unknown key, so a record brought in from another
//! format (`start_time`, `sev`, `action_items`, …) would take one `check` per
//! key. When the first error is an unknown key, the front matter is parsed
//! once more into a spanned table, the key is taken out of it, and the table
//! is read again, until no unknown key is left: only records that already
//! failed pay for it, and each key keeps its position in the file.

use std::borrow::Cow;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer, Error};

use super::raw::RawRecord;

type Span = Range<usize>;

/// At most this many unknown keys are reported per record.
const MOST: usize = 100;

/// `first` (the error reading `text`) and, when it is an unknown key, every
/// other unknown key of the record, in the order serde finds them.
pub(super) fn all(text: &str, first: Error) -> Vec<Error> {
    let mut errors = vec![first];
    let Ok(parsed) = DeTable::parse(text) else { return errors };
    let (span, mut table) = (parsed.span(), parsed.into_inner());
    let mut tries = 0;
    while errors.len() < MOST && tries < 2 * MOST {
        tries += 1;
        let Some(last) = errors.last() else { break };
        let Some(at) = last.span().filter(|_| is_unknown_key(last)) else { break };
        // The table the key was taken from, by its span.
        let Some(from) = remove_key(&mut table, &span, &at) else { break };
        loop {
            match RawRecord::deserialize(Deserializer::from(Spanned::new(span.clone(), table.clone()))) {
                Err(e) if is_unknown_key(&e) => {
                    errors.push(e);
                    break;
                }
                // The key taken out was a misspelling of a required one:
                // stand a placeholder in for it, and read on.
                Err(e) if tries < 2 * MOST => {
                    tries += 1;
                    let Some(name) = missing_key(&e) else { return errors };
                    if !insert_placeholder(&mut table, &span, &from, name) {
                        return errors;
                    }
                }
                _ => return errors,
            }
        }
    }
    errors
}

fn is_unknown_key(e: &Error) -> bool {
    e.message().trim_start().starts_with("unknown field ")
}

/// The name in "missing field `name`".
fn missing_key(e: &Error) -> Option<String> {
    let rest = e.message().trim_start().strip_prefix("missing field ")?;
    Some(rest.trim().trim_matches('`').to_string())
}

/// Visit `table` (spanning `span`) and every table inside it, depth first,
/// until `visit` returns something.
fn find_table<'i, T>(
    table: &mut DeTable<'i>,
    span: &Span,
    visit: &mut dyn FnMut(&mut DeTable<'i>, &Span) -> Option<T>,
) -> Option<T> {
    if let Some(found) = visit(table, span) {
        return Some(found);
    }
    for (_, value) in table.iter_mut() {
        let span = value.span();
        let found = match value.get_mut() {
            DeValue::Table(inner) => find_table(inner, &span, visit),
            DeValue::Array(items) => items.iter_mut().find_map(|item| {
                let span = item.span();
                match item.get_mut() {
                    DeValue::Table(inner) => find_table(inner, &span, visit),
                    _ => None,
                }
            }),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Take the key written at `at` out of `table` (spanning `span`) or a table
/// inside it; the span of the table it was in.
fn remove_key(table: &mut DeTable<'_>, span: &Span, at: &Span) -> Option<Span> {
    find_table(table, span, &mut |t, own| {
        let key = t.keys().find(|k| k.span() == *at).cloned()?;
        t.remove(&key).map(|_| own.clone())
    })
}

/// Put an empty string under `name` into the table spanning `from`.
fn insert_placeholder(table: &mut DeTable<'_>, span: &Span, from: &Span, name: String) -> bool {
    let key = Spanned::new(from.start..from.start, Cow::Owned(name));
    find_table(table, span, &mut |t, own| {
        if own != from {
            return None;
        }
        if t.contains_key(&key) {
            return Some(false);
        }
        t.insert(key.clone(), Spanned::new(from.start..from.start, DeValue::String(Cow::Borrowed(""))));
        Some(true)
    })
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(text: &str) -> Vec<String> {
        let Err(first) = toml::from_str::<RawRecord>(text) else { return Vec::new() };
        all(text, first).iter().map(|e| e.message().trim().to_string()).collect()
    }

    #[test]
    fn every_unknown_key_is_found_at_every_depth() {
        let text = "title = \"T\"\nstart_time = 2024-01-01\nsev = \"SEV1\"\n\n[[findings]]\nid = \"F1\"\nsumary = \"x\"\n\n[[actions]]\nsummary = \"y\"\nassignee = \"z\"\n";
        let found: Vec<String> =
            unknown(text).iter().map(|m| m.split('`').nth(1).unwrap_or_default().to_string()).collect();
        let mut sorted = found.clone();
        sorted.sort();
        assert_eq!(sorted, ["assignee", "sev", "start_time", "sumary"], "{found:?}");
    }

    #[test]
    fn other_errors_stay_one() {
        assert_eq!(unknown("title = 3\nnope = 1\n").len(), 1);
        assert!(unknown("title = \"fine\"\n").is_empty());
    }
}
