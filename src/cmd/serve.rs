//! `casebook serve`: the live preview, until Ctrl-C.
//!
//! Layer L8 (see `cmd/mod.rs`). The server, the watcher and their messages
//! while running are `crate::serve`'s (L6); this file only turns the
//! arguments into its options and a [`crate::serve::ServeError`] that stops
//! it before it serves (a missing directory, a port in use) into exit 2.

use std::process::ExitCode;

use super::Failure;
use crate::build::BuildOptions;
use crate::cli::ServeArgs;
use crate::serve::{self, ServeOptions};

pub(super) fn run(args: ServeArgs) -> Result<ExitCode, Failure> {
    let ServeArgs { dir, port, bind, open, drafts, today } = args;
    let build = BuildOptions { today: super::today(&today)?, drafts, strict: false };
    serve::run(ServeOptions { dir, bind, port, open, build }).map_err(Failure::usage)?;
    Ok(ExitCode::SUCCESS)
}
