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
    let CheckArgs { dir, format, strict, summary, timings, today } = args;
    let today = super::today(&today)?;
    let started = Instant::now();
    let Checked { mut loaded, .. } = build::check(&dir, today).map_err(Failure::usage)?;
    // History cannot satisfy today's policy: on imported records those
    // warnings are counted, not listed (strict lists them, as errors).
    let aside = if strict { build::SetAside::default() } else { build::set_aside_history(&mut loaded, &dir) };
    if strict {
        loaded.diagnostics.make_strict();
    }
    let diags = &loaded.diagnostics;
    // One write per buffer, not per diagnostic (stdout flushes each line).
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Human => {
            if summary {
                write_counts(&mut out, diags)?;
            } else {
                super::write_diagnostics(&mut out, diags, style)?;
            }
            if let Some(line) = set_aside_line(&aside) {
                writeln!(out, "{line}")?;
            }
            let summary = diagnostics::summary_line(diags, loaded.files);
            let verdict = if diags.has_errors() { "check failed" } else { "check passed" };
            writeln!(out, "{verdict}: {summary}")?;
        }
        Format::Json => {
            let report = serde_json::json!({
                "records": loaded.files,
                "errors": diags.error_count(),
                "warnings": diags.warning_count(),
                "diagnostics": if summary { Vec::new() } else { diags.sorted() },
                "counts": diags.counts().into_iter().map(|((code, severity), n)| serde_json::json!({"code": code, "severity": severity, "count": n})).collect::<Vec<_>>(),
                "set_aside": { "records": aside.records, "counts": aside.counts },
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

/// One line per code: how many errors and warnings of it, most first.
fn write_counts(out: &mut impl Write, diags: &diagnostics::Diagnostics) -> std::io::Result<()> {
    let mut counts: Vec<((&str, diagnostics::Severity), usize)> = diags.counts().into_iter().collect();
    counts.sort_by(|a, b| a.0.1.cmp(&b.0.1).then(b.1.cmp(&a.1)).then(a.0.0.cmp(b.0.0)));
    for ((code, severity), n) in counts {
        writeln!(out, "{n:>6} {:<7} {code}", severity.label())?;
    }
    Ok(())
}

/// The note on warnings set aside on imported records, if any were.
pub(super) fn set_aside_line(aside: &build::SetAside) -> Option<String> {
    if aside.total() == 0 {
        return None;
    }
    let by_code: Vec<String> = aside.counts.iter().map(|(code, n)| format!("{code} {n}")).collect();
    Some(format!(
        "note: {} policy warnings on {} imported records set aside, as their history cannot satisfy them ({}); --strict lists them",
        aside.total(),
        aside.records,
        by_code.join(", ")
    ))
}
