//! Memoised rendering, for fast rebuilds in `serve`.
//!
//! Part of `render` (layer 4): `serve` (layer 6) keeps one cache across its
//! builds and hands it to [`super::render_site`].
//!
//! A page's output is a pure function of its template set and its context;
//! Markdown output is a pure function of the text and the Markdown options.
//! The cache keys each result by a 128-bit hash of exactly those inputs, so a
//! rebuild that reuses cached results produces the same bytes as a build from
//! scratch (a test holds this after edits of every kind). Entries not used by
//! the latest build are dropped, so memory stays proportional to the site.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::Mutex;

/// A 128-bit content key: two independently seeded SipHash values.
pub type Key = (u64, u64);

/// Results of earlier renders, reused when their inputs have not changed.
#[derive(Default)]
pub struct RenderCache {
    /// Whether results are kept for a later build (`serve`); a one-off build
    /// neither hashes nor keeps anything.
    reuse: bool,
    seeds: (RandomState, RandomState),
    /// The theme the page entries were rendered with.
    theme: Option<Key>,
    markdown: Store<String>,
    pages: Store<Vec<u8>>,
    /// The Markdown renderer (loading syntax definitions is slow: do it once).
    renderers: [std::sync::OnceLock<super::markdown::Markdown>; 2],
    /// The shared `site` context of the latest build.
    site: Mutex<Option<serde_json::Value>>,
}

/// One kind of cached result, with the entries used by the current build.
struct Store<T> {
    previous: HashMap<Key, T>,
    current: Mutex<HashMap<Key, T>>,
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store { previous: HashMap::new(), current: Mutex::new(HashMap::new()) }
    }
}

impl<T: Clone> Store<T> {
    fn get_or(&self, key: Key, make: impl FnOnce() -> Result<T, super::RenderError>) -> Result<T, super::RenderError> {
        let value = match self.previous.get(&key) {
            Some(v) => v.clone(),
            None => make()?,
        };
        if let Ok(mut current) = self.current.lock() {
            current.insert(key, value.clone());
        }
        Ok(value)
    }

    /// Keep what this build used; forget the rest.
    fn rotate(&mut self) {
        let used = match self.current.get_mut() {
            Ok(map) => std::mem::take(map),
            Err(poisoned) => std::mem::take(poisoned.into_inner()),
        };
        self.previous = used;
    }
}

impl RenderCache {
    /// A cache that keeps results for the next build, for `serve`.
    pub fn new() -> Self {
        RenderCache { reuse: true, ..Self::default() }
    }

    /// No reuse: for a build that runs once. Keys are never computed and
    /// nothing is kept, so memory holds no copy of the site.
    pub fn single_build() -> Self {
        Self::default()
    }

    /// Whether this cache keeps results; when not, callers skip the keys.
    pub fn reuses(&self) -> bool {
        self.reuse
    }

    pub fn key(&self, parts: &[&[u8]]) -> Key {
        let mut a = self.seeds.0.build_hasher();
        let mut b = self.seeds.1.build_hasher();
        for part in parts {
            part.hash(&mut a);
            part.hash(&mut b);
        }
        (a.finish(), b.finish())
    }

    /// Start a build with templates whose content hashes to `theme`; a different
    /// theme invalidates every cached page.
    pub fn begin(&mut self, theme: Key) {
        if self.theme != Some(theme) {
            self.pages = Store::default();
            self.theme = Some(theme);
        }
    }

    /// Finish a build: keep only the entries it used.
    pub fn finish(&mut self) {
        self.markdown.rotate();
        self.pages.rotate();
    }

    pub fn markdown(&self, key: Key, make: impl FnOnce() -> String) -> String {
        if !self.reuse {
            return make();
        }
        self.markdown.get_or(key, || Ok(make())).unwrap_or_default()
    }

    pub fn page(
        &self,
        key: Key,
        make: impl FnOnce() -> Result<Vec<u8>, super::RenderError>,
    ) -> Result<Vec<u8>, super::RenderError> {
        if !self.reuse {
            return make();
        }
        self.pages.get_or(key, make)
    }

    /// The Markdown renderer for this setting of raw HTML.
    pub fn markdown_renderer(&self, allow_raw_html: bool) -> &super::markdown::Markdown {
        self.renderers[usize::from(allow_raw_html)].get_or_init(|| super::markdown::Markdown::new(allow_raw_html))
    }

    pub fn remember_site(&self, site: &serde_json::Value) {
        if let Ok(mut s) = self.site.lock() {
            *s = Some(site.clone());
        }
    }

    /// The `site` context of the latest build.
    pub fn site(&self) -> Option<serde_json::Value> {
        self.site.lock().ok().and_then(|s| s.clone())
    }

    /// How many pages the last build could reuse (for `serve`'s log line).
    pub fn cached_pages(&self) -> usize {
        self.pages.previous.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_only_identical_inputs_and_forgets_unused_entries() {
        let mut cache = RenderCache::new();
        cache.begin((1, 1));
        let k1 = cache.key(&[b"page", b"ctx-1"]);
        let k2 = cache.key(&[b"page", b"ctx-2"]);
        assert_ne!(k1, k2);
        assert_eq!(cache.key(&[b"page", b"ctx-1"]), k1);
        assert_eq!(cache.page(k1, || Ok(b"one".to_vec())).ok(), Some(b"one".to_vec()));
        cache.finish();
        // Cached: the closure is not called.
        assert_eq!(cache.page(k1, || Ok(b"changed".to_vec())).ok(), Some(b"one".to_vec()));
        cache.finish();
        // Not used in a build: forgotten after the next.
        cache.finish();
        assert_eq!(cache.page(k1, || Ok(b"fresh".to_vec())).ok(), Some(b"fresh".to_vec()));
        // A new theme invalidates pages.
        cache.finish();
        cache.begin((2, 2));
        assert_eq!(cache.page(k1, || Ok(b"new theme".to_vec())).ok(), Some(b"new theme".to_vec()));
    }
}
