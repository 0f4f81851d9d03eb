//! Measures benchmark: all 21 WHO HEAT measures, simulated intervals included, for 10,000 strata
//! (half IMD quintiles, ordered; half a 10-subgroup non-ordered dimension with a reference
//! subgroup) on one core. Target (README): under 1 s for the 10,000.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use equitas_core::measures::{MeasureId, Options, Stratum, Subgroup, compute_many};

/// Strata in the benchmark; `cargo test --benches` runs once on a few.
fn strata_count() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        200
    }
}

/// A small deterministic generator for synthetic inputs (not the measures' RNG).
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        #[allow(clippy::cast_precision_loss, reason = "53 bits")]
        let u = (self.0 >> 11) as f64 / 9_007_199_254_740_992.0;
        u
    }
}

/// SYNTHETIC strata: percentages 5–95 with SEs 0.5–3 and populations 500–5,000.
fn strata(n: usize) -> Vec<Stratum> {
    let mut rng = Lcg(42);
    (0..n)
        .map(|i| {
            let ordered = i % 2 == 0;
            let k: u32 = if ordered { 5 } else { 10 };
            let base = 20.0 + 60.0 * rng.unit();
            let slope = 10.0 * (rng.unit() - 0.5);
            Stratum {
                subgroups: (1..=k)
                    .map(|j| Subgroup {
                        label: format!("g{j}"),
                        estimate: Some(
                            (base + slope * f64::from(j) + 5.0 * (rng.unit() - 0.5))
                                .clamp(5.0, 95.0),
                        ),
                        se: Some(0.5 + 2.5 * rng.unit()),
                        population: Some((500.0 + 4500.0 * rng.unit()).round()),
                        order: if ordered { j } else { 0 },
                        reference: !ordered && j == 1,
                    })
                    .collect(),
                ordered,
                favourable: i % 3 != 0,
                scale: 100.0,
                setting_average: None,
            }
        })
        .collect()
}

fn bench_measures(c: &mut Criterion) {
    let n = strata_count();
    let data = strata(n);
    let options = Options::default();
    let mut g = c.benchmark_group("measures");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("all_21_with_simulated_cis", |b| {
        b.iter(|| {
            let mut computed = 0usize;
            for s in &data {
                for (_, r) in compute_many(black_box(s), &MeasureId::ALL, &options) {
                    computed += usize::from(r.is_ok());
                }
            }
            black_box(computed)
        });
    });
    g.finish();
}

criterion_group!(benches, bench_measures);
criterion_main!(benches);
