//! Words as Casebook reads them: the analyzer of every searched and compared
//! text, and the thesaurus of words operations teams use for the same thing.
//!
//! Bottom layer (see `docs/architecture.md`): the search index (`index`) and
//! the similarity of incidents (`analyze::similar`) must cut and stem text
//! the same way, so the analyzer lives below both.

pub mod thesaurus;

use tantivy::tokenizer::{TextAnalyzer, TokenizerManager};

/// Words too common in English to say anything about a failure (sorted:
/// looked up by binary search). The similarity of incidents skips them;
/// search scores them but does not count them as words a result must match.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before",
    "being", "both", "but", "by", "can", "could", "did", "do", "does", "each", "for", "from", "had", "has", "have",
    "how", "if", "in", "into", "is", "it", "its", "itself", "more", "most", "no", "not", "of", "off", "on", "once",
    "one", "only", "or", "other", "our", "out", "over", "own", "same", "so", "some", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "two", "under",
    "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will",
    "with", "would", "you",
];

/// The analyzer of every searched text field: split on non-alphanumerics,
/// drop tokens of 40 bytes or more, lowercase, English stemming.
pub const ANALYZER: &str = "en_stem";

/// Words of this many bytes or more are dropped, as `en_stem` drops them.
pub const WORD_LIMIT: usize = 40;

/// A fresh instance of the [`ANALYZER`] (Tantivy's built-in `en_stem`).
pub fn analyzer() -> Option<TextAnalyzer> {
    TokenizerManager::default().get(ANALYZER)
}

/// Tokens as Tantivy's simple tokenizer cuts them, lowercased, long ones dropped.
pub fn raw_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_raw_word(text, |w| out.push(w.to_string()));
    out
}

/// [`raw_words`] one at a time, lending each word: a word already in lower
/// case is not copied.
pub fn each_raw_word(text: &str, mut f: impl FnMut(&str)) {
    let mut lower = String::new();
    each_run(text, |word| {
        if word.len() >= WORD_LIMIT {
            return;
        }
        if !word.is_ascii() {
            f(&word.to_lowercase());
        } else if word.bytes().any(|b| b.is_ascii_uppercase()) {
            lower.clear();
            lower.push_str(word);
            lower.make_ascii_lowercase();
            f(&lower);
        } else {
            f(word);
        }
    });
}

/// Each run of alphanumeric characters in `text`, as written: what
/// `text.split(|c: char| !c.is_alphanumeric())` yields without its empty
/// pieces.
pub fn each_run(text: &str, mut f: impl FnMut(&str)) {
    let mut at = 0;
    while let Some(run) = next_run(text, at) {
        at = run.end;
        f(&text[run]);
    }
}

/// The first run of alphanumeric characters at or after byte `at` (a char
/// boundary), read a byte at a time where the text is ASCII.
pub fn next_run(text: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    // Whether the character at byte `i` is alphanumeric, and its length.
    let class = |i: usize| -> Option<(bool, usize)> {
        let b = *bytes.get(i)?;
        if b.is_ascii() {
            return Some((b.is_ascii_alphanumeric(), 1));
        }
        let c = text.get(i..)?.chars().next()?;
        Some((c.is_alphanumeric(), c.len_utf8()))
    };
    let mut i = at;
    let start = loop {
        let (alphanumeric, len) = class(i)?;
        if alphanumeric {
            break i;
        }
        i += len;
    };
    let mut end = start;
    while let Some((true, len)) = class(end) {
        end += len;
    }
    Some(start..end)
}

/// The stem of one word (its first token), or None when the analyzer drops it.
pub fn stem_of(word: &str, analyzer: &mut TextAnalyzer) -> Option<String> {
    let mut out = None;
    let mut stream = analyzer.token_stream(word);
    stream.process(&mut |t| {
        if out.is_none() {
            out = Some(t.text.clone());
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_what_splitting_on_non_alphanumerics_gives() {
        let texts = [
            "",
            "   ",
            "OOMKilled: pods restarted 3x (see https://x.example/a_b?c=1).",
            "naïve café — Ünïcode résumé; ΣΊΣΥΦΟΣ σίσυφος",
            "東京 region: 障害 2024-06-11T03:00Z",
            "emoji 🔥fire🔥 and e\u{301}cole, tab\tand\nnewline",
            "trailing-word",
            "ß straße İstanbul ǅ",
        ];
        for text in texts {
            let expected: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
            let mut runs = Vec::new();
            each_run(text, |w| runs.push(w.to_string()));
            assert_eq!(runs, expected, "{text:?}");
        }
    }
}
