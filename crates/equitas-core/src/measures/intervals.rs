//! Confidence intervals for counts: Wilson score intervals for proportions.
//!
//! Formulas follow `../shared/reference/inequality-measures.md` §2 (PHEindicatormethods):
//! the Wilson limits for x of n at confidence c are
//! `(2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²))` with `z = Φ⁻¹(1 − (1 − c)/2)`.

use serde::{Deserialize, Serialize};

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
    r = (-r.ln()).sqrt();
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
