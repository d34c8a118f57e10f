//! The search index: one Tantivy index of every incident, the query builder
//! shared by every front end, and the static export the browser searches.
//!
//! The index stage of the pipeline (load → model → analyze → **index** →
//! render → write). Documents are added in id order by one writer thread and
//! merged into a single segment, so document numbers and tie order are stable
//! from build to build. Queries are never parsed with Tantivy's `QueryParser`:
//! [`SearchIndex::search`] tokenises with the fields' own analyzer and ORs one
//! `TermQuery` per (stem × field), which is exactly what the browser engine
//! re-computes from the exported postings (see `export`).

pub mod export;
pub mod format;
pub mod site;
mod stems;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use tantivy::Directory;
use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, TantivyDocument, Term, doc};

use crate::model::{Incident, KnowledgeBase};

pub use crate::text::ANALYZER;
use crate::text::raw_words;

/// The searched text fields, in the order queries list them.
pub const TEXT_FIELDS: &[&str] = &["title", "summary", "findings", "remedies", "guardrails", "actions", "narrative"];

/// How many corpus words a prefix (the last, unfinished query word) expands to.
pub const PREFIX_EXPANSIONS: usize = 5;

/// What can go wrong building, exporting or reading back the search index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Tantivy failed (on the index in memory or read back from a site).
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A file of a built site could not be read, or an index file not stored.
    #[error("search index: {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// `--site` names a folder without a search manifest.
    #[error(
        "search index: {}: {source} (is {} a site built by `casebook build`?)",
        manifest.display(),
        site.display()
    )]
    NotASite { site: PathBuf, manifest: PathBuf, source: std::io::Error },
    /// A search file does not have the shape of its [`format`](mod@format) type.
    #[error("search index: {} is not a search file this casebook reads: {source}", file.display())]
    Decode { file: PathBuf, source: serde_json::Error },
    /// A search file could not be serialised.
    #[error("search index: writing search/{file}: {source}")]
    Encode { file: String, source: serde_json::Error },
    /// The manifest is of another [`format::FORMAT`] version.
    #[error("search index: {} is search format {found}; this casebook reads format {expected}", file.display())]
    UnsupportedFormat { file: PathBuf, found: u32, expected: u32 },
    /// The analyzer the schema names is not registered with the index.
    #[error("search index: the tokenizer {0} is not registered")]
    MissingTokenizer(&'static str),
}

/// The index and what queries need besides it.
pub struct SearchIndex {
    pub index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// Incident ids in document order.
    pub ids: Vec<String>,
}

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    id: Field,
    pub(crate) text: [Field; 7],
    category: Field,
    severity: Field,
    service: Field,
    year: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let indexing = TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs);
    let text_options = TextOptions::default().set_indexing_options(indexing);
    let text: [Field; 7] = std::array::from_fn(|i| b.add_text_field(TEXT_FIELDS[i], text_options.clone()));
    let category = b.add_text_field("category", STRING);
    let severity = b.add_text_field("severity", STRING);
    let service = b.add_text_field("service", STRING);
    let year = b.add_text_field("year", STRING);
    (b.build(), Fields { id, text, category, severity, service, year })
}

/// The text of each searched field of an incident, in `TEXT_FIELDS` order.
pub fn field_texts(inc: &Incident) -> [String; 7] {
    let join = |parts: Vec<&str>| parts.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("\n");
    let findings = inc
        .findings
        .iter()
        .flat_map(|f| {
            let mut v = vec![f.summary.as_str()];
            v.extend(f.evidence.as_deref());
            v.extend(f.whys.iter().map(String::as_str));
            v.extend(f.counterfactual.as_deref());
            v
        })
        .collect();
    let remedies = inc
        .remedies
        .iter()
        .flat_map(|r| {
            let mut v = vec![r.summary.as_str()];
            v.extend(r.symptom.as_deref());
            v.extend(r.steps.iter().map(String::as_str));
            v
        })
        .collect();
    let guardrails = inc
        .guardrails
        .iter()
        .flat_map(|g| {
            let mut v = vec![g.summary.as_str()];
            v.extend(g.would_have.as_deref());
            v
        })
        .collect();
    let actions = inc
        .actions
        .iter()
        .flat_map(|a| {
            let mut v = vec![a.summary.as_str()];
            v.extend(a.metric.as_deref());
            v
        })
        .collect();
    [
        inc.title.clone(),
        inc.summary.clone().unwrap_or_default(),
        join(findings),
        join(remedies),
        join(guardrails),
        join(actions),
        inc.body.clone(),
    ]
}

/// Facet values of an incident: categories, severity, services (slugs), year.
pub fn facets(inc: &Incident) -> (Vec<String>, Option<String>, Vec<String>, Option<String>) {
    (
        inc.categories.clone(),
        inc.severity.clone(),
        inc.services.iter().map(|s| crate::model::slugify(s)).collect(),
        inc.clock.started.map(|s| chrono::Datelike::year(&s.with_timezone(&chrono::Utc)).to_string()),
    )
}

impl SearchIndex {
    /// Index every incident of `kb`, in id order, into one segment, and
    /// collect the corpus words as the analyzer cuts them.
    pub fn build(kb: &KnowledgeBase) -> Result<(SearchIndex, Words), IndexError> {
        let (schema, fields) = schema();
        let index = Index::create(RamDirectory::create(), schema, tantivy::IndexSettings::default())?;
        // The same tokens as the stock analyzer, each distinct word stemmed once.
        let Some(stock) = index.tokenizers().get(ANALYZER) else {
            return Err(IndexError::MissingTokenizer(ANALYZER));
        };
        let mut cached = stems::CachedStems::new(stock, TEXT_FIELDS.len());
        index.tokenizers().register(ANALYZER, TextAnalyzer::from(cached.clone()));
        let mut incidents: Vec<&Incident> = kb.incidents.iter().collect();
        incidents.sort_by(|a, b| a.id.cmp(&b.id));
        {
            let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 200_000_000)?;
            for inc in &incidents {
                let mut d = doc!(fields.id => inc.id.as_str());
                for (field, text) in fields.text.iter().zip(field_texts(inc)) {
                    d.add_text(*field, text);
                }
                let (categories, severity, services, year) = facets(inc);
                for c in categories {
                    d.add_text(fields.category, c);
                }
                if let Some(s) = severity {
                    d.add_text(fields.severity, s);
                }
                for s in services {
                    d.add_text(fields.service, s);
                }
                if let Some(y) = year {
                    d.add_text(fields.year, y);
                }
                writer.add_document(d)?;
            }
            writer.commit()?;
            let segments = index.searchable_segment_ids()?;
            if segments.len() > 1 {
                writer.merge(&segments).wait()?;
            }
            writer.wait_merging_threads()?;
        }
        // Each document opened one token stream per text field, in order.
        let words = cached.words();
        Ok((Self::open(index)?, words))
    }

    /// Open an index (built here, or read back from a built site).
    pub fn open(index: Index) -> Result<SearchIndex, IndexError> {
        let (_, fields) = schema();
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut ids = Vec::new();
        for seg in searcher.segment_readers() {
            let store = seg.get_store_reader(1).map_err(tantivy::TantivyError::from)?;
            for doc in 0..seg.max_doc() {
                let d: TantivyDocument = store.get(doc)?;
                ids.push(d.get_first(fields.id).and_then(|v| v.as_str()).unwrap_or_default().to_string());
            }
        }
        Ok(SearchIndex { index, reader, fields, ids })
    }

    /// Read an index from the files `export::tantivy_files` produced.
    pub fn from_files(files: &BTreeMap<String, Vec<u8>>) -> Result<SearchIndex, IndexError> {
        let dir = RamDirectory::create();
        for (name, bytes) in files {
            let path = PathBuf::from(name);
            dir.atomic_write(&path, bytes).map_err(|source| IndexError::Io { path, source })?;
        }
        let index = Index::open(dir)?;
        Self::open(index)
    }

    pub fn analyzer(&self) -> Result<TextAnalyzer, IndexError> {
        self.index.tokenizers().get(ANALYZER).ok_or(IndexError::MissingTokenizer(ANALYZER))
    }

    /// Run a query: the top `limit` incidents, best first.
    pub fn search(&self, query: &SearchQuery, words: &Words) -> Result<Vec<Hit>, IndexError> {
        let stems = query_stems(&query.text, words);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for stem in &stems {
            for field in self.fields.text {
                let term = Term::from_field_text(field, stem);
                clauses.push((Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))));
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let mut query_clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(clauses)))];
        for (field, values) in [
            (self.fields.category, &query.categories),
            (self.fields.severity, &query.severities),
            (self.fields.service, &query.services),
            (self.fields.year, &query.years),
        ] {
            if values.is_empty() {
                continue;
            }
            let any: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            query_clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0))));
        }
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&BooleanQuery::new(query_clauses), &TopDocs::with_limit(query.limit.max(1)).order_by_score())?;
        Ok(top
            .into_iter()
            .map(|(score, addr)| Hit {
                id: self.ids.get(addr.doc_id as usize).cloned().unwrap_or_default(),
                doc: addr.doc_id,
                score,
            })
            .collect())
    }
}

/// What to search for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub categories: Vec<String>,
    pub severities: Vec<String>,
    pub services: Vec<String>,
    pub years: Vec<String>,
    pub limit: usize,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub doc: u32,
    pub score: f32,
}

/// Every word of the corpus: its stem and how many documents contain it.
#[derive(Debug, Clone, Default)]
pub struct Words {
    /// word → (stem, document frequency), sorted by word.
    pub map: BTreeMap<String, (String, u32)>,
}

impl Words {
    /// The most frequent corpus words starting with `prefix` (ties alphabetical).
    pub fn expand(&self, prefix: &str) -> Vec<&str> {
        let mut candidates: Vec<(&str, u32)> = self
            .map
            .range(prefix.to_string()..)
            .take_while(|(w, _)| w.starts_with(prefix))
            .map(|(w, (_, df))| (w.as_str(), *df))
            .collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        candidates.into_iter().take(PREFIX_EXPANSIONS).map(|(w, _)| w).collect()
    }
}

/// The distinct stems a query searches for, in query order. Words are
/// stemmed through the corpus word list (the browser has the same list and
/// no stemmer), so a word that occurs nowhere in the corpus matches nothing.
/// The last word, when the query does not end in a separator, is a prefix:
/// it also expands to the most frequent corpus words that start with it.
pub fn query_stems(text: &str, words: &Words) -> Vec<String> {
    let tokens = raw_words(text);
    let open_prefix = text.chars().last().is_some_and(char::is_alphanumeric);
    let mut stems: Vec<String> = Vec::new();
    let push = |word: &str, stems: &mut Vec<String>| {
        if let Some((stem, _)) = words.map.get(word) {
            if !stems.contains(stem) {
                stems.push(stem.clone());
            }
        }
    };
    for (i, token) in tokens.iter().enumerate() {
        push(token, &mut stems);
        if i + 1 == tokens.len() && open_prefix {
            for word in words.expand(token) {
                push(word, &mut stems);
            }
        }
    }
    stems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word list the plain way: cut every field of every document
    /// again, count each document's distinct words, stem each word.
    fn words_counted_again(kb: &KnowledgeBase, analyzer: &mut TextAnalyzer) -> BTreeMap<String, (String, u32)> {
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for inc in &kb.incidents {
            let mut seen = std::collections::BTreeSet::new();
            for text in field_texts(inc) {
                crate::text::each_raw_word(&text, |w| {
                    seen.insert(w.to_string());
                });
            }
            for word in seen {
                *counts.entry(word).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .filter_map(|(word, df)| crate::text::stem_of(&word, analyzer).map(|stem| (word, (stem, df))))
            .collect()
    }

    #[test]
    fn the_words_counted_while_indexing_are_the_words_of_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let Ok(loaded) = crate::load::load(&dir, crate::load::LoadOptions { today }) else { panic!("content/ loads") };
        let mut kb = loaded.kb;
        // Words that differ only in case, outside ASCII, too long to keep,
        // in several fields of one document, and in empty fields.
        kb.incidents[0].title = "Retry RETRY retry Über ÜBER İstanbul".into();
        kb.incidents[0].summary = Some("retry storm".into());
        kb.incidents[1].title = format!("retry {} {}", "x".repeat(39), "y".repeat(40));
        kb.incidents[1].summary = None;
        kb.incidents[2].body = String::new();
        let (index, words) = SearchIndex::build(&kb).unwrap_or_else(|e| panic!("{e}"));
        let expected = words_counted_again(&kb, &mut index.analyzer().unwrap_or_else(|e| panic!("{e}")));
        assert!(expected.len() > 1000, "{} words", expected.len());
        assert_eq!(words.map.get("retry").map(|w| w.1), expected.get("retry").map(|w| w.1));
        assert!(expected.get("retry").is_some_and(|w| w.1 >= 2));
        assert!(words.map.contains_key("über") && words.map.contains_key(&"x".repeat(39)));
        assert!(!words.map.contains_key(&"y".repeat(40)));
        assert_eq!(words.map, expected);
    }
}
