//! The front matter exactly as written, with source spans.
//!
//! serde reads the TOML into these structs; every table denies unknown keys so
//! typos become errors. Words from closed vocabularies, ids and dates stay as
//! spanned strings and TOML datetimes here: the validator converts them to model
//! types one by one, so a record with five bad values gets five diagnostics
//! rather than serde's first one.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use toml::Spanned;
use toml::value::Datetime;

pub(crate) type S<T> = Spanned<T>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecord {
    pub id: Option<S<String>>,
    pub title: Option<S<String>>,
    pub summary: Option<S<String>>,
    pub severity: Option<S<String>>,
    pub status: Option<S<String>>,
    pub owner: Option<S<String>>,
    pub authors: Option<OneOrMany>,
    pub reviewers: Option<OneOrMany>,
    pub facilitator: Option<S<String>>,
    #[serde(default)]
    pub participants: Vec<RawParticipant>,
    pub started: Option<S<Datetime>>,
    pub detected: Option<S<Datetime>>,
    pub mitigated: Option<S<Datetime>>,
    pub resolved: Option<S<Datetime>>,
    pub time_precision: Option<S<String>>,
    pub time_to_detect: Option<S<String>>,
    pub time_to_mitigate: Option<S<String>>,
    pub time_to_resolve: Option<S<String>>,
    pub timezone: Option<S<String>>,
    pub reviewed: Option<S<Datetime>>,
    pub published: Option<S<Datetime>>,
    pub services: Option<S<Vec<S<String>>>>,
    pub categories: Option<S<Vec<S<String>>>>,
    pub tags: Option<Vec<S<String>>>,
    pub customer_impact: Option<S<RawImpact>>,
    pub detection: Option<S<RawDetection>>,
    pub environment: Option<RawEnvironment>,
    pub timeline: Option<S<Vec<S<RawTimelineEntry>>>>,
    pub findings: Option<S<Vec<S<RawFinding>>>>,
    #[serde(default)]
    pub barriers: Vec<S<RawBarrier>>,
    pub remedies: Option<S<Vec<S<RawRemedy>>>>,
    #[serde(default)]
    pub guardrails: Vec<S<RawGuardrail>>,
    pub actions: Option<S<Vec<S<RawAction>>>>,
    pub no_actions_reason: Option<S<String>>,
    pub source: Option<RawSource>,
    #[serde(default)]
    pub recurrence_of: Vec<S<String>>,
    #[serde(default)]
    pub related: Vec<S<RawRelated>>,
    #[serde(default)]
    pub lessons: RawLessons,
    #[serde(default)]
    pub links: Vec<S<RawLink>>,
}

impl RawRecord {
    /// Drop everything but what the checks across records read: the id,
    /// the title, the references to other incidents and the service and
    /// tag names (spans included).
    pub fn thin(&mut self) {
        let RawRecord { id, title, services, tags, recurrence_of, related, .. } = std::mem::take(self);
        *self = RawRecord { id, title, services, tags, recurrence_of, related, ..RawRecord::default() };
    }
}

/// `[source]`: where `casebook import` found the record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub from: String,
    pub hash: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParticipant {
    pub name: S<String>,
    pub role: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawImpact {
    pub summary: Option<String>,
    pub users_affected: Option<S<i64>>,
    pub revenue_impact: Option<S<f64>>,
    pub slo_budget_burned: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDetection {
    pub method: Option<S<String>>,
    pub signal: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEnvironmentFacets {
    pub region: Option<String>,
    pub release: Option<String>,
    pub traffic: Option<String>,
    pub load: Option<String>,
    pub notes: Option<String>,
}

/// `environment = "text"` or `[environment] region = …`.
#[derive(Debug)]
pub(crate) enum RawEnvironment {
    Text(String),
    Facets(RawEnvironmentFacets),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTimelineEntry {
    pub at: S<Datetime>,
    pub event: String,
    pub actor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFinding {
    pub id: Option<S<String>>,
    pub kind: Option<S<String>>,
    pub class: Option<S<String>>,
    pub summary: S<String>,
    pub evidence: Option<S<String>>,
    #[serde(default)]
    pub whys: Vec<S<String>>,
    pub counterfactual: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBarrier {
    pub summary: String,
    pub held: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRemedy {
    pub summary: String,
    pub symptom: Option<String>,
    #[serde(default)]
    pub steps: Vec<String>,
    pub worked: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGuardrail {
    pub id: Option<S<String>>,
    pub summary: String,
    pub control: Option<S<String>>,
    #[serde(default)]
    pub addresses: Vec<S<String>>,
    pub would_have: Option<String>,
    pub status: Option<S<String>>,
    pub implemented: Option<S<Datetime>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAction {
    pub id: Option<S<String>>,
    pub summary: String,
    pub kind: Option<S<String>>,
    pub owner: Option<String>,
    pub due: Option<S<Datetime>>,
    pub status: Option<S<String>>,
    pub completed: Option<S<Datetime>>,
    pub finding: Option<S<String>>,
    pub guardrail: Option<S<String>>,
    pub metric: Option<String>,
    pub tracker: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRelatedTable {
    pub id: String,
    pub relation: Option<S<String>>,
    pub note: Option<String>,
}

/// `"an-id"` or `{ id = "an-id", relation = "same-cause", note = "…" }`.
#[derive(Debug)]
pub(crate) enum RawRelated {
    Id(String),
    Table(RawRelatedTable),
}

impl RawRelated {
    pub fn id(&self) -> &str {
        match self {
            RawRelated::Id(id) => id,
            RawRelated::Table(t) => &t.id,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLinkTable {
    pub url: S<String>,
    pub title: Option<String>,
}

/// `"https://…"` or `{ url = "https://…", title = "Status page" }`.
#[derive(Debug)]
pub(crate) enum RawLink {
    Url(String),
    Table(RawLinkTable),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLessons {
    #[serde(default)]
    pub went_well: Vec<String>,
    #[serde(default)]
    pub went_wrong: Vec<String>,
    #[serde(default)]
    pub got_lucky: Vec<String>,
}

/// A name, or a list of names.
#[derive(Debug, Default)]
pub(crate) struct OneOrMany(pub Vec<String>);

/// A value that is either a string or a table deserialized as `T`.
struct StringOrTable<T> {
    expecting: &'static str,
    marker: std::marker::PhantomData<T>,
}

enum Either<T> {
    Text(String),
    Table(T),
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for StringOrTable<T> {
    type Value = Either<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Either::Text(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Either::Table)
    }
}

fn string_or_table<'de, D: de::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
    expecting: &'static str,
) -> Result<Either<T>, D::Error> {
    deserializer.deserialize_any(StringOrTable { expecting, marker: std::marker::PhantomData })
}

impl<'de> Deserialize<'de> for RawEnvironment {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match string_or_table(deserializer, "a string or a table { region, release, traffic, load, notes }")? {
            Either::Text(s) => RawEnvironment::Text(s),
            Either::Table(t) => RawEnvironment::Facets(t),
        })
    }
}

impl<'de> Deserialize<'de> for RawRelated {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match string_or_table(deserializer, "an incident id or a table { id, relation, note }")? {
            Either::Text(s) => RawRelated::Id(s),
            Either::Table(t) => RawRelated::Table(t),
        })
    }
}

impl<'de> Deserialize<'de> for RawLink {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match string_or_table(deserializer, "a URL or a table { url, title }")? {
            Either::Text(s) => RawLink::Url(s),
            Either::Table(t) => RawLink::Table(t),
        })
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(OneOrMany(names))
            }
        }
        deserializer.deserialize_any(V)
    }
}
