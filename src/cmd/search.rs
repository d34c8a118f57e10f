//! `casebook search`: query the knowledge base, or a built site's index,
//! from the terminal, with the ranking of the site's search page.
//!
//! Layer L8 (see `cmd/mod.rs`). The index and its ranking are
//! `crate::index` (L3); this file picks the index (a built site's, or one
//! made in memory from the records that are not drafts) and prints the hits
//! as text with highlighted summaries, or as JSON. No hits exits 1, as
//! `grep` does, so scripts can test for a match.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::Failure;
use crate::cli::SearchArgs;
use crate::diagnostics::{Style, terminal_safe};
use crate::index::{self, SearchQuery};
use crate::load::{self, LoadOptions};
use crate::model::{KnowledgeBase, RecordStatus};

pub(super) fn run(args: SearchArgs, style: Style) -> Result<ExitCode, Failure> {
    let SearchArgs { query, dir, site, category, severity, service, year, limit, json, today } = args;
    let query = SearchQuery {
        text: query,
        categories: category,
        severities: severity,
        services: service.iter().map(|s| crate::model::slugify(s)).collect(),
        years: year,
        limit,
    };
    let today = super::today(&today)?;
    let (search_index, words, docs) = match site {
        Some(site) => index::site::open(&site).map_err(Failure::usage)?,
        None => index::site::in_memory(&published(&dir, today)?).map_err(Failure::usage)?,
    };
    let hits = search_index.search(&query, &words).map_err(Failure::usage)?;
    let stems = index::query_stems(&query.text, &words);
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let d = docs.get(&h.id);
                serde_json::json!({
                    "id": h.id,
                    "title": d.map(|d| d.title.as_str()).unwrap_or_default(),
                    "url": format!("incidents/{}/", h.id),
                    "score": h.score,
                })
            })
            .collect();
        super::write_json(&mut out, &list)?;
    } else {
        for (n, h) in hits.iter().enumerate() {
            let Some(d) = docs.get(&h.id) else { continue };
            // Titles and summaries are the records' text, and a built site's
            // index may say anything: shown escaped, never acted on.
            let facts = [d.severity.as_deref().unwrap_or(""), d.started.as_deref().unwrap_or("")].join(" ");
            writeln!(
                out,
                "{}. {} {}",
                n + 1,
                style.emphasis(&terminal_safe(&d.title)),
                style.dim(&format!("[{}]", terminal_safe(facts.trim())))
            )?;
            writeln!(out, "   incidents/{}/  score {:.3}", terminal_safe(&h.id), h.score)?;
            if !d.summary.is_empty() {
                let summary = terminal_safe(&d.summary);
                writeln!(out, "   {}", index::site::highlight(&summary, &stems, &words, |w| style.emphasis(w)))?;
            }
        }
        if hits.is_empty() {
            writeln!(out, "no incidents match `{}`", terminal_safe(&query.text))?;
        }
    }
    Ok(if hits.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The records of `dir` a built site would publish (no drafts); a knowledge
/// base with errors stops the search, as it would stop the build.
fn published(dir: &Path, today: NaiveDate) -> Result<KnowledgeBase, Failure> {
    let loaded = load::load(dir, LoadOptions { today }).map_err(Failure::usage)?;
    if loaded.diagnostics.has_errors() {
        return Err(Failure::Usage(format!(
            "{} has errors; run `casebook check {}` first",
            dir.display(),
            dir.display()
        )));
    }
    Ok(KnowledgeBase {
        incidents: loaded.kb.incidents.into_iter().filter(|i| i.status != RecordStatus::Draft).collect(),
    })
}
