//! `review_date`: a date set within a window of months after another date.

use super::{Scoring, label_of, line, share01};
use crate::assessment::answers::Answer;
use crate::assessment::date::Date;
use crate::assessment::instrument::{Instrument, QuestionId};
use crate::assessment::score::Line;

/// Both questions are dates, the window is in order, and `outside` is a share in 0..=1.
pub(super) fn check(
    instrument: &Instrument,
    question: &QuestionId,
    from: &QuestionId,
    min_months: u32,
    max_months: u32,
    outside: f64,
) -> Result<(), String> {
    instrument.need(question, &["date"])?;
    instrument.need(from, &["date"])?;
    if min_months > max_months {
        return Err(format!(
            "min_months {min_months} is after max_months {max_months}"
        ));
    }
    share01(outside)
}

/// A review date `min_months` to `max_months` after `from` earns all; one outside the window,
/// or one that cannot be checked because `from` is not set, earns `outside`; none earns nothing.
pub(super) fn evaluate(
    s: &Scoring<'_>,
    question: &QuestionId,
    from: &QuestionId,
    min_months: u32,
    max_months: u32,
    outside: f64,
    lines: &mut Vec<Line>,
) -> f64 {
    let Scoring {
        instrument,
        answers,
        weight,
        ..
    } = *s;
    let date = |q: &QuestionId| {
        answers
            .answered(q.as_str())
            .and_then(Answer::text)
            .and_then(|t| Date::parse(t).ok())
    };
    match (date(question), date(from)) {
        (None, _) => {
            lines.push(line(0.0, weight, "no review date set".into()));
            0.0
        }
        (Some(r), Some(f)) if r >= f.add_months(min_months) && r <= f.add_months(max_months) => {
            lines.push(line(
                weight,
                0.0,
                format!("review on {r}, {min_months}–{max_months} months after {f}"),
            ));
            1.0
        }
        (Some(r), Some(f)) => {
            lines.push(line(
                weight * outside,
                weight * (1.0 - outside),
                format!("review on {r} is not {min_months}–{max_months} months after {f}"),
            ));
            outside
        }
        (Some(r), None) => {
            lines.push(line(
                weight * outside,
                weight * (1.0 - outside),
                format!(
                    "review on {r}, but without {} it cannot be checked against the {min_months}–{max_months} month window",
                    label_of(instrument, from.as_str())
                ),
            ));
            outside
        }
    }
}
