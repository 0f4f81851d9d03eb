//! `equitas le-gap`: the life-expectancy gap between the most and least deprived, period by
//! period. Reading the rows is `equitas_core::io::legap`, the computation
//! `equitas_core::measures::legap`; this file parses the options and renders the results as a
//! table, CSV or JSON.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use equitas_core::io::fingertips::GroupKey;
use equitas_core::io::legap::analyses;
use equitas_core::measures::intervals::confidence_level;
use equitas_core::measures::legap::{
    Change, Estimate, LeGap, LeGapError, LeGapInput, LeGapOptions, MAX_CAUSES, MAX_PERIOD_YEARS,
    MAX_PERIODS, MAX_YEAR, MIN_YEAR, Target, Trajectory, le_gap,
};
use equitas_core::measures::phe::sii::{MAX_REPETITIONS, MIN_REPETITIONS};
use serde_json::Value;

use crate::args::{DataFormat, Format, number, whole};
use crate::fingertips::{GroupBy, OpenBandArg, group_by, table};
use crate::output::{Output, Record, key_fields, num};
use crate::{Failure, Result};

/// The heading of `equitas le-gap --help`.
pub(crate) const ABOUT: &str = "equitas le-gap: the life-expectancy gap between the most and \
                                least deprived over time: life expectancy per IMD group \
                                (Chiang II), the gap and the SII (Fingertips), the change \
                                against a baseline, the trajectory to a target, and the Arriaga \
                                decomposition by age and cause";

/// `equitas le-gap`.
#[derive(clap::Args, Debug)]
#[command(after_help = format!("\
Per period: life expectancy at birth per group, computed as `equitas lifetable` computes it;
the gap (least deprived minus most deprived) with the interval gap +/- z*sqrt(SE1^2 + SEn^2);
the SII of life expectancy as Fingertips computes it (phe_sii on the groups' life expectancies,
SEs and populations, Monte Carlo limits); the change of the gap and of the SII against the
baseline period (difference +/- z*sqrt(SE^2 + SE0^2), the SII's SE analytic) with the verdict
\"the gap narrowed\" (the whole interval toward no gap), \"the gap widened\" (the whole interval
away from it) or \"no significant change\"; and the Arriaga (1984) decomposition of the gap by
age band and, with a cause column, by cause: the contributions add up to the gap.

A period's time is its mid-year: 2017-19 is 2018, 2019/20 is 2019.5, 2019 is 2019. The target
year is on that scale, so \"by 2028\" is the period centred on 2028.

The trajectory rule (for the gap and for the SII):
  target value    = baseline value x (1 - reduction/100)
  required change = (target value - baseline value) / (target year - baseline mid-year), a year
  trend           = inverse-variance weighted least-squares line through the baseline and later
                    periods (weights 1/SE^2, the SEs taken as known)
  projection      = the trend at the target year, with its interval
  on track        = the projection's upper limit is at or below the target value
  not on track    = the projection's lower limit is above the target value
  cannot tell yet = the interval holds the target, fewer than two periods from the baseline
                    on, or a baseline value not above zero

Rows with the same period, sex, group, band (and cause) are added up, e.g. one row per small
area. With a cause column each row is deaths from one cause, and every cause's rows carry the
same population of the band. At most {MAX_PERIODS} periods (spanning at most {MAX_PERIOD_YEARS} years each, from
{MIN_YEAR} to {MAX_YEAR}) and {MAX_CAUSES} causes per analysis. A blank number always has a reason.

--format csv writes one row per number: the group columns, period, measure (le, gap, sii,
gap_change, sii_change, arriaga, gap_target, gap_required_annual_change,
gap_observed_annual_change, gap_projected and the same for sii), the group, start_age and
cause where they apply, value, se, lower, upper, verdict (of a change or a trajectory) and
reason. --format json writes each analysis whole.

Example:
  equitas le-gap --input seeds/examples/le-gap.csv --baseline 2014-16 --target-year 2028"))]
pub(crate) struct Args {
    /// CSV, or - for standard input: columns period (2017-19, 2019, ...),
    /// decile (1-10) or quintile (1-5) with 1 = most deprived, start_age
    /// (0,1,5,...,85,90), population, deaths; optional cause (deaths by
    /// cause) and sex (one analysis per sex)
    #[arg(
        short,
        long,
        value_name = "FILE",
        required = true,
        verbatim_doc_comment
    )]
    input: Option<PathBuf>,
    /// comma-separated columns that split the analyses further (e.g. area); sex,
    /// when there is such a column, always does
    #[arg(long, value_name = "COLS", value_parser = group_by, default_value = "",
          hide_default_value = true, verbatim_doc_comment)]
    group_by: GroupBy,
    /// the last, open age band: 90 (90+, as Fingertips) or 85 (85+)
    #[arg(long, value_name = "AGE", value_enum, default_value_t = OpenBandArg::Ninety)]
    open_band: OpenBandArg,
    /// the confidence level of every interval, 0.9-0.999999 or 90-99.9999
    #[arg(long, value_name = "C", allow_negative_numbers = true, value_parser = level,
          default_value = "0.95")]
    confidence: f64,
    /// the baseline period's label, as in the input (default: the earliest)
    #[arg(long, value_name = "PERIOD")]
    baseline: Option<String>,
    /// the target's reduction of the baseline gap, a percentage above 0 and below 100
    #[arg(long, value_name = "PERCENT", allow_negative_numbers = true,
          value_parser = reduction, default_value_t = Target::default().reduction)]
    target_reduction: f64,
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true,
          value_parser = whole(MIN_YEAR..=MAX_YEAR), default_value_t = 2028,
          help = format!("the target's year, {MIN_YEAR} to {MAX_YEAR}, on the periods' mid-year \
                          scale"))]
    target_year: u32,
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = whole(MIN_REPETITIONS..=MAX_REPETITIONS),
          default_value_t = LeGapOptions::default().repetitions,
          help = format!("Monte Carlo draws of the SII, from {MIN_REPETITIONS} to {MAX_REPETITIONS}"))]
    repetitions: u32,
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = whole(0..=u64::MAX), default_value_t = LeGapOptions::default().seed,
          help = format!("random seed of the SII, 0 to {}; the same seed gives the same limits",
                         u64::MAX))]
    seed: u64,
    /// output format
    #[arg(long, value_name = "F", value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `--confidence`: one level.
fn level(text: &str) -> std::result::Result<f64, String> {
    confidence_level(number(text)).map_err(|e| e.to_string())
}

/// `--target-reduction`: above 0 and below 100.
fn reduction(text: &str) -> std::result::Result<f64, String> {
    let r = number(text);
    if r > 0.0 && r < 100.0 {
        Ok(r)
    } else {
        Err("a percentage above 0 and below 100".to_owned())
    }
}

/// A core error as the user sees it: the input's name, the analysis, then core's message, and
/// the flag to change where the error is about one.
fn failure(name: &str, key: &GroupKey, e: &LeGapError) -> Failure {
    let flag = match e {
        LeGapError::Baseline { .. } => " (--baseline)",
        LeGapError::TargetYear { .. } => " (--target-year or --baseline)",
        LeGapError::StartAge { .. } => " (--open-band)",
        _ => "",
    };
    Failure::from(format!("{name}: {key}: {e}{flag}"))
}

pub(crate) fn run(a: &Args) -> Result<()> {
    let (t, name) = table(a.input.as_ref())?;
    let (kind, units) =
        analyses(&t, &a.group_by.0).map_err(|e| Failure::from(format!("{name}: {e}")))?;
    if units.is_empty() {
        return Err(failure(
            &name,
            &GroupKey { pairs: Vec::new() },
            &LeGapError::NoRows,
        ));
    }
    let options = LeGapOptions {
        confidence: a.confidence,
        baseline: a.baseline.clone(),
        target: Target {
            reduction: a.target_reduction,
            year: f64::from(a.target_year),
        },
        repetitions: a.repetitions,
        seed: a.seed,
    };
    let mut results = Vec::with_capacity(units.len());
    for unit in units {
        let input = LeGapInput::from_rows(&unit.rows, kind, a.open_band.band())
            .map_err(|e| failure(&name, &unit.key, &e))?;
        let r = le_gap(&input, &options).map_err(|e| failure(&name, &unit.key, &e))?;
        results.push((unit.key, r));
    }
    match a.format {
        Format::Table => {
            let mut text = String::new();
            for (k, (key, r)) in results.iter().enumerate() {
                if k > 0 {
                    text.push('\n');
                }
                text.push_str(&render(key, r));
            }
            crate::out(&text)
        }
        Format::Json => {
            let mut all = Vec::with_capacity(results.len());
            for (key, r) in &results {
                let mut v = serde_json::to_value(r)?;
                if let Value::Object(m) = &mut v {
                    let group: serde_json::Map<String, Value> = key
                        .pairs
                        .iter()
                        .map(|(c, x)| (c.clone(), Value::from(x.clone())))
                        .collect();
                    m.insert("group".into(), Value::Object(group));
                }
                all.push(v);
            }
            let mut out = BufWriter::new(crate::stdout());
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
            out.flush()?;
            Ok(())
        }
        Format::Csv => {
            let mut records = Output::new(DataFormat::Csv);
            for (key, r) in &results {
                for rec in csv_records(key, r) {
                    records.push(&rec)?;
                }
            }
            records.finish()
        }
    }
}

/// One CSV row: the fixed columns after the group columns.
struct Row<'a> {
    period: &'a str,
    measure: String,
    group: Option<u32>,
    start_age: Option<u32>,
    cause: Option<&'a str>,
    value: Option<f64>,
    se: Option<f64>,
    lower: Option<f64>,
    upper: Option<f64>,
    verdict: Option<&'static str>,
    reason: Option<&'a str>,
}

impl<'a> Row<'a> {
    fn new(period: &'a str, measure: impl Into<String>) -> Self {
        Self {
            period,
            measure: measure.into(),
            group: None,
            start_age: None,
            cause: None,
            value: None,
            se: None,
            lower: None,
            upper: None,
            verdict: None,
            reason: None,
        }
    }

    fn estimate(mut self, e: &'a Estimate) -> Self {
        (self.value, self.se, self.lower, self.upper) = (e.value, e.se, e.lower, e.upper);
        self.reason = e.reason.as_deref();
        self
    }

    fn record(self, key: &GroupKey, column: &str) -> Record {
        let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::from(s.to_owned()));
        let mut rec = key_fields(key);
        rec.extend([
            ("period".into(), Value::from(self.period.to_owned())),
            ("measure".into(), Value::from(self.measure)),
            (
                column.to_owned(),
                self.group.map_or(Value::Null, Value::from),
            ),
            (
                "start_age".into(),
                self.start_age.map_or(Value::Null, Value::from),
            ),
            ("cause".into(), text(self.cause)),
            ("value".into(), num(self.value)),
            ("se".into(), num(self.se)),
            ("lower".into(), num(self.lower)),
            ("upper".into(), num(self.upper)),
            ("verdict".into(), text(self.verdict)),
            ("reason".into(), text(self.reason)),
        ]);
        rec
    }
}

/// Every number of one analysis as long-format CSV rows.
fn csv_records(key: &GroupKey, r: &LeGap) -> Vec<Record> {
    let column = r.deprivation.column();
    let mut rows: Vec<Row<'_>> = Vec::new();
    for p in &r.periods {
        let label = p.period.label.as_str();
        for g in &p.groups {
            rows.push(Row {
                group: Some(g.group),
                ..Row::new(label, "le").estimate(&g.le)
            });
        }
        rows.push(Row::new(label, "gap").estimate(&p.gap));
        rows.push(Row::new(label, "sii").estimate(&p.sii));
        for (name, c) in [("gap_change", &p.gap_change), ("sii_change", &p.sii_change)] {
            if let Some(c) = c {
                rows.push(Row {
                    verdict: Some(c.verdict.words()),
                    ..Row::new(label, name).estimate(&c.difference)
                });
            }
        }
        match &p.decomposition {
            Some(d) => {
                for a in &d.by_age {
                    rows.push(Row {
                        start_age: Some(a.start_age),
                        value: Some(a.years),
                        ..Row::new(label, "arriaga")
                    });
                    for (cause, &years) in r.causes.iter().zip(&a.by_cause) {
                        rows.push(Row {
                            start_age: Some(a.start_age),
                            cause: Some(cause),
                            value: Some(years),
                            ..Row::new(label, "arriaga")
                        });
                    }
                }
            }
            None => rows.push(Row {
                reason: p.decomposition_reason.as_deref(),
                ..Row::new(label, "arriaga")
            }),
        }
    }
    for (name, t) in [("gap", &r.gap_trajectory), ("sii", &r.sii_trajectory)] {
        trajectory_rows(&mut rows, name, t, &r.baseline);
    }
    rows.into_iter()
        .map(|row| row.record(key, column))
        .collect()
}

fn trajectory_rows<'a>(rows: &mut Vec<Row<'a>>, name: &str, t: &'a Trajectory, baseline: &'a str) {
    let verdict = Some(t.status.words());
    let reason = t.reason.as_deref();
    rows.push(Row {
        value: t.target,
        reason,
        ..Row::new(baseline, format!("{name}_target"))
    });
    rows.push(Row {
        value: t.required_annual_change,
        reason,
        ..Row::new(baseline, format!("{name}_required_annual_change"))
    });
    rows.push(
        Row::new(baseline, format!("{name}_observed_annual_change"))
            .estimate(&t.observed_annual_change),
    );
    rows.push(Row {
        verdict,
        ..Row::new(baseline, format!("{name}_projected")).estimate(&t.projected)
    });
}

/// A number for the table, or "-" when there is none.
fn fixed(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.decimals$}"))
}

/// "9.87 (9.21 to 10.53)", or "-" and a note number.
fn with_limits(e: &Estimate, decimals: usize, notes: &mut Notes, what: String) -> String {
    match (e.value, e.lower, e.upper) {
        (Some(v), Some(l), Some(u)) => {
            format!("{v:.decimals$} ({l:.decimals$} to {u:.decimals$})")
        }
        (Some(v), _, _) => format!("{v:.decimals$}"),
        _ => notes.add(what, e.reason.as_deref()),
    }
}

/// Why numbers in the table are missing, numbered.
#[derive(Default)]
struct Notes(Vec<String>);

impl Notes {
    /// "- [n]", noting `what` and `reason`.
    fn add(&mut self, what: String, reason: Option<&str>) -> String {
        self.0
            .push(format!("{what}: {}", reason.unwrap_or("not computed")));
        format!("- [{}]", self.0.len())
    }
}

/// Columns padded to their widest cell, the first left-aligned, the rest right-aligned.
fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|k| {
            rows.iter()
                .filter_map(|r| r.get(k))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (k, cell) in r.iter().enumerate() {
            let w = widths.get(k).copied().unwrap_or(0);
            let pad = w.saturating_sub(cell.chars().count());
            if k == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("   ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One analysis as tables for people: life expectancy, the change against the baseline, the
/// trajectory, the Arriaga decomposition, then what was not computed and why.
fn render(key: &GroupKey, r: &LeGap) -> String {
    let column = r.deprivation.column();
    let groups = r.deprivation.groups();
    let percent = (r.confidence * 1e6).round() / 1e4;
    let mut notes = Notes::default();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Life expectancy at birth by IMD {column} (1 = most deprived), {key}\n\
         Chiang II life tables, open band {}+; {percent}% confidence intervals.\n",
        r.open_band
    );
    let mut head = vec![column.to_owned()];
    head.extend(r.periods.iter().map(|p| p.period.label.clone()));
    let mut rows = vec![head];
    for g in 0..groups as usize {
        let mut row = vec![(g + 1).to_string()];
        for p in &r.periods {
            let what = format!("{} {column} {}", p.period.label, g + 1);
            row.push(p.groups.get(g).map_or_else(
                || "-".to_owned(),
                |x| with_limits(&x.le, 2, &mut notes, what),
            ));
        }
        rows.push(row);
    }
    let mut gap_row = vec![format!("gap ({groups} - 1)")];
    let mut sii_row = vec!["SII".to_owned()];
    for p in &r.periods {
        let label = &p.period.label;
        gap_row.push(with_limits(&p.gap, 2, &mut notes, format!("{label} gap")));
        sii_row.push(with_limits(&p.sii, 2, &mut notes, format!("{label} SII")));
    }
    rows.push(gap_row);
    rows.push(sii_row);
    s.push_str(&columns(&rows));

    render_changes(&mut s, r, &mut notes);
    render_trajectories(&mut s, r, &mut notes);
    render_decomposition(&mut s, r, &mut notes);
    if !notes.0.is_empty() {
        s.push_str("\nNot computed:\n");
        for (k, n) in notes.0.iter().enumerate() {
            let _ = writeln!(s, "  [{}] {n}", k + 1);
        }
    }
    s
}

/// Each later period's change of the gap and the SII against the baseline, with verdicts.
fn render_changes(s: &mut String, r: &LeGap, notes: &mut Notes) {
    let later: Vec<_> = r
        .periods
        .iter()
        .filter(|p| p.gap_change.is_some())
        .collect();
    if !later.is_empty() {
        let _ = writeln!(s, "\nChange against the baseline {}:", r.baseline);
        let mut rows = vec![vec![
            "period".to_owned(),
            "gap change (years)".to_owned(),
            String::new(),
            "SII change".to_owned(),
            String::new(),
        ]];
        for p in later {
            let label = &p.period.label;
            let mut row = vec![label.clone()];
            for (name, c) in [("gap", &p.gap_change), ("SII", &p.sii_change)] {
                let (text, verdict) = match c {
                    Some(Change {
                        difference,
                        verdict,
                        ..
                    }) => (
                        with_limits(difference, 2, notes, format!("{label} {name} change")),
                        verdict.words().to_owned(),
                    ),
                    None => ("-".to_owned(), String::new()),
                };
                row.push(text);
                row.push(verdict);
            }
            rows.push(row);
        }
        s.push_str(&columns(&rows));
    }
}

/// The gap's and the SII's trajectories to the target.
fn render_trajectories(s: &mut String, r: &LeGap, notes: &mut Notes) {
    let _ = writeln!(
        s,
        "\nTrajectory to a {}% smaller value by {} from the baseline {} (rule: equitas le-gap --help):",
        r.target.reduction, r.target.year, r.baseline
    );
    let mut rows = vec![vec![
        String::new(),
        "baseline".to_owned(),
        "target".to_owned(),
        "required a year".to_owned(),
        "observed a year".to_owned(),
        format!("projected {}", r.target.year),
        "status".to_owned(),
    ]];
    for (name, t) in [("gap", &r.gap_trajectory), ("SII", &r.sii_trajectory)] {
        let status = match &t.reason {
            Some(reason) => format!("{} ({reason})", t.status.words()),
            None => t.status.words().to_owned(),
        };
        rows.push(vec![
            name.to_owned(),
            fixed(t.baseline, 2),
            fixed(t.target, 2),
            fixed(t.required_annual_change, 3),
            match (
                t.observed_annual_change.value,
                &t.observed_annual_change.lower,
            ) {
                (Some(_), Some(_)) => {
                    with_limits(&t.observed_annual_change, 3, notes, String::new())
                }
                _ => "-".to_owned(),
            },
            match t.projected.value {
                Some(_) => with_limits(&t.projected, 2, notes, String::new()),
                None => "-".to_owned(),
            },
            status,
        ]);
    }
    s.push_str(&columns(&rows));
}

/// The Arriaga decomposition of the gap by age band and, with causes, by cause.
fn render_decomposition(s: &mut String, r: &LeGap, notes: &mut Notes) {
    let _ = writeln!(
        s,
        "\nArriaga decomposition of the gap by age band (years; the bands add up to the gap):"
    );
    let mut head = vec!["age".to_owned()];
    head.extend(r.periods.iter().map(|p| p.period.label.clone()));
    let mut rows = vec![head];
    let ages: Vec<u32> = r
        .periods
        .iter()
        .find_map(|p| p.decomposition.as_ref())
        .map(|d| d.by_age.iter().map(|a| a.start_age).collect())
        .unwrap_or_default();
    for (k, age) in ages.iter().enumerate() {
        let label = match ages.get(k + 1) {
            Some(&next) if next == age + 1 => age.to_string(),
            Some(&next) => format!("{age}-{}", next - 1),
            None => format!("{age}+"),
        };
        let mut row = vec![label];
        for p in &r.periods {
            row.push(
                p.decomposition
                    .as_ref()
                    .and_then(|d| d.by_age.get(k))
                    .map_or_else(|| "-".to_owned(), |a| format!("{:.3}", a.years)),
            );
        }
        rows.push(row);
    }
    let mut total = vec!["total".to_owned()];
    for p in &r.periods {
        total.push(match &p.decomposition {
            Some(d) => format!("{:.3}", d.total),
            None => notes.add(
                format!("{} decomposition", p.period.label),
                p.decomposition_reason.as_deref(),
            ),
        });
    }
    rows.push(total);
    s.push_str(&columns(&rows));
    if !r.causes.is_empty() {
        let _ = writeln!(s, "\nBy cause, all ages (years):");
        let mut head = vec!["cause".to_owned()];
        head.extend(r.periods.iter().map(|p| p.period.label.clone()));
        let mut rows = vec![head];
        for (k, cause) in r.causes.iter().enumerate() {
            let mut row = vec![cause.clone()];
            for p in &r.periods {
                row.push(
                    p.decomposition
                        .as_ref()
                        .and_then(|d| d.by_cause.get(k))
                        .map_or_else(|| "-".to_owned(), |y| format!("{y:.3}")),
                );
            }
            rows.push(row);
        }
        s.push_str(&columns(&rows));
        s.push_str("(Each age band by cause: --format csv or json.)\n");
    }
}
