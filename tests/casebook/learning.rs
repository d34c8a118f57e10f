//! The learning loop: detected similarity (measured on labelled sets), the
//! metrics and recurring pages, `casebook report` and `casebook actions`.

use std::collections::BTreeSet;
use std::path::Path;

use casebook::analyze::similar::{Params, compute};
use casebook::load::{LoadOptions, load};

use crate::build::read_tree;
use crate::support::{KbTest, TODAY, build_example, casebook, fixtures};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

/// (precision, recall, predicted, labelled) of the links at or above
/// `threshold` against the fixture's `truth.toml` pairs.
fn precision_recall(fixture: &str, threshold: impl Fn(&Params) -> f64) -> (f64, f64, usize, usize) {
    let dir = fixtures().join(fixture);
    let truth: toml::Table = toml::from_str(&std::fs::read_to_string(dir.join("truth.toml")).unwrap()).unwrap();
    let pair = |a: &str, b: &str| if a < b { (a.to_string(), b.to_string()) } else { (b.to_string(), a.to_string()) };
    let labelled: BTreeSet<(String, String)> = truth["pair"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let ids = p["ids"].as_array().unwrap();
            pair(ids[0].as_str().unwrap(), ids[1].as_str().unwrap())
        })
        .collect();
    let loaded = load(&dir, LoadOptions { today: today() }).unwrap();
    assert!(!loaded.diagnostics.has_errors(), "{fixture} must load cleanly");
    // The fixture's own configuration: the shipped defaults.
    let params = Params::from_config(&loaded.config.recurrence);
    let cut = threshold(&params);
    let sim = compute(&loaded.kb, &Params { threshold: cut, max_listed: usize::MAX, ..params });
    let predicted: BTreeSet<(String, String)> =
        sim.links.iter().flat_map(|(a, links)| links.iter().map(move |l| pair(a, &l.id))).collect();
    let hits = predicted.intersection(&labelled).count();
    let precision = if predicted.is_empty() { 1.0 } else { hits as f64 / predicted.len() as f64 };
    (precision, hits as f64 / labelled.len() as f64, predicted.len(), labelled.len())
}

#[test]
fn similarity_on_the_tuning_set() {
    let (p, r, n, total) = precision_recall("similarity-eval", |p| p.threshold);
    println!("tuning set, listing threshold: precision {p:.2}, recall {r:.2} ({n} links, {total} pairs)");
    assert!(r >= 0.6 && p >= 0.45, "listing: precision {p:.2}, recall {r:.2}");
    let (p, r, n, _) = precision_recall("similarity-eval", |p| p.recurrence_threshold);
    println!("tuning set, recurrence threshold: precision {p:.2}, recall {r:.2} ({n} links)");
    assert!(p >= 0.6 && r >= 0.3, "recurrence: precision {p:.2}, recall {r:.2}");
}

/// The hold-out set was written after the defaults were fixed, without access
/// to the detector's code: these are the figures to quote.
#[test]
fn similarity_on_the_held_out_set() {
    let (p, r, n, total) = precision_recall("similarity-holdout", |p| p.threshold);
    println!("hold-out, listing threshold: precision {p:.2}, recall {r:.2} ({n} links, {total} pairs)");
    assert!(r >= 0.8 && p >= 0.45, "listing: precision {p:.2}, recall {r:.2}");
    let (p, r, n, _) = precision_recall("similarity-holdout", |p| p.recurrence_threshold);
    println!("hold-out, recurrence threshold: precision {p:.2}, recall {r:.2} ({n} links)");
    assert!(p >= 0.7 && r >= 0.6, "recurrence: precision {p:.2}, recall {r:.2}");
}

/// Records written as real teams write them: short public summaries with
/// links to a write-up and a discussion thread, long narratives, templated
/// headings with little under them; the organisation's name in many titles.
/// Floors: (listing precision, listing recall, recurrence precision, recurrence recall),
/// a little below the measured figures.
#[test]
fn similarity_on_other_writing_styles() {
    for (fixture, what, floors) in [
        ("similarity-styles", "tuning", (0.45, 0.99, 0.55, 0.65)),
        ("similarity-styles-holdout", "hold-out", (0.45, 0.99, 0.7, 0.85)),
    ] {
        similarity_floors(fixture, &format!("styles {what}"), floors);
    }
}

/// Pairs written in deliberately different vocabulary ("connection pool
/// exhausted" against "ran out of database sessions").
#[test]
fn similarity_on_paraphrased_pairs() {
    for (fixture, what, floors) in [
        ("similarity-paraphrase", "tuning", (0.4, 0.6, 0.75, 0.45)),
        ("similarity-paraphrase-holdout", "hold-out", (0.3, 0.3, 0.3, 0.15)),
        // Plain accounts against technical ones: one pair in fourteen is
        // listed and none is a likely recurrence (docs/recurrence.md).
        ("similarity-paraphrase-holdout2", "hold-out 2", (0.05, 0.05, 0.0, 0.0)),
    ] {
        similarity_floors(fixture, &format!("paraphrase {what}"), floors);
    }
}

fn similarity_floors(fixture: &str, what: &str, (lp, lr, rp, rr): (f64, f64, f64, f64)) {
    let (p, r, n, total) = precision_recall(fixture, |p| p.threshold);
    println!("{what}, listing threshold: precision {p:.2}, recall {r:.2} ({n} links, {total} pairs)");
    assert!(r >= lr && p >= lp, "{what} listing: precision {p:.2}, recall {r:.2}");
    let (p, r, n, _) = precision_recall(fixture, |p| p.recurrence_threshold);
    println!("{what}, recurrence threshold: precision {p:.2}, recall {r:.2} ({n} links)");
    assert!(p >= rp && r >= rr, "{what} recurrence: precision {p:.2}, recall {r:.2}");
}

fn built_content() -> (tempfile::TempDir, std::collections::BTreeMap<String, Vec<u8>>) {
    build_example(TODAY)
}

fn text(tree: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(tree.get(path).unwrap_or_else(|| panic!("no {path}")).clone()).unwrap()
}

const UNLINKED: &str = "2026-10-recommendations-library-log-volume-full";

#[test]
fn pages_show_similar_incidents_detected_groups_and_charts() {
    let (_out, tree) = built_content();

    // The unlinked disk-full record lists the earlier ones as likely recurrences, with reasons.
    let page = text(&tree, &format!("incidents/{UNLINKED}/index.html"));
    let similar = &page[page.find("id=\"similar\"").unwrap()..];
    assert!(similar.contains("2024-03-search-indexer-log-disk-full/"), "{similar}");
    assert!(similar.contains("likely recurrence, not linked"));
    assert!(similar.contains("Shared categories"));
    assert!(page.contains("Incident phases"), "the phases chart");

    // The export: best first, with reasons.
    let data: serde_json::Value = serde_json::from_slice(&tree["data/incidents.json"]).unwrap();
    let record = data.as_array().unwrap().iter().find(|i| i["id"] == UNLINKED).unwrap();
    let list = record["similar"].as_array().unwrap();
    assert!(!list.is_empty());
    let scores: Vec<f64> = list.iter().map(|s| s["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    assert!(list[0]["reasons"]["terms"].as_array().is_some_and(|t| !t.is_empty()));
    assert!(list[0]["reasons"]["categories"].is_array() && list[0]["reasons"]["services"].is_array());

    // /recurring/ shows the unlinked record in a detected group, with the line to add.
    let recurring = text(&tree, "recurring/index.html");
    let detected = &recurring[recurring.find("id=\"detected\"").unwrap()..];
    assert!(detected.contains(&format!("incidents/{UNLINKED}/")), "{detected}");
    assert!(detected.contains("recurrence_of = [&quot;2024-03-search-indexer-log-disk-full&quot;]"), "{detected}");

    // /metrics/: every chart is an SVG with a title, a description and its numbers as a table.
    let metrics = text(&tree, "metrics/index.html");
    let charts = metrics.matches("<svg class=\"chart\"").count();
    assert!(charts >= 7, "{charts} charts");
    assert_eq!(metrics.matches("<desc id=").count(), charts);
    assert_eq!(metrics.matches("<details class=\"chart-data\">").count(), charts);
    assert!(metrics.contains("Postmortems published late"));
    assert!(metrics.contains("2025-07-order-id-int32-overflow/"), "the late postmortem is listed");
    // Coarse clocks are named, not mixed in.
    assert!(metrics.contains("coarser than minutes"));

    // Category pages carry their own metrics.
    let storage = text(&tree, "categories/storage/index.html");
    assert!(storage.contains("id=\"g-metrics\"") && storage.contains("chart-storage-quarter"));
}

#[test]
fn check_warns_when_an_unlinked_incident_reads_like_one_whose_guardrail_was_in_place() {
    let kb = KbTest::new();
    for (rel, bytes) in read_tree(&root().join("content")) {
        if !rel.starts_with("public/") {
            kb.path().join(&rel).parent().map(std::fs::create_dir_all);
            std::fs::write(kb.path().join(&rel), bytes).unwrap();
        }
    }
    let warned = |run: &crate::support::Run| {
        // Either disk-full incident of the chain it reads like.
        run.stdout.contains("warning[guardrail-may-not-hold]: reads like 2024-03-search-indexer-log-disk-full")
            || run
                .stdout
                .contains("warning[guardrail-may-not-hold]: reads like 2024-11-event-bus-debug-logging-disk-full")
    };
    let run = kb.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(warned(&run), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("{UNLINKED}.md:3:9")), "points at the title: {}", run.stdout);
    // Recording the review with `related` settles it.
    let path = kb.path().join(format!("incidents/2026/{UNLINKED}.md"));
    let record = std::fs::read_to_string(&path).unwrap();
    let reviewed = record.replacen(
        "\ncategories =",
        "\nrelated = [{ id = \"2024-03-search-indexer-log-disk-full\", relation = \"similar\" }, \
         { id = \"2024-11-event-bus-debug-logging-disk-full\", relation = \"similar\" }]\ncategories =",
        1,
    );
    assert_ne!(reviewed, record);
    std::fs::write(&path, reviewed).unwrap();
    let run = kb.check(&[]);
    assert!(!warned(&run), "{}", run.stdout);
}

#[test]
fn report_json_gives_per_category_times_and_recurrence() {
    let run = casebook(
        root(),
        &["report", "content", "--since", "2024-01-01", "--until", TODAY, "--today", TODAY, "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let loaded = load(&root().join("content"), LoadOptions { today: today() }).unwrap();
    let published: Vec<_> =
        loaded.kb.incidents.iter().filter(|i| i.status != casebook::model::RecordStatus::Draft).collect();
    assert_eq!(report["incidents"], published.len());
    let dns = &report["by_category"]["dns"];
    let in_dns: Vec<_> = published.iter().filter(|i| i.categories.iter().any(|c| c == "dns")).collect();
    assert_eq!(dns["count"], in_dns.len());
    // The median time to resolve, recomputed here from the records.
    let mut ttr: Vec<i64> = in_dns
        .iter()
        .filter(|i| i.clock.precision == casebook::model::TimePrecision::Minute)
        .filter_map(|i| i.clock.time_to_resolve().map(|d| d.num_seconds()))
        .collect();
    ttr.sort();
    let median =
        if ttr.len() % 2 == 1 { ttr[ttr.len() / 2] } else { (ttr[ttr.len() / 2 - 1] + ttr[ttr.len() / 2]) / 2 };
    assert_eq!(dns["ttr"]["median_s"], median);
    assert_eq!(dns["ttr"]["n"], ttr.len());
    for key in ["count", "ttd", "ttm", "ttr", "recurrence_rate"] {
        assert!(dns.get(key).is_some(), "by_category.dns.{key}");
    }
    let keys: BTreeSet<&str> = dns["ttd"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["median_s", "p90_s", "n"]));
    // The unlinked recurrence is reported as detected, with the guardrail that did not hold.
    let rec = report["recurrences"].as_array().unwrap().iter().find(|r| r["id"] == UNLINKED).unwrap();
    assert_eq!(rec["how"], "detected");
    assert!(!rec["guardrails_in_place"].as_array().unwrap().is_empty());
    assert_eq!(report["overdue_actions"].as_array().unwrap().len(), 12);
}

#[test]
fn report_text_and_markdown_for_a_quarter() {
    let args = ["report", "content", "--since", "2026-07-01", "--until", "2026-09-30", "--today", TODAY];
    let run = casebook(root(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("report-2026-q3-text", run.stdout);
    let run = casebook(root(), &[&args[..], &["--format", "markdown"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("report-2026-q3-markdown", run.stdout);
}

#[test]
fn report_refuses_a_backwards_period_and_a_broken_knowledge_base() {
    let run = casebook(root(), &["report", "content", "--since", "2026-02-01", "--until", "2026-01-01"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--since 2026-02-01 is after --until 2026-01-01"), "{}", run.stderr);
    let run = casebook(&fixtures(), &["report", "malformed-toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("run `casebook check malformed-toml`"), "{}", run.stderr);
}

#[test]
fn actions_lists_filters_and_fails_on_overdue() {
    let json = |extra: &[&str]| {
        let run = casebook(root(), &[&["actions", "content", "--today", TODAY, "--json"], extra].concat());
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap().as_array().unwrap().clone()
    };
    let all = json(&[]);
    let loaded = load(&root().join("content"), LoadOptions { today: today() }).unwrap();
    let expected: usize = loaded
        .kb
        .incidents
        .iter()
        .filter(|i| i.status != casebook::model::RecordStatus::Draft)
        .map(|i| i.actions.len())
        .sum();
    assert_eq!(all.len(), expected);
    // Overdue first, longest overdue first.
    let overdue = json(&["--overdue"]);
    assert_eq!(overdue.len(), 12);
    assert!(overdue.iter().all(|a| a["overdue"] == true));
    let days: Vec<i64> = overdue.iter().map(|a| a["days_overdue"].as_i64().unwrap()).collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
    assert_eq!(
        all[..12].iter().map(|a| &a["id"]).collect::<Vec<_>>(),
        overdue.iter().map(|a| &a["id"]).collect::<Vec<_>>()
    );
    let mine = json(&["--overdue", "--owner", "LI.WEI"]);
    assert!(!mine.is_empty() && mine.len() < 12 && mine.iter().all(|a| a["owner"] == "li.wei"));
    let done = json(&["--status", "done"]);
    assert!(!done.is_empty() && done.iter().all(|a| a["status"] == "done"));

    let run = casebook(root(), &["actions", "content", "--today", TODAY, "--overdue", "--fail-on-overdue"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.ends_with("12 actions: 12 overdue (as of 2026-11-27)\n"), "{}", run.stdout);
    assert!(run.stderr.contains("12 actions are overdue"));
    let run = casebook(root(), &["actions", "content", "--today", TODAY, "--status", "done", "--fail-on-overdue"]);
    assert_eq!(run.code, 0);

    let run = casebook(root(), &["actions", "content", "--today", TODAY, "--overdue", "--csv"]);
    let lines: Vec<&str> = run.stdout.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 13, "a header and 12 rows");
    assert!(lines[0].starts_with("incident,action,status,overdue,days_overdue,owner,due"));

    let run = casebook(root(), &["actions", "content", "--owner", "li.wie"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `li.wei`?"), "{}", run.stderr);
    let run = casebook(root(), &["actions", "content", "--status", "closed"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("use one of: open, in-progress, done, wont-do"), "{}", run.stderr);
}

/// The text of an HTML fragment: tags dropped, whitespace collapsed.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words after `label` in the text of `html` (the first occurrence).
fn figure_after(html: &str, label: &str, words: usize) -> String {
    let text = plain(html);
    let at = text.find(label).unwrap_or_else(|| panic!("no {label:?} in {text}"));
    text[at + label.len()..].split_whitespace().take(words).collect::<Vec<_>>().join(" ")
}

/// The rows of the table of the chart `id` on a page, each as its cells' text.
fn chart_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no chart {id}"));
    let figure = &html[start..start + html[start..].find("</figure>").unwrap()];
    let body = &figure[figure.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| row.split("<t").skip(1).filter_map(|cell| cell.find('>').map(|i| plain(&cell[i + 1..]))).collect())
        .collect()
}

/// Every headline figure of the example site equals the table it sums up,
/// on every page that shows it: one computation per figure.
#[test]
fn headline_figures_equal_their_tables_on_every_page() {
    let (_out, tree) = built_content();
    let home = text(&tree, "index.html");
    let metrics = text(&tree, "metrics/index.html");

    // Action completion: the home page's headline is the metrics page's.
    let done_home = figure_after(&home, "Actions completed", 4);
    let done_metrics = figure_after(&metrics, "Actions done", 4);
    assert_eq!(
        done_home.split(" (").next(),
        Some(done_metrics.split(',').next().unwrap()),
        "{done_home} / {done_metrics}"
    );

    // Recurrences: the home page's count is the metrics page's "N of M incidents".
    let recurring = figure_after(&home, "mechanisms came back;", 1);
    let rate = figure_after(&metrics, "Recurrence rate", 4);
    assert_eq!(rate.split_whitespace().nth(1), Some(recurring.as_str()), "{recurring} / {rate}");

    // Overdue actions: the card's count, and the list says how many of them it shows.
    let overdue: usize = figure_after(&home, "Overdue actions", 1).parse().unwrap();
    let section = &home[home.find("id=\"overdue\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    let rows = section.matches("<tr").count() - 1;
    assert!(rows <= overdue, "{rows} rows, {overdue} overdue");
    if rows < overdue {
        assert!(plain(section).contains(&format!("The {rows} most overdue of {overdue}.")), "{}", plain(section));
    }

    // Incidents per quarter: the stacks add up to the quarter's count (no severity included).
    for row in chart_rows(&metrics, "chart-incidents-quarter") {
        let numbers: Vec<usize> = row[1..].iter().map(|c| c.parse().unwrap()).collect();
        let (all, parts) = numbers.split_last().unwrap();
        assert_eq!(parts.iter().sum::<usize>(), *all, "{row:?}");
    }

    // By category: the chart's rate, the metrics table and the category page agree.
    let chart: Vec<Vec<String>> = chart_rows(&metrics, "chart-recurrence-category");
    assert!(chart.len() > 5, "{chart:?}");
    for row in &chart {
        let [name, recurrences, count, percent] = row.as_slice() else { panic!("{row:?}") };
        let page = text(&tree, &format!("categories/{name}/index.html"));
        assert_eq!(
            figure_after(&page, "Recurrence rate", 4),
            format!("{percent} {recurrences} of {count}"),
            "{name}: the page's card and the metrics chart"
        );
        // The chart draws the same percentage it tabulates.
        let svg = &metrics[metrics.find("id=\"chart-recurrence-category\"").unwrap()..];
        assert!(svg[..svg.find("</svg>").unwrap()].contains(&format!(">{percent}<")), "{name} {percent}");
        // Action completion: the card and the page's own count.
        let card = figure_after(&page, "Actions done", 4);
        let card = card.split(',').next().unwrap().trim_start_matches(|c: char| c != ' ').trim();
        let texts = plain(&page);
        let (second, _) = texts.match_indices("Actions done").nth(1).unwrap_or_else(|| panic!("{name}: {texts}"));
        let stat: Vec<&str> = texts[second + "Actions done".len()..].split_whitespace().take(3).collect();
        assert_eq!(stat.join(" "), card, "{name}: the page's count and its metrics card");
        assert!(!plain(&page).contains(" 0 of 0 "), "{name}: a dash, not 0 of 0");
    }
    assert!(!plain(&metrics).contains(" 0 of 0"), "late postmortems: a dash where none is due");
    assert!(plain(&metrics).contains("none due"));
}

/// A guardrail's outcome counts only later incidents that fail through what
/// it addresses, with the finding that shows it; the home page follows.
#[test]
fn guardrail_outcomes_follow_the_mechanism_they_address() {
    let (_out, tree) = built_content();
    let card = |incident: &str, guardrail: &str| -> String {
        let page = text(&tree, &format!("incidents/{incident}/index.html"));
        let at =
            page.find(&format!("id=\"guardrail-{guardrail}\"")).unwrap_or_else(|| panic!("{incident} {guardrail}"));
        let card = &page[at..];
        plain(&card[..card.find("</div>").unwrap()])
    };
    // Typed version attributes in the flag console answer a string comparison;
    // the later bot-rules crash failed otherwise, so it does not count.
    let typed = card("2025-03-feature-flag-android-checkout", "G1");
    assert!(typed.contains("held since"), "{typed}");
    assert!(
        typed.contains("failing through other findings") && typed.contains("Gateway workers crash-looped"),
        "{typed}"
    );
    // The staged config rollout answers a push to every node at once: the
    // bot-rules file went to every node outside it.
    let staged = card("2024-06-gateway-ratelimit-config-push", "G1");
    assert!(staged.contains("recurred"), "{staged}");
    let recurred = &staged[staged.find("Recurred in:").unwrap()..];
    assert!(recurred.contains("Gateway workers crash-looped") && recurred.contains("— through F"), "{recurred}");

    // The home page counts what the guardrail cards say.
    let home = text(&tree, "index.html");
    let figure = figure_after(&home, "Guardrails in place", 9);
    // "111 of 121; 78 held, 33 saw the failure recur" (links cut words apart).
    let words: Vec<&str> = figure.split_whitespace().collect();
    let saw = words.iter().position(|w| *w == "saw").unwrap_or_else(|| panic!("{figure}"));
    let recurred: usize = words[saw - 1].parse().unwrap();
    let guardrails = text(&tree, "guardrails/index.html");
    let catalog: usize = figure_after(&guardrails, "Failure recurred after", 1).parse().unwrap();
    assert_eq!(recurred, catalog, "{figure}");
    assert!(recurred < 37, "only guardrails whose own findings failed again: {figure}");
}
