//! The figures of a period for the periodic incident review: what
//! `casebook report` prints and each quarter's review page shows, and the
//! action rows `casebook actions` lists.
//!
//! Part of `analyze` (layer 3), so that the command (through `review`) and
//! the pages (through `render`) take each figure from this one computation:
//! a review page of a quarter and `casebook report` for the same dates say
//! the same thing. Plain values, serialised as the report's JSON as they are.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::metrics::{self, GroupMetrics, TimeStat};
use super::similar::Similarity;
use super::{Analysis, Chain};
use crate::config::Config;
use crate::model::{ActionStatus, Incident, KnowledgeBase, TimePrecision};

// ---------------------------------------------------------------- actions

/// One action item with its incident, as `casebook actions` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    pub incident: String,
    pub incident_title: String,
    pub id: String,
    pub summary: String,
    pub status: &'static str,
    pub overdue: bool,
    pub days_overdue: Option<i64>,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub completed: Option<NaiveDate>,
    pub finding: Option<String>,
    pub finding_summary: Option<String>,
    pub guardrail: Option<String>,
    pub tracker: Option<String>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub overdue: bool,
    /// Owners (any of them), compared without case.
    pub owners: Vec<String>,
    pub statuses: Vec<ActionStatus>,
}

/// Every action of `kb` that passes `filter`: overdue first (longest
/// overdue first), then open by due date, then closed ones, newest first.
pub fn action_rows(kb: &KnowledgeBase, filter: &ActionFilter, today: NaiveDate) -> Vec<ActionRow> {
    let mut rows: Vec<ActionRow> = kb
        .incidents
        .iter()
        .flat_map(|inc| inc.actions.iter().map(move |a| (inc, a)))
        .filter(|(_, a)| !filter.overdue || a.is_overdue(today))
        .filter(|(_, a)| {
            filter.owners.is_empty()
                || a.owner.as_ref().is_some_and(|o| filter.owners.iter().any(|f| f.eq_ignore_ascii_case(o)))
        })
        .filter(|(_, a)| filter.statuses.is_empty() || filter.statuses.contains(&a.status))
        .map(|(inc, a)| {
            let overdue = a.is_overdue(today);
            ActionRow {
                incident: inc.id.clone(),
                incident_title: inc.title.clone(),
                id: a.id.clone(),
                summary: a.summary.clone(),
                status: a.status.as_str(),
                overdue,
                days_overdue: overdue.then(|| a.due.map(|d| (today - d).num_days())).flatten(),
                owner: a.owner.clone(),
                due: a.due,
                completed: a.completed,
                finding: a.finding.clone(),
                finding_summary: a
                    .finding
                    .as_ref()
                    .and_then(|f| inc.findings.iter().find(|x| &x.id == f))
                    .map(|f| f.summary.clone()),
                guardrail: a.guardrail.clone(),
                tracker: a.tracker.clone(),
            }
        })
        .collect();
    let rank = |r: &ActionRow| match (r.overdue, r.status) {
        (true, _) => 0,
        (_, "open" | "in-progress") => 1,
        _ => 2,
    };
    rows.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.days_overdue.cmp(&a.days_overdue))
            .then_with(|| match rank(a) {
                2 => b.completed.or(b.due).cmp(&a.completed.or(a.due)),
                _ => a.due.is_none().cmp(&b.due.is_none()).then(a.due.cmp(&b.due)),
            })
            .then_with(|| (&a.incident, &a.id).cmp(&(&b.incident, &b.id)))
    });
    rows
}

/// Every owner named on an action, for suggestions.
pub fn owners(kb: &KnowledgeBase) -> Vec<String> {
    let mut all: Vec<String> =
        kb.incidents.iter().flat_map(|i| i.actions.iter().filter_map(|a| a.owner.clone())).collect();
    all.sort();
    all.dedup();
    all
}

// ---------------------------------------------------------------- report

/// A duration statistic as the report's JSON gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Time {
    pub median_s: Option<i64>,
    pub p90_s: Option<i64>,
    pub n: usize,
}

impl From<&TimeStat> for Time {
    fn from(s: &TimeStat) -> Self {
        Time { median_s: s.median_s, p90_s: s.p90_s, n: s.n }
    }
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub count: usize,
    pub ttd: Time,
    pub ttm: Time,
    pub ttr: Time,
    pub recurrence_rate: Option<f64>,
}

impl From<&GroupMetrics> for Figures {
    fn from(g: &GroupMetrics) -> Self {
        Figures {
            count: g.count,
            ttd: (&g.ttd).into(),
            ttm: (&g.ttm).into(),
            ttr: (&g.ttr).into(),
            recurrence_rate: g.recurrence_rate.map(|r| (r * 1000.0).round() / 1000.0),
        }
    }
}

/// An incident of the period that repeated an earlier failure.
#[derive(Debug, Clone, Serialize)]
pub struct Recurrence {
    pub id: String,
    pub title: String,
    pub started: Option<NaiveDate>,
    /// The earlier incident it repeats.
    pub repeats: String,
    pub repeats_title: String,
    /// "explicit" (recurrence_of or chain) or "detected" (similarity, with its score).
    pub how: &'static str,
    pub score: Option<f64>,
    /// Guardrails of earlier occurrences that were in place when it started.
    pub guardrails_in_place: Vec<GuardrailInPlace>,
}

/// A guardrail of an earlier occurrence, in place when a recurrence started:
/// one that did not hold. Written "incident/G1: summary" in the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct GuardrailInPlace {
    pub incident: String,
    pub id: String,
    pub summary: String,
}

impl fmt::Display for GuardrailInPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}: {}", self.incident, self.id, self.summary)
    }
}

impl From<GuardrailInPlace> for String {
    fn from(g: GuardrailInPlace) -> String {
        g.to_string()
    }
}

/// A postmortem published (or still unpublished) past the policy's deadline.
#[derive(Debug, Clone, Serialize)]
pub struct Late {
    pub id: String,
    pub title: String,
    pub severity: Option<String>,
    pub days: i64,
    pub limit: u32,
    pub published: bool,
}

/// The periodic review.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub since: Option<NaiveDate>,
    pub until: NaiveDate,
    pub today: NaiveDate,
    pub incidents: usize,
    /// Incidents left out of the time figures because their clocks are coarser than minutes.
    pub coarse_clocks: usize,
    pub overall: Figures,
    pub by_severity: BTreeMap<String, Figures>,
    pub by_category: BTreeMap<String, Figures>,
    pub actions: metrics::ActionTally,
    pub recurrences: Vec<Recurrence>,
    pub late_postmortems: Vec<Late>,
    /// Every action overdue as of `today`, whatever incident it came from.
    pub overdue_actions: Vec<ActionRow>,
}

/// The incidents of `kb` that started between `since` and `until`
/// (inclusive, UTC dates): those a report is about, in `kb`'s order.
pub fn incidents_in(kb: &KnowledgeBase, since: Option<NaiveDate>, until: NaiveDate) -> Vec<&Incident> {
    let started_day = |i: &Incident| i.clock.started.map(|s| s.with_timezone(&Utc).date_naive());
    kb.incidents.iter().filter(|i| started_day(i).is_some_and(|d| since.is_none_or(|s| d >= s) && d <= until)).collect()
}

/// The report over the incidents that started between `since` and `until` (inclusive, UTC dates).
///
/// `analysis` is `kb`'s (see [`Analysis::new`]): the same chains and
/// recurrences the site's pages use.
pub fn report(
    kb: &KnowledgeBase,
    config: &Config,
    analysis: &Analysis,
    since: Option<NaiveDate>,
    until: NaiveDate,
    today: NaiveDate,
) -> Report {
    report_with(kb, config, analysis, since, until, today, overdue_actions(kb, today))
}

/// Every action of `kb` overdue as of `today`, longest overdue first: the
/// report's last list, whatever the period.
pub fn overdue_actions(kb: &KnowledgeBase, today: NaiveDate) -> Vec<ActionRow> {
    action_rows(kb, &ActionFilter { overdue: true, ..ActionFilter::default() }, today)
}

/// [`report`] with its list of overdue actions given: what reports on many
/// periods use, so that the list is made once rather than once a period.
pub fn report_with(
    kb: &KnowledgeBase,
    config: &Config,
    analysis: &Analysis,
    since: Option<NaiveDate>,
    until: NaiveDate,
    today: NaiveDate,
    overdue_actions: Vec<ActionRow>,
) -> Report {
    let period = incidents_in(kb, since, until);
    let (similarity, chains, recurrent) =
        (&analysis.similarity, &analysis.relations.chains, &analysis.relations.recurrences);
    let by_id: HashMap<&str, &Incident> = kb.incidents.iter().map(|i| (i.id.as_str(), i)).collect();
    let ctx = metrics::Context { policy: &config.policy, today, recurrences: recurrent };
    let m = metrics::compute(&period, &ctx);
    let recurrences = period
        .iter()
        .filter(|i| recurrent.contains(&i.id))
        .filter_map(|i| recurrence_of(i, &|id| by_id.get(id).copied(), chains, similarity))
        .collect();
    let late_postmortems = period
        .iter()
        .filter_map(|i| {
            let p = metrics::publication(i, &config.policy, today).filter(|p| p.late)?;
            Some(Late {
                id: i.id.clone(),
                title: i.title.clone(),
                severity: i.severity.clone(),
                days: p.days,
                limit: p.limit,
                published: p.published,
            })
        })
        .collect();
    Report {
        since,
        until,
        today,
        incidents: period.len(),
        coarse_clocks: period.iter().filter(|i| i.clock.precision != TimePrecision::Minute).count(),
        overall: (&m.overall).into(),
        by_severity: m.by_severity.iter().map(|(k, g)| (k.clone(), g.into())).collect(),
        by_category: m.by_category.iter().map(|(k, g)| (k.clone(), g.into())).collect(),
        actions: m.overall.actions.clone(),
        recurrences,
        late_postmortems,
        overdue_actions,
    }
}

/// What `inc` repeats: the previous member of its chain, else its best
/// detected match among incidents that started earlier.
fn recurrence_of<'k>(
    inc: &Incident,
    get: &dyn Fn(&str) -> Option<&'k Incident>,
    chains: &[Chain],
    similarity: &Similarity,
) -> Option<Recurrence> {
    let started = inc.clock.started?;
    let chain = chains.iter().find(|c| c.members.contains(&inc.id));
    let explicit = chain.and_then(|c| {
        let at = c.members.iter().position(|m| *m == inc.id)?;
        at.checked_sub(1).and_then(|p| c.members.get(p)).map(|p| (p.clone(), None))
    });
    let (earlier_id, score) = explicit.or_else(|| {
        similarity
            .likely(&inc.id)
            .find(|l| get(&l.id).is_some_and(|o| o.clock.started.is_some_and(|s| s < started)))
            .map(|l| (l.id.clone(), Some(l.score)))
    })?;
    let earlier = get(&earlier_id)?;
    let before: Vec<&Incident> = match (chain, score) {
        (Some(c), None) => {
            c.members.iter().filter_map(|m| get(m)).filter(|o| o.clock.started.is_some_and(|s| s < started)).collect()
        }
        _ => vec![earlier],
    };
    let guardrails_in_place = before
        .iter()
        .flat_map(|o| o.guardrails.iter().map(move |g| (o, g)))
        .filter(|(_, g)| g.status.is_live() && g.implemented.is_some_and(|d| d <= started.date_naive()))
        .map(|(o, g)| GuardrailInPlace { incident: o.id.clone(), id: g.id.clone(), summary: g.summary.clone() })
        .collect();
    Some(Recurrence {
        id: inc.id.clone(),
        title: inc.title.clone(),
        started: Some(started.with_timezone(&Utc).date_naive()),
        repeats: earlier.id.clone(),
        repeats_title: earlier.title.clone(),
        how: if score.is_some() { "detected" } else { "explicit" },
        score,
        guardrails_in_place,
    })
}
