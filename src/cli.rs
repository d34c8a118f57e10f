//! The command line's definitions: the clap structs and value enums, with
//! every help text, and nothing that runs a command.
//!
//! Layer L7: it uses no other module of the crate, and only the commands
//! (`cmd`, L8) use it. Each command's arguments are their own [`clap::Args`]
//! struct, so `cmd/` hands each command exactly its own options, and the
//! whole interface (names, defaults, help and examples) reads in one file.
//! Raw arguments are parsed here once (dates by `parse_day`); what they
//! mean is for the commands to decide.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

const ROOT_EXAMPLES: &str = "\
Examples:
  casebook build                      build ./content into ./content/public
  casebook build my-kb -o site        build my-kb into ./site
  casebook check                      check the knowledge base in ./content
  casebook check my-kb --strict       fail on warnings too
  casebook report --since 2026-07-01   the learning metrics for a review
  casebook actions --overdue          what is past its due date
  casebook init my-kb                 start a new knowledge base
  casebook new \"Checkout errors after DB failover\" --dir my-kb
  casebook import old-postmortems/ --into my-kb";

#[derive(Debug, Parser)]
#[command(name = "casebook", version, about = "Turn incident postmortems into a searchable knowledge base of remedies and guardrails", after_help = ROOT_EXAMPLES)]
pub struct Cli {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check, analyse and render the static site into OUT (default DIR/public).
    #[command(after_help = "\
Examples:
  casebook build                          ./content → ./content/public
  casebook build my-kb -o /srv/kb         any static web server can host the result
  casebook build --drafts --today 2026-01-31

The site is written to a staging directory and swapped in, so a failed build
leaves the previous site untouched. OUT must be empty, missing, or a previous
Casebook build; it may not be a symbolic link, the current directory, or hold or
lie in the knowledge base's sources. One build at a time writes to OUT (a lock
file .OUT.casebook-lock beside it). Exit status: 0 built, 1 content errors (nothing written), 2 usage error.")]
    Build(BuildArgs),
    /// Preview the site: build in memory, serve on 127.0.0.1, rebuild and reload on every save.
    #[command(after_help = "\
Examples:
  casebook serve                      preview ./content at http://127.0.0.1:1111/
  casebook serve my-kb --port 8080 --open
  casebook serve --drafts             include drafts while writing

Nothing is written to disk. When a save breaks the build, the last good site stays
served and every page shows the problems until they are fixed.")]
    Serve(ServeArgs),
    /// Search the knowledge base (or a built site) from the terminal.
    #[command(after_help = "\
Examples:
  casebook search \"read-only transaction\"          search ./content
  casebook search failover --site content/public    search a built site's index
  casebook search certif --category certificate-expiry --json
  casebook search '\"disk full\" ingest' --explain     a phrase, and why each result ranked

Words match their other forms (\"renewals\" finds renewal), their synonyms
(\"throttled\" finds \"rate limited\") and, when they match nothing, the nearest
word (\"certficate\" finds certificate; --no-correct turns that off). Results
matching every word come first. The last word is also a prefix (\"certif\").
Results and their order are the same as the site's search page.
Exit status: 0 results, 1 no results, 2 usage error or a knowledge base with errors.")]
    Search(SearchArgs),
    /// Validate every record and cross-reference; report all problems at once.
    #[command(after_help = "\
Examples:
  casebook check                      check ./content
  casebook check my-kb --format json  machine-readable diagnostics
  casebook check --strict --today 2026-01-31

Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 usage error.")]
    Check(CheckArgs),
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
    Actions(ActionsArgs),
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
    Report(ReportArgs),
    /// Create a new knowledge base: config with a starter taxonomy, an example record.
    #[command(after_help = "\
Examples:
  casebook init my-kb
  casebook init my-kb --title \"Payments team incidents\"")]
    Init(InitArgs),
    /// Scaffold a new postmortem record (a draft) with every section.
    #[command(after_help = "\
Examples:
  casebook new \"Checkout errors after payments DB failover\"
  casebook new \"DNS outage\" --dir my-kb
  casebook new \"Payments outage\" --started 2023-04-18   back-fill an old incident

The record is written to DIR/incidents/YEAR/YEAR-MONTH-slug.md with status = \"draft\".")]
    New(NewArgs),
    /// Bring existing postmortems in: Markdown (with or without front matter), CSV or JSON exports.
    #[command(after_help = "\
Examples:
  casebook import old-postmortems/ --into content --dry-run   see what would be recovered
  casebook import old-postmortems/ --into content
  casebook import incidents.csv jira-actions.csv --into content

Each postmortem becomes one record in KB/incidents/YEAR/, named after its start
date and title. Existing files are never overwritten, and a [source] table in
each record (path and content hash) makes a second import of the same source
add nothing. Folders are read for .md, .markdown, .csv and .json files. What is
recognised per record, and what needs a person, is printed; the mapping is in
docs/import.md. Exit status: 0 imported, 1 some sources could not be read or
imported (the rest were), 2 usage error.")]
    Import(ImportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// By each file's extension and first line.
    Auto,
    /// Markdown structured by headings.
    Markdown,
    /// Markdown with YAML (---) or TOML (+++) front matter.
    FrontMatter,
    Csv,
    Json,
}

// The argument structs carry no doc comment of their own: clap would take
// it for the command's description, which the variant's comment gives.

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The knowledge base directory.
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// Output directory [default: DIR/public].
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Include records with status = "draft".
    #[arg(long)]
    pub drafts: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print how long each phase took.
    #[arg(long)]
    pub timings: bool,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The knowledge base directory.
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// Port to listen on [default: the first free one from 1111]. 0 picks any free port.
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on. Loopback by default: the preview is not meant to be shared.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Include records with status = "draft".
    #[arg(long)]
    pub drafts: bool,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// What to search for.
    pub query: String,
    /// The knowledge base directory (ignored with --site).
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// Search the index of a built site instead of building one.
    #[arg(long, value_name = "OUT")]
    pub site: Option<PathBuf>,
    /// Only incidents in this category (repeatable: any of them).
    #[arg(long)]
    pub category: Vec<String>,
    /// Only incidents of this severity (repeatable).
    #[arg(long)]
    pub severity: Vec<String>,
    /// Only incidents affecting this service (repeatable).
    #[arg(long)]
    pub service: Vec<String>,
    /// Only incidents that started in this year (repeatable).
    #[arg(long)]
    pub year: Vec<String>,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print JSON: [{id, title, url, score, matched, passage}], best first (corrections go to stderr).
    #[arg(long)]
    pub json: bool,
    /// Show why each result ranked where it did: words matched, and each
    /// term's score by field with its boost.
    #[arg(long)]
    pub explain: bool,
    /// Search the words as typed: do not correct a word that matches
    /// nothing to the nearest word of the knowledge base.
    #[arg(long)]
    pub no_correct: bool,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The knowledge base directory.
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (and list every warning of imported records).
    #[arg(long)]
    pub strict: bool,
    /// Print counts by code instead of every problem.
    #[arg(long)]
    pub summary: bool,
    /// Print how long each step took, on stderr.
    #[arg(long)]
    pub timings: bool,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, clap::Args)]
pub struct ActionsArgs {
    /// The knowledge base directory.
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// Only actions past their due date.
    #[arg(long)]
    pub overdue: bool,
    /// Only actions of this owner (repeatable: any of them).
    #[arg(long, value_name = "OWNER")]
    pub owner: Vec<String>,
    /// Only actions with this status (repeatable): open, in-progress, done, wont-do.
    #[arg(long, value_name = "STATUS")]
    pub status: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Same as --format json.
    #[arg(long, conflicts_with_all = ["format", "csv"])]
    pub json: bool,
    /// Same as --format csv.
    #[arg(long, conflicts_with = "format")]
    pub csv: bool,
    /// Exit 1 when any listed action is overdue.
    #[arg(long)]
    pub fail_on_overdue: bool,
    /// Include actions of draft records.
    #[arg(long)]
    pub drafts: bool,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The knowledge base directory.
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// First day of the period [default: 90 days before --until].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub since: Option<NaiveDate>,
    /// Last day of the period [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub until: Option<NaiveDate>,
    /// Every incident up to --until, however old.
    #[arg(long, conflicts_with = "since")]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Count draft records too, as `casebook build --drafts` does on its review pages.
    #[arg(long)]
    pub drafts: bool,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Directory to create (must not exist, or be empty).
    pub dir: PathBuf,
    /// The site title.
    #[arg(long, default_value = "Incident knowledge base")]
    pub title: String,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The incident title.
    pub title: String,
    /// The knowledge base directory.
    #[arg(long, default_value = "content")]
    pub dir: PathBuf,
    /// When the incident started, for a record written after the fact: sets
    /// its id, folder and `started` date [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub started: Option<NaiveDate>,
    #[command(flatten)]
    pub today: TodayArg,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Postmortem files or folders to import.
    #[arg(required = true, value_name = "SRC")]
    pub sources: Vec<PathBuf>,
    /// The knowledge base to import into.
    #[arg(long, value_name = "KB")]
    pub into: PathBuf,
    /// How to read the sources.
    #[arg(long, value_enum, default_value_t = ImportFormat::Auto)]
    pub format: ImportFormat,
    /// Show what would be imported, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub today: TodayArg,
}

/// The build date: `--today`, else `SOURCE_DATE_EPOCH`, else the clock
/// (`cmd` resolves the fallbacks).
#[derive(Debug, clap::Args)]
pub struct TodayArg {
    /// The date to treat as today (YYYY-MM-DD): decides what is late or overdue.
    /// Defaults to SOURCE_DATE_EPOCH, then the system clock.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub today: Option<NaiveDate>,
}

/// A `YYYY-MM-DD` argument, with the error clap prints for anything else.
fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` is not a date like 2026-01-31"))
}
