//! Fingertips benchmarks: `phe_sii` with 100,000 repetitions for 300 areas × 10 deciles (target
//! ≤ 0.5 s on one core, issue 15) and Chiang II life tables for 10,000 areas (target < 100 ms).
//!
//! The inputs are SYNTHETIC (made up here, labelled as such). `cargo test --benches` runs each
//! bench once on a small job (30 areas, 1,000 repetitions; 100 life tables).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use equitas_core::measures::lifetable::{AgeBand, START_AGES, life_expectancy};
use equitas_core::measures::phe::sii::{
    SiiOptions, SiiRow, SiiWorkspace, phe_sii_many, phe_sii_with,
};

fn full() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// SYNTHETIC decile rows for `areas` areas: life expectancy rising with decile plus a wobble.
fn sii_areas(areas: u32) -> Vec<Vec<SiiRow>> {
    (0..areas)
        .map(|a| {
            (1..=10u32)
                .map(|q| {
                    let wobble = f64::from((a * 37 + q * 11) % 17) / 10.0;
                    SiiRow {
                        quantile: q,
                        population: 5000.0 + f64::from((a * 13 + q * 7) % 3000),
                        value: 74.0 + 0.9 * f64::from(q) + wobble,
                        se: Some(1.2 + f64::from((a + q) % 5) / 10.0),
                        lower_cl: None,
                        upper_cl: None,
                    }
                })
                .collect()
        })
        .collect()
}

fn bench_sii(c: &mut Criterion) {
    let (areas, reps) = if full() { (300, 100_000) } else { (30, 1000) };
    let data = sii_areas(areas);
    let options = SiiOptions {
        repetitions: reps,
        seed: 7,
        ..SiiOptions::default()
    };
    let mut g = c.benchmark_group("phe_sii");
    g.sample_size(10);
    g.throughput(Throughput::Elements(
        u64::from(areas) * 10 * u64::from(reps),
    ));
    g.bench_function(format!("{areas}_areas_x_10_deciles_{reps}_reps"), |b| {
        b.iter(|| {
            let mut s = 0.0;
            let mut ws = SiiWorkspace::default();
            for rows in &data {
                let r = phe_sii_with(rows, &options, &mut ws).expect("valid synthetic input");
                s += r.intervals[0].sii_lower.unwrap_or(0.0);
            }
            black_box(s)
        });
    });
    // The same job on every core, as `equitas sii` runs it (the answers are the same).
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let refs: Vec<&[SiiRow]> = data.iter().map(Vec::as_slice).collect();
    g.bench_function(
        format!("{areas}_areas_x_10_deciles_{reps}_reps_{threads}_threads"),
        |b| {
            b.iter(|| {
                let s: f64 = phe_sii_many(&refs, &options, threads)
                    .iter()
                    .map(|r| {
                        r.as_ref()
                            .map_or(0.0, |r| r.intervals[0].sii_lower.unwrap_or(0.0))
                    })
                    .sum();
                black_box(s)
            });
        },
    );
    g.finish();
}

/// SYNTHETIC 20-band life tables: populations and death rates vary by area.
fn life_areas(areas: u32) -> Vec<Vec<AgeBand>> {
    (0..areas)
        .map(|a| {
            START_AGES
                .iter()
                .enumerate()
                .map(|(i, &age)| {
                    let pop = 3000.0 + f64::from((a * 31 + age * 7) % 4000);
                    #[allow(clippy::cast_precision_loss, reason = "band index")]
                    let rate = 0.0004 * (i as f64 / 2.6).exp() * (1.0 + f64::from(a % 13) / 20.0);
                    AgeBand {
                        start_age: age,
                        population: pop,
                        deaths: (pop * rate).round().clamp(1.0, pop),
                    }
                })
                .collect()
        })
        .collect()
}

fn bench_lifetable(c: &mut Criterion) {
    let areas = if full() { 10_000 } else { 100 };
    let data = life_areas(areas);
    let mut g = c.benchmark_group("lifetable");
    g.throughput(Throughput::Elements(u64::from(areas)));
    g.bench_function(format!("{areas}_areas_20_bands"), |b| {
        b.iter(|| {
            let mut s = 0.0;
            for bands in &data {
                let le = life_expectancy(bands, &[0.95]).expect("valid synthetic input");
                s += le[0].value.unwrap_or(0.0);
            }
            black_box(s)
        });
    });
    g.finish();
}

criterion_group!(benches, bench_sii, bench_lifetable);
criterion_main!(benches);
