//! The quarterly review pages: each says what `casebook report` says of its
//! quarter, a quarter that is not over is marked partial, `/metrics/` lists
//! them latest first, and each links to its neighbours.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{TODAY, build_example, casebook};

type Tree = BTreeMap<String, Vec<u8>>;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn page(tree: &Tree, path: &str) -> String {
    String::from_utf8(tree.get(path).unwrap_or_else(|| panic!("no {path}")).clone()).unwrap()
}

/// The review pages of a built site, oldest first: "2024-q1", …
fn quarters(tree: &Tree) -> Vec<String> {
    let mut out: Vec<String> =
        tree.keys().filter_map(|p| p.strip_prefix("review/")?.strip_suffix("/index.html")).map(String::from).collect();
    out.sort();
    out
}

/// The first and last day of "2026-q3".
fn dates(quarter: &str) -> (String, String) {
    let (year, q) = quarter.split_once("-q").unwrap();
    let q: u32 = q.parse().unwrap();
    let last = ["03-31", "06-30", "09-30", "12-31"][q as usize - 1];
    (format!("{year}-{:02}-01", (q - 1) * 3 + 1), format!("{year}-{last}"))
}

/// The part of `html` from the element with `marker` to the end of the element `end`.
fn part<'h>(html: &'h str, marker: &str, end: &str) -> &'h str {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &html[start..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Every `<data value="…">` in `html`, in order.
fn data_values(html: &str) -> Vec<f64> {
    html.split("<data value=\"").skip(1).map(|s| s[..s.find('"').unwrap()].parse().unwrap()).collect()
}

/// The text of the cells of a table row, tags dropped.
fn cells(row: &str) -> Vec<String> {
    row.split("<td").skip(1).map(|c| strip_tags(&c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])).collect()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The seconds and rates the page writes in `<data>` (a missing figure is a dash).
fn json_values(values: &[&Value]) -> Vec<f64> {
    values.iter().filter_map(|v| v.as_f64()).collect()
}

/// `href` of a page at `from`, resolved to a path in the tree ("review/2026-q2/index.html").
fn resolve(from: &str, href: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in href.split('#').next().unwrap().split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "" | "." => {}
            s => parts.push(s),
        }
    }
    format!("{}/index.html", parts.join("/"))
}

/// Every review page shows the figures `casebook report --format json`
/// gives for the same dates: one computation, two outputs.
#[test]
fn review_pages_show_the_figures_of_casebook_report() {
    let (_out, tree) = build_example(TODAY);
    let all = quarters(&tree);
    assert!(all.len() >= 8, "{all:?}");
    for quarter in &all {
        let html = page(&tree, &format!("review/{quarter}/index.html"));
        let (since, until) = dates(quarter);
        let args = ["report", "content", "--since", &since, "--until", &until, "--today", TODAY, "--format", "json"];
        let run = casebook(root(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        // As read: dates are <time> elements, the command's arguments unbreakable spans.
        let text = strip_tags(&html);
        assert!(text.contains(&format!("The {} incidents that started from {since} to {until}", report["incidents"])));
        assert!(text.contains(&format!("casebook report --since {since} --until {until}")), "{quarter}");

        // Times: median and p90 in seconds, and how many incidents they are over.
        for key in ["ttd", "ttm", "ttr"] {
            let row = part(&html, &format!("<tr id=\"time-{key}\""), "</tr>");
            let t = &report["overall"][key];
            assert_eq!(data_values(row), json_values(&[&t["median_s"], &t["p90_s"]]), "{quarter} {key}");
            assert_eq!(cells(row).last().unwrap(), &t["n"].to_string(), "{quarter} {key}");
        }
        // Severities and categories: counts, medians and recurrence rates.
        for (section, key) in [("id=\"by-severity\"", "by_severity"), ("id=\"by-category\"", "by_category")] {
            let groups = report[key].as_object().unwrap();
            let table = if groups.is_empty() { "" } else { part(&html, section, "</section>") };
            assert_eq!(table.matches("<tr data-name=").count(), groups.len(), "{quarter} {key}");
            for (name, f) in groups {
                let row = part(table, &format!("<tr data-name=\"{name}\""), "</tr>");
                assert_eq!(cells(row)[0], f["count"].to_string(), "{quarter} {key} {name}");
                let expected = json_values(&[
                    &f["ttd"]["median_s"],
                    &f["ttm"]["median_s"],
                    &f["ttr"]["median_s"],
                    &f["recurrence_rate"],
                ]);
                assert_eq!(data_values(row), expected, "{quarter} {key} {name}");
            }
        }
        // The recurring failures, with what they repeat and the guardrails that were in place.
        let recurring = part(&html, "id=\"recurring\"", "</section>");
        let listed = report["recurrences"].as_array().unwrap();
        assert_eq!(recurring.matches("repeats <a").count(), listed.len(), "{quarter}");
        for rec in listed {
            for id in [&rec["id"], &rec["repeats"]] {
                assert!(recurring.contains(&format!("incidents/{}/\"", id.as_str().unwrap())), "{quarter}: {id}");
            }
            for g in rec["guardrails_in_place"].as_array().unwrap() {
                let (incident, rest) = g.as_str().unwrap().split_once('/').unwrap();
                let id = rest.split(':').next().unwrap();
                assert!(recurring.contains(&format!("incidents/{incident}/#guardrail-{id}\"")), "{quarter}: {g}");
            }
        }
        // Late postmortems.
        let late = part(&html, "id=\"late\"", "</section>");
        let expected = report["late_postmortems"].as_array().unwrap();
        assert_eq!(late.matches("<li>").count(), expected.len(), "{quarter}");
        for l in expected {
            assert!(late.contains(&format!("incidents/{}/\"", l["id"].as_str().unwrap())), "{quarter}: {l}");
        }
        // Actions: the tally of the quarter's incidents, their overdue ones, and every overdue one.
        let a = &report["actions"];
        let actions = strip_tags(part(&html, "id=\"actions\"", "</section>"));
        let tally = format!(
            "From the quarter's incidents: {} in all, {} done, {} open ({} overdue), {} won't do",
            a["total"], a["done"], a["open"], a["overdue"], a["wont_do"]
        );
        assert!(actions.contains(&tally), "{quarter}: {actions}");
        let overdue = report["overdue_actions"].as_array().unwrap();
        assert!(actions.contains(&format!("{} actions from any incident are overdue", overdue.len())), "{quarter}");
        let rows =
            if a["overdue"] == 0 { 0 } else { part(&html, "id=\"overdue\"", "</table>").matches("<tr").count() - 1 };
        assert_eq!(rows.to_string(), a["overdue"].to_string(), "{quarter}: the quarter's overdue actions");
    }
}

/// The quarter the build date falls in is marked partial, with how much of it
/// had passed, on its page, in the list and on the charts over time; once
/// the quarter is over, nothing is.
#[test]
fn the_quarter_that_is_not_over_is_marked_partial() {
    let (_out, tree) = build_example(TODAY);
    let current = page(&tree, "review/2026-q4/index.html");
    assert!(strip_tags(&current).contains("Partial: to 2026-11-27, 58 days of 92."), "the review page says so");
    let before = page(&tree, "review/2026-q3/index.html");
    assert!(!before.contains("Partial:") && !before.contains("badge partial"), "a finished quarter is not marked");

    let metrics = page(&tree, "metrics/index.html");
    let list = part(&metrics, "id=\"reviews\"", "</section>");
    assert_eq!(list.matches("partial:").count(), 1, "{list}");
    let marked = part(list, "review/2026-q4/", "</li>");
    assert!(marked.contains("partial: to 2026-11-27, 58 days of 92"), "{marked}");
    // The charts over time: the column is hatched and labelled, the table and the note say so.
    let chart = part(&metrics, "id=\"chart-incidents-quarter\"", "</figure>");
    assert!(chart.contains("<th scope=\"row\">2026-Q4 (partial)</th>"), "the table");
    assert!(chart.contains(">partial</text>") && chart.contains("url(#chart-incidents-quarter-hatch)"));
    assert!(chart.contains("quarter not over (partial)"), "the legend");
    assert!(chart.contains("2026-Q4 is partial, not over yet: to 2026-11-27, 58 days of 92."), "the note");

    // The same site built after the quarter ended marks nothing.
    let (_later, tree) = build_example("2027-01-10");
    let metrics = page(&tree, "metrics/index.html");
    assert!(!metrics.contains("(partial)") && !metrics.contains("partial:"), "nothing is partial in 2027");
    assert!(!page(&tree, "review/2026-q4/index.html").contains("Partial:"));
}

/// `/metrics/` lists every review, latest first; the sitemap has them; each
/// page's previous and next links lead to the quarters beside it.
#[test]
fn reviews_are_listed_latest_first_and_link_their_neighbours() {
    let (_out, tree) = build_example(TODAY);
    let all = quarters(&tree);
    let metrics = page(&tree, "metrics/index.html");
    let list = part(&metrics, "id=\"reviews\"", "</section>");
    let linked: Vec<String> = list
        .split("href=\"")
        .skip(1)
        .filter_map(|h| h[..h.find('"').unwrap()].strip_prefix("../review/")?.strip_suffix('/').map(String::from))
        .collect();
    let latest_first: Vec<String> = all.iter().rev().cloned().collect();
    assert_eq!(linked, latest_first);
    let sitemap = page(&tree, "sitemap.xml");
    for q in &all {
        assert!(sitemap.contains(&format!("review/{q}/")), "{q} in the sitemap");
    }

    for (at, quarter) in all.iter().enumerate() {
        let path = format!("review/{quarter}/index.html");
        let html = page(&tree, &path);
        let target = |rel: &str| -> Option<String> {
            let a = html.find(&format!("rel=\"{rel}\" href=\""))?;
            let href = &html[a + rel.len() + 13..];
            Some(resolve(&path, &href[..href.find('"')?]))
        };
        let expected = |i: Option<usize>| i.and_then(|i| all.get(i)).map(|q| format!("review/{q}/index.html"));
        assert_eq!(target("prev"), expected(at.checked_sub(1)), "{quarter}: previous");
        assert_eq!(target("next"), expected(Some(at + 1)), "{quarter}: next");
        for link in [target("prev"), target("next")].into_iter().flatten() {
            assert!(tree.contains_key(&link), "{quarter}: {link} resolves");
        }
    }
}

/// Built with `--drafts`, a review page counts the quarter's drafts, and the
/// command it shows says `--drafts`: `casebook report --drafts` prints the
/// same figures, and without the flag both leave drafts out.
#[test]
fn a_drafts_build_and_report_drafts_count_the_same_incidents() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let args = ["build", "content", "-o", &site.to_string_lossy(), "--today", TODAY, "--drafts"];
    let run = casebook(root(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let with_drafts = crate::build::read_tree(&site);
    let (_plain, without) = build_example(TODAY);
    // The example's one draft started in 2026-Q4.
    let quarter = "2026-q4";
    let (since, until) = dates(quarter);
    let count = |drafts: bool| -> u64 {
        let mut args = vec!["report", "content", "--since", &since, "--until", &until, "--today", TODAY];
        args.extend(["--format", "json"]);
        if drafts {
            args.push("--drafts");
        }
        let run = casebook(root(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<Value>(&run.stdout).unwrap()["incidents"].as_u64().unwrap()
    };
    let (all, published) = (count(true), count(false));
    assert_eq!(all, published + 1, "the draft is in the quarter");
    for (tree, n, flag) in [(&with_drafts, all, " --drafts"), (&without, published, "")] {
        let text = strip_tags(&page(tree, &format!("review/{quarter}/index.html")));
        assert!(text.contains(&format!("The {n} incidents that started from {since} to {until}")), "{text}");
        assert!(text.contains(&format!("casebook report --since {since} --until {until}{flag}")), "{flag:?}");
        assert_eq!(text.contains("--drafts"), !flag.is_empty(), "{flag:?}");
    }
}
