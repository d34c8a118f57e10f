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
pub mod query;
pub mod site;
mod stems;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use tantivy::Directory;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::directory::RamDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::tokenizer::{PreTokenizedString, TextAnalyzer};
use tantivy::{Index, IndexReader, TantivyDocument, Term, doc};

use crate::model::{Incident, KnowledgeBase};

pub use crate::text::ANALYZER;
pub use query::{Lexicon, Plan};

/// The searched text fields, in the order queries list them.
pub const TEXT_FIELDS: &[&str] = &["title", "summary", "findings", "remedies", "guardrails", "actions", "narrative"];

/// How many corpus words a prefix (the last, unfinished query word) expands to.
pub const PREFIX_EXPANSIONS: usize = 5;

/// Per text field (in `TEXT_FIELDS` order), how much its matches weigh: the
/// title and the remedies (symptoms and what was done) over the narrative.
pub const FIELD_BOOSTS: [f32; 7] = [2.0, 1.5, 1.2, 1.5, 1.0, 0.8, 0.6];

/// The fields whose adjacent words are indexed as pairs (indexes into
/// `TEXT_FIELDS`): the title, the summary and the remedies, where the
/// symptoms and error messages someone pastes are; pairs with a common word
/// are left out. More fields cost build time for little: at 10,000
/// records, pairs of every field but the narrative took 4 s more.
const PAIR_FIELDS: [usize; 3] = [0, 1, 3];

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
    /// Adjacent stems of the [`PAIR_FIELDS`], as `"a b"` terms.
    pub(crate) pairs: Field,
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
    // Filled with pre-cut tokens: the tokenizer named here never runs.
    let pair_indexing =
        TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::WithFreqs);
    let pairs = b.add_text_field("pairs", TextOptions::default().set_indexing_options(pair_indexing));
    let category = b.add_text_field("category", STRING);
    let severity = b.add_text_field("severity", STRING);
    let service = b.add_text_field("service", STRING);
    let year = b.add_text_field("year", STRING);
    (b.build(), Fields { id, text, pairs, category, severity, service, year })
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
            let mut pairs = Pairs::new()?;
            for inc in &incidents {
                let mut d = doc!(fields.id => inc.id.as_str());
                let texts = field_texts(inc);
                d.add_pre_tokenized_text(fields.pairs, pairs.cut(PAIR_FIELDS.iter().filter_map(|&f| texts.get(f))));
                for (field, text) in fields.text.iter().zip(texts) {
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

    /// Run a query: the top `limit` incidents, best first. Documents that
    /// match more of the query's words come first, then those matching more
    /// of them in their own words rather than by a synonym; then the higher
    /// BM25 score (every term in every field, weighted by [`FIELD_BOOSTS`],
    /// synonyms and adjacent pairs) wins; then document order.
    pub fn search(&self, query: &SearchQuery, lexicon: &Lexicon) -> Result<Found, IndexError> {
        let mut analyzer = self.analyzer()?;
        let plan = query::plan(&query.text, lexicon, &mut analyzer, query.correct);
        let clauses = self.clauses(&plan);
        if clauses.is_empty() {
            return Ok(Found { plan, hits: Vec::new(), total: 0 });
        }
        let searcher = self.reader.searcher();
        let max_doc = searcher.segment_readers().iter().map(|s| s.max_doc() as usize).sum::<usize>().max(1);
        let any: Vec<(Occur, Box<dyn Query>)> = clauses.iter().map(|c| (Occur::Should, c.query())).collect();
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(any)))];
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
            must.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0))));
        }
        let scored = searcher.search(&BooleanQuery::new(must), &TopDocs::with_limit(max_doc).order_by_score())?;
        // How many of the query's words each document answers.
        let mut coverage = vec![0usize; max_doc];
        let mut exact = vec![0usize; max_doc];
        let mut required = vec![0usize; max_doc];
        let required_groups = plan.groups.iter().filter(|g| g.required).count();
        for (g, group) in plan.groups.iter().enumerate() {
            let any: Vec<(Occur, Box<dyn Query>)> =
                clauses.iter().filter(|c| c.groups.contains(&g)).map(|c| (Occur::Should, c.query())).collect();
            if !group.counts && !group.required {
                continue;
            }
            for addr in searcher.search(&BooleanQuery::new(any), &DocSetCollector)? {
                if let Some(n) = coverage.get_mut(addr.doc_id as usize).filter(|_| group.counts) {
                    *n += 1;
                }
                if group.required {
                    if let Some(n) = required.get_mut(addr.doc_id as usize) {
                        *n += 1;
                    }
                }
            }
            if !group.counts {
                continue;
            }
            let own: Vec<(Occur, Box<dyn Query>)> =
                clauses.iter().filter(|c| c.own.contains(&g)).map(|c| (Occur::Should, c.query())).collect();
            for addr in searcher.search(&BooleanQuery::new(own), &DocSetCollector)? {
                if let Some(n) = exact.get_mut(addr.doc_id as usize) {
                    *n += 1;
                }
            }
        }
        let mut hits: Vec<Hit> = scored
            .into_iter()
            .filter(|(_, addr)| required.get(addr.doc_id as usize).copied().unwrap_or(0) == required_groups)
            .map(|(score, addr)| Hit {
                id: self.ids.get(addr.doc_id as usize).cloned().unwrap_or_default(),
                doc: addr.doc_id,
                score,
                matched: coverage.get(addr.doc_id as usize).copied().unwrap_or(0),
                exact: exact.get(addr.doc_id as usize).copied().unwrap_or(0),
            })
            .collect();
        hits.sort_by(|a, b| {
            (b.matched, b.exact).cmp(&(a.matched, a.exact)).then(b.score.total_cmp(&a.score)).then(a.doc.cmp(&b.doc))
        });
        let total = hits.len();
        hits.truncate(query.limit.max(1));
        Ok(Found { plan, hits, total })
    }

    /// The scored clauses of a plan, in the order the browser adds them up:
    /// each group's terms (a stem in every text field, a pair in the pairs
    /// field), then the adjacent pairs; a (field, term) only once.
    pub fn clauses(&self, plan: &Plan) -> Vec<Clause> {
        let mut out: Vec<Clause> = Vec::new();
        // A (field, term) a later word shares is scored once, and answers both words.
        let mut push = |clause: Clause| match out.iter_mut().find(|c| c.field == clause.field && c.term == clause.term)
        {
            Some(c) => {
                c.groups.extend(clause.groups.into_iter().filter(|g| !c.groups.contains(g)).collect::<Vec<_>>());
                c.own.extend(clause.own.into_iter().filter(|g| !c.own.contains(g)).collect::<Vec<_>>());
            }
            None => out.push(clause),
        };
        for (g, group) in plan.groups.iter().enumerate() {
            for (term, weight) in &group.terms {
                // The word's own terms (its stem, completions, correction) weigh 1.
                let own = if *weight == 1.0 { vec![g] } else { Vec::new() };
                match term {
                    query::Term::Stem(stem) => {
                        for (f, field) in self.fields.text.iter().enumerate() {
                            let boost = FIELD_BOOSTS[f] * weight;
                            push(Clause {
                                groups: vec![g],
                                own: own.clone(),
                                field: *field,
                                field_index: f,
                                term: stem.clone(),
                                boost,
                            });
                        }
                    }
                    query::Term::Pair(pair) => push(Clause {
                        groups: vec![g],
                        own,
                        field: self.fields.pairs,
                        field_index: TEXT_FIELDS.len(),
                        term: pair.clone(),
                        boost: *weight,
                    }),
                }
            }
        }
        for pair in &plan.pairs {
            let field_index = TEXT_FIELDS.len();
            push(Clause {
                groups: Vec::new(),
                own: Vec::new(),
                field: self.fields.pairs,
                field_index,
                term: pair.clone(),
                boost: query::PAIR_BOOST,
            });
        }
        out
    }

    /// Why `doc` scored what it did: each clause that matched it, with its score.
    pub fn explain(&self, plan: &Plan, doc: u32) -> Result<Vec<(Clause, f32)>, IndexError> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for clause in self.clauses(plan) {
            if let Ok(explanation) = clause.query().explain(&searcher, tantivy::DocAddress::new(0, doc)) {
                out.push((clause, explanation.value()));
            }
        }
        Ok(out)
    }
}

/// One scored clause: a term in a field, weighted.
#[derive(Debug, Clone)]
pub struct Clause {
    /// The query words it answers (indexes in `Plan::groups`); none for
    /// an adjacent pair.
    pub groups: Vec<usize>,
    /// The query words it is an own term of (not a synonym).
    pub own: Vec<usize>,
    field: Field,
    /// The field's index in `TEXT_FIELDS`; `TEXT_FIELDS.len()` for pairs.
    pub field_index: usize,
    pub term: String,
    pub boost: f32,
}

impl Clause {
    fn query(&self) -> Box<dyn Query> {
        let term = TermQuery::new(Term::from_field_text(self.field, &self.term), IndexRecordOption::WithFreqs);
        Box::new(BoostQuery::new(Box::new(term), self.boost))
    }

    /// The field's name (`pairs` for adjacent words).
    pub fn field_name(&self) -> &'static str {
        TEXT_FIELDS.get(self.field_index).copied().unwrap_or("pairs")
    }
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct Found {
    /// The query as planned: its groups, pairs and corrections.
    pub plan: Plan,
    /// The best `limit` results, best first.
    pub hits: Vec<Hit>,
    /// How many documents match at all.
    pub total: usize,
}

/// Cuts fields into adjacent-stem pairs for the pairs field, stemming each
/// distinct word once.
struct Pairs {
    analyzer: TextAnalyzer,
    /// Word → its stem's number in `stems`, or `None` for a common word.
    numbers: rustc_hash::FxHashMap<String, Option<u32>>,
    stems: Vec<String>,
}

impl Pairs {
    fn new() -> Result<Self, IndexError> {
        let analyzer = crate::text::analyzer().ok_or(IndexError::MissingTokenizer(ANALYZER))?;
        Ok(Pairs { analyzer, numbers: rustc_hash::FxHashMap::default(), stems: Vec::new() })
    }

    /// The number of a word's stem; `None` for a common word, which ends a
    /// pair rather than starting one.
    fn number(&mut self, word: &str) -> Option<u32> {
        if let Some(n) = self.numbers.get(word) {
            return *n;
        }
        let stem = query::counts(word).then(|| crate::text::stem_of(word, &mut self.analyzer)).flatten();
        let n = stem.map(|s| {
            self.stems.push(s);
            (self.stems.len() - 1) as u32
        });
        self.numbers.insert(word.to_string(), n);
        n
    }

    /// The pairs of each text, one token each; pairs never span two texts,
    /// and a common word ([`crate::text::STOP_WORDS`]) is in none.
    fn cut<'t>(&mut self, texts: impl Iterator<Item = &'t String>) -> PreTokenizedString {
        let mut tokens = Vec::new();
        for text in texts {
            let mut previous: Option<u32> = None;
            crate::text::each_raw_word(text, |word| {
                let current = self.number(word);
                if let (Some(a), Some(b)) = (previous, current) {
                    let (a, b) = (&self.stems[a as usize], &self.stems[b as usize]);
                    let mut text = String::with_capacity(a.len() + b.len() + 1);
                    text.push_str(a);
                    text.push(' ');
                    text.push_str(b);
                    let position = tokens.len();
                    tokens.push(tantivy::tokenizer::Token {
                        offset_from: 0,
                        offset_to: 0,
                        position,
                        text,
                        position_length: 1,
                    });
                }
                previous = current;
            });
        }
        PreTokenizedString { text: String::new(), tokens }
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
    /// Correct words that match nothing to the nearest corpus word.
    pub correct: bool,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub doc: u32,
    pub score: f32,
    /// How many of the query's words (groups) it matches, common words
    /// ([`crate::text::STOP_WORDS`]) not counted.
    pub matched: usize,
    /// How many of those it matches in their own words, not only by a synonym.
    pub exact: usize,
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
