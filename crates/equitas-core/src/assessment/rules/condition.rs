//! Conditions: when a question is shown (`visible_if`) and when a gap is reported (`when`).
//! [`check`] runs when an instrument is loaded ([`Instrument::check`]), [`holds`] whenever the
//! form is shown, validated or scored.

use crate::assessment::answers::{Answer, Answers};
use crate::assessment::instrument::{Condition, Instrument};
use crate::assessment::validate::{quantified_dimensions, uncovered_negatives};

/// Check that `c` holds together in `instrument`: every question it names exists and is of a
/// kind the condition can read, with the option, item, family or column it names.
///
/// # Errors
/// The first problem found, naming the question and what it lacks.
pub(in crate::assessment) fn check(instrument: &Instrument, c: &Condition) -> Result<(), String> {
    const CHOICE: &[&str] = &["single_choice", "rating"];
    const CHECKLIST: &[&str] = &["dimension_checklist"];
    match c {
        Condition::Answered(q) => instrument.need(q, &[]).map(|_| ()),
        Condition::Equals { question, option } => instrument.need_option(question, CHOICE, option),
        Condition::Includes { question, option } => {
            instrument.need_option(question, &["multiple_choice"], option)
        }
        Condition::ItemConsidered { question, item } => {
            instrument.need_option(question, CHECKLIST, item)
        }
        Condition::FamilyConsidered { question, family } => {
            let q = instrument.need(question, CHECKLIST)?;
            if q.kind
                .choices()
                .iter()
                .any(|c| c.family.as_deref() == Some(family))
            {
                Ok(())
            } else {
                Err(format!("question {question} has no family {family:?}"))
            }
        }
        Condition::NegativeImpactWithoutAction {
            checklist,
            table,
            column,
        } => {
            instrument.need(checklist, CHECKLIST)?;
            instrument.need_column(table, column)
        }
        Condition::NotQuantified(q) => instrument.need(q, &["evidence_table"]).map(|_| ()),
        Condition::AllOf(cs) | Condition::AnyOf(cs) => {
            cs.iter().try_for_each(|c| check(instrument, c))
        }
        Condition::Not(c) => check(instrument, c),
    }
}

/// Whether `condition` holds for `answers`.
#[must_use]
pub fn holds(instrument: &Instrument, answers: &Answers, condition: &Condition) -> bool {
    match condition {
        Condition::Answered(q) => answers.answered(q.as_str()).is_some(),
        Condition::Equals { question, option } => answers
            .get(question.as_str())
            .and_then(Answer::text)
            .is_some_and(|t| t == option),
        Condition::Includes { question, option } => matches!(
            answers.get(question.as_str()),
            Some(Answer::Choices(v)) if v.iter().any(|o| o == option)
        ),
        Condition::ItemConsidered { question, item } => matches!(
            answers.get(question.as_str()),
            Some(Answer::Checklist(m)) if m.get(item).is_some_and(|e| e.considered)
        ),
        Condition::FamilyConsidered { question, family } => {
            let (Some(q), Some(Answer::Checklist(m))) = (
                instrument.question(question.as_str()),
                answers.get(question.as_str()),
            ) else {
                return false;
            };
            q.kind.choices().iter().any(|c| {
                c.family.as_deref() == Some(family.as_str())
                    && m.get(&c.id).is_some_and(|e| e.considered)
            })
        }
        Condition::NegativeImpactWithoutAction {
            checklist,
            table,
            column,
        } => !uncovered_negatives(answers, checklist, table, column).is_empty(),
        Condition::NotQuantified(q) => match answers.get(q.as_str()) {
            Some(Answer::Evidence(e)) => quantified_dimensions(e).is_empty(),
            _ => true,
        },
        Condition::AllOf(cs) => cs.iter().all(|c| holds(instrument, answers, c)),
        Condition::AnyOf(cs) => cs.iter().any(|c| holds(instrument, answers, c)),
        Condition::Not(c) => !holds(instrument, answers, c),
    }
}
