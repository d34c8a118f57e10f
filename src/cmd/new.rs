//! `casebook new`: scaffold a postmortem record, a draft with every
//! section, under `incidents/YEAR/`.
//!
//! Layer L8 (see `cmd/mod.rs`). The record's text and id are
//! `crate::scaffold`'s (L5). The knowledge base is loaded for its taxonomy
//! and the ids already taken, but its content problems do not block
//! scaffolding: a broken record elsewhere should not stop writing a new one.
//! The file is only ever created, never overwritten.

use std::io::Write;
use std::process::ExitCode;

use super::Failure;
use crate::cli::NewArgs;
use crate::load::{self, LoadOptions};
use crate::{scaffold, write};

pub(super) fn run(args: NewArgs) -> Result<ExitCode, Failure> {
    let NewArgs { title, dir, started, today } = args;
    // A back-filled record is named and filed by when the incident started.
    let today = match started {
        Some(day) => day,
        None => super::today(&today)?,
    };
    if title.trim().is_empty() {
        return Err(Failure::Usage("the title is empty: casebook new \"What happened\"".into()));
    }
    let loaded = load::load(&dir, LoadOptions { today }).map_err(|e| {
        Failure::Usage(format!("{e}; create a knowledge base first with `casebook init {}`", dir.display()))
    })?;
    let mut taken: Vec<String> = loaded.kb.incidents.iter().map(|i| i.id.clone()).collect();
    // Files that failed to parse still own their file name.
    let year_dir = dir.join("incidents").join(today.format("%Y").to_string());
    if let Ok(entries) = std::fs::read_dir(&year_dir) {
        taken.extend(entries.flatten().filter_map(|e| e.path().file_stem().map(|s| s.to_string_lossy().into_owned())));
    }
    let id = scaffold::new_record_id(&title, today, &taken);
    let file = scaffold::new_record(&id, title.trim(), today, &loaded.config);
    let created = write::create_new_files(&dir, std::slice::from_ref(&file)).map_err(Failure::usage)?;
    let mut out = std::io::stdout().lock();
    for path in created {
        writeln!(out, "Created {} (id `{id}`, status draft)", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
