//! The rubric's rules, one module per kind of [`Rule`], each holding both halves of its rule side
//! by side: `check`, run when an instrument is loaded ([`Instrument::check`]: the questions and
//! columns it names exist and are of the right kind, its shares lie in 0..=1, its ranges are in
//! order), and `evaluate`, run when an assessment is scored ([`score`](super::score())): the
//! share of the criterion's weight earned, which it returns, with a [`Line`] for every point
//! earned or lost, which it adds to the criterion's lines.
//!
//! [`check`] and [`evaluate`] only pass each kind to its module. A new kind of rule is a new
//! variant of [`Rule`] (with its reader and schema), a module here, and an arm in each.
//!
//! The [`Condition`](super::instrument::Condition)s that show a question (`visible_if`) and
//! report a gap (`when`) are rules too: [`condition`] has their check and their evaluation,
//! [`holds`](condition::holds).
//!
//! The kinds' `evaluate` add to one list of lines that [`evaluate`] owns, rather than each
//! returning its own: returned lists made the assessment engine bigger (after wasm-opt -Oz,
//! 295,165 bytes against 294,829 this way; gzipped, 118,661 against 118,546).

mod actions;
mod breadth;
mod completeness;
pub(super) mod condition;
mod credit;
mod maturity;
mod quantified;
mod review_date;
mod strength;
#[cfg(test)]
mod tests;

use super::answers::Answers;
use super::instrument::{Instrument, Rule};
use super::score::Line;
use crate::number::Num;

/// Check that `rule` holds together in `instrument`.
///
/// # Errors
/// The first problem found, naming the question, option or column (the caller adds the
/// criterion's id).
pub(super) fn check(instrument: &Instrument, rule: &Rule) -> Result<(), String> {
    match rule {
        Rule::Completeness => completeness::check(),
        Rule::Breadth { question } => breadth::check(instrument, question),
        Rule::Strength { question } => strength::check(instrument, question),
        Rule::Credit { question, credit } => credit::check(instrument, question, credit),
        Rule::Quantified { question, partial } => quantified::check(instrument, question, *partial),
        Rule::Actions {
            table,
            fields,
            link,
            checklist,
        } => actions::check(instrument, table, fields, link, checklist),
        Rule::ReviewDate {
            question,
            from,
            min_months,
            max_months,
            outside,
        } => review_date::check(
            instrument,
            question,
            from,
            *min_months,
            *max_months,
            *outside,
        ),
        Rule::Maturity => maturity::check(),
    }
}

/// What a criterion's rule is evaluated against.
pub(super) struct Scoring<'a> {
    /// The instrument.
    pub instrument: &'a Instrument,
    /// The answers.
    pub answers: &'a Answers,
    /// The section the criterion counts towards.
    pub section: &'a str,
    /// The criterion's points.
    pub weight: f64,
}

/// A criterion's share (0..=1) and its explanation, in points of its weight.
pub(super) fn evaluate(s: &Scoring<'_>, rule: &Rule) -> (f64, Vec<Line>) {
    let mut lines = Vec::new();
    let share = match rule {
        Rule::Completeness => completeness::evaluate(s, &mut lines),
        Rule::Breadth { question } => breadth::evaluate(s, question, &mut lines),
        Rule::Strength { question } => strength::evaluate(s, question, &mut lines),
        Rule::Credit { question, credit } => credit::evaluate(s, question, credit, &mut lines),
        Rule::Quantified { question, partial } => {
            quantified::evaluate(s, question, *partial, &mut lines)
        }
        Rule::Actions {
            table,
            fields,
            link,
            checklist,
        } => actions::evaluate(s, table, fields, link, checklist, &mut lines),
        Rule::ReviewDate {
            question,
            from,
            min_months,
            max_months,
            outside,
        } => review_date::evaluate(
            s,
            question,
            from,
            *min_months,
            *max_months,
            *outside,
            &mut lines,
        ),
        Rule::Maturity => maturity::evaluate(s, &mut lines),
    };
    (share, lines)
}

/// A share of a criterion's weight, which must lie in 0..=1.
fn share01(x: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(format!("share {} must lie in 0..=1", Num(x)))
    }
}

fn line(earned: f64, lost: f64, text: String) -> Line {
    Line { earned, lost, text }
}

/// The question's label, or its id when the instrument has no such question.
fn label_of<'a>(instrument: &'a Instrument, id: &'a str) -> &'a str {
    instrument.question(id).map_or(id, |q| q.label.as_str())
}
