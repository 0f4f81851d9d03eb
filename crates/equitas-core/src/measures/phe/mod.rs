//! OHID's Fingertips methods, as `PHEindicatormethods` 2.1.0 computes them
//! (`../shared/reference/inequality-measures.md` §2 and §7.5).
//!
//! - [`sii`]: the slope and relative index of inequality with Monte Carlo (and, for untransformed
//!   values, analytic) confidence intervals (`phe_sii`, §2.1);
//! - [`rates`]: proportions with Wilson limits and crude rates with Byar's or exact Poisson limits
//!   (`phe_proportion`, `phe_rate`, §2.3–2.4);
//! - [`dsr`]: directly standardised rates with Dobson limits and the ESP2013 standard population
//!   as seed data (`calculate_dsr`, §2.5);
//! - [`isr`]: indirectly standardised ratios and rates (§2.6);
//! - [`mean`]: means with Student t limits (§2.7);
//! - [`funnel`]: funnel-plot control limits and significance (§2.8);
//! - [`quantile`]: deprivation quantiles of small areas within a parent area (§2.9);
//! - life expectancy (Chiang II) is in [`crate::measures::lifetable`].
//!
//! Results carry a value and limits per confidence level, or a [`Reason`] they were not
//! computed; they never hold NaN. Inputs that the reference rejects are a [`PheError`] naming the
//! value. Where this module deliberately differs from the reference, the function says so and
//! the reference's behaviour is an option.

pub mod dsr;
pub mod funnel;
pub mod isr;
pub mod mean;
pub mod quantile;
pub mod rates;
pub mod sii;

use serde::{Serialize, Serializer};

use super::intervals::IntervalError;

/// A limit pair at one confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The confidence level as a proportion, e.g. 0.95.
    pub confidence: f64,
    /// Lower limit; `None` where the method gives none (e.g. a negative Byar's limit).
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
}

/// A statistic with its limits, or the reason it was not computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The value; `None` when suppressed (see `reason`).
    pub value: Option<f64>,
    /// Limits, one per confidence level asked for, in the order asked.
    pub intervals: Vec<Interval>,
    /// Why the value (or everything) was suppressed; `None` when computed.
    pub reason: Option<Reason>,
}

impl Estimate {
    /// A suppressed estimate: no value, limits `None` at each level, and the reason.
    #[must_use]
    pub fn suppressed(levels: &[f64], reason: Reason) -> Self {
        Self {
            value: None,
            intervals: levels
                .iter()
                .map(|&confidence| Interval {
                    confidence,
                    lower: None,
                    upper: None,
                })
                .collect(),
            reason: Some(reason),
        }
    }
}

/// Why a statistic was suppressed rather than computed (the reference returns NA with a warning).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// DSR with fewer than 10 events in total (§2.5); funnel DSRs likewise (§2.8).
    #[error("total count {total} is below 10, so the rate is not computed")]
    TooFewEvents {
        /// Σx.
        total: f64,
    },
    /// Life table: total population of 5,000 or less (§2.2; the check is ≤ 5000).
    #[error("total population {total} is 5,000 or less")]
    SmallPopulation {
        /// Σ population.
        total: f64,
    },
    /// Life table: a band with a population of zero or less.
    #[error("age band {start_age} has a population of zero or less ({population})")]
    NonPositivePopulation {
        /// The band's start age.
        start_age: u32,
        /// Its population.
        population: f64,
    },
    /// Life table: a band with negative deaths.
    #[error("age band {start_age} has negative deaths ({deaths})")]
    NegativeDeaths {
        /// The band's start age.
        start_age: u32,
        /// Its deaths.
        deaths: f64,
    },
    /// Life table: a band with more deaths than population.
    #[error("age band {start_age} has more deaths ({deaths}) than population ({population})")]
    DeathsAbovePopulation {
        /// The band's start age.
        start_age: u32,
        /// Its deaths.
        deaths: f64,
        /// Its population.
        population: f64,
    },
    /// Life table: not the 20 standard bands.
    #[error("expected the 20 age bands 0, 1, 5, 10, …, 90, got {count} bands starting {found:?}")]
    WrongBands {
        /// How many bands were given.
        count: usize,
        /// Their start ages.
        found: Vec<u32>,
    },
    /// Life table: no deaths in the 90+ band, so life expectancy would be infinite.
    #[error("the 90+ band has no deaths, so life expectancy is infinite")]
    NoDeathsInOldestBand,
    /// Life table: this start age's 95% interval is wider than 20 years (1.959964·SE > 10),
    /// whatever the confidence asked for; the limits are kept (§2.2).
    #[error("the 95% confidence interval is wider than 20 years (standard error {se})")]
    WideInterval {
        /// The standard error of the life expectancy.
        se: f64,
    },
    /// SII: the group lacks quantiles other groups have, so it is not computed (the reference
    /// drops such groups with a warning; equitas reports them).
    #[error("quantiles {missing:?} are missing (expected 1 to {expected})")]
    MissingQuantiles {
        /// The quantiles not present.
        missing: Vec<u32>,
        /// The number of quantiles expected.
        expected: u32,
    },
    /// Quantile assignment: fewer small areas with values than quantiles (§2.9).
    #[error("{areas} small areas with values are too few to assign {quantiles} quantiles")]
    TooFewAreas {
        /// Small areas with a value.
        areas: usize,
        /// Quantiles asked for.
        quantiles: u32,
    },
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Inputs the Fingertips methods reject (the reference stops with an error).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PheError {
    /// A confidence level or count the interval functions reject.
    #[error(transparent)]
    Interval(#[from] IntervalError),
    /// A value that must be finite is not.
    #[error("{what} must be a finite number, got {value}")]
    NotFinite {
        /// Which input.
        what: String,
        /// The value.
        value: f64,
    },
    /// A value below its allowed minimum.
    #[error("{what} must be {rule}, got {value}")]
    OutOfRange {
        /// Which input, with its place (e.g. "population of quantile 3").
        what: String,
        /// The rule, e.g. "greater than zero".
        rule: &'static str,
        /// The value.
        value: f64,
    },
    /// An SII input that is missing (no SE and no confidence limits, …).
    #[error("{0}")]
    Missing(String),
    /// A combination of options the method does not allow.
    #[error("{0}")]
    Options(String),
    /// A quantile given twice.
    #[error("quantile {0} appears more than once")]
    DuplicateQuantile(u32),
    /// The number of quantiles is outside 5..=100.
    #[error("an SII needs from 5 to 100 quantiles, got {0}")]
    QuantileCount(usize),
    /// Rows that must line up (e.g. reference and local age bands) do not.
    #[error("{0}")]
    Shape(String),
}

/// `Err(OutOfRange)` unless `ok`.
/// `value` must be a finite number above zero; `what` names it (e.g. "the population of band 3").
fn positive(value: f64, what: impl FnOnce() -> String) -> Result<(), PheError> {
    require(
        value.is_finite() && value > 0.0,
        what,
        "greater than zero",
        value,
    )
}

/// `value` must be a finite number, zero or more; `what` names it.
fn non_negative(value: f64, what: impl FnOnce() -> String) -> Result<(), PheError> {
    require(
        value.is_finite() && value >= 0.0,
        what,
        "zero or more",
        value,
    )
}

fn require(
    ok: bool,
    what: impl FnOnce() -> String,
    rule: &'static str,
    value: f64,
) -> Result<(), PheError> {
    if ok {
        Ok(())
    } else {
        Err(PheError::OutOfRange {
            what: what(),
            rule,
            value,
        })
    }
}

/// Drop a non-finite number to `None`.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
