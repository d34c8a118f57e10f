//! Whether a later incident failed through what a guardrail addresses.
//!
//! A guardrail answers findings (`addresses`). A later incident of its chain,
//! or a likely recurrence, counts against it only when one of the later
//! incident's findings reads like the guardrail and the findings it answers:
//! the cosine of their weighted stems (tf × idf over the findings compared,
//! the incidents' own service names and common words left out) reaches
//! [`MATCH_AT`]. The matched finding and the shared words are the evidence
//! shown. A guardrail that names no finding cannot be judged this way: every
//! later incident of its chain still counts, as before any mechanism is known.
//!
//! Computed once per build for the incidents that have a later chain member
//! or a likely recurrence; pages only look the vectors up.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::model::{Finding, Guardrail, Incident};

/// The cosine at which a later finding is the failure a guardrail addresses.
pub const MATCH_AT: f64 = 0.2;
/// How many shared words are shown as evidence.
const EVIDENCE_WORDS: usize = 4;

/// One stem of a vector: its weight and its first spelling in the text.
#[derive(Debug)]
struct Weight {
    stem: Arc<str>,
    weight: f64,
    spelling: String,
}

/// Stems and weights, L2-normalised, sorted by stem.
type Vector = Vec<Weight>;

/// Stems with their counts and first spelling.
type Raw = rustc_hash::FxHashMap<Arc<str>, (f64, String)>;

/// An incident with the raw counts of its findings and guardrails.
type Counted<'i> = (&'i Incident, Vec<(&'i Finding, Raw)>, Vec<(&'i Guardrail, Raw)>);

/// Why a later incident counts against a guardrail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The later incident's finding that reads like the guardrail's.
    pub finding: String,
    /// The words they share, heaviest first, as the later finding writes them.
    pub words: Vec<String>,
    /// Cosine, 0–1, three decimals.
    pub score: f64,
}

/// One incident's findings and guardrails as vectors.
#[derive(Debug, Default)]
struct Profile {
    findings: Vec<(String, Vector)>,
    guardrails: HashMap<String, Vector>,
}

/// The vectors of the incidents whose guardrails are judged, and of those
/// judged against them.
#[derive(Debug, Default)]
pub struct Mechanisms {
    profiles: HashMap<String, Profile>,
}

fn finding_text(f: &Finding) -> String {
    let mut parts: Vec<&str> = vec![&f.summary];
    parts.extend(f.evidence.as_deref());
    parts.extend(f.whys.iter().map(String::as_str));
    parts.join("\n")
}

/// The analyzer, each distinct word stemmed once.
struct Stemmer {
    analyzer: TextAnalyzer,
    /// Word → its stem, `None` for a word the analyzer drops.
    stems: rustc_hash::FxHashMap<String, Option<Arc<str>>>,
}

impl Stemmer {
    fn stem(&mut self, word: &str) -> Option<Arc<str>> {
        if let Some(stem) = self.stems.get(word) {
            return stem.clone();
        }
        let stem: Option<Arc<str>> = crate::text::stem_of(word, &mut self.analyzer).map(Arc::from);
        self.stems.insert(word.to_string(), stem.clone());
        stem
    }
}

/// Stems of `text` with their counts and first spelling; service names and
/// common words dropped.
fn counted(text: &str, skip: &BTreeSet<Arc<str>>, stemmer: &mut Stemmer) -> Raw {
    let mut out = Raw::default();
    crate::text::each_raw_word(text, |word| {
        if word.len() < 2 || word.chars().all(|c| c.is_ascii_digit()) || super::similar::is_stop_word(word) {
            return;
        }
        let Some(stem) = stemmer.stem(word) else { return };
        if skip.contains(&stem) {
            return;
        }
        out.entry(stem).or_insert_with(|| (0.0, word.to_string())).0 += 1.0;
    });
    out
}

/// The raw counts of an incident's findings, and of each guardrail with the
/// findings it addresses.
fn count_incident<'i>(inc: &'i Incident, stemmer: &mut Stemmer) -> Counted<'i> {
    let mut skip = BTreeSet::new();
    for s in &inc.services {
        crate::text::each_raw_word(s, |w| {
            skip.extend(stemmer.stem(w));
        });
    }
    let findings = inc.findings.iter().map(|f| (f, counted(&finding_text(f), &skip, stemmer))).collect();
    let guardrails = inc
        .guardrails
        .iter()
        .map(|g| {
            let mut text = g.summary.clone();
            for f in inc.findings.iter().filter(|f| g.addresses.contains(&f.id)) {
                text.push('\n');
                text.push_str(&finding_text(f));
            }
            (g, counted(&text, &skip, stemmer))
        })
        .collect();
    (inc, findings, guardrails)
}

impl Mechanisms {
    /// Vectors for `incidents`, weighted by the inverse frequency of each stem
    /// among their findings.
    pub fn compute(incidents: &[&Incident]) -> Self {
        let Some(analyzer) = crate::text::analyzer() else { return Mechanisms::default() };
        let analyzer = Mutex::new(analyzer);
        // Raw counts first (each worker with its own stemmer), then idf over
        // every finding counted.
        // A few large pieces, so that each stemmer's words are reused.
        let piece = incidents.len().div_ceil(2 * rayon::current_num_threads().max(1)).max(64);
        let raw: Vec<Counted<'_>> = incidents
            .par_chunks(piece)
            .flat_map_iter(|chunk| {
                let analyzer = analyzer.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let mut stemmer = Stemmer { analyzer, stems: rustc_hash::FxHashMap::default() };
                chunk.iter().map(|inc| count_incident(inc, &mut stemmer)).collect::<Vec<_>>()
            })
            .collect();
        let mut df: rustc_hash::FxHashMap<Arc<str>, usize> = rustc_hash::FxHashMap::default();
        let mut docs = 0usize;
        for (_, findings, _) in &raw {
            for (_, c) in findings {
                docs += 1;
                for stem in c.keys() {
                    *df.entry(stem.clone()).or_default() += 1;
                }
            }
        }
        let vector = |c: Raw| -> Vector {
            let mut v: Vector = c
                .into_iter()
                .map(|(stem, (tf, spelling))| {
                    let n = df.get(&stem).copied().unwrap_or(0) as f64;
                    let idf = (1.0 + (docs as f64 - n + 0.5) / (n + 0.5)).ln();
                    Weight { stem, weight: (1.0 + tf.ln()) * idf, spelling }
                })
                .collect();
            let norm = v.iter().map(|w| w.weight * w.weight).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|w| w.weight /= norm);
            }
            v.sort_by(|a, b| a.stem.cmp(&b.stem));
            v
        };
        let profiles = raw
            .into_par_iter()
            .map(|(inc, findings, guardrails)| {
                let profile = Profile {
                    findings: findings.into_iter().map(|(f, c)| (f.id.clone(), vector(c))).collect(),
                    guardrails: guardrails.into_iter().map(|(g, c)| (g.id.clone(), vector(c))).collect(),
                };
                (inc.id.clone(), profile)
            })
            .collect();
        Mechanisms { profiles }
    }

    /// The finding of `later` through which it fails as guardrail `guardrail`
    /// of `earlier` addresses, if any: the best match at or above [`MATCH_AT`].
    pub fn through(&self, earlier: &str, guardrail: &str, later: &str) -> Option<Evidence> {
        let g = self.profiles.get(earlier)?.guardrails.get(guardrail)?;
        let mut best: Option<Evidence> = None;
        for (id, f) in &self.profiles.get(later)?.findings {
            let mut shared: Vec<(f64, &Weight)> = Vec::new();
            let (mut i, mut j) = (0, 0);
            while let (Some(a), Some(b)) = (g.get(i), f.get(j)) {
                match a.stem.cmp(&b.stem) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        shared.push((a.weight * b.weight, b));
                        i += 1;
                        j += 1;
                    }
                }
            }
            let score: f64 = shared.iter().map(|(w, _)| w).sum();
            if score >= MATCH_AT && best.as_ref().is_none_or(|b| score > b.score) {
                shared.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.stem.cmp(&b.1.stem)));
                let words = shared.iter().take(EVIDENCE_WORDS).map(|(_, w)| w.spelling.clone()).collect();
                best = Some(Evidence { finding: id.clone(), words, score: (score * 1000.0).round() / 1000.0 });
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::tests::incident;
    use crate::model::{Finding, GuardrailStatus};

    fn finding(id: &str, summary: &str) -> Finding {
        Finding {
            id: id.into(),
            kind: None,
            class: None,
            summary: summary.into(),
            evidence: None,
            whys: vec![],
            counterfactual: None,
        }
    }

    fn guardrail(id: &str, summary: &str, addresses: &[&str]) -> Guardrail {
        Guardrail {
            id: id.into(),
            summary: summary.into(),
            control: None,
            addresses: addresses.iter().map(|a| a.to_string()).collect(),
            would_have: None,
            status: GuardrailStatus::Implemented,
            implemented: None,
        }
    }

    #[test]
    fn a_later_finding_matches_the_guardrail_it_defeats_and_not_the_others() {
        let mut first = incident("first", "2024-01-01T00:00:00Z");
        first.services = vec!["api-gateway".into()];
        first.findings = vec![
            finding("F1", "Every configuration change was pushed to all gateway nodes at once, with no staged rollout"),
            finding("F2", "The flag console compared app version strings lexicographically"),
        ];
        first.guardrails = vec![
            guardrail("G1", "Staged rollout of configuration: 1% of nodes, then 10%, then all", &["F1"]),
            guardrail("G2", "Typed semver attributes for app versions in flag targeting", &["F2"]),
        ];
        let mut later = incident("later", "2025-01-01T00:00:00Z");
        later.services = vec!["api-gateway".into()];
        later.findings = vec![
            finding("F1", "Generated rule files were pushed to every node at once, outside the staged rollout"),
            finding("F2", "The api-gateway worker exits on a load error"),
        ];
        let other = incident("other", "2025-02-01T00:00:00Z");
        let m = Mechanisms::compute(&[&first, &later, &other]);
        let e = m.through("first", "G1", "later").unwrap_or_else(|| panic!("staged rollout should match"));
        assert_eq!(e.finding, "F1");
        assert!(e.words.iter().any(|w| w == "staged" || w == "rollout"), "{e:?}");
        assert!(!e.words.iter().any(|w| w == "gateway" || w == "api"), "service names are not evidence: {e:?}");
        assert_eq!(m.through("first", "G2", "later"), None, "typed versions are not what failed later");
        assert_eq!(m.through("first", "G1", "other"), None, "no findings, nothing to match");
        assert_eq!(m.through("first", "G9", "later"), None);
    }
}
