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
//! reported at once, each with its row (as a spreadsheet numbers it: the header is row 1),
//! column and value.
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

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::cohort::AmbitionRow;
use crate::measures::{MeasureId, Options, Stratum, Subgroup, compute_many};

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
    rows.iter()
        .map(|row| {
            let mut subgroups = Vec::with_capacity(5);
            let mut extras = Vec::with_capacity(5);
            for (order, q) in (1u32..).zip(&row.by_quintile) {
                #[allow(clippy::cast_precision_loss, reason = "people counts far below 2^52")]
                let n = q.denominator as f64;
                let se = q.rate.map(|p| 100.0 * (p * (1.0 - p) / n).sqrt());
                subgroups.push(Subgroup {
                    label: match order {
                        1 => "Quintile 1 (most deprived)".to_owned(),
                        5 => "Quintile 5 (least deprived)".to_owned(),
                        _ => format!("Quintile {order}"),
                    },
                    estimate: q.rate.map(|p| 100.0 * p),
                    se,
                    population: Some(n),
                    order,
                    reference: false,
                });
                extras.push(RowExtras {
                    indicator_name: row.label.clone(),
                    ci_lb: q.lower.map(|v| 100.0 * v),
                    ci_ub: q.upper.map(|v| 100.0 * v),
                    note: format!(
                        "{} of {} people (clinical area {})",
                        q.numerator, q.denominator, row.area
                    ),
                    iso3: "GBR".to_owned(),
                });
            }
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
                    setting_average: row.overall.rate.map(|p| 100.0 * p),
                },
                extras,
            }
        })
        .collect()
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
    /// The other columns, one per subgroup, aligned with `stratum.subgroups`.
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

/// Every problem found in a HEAT Plus file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem{} in the HEAT Plus file:\n{}", .problems.len(), if .problems.len() == 1 { "" } else { "s" }, list(.problems))]
pub struct HeatPlusError {
    /// The problems, in row order.
    pub problems: Vec<RowProblem>,
}

fn list(problems: &[RowProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A parsed row before grouping.
struct Parsed {
    row: u64,
    key: StratumKey,
    subgroup: Subgroup,
    extras: RowExtras,
    /// `None` when the cell was invalid (already reported), so consistency checks skip it.
    favourable: Option<bool>,
    scale: Option<f64>,
    ordered: Option<bool>,
    setting_average: Option<f64>,
    /// Whether the row's key and order are valid, so it can take part in stratum checks.
    groupable: bool,
}

/// Collects problems while parsing a row.
struct Cells<'a> {
    record: &'a csv::StringRecord,
    columns: &'a [(&'static str, usize)],
    row: u64,
    problems: &'a mut Vec<RowProblem>,
}

impl Cells<'_> {
    fn text(&self, column: &str) -> &str {
        self.columns
            .iter()
            .find(|(c, _)| *c == column)
            .and_then(|&(_, i)| self.record.get(i))
            .map_or("", str::trim)
    }
    fn problem(&mut self, column: &str, message: impl Into<String>) {
        let value = self.text(column).to_owned();
        self.problems.push(RowProblem {
            row: self.row,
            column: column.to_owned(),
            value,
            message: message.into(),
        });
    }
    fn required_text(&mut self, column: &str) -> String {
        let v = self.text(column).to_owned();
        if v.is_empty() {
            self.problem(column, "is empty but required");
        }
        v
    }
    /// An optional number: empty or `NA` is missing.
    fn number(&mut self, column: &str, non_negative: bool) -> Option<f64> {
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
    fn flag(&mut self, column: &str) -> Option<bool> {
        match self.text(column) {
            "1" => Some(true),
            "0" => Some(false),
            _ => {
                self.problem(column, "must be 0 or 1");
                None
            }
        }
    }
}

/// Read a HEAT Plus CSV into strata.
///
/// # Errors
/// Every problem in the file (missing columns, bad values, inconsistent strata), each with its
/// row, column and value.
pub fn read<R: Read>(reader: R) -> Result<Vec<HeatPlusStratum>, HeatPlusError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let mut problems = Vec::new();
    let fail = |problems: Vec<RowProblem>| Err(HeatPlusError { problems });
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return fail(vec![RowProblem {
                row: 1,
                column: String::new(),
                value: String::new(),
                message: format!("cannot read the header: {e}"),
            }]);
        }
    };
    // The template's columns found, with their positions: a short list, looked up by name. (A
    // `HashMap`, here or in `group`, would bring its hasher and random keys into the wasm build
    // for nothing.)
    let mut columns: Vec<(&'static str, usize)> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}');
        if let Some(c) = COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name))
            && !columns.iter().any(|(seen, _)| seen == c)
        {
            columns.push((c, i));
        }
    }
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|c| !columns.iter().any(|(seen, _)| seen == c))
        .collect();
    if !missing.is_empty() {
        return fail(
            missing
                .into_iter()
                .map(|c| RowProblem {
                    row: 1,
                    column: c.to_owned(),
                    value: String::new(),
                    message: "required column is missing from the header".to_owned(),
                })
                .collect(),
        );
    }
    let mut parsed = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut row: u64 = 1;
    loop {
        row += 1;
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(RowProblem {
                    row,
                    column: String::new(),
                    value: String::new(),
                    message: format!("cannot read the row: {e}"),
                });
                continue;
            }
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let before = problems.len();
        let mut cells = Cells {
            record: &record,
            columns: &columns,
            row,
            problems: &mut problems,
        };
        let key = StratumKey {
            setting: cells.required_text("setting"),
            date: cells.required_text("date"),
            source: cells.required_text("source"),
            indicator_abbr: cells.required_text("indicator_abbr"),
            dimension: cells.required_text("dimension"),
        };
        let label = cells.required_text("subgroup");
        let key_ok = cells.problems.len() == before;
        let estimate = cells.number("estimate", false);
        let se = cells.number("se", true);
        let population = cells.number("population", true);
        let ci_lb = cells.number("ci_lb", false);
        let ci_ub = cells.number("ci_ub", false);
        let setting_average = cells.number("setting_average", false);
        let favourable = cells.flag("favourable_indicator");
        let ordered = cells.flag("ordered_dimension");
        let reference = cells.flag("reference_subgroup").unwrap_or(false);
        let scale = match cells.number("indicator_scale", false) {
            Some(s) if s > 0.0 => Some(s),
            Some(_) => {
                cells.problem("indicator_scale", "must be a positive number");
                None
            }
            None => {
                if cells.text("indicator_scale").is_empty() {
                    cells.problem("indicator_scale", "is empty but required");
                }
                None
            }
        };
        let order = cells.text("subgroup_order").parse::<u32>().ok();
        if order.is_none() {
            cells.problem("subgroup_order", "must be a whole number 0 or more");
        }
        let extras = RowExtras {
            indicator_name: cells.text("indicator_name").to_owned(),
            ci_lb,
            ci_ub,
            note: cells.text("note").to_owned(),
            iso3: cells.text("iso3").to_owned(),
        };
        parsed.push(Parsed {
            row,
            key,
            subgroup: Subgroup {
                label,
                estimate,
                se,
                population,
                order: order.unwrap_or(0),
                reference,
            },
            extras,
            favourable,
            scale,
            ordered,
            setting_average,
            groupable: key_ok && order.is_some(),
        });
    }
    let strata = group(parsed, &mut problems);
    if problems.is_empty() {
        Ok(strata)
    } else {
        crate::sort::sort_by_key(&mut problems, |p| p.row);
        fail(problems)
    }
}

/// Group rows into strata in first-appearance order, checking each stratum's consistency.
fn group(parsed: Vec<Parsed>, problems: &mut Vec<RowProblem>) -> Vec<HeatPlusStratum> {
    let mut index: BTreeMap<StratumKey, usize> = BTreeMap::new();
    let mut out: Vec<HeatPlusStratum> = Vec::new();
    // Per stratum: first row, rows, and (row, order) for the order check.
    let mut rows_of: Vec<Vec<(u64, u32)>> = Vec::new();
    let mut first_row: Vec<u64> = Vec::new();
    // The first valid favourable, ordered and scale values of each stratum.
    let mut seen: Vec<(Option<bool>, Option<bool>, Option<f64>)> = Vec::new();
    for p in parsed.into_iter().filter(|p| p.groupable) {
        let problem = |column: &str, value: String, message: String| RowProblem {
            row: p.row,
            column: column.to_owned(),
            value,
            message,
        };
        let slot = match index.get(&p.key) {
            Some(&i) => i,
            None => {
                index.insert(p.key.clone(), out.len());
                out.push(HeatPlusStratum {
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
                rows_of.push(Vec::new());
                first_row.push(p.row);
                seen.push((None, None, None));
                out.len() - 1
            }
        };
        let (Some(h), Some(rows), Some(&first), Some(seen)) = (
            out.get_mut(slot),
            rows_of.get_mut(slot),
            first_row.get(slot),
            seen.get_mut(slot),
        ) else {
            continue;
        };
        let s = &mut h.stratum;
        let differs = |name: &str, here: String, there: String| {
            problem(
                name,
                here,
                format!("differs from row {first} of the same stratum ({there})"),
            )
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
    for (h, rows) in out.iter().zip(&rows_of) {
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
    out
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

/// Compute `measures` for every stratum, one result per stratum × measure.
#[must_use]
pub fn measure_all(
    strata: &[HeatPlusStratum],
    measures: &[MeasureId],
    options: &Options,
) -> Vec<MeasureResult> {
    let mut out = Vec::with_capacity(strata.len() * measures.len());
    for h in strata {
        for (m, r) in compute_many(&h.stratum, measures, options) {
            let (estimate, se, ci_lb, ci_ub, reason) = match r {
                Ok(e) => (Some(e.value), e.se, e.lower, e.upper, None),
                Err(e) => (None, None, None, None, Some(e.to_string())),
            };
            out.push(MeasureResult {
                setting: h.key.setting.clone(),
                date: h.key.date.clone(),
                source: h.key.source.clone(),
                indicator_abbr: h.key.indicator_abbr.clone(),
                dimension: h.key.dimension.clone(),
                measure: m,
                estimate,
                se,
                ci_lb,
                ci_ub,
                reason,
            });
        }
    }
    out
}

/// Write results as CSV with the columns of [`MeasureResult`].
///
/// # Errors
/// The writer fails.
pub fn write_results_csv<W: Write>(results: &[MeasureResult], writer: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(writer);
    w.write_record([
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
    ])?;
    for r in results {
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
        ])?;
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
