//! `maturity`: the mean level of the section's visible rating questions (maturity statements).

use super::{Scoring, line};
use crate::assessment::answers::Answer;
use crate::assessment::instrument::Kind;
use crate::assessment::score::Line;
use crate::assessment::validate::is_visible;
use crate::number;

/// Nothing to check: the rule names no question, and the criterion's section is checked with
/// every criterion.
pub(super) fn check() -> Result<(), String> {
    Ok(())
}

/// Each statement shown earns i / (n − 1) of an equal part of the weight at level i of n
/// (counting from 0); an unrated statement earns nothing, and a section with no statement shown
/// earns nothing.
pub(super) fn evaluate(s: &Scoring<'_>, lines: &mut Vec<Line>) -> f64 {
    let Scoring {
        instrument,
        answers,
        section,
        weight,
    } = *s;
    let mut sum = 0.0;
    let mut n = 0usize;
    for q in instrument
        .sections
        .iter()
        .filter(|s| s.id == section)
        .flat_map(|s| &s.questions)
        .filter(|q| is_visible(instrument, answers, q))
    {
        let Kind::Rating { levels } = &q.kind else {
            continue;
        };
        n += 1;
        let at = answers
            .answered(q.id.as_str())
            .and_then(Answer::text)
            .and_then(|t| levels.iter().position(|l| l.id == t));
        if let Some(i) = at {
            sum += i as f64 / (levels.len().max(2) - 1) as f64;
        }
    }
    if n == 0 {
        lines.push(line(0.0, weight, "no statements to rate".into()));
        return 0.0;
    }
    let s = sum / n as f64;
    lines.push(line(
        weight * s,
        weight * (1.0 - s),
        format!(
            "mean maturity of {n} statements: {}% of the top level",
            number::whole(s * 100.0)
        ),
    ));
    s
}
