//! Disclosure control benchmarks: protecting a whole cohort report (`ProtectedReport::new`:
//! linking every table's counts, nesting them, primary and secondary suppression) and writing
//! it as published JSON.
//!
//! The report is `equitas cohorts --by lookup,sex:lookup` over a synthetic population drawn
//! from the real England 2019 IMD file, each person put in a local authority by the ONS lookup
//! in `../shared/data/geography/` (about 300 authorities, by sex): the shape of a report by
//! Place for an ICB or England. Target: seconds, not minutes, for the whole command; before
//! the blocks and nesting by bit sets, this protection alone took over three minutes.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use equitas_core::cohort::records::count_records;
use equitas_core::cohort::{
    Breakdown, Classifier, CohortCounts, CohortDefinition, ProtectedReport, report,
};
use equitas_core::deprivation::DeprivationIndex;
use equitas_core::disclosure::Rule;
use equitas_core::geography::PlaceLookup;
use equitas_core::synth::{Areas, CSV_HEADER, Synth, SynthParams};

/// People in the benchmark population; `cargo test --benches` runs each bench once on a small one.
fn people() -> u64 {
    if std::env::args().any(|a| a == "--bench") {
        100_000
    } else {
        20_000
    }
}

fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(path)
}

fn bench_disclosure(c: &mut Criterion) {
    let imd = shared("imd/imd2019_england_lsoa11.csv");
    let ix = DeprivationIndex::from_path(&imd).unwrap_or_else(|e| panic!("{}: {e}", imd.display()));
    let path = shared("geography/lsoa11_subicb22_icb22_lad22.csv");
    let lookup = PlaceLookup::from_path(&path, None, Some("ltla22_code"))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let classifier = Classifier::new(CohortDefinition::national(), Some(&ix))
        .expect("definition")
        .with_places(&lookup, None)
        .expect("places")
        .with_breakdowns(&Breakdown::parse_list("lookup,sex:lookup").expect("breakdowns"))
        .expect("breakdowns");
    let n = people();
    let params = SynthParams::builtin();
    let mut synth = Synth::new(&params, 1, Areas::Index(&ix)).expect("synth");
    let mut csv = Vec::with_capacity(80 * n as usize);
    csv.extend_from_slice(CSV_HEADER.as_bytes());
    for _ in 0..n {
        synth
            .next_person()
            .write_csv_row(&mut csv)
            .expect("write to memory");
    }
    let mut counts = CohortCounts::new(&classifier);
    count_records(csv.as_slice(), &classifier, &mut counts, false).expect("valid file");
    let rep = report(&counts, &classifier);

    let mut g = c.benchmark_group("disclosure");
    g.sample_size(10);
    for rule in [Rule::NhsDigital, Rule::Below(10)] {
        g.bench_function(
            format!(
                "protect_report_lookup_by_sex_{}",
                rule.id().replace(':', "_")
            ),
            |b| {
                b.iter(|| black_box(ProtectedReport::new(&rep, rule)));
            },
        );
    }
    let protected = ProtectedReport::new(&rep, Rule::NhsDigital);
    g.bench_function("published_json_lookup_by_sex", |b| {
        b.iter(|| black_box(protected.report_json(&rep)));
    });
    g.finish();
}

criterion_group!(benches, bench_disclosure);
criterion_main!(benches);
