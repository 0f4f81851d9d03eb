//! # equitas-core
//!
//! The engine behind equitas: deprivation lookups on the real Indices of Multiple Deprivation,
//! the Core20PLUS5 cohort model, and (as later issues land) inequality measures and Health Equity
//! Assessment Tool self-assessments. Pure Rust, no I/O beyond `std::io::Read` readers, so the same
//! code runs in the `equitas` CLI and in the browser through `equitas-wasm`.
//!
//! ```
//! use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};
//! use equitas_core::deprivation::ImdDecile;
//!
//! let classifier = Classifier::new(CohortDefinition::national(), None)?;
//! let mut person = PersonRecord::new("p1");
//! person.age = Some(47);
//! person.imd_decile = Some(ImdDecile::new(2)?);
//! person.conditions.push("smi".into());
//! let m = classifier.classify(&person)?;
//! assert_eq!(m.core20, Some(true));
//! assert!(m.adult_areas.contains(classifier.area_index("smi").unwrap()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

/// The text of a seed file (path relative to `seeds/`), as `build.rs` copied it into `OUT_DIR`:
/// the file itself natively, minified for wasm.
macro_rules! seed_text {
    ($path:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/seeds/", $path))
    };
}

pub mod assessment;
pub mod catalogue;
pub mod cohort;
pub mod date;
pub mod deprivation;
pub mod io;
mod json;
pub mod map;
pub mod measures;
mod number;
pub mod read;
mod sort;
pub mod synth;
