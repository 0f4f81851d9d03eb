//! HEAT's simulation intervals (spec §1.1, "Simulation CIs").
//!
//! heatmeasures draws `simulation_n = 100` copies of the stratum, each estimate from
//! N(y_j, σ_j²) truncated by rejection (to [0, 100] when the scale is 100, else to ≥ 0),
//! recomputes the measure on each copy and takes R's type-7 quantiles at 2.5% and 97.5%.
//!
//! R's Mersenne-Twister is not replicated. The generator is ChaCha8 seeded from
//! [`super::Options::seed`] with a ziggurat normal whose arithmetic is IEEE basic operations
//! (no fused multiply-add) plus the pure-Rust `libm` `exp`, `log` and `sqrt`, so native and
//! wasm32 builds give bit-identical draws.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// How many draws a subgroup may reject before the simulation gives up (heatmeasures would loop
/// for ever on an estimate far outside the admissible range).
pub(super) const MAX_TRIES: u32 = 10_000;

/// Layers of the ziggurat.
const LAYERS: usize = 128;
/// Where the base layer's tail starts (R), and each layer's area (V): Marsaglia and Tsang's
/// ziggurat with Doornik's 128-layer constants (2005).
const TAIL: f64 = 3.442_619_855_899;
const AREA: f64 = 9.912_563_035_262_17e-3;

/// The ziggurat's layer edges x₀ > x₁ = R > … > x₁₂₈ = 0 and the ratios x_{i+1}/x_i.
struct Ziggurat {
    x: [f64; LAYERS + 1],
    ratio: [f64; LAYERS],
}

/// The table, built once with `libm` so it is the same on every platform.
fn ziggurat() -> &'static Ziggurat {
    static TABLE: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        let mut f = libm::exp(-0.5 * TAIL * TAIL);
        x[0] = AREA / f;
        x[1] = TAIL;
        for i in 2..LAYERS {
            x[i] = libm::sqrt(-2.0 * libm::log(AREA / x[i - 1] + f));
            f = libm::exp(-0.5 * x[i] * x[i]);
        }
        let mut ratio = [0.0; LAYERS];
        for (i, r) in ratio.iter_mut().enumerate() {
            *r = x[i + 1] / x[i];
        }
        Ziggurat { x, ratio }
    })
}

/// Standard normal draws by the ziggurat: almost always one 64-bit draw and a multiplication;
/// `libm` `exp` and `log` at the layer edges and in the tail.
struct Normal {
    rng: ChaCha8Rng,
    table: &'static Ziggurat,
}

/// 2⁻⁵³.
const EPS53: f64 = 1.0 / 9_007_199_254_740_992.0;

impl Normal {
    fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            table: ziggurat(),
        }
    }

    /// A uniform on (0, 1) from the top 53 bits of a draw.
    fn open01(bits: u64) -> f64 {
        #[allow(clippy::cast_precision_loss, reason = "53 bits fit an f64 exactly")]
        let u = ((bits >> 11) as f64 + 0.5) * EPS53;
        u
    }

    fn next(&mut self) -> f64 {
        let t = self.table;
        loop {
            let bits = self.rng.next_u64();
            // The layer from the low 7 bits, an independent uniform on (−1, 1) from the top 53.
            #[allow(clippy::cast_possible_truncation, reason = "masked to 7 bits")]
            let i = (bits & 0x7f) as usize;
            let u = 2.0 * Self::open01(bits) - 1.0;
            if u.abs() < t.ratio[i] {
                return u * t.x[i];
            }
            if i == 0 {
                // Beyond R: Marsaglia's exponential rejection for the normal tail.
                loop {
                    let a = libm::log(Self::open01(self.rng.next_u64())) / TAIL;
                    let b = libm::log(Self::open01(self.rng.next_u64()));
                    if -2.0 * b >= a * a {
                        return if u < 0.0 { a - TAIL } else { TAIL - a };
                    }
                }
            }
            let x = u * t.x[i];
            let f0 = libm::exp(-0.5 * (t.x[i] * t.x[i] - x * x));
            let f1 = libm::exp(-0.5 * (t.x[i + 1] * t.x[i + 1] - x * x));
            if f1 + Self::open01(self.rng.next_u64()) * (f0 - f1) < 1.0 {
                return x;
            }
        }
    }
}

/// `simulations` draws of every estimate, laid out draw by draw (`out[s * k + j]`).
///
/// # Errors
/// `(j, tries)`: subgroup `j` rejected `tries` draws in a row.
pub(super) fn draw(
    y: &[f64],
    se: &[f64],
    scale: f64,
    simulations: usize,
    seed: u64,
) -> Result<Vec<f64>, (usize, u32)> {
    let mut normal = Normal::new(seed);
    let upper = if scale == 100.0 { 100.0 } else { f64::INFINITY };
    let mut out = Vec::with_capacity(simulations * y.len());
    for _ in 0..simulations {
        for (j, (&m, &s)) in y.iter().zip(se).enumerate() {
            let mut tries = 0;
            let v = loop {
                let v = m + s * normal.next();
                if (0.0..=upper).contains(&v) {
                    break v;
                }
                tries += 1;
                if tries >= MAX_TRIES {
                    return Err((j, tries));
                }
            };
            out.push(v);
        }
    }
    Ok(out)
}

/// R's type-7 quantile of finite values at probability `q`: x₍ₗ₎ + (h − l)(x₍ₗ₊₁₎ − x₍ₗ₎) with
/// h = (n − 1)q, l = ⌊h⌋. Selects rather than sorts (the values are reordered).
fn quantile7(values: &mut [f64], q: f64) -> Option<f64> {
    let last = values.len().checked_sub(1)?;
    #[allow(clippy::cast_precision_loss, reason = "a few hundred values")]
    let h = last as f64 * q;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "0 ≤ h ≤ last"
    )]
    let lo = (h.floor() as usize).min(last);
    let (_, &mut a, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let b = above.iter().copied().reduce(f64::min).unwrap_or(a);
    #[allow(clippy::cast_precision_loss, reason = "small")]
    Some(a + (h - lo as f64) * (b - a))
}

/// The simulation interval of a statistic: apply `stat` to every simulated copy (of length `k`)
/// and take type-7 quantiles at (1 − c)/2 and 1 − (1 − c)/2. Non-finite values are left out;
/// fewer than two finite values give no interval.
pub(super) fn interval(
    sims: &[f64],
    k: usize,
    confidence: f64,
    scratch: &mut Vec<f64>,
    mut stat: impl FnMut(&[f64]) -> f64,
) -> Option<(f64, f64)> {
    scratch.clear();
    if k == 0 {
        return None;
    }
    scratch.extend(
        sims.chunks_exact(k)
            .map(&mut stat)
            .filter(|v| v.is_finite()),
    );
    if scratch.len() < 2 {
        return None;
    }
    let tail = (1.0 - confidence) / 2.0;
    Some((quantile7(scratch, tail)?, quantile7(scratch, 1.0 - tail)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_matches_r() {
        // R: quantile(1:10, c(0.025, 0.975)) gives 1.225 and 9.775.
        let mut v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert!((quantile7(&mut v, 0.025).unwrap_or(0.0) - 1.225).abs() < 1e-12);
        assert!((quantile7(&mut v, 0.975).unwrap_or(0.0) - 9.775).abs() < 1e-12);
        assert_eq!(quantile7(&mut v, 1.0), Some(10.0));
        assert_eq!(quantile7(&mut v, 0.0), Some(1.0));
        assert_eq!(quantile7(&mut [], 0.5), None);
    }

    #[test]
    fn draws_respect_truncation_and_seed() {
        let a = draw(&[1.0, 99.0], &[5.0, 5.0], 100.0, 200, 7).unwrap_or_default();
        assert_eq!(a.len(), 400);
        assert!(a.iter().all(|v| (0.0..=100.0).contains(v)));
        assert_eq!(Ok(a), draw(&[1.0, 99.0], &[5.0, 5.0], 100.0, 200, 7));
        assert_ne!(
            draw(&[50.0], &[5.0], 1.0, 10, 1),
            draw(&[50.0], &[5.0], 1.0, 10, 2)
        );
        assert_eq!(draw(&[-1e6], &[1.0], 1.0, 1, 1), Err((0, MAX_TRIES)));
    }

    #[test]
    fn normal_moments_and_tails() {
        let mut n = Normal::new(1);
        let count = 1_000_000;
        let xs: Vec<f64> = (0..count).map(|_| n.next()).collect();
        #[allow(clippy::cast_precision_loss, reason = "test")]
        let nf = count as f64;
        let mean = xs.iter().sum::<f64>() / nf;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / nf;
        let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / nf / (var * var);
        assert!(
            mean.abs() < 0.005 && (var - 1.0).abs() < 0.005,
            "{mean} {var}"
        );
        assert!((kurt - 3.0).abs() < 0.03, "{kurt}");
        // Φ: P(z < −1.96) = 0.025, P(z > 1) = 0.1587, P(z > 3) = 0.00135, P(|z| > 3.5) = 0.000465
        // (beyond R = 3.44, the tail layer).
        #[allow(clippy::cast_precision_loss, reason = "test")]
        let share = |f: &dyn Fn(f64) -> bool| xs.iter().filter(|&&x| f(x)).count() as f64 / nf;
        assert!((share(&|x| x < -1.96) - 0.025).abs() < 0.001);
        assert!((share(&|x| x > 1.0) - 0.158_655).abs() < 0.002);
        assert!((share(&|x| x > 3.0) - 0.001_35).abs() < 0.000_2);
        assert!((share(&|x| x.abs() > 3.5) - 0.000_465).abs() < 0.000_1);
    }
}
