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
use super::lifetable::percent;

/// The largest multiplier (in size) the Fingertips methods take: per 10¹² people. Fingertips
/// publishes per 100, 1,000, 100,000 or 1,000,000; the limit keeps a slip of the finger (1e300)
/// from overflowing every result.
pub const MAX_MULTIPLIER: f64 = 1e12;

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
    /// Life table: not the standard bands (20 up to 90+, or 19 up to 85+).
    #[error(
        "expected the {} age bands 0, 1, 5, 10, …, {open}, got {count} bands starting {found:?}",
        open / 5 + 2
    )]
    WrongBands {
        /// How many bands were given.
        count: usize,
        /// Their start ages.
        found: Vec<u32>,
        /// The start age of the open band asked for (90 or 85).
        open: u32,
    },
    /// Life table: no deaths in the open band (90+ or 85+), so life expectancy would be
    /// infinite.
    #[error("the {start_age}+ band has no deaths, so life expectancy is infinite")]
    NoDeathsInOldestBand {
        /// The open band's start age.
        start_age: u32,
    },
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
    /// Numbers that came out infinite or undefined in double precision (inputs or a multiplier so
    /// large, or so small, that the arithmetic overflows), so they are left out rather than
    /// printed as inf or NaN. A value whose standard error overflows is left out with it.
    #[error(
        "{} beyond the range of double-precision numbers (about ±1.8e308; the inputs are too large or too small for the arithmetic), so {} left blank",
        names(fields),
        if fields.len() == 1 { "it is" } else { "they are" }
    )]
    Overflow {
        /// The numbers left out, by the names the output gives them (e.g. `sii_lower`).
        fields: Vec<String>,
    },
    /// SII: the fitted value at the most deprived end is 0, so the RII (a ratio to it) has no
    /// value.
    #[error(
        "the fitted value at the most deprived end (the intercept) is 0, so the RII, a ratio to it, is not defined"
    )]
    ZeroIntercept,
    /// Life table: everyone alive at the start of an earlier band dies in it (q = 1), so nobody
    /// is alive at this age. The reference gives the value 0 and no limits (its standard error is
    /// 0/0); so does equitas, with this reason.
    #[error(
        "nobody is alive at this age: everyone alive at {start_age} dies in that band (q = 1), so there are no limits (the value 0 is the reference's)"
    )]
    NoSurvivors {
        /// The start age of the band where q = 1.
        start_age: u32,
    },
    /// SII change between periods: a transformed fit's change is not simulated.
    #[error("the change of a transformed SII is not simulated; use the untransformed fit")]
    TransformedChange,
    /// Quantile assignment: fewer small areas with values than quantiles (§2.9).
    #[error("{areas} small areas with values are too few to assign {quantiles} quantiles")]
    TooFewAreas {
        /// Small areas with a value.
        areas: usize,
        /// Quantiles asked for.
        quantiles: u32,
    },
}

/// "sii", "sii and rii", "sii, rii and intercept are": names in a message, with the verb.
fn names(fields: &[String]) -> String {
    match fields {
        [one] => format!("{one} is"),
        [init @ .., last] => format!("{} and {last} are", init.join(", ")),
        [] => "nothing is".to_owned(),
    }
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
    /// A problem with one quantile of an SII input (its population, value, standard error or
    /// limits, or a quantile outside the range): the message is the problem's own, and
    /// [`PheError::quantile`] says which quantile, so a reader can name the row.
    #[error("{source}")]
    Quantile {
        /// The quantile the problem is in.
        quantile: u32,
        /// The problem.
        source: Box<PheError>,
    },
    /// The number of quantiles is outside [`sii::MIN_QUANTILES`] to [`sii::MAX_QUANTILES`].
    #[error("an SII needs from 5 to 100 quantiles, got {0}")]
    QuantileCount(usize),
    /// Rows that must line up (e.g. reference and local age bands) do not.
    #[error("{0}")]
    Shape(String),
    /// Age-band labels that do not match the standard population's bands (DSR).
    #[error(transparent)]
    Band(#[from] dsr::BandError),
    /// The Monte Carlo buffers could not be allocated.
    #[error(
        "cannot set aside {bytes} bytes for {repetitions} repetitions: not enough memory (use fewer repetitions)"
    )]
    OutOfMemory {
        /// The bytes asked for.
        bytes: u64,
        /// The repetitions that needed them.
        repetitions: u32,
    },
}

impl PheError {
    /// The quantile an SII input error is about, if it is about one (a repeated quantile, or a
    /// problem in one quantile's row).
    #[must_use]
    pub fn quantile(&self) -> Option<u32> {
        match self {
            Self::DuplicateQuantile(q) | Self::Quantile { quantile: q, .. } => Some(*q),
            _ => None,
        }
    }
}

/// `multiplier` if a proportion, rate or DSR can take it: above zero and at most
/// [`MAX_MULTIPLIER`] (what [`rates::phe_proportion`], [`rates::phe_rate`] and
/// [`dsr::calculate_dsr`] check, for callers that check options before reading data).
///
/// # Errors
/// [`PheError::OutOfRange`] otherwise (NaN included), with the value and the range.
pub fn check_positive_multiplier(multiplier: f64) -> Result<f64, PheError> {
    positive_multiplier(multiplier).map(|()| multiplier)
}

/// The multiplier of a proportion, rate or DSR: above zero and at most [`MAX_MULTIPLIER`].
fn positive_multiplier(multiplier: f64) -> Result<(), PheError> {
    require(
        multiplier.is_finite() && multiplier > 0.0 && multiplier <= MAX_MULTIPLIER,
        || "the multiplier".into(),
        "above 0 and at most 1e12",
        multiplier,
    )
}

/// An estimate with every number finite: a value or limit that came out infinite or NaN is left
/// out and named in a [`Reason::Overflow`] (an estimate already suppressed is kept as it is).
fn finished(mut e: Estimate) -> Estimate {
    if e.reason.is_some() {
        return e;
    }
    let mut fields = Vec::new();
    if e.value.is_some_and(|v| !v.is_finite()) {
        e.value = None;
        fields.push("value".to_owned());
    }
    for i in &mut e.intervals {
        for (name, limit) in [("lower", &mut i.lower), ("upper", &mut i.upper)] {
            if limit.is_some_and(|v| !v.is_finite()) {
                *limit = None;
                fields.push(format!("{name} at {}%", percent(i.confidence)));
            }
        }
    }
    if !fields.is_empty() {
        e.reason = Some(Reason::Overflow { fields });
    }
    e
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
