//! `casebook check`: load, analyse and check every record, then print all
//! the problems at once, as text or JSON.
//!
//! Layer L8 (see `cmd/mod.rs`). The work is `build::check`, the same checks
//! a build runs, so `check` passing means `build` will too; this file only
//! prints them and decides the exit code: 1 when there are errors (or
//! warnings under `--strict`).

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::Failure;
use crate::build::{self, Checked};
use crate::cli::{CheckArgs, Format};
use crate::diagnostics::{self, Style};

pub(super) fn run(args: CheckArgs, style: Style) -> Result<ExitCode, Failure> {
    let CheckArgs { dir, format, strict, timings, today } = args;
    let today = super::today(&today)?;
    let started = Instant::now();
    let Checked { mut loaded, .. } = build::check(&dir, today).map_err(Failure::usage)?;
    if strict {
        loaded.diagnostics.make_strict();
    }
    let diags = &loaded.diagnostics;
    // One write per buffer, not per diagnostic (stdout flushes each line).
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Human => {
            super::write_diagnostics(&mut out, diags, style)?;
            let summary = diagnostics::summary_line(diags, loaded.files);
            let verdict = if diags.has_errors() { "check failed" } else { "check passed" };
            writeln!(out, "{verdict}: {summary}")?;
        }
        Format::Json => {
            let report = serde_json::json!({
                "records": loaded.files,
                "errors": diags.error_count(),
                "warnings": diags.warning_count(),
                "diagnostics": diags.sorted(),
            });
            super::write_json(&mut out, &report)?;
        }
    }
    out.flush()?;
    if timings {
        let loading: Duration = loaded.timings.iter().map(|(_, d)| *d).sum();
        let mut steps = loaded.timings.clone();
        steps.push(("reporting", started.elapsed().saturating_sub(loading)));
        for (step, took) in steps {
            eprintln!("  {step:<22} {:>8.1} ms", took.as_secs_f64() * 1000.0);
        }
        eprintln!("  {:<22} {:>8.1} ms", "total", started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(if diags.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
