//! Precision and recall of detected similarity on a labelled knowledge base.
//!
//! `cargo run --release --example similarity-eval -- DIR [DIR…]` where each
//! DIR holds records and a `truth.toml` listing `[[pair]] ids = [a, b]` of
//! the same failure mechanism (without one, the pairs of each explicit
//! recurrence chain are the truth). Prints, per threshold, the pairs predicted,
//! true positives, precision and recall, over all the DIRs together; then,
//! for each labelled pair, whether the earlier incident (by start date) is
//! among the three most similar incidents of the later one (ranked by score,
//! no threshold), and how many pairs have it there.
//! Options: `--top-terms N`, `--category-boost X`, `--service-boost X`,
//! `--show` (every scored pair, best first).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;

use casebook::analyze::similar::{Params, compute};
use casebook::load::{LoadOptions, load};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut params = Params { threshold: 0.0, max_listed: usize::MAX, ..Params::default() };
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut show = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--top-terms" => params.top_terms = value()?.parse()?,
            "--category-boost" => params.category_boost = value()?.parse()?,
            "--service-boost" => params.service_boost = value()?.parse()?,
            "--show" => show = true,
            _ => dirs.push(a.into()),
        }
    }
    let mut truth: BTreeSet<(String, String)> = BTreeSet::new();
    let mut scored: Vec<(f64, (String, String))> = Vec::new();
    // Per labelled pair, as (earlier, later): the later one's rank of the earlier.
    let mut top: Vec<(String, String, Option<usize>)> = Vec::new();
    for dir in &dirs {
        let before = truth.clone();
        let loaded = load(dir, LoadOptions { today: chrono::Utc::now().date_naive() })?;
        let text = std::fs::read_to_string(dir.join("truth.toml")).unwrap_or_default();
        let table: toml::Table = toml::from_str(&text)?;
        if !table.contains_key("pair") {
            for chain in casebook::analyze::chains(&loaded.kb) {
                for (i, a) in chain.members.iter().enumerate() {
                    for b in &chain.members[i + 1..] {
                        truth.insert(ordered(a, b));
                    }
                }
            }
        }
        for pair in table.get("pair").and_then(|p| p.as_array()).into_iter().flatten() {
            let ids: Vec<String> = pair
                .get("ids")
                .and_then(|i| i.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            if let [a, b] = ids.as_slice() {
                truth.insert(ordered(a, b));
            }
        }
        let mut local = params.clone();
        local.synonyms = loaded.config.recurrence.synonyms.clone();
        let sim = compute(&loaded.kb, &local);
        let started: BTreeMap<&str, _> = loaded.kb.incidents.iter().map(|i| (i.id.as_str(), i.clock.started)).collect();
        for (a, b) in truth.difference(&before) {
            // Earlier by start date; a record without one, or a tie, goes by id.
            let (earlier, later) =
                match (started.get(a.as_str()).copied().flatten(), started.get(b.as_str()).copied().flatten()) {
                    (Some(x), Some(y)) if y < x => (b, a),
                    _ => (a, b),
                };
            let rank = sim.links.get(later).and_then(|links| links.iter().position(|l| &l.id == earlier));
            top.push((earlier.clone(), later.clone(), rank));
        }
        let mut seen = BTreeSet::new();
        for (id, links) in &sim.links {
            for l in links {
                let key = ordered(id, &l.id);
                if seen.insert(key.clone()) {
                    scored.push((l.score, key));
                }
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    if show {
        for (score, pair) in scored.iter().take(60) {
            let _ = writeln!(
                std::io::stdout(),
                "{score:.3} {} {} {}",
                pair.0,
                pair.1,
                if truth.contains(pair) { "TRUE" } else { "" }
            );
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} labelled pairs", truth.len())?;
    writeln!(out, "threshold  predicted  true  precision  recall")?;
    for t in [0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50] {
        let predicted: Vec<&(String, String)> = scored.iter().filter(|(s, _)| *s >= t).map(|(_, p)| p).collect();
        let tp = predicted.iter().filter(|p| truth.contains(p)).count();
        let precision = if predicted.is_empty() { 1.0 } else { tp as f64 / predicted.len() as f64 };
        writeln!(
            out,
            "{t:>9.2}  {:>9}  {tp:>4}  {precision:>9.2}  {:>6.2}",
            predicted.len(),
            tp as f64 / truth.len().max(1) as f64
        )?;
    }
    writeln!(out, "earlier incident among the later one's three most similar (no threshold):")?;
    for (earlier, later, rank) in &top {
        let place = rank.map_or("not linked".to_string(), |r| format!("rank {}", r + 1));
        let mark = if rank.is_some_and(|r| r < 3) { "top3" } else { "MISS" };
        writeln!(out, "  {mark}  {later} -> {earlier} ({place})")?;
    }
    let hits = top.iter().filter(|(_, _, rank)| rank.is_some_and(|r| r < 3)).count();
    writeln!(out, "{hits} of {} pairs have the earlier among the top three", top.len())?;
    Ok(())
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a < b { (a.into(), b.into()) } else { (b.into(), a.into()) }
}
