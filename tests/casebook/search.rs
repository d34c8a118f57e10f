//! `casebook search` and the browser engine's parity with it.

use std::path::Path;
use std::process::Command;

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
    let cli: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(js, cli, "same JSON from both");
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
