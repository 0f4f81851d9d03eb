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

/// Simulated copies of a stratum's estimates, drawn one copy at a time in heatmeasures' order
/// (copy by copy, subgroup by subgroup), so that only one copy is ever held.
pub(super) struct Draws<'a> {
    normal: Normal,
    y: &'a [f64],
    se: &'a [f64],
    upper: f64,
}

impl<'a> Draws<'a> {
    pub(super) fn new(y: &'a [f64], se: &'a [f64], scale: f64, seed: u64) -> Self {
        Self {
            normal: Normal::new(seed),
            y,
            se,
            upper: if scale == 100.0 { 100.0 } else { f64::INFINITY },
        }
    }

    /// Draws the next copy into `out` (one value per estimate).
    ///
    /// # Errors
    /// `(j, tries)`: subgroup `j` rejected `tries` draws in a row.
    pub(super) fn next_copy(&mut self, out: &mut [f64]) -> Result<(), (usize, u32)> {
        for (j, (slot, (&m, &s))) in out.iter_mut().zip(self.y.iter().zip(self.se)).enumerate() {
            let mut tries = 0;
            *slot = loop {
                let v = m + s * self.normal.next();
                if (0.0..=self.upper).contains(&v) {
                    break v;
                }
                tries += 1;
                if tries >= MAX_TRIES {
                    return Err((j, tries));
                }
            };
        }
        Ok(())
    }
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

/// The simulation interval from a statistic's finite values on the simulated copies: type-7
/// quantiles at (1 − c)/2 and 1 − (1 − c)/2 (the values are reordered). Fewer than two values
/// give no interval.
pub(super) fn interval(values: &mut [f64], confidence: f64) -> Option<(f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let tail = (1.0 - confidence) / 2.0;
    Some((quantile7(values, tail)?, quantile7(values, 1.0 - tail)?))
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

    /// `simulations` copies of the estimates, one after the other.
    fn draw(
        y: &[f64],
        se: &[f64],
        scale: f64,
        simulations: usize,
        seed: u64,
    ) -> Result<Vec<f64>, (usize, u32)> {
        let mut draws = Draws::new(y, se, scale, seed);
        let mut copy = vec![0.0; y.len()];
        let mut out = Vec::new();
        for _ in 0..simulations {
            draws.next_copy(&mut copy)?;
            out.extend_from_slice(&copy);
        }
        Ok(out)
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
    fn intervals_need_two_values() {
        assert_eq!(interval(&mut [], 0.95), None);
        assert_eq!(interval(&mut [3.0], 0.95), None);
        assert_eq!(interval(&mut [4.0, 2.0], 0.5), Some((2.5, 3.5)));
    }
}
