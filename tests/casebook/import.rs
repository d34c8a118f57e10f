//! `casebook import` on postmortems written in the styles of public
//! templates (`tests/fixtures/import/`, described in its README): the exact
//! records produced, idempotence, never overwriting, `--dry-run`, and
//! sources that cannot be read.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{KbTest, TODAY, casebook, fixtures};

/// An empty knowledge base with the default taxonomy-free config.
fn empty_kb() -> KbTest {
    KbTest::new().file("casebook.toml", "[site]\ntitle = \"Imported\"\n").file("incidents/.keep", "")
}

/// Import `sources` (relative to `tests/fixtures/import`) into `kb`.
fn import(kb: &KbTest, sources: &[&str], extra: &[&str]) -> crate::support::Run {
    let into = kb.path().display().to_string();
    let mut args = vec!["import"];
    args.extend_from_slice(sources);
    args.extend_from_slice(&["--into", &into, "--today", TODAY]);
    args.extend_from_slice(extra);
    casebook(&fixtures().join("import"), &args)
}

/// Every file under `dir/incidents`, by relative path, with its text.
fn records(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let root = dir.join("incidents");
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

fn joined(records: &BTreeMap<String, String>) -> String {
    records.iter().map(|(path, text)| format!("===== {path}\n{text}")).collect()
}

macro_rules! template_cases {
    ($($name:ident => $folder:literal, $count:literal;)+) => {$(
        #[test]
        fn $name() {
            let kb = empty_kb();
            let run = import(&kb, &[$folder], &[]);
            assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
            let made = records(kb.path());
            assert_eq!(made.len(), $count, "{}", run.stdout);
            insta::assert_snapshot!(concat!("import-", $folder), joined(&made));
            // What was imported checks without errors.
            let check = kb.check(&[]);
            assert!(!check.stdout.contains("error["), "{}", check.stdout);
        }
    )+};
}

template_cases! {
    sre_book_template => "sre-book", 2;
    pagerduty_template => "pagerduty", 2;
    atlassian_template => "atlassian", 2;
    hugo_and_jekyll_front_matter => "hugo", 3;
    csv_incident_export_with_jira_actions => "csv", 6;
    json_incident_export => "json", 3;
}

#[test]
fn importing_the_same_sources_again_adds_and_changes_nothing() {
    let kb = empty_kb();
    let first = import(&kb, &["sre-book", "csv"], &[]);
    assert_eq!(first.code, 0, "{}", first.stdout);
    let before = records(kb.path());
    assert_eq!(before.len(), 8);
    let again = import(&kb, &["sre-book", "csv"], &[]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert_eq!(records(kb.path()), before, "a second import changed the knowledge base");
    assert_eq!(again.stdout.matches("already imported as").count(), 8, "{}", again.stdout);
    assert!(again.stdout.contains("imported 0 records (8 already imported, 0 problems)"), "{}", again.stdout);
}

#[test]
fn import_never_overwrites_a_record() {
    let kb = empty_kb();
    // A hand-written record where the import would put its first record.
    let mine = "+++\ntitle = \"Mine\"\n+++\nkeep me\n";
    let kb = kb.file("incidents/2024/2024-03-capture-requests-failing-after-ledger-writer.md", mine);
    let run = import(&kb, &["sre-book"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let made = records(kb.path());
    assert_eq!(made["2024/2024-03-capture-requests-failing-after-ledger-writer.md"], mine);
    assert!(made.contains_key("2024/2024-03-capture-requests-failing-after-ledger-writer-2.md"), "{made:?}");
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let kb = empty_kb();
    let run = import(&kb, &["pagerduty", "json"], &["--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(records(kb.path()).is_empty());
    assert!(run.stdout.contains("would import 5 records"), "{}", run.stdout);
    assert!(run.stdout.contains("(dry run: nothing written)"), "{}", run.stdout);
    assert!(run.stdout.contains("recovered: headings, title, summary, severity"), "{}", run.stdout);
}

#[test]
fn unreadable_and_non_utf8_sources_are_named_while_the_rest_import() {
    let kb = empty_kb();
    let run = import(&kb, &["broken", "hugo/2023-05-17-auth-clock-skew.md"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("broken/latin1.md: not UTF-8 (byte 0xe9 at offset"), "{}", run.stdout);
    assert!(run.stdout.contains("broken/empty.md: the file is empty"), "{}", run.stdout);
    assert!(run.stdout.contains("imported 1 records (0 already imported, 2 problems)"), "{}", run.stdout);
    assert_eq!(records(kb.path()).len(), 1);
}

#[test]
fn import_into_a_folder_that_is_not_a_knowledge_base_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().display().to_string();
    let run = casebook(&fixtures().join("import"), &["import", "hugo", "--into", &into]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a knowledge base (no incidents/ folder)"), "{}", run.stderr);
}

#[test]
fn policy_warnings_history_cannot_satisfy_are_counted_once_on_imported_records() {
    let kb = empty_kb();
    assert_eq!(import(&kb, &["csv"], &[]).code, 0);
    let check = kb.check(&[]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(!check.stdout.contains("warning[action-due]"), "{}", check.stdout);
    assert!(check.stdout.contains("policy warnings on 6 imported records set aside"), "{}", check.stdout);
    // Strict lists every one, as errors.
    let strict = kb.check(&["--strict"]);
    assert_eq!(strict.code, 1);
    assert!(strict.stdout.contains("error[missing-field]"), "{}", strict.stdout);
    assert!(!strict.stdout.contains("set aside"), "{}", strict.stdout);
    // A hand-written record keeps its warnings listed.
    let kb = kb.file("incidents/2025/mine.md", "+++\ntitle = \"Mine\"\nseverity = \"SEV1\"\n+++\n");
    let mixed = kb.check(&[]);
    assert!(mixed.stdout.contains("warning[missing-field]"), "{}", mixed.stdout);
    assert!(mixed.stdout.contains("mine.md"), "{}", mixed.stdout);
}

#[test]
fn check_summary_prints_counts_by_code() {
    let run = casebook(&fixtures(), &["check", "policy-warnings", "--today", TODAY, "--summary"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!run.stdout.contains("-->"), "no diagnostics are listed:\n{}", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && l.contains("warning")),
        "{}",
        run.stdout
    );
    // The counts add up to the verdict's total.
    let total: usize = lines.iter().filter_map(|l| l.split_whitespace().next()?.parse::<usize>().ok()).sum();
    let verdict = lines.last().unwrap();
    assert!(verdict.contains(&format!("{total} warnings")), "{total} vs {verdict}");
}
