//! The portable standard normal generator behind every simulation in equitas (HEAT's simulated
//! intervals and the Fingertips SII's Monte Carlo limits): Marsaglia and Tsang's 256-layer
//! ziggurat (J. Stat. Softw. 5(8), 2000) driven by one 64-bit word per draw on the fast
//! path.
//!
//! The words come from xoshiro256++ ([`Words`]), integer operations only, so the stream is the
//! same on every platform. Every floating-point operation on the fast path is a multiplication or
//! a comparison, and the tables and the rare slow paths use `libm`, so a seed gives bit-identical
//! draws natively and in wasm32.

/// 64-bit words from xoshiro256++ (Blackman and Vigna, 2018), seeded through SplitMix64.
///
/// A fast generator with a 2²⁵⁶ − 1 period that passes the standard statistical batteries; it is
/// not for cryptography, which simulations do not need. Only integer shifts, rotations, xors and
/// wrapping additions, so a seed gives the same stream on every platform. (ChaCha8 was used
/// first; it cost about three times as much per word and dominated the Fingertips SII's time.)
#[derive(Debug, Clone)]
pub(crate) struct Words {
    s: [u64; 4],
}

impl Words {
    /// A stream from `seed`: the state is four SplitMix64 outputs, as the generator's authors
    /// recommend, so nearby seeds give unrelated streams.
    pub(crate) fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Self {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next word.
    #[inline(always)]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.s;
        let out = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        let t = s1 << 17;
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        let s1 = s1 ^ s2;
        let s0 = s0 ^ s3;
        let s2 = s2 ^ t;
        let s3 = s3.rotate_left(45);
        self.s = [s0, s1, s2, s3];
        out
    }
}

/// Layers of the ziggurat.
const LAYERS: usize = 256;
/// The right edge of the base layer for 256 layers (Marsaglia and Tsang 2000, Table 1).
const R: f64 = 3.654_152_885_361_009;
/// 2⁻⁵².
const SCALE: f64 = 1.0 / (1u64 << 52) as f64;
/// 2⁻⁵³.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

fn density(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}

/// The ziggurat's tables: layer edges `x` (x₀ = v/f(r), x₁ = r, …, x₂₅₆ = 0) and the unnormalised
/// density at each edge.
#[derive(Debug, Clone)]
pub(crate) struct Ziggurat {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

impl Ziggurat {
    /// The tables, built once per process.
    pub(crate) fn shared() -> &'static Self {
        static TABLE: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
        TABLE.get_or_init(Self::new)
    }

    /// Build the tables; each layer has the area v of the base layer (rectangle plus tail).
    pub(crate) fn new() -> Self {
        // v = r·f(r) + ∫_r^∞ f = r·f(r) + √(π/2)·erfc(r/√2).
        let v = R * density(R)
            + (std::f64::consts::PI / 2.0).sqrt() * libm::erfc(R / std::f64::consts::SQRT_2);
        let mut x = [0.0; LAYERS + 1];
        x[0] = v / density(R);
        x[1] = R;
        for i in 1..LAYERS - 1 {
            let arg = v / x[i] + density(x[i]);
            x[i + 1] = libm::sqrt(-2.0 * libm::log(arg.min(1.0)));
        }
        x[LAYERS] = 0.0;
        let mut f = [0.0; LAYERS + 1];
        for (fi, xi) in f.iter_mut().zip(x) {
            *fi = density(xi);
        }
        Self { x, f }
    }

    /// One standard normal draw: the fast path inline, the rest out of line.
    #[inline(always)]
    pub(crate) fn sample(&self, rng: &mut Words) -> f64 {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        #[allow(clippy::cast_precision_loss, reason = "52 bits fit a double exactly")]
        let u = (bits >> 12) as f64 * SCALE * 2.0 - 1.0;
        let (xi, next) = (self.x[i], self.x[i + 1]);
        let x = u * xi;
        if x.abs() < next {
            return x;
        }
        // The state goes to the slow path and back by value, so that no reference to it
        // escapes the fast path and the compiler can keep it in registers in a caller's loop.
        let (x, state) = self.slow(rng.clone(), i, u, x);
        *rng = state;
        x
    }

    /// The base layer's tail and the wedges, then a fresh try; returns the draw and the
    /// generator's state after it.
    #[cold]
    #[inline(never)]
    fn slow(&self, mut words: Words, i: usize, u: f64, x: f64) -> (f64, Words) {
        let rng = &mut words;
        let x = self.slow_draw(rng, i, u, x);
        (x, words)
    }

    /// [`Ziggurat::slow`]'s draw.
    fn slow_draw(&self, rng: &mut Words, i: usize, u: f64, x: f64) -> f64 {
        let (mut i, mut u, mut x) = (i, u, x);
        loop {
            if i == 0 {
                return self.tail(rng, u < 0.0);
            }
            let y = self.f[i] + (self.f[i + 1] - self.f[i]) * unit(rng);
            if y < density(x) {
                return x;
            }
            let bits = rng.next_u64();
            i = (bits & 0xff) as usize;
            #[allow(clippy::cast_precision_loss, reason = "52 bits fit a double exactly")]
            let v = (bits >> 12) as f64 * SCALE * 2.0 - 1.0;
            u = v;
            x = u * self.x[i];
            if x.abs() < self.x[i + 1] {
                return x;
            }
        }
    }

    #[cold]
    fn tail(&self, rng: &mut Words, negative: bool) -> f64 {
        loop {
            let x = -libm::log(1.0 - unit(rng)) / self.x[1];
            let y = -libm::log(1.0 - unit(rng));
            if 2.0 * y >= x * x {
                let t = self.x[1] + x;
                return if negative { -t } else { t };
            }
        }
    }
}

/// A uniform draw in [0, 1).
#[inline]
fn unit(rng: &mut Words) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "53 bits fit a double exactly")]
    let v = (rng.next_u64() >> 11) as f64;
    v * UNIT
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_xoshiro256_plus_plus_seeded_by_splitmix64() {
        // SplitMix64 from 0 first gives 0xe220a8397b1dcdaf (Vigna's reference code).
        assert_eq!(Words::new(0).s[0], 0xe220_a839_7b1d_cdaf);
        // xoshiro256++ from the state [1, 2, 3, 4]: rotl(1 + 4, 23) + 1, then the update.
        let mut w = Words { s: [1, 2, 3, 4] };
        assert_eq!(w.next_u64(), (5u64 << 23) + 1);
        assert_eq!(w.s, [7, 0, 262_146, 211_106_232_532_992]);
    }

    #[test]
    fn tables_are_a_ziggurat() {
        let z = Ziggurat::new();
        assert!(z.x.windows(2).all(|w| w[0] > w[1]), "edges decrease");
        // The top layer closes: its rectangle has the common area v.
        let v = z.x[0] * z.f[1];
        let top = z.x[LAYERS - 1] * (1.0 - z.f[LAYERS - 1]);
        assert!((top - v).abs() < 1e-9 * v, "top {top} vs v {v}");
        // The same recursion in mpmath at 30 digits.
        assert!((z.x[LAYERS - 1] - 0.215_241_895_984_883_9).abs() < 1e-9);
    }

    #[test]
    fn moments_and_tails_are_normal() {
        let z = Ziggurat::new();
        let mut rng = Words::new(11);
        let n = 2_000_000;
        let (mut s1, mut s2, mut s4, mut beyond) = (0.0, 0.0, 0.0, 0u32);
        for _ in 0..n {
            let x = z.sample(&mut rng);
            s1 += x;
            s2 += x * x;
            s4 += x * x * x * x;
            if x.abs() > 1.959_963_984_540_054 {
                beyond += 1;
            }
        }
        let nf = f64::from(n);
        assert!((s1 / nf).abs() < 0.003, "mean {}", s1 / nf);
        assert!((s2 / nf - 1.0).abs() < 0.005, "variance {}", s2 / nf);
        assert!((s4 / nf - 3.0).abs() < 0.03, "fourth moment {}", s4 / nf);
        let tail = f64::from(beyond) / nf;
        assert!((tail - 0.05).abs() < 0.0006, "two-sided 5% tail {tail}");
        // Deep in the tails, through the base layer's tail beyond R = 3.65: Φ gives
        // P(z > 3) = 0.00135 and P(|z| > 3.8) = 0.000145.
        let mut rng = Words::new(12);
        let (mut above3, mut beyond38) = (0u32, 0u32);
        for _ in 0..n {
            let x = z.sample(&mut rng);
            above3 += u32::from(x > 3.0);
            beyond38 += u32::from(x.abs() > 3.8);
        }
        let above3 = f64::from(above3) / nf;
        let beyond38 = f64::from(beyond38) / nf;
        assert!((above3 - 0.001_35).abs() < 0.000_15, "P(z > 3) {above3}");
        assert!(
            (beyond38 - 0.000_145).abs() < 0.000_05,
            "P(|z| > 3.8) {beyond38}"
        );
    }
}
