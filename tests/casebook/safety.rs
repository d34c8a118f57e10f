//! A knowledge base built from an untrusted pull request: templates that
//! loop or run away, symbolic links out of the knowledge base, control
//! characters meant for the terminal, and text that breaks XML.

use crate::support::{GOOD_RECORD, KbTest, Run, TODAY, casebook};

fn build(kb: &KbTest) -> Run {
    casebook(kb.path(), &["build", ".", "-o", "public", "--today", TODAY])
}

/// Both `check` and `build` fail (exit 1, not an abort) with a `template`
/// error containing `expected`, and nothing is written.
fn both_refuse(kb: &KbTest, expected: &str) {
    let built = build(kb);
    assert_eq!(built.code, 1, "build: {}", built.stderr);
    assert!(built.stderr.contains("error[template]") && built.stderr.contains(expected), "{}", built.stderr);
    assert!(!kb.path().join("public").exists());
    let checked = kb.check(&[]);
    assert_eq!(checked.code, 1, "check: {}{}", checked.stdout, checked.stderr);
    assert!(checked.stdout.contains("error[template]") && checked.stdout.contains(expected), "{}", checked.stdout);
}

#[test]
fn a_base_override_extending_itself_is_an_error_at_its_tag() {
    let kb = KbTest::new()
        .file("incidents/a.md", GOOD_RECORD)
        .file("templates/base.html", "{# mine #}\n  {% extends \"base.html\" %}\n{% block main %}x{% endblock main %}");
    both_refuse(&kb, "templates/base.html:2:3");
    let run = kb.check(&[]);
    assert!(run.stdout.contains("base.html → base.html"), "{}", run.stdout);
    assert!(run.stdout.contains("= help:"), "{}", run.stdout);
}

#[test]
fn templates_including_each_other_are_an_error() {
    let kb = KbTest::new()
        .file("incidents/a.md", GOOD_RECORD)
        .file("templates/404.html", "{% include \"part.html\" %}")
        .file("templates/part.html", "x\n{%- include \"404.html\" -%}");
    both_refuse(&kb, "templates/part.html:2:1");
}

#[test]
fn a_recursive_macro_is_an_error() {
    let macros = include_str!("../../themes/default/templates/macros.html").to_string()
        + "\n{% macro forever(n) %}{{ self::forever(n=n) }}{% endmacro forever %}\n";
    let kb = KbTest::new()
        .file("incidents/a.md", GOOD_RECORD)
        .file("templates/macros.html", macros)
        .file("templates/404.html", "{% import \"macros.html\" as m %}{{ m::forever(n=1) }}");
    both_refuse(&kb, "macros.html::forever → macros.html::forever");
}

#[test]
fn a_runaway_loop_stops_with_an_error() {
    let kb = KbTest::new().file("incidents/a.md", GOOD_RECORD).file(
        "templates/404.html",
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{{ i }}{% endfor %}{% endfor %}",
    );
    let run = build(&kb);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[template]") && run.stderr.contains("range()"), "{}", run.stderr);
    assert!(run.stderr.contains("templates/404.html"), "{}", run.stderr);
}

#[test]
fn check_compiles_the_templates_as_build_does() {
    let kb = KbTest::new().file("incidents/a.md", GOOD_RECORD).file("templates/base.html", "{% block main %}");
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("error[template]"), "{}", run.stdout);
}

/// A file outside the knowledge base, standing for `/etc/passwd`.
#[cfg(unix)]
fn secret() -> (tempfile::TempDir, std::path::PathBuf) {
    let outside = tempfile::tempdir().unwrap();
    let path = outside.path().join("passwd");
    std::fs::write(&path, "root:x:0:0:SECRET\n").unwrap();
    std::fs::create_dir_all(outside.path().join("records")).unwrap();
    std::fs::write(outside.path().join("records/b.md"), GOOD_RECORD.replace("2025-03-checkout", "b")).unwrap();
    (outside, path)
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_knowledge_base_are_refused() {
    use std::os::unix::fs::symlink;
    let (outside, passwd) = secret();
    for (link, target) in [
        ("static/x", passwd.clone()),
        ("static/etc", outside.path().to_path_buf()),
        ("templates/404.html", passwd.clone()),
        ("incidents/more", outside.path().join("records")),
        ("casebook.toml", passwd.clone()),
    ] {
        let kb = KbTest::new().file("incidents/a.md", GOOD_RECORD);
        let at = kb.path().join(link);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        symlink(&target, &at).unwrap();
        let run = build(&kb);
        assert_eq!(run.code, 1, "{link}: {}", run.stderr);
        let shown =
            format!("symbolic link leads out of the knowledge base, to {}", target.canonicalize().unwrap().display());
        assert!(run.stderr.contains("error[link-outside]") && run.stderr.contains(&shown), "{link}: {}", run.stderr);
        assert!(run.stderr.contains(link) && run.stderr.contains("= help:"), "{link}: {}", run.stderr);
        assert!(!run.stderr.contains("SECRET"), "{link}: {}", run.stderr);
        assert!(!kb.path().join("public").exists(), "{link}");
        assert_eq!(kb.check(&[]).code, 1, "{link}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_knowledge_base_keep_working() {
    use std::os::unix::fs::symlink;
    let kb = KbTest::new()
        .file("incidents/a.md", GOOD_RECORD)
        .file("shared/robots.txt", "User-agent: *\n")
        .file("shared/404.html", "{% extends \"base.html\" %}{% block main %}shared 404{% endblock main %}");
    std::fs::create_dir_all(kb.path().join("static")).unwrap();
    std::fs::create_dir_all(kb.path().join("templates")).unwrap();
    symlink(kb.path().join("shared/robots.txt"), kb.path().join("static/robots.txt")).unwrap();
    symlink("../shared/404.html", kb.path().join("templates/404.html")).unwrap();
    symlink("../shared", kb.path().join("static/shared")).unwrap();
    let run = build(&kb);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = kb.path().join("public");
    assert_eq!(std::fs::read_to_string(public.join("robots.txt")).unwrap(), "User-agent: *\n");
    assert!(public.join("shared/robots.txt").is_file());
    assert!(std::fs::read_to_string(public.join("404.html")).unwrap().contains("shared 404"));
}

/// A record whose text is written to take over a terminal, and to run in a spreadsheet.
fn hostile_record() -> String {
    GOOD_RECORD
        .replace(
            "title = \"Checkout errors after payments database failover\"",
            "title = \"Checkout errors \\u001b]0;pwned\\u0007after \\u001b[2Jfailover\"",
        )
        .replace("owner = \"dana\"\ndue", "owner = \"dana\\u001b[8m\"\ndue")
        .replace(
            "summary = \"Subscribe the pool to promotion events\"",
            "summary = \"=HYPERLINK(\\\"http://evil\\\") \\u001b[31mred\\u009b\"",
        )
        .replace("status = \"done\"\ncompleted = 2025-04-02\n", "status = \"open\"\n")
}

fn assert_no_controls(what: &str, text: &str) {
    assert!(!text.contains(['\u{1b}', '\u{7}', '\u{9b}']), "{what} prints control characters: {text:?}");
}

#[test]
fn record_text_reaches_the_terminal_escaped() {
    let kb = KbTest::new().file("incidents/a.md", hostile_record());
    let at = kb.path().to_str().unwrap();
    for args in [
        vec!["actions", at, "--today", TODAY],
        vec!["actions", at, "--today", TODAY, "--format", "csv"],
        vec!["report", at, "--today", TODAY, "--all"],
        vec!["report", at, "--today", TODAY, "--all", "--format", "markdown"],
        vec!["search", "checkout", at, "--today", TODAY],
        vec!["actions", at, "--today", TODAY, "--owner", "dana\u{1b}[8"],
    ] {
        let run = casebook(kb.path(), &args);
        assert_no_controls(&args.join(" "), &(run.stdout.clone() + &run.stderr));
        assert!(run.code != 2 || args.contains(&"--owner"), "{args:?}: {}", run.stderr);
    }
    let text = casebook(kb.path(), &["actions", at, "--today", TODAY]).stdout;
    assert!(text.contains("dana\\e[8m") && text.contains("\\e[31mred\\u{9b}"), "{text}");
    let found = casebook(kb.path(), &["search", "checkout", at, "--today", TODAY]).stdout;
    assert!(found.contains("Checkout errors \\e]0;pwned\\u{7}after \\e[2Jfailover"), "{found}");
    let report = casebook(kb.path(), &["report", at, "--today", TODAY, "--all"]).stdout;
    assert!(report.contains("\\e[31mred"), "{report}");
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised() {
    let kb = KbTest::new().file("incidents/a.md", hostile_record());
    let run = casebook(kb.path(), &["actions", ".", "--today", TODAY, "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(",\"'=HYPERLINK(\"\"http://evil\"\") \\e[31mred\\u{9b}\"\r\n"), "{}", run.stdout);
    assert!(!run.stdout.contains(",=") && !run.stdout.contains(",\"="), "{}", run.stdout);
}

#[test]
fn check_shows_source_lines_escaped_and_cut_around_the_column() {
    let long = "x".repeat(1_000_000);
    let record = GOOD_RECORD.replace(
        "summary = \"A replica",
        &format!("summary = \"{long}\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J{long}\"\nold = \"A replica"),
    );
    let kb = KbTest::new().file("incidents/a.md", record);
    let run = kb.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_no_controls("check", &run.stdout);
    assert!(run.stdout.contains("\\e]52;c;"), "{}", &run.stdout[..run.stdout.len().min(2000)]);
    assert!(run.stdout.len() < 10_000, "check echoes {} bytes", run.stdout.len());
    assert!(run.stdout.contains('…'), "{}", run.stdout);
}

#[test]
fn import_reports_source_names_escaped() {
    let kb = KbTest::new().file("incidents/.keep", "");
    let sources = tempfile::tempdir().unwrap();
    let name = sources.path().join("evil\u{1b}]0;x\u{7}.md");
    std::fs::write(&name, "# Postmortem: Checkout \u{1b}[2J outage\n\n## Summary\n\nIt broke.\n").unwrap();
    let run = casebook(kb.path(), &["import", name.to_str().unwrap(), "--into", ".", "--today", TODAY, "--dry-run"]);
    assert_no_controls("import", &(run.stdout.clone() + &run.stderr));
    assert!(run.stdout.contains("evil\\e]0;x\\u{7}.md"), "{}", run.stdout);
}

/// The `(code, message)` of every error `check --format json` reports.
fn errors(kb: &KbTest) -> Vec<(String, String)> {
    let run = kb.check(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["message"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_taxonomy_of_20_000_categories_is_checked_correctly() {
    let mut config = String::from("[site]\ntitle = \"Big\"\n");
    for i in 0..20_000 {
        config.push_str(&format!("[[categories]]\nname = \"cat-{i}\"\n"));
    }
    let record =
        |category: &str| GOOD_RECORD.replace("categories = [\"database\"]", &format!("categories = [\"{category}\"]"));
    let kb = KbTest::new()
        .file("casebook.toml", &config)
        .file("incidents/a.md", record("cat-12345"))
        .file("incidents/b.md", record("cat-19999"))
        .file("incidents/c.md", record("cat-20000"));
    let unknown = ("unknown-category".to_string(), "category `cat-20000` is not in the taxonomy".to_string());
    assert_eq!(errors(&kb), [unknown]);
    let twice = KbTest::new()
        .file("casebook.toml", config.clone() + "[[categories]]\nname = \"cat-19999\"\n")
        .file("incidents/a.md", record("cat-1"));
    assert_eq!(errors(&twice), [("config".to_string(), "category `cat-19999` is declared twice".to_string())]);
}

#[test]
fn control_characters_never_reach_the_feed() {
    let kb = KbTest::new().file(
        "incidents/a.md",
        GOOD_RECORD
            .replace("Checkout errors after", "Checkout \\u0000errors\\u001b after\\uFFFF")
            .replace("A replica promotion", "A \\u0008replica\\u000b promotion"),
    );
    let run = build(&kb);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in ["feed.xml", "sitemap.xml"] {
        let xml = std::fs::read_to_string(kb.path().join("public").join(file)).unwrap();
        let bad: Vec<char> = xml
            .chars()
            .filter(|&c| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}'))
            .collect();
        assert!(bad.is_empty(), "{file} holds {bad:?}");
    }
    let feed = std::fs::read_to_string(kb.path().join("public/feed.xml")).unwrap();
    assert!(feed.contains("Checkout errors after"), "{feed}");
    assert!(feed.contains("A replica promotion"), "{feed}");
}
