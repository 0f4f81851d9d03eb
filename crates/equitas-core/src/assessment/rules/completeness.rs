//! `completeness`: the share of the section's visible questions answered.

use super::{Scoring, line};
use crate::assessment::score::Line;
use crate::assessment::validate::is_visible;

/// Nothing to check: the rule names no question, and the criterion's section is checked with
/// every criterion.
pub(super) fn check() -> Result<(), String> {
    Ok(())
}

/// Each visible question of the section earns an equal part of the weight when answered; a
/// section that shows no question earns nothing.
pub(super) fn evaluate(s: &Scoring<'_>, lines: &mut Vec<Line>) -> f64 {
    let Scoring {
        instrument,
        answers,
        section,
        weight,
    } = *s;
    let qs: Vec<_> = instrument
        .sections
        .iter()
        .filter(|s| s.id == section)
        .flat_map(|s| &s.questions)
        .filter(|q| is_visible(instrument, answers, q))
        .collect();
    if qs.is_empty() {
        lines.push(line(
            0.0,
            weight,
            "no questions are shown in this section".into(),
        ));
        return 0.0;
    }
    let each = weight / qs.len() as f64;
    let done = qs
        .iter()
        .filter(|q| answers.answered(q.id.as_str()).is_some())
        .count();
    lines.push(line(
        each * done as f64,
        0.0,
        format!("{done} of {} questions shown are answered", qs.len()),
    ));
    for q in qs
        .iter()
        .filter(|q| answers.answered(q.id.as_str()).is_none())
    {
        lines.push(line(0.0, each, format!("not answered: {}", q.label)));
    }
    done as f64 / qs.len() as f64
}
