//! Life expectancy by the Chiang II abridged life table, with Silcocks et al.'s variance for the
//! open interval, as `phe_life_expectancy` computes it
//! (`../shared/reference/inequality-measures.md` §2.2, §7.5).
//!
//! Twenty bands with start ages 0, 1, 5, 10, …, 85, 90. For band i with deaths D, population P
//! and death rate M = D/P: width n (the next start age minus this one; 2/M for 90+), fraction of
//! the interval lived by those who die a = 0.1 at age 0 and 0.5 otherwise,
//! q = Mn/(1 + Mn(1 − a)) when D ≤ P/n/a and 1 otherwise (so 90+ has q = 1), p = 1 − q,
//! l₀ = 100,000, l_{i+1} = l_i·p_i, d_i = l_i − l_{i+1}, L_i = n_i(l_{i+1} + a_i·d_i) (90+:
//! l/M), T_i = Σ_{k≥i} L_k and e_i = T_i/l_i. Variance: s²_p = q²(1 − q)/D (0 without deaths),
//! W_i = s²_p·l_i²·((1 − a_i)n_i + e_{i+1})², W for 90+ = l²/(D·M²), Var(e_i) = Σ_{k≥i} W_k/l_i²;
//! limits e ± z·SE at any number of confidence levels.
//!
//! **Suppression**, each a [`Reason`] rather than NA: the whole area when its total population is
//! 5,000 or less (the reference's check is ≤ 5000 although its message says "less than"), a band
//! has a population of zero or less, negative deaths or more deaths than population, the bands
//! are not the 20 above, or the 90+ band has no deaths (infinite life expectancy); a single value
//! (its limits kept) when 1.959964·SE > 10, i.e. its 95% interval is wider than 20 years,
//! whatever confidence was asked for (reference behaviour, §5 item 10).
//!
//! Where q = 1 in a band before 90+ (its deaths exceed P/(n·a), e.g. everyone in it dies), l is
//! 0 from the next band on: the reference gives those ages the value 0 and no limits (its SE is
//! 0/0), and so does equitas, with [`Reason::NoSurvivors`] naming the band. A value or limit
//! that overflows double precision (e.g. deaths of 1e-300 at 90+) is left out with
//! [`Reason::Overflow`] naming it, never returned as inf or NaN.
//!
//! Rows may come in any order: bands are sorted by start age.

use serde::Serialize;

use super::intervals::{confidence_levels, z_for};
use super::phe::{Interval, PheError, Reason};

/// The start ages of the 20 bands.
pub const START_AGES: [u32; 20] = [
    0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90,
];

/// 1.959964…: the suppression rule reads the 95% interval whatever the confidence.
const Z95: f64 = 1.959_963_984_540_054;

/// One age band of one area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct AgeBand {
    /// The band's start age (0, 1, 5, …, 90).
    pub start_age: u32,
    /// Population (person-years) in the band.
    pub population: f64,
    /// Deaths in the band.
    pub deaths: f64,
}

/// Life expectancy at one start age.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifeExpectancy {
    /// The start age.
    pub start_age: u32,
    /// Life expectancy in years; `None` when suppressed (see `reason`).
    pub value: Option<f64>,
    /// Its standard error, when the table was computed.
    pub se: Option<f64>,
    /// Limits at each confidence level asked for (kept when only the value is suppressed).
    pub intervals: Vec<Interval>,
    /// Why the value (or the whole area) was suppressed; `None` when computed.
    pub reason: Option<Reason>,
}

/// Life expectancy at every start age of one area's 20 bands.
///
/// ```
/// use equitas_core::measures::lifetable::{life_expectancy, AgeBand, START_AGES};
/// let bands: Vec<AgeBand> = START_AGES
///     .iter()
///     .map(|&a| AgeBand {
///         start_age: a,
///         population: 10_000.0,
///         deaths: 5.0 * (f64::from(a) / 13.0).exp(),
///     })
///     .collect();
/// let le = life_expectancy(&bands, &[0.95])?;
/// assert_eq!(le.len(), 20);
/// assert!(le[0].value.unwrap() > 60.0 && le[0].reason.is_none());
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// Only confidence levels [`confidence_levels`] refuses; problems with the data are reasons.
pub fn life_expectancy(
    bands: &[AgeBand],
    confidence: &[f64],
) -> Result<Vec<LifeExpectancy>, PheError> {
    let levels = confidence_levels(confidence)?;
    let mut sorted = bands.to_vec();
    crate::sort::sort_by_key(&mut sorted, |b| b.start_age);
    if let Some(reason) = area_reason(&sorted) {
        return Ok(sorted
            .iter()
            .map(|b| LifeExpectancy {
                start_age: b.start_age,
                value: None,
                se: None,
                intervals: no_limits(&levels),
                reason: Some(reason.clone()),
            })
            .collect());
    }
    let table = chiang(&sorted);
    // The band where q = 1 empties the table: nobody is alive at any later age.
    let emptied = sorted
        .iter()
        .zip(table.l.iter().zip(table.l.iter().skip(1)))
        .find(|(_, (here, next))| **here > 0.0 && **next <= 0.0)
        .map(|(b, _)| b.start_age);
    Ok(sorted
        .iter()
        .zip(table.e.iter().zip(&table.var).zip(&table.l))
        .map(|(b, ((&e, &v), &l))| {
            if l <= 0.0 {
                // The reference's ei = 0 where l = 0, and SE = √(0/0): NA limits.
                return LifeExpectancy {
                    start_age: b.start_age,
                    value: Some(0.0),
                    se: None,
                    intervals: no_limits(&levels),
                    reason: Some(Reason::NoSurvivors {
                        start_age: emptied.unwrap_or(b.start_age),
                    }),
                };
            }
            let se = v.sqrt();
            let mut overflow = Vec::new();
            let intervals = levels
                .iter()
                .map(|&confidence| {
                    let z = z_for(confidence);
                    let (lower, upper) = (e - z * se, e + z * se);
                    for (name, x) in [("lower", lower), ("upper", upper)] {
                        if !x.is_finite() {
                            overflow.push(format!("{name} at {}%", percent(confidence)));
                        }
                    }
                    Interval {
                        confidence,
                        lower: Some(lower).filter(|x| x.is_finite()),
                        upper: Some(upper).filter(|x| x.is_finite()),
                    }
                })
                .collect();
            if !se.is_finite() {
                overflow.insert(0, "se".to_owned());
            }
            if !e.is_finite() || !se.is_finite() {
                overflow.insert(0, "value".to_owned());
            }
            let wide = Z95 * se > 10.0 || !se.is_finite();
            let reason = if !overflow.is_empty() {
                Some(Reason::Overflow { fields: overflow })
            } else if wide {
                Some(Reason::WideInterval { se })
            } else {
                None
            };
            LifeExpectancy {
                start_age: b.start_age,
                value: (!wide && e.is_finite()).then_some(e),
                se: se.is_finite().then_some(se),
                intervals,
                reason,
            }
        })
        .collect())
}

/// Limits left out at each level.
fn no_limits(levels: &[f64]) -> Vec<Interval> {
    levels
        .iter()
        .map(|&confidence| Interval {
            confidence,
            lower: None,
            upper: None,
        })
        .collect()
}

/// A confidence level as a percentage for messages: 0.95 → 95, 0.998 → 99.8.
pub(crate) fn percent(confidence: f64) -> f64 {
    (confidence * 1e6).round() / 1e4
}

/// The first reason the whole area is suppressed, in the reference's order of checks.
fn area_reason(bands: &[AgeBand]) -> Option<Reason> {
    if let Some(b) = bands.iter().find(|b| b.deaths.is_nan() || b.deaths < 0.0) {
        return Some(Reason::NegativeDeaths {
            start_age: b.start_age,
            deaths: b.deaths,
        });
    }
    if let Some(b) = bands
        .iter()
        .find(|b| b.population.is_nan() || b.population <= 0.0)
    {
        return Some(Reason::NonPositivePopulation {
            start_age: b.start_age,
            population: b.population,
        });
    }
    let ages: Vec<u32> = bands.iter().map(|b| b.start_age).collect();
    if ages != START_AGES {
        return Some(Reason::WrongBands {
            count: ages.len(),
            found: ages,
        });
    }
    if let Some(b) = bands.iter().find(|b| b.deaths > b.population) {
        return Some(Reason::DeathsAbovePopulation {
            start_age: b.start_age,
            deaths: b.deaths,
            population: b.population,
        });
    }
    let total: f64 = bands.iter().map(|b| b.population).sum();
    if total <= 5000.0 {
        return Some(Reason::SmallPopulation { total });
    }
    if bands.last().is_some_and(|b| b.deaths <= 0.0) {
        return Some(Reason::NoDeathsInOldestBand);
    }
    None
}

/// A computed life table: at each start age the life expectancy, its variance and the
/// survivors l.
struct Table {
    e: Vec<f64>,
    var: Vec<f64>,
    l: Vec<f64>,
}

/// Life expectancy and its variance at each start age (bands already checked: 20, sorted).
fn chiang(bands: &[AgeBand]) -> Table {
    let k = bands.len();
    let mut n = vec![0.0; k];
    let mut a = vec![0.5; k];
    let mut m = vec![0.0; k];
    let mut q = vec![0.0; k];
    for (i, b) in bands.iter().enumerate() {
        m[i] = b.deaths / b.population;
        n[i] = match bands.get(i + 1) {
            Some(next) => f64::from(next.start_age - b.start_age),
            None => 2.0 / m[i],
        };
        if b.start_age == 0 {
            a[i] = 0.1;
        }
        q[i] = if b.deaths <= b.population / n[i] / a[i] {
            m[i] * n[i] / (1.0 + m[i] * n[i] * (1.0 - a[i]))
        } else {
            1.0
        };
    }
    let mut l = vec![0.0; k + 1];
    l[0] = 100_000.0;
    for i in 0..k {
        l[i + 1] = l[i] * (1.0 - q[i]);
    }
    let last = k - 1;
    l[k] = 0.0;
    let mut big_l = vec![0.0; k];
    for i in 0..k {
        let d = l[i] - l[i + 1];
        big_l[i] = if i == last {
            l[i] / m[i]
        } else {
            n[i] * (l[i + 1] + a[i] * d)
        };
    }
    let mut e = vec![0.0; k];
    let mut t = 0.0;
    for i in (0..k).rev() {
        t += big_l[i];
        e[i] = if l[i] > 0.0 { t / l[i] } else { 0.0 };
    }
    let mut var = vec![0.0; k];
    let mut w_sum = 0.0;
    for i in (0..k).rev() {
        let b = &bands[i];
        let w = if i == last {
            l[i] * l[i] / (b.deaths * m[i] * m[i])
        } else {
            let s2 = if b.deaths > 0.0 {
                q[i] * q[i] * (1.0 - q[i]) / b.deaths
            } else {
                0.0
            };
            let term = (1.0 - a[i]) * n[i] + e[i + 1];
            s2 * l[i] * l[i] * term * term
        };
        w_sum += w;
        var[i] = if l[i] > 0.0 {
            w_sum / (l[i] * l[i])
        } else {
            0.0
        };
    }
    l.truncate(k);
    Table { e, var, l }
}
