//! `strength`: a rating's level, the weakest earning nothing and the strongest all.

use super::{Scoring, label_of, line};
use crate::assessment::answers::Answer;
use crate::assessment::instrument::{Instrument, QuestionId};
use crate::assessment::score::Line;

/// The question is a rating.
pub(super) fn check(instrument: &Instrument, question: &QuestionId) -> Result<(), String> {
    instrument.need(question, &["rating"]).map(|_| ())
}

/// Level i of n earns i / (n − 1) of the weight (counting from 0); no rating earns nothing.
pub(super) fn evaluate(s: &Scoring<'_>, question: &QuestionId, lines: &mut Vec<Line>) -> f64 {
    let Scoring {
        instrument,
        answers,
        weight,
        ..
    } = *s;
    let levels = instrument
        .question(question.as_str())
        .map_or(&[][..], |q| q.kind.choices());
    let at = answers
        .answered(question.as_str())
        .and_then(Answer::text)
        .and_then(|t| levels.iter().position(|l| l.id == t));
    match at {
        Some(i) => {
            let s = i as f64 / (levels.len().max(2) - 1) as f64;
            lines.push(line(
                weight * s,
                weight * (1.0 - s),
                format!(
                    "evidence rated {} (level {} of {})",
                    levels.get(i).map_or("", |l| l.label.as_str()),
                    i + 1,
                    levels.len()
                ),
            ));
            s
        }
        None => {
            lines.push(line(
                0.0,
                weight,
                format!("not rated: {}", label_of(instrument, question.as_str())),
            ));
            0.0
        }
    }
}
