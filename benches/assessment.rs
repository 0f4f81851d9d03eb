//! Assessment benchmarks: scoring one assessment (target under 50 µs), one whose evidence table
//! has 100,000 rows, and a portfolio summary of 10,000 assessments (target under 1 s). The assessments are the synthetic examples in
//! `tests/fixtures/assessments/examples/`, repeated. Also the two readers the browser runs:
//! loading a saved file (every `validateAssessment`, `assessmentProgress` and `scoreAssessment`
//! call loads the draft it is given) and reading the built-in instruments (once, at start).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use equitas_core::assessment::Instrument;
use equitas_core::assessment::envelope::INSTRUMENT_FILES;
use equitas_core::assessment::{
    Answer, Assessment, Date, Evidence, EvidenceRow, QuestionId, Registry, load, score, summary,
};

/// Assessments in the summary; `cargo test --benches` runs each bench once on a small portfolio.
fn portfolio() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        300
    }
}

fn examples(reg: &Registry) -> Vec<Assessment> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/assessments/examples");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            load(&text, reg)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
                .assessment
        })
        .collect()
}

fn bench_assessment(c: &mut Criterion) {
    let reg = Registry::builtin().expect("built-in instruments");
    let all = examples(&reg);
    let thorough = all
        .iter()
        .filter(|a| a.instrument.id == "heat")
        .max_by_key(|a| a.answers.len())
        .expect("the thorough HEAT example");
    let heat = reg.for_assessment(thorough).expect("heat");

    let mut g = c.benchmark_group("assessment");
    g.throughput(Throughput::Elements(1));
    g.bench_function("score_thorough_heat", |b| {
        b.iter(|| black_box(score(heat, black_box(&thorough.answers))));
    });

    // The thorough example with its evidence table grown to 100,000 rows (issue 12 finding 7:
    // 24 s in the browser): 20 ordered dimensions of 5,000 subgroups each, every row with an
    // estimate, a population and a standard error, so validation, grouping, the quantified rule
    // and the measures (SII, RII, D of each dimension) all see every row.
    let mut big = thorough.answers.clone();
    let rows = (0..100_000u32)
        .map(|i| EvidenceRow {
            dimension: format!("Dimension {}", i / 5_000),
            subgroup: format!("Subgroup {}", i % 5_000),
            order: i % 5_000 + 1,
            estimate: Some(40.0 + f64::from(i % 5_000) * 0.004),
            population: Some(1_000.0 + f64::from(i % 7)),
            se: Some(1.0 + f64::from(i % 3) * 0.1),
            lower: None,
            upper: None,
            reference: false,
        })
        .collect();
    big.insert(
        QuestionId::new("assess.evidence"),
        Answer::Evidence(Evidence {
            indicator: Some("uptake, % (SYNTHETIC)".into()),
            favourable: true,
            scale: 100.0,
            rows,
        }),
    );
    let report = score(heat, &big);
    assert_eq!(report.quantified.len(), 20, "every dimension is quantified");
    assert!(
        report
            .quantified
            .iter()
            .flat_map(|q| &q.measures)
            .all(|m| m.value.is_some()),
        "every measure is computed"
    );
    g.throughput(Throughput::Elements(100_000));
    g.sample_size(10);
    g.bench_function("score_evidence_100k_rows", |b| {
        b.iter(|| black_box(score(heat, black_box(&big))));
    });
    g.sample_size(100);
    g.throughput(Throughput::Elements(1));

    let saved = thorough.to_json();
    g.bench_function("load_thorough_heat", |b| {
        b.iter(|| black_box(load(black_box(&saved), &reg).expect("loads")));
    });
    g.throughput(Throughput::Elements(INSTRUMENT_FILES.len() as u64));
    // The JSON text alone, to a tree (what `read_builtin_instruments` spends parsing).
    g.bench_function("parse_builtin_instruments", |b| {
        b.iter(|| {
            for (_, text) in INSTRUMENT_FILES {
                black_box(equitas_core::read::parse(black_box(text)).expect("parses"));
            }
        });
    });
    g.bench_function("read_builtin_instruments", |b| {
        b.iter(|| {
            for (_, text) in INSTRUMENT_FILES {
                black_box(Instrument::from_json(black_box(text)).expect("reads"));
            }
        });
    });

    let n = portfolio();
    let names: Vec<String> = (0..n).map(|i| format!("a{i}.json")).collect();
    let items: Vec<_> = (0..n)
        .map(|i| {
            let a = &all[i % all.len()];
            (
                names[i].as_str(),
                reg.for_assessment(a).expect("instrument"),
                a,
            )
        })
        .collect();
    let as_of = Date::parse("2026-04-01").expect("date");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("summary_portfolio", |b| {
        b.iter(|| black_box(summary(items.iter().copied(), as_of)));
    });
    g.finish();
}

criterion_group!(benches, bench_assessment);
criterion_main!(benches);
