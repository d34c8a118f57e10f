//! Detected recurrence: which incidents read like the same failure.
//!
//! Each incident's findings, remedies (with the symptoms they answer),
//! guardrails, summary and title are cut into words by the search index's
//! own analyzer (`en_stem`: the same tokens and stems `casebook search`
//! matches), weighted by term frequency and the index's BM25 inverse document
//! frequency, and reduced to the incident's most distinctive terms — what
//! Tantivy's MoreLikeThis query does with a document. Two incidents' text
//! similarity is the cosine of those term vectors, 0 to 1.
//!
//! Shared categories and services raise that score but never create it on
//! their own: `score = text × (1 + 0.3·categories + 0.2·services)`, the two
//! being Jaccard overlaps, capped at 1. Two incidents that only share a
//! category (a certificate that expired and one that was revoked) stay apart.
//!
//! Candidates come from an inverted list of every incident's top terms, so
//! the cost grows with the number of incidents that share distinctive words,
//! not with the square of the knowledge base; running one MoreLikeThis query
//! per incident measured 20–40 ms a query at 10,000 incidents, minutes per
//! build. See `docs/recurrence.md`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashMap;

use rayon::prelude::*;
use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::model::{Incident, KnowledgeBase};
use crate::text::STOP_WORDS;

/// How the similarity is computed; `casebook.toml` sets the threshold,
/// the listing limit and extra synonyms, the rest are tuned defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Links at or above this are listed as similar.
    pub threshold: f64,
    /// Links at or above this count as likely recurrences: in the recurrence
    /// rate, guardrail outcomes, `check`'s warning and the detected groups.
    pub recurrence_threshold: f64,
    pub max_listed: usize,
    /// How many terms describe one incident (MoreLikeThis's `max_query_terms`).
    pub top_terms: usize,
    /// How much a full overlap of categories, and of services, raises a text score.
    pub category_boost: f64,
    pub service_boost: f64,
    /// Synonym groups on top of the built-in thesaurus.
    pub synonyms: Vec<Vec<String>>,
    /// The organisation's own names (`[site] own_names`): left out of the
    /// comparison like service names, as they describe who wrote a record,
    /// not how it failed.
    pub own_names: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            threshold: 0.25,
            recurrence_threshold: 0.35,
            max_listed: 5,
            top_terms: 60,
            category_boost: 0.3,
            service_boost: 0.1,
            synonyms: Vec::new(),
            own_names: Vec::new(),
        }
    }
}

impl Params {
    pub fn from_config(r: &crate::config::Recurrence) -> Self {
        Params {
            threshold: r.similarity_threshold,
            recurrence_threshold: r.recurrence_threshold,
            max_listed: r.max_similar,
            synonyms: r.synonyms.clone(),
            ..Params::default()
        }
    }

    /// The same, leaving the organisation's own names out of the comparison.
    pub fn with_own_names(self, names: &[String]) -> Self {
        Params { own_names: names.to_vec(), ..self }
    }
}
/// The fewest links kept per incident.
const KEEP_AT_LEAST: usize = 20;
/// How many matched words are shown as the reason for a link.
const REASON_TERMS: usize = 5;

/// Whether a lower-case word is too common in English to say anything.
pub(crate) fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// Why two incidents were linked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reasons {
    pub categories: Vec<String>,
    pub services: Vec<String>,
    /// The matched words that weigh most, as the incident itself writes them.
    pub terms: Vec<String>,
    /// The later record's sentence that names the earlier one as what came
    /// back (see [`super::mentions`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mention: Option<String>,
}

/// One detected similar incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarLink {
    pub id: String,
    /// 0–1, rounded to three decimals.
    pub score: f64,
    /// The text similarity alone, before categories and services.
    pub text_score: f64,
    pub reasons: Reasons,
}

/// Every incident's similar incidents at or above the threshold, best first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Similarity {
    pub threshold: f64,
    pub recurrence_threshold: f64,
    pub max_listed: usize,
    pub links: BTreeMap<String, Vec<SimilarLink>>,
}

impl Similarity {
    /// The similar incidents a page lists: the best `max_listed`.
    pub fn listed(&self, id: &str) -> &[SimilarLink] {
        self.links.get(id).map_or(&[], |l| &l[..l.len().min(self.max_listed)])
    }

    /// Every link at or above the threshold.
    pub fn all(&self, id: &str) -> &[SimilarLink] {
        self.links.get(id).map_or(&[], Vec::as_slice)
    }

    /// Links strong enough to count as likely recurrences.
    pub fn likely(&self, id: &str) -> impl Iterator<Item = &SimilarLink> {
        let at = self.recurrence_threshold;
        self.all(id).iter().filter(move |l| l.score >= at)
    }

    /// The score between two incidents, when it reaches the threshold.
    pub fn score(&self, a: &str, b: &str) -> Option<f64> {
        self.all(a).iter().find(|l| l.id == b).map(|l| l.score)
    }
}

/// The most incidents a compared word may occur in.
const MAX_DOC_FREQ: usize = 500;

/// A term of one incident and its weight there.
#[derive(Debug, Clone, Copy)]
struct Weighted {
    term: usize,
    weight: f64,
}

/// How an incident writes one of its top terms (its first spelling).
struct Spelling {
    term: usize,
    word: Arc<str>,
}

/// One incident reduced to its weighted terms.
struct Profile {
    /// Weights L2-normalised, heaviest first.
    top: Vec<Weighted>,
    /// The same, by term number.
    by_term: Vec<Weighted>,
    /// The top terms' spellings, by term number.
    surface: Vec<Spelling>,
}

/// The text the similarity reads: what failed and how it was fixed, not the
/// narrative or the action list (whose wording is the same everywhere).
pub fn similarity_text(inc: &Incident) -> String {
    let mut parts: Vec<&str> = vec![&inc.title];
    parts.extend(inc.summary.as_deref());
    for f in &inc.findings {
        parts.push(&f.summary);
        parts.extend(f.evidence.as_deref());
        parts.extend(f.whys.iter().map(String::as_str));
    }
    for r in &inc.remedies {
        parts.push(&r.summary);
        parts.extend(r.symptom.as_deref());
        parts.extend(r.steps.iter().map(String::as_str));
    }
    for g in &inc.guardrails {
        parts.push(&g.summary);
    }
    let mut text = parts.join("\n");
    // The mechanisms the record names in phrases, as concept words: in what
    // is compared, and in the narrative, whose own words are not compared
    // (they tell how a team writes as much as how something failed).
    let concepts = super::concepts::annotate(&text);
    let told = super::concepts::annotate(&inc.body);
    for concept in [&concepts, &concepts, &told] {
        text.push('\n');
        text.push_str(concept);
    }
    text
}

/// The search index's analyzer.
fn analyzer() -> Option<TextAnalyzer> {
    crate::text::analyzer()
}

/// The analyzer with a memory: Tantivy's `SimpleTokenizer` splits on every
/// character that is not alphanumeric, so each run of alphanumerics is one
/// token, and the rest of the chain (length limit, lower case, stemmer)
/// depends on that word alone. Each distinct word goes through the analyzer
/// once; the stems are exactly the analyzer's.
struct Stems<'f> {
    analyzer: TextAnalyzer,
    fold: &'f HashMap<String, String>,
    words: FxHashMap<Box<str>, Option<Arc<Word>>>,
    /// One `Arc` per folded stem, so that equal stems share an address,
    /// and the stem's number in this cache (in order of first sight).
    folded: FxHashMap<Box<str>, (Arc<str>, u32)>,
}

/// One stem of one incident: the word it first appears as, and how often it
/// occurs. Compact, as there is one for every distinct word of every incident.
struct Counted {
    word: Arc<Word>,
    count: u32,
}

/// What a word contributes: its stem, folded onto its synonym group's, the
/// unfolded stem (to compare with service names), and its lower-case form.
struct Word {
    folded: Arc<str>,
    /// The folded stem's number in the cache that made this word.
    local: u32,
    stem: Arc<str>,
    surface: Arc<str>,
}

impl<'f> Stems<'f> {
    fn new(analyzer: TextAnalyzer, fold: &'f HashMap<String, String>) -> Self {
        Stems { analyzer, fold, words: FxHashMap::default(), folded: FxHashMap::default() }
    }

    /// Every distinct stem worth comparing, with its first word and its
    /// occurrences, in order of first appearance. Stems in `skip` (the
    /// incident's own service names, which are compared as such) are left
    /// out; synonyms fold onto their group's stem.
    fn counts(&mut self, text: &str, skip: &[String]) -> Vec<Counted> {
        let mut out: Vec<Counted> = Vec::new();
        // By address (each distinct word has one `Word`, each folded stem one
        // `Arc`): where a word is counted in `out`, None if it is skipped;
        // where a folded stem is.
        let mut by_word: FxHashMap<*const Word, Option<usize>> = FxHashMap::default();
        let mut by_stem: FxHashMap<*const u8, usize> = FxHashMap::default();
        crate::text::each_run(text, |word| {
            let entry = match self.words.get(word) {
                Some(entry) => entry,
                None => {
                    let made = self.word(word);
                    self.words.entry(word.into()).or_insert(made)
                }
            };
            let Some(w) = entry else { return };
            let slot = *by_word.entry(Arc::as_ptr(w)).or_insert_with(|| {
                (!skip.iter().any(|s| **s == *w.stem)).then(|| {
                    *by_stem.entry(Arc::as_ptr(&w.folded).cast::<u8>()).or_insert_with(|| {
                        out.push(Counted { word: w.clone(), count: 0 });
                        out.len() - 1
                    })
                })
            });
            if let Some(i) = slot {
                out[i].count += 1;
            }
        });
        out
    }

    fn word(&mut self, word: &str) -> Option<Arc<Word>> {
        // `word` is one run of alphanumerics: one token at most.
        let stem = crate::text::stem_of(word, &mut self.analyzer)?;
        let surface = word.to_lowercase();
        let keep = surface.len() > 1
            && STOP_WORDS.binary_search(&surface.as_str()).is_err()
            && !surface.chars().all(|c| c.is_ascii_digit())
            && !super::writing::is_writing_word(&surface);
        let fold = self.fold;
        let folded = fold.get(&stem).map_or(stem.as_str(), |f| f.as_str());
        keep.then(|| {
            let next = self.folded.len() as u32;
            let (folded, local) = self.folded.entry(folded.into()).or_insert_with(|| (Arc::from(folded), next)).clone();
            Arc::new(Word { folded, local, stem: Arc::from(stem.as_str()), surface: Arc::from(surface) })
        })
    }
}

/// Every stem of a word list, through the analyzer.
fn stems(words: &str, analyzer: &mut TextAnalyzer) -> Vec<String> {
    let mut out = Vec::new();
    analyzer.token_stream(words).process(&mut |t| out.push(t.text.clone()));
    out
}

/// Stem → the stem of its synonym group's first word.
fn fold_map(extra: &[Vec<String>], analyzer: &mut TextAnalyzer) -> HashMap<String, String> {
    let mut fold = HashMap::new();
    let built_in = crate::text::thesaurus::GROUPS.iter().map(|g| g.iter().map(|w| w.to_string()).collect::<Vec<_>>());
    for group in built_in.chain(extra.iter().cloned()) {
        let Some(head) = group.first().and_then(|w| stems(w, analyzer).into_iter().next()) else { continue };
        for word in &group {
            for stem in stems(word, analyzer) {
                fold.entry(stem).or_insert_with(|| head.clone());
            }
        }
    }
    fold
}

/// BM25's inverse document frequency, as Tantivy computes it.
fn idf(doc_freq: usize, docs: usize) -> f64 {
    let (n, df) = (docs as f64, doc_freq as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The Jaccard index of two short lists of names, without listing them.
fn jaccard_score<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    let shared = a.iter().filter(|x| b.contains(x)).count();
    let union = a.len() + b.len() - shared;
    if union == 0 { 0.0 } else { shared as f64 / union as f64 }
}

/// Combine a text similarity with the shared categories and services.
pub fn combined_score(text: f64, categories: f64, services: f64, params: &Params) -> f64 {
    (text * (1.0 + params.category_boost * categories + params.service_boost * services)).min(1.0)
}

/// Rank every incident of `kb` against the others; keep links scoring at
/// least `threshold`, best first (ties by id).
pub fn compute(kb: &KnowledgeBase, params: &Params) -> Similarity {
    compute_among(&kb.incidents.iter().collect::<Vec<_>>(), params)
}

/// [`compute`] over any set of incidents. The order of `incidents` numbers
/// the terms and breaks ties between equal scores of duplicate ids.
pub fn compute_among(incidents: &[&Incident], params: &Params) -> Similarity {
    let (threshold, max_listed) = (params.threshold, params.max_listed);
    let recurrence_threshold = params.recurrence_threshold.max(threshold);
    let Some(mut analyzer) = analyzer() else {
        return Similarity { threshold, recurrence_threshold, max_listed, links: BTreeMap::new() };
    };
    let fold = fold_map(&params.synonyms, &mut analyzer);
    // The organisation's names, configured and learned from titles, are
    // left out like each incident's own service names.
    let mut names = params.own_names.join(" ");
    names.push(' ');
    names.push_str(&super::writing::names_in_titles(incidents).join(" "));
    let own = stems(&names, &mut analyzer);
    let terms = count_terms(incidents, analyzer, &fold, &own);
    let term_count = terms.doc_freq.len();
    let profiles = profiles(terms, params.top_terms);
    let boost = 1.0 + params.category_boost + params.service_boost;
    let after = text_scores(&profiles, term_count, |text| text * boost >= threshold);
    let before = seen_from_later(&after);
    let candidates = number_names(incidents);
    let id_rank = id_ranks(incidents);

    // Keep the best few per incident: enough for listing and for judging
    // recurrence, bounded however alike a knowledge base's records are.
    let keep = max_listed.saturating_mul(4).max(KEEP_AT_LEAST);
    // Ties are broken by id: by each id's rank, so the sort compares integers
    // rather than strings (the position breaks ties between duplicates).
    let best_first = |x: &Scored, y: &Scored| {
        y.score.total_cmp(&x.score).then(id_rank[x.other].cmp(&id_rank[y.other])).then(x.other.cmp(&y.other))
    };
    let links: BTreeMap<String, Vec<SimilarLink>> = (0..incidents.len())
        .into_par_iter()
        .map(|d| {
            let mine = &candidates[d];
            let mut scored: Vec<Scored> = Vec::new();
            for near in before[d].iter().chain(&after[d]) {
                let other = near.other as usize;
                let theirs = &candidates[other];
                if theirs.id == mine.id {
                    continue;
                }
                let text = f64::from(near.text);
                let cat = jaccard_score(&mine.categories, &theirs.categories);
                let svc = jaccard_score(&mine.services, &theirs.services);
                let score = combined_score(text, cat, svc, params);
                if score >= threshold {
                    scored.push(Scored { score, text, other });
                }
            }
            if scored.len() > keep {
                scored.select_nth_unstable_by(keep, best_first);
                scored.truncate(keep);
            }
            scored.sort_unstable_by(best_first);
            let side = |i: usize| Side { incident: incidents[i], names: &candidates[i], profile: &profiles[i] };
            let found: Vec<SimilarLink> =
                scored.iter().map(|s| link(side(d), side(s.other), s.score, s.text)).collect();
            (incidents[d].id.clone(), found)
        })
        .filter(|(_, found)| !found.is_empty())
        .collect();
    let mut links = links;
    add_mentions(&mut links, incidents, threshold, recurrence_threshold);
    Similarity { threshold, recurrence_threshold, max_listed, links }
}

/// A record that names an earlier one as what came back is a likely
/// recurrence of it, whatever the wording: both directions get a link at
/// least at the recurrence threshold, with the sentence as the reason. One
/// that only names its id (for context) is listed, at the listing threshold.
fn add_mentions(links: &mut BTreeMap<String, Vec<SimilarLink>>, incidents: &[&Incident], listed: f64, likely: f64) {
    let mentions = super::mentions::find(incidents);
    if mentions.is_empty() {
        return;
    }
    let by_id: HashMap<&str, &Incident> = incidents.iter().map(|i| (i.id.as_str(), *i)).collect();
    for (from, list) in &mentions {
        for m in list {
            let at = if m.recurs { likely } else { listed };
            for (a, b) in [(from.as_str(), m.id.as_str()), (m.id.as_str(), from.as_str())] {
                let (Some(x), Some(y)) = (by_id.get(a), by_id.get(b)) else { continue };
                let entry = links.entry(a.to_string()).or_default();
                match entry.iter_mut().find(|l| l.id == b) {
                    Some(l) => {
                        l.score = l.score.max(round3(at));
                        l.reasons.mention = Some(m.sentence.clone());
                    }
                    None => {
                        let shared = |mine: &[String], theirs: &[String]| -> Vec<String> {
                            mine.iter().filter(|n| theirs.contains(n)).cloned().collect()
                        };
                        entry.push(SimilarLink {
                            id: b.to_string(),
                            score: round3(at),
                            text_score: 0.0,
                            reasons: Reasons {
                                categories: shared(&x.categories, &y.categories),
                                services: shared(&x.services, &y.services),
                                terms: vec![],
                                mention: Some(m.sentence.clone()),
                            },
                        });
                    }
                }
                entry.sort_by(|p, q| q.score.total_cmp(&p.score).then_with(|| p.id.cmp(&q.id)));
            }
        }
    }
}

/// Every incident's stems with their counts, and each stem's number across
/// the knowledge base (in order of first appearance, incident order).
struct Terms {
    /// Per incident, its stems in order of first appearance.
    counts: Vec<Vec<Counted>>,
    /// Parallel to `counts`: each stem's number.
    numbers: Vec<Vec<u32>>,
    /// Per stem number: in how many incidents it occurs.
    doc_freq: Vec<usize>,
    /// Per stem number: boilerplate of the knowledge base's narratives.
    boilerplate: Vec<bool>,
}

/// Count each incident's stems (in parallel), then number the stems in order
/// of first appearance and count the incidents each occurs in.
fn count_terms(
    incidents: &[&Incident],
    analyzer: TextAnalyzer,
    fold: &HashMap<String, String>,
    own: &[String],
) -> Terms {
    // One word cache per worker thread (`map_init` would start an empty one
    // for every piece rayon splits the work into, and stem every word again).
    let caches: Vec<Mutex<Stems>> =
        (0..rayon::current_num_threads().max(1)).map(|_| Mutex::new(Stems::new(analyzer.clone(), fold))).collect();
    // Each incident's counts, with the cache that made them.
    // Boilerplate is learned from a sample of the narratives, evenly spread:
    // every `step`-th record's.
    let step = incidents.len().div_ceil(NARRATIVE_SAMPLE).max(1);
    let counted: Vec<(usize, Vec<Counted>, Vec<Counted>)> = incidents
        .par_iter()
        .enumerate()
        .map(|(i, inc)| {
            let slot = rayon::current_thread_index().unwrap_or(0) % caches.len();
            let mut cached = caches[slot].lock().unwrap_or_else(PoisonError::into_inner);
            let names = inc.services.join(" ");
            let mut skip = stems(&names, &mut cached.analyzer);
            skip.extend(own.iter().cloned());
            let text = similarity_text(inc);
            let mine = cached.counts(&super::writing::without_addresses(&text), &skip);
            let narrative = if i % step == 0 {
                cached.counts(&super::writing::without_addresses(&narrative_text(inc)), &skip)
            } else {
                Vec::new()
            };
            (slot, mine, narrative)
        })
        .collect();
    let mut slots = Vec::with_capacity(counted.len());
    let mut counts = Vec::with_capacity(counted.len());
    let mut narratives = Vec::with_capacity(counted.len());
    for (slot, mine, narrative) in counted {
        slots.push(slot);
        counts.push(mine);
        narratives.push(narrative);
    }
    // A stem is looked up by its text once per cache, the first time that
    // cache's number for it comes up; after that its number is read from
    // `remap`, by the cache's number.
    let mut remap: Vec<Vec<u32>> =
        caches.iter().map(|c| vec![u32::MAX; c.lock().unwrap_or_else(PoisonError::into_inner).folded.len()]).collect();
    let mut by_text: FxHashMap<&str, u32> = FxHashMap::default();
    let mut doc_freq: Vec<usize> = Vec::new();
    let numbers: Vec<Vec<u32>> = counts
        .iter()
        .zip(&slots)
        .map(|(terms, &slot)| {
            let remap = &mut remap[slot];
            terms
                .iter()
                .map(|counted| {
                    let known = &mut remap[counted.word.local as usize];
                    if *known == u32::MAX {
                        let next = by_text.len() as u32;
                        *known = *by_text.entry(&counted.word.folded).or_insert(next);
                        if *known as usize == doc_freq.len() {
                            doc_freq.push(0);
                        }
                    }
                    doc_freq[*known as usize] += 1;
                    *known
                })
                .collect()
        })
        .collect();
    // How many narratives each compared stem occurs in.
    let mut in_narratives = vec![0usize; doc_freq.len()];
    let mut narrated = 0;
    for narrative in &narratives {
        narrated += usize::from(!narrative.is_empty());
        for counted in narrative {
            if let Some(&n) = by_text.get(&*counted.word.folded) {
                in_narratives[n as usize] += 1;
            }
        }
    }
    let boilerplate = boilerplate(&doc_freq, &in_narratives, narrated, step);
    Terms { counts, numbers, doc_freq, boilerplate }
}

/// The narrative of a record: its body and timeline, the words a team uses
/// to tell any incident.
fn narrative_text(inc: &Incident) -> String {
    // The opening of the body is enough to learn how a team writes, and
    // bounds the cost of a knowledge base of long narratives.
    let mut end = inc.body.len().min(NARRATIVE_BYTES);
    while !inc.body.is_char_boundary(end) {
        end -= 1;
    }
    let mut text = inc.body[..end].to_string();
    for entry in &inc.timeline {
        text.push('\n');
        text.push_str(&entry.event);
    }
    text
}

/// How much of each body the boilerplate is learned from.
const NARRATIVE_BYTES: usize = 2000;
/// From how many narratives at most: a larger knowledge base's are sampled.
const NARRATIVE_SAMPLE: usize = 2000;
/// The fewest narratives a knowledge base needs before its boilerplate is learned.
const BOILERPLATE_NARRATIVES: usize = 10;
/// A stem in at least this share of the narratives…
const BOILERPLATE_SHARE: f64 = 0.3;
/// …and in at least this many times more narratives than compared texts
/// tells how a team writes, not how something failed.
const BOILERPLATE_RATIO: usize = 2;

/// Per stem number: whether it is boilerplate of this knowledge base's
/// writing, learned from how often it occurs in narratives against how
/// often it occurs in the findings, remedies and summaries compared. The
/// narratives counted are one record's in every `step`.
fn boilerplate(doc_freq: &[usize], in_narratives: &[usize], narrated: usize, step: usize) -> Vec<bool> {
    if narrated < BOILERPLATE_NARRATIVES {
        return vec![false; doc_freq.len()];
    }
    let at_least = (narrated as f64 * BOILERPLATE_SHARE).ceil() as usize;
    doc_freq.iter().zip(in_narratives).map(|(&df, &nf)| nf >= at_least && nf * step >= BOILERPLATE_RATIO * df).collect()
}

/// Each incident's profile: its `top_terms` heaviest terms by TF-IDF,
/// leaving out the terms too rare to be shared and too common to tell.
fn profiles(terms: Terms, top_terms: usize) -> Vec<Profile> {
    let Terms { counts, numbers, doc_freq, boilerplate } = terms;
    let docs = counts.len();
    // A word in more than half the incidents of a small knowledge base, or
    // in more than one in twenty of a large one (and never in more than
    // 500), describes incidents in general (MoreLikeThis's max_doc_freq). It
    // also keeps the inverted lists short: the bound keeps scoring linear in
    // the number of incidents beyond 10,000.
    let too_common = if docs >= 8 { (docs / 20).max((docs / 2).min(50)).min(MAX_DOC_FREQ) } else { docs };
    counts
        .par_iter()
        .zip(&numbers)
        .map(|(counted, numbers)| {
            let numbered = || counted.iter().zip(numbers).map(|(c, &n)| (n as usize, c));
            let mut weighted: Vec<Weighted> = numbered()
                .filter(|(n, _)| (2..=too_common).contains(&doc_freq[*n]) && !boilerplate[*n])
                .map(|(n, c)| Weighted { term: n, weight: (1.0 + f64::from(c.count).ln()) * idf(doc_freq[n], docs) })
                .collect();
            weighted.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.term.cmp(&b.term)));
            weighted.truncate(top_terms);
            let norm = weighted.iter().map(|w| w.weight * w.weight).sum::<f64>().sqrt();
            if norm > 0.0 {
                for w in &mut weighted {
                    w.weight /= norm;
                }
            }
            let mut by_term = weighted.clone();
            by_term.sort_by_key(|w| w.term);
            let surface = by_term
                .iter()
                .filter_map(|w| {
                    let (_, c) = numbered().find(|(n, _)| *n == w.term)?;
                    Some(Spelling { term: w.term, word: c.word.surface.clone() })
                })
                .collect();
            Profile { top: weighted, by_term, surface }
        })
        .collect()
}

/// One incident in a term's inverted list, with the term's weight there.
/// Compact: the scoring loop streams through these lists, so their size is
/// its speed.
#[derive(Clone, Copy)]
struct Posting {
    incident: u32,
    weight: f32,
}

/// The text score of a pair, seen from one of its incidents.
#[derive(Clone, Copy)]
struct Near {
    other: u32,
    text: f32,
}

/// The text score of each pair, computed once, from the side of the incident
/// that comes first: each incident is scored against the ones after it.
/// Pairs that cannot `reach` the threshold, even with every category and
/// service shared, are dropped.
fn text_scores(profiles: &[Profile], term_count: usize, reach: impl Fn(f64) -> bool + Sync) -> Vec<Vec<Near>> {
    let docs = profiles.len();
    // Which incidents have each term among their top terms, in incident order.
    let mut postings: Vec<Vec<Posting>> = vec![Vec::new(); term_count];
    for (d, p) in profiles.iter().enumerate() {
        for w in &p.top {
            postings[w.term].push(Posting { incident: d as u32, weight: w.weight as f32 });
        }
    }
    (0..docs)
        .into_par_iter()
        .map_init(
            || (vec![0.0f32; docs], Vec::<usize>::new()),
            |(acc, touched), d| {
                for w in &profiles[d].top {
                    let weight = w.weight as f32;
                    let list = &postings[w.term];
                    let later = list.partition_point(|p| p.incident as usize <= d);
                    for p in &list[later..] {
                        let e = p.incident as usize;
                        if acc[e] == 0.0 {
                            touched.push(e);
                        }
                        acc[e] += weight * p.weight;
                    }
                }
                let mut near = Vec::new();
                for &e in touched.iter() {
                    let text = std::mem::take(&mut acc[e]);
                    if reach(f64::from(text)) {
                        near.push(Near { other: e as u32, text });
                    }
                }
                touched.clear();
                near
            },
        )
        .collect()
}

/// The pairs of [`text_scores`] seen from the later incident.
fn seen_from_later(after: &[Vec<Near>]) -> Vec<Vec<Near>> {
    let mut before: Vec<Vec<Near>> = vec![Vec::new(); after.len()];
    for (d, near) in after.iter().enumerate() {
        for n in near {
            before[n.other as usize].push(Near { other: d as u32, text: n.text });
        }
    }
    before
}

/// An incident's names as numbers: its id, categories and services, so
/// comparing them is comparing integers.
struct Names {
    id: u32,
    categories: Vec<u32>,
    services: Vec<u32>,
}

/// Every incident's [`Names`], numbered in order of first appearance.
fn number_names<'a>(incidents: &[&'a Incident]) -> Vec<Names> {
    let mut numbers: FxHashMap<&'a str, u32> = FxHashMap::default();
    let mut number = |name: &'a str| {
        let next = numbers.len() as u32;
        *numbers.entry(name).or_insert(next)
    };
    incidents
        .iter()
        .map(|inc| {
            let id = number(inc.id.as_str());
            let categories = inc.categories.iter().map(|c| number(c.as_str())).collect();
            let services = inc.services.iter().map(|s| number(s.as_str())).collect();
            Names { id, categories, services }
        })
        .collect()
}

/// Each incident's rank in id order (ids are unique in any knowledge base
/// that builds; the position breaks ties between duplicates).
fn id_ranks(incidents: &[&Incident]) -> Vec<u32> {
    let mut by_id: Vec<u32> = (0..incidents.len() as u32).collect();
    by_id.sort_by(|&x, &y| incidents[x as usize].id.cmp(&incidents[y as usize].id));
    let mut rank = vec![0u32; incidents.len()];
    for (r, &d) in by_id.iter().enumerate() {
        rank[d as usize] = r as u32;
    }
    rank
}

/// A candidate link: the combined score, the text score, the other incident.
struct Scored {
    score: f64,
    text: f64,
    other: usize,
}

/// An incident as [`link`] reads it.
#[derive(Clone, Copy)]
struct Side<'a> {
    incident: &'a Incident,
    names: &'a Names,
    profile: &'a Profile,
}

/// A link from `a` to `b`, with the reasons. Called for every link kept, so
/// it compares names as numbers and picks the few heaviest shared terms
/// without sorting them all.
fn link(a: Side<'_>, b: Side<'_>, score: f64, text: f64) -> SimilarLink {
    // The names of `a` that `b` shares, in `a`'s order.
    let shared_names = |names: &[String], numbers: &[u32], theirs: &[u32]| -> Vec<String> {
        names.iter().zip(numbers).filter(|(_, n)| theirs.contains(n)).map(|(name, _)| name.clone()).collect()
    };
    let categories = shared_names(&a.incident.categories, &a.names.categories, &b.names.categories);
    let services = shared_names(&a.incident.services, &a.names.services, &b.names.services);
    // The heaviest shared terms, heaviest first (ties by term number): kept
    // in order as the two term lists are merged.
    let mut best = [Weighted { term: usize::MAX, weight: f64::NEG_INFINITY }; REASON_TERMS];
    let mut found = 0;
    let (mine, theirs) = (&a.profile.by_term, &b.profile.by_term);
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (mine.get(i), theirs.get(j)) {
        match x.term.cmp(&y.term) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                // The terms come in increasing number, so an equal weight
                // ranks after those already kept.
                let weight = x.weight * y.weight;
                if let Some(at) = best.iter().position(|kept| weight > kept.weight) {
                    best.copy_within(at..REASON_TERMS - 1, at + 1);
                    best[at] = Weighted { term: x.term, weight };
                    found = (found + 1).min(REASON_TERMS);
                }
                i += 1;
                j += 1;
            }
        }
    }
    let surface = &a.profile.surface;
    let mut terms: Vec<String> = Vec::with_capacity(found);
    for w in &best[..found] {
        let Ok(i) = surface.binary_search_by_key(&w.term, |s| s.term) else { continue };
        let word = &surface[i].word;
        // A concept named like a word shared too ("failover") is shown once.
        let shown = super::concepts::label(word).map_or_else(|| word.to_string(), str::to_string);
        if !terms.contains(&shown) {
            terms.push(shown);
        }
    }
    SimilarLink {
        id: b.incident.id.clone(),
        score: round3(score),
        text_score: round3(text),
        reasons: Reasons { categories, services, terms, mention: None },
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Clock, Finding, People, RecordStatus, Remedy};

    fn incident(id: &str, categories: &[&str], services: &[&str], finding: &str, remedy: &str) -> Incident {
        Incident {
            id: id.into(),
            source: format!("{id}.md").into(),
            title: format!("Incident {id}"),
            summary: None,
            severity: Some("SEV2".into()),
            status: RecordStatus::Published,
            people: People::default(),
            clock: Clock::default(),
            reviewed: None,
            published: None,
            services: services.iter().map(|s| s.to_string()).collect(),
            categories: categories.iter().map(|s| s.to_string()).collect(),
            tags: vec![],
            customer_impact: None,
            detection: None,
            environment: None,
            timeline: vec![],
            findings: vec![Finding {
                id: "F1".into(),
                kind: None,
                class: None,
                summary: finding.into(),
                evidence: None,
                whys: vec![],
                counterfactual: None,
            }],
            barriers: vec![],
            remedies: vec![Remedy { summary: remedy.into(), symptom: None, steps: vec![], worked: true }],
            guardrails: vec![],
            actions: vec![],
            no_actions_reason: None,
            imported: None,
            recurrence_of: vec![],
            related: vec![],
            lessons: Default::default(),
            links: vec![],
            body: String::new(),
        }
    }

    #[test]
    fn the_narrative_adds_the_mechanisms_it_names_but_not_its_words() {
        let mut inc = crate::analyze::tests::incident("told", "2025-01-01T00:00:00Z");
        inc.body = "At 03:12 on Tuesday the pager went off: a thundering herd of clients.".into();
        let text = similarity_text(&inc);
        assert!(text.contains(&super::super::concepts::token(0)), "{text}");
        assert!(!text.contains("pager") && !text.contains("Tuesday"), "{text}");
    }

    #[test]
    fn reasons_name_the_shared_names_and_the_five_heaviest_shared_terms() {
        // Term n is written "tn"; weights chosen so that the products tie
        // (terms 2 and 6, 3 and 7) and an unshared term (1) weighs most.
        let profile = |terms: &[(usize, f64)]| {
            let weighted: Vec<Weighted> = terms.iter().map(|&(term, weight)| Weighted { term, weight }).collect();
            Profile {
                top: weighted.clone(),
                by_term: weighted,
                surface: terms
                    .iter()
                    .map(|&(term, _)| Spelling { term, word: Arc::from(format!("t{term}").as_str()) })
                    .collect(),
            }
        };
        let mine = profile(&[(1, 0.9), (2, 0.5), (3, 0.4), (4, 0.1), (5, 0.3), (6, 0.5), (7, 0.4), (8, 0.2)]);
        let theirs = profile(&[(2, 1.0), (3, 1.0), (4, 1.0), (5, 1.0), (6, 1.0), (7, 1.0), (8, 1.0), (9, 1.0)]);
        let a = incident("A", &["dns", "cache", "network"], &["edge", "api"], "x", "y");
        let b = incident("B", &["network", "dns"], &["api"], "x", "y");
        // Names as numbers, as the scoring loop gives them.
        let a_names = Names { id: 0, categories: vec![10, 11, 12], services: vec![20, 21] };
        let b_names = Names { id: 1, categories: vec![12, 10], services: vec![21] };
        let side = |incident, names, profile| Side { incident, names, profile };
        let l = link(side(&a, &a_names, &mine), side(&b, &b_names, &theirs), 0.5, 0.4);
        assert_eq!(l.reasons.categories, ["dns", "network"], "in A's order");
        assert_eq!(l.reasons.services, ["api"]);
        // Heaviest first, equal weights by term number; t8 and t4 are left out.
        assert_eq!(l.reasons.terms, ["t2", "t6", "t3", "t7", "t5"]);
        assert_eq!((l.id.as_str(), l.score, l.text_score), ("B", 0.5, 0.4));
    }

    fn at(threshold: f64, max_listed: usize) -> Params {
        Params { threshold, max_listed, ..Params::default() }
    }

    fn kb() -> KnowledgeBase {
        KnowledgeBase {
            incidents: vec![
                incident(
                    "A",
                    &["certificate-expiry"],
                    &["payments"],
                    "The mTLS certificate between the gateway and the ledger expired; renewal was manual",
                    "Issued a new certificate and restarted the gateway pods",
                ),
                incident(
                    "B",
                    &["security"],
                    &["search"],
                    "An internal certificate expired because renewal was a manual calendar reminder",
                    "Rotated the expired certificate and reloaded the proxies",
                ),
                incident(
                    "C",
                    &["certificate-expiry"],
                    &["payments"],
                    "Disk on the ledger database filled with verbose debug logs",
                    "Deleted old logs and lowered the log level",
                ),
                incident(
                    "D",
                    &["storage"],
                    &["catalog"],
                    "Log volume grew until the disk was full and writes failed",
                    "Freed disk space by removing rotated logs",
                ),
                incident(
                    "E",
                    &["dns"],
                    &["edge"],
                    "A resolver cache kept a stale record after the zone changed",
                    "Flushed the resolver cache",
                ),
            ],
        }
    }

    #[test]
    fn same_mechanism_in_other_words_outranks_a_shared_category() {
        let sim = compute(&kb(), &at(0.0, 5));
        let a = sim.all("A");
        assert_eq!(a.first().map(|l| l.id.as_str()), Some("B"), "{a:#?}");
        // C shares A's category and service but not its mechanism.
        let c = sim.score("A", "C").unwrap_or(0.0);
        let b = sim.score("A", "B").unwrap_or(0.0);
        assert!(b > c, "B {b} should beat C {c}");
        assert!(a[0].reasons.terms.iter().any(|t| t.starts_with("certificate")), "{:?}", a[0].reasons);
        assert_eq!(sim.all("D").first().map(|l| l.id.as_str()), Some("C"));
    }

    #[test]
    fn scores_are_symmetric_and_bounded() {
        let sim = compute(&kb(), &at(0.0, 5));
        for (id, links) in &sim.links {
            for l in links {
                assert!((0.0..=1.0).contains(&l.score));
                assert_eq!(sim.score(&l.id, id), Some(l.score), "{id} ↔ {}", l.id);
            }
        }
    }

    #[test]
    fn no_incident_matches_itself_and_shared_names_raise_the_score() {
        let sim = compute(&kb(), &at(0.0, 5));
        for (id, links) in &sim.links {
            assert!(links.iter().all(|l| &l.id != id), "{id} lists itself: {links:#?}");
        }
        // A and C share only "ledger" in their text, and all their categories and services.
        let a = sim.all("A");
        let c: Vec<&SimilarLink> = a.iter().filter(|l| l.id == "C").collect();
        assert_eq!(c.len(), 1, "{a:#?}");
        assert_eq!(c[0].reasons.categories, ["certificate-expiry"]);
        assert_eq!(c[0].reasons.services, ["payments"]);
        let p = Params::default();
        let boosted = combined_score(c[0].text_score, 1.0, 1.0, &p);
        assert!(c[0].score > c[0].text_score && (c[0].score - boosted).abs() < 0.002, "{:?}", c[0]);
        // B shares neither: its score is its text score.
        let b: Vec<&SimilarLink> = a.iter().filter(|l| l.id == "B").collect();
        assert_eq!(b.len(), 1, "{a:#?}");
        assert_eq!(b[0].score, b[0].text_score);
    }

    #[test]
    fn equal_scores_are_listed_by_id_and_the_kept_few_are_the_first_ids() {
        // 24 incidents alike in every word, in no particular order, among 36
        // that share nothing: each of the 24 ties with the other 23, and
        // only KEEP_AT_LEAST of them are kept.
        let alike = "Connection pool exhausted after the replica failover; restarted the api pods";
        let mut incidents: Vec<Incident> = (0..24)
            .map(|i| (i * 7) % 24)
            .map(|i| incident(&format!("same-{i:02}"), &["database"], &["api"], alike, "Restarted pods"))
            .collect();
        for i in 0..36 {
            let word = format!("unique{}", "x".repeat(i + 1));
            incidents.push(incident(&format!("other-{i:02}"), &["misc"], &["misc"], &word, &word));
        }
        let sim = compute(&KnowledgeBase { incidents }, &at(0.0, 1));
        for i in 0..24 {
            let id = format!("same-{i:02}");
            let listed: Vec<&str> = sim.all(&id).iter().map(|l| l.id.as_str()).collect();
            let expected: Vec<String> =
                (0..24).map(|j| format!("same-{j:02}")).filter(|o| *o != id).take(KEEP_AT_LEAST).collect();
            assert_eq!(listed, expected, "{id}");
        }
    }

    #[test]
    fn threshold_and_listing_limit_apply() {
        let sim = compute(&kb(), &at(0.0, 1));
        assert!(sim.listed("A").len() <= 1);
        let strict = compute(&kb(), &at(0.99, 5));
        assert!(strict.links.values().flatten().all(|l| l.score >= 0.99));
        // A shared category alone never makes a link.
        assert_eq!(combined_score(0.0, 1.0, 1.0, &Params::default()), 0.0);
        assert_eq!(combined_score(0.9, 1.0, 1.0, &Params::default()), 1.0);
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn empty_and_single_knowledge_bases_have_no_links() {
        assert!(compute(&KnowledgeBase::default(), &at(0.0, 5)).links.is_empty());
        let one = KnowledgeBase { incidents: kb().incidents.into_iter().take(1).collect() };
        assert!(compute(&one, &at(0.0, 5)).links.is_empty());
    }
}
