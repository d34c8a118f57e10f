//! Casebook turns a directory of incident postmortems into a searchable static
//! knowledge base of remedies and preventive guardrails.
//!
//! The modules are layers, each using only the layers below it (the rule is
//! `docs/architecture.md`'s, and `tests/casebook/layers.rs` holds it):
//!
//! - L0 [`model`], [`diagnostics`], [`output`], [`text`]: plain data, problems
//!   with positions, files in memory, how text is cut and stemmed;
//! - L1 [`config`]: `casebook.toml`;
//! - L2 [`load`]: files → checked model, one record at a time; [`import`]:
//!   postmortems in other formats → records;
//! - L3 [`analyze`] (links, chains, similarity, metrics) and [`index`] (search);
//! - L4 [`crosscheck`] (checks across records), [`render`] (pages in memory)
//!   and [`write`] (the output directory);
//! - L5 [`build`], [`review`], [`scaffold`]; L6 [`serve`];
//! - L7 [`cli`] (the arguments) and L8 [`cmd`] (the commands).
//!
//! The binary (`src/main.rs`) is a thin wrapper around [`cmd::run`].

pub mod analyze;
pub mod build;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod crosscheck;
pub mod diagnostics;
pub mod import;
pub mod index;
pub mod load;
pub mod model;
pub mod output;
pub mod render;
pub mod review;
pub mod scaffold;
pub mod serve;
pub mod text;
pub mod write;
