//! Opening a search index for `casebook search`: from a built site's files
//! (read as the [`super::format`] types the export wrote), or built in
//! memory from a knowledge base.

use std::collections::BTreeMap;
use std::path::Path;

use super::format::{self, DocMeta, MANIFEST, Passage, WordChunk};
use super::{IndexError, SearchIndex, Words};
use crate::model::KnowledgeBase;

/// What a result line shows about an incident.
#[derive(Debug, Clone, Default)]
pub struct DocInfo {
    pub title: String,
    pub summary: String,
    pub severity: Option<String>,
    pub started: Option<String>,
    /// What a result can quote (see [`super::export::passages`]).
    pub passages: Vec<Passage>,
}

/// An index ready for queries: the index, the corpus words, the synonym
/// groups as terms, and what results show of each incident.
pub struct Opened {
    pub index: SearchIndex,
    pub words: Words,
    pub synonyms: Vec<Vec<String>>,
    pub docs: BTreeMap<String, DocInfo>,
}

/// The index, the word list and the result metadata of a built site.
pub fn open(site: &Path) -> Result<Opened, IndexError> {
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
            let info = DocInfo {
                title: d.title,
                summary: d.summary,
                severity: d.severity,
                started: d.started,
                passages: d.passages,
            };
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
    Ok(Opened { index: SearchIndex::from_files(&files)?, words, synonyms: manifest.synonyms, docs })
}

/// Build the index of `kb` in memory; `extra_synonyms`: the knowledge
/// base's `[vocabulary] synonyms`.
pub fn in_memory(kb: &KnowledgeBase, extra_synonyms: &[Vec<String>]) -> Result<Opened, IndexError> {
    let (index, words) = SearchIndex::build(kb)?;
    let synonyms = super::query::synonyms(extra_synonyms, &mut index.analyzer()?);
    let docs = kb
        .incidents
        .iter()
        .map(|i| {
            let info = DocInfo {
                title: i.title.clone(),
                summary: i.summary.clone().unwrap_or_default(),
                severity: i.severity.clone(),
                started: i.clock.started.map(|s| s.date_naive().to_string()),
                passages: super::export::passages(i),
            };
            (i.id.clone(), info)
        })
        .collect();
    Ok(Opened { index, words, synonyms, docs })
}

/// Marks the words of a text whose stems are searched for: what results
/// highlight, and how the quoted passage is chosen. Each distinct word is
/// stemmed once.
pub struct Highlighter<'a> {
    stems: &'a [String],
    analyzer: tantivy::tokenizer::TextAnalyzer,
    seen: std::collections::HashMap<String, bool>,
}

impl<'a> Highlighter<'a> {
    pub fn new(stems: &'a [String], analyzer: tantivy::tokenizer::TextAnalyzer) -> Self {
        Highlighter { stems, analyzer, seen: std::collections::HashMap::new() }
    }

    fn hit(&mut self, word: &str) -> bool {
        let lower = word.to_lowercase();
        if let Some(hit) = self.seen.get(&lower) {
            return *hit;
        }
        let hit = crate::text::stem_of(&lower, &mut self.analyzer).is_some_and(|s| self.stems.contains(&s));
        self.seen.insert(lower, hit);
        hit
    }

    /// `text` with every searched word passed through `mark`.
    pub fn mark(&mut self, text: &str, mark: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let mut flush = |word: &mut String, out: &mut String| {
            if !word.is_empty() {
                let marked = if self.hit(word) { mark(word) } else { word.clone() };
                out.push_str(&marked);
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

    /// How many distinct searched stems `text` holds.
    pub fn count(&mut self, text: &str) -> usize {
        let mut found: Vec<String> = Vec::new();
        crate::text::each_raw_word(text, |w| {
            if self.hit(w) {
                if let Some(stem) = crate::text::stem_of(w, &mut self.analyzer) {
                    if !found.contains(&stem) {
                        found.push(stem);
                    }
                }
            }
        });
        found.len()
    }

    /// The passage that holds the most searched stems (symptom and text
    /// together), the earliest of equals; none when none holds any.
    pub fn best<'p>(&mut self, passages: &'p [Passage]) -> Option<&'p Passage> {
        let mut best: Option<(usize, &Passage)> = None;
        for p in passages {
            let n = self.count(&format!("{} {}", p.1, p.2));
            if n > 0 && best.is_none_or(|(b, _)| n > b) {
                best = Some((n, p));
            }
        }
        best.map(|(_, p)| p)
    }
}
