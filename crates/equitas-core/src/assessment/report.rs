//! The report model: an assessment's report as a reader sees it, computed once. A
//! [`ReportModel`] is the scored [`Report`] with what its readers are shown besides the scores:
//! every band's range, the points lost per criterion, where in the assessment each gap and
//! problem is, the action plan with its cells in words, and for the quantitative evidence each
//! measure's names and what it tells you, and a chart of the subgroups (whiskers, ridits, the
//! SII line, the D bracket, the notes under it).
//!
//! [`render`](super::render) writes the model as Markdown and HTML for the CLI; the browser
//! draws the same model in the page (`scoreAssessment` returns it). Neither works anything out
//! again: numbers are formatted by the drawing, everything else is in the model. The CLI's
//! `--format json` writes the [`Report`] itself, as before.
//!
//! ```
//! use equitas_core::assessment::{Answer, Answers, QuestionId, Registry, ReportModel, render};
//!
//! let registry = Registry::builtin()?;
//! let heat = registry.latest("heat").unwrap();
//! let mut answers = Answers::new();
//! answers.insert(QuestionId::new("prepare.title"), Answer::Text("Diabetes clinic".into()));
//! let model = ReportModel::score(heat, &answers);
//! // Every band with the scores it covers, lowest first; the top one goes up to 100.
//! assert_eq!(model.bands.first().map(|b| b.min), Some(0.0));
//! assert_eq!(model.bands.last().and_then(|b| b.under), None);
//! // Each criterion's points lost are its lines' losses.
//! for c in &model.criteria {
//!     assert_eq!(c.lost, c.lines.iter().map(|l| l.lost).sum::<f64>());
//! }
//! assert!(render::report_markdown(&model).starts_with("# Diabetes clinic"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use super::answers::{Answer, Answers, Evidence};
use super::envelope::InstrumentRef;
use super::instrument::{
    Band, Column, ColumnKind, Instrument, Kind, Question, QuestionId, Section,
};
use super::score::{
    self, Compute, Gap, Line, MeasureResult, Objective, Quantified, Report, SectionScore,
    ThemeMaturity,
};
use super::validate::{FieldError, Problem};
use crate::measures::chart::{Chart, ChartMeasures, ChartPoint, Note, NotePart, Whisker};
use crate::measures::names::{MeasureInfo, MeasureLine};
use crate::measures::{Estimate, MeasureId};

/// The level, in per cent, of the evidence's intervals: the measures engine's 95%.
const EVIDENCE_LEVEL: f64 = 95.0;

/// The names of the measures a report quantifies the gap with: SII, RII and D (see
/// [`score`](super::score())). Taken by value from [`crate::measures::names::MEASURES`] in a
/// constant, so the assessment engine carries these three entries' text and not the other
/// eighteen's.
const NAMED: [MeasureInfo; 3] = [
    MeasureId::Sii.info(),
    MeasureId::Rii.info(),
    MeasureId::D.info(),
];

/// An assessment's report as a reader sees it: the CLI's Markdown and HTML and the browser's
/// results page are drawings of it.
///
/// Its JSON has every key of the [`Report`]'s, with the same values, and more: `bands`,
/// `earned`, `available` and `actions`; `lost` in each criterion, the place of each gap and
/// problem, and the names and a chart of each quantified dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ReportModel {
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
    /// Every band of the rubric, lowest first, with the scores it covers.
    pub bands: Vec<BandRange>,
    /// Points earned in every section, added up as the sections show them (this can differ in
    /// the last digit from the total over criteria that the overall score is made from).
    pub earned: f64,
    /// Points available in every section, added up.
    pub available: f64,
    /// Per section.
    pub sections: Vec<SectionScore>,
    /// Per criterion, with every point explained.
    pub criteria: Vec<CriterionLine>,
    /// Gaps with recommendations and where they are.
    pub gaps: Vec<GapLine>,
    /// Every table question's rows (the action plan), cells in words, in the instrument's
    /// order.
    pub actions: Vec<ActionTable>,
    /// The gap quantified from the evidence, with the measures' names and a chart.
    pub quantified: Vec<QuantifiedLine>,
    /// The maturity profile, for maturity instruments.
    pub profile: Vec<ThemeMaturity>,
    /// Next objectives, for maturity instruments.
    pub objectives: Vec<Objective>,
    /// Problems to fix before the assessment is complete, with their questions' labels.
    pub problems: Vec<ProblemLine>,
}

/// One rating band and the overall scores it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct BandRange {
    /// The band's label.
    pub label: String,
    /// The lowest overall score in the band.
    pub min: f64,
    /// The score the next band starts at (this band goes up to, but not including, it);
    /// `None` for the top band, which goes up to 100.
    pub under: Option<f64>,
    /// What the band means.
    pub meaning: String,
}

/// A criterion's result with its points lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct CriterionLine {
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
    /// Points lost: the lines' losses added up.
    pub lost: f64,
    /// Every point earned or lost, explained.
    pub lines: Vec<Line>,
}

/// A gap found, with what to do and where in the assessment it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GapLine {
    /// Gap rule id.
    pub id: String,
    /// The gap.
    pub title: String,
    /// What to do about it.
    pub recommendation: String,
    /// The question to go back to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionId>,
    /// That question's section title, when the instrument has the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_title: Option<String>,
    /// That question's label, when the instrument has the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// An answer that still needs attention: a [`FieldError`] with its question's label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ProblemLine {
    /// The question.
    pub question: QuestionId,
    /// Its section id.
    pub section: String,
    /// What kind of problem.
    pub problem: Problem,
    /// What to do about it, naming the value and place.
    pub message: String,
    /// The question's label, when the instrument has the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// One table question's rows (the action plan), each cell in words: an option's label rather
/// than its id, a checklist item's label rather than its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ActionTable {
    /// The table question.
    pub question: QuestionId,
    /// Its label.
    pub label: String,
    /// The column headings.
    pub columns: Vec<String>,
    /// The rows as entered, one cell per column (empty when blank).
    pub rows: Vec<Vec<String>>,
}

/// The gap quantified for one dimension of the evidence table, with the measures' names and a
/// chart of its subgroups.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct QuantifiedLine {
    /// The evidence question.
    pub question: QuestionId,
    /// The indicator.
    pub indicator: Option<String>,
    /// The dimension.
    pub dimension: String,
    /// Whether every subgroup has an order.
    pub ordered: bool,
    /// Subgroups with estimates.
    pub subgroups: usize,
    /// The measures with their names: SII, RII and D (most vs least disadvantaged) for ordered
    /// dimensions, D for others.
    pub measures: Vec<MeasureLine>,
    /// Every row of the dimension as a chart draws it: by order (rows of the same order as
    /// they come), with whiskers, and, for an ordered dimension, ridits, the SII line and the
    /// D bracket.
    pub chart: Chart,
}

impl ReportModel {
    /// Score an assessment ([`score`](super::score())) and build its report model.
    #[must_use]
    pub fn score(instrument: &Instrument, answers: &Answers) -> Self {
        Self::score_with(instrument, answers, Some(&score::report_engine))
    }

    /// Score an assessment with `compute` ([`score_with`](super::score_with)) and build its
    /// report model.
    #[must_use]
    pub fn score_with(
        instrument: &Instrument,
        answers: &Answers,
        compute: Option<Compute<'_>>,
    ) -> Self {
        let (report, rows) = score::scored(instrument, answers, compute);
        let mut places = Places::new(instrument);
        // Added up as the sections show them.
        let (earned, available) = report
            .sections
            .iter()
            .fold((0.0, 0.0), |(e, a), s| (e + s.earned, a + s.available));
        let Report {
            instrument: instrument_ref,
            instrument_title,
            rubric,
            title,
            overall,
            band,
            sections,
            criteria,
            gaps,
            quantified,
            profile,
            objectives,
            problems,
        } = report;
        Self {
            instrument: instrument_ref,
            instrument_title,
            rubric,
            title,
            overall,
            band,
            bands: bands(instrument),
            earned,
            available,
            sections,
            criteria: criteria
                .into_iter()
                .map(|c| CriterionLine {
                    lost: c.lines.iter().fold(0.0, |a, l| a + l.lost),
                    id: c.id,
                    label: c.label,
                    section: c.section,
                    earned: c.earned,
                    available: c.available,
                    lines: c.lines,
                })
                .collect(),
            gaps: gaps.into_iter().map(|g| places.gap(g)).collect(),
            actions: actions(instrument, answers),
            quantified: quantified
                .into_iter()
                .zip(rows)
                .map(|(q, rows)| quantified_line(answers, q, &rows))
                .collect(),
            profile,
            objectives,
            problems: problems.into_iter().map(|p| places.problem(p)).collect(),
        }
    }
}

/// The rubric's bands with the scores each covers. An instrument's bands ascend from 0
/// (`Instrument::check`), so each one ends where the next begins.
fn bands(instrument: &Instrument) -> Vec<BandRange> {
    let bands = &instrument.rubric.bands;
    let mut out = Vec::with_capacity(bands.len());
    for (i, b) in bands.iter().enumerate() {
        out.push(BandRange {
            label: b.label.clone(),
            min: b.min,
            under: bands.get(i + 1).map(|next| next.min),
            meaning: b.meaning.clone(),
        });
    }
    out
}

/// The instrument's questions with their sections, looked up by id starting from where the
/// last one was found: problems come in the instrument's order, so each lookup is a step or
/// two, not a search of every question.
struct Places<'a> {
    questions: Vec<(&'a Section, &'a Question)>,
    at: usize,
}

impl<'a> Places<'a> {
    fn new(instrument: &'a Instrument) -> Self {
        Self {
            questions: instrument.questions().collect(),
            at: 0,
        }
    }

    /// The section and question with id `id`.
    fn find(&mut self, id: &QuestionId) -> Option<(&'a Section, &'a Question)> {
        let n = self.questions.len();
        for k in 0..n {
            let i = (self.at + k) % n;
            if let Some(&(s, q)) = self.questions.get(i)
                && q.id == *id
            {
                self.at = i;
                return Some((s, q));
            }
        }
        None
    }

    /// A gap with its question's section title and label.
    fn gap(&mut self, g: Gap) -> GapLine {
        let place = g.question.as_ref().and_then(|q| self.find(q));
        GapLine {
            section_title: place.map(|(s, _)| s.title.clone()),
            label: place.map(|(_, q)| q.label.clone()),
            id: g.id,
            title: g.title,
            recommendation: g.recommendation,
            question: g.question,
        }
    }

    /// A problem with its question's label.
    fn problem(&mut self, p: FieldError) -> ProblemLine {
        ProblemLine {
            label: self.find(&p.question).map(|(_, q)| q.label.clone()),
            question: p.question,
            section: p.section,
            problem: p.problem,
            message: p.message,
        }
    }
}

/// Every table question's rows, cells in words, in the instrument's order.
fn actions(instrument: &Instrument, answers: &Answers) -> Vec<ActionTable> {
    let mut out = Vec::new();
    for (_, q) in instrument.questions() {
        let Kind::Table { columns } = &q.kind else {
            continue;
        };
        let mut rows = Vec::new();
        if let Some(Answer::Table(answered)) = answers.get(q.id.as_str()) {
            for row in answered {
                let mut cells = Vec::with_capacity(columns.len());
                for c in columns {
                    cells.push(cell(instrument, c, row.get(c.id.as_str())));
                }
                rows.push(cells);
            }
        }
        out.push(ActionTable {
            question: q.id.clone(),
            label: q.label.clone(),
            columns: columns.iter().map(|c| c.label.clone()).collect(),
            rows,
        });
    }
    out
}

/// A table cell in words: a choice's label, a checklist item's label, or the text as entered.
fn cell(instrument: &Instrument, column: &Column, value: Option<&String>) -> String {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return String::new();
    };
    let named = match &column.kind {
        ColumnKind::Choice { options } => options.iter().find(|o| o.id == *value),
        ColumnKind::ItemOf { question } => match instrument.question(question.as_str()) {
            Some(Question {
                kind: Kind::DimensionChecklist { items },
                ..
            }) => items.iter().find(|i| i.id == *value),
            _ => None,
        },
        _ => None,
    };
    named.map_or(value, |c| &c.label).clone()
}

/// A measure's line in the report, named from [`NAMED`] (scoring quantifies only those three;
/// another would be named by its id).
fn measure_line(m: MeasureResult) -> MeasureLine {
    let info = NAMED
        .iter()
        .find(|i| i.id == m.measure)
        .copied()
        .unwrap_or(MeasureInfo {
            id: m.measure,
            abbr: m.measure.as_str(),
            name: m.measure.as_str(),
            about: "",
        });
    let value = m.value.map(|v| Estimate {
        value: v.value,
        se: v.se,
        lower: v.lower,
        upper: v.upper,
    });
    MeasureLine::new(info, value, m.reason)
}

/// A quantified dimension with its measures named and its chart; `rows` are its rows' indices
/// in its question's evidence table.
fn quantified_line(answers: &Answers, q: Quantified, rows: &[usize]) -> QuantifiedLine {
    let measures: Vec<MeasureLine> = q.measures.into_iter().map(measure_line).collect();
    let evidence = match answers.answered(q.question.as_str()) {
        Some(Answer::Evidence(e)) => Some(e),
        _ => None,
    };
    let chart = evidence_chart(evidence, rows, q.ordered, &measures);
    QuantifiedLine {
        question: q.question,
        indicator: q.indicator,
        dimension: q.dimension,
        ordered: q.ordered,
        subgroups: q.subgroups,
        measures,
        chart,
    }
}

/// The chart of one dimension of the evidence: its rows (`rows`, indices in `evidence`'s rows)
/// in the order of their `order` (rows of the same order as they come), with the measures
/// scoring computed for it, and its notes.
fn evidence_chart(
    evidence: Option<&Evidence>,
    rows: &[usize],
    ordered: bool,
    measures: &[MeasureLine],
) -> Chart {
    let mut points = Vec::with_capacity(rows.len());
    for r in rows.iter().filter_map(|&i| evidence?.rows.get(i)) {
        points.push(ChartPoint::new(
            r.subgroup.clone(),
            r.order,
            r.estimate,
            r.se,
            r.population,
            r.reference,
            (r.lower, r.upper),
        ));
    }
    crate::sort::sort_by_key(&mut points, |p| p.order);
    let value = |id: MeasureId| {
        measures
            .iter()
            .find(|m| m.measure == id)
            .and_then(|m| m.value)
    };
    let mut chart = Chart::new(
        points,
        ChartMeasures {
            ordered,
            d: value(MeasureId::D).map(|e| e.value),
            sii: value(MeasureId::Sii).map(|e| (e.value, e.lower, e.upper)),
            level: EVIDENCE_LEVEL,
            rii: value(MeasureId::Rii).map(|e| e.value),
            average: None,
        },
    );
    chart.notes = evidence_notes(&chart, ordered);
    chart
}

fn text(s: impl Into<String>) -> NotePart {
    NotePart::Text(s.into())
}

const fn number(value: f64, dp: u8) -> NotePart {
    NotePart::Number { value, dp }
}

/// How to read an evidence chart, in the results page's words.
fn evidence_notes(chart: &Chart, ordered: bool) -> Vec<Note> {
    let mut notes = Vec::new();
    if chart.any_whisker(Some(Whisker::Se)) {
        notes.push(vec![text(
            "Where a subgroup has a standard error but no interval, its whisker is the \
             estimate ± 1.96 × the standard error.",
        )]);
    }
    if chart.any_whisker(None) {
        notes.push(vec![text(
            "Subgroups without a standard error or interval have no whisker.",
        )]);
    }
    if chart.points.iter().any(|p| p.reference) {
        notes.push(vec![text("The square marks the reference subgroup.")]);
    }
    if let Some(d) = &chart.difference {
        let label = |i: usize| chart.points.get(i).map_or("", |p| p.label.as_str());
        notes.push(vec![text(format!(
            "The bracket marks the difference (D) the engine measured between {} and {}.",
            label(d.from),
            label(d.to)
        ))]);
    }
    match (&chart.line, &chart.sii) {
        (Some(line), Some(sii)) => notes.push(vec![
            text(
                "Each subgroup sits at the middle of its share of the population (its ridit), \
                 from the most deprived (0) to the least (1). The dashed line is the SII: it \
                 joins the values the engine's model fits at the two ends, ",
            ),
            number(line.at0, 2),
            text(" and "),
            number(line.at1, 2),
            text(" (from its SII and RII), so its slope is the SII ("),
            number(sii.value, 1),
            text(")."),
        ]),
        (None, Some(_)) if ordered => notes.push(vec![text(
            "The slope index of inequality (SII) is written above the chart but not drawn: the \
             line needs every subgroup's population and the RII, and they are missing here (or \
             RII is 1, no gradient).",
        )]),
        _ => {}
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_measures_are_the_ones_scoring_quantifies() {
        for (named, id) in NAMED
            .iter()
            .zip([MeasureId::Sii, MeasureId::Rii, MeasureId::D])
        {
            assert_eq!(*named, id.info());
        }
    }
}
