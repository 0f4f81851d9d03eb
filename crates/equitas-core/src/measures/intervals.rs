//! Confidence intervals and the distribution functions behind them: Wilson score intervals for
//! proportions, Byar's and exact Poisson limits for counts, the normal, chi-square (through the
//! regularised incomplete gamma function) and Student t quantiles, and the PHE rule for reading a
//! confidence argument.
//!
//! Formulas follow `../shared/reference/inequality-measures.md` §2 and §7.5
//! (PHEindicatormethods):
//! - Wilson, for x of n at confidence c:
//!   `(2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²))` with `z = Φ⁻¹(1 − (1 − c)/2)`;
//! - Byar's, for a count x: lower `x(1 − 1/(9x) − z/(3√x))³` (none when negative), upper
//!   `(x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³`;
//! - exact Poisson: `χ²((1−c)/2; 2x)/2` and `χ²(c + (1−c)/2; 2x+2)/2`, where χ² with 0 degrees
//!   of freedom is 0 (so x = 0 has lower limit 0).
//!
//! The special functions are our own: the incomplete gamma function by its series and continued
//! fraction (DLMF 8.11, 8.9), the incomplete beta function by its continued fraction (DLMF
//! 8.17.22), each inverted by safeguarded Newton steps. Logarithms, exponentials and the like go
//! through the pure-Rust `libm`, as everywhere in the measures, so an interval has the same bits
//! natively and in the browser.

use serde::{Deserialize, Serialize};

/// Φ⁻¹(0.975) = 1.959963984540054…: the number of standard errors either side of an estimate
/// in a two-sided 95% normal interval (what [`normal_quantile`] gives for 0.975).
pub const Z95: f64 = 1.959_963_984_540_054;

/// A proportion with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// x / n.
    pub value: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// Inputs a Wilson interval cannot take.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum IntervalError {
    /// n is zero.
    #[error("the denominator must be greater than zero, got {0}")]
    ZeroDenominator(u64),
    /// x > n.
    #[error("the numerator {x} is greater than the denominator {n}")]
    NumeratorAboveDenominator {
        /// Numerator.
        x: u64,
        /// Denominator.
        n: u64,
    },
    /// Confidence outside (0, 1].
    #[error("confidence must be above 0 and at most 1, got {0}")]
    BadConfidence(f64),
    /// A PHE confidence argument outside [`MIN_CONFIDENCE`]–[`MAX_CONFIDENCE`] as a proportion
    /// or 90–99.9999 as a percentage (§2 preamble, with the top end lowered so that every level
    /// gives finite limits).
    #[error(
        "a confidence level is a proportion from 0.9 to 0.999999 or a percentage from 90 to 99.9999, got {0}"
    )]
    ConfidenceRange(f64),
    /// More levels than [`MAX_CONFIDENCE_LEVELS`].
    #[error("at most {MAX_CONFIDENCE_LEVELS} confidence levels can be given, got {0}")]
    TooManyConfidenceLevels(usize),
    /// The same level twice (e.g. 95 and 0.95), which would give two sets of limits under one
    /// name.
    #[error("the level {0} is given more than once")]
    RepeatedConfidence(f64),
    /// More than two levels where PHE allows at most two (§2.3).
    #[error("a maximum of two confidence levels can be provided, got {0}")]
    TooManyLevels(usize),
    /// Two levels other than 0.95 and 0.998 (§2.3).
    #[error(
        "two confidence levels can only be produced if they are 0.95 and 0.998, got {0} and {1}"
    )]
    TwoLevelsNotStandard(f64, f64),
    /// A negative or non-finite count.
    #[error("observed events must be zero or more, got {0}")]
    NegativeCount(f64),
    /// A denominator that is not above zero.
    #[error("denominators must be greater than zero, got {0}")]
    BadDenominator(f64),
    /// A numerator above its denominator.
    #[error("the numerator {x} is greater than the denominator {n}")]
    NumeratorAboveDenominatorF {
        /// Numerator.
        x: f64,
        /// Denominator.
        n: f64,
    },
}

/// The lowest confidence level the Fingertips methods take, as a proportion (PHEindicatormethods'
/// own lower bound; as a percentage, 90).
pub const MIN_CONFIDENCE: f64 = 0.9;

/// The highest confidence level the Fingertips methods take, as a proportion (as a percentage,
/// 99.9999). PHEindicatormethods accepts up to 1, where the normal quantile is infinite and the
/// limits are ±Inf; equitas stops at six nines (z ≈ 4.89), which every method turns into finite
/// limits, and refuses anything above instead of printing limits it cannot compute.
pub const MAX_CONFIDENCE: f64 = 0.999_999;

/// The most confidence levels one call takes (SII and life expectancy take several, each a set
/// of columns in the output; PHE's own outputs use one or two).
pub const MAX_CONFIDENCE_LEVELS: usize = 10;

/// Read a PHE confidence argument: a proportion from [`MIN_CONFIDENCE`] to [`MAX_CONFIDENCE`] or
/// a percentage from 90 to 99.9999 (values of 90 or more are divided by 100), as
/// PHEindicatormethods does (§2 preamble) except that 1 (100%) is refused: its limits are
/// infinite.
///
/// ```
/// use equitas_core::measures::intervals::confidence_level;
/// assert_eq!(confidence_level(95.0)?, 0.95);
/// assert_eq!(confidence_level(0.998)?, 0.998);
/// assert!(confidence_level(0.5).is_err());
/// assert!(confidence_level(1.0).is_err());
/// # Ok::<(), equitas_core::measures::intervals::IntervalError>(())
/// ```
///
/// # Errors
/// [`IntervalError::ConfidenceRange`] naming the value.
pub fn confidence_level(c: f64) -> Result<f64, IntervalError> {
    let proportion = if c >= 90.0 { c / 100.0 } else { c };
    if (MIN_CONFIDENCE..=MAX_CONFIDENCE).contains(&proportion) {
        Ok(proportion)
    } else {
        Err(IntervalError::ConfidenceRange(c))
    }
}

/// Read several confidence levels (SII and life expectancy accept any vector, §7.5): at most
/// [`MAX_CONFIDENCE_LEVELS`], none repeated.
///
/// # Errors
/// The first level out of range, more than [`MAX_CONFIDENCE_LEVELS`] levels, or a level given
/// twice (in either scale).
pub fn confidence_levels(levels: &[f64]) -> Result<Vec<f64>, IntervalError> {
    if levels.len() > MAX_CONFIDENCE_LEVELS {
        return Err(IntervalError::TooManyConfidenceLevels(levels.len()));
    }
    let out = levels
        .iter()
        .map(|&c| confidence_level(c))
        .collect::<Result<Vec<f64>, _>>()?;
    for (i, c) in out.iter().enumerate() {
        if out.get(..i).is_some_and(|before| before.contains(c)) {
            return Err(IntervalError::RepeatedConfidence(*c));
        }
    }
    Ok(out)
}

/// Read the confidence levels of a proportion, rate or DSR: none, one, or exactly the pair
/// (0.95, 0.998) in either order or scale (§2.3, §7.5). The pair comes back as given.
///
/// # Errors
/// A level out of range, more than two levels, or two that are not 0.95 and 0.998.
pub fn confidence_pair(levels: &[f64]) -> Result<Vec<f64>, IntervalError> {
    if levels.len() > 2 {
        return Err(IntervalError::TooManyLevels(levels.len()));
    }
    let out = confidence_levels(levels)?;
    if let [a, b] = out[..] {
        let standard = |x: f64, y: f64| (x - 0.95).abs() < 1e-12 && (y - 0.998).abs() < 1e-12;
        if !(standard(a, b) || standard(b, a)) {
            return Err(IntervalError::TwoLevelsNotStandard(a, b));
        }
    }
    Ok(out)
}

/// The two-sided normal multiplier for confidence `c`: `Φ⁻¹(c + (1 − c)/2)`.
#[must_use]
pub fn z_for(confidence: f64) -> f64 {
    normal_quantile(confidence + (1.0 - confidence) / 2.0)
}

/// Lower and upper confidence limits; a limit that the method cannot give (e.g. a negative
/// Byar's lower limit, which PHE reports as NA) is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Lower limit.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
}

/// How the limits of a count were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PoissonMethod {
    /// Exact Poisson (chi-square) limits, used below 10 events.
    Exact,
    /// Byar's approximation, used at 10 events or more.
    Byars,
}

fn check_count(x: f64) -> Result<(), IntervalError> {
    if x.is_finite() && x >= 0.0 {
        Ok(())
    } else {
        Err(IntervalError::NegativeCount(x))
    }
}

fn check_unit_confidence(confidence: f64) -> Result<(), IntervalError> {
    if confidence > 0.0 && confidence <= 1.0 {
        Ok(())
    } else {
        Err(IntervalError::BadConfidence(confidence))
    }
}

/// Byar's limits for a count `x` at `confidence` (a proportion, e.g. 0.95): §2 preamble.
/// A negative lower limit (and the undefined one at x = 0) is `None`, as PHE sets it to NA.
///
/// ```
/// let b = equitas_core::measures::intervals::byar(65.0, 0.95)?;
/// assert!((b.lower.unwrap() - 50.163_187_710_46).abs() < 1e-8);
/// # Ok::<(), equitas_core::measures::intervals::IntervalError>(())
/// ```
///
/// # Errors
/// A negative count or a confidence outside (0, 1].
pub fn byar(x: f64, confidence: f64) -> Result<Bounds, IntervalError> {
    check_count(x)?;
    check_unit_confidence(confidence)?;
    let z = z_for(confidence);
    let lower = if x > 0.0 {
        let l = x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * x.sqrt())).powi(3);
        (l >= 0.0).then_some(l)
    } else {
        None
    };
    let x1 = x + 1.0;
    let upper = x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * x1.sqrt())).powi(3);
    Ok(Bounds {
        lower,
        upper: Some(upper),
    })
}

/// Exact Poisson limits for a count `x`: `χ²((1−c)/2; 2x)/2` and `χ²(c + (1−c)/2; 2x+2)/2`
/// (§2.4, §7.5); χ² with 0 degrees of freedom is 0, so x = 0 has lower limit 0.
///
/// # Errors
/// A negative count or a confidence outside (0, 1].
pub fn exact_poisson(x: f64, confidence: f64) -> Result<Bounds, IntervalError> {
    check_count(x)?;
    check_unit_confidence(confidence)?;
    let lower = gamma_quantile((1.0 - confidence) / 2.0, x);
    let upper = gamma_quantile(confidence + (1.0 - confidence) / 2.0, x + 1.0);
    Ok(Bounds {
        lower: Some(lower),
        upper: Some(upper),
    })
}

/// Limits for a count as `phe_rate` chooses them: exact Poisson below 10 events, Byar's from 10
/// (§2.4).
///
/// # Errors
/// A negative count or a confidence outside (0, 1].
pub fn poisson_limits(x: f64, confidence: f64) -> Result<(Bounds, PoissonMethod), IntervalError> {
    if x < 10.0 {
        Ok((exact_poisson(x, confidence)?, PoissonMethod::Exact))
    } else {
        Ok((byar(x, confidence)?, PoissonMethod::Byars))
    }
}

/// The Wilson limits for a (possibly non-integer) `x` of `n` at `confidence`; 1 gives [0, 1].
///
/// # Errors
/// A negative `x`, `n` not above zero, `x > n`, or a confidence outside (0, 1].
pub fn wilson_limits(x: f64, n: f64, confidence: f64) -> Result<Bounds, IntervalError> {
    check_count(x)?;
    if !(n.is_finite() && n > 0.0) {
        return Err(IntervalError::BadDenominator(n));
    }
    if x > n {
        return Err(IntervalError::NumeratorAboveDenominatorF { x, n });
    }
    check_unit_confidence(confidence)?;
    if confidence >= 1.0 {
        return Ok(Bounds {
            lower: Some(0.0),
            upper: Some(1.0),
        });
    }
    let z = z_for(confidence);
    let z2 = z * z;
    let root = z * (z2 + 4.0 * x * (1.0 - x / n)).sqrt();
    let denom = 2.0 * (n + z2);
    Ok(Bounds {
        lower: Some(((2.0 * x + z2 - root) / denom).max(0.0)),
        upper: Some(((2.0 * x + z2 + root) / denom).min(1.0)),
    })
}

// ---------------------------------------------------------------------------------------------
// Special functions.

const EPS: f64 = 1e-15;
const TINY: f64 = 1e-300;

/// `exp(a ln x − x − lnΓ(a))`, the common factor of the incomplete gamma function.
fn gamma_factor(a: f64, x: f64) -> f64 {
    libm::exp(a * libm::log(x) - x - libm::lgamma(a))
}

/// The regularised incomplete gamma functions (P, Q) at shape `a` > 0 and `x` ≥ 0: the series
/// (DLMF 8.11.4) below `a + 1`, the continued fraction for Q (DLMF 8.9.2, modified Lentz) above.
#[must_use]
pub fn gamma_pq(a: f64, x: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    if x.is_infinite() {
        return (1.0, 0.0);
    }
    if x < a + 1.0 {
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut k = a;
        for _ in 0..10_000 {
            k += 1.0;
            term *= x / k;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        let p = (sum * gamma_factor(a, x)).min(1.0);
        (p, 1.0 - p)
    } else {
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let i = f64::from(i);
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        let q = (gamma_factor(a, x) * h).min(1.0);
        (1.0 - q, q)
    }
}

/// The quantile of the Gamma(shape `a`, scale 1) distribution at probability `p`: the `x` with
/// P(a, x) = p. Shape 0 is the point mass at 0. Safeguarded Newton steps from a Wilson–Hilferty
/// start, solved on whichever tail is smaller for accuracy; NaN for `p` outside [0, 1] or a
/// negative shape.
#[must_use]
pub fn gamma_quantile(p: f64, a: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || a.is_nan() || a < 0.0 {
        return f64::NAN;
    }
    if a == 0.0 || p == 0.0 {
        return 0.0;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let upper = p > 0.5;
    let target = if upper { 1.0 - p } else { p };
    // Wilson–Hilferty start; for small shapes or far lower tails use P ≈ x^a / Γ(a + 1).
    let z = normal_quantile(p);
    let nine = 1.0 / (9.0 * a);
    let mut x = a * (1.0 - nine + z * nine.sqrt()).powi(3);
    let small = libm::exp((libm::log(p) + libm::lgamma(a + 1.0)) / a);
    if x.is_nan() || x <= 0.0 || (a < 1.0 && !upper) || x < small.min(a) {
        x = small.max(f64::MIN_POSITIVE);
    }
    solve_increasing(x, |x| {
        let (pp, qq) = gamma_pq(a, x);
        // Increasing in x: P − p on the lower tail, (1 − p) − Q on the upper.
        let f = if upper { target - qq } else { pp - target };
        let density = libm::exp((a - 1.0) * libm::log(x) - x - libm::lgamma(a));
        (f, density)
    })
}

/// The chi-square quantile with `df` degrees of freedom at probability `p` (`2·Γ⁻¹(p; df/2)`);
/// 0 degrees of freedom gives 0.
///
/// ```
/// use equitas_core::measures::intervals::chi_square_quantile;
/// assert!((chi_square_quantile(0.95, 1.0) - 3.841_458_820_694_124).abs() < 1e-10);
/// assert_eq!(chi_square_quantile(0.025, 0.0), 0.0);
/// ```
#[must_use]
pub fn chi_square_quantile(p: f64, df: f64) -> f64 {
    2.0 * gamma_quantile(p, df / 2.0)
}

/// The regularised incomplete beta function I_x(a, b), by its continued fraction (DLMF 8.17.22,
/// modified Lentz), using I_x(a, b) = 1 − I_{1−x}(b, a) where that converges faster.
#[must_use]
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = libm::exp(
        libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
            + a * libm::log(x)
            + b * libm::log(1.0 - x),
    );
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // Even step.
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        // Odd step.
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The upper tail P(T > t) of Student's t with `df` degrees of freedom, for t ≥ 0.
fn t_upper_tail(t: f64, df: f64) -> f64 {
    0.5 * beta_inc(df / 2.0, 0.5, df / (df + t * t))
}

/// Student's t distribution function at `t` with `df` > 0 degrees of freedom.
#[must_use]
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    if t >= 0.0 {
        1.0 - t_upper_tail(t, df)
    } else {
        t_upper_tail(-t, df)
    }
}

/// The Student t quantile at probability `p` with `df` > 0 degrees of freedom (as R's `qt`).
/// Exact forms for 1 and 2 degrees of freedom; otherwise safeguarded Newton steps on the upper
/// tail from a Cornish–Fisher start. NaN for `p` outside [0, 1] or `df` not above 0.
///
/// ```
/// use equitas_core::measures::intervals::student_t_quantile;
/// assert!((student_t_quantile(0.975, 10.0) - 2.228_138_851_986_274).abs() < 1e-10);
/// ```
#[must_use]
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if df.is_infinite() {
        return normal_quantile(p);
    }
    if df == 1.0 {
        return libm::tan(std::f64::consts::PI * (p - 0.5));
    }
    if df == 2.0 {
        return (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
    }
    let alpha = 1.0 - p;
    let z = normal_quantile(p);
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    let mut t = z
        + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3));
    if t.is_nan() || t <= 0.0 || !t.is_finite() {
        t = z.max(1e-3);
    }
    let log_norm = libm::lgamma((df + 1.0) / 2.0)
        - libm::lgamma(df / 2.0)
        - 0.5 * libm::log(df * std::f64::consts::PI);
    solve_increasing(t, |t| {
        // α − tail(t) increases in t.
        let f = alpha - t_upper_tail(t, df);
        let density = libm::exp(log_norm - (df + 1.0) / 2.0 * libm::log1p(t * t / df));
        (f, density)
    })
}

/// The root in (0, ∞) of an increasing `f`, given `f_and_slope(x) = (f(x), f′(x))`: Newton steps
/// from `x`, kept inside the bracket the signs so far give, falling back to bisection (or
/// doubling while no upper bound is known) when a step would leave it; at most 200 steps, to a
/// relative change of 1e-15.
fn solve_increasing(mut x: f64, f_and_slope: impl Fn(f64) -> (f64, f64)) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    for _ in 0..200 {
        let (f, slope) = f_and_slope(x);
        if f == 0.0 {
            return x;
        }
        if f > 0.0 {
            hi = hi.min(x);
        } else {
            lo = lo.max(x);
        }
        let mut next = x - f / slope;
        if !(next > lo && next < hi && next.is_finite()) {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                x * 2.0
            };
        }
        if (next - x).abs() <= 1e-15 * x.abs() {
            return next;
        }
        x = next;
    }
    x
}

/// The Wilson score interval for `x` events out of `n` at `confidence` (e.g. 0.95).
///
/// ```
/// let p = equitas_core::measures::intervals::wilson(65, 100, 0.95)?;
/// assert!((p.lower - 0.552_544_432_97).abs() < 1e-9 && (p.upper - 0.736_357_517_6).abs() < 1e-9);
/// # Ok::<(), equitas_core::measures::intervals::IntervalError>(())
/// ```
///
/// # Errors
/// `n == 0`, `x > n`, or a confidence outside (0, 1].
pub fn wilson(x: u64, n: u64, confidence: f64) -> Result<Proportion, IntervalError> {
    if n == 0 {
        return Err(IntervalError::ZeroDenominator(n));
    }
    if x > n {
        return Err(IntervalError::NumeratorAboveDenominator { x, n });
    }
    if !(confidence > 0.0 && confidence <= 1.0) {
        return Err(IntervalError::BadConfidence(confidence));
    }
    #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let (xf, nf) = (x as f64, n as f64);
    let value = xf / nf;
    if confidence >= 1.0 {
        return Ok(Proportion {
            value,
            lower: 0.0,
            upper: 1.0,
        });
    }
    let z = normal_quantile(1.0 - (1.0 - confidence) / 2.0);
    let z2 = z * z;
    let root = z * (z2 + 4.0 * xf * (1.0 - xf / nf)).sqrt();
    let denom = 2.0 * (nf + z2);
    Ok(Proportion {
        value,
        lower: ((2.0 * xf + z2 - root) / denom).max(0.0),
        upper: ((2.0 * xf + z2 + root) / denom).min(1.0),
    })
}

/// The standard normal quantile Φ⁻¹(p), by Wichura's algorithm AS 241 (PPND16), accurate to
/// about 1e-16, the method R's `qnorm` uses. Returns ±∞ at 0 and 1 and NaN outside [0, 1].
#[must_use]
#[allow(
    clippy::excessive_precision,
    clippy::unreadable_literal,
    reason = "published coefficients"
)]
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r
                + 67265.770927008700853)
                * r
                + 45921.953931549871457)
                * r
                + 13731.693765509461125)
                * r
                + 1971.5909503065514427)
                * r
                + 133.14166789178437745)
                * r
                + 3.387132872796366608)
            / (((((((r * 5226.495278852545925 + 28729.085735721942674) * r
                + 39307.89580009271061)
                * r
                + 21213.794301586595867)
                * r
                + 5394.1960214247511077)
                * r
                + 687.1870074920579083)
                * r
                + 42.313330701600911252)
                * r
                + 1.0);
    }
    let mut r = if q < 0.0 { p } else { 1.0 - p };
    r = (-libm::log(r)).sqrt();
    let val = if r <= 5.0 {
        r -= 1.6;
        (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r
            + 0.24178072517745061177)
            * r
            + 1.27045825245236838258)
            * r
            + 3.64784832476320460504)
            * r
            + 5.7694972214606914055)
            * r
            + 4.6303378461565452959)
            * r
            + 1.42343711074968357734)
            / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r
                + 0.0151986665636164571966)
                * r
                + 0.14810397642748007459)
                * r
                + 0.68976733498510000455)
                * r
                + 1.6763848301838038494)
                * r
                + 2.05319162663775882187)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r
            + 0.0012426609473880784386)
            * r
            + 0.026532189526576123093)
            * r
            + 0.29656057182850489123)
            * r
            + 1.7848265399172913358)
            * r
            + 5.4637849111641143699)
            * r
            + 6.6579046435011037772)
            / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r
                + 1.8463183175100546818e-5)
                * r
                + 7.868691311456132591e-4)
                * r
                + 0.0148753612908506148525)
                * r
                + 0.13692988092273580531)
                * r
                + 0.59983220655588793769)
                * r
                + 1.0)
    };
    if q < 0.0 { -val } else { val }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_r() {
        // qnorm in R
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((normal_quantile(0.975) - Z95).abs() < 1e-14);
        assert!((normal_quantile(0.999) - 3.090_232_306_167_813).abs() < 1e-13);
        assert!((normal_quantile(0.5)).abs() < 1e-16);
        assert!((normal_quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-12);
    }

    #[test]
    fn wilson_edges_and_errors() {
        let p = wilson(0, 10, 0.95).unwrap();
        assert!(p.lower.abs() < 1e-12 && p.upper > 0.0);
        let p = wilson(10, 10, 0.95).unwrap();
        assert!((p.upper - 1.0).abs() < 1e-12 && p.lower < 1.0);
        assert_eq!(wilson(1, 0, 0.95), Err(IntervalError::ZeroDenominator(0)));
        assert_eq!(
            wilson(11, 10, 0.95).unwrap_err().to_string(),
            "the numerator 11 is greater than the denominator 10"
        );
        let p = wilson(3, 10, 1.0).unwrap();
        assert_eq!((p.lower, p.upper), (0.0, 1.0));
    }
}
