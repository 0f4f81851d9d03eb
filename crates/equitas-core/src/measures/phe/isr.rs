//! Indirectly standardised ratios and rates (`calculate_ISRatio`, `calculate_ISRate`, §2.6 of
//! `../shared/reference/inequality-measures.md`).
//!
//! Expected E = Σ(x_ref,i/n_ref,i)·n_i (missing counts are 0); observed O = Σx or a given total.
//! Ratio = O/E × refvalue (1 or 100); rate = O/E × ref_rate with ref_rate = Σx_ref/Σn_ref ×
//! multiplier. Limits: exact Poisson limits of O when O < 10, Byar's otherwise, divided by E and
//! scaled the same way.

use serde::{Deserialize, Serialize};

use super::{Estimate, Interval, PheError, non_negative, positive, require};
use crate::measures::intervals::{confidence_pair, poisson_limits};

/// One age band: the area's events and population and the reference's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IsrBand {
    /// Local events; `None` counts as 0.
    pub x: Option<f64>,
    /// Local population (≥ 0).
    pub n: f64,
    /// Reference events; `None` counts as 0.
    pub x_ref: Option<f64>,
    /// Reference population (> 0).
    pub n_ref: f64,
}

/// (observed, expected, Σx_ref, Σn_ref) after validation.
fn totals(bands: &[IsrBand], observed: Option<f64>) -> Result<(f64, f64, f64, f64), PheError> {
    let (mut o, mut e, mut xr, mut nr) = (0.0, 0.0, 0.0, 0.0);
    for (i, b) in bands.iter().enumerate() {
        let band = i + 1;
        let x = b.x.unwrap_or(0.0);
        let x_ref = b.x_ref.unwrap_or(0.0);
        non_negative(x, || format!("the count of band {band}"))?;
        non_negative(b.n, || format!("the population of band {band}"))?;
        non_negative(x_ref, || format!("the reference count of band {band}"))?;
        positive(b.n_ref, || {
            format!("the reference population of band {band}")
        })?;
        o += x;
        e += x_ref / b.n_ref * b.n;
        xr += x_ref;
        nr += b.n_ref;
    }
    let o = observed.unwrap_or(o);
    non_negative(o, || "the observed total".into())?;
    require(
        e > 0.0,
        || "the expected count".into(),
        "greater than zero",
        e,
    )?;
    Ok((o, e, xr, nr))
}

fn scaled(o: f64, e: f64, scale: f64, confidence: &[f64]) -> Result<Estimate, PheError> {
    let levels = confidence_pair(confidence)?;
    let intervals = levels
        .iter()
        .map(|&confidence| {
            let (b, _) = poisson_limits(o, confidence)?;
            Ok(Interval {
                confidence,
                lower: b.lower.map(|l| l / e * scale),
                upper: b.upper.map(|u| u / e * scale),
            })
        })
        .collect::<Result<Vec<_>, PheError>>()?;
    Ok(Estimate {
        value: Some(o / e * scale),
        intervals,
        reason: None,
    })
}

/// The indirectly standardised ratio O/E × `refvalue` with its limits.
///
/// ```
/// use equitas_core::measures::phe::isr::{calculate_isratio, IsrBand};
/// let bands = [
///     IsrBand { x: Some(30.0), n: 1000.0, x_ref: Some(200.0), n_ref: 10_000.0 },
///     IsrBand { x: Some(10.0), n: 2000.0, x_ref: Some(50.0), n_ref: 10_000.0 },
/// ];
/// let r = calculate_isratio(&bands, None, &[0.95], 100.0)?;
/// assert!((r.value.unwrap() - 133.333_333_333).abs() < 1e-6); // 40 observed, 30 expected
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// Negative counts or populations, a reference population not above zero, an expected count of
/// zero, a `refvalue` not above zero, or confidence levels PHE does not allow.
pub fn calculate_isratio(
    bands: &[IsrBand],
    observed: Option<f64>,
    confidence: &[f64],
    refvalue: f64,
) -> Result<Estimate, PheError> {
    positive(refvalue, || "refvalue".into())?;
    let (o, e, _, _) = totals(bands, observed)?;
    scaled(o, e, refvalue, confidence)
}

/// The indirectly standardised rate O/E × ref_rate (ref_rate = Σx_ref/Σn_ref × `multiplier`).
///
/// # Errors
/// As [`calculate_isratio`], with the multiplier in place of `refvalue`.
pub fn calculate_israte(
    bands: &[IsrBand],
    observed: Option<f64>,
    confidence: &[f64],
    multiplier: f64,
) -> Result<Estimate, PheError> {
    positive(multiplier, || "the multiplier".into())?;
    let (o, e, xr, nr) = totals(bands, observed)?;
    scaled(o, e, xr / nr * multiplier, confidence)
}
