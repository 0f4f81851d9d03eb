//! Means with Student t limits (`phe_mean`, §2.7 of `../shared/reference/inequality-measures.md`):
//! mean ± |t((1 − c)/2; count − 1)|·sd/√count, with sd the sample standard deviation.

use serde::Serialize;

use super::{Estimate, Interval, PheError, require};
use crate::measures::intervals::{confidence_pair, student_t_quantile};

/// A mean with its limits and the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mean {
    /// The mean and its t limits.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// How many values.
    pub count: usize,
    /// Their sample standard deviation.
    pub sd: f64,
}

/// The mean of `values` with Student t limits.
///
/// ```
/// use equitas_core::measures::phe::mean::phe_mean;
/// let m = phe_mean(&[1.0, 2.0, 3.0, 4.0, 5.0], &[0.95])?;
/// assert_eq!(m.estimate.value, Some(3.0));
/// // 3 ± 2.776445·√2.5/√5
/// assert!((m.estimate.intervals[0].lower.unwrap() - 1.036_756_838_522_439).abs() < 1e-9);
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// Fewer than two values, a value that is not finite, or confidence levels PHE does not allow.
pub fn phe_mean(values: &[f64], confidence: &[f64]) -> Result<Mean, PheError> {
    let levels = confidence_pair(confidence)?;
    if values.len() < 2 {
        return Err(PheError::Shape(format!(
            "a mean with confidence limits needs at least 2 values, got {}",
            values.len()
        )));
    }
    for (i, &v) in values.iter().enumerate() {
        require(
            v.is_finite(),
            || format!("value {}", i + 1),
            "a finite number",
            v,
        )?;
    }
    #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = |c: f64| student_t_quantile((1.0 - c) / 2.0, n - 1.0).abs() * sd / n.sqrt();
    Ok(Mean {
        estimate: Estimate {
            value: Some(mean),
            intervals: levels
                .iter()
                .map(|&confidence| Interval {
                    confidence,
                    lower: Some(mean - half(confidence)),
                    upper: Some(mean + half(confidence)),
                })
                .collect(),
            reason: None,
        },
        count: values.len(),
        sd,
    })
}
