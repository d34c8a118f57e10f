//! The files of the static search export, as types: the one definition of
//! what `search/` holds, shared by the writer and every reader.
//!
//! Part of the index layer (L3). [`super::export`] builds these values and
//! writes them with [`encode`]; [`super::site`] (`casebook search --site`)
//! reads them back with [`decode`]; the browser engine
//! (`themes/default/static/search.js`) and the search page read the same
//! JSON, and a test (`tests/casebook/search.rs`, with
//! `tests/js/format-reads.mjs`) runs both under Node and checks that every
//! field they read is a field here and that every field here is read.
//!
//! Why types rather than `serde_json::Value`: a field renamed on one side
//! only is then an error naming the file ([`IndexError::Decode`]), never a
//! silently empty result. Unknown fields are refused for the same reason.
//!
//! The bytes are part of the format: struct fields serialise in declaration
//! order, and the files were first written from JSON maps, so the fields of
//! [`DocMeta`] and [`Facets`] stay in alphabetical order. Tuples ([`Postings`],
//! a word's `(stem, document frequency)`, a facet row) are JSON arrays.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::IndexError;

/// The format version the browser engine checks (`manifest.format`).
pub const FORMAT: u32 = 2;

/// The name of the manifest, the one search file without a content hash.
pub const MANIFEST: &str = "manifest.json";

/// `search/manifest.json`: what a query needs before it reads anything else.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// How many documents the index holds.
    pub docs: u64,
    /// The searched text fields, in schema (and query clause) order.
    pub fields: Vec<String>,
    /// Per field, the average field length as an f32 bit pattern.
    pub average_fieldnorms: Vec<u32>,
    /// The first word of every word chunk, in word order; chunk `i` is
    /// [`Manifest::chunk_file`]`(i)`.
    pub chunks: Vec<String>,
    /// The content hash of the set of word chunks.
    pub chunk_set: String,
    /// Documents per metadata shard.
    pub shard_docs: usize,
    /// The content hash of the set of metadata shards; shard `i` is
    /// [`Manifest::shard_file`]`(i)`.
    pub shard_set: String,
    /// How many metadata shards there are.
    pub shards: usize,
    /// The name of the facet file.
    pub facets: String,
    /// How many corpus words an unfinished last query word expands to.
    pub prefix_expansions: usize,
    /// Per text field, the boost of its matches, as f32 bit patterns.
    pub field_boosts: Vec<u32>,
    /// The weight of a synonym's matches, as an f32 bit pattern.
    pub synonym_weight: u32,
    /// The boost of adjacent query words found adjacent, as an f32 bit pattern.
    pub pair_boost: u32,
    /// The average length of the pairs field, as an f32 bit pattern.
    pub pair_average_fieldnorm: u32,
    /// The first pair of every pair chunk, in order; chunk `i` is
    /// [`Manifest::pair_file`]`(i)`.
    pub pair_chunks: Vec<String>,
    /// The content hash of the set of pair chunks.
    pub pair_set: String,
    /// Synonym groups, each member a stem or a `"stem stem"` pair.
    pub synonyms: Vec<Vec<String>>,
    /// The first letters of the typo lists; list `i` is
    /// [`Manifest::typo_file`]`(i)`.
    pub typo_initials: Vec<String>,
    /// The content hash of the set of typo lists.
    pub typo_set: String,
    /// Words not counted among the words a result matches.
    pub stop_words: Vec<String>,
}

impl Manifest {
    /// The name of word chunk `i` (a [`WordChunk`]).
    pub fn chunk_file(&self, i: usize) -> String {
        format!("w-{}-{i}.json", self.chunk_set)
    }

    /// The name of metadata shard `i` (a list of [`DocMeta`]).
    pub fn shard_file(&self, i: usize) -> String {
        format!("d-{}-{i}.json", self.shard_set)
    }

    /// The name of pair chunk `i` (a [`PairChunk`]).
    pub fn pair_file(&self, i: usize) -> String {
        format!("p-{}-{i}.json", self.pair_set)
    }

    /// The name of typo list `i` (a list of `[word, document frequency]`).
    pub fn typo_file(&self, i: usize) -> String {
        format!("t-{}-{i}.json", self.typo_set)
    }
}

/// `search/p-SET-N.json`: a run of the sorted pair terms (two adjacent
/// stems, `"a b"`) and their postings in the pairs field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairChunk {
    pub pairs: BTreeMap<String, Postings>,
}

/// `search/w-SET-N.json`: a run of the sorted corpus words, and the postings
/// of every stem those words use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordChunk {
    /// Stem → its postings, one entry per field it occurs in, in field order.
    pub stems: BTreeMap<String, Vec<Postings>>,
    /// Word → (stem, document frequency).
    pub words: BTreeMap<String, (String, u32)>,
    /// Stems that sort into this chunk's range without being a word of it
    /// (`throttl`): their postings are in `stems`, so a query word the
    /// corpus does not hold finds its stem's postings by the stem.
    pub roots: Vec<String>,
}

/// The postings of one stem in one field, as a JSON array
/// `[field, weight bits, doc deltas, term frequencies, fieldnorm ids]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Postings(
    /// The field's index in [`Manifest::fields`].
    pub usize,
    /// The BM25 weight `idf·(1+k1)` as an f32 bit pattern.
    pub u32,
    /// Document numbers, each as the difference from the previous one.
    pub Vec<u32>,
    /// Term frequency in each document.
    pub Vec<u32>,
    /// Fieldnorm id of the field in each document.
    pub Vec<u8>,
);

/// One document of a metadata shard (`search/d-SET-N.json`, a JSON array of
/// these): what a result shows. Fields in alphabetical order (see the module
/// documentation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocMeta {
    pub categories: Vec<String>,
    pub id: String,
    /// What a result can quote: each remedy that worked, then each finding.
    pub passages: Vec<Passage>,
    pub services: Vec<String>,
    pub severity: Option<String>,
    /// The start date, `YYYY-MM-DD`.
    pub started: Option<String>,
    pub summary: String,
    pub title: String,
    /// The incident page, relative to the site root.
    pub url: String,
}

/// A quotable part of an incident, as a JSON array `[anchor, symptom, text]`:
/// a remedy (`remedy-N`; its symptom, and what was done) or a finding
/// (`finding-ID`; no symptom, its summary).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Passage(pub String, pub String, pub String);

/// `search/f-HASH.json`: every document's facet values, for filtering.
/// Fields in alphabetical order (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facets {
    pub categories: Vec<String>,
    /// Per document in document order, the indexes of its values in
    /// `[categories, severities, services, years]`.
    pub docs: Vec<[Vec<usize>; 4]>,
    /// Service slugs.
    pub services: Vec<String>,
    pub severities: Vec<String>,
    pub years: Vec<String>,
}

/// The JSON of a search file (`file` names it in the error).
pub fn encode<T: Serialize>(file: &str, value: &T) -> Result<Vec<u8>, IndexError> {
    serde_json::to_vec(value).map_err(|source| IndexError::Encode { file: file.to_string(), source })
}

/// The manifest read back: first its version, so a manifest of another
/// format is said to be one rather than to have unknown fields.
pub fn read_manifest(file: &Path, bytes: &[u8]) -> Result<Manifest, IndexError> {
    #[derive(Deserialize)]
    struct Version {
        format: u32,
    }
    let Version { format } = decode(file, bytes)?;
    if format != FORMAT {
        return Err(IndexError::UnsupportedFormat { file: file.to_path_buf(), found: format, expected: FORMAT });
    }
    decode(file, bytes)
}

/// A search file read back; one that does not match `T` is an error naming `file`.
pub fn decode<T: DeserializeOwned>(file: &Path, bytes: &[u8]) -> Result<T, IndexError> {
    serde_json::from_slice(bytes).map_err(|source| IndexError::Decode { file: file.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_field_is_an_error_naming_the_file() {
        let mut json =
            String::from_utf8(encode(MANIFEST, &Manifest::default()).unwrap_or_default()).unwrap_or_default();
        json = json.replace("chunk_set", "chunk_hash");
        let Err(e) = decode::<Manifest>(Path::new("site/search/manifest.json"), json.as_bytes()) else {
            panic!("a manifest without chunk_set decodes")
        };
        let message = e.to_string();
        assert!(message.contains("site/search/manifest.json") && message.contains("chunk_set"), "{message}");
    }

    #[test]
    fn a_manifest_of_another_version_says_so() {
        let json = br#"{"format":1,"words":"elsewhere"}"#;
        let Err(e) = read_manifest(Path::new("manifest.json"), json) else { panic!("format 1 is read") };
        assert_eq!(e.to_string(), "search index: manifest.json is search format 1; this casebook reads format 2");
        let current = encode(MANIFEST, &Manifest { format: FORMAT, ..Manifest::default() }).unwrap_or_default();
        assert!(read_manifest(Path::new("manifest.json"), &current).is_ok());
    }

    #[test]
    fn postings_and_facet_rows_are_arrays() {
        let bytes = encode("w", &Postings(2, 7, vec![1, 3], vec![1, 2], vec![9, 0])).unwrap_or_default();
        assert_eq!(bytes, b"[2,7,[1,3],[1,2],[9,0]]");
        let facets = Facets { docs: vec![[vec![0, 1], vec![0], vec![], vec![2]]], ..Facets::default() };
        let bytes = encode("f", &facets).unwrap_or_default();
        assert_eq!(bytes, br#"{"categories":[],"docs":[[[0,1],[0],[],[2]]],"services":[],"severities":[],"years":[]}"#);
    }
}
