//! `casebook report`: the learning metrics of a period, for the periodic
//! incident review, as text, Markdown or JSON.
//!
//! Layer L8 (see `cmd/mod.rs`). The figures are `crate::review`'s (L5);
//! this file settles the period (the last 90 days by default, `--all` for
//! no start) and refuses a knowledge base with errors, whose figures would
//! be wrong.

use std::io::Write;
use std::process::ExitCode;

use super::Failure;
use crate::analyze::Analysis;
use crate::build::Checked;
use crate::cli::{ReportArgs, ReportFormat};
use crate::diagnostics::Style;
use crate::review;

pub(super) fn run(args: ReportArgs, style: Style) -> Result<ExitCode, Failure> {
    let ReportArgs { dir, since, until, all, format, drafts, today } = args;
    let today = super::today(&today)?;
    let until = until.unwrap_or(today);
    let since = if all { None } else { Some(since.unwrap_or(until - chrono::TimeDelta::days(90))) };
    if let Some(s) = since.filter(|s| *s > until) {
        return Err(Failure::Usage(format!("--since {s} is after --until {until}; swap them")));
    }
    let Checked { loaded, similarity, .. } = super::check_clean(&dir, today, drafts)?;
    let analysis = Analysis::new(&loaded.kb, similarity);
    let report = review::report(&loaded.kb, &loaded.config, &analysis, since, until, today);
    let mut out = std::io::stdout().lock();
    match format {
        ReportFormat::Json => super::write_json(&mut out, &report)?,
        ReportFormat::Markdown => write!(out, "{}", review::report_markdown(&report))?,
        ReportFormat::Text => write!(out, "{}", review::report_text(&report, &|s| style.emphasis(s)))?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
