//! Rendering core results as text: a report table for people, long CSV for tools.

use std::io::{self, Write};

use equitas_core::cohort::records::ReadSummary;
use equitas_core::cohort::{
    AmbitionRow, CohortCounts, CohortLine, CohortReport, CountRow, ProtectedReport, RateEstimate,
};
use equitas_core::disclosure::{Rule, Shown};
use serde::Serialize;

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

fn rate(r: &RateEstimate) -> String {
    match (r.rate, r.lower, r.upper) {
        (Some(v), Some(lo), Some(hi)) => format!(
            "{:.1}% ({:.1}-{:.1}) n={}",
            v * 100.0,
            lo * 100.0,
            hi * 100.0,
            r.denominator
        ),
        _ => "no one in denominator".to_owned(),
    }
}

fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn cohort_lines(w: &mut impl Write, title: &str, lines: &[CohortLine]) -> io::Result<()> {
    writeln!(w, "\n{title}")?;
    writeln!(
        w,
        "  {:<32} {:>10} {:>10} {:>8}   {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "cohort", "people", "Core20", "Core20%", "Q1", "Q2", "Q3", "Q4", "Q5", "unknown"
    )?;
    for l in lines {
        writeln!(
            w,
            "  {:<32} {:>10} {:>10} {:>8}   {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            l.id,
            group_digits(l.people),
            group_digits(l.core20),
            pct(l.core20_share),
            group_digits(l.by_quintile[0]),
            group_digits(l.by_quintile[1]),
            group_digits(l.by_quintile[2]),
            group_digits(l.by_quintile[3]),
            group_digits(l.by_quintile[4]),
            group_digits(l.by_quintile[5])
        )?;
    }
    Ok(())
}

/// The human-readable report.
pub fn table(
    w: &mut impl Write,
    rep: &CohortReport,
    summary: &ReadSummary,
    source: &str,
) -> io::Result<()> {
    writeln!(w, "equitas Core20PLUS5 cohort report")?;
    writeln!(w, "  source:      {source}")?;
    writeln!(
        w,
        "  definition:  {} v{}; Core20 = national IMD deciles 1-2 of {}",
        rep.definition, rep.definition_version, rep.imd_edition
    )?;
    writeln!(
        w,
        "  rows:        {} read, {} counted, {} not counted (problems), {} with unknown area codes",
        group_digits(summary.rows),
        group_digits(summary.counted),
        group_digits(summary.rejected),
        group_digits(summary.unknown_areas)
    )?;
    if !rep.provenance.is_empty() {
        writeln!(w, "  changes from the built-in catalogue and definitions:")?;
        for p in &rep.provenance {
            writeln!(w, "    {} {}: {}", p.kind, p.id, p.change)?;
        }
    }
    let t = &rep.total;
    writeln!(
        w,
        "  Core20:      {} of {} people with known deprivation ({})",
        group_digits(t.core20),
        group_digits(t.by_quintile[..5].iter().sum()),
        pct(t.core20_share)
    )?;
    cohort_lines(
        w,
        "Clinical areas (adult and CYP) and the smoking cessation thread",
        &rep.areas,
    )?;
    cohort_lines(w, "PLUS groups of this definition", &rep.plus_groups)?;

    for b in &rep.breakdowns {
        breakdown(w, b)?;
    }

    writeln!(
        w,
        "\nAmbitions: rate with Wilson 95% interval; gap = rest minus Core20, percentage points"
    )?;
    for a in &rep.ambitions {
        ambition(w, a)?;
    }

    if let Some(b) = &rep.bridging {
        writeln!(
            w,
            "\nAreas bridged from {} LSOAs to the IMD file's (ONS best-fit lookup): people per rule",
            b.from
        )?;
        for l in b.rules.iter().filter(|l| l.people > 0) {
            writeln!(
                w,
                "  {:<24} {:>10}  {}",
                l.rule,
                group_digits(l.people),
                l.description
            )?;
        }
    }

    writeln!(
        w,
        "\nMissing information (people counted, with the part that is unknown)"
    )?;
    for (m, n) in &rep.missing {
        writeln!(w, "  {:<22} {:>10}", m.id(), group_digits(*n))?;
    }
    problems(w, summary)
}

/// One breakdown's cells and margins: people, the Core20 share, and the rate of every metric
/// with a target (with its denominator), cells with no one left out.
fn breakdown(w: &mut impl Write, b: &equitas_core::cohort::BreakdownReport) -> io::Result<()> {
    let dims: Vec<&str> = b.dimensions.iter().map(|d| d.label.as_str()).collect();
    writeln!(
        w,
        "\nBy {} ({}): people, Core20 share, and each metric with a target (rate, n)",
        dims.join(" x "),
        b.id
    )?;
    let targeted: Vec<usize> = (0..b.metrics.len())
        .filter(|&k| b.metrics[k].target.is_some())
        .collect();
    write!(w, "  {:<40} {:>10} {:>8}", "cell", "people", "Core20%")?;
    for &k in &targeted {
        write!(w, "  {:>22}", b.metrics[k].id)?;
    }
    writeln!(w)?;
    for c in b.cells.iter().filter(|c| c.people > 0 || c.margin) {
        let key = c.key.join(" / ");
        write!(
            w,
            "  {:<40} {:>10} {:>8}",
            key,
            group_digits(c.people),
            pct(c.core20.rate)
        )?;
        for &k in &targeted {
            let e = &c.metrics[k].estimate;
            let text = match e.rate {
                Some(r) => format!("{:.1}% (n={})", r * 100.0, e.denominator),
                None => "-".to_owned(),
            };
            write!(w, "  {text:>22}")?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// One ambition's lines of the report table: its target, rates and gap.
fn ambition(w: &mut impl Write, a: &AmbitionRow) -> io::Result<()> {
    let target = a.target.map_or_else(
        || "no national target".to_owned(),
        |t| {
            format!(
                "target {:.0}%{}{}",
                t * 100.0,
                a.target_by
                    .as_deref()
                    .map_or(String::new(), |b| format!(" by {b}")),
                match (a.target_is_local, a.target_status) {
                    (true, _) => " (local target)",
                    (false, Some(equitas_core::catalogue::Status::Unconfirmed)) => " (unconfirmed)",
                    _ => "",
                }
            )
        },
    );
    writeln!(w, "  {} [{}] - {}", a.label, a.metric, target)?;
    if let Some(p) = a.expected_prevalence {
        writeln!(
            w,
            "    observed / expected: rates are people on the register / ({:.1}% of people in the age range)",
            p * 100.0
        )?;
    }
    writeln!(w, "    Core20   {}", rate(&a.core20))?;
    writeln!(w, "    rest     {}", rate(&a.rest))?;
    writeln!(w, "    overall  {}", rate(&a.overall))?;
    let gap = a
        .gap_pp
        .map_or_else(|| "-".to_owned(), |g| format!("{g:+.1} pp"));
    let met = |m: Option<bool>| match m {
        Some(true) => "met",
        Some(false) => "not met",
        None => "no rate",
    };
    if a.target.is_some() {
        writeln!(
            w,
            "    gap {gap}; target {} for Core20, {} overall",
            met(a.core20_meets_target),
            met(a.overall_meets_target)
        )?;
    } else {
        writeln!(w, "    gap {gap}")?;
    }
    Ok(())
}

/// The rows not counted and the unknown area codes, when there are any.
pub(crate) fn problems(w: &mut impl Write, summary: &ReadSummary) -> io::Result<()> {
    if !summary.problems.is_empty() {
        writeln!(
            w,
            "\nRows not counted (first {} of {})",
            summary.problems.len(),
            summary.rejected
        )?;
        for p in &summary.problems {
            writeln!(w, "  {p}")?;
        }
    }
    if !summary.unknown_area_examples.is_empty() {
        writeln!(
            w,
            "\nUnknown area codes, counted with deprivation unknown (first {} of {})",
            summary.unknown_area_examples.len(),
            summary.unknown_areas
        )?;
        for p in &summary.unknown_area_examples {
            writeln!(w, "  {p}")?;
        }
    }
    Ok(())
}

/// A count of the full cross-classification as published.
#[derive(Serialize)]
pub struct PublishedRow {
    #[serde(flatten)]
    row: CountRow,
    /// What the people column shows: `shown`, `rounded` or why it is suppressed.
    status: String,
}

/// The full cross-classification's non-zero cells as published under `rule`: each count on its
/// own (small ones suppressed; the rest rounded under a rounding rule, whose rounding protects
/// the margins). Suppressed counts are 0 in `people`, with the reason in `status`.
pub fn count_rows(counts: &CohortCounts, rule: Rule) -> Vec<PublishedRow> {
    counts
        .rows()
        .map(|mut row| {
            let status = if rule.is_small(row.people) {
                row.people = 0;
                equitas_core::disclosure::Reason::Small.describe(rule)
            } else if rule.rounds() {
                row.people = rule.shown(row.people);
                "rounded".to_owned()
            } else {
                "shown".to_owned()
            };
            PublishedRow { row, status }
        })
        .collect()
}

/// Long-format counts: one row per non-zero cell, as published under `rule` (a suppressed
/// count is empty, with the reason in `status`); the last column names the rule.
pub fn csv(w: &mut impl Write, counts: &CohortCounts, rule: Rule) -> io::Result<()> {
    writeln!(
        w,
        "core20,imd_quintile,ethnic_group,sex,age_band,area,plus_group,people,status,disclosure"
    )?;
    for p in count_rows(counts, rule) {
        let r = &p.row;
        let people = if p.status.starts_with("suppressed") {
            String::new()
        } else {
            r.people.to_string()
        };
        writeln!(
            w,
            "{},{},{},{},{},{},{},{people},{},{}",
            r.core20,
            r.imd_quintile,
            r.ethnic_group,
            r.sex,
            r.age_band,
            r.area,
            r.plus_group,
            p.status,
            rule.id()
        )?;
    }
    Ok(())
}

/// A CSV field: quoted when it holds a comma, quote or line break.
pub(crate) fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A published count as a CSV field and its status.
fn shown(s: Shown, rule: Rule) -> (String, String) {
    match s {
        Shown::Value(v) => (
            v.to_string(),
            if rule.rounds() { "rounded" } else { "shown" }.to_owned(),
        ),
        Shown::Suppressed(r) => (String::new(), r.describe(rule)),
    }
}

/// Every breakdown's cells and margins, one row per count (`people`, `core20`, `known`,
/// `area:ID`, `plus:ID`, `metric:ID:numerator|denominator`) and one per metric rate, as
/// published: a suppressed count is empty with its reason in `status`, and so is a rate made
/// from one. The last column names the disclosure rule.
pub fn breakdowns_csv(
    w: &mut impl Write,
    rep: &CohortReport,
    protected: Option<&ProtectedReport>,
) -> io::Result<()> {
    let rule = protected.map_or(Rule::None, ProtectedReport::rule);
    writeln!(
        w,
        "breakdown,dimension_1,value_1,dimension_2,value_2,count,value,lower,upper,status,disclosure"
    )?;
    for b in &rep.breakdowns {
        let names = ProtectedReport::cell_names(b);
        let n = 3 + b.areas.len() + b.plus_groups.len();
        for c in &b.cells {
            let s: Vec<Shown> = protected.map_or_else(
                || {
                    let mut v = vec![c.people, c.core20.numerator, c.core20.denominator];
                    v.extend(&c.areas);
                    v.extend(&c.plus_groups);
                    for m in &c.metrics {
                        v.extend([m.estimate.denominator, m.estimate.numerator]);
                    }
                    v.into_iter().map(Shown::Value).collect()
                },
                |p| p.cell(b, c),
            );
            let dim = |i: usize| {
                (
                    b.dimensions.get(i).map_or("", |d| d.id.as_str()),
                    c.key.get(i).map_or("", String::as_str),
                )
            };
            let ((d1, v1), (d2, v2)) = (dim(0), dim(1));
            let head = format!(
                "{},{},{},{},{}",
                field(&b.id),
                field(d1),
                field(v1),
                field(d2),
                field(v2)
            );
            for (name, s) in names.iter().zip(&s) {
                let (value, status) = shown(*s, rule);
                writeln!(w, "{head},{},{value},,,{status},{}", field(name), rule.id())?;
            }
            for (k, m) in b.metrics.iter().enumerate() {
                let (den, num) = (s[n + 2 * k], s[n + 2 * k + 1]);
                let e = &c.metrics[k].estimate;
                let (value, lower, upper, status) = if den.is_suppressed() || num.is_suppressed() {
                    (
                        String::new(),
                        String::new(),
                        String::new(),
                        "suppressed: made from a suppressed count".to_owned(),
                    )
                } else {
                    (
                        opt(e.rate),
                        opt(e.lower),
                        opt(e.upper),
                        "exact counts".to_owned(),
                    )
                };
                writeln!(
                    w,
                    "{head},{},{value},{lower},{upper},{status},{}",
                    field(&format!("metric:{}:rate", m.id)),
                    rule.id()
                )?;
            }
        }
    }
    Ok(())
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.6}"))
}

/// The ambition table: one row per metric, rates and Wilson 95% limits as proportions, as
/// published under `protected`'s rule: a suppressed numerator or denominator is empty, and so
/// are the rate and limits made from it; `suppressed` lists them with the reason, and the last
/// column names the rule.
pub fn ambitions_csv(
    w: &mut impl Write,
    rows: &[AmbitionRow],
    protected: Option<&ProtectedReport>,
) -> io::Result<()> {
    let rule = protected.map_or(Rule::None, ProtectedReport::rule);
    let groups = [
        "core20", "rest", "overall", "q1", "q2", "q3", "q4", "q5", "unknown",
    ];
    write!(
        w,
        "metric,area,target,target_by,target_status,gap_pp,core20_meets_target,overall_meets_target"
    )?;
    for g in groups {
        write!(
            w,
            ",{g}_numerator,{g}_denominator,{g}_rate,{g}_lower,{g}_upper"
        )?;
    }
    writeln!(w, ",suppressed,disclosure")?;
    for a in rows {
        let status = match a.target_status {
            Some(equitas_core::catalogue::Status::Confirmed) => "confirmed",
            Some(_) => "unconfirmed",
            None => "",
        };
        let flag = |m: Option<bool>| m.map_or_else(String::new, |b| b.to_string());
        let names = [
            "core20", "rest", "overall", "q1", "q2", "q3", "q4", "q5", "unknown",
        ];
        let estimates = [&a.core20, &a.rest, &a.overall]
            .into_iter()
            .chain(a.by_quintile.iter())
            .chain(std::iter::once(&a.unknown_deprivation));
        let mut cells = String::new();
        let mut notes: Vec<String> = Vec::new();
        for (g, e) in names.iter().zip(estimates) {
            let (num, den) = protected.map_or(
                (Shown::Value(e.numerator), Shown::Value(e.denominator)),
                |p| p.ambition(&a.metric, g, e),
            );
            for (side, s) in [("numerator", num), ("denominator", den)] {
                if let Shown::Suppressed(r) = s {
                    notes.push(format!("{g}_{side}: {}", r.describe(rule)));
                }
            }
            let gone = num.is_suppressed() || den.is_suppressed();
            let rate = |v: Option<f64>| if gone { String::new() } else { opt(v) };
            cells.push_str(&format!(
                ",{},{},{},{},{}",
                num.value().map_or_else(String::new, |v| v.to_string()),
                den.value().map_or_else(String::new, |v| v.to_string()),
                rate(e.rate),
                rate(e.lower),
                rate(e.upper)
            ));
        }
        let hidden_group = |g: &str| notes.iter().any(|h| h.starts_with(&format!("{g}_")));
        let (core20_gone, rest_gone, overall_gone) = (
            hidden_group("core20"),
            hidden_group("rest"),
            hidden_group("overall"),
        );
        write!(
            w,
            "{},{},{},{},{status},{},{},{}",
            a.metric,
            a.area,
            opt(a.target),
            a.target_by.as_deref().unwrap_or(""),
            if core20_gone || rest_gone {
                String::new()
            } else {
                a.gap_pp.map_or_else(String::new, |g| format!("{g:.4}"))
            },
            if core20_gone {
                String::new()
            } else {
                flag(a.core20_meets_target)
            },
            if overall_gone {
                String::new()
            } else {
                flag(a.overall_meets_target)
            }
        )?;
        write!(w, "{cells},{},{}", field(&notes.join("; ")), rule.id())?;
        writeln!(w)?;
    }
    Ok(())
}
