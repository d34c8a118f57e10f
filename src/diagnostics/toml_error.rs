//! Turns TOML and serde errors into positioned diagnostics.
//!
//! serde reports schema problems as sentences ("unknown field `x`, expected
//! one of …"); this module recognises those sentences, names the problem with a
//! stable code, and adds the help a writer needs: a did-you-mean suggestion, the
//! allowed keys, or how to spell a datetime. `offset` is where the TOML text
//! starts inside the file, so the position is the position in the file.

use super::{Diagnostic, Diagnostics, SourceFile};

/// Record one TOML error found in `source`, whose TOML starts at byte `offset`.
pub fn report(source: &SourceFile, offset: usize, err: &toml::de::Error, diags: &mut Diagnostics) {
    let location = err.span().map(|s| source.location(s.start + offset..s.end + offset));
    let message = err.message().trim().to_string();
    let line_key = location.as_ref().and_then(|l| key_of_line(&l.line_text));
    let (code, message, help) = classify(&message, line_key.as_deref());
    diags.push(Diagnostic::error(code, &source.path, message).at(location).maybe_help(help));
}

fn classify(message: &str, line_key: Option<&str>) -> (&'static str, String, Option<String>) {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (name, expected) = split_expected(rest);
        let help = match (alias(&name, &expected).or_else(|| elsewhere(&name)), suggest(&name, &expected)) {
            (Some(help), _) => help,
            (None, Some(s)) => format!("did you mean `{s}`?"),
            (None, None) if expected.is_empty() => "this table takes no keys".to_string(),
            (None, None) => format!("allowed keys here: {}", expected.join(", ")),
        };
        return ("unknown-key", format!("unknown key `{name}`"), Some(help));
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (name, expected) = split_expected(rest);
        let help = match suggest(&name, &expected) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected one of: {}", expected.join(", ")),
        };
        return ("bad-value", format!("unknown value `{name}`"), Some(help));
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = rest.trim_matches('`');
        return (
            "missing-key",
            format!("missing required key `{name}`"),
            Some(format!("add `{name} = …` to this table")),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let help = line_key.and_then(type_hint).map(str::to_string);
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "another type"));
        let plain = |s: &str| {
            s.replace("a sequence", "a list").replace("a map", "a table").replace("TOML datetime", "datetime")
        };
        let message = match line_key {
            Some(key) => format!("`{key}` has the wrong type: expected {}, found {}", plain(expected), plain(found)),
            None => format!("wrong type: expected {}, found {}", plain(expected), plain(found)),
        };
        if expected.contains("datetime") {
            let help = help.unwrap_or_else(|| {
                "write dates and datetimes without quotes: started = 2025-03-14T09:12:00Z, reviewed = 2025-03-17"
                    .to_string()
            });
            return ("bad-datetime", message.to_string(), Some(help));
        }
        return ("wrong-type", message.to_string(), help);
    }
    if message.contains("datetime") || message.contains("date") || message.contains("offset") {
        return (
            "bad-datetime",
            message.to_string(),
            Some("datetimes look like 2025-03-14T09:12:00Z (RFC 3339 with an offset); dates like 2025-03-17".into()),
        );
    }
    ("toml-syntax", message.to_string(), None)
}

/// Keys other postmortem formats use (Hugo and Jekyll front matter, incident
/// platforms, templates), and what a record says instead: (their names, the
/// record's key, how to write it). Offered only where that key is allowed.
const ALIASES: &[(&[&str], &str, &str)] = &[
    (
        &["start_time", "start", "start_date", "begin", "began", "date", "incident_date", "occurred"],
        "started",
        "started = 2024-03-01T09:00:00Z",
    ),
    (
        &["end_time", "end", "end_date", "ended", "resolved_at", "resolution_time"],
        "resolved",
        "resolved = 2024-03-01T11:30:00Z",
    ),
    (&["detected_at", "detection_time", "time_to_detect"], "detected", "detected = 2024-03-01T09:12:00Z"),
    (&["mitigated_at", "mitigation_time"], "mitigated", "mitigated = 2024-03-01T10:05:00Z"),
    (
        &["sev", "priority", "prio", "impact_level", "level"],
        "severity",
        "severity = \"SEV2\" (a level of [severity] levels)",
    ),
    (&["description", "abstract", "overview", "tldr", "excerpt"], "summary", "summary = \"…\""),
    (&["keywords", "labels", "label"], "tags", "tags = [\"…\"]"),
    (&["author", "written_by"], "authors", "authors = [\"…\"]"),
    (
        &["attendees", "responders", "people", "participants_list"],
        "participants",
        "[[participants]] with name and role",
    ),
    (&["reviewer", "approver", "approvers"], "reviewers", "reviewers = [\"…\"]"),
    (
        &["service", "systems", "system", "components", "component", "affected_services", "product", "products"],
        "services",
        "services = [\"…\"]",
    ),
    (
        &["category", "type", "failure_type"],
        "categories",
        "categories = [\"…\"] (slugs of the taxonomy in casebook.toml)",
    ),
    (&["impact"], "customer_impact", "[customer_impact] with description, users_affected, revenue_impact"),
    (
        &["root_cause", "root_causes", "cause", "causes", "contributing_factors"],
        "findings",
        "[[findings]] with id, kind = \"root-cause\" (or \"contributing-factor\", \"trigger\"), class and summary",
    ),
    (
        &["action_items", "actions_items", "followups", "follow_ups", "todo", "todos", "tasks"],
        "actions",
        "[[actions]] with id, summary, owner, due and status",
    ),
    (&["resolution", "mitigation", "fix", "remediation"], "remedies", "[[remedies]] with summary and symptom"),
    (&["lessons_learned", "learnings"], "lessons", "[lessons] with went_well, went_wrong and lucky"),
    (&["recurrence", "repeat_of", "duplicate_of"], "recurrence_of", "recurrence_of = [\"earlier-incident-id\"]"),
    (
        &["url", "urls", "link", "references", "reference", "source_url", "discussion", "status_page"],
        "links",
        "links = [\"https://…\", { url = \"https://…\", title = \"Status page\" }] (another record is named in `related`)",
    ),
    (
        &["tz", "time_zone", "zone", "timezone_offset", "utc_offset"],
        "timezone",
        "timezone = \"-08:00\" (a fixed offset, or an abbreviation such as \"PST\"), for times written without one",
    ),
];

/// Help for a key another format uses, when this table has the key it means.
fn alias(name: &str, expected: &[String]) -> Option<String> {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    let (_, key, how) = ALIASES.iter().find(|(names, _, _)| names.contains(&lower.as_str()))?;
    if let Some(known) = expected.iter().find(|e| e.as_str() == *key) {
        return Some(format!("Casebook calls this `{known}`: {how}"));
    }
    None
}

/// Keys of other formats that a record has no key for, and where that
/// information goes instead.
const ELSEWHERE: &[(&[&str], &str)] = &[(
    &["duration", "downtime", "outage_duration"],
    "give `started` and `resolved`; the duration is computed from them",
)];

/// Help for a key another format uses that a record has no key for.
fn elsewhere(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    ELSEWHERE.iter().find(|(names, _)| names.contains(&lower.as_str())).map(|(_, how)| how.to_string())
}

/// From "`x`, expected one of `a`, `b`" get ("x", ["a", "b"]).
fn split_expected(rest: &str) -> (String, Vec<String>) {
    let mut parts = rest.split('`').skip(1).step_by(2).map(str::to_string);
    let name = parts.next().unwrap_or_default();
    (name, parts.collect())
}

/// The closest candidate to `word`, when one is close enough to be a typo.
pub fn suggest(word: &str, candidates: &[impl AsRef<str>]) -> Option<String> {
    let word_lower = word.to_lowercase();
    candidates
        .iter()
        .map(|c| c.as_ref())
        .map(|c| (strsim::normalized_damerau_levenshtein(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_string())
}

/// The key assigned on a line such as `services = "x"`.
fn key_of_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.contains(' ')).then(|| key.rsplit('.').next().unwrap_or(key).to_string())
}

/// How to write a field, for wrong-type errors.
fn type_hint(key: &str) -> Option<&'static str> {
    Some(match key {
        "services"
        | "categories"
        | "tags"
        | "recurrence_of"
        | "whys"
        | "steps"
        | "addresses"
        | "went_well"
        | "went_wrong"
        | "got_lucky"
        | "levels"
        | "postmortem_required" => "this key takes a list of strings: [\"first\", \"second\"]",
        "authors" | "reviewers" => "this key takes a name or a list of names: [\"dana\", \"li\"]",
        "started" | "detected" | "mitigated" | "resolved" | "at" => {
            "this key takes a datetime with an offset, without quotes: 2025-03-14T09:12:00Z"
        }
        "reviewed" | "published" | "implemented" | "due" | "completed" => {
            "this key takes a date, without quotes: 2025-03-17"
        }
        "held" | "worked" | "strict" | "allow_raw_html" => "this key takes true or false",
        "users_affected" => "this key takes a whole number: users_affected = 12000",
        "revenue_impact" | "slo_budget_burned" => "this key takes a number: revenue_impact = 4200.0",
        "related" => {
            "this key takes a list of ids or of tables: [\"an-id\", { id = \"other\", relation = \"same-cause\" }]"
        }
        "environment" => "this key takes a string or a table { region = \"…\", release = \"…\" }",
        "timezone" => "this key takes a string: a fixed offset or an abbreviation, timezone = \"-08:00\"",
        "links" => {
            "this key takes a list of URLs or of tables: [\"https://…\", { url = \"https://…\", title = \"Status page\" }]"
        }
        _ => "this key takes a string: key = \"text\"",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let keys = ["severity", "services", "summary"];
        assert_eq!(suggest("sevrity", &keys).as_deref(), Some("severity"));
        assert_eq!(suggest("servcies", &keys).as_deref(), Some("services"));
        assert_eq!(suggest("zzz", &keys), None);
    }

    #[test]
    fn classifies_unknown_fields_with_suggestion() {
        let (code, message, help) = classify("unknown field `sevrity`, expected one of `id`, `severity`", None);
        assert_eq!(code, "unknown-key");
        assert_eq!(message, "unknown key `sevrity`");
        assert_eq!(help.as_deref(), Some("did you mean `severity`?"));
    }

    #[test]
    fn reads_the_key_of_a_line() {
        assert_eq!(key_of_line("services = \"a\"").as_deref(), Some("services"));
        assert_eq!(key_of_line("customer_impact.users_affected = 3").as_deref(), Some("users_affected"));
        assert_eq!(key_of_line("no key here"), None);
    }
}
