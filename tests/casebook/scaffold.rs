//! `casebook init` and `casebook new`: what they create checks clean, and they
//! never overwrite.

use crate::support::{KbTest, TODAY, casebook};

#[test]
fn init_creates_a_knowledge_base_that_checks_clean() {
    let tmp = KbTest::new();
    let run = casebook(tmp.path(), &["init", "kb", "--title", "Payments \"team\" incidents", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("init-output", run.stdout);
    let config = std::fs::read_to_string(tmp.path().join("kb/casebook.toml")).unwrap_or_default();
    assert!(config.contains("title = \"Payments \\\"team\\\" incidents\""), "{config}");
    assert!(config.contains("name = \"time-and-clocks\""));
    let check = casebook(tmp.path(), &["check", "kb", "--today", TODAY]);
    assert_eq!(check.stdout, "check passed: 0 errors, 0 warnings in 1 record\n");
}

#[test]
fn init_refuses_a_non_empty_directory() {
    let kb = KbTest::new().file("kb/notes.txt", "mine");
    let run = casebook(kb.path(), &["init", "kb"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: kb already exists and is not empty; choose a new directory (init never overwrites)\n"
    );
    assert_eq!(std::fs::read_to_string(kb.path().join("kb/notes.txt")).unwrap_or_default(), "mine");
}

#[test]
fn new_scaffolds_a_draft_with_every_section_that_checks_clean() {
    let tmp = KbTest::new();
    casebook(tmp.path(), &["init", "kb", "--today", TODAY]);
    let run = casebook(tmp.path(), &["new", "Checkout errors after DB failover", "--dir", "kb", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "Created kb/incidents/2026/2026-11-checkout-errors-after-db-failover.md (id `2026-11-checkout-errors-after-db-failover`, status draft)\n"
    );
    let text =
        std::fs::read_to_string(tmp.path().join("kb/incidents/2026/2026-11-checkout-errors-after-db-failover.md"))
            .unwrap_or_default();
    for section in
        ["[[findings]]", "[[remedies]]", "[[guardrails]]", "[[actions]]", "[[timeline]]", "[lessons]", "## Impact"]
    {
        assert!(text.contains(section), "missing {section}");
    }
    assert!(
        text.contains("# categories from the taxonomy") || text.contains("config-change, deploy"),
        "taxonomy hint missing"
    );
    let check = casebook(tmp.path(), &["check", "kb", "--today", TODAY]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(check.stdout, "check passed: 0 errors, 0 warnings in 2 records\n");

    // The same title again gets a fresh id; nothing is overwritten.
    let again = casebook(tmp.path(), &["new", "Checkout errors after DB failover", "--dir", "kb", "--today", TODAY]);
    assert!(again.stdout.contains("2026-11-checkout-errors-after-db-failover-2.md"), "{}", again.stdout);
}

#[test]
fn new_without_a_knowledge_base_says_how_to_make_one() {
    let tmp = KbTest::new();
    let run = casebook(tmp.path(), &["new", "X", "--dir", "nowhere"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: nowhere: no such directory; create a knowledge base first with `casebook init nowhere`\n"
    );
}

#[test]
fn help_has_examples() {
    let tmp = KbTest::new();
    for cmd in ["check", "init", "new"] {
        let run = casebook(tmp.path(), &[cmd, "--help"]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Examples:"), "{cmd} --help has no examples");
    }
    let run = casebook(tmp.path(), &["frobnicate"]);
    assert_eq!(run.code, 2);
}

#[test]
fn new_with_started_back_fills_an_old_incident_under_its_own_date() {
    let tmp = tempfile::tempdir().unwrap();
    casebook(tmp.path(), &["init", "kb", "--today", TODAY]);
    let run =
        casebook(tmp.path(), &["new", "Payments outage", "--dir", "kb", "--started", "2023-04-18", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = tmp.path().join("kb/incidents/2023/2023-04-payments-outage.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), run.stdout));
    assert!(text.contains("started = 2023-04-18T00:00:00Z"), "{text}");
    let bad = casebook(tmp.path(), &["new", "X", "--dir", "kb", "--started", "18/04/2023"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("is not a date like 2026-01-31"), "{}", bad.stderr);
}
