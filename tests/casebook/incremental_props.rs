//! Property: any sequence of edits `serve` sees ends in a site byte-identical
//! to a fresh build of the same directory.
//!
//! Each case starts from the `site-links` fixture, keeps one reusing
//! [`SiteBuilder`] (as `serve` does), applies 1–8 edits drawn with a seeded
//! xorshift from a fixed list, and after each edit previews the edited record
//! (when `serve` would) and rebuilds into a [`MemorySink`]. Every rebuild,
//! and so the final site, is compared file by file with a one-off build of
//! the same directory (both must fail, or both succeed with the same bytes).
//! A sequence that leaves the knowledge base broken is repaired at the end
//! (broken records restored, links dropped), so each ends with a site. A
//! failure names the seed and the edits; `replay_incremental_seed` runs one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use casebook::build::{BuildError, BuildOptions, SiteBuilder};
use casebook::render::MemorySink;

use crate::support::{GOOD_RECORD, KbTest};

/// Sequences run by the property test.
const SEQUENCES: u64 = 40;

thread_local! {
    /// Quick previews taken on this thread, for the summary line.
    static PREVIEWS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn options() -> BuildOptions {
    BuildOptions { today: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), drafts: false, strict: false }
}

type Site = BTreeMap<String, Vec<u8>>;

fn render(builder: &mut SiteBuilder) -> Result<Site, BuildError> {
    let sink = MemorySink::default();
    builder.render(&|_| {}, &sink)?;
    Ok(sink.into_files().into_iter().map(|f| (f.path, f.bytes)).collect())
}

/// xorshift64*: small, seeded, deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { items.get(self.below(items.len())) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Title,
    Remedy,
    Body,
    AddLink,
    RemoveLink,
    AddRecord,
    DeleteRecord,
    RenameRecord,
    Service,
    Draft,
    Break,
    Fix,
    Template,
    Static,
    Config,
}

const KINDS: &[Kind] = &[
    Kind::Title,
    Kind::Remedy,
    Kind::Body,
    Kind::AddLink,
    Kind::RemoveLink,
    Kind::AddRecord,
    Kind::DeleteRecord,
    Kind::RenameRecord,
    Kind::Service,
    Kind::Draft,
    Kind::Break,
    Kind::Fix,
    Kind::Template,
    Kind::Static,
    Kind::Config,
];

/// What one edit did: its description, and the record `serve` would preview.
struct Applied {
    what: String,
    record: Option<PathBuf>,
    /// Only records changed (`serve` previews only then).
    records_only: bool,
}

/// The knowledge base under edit, and what the edits need to remember.
struct Kb {
    dir: PathBuf,
    /// Records broken by [`Kind::Break`], with their text before.
    broken: BTreeMap<PathBuf, String>,
    /// A counter making every edit's new text unique.
    n: usize,
}

impl Kb {
    fn records(&self) -> Vec<PathBuf> {
        let mut records: Vec<PathBuf> = std::fs::read_dir(self.dir.join("incidents"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        records.sort();
        records
    }

    /// Records that parse (not broken): the ones text edits apply to.
    fn editable(&self) -> Vec<PathBuf> {
        self.records().into_iter().filter(|p| !self.broken.contains_key(p)).collect()
    }

    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.dir).unwrap().to_string_lossy().into_owned()
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// Replace the front-matter line starting with `key = `, or insert
    /// `line` after the title when there is none. `None` removes the line.
    fn set_line(path: &Path, key: &str, line: Option<&str>) {
        let text = Self::read(path);
        let prefix = format!("{key} = ");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        match (lines.iter().position(|l| l.starts_with(&prefix)), line) {
            (Some(i), Some(new)) => lines[i] = new.to_string(),
            (Some(i), None) => {
                lines.remove(i);
            }
            (None, Some(new)) => {
                let title = lines.iter().position(|l| l.starts_with("title = ")).unwrap();
                lines.insert(title + 1, new.to_string());
            }
            (None, None) => {}
        }
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    /// Apply one edit of `kind`; `None` when it does not apply to this state.
    fn apply(&mut self, kind: Kind, rng: &mut Rng) -> Option<Applied> {
        self.n += 1;
        let n = self.n;
        let record = |what: String, path: &Path| Applied { what, record: Some(path.to_path_buf()), records_only: true };
        let other = |what: String| Applied { what, record: None, records_only: false };
        match kind {
            Kind::Title => {
                let path = rng.pick(&self.editable())?.clone();
                Self::set_line(&path, "title", Some(&format!("title = \"Edited title {n}\"")));
                Some(record(format!("title of {}", self.rel(&path)), &path))
            }
            Kind::Remedy => {
                let path = rng.pick(&self.editable())?.clone();
                let text = Self::read(&path);
                let at = text.find("[[remedies]]\nsummary = \"")? + "[[remedies]]\nsummary = \"".len();
                let end = at + text[at..].find('"')?;
                std::fs::write(&path, format!("{}Remedy text {n}{}", &text[..at], &text[end..])).unwrap();
                Some(record(format!("remedy of {}", self.rel(&path)), &path))
            }
            Kind::Body => {
                let path = rng.pick(&self.editable())?.clone();
                let mut text = Self::read(&path);
                text.push_str(&format!("\nEdit *{n}* of the narrative.\n"));
                std::fs::write(&path, text).unwrap();
                Some(record(format!("body of {}", self.rel(&path)), &path))
            }
            Kind::AddLink => {
                let records = self.editable();
                let path = rng.pick(&records)?.clone();
                let targets: Vec<&PathBuf> = records.iter().filter(|p| **p != path).collect();
                let target = (*rng.pick(&targets)?).clone();
                let id = target.file_stem().unwrap().to_string_lossy().into_owned();
                Self::set_line(&path, "recurrence_of", Some(&format!("recurrence_of = [\"{id}\"]")));
                Some(record(format!("link {} to {id}", self.rel(&path)), &path))
            }
            Kind::RemoveLink => {
                let linked: Vec<PathBuf> =
                    self.editable().into_iter().filter(|p| Self::read(p).contains("\nrecurrence_of = ")).collect();
                let path = rng.pick(&linked)?.clone();
                Self::set_line(&path, "recurrence_of", None);
                Some(record(format!("unlink {}", self.rel(&path)), &path))
            }
            Kind::AddRecord => {
                let path = self.dir.join(format!("incidents/new-{n}.md"));
                std::fs::write(&path, GOOD_RECORD.replace("Checkout errors", &format!("Checkout errors {n}"))).unwrap();
                Some(record(format!("add {}", self.rel(&path)), &path))
            }
            Kind::DeleteRecord => {
                let records = self.records();
                if records.len() <= 1 {
                    return None;
                }
                let path = rng.pick(&records)?.clone();
                std::fs::remove_file(&path).unwrap();
                self.broken.remove(&path);
                Some(Applied { what: format!("delete {}", self.rel(&path)), record: None, records_only: true })
            }
            Kind::RenameRecord => {
                let path = rng.pick(&self.records())?.clone();
                let to = self.dir.join(format!("incidents/renamed-{n}.md"));
                std::fs::rename(&path, &to).unwrap();
                if let Some(text) = self.broken.remove(&path) {
                    self.broken.insert(to.clone(), text);
                }
                Some(record(format!("rename {} to {}", self.rel(&path), self.rel(&to)), &to))
            }
            Kind::Service => {
                let path = rng.pick(&self.editable())?.clone();
                Self::set_line(&path, "services", Some(&format!("services = [\"service-{}\"]", n % 3)));
                Some(record(format!("service of {}", self.rel(&path)), &path))
            }
            Kind::Draft => {
                let path = rng.pick(&self.editable())?.clone();
                Self::set_line(&path, "status", Some("status = \"draft\""));
                Some(record(format!("make {} a draft", self.rel(&path)), &path))
            }
            Kind::Break => {
                let path = rng.pick(&self.editable())?.clone();
                let text = Self::read(&path);
                std::fs::write(&path, text.replacen("title = \"", "title = ", 1)).unwrap();
                self.broken.insert(path.clone(), text);
                Some(record(format!("break {}", self.rel(&path)), &path))
            }
            Kind::Fix => {
                let broken: Vec<PathBuf> = self.broken.keys().cloned().collect();
                let path = rng.pick(&broken)?.clone();
                let text = self.broken.remove(&path).unwrap();
                std::fs::write(&path, text).unwrap();
                Some(record(format!("fix {}", self.rel(&path)), &path))
            }
            Kind::Template => {
                let path = self.dir.join("templates/macros.html");
                // An override is edited twice as often as removed: a change of
                // its text alone must invalidate the pages.
                if path.exists() && rng.below(3) == 0 {
                    std::fs::remove_file(&path).unwrap();
                    return Some(other("remove templates/macros.html".to_string()));
                }
                std::fs::create_dir_all(self.dir.join("templates")).unwrap();
                let theme =
                    casebook::render::theme::TEMPLATES.iter().find(|(name, _)| *name == "macros.html").unwrap().1;
                std::fs::write(&path, theme.replace("badge sev", &format!("badge edit-{n} sev"))).unwrap();
                Some(other(format!("override templates/macros.html (edit-{n})")))
            }
            Kind::Static => {
                let dir = self.dir.join("static");
                let existing: Vec<PathBuf> = match std::fs::read_dir(&dir) {
                    Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
                    Err(_) => Vec::new(),
                };
                if !existing.is_empty() && rng.below(2) == 0 {
                    let mut existing = existing;
                    existing.sort();
                    let path = rng.pick(&existing)?.clone();
                    std::fs::remove_file(&path).unwrap();
                    return Some(other(format!("remove {}", self.rel(&path))));
                }
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(format!("extra-{n}.txt"));
                std::fs::write(&path, format!("static {n}\n")).unwrap();
                Some(other(format!("add {}", self.rel(&path))))
            }
            Kind::Config => {
                Self::set_line(
                    &self.dir.join("casebook.toml"),
                    "title",
                    Some(&format!("title = \"Links fixture {}\"", n % 2)),
                );
                Some(other("site title".to_string()))
            }
        }
    }

    /// Undo what leaves the knowledge base broken: restore broken records,
    /// then drop recurrence links, then draft markers. So that every
    /// sequence ends with a site to compare.
    fn repair(&mut self) -> Vec<String> {
        let mut done = Vec::new();
        for (path, text) in std::mem::take(&mut self.broken) {
            std::fs::write(&path, text).unwrap();
            done.push(format!("fix {}", self.rel(&path)));
        }
        if !done.is_empty() && SiteBuilder::single(&self.dir, options()).render(&|_| {}, &MemorySink::default()).is_ok()
        {
            return done;
        }
        for path in self.records() {
            for key in ["recurrence_of", "related"] {
                if Self::read(&path).contains(&format!("\n{key} = ")) {
                    Self::set_line(&path, key, None);
                    done.push(format!("drop {key} of {}", self.rel(&path)));
                }
            }
        }
        done
    }
}

/// One case: the edits applied, and the first difference found, if any.
fn run(seed: u64) -> (Vec<String>, Result<(), String>) {
    let kb = KbTest::copy_of("site-links");
    // `serve` sees canonical paths from the watcher.
    let dir = kb.path().canonicalize().unwrap();
    let mut state = Kb { dir: dir.clone(), broken: BTreeMap::new(), n: 0 };
    let mut rng = Rng::new(seed);
    let mut builder = SiteBuilder::new(&dir, options());
    let mut last_ok = render(&mut builder).is_ok();
    assert!(last_ok, "seed {seed}: the fixture builds");

    let count = 1 + rng.below(8);
    let step = |applied: &Applied, builder: &mut SiteBuilder, last_ok: &mut bool| {
        // As the serve loop: preview the saved record first when the last
        // build was good and only records changed, then rebuild everything.
        if *last_ok
            && applied.records_only
            && let Some(path) = &applied.record
            && path.is_file()
            && builder.preview_record(path).is_some()
        {
            PREVIEWS.with(|p| p.set(p.get() + 1));
        }
        let rebuilt = render(builder);
        *last_ok = rebuilt.is_ok();
        // Every rebuild, not only the last, is held to a fresh build.
        let fresh = render(&mut SiteBuilder::single(&dir, options()));
        let same = match (&rebuilt, &fresh) {
            (Ok(rebuilt), Ok(fresh)) => compare(rebuilt, fresh),
            (Err(_), Err(_)) => Ok(()),
            (Ok(_), Err(e)) => Err(format!("the fresh build fails, the rebuild does not: {}", failure(e))),
            (Err(e), Ok(_)) => Err(format!("the rebuild fails, the fresh build does not: {}", failure(e))),
        };
        (same, fresh.is_ok())
    };
    let mut fresh_ok = true;
    let mut log = Vec::new();
    let mark = |ok: bool| if ok { "" } else { " (build failed)" };
    while log.len() < count {
        let kind = *rng.pick(KINDS).unwrap();
        let Some(applied) = state.apply(kind, &mut rng) else { continue };
        let (same, ok) = step(&applied, &mut builder, &mut last_ok);
        fresh_ok = ok;
        log.push(format!("{kind:?}: {}{}", applied.what, mark(last_ok)));
        if same.is_err() {
            return (log, same);
        }
    }
    if !fresh_ok {
        for what in state.repair() {
            let applied = Applied { what, record: None, records_only: false };
            let (same, ok) = step(&applied, &mut builder, &mut last_ok);
            fresh_ok = ok;
            log.push(format!("repair: {}{}", applied.what, mark(last_ok)));
            if same.is_err() {
                return (log, same);
            }
        }
    }
    let outcome = if fresh_ok && last_ok { Ok(()) } else { Err("the repair left the build failing".to_string()) };
    (log, outcome)
}

/// A failed build in one line: its error messages.
fn failure(e: &BuildError) -> String {
    match e {
        BuildError::Content(diags) => {
            let errors: Vec<String> = diags
                .sorted()
                .into_iter()
                .filter(|d| d.severity == casebook::diagnostics::Severity::Error)
                .map(|d| d.message)
                .collect();
            errors.join("; ")
        }
        e => e.to_string(),
    }
}

fn compare(incremental: &Site, full: &Site) -> Result<(), String> {
    let a: Vec<&String> = incremental.keys().collect();
    let b: Vec<&String> = full.keys().collect();
    if a != b {
        let only_incremental: Vec<&&String> = a.iter().filter(|p| !full.contains_key(**p)).collect();
        let only_full: Vec<&&String> = b.iter().filter(|p| !incremental.contains_key(**p)).collect();
        return Err(format!(
            "different files: only in the rebuild {only_incremental:?}, only in the fresh build {only_full:?}"
        ));
    }
    let differing: Vec<&String> =
        full.iter().filter(|(path, bytes)| incremental[*path] != **bytes).map(|(p, _)| p).collect();
    if differing.is_empty() { Ok(()) } else { Err(format!("{} files differ: {differing:?}", differing.len())) }
}

/// Run the case of `seed`; the number of edits it made.
fn check(seed: u64) -> usize {
    let (log, outcome) = run(seed);
    if let Err(e) = outcome {
        panic!(
            "seed {seed}: the rebuild differs from a fresh build: {e}\n\
             replay with CASEBOOK_SEED={seed} cargo test --test casebook replay_incremental_seed -- --ignored\n\
             edits:\n  {}",
            log.join("\n  ")
        );
    }
    log.len()
}

#[test]
fn incremental_rebuilds_after_any_sequence_of_edits_equal_a_fresh_build() {
    let started = std::time::Instant::now();
    let mut edits = 0;
    for seed in 1..=SEQUENCES {
        edits += check(seed);
    }
    let previews = PREVIEWS.with(std::cell::Cell::get);
    eprintln!("{SEQUENCES} sequences, {edits} edits, {previews} previews, {} ms", started.elapsed().as_millis());
}

/// Replays one case: `CASEBOOK_SEED=N cargo test --test casebook replay_incremental_seed -- --ignored --nocapture`.
#[test]
#[ignore = "replays the seed in CASEBOOK_SEED"]
fn replay_incremental_seed() {
    let seed: u64 = std::env::var("CASEBOOK_SEED").expect("CASEBOOK_SEED").parse().expect("a number");
    let (log, outcome) = run(seed);
    eprintln!("seed {seed}:\n  {}", log.join("\n  "));
    if let Err(e) = outcome {
        panic!("seed {seed}: {e}");
    }
}
