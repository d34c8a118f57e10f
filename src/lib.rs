//! Casebook turns a directory of incident postmortems into a searchable static
//! knowledge base of remedies and preventive guardrails.
//!
//! The pipeline reads top to bottom: [`load`] (files → checked model, with
//! diagnostics) → [`model`] (plain data) → analyze → index → render → [`write`].
//! Only `load` and `write` touch the file system. The binary (`src/main.rs`) is
//! a thin wrapper around [`cli::run`].

pub mod analyze;
pub mod build;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod index;
pub mod load;
pub mod model;
pub mod render;
pub mod review;
pub mod scaffold;
pub mod serve;
pub mod write;
