//! What the whole knowledge base says about each incident: links both ways,
//! recurrence chains, which incidents recur, and the names behind service and
//! tag slugs. Computed once per build; every page and `casebook report` read
//! the same values, and a quick preview in `serve` reuses the last build's.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::similar::Similarity;
use super::{Chain, GuardrailOutcome, IncidentLinks};
use crate::model::{Incident, KnowledgeBase, slugify};

/// Lookups that need the whole knowledge base: links both ways, chains,
/// recurrences, and the names behind service and tag slugs.
#[derive(Debug, Default)]
pub struct Relations {
    pub links: BTreeMap<String, IncidentLinks>,
    pub chains: Vec<Chain>,
    /// Ids of incidents that repeat an earlier one (explicitly or detected).
    pub recurrences: std::collections::BTreeSet<String>,
    /// Service URL slug → the name as first written.
    pub services: BTreeMap<String, String>,
    /// Tag URL slug → the name as first written.
    pub tags: BTreeMap<String, String>,
    /// Findings and guardrails as vectors, to judge guardrail outcomes by mechanism.
    pub mechanisms: super::mechanism::Mechanisms,
    /// The outcome of each incident's guardrails (in its order), by incident
    /// id: judged once, read by every page that shows a guardrail.
    pub outcomes: std::collections::HashMap<String, Vec<GuardrailOutcome>>,
    /// The recurrence chain each incident belongs to.
    chain_of: std::collections::HashMap<String, usize>,
}

impl Relations {
    pub fn compute(kb: &KnowledgeBase, similarity: &Similarity) -> Self {
        let mut services = BTreeMap::new();
        let mut tags = BTreeMap::new();
        for inc in &kb.incidents {
            for s in &inc.services {
                services.entry(slugify(s)).or_insert_with(|| s.clone());
            }
            for t in &inc.tags {
                tags.entry(slugify(t)).or_insert_with(|| t.clone());
            }
        }
        let chains = super::chains(kb);
        let chain_of: std::collections::HashMap<String, usize> =
            chains.iter().enumerate().flat_map(|(i, c)| c.members.iter().map(move |m| (m.clone(), i))).collect();
        let all: Vec<&Incident> = kb.incidents.iter().collect();
        let by_id: std::collections::HashMap<&str, &Incident> = all.iter().map(|i| (i.id.as_str(), *i)).collect();
        let recurrences = super::metrics::recurrences(&all, &chains, similarity, |id| by_id.get(id).copied());
        // Only incidents a guardrail outcome compares: chain members and
        // incidents with likely recurrences.
        let compared: Vec<&Incident> = all
            .iter()
            .copied()
            .filter(|i| chain_of.contains_key(&i.id) || similarity.likely(&i.id).next().is_some())
            .collect();
        let mechanisms = super::mechanism::Mechanisms::compute(&compared);
        let outcomes = all
            .par_iter()
            .filter(|i| !i.guardrails.is_empty())
            .map(|inc| {
                let similar: Vec<String> = similarity
                    .likely(&inc.id)
                    .filter(|l| by_id.contains_key(l.id.as_str()))
                    .map(|l| l.id.clone())
                    .collect();
                let chain = chain_of.get(&inc.id).and_then(|&c| chains.get(c));
                let outcomes =
                    super::guardrail_outcomes(inc, chain, &similar, &mechanisms, |id| by_id.get(id).copied());
                (inc.id.clone(), outcomes)
            })
            .collect();
        Relations { links: super::links(kb), chains, recurrences, services, tags, mechanisms, outcomes, chain_of }
    }

    /// The recurrence chain `id` belongs to.
    pub fn chain(&self, id: &str) -> Option<&Chain> {
        self.chain_of.get(id).and_then(|&i| self.chains.get(i))
    }
}
