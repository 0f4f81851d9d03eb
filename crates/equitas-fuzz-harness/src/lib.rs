//! The checks behind equitas's fuzz targets, one function per reader.
//!
//! Each function takes the raw bytes a fuzzer made, feeds them to one of equitas's readers the
//! way the CLI or the browser does, and panics when an invariant breaks: a reader that panics,
//! a round trip that changes something, a fast path that disagrees with the simple one, a result
//! that loses data or holds NaN. Bad input that is refused with an error is fine: that is the
//! reader doing its job.
//!
//! The same functions run in two places:
//! - the cargo-fuzz targets in `fuzz/fuzz_targets/` (a workspace of its own, run by
//!   `cargo xtask fuzz`), one target per entry of [`TARGETS`], named alike;
//! - the `fuzz_corpus` tests in `tests/`, which replay every file of `fuzz/corpus/<target>/` and
//!   `fuzz/regressions/<target>/` on the pinned toolchain, so CI runs the corpus without a
//!   fuzzer.
//!
//! ```
//! // Every target takes any bytes; these are refused cleanly, so nothing panics.
//! for (_, check) in equitas_fuzz_harness::TARGETS {
//!     check(b"not what any reader wants");
//! }
//! ```

mod assessment;
mod cohort;
mod fingertips;
mod heat_plus;
mod imd;
mod json;

pub use assessment::{envelope, instrument};
pub use cohort::{counts, definition, person, records};
pub use fingertips::fingertips;
pub use heat_plus::heat_plus;
pub use imd::imd;
pub use json::json;

/// A fuzz target's check: panics when an invariant breaks.
pub type Check = fn(&[u8]);

/// Every fuzz target, by the name of its file in `fuzz/fuzz_targets/` and its corpus folder.
pub const TARGETS: [(&str, Check); 10] = [
    ("json", json),
    ("envelope", envelope),
    ("instrument", instrument),
    ("definition", definition),
    ("person", person),
    ("records", records),
    ("counts", counts),
    ("imd", imd),
    ("heat_plus", heat_plus),
    ("fingertips", fingertips),
];

/// The check of the target called `name`.
#[must_use]
pub fn target(name: &str) -> Option<Check> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
}

/// The input as text, when it is UTF-8: the JSON readers take `&str`, and the CLI and the
/// browser refuse a file that is not UTF-8 before any reader sees it.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Panics unless `x` is a number (not NaN), naming `what`.
#[track_caller]
fn not_nan(what: &str, x: Option<f64>) {
    if let Some(v) = x {
        assert!(!v.is_nan(), "{what} is NaN");
    }
}
