//! The quarterly review pages (`/review/YYYY-qN/`): for every quarter with
//! incidents, what `casebook report --since FIRST --until LAST` says of it —
//! times to detect, mitigate and resolve, recurrence by severity and
//! category, the recurring failures and the guardrails that did not hold,
//! late postmortems and overdue actions — with each incident, category,
//! guardrail and action linked to its page.
//!
//! Part of `render`'s pages (layer 4). The figures are
//! [`analyze::period::report`]'s, the one computation the command prints
//! too: this module only shapes them for the template. A quarter that is
//! not over on the build date is marked partial, here and in the list on
//! `/metrics/`.

use std::collections::{BTreeSet, HashMap};

use chrono::TimeDelta;
use rayon::prelude::*;
use serde::Serialize;

use crate::analyze::Analysis;
use crate::analyze::metrics::{ActionTally, Elapsed, Metrics, Quarter, percent};
use crate::analyze::period::{self, Figures, GuardrailInPlace, Report, Time};
use crate::model::Incident;
use crate::render::RenderError;
use crate::render::learning::{LateView, elapsed_text};
use crate::render::page::Page;
use crate::render::views::{ActionView, IncidentRef, IncidentRow, SiteData, human_duration};

/// One quarter's report, computed once for its page and the list on `/metrics/`.
pub(crate) struct QuarterReview<'k> {
    pub(crate) quarter: Quarter,
    /// The incidents that started in the quarter, in the knowledge base's order.
    incidents: Vec<&'k Incident>,
    /// The quarter's report, its overdue actions narrowed to the quarter's
    /// incidents (the report lists those of every incident).
    pub(crate) report: Report,
    /// How many actions are overdue, from any incident: the report's count.
    pub(crate) overdue_all: usize,
    /// How much of the quarter had passed on the build date, when it is not over.
    pub(crate) partial: Option<Elapsed>,
}

/// The reports of every quarter with incidents, oldest first, computed in parallel.
pub(crate) fn quarter_reviews<'k>(
    data: &SiteData<'k>,
    analysis: &Analysis,
    metrics: &Metrics,
) -> Vec<QuarterReview<'k>> {
    let quarters: Vec<Quarter> =
        metrics.by_quarter.iter().filter(|(_, g)| g.count > 0).filter_map(|(key, _)| Quarter::parse(key)).collect();
    // Every overdue action, listed once for all the quarters.
    let overdue = period::overdue_actions(data.kb, data.today);
    quarters
        .into_par_iter()
        .filter_map(|quarter| {
            let (first, last) = (quarter.first_day()?, quarter.last_day()?);
            let incidents = period::incidents_in(data.kb, Some(first), last);
            let ids: BTreeSet<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
            let own = overdue.iter().filter(|a| ids.contains(a.incident.as_str())).cloned().collect();
            let report = period::report_with(data.kb, data.config, analysis, Some(first), last, data.today, own);
            let (overdue_all, partial) = (overdue.len(), quarter.elapsed(data.today));
            Some(QuarterReview { quarter, incidents, report, overdue_all, partial })
        })
        .collect()
}

/// A review page as a link: in the list on `/metrics/`, and as the previous
/// and next quarter of a review page.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewLink {
    /// "2026 Q3".
    pub label: String,
    pub url: String,
    pub incidents: usize,
    /// "to 2026-11-27, 58 days of 92" for a quarter that is not over.
    pub partial: Option<String>,
}

impl QuarterReview<'_> {
    pub(crate) fn url(&self) -> String {
        format!("review/{}/", self.quarter.slug())
    }

    pub(crate) fn link(&self) -> ReviewLink {
        ReviewLink {
            label: self.quarter.label(),
            url: self.url(),
            incidents: self.report.incidents,
            partial: self.partial.map(elapsed_text),
        }
    }
}

/// The review pages, latest first, as `/metrics/` lists them.
pub(crate) fn review_links(reviews: &[QuarterReview<'_>]) -> Vec<ReviewLink> {
    reviews.iter().rev().map(QuarterReview::link).collect()
}

/// A duration as the page shows it, with the seconds it stands for.
#[derive(Debug, Clone, Serialize)]
struct Duration {
    text: String,
    seconds: i64,
}

fn duration(seconds: Option<i64>) -> Option<Duration> {
    seconds.map(|s| Duration { text: human_duration(TimeDelta::seconds(s)), seconds: s })
}

/// A rate as the page shows it (a whole percentage), with the report's value.
#[derive(Debug, Clone, Serialize)]
struct Rate {
    percent: u32,
    value: f64,
}

fn rate(value: Option<f64>) -> Option<Rate> {
    value.and_then(|v| percent(Some(v)).map(|p| Rate { percent: p, value: v }))
}

/// One of the three times: the median, the p90 and how many incidents they are over.
#[derive(Debug, Clone, Serialize)]
struct TimeRow {
    /// `ttd`, `ttm` or `ttr`: the JSON's key and the glossary's entry.
    key: &'static str,
    label: &'static str,
    median: Option<Duration>,
    p90: Option<Duration>,
    n: usize,
}

fn time_row(key: &'static str, label: &'static str, t: &Time) -> TimeRow {
    TimeRow { key, label, median: duration(t.median_s), p90: duration(t.p90_s), n: t.n }
}

/// A severity's or a category's medians and recurrence.
#[derive(Debug, Clone, Serialize)]
struct GroupRow {
    name: String,
    url: Option<String>,
    count: usize,
    ttd: Option<Duration>,
    ttm: Option<Duration>,
    ttr: Option<Duration>,
    recurrence: Option<Rate>,
}

fn group_row(name: &str, url: Option<String>, f: &Figures) -> GroupRow {
    GroupRow {
        name: name.to_string(),
        url,
        count: f.count,
        ttd: duration(f.ttd.median_s),
        ttm: duration(f.ttm.median_s),
        ttr: duration(f.ttr.median_s),
        recurrence: rate(f.recurrence_rate),
    }
}

/// A guardrail of an earlier occurrence that was in place when the failure came back.
#[derive(Debug, Clone, Serialize)]
struct GuardrailLink {
    id: String,
    summary: String,
    /// Its place on its incident's page.
    url: String,
}

/// The guardrails of one earlier occurrence that were in place.
#[derive(Debug, Clone, Serialize)]
struct GuardrailsOf {
    incident: IncidentRef,
    guardrails: Vec<GuardrailLink>,
}

/// The guardrails in place, by the incident they came from, in the report's order.
fn guardrails_by_incident(data: &SiteData<'_>, list: &[GuardrailInPlace]) -> Vec<GuardrailsOf> {
    let mut out: Vec<GuardrailsOf> = Vec::new();
    for g in list {
        let link = GuardrailLink {
            id: g.id.clone(),
            summary: g.summary.clone(),
            url: format!("{}#guardrail-{}", SiteData::incident_url(&g.incident), g.id),
        };
        match out.iter_mut().find(|o| o.incident.id == g.incident) {
            Some(of) => of.guardrails.push(link),
            None => {
                if let Some(incident) = data.reference(&g.incident) {
                    out.push(GuardrailsOf { incident, guardrails: vec![link] });
                }
            }
        }
    }
    out
}

/// A recurring failure of the quarter.
#[derive(Debug, Clone, Serialize)]
struct RecurrenceView {
    incident: IncidentRef,
    repeats: IncidentRef,
    /// Linked by the records (`recurrence_of`, a chain), or detected with this score in percent.
    detected_percent: Option<u32>,
    guardrails_in_place: Vec<GuardrailsOf>,
}

/// Everything a review page shows.
#[derive(Debug, Clone, Serialize)]
struct ReviewView {
    /// "2026 Q3", and "2026-Q3" as on the charts.
    label: String,
    key: String,
    since: String,
    until: String,
    /// The build date: actions and lateness are as of it.
    today: String,
    partial: Option<Elapsed>,
    /// The command that prints the same figures.
    command: String,
    previous: Option<ReviewLink>,
    next: Option<ReviewLink>,
    incidents: usize,
    coarse_clocks: usize,
    times: Vec<TimeRow>,
    recurrence: Option<Rate>,
    by_severity: Vec<GroupRow>,
    by_category: Vec<GroupRow>,
    recurrences: Vec<RecurrenceView>,
    late: Vec<LateView>,
    actions: ActionTally,
    completion: Option<Rate>,
    /// The overdue actions of the quarter's incidents, longest overdue first.
    overdue: Vec<ActionView>,
    /// Overdue actions from any incident, as `casebook report` counts them.
    overdue_all: usize,
    /// The quarter's incidents, newest first.
    incident_rows: Vec<IncidentRow>,
}

/// The review page of each quarter in `reviews` (oldest first), each linked
/// to its neighbours. `drafts`: the site counts draft records, and so must
/// the command each page shows.
pub(crate) fn review_pages(
    data: &SiteData<'_>,
    reviews: &[QuarterReview<'_>],
    actions: &[ActionView],
    drafts: bool,
) -> Result<Vec<Page>, RenderError> {
    let actions_by_key: HashMap<(&str, &str), &ActionView> =
        actions.iter().map(|a| ((a.incident.id.as_str(), a.id.as_str()), a)).collect();
    reviews
        .iter()
        .enumerate()
        .map(|(at, review)| {
            let previous = at.checked_sub(1).and_then(|p| reviews.get(p)).map(QuarterReview::link);
            let next = reviews.get(at + 1).map(QuarterReview::link);
            let view = review_view(data, review, previous, next, &actions_by_key, drafts);
            let title = format!("Incident review, {}", review.quarter.label());
            Page::new("review.html", format!("{}index.html", review.url()), title, "metrics").with("review", view)
        })
        .collect()
}

fn review_view(
    data: &SiteData<'_>,
    review: &QuarterReview<'_>,
    previous: Option<ReviewLink>,
    next: Option<ReviewLink>,
    actions: &HashMap<(&str, &str), &ActionView>,
    drafts: bool,
) -> ReviewView {
    let r = &review.report;
    let since = r.since.map(|d| d.to_string()).unwrap_or_default();
    let reference = |id: &str| data.reference(id);
    let mut by_severity: Vec<GroupRow> = r.by_severity.iter().map(|(s, f)| group_row(s, None, f)).collect();
    by_severity.sort_by_key(|g| data.severity_rank(Some(&g.name)));
    let recurrences = r
        .recurrences
        .iter()
        .filter_map(|rec| {
            Some(RecurrenceView {
                incident: reference(&rec.id)?,
                repeats: reference(&rec.repeats)?,
                detected_percent: rec.score.map(|s| (s * 100.0).round() as u32),
                guardrails_in_place: guardrails_by_incident(data, &rec.guardrails_in_place),
            })
        })
        .collect();
    let late = r
        .late_postmortems
        .iter()
        .filter_map(|l| {
            Some(LateView { incident: reference(&l.id)?, days: l.days, limit: l.limit, published: l.published })
        })
        .collect();
    let overdue = r
        .overdue_actions
        .iter()
        .filter_map(|a| actions.get(&(a.incident.as_str(), a.id.as_str())).map(|v| (*v).clone()))
        .collect();
    ReviewView {
        label: review.quarter.label(),
        key: review.quarter.to_string(),
        command: format!(
            "casebook report --since {since} --until {}{}",
            r.until,
            if drafts { " --drafts" } else { "" }
        ),
        since,
        until: r.until.to_string(),
        today: r.today.to_string(),
        partial: review.partial,
        previous,
        next,
        incidents: r.incidents,
        coarse_clocks: r.coarse_clocks,
        times: vec![
            time_row("ttd", "Time to detect", &r.overall.ttd),
            time_row("ttm", "Time to mitigate", &r.overall.ttm),
            time_row("ttr", "Time to resolve", &r.overall.ttr),
        ],
        recurrence: rate(r.overall.recurrence_rate),
        by_severity,
        by_category: r.by_category.iter().map(|(c, f)| group_row(c, Some(SiteData::category_url(c)), f)).collect(),
        recurrences,
        late,
        actions: r.actions.clone(),
        completion: rate(r.actions.completion_rate),
        overdue,
        overdue_all: review.overdue_all,
        incident_rows: data.rows(review.incidents.iter().copied()),
    }
}
