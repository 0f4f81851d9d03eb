//! Trajectories to targets: from a baseline period, the change a year a target needs, the value
//! the trend projects to the target's date with its interval, and a status, on track, not on
//! track or cannot tell yet (issue 15). [`Trajectory`]'s docs hold the rule.
//!
//! A target is data ([`Goal`]): a reduction by a percentage of the baseline ("reduce the gap by
//! 5% by 2028", what `equitas le-gap` uses), or a level to reach ("75% of cancers diagnosed at
//! stage 1 or 2 by 2028": [`Aim::AtLeast`]) or stay under, and the year by which, on the
//! periods' mid-year scale (see `legap::period_year`). The catalogue's metric targets
//! (`seeds/catalogue`) become goals with [`Goal::from_catalogue`].

use serde::Serialize;

use super::gap::GapEstimate;
use crate::catalogue;

/// What a target asks of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Aim {
    /// Down by this percentage of the baseline value (above 0 and below 100).
    ReduceBy(f64),
    /// At or above this value.
    AtLeast(f64),
    /// At or below this value.
    AtMost(f64),
}

/// A target: what, and by when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Goal {
    /// What the measure should do.
    pub aim: Aim,
    /// The year by which, on the periods' mid-year scale.
    pub year: f64,
}

impl Goal {
    /// A catalogue metric's target as a goal on the rate's scale `scale` (1 for proportions,
    /// 100 for percentages): "at least" its value × `scale` by the year of its `by` date
    /// (`2028-03-31` is 2028). `None` when the target has no date or the date no year.
    #[must_use]
    pub fn from_catalogue(target: &catalogue::Target, scale: f64) -> Option<Self> {
        let by = target.by.as_deref()?;
        let year: u32 = by
            .get(..4)
            .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))?
            .parse()
            .ok()?;
        Some(Self {
            aim: Aim::AtLeast(target.at_least * scale),
            year: f64::from(year),
        })
    }
}

/// One period of a series: its mid-year, and its value and standard error when it has them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// The period's mid-year.
    pub year: f64,
    /// The value.
    pub value: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
}

/// Where a measure is heading against its target (see [`Trajectory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrajectoryStatus {
    /// The projection's whole interval is on the target's side (at or below it for an aim to
    /// come down, at or above for "at least").
    OnTrack,
    /// The projection's whole interval misses the target.
    NotOnTrack,
    /// The interval holds the target, or there is no trend yet (see the reason).
    CannotTellYet,
}

/// The short name, as `legap` has always used it.
pub type Status = TrajectoryStatus;

impl TrajectoryStatus {
    /// The status in words.
    #[must_use]
    pub const fn words(self) -> &'static str {
        match self {
            Self::OnTrack => "on track",
            Self::NotOnTrack => "not on track",
            Self::CannotTellYet => "cannot tell yet",
        }
    }
}

/// The trajectory of a measure to its [`Goal`]. The rule:
///
/// 1. The **target value** is the baseline value × (1 − percent/100) for
///    [`Aim::ReduceBy`], or the value of [`Aim::AtLeast`] / [`Aim::AtMost`]; the **required
///    annual change** is (target value − baseline value)/(target year − baseline mid-year).
/// 2. The **trend** is the inverse-variance weighted least-squares line through the values of
///    the baseline and every later period against their mid-years (weights 1/SE², the
///    sampling variances taken as known, so with two periods it is the line through them);
///    its slope is the **observed annual change**, with standard error √(1/Σw(x − x̄)²).
/// 3. The **projection** is the line's value at the target year, with standard error
///    √(1/Σw + (year − x̄)²/Σw(x − x̄)²) and the interval at the confidence asked for.
/// 4. For an aim to come down (a reduction, or "at most"): **on track** when the projection's
///    upper limit is at or below the target value; **not on track** when its lower limit is
///    above it. For "at least", mirrored: on track when the lower limit is at or above the
///    target, not on track when the upper limit is below it. Otherwise **cannot tell yet**, as
///    also when fewer than two periods from the baseline on have a value, or, for a reduction,
///    the baseline value is not above zero (a reduction then has no direction).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Trajectory {
    /// The baseline value.
    pub baseline: Option<f64>,
    /// The target value.
    pub target: Option<f64>,
    /// The change a year needed from the baseline to reach the target by its year.
    pub required_annual_change: Option<f64>,
    /// The trend's slope, with its standard error and interval.
    pub observed_annual_change: GapEstimate,
    /// The trend's value at the target year, with its interval.
    pub projected: GapEstimate,
    /// On track, not on track, or cannot tell yet.
    pub status: TrajectoryStatus,
    /// Why the status is "cannot tell yet", in words.
    pub reason: Option<String>,
}

/// The trajectory of `series` (the baseline first, then every later period) to `goal` at the
/// confidence whose normal quantile is `z` (see [`Trajectory`] for the rule).
///
/// ```
/// use equitas_core::measures::trajectory::{Aim, Goal, Observation, TrajectoryStatus, trajectory};
/// // 62% then 67% (SE 0.1) three years later: the line reaches 77% (76.3 to 77.7) in 2028,
/// // on track for at least 75% by 2028.
/// let series = [
///     Observation { year: 2019.0, value: Some(62.0), se: Some(0.1) },
///     Observation { year: 2022.0, value: Some(67.0), se: Some(0.1) },
/// ];
/// let t = trajectory(&series, &Goal { aim: Aim::AtLeast(75.0), year: 2028.0 }, 1.96);
/// assert_eq!(t.status, TrajectoryStatus::OnTrack);
/// assert_eq!(t.target, Some(75.0));
/// ```
#[must_use]
pub fn trajectory(series: &[Observation], goal: &Goal, z: f64) -> Trajectory {
    let cannot = |reason: &str, baseline: Option<f64>| Trajectory {
        baseline,
        target: None,
        required_annual_change: None,
        observed_annual_change: GapEstimate::missing(reason.to_owned()),
        projected: GapEstimate::missing(reason.to_owned()),
        status: TrajectoryStatus::CannotTellYet,
        reason: Some(reason.to_owned()),
    };
    let Some(&Observation {
        year: base_year,
        value: Some(base),
        ..
    }) = series.first()
    else {
        return cannot("the baseline period has no value", None);
    };
    let (goal_value, down) = match goal.aim {
        Aim::ReduceBy(_) if base <= 0.0 => {
            return cannot(
                "the baseline value is not above zero, so a reduction has no direction",
                Some(base),
            );
        }
        Aim::ReduceBy(percent) => (base * (1.0 - percent / 100.0), true),
        Aim::AtMost(v) => (v, true),
        Aim::AtLeast(v) => (v, false),
    };
    let target = goal;
    let goal = goal_value;
    let required = (goal - base) / (target.year - base_year);
    let points: Vec<(f64, f64, f64)> = series
        .iter()
        .filter_map(|o| Some((o.year, o.value?, o.se?)))
        .filter(|&(_, _, se)| se > 0.0 && se.is_finite())
        .collect();
    let mut t = cannot("", Some(base));
    t.target = Some(goal);
    t.required_annual_change = Some(required);
    t.reason = None;
    if points.len() < 2 {
        let why = "fewer than two periods from the baseline on have a value and a standard error, so there is no trend yet";
        t.observed_annual_change = GapEstimate::missing(why.to_owned());
        t.projected = GapEstimate::missing(why.to_owned());
        t.reason = Some(why.to_owned());
        return t;
    }
    let sw: f64 = points.iter().map(|p| 1.0 / (p.2 * p.2)).sum();
    let xbar = points.iter().map(|p| p.0 / (p.2 * p.2)).sum::<f64>() / sw;
    let ybar = points.iter().map(|p| p.1 / (p.2 * p.2)).sum::<f64>() / sw;
    let sxx: f64 = points
        .iter()
        .map(|p| (p.0 - xbar) * (p.0 - xbar) / (p.2 * p.2))
        .sum();
    if sxx <= 0.0 || !sxx.is_finite() {
        let why =
            "the periods from the baseline on all have the same mid-year, so there is no trend";
        t.observed_annual_change = GapEstimate::missing(why.to_owned());
        t.projected = GapEstimate::missing(why.to_owned());
        t.reason = Some(why.to_owned());
        return t;
    }
    let sxy: f64 = points
        .iter()
        .map(|p| (p.0 - xbar) * (p.1 - ybar) / (p.2 * p.2))
        .sum();
    let slope = sxy / sxx;
    let ahead = target.year - xbar;
    t.observed_annual_change = GapEstimate::normal(slope, (1.0 / sxx).sqrt(), z, "the trend");
    t.projected = GapEstimate::normal(
        ybar + slope * ahead,
        (1.0 / sw + ahead * ahead / sxx).sqrt(),
        z,
        "the projection",
    );
    match (t.projected.lower, t.projected.upper) {
        (_, Some(hi)) if down && hi <= goal => t.status = TrajectoryStatus::OnTrack,
        (Some(lo), _) if down && lo > goal => t.status = TrajectoryStatus::NotOnTrack,
        (Some(lo), _) if !down && lo >= goal => t.status = TrajectoryStatus::OnTrack,
        (_, Some(hi)) if !down && hi < goal => t.status = TrajectoryStatus::NotOnTrack,
        (Some(_), Some(_)) => {
            t.reason = Some("the projection's interval holds the target".to_owned());
        }
        _ => t.reason = t.projected.reason.clone(),
    }
    t
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::float_cmp, reason = "tests")]
mod tests {
    use super::*;

    fn obs(year: f64, value: f64, se: f64) -> Observation {
        Observation {
            year,
            value: Some(value),
            se: Some(se),
        }
    }

    /// At least 75 by 2028 from 62 in 2019: required (75 − 62)/9 = 1.444 a year. 62 → 66 by
    /// 2022 (SE 0.5, w = 4 each): x̄ = 2020.5, ȳ = 64, slope 4/3, projected 64 + (4/3)(7.5) = 74,
    /// Σw = 8, Σw(x − x̄)² = 2 × 4 × 1.5² = 18, SE √(1/8 + 7.5²/18) = √3.25 = 1.803:
    /// 74 ± 3.53 holds 75, cannot tell yet. 62 → 67 with SE 0.1 (w = 100): projected
    /// 64.5 + (5/3)(7.5) = 77, SE √(1/200 + 56.25/450) = √0.13 = 0.3606, 77 ± 0.707 = 76.29 to
    /// 77.71, all ≥ 75: on track.
    #[test]
    fn at_least_by_hand() {
        let goal = Goal {
            aim: Aim::AtLeast(75.0),
            year: 2028.0,
        };
        let t = trajectory(
            &[obs(2019.0, 62.0, 0.5), obs(2022.0, 66.0, 0.5)],
            &goal,
            1.96,
        );
        assert!((t.required_annual_change.unwrap() - 13.0 / 9.0).abs() < 1e-12);
        assert!((t.projected.value.unwrap() - 74.0).abs() < 1e-9);
        assert!((t.projected.se.unwrap() - 3.25_f64.sqrt()).abs() < 1e-9);
        assert_eq!(t.status, TrajectoryStatus::CannotTellYet);
        let t = trajectory(
            &[obs(2019.0, 62.0, 0.1), obs(2022.0, 67.0, 0.1)],
            &goal,
            1.96,
        );
        assert!((t.projected.value.unwrap() - 77.0).abs() < 1e-9);
        assert!((t.projected.se.unwrap() - 0.13_f64.sqrt()).abs() < 1e-9);
        assert_eq!(t.status, TrajectoryStatus::OnTrack);
        // Falling instead: 62 → 60, projected 56 ± 0.707, below 75: not on track.
        let t = trajectory(
            &[obs(2019.0, 62.0, 0.1), obs(2022.0, 60.0, 0.1)],
            &goal,
            1.96,
        );
        assert_eq!(t.status, TrajectoryStatus::NotOnTrack);
    }

    /// At most 10 by 2028: 14 → 12 (2019 → 2022, SE 0.1) projects 13 − (2/3)(7.5) = 8 ± 0.707:
    /// on track; 14 → 14.5 projects 15.5: not on track. A baseline at or below zero is fine for
    /// a level (only a reduction needs a positive one): 0 → −1 projects −3 ± 0.707, at most −1.
    #[test]
    fn at_most_by_hand() {
        let goal = Goal {
            aim: Aim::AtMost(10.0),
            year: 2028.0,
        };
        let t = trajectory(
            &[obs(2019.0, 14.0, 0.1), obs(2022.0, 12.0, 0.1)],
            &goal,
            1.96,
        );
        assert!((t.projected.value.unwrap() - 8.0).abs() < 1e-9, "{t:?}");
        assert_eq!(t.status, TrajectoryStatus::OnTrack);
        let t = trajectory(
            &[obs(2019.0, 14.0, 0.1), obs(2022.0, 14.5, 0.1)],
            &goal,
            1.96,
        );
        assert_eq!(t.status, TrajectoryStatus::NotOnTrack);
        let neg = Goal {
            aim: Aim::AtMost(-1.0),
            year: 2028.0,
        };
        let t = trajectory(&[obs(2019.0, 0.0, 0.1), obs(2022.0, -1.0, 0.1)], &neg, 1.96);
        assert_eq!(t.status, TrajectoryStatus::OnTrack);
    }

    #[test]
    fn catalogue_targets_become_goals() {
        let c = crate::catalogue::Catalogue::builtin();
        let dated = c
            .metrics()
            .filter_map(|(_, m)| m.target.as_ref())
            .find(|t| t.by.is_some());
        if let Some(t) = dated {
            let g = Goal::from_catalogue(t, 100.0).unwrap();
            assert_eq!(g.aim, Aim::AtLeast(t.at_least * 100.0));
        }
        let t = crate::catalogue::Target {
            at_least: 0.75,
            by: Some("2028-03-31".into()),
            status: crate::catalogue::Status::Confirmed,
        };
        assert_eq!(
            Goal::from_catalogue(&t, 100.0),
            Some(Goal {
                aim: Aim::AtLeast(75.0),
                year: 2028.0
            })
        );
        let undated = crate::catalogue::Target { by: None, ..t };
        assert_eq!(Goal::from_catalogue(&undated, 100.0), None);
    }
}
