//! Compiles the Tantivy index into static files the browser engine reads.
//!
//! Everything the browser needs to reproduce Tantivy's BM25 scores exactly is
//! shipped as exact inputs, never rounded weights: per field the average
//! field length (the browser rebuilds Tantivy's 256-entry table of
//! `k1·(1−b+b·dl/avgdl)` by fieldnorm id from it, in f32, exactly), per (stem, field) the BM25
//! weight `idf·(1+k1)`, per posting the document, term frequency and
//! fieldnorm id. Floats travel as their IEEE-754 bit patterns. The browser
//! then computes `w·tf/(tf+norm)` and sums clauses in query order in 32-bit
//! arithmetic, as Tantivy does.
//!
//! Layout (all under `search/`; every name but the manifest carries a content
//! hash, so hosts may cache them forever):
//! - `manifest.json`: fields, average field lengths, document count, the first word of
//!   every word chunk, the document shards and the facet file.
//! - `w-SET-N.json`: chunk N of the sorted corpus words, cut by volume
//!   (~8 KB raw). Each word has its stem and document frequency; the chunk holds
//!   the postings of every stem its words use, so one request per query word
//!   finds everything, prefix completions included (they sort next to it).
//! - `d-SET-N.json`: metadata of 8 consecutive documents (title, URL,
//!   summary, facets) for rendering results.
//! - `f-HASH.json`: compact facet values of every document, for filtering.
//! - `tantivy/`: the index itself, for `casebook search --site`.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use serde::Serialize;
use serde_json::json;
use tantivy::postings::{Postings, TermInfo};
use tantivy::schema::IndexRecordOption;
use tantivy::{Directory, DocSet};

use super::{IndexError, SearchIndex, TEXT_FIELDS, Words, facets};
use crate::model::{Incident, KnowledgeBase};
use crate::output::File;

/// BM25 parameters, as Tantivy's.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Target raw size of a word chunk.
const CHUNK_BYTES: usize = 8 * 1024;
/// Documents per metadata shard.
const SHARD_DOCS: usize = 8;
/// The format version the browser engine checks.
pub const FORMAT: u32 = 1;

/// Tantivy's idf, computed the same way in f32.
pub fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let x = ((doc_count - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

/// The BM25 weight of a term: idf·(1+k1).
pub fn weight(doc_freq: u64, doc_count: u64) -> f32 {
    idf(doc_freq, doc_count) * (1.0 + K1)
}

/// The per-fieldnorm-id normaliser table of a field.
pub fn norm_table(average_fieldnorm: f32) -> Vec<f32> {
    (0..=255u8)
        .map(|id| {
            let fieldnorm = tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(id);
            K1 * (1.0 - B + B * fieldnorm as f32 / average_fieldnorm)
        })
        .collect()
}

/// Where the postings of one stem in one field are: read when its chunk is
/// written, so the whole corpus's postings are never in memory at once.
struct FieldTerm {
    field: usize,
    /// Index into the export's [`FieldReader`]s.
    reader: usize,
    info: TermInfo,
}

/// A field's postings and length norms, as the export reads them.
struct FieldReader {
    inverted: std::sync::Arc<tantivy::InvertedIndexReader>,
    norms: Option<tantivy::fieldnorm::FieldNormReader>,
}

/// Write `[field, weight bits, doc deltas, term frequencies, fieldnorm ids]` of one stem in one field.
fn write_postings(out: &mut Vec<u8>, term: &FieldTerm, reader: &FieldReader, num_docs: u64) -> Result<(), IndexError> {
    let mut postings = reader
        .inverted
        .read_postings_from_terminfo(&term.info, IndexRecordOption::WithFreqs)
        .map_err(|e| IndexError::Io(e.to_string()))?;
    let capacity = term.info.doc_freq as usize;
    let (mut deltas, mut tfs, mut norms) =
        (Vec::with_capacity(capacity), Vec::with_capacity(capacity), Vec::with_capacity(capacity));
    let mut last = 0u32;
    let mut doc = postings.doc();
    while doc != tantivy::TERMINATED {
        deltas.push(doc - last);
        last = doc;
        tfs.push(postings.term_freq());
        norms.push(reader.norms.as_ref().map_or(0, |f| f.fieldnorm_id(doc)));
        doc = postings.advance();
    }
    let weight = weight(u64::from(term.info.doc_freq), num_docs).to_bits();
    // A tuple is a JSON array: [field, weight, deltas, tfs, norms].
    serde_json::to_writer(out, &(term.field, weight, deltas, tfs, norms)).map_err(|e| IndexError::Io(e.to_string()))
}

/// Every static search file, plus the index files.
pub fn export(index: &SearchIndex, kb: &KnowledgeBase, words: &Words) -> Result<Vec<File>, IndexError> {
    let searcher = index.reader.searcher();
    let num_docs: u64 = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
    let mut files: Vec<File> = Vec::new();

    // Where each stem's postings are, by field, in the single segment.
    let mut stems: BTreeMap<String, Vec<FieldTerm>> = BTreeMap::new();
    let mut readers: Vec<FieldReader> = Vec::new();
    let mut averages: Vec<u32> = Vec::new();
    for (field_index, field) in index.fields.text.iter().enumerate() {
        let mut total_tokens = 0u64;
        for seg in searcher.segment_readers() {
            total_tokens += seg.inverted_index(*field)?.total_num_tokens();
        }
        let average = if num_docs == 0 { 1.0 } else { total_tokens as f32 / num_docs as f32 };
        averages.push(average.to_bits());
        for seg in searcher.segment_readers() {
            let inverted = seg.inverted_index(*field)?;
            let mut stream = inverted.terms().stream().map_err(|e| IndexError::Io(e.to_string()))?;
            while stream.advance() {
                let stem = String::from_utf8_lossy(stream.key()).into_owned();
                let term = FieldTerm { field: field_index, reader: readers.len(), info: stream.value().clone() };
                stems.entry(stem).or_default().push(term);
            }
            let norms = seg.fieldnorms_readers().get_field(*field)?;
            readers.push(FieldReader { inverted, norms });
        }
    }

    // Word chunks, cut by volume.
    // (first word, bytes) of each chunk; named once all are known.
    let mut chunks: Vec<(String, Vec<u8>)> = Vec::new();
    let mut current_words: Vec<(&String, &(String, u32))> = Vec::new();
    let mut current_stems: BTreeSet<&String> = BTreeSet::new();
    let mut current_size = 0usize;
    let stem_size =
        |stem: &String| stems.get(stem).map_or(0, |list| list.iter().map(|t| 12 + t.info.doc_freq as usize * 9).sum());
    let flush = |words: &mut Vec<(&String, &(String, u32))>,
                 chunk_stems: &mut BTreeSet<&String>,
                 chunks: &mut Vec<(String, Vec<u8>)>|
     -> Result<(), IndexError> {
        if words.is_empty() {
            return Ok(());
        }
        // {"stems":{STEM:[postings…],…},"words":{WORD:[STEM,DF],…}}, keys
        // in byte order (as a JSON map would have them), written as it goes.
        let json = |e: serde_json::Error| IndexError::Io(e.to_string());
        let mut bytes: Vec<u8> = Vec::with_capacity(CHUNK_BYTES * 2);
        bytes.extend_from_slice(b"{\"stems\":{");
        for (i, stem) in chunk_stems.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            serde_json::to_writer(&mut bytes, stem).map_err(json)?;
            bytes.extend_from_slice(b":[");
            let list = stems.get(*stem).map_or(&[][..], Vec::as_slice);
            for (j, term) in list.iter().enumerate() {
                if let Some(reader) = readers.get(term.reader) {
                    if j > 0 {
                        bytes.push(b',');
                    }
                    write_postings(&mut bytes, term, reader, num_docs)?;
                }
            }
            bytes.push(b']');
        }
        bytes.extend_from_slice(b"},\"words\":{");
        for (i, (word, (stem, df))) in words.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            serde_json::to_writer(&mut bytes, word).map_err(json)?;
            bytes.push(b':');
            serde_json::to_writer(&mut bytes, &(stem, df)).map_err(json)?;
        }
        bytes.extend_from_slice(b"}}");
        chunks.push((words[0].0.clone(), bytes));
        words.clear();
        chunk_stems.clear();
        Ok(())
    };
    for (word, entry) in &words.map {
        let added = if current_stems.contains(&entry.0) { 0 } else { stem_size(&entry.0) } + word.len() + 16;
        if current_size + added > CHUNK_BYTES && !current_words.is_empty() {
            flush(&mut current_words, &mut current_stems, &mut chunks)?;
            current_size = 0;
        }
        current_size +=
            if current_stems.contains(&entry.0) { word.len() + 16 } else { stem_size(&entry.0) + word.len() + 16 };
        current_words.push((word, entry));
        current_stems.insert(&entry.0);
    }
    flush(&mut current_words, &mut current_stems, &mut chunks)?;

    // Document metadata shards and facets, in document order.
    let by_id: BTreeMap<&str, &Incident> = kb.incidents.iter().map(|i| (i.id.as_str(), i)).collect();
    let docs: Vec<&Incident> = index.ids.iter().filter_map(|id| by_id.get(id.as_str()).copied()).collect();
    let mut shards = Vec::new();
    for group in docs.chunks(SHARD_DOCS) {
        let list: Vec<serde_json::Value> = group
            .iter()
            .map(|inc| {
                json!({
                    "id": inc.id,
                    "url": format!("incidents/{}/", inc.id),
                    "title": inc.title,
                    "summary": inc.summary.clone().unwrap_or_default(),
                    "severity": inc.severity,
                    "started": inc.clock.started.map(|s| s.date_naive().to_string()),
                    "categories": inc.categories,
                    "services": inc.services,
                })
            })
            .collect();
        let bytes = serde_json::to_vec(&list).map_err(|e| IndexError::Io(e.to_string()))?;
        shards.push(bytes);
    }
    // One content hash per set of files keeps the manifest small: it lists
    // no per-file names, and any change renames the whole set.
    let chunk_set = set_hash(chunks.iter().map(|(_, b)| b.as_slice()));
    let shard_set = set_hash(shards.iter().map(Vec::as_slice));
    let mut first_words = Vec::new();
    for (i, (first, bytes)) in chunks.into_iter().enumerate() {
        first_words.push(first);
        files.push(File { path: format!("search/w-{chunk_set}-{i}.json"), bytes });
    }
    let shard_count = shards.len();
    for (i, bytes) in shards.into_iter().enumerate() {
        files.push(File { path: format!("search/d-{shard_set}-{i}.json"), bytes });
    }
    let facet_file = facet_file(&docs)?;
    let facet_name = hashed("f", &facet_file);
    files.push(File { path: format!("search/{facet_name}"), bytes: facet_file });

    let manifest = Manifest {
        format: FORMAT,
        docs: num_docs,
        fields: TEXT_FIELDS.to_vec(),
        average_fieldnorms: averages,
        chunks: first_words,
        chunk_set,
        shard_docs: SHARD_DOCS,
        shard_set,
        shards: shard_count,
        facets: facet_name,
        prefix_expansions: super::PREFIX_EXPANSIONS,
    };
    let bytes = serde_json::to_vec(&manifest).map_err(|e| IndexError::Io(e.to_string()))?;
    files.push(File { path: "search/manifest.json".into(), bytes });

    for (name, bytes) in tantivy_files(index)? {
        files.push(File { path: format!("search/tantivy/{name}"), bytes });
    }
    Ok(files)
}

#[derive(Serialize)]
struct Manifest {
    format: u32,
    docs: u64,
    fields: Vec<&'static str>,
    /// Per field, the average field length as an f32 bit pattern.
    average_fieldnorms: Vec<u32>,
    /// The first word of every word chunk, in word order; chunk `i` is `w-{chunk_set}-{i}.json`.
    chunks: Vec<String>,
    chunk_set: String,
    shard_docs: usize,
    /// Shard `i` is `d-{shard_set}-{i}.json`.
    shard_set: String,
    shards: usize,
    facets: String,
    prefix_expansions: usize,
}

fn facet_file(docs: &[&Incident]) -> Result<Vec<u8>, IndexError> {
    let mut values: [Vec<String>; 4] = Default::default();
    let mut index_of = |kind: usize, v: &str| -> usize {
        match values[kind].iter().position(|x| x == v) {
            Some(i) => i,
            None => {
                values[kind].push(v.to_string());
                values[kind].len() - 1
            }
        }
    };
    let mut rows = Vec::new();
    for inc in docs {
        let (categories, severity, services, year) = facets(inc);
        let c: Vec<usize> = categories.iter().map(|v| index_of(0, v)).collect();
        let s: Vec<usize> = severity.iter().map(|v| index_of(1, v)).collect();
        let v: Vec<usize> = services.iter().map(|x| index_of(2, x)).collect();
        let y: Vec<usize> = year.iter().map(|x| index_of(3, x)).collect();
        rows.push(json!([c, s, v, y]));
    }
    let [categories, severities, services, years] = values;
    serde_json::to_vec(&json!({
        "categories": categories, "severities": severities, "services": services, "years": years, "docs": rows
    }))
    .map_err(|e| IndexError::Io(e.to_string()))
}

fn set_hash<'a>(parts: impl Iterator<Item = &'a [u8]>) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

fn hashed(prefix: &str, bytes: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("{prefix}-{:016x}.json", h.finish())
}

/// The index's files, by name, read back from its directory.
pub fn tantivy_files(index: &SearchIndex) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
    let dir = index.index.directory();
    let mut names: Vec<String> = dir
        .list_managed_files()
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    names.push("meta.json".into());
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        let path = std::path::Path::new(&name);
        if !dir.exists(path).map_err(|e| IndexError::Io(e.to_string()))? {
            continue;
        }
        let bytes = dir.atomic_read(path).map_err(|e| IndexError::Io(e.to_string()))?;
        out.push((name, bytes));
    }
    Ok(deterministic_segment_ids(out))
}

/// Tantivy names segments with random UUIDs; rename each after a hash of its
/// files so two builds of the same input write the same bytes.
fn deterministic_segment_ids(files: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    let mut by_segment: BTreeMap<String, Vec<&Vec<u8>>> = BTreeMap::new();
    for (name, bytes) in &files {
        if let Some((stem, _)) = name.split_once('.') {
            if stem.len() == 32 && stem.chars().all(|c| c.is_ascii_hexdigit()) {
                by_segment.entry(stem.to_string()).or_default().push(bytes);
            }
        }
    }
    let renames: Vec<(String, String)> = by_segment
        .iter()
        .map(|(old, contents)| {
            let half = |salt: u8| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                salt.hash(&mut h);
                for c in contents {
                    c.hash(&mut h);
                }
                h.finish()
            };
            (old.clone(), format!("{:016x}{:016x}", half(1), half(2)))
        })
        .collect();
    let dashed =
        |hex: &str| format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]);
    files
        .into_iter()
        .map(|(mut name, mut bytes)| {
            for (old, new) in &renames {
                if name.starts_with(old.as_str()) {
                    name = name.replacen(old.as_str(), new, 1);
                }
                if name == "meta.json" {
                    let text = String::from_utf8_lossy(&bytes).replace(&dashed(old), &dashed(new));
                    bytes = text.into_bytes();
                }
            }
            (name, bytes)
        })
        .collect()
}

/// Rebuild the word list from the exported chunk files (for `casebook search --site`).
pub fn words_from_chunks<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Result<Words, IndexError> {
    let mut map = BTreeMap::new();
    for bytes in chunks {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| IndexError::Io(e.to_string()))?;
        if let Some(words) = v.get("words").and_then(|w| w.as_object()) {
            for (word, entry) in words {
                let stem = entry.get(0).and_then(|s| s.as_str()).unwrap_or_default().to_string();
                let df = entry.get(1).and_then(serde_json::Value::as_u64).unwrap_or(0) as u32;
                map.insert(word.clone(), (stem, df));
            }
        }
    }
    Ok(Words { map })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicated_bm25_matches_tantivy_bit_for_bit() {
        for (df, n, avg) in [(1u64, 10u64, 7.5f32), (37, 10_000, 412.25), (9_999, 10_000, 3.0), (3, 44, 880.1)] {
            let tantivy_weight = tantivy::query::Bm25Weight::for_one_term(df, n, avg);
            let table = norm_table(avg);
            let w = weight(df, n);
            for (fnid, tf) in [(0u8, 1u32), (17, 3), (120, 1), (255, 40)] {
                let ours = w * (tf as f32 / (tf as f32 + table[fnid as usize]));
                assert_eq!(
                    ours.to_bits(),
                    tantivy_weight.score(fnid, tf).to_bits(),
                    "df {df} n {n} fnid {fnid} tf {tf}"
                );
            }
        }
    }
}
