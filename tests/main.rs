//! One integration test binary for the workspace (see ARCHITECTURE.md).
//!
//! Files from `../shared` are found through [`shared`]; tests that need them fail loudly when
//! they are missing rather than skipping, because CI always has `../shared` beside the clone.
#![allow(clippy::unwrap_used, reason = "tests")]

mod assessment;
mod cohort;
mod deprivation;
mod fuzz_corpus;
mod measures;
mod phe;
mod seeds;
pub mod tolerance;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A path inside `../shared` (beside the repository).
pub fn shared(rel: &str) -> PathBuf {
    let p = root().join("..").join("shared").join(rel);
    assert!(
        p.exists(),
        "{} is missing: CI and developers keep ../shared beside the clone",
        p.display()
    );
    p
}
