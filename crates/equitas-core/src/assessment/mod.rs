//! Health Equity Assessment Tool self-assessments: instruments as data, answers validated,
//! scored transparently, saved safely.
//!
//! - [`instrument`]: the model (sections, questions with stable [`QuestionId`]s, kinds,
//!   visibility conditions, the rubric and gap rules). The built-in instruments are
//!   `seeds/instruments/heat-v1.json` and `hi-maturity-v1.json`; an organisation loads its own
//!   with [`Registry::add_json`].
//! - [`answers`]: typed answers and how they are read from JSON.
//! - [`validate()`] and [`progress()`]: what the form shows while it is filled in.
//! - [`score()`]: section and overall scores 0–100, a band, every point explained, gaps with
//!   recommendations, the maturity profile and the gap quantified from the evidence.
//! - [`summary()`]: a portfolio view across many assessments.
//! - [`envelope`]: the saved file, its migrations, and [`load`].
//! - [`ReportModel`] ([`report`]): the report as a reader sees it, the scores with band ranges,
//!   where each gap is, the action plan in words, the measures' names and charts of the
//!   evidence; what the CLI's Markdown and HTML and the browser's results page draw.
//! - [`render`]: Markdown and print-ready HTML of a report model or summary.
//!
//! The score is equitas's rubric for how thorough an assessment is; it is not an official OHID
//! score and says nothing about the quality of the service assessed.
//!
//! ```
//! use equitas_core::assessment::{Assessment, Registry, load, score, validate};
//!
//! let registry = Registry::builtin()?;
//! let heat = registry.latest("heat").unwrap();
//! let draft = Assessment::new(heat, "2026-01-05T09:00:00Z");
//! let text = draft.to_json();
//! let loaded = load(&text, &registry)?.assessment;
//! assert_eq!(loaded, draft);
//! assert!(!validate(heat, &loaded.answers).is_empty()); // required questions are unanswered
//! assert_eq!(score(heat, &loaded.answers).overall, 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Issue 13: no function over about 100 lines without a reason. Clippy counts the lines of code
// (not comments or blank lines) against its default threshold of 100; a longer function says
// why in an `#[allow(clippy::too_many_lines, reason = "...")]`.
#![warn(clippy::too_many_lines)]

pub mod annex;
pub mod answers;
pub mod compare;
pub mod date;
pub mod doc;
pub mod envelope;
pub mod instrument;
pub mod render;
pub mod report;
mod rules;
pub mod score;
pub mod summary;
pub mod validate;

pub use answers::{Answer, Answers, ChecklistEntry, Evidence, EvidenceRow, Impact};
pub use compare::{Change, ChangedAnswer, CompareError, compare, compare_in_words};
pub use date::{Date, DateError};
pub use envelope::{
    Assessment, FORMAT, InstrumentRef, LoadError, Loaded, MigrationNote, Registry, Retained,
    SCHEMA_VERSION, SavedFile, load, load_value,
};
pub use instrument::{Instrument, InstrumentError, QuestionId};
pub use report::ReportModel;
pub use score::{
    Compute, MeasureValue, Report, evidence_strata, measures_engine, score, score_with,
};
pub use summary::{Summary, summary};
pub use validate::{
    FieldError, Problem, SectionProgress, Status, is_visible, progress, progress_with, validate,
    validate_as_of, visible_questions,
};
