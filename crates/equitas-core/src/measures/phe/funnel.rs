//! Funnel-plot control limits and significance (§2.8 of
//! `../shared/reference/inequality-measures.md`, `calculate_funnel_limits` and
//! `assign_funnel_significance`).
//!
//! Proportions: for a population N and z = Φ⁻¹(P), P = 0.975 (2σ, 95%) or 0.999 (3σ, 99.8%), the
//! control limit is the proportion whose Wilson interval just touches the average p̄:
//! F = p̄(N/z² + 1), A = √{[−8p̄(N/z² + 1)]² − 64(1/z² + 1/N)·p̄[N(p̄(N/z² + 2) − 1) + z²(p̄ − 1)]},
//! G = 1/z² + 1/N, limits ((F ∓ A/8)/G)/N × multiplier. An area is compared with the 99.8%
//! limits, then the 95% ones. Ratios (O/E): an area is flagged when 1 lies outside the 99.8% (then
//! 95%) interval of O/E, exact Poisson below 10 observed, Byar's otherwise.
//!
//! Ratio and rate curves: for an expected count E, the control limits of O/E are the observed
//! counts (treated as continuous) whose exact Poisson interval just touches E, divided by E: the
//! lower limit O_L solves χ²(P; 2O_L + 2)/2 = E and the upper O_U solves χ²(1 − P; 2O_U)/2 = E,
//! found by bisection (the reference bisects on the same boundary, §2.8; its curve tables were not
//! available here, so these curves are checked by that defining property, not against its
//! numbers). A rate funnel is the ratio funnel of E = average × denominator / multiplier, scaled
//! by the average rate.

use serde::Serialize;

use super::{PheError, positive, require};
use crate::measures::intervals::{gamma_quantile, normal_quantile, poisson_limits};

/// Which control limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Sigma {
    /// 2σ: z = Φ⁻¹(0.975), the 95% limits.
    Two,
    /// 3σ: z = Φ⁻¹(0.999), the 99.8% limits.
    Three,
}

impl Sigma {
    /// The one-sided probability P: 0.975 or 0.999.
    fn p(self) -> f64 {
        match self {
            Self::Two => 0.975,
            Self::Three => 0.999,
        }
    }

    fn z(self) -> f64 {
        normal_quantile(self.p())
    }
}

/// The continuous count o in [lo, hi] where `f(o)` (increasing in o) crosses `target`, by
/// bisection to a relative width of 1e-12.
fn bisect(f: impl Fn(f64) -> f64, target: f64, mut lo: f64, mut hi: f64) -> f64 {
    while f(hi) < target {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The lower and upper control limits of an observed/expected ratio at expected count
/// `expected` (see the module docs); multiply by 100 for an ISR-style ratio.
///
/// ```
/// use equitas_core::measures::phe::funnel::{ratio_limits, Sigma};
/// let (lo, hi) = ratio_limits(50.0, Sigma::Two)?;
/// assert!(lo < 1.0 && hi > 1.0);
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// An expected count not above zero.
pub fn ratio_limits(expected: f64, sigma: Sigma) -> Result<(f64, f64), PheError> {
    positive(expected, || "the expected count".into())?;
    let p = sigma.p();
    // Upper exact limit of a count o: Γ⁻¹(P; o + 1); it rises with o.
    let lower = if gamma_quantile(p, 1.0) >= expected {
        0.0
    } else {
        bisect(
            |o| gamma_quantile(p, o + 1.0),
            expected,
            0.0,
            expected.max(1.0),
        )
    };
    // Lower exact limit of a count o: Γ⁻¹(1 − P; o).
    let upper = bisect(
        |o| gamma_quantile(1.0 - p, o),
        expected,
        0.0,
        expected.max(1.0),
    );
    Ok((lower / expected, upper / expected))
}

/// The lower and upper control limits of a rate funnel: `average` is the rate per `multiplier`
/// people and `denominator` the population at that point of the funnel.
///
/// # Errors
/// An average or denominator not above zero, or a multiplier not above zero.
pub fn rate_limits(
    average: f64,
    denominator: f64,
    sigma: Sigma,
    multiplier: f64,
) -> Result<(f64, f64), PheError> {
    positive(average, || "the average rate".into())?;
    positive(denominator, || "the denominator".into())?;
    positive(multiplier, || "the multiplier".into())?;
    let (lo, hi) = ratio_limits(average * denominator / multiplier, sigma)?;
    Ok((lo * average, hi * average))
}

/// An area's place on the funnel, with the reference's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Significance {
    /// Below the 99.8% limit.
    #[serde(rename = "Low (0.001)")]
    Low001,
    /// Below the 95% limit only.
    #[serde(rename = "Low (0.025)")]
    Low025,
    /// Above the 95% limit only.
    #[serde(rename = "High (0.025)")]
    High025,
    /// Above the 99.8% limit.
    #[serde(rename = "High (0.001)")]
    High001,
    /// Within the 95% limits.
    #[serde(rename = "Not significant")]
    NotSignificant,
}

impl Significance {
    /// The reference's label, e.g. "Low (0.001)".
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Low001 => "Low (0.001)",
            Self::Low025 => "Low (0.025)",
            Self::High025 => "High (0.025)",
            Self::High001 => "High (0.001)",
            Self::NotSignificant => "Not significant",
        }
    }
}

/// The lower and upper control limits of a proportion funnel at `population`, scaled by
/// `multiplier` (e.g. 100 for percentages).
///
/// ```
/// use equitas_core::measures::phe::funnel::{proportion_limits, Sigma};
/// let (lo, hi) = proportion_limits(0.2, 1000.0, Sigma::Two, 1.0)?;
/// assert!(lo < 0.2 && hi > 0.2);
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// An average outside [0, 1] or a population not above zero.
pub fn proportion_limits(
    average: f64,
    population: f64,
    sigma: Sigma,
    multiplier: f64,
) -> Result<(f64, f64), PheError> {
    require(
        (0.0..=1.0).contains(&average),
        || "the average proportion".into(),
        "between 0 and 1",
        average,
    )?;
    positive(population, || "the population".into())?;
    let (p, n, z) = (average, population, sigma.z());
    let z2 = z * z;
    let f = p * (n / z2 + 1.0);
    let inner = (-8.0 * p * (n / z2 + 1.0)).powi(2)
        - 64.0 * (1.0 / z2 + 1.0 / n) * p * (n * (p * (n / z2 + 2.0) - 1.0) + z2 * (p - 1.0));
    let a = inner.max(0.0).sqrt();
    let g = 1.0 / z2 + 1.0 / n;
    Ok((
        ((f - a / 8.0) / g) / n * multiplier,
        ((f + a / 8.0) / g) / n * multiplier,
    ))
}

/// Where `numerator`/`denominator` sits against the funnel of `average` (99.8% limits first).
///
/// # Errors
/// A numerator below zero or above the denominator, or the errors of [`proportion_limits`].
pub fn proportion_significance(
    numerator: f64,
    denominator: f64,
    average: f64,
) -> Result<Significance, PheError> {
    require(
        numerator >= 0.0 && numerator <= denominator,
        || "the numerator".into(),
        "between 0 and the denominator",
        numerator,
    )?;
    let value = numerator / denominator;
    let (lo3, hi3) = proportion_limits(average, denominator, Sigma::Three, 1.0)?;
    let (lo2, hi2) = proportion_limits(average, denominator, Sigma::Two, 1.0)?;
    Ok(classify(value < lo3, value > hi3, value < lo2, value > hi2))
}

/// Where an observed/expected ratio sits: flagged when 1 lies outside its 99.8% (then 95%)
/// interval.
///
/// # Errors
/// A negative observed count or an expected count not above zero.
pub fn ratio_significance(observed: f64, expected: f64) -> Result<Significance, PheError> {
    positive(expected, || "the expected count".into())?;
    let (b3, _) = poisson_limits(observed, 0.998)?;
    let (b2, _) = poisson_limits(observed, 0.95)?;
    let below = |b: Option<f64>| b.is_some_and(|u| u / expected < 1.0);
    let above = |b: Option<f64>| b.is_some_and(|l| l / expected > 1.0);
    Ok(classify(
        below(b3.upper),
        above(b3.lower),
        below(b2.upper),
        above(b2.lower),
    ))
}

fn classify(low3: bool, high3: bool, low2: bool, high2: bool) -> Significance {
    if low3 {
        Significance::Low001
    } else if high3 {
        Significance::High001
    } else if low2 {
        Significance::Low025
    } else if high2 {
        Significance::High025
    } else {
        Significance::NotSignificant
    }
}
