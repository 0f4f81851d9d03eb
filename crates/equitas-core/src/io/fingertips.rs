//! The Fingertips methods over a table with named columns, one result per group: what
//! `equitas sii|lifetable|proportion|rate|dsr` compute. Each function finds its columns, reads
//! and checks every cell it needs (a quantile must be a whole number, a count above zero, a start
//! age a whole number of years), groups the rows by the group-by columns, and runs the method in
//! [`crate::measures::phe`] or [`crate::measures::lifetable`] on each group.
//!
//! Every problem is a [`FingertipsError`] that says where it is: the row (as a spreadsheet
//! numbers it, see [`columns`](super::columns)), the column and the value for a bad cell, the
//! group and, where one row is to blame, its row for a problem the method finds.
//!
//! ```
//! use equitas_core::io::columns::Table;
//! use equitas_core::io::fingertips::{Crude, crude};
//! let t = Table::read("area,x,n\nA,3,10\nB,4,20\nA,1,5\n".as_bytes())?;
//! let groups = crude(&t, &["area".to_owned()], Crude::Proportion, &[0.95], 100.0)?;
//! assert_eq!(groups[0].key.to_string(), "group area=A");
//! assert_eq!((groups[0].x, groups[0].n), (4.0, 15.0));
//! assert!((groups[0].estimate.value.unwrap() - 26.666_666_666_666_668).abs() < 1e-9);
//! # Ok::<(), equitas_core::io::fingertips::FingertipsError>(())
//! ```

use std::fmt;

use super::columns::{ColumnError, Table};
use crate::measures::lifetable::{AgeBand, LifeExpectancy, OpenBand, life_expectancy_with};
use crate::measures::phe::dsr::{
    BandError, LabelledBand, StandardPopulation, calculate_dsr_by_label,
};
use crate::measures::phe::rates::{phe_proportion, phe_rate};
use crate::measures::phe::sii::{
    MAX_QUANTILES, SiiOptions, SiiResult, SiiRow, ValueType, phe_sii_many, sii_analytic,
};
use crate::measures::phe::{Estimate, Interval, PheError, Reason};

/// The oldest start age a life-table row may give, in years (the bands end at 90; older start
/// ages are refused as a band the life table does not have, with the others).
pub const MAX_START_AGE: u32 = 150;

/// The values of the group-by columns that pick out one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupKey {
    /// Each group-by column (as the caller named it) and the group's value in it.
    pub pairs: Vec<(String, String)>,
}

impl fmt::Display for GroupKey {
    /// `the input` when the rows are not grouped, else `group area=A, sex=F`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pairs.is_empty() {
            return f.write_str("the input");
        }
        f.write_str("group ")?;
        for (k, (column, value)) in self.pairs.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{column}={value}")?;
        }
        Ok(())
    }
}

/// The rows of a group a problem comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rows {
    /// One row (its spreadsheet row).
    One(usize),
    /// This many rows, summed.
    Summed(usize),
}

impl fmt::Display for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::One(row) => write!(f, "row {row}"),
            Self::Summed(n) => write!(f, "{n} rows summed"),
        }
    }
}

/// What is wrong with a Fingertips input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FingertipsError {
    /// The table cannot be read, lacks a column, or a cell is not a number.
    #[error(transparent)]
    Column(#[from] ColumnError),
    /// A quantile that is not a whole number from 1 to [`MAX_QUANTILES`].
    #[error("row {row}, column quantile: {value} is not a whole number from 1 to {MAX_QUANTILES}")]
    Quantile {
        /// Spreadsheet row.
        row: usize,
        /// The cell's number.
        value: f64,
    },
    /// A count (`x`, for proportions made from counts) that is not above zero.
    #[error("row {row}, column x: the count must be greater than zero, got {value}")]
    Count {
        /// Spreadsheet row.
        row: usize,
        /// The cell's number.
        value: f64,
    },
    /// A start age that is not a whole number of years from 0 to [`MAX_START_AGE`].
    #[error("row {row}, column start_age: {value} is not a whole number of years")]
    StartAge {
        /// Spreadsheet row.
        row: usize,
        /// The cell's number.
        value: f64,
    },
    /// An SII input with neither a `value` column nor, for proportions, an `x` column.
    #[error("sii needs a value column, or x for proportions")]
    NoValueColumn,
    /// An SII input with neither an `se` column nor both `lower_cl` and `upper_cl`.
    #[error("sii needs an se column, or lower_cl and upper_cl")]
    NoSeColumn,
    /// The method refused a group's data (a problem in one row names that row).
    #[error("{group}{}: {source}", rows.map(|r| format!(" ({r})")).unwrap_or_default())]
    Group {
        /// The group.
        group: GroupKey,
        /// The rows to blame, when known.
        rows: Option<Rows>,
        /// The method's error.
        source: PheError,
    },
    /// A DSR age-band label that names no band (the message names its row).
    #[error(transparent)]
    Label(PheError),
    /// The analytic SII limits cannot be given for these options (only untransformed normal
    /// values have them).
    #[error("analytic limits: {0}")]
    Analytic(PheError),
}

/// The group-by columns' indices, by name.
fn group_columns(t: &Table, by: &[String]) -> Result<Vec<usize>, ColumnError> {
    by.iter().map(|c| t.column(c)).collect()
}

fn key(by: &[String], values: &[String]) -> GroupKey {
    GroupKey {
        pairs: by.iter().cloned().zip(values.iter().cloned()).collect(),
    }
}

/// A cell that must be a whole number from `lo` to `hi`, as a `u32`; `None` otherwise.
fn whole(v: f64, lo: u32, hi: u32) -> Option<u32> {
    if v.fract() != 0.0 || !(f64::from(lo)..=f64::from(hi)).contains(&v) {
        return None;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked whole and within lo..=hi, both u32"
    )]
    Some(v as u32)
}

/// One group's SII input, read from its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SiiArea {
    /// The group.
    pub key: GroupKey,
    /// One row per quantile, in file order.
    pub rows: Vec<SiiRow>,
    /// The spreadsheet row of each of `rows`.
    pub lines: Vec<usize>,
}

/// The SII columns of a table.
struct SiiColumns {
    quantile: usize,
    population: usize,
    value: Option<usize>,
    x: Option<usize>,
    se: Option<usize>,
    lower_cl: Option<usize>,
    upper_cl: Option<usize>,
}

impl SiiColumns {
    fn find(t: &Table, value_type: ValueType) -> Result<Self, FingertipsError> {
        let c = Self {
            quantile: t.column("quantile")?,
            population: t.column("population")?,
            value: t.optional_column("value"),
            x: t.optional_column("x"),
            se: t.optional_column("se"),
            lower_cl: t.optional_column("lower_cl"),
            upper_cl: t.optional_column("upper_cl"),
        };
        if c.value.is_none() && !(c.x.is_some() && value_type == ValueType::Proportion) {
            return Err(FingertipsError::NoValueColumn);
        }
        if c.se.is_none() && (c.lower_cl.is_none() || c.upper_cl.is_none()) {
            return Err(FingertipsError::NoSeColumn);
        }
        Ok(c)
    }

    /// Data row `r` as an SII row: the quantile checked, and for proportions given as counts
    /// (an `x` column and no `value`), the proportion x / population.
    fn row(&self, t: &Table, r: usize) -> Result<SiiRow, FingertipsError> {
        let q = t.number(r, self.quantile)?;
        let quantile = whole(q, 1, MAX_QUANTILES).ok_or(FingertipsError::Quantile {
            row: t.line(r),
            value: q,
        })?;
        let population = t.number(r, self.population)?;
        let value = match (self.value, self.x) {
            (Some(c), _) => t.number(r, c)?,
            (None, Some(c)) => {
                let count = t.number(r, c)?;
                if count <= 0.0 {
                    return Err(FingertipsError::Count {
                        row: t.line(r),
                        value: count,
                    });
                }
                count / population
            }
            (None, None) => 0.0,
        };
        let optional = |c: Option<usize>| -> Result<Option<f64>, ColumnError> {
            Ok(c.map(|c| t.optional_number(r, c)).transpose()?.flatten())
        };
        Ok(SiiRow {
            quantile,
            population,
            value,
            se: optional(self.se)?,
            lower_cl: optional(self.lower_cl)?,
            upper_cl: optional(self.upper_cl)?,
        })
    }
}

/// The SII input of every group: columns `quantile` (1 = most deprived) and `population`, then
/// `value` (or, for proportions, `x`, a count, so value = x / population) and `se` (or
/// `lower_cl` and `upper_cl`), grouped by the columns `by`.
///
/// # Errors
/// A column missing (`by`'s, `quantile`, `population`, a value column, a standard error or
/// limits), a cell that is not a number, a quantile that is not a whole number from 1 to
/// [`MAX_QUANTILES`], a count of zero or less.
pub fn sii_areas(
    t: &Table,
    by: &[String],
    value_type: ValueType,
) -> Result<Vec<SiiArea>, FingertipsError> {
    let group_by = group_columns(t, by)?;
    let columns = SiiColumns::find(t, value_type)?;
    let mut areas = Vec::new();
    for g in t.groups(&group_by) {
        let rows = g
            .rows
            .iter()
            .map(|&r| columns.row(t, r))
            .collect::<Result<Vec<_>, _>>()?;
        areas.push(SiiArea {
            key: key(by, &g.key),
            rows,
            lines: g.rows.iter().map(|&r| t.line(r)).collect(),
        });
    }
    Ok(areas)
}

/// The SII of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct SiiGroup {
    /// The group.
    pub key: GroupKey,
    /// SII, RII, intercept and Monte Carlo limits.
    pub result: SiiResult,
    /// The analytic SII limits, one per level, when asked for; empty when the group has none
    /// (it was not computed, or they overflow: the reasons say why).
    pub analytic: Option<Vec<Interval>>,
    /// Why anything is blank: the SII's reason, then the analytic limits' when it differs.
    pub reasons: Vec<Reason>,
}

/// [`phe_sii_many`] over the groups of `t` (see [`sii_areas`] for the columns), on up to
/// `threads` threads, with the closed-form limits too when `analytic` is true. Groups come in
/// the order they first appear; the answers are the same for any thread count.
///
/// # Errors
/// [`sii_areas`]' errors; the first group (in that order) whose data the method refuses, with
/// the row of the quantile to blame when the problem is in one; analytic limits asked for
/// other than untransformed normal values.
pub fn sii(
    t: &Table,
    by: &[String],
    options: &SiiOptions,
    threads: usize,
    analytic: bool,
) -> Result<Vec<SiiGroup>, FingertipsError> {
    let areas = sii_areas(t, by, options.value_type)?;
    let slices: Vec<&[SiiRow]> = areas.iter().map(|a| a.rows.as_slice()).collect();
    let results = phe_sii_many(&slices, options, threads);
    let mut groups = Vec::with_capacity(areas.len());
    for (area, result) in areas.into_iter().zip(results) {
        let result = result.map_err(|source| FingertipsError::Group {
            rows: row_of(&area, &source).map(Rows::One),
            group: area.key.clone(),
            source,
        })?;
        let mut reasons: Vec<Reason> = result.reason.iter().cloned().collect();
        let analytic = if analytic {
            Some(analytic_limits(&area.rows, options, &result, &mut reasons)?)
        } else {
            None
        };
        groups.push(SiiGroup {
            key: area.key,
            result,
            analytic,
            reasons,
        });
    }
    Ok(groups)
}

/// The spreadsheet row of the quantile `error` is about (the first row with that quantile).
fn row_of(area: &SiiArea, error: &PheError) -> Option<usize> {
    let q = error.quantile()?;
    area.rows
        .iter()
        .zip(&area.lines)
        .find(|(r, _)| r.quantile == q)
        .map(|(_, &line)| line)
}

/// A group's analytic limits. A group the simulation could not use (one missing a quantile)
/// gets none either, for the reason already given; limits that overflow add their own reason.
fn analytic_limits(
    rows: &[SiiRow],
    options: &SiiOptions,
    result: &SiiResult,
    reasons: &mut Vec<Reason>,
) -> Result<Vec<Interval>, FingertipsError> {
    match sii_analytic(rows, options).map_err(FingertipsError::Analytic)? {
        Ok(limits) if result.intervals.len() == options.confidence.len() => Ok(limits),
        Ok(_) => Ok(Vec::new()),
        Err(reason) => {
            let text = reason.to_string();
            if !reasons.iter().any(|r| r.to_string() == text) {
                reasons.push(reason);
            }
            Ok(Vec::new())
        }
    }
}

/// Life expectancy for every group of `t`: columns `start_age` (0, 1, 5, …, 90, or …, 85 with
/// the open band `open` at 85), `population` and `deaths`, one row per band, grouped by the
/// columns `by`, at the confidence `levels`. Groups come in the order they first appear.
///
/// # Errors
/// A column missing, a cell that is not a number, a start age that is not a whole number of
/// years from 0 to [`MAX_START_AGE`], and [`life_expectancy_with`]'s errors (the confidence levels),
/// naming the group.
pub fn lifetable(
    t: &Table,
    by: &[String],
    levels: &[f64],
    open: OpenBand,
) -> Result<Vec<(GroupKey, Vec<LifeExpectancy>)>, FingertipsError> {
    let group_by = group_columns(t, by)?;
    let (age, population, deaths) = (
        t.column("start_age")?,
        t.column("population")?,
        t.column("deaths")?,
    );
    let mut out = Vec::new();
    for g in t.groups(&group_by) {
        let mut bands = Vec::with_capacity(g.rows.len());
        for &r in &g.rows {
            let a = t.number(r, age)?;
            let start_age = whole(a, 0, MAX_START_AGE).ok_or(FingertipsError::StartAge {
                row: t.line(r),
                value: a,
            })?;
            bands.push(AgeBand {
                start_age,
                population: t.number(r, population)?,
                deaths: t.number(r, deaths)?,
            });
        }
        let group = key(by, &g.key);
        let table = life_expectancy_with(&bands, levels, open).map_err(|source| {
            FingertipsError::Group {
                group: group.clone(),
                rows: None,
                source,
            }
        })?;
        out.push((group, table));
    }
    Ok(out)
}

/// Which crude statistic [`crude`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Crude {
    /// x / n with Wilson limits ([`phe_proportion`]); columns `x` and `n`.
    Proportion,
    /// x / population with exact Poisson or Byar's limits ([`phe_rate`]); columns `x` and
    /// `population`.
    Rate,
}

impl Crude {
    /// The denominator's column: `n` for a proportion, `population` for a rate.
    #[must_use]
    pub const fn denominator(self) -> &'static str {
        match self {
            Self::Proportion => "n",
            Self::Rate => "population",
        }
    }
}

/// A proportion or rate of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct CrudeGroup {
    /// The group.
    pub key: GroupKey,
    /// The numerator: `x` summed over the group's rows.
    pub x: f64,
    /// The denominator summed over the group's rows.
    pub n: f64,
    /// The statistic.
    pub estimate: Estimate,
}

/// A proportion or a rate for every group of `t`, the group's rows summed, at the confidence
/// `levels` (one, or the pair 0.95 and 0.998), per `multiplier`. Groups come in the order they
/// first appear.
///
/// # Errors
/// A column missing, a cell that is not a number, and the method's errors (a numerator above
/// the denominator, a bad multiplier or levels), naming the group and its row, or how many rows
/// were summed.
pub fn crude(
    t: &Table,
    by: &[String],
    kind: Crude,
    levels: &[f64],
    multiplier: f64,
) -> Result<Vec<CrudeGroup>, FingertipsError> {
    let group_by = group_columns(t, by)?;
    let x = t.column("x")?;
    let d = t.column(kind.denominator())?;
    let mut out = Vec::new();
    for g in t.groups(&group_by) {
        let (mut sx, mut sn) = (0.0, 0.0);
        for &r in &g.rows {
            sx += t.number(r, x)?;
            sn += t.number(r, d)?;
        }
        let rows = match g.rows.as_slice() {
            [one] => Rows::One(t.line(*one)),
            many => Rows::Summed(many.len()),
        };
        let group = key(by, &g.key);
        let estimate = match kind {
            Crude::Rate => phe_rate(sx, sn, levels, multiplier),
            Crude::Proportion => phe_proportion(sx, sn, levels, multiplier),
        }
        .map_err(|source| FingertipsError::Group {
            group: group.clone(),
            rows: Some(rows),
            source,
        })?;
        out.push(CrudeGroup {
            key: group,
            x: sx,
            n: sn,
            estimate,
        });
    }
    Ok(out)
}

/// A directly standardised rate of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct DsrGroup {
    /// The group.
    pub key: GroupKey,
    /// The events summed over the group's bands (an empty count is 0).
    pub x: f64,
    /// The rate.
    pub estimate: Estimate,
}

/// The DSR of every group of `t`, standardised to the European Standard Population 2013:
/// columns `ageband` (a label [`StandardPopulation::band_of`] reads), `x` (empty is 0) and
/// `population`, one row per band in any order, at the confidence `levels` (one, or the pair
/// 0.95 and 0.998), per `multiplier`. Groups come in the order they first appear.
///
/// # Errors
/// A column missing, a cell that is not a number, a label that names no band (naming its row),
/// and the method's errors (a band missing or given twice, a bad count or population), naming
/// the group.
pub fn dsr(
    t: &Table,
    by: &[String],
    levels: &[f64],
    multiplier: f64,
) -> Result<Vec<DsrGroup>, FingertipsError> {
    let group_by = group_columns(t, by)?;
    let (band, x, population) = (
        t.column("ageband")?,
        t.column("x")?,
        t.column("population")?,
    );
    let esp = StandardPopulation::esp2013();
    let mut out = Vec::new();
    for g in t.groups(&group_by) {
        let mut rows = Vec::with_capacity(g.rows.len());
        for &r in &g.rows {
            rows.push(LabelledBand {
                row: t.line(r),
                label: t.text(r, band),
                x: t.optional_number(r, x)?,
                n: t.number(r, population)?,
            });
        }
        let group = key(by, &g.key);
        let estimate =
            calculate_dsr_by_label(esp, &rows, levels, multiplier).map_err(|source| {
                if matches!(source, PheError::Band(BandError::UnknownLabel { .. })) {
                    FingertipsError::Label(source)
                } else {
                    FingertipsError::Group {
                        group: group.clone(),
                        rows: None,
                        source,
                    }
                }
            })?;
        out.push(DsrGroup {
            key: group,
            x: rows.iter().map(|r| r.x.unwrap_or(0.0)).sum(),
            estimate,
        });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::measures::phe::sii::phe_sii;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// The row named from the error's quantile is the row the CLI used to find by searching
        /// the message for "quantile N " (issue 13 removed the search): the same on any input.
        #[test]
        fn the_quantile_of_an_error_names_the_row_the_text_search_did(
            rows in prop::collection::vec(
                (
                    prop_oneof![Just(0u32), 1..=7u32, Just(10), Just(12)],
                    prop_oneof![Just(-1.0), Just(0.0), Just(5.0), Just(100.0)],
                    prop_oneof![Just(-0.5), Just(0.0), Just(0.3), Just(1.0), Just(1.5), Just(70.0)],
                    prop::option::of(prop_oneof![Just(-1.0), Just(0.0), Just(1.0)]),
                    prop::option::of(prop_oneof![Just(0.1), Just(0.5), Just(69.0)]),
                    prop::option::of(prop_oneof![Just(0.2), Just(0.9), Just(71.0)]),
                ),
                0..12,
            ),
            value_type in prop_oneof![
                Just(ValueType::Normal),
                Just(ValueType::Rate),
                Just(ValueType::Proportion),
            ],
            transform in any::<bool>(),
        ) {
            let rows: Vec<SiiRow> = rows
                .into_iter()
                .map(|(quantile, population, value, se, lower_cl, upper_cl)| SiiRow {
                    quantile,
                    population,
                    value,
                    se,
                    lower_cl,
                    upper_cl,
                })
                .collect();
            let o = SiiOptions {
                value_type,
                transform,
                repetitions: 1000,
                ..SiiOptions::default()
            };
            if let Err(e) = phe_sii(&rows, &o) {
                let area = SiiArea {
                    key: key(&[], &[]),
                    lines: (2..2 + rows.len()).collect(),
                    rows: rows.clone(),
                };
                let message = e.to_string();
                let by_text = rows
                    .iter()
                    .zip(&area.lines)
                    .find(|(r, _)| message.contains(&format!("quantile {} ", r.quantile)))
                    .map(|(_, &l)| l);
                prop_assert_eq!(row_of(&area, &e), by_text, "{}", message);
            }
        }
    }

    fn table(text: &str) -> Table {
        Table::read(text.as_bytes()).unwrap()
    }

    fn by(names: &[&str]) -> Vec<String> {
        names.iter().map(|&s| s.to_owned()).collect()
    }

    /// Problems in one quantile's row name that row: found from the error's quantile, never from
    /// its text (the first row with the quantile, in file order).
    #[test]
    fn sii_errors_name_the_row_of_their_quantile() {
        let csv = "area,quantile,population,value,se\nA,1,9,70,1\nA,2,9,71,-1\nA,3,9,72,1\n\
                   A,4,9,73,1\nA,5,9,74,1\n";
        let o = SiiOptions {
            repetitions: 1000,
            ..SiiOptions::default()
        };
        let e = sii(&table(csv), &by(&["area"]), &o, 1, false).unwrap_err();
        assert!(matches!(
            &e,
            FingertipsError::Group {
                rows: Some(Rows::One(3)),
                source: PheError::Quantile { quantile: 2, .. },
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "group area=A (row 3): the standard error of quantile 2 must be zero or more, got -1"
        );
        // A repeated quantile names its first row; a problem in no one row names none.
        let twice = "quantile,population,value,se\n1,9,70,1\n2,9,71,1\n2,9,72,1\n4,9,73,1\n\
                     5,9,74,1\n";
        let e = sii(&table(twice), &[], &o, 1, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the input (row 3): quantile 2 appears more than once"
        );
        let few = "quantile,population,value,se\n1,9,70,1\n2,9,71,1\n";
        let e = sii(&table(few), &[], &o, 1, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the input: an SII needs from 5 to 100 quantiles, got 2"
        );
    }

    #[test]
    fn sii_cells_are_checked_where_they_are() {
        for (csv, want) in [
            (
                "quantile,population,value,se\n1,9,70,1\n\n2.5,9,71,1\n",
                "row 4, column quantile: 2.5 is not a whole number from 1 to 100",
            ),
            (
                "quantile,population,x,se\n1,9,0,1\n",
                "row 2, column x: the count must be greater than zero, got 0",
            ),
            (
                "quantile,population,n,se\n1,9,1,1\n",
                "sii needs a value column, or x for proportions",
            ),
            (
                "quantile,population,value,lower_cl\n1,9,1,1\n",
                "sii needs an se column, or lower_cl and upper_cl",
            ),
        ] {
            let e = sii_areas(&table(csv), &[], ValueType::Proportion).unwrap_err();
            assert_eq!(e.to_string(), want, "{csv}");
        }
        // Counts become proportions of the population.
        let areas = sii_areas(
            &table("quantile,population,x,se\n1,8,2,1\n"),
            &[],
            ValueType::Proportion,
        )
        .unwrap();
        assert_eq!(areas[0].rows[0].value, 0.25);
        assert_eq!(areas[0].lines, [2]);
    }

    #[test]
    fn lifetable_start_ages_are_whole_years() {
        for (cell, ok) in [("0.5", false), ("-5", false), ("151", false), ("150", true)] {
            let csv = format!("start_age,population,deaths\n{cell},10,1\n");
            let r = lifetable(&table(&csv), &[], &[0.95], OpenBand::Ninety);
            assert_eq!(r.is_ok(), ok, "{cell}");
            if !ok {
                assert_eq!(
                    r.unwrap_err().to_string(),
                    format!("row 2, column start_age: {cell} is not a whole number of years")
                );
            }
        }
    }

    #[test]
    fn crude_and_dsr_errors_name_the_group_and_rows() {
        let t = table("area,x,n\nA,12,10\nB,1,5\nB,1,5\nB,20,5\n");
        let e = crude(&t, &by(&["area"]), Crude::Proportion, &[0.95], 1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "group area=A (row 2): the numerator 12 is greater than the denominator 10"
        );
        let t = table("area,x,n\nB,1,5\nB,1,5\nB,20,5\n");
        let e = crude(&t, &by(&["area"]), Crude::Proportion, &[0.95], 1.0).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("group area=B (3 rows summed): the numerator 22"),
            "{e}"
        );
        let e = dsr(
            &table("ageband,x,population\nnot a band,1,10\n"),
            &[],
            &[0.95],
            1e5,
        )
        .unwrap_err();
        assert!(matches!(e, FingertipsError::Label(_)));
        assert!(e.to_string().starts_with("row 2, column ageband:"), "{e}");
        let e = dsr(
            &table("ageband,x,population\n0-4,1,10\n"),
            &[],
            &[0.95],
            1e5,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("the input: age bands 5-9"), "{e}");
    }

    #[test]
    fn group_keys_read_as_before() {
        assert_eq!(key(&[], &[]).to_string(), "the input");
        assert_eq!(
            key(&by(&["area", "sex"]), &by(&["A", "F"])).to_string(),
            "group area=A, sex=F"
        );
    }
}
