//! Scoring with the instrument's rubric, gaps with recommendations, the maturity profile, and
//! the gap quantified from the evidence table through the measures engine.
//!
//! The score rates how thorough an assessment is, not the service it assesses, and it is
//! equitas's rubric (from the instrument's data), not an official OHID score: the report says so.

use serde::Serialize;

use super::answers::{Answer, Answers, Evidence};
use super::envelope::InstrumentRef;
use super::instrument::{Band, Instrument, Kind, QuestionId, Rule};
use super::rules::Scoring;
use super::validate::{FieldError, SectionProgress, is_visible, progress_with, validate};
use crate::measures::intervals::Z95;
use crate::measures::sii_line::{FingertipsInput, SiiLine};
use crate::measures::{Estimate, MeasureId, REPORT_OPTIONS, Reason, Stratum, Subgroup};

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
    /// The SII by both methods, for an ordered dimension (empty otherwise): the Fingertips
    /// method first, the default in England, then WHO HEAT's logistic SII (the one in
    /// `measures`), each naming its method and saying what its interval includes. The chart
    /// draws the first that was computed.
    pub sii: Vec<SiiLine>,
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
            let at = Scoring {
                instrument,
                answers,
                section: &c.section,
                weight: c.weight,
            };
            let (share, lines) = super::rules::evaluate(&at, &c.rule);
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

/// An ordered dimension's SII by both methods, at 95%: the Fingertips method's from its
/// subgroups (limits from their standard errors, or from their intervals when only those are
/// given), then WHO HEAT's logistic SII as `measures` has it, with the RII of the same fit.
fn sii_lines(stratum: &Stratum, measures: &[MeasureResult]) -> Vec<SiiLine> {
    let find = |id| measures.iter().find(|m| m.measure == id);
    let heat = find(MeasureId::Sii).map_or_else(
        || Err("not computed".to_owned()),
        |m| match (m.value, &m.reason) {
            (Some(v), _) => Ok((v.value, v.lower, v.upper)),
            (None, reason) => Err(reason.clone().unwrap_or_default()),
        },
    );
    let rii = find(MeasureId::Rii).and_then(|m| m.value).map(|v| v.value);
    let fingertips = SiiLine::fingertips(
        stratum.subgroups.iter().map(|g| FingertipsInput {
            label: &g.label,
            order: g.order,
            estimate: g.estimate,
            population: g.population,
            se: g.se,
            lower: None,
            upper: None,
        }),
        REPORT_OPTIONS.confidence,
    );
    vec![
        fingertips,
        SiiLine::heat(REPORT_OPTIONS.sii_method, heat, rii),
    ]
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
            let measures: Vec<MeasureResult> = wanted
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
            let sii = if stratum.ordered && compute.is_some() {
                sii_lines(&stratum, &measures)
            } else {
                Vec::new()
            };
            let quantified = Quantified {
                question: q.id.clone(),
                indicator: e.indicator.clone(),
                dimension,
                ordered: stratum.ordered,
                subgroups: with,
                measures,
                sii,
            };
            out.push((quantified, rows));
        }
    }
    out
}
