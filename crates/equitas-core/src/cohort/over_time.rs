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
//!   ([`legap::period_year`]: `2023/24` is 2023.5).
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

/// The label the trend test reads for `period`: a financial year `2023/24` as its first year
/// (the test uses differences of time only, so the shift changes nothing; `legap::period_span`
/// reads `2023/24` as the years 2023 to 2024, which would make consecutive financial years
/// overlap).
fn trend_label(period: &str) -> &str {
    match period.split_once('/') {
        Some((a, b)) if a.len() == 4 && b.len() == 2 => a,
        _ => period,
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
            period: trend_label(p),
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
    let mut trend = trend::recent_trend(
        &points,
        ValueType::Proportion,
        Polarity::HigherIsBetter,
        0.95,
    )
    .unwrap_or_else(|e| RecentTrend::cannot(e.to_string()));
    // The periods as labelled (the test read financial years by their first year).
    for p in &mut trend.periods {
        if let Some((label, _)) = rows.iter().find(|(l, _)| trend_label(l) == p.as_str()) {
            *p = (*label).to_owned();
        }
    }
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
