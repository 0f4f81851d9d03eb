//! Deprivation quantiles of small areas within a parent area (`phe_quantile`, §2.9 of
//! `../shared/reference/inequality-measures.md`), by count of small areas, not population, as the
//! Fingertips "Assigning Deprivation Categories" guide does.
//!
//! With N small areas that have a value, rank = 1 + the number of values ranked before (ties take
//! the lowest rank; with `invert`, the default, the highest value ranks first, so the most deprived
//! area by IMD score gets quantile 1), and quantile = ⌊(q + 1) − ⌈((N + 1) − rank)/(N/q)⌉⌋, where a
//! result of 0 becomes 1. Areas without a value get none. N < q gives [`Reason::TooFewAreas`].

use super::{PheError, Reason};

/// The quantile (1..=q) of each value within one parent area; `None` where the value is missing.
///
/// ```
/// use equitas_core::measures::phe::quantile::phe_quantile;
/// // Ten IMD scores, deciles: the highest score (most deprived) is decile 1.
/// let scores: Vec<Option<f64>> = (1..=10).map(|s| Some(f64::from(s))).collect();
/// let q = phe_quantile(&scores, 10, true)?.unwrap();
/// assert_eq!(q[9], Some(1));
/// assert_eq!(q[0], Some(10));
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// `quantiles` of zero, or a value that is NaN or infinite.
pub fn phe_quantile(
    values: &[Option<f64>],
    quantiles: u32,
    invert: bool,
) -> Result<Result<Vec<Option<u32>>, Reason>, PheError> {
    if quantiles == 0 {
        return Err(PheError::Options(
            "the number of quantiles must be 1 or more, got 0".into(),
        ));
    }
    let mut sorted: Vec<f64> = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = *v {
            if !v.is_finite() {
                return Err(PheError::NotFinite {
                    what: format!("value {}", i + 1),
                    value: v,
                });
            }
            sorted.push(v);
        }
    }
    let areas = sorted.len();
    if areas < quantiles as usize {
        return Ok(Err(Reason::TooFewAreas { areas, quantiles }));
    }
    sorted.sort_unstable_by(f64::total_cmp);
    #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let n = areas as f64;
    let q = f64::from(quantiles);
    Ok(Ok(values
        .iter()
        .map(|v| {
            v.map(|v| {
                let before = if invert {
                    areas - sorted.partition_point(|&s| s <= v)
                } else {
                    sorted.partition_point(|&s| s < v)
                };
                #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                let rank = (before + 1) as f64;
                let k = ((q + 1.0) - (((n + 1.0) - rank) / (n / q)).ceil()).floor();
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "1..=q"
                )]
                let k = k.clamp(1.0, q) as u32;
                k
            })
        })
        .collect()))
}
