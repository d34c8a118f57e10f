//! The importer: one source, read with each format (the first byte chooses
//! the format and, for `Auto`, the file name it is detected by).
#![no_main]

use std::sync::OnceLock;

use casebook::config::Config;
use casebook::import::{Context, Format, Input, import};
use libfuzzer_sys::fuzz_target;

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(Config::default)
}

const FORMATS: [(Format, &str); 8] = [
    (Format::Auto, "2024-03-12-fuzz.md"),
    (Format::Auto, "incidents.csv"),
    (Format::Auto, "incidents.json"),
    (Format::Auto, "notes"),
    (Format::Markdown, "2025-02-11-fuzz.md"),
    (Format::FrontMatter, "post.md"),
    (Format::Csv, "export.csv"),
    (Format::Json, "export.json"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let (format, from) = FORMATS[usize::from(first) % FORMATS.len()];
    let inputs = [Input { from: from.to_string(), text: text.to_string() }];
    let _ = import(&inputs, format, &Context { config: config() });
});
