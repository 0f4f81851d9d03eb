//! The slope index of inequality (SII) and relative index of inequality (RII) as Fingertips
//! computes them (`phe_sii`, `../shared/reference/inequality-measures.md` §2.1 and §7.2).
//!
//! **Point estimate** (Low & Low 2004). Quantiles are sorted numerically (1 = most deprived);
//! `a_i = pop_i/Σpop`, `b_i = Σ_{k<i} a_k + a_i/2`; the weighted least-squares line of y on b
//! with weights a gives the intercept α̂ (at b = 0, the most deprived end) and slope β̂.
//! Untransformed: SII = multiplier·β̂, RII = (α̂ + β̂)/α̂ (inverted when the multiplier is
//! negative), intercept = α̂. With `transform` (ln for rates, logit for proportions) the line is
//! fitted on that scale and back-transformed: SII = [inv(α̂+β̂) − inv(α̂)]·multiplier,
//! RII = inv(α̂+β̂)/inv(α̂), intercept = inv(α̂)·|multiplier|.
//!
//! **Standard errors.** A supplied `se` is used as it is, and for rates and proportions it is read
//! on the ln/logit scale (as the reference does). Otherwise se = (g(UCL) − g(LCL))/(2·1.959964),
//! with g the ln/logit transform for rates/proportions (identity for normal values): the limits
//! are always read as 95% limits, whatever confidence is asked for (reference behaviour, §5 item 9).
//!
//! **Monte Carlo limits.** Each replicate draws one normal value per quantile,
//! N(g(value_i), se_i²); for rates and proportions without `transform` each draw is
//! back-transformed; the replicate's α and β are the same linear combinations of the draws as the
//! point estimate. Where nothing is back-transformed (normal values, and any fit with
//! `transform`) α and β are linear in the draws, so they are drawn directly from their joint
//! normal distribution with two draws per replicate (one with `transform`) rather than one per
//! quantile (ten for deciles): the same distribution (ARCHITECTURE.md, "The Fingertips SII's
//! Monte Carlo"). Sets of 8,192 or more replicates are reduced as they are drawn, without
//! storing them, to the same order statistics. The limits at confidence c are the order
//! statistics at round(R·(1−c')) and round(R·c') (1-based, ties to even, c' = c + (1−c)/2) of
//! the simulated SII and RII. With `transform` the simulated slopes s are turned into lines centred on the
//! fitted midpoint m = α̂ + β̂/2 and back-transformed: SII limit = [inv(m+s/2) − inv(m−s/2)]·mult,
//! RII limit = inv(m+s/2)/inv(m−s/2). A negative multiplier swaps the limits (and inverts RII).
//!
//! **Deliberate differences from the reference**, each an option or documented:
//! - quantiles are sorted as numbers (the reference sorts labels as text, so "10" comes before
//!   "2" and the SII is wrong for deciles): not optional, the text order is a bug;
//! - groups missing quantiles come back with [`Reason::MissingQuantiles`] instead of vanishing;
//! - the reference swaps transformed limits when `multiplier < 1` for rates but `< 0` for
//!   proportions, and inverts the RII limits (1/x) whenever it swaps, while it inverts the RII
//!   itself only below 0; [`SwapRule::Consistent`] (default) swaps and inverts when the
//!   multiplier is negative for both, [`SwapRule::Reference`] reproduces the package exactly,
//!   `< 1` test and inverted RII limits included;
//! - numbers that overflow double precision (values near 1.8e308, a huge multiplier) are left out
//!   with [`Reason::Overflow`] naming them, never returned as inf or NaN (the reference returns
//!   Inf/NaN); an RII whose intercept is exactly 0 is left out with [`Reason::ZeroIntercept`];
//! - repetitions are at most [`MAX_REPETITIONS`] and threads at most [`MAX_THREADS`], within
//!   [`SIMULATION_MEMORY_BUDGET`];
//! - an order-statistic position that rounds to 0 (e.g. 1,000 repetitions at 99.9%) is read as
//!   the smallest draw (R would give no value);
//! - the random numbers are xoshiro256++ with a ziggurat normal generator, seeded by the caller, not
//!   R's Mersenne Twister, so simulated limits match the reference within Monte Carlo error, not
//!   digit for digit; the same seed gives bit-identical answers on every platform;
//! - with the reliability statistic, the reported limits are those of the first of the ten sets
//!   (so they equal the limits without it for the same seed), and each `*_mad` is the mean of
//!   |limit_k − limit_1| over sets 2–10.
//!
//! For untransformed normal values the simulated SII is a linear function of Gaussian draws, so
//! [`sii_analytic`] gives the limits it converges to: SII ± z·|multiplier|·√(Σ c_i² se_i²), where
//! c is the slope row of the weighted least-squares solution.

use serde::{Deserialize, Serialize};

use super::{Interval, MAX_MULTIPLIER, PheError, Reason, finite, non_negative, positive, require};
use crate::measures::intervals::{confidence_levels, z_for};
use crate::measures::lifetable::percent;
use crate::measures::normal::{Words, Ziggurat};

/// 1.959964…: the reference reads confidence limits as 95% limits whatever the confidence.
const Z95: f64 = 1.959_963_984_540_054;

/// The fewest quantiles an SII is fitted to (the reference's minimum).
pub const MIN_QUANTILES: u32 = 5;

/// The most quantiles an SII is fitted to (the reference's maximum).
pub const MAX_QUANTILES: u32 = 100;

/// The fewest Monte Carlo repetitions (the reference's own minimum).
pub const MIN_REPETITIONS: u32 = 1000;

/// The most Monte Carlo repetitions: 100 times the reference's default of 100,000. Each one
/// holds 16 bytes per area being worked on (the simulated SII and RII), so this is 160 MB per
/// thread; [`phe_sii_many`] runs fewer threads when they would together need more than
/// [`SIMULATION_MEMORY_BUDGET`].
pub const MAX_REPETITIONS: u32 = 10_000_000;

/// The most threads [`phe_sii_many`] starts, whatever it is asked for.
pub const MAX_THREADS: usize = 256;

/// The memory [`phe_sii_many`] lets its threads' simulation buffers take together, in bytes
/// (512 MiB): it runs as many threads as fit, at least one (the answers are the same for any
/// number of threads).
pub const SIMULATION_MEMORY_BUDGET: u64 = 512 * 1024 * 1024;

/// What the values are, which decides the transform and the simulation scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ValueType {
    /// Any other indicator (the reference's value_type 0), e.g. life expectancy.
    #[default]
    Normal,
    /// A rate (value_type 1): simulated on the ln scale.
    Rate,
    /// A proportion between 0 and 1 (value_type 2): simulated on the logit scale.
    Proportion,
}

impl ValueType {
    fn forward(self, v: f64) -> f64 {
        match self {
            Self::Normal => v,
            Self::Rate => libm::log(v),
            Self::Proportion => libm::log(v / (1.0 - v)),
        }
    }

    fn inverse(self, v: f64) -> f64 {
        match self {
            Self::Normal => v,
            Self::Rate => libm::exp(v),
            Self::Proportion => 1.0 / (1.0 + libm::exp(-v)),
        }
    }
}

/// When transformed limits swap for a negative multiplier (§2.1, §5 item 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SwapRule {
    /// Swap (and invert RII) when the multiplier is negative, for rates and proportions alike.
    #[default]
    Consistent,
    /// The reference's test: swap (and invert the RII limits) when the multiplier is below 1 for
    /// rates, below 0 for proportions. So a rate with multiplier 0.5 gets SII limits with
    /// lower > upper and RII limits of 1/RII around an RII that is not inverted, as in the
    /// reference: odd, but what `phe_sii` returns.
    Reference,
}

/// One quantile of one area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SiiRow {
    /// The quantile, 1 = most deprived.
    pub quantile: u32,
    /// Its population (> 0).
    pub population: f64,
    /// The indicator value (for proportions, between 0 and 1).
    pub value: f64,
    /// Its standard error (on the ln/logit scale for rates and proportions), if known.
    pub se: Option<f64>,
    /// Its lower 95% confidence limit, used when `se` is absent.
    pub lower_cl: Option<f64>,
    /// Its upper 95% confidence limit, used when `se` is absent.
    pub upper_cl: Option<f64>,
}

/// How to compute the SII; [`SiiOptions::default`] is the reference's defaults with seed 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiiOptions {
    /// What the values are.
    pub value_type: ValueType,
    /// Fit on the ln (rates) or logit (proportions) scale and back-transform.
    pub transform: bool,
    /// Scales the SII (e.g. 100 for percentages), at most [`MAX_MULTIPLIER`] in size; negative
    /// inverts RII and the direction.
    pub multiplier: f64,
    /// Monte Carlo repetitions, [`MIN_REPETITIONS`] to [`MAX_REPETITIONS`] (default 100,000).
    pub repetitions: u32,
    /// Confidence levels, each 0.9–0.999999 or 90–99.9999, at most
    /// [`crate::measures::intervals::MAX_CONFIDENCE_LEVELS`] (default 0.95).
    pub confidence: Vec<f64>,
    /// Also run nine more sets of draws and report the mean absolute difference of each limit.
    pub reliability: bool,
    /// Seed of the random number generator.
    pub seed: u64,
    /// When transformed limits swap for a negative multiplier.
    pub swap_rule: SwapRule,
    /// How many quantiles a complete group has; `None` means the group's largest quantile.
    pub quantiles: Option<u32>,
}

impl Default for SiiOptions {
    fn default() -> Self {
        Self {
            value_type: ValueType::Normal,
            transform: false,
            multiplier: 1.0,
            repetitions: 100_000,
            confidence: vec![0.95],
            reliability: false,
            seed: 1,
            swap_rule: SwapRule::Consistent,
            quantiles: None,
        }
    }
}

/// SII and RII limits at one confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SiiInterval {
    /// The confidence level as a proportion.
    pub confidence: f64,
    /// Lower limit of the SII.
    pub sii_lower: Option<f64>,
    /// Upper limit of the SII.
    pub sii_upper: Option<f64>,
    /// Lower limit of the RII.
    pub rii_lower: Option<f64>,
    /// Upper limit of the RII.
    pub rii_upper: Option<f64>,
    /// Reliability: mean |difference| of `sii_lower` across the ten sets (when asked for).
    pub sii_lower_mad: Option<f64>,
    /// Reliability of `sii_upper`.
    pub sii_upper_mad: Option<f64>,
    /// Reliability of `rii_lower`.
    pub rii_lower_mad: Option<f64>,
    /// Reliability of `rii_upper`.
    pub rii_upper_mad: Option<f64>,
}

/// The SII of one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiiResult {
    /// Slope index of inequality.
    pub sii: Option<f64>,
    /// Relative index of inequality.
    pub rii: Option<f64>,
    /// The fitted value at the most deprived end (see the module docs for its scale).
    pub intercept: Option<f64>,
    /// Monte Carlo limits, one per confidence level.
    pub intervals: Vec<SiiInterval>,
    /// Why nothing was computed (e.g. missing quantiles); `None` when computed.
    pub reason: Option<Reason>,
}

/// The validated, sorted inputs of one area.
#[derive(Debug)]
struct Prepared {
    /// Mean of the draws per quantile (transformed scale for rates and proportions).
    mu: Vec<f64>,
    /// SD of the draws per quantile.
    sd: Vec<f64>,
    /// Values the point estimate is fitted to.
    y: Vec<f64>,
    /// Weights giving α (intercept) and β (slope) as Σ d·y and Σ c·y.
    d: Vec<f64>,
    c: Vec<f64>,
    levels: Vec<f64>,
}

fn check_options(o: &SiiOptions) -> Result<Vec<f64>, PheError> {
    if !o.multiplier.is_finite() {
        return Err(PheError::NotFinite {
            what: "multiplier".into(),
            value: o.multiplier,
        });
    }
    require(
        o.multiplier.abs() <= MAX_MULTIPLIER,
        || "the multiplier".into(),
        "from -1e12 to 1e12",
        o.multiplier,
    )?;
    if o.repetitions < MIN_REPETITIONS {
        return Err(PheError::Options(format!(
            "the number of repetitions must be 1000 or greater, got {}",
            o.repetitions
        )));
    }
    if o.repetitions > MAX_REPETITIONS {
        return Err(PheError::Options(format!(
            "the number of repetitions must be at most {MAX_REPETITIONS}, got {}",
            o.repetitions
        )));
    }
    if o.transform && o.value_type == ValueType::Normal {
        return Err(PheError::Options(
            "transform needs value type rate or proportion, not normal".into(),
        ));
    }
    Ok(confidence_levels(&o.confidence)?)
}

/// Validate and sort one area's rows; `Ok(Err(reason))` for a group missing quantiles.
fn prepare(rows: &[SiiRow], o: &SiiOptions) -> Result<Result<Prepared, Reason>, PheError> {
    let levels = check_options(o)?;
    let mut rows: Vec<SiiRow> = rows.to_vec();
    crate::sort::sort_by_key(&mut rows, |r| r.quantile);
    if let Some(w) = rows.windows(2).find(|w| w[0].quantile == w[1].quantile) {
        return Err(PheError::DuplicateQuantile(w[0].quantile));
    }
    let expected = o
        .quantiles
        .unwrap_or_else(|| rows.last().map_or(0, |r| r.quantile));
    if !(MIN_QUANTILES..=MAX_QUANTILES).contains(&expected) {
        return Err(PheError::QuantileCount(expected as usize));
    }
    let vt = o.value_type;
    let mut mu = Vec::with_capacity(rows.len());
    let mut sd = Vec::with_capacity(rows.len());
    let mut y = Vec::with_capacity(rows.len());
    for r in &rows {
        let se = row_se(r, o).map_err(|e| PheError::Quantile {
            quantile: r.quantile,
            source: Box::new(e),
        })?;
        mu.push(vt.forward(r.value));
        sd.push(se);
        y.push(if o.transform {
            vt.forward(r.value)
        } else {
            r.value
        });
    }
    let have: Vec<u32> = rows.iter().map(|r| r.quantile).collect();
    let missing: Vec<u32> = (1..=expected)
        .filter(|q| have.binary_search(q).is_err())
        .collect();
    if !missing.is_empty() || rows.len() != expected as usize {
        if let Some(r) = rows
            .iter()
            .find(|r| r.quantile == 0 || r.quantile > expected)
        {
            return Err(PheError::Quantile {
                quantile: r.quantile,
                source: Box::new(PheError::Options(format!(
                    "quantile {} is outside 1 to {expected}",
                    r.quantile
                ))),
            });
        }
        return Ok(Err(Reason::MissingQuantiles { missing, expected }));
    }
    // Ridits and the weighted least-squares weights.
    let total: f64 = rows.iter().map(|r| r.population).sum();
    let a: Vec<f64> = rows.iter().map(|r| r.population / total).collect();
    let mut cum = 0.0;
    let b: Vec<f64> = a
        .iter()
        .map(|&ai| {
            let bi = cum + ai / 2.0;
            cum += ai;
            bi
        })
        .collect();
    let bbar: f64 = a.iter().zip(&b).map(|(ai, bi)| ai * bi).sum();
    let sbb: f64 = a
        .iter()
        .zip(&b)
        .map(|(ai, bi)| ai * (bi - bbar).powi(2))
        .sum();
    let c: Vec<f64> = a
        .iter()
        .zip(&b)
        .map(|(ai, bi)| ai * (bi - bbar) / sbb)
        .collect();
    let d: Vec<f64> = a.iter().zip(&c).map(|(ai, ci)| ai - bbar * ci).collect();
    Ok(Ok(Prepared {
        mu,
        sd,
        y,
        d,
        c,
        levels,
    }))
}

/// One quantile's row checked: its population, value and standard error (given, or worked out
/// from its limits), which is returned.
fn row_se(r: &SiiRow, o: &SiiOptions) -> Result<f64, PheError> {
    let (q, vt) = (r.quantile, o.value_type);
    positive(r.population, || format!("the population of quantile {q}"))?;
    check_value(vt, r.value, || format!("the value of quantile {q}"))?;
    match (r.se, r.lower_cl, r.upper_cl) {
        (Some(_), _, _) if o.transform => Err(PheError::Options(format!(
            "quantile {q} has a standard error, but transform needs lower_cl and upper_cl instead"
        ))),
        (Some(se), _, _) => {
            non_negative(se, || format!("the standard error of quantile {q}"))?;
            Ok(se)
        }
        (None, Some(l), Some(u)) => {
            check_value(vt, l, || {
                format!("the lower confidence limit of quantile {q}")
            })?;
            check_value(vt, u, || {
                format!("the upper confidence limit of quantile {q}")
            })?;
            let se = (vt.forward(u) - vt.forward(l)) / (2.0 * Z95);
            require(
                se >= 0.0,
                || format!("the upper confidence limit minus the lower of quantile {q}"),
                "zero or more",
                u - l,
            )?;
            Ok(se)
        }
        _ => Err(PheError::Missing(format!(
            "quantile {q} needs a standard error or both confidence limits"
        ))),
    }
}

/// `multiplier` if an SII can take it: a finite number at most [`MAX_MULTIPLIER`] in size (what
/// [`phe_sii`] checks, for callers that check options before reading data).
///
/// # Errors
/// [`PheError::OutOfRange`] otherwise (NaN and infinities included), with the value and the
/// range.
pub fn check_multiplier(multiplier: f64) -> Result<f64, PheError> {
    require(
        multiplier.is_finite() && multiplier.abs() <= MAX_MULTIPLIER,
        || "the multiplier".into(),
        "from -1e12 to 1e12",
        multiplier,
    )
    .map(|()| multiplier)
}

fn check_value(vt: ValueType, v: f64, what: impl FnOnce() -> String) -> Result<(), PheError> {
    match vt {
        ValueType::Normal => require(v.is_finite(), what, "a finite number", v),
        ValueType::Rate => require(
            v.is_finite() && v > 0.0,
            what,
            "greater than zero for a rate",
            v,
        ),
        ValueType::Proportion => require(
            v > 0.0 && v < 1.0,
            what,
            "between 0 and 1 (exclusive) for a proportion",
            v,
        ),
    }
}

fn dot(w: &[f64], y: &[f64]) -> f64 {
    w.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// Point estimates (SII, RII, intercept) from the fitted α and β.
fn point(o: &SiiOptions, alpha: f64, beta: f64) -> (f64, f64, f64) {
    let m = o.multiplier;
    if o.transform {
        let inv = |v| o.value_type.inverse(v);
        let (lo, hi) = (inv(alpha), inv(alpha + beta));
        let rii = hi / lo;
        (
            (hi - lo) * m,
            if m < 0.0 { 1.0 / rii } else { rii },
            lo * m.abs(),
        )
    } else {
        let rii = (alpha + beta) / alpha;
        (beta * m, if m < 0.0 { 1.0 / rii } else { rii }, alpha)
    }
}

/// The SII, RII and intercept of one area, with Monte Carlo limits at each confidence level.
///
/// ```
/// use equitas_core::measures::phe::sii::{phe_sii, SiiOptions, SiiRow};
/// let rows: Vec<SiiRow> = (1..=5u32)
///     .map(|q| SiiRow {
///         quantile: q,
///         population: 1000.0,
///         value: 70.0 + 2.0 * f64::from(q),
///         se: Some(0.5),
///         lower_cl: None,
///         upper_cl: None,
///     })
///     .collect();
/// let r = phe_sii(&rows, &SiiOptions { repetitions: 1000, ..SiiOptions::default() })?;
/// assert!((r.sii.unwrap() - 10.0).abs() < 1e-9); // 2 years per quintile × 5 quintiles
/// let ci = &r.intervals[0];
/// assert!(ci.sii_lower.unwrap() < 10.0 && ci.sii_upper.unwrap() > 10.0);
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// The reference's input errors (§2.1), each naming the quantile and value: fewer than 1,000
/// repetitions (or more than [`MAX_REPETITIONS`]), a multiplier above [`MAX_MULTIPLIER`] in size,
/// a confidence outside 0.9–0.999999/90–99.9999, buffers that cannot be allocated, `transform` with normal values or with a
/// supplied SE, a population of zero or less, a negative SE, missing SE and limits, a proportion
/// (or its limits) outside (0, 1), a rate not above zero, a repeated quantile, or a number of
/// quantiles outside 5–100. A group missing quantiles is not an error: it comes back with
/// [`Reason::MissingQuantiles`]; numbers that overflow come back as `None` with
/// [`Reason::Overflow`] naming them.
pub fn phe_sii(rows: &[SiiRow], options: &SiiOptions) -> Result<SiiResult, PheError> {
    phe_sii_with(rows, options, &mut SiiWorkspace::default())
}

/// [`phe_sii`] for many areas, on up to `threads` threads natively (on this thread in wasm; see
/// [`thread_count`] for the limits). The answers, in the order of `areas`, are the same whatever
/// the thread count, because every area starts its generator afresh from `options.seed`; each
/// thread reuses one [`SiiWorkspace`].
///
/// When `options.quantiles` is `None`, a complete area has as many quantiles as the area with
/// the most (the reference's rule across groups), so an area missing one comes back with
/// [`Reason::MissingQuantiles`] rather than being fitted on fewer.
///
/// # Errors
/// Each area's result is [`phe_sii`]'s.
#[must_use]
pub fn phe_sii_many(
    areas: &[&[SiiRow]],
    options: &SiiOptions,
    threads: usize,
) -> Vec<Result<SiiResult, PheError>> {
    let mut options = options.clone();
    if options.quantiles.is_none() {
        let most = areas
            .iter()
            .map(|rows| {
                let mut q: Vec<u32> = rows.iter().map(|r| r.quantile).collect();
                q.sort_unstable();
                q.dedup();
                q.len()
            })
            .max()
            .unwrap_or(0);
        options.quantiles = Some(u32::try_from(most).unwrap_or(u32::MAX));
    }
    let options = &options;
    let one_by_one = |part: &[&[SiiRow]]| {
        let mut workspace = SiiWorkspace::default();
        part.iter()
            .map(|rows| phe_sii_with(rows, options, &mut workspace))
            .collect::<Vec<_>>()
    };
    #[cfg(not(target_family = "wasm"))]
    {
        let threads = thread_count(threads, areas.len(), options);
        if threads > 1 {
            let chunk = areas.len().div_ceil(threads);
            return std::thread::scope(|scope| {
                // A thread the system cannot start is not an abort: its part runs here instead
                // (the answers are the same on any number of threads).
                let handles: Vec<_> = areas
                    .chunks(chunk)
                    .map(|part| {
                        std::thread::Builder::new()
                            .spawn_scoped(scope, move || one_by_one(part))
                            .map_err(|_| part)
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| match h {
                        Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                        Err(part) => one_by_one(part),
                    })
                    .collect()
            });
        }
    }
    // The browser has one thread.
    #[cfg(target_family = "wasm")]
    let _ = threads;
    one_by_one(areas)
}

/// How many threads [`phe_sii_many`] runs for `areas` areas when asked for `asked`: at most
/// [`MAX_THREADS`], one per area, and as many as fit in [`SIMULATION_MEMORY_BUDGET`], but at
/// least one.
#[must_use]
pub fn thread_count(asked: usize, areas: usize, options: &SiiOptions) -> usize {
    let per_thread = simulation_bytes(options).max(1);
    let fit = usize::try_from(SIMULATION_MEMORY_BUDGET / per_thread).unwrap_or(usize::MAX);
    asked.min(MAX_THREADS).min(areas).min(fit).max(1)
}

/// Buffers for [`phe_sii_with`], reused from one area to the next (the simulation of 100,000
/// repetitions needs a few megabytes; reusing them saves allocating and zeroing per area).
#[derive(Debug, Default)]
pub struct SiiWorkspace {
    sim: Option<Simulation>,
}

/// [`phe_sii`] reusing `workspace`'s buffers; the answer is the same as [`phe_sii`]'s (each area
/// starts its generator afresh from `options.seed`).
///
/// # Errors
/// As [`phe_sii`].
pub fn phe_sii_with(
    rows: &[SiiRow],
    options: &SiiOptions,
    workspace: &mut SiiWorkspace,
) -> Result<SiiResult, PheError> {
    simulate(rows, options, workspace, Method::for_options(options), true)
}

/// How the replicates' α and β are drawn (see [`Joint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// Two normal draws per replicate (one with `transform`): α and β are linear in the draws,
    /// so their joint distribution is drawn directly.
    Joint,
    /// One normal draw per quantile per replicate, back-transformed: rates and proportions
    /// without `transform`, whose α and β are not linear in the draws.
    PerQuantile,
}

impl Method {
    /// The joint draw wherever α and β are linear in the quantiles' draws.
    fn for_options(o: &SiiOptions) -> Self {
        if o.transform || o.value_type == ValueType::Normal {
            Self::Joint
        } else {
            Self::PerQuantile
        }
    }
}

/// [`phe_sii_with`] by a given [`Method`], and with `stream` false always storing every
/// replicate and selecting (the tests compare the two methods, and streaming with storing, on
/// the same inputs).
fn simulate(
    rows: &[SiiRow],
    options: &SiiOptions,
    workspace: &mut SiiWorkspace,
    method: Method,
    stream: bool,
) -> Result<SiiResult, PheError> {
    let p = match prepare(rows, options)? {
        Ok(p) => p,
        Err(reason) => {
            return Ok(SiiResult {
                sii: None,
                rii: None,
                intercept: None,
                intervals: Vec::new(),
                reason: Some(reason),
            });
        }
    };
    let (alpha, beta) = (dot(&p.d, &p.y), dot(&p.c, &p.y));
    let (sii, rii, intercept) = point(options, alpha, beta);
    let reps = options.repetitions as usize;
    let sets = if options.reliability { 10 } else { 1 };
    let mut sim = workspace.sim.take().unwrap_or_else(Simulation::empty);
    sim.reset(&p, options);
    let sim = workspace.sim.insert(sim);
    let mut limits: Vec<Vec<[f64; 4]>> = Vec::with_capacity(sets);
    let joint = (method == Method::Joint).then(|| Joint::new(&p));
    for _ in 0..sets {
        let set = sim.set_limits(&p, joint.as_ref(), options, reps, stream)?;
        limits.push(
            set.into_iter()
                .map(|l| l.limits(options, alpha, beta))
                .collect(),
        );
    }
    // Every number is kept only if finite; the names of those left out go into the reason.
    let mut blank: Vec<String> = Vec::new();
    let mut keep = |name: &str, level: Option<f64>, x: f64| -> Option<f64> {
        if x.is_finite() {
            Some(x)
        } else {
            blank.push(match level {
                Some(c) => format!("{name} at {}%", percent(c)),
                None => name.to_owned(),
            });
            None
        }
    };
    let point = (
        keep("sii", None, sii),
        keep("rii", None, rii),
        keep("intercept", None, intercept),
    );
    let intervals = p
        .levels
        .iter()
        .enumerate()
        .map(|(k, &confidence)| {
            let first = limits
                .first()
                .and_then(|s| s.get(k))
                .copied()
                .unwrap_or([f64::NAN; 4]);
            let mad = |j: usize| -> Option<f64> {
                if sets < 2 {
                    return None;
                }
                let total: f64 = limits
                    .iter()
                    .skip(1)
                    .filter_map(|s| s.get(k))
                    .map(|l| (l[j] - first[j]).abs())
                    .sum();
                #[allow(clippy::cast_precision_loss, reason = "nine sets")]
                Some(total / (sets - 1) as f64)
            };
            let at = Some(confidence);
            SiiInterval {
                confidence,
                sii_lower: keep("sii_lower", at, first[0]),
                sii_upper: keep("sii_upper", at, first[1]),
                rii_lower: keep("rii_lower", at, first[2]),
                rii_upper: keep("rii_upper", at, first[3]),
                sii_lower_mad: mad(0).and_then(|x| keep("sii_lower_mad", at, x)),
                sii_upper_mad: mad(1).and_then(|x| keep("sii_upper_mad", at, x)),
                rii_lower_mad: mad(2).and_then(|x| keep("rii_lower_mad", at, x)),
                rii_upper_mad: mad(3).and_then(|x| keep("rii_upper_mad", at, x)),
            }
        })
        .collect();
    let reason = if blank.is_empty() {
        None
    } else if blank == ["rii"] && !options.transform && alpha == 0.0 {
        Some(Reason::ZeroIntercept)
    } else {
        Some(Reason::Overflow { fields: blank })
    };
    Ok(SiiResult {
        sii: point.0,
        rii: point.1,
        intercept: point.2,
        intervals,
        reason,
    })
}

/// The change of the SII and RII between two periods (`now` minus `base`), each with
/// limits at `options.confidence`'s first level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SiiChange {
    /// SII now minus SII at the base period.
    pub sii: f64,
    /// Its Monte Carlo limits.
    pub sii_lower: f64,
    /// Its Monte Carlo limits.
    pub sii_upper: f64,
    /// The base period's SII.
    pub sii_base: f64,
    /// RII now minus RII at the base period.
    pub rii: f64,
    /// Its Monte Carlo limits.
    pub rii_lower: f64,
    /// Its Monte Carlo limits.
    pub rii_upper: f64,
    /// The base period's RII.
    pub rii_base: f64,
}

/// The change of the SII and RII from period `base` to period `now` (independent samples:
/// different years), by simulation, with [`phe_sii`]'s own draws: each period's replicates are
/// drawn exactly as `phe_sii` draws them (the joint draw for normal values, one draw per quantile
/// for rates and proportions), `base` from `options.seed` and `now` from the generator where
/// `base` left it, so the two are independent; the change's limits are the order statistics of
/// the replicate-by-replicate differences, at the same ranks as `phe_sii`'s limits. The RII has no
/// closed form for its change, the reason this simulates; the SII's limits agree with the closed
/// form SII ± z·√(SE₁² + SE₀²) within Monte Carlo error (tested). Untransformed fits only:
/// `transform` gives `Err(reason)`.
///
/// # Errors
/// As [`phe_sii`] for either period's rows and the options; a period missing quantiles (or a
/// `transform`ed fit) gives `Ok(Err(reason))`.
pub fn sii_change(
    now: &[SiiRow],
    base: &[SiiRow],
    options: &SiiOptions,
) -> Result<Result<SiiChange, Reason>, PheError> {
    let (pn, pb) = match (prepare(now, options)?, prepare(base, options)?) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) | (_, Err(r)) => return Ok(Err(r)),
    };
    if options.transform {
        return Ok(Err(Reason::TransformedChange));
    }
    let reps = options.repetitions as usize;
    let mut sim = Simulation::empty();
    sim.reset(&pb, options);
    let mut draw = |p: &Prepared| -> Result<(Vec<f64>, Vec<f64>), PheError> {
        sim.draws.resize(BLOCK * p.mu.len(), 0.0);
        sim.store(options, reps)?;
        match Method::for_options(options) {
            Method::Joint => sim.run_joint(&Joint::new(p), options),
            Method::PerQuantile => sim.run_per_quantile(p, options),
        }
        Ok((std::mem::take(&mut sim.slope), std::mem::take(&mut sim.rii)))
    };
    let (sb, rb) = draw(&pb)?;
    let (mut ds, mut dr) = draw(&pn)?;
    for (d, b) in ds.iter_mut().zip(&sb) {
        *d -= b;
    }
    for (d, b) in dr.iter_mut().zip(&rb) {
        *d -= b;
    }
    let confidence = pn.levels.first().copied().unwrap_or(0.95);
    let (l, u) = order_positions(reps, confidence);
    let mut window = Vec::new();
    let s = order_statistics(&mut ds, &[l, u], &mut window);
    let r = order_statistics(&mut dr, &[l, u], &mut window);
    let fit = |p: &Prepared| point(options, dot(&p.d, &p.y), dot(&p.c, &p.y));
    let (now_sii, now_rii, _) = fit(&pn);
    let (base_sii, base_rii, _) = fit(&pb);
    let at = |v: &[f64], k: usize| v.get(k).copied().unwrap_or(f64::NAN);
    Ok(Ok(SiiChange {
        sii: now_sii - base_sii,
        sii_lower: at(&s, 0),
        sii_upper: at(&s, 1),
        sii_base: base_sii,
        rii: now_rii - base_rii,
        rii_lower: at(&r, 0),
        rii_upper: at(&r, 1),
        rii_base: base_rii,
    }))
}

/// The analytic limits the Monte Carlo SII limits converge to, for untransformed normal values
/// (§2.1, §7.2): SII ± z·|multiplier|·√(Σ c_i² se_i²). RII has no analytic limits here.
///
/// # Errors
/// As [`sii_analytic_fit`].
pub fn sii_analytic(
    rows: &[SiiRow],
    options: &SiiOptions,
) -> Result<Result<Vec<Interval>, Reason>, PheError> {
    Ok(sii_analytic_fit(rows, options)?.map(|fit| fit.limits))
}

/// The SII and RII of untransformed normal values with the SII's analytic limits: what
/// [`sii_analytic`] gives, with the point estimates of the same fit (as [`phe_sii`] gives them).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyticSii {
    /// The SII (the slope times the multiplier).
    pub sii: f64,
    /// The RII, (α̂ + β̂) / α̂ (inverted for a negative multiplier); `None` when it is not finite
    /// (an intercept of 0).
    pub rii: Option<f64>,
    /// The SII's limits at each confidence level.
    pub limits: Vec<Interval>,
}

/// [`sii_analytic`] with the SII and RII of the fit.
///
/// # Errors
/// As [`phe_sii`], and value types other than normal or a transform. A group missing quantiles
/// gives `Ok(Err(reason))`, and so do limits that overflow ([`Reason::Overflow`], naming them).
pub fn sii_analytic_fit(
    rows: &[SiiRow],
    options: &SiiOptions,
) -> Result<Result<AnalyticSii, Reason>, PheError> {
    if options.value_type != ValueType::Normal || options.transform {
        return Err(PheError::Options(
            "analytic SII limits are only for untransformed normal values".into(),
        ));
    }
    let p = match prepare(rows, options)? {
        Ok(p) => p,
        Err(reason) => return Ok(Err(reason)),
    };
    let (sii, rii, _) = point(options, dot(&p.d, &p.y), dot(&p.c, &p.y));
    let se =
        p.c.iter()
            .zip(&p.sd)
            .map(|(c, s)| (c * s).powi(2))
            .sum::<f64>()
            .sqrt()
            * options.multiplier.abs();
    let mut blank = Vec::new();
    let limits = p
        .levels
        .iter()
        .map(|&confidence| {
            let z = z_for(confidence);
            let (lower, upper) = (sii - z * se, sii + z * se);
            for (name, x) in [("sii_lower_analytic", lower), ("sii_upper_analytic", upper)] {
                if !x.is_finite() {
                    blank.push(format!("{name} at {}%", percent(confidence)));
                }
            }
            Interval {
                confidence,
                lower: finite(lower),
                upper: finite(upper),
            }
        })
        .collect();
    if blank.is_empty() {
        Ok(Ok(AnalyticSii {
            sii,
            rii: finite(rii),
            limits,
        }))
    } else {
        Ok(Err(Reason::Overflow { fields: blank }))
    }
}

/// A replicate's intercept α and slope β where they are linear in the quantiles' draws
/// (untransformed normal values, and any fit with `transform`): α = Σ dᵢ(μᵢ + sᵢzᵢ) and
/// β = Σ cᵢ(μᵢ + sᵢzᵢ) with independent standard normal zᵢ, so (α, β) is bivariate normal with
/// means α̂ = Σ dᵢμᵢ and β̂ = Σ cᵢμᵢ and covariance given by u = (dᵢsᵢ) and w = (cᵢsᵢ):
/// Var β = ‖w‖², Var α = ‖u‖², Cov = u·w. Drawing β = β̂ + ‖w‖z₁ and
/// α = α̂ + (u·ŵ)z₁ + ‖u − (u·ŵ)ŵ‖z₂, with ŵ = w/‖w‖ and z₁, z₂ independent standard normals,
/// gives exactly that distribution (the Cholesky factor of the 2 × 2 covariance), with two
/// draws per replicate instead of one per quantile. The norms are computed scaled, so they
/// overflow only where the quantities themselves would.
#[derive(Debug, Clone, Copy)]
struct Joint {
    /// α̂.
    alpha: f64,
    /// β̂.
    beta: f64,
    /// ‖w‖, the standard deviation of β.
    beta_sd: f64,
    /// u·ŵ, α's loading on z₁.
    alpha_on_z1: f64,
    /// ‖u − (u·ŵ)ŵ‖, α's loading on z₂.
    alpha_sd_rest: f64,
}

impl Joint {
    fn new(p: &Prepared) -> Self {
        let u: Vec<f64> = p.d.iter().zip(&p.sd).map(|(d, s)| d * s).collect();
        let w: Vec<f64> = p.c.iter().zip(&p.sd).map(|(c, s)| c * s).collect();
        let beta_sd = norm(&w);
        let (alpha_on_z1, alpha_sd_rest) = if beta_sd == 0.0 {
            // β does not vary: α is its own normal.
            (0.0, norm(&u))
        } else {
            let unit: Vec<f64> = w.iter().map(|x| x / beta_sd).collect();
            let along = dot(&u, &unit);
            let rest: Vec<f64> = u.iter().zip(&unit).map(|(x, e)| x - along * e).collect();
            (along, norm(&rest))
        };
        Self {
            alpha: dot(&p.d, &p.mu),
            beta: dot(&p.c, &p.mu),
            beta_sd,
            alpha_on_z1,
            alpha_sd_rest,
        }
    }
}

/// The Euclidean norm of `v`, scaled by its largest element so that the squares cannot
/// overflow or underflow; NaN if any element is NaN.
fn norm(v: &[f64]) -> f64 {
    let mut big = 0.0_f64;
    for x in v {
        if x.is_nan() {
            return f64::NAN;
        }
        big = big.max(x.abs());
    }
    if big == 0.0 || big.is_infinite() {
        return big;
    }
    big * v.iter().map(|x| (x / big) * (x / big)).sum::<f64>().sqrt()
}

/// Replicates drawn per block: the draws of a block are generated in replicate order, then the
/// block's α and β are accumulated quantile by quantile (same order of additions per replicate as
/// a scalar loop, but independent across replicates, so the CPU can overlap them).
const BLOCK: usize = 64;

/// Buffers and generator for the replicates of one area (allocated once per call, or reused
/// through a [`SiiWorkspace`]).
#[derive(Debug)]
struct Simulation {
    rng: Words,
    zig: Ziggurat,
    /// Simulated slope (or SII) per replicate, when stored.
    slope: Vec<f64>,
    /// Simulated RII per replicate (untransformed fits only), when stored.
    rii: Vec<f64>,
    /// One block of draws, replicate-major.
    draws: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    /// The values near one order statistic (see [`order_statistics`]).
    window: Vec<f64>,
    /// The first replicates of a streamed set, from which its pivots are read.
    pilot: [Vec<f64>; 2],
    /// The slope's and the RII's windows of a streamed set.
    windows: [Tails; 2],
}

/// The most memory one area's simulation can take, in bytes: the simulated SII (or slope) and
/// RII per repetition and the window `order_statistics` selects in (at most a quarter of the
/// repetitions' values, allowing for the vector's growth). A streamed set takes less: a window
/// of a quarter of the repetitions for the SII and one for the RII, a quarter of what storing
/// them takes.
#[must_use]
pub fn simulation_bytes(o: &SiiOptions) -> u64 {
    let per_rep: u64 = if o.transform { 8 } else { 16 };
    u64::from(o.repetitions) * (per_rep + 2)
}

/// Replicates drawn per block of a streamed set: generated into a small buffer that stays in
/// the first-level cache, then scanned by each [`Tails`].
const STREAM_BLOCK: usize = 256;

/// The order statistics of one simulated quantity (the slope, or the RII) found while its
/// replicates are drawn, without storing them. Every rank a confidence level asks for is in a
/// tail (levels are at least 90%, so ranks are in the lowest or highest 5%): a rank in the
/// lower half lies at or below `high`, a pivot a little above it read from a pilot sample (as
/// in [`order_statistics`]), and a rank in the upper half at or above `low`. The window keeps
/// every value at or below `high` or at or above `low` (and any NaN), so the lower ranks are
/// the first values of the window in order and the upper ranks the last: one test per value,
/// and no count beside the window's length.
#[derive(Debug, Default)]
struct Tails {
    /// The largest lower-tail pivot (−∞ if no rank is in the lower half).
    high: f64,
    /// The smallest upper-tail pivot (+∞ if no rank is in the upper half).
    low: f64,
    /// Values kept (those past the window's length are lost: the set is then drawn again and
    /// stored).
    kept: usize,
    /// Values seen.
    seen: usize,
    window: Vec<f64>,
}

impl Tails {
    /// An empty window for the ranks with these pivots, `cap` values long; `None` if it
    /// cannot be allocated.
    fn start(
        &mut self,
        wanted: &[usize],
        pivots: &[(f64, f64)],
        n: usize,
        cap: usize,
    ) -> Option<()> {
        self.high = f64::NEG_INFINITY;
        self.low = f64::INFINITY;
        for (&k, &(lo, hi)) in wanted.iter().zip(pivots) {
            if 2 * k < n {
                self.high = self.high.max(hi);
            } else {
                self.low = self.low.min(lo);
            }
        }
        self.kept = 0;
        self.seen = 0;
        self.window
            .try_reserve_exact(cap.saturating_sub(self.window.len()))
            .ok()?;
        self.window.resize(cap, 0.0);
        Some(())
    }

    /// Counts a block of values. No branch depends on a value: each is written to the
    /// window's next free place and kept unless it is strictly between the pivots (a NaN is
    /// kept: it is between nothing).
    fn scan(&mut self, block: &[f64]) {
        let (high, low) = (self.high, self.low);
        let mut kept = self.kept;
        for &x in block {
            if let Some(slot) = self.window.get_mut(kept) {
                *slot = x;
            }
            kept += usize::from(!((x > high) & (x < low)));
        }
        self.kept = kept;
        self.seen += block.len();
    }

    /// The values at sorted 0-based ranks `wanted`, if the window holds every one: it held
    /// every value it kept, no NaN, its two tails do not overlap, and each rank is in its
    /// tail.
    fn values_at(&mut self, wanted: &[usize]) -> Option<Vec<f64>> {
        let (high, low, n) = (self.high, self.low, self.seen);
        let kept = self.window.get_mut(..self.kept)?;
        if kept.iter().any(|x| x.is_nan()) {
            return None;
        }
        let below = kept.iter().filter(|&&x| x <= high).count();
        let above = kept.iter().filter(|&&x| x >= low).count();
        if below + above != kept.len() {
            return None;
        }
        // In order, the window is the values at or below `high`, then those at or above `low`.
        let index: Option<Vec<usize>> = wanted
            .iter()
            .map(|&k| {
                if 2 * k < n {
                    Some(k).filter(|&k| k < below)
                } else {
                    (kept.len() + k).checked_sub(n).filter(|_| n - k <= above)
                }
            })
            .collect();
        Some(select_many(kept, &index?))
    }
}

/// A set's order statistics at the ranks asked for: the slope's, and the RII's (empty with
/// `transform`).
type Found = (Vec<f64>, Vec<f64>);

/// One set's simulated order statistics at one confidence level: the slope's (the SII's, or
/// the transformed slope's) and the RII's (NaN with `transform`).
#[derive(Debug, Clone, Copy)]
struct SetLimits {
    slope: (f64, f64),
    rii: (f64, f64),
}

impl SetLimits {
    /// [SII lower, SII upper, RII lower, RII upper].
    fn limits(self, o: &SiiOptions, alpha: f64, beta: f64) -> [f64; 4] {
        if o.transform {
            transformed_limits(o, alpha + beta / 2.0, self.slope.0, self.slope.1)
        } else {
            [self.slope.0, self.slope.1, self.rii.0, self.rii.1]
        }
    }
}

/// One replicate of [`Joint`]: (simulated slope or SII, simulated RII), z₁ for β and,
/// untransformed, z₂ for α (`transform` needs β alone: one draw, and the RII is NaN).
#[inline(always)]
fn joint_replicate(j: &Joint, o: &SiiOptions, zig: &Ziggurat, rng: &mut Words) -> (f64, f64) {
    let z1 = zig.sample(rng);
    let b = j.beta + j.beta_sd * z1;
    if o.transform {
        return (b, f64::NAN);
    }
    let z2 = zig.sample(rng);
    let a = j.alpha + j.alpha_on_z1 * z1 + j.alpha_sd_rest * z2;
    let m = o.multiplier;
    let ratio = (a + b) / a;
    (b * m, if m < 0.0 { 1.0 / ratio } else { ratio })
}

/// The pivots either side of each rank in `wanted` (of `n` values) from a sample of them (see
/// [`order_statistics`]); `None` if the sample holds NaN. Reorders `sample`.
fn pivots(sample: &mut [f64], wanted: &[usize], n: usize) -> Option<Vec<(f64, f64)>> {
    if sample.iter().any(|x| x.is_nan()) {
        return None;
    }
    let size = sample.len();
    let at = |k: usize| k * size / n;
    // The sample's values at the pivot positions, by selection rather than a sort.
    let mut positions: Vec<usize> = wanted
        .iter()
        .flat_map(|&k| [at(k).saturating_sub(SPREAD), at(k) + SPREAD])
        .filter(|&i| i < size)
        .collect();
    positions.sort_unstable();
    positions.dedup();
    let picked = select_many(sample, &positions);
    let sample_at = |i: Option<usize>, beyond: f64| -> f64 {
        i.and_then(|i| positions.binary_search(&i).ok())
            .and_then(|j| picked.get(j))
            .copied()
            .unwrap_or(beyond)
    };
    Some(
        wanted
            .iter()
            .map(|&k| {
                (
                    sample_at(at(k).checked_sub(SPREAD), f64::NEG_INFINITY),
                    sample_at(Some(at(k) + SPREAD), f64::INFINITY),
                )
            })
            .collect(),
    )
}

impl Simulation {
    /// No buffers yet: they are sized when first needed.
    fn empty() -> Self {
        Self {
            rng: Words::new(0),
            zig: Ziggurat::new(),
            slope: Vec::new(),
            rii: Vec::new(),
            draws: Vec::new(),
            alpha: vec![0.0; BLOCK],
            beta: vec![0.0; BLOCK],
            window: Vec::new(),
            pilot: [Vec::new(), Vec::new()],
            windows: [Tails::default(), Tails::default()],
        }
    }

    /// Start (again) for an area: a fresh generator from the seed.
    fn reset(&mut self, p: &Prepared, o: &SiiOptions) {
        self.rng = Words::new(o.seed);
        self.draws.resize(BLOCK * p.mu.len(), 0.0);
    }

    /// The buffers that store every replicate, resized in place. They are reserved fallibly,
    /// so running out of memory is an error, not an abort.
    fn store(&mut self, o: &SiiOptions, reps: usize) -> Result<(), PheError> {
        let rii = if o.transform { 0 } else { reps };
        let out_of_memory = |_| PheError::OutOfMemory {
            bytes: simulation_bytes(o),
            repetitions: o.repetitions,
        };
        self.slope
            .try_reserve_exact(reps.saturating_sub(self.slope.len()))
            .map_err(out_of_memory)?;
        self.rii
            .try_reserve_exact(rii.saturating_sub(self.rii.len()))
            .map_err(out_of_memory)?;
        self.slope.resize(reps, 0.0);
        self.rii.resize(rii, 0.0);
        Ok(())
    }

    /// One set of replicates' order statistics at each confidence level. With [`Joint`]
    /// draws and enough repetitions they are found as the replicates are drawn, without storing
    /// them ([`Simulation::stream`]); otherwise, or if that misses, every replicate is stored
    /// and selected from. Either way they are the exact order statistics of the same
    /// replicates, so the answer is the same bit for bit.
    fn set_limits(
        &mut self,
        p: &Prepared,
        joint: Option<&Joint>,
        o: &SiiOptions,
        reps: usize,
        stream: bool,
    ) -> Result<Vec<SetLimits>, PheError> {
        let positions: Vec<(usize, usize)> =
            p.levels.iter().map(|&c| order_positions(reps, c)).collect();
        let mut wanted: Vec<usize> = positions.iter().flat_map(|&(l, u)| [l, u]).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let streamed = match joint {
            Some(j) if stream && reps >= 4 * SAMPLE => self.stream(j, o, reps, &wanted)?,
            _ => None,
        };
        let (slope, ratio) = match streamed {
            Some(found) => found,
            None => {
                self.store(o, reps)?;
                match joint {
                    Some(j) => self.run_joint(j, o),
                    None => self.run_per_quantile(p, o),
                }
                let slope = order_statistics(&mut self.slope, &wanted, &mut self.window);
                let ratio = if o.transform {
                    Vec::new()
                } else {
                    order_statistics(&mut self.rii, &wanted, &mut self.window)
                };
                (slope, ratio)
            }
        };
        let at = |v: &[f64], i: usize| -> f64 {
            wanted
                .binary_search(&i)
                .ok()
                .and_then(|k| v.get(k))
                .copied()
                .unwrap_or(f64::NAN)
        };
        Ok(positions
            .iter()
            .map(|&(l, u)| SetLimits {
                slope: (at(&slope, l), at(&slope, u)),
                rii: (at(&ratio, l), at(&ratio, u)),
            })
            .collect())
    }

    /// One set of [`Joint`] replicates reduced as they are drawn: the first [`SAMPLE`] are
    /// kept as a pilot sample whose values give each rank's pivots, then every replicate (the
    /// pilot's too) goes through the [`Tails`] of the slope and of the RII, a block at a time.
    /// No replicate is stored beyond the pilot, one block and the windows. `None` (with the
    /// generator put back where the set started, so it can be drawn again and stored) if a
    /// window misses a rank or a NaN was drawn; both are rare.
    fn stream(
        &mut self,
        j: &Joint,
        o: &SiiOptions,
        reps: usize,
        wanted: &[usize],
    ) -> Result<Option<Found>, PheError> {
        let start = self.rng.clone();
        let found = self.stream_from_here(j, o, reps, wanted)?;
        if found.is_none() {
            self.rng = start;
        }
        Ok(found)
    }

    /// [`Simulation::stream`], leaving the generator wherever it stops.
    fn stream_from_here(
        &mut self,
        j: &Joint,
        o: &SiiOptions,
        reps: usize,
        wanted: &[usize],
    ) -> Result<Option<Found>, PheError> {
        let Self {
            rng,
            zig,
            pilot,
            windows,
            ..
        } = self;
        let [ps, pr] = pilot;
        ps.clear();
        pr.clear();
        for _ in 0..SAMPLE {
            let (s, r) = joint_replicate(j, o, zig, rng);
            ps.push(s);
            pr.push(r);
        }
        let arrays = if o.transform { 1 } else { 2 };
        // A quarter of the replicates per window: the two tails of a 95% interval keep about
        // an eighth, those of a 90% interval about a sixth.
        let cap = reps / 4;
        for (window, values) in windows.iter_mut().zip([&mut *ps, &mut *pr]).take(arrays) {
            // Selecting the pivots reorders the pilot; a window does not depend on the order
            // of the values it counts.
            let Some(bounds) = pivots(values, wanted, reps) else {
                return Ok(None);
            };
            window
                .start(wanted, &bounds, reps, cap)
                .ok_or(PheError::OutOfMemory {
                    bytes: simulation_bytes(o),
                    repetitions: o.repetitions,
                })?;
            window.scan(values);
        }
        let [ws, wr] = windows;
        let mut block = [[0.0; STREAM_BLOCK]; 2];
        let mut done = SAMPLE;
        // The generator's state in a local, which the compiler can keep in registers.
        let mut words = rng.clone();
        while done < reps {
            let n = STREAM_BLOCK.min(reps - done);
            let [bs, br] = &mut block;
            for (s, r) in bs.iter_mut().zip(br.iter_mut()).take(n) {
                (*s, *r) = joint_replicate(j, o, zig, &mut words);
            }
            ws.scan(bs.get(..n).unwrap_or_default());
            if arrays == 2 {
                wr.scan(br.get(..n).unwrap_or_default());
            }
            done += n;
        }
        *rng = words;
        let Some(slope) = ws.values_at(wanted) else {
            return Ok(None);
        };
        let ratio = if arrays == 2 {
            let Some(ratio) = wr.values_at(wanted) else {
                return Ok(None);
            };
            ratio
        } else {
            Vec::new()
        };
        Ok(Some((slope, ratio)))
    }

    /// One set of replicates from [`Joint`], stored.
    fn run_joint(&mut self, j: &Joint, o: &SiiOptions) {
        let Self {
            rng,
            zig,
            slope,
            rii,
            ..
        } = self;
        if o.transform {
            for s in slope.iter_mut() {
                *s = joint_replicate(j, o, zig, rng).0;
            }
            return;
        }
        for (s, r) in slope.iter_mut().zip(rii.iter_mut()) {
            (*s, *r) = joint_replicate(j, o, zig, rng);
        }
    }

    /// One set of replicates: one normal draw per quantile per replicate.
    fn run_per_quantile(&mut self, p: &Prepared, o: &SiiOptions) {
        let back = !o.transform && o.value_type != ValueType::Normal;
        let m = o.multiplier;
        let q = p.mu.len();
        let Self {
            rng,
            zig,
            slope,
            rii,
            draws,
            alpha,
            beta,
            ..
        } = self;
        let mut done = 0;
        while done < slope.len() {
            let n = BLOCK.min(slope.len() - done);
            // Draw in replicate order, store quantile-major so the sums below vectorise.
            for r in 0..n {
                for i in 0..q {
                    if let Some(slot) = draws.get_mut(i * BLOCK + r) {
                        *slot = zig.sample(rng);
                    }
                }
            }
            let (alpha, beta) = (&mut alpha[..n], &mut beta[..n]);
            alpha.fill(0.0);
            beta.fill(0.0);
            for (i, (((&c, &d), &mu), &sd)) in
                p.c.iter().zip(&p.d).zip(&p.mu).zip(&p.sd).enumerate()
            {
                let Some(z) = draws.get(i * BLOCK..i * BLOCK + n) else {
                    continue;
                };
                if back {
                    for ((a, b), &z) in alpha.iter_mut().zip(beta.iter_mut()).zip(z) {
                        let v = o.value_type.inverse(mu + sd * z);
                        *a += d * v;
                        *b += c * v;
                    }
                } else {
                    for ((a, b), &z) in alpha.iter_mut().zip(beta.iter_mut()).zip(z) {
                        let v = mu + sd * z;
                        *a += d * v;
                        *b += c * v;
                    }
                }
            }
            let out = &mut slope[done..done + n];
            if o.transform {
                out.copy_from_slice(beta);
            } else {
                for (s, &b) in out.iter_mut().zip(beta.iter()) {
                    *s = b * m;
                }
                if let Some(out) = rii.get_mut(done..done + n) {
                    for ((r, &a), &b) in out.iter_mut().zip(alpha.iter()).zip(beta.iter()) {
                        let ratio = (a + b) / a;
                        *r = if m < 0.0 { 1.0 / ratio } else { ratio };
                    }
                }
            }
            done += n;
        }
    }
}

/// Back-transform simulated slope limits around the fitted midpoint `mid` (§2.1).
fn transformed_limits(o: &SiiOptions, mid: f64, s_lo: f64, s_hi: f64) -> [f64; 4] {
    let inv = |v| o.value_type.inverse(v);
    let m = o.multiplier;
    let sii = |s: f64| (inv(mid + s / 2.0) - inv(mid - s / 2.0)) * m;
    let swap = match (o.swap_rule, o.value_type) {
        (SwapRule::Reference, ValueType::Rate) => m < 1.0,
        _ => m < 0.0,
    };
    // The reference inverts the RII limits whenever it swaps them, so under its rule a rate with
    // a multiplier from 0 to 1 gets limits of 1/RII around an RII that is not inverted.
    let rii = |s: f64| {
        let r = inv(mid + s / 2.0) / inv(mid - s / 2.0);
        if swap { 1.0 / r } else { r }
    };
    if swap {
        [sii(s_hi), sii(s_lo), rii(s_hi), rii(s_lo)]
    } else {
        [sii(s_lo), sii(s_hi), rii(s_lo), rii(s_hi)]
    }
}

/// 0-based positions of the order statistics round(R·(1−c')) and round(R·c'), 1-based and
/// rounded half to even as R's `round`, with c' = c + (1 − c)/2; clamped to 1..=R.
fn order_positions(reps: usize, confidence: f64) -> (usize, usize) {
    let c = confidence + (1.0 - confidence) / 2.0;
    #[allow(clippy::cast_precision_loss, reason = "repetitions far below 2^52")]
    let r = reps as f64;
    let pos = |x: f64| -> usize {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "rounded, non-negative and at most reps"
        )]
        let k = (x.round_ties_even().max(1.0) as usize).min(reps);
        k.saturating_sub(1)
    };
    (pos(r * (1.0 - c)), pos(r * c))
}

/// Sample size for [`order_statistics`]' pivots.
const SAMPLE: usize = 2048;

/// How many sample positions either side of a rank's own [`order_statistics`] takes its
/// pivots: at the 2.5% and 97.5% ranks this is about nine standard deviations of the rank's
/// position in the sample, so the window misses its rank (and the slow exact path runs) almost
/// never.
const SPREAD: usize = 64;

/// The values at sorted, distinct 0-based ranks `wanted` of `v` (in `f64::total_cmp` order),
/// exactly. For large `v`, pivots either side of each rank are read from an evenly spaced sample
/// (the replicates are independent, so it is a random sample), one pass over `v` counts the
/// values below the lower pivot and copies those between the pivots into `window`, and the rank
/// is selected within that small window (Floyd and Rivest's idea). The pass has no branch that
/// depends on the data: every value is written to the window's next free place and kept there
/// only if it falls between the pivots. If the window misses its rank, or would hold more than
/// an eighth of `v` (many equal values), or `v` holds NaN (which plain comparisons cannot place),
/// `v` itself is selected instead. One window is reused rank after rank, so the extra memory is
/// an eighth of `v`'s.
fn order_statistics(v: &mut [f64], wanted: &[usize], window: &mut Vec<f64>) -> Vec<f64> {
    let n = v.len();
    if n < 4 * SAMPLE {
        return select_many(v, wanted);
    }
    let mut sample: Vec<f64> = (0..SAMPLE)
        .filter_map(|j| v.get(j * n / SAMPLE).copied())
        .collect();
    let Some(bounds) = pivots(&mut sample, wanted, n) else {
        return select_many(v, wanted);
    };
    let cap = n / 8;
    window.clear();
    window.resize(cap, 0.0);
    let mut out = Vec::with_capacity(wanted.len());
    for (&k, &(lo, hi)) in wanted.iter().zip(&bounds) {
        let (mut below, mut inside, mut nan) = (0usize, 0usize, 0usize);
        for &x in v.iter() {
            below += usize::from(x < lo);
            nan += usize::from(x.is_nan());
            if let Some(slot) = window.get_mut(inside) {
                *slot = x;
            }
            inside += usize::from((x >= lo) & (x <= hi));
        }
        if nan > 0 {
            // Plain comparisons agree with `total_cmp` except for NaN (and ±0, which compare
            // equal and are the same number); with a NaN (an RII whose intercept drew 0),
            // select exactly.
            window.clear();
            return select_many(v, wanted);
        }
        let found = k
            .checked_sub(below)
            .filter(|&r| r < inside && inside <= cap)
            .and_then(|r| window.get_mut(..inside).map(|w| (r, w)));
        let x = match found {
            Some((r, w)) => *w.select_nth_unstable_by(r, f64::total_cmp).1,
            None => *v.select_nth_unstable_by(k.min(n - 1), f64::total_cmp).1,
        };
        out.push(x);
    }
    window.clear();
    out
}

/// The values at sorted, distinct 0-based ranks `wanted` of `v` (reordering `v`), by successive
/// O(n) selections on the part right of the previous rank.
fn select_many(v: &mut [f64], wanted: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(wanted.len());
    let mut start = 0;
    for &k in wanted {
        let Some(tail) = v.get_mut(start..) else {
            out.push(f64::NAN);
            continue;
        };
        let Some(rel) = k.checked_sub(start).filter(|&r| r < tail.len()) else {
            out.push(f64::NAN);
            continue;
        };
        let (_, x, _) = tail.select_nth_unstable_by(rel, f64::total_cmp);
        out.push(*x);
        start = k + 1;
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn order_positions_follow_r() {
        assert_eq!(order_positions(100_000, 0.95), (2499, 97_499));
        assert_eq!(order_positions(100_000, 0.998), (99, 99_899));
        // 1000 × 0.0005 = 0.5 rounds to 0 (ties to even): read as the smallest.
        assert_eq!(order_positions(1000, 0.999), (0, 999));
    }

    #[test]
    fn select_many_matches_sorting() {
        let mut v: Vec<f64> = (0..1000).map(|i| f64::from((i * 7919) % 1000)).collect();
        let got = select_many(&mut v, &[3, 10, 500, 999]);
        assert_eq!(got, [3.0, 10.0, 500.0, 999.0]);
        // The windowed path gives the same exact order statistics as sorting.
        let mut big: Vec<f64> = (0..100_000u32)
            .map(|i| f64::from((i * 7919) % 100_003))
            .collect();
        let mut sorted = big.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        let ranks = [0, 99, 2499, 50_000, 97_499, 99_899, 99_999];
        let got = order_statistics(&mut big, &ranks, &mut Vec::new());
        let want: Vec<f64> = ranks.iter().map(|&k| sorted[k]).collect();
        assert_eq!(got, want);
    }

    /// The order statistics by sorting a copy: the simple way the fast path must agree with.
    fn by_sorting(v: &[f64], ranks: &[usize]) -> Vec<u64> {
        let mut sorted = v.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        ranks.iter().map(|&k| sorted[k].to_bits()).collect()
    }

    /// Many equal values put a whole vector between the pivots: the window stops at an eighth of
    /// it (so the memory stays bounded) and the answer is still exact.
    #[test]
    fn order_statistics_with_every_value_equal() {
        let mut v = vec![2.5; 40_000];
        v[7] = 1.0;
        let ranks = [0, 999, 39_000, 39_999];
        let want = by_sorting(&v, &ranks);
        let mut window = Vec::new();
        let got = order_statistics(&mut v, &ranks, &mut window);
        assert_eq!(got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), want);
        assert!(window.capacity() <= 40_000 / 8, "{}", window.capacity());
    }

    /// Deciles shaped like life expectancy (the Fingertips use), with unequal populations and
    /// standard errors so that α and β are correlated.
    fn le_deciles() -> Vec<SiiRow> {
        (1..=10u32)
            .map(|q| SiiRow {
                quantile: q,
                population: 4000.0 + f64::from((q * 7919) % 3001),
                value: 74.0 + 0.9 * f64::from(q) + f64::from((q * 37) % 17) / 10.0,
                se: Some(0.6 + f64::from((q * 13) % 7) / 5.0),
                lower_cl: None,
                upper_cl: None,
            })
            .collect()
    }

    /// The covariance of α and β from [`Joint`]'s loadings equals the one from the weights:
    /// Var β = Σ cᵢ²sᵢ², Var α = Σ dᵢ²sᵢ², Cov = Σ cᵢdᵢsᵢ².
    #[test]
    fn the_joint_draw_has_the_covariance_of_the_per_quantile_draws() {
        for rows in [le_deciles(), le_deciles()[..5].to_vec()] {
            let o = SiiOptions {
                quantiles: Some(u32::try_from(rows.len()).unwrap()),
                ..SiiOptions::default()
            };
            let p = prepare(&rows, &o).unwrap().unwrap();
            let j = Joint::new(&p);
            let sum = |f: &dyn Fn(usize) -> f64| (0..p.c.len()).map(f).sum::<f64>();
            let var_b = sum(&|i| (p.c[i] * p.sd[i]).powi(2));
            let var_a = sum(&|i| (p.d[i] * p.sd[i]).powi(2));
            let cov = sum(&|i| p.c[i] * p.d[i] * p.sd[i] * p.sd[i]);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
            assert!(close(j.beta_sd * j.beta_sd, var_b));
            assert!(close(j.beta_sd * j.alpha_on_z1, cov));
            assert!(close(
                j.alpha_on_z1 * j.alpha_on_z1 + j.alpha_sd_rest * j.alpha_sd_rest,
                var_a
            ));
            assert!(close(j.alpha, dot(&p.d, &p.y)) && close(j.beta, dot(&p.c, &p.y)));
        }
        // Scaled norms: no overflow where the squares would, NaN kept, zero is zero.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-15 * b;
        assert!(close(norm(&[3e200, 4e200]), 5e200));
        assert!(close(norm(&[3e-200, 4e-200]), 5e-200));
        assert!(norm(&[1.0, f64::NAN, 2.0]).is_nan());
        assert_eq!(norm(&[0.0, -0.0]), 0.0);
        assert_eq!(norm(&[1.0, f64::INFINITY]), f64::INFINITY);
    }

    /// The joint draw (two normals per replicate) against the draw it replaced (one normal per
    /// quantile per replicate), on the same inputs over many seeds: both are Monte Carlo
    /// estimates of the same order statistics, so their mean over seeds must agree within the
    /// Monte Carlo error of that mean (4 standard errors of the mean difference), and their
    /// spread from seed to seed must be alike (the same estimator of the same distribution).
    #[test]
    fn joint_limits_match_per_quantile_limits_over_many_seeds() {
        let rates: Vec<SiiRow> = (1..=10u32)
            .map(|q| {
                let v = 900.0 - 45.0 * f64::from(q);
                SiiRow {
                    quantile: q,
                    population: 20_000.0 + 500.0 * f64::from(q % 3),
                    value: v,
                    se: None,
                    lower_cl: Some(v * 0.9),
                    upper_cl: Some(v * 1.1),
                }
            })
            .collect();
        let plain = SiiOptions {
            repetitions: 2000,
            confidence: vec![0.95, 0.998],
            ..SiiOptions::default()
        };
        let cases = [
            ("life expectancy, deciles", le_deciles(), plain.clone()),
            (
                "life expectancy, quintiles, multiplier -1",
                le_deciles()[..5].to_vec(),
                SiiOptions {
                    multiplier: -1.0,
                    ..plain.clone()
                },
            ),
            (
                "rates, log-transformed",
                rates,
                SiiOptions {
                    value_type: ValueType::Rate,
                    transform: true,
                    ..plain.clone()
                },
            ),
        ];
        let seeds = 200u32;
        for (name, rows, o) in cases {
            let mut limits = [Vec::new(), Vec::new()];
            for (k, method) in [Method::Joint, Method::PerQuantile].into_iter().enumerate() {
                let mut ws = SiiWorkspace::default();
                for seed in 0..seeds {
                    let o = SiiOptions {
                        seed: u64::from(seed),
                        ..o.clone()
                    };
                    let r = simulate(&rows, &o, &mut ws, method, true).unwrap();
                    let v: Vec<f64> = r
                        .intervals
                        .iter()
                        .flat_map(|i| [i.sii_lower, i.sii_upper, i.rii_lower, i.rii_upper])
                        .map(Option::unwrap)
                        .collect();
                    limits[k].push(v);
                }
            }
            let n = f64::from(seeds);
            let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
            let sd = |v: &[f64]| {
                let m = mean(v);
                (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt()
            };
            for j in 0..limits[0][0].len() {
                let new: Vec<f64> = limits[0].iter().map(|v| v[j]).collect();
                let old: Vec<f64> = limits[1].iter().map(|v| v[j]).collect();
                let diff: Vec<f64> = new.iter().zip(&old).map(|(a, b)| a - b).collect();
                let se = sd(&diff) / n.sqrt();
                assert!(
                    (mean(&new) - mean(&old)).abs() <= 4.0 * se,
                    "{name}, limit {j}: mean {} (joint) vs {} (per quantile), se {se}",
                    mean(&new),
                    mean(&old)
                );
                let ratio = sd(&new) / sd(&old);
                assert!(
                    (0.75..=1.33).contains(&ratio),
                    "{name}, limit {j}: spread {} (joint) vs {} (per quantile)",
                    sd(&new),
                    sd(&old)
                );
            }
        }
    }

    /// With enough repetitions and one or two confidence levels, a set is streamed: its limits
    /// are found without storing the replicates (nothing falls back to storing on plain input).
    #[test]
    fn plain_input_is_streamed() {
        let rows = le_deciles();
        for (o, ranks) in [
            (SiiOptions::default(), vec![2499, 97_499]),
            (
                SiiOptions {
                    value_type: ValueType::Rate,
                    transform: true,
                    repetitions: 8192,
                    ..SiiOptions::default()
                },
                vec![204, 7986],
            ),
        ] {
            let o = SiiOptions {
                quantiles: Some(10),
                ..o
            };
            let rows: Vec<SiiRow> = rows
                .iter()
                .map(|r| SiiRow {
                    se: (!o.transform).then_some(0.8),
                    lower_cl: Some(r.value * 0.95),
                    upper_cl: Some(r.value * 1.05),
                    ..*r
                })
                .collect();
            let p = prepare(&rows, &o).unwrap().unwrap();
            let mut sim = Simulation::empty();
            sim.reset(&p, &o);
            let streamed = sim
                .stream(&Joint::new(&p), &o, o.repetitions as usize, &ranks)
                .unwrap();
            assert!(streamed.is_some());
            assert!(sim.slope.is_empty() && sim.rii.is_empty(), "nothing stored");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// Streaming a set gives the very bits that storing every replicate and selecting
        /// gives, on hostile input too: equal values (every draw the same, so a window holds
        /// everything and the set is drawn again and stored), zero intercepts (NaN RIIs),
        /// values near the largest double, one, two or three levels, a
        /// negative multiplier, transformed rates, and reliability's ten sets (a set drawn
        /// again must leave the generator where storing leaves it).
        #[test]
        fn streaming_gives_the_bits_storing_gives(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    60.0f64..90.0,
                    proptest::strategy::Just(0.0),
                    proptest::strategy::Just(1e308),
                    proptest::strategy::Just(75.0),
                ],
                5..=11,
            ),
            se in proptest::prop_oneof![
                proptest::strategy::Just(0.0),
                0.01f64..3.0,
                proptest::strategy::Just(1e300),
            ],
            repetitions in proptest::prop_oneof![
                proptest::strategy::Just(8192u32),
                8193u32..12_000,
            ],
            levels in proptest::prop_oneof![
                proptest::strategy::Just(vec![0.95]),
                proptest::strategy::Just(vec![0.95, 0.998]),
                proptest::strategy::Just(vec![0.9, 0.95, 0.999_999]),
            ],
            multiplier in proptest::prop_oneof![
                proptest::strategy::Just(1.0),
                proptest::strategy::Just(-100.0),
            ],
            rate in proptest::prelude::any::<bool>(),
            reliability in proptest::prelude::any::<bool>(),
            seed in 0u64..1000,
        ) {
            let rows: Vec<SiiRow> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let v = if rate { v.clamp(1.0, 1e6) } else { v };
                    SiiRow {
                        quantile: u32::try_from(i + 1).unwrap(),
                        population: 1000.0 + 37.0 * f64::from(u32::try_from(i).unwrap()),
                        value: v,
                        se: (!rate).then_some(se),
                        lower_cl: rate.then_some(v * 0.9),
                        upper_cl: rate.then_some(v * 1.1),
                    }
                })
                .collect();
            let o = SiiOptions {
                value_type: if rate { ValueType::Rate } else { ValueType::Normal },
                transform: rate,
                multiplier,
                repetitions,
                confidence: levels,
                reliability,
                seed,
                ..SiiOptions::default()
            };
            let mut ws = SiiWorkspace::default();
            let streamed = simulate(&rows, &o, &mut ws, Method::Joint, true);
            let stored = simulate(&rows, &o, &mut SiiWorkspace::default(), Method::Joint, false);
            proptest::prop_assert_eq!(format!("{streamed:?}"), format!("{stored:?}"));
            // A workspace used before gives the same bits again.
            let again = simulate(&rows, &o, &mut ws, Method::Joint, true);
            proptest::prop_assert_eq!(format!("{again:?}"), format!("{stored:?}"));
        }
    }

    /// Streamed sets on several threads give the bits one thread gives (every area starts
    /// from the seed, whichever thread runs it), reliability's ten sets included.
    #[test]
    fn streamed_areas_are_the_same_on_any_number_of_threads() {
        let areas: Vec<Vec<SiiRow>> = (0..5u32)
            .map(|k| {
                le_deciles()
                    .into_iter()
                    .map(|r| SiiRow {
                        value: r.value + f64::from(k) / 3.0,
                        ..r
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&[SiiRow]> = areas.iter().map(Vec::as_slice).collect();
        let o = SiiOptions {
            repetitions: 10_000,
            reliability: true,
            confidence: vec![0.95, 0.998],
            ..SiiOptions::default()
        };
        let one = format!("{:?}", phe_sii_many(&refs, &o, 1));
        for threads in [2, 3, 5] {
            assert_eq!(format!("{:?}", phe_sii_many(&refs, &o, threads)), one);
        }
    }

    #[test]
    fn threads_fit_the_memory_budget() {
        let o = |repetitions, transform| SiiOptions {
            repetitions,
            transform,
            ..SiiOptions::default()
        };
        // 18 bytes per repetition: 10,000,000 take 180 MB, so two fit in 512 MiB.
        assert_eq!(thread_count(256, 1000, &o(MAX_REPETITIONS, false)), 2);
        assert_eq!(thread_count(256, 1000, &o(MAX_REPETITIONS, true)), 5);
        assert_eq!(
            thread_count(usize::MAX, 1000, &o(100_000, false)),
            MAX_THREADS
        );
        assert_eq!(thread_count(8, 3, &o(100_000, false)), 3);
        assert_eq!(thread_count(0, 0, &o(100_000, false)), 1);
        assert!(
            u64::try_from(thread_count(256, 1000, &o(MAX_REPETITIONS, false))).unwrap()
                * simulation_bytes(&o(MAX_REPETITIONS, false))
                <= SIMULATION_MEMORY_BUDGET
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

        /// The windowed selection gives the bits sorting gives, on hostile vectors too: ties, a
        /// few distinct values, infinities, NaN, ±0, and lengths either side of the fast path's
        /// threshold.
        #[test]
        fn order_statistics_match_sorting(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    -1e3f64..1e3,
                    proptest::strategy::Just(0.0),
                    proptest::strategy::Just(-0.0),
                    proptest::strategy::Just(7.0),
                    proptest::strategy::Just(f64::INFINITY),
                    proptest::strategy::Just(f64::NEG_INFINITY),
                    proptest::strategy::Just(f64::NAN),
                ],
                1..40,
            ),
            len in proptest::prop_oneof![1usize..100, 8000usize..20_000],
            few in proptest::prelude::any::<bool>(),
            picks in proptest::collection::vec(0.0f64..1.0, 1..8),
        ) {
            // Repeat the drawn values to the length, in a scrambled order; `few` keeps only the
            // first three (heavy ties).
            let pool = if few { &values[..values.len().min(3)] } else { &values[..] };
            let v: Vec<f64> = (0..len).map(|i| pool[(i * 7919 + i / 3) % pool.len()]).collect();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss, reason = "test ranks")]
            let mut ranks: Vec<usize> = picks.iter().map(|p| ((p * len as f64) as usize).min(len - 1)).collect();
            ranks.sort_unstable();
            ranks.dedup();
            let want = by_sorting(&v, &ranks);
            let mut work = v.clone();
            let got = order_statistics(&mut work, &ranks, &mut Vec::new());
            proptest::prop_assert_eq!(got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), want);
        }
    }
}
