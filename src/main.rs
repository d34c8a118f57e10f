//! The `casebook` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

// Rendering and indexing allocate many small strings from both threads at
// once; mimalloc's per-thread heaps do that faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    casebook::cmd::run()
}
