//! Ambition tracking: each metric's rate for Core20, the rest and each quintile, against target.

use serde::Serialize;

use super::CohortCounts;
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
}

/// Every metric's rates from `counts`, in catalogue order.
#[must_use]
pub fn ambitions(counts: &CohortCounts, catalogue: &Catalogue) -> Vec<AmbitionRow> {
    catalogue
        .metrics()
        .filter_map(|(area, metric)| {
            let i = counts.metric_ids().iter().position(|m| *m == metric.id)?;
            let q: Vec<(u64, u64)> = (0..6).map(|q| counts.metric(i, q)).collect();
            let sum = |r: std::ops::Range<usize>| {
                q[r].iter().fold((0, 0), |(n, d), (a, b)| (n + a, d + b))
            };
            let (on, od) = sum(0..6);
            let (rn, rd) = sum(1..5);
            let core20 = RateEstimate::new(q[0].0, q[0].1);
            let rest = RateEstimate::new(rn, rd);
            let overall = RateEstimate::new(on, od);
            let target = metric.target.as_ref();
            let meets = |r: &RateEstimate| Some(r.rate? >= target?.at_least);
            Some(AmbitionRow {
                metric: metric.id.clone(),
                label: metric.label.clone(),
                area: area.id.clone(),
                target: target.map(|t| t.at_least),
                target_by: target.and_then(|t| t.by.clone()),
                target_status: target.map(|t| t.status),
                gap_pp: match (rest.rate, core20.rate) {
                    (Some(r), Some(c)) => Some((r - c) * 100.0),
                    _ => None,
                },
                core20_meets_target: meets(&core20),
                overall_meets_target: meets(&overall),
                by_quintile: [0, 1, 2, 3, 4].map(|k| RateEstimate::new(q[k].0, q[k].1)),
                unknown_deprivation: RateEstimate::new(q[5].0, q[5].1),
                overall,
                core20,
                rest,
            })
        })
        .collect()
}
