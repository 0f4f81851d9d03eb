//! The life-expectancy gap between the most and least deprived, as one workflow: what
//! `equitas le-gap` computes (issue 15).
//!
//! The input is deaths and populations by period, deprivation group (IMD decile or quintile, 1 =
//! most deprived) and age band, optionally by cause of death ([`DeathsRow`]); rows with the
//! same period, group, band and cause are added up (one row per small area, say). For each
//! period:
//!
//! - **Life expectancy at birth per group**: the Chiang II life table with Silcocks et al.'s
//!   variance, as `equitas lifetable` computes it ([`life_expectancy_with`]: the same code, so
//!   the same numbers), with an open band at 90+ or 85+ ([`OpenBand`]).
//! - **The gap**: life expectancy of the least deprived group minus that of the most deprived,
//!   with the interval gap ± z·√(SE₁² + SE_G²) (the groups are independent samples).
//! - **The SII of life expectancy, the Fingertips way**: [`phe_sii_with`] on the groups' life
//!   expectancies, their standard errors and populations (value type normal, untransformed,
//!   Monte Carlo limits), as OHID's PHOF indicator 0.2iii (`inequality-measures.md` §4). Its
//!   standard error for the change and the trajectory is the analytic one the Monte Carlo
//!   limits converge to ([`sii_analytic`]).
//! - **The change against a baseline period** (the earliest, or the one asked for): the
//!   difference of the gaps (and of the SIIs) with the interval of a difference of independent
//!   estimates (the periods are different years of deaths), and the verdict "narrowed" when the
//!   whole interval is a change toward no gap, "widened" when it is a change away from it, "no
//!   significant change" otherwise.
//! - **The Arriaga decomposition of the gap** by age band and, with causes, by cause within
//!   each band ([`arriaga`], [`arriaga_by_cause`]): the contributions add up to the gap.
//!
//! And over the periods, **the trajectory to a target** ([`Target`]; "reduce the gap by 5% by
//! 2028" by default): see [`Trajectory`] for the rule.
//!
//! **Time.** A period's label gives its time ([`period_year`]): a year alone (`2019`) is that
//! year, a range (`2017-19`, `2017-2019`, `2017 to 2019`, `2019/20`) its mid-point (2018,
//! 2019.5). The target year is on the same scale: "by 2028" is the value of the period centred
//! on 2028 (e.g. 2027-29).
//!
//! Every count taken from the input has a named limit ([`MAX_PERIODS`], [`MAX_CAUSES`]); every
//! problem in a row names the row, the column and the value ([`LeGapError`]).

// Functions stay under 100 lines (as in `assessment`).
#![warn(clippy::too_many_lines)]

use std::collections::HashMap;

use serde::Serialize;

use super::gap::change;
pub use super::gap::{Change, Estimate, Verdict};
use super::intervals::{confidence_level, z_for};
use super::lifetable::{AgeBand, LifeTable, OpenBand, life_expectancy_with, life_table};
use super::phe::sii::{
    MAX_REPETITIONS, MIN_REPETITIONS, SiiOptions, SiiRow, SiiWorkspace, ValueType, phe_sii_with,
    sii_analytic,
};
use super::phe::{PheError, Reason};
use super::trajectory::{Aim, Goal, Observation};
pub use super::trajectory::{Status, Trajectory};

/// The most periods one analysis (one area and sex, say) may have.
pub const MAX_PERIODS: usize = 50;

/// The most causes of death one analysis may have (each is a column of the decomposition).
pub const MAX_CAUSES: usize = 100;

/// The earliest year a period or the target may be in.
pub const MIN_YEAR: u32 = 1800;

/// The latest year a period or the target may be in.
pub const MAX_YEAR: u32 = 2200;

/// The most years a period's label may span (`2000-2020` is 21 years, one too many): pooled
/// periods are a few years, and a longer span is most likely a typing slip (`2019-17`).
pub const MAX_PERIOD_YEARS: u32 = 20;

/// Which deprivation groups the rows are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Deprivation {
    /// IMD deciles, 1 (most deprived) to 10.
    Decile,
    /// IMD quintiles, 1 (most deprived) to 5.
    Quintile,
}

impl Deprivation {
    /// How many groups: 10 or 5.
    #[must_use]
    pub const fn groups(self) -> u32 {
        match self {
            Self::Decile => 10,
            Self::Quintile => 5,
        }
    }

    /// The name of its column: `decile` or `quintile`.
    #[must_use]
    pub const fn column(self) -> &'static str {
        match self {
            Self::Decile => "decile",
            Self::Quintile => "quintile",
        }
    }
}

/// One row of deaths and population: a period, a group, an age band and, optionally, a cause.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeathsRow<'a> {
    /// The row's place for messages (a spreadsheet row number; 0 when there is none).
    pub row: usize,
    /// The period's label (see [`period_year`]).
    pub period: &'a str,
    /// The deprivation group, 1 = most deprived.
    pub group: u32,
    /// The age band's start age.
    pub start_age: u32,
    /// The cause of death, when the rows carry causes.
    pub cause: Option<&'a str>,
    /// Deaths (zero or more).
    pub deaths: f64,
    /// Population, person-years (zero or more).
    pub population: f64,
}

/// What is wrong with the rows or the options of a life-expectancy gap.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LeGapError {
    /// A period label that is no year or range of years.
    #[error(
        "row {row}, column period: {value:?} is not a year (2019) or a range of years (2017-19, 2017-2019, 2017 to 2019, 2019/20) from {MIN_YEAR} to {MAX_YEAR}, spanning at most {MAX_PERIOD_YEARS} years"
    )]
    Period {
        /// The row.
        row: usize,
        /// The label.
        value: String,
    },
    /// A deprivation group outside 1 to 10 (or 5).
    #[error("row {row}, column {column}: {value} is not a {column} from 1 to {groups}")]
    Group {
        /// The row.
        row: usize,
        /// `decile` or `quintile`.
        column: &'static str,
        /// How many groups there are.
        groups: u32,
        /// The group given.
        value: u32,
    },
    /// A start age that begins no band of the life table.
    #[error(
        "row {row}, column start_age: {value} does not start an age band (0, 1, 5, 10, …, {open}, the last open){}",
        if *value > *open && *open == 85 { "; for bands up to 90+ use an open band at 90" } else { "" }
    )]
    StartAge {
        /// The row.
        row: usize,
        /// The start age given.
        value: u32,
        /// The open band's start age.
        open: u32,
    },
    /// Deaths or a population below zero, or not finite.
    #[error("row {row}, column {column}: {value} must be zero or more")]
    Negative {
        /// The row.
        row: usize,
        /// `deaths` or `population`.
        column: &'static str,
        /// The value.
        value: f64,
    },
    /// An empty cause on a row of rows that carry causes.
    #[error("row {row}, column cause: a cause is needed (the rows have a cause column)")]
    NoCause {
        /// The row.
        row: usize,
    },
    /// A row with a cause among rows whose first has none.
    #[error("row {row}: a cause, but the first row has none (give every row a cause, or none)")]
    UnexpectedCause {
        /// The row.
        row: usize,
    },
    /// More periods than [`MAX_PERIODS`].
    #[error(
        "more than {MAX_PERIODS} periods (row {row} starts period {period:?}); split the input"
    )]
    TooManyPeriods {
        /// The row of the first period over the limit.
        row: usize,
        /// Its label.
        period: String,
    },
    /// More causes than [`MAX_CAUSES`].
    #[error(
        "more than {MAX_CAUSES} causes of death (row {row} starts cause {cause:?}); group the causes"
    )]
    TooManyCauses {
        /// The row of the first cause over the limit.
        row: usize,
        /// Its name.
        cause: String,
    },
    /// Two causes' rows give different populations for the same period, group and band.
    #[error(
        "period {period}, {column} {group}, age {start_age}: the causes' rows give different populations ({cause_a:?}: {population_a}, {cause_b:?}: {population_b}); every cause's rows must carry the same population"
    )]
    CausePopulations {
        /// The period.
        period: String,
        /// `decile` or `quintile`.
        column: &'static str,
        /// The group.
        group: u32,
        /// The band.
        start_age: u32,
        /// One cause.
        cause_a: String,
        /// Its rows' population.
        population_a: f64,
        /// Another cause.
        cause_b: String,
        /// Its rows' population.
        population_b: f64,
    },
    /// No rows at all.
    #[error("there are no rows")]
    NoRows,
    /// The baseline asked for is not one of the periods.
    #[error("the baseline {baseline:?} is not one of the periods ({available})")]
    Baseline {
        /// The label asked for.
        baseline: String,
        /// The periods there are, comma-separated.
        available: String,
    },
    /// The target year is not after the baseline's mid-year.
    #[error(
        "the target year {target} is not after the baseline period {baseline:?} (mid-year {year})"
    )]
    TargetYear {
        /// The target year.
        target: f64,
        /// The baseline's label.
        baseline: String,
        /// Its mid-year.
        year: f64,
    },
    /// An option outside its range (the message names it and the range).
    #[error("{0}")]
    Options(String),
    /// The SII method refused its input or options.
    #[error(transparent)]
    Sii(#[from] PheError),
}

/// A period's time: a year alone is that year; a range `A-B` (B as two or four digits, `-`,
/// `/`, `to` or `–` between, spaces allowed; two digits are the first year from A on that ends
/// in them, so `1998-01` ends in 2001) is its mid-point (A + B)/2. `None` for anything else, a
/// range that runs backwards or spans [`MAX_PERIOD_YEARS`] or more, or years outside
/// [`MIN_YEAR`] to [`MAX_YEAR`].
///
/// ```
/// use equitas_core::measures::legap::period_year;
/// assert_eq!(period_year("2019"), Some(2019.0));
/// assert_eq!(period_year("2017-19"), Some(2018.0));
/// assert_eq!(period_year("2017 - 2019"), Some(2018.0));
/// assert_eq!(period_year("2019/20"), Some(2019.5));
/// assert_eq!(period_year("Q3"), None);
/// ```
#[must_use]
pub fn period_year(label: &str) -> Option<f64> {
    period_span(label).map(|(a, b)| (f64::from(a) + f64::from(b)) / 2.0)
}

/// A period's first and last years, read as [`period_year`] reads them (`2017-19` is (2017,
/// 2019), `2019` is (2019, 2019)); `None` for what [`period_year`] refuses.
///
/// ```
/// use equitas_core::measures::legap::period_span;
/// assert_eq!(period_span("2017-19"), Some((2017, 2019)));
/// assert_eq!(period_span("2019/20"), Some((2019, 2020)));
/// assert_eq!(period_span("2021"), Some((2021, 2021)));
/// ```
#[must_use]
pub fn period_span(label: &str) -> Option<(u32, u32)> {
    let text = label.trim();
    let year = |s: &str| -> Option<u32> {
        let s = s.trim();
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let in_range = |y: u32| (MIN_YEAR..=MAX_YEAR).contains(&y);
    if let Some(y) = year(text) {
        return in_range(y).then_some((y, y));
    }
    let (a, b) = ["to", "-", "/", "–"]
        .iter()
        .find_map(|sep| text.split_once(sep))?;
    let a = year(a)?;
    let b = b.trim();
    let b = match b.len() {
        4 => year(b)?,
        2 if b.bytes().all(|c| c.is_ascii_digit()) => {
            let short: u32 = b.parse().ok()?;
            let century = a - a % 100;
            let b = century + short;
            if b < a { b + 100 } else { b }
        }
        _ => return None,
    };
    (in_range(a) && in_range(b) && b >= a && b - a < MAX_PERIOD_YEARS).then_some((a, b))
}

/// A period: its label and its time (see [`period_year`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// The label, as in the input.
    pub label: String,
    /// Its mid-year.
    pub year: f64,
}

/// One analysis's deaths and populations, added up by period, group, band and cause: what
/// [`le_gap`] computes from. Built by [`LeGapInput::from_rows`].
#[derive(Debug, Clone, PartialEq)]
pub struct LeGapInput {
    deprivation: Deprivation,
    open: OpenBand,
    /// In time order (then label).
    periods: Vec<Period>,
    /// In order of first appearance; empty when the rows carry no cause.
    causes: Vec<String>,
    /// Per (period, group, band, cause): deaths.
    deaths: Vec<f64>,
    /// Per (period, group, band): population.
    population: Vec<f64>,
    /// Per (period, group, band): whether any row gave it.
    seen: Vec<bool>,
}

/// Per (period, group, band, cause) while adding up: deaths, population, whether any row.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    deaths: f64,
    population: f64,
    rows: bool,
}

impl LeGapInput {
    /// The rows of one analysis added up by period, group (1 to `deprivation`'s count), band
    /// (those of `open`) and cause. Rows with a cause must all have one; with causes, every
    /// cause's rows must give the same population for a period, group and band (each cause
    /// row repeats its area's population), which is the band's population.
    ///
    /// # Errors
    /// A bad period, group, start age, count or cause (naming the row, column and value), more
    /// than [`MAX_PERIODS`] periods or [`MAX_CAUSES`] causes, populations that differ between
    /// causes, or no rows.
    pub fn from_rows(
        rows: &[DeathsRow<'_>],
        deprivation: Deprivation,
        open: OpenBand,
    ) -> Result<Self, LeGapError> {
        let bands = open.start_ages();
        // First pass: check every row, and find the periods and causes.
        let scan = Scan::of(rows, deprivation, open)?;
        // Periods in time order; `order[k]` is the place of the period first seen k-th.
        let mut periods = scan.periods;
        periods.sort_by(|a, b| {
            a.0.year
                .total_cmp(&b.0.year)
                .then_with(|| a.0.label.cmp(&b.0.label))
        });
        let mut order = vec![0; periods.len()];
        for (place, (_, k)) in periods.iter().enumerate() {
            if let Some(o) = order.get_mut(*k) {
                *o = place;
            }
        }
        let shape = Shape {
            groups: deprivation.groups() as usize,
            bands: bands.len(),
            causes: scan.causes.len().max(1),
        };
        // Second pass: add up.
        let sums = add_up(
            rows,
            bands,
            &scan.period_index,
            &scan.cause_index,
            &order,
            periods.len(),
            shape,
        );
        let Collapsed {
            deaths,
            population,
            seen,
        } = collapse(&sums, shape, |cell, (j, pop), (k, other)| {
            let (b, g) = (shape.bands, shape.groups);
            let (pi, gi, bi) = (cell / (g * b), cell / b % g, cell % b);
            LeGapError::CausePopulations {
                period: periods
                    .get(pi)
                    .map(|p| p.0.label.clone())
                    .unwrap_or_default(),
                column: deprivation.column(),
                group: u32::try_from(gi + 1).unwrap_or(u32::MAX),
                start_age: bands.get(bi).copied().unwrap_or(0),
                cause_a: scan.causes.get(j).cloned().unwrap_or_default(),
                population_a: pop,
                cause_b: scan.causes.get(k).cloned().unwrap_or_default(),
                population_b: other,
            }
        })?;
        Ok(Self {
            deprivation,
            open,
            periods: periods.into_iter().map(|(p, _)| p).collect(),
            causes: scan.causes,
            deaths,
            population,
            seen,
        })
    }

    /// The periods, in time order.
    #[must_use]
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The causes of death, in order of first appearance (empty without causes).
    #[must_use]
    pub fn causes(&self) -> &[String] {
        &self.causes
    }

    /// The bands of period `p` and group `g` (0-based) that rows gave, deaths added over
    /// causes: the life table's input.
    fn bands(&self, p: usize, g: usize) -> Vec<AgeBand> {
        let ages = self.open.start_ages();
        let (b, c) = (ages.len(), self.causes.len().max(1));
        let groups = self.deprivation.groups() as usize;
        ages.iter()
            .enumerate()
            .filter_map(|(i, &start_age)| {
                let cell = (p * groups + g) * b + i;
                if !self.seen.get(cell).copied().unwrap_or(false) {
                    return None;
                }
                let deaths = self
                    .deaths
                    .get(cell * c..(cell + 1) * c)
                    .map_or(0.0, |d| d.iter().sum());
                Some(AgeBand {
                    start_age,
                    population: self.population.get(cell).copied().unwrap_or(0.0),
                    deaths,
                })
            })
            .collect()
    }

    /// Death rates by band and cause (deaths of the cause / population) of period `p`, group
    /// `g`, bands in order.
    fn cause_rates(&self, p: usize, g: usize) -> Vec<Vec<f64>> {
        let ages = self.open.start_ages();
        let (b, c) = (ages.len(), self.causes.len().max(1));
        let groups = self.deprivation.groups() as usize;
        (0..b)
            .map(|i| {
                let cell = (p * groups + g) * b + i;
                let pop = self.population.get(cell).copied().unwrap_or(0.0);
                self.deaths
                    .get(cell * c..(cell + 1) * c)
                    .map_or_else(Vec::new, |d| d.iter().map(|x| x / pop).collect())
            })
            .collect()
    }
}

/// What the first pass over the rows finds: the periods (each with the order it was first
/// seen in) and causes, and where each label is.
struct Scan<'a> {
    period_index: HashMap<&'a str, usize>,
    cause_index: HashMap<&'a str, usize>,
    periods: Vec<(Period, usize)>,
    causes: Vec<String>,
}

impl<'a> Scan<'a> {
    /// Checks every row and finds the periods and causes, in order of first appearance.
    fn of(
        rows: &[DeathsRow<'a>],
        deprivation: Deprivation,
        open: OpenBand,
    ) -> Result<Self, LeGapError> {
        let with_causes = rows.first().is_some_and(|r| r.cause.is_some());
        let mut scan = Scan {
            period_index: HashMap::new(),
            cause_index: HashMap::new(),
            periods: Vec::new(),
            causes: Vec::new(),
        };
        let mut last_period: Option<(&str, usize)> = None;
        for r in rows {
            check_row(r, deprivation, open)?;
            if last_period.is_none_or(|(label, _)| label != r.period) {
                last_period = Some((r.period, scan.period(r)?));
            }
            match (with_causes, r.cause) {
                (true, Some(c)) if !c.trim().is_empty() => scan.cause(r.row, c)?,
                (true, _) => return Err(LeGapError::NoCause { row: r.row }),
                (false, Some(_)) => return Err(LeGapError::UnexpectedCause { row: r.row }),
                (false, None) => {}
            }
        }
        if rows.is_empty() {
            return Err(LeGapError::NoRows);
        }
        Ok(scan)
    }

    /// The index of `r`'s period, in order of first appearance, adding it when new.
    fn period(&mut self, r: &DeathsRow<'a>) -> Result<usize, LeGapError> {
        let next = self.period_index.len();
        let k = *self.period_index.entry(r.period).or_insert(next);
        if k == next {
            if next == MAX_PERIODS {
                return Err(LeGapError::TooManyPeriods {
                    row: r.row,
                    period: r.period.to_owned(),
                });
            }
            let year = period_year(r.period).ok_or_else(|| LeGapError::Period {
                row: r.row,
                value: r.period.to_owned(),
            })?;
            self.periods.push((
                Period {
                    label: r.period.to_owned(),
                    year,
                },
                k,
            ));
        }
        Ok(k)
    }

    /// Adds cause `c` (of row `row`) when new.
    fn cause(&mut self, row: usize, c: &'a str) -> Result<(), LeGapError> {
        if !self.cause_index.contains_key(c) {
            if self.causes.len() == MAX_CAUSES {
                return Err(LeGapError::TooManyCauses {
                    row,
                    cause: c.to_owned(),
                });
            }
            self.cause_index.insert(c, self.causes.len());
            self.causes.push(c.to_owned());
        }
        Ok(())
    }
}

/// The dense arrays' dimensions (after the periods): groups, bands, causes (1 without).
#[derive(Debug, Clone, Copy)]
struct Shape {
    groups: usize,
    bands: usize,
    causes: usize,
}

/// The second pass: the rows added up per (period, group, band, cause), periods in time order
/// (`order` maps first-seen index to place).
fn add_up(
    rows: &[DeathsRow<'_>],
    bands: &[u32],
    period_index: &HashMap<&str, usize>,
    cause_index: &HashMap<&str, usize>,
    order: &[usize],
    periods: usize,
    shape: Shape,
) -> Vec<Sums> {
    let Shape {
        groups: g,
        bands: b,
        causes: c,
    } = shape;
    let cells = periods * g * b;
    let mut sums = vec![Sums::default(); cells * c];
    let mut last_period: Option<(&str, usize)> = None;
    for r in rows {
        let p = match last_period {
            Some((label, p)) if label == r.period => p,
            _ => {
                let k = period_index.get(r.period).copied().unwrap_or(0);
                let p = order.get(k).copied().unwrap_or(0);
                last_period = Some((r.period, p));
                p
            }
        };
        let band = bands.binary_search(&r.start_age).unwrap_or(0);
        let cause = r
            .cause
            .and_then(|x| cause_index.get(x))
            .copied()
            .unwrap_or(0);
        let cell = (p * g + (r.group as usize - 1)) * b + band;
        if let Some(s) = sums.get_mut(cell * c + cause) {
            s.deaths += r.deaths;
            s.population += r.population;
            s.rows = true;
        }
    }
    sums
}

/// [`LeGapInput`]'s arrays, from the sums.
struct Collapsed {
    deaths: Vec<f64>,
    population: Vec<f64>,
    seen: Vec<bool>,
}

/// Deaths per (cell, cause), population and whether seen per cell, from the sums; `differ`
/// makes the error for a cell whose causes' rows (cause index, population) give different
/// populations.
fn collapse(
    sums: &[Sums],
    shape: Shape,
    differ: impl Fn(usize, (usize, f64), (usize, f64)) -> LeGapError,
) -> Result<Collapsed, LeGapError> {
    let c = shape.causes;
    let cells = sums.len() / c;
    let mut deaths = vec![0.0; cells * c];
    let mut population = vec![0.0; cells];
    let mut seen = vec![false; cells];
    for cell in 0..cells {
        let Some(per_cause) = sums.get(cell * c..(cell + 1) * c) else {
            continue;
        };
        let mut first: Option<(usize, f64)> = None;
        for (k, s) in per_cause.iter().enumerate() {
            if let Some(d) = deaths.get_mut(cell * c + k) {
                *d = s.deaths;
            }
            if !s.rows {
                continue;
            }
            match first {
                None => first = Some((k, s.population)),
                Some((j, pop)) if !same_population(pop, s.population) => {
                    return Err(differ(cell, (j, pop), (k, s.population)));
                }
                Some(_) => {}
            }
        }
        if let Some((_, pop)) = first {
            if let Some(x) = population.get_mut(cell) {
                *x = pop;
            }
            if let Some(x) = seen.get_mut(cell) {
                *x = true;
            }
        }
    }
    Ok(Collapsed {
        deaths,
        population,
        seen,
    })
}

/// Two sums of the same populations added in a different order: equal, or equal to within
/// rounding (a relative 1e-9, far below a person).
fn same_population(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

fn check_row(
    r: &DeathsRow<'_>,
    deprivation: Deprivation,
    open: OpenBand,
) -> Result<(), LeGapError> {
    if !(1..=deprivation.groups()).contains(&r.group) {
        return Err(LeGapError::Group {
            row: r.row,
            column: deprivation.column(),
            groups: deprivation.groups(),
            value: r.group,
        });
    }
    if open.start_ages().binary_search(&r.start_age).is_err() {
        return Err(LeGapError::StartAge {
            row: r.row,
            value: r.start_age,
            open: open.start_age(),
        });
    }
    for (column, value) in [("deaths", r.deaths), ("population", r.population)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(LeGapError::Negative {
                row: r.row,
                column,
                value,
            });
        }
    }
    Ok(())
}

/// A target for the gap (and the SII): a reduction by `reduction` percent of its baseline value
/// by `year`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// The reduction, a percentage above 0 and below 100 (5 for "5% smaller").
    pub reduction: f64,
    /// The year by which (on the periods' mid-year scale).
    pub year: f64,
}

impl Default for Target {
    /// The Coventry and Warwickshire ambition: the gap 5% smaller by 2028.
    fn default() -> Self {
        Self {
            reduction: 5.0,
            year: 2028.0,
        }
    }
}

/// How to compute a life-expectancy gap.
#[derive(Debug, Clone, PartialEq)]
pub struct LeGapOptions {
    /// The confidence level of every interval (0.9–0.999999 or 90–99.9999).
    pub confidence: f64,
    /// The baseline period's label; `None` for the earliest.
    pub baseline: Option<String>,
    /// The target of the trajectory.
    pub target: Target,
    /// Monte Carlo repetitions of the SII ([`MIN_REPETITIONS`] to [`MAX_REPETITIONS`]).
    pub repetitions: u32,
    /// Seed of the SII's Monte Carlo.
    pub seed: u64,
}

impl Default for LeGapOptions {
    fn default() -> Self {
        Self {
            confidence: 0.95,
            baseline: None,
            target: Target::default(),
            repetitions: 100_000,
            seed: 1,
        }
    }
}

/// Life expectancy at birth of one group in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupLe {
    /// The group, 1 = most deprived.
    pub group: u32,
    /// Its population, all bands.
    pub population: f64,
    /// Its deaths, all bands (and causes).
    pub deaths: f64,
    /// Life expectancy at birth, its standard error and limits, or why it has none (the life
    /// table's reason: e.g. a band missing, a population of 5,000 or less).
    pub le: Estimate,
}

/// The Arriaga decomposition of one period's gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decomposition {
    /// Each age band's contribution to the gap, in years, bands in order.
    pub by_age: Vec<AgeContribution>,
    /// Each cause's contribution over all ages, in the order of the causes (empty without
    /// causes).
    pub by_cause: Vec<f64>,
    /// The contributions added up: the gap, to rounding.
    pub total: f64,
}

/// One age band's contribution to a gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgeContribution {
    /// The band's start age.
    pub start_age: u32,
    /// Its contribution, in years.
    pub years: f64,
    /// Split by cause, in the order of the causes (empty without causes).
    pub by_cause: Vec<f64>,
}

/// One period's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodGap {
    /// The period.
    pub period: Period,
    /// Life expectancy at birth per group, 1 (most deprived) first.
    pub groups: Vec<GroupLe>,
    /// Least deprived minus most deprived.
    pub gap: Estimate,
    /// The SII of life expectancy: Monte Carlo limits; `se` is the analytic standard error.
    pub sii: Estimate,
    /// Against the baseline (`None` for the baseline itself).
    pub gap_change: Option<Change>,
    /// The SII's change against the baseline.
    pub sii_change: Option<Change>,
    /// The gap by age band (and cause), or why there is none.
    pub decomposition: Option<Decomposition>,
    /// Why there is no decomposition.
    pub decomposition_reason: Option<String>,
}

/// One analysis's life-expectancy gap over its periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeGap {
    /// Deciles or quintiles.
    pub deprivation: Deprivation,
    /// The open band's start age.
    pub open_band: u32,
    /// The confidence level of every interval.
    pub confidence: f64,
    /// The causes of death, in the order the decompositions list them.
    pub causes: Vec<String>,
    /// The baseline period's label.
    pub baseline: String,
    /// The target.
    pub target: Target,
    /// Each period's results, in time order.
    pub periods: Vec<PeriodGap>,
    /// The gap's trajectory to the target.
    pub gap_trajectory: Trajectory,
    /// The SII's trajectory to the target.
    pub sii_trajectory: Trajectory,
}

/// Checks `options` (and the baseline against `input`'s periods): the confidence level, the
/// repetitions, the target.
fn check_options(input: &LeGapInput, options: &LeGapOptions) -> Result<(f64, usize), LeGapError> {
    let confidence = confidence_level(options.confidence).map_err(PheError::from)?;
    if !(MIN_REPETITIONS..=MAX_REPETITIONS).contains(&options.repetitions) {
        return Err(LeGapError::Options(format!(
            "the repetitions must be from {MIN_REPETITIONS} to {MAX_REPETITIONS}, got {}",
            options.repetitions
        )));
    }
    let r = options.target.reduction;
    if !(r > 0.0 && r < 100.0) {
        return Err(LeGapError::Options(format!(
            "the target reduction must be a percentage above 0 and below 100, got {r}"
        )));
    }
    let y = options.target.year;
    if !(f64::from(MIN_YEAR)..=f64::from(MAX_YEAR)).contains(&y) {
        return Err(LeGapError::Options(format!(
            "the target year must be from {MIN_YEAR} to {MAX_YEAR}, got {y}"
        )));
    }
    let baseline = match &options.baseline {
        None => 0,
        Some(label) => input
            .periods
            .iter()
            .position(|p| p.label == *label)
            .ok_or_else(|| LeGapError::Baseline {
                baseline: label.clone(),
                available: input
                    .periods
                    .iter()
                    .map(|p| p.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?,
    };
    if let Some(p) = input.periods.get(baseline)
        && y <= p.year
    {
        return Err(LeGapError::TargetYear {
            target: y,
            baseline: p.label.clone(),
            year: p.year,
        });
    }
    Ok((confidence, baseline))
}

/// The life-expectancy gap of one analysis: see the module docs for what is computed.
///
/// ```
/// use equitas_core::measures::legap::{DeathsRow, Deprivation, LeGapInput, LeGapOptions, le_gap};
/// use equitas_core::measures::lifetable::{OpenBand, START_AGES};
/// // SYNTHETIC: death rates rising with age and with deprivation, one period.
/// let mut rows = Vec::new();
/// for decile in 1..=10u32 {
///     for &age in &START_AGES {
///         let rate = 0.0004 * (f64::from(age) / 14.0).exp() * (1.3 - 0.03 * f64::from(decile));
///         rows.push(DeathsRow {
///             row: 0,
///             period: "2021-23",
///             group: decile,
///             start_age: age,
///             cause: None,
///             deaths: (20_000.0 * rate).round().max(1.0),
///             population: 20_000.0,
///         });
///     }
/// }
/// let input = LeGapInput::from_rows(&rows, Deprivation::Decile, OpenBand::Ninety)?;
/// let result = le_gap(&input, &LeGapOptions { repetitions: 1000, ..LeGapOptions::default() })?;
/// let period = &result.periods[0];
/// let gap = period.gap.value.unwrap();
/// assert!(gap > 0.0, "the least deprived live longer");
/// // The age bands' contributions add up to the gap.
/// let total: f64 = period.decomposition.as_ref().unwrap().by_age.iter().map(|a| a.years).sum();
/// assert!((total - gap).abs() < 1e-9);
/// # Ok::<(), equitas_core::measures::legap::LeGapError>(())
/// ```
///
/// # Errors
/// Options out of range (the confidence level, the repetitions, the target's reduction and
/// year), a baseline that is not a period, or a target year not after the baseline. Problems
/// with the data of one group or period are reasons in the result, not errors.
pub fn le_gap(input: &LeGapInput, options: &LeGapOptions) -> Result<LeGap, LeGapError> {
    let (confidence, baseline) = check_options(input, options)?;
    let z = z_for(confidence);
    let groups = input.deprivation.groups();
    let sii_options = SiiOptions {
        value_type: ValueType::Normal,
        repetitions: options.repetitions,
        confidence: vec![confidence],
        seed: options.seed,
        quantiles: Some(groups),
        ..SiiOptions::default()
    };
    let mut workspace = SiiWorkspace::default();
    let mut periods = Vec::with_capacity(input.periods.len());
    for (p, period) in input.periods.iter().enumerate() {
        periods.push(period_gap(
            input,
            p,
            period,
            confidence,
            &sii_options,
            &mut workspace,
        )?);
    }
    // Changes against the baseline.
    let (base_gap, base_sii) = periods
        .get(baseline)
        .map(|b| (b.gap.clone(), b.sii.clone()))
        .unwrap_or_else(|| {
            (
                Estimate::missing(String::new()),
                Estimate::missing(String::new()),
            )
        });
    for (p, period) in periods.iter_mut().enumerate() {
        if p != baseline {
            period.gap_change = Some(change(&period.gap, &base_gap, z));
            period.sii_change = Some(change(&period.sii, &base_sii, z));
        }
    }
    let series = |f: &dyn Fn(&PeriodGap) -> &Estimate| -> Vec<(f64, Option<f64>, Option<f64>)> {
        periods
            .iter()
            .skip(baseline)
            .map(|p| (p.period.year, f(p).value, f(p).se))
            .collect()
    };
    let gap_trajectory = trajectory(&series(&|p| &p.gap), options.target, z);
    let sii_trajectory = trajectory(&series(&|p| &p.sii), options.target, z);
    Ok(LeGap {
        deprivation: input.deprivation,
        open_band: input.open.start_age(),
        confidence,
        causes: input.causes.clone(),
        baseline: input
            .periods
            .get(baseline)
            .map(|p| p.label.clone())
            .unwrap_or_default(),
        target: options.target,
        periods,
        gap_trajectory,
        sii_trajectory,
    })
}

/// One period's results before the changes against the baseline: life expectancy per group,
/// the gap, the SII and the decomposition.
fn period_gap(
    input: &LeGapInput,
    p: usize,
    period: &Period,
    confidence: f64,
    sii_options: &SiiOptions,
    workspace: &mut SiiWorkspace,
) -> Result<PeriodGap, LeGapError> {
    let z = z_for(confidence);
    let groups = input.deprivation.groups();
    let mut les = Vec::with_capacity(groups as usize);
    let mut tables: Vec<Result<LifeTable, Reason>> = Vec::with_capacity(groups as usize);
    for g in 0..groups as usize {
        let bands = input.bands(p, g);
        les.push(GroupLe {
            group: u32::try_from(g + 1).unwrap_or(u32::MAX),
            population: bands.iter().map(|b| b.population).sum(),
            deaths: bands.iter().map(|b| b.deaths).sum(),
            le: group_le(input, g, &bands, confidence, z)?,
        });
        tables.push(life_table(&bands, input.open));
    }
    let gap = gap(&les, input.deprivation, z);
    let sii = sii(&les, sii_options, workspace, z);
    let (decomposition, decomposition_reason) = match decompose(input, p, &les, &tables, &gap) {
        Ok(d) => (Some(d), None),
        Err(reason) => (None, Some(reason)),
    };
    Ok(PeriodGap {
        period: period.clone(),
        groups: les,
        gap,
        sii,
        gap_change: None,
        sii_change: None,
        decomposition,
        decomposition_reason,
    })
}

/// Life expectancy at birth of group `g` (0-based) from its bands, or why there is none.
fn group_le(
    input: &LeGapInput,
    g: usize,
    bands: &[AgeBand],
    confidence: f64,
    z: f64,
) -> Result<Estimate, LeGapError> {
    let at_birth = life_expectancy_with(bands, &[confidence], input.open)?
        .into_iter()
        .find(|e| e.start_age == 0);
    Ok(match at_birth {
        Some(e) if e.reason.is_none() => match (e.value, e.se) {
            (Some(v), Some(se)) => Estimate::normal(v, se, z, "life expectancy"),
            _ => Estimate::missing("no life expectancy".to_owned()),
        },
        Some(e) => {
            let interval = e.intervals.first();
            Estimate {
                value: e.value,
                se: e.se,
                lower: interval.and_then(|i| i.lower),
                upper: interval.and_then(|i| i.upper),
                reason: e.reason.map(|r| r.to_string()),
            }
        }
        None => Estimate::missing(format!(
            "no rows for {} {}",
            input.deprivation.column(),
            g + 1
        )),
    })
}

/// The least deprived group's life expectancy minus the most deprived's.
fn gap(les: &[GroupLe], deprivation: Deprivation, z: f64) -> Estimate {
    let (Some(most), Some(least)) = (les.first(), les.last()) else {
        return Estimate::missing("no groups".to_owned());
    };
    for end in [most, least] {
        if end.le.value.is_none() || end.le.se.is_none() {
            return Estimate::missing(format!(
                "{} {} has no life expectancy ({})",
                deprivation.column(),
                end.group,
                end.le.reason.as_deref().unwrap_or("suppressed")
            ));
        }
    }
    match (most.le.value, most.le.se, least.le.value, least.le.se) {
        (Some(a), Some(sa), Some(b), Some(sb)) => {
            Estimate::normal(b - a, sa.hypot(sb), z, "the gap")
        }
        _ => Estimate::missing("no life expectancy".to_owned()),
    }
}

/// The SII of the groups' life expectancies the Fingertips way, with the analytic standard
/// error.
fn sii(les: &[GroupLe], options: &SiiOptions, workspace: &mut SiiWorkspace, z: f64) -> Estimate {
    let rows: Vec<SiiRow> = les
        .iter()
        .filter_map(|g| {
            Some(SiiRow {
                quantile: g.group,
                population: g.population,
                value: g.le.value?,
                se: Some(g.le.se?),
                lower_cl: None,
                upper_cl: None,
            })
        })
        .collect();
    if rows.len() < les.len() {
        let missing: Vec<String> = les
            .iter()
            .filter(|g| g.le.value.is_none() || g.le.se.is_none())
            .map(|g| g.group.to_string())
            .collect();
        return Estimate::missing(format!(
            "groups {} have no life expectancy",
            missing.join(", ")
        ));
    }
    // The options were checked before; what the SII can still refuse is the data (a group's
    // population added up beyond double precision), which leaves this period's SII blank with
    // the reason, not the whole analysis.
    let r = match phe_sii_with(&rows, options, workspace) {
        Ok(r) => r,
        Err(e) => return Estimate::missing(e.to_string()),
    };
    let interval = r.intervals.first();
    let analytic = match sii_analytic(&rows, options) {
        Ok(a) => a,
        Err(e) => return Estimate::missing(e.to_string()),
    };
    let se = match &analytic {
        Ok(limits) => limits
            .first()
            .and_then(|i| Some((i.upper? - i.lower?) / (2.0 * z))),
        Err(_) => None,
    };
    let reason = r
        .reason
        .map(|x| x.to_string())
        .or_else(|| analytic.err().map(|x| x.to_string()));
    Estimate {
        value: r.sii,
        se,
        lower: interval.and_then(|i| i.sii_lower),
        upper: interval.and_then(|i| i.sii_upper),
        reason,
    }
}

/// The trajectory of `series` (mid-year, value, SE; the baseline first) to `target`: the general
/// rule ([`super::trajectory::trajectory`]) with the aim "reduce by `target.reduction`%".
fn trajectory(series: &[(f64, Option<f64>, Option<f64>)], target: Target, z: f64) -> Trajectory {
    let series: Vec<Observation> = series
        .iter()
        .map(|&(year, value, se)| Observation { year, value, se })
        .collect();
    let goal = Goal {
        aim: Aim::ReduceBy(target.reduction),
        year: target.year,
    };
    super::trajectory::trajectory(&series, &goal, z)
}

/// The Arriaga decomposition of a period's gap, by age and (with causes) by cause.
fn decompose(
    input: &LeGapInput,
    p: usize,
    les: &[GroupLe],
    tables: &[Result<LifeTable, Reason>],
    gap: &Estimate,
) -> Result<Decomposition, String> {
    if gap.value.is_none() {
        return Err(format!(
            "there is no gap to decompose ({})",
            gap.reason.as_deref().unwrap_or("missing")
        ));
    }
    let (Some(Ok(most)), Some(Ok(least))) = (tables.first(), tables.last()) else {
        return Err("a life table of the two ends is suppressed".to_owned());
    };
    if most.l.iter().chain(&least.l).any(|&l| l <= 0.0) {
        return Err(
            "nobody survives to an older band in one of the two ends' life tables, so the gap cannot be split by age"
                .to_owned(),
        );
    }
    let by_band = arriaga(most, least);
    let causes = !input.causes.is_empty();
    let g_last = les.len().saturating_sub(1);
    let split = if causes {
        arriaga_by_cause(
            &by_band,
            &input.cause_rates(p, 0),
            &input.cause_rates(p, g_last),
        )
    } else {
        vec![Vec::new(); by_band.len()]
    };
    let by_age: Vec<AgeContribution> = most
        .start_age
        .iter()
        .zip(by_band.iter().zip(split))
        .map(|(&start_age, (&years, by_cause))| AgeContribution {
            start_age,
            years,
            by_cause,
        })
        .collect();
    if by_age
        .iter()
        .any(|a| !a.years.is_finite() || a.by_cause.iter().any(|x| !x.is_finite()))
    {
        return Err("a contribution is beyond the range of double-precision numbers".to_owned());
    }
    let by_cause: Vec<f64> = (0..input.causes.len())
        .map(|k| {
            by_age
                .iter()
                .map(|a| a.by_cause.get(k).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    Ok(Decomposition {
        total: by_band.iter().sum(),
        by_age,
        by_cause,
    })
}

/// The Arriaga decomposition of e₀(`least`) − e₀(`most`) by age band (Arriaga E. E., "Measuring
/// and explaining the change in life expectancies", Demography 21(1):83–96, 1984; the form in
/// Preston, Heuveline and Guillot, *Demography*, 2001, §3.8). With population 1 = `most` and
/// 2 = `least`, radix l₀ in both, for a band from x to x + n:
///
/// ₙΔₓ = (lₓ¹/l₀¹)·(ₙLₓ²/lₓ² − ₙLₓ¹/lₓ¹) + (Tₓ₊ₙ²/l₀¹)·(lₓ¹/lₓ² − lₓ₊ₙ¹/lₓ₊ₙ²)
///
/// (the direct effect of the band's mortality, then the indirect and interaction effect on the
/// years lived after it), and for the open band from x, ∞Δₓ = (lₓ¹/l₀¹)·(Tₓ²/lₓ² − Tₓ¹/lₓ¹).
/// The terms telescope, so the contributions add up to e₀² − e₀¹ exactly (to rounding). The two
/// tables must have the same bands and every l above zero.
#[must_use]
pub fn arriaga(most: &LifeTable, least: &LifeTable) -> Vec<f64> {
    let (l1, l2) = (&most.l, &least.l);
    let (big_l1, big_l2, t1, t2) = (&most.big_l, &least.big_l, &most.t, &least.t);
    let k = l1.len().min(l2.len());
    let radix = l1.first().copied().unwrap_or(1.0);
    (0..k)
        .map(|x| {
            let at = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(f64::NAN);
            if x + 1 == k {
                at(l1, x) / radix * (at(t2, x) / at(l2, x) - at(t1, x) / at(l1, x))
            } else {
                let direct =
                    at(l1, x) / radix * (at(big_l2, x) / at(l2, x) - at(big_l1, x) / at(l1, x));
                let indirect =
                    at(t2, x + 1) / radix * (at(l1, x) / at(l2, x) - at(l1, x + 1) / at(l2, x + 1));
                direct + indirect
            }
        })
        .collect()
}

/// Each band's contribution split by cause in proportion to the difference in the cause's death
/// rate (Arriaga E. E., "Changing trends in mortality decline during the last decades", in
/// Ruzicka, Wunsch and Kane (eds), *Differential Mortality*, 1989; Preston et al. 2001, §4.4):
///
/// ₙΔₓ,ᵢ = ₙΔₓ · (ₙmₓ,ᵢ² − ₙmₓ,ᵢ¹)/Σⱼ(ₙmₓ,ⱼ² − ₙmₓ,ⱼ¹)
///
/// with mₓ,ᵢ the cause's deaths over the band's population. The denominator is the sum of the
/// numerators, so a band's causes add up to the band's contribution. Where the rates do not
/// differ at all (the band's contribution is then zero to rounding) it is shared by the
/// causes' deaths in both groups together, or equally if there are none. `rates` are by band,
/// then cause.
#[must_use]
pub fn arriaga_by_cause(by_band: &[f64], most: &[Vec<f64>], least: &[Vec<f64>]) -> Vec<Vec<f64>> {
    by_band
        .iter()
        .zip(most.iter().zip(least))
        .map(|(&delta, (m1, m2))| {
            let diff: Vec<f64> = m1.iter().zip(m2).map(|(a, b)| b - a).collect();
            let total: f64 = diff.iter().sum();
            if total != 0.0 && total.is_finite() {
                return diff.iter().map(|d| delta * d / total).collect();
            }
            let both: Vec<f64> = m1.iter().zip(m2).map(|(a, b)| a + b).collect();
            let all: f64 = both.iter().sum();
            if all > 0.0 && all.is_finite() {
                both.iter().map(|d| delta * d / all).collect()
            } else {
                #[allow(clippy::cast_precision_loss, reason = "at most MAX_CAUSES causes")]
                let n = m1.len().max(1) as f64;
                m1.iter().map(|_| delta / n).collect()
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(
    clippy::too_many_lines,
    reason = "a test walks one table of cases; the limit is for the library's functions"
)]
#[allow(clippy::unwrap_used, clippy::float_cmp, reason = "tests")]
mod tests {
    use super::*;
    use crate::measures::lifetable::START_AGES;

    /// SYNTHETIC rows: death rates rising with age and with deprivation, falling a little with
    /// each period for the most deprived (so the gap narrows), one row per cell, or `split`
    /// rows per cell (small areas) whose counts add up to the same.
    fn rows(
        periods: &[&'static str],
        groups: u32,
        open: OpenBand,
        split: u32,
    ) -> Vec<DeathsRow<'static>> {
        let mut out = Vec::new();
        for (k, &period) in periods.iter().enumerate() {
            for g in 1..=groups {
                for &age in open.start_ages() {
                    #[allow(clippy::cast_precision_loss, reason = "small")]
                    let better = 1.0 - 0.04 * k as f64 * f64::from(groups - g) / f64::from(groups);
                    let rate = 0.0003
                        * (f64::from(age) / 12.5).exp()
                        * (1.5 - 0.5 * f64::from(g) / f64::from(groups))
                        * better;
                    let population = 30_000.0;
                    let deaths = (population * rate).round().max(1.0);
                    for s in 0..split {
                        out.push(DeathsRow {
                            row: out.len() + 2,
                            period,
                            group: g,
                            start_age: age,
                            cause: None,
                            deaths: if s == 0 {
                                deaths - f64::from(split - 1) * (deaths / f64::from(split)).floor()
                            } else {
                                (deaths / f64::from(split)).floor()
                            },
                            population: population / f64::from(split),
                        });
                    }
                }
            }
        }
        out
    }

    fn options() -> LeGapOptions {
        LeGapOptions {
            repetitions: 1000,
            ..LeGapOptions::default()
        }
    }

    #[test]
    fn period_labels_give_mid_years() {
        for (label, want) in [
            ("2019", Some(2019.0)),
            (" 2017-19 ", Some(2018.0)),
            ("2017 - 2019", Some(2018.0)),
            ("2017 to 2019", Some(2018.0)),
            ("2017–19", Some(2018.0)),
            ("2019/20", Some(2019.5)),
            ("1998-01", Some(1999.5)),
            ("2019-17", None),
            ("2019-2017", None),
            ("2000-2019", Some(2009.5)),
            ("2000-2020", None),
            ("19", None),
            ("Q3 2019", None),
            ("1799", None),
            ("2201", None),
            ("2019-", None),
            ("", None),
        ] {
            assert_eq!(period_year(label), want, "{label:?}");
        }
    }

    /// A hand-worked Arriaga decomposition (Arriaga 1984, Demography 21(1):83–96, equations as in
    /// Preston, Heuveline and Guillot 2001, §3.8) on a three-band toy life table with radix 1:
    ///
    /// | band | l¹   | L¹   | T¹   | l²   | L²    | T²    |
    /// |------|------|------|------|------|-------|-------|
    /// | 0    | 1.0  | 0.95 | 6.45 | 1.0  | 0.975 | 7.875 |
    /// | 1    | 0.9  | 3.0  | 5.5  | 0.95 | 3.3   | 6.9   |
    /// | 5+   | 0.5  | 2.5  | 2.5  | 0.6  | 3.6   | 3.6   |
    ///
    /// e₀¹ = 6.45, e₀² = 7.875, so the gap is 1.425.
    /// Δ₀ = (1/1)(0.975/1 − 0.95/1) + (6.9/1)(1/1 − 0.9/0.95) = 0.025 + 6.9/19;
    /// Δ₁ = (0.9/1)(3.3/0.95 − 3.0/0.9) + (3.6/1)(0.9/0.95 − 0.5/0.6);
    /// Δ₅₊ = (0.5/1)(3.6/0.6 − 2.5/0.5) = 0.5·(6 − 5) = 0.5.
    #[test]
    fn arriaga_matches_a_hand_worked_example() {
        let table = |l: [f64; 3], big_l: [f64; 3], t: [f64; 3]| LifeTable {
            start_age: vec![0, 1, 5],
            m: vec![0.0; 3],
            l: l.to_vec(),
            big_l: big_l.to_vec(),
            t: t.to_vec(),
            e: vec![t[0] / l[0], t[1] / l[1], t[2] / l[2]],
        };
        let most = table([1.0, 0.9, 0.5], [0.95, 3.0, 2.5], [6.45, 5.5, 2.5]);
        let least = table([1.0, 0.95, 0.6], [0.975, 3.3, 3.6], [7.875, 6.9, 3.6]);
        let got = arriaga(&most, &least);
        let want = [
            0.025 + 6.9 / 19.0,
            0.9 * (3.3 / 0.95 - 3.0 / 0.9) + 3.6 * (0.9 / 0.95 - 0.5 / 0.6),
            0.5,
        ];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{g} vs {w}");
        }
        // 0.388157…, 0.536842…, 0.5: the same to the printed digits.
        assert!((got[0] - 0.388_157_894_736_842).abs() < 1e-14);
        assert!((got[1] - 0.536_842_105_263_158).abs() < 1e-14);
        assert!((got.iter().sum::<f64>() - 1.425).abs() < 1e-14);
        // By cause, by hand: a band contributing 0.6 years where cause A's rate fell by 0.005
        // and cause B's by 0.01 splits 1/3 and 2/3.
        let split = arriaga_by_cause(&[0.6], &[vec![0.01, 0.02]], &[vec![0.005, 0.01]]);
        assert!((split[0][0] - 0.2).abs() < 1e-15 && (split[0][1] - 0.4).abs() < 1e-15);
        // Rates that do not differ: shared by the deaths of both groups.
        let even = arriaga_by_cause(&[1e-17], &[vec![0.01, 0.03]], &[vec![0.01, 0.03]]);
        assert!((even[0][0] - 0.25e-17).abs() < 1e-30);
    }

    /// On Chiang II tables from rows, deciles and quintiles, 90+ and 85+, with and without
    /// causes: the age bands' contributions add up to the gap to 1e-9, and each band's causes
    /// to the band's contribution.
    #[test]
    fn contributions_add_up_to_the_gap() {
        for (deprivation, open) in [
            (Deprivation::Decile, OpenBand::Ninety),
            (Deprivation::Quintile, OpenBand::EightyFive),
        ] {
            let plain = rows(&["2017-19", "2020-22"], deprivation.groups(), open, 1);
            // The same deaths split over three causes, each row repeating the population.
            let causes: Vec<DeathsRow<'static>> = plain
                .iter()
                .flat_map(|r| {
                    let third = (r.deaths / 3.0).floor();
                    let extra = f64::from(r.start_age % 7) / 10.0;
                    [
                        DeathsRow {
                            cause: Some("circulatory"),
                            deaths: third + extra,
                            ..*r
                        },
                        DeathsRow {
                            cause: Some("cancer"),
                            deaths: third,
                            ..*r
                        },
                        DeathsRow {
                            cause: Some("other"),
                            deaths: r.deaths - 2.0 * third - extra,
                            ..*r
                        },
                    ]
                })
                .collect();
            for rows in [plain, causes] {
                let input = LeGapInput::from_rows(&rows, deprivation, open).unwrap();
                let r = le_gap(&input, &options()).unwrap();
                for p in &r.periods {
                    let gap = p.gap.value.unwrap();
                    let d = p.decomposition.as_ref().unwrap();
                    let total: f64 = d.by_age.iter().map(|a| a.years).sum();
                    assert!((total - gap).abs() < 1e-9, "{total} vs {gap}");
                    assert!((d.total - gap).abs() < 1e-9);
                    assert_eq!(d.by_age.len(), open.start_ages().len());
                    for a in &d.by_age {
                        if !input.causes().is_empty() {
                            let causes: f64 = a.by_cause.iter().sum();
                            assert!((causes - a.years).abs() < 1e-12, "{causes} vs {}", a.years);
                        }
                    }
                    if !input.causes().is_empty() {
                        assert!((d.by_cause.iter().sum::<f64>() - gap).abs() < 1e-9);
                    }
                }
            }
        }
    }

    /// Life expectancy per group is `life_expectancy_with` on the group's bands (the same code as
    /// `equitas lifetable`), the gap is the ends' difference, and the SII is `phe_sii` on the
    /// groups: exactly. Rows split over small areas add up to the same numbers.
    #[test]
    fn the_pieces_are_the_fingertips_methods() {
        let rows_one = rows(&["2019"], 10, OpenBand::Ninety, 1);
        let input =
            LeGapInput::from_rows(&rows_one, Deprivation::Decile, OpenBand::Ninety).unwrap();
        let r = le_gap(&input, &options()).unwrap();
        let p = &r.periods[0];
        for g in 1..=10u32 {
            let bands: Vec<AgeBand> = rows_one
                .iter()
                .filter(|x| x.group == g)
                .map(|x| AgeBand {
                    start_age: x.start_age,
                    population: x.population,
                    deaths: x.deaths,
                })
                .collect();
            let le = life_expectancy_with(&bands, &[0.95], OpenBand::Ninety).unwrap();
            let got = &p.groups[g as usize - 1].le;
            assert_eq!(got.value, le[0].value);
            assert_eq!(got.se, le[0].se);
            assert_eq!(got.lower, le[0].intervals[0].lower);
            assert_eq!(got.upper, le[0].intervals[0].upper);
        }
        let ends = (p.groups[0].le.value.unwrap(), p.groups[9].le.value.unwrap());
        assert_eq!(p.gap.value, Some(ends.1 - ends.0));
        let sii_rows: Vec<SiiRow> = p
            .groups
            .iter()
            .map(|g| SiiRow {
                quantile: g.group,
                population: g.population,
                value: g.le.value.unwrap(),
                se: g.le.se,
                lower_cl: None,
                upper_cl: None,
            })
            .collect();
        let sii = crate::measures::phe::sii::phe_sii(
            &sii_rows,
            &SiiOptions {
                repetitions: 1000,
                quantiles: Some(10),
                ..SiiOptions::default()
            },
        )
        .unwrap();
        assert_eq!(p.sii.value, sii.sii);
        assert_eq!(p.sii.lower, sii.intervals[0].sii_lower);
        // Split over four small areas: the same sums, so the same answer.
        let split = rows(&["2019"], 10, OpenBand::Ninety, 4);
        let again = le_gap(
            &LeGapInput::from_rows(&split, Deprivation::Decile, OpenBand::Ninety).unwrap(),
            &options(),
        )
        .unwrap();
        assert_eq!(again, r);
    }

    /// The trajectory rule on hand-worked series (mid-year, gap, SE), target 5% by 2028.
    #[test]
    fn trajectories_follow_the_written_rule() {
        let z = z_for(0.95);
        let target = Target::default();
        // Narrowing fast: 10 → 9 over three years; the line through them reaches
        // 9 − 7/3 = 6.667 in 2028, well under the target 9.5.
        let t = trajectory(
            &[
                (2018.0, Some(10.0), Some(0.2)),
                (2021.0, Some(9.0), Some(0.2)),
            ],
            target,
            z,
        );
        assert_eq!(t.status, Status::OnTrack);
        assert!((t.target.unwrap() - 9.5).abs() < 1e-12);
        assert!((t.required_annual_change.unwrap() - (-0.05)).abs() < 1e-12);
        assert!((t.observed_annual_change.value.unwrap() + 1.0 / 3.0).abs() < 1e-12);
        assert!((t.projected.value.unwrap() - (9.0 - 7.0 / 3.0)).abs() < 1e-12);
        // Its SE by hand: w = 25 each, Σw = 50, x̄ = 2019.5, Σw(x − x̄)² = 112.5.
        let se = (1.0 / 50.0 + 8.5 * 8.5 / 112.5_f64).sqrt();
        assert!((t.projected.se.unwrap() - se).abs() < 1e-12);
        // Widening: 10 → 11, projected 13.33, its lower limit above 9.5.
        let t = trajectory(
            &[
                (2018.0, Some(10.0), Some(0.2)),
                (2021.0, Some(11.0), Some(0.2)),
            ],
            target,
            z,
        );
        assert_eq!(t.status, Status::NotOnTrack);
        // Barely moving with wide intervals: the interval holds the target.
        let t = trajectory(
            &[
                (2018.0, Some(10.0), Some(1.0)),
                (2021.0, Some(9.8), Some(1.0)),
            ],
            target,
            z,
        );
        assert_eq!(t.status, Status::CannotTellYet);
        assert_eq!(
            t.reason.as_deref(),
            Some("the projection's interval holds the target")
        );
        // One period: no trend yet. A gap that is not positive: no direction.
        let t = trajectory(&[(2018.0, Some(10.0), Some(0.2))], target, z);
        assert_eq!(t.status, Status::CannotTellYet);
        assert!(t.reason.unwrap().starts_with("fewer than two periods"));
        let t = trajectory(
            &[
                (2018.0, Some(-1.0), Some(0.2)),
                (2021.0, Some(-2.0), Some(0.2)),
            ],
            target,
            z,
        );
        assert_eq!(t.status, Status::CannotTellYet);
        // Three periods: the inverse-variance weighted line (a noisier middle period counts less).
        let t = trajectory(
            &[
                (2018.0, Some(10.0), Some(0.2)),
                (2019.0, Some(12.0), Some(2.0)),
                (2020.0, Some(9.6), Some(0.2)),
            ],
            target,
            z,
        );
        let w = [25.0, 0.25, 25.0];
        let x = [2018.0, 2019.0, 2020.0];
        let y = [10.0, 12.0, 9.6];
        let sw: f64 = w.iter().sum();
        let xb = (0..3).map(|i| w[i] * x[i]).sum::<f64>() / sw;
        let yb = (0..3).map(|i| w[i] * y[i]).sum::<f64>() / sw;
        let sxx: f64 = (0..3).map(|i| w[i] * (x[i] - xb) * (x[i] - xb)).sum();
        let sxy: f64 = (0..3).map(|i| w[i] * (x[i] - xb) * (y[i] - yb)).sum();
        assert!((t.observed_annual_change.value.unwrap() - sxy / sxx).abs() < 1e-12);
        assert!((t.projected.value.unwrap() - (yb + sxy / sxx * (2028.0 - xb))).abs() < 1e-9);
    }

    #[test]
    fn changes_say_narrowed_widened_or_neither() {
        let z = z_for(0.95);
        let e = |v: f64, se: f64| Estimate::normal(v, se, z, "x");
        assert_eq!(
            change(&e(9.0, 0.2), &e(10.0, 0.2), z).verdict,
            Verdict::Narrowed
        );
        assert_eq!(
            change(&e(11.0, 0.2), &e(10.0, 0.2), z).verdict,
            Verdict::Widened
        );
        assert_eq!(
            change(&e(9.9, 0.5), &e(10.0, 0.5), z).verdict,
            Verdict::NoSignificantChange
        );
        // A negative gap narrows upward.
        assert_eq!(
            change(&e(-1.0, 0.1), &e(-3.0, 0.1), z).verdict,
            Verdict::Narrowed
        );
        let c = change(&e(9.0, 0.3), &e(10.0, 0.4), z);
        assert!((c.difference.se.unwrap() - 0.5).abs() < 1e-15);
        assert!((c.percent.unwrap() + 10.0).abs() < 1e-12);
        let none = change(&Estimate::missing("x".into()), &e(10.0, 0.4), z);
        assert_eq!(none.verdict, Verdict::Unknown);
    }

    #[test]
    fn bad_rows_and_options_are_named() {
        let good = rows(&["2019"], 5, OpenBand::Ninety, 1);
        let edit = |f: &dyn Fn(&mut DeathsRow<'static>)| {
            let mut r = good.clone();
            f(&mut r[3]);
            LeGapInput::from_rows(&r, Deprivation::Quintile, OpenBand::Ninety)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            edit(&|r| r.group = 6),
            "row 5, column quintile: 6 is not a quintile from 1 to 5"
        );
        assert_eq!(
            edit(&|r| r.start_age = 3),
            "row 5, column start_age: 3 does not start an age band (0, 1, 5, 10, …, 90, the last open)"
        );
        assert_eq!(
            edit(&|r| r.deaths = -1.0),
            "row 5, column deaths: -1 must be zero or more"
        );
        assert_eq!(
            edit(&|r| r.period = "Q1"),
            "row 5, column period: \"Q1\" is not a year (2019) or a range of years (2017-19, 2017-2019, 2017 to 2019, 2019/20) from 1800 to 2200, spanning at most 20 years"
        );
        assert_eq!(
            edit(&|r| r.cause = Some("cancer")),
            "row 5: a cause, but the first row has none (give every row a cause, or none)"
        );
        let e =
            LeGapInput::from_rows(&good, Deprivation::Quintile, OpenBand::EightyFive).unwrap_err();
        assert_eq!(
            e.to_string(),
            "row 21, column start_age: 90 does not start an age band (0, 1, 5, 10, …, 85, the last open); for bands up to 90+ use an open band at 90"
        );
        // Populations that differ between causes.
        let mut causes: Vec<DeathsRow<'static>> = good
            .iter()
            .flat_map(|r| {
                [
                    DeathsRow {
                        cause: Some("a"),
                        ..*r
                    },
                    DeathsRow {
                        cause: Some("b"),
                        ..*r
                    },
                ]
            })
            .collect();
        causes[7].population += 1.0;
        assert_eq!(
            LeGapInput::from_rows(&causes, Deprivation::Quintile, OpenBand::Ninety)
                .unwrap_err()
                .to_string(),
            "period 2019, quintile 1, age 10: the causes' rows give different populations (\"a\": 30000, \"b\": 30001); every cause's rows must carry the same population"
        );
        // Limits on periods and causes.
        let labels: Vec<String> = (0..=MAX_PERIODS).map(|k| (1900 + k).to_string()).collect();
        let many: Vec<DeathsRow<'_>> = labels
            .iter()
            .map(|p| DeathsRow {
                period: p,
                ..good[0]
            })
            .collect();
        assert!(matches!(
            LeGapInput::from_rows(&many, Deprivation::Quintile, OpenBand::Ninety),
            Err(LeGapError::TooManyPeriods { .. })
        ));
        let names: Vec<String> = (0..=MAX_CAUSES).map(|k| format!("cause {k}")).collect();
        let many: Vec<DeathsRow<'_>> = names
            .iter()
            .map(|c| DeathsRow {
                cause: Some(c),
                ..good[0]
            })
            .collect();
        assert!(matches!(
            LeGapInput::from_rows(&many, Deprivation::Quintile, OpenBand::Ninety),
            Err(LeGapError::TooManyCauses { .. })
        ));
        // Options.
        let input = LeGapInput::from_rows(&good, Deprivation::Quintile, OpenBand::Ninety).unwrap();
        let bad = |o: LeGapOptions| le_gap(&input, &o).unwrap_err().to_string();
        assert_eq!(
            bad(LeGapOptions {
                baseline: Some("2018".into()),
                ..options()
            }),
            "the baseline \"2018\" is not one of the periods (2019)"
        );
        assert_eq!(
            bad(LeGapOptions {
                target: Target {
                    year: 2019.0,
                    ..Target::default()
                },
                ..options()
            }),
            "the target year 2019 is not after the baseline period \"2019\" (mid-year 2019)"
        );
        assert_eq!(
            bad(LeGapOptions {
                target: Target {
                    reduction: 100.0,
                    ..Target::default()
                },
                ..options()
            }),
            "the target reduction must be a percentage above 0 and below 100, got 100"
        );
        assert_eq!(
            bad(LeGapOptions {
                repetitions: 10,
                ..options()
            }),
            "the repetitions must be from 1000 to 10000000, got 10"
        );
        assert_eq!(
            LeGapInput::from_rows(&[], Deprivation::Quintile, OpenBand::Ninety).unwrap_err(),
            LeGapError::NoRows
        );
        let _ = START_AGES;
    }

    /// Every number finite, and every blank with its reason.
    fn check_estimate(e: &Estimate) -> Result<(), String> {
        if [e.value, e.se, e.lower, e.upper]
            .iter()
            .flatten()
            .any(|x| !x.is_finite())
        {
            return Err(format!("not finite: {e:?}"));
        }
        if [e.value, e.lower, e.upper].iter().any(Option::is_none) && e.reason.is_none() {
            return Err(format!("a blank without a reason: {e:?}"));
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 96, ..Default::default() })]

        /// Hostile rows (huge, tiny and zero counts, missing bands and groups, causes, several
        /// periods) never panic; every number that comes out is finite, every blank has a
        /// reason, and the decompositions that come out add up to their gaps.
        #[test]
        fn hostile_rows_give_numbers_or_reasons(
            cells in proptest::collection::vec(
                (
                    0usize..3,
                    1u32..=5,
                    0usize..20,
                    0usize..3,
                    proptest::prop_oneof![0.0f64..500.0, proptest::strategy::Just(0.0), proptest::strategy::Just(1e300), proptest::strategy::Just(5e-324)],
                    proptest::prop_oneof![1.0f64..50_000.0, proptest::strategy::Just(0.0), proptest::strategy::Just(1e308), proptest::strategy::Just(1e-300)],
                ),
                1..300,
            ),
            full in proptest::prelude::any::<bool>(),
            causes in proptest::prelude::any::<bool>(),
        ) {
            const PERIODS: [&str; 3] = ["2016", "2017-19", "2022/23"];
            const CAUSES: [&str; 3] = ["a", "b", "c"];
            // Optionally a full, plausible table first, so that some numbers come out.
            let mut rows = if full { rows(&PERIODS, 5, OpenBand::Ninety, 1) } else { Vec::new() };
            for (p, g, b, c, deaths, population) in cells {
                rows.push(DeathsRow {
                    row: rows.len() + 2,
                    period: PERIODS[p],
                    group: g,
                    start_age: START_AGES[b],
                    cause: None,
                    deaths: deaths.min(population),
                    population,
                });
                let _ = c;
            }
            if causes {
                let mut k = 0;
                rows = rows
                    .iter()
                    .flat_map(|r| {
                        k += 1;
                        CAUSES.iter().map(move |c| DeathsRow {
                            cause: Some(*c),
                            deaths: if k % 3 == 0 { r.deaths } else { (r.deaths / 3.0).floor() },
                            ..*r
                        })
                    })
                    .collect();
            }
            let Ok(input) = LeGapInput::from_rows(&rows, Deprivation::Quintile, OpenBand::Ninety) else {
                return Ok(());
            };
            let r = le_gap(&input, &options()).unwrap();
            for p in &r.periods {
                for g in &p.groups {
                    check_estimate(&g.le).map_err(proptest::test_runner::TestCaseError::fail)?;
                }
                for e in [&p.gap, &p.sii] {
                    check_estimate(e).map_err(proptest::test_runner::TestCaseError::fail)?;
                }
                for c in [&p.gap_change, &p.sii_change].into_iter().flatten() {
                    check_estimate(&c.difference).map_err(proptest::test_runner::TestCaseError::fail)?;
                }
                match (&p.decomposition, p.gap.value) {
                    (Some(d), Some(gap)) => {
                        let total: f64 = d.by_age.iter().map(|a| a.years).sum();
                        proptest::prop_assert!((total - gap).abs() <= 1e-9 * gap.abs().max(1.0), "{total} vs {gap}");
                    }
                    (Some(_), None) => proptest::prop_assert!(false, "a decomposition without a gap"),
                    (None, _) => proptest::prop_assert!(p.decomposition_reason.is_some()),
                }
            }
            for t in [&r.gap_trajectory, &r.sii_trajectory] {
                check_estimate(&t.observed_annual_change).map_err(proptest::test_runner::TestCaseError::fail)?;
                check_estimate(&t.projected).map_err(proptest::test_runner::TestCaseError::fail)?;
                if t.status == Status::CannotTellYet {
                    proptest::prop_assert!(t.reason.is_some());
                }
            }
        }
    }

    /// Over three periods where the most deprived improve: the gap narrows, and against a 5%
    /// target by 2028 the trend is on track; a missing band gives reasons, never a number.
    #[test]
    fn three_periods_narrowing_are_on_track() {
        let rows = rows(&["2014-16", "2017-19", "2020-22"], 10, OpenBand::Ninety, 1);
        let input = LeGapInput::from_rows(&rows, Deprivation::Decile, OpenBand::Ninety).unwrap();
        let r = le_gap(&input, &options()).unwrap();
        assert_eq!(r.baseline, "2014-16");
        let gaps: Vec<f64> = r.periods.iter().map(|p| p.gap.value.unwrap()).collect();
        assert!(gaps[0] > gaps[1] && gaps[1] > gaps[2], "{gaps:?}");
        assert_eq!(r.periods[0].gap_change, None);
        assert_eq!(
            r.periods[2].gap_change.as_ref().unwrap().verdict,
            Verdict::Narrowed
        );
        assert_eq!(
            r.gap_trajectory.status,
            Status::OnTrack,
            "{:?}",
            r.gap_trajectory
        );
        // Without decile 1's 45-49 band in 2017-19: that period has no gap, SII or
        // decomposition, each with its reason; the others are untouched.
        let holed: Vec<DeathsRow<'static>> = rows
            .iter()
            .filter(|x| !(x.period == "2017-19" && x.group == 1 && x.start_age == 45))
            .copied()
            .collect();
        let input = LeGapInput::from_rows(&holed, Deprivation::Decile, OpenBand::Ninety).unwrap();
        let h = le_gap(&input, &options()).unwrap();
        let p = &h.periods[1];
        assert!(
            p.gap.value.is_none()
                && p.gap
                    .reason
                    .as_ref()
                    .unwrap()
                    .starts_with("decile 1 has no life expectancy (expected the 20 age bands")
        );
        assert!(p.sii.value.is_none() && p.sii.reason.is_some());
        assert!(p.decomposition.is_none() && p.decomposition_reason.is_some());
        assert_eq!(h.periods[0], r.periods[0]);
        assert_eq!(h.periods[2].gap, r.periods[2].gap);
    }
}
