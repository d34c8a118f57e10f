//! Recurring failures (`/recurring/`): the recurrence chains people linked,
//! with the guardrails put in along each, and the likely recurrences that
//! similarity detected but nobody linked.
//!
//! Part of `render`'s pages (layer 4). [`ChainSummary`] is also what the
//! home page and the category and service pages list.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::Incident;
use crate::render::RenderError;
use crate::render::learning;
use crate::render::page::Page;
use crate::render::views::{GuardrailTotals, GuardrailView, IncidentRef, SiteData, incident_ref};

/// A recurrence chain: the incidents of one failure mechanism, oldest first.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChainSummary {
    pub(crate) title: String,
    pub(crate) members: Vec<IncidentRef>,
    pub(crate) count: usize,
    first: Option<String>,
    pub(crate) last: Option<String>,
    categories: Vec<String>,
    services: Vec<String>,
    guardrails: Vec<GuardrailView>,
    guardrails_live: usize,
    guardrails_recurred: usize,
}

pub(crate) fn chain_views(data: &SiteData<'_>) -> Vec<ChainSummary> {
    data.chains
        .iter()
        .map(|chain| {
            let incidents: Vec<&Incident> = chain.members.iter().filter_map(|id| data.get(id)).collect();
            let categories: BTreeSet<String> = incidents.iter().flat_map(|i| i.categories.iter().cloned()).collect();
            let services: BTreeSet<String> = incidents.iter().flat_map(|i| i.services.iter().cloned()).collect();
            let members: Vec<IncidentRef> = incidents.iter().map(|i| incident_ref(i)).collect();
            let guardrails: Vec<GuardrailView> = incidents.iter().flat_map(|i| data.guardrail_views(i)).collect();
            let totals = GuardrailTotals::of(&guardrails);
            ChainSummary {
                guardrails_live: totals.live(),
                guardrails_recurred: totals.recurred,
                title: incidents.first().map(|i| mechanism(i)).unwrap_or_default(),
                count: members.len(),
                first: members.first().and_then(|m| m.started.clone()),
                last: members.last().and_then(|m| m.started.clone()),
                members,
                categories: categories.into_iter().collect(),
                services: services.into_iter().collect(),
                guardrails,
            }
        })
        .collect()
}

/// What a recurring failure is called: the mechanism that came back, as the
/// first incident's root cause states it (its first finding when none is
/// marked root cause), else that incident's title.
fn mechanism(first: &Incident) -> String {
    use crate::model::FindingKind;
    let root = first.findings.iter().find(|f| f.kind == Some(FindingKind::RootCause));
    root.or(first.findings.first()).map_or_else(|| first.title.clone(), |f| f.summary.clone())
}

/// `/recurring/`.
pub(crate) fn recurring_page(data: &SiteData<'_>, chains: &[ChainSummary]) -> Result<Page, RenderError> {
    Page::new("recurring.html", "recurring/index.html", "Recurring failures", "recurring")
        .with("chains", chains)?
        .with("detected", learning::detected_page(data))
}
