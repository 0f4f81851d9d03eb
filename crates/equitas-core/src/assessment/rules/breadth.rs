//! `breadth`: the share of a dimension checklist's items considered.

use super::{Scoring, line};
use crate::assessment::answers::Answer;
use crate::assessment::instrument::{Instrument, QuestionId};
use crate::assessment::score::Line;

/// The question is a dimension checklist.
pub(super) fn check(instrument: &Instrument, question: &QuestionId) -> Result<(), String> {
    instrument
        .need(question, &["dimension_checklist"])
        .map(|_| ())
}

/// Each item earns an equal part of the weight when considered; the items not considered are
/// listed by family.
pub(super) fn evaluate(s: &Scoring<'_>, question: &QuestionId, lines: &mut Vec<Line>) -> f64 {
    let Scoring {
        instrument,
        answers,
        weight,
        ..
    } = *s;
    let items = instrument
        .question(question.as_str())
        .map_or(&[][..], |q| q.kind.choices());
    let considered = |id: &str| matches!(answers.get(question.as_str()), Some(Answer::Checklist(m)) if m.get(id).is_some_and(|e| e.considered));
    let n = items.len().max(1) as f64;
    let done = items.iter().filter(|c| considered(&c.id)).count();
    lines.push(line(
        weight * done as f64 / n,
        0.0,
        format!("{done} of {} dimensions considered", items.len()),
    ));
    let mut families: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in items.iter().filter(|c| !considered(&c.id)) {
        let f = c.family.as_deref().unwrap_or("other");
        match families.iter_mut().find(|(x, _)| *x == f) {
            Some((_, v)) => v.push(&c.label),
            None => families.push((f, vec![&c.label])),
        }
    }
    for (f, labels) in families {
        lines.push(line(
            0.0,
            weight * labels.len() as f64 / n,
            format!(
                "not considered ({}): {}",
                f.replace('_', " "),
                labels.join(", ")
            ),
        ));
    }
    done as f64 / n
}
