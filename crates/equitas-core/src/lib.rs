//! # equitas-core
//!
//! The engine behind equitas, for health-equity work in the English NHS: deprivation lookups on
//! the real Indices of Multiple Deprivation, the Core20PLUS5 cohort model, the 21 WHO HEAT
//! inequality measures and OHID's Fingertips methods, and Health Equity Assessment Tool
//! self-assessments. Pure Rust with no I/O beyond `std::io::Read` readers, so the same code runs
//! in the `equitas` command and in the browser through `equitas-wasm`.
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
//!
//! ## Where to start
//!
//! - [`deprivation`]: load an IMD file ([`deprivation::DeprivationIndex::from_csv`]), look up an
//!   area's decile and quintile, ask whether it is Core20.
//! - [`cohort`]: a [`cohort::CohortDefinition`] compiled into a [`cohort::Classifier`] classifies
//!   a [`cohort::PersonRecord`]; [`cohort::records::count_records`] counts a whole CSV into
//!   mergeable [`cohort::CohortCounts`], and [`cohort::report`] and [`cohort::ambitions`] read
//!   them.
//! - [`measures`]: [`measures::compute`] gives any of the 21 WHO HEAT measures of a
//!   [`measures::Stratum`]; [`measures::phe`] holds Fingertips' SII, proportions, rates, DSRs,
//!   ISRs, means, funnels and quantiles, [`measures::lifetable`] life expectancy (Chiang II), and
//!   [`measures::intervals`] the confidence intervals.
//! - [`assessment`]: instruments as data, [`assessment::validate()`], [`assessment::score()`],
//!   saved files and their migrations ([`assessment::load`]), reports ([`assessment::render`]).
//! - [`io`]: the WHO HEAT Plus upload template and named-column CSV tables.
//! - [`catalogue`] (the Core20PLUS5 seeds, typed), [`date`] (calendar dates), [`synth`] (a
//!   synthetic population, labelled synthetic wherever it appears).
//!
//! The `examples/` folder has whole programs: `classify_csv` (a person-record CSV into cohort
//! counts and ambitions), `sii` (Fingertips SII for each area of a CSV) and `score_assessment`
//! (load, migrate, check and score a saved assessment); run one with
//! `cargo run -p equitas-core --example sii`.
//!
//! ## Bad input
//!
//! Nothing is dropped or guessed: bad input is an error (or, for a row of a file, a reported
//! problem) naming the value and where it was, as a row and column or a JSON pointer. Every size
//! or count taken from input has a named limit (`MAX_…`). A measure that cannot be computed
//! returns the reason, never NaN.
//!
//! ## Cargo features
//!
//! - `csv` (default): the CSV readers: IMD files ([`deprivation::DeprivationIndex::from_csv`]),
//!   person records ([`cohort::records`]), the HEAT Plus template and named-column tables
//!   ([`io`]). The browser's assessment engine builds without it.
//! - `schema`: JSON Schema derivations (schemars) of the seed files' types, for the schema
//!   generator and the tests that check the committed schemas.
//! - `ts`: TypeScript declarations (tsify) of the types the wasm API passes; only `equitas-wasm`
//!   turns it on.
#![deny(missing_docs)]
// No function over about 100 lines without a reason, anywhere in the crate (issue 13's rule,
// first in assessment/ and measures/legap.rs). Clippy counts the lines of code (not comments or
// blank lines) against its default threshold of 100; a longer function says why in an
// `#[allow(clippy::too_many_lines, reason = "...")]`.
#![warn(clippy::too_many_lines)]

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
pub mod disclosure;
pub mod geography;
pub mod io;
pub mod measures;
#[allow(
    clippy::disallowed_methods,
    reason = "the synthetic population is made natively; no browser module reaches it: see \
              clippy.toml"
)]
pub mod synth;

/// Reading JSON into the types, with the JSON pointer of any bad value: the `equitas-json`
/// crate, whose derive every readable type here uses.
pub use equitas_json as read;
/// The map of the assessment types (answers by question, credit per option, …).
pub use equitas_lean::SortedMap;
// Numbers in messages and the one stable sort, small in the browser build.
use equitas_lean::{num as number, sort};
