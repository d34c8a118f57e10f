//! `casebook report` and `casebook actions`: the learning metrics and the
//! action tracker in the terminal, for the periodic review and for CI.
//!
//! The values come from `analyze::period` (serialised as JSON as they are;
//! the site's review pages show the same ones); this module writes them as
//! text, Markdown or CSV, so every format says the same thing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::TimeDelta;

use crate::analyze::metrics;
pub use crate::analyze::period::{
    ActionFilter, ActionRow, Figures, GuardrailInPlace, Late, Recurrence, Report, Time, action_rows, owners, report,
};
use crate::diagnostics::terminal_safe;
use crate::render::views::human_duration;

/// Text made safe for a terminal ([`terminal_safe`]), owned.
fn safe(text: &str) -> String {
    terminal_safe(text).into_owned()
}

fn safe_opt(text: &Option<String>) -> Option<String> {
    text.as_deref().map(safe)
}

impl ActionRow {
    /// The row with every text of the record made safe for a terminal: what
    /// the text and CSV renderings print.
    fn terminal_safe(&self) -> ActionRow {
        ActionRow {
            incident: safe(&self.incident),
            incident_title: safe(&self.incident_title),
            id: safe(&self.id),
            summary: safe(&self.summary),
            owner: safe_opt(&self.owner),
            finding: safe_opt(&self.finding),
            finding_summary: safe_opt(&self.finding_summary),
            guardrail: safe_opt(&self.guardrail),
            tracker: safe_opt(&self.tracker),
            ..self.clone()
        }
    }
}

/// "224 actions: 12 overdue, 30 open, 178 done, 4 won't do".
pub fn actions_summary(rows: &[ActionRow]) -> String {
    let count = |f: &dyn Fn(&ActionRow) -> bool| rows.iter().filter(|r| f(r)).count();
    let parts = [
        (count(&|r| r.overdue), "overdue"),
        (count(&|r| !r.overdue && matches!(r.status, "open" | "in-progress")), "open"),
        (count(&|r| r.status == "done"), "done"),
        (count(&|r| r.status == "wont-do"), "won't do"),
    ];
    let listed: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, w)| format!("{n} {w}")).collect();
    let noun = if rows.len() == 1 { "action" } else { "actions" };
    if listed.is_empty() {
        format!("{} {noun}", rows.len())
    } else {
        format!("{} {noun}: {}", rows.len(), listed.join(", "))
    }
}

/// The action list as aligned text, one action per line (and its finding under it).
pub fn actions_text(rows: &[ActionRow], emphasis: &dyn Fn(&str) -> String, dim: &dyn Fn(&str) -> String) -> String {
    let rows: Vec<ActionRow> = rows.iter().map(ActionRow::terminal_safe).collect();
    let rows = rows.as_slice();
    let mut out = String::new();
    let owner_w = rows.iter().map(|r| r.owner.as_deref().unwrap_or("—").chars().count()).max().unwrap_or(1);
    for r in rows {
        let state = if r.overdue { "OVERDUE".to_string() } else { r.status.to_uppercase() };
        let due = match (r.overdue, r.due, r.completed) {
            (true, Some(d), _) => format!("due {d}, {} days ago", r.days_overdue.unwrap_or(0)),
            (_, _, Some(c)) => format!("done {c}"),
            (_, Some(d), _) => format!("due {d}"),
            _ => "no due date".to_string(),
        };
        let owner = r.owner.as_deref().unwrap_or("—");
        let state = format!("{state:<11}");
        let _ = writeln!(
            out,
            "{} {:<30} {owner:<owner_w$}  {}",
            if r.overdue { emphasis(&state) } else { state },
            due,
            r.summary
        );
        let finding = match (&r.finding, &r.finding_summary) {
            (Some(f), Some(s)) if s.chars().count() > 100 => {
                format!(" · {f}: {}…", s.chars().take(99).collect::<String>().trim_end())
            }
            (Some(f), Some(s)) => format!(" · {f}: {s}"),
            (Some(f), None) => format!(" · {f}"),
            _ => String::new(),
        };
        let _ = writeln!(out, "{:12}{}", "", dim(&format!("{}/{}{finding}", r.incident, r.id)));
    }
    out
}

/// RFC 4180 CSV with a header row. Control characters are shown escaped
/// (the list is often read in a terminal), and a cell that a spreadsheet
/// would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) starts with `'`, as OWASP advises against CSV injection.
pub fn actions_csv(rows: &[ActionRow]) -> String {
    fn field(s: &str) -> String {
        let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
        let s = safe(&s);
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
    }
    let mut out = String::from(
        "incident,action,status,overdue,days_overdue,owner,due,completed,finding,guardrail,tracker,summary\r\n",
    );
    for r in rows {
        let cells = [
            r.incident.clone(),
            r.id.clone(),
            r.status.to_string(),
            r.overdue.to_string(),
            r.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
            r.owner.clone().unwrap_or_default(),
            r.due.map(|d| d.to_string()).unwrap_or_default(),
            r.completed.map(|d| d.to_string()).unwrap_or_default(),
            r.finding.clone().unwrap_or_default(),
            r.guardrail.clone().unwrap_or_default(),
            r.tracker.clone().unwrap_or_default(),
            r.summary.clone(),
        ];
        out.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

// ---------------------------------------------------------------- report

fn time_text(t: &Time) -> String {
    match (t.median_s, t.p90_s) {
        (Some(m), Some(p)) => {
            format!(
                "{} (p90 {}, n={})",
                human_duration(TimeDelta::seconds(m)),
                human_duration(TimeDelta::seconds(p)),
                t.n
            )
        }
        _ => "—".to_string(),
    }
}

fn rate_text(r: Option<f64>) -> String {
    metrics::percent(r).map_or("—".into(), |p| format!("{p}%"))
}

fn period_text(r: &Report) -> String {
    match r.since {
        Some(s) => format!("{s} to {}", r.until),
        None => format!("everything up to {}", r.until),
    }
}

impl GuardrailInPlace {
    fn terminal_safe(&self) -> GuardrailInPlace {
        GuardrailInPlace { incident: safe(&self.incident), id: safe(&self.id), summary: safe(&self.summary) }
    }
}

impl Report {
    /// The report with every text of the records made safe for a terminal.
    fn terminal_safe(&self) -> Report {
        let groups = |g: &BTreeMap<String, Figures>| g.iter().map(|(k, f)| (safe(k), f.clone())).collect();
        Report {
            by_severity: groups(&self.by_severity),
            by_category: groups(&self.by_category),
            recurrences: self
                .recurrences
                .iter()
                .map(|r| Recurrence {
                    id: safe(&r.id),
                    title: safe(&r.title),
                    repeats: safe(&r.repeats),
                    repeats_title: safe(&r.repeats_title),
                    guardrails_in_place: r.guardrails_in_place.iter().map(GuardrailInPlace::terminal_safe).collect(),
                    ..r.clone()
                })
                .collect(),
            late_postmortems: self
                .late_postmortems
                .iter()
                .map(|l| Late { id: safe(&l.id), title: safe(&l.title), severity: safe_opt(&l.severity), ..l.clone() })
                .collect(),
            overdue_actions: self.overdue_actions.iter().map(ActionRow::terminal_safe).collect(),
            ..self.clone()
        }
    }
}

/// The report as plain text for a terminal.
pub fn report_text(r: &Report, heading: &dyn Fn(&str) -> String) -> String {
    let r = &r.terminal_safe();
    let mut o = String::new();
    let _ = writeln!(o, "{}", heading(&format!("Incident review: {}", period_text(r))));
    let _ = writeln!(o, "{} incidents; actions and lateness as of {}\n", r.incidents, r.today);
    let _ = writeln!(o, "{}", heading("Response times (median, p90, incidents measured)"));
    let _ = writeln!(o, "  time to detect    {}", time_text(&r.overall.ttd));
    let _ = writeln!(o, "  time to mitigate  {}", time_text(&r.overall.ttm));
    let _ = writeln!(o, "  time to resolve   {}", time_text(&r.overall.ttr));
    if r.coarse_clocks > 0 {
        let _ =
            writeln!(o, "  ({} incidents with clocks coarser than minutes are not in these figures)", r.coarse_clocks);
    }
    let _ = writeln!(o, "  recurrence rate   {}\n", rate_text(r.overall.recurrence_rate));
    let table = |o: &mut String, title: &str, groups: &BTreeMap<String, Figures>| {
        if groups.is_empty() {
            return;
        }
        let _ = writeln!(o, "{}", heading(title));
        let w = groups.keys().map(|k| k.chars().count()).max().unwrap_or(8).max(8);
        let _ = writeln!(
            o,
            "  {:<w$}  {:>5}  {:>10}  {:>10}  {:>10}  {:>10}",
            "", "count", "detect", "mitigate", "resolve", "recurrence"
        );
        let median = |t: &Time| t.median_s.map_or("—".into(), |s| human_duration(TimeDelta::seconds(s)));
        for (name, f) in groups {
            let _ = writeln!(
                o,
                "  {name:<w$}  {:>5}  {:>10}  {:>10}  {:>10}  {:>10}",
                f.count,
                median(&f.ttd),
                median(&f.ttm),
                median(&f.ttr),
                rate_text(f.recurrence_rate)
            );
        }
        let _ = writeln!(o);
    };
    table(&mut o, "By severity (medians)", &r.by_severity);
    table(&mut o, "By category (medians)", &r.by_category);
    let _ = writeln!(o, "{}", heading("Recurring failures"));
    if r.recurrences.is_empty() {
        let _ = writeln!(o, "  none: no incident of the period repeated an earlier one\n");
    }
    for rec in &r.recurrences {
        let how = match rec.score {
            Some(s) => format!("detected, similarity {s:.2}: not linked yet"),
            None => "linked".to_string(),
        };
        let _ = writeln!(o, "  {} {}\n    repeats {} ({how})", rec.id, rec.title, rec.repeats);
        for g in &rec.guardrails_in_place {
            let _ = writeln!(o, "    guardrail already in place: {g}");
        }
    }
    if !r.recurrences.is_empty() {
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "{}", heading("Postmortems published late"));
    if r.late_postmortems.is_empty() {
        let _ = writeln!(o, "  none\n");
    }
    for l in &r.late_postmortems {
        let state = if l.published { "published after" } else { "still unpublished after" };
        let _ = writeln!(
            o,
            "  {} {} — {state} {} days; {} allows {}",
            l.id,
            l.title,
            l.days,
            l.severity.as_deref().unwrap_or("?"),
            l.limit
        );
    }
    if !r.late_postmortems.is_empty() {
        let _ = writeln!(o);
    }
    let a = &r.actions;
    let _ = writeln!(o, "{}", heading("Actions from the period's incidents"));
    let _ = writeln!(
        o,
        "  {} in all: {} done, {} open ({} overdue), {} won't do; completion {}\n",
        a.total,
        a.done,
        a.open,
        a.overdue,
        a.wont_do,
        rate_text(a.completion_rate)
    );
    let _ = writeln!(o, "{}", heading(&format!("Overdue actions, all incidents ({})", r.overdue_actions.len())));
    let owner_w = r.overdue_actions.iter().map(|a| a.owner.as_deref().unwrap_or("no owner").chars().count()).max();
    for row in &r.overdue_actions {
        let _ = writeln!(
            o,
            "  {:>4} days  {:<w$}  {}  ({}/{})",
            row.days_overdue.unwrap_or(0),
            row.owner.as_deref().unwrap_or("no owner"),
            row.summary,
            row.incident,
            row.id,
            w = owner_w.unwrap_or(8)
        );
    }
    o
}

/// The report as Markdown, to paste into review notes.
pub fn report_markdown(r: &Report) -> String {
    let r = &r.terminal_safe();
    let mut o = String::new();
    let cell = |s: &str| s.replace('|', "\\|");
    let _ = writeln!(o, "# Incident review: {}\n", period_text(r));
    let _ = writeln!(o, "{} incidents. Actions and lateness as of {}.\n", r.incidents, r.today);
    let _ = writeln!(o, "| | median | p90 | measured |\n|---|---:|---:|---:|");
    let median = |t: &Time, p90: bool| {
        let v = if p90 { t.p90_s } else { t.median_s };
        v.map_or("—".into(), |s| human_duration(TimeDelta::seconds(s)))
    };
    for (name, t) in
        [("Time to detect", &r.overall.ttd), ("Time to mitigate", &r.overall.ttm), ("Time to resolve", &r.overall.ttr)]
    {
        let _ = writeln!(o, "| {name} | {} | {} | {} |", median(t, false), median(t, true), t.n);
    }
    let _ = writeln!(o, "\nRecurrence rate: **{}**.", rate_text(r.overall.recurrence_rate));
    if r.coarse_clocks > 0 {
        let _ =
            writeln!(o, "{} incidents with clocks coarser than minutes are not in the time figures.", r.coarse_clocks);
    }
    for (title, groups) in [("By severity", &r.by_severity), ("By category", &r.by_category)] {
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "\n## {title}\n\n| | incidents | detect | mitigate | resolve | recurrence |\n|---|---:|---:|---:|---:|---:|"
        );
        for (name, f) in groups {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                cell(name),
                f.count,
                median(&f.ttd, false),
                median(&f.ttm, false),
                median(&f.ttr, false),
                rate_text(f.recurrence_rate)
            );
        }
    }
    let _ = writeln!(o, "\n## Recurring failures\n");
    if r.recurrences.is_empty() {
        let _ = writeln!(o, "No incident of the period repeated an earlier one.");
    }
    for rec in &r.recurrences {
        let how = match rec.score {
            Some(s) => format!("detected (similarity {s:.2}), not linked yet"),
            None => "linked".into(),
        };
        let _ = writeln!(o, "- **{}** {} — repeats `{}` ({how})", cell(&rec.id), cell(&rec.title), rec.repeats);
        for g in &rec.guardrails_in_place {
            let _ = writeln!(o, "  - guardrail already in place: {}", cell(&g.to_string()));
        }
    }
    let _ = writeln!(o, "\n## Postmortems published late\n");
    if r.late_postmortems.is_empty() {
        let _ = writeln!(o, "None.");
    }
    for l in &r.late_postmortems {
        let state = if l.published { "published after" } else { "still unpublished after" };
        let _ = writeln!(o, "- `{}` {} — {state} {} days (limit {})", l.id, cell(&l.title), l.days, l.limit);
    }
    let a = &r.actions;
    let _ = writeln!(
        o,
        "\n## Actions\n\nFrom the period's incidents: {} in all, {} done, {} open ({} overdue), {} won't do; completion {}.\n",
        a.total,
        a.done,
        a.open,
        a.overdue,
        a.wont_do,
        rate_text(a.completion_rate)
    );
    let _ = writeln!(o, "Overdue now, from any incident ({}):\n", r.overdue_actions.len());
    if !r.overdue_actions.is_empty() {
        let _ = writeln!(o, "| days overdue | owner | action | incident |\n|---:|---|---|---|");
    }
    for row in &r.overdue_actions {
        let _ = writeln!(
            o,
            "| {} | {} | {} | `{}/{}` |",
            row.days_overdue.unwrap_or(0),
            cell(row.owner.as_deref().unwrap_or("—")),
            cell(&row.summary),
            row.incident,
            row.id
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(summary: &str) -> ActionRow {
        ActionRow {
            incident: "inc".into(),
            incident_title: "t".into(),
            id: "A1".into(),
            summary: summary.into(),
            status: "open",
            overdue: false,
            days_overdue: None,
            owner: Some("li".into()),
            due: chrono::NaiveDate::from_ymd_opt(2026, 1, 2),
            completed: None,
            finding: None,
            finding_summary: None,
            guardrail: None,
            tracker: None,
        }
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let csv = actions_csv(&[row("Add \"jitter\", then retry\nlater")]);
        let line = csv.lines().nth(1).unwrap_or_default();
        assert!(line.starts_with("inc,A1,open,false,,li,2026-01-02,,,,,"), "{line}");
        assert!(csv.contains("\"Add \"\"jitter\"\", then retry\nlater\"\r\n"), "{csv}");
    }

    #[test]
    fn summary_counts_each_state_once() {
        let mut overdue = row("a");
        overdue.overdue = true;
        let mut done = row("b");
        done.status = "done";
        assert_eq!(actions_summary(&[overdue, done, row("c")]), "3 actions: 1 overdue, 1 open, 1 done");
        assert_eq!(actions_summary(&[]), "0 actions");
    }
}
