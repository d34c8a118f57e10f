//! Policy and writing warnings: the record is understood but falls short.
//!
//! These are the checks a postmortem review would make by hand: are the
//! minimum-viable facts there (who, what, when, where, why, how), was it
//! published on time, does every finding lead to an action or a guardrail,
//! does every action have an owner and a due date, is the wording blameless.
//! Drafts get the writing lints but not the policy ones: they are unfinished
//! by definition.

use std::ops::Range;

use chrono::NaiveDate;

use super::Parsed;
use super::raw::S;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::model::{FindingKind, RecordStatus, RequirableField, earliest_plausible_day, latest_plausible_day};

/// Policy warnings a record written before the policy, or in another tool,
/// cannot satisfy after the fact: on imported records they are counted once
/// per knowledge base rather than listed per record (unless strict).
pub const HISTORY: &[&str] = &[
    "missing-field",
    "late-publication",
    "no-actions",
    "action-owner",
    "action-due",
    "action-horizon",
    "unaddressed-finding",
    "single-root-cause",
];

/// Phrases that assign blame or argue with hindsight, as (phrase, why).
const BLAME_PHRASES: &[&str] = &[
    "human error",
    "should have",
    "shouldn't have",
    "should've",
    "should not have",
    "failed to",
    "careless",
    "negligent",
    "negligence",
    "forgot to",
    "blame",
];

struct Lint<'a> {
    p: &'a Parsed,
    diags: &'a mut Diagnostics,
}

impl Lint<'_> {
    fn loc(&self, span: Option<Range<usize>>) -> Location {
        match span {
            Some(s) => self.p.source.location(s.start + self.p.offset..s.end + self.p.offset),
            None => self.p.source.line_location(1),
        }
    }

    fn warn(&mut self, code: &'static str, span: Option<Range<usize>>, message: String, help: String) {
        let d = Diagnostic::warning(code, &self.p.source.path, message).at(Some(self.loc(span))).help(help);
        self.diags.push(d);
    }
}

pub(super) fn check(p: &Parsed, config: &Config, today: NaiveDate, diags: &mut Diagnostics) {
    let mut lint = Lint { p, diags };
    let inc = &p.incident;
    if inc.status != RecordStatus::Draft {
        missing_fields(&mut lint, config);
        late_publication(&mut lint, config, today);
        no_actions(&mut lint, config);
    }
    actions(&mut lint, config);
    unaddressed_findings(&mut lint);
    single_root_cause(&mut lint, config);
    blame_wording(&mut lint);
    guardrail_dates(&mut lint);
    timeline_order(&mut lint);
    implausible_dates(&mut lint, today);
}

/// Whether a field is missing is read from the front matter as written, never
/// from the model: a value that failed to convert (a bad enum word, a bad
/// datetime, a category outside the taxonomy) is dropped from the model and
/// already reported as an error, and is not "missing" too.
fn missing_fields(lint: &mut Lint<'_>, config: &Config) {
    use RequirableField as F;
    let raw = &lint.p.raw;
    let inc = &lint.p.incident;
    let minimum: [(&str, &str, bool); 9] = [
        ("title", "what", raw.title.is_some()),
        ("owner", "who", raw.owner.is_some()),
        ("severity", "how bad", raw.severity.is_some()),
        ("started", "when", raw.started.is_some()),
        ("resolved", "when", raw.resolved.is_some()),
        ("services", "where", is_filled(lint.p, F::Services)),
        ("categories", "why", is_filled(lint.p, F::Categories)),
        ("findings", "why", is_filled(lint.p, F::Findings)),
        ("remedies", "how", is_filled(lint.p, F::Remedies)),
    ];
    let missing: Vec<String> =
        minimum.iter().filter(|(_, _, has)| !has).map(|(f, q, _)| format!("{f} ({q})")).collect();
    if !missing.is_empty() {
        lint.warn(
            "missing-field",
            None,
            format!("missing minimum-viable fields: {}", missing.join(", ")),
            "a postmortem answers who, what, when, where, why and how; see docs/record-format.md".into(),
        );
    }
    let Some(severity) = &inc.severity else { return };
    let Some(required) = config.policy.required_fields.get(severity) else { return };
    let absent: Vec<&str> = required.iter().filter(|&&f| !is_filled(lint.p, f)).map(|f| f.as_str()).collect();
    if !absent.is_empty() {
        let span = raw.severity.as_ref().map(S::span);
        lint.warn(
            "missing-field",
            span,
            format!("{severity} records must fill in: {}", absent.join(", ")),
            "the policy in casebook.toml ([policy] required_fields) asks for these at this severity".into(),
        );
    }
}

/// Whether the record fills in `field`: the key is written in the front
/// matter, with a non-empty list or table where it takes one. Read from the
/// raw front matter, so a value the loader rejected (and reported) counts as
/// written.
fn is_filled(p: &Parsed, field: RequirableField) -> bool {
    use RequirableField as F;
    let raw = &p.raw;
    let list = |v: Option<usize>| v.is_some_and(|n| n > 0);
    match field {
        F::Summary => raw.summary.is_some(),
        F::Severity => raw.severity.is_some(),
        F::Owner => raw.owner.is_some(),
        F::Facilitator => raw.facilitator.is_some(),
        F::Started => raw.started.is_some(),
        F::Detected => raw.detected.is_some(),
        F::Mitigated => raw.mitigated.is_some(),
        F::Resolved => raw.resolved.is_some(),
        F::Reviewed => raw.reviewed.is_some(),
        F::Published => raw.published.is_some(),
        F::CustomerImpact => raw.customer_impact.is_some(),
        F::Detection => raw.detection.is_some(),
        F::Environment => raw.environment.is_some(),
        F::Authors => list(raw.authors.as_ref().map(|a| a.0.len())),
        F::Reviewers => list(raw.reviewers.as_ref().map(|r| r.0.len())),
        F::Participants => !raw.participants.is_empty(),
        F::Services => list(raw.services.as_ref().map(|s| s.get_ref().len())),
        F::Categories => list(raw.categories.as_ref().map(|c| c.get_ref().len())),
        F::Tags => list(raw.tags.as_ref().map(Vec::len)),
        F::Timeline => list(raw.timeline.as_ref().map(|t| t.get_ref().len())),
        F::Findings => list(raw.findings.as_ref().map(|f| f.get_ref().len())),
        F::Barriers => !raw.barriers.is_empty(),
        F::Remedies => list(raw.remedies.as_ref().map(|r| r.get_ref().len())),
        F::Guardrails => !raw.guardrails.is_empty(),
        F::Actions => list(raw.actions.as_ref().map(|a| a.get_ref().len())),
        F::Lessons => {
            let l = &raw.lessons;
            !(l.went_well.is_empty() && l.went_wrong.is_empty() && l.got_lucky.is_empty())
        }
    }
}

fn late_publication(lint: &mut Lint<'_>, config: &Config, today: NaiveDate) {
    let inc = &lint.p.incident;
    let (Some(severity), Some(resolved)) = (&inc.severity, inc.clock.resolved) else { return };
    let Some(&limit) = config.policy.publish_within_days.get(severity) else { return };
    let resolved_day = resolved.date_naive();
    match inc.published {
        Some(published) => {
            let days = (published - resolved_day).num_days();
            if days > i64::from(limit) {
                let span = lint.p.raw.published.as_ref().map(S::span);
                lint.warn(
                    "late-publication",
                    span,
                    format!("published {days} days after resolution; the policy allows {limit} for {severity}"),
                    "publish sooner next time, while memories are fresh; the delay is shown on the metrics pages"
                        .into(),
                );
            }
        }
        None if inc.status != RecordStatus::Published => {
            let days = (today - resolved_day).num_days();
            if days > i64::from(limit) {
                let span = lint.p.raw.status.as_ref().map(S::span);
                lint.warn(
                    "late-publication",
                    span,
                    format!("still unpublished {days} days after resolution; the policy allows {limit} for {severity}"),
                    "finish the review and set status = \"published\" and published = <date>".into(),
                );
            }
        }
        None => {}
    }
}

fn no_actions(lint: &mut Lint<'_>, config: &Config) {
    let inc = &lint.p.incident;
    let Some(severity) = &inc.severity else { return };
    if config.policy.postmortem_required.contains(severity) && inc.actions.is_empty() && inc.no_actions_reason.is_none()
    {
        let span = lint.p.raw.severity.as_ref().map(S::span);
        lint.warn(
            "no-actions",
            span,
            format!("a {severity} postmortem with no actions and no `no_actions_reason`"),
            "add [[actions]], or say why the review decided none are needed: no_actions_reason = \"…\"".into(),
        );
    }
}

fn actions(lint: &mut Lint<'_>, config: &Config) {
    let Some(list) = &lint.p.raw.actions else { return };
    let resolved = lint.p.incident.clock.resolved.map(|r| r.date_naive());
    for (raw, action) in list.get_ref().iter().zip(&lint.p.incident.actions) {
        let id_span = raw.get_ref().id.as_ref().map(S::span).or(Some(raw.span()));
        if action.owner.is_none() {
            lint.warn(
                "action-owner",
                id_span.clone(),
                format!("action `{}` has no owner", action.id),
                "an action without an owner is rarely done: owner = \"name\"".into(),
            );
        }
        match (action.due, raw.get_ref().due.as_ref()) {
            (None, None) => lint.warn(
                "action-due",
                id_span,
                format!("action `{}` has no due date", action.id),
                "set due = YYYY-MM-DD so the tracker can show it as overdue".into(),
            ),
            (Some(due), Some(raw_due)) => {
                if let (Some(horizon), Some(resolved)) = (config.policy.action_due_within_days, resolved) {
                    let days = (due - resolved).num_days();
                    if days > i64::from(horizon) {
                        lint.warn(
                            "action-horizon",
                            Some(raw_due.span()),
                            format!(
                                "action `{}` is due {days} days after resolution; the policy's horizon is {horizon}",
                                action.id
                            ),
                            "split it into a smaller first step due sooner, or raise [policy] action_due_within_days"
                                .into(),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn unaddressed_findings(lint: &mut Lint<'_>) {
    let inc = &lint.p.incident;
    if inc.no_actions_reason.is_some() {
        return;
    }
    let Some(list) = &lint.p.raw.findings else { return };
    for (raw, finding) in list.get_ref().iter().zip(&inc.findings) {
        if finding.kind == Some(FindingKind::Trigger) {
            continue;
        }
        let addressed = inc.actions.iter().any(|a| a.finding.as_deref() == Some(&finding.id))
            || inc.guardrails.iter().any(|g| g.addresses.contains(&finding.id));
        if !addressed {
            let span = raw.get_ref().id.as_ref().map(S::span).unwrap_or_else(|| raw.get_ref().summary.span());
            lint.warn(
                "unaddressed-finding",
                Some(span),
                format!("finding `{}` is not addressed by any action or guardrail", finding.id),
                format!("add an action with finding = \"{0}\" or a guardrail with addresses = [\"{0}\"]", finding.id),
            );
        }
    }
}

fn single_root_cause(lint: &mut Lint<'_>, config: &Config) {
    let inc = &lint.p.incident;
    let Some(severity) = &inc.severity else { return };
    if config.severity_rank(severity).is_none_or(|r| r > 1) {
        return;
    }
    let roots = inc.findings.iter().filter(|f| f.kind == Some(FindingKind::RootCause)).count();
    let factors = inc.findings.iter().filter(|f| f.kind == Some(FindingKind::ContributingFactor)).count();
    if roots == 1 && factors == 0 {
        let span = lint.p.raw.findings.as_ref().map(S::span);
        lint.warn(
            "single-root-cause",
            span,
            format!("a {severity} incident with a single root cause and no contributing factors"),
            "serious incidents rarely have one cause: what made it worse, slower to detect, or harder to fix?".into(),
        );
    }
}

/// Any of [`BLAME_PHRASES`] anywhere, in any ASCII case (`None` only if the
/// automaton could not be built, and then every text is searched phrase by phrase).
static BLAME_FILTER: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(BLAME_PHRASES).ok()
});

fn blame_wording(lint: &mut Lint<'_>) {
    let Some(list) = &lint.p.raw.findings else { return };
    let mut hits: Vec<(Range<usize>, String, &str)> = Vec::new();
    for finding in list.get_ref() {
        let f = finding.get_ref();
        let texts = std::iter::once(&f.summary).chain(f.evidence.as_ref()).chain(f.whys.iter());
        for text in texts {
            // Most findings contain none of the phrases: one pass tells.
            if !BLAME_FILTER.as_ref().is_none_or(|filter| filter.is_match(text.get_ref())) {
                continue;
            }
            let lower = text.get_ref().to_ascii_lowercase();
            for phrase in BLAME_PHRASES {
                if let Some(at) = find_in_lowercase(&lower, phrase) {
                    // Point at the phrase when the string is written without escapes.
                    let span = text.span();
                    let toml_text =
                        lint.p.source.text.get(span.start + lint.p.offset..span.end + lint.p.offset).unwrap_or("");
                    let precise = find_phrase(toml_text, phrase).map(|i| span.start + i..span.start + i + phrase.len());
                    let _ = at;
                    hits.push((precise.unwrap_or(span), text.get_ref().clone(), phrase));
                }
            }
        }
    }
    for (span, _, phrase) in hits {
        lint.warn(
            "blame-wording",
            Some(span),
            format!("blame or hindsight wording in a finding: \"{phrase}\""),
            "describe the conditions that made the outcome possible (what the system allowed, what the runbook said),\nnot what a person ought to have done".into(),
        );
    }
}

/// Case-insensitive search for `phrase` as whole words; the byte index in `text`.
fn find_phrase(text: &str, phrase: &str) -> Option<usize> {
    find_in_lowercase(&text.to_ascii_lowercase(), phrase)
}

/// [`find_phrase`] in text already in ASCII lower case.
fn find_in_lowercase(lower: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = lower.get(from..).and_then(|s| s.find(phrase)) {
        let at = from + i;
        let end = at + phrase.len();
        let before = lower[..at].chars().next_back();
        let after = lower[end..].chars().next();
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !is_word(before) && !is_word(after) {
            return Some(at);
        }
        from = end;
    }
    None
}

fn guardrail_dates(lint: &mut Lint<'_>) {
    for (raw, g) in lint.p.raw.guardrails.iter().zip(&lint.p.incident.guardrails) {
        if g.status.is_live() && g.implemented.is_none() && raw.get_ref().implemented.is_none() {
            let span = raw.get_ref().status.as_ref().map(S::span);
            lint.warn(
                "guardrail-date",
                span,
                format!("guardrail `{}` is {} but has no `implemented` date", g.id, g.status),
                "add implemented = YYYY-MM-DD so Casebook can tell whether the failure recurred after it".into(),
            );
        }
    }
}

fn timeline_order(lint: &mut Lint<'_>) {
    let Some(list) = &lint.p.raw.timeline else { return };
    let entries = &lint.p.incident.timeline;
    if entries.len() != list.get_ref().len() {
        return; // a bad datetime was already reported
    }
    for (i, pair) in entries.windows(2).enumerate() {
        if let [a, b] = pair {
            if b.at < a.at {
                let span = list.get_ref().get(i + 1).map(|e| e.get_ref().at.span());
                lint.warn(
                    "timeline-order",
                    span,
                    format!("timeline entry at {} comes after one at {}", b.at, a.at),
                    "keep timeline entries in chronological order".into(),
                );
            }
        }
    }
}

/// The calendar day a TOML date or datetime names, as written (in its own offset).
fn written_day(value: &S<toml::value::Datetime>) -> Option<NaiveDate> {
    let d = value.get_ref().date?;
    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
}

/// Dates outside reason: before 1990-01-01, or more than a year after the
/// build date. A warning, not an error: the record is understood, but a
/// typo in a year would otherwise stretch every chart over time.
fn implausible_dates(lint: &mut Lint<'_>, today: NaiveDate) {
    let raw = &lint.p.raw;
    let mut dates: Vec<(&str, &S<toml::value::Datetime>)> = [
        ("started", &raw.started),
        ("detected", &raw.detected),
        ("mitigated", &raw.mitigated),
        ("resolved", &raw.resolved),
        ("reviewed", &raw.reviewed),
        ("published", &raw.published),
    ]
    .into_iter()
    .filter_map(|(name, v)| Some((name, v.as_ref()?)))
    .collect();
    dates.extend(raw.timeline.iter().flat_map(|t| t.get_ref()).map(|e| ("timeline `at`", &e.get_ref().at)));
    dates.extend(
        raw.guardrails.iter().filter_map(|g| Some(("guardrail `implemented`", g.get_ref().implemented.as_ref()?))),
    );
    for a in raw.actions.iter().flat_map(|a| a.get_ref()) {
        let a = a.get_ref();
        dates.extend(a.due.as_ref().map(|d| ("action `due`", d)));
        dates.extend(a.completed.as_ref().map(|d| ("action `completed`", d)));
    }
    let (earliest, latest) = (earliest_plausible_day(), latest_plausible_day(today));
    let mut found: Vec<(std::ops::Range<usize>, String, String)> = Vec::new();
    for (field, value) in dates {
        let Some(day) = written_day(value) else { continue };
        let why = if day < earliest {
            format!("before {earliest}")
        } else if day > latest {
            format!("more than a year after the build date ({today})")
        } else {
            continue;
        };
        let field = if field.contains('`') { field.to_string() } else { format!("`{field}`") };
        let mut help = format!("check the year for a typo: dates are taken at face value from {earliest} to {latest}");
        if field == "`started`" {
            help.push_str(
                ";\nuntil then the incident is left out of the charts and tables by quarter, and of the time figures",
            );
        }
        found.push((value.span(), format!("{field} = {day} is implausible: {why}"), help));
    }
    for (span, message, help) in found {
        lint.warn("implausible-date", Some(span), message, help);
    }
}

#[cfg(test)]
mod tests {
    use super::find_phrase;

    #[test]
    fn blame_phrases_match_whole_words_only() {
        assert_eq!(find_phrase("The deploy Failed to start", "failed to"), Some(11));
        assert_eq!(find_phrase("a blameless review", "blame"), None);
        assert_eq!(find_phrase("unfailed tomorrow", "failed to"), None);
        assert_eq!(find_phrase("Human error, again", "human error"), Some(0));
    }
}
