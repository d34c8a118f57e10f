//! The learning-loop pages: `/metrics/`, the metrics block of category and
//! service pages, detected recurrence groups on `/recurring/`, and an
//! incident's phase chart. Figures come from `analyze::metrics`; this module
//! only shapes them for templates and draws the charts.
//!
//! Part of `render` (layer 4), beside `pages`: the metrics page is
//! built here, the category and service pages embed its group block.

use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

use super::charts::{self, Bar, Chart, Column, Unit};
use super::views::{GuardrailView, IncidentRef, SiteData, human_duration, incident_ref};
use crate::analyze::metrics::{self, ActionTally, Elapsed, GroupMetrics, Metrics, Quarter, TimeStat, percent};
use crate::analyze::{self, Chain};
use crate::model::{Incident, TimePrecision};

/// A duration statistic for display.
#[derive(Debug, Clone, Serialize)]
pub struct StatView {
    pub median: Option<String>,
    pub p90: Option<String>,
    pub n: usize,
    pub coarse: usize,
    pub missing: usize,
}

impl StatView {
    pub fn of(s: &TimeStat) -> Self {
        let text = |v: Option<i64>| v.map(|v| human_duration(TimeDelta::seconds(v)));
        StatView { median: text(s.median_s), p90: text(s.p90_s), n: s.n, coarse: s.coarse, missing: s.missing }
    }
}

/// A group's metrics for display.
#[derive(Debug, Clone, Serialize)]
pub struct GroupMetricsView {
    pub count: usize,
    pub ttd: StatView,
    pub ttm: StatView,
    pub ttr: StatView,
    pub recurrences: usize,
    pub recurrence_percent: Option<u32>,
    pub actions: ActionTally,
    pub completion_percent: Option<u32>,
    pub late_postmortems: usize,
    pub with_deadline: usize,
}

impl GroupMetricsView {
    pub fn of(g: &GroupMetrics) -> Self {
        GroupMetricsView {
            count: g.count,
            ttd: StatView::of(&g.ttd),
            ttm: StatView::of(&g.ttm),
            ttr: StatView::of(&g.ttr),
            recurrences: g.recurrences,
            recurrence_percent: percent(g.recurrence_rate),
            actions: g.actions.clone(),
            completion_percent: percent(g.actions.completion_rate),
            late_postmortems: g.postmortems.late,
            with_deadline: g.postmortems.with_deadline,
        }
    }
}

/// One named row of a metrics table (a category, a severity, a quarter).
#[derive(Debug, Clone, Serialize)]
pub struct NamedMetrics {
    pub name: String,
    pub url: Option<String>,
    pub metrics: GroupMetricsView,
}

/// A postmortem published later than the policy allows.
#[derive(Debug, Clone, Serialize)]
pub struct LateView {
    pub incident: IncidentRef,
    pub days: i64,
    pub limit: u32,
    pub published: bool,
}

/// Everything `/metrics/` shows.
#[derive(Debug, Clone, Serialize)]
pub struct MetricsPage {
    pub overall: GroupMetricsView,
    pub trend_charts: Vec<Chart>,
    pub category_charts: Vec<Chart>,
    pub categories: Vec<NamedMetrics>,
    pub severities: Vec<NamedMetrics>,
    pub quarters: Vec<NamedMetrics>,
    pub late: Vec<LateView>,
    /// Incidents whose clocks are coarser than minutes: not in the time figures.
    pub coarse: Vec<IncidentRef>,
    /// Incidents whose start is outside reason (before 1990, or more than a
    /// year after the build date): left out of the charts over time.
    pub off_axis: Vec<IncidentRef>,
}

/// The metrics of the incidents in `data`.
pub fn site_metrics(data: &SiteData<'_>) -> Metrics {
    let incidents: Vec<&Incident> = data.kb.incidents.iter().collect();
    metrics::compute(&incidents, &data.metrics_context())
}

fn stat_cells(s: &TimeStat) -> [String; 2] {
    let v = StatView::of(s);
    [v.median.unwrap_or_else(|| "—".into()), v.p90.unwrap_or_else(|| "—".into())]
}

/// Why the quarter `key` ("2026-Q4") is partial on `today`: "to
/// 2026-11-27, 58 days of 92"; `None` once it is over.
pub fn partial(key: &str, today: NaiveDate) -> Option<String> {
    Quarter::parse(key)?.elapsed(today).map(elapsed_text)
}

/// "to 2026-11-27, 58 days of 92".
pub fn elapsed_text(e: Elapsed) -> String {
    match e.days {
        0 => format!("it had not begun on {}", e.to),
        days => format!("to {}, {days} days of {}", e.to, e.of),
    }
}

fn quarter_columns(
    m: &Metrics,
    today: NaiveDate,
    value: impl Fn(&GroupMetrics) -> (Vec<Option<f64>>, Option<f64>, Vec<String>),
) -> Vec<Column> {
    m.by_quarter
        .iter()
        .map(|(q, g)| {
            let (parts, whisker, cells) = value(g);
            Column { label: q.clone(), parts, whisker, cells, partial: partial(q, today) }
        })
        .collect()
}

/// The stack of incidents per quarter whose severity is missing or not in the taxonomy.
const NO_SEVERITY: &str = "No severity";

/// `/metrics/`.
pub fn metrics_page(data: &SiteData<'_>, m: &Metrics) -> MetricsPage {
    let severities: Vec<String> = data.config.severities.clone();
    // Incidents per quarter, stacked by severity.
    let ctx = data.metrics_context();
    let by_quarter_severity = |q: &str| -> Vec<Option<f64>> {
        severities
            .iter()
            .map(|s| {
                let n = data
                    .kb
                    .incidents
                    .iter()
                    .filter(|i| {
                        i.severity.as_deref() == Some(s) && metrics::quarter(i, ctx.today).as_deref() == Some(q)
                    })
                    .count();
                Some(n as f64)
            })
            .collect()
    };
    // Incidents without a severity of the taxonomy are a stack of their
    // own, so every column adds up to the quarter's count.
    let unrated = |q: &str, g: &GroupMetrics| {
        let rated: f64 = by_quarter_severity(q).iter().flatten().sum();
        g.count.saturating_sub(rated as usize)
    };
    let any_unrated = m.by_quarter.iter().any(|(q, g)| unrated(q, g) > 0);
    let mut series: Vec<&str> = severities.iter().map(String::as_str).collect();
    if any_unrated {
        series.push(NO_SEVERITY);
    }
    let count_cols: Vec<Column> = m
        .by_quarter
        .iter()
        .map(|(q, g)| {
            let mut parts = by_quarter_severity(q);
            if any_unrated {
                parts.push(Some(unrated(q, g) as f64));
            }
            let mut cells: Vec<String> = parts.iter().map(|p| format!("{}", p.unwrap_or(0.0) as i64)).collect();
            cells.push(g.count.to_string());
            Column { label: q.clone(), parts, whisker: None, cells, partial: partial(q, ctx.today) }
        })
        .collect();
    let mut count_headers = vec!["Quarter".to_string()];
    count_headers.extend(series.iter().map(|s| s.to_string()));
    count_headers.push("All".into());
    let first_last = match (m.by_quarter.keys().next(), m.by_quarter.keys().next_back()) {
        (Some(a), Some(b)) => format!("from {a} to {b}"),
        _ => "no incidents".into(),
    };
    let mut incidents_chart = charts::columns(
        "chart-incidents-quarter",
        "Incidents per quarter",
        &format!("Number of incidents that started in each quarter, {first_last}, stacked by severity."),
        Unit::Count,
        &series,
        &count_cols,
        count_headers,
    );
    incidents_chart.note = join_notes([incidents_chart.note.take(), off_axis_note(m.off_axis)]);
    let time_trend = |id: &str, title: &str, what: &str, pick: fn(&GroupMetrics) -> &TimeStat| {
        let cols = quarter_columns(m, ctx.today, |g| {
            let s = pick(g);
            let [median, p90] = stat_cells(s);
            (vec![s.median_s.map(|v| v as f64)], s.p90_s.map(|v| v as f64), vec![median, p90, s.n.to_string()])
        });
        let mut chart = charts::columns(
            id,
            title,
            &format!(
                "Median {what} of the incidents that started in each quarter (bar) and its 90th percentile (whisker), {first_last}."
            ),
            Unit::Seconds,
            &[],
            &cols,
            vec!["Quarter".into(), "Median".into(), "p90".into(), "Incidents measured".into()],
        );
        chart.note = join_notes([chart.note.take(), coarse_note(&m.overall.ttr), off_axis_note(m.off_axis)]);
        chart
    };
    let recurrence_cols = quarter_columns(m, ctx.today, |g| {
        let cells = vec![
            g.recurrences.to_string(),
            g.count.to_string(),
            percent(g.recurrence_rate).map_or("—".into(), |p| format!("{p}%")),
        ];
        (vec![g.recurrence_rate], None, cells)
    });
    let mut recurrence_chart = charts::columns(
        "chart-recurrence-quarter",
        "Recurrence rate, by quarter",
        &format!("Share of each quarter's incidents that repeated an earlier failure mechanism, {first_last}."),
        Unit::Share,
        &[],
        &recurrence_cols,
        vec!["Quarter".into(), "Recurrences".into(), "Incidents".into(), "Rate".into()],
    );
    recurrence_chart.note = join_notes([recurrence_chart.note.take(), off_axis_note(m.off_axis)]);
    let trend_charts = vec![
        incidents_chart,
        time_trend("chart-ttr-quarter", "Time to resolve, by quarter", "time from start to resolution", |g| &g.ttr),
        time_trend("chart-ttd-quarter", "Time to detect, by quarter", "time from start to detection", |g| &g.ttd),
        recurrence_chart,
    ];

    // Per-category comparisons, most incidents first.
    let mut cats: Vec<(&String, &GroupMetrics)> = m.by_category.iter().collect();
    cats.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
    let cat_bars =
        |value: fn(&GroupMetrics) -> Option<f64>, cells: &dyn Fn(&GroupMetrics) -> Vec<String>| -> Vec<Bar> {
            cats.iter()
                .map(|(name, g)| Bar {
                    label: (*name).clone(),
                    url: Some(SiteData::category_url(name)),
                    value: value(g),
                    cells: cells(g),
                })
                .collect()
        };
    let ttr_bars = cat_bars(|g| g.ttr.median_s.map(|v| v as f64), &|g| {
        let [median, p90] = stat_cells(&g.ttr);
        vec![median, p90, g.ttr.n.to_string(), g.count.to_string()]
    });
    let mut ttr_chart = charts::bars(
        "chart-ttr-category",
        "Median time to resolve, by category",
        "Median time from start to resolution of each failure category's incidents; categories with the most incidents first.",
        Unit::Seconds,
        &ttr_bars,
        vec!["Category".into(), "Median".into(), "p90".into(), "Measured".into(), "Incidents".into()],
    );
    ttr_chart.note = coarse_note(&m.overall.ttr);
    let recurrence_bars = cat_bars(|g| g.recurrence_rate, &|g| {
        vec![
            g.recurrences.to_string(),
            g.count.to_string(),
            percent(g.recurrence_rate).map_or("—".into(), |p| format!("{p}%")),
        ]
    });
    let completion_bars = cat_bars(|g| g.actions.completion_rate, &|g| {
        vec![
            g.actions.done.to_string(),
            (g.actions.total - g.actions.wont_do).to_string(),
            g.actions.overdue.to_string(),
            percent(g.actions.completion_rate).map_or("—".into(), |p| format!("{p}%")),
        ]
    });
    let category_charts = vec![
        ttr_chart,
        charts::bars(
            "chart-recurrence-category",
            "Recurrence rate, by category",
            "Share of each category's incidents that repeated an earlier failure mechanism, by explicit link or detected similarity.",
            Unit::Share,
            &recurrence_bars,
            vec!["Category".into(), "Recurrences".into(), "Incidents".into(), "Rate".into()],
        ),
        charts::bars(
            "chart-actions-category",
            "Action completion, by category",
            "Share of each category's follow-up actions that are done (won't-do left out).",
            Unit::Share,
            &completion_bars,
            vec!["Category".into(), "Done".into(), "To do in all".into(), "Overdue".into(), "Completion".into()],
        ),
    ];

    let named = |name: &String, g: &GroupMetrics, url: Option<String>| NamedMetrics {
        name: name.clone(),
        url,
        metrics: GroupMetricsView::of(g),
    };
    let mut severity_rows: Vec<NamedMetrics> = m.by_severity.iter().map(|(s, g)| named(s, g, None)).collect();
    severity_rows.sort_by_key(|r| data.severity_rank(Some(&r.name)));
    let mut late: Vec<LateView> = data
        .kb
        .incidents
        .iter()
        .filter_map(|i| {
            let p = metrics::publication(i, ctx.policy, ctx.today).filter(|p| p.late)?;
            Some(LateView { incident: incident_ref(i), days: p.days, limit: p.limit, published: p.published })
        })
        .collect();
    late.sort_by_key(|l| std::cmp::Reverse(l.days));
    MetricsPage {
        overall: GroupMetricsView::of(&m.overall),
        trend_charts,
        category_charts,
        categories: cats.iter().map(|(n, g)| named(n, g, Some(SiteData::category_url(n)))).collect(),
        severities: severity_rows,
        quarters: m.by_quarter.iter().map(|(q, g)| named(q, g, None)).collect(),
        late,
        coarse: data
            .kb
            .incidents
            .iter()
            .filter(|i| i.clock.precision != TimePrecision::Minute)
            .map(incident_ref)
            .collect(),
        off_axis: data.kb.incidents.iter().filter(|i| metrics::off_time_axis(i, ctx.today)).map(incident_ref).collect(),
    }
}

/// What a chart over time leaves out: incidents whose start is outside reason.
fn off_axis_note(n: usize) -> Option<String> {
    const WHY: &str = "(before 1990, or more than a year after the build date)";
    match n {
        0 => None,
        1 => Some(format!("1 incident whose start date is implausible {WHY} is left out of this time axis.")),
        n => Some(format!("{n} incidents whose start dates are implausible {WHY} are left out of this time axis.")),
    }
}

/// Notes side by side, or none.
fn join_notes<const N: usize>(notes: [Option<String>; N]) -> Option<String> {
    let notes: Vec<String> = notes.into_iter().flatten().collect();
    (!notes.is_empty()).then(|| notes.join(" "))
}

fn coarse_note(s: &TimeStat) -> Option<String> {
    match s.coarse {
        0 => None,
        1 => Some("1 incident with a clock coarser than minutes is not in these figures.".into()),
        n => Some(format!("{n} incidents with clocks coarser than minutes are not in these figures.")),
    }
}

/// The metrics block of a category or service page: its figures and its
/// incidents per quarter over the whole knowledge base's range.
#[derive(Debug, Clone, Serialize)]
pub struct GroupMetricsBlock {
    pub metrics: GroupMetricsView,
    pub trend: Chart,
}

pub fn group_block(
    data: &SiteData<'_>,
    site: &Metrics,
    id: &str,
    name: &str,
    incidents: &[&Incident],
) -> GroupMetricsBlock {
    let ctx = data.metrics_context();
    let g = metrics::group(incidents, &ctx);
    let cols: Vec<Column> = site
        .by_quarter
        .keys()
        .map(|q| {
            let n = incidents.iter().filter(|i| metrics::quarter(i, ctx.today).as_deref() == Some(q)).count();
            Column {
                label: q.clone(),
                parts: vec![Some(n as f64)],
                whisker: None,
                cells: vec![n.to_string()],
                partial: partial(q, ctx.today),
            }
        })
        .collect();
    let mut trend = charts::columns(
        &format!("chart-{id}-quarter"),
        &format!("{name}: incidents per quarter"),
        &format!("Number of {name} incidents that started in each quarter of the knowledge base."),
        Unit::Count,
        &[],
        &cols,
        vec!["Quarter".into(), "Incidents".into()],
    );
    trend.note = join_notes([
        trend.note.take(),
        off_axis_note(incidents.iter().filter(|i| metrics::off_time_axis(i, ctx.today)).count()),
    ]);
    GroupMetricsBlock { metrics: GroupMetricsView::of(&g), trend }
}

/// A detected group on `/recurring/`.
#[derive(Debug, Clone, Serialize)]
pub struct DetectedView {
    pub members: Vec<DetectedMember>,
    pub count: usize,
    pub first: Option<String>,
    pub last: Option<String>,
    pub categories: Vec<String>,
    /// Words the members' links matched on, most frequent first.
    pub terms: Vec<String>,
    pub guardrails: Vec<GuardrailView>,
    /// The `recurrence_of` line to add to each later member no chain links yet, if it is the same failure.
    pub suggestion: Option<String>,
    /// Those members.
    pub unlinked: Vec<IncidentRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DetectedMember {
    pub incident: IncidentRef,
    /// Its best score within the group.
    pub percent: u32,
    /// The first member of the explicit chain it already belongs to, if any (not itself).
    pub in_chain_of: Option<IncidentRef>,
    /// It is the first occurrence of an explicit chain.
    pub chain_root: bool,
}

pub fn detected_views(data: &SiteData<'_>, groups: &[Chain]) -> Vec<DetectedView> {
    groups
        .iter()
        .map(|g| {
            let incidents: Vec<&Incident> = g.members.iter().filter_map(|id| data.get(id)).collect();
            let mut term_counts: Vec<(String, usize)> = Vec::new();
            let members = incidents
                .iter()
                .map(|inc| {
                    let links: Vec<_> =
                        data.similarity.listed(&inc.id).iter().filter(|l| g.members.contains(&l.id)).collect();
                    for t in links.iter().flat_map(|l| &l.reasons.terms) {
                        match term_counts.iter_mut().find(|(w, _)| w == t) {
                            Some(entry) => entry.1 += 1,
                            None => term_counts.push((t.clone(), 1)),
                        }
                    }
                    let best = links.iter().map(|l| l.score).fold(0.0, f64::max);
                    DetectedMember {
                        incident: incident_ref(inc),
                        percent: (best * 100.0).round() as u32,
                        in_chain_of: data
                            .chain(&inc.id)
                            .filter(|c| c.root != inc.id)
                            .and_then(|c| data.reference(&c.root)),
                        chain_root: data.chain(&inc.id).is_some_and(|c| c.root == inc.id),
                    }
                })
                .collect::<Vec<_>>();
            term_counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let mut categories: Vec<String> = incidents.iter().flat_map(|i| i.categories.iter().cloned()).collect();
            categories.sort();
            categories.dedup();
            let unlinked_later: Vec<&&Incident> =
                incidents.iter().skip(1).filter(|i| data.chain(&i.id).is_none_or(|c| c.root != g.root)).collect();
            let suggestion = (!unlinked_later.is_empty()).then(|| format!("recurrence_of = [\"{}\"]", g.root));
            let unlinked = unlinked_later.iter().map(|i| incident_ref(i)).collect();
            DetectedView {
                count: members.len(),
                first: members.first().and_then(|m| m.incident.started.clone()),
                last: members.last().and_then(|m| m.incident.started.clone()),
                members,
                categories,
                terms: term_counts.into_iter().take(8).map(|(t, _)| t).collect(),
                guardrails: incidents.iter().flat_map(|i| data.guardrail_views(i)).collect(),
                suggestion,
                unlinked,
            }
        })
        .collect()
}

/// How many detected groups `/recurring/` shows: the most recent ones.
pub const DETECTED_SHOWN: usize = 100;

/// The detected groups `/recurring/` shows, most recent last occurrence first.
#[derive(Debug, Clone, Serialize)]
pub struct DetectedPage {
    pub groups: Vec<DetectedView>,
    /// How many groups there are in all.
    pub total: usize,
}

pub fn detected_page(data: &SiteData<'_>) -> DetectedPage {
    let mut groups = analyze::detected_groups(data.kb, data.similarity, &data.chains);
    let total = groups.len();
    // Members are in start order: the last one is the latest occurrence.
    let last = |g: &Chain| g.members.last().and_then(|id| data.get(id)).and_then(|i| i.clock.started);
    groups.sort_by_key(|g| std::cmp::Reverse(last(g)));
    groups.truncate(DETECTED_SHOWN);
    DetectedPage { groups: detected_views(data, &groups), total }
}

/// An incident's phases: detect, mitigate, resolve. A failure that healed
/// before anyone noticed it runs impact (start to mitigation), then the time
/// until it was noticed, then what was left to resolve after detection.
pub fn phases_chart(inc: &Incident) -> Option<Chart> {
    let c = &inc.clock;
    let span = |a: Option<chrono::DateTime<chrono::FixedOffset>>, b: Option<chrono::DateTime<chrono::FixedOffset>>| {
        Some(b? - a?)
    };
    let phases = match c.healed_before_noticed() {
        Some(unnoticed) => [
            ("impact", span(c.started, c.impact_ended())),
            ("noticed after", Some(unnoticed)),
            // Resolution after detection, when there was any left to do.
            ("resolve", c.mitigated.and(span(c.detected, c.resolved)).filter(|d| *d > TimeDelta::zero())),
        ],
        None => {
            // A missing mitigation folds into the resolve phase.
            let resolve_from = c.mitigated.or(c.detected);
            [
                ("detect", span(c.started, c.detected)),
                ("mitigate", span(c.detected, c.mitigated)),
                ("resolve", span(resolve_from, c.resolved)),
            ]
        }
    };
    charts::phases(
        &format!("chart-phases-{}", crate::model::slugify(&inc.id)),
        "Incident phases",
        &phases,
        c.precision != TimePrecision::Minute,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(started: &str, detected: &str, mitigated: Option<&str>, resolved: &str) -> Incident {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
        let mut inc = crate::analyze::tests::incident("healed", started);
        inc.clock.detected = at(detected);
        inc.clock.mitigated = mitigated.and_then(at);
        inc.clock.resolved = at(resolved);
        inc
    }

    #[test]
    fn phases_of_a_failure_that_healed_before_it_was_noticed() {
        // Impact 30m, noticed 25m after it ended, resolved 35m after that.
        let inc =
            clock("2025-03-14T09:00:00Z", "2025-03-14T09:55:00Z", Some("2025-03-14T09:30:00Z"), "2025-03-14T10:30:00Z");
        let chart = phases_chart(&inc).map(|c| c.description);
        assert_eq!(chart.as_deref(), Some("impact 30m, noticed after 25m, resolve 35m; 1h 30m from start to end"));
        // Detected after resolution, without a mitigation time: impact ran to resolution.
        let inc = clock("2025-03-14T09:00:00Z", "2025-03-14T11:00:00Z", None, "2025-03-14T10:30:00Z");
        let chart = phases_chart(&inc).map(|c| c.description);
        assert_eq!(chart.as_deref(), Some("impact 1h 30m, noticed after 30m; 2h from start to end"));
        // The usual order is unchanged.
        let inc =
            clock("2025-03-14T09:00:00Z", "2025-03-14T09:10:00Z", Some("2025-03-14T09:30:00Z"), "2025-03-14T10:30:00Z");
        let chart = phases_chart(&inc).map(|c| c.description);
        assert_eq!(chart.as_deref(), Some("detect 10m, mitigate 20m, resolve 1h; 1h 30m from start to end"));
    }
}
