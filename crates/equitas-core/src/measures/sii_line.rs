//! The slope index of inequality (SII) by a named method, with one sentence on what its interval
//! includes: what the data page and an assessment's report list for an ordered dimension, the
//! Fingertips method first (OHID's, the default in England), then WHO HEAT's.
//!
//! The two differ in their intervals, not in what the SII is: both fit a line across the
//! subgroups placed at their ridits, weighted by population. HEAT's logistic interval comes
//! from the population sizes the model is fitted to, so it narrows as populations grow however
//! uncertain each subgroup's estimate is; the Fingertips interval comes from each subgroup's own
//! standard error or limits. The Fingertips limits here are the closed form its Monte Carlo
//! limits converge to ([`sii_analytic_fit`]): the SII is linear in normal values, so its draws
//! are exactly normal. The simulation itself costs a browser module 45 KB (18.6 KB gzipped).
//!
//! ```
//! use equitas_core::measures::sii_line::{FINGERTIPS_SII, FingertipsInput, SiiLine};
//!
//! let subgroups = (1..=5u32).map(|q| FingertipsInput {
//!     label: "",
//!     order: q,
//!     estimate: Some(60.0 + 3.0 * f64::from(q)),
//!     population: Some(1000.0),
//!     se: Some(1.0),
//!     lower: None,
//!     upper: None,
//! });
//! let line = SiiLine::fingertips(subgroups, 0.95);
//! assert_eq!(line.method, FINGERTIPS_SII);
//! // 3 points per quintile across five equal quintiles: a slope of 15 from end to end.
//! assert!((line.value.unwrap() - 15.0).abs() < 1e-9);
//! assert!(line.lower.unwrap() < 15.0 && line.upper.unwrap() > 15.0);
//! ```

use serde::Serialize;

use super::SiiMethod;
use super::chart::part::{number, text};
use super::chart::{Chart, Note};
use super::phe::sii::{MAX_QUANTILES, MIN_QUANTILES, SiiOptions, SiiRow, sii_analytic_fit};

/// A value with its lower and upper limits, when it has them.
pub type WithLimits = (f64, Option<f64>, Option<f64>);

/// The SII by one method, with what its interval includes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SiiLine {
    /// The method, named.
    pub method: &'static str,
    /// The SII, on the indicator's scale; `None` when it could not be computed.
    pub value: Option<f64>,
    /// Its interval's lower end.
    pub lower: Option<f64>,
    /// Its interval's upper end.
    pub upper: Option<f64>,
    /// The relative index of inequality the same fit gives: with the SII it places the fitted
    /// line's ends on a chart (the value at the most disadvantaged end is SII / (RII − 1)).
    pub rii: Option<f64>,
    /// Why it could not be computed.
    pub reason: Option<String>,
    /// One sentence on what its interval includes and leaves out.
    pub interval: &'static str,
}

/// The Fingertips method's name.
pub const FINGERTIPS_SII: &str = "Fingertips (OHID): weighted regression on the ridits";

/// What the Fingertips SII's interval includes.
pub const FINGERTIPS_INTERVAL: &str = "Its interval comes from each subgroup's own confidence interval (or standard error), as the Fingertips simulation draws them, so it includes the uncertainty in the subgroups' estimates.";

/// Why the Fingertips SII was not computed when its inputs do not fit the method otherwise
/// (orders not 1 to n, a population of 0, …). The method's own messages (`PheError`) cost a
/// browser module 2.9 KB raw, 0.8 KB gzipped.
pub const FINGERTIPS_NEEDS: &str = "the Fingertips method needs 5 to 100 subgroups in order (1, 2, 3, …), each with a population above 0 and a standard error or limits";

/// WHO HEAT's method's name and what its interval includes, by the fit it uses.
#[must_use]
pub const fn heat_method(method: SiiMethod) -> (&'static str, &'static str) {
    match method {
        SiiMethod::Logistic => (
            "WHO HEAT: logistic regression",
            "Its interval comes from the population sizes the regression is fitted to, not from the subgroups' own intervals, so it leaves out the uncertainty in their estimates and narrows as populations grow.",
        ),
        SiiMethod::Linear => (
            "WHO HEAT: linear regression weighted by population",
            "Its interval comes from the scatter of the subgroups about the fitted line (a robust standard error), not from the subgroups' own intervals.",
        ),
    }
}

/// One subgroup as the Fingertips method reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FingertipsInput<'a> {
    /// Its label, to name it when it cannot be used.
    pub label: &'a str,
    /// Its place in the order, 1 = most disadvantaged.
    pub order: u32,
    /// Its estimate.
    pub estimate: Option<f64>,
    /// Its population.
    pub population: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Its lower 95% limit, used when there is no standard error.
    pub lower: Option<f64>,
    /// Its upper 95% limit.
    pub upper: Option<f64>,
}

impl SiiLine {
    /// A line that could not be computed, and why.
    fn refused(method: &'static str, interval: &'static str, reason: String) -> Self {
        Self {
            method,
            value: None,
            lower: None,
            upper: None,
            rii: None,
            reason: Some(reason),
            interval,
        }
    }

    /// The Fingertips SII of an ordered dimension's subgroups, with limits at `confidence` (a
    /// proportion): values as given (normal, untransformed), limits from each subgroup's standard
    /// error, or from its limits read as 95% limits, as Fingertips reads them. Every subgroup
    /// needs an estimate, a population and a standard error or limits, and there must be 5 to
    /// 100 of them ordered 1 to n; otherwise the line says which is missing.
    pub fn fingertips<'a>(
        subgroups: impl IntoIterator<Item = FingertipsInput<'a>>,
        confidence: f64,
    ) -> Self {
        let refused = |reason| Self::refused(FINGERTIPS_SII, FINGERTIPS_INTERVAL, reason);
        let mut rows = Vec::new();
        for g in subgroups {
            let (Some(value), Some(population)) = (g.estimate, g.population) else {
                return refused(format!(
                    "subgroup {:?} has no estimate or no population",
                    g.label
                ));
            };
            if g.se.is_none() && g.lower.zip(g.upper).is_none() {
                return refused(format!(
                    "subgroup {:?} has no standard error or limits",
                    g.label
                ));
            }
            rows.push(SiiRow {
                quantile: g.order,
                population,
                value,
                se: g.se,
                lower_cl: g.lower,
                upper_cl: g.upper,
            });
        }
        let range = MIN_QUANTILES as usize..=MAX_QUANTILES as usize;
        if !range.contains(&rows.len()) {
            return refused(format!(
                "the Fingertips method needs 5 to 100 subgroups; this table has {}",
                rows.len()
            ));
        }
        let options = SiiOptions {
            confidence: vec![confidence],
            ..SiiOptions::default()
        };
        match sii_analytic_fit(&rows, &options) {
            Ok(Ok(fit)) => {
                let (lower, upper) = fit
                    .limits
                    .first()
                    .map_or((None, None), |i| (i.lower, i.upper));
                Self {
                    method: FINGERTIPS_SII,
                    value: Some(fit.sii),
                    lower,
                    upper,
                    rii: fit.rii,
                    reason: None,
                    interval: FINGERTIPS_INTERVAL,
                }
            }
            Ok(Err(reason)) => refused(reason.to_string()),
            Err(_) => refused(FINGERTIPS_NEEDS.to_owned()),
        }
    }

    /// WHO HEAT's SII by `method`, as the measures engine computed it: `sii` (value and
    /// limits) with the RII of the same fit, or why it was not computed.
    #[must_use]
    pub fn heat(method: SiiMethod, sii: Result<WithLimits, String>, rii: Option<f64>) -> Self {
        let (name, interval) = heat_method(method);
        match sii {
            Ok((value, lower, upper)) => Self {
                method: name,
                value: Some(value),
                lower,
                upper,
                rii,
                reason: None,
                interval,
            },
            Err(reason) => Self::refused(name, interval, reason),
        }
    }

    /// The SII with its limits and the RII, as a chart takes them.
    #[must_use]
    pub fn for_chart(&self) -> (Option<WithLimits>, Option<f64>) {
        (self.value.map(|v| (v, self.lower, self.upper)), self.rii)
    }
}

/// How to read the SII line of `chart`, drawn by `method` (the drawn line's
/// [`SiiLine::method`]): where the subgroups sit, which method the line is, its ends and its
/// slope. `None` when the chart has no line.
#[must_use]
pub fn line_note(chart: &Chart, method: &'static str) -> Option<Note> {
    let sii = chart.sii?;
    let (at0, at1) = sii.line()?;
    Some(vec![
        text(
            "Each subgroup sits at the middle of its share of the population (its ridit), from \
             the most disadvantaged (0) to the least (1). The dashed line is the SII by ",
        ),
        text(method),
        text(". It joins the values that method fits at the two ends, "),
        number(at0, 2),
        text(" and "),
        number(at1, 2),
        text(" (from its SII and RII), so its slope is the SII ("),
        number(sii.value, 1),
        text(")."),
    ])
}

/// The line a chart draws: the first that was computed (the Fingertips method's, when it could
/// be, as the lines are listed with it first).
#[must_use]
pub fn drawn(lines: &[SiiLine]) -> Option<&SiiLine> {
    lines.iter().find(|l| l.value.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::phe::sii::{SiiOptions, phe_sii};
    use approx::assert_relative_eq;

    fn quintiles(se: Option<f64>) -> Vec<FingertipsInput<'static>> {
        [68.2, 72.5, 76.1, 78.9, 81.4]
            .iter()
            .zip([21_400.0, 23_900.0, 26_800.0, 28_100.0, 29_700.0])
            .zip(1..)
            .map(|((&estimate, population), order)| FingertipsInput {
                label: "Q",
                order,
                estimate: Some(estimate),
                population: Some(population),
                se,
                lower: se.map(|s| estimate - 1.959_963_984_540_054 * s),
                upper: se.map(|s| estimate + 1.959_963_984_540_054 * s),
            })
            .collect()
    }

    /// The line is `phe_sii`'s point estimate and RII, with limits within Monte Carlo error of
    /// its simulated ones; limits alone give the same as the standard error they came from.
    #[test]
    fn the_fingertips_line_is_phe_sii() {
        let line = SiiLine::fingertips(quintiles(Some(0.8)), 0.95);
        let rows: Vec<SiiRow> = quintiles(Some(0.8))
            .iter()
            .map(|g| SiiRow {
                quantile: g.order,
                population: g.population.unwrap(),
                value: g.estimate.unwrap(),
                se: g.se,
                lower_cl: None,
                upper_cl: None,
            })
            .collect();
        let r = phe_sii(
            &rows,
            &SiiOptions {
                seed: 11,
                ..SiiOptions::default()
            },
        )
        .unwrap();
        assert_relative_eq!(line.value.unwrap(), r.sii.unwrap(), max_relative = 1e-12);
        assert_relative_eq!(line.rii.unwrap(), r.rii.unwrap(), max_relative = 1e-12);
        let width = line.upper.unwrap() - line.lower.unwrap();
        let ci = &r.intervals[0];
        assert!((ci.sii_lower.unwrap() - line.lower.unwrap()).abs() < 0.02 * width);
        assert!((ci.sii_upper.unwrap() - line.upper.unwrap()).abs() < 0.02 * width);
        let mut limits_only = quintiles(Some(0.8));
        for g in &mut limits_only {
            g.se = None;
        }
        let from_limits = SiiLine::fingertips(limits_only, 0.95);
        assert_relative_eq!(
            from_limits.lower.unwrap(),
            line.lower.unwrap(),
            max_relative = 1e-12
        );
    }

    #[test]
    fn a_line_that_cannot_be_computed_says_why() {
        let four = SiiLine::fingertips(quintiles(Some(1.0)).into_iter().take(4), 0.95);
        assert_eq!(
            four.reason.as_deref(),
            Some("the Fingertips method needs 5 to 100 subgroups; this table has 4")
        );
        assert_eq!(four.value, None);
        let bare = SiiLine::fingertips(quintiles(None), 0.95);
        assert_eq!(
            bare.reason.as_deref(),
            Some("subgroup \"Q\" has no standard error or limits")
        );
        let mut gap = quintiles(Some(1.0));
        gap[3].order = 0;
        assert_eq!(
            SiiLine::fingertips(gap, 0.95).reason.as_deref(),
            Some(FINGERTIPS_NEEDS)
        );
        let heat = SiiLine::heat(SiiMethod::Logistic, Err("no population".into()), None);
        assert_eq!(heat.method, "WHO HEAT: logistic regression");
        assert_eq!(heat.reason.as_deref(), Some("no population"));
        let lines = [
            four,
            SiiLine::heat(SiiMethod::Linear, Ok((2.0, None, None)), None),
        ];
        assert_eq!(
            drawn(&lines).map(|l| l.method),
            Some("WHO HEAT: linear regression weighted by population")
        );
    }
}
