//! Search query planning: a query read against the word list of a small
//! corpus (stems, completions, corrections, synonyms, quoted phrases), and
//! the edit distance and prefix expansion it uses.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use casebook::index::query::{Lexicon, edit_distance, plan, synonyms};
use casebook::index::Words;
use casebook::text::{analyzer, raw_words, stem_of};
use libfuzzer_sys::fuzz_target;

const CORPUS: &[&str] = &[
    "Kafka broker disk full: the retention policy was not applied after the upgrade",
    "Orders database failover left stale DNS records; clients kept writing to the old primary",
    "Certificate expiry on the ledger mTLS endpoint; rotation job silently failed",
    "Rate limit config push throttled the editor API — rolled back within 12 minutes",
    "Tile cache stampede after a deploy cleared the CDN; origin overloaded",
    "Clock skew on auth nodes rejected tokens (NTP disabled) — Ünïcödé naïve café 東京 ß",
];

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut map: BTreeMap<String, (String, u32)> = BTreeMap::new();
        let Some(mut analyzer) = analyzer() else { return Words::default() };
        for doc in CORPUS {
            let mut seen: Vec<String> = raw_words(doc);
            seen.sort();
            seen.dedup();
            for word in seen {
                if let Some(stem) = stem_of(&word, &mut analyzer) {
                    map.entry(word).or_insert((stem, 0)).1 += 1;
                }
            }
        }
        Words { map }
    })
}

fn synonym_terms() -> &'static [Vec<String>] {
    static GROUPS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    GROUPS.get_or_init(|| analyzer().map(|mut a| synonyms(&[], &mut a)).unwrap_or_default())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let words = words();
    let lexicon = Lexicon::new(words, synonym_terms());
    let Some(mut analyzer) = analyzer() else { return };
    for correct in [true, false] {
        let planned = plan(text, &lexicon, &mut analyzer, correct);
        let _ = planned.stems();
    }
    let _ = words.expand(text);
    let chars: Vec<char> = text.chars().take(64).collect();
    let (a, b) = chars.split_at(chars.len() / 2);
    let _ = edit_distance(a, b);
});
