//! The WHO HEAT Plus upload template as CSV (`../shared/reference/heat-plus-template.md`): read
//! it into strata, write strata back, and write measure results.
//!
//! One row per subgroup estimate; columns are found by header name (any order, any case).
//! Required: setting, date, source, indicator_abbr, dimension, subgroup, estimate,
//! favourable_indicator, indicator_scale, ordered_dimension, subgroup_order, reference_subgroup.
//! Optional: indicator_name, se, ci_lb, ci_ub, population, note, setting_average, iso3. Other
//! columns are ignored. An empty cell or `NA` is a missing value.
//!
//! Rows are grouped into strata (setting × date × source × indicator_abbr × dimension) in the
//! order they first appear. Bad rows get HEAT Plus-style checks; every problem in the file is
//! reported at once (the first [`MAX_LISTED_PROBLEMS`] by row listed, the rest counted), each
//! with its row, column and value. Rows are numbered as a spreadsheet shows them: the header is
//! row 1 (unless blank lines come before it), blank lines count, and LF, CRLF and CR alone each
//! end a line.
//!
//! ```
//! use equitas_core::io::heat_plus;
//! let csv = "setting,date,source,indicator_abbr,dimension,subgroup,estimate,population,\
//! favourable_indicator,indicator_scale,ordered_dimension,subgroup_order,reference_subgroup
//! Synthetic,2024,Survey,vacc,Sex,Female,80,100,1,100,0,0,0
//! Synthetic,2024,Survey,vacc,Sex,Male,70,100,1,100,0,0,0
//! ";
//! let strata = heat_plus::read(csv.as_bytes())?;
//! assert_eq!(strata.len(), 1);
//! assert_eq!(strata[0].stratum.subgroups.len(), 2);
//! # Ok::<(), heat_plus::HeatPlusError>(())
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::cohort::{
    AmbitionRow, BreakdownCell, BreakdownReport, CohortReport, DimensionCells, ProtectedReport,
    RateEstimate,
};
use crate::disclosure::Shown;
use crate::measures::{Estimate, MeasureId, Options, Reason, Stratum, Subgroup, compute_many};

/// The ambition metrics of a cohort report as HEAT Plus strata, so the deprivation gradient of
/// every Core20PLUS5 ambition can be measured (`equitas measures`, or HEAT Plus itself).
///
/// One stratum per metric: dimension `IMD quintile`, ordered, quintile 1 (most deprived) first;
/// each quintile's estimate is its rate in percent (scale 100, higher is better, as the
/// ambitions' targets are floors), with the binomial standard error √(p(1 − p)/n), the Wilson 95%
/// limits and the denominator as population. The setting average is the overall rate, people
/// with unknown deprivation included. A quintile with nobody in the denominator has no estimate,
/// so the measures that need every quintile say so rather than guess.
#[must_use]
pub fn from_ambitions(
    rows: &[AmbitionRow],
    setting: &str,
    date: &str,
    source: &str,
) -> Vec<HeatPlusStratum> {
    ambition_strata(rows, setting, date, source, None)
}

/// Every stratum of a cohort report ([`from_ambitions`], then [`from_breakdowns`]), with its
/// counts published as `protected` says when given: a subgroup whose numerator or denominator
/// is suppressed keeps no estimate, limits or population, and its note says why; the others
/// have the published (rounded) denominator as population and in the note, and the rate of the
/// exact counts. The setting of every stratum is the report's definition id.
#[must_use]
pub fn from_report(
    report: &CohortReport,
    protected: Option<&ProtectedReport>,
    date: &str,
    source: &str,
) -> Vec<HeatPlusStratum> {
    let setting = &report.definition;
    let mut out = ambition_strata(&report.ambitions, setting, date, source, protected);
    out.extend(breakdown_strata(
        &report.breakdowns,
        setting,
        date,
        source,
        protected,
    ));
    out
}

/// One subgroup's row: its estimate from the exact counts, its population and note from the
/// published ones (`shown`: numerator, denominator), or nothing but the reason when either is
/// suppressed.
fn subgroup_row(
    q: &RateEstimate,
    shown: Option<(Shown, Shown, crate::disclosure::Rule)>,
    expected: Option<f64>,
    label: String,
    order: u32,
    indicator_name: &str,
    note_tail: &str,
) -> (Subgroup, RowExtras) {
    let (num, den, rule) = shown.unwrap_or((
        Shown::Value(q.numerator),
        Shown::Value(q.denominator),
        crate::disclosure::Rule::None,
    ));
    let suppressed = match (num, den) {
        (Shown::Suppressed(r), _) | (_, Shown::Suppressed(r)) => Some(r),
        _ => None,
    };
    #[allow(clippy::cast_precision_loss, reason = "people counts far below 2^52")]
    let n = q.denominator as f64;
    let visible = suppressed.is_none();
    let note = match suppressed {
        Some(r) => format!("{}{note_tail}", r.describe(rule)),
        None => format!(
            "{} of {} people{note_tail}",
            num.value().unwrap_or(0),
            den.value().unwrap_or(0)
        ),
    };
    #[allow(clippy::cast_precision_loss, reason = "people counts far below 2^52")]
    let population = den.value().map(|d| d as f64);
    (
        Subgroup {
            label,
            estimate: q.rate.filter(|_| visible).map(|p| 100.0 * p),
            se: q
                .rate
                .filter(|_| visible)
                .map(|r| binomial_se(r, n, expected)),
            population: if visible { population } else { None },
            order,
            reference: false,
        },
        RowExtras {
            indicator_name: indicator_name.to_owned(),
            ci_lb: q.lower.filter(|_| visible).map(|v| 100.0 * v),
            ci_ub: q.upper.filter(|_| visible).map(|v| 100.0 * v),
            note,
            iso3: "GBR".to_owned(),
        },
    )
}

fn ambition_strata(
    rows: &[AmbitionRow],
    setting: &str,
    date: &str,
    source: &str,
    protected: Option<&ProtectedReport>,
) -> Vec<HeatPlusStratum> {
    rows.iter()
        .map(|row| {
            let mut subgroups = Vec::with_capacity(5);
            let mut extras = Vec::with_capacity(5);
            for (order, q) in (1u32..).zip(&row.by_quintile) {
                let shown = protected.map(|p| {
                    let (n, d) = p.ambition(&row.metric, &format!("q{order}"), q);
                    (n, d, p.rule())
                });
                let (subgroup, extra) = subgroup_row(
                    q,
                    shown,
                    row.expected_prevalence,
                    match order {
                        1 => "Quintile 1 (most deprived)".to_owned(),
                        5 => "Quintile 5 (least deprived)".to_owned(),
                        _ => format!("Quintile {order}"),
                    },
                    order,
                    &row.label,
                    &format!(" (clinical area {})", row.area),
                );
                subgroups.push(subgroup);
                extras.push(extra);
            }
            let overall_hidden = protected.is_some_and(|p| {
                let (n, d) = p.ambition(&row.metric, "overall", &row.overall);
                n.is_suppressed() || d.is_suppressed()
            });
            HeatPlusStratum {
                key: StratumKey {
                    setting: setting.to_owned(),
                    date: date.to_owned(),
                    source: source.to_owned(),
                    indicator_abbr: row.metric.clone(),
                    dimension: "IMD quintile".to_owned(),
                },
                stratum: Stratum {
                    subgroups,
                    ordered: true,
                    favourable: true,
                    scale: 100.0,
                    setting_average: row
                        .overall
                        .rate
                        .filter(|_| !overall_hidden)
                        .map(|p| 100.0 * p),
                },
                extras,
            }
        })
        .collect()
}

/// Every breakdown of a cohort report as HEAT Plus strata: each metric by each breakdown, so
/// `equitas measures` gives the 21 measures for every dimension.
///
/// A one-way breakdown is one dimension, named by its label (`Ethnic group`); a two-way
/// breakdown A:B is one dimension per known value of A, B within it (`IMD quintile (Ethnic
/// group: asian)`), so an ordered B keeps its order. Ordered dimensions (deciles, quintiles, age
/// bands) give their known cells orders 1..n in their order (1 = most deprived, youngest);
/// unordered ones 0. Cells meaning "unknown" are not subgroups (they have no place in an order,
/// and are not a population group), nor are cells with no one in the metric's denominator
/// (children in an adult metric's age bands: there is nothing to estimate, and one empty
/// subgroup would stop every measure); each row's note says which cells were left out and how
/// many people the unknown ones hold. Estimates are as in [`from_ambitions`]: the rate in
/// percent, its binomial standard error, the Wilson limits, the denominator as population,
/// higher is better; the setting average is the rate of everyone in the dimension (the margin,
/// unknown cells included). A one-way `imd-quintile`
/// breakdown is left out: its strata are [`from_ambitions`]'s, under the same key.
#[must_use]
pub fn from_breakdowns(
    breakdowns: &[BreakdownReport],
    setting: &str,
    date: &str,
    source: &str,
) -> Vec<HeatPlusStratum> {
    breakdown_strata(breakdowns, setting, date, source, None)
}

fn breakdown_strata(
    breakdowns: &[BreakdownReport],
    setting: &str,
    date: &str,
    source: &str,
    protected: Option<&ProtectedReport>,
) -> Vec<HeatPlusStratum> {
    let mut out = Vec::new();
    for b in breakdowns {
        match b.dimensions.as_slice() {
            [d] if d.id == "imd-quintile" => {}
            [d] => {
                let cells: Vec<&BreakdownCell> = d
                    .cells
                    .iter()
                    .filter_map(|l| b.cell(&[l.as_str()]))
                    .collect();
                let Some(total) = b.cell(&["all"]) else {
                    continue;
                };
                let key = |abbr: &str| StratumKey {
                    setting: setting.to_owned(),
                    date: date.to_owned(),
                    source: source.to_owned(),
                    indicator_abbr: abbr.to_owned(),
                    dimension: d.label.clone(),
                };
                push_strata(&mut out, (b, protected), d, &cells, total, &key);
            }
            [a, d] => {
                for (i, la) in a.cells.iter().enumerate() {
                    if a.unknown.contains(&i) {
                        continue;
                    }
                    let cells: Vec<&BreakdownCell> = d
                        .cells
                        .iter()
                        .filter_map(|l| b.cell(&[la.as_str(), l.as_str()]))
                        .collect();
                    let Some(total) = b.cell(&[la.as_str(), "all"]) else {
                        continue;
                    };
                    let dimension = format!("{} ({}: {la})", d.label, a.label);
                    let key = |abbr: &str| StratumKey {
                        setting: setting.to_owned(),
                        date: date.to_owned(),
                        source: source.to_owned(),
                        indicator_abbr: abbr.to_owned(),
                        dimension: dimension.clone(),
                    };
                    push_strata(&mut out, (b, protected), d, &cells, total, &key);
                }
            }
            _ => {}
        }
    }
    out
}

/// One stratum per metric of `b`: the known `cells` of dimension `d` (whose margin is `total`).
fn push_strata(
    out: &mut Vec<HeatPlusStratum>,
    (b, protected): (&BreakdownReport, Option<&ProtectedReport>),
    d: &DimensionCells,
    cells: &[&BreakdownCell],
    total: &BreakdownCell,
    key: &dyn Fn(&str) -> StratumKey,
) {
    for (k, metric) in b.metrics.iter().enumerate() {
        let at = 3 + b.areas.len() + b.plus_groups.len() + 2 * k;
        // People in the unknown cells, as published (a suppressed one makes the sum unknown).
        let unknown: Option<u64> = d
            .unknown
            .iter()
            .filter_map(|&i| cells.get(i))
            .map(|c| match protected {
                Some(p) => p.cell(b, c).get(at).and_then(|s| s.value()),
                None => c.metrics.get(k).map(|m| m.estimate.denominator),
            })
            .sum();
        let unknown = unknown.map_or_else(|| "some".to_owned(), |n| n.to_string());
        let empty: Vec<&str> = cells
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                !d.unknown.contains(i)
                    && c.metrics.get(k).is_none_or(|m| m.estimate.denominator == 0)
            })
            .map(|(_, c)| c.key.last().map_or("", String::as_str))
            .collect();
        let mut note_tail = String::new();
        if !d.unknown.is_empty() {
            note_tail.push_str(&format!(
                "; {unknown} more with {} unknown are in no subgroup",
                d.label
            ));
        }
        if !empty.is_empty() {
            note_tail.push_str(&format!(
                "; left out, no one in the denominator: {}",
                empty.join(", ")
            ));
        }
        let mut subgroups = Vec::with_capacity(cells.len());
        let mut extras = Vec::with_capacity(cells.len());
        let mut order = 0u32;
        for (i, cell) in cells.iter().enumerate() {
            if d.unknown.contains(&i) {
                continue;
            }
            let Some(m) = cell.metrics.get(k).filter(|m| m.estimate.denominator > 0) else {
                continue;
            };
            order += 1;
            let shown = protected.map(|p| {
                let s = p.cell(b, cell);
                (
                    s.get(at + 1).copied().unwrap_or(Shown::Value(0)),
                    s.get(at).copied().unwrap_or(Shown::Value(0)),
                    p.rule(),
                )
            });
            let (subgroup, extra) = subgroup_row(
                &m.estimate,
                shown,
                metric.expected_prevalence,
                cell.key.last().cloned().unwrap_or_default(),
                if d.ordered { order } else { 0 },
                &metric.label,
                &note_tail,
            );
            subgroups.push(subgroup);
            extras.push(extra);
        }
        if subgroups.is_empty() {
            // No one in the denominator anywhere: no stratum to write.
            continue;
        }
        out.push(HeatPlusStratum {
            key: key(&metric.id),
            stratum: Stratum {
                subgroups,
                ordered: d.ordered,
                favourable: true,
                scale: 100.0,
                setting_average: total
                    .metrics
                    .get(k)
                    .and_then(|m| m.estimate.rate)
                    .map(|p| 100.0 * p),
            },
            extras,
        });
    }
}

/// The standard error, in percent, of a rate `r` of `n` people: √(p(1 − p)/n) for a
/// proportion p = r; for an observed ÷ expected ratio r (expected prevalence e), the observed
/// proportion is p = r·e and the ratio's standard error √(p(1 − p)/n) ÷ e.
fn binomial_se(r: f64, n: f64, expected: Option<f64>) -> f64 {
    let e = expected.filter(|e| *e > 0.0).unwrap_or(1.0);
    let p = r * e;
    100.0 * (p * (1.0 - p) / n).sqrt() / e
}

/// The template's columns, in its order.
pub const COLUMNS: [&str; 20] = [
    "setting",
    "date",
    "source",
    "indicator_abbr",
    "indicator_name",
    "dimension",
    "subgroup",
    "estimate",
    "se",
    "ci_lb",
    "ci_ub",
    "population",
    "note",
    "setting_average",
    "iso3",
    "favourable_indicator",
    "indicator_scale",
    "ordered_dimension",
    "subgroup_order",
    "reference_subgroup",
];

const REQUIRED: [&str; 12] = [
    "setting",
    "date",
    "source",
    "indicator_abbr",
    "dimension",
    "subgroup",
    "estimate",
    "favourable_indicator",
    "indicator_scale",
    "ordered_dimension",
    "subgroup_order",
    "reference_subgroup",
];

/// What identifies a stratum: setting × date × source × indicator × dimension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct StratumKey {
    /// Country, region or area.
    pub setting: String,
    /// Year or date.
    pub date: String,
    /// Data source.
    pub source: String,
    /// Short indicator id.
    pub indicator_abbr: String,
    /// Dimension of inequality.
    pub dimension: String,
}

/// The template's columns that the measures do not use, kept per subgroup so a file can be
/// written back as it was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct RowExtras {
    /// Indicator label.
    pub indicator_name: String,
    /// The subgroup's lower confidence limit.
    pub ci_lb: Option<f64>,
    /// The subgroup's upper confidence limit.
    pub ci_ub: Option<f64>,
    /// Free text.
    pub note: String,
    /// Country code.
    pub iso3: String,
}

/// One stratum of a HEAT Plus file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct HeatPlusStratum {
    /// Which stratum.
    pub key: StratumKey,
    /// Its subgroups and flags, in file order.
    pub stratum: Stratum,
    /// The other columns, one per subgroup, aligned with `stratum.subgroups`; empty when every
    /// one of them is empty (as [`read`] gives them for a file without those columns).
    pub extras: Vec<RowExtras>,
}

/// One problem in a HEAT Plus file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct RowProblem {
    /// The spreadsheet row (header = 1).
    pub row: u64,
    /// The column.
    pub column: String,
    /// The offending value.
    pub value: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}, column {}: {}",
            self.row, self.column, self.message
        )?;
        if !self.value.is_empty() {
            write!(f, " (value {:?})", self.value)?;
        }
        Ok(())
    }
}

/// The most problems a [`HeatPlusError`] lists: the first ones by row. The others are counted,
/// not kept, so a large file of bad rows cannot make the list take more memory than the file.
/// A fixed limit; correct the problems listed and read the file again to see the next ones.
pub const MAX_LISTED_PROBLEMS: usize = 1_000;

/// Every problem found in a HEAT Plus file (the first [`MAX_LISTED_PROBLEMS`] by row listed,
/// the rest counted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(self))]
pub struct HeatPlusError {
    /// The problems, in row order: the first [`MAX_LISTED_PROBLEMS`].
    pub problems: Vec<RowProblem>,
    /// How many more problems were found and not listed.
    pub unlisted: u64,
}

fn describe(e: &HeatPlusError) -> String {
    let total = e.problems.len() as u64 + e.unlisted;
    let mut text = format!(
        "{total} problem{} in the HEAT Plus file:",
        if total == 1 { "" } else { "s" }
    );
    for p in &e.problems {
        text.push_str("\n  ");
        text.push_str(&p.to_string());
    }
    if e.unlisted > 0 {
        text.push_str(&format!(
            "\n  … and {} more, not listed: only the first {MAX_LISTED_PROBLEMS} by row are \
             (a fixed limit); correct these and read the file again",
            e.unlisted
        ));
    }
    text
}

/// The problems found so far: the first [`MAX_LISTED_PROBLEMS`] by row (ties in the order
/// found), and a count of the rest. Trimmed as it grows, so it never holds more than twice the
/// limit; the list kept is the one a full stable sort by row, cut at the limit, would give.
#[derive(Debug, Default)]
struct Problems {
    list: Vec<RowProblem>,
    dropped: u64,
}

impl Problems {
    fn push(&mut self, p: RowProblem) {
        self.list.push(p);
        if self.list.len() >= 2 * MAX_LISTED_PROBLEMS {
            self.trim();
        }
    }

    /// Problems found so far, listed or not.
    fn total(&self) -> u64 {
        self.list.len() as u64 + self.dropped
    }

    fn trim(&mut self) {
        crate::sort::sort_by_key(&mut self.list, |p| p.row);
        if self.list.len() > MAX_LISTED_PROBLEMS {
            self.dropped += (self.list.len() - MAX_LISTED_PROBLEMS) as u64;
            self.list.truncate(MAX_LISTED_PROBLEMS);
        }
    }

    fn into_error(mut self) -> Option<HeatPlusError> {
        if self.list.is_empty() {
            return None;
        }
        self.trim();
        Some(HeatPlusError {
            problems: self.list,
            unlisted: self.dropped,
        })
    }
}

/// A reader that notes where the runs of line-break bytes (`\r`, `\n`) are in what passes
/// through it, so that the spreadsheet row of a CSV record can be worked out from the byte where
/// the CSV reader started looking for it: the csv crate skips blank lines without a word, and
/// counts lines by `\n` only, so neither its record count nor its line number is the row a
/// spreadsheet shows.
///
/// A run is a maximal stretch of break bytes; its breaks are its `\r\n` pairs, lone `\r`s and
/// lone `\n`s, each one row. Between two records there is exactly one run (the first record's
/// terminator and any blank lines), so the rows between their starts are that run's breaks.
/// Runs inside a record (a quoted cell with line breaks) are passed over, as a spreadsheet shows
/// such a record as one row. Only runs the CSV reader has not yet passed are kept: its buffer's
/// worth, or one record's if a record is longer.
#[derive(Debug)]
pub(crate) struct LineBreaks<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Closed runs not yet passed: (first byte, one past the last byte, breaks).
    runs: VecDeque<(u64, u64, u64)>,
    /// The run the last byte read belongs to, if it was a break: (first byte, breaks).
    open: Option<(u64, u64)>,
    /// Whether the last byte read was `\r` (so a `\n` next completes the same break).
    after_cr: bool,
}

impl<R> LineBreaks<R> {
    pub(crate) const fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            runs: VecDeque::new(),
            open: None,
            after_cr: false,
        }
    }

    /// The line breaks between the previous record and the one the CSV reader started looking
    /// for at byte `start`: those of the run that holds `start` or ends there.
    pub(crate) fn breaks_before(&mut self, start: u64) -> u64 {
        while self.runs.front().is_some_and(|&(_, end, _)| end < start) {
            self.runs.pop_front();
        }
        if let Some(&(first, _, breaks)) = self.runs.front()
            && first <= start
        {
            self.runs.pop_front();
            return breaks;
        }
        match self.open {
            Some((first, breaks)) if first <= start => breaks,
            _ => 0,
        }
    }
}

impl<R> LineBreaks<R> {
    /// A byte that is not a line break at `at`: the open run, if any, ends there.
    fn close(&mut self, at: u64) {
        if let Some((first, breaks)) = self.open.take() {
            self.runs.push_back((first, at, breaks));
        }
        self.after_cr = false;
    }

    /// A line-break byte `b` at `at`.
    fn line_break(&mut self, at: u64, b: u8) {
        let new_break = u64::from(!(b == b'\n' && self.after_cr));
        match &mut self.open {
            Some((_, breaks)) => *breaks += new_break,
            None => self.open = Some((at, new_break)),
        }
        self.after_cr = b == b'\r';
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in buf.get(..n).unwrap_or_default() {
            if b == b'\r' || b == b'\n' {
                self.line_break(self.offset, b);
            } else if self.open.is_some() {
                self.close(self.offset);
            }
            self.offset += 1;
        }
        Ok(n)
    }
}

/// The template's columns by their position in [`COLUMNS`].
mod col {
    pub(super) const SETTING: usize = 0;
    pub(super) const DATE: usize = 1;
    pub(super) const SOURCE: usize = 2;
    pub(super) const INDICATOR_ABBR: usize = 3;
    pub(super) const INDICATOR_NAME: usize = 4;
    pub(super) const DIMENSION: usize = 5;
    pub(super) const SUBGROUP: usize = 6;
    pub(super) const ESTIMATE: usize = 7;
    pub(super) const SE: usize = 8;
    pub(super) const CI_LB: usize = 9;
    pub(super) const CI_UB: usize = 10;
    pub(super) const POPULATION: usize = 11;
    pub(super) const NOTE: usize = 12;
    pub(super) const SETTING_AVERAGE: usize = 13;
    pub(super) const ISO3: usize = 14;
    pub(super) const FAVOURABLE_INDICATOR: usize = 15;
    pub(super) const INDICATOR_SCALE: usize = 16;
    pub(super) const ORDERED_DIMENSION: usize = 17;
    pub(super) const SUBGROUP_ORDER: usize = 18;
    pub(super) const REFERENCE_SUBGROUP: usize = 19;
}

/// Collects problems while parsing a row.
struct Cells<'r, 'p> {
    record: &'r csv::StringRecord,
    /// The record's field of each template column, by its position in [`COLUMNS`].
    columns: &'r ColumnFields,
    row: u64,
    problems: &'p mut Problems,
}

impl<'r> Cells<'r, '_> {
    fn text(&self, column: usize) -> &'r str {
        self.columns
            .get(column)
            .copied()
            .flatten()
            .and_then(|i| self.record.get(i))
            .map_or("", str::trim)
    }
    fn problem(&mut self, column: usize, message: impl Into<String>) {
        let value = self.text(column).to_owned();
        self.problems.push(RowProblem {
            row: self.row,
            column: COLUMNS.get(column).copied().unwrap_or_default().to_owned(),
            value,
            message: message.into(),
        });
    }
    fn required_text(&mut self, column: usize) -> &'r str {
        let v = self.text(column);
        if v.is_empty() {
            self.problem(column, "is empty but required");
        }
        v
    }
    /// An optional number: empty or `NA` is missing.
    fn number(&mut self, column: usize, non_negative: bool) -> Option<f64> {
        let v = self.text(column);
        if v.is_empty() || v.eq_ignore_ascii_case("na") {
            return None;
        }
        match v.parse::<f64>() {
            Ok(x) if !x.is_finite() => {
                self.problem(column, "is not a finite number");
                None
            }
            Ok(x) if non_negative && x < 0.0 => {
                self.problem(column, "must not be negative");
                None
            }
            Ok(x) => Some(x),
            Err(_) => {
                self.problem(column, "is not a number");
                None
            }
        }
    }
    fn flag(&mut self, column: usize) -> Option<bool> {
        match self.text(column) {
            "1" => Some(true),
            "0" => Some(false),
            _ => {
                self.problem(column, "must be 0 or 1");
                None
            }
        }
    }
    /// The indicator scale: required, and a positive number.
    fn scale(&mut self) -> Option<f64> {
        match self.number(col::INDICATOR_SCALE, false) {
            Some(s) if s > 0.0 => Some(s),
            Some(_) => {
                self.problem(col::INDICATOR_SCALE, "must be a positive number");
                None
            }
            None => {
                if self.text(col::INDICATOR_SCALE).is_empty() {
                    self.problem(col::INDICATOR_SCALE, "is empty but required");
                }
                None
            }
        }
    }
}

/// Read a HEAT Plus CSV into strata.
///
/// The file is read as a stream and each row goes straight into its stratum, so memory holds
/// the strata (about 200 bytes a subgroup, plus its label) and not the file or its rows.
///
/// # Errors
/// Every problem in the file (missing columns, bad values, inconsistent strata), each with its
/// row, column and value; the first [`MAX_LISTED_PROBLEMS`] by row are listed.
pub fn read<R: Read>(reader: R) -> Result<Vec<HeatPlusStratum>, HeatPlusError> {
    read_delimited(reader, b',')
}

/// [`read`] with cells separated by `delimiter` rather than a comma: a tab for a range pasted
/// from a spreadsheet.
///
/// # Errors
/// As [`read`].
pub fn read_delimited<R: Read>(
    reader: R,
    delimiter: u8,
) -> Result<Vec<HeatPlusStratum>, HeatPlusError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(LineBreaks::new(reader));
    let mut record = csv::StringRecord::new();
    let (header_row, columns) = read_header(&mut rdr, &mut record)?;
    let mut problems = Problems::default();
    let mut groups = Groups::default();
    let mut row = header_row;
    loop {
        let start = rdr.position().byte();
        let read = rdr.read_record(&mut record);
        if matches!(read, Ok(false)) {
            break;
        }
        // Records are separated by at least one line break, so a record is never on the row
        // of the one before.
        row += rdr.get_mut().breaks_before(start).max(1);
        if let Err(e) = read {
            problems.push(RowProblem {
                row,
                column: String::new(),
                value: String::new(),
                message: format!("cannot read the row: {e}"),
            });
            continue;
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if let Some(parsed) = parse_row(&record, &columns, row, &mut problems) {
            groups.add(parsed, &mut problems);
        }
    }
    let strata = groups.finish(&mut problems);
    match problems.into_error() {
        None => Ok(strata),
        Some(e) => Err(e),
    }
}

/// The record's field of each template column, by its position in [`COLUMNS`].
type ColumnFields = [Option<usize>; COLUMNS.len()];

/// Reads the header into `record`: its spreadsheet row (1, unless blank lines come before it)
/// and where each template column is.
///
/// # Errors
/// The header cannot be read, or required columns are missing from it (each one listed).
fn read_header<R: Read>(
    rdr: &mut csv::Reader<LineBreaks<R>>,
    record: &mut csv::StringRecord,
) -> Result<(u64, ColumnFields), HeatPlusError> {
    let mut problems = Problems::default();
    let header_row = match rdr.read_record(record) {
        Ok(true) => 1 + rdr.get_mut().breaks_before(0),
        Ok(false) => 1,
        Err(e) => {
            problems.push(RowProblem {
                row: 1,
                column: String::new(),
                value: String::new(),
                message: format!("cannot read the header: {e}"),
            });
            return Err(problems.into_error().unwrap_or(HeatPlusError {
                problems: Vec::new(),
                unlisted: 0,
            }));
        }
    };
    let columns = find_columns(record);
    for (c, name) in COLUMNS.iter().enumerate() {
        if REQUIRED.contains(name) && columns.get(c).copied().flatten().is_none() {
            problems.push(RowProblem {
                row: header_row,
                column: (*name).to_owned(),
                value: String::new(),
                message: "required column is missing from the header".to_owned(),
            });
        }
    }
    match problems.into_error() {
        Some(e) => Err(e),
        None => Ok((header_row, columns)),
    }
}

/// Where each template column is in the header (the first column of that name, in any case).
/// A `HashMap`, here or for the strata, would bring its hasher and random keys into the wasm
/// build for nothing.
fn find_columns(header: &csv::StringRecord) -> ColumnFields {
    let mut columns = [None; COLUMNS.len()];
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}');
        if let Some(c) = COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(name))
            && let Some(slot @ None) = columns.get_mut(c)
        {
            *slot = Some(i);
        }
    }
    columns
}

/// One data row at spreadsheet row `row`, every cell checked (each problem pushed to
/// `problems`); `None` when it cannot be placed in a stratum (a key cell or the label empty,
/// or no valid order), which the problems already make an error.
///
/// Inlined into [`read`], its one caller, as it was written there: called, it left the measures
/// module 1.4 KB bigger gzipped (wasm-opt inlines it back into `measureHeatPlus` either way, but
/// the function it makes compresses worse: 95,254 bytes gzipped instead of 93,945).
#[inline(always)]
fn parse_row<'r>(
    record: &'r csv::StringRecord,
    columns: &'r ColumnFields,
    row: u64,
    problems: &mut Problems,
) -> Option<Parsed<'r>> {
    let before = problems.total();
    let mut cells = Cells {
        record,
        columns,
        row,
        problems,
    };
    let key = [
        cells.required_text(col::SETTING),
        cells.required_text(col::DATE),
        cells.required_text(col::SOURCE),
        cells.required_text(col::INDICATOR_ABBR),
        cells.required_text(col::DIMENSION),
    ];
    let label = cells.required_text(col::SUBGROUP);
    let key_ok = cells.problems.total() == before;
    let estimate = cells.number(col::ESTIMATE, false);
    let se = cells.number(col::SE, true);
    let population = cells.number(col::POPULATION, true);
    let ci_lb = cells.number(col::CI_LB, false);
    let ci_ub = cells.number(col::CI_UB, false);
    let setting_average = cells.number(col::SETTING_AVERAGE, false);
    let favourable = cells.flag(col::FAVOURABLE_INDICATOR);
    let ordered = cells.flag(col::ORDERED_DIMENSION);
    let reference = cells.flag(col::REFERENCE_SUBGROUP).unwrap_or(false);
    let scale = cells.scale();
    let order = cells.text(col::SUBGROUP_ORDER).parse::<u32>().ok();
    if order.is_none() {
        cells.problem(col::SUBGROUP_ORDER, "must be a whole number 0 or more");
    }
    let (Some(order), true) = (order, key_ok) else {
        // Not placed in a stratum: the problems above already stop the file.
        return None;
    };
    let extras = RowExtras {
        indicator_name: cells.text(col::INDICATOR_NAME).to_owned(),
        ci_lb,
        ci_ub,
        note: cells.text(col::NOTE).to_owned(),
        iso3: cells.text(col::ISO3).to_owned(),
    };
    Some(Parsed {
        row,
        key,
        subgroup: Subgroup {
            label: label.to_owned(),
            estimate,
            se,
            population,
            order,
            reference,
        },
        extras,
        favourable,
        scale,
        ordered,
        setting_average,
    })
}

/// A row read and checked, ready for its stratum.
struct Parsed<'a> {
    row: u64,
    /// setting, date, source, indicator_abbr, dimension.
    key: [&'a str; 5],
    subgroup: Subgroup,
    extras: RowExtras,
    /// `None` when the cell was invalid (already reported), so consistency checks skip it.
    favourable: Option<bool>,
    scale: Option<f64>,
    ordered: Option<bool>,
    setting_average: Option<f64>,
}

/// What a stratum keeps while the file is read, besides its subgroups.
#[derive(Debug)]
struct Tally {
    /// The spreadsheet row of each subgroup, aligned with the subgroups.
    rows: Vec<u64>,
    /// The first valid favourable, ordered and scale values.
    favourable: Option<bool>,
    ordered: Option<bool>,
    scale: Option<f64>,
}

impl Tally {
    /// Checks row `p` against its stratum `s`: the first valid favourable, ordered and scale
    /// values become the stratum's, and a row that differs from them, or from the stratum's
    /// setting average, is a problem naming the stratum's first row.
    fn agree(&mut self, s: &mut Stratum, p: &Parsed<'_>, problems: &mut Problems) {
        let first = self.rows.first().copied().unwrap_or(p.row);
        let mut differs = |column: &str, here: String, there: String| {
            problems.push(RowProblem {
                row: p.row,
                column: column.to_owned(),
                value: here,
                message: format!("differs from row {first} of the same stratum ({there})"),
            });
        };
        match (self.favourable, p.favourable) {
            (None, Some(v)) => {
                self.favourable = Some(v);
                s.favourable = v;
            }
            (Some(a), Some(b)) if a != b => differs(
                "favourable_indicator",
                u8::from(b).to_string(),
                u8::from(a).to_string(),
            ),
            _ => {}
        }
        match (self.ordered, p.ordered) {
            (None, Some(v)) => {
                self.ordered = Some(v);
                s.ordered = v;
            }
            (Some(a), Some(b)) if a != b => differs(
                "ordered_dimension",
                u8::from(b).to_string(),
                u8::from(a).to_string(),
            ),
            _ => {}
        }
        match (self.scale, p.scale) {
            (None, Some(v)) => {
                self.scale = Some(v);
                s.scale = v;
            }
            (Some(a), Some(b)) if a != b => {
                differs("indicator_scale", b.to_string(), a.to_string());
            }
            _ => {}
        }
        if s.setting_average != p.setting_average {
            let show = |v: Option<f64>| v.map_or_else(|| "empty".to_owned(), |x| x.to_string());
            differs(
                "setting_average",
                show(p.setting_average),
                show(s.setting_average),
            );
        }
    }
}

/// Rows grouped into strata in first-appearance order, each row checked against its stratum's
/// first as it arrives (flags, scale, setting average); duplicates, second references and the
/// orders are checked once every row is in ([`Groups::finish`]).
#[derive(Debug, Default)]
struct Groups {
    /// Stratum by its key, written as length-prefixed parts (so no two keys collide).
    index: BTreeMap<String, usize>,
    /// The key of the row being placed, in the same form (a buffer reused row to row).
    scratch: String,
    out: Vec<HeatPlusStratum>,
    tally: Vec<Tally>,
}

impl Groups {
    /// Places a row in its stratum (a new one if its key is new), checking it against the
    /// stratum's first rows.
    fn add(&mut self, p: Parsed<'_>, problems: &mut Problems) {
        let slot = self.slot(&p);
        let (Some(h), Some(t)) = (self.out.get_mut(slot), self.tally.get_mut(slot)) else {
            return;
        };
        let s = &mut h.stratum;
        t.agree(s, &p, problems);
        t.rows.push(p.row);
        s.subgroups.push(p.subgroup);
        // Most files leave these columns empty: a stratum keeps its extras only from the first
        // row that has any (the rows before it then get empty ones), which saves about 100
        // bytes a subgroup.
        if !h.extras.is_empty() || p.extras != RowExtras::default() {
            h.extras
                .resize(s.subgroups.len().saturating_sub(1), RowExtras::default());
            h.extras.push(p.extras);
        }
    }

    /// The index of the row's stratum; a new stratum, with the row's flags, when its key is
    /// new.
    fn slot(&mut self, p: &Parsed<'_>) -> usize {
        use std::fmt::Write as _;
        self.scratch.clear();
        for part in p.key {
            let _ = write!(self.scratch, "{}:{part}", part.len());
        }
        if let Some(&i) = self.index.get(self.scratch.as_str()) {
            return i;
        }
        let [setting, date, source, indicator_abbr, dimension] = p.key.map(str::to_owned);
        self.index.insert(self.scratch.clone(), self.out.len());
        self.out.push(HeatPlusStratum {
            key: StratumKey {
                setting,
                date,
                source,
                indicator_abbr,
                dimension,
            },
            stratum: Stratum {
                subgroups: Vec::new(),
                ordered: p.ordered.unwrap_or(false),
                favourable: p.favourable.unwrap_or(true),
                scale: p.scale.unwrap_or(1.0),
                setting_average: p.setting_average,
            },
            extras: Vec::new(),
        });
        self.tally.push(Tally {
            rows: Vec::new(),
            favourable: None,
            ordered: None,
            scale: None,
        });
        self.out.len() - 1
    }

    /// The checks that need every row of a stratum: a subgroup named twice, a second reference
    /// subgroup, and the orders of an ordered dimension. Each takes time in proportion to the
    /// stratum (a sort at most), however many subgroups it has.
    fn finish(self, problems: &mut Problems) -> Vec<HeatPlusStratum> {
        for (h, t) in self.out.iter().zip(&self.tally) {
            let subgroups = &h.stratum.subgroups;
            let row_of = |j: usize| t.rows.get(j).copied().unwrap_or(0);
            // Subgroups by label, ties in file order: each run of one label is its rows.
            let mut by_label: Vec<usize> = (0..subgroups.len()).collect();
            crate::sort::sort_by(&mut by_label, |&a, &b| {
                let label = |j: usize| subgroups.get(j).map_or("", |g| g.label.as_str());
                label(a).cmp(label(b))
            });
            let mut duplicates: Vec<(usize, usize)> = Vec::new();
            for pair in by_label.windows(2) {
                if let [a, b] = *pair
                    && subgroups.get(a).map(|g| &g.label) == subgroups.get(b).map(|g| &g.label)
                {
                    // `a` is the run's first (or already points at it).
                    let first = duplicates
                        .last()
                        .filter(|&&(_, later)| later == a)
                        .map_or(a, |&(first, _)| first);
                    duplicates.push((first, b));
                }
            }
            for (first, later) in duplicates {
                problems.push(RowProblem {
                    row: row_of(later),
                    column: "subgroup".to_owned(),
                    value: subgroups
                        .get(later)
                        .map(|g| g.label.clone())
                        .unwrap_or_default(),
                    message: format!(
                        "appears twice in the same stratum (also row {})",
                        row_of(first)
                    ),
                });
            }
            let mut references =
                (0..subgroups.len()).filter(|&j| subgroups.get(j).is_some_and(|g| g.reference));
            if let Some(first) = references.next() {
                for later in references {
                    problems.push(RowProblem {
                        row: row_of(later),
                        column: "reference_subgroup".to_owned(),
                        value: "1".to_owned(),
                        message: format!(
                            "a second reference subgroup in the same stratum (row {} is one already)",
                            row_of(first)
                        ),
                    });
                }
            }
            if !h.stratum.ordered {
                continue;
            }
            let mut orders: Vec<u32> = subgroups.iter().map(|g| g.order).collect();
            crate::sort::sort_by(&mut orders, u32::cmp);
            let expected = (1..).take(orders.len());
            if !orders.iter().copied().eq(expected) {
                problems.push(RowProblem {
                    row: row_of(0),
                    column: "subgroup_order".to_owned(),
                    value: orders
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                    message: format!(
                        "an ordered dimension needs subgroup_order 1..{} once each (stratum {} / {} / {} / {} / {})",
                        orders.len(),
                        h.key.setting,
                        h.key.date,
                        h.key.source,
                        h.key.indicator_abbr,
                        h.key.dimension
                    ),
                });
            }
        }
        self.out
    }
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

/// Write strata back as a HEAT Plus CSV, columns in the template's order.
///
/// # Errors
/// The writer fails.
pub fn write<W: Write>(strata: &[HeatPlusStratum], writer: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(COLUMNS)?;
    for h in strata {
        let s = &h.stratum;
        let blank = RowExtras::default();
        for (j, g) in s.subgroups.iter().enumerate() {
            let e = h.extras.get(j).unwrap_or(&blank);
            w.write_record([
                h.key.setting.as_str(),
                &h.key.date,
                &h.key.source,
                &h.key.indicator_abbr,
                &e.indicator_name,
                &h.key.dimension,
                &g.label,
                &cell(g.estimate),
                &cell(g.se),
                &cell(e.ci_lb),
                &cell(e.ci_ub),
                &cell(g.population),
                &e.note,
                &cell(s.setting_average),
                &e.iso3,
                if s.favourable { "1" } else { "0" },
                &s.scale.to_string(),
                if s.ordered { "1" } else { "0" },
                &g.order.to_string(),
                if g.reference { "1" } else { "0" },
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// One measure for one stratum, flat, as the CLI writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct MeasureResult {
    /// Setting.
    pub setting: String,
    /// Date.
    pub date: String,
    /// Source.
    pub source: String,
    /// Indicator.
    pub indicator_abbr: String,
    /// Dimension.
    pub dimension: String,
    /// The measure's lower-case id.
    pub measure: MeasureId,
    /// Its value; `None` when it could not be computed.
    pub estimate: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Lower confidence limit.
    pub ci_lb: Option<f64>,
    /// Upper confidence limit.
    pub ci_ub: Option<f64>,
    /// Why it could not be computed; `None` when it was.
    pub reason: Option<String>,
}

/// One stratum's result for one measure, flat.
fn result_of(
    h: &HeatPlusStratum,
    measure: MeasureId,
    r: Result<Estimate, Reason>,
) -> MeasureResult {
    let (estimate, se, ci_lb, ci_ub, reason) = match r {
        Ok(e) => (Some(e.value), e.se, e.lower, e.upper, None),
        Err(e) => (None, None, None, None, Some(e.to_string())),
    };
    MeasureResult {
        setting: h.key.setting.clone(),
        date: h.key.date.clone(),
        source: h.key.source.clone(),
        indicator_abbr: h.key.indicator_abbr.clone(),
        dimension: h.key.dimension.clone(),
        measure,
        estimate,
        se,
        ci_lb,
        ci_ub,
        reason,
    }
}

/// Compute `measures` for every stratum, one result per stratum × measure.
///
/// The results are all held at once; [`write_measures_csv`] and [`write_measures_json`] write
/// them as they are computed instead.
#[must_use]
pub fn measure_all(
    strata: &[HeatPlusStratum],
    measures: &[MeasureId],
    options: &Options,
) -> Vec<MeasureResult> {
    let mut out = Vec::with_capacity(strata.len().saturating_mul(measures.len()));
    for h in strata {
        for (m, r) in compute_many(&h.stratum, measures, options) {
            out.push(result_of(h, m, r));
        }
    }
    out
}

const RESULT_COLUMNS: [&str; 11] = [
    "setting",
    "date",
    "source",
    "indicator_abbr",
    "dimension",
    "measure",
    "estimate",
    "se",
    "ci_lb",
    "ci_ub",
    "reason",
];

fn write_result<W: Write>(w: &mut csv::Writer<W>, r: &MeasureResult) -> Result<(), csv::Error> {
    w.write_record([
        r.setting.as_str(),
        &r.date,
        &r.source,
        &r.indicator_abbr,
        &r.dimension,
        r.measure.as_str(),
        &cell(r.estimate),
        &cell(r.se),
        &cell(r.ci_lb),
        &cell(r.ci_ub),
        r.reason.as_deref().unwrap_or(""),
    ])
}

/// Write results as CSV with the columns of [`MeasureResult`].
///
/// # Errors
/// The writer fails.
pub fn write_results_csv<W: Write>(results: &[MeasureResult], writer: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(RESULT_COLUMNS)?;
    for r in results {
        write_result(&mut w, r)?;
    }
    w.flush()?;
    Ok(())
}

/// Compute `measures` for every stratum and write the results as CSV, one stratum at a time:
/// the same bytes as [`measure_all`] then [`write_results_csv`], without holding the results.
///
/// # Errors
/// The writer fails.
pub fn write_measures_csv<W: Write>(
    strata: &[HeatPlusStratum],
    measures: &[MeasureId],
    options: &Options,
    writer: W,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(RESULT_COLUMNS)?;
    for h in strata {
        for (m, r) in compute_many(&h.stratum, measures, options) {
            write_result(&mut w, &result_of(h, m, r))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Write results as a JSON array of [`MeasureResult`] objects.
///
/// # Errors
/// The writer fails.
pub fn write_results_json<W: Write>(
    results: &[MeasureResult],
    writer: W,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(writer, results)
}

/// The results of every stratum as a JSON array, computed while they are written.
struct Streamed<'a> {
    strata: &'a [HeatPlusStratum],
    measures: &'a [MeasureId],
    options: &'a Options,
}

impl Serialize for Streamed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(None)?;
        for h in self.strata {
            for (m, r) in compute_many(&h.stratum, self.measures, self.options) {
                seq.serialize_element(&result_of(h, m, r))?;
            }
        }
        seq.end()
    }
}

/// Compute `measures` for every stratum and write the results as a JSON array, one stratum at
/// a time: the same bytes as [`measure_all`] then [`write_results_json`], without holding the
/// results.
///
/// # Errors
/// The writer fails.
pub fn write_measures_json<W: Write>(
    strata: &[HeatPlusStratum],
    measures: &[MeasureId],
    options: &Options,
    writer: W,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(
        writer,
        &Streamed {
            strata,
            measures,
            options,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A row as the reader had it before grouping, for the simple grouping below.
    struct OldParsed {
        row: u64,
        key: StratumKey,
        subgroup: Subgroup,
        extras: RowExtras,
        favourable: Option<bool>,
        scale: Option<f64>,
        ordered: Option<bool>,
        setting_average: Option<f64>,
        groupable: bool,
    }

    /// The grouping as it was before issue 12 (finding 7): every row searched its stratum's
    /// subgroups for the same label and for a reference, so a stratum of n subgroups took n²/2
    /// comparisons. Kept as the oracle that [`Groups`] must agree with.
    fn simple_group(
        parsed: Vec<OldParsed>,
        problems: &mut Vec<RowProblem>,
    ) -> Vec<HeatPlusStratum> {
        let mut groups = SimpleGroups::default();
        for p in parsed.into_iter().filter(|p| p.groupable) {
            groups.add(p, problems);
        }
        groups.check_orders(problems);
        groups.out
    }

    /// The strata of [`simple_group`] as the rows come in.
    #[derive(Default)]
    struct SimpleGroups {
        index: BTreeMap<StratumKey, usize>,
        out: Vec<HeatPlusStratum>,
        /// Per stratum: (row, order) of each subgroup, for the order check.
        rows_of: Vec<Vec<(u64, u32)>>,
        /// Per stratum: its first row.
        first_row: Vec<u64>,
        /// The first valid favourable, ordered and scale values of each stratum.
        seen: Vec<(Option<bool>, Option<bool>, Option<f64>)>,
    }

    impl SimpleGroups {
        /// The row's stratum, opened with the row's flags when new.
        fn slot(&mut self, p: &OldParsed) -> usize {
            if let Some(&i) = self.index.get(&p.key) {
                return i;
            }
            self.index.insert(p.key.clone(), self.out.len());
            self.out.push(HeatPlusStratum {
                key: p.key.clone(),
                stratum: Stratum {
                    subgroups: Vec::new(),
                    ordered: p.ordered.unwrap_or(false),
                    favourable: p.favourable.unwrap_or(true),
                    scale: p.scale.unwrap_or(1.0),
                    setting_average: p.setting_average,
                },
                extras: Vec::new(),
            });
            self.rows_of.push(Vec::new());
            self.first_row.push(p.row);
            self.seen.push((None, None, None));
            self.out.len() - 1
        }

        /// One row: checked against its stratum's first values, then its subgroups searched
        /// for the same label and for a reference.
        fn add(&mut self, p: OldParsed, problems: &mut Vec<RowProblem>) {
            let slot = self.slot(&p);
            let (Some(h), Some(rows), Some(&first), Some(seen)) = (
                self.out.get_mut(slot),
                self.rows_of.get_mut(slot),
                self.first_row.get(slot),
                self.seen.get_mut(slot),
            ) else {
                return;
            };
            let s = &mut h.stratum;
            simple_agree(seen, s, &p, first, problems);
            let problem = |column: &str, value: String, message: String| RowProblem {
                row: p.row,
                column: column.to_owned(),
                value,
                message,
            };
            if let Some(dup) = s.subgroups.iter().position(|g| g.label == p.subgroup.label) {
                let dup_row = rows.get(dup).map_or(first, |r| r.0);
                problems.push(problem(
                    "subgroup",
                    p.subgroup.label.clone(),
                    format!("appears twice in the same stratum (also row {dup_row})"),
                ));
            }
            if p.subgroup.reference
                && let Some(other) = s.subgroups.iter().position(|g| g.reference)
            {
                let other_row = rows.get(other).map_or(first, |r| r.0);
                problems.push(problem(
                    "reference_subgroup",
                    "1".to_owned(),
                    format!("a second reference subgroup in the same stratum (row {other_row} is one already)"),
                ));
            }
            rows.push((p.row, p.subgroup.order));
            s.subgroups.push(p.subgroup);
            h.extras.push(p.extras);
        }

        /// Every ordered stratum's orders, sorted, must be 1 to n.
        fn check_orders(&self, problems: &mut Vec<RowProblem>) {
            for (h, rows) in self.out.iter().zip(&self.rows_of) {
                if !h.stratum.ordered {
                    continue;
                }
                let mut orders: Vec<u32> = rows.iter().map(|r| r.1).collect();
                crate::sort::sort_by(&mut orders, u32::cmp);
                let expected = (1..).take(orders.len());
                if !orders.iter().copied().eq(expected) {
                    let (row, _) = rows.first().copied().unwrap_or((0, 0));
                    problems.push(RowProblem {
                        row,
                        column: "subgroup_order".to_owned(),
                        value: orders
                            .iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(","),
                        message: format!(
                            "an ordered dimension needs subgroup_order 1..{} once each (stratum {} / {} / {} / {} / {})",
                            orders.len(),
                            h.key.setting,
                            h.key.date,
                            h.key.source,
                            h.key.indicator_abbr,
                            h.key.dimension
                        ),
                    });
                }
            }
        }
    }

    /// Row `p` against its stratum `s`, whose first row is `first` and whose first valid
    /// favourable, ordered and scale values are `seen`.
    fn simple_agree(
        seen: &mut (Option<bool>, Option<bool>, Option<f64>),
        s: &mut Stratum,
        p: &OldParsed,
        first: u64,
        problems: &mut Vec<RowProblem>,
    ) {
        let differs = |name: &str, here: String, there: String| RowProblem {
            row: p.row,
            column: name.to_owned(),
            value: here,
            message: format!("differs from row {first} of the same stratum ({there})"),
        };
        match (seen.0, p.favourable) {
            (None, Some(v)) => {
                seen.0 = Some(v);
                s.favourable = v;
            }
            (Some(a), Some(b)) if a != b => problems.push(differs(
                "favourable_indicator",
                u8::from(b).to_string(),
                u8::from(a).to_string(),
            )),
            _ => {}
        }
        match (seen.1, p.ordered) {
            (None, Some(v)) => {
                seen.1 = Some(v);
                s.ordered = v;
            }
            (Some(a), Some(b)) if a != b => problems.push(differs(
                "ordered_dimension",
                u8::from(b).to_string(),
                u8::from(a).to_string(),
            )),
            _ => {}
        }
        match (seen.2, p.scale) {
            (None, Some(v)) => {
                seen.2 = Some(v);
                s.scale = v;
            }
            (Some(a), Some(b)) if a != b => {
                problems.push(differs("indicator_scale", b.to_string(), a.to_string()));
            }
            _ => {}
        }
        if s.setting_average != p.setting_average {
            let show = |v: Option<f64>| v.map_or_else(|| "empty".to_owned(), |x| x.to_string());
            problems.push(differs(
                "setting_average",
                show(p.setting_average),
                show(s.setting_average),
            ));
        }
    }

    /// A row of a small random file: stratum, label, favourable, ordered, scale, setting
    /// average (each an index into a few choices, so duplicates and disagreements are common),
    /// order and reference flag.
    type Row = (u8, u8, u8, u8, u8, u8, u8, bool);

    fn rows() -> impl Strategy<Value = Vec<Row>> {
        proptest::collection::vec(
            (
                0u8..3,
                0u8..6,
                0u8..3,
                0u8..3,
                0u8..3,
                0u8..3,
                0u8..7,
                any::<bool>(),
            ),
            0..60,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Issue 12 finding 7: the grouping that checks duplicates, second references and
        /// orders once per stratum gives exactly the strata and problems (messages, rows and
        /// order) of the simple quadratic one.
        #[test]
        fn groups_match_the_simple_quadratic_checks(rows in rows(), gaps in proptest::collection::vec(1u64..3, 60)) {
            let mut row = 1;
            let mut old = Vec::new();
            let mut groups = Groups::default();
            let mut problems = Problems::default();
            for (i, &(stratum, label, fav, ord, scale, avg, order, reference)) in rows.iter().enumerate() {
                row += gaps.get(i).copied().unwrap_or(1);
                let key = ["A", "2024", "s", ["x", "y", "z"][usize::from(stratum)], "Sex"];
                let favourable = [None, Some(true), Some(false)][usize::from(fav)];
                let ordered = [None, Some(true), Some(false)][usize::from(ord)];
                let scale = [None, Some(100.0), Some(1000.0)][usize::from(scale)];
                let setting_average = [None, Some(50.0), Some(60.0)][usize::from(avg)];
                let subgroup = Subgroup {
                    label: format!("g{label}"),
                    estimate: Some(f64::from(label)),
                    se: None,
                    population: Some(10.0),
                    order: u32::from(order),
                    reference,
                };
                let extras = RowExtras { note: format!("row {row}"), ..RowExtras::default() };
                old.push(OldParsed {
                    row,
                    key: StratumKey {
                        setting: key[0].to_owned(),
                        date: key[1].to_owned(),
                        source: key[2].to_owned(),
                        indicator_abbr: key[3].to_owned(),
                        dimension: key[4].to_owned(),
                    },
                    subgroup: subgroup.clone(),
                    extras: extras.clone(),
                    favourable,
                    scale,
                    ordered,
                    setting_average,
                    groupable: true,
                });
                groups.add(
                    Parsed { row, key, subgroup, extras, favourable, scale, ordered, setting_average },
                    &mut problems,
                );
            }
            let mut old_problems = Vec::new();
            let old_strata = simple_group(old, &mut old_problems);
            crate::sort::sort_by_key(&mut old_problems, |p| p.row);
            let strata = groups.finish(&mut problems);
            let new_problems = problems.into_error().map(|e| e.problems).unwrap_or_default();
            prop_assert_eq!(strata, old_strata);
            prop_assert_eq!(new_problems, old_problems);
        }
    }

    #[test]
    fn problems_past_the_limit_are_counted_not_listed() {
        let mut p = Problems::default();
        // Pushed in reverse row order: the ones kept must be the lowest rows.
        for row in (1..=5 * MAX_LISTED_PROBLEMS as u64).rev() {
            p.push(RowProblem {
                row,
                column: "estimate".into(),
                value: "x".into(),
                message: "is not a number".into(),
            });
            assert!(p.list.len() < 2 * MAX_LISTED_PROBLEMS);
        }
        let e = p.into_error().unwrap_or_else(|| unreachable!());
        assert_eq!(e.problems.len(), MAX_LISTED_PROBLEMS);
        assert!(e.problems.iter().zip(1..).all(|(p, row)| p.row == row));
        assert_eq!(e.unlisted, 4 * MAX_LISTED_PROBLEMS as u64);
        let text = e.to_string();
        assert!(text.starts_with("5000 problems in the HEAT Plus file:\n  row 1, column estimate"));
        assert!(text.ends_with("… and 4000 more, not listed: only the first 1000 by row are (a fixed limit); correct these and read the file again"), "{text}");
    }
}
