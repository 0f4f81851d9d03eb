//! Fingertips benchmarks: `phe_sii` with 100,000 repetitions for 300 areas × 10 deciles (target
//! ≤ 0.5 s on one core, issue 15), Chiang II life tables for 10,000 areas (target < 100 ms), and
//! `le-gap` on 10,000 small areas × 3 periods (target ≤ 100 ms, issue 15).
//!
//! The inputs are SYNTHETIC (made up here, labelled as such). `cargo test --benches` runs each
//! bench once on a small job (30 areas, 1,000 repetitions; 100 life tables; 100 small areas).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use equitas_core::measures::legap::{DeathsRow, Deprivation, LeGapInput, LeGapOptions, le_gap};
use equitas_core::measures::lifetable::{AgeBand, OpenBand, START_AGES, life_expectancy};
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

/// SYNTHETIC deaths and populations of `areas` small areas (LSOA-sized: about 1,500 people),
/// each in an IMD decile (area mod 10), by the 20 age bands, over three 3-year periods: one row
/// per area, period and band, as a file of small-area rows would give them.
fn le_gap_rows(areas: u32) -> Vec<DeathsRow<'static>> {
    const PERIODS: [&str; 3] = ["2014-16", "2017-19", "2020-22"];
    let mut rows = Vec::with_capacity(areas as usize * 60);
    for (k, &period) in PERIODS.iter().enumerate() {
        for a in 0..areas {
            let decile = a % 10 + 1;
            for &age in &START_AGES {
                let pop = 3.0 * (60.0 + f64::from((a * 31 + age * 7) % 40));
                #[allow(clippy::cast_precision_loss, reason = "period index")]
                let rate = 0.0002
                    * (f64::from(age) / 12.5).exp()
                    * (1.6 - 0.06 * f64::from(decile))
                    * (1.0 - 0.03 * k as f64);
                rows.push(DeathsRow {
                    row: rows.len() + 2,
                    period,
                    group: decile,
                    start_age: age,
                    cause: None,
                    deaths: (pop * rate * 4.0).round() / 4.0,
                    population: pop,
                });
            }
        }
    }
    rows
}

/// `le-gap` as `equitas le-gap` runs it, from rows already read: adding up 600,000 small-area
/// rows into deciles, then per period ten life tables, the gap, the SII with 100,000 Monte
/// Carlo draws, the changes, the trajectory and the Arriaga decomposition.
fn bench_le_gap(c: &mut Criterion) {
    let (areas, reps) = if full() {
        (10_000, 100_000)
    } else {
        (100, 1000)
    };
    let rows = le_gap_rows(areas);
    let options = LeGapOptions {
        repetitions: reps,
        ..LeGapOptions::default()
    };
    let mut g = c.benchmark_group("le_gap");
    g.sample_size(20);
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function(format!("{areas}_small_areas_x_3_periods"), |b| {
        b.iter(|| {
            let input = LeGapInput::from_rows(&rows, Deprivation::Decile, OpenBand::Ninety)
                .expect("valid synthetic input");
            let r = le_gap(&input, &options).expect("valid synthetic input");
            black_box(r.periods.len())
        });
    });
    g.finish();
}

criterion_group!(benches, bench_sii, bench_lifetable, bench_le_gap);
criterion_main!(benches);
