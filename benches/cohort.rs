//! Cohort benchmarks: classification + aggregation in memory, and CSV end to end.
//!
//! Both use a synthetic population drawn from the real England 2019 IMD file in
//! `../shared/data/imd/`. Targets (README): ≥ 20 million records/s/core in memory; ≥ 2 million
//! CSV rows/s end to end (read, look up, classify, aggregate). The CSV benches run on one thread
//! and on two, with the synthetic ids in order (as in a file sorted by id) and out of order.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use equitas_core::cohort::records::{DEFAULT_BLOCK_BYTES, count_records, count_records_parallel};
use equitas_core::cohort::{Breakdown, Classifier, CohortCounts, CohortDefinition, CompactRecord};
use equitas_core::deprivation::DeprivationIndex;
use equitas_core::geography::{PlaceLookup, Places};
use equitas_core::synth::{Areas, CSV_HEADER, Synth, SynthParams};

/// People in the benchmark population; `cargo test --benches` runs each bench once on a small one.
fn people() -> u64 {
    if std::env::args().any(|a| a == "--bench") {
        1_000_000
    } else {
        20_000
    }
}

fn imd() -> DeprivationIndex {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/imd/imd2019_england_lsoa11.csv");
    DeprivationIndex::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The ONS lookup of 2011 LSOAs to local authorities, for the Place benches.
fn lad_lookup() -> PlaceLookup {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/geography/lsoa11_subicb22_icb22_lad22.csv");
    PlaceLookup::from_path(&path, None, Some("ltla22_code"))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bench_cohorts(c: &mut Criterion) {
    let ix = imd();
    let classifier =
        Classifier::new(CohortDefinition::coventry_warwickshire(), Some(&ix)).expect("definition");
    // Issue 14: the same counts with two breakdowns (ethnicity × IMD quintile, and sex) and
    // Place on (every person put in one of Coventry and Warwickshire's Places or "other" by
    // the ONS lookup to local authorities, counted by Place too), as `equitas cohorts --by
    // ethnicity:imd-quintile,sex --place-lookup … --places …` counts them.
    let lookup = lad_lookup();
    let places = Places::coventry_warwickshire();
    let with_breakdowns = Classifier::new(CohortDefinition::coventry_warwickshire(), Some(&ix))
        .expect("definition")
        .with_places(&lookup, Some(&places))
        .expect("places")
        .with_breakdowns(
            &Breakdown::parse_list("place,ethnicity:imd-quintile,sex").expect("breakdowns"),
        )
        .expect("breakdowns");
    let n = people();
    let params = SynthParams::builtin();
    let mut synth = Synth::new(&params, 42, Areas::Index(&ix)).expect("synth");
    let mut csv = Vec::with_capacity(80 * n as usize);
    csv.extend_from_slice(CSV_HEADER.as_bytes());
    let mut compact: Vec<CompactRecord> = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let p = synth.next_person();
        p.write_csv_row(&mut csv).expect("write to memory");
        compact.push(
            classifier
                .compact(&p.to_record())
                .expect("synthetic records are valid"),
        );
    }

    let mut g = c.benchmark_group("cohort");
    g.throughput(Throughput::Elements(n));
    g.sample_size(20);
    g.bench_function("classify_and_aggregate_in_memory", |b| {
        b.iter(|| {
            let mut counts = CohortCounts::new(&classifier);
            for r in &compact {
                counts.count(&classifier, r);
            }
            black_box(counts.people())
        });
    });
    // The compact records carry their Place (the lookup is applied when a record is read).
    let compact_placed: Vec<CompactRecord> = compact
        .iter()
        .zip(csv[CSV_HEADER.len()..].split(|b| *b == b'\n'))
        .map(|(r, line)| {
            let lsoa = line.split(|b| *b == b',').nth(4).unwrap_or_default();
            let mut r = *r;
            r.place = with_breakdowns
                .resolve_area(Some(lsoa), None)
                .map_or(equitas_core::cohort::NO_PLACE, |a| a.place);
            r
        })
        .collect();
    g.throughput(Throughput::Elements(n));
    g.bench_function("classify_and_aggregate_in_memory_breakdowns_place", |b| {
        b.iter(|| {
            let mut counts = CohortCounts::new(&with_breakdowns);
            for r in &compact_placed {
                counts.count(&with_breakdowns, r);
            }
            black_box(counts.people())
        });
    });
    g.throughput(Throughput::Elements(n));
    g.bench_function("csv_end_to_end_breakdowns_place", |b| {
        b.iter(|| {
            let mut counts = CohortCounts::new(&with_breakdowns);
            let s = count_records(csv.as_slice(), &with_breakdowns, &mut counts, false)
                .expect("valid file");
            assert_eq!(s.counted, n);
            black_box(counts.people())
        });
    });
    // The same rows with their person_ids out of order (rows permuted: i -> i * 7919 mod n, a
    // permutation as 7919 is a prime not dividing n), as in a file not sorted by id: the
    // repeated-id check then needs its hash table.
    let shuffled = {
        let rows: Vec<&[u8]> = csv[CSV_HEADER.len()..]
            .split_inclusive(|b| *b == b'\n')
            .collect();
        let mut out = CSV_HEADER.as_bytes().to_vec();
        for i in 0..rows.len() {
            out.extend_from_slice(rows[i * 7919 % rows.len()]);
        }
        out
    };
    for (name, file) in [("", &csv), ("_ids_out_of_order", &shuffled)] {
        g.throughput(Throughput::Elements(n));
        g.bench_function(format!("csv_end_to_end{name}"), |b| {
            b.iter(|| {
                let mut counts = CohortCounts::new(&classifier);
                let s = count_records(file.as_slice(), &classifier, &mut counts, false)
                    .expect("valid file");
                assert_eq!(s.counted, n);
                black_box(counts.people())
            });
        });
        g.throughput(Throughput::Elements(n));
        g.bench_function(format!("csv_end_to_end{name}_2_threads"), |b| {
            b.iter(|| {
                let mut counts = CohortCounts::new(&classifier);
                let s = count_records_parallel(
                    file.as_slice(),
                    &classifier,
                    &mut counts,
                    2,
                    DEFAULT_BLOCK_BYTES,
                )
                .expect("valid file");
                assert_eq!(s.counted, n);
                black_box(counts.people())
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench_cohorts);
criterion_main!(benches);
