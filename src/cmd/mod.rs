//! The commands: parse the command line, run the one asked for, print, and
//! turn the outcome into an exit code.
//!
//! Layer L8, the top: it may use every other module, and nothing uses it but
//! the binary (`src/main.rs` calls [`run`]). Each command has its own file,
//! which turns its [`crate::cli`] arguments into the library's options,
//! calls the stages and prints; this file holds what they share: the exit
//! codes, colour, the date, and loading a knowledge base that must be free
//! of errors. The layers below return typed errors; this is where they
//! become the sentences users read, so every message is decided in one
//! layer. Exit codes: 0 success, 1 content problems (errors, or warnings
//! under `--strict`), 2 usage or internal errors. Output is coloured only on
//! a terminal (and never with `NO_COLOR`); a closed pipe (`casebook check |
//! head`) ends quietly.

mod actions;
mod build;
mod check;
mod import;
mod init;
mod new;
mod report;
mod search;
mod serve;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Parser;

use crate::cli::{Cli, ColorChoice, Command, TodayArg};
use crate::diagnostics::{self, Diagnostics, Style};
use crate::load::{self, LoadOptions};

/// Run the command line of this process; what the binary does.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            // Messages may quote the records (an owner, an id): shown escaped.
            eprintln!("error: {}", diagnostics::terminal_safe(&message));
            ExitCode::from(2)
        }
    }
}

/// Run a parsed command line.
fn dispatch(cli: Cli) -> Result<ExitCode, Failure> {
    let style = style_for(cli.color, std::io::stdout().is_terminal());
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Search(args) => search::run(args, style),
        Command::Check(args) => check::run(args, style),
        Command::Actions(args) => actions::run(args, style),
        Command::Report(args) => report::run(args, style),
        Command::Init(args) => init::run(args),
        Command::New(args) => new::run(args),
        Command::Import(args) => import::run(args, style),
    }
}

/// Why a command could not do its job (content problems are not failures: they exit 1).
#[derive(Debug)]
enum Failure {
    /// Exit 2 with `error: ` and this message.
    Usage(String),
    /// The reader went away (`| head`): stop quietly, exit 0.
    BrokenPipe,
}

impl Failure {
    /// A failure whose message is the error's own.
    fn usage(e: impl std::fmt::Display) -> Self {
        Failure::Usage(e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe { Failure::BrokenPipe } else { Failure::usage(e) }
    }
}

fn style_for(choice: ColorChoice, terminal: bool) -> Style {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    if on { Style::colored() } else { Style::plain() }
}

/// The build date: `--today`, else `SOURCE_DATE_EPOCH`, else the clock.
fn today(arg: &TodayArg) -> Result<NaiveDate, Failure> {
    if let Some(day) = arg.today {
        return Ok(day);
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => epoch
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .map(|dt| dt.date_naive())
            .ok_or_else(|| {
                Failure::Usage(format!("SOURCE_DATE_EPOCH=`{epoch}` is not a number of seconds since 1970"))
            }),
        Err(_) => Ok(chrono::Utc::now().date_naive()),
    }
}

/// Every diagnostic, sorted, one rendering each.
fn write_diagnostics(out: &mut impl Write, diags: &Diagnostics, style: Style) -> std::io::Result<()> {
    for d in diags.sorted() {
        writeln!(out, "{}", diagnostics::render_human(&d, style))?;
    }
    Ok(())
}

/// `value` as pretty JSON, on a line of its own.
fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(Failure::usage)?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// Load a knowledge base for a read-only command: records with errors would
/// make the figures wrong, so they stop it (exit 2) with a pointer to `check`.
fn load_clean(dir: &Path, today: NaiveDate, drafts: bool) -> Result<load::Loaded, Failure> {
    let loaded = load::load(dir, LoadOptions { today }).map_err(Failure::usage)?;
    clean(dir, loaded, drafts)
}

/// [`load_clean`] for a command that reads the detected similarity too.
fn check_clean(dir: &Path, today: NaiveDate, drafts: bool) -> Result<crate::build::Checked, Failure> {
    let checked = crate::build::check(dir, today).map_err(Failure::usage)?;
    let loaded = clean(dir, checked.loaded, drafts)?;
    Ok(crate::build::Checked { loaded, similarity: checked.similarity, theme: checked.theme })
}

fn clean(dir: &Path, mut loaded: load::Loaded, drafts: bool) -> Result<load::Loaded, Failure> {
    if loaded.diagnostics.has_errors() {
        return Err(Failure::Usage(format!(
            "{} has {} errors; run `casebook check {}` and fix them first",
            dir.display(),
            loaded.diagnostics.error_count(),
            dir.display()
        )));
    }
    if !drafts {
        loaded.kb.incidents.retain(|i| i.status != crate::model::RecordStatus::Draft);
    }
    Ok(loaded)
}
