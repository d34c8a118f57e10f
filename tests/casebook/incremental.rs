//! Rebuilds that reuse cached pages equal full builds, byte for byte, after
//! every kind of edit `serve` sees.

use std::collections::BTreeMap;
use std::path::Path;

use casebook::build::{BuildOptions, SiteBuilder};
use casebook::render::MemorySink;

use crate::support::{GOOD_RECORD, KbTest};

fn options() -> BuildOptions {
    BuildOptions { today: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), drafts: false, strict: false }
}

fn files(builder: &mut SiteBuilder) -> BTreeMap<String, Vec<u8>> {
    let sink = MemorySink::default();
    let rendered = builder.render(&|_| {}, &sink).unwrap_or_else(|e| panic!("build failed: {e:?}"));
    let files: BTreeMap<String, Vec<u8>> = sink.into_files().into_iter().map(|f| (f.path, f.bytes)).collect();
    assert_eq!(rendered.paths, files.keys().cloned().collect::<Vec<_>>(), "the build reports what it wrote");
    files
}

/// The rebuild equals a one-off build from scratch, which caches nothing.
fn assert_same(incremental: &BTreeMap<String, Vec<u8>>, dir: &Path, step: &str) {
    let full = files(&mut SiteBuilder::single(dir, options()));
    assert_eq!(incremental.keys().collect::<Vec<_>>(), full.keys().collect::<Vec<_>>(), "{step}: different files");
    for (path, bytes) in &full {
        assert!(&incremental[path] == bytes, "{step}: {path} differs from a full build");
    }
}

#[test]
fn incremental_rebuilds_equal_full_builds_after_every_kind_of_edit() {
    let kb = KbTest::copy_of("site-links");
    let dir = kb.path();
    let mut builder = SiteBuilder::new(dir, options());
    let first = files(&mut builder);
    assert_same(&first, dir, "initial");

    let edit = |rel: &str, from: &str, to: &str| {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no {from}");
        std::fs::write(path, text.replace(from, to)).unwrap();
    };
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step<'_>> = vec![
        ("change a record's body", Box::new(|| edit("incidents/first.md", "The pool *kept*", "The pool **kept**"))),
        (
            "change a title shown on many pages",
            Box::new(|| edit("incidents/third.md", "Resolver timeouts", "Resolver timeouts at peak")),
        ),
        ("add a record", Box::new(|| std::fs::write(dir.join("incidents/new.md"), GOOD_RECORD).unwrap())),
        (
            "rename a record",
            Box::new(|| std::fs::rename(dir.join("incidents/new.md"), dir.join("incidents/renamed.md")).unwrap()),
        ),
        ("delete a record", Box::new(|| std::fs::remove_file(dir.join("incidents/renamed.md")).unwrap())),
        (
            "add a recurrence link",
            Box::new(|| {
                edit("incidents/third.md", "no_actions_reason", "recurrence_of = [\"first\"]\nno_actions_reason")
            }),
        ),
        (
            "change a template",
            Box::new(|| {
                std::fs::create_dir_all(dir.join("templates")).unwrap();
                std::fs::write(
                    dir.join("templates/macros.html"),
                    casebook::render::theme::TEMPLATES
                        .iter()
                        .find(|(n, _)| *n == "macros.html")
                        .unwrap()
                        .1
                        .replace("badge sev", "badge severity-badge sev"),
                )
                .unwrap();
            }),
        ),
        ("change the config", Box::new(|| edit("casebook.toml", "Links fixture", "Links fixture, renamed"))),
        ("remove the template override", Box::new(|| std::fs::remove_file(dir.join("templates/macros.html")).unwrap())),
    ];
    for (step, apply) in steps {
        apply();
        let incremental = files(&mut builder);
        assert_same(&incremental, dir, step);
    }
    // The cache was used: after the last step most pages were reusable.
    assert!(builder.cached_pages() > 10, "{} pages cached", builder.cached_pages());
}

#[test]
fn a_saved_record_is_previewed_on_its_own_before_the_full_rebuild() {
    let kb = KbTest::copy_of("site-links");
    let dir = kb.path().canonicalize().unwrap();
    let mut builder = SiteBuilder::new(&dir, options());
    files(&mut builder);
    let record = dir.join("incidents/first.md");
    let text = std::fs::read_to_string(&record).unwrap();
    // The narrative is outside the similarity text: the preview, which keeps
    // the last build's similar incidents, must then equal the full rebuild.
    std::fs::write(&record, text.replace("The pool *kept* the old primary.", "The pool *pinned* the fenced primary."))
        .unwrap();
    let preview = builder.preview_record(&record).expect("a preview");
    let paths: Vec<&str> = preview.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["incidents/first/index.html", "incidents/first/brief/index.html"]);
    assert!(String::from_utf8_lossy(&preview[0].bytes).contains("The pool <em>pinned</em> the fenced primary."));
    // The preview page equals the full rebuild's page for the same input.
    let full = files(&mut builder);
    assert!(full["incidents/first/index.html"] == preview[0].bytes, "the preview differs from the full build");
    // No preview for a record with an error, or one the last build did not have.
    std::fs::write(&record, text.replace("severity = \"SEV2\"", "severity = \"SEV2")).unwrap();
    assert!(builder.preview_record(&record).is_none());
    std::fs::write(dir.join("incidents/new.md"), GOOD_RECORD).unwrap();
    assert!(builder.preview_record(&dir.join("incidents/new.md")).is_none());
}
