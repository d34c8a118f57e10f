//! The pages for new engineers: the reading path (`/start/`), curated in
//! casebook.toml or generated, and the glossary every term links to.

use crate::build::read_tree;
use crate::support::{KbTest, TODAY, casebook};

const CONFIG: &str = "[site]\ntitle = \"KB\"\n";

fn build(kb: &KbTest) -> (crate::support::Run, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let run = casebook(kb.path(), &["build", ".", "-o", out.path().to_str().unwrap(), "--today", TODAY]);
    (run, out)
}

#[test]
fn a_curated_reading_path_is_listed_in_its_order_with_its_reasons() {
    let kb = KbTest::copy_of("clean").file(
        "casebook.toml",
        format!(
            "{CONFIG}[[start]]\nincident = \"2025-03-checkout-db-failover\"\nwhy = \"Why pools must follow a failover.\"\n"
        ),
    );
    let (run, out) = build(&kb);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(out.path());
    let page = String::from_utf8_lossy(&tree["start/index.html"]).into_owned();
    assert!(page.contains("Why pools must follow a failover."), "{page}");
    assert!(page.contains("href=\"../incidents/2025-03-checkout-db-failover/\""));
    assert!(page.contains("The team chose them"));
    // The home page leads a newcomer there.
    assert!(String::from_utf8_lossy(&tree["index.html"]).contains("href=\"./start/\""));
}

#[test]
fn a_reading_path_naming_no_incident_is_an_error_at_its_line() {
    let kb = KbTest::copy_of("clean")
        .file("casebook.toml", format!("{CONFIG}[[start]]\nincident = \"2025-03-checkout-db-failovr\"\nwhy = \"x\"\n"));
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = &run.stdout;
    assert!(report.contains("the reading path names `2025-03-checkout-db-failovr`, which is no incident"), "{report}");
    assert!(report.contains("casebook.toml:4:12"), "{report}");
    assert!(report.contains("did you mean `2025-03-checkout-db-failover`?"), "{report}");
}

#[test]
fn without_a_curated_path_the_picks_say_why() {
    let kb = KbTest::copy_of("clean").file("casebook.toml", CONFIG);
    let (run, out) = build(&kb);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = String::from_utf8_lossy(&read_tree(out.path())["start/index.html"]).into_owned();
    assert!(page.contains("picked from the records by three rules"));
    // The one incident is the worst of its category and guards its services.
    assert!(page.contains("The worst of the 1 database incidents (SEV2,"), "{page}");
}

/// Where a term is shown, it links to its glossary entry, and every entry a
/// page links to exists.
#[test]
fn terms_link_to_their_glossary_entries() {
    let out = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = casebook(root, &["build", "content", "-o", out.path().to_str().unwrap(), "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(out.path());
    let text = |p: &str| String::from_utf8_lossy(&tree[p]).into_owned();
    let glossary = text("glossary/index.html");
    let mut linked = std::collections::BTreeSet::new();
    for (path, bytes) in tree.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for part in html.split("glossary/#").skip(1) {
            let id = &part[..part.find('"').unwrap()];
            assert!(glossary.contains(&format!(" id=\"{id}\"")), "{path} links to glossary #{id}, which has no entry");
            linked.insert(id.to_string());
        }
    }
    for term in
        ["ttd", "ttm", "ttr", "p90", "median", "coarse", "chain", "held", "recurred", "overdue", "late", "completion"]
    {
        assert!(linked.contains(term), "nothing links to the glossary entry for {term}");
    }
    let home = text("index.html");
    assert!(home.contains("href=\"./glossary/#chain\">Recurring failures</a>"));
    let metrics = text("metrics/index.html");
    assert!(metrics.contains("href=\"../glossary/#p90\"><abbr title=\"90th percentile\">p90</abbr></a>"));
    assert!(glossary.contains("<dfn><abbr title=\"time to detect\">TTD</abbr></dfn>"));
}

/// A service page opens with what its on-call engineer needs, from its incidents.
#[test]
fn a_service_page_opens_with_the_on_call_sheet() {
    let kb = KbTest::copy_of("clean").file("casebook.toml", CONFIG);
    let (run, out) = build(&kb);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(out.path());
    let record = String::from_utf8_lossy(&tree["data/incidents.json"]).into_owned();
    let incident: serde_json::Value =
        serde_json::from_str(record.lines().find(|l| l.starts_with('{')).unwrap()).unwrap();
    let services: Vec<String> =
        incident["services"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    assert!(services.len() >= 2, "{services:?}");
    let slug = &services[0];
    let page = String::from_utf8_lossy(&tree[&format!("services/{slug}/index.html")]).into_owned();
    let sheet = &page[page.find("class=\"oncall-sheet\"").expect("the sheet")..page.find("id=\"g-metrics\"").unwrap()];
    // The remedy that worked, symptom first; the live guardrail and its outcome; the other services.
    let remedy = &incident["remedies"][0];
    let escaped = |v: &serde_json::Value| v.as_str().unwrap().replace('\'', "&#x27;");
    assert!(sheet.contains(&format!("<span class=\"symptom\">{}</span> → ", escaped(&remedy["symptom"]))), "{sheet}");
    assert!(sheet.contains("outcome-held"), "{sheet}");
    assert!(sheet.contains(remedy["summary"].as_str().unwrap()), "{sheet}");
    assert!(sheet.contains("Fails together with") && sheet.contains(&format!("services/{}/", services[1])), "{sheet}");
    assert!(sheet.contains("How it has failed") && sheet.contains("database · 1"), "{sheet}");
}
