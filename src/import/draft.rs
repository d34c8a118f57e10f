//! A record recovered from another format, and its text.
//!
//! Every importer fills a [`Draft`]; [`Draft::to_record`] writes it as a
//! record (TOML front matter through the `toml` crate, then the narrative).
//! Field order follows the record format reference, so imported records read
//! like hand-written ones. Only facts the source states (or that follow from
//! them, like the start of a timeline) are written: a missing fact stays
//! missing for a person to fill in, and `casebook check` says which.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use toml::value::Datetime;

/// What an importer recovered from one postmortem.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Draft {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// The zone the source stated ("All times PST"), as an offset: the
    /// zone of timeline rows written with a date alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "at_opt")]
    pub started: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "at_opt")]
    pub detected: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "at_opt")]
    pub mitigated: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "at_opt")]
    pub resolved: Option<DateTime<FixedOffset>>,
    /// `day` when only dates were stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_precision: Option<&'static str>,
    /// Stated durations, written when no timestamps are known ("3h 20m").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_detect: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_mitigate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_resolve: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_impact: Option<Impact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detection: Option<Detection>,
    #[serde(skip_serializing_if = "Lessons::is_empty")]
    pub lessons: Lessons,
    pub source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<Event>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remedies: Vec<Remedy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// The narrative: every part of the source not turned into a field.
    #[serde(skip)]
    pub body: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Impact {
    pub summary: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Detection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Lessons {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub went_well: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub went_wrong: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub got_lucky: Vec<String>,
}

impl Lessons {
    pub fn is_empty(&self) -> bool {
        self.went_well.is_empty() && self.went_wrong.is_empty() && self.got_lucky.is_empty()
    }

    pub fn len(&self) -> usize {
        self.went_well.len() + self.went_wrong.len() + self.got_lucky.len()
    }
}

/// Where the record came from: `casebook import` reads it to skip what it
/// imported before.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Source {
    pub from: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Midnight of the day when `day` is set.
    pub at: DateTime<FixedOffset>,
    pub event: String,
    /// The row gave a date and no time of day: written as a date alone.
    pub day: bool,
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Day(NaiveDate);
        impl Serialize for Day {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                day_opt(&Some(self.0), s)
            }
        }
        struct At(DateTime<FixedOffset>);
        impl Serialize for At {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                at(&self.0, s)
            }
        }
        let mut row = s.serialize_struct("Event", 2)?;
        if self.day {
            row.serialize_field("at", &Day(self.at.date_naive()))?;
        } else {
            row.serialize_field("at", &At(self.at))?;
        }
        row.serialize_field("event", &self.event)?;
        row.end()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: String,
    pub kind: &'static str,
    pub summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub whys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remedy {
    pub summary: String,
    /// `false` when the source says it did not help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worked: Option<bool>,
}

impl Remedy {
    /// A remedy from its text; one the text says did not help is marked so.
    pub fn from_text(summary: String) -> Self {
        let lower = summary.to_lowercase();
        let failed = [
            "did not help",
            "didn't help",
            "did not work",
            "didn't work",
            "no effect",
            "no improvement",
            "made it worse",
            "did not fix",
            "didn't fix",
        ]
        .iter()
        .any(|p| lower.contains(p));
        Remedy { summary, worked: failed.then_some(false) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub id: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "day_opt")]
    pub due: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracker: Option<String>,
}

fn at<S: serde::Serializer>(value: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
    let text = if value.offset().local_minus_utc() == 0 {
        value.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        value.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    };
    match text.parse::<Datetime>() {
        Ok(d) => d.serialize(s),
        Err(e) => Err(serde::ser::Error::custom(e)),
    }
}

fn at_opt<S: serde::Serializer>(value: &Option<DateTime<FixedOffset>>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => at(v, s),
        None => s.serialize_none(),
    }
}

fn day_opt<S: serde::Serializer>(value: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match value.map(|d| d.format("%Y-%m-%d").to_string().parse::<Datetime>()) {
        Some(Ok(d)) => d.serialize(s),
        Some(Err(e)) => Err(serde::ser::Error::custom(e)),
        None => s.serialize_none(),
    }
}

impl Draft {
    /// The record's text: front matter with `id`, then the narrative.
    pub fn to_record(&self, id: &str) -> Result<String, toml::ser::Error> {
        #[derive(Serialize)]
        struct WithId<'a> {
            id: &'a str,
            #[serde(flatten)]
            draft: &'a Draft,
        }
        let front = toml::to_string(&WithId { id, draft: self })?;
        let body = self.body.trim();
        Ok(if body.is_empty() { format!("+++\n{front}+++\n") } else { format!("+++\n{front}+++\n\n{body}\n") })
    }

    /// The short names of what was recovered, for the import report.
    pub fn recovered(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut flag = |present: bool, name: &str| {
            if present {
                out.push(name.to_string());
            }
        };
        flag(self.summary.is_some(), "summary");
        flag(self.severity.is_some(), "severity");
        flag(self.owner.is_some() || !self.authors.is_empty(), "people");
        flag(self.started.is_some(), "started");
        flag(self.detected.is_some(), "detected");
        flag(self.mitigated.is_some(), "mitigated");
        flag(self.resolved.is_some(), "resolved");
        flag(!self.services.is_empty(), "services");
        flag(!self.categories.is_empty(), "categories");
        flag(self.customer_impact.is_some(), "impact");
        flag(self.detection.is_some(), "detection");
        let mut count = |n: usize, one: &str, many: &str| {
            match n {
                0 => {}
                1 => out.push(format!("1 {one}")),
                n => out.push(format!("{n} {many}")),
            };
        };
        count(self.timeline.len(), "timeline entry", "timeline entries");
        count(self.findings.len(), "finding", "findings");
        count(self.remedies.len(), "remedy", "remedies");
        count(self.actions.len(), "action", "actions");
        count(self.lessons.len(), "lesson", "lessons");
        out
    }

    /// What a person still has to add for the record to be complete.
    pub fn needs(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.started.is_none() {
            out.push("a start time");
        }
        if self.severity.is_none() {
            out.push("severity");
        }
        if self.categories.is_empty() {
            out.push("categories");
        }
        if self.findings.is_empty() {
            out.push("findings");
        }
        if self.actions.iter().any(|a| a.owner.is_none() || a.due.is_none()) {
            out.push("action owners or due dates");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_reads_back_as_a_record() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let draft = Draft {
            title: "Checkout \"errors\"".into(),
            severity: Some("SEV2".into()),
            started: Some(at("2024-03-04T08:10:00Z")),
            resolved: Some(at("2024-03-04T09:40:00-08:00")),
            source: Source { from: "old/a.md".into(), hash: "xxh3:00ff".into() },
            timeline: vec![
                Event { at: at("2024-03-04T08:10:00Z"), event: "Alert".into(), day: false },
                Event { at: at("2024-03-05T00:00:00Z"), event: "Follow-up".into(), day: true },
            ],
            findings: vec![Finding { id: "F1".into(), kind: "root-cause", summary: "x".into(), whys: vec![] }],
            actions: vec![Action {
                id: "A1".into(),
                summary: "y".into(),
                owner: None,
                due: NaiveDate::from_ymd_opt(2024, 4, 1),
                status: Some("done"),
                tracker: None,
            }],
            body: "## Notes\nKept.".into(),
            ..Draft::default()
        };
        let text = draft.to_record("2024-03-checkout").unwrap();
        assert!(text.starts_with("+++\nid = \"2024-03-checkout\"\n"), "{text}");
        let front = text.trim_start_matches("+++\n").split("+++\n").next().unwrap_or_default();
        let table: toml::Table = toml::from_str(front).unwrap();
        assert_eq!(table["title"].as_str(), Some("Checkout \"errors\""));
        assert!(text.contains("started = 2024-03-04T08:10:00Z\n"), "{text}");
        assert!(text.contains("resolved = 2024-03-04T09:40:00-08:00\n"), "{text}");
        assert!(text.contains("due = 2024-04-01\n"), "{text}");
        assert!(text.contains("at = 2024-03-05\nevent = \"Follow-up\""), "{text}");
        assert!(text.contains("[source]\nfrom = \"old/a.md\"\nhash = \"xxh3:00ff\"\n"), "{text}");
        assert!(text.ends_with("+++\n\n## Notes\nKept.\n"), "{text}");
        assert_eq!(draft.needs(), ["categories", "action owners or due dates"]);
    }
}
