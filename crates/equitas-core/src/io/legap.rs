//! The input of `equitas le-gap`: a CSV of deaths and populations by period, deprivation group
//! and age band, read into the rows of [`crate::measures::legap`], one analysis per group.
//!
//! Columns (names compare case-insensitively): `period` (a label such as `2017-19`, see
//! [`period_year`](crate::measures::legap::period_year)), `decile` (1–10) **or** `quintile`
//! (1–5), 1 = most deprived, `start_age`, `population`, `deaths`, and optionally `cause` (the
//! rows are then deaths by cause) and `sex` (one analysis per sex). Any other columns named
//! with `--group-by` (an area, say) split the analyses further.
//!
//! ```
//! use equitas_core::io::columns::Table;
//! use equitas_core::io::legap::analyses;
//! let t = Table::read("period,sex,decile,start_age,population,deaths\n2019,F,1,0,900,2\n".as_bytes())?;
//! let (deprivation, units) = analyses(&t, &[])?;
//! assert_eq!(deprivation.column(), "decile");
//! assert_eq!(units[0].key.to_string(), "group sex=F");
//! assert_eq!(units[0].rows[0].row, 2);
//! # Ok::<(), equitas_core::io::legap::LeGapReadError>(())
//! ```

use super::columns::{ColumnError, Table};
use super::fingertips::{GroupKey, MAX_START_AGE};
use crate::measures::legap::{DeathsRow, Deprivation};

/// One analysis: the values of its group columns and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis<'t> {
    /// The group-by columns' values (and `sex`'s, when there is that column).
    pub key: GroupKey,
    /// Its rows, in file order, borrowing their text from the table.
    pub rows: Vec<DeathsRow<'t>>,
}

/// What is wrong with an `le-gap` input before the rows are added up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LeGapReadError {
    /// The table cannot be read, lacks a column, or a cell is not a number.
    #[error(transparent)]
    Column(#[from] ColumnError),
    /// Neither a `decile` nor a `quintile` column, or both.
    #[error(
        "the input needs one column of deprivation groups, decile (1 to 10) or quintile (1 to 5); {0}"
    )]
    Deprivation(&'static str),
    /// A group or start age that is not a whole number in range.
    #[error("row {row}, column {column}: {value} is not a whole number from {low} to {high}")]
    Whole {
        /// Spreadsheet row.
        row: usize,
        /// The column.
        column: &'static str,
        /// The cell's number.
        value: f64,
        /// The smallest allowed.
        low: u32,
        /// The largest allowed.
        high: u32,
    },
}

/// The rows of `t` as analyses: grouped by the columns `by` and, when the table has one and
/// `by` does not name it, `sex`; groups in the order they first appear. Cells are read and
/// checked as numbers here; what the rows must be beyond that (a known period, a group and a
/// band that exist) is checked when they are added up
/// ([`LeGapInput::from_rows`](crate::measures::legap::LeGapInput::from_rows)).
///
/// # Errors
/// A column missing (`by`'s, `period`, `start_age`, `population`, `deaths`, the group column),
/// both `decile` and `quintile`, a cell that is not a number, a group or start age that is not
/// a whole number.
pub fn analyses<'t>(
    t: &'t Table,
    by: &[String],
) -> Result<(Deprivation, Vec<Analysis<'t>>), LeGapReadError> {
    let deprivation = match (t.optional_column("decile"), t.optional_column("quintile")) {
        (Some(c), None) => (Deprivation::Decile, c),
        (None, Some(c)) => (Deprivation::Quintile, c),
        (Some(_), Some(_)) => return Err(LeGapReadError::Deprivation("it has both")),
        (None, None) => return Err(LeGapReadError::Deprivation("it has neither")),
    };
    let mut names: Vec<String> = by.to_vec();
    if t.optional_column("sex").is_some() && !by.iter().any(|c| c.eq_ignore_ascii_case("sex")) {
        names.push("sex".to_owned());
    }
    let group_by: Vec<usize> = names
        .iter()
        .map(|c| t.column(c))
        .collect::<Result<_, _>>()?;
    let (period, age, population, deaths) = (
        t.column("period")?,
        t.column("start_age")?,
        t.column("population")?,
        t.column("deaths")?,
    );
    let cause = t.optional_column("cause");
    let (kind, group) = deprivation;
    let whole = |r: usize,
                 c: usize,
                 column: &'static str,
                 low: u32,
                 high: u32|
     -> Result<u32, LeGapReadError> {
        let v = t.number(r, c)?;
        if v.fract() == 0.0 && (f64::from(low)..=f64::from(high)).contains(&v) {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked whole and within low..=high"
            )]
            return Ok(v as u32);
        }
        Err(LeGapReadError::Whole {
            row: t.line(r),
            column,
            value: v,
            low,
            high,
        })
    };
    let mut out = Vec::new();
    for g in t.groups(&group_by) {
        let mut rows = Vec::with_capacity(g.rows.len());
        for &r in &g.rows {
            rows.push(DeathsRow {
                row: t.line(r),
                period: t.text(r, period),
                group: whole(r, group, kind.column(), 1, kind.groups())?,
                start_age: whole(r, age, "start_age", 0, MAX_START_AGE)?,
                cause: cause.map(|c| t.text(r, c)),
                deaths: t.number(r, deaths)?,
                population: t.number(r, population)?,
            });
        }
        out.push(Analysis {
            key: GroupKey {
                pairs: names.iter().cloned().zip(g.key).collect(),
            },
            rows,
        });
    }
    Ok((kind, out))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<(Deprivation, usize), String> {
        let t = Table::read(text.as_bytes()).unwrap();
        analyses(&t, &[])
            .map(|(d, u)| (d, u.len()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn cells_are_checked_where_they_are() {
        assert_eq!(
            read("period,decile,quintile,start_age,population,deaths\n"),
            Err("the input needs one column of deprivation groups, decile (1 to 10) or quintile (1 to 5); it has both".into())
        );
        assert_eq!(
            read("period,start_age,population,deaths\n"),
            Err("the input needs one column of deprivation groups, decile (1 to 10) or quintile (1 to 5); it has neither".into())
        );
        assert_eq!(
            read("period,Quintile,start_age,population,deaths\n2019,2.5,0,10,1\n"),
            Err("row 2, column quintile: 2.5 is not a whole number from 1 to 5".into())
        );
        assert_eq!(
            read("period,decile,start_age,population,deaths\n2019,2,-5,10,1\n"),
            Err("row 2, column start_age: -5 is not a whole number from 0 to 150".into())
        );
        assert_eq!(
            read("period,decile,start_age,population,deaths\n\n2019,2,5,ten,1\n"),
            Err("row 3, column population: \"ten\" is not a number".into())
        );
        assert_eq!(
            read("period,decile,start_age,population\n"),
            Err("the input has no column \"deaths\"; its columns are period,decile,start_age,population".into())
        );
        // A sex column splits the analyses; without one, one analysis.
        assert_eq!(
            read(
                "period,sex,decile,start_age,population,deaths\n2019,F,1,0,9,1\n2019,M,1,0,9,1\n2019,F,2,0,9,1\n"
            ),
            Ok((Deprivation::Decile, 2))
        );
        assert_eq!(
            read("period,decile,start_age,population,deaths\n2019,1,0,9,1\n2019,2,0,9,1\n"),
            Ok((Deprivation::Decile, 1))
        );
    }
}
