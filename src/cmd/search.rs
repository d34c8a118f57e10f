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
use crate::index::site::Highlighter;
use crate::index::{self, Lexicon, SearchQuery};
use crate::load::{self, LoadOptions};
use crate::model::{KnowledgeBase, RecordStatus};

pub(super) fn run(args: SearchArgs, style: Style) -> Result<ExitCode, Failure> {
    let SearchArgs { query, dir, site, category, severity, service, year, limit, json, explain, no_correct, today } =
        args;
    let query = SearchQuery {
        text: query,
        categories: category,
        severities: severity,
        services: service.iter().map(|s| crate::model::slugify(s)).collect(),
        years: year,
        limit,
        correct: !no_correct,
    };
    let today = super::today(&today)?;
    let opened = match site {
        Some(site) => index::site::open(&site).map_err(Failure::usage)?,
        None => {
            let (kb, synonyms) = published(&dir, today)?;
            index::site::in_memory(&kb, &synonyms).map_err(Failure::usage)?
        }
    };
    let lexicon = Lexicon::new(&opened.words, &opened.synonyms);
    let found = opened.index.search(&query, &lexicon).map_err(Failure::usage)?;
    let stems = found.plan.stems();
    let mut marks = Highlighter::new(&stems, opened.index.analyzer().map_err(Failure::usage)?);
    for (typed, fixed) in &found.plan.corrections {
        eprintln!(
            "showing results for `{}`: no incident contains `{}` (--no-correct searches it as typed)",
            terminal_safe(fixed),
            terminal_safe(typed)
        );
    }
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<serde_json::Value> = found
            .hits
            .iter()
            .map(|h| {
                let d = opened.docs.get(&h.id);
                let passage = d.and_then(|d| marks.best(&d.passages));
                serde_json::json!({
                    "id": h.id,
                    "title": d.map(|d| d.title.as_str()).unwrap_or_default(),
                    "url": format!("incidents/{}/", h.id),
                    "score": h.score,
                    "matched": h.matched,
                    "passage": passage.map(|p| serde_json::json!({"anchor": p.0, "symptom": p.1, "text": p.2})),
                })
            })
            .collect();
        super::write_json(&mut out, &list)?;
    } else {
        let words = found.plan.counted_words();
        for (n, h) in found.hits.iter().enumerate() {
            let Some(d) = opened.docs.get(&h.id) else { continue };
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
            let matched =
                if h.matched < words { format!("  matches {} of {words} words", h.matched) } else { String::new() };
            writeln!(out, "   incidents/{}/  score {:.3}{matched}", terminal_safe(&h.id), h.score)?;
            if !d.summary.is_empty() {
                writeln!(out, "   {}", marks.mark(&terminal_safe(&d.summary), |w| style.emphasis(w)))?;
            }
            if let Some(p) = marks.best(&d.passages) {
                let text = marks.mark(&terminal_safe(&p.2), |w| style.emphasis(w));
                let line = if p.0.starts_with("remedy-") {
                    match p.1.as_str() {
                        "" => format!("remedy: {text}"),
                        symptom => format!(
                            "if you see {} → {text}",
                            marks.mark(&terminal_safe(symptom), |w| style.emphasis(w))
                        ),
                    }
                } else {
                    format!("finding: {text}")
                };
                writeln!(out, "   ↳ {line}  {}", style.dim(&format!("incidents/{}/#{}", terminal_safe(&h.id), p.0)))?;
            }
            if explain {
                write_explanation(&mut out, &opened.index, &found.plan, h, style)?;
            }
        }
        if found.hits.is_empty() {
            writeln!(out, "no incidents match `{}`", terminal_safe(&query.text))?;
        } else if found.total > found.hits.len() {
            writeln!(
                out,
                "{}",
                style.dim(&format!("{} of {} matching incidents; --limit shows more", found.hits.len(), found.total))
            )?;
        }
    }
    Ok(if found.hits.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Why `hit` ranked where it did: the query words it matches, then every
/// term that scored, by field, with its boost.
fn write_explanation(
    out: &mut impl Write,
    index: &index::SearchIndex,
    plan: &index::Plan,
    hit: &index::Hit,
    style: Style,
) -> Result<(), Failure> {
    let clauses = index.explain(plan, hit.doc).map_err(Failure::usage)?;
    let matched: Vec<&str> = plan
        .groups
        .iter()
        .enumerate()
        .filter(|(g, group)| group.counts && clauses.iter().any(|(c, _)| c.groups.contains(g)))
        .map(|(_, group)| group.word.as_str())
        .collect();
    writeln!(
        out,
        "   {} matches {} of {} words ({}); ranked by words matched, then score",
        style.dim("why:"),
        hit.matched,
        plan.counted_words(),
        terminal_safe(&matched.join(", "))
    )?;
    for (clause, score) in &clauses {
        let words: Vec<&str> =
            clause.groups.iter().filter_map(|g| plan.groups.get(*g)).map(|g| g.word.as_str()).collect();
        let word = if words.is_empty() { "adjacent words".to_string() } else { words.join("`, `") };
        writeln!(
            out,
            "     {:>8.3}  {:<10} {:<22} {}",
            score,
            clause.field_name(),
            terminal_safe(&clause.term),
            style.dim(&format!("×{} for `{}`", clause.boost, terminal_safe(&word)))
        )?;
    }
    Ok(())
}

/// The records of `dir` a built site would publish (no drafts); a knowledge
/// base with errors stops the search, as it would stop the build.
fn published(dir: &Path, today: NaiveDate) -> Result<(KnowledgeBase, Vec<Vec<String>>), Failure> {
    let loaded = load::load(dir, LoadOptions { today }).map_err(Failure::usage)?;
    if loaded.diagnostics.has_errors() {
        return Err(Failure::Usage(format!(
            "{} has errors; run `casebook check {}` first",
            dir.display(),
            dir.display()
        )));
    }
    let kb = KnowledgeBase {
        incidents: loaded.kb.incidents.into_iter().filter(|i| i.status != RecordStatus::Draft).collect(),
    };
    Ok((kb, loaded.config.vocabulary.synonyms))
}
