//! Casebook's integration tests: one binary, a module per command or concern.
//! Fixture knowledge bases live in `tests/fixtures/<case>/`, one folder per case.

// Tests may panic on setup failures; the library may not (see Cargo.toml [lints]).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod build;
mod check;
mod example;
mod import;
mod incremental;
mod incremental_props;
mod layers;
mod learning;
mod links;
mod names;
mod onboarding;
mod output_dir;
mod ranking;
mod review;
mod robustness;
mod safety;
mod scaffold;
mod search;
mod serve;
mod support;
