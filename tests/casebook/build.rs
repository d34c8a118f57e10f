//! `casebook build`: the pages, their links, escaping, overdue logic, the
//! output directory rules and determinism.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{KbTest, TODAY, casebook, fixtures};

/// Every file under `dir`, relative path → bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir(dir) {
        let rel = entry.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
        out.insert(rel, std::fs::read(&entry).unwrap());
    }
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { files.push(p) }
        }
    }
    files.sort();
    files
}

fn build(kb: &Path, out: &Path, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["build", kb.to_str().unwrap(), "-o", out.to_str().unwrap(), "--today", TODAY];
    args.extend_from_slice(extra);
    casebook(Path::new(env!("CARGO_MANIFEST_DIR")), &args)
}

fn text(tree: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(tree.get(path).unwrap_or_else(|| panic!("{path} not built")).clone()).unwrap()
}

/// The `<main>` element of a page, for snapshots.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("no <main>");
    let end = html.find("</main>").expect("no </main>") + "</main>".len();
    &html[start..end]
}

#[test]
fn builds_every_page_of_the_site() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(&fixtures().join("site-links"), &site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 3 incidents into"), "{}", run.stderr);
    let tree = read_tree(&site);
    for path in [
        "index.html",
        "incidents/index.html",
        "incidents/first/index.html",
        "incidents/first/brief/index.html",
        "categories/index.html",
        "categories/database/index.html",
        "categories/dns/index.html",
        "services/index.html",
        "services/payments-api/index.html",
        "remedies/index.html",
        "guardrails/index.html",
        "actions/index.html",
        "recurring/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "data/incidents.json",
        "data/actions.json",
        "static/style.css",
        ".casebook-output",
    ] {
        assert!(tree.contains_key(path), "{path} missing; built: {:?}", tree.keys().collect::<Vec<_>>());
    }
    // Drafts stay out unless asked for.
    assert!(!tree.contains_key("incidents/draft/index.html"));
    let with_drafts = out.path().join("drafts");
    build(&fixtures().join("site-links"), &with_drafts, &["--drafts"]);
    assert!(with_drafts.join("incidents/draft/index.html").is_file());
}

#[test]
fn incident_page_main_fragment() {
    let out = tempfile::tempdir().unwrap();
    let run = build(&fixtures().join("site-links"), out.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(out.path());
    insta::assert_snapshot!("incident-first-main", main_of(&text(&tree, "incidents/first/index.html")));
    insta::assert_snapshot!("incident-first-brief-main", main_of(&text(&tree, "incidents/first/brief/index.html")));
}

#[test]
fn recurrence_and_related_links_get_back_links_on_the_target() {
    let out = tempfile::tempdir().unwrap();
    build(&fixtures().join("site-links"), out.path(), &[]);
    let tree = read_tree(out.path());
    let first = text(&tree, "incidents/first/index.html");
    assert!(first.contains("<h3>Recurred as</h3><ul><li><a href=\"../../incidents/second/\">Orders read-only errors after maintenance failover</a>"), "{first}");
    let second = text(&tree, "incidents/second/index.html");
    assert!(second.contains("<h3>Repeats</h3><ul><li><a href=\"../../incidents/first/\">"), "{second}");
    let third = text(&tree, "incidents/third/index.html");
    assert!(third.contains("<a href=\"../../incidents/second/\">Orders read-only errors after maintenance failover</a> <span class=\"muted nowrap\">(2025-09-01)</span> <span class=\"badge\">same cause</span> <span class=\"muted\">(links here)</span> — same client library"), "{third}");
    // The guardrail of the first incident was live when the second happened.
    assert!(first.contains("recurred 1 time since 2025-04-02"), "{first}");
    let recurring = text(&tree, "recurring/index.html");
    assert!(recurring.contains("2 occurrences · first 2025-03-14 · last 2025-09-01"), "{recurring}");
    // Machine-readable exports carry the same back-links.
    let json: serde_json::Value = serde_json::from_slice(&tree["data/incidents.json"]).unwrap();
    let first_json = json.as_array().unwrap().iter().find(|i| i["id"] == "first").unwrap();
    assert_eq!(first_json["recurred_as"], serde_json::json!(["second"]));
    assert_eq!(first_json["url"], "incidents/first/");
}

#[test]
fn overdue_depends_on_the_build_date() {
    let dir = tempfile::tempdir().unwrap();
    let kb = fixtures().join("site-links");
    // second.md's A1 is due 2025-10-01 and open.
    let before = dir.path().join("before");
    casebook(Path::new("."), &["build", kb.to_str().unwrap(), "-o", before.to_str().unwrap(), "--today", "2025-10-01"]);
    let after = dir.path().join("after");
    casebook(Path::new("."), &["build", kb.to_str().unwrap(), "-o", after.to_str().unwrap(), "--today", "2025-10-02"]);
    let actions_before = std::fs::read_to_string(before.join("actions/index.html")).unwrap();
    let actions_after = std::fs::read_to_string(after.join("actions/index.html")).unwrap();
    let overdue_section =
        |html: &str| html[html.find("id=\"overdue\"").unwrap()..html.find("id=\"open\"").unwrap()].to_string();
    assert!(!overdue_section(&actions_before).contains("Move the fix into the shared client"));
    assert!(overdue_section(&actions_after).contains("Move the fix into the shared client"));
    assert!(overdue_section(&actions_after).contains("1 days overdue"));
    assert!(actions_after.contains("Overdue as of 2025-10-02"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(after.join("data/actions.json")).unwrap()).unwrap();
    let overdue: Vec<_> =
        json.as_array().unwrap().iter().filter(|a| a["overdue"] == true).map(|a| a["summary"].clone()).collect();
    // Sorted by due date: A2 of `first` (2025-06-01) before A1 of `second` (2025-10-01).
    assert_eq!(
        overdue,
        vec![serde_json::json!("Alert on read-only errors"), serde_json::json!("Move the fix into the shared client")]
    );
}

#[test]
fn hostile_input_in_every_field_stays_text() {
    let out = tempfile::tempdir().unwrap();
    let run = build(&fixtures().join("site-hostile"), out.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(out.path());
    let mut checked = 0;
    for (path, bytes) in &tree {
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        let page = String::from_utf8_lossy(bytes);
        for bad in ["<script>alert", "<img src=x", "href=\"javascript:", "src=\"javascript:", "<a href=\"javascript"] {
            assert!(!page.contains(bad), "{path} contains {bad}");
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} pages checked");
    // The hostile text is there, escaped, on the incident page.
    let page = text(&tree, "incidents/hostile/index.html");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "title not shown escaped");
    assert!(page.contains("&lt;script&gt;alert('body')&lt;/script&gt;"), "raw HTML in the body is shown as text");
}

#[test]
fn refuses_a_non_empty_directory_it_did_not_create() {
    let kb = KbTest::new().file("mine/notes.txt", "precious");
    let run = build(&fixtures().join("site-links"), &kb.path().join("mine"), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("is not empty and was not created by Casebook; refusing to replace it"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(kb.path().join("mine/notes.txt")).unwrap(), "precious");
    assert_eq!(std::fs::read_dir(kb.path().join("mine")).unwrap().count(), 1);
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let kb = KbTest::new();
    for f in ["casebook.toml", "incidents/first.md", "incidents/second.md", "incidents/third.md"] {
        let src = std::fs::read(fixtures().join("site-links").join(f)).unwrap();
        std::fs::create_dir_all(kb.path().join(f).parent().unwrap()).unwrap();
        std::fs::write(kb.path().join(f), src).unwrap();
    }
    let site = kb.path().join("public");
    assert_eq!(build(kb.path(), &site, &[]).code, 0);
    let before = read_tree(&site);
    // Break a record: the next build must fail and change nothing.
    std::fs::write(kb.path().join("incidents/third.md"), "+++\ntitle = \n+++\n").unwrap();
    let run = build(kb.path(), &site, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("incidents/third.md:2:9"), "{}", run.stderr);
    assert!(run.stderr.contains("left untouched"), "{}", run.stderr);
    assert_eq!(read_tree(&site), before);
    // No staging directory is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(kb.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Once fixed, a rebuild replaces our own previous output.
    let fixed = std::fs::read_to_string(fixtures().join("site-links/incidents/third.md"))
        .unwrap()
        .replace("Resolver timeouts", "Resolver timeouts, renamed");
    std::fs::write(kb.path().join("incidents/third.md"), fixed).unwrap();
    assert_eq!(build(kb.path(), &site, &[]).code, 0);
    assert!(
        std::fs::read_to_string(site.join("incidents/third/index.html"))
            .unwrap()
            .contains("Resolver timeouts, renamed")
    );
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_eq!(build(&content, &a, &[]).code, 0);
    assert_eq!(build(&content, &b, &[]).code, 0);
    let (ta, tb) = (read_tree(&a), read_tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(bytes == &tb[path], "{path} differs between two builds");
    }
}

#[test]
fn templates_are_overridden_by_name_and_bad_ones_are_reported() {
    let kb = KbTest::new()
        .file("incidents/a.md", crate::support::GOOD_RECORD)
        .file(
            "templates/404.html",
            "{% extends \"base.html\" %}{% block main %}<h1>Lost? Ask #sre-help</h1>{% endblock main %}",
        )
        .file("static/robots.txt", "User-agent: *\n");
    let site = kb.path().join("public");
    let run = build(kb.path(), &site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(site.join("404.html")).unwrap();
    assert!(page.contains("<h1>Lost? Ask #sre-help</h1>"), "{page}");
    assert!(page.contains("static/style.css"), "the override still extends the theme's base");
    assert_eq!(std::fs::read_to_string(site.join("robots.txt")).unwrap(), "User-agent: *\n");

    let broken = KbTest::new()
        .file("incidents/a.md", crate::support::GOOD_RECORD)
        .file("templates/base.html", "{% block main %}");
    let run = build(broken.path(), &broken.path().join("public"), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[template]"), "{}", run.stderr);
    assert!(!broken.path().join("public").exists());
}

#[test]
fn static_files_may_not_replace_generated_pages() {
    let kb = KbTest::new().file("incidents/a.md", crate::support::GOOD_RECORD).file("static/index.html", "mine");
    let run = build(kb.path(), &kb.path().join("public"), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[static-conflict]: `index.html` would replace a page Casebook generates"),
        "{}",
        run.stderr
    );
}

#[test]
fn base_url_makes_links_absolute() {
    let kb = KbTest::new()
        .file("casebook.toml", "[site]\ntitle = \"T\"\nbase_url = \"https://kb.example.com/sre\"\n")
        .file("incidents/a.md", crate::support::GOOD_RECORD);
    let site = kb.path().join("public");
    assert_eq!(build(kb.path(), &site, &[]).code, 0);
    let page = std::fs::read_to_string(site.join("incidents/a/index.html")).unwrap();
    assert!(page.contains("href=\"https://kb.example.com/sre/static/style.css\""), "{}", &page[..800]);
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://kb.example.com/sre/incidents/a/</loc>"), "{sitemap}");
}

/// A knowledge base of `n` copies of the clean record, one a month, all in
/// the `database` category and on `payments-api`; each has one remedy and
/// one guardrail. The second and third repeat the first, so the two oldest
/// guardrails did not hold.
fn large_group(n: usize) -> KbTest {
    let mut kb = KbTest::new();
    for i in 0..n {
        let (year, month) = (2020 + i / 12, 1 + i % 12);
        let mut record = crate::support::GOOD_RECORD
            .replace("2025-03-14", &format!("{year}-{month:02}-14"))
            .replace("2025-03-18", &format!("{year}-{month:02}-18"))
            .replace("2025-04-02", &format!("{year}-{month:02}-20"))
            .replace("2025-04-30", &format!("{year}-{month:02}-28"))
            .replace("Checkout errors after", &format!("Incident {i:03}: checkout errors after"))
            .replace("Restart payments-api pods", &format!("Remedy {i:03}: restart payments-api pods"));
        if i == 1 || i == 2 {
            record = record.replace("+++\ntitle", "+++\nrecurrence_of = [\"r000\"]\ntitle");
        }
        kb = kb.file(&format!("incidents/r{i:03}.md"), record);
    }
    kb
}

#[test]
fn large_categories_and_services_show_the_most_recent_and_link_to_full_lists() {
    let kb = large_group(30);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(kb.path(), &site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(&site);
    let rows = |html: &str| html.matches("<tr").count() - 1; // minus the heading row

    for (page, full) in [
        ("categories/database/index.html", "categories/database/incidents/index.html"),
        ("services/payments-api/index.html", "services/payments-api/incidents/index.html"),
    ] {
        let overview = text(&tree, page);
        let incidents = &overview[overview.find("id=\"g-incidents\"").unwrap()..];
        let incidents = &incidents[..incidents.find("</section>").unwrap()];
        assert!(incidents.contains("The 25 most recent of 30."), "{page}");
        assert_eq!(rows(&incidents[incidents.find("<table").unwrap()..]), 25, "{page}");
        assert!(incidents.contains("Incident 029") && !incidents.contains("Incident 004"), "{page}: newest first");
        assert!(overview.contains("The 10 most recent of 30."), "{page}: remedies and guardrails are cut short");
        assert_eq!(overview.matches("class=\"card remedy").count(), 10, "{page}");
        let list = text(&tree, full);
        assert_eq!(rows(&list[list.find("<table").unwrap()..]), 30, "{full} lists every incident");
        assert!(list.contains("Incident 000") && list.contains("Incident 029"), "{full}");
    }
    // Categories link to their catalog pages; services point to the catalogs.
    let category = text(&tree, "categories/database/index.html");
    assert!(category.contains("href=\"../../remedies/database/\">All 30 remedies</a>"), "{category}");
    assert!(category.contains("href=\"../../guardrails/database/\">All 30 guardrails</a>"));
    let service = text(&tree, "services/payments-api/index.html");
    assert!(service.contains("the <a href=\"../../remedies/\">remedies catalog</a>"));

    // The catalogs: an overview per category, and every entry one level down.
    let remedies = text(&tree, "remedies/index.html");
    assert_eq!(remedies.matches("class=\"card remedy").count(), 5);
    assert!(remedies.contains("Remedy 029") && !remedies.contains("Remedy 024"), "the most recent first");
    let all = text(&tree, "remedies/database/index.html");
    assert_eq!(all.matches("class=\"card remedy").count(), 30);
    let guardrails = text(&tree, "guardrails/index.html");
    assert_eq!(guardrails.matches("class=\"card guardrail").count(), 5);
    assert!(guardrails.contains("5 of 30: those the failure came back after (2) first"), "{guardrails}");
    let cards: Vec<&str> = guardrails.split("class=\"card guardrail").skip(1).collect();
    assert!(cards[0].contains("outcome-recurred") && cards[1].contains("outcome-recurred"), "what did not hold leads");
    assert!(cards[2..].iter().all(|c| !c.contains("outcome-recurred")), "then the most recent");
    assert_eq!(text(&tree, "guardrails/database/index.html").matches("class=\"card guardrail").count(), 30);
    // Every new page is in the sitemap.
    let sitemap = text(&tree, "sitemap.xml");
    for dir in ["categories/database/incidents/", "remedies/database/", "guardrails/database/"] {
        assert!(sitemap.contains(dir), "{dir} missing from the sitemap");
    }
}

#[test]
fn small_groups_keep_everything_on_one_page() {
    let kb = large_group(5);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    assert_eq!(build(kb.path(), &site, &[]).code, 0);
    let tree = read_tree(&site);
    for absent in
        ["categories/database/incidents/index.html", "remedies/database/index.html", "guardrails/database/index.html"]
    {
        assert!(!tree.contains_key(absent), "{absent} built for a small category");
    }
    assert!(!text(&tree, "categories/database/index.html").contains("most recent of"));
    assert_eq!(text(&tree, "remedies/index.html").matches("class=\"card remedy").count(), 5);
}

#[test]
fn a_rebuild_replaces_the_previous_site_and_leaves_nothing_behind() {
    let kb = large_group(3);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    assert_eq!(build(kb.path(), &site, &[]).code, 0);
    assert!(site.join("incidents/r002/brief/index.html").is_file());
    std::fs::remove_file(kb.path().join("incidents/r002.md")).unwrap();
    let run = build(kb.path(), &site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!site.join("incidents/r002").exists(), "the deleted record's pages are gone");
    assert!(site.join("incidents/r001/index.html").is_file());
    // Only the site itself remains beside it: no staging or old copies.
    let beside: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(beside, vec!["site".to_string()]);
}

#[test]
fn a_failure_that_healed_before_it_was_noticed_says_so() {
    // Mitigated 09:40 UTC, detected 10:05: noticed 25 minutes after impact ended.
    let healed =
        crate::support::GOOD_RECORD.replace("detected = 2025-03-14T09:19:00Z", "detected = 2025-03-14T10:05:00Z");
    let kb = KbTest::new().file("incidents/healed.md", &healed);
    let out = kb.path().join("site");
    let run = build(kb.path(), &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(&out);
    let page = text(&tree, "incidents/healed/index.html");
    let sentence = "Healed before it was noticed: detected 25m after impact ended.";
    assert!(page.contains(sentence), "{}", main_of(&page));
    assert!(text(&tree, "incidents/healed/brief/index.html").contains(sentence));
    // Time to detect is still measured from the start: 53m, longer than the 28m to mitigate.
    assert!(page.contains("<abbr title=\"Time to detect\">TTD</abbr></a></th><td>53m</td>"), "{}", main_of(&page));
    assert!(page.contains("<abbr title=\"Time to mitigate\">TTM</abbr></a></th><td>28m</td>"), "{}", main_of(&page));
    assert!(page.contains("impact 28m, noticed after 25m, resolve 1h 25m"), "{}", main_of(&page));
    // An incident noticed in time says nothing of the kind.
    let kb = kb.file("incidents/healed.md", crate::support::GOOD_RECORD);
    let out = kb.path().join("site2");
    build(kb.path(), &out, &[]);
    assert!(!text(&read_tree(&out), "incidents/healed/index.html").contains("Healed before"));
}

#[test]
fn one_implausible_date_does_not_stretch_the_charts_over_centuries() {
    let typo = crate::support::GOOD_RECORD
        .replace("started = 2025-03-14T09:12:00Z", "started = 1025-03-14T09:12:00Z")
        .replace("categories = [\"database\"]", "categories = [\"database\", \"failover\"]");
    let kb = KbTest::new().file("incidents/good.md", crate::support::GOOD_RECORD).file("incidents/typo.md", &typo);
    let out = kb.path().join("site");
    let run = build(kb.path(), &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("warning[implausible-date]") || run.stderr.contains("warning[implausible-date]"));
    let tree = read_tree(&out);
    let metrics = text(&tree, "metrics/index.html");
    // One quarter on the axis, not four thousand.
    assert!(metrics.contains("stacked by severity"), "{metrics}");
    assert!(metrics.contains("from 2025-Q1 to 2025-Q1"), "{metrics}");
    assert!(!metrics.contains("1025-Q1") && !metrics.contains(">1025<"), "{metrics}");
    let note = "1 incident whose start date is implausible (before 1990, or more than a year after the build date) is left out of this time axis.";
    assert_eq!(metrics.matches(note).count(), 4, "every chart over time says so: {metrics}");
    assert!(metrics.contains("Not on the charts over time, because their start dates are implausible"), "{metrics}");
    // Its time to resolve (a thousand years) is not measured.
    assert!(!metrics.contains("365000d"), "{metrics}");
    // A category with only that incident says so under its trend.
    let category = text(&tree, "categories/failover/index.html");
    assert!(category.contains(note), "{category}");
    assert!(!category.contains("1025-Q1"), "{category}");
}

#[test]
fn a_leading_h1_that_repeats_the_title_is_not_rendered_twice() {
    let record = |body: &str| crate::support::GOOD_RECORD.replace("\nThe narrative.", body);
    let kb = KbTest::new()
        .file(
            "incidents/repeats.md",
            record("\n\n#  checkout errors after payments database failover.\n\n## Summary\nIt broke.\n"),
        )
        .file("incidents/only.md", record("\n# Checkout errors after payments database failover\n"))
        .file("incidents/other.md", record("\n# What happened on the day\n\n## Summary\nIt broke.\n"));
    let out = kb.path().join("site");
    let run = build(kb.path(), &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(&out);
    let page = text(&tree, "incidents/repeats/index.html");
    let main = main_of(&page);
    // The title is a heading once: the page's own <h1>.
    assert!(main.contains("<h1>Checkout errors after payments database failover</h1>"), "{main}");
    assert!(!main.contains("checkout errors after payments database failover.</h"), "{main}");
    assert!(!main.contains("id=\"narrative-checkout-errors"), "{main}");
    assert!(main.contains("<h3 id=\"narrative-summary\">"), "the rest of the narrative stays: {main}");
    // A body that is only the title has no narrative left.
    assert!(!text(&tree, "incidents/only/index.html").contains("id=\"narrative\""));
    // A different leading H1 is the narrative's own.
    assert!(
        main_of(&text(&tree, "incidents/other/index.html")).contains("<h2 id=\"narrative-what-happened-on-the-day\">")
    );
}

#[test]
fn links_are_listed_as_references() {
    let record = crate::support::GOOD_RECORD.replacen(
        "owner = \"dana\"",
        "owner = \"dana\"\nlinks = [\"https://status.example.com/incidents/123?a=1&b=2\", { url = \"https://wiki.example.com/runbooks/db\", title = \"DB failover <runbook>\" }]",
        1,
    );
    let kb = KbTest::new().file("incidents/linked.md", &record).file("incidents/plain.md", crate::support::GOOD_RECORD);
    let out = kb.path().join("site");
    let run = build(kb.path(), &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tree = read_tree(&out);
    let page = text(&tree, "incidents/linked/index.html");
    assert!(page.contains("<li><a href=\"#references\">References</a></li>"), "{}", main_of(&page));
    assert!(page.contains("<h2 id=\"references-h\">References</h2>"), "{}", main_of(&page));
    assert!(
        page.contains("<li><a href=\"https://status.example.com/incidents/123?a=1&amp;b=2\" rel=\"noopener\">https://status.example.com/incidents/123?a=1&amp;b=2</a></li>"),
        "{}",
        main_of(&page)
    );
    assert!(
        page.contains(
            "<li><a href=\"https://wiki.example.com/runbooks/db\" rel=\"noopener\">DB failover &lt;runbook&gt;</a></li>"
        ),
        "{}",
        main_of(&page)
    );
    // In the model, so in the JSON export; a record without links has none.
    let json: serde_json::Value = serde_json::from_str(&text(&tree, "data/incidents.json")).unwrap();
    let linked = json.as_array().unwrap().iter().find(|i| i["id"] == "linked").unwrap();
    assert_eq!(
        linked["links"][1],
        serde_json::json!({"url": "https://wiki.example.com/runbooks/db", "title": "DB failover <runbook>"})
    );
    assert_eq!(linked["links"][0]["title"], serde_json::Value::Null);
    let plain = text(&tree, "incidents/plain/index.html");
    assert!(!plain.contains("References"), "no empty section");
}

#[test]
fn date_only_timeline_rows_and_stated_durations_stand_in_for_missing_timestamps() {
    let record = "+++\ntitle = \"Digest emails late\"\nseverity = \"SEV3\"\ntime_to_detect = \"3d\"\ntime_to_resolve = \"4d 6h\"\n\n[[timeline]]\nat = 2022-12-05\nevent = \"Change deployed\"\n\n[[timeline]]\nat = 2022-12-08T14:00:00Z\nevent = \"Support files a ticket\"\n+++\n";
    let kb = KbTest::new().file("incidents/digest.md", record);
    let check = kb.check(&[]);
    assert!(!check.stdout.contains("error["), "{}", check.stdout);
    let out = kb.path().join("site");
    let run = build(kb.path(), &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = text(&read_tree(&out), "incidents/digest/index.html");
    // The date-only row shows its date alone; the stated durations are the clock's.
    assert!(page.contains(">2022-12-05<"), "{}", main_of(&page));
    assert!(!page.contains("2022-12-05 00:00"), "{}", main_of(&page));
    assert!(page.contains("<abbr title=\"Time to resolve\">TTR</abbr></a></th><td>4d 6h</td>"), "{}", main_of(&page));
    // A duration nobody can read is an error at the value.
    let kb = kb.file("incidents/digest.md", record.replace("\"4d 6h\"", "\"soon\""));
    let bad = kb.check(&[]);
    assert!(bad.stdout.contains("error[bad-value]: `time_to_resolve` = \"soon\" is not a duration"), "{}", bad.stdout);
}
