//! # equitas-wasm
//!
//! The equitas engine in the browser: thin [`wasm_bindgen`](mod@wasm_bindgen) exports over `equitas-core`. This
//! crate only translates (JS values in, JS values out, errors to `JsError` in `js_error`); every
//! rule lives in core, where it is tested on the host.
//!
//! Every export returns `Result<_, JsError>`, so bad input throws an ordinary, catchable JS
//! `Error` whose message is core's (for example "IMD decile must be a whole number from 1 to 10,
//! got 11"); nothing reachable from JS panics.
//!
//! The exports come in three groups, one cargo feature each, so that a page downloads only the
//! functions it uses (`cargo xtask wasm` builds each into its own module):
//!
//! - `assess`: the assessment engine (`instruments`, `instrument`, `addInstrument`,
//!   `newAssessment`, `loadAssessment`, `validateAssessment`, `assessmentProgress`,
//!   `visibleQuestions`, `scoreAssessment`, `summariseAssessments`), built as
//!   `www/pkg/equitas_wasm.js` for the start page, the form and the results;
//! - `measures`: the data page's measures (`measureHeatPlus`), built as
//!   `www/pkg/equitas_measures.js`; only this feature enables core's `csv` feature;
//! - `cohort`: the cohort classifier (`classifyPerson`, under the national definition or a
//!   caller's own, local ones too; `imdQuintile`, `isCore20Decile`), built as
//!   `www/pkg/equitas_cohort.js`; no page loads it yet, it is there for embedders.
//!
//! All three are on by default, so host checks, clippy and the tests in `tests/node.rs` cover
//! every export in one build.
//!
//! ```js
//! import init, * as eq from "./pkg/equitas_wasm.js";
//! await init();
//! const draft = eq.newAssessment("heat", new Date().toISOString());
//! draft.answers["prepare.title"] = "Smoking cessation service redesign";
//! eq.validateAssessment(draft);   // [{ question: "prepare.scope", message: "...", ... }, ...]
//! eq.scoreAssessment(draft);      // { report: { overall: 4.2, band: {...}, gaps: [...] },
//!                                 //   measures: [...], charts: [...] }
//!
//! import initMeasures, * as measures from "./pkg/equitas_measures.js";
//! await initMeasures();
//! measures.measureHeatPlus(csvText);  // { method, level, glossary: [...],
//!                                     //   tables: [{ key, measures: [...], chart }] }
//!
//! import initCohort, * as cohort from "./pkg/equitas_cohort.js";
//! await initCohort();
//! cohort.imdQuintile(3);              // 2
//! cohort.classifyPerson({ id: "p1", age: 47, imd_decile: 2, conditions: ["smi"] });
//! cohort.classifyPerson(record, { definition: localDefinition });  // its PLUS groups too
//! ```
//!
//! Values cross as JS values (serde-wasm-bindgen), read as the JSON they stand for; JSON text
//! only where the input is text (a file). Every call reads at most [`MAX_INPUT_BYTES`] (64 MiB)
//! of JSON; longer input is an error that names its size and the limit, as is a value JSON
//! cannot hold exactly (`NaN`, `Infinity`, a string with a lone surrogate, a `BigInt`, a `Map`,
//! a function), naming its JSON pointer. A call that fails, even by trapping,
//! leaves the engine as it was: the next call works.
//!
//! Assessments cross the boundary as saved-file objects (the JSON `equitas assess` writes).
//! Every function that takes one reads it through core's loader, so an object from an older
//! instrument version is migrated on the way in and a malformed one is an error naming its JSON
//! path, not a guess.
//!
//! The code only exists for wasm targets (as in ruff's `ruff_wasm`), so the workspace still
//! builds and lints on the host.
#![cfg(target_family = "wasm")]

#[cfg(feature = "assess")]
mod assess;
#[cfg(feature = "cohort")]
mod cohort;
#[cfg(any(
    feature = "assess",
    feature = "measures",
    feature = "cohort",
    feature = "team"
))]
mod convert;
#[cfg(feature = "measures")]
mod measures;
#[cfg(feature = "team")]
mod team;

#[cfg(feature = "assess")]
pub use assess::*;
#[cfg(feature = "cohort")]
pub use cohort::*;
#[cfg(any(
    feature = "assess",
    feature = "measures",
    feature = "cohort",
    feature = "team"
))]
pub use convert::MAX_INPUT_BYTES;
#[cfg(feature = "measures")]
pub use measures::*;
#[cfg(feature = "team")]
pub use team::*;

/// The modules' memory allocator: rlsf's TLSF (two-level segregated fit), which allocates and
/// frees in constant time and takes about 7 KB less of each module than the dlmalloc std uses
/// on wasm. Measured on the assessment engine, as `cargo xtask bench web` times it: scoring,
/// validation and a portfolio summary of 2,000 files as fast as with dlmalloc, and the same
/// peak memory within 6%. (lol_alloc's free list, smaller still, took ten times as long on the
/// summary: each allocation walks the free list.)
#[global_allocator]
static ALLOCATOR: rlsf::SmallGlobalTlsf = rlsf::SmallGlobalTlsf::new();
