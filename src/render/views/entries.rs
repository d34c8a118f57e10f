//! The entries of a postmortem that pages list across incidents: remedies,
//! guardrails with their outcomes, and follow-up actions, plus the tallies
//! of them ([`ActionCounts`], [`GuardrailTotals`]) that many pages show.
//!
//! Part of `render`'s views (layer 4). The same view serves an incident's
//! page, the catalogs, the group pages and `data/actions.json`, so an entry
//! reads the same everywhere. Statuses stay enums here: the tallies match
//! on them exhaustively, so a new status cannot be miscounted silently.

use serde::Serialize;

use super::{IncidentRef, LabelValue, SiteData, date_text, incident_ref};
use crate::analyze::{self, GuardrailOutcome};
use crate::model::{Action, ActionKind, ActionStatus, Control, GuardrailStatus, Incident};

/// A remedy: what brought the service back (or did not).
#[derive(Debug, Clone, Serialize)]
pub struct RemedyView {
    /// Its anchor on the incident page ([`crate::model::remedy_anchor`]).
    pub anchor: String,
    pub summary: String,
    pub symptom: Option<String>,
    pub steps: Vec<String>,
    pub worked: bool,
    pub incident: IncidentRef,
}

/// A guardrail: a preventive control, and whether the failure came back
/// after it went live.
#[derive(Debug, Clone, Serialize)]
pub struct GuardrailView {
    pub id: String,
    pub anchor: String,
    pub summary: String,
    pub control: Option<Control>,
    pub addresses: Vec<String>,
    pub would_have: Option<String>,
    pub status: GuardrailStatus,
    pub implemented: Option<String>,
    pub outcome: OutcomeView,
    pub incident: IncidentRef,
}

/// Where a guardrail stands against the failure it guards against.
///
/// Made in Rust only (no record spells it), so it is not a `vocabulary!`
/// enum; it serialises as the same kebab-case words (`likely-recurred`),
/// which templates use as CSS classes (`outcome-held`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeState {
    /// Not in place yet.
    Proposed,
    /// In place, with no implementation date to measure from.
    Undated,
    /// No recurrence since it went live.
    Held,
    /// Detected similar incidents since it went live, none linked as a recurrence.
    LikelyRecurred,
    /// A linked recurrence since it went live.
    Recurred,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeView {
    pub state: OutcomeState,
    pub text: String,
    pub recurred_in: Vec<CountedAgainst>,
    /// Detected similar incidents since the date (not linked by a person).
    pub likely_in: Vec<CountedAgainst>,
    /// Later incidents of the chain that failed through other findings.
    pub otherwise: Vec<IncidentRef>,
}

/// A later incident counted against a guardrail, and the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct CountedAgainst {
    #[serde(flatten)]
    pub incident: IncidentRef,
    /// "through F2: staged, rollout": its finding that reads like the guardrail's,
    /// and the words they share; None when the guardrail names no finding.
    pub through: Option<String>,
}

/// A follow-up action. Also the entries of `data/actions.json`: a field
/// added here is a field added to that export.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub id: String,
    pub anchor: String,
    pub summary: String,
    pub kind: Option<ActionKind>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub status: ActionStatus,
    pub overdue: bool,
    pub days_overdue: Option<i64>,
    pub completed: Option<String>,
    pub finding: Option<LabelValue>,
    pub guardrail: Option<String>,
    pub metric: Option<String>,
    pub tracker: Option<String>,
    pub incident: IncidentRef,
}

/// Actions counted by where they stand.
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
    pub fn add(&mut self, status: ActionStatus, overdue: bool) {
        self.total += 1;
        match status {
            ActionStatus::Open | ActionStatus::InProgress => self.open += 1,
            ActionStatus::Done => self.done += 1,
            ActionStatus::WontDo => self.wont_do += 1,
        }
        if overdue {
            self.overdue += 1;
        }
    }
}

/// Guardrails counted by status and by outcome (the guardrails catalog's
/// `totals`; the home page and recurrence chains show parts of it).
#[derive(Debug, Clone, Default, Serialize)]
pub struct GuardrailTotals {
    pub total: usize,
    pub proposed: usize,
    pub implemented: usize,
    pub verified: usize,
    pub held: usize,
    pub recurred: usize,
}

impl GuardrailTotals {
    pub fn of<'x>(guardrails: impl IntoIterator<Item = &'x GuardrailView>) -> Self {
        let mut t = GuardrailTotals::default();
        for g in guardrails {
            t.add(g);
        }
        t
    }

    /// Count one guardrail by its status and its outcome.
    pub fn add(&mut self, g: &GuardrailView) {
        self.total += 1;
        match g.status {
            GuardrailStatus::Proposed => self.proposed += 1,
            GuardrailStatus::Implemented => self.implemented += 1,
            GuardrailStatus::Verified => self.verified += 1,
        }
        match g.outcome.state {
            OutcomeState::Held => self.held += 1,
            OutcomeState::Recurred => self.recurred += 1,
            // Only a linked recurrence counts as the guardrail failing: a
            // detected likeness is a hint, and the rest cannot be judged.
            OutcomeState::Proposed | OutcomeState::Undated | OutcomeState::LikelyRecurred => {}
        }
    }

    /// Implemented or verified: in place.
    pub fn live(&self) -> usize {
        self.implemented + self.verified
    }
}

impl SiteData<'_> {
    pub fn action_view(&self, inc: &Incident, a: &Action) -> ActionView {
        let overdue = a.is_overdue(self.today);
        ActionView {
            id: a.id.clone(),
            anchor: format!("action-{}", a.id),
            summary: a.summary.clone(),
            kind: a.kind,
            owner: a.owner.clone(),
            due: a.due.map(date_text),
            status: a.status,
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
        // Judged once per build; a record changed since (a quick preview in
        // `serve`) whose guardrails differ in number is judged again.
        let outcomes = match self.outcomes.get(&inc.id).filter(|o| o.len() == inc.guardrails.len()) {
            Some(outcomes) => outcomes.clone(),
            None => {
                let similar = self.similar_ids(&inc.id);
                analyze::guardrail_outcomes(inc, self.chain(&inc.id), &similar, &self.mechanisms, |id| self.get(id))
            }
        };
        inc.guardrails
            .iter()
            .zip(outcomes)
            .map(|(g, outcome)| GuardrailView {
                id: g.id.clone(),
                anchor: format!("guardrail-{}", g.id),
                summary: g.summary.clone(),
                control: g.control,
                addresses: g.addresses.clone(),
                would_have: g.would_have.clone(),
                status: g.status,
                implemented: g.implemented.map(date_text),
                outcome: self.outcome_view(g.status, &outcome),
                incident: incident_ref(inc),
            })
            .collect()
    }

    fn outcome_view(&self, status: GuardrailStatus, outcome: &GuardrailOutcome) -> OutcomeView {
        let refs = |ids: &[String]| ids.iter().filter_map(|id| self.reference(id)).collect::<Vec<IncidentRef>>();
        let counted = |ids: &[String]| -> Vec<CountedAgainst> {
            ids.iter()
                .filter_map(|id| {
                    let through = match outcome.through.get(id) {
                        Some(e) => Some(format!("through {}: {}", e.finding, e.words.join(", "))),
                        None if outcome.named_by.contains(id) => Some("its recurrence_of names this incident".into()),
                        None => None,
                    };
                    Some(CountedAgainst { incident: self.reference(id)?, through })
                })
                .collect()
        };
        let (recurred, likely) = (counted(&outcome.recurred_in), counted(&outcome.likely_in));
        let times = |n: usize| if n == 1 { "1 time".to_string() } else { format!("{n} times") };
        let (state, text) = match (status, outcome.since) {
            (GuardrailStatus::Proposed, _) => (OutcomeState::Proposed, "not in place yet".to_string()),
            (_, None) => (OutcomeState::Undated, "in place; no implementation date to measure from".to_string()),
            (_, Some(since)) if recurred.is_empty() && likely.is_empty() => {
                (OutcomeState::Held, format!("held since {}", date_text(since)))
            }
            (_, Some(since)) if recurred.is_empty() => (
                OutcomeState::LikelyRecurred,
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
            (_, Some(since)) => {
                (OutcomeState::Recurred, format!("recurred {} since {}", times(recurred.len()), date_text(since)))
            }
        };
        OutcomeView { state, text, recurred_in: recurred, likely_in: likely, otherwise: refs(&outcome.otherwise) }
    }

    pub fn remedy_views(&self, inc: &Incident) -> Vec<RemedyView> {
        inc.remedies
            .iter()
            .enumerate()
            .map(|(n, r)| RemedyView {
                anchor: crate::model::remedy_anchor(n),
                summary: r.summary.clone(),
                symptom: r.symptom.clone(),
                steps: r.steps.clone(),
                worked: r.worked,
                incident: incident_ref(inc),
            })
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
