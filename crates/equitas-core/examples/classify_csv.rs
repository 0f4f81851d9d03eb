//! Classify a person-record CSV into Core20PLUS5 cohorts and print what was counted.
//!
//! ```sh
//! cargo run -p equitas-core --example classify_csv -- records.csv
//! cargo run -p equitas-core --example classify_csv            # 2,000 SYNTHETIC people
//! ```
//!
//! The file has a header row with `person_id`, `age`, `sex`, `ethnicity`, `lsoa`, `conditions`,
//! `groups`, `smoking`, `events` and `imd_decile` (`equitas synth` writes one). With no file, the
//! example makes 2,000 synthetic people (not real ones) first, so it runs anywhere. No IMD file is
//! loaded here, so deprivation comes from the `imd_decile` column; `DeprivationIndex::from_csv`
//! and `Classifier::new(definition, Some(&index))` look areas up instead.

use std::error::Error;
use std::fs::File;
use std::io::Read;

use equitas_core::cohort::records::count_records;
use equitas_core::cohort::{Classifier, CohortCounts, CohortDefinition, ambitions, report};
use equitas_core::synth::{Areas, CSV_HEADER, Synth, SynthParams};

fn main() -> Result<(), Box<dyn Error>> {
    let classifier = Classifier::new(CohortDefinition::national(), None)?;
    let (input, source): (Box<dyn Read>, String) = match std::env::args_os().nth(1) {
        Some(path) => (
            Box::new(File::open(&path)?),
            path.to_string_lossy().into_owned(),
        ),
        None => (
            Box::new(std::io::Cursor::new(synthetic(2_000)?)),
            "2,000 SYNTHETIC people (not real people)".to_owned(),
        ),
    };

    // One pass over the file: every row is classified and counted, or reported with its row,
    // column and value. `count_records_parallel` does the same on several threads.
    let mut counts = CohortCounts::new(&classifier);
    let summary = count_records(input, &classifier, &mut counts, false)?;
    println!(
        "{source}: {} rows, {} counted, {} not counted",
        summary.rows, summary.counted, summary.rejected
    );
    for problem in &summary.problems {
        println!("  not counted: {problem}");
    }

    let cohort = report(&counts, &classifier);
    println!(
        "\n{} people, {} in Core20 (IMD deciles 1-2 of {})",
        cohort.total.people, cohort.total.core20, cohort.imd_edition
    );
    println!("\nclinical area                 people   Core20");
    for line in cohort.areas.iter().filter(|l| l.people > 0) {
        println!("{:<28} {:>7} {:>8}", line.id, line.people, line.core20);
    }
    println!("\nPLUS group                    people   Core20");
    for line in cohort.plus_groups.iter().filter(|l| l.people > 0) {
        println!("{:<28} {:>7} {:>8}", line.id, line.people, line.core20);
    }

    // The ambitions: each metric's rate for Core20 and the rest, and the gap between them.
    println!("\nmetric                          Core20     rest   gap (pp)");
    for row in ambitions(&counts, classifier.catalogue()) {
        let pct =
            |r: Option<f64>| r.map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", 100.0 * r));
        let gap = row
            .gap_pp
            .map_or_else(|| "-".to_owned(), |g| format!("{g:.1}"));
        println!(
            "{:<30} {:>7} {:>8} {:>10}",
            row.metric,
            pct(row.core20.rate),
            pct(row.rest.rate),
            gap
        );
    }
    Ok(())
}

/// `people` synthetic person records as CSV, as `equitas synth` writes them.
fn synthetic(people: u64) -> std::io::Result<Vec<u8>> {
    let params = SynthParams::builtin();
    let mut synth = Synth::new(&params, 2026, Areas::Deciles).map_err(std::io::Error::other)?;
    let mut csv = CSV_HEADER.as_bytes().to_vec();
    for _ in 0..people {
        synth.next_person().write_csv_row(&mut csv)?;
    }
    Ok(csv)
}
