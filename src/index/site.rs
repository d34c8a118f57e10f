//! Opening a search index for `casebook search`: from a built site's files,
//! or built in memory from a knowledge base.

use std::collections::BTreeMap;
use std::path::Path;

use super::{IndexError, SearchIndex, Words, export};
use crate::model::KnowledgeBase;

/// What a result line shows about an incident.
#[derive(Debug, Clone, Default)]
pub struct DocInfo {
    pub title: String,
    pub summary: String,
    pub severity: Option<String>,
    pub started: Option<String>,
}

/// The index, the word list and the result metadata of a built site.
pub fn open(site: &Path) -> Result<(SearchIndex, Words, BTreeMap<String, DocInfo>), IndexError> {
    let search = site.join("search");
    let read = |p: &Path| std::fs::read(p).map_err(|e| IndexError::Io(format!("{}: {e}", p.display())));
    let manifest: serde_json::Value = serde_json::from_slice(
        &read(&search.join("manifest.json"))
            .map_err(|e| IndexError::Io(format!("{e} (is {} a site built by `casebook build`?)", site.display())))?,
    )
    .map_err(|e| IndexError::Io(e.to_string()))?;
    let chunk_set = manifest["chunk_set"].as_str().unwrap_or_default();
    let chunk_count = manifest["chunks"].as_array().map_or(0, Vec::len);
    let mut chunk_bytes = Vec::new();
    for i in 0..chunk_count {
        chunk_bytes.push(read(&search.join(format!("w-{chunk_set}-{i}.json")))?);
    }
    let words = export::words_from_chunks(chunk_bytes.iter().map(Vec::as_slice))?;
    let mut docs = BTreeMap::new();
    let shard_set = manifest["shard_set"].as_str().unwrap_or_default();
    for i in 0..manifest["shards"].as_u64().unwrap_or(0) {
        {
            let name = format!("d-{shard_set}-{i}.json");
            let list: serde_json::Value =
                serde_json::from_slice(&read(&search.join(name))?).map_err(|e| IndexError::Io(e.to_string()))?;
            for d in list.as_array().into_iter().flatten() {
                let s = |k: &str| d[k].as_str().map(str::to_string);
                docs.insert(
                    s("id").unwrap_or_default(),
                    DocInfo {
                        title: s("title").unwrap_or_default(),
                        summary: s("summary").unwrap_or_default(),
                        severity: s("severity"),
                        started: s("started"),
                    },
                );
            }
        }
    }
    let mut files = BTreeMap::new();
    let tantivy_dir = search.join("tantivy");
    let entries =
        std::fs::read_dir(&tantivy_dir).map_err(|e| IndexError::Io(format!("{}: {e}", tantivy_dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            files.insert(entry.file_name().to_string_lossy().into_owned(), read(&path)?);
        }
    }
    Ok((SearchIndex::from_files(&files)?, words, docs))
}

/// Build the index of `kb` in memory.
pub fn in_memory(kb: &KnowledgeBase) -> Result<(SearchIndex, Words, BTreeMap<String, DocInfo>), IndexError> {
    let (index, words) = SearchIndex::build(kb)?;
    let docs = kb
        .incidents
        .iter()
        .map(|i| {
            let info = DocInfo {
                title: i.title.clone(),
                summary: i.summary.clone().unwrap_or_default(),
                severity: i.severity.clone(),
                started: i.clock.started.map(|s| s.date_naive().to_string()),
            };
            (i.id.clone(), info)
        })
        .collect();
    Ok((index, words, docs))
}

/// `text` with every word whose stem is searched for passed through `mark`.
pub fn highlight(text: &str, stems: &[String], words: &Words, mark: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            let hit = words.map.get(&word.to_lowercase()).is_some_and(|(stem, _)| stems.contains(stem));
            out.push_str(&if hit { mark(word) } else { word.clone() });
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}
