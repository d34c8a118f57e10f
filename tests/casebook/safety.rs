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
        .file("templates/base.html", "<!doctype html>\n  {% extends \"base.html\" %}\n");
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
    let kb = KbTest::new().file("incidents/a.md", GOOD_RECORD).file("templates/macros.html", macros);
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
