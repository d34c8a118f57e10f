//! What the records mean together: links between incidents, recurrence
//! chains, and whether guardrails held.
//!
//! Layer 3 of the pipeline (see `docs/architecture.md`), beside `index`.
//! Pure functions of the model: no I/O, no templates, so they are
//! unit-tested on hand-built incidents. Explicit links here (`recurrence_of`,
//! `related`); detected similarity in `similar`; what they add up to for
//! each incident in `relations`; the learning metrics in `metrics`.

pub mod concepts;
pub mod mechanism;
pub mod mentions;
pub mod metrics;
pub mod period;
pub mod relations;
pub mod similar;
pub mod writing;

pub use relations::Relations;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Incident, KnowledgeBase, Relation};

/// What the analysis of a knowledge base found, for the stages after it.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Detected similar incidents among every record that parsed (drafts too).
    pub similarity: similar::Similarity,
    /// Links, chains, recurrences and names among the incidents to publish.
    pub relations: Relations,
}

impl Analysis {
    /// The relations of `kb` (the incidents to publish), given the
    /// similarity found among every record.
    pub fn new(kb: &KnowledgeBase, similarity: similar::Similarity) -> Self {
        let relations = Relations::compute(kb, &similarity);
        Analysis { similarity, relations }
    }
}

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
    chains_among(&kb.incidents.iter().collect::<Vec<_>>())
}

/// [`chains`] over any incidents in start order.
pub fn chains_among(incidents: &[&Incident]) -> Vec<Chain> {
    let index: BTreeMap<&str, usize> = incidents.iter().enumerate().map(|(i, inc)| (inc.id.as_str(), i)).collect();
    let edges = incidents.iter().enumerate().flat_map(|(i, inc)| {
        inc.recurrence_of.iter().filter_map(|t| index.get(t.as_str()).map(|&j| (i, j))).collect::<Vec<_>>()
    });
    groups(incidents, edges, usize::MAX)
}

/// The most incidents one detected group holds: past that, text similarity
/// is joining families of failures, not one mechanism.
pub const MAX_DETECTED_GROUP: usize = 12;

/// The connected groups (two or more) of `edges` between `incidents`, each
/// in start order, ordered by first occurrence. An edge that would make a
/// group larger than `cap` is skipped, so edges should come strongest first.
fn groups(incidents: &[&Incident], edges: impl Iterator<Item = (usize, usize)>, cap: usize) -> Vec<Chain> {
    let mut parent: Vec<usize> = (0..incidents.len()).collect();
    let mut size: Vec<usize> = vec![1; incidents.len()];
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (i, j) in edges {
        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
        if a != b && size[a] + size[b] <= cap {
            parent[a] = b;
            size[b] += size[a];
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..incidents.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<(usize, Chain)> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            // The incidents are in start order already; keep that order.
            g.sort_unstable();
            let members: Vec<String> = g.iter().map(|&i| incidents[i].id.clone()).collect();
            (g[0], Chain { root: members[0].clone(), members })
        })
        .collect();
    out.sort_by_key(|(first, _)| *first);
    out.into_iter().map(|(_, c)| c).collect()
}

/// Groups of incidents joined by detected similarity (each incident's listed
/// best matches, so one vague record cannot chain everything together) that no person has
/// joined into one chain: failures that probably came back unnoticed. A
/// group whose members all sit in one recurrence chain is not listed.
pub fn detected_groups(kb: &KnowledgeBase, similarity: &similar::Similarity, chains: &[Chain]) -> Vec<Chain> {
    let index: BTreeMap<&str, usize> = kb.incidents.iter().enumerate().map(|(i, inc)| (inc.id.as_str(), i)).collect();
    let mut edges: Vec<(f64, usize, usize)> = kb
        .incidents
        .iter()
        .enumerate()
        .flat_map(|(i, inc)| {
            similarity
                .likely(&inc.id)
                .take(similarity.max_listed)
                .filter_map(|l| index.get(l.id.as_str()).map(|&j| (l.score, i, j)))
                .collect::<Vec<_>>()
        })
        .collect();
    edges.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let chain_of: BTreeMap<&str, usize> =
        chains.iter().enumerate().flat_map(|(n, c)| c.members.iter().map(move |m| (m.as_str(), n))).collect();
    groups(&kb.incidents.iter().collect::<Vec<_>>(), edges.into_iter().map(|(_, i, j)| (i, j)), MAX_DETECTED_GROUP)
        .into_iter()
        .filter(|g| {
            let first = chain_of.get(g.members[0].as_str());
            first.is_none() || g.members.iter().any(|m| chain_of.get(m.as_str()) != first)
        })
        .collect()
}

/// Whether a live guardrail stopped its failure from coming back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuardrailOutcome {
    /// Implemented on this date (None: proposed, or live without a date).
    pub since: Option<NaiveDate>,
    /// Incidents of the same chain that started on or after `since` and fail
    /// through what the guardrail addresses (every later one of the chain
    /// when it names no finding).
    pub recurred_in: Vec<String>,
    /// Incidents detected as similar (not linked by a person) that started
    /// on or after `since` and fail through what it addresses: likely recurrences.
    pub likely_in: Vec<String>,
    /// Why each of those counts: the finding that reads like the guardrail's.
    pub through: BTreeMap<String, mechanism::Evidence>,
    /// Those that count because they name this incident in `recurrence_of`
    /// (and no finding of theirs matched by text).
    pub named_by: Vec<String>,
    /// Later incidents of the chain that failed through other findings:
    /// not counted against this guardrail.
    pub otherwise: Vec<String>,
}

impl GuardrailOutcome {
    pub fn held(&self) -> bool {
        self.since.is_some() && self.recurred_in.is_empty() && self.likely_in.is_empty()
    }
}

/// The outcome of each guardrail of `incident`, judged on `chain`, the
/// recurrence chain it belongs to (if any), and on `similar`, the incidents
/// detected as alike; `get` finds incidents by id. A later incident counts
/// against a guardrail that names the findings it addresses only when it
/// fails through them (see [`mechanism`]) or names this incident in its
/// `recurrence_of`.
pub fn guardrail_outcomes<'k>(
    incident: &Incident,
    chain: Option<&Chain>,
    similar: &[String],
    mechanisms: &mechanism::Mechanisms,
    get: impl Fn(&str) -> Option<&'k Incident>,
) -> Vec<GuardrailOutcome> {
    let since_day = |day: NaiveDate, ids: &mut dyn Iterator<Item = &String>| -> Vec<String> {
        ids.filter(|id| **id != incident.id)
            .filter_map(|id| get(id))
            .filter(|other| other.clock.started.is_some_and(|s| s.date_naive() >= day))
            .map(|other| other.id.clone())
            .collect()
    };
    incident
        .guardrails
        .iter()
        .map(|g| {
            let since = if g.status.is_live() { g.implemented } else { None };
            let Some(day) = since else {
                return GuardrailOutcome {
                    since,
                    recurred_in: vec![],
                    likely_in: vec![],
                    through: BTreeMap::new(),
                    named_by: vec![],
                    otherwise: vec![],
                };
            };
            let mut through = BTreeMap::new();
            let mut named_by = Vec::new();
            let mut otherwise = Vec::new();
            // A later incident that names this one in `recurrence_of` says
            // it is this failure again; one that only follows it in a chain,
            // or reads like it, must fail through what the guardrail addresses.
            let names_this = |id: &str| get(id).is_some_and(|o| o.recurrence_of.contains(&incident.id));
            let mut judge = |ids: Vec<String>, keep_others: bool| -> Vec<String> {
                if g.addresses.is_empty() {
                    return ids;
                }
                ids.into_iter()
                    .filter(|id| match mechanisms.through(&incident.id, &g.id, id) {
                        Some(e) => {
                            through.insert(id.clone(), e);
                            true
                        }
                        None if keep_others && names_this(id) => {
                            named_by.push(id.clone());
                            true
                        }
                        None => {
                            if keep_others {
                                otherwise.push(id.clone());
                            }
                            false
                        }
                    })
                    .collect()
            };
            let chain_later = since_day(day, &mut chain.iter().flat_map(|c| c.members.iter()));
            let mut likely = since_day(day, &mut similar.iter());
            likely.retain(|id| !chain_later.contains(id));
            let recurred_in = judge(chain_later, true);
            let likely_in = judge(likely, false);
            GuardrailOutcome { since, recurred_in, likely_in, through, named_by, otherwise }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
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
            imported: None,
            recurrence_of: vec![],
            related: vec![],
            lessons: Default::default(),
            links: vec![],
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
    fn detected_groups_skip_what_a_chain_already_holds() {
        let mut kb = kb();
        kb.incidents.push(incident("e", "2025-06-01T00:00:00Z"));
        let link = |id: &str| similar::SimilarLink {
            id: id.into(),
            score: 0.5,
            text_score: 0.5,
            reasons: similar::Reasons { categories: vec![], services: vec![], terms: vec![], mention: None },
        };
        let pairs = [("a", "b"), ("b", "a"), ("d", "e"), ("e", "d"), ("c", "d"), ("d", "c")];
        let mut sim = similar::Similarity { max_listed: 5, ..Default::default() };
        for (x, y) in pairs {
            sim.links.entry(x.to_string()).or_default().push(link(y));
        }
        let chains = chains(&kb);
        let found = detected_groups(&kb, &sim, &chains);
        // a–b is inside the chain a→b→c: nothing new. c–d–e reaches outside it.
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].members, ["c", "d", "e"]);
    }

    #[test]
    fn detected_groups_stop_growing_at_the_cap() {
        let incidents: Vec<Incident> =
            (0..30).map(|n| incident(&format!("i{n:02}"), &format!("2025-01-{:02}T00:00:00Z", n % 28 + 1))).collect();
        let kb = KnowledgeBase { incidents };
        let mut sim = similar::Similarity { max_listed: 5, ..Default::default() };
        // A path i00–i01–…–i29, each link a little weaker than the one before.
        for n in 0..29 {
            let (a, b) = (format!("i{n:02}"), format!("i{:02}", n + 1));
            let link = |id: &str| similar::SimilarLink {
                id: id.into(),
                score: 0.9 - n as f64 / 100.0,
                text_score: 0.5,
                reasons: similar::Reasons { categories: vec![], services: vec![], terms: vec![], mention: None },
            };
            sim.links.entry(a.clone()).or_default().push(link(&b));
            sim.links.entry(b).or_default().push(link(&a));
        }
        let found = detected_groups(&kb, &sim, &[]);
        assert!(found.iter().all(|g| g.members.len() <= MAX_DETECTED_GROUP), "{found:?}");
        assert_eq!(found.iter().map(|g| g.members.len()).sum::<usize>(), 30, "every incident is in some group");
        assert!(found.iter().any(|g| g.members.len() == MAX_DETECTED_GROUP));
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
        let none = mechanism::Mechanisms::default();
        let a = guardrail_outcomes(&kb.incidents[0], chain_of(&kb.incidents[0]), &[], &none, get);
        assert_eq!(a[0].recurred_in, ["b", "c"]);
        assert!(!a[0].held());
        assert_eq!(a[1].recurred_in, ["c"]);
        let b = guardrail_outcomes(&kb.incidents[1], chain_of(&kb.incidents[1]), &[], &none, get);
        assert_eq!(b[0].since, None, "proposed guardrails have no date to hold from");
        assert!(!b[0].held());
        let d = guardrail_outcomes(&kb.incidents[3], chain_of(&kb.incidents[3]), &["e".to_string()], &none, get);
        assert!(d.is_empty());
    }

    #[test]
    fn detected_similar_incidents_after_the_date_are_likely_recurrences() {
        let mut kb = kb();
        kb.incidents.push(incident("e", "2025-06-01T00:00:00Z"));
        kb.incidents[0].guardrails = vec![Guardrail {
            id: "G1".into(),
            summary: "g".into(),
            control: None,
            addresses: vec![],
            would_have: None,
            status: GuardrailStatus::Implemented,
            implemented: NaiveDate::parse_from_str("2024-12-01", "%Y-%m-%d").ok(),
        }];
        let chains = chains(&kb);
        let similar: Vec<String> = ["c", "d", "e", "missing"].map(String::from).to_vec();
        let none = mechanism::Mechanisms::default();
        let out = guardrail_outcomes(&kb.incidents[0], chains.first(), &similar, &none, |id| kb.get(id));
        // c is in the chain: a recurrence, not a likely one; d and e started after the date.
        assert_eq!(out[0].recurred_in, ["c"]);
        assert_eq!(out[0].likely_in, ["d", "e"]);
        assert!(!out[0].held());
        let alone = guardrail_outcomes(&kb.incidents[0], None, &[], &none, |id| kb.get(id));
        assert!(alone[0].held());
    }
}
