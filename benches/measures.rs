//! Measures benchmark: all 21 WHO HEAT measures, simulated intervals included, for 10,000 strata
//! (half IMD quintiles, ordered; half a 10-subgroup non-ordered dimension with a reference
//! subgroup) on one core. Target (README): under 1 s for the 10,000.
//!
//! And one big stratum (issue 12 finding 7, where 100,000 subgroups took 36–46 s): a HEAT Plus
//! file of one stratum with 100,000 subgroups, read and measured (all 21, 100 simulated
//! datasets), as `equitas measures` and the data page do. Target: under 1 s.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use equitas_core::io::heat_plus;
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

/// Subgroups in the big stratum; `cargo test --benches` runs once on fewer.
fn big_stratum_size() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        100_000
    } else {
        2_000
    }
}

/// A SYNTHETIC HEAT Plus file: one stratum of `n` subgroups (percentages 5–95, SEs 0.5–3,
/// populations 100–100,000), ordered 1..n or not ordered with the first as the reference.
fn big_stratum_csv(n: usize, ordered: bool) -> String {
    use std::fmt::Write as _;
    let mut rng = Lcg(7);
    let mut csv = String::from(
        "setting,date,source,indicator_abbr,dimension,subgroup,estimate,se,population,\
         favourable_indicator,indicator_scale,ordered_dimension,subgroup_order,reference_subgroup\n",
    );
    for j in 1..=n {
        let _ = writeln!(
            csv,
            "Synthetic,2024,Survey,x,Area,Subgroup {j},{:.2},{:.3},{:.0},1,100,{},{},{}",
            5.0 + 90.0 * rng.unit(),
            0.5 + 2.5 * rng.unit(),
            100.0 + 99_900.0 * rng.unit(),
            u8::from(ordered),
            if ordered { j } else { 0 },
            u8::from(!ordered && j == 1),
        );
    }
    csv
}

fn bench_big_stratum(c: &mut Criterion) {
    let n = big_stratum_size();
    let options = Options::default();
    let mut g = c.benchmark_group("measures_one_big_stratum");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    for ordered in [false, true] {
        let csv = big_stratum_csv(n, ordered);
        let name = format!(
            "read_and_all_21_{n}_subgroups_{}",
            if ordered { "ordered" } else { "not_ordered" }
        );
        g.bench_function(name, |b| {
            b.iter(|| {
                let strata =
                    heat_plus::read(black_box(csv.as_bytes())).expect("the synthetic file");
                let results = heat_plus::measure_all(&strata, &MeasureId::ALL, &options);
                assert!(results.iter().filter(|r| r.estimate.is_some()).count() >= 17);
                black_box(results)
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench_measures, bench_big_stratum);
criterion_main!(benches);
