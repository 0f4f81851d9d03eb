//! Reports as Markdown and as a self-contained, print-ready HTML page (inline styles, no
//! external resources; every piece of user text escaped).
//!
//! A report is drawn from its [`ReportModel`], the model the browser's results page draws too.
//! A report or summary is built once as a small document (`report_doc`, `summary_doc`) and
//! written by the Markdown or HTML backend, which escape every text node.

use super::doc::{Block, Inline, Item, to_html, to_markdown};
use super::report::ReportModel;
use super::score::Report;
use super::summary::Summary;

/// Escape text for HTML element content and attribute values.
#[must_use]
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A measure's name as the CLI's report prints it. Not the model's names ("Slope index of
/// inequality (SII)", what the page shows): the Markdown and HTML the CLI writes stay as they
/// were (issue 13: no output a user sees changes), D's wording included.
fn measure_name(m: crate::measures::MeasureId) -> String {
    match m {
        crate::measures::MeasureId::Sii => "SII (slope index of inequality)".into(),
        crate::measures::MeasureId::Rii => "RII (relative index of inequality)".into(),
        crate::measures::MeasureId::D => "D (difference between the extreme subgroups)".into(),
        other => other.as_str().to_uppercase(),
    }
}

fn pts(x: f64) -> String {
    format!("{x:.1}")
}

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn strong(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}

fn h2(s: &str) -> Block {
    Block::Heading(2, s.into())
}

fn para(s: impl Into<String>) -> Block {
    Block::Para(vec![text(s)])
}

fn table(head: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        head: head.iter().map(|&h| h.to_owned()).collect(),
        rows,
    }
}

fn list(ordered: bool, items: impl IntoIterator<Item = Vec<Inline>>) -> Block {
    let items = items
        .into_iter()
        .map(|text| Item { class: None, text })
        .collect();
    Block::List { ordered, items }
}

fn report_title(model: &ReportModel) -> &str {
    model
        .report
        .title
        .as_deref()
        .unwrap_or("Untitled assessment")
}

/// The report's content, once, for both backends: its parts in reading order.
fn report_doc(model: &ReportModel) -> Vec<Block> {
    let mut d = overview_blocks(model);
    d.extend(report_body(model));
    d
}

/// The report after its overview: sections, maturity, the quantified gap (with a
/// [`Block::Chart`] for each chart of the model), gaps, how it was scored, problems.
pub(super) fn report_body(model: &ReportModel) -> Vec<Block> {
    let r = &model.report;
    let mut d = Vec::new();
    sections(&mut d, r);
    maturity(&mut d, r);
    quantified(&mut d, r);
    for (index, q) in r.quantified.iter().enumerate().take(model.charts.len()) {
        d.push(Block::Chart {
            index,
            title: match &q.indicator {
                Some(i) => format!("{i} by {}", q.dimension),
                None => q.dimension.clone(),
            },
        });
    }
    gaps(&mut d, r);
    how_scored(&mut d, r);
    problems(&mut d, r);
    d
}

/// The title, the instrument, whose rubric it is, the overall score and its band.
pub(super) fn overview_blocks(model: &ReportModel) -> Vec<Block> {
    let r = &model.report;
    let mut d = vec![
        Block::Heading(1, report_title(model).into()),
        Block::Para(vec![
            text(format!("{} (", r.instrument_title)),
            Inline::MdCode(r.instrument.id.clone()),
            text(format!(" v{})", r.instrument.version)),
        ]),
        Block::Notice(r.rubric.clone()),
    ];
    let band = r.band.as_ref().map_or("no band", |b| b.label.as_str());
    d.push(Block::Headline(format!(
        "Overall: {:.1} / 100, {band}",
        r.overall
    )));
    if let Some(b) = &r.band {
        d.push(para(&b.meaning));
    }
    d
}

/// Each section's progress and score.
fn sections(d: &mut Vec<Block>, r: &Report) {
    d.push(h2("Sections"));
    d.push(table(
        &["Section", "Progress", "Score"],
        r.sections
            .iter()
            .map(|s| {
                vec![
                    s.title.clone(),
                    format!(
                        "{} ({} of {} answered)",
                        s.progress.status.label(),
                        s.progress.answered,
                        s.progress.visible
                    ),
                    s.score.map_or_else(|| "–".into(), pts),
                ]
            })
            .collect(),
    ));
}

/// For maturity instruments: the profile by theme and the next objectives.
fn maturity(d: &mut Vec<Block>, r: &Report) {
    if !r.profile.is_empty() {
        d.push(h2("Maturity profile"));
        d.push(table(
            &["Theme", "Level", "Rated", "Levels"],
            r.profile
                .iter()
                .map(|t| {
                    let levels: Vec<String> = t
                        .levels
                        .iter()
                        .map(|(_, l, n)| format!("{l} {n}"))
                        .collect();
                    vec![
                        t.title.clone(),
                        t.level.clone().unwrap_or_else(|| "not rated".into()),
                        format!("{} of {}", t.rated, t.statements),
                        levels.join(", "),
                    ]
                })
                .collect(),
        ));
    }
    if !r.objectives.is_empty() {
        d.push(h2("Next objectives"));
        d.push(list(
            true,
            r.objectives.iter().map(|o| {
                vec![
                    strong(&o.statement),
                    text(format!(" (now {}): {}", o.level, o.next_step)),
                ]
            }),
        ));
    }
}

/// The measures of each quantified dimension of the evidence, when there is any.
fn quantified(d: &mut Vec<Block>, r: &Report) {
    if r.quantified.is_empty() {
        return;
    }
    d.push(h2("The gap, quantified"));
    let mut rows = Vec::new();
    for q in &r.quantified {
        for m in &q.measures {
            let (value, ci) = match (&m.value, &m.reason) {
                (Some(v), _) => (
                    format!("{:.3}", v.value),
                    match (v.lower, v.upper) {
                        (Some(l), Some(u)) => format!("{l:.3} to {u:.3}"),
                        _ => "–".into(),
                    },
                ),
                (None, Some(reason)) => (format!("not computed: {reason}"), "–".into()),
                (None, None) => ("–".into(), "–".into()),
            };
            rows.push(vec![
                q.indicator.clone().unwrap_or_else(|| "–".into()),
                q.dimension.clone(),
                format!(
                    "{}{}",
                    q.subgroups,
                    if q.ordered { ", ordered" } else { "" }
                ),
                measure_name(m.measure),
                value,
                ci,
            ]);
        }
    }
    // The print page has always left out the subgroups column.
    d.push(table(
        &[
            "Indicator",
            "Dimension",
            "Subgroups",
            "Measure",
            "Value",
            "95% CI",
        ],
        rows,
    ));
    sii_methods(d, r);
}

/// Each ordered dimension's SII by both methods, the Fingertips method first, each with what
/// its interval includes.
fn sii_methods(d: &mut Vec<Block>, r: &Report) {
    let mut rows = Vec::new();
    for q in &r.quantified {
        for l in &q.sii {
            let (value, ci) = match (l.value, &l.reason) {
                (Some(v), _) => (
                    format!("{v:.3}"),
                    match (l.lower, l.upper) {
                        (Some(lo), Some(hi)) => format!("{lo:.3} to {hi:.3}"),
                        _ => "–".into(),
                    },
                ),
                (None, reason) => (
                    format!(
                        "not computed: {}",
                        reason.as_deref().unwrap_or("no reason given")
                    ),
                    "–".into(),
                ),
            };
            rows.push(vec![
                q.indicator.clone().unwrap_or_else(|| "–".into()),
                q.dimension.clone(),
                l.method.to_owned(),
                value,
                ci,
                l.interval.to_owned(),
            ]);
        }
    }
    if rows.is_empty() {
        return;
    }
    d.push(para(
        "The slope index of inequality (SII) by two methods: the Fingertips method first, \
         England's default and the one each chart draws when it can be computed, then WHO \
         HEAT's logistic SII (the SII in the table above). They differ in what their intervals \
         include.",
    ));
    d.push(table(
        &[
            "Indicator",
            "Dimension",
            "Method",
            "SII",
            "95% CI",
            "What the interval includes",
        ],
        rows,
    ));
}

/// The gaps found, each with its recommendation.
fn gaps(d: &mut Vec<Block>, r: &Report) {
    d.push(h2("Gaps and recommendations"));
    if r.gaps.is_empty() {
        d.push(para("No gaps found by the rubric's rules."));
    } else {
        d.push(list(
            false,
            r.gaps
                .iter()
                .map(|g| vec![strong(&g.title), text(format!(": {}", g.recommendation))]),
        ));
    }
}

/// Every criterion with every point it earned or lost.
fn how_scored(d: &mut Vec<Block>, r: &Report) {
    d.push(h2("How the score was reached"));
    for c in &r.criteria {
        d.push(Block::Heading(
            3,
            format!(
                "{}: {} of {} points",
                c.label,
                pts(c.earned),
                pts(c.available)
            ),
        ));
        let items = c.lines.iter().map(|l| {
            let sign = if l.lost > 0.0 && l.earned == 0.0 {
                format!("−{}", pts(l.lost))
            } else if l.lost > 0.0 {
                format!("+{} / −{}", pts(l.earned), pts(l.lost))
            } else {
                format!("+{}", pts(l.earned))
            };
            Item {
                class: Some(if l.lost > 0.0 { "lost" } else { "earned" }),
                text: vec![text(format!("{sign}: {}", l.text))],
            }
        });
        d.push(Block::List {
            ordered: false,
            items: items.collect(),
        });
    }
}

/// The problems to fix before the assessment is complete, when there are any.
fn problems(d: &mut Vec<Block>, r: &Report) {
    if !r.problems.is_empty() {
        d.push(h2("Problems to fix"));
        d.push(list(
            false,
            r.problems.iter().map(|p| {
                vec![
                    Inline::Code(p.question.to_string()),
                    text(format!(": {}", p.message)),
                ]
            }),
        ));
    }
}

/// The report as Markdown.
///
/// ```
/// use equitas_core::assessment::{Answers, Registry, ReportModel, render};
///
/// let registry = Registry::builtin()?;
/// let model = ReportModel::score(registry.latest("heat").unwrap(), &Answers::new());
/// assert!(render::report_markdown(&model).starts_with("# Untitled assessment"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn report_markdown(r: &ReportModel) -> String {
    to_markdown(&report_doc(r))
}

/// The report as a self-contained HTML page, ready to print.
#[must_use]
pub fn report_html(r: &ReportModel) -> String {
    to_html(report_title(r), &report_doc(r))
}

fn summary_title(s: &Summary) -> String {
    format!("Assessment portfolio, as of {}", s.as_of)
}

/// The summary's content, once, for both backends.
fn summary_doc(s: &Summary) -> Vec<Block> {
    let mut d = vec![
        Block::Heading(1, summary_title(s)),
        para(format!("{} assessments.", s.assessments)),
        h2("Rating bands"),
        table(
            &["Instrument", "Band", "Assessments"],
            s.bands
                .iter()
                .map(|b| vec![b.instrument.clone(), b.label.clone(), b.count.to_string()])
                .collect(),
        ),
        h2("Most common gaps"),
        table(
            &["Instrument", "Gap", "Assessments"],
            s.gaps
                .iter()
                .map(|g| vec![g.instrument.clone(), g.title.clone(), g.count.to_string()])
                .collect(),
        ),
        h2("Dimensions least often considered"),
        table(
            &["Instrument", "Dimension", "Family", "Considered"],
            s.dimensions
                .iter()
                .take(15)
                .map(|x| {
                    vec![
                        x.instrument.clone(),
                        x.label.clone(),
                        x.family.replace('_', " "),
                        format!("{} of {}", x.considered, x.of),
                    ]
                })
                .collect(),
        ),
        h2("Reviews overdue"),
    ];
    if s.overdue.is_empty() {
        d.push(para("None."));
    } else {
        d.push(table(
            &["Assessment", "Title", "Review date", "Days overdue"],
            s.overdue
                .iter()
                .map(|o| {
                    vec![
                        o.name.clone(),
                        o.title.clone().unwrap_or_else(|| "–".into()),
                        o.review_date.to_string(),
                        o.days_overdue.to_string(),
                    ]
                })
                .collect(),
        ));
    }
    if !s.no_review_date.is_empty() {
        d.push(para(format!(
            "No review date set: {}.",
            s.no_review_date.join(", ")
        )));
    }
    d
}

/// The portfolio summary as Markdown.
#[must_use]
pub fn summary_markdown(s: &Summary) -> String {
    to_markdown(&summary_doc(s))
}

/// The portfolio summary as a self-contained HTML page.
#[must_use]
pub fn summary_html(s: &Summary) -> String {
    to_html(&summary_title(s), &summary_doc(s))
}
