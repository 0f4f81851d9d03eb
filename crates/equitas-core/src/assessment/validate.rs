//! Visibility, validation and per-section progress: what a form needs while it is filled in.

use serde::Serialize;

use super::answers::{Answer, Answers, ChecklistEntry, Evidence, EvidenceRow, Impact};
use super::date::Date;
use super::instrument::{Choice, Column, ColumnKind, Instrument, Kind, Question, QuestionId};
use crate::SortedMap;
use crate::number::Num;

pub use super::rules::condition::holds;

/// Whether a question is shown for these answers.
#[must_use]
pub fn is_visible(instrument: &Instrument, answers: &Answers, question: &Question) -> bool {
    question
        .visible_if
        .as_ref()
        .is_none_or(|c| holds(instrument, answers, c))
}

/// Which questions the form shows for these answers, in form order.
#[must_use]
pub fn visible_questions<'a>(instrument: &'a Instrument, answers: &Answers) -> Vec<&'a QuestionId> {
    instrument
        .questions()
        .map(|(_, q)| q)
        .filter(|q| is_visible(instrument, answers, q))
        .map(|q| &q.id)
        .collect()
}

/// Checklist items marked as a negative impact that no row of `table` names in `column`.
#[must_use]
pub fn uncovered_negatives<'a>(
    answers: &'a Answers,
    checklist: &QuestionId,
    table: &QuestionId,
    column: &str,
) -> Vec<&'a str> {
    let Some(Answer::Checklist(items)) = answers.get(checklist.as_str()) else {
        return Vec::new();
    };
    // A list, not a B-tree set: lookups only, and no B-tree code in the wasm build for it.
    let linked: Vec<&str> = match answers.get(table.as_str()) {
        Some(Answer::Table(rows)) => rows
            .iter()
            .filter_map(|r| r.get(column))
            .map(|s| s.trim())
            .collect(),
        _ => Vec::new(),
    };
    items
        .iter()
        .filter(|(id, e)| {
            e.considered && e.impact == Some(Impact::Negative) && !linked.contains(&id.as_str())
        })
        .map(|(id, _)| id.as_str())
        .collect()
}

/// Dimensions of the evidence with at least two subgroups that have estimates, in first-seen
/// order, with how many.
#[must_use]
pub fn quantified_dimensions(e: &Evidence) -> Vec<(&str, usize)> {
    let with_estimate = |r: &EvidenceRow| r.estimate.is_some_and(f64::is_finite);
    dimension_groups(&e.rows, &with_estimate, true)
        .iter()
        .filter(|g| g.len() >= 2)
        .map(|g| {
            let first = g.first().and_then(|&i| e.rows.get(i));
            (first.map_or("", |r| r.dimension.trim()), g.len())
        })
        .collect()
}

/// The indices of the rows `keep` takes, grouped by dimension (trimmed), ascending within each
/// group; the groups in dimension-name order, or in the order of their first rows when
/// `first_seen`. One sort, whatever the number of dimensions: a search of the dimensions for
/// every row was quadratic (100,000 rows of distinct dimensions took 37 s; issue 12 finding
/// 7). Not generic, so the browser build holds one copy for validation and scoring.
pub(crate) fn dimension_groups(
    rows: &[EvidenceRow],
    keep: &dyn Fn(&EvidenceRow) -> bool,
    first_seen: bool,
) -> Vec<Vec<usize>> {
    let dim = |i: usize| rows.get(i).map_or("", |r| r.dimension.trim());
    let mut order = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if keep(r) {
            order.push(i);
        }
    }
    sort_rows(&mut order, &|a, b| dim(a).cmp(dim(b)));
    // Each row's group, named by the group's first row (the sort keeps rows in order).
    let mut first = vec![0; rows.len()];
    let mut start = 0;
    for (k, &i) in order.iter().enumerate() {
        if dim(i) != dim(start) || k == 0 {
            start = i;
        }
        if let Some(f) = first.get_mut(i) {
            *f = start;
        }
    }
    let group = |i: usize| first.get(i).copied().unwrap_or(0);
    if first_seen {
        sort_rows(&mut order, &|a, b| group(a).cmp(&group(b)));
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current = None;
    for &i in &order {
        if current != Some(group(i)) {
            current = Some(group(i));
            groups.push(Vec::new());
        }
        if let Some(g) = groups.last_mut() {
            g.push(i);
        }
    }
    groups
}

/// Sorts row indices stably by `cmp`: one compiled sort for every use.
fn sort_rows(v: &mut [usize], cmp: &dyn Fn(usize, usize) -> std::cmp::Ordering) {
    crate::sort::sort_by(v, |&a, &b| cmp(a, b));
}

/// What is wrong with an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// A required question shown on the form has no answer.
    Required,
    /// An option, level or item id the question does not have.
    UnknownOption,
    /// A date that is not `YYYY-MM-DD`.
    NotADate,
    /// A number outside the allowed range.
    OutOfRange,
    /// A required table cell is empty.
    MissingCell,
    /// An evidence row that cannot be used as it stands.
    BadEvidence,
    /// Parts of the answer contradict each other.
    Inconsistent,
    /// An answer to a question the instrument does not have.
    UnknownQuestion,
    /// An answer of the wrong kind for its question.
    WrongKind,
}

/// One problem with one answer, for the form to show beside the question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct FieldError {
    /// The question.
    pub question: QuestionId,
    /// Its section id.
    pub section: String,
    /// What kind of problem.
    pub problem: Problem,
    /// What to do about it, naming the value and place.
    pub message: String,
}

/// Every problem with the answers: required questions shown but unanswered (hidden questions
/// are neither required nor checked, though their answers are kept), unknown options, bad
/// dates, numbers out of range, incomplete table rows, unusable evidence rows, checklist items
/// marked considered with no impact, and a review date not after the assessment date (the
/// instrument's `roles`). An empty list means the assessment can be submitted. What depends
/// on the day it is asked is in [`validate_as_of`].
#[must_use]
pub fn validate(instrument: &Instrument, answers: &Answers) -> Vec<FieldError> {
    validate_as_of(instrument, answers, None)
}

/// [`validate`], and, given `today` (the engine has no clock), an assessment date after today.
///
/// The cross-field checks are errors, not warnings: each contradiction has a fix the person can
/// make (correct a date; choose "not known" as the impact), and one left in would reach the
/// report and the portfolio (a review "overdue" before the assessment was made).
#[must_use]
pub fn validate_as_of(
    instrument: &Instrument,
    answers: &Answers,
    today: Option<Date>,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    let (mut made, mut review) = (None, None);
    for (section, q) in instrument.questions() {
        let mut push = |problem: Problem, message: String| {
            out.push(FieldError {
                question: q.id.clone(),
                section: section.id.clone(),
                problem,
                message,
            });
        };
        let visible = is_visible(instrument, answers, q);
        let Some(answer) = answers.get(q.id.as_str()) else {
            if visible && q.required {
                push(Problem::Required, required_message(&q.kind));
            }
            continue;
        };
        if !visible {
            // Kept, never dropped, but not the user's problem while the form hides it.
            continue;
        }
        if q.required && !answer.is_answered() {
            push(Problem::Required, required_message(&q.kind));
            continue;
        }
        check_answer(instrument, q, answer, &mut push);
        if let (Kind::Date, Answer::Text(t)) = (&q.kind, answer)
            && let Ok(d) = Date::parse(t)
        {
            let roles = &instrument.roles;
            let slot = Some((section.id.as_str(), &q.id, d));
            if roles.assessment_date.as_ref() == Some(&q.id) {
                made = slot;
            } else if roles.review_date.as_ref() == Some(&q.id) {
                review = slot;
            }
        }
    }
    check_dates(made, review, today, &mut out);
    for (id, _) in answers.iter() {
        if instrument.question(id.as_str()).is_none() {
            out.push(FieldError {
                question: id.clone(),
                section: String::new(),
                problem: Problem::UnknownQuestion,
                message: format!(
                    "{} v{} has no question {:?}; remove this answer",
                    instrument.id,
                    instrument.version,
                    id.as_str()
                ),
            });
        }
    }
    out
}

/// The assessment and review dates against each other and against `today` (each a shown
/// question's real date, `(section, question, date)`; a bad date has its own error already).
fn check_dates(
    made: Option<(&str, &QuestionId, Date)>,
    review: Option<(&str, &QuestionId, Date)>,
    today: Option<Date>,
    out: &mut Vec<FieldError>,
) {
    let mut push = |(section, question, _): (&str, &QuestionId, Date), message: String| {
        out.push(FieldError {
            question: question.clone(),
            section: section.to_owned(),
            problem: Problem::Inconsistent,
            message,
        });
    };
    if let (Some((_, _, m)), Some(r)) = (made, review)
        && r.2 <= m
    {
        push(
            r,
            format!(
                "the review date {} is not after the assessment date {m}; give a later review date",
                r.2
            ),
        );
    }
    if let (Some(m), Some(today)) = (made, today)
        && m.2 > today
    {
        push(
            m,
            format!(
                "the assessment date {} is in the future (today is {today}); give the date it was made",
                m.2
            ),
        );
    }
}

fn required_message(kind: &Kind) -> String {
    match kind {
        Kind::SingleChoice { .. } | Kind::Rating { .. } => "choose one option".into(),
        Kind::MultipleChoice { .. } => "choose at least one option".into(),
        Kind::DimensionChecklist { .. } => "mark at least one item as considered".into(),
        Kind::Table { .. } => "add at least one row".into(),
        Kind::EvidenceTable => "add at least one row of evidence".into(),
        Kind::Date => "give a date (YYYY-MM-DD)".into(),
        Kind::Number { .. } => "give a number".into(),
        _ => "this question needs an answer".into(),
    }
}

fn options_list(q: &[Choice]) -> String {
    q.iter()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The problems with one visible, answered question's answer, by the question's kind.
fn check_answer(
    instrument: &Instrument,
    q: &Question,
    answer: &Answer,
    push: &mut impl FnMut(Problem, String),
) {
    match (&q.kind, answer) {
        (Kind::SingleChoice { options } | Kind::Rating { levels: options }, Answer::Text(t)) => {
            if !t.is_empty() && !is_choice(q, t) {
                push(
                    Problem::UnknownOption,
                    format!(
                        "{t:?} is not one of the options ({})",
                        options_list(options)
                    ),
                );
            }
        }
        (Kind::Text { .. }, Answer::Text(_)) => {}
        (Kind::Date, Answer::Text(t)) => {
            if !t.trim().is_empty()
                && let Err(e) = Date::parse(t)
            {
                push(Problem::NotADate, e.to_string());
            }
        }
        (Kind::MultipleChoice { options }, Answer::Choices(v)) => {
            for o in v.iter().filter(|o| !is_choice(q, o)) {
                push(
                    Problem::UnknownOption,
                    format!(
                        "{o:?} is not one of the options ({})",
                        options_list(options)
                    ),
                );
            }
        }
        (Kind::Number { min, max, unit }, Answer::Number(x)) => {
            check_number(*x, *min, *max, unit.as_deref(), push);
        }
        (Kind::DimensionChecklist { items }, Answer::Checklist(m)) => {
            check_checklist(q, items, m, push);
        }
        (Kind::Table { columns }, Answer::Table(rows)) => {
            for (i, row) in rows.iter().enumerate() {
                check_table_row(instrument, columns, i + 1, row, push);
            }
        }
        (Kind::EvidenceTable, Answer::Evidence(e)) => check_evidence(e, push),
        (kind, _) => push(
            Problem::WrongKind,
            format!("the answer is not a {} answer", kind.name()),
        ),
    }
}

/// Whether `id` is one of the question's options, levels or items.
fn is_choice(q: &Question, id: &str) -> bool {
    q.kind.choices().iter().any(|c| c.id == id)
}

/// A number below `min` or above `max` (both said with the unit, if any).
fn check_number(
    x: f64,
    min: Option<f64>,
    max: Option<f64>,
    unit: Option<&str>,
    push: &mut impl FnMut(Problem, String),
) {
    let unit = unit.map(|u| format!(" {u}")).unwrap_or_default();
    if let Some(m) = min
        && x < m
    {
        push(
            Problem::OutOfRange,
            format!("{}{unit} is below the minimum {}{unit}", Num(x), Num(m)),
        );
    }
    if let Some(m) = max
        && x > m
    {
        push(
            Problem::OutOfRange,
            format!("{}{unit} is above the maximum {}{unit}", Num(x), Num(m)),
        );
    }
}

/// Items the checklist does not have, and impacts recorded for items not marked considered.
fn check_checklist(
    q: &Question,
    items: &[Choice],
    m: &SortedMap<String, ChecklistEntry>,
    push: &mut impl FnMut(Problem, String),
) {
    for (id, e) in m {
        if !is_choice(q, id) {
            push(
                Problem::UnknownOption,
                format!(
                    "{id:?} is not an item of this checklist ({})",
                    options_list(items)
                ),
            );
        } else if !e.considered && e.impact.is_some_and(|i| i != Impact::NotKnown) {
            push(
                Problem::Inconsistent,
                format!(
                    "{id}: an impact is recorded but the item is not marked considered; tick considered or clear the impact"
                ),
            );
        } else if e.considered && e.impact.is_none() {
            push(
                Problem::Inconsistent,
                format!(
                    "{id}: marked considered with no impact; choose its likely impact, or \"not known\""
                ),
            );
        }
    }
}

/// Row `n` of a table answer (skipped when every cell is blank): columns the table does not
/// have, then each column's cell in the table's column order.
fn check_table_row(
    instrument: &Instrument,
    columns: &[Column],
    n: usize,
    row: &SortedMap<String, String>,
    push: &mut impl FnMut(Problem, String),
) {
    if row.values().all(|c| c.trim().is_empty()) {
        return;
    }
    for col in row.keys() {
        if !columns.iter().any(|c| &c.id == col) {
            push(
                Problem::UnknownOption,
                format!("row {n}: unknown column {col:?}"),
            );
        }
    }
    for c in columns {
        let cell = row.get(&c.id).map_or("", |s| s.trim());
        if cell.is_empty() {
            if c.required {
                push(
                    Problem::MissingCell,
                    format!("row {n}: fill in {}", c.label),
                );
            }
            continue;
        }
        check_cell(instrument, c, n, cell, push);
    }
}

/// A filled cell of column `c` in row `n`: a date, an option of the column, or an item of the
/// checklist the column names.
fn check_cell(
    instrument: &Instrument,
    c: &Column,
    n: usize,
    cell: &str,
    push: &mut impl FnMut(Problem, String),
) {
    match &c.kind {
        ColumnKind::Date => {
            if let Err(e) = Date::parse(cell) {
                push(Problem::NotADate, format!("row {n}, {}: {e}", c.label));
            }
        }
        ColumnKind::Choice { options } if !options.iter().any(|o| o.id == cell) => {
            push(
                Problem::UnknownOption,
                format!(
                    "row {n}, {}: {cell:?} is not one of {}",
                    c.label,
                    options_list(options)
                ),
            );
        }
        ColumnKind::ItemOf { question } => {
            let items = instrument
                .question(question.as_str())
                .map_or(&[][..], |q| q.kind.choices());
            if !items.iter().any(|o| o.id == cell) {
                push(
                    Problem::UnknownOption,
                    format!(
                        "row {n}, {}: {cell:?} is not an item of {question}",
                        c.label
                    ),
                );
            }
        }
        _ => {}
    }
}

/// Every row of the evidence on its own, then every dimension's rows together.
fn check_evidence(e: &Evidence, push: &mut impl FnMut(Problem, String)) {
    for (i, r) in e.rows.iter().enumerate() {
        check_evidence_row(i + 1, r, push);
    }
    // Dimensions in name order (as a B-tree map would give them; a sorted list keeps another
    // copy of the B-tree code out of the wasm build).
    for group in dimension_groups(&e.rows, &|_| true, false) {
        check_dimension(&e.rows, &group, push);
    }
}

/// Row `n` of the evidence: its dimension and subgroup named, no negative standard error or
/// population, its limits in order and its estimate between them.
fn check_evidence_row(n: usize, r: &EvidenceRow, push: &mut impl FnMut(Problem, String)) {
    if r.dimension.trim().is_empty() {
        push(
            Problem::BadEvidence,
            format!("row {n}: give the dimension (e.g. IMD quintile)"),
        );
    }
    if r.subgroup.trim().is_empty() {
        push(
            Problem::BadEvidence,
            format!("row {n}: give the subgroup's name"),
        );
    }
    for (name, v) in [("se", r.se), ("population", r.population)] {
        if let Some(x) = v
            && !(x.is_finite() && x >= 0.0)
        {
            push(
                Problem::BadEvidence,
                format!("row {n}: {name} {} must be 0 or more", Num(x)),
            );
        }
    }
    if let (Some(lo), Some(hi)) = (r.lower, r.upper)
        && lo > hi
    {
        push(
            Problem::BadEvidence,
            format!(
                "row {n}: the lower limit {} is above the upper limit {}",
                Num(lo),
                Num(hi)
            ),
        );
    }
    if let (Some(x), Some(lo), Some(hi)) = (r.estimate, r.lower, r.upper)
        && lo <= hi
        && !(lo <= x && x <= hi)
    {
        push(
            Problem::BadEvidence,
            format!(
                "row {n}: the estimate {} lies outside its interval {} to {}",
                Num(x),
                Num(lo),
                Num(hi)
            ),
        );
    }
}

/// The rows of one dimension (`group`, indices into `rows`): orders given to every subgroup
/// or none, no order used twice, at most one reference subgroup.
fn check_dimension(rows: &[EvidenceRow], group: &[usize], push: &mut impl FnMut(Problem, String)) {
    let row = |k: usize| group.get(k).and_then(|&i| rows.get(i));
    let dim = row(0).map_or("", |r| r.dimension.trim());
    let order = |k: usize| row(k).map_or(0, |r| r.order);
    let mut by_order: Vec<usize> = (0..group.len()).filter(|&k| order(k) > 0).collect();
    if !by_order.is_empty() && by_order.len() < group.len() {
        push(
            Problem::BadEvidence,
            format!(
                "dimension {dim:?}: give every subgroup an order (1 = most disadvantaged) or none"
            ),
        );
    }
    // An order used before in the dimension: by order, each run's rows after its first (a
    // search of the orders seen for every row was quadratic; finding 7).
    sort_rows(&mut by_order, &|a, b| order(a).cmp(&order(b)));
    let mut repeated = vec![false; group.len()];
    for pair in by_order.windows(2) {
        if let [a, b] = *pair
            && order(a) == order(b)
            && let Some(flag) = repeated.get_mut(b)
        {
            *flag = true;
        }
    }
    for (k, &i) in group.iter().enumerate() {
        if repeated.get(k) == Some(&true) {
            push(
                Problem::BadEvidence,
                format!(
                    "row {}: order {} is used twice in dimension {dim:?}",
                    i + 1,
                    order(k)
                ),
            );
        }
    }
    if (0..group.len())
        .filter(|&k| row(k).is_some_and(|r| r.reference))
        .count()
        > 1
    {
        push(
            Problem::BadEvidence,
            format!("dimension {dim:?}: mark at most one subgroup as the reference"),
        );
    }
}

/// Where a section stands, for a task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// No question answered yet.
    NotStarted,
    /// Something answered, but required questions are missing or answers have problems.
    InProgress,
    /// Every required question shown is answered and nothing needs fixing.
    Completed,
}

impl Status {
    /// Plain words for the status.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "not started",
            Self::InProgress => "in progress",
            Self::Completed => "completed",
        }
    }
}

/// One section's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SectionProgress {
    /// Section id.
    pub section: String,
    /// Section title.
    pub title: String,
    /// Where it stands.
    pub status: Status,
    /// Visible questions answered.
    pub answered: usize,
    /// Visible questions.
    pub visible: usize,
    /// Problems to fix in the section.
    pub problems: usize,
}

/// Per-section progress: not started, in progress or completed.
#[must_use]
pub fn progress(instrument: &Instrument, answers: &Answers) -> Vec<SectionProgress> {
    progress_with(instrument, answers, &validate(instrument, answers))
}

/// [`progress`] with the validation already done.
#[must_use]
pub fn progress_with(
    instrument: &Instrument,
    answers: &Answers,
    errors: &[FieldError],
) -> Vec<SectionProgress> {
    instrument
        .sections
        .iter()
        .map(|s| {
            let visible: Vec<&Question> = s
                .questions
                .iter()
                .filter(|q| is_visible(instrument, answers, q))
                .collect();
            let answered = visible
                .iter()
                .filter(|q| answers.answered(q.id.as_str()).is_some())
                .count();
            let problems = errors.iter().filter(|e| e.section == s.id).count();
            let status = if answered == 0 {
                Status::NotStarted
            } else if problems == 0 {
                Status::Completed
            } else {
                Status::InProgress
            };
            SectionProgress {
                section: s.id.clone(),
                title: s.title.clone(),
                status,
                answered,
                visible: visible.len(),
                problems,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number_problems(
        x: f64,
        min: Option<f64>,
        max: Option<f64>,
        unit: Option<&str>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        check_number(x, min, max, unit, &mut |problem, message| {
            assert_eq!(problem, Problem::OutOfRange);
            out.push(message);
        });
        out
    }

    /// Both ends of a number's range, with and without a unit (the test of a whole assessment
    /// only reaches the maximum with a unit).
    #[test]
    fn numbers_outside_their_range_name_the_limit() {
        assert_eq!(
            number_problems(-2.5, Some(0.0), Some(10.0), Some("km")),
            ["-2.5 km is below the minimum 0 km"]
        );
        assert_eq!(
            number_problems(11.0, Some(0.0), Some(10.0), None),
            ["11 is above the maximum 10"]
        );
        assert!(number_problems(10.0, Some(0.0), Some(10.0), None).is_empty());
        assert!(number_problems(-1e300, None, None, Some("km")).is_empty());
    }

    mod cross_field {
        use crate::SortedMap;
        use crate::assessment::{Answer, Answers, ChecklistEntry, Date, QuestionId, Registry};

        use super::super::{FieldError, Problem, validate, validate_as_of};

        fn dated(made: &str, review: &str) -> Answers {
            let mut a = Answers::new();
            a.insert(
                QuestionId::new("prepare.assessment_date"),
                Answer::Text(made.into()),
            );
            a.insert(QuestionId::new("review.date"), Answer::Text(review.into()));
            a
        }

        fn inconsistent(errors: &[FieldError]) -> Vec<(&str, &str)> {
            errors
                .iter()
                .filter(|e| e.problem == Problem::Inconsistent)
                .map(|e| (e.question.as_str(), e.message.as_str()))
                .collect()
        }

        #[test]
        fn a_review_on_or_before_the_assessment_date_is_an_error_at_the_review() {
            let registry = Registry::builtin().unwrap();
            let heat = registry.latest("heat").unwrap();
            for review in ["2026-03-01", "2026-02-28"] {
                let errors = validate(heat, &dated("2026-03-01", review));
                assert_eq!(
                    inconsistent(&errors),
                    [(
                        "review.date",
                        format!(
                            "the review date {review} is not after the assessment date 2026-03-01; give a later review date"
                        )
                        .as_str()
                    )]
                );
            }
            assert!(inconsistent(&validate(heat, &dated("2026-03-01", "2026-03-02"))).is_empty());
            // A bad date has its own error, and no comparison is made with it.
            let errors = validate(heat, &dated("2026-03-01", "01/02/2026"));
            assert!(inconsistent(&errors).is_empty(), "{errors:?}");
            assert!(errors.iter().any(|e| e.problem == Problem::NotADate));
        }

        #[test]
        fn an_assessment_date_after_today_is_an_error_only_when_today_is_given() {
            let registry = Registry::builtin().unwrap();
            let heat = registry.latest("heat").unwrap();
            let a = dated("2026-12-07", "2027-06-01");
            let today = Date::parse("2026-12-06").ok();
            assert_eq!(
                inconsistent(&validate_as_of(heat, &a, today)),
                [(
                    "prepare.assessment_date",
                    "the assessment date 2026-12-07 is in the future (today is 2026-12-06); give the date it was made"
                )]
            );
            assert!(inconsistent(&validate(heat, &a)).is_empty());
            let on_the_day = Date::parse("2026-12-07").ok();
            assert!(inconsistent(&validate_as_of(heat, &a, on_the_day)).is_empty());
            // The maturity self-assessment names its dates through its roles too.
            let maturity = registry.latest("hi-maturity").unwrap();
            let mut m = Answers::new();
            m.insert(
                QuestionId::new("about.date"),
                Answer::Text("2026-12-07".into()),
            );
            m.insert(
                QuestionId::new("about.review_date"),
                Answer::Text("2026-01-01".into()),
            );
            let got = validate_as_of(maturity, &m, today);
            let questions: Vec<&str> = inconsistent(&got).iter().map(|(q, _)| *q).collect();
            assert_eq!(questions, ["about.review_date", "about.date"]);
        }

        #[test]
        fn an_item_considered_needs_an_impact() {
            let registry = Registry::builtin().unwrap();
            let heat = registry.latest("heat").unwrap();
            let mut items = SortedMap::new();
            items.insert(
                "age".to_owned(),
                ChecklistEntry {
                    considered: true,
                    impact: None,
                    note: None,
                },
            );
            items.insert(
                "disability".to_owned(),
                ChecklistEntry {
                    considered: true,
                    impact: Some(crate::assessment::Impact::NotKnown),
                    note: None,
                },
            );
            let mut a = Answers::new();
            a.insert(
                QuestionId::new("assess.dimensions"),
                Answer::Checklist(items),
            );
            assert_eq!(
                inconsistent(&validate(heat, &a)),
                [(
                    "assess.dimensions",
                    "age: marked considered with no impact; choose its likely impact, or \"not known\""
                )]
            );
        }
    }
}
