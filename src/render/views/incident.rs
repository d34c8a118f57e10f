//! The incident page's view: everything `incident.html` and `brief.html`
//! show of one record.
//!
//! Part of `render`'s views (layer 4). Built per incident, as the incident
//! pages render in parallel; the remedies, guardrails and actions in it are
//! the same [`entries`](super::entries) the catalogs list.

use chrono::TimeDelta;
use serde::Serialize;

use super::{
    ActionCounts, ActionView, Duration, GuardrailView, IncidentRef, IncidentRow, LabelValue, NamedLink, RemedyView,
    SiteData, date_text, datetime_text, group_thousands, human_duration, incident_ref,
};
use crate::analyze;
use crate::model::{Clock, DetectionMethod, Environment, FindingClass, FindingKind, Incident, Relation, TimePrecision};

/// One incident, for its page and its brief.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    #[serde(flatten)]
    pub row: IncidentRow,
    pub brief_url: String,
    pub people: PeopleView,
    pub clock: Vec<ClockRow>,
    pub durations: Vec<DurationRow>,
    pub precision: TimePrecision,
    pub coarse_clock: bool,
    /// "Healed before it was noticed: detected 25m after impact ended.", when
    /// `detected` comes after `mitigated` (or after `resolved`).
    pub healed_before_noticed: Option<String>,
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
    /// The record's `links`, for the "References" list.
    pub links: Vec<ReferenceView>,
    pub recurrence_of: Vec<IncidentRef>,
    pub recurred_as: Vec<IncidentRef>,
    pub related: Vec<RelatedView>,
    pub related_from: Vec<RelatedView>,
    pub chain: Option<ChainView>,
    /// Detected similar incidents, best first, with why.
    pub similar: Vec<SimilarView>,
    /// Detect, mitigate and resolve on one axis.
    pub phases: Option<crate::render::charts::Chart>,
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
    pub method: Option<DetectionMethod>,
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
    pub kind: Option<FindingKind>,
    pub class: Option<FindingClass>,
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
pub struct LessonsView {
    pub went_well: Vec<String>,
    pub went_wrong: Vec<String>,
    pub got_lucky: Vec<String>,
    pub any: bool,
}

/// A reference from the record's `links`: an absolute http(s) URL (checked
/// by the loader), and the text to show, its title or else the URL.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceView {
    pub url: String,
    pub text: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedView {
    pub incident: IncidentRef,
    pub relation: Relation,
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
    /// The sentence in which one of the two names the other as what came back.
    pub mention: Option<String>,
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
    /// The view of `inc`, with its narrative already rendered to `body_html`.
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
                    kind: f.kind,
                    class: f.class,
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
                // A row written with a date alone shows the date alone.
                at: if t.precision == TimePrecision::Day { date_text(t.at.date_naive()) } else { datetime_text(t.at) },
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
                    Some(RelatedView { incident: self.reference(&l.id)?, relation: l.relation, note: l.note.clone() })
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
            precision: clock.precision,
            coarse_clock: clock.precision != TimePrecision::Minute,
            healed_before_noticed: healed_before_noticed(clock),
            reviewed: inc.reviewed.map(date_text),
            published: inc.published.map(date_text),
            tags: inc.tags.clone(),
            customer_impact: inc.customer_impact.as_ref().map(|ci| ImpactView {
                summary: ci.summary.clone(),
                users_affected: ci.users_affected.map(|u| group_thousands(u as i64)),
                revenue_impact: ci.revenue_impact.map(money),
                slo_budget_burned: ci.slo_budget_burned.map(|p| format!("{p:.0}%")),
            }),
            detection: inc.detection.as_ref().map(|d| DetectionView { method: d.method, signal: d.signal.clone() }),
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
            links: inc
                .links
                .iter()
                .map(|l| ReferenceView {
                    url: l.url.clone(),
                    text: l.title.clone().unwrap_or_else(|| l.url.clone()),
                    title: l.title.clone(),
                })
                .collect(),
            recurrence_of: refs(&links.recurrence_of),
            recurred_as: refs(&links.recurred_as),
            related: related(&links.related),
            related_from: related(&links.related_from),
            chain,
            similar: self.similar_views(inc),
            phases: crate::render::learning::phases_chart(inc),
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
                    percent: crate::analyze::metrics::percent(Some(link.score)).unwrap_or(0),
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
                    mention: link.reasons.mention.clone(),
                    when,
                    linked: linked(&link.id),
                    likely: link.score >= self.similarity.recurrence_threshold,
                })
            })
            .take(self.similarity.max_listed)
            .collect()
    }
}

/// The plain sentence for a failure that healed before anyone noticed it.
fn healed_before_noticed(clock: &Clock) -> Option<String> {
    let gap = clock.healed_before_noticed()?;
    let approx = if clock.precision == TimePrecision::Minute { "" } else { "about " };
    Some(format!("Healed before it was noticed: detected {approx}{} after impact ended.", human_duration(gap)))
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
