//! Life expectancy by the Chiang II abridged life table, with Silcocks et al.'s variance for the
//! open interval, as `phe_life_expectancy` computes it
//! (`../shared/reference/inequality-measures.md` §2.2, §7.5).
//!
//! Twenty bands with start ages 0, 1, 5, 10, …, 85, 90, or, asked for with [`OpenBand`], 19
//! bands ending in an open 85+ band (the reference fixes the 20; its users ask for 85+, issue
//! #96 of PHEindicatormethods, because many sources stop there). The open band is computed the
//! same way whichever it is. For band i with deaths D, population P and death rate M = D/P:
//! width n (the next start age minus this one; 2/M for the open band), fraction of the interval
//! lived by those who die a = 0.1 at age 0 and 0.5 otherwise, q = Mn/(1 + Mn(1 − a)) when
//! D ≤ P/n/a and 1 otherwise (so the open band has q = 1), p = 1 − q, l₀ = 100,000,
//! l_{i+1} = l_i·p_i, d_i = l_i − l_{i+1}, L_i = n_i(l_{i+1} + a_i·d_i) (open band: l/M),
//! T_i = Σ_{k≥i} L_k and e_i = T_i/l_i. Variance: s²_p = q²(1 − q)/D (0 without deaths),
//! W_i = s²_p·l_i²·((1 − a_i)n_i + e_{i+1})², W for the open band = l²/(D·M²),
//! Var(e_i) = Σ_{k≥i} W_k/l_i²;
//! limits e ± z·SE at any number of confidence levels.
//!
//! **Suppression**, each a [`Reason`] rather than NA: the whole area when its total population is
//! 5,000 or less (the reference's check is ≤ 5000 although its message says "less than"), a band
//! has a population of zero or less, negative deaths or more deaths than population, the bands
//! are not those above, or the open band has no deaths (infinite life expectancy); a single value
//! (its limits kept) when 1.959964·SE > 10, i.e. its 95% interval is wider than 20 years,
//! whatever confidence was asked for (reference behaviour, §5 item 10).
//!
//! Where q = 1 in a band before the open one (its deaths exceed P/(n·a), e.g. everyone in it
//! dies), l is 0 from the next band on: the reference gives those ages the value 0 and no limits (its SE is
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

/// The start ages of the 19 bands ending in an open 85+ band.
pub const START_AGES_85: [u32; 19] = [
    0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85,
];

/// The last, open-ended age band of a life table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum OpenBand {
    /// 90 and over (20 bands): the Fingertips standard and the default.
    #[default]
    #[serde(rename = "90")]
    Ninety,
    /// 85 and over (19 bands).
    #[serde(rename = "85")]
    EightyFive,
}

impl OpenBand {
    /// The open band's start age.
    #[must_use]
    pub const fn start_age(self) -> u32 {
        match self {
            Self::Ninety => 90,
            Self::EightyFive => 85,
        }
    }

    /// The start ages of every band, the open one last.
    #[must_use]
    pub const fn start_ages(self) -> &'static [u32] {
        match self {
            Self::Ninety => &START_AGES,
            Self::EightyFive => &START_AGES_85,
        }
    }
}

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

/// Life expectancy at every start age of one area's 20 bands (up to 90+); see
/// [`life_expectancy_with`] for an 85+ open band.
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
    life_expectancy_with(bands, confidence, OpenBand::Ninety)
}

/// [`life_expectancy`] with the open band `open`: the bands must be those of
/// [`OpenBand::start_ages`].
///
/// # Errors
/// Only confidence levels [`confidence_levels`] refuses; problems with the data are reasons.
pub fn life_expectancy_with(
    bands: &[AgeBand],
    confidence: &[f64],
    open: OpenBand,
) -> Result<Vec<LifeExpectancy>, PheError> {
    let levels = confidence_levels(confidence)?;
    let mut sorted = bands.to_vec();
    crate::sort::sort_by_key(&mut sorted, |b| b.start_age);
    if let Some(reason) = area_reason(&sorted, open) {
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

/// The first reason the whole area is suppressed, in the reference's order of checks (`bands`
/// sorted by start age).
fn area_reason(bands: &[AgeBand], open: OpenBand) -> Option<Reason> {
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
    if ages != open.start_ages() {
        return Some(Reason::WrongBands {
            count: ages.len(),
            found: ages,
            open: open.start_age(),
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
        return Some(Reason::NoDeathsInOldestBand {
            start_age: open.start_age(),
        });
    }
    None
}

/// The columns of one area's Chiang II life table, band by band (radix l₀ = 100,000): what a
/// decomposition of a difference in life expectancy needs (see
/// [`crate::measures::legap::arriaga`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifeTable {
    /// Each band's start age, the open band last.
    pub start_age: Vec<u32>,
    /// Deaths per person-year, M = D/P.
    pub m: Vec<f64>,
    /// Survivors to the band's start, lₓ.
    pub l: Vec<f64>,
    /// Person-years lived in the band, ₙLₓ.
    pub big_l: Vec<f64>,
    /// Person-years lived from the band's start on, Tₓ.
    pub t: Vec<f64>,
    /// Life expectancy at the band's start, eₓ = Tₓ/lₓ (0 where nobody is left).
    pub e: Vec<f64>,
}

/// The Chiang II life table of one area's bands (in any order) with the open band `open`.
///
/// # Errors
/// The reason the whole area is suppressed (the same checks as [`life_expectancy_with`]: bands,
/// populations, deaths, the total population, no deaths in the open band).
pub fn life_table(bands: &[AgeBand], open: OpenBand) -> Result<LifeTable, Reason> {
    let mut sorted = bands.to_vec();
    crate::sort::sort_by_key(&mut sorted, |b| b.start_age);
    if let Some(reason) = area_reason(&sorted, open) {
        return Err(reason);
    }
    let table = chiang(&sorted);
    Ok(LifeTable {
        start_age: sorted.iter().map(|b| b.start_age).collect(),
        m: table.m,
        l: table.l,
        big_l: table.big_l,
        t: table.t,
        e: table.e,
    })
}

/// A computed life table: at each start age the life expectancy, its variance, the survivors
/// l, the death rate M, the person-years L and T.
struct Table {
    e: Vec<f64>,
    var: Vec<f64>,
    l: Vec<f64>,
    m: Vec<f64>,
    big_l: Vec<f64>,
    t: Vec<f64>,
}

/// Life expectancy and its variance at each start age (bands already checked and sorted).
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
    let mut t_col = vec![0.0; k];
    let mut t = 0.0;
    for i in (0..k).rev() {
        t += big_l[i];
        t_col[i] = t;
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
    Table {
        e,
        var,
        l,
        m,
        big_l,
        t: t_col,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// SYNTHETIC bands: deaths rising with age.
    fn bands(open: OpenBand) -> Vec<AgeBand> {
        open.start_ages()
            .iter()
            .map(|&a| AgeBand {
                start_age: a,
                population: 20_000.0 - 100.0 * f64::from(a),
                deaths: (2.0 * (f64::from(a) / 14.0).exp()).round(),
            })
            .collect()
    }

    /// An 85+ table is the same Chiang II table with its open band at 85: the open band's
    /// person-years are l/M and its life expectancy 1/M (= P/D), and every other band is as
    /// in the 90+ table up to 80.
    #[test]
    fn an_open_band_at_85_is_computed_like_the_one_at_90() {
        let b85 = bands(OpenBand::EightyFive);
        let t = life_table(&b85, OpenBand::EightyFive).unwrap();
        assert_eq!(t.start_age, START_AGES_85);
        let last = b85.last().unwrap();
        let (l, big_l) = (*t.l.last().unwrap(), *t.big_l.last().unwrap());
        assert!((big_l - l * last.population / last.deaths).abs() < 1e-9 * big_l);
        let e85 = *t.e.last().unwrap();
        assert!((e85 - last.population / last.deaths).abs() < 1e-12 * e85);
        // Up to 80 the survivors are those of the 90+ table on the same bands.
        let t90 = life_table(&bands(OpenBand::Ninety), OpenBand::Ninety).unwrap();
        assert_eq!(t.l[..18], t90.l[..18]);
        // The life expectancies agree with life_expectancy_with, and T₀/l₀ is e₀.
        let le = life_expectancy_with(&b85, &[0.95], OpenBand::EightyFive).unwrap();
        assert_eq!(le.len(), 19);
        for (e, want) in le.iter().zip(&t.e) {
            assert_eq!(e.value, Some(*want));
        }
        assert!((t.t[0] / t.l[0] - t.e[0]).abs() < 1e-12 * t.e[0]);
    }

    #[test]
    fn the_open_band_names_itself_in_reasons() {
        let le = life_expectancy_with(&bands(OpenBand::Ninety), &[0.95], OpenBand::EightyFive);
        assert_eq!(
            le.unwrap()[0].reason.as_ref().unwrap().to_string(),
            "expected the 19 age bands 0, 1, 5, 10, …, 85, got 20 bands starting [0, 1, 5, 10, \
             15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]"
        );
        let mut none = bands(OpenBand::EightyFive);
        if let Some(b) = none.last_mut() {
            b.deaths = 0.0;
        }
        assert_eq!(
            life_table(&none, OpenBand::EightyFive)
                .unwrap_err()
                .to_string(),
            "the 85+ band has no deaths, so life expectancy is infinite"
        );
        // The 90+ wording is the one the reference's users know.
        let mut none = bands(OpenBand::Ninety);
        if let Some(b) = none.last_mut() {
            b.deaths = 0.0;
        }
        assert_eq!(
            life_table(&none, OpenBand::Ninety).unwrap_err().to_string(),
            "the 90+ band has no deaths, so life expectancy is infinite"
        );
    }
}
