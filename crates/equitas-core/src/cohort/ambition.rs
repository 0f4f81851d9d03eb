//! Ambition tracking: each metric's rate for Core20, the rest and each quintile, against target.

use serde::Serialize;

use super::{CohortCounts, CountedMetric};
use crate::catalogue::{Catalogue, Status};
use crate::measures::intervals::wilson;

/// A rate with its Wilson 95% interval; `None` fields when the denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateEstimate {
    /// People in the numerator.
    pub numerator: u64,
    /// People in the denominator.
    pub denominator: u64,
    /// numerator / denominator.
    pub rate: Option<f64>,
    /// Lower 95% limit (Wilson).
    pub lower: Option<f64>,
    /// Upper 95% limit (Wilson).
    pub upper: Option<f64>,
}

impl RateEstimate {
    /// `numerator` of `denominator`, with its Wilson 95% interval.
    #[must_use]
    pub fn new(numerator: u64, denominator: u64) -> Self {
        match wilson(numerator, denominator, 0.95) {
            Ok(p) => Self {
                numerator,
                denominator,
                rate: Some(p.value),
                lower: Some(p.lower),
                upper: Some(p.upper),
            },
            Err(_) => Self {
                numerator,
                denominator,
                rate: None,
                lower: None,
                upper: None,
            },
        }
    }

    /// The estimate with its rate and limits multiplied by `factor` (numerator and
    /// denominator unchanged): an observed ÷ expected ratio from an observed proportion.
    #[must_use]
    pub fn scaled(self, factor: f64) -> Self {
        Self {
            rate: self.rate.map(|v| v * factor),
            lower: self.lower.map(|v| v * factor),
            upper: self.upper.map(|v| v * factor),
            ..self
        }
    }

    /// `numerator` of `denominator` as a metric shows it: a proportion, or for an observed ÷
    /// expected metric (`expected` prevalence given), observed ÷ (prevalence × people): the
    /// proportion's rate and Wilson limits divided by the prevalence.
    #[must_use]
    pub fn for_metric(numerator: u64, denominator: u64, expected: Option<f64>) -> Self {
        let e = Self::new(numerator, denominator);
        match expected {
            Some(p) if p > 0.0 => e.scaled(1.0 / p),
            _ => e,
        }
    }
}

/// One metric's position against its ambition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmbitionRow {
    /// Metric id.
    pub metric: String,
    /// Metric label.
    pub label: String,
    /// Clinical area id.
    pub area: String,
    /// Target proportion, if the metric has one.
    pub target: Option<f64>,
    /// Target date, if stated.
    pub target_by: Option<String>,
    /// Whether the target was confirmed.
    pub target_status: Option<Status>,
    /// Everyone with known or unknown deprivation.
    pub overall: RateEstimate,
    /// Core20 (quintile 1).
    pub core20: RateEstimate,
    /// Quintiles 2–5.
    pub rest: RateEstimate,
    /// Quintiles 1..5 in order.
    pub by_quintile: [RateEstimate; 5],
    /// Deprivation unknown.
    pub unknown_deprivation: RateEstimate,
    /// rest − Core20, in percentage points (positive: Core20 behind).
    pub gap_pp: Option<f64>,
    /// Whether the Core20 rate reaches the target.
    pub core20_meets_target: Option<bool>,
    /// Whether the overall rate reaches the target.
    pub overall_meets_target: Option<bool>,
    /// For an observed ÷ expected metric, the expected prevalence: every rate above is then
    /// observed people ÷ (prevalence × people in the metric's age range), and its limits the
    /// observed proportion's Wilson limits divided by the prevalence; numerators are the
    /// observed people and denominators the people in the age range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_prevalence: Option<f64>,
    /// Whether the metric is the cohort definition's own, not the catalogue's.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
    /// Whether the target is the cohort definition's own (replacing the catalogue's).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub target_is_local: bool,
}

/// Every catalogue metric's rates from `counts`, in catalogue order, against the catalogue's
/// targets. (The report uses the classifier's metrics, with a definition's own targets and
/// metrics: [`super::report`].)
#[must_use]
pub fn ambitions(counts: &CohortCounts, catalogue: &Catalogue) -> Vec<AmbitionRow> {
    ambitions_of(counts, &super::metrics::of_catalogue(catalogue))
}

/// The rates of `metrics` from `counts` (those `counts` has), against their targets.
pub(super) fn ambitions_of(counts: &CohortCounts, metrics: &[CountedMetric]) -> Vec<AmbitionRow> {
    metrics
        .iter()
        .filter_map(|metric| {
            let i = counts.metric_ids().iter().position(|m| *m == metric.id)?;
            let q: Vec<(u64, u64)> = (0..6).map(|q| counts.metric(i, q)).collect();
            let sum = |r: std::ops::Range<usize>| {
                q[r].iter().fold((0, 0), |(n, d), (a, b)| (n + a, d + b))
            };
            let e = metric.expected_prevalence;
            let est = |(n, d): (u64, u64)| RateEstimate::for_metric(n, d, e);
            let core20 = est(q[0]);
            let rest = est(sum(1..5));
            let overall = est(sum(0..6));
            let target = metric.target.as_ref();
            let meets = |r: &RateEstimate| Some(r.rate? >= target?.at_least);
            Some(AmbitionRow {
                metric: metric.id.clone(),
                label: metric.label.clone(),
                area: metric.area.clone(),
                target: target.map(|t| t.at_least),
                target_by: target.and_then(|t| t.by.clone()),
                target_status: target.map(|t| t.status),
                gap_pp: match (rest.rate, core20.rate) {
                    (Some(r), Some(c)) => Some((r - c) * 100.0),
                    _ => None,
                },
                core20_meets_target: meets(&core20),
                overall_meets_target: meets(&overall),
                by_quintile: [0, 1, 2, 3, 4].map(|k| est(q[k])),
                unknown_deprivation: est(q[5]),
                overall,
                core20,
                rest,
                expected_prevalence: e,
                local: metric.local,
                target_is_local: metric.target_is_local,
            })
        })
        .collect()
}
