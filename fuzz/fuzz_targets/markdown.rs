//! The Markdown path: a record's body rendered to HTML, with raw HTML
//! allowed or not (the first byte chooses).
#![no_main]

use std::sync::OnceLock;

use casebook::render::markdown::{Markdown, without_title_heading};
use libfuzzer_sys::fuzz_target;

fn renderer(allow_raw_html: bool) -> &'static Markdown {
    static SAFE: OnceLock<Markdown> = OnceLock::new();
    static RAW: OnceLock<Markdown> = OnceLock::new();
    if allow_raw_html { RAW.get_or_init(|| Markdown::new(true)) } else { SAFE.get_or_init(|| Markdown::new(false)) }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let body = without_title_heading(text, "Fuzz title");
    let _ = renderer(first & 1 == 1).render(body);
});
