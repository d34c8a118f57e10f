//! The view structs templates see, and the shared data they are made from.
//!
//! Part of `render` (layer 4): built from the model (L0), the config (L1) and
//! the analysis (L3), never from anything above. Templates never see the
//! model: these structs are the documented template context
//! (docs/templates.md), so the model can change without breaking a team's
//! template overrides. Everything a template shows is prepared here: display
//! strings for dates and durations, URLs relative to the site root, overdue
//! flags as of the build date, back-links and guardrail outcomes.
//!
//! Closed vocabularies (statuses, kinds) stay their enums up to the template
//! context: they serialise as their record words, so templates see the same
//! strings, while every count and comparison in Rust is made on the enum.
//!
//! - this file: [`SiteData`] (what every page is built from), incident rows
//!   and references, durations and number formatting;
//! - `entries`: remedies, guardrails with their outcomes, actions, and the
//!   tallies of them that many pages show;
//! - `incident`: the incident page's own view.

mod entries;
mod incident;

pub use entries::{ActionCounts, ActionView, GuardrailTotals, GuardrailView, OutcomeState, OutcomeView, RemedyView};
pub use incident::{
    BarrierView, ChainView, ClockRow, DetectionView, DurationRow, FindingView, ImpactView, IncidentView, LessonsView,
    PeopleView, ReferenceView, RelatedView, SimilarView, TimelineView,
};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
use serde::Serialize;

use crate::analyze::similar::Similarity;
use crate::analyze::{self, Analysis, Relations};
use crate::config::Config;
use crate::model::{Incident, KnowledgeBase, RecordStatus, TimePrecision, slugify};

/// A short reference to an incident, for links.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentRef {
    pub id: String,
    pub url: String,
    pub title: String,
    pub started: Option<String>,
    pub severity: Option<String>,
}

/// A name with the URL of its page (categories, services).
#[derive(Debug, Clone, Serialize)]
pub struct NamedLink {
    pub name: String,
    pub url: String,
}

/// One row of an incident list.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentRow {
    pub id: String,
    pub url: String,
    pub title: String,
    pub summary: Option<String>,
    pub severity: Option<String>,
    /// 0 = worst; for sorting. Unknown severities sort last.
    pub severity_rank: usize,
    pub status: RecordStatus,
    pub started: Option<String>,
    pub started_iso: Option<String>,
    pub year: Option<i32>,
    pub categories: Vec<NamedLink>,
    pub services: Vec<NamedLink>,
    pub ttr: Option<Duration>,
    pub open_actions: usize,
    pub overdue_actions: usize,
    pub is_recurrence: bool,
}

/// A label and its value (participants, environment facets, a finding an
/// action answers).
#[derive(Debug, Clone, Serialize)]
pub struct LabelValue {
    pub label: String,
    pub value: String,
}

/// A duration for display, with its sortable value and precision.
#[derive(Debug, Clone, Serialize)]
pub struct Duration {
    pub text: String,
    pub minutes: i64,
    /// The clock fields are coarser than minutes: the value is approximate.
    pub approximate: bool,
}

impl Duration {
    fn new(delta: TimeDelta, precision: TimePrecision) -> Self {
        let approximate = precision != TimePrecision::Minute;
        let text = format!("{}{}", if approximate { "≈ " } else { "" }, human_duration(delta));
        Duration { text, minutes: delta.num_minutes(), approximate }
    }
}

/// "7m", "1h 52m", "3d 4h".
pub fn human_duration(delta: TimeDelta) -> String {
    if delta > TimeDelta::zero() && delta < TimeDelta::minutes(1) {
        return "<1m".to_string();
    }
    let minutes = delta.num_minutes().max(0);
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (d, h, m) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

fn datetime_text(at: DateTime<FixedOffset>) -> String {
    at.with_timezone(&Utc).format("%Y-%m-%d %H:%M UTC").to_string()
}

fn date_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Everything computed once per build and shared by every page.
pub struct SiteData<'a> {
    pub kb: &'a KnowledgeBase,
    pub config: &'a Config,
    pub today: NaiveDate,
    /// Detected similar incidents (links to records outside `kb` are skipped).
    pub similarity: &'a Similarity,
    /// What the whole knowledge base says about each incident (a quick
    /// preview reuses the last build's).
    pub relations: &'a Relations,
    /// Incidents by id.
    by_id: std::collections::HashMap<&'a str, &'a Incident>,
}

impl std::ops::Deref for SiteData<'_> {
    type Target = Relations;
    fn deref(&self) -> &Relations {
        self.relations
    }
}

impl<'a> SiteData<'a> {
    pub fn new(kb: &'a KnowledgeBase, config: &'a Config, analysis: &'a Analysis, today: NaiveDate) -> Self {
        let by_id = kb.incidents.iter().map(|i| (i.id.as_str(), i)).collect();
        SiteData { kb, config, today, similarity: &analysis.similarity, relations: &analysis.relations, by_id }
    }

    /// What metrics are judged against in this build.
    pub fn metrics_context(&self) -> analyze::metrics::Context<'_> {
        analyze::metrics::Context { policy: &self.config.policy, today: self.today, recurrences: &self.recurrences }
    }

    /// The incident with this id.
    pub fn get(&self, id: &str) -> Option<&'a Incident> {
        self.by_id.get(id).copied()
    }

    pub fn incident_url(id: &str) -> String {
        format!("incidents/{id}/")
    }

    pub fn category_url(name: &str) -> String {
        format!("categories/{name}/")
    }

    pub fn service_url(name: &str) -> String {
        format!("services/{}/", slugify(name))
    }

    pub fn reference(&self, id: &str) -> Option<IncidentRef> {
        self.get(id).map(incident_ref)
    }

    pub fn severity_rank(&self, severity: Option<&str>) -> usize {
        severity.and_then(|s| self.config.severity_rank(s)).unwrap_or(usize::MAX / 2)
    }

    pub fn row(&self, inc: &Incident) -> IncidentRow {
        let started = inc.clock.started;
        IncidentRow {
            id: inc.id.clone(),
            url: Self::incident_url(&inc.id),
            title: inc.title.clone(),
            summary: inc.summary.clone(),
            severity: inc.severity.clone(),
            severity_rank: self.severity_rank(inc.severity.as_deref()),
            status: inc.status,
            started: started.map(|s| date_text(s.date_naive())),
            started_iso: started.map(|s| s.to_rfc3339()),
            year: started.map(|s| chrono::Datelike::year(&s.with_timezone(&Utc))),
            categories: inc
                .categories
                .iter()
                .map(|c| NamedLink { name: c.clone(), url: Self::category_url(c) })
                .collect(),
            services: inc.services.iter().map(|s| NamedLink { name: s.clone(), url: Self::service_url(s) }).collect(),
            ttr: inc.clock.time_to_resolve().map(|d| Duration::new(d, inc.clock.precision)),
            open_actions: inc.actions.iter().filter(|a| a.status.is_open()).count(),
            overdue_actions: inc.actions.iter().filter(|a| a.is_overdue(self.today)).count(),
            is_recurrence: !inc.recurrence_of.is_empty(),
        }
    }

    /// Rows for incidents, newest first.
    pub fn rows<'i>(&self, incidents: impl Iterator<Item = &'i Incident>) -> Vec<IncidentRow> {
        let mut rows: Vec<IncidentRow> = incidents.map(|i| self.row(i)).collect();
        rows.sort_by(|a, b| b.started_iso.cmp(&a.started_iso).then_with(|| a.id.cmp(&b.id)));
        rows
    }
}

pub fn incident_ref(inc: &Incident) -> IncidentRef {
    IncidentRef {
        id: inc.id.clone(),
        url: SiteData::incident_url(&inc.id),
        title: inc.title.clone(),
        started: inc.clock.started.map(|s| date_text(s.date_naive())),
        severity: inc.severity.clone(),
    }
}

/// 1234567 → "1,234,567".
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human_duration(TimeDelta::minutes(7)), "7m");
        assert_eq!(human_duration(TimeDelta::seconds(30)), "<1m");
        assert_eq!(human_duration(TimeDelta::zero()), "0m");
        assert_eq!(human_duration(TimeDelta::minutes(112)), "1h 52m");
        assert_eq!(human_duration(TimeDelta::minutes(120)), "2h");
        assert_eq!(human_duration(TimeDelta::minutes(3 * 1440 + 250)), "3d 4h");
        assert_eq!(human_duration(TimeDelta::minutes(2 * 1440 + 5)), "2d");
        let coarse = Duration::new(TimeDelta::minutes(90), TimePrecision::Hour);
        assert_eq!(coarse.text, "≈ 1h 30m");
        assert!(coarse.approximate);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(-1234567), "-1,234,567");
    }
}
