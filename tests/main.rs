//! One integration test binary for the workspace (see ARCHITECTURE.md).
//!
//! Files from `../shared` are found through [`shared`]; tests that need them fail loudly when
//! they are missing rather than skipping, because CI always has `../shared` beside the clone.
#![allow(clippy::unwrap_used, reason = "tests")]

mod assessment;
mod cohort;
mod deprivation;
mod fuzz_corpus;
mod lints;
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

/// Significant digits a float keeps in a JSON snapshot. Snapshots hold measures and scores whose
/// references ask for 1e-6 (WHO HEAT), 1e-8 (Wilson, Byar) and 1e-9 (PHE SII point estimates)
/// relative, so 10 digits (5e-10 relative) still show any change a reference would notice, while
/// a change in the last bit of a result (libm, the order of a sum: about 1e-16 relative) moves a
/// rounded digit only when the value sits within that of a rounding boundary. Exact bits are
/// checked where they matter: `tests/fixtures/portable-simulation.json`, native and wasm32.
pub const SNAPSHOT_DIGITS: usize = 10;

/// `x` rounded to [`SNAPSHOT_DIGITS`] significant digits (correctly, through the decimal form).
pub fn round_for_snapshot(x: f64) -> f64 {
    format!("{x:.prec$e}", prec = SNAPSHOT_DIGITS - 1)
        .parse()
        .unwrap_or(x)
}

/// Runs `f`, whose JSON snapshots then hold every float rounded to [`SNAPSHOT_DIGITS`]
/// significant digits (an insta redaction on the whole value, so no float is missed whatever its
/// field or depth); everything else is as serialized.
pub fn with_rounded_floats<R>(f: impl FnOnce() -> R) -> R {
    let mut settings = insta::Settings::clone_current();
    settings.add_redaction(
        ".",
        insta::dynamic_redaction(|mut content: insta::internals::Content, _| {
            content.walk(&mut |c| {
                if let insta::internals::Content::F64(x) = c {
                    *x = round_for_snapshot(*x);
                }
                true
            });
            content
        }),
    );
    settings.bind(f)
}

#[test]
fn snapshot_rounding_keeps_ten_significant_digits() {
    assert_eq!(round_for_snapshot(6.796_935_010_704_235), 6.796_935_011);
    assert_eq!(round_for_snapshot(0.021_908_220_123_456), 0.021_908_220_12);
    assert_eq!(round_for_snapshot(999_850.003_754_891_8), 999_850.003_8);
    assert_eq!(round_for_snapshot(10.0), 10.0);
    assert_eq!(round_for_snapshot(0.0), 0.0);
    // A last-bit change does not move the rounded value.
    let x = 6.796_935_010_704_235_f64;
    assert_eq!(
        round_for_snapshot(f64::from_bits(x.to_bits() + 1)),
        round_for_snapshot(x)
    );
}
