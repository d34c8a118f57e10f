//! The learning metrics: how fast incidents are detected, mitigated and
//! resolved, how often failures come back, whether actions get done and
//! postmortems get written on time — overall and by category, service,
//! severity and quarter.
//!
//! Conventions (also in `docs/metrics.md`):
//! - time to detect = detected − started, to mitigate = mitigated − started,
//!   to resolve = resolved − started, in seconds. A failure that healed
//!   before anyone noticed it (detected after mitigated or resolved) keeps
//!   time to detect = detected − started: it is how long the failure went
//!   unnoticed, and so longer than its time to mitigate;
//! - the median of an even count is the mean of the two middle values
//!   (rounded down to the second); p90 is the nearest-rank 90th percentile
//!   (the ⌈0.9·n⌉-th smallest), so it is always a value that occurred;
//! - an incident whose `time_precision` is coarser than minutes is **not**
//!   mixed into the figures: it is counted in `coarse` next to them, and an
//!   incident missing either timestamp is counted in `missing`;
//! - a timestamp outside reason (before 1990-01-01 or more than a year after
//!   the build date, see [`crate::model::is_plausible_day`]) is not measured:
//!   a duration with such an end counts as missing, and an incident that
//!   starts outside reason is in no quarter (`off_axis` counts it), so one
//!   typo in a year cannot stretch a trend over centuries;
//! - an incident is a recurrence when an earlier incident has the same
//!   mechanism: it names one in `recurrence_of`, follows one in its chain, or
//!   was detected as similar to one that started before it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Utc};
use serde::Serialize;

use super::Chain;
use super::similar::Similarity;
use crate::config::Policy;
use crate::model::{ActionStatus, Clock, Incident, TimePrecision, is_plausible_day, slugify};

/// Median and 90th percentile of one duration over a group of incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TimeStat {
    pub median_s: Option<i64>,
    pub p90_s: Option<i64>,
    /// How many incidents the figures are computed from.
    pub n: usize,
    /// Incidents left out because their clock is coarser than minutes.
    pub coarse: usize,
    /// Incidents left out because a timestamp is missing, or outside reason
    /// (before 1990, or more than a year after the build date).
    pub missing: usize,
}

/// The median of sorted values: the mean of the middle two for an even count.
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]).div_euclid(2)),
    }
}

/// A share (0–1) as a whole percentage, halves rounded up: the one rounding
/// every page, chart and `casebook report` writes a rate with, so 1 of 8 is
/// 13% everywhere.
pub fn percent(share: Option<f64>) -> Option<u32> {
    share.filter(|s| s.is_finite()).map(|s| (s * 100.0).round().max(0.0) as u32)
}

/// The nearest-rank percentile `p` (0–100] of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

impl TimeStat {
    /// Figures over `samples`: each the duration (if both timestamps exist)
    /// and the clock's precision.
    pub fn of(samples: impl IntoIterator<Item = (Option<TimeDelta>, TimePrecision)>) -> TimeStat {
        let mut values = Vec::new();
        let (mut coarse, mut missing) = (0, 0);
        for (delta, precision) in samples {
            match delta {
                None => missing += 1,
                Some(_) if precision != TimePrecision::Minute => coarse += 1,
                Some(d) => values.push(d.num_seconds()),
            }
        }
        values.sort_unstable();
        TimeStat { median_s: median(&values), p90_s: percentile(&values, 90.0), n: values.len(), coarse, missing }
    }
}

/// Action items by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ActionTally {
    pub total: usize,
    pub done: usize,
    pub open: usize,
    pub overdue: usize,
    pub wont_do: usize,
    /// done ÷ (total − won't do); None when nothing is to be done.
    pub completion_rate: Option<f64>,
}

/// Postmortems against the publication policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PostmortemTally {
    /// Incidents the policy gives a publication deadline.
    pub with_deadline: usize,
    /// Published after the deadline, or still unpublished past it.
    pub late: usize,
}

/// The metrics of one group of incidents.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupMetrics {
    pub count: usize,
    pub ttd: TimeStat,
    pub ttm: TimeStat,
    pub ttr: TimeStat,
    pub recurrences: usize,
    /// recurrences ÷ count; None for an empty group.
    pub recurrence_rate: Option<f64>,
    pub actions: ActionTally,
    pub postmortems: PostmortemTally,
}

/// Every group's metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub overall: GroupMetrics,
    pub by_category: BTreeMap<String, GroupMetrics>,
    /// Keyed by the service name as first written.
    pub by_service: BTreeMap<String, GroupMetrics>,
    pub by_severity: BTreeMap<String, GroupMetrics>,
    /// "2025-Q3"; every quarter from the first incident's to the last's, empty ones included.
    pub by_quarter: BTreeMap<String, GroupMetrics>,
    /// Incidents in no quarter because their start is outside reason (see
    /// [`on_time_axis`]); undated incidents are not counted here.
    pub off_axis: usize,
}

/// What the figures are judged against.
pub struct Context<'a> {
    pub policy: &'a Policy,
    /// The day overdue actions and late postmortems are counted on.
    pub today: NaiveDate,
    /// Ids of the incidents that are recurrences (see [`recurrences`]).
    pub recurrences: &'a BTreeSet<String>,
}

/// How late a postmortem is against the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Publication {
    /// Days from resolution to publication (or to `today`, while unpublished).
    pub days: i64,
    /// The policy's limit for the incident's severity.
    pub limit: u32,
    pub published: bool,
    pub late: bool,
}

/// The incident's publication against the policy, when the policy sets a
/// deadline for its severity and the incident is resolved.
pub fn publication(inc: &Incident, policy: &Policy, today: NaiveDate) -> Option<Publication> {
    let limit = *policy.publish_within_days.get(inc.severity.as_deref()?)?;
    let resolved = inc.clock.resolved?.date_naive();
    let (days, published) = match inc.published {
        Some(day) => ((day - resolved).num_days(), true),
        None => ((today - resolved).num_days(), false),
    };
    Some(Publication { days, limit, published, late: days > i64::from(limit) })
}

/// Whether a timestamp is within reason as of `today` (on the day written).
fn plausible(at: DateTime<FixedOffset>, today: NaiveDate) -> bool {
    is_plausible_day(at.date_naive(), today)
}

/// Whether the incident has a place on a time axis as of `today`: it has a
/// start, and the start is within reason.
pub fn on_time_axis(inc: &Incident, today: NaiveDate) -> bool {
    inc.clock.started.is_some_and(|s| plausible(s, today))
}

/// Whether the incident started, but outside reason: left out of the time axis.
pub fn off_time_axis(inc: &Incident, today: NaiveDate) -> bool {
    inc.clock.started.is_some() && !on_time_axis(inc, today)
}

/// The calendar quarter an incident started in (UTC), as "2025-Q3"; `None`
/// when it has no start, or a start outside reason as of `today`.
pub fn quarter(inc: &Incident, today: NaiveDate) -> Option<String> {
    let started = inc.clock.started.filter(|s| plausible(*s, today))?;
    Some(quarter_of(started.with_timezone(&Utc).date_naive()))
}

fn quarter_of(day: NaiveDate) -> String {
    Quarter::of(day).to_string()
}

/// A calendar quarter: the period of each point of the charts over time,
/// and of each review page. Written "2025-Q3" (the keys of
/// [`Metrics::by_quarter`]); its URL slug is "2025-q3".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub number: u32,
}

impl Quarter {
    /// The quarter `day` is in.
    pub fn of(day: NaiveDate) -> Quarter {
        Quarter { year: day.year(), number: day.month0() / 3 + 1 }
    }

    /// "2025-Q3" (as written by [`Quarter`]'s `Display`), or `None`.
    pub fn parse(key: &str) -> Option<Quarter> {
        let (year, number) = key.split_once("-Q")?;
        let quarter = Quarter { year: year.parse().ok()?, number: number.parse().ok()? };
        quarter.first_day().map(|_| quarter)
    }

    /// Its first day; `None` at the ends of the calendar (or for a number outside 1–4).
    pub fn first_day(self) -> Option<NaiveDate> {
        if !(1..=4).contains(&self.number) {
            return None;
        }
        NaiveDate::from_ymd_opt(self.year, (self.number - 1) * 3 + 1, 1)
    }

    /// Its last day.
    pub fn last_day(self) -> Option<NaiveDate> {
        self.first_day()?.checked_add_months(chrono::Months::new(3))?.pred_opt()
    }

    /// How many days it has (90 to 92).
    pub fn days(self) -> Option<i64> {
        Some((self.last_day()? - self.first_day()?).num_days() + 1)
    }

    /// How much of it had passed on `today`, when `today` is before its last
    /// day: the quarter is not over, and its figures are partial.
    pub fn elapsed(self, today: NaiveDate) -> Option<Elapsed> {
        let (first, last) = (self.first_day()?, self.last_day()?);
        (today < last).then(|| Elapsed {
            to: today,
            days: ((today - first).num_days() + 1).clamp(0, self.days().unwrap_or(0)),
            of: self.days().unwrap_or(0),
        })
    }

    /// "2025-q3": the quarter in a URL.
    pub fn slug(self) -> String {
        format!("{}-q{}", self.year, self.number)
    }

    /// "2025 Q3": the quarter in a heading.
    pub fn label(self) -> String {
        format!("{} Q{}", self.year, self.number)
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

/// How much of an unfinished quarter had passed on the build date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Elapsed {
    /// The build date: the figures run to it.
    pub to: NaiveDate,
    /// Days of the quarter up to and including `to` (0 for a quarter that has not begun).
    pub days: i64,
    /// Days in the whole quarter.
    pub of: i64,
}

/// The incidents that are recurrences of an earlier one, by explicit link,
/// chain, or detected similarity to an incident that started before them.
pub fn recurrences<'k>(
    incidents: &[&'k Incident],
    chains: &[Chain],
    similarity: &Similarity,
    get: impl Fn(&str) -> Option<&'k Incident>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for chain in chains {
        out.extend(chain.members.iter().skip(1).cloned());
    }
    for inc in incidents {
        let started = inc.clock.started;
        let earlier = |id: &str| get(id).is_some_and(|o| o.clock.started.is_some() && o.clock.started < started);
        if inc.recurrence_of.iter().any(|id| get(id).is_some())
            || (started.is_some() && similarity.likely(&inc.id).any(|l| earlier(&l.id)))
        {
            out.insert(inc.id.clone());
        }
    }
    out
}

/// The metrics of one group.
pub fn group(incidents: &[&Incident], ctx: &Context<'_>) -> GroupMetrics {
    // A duration with an end outside reason is not measured: it counts as missing.
    let clock = |f: fn(&Clock) -> Option<TimeDelta>, end: fn(&Clock) -> Option<DateTime<FixedOffset>>| {
        TimeStat::of(incidents.iter().map(|i| {
            let c = &i.clock;
            let within = [c.started, end(c)].into_iter().flatten().all(|at| plausible(at, ctx.today));
            (f(c).filter(|_| within), c.precision)
        }))
    };
    let mut actions = ActionTally::default();
    for a in incidents.iter().flat_map(|i| &i.actions) {
        actions.total += 1;
        match a.status {
            ActionStatus::Done => actions.done += 1,
            ActionStatus::WontDo => actions.wont_do += 1,
            _ => actions.open += 1,
        }
        if a.is_overdue(ctx.today) {
            actions.overdue += 1;
        }
    }
    let to_do = actions.total - actions.wont_do;
    actions.completion_rate = (to_do > 0).then(|| actions.done as f64 / to_do as f64);
    let mut postmortems = PostmortemTally::default();
    for p in incidents.iter().filter_map(|i| publication(i, ctx.policy, ctx.today)) {
        postmortems.with_deadline += 1;
        postmortems.late += usize::from(p.late);
    }
    let recurrences = incidents.iter().filter(|i| ctx.recurrences.contains(&i.id)).count();
    GroupMetrics {
        count: incidents.len(),
        ttd: clock(Clock::time_to_detect, |c| c.detected),
        ttm: clock(Clock::time_to_mitigate, |c| c.mitigated),
        ttr: clock(Clock::time_to_resolve, |c| c.resolved),
        recurrences,
        recurrence_rate: (!incidents.is_empty()).then(|| recurrences as f64 / incidents.len() as f64),
        actions,
        postmortems,
    }
}

/// Every group's metrics over `incidents`.
pub fn compute(incidents: &[&Incident], ctx: &Context<'_>) -> Metrics {
    let mut by_category: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
    let mut by_service: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
    let mut service_names: HashMap<String, String> = HashMap::new();
    let mut by_severity: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
    let mut by_quarter: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
    for &inc in incidents {
        for c in &inc.categories {
            by_category.entry(c.clone()).or_default().push(inc);
        }
        for s in &inc.services {
            let name = service_names.entry(slugify(s)).or_insert_with(|| s.clone()).clone();
            by_service.entry(name).or_default().push(inc);
        }
        if let Some(s) = &inc.severity {
            by_severity.entry(s.clone()).or_default().push(inc);
        }
        if let Some(q) = quarter(inc, ctx.today) {
            by_quarter.entry(q).or_default().push(inc);
        }
    }
    // Fill the quarters nobody had an incident in: a trend needs its gaps.
    let days: Vec<NaiveDate> = incidents
        .iter()
        .filter(|i| on_time_axis(i, ctx.today))
        .filter_map(|i| i.clock.started)
        .map(|s| s.with_timezone(&Utc).date_naive())
        .collect();
    if let (Some(first), Some(last)) = (days.iter().min(), days.iter().max()) {
        let mut day = NaiveDate::from_ymd_opt(first.year(), first.month0() / 3 * 3 + 1, 1).unwrap_or(*first);
        while day <= *last {
            by_quarter.entry(quarter_of(day)).or_default();
            day = day.checked_add_months(chrono::Months::new(3)).unwrap_or(*last + TimeDelta::days(1));
        }
    }
    let groups = |m: BTreeMap<String, Vec<&Incident>>| m.into_iter().map(|(k, v)| (k, group(&v, ctx))).collect();
    Metrics {
        overall: group(incidents, ctx),
        by_category: groups(by_category),
        by_service: groups(by_service),
        by_severity: groups(by_severity),
        by_quarter: groups(by_quarter),
        off_axis: incidents.iter().filter(|i| off_time_axis(i, ctx.today)).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::tests::incident;
    use crate::model::{Action, ActionStatus};

    #[test]
    fn quarters_have_their_days_and_know_when_they_are_over() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let q = Quarter::of(day(2026, 11, 27));
        assert_eq!((q.to_string(), q.slug(), q.label()), ("2026-Q4".into(), "2026-q4".into(), "2026 Q4".into()));
        assert_eq!(Quarter::parse("2026-Q4"), Some(q));
        assert_eq!(Quarter::parse("2026-Q5"), None);
        assert_eq!(Quarter::parse("2026-q4"), None);
        assert_eq!(
            (q.first_day(), q.last_day(), q.days()),
            (Some(day(2026, 10, 1)), Some(day(2026, 12, 31)), Some(92))
        );
        assert_eq!(Quarter::of(day(2024, 2, 29)).days(), Some(91), "a leap year's first quarter");
        assert_eq!(q.elapsed(day(2026, 11, 27)), Some(Elapsed { to: day(2026, 11, 27), days: 58, of: 92 }));
        assert_eq!(q.elapsed(day(2026, 10, 1)).map(|e| e.days), Some(1));
        assert_eq!(q.elapsed(day(2026, 12, 31)), None, "over on its last day");
        assert_eq!(q.elapsed(day(2027, 1, 5)), None);
        assert_eq!(q.elapsed(day(2026, 9, 1)).map(|e| e.days), Some(0), "not begun");
    }

    #[test]
    fn median_and_p90_with_small_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(percentile(&[], 90.0), None);
        assert_eq!(median(&[7]), Some(7));
        assert_eq!(percentile(&[7], 90.0), Some(7));
        assert_eq!(median(&[1, 4]), Some(2), "even count: mean of the middle two, rounded down");
        assert_eq!(percentile(&[1, 4], 90.0), Some(4));
        assert_eq!(median(&[1, 2, 10]), Some(2));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 90.0), Some(9), "nearest rank: the 9th of 10");
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(percentile(&eleven, 90.0), Some(10), "ceil(9.9) = 10th");
        assert_eq!(median(&[-3, -1]), Some(-2));
    }

    #[test]
    fn percentages_round_halves_up_the_same_everywhere() {
        assert_eq!(percent(Some(1.0 / 8.0)), Some(13), "12.5% is 13%, not the 12 of round-half-even");
        assert_eq!(percent(Some(180.0 / 201.0)), Some(90), "not truncated to 89");
        assert_eq!(percent(Some(0.0)), Some(0));
        assert_eq!(percent(None), None);
        assert_eq!(percent(Some(f64::NAN)), None);
    }

    fn timed(id: &str, start: &str, detected_min: i64, resolved_min: Option<i64>, p: TimePrecision) -> Incident {
        let mut inc = incident(id, start);
        let s = inc.clock.started;
        inc.clock.detected = s.map(|s| s + TimeDelta::minutes(detected_min));
        inc.clock.resolved = resolved_min.and_then(|m| s.map(|s| s + TimeDelta::minutes(m)));
        inc.clock.precision = p;
        inc
    }

    #[test]
    fn coarse_and_missing_clocks_are_counted_not_mixed_in() {
        let a = timed("a", "2025-01-10T00:00:00Z", 10, Some(60), TimePrecision::Minute);
        let b = timed("b", "2025-02-10T00:00:00Z", 20, Some(180), TimePrecision::Minute);
        let c = timed("c", "2025-03-10T00:00:00Z", 600, Some(6000), TimePrecision::Day);
        let d = timed("d", "2025-08-10T00:00:00Z", 30, None, TimePrecision::Minute);
        let recurrences = BTreeSet::from(["b".to_string()]);
        let policy = crate::config::Config::default().policy;
        let today = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or_default();
        let ctx = Context { policy: &policy, today, recurrences: &recurrences };
        let m = compute(&[&a, &b, &c, &d], &ctx);
        let ttd = &m.overall.ttd;
        assert_eq!((ttd.n, ttd.coarse, ttd.missing), (3, 1, 0));
        assert_eq!(ttd.median_s, Some(20 * 60));
        assert_eq!(ttd.p90_s, Some(30 * 60));
        let ttr = &m.overall.ttr;
        assert_eq!((ttr.n, ttr.coarse, ttr.missing), (2, 1, 1));
        assert_eq!(ttr.median_s, Some(120 * 60));
        assert_eq!(m.overall.ttm.missing, 4);
        assert_eq!(m.overall.recurrences, 1);
        assert_eq!(m.overall.recurrence_rate, Some(0.25));
        // Q1 and Q3 had incidents; Q2 is there, empty, so a trend shows the gap.
        let quarters: Vec<(&str, usize)> = m.by_quarter.iter().map(|(q, g)| (q.as_str(), g.count)).collect();
        assert_eq!(quarters, [("2025-Q1", 3), ("2025-Q2", 0), ("2025-Q3", 1)]);
        assert_eq!(m.by_quarter["2025-Q2"].recurrence_rate, None);
    }

    #[test]
    fn an_incident_dated_outside_reason_is_off_the_time_axis_and_not_measured() {
        let a = timed("a", "2025-01-10T00:00:00Z", 10, Some(60), TimePrecision::Minute);
        let b = timed("b", "2025-08-10T00:00:00Z", 30, Some(90), TimePrecision::Minute);
        // A typo in a year: 1025 for 2025, resolved on the right day.
        let mut typo = timed("typo", "1025-03-10T00:00:00Z", 10, None, TimePrecision::Minute);
        typo.clock.resolved = chrono::DateTime::parse_from_rfc3339("2025-03-10T02:00:00Z").ok();
        // And one far in the future.
        let future = timed("future", "2205-03-10T00:00:00Z", 10, Some(60), TimePrecision::Minute);
        let none = BTreeSet::new();
        let policy = crate::config::Config::default().policy;
        let today = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or_default();
        let ctx = Context { policy: &policy, today, recurrences: &none };
        let m = compute(&[&typo, &a, &b, &future], &ctx);
        let quarters: Vec<&str> = m.by_quarter.keys().map(String::as_str).collect();
        assert_eq!(quarters, ["2025-Q1", "2025-Q2", "2025-Q3"], "no centuries of empty quarters");
        assert_eq!(m.off_axis, 2);
        assert_eq!(m.overall.count, 4, "still counted as incidents");
        let (ttd, ttr) = (&m.overall.ttd, &m.overall.ttr);
        assert_eq!((ttd.n, ttd.missing, ttd.p90_s), (2, 2, Some(30 * 60)));
        assert_eq!((ttr.n, ttr.missing, ttr.p90_s), (2, 2, Some(90 * 60)), "not a thousand years to resolve");
        assert_eq!(quarter(&typo, today), None);
        assert_eq!(quarter(&a, today).as_deref(), Some("2025-Q1"));
    }

    #[test]
    fn actions_and_late_postmortems_against_the_policy() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let mut a = timed("a", "2025-01-10T00:00:00Z", 10, Some(60), TimePrecision::Minute);
        a.severity = Some("SEV1".into());
        a.published = Some(day("2025-01-20"));
        let mut b = timed("b", "2025-02-10T00:00:00Z", 10, Some(60), TimePrecision::Minute);
        b.severity = Some("SEV2".into());
        b.published = Some(day("2025-02-12"));
        let action = |status, due: &str| Action {
            id: "A".into(),
            summary: "s".into(),
            kind: None,
            owner: None,
            due: Some(day(due)),
            status,
            completed: None,
            finding: None,
            guardrail: None,
            metric: None,
            tracker: None,
        };
        a.actions = vec![
            action(ActionStatus::Done, "2025-02-01"),
            action(ActionStatus::Open, "2025-02-01"),
            action(ActionStatus::Open, "2026-02-01"),
            action(ActionStatus::WontDo, "2025-02-01"),
        ];
        let policy = crate::config::Config::default().policy;
        let none = BTreeSet::new();
        let ctx = Context { policy: &policy, today: day("2025-06-01"), recurrences: &none };
        let g = group(&[&a, &b], &ctx);
        assert_eq!((g.actions.total, g.actions.done, g.actions.open, g.actions.overdue), (4, 1, 2, 1));
        assert_eq!(g.actions.completion_rate, Some(1.0 / 3.0));
        assert_eq!(g.postmortems, PostmortemTally { with_deadline: 2, late: 1 });
        assert_eq!(
            publication(&a, &policy, ctx.today),
            Some(Publication { days: 10, limit: 3, published: true, late: true })
        );
    }

    #[test]
    fn recurrences_need_an_earlier_incident() {
        let a = incident("a", "2025-01-01T00:00:00Z");
        let b = incident("b", "2025-06-01T00:00:00Z");
        let kb = crate::model::KnowledgeBase { incidents: vec![a.clone(), b.clone()] };
        let sim = crate::analyze::similar::Similarity {
            threshold: 0.0,
            recurrence_threshold: 0.0,
            max_listed: 5,
            links: BTreeMap::from([("a".to_string(), vec![link("b")]), ("b".to_string(), vec![link("a")])]),
        };
        let found = recurrences(&[&a, &b], &[], &sim, |id| kb.get(id));
        assert_eq!(found, BTreeSet::from(["b".to_string()]), "only the later one recurs");
    }

    fn link(id: &str) -> crate::analyze::similar::SimilarLink {
        crate::analyze::similar::SimilarLink {
            id: id.into(),
            score: 0.5,
            text_score: 0.5,
            reasons: crate::analyze::similar::Reasons {
                categories: vec![],
                services: vec![],
                terms: vec![],
                mention: None,
            },
        }
    }
}
