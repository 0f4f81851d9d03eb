//! The report model: an assessment's report as a reader sees it, computed once. A
//! [`ReportModel`] is the scored [`Report`] with what its readers are shown besides the scores:
//! the names of the measures that quantify the evidence and what each tells you, and a chart of
//! each quantified dimension (its subgroups in order with their 95% whiskers, ridits, the SII
//! line, the D bracket, and the notes under it).
//!
//! [`render`](super::render) writes the model as Markdown and HTML for the CLI; the browser
//! draws the same model in its results page (`scoreAssessment` returns it). Neither works out
//! an interval, a ridit or a measure's name again: numbers are formatted by the drawing,
//! everything else is in the model. The CLI's `--format json` writes the [`Report`] itself.
//!
//! The scored report is kept whole (`report`), with the rest beside it in the report's order,
//! rather than copied into types with a field or two more: the browser's assessment engine then
//! carries one set of serialisers, not two. (A model of copied types, with band ranges, places
//! and the action plan in words as well, took the engine 14 KB over its size target; those
//! three are looked up in the instrument by the page, as before.)
//!
//! ```
//! use equitas_core::assessment::{Answers, Registry, ReportModel, render};
//! use equitas_core::measures::MeasureId;
//!
//! let registry = Registry::builtin()?;
//! let heat = registry.latest("heat").unwrap();
//! let model = ReportModel::score(heat, &Answers::new());
//! // One chart per quantified dimension (an empty assessment has none).
//! assert_eq!(model.charts.len(), model.report.quantified.len());
//! let sii = model.measure(MeasureId::Sii).unwrap();
//! assert_eq!((sii.abbr, sii.name), ("SII", "Slope index of inequality"));
//! assert!(render::report_markdown(&model).starts_with("# Untitled assessment"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use super::answers::{Answer, Answers, Evidence};
use super::instrument::Instrument;
use super::score::{self, Compute, Quantified, Report};
use crate::measures::chart::part::{label, text};
use crate::measures::chart::{Chart, ChartMeasures, ChartPoint, Note, Whisker};
use crate::measures::names::MeasureInfo;
use crate::measures::sii_line::{SiiLine, drawn, heat_method, line_note};
use crate::measures::{MeasureId, SiiMethod};

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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ReportModel {
    /// The scored report: what `equitas assess score --format json` writes.
    pub report: Report,
    /// The names of the measures that quantify the evidence, and what each tells you.
    pub measures: &'static [MeasureInfo],
    /// A chart of each dimension of [`Report::quantified`], in the same order.
    pub charts: Vec<Chart>,
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
        let charts = report
            .quantified
            .iter()
            .zip(&rows)
            .map(|(q, rows)| evidence_chart(answers, q, rows))
            .collect();
        Self {
            report,
            measures: &NAMED,
            charts,
        }
    }

    /// The names of measure `id`, when the report quantifies with it.
    #[must_use]
    pub fn measure(&self, id: MeasureId) -> Option<&MeasureInfo> {
        self.measures.iter().find(|m| m.id == id)
    }
}

/// The chart of one quantified dimension: its rows (`rows`, indices in its evidence table's
/// rows) in the order of their `order` (rows of the same order as they come), with the
/// measures scoring computed for it, and its notes.
fn evidence_chart(answers: &Answers, q: &Quantified, rows: &[usize]) -> Chart {
    let evidence: Option<&Evidence> = match answers.answered(q.question.as_str()) {
        Some(Answer::Evidence(e)) => Some(e),
        _ => None,
    };
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
        q.measures
            .iter()
            .find(|m| m.measure == id)
            .and_then(|m| m.value)
    };
    // The SII the chart draws: the first of the report's lines that was computed (the
    // Fingertips method's when it could be); a report scored without them draws HEAT's.
    let line = drawn(&q.sii);
    let (sii, rii) = line.map_or_else(
        || {
            (
                value(MeasureId::Sii).map(|v| (v.value, v.lower, v.upper)),
                value(MeasureId::Rii).map(|v| v.value),
            )
        },
        SiiLine::for_chart,
    );
    let mut chart = Chart::new(
        points,
        ChartMeasures {
            ordered: q.ordered,
            d: value(MeasureId::D).map(|v| v.value),
            sii,
            level: EVIDENCE_LEVEL,
            rii,
            average: None,
        },
    );
    let method = line.map_or(heat_method(SiiMethod::Logistic).0, |l| l.method);
    chart.notes = evidence_notes(&chart, q.ordered, method);
    chart
}

/// How to read an evidence chart, in the results page's words.
fn evidence_notes(chart: &Chart, ordered: bool, method: &'static str) -> Vec<Note> {
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
        notes.push(vec![
            text("The bracket marks the difference (D) the engine measured between "),
            label(d.from),
            text(" and "),
            label(d.to),
            text("."),
        ]);
    }
    match chart.sii.map(|s| s.line()) {
        Some(Some(_)) => notes.extend(line_note(chart, method)),
        Some(None) if ordered => notes.push(vec![text(
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
