//! `actions`: action quality. Every action (a row of the actions table with something in it) has
//! each of `fields` filled (a date column with a valid date), and every negative impact on the
//! checklist has an action naming it in the `link` column.

use super::{Scoring, line};
use crate::SortedMap;
use crate::assessment::answers::{Answer, Impact};
use crate::assessment::date::Date;
use crate::assessment::instrument::{Column, ColumnKind, Instrument, Kind, QuestionId};
use crate::assessment::score::Line;
use crate::assessment::validate::uncovered_negatives;

/// The checklist is a dimension checklist, and `fields` and `link` are columns of the table.
pub(super) fn check(
    instrument: &Instrument,
    table: &QuestionId,
    fields: &[String],
    link: &str,
    checklist: &QuestionId,
) -> Result<(), String> {
    instrument.need(checklist, &["dimension_checklist"])?;
    for f in fields
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(link))
    {
        instrument.need_column(table, f)?;
    }
    Ok(())
}

/// One check per field of every action and one per negative impact, each earning an equal part
/// of the weight when it passes; no action and no negative impact earn nothing.
pub(super) fn evaluate(
    s: &Scoring<'_>,
    table: &QuestionId,
    fields: &[String],
    link: &str,
    checklist: &QuestionId,
    lines: &mut Vec<Line>,
) -> f64 {
    let Scoring {
        instrument,
        answers,
        weight,
        ..
    } = *s;
    let columns = match instrument.question(table.as_str()).map(|q| &q.kind) {
        Some(Kind::Table { columns }) => columns.as_slice(),
        _ => &[],
    };
    let rows: Vec<_> = match answers.get(table.as_str()) {
        Some(Answer::Table(rows)) => rows
            .iter()
            .filter(|r| r.values().any(|c| !c.trim().is_empty()))
            .collect(),
        _ => Vec::new(),
    };
    let negatives = match answers.get(checklist.as_str()) {
        Some(Answer::Checklist(m)) => m
            .values()
            .filter(|e| e.considered && e.impact == Some(Impact::Negative))
            .count(),
        _ => 0,
    };
    let checks = rows.len() * fields.len() + negatives;
    if checks == 0 {
        lines.push(line(0.0, weight, "no actions recorded".into()));
        return 0.0;
    }
    let each = weight / checks as f64;
    let filled = fields_filled(columns, &rows, fields, each, lines);
    let covered = impacts_covered(s, checklist, table, link, negatives, each, lines);
    (filled + covered) as f64 / checks as f64
}

/// How many of the actions' fields are filled in, of `rows.len() * fields.len()`: a line saying
/// so (when there is any action), then a line for each action with a field missing.
fn fields_filled(
    columns: &[Column],
    rows: &[&SortedMap<String, String>],
    fields: &[String],
    each: f64,
    lines: &mut Vec<Line>,
) -> usize {
    let start = lines.len();
    let col_label = |id: &str| -> String {
        columns
            .iter()
            .find(|c| c.id == id)
            .map_or(id, |c| c.label.as_str())
            .to_owned()
    };
    let mut passed = 0usize;
    let first = columns.first().map(|c| c.id.as_str()).unwrap_or_default();
    for (i, r) in rows.iter().enumerate() {
        let name = r.get(first).map_or("", |s| s.trim());
        let missing: Vec<String> = fields
            .iter()
            .filter(|f| {
                let cell = r.get(f.as_str()).map_or("", |s| s.trim());
                let ok = !cell.is_empty()
                    && match columns.iter().find(|c| &c.id == *f).map(|c| &c.kind) {
                        Some(ColumnKind::Date) => Date::parse(cell).is_ok(),
                        _ => true,
                    };
                !ok
            })
            .map(|f| col_label(f))
            .collect();
        passed += fields.len() - missing.len();
        if !missing.is_empty() {
            lines.push(line(
                0.0,
                each * missing.len() as f64,
                format!(
                    "action {} ({name:?}) has no {}",
                    i + 1,
                    missing.join(", no ")
                ),
            ));
        }
    }
    let complete = rows.len() * fields.len();
    if complete > 0 {
        let have = passed;
        lines.insert(
            start,
            line(
                each * have as f64,
                0.0,
                format!(
                    "{} action(s): {have} of {complete} of {} filled in",
                    rows.len(),
                    fields
                        .iter()
                        .map(|f| col_label(f))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        );
    }
    passed
}

/// How many of the `negatives` negative impacts on the checklist an action names: a line saying
/// so (when there is any), then a line for each impact without an action.
fn impacts_covered(
    s: &Scoring<'_>,
    checklist: &QuestionId,
    table: &QuestionId,
    link: &str,
    negatives: usize,
    each: f64,
    lines: &mut Vec<Line>,
) -> usize {
    let uncovered = uncovered_negatives(s.answers, checklist, table, link);
    let items = s
        .instrument
        .question(checklist.as_str())
        .map_or(&[][..], |q| q.kind.choices());
    let covered = negatives - uncovered.len();
    if negatives > 0 {
        lines.push(line(
            each * covered as f64,
            0.0,
            format!("{covered} of {negatives} negative impacts have an action"),
        ));
    }
    for id in uncovered {
        let l = items
            .iter()
            .find(|c| c.id == id)
            .map_or(id, |c| c.label.as_str());
        lines.push(line(
            0.0,
            each,
            format!("negative impact on {l} has no action"),
        ));
    }
    covered
}
