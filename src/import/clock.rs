//! Dates, times and zones as postmortems write them.
//!
//! Teams write "14:05", "2:05 PM PST", "2025-02-11 09:14", "11/Mar/25 2:15 PM"
//! (Jira), "March 4, 2024" or RFC 3339, and state the zone once ("All times
//! in CET") or per row. A record needs offset datetimes, so each time is read
//! with the zone stated nearest to it; a time without a date takes the
//! document's date, and a time earlier than the row before it is taken to be
//! past midnight.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};

/// The zone named by `word` ("UTC", "pst", "UTC+2", "+02:00").
pub fn zone(word: &str) -> Option<FixedOffset> {
    let upper = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '+' && c != '-').to_ascii_uppercase();
    if let Some(zone) = crate::model::zone_abbreviation(&upper) {
        return Some(zone);
    }
    let rest = upper.strip_prefix("UTC").or_else(|| upper.strip_prefix("GMT")).unwrap_or(&upper);
    let (sign, digits) = match rest.chars().next()? {
        '+' => (1, &rest[1..]),
        '-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if digits.len() == 4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
        None => (digits.parse::<i32>().ok()?, 0),
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// The zone a sentence states for the whole document: "All times in PST",
/// "Times are UTC", "(all times CET)".
pub fn stated_zone(text: &str) -> Option<FixedOffset> {
    for line in text.lines() {
        let lower = line.to_ascii_lowercase();
        let Some(at) = lower.find("times") else { continue };
        if !(lower.contains("all times") || lower.contains("times are") || lower.contains("times in")) {
            continue;
        }
        let after = &line[at + "times".len()..];
        if let Some(z) = after.split(|c: char| c.is_whitespace() || c == ',' || c == ')' || c == '.').find_map(zone) {
            return Some(z);
        }
    }
    None
}

/// A point in time as written, with what it left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A date and a time, with the zone if the text gave one.
    At(NaiveDateTime, Option<FixedOffset>),
    /// A time of day only.
    Time(NaiveTime, Option<FixedOffset>),
    /// A date only.
    Day(NaiveDate),
}

const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

const DATE_FORMATS: &[&str] =
    &["%Y-%m-%d", "%Y/%m/%d", "%d/%b/%y", "%d/%b/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y"];
const TIME_FORMATS: &[&str] = &["%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M%p", "%I:%M:%S %p", "%I %p", "%I%p"];

/// Read the date and/or time at the start of `text`; the number of bytes it
/// took. RFC 3339 first, then a date, a time, or a date and a time, each
/// optionally followed by a zone.
pub fn leading(text: &str) -> Option<(Written, usize)> {
    let mut text_start = text.len() - text.trim_start().len();
    let mut text = text.trim_start();
    // "Saturday, February 18, 2023", "Tue 2024-09-17": a weekday first.
    let first: String = text.chars().take_while(|c| c.is_alphabetic()).collect();
    if WEEKDAYS.iter().any(|d| first.eq_ignore_ascii_case(d) || first.eq_ignore_ascii_case(&d[..3]))
        && !first.is_empty()
    {
        let rest = text[first.len()..].trim_start_matches([',', '.', ' ']);
        text_start += text.len() - rest.len();
        text = rest;
    }
    // RFC 3339, with or without seconds, `T` or a space.
    let token: String = text.chars().take_while(|c| !c.is_whitespace() && *c != '|' && *c != ',').collect();
    for candidate in [token.as_str(), token.trim_end_matches([':', '.', '-', '–', '—'])] {
        if let Ok(at) = DateTime::parse_from_rfc3339(candidate) {
            return Some((Written::At(at.naive_local(), Some(*at.offset())), text_start + candidate.len()));
        }
    }
    // Try the longest date prefix of up to four words, then a time after it.
    let words: Vec<(usize, &str)> = word_spans(text).into_iter().take(6).collect();
    let mut date: Option<(NaiveDate, usize)> = None;
    for n in (1..=3.min(words.len())).rev() {
        let end = words[n - 1].0 + words[n - 1].1.len();
        let candidate = text[..end].trim_end_matches([',', ':', '.']);
        if let Some(day) = DATE_FORMATS.iter().find_map(|f| NaiveDate::parse_from_str(candidate, f).ok()) {
            date = Some((day, end));
            break;
        }
        // "2025-02-11T09:14" without a zone.
        if let Ok(at) = NaiveDateTime::parse_from_str(candidate, "%Y-%m-%dT%H:%M") {
            let (zone, used) = trailing_zone(&text[end..]);
            return Some((Written::At(at, zone), text_start + end + used));
        }
    }
    let after_date = date.map_or(0, |(_, end)| end);
    let rest = &text[after_date..];
    let rest_start = after_date + rest.len() - rest.trim_start().len();
    match (date, time_at(&text[rest_start..])) {
        (Some((day, _)), Some((time, used))) => {
            let (zone, more) = trailing_zone(&text[rest_start + used..]);
            let zone = zone.or_else(|| zulu(&text[rest_start..rest_start + used]));
            Some((Written::At(day.and_time(time), zone), text_start + rest_start + used + more))
        }
        (Some((day, end)), None) => Some((Written::Day(day), text_start + end)),
        (None, Some((time, used))) => {
            let (zone, more) = trailing_zone(&text[rest_start + used..]);
            let zone = zone.or_else(|| zulu(&text[rest_start..rest_start + used]));
            Some((Written::Time(time, zone), text_start + rest_start + used + more))
        }
        (None, None) => None,
    }
}

/// UTC when a time was written with a `Z` ("15:22Z").
fn zulu(time: &str) -> Option<FixedOffset> {
    time.trim_end().ends_with(['Z', 'z']).then(|| chrono::Utc.fix())
}

/// A time of day at the start of `text` (a trailing `Z` allowed), and the bytes it took.
fn time_at(text: &str) -> Option<(NaiveTime, usize)> {
    let words = word_spans(text);
    for n in (1..=2.min(words.len())).rev() {
        let end = words[n - 1].0 + words[n - 1].1.len();
        let candidate = text[..end].trim_end_matches([',', ':', '.', '-', '–', '—']);
        if !candidate.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        for f in TIME_FORMATS {
            let upper = candidate.to_ascii_uppercase();
            let upper = upper.strip_suffix('Z').filter(|u| u.ends_with(|c: char| c.is_ascii_digit())).unwrap_or(&upper);
            if let Ok(t) = NaiveTime::parse_from_str(upper, f) {
                return Some((t, candidate.len()));
            }
        }
    }
    None
}

/// A zone right after a time ("UTC", "PST", "+02:00"), and the bytes it took.
fn trailing_zone(text: &str) -> (Option<FixedOffset>, usize) {
    let trimmed = text.trim_start();
    let skipped = text.len() - trimmed.len();
    let word: String = trimmed.chars().take_while(|c| c.is_alphanumeric() || matches!(c, '+' | '-' | ':')).collect();
    let inner = word.trim_start_matches('(');
    match zone(inner).filter(|_| !word.is_empty() && word.chars().any(|c| c.is_ascii_alphabetic() || c == '+')) {
        Some(z) => (Some(z), skipped + word.len()),
        None => (None, 0),
    }
}

/// The words of `text` with their byte offsets.
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// Turns what rows write into offset datetimes, in document order.
#[derive(Debug, Clone)]
pub struct Clock {
    /// The zone stated for the document (UTC when none is).
    pub zone: FixedOffset,
    /// Whether the document stated a zone.
    pub stated: bool,
    /// The date a time of day belongs to.
    pub day: Option<NaiveDate>,
    last: Option<DateTime<FixedOffset>>,
}

impl Clock {
    pub fn new(zone: Option<FixedOffset>, day: Option<NaiveDate>) -> Self {
        Clock { zone: zone.unwrap_or(chrono::Utc.fix()), stated: zone.is_some(), day, last: None }
    }

    /// Midnight of `day` in the document's zone.
    pub fn midnight(&self, day: NaiveDate) -> Option<DateTime<FixedOffset>> {
        day.and_hms_opt(0, 0, 0).and_then(|t| self.zone.from_local_datetime(&t).single())
    }

    /// The offset datetime of `written`, or `None` for a date alone or a
    /// time with no date known. A date alone moves the clock to that day.
    pub fn resolve(&mut self, written: Written) -> Option<DateTime<FixedOffset>> {
        let at = match written {
            Written::Day(day) => {
                self.day = Some(day);
                return None;
            }
            Written::At(at, zone) => {
                self.day = Some(at.date());
                zone.unwrap_or(self.zone).from_local_datetime(&at).single()?
            }
            Written::Time(time, zone) => {
                let day = self.day?;
                let mut at = zone.unwrap_or(self.zone).from_local_datetime(&day.and_time(time)).single()?;
                // A time before the previous row's is past midnight.
                if let Some(last) = self.last {
                    if at < last && last - at < Duration::hours(24) {
                        at += Duration::days(1);
                        self.day = Some(at.date_naive());
                    }
                }
                at
            }
        };
        self.last = Some(at);
        Some(at)
    }
}

/// A stated duration: "54 minutes", "3h 20m" (the model's reading).
pub use crate::model::parse_duration as duration;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn zones_are_read_as_written() {
        assert_eq!(zone("PST"), FixedOffset::west_opt(8 * 3600));
        assert_eq!(zone("utc"), FixedOffset::east_opt(0));
        assert_eq!(zone("UTC+2"), FixedOffset::east_opt(7200));
        assert_eq!(zone("+05:30"), FixedOffset::east_opt(19800));
        assert_eq!(zone("banana"), None);
        assert_eq!(stated_zone("Note: all times in CET."), FixedOffset::east_opt(3600));
        assert_eq!(stated_zone("All times are PDT"), FixedOffset::west_opt(7 * 3600));
        assert_eq!(stated_zone("Nothing to see"), None);
    }

    #[test]
    fn the_shapes_teams_write_times_in() {
        let read = |s: &str| leading(s).map(|(w, _)| w);
        let day = NaiveDate::from_ymd_opt(2025, 2, 11).unwrap();
        let nine_fourteen = day.and_hms_opt(9, 14, 0).unwrap();
        assert_eq!(read("2025-02-11 09:14 Alert fires"), Some(Written::At(nine_fourteen, None)));
        assert_eq!(read("2025-02-11T09:14:00Z deploy"), Some(Written::At(nine_fourteen, FixedOffset::east_opt(0))));
        assert_eq!(read("11/Feb/25 9:14 AM"), Some(Written::At(nine_fourteen, None)));
        assert_eq!(
            read("14:05 UTC - pager fires"),
            Some(Written::Time(NaiveTime::from_hms_opt(14, 5, 0).unwrap(), FixedOffset::east_opt(0)))
        );
        assert_eq!(
            read("2:05 PM PST: rollback"),
            Some(Written::Time(NaiveTime::from_hms_opt(14, 5, 0).unwrap(), zone("PST")))
        );
        assert_eq!(read("March 4, 2024"), Some(Written::Day(NaiveDate::from_ymd_opt(2024, 3, 4).unwrap())));
        assert_eq!(
            read("Saturday, February 18, 2023"),
            Some(Written::Day(NaiveDate::from_ymd_opt(2023, 2, 18).unwrap()))
        );
        assert_eq!(read("Alert fires at 14:05"), None);
        let stamp = NaiveDate::from_ymd_opt(2025, 3, 4).unwrap().and_hms_opt(15, 22, 0).unwrap();
        assert_eq!(read("2025-03-04 15:22Z"), Some(Written::At(stamp, FixedOffset::east_opt(0))));
        let (_, used) = leading("14:05 UTC - pager fires").unwrap();
        assert_eq!(&"14:05 UTC - pager fires"[used..], " - pager fires");
    }

    #[test]
    fn times_take_the_stated_zone_and_roll_past_midnight() {
        let mut clock = Clock::new(zone("PST"), Some(NaiveDate::from_ymd_opt(2024, 1, 9).unwrap()));
        let t = |h, m| Written::Time(NaiveTime::from_hms_opt(h, m, 0).unwrap(), None);
        assert_eq!(clock.resolve(t(23, 50)), Some(at("2024-01-09T23:50:00-08:00")));
        assert_eq!(clock.resolve(t(0, 20)), Some(at("2024-01-10T00:20:00-08:00")));
        assert_eq!(clock.resolve(Written::Day(NaiveDate::from_ymd_opt(2024, 1, 12).unwrap())), None);
        assert_eq!(clock.resolve(t(8, 0)), Some(at("2024-01-12T08:00:00-08:00")));
        let mut no_day = Clock::new(None, None);
        assert_eq!(no_day.resolve(t(8, 0)), None);
    }
}
