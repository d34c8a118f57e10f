//! Postmortems written as Markdown with headings: the Google SRE book,
//! PagerDuty and Atlassian templates, Google Docs and Confluence pages
//! exported with pandoc, and the many variants teams make of them.
//!
//! The document is cut into sections ([`super::sections`]); each known
//! section fills its fields (summary, impact, timeline, findings, remedies,
//! detection, actions, lessons, responders), stated figures anywhere
//! ("Severity: SEV-2", "Time to detection: 54 minutes", a summary table) fill
//! the clock and the fields, and what no section claims stays in the
//! narrative, untouched. Sections turned wholly into fields (timeline,
//! actions, lessons, responders) leave the narrative; prose sections stay in
//! it too, since their detail is more than the field's first paragraph.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::clock::{self, Clock, Written};
use super::draft::{Action, Detection, Draft, Event, Finding, Impact, Participant, Remedy};
use super::sections::{Role, Section, sections, strip_emphasis};
use super::{Context, Facts};

/// Read a heading-structured postmortem. `facts` are what the caller knows
/// already (front matter, a file name's date); the text's own statements
/// fill what they leave open.
pub fn read(text: &str, mut facts: Facts, ctx: &Context<'_>) -> Draft {
    let text = text.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    let found = sections(&lines);
    let mut draft = Draft::default();

    // Stated figures anywhere: "Key: value" lines, bold keys, two-cell rows.
    // Those in the header block (before the first section with a role)
    // became fields, and leave the narrative.
    let header_end =
        found.iter().find(|s| s.role != Role::Narrative || (2..7).contains(&s.level)).map_or(lines.len(), |s| s.start);
    let mut header_facts: Vec<usize> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some((key, value)) = key_value(line) {
            // Rows of a table stay, or the table would lose its shape.
            if i < header_end && !line.trim_start().starts_with('|') && super::fact_of(&key, ctx).is_some() {
                header_facts.push(i);
            }
            facts.state(&key, &value, ctx);
        }
    }
    // The title: stated, else the first level-1 heading, else the first
    // heading, else the first line.
    let title_at = found.iter().find(|s| s.level == 1).or_else(|| found.iter().find(|s| s.level < 7));
    if facts.title.is_none() {
        facts.title = title_at
            .map(|s| s.heading.clone())
            .or_else(|| lines.iter().map(|l| plain(l)).find(|l| !l.is_empty()).map(|l| l.chars().take(120).collect()));
    }
    draft.title = facts.title.as_deref().map(clean_title).unwrap_or_else(|| "Untitled incident".into());
    facts.title = Some(draft.title.clone());
    // No date stated: the first ISO date near the top (a header line, a recap's first line).
    if facts.date.is_none() {
        facts.date = lines.iter().take(12).find_map(|l| first_iso_date(l));
    }
    let zone = facts.zone.or_else(|| clock::stated_zone(text));
    let mut clock = Clock::new(zone, facts.day());

    let mut consumed: Vec<(usize, usize)> = header_facts.iter().map(|&i| (i, i + 1)).collect();
    if let Some(s) = title_at.filter(|s| s.level == 1) {
        consumed.push((s.start, s.start + 1));
    }
    for (n, s) in found.iter().enumerate() {
        // Only the lines up to the next heading belong to this section's own text.
        let own_end = found.get(n + 1).map_or(s.end, |next| next.start.min(s.end));
        let body: Vec<&str> = lines[s.start + 1..own_end].to_vec();
        let inline = s.inline.as_deref();
        match s.role {
            Role::Summary if draft.summary.is_none() => draft.summary = first_paragraph(&body, inline),
            Role::Impact if draft.customer_impact.is_none() => {
                draft.customer_impact = first_paragraph(&body, inline).map(|summary| Impact { summary });
            }
            Role::Timeline => {
                // "Timeline (PDT)": a zone named in the heading.
                if let Some(z) = s
                    .heading
                    .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                    .filter(|w| w.len() >= 3)
                    .find_map(clock::zone)
                {
                    clock.zone = z;
                }
                let before = draft.timeline.len();
                timeline(s, &body, &mut clock, &mut draft.timeline);
                if draft.timeline.len() > before {
                    consumed.push((s.start, own_end));
                }
            }
            Role::RootCause => findings(&body, inline, "root-cause", &mut draft.findings),
            Role::ContributingFactor => findings(&body, inline, "contributing-factor", &mut draft.findings),
            Role::Trigger => findings(&body, inline, "trigger", &mut draft.findings),
            Role::FiveWhys => five_whys(&body, &mut draft.findings),
            Role::Resolution => {
                for summary in items_or_paragraph(&body, inline) {
                    draft.remedies.push(Remedy::from_text(summary));
                }
            }
            Role::Detection if draft.detection.is_none() => {
                let signal = first_paragraph(&body, inline);
                let method = signal.as_deref().and_then(detection_method);
                draft.detection = signal.map(|signal| Detection { method, signal: Some(signal) });
            }
            Role::Actions => {
                let before = draft.actions.len();
                actions(&body, inline, &mut draft.actions);
                if draft.actions.len() > before {
                    consumed.push((s.start, own_end));
                }
            }
            Role::WentWell | Role::WentWrong | Role::Lucky => {
                let items = list_items(&body);
                let list = match s.role {
                    Role::WentWell => &mut draft.lessons.went_well,
                    Role::WentWrong => &mut draft.lessons.went_wrong,
                    _ => &mut draft.lessons.got_lucky,
                };
                if !items.is_empty() {
                    list.extend(items);
                    consumed.push((s.start, own_end));
                }
            }
            Role::Responders => {
                let people: Vec<Participant> = list_items(&body).iter().filter_map(|i| participant(i)).collect();
                if !people.is_empty() {
                    draft.participants.extend(people);
                    consumed.push((s.start, own_end));
                }
            }
            _ => {}
        }
    }
    // Renumber findings and actions in order.
    for (i, f) in draft.findings.iter_mut().enumerate() {
        f.id = format!("F{}", i + 1);
    }
    for (i, a) in draft.actions.iter_mut().enumerate() {
        a.id = format!("A{}", i + 1);
    }

    facts.fill(&mut draft, &clock);
    draft.body = narrative(&lines, &consumed);
    draft
}

/// A title without the document-kind prefix teams put before it
/// ("Postmortem:", "Incident review –", "PIR 2024-007:") and emoji codes.
fn clean_title(title: &str) -> String {
    let mut t: String = title
        .split(' ')
        .filter(|w| !(w.len() > 2 && w.starts_with(':') && w.ends_with(':')))
        .collect::<Vec<_>>()
        .join(" ");
    t = strip_emphasis(t.trim()).to_string();
    let lower = t.to_lowercase();
    for prefix in [
        "post-incident review",
        "post incident review",
        "postmortem",
        "post-mortem",
        "post mortem",
        "incident review",
        "incident report",
        "incident postmortem",
        "recap",
        "pir",
        "rca",
    ] {
        if lower.starts_with(prefix) {
            let rest = &t[prefix.len()..];
            // Up to the separator: "PIR 2024-007: …", "Incident review – …".
            if let Some(at) = rest.find([':', '–', '—', '|']).filter(|&at| at < 20) {
                let after = rest[at..].trim_start_matches([':', '–', '—', '|', ' ', '-']);
                if !after.is_empty() {
                    t = after.to_string();
                }
            }
            break;
        }
    }
    strip_emphasis(t.trim()).to_string()
}

/// The first `YYYY-MM-DD` date in a line.
fn first_iso_date(line: &str) -> Option<NaiveDate> {
    let bytes = line.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|i| {
        let candidate = line.get(i..i + 10)?;
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_digit();
        let after_ok = bytes.get(i + 10).is_none_or(|b| !b.is_ascii_digit());
        (before_ok && after_ok).then(|| NaiveDate::parse_from_str(candidate, "%Y-%m-%d").ok()).flatten()
    })
}

/// The text of `lines` without the consumed ranges, with runs of blank lines folded.
fn narrative(lines: &[&str], consumed: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut blank = true;
    for (i, line) in lines.iter().enumerate() {
        if consumed.iter().any(|&(a, b)| (a..b).contains(&i)) {
            continue;
        }
        let is_blank = line.trim().is_empty();
        if is_blank && blank {
            continue;
        }
        out.push_str(line.trim_end());
        out.push('\n');
        blank = is_blank;
    }
    out.trim().to_string()
}

/// A `key: value` statement on one line: `Severity: SEV-2`, `**Date**: …`,
/// `- Owner: @dana`, or a table row `| Severity | SEV 2 |`.
pub fn key_value(line: &str) -> Option<(String, String)> {
    let t = line.trim();
    let t = ["- ", "* ", "+ "].iter().find_map(|m| t.strip_prefix(m)).unwrap_or(t).trim();
    if t.starts_with('|') {
        let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() == 2 && !cells[0].is_empty() && !cells[1].chars().all(|c| c == '-' || c == ':' || c == ' ') {
            return Some((strip_emphasis(cells[0]).trim_end_matches(':').to_string(), cells[1].to_string()));
        }
        return None;
    }
    let (key, value) = if let Some(rest) = t.strip_prefix("**") {
        let (k, v) = rest.split_once("**")?;
        if !(k.ends_with(':') || v.starts_with(':')) {
            return None;
        }
        (k.trim_end_matches(':').to_string(), v.trim_start_matches(':').trim().to_string())
    } else {
        let (k, v) = t.split_once(':')?;
        // "14:05" is a time, not a key.
        if !v.starts_with([' ', '\t']) {
            return None;
        }
        (k.to_string(), v.trim().to_string())
    };
    let words = key.split_whitespace().count();
    (words > 0 && words <= 4 && !value.is_empty() && !key.contains(['(', '[', '`']))
        .then(|| (key.trim().to_string(), value))
}

/// A line with Markdown markup taken off: list markers, emphasis, links.
pub fn plain(line: &str) -> String {
    let t = line.trim();
    let t = t.trim_start_matches(['#', '>']).trim();
    let t =
        t.strip_prefix("- [ ] ").or_else(|| t.strip_prefix("- [x] ")).or_else(|| t.strip_prefix("- [X] ")).unwrap_or(t);
    let t = t.trim_start_matches(['-', '*', '+', '•', '·']).trim_start();
    // "1. " and "1) " numbering.
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let t = if digits > 0 && t[digits..].starts_with(['.', ')']) { t[digits + 1..].trim_start() } else { t };
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    // [text](url) → text.
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else { break };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else { break };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('\\', "").trim().to_string()
}

/// The first paragraph of a section as one line of plain text.
fn first_paragraph(body: &[&str], inline: Option<&str>) -> Option<String> {
    if let Some(text) = inline.filter(|t| !t.trim().is_empty()) {
        return Some(plain(text));
    }
    let mut words: Vec<String> = Vec::new();
    for line in body.iter().skip_while(|l| l.trim().is_empty()) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('|') || t.starts_with("```") {
            break;
        }
        words.push(plain(t));
    }
    let text = words.join(" ").trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// The items of the first list in a section (bullets, numbers, checkboxes), as plain text.
fn list_items(body: &[&str]) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for line in body {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let is_item =
            t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") || t.starts_with("• ") || numbered(t);
        if is_item && indent < 2 {
            items.push(plain(t));
        } else if !t.is_empty() && !items.is_empty() && indent >= 2 {
            // A continuation line or a nested item joins its item.
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(&plain(t));
            }
        }
    }
    items.into_iter().filter(|i| !i.is_empty()).collect()
}

fn numbered(t: &str) -> bool {
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") "))
}

/// List items if the section has a list, else its first paragraph.
fn items_or_paragraph(body: &[&str], inline: Option<&str>) -> Vec<String> {
    let items = list_items(body);
    if !items.is_empty() {
        return items;
    }
    first_paragraph(body, inline).into_iter().collect()
}

fn findings(body: &[&str], inline: Option<&str>, kind: &'static str, out: &mut Vec<Finding>) {
    for summary in items_or_paragraph(body, inline) {
        out.push(Finding { id: String::new(), kind, summary, whys: Vec::new() });
    }
}

/// A five-whys list: the whys of the first root cause, or a root cause of
/// their own (the last why) when none was stated.
fn five_whys(body: &[&str], out: &mut Vec<Finding>) {
    let whys = list_items(body);
    if whys.is_empty() {
        return;
    }
    match out.iter_mut().find(|f| f.kind == "root-cause") {
        Some(f) if f.whys.is_empty() => f.whys = whys,
        _ => {
            let summary = whys.last().cloned().unwrap_or_default();
            out.push(Finding { id: String::new(), kind: "root-cause", summary, whys });
        }
    }
}

/// How a detection paragraph says the incident was noticed.
fn detection_method(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["synthetic", "probe", "canary check", "uptime check"]) {
        Some("synthetic-check")
    } else if has(&["customer", "user report", "support ticket", "tweet", "twitter"]) {
        Some("customer-report")
    } else if has(&["alert", "paged", "page ", "pager", "monitor", "alarm"]) {
        Some("alert")
    } else if has(&["engineer noticed", "employee", "internal user", "someone noticed", "noticed"]) {
        Some("employee-report")
    } else {
        None
    }
}

/// A responder line: "Dana Kim — incident commander", "@lee (comms)".
fn participant(item: &str) -> Option<Participant> {
    let item = item.trim();
    if item.is_empty() {
        return None;
    }
    for sep in [" — ", " – ", " - ", ": ", ", "] {
        if let Some((name, role)) = item.split_once(sep) {
            return Some(Participant {
                name: name.trim().trim_start_matches('@').to_string(),
                role: Some(role.trim().to_string()),
            });
        }
    }
    if let Some((name, role)) = item.split_once(" (") {
        return Some(Participant {
            name: name.trim().trim_start_matches('@').to_string(),
            role: Some(role.trim_end_matches(')').trim().to_string()),
        });
    }
    Some(Participant { name: item.trim_start_matches('@').to_string(), role: None })
}

/// Cells of a table row, or `None` for a line that is not one.
pub fn cells(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if !t.starts_with('|') {
        return None;
    }
    Some(t.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect())
}

fn is_separator(cells: &[String]) -> bool {
    cells.iter().all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// A section's table: its header (lower-case) and rows.
fn table(body: &[&str]) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let rows: Vec<Vec<String>> = body.iter().skip_while(|l| cells(l).is_none()).map_while(|l| cells(l)).collect();
    let (header, rest) = rows.split_first()?;
    let rest: Vec<Vec<String>> = rest.iter().filter(|r| !is_separator(r)).cloned().collect();
    Some((header.iter().map(|h| plain(h).to_lowercase()).collect(), rest))
}

fn timeline(section: &Section, body: &[&str], clock: &mut Clock, out: &mut Vec<Event>) {
    // "### 14:02" headings: the time is the heading, the event its paragraph.
    if let Some((written, used)) = clock::leading(&section.heading) {
        let rest = section.heading[used..].trim_start_matches([' ', '-', '–', '—', ':']).trim();
        let event = if rest.is_empty() { first_paragraph(body, None) } else { Some(rest.to_string()) };
        if let (Some(at), Some(event)) = (clock.resolve(written), event) {
            out.push(Event { at, event, day: false });
        }
        return;
    }
    if let Some((header, rows)) = table(body) {
        let time_col = header.iter().position(|h| h.contains("time") || h.contains("date") || h == "when").unwrap_or(0);
        let date_col = header.iter().position(|h| h == "date").filter(|&d| d != time_col);
        for row in rows {
            let Some(time) = row.get(time_col) else { continue };
            let stamp = match date_col.and_then(|d| row.get(d)) {
                Some(date) => format!("{date} {time}"),
                None => time.clone(),
            };
            let event: Vec<String> = row
                .iter()
                .enumerate()
                .filter(|(i, c)| *i != time_col && Some(*i) != date_col && !c.is_empty())
                .map(|(_, c)| plain(c))
                .collect();
            if let Some((written, _)) = clock::leading(&plain(&stamp)) {
                if let Some(at) = clock.resolve(written) {
                    if !event.is_empty() {
                        out.push(Event { at, event: event.join(" — "), day: false });
                    }
                }
            }
        }
        return;
    }
    for line in body {
        let text = plain(line);
        if text.is_empty() {
            continue;
        }
        let Some((written, used)) = clock::leading(&text) else { continue };
        let event = text[used..].trim_start_matches([' ', '-', '–', '—', ':', '|']).trim();
        // A date alone on a line (a day heading) moves the clock; a date
        // with an event is an entry of that day.
        let at = clock.resolve(written);
        match (written, at, event.is_empty()) {
            (_, Some(at), false) => out.push(Event { at, event: event.to_string(), day: false }),
            (Written::Day(day), None, false) => {
                if let Some(at) = clock.midnight(day) {
                    out.push(Event { at, event: event.to_string(), day: true });
                }
            }
            _ => {}
        }
    }
}

fn actions(body: &[&str], inline: Option<&str>, out: &mut Vec<Action>) {
    if let Some((header, rows)) = table(body) {
        let col = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h.contains(n)));
        let summary = col(&["action", "summary", "item", "title", "task", "description", "what"]).unwrap_or(0);
        let owner = col(&["owner", "assignee", "who", "responsible"]);
        let due = col(&["due", "deadline", "target", "date"]);
        let status = col(&["status", "state", "done"]);
        let ticket = col(&["ticket", "bug", "issue", "jira", "link", "tracker"]);
        for row in rows {
            let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(|s| plain(s)).filter(|s| !s.is_empty());
            let Some(text) = get(Some(summary)) else { continue };
            let mut action = action_from(&text);
            action.owner = get(owner).map(|o| o.trim_start_matches('@').to_string()).or(action.owner);
            action.due = get(due).and_then(|d| date_in(&d)).or(action.due);
            action.status = get(status).and_then(|s| status_word(&s)).or(action.status);
            action.tracker = ticket.and_then(|c| row.get(c)).and_then(|t| url_in(t)).or(action.tracker);
            out.push(action);
        }
        return;
    }
    for line in body.iter().map(|l| l.trim_start()) {
        let done = line.starts_with("- [x]") || line.starts_with("- [X]") || line.starts_with("* [x]");
        let open = line.starts_with("- [ ]") || line.starts_with("* [ ]");
        let item = line.starts_with("- ") || line.starts_with("* ") || numbered(line);
        if !(done || open || item) {
            continue;
        }
        let mut action = action_from(&plain(line));
        if done {
            action.status = Some("done");
        } else if open && action.status.is_none() {
            action.status = Some("open");
        }
        if let Some(url) = url_in(line) {
            action.tracker = Some(url);
        }
        out.push(action);
    }
    if out.is_empty() {
        if let Some(text) = inline {
            out.push(action_from(&plain(text)));
        }
    }
}

/// An action from one line: "Add a check (@dana, due 2025-03-01, OPS-881)".
fn action_from(text: &str) -> Action {
    let mut owner = None;
    let mut due = None;
    let mut status = None;
    let mut summary = text.to_string();
    // A trailing parenthesis of facts.
    if let (Some(open), true) = (text.rfind('('), text.trim_end().ends_with(')')) {
        let inside = &text[open + 1..text.trim_end().len() - 1];
        let mut used = false;
        let mut rest: Vec<&str> = Vec::new();
        for part in inside.split([',', ';']).map(str::trim) {
            let lower = part.to_lowercase();
            if let Some(handle) = part.strip_prefix('@') {
                owner = Some(handle.to_string());
                used = true;
            } else if let Some(rest) = lower.strip_prefix("owner").or_else(|| lower.strip_prefix("assignee")) {
                owner = Some(part[part.len() - rest.len()..].trim_start_matches([':', ' ']).to_string());
                used = true;
            } else if let Some(d) = lower.strip_prefix("due").and_then(|r| date_in(r.trim_start_matches([':', ' ']))) {
                due = Some(d);
                used = true;
            } else if let Some(s) = status_word(part) {
                status = Some(s);
                used = true;
            } else if !part.is_empty() {
                rest.push(part);
            }
        }
        if used {
            // What the parenthesis said besides (a ticket key) stays in the summary.
            summary = text[..open].trim().to_string();
            if !rest.is_empty() {
                summary = format!("{summary} ({})", rest.join(", "));
            }
        }
    }
    if owner.is_none() {
        owner = summary
            .split_whitespace()
            .find_map(|w| w.strip_prefix('@'))
            .map(|h| h.trim_end_matches([',', '.', ')']).to_string());
    }
    Action { id: String::new(), summary, owner, due, status, tracker: None }
}

/// A status word as trackers write it, in the record's vocabulary.
fn status_word(text: &str) -> Option<&'static str> {
    let t: String = text.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    match t.as_str() {
        "done" | "closed" | "complete" | "completed" | "fixed" | "resolved" | "shipped" | "yes" | "x" => Some("done"),
        "inprogress" | "started" | "ongoing" | "wip" | "doing" | "inreview" => Some("in-progress"),
        "open" | "todo" | "new" | "notstarted" | "backlog" | "planned" | "no" => Some("open"),
        "wontdo" | "wontfix" | "cancelled" | "canceled" | "declined" | "dropped" => Some("wont-do"),
        _ => None,
    }
}

/// The first date in `text`.
pub fn date_in(text: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = text.split_whitespace().collect();
    (0..words.len()).find_map(|i| match clock::leading(&words[i..].join(" ")) {
        Some((Written::Day(d), _)) => Some(d),
        Some((Written::At(at, _), _)) => Some(at.date()),
        _ => None,
    })
}

/// The first http(s) URL in `text`, from a Markdown link or bare.
pub fn url_in(text: &str) -> Option<String> {
    let start = text.find("https://").or_else(|| text.find("http://"))?;
    let url: String =
        text[start..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '>' | '|' | '"')).collect();
    Some(url.trim_end_matches(['.', ',']).to_string())
}

/// When the clock's first and last events are, for a draft with no stated times.
pub fn span(events: &[Event]) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let first = events.iter().map(|e| e.at).min()?;
    let last = events.iter().map(|e| e.at).max()?;
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_from_lines_tables_and_checkboxes() {
        let a = action_from("Add a document-count check before the swap (@dana, due 2025-03-01, OPS-881)");
        assert_eq!(a.summary, "Add a document-count check before the swap (OPS-881)");
        assert_eq!(a.owner.as_deref(), Some("dana"));
        assert_eq!(a.due, NaiveDate::from_ymd_opt(2025, 3, 1));
        let body = ["- [x] Roll back the flag", "- [ ] Alert on empty index (@lee)"];
        let mut out = Vec::new();
        actions(&body, None, &mut out);
        assert_eq!(out.iter().map(|a| a.status).collect::<Vec<_>>(), [Some("done"), Some("open")]);
        let table = [
            "| Action | Owner | Due date | Status | Ticket |",
            "|---|---|---|---|---|",
            "| Rotate the cert | @sam | 2025-04-02 | Won't do | [OPS-1](https://jira.example.com/browse/OPS-1) |",
        ];
        let mut out = Vec::new();
        actions(&table, None, &mut out);
        assert_eq!(out[0].owner.as_deref(), Some("sam"));
        assert_eq!(out[0].status, Some("wont-do"));
        assert_eq!(out[0].tracker.as_deref(), Some("https://jira.example.com/browse/OPS-1"));
    }

    #[test]
    fn stated_figures_are_key_value_lines_bold_keys_and_two_cell_rows() {
        assert_eq!(key_value("Severity: SEV-2"), Some(("Severity".into(), "SEV-2".into())));
        assert_eq!(key_value("**Date**: 2024-03-04"), Some(("Date".into(), "2024-03-04".into())));
        assert_eq!(key_value("| Owner | @dana |"), Some(("Owner".into(), "@dana".into())));
        assert_eq!(key_value("At 14:05 we paged the on-call engineer: nobody answered"), None);
    }
}
