//! `equitas cohorts --period-by` and `equitas merge` of counts by period: the cohort report per
//! period and each ambition over time, as a table, CSV or JSON (disclosure-controlled).

use std::io::{self, Write};

use equitas_core::cohort::Classifier;
use equitas_core::cohort::over_time::{AmbitionChange, PeriodsReport, over_time};
use equitas_core::cohort::period::PeriodCounts;
use equitas_core::cohort::records::ReadSummary;
use equitas_core::disclosure::Rule;
use equitas_core::io::heat_plus;
use equitas_core::measures::gap::GapEstimate;
use equitas_core::measures::trajectory::Trajectory;

use crate::args::{CsvTable, Format};
use crate::{Failure, Result, render};

/// A number with its interval, to one decimal: `4.0 (1.2 to 6.8)`, or the reason it has none.
fn estimate(e: &GapEstimate) -> String {
    match (e.value, e.lower, e.upper) {
        (Some(v), Some(lo), Some(hi)) => format!("{v:.1} ({lo:.1} to {hi:.1})"),
        _ => format!("- ({})", e.reason.as_deref().unwrap_or("no value")),
    }
}

fn status(t: Option<&Trajectory>, reason: Option<&str>) -> String {
    match t {
        Some(t) => match &t.reason {
            Some(why) => format!("{} ({why})", t.status.words()),
            None => format!(
                "{}: projected {}% against {}",
                t.status.words(),
                estimate(&t.projected),
                t.target
                    .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}%"))
            ),
        },
        None => format!("none ({})", reason.unwrap_or("no target")),
    }
}

/// The table of each ambition's change over time.
fn changes_table(w: &mut impl Write, rep: &PeriodsReport) -> io::Result<()> {
    let (Some(base), Some(last)) = (&rep.baseline, &rep.latest) else {
        writeln!(
            w,
            "\nOne period only: changes, trends and trajectories need two or more."
        )?;
        return Ok(());
    };
    writeln!(
        w,
        "\nAmbitions over time: {base} (baseline) to {last}, {} periods; rates in %, changes and \
         gaps (rest minus Core20) in percentage points, 95% intervals",
        rep.periods.len()
    )?;
    for c in &rep.changes {
        writeln!(w, "  {} ({})", c.metric, c.label)?;
        writeln!(
            w,
            "    rate:       {} -> {}; change {}: {}",
            estimate(&c.change.baseline),
            estimate(&c.change.latest),
            estimate(&c.change.difference),
            c.change.direction.words()
        )?;
        writeln!(
            w,
            "    trend:      {} ({})",
            c.trend.words(),
            c.trend.reason
        )?;
        writeln!(
            w,
            "    gap:        {} -> {}; change {}: {}",
            estimate(&c.gap_baseline),
            estimate(&c.gap_latest),
            estimate(&c.gap_change.difference),
            c.gap_change.verdict.words()
        )?;
        let target = match (c.target, &c.target_by) {
            (Some(t), Some(by)) => format!(
                "at least {:.1}% by {by}{}",
                t * 100.0,
                if c.target_is_local { " (local)" } else { "" }
            ),
            (Some(t), None) => format!("at least {:.1}%, no date", t * 100.0),
            _ => "no target".to_owned(),
        };
        writeln!(w, "    target:     {target}")?;
        writeln!(
            w,
            "    status:     everyone {}",
            status(c.status.as_ref(), c.status_reason.as_deref())
        )?;
        writeln!(
            w,
            "                Core20 {}",
            status(c.core20_status.as_ref(), c.status_reason.as_deref())
        )?;
    }
    Ok(())
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.6}"))
}

/// The changes as CSV, one row per metric.
fn changes_csv(w: &mut impl Write, rep: &PeriodsReport, changes: &[AmbitionChange]) -> Result<()> {
    let mut row = |fields: &[&str]| -> io::Result<()> {
        let line: Vec<String> = fields.iter().map(|f| render::field(f)).collect();
        writeln!(w, "{}", line.join(","))
    };
    row(&[
        "metric",
        "label",
        "baseline_period",
        "latest_period",
        "baseline_pct",
        "latest_pct",
        "change_pp",
        "change_lower",
        "change_upper",
        "direction",
        "trend_marker",
        "trend_reason",
        "gap_baseline_pp",
        "gap_latest_pp",
        "gap_change_pp",
        "gap_change_lower",
        "gap_change_upper",
        "gap_verdict",
        "target_pct",
        "target_by",
        "status",
        "projected_pct",
        "projected_lower",
        "projected_upper",
        "core20_status",
        "note",
    ])?;
    let base = rep.baseline.clone().unwrap_or_default();
    let last = rep.latest.clone().unwrap_or_default();
    for c in changes {
        let st = c.status.as_ref();
        let note = c
            .withheld
            .clone()
            .or_else(|| c.status_reason.clone())
            .or_else(|| st.and_then(|t| t.reason.clone()))
            .unwrap_or_default();
        let fields = [
            c.metric.clone(),
            c.label.clone(),
            base.clone(),
            last.clone(),
            cell(c.change.baseline.value),
            cell(c.change.latest.value),
            cell(c.change.difference.value),
            cell(c.change.difference.lower),
            cell(c.change.difference.upper),
            c.change.direction.words().to_owned(),
            c.trend.words(),
            c.trend.reason.clone(),
            cell(c.gap_baseline.value),
            cell(c.gap_latest.value),
            cell(c.gap_change.difference.value),
            cell(c.gap_change.difference.lower),
            cell(c.gap_change.difference.upper),
            c.gap_change.verdict.words().to_owned(),
            cell(c.target.map(|t| t * 100.0)),
            c.target_by.clone().unwrap_or_default(),
            st.map_or_else(String::new, |t| t.status.words().to_owned()),
            cell(st.and_then(|t| t.projected.value)),
            cell(st.and_then(|t| t.projected.lower)),
            cell(st.and_then(|t| t.projected.upper)),
            c.core20_status
                .as_ref()
                .map_or_else(String::new, |t| t.status.words().to_owned()),
            note,
        ];
        row(&fields.iter().map(String::as_str).collect::<Vec<_>>())?;
    }
    Ok(())
}

/// `rows` (CSV, a header first) with a `period` column in front; the header only when `head`.
/// Read and written as CSV, so a quoted field with a line break in it (a local metric's label)
/// stays one field of one record.
fn with_period(w: &mut impl Write, period: &str, rows: &[u8], head: bool) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(rows);
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(w);
    for (i, record) in reader.byte_records().enumerate() {
        let record = record.map_err(|e| Failure::from(format!("period {period}: {e}")))?;
        if i == 0 && !head {
            continue;
        }
        let first: &[u8] = if i == 0 { b"period" } else { period.as_bytes() };
        out.write_record(std::iter::once(first).chain(record.iter()))
            .map_err(|e| Failure::from(format!("period {period}: {e}")))?;
    }
    out.flush()?;
    Ok(())
}

/// What to write: the format, the CSV table and the disclosure rule of exports.
pub(crate) struct How {
    pub(crate) format: Format,
    pub(crate) csv_table: CsvTable,
    pub(crate) rule: Rule,
}

/// The report of `counts` by period in the format asked for.
pub(crate) fn output(
    w: &mut impl Write,
    classifier: &Classifier<'_>,
    counts: &PeriodCounts,
    summary: &ReadSummary,
    source: &str,
    how: &How,
) -> Result<()> {
    let (format, csv_table, rule) = (how.format, how.csv_table, how.rule);
    let rep = over_time(counts, classifier);
    let scheme = rep.period_by.map_or("none", |s| s.id());
    match format {
        Format::Table => {
            for p in &rep.periods {
                let people = p.report.total.people;
                let part = ReadSummary {
                    rows: people,
                    counted: people,
                    ..ReadSummary::default()
                };
                writeln!(w, "\n=== Period {} (--period-by {scheme}) ===", p.period)?;
                render::table(
                    w,
                    &p.report,
                    &part,
                    &format!("{source}, period {}", p.period),
                )?;
            }
            changes_table(w, &rep)?;
            writeln!(
                w,
                "\nRecords: {} read, {} counted, {} not counted (problems), {} with unknown area codes",
                summary.rows, summary.counted, summary.rejected, summary.unknown_areas
            )?;
            render::problems(w, summary)?;
        }
        Format::Csv => {
            let protected = rep.protect(rule);
            for (i, (p, prot)) in rep.periods.iter().zip(&protected).enumerate() {
                let mut buf = Vec::new();
                match csv_table {
                    CsvTable::Changes => break,
                    CsvTable::Counts => {
                        if let Rule::Below(n) = rule {
                            return Err(Failure::from(format!(
                                "--csv-table counts with --suppress below:{n}: the full cross-classification has margins in seven dimensions, which suppression without rounding cannot protect; use --suppress nhs-digital (counts rounded to the nearest 5), --csv-table breakdowns, or --suppress none"
                            )));
                        }
                        let (_, c) = counts.periods().nth(i).ok_or_else(|| {
                            Failure::from(format!("period {} has no counts", p.period))
                        })?;
                        render::csv(&mut buf, c, rule)?;
                    }
                    CsvTable::Ambitions => {
                        render::ambitions_csv(&mut buf, &p.report.ambitions, Some(prot))?;
                    }
                    CsvTable::Breakdowns => {
                        render::breakdowns_csv(&mut buf, &p.report, Some(prot))?
                    }
                    CsvTable::HeatPlus => {
                        // The date column is the period: a HEAT Plus file of several dates is a
                        // time series (`equitas measures --over-time`).
                        let source = format!("{source}; disclosure control: {}", rule.id());
                        let strata =
                            heat_plus::from_report(&p.report, Some(prot), &p.period, &source);
                        heat_plus::write(&strata, &mut buf)?;
                        w.write_all(if i == 0 {
                            &buf
                        } else {
                            buf.split_inclusive(|b| *b == b'\n')
                                .next()
                                .map_or(&buf[..0], |h| &buf[h.len()..])
                        })?;
                        continue;
                    }
                }
                with_period(w, &p.period, &buf, i == 0)?;
            }
            if csv_table == CsvTable::Changes {
                changes_csv(w, &rep, &rep.published_changes(&protected))?;
            }
        }
        Format::Json => {
            let protected = rep.protect(rule);
            let periods: Vec<serde_json::Value> = rep
                .periods
                .iter()
                .zip(&protected)
                .zip(counts.periods())
                .map(|((p, prot), (_, c))| {
                    let rows = if matches!(rule, Rule::Below(_)) {
                        serde_json::json!(
                            "left out: the full cross-classification has margins in seven dimensions, which suppression without rounding cannot protect; use --suppress nhs-digital or --suppress none"
                        )
                    } else {
                        serde_json::to_value(render::count_rows(c, rule)).unwrap_or_default()
                    };
                    serde_json::json!({
                        "period": p.period,
                        "report": prot.report_json(&p.report),
                        "counts": rows,
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "source": source,
                "disclosure": {"rule": rule.id(), "description": rule.describe()},
                "period_by": rep.period_by,
                "baseline": rep.baseline,
                "latest": rep.latest,
                "periods": periods,
                "changes": rep.published_changes(&protected),
                "read": summary,
            });
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            writeln!(w)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::with_period;

    /// A field with a line break stays whole: the period goes in front of each record, not of
    /// each line (written line by line, the break's second half became a record of its own).
    #[test]
    fn a_quoted_line_break_stays_in_its_field() {
        let rows = b"metric,label,n\nm1,\"two\nlines\",5\nm2,plain,7\n";
        let mut out = Vec::new();
        assert!(with_period(&mut out, "2024/25", rows, true).is_ok());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "period,metric,label,n\n2024/25,m1,\"two\nlines\",5\n2024/25,m2,plain,7\n"
        );
        let mut rest = Vec::new();
        assert!(with_period(&mut rest, "2025/26", rows, false).is_ok());
        assert!(String::from_utf8(rest).unwrap().starts_with("2025/26,m1,"));
    }
}
