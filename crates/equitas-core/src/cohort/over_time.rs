//! The cohort report per period, and each ambition over time (issue 15).
//!
//! [`over_time`] gives every period's [`CohortReport`] (cohorts, ambitions and every breakdown)
//! and, for two or more periods, each ambition metric's [`AmbitionChange`] from the first period
//! (the baseline) to the last:
//!
//! - **The change** of the overall rate, in percentage points, with its 95% interval: the
//!   difference of independent estimates, d ± 1.96·√(SE² + SE₀²), each SE taken from the
//!   period's Wilson limits as (upper − lower)/(2 × 1.96) (as Fingertips takes SEs from limits);
//!   "increased" or "decreased" when the interval leaves out 0, else "no significant change".
//! - **The recent trend** of the overall rate: [`trend::recent_trend`] for a proportion (the
//!   chi-squared test for trend, as Fingertips), higher is better; it needs
//!   [`trend::RECENT_POINTS`] periods, and with fewer says so ("cannot be calculated").
//! - **The gap change**: the gap rest − Core20 in percentage points per period
//!   ([`gap::absolute_gap`]), and its change from the baseline with its interval and verdict,
//!   "the gap narrowed / widened / no significant change" ([`gap::change`]).
//! - **The status** against the metric's target and date (the catalogue's, or a local
//!   definition's), for everyone and for Core20: [`trajectory::trajectory`] from the baseline,
//!   "on track", "not on track" or "cannot tell yet", with the rule written there. The target's
//!   year is its date's year (`2028-03-31` is 2028), on the periods' mid-year scale
//!   ([`crate::measures::legap::period_year`]: `2023/24` is 2023.5).
//!
//! Rates of an observed ÷ expected metric are that ratio, as in the report.

use serde::Serialize;

use super::period::{PeriodCounts, PeriodScheme};
use super::{AmbitionRow, Classifier, CohortReport, ProtectedReport, RateEstimate, report};
use crate::disclosure::Rule;
use crate::measures::gap::{self, Change, GapEstimate};
use crate::measures::legap::period_year;
use crate::measures::trajectory::{self, Aim, Goal, Observation, Trajectory};
use crate::measures::trend::{self, Point, Polarity, RecentTrend, ValueType};

/// The normal quantile of the 95% intervals.
const Z95: f64 = 1.959_963_984_540_054;

/// One period's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReport {
    /// The period's label (empty for counts without periods).
    pub period: String,
    /// Its cohort report.
    pub report: CohortReport,
}

/// Whether a rate went up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Direction {
    /// The whole interval of the change is above 0.
    Increased,
    /// The whole interval of the change is below 0.
    Decreased,
    /// The interval holds 0.
    NoSignificantChange,
    /// A period has no rate.
    CannotTell,
}

impl Direction {
    /// The direction in words.
    #[must_use]
    pub const fn words(self) -> &'static str {
        match self {
            Self::Increased => "increased",
            Self::Decreased => "decreased",
            Self::NoSignificantChange => "no significant change",
            Self::CannotTell => "cannot tell",
        }
    }
}

/// A rate's change from the baseline period to the latest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateChange {
    /// Baseline rate, in percent.
    pub baseline: GapEstimate,
    /// Latest rate, in percent.
    pub latest: GapEstimate,
    /// Latest − baseline, in percentage points, with its 95% interval.
    pub difference: GapEstimate,
    /// What the interval says.
    pub direction: Direction,
}

/// One ambition metric over the periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmbitionChange {
    /// Metric id.
    pub metric: String,
    /// Metric label.
    pub label: String,
    /// Target proportion, if the metric has one.
    pub target: Option<f64>,
    /// Target date, if stated.
    pub target_by: Option<String>,
    /// Whether the target is the cohort definition's own.
    pub target_is_local: bool,
    /// The overall rate's change from the baseline to the latest period.
    pub change: RateChange,
    /// The overall rate's recent trend, with its marker.
    pub trend: RecentTrend,
    /// The gap rest − Core20 (percentage points) in the baseline period.
    pub gap_baseline: GapEstimate,
    /// The gap in the latest period.
    pub gap_latest: GapEstimate,
    /// The gap's change, with its interval and verdict.
    pub gap_change: Change,
    /// The overall rate's trajectory to the target (none without a dated target).
    pub status: Option<Trajectory>,
    /// Core20's trajectory to the target.
    pub core20_status: Option<Trajectory>,
    /// Why there is no status, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Why the numbers above are withheld from an export (disclosure control), when they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
}

/// The cohort report of each period, and each ambition over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodsReport {
    /// How the periods were found (`fy`, `year`, `column`), or none.
    pub period_by: Option<PeriodScheme>,
    /// Each period's report, in order.
    pub periods: Vec<PeriodReport>,
    /// The baseline period (the first), with two or more periods.
    pub baseline: Option<String>,
    /// The latest period, with two or more periods.
    pub latest: Option<String>,
    /// Each ambition metric from the baseline to the latest period (empty with fewer than two
    /// periods).
    pub changes: Vec<AmbitionChange>,
}

/// A rate in percent with its SE from its Wilson limits, or why it has none.
fn percent(e: &RateEstimate) -> GapEstimate {
    match (e.rate, e.lower, e.upper) {
        (Some(r), Some(lo), Some(hi)) => {
            let se = (hi - lo) * 100.0 / (2.0 * Z95);
            GapEstimate {
                value: Some(r * 100.0),
                se: Some(se),
                lower: Some(lo * 100.0),
                upper: Some(hi * 100.0),
                reason: None,
            }
        }
        _ => GapEstimate::missing("no one is in the denominator".to_owned()),
    }
}

fn rate_change(base: &RateEstimate, now: &RateEstimate) -> RateChange {
    let (b, n) = (percent(base), percent(now));
    let (difference, direction) = match (b.value, b.se, n.value, n.se) {
        (Some(bv), Some(bs), Some(nv), Some(ns)) => {
            let d = GapEstimate::normal(nv - bv, bs.hypot(ns), Z95, "the change");
            let dir = match (d.lower, d.upper) {
                (Some(lo), _) if lo > 0.0 => Direction::Increased,
                (_, Some(hi)) if hi < 0.0 => Direction::Decreased,
                (Some(_), Some(_)) => Direction::NoSignificantChange,
                _ => Direction::CannotTell,
            };
            (d, dir)
        }
        _ => (
            GapEstimate::missing(format!(
                "{} has no rate",
                if b.value.is_none() {
                    "the baseline period"
                } else {
                    "the latest period"
                }
            )),
            Direction::CannotTell,
        ),
    };
    RateChange {
        baseline: b,
        latest: n,
        difference,
        direction,
    }
}

/// The year of a target date (`2028-03-31` is 2028).
fn target_year(by: &str) -> Option<f64> {
    by.get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|y| y.parse::<u16>().ok())
        .map(f64::from)
}

/// Each ambition metric of `reports` (two or more periods) from the first to the last.
fn changes(reports: &[PeriodReport]) -> Vec<AmbitionChange> {
    let (Some(first), Some(last)) = (reports.first(), reports.last()) else {
        return Vec::new();
    };
    first
        .report
        .ambitions
        .iter()
        .filter_map(|a0| {
            let rows: Vec<(&str, &AmbitionRow)> = reports
                .iter()
                .map(|p| {
                    let row = p.report.ambitions.iter().find(|a| a.metric == a0.metric)?;
                    Some((p.period.as_str(), row))
                })
                .collect::<Option<_>>()?;
            let an = last
                .report
                .ambitions
                .iter()
                .find(|a| a.metric == a0.metric)?;
            Some(change_of(a0, an, &rows))
        })
        .collect()
}

/// One metric's change from `a0` (baseline) to `an` (latest), its rows per period in `rows`.
fn change_of(a0: &AmbitionRow, an: &AmbitionRow, rows: &[(&str, &AmbitionRow)]) -> AmbitionChange {
    let points: Vec<Point<'_>> = rows
        .iter()
        .map(|(p, a)| Point {
            period: p,
            value: None,
            lower: None,
            upper: None,
            // Counts are far below 2^53: exact as f64.
            #[allow(clippy::cast_precision_loss)]
            numerator: Some(a.overall.numerator as f64),
            #[allow(clippy::cast_precision_loss)]
            denominator: Some(a.overall.denominator as f64),
        })
        .collect();
    let trend = trend::recent_trend(
        &points,
        ValueType::Proportion,
        Polarity::HigherIsBetter,
        0.95,
    )
    .unwrap_or_else(|e| RecentTrend::cannot(e.to_string()));
    let gap_of = |a: &AmbitionRow| gap::absolute_gap(&percent(&a.rest), &percent(&a.core20), Z95);
    let (gap_baseline, gap_latest) = (gap_of(a0), gap_of(an));
    let gap_change = gap::change(&gap_latest, &gap_baseline, Z95);
    let years: Option<Vec<f64>> = rows.iter().map(|(p, _)| period_year(p)).collect();
    let goal = an
        .target
        .zip(an.target_by.as_deref().and_then(target_year))
        .map(|(t, year)| Goal {
            aim: Aim::AtLeast(t * 100.0),
            year,
        });
    let (status, core20_status, status_reason) = match (goal, years) {
        (None, _) => (
            None,
            None,
            Some(if an.target.is_some() {
                "the target has no date".to_owned()
            } else {
                "the metric has no target".to_owned()
            }),
        ),
        (Some(_), None) => (
            None,
            None,
            Some(
                "a period label is not a year or a range of years, so there is no time scale"
                    .to_owned(),
            ),
        ),
        (Some(goal), Some(years)) => {
            let series = |pick: fn(&AmbitionRow) -> &RateEstimate| -> Vec<Observation> {
                rows.iter()
                    .zip(&years)
                    .map(|((_, a), &year)| {
                        let e = percent(pick(a));
                        Observation {
                            year,
                            value: e.value,
                            se: e.se,
                        }
                    })
                    .collect()
            };
            (
                Some(trajectory::trajectory(&series(|a| &a.overall), &goal, Z95)),
                Some(trajectory::trajectory(&series(|a| &a.core20), &goal, Z95)),
                None,
            )
        }
    };
    AmbitionChange {
        metric: an.metric.clone(),
        label: an.label.clone(),
        target: an.target,
        target_by: an.target_by.clone(),
        target_is_local: an.target_is_local,
        change: rate_change(&a0.overall, &an.overall),
        trend,
        gap_baseline,
        gap_latest,
        gap_change,
        status,
        core20_status,
        status_reason,
        withheld: None,
    }
}

/// The report of each period of `counts` and, with two or more periods, each ambition's change
/// from the first to the last (see the module docs).
#[must_use]
pub fn over_time(counts: &PeriodCounts, classifier: &Classifier<'_>) -> PeriodsReport {
    let periods: Vec<PeriodReport> = counts
        .periods()
        .map(|(p, c)| PeriodReport {
            period: p.to_owned(),
            report: report(c, classifier),
        })
        .collect();
    let two = periods.len() >= 2;
    PeriodsReport {
        period_by: counts.scheme(),
        baseline: two
            .then(|| periods.first().map(|p| p.period.clone()))
            .flatten(),
        latest: two
            .then(|| periods.last().map(|p| p.period.clone()))
            .flatten(),
        changes: if two { changes(&periods) } else { Vec::new() },
        periods,
    }
}

impl PeriodsReport {
    /// Each period's report protected under `rule`, in order.
    #[must_use]
    pub fn protect(&self, rule: Rule) -> Vec<ProtectedReport> {
        self.periods
            .iter()
            .map(|p| ProtectedReport::new(&p.report, rule))
            .collect()
    }

    /// The changes as an export may publish them under `protected` (from
    /// [`PeriodsReport::protect`]): a change is withheld, with the reason, when any numerator or
    /// denominator it is made from (everyone's, Core20's or the rest's, in any period) is
    /// suppressed in its period's report, since the change would give it away.
    #[must_use]
    pub fn published_changes(&self, protected: &[ProtectedReport]) -> Vec<AmbitionChange> {
        self.changes
            .iter()
            .map(|c| {
                let hidden = self.periods.iter().zip(protected).find_map(|(p, prot)| {
                    let a = p.report.ambitions.iter().find(|a| a.metric == c.metric)?;
                    [
                        ("overall", &a.overall),
                        ("core20", &a.core20),
                        ("rest", &a.rest),
                    ]
                    .into_iter()
                    .find(|(g, e)| {
                        let (n, d) = prot.ambition(&c.metric, g, e);
                        n.is_suppressed() || d.is_suppressed()
                    })
                    .map(|(g, _)| (p.period.clone(), g))
                });
                match hidden {
                    None => c.clone(),
                    Some((period, group)) => withheld(c, &period, group, protected),
                }
            })
            .collect()
    }
}

/// `c` with every number withheld, because a count of `group` in `period` is suppressed.
fn withheld(
    c: &AmbitionChange,
    period: &str,
    group: &str,
    protected: &[ProtectedReport],
) -> AmbitionChange {
    let rule = protected
        .first()
        .map_or_else(String::new, |p| p.rule().id());
    let why = format!(
        "withheld: a count it is made from ({group}, period {period}) is suppressed under {rule}"
    );
    let gone = || GapEstimate::missing(why.clone());
    AmbitionChange {
        metric: c.metric.clone(),
        label: c.label.clone(),
        target: c.target,
        target_by: c.target_by.clone(),
        target_is_local: c.target_is_local,
        change: RateChange {
            baseline: gone(),
            latest: gone(),
            difference: gone(),
            direction: Direction::CannotTell,
        },
        trend: RecentTrend::cannot(why.clone()),
        gap_baseline: gone(),
        gap_latest: gone(),
        gap_change: Change {
            difference: gone(),
            percent: None,
            verdict: gap::Verdict::Unknown,
        },
        status: None,
        core20_status: None,
        status_reason: Some(why.clone()),
        withheld: Some(why),
    }
}

#[cfg(test)]
mod tests {
    //! Issue 15's must-show: the cohort report for two (and three) periods of synthetic records,
    //! each ambition's change, trend marker, gap change and 2028 status, checked against hand
    //! arithmetic written out here (not the library's functions).

    use super::*;
    use crate::cohort::CohortDefinition;
    use crate::cohort::records::count_records_by_period;
    use crate::measures::gap::Verdict;
    use crate::measures::trajectory::TrajectoryStatus;
    use crate::measures::trend::Marker;
    use crate::synth::{Areas, CSV_HEADER, Synth, SynthParams};

    const Z: f64 = 1.959_963_984_540_054;

    /// SYNTHETIC records: `people` per period, one period per date, cancer common (20% at the
    /// middle of the deprivation scale) so the register is large, and in period i a cancer
    /// staged early with probability `uptake[i]` (and `ratio[i]` decile 1 to decile 10).
    fn records(dates: &[&str], uptake: &[f64], ratio: &[f64], people: u64) -> String {
        let mut out = CSV_HEADER.trim_end().to_owned() + ",date\n";
        for (i, date) in dates.iter().enumerate() {
            let mut params = SynthParams::builtin();
            for c in &mut params.conditions {
                if c.id == "cancer" {
                    c.p = 0.2;
                }
            }
            for e in &mut params.events {
                if e.id == "cancer_stage_1_2" {
                    (e.p, e.deprivation_ratio) = (uptake[i], ratio[i]);
                }
            }
            let mut synth = Synth::new(&params, 100 + i as u64, Areas::Deciles).unwrap();
            for _ in 0..people {
                let mut row = Vec::new();
                synth.next_person().write_csv_row(&mut row).unwrap();
                let row = String::from_utf8(row).unwrap();
                // Ids are per period: prefix the period so rows stay distinct people.
                out.push_str(&format!("P{i}{},{date}\n", row.trim_end()));
            }
        }
        out
    }

    /// Wilson 95% limits of n of d, by the textbook formula.
    fn wilson(n: u64, d: u64) -> (f64, f64, f64) {
        let (n, d) = (n as f64, d as f64);
        let p = n / d;
        let denom = 1.0 + Z * Z / d;
        let centre = (p + Z * Z / (2.0 * d)) / denom;
        let half = Z * (p * (1.0 - p) / d + Z * Z / (4.0 * d * d)).sqrt() / denom;
        (p * 100.0, (centre - half) * 100.0, (centre + half) * 100.0)
    }

    /// Percent and SE from the Wilson limits.
    fn pct(e: &RateEstimate) -> (f64, f64) {
        let (p, lo, hi) = wilson(e.numerator, e.denominator);
        (p, (hi - lo) / (2.0 * Z))
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.unwrap();
        assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} against {b}");
    }

    fn cancer(rep: &PeriodsReport) -> (&AmbitionChange, Vec<&AmbitionRow>) {
        let c = rep
            .changes
            .iter()
            .find(|c| c.metric == "cancer_stage_1_2")
            .unwrap();
        let rows = rep
            .periods
            .iter()
            .map(|p| {
                p.report
                    .ambitions
                    .iter()
                    .find(|a| a.metric == "cancer_stage_1_2")
                    .unwrap()
            })
            .collect();
        (c, rows)
    }

    fn report_of(csv: &str) -> PeriodsReport {
        let classifier = Classifier::new(CohortDefinition::national(), None).unwrap();
        let (counts, summary) = count_records_by_period(
            csv.as_bytes(),
            &classifier,
            PeriodScheme::FinancialYear,
            true,
        )
        .unwrap();
        assert_eq!(summary.rejected, 0);
        over_time(&counts, &classifier)
    }

    /// Everything the report says of one metric, against hand arithmetic from its counts.
    fn check_by_hand(c: &AmbitionChange, rows: &[&AmbitionRow], years: &[f64]) {
        let (first, last) = (rows[0], rows[rows.len() - 1]);
        // The change: difference of the percentages, SE from the Wilson limits.
        let ((p0, s0), (p1, s1)) = (pct(&first.overall), pct(&last.overall));
        let se = (s0 * s0 + s1 * s1).sqrt();
        close(c.change.difference.value, p1 - p0);
        close(c.change.difference.lower, p1 - p0 - Z * se);
        close(c.change.difference.upper, p1 - p0 + Z * se);
        let dir = if p1 - p0 - Z * se > 0.0 {
            Direction::Increased
        } else if p1 - p0 + Z * se < 0.0 {
            Direction::Decreased
        } else {
            Direction::NoSignificantChange
        };
        assert_eq!(c.change.direction, dir);
        // The gap rest - Core20, and its change.
        let gap = |a: &AmbitionRow| {
            let ((r, sr), (k, sk)) = (pct(&a.rest), pct(&a.core20));
            (r - k, (sr * sr + sk * sk).sqrt())
        };
        let ((g0, sg0), (g1, sg1)) = (gap(first), gap(last));
        close(c.gap_baseline.value, g0);
        close(c.gap_latest.value, g1);
        let sg = (sg0 * sg0 + sg1 * sg1).sqrt();
        let (lo, hi) = (g1 - g0 - Z * sg, g1 - g0 + Z * sg);
        close(c.gap_change.difference.value, g1 - g0);
        close(c.gap_change.difference.lower, lo);
        let toward = -g0.signum();
        let verdict = if toward * lo > 0.0 && toward * hi > 0.0 {
            Verdict::Narrowed
        } else if lo > 0.0 || hi < 0.0 {
            Verdict::Widened
        } else {
            Verdict::NoSignificantChange
        };
        assert_eq!(c.gap_change.verdict, verdict);
        // The 2028 status: the weighted line through every period's rate, at 2028.
        let pts: Vec<(f64, f64, f64)> = rows
            .iter()
            .zip(years)
            .map(|(a, &x)| {
                let (p, s) = pct(&a.overall);
                (x, p, 1.0 / (s * s))
            })
            .collect();
        let sw: f64 = pts.iter().map(|p| p.2).sum();
        let xbar = pts.iter().map(|p| p.2 * p.0).sum::<f64>() / sw;
        let ybar = pts.iter().map(|p| p.2 * p.1).sum::<f64>() / sw;
        let sxx: f64 = pts.iter().map(|p| p.2 * (p.0 - xbar).powi(2)).sum();
        let sxy: f64 = pts.iter().map(|p| p.2 * (p.0 - xbar) * (p.1 - ybar)).sum();
        let slope = sxy / sxx;
        let projected = ybar + slope * (2028.0 - xbar);
        let se = (1.0 / sw + (2028.0 - xbar).powi(2) / sxx).sqrt();
        let t = c.status.as_ref().unwrap();
        assert_eq!(t.target, Some(75.0));
        close(t.observed_annual_change.value, slope);
        close(t.projected.value, projected);
        close(t.projected.lower, projected - Z * se);
        let status = if projected - Z * se >= 75.0 {
            TrajectoryStatus::OnTrack
        } else if projected + Z * se < 75.0 {
            TrajectoryStatus::NotOnTrack
        } else {
            TrajectoryStatus::CannotTellYet
        };
        assert_eq!(t.status, status);
        close(t.required_annual_change, (75.0 - p0) / (2028.0 - years[0]));
    }

    #[test]
    fn two_periods_of_synthetic_records_show_change_trend_gap_and_2028_status() {
        // 2023/24: 50% staged early, no deprivation gradient; 2024/25: 60%, decile 1 at 0.6
        // of decile 10's rate.
        let csv = records(
            &["2023-09-01", "2024-09-01"],
            &[0.5, 0.6],
            &[1.0, 0.6],
            60_000,
        );
        let rep = report_of(&csv);
        assert_eq!(rep.periods.len(), 2);
        assert_eq!(
            (rep.baseline.as_deref(), rep.latest.as_deref()),
            (Some("2023/24"), Some("2024/25"))
        );
        // Every ambition gets a change, and every period its cohorts and ambitions.
        assert_eq!(rep.changes.len(), rep.periods[0].report.ambitions.len());
        assert!(rep.periods.iter().all(|p| p.report.total.people == 60_000));
        let (c, rows) = cancer(&rep);
        check_by_hand(c, &rows, &[2023.5, 2024.5]);
        // What the synthetic uptake makes known: up by about 10 points, the gap opened, on
        // track for 75% by 2028 (60% + 10 a year); the trend test needs five periods.
        assert_eq!(c.change.direction, Direction::Increased);
        let d = c.change.difference.value.unwrap();
        assert!((d - 10.0).abs() < 3.0, "{d}");
        assert_eq!(c.gap_change.verdict, Verdict::Widened);
        assert_eq!(c.status.as_ref().unwrap().status, TrajectoryStatus::OnTrack);
        assert_eq!(c.trend.marker, Marker::CannotBeCalculated);
        assert_eq!(
            c.trend.reason,
            "fewer than 5 points (2): the test needs the 5 most recent"
        );
        // A metric without a dated target says why it has no status.
        let smi = rep
            .changes
            .iter()
            .find(|c| c.metric == "smi_health_check")
            .unwrap();
        assert_eq!(smi.status_reason.as_deref(), Some("the target has no date"));
    }

    #[test]
    fn three_periods_falling_short_of_2028_are_not_on_track() {
        // 60%, 55%, 50%: falling 5 points a year against a target of 75% by 2028.
        let dates = ["2022-05-01", "2023-05-01", "2024-05-01"];
        let csv = records(&dates, &[0.6, 0.55, 0.5], &[0.8, 0.8, 0.8], 40_000);
        let rep = report_of(&csv);
        let (c, rows) = cancer(&rep);
        check_by_hand(c, &rows, &[2022.5, 2023.5, 2024.5]);
        assert_eq!(c.change.direction, Direction::Decreased);
        assert_eq!(
            c.status.as_ref().unwrap().status,
            TrajectoryStatus::NotOnTrack
        );
        assert_eq!(c.gap_change.verdict, Verdict::NoSignificantChange);
        assert!(c.trend.reason.contains("fewer than 5 points (3)"));
    }

    #[test]
    fn five_periods_give_a_trend_marker_with_its_judgement() {
        let dates = [
            "2019-06-01",
            "2020-06-01",
            "2021-06-01",
            "2022-06-01",
            "2023-06-01",
        ];
        let csv = records(&dates, &[0.4, 0.45, 0.5, 0.55, 0.6], &[1.0; 5], 20_000);
        let rep = report_of(&csv);
        let (c, rows) = cancer(&rep);
        assert_eq!(c.trend.marker, Marker::Increasing);
        assert_eq!(c.trend.words(), "increasing and getting better");
        // The periods as labelled, not the first years the test read.
        assert_eq!(
            c.trend.periods,
            ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
        );
        // The chi-squared test for trend, by hand over t = 1..5 (moving time changes nothing).
        let (mut nn, mut rr, mut st, mut snt, mut snt2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (t, a) in rows.iter().enumerate() {
            let (r, n, t) = (
                a.overall.numerator as f64,
                a.overall.denominator as f64,
                t as f64 + 1.0,
            );
            (nn, rr, st, snt, snt2) = (nn + n, rr + r, st + r * t, snt + n * t, snt2 + n * t * t);
        }
        let chi = nn * (nn * st - rr * snt).powi(2) / (rr * (nn - rr) * (nn * snt2 - snt * snt));
        close(c.trend.chi_squared, chi);
    }
}
