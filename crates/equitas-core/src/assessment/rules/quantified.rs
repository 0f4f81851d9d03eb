//! `quantified`: whether the evidence table quantifies a gap.

use super::{Scoring, line, share01};
use crate::assessment::answers::Answer;
use crate::assessment::instrument::{Instrument, QuestionId};
use crate::assessment::score::Line;
use crate::assessment::validate::quantified_dimensions;

/// The question is an evidence table, and `partial` a share in 0..=1.
pub(super) fn check(
    instrument: &Instrument,
    question: &QuestionId,
    partial: f64,
) -> Result<(), String> {
    instrument.need(question, &["evidence_table"])?;
    share01(partial)
}

/// A dimension with two or more subgroups with estimates earns all; evidence without one earns
/// `partial`; no evidence earns nothing.
pub(super) fn evaluate(
    s: &Scoring<'_>,
    question: &QuestionId,
    partial: f64,
    lines: &mut Vec<Line>,
) -> f64 {
    let weight = s.weight;
    match s.answers.answered(question.as_str()) {
        Some(Answer::Evidence(e)) => {
            let dims = quantified_dimensions(e);
            if dims.is_empty() {
                lines.push(line(
                    weight * partial,
                    weight * (1.0 - partial),
                    "evidence given, but no dimension has two subgroups with estimates to compare"
                        .into(),
                ));
                partial
            } else {
                let list: Vec<String> = dims
                    .iter()
                    .map(|(d, n)| format!("{d} ({n} subgroups)"))
                    .collect();
                lines.push(line(
                    weight,
                    0.0,
                    format!("gap quantified by {}", list.join(", ")),
                ));
                1.0
            }
        }
        _ => {
            lines.push(line(0.0, weight, "no quantitative evidence given".into()));
            0.0
        }
    }
}
