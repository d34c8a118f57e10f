//! Names that become file names in the built site: service and tag names
//! need a letter or digit to make an address from, and incident ids may not
//! differ only in case (one folder on a case-insensitive file system).

use std::path::Path;

use crate::support::{GOOD_RECORD, KbTest, TODAY, casebook};

fn with_id(id: &str) -> String {
    GOOD_RECORD.replacen("+++\n", &format!("+++\nid = \"{id}\"\n"), 1)
}

#[test]
fn service_and_tag_names_without_a_letter_or_digit_are_errors() {
    let kb = KbTest::new()
        .file("incidents/a.md", GOOD_RECORD.replace("\"payments-db\"", "\"🔥\""))
        .file(
            "incidents/b.md",
            GOOD_RECORD
                .replace("\"payments-db\"", "\".\"")
                .replace("categories = [\"database\"]", "categories = [\"database\"]\ntags = [\"ok\", \"..\"]"),
        )
        // The same bad spelling again is reported again, in its own file.
        .file("incidents/c.md", GOOD_RECORD.replace("\"payments-db\"", "\"🔥\""));
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    for expected in [
        "error[empty-slug]: service `🔥` in `services` has no letter or digit to make its address from",
        "./incidents/a.md:11:29",
        "error[empty-slug]: service `.` in `services`",
        "./incidents/b.md:11:29",
        "error[empty-slug]: tag `..` in `tags`",
        "./incidents/b.md:13:15",
        "./incidents/c.md:11:29",
    ] {
        assert!(run.stdout.contains(expected), "{expected} missing from\n{}", run.stdout);
    }
    assert_eq!(run.stdout.matches("error[empty-slug]").count(), 4, "{}", run.stdout);
    // The build stops before anything is written.
    let out = kb.path().join("public");
    let run = casebook(kb.path(), &["build", ".", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn ids_that_differ_only_in_case_are_duplicates() {
    let kb = KbTest::new().file("incidents/a.md", with_id("2024-01-a")).file("incidents/b.md", with_id("2024-01-A"));
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("error[duplicate-id]: incident ids `2024-01-A` and `2024-01-a` differ only in case"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("./incidents/b.md:2:6"), "{}", run.stdout);
    assert!(run.stdout.contains("./incidents/a.md:2:6"), "both places are named: {}", run.stdout);
    assert_eq!(run.stdout.matches("error[duplicate-id]").count(), 1, "{}", run.stdout);
    let run = casebook(Path::new(kb.path()), &["build", ".", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}
