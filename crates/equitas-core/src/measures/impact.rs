//! Impact measures: population attributable risk (PAR) and fraction (PAF) (spec §1.2, §7.4;
//! heatmeasures `calc-par.R`, `calc-paf.R`; technical notes `ch3-7-1.html`, `ch3-7-2.html`).
//!
//! The reference value y_ref is the flagged reference subgroup; without one, the most advantaged
//! subgroup (highest order) of an ordered dimension, whatever the indicator type; otherwise the
//! best estimate (highest if favourable, lowest if adverse; first on ties). `Healthequal`
//! ignores the flag. μ is the weighted mean, or the setting average when a population is missing.
//!
//! One deliberate difference from heatmeasures: the reference population is the reference row's,
//! not `pop[est == ref_est]` (which picks the wrong row when two subgroups tie).

use super::{Compat, Estimate, Prepared, Reason};

/// PAR = y_ref − μ and PAF = 100·PAR/μ, each set to 0 when it points the "wrong" way (negative
/// for a favourable indicator, positive for an adverse one).
///
/// SE of PAF (Walter's 2×2 table, fraction scale): c = (y_ref/scale)·n_ref, d = n_ref − c,
/// a = (μ/scale)·N − c, b = N − a − n_ref, var = cN[ad(N − c) + bc²]/[(a + c)³(c + d)³].
/// `HeatV6`: CI = PAF ± z·SE with PAF in percent and SE a fraction (as heatmeasures); `Corrected`
/// reports SE ×100. PAR SE = μ·SE (the fraction's), CI = PAR ± z·SE.
pub(super) fn par_paf(prep: &Prepared<'_>, fraction: bool) -> Result<Estimate, Reason> {
    let rows = &prep.rows;
    let flagged = if prep.options.compat == Compat::Healthequal {
        None
    } else {
        prep.reference()?
    };
    let reference = match flagged {
        Some(r) => r,
        None if prep.stratum.ordered => {
            let top = rows.last().map_or(0, |r| r.order);
            rows.iter()
                .position(|r| r.order == top)
                .ok_or(Reason::TooFewSubgroups { needed: 1, got: 0 })?
        }
        None => {
            let mut best: Option<(usize, f64)> = None;
            for &i in &prep.present {
                if let Some(y) = rows[i].y
                    && best.is_none_or(|(_, b)| {
                        if prep.stratum.favourable {
                            y > b
                        } else {
                            y < b
                        }
                    })
                {
                    best = Some((i, y));
                }
            }
            best.map(|b| b.0)
                .ok_or(Reason::TooFewSubgroups { needed: 1, got: 0 })?
        }
    };
    let y_ref = rows[reference].y.ok_or_else(|| Reason::MissingEstimate {
        subgroup: rows[reference].label.to_owned(),
    })?;
    let mu = match prep.mu_heat() {
        Some(mu) => mu,
        None => return Err(prep.missing_average()),
    };
    if fraction && mu == 0.0 {
        return Err(Reason::ZeroAverage);
    }
    let mut par = y_ref - mu;
    if (prep.stratum.favourable && par < 0.0) || (!prep.stratum.favourable && par > 0.0) {
        par = 0.0;
    }
    let se_fraction = paf_se(prep, reference, y_ref, mu);
    if fraction {
        let se_reported = if prep.options.compat == Compat::Corrected {
            se_fraction.map(|s| s * 100.0)
        } else {
            se_fraction
        };
        Ok(Estimate::normal(100.0 * par / mu, se_reported, prep.z))
    } else {
        Ok(Estimate::normal(
            par,
            se_fraction.map(|s| (mu * s).abs()),
            prep.z,
        ))
    }
}

/// Walter's SE of the attributable fraction, or `None` without the populations.
fn paf_se(prep: &Prepared<'_>, reference: usize, y_ref: f64, mu: f64) -> Option<f64> {
    let scale = prep.stratum.scale;
    let n_ref = prep.rows[reference].n?;
    let big_n: f64 = prep
        .present
        .iter()
        .map(|&i| prep.rows[i].n)
        .sum::<Option<f64>>()?;
    let c = y_ref / scale * n_ref;
    let d = n_ref - c;
    let a = mu / scale * big_n - c;
    let b = big_n - a - n_ref;
    let var = c * big_n * (a * d * (big_n - c) + b * c * c) / ((a + c).powi(3) * (c + d).powi(3));
    let se = var.sqrt();
    se.is_finite().then_some(se)
}
