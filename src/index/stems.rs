//! Tantivy's `en_stem` analyzer, stemming each distinct word once.
//!
//! `en_stem` is Tantivy's simple tokenizer (every run of alphanumeric
//! characters is a token), a length limit, lower case and the English
//! stemmer. Each filter looks at one token alone, so the stem of a word is
//! always the same: this tokenizer cuts the text the same way, asks the real
//! analyzer once per distinct word, and reuses the answer. The tokens are
//! exactly `en_stem`'s; the index reads back with the stock analyzer.
//!
//! While it cuts the documents, it also counts in how many documents each
//! lower-cased word occurs: the corpus word list the browser stems queries
//! with ([`super::Words`]) then needs no second pass over the text.

use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// A word as it appears in the text.
struct Seen {
    /// Its stem, or `None` when the analyzer drops the word.
    stem: Option<Box<str>>,
    /// Its lower-cased form's number (`Memory::numbers`); `None` for words
    /// too long for the word list (as [`crate::text::each_raw_word`] cuts them).
    word: Option<u32>,
}

#[derive(Default)]
struct Memory {
    seen: FxHashMap<Box<str>, Seen>,
    /// Token streams opened so far: the index opens one per text field of
    /// each document, in document order, so this numbers the documents.
    streams: u64,
    /// Lower-cased word → its number.
    numbers: FxHashMap<Box<str>, u32>,
    /// Per word number: documents containing it, and the last of them + 1.
    counts: Vec<(u32, u64)>,
}

#[derive(Clone)]
pub struct CachedStems {
    analyzer: TextAnalyzer,
    /// Text fields per document, each cut by a stream of its own.
    fields: u64,
    /// Shared by the clones Tantivy makes per field.
    memory: Arc<Mutex<Memory>>,
}

impl CachedStems {
    /// `fields`: how many token streams each document opens.
    pub fn new(analyzer: TextAnalyzer, fields: usize) -> Self {
        CachedStems { analyzer, fields: (fields as u64).max(1), memory: Arc::default() }
    }

    /// Every lower-cased word cut so far that the analyzer keeps: its stem
    /// and the number of documents it occurs in.
    pub fn words(&mut self) -> super::Words {
        let Ok(memory) = self.memory.lock() else { return super::Words::default() };
        let mut map = std::collections::BTreeMap::new();
        for (word, &n) in &memory.numbers {
            // A word already in lower case was stemmed as it stands.
            let stem = match memory.seen.get(word) {
                Some(seen) => seen.stem.as_deref().map(str::to_string),
                None => crate::text::stem_of(word, &mut self.analyzer),
            };
            if let (Some(stem), Some(count)) = (stem, memory.counts.get(n as usize)) {
                map.insert(word.to_string(), (stem, count.0));
            }
        }
        super::Words { map }
    }
}

pub struct CachedStream<'a> {
    analyzer: &'a mut TextAnalyzer,
    /// Held while the stream lasts: the index cuts one text at a time.
    memory: MutexGuard<'a, Memory>,
    text: &'a str,
    /// The document this stream cuts a field of.
    doc: u64,
    at: usize,
    position: usize,
    token: Token,
}

impl Tokenizer for CachedStems {
    type TokenStream<'a> = CachedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CachedStream<'a> {
        let CachedStems { analyzer, fields, memory } = self;
        // A panic elsewhere cannot leave a half-made entry: keep using the memory.
        let mut memory = memory.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        memory.streams += 1;
        let doc = (memory.streams - 1) / *fields;
        CachedStream { analyzer, memory, text, doc, at: 0, position: usize::MAX, token: Token::default() }
    }
}

impl CachedStream<'_> {
    /// Put the stem of the word at `range` into the token, and count the
    /// word once for this stream's document; false when the analyzer drops it.
    fn stem_into(&mut self, range: std::ops::Range<usize>) -> bool {
        let word = &self.text[range];
        let Memory { seen, numbers, counts, .. } = &mut *self.memory;
        let found = match seen.get(word) {
            Some(found) => found,
            None => {
                let stem = crate::text::stem_of(word, self.analyzer).map(String::into_boxed_str);
                let number = (word.len() < crate::text::WORD_LIMIT).then(|| {
                    let lower = if word.is_ascii() { word.to_ascii_lowercase() } else { word.to_lowercase() };
                    *numbers.entry(lower.into_boxed_str()).or_insert_with(|| {
                        counts.push((0, 0));
                        (counts.len() - 1) as u32
                    })
                });
                seen.entry(word.into()).or_insert(Seen { stem, word: number })
            }
        };
        if let Some(count) = found.word.and_then(|n| counts.get_mut(n as usize)) {
            if count.1 != self.doc + 1 {
                count.0 += 1;
                count.1 = self.doc + 1;
            }
        }
        match &found.stem {
            Some(stem) => {
                self.token.text.clear();
                self.token.text.push_str(stem);
                true
            }
            None => false,
        }
    }
}

impl TokenStream for CachedStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let Some(std::ops::Range { start, end }) = crate::text::next_run(self.text, self.at) else {
                self.at = self.text.len();
                return false;
            };
            self.at = end;
            // Positions count every word, kept or not, as the simple tokenizer's do.
            self.position = self.position.wrapping_add(1);
            if self.stem_into(start..end) {
                self.token.offset_from = start;
                self.token.offset_to = end;
                self.token.position = self.position;
                self.token.position_length = 1;
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenizerManager;

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t| out.push((t.text.clone(), t.offset_from, t.offset_to, t.position)));
        out
    }

    #[test]
    fn gives_exactly_the_stock_analyzers_tokens() {
        let Some(stock) = TokenizerManager::default().get("en_stem") else { panic!("no en_stem") };
        let cached = TextAnalyzer::from(CachedStems::new(stock.clone(), 1));
        for text in [
            "",
            "  ",
            "Retries multiplied the load; retried requests timed-out (504s) at 09:12 UTC.",
            "Über-Größe ÉCOLE naïve café — ünïcödé ✓ words",
            "a-very-long-token-abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz and short",
            "repeated repeated REPEATED Repeated",
        ] {
            assert_eq!(tokens(cached.clone(), text), tokens(stock.clone(), text), "{text:?}");
        }
    }
}
