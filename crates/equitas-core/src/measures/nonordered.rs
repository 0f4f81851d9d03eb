//! Non-ordered complex measures (spec §1.2, §7.3; heatmeasures `calc-bgv.R` … `calc-mld.R`;
//! technical notes `ch3-4-*.html` to `ch3-6-*.html`).
//!
//! They use the subgroups with an estimate: up to 15% may be missing, more than 2 must remain,
//! and shares p are recomputed over them. Weighted measures need every remaining population.
//! BGV, TI and MLD have analytic intervals; the others are simulated (§1.1), with the details
//! [`Compat`] lists.

use super::{Compat, Estimate, MeasureId, Prepared, Reason};

/// The replacement for a zero estimate before logarithms (TI, MLD).
const ZERO_FOR_LOG: f64 = 1e-6;

pub(super) fn measure(prep: &mut Prepared<'_>, m: MeasureId) -> Result<Estimate, Reason> {
    match m {
        MeasureId::Bgv => bgv(prep),
        MeasureId::Ti | MeasureId::Mld => theil(prep, m == MeasureId::Ti),
        _ => simulated(prep, m),
    }
}

/// BGV = Σ p (y − μ)², μ = Σ p y; var = 4 Σ p²σ²(y − μ)² + 2[(Σ p²σ²)² − Σ p⁴σ⁴ +
/// Σ p²(1 − p)²σ⁴]; CI normal (§1.2).
fn bgv(prep: &Prepared<'_>) -> Result<Estimate, Reason> {
    let p = prep.check_weighted()?;
    let mu = weighted(p, &prep.y);
    let value: f64 = p
        .iter()
        .zip(&prep.y)
        .map(|(p, y)| p * (y - mu).powi(2))
        .sum();
    let se = present_ses(prep).map(|se| {
        let (mut lin, mut s2, mut s4, mut s4c) = (0.0, 0.0, 0.0, 0.0);
        for ((&p, &y), &s) in p.iter().zip(&prep.y).zip(&se) {
            let v = p * p * s * s;
            lin += v * (y - mu).powi(2);
            s2 += v;
            s4 += v * v;
            s4c += v * s * s * (1.0 - p).powi(2);
        }
        (4.0 * lin + 2.0 * (s2 * s2 - s4 + s4c)).sqrt()
    });
    Ok(Estimate::normal(value, se, prep.z))
}

/// TI = 1000 Σ p r ln r and MLD = 1000 Σ p (−ln r), r = y/μ, zeros replaced by 1e-6 (§1.2).
///
/// var(TI) = Σ p²σ²[(1 + ln r) − Σ p r (1 + ln r)]²/μ²; var(MLD) = Σ (p²σ²/μ²)(1 − 1/r)².
/// `HeatV6` and `Healthequal` report that SE unscaled and give CI = value ± z·SE (about 1000×
/// too narrow); `Corrected` multiplies the SE by 1000. μ is the weighted mean of the raw
/// estimates (`HeatV6`, `Corrected`) or of the zero-replaced ones (`Healthequal`).
fn theil(prep: &Prepared<'_>, ti: bool) -> Result<Estimate, Reason> {
    let p = prep.check_weighted()?;
    let yz: Vec<f64> = prep
        .y
        .iter()
        .map(|&y| if y == 0.0 { ZERO_FOR_LOG } else { y })
        .collect();
    let mu = if prep.options.compat == Compat::Healthequal {
        weighted(p, &yz)
    } else {
        weighted(p, &prep.y)
    };
    if mu == 0.0 {
        return Err(Reason::ZeroAverage);
    }
    let r: Vec<f64> = yz.iter().map(|y| y / mu).collect();
    let value = if ti {
        1000.0
            * p.iter()
                .zip(&r)
                .map(|(p, r)| p * r * libm::log(*r))
                .sum::<f64>()
    } else {
        1000.0
            * p.iter()
                .zip(&r)
                .map(|(p, r)| -p * libm::log(*r))
                .sum::<f64>()
    };
    let se = present_ses(prep).map(|se| {
        let centre: f64 = p
            .iter()
            .zip(&r)
            .map(|(p, r)| p * r * (1.0 + libm::log(*r)))
            .sum();
        let var: f64 = (0..r.len())
            .map(|j| {
                let t = if ti {
                    (1.0 + libm::log(r[j])) - centre
                } else {
                    1.0 - 1.0 / r[j]
                };
                (p[j] * se[j] * t / mu).powi(2)
            })
            .sum();
        let k = if prep.options.compat == Compat::Corrected {
            1000.0
        } else {
            1.0
        };
        var.sqrt() * k
    });
    Ok(Estimate::normal(value, se, prep.z))
}

/// Where a mean-difference measure takes its μ from.
#[derive(Clone, Copy)]
enum Mu {
    /// The weighted mean of the estimates, recomputed on each simulated copy when `resim`.
    Weighted { resim: bool },
    /// A fixed value (the setting average, or the original weighted mean).
    Fixed(f64),
    /// The setting average for the estimate, and each simulated copy's own weighted mean for
    /// the interval (`healthequal`'s MDMU and IDISU when both are given).
    AverageThenWeighted(f64),
}

/// Whether `m` has a simulated interval: BGSD, COV, MDMU, MDMW, MDBU, MDBW, MDRU, MDRW, IDISU,
/// IDISW.
pub(super) const fn is_simulated(m: MeasureId) -> bool {
    matches!(
        m,
        MeasureId::Bgsd
            | MeasureId::Cov
            | MeasureId::Mdmu
            | MeasureId::Mdmw
            | MeasureId::Mdbu
            | MeasureId::Mdbw
            | MeasureId::Mdru
            | MeasureId::Mdrw
            | MeasureId::Idisu
            | MeasureId::Idisw
    )
}

/// A simulated measure checked against its stratum, with what its statistic needs: computed
/// once, then applied to the estimates and to every simulated copy of them.
#[derive(Clone, Copy)]
pub(super) struct Plan {
    /// The measure.
    pub(super) m: MeasureId,
    mu: Mu,
    /// The reference subgroup's position among the present rows (MDRU, MDRW).
    reference: Option<usize>,
}

/// HEAT's checks for the simulated measure `m` (§1.1) and where its μ and reference come from,
/// before anything is drawn.
pub(super) fn plan(prep: &Prepared<'_>, m: MeasureId) -> Result<Plan, Reason> {
    let compat = prep.options.compat;
    let healthequal = compat == Compat::Healthequal;
    let weighted_measure = matches!(
        m,
        MeasureId::Bgsd
            | MeasureId::Cov
            | MeasureId::Mdmw
            | MeasureId::Mdbw
            | MeasureId::Mdrw
            | MeasureId::Idisw
    );
    if weighted_measure {
        prep.check_weighted()?;
    } else {
        prep.check_present()?;
    }
    let reference =
        if matches!(m, MeasureId::Mdru | MeasureId::Mdrw) {
            let r = prep.reference()?.ok_or(Reason::NoReference)?;
            let pos = prep.present.iter().position(|&i| i == r).ok_or_else(|| {
                Reason::MissingEstimate {
                    subgroup: prep.rows[r].label.to_owned(),
                }
            })?;
            Some(pos)
        } else {
            None
        };
    let mu_w = prep.weighted_mean;
    let mu = match m {
        MeasureId::Mdmu | MeasureId::Idisu => {
            let average = prep.stratum.setting_average;
            let chosen = match (compat, m) {
                // healthequal's `mdmu()` and `idisu()`: the estimate uses the setting average
                // when one is given, else the weighted mean; every simulated copy recomputes
                // the weighted mean whenever populations are given (`mean_sim <- sum(popsh *
                // simulation)`), else keeps the setting average. (With both given, `idisu()`
                // stops with an error, `popsh` being undefined there; equitas does as `mdmu()`.)
                (Compat::Healthequal, _) => match (average, mu_w) {
                    (Some(a), Some(_)) => Some(Mu::AverageThenWeighted(a)),
                    (Some(a), None) => Some(Mu::Fixed(a)),
                    (None, Some(_)) => Some(Mu::Weighted { resim: true }),
                    (None, None) => None,
                },
                (Compat::HeatV6, MeasureId::Mdmu) => mu_w.map(|_| Mu::Weighted { resim: true }),
                _ => mu_w
                    .map(|_| Mu::Weighted { resim: true })
                    .or(average.map(Mu::Fixed)),
            };
            match chosen {
                Some(mu) => mu,
                None if compat == Compat::HeatV6 && m == MeasureId::Mdmu => {
                    // heatmeasures' MDMU needs Σ p y, whatever the setting average.
                    prep.shares()?;
                    return Err(prep.missing_average());
                }
                None => return Err(prep.missing_average()),
            }
        }
        MeasureId::Bgsd | MeasureId::Cov => Mu::Weighted { resim: healthequal },
        MeasureId::Idisw => Mu::Weighted {
            resim: !healthequal,
        },
        _ => Mu::Weighted { resim: true },
    };
    Ok(Plan { m, mu, reference })
}

impl Plan {
    /// μ for the estimates `y` (`simulated`: a simulated copy).
    fn mu_of(&self, prep: &Prepared<'_>, y: &[f64], simulated: bool) -> f64 {
        let p: &[f64] = prep.p.as_deref().unwrap_or(&[]);
        match self.mu {
            Mu::Fixed(v) => v,
            Mu::AverageThenWeighted(v) if !simulated => v,
            Mu::Weighted { resim } if simulated && !resim => prep.weighted_mean.unwrap_or(f64::NAN),
            Mu::Weighted { .. } | Mu::AverageThenWeighted(_) => weighted(p, y),
        }
    }

    /// The measure on the estimates `y` of the present rows (`simulated`: a simulated copy).
    pub(super) fn stat(&self, prep: &Prepared<'_>, y: &[f64], simulated: bool) -> f64 {
        let m = self.m;
        let favourable = prep.stratum.favourable;
        let p: &[f64] = prep.p.as_deref().unwrap_or(&[]);
        #[allow(clippy::cast_precision_loss, reason = "subgroup counts far below 2^52")]
        let k = prep.y.len() as f64;
        let best_of = |y: &[f64]| {
            let mut best = y.first().copied().unwrap_or(f64::NAN);
            for &v in y {
                if (favourable && v > best) || (!favourable && v < best) {
                    best = v;
                }
            }
            best
        };
        let mean_abs = |c: f64, weighted_sum: bool| -> f64 {
            if weighted_sum {
                p.iter().zip(y).map(|(p, y)| p * (y - c).abs()).sum()
            } else {
                y.iter().map(|y| (y - c).abs()).sum::<f64>() / k
            }
        };
        match m {
            MeasureId::Bgsd | MeasureId::Cov => {
                let c = self.mu_of(prep, y, simulated);
                let sd = p
                    .iter()
                    .zip(y)
                    .map(|(p, y)| p * (y - c).powi(2))
                    .sum::<f64>()
                    .sqrt();
                if m == MeasureId::Cov {
                    100.0 * sd / c
                } else {
                    sd
                }
            }
            MeasureId::Mdmu | MeasureId::Mdmw => {
                mean_abs(self.mu_of(prep, y, simulated), m == MeasureId::Mdmw)
            }
            MeasureId::Idisu | MeasureId::Idisw => {
                let c = self.mu_of(prep, y, simulated);
                100.0 * mean_abs(c, m == MeasureId::Idisw) / c
            }
            MeasureId::Mdbu | MeasureId::Mdbw => mean_abs(best_of(y), m == MeasureId::Mdbw),
            MeasureId::Mdru | MeasureId::Mdrw => {
                let r = if simulated && prep.options.compat == Compat::HeatV6 {
                    best_of(y)
                } else {
                    self.reference
                        .and_then(|j| y.get(j).copied())
                        .unwrap_or(f64::NAN)
                };
                mean_abs(r, m == MeasureId::Mdrw)
            }
            _ => f64::NAN,
        }
    }
}

/// The measures with simulated intervals (§1.2, §7.3): the value from the estimates, the
/// interval from the stratum's simulation, which draws every copy once for all the simulated
/// measures asked of the stratum ([`Prepared::simulated_interval`]).
fn simulated(prep: &mut Prepared<'_>, m: MeasureId) -> Result<Estimate, Reason> {
    let plan = plan(prep, m)?;
    let ci = prep.simulated_interval(m)?;
    let relative = matches!(m, MeasureId::Cov | MeasureId::Idisu | MeasureId::Idisw);
    if relative && plan.mu_of(prep, &prep.y, false) == 0.0 {
        return Err(Reason::ZeroAverage);
    }
    let value = plan.stat(prep, &prep.y, false);
    Ok(Estimate {
        value,
        se: None,
        lower: ci.map(|c| c.0),
        upper: ci.map(|c| c.1),
    })
}

fn weighted(p: &[f64], y: &[f64]) -> f64 {
    p.iter().zip(y).map(|(p, y)| p * y).sum()
}

/// The SEs of the present rows, if every one has one.
fn present_ses(prep: &Prepared<'_>) -> Option<Vec<f64>> {
    prep.present.iter().map(|&i| prep.rows[i].se).collect()
}
