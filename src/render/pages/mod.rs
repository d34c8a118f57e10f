//! The HTML pages of the site, one file per family. Each builds the context
//! of its pages as [`Page`](super::page::Page)s; [`super::render_site`]
//! decides when they render.
//!
//! Part of `render` (layer 4). The families:
//!
//! - [`home`]: `/`, the headline figures and what needs attention;
//! - [`incidents`]: each incident's page and its brief, and `/incidents/`;
//! - [`groups`]: categories and services, their indexes and their pages;
//! - [`catalogs`]: `/remedies/` and `/guardrails/`, by category;
//! - [`actions`]: `/actions/`, the action tracker;
//! - [`recurring`]: `/recurring/`, the recurrence chains;
//! - [`review`]: `/review/YYYY-qN/`, the review of each quarter;
//! - [`start`]: `/start/` and `/glossary/`, for new engineers.
//!
//! The limits below keep every page a readable size however large the
//! knowledge base grows; the full lists are on their own pages or in
//! `data/*.json`.

pub(crate) mod actions;
pub(crate) mod catalogs;
pub(crate) mod groups;
pub(crate) mod home;
pub(crate) mod incidents;
pub(crate) mod recurring;
pub(crate) mod review;
pub(crate) mod start;

/// How many entries an overview lists before it links to the full list.
pub const OVERVIEW_INCIDENTS: usize = 25;
/// Remedies, guardrails, chains and open actions on a category or service page,
/// and per category on the catalogs.
pub const OVERVIEW_ENTRIES: usize = 10;
/// Remedies and guardrails per category on the catalogs' front pages, which
/// are read across every category at once.
pub const CATALOG_PREVIEW: usize = 5;
/// Closed actions listed on the action tracker (all of them are in `data/actions.json`).
pub const CLOSED_LISTED: usize = 50;
