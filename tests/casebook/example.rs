//! The bundled example knowledge base (`content/`) is the demo and the default
//! input: it must check clean and show what the format can express.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use casebook::load::{LoadOptions, load};
use casebook::model::{ActionStatus, RecordStatus};

use crate::support::{TODAY, casebook};

fn content() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"))
}

#[test]
fn example_checks_with_only_deliberate_warnings() {
    let run =
        casebook(Path::new(env!("CARGO_MANIFEST_DIR")), &["check", "content", "--today", TODAY, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["errors"], 0);
    let codes: BTreeSet<String> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(String::from))
        .collect();
    // The example keeps exactly one late postmortem, and one unlinked
    // recurrence of a failure whose guardrails were in place, to show the warnings.
    assert_eq!(
        codes,
        BTreeSet::from(["late-publication".to_string(), "guardrail-may-not-hold".to_string()]),
        "{}",
        run.stdout
    );
    let warned: BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"] == "guardrail-may-not-hold")
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(warned.len(), 1, "one record: {warned:?}");
    assert!(warned.iter().all(|p| p.ends_with("2026-10-recommendations-library-log-volume-full.md")), "{warned:?}");
}

#[test]
fn example_is_big_and_varied_enough_to_demo_everything() {
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap_or_default();
    let loaded = load(content(), LoadOptions { today }).unwrap_or_else(|e| panic!("{e}"));
    let incidents = &loaded.kb.incidents;
    assert!(incidents.len() >= 40, "{} incidents", incidents.len());
    let services: BTreeSet<_> = incidents.iter().flat_map(|i| i.services.iter()).collect();
    let categories: BTreeSet<_> = incidents.iter().flat_map(|i| i.categories.iter()).collect();
    assert!(services.len() >= 15, "{} services", services.len());
    assert!(categories.len() >= 12, "{} categories", categories.len());
    assert!(loaded.config.has_taxonomy());

    // Recurrence chains: connected groups of recurrence_of links.
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    for i in incidents {
        for r in &i.recurrence_of {
            parent.insert(i.id.as_str(), r.as_str());
        }
    }
    let roots: BTreeSet<&str> = parent
        .keys()
        .map(|mut id| {
            while let Some(p) = parent.get(id) {
                id = p;
            }
            *id
        })
        .collect();
    assert!(roots.len() >= 6, "{} recurrence chains", roots.len());

    let actions: Vec<_> = incidents.iter().flat_map(|i| i.actions.iter()).collect();
    assert!(actions.iter().any(|a| a.status == ActionStatus::Done));
    assert!(actions.iter().any(|a| a.status.is_open() && !a.is_overdue(today)));
    assert!(actions.iter().any(|a| a.is_overdue(today)));
    assert!(incidents.iter().any(|i| i.status == RecordStatus::Draft));
    assert!(incidents.iter().any(|i| i.no_actions_reason.is_some()));
    assert!(incidents.iter().any(|i| i.guardrails.iter().any(|g| g.status.is_live())));
    assert!(incidents.iter().any(|i| i.remedies.iter().any(|r| !r.worked)));
    assert!(incidents.iter().any(|i| i.clock.precision != casebook::model::TimePrecision::Minute));
    assert!(incidents.iter().any(|i| i.related.iter().any(|r| r.note.is_some())));
}
