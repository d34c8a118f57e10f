//! The output directory rules of `casebook build`: one build at a time per
//! `OUT` (a lock file beside it), never a source folder, never a symbolic
//! link, never the current directory, and no leftovers that block later builds.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::build::read_tree;
use crate::support::{GOOD_RECORD, KbTest, TODAY, casebook};

fn site_links() -> PathBuf {
    crate::support::fixtures().join("site-links")
}

fn build_into(kb: &Path, out: &Path) -> crate::support::Run {
    casebook(Path::new(env!("CARGO_MANIFEST_DIR")), &["build", path(kb), "-o", path(out), "--today", TODAY])
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn a_kb() -> KbTest {
    KbTest::new().file("incidents/a.md", GOOD_RECORD)
}

#[test]
fn two_concurrent_builds_into_one_out_never_mix() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    assert_eq!(build_into(&site_links(), &reference).code, 0);
    let expected = read_tree(&reference);
    let site = dir.path().join("site");
    for round in 0..4 {
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_casebook"))
                .args(["build", path(&site_links()), "-o", path(&site), "--today", TODAY])
                .env("NO_COLOR", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let mut runs: Vec<(i32, String)> = [a, b]
            .into_iter()
            .map(|child| {
                let output = child.wait_with_output().unwrap();
                (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
            })
            .collect();
        runs.sort();
        match (&runs[0], &runs[1]) {
            ((0, _), (0, _)) => {}
            ((0, _), (2, refused)) => {
                assert!(refused.contains("another build is writing to"), "round {round}: {refused}")
            }
            other => panic!("round {round}: exit codes and messages {other:?}"),
        }
        let built = read_tree(&site);
        assert_eq!(
            built.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "round {round}: OUT is not one build"
        );
        for (file, bytes) in &expected {
            assert!(&built[file] == bytes, "round {round}: {file} differs from a single build");
        }
        assert_eq!(names(dir.path()), vec!["reference", "site"], "round {round}: leftovers beside OUT");
    }
}

#[test]
fn a_build_waits_for_a_live_lock_then_is_refused() {
    let kb = a_kb();
    let site = kb.path().join("site");
    // The lock of a live process: this test's own.
    let lock = kb.path().join(".site.casebook-lock");
    std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
    let started = std::time::Instant::now();
    let run = build_into(kb.path(), &site);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("another build is writing to"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("process {}", std::process::id())), "{}", run.stderr);
    assert!(started.elapsed() >= std::time::Duration::from_secs(2), "it waited a moment first");
    assert!(!site.exists());
    assert!(lock.is_file(), "another process's lock is left alone");
    assert!(!names(kb.path()).iter().any(|n| n.contains("staging")), "{:?}", names(kb.path()));
}

#[test]
fn a_stale_lock_and_leftovers_of_a_killed_build_are_taken_over() {
    let kb = a_kb();
    let site = kb.path().join("site");
    // A process that has ended: its pid is no longer running.
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_casebook")).arg("--version").stdout(Stdio::null()).spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    std::fs::write(kb.path().join(".site.casebook-lock"), format!("{dead}\n")).unwrap();
    // A staging folder of a build killed before it wrote its marker, under
    // the current naming and under the old one.
    let killed = kb.path().join(format!(".site.casebook-staging-{dead}-1"));
    std::fs::create_dir_all(killed.join("incidents")).unwrap();
    std::fs::write(killed.join("index.html"), "half").unwrap();
    let legacy = kb.path().join(".site.casebook-staging");
    std::fs::create_dir_all(&legacy).unwrap();
    std::fs::write(legacy.join("index.html"), "half").unwrap();
    let run = build_into(kb.path(), &site);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("took over the lock"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("process {dead}")), "{}", run.stderr);
    assert!(site.join("index.html").is_file());
    assert!(!killed.exists(), "the killed build's staging folder is cleaned up");
    assert!(!kb.path().join(".site.casebook-lock").exists(), "the lock is released");
    // One under the old naming, without its marker, may be another
    // version's build: it is left alone, and no longer blocks the build.
    assert!(legacy.join("index.html").is_file());
}

#[test]
fn out_may_not_be_or_hold_a_source_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let kb = out.join("kb");
    std::fs::create_dir_all(kb.join("incidents")).unwrap();
    std::fs::write(kb.join("incidents/a.md"), GOOD_RECORD).unwrap();
    for folder in ["templates", "static", "themes/t"] {
        std::fs::create_dir_all(kb.join(folder)).unwrap();
    }
    // `out` looks like a previous build, so only the new rule can stop it.
    std::fs::write(out.join(".casebook-output"), "").unwrap();
    for (target, why) in [
        (out.clone(), "contains the knowledge base"),
        (kb.clone(), "is the knowledge base"),
        (kb.join("incidents/site"), "the knowledge base's incidents/ folder"),
        (kb.join("templates"), "the knowledge base's templates/ folder"),
        (kb.join("static/site"), "the knowledge base's static/ folder"),
        (kb.join("themes/t/site"), "the knowledge base's themes/ folder"),
        (kb.join("public/../incidents/x"), "the knowledge base's incidents/ folder"),
    ] {
        let run = build_into(&kb, &target);
        assert_eq!(run.code, 2, "-o {}: {}", target.display(), run.stderr);
        assert!(run.stderr.contains(why), "-o {}: {}", target.display(), run.stderr);
        assert!(kb.join("incidents/a.md").is_file(), "-o {} deleted the sources", target.display());
    }
    assert!(!kb.join("incidents/site").exists() && !kb.join("incidents/x").exists());
    assert_eq!(names(&kb.join("incidents")), vec!["a.md"]);
    // The default, DIR/public, and a folder beside the sources are fine.
    let run = casebook(&kb, &["build", ".", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(kb.join("public/index.html").is_file());
    assert_eq!(build_into(&kb, &kb.join("site")).code, 0);
}

#[test]
fn out_may_not_be_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let kb = a_kb();
    for out in [".", "./", "../here"] {
        let run = casebook(&here, &["build", path(kb.path()), "-o", out, "--today", TODAY]);
        assert_eq!(run.code, 2, "-o {out}: {}", run.stderr);
        assert!(run.stderr.contains("the current directory"), "-o {out}: {}", run.stderr);
        assert_eq!(names(dir.path()), vec!["here"], "-o {out} left something beside it");
        assert!(names(&here).is_empty(), "-o {out} left something in it");
    }
    // A folder below it is the way to build from here.
    let run = casebook(&here, &["build", path(kb.path()), "-o", "site", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(names(&here), vec!["site"]);
}

#[test]
#[cfg(unix)]
fn out_may_not_be_a_symbolic_link() {
    let kb = a_kb();
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    assert_eq!(build_into(kb.path(), &real).code, 0);
    let before = read_tree(&real);
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    for out in [&link, &dangling] {
        let run = build_into(kb.path(), out);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
        assert!(std::fs::symlink_metadata(out).unwrap().file_type().is_symlink(), "the link is left as it was");
    }
    assert_eq!(read_tree(&real), before, "the link's target is untouched");
    assert_eq!(names(dir.path()), vec!["dangling", "link", "real"]);
    // A link higher up the path is resolved: the site goes to its target.
    let parent_link = dir.path().join("parent-link");
    std::os::unix::fs::symlink(dir.path(), &parent_link).unwrap();
    let run = build_into(kb.path(), &parent_link.join("other"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.path().join("other/index.html").is_file());
    // And through a link, the sources are still recognised as sources.
    let kb_link = dir.path().join("kb-link");
    std::os::unix::fs::symlink(kb.path(), &kb_link).unwrap();
    let run = build_into(kb.path(), &kb_link.join("incidents/site"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!kb.path().join("incidents/site").exists());
}
