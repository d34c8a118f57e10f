//! Converts one record's raw front matter into a model [`Incident`], reporting
//! every value that cannot be understood.
//!
//! Each field is checked on its own and a bad one is dropped (with an error)
//! rather than aborting the record, so a writer sees all of a record's errors
//! at once. References to other records are checked later, in `crossref`,
//! once every record is known.

use std::ops::Range;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset as _, TimeZone};
use toml::value::{Datetime, Offset};

use super::raw::{OneOrMany, RawEnvironment, RawLink, RawRecord, RawRelated, S};
use crate::config::Config;
use crate::diagnostics::suggest;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, SourceFile};
use crate::model::{
    Action, Barrier, Clock, CustomerImpact, Detection, Environment, Finding, Guardrail, ImportedFrom, Incident,
    Lessons, Link, Participant, People, RecordStatus, RelatedLink, Remedy, StatedDurations, TimePrecision,
    TimelineEntry, Vocabulary,
};
use crate::model::{is_category_slug, is_id};

/// Positions and reporting for one record.
pub(crate) struct RecordCtx<'a> {
    pub source: &'a SourceFile,
    /// Where the TOML starts in the file.
    pub offset: usize,
    pub diags: &'a mut Diagnostics,
    /// The record's `timezone`: how datetimes written without an offset are read.
    pub zone: Zone,
}

/// A record's `timezone`, as far as reading its datetimes goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zone {
    /// No `timezone`: a datetime without an offset is an error.
    Unset,
    /// Datetimes without an offset are in this zone.
    Fixed(FixedOffset),
    /// `timezone` is set but not understood (already reported): datetimes
    /// without an offset are dropped without a second error.
    Invalid,
}

impl RecordCtx<'_> {
    pub fn loc(&self, span: Range<usize>) -> Option<Location> {
        Some(self.source.location(span.start + self.offset..span.end + self.offset))
    }

    pub fn error(&mut self, code: &'static str, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::error(code, &self.source.path, message).at(self.loc(span));
        self.diags.push_mut(d)
    }

    /// Parse a closed-vocabulary word, or report it with the allowed words.
    fn word<T: Vocabulary>(&mut self, value: &S<String>) -> Option<T> {
        let word = value.get_ref();
        if let Some(v) = T::parse(word) {
            return Some(v);
        }
        let words = T::words();
        let help = match suggest(word, &words) {
            Some(s) => format!("did you mean `{s}`? expected one of: {}", words.join(", ")),
            None => format!("expected one of: {}", words.join(", ")),
        };
        self.error("bad-value", value.span(), format!("`{word}` is not a valid {}", T::WHAT)).help = Some(help);
        None
    }

    /// A datetime with an offset, for the incident clock and the timeline;
    /// one written without an offset is read in the record's `timezone`.
    fn datetime(&mut self, field: &str, value: &S<Datetime>) -> Option<DateTime<FixedOffset>> {
        let dt = value.get_ref();
        let offset = match (dt.offset, self.zone) {
            (Some(Offset::Z), _) => FixedOffset::east_opt(0),
            (Some(Offset::Custom { minutes }), _) => FixedOffset::east_opt(i32::from(minutes) * 60),
            (None, Zone::Fixed(zone)) => Some(zone),
            (None, Zone::Invalid) if dt.date.is_some() && dt.time.is_some() => return None,
            (None, _) => None,
        };
        let problem = match (dt.date, dt.time, dt.offset.is_some() || offset.is_some()) {
            (Some(d), Some(t), true) => {
                let parsed = NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .zip(NaiveTime::from_hms_nano_opt(
                        u32::from(t.hour),
                        u32::from(t.minute),
                        u32::from(t.second.unwrap_or(0)).min(59),
                        t.nanosecond.unwrap_or(0),
                    ))
                    .zip(offset)
                    .and_then(|((d, t), off)| off.from_local_datetime(&d.and_time(t)).single());
                match parsed {
                    Some(v) => return Some(v),
                    None => (format!("`{field}` = {dt} is not a real point in time"), None),
                }
            }
            (Some(_), Some(_), false) => (
                format!("`{field}` = {dt} has no time-zone offset"),
                Some(format!(
                    "append `Z` for UTC or an offset such as `+02:00`: {field} = {dt}Z,\nor give the zone of the record's times once: timezone = \"-08:00\" (or \"UTC\", \"PST\", \"CET\"…)"
                )),
            ),
            (Some(d), None, _) => (
                format!("`{field}` needs a date and a time, found only the date {d}"),
                Some(format!("write {field} = {d}T00:00:00Z, and set time_precision = \"day\" if the time is unknown")),
            ),
            _ => (format!("`{field}` = {dt} needs a date"), Some(format!("write {field} = 2025-03-14T09:12:00Z"))),
        };
        let (message, help) = problem;
        self.error("bad-datetime", value.span(), message).help = help;
        None
    }

    /// A timeline moment: a datetime, or a date alone (midnight in the
    /// record's zone, precision `day`), as rows of old timelines often are.
    fn moment(&mut self, field: &str, value: &S<Datetime>) -> Option<(DateTime<FixedOffset>, TimePrecision)> {
        let dt = value.get_ref();
        if let (Some(d), None) = (dt.date, dt.time) {
            let zone = match self.zone {
                Zone::Fixed(zone) => zone,
                _ => chrono::Utc.fix(),
            };
            let day = self.date(field, value)?;
            let at = day.and_hms_opt(0, 0, 0).and_then(|t| zone.from_local_datetime(&t).single());
            if at.is_none() {
                self.error("bad-datetime", value.span(), format!("`{field}` = {d} is not a real date"));
            }
            return Some((at?, TimePrecision::Day));
        }
        Some((self.datetime(field, value)?, TimePrecision::Minute))
    }

    /// A stated duration (`time_to_resolve = "3h 20m"`).
    fn duration(&mut self, field: &str, value: &S<String>) -> Option<chrono::TimeDelta> {
        let parsed = crate::model::parse_duration(value.get_ref());
        if parsed.is_none() {
            self.error("bad-value", value.span(), format!("`{field}` = \"{}\" is not a duration", value.get_ref()))
                .help = Some(format!("write it like {field} = \"3h 20m\", \"54m\" or \"2d 4h\""));
        }
        parsed
    }

    /// A calendar date (reviewed, published, due…).
    fn date(&mut self, field: &str, value: &S<Datetime>) -> Option<NaiveDate> {
        let dt = value.get_ref();
        match (dt.date, dt.time) {
            (Some(d), None) => {
                let parsed = NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day));
                if parsed.is_none() {
                    self.error("bad-datetime", value.span(), format!("`{field}` = {d} is not a real date"));
                }
                parsed
            }
            (Some(d), Some(_)) => {
                self.error("bad-datetime", value.span(), format!("`{field}` takes a date, not a datetime")).help =
                    Some(format!("write {field} = {d}"));
                None
            }
            _ => {
                self.error("bad-datetime", value.span(), format!("`{field}` takes a date, found a time of day")).help =
                    Some(format!("write {field} = 2025-03-17"));
                None
            }
        }
    }

    /// A non-negative number.
    fn non_negative(&mut self, field: &str, value: &S<f64>) -> Option<f64> {
        let v = *value.get_ref();
        if v.is_finite() && v >= 0.0 {
            Some(v)
        } else {
            self.error("bad-value", value.span(), format!("`{field}` must be a number ≥ 0, found {v}"));
            None
        }
    }

    /// An id (finding, guardrail, action), or the positional default.
    fn local_id(&mut self, value: Option<&S<String>>, prefix: char, position: usize) -> String {
        match value {
            Some(id) if is_id(id.get_ref()) => id.get_ref().clone(),
            Some(id) => {
                self.error("bad-value", id.span(), format!("`{}` is not a valid id", id.get_ref())).help =
                    Some("ids use letters, digits, '-' and '_', starting with a letter or digit".into());
                format!("{prefix}{position}")
            }
            None => format!("{prefix}{position}"),
        }
    }
}

/// Convert and check one record. `id` has already been decided by the caller.
///
/// When `casebook.toml` could not be read, `config_ok` is false and the checks
/// that depend on it (severity scale, taxonomy) are skipped rather than
/// reporting a cascade of errors against the built-in defaults.
pub(crate) fn convert(
    ctx: &mut RecordCtx<'_>,
    raw: &RawRecord,
    id: String,
    body: &str,
    config: &Config,
    config_ok: bool,
) -> Incident {
    let text = |v: &Option<S<String>>| v.as_ref().map(|s| s.get_ref().trim().to_string()).filter(|s| !s.is_empty());

    let status = raw.status.as_ref().and_then(|s| ctx.word::<RecordStatus>(s)).unwrap_or_default();
    let severity = raw.severity.as_ref().and_then(|sev| {
        if !config_ok || config.severity_rank(sev.get_ref()).is_some() {
            return Some(sev.get_ref().clone());
        }
        let help = match suggest(sev.get_ref(), &config.severities) {
            Some(s) => format!("did you mean `{s}`? the severity scale is: {}", config.severities.join(", ")),
            None => format!(
                "the severity scale is: {} (set it in casebook.toml under [severity] levels)",
                config.severities.join(", ")
            ),
        };
        ctx.error("unknown-severity", sev.span(), format!("`{}` is not on the severity scale", sev.get_ref())).help =
            Some(help);
        None
    });

    ctx.zone = timezone(ctx, raw);
    let clock = clock(ctx, raw);
    for (field, value) in [("reviewed", &raw.reviewed), ("published", &raw.published)] {
        if let Some(v) = value {
            let day = ctx.date(field, v);
            if let (Some(day), Some(started)) = (day, clock.started) {
                if day < started.date_naive() {
                    ctx.error(
                        "time-order",
                        v.span(),
                        format!("`{field}` ({day}) is before the incident started ({})", started.date_naive()),
                    );
                }
            }
        }
    }
    let reviewed = raw.reviewed.as_ref().and_then(date_quiet);
    let published = raw.published.as_ref().and_then(date_quiet);

    let categories = categories(ctx, raw, config, config_ok);
    let findings = findings(ctx, raw);
    let guardrails = guardrails(ctx, raw, &findings);
    let actions = actions(ctx, raw, &findings, &guardrails);

    let timeline = raw
        .timeline
        .as_ref()
        .map(|t| {
            t.get_ref()
                .iter()
                .filter_map(|e| {
                    let e = e.get_ref();
                    let (at, precision) = ctx.moment("at", &e.at)?;
                    Some(TimelineEntry { at, event: e.event.trim().to_string(), actor: e.actor.clone(), precision })
                })
                .collect()
        })
        .unwrap_or_default();

    let customer_impact = raw.customer_impact.as_ref().map(|ci| {
        let ci = ci.get_ref();
        let users_affected = ci.users_affected.as_ref().and_then(|u| match u64::try_from(*u.get_ref()) {
            Ok(n) => Some(n),
            Err(_) => {
                ctx.error("bad-value", u.span(), format!("`users_affected` must be ≥ 0, found {}", u.get_ref()));
                None
            }
        });
        CustomerImpact {
            summary: ci.summary.clone(),
            users_affected,
            revenue_impact: ci.revenue_impact.as_ref().and_then(|v| ctx.non_negative("revenue_impact", v)),
            slo_budget_burned: ci.slo_budget_burned.as_ref().and_then(|v| ctx.non_negative("slo_budget_burned", v)),
        }
    });
    let detection = raw.detection.as_ref().map(|d| {
        let d = d.get_ref();
        Detection { method: d.method.as_ref().and_then(|m| ctx.word(m)), signal: d.signal.clone() }
    });
    let environment = raw.environment.as_ref().map(|e| match e {
        RawEnvironment::Text(t) => Environment::Text(t.clone()),
        RawEnvironment::Facets(f) => Environment::Facets {
            region: f.region.clone(),
            release: f.release.clone(),
            traffic: f.traffic.clone(),
            load: f.load.clone(),
            notes: f.notes.clone(),
        },
    });

    let related = raw
        .related
        .iter()
        .map(|r| match r.get_ref() {
            RawRelated::Id(id) => RelatedLink { id: id.clone(), relation: Default::default(), note: None },
            RawRelated::Table(t) => RelatedLink {
                id: t.id.clone(),
                relation: t.relation.as_ref().and_then(|rel| ctx.word(rel)).unwrap_or_default(),
                note: t.note.clone(),
            },
        })
        .collect();

    let names = |v: &Option<OneOrMany>| v.as_ref().map(|n| n.0.clone()).unwrap_or_default();
    Incident {
        title: text(&raw.title).unwrap_or_else(|| id.clone()),
        id,
        source: std::path::PathBuf::new(),
        summary: text(&raw.summary),
        severity,
        status,
        people: People {
            owner: text(&raw.owner),
            authors: names(&raw.authors),
            reviewers: names(&raw.reviewers),
            facilitator: text(&raw.facilitator),
            participants: raw
                .participants
                .iter()
                .map(|p| Participant { name: p.name.get_ref().clone(), role: p.role.clone() })
                .collect(),
        },
        clock,
        reviewed,
        published,
        services: raw
            .services
            .as_ref()
            .map(|s| s.get_ref().iter().map(|v| v.get_ref().trim().to_string()).collect())
            .unwrap_or_default(),
        categories,
        tags: raw.tags.as_ref().map(|t| t.iter().map(|v| v.get_ref().trim().to_string()).collect()).unwrap_or_default(),
        customer_impact,
        detection,
        environment,
        timeline,
        findings,
        barriers: raw
            .barriers
            .iter()
            .map(|b| Barrier { summary: b.get_ref().summary.clone(), held: b.get_ref().held })
            .collect(),
        remedies: raw
            .remedies
            .as_ref()
            .map(|r| {
                r.get_ref()
                    .iter()
                    .map(|r| {
                        let r = r.get_ref();
                        Remedy {
                            summary: r.summary.clone(),
                            symptom: r.symptom.clone(),
                            steps: r.steps.clone(),
                            worked: r.worked.unwrap_or(true),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        guardrails,
        actions,
        no_actions_reason: text(&raw.no_actions_reason),
        recurrence_of: raw.recurrence_of.iter().map(|r| r.get_ref().clone()).collect(),
        related,
        lessons: Lessons {
            went_well: raw.lessons.went_well.clone(),
            went_wrong: raw.lessons.went_wrong.clone(),
            got_lucky: raw.lessons.got_lucky.clone(),
        },
        links: links(ctx, raw),
        imported: raw.source.as_ref().map(|s| ImportedFrom { from: s.from.clone(), hash: s.hash.clone() }),
        body: body.to_string(),
    }
}

/// The record's `timezone`, or an error naming what is accepted.
fn timezone(ctx: &mut RecordCtx<'_>, raw: &RawRecord) -> Zone {
    let Some(value) = &raw.timezone else { return Zone::Unset };
    if let Some(zone) = crate::model::fixed_zone(value.get_ref()) {
        return Zone::Fixed(zone);
    }
    let written = value.get_ref().trim();
    let names: Vec<&str> = crate::model::ZONE_ABBREVIATIONS.iter().map(|(n, _)| *n).collect();
    let help = if written.contains('/') {
        "zone names such as America/Los_Angeles need the tz database, which Casebook does not carry:\nwrite the offset in effect, timezone = \"-08:00\" (or \"-07:00\" in summer), or an abbreviation such as \"PST\"".to_string()
    } else {
        format!("write a fixed offset such as timezone = \"-08:00\" or \"+05:30\", or one of: {}", names.join(", "))
    };
    ctx.error(
        "bad-value",
        value.span(),
        format!("`timezone` = \"{written}\" is not a fixed offset (+HH:MM, -HH:MM) or a known abbreviation"),
    )
    .help = Some(help);
    Zone::Invalid
}

/// `links`: http(s) URLs, each with an optional title.
fn links(ctx: &mut RecordCtx<'_>, raw: &RawRecord) -> Vec<Link> {
    let mut out = Vec::new();
    for link in &raw.links {
        let (url, span, title) = match link.get_ref() {
            RawLink::Url(url) => (url, link.span(), None),
            RawLink::Table(t) => (t.url.get_ref(), t.url.span(), t.title.as_ref()),
        };
        let url = url.trim();
        if !crate::model::is_http_url(url) {
            ctx.error("bad-value", span, format!("link `{url}` is not an http(s) URL")).help = Some(
                "links are web addresses: links = [\"https://status.example.com/incidents/123\"],\nor with a title: { url = \"https://…\", title = \"Status page\" }".into(),
            );
            continue;
        }
        let title = title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        out.push(Link { url: url.to_string(), title });
    }
    out
}

/// A date already reported by `RecordCtx::date` if bad; here only the value.
fn date_quiet(value: &S<Datetime>) -> Option<NaiveDate> {
    let d = value.get_ref();
    match (d.date, d.time) {
        (Some(d), None) => NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day)),
        _ => None,
    }
}

fn clock(ctx: &mut RecordCtx<'_>, raw: &RawRecord) -> Clock {
    let precision = raw.time_precision.as_ref().and_then(|p| ctx.word(p)).unwrap_or_default();
    let fields = [
        ("started", &raw.started),
        ("detected", &raw.detected),
        ("mitigated", &raw.mitigated),
        ("resolved", &raw.resolved),
    ];
    type Parsed<'n> = (&'n str, Option<DateTime<FixedOffset>>, Option<Range<usize>>);
    let mut parsed: Vec<Parsed<'_>> = Vec::new();
    for (name, value) in fields {
        let at = value.as_ref().and_then(|v| ctx.datetime(name, v));
        parsed.push((name, at, value.as_ref().map(|v| v.span())));
    }
    // Each present field must not precede the fields it follows. `detected`
    // only follows `started`: a failure that healed before anyone noticed
    // is detected after it was mitigated, or even resolved.
    let must_follow = |name: &str| -> &'static [&'static str] {
        match name {
            "detected" | "mitigated" => &["started"],
            "resolved" => &["started", "mitigated"],
            _ => &[],
        }
    };
    for (later, later_at, span) in &parsed {
        let (Some(later_at), Some(span)) = (later_at, span) else { continue };
        let follows = must_follow(later);
        if let Some((earlier, Some(earlier_at), _)) =
            parsed.iter().rev().find(|(name, at, _)| follows.contains(name) && at.is_some_and(|at| at > *later_at))
        {
            ctx.error(
                "time-order",
                span.clone(),
                format!("`{later}` ({later_at}) is before `{earlier}` ({earlier_at})"),
            )
            .help = Some(if *later == "detected" {
                "nothing is detected before it starts; detected may come after mitigated or resolved\n(a failure that healed before anyone noticed)".into()
            } else {
                "the incident clock must run started ≤ mitigated ≤ resolved".into()
            });
        }
    }
    let get = |name: &str| parsed.iter().find(|(n, _, _)| *n == name).and_then(|(_, at, _)| *at);
    let mut stated = |field: &str, value: &Option<S<String>>| value.as_ref().and_then(|v| ctx.duration(field, v));
    let stated = StatedDurations {
        detect: stated("time_to_detect", &raw.time_to_detect),
        mitigate: stated("time_to_mitigate", &raw.time_to_mitigate),
        resolve: stated("time_to_resolve", &raw.time_to_resolve),
    };
    Clock {
        started: get("started"),
        detected: get("detected"),
        mitigated: get("mitigated"),
        resolved: get("resolved"),
        precision,
        stated,
    }
}

fn categories(ctx: &mut RecordCtx<'_>, raw: &RawRecord, config: &Config, config_ok: bool) -> Vec<String> {
    let Some(list) = &raw.categories else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    for cat in list.get_ref() {
        let name = cat.get_ref().trim();
        if !config_ok {
            // casebook.toml is broken: its taxonomy is unknown, accept the name as written.
        } else if config.has_taxonomy() {
            if !config.is_category(name) {
                let known: Vec<&str> = config.categories.iter().map(|c| c.name.as_str()).collect();
                let help = match suggest(name, &known) {
                    Some(s) => format!("did you mean `{s}`? or add `{name}` to [[categories]] in casebook.toml"),
                    None if known.len() > 20 => format!(
                        "add it to [[categories]] in casebook.toml, or use one of its {} categories: {}, …",
                        known.len(),
                        known[..20].join(", ")
                    ),
                    None => format!("add it to [[categories]] in casebook.toml, or use one of: {}", known.join(", ")),
                };
                ctx.error("unknown-category", cat.span(), format!("category `{name}` is not in the taxonomy")).help =
                    Some(help);
                continue;
            }
        } else if !is_category_slug(name) {
            ctx.error("bad-value", cat.span(), format!("category `{name}` is not a slug")).help =
                Some(format!("categories are lower-case words joined by '-': `{}`", crate::model::slugify(name)));
            continue;
        }
        if !out.iter().any(|c| c == name) {
            out.push(name.to_string());
        }
    }
    out
}

fn findings(ctx: &mut RecordCtx<'_>, raw: &RawRecord) -> Vec<Finding> {
    let Some(list) = &raw.findings else { return Vec::new() };
    let mut out: Vec<Finding> = Vec::new();
    let mut spans: Vec<Range<usize>> = Vec::new();
    for (i, f) in list.get_ref().iter().enumerate() {
        let span = f.span();
        let f = f.get_ref();
        let id = ctx.local_id(f.id.as_ref(), 'F', i + 1);
        let id_span = f.id.as_ref().map_or(span.clone(), |s| s.span());
        if let Some(first) = out.iter().position(|o| o.id == id) {
            duplicate_local(ctx, "finding", &id, id_span.clone(), spans[first].clone());
        }
        spans.push(id_span);
        out.push(Finding {
            id,
            kind: f.kind.as_ref().and_then(|k| ctx.word(k)),
            class: f.class.as_ref().and_then(|c| ctx.word(c)),
            summary: f.summary.get_ref().trim().to_string(),
            evidence: f.evidence.as_ref().map(|e| e.get_ref().clone()),
            whys: f.whys.iter().map(|w| w.get_ref().clone()).collect(),
            counterfactual: f.counterfactual.clone(),
        });
    }
    out
}

fn guardrails(ctx: &mut RecordCtx<'_>, raw: &RawRecord, findings: &[Finding]) -> Vec<Guardrail> {
    let mut out: Vec<Guardrail> = Vec::new();
    let mut spans: Vec<Range<usize>> = Vec::new();
    for (i, g) in raw.guardrails.iter().enumerate() {
        let span = g.span();
        let g = g.get_ref();
        let id = ctx.local_id(g.id.as_ref(), 'G', i + 1);
        let id_span = g.id.as_ref().map_or(span.clone(), |s| s.span());
        if let Some(first) = out.iter().position(|o| o.id == id) {
            duplicate_local(ctx, "guardrail", &id, id_span.clone(), spans[first].clone());
        }
        spans.push(id_span);
        for a in &g.addresses {
            local_reference(ctx, "finding", a, findings.iter().map(|f| f.id.as_str()));
        }
        out.push(Guardrail {
            id,
            summary: g.summary.trim().to_string(),
            control: g.control.as_ref().and_then(|c| ctx.word(c)),
            addresses: g.addresses.iter().map(|a| a.get_ref().clone()).collect(),
            would_have: g.would_have.clone(),
            status: g.status.as_ref().and_then(|s| ctx.word(s)).unwrap_or_default(),
            implemented: g.implemented.as_ref().and_then(|d| ctx.date("implemented", d)),
        });
    }
    out
}

fn actions(ctx: &mut RecordCtx<'_>, raw: &RawRecord, findings: &[Finding], guardrails: &[Guardrail]) -> Vec<Action> {
    let Some(list) = &raw.actions else { return Vec::new() };
    let mut out: Vec<Action> = Vec::new();
    let mut spans: Vec<Range<usize>> = Vec::new();
    for (i, a) in list.get_ref().iter().enumerate() {
        let span = a.span();
        let a = a.get_ref();
        let id = ctx.local_id(a.id.as_ref(), 'A', i + 1);
        let id_span = a.id.as_ref().map_or(span.clone(), |s| s.span());
        if let Some(first) = out.iter().position(|o| o.id == id) {
            duplicate_local(ctx, "action", &id, id_span.clone(), spans[first].clone());
        }
        spans.push(id_span);
        if let Some(f) = &a.finding {
            local_reference(ctx, "finding", f, findings.iter().map(|f| f.id.as_str()));
        }
        if let Some(g) = &a.guardrail {
            local_reference(ctx, "guardrail", g, guardrails.iter().map(|g| g.id.as_str()));
        }
        let tracker = a.tracker.as_ref().and_then(|t| {
            let url = t.get_ref().trim();
            if url.starts_with("https://") || url.starts_with("http://") {
                Some(url.to_string())
            } else {
                ctx.error("bad-value", t.span(), format!("tracker `{url}` is not an http(s) URL")).help = Some(
                    "link the ticket with its full address: tracker = \"https://tracker.example.com/OPS-123\"".into(),
                );
                None
            }
        });
        out.push(Action {
            id,
            summary: a.summary.trim().to_string(),
            kind: a.kind.as_ref().and_then(|k| ctx.word(k)),
            owner: a.owner.as_ref().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()),
            due: a.due.as_ref().and_then(|d| ctx.date("due", d)),
            status: a.status.as_ref().and_then(|s| ctx.word(s)).unwrap_or_default(),
            completed: a.completed.as_ref().and_then(|d| ctx.date("completed", d)),
            finding: a.finding.as_ref().map(|f| f.get_ref().clone()),
            guardrail: a.guardrail.as_ref().map(|g| g.get_ref().clone()),
            metric: a.metric.clone(),
            tracker,
        });
    }
    out
}

fn duplicate_local(ctx: &mut RecordCtx<'_>, what: &str, id: &str, span: Range<usize>, first: Range<usize>) {
    let first_loc = ctx.loc(first);
    let path = ctx.source.path.clone();
    let d = ctx.error("duplicate-id", span, format!("{what} id `{id}` is used twice in this record"));
    d.related.push(crate::diagnostics::Related { path, location: first_loc, message: "first used here".into() });
    d.help = Some(format!("give each {what} its own id"));
}

fn local_reference<'a>(
    ctx: &mut RecordCtx<'_>,
    what: &str,
    reference: &S<String>,
    known: impl Iterator<Item = &'a str>,
) {
    let known: Vec<&str> = known.collect();
    if known.contains(&reference.get_ref().as_str()) {
        return;
    }
    let help = match suggest(reference.get_ref(), &known) {
        Some(s) => format!("did you mean `{s}`?"),
        None if known.is_empty() => format!("this record has no {what}s"),
        None => format!("this record's {what}s are: {}", known.join(", ")),
    };
    ctx.error(
        "unknown-reference",
        reference.span(),
        format!("no {what} with id `{}` in this record", reference.get_ref()),
    )
    .help = Some(help);
}
