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
//! hash, XXH3 so that it stays the same from one Rust release to the next,
//! and hosts may cache the files forever; each file's type is in
//! [`super::format`], which `casebook search --site` reads them back with):
//! - `manifest.json`: fields, average field lengths, document count, the first word of
//!   every word chunk, the document shards and the facet file.
//! - `w-SET-N.json`: chunk N of the sorted corpus words, cut by volume
//!   (~8 KB raw). Each word has its stem and document frequency; the chunk holds
//!   the postings of every stem its words use, so one request per query word
//!   finds everything, prefix completions included (they sort next to it).
//! - `d-SET-N.json`: metadata of 4 consecutive documents (title, URL,
//!   summary, facets) for rendering results.
//! - `f-HASH.json`: compact facet values of every document, for filtering.
//! - `tantivy/`: the index itself, for `casebook search --site`.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::postings::{Postings as _, TermInfo};
use tantivy::schema::IndexRecordOption;
use tantivy::{Directory, DocSet};
use xxhash_rust::xxh3::Xxh3Default;

use super::format::{self, DocMeta, FORMAT, Facets, MANIFEST, Manifest, PairChunk, Passage, Postings, WordChunk};
use super::{IndexError, SearchIndex, TEXT_FIELDS, Words, facets};
use crate::model::{Incident, KnowledgeBase};
use crate::output::File;

/// BM25 parameters, as Tantivy's.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Target raw size of a word chunk.
const CHUNK_BYTES: usize = 8 * 1024;
/// Target raw size of a pair chunk: larger, so that the manifest's list of
/// first pairs stays short.
const PAIR_CHUNK_BYTES: usize = 32 * 1024;
/// Passages are cut to about this many characters (at a word).
const PASSAGE_CHARS: usize = 200;
/// Documents per metadata shard.
const SHARD_DOCS: usize = 4;

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

/// The postings of one stem in one field.
fn read_postings(term: &FieldTerm, reader: &FieldReader, num_docs: u64) -> Result<Postings, IndexError> {
    let mut postings = reader
        .inverted
        .read_postings_from_terminfo(&term.info, IndexRecordOption::WithFreqs)
        .map_err(tantivy::TantivyError::from)?;
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
    Ok(Postings(term.field, weight, deltas, tfs, norms))
}

/// Every static search file, plus the index files.
pub fn export(
    index: &SearchIndex,
    kb: &KnowledgeBase,
    words: &Words,
    synonyms: &[Vec<String>],
) -> Result<Vec<File>, IndexError> {
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
            let mut stream = inverted.terms().stream().map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let stem = String::from_utf8_lossy(stream.key()).into_owned();
                let term = FieldTerm { field: field_index, reader: readers.len(), info: stream.value().clone() };
                stems.entry(stem).or_default().push(term);
            }
            let norms = seg.fieldnorms_readers().get_field(*field)?;
            readers.push(FieldReader { inverted, norms });
        }
    }

    // Stems no word stems to under its own name: listed as roots, so a
    // query word the corpus lacks finds its stem's postings by the stem.
    let roots: BTreeSet<&String> =
        stems.keys().filter(|stem| words.map.get(*stem).is_none_or(|(own, _)| own != *stem)).collect();
    let mut entries: Vec<(&String, Option<&(String, u32)>)> = words.map.iter().map(|(w, e)| (w, Some(e))).collect();
    entries.extend(roots.iter().map(|r| (*r, None)));
    entries.sort_by(|a, b| a.0.cmp(b.0).then(a.1.is_none().cmp(&b.1.is_none())));

    // Word chunks, cut by volume.
    // (first word, bytes) of each chunk; named once all are known.
    let mut chunks: Vec<(String, Vec<u8>)> = Vec::new();
    let mut current_words: Vec<(&String, Option<&(String, u32)>)> = Vec::new();
    let mut current_stems: BTreeSet<&String> = BTreeSet::new();
    let mut current_size = 0usize;
    let stem_size =
        |stem: &String| stems.get(stem).map_or(0, |list| list.iter().map(|t| 12 + t.info.doc_freq as usize * 9).sum());
    let flush = |words: &mut Vec<(&String, Option<&(String, u32)>)>,
                 chunk_stems: &mut BTreeSet<&String>,
                 chunks: &mut Vec<(String, Vec<u8>)>|
     -> Result<(), IndexError> {
        let Some(first) = words.first().map(|(word, _)| (*word).clone()) else {
            return Ok(());
        };
        let mut chunk = WordChunk::default();
        for stem in chunk_stems.iter() {
            let list = stems.get(*stem).map_or(&[][..], Vec::as_slice);
            let postings = list
                .iter()
                .filter_map(|term| readers.get(term.reader).map(|reader| read_postings(term, reader, num_docs)))
                .collect::<Result<Vec<_>, _>>()?;
            chunk.stems.insert((*stem).clone(), postings);
        }
        for (word, entry) in words.iter() {
            match entry {
                Some(entry) => {
                    chunk.words.insert((*word).clone(), (*entry).clone());
                }
                None => chunk.roots.push((*word).clone()),
            }
        }
        chunks.push((first, format::encode(&format!("w-*-{}.json", chunks.len()), &chunk)?));
        words.clear();
        chunk_stems.clear();
        Ok(())
    };
    for (word, entry) in entries {
        let stem = entry.map_or(word, |e| &e.0);
        let added = if current_stems.contains(stem) { 0 } else { stem_size(stem) } + word.len() + 16;
        // A root stays with the word of the same name: one lookup finds both.
        let same_key = current_words.last().is_some_and(|(last, _)| *last == word);
        if current_size + added > CHUNK_BYTES && !current_words.is_empty() && !same_key {
            flush(&mut current_words, &mut current_stems, &mut chunks)?;
            current_size = 0;
        }
        current_size += if current_stems.contains(stem) { word.len() + 16 } else { stem_size(stem) + word.len() + 16 };
        current_words.push((word, entry));
        current_stems.insert(stem);
    }
    flush(&mut current_words, &mut current_stems, &mut chunks)?;

    let (pair_chunks, pair_average) = pair_chunks(index, &searcher, num_docs)?;
    let typo_lists = typo_lists(words)?;

    // Document metadata shards and facets, in document order.
    let by_id: BTreeMap<&str, &Incident> = kb.incidents.iter().map(|i| (i.id.as_str(), i)).collect();
    let docs: Vec<&Incident> = index.ids.iter().filter_map(|id| by_id.get(id.as_str()).copied()).collect();
    let mut shards = Vec::new();
    for group in docs.chunks(SHARD_DOCS) {
        let list: Vec<DocMeta> = group
            .iter()
            .map(|inc| DocMeta {
                categories: inc.categories.clone(),
                id: inc.id.clone(),
                passages: passages(inc),
                services: inc.services.clone(),
                severity: inc.severity.clone(),
                started: inc.clock.started.map(|s| s.date_naive().to_string()),
                summary: inc.summary.clone().unwrap_or_default(),
                title: inc.title.clone(),
                url: format!("incidents/{}/", inc.id),
            })
            .collect();
        shards.push(format::encode(&format!("d-*-{}.json", shards.len()), &list)?);
    }
    // One content hash per set of files keeps the manifest small: it lists
    // no per-file names, and any change renames the whole set.
    let chunk_set = set_hash(chunks.iter().map(|(_, b)| b.as_slice()));
    let shard_set = set_hash(shards.iter().map(Vec::as_slice));
    let facet_file = facet_file(&docs)?;
    let mut manifest = Manifest {
        format: FORMAT,
        docs: num_docs,
        fields: TEXT_FIELDS.iter().map(|f| f.to_string()).collect(),
        average_fieldnorms: averages,
        chunks: Vec::with_capacity(chunks.len()),
        chunk_set,
        shard_docs: SHARD_DOCS,
        shard_set,
        shards: shards.len(),
        facets: hashed("f", &facet_file),
        prefix_expansions: super::PREFIX_EXPANSIONS,
        field_boosts: super::FIELD_BOOSTS.iter().map(|b| b.to_bits()).collect(),
        synonym_weight: super::query::SYNONYM_WEIGHT.to_bits(),
        pair_boost: super::query::PAIR_BOOST.to_bits(),
        pair_average_fieldnorm: pair_average.to_bits(),
        pair_chunks: Vec::with_capacity(pair_chunks.len()),
        pair_set: set_hash(pair_chunks.iter().map(|(_, b)| b.as_slice())),
        synonyms: synonyms.to_vec(),
        typo_initials: Vec::with_capacity(typo_lists.len()),
        typo_set: set_hash(typo_lists.iter().map(|(_, b)| b.as_slice())),
        stop_words: crate::text::STOP_WORDS.iter().map(|w| w.to_string()).collect(),
    };
    for (i, (first, bytes)) in pair_chunks.into_iter().enumerate() {
        manifest.pair_chunks.push(first);
        files.push(File { path: format!("search/{}", manifest.pair_file(i)), bytes });
    }
    for (i, (initial, bytes)) in typo_lists.into_iter().enumerate() {
        manifest.typo_initials.push(initial);
        files.push(File { path: format!("search/{}", manifest.typo_file(i)), bytes });
    }
    for (i, (first, bytes)) in chunks.into_iter().enumerate() {
        manifest.chunks.push(first);
        files.push(File { path: format!("search/{}", manifest.chunk_file(i)), bytes });
    }
    for (i, bytes) in shards.into_iter().enumerate() {
        files.push(File { path: format!("search/{}", manifest.shard_file(i)), bytes });
    }
    files.push(File { path: format!("search/{}", manifest.facets), bytes: facet_file });
    files.push(File { path: format!("search/{MANIFEST}"), bytes: format::encode(MANIFEST, &manifest)? });

    for (name, bytes) in tantivy_files(index)? {
        files.push(File { path: format!("search/tantivy/{name}"), bytes });
    }
    Ok(files)
}

/// A search file before it is named: its first key, and its bytes.
type NamedBytes = (String, Vec<u8>);

/// The pair chunks (first pair, bytes), cut by volume, and the pairs
/// field's average length.
fn pair_chunks(
    index: &SearchIndex,
    searcher: &tantivy::Searcher,
    num_docs: u64,
) -> Result<(Vec<NamedBytes>, f32), IndexError> {
    let field = index.fields.pairs;
    let mut chunks = Vec::new();
    let mut total_tokens = 0u64;
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(field)?;
        total_tokens += inverted.total_num_tokens();
        let reader = FieldReader { inverted: inverted.clone(), norms: seg.fieldnorms_readers().get_field(field)? };
        let mut stream = inverted.terms().stream().map_err(tantivy::TantivyError::from)?;
        let mut chunk = PairChunk::default();
        let mut size = 0usize;
        while stream.advance() {
            let pair = String::from_utf8_lossy(stream.key()).into_owned();
            let info = stream.value().clone();
            let added = pair.len() + 12 + info.doc_freq as usize * 9;
            if size + added > PAIR_CHUNK_BYTES && !chunk.pairs.is_empty() {
                push_pair_chunk(&mut chunks, std::mem::take(&mut chunk))?;
                size = 0;
            }
            size += added;
            let term = FieldTerm { field: TEXT_FIELDS.len(), reader: 0, info };
            chunk.pairs.insert(pair, read_postings(&term, &reader, num_docs)?);
        }
        push_pair_chunk(&mut chunks, chunk)?;
    }
    let average = if num_docs == 0 { 1.0 } else { total_tokens as f32 / num_docs as f32 };
    Ok((chunks, average))
}

fn push_pair_chunk(chunks: &mut Vec<(String, Vec<u8>)>, chunk: PairChunk) -> Result<(), IndexError> {
    if let Some(first) = chunk.pairs.keys().next().cloned() {
        let bytes = format::encode(&format!("p-*-{}.json", chunks.len()), &chunk)?;
        chunks.push((first, bytes));
    }
    Ok(())
}

/// The words typos are corrected to, one list per first letter: every
/// word of at least `TYPO_MIN_DF` documents, with its document frequency.
fn typo_lists(words: &Words) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
    let mut lists: BTreeMap<char, Vec<(&str, u32)>> = BTreeMap::new();
    for (word, (_, df)) in &words.map {
        if let Some(first) = word.chars().next() {
            if *df >= super::query::TYPO_MIN_DF {
                lists.entry(first).or_default().push((word, *df));
            }
        }
    }
    lists
        .into_iter()
        .map(|(initial, list)| Ok((initial.to_string(), format::encode(&format!("t-*-{initial}.json"), &list)?)))
        .collect()
}

/// The remedies that worked (`remedy-N`, numbered among all remedies from
/// 1) and the findings of an incident, as search results quote them.
pub fn passages(inc: &Incident) -> Vec<Passage> {
    let remedies = inc.remedies.iter().enumerate().filter(|(_, r)| r.worked).map(|(n, r)| {
        Passage(crate::model::remedy_anchor(n), cut(r.symptom.as_deref().unwrap_or_default()), cut(&r.summary))
    });
    let findings = inc.findings.iter().map(|f| Passage(format!("finding-{}", f.id), String::new(), cut(&f.summary)));
    remedies.chain(findings).collect()
}

/// `text`, cut after the last whole word within [`PASSAGE_CHARS`] and marked "…".
fn cut(text: &str) -> String {
    let Some((end, _)) = text.char_indices().nth(PASSAGE_CHARS) else { return text.to_string() };
    let head = &text[..end];
    let head = head.rfind(char::is_whitespace).map_or(head, |space| &head[..space]);
    format!("{}…", head.trim_end())
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
        rows.push([c, s, v, y]);
    }
    let [categories, severities, services, years] = values;
    format::encode("f-*.json", &Facets { categories, docs: rows, services, severities, years })
}

/// The content hash of `parts`, with a fixed algorithm (XXH3, default
/// seed): a name made from it changes when the content does and only then,
/// whichever Rust compiled casebook (std's `DefaultHasher` promises no
/// stable output). Each part goes in after its length, so bytes moved from
/// one part to the next change the hash.
fn content_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Xxh3Default {
    let mut h = Xxh3Default::new();
    for part in parts {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h
}

/// The name part of a set of files: 16 hex digits.
fn set_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    format!("{:016x}", content_hash(parts).digest())
}

/// `{prefix}-{16 hex digits}.json`.
fn hashed(prefix: &str, bytes: &[u8]) -> String {
    format!("{prefix}-{}.json", set_hash([bytes]))
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
        if !dir.exists(path).map_err(tantivy::TantivyError::from)? {
            continue;
        }
        let bytes = dir.atomic_read(path).map_err(tantivy::TantivyError::from)?;
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
            let id = content_hash(contents.iter().map(|c| c.as_slice())).digest128();
            (old.clone(), format!("{id:032x}"))
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
