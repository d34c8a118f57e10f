//! The files that `casebook init` and `casebook new` create, built in memory.
//!
//! Pure functions: they return paths and contents; `write::create_new_files`
//! puts them on disk without overwriting anything. Both scaffolds check clean:
//! a test runs the checker over them, so the templates cannot drift from the
//! record format.

use chrono::NaiveDate;

use crate::config::Config;
use crate::model::slugify;
use crate::output::File;

/// The starter taxonomy `init` writes: (name, group, description).
pub const STARTER_CATEGORIES: &[(&str, &str, &str)] = &[
    ("config-change", "change", "A configuration or feature-flag change caused the failure."),
    ("deploy", "change", "A release, build artefact or migration caused the failure."),
    ("capacity", "capacity", "Demand outgrew provisioned capacity."),
    ("resource-exhaustion", "capacity", "A finite resource ran out: disk, memory, connections, ids."),
    ("dependency-failure", "dependencies", "An internal dependency failed and the failure spread."),
    ("third-party", "dependencies", "A vendor or provider outside the company failed."),
    ("certificate-expiry", "dependencies", "A certificate or key expired or was rotated badly."),
    ("dns", "infrastructure", "Name resolution failed."),
    ("network", "infrastructure", "Routing, partitions, load balancers."),
    ("storage", "infrastructure", "Disks, volumes and object storage."),
    ("time-and-clocks", "infrastructure", "Clock skew, time zones, calendar arithmetic."),
    ("database", "data", "Failover, locking, migrations, connection pools."),
    ("cache", "data", "Stampedes, evictions, stale or lost entries."),
    ("data-corruption", "data", "Data lost, duplicated or made wrong."),
    ("security", "security", "Attacks, leaked credentials, access control."),
    ("monitoring-gap", "observability", "Missing, noisy or misrouted alerts and dashboards."),
];

/// The layout `casebook init` creates.
pub fn init(title: &str, today: NaiveDate) -> Vec<File> {
    let mut config = format!(
        r#"# Casebook configuration. Only [site] title is required; everything else has
# a default. Reference: docs/configuration.md in the Casebook repository.

[site]
title = {title}
# description = "What failed, what fixed it, and what keeps it from coming back."
# base_url = "https://kb.example.com/"   # unset: pages link to each other relatively
language = "en"
currency = "USD"

[severity]
levels = ["SEV1", "SEV2", "SEV3", "SEV4"]   # worst first

[policy]
strict = false                                 # true: warnings fail `check` and `build`
postmortem_required = ["SEV1", "SEV2"]         # need findings, and actions or no_actions_reason
publish_within_days = {{ SEV1 = 3, SEV2 = 5 }}  # days after resolution
action_due_within_days = 90                    # the due-date horizon for actions
# required_fields = {{ SEV1 = ["summary", "detected", "mitigated", "customer_impact", "timeline"] }}

[recurrence]
similarity_threshold = 0.25   # 0–1: how alike two incidents must be to be listed as similar
recurrence_threshold = 0.35   # 0–1: how alike to count as a likely recurrence (metrics, check)
max_similar = 5

[vocabulary]
# synonyms = [["k8s", "kubernetes"], ["rate limited", "throttled"]]   # your team's words for the same thing

[markdown]
allow_raw_html = false        # raw HTML in records is escaped unless true

[theme]
name = "default"              # or the name of a folder under themes/

# The failure-category taxonomy: every record's categories must be listed here.
# Edit it to fit your systems; `group` gathers categories on the site.
"#,
        title = toml_string(title)
    );
    for (name, group, description) in STARTER_CATEGORIES {
        config.push_str(&format!(
            "\n[[categories]]\nname = \"{name}\"\ngroup = \"{group}\"\ndescription = {}\n",
            toml_string(description)
        ));
    }
    vec![
        new_file("casebook.toml", config),
        new_file("incidents/example-expired-certificate.md", example_record(today)),
        new_file("templates/.keep", String::new()),
        new_file("static/.keep", String::new()),
    ]
}

fn example_record(today: NaiveDate) -> String {
    let day = today.format("%Y-%m-%d");
    let started = today.pred_opt().unwrap_or(today).format("%Y-%m-%d");
    let due = (today + chrono::Days::new(30)).format("%Y-%m-%d");
    format!(
        r#"+++
title = "Example: API errors after an internal certificate expired"
summary = "An internal TLS certificate expired overnight; the API could not reach its database for 52 minutes. Replace this example with your first real postmortem."
severity = "SEV2"
owner = "your-name"
started = {started}T02:14:00Z
detected = {started}T02:21:00Z
mitigated = {started}T03:06:00Z
resolved = {started}T04:00:00Z
published = {day}
services = ["api", "database"]
categories = ["certificate-expiry"]

[detection]
method = "alert"
signal = "API 5xx rate above 5% for 5 minutes"

[[timeline]]
at = {started}T02:14:00Z
event = "Certificate expires; API connections to the database start failing"
actor = "system"

[[timeline]]
at = {started}T03:06:00Z
event = "New certificate deployed; errors stop"
actor = "on-call engineer"

[[findings]]
id = "F1"
kind = "root-cause"
class = "process"
summary = "Certificate renewal was a manual yearly task with no reminder outside one calendar"
whys = ["Why did connections fail? The certificate had expired.", "Why was it not renewed? Renewal was manual and yearly."]

[[findings]]
id = "F2"
kind = "contributing-factor"
class = "tooling"
summary = "No alert watched certificate expiry dates"

[[remedies]]
summary = "Issue and deploy a new certificate from the internal CA"
symptom = "x509: certificate has expired or is not yet valid"
steps = ["Issue a certificate with the internal CA", "Roll it out to the API and database", "Restart the API pods"]

[[guardrails]]
id = "G1"
summary = "Alert 30 days before any certificate in the inventory expires"
control = "alert"
addresses = ["F1", "F2"]
would_have = "The team would have been warned a month ahead"
status = "proposed"

[[actions]]
id = "A1"
summary = "Automate renewal of internal certificates"
kind = "technical"
owner = "your-name"
due = {due}
finding = "F1"
guardrail = "G1"
metric = "No certificate in the inventory closer than 14 days to expiry"
+++

## Summary

Write the story here in Markdown: what happened, the impact, how it was
found and fixed, and what the team learned. Structured facts go in the front
matter above so Casebook can index, check and measure them.
"#
    )
}

/// The id and path for a new record titled `title`, avoiding `taken` ids.
pub fn new_record_id(title: &str, today: NaiveDate, taken: &[String]) -> String {
    let mut words = String::new();
    let slug = slugify(title);
    let ascii_words = slug.split('-').filter(|w| !w.is_empty() && w.is_ascii());
    for word in ascii_words {
        if !words.is_empty() && words.len() + word.len() + 1 > 48 {
            break;
        }
        if !words.is_empty() {
            words.push('-');
        }
        words.push_str(word);
    }
    if words.is_empty() {
        words.push_str("incident");
    }
    let base = format!("{}-{words}", today.format("%Y-%m"));
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// A new draft record with every section present, the optional ones commented out.
pub fn new_record(id: &str, title: &str, today: NaiveDate, config: &Config) -> File {
    let year = today.format("%Y");
    let day = today.format("%Y-%m-%d");
    let severities = config.severities.join(", ");
    let categories = if config.has_taxonomy() {
        config.categories.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
    } else {
        "free-form slugs".to_string()
    };
    let contents = format!(
        r#"+++
title = {title}
status = "draft"                       # draft → in-review → published
# summary = "One to three sentences: what happened, the impact, the fix."
# severity = "SEV2"                    # one of: {severities}
# owner = "your-name"
# authors = ["your-name"]
# reviewers = []
# facilitator = ""
started = {day}T00:00:00Z              # when impact began: set the real time
# detected = {day}T00:00:00Z
# mitigated = {day}T00:00:00Z
# resolved = {day}T00:00:00Z
# time_precision = "minute"            # minute, hour, day or estimate
# reviewed = {day}
# published = {day}
services = []
categories = []                        # {categories}
tags = []
# recurrence_of = []                   # ids of earlier incidents with the same mechanism
# related = [{{ id = "other-incident", relation = "similar", note = "" }}]
# no_actions_reason = ""               # only if the review decided no actions are needed
# environment = "region, release, traffic"

# [customer_impact]
# summary = "Who was affected, and how"
# users_affected = 0
# revenue_impact = 0.0
# slo_budget_burned = 0.0

# [detection]
# method = "alert"                     # alert, customer-report, employee-report, synthetic-check, automated-test, manual, third-party-report, other
# signal = "The alert or report that revealed it"

# [[participants]]
# name = "your-name"
# role = "engineering"

# [[timeline]]
# at = {day}T00:00:00Z
# event = "What happened at this moment"
# actor = "who or what acted"

# [[findings]]
# id = "F1"
# kind = "root-cause"                  # root-cause, contributing-factor, trigger
# class = "architecture"               # architecture, process, tooling, people-and-org, external
# summary = "The condition that made the failure possible"
# evidence = "Graphs, logs, tickets"
# whys = ["Why …? Because …"]
# counterfactual = "What would have changed the outcome"

# [[barriers]]
# summary = "A defence that held or did not"
# held = false

# [[remedies]]
# summary = "What mitigated or fixed it"
# symptom = "What the on-call engineer sees: the error message they will search for"
# steps = ["First step", "Second step"]
# worked = true

# [[guardrails]]
# id = "G1"
# summary = "The preventive control"
# control = "alert"                    # test, alert, feature-flag, rollback, runbook, rate-limit, review, training, chaos-exercise, other
# addresses = ["F1"]
# would_have = "How it would have changed this incident"
# status = "proposed"                  # proposed, implemented, verified
# implemented = {day}

# [[actions]]
# id = "A1"
# summary = "What will be done"
# kind = "technical"                   # technical, process, organizational
# owner = "your-name"
# due = {day}
# status = "open"                      # open, in-progress, done, wont-do
# finding = "F1"
# guardrail = "G1"
# metric = "How success will be measured"
# tracker = "https://tracker.example.com/OPS-1"

# [lessons]
# went_well = []
# went_wrong = []
# got_lucky = []
+++

## Summary

## Impact

## What happened

## Analysis

## Lessons
"#,
        title = toml_string(title)
    );
    new_file(&format!("incidents/{year}/{id}.md"), contents)
}

/// A file to create, relative to the knowledge base directory.
fn new_file(path: &str, text: String) -> File {
    File { path: path.to_string(), bytes: text.into_bytes() }
}

/// A TOML basic string with the needed escapes.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
    }

    #[test]
    fn new_ids_are_dated_slugs_and_unique() {
        assert_eq!(new_record_id("Checkout errors: DB failover!", day(), &[]), "2026-11-checkout-errors-db-failover");
        let taken = vec!["2026-11-x".to_string(), "2026-11-x-2".to_string()];
        assert_eq!(new_record_id("X", day(), &taken), "2026-11-x-3");
        assert_eq!(new_record_id("Ünïcode ☃", day(), &[]), "2026-11-incident");
        let long = new_record_id(&"word ".repeat(40), day(), &[]);
        assert!(long.len() <= 56, "{long}");
    }

    #[test]
    fn toml_strings_escape_quotes_and_controls() {
        assert_eq!(toml_string("a \"b\"\\\n"), "\"a \\\"b\\\"\\\\\\n\"");
    }
}
