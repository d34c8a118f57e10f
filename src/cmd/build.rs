//! `casebook build`: run the pipeline into the output directory, with a
//! spinner on a terminal, and report the diagnostics and what was written.
//!
//! Layer L8 (see `cmd/mod.rs`). The pipeline is `crate::build`; this file
//! words its outcome, all on stderr: the diagnostics, the summary line, the
//! timings table. Content errors exit 1 and leave the previous site; any
//! other [`BuildError`] is a usage failure (exit 2) with that error's message.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use super::Failure;
use crate::build::{self, BuildError, BuildOptions, Built};
use crate::cli::{BuildArgs, ColorChoice};
use crate::diagnostics;
use crate::write::WriteError;

pub(super) fn run(args: BuildArgs) -> Result<ExitCode, Failure> {
    let BuildArgs { dir, output, drafts, strict, timings, today } = args;
    let out = output.unwrap_or_else(|| dir.join("public"));
    let options = BuildOptions { today: super::today(&today)?, drafts, strict };
    let stderr_terminal = std::io::stderr().is_terminal();
    let style = super::style_for(ColorChoice::Auto, stderr_terminal);
    let progress = stderr_terminal.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let report = |phase: &str| {
        if let Some(bar) = &progress {
            bar.set_message(phase.to_string());
        }
    };
    let outcome = build::build(&dir, &out, options, report);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let mut err = std::io::stderr().lock();
    match outcome {
        Ok(built) => {
            super::write_diagnostics(&mut err, &built.diagnostics, style)?;
            if let Some(taken) = &built.taken_over {
                let whose = match taken.pid {
                    Some(pid) => format!("process {pid}, which is no longer running"),
                    None => "a build that did not finish".to_string(),
                };
                writeln!(err, "note: took over the lock {} left by {whose}", taken.lock.display())?;
            }
            if let Some(line) = super::check::set_aside_line(&built.set_aside) {
                writeln!(err, "{line}")?;
            }
            writeln!(err, "{}", summary_line(&built, &out))?;
            if timings {
                write!(err, "{}", timings_table(&built))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(BuildError::Content(diags)) => {
            super::write_diagnostics(&mut err, &diags, style)?;
            writeln!(
                err,
                "build failed: {}; {} left untouched",
                diagnostics::summary_line(&diags, 0).replace(" in 0 records", ""),
                out.display()
            )?;
            Ok(ExitCode::from(1))
        }
        Err(BuildError::Write(e)) => Err(Failure::Usage(write_failure(&e, &dir))),
        Err(e) => Err(Failure::usage(e)),
    }
}

/// Why the output directory was refused, for people; `dir` is the knowledge base.
fn write_failure(e: &WriteError, dir: &Path) -> String {
    const WHOLE: &str = "a build replaces the output directory as a whole";
    let default = dir.join("public");
    match e {
        WriteError::Symlink { out, target } => format!(
            "{} is a symbolic link (to {}); {WHOLE}, so it neither replaces a link nor builds through one: give the target itself, `-o {}`",
            out.display(),
            target.display(),
            target.display()
        ),
        WriteError::HoldsWorkingDir(out) => format!(
            "{} is the current directory, or holds it; {WHOLE}, which would leave you in a deleted directory: build into a folder below it (`-o public`) or from elsewhere",
            out.display()
        ),
        WriteError::Root(out) => {
            format!("{} has no parent directory to build beside; build into a folder below it", out.display())
        }
        WriteError::IsSources { out, .. } => format!(
            "{} is the knowledge base itself; {WHOLE} and would delete its sources: choose another --output (the default is {})",
            out.display(),
            default.display()
        ),
        WriteError::HoldsSources { out, kept } => format!(
            "{} contains the knowledge base's sources ({}); {WHOLE} and would delete them: choose another --output (the default is {})",
            out.display(),
            kept.display(),
            default.display()
        ),
        WriteError::InSources { out, name, folder } => format!(
            "{} is in the knowledge base's {name}/ folder ({}), where the site would be taken for sources: choose another --output (the default is {})",
            out.display(),
            folder.display(),
            default.display()
        ),
        WriteError::Locked { out, lock, pid, waited } => {
            let holder = pid.map(|pid| format!("process {pid}, ")).unwrap_or_default();
            format!(
                "another build is writing to {} ({holder}lock file {}); gave up after {:.0} s. Run this build again once it has finished; if no build is running, remove {}",
                out.display(),
                lock.display(),
                waited.as_secs_f64(),
                lock.display()
            )
        }
        other => other.to_string(),
    }
}

/// `built 12 incidents into public: 40 pages, 52 files, 1.2 MB in 0.31 s, 1 warning`.
fn summary_line(built: &Built, out: &Path) -> String {
    let warnings = match built.diagnostics.warning_count() {
        0 => String::new(),
        1 => ", 1 warning".to_string(),
        n => format!(", {n} warnings"),
    };
    format!(
        "built {} incidents into {}: {} pages, {} files, {:.1} MB in {:.2} s{warnings}",
        built.incidents,
        out.display(),
        built.pages,
        built.files,
        built.bytes as f64 / 1_000_000.0,
        built.elapsed.as_secs_f64()
    )
}

/// One line per phase: `  rendering pages      412 ms`.
fn timings_table(built: &Built) -> String {
    let width = built.timings.iter().map(|(phase, _)| phase.chars().count()).max().unwrap_or(0).max(22);
    built.timings.iter().map(|(phase, d)| format!("  {phase:<width$} {:>8.1} ms\n", d.as_secs_f64() * 1000.0)).collect()
}
