//! HEAT's simulation intervals (spec §1.1, "Simulation CIs").
//!
//! heatmeasures draws `simulation_n = 100` copies of the stratum, each estimate from
//! N(y_j, σ_j²) truncated by rejection (to [0, 100] when the scale is 100, else to ≥ 0),
//! recomputes the measure on each copy and takes R's type-7 quantiles at 2.5% and 97.5%.
//!
//! R's Mersenne-Twister is not replicated. The generator is xoshiro256++ seeded from
//! [`super::Options::seed`] with the portable ziggurat of [`super::normal`] (IEEE basic
//! operations plus the pure-Rust `libm`), so native and wasm32 builds give bit-identical draws.

use super::normal::{Words, Ziggurat};

/// How many draws a subgroup may reject before the simulation gives up (heatmeasures would loop
/// for ever on an estimate far outside the admissible range).
pub(super) const MAX_TRIES: u32 = 10_000;

/// Standard normal draws from a seeded xoshiro256++ stream (the shared ziggurat, [`super::normal`]).
struct Normal {
    words: Words,
    table: &'static Ziggurat,
}

impl Normal {
    fn new(seed: u64) -> Self {
        Self {
            words: Words::new(seed),
            table: Ziggurat::shared(),
        }
    }

    fn next(&mut self) -> f64 {
        self.table.sample(&mut self.words)
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
}
