//! The knowledge base as plain data: incidents and everything they contain.
//!
//! The bottom layer (see `docs/architecture.md`): it uses nothing else of
//! the crate. The loader produces these values after every check of a
//! record has passed; later stages read them. Nothing here touches the file system or
//! knows about TOML spans, so the model can be built by hand in tests and can
//! change shape without breaking template overrides (templates see view structs).

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Months, NaiveDate, TimeDelta};
use serde::Serialize;

mod duration;
mod vocabulary;
mod zone;

pub use duration::{format_duration, parse_duration};
pub use vocabulary::{
    ActionKind, ActionStatus, Control, DetectionMethod, FindingClass, FindingKind, GuardrailStatus, RecordStatus,
    Relation, RequirableField, TimePrecision, Vocabulary,
};
pub use zone::{ZONE_ABBREVIATIONS, fixed_zone, zone_abbreviation};

/// The postmortem a record was imported from: its path or URL, and a hash
/// of what was read, so importing it again adds nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedFrom {
    pub from: String,
    pub hash: String,
}

/// One postmortem record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: String,
    /// The record's path relative to the knowledge base directory.
    pub source: PathBuf,
    pub title: String,
    pub summary: Option<String>,
    pub severity: Option<String>,
    pub status: RecordStatus,
    pub people: People,
    pub clock: Clock,
    pub reviewed: Option<NaiveDate>,
    pub published: Option<NaiveDate>,
    pub services: Vec<String>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub customer_impact: Option<CustomerImpact>,
    pub detection: Option<Detection>,
    pub environment: Option<Environment>,
    pub timeline: Vec<TimelineEntry>,
    pub findings: Vec<Finding>,
    pub barriers: Vec<Barrier>,
    pub remedies: Vec<Remedy>,
    pub guardrails: Vec<Guardrail>,
    pub actions: Vec<Action>,
    pub no_actions_reason: Option<String>,
    pub recurrence_of: Vec<String>,
    pub related: Vec<RelatedLink>,
    pub lessons: Lessons,
    /// References: the status page, tickets, chat logs, articles (`links`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Where an imported record came from (`[source]`): brought in by
    /// `casebook import` from a postmortem written elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported: Option<ImportedFrom>,
    /// The Markdown narrative after the front matter. Not in the JSON
    /// export, which carries the structured record and links to the page.
    #[serde(skip_serializing)]
    pub body: String,
}

impl Incident {
    /// The knowledge base's order: start time (undated last), then id.
    pub fn start_key(&self) -> (bool, Option<DateTime<FixedOffset>>, &str) {
        (self.clock.started.is_none(), self.clock.started, &self.id)
    }
}

/// Who owned, wrote and reviewed the postmortem.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct People {
    pub owner: Option<String>,
    pub authors: Vec<String>,
    pub reviewers: Vec<String>,
    pub facilitator: Option<String>,
    pub participants: Vec<Participant>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    pub name: String,
    pub role: Option<String>,
}

/// `to − from`, when both are known.
fn between(from: Option<DateTime<FixedOffset>>, to: Option<DateTime<FixedOffset>>) -> Option<TimeDelta> {
    Some(to? - from?)
}

/// The incident clock. The loader guarantees started ≤ mitigated ≤ resolved
/// and started ≤ detected. `detected` may come after `mitigated` or even
/// `resolved`: a failure that healed before anyone noticed it (see
/// [`Clock::healed_before_noticed`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Clock {
    pub started: Option<DateTime<FixedOffset>>,
    pub detected: Option<DateTime<FixedOffset>>,
    pub mitigated: Option<DateTime<FixedOffset>>,
    pub resolved: Option<DateTime<FixedOffset>>,
    pub precision: TimePrecision,
    /// Durations the record states where it gives no timestamps
    /// (`time_to_detect = "54m"`); timestamps win when both are given.
    #[serde(skip)]
    pub stated: StatedDurations,
}

/// The times to detect, mitigate and resolve as a record states them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatedDurations {
    pub detect: Option<TimeDelta>,
    pub mitigate: Option<TimeDelta>,
    pub resolve: Option<TimeDelta>,
}

impl Clock {
    /// Time to detect: detected − started. For a failure that healed before
    /// it was noticed this is longer than the time to mitigate: it still
    /// measures how long the failure went unnoticed.
    pub fn time_to_detect(&self) -> Option<TimeDelta> {
        between(self.started, self.detected).or(self.stated.detect)
    }

    /// Time to mitigate: mitigated − started.
    pub fn time_to_mitigate(&self) -> Option<TimeDelta> {
        between(self.started, self.mitigated).or(self.stated.mitigate)
    }

    /// Time to resolve: resolved − started.
    pub fn time_to_resolve(&self) -> Option<TimeDelta> {
        between(self.started, self.resolved).or(self.stated.resolve)
    }

    /// When impact ended: `mitigated`, or `resolved` when no mitigation time is given.
    pub fn impact_ended(&self) -> Option<DateTime<FixedOffset>> {
        self.mitigated.or(self.resolved)
    }

    /// How long after impact ended the failure was detected, when it healed
    /// before anyone noticed (`detected` after `mitigated`, or after
    /// `resolved` when there is no `mitigated`); `None` otherwise.
    pub fn healed_before_noticed(&self) -> Option<TimeDelta> {
        let gap = self.detected? - self.impact_ended()?;
        (gap > TimeDelta::zero()).then_some(gap)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerImpact {
    pub summary: Option<String>,
    pub users_affected: Option<u64>,
    pub revenue_impact: Option<f64>,
    pub slo_budget_burned: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    pub method: Option<DetectionMethod>,
    pub signal: Option<String>,
}

/// Environmental conditions: free text, or named facets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Environment {
    Text(String),
    Facets {
        region: Option<String>,
        release: Option<String>,
        traffic: Option<String>,
        load: Option<String>,
        notes: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub at: DateTime<FixedOffset>,
    pub event: String,
    pub actor: Option<String>,
    /// `day` for an entry written with a date only (`at = 2022-12-05`):
    /// `at` is then midnight in the record's zone.
    #[serde(skip_serializing_if = "TimePrecision::is_minute")]
    pub precision: TimePrecision,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: String,
    pub kind: Option<FindingKind>,
    pub class: Option<FindingClass>,
    pub summary: String,
    pub evidence: Option<String>,
    pub whys: Vec<String>,
    pub counterfactual: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Barrier {
    pub summary: String,
    pub held: Option<bool>,
}

/// The anchor of a record's `n`th remedy (from 0) on its incident page:
/// `remedy-1`, `remedy-2`, … (search results link straight to it).
pub fn remedy_anchor(n: usize) -> String {
    format!("remedy-{}", n + 1)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remedy {
    pub summary: String,
    pub symptom: Option<String>,
    pub steps: Vec<String>,
    pub worked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guardrail {
    pub id: String,
    pub summary: String,
    pub control: Option<Control>,
    pub addresses: Vec<String>,
    pub would_have: Option<String>,
    pub status: GuardrailStatus,
    pub implemented: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub id: String,
    pub summary: String,
    pub kind: Option<ActionKind>,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    pub completed: Option<NaiveDate>,
    pub finding: Option<String>,
    pub guardrail: Option<String>,
    pub metric: Option<String>,
    pub tracker: Option<String>,
}

impl Action {
    /// Open past its due date, as of `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due.is_some_and(|due| due < today)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelatedLink {
    pub id: String,
    pub relation: Relation,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Lessons {
    pub went_well: Vec<String>,
    pub went_wrong: Vec<String>,
    pub got_lucky: Vec<String>,
}

impl Lessons {
    pub fn is_empty(&self) -> bool {
        self.went_well.is_empty() && self.went_wrong.is_empty() && self.got_lucky.is_empty()
    }
}

/// A reference from a record's `links`: an http(s) URL and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub url: String,
    pub title: Option<String>,
}

/// Whether `s` is an absolute http or https URL: the scheme (any case), a
/// host, and no spaces or control characters.
pub fn is_http_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &s[8..]
    } else if lower.starts_with("http://") {
        &s[7..]
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A failure category of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
}

/// Everything that was loaded: the records, in a stable order (start time, then id).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KnowledgeBase {
    pub incidents: Vec<Incident>,
}

impl KnowledgeBase {
    pub fn get(&self, id: &str) -> Option<&Incident> {
        self.incidents.iter().find(|i| i.id == id)
    }
}

/// The earliest date a record is taken at face value: 1990-01-01.
pub fn earliest_plausible_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The latest date a record is taken at face value: a year after the build date.
pub fn latest_plausible_day(today: NaiveDate) -> NaiveDate {
    today.checked_add_months(Months::new(12)).unwrap_or(NaiveDate::MAX)
}

/// Whether `day` is within reason for a postmortem written by `today`: not
/// before 1990-01-01 and not more than a year after the build date. The
/// loader warns about any date outside it (`implausible-date`), and the time
/// axis of charts and tables leaves out incidents that start outside it, so
/// one typo in a year cannot stretch a trend over centuries.
pub fn is_plausible_day(day: NaiveDate, today: NaiveDate) -> bool {
    (earliest_plausible_day()..=latest_plausible_day(today)).contains(&day)
}

/// The URL slug of a free-text name (service, tag): lower-case letters and
/// digits, other runs of characters collapsed to one '-'.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// An id: ASCII letters, digits, '-' and '_', starting with a letter or digit.
pub fn is_id(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A category slug: lower-case ASCII letters and digits joined by single '-'.
pub fn is_category_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_slugs() {
        assert!(is_id("2024-02-payments_db"));
        assert!(is_id("F1"));
        assert!(!is_id("-x"));
        assert!(!is_id("a b"));
        assert!(!is_id(""));
        assert!(is_category_slug("certificate-expiry"));
        assert!(!is_category_slug("Database"));
        assert!(!is_category_slug("a--b"));
    }

    #[test]
    fn plausible_days_run_from_1990_to_a_year_after_the_build_date() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let today = day(2026, 11, 27);
        assert!(is_plausible_day(day(1990, 1, 1), today));
        assert!(!is_plausible_day(day(1989, 12, 31), today));
        assert!(is_plausible_day(day(2027, 11, 27), today));
        assert!(!is_plausible_day(day(2027, 11, 28), today));
        assert!(!is_plausible_day(day(1024, 3, 1), today));
        // The far end of the calendar does not overflow.
        assert!(is_plausible_day(NaiveDate::MAX, NaiveDate::MAX));
    }

    #[test]
    fn http_urls_only() {
        assert!(is_http_url("https://status.example.com/incidents/123"));
        assert!(is_http_url("HTTP://example.com"));
        assert!(is_http_url("https://example.com?q=a&b=\"c\""));
        for bad in
            ["ftp://example.com", "javascript:alert(1)", "https://", "https:///path", "example.com", "https://a b", ""]
        {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn slugify_collapses_and_lowercases() {
        assert_eq!(slugify("Payments API"), "payments-api");
        assert_eq!(slugify("  payments--api!! "), "payments-api");
        assert_eq!(slugify("Zürich DC"), "zürich-dc");
        assert_eq!(slugify("---"), "");
    }

    fn at(s: &str) -> Option<DateTime<FixedOffset>> {
        DateTime::parse_from_rfc3339(s).ok()
    }

    #[test]
    fn clock_durations_need_both_ends() {
        let clock = Clock {
            started: at("2025-03-14T09:12:00Z"),
            detected: at("2025-03-14T09:20:00Z"),
            mitigated: None,
            resolved: at("2025-03-14T11:30:00+00:00"),
            precision: TimePrecision::Minute,
            stated: StatedDurations::default(),
        };
        assert_eq!(clock.time_to_detect(), Some(TimeDelta::minutes(8)));
        assert_eq!(clock.time_to_mitigate(), None);
        assert_eq!(clock.time_to_resolve(), Some(TimeDelta::minutes(138)));
    }

    #[test]
    fn stated_durations_stand_in_for_missing_timestamps_only() {
        let stated = StatedDurations {
            detect: Some(TimeDelta::minutes(54)),
            mitigate: None,
            resolve: Some(TimeDelta::minutes(200)),
        };
        let undated = Clock { stated, ..Clock::default() };
        assert_eq!(undated.time_to_detect(), Some(TimeDelta::minutes(54)));
        assert_eq!(undated.time_to_mitigate(), None);
        assert_eq!(undated.time_to_resolve(), Some(TimeDelta::minutes(200)));
        // Timestamps win.
        let dated = Clock {
            started: at("2025-03-14T09:00:00Z"),
            resolved: at("2025-03-14T10:00:00Z"),
            stated,
            ..Clock::default()
        };
        assert_eq!(dated.time_to_resolve(), Some(TimeDelta::minutes(60)));
    }

    #[test]
    fn healed_before_noticed_is_detection_after_impact_ended() {
        let mut clock = Clock {
            started: at("2025-03-14T09:00:00Z"),
            detected: at("2025-03-14T09:55:00Z"),
            mitigated: at("2025-03-14T09:30:00Z"),
            resolved: at("2025-03-14T10:30:00Z"),
            precision: TimePrecision::Minute,
            stated: StatedDurations::default(),
        };
        assert_eq!(clock.healed_before_noticed(), Some(TimeDelta::minutes(25)));
        // Time to detect is still measured from the start, past the mitigation.
        assert_eq!(clock.time_to_detect(), Some(TimeDelta::minutes(55)));
        assert_eq!(clock.time_to_mitigate(), Some(TimeDelta::minutes(30)));
        // Without a mitigation time, impact ends at resolution.
        clock.mitigated = None;
        assert_eq!(clock.healed_before_noticed(), None, "detected before resolved");
        clock.detected = at("2025-03-14T11:00:00Z");
        assert_eq!(clock.healed_before_noticed(), Some(TimeDelta::minutes(30)));
        // Detected at the very moment impact ended, or before it: noticed in time.
        clock.detected = at("2025-03-14T10:30:00Z");
        assert_eq!(clock.healed_before_noticed(), None);
        clock.detected = None;
        assert_eq!(clock.healed_before_noticed(), None);
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut action = Action {
            id: "A1".into(),
            summary: "x".into(),
            kind: None,
            owner: None,
            due: day("2026-01-10"),
            status: ActionStatus::Open,
            completed: None,
            finding: None,
            guardrail: None,
            metric: None,
            tracker: None,
        };
        let today = day("2026-01-11").unwrap_or_default();
        assert!(action.is_overdue(today));
        assert!(!action.is_overdue(day("2026-01-10").unwrap_or_default()));
        action.status = ActionStatus::Done;
        assert!(!action.is_overdue(today));
        action.status = ActionStatus::InProgress;
        assert!(action.is_overdue(today));
    }
}
