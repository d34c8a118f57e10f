//! The view structs templates see.
//!
//! Templates never see the model: these structs are the documented template
//! context (docs/templates.md), so the model can change without breaking a
//! team's template overrides. Everything a template shows is prepared here:
//! display strings for dates and durations, URLs relative to the site root,
//! overdue flags as of the build date, back-links and guardrail outcomes.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
use serde::Serialize;

use crate::analyze::similar::Similarity;
use crate::analyze::{self, Analysis, GuardrailOutcome, Relations};
use crate::config::Config;
use crate::model::{
    Action, Environment, FindingKind, GuardrailStatus, Incident, KnowledgeBase, TimePrecision, slugify,
};

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
    pub status: &'static str,
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
            status: inc.status.as_str(),
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

// ---------------------------------------------------------------- incident page

#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    #[serde(flatten)]
    pub row: IncidentRow,
    pub brief_url: String,
    pub people: PeopleView,
    pub clock: Vec<ClockRow>,
    pub durations: Vec<DurationRow>,
    pub precision: &'static str,
    pub coarse_clock: bool,
    pub reviewed: Option<String>,
    pub published: Option<String>,
    pub tags: Vec<String>,
    pub customer_impact: Option<ImpactView>,
    pub detection: Option<DetectionView>,
    pub environment: Vec<LabelValue>,
    pub timeline: Vec<TimelineView>,
    pub findings: Vec<FindingView>,
    pub barriers: Vec<BarrierView>,
    pub remedies: Vec<RemedyView>,
    pub guardrails: Vec<GuardrailView>,
    pub actions: Vec<ActionView>,
    pub no_actions_reason: Option<String>,
    pub lessons: LessonsView,
    pub body_html: String,
    pub recurrence_of: Vec<IncidentRef>,
    pub recurred_as: Vec<IncidentRef>,
    pub related: Vec<RelatedView>,
    pub related_from: Vec<RelatedView>,
    pub chain: Option<ChainView>,
    /// Detected similar incidents, best first, with why.
    pub similar: Vec<SimilarView>,
    /// Detect, mitigate and resolve on one axis.
    pub phases: Option<super::charts::Chart>,
    pub action_counts: ActionCounts,
    pub root_cause: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeopleView {
    pub owner: Option<String>,
    pub authors: Vec<String>,
    pub reviewers: Vec<String>,
    pub facilitator: Option<String>,
    pub participants: Vec<LabelValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabelValue {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClockRow {
    pub label: &'static str,
    pub text: String,
    pub iso: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DurationRow {
    pub label: &'static str,
    pub abbr: &'static str,
    pub value: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImpactView {
    pub summary: Option<String>,
    pub users_affected: Option<String>,
    pub revenue_impact: Option<String>,
    pub slo_budget_burned: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DetectionView {
    pub method: Option<&'static str>,
    pub signal: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineView {
    pub at: String,
    pub iso: String,
    /// Time since the incident started: "T+12m".
    pub offset: Option<String>,
    pub event: String,
    pub actor: Option<String>,
    /// Which clock milestone this entry coincides with, if any.
    pub milestone: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub id: String,
    pub anchor: String,
    pub kind: Option<&'static str>,
    pub class: Option<&'static str>,
    pub summary: String,
    pub evidence: Option<String>,
    pub whys: Vec<String>,
    pub counterfactual: Option<String>,
    /// Guardrails and actions that answer this finding.
    pub addressed_by: Vec<LabelValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BarrierView {
    pub summary: String,
    pub held: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemedyView {
    pub summary: String,
    pub symptom: Option<String>,
    pub steps: Vec<String>,
    pub worked: bool,
    pub incident: IncidentRef,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuardrailView {
    pub id: String,
    pub anchor: String,
    pub summary: String,
    pub control: Option<&'static str>,
    pub addresses: Vec<String>,
    pub would_have: Option<String>,
    pub status: &'static str,
    pub implemented: Option<String>,
    pub outcome: OutcomeView,
    pub incident: IncidentRef,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeView {
    /// "held", "recurred", "proposed" or "undated".
    pub state: &'static str,
    pub text: String,
    pub recurred_in: Vec<IncidentRef>,
    /// Detected similar incidents since the date (not linked by a person).
    pub likely_in: Vec<IncidentRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub id: String,
    pub anchor: String,
    pub summary: String,
    pub kind: Option<&'static str>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub status: &'static str,
    pub overdue: bool,
    pub days_overdue: Option<i64>,
    pub completed: Option<String>,
    pub finding: Option<LabelValue>,
    pub guardrail: Option<String>,
    pub metric: Option<String>,
    pub tracker: Option<String>,
    pub incident: IncidentRef,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ActionCounts {
    pub total: usize,
    pub open: usize,
    pub overdue: usize,
    pub done: usize,
    pub wont_do: usize,
}

impl ActionCounts {
    pub fn of<'x>(actions: impl Iterator<Item = &'x ActionView>) -> Self {
        let mut c = ActionCounts::default();
        for a in actions {
            c.add(a.status, a.overdue);
        }
        c
    }

    /// Count one action by its status and whether it is overdue.
    pub fn add(&mut self, status: &str, overdue: bool) {
        self.total += 1;
        match status {
            "done" => self.done += 1,
            "wont-do" => self.wont_do += 1,
            _ => self.open += 1,
        }
        if overdue {
            self.overdue += 1;
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonsView {
    pub went_well: Vec<String>,
    pub went_wrong: Vec<String>,
    pub got_lucky: Vec<String>,
    pub any: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedView {
    pub incident: IncidentRef,
    pub relation: &'static str,
    pub note: Option<String>,
}

/// A detected similar incident, as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarView {
    pub incident: IncidentRef,
    pub score: f64,
    /// The score as a whole percentage, for display.
    pub percent: u32,
    pub categories: Vec<NamedLink>,
    pub services: Vec<NamedLink>,
    pub terms: Vec<String>,
    /// "earlier" or "later" than this incident.
    pub when: &'static str,
    /// How a person already linked the two ("recurrence", "related"), if they did.
    pub linked: Option<&'static str>,
    /// Strong enough to count as a likely recurrence.
    pub likely: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainView {
    pub members: Vec<IncidentRef>,
    pub position: usize,
    pub count: usize,
}

impl SiteData<'_> {
    pub fn action_view(&self, inc: &Incident, a: &Action) -> ActionView {
        let overdue = a.is_overdue(self.today);
        ActionView {
            id: a.id.clone(),
            anchor: format!("action-{}", a.id),
            summary: a.summary.clone(),
            kind: a.kind.map(|k| k.as_str()),
            owner: a.owner.clone(),
            due: a.due.map(date_text),
            status: a.status.as_str(),
            overdue,
            days_overdue: overdue.then(|| a.due.map(|d| (self.today - d).num_days())).flatten(),
            completed: a.completed.map(date_text),
            finding: a.finding.as_ref().map(|f| LabelValue {
                label: f.clone(),
                value: inc.findings.iter().find(|x| &x.id == f).map(|x| x.summary.clone()).unwrap_or_default(),
            }),
            guardrail: a.guardrail.clone(),
            metric: a.metric.clone(),
            tracker: a.tracker.clone(),
            incident: incident_ref(inc),
        }
    }

    pub fn guardrail_views(&self, inc: &Incident) -> Vec<GuardrailView> {
        let similar = self.similar_ids(&inc.id);
        let outcomes = analyze::guardrail_outcomes(inc, self.chain(&inc.id), &similar, |id| self.get(id));
        inc.guardrails
            .iter()
            .zip(outcomes)
            .map(|(g, outcome)| GuardrailView {
                id: g.id.clone(),
                anchor: format!("guardrail-{}", g.id),
                summary: g.summary.clone(),
                control: g.control.map(|c| c.as_str()),
                addresses: g.addresses.clone(),
                would_have: g.would_have.clone(),
                status: g.status.as_str(),
                implemented: g.implemented.map(date_text),
                outcome: self.outcome_view(g.status, &outcome),
                incident: incident_ref(inc),
            })
            .collect()
    }

    fn outcome_view(&self, status: GuardrailStatus, outcome: &GuardrailOutcome) -> OutcomeView {
        let refs = |ids: &[String]| ids.iter().filter_map(|id| self.reference(id)).collect::<Vec<IncidentRef>>();
        let (recurred, likely) = (refs(&outcome.recurred_in), refs(&outcome.likely_in));
        let times = |n: usize| if n == 1 { "1 time".to_string() } else { format!("{n} times") };
        let (state, text) = match (status, outcome.since) {
            (GuardrailStatus::Proposed, _) => ("proposed", "not in place yet".to_string()),
            (_, None) => ("undated", "in place; no implementation date to measure from".to_string()),
            (_, Some(since)) if recurred.is_empty() && likely.is_empty() => {
                ("held", format!("held since {}", date_text(since)))
            }
            (_, Some(since)) if recurred.is_empty() => (
                "likely-recurred",
                format!(
                    "{} since {}: may not have held",
                    if likely.len() == 1 {
                        "1 similar incident".to_string()
                    } else {
                        format!("{} similar incidents", likely.len())
                    },
                    date_text(since)
                ),
            ),
            (_, Some(since)) => ("recurred", format!("recurred {} since {}", times(recurred.len()), date_text(since))),
        };
        OutcomeView { state, text, recurred_in: recurred, likely_in: likely }
    }

    pub fn remedy_views(&self, inc: &Incident) -> Vec<RemedyView> {
        inc.remedies
            .iter()
            .map(|r| RemedyView {
                summary: r.summary.clone(),
                symptom: r.symptom.clone(),
                steps: r.steps.clone(),
                worked: r.worked,
                incident: incident_ref(inc),
            })
            .collect()
    }

    pub fn incident_view(&self, inc: &Incident, body_html: String) -> IncidentView {
        let clock = &inc.clock;
        let clock_rows: Vec<ClockRow> = [
            ("Started", clock.started),
            ("Detected", clock.detected),
            ("Mitigated", clock.mitigated),
            ("Resolved", clock.resolved),
        ]
        .into_iter()
        .filter_map(|(label, at)| at.map(|at| ClockRow { label, text: datetime_text(at), iso: at.to_rfc3339() }))
        .collect();
        let durations = [
            ("Time to detect", "TTD", clock.time_to_detect()),
            ("Time to mitigate", "TTM", clock.time_to_mitigate()),
            ("Time to resolve", "TTR", clock.time_to_resolve()),
        ]
        .into_iter()
        .filter_map(|(label, abbr, d)| d.map(|d| DurationRow { label, abbr, value: Duration::new(d, clock.precision) }))
        .collect();

        let actions: Vec<ActionView> = inc.actions.iter().map(|a| self.action_view(inc, a)).collect();
        let guardrails = self.guardrail_views(inc);
        let findings = inc
            .findings
            .iter()
            .map(|f| {
                let mut addressed_by: Vec<LabelValue> = guardrails
                    .iter()
                    .filter(|g| g.addresses.contains(&f.id))
                    .map(|g| LabelValue { label: g.id.clone(), value: g.anchor.clone() })
                    .collect();
                addressed_by.extend(
                    actions
                        .iter()
                        .filter(|a| a.finding.as_ref().is_some_and(|x| x.label == f.id))
                        .map(|a| LabelValue { label: a.id.clone(), value: a.anchor.clone() }),
                );
                FindingView {
                    id: f.id.clone(),
                    anchor: format!("finding-{}", f.id),
                    kind: f.kind.map(|k| k.as_str()),
                    class: f.class.map(|c| c.as_str()),
                    summary: f.summary.clone(),
                    evidence: f.evidence.clone(),
                    whys: f.whys.clone(),
                    counterfactual: f.counterfactual.clone(),
                    addressed_by,
                }
            })
            .collect();

        let milestones = [
            ("started", clock.started),
            ("detected", clock.detected),
            ("mitigated", clock.mitigated),
            ("resolved", clock.resolved),
        ];
        let timeline = inc
            .timeline
            .iter()
            .map(|t| TimelineView {
                at: datetime_text(t.at),
                iso: t.at.to_rfc3339(),
                offset: clock.started.map(|s| {
                    let d = t.at - s;
                    if d < TimeDelta::zero() {
                        format!("T−{}", human_duration(-d))
                    } else {
                        format!("T+{}", human_duration(d))
                    }
                }),
                event: t.event.clone(),
                actor: t.actor.clone(),
                milestone: milestones.iter().find(|(_, at)| *at == Some(t.at)).map(|(name, _)| *name),
            })
            .collect();

        let links = self.links.get(&inc.id).cloned().unwrap_or_default();
        let refs = |ids: &[String]| ids.iter().filter_map(|id| self.reference(id)).collect::<Vec<_>>();
        let related = |list: &[analyze::LinkTo]| {
            list.iter()
                .filter_map(|l| {
                    Some(RelatedView {
                        incident: self.reference(&l.id)?,
                        relation: l.relation.as_str(),
                        note: l.note.clone(),
                    })
                })
                .collect::<Vec<_>>()
        };
        let chain = self.chain(&inc.id).map(|c| ChainView {
            members: refs(&c.members),
            position: c.members.iter().position(|m| *m == inc.id).map_or(0, |p| p + 1),
            count: c.members.len(),
        });

        let money = |v: f64| format!("{} {}", group_thousands(v.round() as i64), self.config.site.currency);
        IncidentView {
            row: self.row(inc),
            brief_url: format!("incidents/{}/brief/", inc.id),
            people: PeopleView {
                owner: inc.people.owner.clone(),
                authors: inc.people.authors.clone(),
                reviewers: inc.people.reviewers.clone(),
                facilitator: inc.people.facilitator.clone(),
                participants: inc
                    .people
                    .participants
                    .iter()
                    .map(|p| LabelValue { label: p.name.clone(), value: p.role.clone().unwrap_or_default() })
                    .collect(),
            },
            clock: clock_rows,
            durations,
            precision: clock.precision.as_str(),
            coarse_clock: clock.precision != TimePrecision::Minute,
            reviewed: inc.reviewed.map(date_text),
            published: inc.published.map(date_text),
            tags: inc.tags.clone(),
            customer_impact: inc.customer_impact.as_ref().map(|ci| ImpactView {
                summary: ci.summary.clone(),
                users_affected: ci.users_affected.map(|u| group_thousands(u as i64)),
                revenue_impact: ci.revenue_impact.map(money),
                slo_budget_burned: ci.slo_budget_burned.map(|p| format!("{p:.0}%")),
            }),
            detection: inc
                .detection
                .as_ref()
                .map(|d| DetectionView { method: d.method.map(|m| m.as_str()), signal: d.signal.clone() }),
            environment: environment_rows(inc.environment.as_ref()),
            timeline,
            findings,
            barriers: inc.barriers.iter().map(|b| BarrierView { summary: b.summary.clone(), held: b.held }).collect(),
            remedies: self.remedy_views(inc),
            action_counts: ActionCounts::of(actions.iter()),
            actions,
            guardrails,
            no_actions_reason: inc.no_actions_reason.clone(),
            lessons: LessonsView {
                went_well: inc.lessons.went_well.clone(),
                went_wrong: inc.lessons.went_wrong.clone(),
                got_lucky: inc.lessons.got_lucky.clone(),
                any: !inc.lessons.is_empty(),
            },
            body_html,
            recurrence_of: refs(&links.recurrence_of),
            recurred_as: refs(&links.recurred_as),
            related: related(&links.related),
            related_from: related(&links.related_from),
            chain,
            similar: self.similar_views(inc),
            phases: super::learning::phases_chart(inc),
            root_cause: inc
                .findings
                .iter()
                .find(|f| f.kind == Some(FindingKind::RootCause))
                .or(inc.findings.first())
                .map(|f| f.summary.clone()),
        }
    }

    /// The detected similar incidents a page lists for `inc`.
    pub fn similar_views(&self, inc: &Incident) -> Vec<SimilarView> {
        let links = self.links.get(&inc.id);
        let linked = |id: &str| -> Option<&'static str> {
            let l = links?;
            if l.recurrence_of.iter().chain(&l.recurred_as).any(|x| x == id)
                || self.chain(&inc.id).is_some_and(|c| c.members.iter().any(|m| m == id))
            {
                Some("recurrence")
            } else if l.related.iter().chain(&l.related_from).any(|x| x.id == id) {
                Some("related")
            } else {
                None
            }
        };
        self.similarity
            .all(&inc.id)
            .iter()
            .filter_map(|link| {
                let other = self.get(&link.id)?;
                let when = if other.clock.started < inc.clock.started { "earlier" } else { "later" };
                Some(SimilarView {
                    incident: incident_ref(other),
                    score: link.score,
                    percent: (link.score * 100.0).round() as u32,
                    categories: link
                        .reasons
                        .categories
                        .iter()
                        .map(|c| NamedLink { name: c.clone(), url: Self::category_url(c) })
                        .collect(),
                    services: link
                        .reasons
                        .services
                        .iter()
                        .map(|s| NamedLink { name: s.clone(), url: Self::service_url(s) })
                        .collect(),
                    terms: link.reasons.terms.clone(),
                    when,
                    linked: linked(&link.id),
                    likely: link.score >= self.similarity.recurrence_threshold,
                })
            })
            .take(self.similarity.max_listed)
            .collect()
    }

    /// Incidents of this build detected as likely recurrences of `id` (or of which `id` is one).
    pub fn similar_ids(&self, id: &str) -> Vec<String> {
        self.similarity.likely(id).filter(|l| self.get(&l.id).is_some()).map(|l| l.id.clone()).collect()
    }

    /// Every action of the knowledge base, newest incident first.
    pub fn all_actions(&self) -> Vec<ActionView> {
        let mut out: Vec<ActionView> = self
            .kb
            .incidents
            .iter()
            .rev()
            .flat_map(|inc| inc.actions.iter().map(|a| self.action_view(inc, a)))
            .collect();
        out.sort_by(|a, b| {
            a.due.cmp(&b.due).then_with(|| a.incident.id.cmp(&b.incident.id)).then_with(|| a.id.cmp(&b.id))
        });
        out
    }
}

fn environment_rows(env: Option<&Environment>) -> Vec<LabelValue> {
    let row =
        |label: &str, v: &Option<String>| v.as_ref().map(|v| LabelValue { label: label.into(), value: v.clone() });
    match env {
        None => Vec::new(),
        Some(Environment::Text(t)) => vec![LabelValue { label: "Conditions".into(), value: t.clone() }],
        Some(Environment::Facets { region, release, traffic, load, notes }) => [
            row("Region", region),
            row("Release", release),
            row("Traffic", traffic),
            row("Load", load),
            row("Notes", notes),
        ]
        .into_iter()
        .flatten()
        .collect(),
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
