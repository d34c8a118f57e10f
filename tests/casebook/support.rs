//! Running the `casebook` binary, and a small builder for throw-away knowledge bases.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The fixed build date every test uses, so "overdue" and "late" are stable.
pub const TODAY: &str = "2026-11-27";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The example knowledge base `content/` built on `today` into a temporary
/// folder (kept while the first value lives), and its files by path.
pub fn build_example(today: &str) -> (tempfile::TempDir, std::collections::BTreeMap<String, Vec<u8>>) {
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let site = out.path().join("site");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = casebook(root, &["build", "content", "-o", &site.to_string_lossy(), "--today", today]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = crate::build::read_tree(&site);
    (out, tree)
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `casebook ARGS` in `cwd`, without colour and without SOURCE_DATE_EPOCH.
pub fn casebook(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run casebook: {e}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A knowledge base in a temporary directory, built file by file.
pub struct KbTest {
    pub dir: tempfile::TempDir,
}

impl KbTest {
    /// A copy of the fixture `tests/fixtures/<case>`, to edit freely.
    pub fn copy_of(case: &str) -> Self {
        let kb = KbTest::new();
        copy_tree(&fixtures().join(case), kb.path());
        kb
    }

    pub fn new() -> Self {
        KbTest { dir: tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")) }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write `contents` at `relative` (parents created).
    pub fn file(self, relative: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// `casebook ARGS` run inside the knowledge base's parent, with the kb as `kb`.
    pub fn check(&self, extra: &[&str]) -> Run {
        let mut args = vec!["check", ".", "--today", TODAY];
        args.extend_from_slice(extra);
        casebook(self.path(), &args)
    }
}

/// A valid, complete SEV2 record that checks without warnings, to mutate in tests.
pub const GOOD_RECORD: &str = include_str!("../fixtures/clean/incidents/2025-03-checkout-db-failover.md");

/// Copy every file under `from` to the same place under `to`.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("mkdir: {e}"));
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap_or_else(|e| panic!("copy {}: {e}", path.display()));
        }
    }
}
