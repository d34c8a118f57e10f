//! Opening a search index for `casebook search`: from a built site's files
//! (read as the [`super::format`] types the export wrote), or built in
//! memory from a knowledge base.

use std::collections::BTreeMap;
use std::path::Path;

use super::format::{self, DocMeta, MANIFEST, WordChunk};
use super::{IndexError, SearchIndex, Words};
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
    let read = |path: &Path| std::fs::read(path).map_err(|source| IndexError::Io { path: path.to_path_buf(), source });
    let manifest_path = search.join(MANIFEST);
    let bytes = std::fs::read(&manifest_path).map_err(|source| IndexError::NotASite {
        site: site.to_path_buf(),
        manifest: manifest_path.clone(),
        source,
    })?;
    let manifest = format::read_manifest(&manifest_path, &bytes)?;
    let mut words = Words::default();
    for i in 0..manifest.chunks.len() {
        let path = search.join(manifest.chunk_file(i));
        let chunk: WordChunk = format::decode(&path, &read(&path)?)?;
        words.map.extend(chunk.words);
    }
    let mut docs = BTreeMap::new();
    for i in 0..manifest.shards {
        let path = search.join(manifest.shard_file(i));
        let shard: Vec<DocMeta> = format::decode(&path, &read(&path)?)?;
        for d in shard {
            let info = DocInfo { title: d.title, summary: d.summary, severity: d.severity, started: d.started };
            docs.insert(d.id, info);
        }
    }
    let mut files = BTreeMap::new();
    let tantivy_dir = search.join("tantivy");
    let entries =
        std::fs::read_dir(&tantivy_dir).map_err(|source| IndexError::Io { path: tantivy_dir.clone(), source })?;
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
