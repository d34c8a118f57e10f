//! Records that say in their own words which earlier incident they repeat.
//!
//! A sentence that names another record's id, or that says this is a
//! repeat, a second occurrence or a recurrence of an incident whose title or
//! start date it quotes, links the two whatever the wording similarity, with
//! the sentence as the reason. When the sentence says the failure came back
//! (a repeat, a recurrence, "again"), the earlier incident is a likely
//! recurrence and `casebook check` suggests `recurrence_of`; an id named
//! without such words (a reference for context) is listed as similar only.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::model::Incident;

/// One earlier incident a record mentions, and the sentence that does.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub id: String,
    pub sentence: String,
    /// The sentence says the failure came back ("a repeat of", "second
    /// occurrence", "again"): a recurrence, not only a reference.
    pub recurs: bool,
}

/// Words that say a failure came back, as they begin (lower case).
const CUES: &[&str] = &[
    "again",
    "came back",
    "happened before",
    "recur",
    "repeat",
    "same failure",
    "same issue",
    "same problem",
    "same incident",
    "same outage",
    "second occurrence",
    "second time",
    "third occurrence",
    "third time",
    "as in the",
    "like the",
    "previous incident",
    "earlier incident",
];

/// Words that deny it: "but it is not a recurrence of it".
const DENIALS: &[&str] = &[
    "not a recur",
    "not a repeat",
    "not the same",
    "isn't the same",
    "unrelated",
    "different failure",
    "different mechanism",
    "different cause",
    "unlike",
];

/// The most characters of a sentence kept as a reason.
/// Finds [`CUES`] and then [`DENIALS`] (patterns numbered in that order),
/// in any letter case.
static CUE_FINDER: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(CUES.iter().chain(DENIALS)).ok()
});

const SENTENCE_LIMIT: usize = 240;
/// The fewest characters a title must have to be recognised when quoted.
const TITLE_AT_LEAST: usize = 16;
/// How many of a title's first words find it: a quote starts there.
const TITLE_KEY_WORDS: usize = 3;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The text a record writes in its own words.
fn prose(inc: &Incident) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(inc.summary.as_deref());
    for f in &inc.findings {
        parts.push(&f.summary);
        parts.extend(f.evidence.as_deref());
        parts.extend(f.whys.iter().map(String::as_str));
    }
    parts.push(&inc.body);
    parts
}

/// Sentences: cut at a full stop, question or exclamation mark followed by
/// a space, and at line breaks.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        while start <= bytes.len() {
            let rest = &bytes[start..];
            let ends = |&(i, b): &(usize, &u8)| {
                *b == b'\n'
                    || (matches!(b, b'.' | b'!' | b'?') && rest.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()))
            };
            let end = rest.iter().enumerate().find(ends).map_or(bytes.len(), |(i, _)| start + i + 1);
            let sentence = text[start..end].trim();
            start = end + usize::from(end == bytes.len());
            if !sentence.is_empty() {
                return Some(sentence);
            }
        }
        None
    })
}

/// Words that may be ids: runs of letters, digits, `-`, `_` and inner dots.
fn id_like(sentence: &str) -> impl Iterator<Item = &str> {
    sentence
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .map(|w| w.trim_matches(|c: char| matches!(c, '.' | '-' | '_')))
        .filter(|w| w.len() >= 4)
}

/// Calendar days written in a sentence: 2024-06-11, 11 June 2024, June 11, 2024.
fn days(lower: &str) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let words: Vec<&str> =
        lower.split(|c: char| !(c.is_alphanumeric() || c == '-')).filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        if let Ok(d) = NaiveDate::parse_from_str(w, "%Y-%m-%d") {
            out.push(d);
            continue;
        }
        let Some(m) =
            MONTHS.iter().position(|m| w.len() >= 3 && m.starts_with(*w) && (w.len() == m.len() || w.len() == 3))
        else {
            continue;
        };
        let num =
            |k: usize| words.get(k).and_then(|x| x.trim_end_matches(|c: char| c.is_alphabetic()).parse::<u32>().ok());
        // "June 11, 2024" or "11 June 2024".
        let (day, year) = match (i.checked_sub(1).and_then(num), num(i + 1), num(i + 2)) {
            (_, Some(d), Some(y)) if d <= 31 && y > 1900 => (d, y),
            (Some(d), Some(y), _) if d <= 31 && y > 1900 => (d, y),
            _ => continue,
        };
        out.extend(NaiveDate::from_ymd_opt(year as i32, m as u32 + 1, day));
    }
    out
}

/// The text between double quotation marks (straight or curly) in a sentence.
fn quoted(lower: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in lower.char_indices() {
        match (open, c) {
            (None, '"' | '\u{201c}') => open = Some(i + c.len_utf8()),
            (Some(s), '"' | '\u{201d}') => {
                out.push(lower[s..i].trim());
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Every record's mentions of other records, by the mentioning record's id.
pub fn find(incidents: &[&Incident]) -> BTreeMap<String, Vec<Mention>> {
    // Ids worth looking for: long enough and not plain words.
    let by_id: HashMap<&str, &Incident> = incidents
        .iter()
        .filter(|i| i.id.len() >= 6 && i.id.chars().any(|c| c.is_ascii_digit() || c == '-'))
        .map(|i| (i.id.as_str(), *i))
        .collect();
    // Titles by their first three words, so a sentence is only compared
    // with the titles that could start at one of its words.
    let mut titles: HashMap<String, Vec<(String, &Incident)>> = HashMap::new();
    for i in incidents.iter().filter(|i| i.title.len() >= TITLE_AT_LEAST) {
        let words = crate::text::raw_words(&i.title);
        if words.len() >= TITLE_KEY_WORDS {
            titles.entry(words[..TITLE_KEY_WORDS].join(" ")).or_default().push((i.title.to_lowercase(), *i));
        }
    }
    let mut by_day: HashMap<NaiveDate, Vec<&Incident>> = HashMap::new();
    for i in incidents {
        if let Some(s) = i.clock.started {
            by_day.entry(s.date_naive()).or_default().push(i);
        }
    }
    incidents
        .par_iter()
        .filter_map(|inc| {
            let earlier = |other: &Incident| {
                other.id != inc.id
                    && match (other.clock.started, inc.clock.started) {
                        (Some(a), Some(b)) => a < b,
                        _ => true,
                    }
            };
            let mut found: Vec<Mention> = Vec::new();
            let mut add = |id: &str, sentence: &str, recurs: bool| {
                let mut s: String = sentence.chars().take(SENTENCE_LIMIT).collect();
                if s.len() < sentence.len() {
                    s.push('…');
                }
                match found.iter_mut().find(|m| m.id == id) {
                    // A sentence that says it came back is the better reason.
                    Some(m) if recurs && !m.recurs => *m = Mention { id: id.to_string(), sentence: s, recurs },
                    Some(_) => {}
                    None => found.push(Mention { id: id.to_string(), sentence: s, recurs }),
                }
            };
            for part in prose(inc) {
                // Cues and denials found in the whole text at once, each
                // sentence then asks which fall inside it.
                let said: Vec<(usize, usize, bool)> = CUE_FINDER
                    .as_ref()
                    .map(|f| {
                        f.find_overlapping_iter(part)
                            .map(|m| (m.start(), m.end(), m.pattern().as_usize() >= CUES.len()))
                            .collect()
                    })
                    .unwrap_or_default();
                for sentence in sentences(part) {
                    let from = sentence.as_ptr() as usize - part.as_ptr() as usize;
                    let to = from + sentence.len();
                    let inside = |denial: bool| said.iter().any(|&(s, e, d)| d == denial && s >= from && e <= to);
                    let recurs = inside(false) && !inside(true);
                    // Every id looked for has a digit or a dash.
                    let has_id_mark = |w: &str| w.bytes().any(|b| b.is_ascii_digit() || b == b'-');
                    if has_id_mark(sentence) {
                        for word in id_like(sentence).filter(|w| has_id_mark(w)) {
                            if let Some(other) = by_id.get(word).filter(|o| earlier(o)) {
                                add(&other.id, sentence, recurs);
                            }
                        }
                    }
                    if !recurs {
                        continue;
                    }
                    let lower = sentence.to_lowercase();
                    let quotes = quoted(&lower);
                    let words = crate::text::raw_words(&lower);
                    for key in words.windows(TITLE_KEY_WORDS).map(|w| w.join(" ")) {
                        for (title, other) in titles.get(&key).into_iter().flatten() {
                            // The whole title, or a quote of its beginning.
                            let named = lower.contains(title.as_str())
                                || quotes.iter().any(|q| q.len() >= TITLE_AT_LEAST && title.starts_with(q));
                            if named && earlier(other) {
                                add(&other.id, sentence, true);
                            }
                        }
                    }
                    for day in days(&lower) {
                        for other in by_day.get(&day).into_iter().flatten().filter(|o| earlier(o)) {
                            add(&other.id, sentence, true);
                        }
                    }
                }
            }
            (!found.is_empty()).then(|| (inc.id.clone(), found))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::tests::incident;

    fn kb() -> Vec<Incident> {
        let mut a = incident("2024-06-gateway-config-push", "2024-06-11T09:00:00Z");
        a.title = "Site-wide outage after a malformed rate-limit rule".into();
        let mut b = incident("2024-09-session-cache", "2024-09-05T10:00:00Z");
        b.title = "Login storm after a Redis upgrade emptied the session cache".into();
        let later = incident("2025-03-later", "2025-03-01T00:00:00Z");
        vec![a, b, later]
    }

    fn mentions(text: &str) -> Vec<Mention> {
        let mut all = kb();
        all[2].body = text.into();
        let refs: Vec<&Incident> = all.iter().collect();
        find(&refs).remove("2025-03-later").unwrap_or_default()
    }

    #[test]
    fn a_named_id_is_a_mention_with_its_sentence() {
        let m =
            mentions("Timeline below. The rollout gap is the one 2024-06-gateway-config-push left open. More text.");
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].id, "2024-06-gateway-config-push");
        assert_eq!(m[0].sentence, "The rollout gap is the one 2024-06-gateway-config-push left open.");
        assert!(!m[0].recurs, "a reference, not a recurrence");
        let m = mentions("This came back: 2024-06-gateway-config-push, again. See 2024-09-session-cache.");
        let recurs: Vec<(&str, bool)> = m.iter().map(|m| (m.id.as_str(), m.recurs)).collect();
        assert_eq!(recurs, [("2024-06-gateway-config-push", true), ("2024-09-session-cache", false)]);
    }

    #[test]
    fn a_repeat_of_a_quoted_title_or_date_is_a_mention() {
        let m = mentions("This is the second occurrence of \"Login storm after a Redis upgrade\", months later.");
        assert_eq!(m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["2024-09-session-cache"]);
        let m = mentions("It is a repeat of the outage of June 11, 2024.");
        assert_eq!(m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["2024-06-gateway-config-push"]);
        let m = mentions("The same failure as on 2024-09-05 came back.");
        assert_eq!(m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["2024-09-session-cache"]);
        let m = mentions("We saw it again, like the 11 Jun 2024 incident.");
        assert_eq!(m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["2024-06-gateway-config-push"]);
    }

    #[test]
    fn a_sentence_that_denies_the_recurrence_is_a_reference() {
        let m = mentions("It looks like 2024-09-session-cache, but it is not a recurrence of it.");
        assert_eq!(m.iter().map(|m| (m.id.as_str(), m.recurs)).collect::<Vec<_>>(), [("2024-09-session-cache", false)]);
        assert!(mentions("Unrelated to the outage of June 11, 2024, this one came back.").is_empty());
    }

    #[test]
    fn a_date_or_title_without_a_repeat_word_or_a_later_incident_is_not() {
        assert!(mentions("The cache was resized on 2024-09-05 for other reasons.").is_empty());
        assert!(mentions("Login storm after a Redis upgrade emptied the session cache: see the runbook.").is_empty());
        // A record does not repeat a later incident, even by name.
        let mut all = kb();
        all[0].body = "This came back as 2025-03-later.".into();
        let refs: Vec<&Incident> = all.iter().collect();
        assert!(!find(&refs).contains_key("2024-06-gateway-config-push"));
    }

    #[test]
    fn sentences_and_dates_are_cut_as_written() {
        let s: Vec<&str> = sentences("One. Two v1.2 here!\nThree").collect();
        assert_eq!(s, ["One.", "Two v1.2 here!", "Three"]);
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(
            days("on 3 march 2025 and april 9, 2024 and 2023-01-02"),
            [d(2025, 3, 3), d(2024, 4, 9), d(2023, 1, 2)]
        );
        assert!(days("may we restart in 2024").is_empty());
    }
}
