//! Words that describe the writing of a record, not the failure it records:
//! when it happened (months, weekdays, time zones, clock words), where it was
//! published (URL and e-mail fragments), bare ordinals, and the names of the
//! organisation that wrote it. Two postmortems that both happened on a
//! Tuesday in March, both link to a discussion thread, or were both written
//! by the same company, have not failed alike.
//!
//! The lists here are the closed vocabularies of dates and addresses; what is
//! boilerplate in one knowledge base's narratives, and which names its titles
//! keep repeating, is learned from its records (see `similar`).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use crate::model::Incident;

/// Names of months, weekdays, time zones and times of day, lower case,
/// sorted (binary search). Units of time ("hour", "year") stay: a clock
/// moved by an hour or a date a year on can be the failure itself.
const CALENDAR: &[&str] = &[
    "afternoon",
    "am",
    "apr",
    "april",
    "aug",
    "august",
    "bst",
    "cest",
    "cet",
    "dec",
    "december",
    "edt",
    "est",
    "evening",
    "feb",
    "february",
    "fri",
    "friday",
    "gmt",
    "jan",
    "january",
    "jul",
    "july",
    "jun",
    "june",
    "mar",
    "march",
    "midnight",
    "monday",
    "morning",
    "nov",
    "november",
    "oct",
    "october",
    "overnight",
    "pdt",
    "pm",
    "pst",
    "saturday",
    "sep",
    "sept",
    "september",
    "sunday",
    "thu",
    "thursday",
    "today",
    "tomorrow",
    "tue",
    "tuesday",
    "utc",
    "wed",
    "wednesday",
    "weekend",
    "yesterday",
];

/// Fragments of web and mail addresses left when a bare address is cut into
/// words, lower case, sorted.
const ADDRESS: &[&str] = &["com", "htm", "html", "http", "https", "mailto", "org", "php", "www"];

/// Whether a lower-case word only says when or where a record was written.
pub fn is_writing_word(word: &str) -> bool {
    CALENDAR.binary_search(&word).is_ok() || ADDRESS.binary_search(&word).is_ok() || is_ordinal(word)
}

/// "1st", "22nd", "3rd", "11th": a day of the month.
fn is_ordinal(word: &str) -> bool {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && matches!(suffix, "st" | "nd" | "rd" | "th")
}

/// The text without web and e-mail addresses (each becomes a space), so
/// their pieces ("github", "com", a path) are not compared as words.
pub fn without_addresses(text: &str) -> Cow<'_, str> {
    let is_address = |chunk: &str| {
        chunk.contains("://")
            || chunk.trim_start_matches(['(', '[', '<']).starts_with("www.")
            || chunk.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
    };
    // Every address has one of these: most texts have none, and are not cut.
    let maybe = text.contains("://") || text.contains("www.") || text.contains('@');
    if !maybe || !text.split_whitespace().any(is_address) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let chunk = &rest[..end];
        if is_address(chunk) {
            // Keep a markdown link's text: "[the thread](https://…)" → "[the thread]".
            match chunk.find("](") {
                Some(at) => out.push_str(&chunk[..=at]),
                None => out.push(' '),
            }
        } else {
            out.push_str(chunk);
        }
        rest = &rest[end..];
    }
    Cow::Owned(out)
}

/// How many records' titles a name must be capitalised in.
const NAME_RECORDS: usize = 3;
/// How many different first categories those records must span: a name
/// that follows one kind of failure is probably part of it.
const NAME_CATEGORIES: usize = 3;

/// Names the titles keep repeating across unrelated records: a word written
/// with a capital after a title's first word (or as its first word when
/// followed by a colon or a possessive), in the titles of at least
/// three records that span at least three failure categories (the first of
/// each) and one in twenty-five of all records. The organisation's and its
/// products' names, typically; compared like service names (left out).
pub fn names_in_titles(incidents: &[&Incident]) -> Vec<String> {
    let mut seen: HashMap<String, (usize, BTreeSet<&str>)> = HashMap::new();
    for inc in incidents {
        let mut mine: BTreeSet<String> = BTreeSet::new();
        // A title's first word has a capital anyway: it counts as a name
        // only when written as one ("Acme: …", "Acme's …").
        let first_is_name = inc
            .title
            .find(|c: char| !c.is_alphanumeric())
            .is_some_and(|end| inc.title[end..].starts_with([':', '\'', '\u{2019}']));
        let skip = usize::from(!first_is_name);
        for word in inc.title.split(|c: char| !(c.is_alphanumeric() || c == '\'')).skip(skip) {
            let word = word.trim_end_matches("'s").trim_matches('\'');
            let capital = word.chars().next().is_some_and(char::is_uppercase);
            let all_caps = word.chars().all(|c| !c.is_lowercase());
            if capital && !all_caps && word.len() > 2 {
                mine.insert(word.to_lowercase());
            }
        }
        for word in mine {
            let entry = seen.entry(word).or_default();
            entry.0 += 1;
            entry.1.insert(inc.categories.first().map_or("", String::as_str));
        }
    }
    let at_least = NAME_RECORDS.max(incidents.len() / 25);
    let mut names: Vec<String> = seen
        .into_iter()
        .filter(|(_, (records, categories))| *records >= at_least && categories.len() >= NAME_CATEGORIES)
        .map(|(name, _)| name)
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::tests::incident;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        assert!(CALENDAR.windows(2).all(|w| w[0] < w[1]));
        assert!(ADDRESS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn dates_addresses_and_ordinals_are_writing_and_mechanisms_are_not() {
        for w in ["march", "tuesday", "utc", "pst", "https", "www", "com", "21st", "3rd", "overnight"] {
            assert!(is_writing_word(w), "{w}");
        }
        for w in ["leap", "certificate", "dns", "3rdparty", "st", "timeout", "expired", "clock", "hour", "year"] {
            assert!(!is_writing_word(w), "{w}");
        }
    }

    #[test]
    fn addresses_are_cut_out_and_link_texts_kept() {
        let text = "See https://news.example.com/item?id=1 and [the thread](https://blog.example.org/post), mail ops@example.com.";
        assert_eq!(without_addresses(text), "See   and [the thread] mail  ");
        assert!(matches!(without_addresses("no address: a@b here"), Cow::Borrowed(_)));
    }

    #[test]
    fn names_repeated_in_titles_across_categories_are_learned() {
        let titled = |id: &str, title: &str, category: &str| {
            let mut i = incident(id, "2025-01-01T00:00:00Z");
            i.title = title.into();
            i.categories = vec![category.into()];
            i
        };
        let all = [
            titled("a", "Outage of Acme checkout after a DNS change", "dns"),
            titled("b", "Acme's search slow from a regex", "deploy"),
            titled("c", "Stale Acme prices from the cache", "cache"),
            titled("c2", "Acme\u{2019}s queue and a multi-byte apostrophe", "queue"),
            titled("d", "Kafka lag after a Kafka upgrade", "queue"),
            titled("e", "Consumer lag in Kafka", "queue"),
            titled("f", "Rebalance storm in Kafka", "queue"),
        ];
        let refs: Vec<&Incident> = all.iter().collect();
        // Kafka follows one kind of failure: part of it, not a name of the writer.
        assert_eq!(names_in_titles(&refs), ["acme"]);
    }
}
