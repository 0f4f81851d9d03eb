//! Difference (D) and ratio (R): spec §1.2 and §7.1 (heatmeasures `calc-d.R`, `calc-r.R`,
//! `get_est_se_min_max`; technical notes `ch3-1-1.html`, `ch3-1-2.html`).
//!
//! The pair (y₁, y₂):
//! * ordered dimension: favourable → (max order, min order); adverse → (min order, max order);
//! * a flagged reference: favourable → (reference, lowest other); adverse → (highest other,
//!   reference);
//! * otherwise the highest and the lowest estimate, whatever the indicator type.
//!
//! Ties go to the first subgroup (in order for ordered dimensions, in row order otherwise).

use super::{Estimate, Prepared, Reason};

/// A row index into `prep.rows` with its estimate.
type Picked = (usize, f64);

/// (y₁, y₂) with their rows.
fn pair(prep: &Prepared<'_>) -> Result<(Picked, Picked), Reason> {
    let rows = &prep.rows;
    let missing = |i: usize| Reason::MissingEstimate {
        subgroup: rows[i].label.to_owned(),
    };
    if rows.len() < 2 {
        return Err(Reason::TooFewSubgroups {
            needed: 2,
            got: rows.len(),
        });
    }
    // `test_d_r_fail`: two subgroups with any missing estimate.
    if rows.len() == 2
        && let Some(i) = (0..2).find(|&i| rows[i].y.is_none())
    {
        return Err(missing(i));
    }
    let with_y = |i: usize| rows[i].y.map(|y| (i, y)).ok_or_else(|| missing(i));
    if prep.stratum.ordered {
        // Rows are sorted by order: the first is the lowest; the first of the highest ties.
        let top = rows.last().map_or(0, |r| r.order);
        let hi = rows.iter().position(|r| r.order == top).unwrap_or(0);
        let (lo, hi) = (with_y(0)?, with_y(hi)?);
        return Ok(if prep.stratum.favourable {
            (hi, lo)
        } else {
            (lo, hi)
        });
    }
    let extreme = |skip: Option<usize>, highest: bool| {
        let mut best: Option<Picked> = None;
        for &i in &prep.present {
            if Some(i) == skip {
                continue;
            }
            if let Some(y) = rows[i].y
                && best.is_none_or(|(_, b)| if highest { y > b } else { y < b })
            {
                best = Some((i, y));
            }
        }
        best
    };
    let too_few = || Reason::TooFewSubgroups {
        needed: 2,
        got: prep.present.len(),
    };
    if let Some(r) = prep.reference()? {
        let reference = with_y(r)?;
        let other = extreme(Some(r), !prep.stratum.favourable).ok_or_else(too_few)?;
        return Ok(if prep.stratum.favourable {
            (reference, other)
        } else {
            (other, reference)
        });
    }
    match (extreme(None, true), extreme(None, false)) {
        (Some(hi), Some(lo)) if prep.present.len() >= 2 => Ok((hi, lo)),
        _ => Err(too_few()),
    }
}

/// D = y₁ − y₂, SE = √(σ₁² + σ₂²), CI = D ± z·SE.
pub(super) fn difference(prep: &Prepared<'_>) -> Result<Estimate, Reason> {
    let ((i1, y1), (i2, y2)) = pair(prep)?;
    let se = prep.rows[i1]
        .se
        .zip(prep.rows[i2].se)
        .map(|(a, b)| (a * a + b * b).sqrt());
    Ok(Estimate::normal(y1 - y2, se, prep.z))
}

/// R = y₁/y₂; SE_R = √((σ₁² + R²σ₂²)/y₂²); the reported SE is SE_R/R (log scale) and the CI is
/// exp(ln R ± z·SE_R/R). y₂ = 0 is an infinite ratio, which HEAT drops.
pub(super) fn ratio(prep: &Prepared<'_>) -> Result<Estimate, Reason> {
    let ((i1, y1), (i2, y2)) = pair(prep)?;
    if y2 == 0.0 {
        return Err(Reason::InfiniteRatio {
            subgroup: prep.rows[i2].label.to_owned(),
        });
    }
    let r = y1 / y2;
    let log_se = prep.rows[i1].se.zip(prep.rows[i2].se).map(|(s1, s2)| {
        let se_r = ((s1 * s1 + r * r * s2 * s2) / (y2 * y2)).sqrt();
        se_r / r
    });
    let log_se = log_se.filter(|s| s.is_finite() && r > 0.0);
    Ok(Estimate {
        value: r,
        se: log_se,
        lower: log_se.map(|s| libm::exp(libm::log(r) - prep.z * s)),
        upper: log_se.map(|s| libm::exp(libm::log(r) + prep.z * s)),
    })
}
