//! `casebook actions`: the follow-up actions of every record, filtered, as
//! text, JSON or CSV; with `--fail-on-overdue`, a CI reminder.
//!
//! Layer L8 (see `cmd/mod.rs`). The rows, their order and their text are
//! `crate::review`'s (L5); this file checks the filters against the
//! knowledge base first (an unknown status or owner is a usage error with a
//! suggestion, not an empty list) and decides the exit code.

use std::io::Write;
use std::process::ExitCode;

use super::Failure;
use crate::cli::{ActionsArgs, ListFormat};
use crate::diagnostics::Style;
use crate::model::{ActionStatus, Vocabulary};
use crate::review::{self, ActionFilter};

pub(super) fn run(args: ActionsArgs, style: Style) -> Result<ExitCode, Failure> {
    let ActionsArgs { dir, overdue, owner, status, format, json, csv, fail_on_overdue, drafts, today } = args;
    let format = if json {
        ListFormat::Json
    } else if csv {
        ListFormat::Csv
    } else {
        format
    };
    let today = super::today(&today)?;
    let statuses = status
        .iter()
        .map(|s| {
            ActionStatus::parse(s).ok_or_else(|| {
                let words = ActionStatus::words();
                Failure::Usage(format!("`{s}` is not an action status; use one of: {}", words.join(", ")))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let filter = ActionFilter { overdue, owners: owner, statuses };

    let loaded = super::load_clean(&dir, today, drafts)?;
    let known = review::owners(&loaded.kb);
    for owner in &filter.owners {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(owner)) {
            let hint = crate::diagnostics::suggest(owner, &known)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(Failure::Usage(format!("no action is owned by `{owner}`{hint}")));
        }
    }
    let rows = review::action_rows(&loaded.kb, &filter, today);
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => super::write_json(&mut out, &rows)?,
        ListFormat::Csv => write!(out, "{}", review::actions_csv(&rows))?,
        ListFormat::Text => {
            write!(out, "{}", review::actions_text(&rows, &|s| style.emphasis(s), &|s| style.dim(s)))?;
            writeln!(out, "{} (as of {today})", review::actions_summary(&rows))?;
        }
    }
    out.flush()?;
    let overdue = rows.iter().filter(|r| r.overdue).count();
    if fail_on_overdue && overdue > 0 {
        eprintln!("{overdue} {} overdue", if overdue == 1 { "action is" } else { "actions are" });
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
