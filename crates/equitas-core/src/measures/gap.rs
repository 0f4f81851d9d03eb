//! Gaps over time: absolute and relative gaps between two groups per period, the change of a
//! gap between two periods with its interval, and the verdict "the gap narrowed", "the gap
//! widened" or "no significant change" (issue 15).
//!
//! - **Absolute gap** between groups A and B (Core20 and the rest, the most and least
//!   deprived): A − B, standard error √(SE_A² + SE_B²) (independent groups).
//! - **Relative gap**: A / B, its interval exp(ln(A/B) ± z·√((SE_A/A)² + (SE_B/B)²)) (the delta
//!   method on the log scale); its `se` is on the log scale.
//! - **The change of a gap** between two periods (different years, so independent): the
//!   difference of the gaps with SE √(SE² + SE₀²), the closed form ([`change`]); for a relative
//!   gap, the ratio of the ratios, on the log scale ([`relative_change`]).
//! - **The change of the SII and RII**: the SII's has the same closed form, from each period's
//!   analytic SE; the RII's has none, so [`sii_rii_change`] simulates both with `phe_sii`'s own
//!   draws ([`sii_change`]).
//!
//! **The verdict.** "Narrowed" when the whole interval of the change is toward no gap (0 for a
//! difference, 1 for a ratio; down from a gap above it, up from one below); "widened" when the
//! whole interval is on the other side of no change; "no significant change" when it holds no
//! change; "cannot tell" when a value is missing.

use equitas_lean::Num;
use serde::Serialize;

use super::phe::sii::{SiiOptions, SiiRow, sii_change};
use super::phe::{PheError, Reason};

/// A number with its standard error and limits, or the reason it has none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GapEstimate {
    /// The value.
    pub value: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Lower limit.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
    /// Why a number is missing; `None` when all are there.
    pub reason: Option<String>,
}

/// The name `legap` has always used for a [`GapEstimate`].
pub type Estimate = GapEstimate;

impl GapEstimate {
    /// No number, for `reason`.
    #[must_use]
    pub fn missing(reason: String) -> Self {
        Self {
            value: None,
            se: None,
            lower: None,
            upper: None,
            reason: Some(reason),
        }
    }

    /// value ± z·se, when both are there and finite; otherwise missing, saying `what` is
    /// beyond double precision.
    #[must_use]
    pub fn normal(value: f64, se: f64, z: f64, what: &str) -> Self {
        let (lower, upper) = (value - z * se, value + z * se);
        if [value, se, lower, upper].iter().all(|x| x.is_finite()) {
            Self {
                value: Some(value),
                se: Some(se),
                lower: Some(lower),
                upper: Some(upper),
                reason: None,
            }
        } else {
            Self::missing(format!(
                "{what} is beyond the range of double-precision numbers"
            ))
        }
    }
}

/// The change of a measure against the baseline period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Change {
    /// This period's value minus the baseline's, with its interval.
    pub difference: GapEstimate,
    /// The difference as a percentage of the baseline value.
    pub percent: Option<f64>,
    /// What the interval says.
    pub verdict: Verdict,
}

/// Whether a gap narrowed, widened or did neither significantly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// The whole interval of the change is toward no gap.
    Narrowed,
    /// The whole interval of the change is away from no gap.
    Widened,
    /// The interval holds no change.
    NoSignificantChange,
    /// No change could be computed (a value is missing).
    Unknown,
}

impl Verdict {
    /// The verdict in words, as reports print it.
    #[must_use]
    pub const fn words(self) -> &'static str {
        match self {
            Self::Narrowed => "the gap narrowed",
            Self::Widened => "the gap widened",
            Self::NoSignificantChange => "no significant change",
            Self::Unknown => "cannot tell",
        }
    }
}

/// A period's gap minus the baseline's, with the interval of a difference of independent
/// estimates, a ± z·√(SE² + SE₀²), and what it says about the gap (no gap at 0).
#[must_use]
pub fn change(now: &GapEstimate, base: &GapEstimate, z: f64) -> Change {
    let (Some(a), Some(sa), Some(b), Some(sb)) = (now.value, now.se, base.value, base.se) else {
        let which = if now.value.is_none() || now.se.is_none() {
            "this period"
        } else {
            "the baseline"
        };
        return Change {
            difference: GapEstimate::missing(format!("{which} has no value")),
            percent: None,
            verdict: Verdict::Unknown,
        };
    };
    let difference = GapEstimate::normal(a - b, sa.hypot(sb), z, "the change");
    let verdict = verdict(b, difference.lower, difference.upper);
    Change {
        percent: (b != 0.0)
            .then(|| (a - b) / b * 100.0)
            .filter(|x| x.is_finite()),
        difference,
        verdict,
    }
}

/// The verdict on a change with limits `lower`, `upper`, from a baseline gap `base` (its
/// distance from no gap): see the module docs.
fn verdict(base: f64, lower: Option<f64>, upper: Option<f64>) -> Verdict {
    // Toward no gap: down from a positive baseline, up from a negative one.
    let toward = -base.signum();
    match (lower, upper) {
        (Some(lo), Some(hi)) if base != 0.0 && toward * lo > 0.0 && toward * hi > 0.0 => {
            Verdict::Narrowed
        }
        (Some(lo), Some(hi)) if (lo > 0.0 || hi < 0.0) => Verdict::Widened,
        (Some(_), Some(_)) => Verdict::NoSignificantChange,
        _ => Verdict::Unknown,
    }
}

/// The absolute gap `a` − `b` between two groups, with SE √(SE_a² + SE_b²).
#[must_use]
pub fn absolute_gap(a: &GapEstimate, b: &GapEstimate, z: f64) -> GapEstimate {
    match (a.value, a.se, b.value, b.se) {
        (Some(x), Some(sx), Some(y), Some(sy)) => {
            GapEstimate::normal(x - y, sx.hypot(sy), z, "the gap")
        }
        _ => GapEstimate::missing(missing_reason(a, b)),
    }
}

/// The relative gap `a` / `b` between two groups, with the interval
/// exp(ln(a/b) ± z·√((SE_a/a)² + (SE_b/b)²)); `se` is that log-scale standard error. Needs both
/// values above zero.
#[must_use]
pub fn relative_gap(a: &GapEstimate, b: &GapEstimate, z: f64) -> GapEstimate {
    let (Some(x), Some(sx), Some(y), Some(sy)) = (a.value, a.se, b.value, b.se) else {
        return GapEstimate::missing(missing_reason(a, b));
    };
    if x <= 0.0 || y <= 0.0 {
        return GapEstimate::missing(format!(
            "a ratio of {} to {} has no log-scale interval: both values must be above zero",
            Num(x),
            Num(y)
        ));
    }
    let log = GapEstimate::normal(libm::log(x / y), (sx / x).hypot(sy / y), z, "the ratio");
    exp_of(&log)
}

/// A log-scale estimate back on the ratio scale (`se` stays on the log scale).
fn exp_of(log: &GapEstimate) -> GapEstimate {
    match (log.value, log.lower, log.upper) {
        (Some(v), Some(lo), Some(hi)) => {
            let e = GapEstimate {
                value: Some(libm::exp(v)),
                se: log.se,
                lower: Some(libm::exp(lo)),
                upper: Some(libm::exp(hi)),
                reason: None,
            };
            if [e.value, e.lower, e.upper]
                .iter()
                .flatten()
                .all(|x| x.is_finite() && *x > 0.0)
            {
                e
            } else {
                GapEstimate::missing(
                    "the ratio is beyond the range of double-precision numbers".to_owned(),
                )
            }
        }
        _ => log.clone(),
    }
}

fn missing_reason(a: &GapEstimate, b: &GapEstimate) -> String {
    let which = if a.value.is_none() || a.se.is_none() {
        (a, "the first group")
    } else {
        (b, "the second group")
    };
    format!(
        "{} has no value and standard error ({})",
        which.1,
        which.0.reason.as_deref().unwrap_or("missing")
    )
}

/// The change of a relative gap between two periods: `now` / `base` (both from
/// [`relative_gap`], their `se` on the log scale), with the interval
/// exp(ln(now/base) ± z·√(SE² + SE₀²)); narrowed when the whole interval moves the ratio toward
/// 1. `percent` is the change of the ratio in percent.
#[must_use]
pub fn relative_change(now: &GapEstimate, base: &GapEstimate, z: f64) -> Change {
    let log = |e: &GapEstimate| GapEstimate {
        value: e.value.filter(|v| *v > 0.0).map(libm::log),
        ..e.clone()
    };
    let c = change(&log(now), &log(base), z);
    Change {
        percent: c
            .difference
            .value
            .map(|d| (libm::exp(d) - 1.0) * 100.0)
            .filter(|x| x.is_finite()),
        difference: exp_of(&c.difference),
        verdict: c.verdict,
    }
}

/// The changes of the SII and of the RII from `base` to `now`, simulated with `phe_sii`'s draws
/// ([`sii_change`]: limits at `options`' first confidence level); the RII's verdict measures
/// the gap from 1. A period that cannot be fitted gives its reason.
///
/// # Errors
/// As [`sii_change`].
pub fn sii_rii_change(
    now: &[SiiRow],
    base: &[SiiRow],
    options: &SiiOptions,
) -> Result<Result<(Change, Change), Reason>, PheError> {
    let c = match sii_change(now, base, options)? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let make = |d: f64, lo: f64, hi: f64, base: f64, none: f64, what: &str| {
        let ok = [d, lo, hi].iter().all(|x| x.is_finite());
        let difference = if ok {
            GapEstimate {
                value: Some(d),
                se: None,
                lower: Some(lo),
                upper: Some(hi),
                reason: None,
            }
        } else {
            GapEstimate::missing(format!(
                "{what} is beyond the range of double-precision numbers"
            ))
        };
        Change {
            percent: (base != 0.0)
                .then(|| d / base * 100.0)
                .filter(|x| x.is_finite()),
            verdict: verdict(base - none, difference.lower, difference.upper),
            difference,
        }
    };
    Ok(Ok((
        make(
            c.sii,
            c.sii_lower,
            c.sii_upper,
            c.sii_base,
            0.0,
            "the SII's change",
        ),
        make(
            c.rii,
            c.rii_lower,
            c.rii_upper,
            c.rii_base,
            1.0,
            "the RII's change",
        ),
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::float_cmp, reason = "tests")]
mod tests {
    use super::*;
    use crate::measures::intervals::z_for;
    use crate::measures::phe::sii::{ValueType, phe_sii, sii_analytic};

    fn e(v: f64, se: f64) -> GapEstimate {
        GapEstimate::normal(v, se, 1.96, "x")
    }

    /// 30 (SE 3) against 26 (SE 4): gap 4, SE √(9 + 16) = 5, limits 4 ± 1.96 × 5 = −5.8 to 13.8.
    /// Ratio 0.2 (SE 0.01) to 0.1 (SE 0.01): 2, log SE √(0.05² + 0.1²) = √0.0125 = 0.1118,
    /// limits 2·exp(∓1.96 × 0.1118) = 2 × 0.80321 to 2 × 1.24500 = 1.6064 to 2.4900.
    #[test]
    fn gaps_by_hand() {
        let g = absolute_gap(&e(30.0, 3.0), &e(26.0, 4.0), 1.96);
        assert_eq!(g.value, Some(4.0));
        assert!((g.se.unwrap() - 5.0).abs() < 1e-12);
        assert!((g.lower.unwrap() + 5.8).abs() < 1e-9 && (g.upper.unwrap() - 13.8).abs() < 1e-9);
        let r = relative_gap(&e(0.2, 0.01), &e(0.1, 0.01), 1.96);
        assert!((r.value.unwrap() - 2.0).abs() < 1e-12);
        let se = 0.0125_f64.sqrt();
        assert!((r.se.unwrap() - se).abs() < 1e-12);
        assert!((r.lower.unwrap() - 2.0 * (-1.96 * se).exp()).abs() < 1e-9);
        assert!((r.upper.unwrap() - 2.0 * (1.96 * se).exp()).abs() < 1e-9);
        assert!(
            (r.lower.unwrap() - 1.6064).abs() < 1e-4 && (r.upper.unwrap() - 2.4900).abs() < 1e-4
        );
        // A ratio to zero, a missing value: reasons, never numbers.
        assert!(
            relative_gap(&e(0.2, 0.01), &e(0.0, 0.01), 1.96)
                .value
                .is_none()
        );
        let none = absolute_gap(
            &GapEstimate::missing("suppressed".into()),
            &e(1.0, 1.0),
            1.96,
        );
        assert_eq!(
            none.reason.as_deref(),
            Some("the first group has no value and standard error (suppressed)")
        );
    }

    /// Gap 4 (SE 0.4) at the baseline, 3 (SE 0.3) now: −1, SE 0.5, limits −1 ± 0.98 =
    /// −1.98 to −0.02, all toward 0: narrowed. 4 → 5 with the same SEs: +1, widened. 4 → 3.5:
    /// −0.5 ± 0.98 holds 0: no significant change. A gap below zero narrows upward.
    #[test]
    fn changes_by_hand() {
        let c = change(&e(3.0, 0.3), &e(4.0, 0.4), 1.96);
        assert!((c.difference.se.unwrap() - 0.5).abs() < 1e-12);
        assert!((c.difference.lower.unwrap() + 1.98).abs() < 1e-9);
        assert!((c.difference.upper.unwrap() + 0.02).abs() < 1e-9);
        assert_eq!(c.verdict, Verdict::Narrowed);
        assert_eq!(c.percent, Some(-25.0));
        assert_eq!(
            change(&e(5.0, 0.3), &e(4.0, 0.4), 1.96).verdict,
            Verdict::Widened
        );
        assert_eq!(
            change(&e(3.5, 0.3), &e(4.0, 0.4), 1.96).verdict,
            Verdict::NoSignificantChange
        );
        assert_eq!(
            change(&e(-3.0, 0.3), &e(-4.0, 0.4), 1.96).verdict,
            Verdict::Narrowed
        );
        // Crossing to the other side by more than the baseline gap is a change away from 0 on
        // the far side: the interval is toward 0 from −4, so narrowed (the gap's sign is not
        // judged, only its distance from the baseline's side).
        assert_eq!(
            change(&e(1.0, 0.1), &e(-4.0, 0.1), 1.96).verdict,
            Verdict::Narrowed
        );
        assert_eq!(Verdict::Narrowed.words(), "the gap narrowed");
    }

    /// A ratio of 2 (log SE 0.05) at the baseline, 1.5 (log SE 0.05) now: ln 0.75 = −0.28768,
    /// SE √0.005 = 0.070711, log limits −0.28768 ± 0.13859 = −0.42627 to −0.14909, all below 0
    /// and the baseline above 1: narrowed; the ratio of ratios 0.75 (0.6530 to 0.8615), −25%.
    #[test]
    fn relative_changes_by_hand() {
        let ratio = |v: f64, se: f64| GapEstimate {
            value: Some(v),
            se: Some(se),
            lower: None,
            upper: None,
            reason: None,
        };
        let c = relative_change(&ratio(1.5, 0.05), &ratio(2.0, 0.05), 1.96);
        assert!((c.difference.value.unwrap() - 0.75).abs() < 1e-12);
        assert!((c.difference.lower.unwrap() - (-0.426_28_f64).exp()).abs() < 1e-4);
        assert!((c.difference.upper.unwrap() - (-0.149_09_f64).exp()).abs() < 1e-4);
        assert_eq!(c.verdict, Verdict::Narrowed);
        assert!((c.percent.unwrap() + 25.0).abs() < 1e-9);
        // Below 1, the gap narrows upward: 0.5 → 0.8.
        let up = relative_change(&ratio(0.8, 0.05), &ratio(0.5, 0.05), 1.96);
        assert_eq!(up.verdict, Verdict::Narrowed);
        let same = relative_change(&ratio(2.0, 0.05), &ratio(2.0, 0.05), 1.96);
        assert_eq!(same.verdict, Verdict::NoSignificantChange);
    }

    fn rows(values: [f64; 5], se: f64) -> Vec<SiiRow> {
        values
            .iter()
            .zip(1u32..)
            .map(|(&value, quantile)| SiiRow {
                quantile,
                population: 10_000.0,
                value,
                se: Some(se),
                lower_cl: None,
                upper_cl: None,
            })
            .collect()
    }

    fn options() -> SiiOptions {
        SiiOptions {
            value_type: ValueType::Normal,
            repetitions: 100_000,
            quantiles: Some(5),
            ..SiiOptions::default()
        }
    }

    /// The SII is linear in the values, so its change has the closed form
    /// ΔSII ± z·√(SE₁² + SE₀²) from each period's analytic SE: the simulated limits agree with
    /// it within Monte Carlo error (100,000 draws: well under 1% of the half-width). The point
    /// changes are the differences of `phe_sii`'s points, the RII's too.
    #[test]
    fn the_sii_change_matches_its_closed_form() {
        let base = rows([74.0, 76.0, 78.0, 80.0, 82.0], 0.4);
        let now = rows([76.0, 77.5, 79.0, 80.5, 82.0], 0.5);
        let o = options();
        let (sii, rii) = sii_rii_change(&now, &base, &o).unwrap().unwrap();
        let fit = |r: &[SiiRow]| phe_sii(r, &o).unwrap();
        let (a, b) = (fit(&now), fit(&base));
        assert!((sii.difference.value.unwrap() - (a.sii.unwrap() - b.sii.unwrap())).abs() < 1e-9);
        assert!((rii.difference.value.unwrap() - (a.rii.unwrap() - b.rii.unwrap())).abs() < 1e-12);
        let z = z_for(0.95);
        let se = |r: &[SiiRow]| {
            let l = sii_analytic(r, &o).unwrap().unwrap();
            (l[0].upper.unwrap() - l[0].lower.unwrap()) / (2.0 * z)
        };
        let closed = (se(&now)).hypot(se(&base));
        let half = z * closed;
        let d = sii.difference.value.unwrap();
        assert!((sii.difference.lower.unwrap() - (d - half)).abs() < 0.01 * half);
        assert!((sii.difference.upper.unwrap() - (d + half)).abs() < 0.01 * half);
        // The SII fell from 10 to 7.5 with these SEs: narrowed, and the RII with it.
        assert_eq!(sii.verdict, Verdict::Narrowed);
        assert_eq!(rii.verdict, Verdict::Narrowed);
        // Seeded: the same answer again.
        assert_eq!(sii_rii_change(&now, &base, &o).unwrap().unwrap().0, sii);
    }

    #[test]
    fn an_unchanged_sii_has_no_significant_change() {
        let base = rows([74.0, 76.0, 78.0, 80.0, 82.0], 0.4);
        let (sii, rii) = sii_rii_change(&base, &base, &options()).unwrap().unwrap();
        assert_eq!(sii.difference.value, Some(0.0));
        assert_eq!(sii.verdict, Verdict::NoSignificantChange);
        assert_eq!(rii.verdict, Verdict::NoSignificantChange);
        // A period missing a quintile: its reason.
        let holed = &base[..4];
        assert!(matches!(
            sii_rii_change(holed, &base, &options()).unwrap(),
            Err(Reason::MissingQuantiles { .. })
        ));
        // A transformed fit: not simulated, said so.
        let o = SiiOptions {
            value_type: ValueType::Rate,
            transform: true,
            ..options()
        };
        let rate: Vec<SiiRow> = rows([0.1, 0.09, 0.08, 0.07, 0.06], 0.001)
            .into_iter()
            .map(|r| SiiRow {
                se: None,
                lower_cl: Some(r.value * 0.9),
                upper_cl: Some(r.value * 1.1),
                ..r
            })
            .collect();
        assert_eq!(
            sii_rii_change(&rate, &rate, &o).unwrap(),
            Err(Reason::TransformedChange)
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;

    proptest::proptest! {
        /// The change's defining properties: no change against itself (no significant change);
        /// swapping the periods negates the difference with the same SE; the interval is
        /// symmetric about the difference; a verdict of narrowed or widened only when the
        /// interval leaves out 0.
        #[test]
        fn change_is_a_difference_of_independent_estimates(
            a in -100.0f64..100.0, b in -100.0f64..100.0,
            sa in 0.01f64..10.0, sb in 0.01f64..10.0,
        ) {
            let (x, y) = (GapEstimate::normal(a, sa, 1.96, "x"), GapEstimate::normal(b, sb, 1.96, "y"));
            let same = change(&x, &x, 1.96);
            proptest::prop_assert_eq!(same.verdict, Verdict::NoSignificantChange);
            let (c, back) = (change(&x, &y, 1.96), change(&y, &x, 1.96));
            let (d, e) = (c.difference.value.unwrap_or(f64::NAN), back.difference.value.unwrap_or(f64::NAN));
            proptest::prop_assert!((d + e).abs() < 1e-9);
            proptest::prop_assert_eq!(c.difference.se, back.difference.se);
            let (lo, hi) = (c.difference.lower.unwrap_or(f64::NAN), c.difference.upper.unwrap_or(f64::NAN));
            proptest::prop_assert!(((hi - d) - (d - lo)).abs() < 1e-9);
            if matches!(c.verdict, Verdict::Narrowed | Verdict::Widened) {
                proptest::prop_assert!(lo > 0.0 || hi < 0.0);
            } else {
                proptest::prop_assert!(lo <= 0.0 && hi >= 0.0);
            }
        }
    }
}
