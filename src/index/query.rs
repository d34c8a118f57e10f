//! What a query searches for: its words read the way the index was written
//! (stemmed, corrected, widened by synonyms), grouped so that ranking can put
//! documents that answer every word first.
//!
//! The browser engine (`themes/default/static/search.js`) plans queries with
//! the same rules from the same data (the corpus words, the synonym groups and
//! the weights the manifest carries), so both rank alike. The rules:
//!
//! - A query is cut into words as the index cut its text. Text between double
//!   quotes is a phrase: its words must all occur; where they are adjacent
//!   (in the fields the pairs index) the pair raises the record.
//! - Each distinct word is a **group** of terms. A corpus word stands for its
//!   stem; a word the corpus does not hold is stemmed, and its stem stands
//!   for it when some corpus word has that stem (`renewals` finds `renewal`).
//! - An unfinished last word (no space after it) is also a prefix of the
//!   [`PREFIX_EXPANSIONS`](super::PREFIX_EXPANSIONS) most frequent corpus
//!   words that start with it.
//! - Each term of a group brings its synonyms (below); a word the corpus does
//!   not hold brings its synonyms too.
//! - A word that still matches nothing is a typo: it is corrected to the
//!   nearest corpus word by edit distance (transpositions count one edit),
//!   among words of at least [`TYPO_MIN_DF`] documents that start with the
//!   same letter; nearer first, then more frequent, then alphabetical.
//! - Each term of a group brings its synonyms (the built-in thesaurus and the
//!   knowledge base's `[vocabulary] synonyms`) at [`SYNONYM_WEIGHT`]. A synonym
//!   of two words is a pair term, matched where the two words are adjacent;
//!   two query words that form one ("rate limited") answer with its synonyms.
//! - Two adjacent query words form a pair term that raises documents where
//!   they are adjacent too ([`PAIR_BOOST`]).

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;

use super::Words;
use crate::text::{each_raw_word, stem_of};

/// The weight of a synonym's matches, relative to the word's own.
pub const SYNONYM_WEIGHT: f32 = 0.6;
/// The weight of adjacent query words found adjacent in a document.
pub const PAIR_BOOST: f32 = 1.0;
/// Corrections are drawn from words found in at least this many documents.
pub const TYPO_MIN_DF: u32 = 1;

/// One searched term: a stem (matched in every text field) or two adjacent
/// stems, `"a b"` (matched in the pairs field).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    Stem(String),
    Pair(String),
}

impl Term {
    pub fn text(&self) -> &str {
        match self {
            Term::Stem(s) | Term::Pair(s) => s,
        }
    }
}

/// A query word and every term that answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The word as typed, lower-cased.
    pub word: String,
    /// Terms with their weights; the first is the word's own when it has one.
    pub terms: Vec<(Term, f32)>,
    /// Inside a quoted phrase: documents must match it.
    pub required: bool,
    /// Whether it counts among the words a result matches: not a word too
    /// common to tell documents apart ([`crate::text::STOP_WORDS`]).
    pub counts: bool,
}

/// A query, planned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// One per distinct query word that matches something, in query order.
    pub groups: Vec<Group>,
    /// Adjacent query words, as pair terms, in query order.
    pub pairs: Vec<String>,
    /// (typed, corrected) for each word corrected as a typo.
    pub corrections: Vec<(String, String)>,
}

impl Plan {
    /// How many query words results are ranked by matching: common words
    /// are not counted.
    pub fn counted_words(&self) -> usize {
        self.groups.iter().filter(|g| g.counts).count()
    }

    /// Every stem the plan searches for (pair terms give both halves): what
    /// results highlight.
    pub fn stems(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (term, _) in self.groups.iter().flat_map(|g| &g.terms) {
            for stem in term.text().split(' ') {
                if !out.iter().any(|s| s == stem) {
                    out.push(stem.to_string());
                }
            }
        }
        out
    }
}

/// What planning reads besides the query: the corpus words and stems, and
/// the synonym groups as terms (stems, or `"a b"` pairs).
pub struct Lexicon<'a> {
    pub words: &'a Words,
    stems: HashSet<&'a str>,
    pub synonyms: &'a [Vec<String>],
}

impl<'a> Lexicon<'a> {
    pub fn new(words: &'a Words, synonyms: &'a [Vec<String>]) -> Self {
        let stems = words.map.values().map(|(s, _)| s.as_str()).collect();
        Lexicon { words, stems, synonyms }
    }

    /// The stem a word stands for in this corpus, if any.
    fn stem(&self, word: &str, analyzer: &mut TextAnalyzer) -> Option<String> {
        if let Some((stem, _)) = self.words.map.get(word) {
            return Some(stem.clone());
        }
        let stem = stem_of(word, analyzer)?;
        self.stems.contains(stem.as_str()).then_some(stem)
    }

    /// The nearest corpus word to a word that matches nothing.
    pub fn correct(&self, word: &str) -> Option<&'a str> {
        let typed: Vec<char> = word.chars().collect();
        let limit = match typed.len() {
            0..=3 => return None,
            4..=7 => 1,
            _ => 2,
        };
        let first = typed[0];
        let mut start = String::new();
        start.push(first);
        let mut best: Option<(usize, u32, &'a str)> = None;
        for (candidate, (_, df)) in self.words.map.range(start.clone()..) {
            if !candidate.starts_with(first) {
                break;
            }
            if *df < TYPO_MIN_DF {
                continue;
            }
            let chars: Vec<char> = candidate.chars().collect();
            if chars.len().abs_diff(typed.len()) > limit {
                continue;
            }
            let d = edit_distance(&typed, &chars);
            if d == 0 || d > limit {
                continue;
            }
            let better = match best {
                None => true,
                Some((bd, bdf, bw)) => {
                    (d, std::cmp::Reverse(*df), candidate.as_str()) < (bd, std::cmp::Reverse(bdf), bw)
                }
            };
            if better {
                best = Some((d, *df, candidate.as_str()));
            }
        }
        best.map(|(_, _, w)| w)
    }

    /// The synonym terms of `term` (itself excluded), in group order.
    fn synonyms_of(&self, term: &str) -> Vec<Term> {
        let mut out = Vec::new();
        for group in self.synonyms.iter().filter(|g| g.iter().any(|m| m == term)) {
            for member in group.iter().filter(|m| *m != term) {
                out.push(if member.contains(' ') { Term::Pair(member.clone()) } else { Term::Stem(member.clone()) });
            }
        }
        out
    }
}

/// The optimal string alignment distance: insertions, deletions,
/// substitutions and transpositions of adjacent characters cost one.
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// One word of the query text.
struct Token {
    word: String,
    /// The quoted phrase it belongs to (numbered from 1), or 0.
    phrase: usize,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for (i, part) in text.split('"').enumerate() {
        // Odd parts are inside quotes; an unclosed quote runs to the end.
        let phrase = if i % 2 == 1 { i.div_ceil(2) } else { 0 };
        each_raw_word(part, |w| out.push(Token { word: w.to_string(), phrase }));
    }
    out
}

/// Plan `text` against the corpus. `correct`: whether words that match
/// nothing are corrected (the "search instead for" link turns it off).
pub fn plan(text: &str, lexicon: &Lexicon, analyzer: &mut TextAnalyzer, correct: bool) -> Plan {
    let tokens = tokens(text);
    let open_prefix = text.chars().last().is_some_and(char::is_alphanumeric);
    let mut plan = Plan::default();
    // The primary term of each token (after correction), for pairs, and its group.
    let mut primaries: Vec<Option<String>> = Vec::with_capacity(tokens.len());
    let mut group_of: Vec<Option<usize>> = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        let mut terms: Vec<(Term, f32)> = Vec::new();
        let push = |terms: &mut Vec<(Term, f32)>, term: Term, weight: f32| {
            if !terms.iter().any(|(t, _)| *t == term) {
                terms.push((term, weight));
            }
        };
        let mut primary = lexicon.stem(&token.word, analyzer);
        if let Some(stem) = &primary {
            push(&mut terms, Term::Stem(stem.clone()), 1.0);
        }
        if i + 1 == tokens.len() && open_prefix && token.phrase == 0 {
            for word in lexicon.words.expand(&token.word) {
                if let Some((stem, _)) = lexicon.words.map.get(word) {
                    push(&mut terms, Term::Stem(stem.clone()), 1.0);
                }
            }
        }
        // Synonyms of the word, even one the corpus does not hold ("zorp"
        // for "kubernetes"); a word with neither is corrected.
        if let Some(stem) = primary.clone().or_else(|| stem_of(&token.word, analyzer)) {
            for synonym in lexicon.synonyms_of(&stem) {
                push(&mut terms, synonym, SYNONYM_WEIGHT);
            }
        }
        if terms.is_empty() && correct {
            if let Some(fixed) = lexicon.correct(&token.word) {
                if let Some((stem, _)) = lexicon.words.map.get(fixed) {
                    plan.corrections.push((token.word.clone(), fixed.to_string()));
                    primary = Some(stem.clone());
                    push(&mut terms, Term::Stem(stem.clone()), 1.0);
                    for synonym in lexicon.synonyms_of(stem) {
                        push(&mut terms, synonym, SYNONYM_WEIGHT);
                    }
                }
            }
        }
        primaries.push(primary.clone());
        if terms.is_empty() {
            group_of.push(None);
            continue;
        }
        let required = token.phrase > 0;
        match plan.groups.iter_mut().position(|g| g.terms.first() == terms.first()) {
            Some(g) => {
                plan.groups[g].required |= required;
                group_of.push(Some(g));
            }
            None => {
                plan.groups.push(Group { word: token.word.clone(), terms, required, counts: counts(&token.word) });
                group_of.push(Some(plan.groups.len() - 1));
            }
        }
    }
    // Adjacent words: a boost (common words are in no pair).
    for i in 1..tokens.len() {
        let (Some(a), Some(b)) = (&primaries[i - 1], &primaries[i]) else { continue };
        if !counts(&tokens[i - 1].word) || !counts(&tokens[i].word) {
            continue;
        }
        let pair = format!("{a} {b}");
        if !plan.pairs.contains(&pair) {
            plan.pairs.push(pair);
        }
    }
    // Two adjacent words that form a synonym ("rate limited") answer with its
    // synonyms too, each word, even a word the corpus does not hold.
    for i in 1..tokens.len() {
        let (Some(a), Some(b)) = (stem_of(&tokens[i - 1].word, analyzer), stem_of(&tokens[i].word, analyzer)) else {
            continue;
        };
        let synonyms = lexicon.synonyms_of(&format!("{a} {b}"));
        if synonyms.is_empty() {
            continue;
        }
        for t in [i - 1, i] {
            let g = match group_of[t] {
                Some(g) => g,
                None => {
                    let token = &tokens[t];
                    let group = Group {
                        word: token.word.clone(),
                        terms: Vec::new(),
                        required: token.phrase > 0,
                        counts: counts(&token.word),
                    };
                    plan.groups.push(group);
                    group_of[t] = Some(plan.groups.len() - 1);
                    plan.groups.len() - 1
                }
            };
            for synonym in &synonyms {
                if !plan.groups[g].terms.iter().any(|(t, _)| t == synonym) {
                    plan.groups[g].terms.push((synonym.clone(), SYNONYM_WEIGHT));
                }
            }
        }
    }
    plan
}

/// Whether a query word counts among the words results are ranked by
/// matching, and can be half of a pair: not a common word.
pub fn counts(word: &str) -> bool {
    crate::text::STOP_WORDS.binary_search(&word).is_err()
}

/// Every synonym group search reads: the built-in thesaurus, its phrases
/// and the knowledge base's `[vocabulary] synonyms`, as terms.
pub fn synonyms(extra: &[Vec<String>], analyzer: &mut TextAnalyzer) -> Vec<Vec<String>> {
    use crate::text::thesaurus::{GROUPS, PHRASES};
    let built_in = GROUPS.iter().chain(PHRASES).map(|g| g.iter().map(|w| w.to_string()).collect::<Vec<_>>());
    let all: Vec<Vec<String>> = built_in.chain(extra.iter().cloned()).collect();
    stem_synonyms(&all, analyzer)
}

/// Synonym groups as terms: each member stemmed word by word; one-word
/// members become stems, two-word members pairs. Longer members, pairs with a
/// common word ("no space"), and groups
/// left with fewer than two members, are dropped (`casebook check` warns of
/// them when they come from the configuration).
pub fn stem_synonyms(groups: &[Vec<String>], analyzer: &mut TextAnalyzer) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for group in groups {
        let mut members: Vec<String> = Vec::new();
        for member in group {
            let mut stems = Vec::new();
            let mut common = false;
            each_raw_word(member, |w| {
                common |= !counts(w);
                stems.extend(stem_of(w, analyzer));
            });
            // A pair with a common word is in no index.
            if (1..=2).contains(&stems.len()) && !(stems.len() == 2 && common) {
                let term = stems.join(" ");
                if !members.contains(&term) {
                    members.push(term);
                }
            }
        }
        if members.len() >= 2 {
            out.push(members);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[(&str, &str, u32)]) -> Words {
        Words { map: list.iter().map(|(w, s, df)| (w.to_string(), (s.to_string(), *df))).collect() }
    }

    fn analyzer() -> TextAnalyzer {
        crate::text::analyzer().unwrap_or_else(|| panic!("en_stem is built in"))
    }

    #[test]
    fn edit_distance_counts_a_transposition_as_one_edit() {
        let d = |a: &str, b: &str| edit_distance(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>());
        assert_eq!(d("certficate", "certificate"), 1);
        assert_eq!(d("teh", "the"), 1);
        assert_eq!(d("faliover", "failover"), 1);
        assert_eq!(d("fialovr", "failover"), 2);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("über", "uber"), 1);
    }

    #[test]
    fn an_unseen_form_stands_for_its_stem_and_a_typo_is_corrected() {
        let w = words(&[
            ("renewal", "renew", 3),
            ("throttled", "throttl", 2),
            ("certificate", "certif", 9),
            ("certificates", "certif", 4),
            ("cortisol", "cortisol", 1),
        ]);
        let lexicon = Lexicon::new(&w, &[]);
        let mut a = analyzer();
        let p = plan("renewals throttling ", &lexicon, &mut a, true);
        let firsts: Vec<&str> = p.groups.iter().map(|g| g.terms[0].0.text()).collect();
        assert_eq!(firsts, ["renew", "throttl"]);
        assert!(p.corrections.is_empty());
        let p = plan("certficate expiry", &lexicon, &mut a, true);
        assert_eq!(p.corrections, [("certficate".to_string(), "certificate".to_string())]);
        assert_eq!(p.groups[0].terms[0].0, Term::Stem("certif".into()));
        // Without correction the typo matches nothing.
        assert!(plan("certficate ", &lexicon, &mut a, false).groups.is_empty());
        // Short words are not corrected; of two words as near, the more frequent wins.
        assert!(plan("cer ", &lexicon, &mut a, true).corrections.is_empty());
        assert_eq!(plan("cortisal ", &lexicon, &mut a, true).corrections[0].1, "cortisol");
        let w = words(&[("bolt", "bolt", 1), ("boat", "boat", 5), ("bott", "bott", 5)]);
        let lexicon = Lexicon::new(&w, &[]);
        assert_eq!(plan("bost ", &lexicon, &mut a, true).corrections[0].1, "boat");
    }

    #[test]
    fn synonyms_widen_a_group_and_two_word_synonyms_are_pairs() {
        let w = words(&[("throttled", "throttl", 2), ("rate", "rate", 5), ("limited", "limit", 4), ("oom", "oom", 2)]);
        let mut a = analyzer();
        let groups = stem_synonyms(
            &[
                vec!["throttled".into(), "rate limited".into(), "429".into()],
                vec!["oom".into(), "out of memory".into()],
            ],
            &mut a,
        );
        // "out of memory" has three words, "no way" a common one: dropped.
        assert_eq!(groups, [vec!["throttl".to_string(), "rate limit".into(), "429".into()]]);
        let lexicon = Lexicon::new(&w, &groups);
        let p = plan("throttled ", &lexicon, &mut a, true);
        assert_eq!(
            p.groups[0].terms,
            [
                (Term::Stem("throttl".into()), 1.0),
                (Term::Pair("rate limit".into()), SYNONYM_WEIGHT),
                (Term::Stem("429".into()), SYNONYM_WEIGHT)
            ]
        );
        let p = plan("rate limited ", &lexicon, &mut a, true);
        assert_eq!(p.pairs, ["rate limit"]);
        assert!(p.groups.iter().all(|g| g.terms.iter().any(|(t, _)| *t == Term::Stem("throttl".into()))));
        // Words the corpus lacks still answer with the synonyms of the two.
        let w = words(&[("throttled", "throttl", 2)]);
        let lexicon = Lexicon::new(&w, &groups);
        let p = plan("rate limited ", &lexicon, &mut a, true);
        assert_eq!(p.groups.iter().map(|g| g.word.as_str()).collect::<Vec<_>>(), ["rate", "limited"]);
        assert_eq!(p.groups[0].terms[0], (Term::Stem("throttl".into()), SYNONYM_WEIGHT));
    }

    #[test]
    fn quoted_words_are_required_and_adjacent() {
        let w = words(&[("disk", "disk", 5), ("full", "full", 5), ("backup", "backup", 3)]);
        let lexicon = Lexicon::new(&w, &[]);
        let mut a = analyzer();
        let p = plan("backup \"disk full\"", &lexicon, &mut a, true);
        assert_eq!(p.groups.iter().map(|g| g.required).collect::<Vec<_>>(), [false, true, true]);
        assert_eq!(p.pairs, ["backup disk", "disk full"]);
        // A repeated word is one group.
        assert_eq!(plan("disk disk ", &lexicon, &mut a, true).groups.len(), 1);
        // The unfinished last word is a prefix; inside quotes it is not.
        assert_eq!(plan("di", &lexicon, &mut a, true).groups.len(), 1);
        assert!(plan("\"di", &lexicon, &mut a, true).groups.is_empty());
    }
}
