//! The recent trend of an indicator, as OHID's Fingertips marks it (issue 15).
//!
//! Fingertips marks each indicator's **recent trend** from its five most recent points:
//! "increasing", "decreasing", "no significant change" or "cannot be calculated", and colours it
//! better or worse by the indicator's polarity. The method depends on the value type; this module
//! follows the two that OHID publishes, and refuses the rest with the reason:
//!
//! - **Proportions** (a numerator and a denominator per period): the **chi-squared test for
//!   trend** (Cochran–Armitage; R's `prop.trend.test`), over the periods' times t:
//!   χ² = N·(N·Σrₜt − R·Σnₜt)² / (R·(N − R)·(N·Σnₜt² − (Σnₜt)²)), with N = Σnₜ and R = Σrₜ. Its
//!   direction is the sign of the least-squares slope of the log-odds ln(r/(n − r)) on t.
//! - **Every other value type with confidence limits** (crude rates, directly and indirectly
//!   standardised rates, ratios, life expectancy, the slope index of inequality, means,
//!   medians, gaps): **weighted least squares** of the value on t with weights w = 1/SE², the
//!   standard error taken from the limits, SE = (upper − lower)/(2·z) (z = 1.96 at 95%). The
//!   slope β = (Σw·Σwty − Σwt·Σwy)/(Σw·Σwt² − (Σwt)²), its standard error
//!   √(Σw/(Σw·Σwt² − (Σwt)²)), and χ² = (β/SE_β)².
//!
//! Either way the trend is **significant** when χ² exceeds 9.5495, the 99.8% point of the
//! chi-squared distribution with one degree of freedom (3.0902², a two-sided 99.8% test), and
//! there is **no outlier**: each of the five slopes with one point left out has the same sign as
//! the slope of all five (otherwise "no significant change", with the reason "outlier found").
//!
//! Conditions, as OHID states them: at least five points; one point per period; periods that do
//! not overlap (rolling periods such as 2016-18, 2017-19 are not independent); the five most
//! recent points all present (a break in the series stops the calculation); for proportions a
//! numerator and denominator, for the rest confidence limits. A proportion of 0 or 1 has no
//! log-odds, so its series cannot be calculated either (Fingertips refuses a count equal to its
//! denominator for the same reason). Fingertips publishes no recent-trend method for counts or
//! for values without confidence limits: those are "cannot be calculated", never a guess.
//!
//! Time is the period's mid-year ([`period_year`]: `2019` is 2019, `2019/20` 2019.5). Fingertips'
//! own code numbers the five points 1 to 5; for yearly points the two give the same χ² and
//! direction (both are unchanged by moving or stretching the time axis), and for periods that are
//! not evenly spaced the mid-years are what PHEindicatormethods uses (its `year_col`).
//!
//! Sources:
//! - OHID, *Fingertips public health technical guidance: trend markers*
//!   (fingertips.phe.org.uk/static-reports/public-health-technical-guidance/Presentation/Trend_markers.html),
//!   cited by PHEindicatormethods' `assign_trend_markers` (R/assign_trend_markers.R), whose notes
//!   list the conditions and value types above and whose code has the 9.5495 threshold, the
//!   weighted regression from the limits and the leave-one-out outlier check.
//! - The Fingertips source, `TrendMarkerCalculator.cs` and `TrendRequest.cs` in
//!   ukhsa-collaboration/fingertips-open (PholioVisualisationWS/Analysis/TrendMarkers): five
//!   points, `ChiSquareConfidence = 9.54953570608324`, the chi-squared formula for proportions,
//!   the weighted sums with SE = (UCI95 − LCI95)/3.92, and six slopes (all points, then each
//!   left out) that must agree in sign.

use equitas_lean::Num;
use serde::Serialize;

use super::intervals::{IntervalError, confidence_level, z_for};
use super::legap::{period_span, period_year};

/// How many of the most recent points the test uses (Fingertips: five).
pub const RECENT_POINTS: usize = 5;

/// The most points a series may have (the test reads the last [`RECENT_POINTS`]; a longer
/// series is most likely the wrong column).
pub const MAX_TREND_POINTS: usize = 1000;

/// The χ² a trend must exceed to be significant: the 99.8% point of the chi-squared distribution
/// with one degree of freedom, as Fingertips uses it.
pub const CHI_SQUARED_THRESHOLD: f64 = 9.549_535_706_083_24;

/// What an indicator's values are, which decides the method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ValueType {
    /// A proportion or percentage with its numerator and denominator.
    Proportion,
    /// A crude rate with confidence limits.
    CrudeRate,
    /// A directly standardised rate with confidence limits.
    Dsr,
    /// An indirectly standardised rate or ratio with confidence limits.
    Isr,
    /// A ratio (e.g. a rate ratio) with confidence limits.
    Ratio,
    /// Life expectancy with confidence limits.
    LifeExpectancy,
    /// A slope index of inequality with confidence limits.
    Sii,
    /// A mean with confidence limits.
    Mean,
    /// A median with confidence limits.
    Median,
    /// A gap between two groups with confidence limits.
    Gap,
    /// A count: Fingertips publishes no recent-trend method for counts.
    Count,
    /// Any other value: no published method.
    Other,
}

/// The method Fingertips uses for a value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// The chi-squared test for trend in proportions.
    ChiSquaredForTrend,
    /// Weighted least squares on the values, weights from the confidence limits.
    WeightedRegression,
}

impl ValueType {
    /// The method for this value type, or why there is none.
    ///
    /// # Errors
    /// The reason, in words, for counts and other values without a published method.
    pub fn method(self) -> Result<Method, &'static str> {
        match self {
            Self::Proportion => Ok(Method::ChiSquaredForTrend),
            Self::CrudeRate
            | Self::Dsr
            | Self::Isr
            | Self::Ratio
            | Self::LifeExpectancy
            | Self::Sii
            | Self::Mean
            | Self::Median
            | Self::Gap => Ok(Method::WeightedRegression),
            Self::Count => Err("Fingertips publishes no recent-trend method for counts"),
            Self::Other => Err("Fingertips publishes no recent-trend method for this value type"),
        }
    }
}

/// Which direction is better for an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Polarity {
    /// Higher values are better (e.g. screening coverage).
    HigherIsBetter,
    /// Lower values are better (e.g. mortality).
    LowerIsBetter,
    /// Neither direction is better (e.g. a count of births).
    NoJudgement,
}

/// One period of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Point<'a> {
    /// The period's label (a year or a range of years; see [`period_year`]).
    pub period: &'a str,
    /// The value (needed by the weighted regression).
    pub value: Option<f64>,
    /// The lower confidence limit.
    pub lower: Option<f64>,
    /// The upper confidence limit.
    pub upper: Option<f64>,
    /// The numerator (needed for proportions).
    pub numerator: Option<f64>,
    /// The denominator (needed for proportions).
    pub denominator: Option<f64>,
}

/// The recent trend's marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Marker {
    /// A significant upward trend.
    Increasing,
    /// A significant downward trend.
    Decreasing,
    /// No significant trend (or an outlier).
    NoSignificantChange,
    /// The test does not apply (see the reason).
    CannotBeCalculated,
}

impl Marker {
    /// The marker in words, as Fingertips prints it.
    #[must_use]
    pub const fn words(self) -> &'static str {
        match self {
            Self::Increasing => "increasing",
            Self::Decreasing => "decreasing",
            Self::NoSignificantChange => "no significant change",
            Self::CannotBeCalculated => "cannot be calculated",
        }
    }
}

/// Whether a significant trend is for the better or the worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Judgement {
    /// Moving in the better direction.
    Better,
    /// Moving in the worse direction.
    Worse,
}

/// The recent trend of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct RecentTrend {
    /// Increasing, decreasing, no significant change, or cannot be calculated.
    pub marker: Marker,
    /// Better or worse, for a significant trend of an indicator with a polarity.
    pub judgement: Option<Judgement>,
    /// The method used, when one applied.
    pub method: Option<Method>,
    /// The periods the test used, oldest first.
    pub periods: Vec<String>,
    /// The test statistic.
    pub chi_squared: Option<f64>,
    /// The slope per year (of the log-odds for proportions, of the value otherwise).
    pub slope: Option<f64>,
    /// Why, in words: "significant trend, no outlier", "no significant trend", "outlier found",
    /// or why the trend cannot be calculated.
    pub reason: String,
}

impl RecentTrend {
    /// "Cannot be calculated", for `reason`.
    pub(crate) fn cannot(reason: impl Into<String>) -> Self {
        Self {
            marker: Marker::CannotBeCalculated,
            judgement: None,
            method: None,
            periods: Vec::new(),
            chi_squared: None,
            slope: None,
            reason: reason.into(),
        }
    }

    /// The marker with its judgement in words: "increasing and getting better", "decreasing",
    /// "no significant change"…
    #[must_use]
    pub fn words(&self) -> String {
        match self.judgement {
            Some(Judgement::Better) => format!("{} and getting better", self.marker.words()),
            Some(Judgement::Worse) => format!("{} and getting worse", self.marker.words()),
            None => self.marker.words().to_owned(),
        }
    }
}

/// What is wrong with a series' input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TrendError {
    /// A number that cannot be (negative, not finite, a numerator above its denominator, a lower
    /// limit above its upper).
    #[error("period {period:?}, {field}: {} {problem}", Num(*.value))]
    Value {
        /// The period's label.
        period: String,
        /// The field.
        field: &'static str,
        /// The value.
        value: f64,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// More points than [`MAX_TREND_POINTS`].
    #[error("{count} points is more than {MAX_TREND_POINTS} in one series")]
    TooManyPoints {
        /// How many.
        count: usize,
    },
    /// A confidence level outside its range.
    #[error(transparent)]
    Confidence(#[from] IntervalError),
}

/// The recent trend of `points` (any order) of an indicator of `value_type` and `polarity`,
/// whose limits are at `confidence` (0.95 or 95 for 95% limits; only the weighted regression
/// reads it). See the module docs for the method.
///
/// ```
/// use equitas_core::measures::trend::{Marker, Point, Polarity, ValueType, recent_trend};
/// // Screening uptake, 1,000 invited a year, 100, 115, 130, 145, 160 screened.
/// let periods = ["2019", "2020", "2021", "2022", "2023"];
/// let points: Vec<Point> = periods
///     .iter()
///     .zip([100.0, 115.0, 130.0, 145.0, 160.0])
///     .map(|(p, r)| Point { period: p, value: None, lower: None, upper: None,
///                           numerator: Some(r), denominator: Some(1000.0) })
///     .collect();
/// let t = recent_trend(&points, ValueType::Proportion, Polarity::HigherIsBetter, 0.95)?;
/// assert_eq!(t.marker, Marker::Increasing);
/// assert_eq!(t.words(), "increasing and getting better");
/// # Ok::<(), equitas_core::measures::trend::TrendError>(())
/// ```
///
/// # Errors
/// A value that cannot be (negative counts, a numerator above its denominator, a lower limit
/// above its upper, anything not finite), naming the period and field; more than
/// [`MAX_TREND_POINTS`] points; a confidence level out of range. Series the test does not apply
/// to are a [`Marker::CannotBeCalculated`] with the reason, not an error.
pub fn recent_trend(
    points: &[Point<'_>],
    value_type: ValueType,
    polarity: Polarity,
    confidence: f64,
) -> Result<RecentTrend, TrendError> {
    if points.len() > MAX_TREND_POINTS {
        return Err(TrendError::TooManyPoints {
            count: points.len(),
        });
    }
    let z = z_for(confidence_level(confidence)?);
    for p in points {
        check_point(p)?;
    }
    let method = match value_type.method() {
        Ok(m) => m,
        Err(why) => return Ok(RecentTrend::cannot(why)),
    };
    let recent = match recent_points(points) {
        Ok(r) => r,
        Err(why) => return Ok(RecentTrend::cannot(why)),
    };
    let fit = match method {
        Method::ChiSquaredForTrend => proportion_series(&recent).map(|s| {
            let (t, logit): (Vec<f64>, Vec<f64>) = s.iter().map(|x| (x.0, x.3)).unzip();
            let (r, n): (Vec<f64>, Vec<f64>) = s.iter().map(|x| (x.1, x.2)).unzip();
            Fit {
                chi_squared: chi_squared_for_trend(&t, &r, &n),
                slope: ols_slope(&t, &logit),
                left_out: leave_one_out(&t, &logit, None),
            }
        }),
        Method::WeightedRegression => limits_series(&recent, z).map(|s| {
            let Weighted { t, y, w } = s;
            let (slope, se) = weighted_slope(&t, &y, &w);
            Fit {
                chi_squared: (slope / se).powi(2),
                slope,
                left_out: leave_one_out(&t, &y, Some(&w)),
            }
        }),
    };
    let fit = match fit {
        Ok(f) => f,
        Err(why) => return Ok(RecentTrend::cannot(why)),
    };
    Ok(judge(fit, method, polarity, &recent))
}

/// A fitted series: the statistic, the slope and the slopes with each point left out.
struct Fit {
    chi_squared: f64,
    slope: f64,
    left_out: Vec<f64>,
}

/// The marker from a fit (see the module docs).
fn judge(
    fit: Fit,
    method: Method,
    polarity: Polarity,
    recent: &[(f64, &Point<'_>)],
) -> RecentTrend {
    let mut t = RecentTrend {
        marker: Marker::NoSignificantChange,
        judgement: None,
        method: Some(method),
        periods: recent.iter().map(|(_, p)| p.period.to_owned()).collect(),
        chi_squared: Some(fit.chi_squared).filter(|x| x.is_finite()),
        slope: Some(fit.slope).filter(|x| x.is_finite()),
        reason: "no significant trend".to_owned(),
    };
    if !(fit.chi_squared.is_finite() && fit.slope.is_finite()) {
        return RecentTrend::cannot(
            "the series' numbers are beyond the range of double-precision arithmetic",
        );
    }
    if fit.chi_squared <= CHI_SQUARED_THRESHOLD {
        return t;
    }
    let sign = fit.slope.signum();
    if fit.slope == 0.0 || fit.left_out.iter().any(|s| s.signum() != sign || *s == 0.0) {
        t.reason = "outlier found: a slope with one point left out goes the other way".to_owned();
        return t;
    }
    t.reason = "significant trend, no outlier".to_owned();
    t.marker = if sign > 0.0 {
        Marker::Increasing
    } else {
        Marker::Decreasing
    };
    t.judgement = match (polarity, t.marker) {
        (Polarity::HigherIsBetter, Marker::Increasing)
        | (Polarity::LowerIsBetter, Marker::Decreasing) => Some(Judgement::Better),
        (Polarity::HigherIsBetter, Marker::Decreasing)
        | (Polarity::LowerIsBetter, Marker::Increasing) => Some(Judgement::Worse),
        _ => None,
    };
    t
}

fn check_point(p: &Point<'_>) -> Result<(), TrendError> {
    let bad = |field, value, problem| TrendError::Value {
        period: p.period.to_owned(),
        field,
        value,
        problem,
    };
    for (field, v) in [
        ("value", p.value),
        ("lower", p.lower),
        ("upper", p.upper),
        ("numerator", p.numerator),
        ("denominator", p.denominator),
    ] {
        if let Some(v) = v
            && !v.is_finite()
        {
            return Err(bad(field, v, "is not a finite number"));
        }
    }
    for (field, v) in [("numerator", p.numerator), ("denominator", p.denominator)] {
        if let Some(v) = v
            && v < 0.0
        {
            return Err(bad(field, v, "must be zero or more"));
        }
    }
    if let (Some(r), Some(n)) = (p.numerator, p.denominator)
        && r > n
    {
        return Err(bad("numerator", r, "is above the denominator"));
    }
    if let (Some(l), Some(u)) = (p.lower, p.upper)
        && l > u
    {
        return Err(bad("lower", l, "is above the upper limit"));
    }
    Ok(())
}

/// The most recent [`RECENT_POINTS`] points with their times, oldest first, or why not.
fn recent_points<'p, 'a>(points: &'p [Point<'a>]) -> Result<Vec<(f64, &'p Point<'a>)>, String> {
    let mut timed = Vec::with_capacity(points.len());
    for p in points {
        let (Some(year), Some(span)) = (period_year(p.period), period_span(p.period)) else {
            return Err(format!(
                "period {:?} is not a year or a range of years (monthly and quarterly data are not tested)",
                p.period
            ));
        };
        timed.push((year, span, p));
    }
    crate::sort::sort_by(&mut timed, |a, b| a.0.total_cmp(&b.0));
    if timed.len() < RECENT_POINTS {
        return Err(format!(
            "fewer than {RECENT_POINTS} points ({}): the test needs the {RECENT_POINTS} most recent",
            timed.len()
        ));
    }
    let recent = timed.get(timed.len() - RECENT_POINTS..).unwrap_or_default();
    for pair in recent.windows(2) {
        if let [(_, first, a), (_, second, b)] = pair
            && interval(b.period, *second).0 < interval(a.period, *first).1
        {
            return Err(format!(
                "periods {:?} and {:?} overlap: rolling periods are not independent",
                a.period, b.period
            ));
        }
    }
    Ok(recent.iter().map(|&(year, _, p)| (year, p)).collect())
}

/// The time a period covers, in years from the start of its first (inclusive) to the end
/// (exclusive), from its first and last years `span`: a year or a range of years (`2017-19`,
/// three pooled calendar years) from 1 January, and an NHS financial year (`2023/24`: a slash
/// and consecutive years) from 1 April to 31 March, so consecutive financial years meet and do
/// not overlap.
fn interval(label: &str, (first, last): (u32, u32)) -> (f64, f64) {
    let financial = last == first + 1 && label.contains('/');
    let offset = if financial { 0.25 } else { 0.0 };
    let end = if financial { first + 1 } else { last + 1 };
    (f64::from(first) + offset, f64::from(end) + offset)
}

/// Time, numerator, denominator and log-odds of each point, or why a point has none.
fn proportion_series(recent: &[(f64, &Point<'_>)]) -> Result<Vec<(f64, f64, f64, f64)>, String> {
    recent
        .iter()
        .map(|&(t, p)| {
            let (Some(r), Some(n)) = (p.numerator, p.denominator) else {
                return Err(format!(
                    "period {:?} has no numerator and denominator (a proportion's trend needs both)",
                    p.period
                ));
            };
            if r <= 0.0 || r >= n {
                return Err(format!(
                    "period {:?} has a proportion of {}, which has no log-odds",
                    p.period,
                    if r <= 0.0 { 0 } else { 1 }
                ));
            }
            Ok((t, r, n, libm::log(r / (n - r))))
        })
        .collect()
}

/// Times, values and weights of a weighted regression.
#[derive(Debug, Default)]
struct Weighted {
    t: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
}

/// Times, values and weights 1/SE² (SE from the limits at `z`), or why a point has none.
fn limits_series(recent: &[(f64, &Point<'_>)], z: f64) -> Result<Weighted, String> {
    let mut out = Weighted::default();
    for &(t, p) in recent {
        let (Some(y), Some(l), Some(u)) = (p.value, p.lower, p.upper) else {
            return Err(format!(
                "period {:?} has no value and confidence limits (the trend of this value type needs both)",
                p.period
            ));
        };
        let se = (u - l) / (2.0 * z);
        if se <= 0.0 || !se.is_finite() {
            return Err(format!(
                "period {:?} has no width between its confidence limits, so no weight",
                p.period
            ));
        }
        out.t.push(t);
        out.y.push(y);
        out.w.push(1.0 / (se * se));
    }
    Ok(out)
}

/// The chi-squared test for trend in proportions (Cochran–Armitage; R's `prop.trend.test`):
/// χ² = N·(N·Σrt − R·Σnt)² / (R·(N − R)·(N·Σnt² − (Σnt)²)), N = Σn, R = Σr.
#[must_use]
pub fn chi_squared_for_trend(t: &[f64], r: &[f64], n: &[f64]) -> f64 {
    let big_n: f64 = n.iter().sum();
    let big_r: f64 = r.iter().sum();
    // The statistic does not change when time moves, so centre it first: years near 2000
    // would otherwise lose the difference N·Σnt² − (Σnt)² to rounding.
    let centre = t.iter().sum::<f64>() / t.len().max(1) as f64;
    let (mut rt, mut nt, mut nt2) = (0.0, 0.0, 0.0);
    for ((&t, &r), &n) in t.iter().zip(r).zip(n) {
        let t = t - centre;
        rt += r * t;
        nt += n * t;
        nt2 += n * t * t;
    }
    big_n * (big_n * rt - big_r * nt).powi(2) / (big_r * (big_n - big_r) * (big_n * nt2 - nt * nt))
}

/// The least-squares slope of y on t.
fn ols_slope(t: &[f64], y: &[f64]) -> f64 {
    let ones = vec![1.0; t.len()];
    weighted_slope(t, y, &ones).0
}

/// The weighted least-squares slope of y on t (weights w) and its standard error
/// √(Σw/(Σw·Σwt² − (Σwt)²)) (the weights taken as 1/variance).
fn weighted_slope(t: &[f64], y: &[f64], w: &[f64]) -> (f64, f64) {
    // Centre time on its weighted mean first, so years near 2000 lose no precision.
    let sw: f64 = w.iter().sum();
    let tbar = t.iter().zip(w).map(|(t, w)| t * w).sum::<f64>() / sw;
    let (mut swt, mut swy, mut swtt, mut swty) = (0.0, 0.0, 0.0, 0.0);
    for ((&t, &y), &w) in t.iter().zip(y).zip(w) {
        let t = t - tbar;
        swt += w * t;
        swy += w * y;
        swtt += w * t * t;
        swty += w * t * y;
    }
    let d = sw * swtt - swt * swt;
    ((sw * swty - swt * swy) / d, (sw / d).sqrt())
}

/// The slopes with each point left out in turn.
fn leave_one_out(t: &[f64], y: &[f64], w: Option<&[f64]>) -> Vec<f64> {
    (0..t.len())
        .map(|k| {
            let keep = |v: &[f64]| -> Vec<f64> {
                v.iter()
                    .enumerate()
                    .filter(|&(i, _)| i != k)
                    .map(|(_, &x)| x)
                    .collect()
            };
            match w {
                Some(w) => weighted_slope(&keep(t), &keep(y), &keep(w)).0,
                None => ols_slope(&keep(t), &keep(y)),
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::float_cmp, reason = "tests")]
mod tests {
    use super::*;

    const YEARS: [&str; 5] = ["2019", "2020", "2021", "2022", "2023"];

    fn proportions<'a>(periods: &[&'a str], r: &[f64], n: f64) -> Vec<Point<'a>> {
        periods
            .iter()
            .zip(r)
            .map(|(p, &r)| Point {
                period: p,
                value: Some(r / n),
                lower: None,
                upper: None,
                numerator: Some(r),
                denominator: Some(n),
            })
            .collect()
    }

    /// Values with limits ± 1.96·se (so SE = se at 95%).
    fn with_limits<'a>(periods: &[&'a str], y: &[f64], se: f64) -> Vec<Point<'a>> {
        periods
            .iter()
            .zip(y)
            .map(|(p, &y)| Point {
                period: p,
                value: Some(y),
                lower: Some(y - 1.959_963_984_540_054 * se),
                upper: Some(y + 1.959_963_984_540_054 * se),
                numerator: None,
                denominator: None,
            })
            .collect()
    }

    fn trend(points: &[Point<'_>], v: ValueType, p: Polarity) -> RecentTrend {
        recent_trend(points, v, p, 0.95).unwrap()
    }

    /// 1,000 a year, r = 100, 115, 130, 145, 160, t = 1..5 (mid-years shift t, which changes
    /// nothing). t̄ = 3, Σr(t − t̄) = −200 − 115 + 0 + 145 + 320 = 150, p̄ = 650/5000 = 0.13,
    /// p̄(1 − p̄) = 0.1131, Σn(t − t̄)² = 1000 × 10 = 10,000, so
    /// χ² = 150² / (0.1131 × 10,000) = 22,500 / 1,131 = 19.894 > 9.5495: increasing.
    /// With r = 100, 110, 120, 130, 140: Σr(t − t̄) = 100, p̄ = 0.12, p̄(1 − p̄) = 0.1056,
    /// χ² = 10,000 / 1,056 = 9.4697 ≤ 9.5495: no significant change (just).
    #[test]
    fn proportions_by_hand() {
        let up = trend(
            &proportions(&YEARS, &[100.0, 115.0, 130.0, 145.0, 160.0], 1000.0),
            ValueType::Proportion,
            Polarity::HigherIsBetter,
        );
        assert!((up.chi_squared.unwrap() - 22_500.0 / 1_131.0).abs() < 1e-9);
        assert_eq!(up.marker, Marker::Increasing);
        assert_eq!(up.judgement, Some(Judgement::Better));
        assert_eq!(up.method, Some(Method::ChiSquaredForTrend));
        assert_eq!(up.periods, YEARS);
        let flat = trend(
            &proportions(&YEARS, &[100.0, 110.0, 120.0, 130.0, 140.0], 1000.0),
            ValueType::Proportion,
            Polarity::HigherIsBetter,
        );
        assert!((flat.chi_squared.unwrap() - 10_000.0 / 1_056.0).abs() < 1e-9);
        assert_eq!(flat.marker, Marker::NoSignificantChange);
        assert_eq!(flat.reason, "no significant trend");
        assert_eq!(flat.judgement, None);
    }

    /// The closed form is the Cochran–Armitage statistic [Σr(t − t̄)]² / (p̄(1 − p̄)Σn(t − t̄)²)
    /// (t̄ = Σnt/N), which R's `prop.trend.test` computes: its help page's example,
    /// prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82)), gives X-squared = 8.2249.
    #[test]
    fn the_closed_form_is_cochran_armitage() {
        let t = [1.0, 2.0, 3.0, 4.0];
        let r = [83.0, 90.0, 129.0, 70.0];
        let n = [86.0, 93.0, 136.0, 82.0];
        assert!((chi_squared_for_trend(&t, &r, &n) - 8.2249).abs() < 5e-5);
        // And on uneven counts and times against the textbook form.
        let t = [2001.0, 2003.0, 2004.0, 2007.0, 2008.0];
        let r = [12.0, 40.0, 33.0, 90.0, 61.0];
        let n = [300.0, 410.0, 290.0, 700.0, 380.0];
        let big_n: f64 = n.iter().sum();
        let p = r.iter().sum::<f64>() / big_n;
        let tbar = t.iter().zip(&n).map(|(t, n)| t * n).sum::<f64>() / big_n;
        let num: f64 = t.iter().zip(&r).map(|(t, r)| r * (t - tbar)).sum();
        let den: f64 = t.iter().zip(&n).map(|(t, n)| n * (t - tbar).powi(2)).sum();
        let textbook = num * num / (p * (1.0 - p) * den);
        let ours = chi_squared_for_trend(&t, &r, &n);
        assert!(
            (ours - textbook).abs() < 1e-6 * textbook,
            "{ours} vs {textbook}"
        );
    }

    /// Values 10, 11, 12, 13, 14 with SE 1: w = 1, β = Σ(t − t̄)y/Σ(t − t̄)² = 10/10 = 1,
    /// SE_β = √(1/10) = 0.3162, χ² = 1/0.1 = 10 > 9.5495: increasing, and for a mortality rate
    /// (lower is better) getting worse. Slope 0.9 (10, 10.9, …): χ² = 0.81 × 10 = 8.1: no
    /// significant change.
    #[test]
    fn weighted_regression_by_hand() {
        let up = trend(
            &with_limits(&YEARS, &[10.0, 11.0, 12.0, 13.0, 14.0], 1.0),
            ValueType::Dsr,
            Polarity::LowerIsBetter,
        );
        assert!((up.slope.unwrap() - 1.0).abs() < 1e-9);
        assert!((up.chi_squared.unwrap() - 10.0).abs() < 1e-6);
        assert_eq!(up.marker, Marker::Increasing);
        assert_eq!(up.words(), "increasing and getting worse");
        let slow = trend(
            &with_limits(&YEARS, &[10.0, 10.9, 11.8, 12.7, 13.6], 1.0),
            ValueType::LifeExpectancy,
            Polarity::HigherIsBetter,
        );
        assert!((slow.chi_squared.unwrap() - 8.1).abs() < 1e-6);
        assert_eq!(slow.marker, Marker::NoSignificantChange);
        // The limits' confidence sets the weights: the same limits read as 99.8% limits are
        // narrower in SE terms (z = 3.09 instead of 1.96), so χ² grows by (3.09/1.96)².
        let at_998 = recent_trend(
            &with_limits(&YEARS, &[10.0, 10.9, 11.8, 12.7, 13.6], 1.0),
            ValueType::LifeExpectancy,
            Polarity::HigherIsBetter,
            99.8,
        )
        .unwrap();
        let ratio = (z_for(0.998) / z_for(0.95)).powi(2);
        assert!((at_998.chi_squared.unwrap() - 8.1 * ratio).abs() < 1e-6);
        assert_eq!(at_998.marker, Marker::Increasing);
    }

    #[test]
    fn a_constant_series_has_no_significant_trend() {
        let p = trend(
            &proportions(&YEARS, &[250.0; 5], 1000.0),
            ValueType::Proportion,
            Polarity::HigherIsBetter,
        );
        assert_eq!(p.marker, Marker::NoSignificantChange);
        assert!(p.chi_squared.unwrap() < 1e-12);
        let v = trend(
            &with_limits(&YEARS, &[70.5; 5], 0.01),
            ValueType::LifeExpectancy,
            Polarity::HigherIsBetter,
        );
        assert_eq!(v.marker, Marker::NoSignificantChange);
        assert!(v.chi_squared.unwrap() < 1e-12);
    }

    #[test]
    fn reversing_time_reverses_the_direction() {
        let r = [100.0, 115.0, 130.0, 145.0, 160.0];
        let mut back = r;
        back.reverse();
        let a = trend(
            &proportions(&YEARS, &r, 1000.0),
            ValueType::Proportion,
            Polarity::HigherIsBetter,
        );
        let b = trend(
            &proportions(&YEARS, &back, 1000.0),
            ValueType::Proportion,
            Polarity::HigherIsBetter,
        );
        assert_eq!(
            (a.marker, b.marker),
            (Marker::Increasing, Marker::Decreasing)
        );
        assert_eq!(b.judgement, Some(Judgement::Worse));
        assert!((a.chi_squared.unwrap() - b.chi_squared.unwrap()).abs() < 1e-9);
        assert!((a.slope.unwrap() + b.slope.unwrap()).abs() < 1e-12);
        let y = [3.0, 3.4, 3.9, 4.1, 4.8];
        let mut yb = y;
        yb.reverse();
        let c = trend(
            &with_limits(&YEARS, &y, 0.1),
            ValueType::Mean,
            Polarity::NoJudgement,
        );
        let d = trend(
            &with_limits(&YEARS, &yb, 0.1),
            ValueType::Mean,
            Polarity::NoJudgement,
        );
        assert_eq!(
            (c.marker, d.marker),
            (Marker::Increasing, Marker::Decreasing)
        );
        assert_eq!((c.judgement, d.judgement), (None, None));
        assert!((c.slope.unwrap() + d.slope.unwrap()).abs() < 1e-12);
    }

    /// 10.2, 10.1, 10.0, 9.9 then 20 with SE 0.1: the slope of all five is steeply up and
    /// significant, but without the last point it is down: an outlier, so no significant change.
    #[test]
    fn an_outlier_stops_the_marker() {
        let t = trend(
            &with_limits(&YEARS, &[10.2, 10.1, 10.0, 9.9, 20.0], 0.1),
            ValueType::CrudeRate,
            Polarity::LowerIsBetter,
        );
        assert!(t.chi_squared.unwrap() > CHI_SQUARED_THRESHOLD);
        assert_eq!(t.marker, Marker::NoSignificantChange);
        assert!(t.reason.starts_with("outlier found"));
    }

    #[test]
    fn only_the_five_most_recent_points_count() {
        // Six years, the first far off: it is not used, whatever order the points come in.
        let periods = ["2018", "2019", "2020", "2021", "2022", "2023"];
        let mut points = with_limits(&periods, &[99.0, 10.0, 11.0, 12.0, 13.0, 14.0], 1.0);
        points.reverse();
        let t = trend(&points, ValueType::Dsr, Polarity::LowerIsBetter);
        assert_eq!(t.periods, YEARS);
        assert!((t.slope.unwrap() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn what_cannot_be_calculated_says_why() {
        let five = with_limits(&YEARS, &[1.0, 2.0, 3.0, 4.0, 5.0], 0.1);
        let c = trend(&five, ValueType::Count, Polarity::NoJudgement);
        assert_eq!(c.marker, Marker::CannotBeCalculated);
        assert_eq!(
            c.reason,
            "Fingertips publishes no recent-trend method for counts"
        );
        let o = trend(&five, ValueType::Other, Polarity::NoJudgement);
        assert_eq!(
            o.reason,
            "Fingertips publishes no recent-trend method for this value type"
        );
        let four = trend(&five[1..], ValueType::Dsr, Polarity::LowerIsBetter);
        assert_eq!(
            four.reason,
            "fewer than 5 points (4): the test needs the 5 most recent"
        );
        let rolling = with_limits(
            &["2015-17", "2016-18", "2017-19", "2018-20", "2019-21"],
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            0.1,
        );
        assert_eq!(
            trend(
                &rolling,
                ValueType::LifeExpectancy,
                Polarity::HigherIsBetter
            )
            .reason,
            "periods \"2015-17\" and \"2016-18\" overlap: rolling periods are not independent"
        );
        let months = with_limits(&["2023-01", "b", "c", "d", "e"], &[1.0; 5], 0.1);
        assert!(
            trend(&months, ValueType::Dsr, Polarity::LowerIsBetter)
                .reason
                .starts_with("period \"2023-01\" is not a year")
        );
        let mut gap = five.clone();
        gap[2].lower = None;
        assert_eq!(
            trend(&gap, ValueType::Dsr, Polarity::LowerIsBetter).reason,
            "period \"2021\" has no value and confidence limits (the trend of this value type needs both)"
        );
        let zero = proportions(&YEARS, &[0.0, 1.0, 2.0, 3.0, 4.0], 100.0);
        assert_eq!(
            trend(&zero, ValueType::Proportion, Polarity::HigherIsBetter).reason,
            "period \"2019\" has a proportion of 0, which has no log-odds"
        );
        assert_eq!(
            trend(&five, ValueType::Proportion, Polarity::HigherIsBetter).reason,
            "period \"2019\" has no numerator and denominator (a proportion's trend needs both)"
        );
        // Consecutive financial years meet without overlapping (April to March); a range of
        // calendar years written with a slash still overlaps the next.
        let financial = with_limits(
            &["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"],
            &[10.0, 11.0, 12.0, 13.0, 14.0],
            1.0,
        );
        let t = trend(&financial, ValueType::Dsr, Polarity::LowerIsBetter);
        assert_ne!(t.marker, Marker::CannotBeCalculated, "{}", t.reason);
        let slashed = with_limits(
            &["2015/17", "2016/18", "2017/19", "2018/20", "2019/21"],
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            0.1,
        );
        assert!(
            trend(&slashed, ValueType::Dsr, Polarity::LowerIsBetter)
                .reason
                .contains("overlap")
        );
        // Non-overlapping three-year periods are fine.
        let pooled = with_limits(
            &["2005-07", "2008-10", "2011-13", "2014-16", "2017-19"],
            &[10.0, 11.0, 12.0, 13.0, 14.0],
            1.0,
        );
        let t = trend(&pooled, ValueType::LifeExpectancy, Polarity::HigherIsBetter);
        assert_ne!(t.marker, Marker::CannotBeCalculated);
    }

    #[test]
    fn impossible_values_are_errors_naming_the_period() {
        let mut p = proportions(&YEARS, &[1.0, 2.0, 3.0, 4.0, 5.0], 10.0);
        p[3].numerator = Some(11.0);
        assert_eq!(
            recent_trend(&p, ValueType::Proportion, Polarity::HigherIsBetter, 0.95)
                .unwrap_err()
                .to_string(),
            "period \"2022\", numerator: 11 is above the denominator"
        );
        let mut v = with_limits(&YEARS, &[1.0; 5], 0.1);
        v[0].value = Some(f64::NAN);
        assert_eq!(
            recent_trend(&v, ValueType::Dsr, Polarity::HigherIsBetter, 0.95)
                .unwrap_err()
                .to_string(),
            "period \"2019\", value: NaN is not a finite number"
        );
        assert!(matches!(
            recent_trend(&v, ValueType::Dsr, Polarity::HigherIsBetter, 0.5),
            Err(TrendError::Confidence(_))
        ));
    }

    proptest::proptest! {
        /// Any proportion series: no panic; a number or a reason; and the χ² equals the
        /// textbook Cochran–Armitage form to rounding.
        #[test]
        fn proportions_match_the_textbook_form(
            r in proptest::collection::vec(1u32..5000, 5),
            extra in proptest::collection::vec(1u32..5000, 5),
        ) {
            let r: Vec<f64> = r.iter().map(|&x| f64::from(x)).collect();
            let n: Vec<f64> = r.iter().zip(&extra).map(|(r, &e)| r + f64::from(e)).collect();
            let points: Vec<Point<'_>> = YEARS.iter().zip(r.iter().zip(&n)).map(|(p, (&r, &n))| Point {
                period: p, value: None, lower: None, upper: None,
                numerator: Some(r), denominator: Some(n),
            }).collect();
            let t = trend(&points, ValueType::Proportion, Polarity::HigherIsBetter);
            let years = [2019.0, 2020.0, 2021.0, 2022.0, 2023.0];
            let big_n: f64 = n.iter().sum();
            let p = r.iter().sum::<f64>() / big_n;
            let tbar = years.iter().zip(&n).map(|(t, n)| t * n).sum::<f64>() / big_n;
            let num: f64 = years.iter().zip(&r).map(|(t, r)| r * (t - tbar)).sum();
            let den: f64 = years.iter().zip(&n).map(|(t, n)| n * (t - tbar).powi(2)).sum();
            let textbook = num * num / (p * (1.0 - p) * den);
            let ours = t.chi_squared.unwrap();
            proptest::prop_assert!((ours - textbook).abs() <= 1e-6 * textbook.max(1.0), "{} vs {}", ours, textbook);
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;

    proptest::proptest! {
        /// Moving the series in time (2000s to 2100s, one-year to three-year periods) changes
        /// neither χ² nor the marker, as the module docs say, so numbering the points 1 to 5
        /// as Fingertips does gives the same answer as mid-years.
        #[test]
        fn shifting_time_changes_nothing(
            y in proptest::collection::vec(0.0f64..100.0, 5),
            se in 0.1f64..5.0,
        ) {
            let point = |period: &'static str, y: f64| Point {
                period, value: Some(y), lower: Some(y - 1.96 * se), upper: Some(y + 1.96 * se),
                numerator: None, denominator: None,
            };
            let a: Vec<Point<'_>> = ["2001", "2002", "2003", "2004", "2005"].iter().zip(&y).map(|(p, &y)| point(p, y)).collect();
            let b: Vec<Point<'_>> = ["2101", "2102", "2103", "2104", "2105"].iter().zip(&y).map(|(p, &y)| point(p, y)).collect();
            let c: Vec<Point<'_>> = ["2001-03", "2004-06", "2007-09", "2010-12", "2013-15"].iter().zip(&y).map(|(p, &y)| point(p, y)).collect();
            let t = |p: &[Point<'_>]| recent_trend(p, ValueType::Dsr, Polarity::LowerIsBetter, 0.95);
            let (ta, tb, tc) = (t(&a), t(&b), t(&c));
            let (ta, tb, tc) = (ta.as_ref().ok(), tb.as_ref().ok(), tc.as_ref().ok());
            let chi = |x: Option<&RecentTrend>| x.and_then(|x| x.chi_squared).unwrap_or(f64::NAN);
            proptest::prop_assert!((chi(ta) - chi(tb)).abs() <= 1e-6 * chi(ta).max(1.0));
            proptest::prop_assert!((chi(ta) - chi(tc)).abs() <= 1e-6 * chi(ta).max(1.0));
            proptest::prop_assert_eq!(ta.map(|x| x.marker), tb.map(|x| x.marker));
            proptest::prop_assert_eq!(ta.map(|x| x.marker), tc.map(|x| x.marker));
        }
    }
}
