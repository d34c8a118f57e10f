//! Charts as inline SVG, drawn at build time: readable without JavaScript,
//! coloured by the theme's CSS (so dark mode and print work), each with a
//! title, a description for screen readers and its numbers as a table.
//!
//! Three shapes cover the metrics: horizontal bars (compare categories or
//! services), columns over quarters (a trend, optionally stacked by severity,
//! optionally with a p90 whisker), and an incident's phases (detect,
//! mitigate, resolve) on one time axis.
//!
//! Part of `render` (layer 4): [`super::learning`] and the incident view
//! fill charts with figures; this module only draws them.

use std::fmt::Write as _;

use chrono::TimeDelta;
use serde::Serialize;

use super::theme::escape_html as esc;
use super::views::human_duration;

const WIDTH: f64 = 640.0;

/// A chart ready for a template: the SVG and the same numbers as a table.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub svg: String,
    /// The value axis of a trend, as an SVG of its own (see [`columns`]):
    /// shown to the left of `svg`, outside its scrolling box.
    pub axis: Option<String>,
    /// What each colour (CSS class) stands for, shown above the chart.
    pub legend: Vec<LegendKey>,
    pub table: Table,
    /// What the figures leave out (coarse clocks), shown under the chart.
    pub note: Option<String>,
}

impl Chart {
    fn new(id: &str, title: &str, description: &str, svg: String, table: Table) -> Self {
        Chart {
            id: id.into(),
            title: title.into(),
            description: description.into(),
            svg,
            axis: None,
            legend: Vec::new(),
            table,
            note: None,
        }
    }
}

/// One entry of a chart's key: a CSS class (`s0`…, `partial`) and what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegendKey {
    pub class: String,
    pub label: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableRow {
    pub label: String,
    pub url: Option<String>,
    pub cells: Vec<String>,
}

/// How values are written on axes and bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Count,
    /// Seconds, written as durations.
    Seconds,
    /// 0–1, written as percentages.
    Share,
}

impl Unit {
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Count => format!("{}", v.round() as i64),
            Unit::Seconds => human_duration(TimeDelta::seconds(v.round() as i64)),
            Unit::Share => format!("{}%", crate::analyze::metrics::percent(Some(v)).unwrap_or(0)),
        }
    }

    /// A round axis maximum at or above `max`, and its tick step.
    fn nice_max(self, max: f64) -> (f64, f64) {
        if max <= 0.0 {
            return (1.0, 1.0);
        }
        if self == Unit::Share {
            let max = max.min(1.0);
            for step in [0.05, 0.1, 0.2, 0.25] {
                if (max / step).ceil() <= 5.0 {
                    let top = ((max / step).ceil() * step * 100.0).round() / 100.0;
                    return (top.max(step), step);
                }
            }
            return (1.0, 0.25);
        }
        let steps: &[f64] = match self {
            Unit::Seconds => &[
                60.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0, 43200.0, 86400.0, 172800.0,
                432000.0, 864000.0,
            ],
            _ => &[1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0],
        };
        for &step in steps {
            if step * 4.0 >= max {
                return (step * 4.0, step);
            }
        }
        let step = 10f64.powf((max / 4.0).log10().ceil());
        ((max / step).ceil() * step, step)
    }
}

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub url: Option<String>,
    /// None: no data (drawn as "no data", not as zero).
    pub value: Option<f64>,
    /// Extra columns for the table.
    pub cells: Vec<String>,
}

fn open_svg(out: &mut String, id: &str, width: f64, height: f64, title: &str, description: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(description)
    );
}

fn text(out: &mut String, x: f64, y: f64, class: &str, anchor: &str, content: &str) {
    let _ =
        write!(out, r#"<text x="{x:.1}" y="{y:.1}" class="{class}" text-anchor="{anchor}">{}</text>"#, esc(content));
}

fn truncate(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>())
    }
}

/// Horizontal bars, one per row, largest first as given.
pub fn bars(id: &str, title: &str, description: &str, unit: Unit, bars: &[Bar], headers: Vec<String>) -> Chart {
    let (label_w, value_w, row_h, top) = (180.0, 80.0, 24.0, 24.0);
    let plot_w = WIDTH - label_w - value_w;
    let max = bars.iter().filter_map(|b| b.value).fold(0.0, f64::max);
    let (top_value, step) = unit.nice_max(max);
    let height = top + row_h * bars.len().max(1) as f64 + 8.0;
    let mut svg = String::new();
    open_svg(&mut svg, id, WIDTH, height, title, description);
    // Grid and axis labels along the top.
    let mut tick = 0.0;
    while tick <= top_value + 1e-9 {
        let x = label_w + plot_w * tick / top_value;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}"/>"#,
            top - 4.0,
            height - 4.0
        );
        text(&mut svg, x, top - 8.0, "axis", "middle", &unit.format(tick));
        tick += step;
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        text(&mut svg, label_w - 8.0, y + row_h * 0.65, "label", "end", &truncate(&bar.label, 26));
        match bar.value {
            Some(v) => {
                let w = (plot_w * v / top_value).max(if v > 0.0 { 2.0 } else { 0.0 });
                let _ = write!(
                    svg,
                    r#"<rect class="datum" x="{label_w:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" rx="2"/>"#,
                    y + 4.0,
                    row_h - 8.0
                );
                text(&mut svg, label_w + w + 6.0, y + row_h * 0.65, "value", "start", &unit.format(v));
            }
            None => text(&mut svg, label_w + 6.0, y + row_h * 0.65, "value muted", "start", "no data"),
        }
    }
    svg.push_str("</svg>");
    let rows =
        bars.iter().map(|b| TableRow { label: b.label.clone(), url: b.url.clone(), cells: b.cells.clone() }).collect();
    Chart::new(id, title, description, svg, Table { headers, rows })
}

/// One column of a trend: a period and its stacked parts (or one value).
#[derive(Debug, Clone)]
pub struct Column {
    /// "2025-Q3": drawn as "Q3" with the year under the first quarter of each year.
    pub label: String,
    /// Stacked values, bottom first, one per series. None: no data.
    pub parts: Vec<Option<f64>>,
    /// An upper whisker (a p90 above a median), if any.
    pub whisker: Option<f64>,
    pub cells: Vec<String>,
    /// Why the period's figures are partial ("to 2026-11-27, 58 days of
    /// 92"): it is not over. Drawn hatched and labelled, and said in the
    /// table and the note.
    pub partial: Option<String>,
}

/// How wide the value axis of a trend is: drawn apart from the columns
/// (`Chart::axis`), so that it stays in view while they scroll sideways.
const AXIS_WIDTH: f64 = 64.0;

/// Columns over time. `series` names the stacked parts (CSS classes `s0`, `s1`…).
///
/// Two SVGs: the columns (`svg`) and, to their left, the value axis
/// (`axis`), both `height` high, so that the page can keep the axis in view
/// while a narrow screen scrolls the columns.
#[allow(clippy::too_many_arguments)]
pub fn columns(
    id: &str,
    title: &str,
    description: &str,
    unit: Unit,
    series: &[&str],
    cols: &[Column],
    headers: Vec<String>,
) -> Chart {
    let any_partial = cols.iter().any(|c| c.partial.is_some());
    // "partial" goes under a column's quarter, or under its year when the column shows one.
    let partial_below_year = cols.iter().enumerate().any(|(i, c)| c.partial.is_some() && shows_year(i, &c.label));
    let (right, top, bottom) = (12.0, 14.0, if partial_below_year { 58.0 } else { 42.0 });
    let height = 250.0 + bottom - 42.0;
    let width = WIDTH - AXIS_WIDTH;
    let plot_w = width - right;
    let plot_h = height - top - bottom;
    let max =
        cols.iter().map(|c| c.parts.iter().flatten().sum::<f64>().max(c.whisker.unwrap_or(0.0))).fold(0.0, f64::max);
    let (top_value, step) = unit.nice_max(max);
    let mut svg = String::new();
    open_svg(&mut svg, id, width, height, title, description);
    let hatch = format!("{id}-hatch");
    if any_partial {
        let _ = write!(
            svg,
            r#"<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line class="hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>"#
        );
    }
    // The key is HTML above the chart (see `Chart::legend`), so that it
    // wraps and stays in view on a narrow screen.
    let mut legend: Vec<LegendKey> = Vec::new();
    if series.len() > 1 {
        legend.extend(
            series.iter().enumerate().map(|(i, name)| LegendKey { class: format!("s{i}"), label: name.to_string() }),
        );
    }
    if any_partial && !legend.is_empty() {
        legend.push(LegendKey { class: "partial".into(), label: "quarter not over (partial)".into() });
    }
    let y_of = |v: f64| top + plot_h - plot_h * v / top_value;
    let mut axis = String::new();
    let _ = write!(
        axis,
        r#"<svg class="chart-axis" viewBox="0 0 {AXIS_WIDTH} {height}" width="{AXIS_WIDTH}" height="{height}" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">"#
    );
    let mut tick = 0.0;
    while tick <= top_value + 1e-9 {
        let y = y_of(tick);
        let _ = write!(svg, r#"<line class="grid" x1="0" x2="{plot_w:.1}" y1="{y:.1}" y2="{y:.1}"/>"#);
        text(&mut axis, AXIS_WIDTH - 6.0, y + 4.0, "axis", "end", &unit.format(tick));
        tick += step;
    }
    axis.push_str("</svg>");
    let slot = plot_w / cols.len().max(1) as f64;
    let bar_w = (slot * 0.64).min(40.0);
    for (i, col) in cols.iter().enumerate() {
        let x = slot * i as f64 + (slot - bar_w) / 2.0;
        let label = match col.partial {
            Some(_) => format!("{} (partial)", col.label),
            None => col.label.clone(),
        };
        let mut base = 0.0;
        let mut any = false;
        for (s, part) in col.parts.iter().enumerate() {
            let Some(v) = part else { continue };
            any = true;
            if *v <= 0.0 {
                continue;
            }
            let (y1, y0) = (y_of(base + v), y_of(base));
            let class = if series.len() > 1 { format!("s{s}") } else { "datum".to_string() };
            let h = (y0 - y1).max(1.0);
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{x:.1}" y="{y1:.1}" width="{bar_w:.1}" height="{h:.1}"><title>{}: {}</title></rect>"#,
                esc(&label),
                esc(&unit.format(*v))
            );
            if col.partial.is_some() {
                let _ = write!(
                    svg,
                    r#"<rect fill="url(#{hatch})" x="{x:.1}" y="{y1:.1}" width="{bar_w:.1}" height="{h:.1}"/>"#
                );
            }
            base += v;
        }
        if let Some(w) = col.whisker.filter(|w| *w > base) {
            let cx = x + bar_w / 2.0;
            let _ = write!(
                svg,
                r#"<line class="whisker" x1="{cx:.1}" x2="{cx:.1}" y1="{:.1}" y2="{:.1}"/><line class="whisker" x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/>"#,
                y_of(base),
                y_of(w),
                cx - bar_w / 4.0,
                cx + bar_w / 4.0,
                y_of(w),
                y_of(w)
            );
        }
        if !any {
            text(&mut svg, x + bar_w / 2.0, y_of(0.0) - 4.0, "axis", "middle", "–");
        }
        let (year, q) = col.label.split_once('-').unwrap_or((&col.label, ""));
        let cx = x + bar_w / 2.0;
        let below = height - bottom;
        text(&mut svg, cx, below + 16.0, "axis", "middle", if q.is_empty() { year } else { q });
        let with_year = shows_year(i, &col.label);
        if with_year {
            text(&mut svg, cx, below + 32.0, "axis strong", "middle", year);
        }
        if col.partial.is_some() {
            text(&mut svg, cx, below + if with_year { 48.0 } else { 32.0 }, "axis partial", "middle", "partial");
        }
    }
    svg.push_str("</svg>");
    let rows = cols
        .iter()
        .map(|c| TableRow {
            label: match c.partial {
                Some(_) => format!("{} (partial)", c.label),
                None => c.label.clone(),
            },
            url: None,
            cells: c.cells.clone(),
        })
        .collect();
    let mut chart = Chart::new(id, title, description, svg, Table { headers, rows });
    chart.axis = Some(axis);
    chart.legend = legend;
    chart.note = partial_note(cols);
    chart
}

/// Whether the column at `index` writes its year under its quarter: the
/// first column, and each first quarter.
fn shows_year(index: usize, label: &str) -> bool {
    index == 0 || label.ends_with("-Q1")
}

/// The note under a trend whose last period is not over.
fn partial_note(cols: &[Column]) -> Option<String> {
    let notes: Vec<String> = cols
        .iter()
        .filter_map(|c| c.partial.as_ref().map(|why| format!("{} is partial, not over yet: {why}.", c.label)))
        .collect();
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// An incident's phases on one axis: started → detected → mitigated → resolved.
/// `phases` are (name, duration); a missing one is left out of the bar.
pub fn phases(id: &str, title: &str, phases: &[(&str, Option<TimeDelta>)], approximate: bool) -> Option<Chart> {
    let known: Vec<(usize, &str, TimeDelta)> =
        phases.iter().enumerate().filter_map(|(i, (n, d))| d.map(|d| (i, *n, d))).collect();
    let total: i64 = known.iter().map(|(_, _, d)| d.num_seconds().max(0)).sum();
    if known.is_empty() || total <= 0 {
        return None;
    }
    let (left, right, height) = (8.0, 8.0, 76.0);
    let plot_w = WIDTH - left - right;
    let sentence: Vec<String> = known.iter().map(|(_, n, d)| format!("{n} {}", human_duration(*d))).collect();
    let description = format!(
        "{}{}; {} from start to end",
        if approximate { "Approximate times: " } else { "" },
        sentence.join(", "),
        human_duration(TimeDelta::seconds(total))
    );
    let mut svg = String::new();
    open_svg(&mut svg, id, WIDTH, height, title, &description);
    let mut x = left;
    let mut label_x = left;
    for (i, name, d) in &known {
        let w = plot_w * d.num_seconds().max(0) as f64 / total as f64;
        let _ = write!(
            svg,
            r#"<rect class="p{i}" x="{x:.1}" y="8" width="{:.1}" height="24"><title>{}: {}</title></rect>"#,
            w.max(2.0),
            esc(name),
            esc(&human_duration(*d))
        );
        // Labels go left to right, never on top of each other.
        let lx = label_x.max(x);
        let label = format!("{name} {}", human_duration(*d));
        text(&mut svg, lx, 50.0, "label", "start", &label);
        let _ = write!(svg, r#"<rect class="p{i}" x="{lx:.1}" y="56" width="10" height="4"/>"#);
        label_x = lx + 9.0 * label.chars().count() as f64 + 12.0;
        x += w;
    }
    svg.push_str("</svg>");
    let rows = known
        .iter()
        .map(|(_, n, d)| TableRow {
            label: (*n).to_string(),
            url: None,
            cells: vec![format!("{}{}", if approximate { "≈ " } else { "" }, human_duration(*d))],
        })
        .collect();
    Some(Chart {
        id: id.into(),
        title: title.into(),
        description,
        svg,
        axis: None,
        legend: Vec::new(),
        table: Table { headers: vec!["Phase".into(), "Duration".into()], rows },
        note: approximate
            .then(|| "The clock of this incident is coarser than minutes: durations are approximate.".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, v: Option<f64>) -> Bar {
        Bar { label: label.into(), url: None, value: v, cells: vec![] }
    }

    #[test]
    fn bars_scale_to_a_round_maximum_and_escape_labels() {
        let c = bars("x", "T <1>", "D & d", Unit::Count, &[bar("a<b", Some(7.0)), bar("c", None)], vec![]);
        assert!(c.svg.contains("<title id=\"x-t\">T &lt;1&gt;</title>"));
        assert!(c.svg.contains("a&lt;b"));
        assert!(c.svg.contains("no data"), "a missing value is not drawn as zero");
        // 7 → axis to 8 in steps of 2: the bar is 7/8 of the plot width.
        assert!(c.svg.contains(">8</text>"), "{}", c.svg);
        assert!(c.svg.contains(&format!("width=\"{:.1}\"", 380.0 * 7.0 / 8.0)), "{}", c.svg);
    }

    #[test]
    fn nice_maxima() {
        assert_eq!(Unit::Count.nice_max(0.0), (1.0, 1.0));
        assert_eq!(Unit::Count.nice_max(3.0), (4.0, 1.0));
        assert_eq!(Unit::Count.nice_max(37.0), (40.0, 10.0));
        assert_eq!(Unit::Share.nice_max(0.3), (0.3, 0.1));
        assert_eq!(Unit::Share.nice_max(0.6), (0.6, 0.2));
        assert_eq!(Unit::Share.nice_max(1.0), (1.0, 0.2));
        assert_eq!(Unit::Seconds.nice_max(5000.0), (7200.0, 1800.0));
        assert_eq!(Unit::Share.format(0.256), "26%");
        assert_eq!(Unit::Seconds.format(3900.0), "1h 5m");
    }

    #[test]
    fn columns_stack_and_label_quarters() {
        let col = |label: &str, parts: Vec<Option<f64>>| Column {
            label: label.into(),
            parts,
            whisker: None,
            cells: vec![],
            partial: None,
        };
        let c = columns(
            "q",
            "t",
            "d",
            Unit::Count,
            &["SEV1", "SEV2"],
            &[col("2024-Q4", vec![Some(1.0), Some(2.0)]), col("2025-Q1", vec![Some(0.0), None])],
            vec![],
        );
        assert_eq!(c.svg.matches("<rect class=\"s").count(), 2, "the 2 non-empty parts");
        let keys: Vec<&str> = c.legend.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(keys, ["SEV1", "SEV2"], "the key, apart from the SVG");
        assert!(c.svg.contains(">2024</text>") && c.svg.contains(">2025</text>") && c.svg.contains(">Q4</text>"));
    }

    #[test]
    fn a_trend_keeps_its_value_axis_apart_and_marks_a_period_that_is_not_over() {
        let col = |label: &str, v: f64, partial: Option<&str>| Column {
            label: label.into(),
            parts: vec![Some(v)],
            whisker: None,
            cells: vec![],
            partial: partial.map(String::from),
        };
        let c = columns(
            "t",
            "t",
            "d",
            Unit::Count,
            &[],
            &[col("2026-Q3", 3.0, None), col("2026-Q4", 2.0, Some("to 2026-11-27, 58 days of 92"))],
            vec![],
        );
        let axis = c.axis.unwrap_or_default();
        assert!(axis.contains(">4</text>") && !c.svg.contains(">4</text>"), "the ticks are on the axis: {axis}");
        assert!(axis.contains("aria-hidden=\"true\""), "the numbers are in the table for screen readers");
        assert_eq!(c.svg.matches("fill=\"url(#t-hatch)\"").count(), 1, "only the partial column is hatched");
        assert!(c.svg.contains(">partial</text>") && c.svg.contains("<title>2026-Q4 (partial): 2</title>"));
        let labels: Vec<&str> = c.table.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["2026-Q3", "2026-Q4 (partial)"]);
        assert_eq!(c.note.as_deref(), Some("2026-Q4 is partial, not over yet: to 2026-11-27, 58 days of 92."));
    }

    #[test]
    fn phases_need_some_time() {
        assert!(phases("p", "t", &[("detect", None)], false).is_none());
        let p = phases(
            "p",
            "t",
            &[("detect", Some(TimeDelta::minutes(5))), ("mitigate", Some(TimeDelta::minutes(15)))],
            true,
        )
        .map(|c| (c.description, c.note.is_some()));
        assert_eq!(p, Some(("Approximate times: detect 5m, mitigate 15m; 20m from start to end".into(), true)));
    }
}
