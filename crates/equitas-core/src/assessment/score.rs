//! Scoring with the instrument's rubric, gaps with recommendations, the maturity profile, and
//! the gap quantified from the evidence table through the measures engine.
//!
//! The score rates how thorough an assessment is, not the service it assesses, and it is
//! equitas's rubric (from the instrument's data), not an official OHID score: the report says so.

use serde::Serialize;

use super::answers::{Answer, Answers, Evidence};
use super::date::Date;
use super::envelope::InstrumentRef;
use super::instrument::{Band, ColumnKind, Instrument, Kind, QuestionId, Rule};
use super::validate::{
    FieldError, SectionProgress, is_visible, progress_with, quantified_dimensions,
    uncovered_negatives, validate,
};
use crate::measures::intervals::Z95;
use crate::measures::{Estimate, MeasureId, REPORT_OPTIONS, Reason, Stratum, Subgroup};
use crate::number;

/// One line of a criterion's explanation: the points it earned or lost and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Line {
    /// Points earned by this line.
    pub earned: f64,
    /// Points lost by this line.
    pub lost: f64,
    /// Why.
    pub text: String,
}

/// A criterion's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct CriterionScore {
    /// Criterion id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Section it counts towards.
    pub section: String,
    /// Points earned.
    pub earned: f64,
    /// Points available.
    pub available: f64,
    /// Every point earned or lost, explained.
    pub lines: Vec<Line>,
}

/// A section's score and progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SectionScore {
    /// Section id.
    pub id: String,
    /// Title.
    pub title: String,
    /// 0–100, or `None` when no criterion counts towards the section.
    pub score: Option<f64>,
    /// Points earned.
    pub earned: f64,
    /// Points available.
    pub available: f64,
    /// Progress.
    pub progress: SectionProgress,
}

/// A gap found, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Gap {
    /// Gap rule id.
    pub id: String,
    /// The gap.
    pub title: String,
    /// What to do about it.
    pub recommendation: String,
    /// The question to go back to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionId>,
}

/// A measure's value from the measures engine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct MeasureValue {
    /// The value.
    pub value: f64,
    /// Its standard error.
    pub se: Option<f64>,
    /// Lower 95% limit.
    pub lower: Option<f64>,
    /// Upper 95% limit.
    pub upper: Option<f64>,
}

/// A measure computed for one dimension of the evidence, or why not.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(rename = "EvidenceMeasureResult"))]
pub struct MeasureResult {
    /// Which measure.
    pub measure: MeasureId,
    /// The value, when it could be computed.
    pub value: Option<MeasureValue>,
    /// Why it could not be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The gap quantified for one dimension of the evidence table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Quantified {
    /// The evidence question.
    pub question: QuestionId,
    /// What was measured.
    pub indicator: Option<String>,
    /// The dimension (e.g. IMD quintile).
    pub dimension: String,
    /// Whether the subgroups are ordered.
    pub ordered: bool,
    /// Subgroups with estimates.
    pub subgroups: usize,
    /// The measures: SII, RII and D (most vs least disadvantaged) for ordered dimensions, D for
    /// others.
    #[cfg_attr(feature = "ts", tsify(type = "EvidenceMeasureResult[]"))]
    pub measures: Vec<MeasureResult>,
}

/// A theme's maturity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ThemeMaturity {
    /// Section id.
    pub section: String,
    /// Title.
    pub title: String,
    /// Statements rated.
    pub rated: usize,
    /// Statements shown.
    pub statements: usize,
    /// How many statements at each level, weakest first: (level id, label, count).
    pub levels: Vec<(String, String, usize)>,
    /// Mean level from 1 (weakest) upwards, when any statement is rated.
    pub mean_level: Option<f64>,
    /// Label of the level the mean rounds down to.
    pub level: Option<String>,
}

/// A statement to work on next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Objective {
    /// The statement's question.
    pub question: QuestionId,
    /// Its section id.
    pub section: String,
    /// The statement.
    pub statement: String,
    /// Current level label.
    pub level: String,
    /// What to work on.
    pub next_step: String,
}

/// The scored report of one assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Report {
    /// The instrument.
    pub instrument: InstrumentRef,
    /// Its title.
    pub instrument_title: String,
    /// The rubric's label (whose rubric; not an official score).
    pub rubric: String,
    /// The assessment's title, from the instrument's title question.
    pub title: Option<String>,
    /// 0–100.
    pub overall: f64,
    /// The band of the overall score.
    pub band: Option<Band>,
    /// Per section.
    pub sections: Vec<SectionScore>,
    /// Per criterion, with every point explained.
    pub criteria: Vec<CriterionScore>,
    /// Gaps with recommendations.
    pub gaps: Vec<Gap>,
    /// The gap quantified from the evidence.
    pub quantified: Vec<Quantified>,
    /// The maturity profile, for maturity instruments.
    pub profile: Vec<ThemeMaturity>,
    /// Next objectives, for maturity instruments.
    pub objectives: Vec<Objective>,
    /// Problems to fix before the assessment is complete.
    pub problems: Vec<FieldError>,
}

/// A measures engine: computes one measure for a stratum, or says why it cannot.
pub type Compute<'a> = &'a dyn Fn(&Stratum, MeasureId) -> Result<MeasureValue, String>;

/// Score an assessment with its instrument's rubric, computing the quantified gap with the
/// equitas measures engine: [`measures_engine`]'s results, through
/// [`compute_report_measure`](crate::measures::compute_report_measure), as the report shows only
/// SII, RII and D.
///
/// ```
/// use equitas_core::assessment::{
///     Answer, Answers, QuestionId, Registry, ReportModel, render, score,
/// };
///
/// let registry = Registry::builtin()?;
/// let heat = registry.latest("heat").unwrap();
/// let mut answers = Answers::new();
/// answers.insert(
///     QuestionId::new("prepare.title"),
///     Answer::Text("Online booking for the diabetes clinic (SYNTHETIC)".into()),
/// );
/// answers.insert(QuestionId::new("assess.evidence_strength"), Answer::Text("assumed".into()));
/// let report = score(heat, &answers);
/// assert!(report.overall < 50.0); // a thin assessment scores low ...
/// assert!(!report.gaps.is_empty()); // ... and every gap comes with a recommendation
/// // Every point is explained: each criterion's lines add up to its score.
/// for c in &report.criteria {
///     let lines: f64 = c.lines.iter().map(|l| l.earned).sum();
///     assert!((lines - c.earned).abs() < 1e-9);
/// }
/// // The report as a reader sees it (names, charts, the plan in words), as Markdown.
/// let model = ReportModel::score(heat, &answers);
/// assert!(render::report_markdown(&model).starts_with("# Online booking"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn score(instrument: &Instrument, answers: &Answers) -> Report {
    score_with(instrument, answers, Some(&report_engine))
}

/// The engine [`score`] runs: [`compute_report_measure`](crate::measures::compute_report_measure),
/// the same results as [`measures_engine`] for the three measures a report shows.
pub(super) fn report_engine(stratum: &Stratum, measure: MeasureId) -> Result<MeasureValue, String> {
    reported(crate::measures::compute_report_measure(stratum, measure))
}

/// [`crate::measures::compute`] with [`REPORT_OPTIONS`] (WHO HEAT's methods, 95% intervals), as a
/// [`Compute`].
///
/// It uses [`Compat::Corrected`](crate::measures::Compat::Corrected) so that a standard error is
/// on the same scale as its value: HEAT v6 reports the SII's SE on the 0–1 scale next to a value
/// on the indicator's scale, which would read wrongly in a report. The values and intervals of
/// SII, RII and D are the same in both modes.
///
/// # Errors
/// The measure cannot be computed for the stratum; the text says why.
pub fn measures_engine(stratum: &Stratum, measure: MeasureId) -> Result<MeasureValue, String> {
    reported(crate::measures::compute(stratum, measure, &REPORT_OPTIONS))
}

/// A measure's result as the report holds it: its value, or why not in words.
fn reported(result: Result<Estimate, Reason>) -> Result<MeasureValue, String> {
    result
        .map(|e| MeasureValue {
            value: e.value,
            se: e.se,
            lower: e.lower,
            upper: e.upper,
        })
        .map_err(|r| r.to_string())
}

/// Score an assessment, computing the quantified gap with `compute` when given (`None` leaves
/// the measures out, with the reason; a test can pass its own engine).
#[must_use]
pub fn score_with(
    instrument: &Instrument,
    answers: &Answers,
    compute: Option<Compute<'_>>,
) -> Report {
    scored(instrument, answers, compute).0
}

/// [`score_with`], with the rows of each quantified dimension (their indices in its evidence
/// table's rows, in order, one list per entry of [`Report::quantified`]): what a chart of it
/// draws ([`ReportModel`](super::ReportModel)).
pub(super) fn scored(
    instrument: &Instrument,
    answers: &Answers,
    compute: Option<Compute<'_>>,
) -> (Report, Vec<Vec<usize>>) {
    let problems = validate(instrument, answers);
    let progress = progress_with(instrument, answers, &problems);
    let criteria: Vec<CriterionScore> = instrument
        .rubric
        .criteria
        .iter()
        .map(|c| {
            let (share, lines) = evaluate(instrument, answers, &c.rule, &c.section, c.weight);
            let earned = within(within(share, 0.0, 1.0) * c.weight, 0.0, c.weight);
            CriterionScore {
                id: c.id.clone(),
                label: c.label.clone(),
                section: c.section.clone(),
                earned,
                available: c.weight,
                lines,
            }
        })
        .collect();
    let sections = instrument
        .sections
        .iter()
        .zip(progress)
        .map(|(s, p)| {
            let (earned, available) = criteria
                .iter()
                .filter(|c| c.section == s.id)
                .fold((0.0, 0.0), |(e, a), c| (e + c.earned, a + c.available));
            SectionScore {
                id: s.id.clone(),
                title: s.title.clone(),
                score: (available > 0.0).then(|| percent(earned, available)),
                earned,
                available,
                progress: p,
            }
        })
        .collect();
    let (earned, available) = criteria
        .iter()
        .fold((0.0, 0.0), |(e, a), c| (e + c.earned, a + c.available));
    let overall = if available > 0.0 {
        percent(earned, available)
    } else {
        0.0
    };
    let gaps = instrument
        .gaps
        .iter()
        .filter(|g| super::validate::holds(instrument, answers, &g.when))
        .map(|g| Gap {
            id: g.id.clone(),
            title: g.title.clone(),
            recommendation: g.recommendation.clone(),
            question: g.question.clone(),
        })
        .collect();
    let (profile, objectives) = maturity(instrument, answers);
    let (quantified, rows) = quantify(instrument, answers, compute).into_iter().unzip();
    let report = Report {
        instrument: InstrumentRef {
            id: instrument.id.clone(),
            version: instrument.version,
        },
        instrument_title: instrument.title.clone(),
        rubric: instrument.rubric.label.clone(),
        title: instrument
            .roles
            .title
            .as_ref()
            .and_then(|q| answers.answered(q.as_str()))
            .and_then(Answer::text)
            .map(|t| t.trim().to_owned()),
        overall,
        band: instrument.band(overall).cloned(),
        sections,
        criteria,
        gaps,
        quantified,
        profile,
        objectives,
        problems,
    };
    (report, rows)
}

/// Round to one decimal place, within 0–100.
fn percent(earned: f64, available: f64) -> f64 {
    within((earned / available * 1000.0).round() / 10.0, 0.0, 100.0)
}

/// `x` held within `lo..=hi`, NaN left as it is: what `f64::clamp` does, without the check that
/// `lo <= hi` whose panic message would format floats (the bounds here always are in order).
fn within(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

fn line(earned: f64, lost: f64, text: String) -> Line {
    Line { earned, lost, text }
}

fn label_of<'a>(instrument: &'a Instrument, id: &'a str) -> &'a str {
    instrument.question(id).map_or(id, |q| q.label.as_str())
}

/// A criterion's share (0..=1) and its explanation, in points of `weight`.
#[allow(clippy::too_many_lines, reason = "one arm per rule; each is short")]
fn evaluate(
    instrument: &Instrument,
    answers: &Answers,
    rule: &Rule,
    section: &str,
    weight: f64,
) -> (f64, Vec<Line>) {
    let mut lines = Vec::new();
    let share = match rule {
        Rule::Completeness => {
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
                return (0.0, lines);
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
        Rule::Breadth { question } => {
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
        Rule::Strength { question } => {
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
        Rule::Credit { question, credit } => {
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
        Rule::Quantified { question, partial } => match answers.answered(question.as_str()) {
            Some(Answer::Evidence(e)) => {
                let dims = quantified_dimensions(e);
                if dims.is_empty() {
                    lines.push(line(
                        weight * partial,
                        weight * (1.0 - partial),
                        "evidence given, but no dimension has two subgroups with estimates to compare".into(),
                    ));
                    *partial
                } else {
                    let list: Vec<String> = dims
                        .iter()
                        .map(|(d, n)| format!("{d} ({n} subgroups)"))
                        .collect();
                    lines.push(line(
                        weight,
                        0.0,
                        format!("gap quantified by {}", list.join(", ")),
                    ));
                    1.0
                }
            }
            _ => {
                lines.push(line(0.0, weight, "no quantitative evidence given".into()));
                0.0
            }
        },
        Rule::Actions {
            table,
            fields,
            link,
            checklist,
        } => {
            let columns = match instrument.question(table.as_str()).map(|q| &q.kind) {
                Some(Kind::Table { columns }) => columns.as_slice(),
                _ => &[],
            };
            let col_label = |id: &str| -> String {
                columns
                    .iter()
                    .find(|c| c.id == id)
                    .map_or(id, |c| c.label.as_str())
                    .to_owned()
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
                    .filter(|e| e.considered && e.impact == Some(super::answers::Impact::Negative))
                    .count(),
                _ => 0,
            };
            let uncovered = uncovered_negatives(answers, checklist, table, link);
            let checks = rows.len() * fields.len() + negatives;
            if checks == 0 {
                lines.push(line(0.0, weight, "no actions recorded".into()));
                return (0.0, lines);
            }
            let each = weight / checks as f64;
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
                    0,
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
            let items = instrument
                .question(checklist.as_str())
                .map_or(&[][..], |q| q.kind.choices());
            let covered = negatives - uncovered.len();
            passed += covered;
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
            passed as f64 / checks as f64
        }
        Rule::ReviewDate {
            question,
            from,
            min_months,
            max_months,
            outside,
        } => {
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
                (Some(r), Some(f))
                    if r >= f.add_months(*min_months) && r <= f.add_months(*max_months) =>
                {
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
                    *outside
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
                    *outside
                }
            }
        }
        Rule::Maturity => {
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
                return (0.0, lines);
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
    };
    (share, lines)
}

fn maturity(instrument: &Instrument, answers: &Answers) -> (Vec<ThemeMaturity>, Vec<Objective>) {
    let sections: Vec<&str> = instrument
        .rubric
        .criteria
        .iter()
        .filter(|c| matches!(c.rule, Rule::Maturity))
        .map(|c| c.section.as_str())
        .collect();
    let mut profile = Vec::new();
    let mut objectives: Vec<(usize, usize, Objective)> = Vec::new();
    let mut order = 0usize;
    for s in instrument
        .sections
        .iter()
        .filter(|s| sections.contains(&s.id.as_str()))
    {
        let mut levels: Vec<(String, String, usize)> = Vec::new();
        let (mut rated, mut shown, mut sum) = (0usize, 0usize, 0usize);
        for q in s
            .questions
            .iter()
            .filter(|q| is_visible(instrument, answers, q))
        {
            let Kind::Rating { levels: ls } = &q.kind else {
                continue;
            };
            if levels.is_empty() {
                levels = ls
                    .iter()
                    .map(|l| (l.id.clone(), l.label.clone(), 0))
                    .collect();
            }
            shown += 1;
            order += 1;
            let at = answers
                .answered(q.id.as_str())
                .and_then(Answer::text)
                .and_then(|t| ls.iter().position(|l| l.id == t));
            let Some(i) = at else { continue };
            rated += 1;
            sum += i + 1;
            if let Some(l) = levels.get_mut(i) {
                l.2 += 1;
            }
            if i + 1 < ls.len()
                && let Some(next) = &q.next_step
            {
                objectives.push((
                    i,
                    order,
                    Objective {
                        question: q.id.clone(),
                        section: s.id.clone(),
                        statement: q.label.clone(),
                        level: ls.get(i).map(|l| l.label.clone()).unwrap_or_default(),
                        next_step: next.clone(),
                    },
                ));
            }
        }
        let mean = (rated > 0).then(|| sum as f64 / rated as f64);
        let level = mean.and_then(|m| {
            let i = (m.floor() as usize).saturating_sub(1);
            levels.get(i).map(|l| l.1.clone())
        });
        profile.push(ThemeMaturity {
            section: s.id.clone(),
            title: s.title.clone(),
            rated,
            statements: shown,
            levels,
            mean_level: mean.map(|m| (m * 100.0).round() / 100.0),
            level,
        });
    }
    crate::sort::sort_by_key(&mut objectives, |(level, order, _)| (*level, *order));
    let max = instrument
        .rubric
        .max_objectives
        .map_or(usize::MAX, |m| m as usize);
    (
        profile,
        objectives
            .into_iter()
            .take(max)
            .map(|(_, _, o)| o)
            .collect(),
    )
}

/// The evidence's dimensions as strata for the measures engine, in first-seen order. A
/// dimension is ordered when every subgroup has an order (1 = most disadvantaged).
#[must_use]
pub fn evidence_strata(e: &Evidence) -> Vec<(String, Stratum)> {
    evidence_groups(e)
        .into_iter()
        .map(|(dimension, stratum, _)| (dimension, stratum))
        .collect()
}

/// [`evidence_strata`] with each dimension's rows (their indices in `e.rows`, in order).
fn evidence_groups(e: &Evidence) -> Vec<(String, Stratum, Vec<usize>)> {
    // Rows grouped by dimension with one sort, not a search of the dimensions for every row
    // (100,000 rows of distinct dimensions took 79 s; issue 12 finding 7).
    let mut out = Vec::new();
    for group in super::validate::dimension_groups(&e.rows, &|_| true, true) {
        let mut s = Stratum {
            subgroups: Vec::new(),
            ordered: true,
            favourable: e.favourable,
            scale: e.scale,
            setting_average: None,
        };
        for r in group.iter().filter_map(|&i| e.rows.get(i)) {
            s.ordered &= r.order > 0;
            // A standard error from the interval when only the interval is given (95%, normal).
            let se = r.se.or(match (r.lower, r.upper) {
                (Some(lo), Some(hi)) if hi >= lo => Some((hi - lo) / (2.0 * Z95)),
                _ => None,
            });
            s.subgroups.push(Subgroup {
                label: r.subgroup.trim().to_owned(),
                estimate: r.estimate,
                se,
                population: r.population,
                order: r.order,
                reference: r.reference,
            });
        }
        let dim = group.first().and_then(|&i| e.rows.get(i));
        out.push((dim.map_or("", |r| r.dimension.trim()).to_owned(), s, group));
    }
    out
}

/// The quantified dimensions of every evidence table, each with its rows' indices in its table.
fn quantify(
    instrument: &Instrument,
    answers: &Answers,
    compute: Option<Compute<'_>>,
) -> Vec<(Quantified, Vec<usize>)> {
    let mut out = Vec::new();
    for (_, q) in instrument.questions() {
        if !matches!(q.kind, Kind::EvidenceTable) {
            continue;
        }
        let Some(Answer::Evidence(e)) = answers.answered(q.id.as_str()) else {
            continue;
        };
        for (dimension, stratum, rows) in evidence_groups(e) {
            let with = stratum
                .subgroups
                .iter()
                .filter(|s| s.estimate.is_some())
                .count();
            if with < 2 {
                continue;
            }
            let wanted: &[MeasureId] = if stratum.ordered {
                // RII with SII gives the fitted values at both ends of the hierarchy
                // (v₀ = SII/(RII − 1), v₁ = RII·v₀), which is what a chart's SII line joins.
                &[MeasureId::Sii, MeasureId::Rii, MeasureId::D]
            } else {
                &[MeasureId::D]
            };
            let measures = wanted
                .iter()
                .map(|&m| match compute {
                    Some(f) => match f(&stratum, m) {
                        Ok(v) => MeasureResult {
                            measure: m,
                            value: Some(v),
                            reason: None,
                        },
                        Err(reason) => MeasureResult {
                            measure: m,
                            value: None,
                            reason: Some(reason),
                        },
                    },
                    None => MeasureResult {
                        measure: m,
                        value: None,
                        reason: Some("the measures engine was not run for this report".into()),
                    },
                })
                .collect();
            let quantified = Quantified {
                question: q.id.clone(),
                indicator: e.indicator.clone(),
                dimension,
                ordered: stratum.ordered,
                subgroups: with,
                measures,
            };
            out.push((quantified, rows));
        }
    }
    out
}
