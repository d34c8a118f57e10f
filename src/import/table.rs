//! CSV and JSON exports of incident platforms and issue trackers.
//!
//! One row (or JSON object) is one incident, named by the importer's key map
//! (`created_at` → started, `acknowledged_at` → detected, `service` →
//! services…, extended by `[import] keys`). A table whose rows name an
//! incident in a column such as `incident_id` or Jira's `Custom field
//! (Incident ID)` is a table of actions instead: each row becomes an action
//! of that incident, whichever source the incident came from. JSON objects
//! may nest: `{"severity": {"name": "SEV1"}}`, `services: [{"name": …}]`,
//! `timeline: [{"at", "message"}]`, `action_items: [{"title", "assignee",
//! "due", "status"}]`.

use serde_json::Value;

use super::clock::{self, Clock};
use super::draft::{Action, Draft, Event};
use super::markdown::{date_in, plain, url_in};
use super::{Context, Facts, Format, Input, hash};
use crate::config::import_key;

/// What one table held.
#[derive(Default)]
pub struct Read {
    /// Incidents, by the source's id for each.
    pub incidents: Vec<(String, Draft)>,
    pub actions: Vec<JoinedAction>,
}

/// An action row, with the incident it belongs to.
pub struct JoinedAction {
    pub incident: String,
    pub action: Action,
    pub from: String,
}

/// One row or object: its fields in order.
type Row = Vec<(String, Value)>;

pub fn read(input: &Input, format: Format, ctx: &Context<'_>) -> Result<Read, String> {
    let rows = match format {
        Format::Json => json_rows(&input.text)?,
        _ => csv_rows(&input.text)?,
    };
    let mut out = Read::default();
    let join =
        rows.first().and_then(|r| r.iter().map(|(k, _)| k.as_str()).find(|k| is_join_column(k)).map(str::to_string));
    for (n, row) in rows.iter().enumerate() {
        let from = format!("{}#{}", input.from, row_name(row, n, ctx));
        match &join {
            Some(column) => {
                let incident = row.iter().find(|(k, _)| k == column).map(|(_, v)| text(v)).unwrap_or_default();
                if incident.is_empty() {
                    continue;
                }
                out.actions.push(JoinedAction { incident, action: action(row), from });
            }
            None => {
                let (key, draft) = incident(row, &from, ctx);
                out.incidents.push((key.unwrap_or_else(|| format!("row-{}", n + 1)), draft));
            }
        }
    }
    Ok(out)
}

/// A column naming the incident a row belongs to (not the row's own id).
fn is_join_column(name: &str) -> bool {
    let key = import_key(name);
    // "incident" itself contains "id": look at what follows it.
    key.split_once("incident").is_some_and(|(_, rest)| ["id", "key", "number", "ref"].iter().any(|w| rest.contains(w)))
}

/// How a row is named in its source: its id, or its 1-based row number.
fn row_name(row: &Row, n: usize, ctx: &Context<'_>) -> String {
    row.iter()
        .find(|(k, _)| super::fact_of(k, ctx) == Some("id") || import_key(k) == "issue_key")
        .map(|(_, v)| text(v))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| format!("row-{}", n + 1))
}

fn csv_rows(source: &str) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(source.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the CSV header does not parse: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {} of the CSV does not parse: {e}", n + 2))?;
        let row: Row =
            headers.iter().zip(record.iter()).map(|(h, v)| (h.clone(), Value::String(v.to_string()))).collect();
        if row.iter().any(|(_, v)| !text(v).is_empty()) {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn json_rows(text: &str) -> Result<Vec<Row>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("the JSON does not parse: {e}"))?;
    let list = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => {
            let key = ["incidents", "data", "items", "results", "records"]
                .into_iter()
                .find(|k| map.get(*k).is_some_and(Value::is_array));
            match key.and_then(|k| map.remove(k)) {
                Some(Value::Array(items)) => items,
                _ => vec![Value::Object(map)],
            }
        }
        _ => return Err("the JSON is neither a list of incidents nor an object holding one".into()),
    };
    Ok(list
        .into_iter()
        .filter_map(|item| match item {
            Value::Object(map) => Some(map.into_iter().collect()),
            _ => None,
        })
        .collect())
}

/// A value as one line of text: strings as they are, numbers, and the
/// first text inside an object (`{"name": "SEV1"}`); lists joined by ", ".
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items.iter().map(text).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(", "),
        Value::Object(map) => ["name", "title", "summary", "value", "label", "email"]
            .iter()
            .find_map(|k| map.get(*k).map(text))
            .or_else(|| map.values().map(text).find(|t| !t.is_empty()))
            .unwrap_or_default(),
        Value::Null => String::new(),
    }
}

/// The first field of `object` among `names`, as text.
fn field(object: &serde_json::Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| object.get(*n).map(text)).filter(|t| !t.is_empty())
}

fn incident(row: &Row, from: &str, ctx: &Context<'_>) -> (Option<String>, Draft) {
    let mut facts = Facts::default();
    let mut events: Vec<(String, String)> = Vec::new();
    let mut actions: Vec<Action> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    for (key, value) in row {
        let name = import_key(key);
        match value {
            Value::Array(items) if items.iter().any(Value::is_object) => {
                let objects = items.iter().filter_map(Value::as_object);
                if ["timeline", "events", "updates", "timeline_events", "incident_updates"].contains(&name.as_str()) {
                    for o in objects {
                        let at = field(o, &["at", "time", "timestamp", "occurred_at", "created_at", "date"]);
                        let what = field(o, &["message", "event", "text", "body", "description", "summary", "title"]);
                        if let (Some(at), Some(what)) = (at, what) {
                            events.push((at, what));
                        }
                    }
                } else if ["action_items", "actions", "follow_ups", "followups", "tasks", "remediations"]
                    .contains(&name.as_str())
                {
                    for o in objects {
                        let row: Row = o.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                        actions.push(action(&row));
                    }
                } else {
                    facts.state(key, &text(value), ctx);
                }
            }
            _ => {
                let t = text(value);
                if super::fact_of(key, ctx).is_none() {
                    if let Some(url) = url_in(&t) {
                        links.push(format!("- {}: <{url}>", key.trim()));
                    }
                }
                facts.state(key, &t, ctx);
            }
        }
    }
    let id = facts.id.clone();
    let mut clock = Clock::new(facts.zone, facts.day());
    let mut draft = Draft { title: facts.title.clone().unwrap_or_default(), ..Draft::default() };
    for (at, what) in events {
        if let Some(at) = clock::leading(&at).and_then(|(w, _)| clock.resolve(w)) {
            draft.timeline.push(Event { at, event: plain(&what), day: false });
        }
    }
    for (i, mut a) in actions.into_iter().enumerate() {
        a.id = format!("A{}", i + 1);
        draft.actions.push(a);
    }
    if draft.title.is_empty() {
        draft.title = match &id {
            Some(id) => format!("Incident {id}"),
            None => "Untitled incident".into(),
        };
    }
    facts.fill(&mut draft, &clock);
    if !links.is_empty() {
        draft.body = format!("## Links\n{}", links.join("\n"));
    }
    let canonical: String = row.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    draft.source = super::draft::Source { from: from.to_string(), hash: hash(canonical.as_bytes()) };
    (id, draft)
}

/// An action from a row or object of a tracker export.
fn action(row: &Row) -> Action {
    let get = |names: &[&str]| {
        row.iter()
            .find(|(k, _)| names.contains(&import_key(k).as_str()))
            .map(|(_, v)| text(v))
            .filter(|t| !t.is_empty())
    };
    let mut summary = get(&["summary", "title", "action", "name", "description", "task"]).unwrap_or_default();
    let key = get(&["issue_key", "key", "ticket", "jira"]);
    let tracker = get(&["url", "link", "ticket_url", "issue_url", "self"]).and_then(|u| url_in(&u));
    if let (Some(key), None) = (&key, &tracker) {
        summary = format!("{summary} ({key})");
    }
    let status = get(&["resolution"])
        .filter(|r| !r.eq_ignore_ascii_case("unresolved"))
        .and_then(|r| status_of(&r))
        .filter(|s| *s == "wont-do")
        .or_else(|| get(&["status", "state"]).and_then(|s| status_of(&s)));
    Action {
        id: String::new(),
        summary: plain(&summary),
        owner: get(&["assignee", "owner", "assigned_to", "responsible"]),
        due: get(&["due", "due_date", "due_at", "duedate", "deadline"]).and_then(|d| date_in(&d)),
        status,
        tracker,
    }
}

fn status_of(text: &str) -> Option<&'static str> {
    let t: String = text.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    match t.as_str() {
        "done" | "closed" | "complete" | "completed" | "fixed" | "resolved" => Some("done"),
        "inprogress" | "started" | "ongoing" | "inreview" | "review" => Some("in-progress"),
        "open" | "todo" | "new" | "backlog" | "selectedfordevelopment" | "notstarted" => Some("open"),
        "wontdo" | "wontfix" | "cancelled" | "canceled" | "declined" | "duplicate" => Some("wont-do"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn csv_incidents_and_jira_actions_join_by_incident_id() {
        let config = Config::default();
        let ctx = Context { config: &config };
        let incidents = "id,title,severity,created_at,resolved_at,service,summary\nINC-7,\"Queue, backlog\",SEV-2,2025-03-11T14:00:00Z,2025-03-11T15:30:00Z,billing,\"Two\nlines\"\n";
        let read_incidents = read(&Input { from: "i.csv".into(), text: incidents.into() }, Format::Csv, &ctx).unwrap();
        let (key, draft) = &read_incidents.incidents[0];
        assert_eq!(key, "INC-7");
        assert_eq!(draft.title, "Queue, backlog");
        assert_eq!(draft.severity.as_deref(), Some("SEV2"));
        assert_eq!(draft.services, ["billing"]);
        assert_eq!(draft.source.from, "i.csv#INC-7");
        let jira = "Issue key,Summary,Assignee,Status,Resolution,Due date,Custom field (Incident ID)\nOPS-1,Add a queue alert,sam,Done,Done,11/Apr/25,INC-7\nOPS-2,Shard the queue,lee,Closed,Won't Do,,INC-7\n";
        let read_actions = read(&Input { from: "j.csv".into(), text: jira.into() }, Format::Csv, &ctx).unwrap();
        assert_eq!(read_actions.actions.len(), 2);
        let a = &read_actions.actions[0];
        assert_eq!((a.incident.as_str(), a.action.summary.as_str()), ("INC-7", "Add a queue alert (OPS-1)"));
        assert_eq!(a.action.due, chrono::NaiveDate::from_ymd_opt(2025, 4, 11));
        assert_eq!(read_actions.actions[1].action.status, Some("wont-do"));
    }

    #[test]
    fn json_objects_nest() {
        let config = Config::default();
        let ctx = Context { config: &config };
        let json = r#"[{"id": "42", "name": "Login down", "severity": {"name": "SEV1"}, "created_at": "2025-01-02T10:00:00Z",
            "services": [{"name": "auth"}], "timeline": [{"at": "2025-01-02T10:05:00Z", "message": "Paged"}],
            "action_items": [{"title": "Add a canary", "assignee": {"name": "kim"}, "due": "2025-02-01", "status": "done"}]}]"#;
        let read = read(&Input { from: "x.json".into(), text: json.into() }, Format::Json, &ctx).unwrap();
        let (_, d) = &read.incidents[0];
        assert_eq!((d.title.as_str(), d.severity.as_deref()), ("Login down", Some("SEV1")));
        assert_eq!(d.services, ["auth"]);
        assert_eq!(d.timeline.len(), 1);
        assert_eq!(d.actions[0].owner.as_deref(), Some("kim"));
        assert_eq!(d.actions[0].status, Some("done"));
    }
}
