//! The action tracker (`/actions/`): overdue actions first, then the open
//! ones, the most recently closed, and per owner what is open and overdue.
//!
//! Part of `render`'s pages (layer 4). Every action, closed ones included,
//! is also in `data/actions.json` (see [`crate::render::feeds`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::CLOSED_LISTED;
use crate::render::RenderError;
use crate::render::page::Page;
use crate::render::views::{ActionCounts, ActionView};

#[derive(Debug, Serialize)]
struct OwnerRow {
    owner: String,
    open: usize,
    overdue: usize,
    /// Done or won't-do: no longer the owner's to do.
    done: usize,
}

pub(crate) fn actions_page(actions: &[ActionView]) -> Result<Page, RenderError> {
    let overdue: Vec<&ActionView> = actions.iter().filter(|a| a.overdue).collect();
    let open: Vec<&ActionView> = actions.iter().filter(|a| !a.overdue && a.status.is_open()).collect();
    let mut closed: Vec<&ActionView> = actions.iter().filter(|a| !a.status.is_open()).collect();
    closed.sort_by(|a, b| b.completed.cmp(&a.completed).then_with(|| a.incident.id.cmp(&b.incident.id)));
    let closed_total = closed.len();
    closed.truncate(CLOSED_LISTED);
    let mut owners: BTreeMap<String, OwnerRow> = BTreeMap::new();
    for a in actions {
        let name = a.owner.clone().unwrap_or_else(|| "(no owner)".into());
        let row = owners.entry(name.clone()).or_insert(OwnerRow { owner: name, open: 0, overdue: 0, done: 0 });
        if a.status.is_open() {
            row.open += 1;
        } else {
            row.done += 1;
        }
        if a.overdue {
            row.overdue += 1;
        }
    }
    let mut owners: Vec<OwnerRow> = owners.into_values().collect();
    owners.sort_by(|a, b| {
        b.overdue.cmp(&a.overdue).then_with(|| b.open.cmp(&a.open)).then_with(|| a.owner.cmp(&b.owner))
    });
    Page::new("actions.html", "actions/index.html", "Action tracker", "actions")
        .with("counts", ActionCounts::of(actions.iter()))?
        .with("overdue", overdue)?
        .with("open", open)?
        .with("closed", closed)?
        .with("closed_total", closed_total)?
        .with("owners", owners)
}
