//! What the commands' clap definitions share: value parsers for numbers whose errors name the
//! allowed range (from core's named limits), the output formats as value enums, and the IMD
//! edition parser built from core's list of editions.
//!
//! A value parser here is a function from the text to the value; clap turns its error into
//! `error: invalid value 'TEXT' for '--flag <V>': MESSAGE` with exit status 2, so every bad
//! value is named with its flag, and the message says the range. Clap's own ranged parser
//! (`value_parser!(u64).range(..)`) names the range only for a number outside it, not for text
//! that is no number ("ten", "1e5", "-1") or one too large for 64 bits, so these parsers say it
//! for all of them.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use equitas_core::deprivation::ImdEdition;

/// A parser of whole numbers in `range` (spaces around the number allowed).
pub(crate) fn whole<T>(
    range: RangeInclusive<T>,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: FromStr + PartialOrd + Display + Clone + Send + Sync + 'static,
{
    move |text| {
        text.trim()
            .parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                format!(
                    "not a whole number from {} to {}",
                    range.start(),
                    range.end()
                )
            })
    }
}

/// `text` as a number (spaces around it allowed); NaN when it is none, for a check that then
/// refuses it with its range.
pub(crate) fn number(text: &str) -> f64 {
    text.trim().parse::<f64>().unwrap_or(f64::NAN)
}

/// The parser of `--edition`: the ids of core's [`ImdEdition::ALL`], listed in errors.
pub(crate) fn edition() -> impl TypedValueParser<Value = ImdEdition> {
    PossibleValuesParser::new(ImdEdition::ALL.map(ImdEdition::id))
        .try_map(|id| ImdEdition::parse(&id))
}

/// `--format` of the cohort commands. (The variants have no doc comments: clap would make
/// them a list in the help, where the option's own help already says what each is.)
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub(crate) enum Format {
    // The report as a table for people.
    Table,
    // A CSV table (see --csv-table).
    Csv,
    // The report, counts and problems as JSON.
    Json,
}

/// `--format` of the commands that write data only (measures and the Fingertips methods).
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub(crate) enum DataFormat {
    // One row per result.
    Csv,
    // An array of objects.
    Json,
}

/// Which table `--format csv` writes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub(crate) enum CsvTable {
    // The counts, in long format.
    Counts,
    // One row per ambition metric.
    Ambitions,
    // The ambition rates by IMD quintile, in the WHO HEAT Plus layout.
    HeatPlus,
    // Every breakdown's cells and margins, one row per count.
    Breakdowns,
    // With periods: each ambition's change, trend, gap change and status, one row per metric.
    Changes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_name_their_range() {
        let people = whole(1..=10u64);
        assert_eq!(people(" 7 "), Ok(7));
        for bad in ["0", "11", "-1", "ten", "", "1e5", "18446744073709551616"] {
            assert_eq!(
                people(bad),
                Err("not a whole number from 1 to 10".to_owned()),
                "{bad:?}"
            );
        }
        assert!(number("x").is_nan());
        assert_eq!(number(" 1e3"), 1000.0);
    }
}
