//! Checks across records that need the analysis: an incident that reads like
//! an earlier one whose guardrail was already in place, and one that names an
//! earlier incident as what came back without linking it.
//!
//! Layer 4 (see `docs/architecture.md`): it runs after `load` has checked
//! each record and its references, and after `analyze` has found similar
//! incidents and recurrence chains. `casebook check` and `casebook build`
//! run it; commands that only need the records (`new`, `search`) do not pay
//! for the similarity it reads.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::analyze::similar::{SimilarLink, Similarity};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::Anchor;
use crate::model::{Guardrail, Incident, KnowledgeBase};

/// Every check across records, reported into `diags` in record file order.
pub fn check(kb: &KnowledgeBase, anchors: &[Anchor], similarity: &Similarity, diags: &mut Diagnostics) {
    let by_id: HashMap<&str, &Incident> = kb.incidents.iter().map(|i| (i.id.as_str(), i)).collect();
    // The knowledge base is in start order, as the chains need it.
    let incidents: Vec<&Incident> = kb.incidents.iter().collect();
    let chain_of: HashMap<&str, usize> = crate::analyze::chains_among(&incidents)
        .into_iter()
        .enumerate()
        .flat_map(|(n, c)| c.members.into_iter().map(move |m| (m, n)))
        .filter_map(|(m, n)| by_id.get_key_value(m.as_str()).map(|(k, _)| (*k, n)))
        .collect();
    let linked = |a: &Incident, b: &Incident| {
        chain_of.get(a.id.as_str()).is_some_and(|n| chain_of.get(b.id.as_str()) == Some(n))
            || a.recurrence_of.contains(&b.id)
            || b.recurrence_of.contains(&a.id)
            || a.related.iter().any(|r| r.id == b.id)
            || b.related.iter().any(|r| r.id == a.id)
    };
    let across = Across { similarity, by_id: &by_id, linked: &linked };
    // Each record on its own, in parallel; merged in file order.
    let found: Vec<Diagnostics> = anchors
        .par_iter()
        .map(|anchor| {
            let mut mine = Diagnostics::default();
            if let Some(inc) = kb.incidents.get(anchor.incident) {
                mentioned(inc, anchor, &across, &mut mine);
                guardrail_held(inc, anchor, &across, &mut mine);
            }
            mine
        })
        .collect();
    for d in found {
        diags.extend(d);
    }
}

/// What the checks across records read besides the record itself.
struct Across<'a> {
    similarity: &'a Similarity,
    by_id: &'a HashMap<&'a str, &'a Incident>,
    /// Whether a person already linked two incidents, or they share a chain.
    linked: &'a (dyn Fn(&Incident, &Incident) -> bool + Sync),
}

/// Suggest `recurrence_of` for an earlier incident a record names in its own
/// words as what came back (its id, or a repeat of its title or date), when
/// no link records it yet.
fn mentioned(inc: &Incident, anchor: &Anchor, across: &Across<'_>, diags: &mut Diagnostics) {
    let Across { similarity, by_id, linked } = across;
    for link in similarity.all(&inc.id) {
        let (Some(sentence), Some(earlier)) = (&link.reasons.mention, by_id.get(link.id.as_str())) else { continue };
        if link.score < similarity.recurrence_threshold {
            // Named for context, not as what came back.
            continue;
        }
        let before = match (earlier.clock.started, inc.clock.started) {
            (Some(a), Some(b)) => a < b,
            _ => true,
        };
        if !before || linked(inc, earlier) {
            continue;
        }
        diags.push(
            Diagnostic::warning(
                "mentions-earlier-incident",
                &anchor.path,
                format!("names {} as an earlier occurrence: \"{sentence}\"", earlier.id),
            )
            .at(Some(anchor.headline.clone()))
            .help(format!(
                "if it is the same failure, add recurrence_of = [\"{0}\"]; if it is not, add related = [{{ id = \"{0}\", relation = \"similar\" }}]",
                earlier.id
            )),
        );
    }
}

/// An earlier incident this one reads like, and the guardrail it had in place.
struct Match<'a> {
    link: &'a SimilarLink,
    earlier: &'a Incident,
    guardrail: &'a Guardrail,
}

/// Warn on an incident that reads like an earlier one whose guardrail was
/// already in place when it started: the guardrail may not hold. Incidents
/// already linked either way (`recurrence_of` or `related`) were reviewed by a
/// person (or sit in one recurrence chain) are left alone; the guardrails
/// page reports those outcomes.
fn guardrail_held(inc: &Incident, anchor: &Anchor, across: &Across<'_>, diags: &mut Diagnostics) {
    let Across { similarity, by_id, linked } = across;
    let Some(started) = inc.clock.started else { return };
    // One warning per record, for its closest match; the rest are counted.
    // A record that names the earlier one has its own warning (`mentioned`).
    let matches: Vec<Match<'_>> = similarity
        .likely(&inc.id)
        .filter(|link| link.reasons.mention.is_none())
        .filter_map(|link| {
            let earlier = *by_id.get(link.id.as_str())?;
            if earlier.clock.started.is_none_or(|s| s >= started) || linked(inc, earlier) {
                return None;
            }
            let guardrail = earlier
                .guardrails
                .iter()
                .find(|g| g.status.is_live() && g.implemented.is_some_and(|day| day <= started.date_naive()))?;
            Some(Match { link, earlier, guardrail })
        })
        .collect();
    let Some(Match { link, earlier, guardrail: g }) = matches.first() else { return };
    let more = match matches.len() - 1 {
        0 => String::new(),
        1 => format!(" (and 1 more earlier incident, {})", matches[1].earlier.id),
        n => format!(" (and {n} more earlier incidents)"),
    };
    let mut why: Vec<String> = Vec::new();
    if !link.reasons.categories.is_empty() {
        why.push(format!("categories {}", link.reasons.categories.join(", ")));
    }
    if !link.reasons.services.is_empty() {
        why.push(format!("services {}", link.reasons.services.join(", ")));
    }
    if !link.reasons.terms.is_empty() {
        why.push(format!("words \"{}\"", link.reasons.terms.join("\", \"")));
    }
    let message = format!(
        "reads like {} (similarity {:.2}; shared {}), whose guardrail {} \"{}\" was in place from {}{more}",
        earlier.id,
        link.score,
        why.join("; "),
        g.id,
        g.summary,
        g.implemented.map(|d| d.to_string()).unwrap_or_default()
    );
    let help = format!(
        "if it is the same failure, add recurrence_of = [\"{0}\"] and revisit guardrail {1}; \
         if it is not, add related = [{{ id = \"{0}\", relation = \"similar\" }}] to record the review",
        earlier.id, g.id
    );
    diags.push(
        Diagnostic::warning("guardrail-may-not-hold", &anchor.path, message)
            .at(Some(anchor.headline.clone()))
            .help(help),
    );
}
