//! How search reads and ranks a query: every word first, adjacent words and
//! quoted phrases, other word forms, typos, synonyms, and the remedy quoted
//! in each result. Each test builds a small knowledge base whose records
//! differ only where the behaviour under test looks.

use crate::support::{GOOD_RECORD, KbTest, TODAY, casebook};

/// The good record with its title, summary and remedy replaced.
fn record(title: &str, summary: &str, symptom: &str, remedy: &str) -> String {
    GOOD_RECORD
        .replace("title = \"Checkout errors after payments database failover\"", &format!("title = \"{title}\""))
        .replace(
            "summary = \"A replica promotion left connection pools pointed at the old primary; checkout failed for 2 hours.\"",
            &format!("summary = \"{summary}\""),
        )
        .replace("summary = \"Restart payments-api pods to refresh the pool after a promotion\"", &format!("summary = \"{remedy}\""))
        .replace(
            "symptom = \"5xx on /checkout with 'read-only transaction' errors after a DB failover\"",
            &format!("symptom = \"{symptom}\""),
        )
}

fn kb(records: &[(&str, String)]) -> KbTest {
    let mut kb = KbTest::new().file(
        "casebook.toml",
        "[site]\ntitle = \"Ranking\"\n\n[vocabulary]\nsynonyms = [[\"zorp\", \"kubernetes\"]]\n",
    );
    for (id, text) in records {
        kb = kb.file(&format!("incidents/{id}.md"), text);
    }
    kb
}

/// `casebook search QUERY . --json` (plus `extra`): the result ids, and the run.
fn search(kb: &KbTest, query: &str, extra: &[&str]) -> (Vec<String>, serde_json::Value, crate::support::Run) {
    let mut args = vec!["search", query, ".", "--json", "--today", TODAY];
    args.extend_from_slice(extra);
    let run = casebook(kb.path(), &args);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let ids = json.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    (ids, json, run)
}

#[test]
fn documents_with_every_word_rank_above_those_with_one_frequent_word() {
    let kb = kb(&[
        (
            "a-full-backup",
            record(
                "Full backup full of full tables",
                "The full backup ran full tilt; full stop.",
                "full backup",
                "Stop the full backup",
            ),
        ),
        ("b-disk-full", record("Ingest stalled", "The disk filled up and the disk was full.", "alerts", "Free space")),
    ]);
    let (ids, json, _) = search(&kb, "disk full", &[]);
    assert_eq!(ids, ["b-disk-full", "a-full-backup"]);
    assert_eq!(json[0]["matched"], 2);
    assert_eq!(json[1]["matched"], 1);
    // BM25 alone would have put the record full of "full" first.
    assert!(json[1]["score"].as_f64().unwrap() > json[0]["score"].as_f64().unwrap(), "{json}");
    // A common word does not count among the words a result must match.
    let (ids, json, _) = search(&kb, "the disk", &[]);
    assert_eq!(ids[0], "b-disk-full");
    assert_eq!(json[0]["matched"], 1);
}

#[test]
fn adjacent_words_rank_higher_and_quoted_words_are_required() {
    let kb = kb(&[
        ("c-apart", record("Ingest stalled: disk nearly full", "Writes stopped.", "alerts", "Free space")),
        ("d-adjacent", record("Ingest stalled: nearly disk full", "Writes stopped.", "alerts", "Free space")),
    ]);
    let (ids, json, _) = search(&kb, "disk full", &[]);
    assert_eq!(ids, ["d-adjacent", "c-apart"], "{json}");
    // Quoted words are required; adjacency still ranks.
    let (ids, _, _) = search(&kb, "\"disk full\"", &[]);
    assert_eq!(ids, ["d-adjacent", "c-apart"]);
    let (ids, _, _) = search(&kb, "\"disk stalled\" nearly", &[]);
    assert_eq!(ids.len(), 2);
    // A quoted word is required: records without it are left out.
    let kb = crate::ranking::kb(&[
        ("c-apart", record("Ingest stalled: disk nearly full", "Writes stopped.", "alerts", "Free space")),
        ("e-other", record("Ingest stalled: nearly out of memory", "Writes stopped.", "alerts", "Free space")),
    ]);
    assert_eq!(search(&kb, "\"disk stalled\"", &[]).0, ["c-apart"]);
    assert_eq!(search(&kb, "disk stalled", &[]).0, ["c-apart", "e-other"]);
}

#[test]
fn other_word_forms_typos_and_synonyms_find_their_records() {
    let kb = kb(&[
        (
            "e-cert",
            record("Certificate renewal missed", "The client certificate expired.", "handshake failures", "Renew it"),
        ),
        (
            "f-quota",
            record(
                "Exports throttled by the provider",
                "Batch exports were throttled.",
                "exports slow",
                "Spread the batch",
            ),
        ),
        (
            "g-cluster",
            record("Kubernetes node pool upgrade", "Pods were evicted.", "pods pending", "Pause the upgrade"),
        ),
    ]);
    // Forms no record uses: their stems do.
    assert_eq!(search(&kb, "renewals", &[]).0, ["e-cert"]);
    assert_eq!(search(&kb, "throttling", &[]).0, ["f-quota"]);
    // A typo is corrected to the nearest word, and says so.
    let (ids, _, run) = search(&kb, "certficate", &[]);
    assert_eq!(ids, ["e-cert"]);
    assert!(
        run.stderr.contains("showing results for `certificate`: no incident contains `certficate`"),
        "{}",
        run.stderr
    );
    let (ids, _, run) = search(&kb, "certficate", &["--no-correct"]);
    assert!(ids.is_empty() && run.code == 1 && run.stderr.is_empty(), "{}", run.stderr);
    // The built-in thesaurus (a two-word synonym) and the knowledge base's own.
    assert_eq!(search(&kb, "rate limited", &[]).0, ["f-quota"]);
    assert_eq!(search(&kb, "zorp", &[]).0, ["g-cluster"]);
}

#[test]
fn a_result_quotes_the_matching_remedy_and_links_to_its_anchor() {
    let kb = kb(&[(
        "h-pool",
        record(
            "Checkout failed after a failover",
            "Writes failed.",
            "read-only transaction errors after failover",
            "Restart the pods",
        ),
    )]);
    let (_, json, _) = search(&kb, "read-only transaction", &[]);
    assert_eq!(json[0]["passage"]["anchor"], "remedy-1", "{json}");
    assert_eq!(json[0]["passage"]["text"], "Restart the pods");
    // A finding answers a query its words are in, when no remedy does.
    let (_, json, _) = search(&kb, "promotion pool", &[]);
    assert_eq!(json[0]["passage"]["anchor"], "finding-F1", "{json}");
    let run = casebook(kb.path(), &["build", ".", "-o", "site", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(kb.path().join("site/incidents/h-pool/index.html")).unwrap();
    assert!(page.contains("id=\"remedy-1\""), "the remedy has the anchor results link to");
    assert!(page.contains("<a href=\"#remedy-1\">Restart the pods</a>"), "the box near the top links to it");
    // The terminal shows the remedy under the summary, and why it ranked.
    let run = casebook(kb.path(), &["search", "read-only transaction", ".", "--explain", "--today", TODAY]);
    assert!(
        run.stdout.contains("↳ if you see read-only transaction errors after failover → Restart the pods"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("matches 2 of 2 words (read, transaction)"), "{}", run.stdout);
    assert!(run.stdout.contains("remedies   transact"), "{}", run.stdout);
}
