//! `credit`: a share of the weight per chosen option of a choice question, summed, at most all.

use super::{Scoring, label_of, line, share01};
use crate::SortedMap;
use crate::assessment::answers::Answer;
use crate::assessment::instrument::{Instrument, QuestionId};
use crate::assessment::score::Line;

/// Every option given credit is an option of the question (a single or multiple choice or a
/// rating), and every credit is a share in 0..=1.
pub(super) fn check(
    instrument: &Instrument,
    question: &QuestionId,
    credit: &SortedMap<String, f64>,
) -> Result<(), String> {
    for (option, share) in credit {
        instrument.need_option(
            question,
            &["single_choice", "multiple_choice", "rating"],
            option,
        )?;
        share01(*share)?;
    }
    Ok(())
}

/// The credits of the options chosen, each on a line, summed and held at 1; short of full
/// credit, a line says which options would earn it.
pub(super) fn evaluate(
    s: &Scoring<'_>,
    question: &QuestionId,
    credit: &SortedMap<String, f64>,
    lines: &mut Vec<Line>,
) -> f64 {
    let Scoring {
        instrument,
        answers,
        weight,
        ..
    } = *s;
    let chosen: Vec<&str> = match answers.answered(question.as_str()) {
        Some(Answer::Text(t)) => vec![t.as_str()],
        Some(Answer::Choices(v)) => v.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let options = instrument
        .question(question.as_str())
        .map_or(&[][..], |q| q.kind.choices());
    let label = |id: &str| {
        options
            .iter()
            .find(|o| o.id == id)
            .map_or(id, |o| o.label.as_str())
            .to_owned()
    };
    let mut total = 0.0;
    for c in &chosen {
        let s = credit.get(*c).copied().unwrap_or(0.0);
        total += s;
        lines.push(line(
            weight * s,
            0.0,
            if s > 0.0 {
                format!("chosen: {}", label(c))
            } else {
                format!("chosen: {} (earns nothing under this criterion)", label(c))
            },
        ));
    }
    let total = total.min(1.0);
    if chosen.is_empty() {
        lines.push(line(
            0.0,
            weight,
            format!("not answered: {}", label_of(instrument, question.as_str())),
        ));
    } else if total < 1.0 {
        let best: Vec<String> = credit
            .iter()
            .filter(|(_, s)| **s >= 1.0)
            .map(|(o, _)| label(o))
            .collect();
        lines.push(line(
            0.0,
            weight * (1.0 - total),
            if best.is_empty() {
                "short of full credit".into()
            } else {
                format!("full credit needs: {}", best.join(" or "))
            },
        ));
    }
    total
}
