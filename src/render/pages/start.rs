//! Onboarding: `/start/`, a reading path for new engineers, and
//! `/glossary/`, every term and figure the site uses.
//!
//! Part of `render`'s pages (layer 4). The reading path is the team's own
//! when `casebook.toml` lists one (`[[start]]`); otherwise [`generated_path`]
//! picks incidents by rules a newcomer can see, with the reason shown for each.

use serde::Serialize;

use super::recurring::ChainSummary;
use crate::model::Incident;
use crate::render::RenderError;
use crate::render::page::Page;
use crate::render::views::{IncidentRow, SiteData};

/// How many incidents a generated reading path holds at most.
pub const START_PICKS: usize = 12;

/// An incident on the reading path and why it is there.
#[derive(Debug, Serialize)]
struct StartEntry {
    incident: IncidentRow,
    reasons: Vec<String>,
}

/// What the generated path knows of an incident.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    /// 0 = worst.
    pub severity_rank: usize,
    pub severity: Option<String>,
    pub categories: Vec<String>,
    /// Minutes to resolve, when known to the minute.
    pub ttr_minutes: Option<i64>,
    /// Services the incident's live guardrails now protect.
    pub guarded_services: usize,
    pub live_guardrails: usize,
}

/// The head of a recurring failure: its first incident, the failure, and how many times it came.
#[derive(Debug, Clone)]
pub struct ChainHead {
    pub id: String,
    pub title: String,
    pub count: usize,
}

/// The generated reading path, in the order to read it: the first incident of
/// each recurring failure (most frequent first), then the worst incident of
/// each category not yet covered (busiest category first), then the
/// incidents whose guardrails now protect the most services. An incident
/// picked twice is listed once with both reasons. `candidates` are in start
/// order (oldest first); ties go to the newer incident.
pub fn generated_path(candidates: &[Candidate], heads: &[ChainHead]) -> Vec<(String, Vec<String>)> {
    let mut picks: Vec<(String, Vec<String>)> = Vec::new();
    let add = |picks: &mut Vec<(String, Vec<String>)>, id: &str, reason: String| {
        if let Some((_, reasons)) = picks.iter_mut().find(|(p, _)| p == id) {
            reasons.push(reason);
        } else if picks.len() < START_PICKS {
            picks.push((id.to_string(), vec![reason]));
        }
    };
    let mut heads: Vec<&ChainHead> = heads.iter().collect();
    heads.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    for h in heads.iter().take(START_PICKS / 3) {
        add(
            &mut picks,
            &h.id,
            format!(
                "The first of {} incidents of a recurring failure ({}): read it, then how it came back.",
                h.count, h.title
            ),
        );
    }
    // Categories by how many incidents they hold.
    let mut categories: Vec<(&str, usize)> = Vec::new();
    for c in candidates {
        for name in &c.categories {
            match categories.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) => *count += 1,
                None => categories.push((name, 1)),
            }
        }
    }
    categories.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let worst_first = |a: &&Candidate, b: &&Candidate| {
        a.severity_rank
            .cmp(&b.severity_rank)
            .then_with(|| b.ttr_minutes.unwrap_or(-1).cmp(&a.ttr_minutes.unwrap_or(-1)))
    };
    let guard_slots = 2;
    for (name, count) in &categories {
        if picks.len() >= START_PICKS - guard_slots {
            break;
        }
        if picks.iter().any(|(id, _)| candidates.iter().any(|c| &c.id == id && c.categories.iter().any(|n| n == name)))
        {
            continue;
        }
        let in_category: Vec<&Candidate> =
            candidates.iter().filter(|c| c.categories.iter().any(|n| n == name)).collect();
        // The last of the worst: a newer incident wins a tie.
        if let Some(worst) = in_category.iter().copied().rev().min_by(worst_first) {
            let how = worst.severity.as_deref().map(|s| format!("{s}, ")).unwrap_or_default();
            add(
                &mut picks,
                &worst.id,
                format!("The worst of the {count} {name} incidents ({how}the most severe and longest)."),
            );
        }
    }
    let mut guarded: Vec<&Candidate> = candidates.iter().filter(|c| c.guarded_services > 0).collect();
    guarded.sort_by(|a, b| b.guarded_services.cmp(&a.guarded_services).then_with(|| a.id.cmp(&b.id)));
    for c in guarded.into_iter().take(guard_slots) {
        add(
            &mut picks,
            &c.id,
            format!(
                "Its {} guardrail{} in place now protect{} {} service{}: what the team built after it shapes how things work today.",
                c.live_guardrails,
                if c.live_guardrails == 1 { "" } else { "s" },
                if c.live_guardrails == 1 { "s" } else { "" },
                c.guarded_services,
                if c.guarded_services == 1 { "" } else { "s" }
            ),
        );
    }
    picks
}

fn candidate(data: &SiteData<'_>, inc: &Incident) -> Candidate {
    let live: Vec<_> = inc.guardrails.iter().filter(|g| g.status.is_live()).collect();
    Candidate {
        id: inc.id.clone(),
        severity_rank: data.severity_rank(inc.severity.as_deref()),
        severity: inc.severity.clone(),
        categories: inc.categories.clone(),
        ttr_minutes: data.row(inc).ttr.filter(|d| !d.approximate).map(|d| d.minutes),
        guarded_services: if live.is_empty() { 0 } else { inc.services.len() },
        live_guardrails: live.len(),
    }
}

/// `/start/`.
pub(crate) fn start_page(data: &SiteData<'_>, chains: &[ChainSummary]) -> Result<Page, RenderError> {
    let curated = !data.config.start.is_empty();
    let picks: Vec<(String, Vec<String>)> = if curated {
        data.config.start.iter().map(|p| (p.incident.clone(), vec![p.why.clone()])).collect()
    } else {
        let candidates: Vec<Candidate> = data.kb.incidents.iter().map(|i| candidate(data, i)).collect();
        let heads: Vec<ChainHead> = chains
            .iter()
            .filter_map(|c| {
                let first = c.members.first()?;
                Some(ChainHead { id: first.id.clone(), title: c.title.clone(), count: c.count })
            })
            .collect();
        generated_path(&candidates, &heads)
    };
    // A pick that is a draft left out of this build is left out here too.
    let entries: Vec<StartEntry> = picks
        .into_iter()
        .filter_map(|(id, reasons)| data.get(&id).map(|inc| StartEntry { incident: data.row(inc), reasons }))
        .collect();
    Page::new("start.html", "start/index.html", "Start here", "start")
        .with("curated", curated)?
        .with("entries", entries)
}

/// `/glossary/`.
pub(crate) fn glossary_page(data: &SiteData<'_>) -> Result<Page, RenderError> {
    Page::new("glossary.html", "glossary/index.html", "Glossary", "glossary")
        .with("severities", &data.config.severities)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: &str, rank: usize, categories: &[&str], ttr: Option<i64>, guarded: usize) -> Candidate {
        Candidate {
            id: id.into(),
            severity_rank: rank,
            severity: Some(format!("SEV{}", rank + 1)),
            categories: categories.iter().map(|s| s.to_string()).collect(),
            ttr_minutes: ttr,
            guarded_services: guarded,
            live_guardrails: usize::from(guarded > 0),
        }
    }

    #[test]
    fn the_path_reads_chain_heads_then_the_worst_of_each_category_then_guardrails() {
        let candidates = [
            cand("a", 1, &["dns"], Some(30), 0),
            cand("b", 0, &["dns"], Some(10), 0),
            cand("c", 0, &["dns"], Some(90), 0),
            cand("d", 2, &["cache"], None, 0),
            cand("e", 3, &["cache"], Some(5), 4),
            cand("f", 3, &["tls"], Some(5), 1),
        ];
        let heads = [ChainHead { id: "a".into(), title: "resolver overload".into(), count: 3 }];
        let path = generated_path(&candidates, &heads);
        let ids: Vec<&str> = path.iter().map(|(id, _)| id.as_str()).collect();
        // a heads a chain; dns is then covered by it (a is a dns incident), so
        // its worst (c: SEV1 and longest) is not added; cache's worst is d
        // (SEV3 beats SEV4); tls is f; e guards the most services.
        assert_eq!(ids, ["a", "d", "f", "e"]);
        assert!(path[0].1[0].contains("first of 3 incidents") && path[0].1[0].contains("resolver overload"));
        assert!(path[1].1[0].contains("worst of the 2 cache incidents"), "{:?}", path[1]);
        // f is the worst tls incident and guards a service: both reasons, listed once.
        assert_eq!(path[2].1.len(), 2, "{:?}", path[2]);
        assert!(path[3].1[0].contains("protects 4 services"), "{:?}", path[3]);
    }

    #[test]
    fn without_chains_the_worst_incident_of_each_category_leads() {
        let candidates = [
            cand("a", 1, &["dns"], Some(30), 0),
            cand("b", 0, &["dns"], Some(10), 0),
            cand("c", 0, &["dns"], Some(90), 0),
        ];
        let path = generated_path(&candidates, &[]);
        assert_eq!(path.len(), 1);
        assert_eq!(path[0].0, "c", "SEV1 and the longest to resolve");
    }

    #[test]
    fn a_large_knowledge_base_gets_a_path_of_bounded_length() {
        let candidates: Vec<Candidate> = (0..500)
            .map(|n| cand(&format!("i{n}"), n % 4, &[&format!("c{}", n % 40)], Some(n as i64), n % 3))
            .collect();
        let heads: Vec<ChainHead> =
            (0..30).map(|n| ChainHead { id: format!("i{n}"), title: "t".into(), count: 2 + n % 5 }).collect();
        let path = generated_path(&candidates, &heads);
        assert_eq!(path.len(), START_PICKS);
        assert!(path.iter().all(|(_, reasons)| !reasons.is_empty()));
    }
}
