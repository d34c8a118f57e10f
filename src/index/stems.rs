//! Tantivy's `en_stem` analyzer, stemming each distinct word once.
//!
//! `en_stem` is Tantivy's simple tokenizer (every run of alphanumeric
//! characters is a token), a length limit, lower case and the English
//! stemmer. Each filter looks at one token alone, so the stem of a word is
//! always the same: this tokenizer cuts the text the same way, asks the real
//! analyzer once per distinct word, and reuses the answer. The tokens are
//! exactly `en_stem`'s; the index reads back with the stock analyzer.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Word → its stem, or `None` when the analyzer drops the word.
type Memory = FxHashMap<Box<str>, Option<Box<str>>>;

#[derive(Clone)]
pub struct CachedStems {
    analyzer: TextAnalyzer,
    /// Shared by the clones Tantivy makes per field.
    memory: Arc<Mutex<Memory>>,
}

impl CachedStems {
    pub fn new(analyzer: TextAnalyzer) -> Self {
        CachedStems { analyzer, memory: Arc::default() }
    }

    /// Put the stem of `word` into `out`; false when the analyzer drops it.
    fn stem_into(&mut self, word: &str, out: &mut String) -> bool {
        let Ok(mut memory) = self.memory.lock() else { return false };
        let found = match memory.get(word) {
            Some(found) => found,
            None => {
                let stem = super::stem_of(word, &mut self.analyzer).map(String::into_boxed_str);
                memory.entry(word.into()).or_insert(stem)
            }
        };
        match found {
            Some(stem) => {
                out.clear();
                out.push_str(stem);
                true
            }
            None => false,
        }
    }
}

pub struct CachedStream<'a> {
    stems: &'a mut CachedStems,
    text: &'a str,
    at: usize,
    position: usize,
    token: Token,
}

impl Tokenizer for CachedStems {
    type TokenStream<'a> = CachedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CachedStream<'a> {
        CachedStream { stems: self, text, at: 0, position: usize::MAX, token: Token::default() }
    }
}

impl TokenStream for CachedStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let Some(start) = self.text[self.at..].find(char::is_alphanumeric).map(|s| self.at + s) else {
                self.at = self.text.len();
                return false;
            };
            let end = self.text[start..].find(|c: char| !c.is_alphanumeric()).map_or(self.text.len(), |e| start + e);
            self.at = end;
            // Positions count every word, kept or not, as the simple tokenizer's do.
            self.position = self.position.wrapping_add(1);
            if self.stems.stem_into(&self.text[start..end], &mut self.token.text) {
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
        let cached = TextAnalyzer::from(CachedStems::new(stock.clone()));
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
