//! The home page (`/`): the headline figures of the knowledge base, the
//! most recent incidents, the most overdue actions, the longest recurrence
//! chains and the busiest categories.
//!
//! Part of `render`'s pages (layer 4).

use serde::Serialize;

use super::groups::CategorySummary;
use super::recurring::ChainSummary;
use crate::analyze::metrics::Metrics;
use crate::render::RenderError;
use crate::render::learning;
use crate::render::page::Page;
use crate::render::views::{ActionView, GuardrailTotals, GuardrailView, IncidentRow, SiteData};

#[derive(Debug, Serialize)]
struct Headline {
    incidents: usize,
    recurrences: usize,
    chains: usize,
    completion_percent: Option<u32>,
    actions_closed: usize,
    actions_total: usize,
    overdue: usize,
    guardrails_live: usize,
    guardrails_total: usize,
    guardrails_held: usize,
    guardrails_recurred: usize,
    /// Incidents detected as likely recurrences that nobody linked.
    unlinked_recurrences: usize,
    /// Median and p90 time to resolve over every incident precise to the minute.
    ttr: learning::StatView,
}

pub(crate) fn home_page(
    data: &SiteData<'_>,
    metrics: &Metrics,
    actions: &[ActionView],
    categories: &[CategorySummary],
    chains: &[ChainSummary],
) -> Result<Page, RenderError> {
    let kb = data.kb;
    let guardrails: Vec<GuardrailView> = kb.incidents.iter().flat_map(|i| data.guardrail_views(i)).collect();
    let guardrails = GuardrailTotals::of(&guardrails);
    // The figures of `/metrics/` (one computation): won't-do actions are
    // decisions, not work left, so completion leaves them out.
    let tally = &metrics.overall.actions;
    let headline = Headline {
        incidents: kb.incidents.len(),
        recurrences: data.recurrences.len(),
        unlinked_recurrences: data.recurrences.iter().filter(|id| data.chain(id).is_none()).count(),
        ttr: learning::StatView::of(&metrics.overall.ttr),
        chains: data.chains.len(),
        completion_percent: crate::analyze::metrics::percent(tally.completion_rate),
        actions_closed: tally.done,
        actions_total: tally.total - tally.wont_do,
        overdue: tally.overdue,
        guardrails_live: guardrails.live(),
        guardrails_total: guardrails.total,
        guardrails_held: guardrails.held,
        guardrails_recurred: guardrails.recurred,
    };
    let mut overdue: Vec<&ActionView> = actions.iter().filter(|a| a.overdue).collect();
    overdue.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then_with(|| a.incident.id.cmp(&b.incident.id)));
    overdue.truncate(8);
    let mut top_chains = chains.to_vec();
    top_chains.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| b.last.cmp(&a.last)));
    top_chains.truncate(5);
    let mut top_categories: Vec<&CategorySummary> = categories.iter().filter(|c| c.totals.count > 0).collect();
    top_categories.sort_by(|a, b| b.totals.count.cmp(&a.totals.count).then_with(|| a.name.cmp(&b.name)));
    top_categories.truncate(8);
    let recent: Vec<IncidentRow> = data.rows(kb.incidents.iter()).into_iter().take(8).collect();
    Page::new("index.html", "index.html", data.config.site.title.clone(), "home")
        .with("headline", headline)?
        .with("recent", recent)?
        .with("overdue", overdue)?
        .with("top_chains", top_chains)?
        .with("top_categories", top_categories)
}
