//! Categories and services: their indexes (`/categories/`, `/services/`),
//! each one's page (`/categories/NAME/`, `/services/SLUG/`), and its full
//! incident list when the page shows only the most recent.
//!
//! Part of `render`'s pages (layer 4). A category and a service are both a
//! *group* of incidents and share one page shape (`group.html`); only
//! their names, URLs and catalog links differ, held by [`Group`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::recurring::ChainSummary;
use super::{OVERVIEW_ENTRIES, OVERVIEW_INCIDENTS};
use crate::analyze::metrics::Metrics;
use crate::model::{Action, Incident, slugify};
use crate::render::RenderError;
use crate::render::learning;
use crate::render::page::Page;
use crate::render::views::{
    ActionCounts, ActionView, GuardrailView, IncidentRef, IncidentRow, NamedLink, RemedyView, SiteData, incident_ref,
};

/// A category's line in the index, and the head of its page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CategorySummary {
    pub(crate) name: String,
    url: String,
    description: Option<String>,
    group: Option<String>,
    #[serde(flatten)]
    pub(crate) totals: GroupTotals,
}

/// A service's line in the index, and the head of its page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServiceSummary {
    name: String,
    slug: String,
    url: String,
    #[serde(flatten)]
    totals: GroupTotals,
}

/// What the index says of each category or service (templates see these
/// fields beside the name).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GroupTotals {
    /// Incidents.
    pub(crate) count: usize,
    /// The most recent incident with a start time.
    last: Option<IncidentRef>,
    recurrences: usize,
    remedies: usize,
    guardrails: usize,
}

impl GroupTotals {
    fn of(incidents: &[&Incident]) -> Self {
        GroupTotals {
            count: incidents.len(),
            last: incidents
                .iter()
                .filter(|i| i.clock.started.is_some())
                .max_by_key(|i| i.clock.started)
                .map(|i| incident_ref(i)),
            recurrences: incidents.iter().filter(|i| !i.recurrence_of.is_empty()).count(),
            remedies: incidents.iter().map(|i| i.remedies.len()).sum(),
            guardrails: incidents.iter().map(|i| i.guardrails.len()).sum(),
        }
    }
}

pub(crate) fn category_index(data: &SiteData<'_>) -> Vec<CategorySummary> {
    // The declared taxonomy in its order, then categories only records use.
    let mut names: Vec<(String, Option<String>, Option<String>)> =
        data.config.categories.iter().map(|c| (c.name.clone(), c.description.clone(), c.group.clone())).collect();
    let used: BTreeSet<&String> = data.kb.incidents.iter().flat_map(|i| i.categories.iter()).collect();
    for name in used {
        if !names.iter().any(|(n, _, _)| n == name) {
            names.push((name.clone(), None, None));
        }
    }
    names
        .into_iter()
        .map(|(name, description, group)| {
            let incidents: Vec<&Incident> = data.kb.incidents.iter().filter(|i| i.categories.contains(&name)).collect();
            CategorySummary {
                url: SiteData::category_url(&name),
                name,
                description,
                group,
                totals: GroupTotals::of(&incidents),
            }
        })
        .collect()
}

/// Incidents by the slug of each service they name, in start order. Two
/// spellings of one service (same slug) are one service.
pub(crate) fn service_members<'d>(data: &'d SiteData<'_>) -> BTreeMap<&'d str, Vec<&'d Incident>> {
    let mut members_of: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for inc in &data.kb.incidents {
        let slugs: BTreeSet<String> = inc.services.iter().map(|s| slugify(s)).collect();
        for slug in slugs {
            if let Some((key, _)) = data.services.get_key_value(&slug) {
                members_of.entry(key.as_str()).or_default().push(inc);
            }
        }
    }
    members_of
}

pub(crate) fn service_index(data: &SiteData<'_>, members_of: &BTreeMap<&str, Vec<&Incident>>) -> Vec<ServiceSummary> {
    data.services
        .iter()
        .map(|(slug, name)| ServiceSummary {
            name: name.clone(),
            slug: slug.clone(),
            url: format!("services/{slug}/"),
            totals: GroupTotals::of(members(members_of, slug)),
        })
        .collect()
}

/// The incidents of the service `slug` (none if no record names it).
fn members<'m>(members_of: &'m BTreeMap<&str, Vec<&Incident>>, slug: &str) -> &'m [&'m Incident] {
    members_of.get(slug).map_or(&[], |m| m.as_slice())
}

/// `/categories/`.
pub(crate) fn categories_page(categories: &[CategorySummary]) -> Result<Page, RenderError> {
    Page::new("categories.html", "categories/index.html", "Failure categories", "categories")
        .with("categories", categories)
}

/// `/services/`.
pub(crate) fn services_page(services: &[ServiceSummary]) -> Result<Page, RenderError> {
    Page::new("services.html", "services/index.html", "Services", "services").with("services", services)
}

/// What a category or service page lists: the most recent entries of each
/// kind, the totals, and where the full lists are.
#[derive(Debug, Serialize)]
struct GroupDetail {
    incidents: Vec<IncidentRow>,
    incidents_total: usize,
    /// The page listing every incident of the group, when this one does not.
    all_incidents_url: Option<String>,
    remedies: Vec<RemedyView>,
    remedies_total: usize,
    /// The catalog page with every remedy of the group, if there is one.
    all_remedies_url: Option<String>,
    guardrails: Vec<GuardrailView>,
    guardrails_total: usize,
    all_guardrails_url: Option<String>,
    actions: ActionCounts,
    open_actions: Vec<ActionView>,
    open_total: usize,
    chains: Vec<ChainSummary>,
    chains_total: usize,
}

/// Where a group's full lists live.
struct GroupUrls {
    /// The group page's own URL (`categories/NAME/`).
    base: String,
    /// Catalog pages with every remedy and guardrail of the group (categories only).
    remedies: Option<String>,
    guardrails: Option<String>,
}

fn group_detail(
    data: &SiteData<'_>,
    chains: &[ChainSummary],
    incidents: &[&Incident],
    urls: &GroupUrls,
) -> GroupDetail {
    let ids: BTreeSet<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    // Count every action, but make views only of the open ones shown.
    let mut counts = ActionCounts::default();
    let mut open: Vec<(&Incident, &Action)> = Vec::new();
    for inc in incidents {
        for a in &inc.actions {
            counts.add(a.status, a.is_overdue(data.today));
            if a.status.is_open() {
                open.push((inc, a));
            }
        }
    }
    open.sort_by_key(|(_, a)| a.due);
    let open_total = open.len();
    let open_actions: Vec<ActionView> =
        open.into_iter().take(OVERVIEW_ENTRIES).map(|(inc, a)| data.action_view(inc, a)).collect();

    // Incidents are in start order: the most recent are at the end.
    let recent = incidents.iter().rev();
    let remedies_total: usize = incidents.iter().map(|i| i.remedies.len()).sum();
    let guardrails_total: usize = incidents.iter().map(|i| i.guardrails.len()).sum();
    let remedies: Vec<RemedyView> = recent.clone().flat_map(|i| data.remedy_views(i)).take(OVERVIEW_ENTRIES).collect();
    let guardrails: Vec<GuardrailView> =
        recent.clone().flat_map(|i| data.guardrail_views(i)).take(OVERVIEW_ENTRIES).collect();
    let mut group_chains: Vec<ChainSummary> =
        chains.iter().filter(|c| c.members.iter().any(|m| ids.contains(m.id.as_str()))).cloned().collect();
    group_chains.sort_by(|a, b| b.last.cmp(&a.last).then_with(|| a.title.cmp(&b.title)));
    let chains_total = group_chains.len();
    group_chains.truncate(OVERVIEW_ENTRIES);
    GroupDetail {
        incidents: data.rows(recent.take(OVERVIEW_INCIDENTS).copied()),
        incidents_total: incidents.len(),
        all_incidents_url: (incidents.len() > OVERVIEW_INCIDENTS).then(|| format!("{}incidents/", urls.base)),
        remedies,
        remedies_total,
        all_remedies_url: urls.remedies.clone().filter(|_| remedies_total > OVERVIEW_ENTRIES),
        guardrails,
        guardrails_total,
        all_guardrails_url: urls.guardrails.clone().filter(|_| guardrails_total > OVERVIEW_ENTRIES),
        actions: counts,
        open_actions,
        open_total,
        chains: group_chains,
        chains_total,
    }
}

/// What makes a category's pages differ from a service's: the names of
/// their template, context key, navigation section and title. One constant
/// per kind, instead of comparing a kind's name wherever one of them is used.
struct GroupKind {
    /// The key of the summary in the page's context, and `group.kind` on
    /// the full incident list.
    key: &'static str,
    template: &'static str,
    section: &'static str,
    title: &'static str,
}

const CATEGORY: GroupKind =
    GroupKind { key: "category", template: "category.html", section: "categories", title: "Category" };
const SERVICE: GroupKind =
    GroupKind { key: "service", template: "service.html", section: "services", title: "Service" };

/// A category or service, for its pages.
struct Group<'a> {
    kind: &'static GroupKind,
    slug: String,
    name: &'a str,
    members: &'a [&'a Incident],
    urls: GroupUrls,
}

/// A category's page, and its full incident list when the page shows only
/// the most recent.
pub(crate) fn category_pages(
    data: &SiteData<'_>,
    metrics: &Metrics,
    chains: &[ChainSummary],
    category: &CategorySummary,
) -> Result<Vec<Page>, RenderError> {
    let members: Vec<&Incident> = data.kb.incidents.iter().filter(|i| i.categories.contains(&category.name)).collect();
    let group = Group {
        kind: &CATEGORY,
        slug: slugify(&category.name),
        name: &category.name,
        members: &members,
        urls: GroupUrls {
            base: category.url.clone(),
            remedies: Some(format!("remedies/{}/", category.name)),
            guardrails: Some(format!("guardrails/{}/", category.name)),
        },
    };
    group_pages(data, metrics, chains, &group, category)
}

/// A service's page, and its full incident list when the page shows only
/// the most recent. Services have no catalog pages of their own.
pub(crate) fn service_pages(
    data: &SiteData<'_>,
    metrics: &Metrics,
    chains: &[ChainSummary],
    members_of: &BTreeMap<&str, Vec<&Incident>>,
    service: &ServiceSummary,
) -> Result<Vec<Page>, RenderError> {
    let group = Group {
        kind: &SERVICE,
        slug: service.slug.clone(),
        name: &service.name,
        members: members(members_of, &service.slug),
        urls: GroupUrls { base: service.url.clone(), remedies: None, guardrails: None },
    };
    let mut pages = group_pages(data, metrics, chains, &group, service)?;
    if let Some(page) = pages.first_mut() {
        page.ctx.insert("oncall", &oncall_view(data, chains, &service.name, group.members));
    }
    Ok(pages)
}

/// What someone about to go on call for a service needs, from its incidents:
/// how it failed, what fixed it, what guards it now, and what it fails with.
#[derive(Debug, Serialize)]
struct OnCallView {
    /// Failure categories, most frequent first, with their counts.
    categories: Vec<(NamedLink, usize)>,
    /// The recurring failures the service was part of: their mechanism and count.
    mechanisms: Vec<(String, usize, IncidentRef)>,
    /// Each incident's root cause in a line, newest first.
    causes: Vec<(String, IncidentRef)>,
    /// Remedies that worked, symptom first, newest first.
    remedies: Vec<RemedyView>,
    /// Live guardrails and whether they held.
    guardrails: Vec<GuardrailView>,
    /// Other services in the same incidents, most shared first.
    together: Vec<(NamedLink, usize)>,
}

/// How many lines each list of the on-call sheet holds (it prints on one page).
const ONCALL_LINES: usize = 8;

fn oncall_view(data: &SiteData<'_>, chains: &[ChainSummary], name: &str, members: &[&Incident]) -> OnCallView {
    use crate::model::FindingKind;
    let count_by = |names: &mut Vec<(String, usize)>, name: &str| match names.iter_mut().find(|(n, _)| n == name) {
        Some((_, c)) => *c += 1,
        None => names.push((name.to_string(), 1)),
    };
    let (mut categories, mut together) = (Vec::new(), Vec::new());
    for inc in members {
        inc.categories.iter().for_each(|c| count_by(&mut categories, c));
        inc.services.iter().filter(|s| s.as_str() != name).for_each(|s| count_by(&mut together, s));
    }
    let ranked = |mut v: Vec<(String, usize)>, url: fn(&str) -> String| {
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter().take(ONCALL_LINES).map(|(n, c)| (NamedLink { url: url(&n), name: n }, c)).collect()
    };
    let ids: BTreeSet<&str> = members.iter().map(|i| i.id.as_str()).collect();
    let mechanisms = chains
        .iter()
        .filter(|c| c.members.iter().any(|m| ids.contains(m.id.as_str())))
        .filter_map(|c| Some((c.title.clone(), c.count, c.members.first()?.clone())))
        .take(ONCALL_LINES)
        .collect();
    let newest = members.iter().rev();
    let causes = newest
        .clone()
        .filter_map(|i| {
            let root = i.findings.iter().find(|f| f.kind == Some(FindingKind::RootCause))?;
            Some((root.summary.clone(), incident_ref(i)))
        })
        .take(ONCALL_LINES)
        .collect();
    let remedies = newest.clone().flat_map(|i| data.remedy_views(i)).filter(|r| r.worked).take(ONCALL_LINES).collect();
    let guardrails =
        newest.flat_map(|i| data.guardrail_views(i)).filter(|g| g.status.is_live()).take(ONCALL_LINES).collect();
    OnCallView {
        categories: ranked(categories, SiteData::category_url),
        mechanisms,
        causes,
        remedies,
        guardrails,
        together: ranked(together, SiteData::service_url),
    }
}

/// A group's page, and its full incident list when the page shows only the
/// most recent. `summary` is the group's line in the index.
fn group_pages(
    data: &SiteData<'_>,
    metrics: &Metrics,
    chains: &[ChainSummary],
    group: &Group<'_>,
    summary: impl Serialize,
) -> Result<Vec<Page>, RenderError> {
    let (kind, section) = (group.kind, group.kind.section);
    let page = Page::new(
        kind.template,
        format!("{}index.html", group.urls.base),
        format!("{}: {}", kind.title, group.name),
        section,
    )
    .with(kind.key, summary)?
    .with("metrics", learning::group_block(data, metrics, &group.slug, group.name, group.members))?
    .with("detail", group_detail(data, chains, group.members, &group.urls))?;
    let mut pages = vec![page];
    if group.members.len() > OVERVIEW_INCIDENTS {
        let base = &group.urls.base;
        pages.push(
            Page::new(
                "incidents.html",
                format!("{base}incidents/index.html"),
                format!("Incidents: {}", group.name),
                section,
            )
            .with("incidents", data.rows(group.members.iter().rev().copied()))?
            .with("group", serde_json::json!({ "kind": kind.key, "name": group.name, "url": base }))?,
        );
    }
    Ok(pages)
}
