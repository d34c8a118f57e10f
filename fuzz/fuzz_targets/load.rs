//! The record reader: front matter split, TOML, conversion to the model and
//! the record's own lints, on one file's text (`load::check_text`).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use casebook::config::Config;
use casebook::load::check_text;
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(Config::default)
}

fuzz_target!(|data: &[u8]| {
    // The loader reports non-UTF-8 files before parsing; only text gets here.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
    let _ = check_text(Path::new("incidents/2024/fuzz.md"), text, config(), today);
});
