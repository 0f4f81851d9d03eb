//! Readers and writers for interchange formats: the WHO HEAT Plus template ([`heat_plus`]) and
//! the named-column CSV inputs of the Fingertips commands ([`columns`]) and the Fingertips
//! methods run over them, group by group ([`fingertips`]), and the input of `equitas le-gap`
//! ([`legap`]). [`measured`] is a HEAT Plus file measured as the data page shows it: each
//! table's measures with their names, and a chart. [`evidence`] reads the rows of an
//! assessment's evidence table from a pasted spreadsheet range or a CSV file.

// No function over about 100 lines without a reason (the crate root turns this on for every
// module; it is stated here too, as in assessment/): a longer function says why in an
// `#[allow(clippy::too_many_lines, reason = "...")]`.
#![warn(clippy::too_many_lines)]

#[cfg(feature = "csv")]
pub mod columns;
#[cfg(feature = "csv")]
pub mod evidence;
#[cfg(feature = "csv")]
pub mod fingertips;
#[cfg(feature = "csv")]
pub mod heat_plus;
#[cfg(feature = "csv")]
pub mod legap;
#[cfg(feature = "csv")]
pub mod measured;
#[cfg(feature = "csv")]
pub mod series;
