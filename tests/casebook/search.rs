//! `casebook search`, the browser engine's parity with it, and the browser
//! code's agreement with the search file types (`casebook::index::format`).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use casebook::index::format::{DocMeta, Facets, Manifest, PairChunk, WordChunk};

use crate::support::{TODAY, casebook, fixtures};

fn built_example() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let run = casebook(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["build", "content", "-o", out.path().join("site").to_str().unwrap(), "--today", TODAY],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

fn node(args: &[&str]) -> (i32, String, String) {
    let out = Command::new("node")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("node is needed for the search parity tests (Node.js 20+): {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn browser_engine_ranks_exactly_like_the_cli_on_the_example() {
    let out = built_example();
    let site = out.path().join("site");
    let (code, stdout, stderr) =
        node(&["tests/js/parity.mjs", site.to_str().unwrap(), env!("CARGO_BIN_EXE_casebook"), "220"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    let passed: usize = stdout.lines().last().unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 200, "{stdout}");
}

#[test]
fn static_search_prints_the_cli_json_and_read_stats() {
    let out = built_example();
    let site = out.path().join("site");
    let (code, stdout, stderr) = node(&[
        "tests/js/static-search.mjs",
        site.to_str().unwrap(),
        "read-only transaction",
        "--limit",
        "3",
        "--stats",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let js: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(js[0]["id"], "2024-04-payments-db-failover-stale-pool");
    assert_eq!(js.as_array().unwrap().len(), 3);
    let stats: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap();
    assert!(stats["files"].as_u64().unwrap() >= 3, "{stats}");
    assert!(stats["gzip_bytes"].as_u64().unwrap() < stats["bytes"].as_u64().unwrap());
    assert!(stats["rounds"].as_u64().unwrap() <= 2, "{stats}");
    let run = casebook(
        Path::new("."),
        &["search", "read-only transaction", "--site", site.to_str().unwrap(), "--json", "--limit", "3"],
    );
    let mut cli: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // Scores are summed in another order: they agree to a few units in the
    // last place of an f32; everything else is the same JSON.
    let mut js = js;
    for (a, b) in js.as_array_mut().unwrap().iter_mut().zip(cli.as_array_mut().unwrap()) {
        let (x, y) = (a["score"].as_f64().unwrap(), b["score"].as_f64().unwrap());
        assert!((x - y).abs() <= 2e-6 * y.abs().max(5.0), "scores {x} and {y}");
        a["score"] = serde_json::Value::Null;
        b["score"] = serde_json::Value::Null;
    }
    assert_eq!(js, cli, "same JSON from both");
    assert_eq!(cli[0]["passage"]["anchor"], "remedy-1", "the remedy that answers the query is quoted");
}

#[test]
fn cli_search_reads_a_knowledge_base_or_a_site_with_filters() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = casebook(root, &["search", "read-only transaction", "--limit", "2", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("1. Checkout payments failed with 'read-only transaction' errors after a payments-db failover [SEV1 2024-04-18]\n   incidents/2024-04-payments-db-failover-stale-pool/"), "{}", run.stdout);
    let run = casebook(root, &["search", "expired", "--category", "certificate-expiry", "--json", "--today", TODAY]);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = hits.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert!(ids.len() >= 3, "{ids:?}");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let kb = casebook::load::load(&root.join("content"), casebook::load::LoadOptions { today }).unwrap().kb;
    for id in &ids {
        assert!(
            kb.get(id).unwrap().categories.contains(&"certificate-expiry".to_string()),
            "{id} is not in the category"
        );
    }
    let run = casebook(root, &["search", "certif", "--json", "--severity", "SEV1", "--today", TODAY]);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(hits[0]["id"], "2024-02-payments-mtls-cert-expiry", "prefix matching, filtered to SEV1");
    let run = casebook(root, &["search", "zzqxv", "--today", TODAY]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "no incidents match `zzqxv`\n");
    let run = casebook(root, &["search", "x", "--site", "content"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is content a site built by `casebook build`?"), "{}", run.stderr);
    let run = casebook(root, &["search", "x", fixtures().join("bad-enums").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has errors; run `casebook check"), "{}", run.stderr);
}

/// Fields of the search files that no browser code reads, and who does:
/// (file kind, field, reader).
const NOT_READ_BY_THE_BROWSER: &[(&str, &str, &str)] = &[
    ("manifest", "docs", "tools: tests/js/parity.mjs, bench/search-bytes.mjs"),
    ("manifest", "shards", "casebook search --site (the browser finds shards by document number)"),
    ("shard", "id", "casebook search --site; the JS harnesses compare results by id"),
    ("shard", "services", "nothing yet: results show categories; filters use the facet file"),
    ("shard", "passages", "search.js, which picks the passage a result quotes before the page reads the result"),
];

/// The field names of a format type, as its JSON has them.
fn fields(value: impl serde::Serialize) -> BTreeSet<String> {
    serde_json::to_value(value).unwrap().as_object().unwrap().keys().cloned().collect()
}

#[test]
fn browser_code_reads_exactly_the_fields_of_the_search_file_types() {
    let out = built_example();
    let site = out.path().join("site");
    let (code, stdout, stderr) = node(&["tests/js/format-reads.mjs", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let reads: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let types = [
        ("manifest", "Manifest", fields(Manifest::default())),
        ("chunk", "WordChunk", fields(WordChunk::default())),
        ("pairs", "PairChunk", fields(PairChunk::default())),
        ("shard", "DocMeta", fields(DocMeta::default())),
        ("facets", "Facets", fields(Facets::default())),
    ];
    // Fields read on one side only first: a failure of the page follows from them.
    let (mut missing, mut unread) = (Vec::new(), Vec::new());
    for (kind, name, _) in NOT_READ_BY_THE_BROWSER {
        assert!(types.iter().any(|(k, _, rust)| k == kind && rust.contains(*name)), "{kind}.{name} is no field");
    }
    for (kind, ty, rust) in &types {
        // The engine adds `doc`, `score`, `matched` and `passage` to each result's shard entry.
        let js: BTreeSet<String> = reads[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .filter(|k| !(*kind == "shard" && ["doc", "score", "matched", "passage"].contains(&k.as_str())))
            .collect();
        for name in js.difference(rust) {
            missing.push(format!("the browser reads {kind}.{name}, which format::{ty} does not have"));
        }
        for name in rust.difference(&js) {
            if !NOT_READ_BY_THE_BROWSER.iter().any(|(k, n, _)| k == kind && n == name) {
                unread.push(format!(
                    "format::{ty}.{name} is read by no browser code: rename it on both sides, \
                     or say who reads it in NOT_READ_BY_THE_BROWSER"
                ));
            }
        }
        for (_, name, _) in NOT_READ_BY_THE_BROWSER.iter().filter(|(k, _, _)| k == kind) {
            if js.contains(*name) {
                unread.push(format!("the browser now reads {kind}.{name}: drop it from NOT_READ_BY_THE_BROWSER"));
            }
        }
    }
    let failed = reads["errors"].as_array().unwrap().iter().map(|e| format!("the search page failed: {e}"));
    let problems: Vec<String> = missing.into_iter().chain(unread).chain(failed).collect();
    assert!(problems.is_empty(), "{}\n(reads: {stdout})", problems.join("\n"));
    assert!(reads["results"].as_u64().unwrap() > 0, "{stdout}");
}

#[test]
fn the_browser_stemmer_stems_every_corpus_word_as_the_index_did() {
    let out = built_example();
    let site = out.path().join("site");
    // The fixture's word list, and every word of the example's vocabulary
    // with the stem the index gave it.
    let (code, stdout, stderr) = node(&["tests/js/stemmer.mjs", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" 0 mismatches"), "{stdout}");
    let checked: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(checked > 15_000, "{stdout}");
}
