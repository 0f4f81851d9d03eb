//! Proportions with Wilson limits (`phe_proportion`, §2.3) and crude rates with exact Poisson
//! limits below 10 events and Byar's from 10 (`phe_rate`, §2.4), from
//! `../shared/reference/inequality-measures.md`.
//!
//! Confidence follows PHE's rule: none, one level, or exactly 0.95 and 0.998 together, each as a
//! proportion (0.9–0.999999) or a percentage (90–99.9999). Grouped data are summed by the caller (the CLI
//! sums rows within each group, including when there is only one group; the reference does not
//! sum a frame with exactly one group, §5 item 11, which makes no difference to a single row).

use super::{Estimate, Interval, PheError, finished, non_negative, positive, positive_multiplier};
use crate::measures::intervals::{IntervalError, confidence_pair, poisson_limits, wilson_limits};

/// x/n × multiplier with Wilson limits (scaled by the multiplier).
///
/// ```
/// use equitas_core::measures::phe::rates::phe_proportion;
/// let p = phe_proportion(65.0, 100.0, &[0.95], 100.0)?;
/// assert_eq!(p.value, Some(65.0));
/// assert!((p.intervals[0].lower.unwrap() - 55.254_443_297).abs() < 1e-8);
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// x below zero, n not above zero, x above n, a multiplier not above zero or above
/// [`super::MAX_MULTIPLIER`], or confidence levels PHE does not allow. A value or limit that
/// overflows is left out with [`super::Reason::Overflow`].
pub fn phe_proportion(
    x: f64,
    n: f64,
    confidence: &[f64],
    multiplier: f64,
) -> Result<Estimate, PheError> {
    let levels = confidence_pair(confidence)?;
    positive_multiplier(multiplier)?;
    non_negative(x, || "the numerator".into())?;
    positive(n, || "the denominator".into())?;
    if x > n {
        return Err(IntervalError::NumeratorAboveDenominatorF { x, n }.into());
    }
    let intervals = levels
        .iter()
        .map(|&confidence| {
            let b = wilson_limits(x, n, confidence)?;
            Ok(Interval {
                confidence,
                lower: b.lower.map(|v| v * multiplier),
                upper: b.upper.map(|v| v * multiplier),
            })
        })
        .collect::<Result<Vec<_>, PheError>>()?;
    Ok(finished(Estimate {
        value: Some(x / n * multiplier),
        intervals,
        reason: None,
    }))
}

/// x/n × multiplier (default 100,000 in the reference) with exact Poisson limits when x < 10 and
/// Byar's otherwise, each divided by n and scaled.
///
/// ```
/// use equitas_core::measures::phe::rates::phe_rate;
/// let r = phe_rate(65.0, 100_000.0, &[0.95], 100_000.0)?;
/// assert!((r.intervals[0].lower.unwrap() - 50.163_187_710_46).abs() < 1e-8);
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// x below zero, n not above zero, a multiplier not above zero or above
/// [`super::MAX_MULTIPLIER`], or confidence levels PHE does not allow. A value or limit that
/// overflows is left out with [`super::Reason::Overflow`].
pub fn phe_rate(x: f64, n: f64, confidence: &[f64], multiplier: f64) -> Result<Estimate, PheError> {
    let levels = confidence_pair(confidence)?;
    positive_multiplier(multiplier)?;
    non_negative(x, || "the numerator".into())?;
    positive(n, || "the denominator".into())?;
    let intervals = levels
        .iter()
        .map(|&confidence| {
            let (b, _) = poisson_limits(x, confidence)?;
            Ok(Interval {
                confidence,
                lower: b.lower.map(|v| v / n * multiplier),
                upper: b.upper.map(|v| v / n * multiplier),
            })
        })
        .collect::<Result<Vec<_>, PheError>>()?;
    Ok(finished(Estimate {
        value: Some(x / n * multiplier),
        intervals,
        reason: None,
    }))
}
