//! `casebook check` on one fixture folder per bad-input case: the exact
//! rendered diagnostics are snapshots (tests/casebook/snapshots/).

use crate::support::{GOOD_RECORD, KbTest, TODAY, casebook, fixtures};

/// Check `tests/fixtures/<case>` from inside `tests/fixtures`, so paths in the
/// output read `<case>/incidents/...` whatever machine runs the test.
fn check_fixture(case: &str) -> (i32, String) {
    let run = casebook(&fixtures(), &["check", case, "--today", TODAY]);
    assert!(run.stderr.is_empty(), "unexpected stderr: {}", run.stderr);
    (run.code, run.stdout)
}

macro_rules! fixture_cases {
    ($($name:ident => $case:literal, exit $code:literal;)+) => {$(
        #[test]
        fn $name() {
            let (code, out) = check_fixture($case);
            assert_eq!(code, $code, "exit code for {}:\n{out}", $case);
            insta::assert_snapshot!($case, out);
        }
    )+};
}

fixture_cases! {
    malformed_toml => "malformed-toml", exit 1;
    unclosed_front_matter => "unclosed-front-matter", exit 1;
    yaml_front_matter_explains_how_to_convert => "yaml-front-matter", exit 1;
    missing_front_matter => "missing-front-matter", exit 1;
    empty_and_blank_files => "empty-file", exit 1;
    not_utf8_names_the_byte_offset => "not-utf8", exit 1;
    unknown_keys_suggest_the_right_one => "unknown-key", exit 1;
    every_unknown_key_at_once_with_other_formats_names => "unknown-keys-from-other-formats", exit 1;
    wrong_types_say_what_is_expected => "wrong-type", exit 1;
    datetimes_without_offset_or_with_wrong_shape => "bad-datetime", exit 1;
    impossible_calendar_date => "impossible-date", exit 1;
    clock_running_backwards => "time-order", exit 1;
    duplicate_ids_point_at_both_places => "duplicate-id", exit 1;
    dangling_references => "dangling-references", exit 1;
    values_outside_enumerations => "bad-enums", exit 1;
    categories_outside_the_taxonomy => "unknown-category", exit 1;
    policy_and_writing_warnings => "policy-warnings", exit 0;
    broken_config_does_not_cascade_into_records => "config-errors", exit 1;
    config_values_are_validated => "config-semantic", exit 1;
    clean_record => "clean", exit 0;
}

#[test]
fn strict_turns_warnings_into_errors() {
    let run = casebook(&fixtures(), &["check", "policy-warnings", "--today", TODAY, "--strict"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("check failed: 15 errors, 0 warnings in 2 records"), "{}", run.stdout);
    assert!(!run.stdout.contains("warning["));
}

#[test]
fn strict_policy_in_config_turns_warnings_into_errors() {
    let kb = KbTest::new()
        .file("casebook.toml", "[site]\ntitle = \"T\"\n[policy]\nstrict = true\n")
        .file("incidents/a.md", "+++\ntitle = \"A\"\n+++\n");
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("error[missing-field]"), "{}", run.stdout);
}

#[test]
fn json_format_lists_every_diagnostic_with_positions() {
    let run = casebook(&fixtures(), &["check", "dangling-references", "--today", TODAY, "--format", "json"]);
    assert_eq!(run.code, 1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    insta::assert_json_snapshot!("dangling-references-json", report);
}

#[test]
fn missing_directory_is_a_usage_error() {
    let run = casebook(&fixtures(), &["check", "no-such-kb"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "error: no-such-kb: no such directory\n");
}

#[test]
fn bad_today_is_a_usage_error() {
    let run = casebook(&fixtures(), &["check", "clean", "--today", "yesterday"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`yesterday` is not a date like 2026-01-31"), "{}", run.stderr);
}

#[test]
fn source_date_epoch_sets_today() {
    // 2026-11-27 is well past the in-review record's 5-day window.
    let kb = KbTest::new().file(
        "incidents/r.md",
        "+++\ntitle = \"R\"\nseverity = \"SEV2\"\nstatus = \"in-review\"\nresolved = 2026-11-01T10:00:00Z\n+++\n",
    );
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["check", "."])
        .current_dir(kb.path())
        .env("SOURCE_DATE_EPOCH", "1764201600") // 2025-11-27
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(!out.contains("late-publication"), "{out}");
    let run = kb.check(&[]);
    assert!(run.stdout.contains("still unpublished 26 days after resolution"), "{}", run.stdout);
}

#[test]
fn no_incidents_folder_is_reported() {
    let kb = KbTest::new().file("casebook.toml", "[site]\ntitle = \"T\"\n");
    let run = kb.check(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("error[no-records]: no incidents/ folder in the knowledge base"), "{}", run.stdout);
}

#[test]
fn hidden_and_non_markdown_files_are_skipped() {
    let kb = KbTest::new()
        .file("incidents/.draft.md", "not a record")
        .file("incidents/.git/x.md", "not a record")
        .file("incidents/notes.txt", "not a record")
        .file("incidents/ok.md", crate::support::GOOD_RECORD);
    let run = kb.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "check passed: 0 errors, 0 warnings in 1 record\n");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_are_diagnostics() {
    let kb = KbTest::new().file("incidents/sub/ok.md", crate::support::GOOD_RECORD);
    std::os::unix::fs::symlink("..", kb.path().join("incidents/sub/loop")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("gone.md", kb.path().join("incidents/dangling.md")).unwrap_or_else(|e| panic!("{e}"));
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("error[read-error]: symbolic link loop back to"), "{}", run.stdout);
    assert!(run.stdout.contains("error[read-error]: cannot read"), "{}", run.stdout);
    assert!(run.stdout.contains("./incidents/dangling.md"), "{}", run.stdout);
    assert!(run.stdout.contains("./incidents/sub/loop"), "{}", run.stdout);
}

#[test]
fn merged_service_names_warn() {
    let second = crate::support::GOOD_RECORD.replace("\"payments-api\"", "\"Payments API\"");
    let kb = KbTest::new()
        .file("incidents/a.md", crate::support::GOOD_RECORD)
        .file("incidents/b.md", &second)
        .file("incidents/c.md", &second);
    let run = kb.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("warning[merged-names]: service `Payments API` and `payments-api` share the address services/payments-api/ and are merged"),
        "{}",
        run.stdout
    );
    // Said once, where the second spelling first appears, not again for c.md.
    assert_eq!(run.stdout.matches("warning[merged-names]").count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("incidents/b.md"), "{}", run.stdout);
}

#[test]
fn broken_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["check", "bad-enums", "--today", TODAY])
        .current_dir(fixtures())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    drop(child.stdout.take()); // the reader goes away at once
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let mut err = String::new();
    child.stderr.take().map(|mut s| s.read_to_string(&mut err));
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn a_broken_record_does_not_cascade_into_references_to_it() {
    let later = "+++\ntitle = \"Later\"\nrecurrence_of = [\"earlier\"]\n+++\n";
    let kb =
        KbTest::new().file("incidents/earlier.md", "+++\ntitle = \"Unclosed\n+++\n").file("incidents/later.md", later);
    let run = kb.check(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["toml-syntax"], "{}", run.stdout);
}

#[test]
fn timings_go_to_stderr_and_leave_the_report_alone() {
    let kb = KbTest::new().file("incidents/2025-03-checkout-db-failover.md", GOOD_RECORD);
    let plain = kb.check(&[]);
    let timed = kb.check(&["--timings"]);
    assert_eq!(timed.code, 0, "{}", timed.stderr);
    assert_eq!(timed.stdout, plain.stdout, "the report is the same with --timings");
    for step in
        ["reading and parsing", "checking records", "similar incidents", "checking guardrails", "reporting", "total"]
    {
        let line = timed.stderr.lines().find(|l| l.trim_start().starts_with(step));
        let line = line.unwrap_or_else(|| panic!("no `{step}` line in {}", timed.stderr));
        assert!(line.trim_end().ends_with(" ms"), "{line}");
    }
    assert!(!plain.stderr.contains("total"), "no timings unless asked: {}", plain.stderr);
}

/// The codes of a `check --format json` run, in order.
fn codes(run: &crate::support::Run) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn an_invalid_value_is_reported_once_not_also_as_missing() {
    // Every category is rejected (not slugs), and the only timeline entry has a
    // datetime without offset: each is an error, and neither field is "missing".
    let record =
        GOOD_RECORD.replace("categories = [\"database\"]", "categories = [\"Database\", \"Fail Over\"]").replace(
            "[[findings]]\nid = \"F1\"",
            "[[timeline]]\nat = 2025-03-14T09:12:00\nevent = \"Errors start\"\n\n[[findings]]\nid = \"F1\"",
        );
    let kb = KbTest::new()
        .file(
            "casebook.toml",
            "[site]\ntitle = \"T\"\n[policy]\nrequired_fields = { SEV2 = [\"timeline\", \"categories\"] }\n",
        )
        .file("incidents/2025-03-checkout-db-failover.md", &record);
    let run = kb.check(&["--format", "json"]);
    assert_eq!(codes(&run), ["bad-value", "bad-value", "bad-datetime"], "{}", run.stdout);
    // A field really left out is still missing, for the minimum and for the policy.
    let without = record.replace("categories = [\"Database\", \"Fail Over\"]\n", "");
    let kb = kb.file("incidents/2025-03-checkout-db-failover.md", &without);
    let run = kb.check(&[]);
    assert!(run.stdout.contains("missing minimum-viable fields: categories (why)"), "{}", run.stdout);
    assert!(run.stdout.contains("SEV2 records must fill in: categories"), "{}", run.stdout);
}

#[test]
fn detected_after_mitigated_or_resolved_is_a_failure_that_healed_first() {
    let healed = GOOD_RECORD.replace("detected = 2025-03-14T09:19:00Z", "detected = 2025-03-14T11:55:00Z");
    let kb = KbTest::new().file("incidents/2025-03-checkout-db-failover.md", &healed);
    let run = kb.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "check passed: 0 errors, 0 warnings in 1 record\n");
    // Detected before it started is still wrong, and so is resolved before mitigated.
    let backwards = GOOD_RECORD
        .replace("detected = 2025-03-14T09:19:00Z", "detected = 2025-03-14T09:00:00Z")
        .replace("resolved = 2025-03-14T11:30:00Z", "resolved = 2025-03-14T09:35:00Z");
    let kb = kb.file("incidents/2025-03-checkout-db-failover.md", &backwards);
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("`detected` (2025-03-14 09:00:00 +00:00) is before `started`"), "{}", run.stdout);
    assert!(run.stdout.contains("`resolved` (2025-03-14 09:35:00 +00:00) is before `mitigated`"), "{}", run.stdout);
}

#[test]
fn dates_outside_reason_are_warnings_at_the_value() {
    let record = GOOD_RECORD
        .replace("started = 2025-03-14T09:12:00Z", "started = 1025-03-14T09:12:00Z")
        .replace("due = 2025-04-30", "due = 2207-04-30");
    let kb = KbTest::new().file("incidents/2025-03-checkout-db-failover.md", &record);
    let run = kb.check(&[]);
    assert_eq!(run.code, 0, "warnings only: {}", run.stdout);
    assert!(
        run.stdout.contains("warning[implausible-date]: `started` = 1025-03-14 is implausible: before 1990-01-01"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(" --> ./incidents/2025-03-checkout-db-failover.md:6:11\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "warning[implausible-date]: action `due` = 2207-04-30 is implausible: more than a year after the build date (2026-11-27)"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("= help: check the year for a typo"), "{}", run.stdout);
    // (The far due date is also beyond the policy's action horizon.)
    assert!(run.stdout.ends_with("check passed: 0 errors, 3 warnings in 1 record\n"), "{}", run.stdout);
    // A year from the build date is still within reason.
    let kb = kb
        .file("incidents/2025-03-checkout-db-failover.md", GOOD_RECORD.replace("due = 2025-04-30", "due = 2027-11-27"));
    assert!(!kb.check(&[]).stdout.contains("implausible-date"));
}

#[test]
fn a_record_timezone_reads_times_written_without_an_offset() {
    let local = GOOD_RECORD
        .replace("started = 2025-03-14T09:12:00Z", "started = 2025-03-14T01:12:00")
        .replace("detected = 2025-03-14T09:19:00Z", "detected = 2025-03-14T01:19:00")
        .replace(
            "[[findings]]\nid = \"F1\"",
            "[[timeline]]\nat = 2025-03-14T01:12\nevent = \"Errors start\"\n\n[[findings]]\nid = \"F1\"",
        );
    // Without `timezone`, a time without an offset is still an error.
    let kb = KbTest::new().file("incidents/2025-03-checkout-db-failover.md", &local);
    let run = kb.check(&["--format", "json"]);
    assert_eq!(codes(&run), ["bad-datetime", "bad-datetime", "bad-datetime"], "{}", run.stdout);
    assert!(run.stdout.contains("timezone = \\\"-08:00\\\""), "the help names the key: {}", run.stdout);
    // With it, they are read in that zone; times with an offset keep theirs.
    let mut kb = kb;
    for zone in ["-08:00", "PST", "pst"] {
        kb = kb.file(
            "incidents/2025-03-checkout-db-failover.md",
            local.replacen("owner = \"dana\"", &format!("owner = \"dana\"\ntimezone = \"{zone}\""), 1),
        );
        let run = kb.check(&[]);
        assert_eq!(run.stdout, "check passed: 0 errors, 0 warnings in 1 record\n", "{zone}");
        let out = kb.path().join("site");
        let _ = std::fs::remove_dir_all(&out);
        let run = casebook(kb.path(), &["build", ".", "-o", "site", "--today", crate::support::TODAY]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let json = std::fs::read_to_string(out.join("data/incidents.json")).unwrap();
        assert!(json.contains("\"started\":\"2025-03-14T01:12:00-08:00\""), "{json}");
        assert!(json.contains("\"resolved\":\"2025-03-14T11:30:00Z\""), "{json}");
        let page = std::fs::read_to_string(out.join("incidents/2025-03-checkout-db-failover/index.html")).unwrap();
        assert!(page.contains("2025-03-14 09:12 UTC"), "shown in UTC like every time");
    }
}

#[test]
fn an_unknown_timezone_is_one_error_not_one_per_time() {
    let record = GOOD_RECORD
        .replacen("owner = \"dana\"", "owner = \"dana\"\ntimezone = \"America/Los_Angeles\"", 1)
        .replace("started = 2025-03-14T09:12:00Z", "started = 2025-03-14T01:12:00")
        .replace("detected = 2025-03-14T09:19:00Z", "detected = 2025-03-14T01:19:00");
    let kb = KbTest::new().file("incidents/2025-03-checkout-db-failover.md", &record);
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.starts_with(
            "error[bad-value]: `timezone` = \"America/Los_Angeles\" is not a fixed offset (+HH:MM, -HH:MM) or a known abbreviation\n --> ./incidents/2025-03-checkout-db-failover.md:6:12\n"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("need the tz database"), "{}", run.stdout);
    assert!(run.stdout.ends_with("check failed: 1 error, 0 warnings in 1 record\n"), "{}", run.stdout);
}

#[test]
fn links_are_http_urls_with_an_optional_title() {
    let with = |links: &str| GOOD_RECORD.replacen("owner = \"dana\"", &format!("owner = \"dana\"\n{links}"), 1);
    let kb = KbTest::new().file(
        "incidents/2025-03-checkout-db-failover.md",
        with("links = [\"https://status.example.com/incidents/123\", { url = \"http://wiki.example.com/x\", title = \"Runbook\" }]"),
    );
    let run = kb.check(&[]);
    assert_eq!(run.stdout, "check passed: 0 errors, 0 warnings in 1 record\n");
    let kb = kb.file(
        "incidents/2025-03-checkout-db-failover.md",
        with("links = [\"ftp://files.example.com/log\", { url = \"javascript:alert(1)\", title = \"x\" }]"),
    );
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "error[bad-value]: link `ftp://files.example.com/log` is not an http(s) URL\n --> ./incidents/2025-03-checkout-db-failover.md:6:10\n"
        ),
        "{}",
        run.stdout
    );
    // In a table, the error points at the url.
    assert!(
        run.stdout.contains("error[bad-value]: link `javascript:alert(1)` is not an http(s) URL\n --> ./incidents/2025-03-checkout-db-failover.md:6:49\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("= help: links are web addresses"), "{}", run.stdout);
    assert!(run.stdout.ends_with("check failed: 2 errors, 0 warnings in 1 record\n"), "{}", run.stdout);
}
