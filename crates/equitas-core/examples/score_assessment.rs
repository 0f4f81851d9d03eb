//! Load a saved HEAT self-assessment, migrate it to the newest instrument, check it, score it
//! and print the report as Markdown.
//!
//! ```sh
//! cargo run -p equitas-core --example score_assessment                 # a SYNTHETIC example
//! cargo run -p equitas-core --example score_assessment -- saved.json
//! ```
//!
//! A saved file is what the browser app's "Save" and `equitas assess new` write (format
//! `equitas-assessment`). The bundled one is a SYNTHETIC, thorough HEAT assessment.

use std::error::Error;

use equitas_core::assessment::{Registry, ReportModel, load, render, validate};

/// A thorough example assessment from the repository's tests, compiled in.
const EXAMPLE: &str =
    include_str!("../../../tests/fixtures/assessments/examples/heat-thorough.json");

fn main() -> Result<(), Box<dyn Error>> {
    let text = match std::env::args_os().nth(1) {
        Some(path) => std::fs::read_to_string(path)?,
        None => EXAMPLE.to_owned(),
    };
    // The built-in instruments; an organisation adds its own with `Registry::add_json`.
    let registry = Registry::builtin()?;
    // Loading migrates an older file: answers follow renamed questions, and answers to removed
    // questions are kept aside with a note, never dropped.
    let loaded = load(&text, &registry)?;
    for note in &loaded.notes {
        eprintln!("migration: {note}");
    }
    let assessment = loaded.assessment;
    let instrument = registry
        .for_assessment(&assessment)
        .ok_or("no instrument for this assessment")?;

    // What a form would show next to the questions.
    for problem in validate(instrument, &assessment.answers) {
        eprintln!("to fix: {}: {}", problem.question, problem.message);
    }

    // The report as a reader sees it: the scored report, with the measures' names and charts.
    let model = ReportModel::score(instrument, &assessment.answers);
    let report = &model.report;
    eprintln!(
        "overall {:.0}/100{}, {} gaps",
        report.overall,
        report
            .band
            .as_ref()
            .map_or_else(String::new, |b| format!(" ({})", b.label)),
        report.gaps.len()
    );
    print!("{}", render::report_markdown(&model));
    Ok(())
}
