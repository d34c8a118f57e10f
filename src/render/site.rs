//! `site`: what every page knows about the whole site (title, build date,
//! counts for the footer, the navigation).
//!
//! Part of `render` (layer 4). Built once per build and serialised once; every
//! page's context and the feed share the same JSON, which `serve`'s quick
//! preview of one incident reuses (`RenderCache::remember_site`).

use serde::Serialize;

use super::RenderOptions;
use super::pages::groups::{CategorySummary, ServiceSummary};
use super::views::{ActionCounts, ActionView, SiteData};

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    pub build_date: String,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub counts: SiteCounts,
    pub nav: Vec<NavItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteCounts {
    pub incidents: usize,
    pub categories: usize,
    pub services: usize,
    pub remedies: usize,
    pub guardrails: usize,
    pub actions: ActionCounts,
    pub chains: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub key: &'static str,
    pub label: &'static str,
    pub url: &'static str,
}

const NAV: &[NavItem] = &[
    NavItem { key: "incidents", label: "Incidents", url: "incidents/" },
    NavItem { key: "categories", label: "Categories", url: "categories/" },
    NavItem { key: "services", label: "Services", url: "services/" },
    NavItem { key: "remedies", label: "Remedies", url: "remedies/" },
    NavItem { key: "guardrails", label: "Guardrails", url: "guardrails/" },
    NavItem { key: "actions", label: "Actions", url: "actions/" },
    NavItem { key: "recurring", label: "Recurring", url: "recurring/" },
    NavItem { key: "metrics", label: "Metrics", url: "metrics/" },
];

impl SiteView {
    /// The site as of this build. A category counts once a record uses it;
    /// every service listed has a record.
    pub(crate) fn new(
        data: &SiteData<'_>,
        options: &RenderOptions,
        categories: &[CategorySummary],
        services: &[ServiceSummary],
        actions: &[ActionView],
    ) -> Self {
        let (kb, site) = (data.kb, &data.config.site);
        SiteView {
            title: site.title.clone(),
            description: site.description.clone(),
            language: site.language.clone(),
            build_date: options.today.format("%Y-%m-%d").to_string(),
            base_url: site.base_url.clone(),
            drafts: options.drafts,
            counts: SiteCounts {
                incidents: kb.incidents.len(),
                categories: categories.iter().filter(|c| c.totals.count > 0).count(),
                services: services.len(),
                remedies: kb.incidents.iter().map(|i| i.remedies.len()).sum(),
                guardrails: kb.incidents.iter().map(|i| i.guardrails.len()).sum(),
                actions: ActionCounts::of(actions.iter()),
                chains: data.chains.len(),
            },
            nav: NAV.to_vec(),
        }
    }
}
