//! The command line: clap definitions, and each command's orchestration.
//!
//! Raw arguments become validated options once, here; the commands call the
//! library stages and print. Exit codes: 0 success, 1 content problems
//! (errors, or warnings under `--strict`), 2 usage or internal errors. Output
//! is coloured only on a terminal (and never with `NO_COLOR`); a closed pipe
//! (`casebook check | head`) ends quietly.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{self, Style};
use crate::load::{self, LoadOptions};
use crate::{build, scaffold, write};

const ROOT_EXAMPLES: &str = "\
Examples:
  casebook build                      build ./content into ./content/public
  casebook build my-kb -o site        build my-kb into ./site
  casebook check                      check the knowledge base in ./content
  casebook check my-kb --strict       fail on warnings too
  casebook report --since 2026-07-01   the learning metrics for a review
  casebook actions --overdue          what is past its due date
  casebook init my-kb                 start a new knowledge base
  casebook new \"Checkout errors after DB failover\" --dir my-kb";

#[derive(Debug, Parser)]
#[command(name = "casebook", version, about = "Turn incident postmortems into a searchable knowledge base of remedies and guardrails", after_help = ROOT_EXAMPLES)]
pub struct Cli {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check, analyse and render the static site into OUT (default DIR/public).
    #[command(after_help = "\
Examples:
  casebook build                          ./content → ./content/public
  casebook build my-kb -o /srv/kb         any static web server can host the result
  casebook build --drafts --today 2026-01-31

The site is written to a staging directory and swapped in, so a failed build
leaves the previous site untouched. OUT must be empty, missing, or a previous
Casebook build. Exit status: 0 built, 1 content errors (nothing written), 2 usage error.")]
    Build {
        /// The knowledge base directory.
        #[arg(default_value = "content")]
        dir: PathBuf,
        /// Output directory [default: DIR/public].
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// Include records with status = "draft".
        #[arg(long)]
        drafts: bool,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Print how long each phase took.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        today: TodayArg,
    },
    /// Preview the site: build in memory, serve on 127.0.0.1, rebuild and reload on every save.
    #[command(after_help = "\
Examples:
  casebook serve                      preview ./content at http://127.0.0.1:1111/
  casebook serve my-kb --port 8080 --open
  casebook serve --drafts             include drafts while writing

Nothing is written to disk. When a save breaks the build, the last good site stays
served and every page shows the problems until they are fixed.")]
    Serve {
        /// The knowledge base directory.
        #[arg(default_value = "content")]
        dir: PathBuf,
        /// Port to listen on [default: the first free one from 1111]. 0 picks any free port.
        #[arg(long)]
        port: Option<u16>,
        /// Address to listen on. Loopback by default: the preview is not meant to be shared.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Include records with status = "draft".
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        today: TodayArg,
    },
    /// Search the knowledge base (or a built site) from the terminal.
    #[command(after_help = "\
Examples:
  casebook search \"read-only transaction\"          search ./content
  casebook search failover --site content/public    search a built site's index
  casebook search certif --category certificate-expiry --json

The last word is also a prefix (\"certif\" finds certificate, certificates...).
Results and their order are the same as the site's search page.
Exit status: 0 results, 1 no results, 2 usage error or a knowledge base with errors.")]
    Search {
        /// What to search for.
        query: String,
        /// The knowledge base directory (ignored with --site).
        #[arg(default_value = "content")]
        dir: PathBuf,
        /// Search the index of a built site instead of building one.
        #[arg(long, value_name = "OUT")]
        site: Option<PathBuf>,
        /// Only incidents in this category (repeatable: any of them).
        #[arg(long)]
        category: Vec<String>,
        /// Only incidents of this severity (repeatable).
        #[arg(long)]
        severity: Vec<String>,
        /// Only incidents affecting this service (repeatable).
        #[arg(long)]
        service: Vec<String>,
        /// Only incidents that started in this year (repeatable).
        #[arg(long)]
        year: Vec<String>,
        /// How many results.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print JSON: [{id, title, url, score}], best first.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        today: TodayArg,
    },
    /// Validate every record and cross-reference; report all problems at once.
    #[command(after_help = "\
Examples:
  casebook check                      check ./content
  casebook check my-kb --format json  machine-readable diagnostics
  casebook check --strict --today 2026-01-31

Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 usage error.")]
    Check {
        /// The knowledge base directory.
        #[arg(default_value = "content")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Print how long each step took, on stderr.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        today: TodayArg,
    },
    /// List follow-up actions: the action tracker in the terminal, for CI reminders.
    #[command(after_help = "\
Examples:
  casebook actions                               every action, overdue first
  casebook actions --overdue --owner li.wei      what li.wei owes
  casebook actions --status open --csv > open.csv
  casebook actions --overdue --fail-on-overdue   in CI: fail while anything is overdue

Overdue means open or in progress past its due date, as of --today.
Exit status: 0 listed, 1 overdue actions with --fail-on-overdue, 2 usage error
or a knowledge base with errors.")]
    Actions {
        /// The knowledge base directory.
        #[arg(default_value = "content")]
        dir: PathBuf,
        /// Only actions past their due date.
        #[arg(long)]
        overdue: bool,
        /// Only actions of this owner (repeatable: any of them).
        #[arg(long, value_name = "OWNER")]
        owner: Vec<String>,
        /// Only actions with this status (repeatable): open, in-progress, done, wont-do.
        #[arg(long, value_name = "STATUS")]
        status: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Same as --format json.
        #[arg(long, conflicts_with_all = ["format", "csv"])]
        json: bool,
        /// Same as --format csv.
        #[arg(long, conflicts_with = "format")]
        csv: bool,
        /// Exit 1 when any listed action is overdue.
        #[arg(long)]
        fail_on_overdue: bool,
        /// Include actions of draft records.
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        today: TodayArg,
    },
    /// The learning metrics of a period, for the periodic incident review.
    #[command(after_help = "\
Examples:
  casebook report                                    the last 90 days
  casebook report --since 2026-07-01 --until 2026-09-30 --format markdown > q3.md
  casebook report --since 2024-01-01 --format json

Covers the incidents that started in the period (dates inclusive, UTC): times to
detect, mitigate and resolve (median and p90), recurrence rate by severity and
category, recurring failures and the guardrails that did not hold, late
postmortems, and every action overdue as of --today.
Exit status: 0 written, 2 usage error or a knowledge base with errors.")]
    Report {
        /// The knowledge base directory.
        #[arg(default_value = "content")]
        dir: PathBuf,
        /// First day of the period [default: 90 days before --until].
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        since: Option<NaiveDate>,
        /// Last day of the period [default: today].
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        until: Option<NaiveDate>,
        /// Every incident up to --until, however old.
        #[arg(long, conflicts_with = "since")]
        all: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        #[command(flatten)]
        today: TodayArg,
    },
    /// Create a new knowledge base: config with a starter taxonomy, an example record.
    #[command(after_help = "\
Examples:
  casebook init my-kb
  casebook init my-kb --title \"Payments team incidents\"")]
    Init {
        /// Directory to create (must not exist, or be empty).
        dir: PathBuf,
        /// The site title.
        #[arg(long, default_value = "Incident knowledge base")]
        title: String,
        #[command(flatten)]
        today: TodayArg,
    },
    /// Scaffold a new postmortem record (a draft) with every section.
    #[command(after_help = "\
Examples:
  casebook new \"Checkout errors after payments DB failover\"
  casebook new \"DNS outage\" --dir my-kb

The record is written to DIR/incidents/YEAR/YEAR-MONTH-slug.md with status = \"draft\".")]
    New {
        /// The incident title.
        title: String,
        /// The knowledge base directory.
        #[arg(long, default_value = "content")]
        dir: PathBuf,
        #[command(flatten)]
        today: TodayArg,
    },
}

/// The build date: `--today`, else `SOURCE_DATE_EPOCH`, else the clock.
#[derive(Debug, clap::Args)]
struct TodayArg {
    /// The date to treat as today (YYYY-MM-DD): decides what is late or overdue.
    /// Defaults to SOURCE_DATE_EPOCH, then the system clock.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    today: Option<NaiveDate>,
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` is not a date like 2026-01-31"))
}

impl TodayArg {
    fn resolve(&self) -> Result<NaiveDate, String> {
        if let Some(day) = self.today {
            return Ok(day);
        }
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(epoch) => epoch
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
                .map(|dt| dt.date_naive())
                .ok_or_else(|| format!("SOURCE_DATE_EPOCH=`{epoch}` is not a number of seconds since 1970")),
            Err(_) => Ok(chrono::Utc::now().date_naive()),
        }
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Why a command could not do its job (content problems are not failures: they exit 1).
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    BrokenPipe,
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe { Failure::BrokenPipe } else { Failure::Usage(e.to_string()) }
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

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let style = style_for(cli.color, std::io::stdout().is_terminal());
    match cli.command {
        Command::Build { dir, output, drafts, strict, timings, today } => {
            let out = output.unwrap_or_else(|| dir.join("public"));
            let options = build::BuildOptions { today: today.resolve().map_err(Failure::Usage)?, drafts, strict };
            build(&dir, &out, options, timings)
        }
        Command::Serve { dir, port, bind, open, drafts, today } => {
            let build = build::BuildOptions { today: today.resolve().map_err(Failure::Usage)?, drafts, strict: false };
            crate::serve::run(crate::serve::ServeOptions { dir, bind, port, open, build })
                .map_err(|e| Failure::Usage(e.to_string()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search { query, dir, site, category, severity, service, year, limit, json, today } => {
            let query = crate::index::SearchQuery {
                text: query,
                categories: category,
                severities: severity,
                services: service.iter().map(|s| crate::model::slugify(s)).collect(),
                years: year,
                limit,
            };
            search(&dir, site.as_deref(), &query, json, today.resolve().map_err(Failure::Usage)?, style)
        }
        Command::Check { dir, format, strict, timings, today } => {
            check(&dir, format, strict, timings, today.resolve().map_err(Failure::Usage)?, style)
        }
        Command::Actions { dir, overdue, owner, status, format, json, csv, fail_on_overdue, drafts, today } => {
            let format = if json {
                ListFormat::Json
            } else if csv {
                ListFormat::Csv
            } else {
                format
            };
            let today = today.resolve().map_err(Failure::Usage)?;
            let statuses = status
                .iter()
                .map(|s| {
                    <crate::model::ActionStatus as crate::model::Vocabulary>::parse(s).ok_or_else(|| {
                        let words = <crate::model::ActionStatus as crate::model::Vocabulary>::words();
                        Failure::Usage(format!("`{s}` is not an action status; use one of: {}", words.join(", ")))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let filter = crate::review::ActionFilter { overdue, owners: owner, statuses };
            actions(&dir, &filter, format, fail_on_overdue, drafts, today, style)
        }
        Command::Report { dir, since, until, all, format, today } => {
            let today = today.resolve().map_err(Failure::Usage)?;
            let until = until.unwrap_or(today);
            let since = if all { None } else { Some(since.unwrap_or(until - chrono::TimeDelta::days(90))) };
            if let Some(s) = since.filter(|s| *s > until) {
                return Err(Failure::Usage(format!("--since {s} is after --until {until}; swap them")));
            }
            report(&dir, since, until, format, today, style)
        }
        Command::Init { dir, title, today } => init(&dir, &title, today.resolve().map_err(Failure::Usage)?),
        Command::New { title, dir, today } => new(&title, &dir, today.resolve().map_err(Failure::Usage)?),
    }
}

fn check(
    dir: &Path,
    format: Format,
    strict: bool,
    timings: bool,
    today: NaiveDate,
    style: Style,
) -> Result<ExitCode, Failure> {
    let started = std::time::Instant::now();
    let build::Checked { mut loaded, .. } = build::check(dir, today).map_err(|e| Failure::Usage(e.to_string()))?;
    if strict {
        loaded.diagnostics.make_strict();
    }
    let diags = &loaded.diagnostics;
    // One write per buffer, not per diagnostic (stdout flushes each line).
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Human => {
            for d in diags.sorted() {
                writeln!(out, "{}", diagnostics::render_human(&d, style))?;
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
                "diagnostics": diags.sorted(),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&report).map_err(|e| Failure::Usage(e.to_string()))?)?;
        }
    }
    out.flush()?;
    if timings {
        let loading: std::time::Duration = loaded.timings.iter().map(|(_, d)| *d).sum();
        let mut steps = loaded.timings.clone();
        steps.push(("reporting", started.elapsed().saturating_sub(loading)));
        for (step, took) in steps {
            eprintln!("  {step:<22} {:>8.1} ms", took.as_secs_f64() * 1000.0);
        }
        eprintln!("  {:<22} {:>8.1} ms", "total", started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(if diags.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn build(dir: &Path, out: &Path, options: build::BuildOptions, timings: bool) -> Result<ExitCode, Failure> {
    let stderr_terminal = std::io::stderr().is_terminal();
    let style = style_for(ColorChoice::Auto, stderr_terminal);
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
    let outcome = build::build(dir, out, options, report);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let mut err = std::io::stderr().lock();
    match outcome {
        Ok(built) => {
            for d in built.diagnostics.sorted() {
                writeln!(err, "{}", diagnostics::render_human(&d, style))?;
            }
            writeln!(err, "{}", built.summary_line(out))?;
            if timings {
                write!(err, "{}", built.timings_table())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(build::BuildError::Content(diags)) => {
            for d in diags.sorted() {
                writeln!(err, "{}", diagnostics::render_human(&d, style))?;
            }
            writeln!(
                err,
                "build failed: {}; {} left untouched",
                diagnostics::summary_line(&diags, 0).replace(" in 0 records", ""),
                out.display()
            )?;
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(Failure::Usage(e.to_string())),
    }
}

fn search(
    dir: &Path,
    site: Option<&Path>,
    query: &crate::index::SearchQuery,
    json: bool,
    today: NaiveDate,
    style: Style,
) -> Result<ExitCode, Failure> {
    let usage = |e: crate::index::IndexError| Failure::Usage(e.to_string());
    let (index, words, docs) = match site {
        Some(site) => crate::index::site::open(site).map_err(usage)?,
        None => {
            let loaded = load::load(dir, LoadOptions { today }).map_err(|e| Failure::Usage(e.to_string()))?;
            if loaded.diagnostics.has_errors() {
                return Err(Failure::Usage(format!(
                    "{} has errors; run `casebook check {}` first",
                    dir.display(),
                    dir.display()
                )));
            }
            let kb = crate::model::KnowledgeBase {
                incidents: loaded
                    .kb
                    .incidents
                    .into_iter()
                    .filter(|i| i.status != crate::model::RecordStatus::Draft)
                    .collect(),
            };
            crate::index::site::in_memory(&kb).map_err(usage)?
        }
    };
    let hits = index.search(query, &words).map_err(usage)?;
    let stems = crate::index::query_stems(&query.text, &words);
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let d = docs.get(&h.id);
                serde_json::json!({
                    "id": h.id,
                    "title": d.map(|d| d.title.as_str()).unwrap_or_default(),
                    "url": format!("incidents/{}/", h.id),
                    "score": h.score,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list).map_err(|e| Failure::Usage(e.to_string()))?)?;
    } else {
        for (n, h) in hits.iter().enumerate() {
            let Some(d) = docs.get(&h.id) else { continue };
            writeln!(
                out,
                "{}. {} {}",
                n + 1,
                style.emphasis(&d.title),
                style.dim(&format!(
                    "[{}]",
                    [d.severity.as_deref().unwrap_or(""), d.started.as_deref().unwrap_or("")].join(" ").trim()
                ))
            )?;
            writeln!(out, "   incidents/{}/  score {:.3}", h.id, h.score)?;
            if !d.summary.is_empty() {
                writeln!(
                    out,
                    "   {}",
                    crate::index::site::highlight(&d.summary, &stems, &words, |w| style.emphasis(w))
                )?;
            }
        }
        if hits.is_empty() {
            writeln!(out, "no incidents match `{}`", query.text)?;
        }
    }
    Ok(if hits.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Load a knowledge base for a read-only command: records with errors would
/// make the figures wrong, so they stop it (exit 2) with a pointer to `check`.
fn load_clean(dir: &Path, today: NaiveDate, drafts: bool) -> Result<load::Loaded, Failure> {
    let loaded = load::load(dir, LoadOptions { today }).map_err(|e| Failure::Usage(e.to_string()))?;
    clean(dir, loaded, drafts)
}

/// [`load_clean`] for a command that reads the detected similarity too.
fn check_clean(dir: &Path, today: NaiveDate, drafts: bool) -> Result<build::Checked, Failure> {
    let checked = build::check(dir, today).map_err(|e| Failure::Usage(e.to_string()))?;
    let loaded = clean(dir, checked.loaded, drafts)?;
    Ok(build::Checked { loaded, similarity: checked.similarity })
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

fn actions(
    dir: &Path,
    filter: &crate::review::ActionFilter,
    format: ListFormat,
    fail_on_overdue: bool,
    drafts: bool,
    today: NaiveDate,
    style: Style,
) -> Result<ExitCode, Failure> {
    let loaded = load_clean(dir, today, drafts)?;
    let known = crate::review::owners(&loaded.kb);
    for owner in &filter.owners {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(owner)) {
            let hint = crate::diagnostics::suggest(owner, &known)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(Failure::Usage(format!("no action is owned by `{owner}`{hint}")));
        }
    }
    let rows = crate::review::action_rows(&loaded.kb, filter, today);
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&rows).map_err(|e| Failure::Usage(e.to_string()))?)?
        }
        ListFormat::Csv => write!(out, "{}", crate::review::actions_csv(&rows))?,
        ListFormat::Text => {
            write!(out, "{}", crate::review::actions_text(&rows, &|s| style.emphasis(s), &|s| style.dim(s)))?;
            writeln!(out, "{} (as of {today})", crate::review::actions_summary(&rows))?;
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

fn report(
    dir: &Path,
    since: Option<NaiveDate>,
    until: NaiveDate,
    format: ReportFormat,
    today: NaiveDate,
    style: Style,
) -> Result<ExitCode, Failure> {
    let build::Checked { loaded, similarity } = check_clean(dir, today, false)?;
    let report = crate::review::report(&loaded.kb, &loaded.config, &similarity, since, until, today);
    let mut out = std::io::stdout().lock();
    match format {
        ReportFormat::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&report).map_err(|e| Failure::Usage(e.to_string()))?)?
        }
        ReportFormat::Markdown => write!(out, "{}", crate::review::report_markdown(&report))?,
        ReportFormat::Text => write!(out, "{}", crate::review::report_text(&report, &|s| style.emphasis(s)))?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn init(dir: &Path, title: &str, today: NaiveDate) -> Result<ExitCode, Failure> {
    let usage = |e: write::WriteError| Failure::Usage(e.to_string());
    if !write::is_missing_or_empty(dir).map_err(usage)? {
        return Err(Failure::Usage(format!(
            "{} already exists and is not empty; choose a new directory (init never overwrites)",
            dir.display()
        )));
    }
    let files = scaffold::init(title, today);
    let created = write::create_new_files(dir, &files).map_err(usage)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Created a knowledge base in {}:", dir.display())?;
    for path in created.iter().filter(|p| !p.ends_with(".keep")) {
        writeln!(out, "  {}", path.display())?;
    }
    writeln!(out, "\nNext:\n  casebook new \"Your first incident\" --dir {0}\n  casebook check {0}", dir.display())?;
    Ok(ExitCode::SUCCESS)
}

fn new(title: &str, dir: &Path, today: NaiveDate) -> Result<ExitCode, Failure> {
    if title.trim().is_empty() {
        return Err(Failure::Usage("the title is empty: casebook new \"What happened\"".into()));
    }
    // Load to learn the taxonomy and the ids already taken; content problems do not block scaffolding.
    let loaded = load::load(dir, LoadOptions { today }).map_err(|e| {
        Failure::Usage(format!("{e}; create a knowledge base first with `casebook init {}`", dir.display()))
    })?;
    let mut taken: Vec<String> = loaded.kb.incidents.iter().map(|i| i.id.clone()).collect();
    // Files that failed to parse still own their file name.
    let year_dir = dir.join("incidents").join(today.format("%Y").to_string());
    if let Ok(entries) = std::fs::read_dir(&year_dir) {
        taken.extend(entries.flatten().filter_map(|e| e.path().file_stem().map(|s| s.to_string_lossy().into_owned())));
    }
    let id = scaffold::new_record_id(title, today, &taken);
    let file = scaffold::new_record(&id, title.trim(), today, &loaded.config);
    let created =
        write::create_new_files(dir, std::slice::from_ref(&file)).map_err(|e| Failure::Usage(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    for path in created {
        writeln!(out, "Created {} (id `{id}`, status draft)", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
