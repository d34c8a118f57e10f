//! Postmortems written elsewhere, turned into records: `casebook import`.
//!
//! Layer 2 (see `docs/architecture.md`), beside `load`: a pure function from
//! the text of other formats to [`Draft`]s, which `cmd/import.rs` names,
//! writes (never over an existing file) and reports. Four readers share one
//! vocabulary of facts ([`Facts`]):
//! - heading-structured Markdown ([`markdown`]): the common case;
//! - Markdown with YAML or TOML front matter (Hugo, Jekyll, collections of
//!   public postmortems): the front matter's keys, then the body's headings;
//! - CSV and JSON exports of incident platforms and trackers ([`table`]),
//!   one row or object per incident, or per action joined by an incident id.
//!
//! Each draft carries its source (path or path#row, and an xxh3 hash of what
//! was read), so importing the same source again adds nothing. What the
//! readers recognise is documented in `docs/import.md`.

pub mod clock;
pub mod draft;
mod front_matter;
pub mod markdown;
pub mod sections;
mod table;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};

use crate::config::{Config, import_key};
use crate::model::slugify;
use clock::{Clock, Written};
pub use draft::Draft;

/// How to read the sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// By each file's name and first line.
    Auto,
    Markdown,
    FrontMatter,
    Csv,
    Json,
}

/// One source file, as read by the caller.
#[derive(Debug, Clone)]
pub struct Input {
    /// How the source is named in records and messages: the path as given.
    pub from: String,
    pub text: String,
}

/// A record recovered from a source.
#[derive(Debug, Clone)]
pub struct Imported {
    pub draft: Draft,
    /// Which reader made it.
    pub format: Format,
}

/// A source, or a part of one, that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub from: String,
    pub message: String,
}

/// What the readers need beyond the text.
pub struct Context<'a> {
    pub config: &'a Config,
}

/// Import every input. Rows of actions in a CSV or JSON export join the
/// incidents of any input by their incident id.
pub fn import(inputs: &[Input], format: Format, ctx: &Context<'_>) -> (Vec<Imported>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut actions: Vec<table::JoinedAction> = Vec::new();
    for input in inputs {
        let format = match format {
            Format::Auto => detect(input),
            f => f,
        };
        match format {
            Format::Csv | Format::Json => match table::read(input, format, ctx) {
                Ok(read) => {
                    out.extend(read.incidents.into_iter().map(|(key, draft)| (Some(key), Imported { draft, format })));
                    actions.extend(read.actions);
                }
                Err(message) => problems.push(Problem { from: input.from.clone(), message }),
            },
            Format::FrontMatter => match front_matter::read(input, ctx) {
                Ok(draft) => out.push((None, Imported { draft, format })),
                Err(message) => problems.push(Problem { from: input.from.clone(), message }),
            },
            Format::Markdown | Format::Auto => {
                let mut facts = Facts::default();
                facts.day_from_name(&input.from);
                let mut draft = markdown::read(&input.text, facts, ctx);
                draft.source = source(&input.from, input.text.as_bytes());
                out.push((None, Imported { draft, format: Format::Markdown }));
            }
        }
    }
    // Join actions to their incidents.
    for action in actions {
        match out.iter_mut().find(|(key, _)| key.as_deref() == Some(action.incident.as_str())) {
            Some((_, imported)) => {
                let mut a = action.action;
                a.id = format!("A{}", imported.draft.actions.len() + 1);
                imported.draft.actions.push(a);
            }
            None => problems.push(Problem {
                from: action.from,
                message: format!("action for incident `{}`, which no source imported: left out", action.incident),
            }),
        }
    }
    (out.into_iter().map(|(_, i)| i).collect(), problems)
}

/// The reader for an input, by its name and first line.
fn detect(input: &Input) -> Format {
    let lower = input.from.to_lowercase();
    if lower.ends_with(".csv") {
        return Format::Csv;
    }
    if lower.ends_with(".json") {
        return Format::Json;
    }
    let first = input.text.trim_start_matches('\u{feff}').lines().next().unwrap_or("").trim_end();
    if first == "---" || first == "+++" { Format::FrontMatter } else { Format::Markdown }
}

/// A source's name and the hash of what was read from it.
pub fn source(from: &str, bytes: &[u8]) -> draft::Source {
    draft::Source { from: from.to_string(), hash: hash(bytes) }
}

/// The pinned content hash sources are known by: `xxh3:` and 16 hex digits.
pub fn hash(bytes: &[u8]) -> String {
    format!("xxh3:{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// The facts a postmortem states, as written, before they are turned into
/// a record's fields: from front matter keys, "Key: value" lines, table
/// cells and columns, all through one key map.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub severity: Option<String>,
    pub owner: Option<String>,
    pub authors: Vec<String>,
    pub date: Option<NaiveDate>,
    pub started: Option<Written>,
    pub detected: Option<Written>,
    pub mitigated: Option<Written>,
    pub resolved: Option<Written>,
    pub time_to_detect: Option<Duration>,
    pub time_to_mitigate: Option<Duration>,
    pub time_to_resolve: Option<Duration>,
    /// A stated duration ("Duration: 3h 20m"): the time to resolve when
    /// nothing else says when it ended.
    pub duration: Option<Duration>,
    pub zone: Option<FixedOffset>,
    pub services: Vec<String>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    /// The source's own id for the incident (CSV and JSON rows).
    pub id: Option<String>,
}

/// The names teams give each fact, after [`import_key`], and the fact.
const KEYS: &[(&[&str], &str)] = &[
    (&["title", "name", "incident", "incident_title", "incident_name", "headline"], "title"),
    (&["summary", "description", "tldr", "tl_dr", "abstract", "excerpt"], "summary"),
    (
        &["severity", "sev", "priority", "prio", "level", "impact_level", "incident_severity", "severity_level"],
        "severity",
    ),
    (&["date", "incident_date", "day", "date_of_incident"], "date"),
    (
        &[
            "start",
            "start_time",
            "started",
            "started_at",
            "start_date",
            "incident_start",
            "impact_start",
            "began",
            "created_at",
            "created",
            "opened_at",
            "triggered_at",
        ],
        "started",
    ),
    (&["detected", "detected_at", "detection_time", "acknowledged_at", "acknowledged", "time_detected"], "detected"),
    (&["mitigated", "mitigated_at", "mitigation_time", "impact_end", "recovered_at"], "mitigated"),
    (
        &[
            "end",
            "end_time",
            "ended",
            "ended_at",
            "resolved",
            "resolved_at",
            "end_date",
            "resolution_time",
            "closed_at",
            "closed",
        ],
        "resolved",
    ),
    (&["time_to_detection", "time_to_detect", "ttd", "mttd", "detection_delay"], "time_to_detect"),
    (&["time_to_mitigation", "time_to_mitigate", "ttm", "mttm"], "time_to_mitigate"),
    (&["time_to_resolution", "time_to_resolve", "ttr", "mttr", "time_to_recovery"], "time_to_resolve"),
    (&["duration", "downtime", "outage_duration", "total_duration", "impact_duration", "length"], "duration"),
    (
        &["owner", "incident_owner", "postmortem_owner", "incident_commander", "ic", "commander", "assignee", "lead"],
        "owner",
    ),
    (&["authors", "author", "written_by", "prepared_by", "postmortem_author"], "authors"),
    (
        &[
            "services",
            "service",
            "affected_services",
            "affected_service",
            "systems",
            "system",
            "components",
            "component",
            "product",
            "products",
            "affected_systems",
        ],
        "services",
    ),
    (&["categories", "category", "failure_category", "type", "incident_type"], "categories"),
    (&["tags", "keywords", "labels", "company", "organisation", "organization", "team"], "tags"),
    (&["timezone", "time_zone", "tz", "zone"], "timezone"),
    (&["id", "incident_id", "key", "number", "incident_number"], "id"),
];

/// The fact a name stands for: `[import] keys` first, then the built-in map.
pub fn fact_of(name: &str, ctx: &Context<'_>) -> Option<&'static str> {
    let key = import_key(name);
    if let Some(target) = ctx.config.import_keys.get(&key) {
        return crate::config::IMPORT_TARGETS.iter().find(|t| **t == target.as_str()).copied();
    }
    KEYS.iter().find(|(names, _)| names.contains(&key.as_str())).map(|(_, fact)| *fact)
}

impl Facts {
    /// Record a statement `name: value`; unknown names are ignored. A fact
    /// stated twice keeps its first value (the summary table at the top wins
    /// over a sentence further down).
    pub fn state(&mut self, name: &str, value: &str, ctx: &Context<'_>) {
        let value = markdown::plain(value);
        if value.is_empty() {
            return;
        }
        let list = |v: &str| -> Vec<String> {
            v.split([',', ';'])
                .map(|s| s.trim().trim_start_matches('@').to_string())
                // A name with no letter or digit (an emoji tag) would have no page address.
                .filter(|s| !slugify(s).is_empty())
                .collect()
        };
        let when = |v: &str| clock::leading(v).map(|(w, _)| w);
        match fact_of(name, ctx) {
            Some("title") => set(&mut self.title, Some(value)),
            Some("summary") => set(&mut self.summary, Some(value)),
            Some("severity") => set(&mut self.severity, severity(&value, &ctx.config.severities)),
            // A page's `date` is often when it was published: it gives the
            // day only, used when nothing says when the incident started.
            Some("date") => match when(&value) {
                Some(Written::Day(d)) => set(&mut self.date, Some(d)),
                Some(Written::At(at, _)) => set(&mut self.date, Some(at.date())),
                _ => {}
            },
            Some("started") => set(&mut self.started, when(&value)),
            Some("detected") => set(&mut self.detected, when(&value)),
            Some("mitigated") => set(&mut self.mitigated, when(&value)),
            Some("resolved") => set(&mut self.resolved, when(&value)),
            Some("time_to_detect") => set(&mut self.time_to_detect, clock::duration(&value)),
            Some("time_to_mitigate") => set(&mut self.time_to_mitigate, clock::duration(&value)),
            Some("time_to_resolve") => set(&mut self.time_to_resolve, clock::duration(&value)),
            Some("duration") => set(&mut self.duration, clock::duration(&value)),
            Some("owner") => set(&mut self.owner, list(&value).into_iter().next().map(|o| person(&o))),
            Some("authors") if self.authors.is_empty() => self.authors = list(&value),
            Some("services") => extend(&mut self.services, list(&value)),
            Some("categories") => {
                for c in list(&value) {
                    let slug = slugify(&c);
                    let known = ctx.config.categories.iter().any(|k| k.name == slug);
                    if known && !self.categories.contains(&slug) {
                        self.categories.push(slug);
                    } else if !known && !self.tags.contains(&c) {
                        self.tags.push(c);
                    }
                }
            }
            Some("tags") => extend(&mut self.tags, list(&value)),
            Some("timezone") => set(&mut self.zone, clock::zone(&value)),
            Some("id") => set(&mut self.id, Some(value)),
            _ => {}
        }
    }

    /// The date a file name starts with (`2024-03-04-db-failover.md`).
    pub fn day_from_name(&mut self, from: &str) {
        let name = from.rsplit(['/', '\\']).next().unwrap_or(from);
        if let Some(d) = name.get(..10).and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok()) {
            set(&mut self.date, Some(d));
        }
    }

    /// The day times without a date belong to: the start's, else the stated date's.
    pub fn day(&self) -> Option<NaiveDate> {
        match self.started {
            Some(Written::At(at, zone)) => {
                // In the document's zone, where its times of day are read.
                match (zone, self.zone) {
                    (Some(z), Some(doc)) => {
                        z.from_local_datetime(&at).single().map(|t| t.with_timezone(&doc).date_naive())
                    }
                    _ => Some(at.date()),
                }
            }
            Some(Written::Day(d)) => Some(d),
            _ => self.date,
        }
    }

    /// Fill `draft` from the facts, the clock and the timeline: stated times
    /// first, then stated durations from the start, then the timeline's first
    /// and last events.
    pub fn fill(self, draft: &mut Draft, clock: &Clock) {
        if clock.stated && clock.zone.local_minus_utc() != 0 {
            draft.timezone = Some(clock.zone.to_string());
        }
        let mut clock = clock.clone();
        let mut at = |w: Option<Written>| w.and_then(|w| clock.resolve(w));
        let mut started = at(self.started);
        let mut detected = at(self.detected);
        let mut mitigated = at(self.mitigated);
        let mut resolved = at(self.resolved);
        let span = markdown::span(&draft.timeline);
        let marked = milestones(&draft.timeline);
        let mut coarse = false;
        if started.is_none() {
            started = marked.started.or(span.map(|(first, _)| first));
            // A timeline of dates alone gives a clock of days.
            coarse = started.is_some() && draft.timeline.iter().all(|e| e.day);
        }
        if started.is_none() {
            // A date alone: the day, at midnight in the stated zone, marked coarse.
            if let Some(day) = self.day() {
                started = clock.midnight(day);
                coarse = true;
            }
        }
        if let Some(s) = started {
            detected = detected.or_else(|| self.time_to_detect.map(|d| s + d)).or(marked.detected);
            mitigated = mitigated.or_else(|| self.time_to_mitigate.map(|d| s + d)).or(marked.mitigated);
            resolved = resolved
                .or_else(|| self.time_to_resolve.map(|d| s + d))
                .or(marked.resolved)
                .or_else(|| self.duration.map(|d| s + d));
            if resolved.is_none() {
                resolved = span.map(|(_, last)| last).filter(|last| *last > s);
            }
        } else {
            // No start at all: the durations the text states, as durations.
            draft.time_to_detect = self.time_to_detect.map(crate::model::format_duration);
            draft.time_to_mitigate = self.time_to_mitigate.map(crate::model::format_duration);
            draft.time_to_resolve = self.time_to_resolve.or(self.duration).map(crate::model::format_duration);
        }
        draft.started = started;
        draft.detected = detected;
        draft.mitigated = mitigated;
        draft.resolved = resolved;
        if coarse {
            draft.time_precision = Some("day");
        }
        // Drop any clock value that runs backwards rather than write a record that fails to load.
        keep_in_order(draft);
        if let Some(title) = self.title {
            draft.title = title;
        }
        set(&mut draft.summary, self.summary);
        set(&mut draft.severity, self.severity);
        set(&mut draft.owner, self.owner);
        if draft.authors.is_empty() {
            draft.authors = self.authors;
        }
        extend(&mut draft.services, self.services);
        extend(&mut draft.categories, self.categories);
        extend(&mut draft.tags, self.tags);
    }
}

/// The moments a timeline's own words mark.
#[derive(Debug, Default, PartialEq)]
struct Milestones {
    started: Option<DateTime<FixedOffset>>,
    detected: Option<DateTime<FixedOffset>>,
    mitigated: Option<DateTime<FixedOffset>>,
    resolved: Option<DateTime<FixedOffset>>,
}

/// Phrases that mark each moment in a timeline entry (lower case).
const STARTS: &[&str] = &[
    "outage begins",
    "impact begins",
    "impact starts",
    "impact start",
    "outage start",
    "incident begins",
    "errors begin",
    "begin failing",
    "begins failing",
    "started failing",
    "start failing",
    "customer impact begins",
];
const DETECTS: &[&str] = &[
    "alert fires",
    "alert fired",
    "alerts fire",
    "alert triggered",
    "paged",
    "pages ",
    "page fires",
    "incident declared",
    "detected",
    "noticed",
    "reported by",
    "customer report",
    "opened incident",
];
const MITIGATES: &[&str] = &[
    "outage mitigated",
    "mitigated",
    "impact ends",
    "impact ended",
    "back to baseline",
    "back to normal",
    "recovered",
    "recovery confirmed",
    "error rate back",
    "service restored",
    "fully restored",
];
const RESOLVES: &[&str] =
    &["outage ends", "incident resolved", "resolved", "incident closed", "all clear", "closed the incident"];

/// The first entry marking each moment (the last, for the resolution),
/// each at or after the start.
fn milestones(events: &[draft::Event]) -> Milestones {
    let find = |phrases: &[&str], after: Option<DateTime<FixedOffset>>, last: bool| {
        let mut hits = events.iter().filter(|e| {
            let lower = e.event.to_lowercase();
            phrases.iter().any(|p| lower.contains(p)) && after.is_none_or(|a| e.at >= a)
        });
        if last { hits.next_back().map(|e| e.at) } else { hits.next().map(|e| e.at) }
    };
    // "Unlock failures begin", "errors start": a beginning of failure.
    let begins = events.iter().find(|e| {
        let lower = e.event.to_lowercase();
        (lower.contains("begin") || lower.contains("start"))
            && ["fail", "error", "impact", "outage", "down", "degrad", "5xx", "502", "503", "timeout"]
                .iter()
                .any(|w| lower.contains(w))
    });
    let started = find(STARTS, None, false).or(begins.map(|e| e.at));
    let from = started.or(events.first().map(|e| e.at));
    let detected = find(DETECTS, from, false);
    let mitigated = find(MITIGATES, from, false);
    let resolved = find(RESOLVES, mitigated.or(from), true);
    Milestones { started, detected, mitigated, resolved }
}

/// Keep the record's clock order, `started ≤ detected` and `started ≤
/// mitigated ≤ resolved`, dropping a value that breaks it.
fn keep_in_order(draft: &mut Draft) {
    let after = |x: Option<DateTime<FixedOffset>>, y: Option<DateTime<FixedOffset>>| match (x, y) {
        (Some(a), Some(b)) => b >= a,
        _ => true,
    };
    if !after(draft.started, draft.detected) {
        draft.detected = None;
    }
    // `detected` may follow `mitigated` and `resolved`: a failure that healed
    // before anyone noticed it, which a record states as it is.
    if !after(draft.started, draft.mitigated) {
        draft.mitigated = None;
    }
    if !after(draft.started, draft.resolved) || !after(draft.mitigated, draft.resolved) {
        draft.resolved = None;
    }
}

/// A person as written in a field: "Henrike Vogt (@hvogt)" → "Henrike Vogt", "@dana" → "dana".
fn person(text: &str) -> String {
    let name = match text.split_once(" (") {
        Some((name, _)) if text.trim_end().ends_with(')') => name,
        _ => text,
    };
    name.trim().trim_start_matches('@').to_string()
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn extend(list: &mut Vec<String>, more: Vec<String>) {
    for m in more {
        if !list.contains(&m) {
            list.push(m);
        }
    }
}

/// A severity as written ("SEV-2", "Sev 2", "P1", "critical", "2") on the
/// configured scale: the level itself, the level with the same number, or
/// the level at that rank (1 = worst); words by their usual rank.
pub fn severity(text: &str, scale: &[String]) -> Option<String> {
    let squashed: String = text.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_uppercase();
    if squashed.is_empty() || scale.is_empty() {
        return None;
    }
    if let Some(level) = scale.iter().find(|l| l.to_uppercase() == squashed) {
        return Some(level.clone());
    }
    let rank = |n: usize| scale.get(n.min(scale.len() - 1)).cloned();
    let digits: String = squashed.chars().filter(char::is_ascii_digit).collect();
    if let Ok(n) = digits.parse::<usize>() {
        if let Some(level) = scale.iter().find(|l| l.chars().filter(char::is_ascii_digit).collect::<String>() == digits)
        {
            return Some(level.clone());
        }
        // Scales that start at 0 (SEV0, P0) and those that start at 1.
        let zero_based = squashed.len() > digits.len() && text.to_lowercase().contains('0') && n == 0;
        return if zero_based { rank(0) } else { rank(n.saturating_sub(1)) };
    }
    match squashed.as_str() {
        "CRITICAL" | "BLOCKER" | "EMERGENCY" | "MAJOROUTAGE" => rank(0),
        "HIGH" | "MAJOR" | "SEVERE" => rank(1),
        "MEDIUM" | "MODERATE" | "NORMAL" => rank(2),
        "LOW" | "MINOR" | "TRIVIAL" => rank(3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Vec<String> {
        ["SEV1", "SEV2", "SEV3", "SEV4"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn severities_land_on_the_configured_scale() {
        assert_eq!(severity("SEV-2", &scale()).as_deref(), Some("SEV2"));
        assert_eq!(severity("Sev 1", &scale()).as_deref(), Some("SEV1"));
        assert_eq!(severity("P3", &scale()).as_deref(), Some("SEV3"));
        assert_eq!(severity("critical", &scale()).as_deref(), Some("SEV1"));
        assert_eq!(severity("Low", &scale()).as_deref(), Some("SEV4"));
        assert_eq!(severity("9", &scale()).as_deref(), Some("SEV4"));
        assert_eq!(severity("whenever", &scale()), None);
        let p = vec!["P1".to_string(), "P2".to_string()];
        assert_eq!(severity("SEV-2", &p).as_deref(), Some("P2"));
    }

    #[test]
    fn stated_facts_use_one_key_map() {
        let config = Config::default();
        let ctx = Context { config: &config };
        let mut f = Facts::default();
        f.state("Start time", "2024-03-04 08:10 UTC", &ctx);
        f.state("sev", "SEV-2", &ctx);
        f.state("Time to detection", "54 minutes", &ctx);
        f.state("Keywords", "search, index, 🔒", &ctx);
        f.state("Whatever", "ignored", &ctx);
        assert_eq!(f.severity.as_deref(), Some("SEV2"));
        assert_eq!(f.time_to_detect, Some(Duration::minutes(54)));
        assert_eq!(f.tags, ["search", "index"]);
        let mut draft = Draft::default();
        f.fill(&mut draft, &Clock::new(None, None));
        let at = |s: &str| DateTime::parse_from_rfc3339(s).ok();
        assert_eq!(draft.started, at("2024-03-04T08:10:00Z"));
        assert_eq!(draft.detected, at("2024-03-04T09:04:00Z"));
    }

    #[test]
    fn a_timeline_marks_its_own_milestones() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let e = |t: &str, what: &str| draft::Event { at: at(t), event: what.into(), day: false };
        let events = [
            e("2024-03-12T13:40:00Z", "Unrelated deploy"),
            e("2024-03-12T14:00:00Z", "Certificate expires. OUTAGE BEGINS"),
            e("2024-03-12T14:06:00Z", "Alert fires for CaptureErrorRateHigh"),
            e("2024-03-12T14:47:00Z", "502 rate back to baseline. OUTAGE MITIGATED"),
            e("2024-03-12T18:10:00Z", "Reconciliation complete. Incident resolved."),
        ];
        let m = milestones(&events);
        assert_eq!(m.started, Some(at("2024-03-12T14:00:00Z")));
        assert_eq!(m.detected, Some(at("2024-03-12T14:06:00Z")));
        assert_eq!(m.mitigated, Some(at("2024-03-12T14:47:00Z")));
        assert_eq!(m.resolved, Some(at("2024-03-12T18:10:00Z")));
        assert_eq!(milestones(&events[..1]), Milestones::default());
    }

    #[test]
    fn a_clock_that_runs_backwards_loses_the_value_that_breaks_it() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).ok();
        let mut d = Draft {
            started: at("2024-01-01T10:00:00Z"),
            mitigated: at("2024-01-01T09:30:00Z"),
            detected: at("2024-01-01T09:00:00Z"),
            resolved: at("2024-01-01T09:45:00Z"),
            ..Draft::default()
        };
        keep_in_order(&mut d);
        assert_eq!((d.detected.is_some(), d.mitigated.is_some(), d.resolved.is_some()), (false, false, false));
        // Healed before anyone noticed: detected after mitigated and resolved stays.
        let mut healed = Draft {
            started: at("2024-01-01T10:00:00Z"),
            mitigated: at("2024-01-01T10:30:00Z"),
            resolved: at("2024-01-01T10:40:00Z"),
            detected: at("2024-01-01T11:00:00Z"),
            ..Draft::default()
        };
        keep_in_order(&mut healed);
        assert_eq!(
            (healed.detected.is_some(), healed.mitigated.is_some(), healed.resolved.is_some()),
            (true, true, true)
        );
    }
}
