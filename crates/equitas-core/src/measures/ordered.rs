//! Ordered complex measures: ACI, RCI, SII, RII (spec §1.2, §7.2; heatmeasures `calc-aci.R`,
//! `calc-rci.R`, `calc-sii.R`, `calc-rii.R`; technical notes `ch3-2-*.html`, `ch3-3-*.html`).
//!
//! All need an ordered dimension, every estimate and population, more than 2 subgroups and
//! estimates not all zero (§1.1). Subgroups are taken in `order` (1 = most disadvantaged), not in
//! row order. The relative rank (ridit) of subgroup j is X_j = Σ_{o_i < o_j} p_i + ½ Σ_{o_i = o_j}
//! p_i, so tied orders share the midpoint of their group.
//!
//! SII and RII take their shares from the populations rounded up to whole people, ⌈n_j⌉, as
//! healthequal (`pop <- ceiling(pop)` in `sii.R` and `rii.R`) and heatmeasures do before ranking:
//! the ridits, the weights of either fit and the logistic counts all use the rounded
//! populations. ACI and RCI use the populations as given, as both references do. Populations are
//! counts of people; a file that gives shares or thousands instead would have them rounded up to
//! 1 each by the references too, so give them as counts.

use super::{Compat, ConcentrationSe, Estimate, Prepared, Reason, SiiMethod};

/// The rows of an ordered stratum, in order.
struct Ordered {
    y: Vec<f64>,
    n: Vec<f64>,
    p: Vec<f64>,
    x: Vec<f64>,
    se: Option<Vec<f64>>,
}

/// HEAT's checks for ordered measures (§1.1) and the ridits; `whole` rounds every population up
/// first (SII and RII, as the references do).
fn prepare(prep: &Prepared<'_>, whole: bool) -> Result<Ordered, Reason> {
    if !prep.stratum.ordered {
        return Err(Reason::NotOrdered);
    }
    let mut y = Vec::with_capacity(prep.rows.len());
    let mut n = Vec::with_capacity(prep.rows.len());
    for r in &prep.rows {
        y.push(r.y.ok_or_else(|| Reason::MissingEstimate {
            subgroup: r.label.to_owned(),
        })?);
        let given = r.n.ok_or_else(|| Reason::MissingPopulation {
            subgroup: r.label.to_owned(),
        })?;
        n.push(if whole { given.ceil() } else { given });
    }
    if y.len() < 3 {
        return Err(Reason::TooFewSubgroups {
            needed: 3,
            got: y.len(),
        });
    }
    let total: f64 = n.iter().sum();
    if total <= 0.0 {
        return Err(Reason::ZeroPopulation);
    }
    if y.iter().all(|&v| v == 0.0) {
        return Err(Reason::AllZero);
    }
    let p: Vec<f64> = n.iter().map(|v| v / total).collect();
    let mut x = vec![0.0; p.len()];
    let mut below = 0.0;
    let mut start = 0;
    while start < p.len() {
        let order = prep.rows[start].order;
        let end = (start..p.len())
            .find(|&j| prep.rows[j].order != order)
            .unwrap_or(p.len());
        let group: f64 = p[start..end].iter().sum();
        for v in &mut x[start..end] {
            *v = below + group / 2.0;
        }
        below += group;
        start = end;
    }
    let se = prep.rows.iter().map(|r| r.se).collect();
    Ok(Ordered { y, n, p, x, se })
}

/// A symmetric 2×2 matrix [[a, b], [b, c]].
#[derive(Clone, Copy, Default)]
struct Sym2 {
    a: f64,
    b: f64,
    c: f64,
}

impl Sym2 {
    /// Add w·v vᵀ for v = (v0, v1).
    fn add_outer(&mut self, w: f64, v0: f64, v1: f64) {
        self.a += w * v0 * v0;
        self.b += w * v0 * v1;
        self.c += w * v1 * v1;
    }
    fn inverse(self) -> Option<Self> {
        let det = self.a * self.c - self.b * self.b;
        (det.is_finite() && det != 0.0).then(|| Self {
            a: self.c / det,
            b: -self.b / det,
            c: self.a / det,
        })
    }
    /// Solve self · (u, v) = (r0, r1).
    fn solve(self, r0: f64, r1: f64) -> Option<(f64, f64)> {
        let i = self.inverse()?;
        Some((i.a * r0 + i.b * r1, i.b * r0 + i.c * r1))
    }
    /// B M B for symmetric B, M.
    fn sandwich(self, m: Self) -> Self {
        // (B M) then (B M) B.
        let (bm00, bm01) = (self.a * m.a + self.b * m.b, self.a * m.b + self.b * m.c);
        let (bm10, bm11) = (self.b * m.a + self.c * m.b, self.b * m.b + self.c * m.c);
        Self {
            a: bm00 * self.a + bm01 * self.b,
            b: bm00 * self.b + bm01 * self.c,
            c: bm10 * self.b + bm11 * self.c,
        }
    }
    /// gᵀ self g.
    fn quad(self, g0: f64, g1: f64) -> f64 {
        g0 * g0 * self.a + 2.0 * g0 * g1 * self.b + g1 * g1 * self.c
    }
}

/// ACI = Σ p_j (2X_j − 1) y_j; RCI = ACI/ȳ with ȳ = Σ p_j y_j (§7.2).
///
/// SE ([`ConcentrationSe::Regression`]): the "convenient regression" of 2σ_R² y_j √n_j on
/// X_j √n_j and √n_j (no intercept), σ_R² = Σ p_j (X_j − ½)², OLS SE of the first coefficient
/// with k − 2 degrees of freedom; RCI's is that over ȳ. [`ConcentrationSe::Analytic`]:
/// √Σ p²σ²(2X − 1)² for ACI and √Σ p²σ²[(2X − 1) − RCI]²/ȳ for RCI. CI = value ± z·SE.
/// `rci_percent` multiplies RCI, its SE and CI by 100.
pub(super) fn aci(prep: &Prepared<'_>, relative: bool) -> Result<Estimate, Reason> {
    let o = prepare(prep, false)?;
    let aci: f64 = (0..o.y.len())
        .map(|j| o.p[j] * (2.0 * o.x[j] - 1.0) * o.y[j])
        .sum();
    let mean: f64 = o.p.iter().zip(&o.y).map(|(p, y)| p * y).sum();
    if relative && mean == 0.0 {
        return Err(Reason::ZeroAverage);
    }
    let value = if relative { aci / mean } else { aci };
    let se = match prep.options.concentration_se {
        ConcentrationSe::Regression => {
            regression_se(&o).map(|s| if relative { s / mean.abs() } else { s })
        }
        ConcentrationSe::Analytic => o.se.as_ref().map(|se| {
            let shift = if relative { value } else { 0.0 };
            let v: f64 = (0..o.y.len())
                .map(|j| (o.p[j] * se[j] * ((2.0 * o.x[j] - 1.0) - shift)).powi(2))
                .sum();
            if relative {
                v.sqrt() / mean.abs()
            } else {
                v.sqrt()
            }
        }),
    };
    let k = if relative && prep.options.rci_percent {
        100.0
    } else {
        1.0
    };
    Ok(Estimate::normal(value * k, se.map(|s| s * k), prep.z))
}

/// The OLS SE of ACI in the convenient regression (§1.2).
fn regression_se(o: &Ordered) -> Option<f64> {
    let k = o.y.len();
    let var_r: f64 =
        o.p.iter()
            .zip(&o.x)
            .map(|(p, x)| p * (x - 0.5).powi(2))
            .sum();
    let mut ztz = Sym2::default();
    let (mut r0, mut r1) = (0.0, 0.0);
    for j in 0..k {
        let s = o.n[j].sqrt();
        let (a, b) = (o.x[j] * s, s);
        let lhs = 2.0 * var_r * o.y[j] * s;
        ztz.add_outer(1.0, a, b);
        r0 += a * lhs;
        r1 += b * lhs;
    }
    let (c0, c1) = ztz.solve(r0, r1)?;
    let rss: f64 = (0..k)
        .map(|j| {
            let s = o.n[j].sqrt();
            (2.0 * var_r * o.y[j] * s - c0 * o.x[j] * s - c1 * s).powi(2)
        })
        .sum();
    #[allow(clippy::cast_precision_loss, reason = "few subgroups")]
    let s2 = rss / (k - 2) as f64;
    Some((s2 * ztz.inverse()?.a).sqrt())
}

/// `healthequal`'s scale inference for SII (§1.2 step 2): the largest of 1, 100, 1000, 10⁴, 10⁵,
/// 10⁶ brackets any estimate falls in.
fn inferred_scale(y: &[f64]) -> f64 {
    let max = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    [1.0, 100.0, 1000.0, 10_000.0, 100_000.0]
        .into_iter()
        .find(|&s| max <= s)
        .unwrap_or(1_000_000.0)
}

fn expit(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}

/// A fitted line on the ridit (v₀ = fit at 0, v₁ at 1) with its HC1 covariance.
struct Fit {
    alpha: f64,
    beta: f64,
    cov: Sym2,
}

/// R's `glm` convergence tolerance and iteration limit.
const GLM_EPSILON: f64 = 1e-8;
const GLM_MAXIT: u32 = 25;
/// Relative coefficient change below which the logistic fit is stationary.
const STATIONARY: f64 = 1e-12;

/// Logistic IRLS on c_j/P_j with prior weights P_j² (as R's `glm(cbind(c, P − c) ~ X,
/// weights = P)`), started and stopped as R's `glm.fit`; HC1 sandwich covariance
/// V = k/(k−2)·B M B, B = (Σ π μ(1−μ) x xᵀ)⁻¹, M = Σ ψψᵀ, ψ = x π (c/P − μ), π = P² (§1.2).
fn logistic(prep: &Prepared<'_>, o: &Ordered, scale: f64) -> Result<Fit, Reason> {
    let k = o.y.len();
    let mut prop = Vec::with_capacity(k);
    let mut w = Vec::with_capacity(k);
    for j in 0..k {
        // P_j = ⌈n_j⌉, rounded up by `prepare`.
        let big_p = o.n[j];
        let c = (o.y[j] / scale * big_p).round_ties_even();
        if !(0.0..=big_p).contains(&c) {
            return Err(Reason::CountOutOfRange {
                subgroup: prep.rows[j].label.to_owned(),
                count: c,
                population: big_p,
                estimate: o.y[j],
                scale,
            });
        }
        prop.push(if big_p > 0.0 { c / big_p } else { 0.0 });
        w.push(big_p * big_p);
    }
    let deviance = |mu: &dyn Fn(usize) -> f64| -> f64 {
        (0..k)
            .map(|j| {
                let (y, m) = (prop[j], mu(j));
                let a = if y > 0.0 { y * libm::log(y / m) } else { 0.0 };
                let b = if y < 1.0 {
                    (1.0 - y) * libm::log((1.0 - y) / (1.0 - m))
                } else {
                    0.0
                };
                2.0 * w[j] * (a + b)
            })
            .sum()
    };
    // binomial()$initialize: μ = (c + ½)/(P + 1).
    let mut mu: Vec<f64> = (0..k)
        .map(|j| {
            let big_p = o.n[j];
            (prop[j] * big_p + 0.5) / (big_p + 1.0)
        })
        .collect();
    let mut eta: Vec<f64> = mu.iter().map(|&m| libm::log(m / (1.0 - m))).collect();
    let mut dev_old = deviance(&|j| mu[j]);
    let (mut alpha, mut beta) = (0.0, 0.0);
    let mut converged = false;
    for _ in 0..GLM_MAXIT {
        let mut xtwx = Sym2::default();
        let (mut r0, mut r1) = (0.0, 0.0);
        for j in 0..k {
            let v = mu[j] * (1.0 - mu[j]);
            let z = eta[j] + (prop[j] - mu[j]) / v;
            let ww = w[j] * v;
            xtwx.add_outer(ww, 1.0, o.x[j]);
            r0 += ww * z;
            r1 += ww * z * o.x[j];
        }
        let (previous_alpha, previous_beta) = (alpha, beta);
        (alpha, beta) = xtwx.solve(r0, r1).ok_or(Reason::NotFinite {
            what: "logistic fit",
        })?;
        for j in 0..k {
            eta[j] = alpha + beta * o.x[j];
            mu[j] = expit(eta[j]);
        }
        let dev = deviance(&|j| mu[j]);
        if !dev.is_finite() {
            return Err(Reason::NotFinite {
                what: "logistic deviance",
            });
        }
        // R's criterion, plus a stationary fit: when the data fit (almost) exactly the
        // deviance is rounding noise around 0 (weights P² are large), which R's relative test
        // can chase for ever although the coefficients no longer move.
        let step = (alpha - previous_alpha).abs() + (beta - previous_beta).abs();
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < GLM_EPSILON
            || step <= STATIONARY * (1.0 + alpha.abs() + beta.abs())
        {
            converged = true;
            break;
        }
        dev_old = dev;
    }
    if !converged {
        return Err(Reason::NotConverged {
            iterations: GLM_MAXIT,
        });
    }
    let mut bread = Sym2::default();
    let mut meat = Sym2::default();
    for j in 0..k {
        bread.add_outer(w[j] * mu[j] * (1.0 - mu[j]), 1.0, o.x[j]);
        let r = w[j] * (prop[j] - mu[j]);
        meat.add_outer(r * r, 1.0, o.x[j]);
    }
    let cov = hc1(bread, meat, k)?;
    Ok(Fit { alpha, beta, cov })
}

/// WLS of y/scale on the ridit with weights ⌈n⌉ and HC1 covariance (`healthequal` `linear =
/// TRUE`, which rounds the populations up before both).
fn linear(o: &Ordered, scale: f64) -> Result<Fit, Reason> {
    let k = o.y.len();
    let mut xtwx = Sym2::default();
    let (mut r0, mut r1) = (0.0, 0.0);
    for j in 0..k {
        let y = o.y[j] / scale;
        xtwx.add_outer(o.n[j], 1.0, o.x[j]);
        r0 += o.n[j] * y;
        r1 += o.n[j] * y * o.x[j];
    }
    let (alpha, beta) = xtwx
        .solve(r0, r1)
        .ok_or(Reason::NotFinite { what: "linear fit" })?;
    let mut meat = Sym2::default();
    for j in 0..k {
        let e = o.y[j] / scale - alpha - beta * o.x[j];
        let r = o.n[j] * e;
        meat.add_outer(r * r, 1.0, o.x[j]);
    }
    let cov = hc1(xtwx, meat, k)?;
    Ok(Fit { alpha, beta, cov })
}

/// HC1: k/(k − 2) · B M B, with B the inverse of the information matrix `info`.
fn hc1(info: Sym2, meat: Sym2, k: usize) -> Result<Sym2, Reason> {
    let bread = info.inverse().ok_or(Reason::NotFinite {
        what: "covariance matrix",
    })?;
    let v = bread.sandwich(meat);
    #[allow(clippy::cast_precision_loss, reason = "few subgroups")]
    let f = k as f64 / (k as f64 - 2.0);
    Ok(Sym2 {
        a: v.a * f,
        b: v.b * f,
        c: v.c * f,
    })
}

/// SII = scale·(v₁ − v₀) and RII = v₁/v₀ (§1.2, §7.2), no flip for adverse indicators (v5+).
///
/// Logistic: v = expit(α + βX); SE by the delta method with gradients
/// (v₁(1−v₁) − v₀(1−v₀), v₁(1−v₁)) for SII and (v₀ − v₁, 1 − v₁) for ln RII.
/// Linear: v = α + βX, gradients (0, 1) and (1/v₁ − 1/v₀, 1/v₁).
/// SII CI = scale·(SII/scale ± z·SE); RII CI = exp(ln RII ± z·SE), SE on the log scale.
pub(super) fn sii(prep: &Prepared<'_>, relative: bool) -> Result<Estimate, Reason> {
    let o = prepare(prep, true)?;
    let compat = prep.options.compat;
    if compat == Compat::Healthequal
        && let Some(&first) = o.y.first()
        && o.y.iter().all(|&v| v == first)
    {
        return Err(Reason::AllEqual(first));
    }
    let scale = if compat == Compat::Healthequal {
        inferred_scale(&o.y)
    } else {
        prep.stratum.scale
    };
    let logistic_fit = prep.options.sii_method == SiiMethod::Logistic;
    let fit = if logistic_fit {
        logistic(prep, &o, scale)?
    } else {
        linear(&o, scale)?
    };
    let (v0, v1) = if logistic_fit {
        (expit(fit.alpha), expit(fit.alpha + fit.beta))
    } else {
        (fit.alpha, fit.alpha + fit.beta)
    };
    if relative {
        let value = v1 / v0;
        let (g0, g1) = if logistic_fit {
            (v0 - v1, 1.0 - v1)
        } else {
            (1.0 / v1 - 1.0 / v0, 1.0 / v1)
        };
        let se = fit.cov.quad(g0, g1).sqrt();
        let ok = se.is_finite() && value > 0.0;
        return Ok(Estimate {
            value,
            se: ok.then_some(se),
            lower: ok.then(|| libm::exp(libm::log(value) - prep.z * se)),
            upper: ok.then(|| libm::exp(libm::log(value) + prep.z * se)),
        });
    }
    let (g0, g1) = if logistic_fit {
        (v1 * (1.0 - v1) - v0 * (1.0 - v0), v1 * (1.0 - v1))
    } else {
        (0.0, 1.0)
    };
    let se = fit.cov.quad(g0, g1).sqrt();
    let unscaled = v1 - v0;
    Ok(Estimate {
        value: scale * unscaled,
        se: Some(if compat == Compat::Corrected {
            se * scale
        } else {
            se
        }),
        lower: Some(scale * (unscaled - prep.z * se)),
        upper: Some(scale * (unscaled + prep.z * se)),
    })
}
