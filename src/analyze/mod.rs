//! What the records mean together: links between incidents, recurrence
//! chains, and whether guardrails held.
//!
//! The analyze stage of the pipeline (load → model → **analyze** → index →
//! render → write). Pure functions of the model: no I/O, no templates, so
//! they are unit-tested on hand-built incidents. Explicit links only here
//! (`recurrence_of`, `related`); detected similarity joins them in its own
//! module.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Incident, KnowledgeBase, Relation};

/// One incident's links, both directions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IncidentLinks {
    /// Earlier incidents this one repeats (its `recurrence_of`).
    pub recurrence_of: Vec<String>,
    /// Later incidents that name this one in `recurrence_of` (back-links).
    pub recurred_as: Vec<String>,
    /// This record's `related` entries.
    pub related: Vec<LinkTo>,
    /// Records whose `related` names this one (back-links).
    pub related_from: Vec<LinkTo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkTo {
    pub id: String,
    pub relation: Relation,
    pub note: Option<String>,
}

/// Links for every incident, by id. References to records that are not in
/// `kb` (drafts left out of a build) are dropped, so no page links nowhere.
pub fn links(kb: &KnowledgeBase) -> BTreeMap<String, IncidentLinks> {
    let present: BTreeSet<&str> = kb.incidents.iter().map(|i| i.id.as_str()).collect();
    let mut out: BTreeMap<String, IncidentLinks> =
        kb.incidents.iter().map(|i| (i.id.clone(), IncidentLinks::default())).collect();
    for inc in &kb.incidents {
        for target in inc.recurrence_of.iter().filter(|t| present.contains(t.as_str())) {
            if let Some(l) = out.get_mut(&inc.id) {
                l.recurrence_of.push(target.clone());
            }
            if let Some(l) = out.get_mut(target) {
                l.recurred_as.push(inc.id.clone());
            }
        }
        for rel in inc.related.iter().filter(|r| present.contains(r.id.as_str())) {
            if let Some(l) = out.get_mut(&inc.id) {
                l.related.push(LinkTo { id: rel.id.clone(), relation: rel.relation, note: rel.note.clone() });
            }
            if let Some(l) = out.get_mut(&rel.id) {
                l.related_from.push(LinkTo { id: inc.id.clone(), relation: rel.relation, note: rel.note.clone() });
            }
        }
    }
    out
}

/// A group of incidents joined by `recurrence_of`: the same failure mechanism
/// coming back. Members are in start order; `root` is the first occurrence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chain {
    pub root: String,
    pub members: Vec<String>,
}

/// Every recurrence chain of two or more incidents, ordered by first occurrence.
pub fn chains(kb: &KnowledgeBase) -> Vec<Chain> {
    let index: BTreeMap<&str, usize> = kb.incidents.iter().enumerate().map(|(i, inc)| (inc.id.as_str(), i)).collect();
    let mut parent: Vec<usize> = (0..kb.incidents.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (i, inc) in kb.incidents.iter().enumerate() {
        for target in &inc.recurrence_of {
            if let Some(&j) = index.get(target.as_str()) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..kb.incidents.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut chains: Vec<Chain> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            // kb.incidents is in start order already; keep that order.
            g.sort_unstable();
            let members: Vec<String> = g.iter().map(|&i| kb.incidents[i].id.clone()).collect();
            Chain { root: members[0].clone(), members }
        })
        .collect();
    chains.sort_by_key(|c| index.get(c.root.as_str()).copied());
    chains
}

/// Whether a live guardrail stopped its failure from coming back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuardrailOutcome {
    /// Implemented on this date (None: proposed, or live without a date).
    pub since: Option<NaiveDate>,
    /// Incidents of the same chain that started on or after `since`.
    pub recurred_in: Vec<String>,
}

impl GuardrailOutcome {
    pub fn held(&self) -> bool {
        self.since.is_some() && self.recurred_in.is_empty()
    }
}

/// The outcome of each guardrail of `incident`, judged on `chain`, the
/// recurrence chain it belongs to (if any); `get` finds incidents by id.
pub fn guardrail_outcomes<'k>(
    incident: &Incident,
    chain: Option<&Chain>,
    get: impl Fn(&str) -> Option<&'k Incident>,
) -> Vec<GuardrailOutcome> {
    incident
        .guardrails
        .iter()
        .map(|g| {
            let since = if g.status.is_live() { g.implemented } else { None };
            let recurred_in = match (since, chain) {
                (Some(day), Some(chain)) => chain
                    .members
                    .iter()
                    .filter(|id| **id != incident.id)
                    .filter_map(|id| get(id))
                    .filter(|other| other.clock.started.is_some_and(|s| s.date_naive() >= day))
                    .map(|other| other.id.clone())
                    .collect(),
                _ => Vec::new(),
            };
            GuardrailOutcome { since, recurred_in }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    pub(crate) fn incident(id: &str, started: &str) -> Incident {
        Incident {
            id: id.into(),
            source: Default::default(),
            title: id.into(),
            summary: None,
            severity: None,
            status: RecordStatus::Published,
            people: Default::default(),
            clock: Clock { started: chrono::DateTime::parse_from_rfc3339(started).ok(), ..Default::default() },
            reviewed: None,
            published: None,
            services: vec![],
            categories: vec![],
            tags: vec![],
            customer_impact: None,
            detection: None,
            environment: None,
            timeline: vec![],
            findings: vec![],
            barriers: vec![],
            remedies: vec![],
            guardrails: vec![],
            actions: vec![],
            no_actions_reason: None,
            recurrence_of: vec![],
            related: vec![],
            lessons: Default::default(),
            body: String::new(),
        }
    }

    fn kb() -> KnowledgeBase {
        let a = incident("a", "2024-01-01T00:00:00Z");
        let mut b = incident("b", "2024-06-01T00:00:00Z");
        b.recurrence_of = vec!["a".into()];
        b.related = vec![RelatedLink { id: "x".into(), relation: Relation::Similar, note: None }];
        let mut c = incident("c", "2025-01-01T00:00:00Z");
        c.recurrence_of = vec!["b".into()];
        c.related = vec![RelatedLink { id: "d".into(), relation: Relation::SameCause, note: Some("n".into()) }];
        let d = incident("d", "2025-02-01T00:00:00Z");
        KnowledgeBase { incidents: vec![a, b, c, d] }
    }

    #[test]
    fn back_links_mirror_links_and_skip_missing_targets() {
        let links = links(&kb());
        assert_eq!(links["a"].recurred_as, ["b"]);
        assert_eq!(links["b"].recurrence_of, ["a"]);
        assert_eq!(links["b"].recurred_as, ["c"]);
        assert!(links["b"].related.is_empty(), "x is not in the kb");
        assert_eq!(links["d"].related_from[0].id, "c");
        assert_eq!(links["d"].related_from[0].relation, Relation::SameCause);
    }

    #[test]
    fn chains_join_transitive_recurrences_in_start_order() {
        let chains = chains(&kb());
        assert_eq!(chains, [Chain { root: "a".into(), members: vec!["a".into(), "b".into(), "c".into()] }]);
    }

    #[test]
    fn guardrail_held_or_recurred_after_its_date() {
        let mut kb = kb();
        let guard = |status, day: &str| Guardrail {
            id: "G1".into(),
            summary: "g".into(),
            control: None,
            addresses: vec![],
            would_have: None,
            status,
            implemented: NaiveDate::parse_from_str(day, "%Y-%m-%d").ok(),
        };
        kb.incidents[0].guardrails =
            vec![guard(GuardrailStatus::Implemented, "2024-03-01"), guard(GuardrailStatus::Verified, "2024-12-01")];
        kb.incidents[1].guardrails = vec![guard(GuardrailStatus::Proposed, "2024-07-01")];
        let chains = chains(&kb);
        let chain_of = |i: &Incident| chains.iter().find(|c| c.members.contains(&i.id));
        let get = |id: &str| kb.get(id);
        let a = guardrail_outcomes(&kb.incidents[0], chain_of(&kb.incidents[0]), get);
        assert_eq!(a[0].recurred_in, ["b", "c"]);
        assert!(!a[0].held());
        assert_eq!(a[1].recurred_in, ["c"]);
        let b = guardrail_outcomes(&kb.incidents[1], chain_of(&kb.incidents[1]), get);
        assert_eq!(b[0].since, None, "proposed guardrails have no date to hold from");
        assert!(!b[0].held());
        let d = guardrail_outcomes(&kb.incidents[3], chain_of(&kb.incidents[3]), get);
        assert!(d.is_empty());
    }
}
