//! `casebook import`: bring postmortems written elsewhere into a knowledge
//! base, one record per postmortem.
//!
//! Layer L8. The readers are `crate::import`'s (pure: text in, drafts out);
//! this file reads the sources, skips what an earlier import brought in (by
//! the `[source]` hash every imported record carries), names each new
//! record after its start date and title (`crate::scaffold`), writes them
//! without ever replacing a file (`crate::write`), and reports what was
//! recovered per record and in total, then what `casebook check` says of the
//! result. `--dry-run` reports the same and writes nothing.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Failure;
use crate::cli::{ImportArgs, ImportFormat};
use crate::diagnostics::{Style, terminal_safe};
use crate::import::{self, Context, Format, Imported, Input, Problem};
use crate::load::{self, LoadOptions};
use crate::output::File;
use crate::{scaffold, write};

/// File endings read from a folder.
const READ: &[&str] = &["md", "markdown", "csv", "json"];

pub(super) fn run(args: ImportArgs, style: Style) -> Result<ExitCode, Failure> {
    let today = super::today(&args.today)?;
    let kb = &args.into;
    if !kb.join("incidents").is_dir() {
        return Err(Failure::Usage(format!(
            "{} is not a knowledge base (no incidents/ folder); create one with `casebook init {}`",
            kb.display(),
            kb.display()
        )));
    }
    let loaded = load::load(kb, LoadOptions { today }).map_err(Failure::usage)?;
    let mut taken: Vec<String> = loaded.kb.incidents.iter().map(|i| i.id.clone()).collect();
    taken.extend(record_stems(&kb.join("incidents")));
    let by_hash: HashMap<&str, &str> = loaded
        .kb
        .incidents
        .iter()
        .filter_map(|i| i.imported.as_ref().map(|s| (s.hash.as_str(), i.id.as_str())))
        .collect();
    let by_from: HashMap<&str, &str> = loaded
        .kb
        .incidents
        .iter()
        .filter_map(|i| i.imported.as_ref().map(|s| (s.from.as_str(), i.id.as_str())))
        .collect();

    let (inputs, mut problems) = read_sources(&args.sources);
    let format = match args.format {
        ImportFormat::Auto => Format::Auto,
        ImportFormat::Markdown => Format::Markdown,
        ImportFormat::FrontMatter => Format::FrontMatter,
        ImportFormat::Csv => Format::Csv,
        ImportFormat::Json => Format::Json,
    };
    let (imported, import_problems) = import::import(&inputs, format, &Context { config: &loaded.config });
    problems.extend(import_problems);

    let mut out = std::io::stdout().lock();
    let mut files: Vec<File> = Vec::new();
    let mut written: Vec<&Imported> = Vec::new();
    let mut skipped = 0;
    for item in &imported {
        let draft = &item.draft;
        if let Some(id) = by_hash.get(draft.source.hash.as_str()) {
            writeln!(out, "= {} already imported as {}", terminal_safe(&draft.source.from), terminal_safe(id))?;
            skipped += 1;
            continue;
        }
        if let Some(id) = by_from.get(draft.source.from.as_str()) {
            writeln!(
                out,
                "= {} changed since it was imported as {}: left alone (edit the record)",
                terminal_safe(&draft.source.from),
                terminal_safe(id)
            )?;
            skipped += 1;
            continue;
        }
        let day = draft.started.map_or(today, |s| s.date_naive());
        let id = scaffold::new_record_id(&draft.title, day, &taken);
        taken.push(id.clone());
        let path = format!("incidents/{}/{id}.md", day.format("%Y"));
        let text = match draft.to_record(&id) {
            Ok(text) => text,
            Err(e) => {
                problems.push(Problem {
                    from: draft.source.from.clone(),
                    message: format!("cannot write the record: {e}"),
                });
                continue;
            }
        };
        // The sources' names and text are not ours: shown escaped.
        writeln!(out, "{} {} ← {}", style.emphasis("+"), terminal_safe(&path), terminal_safe(&draft.source.from))?;
        writeln!(out, "    recovered: {}", terminal_safe(&recovered_line(item)))?;
        let needs = draft.needs();
        if !needs.is_empty() {
            writeln!(out, "    needs a person: {}", terminal_safe(&needs.join(", ")))?;
        }
        files.push(File { path, bytes: text.into_bytes() });
        written.push(item);
    }
    for p in &problems {
        writeln!(out, "{} {}: {}", style.emphasis("!"), terminal_safe(&p.from), terminal_safe(&p.message))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", terminal_safe(&summary(&written, skipped, problems.len(), args.dry_run)))?;
    out.flush()?;

    if !args.dry_run && !files.is_empty() {
        write::create_new_files(kb, &files).map_err(Failure::usage)?;
        let mut checked = crate::build::check(kb, today).map_err(Failure::usage)?;
        // Counted as `casebook check` counts them.
        let aside = crate::build::set_aside_history(&mut checked.loaded, kb);
        let d = &checked.loaded.diagnostics;
        writeln!(
            out,
            "casebook check {}: {} errors, {} warnings, {} policy warnings set aside on imported records (run it to see them)",
            kb.display(),
            d.error_count(),
            d.warning_count(),
            aside.total()
        )?;
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn recovered_line(item: &Imported) -> String {
    let mut parts = vec![match item.format {
        Format::Csv => "CSV row".to_string(),
        Format::Json => "JSON object".to_string(),
        Format::FrontMatter => "front matter + headings".to_string(),
        _ => "headings".to_string(),
    }];
    parts.push("title".into());
    parts.extend(item.draft.recovered());
    parts.join(", ")
}

/// The totals: how many records have each part that makes metrics,
/// recurrence and the tracker work, and what most often needs a person.
fn summary(written: &[&Imported], skipped: usize, problems: usize, dry_run: bool) -> String {
    let n = written.len();
    let share = |count: usize| format!("{count}/{n}");
    let count = |f: &dyn Fn(&Imported) -> bool| written.iter().filter(|i| f(i)).count();
    let timeline = count(&|i| !i.draft.timeline.is_empty());
    let actions = count(&|i| !i.draft.actions.is_empty());
    let findings = count(&|i| !i.draft.findings.is_empty());
    let ttr = count(&|i| i.draft.started.is_some() && i.draft.resolved.is_some());
    let mut needs: Vec<(&str, usize)> = Vec::new();
    for i in written {
        for need in i.draft.needs() {
            match needs.iter_mut().find(|(n, _)| *n == need) {
                Some((_, c)) => *c += 1,
                None => needs.push((need, 1)),
            }
        }
    }
    needs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let verb = if dry_run { "would import" } else { "imported" };
    let mut line = format!(
        "{verb} {n} records ({skipped} already imported, {problems} problems): with a timeline {}, actions {}, findings {}, a time to resolve {}",
        share(timeline),
        share(actions),
        share(findings),
        share(ttr)
    );
    if !needs.is_empty() {
        let list: Vec<String> = needs.iter().map(|(need, c)| format!("{need} ({c})")).collect();
        line.push_str(&format!("\nneeds a person: {}", list.join(", ")));
    }
    if dry_run {
        line.push_str("\n(dry run: nothing written)");
    }
    line
}

/// Every source file: files as given, folders walked in name order for the
/// endings import reads. Unreadable and non-UTF-8 files become problems.
fn read_sources(sources: &[PathBuf]) -> (Vec<Input>, Vec<Problem>) {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut problems = Vec::new();
    for source in sources {
        if source.is_dir() {
            let walker = walkdir::WalkDir::new(source).sort_by_file_name().into_iter();
            for entry in walker.filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')) {
                match entry {
                    Ok(e) if e.file_type().is_file() && has_ending(e.path()) => paths.push(e.into_path()),
                    Ok(_) => {}
                    Err(e) => problems.push(Problem {
                        from: e.path().unwrap_or(source).display().to_string(),
                        message: format!("cannot read: {e}"),
                    }),
                }
            }
        } else {
            paths.push(source.clone());
        }
    }
    let mut inputs = Vec::new();
    for path in paths {
        let from = path.display().to_string();
        match std::fs::read(&path) {
            Ok(bytes) if bytes.iter().all(|b| b.is_ascii_whitespace()) => {
                problems.push(Problem { from, message: "the file is empty: nothing to import".into() })
            }
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => inputs.push(Input { from, text }),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    problems.push(Problem {
                        from,
                        message: format!(
                            "not UTF-8 (byte 0x{:02x} at offset {at}); convert it first, e.g. `iconv -f latin1 -t utf-8`",
                            e.as_bytes().get(at).copied().unwrap_or_default()
                        ),
                    });
                }
            },
            Err(e) => problems.push(Problem { from, message: format!("cannot read: {e}") }),
        }
    }
    (inputs, problems)
}

fn has_ending(path: &Path) -> bool {
    path.extension().and_then(|x| x.to_str()).is_some_and(|x| READ.contains(&x.to_ascii_lowercase().as_str()))
}

/// The file names of every record under `dir` (records that do not load still own their name).
fn record_stems(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| e.path().file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect()
}
