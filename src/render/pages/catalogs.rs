//! The catalogs: `/remedies/` (what brought services back, and what did
//! not) and `/guardrails/` (the preventive controls and whether they held),
//! each by failure category, with a page per category whose list is longer
//! than the catalog's preview.
//!
//! Part of `render`'s pages (layer 4).

use std::collections::BTreeMap;

use serde::Serialize;

use super::CATALOG_PREVIEW;
use crate::model::Incident;
use crate::render::RenderError;
use crate::render::page::Page;
use crate::render::views::{GuardrailTotals, GuardrailView, OutcomeState, RemedyView, SiteData};

#[derive(Debug, Clone, Serialize)]
struct RemedyGroup {
    category: String,
    url: Option<String>,
    description: Option<String>,
    worked: Vec<RemedyView>,
    did_not_work: Vec<RemedyView>,
    worked_total: usize,
    did_not_work_total: usize,
    /// The page with every remedy of the category, when this list is cut short.
    all_url: Option<String>,
}

/// The categories under which a catalog lists `inc`'s entries: records
/// without a category are listed under `""` ("uncategorised").
fn catalog_keys(inc: &Incident) -> Vec<String> {
    if inc.categories.is_empty() { vec![String::new()] } else { inc.categories.clone() }
}

/// The path segment of a category's catalog page; records without a
/// category get one no category slug can take.
fn catalog_slug(category: &str, url: Option<&String>) -> String {
    if url.is_some() { category.to_string() } else { "_uncategorised".to_string() }
}

/// `/remedies/`: per category, the most recent remedies and the count; and
/// `/remedies/CATEGORY/` with every remedy of a category that has more.
pub(crate) fn remedies_pages(data: &SiteData<'_>) -> Result<Vec<Page>, RenderError> {
    let mut pages = Vec::new();
    let mut overview = Vec::new();
    for mut group in remedy_groups(data) {
        if group.worked_total + group.did_not_work_total > CATALOG_PREVIEW {
            let url = format!("remedies/{}/", catalog_slug(&group.category, group.url.as_ref()));
            group.all_url = Some(url.clone());
            pages.push(
                Page::new(
                    "remedies.html",
                    format!("{url}index.html"),
                    format!("Remedies: {}", group.category),
                    "remedies",
                )
                .with("groups", [&group])?
                .with("category", &group.category)?,
            );
            group.worked.truncate(CATALOG_PREVIEW);
            group.did_not_work.truncate(CATALOG_PREVIEW.saturating_sub(group.worked.len()).max(2));
        }
        overview.push(group);
    }
    pages.push(Page::new("remedies.html", "remedies/index.html", "Remedies", "remedies").with("groups", overview)?);
    Ok(pages)
}

fn remedy_groups(data: &SiteData<'_>) -> Vec<RemedyGroup> {
    let mut groups: BTreeMap<String, Vec<RemedyView>> = BTreeMap::new();
    for inc in data.kb.incidents.iter().rev() {
        for key in catalog_keys(inc) {
            groups.entry(key).or_default().extend(data.remedy_views(inc));
        }
    }
    order_by_taxonomy(data, groups)
        .into_iter()
        .map(|(category, remedies)| {
            let (worked, did_not_work): (Vec<RemedyView>, Vec<RemedyView>) =
                remedies.into_iter().partition(|r| r.worked);
            RemedyGroup {
                worked_total: worked.len(),
                did_not_work_total: did_not_work.len(),
                all_url: None,
                url: (!category.is_empty()).then(|| SiteData::category_url(&category)),
                description: data
                    .config
                    .categories
                    .iter()
                    .find(|c| c.name == category)
                    .and_then(|c| c.description.clone()),
                category: if category.is_empty() { "uncategorised".into() } else { category },
                worked,
                did_not_work,
            }
        })
        .filter(|g| !g.worked.is_empty() || !g.did_not_work.is_empty())
        .collect()
}

/// Group entries in the taxonomy's order, then the rest alphabetically.
fn order_by_taxonomy<T>(data: &SiteData<'_>, mut groups: BTreeMap<String, Vec<T>>) -> Vec<(String, Vec<T>)> {
    let mut out = Vec::new();
    for c in &data.config.categories {
        if let Some(v) = groups.remove(&c.name) {
            out.push((c.name.clone(), v));
        }
    }
    out.extend(groups);
    out
}

#[derive(Debug, Serialize)]
struct GuardrailGroup {
    category: String,
    url: Option<String>,
    controls: Vec<ControlGroup>,
    total: usize,
    /// How many of this category's guardrails the failure came back after.
    recurred: usize,
    listed: usize,
    /// The page with every guardrail of the category, when this list is cut short.
    all_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct ControlGroup {
    control: String,
    guardrails: Vec<GuardrailView>,
}

/// Guardrails by control type, in the alphabetical order of the control's
/// word (the key is the word, not the enum, whose order is the record
/// format's); those without a control are listed as "unspecified".
fn by_control(list: Vec<GuardrailView>) -> Vec<ControlGroup> {
    let mut groups: BTreeMap<&'static str, Vec<GuardrailView>> = BTreeMap::new();
    for g in list {
        groups.entry(g.control.map_or("unspecified", |c| c.as_str())).or_default().push(g);
    }
    groups.into_iter().map(|(control, guardrails)| ControlGroup { control: control.to_string(), guardrails }).collect()
}

/// `/guardrails/`: totals, and per category the guardrails that did not hold
/// first, then the most recent; `/guardrails/CATEGORY/` with every guardrail
/// of a category that has more.
pub(crate) fn guardrails_pages(data: &SiteData<'_>) -> Result<Vec<Page>, RenderError> {
    let mut lists: BTreeMap<String, Vec<GuardrailView>> = BTreeMap::new();
    let mut totals = GuardrailTotals::default();
    for inc in data.kb.incidents.iter().rev() {
        let views = data.guardrail_views(inc);
        for g in &views {
            totals.add(g);
        }
        for key in catalog_keys(inc) {
            lists.entry(key).or_default().extend(views.iter().cloned());
        }
    }
    let mut pages = Vec::new();
    let mut groups = Vec::new();
    for (category, mut list) in order_by_taxonomy(data, lists) {
        let url = (!category.is_empty()).then(|| SiteData::category_url(&category));
        let category = if category.is_empty() { "uncategorised".to_string() } else { category };
        let total = list.len();
        let recurred = GuardrailTotals::of(&list).recurred;
        let mut all_url = None;
        if total > CATALOG_PREVIEW {
            let page_url = format!("guardrails/{}/", catalog_slug(&category, url.as_ref()));
            let full = GuardrailGroup {
                category: category.clone(),
                url: url.clone(),
                controls: by_control(list.clone()),
                total,
                recurred,
                listed: total,
                all_url: None,
            };
            pages.push(
                Page::new(
                    "guardrails.html",
                    format!("{page_url}index.html"),
                    format!("Guardrails: {category}"),
                    "guardrails",
                )
                .with("groups", [full])?
                .with("category", &category)?,
            );
            all_url = Some(page_url);
            // What did not hold is what a reader needs first.
            list.sort_by_key(|g| match g.outcome.state {
                OutcomeState::Recurred => 0,
                OutcomeState::LikelyRecurred => 1,
                OutcomeState::Held | OutcomeState::Undated | OutcomeState::Proposed => 2,
            });
            list.truncate(CATALOG_PREVIEW);
        }
        groups.push(GuardrailGroup {
            listed: list.len(),
            controls: by_control(list),
            category,
            url,
            total,
            recurred,
            all_url,
        });
    }
    pages.push(
        Page::new("guardrails.html", "guardrails/index.html", "Guardrails", "guardrails")
            .with("groups", groups)?
            .with("totals", totals)?,
    );
    Ok(pages)
}
