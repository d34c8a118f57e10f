//! `casebook init`: create a knowledge base, a config with a starter
//! taxonomy and an example record, in a new or empty directory.
//!
//! Layer L8 (see `cmd/mod.rs`). The files are `crate::scaffold`'s (L5) and
//! `crate::write` (L4) creates them; this file refuses a directory with
//! content before anything is written (init never overwrites) and prints
//! what was created and the next steps.

use std::io::Write;
use std::process::ExitCode;

use super::Failure;
use crate::cli::InitArgs;
use crate::scaffold;
use crate::write::{self, WriteError};

pub(super) fn run(args: InitArgs) -> Result<ExitCode, Failure> {
    let InitArgs { dir, title, today } = args;
    let today = super::today(&today)?;
    if !write::is_missing_or_empty(&dir).map_err(Failure::usage)? {
        let refused = WriteError::NotEmpty(dir);
        return Err(Failure::Usage(format!("{refused}; choose a new directory (init never overwrites)")));
    }
    let files = scaffold::init(&title, today);
    let created = write::create_new_files(&dir, &files).map_err(Failure::usage)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Created a knowledge base in {}:", dir.display())?;
    for path in created.iter().filter(|p| !p.ends_with(".keep")) {
        writeln!(out, "  {}", path.display())?;
    }
    writeln!(out, "\nNext:\n  casebook new \"Your first incident\" --dir {0}\n  casebook check {0}", dir.display())?;
    Ok(ExitCode::SUCCESS)
}
