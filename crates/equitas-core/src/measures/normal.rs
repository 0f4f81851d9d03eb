//! The portable standard normal generator behind every simulation in equitas (HEAT's simulated
//! intervals and the Fingertips SII's Monte Carlo limits): Marsaglia and Tsang's 256-layer
//! ziggurat (J. Stat. Softw. 5(8), 2000) driven by one 64-bit ChaCha8 word per draw on the fast
//! path.
//!
//! Words are read in bulk from the generator's key stream ([`Words`]), little-endian, so the
//! stream is the same on every platform. Every operation on the fast path is a multiplication or
//! a comparison, and the tables and the rare slow paths use `libm`, so a seed gives bit-identical
//! draws natively and in wasm32.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::Rng;

/// Words fetched at a time.
const CHUNK: usize = 512;

/// 64-bit words from a ChaCha8 key stream, fetched in chunks (cheaper than one call per word).
#[derive(Debug, Clone)]
pub(crate) struct Words {
    rng: ChaCha8Rng,
    bytes: Box<[u8; 8 * CHUNK]>,
    words: Box<[u64; CHUNK]>,
    pos: usize,
}

impl Words {
    pub(crate) fn new(rng: ChaCha8Rng) -> Self {
        Self {
            rng,
            bytes: Box::new([0; 8 * CHUNK]),
            words: Box::new([0; CHUNK]),
            pos: CHUNK,
        }
    }

    /// Start again from another generator, keeping the buffers.
    pub(crate) fn reseed(&mut self, rng: ChaCha8Rng) {
        self.rng = rng;
        self.pos = CHUNK;
    }

    #[cold]
    fn refill(&mut self) {
        self.rng.fill_bytes(&mut self.bytes[..]);
        for (w, b) in self.words.iter_mut().zip(self.bytes.chunks_exact(8)) {
            let mut le = [0u8; 8];
            le.copy_from_slice(b);
            *w = u64::from_le_bytes(le);
        }
        self.pos = 0;
    }

    /// The next word (little-endian bytes of the key stream).
    #[inline(always)]
    pub(crate) fn next_u64(&mut self) -> u64 {
        if self.pos >= CHUNK {
            self.refill();
        }
        let w = self.words.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        w
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
        self.slow(rng, i, u, x)
    }

    /// The base layer's tail and the wedges, then a fresh try.
    #[cold]
    #[inline(never)]
    fn slow(&self, rng: &mut Words, i: usize, u: f64, x: f64) -> f64 {
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
    use rand_chacha::rand_core::SeedableRng;

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
        let mut rng = Words::new(ChaCha8Rng::seed_from_u64(11));
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
        let mut rng = Words::new(ChaCha8Rng::seed_from_u64(12));
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
