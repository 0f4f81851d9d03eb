//! Directly standardised rates with Dobson limits (`calculate_dsr`, §2.5 of
//! `../shared/reference/inequality-measures.md`), and the European Standard Population 2013 as
//! seed data (`seeds/standard-populations/esp2013.json`).
//!
//! DSR = Σ(w_i·x_i/n_i)/Σw_i × multiplier; var = Σ(w_i²·x_i/n_i²)/(Σw_i)²; with O = Σx and
//! Byar's limits O_L, O_U of O, the limits are DSR + √(var/O)·(O_L − O)·multiplier and the same
//! with O_U (Dobson et al. 1991). Missing counts count as 0. A total count below 10 gives no
//! value and [`Reason::TooFewEvents`].
//!
//! Non-independent events (one person can have several, the reference's
//! `independent_events = FALSE`): [`calculate_dsr_nonindependent`] takes, per band, how many people
//! had f events for each frequency f. The DSR counts events (Σ f·people); the variance is
//! Σ_f f²·var_f with var_f the independent-events variance of the people with f events; the Dobson
//! limits use O = total events. The reference's own test numbers were not available here, so this
//! variant is checked by its reduction to [`calculate_dsr`] when every frequency is 1 (UNCONFIRMED
//! against the reference beyond the formula in §2.5).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{Estimate, Interval, PheError, Reason, non_negative, positive, require};
use crate::measures::intervals::{byar, confidence_pair};

/// The ESP2013 seed file, embedded.
pub const ESP2013_JSON: &str = seed_text!("standard-populations/esp2013.json");

/// A standard population (seed data): age bands with weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StandardPopulation {
    /// Stable id, e.g. `esp2013`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Seed format version (1).
    pub version: u32,
    /// Where the weights come from.
    pub source: String,
    /// The bands, youngest first.
    pub bands: Vec<StandardBand>,
}

/// One band of a standard population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StandardBand {
    /// Label, e.g. `0-4` or `90+`.
    pub label: String,
    /// First age in the band.
    pub min_age: u32,
    /// Last age in the band; absent for the open band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// The band's weight (people in the standard population).
    pub weight: u32,
}

impl StandardPopulation {
    /// The European Standard Population 2013, 19 bands 0–4 … 85–89, 90+ (built in).
    ///
    /// # Panics
    /// Never: the embedded seed is checked by the test suite.
    #[must_use]
    #[allow(clippy::expect_used, reason = "embedded seed, checked by tests/phe.rs")]
    pub fn esp2013() -> &'static Self {
        static ESP: OnceLock<StandardPopulation> = OnceLock::new();
        ESP.get_or_init(|| {
            serde_json::from_str(ESP2013_JSON).expect("embedded esp2013.json parses")
        })
    }

    /// The weights, youngest band first.
    #[must_use]
    pub fn weights(&self) -> Vec<f64> {
        self.bands.iter().map(|b| f64::from(b.weight)).collect()
    }
}

/// One age band of one area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DsrBand {
    /// Events; `None` counts as 0.
    pub x: Option<f64>,
    /// Population (> 0).
    pub n: f64,
    /// Standard population weight (≥ 0).
    pub stdpop: f64,
}

/// The directly standardised rate of one area with Dobson limits.
///
/// ```
/// use equitas_core::measures::phe::dsr::{calculate_dsr, DsrBand, StandardPopulation};
/// let bands: Vec<DsrBand> = StandardPopulation::esp2013()
///     .weights()
///     .into_iter()
///     .map(|w| DsrBand { x: Some(20.0), n: 10_000.0, stdpop: w })
///     .collect();
/// let d = calculate_dsr(&bands, &[0.95], 100_000.0)?;
/// assert!((d.value.unwrap() - 200.0).abs() < 1e-9); // 20 per 10,000 in every band
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
///
/// # Errors
/// A negative count, a population not above zero, a negative weight, weights summing to zero, a
/// multiplier not above zero, or confidence levels PHE does not allow; each names the band
/// (1-based) and value.
pub fn calculate_dsr(
    bands: &[DsrBand],
    confidence: &[f64],
    multiplier: f64,
) -> Result<Estimate, PheError> {
    let levels = confidence_pair(confidence)?;
    positive(multiplier, || "the multiplier".into())?;
    let (mut num, mut wsum, mut var, mut total) = (0.0, 0.0, 0.0, 0.0);
    for (i, b) in bands.iter().enumerate() {
        let band = i + 1;
        let x = b.x.unwrap_or(0.0);
        non_negative(x, || format!("the count of band {band}"))?;
        positive(b.n, || format!("the population of band {band}"))?;
        non_negative(b.stdpop, || {
            format!("the standard population of band {band}")
        })?;
        num += b.stdpop * x / b.n;
        wsum += b.stdpop;
        var += b.stdpop * b.stdpop * x / (b.n * b.n);
        total += x;
    }
    require(
        wsum > 0.0,
        || "the total standard population".into(),
        "greater than zero",
        wsum,
    )?;
    dobson(num, wsum, var, total, &levels, multiplier)
}

/// [`calculate_dsr`] with the ESP2013 weights: `x` and `n` give the 19 bands 0–4 … 90+ in order.
///
/// # Errors
/// As [`calculate_dsr`], and a number of bands other than 19.
pub fn dsr_esp2013(
    x: &[Option<f64>],
    n: &[f64],
    confidence: &[f64],
    multiplier: f64,
) -> Result<Estimate, PheError> {
    let weights = StandardPopulation::esp2013().weights();
    if x.len() != weights.len() || n.len() != weights.len() {
        return Err(PheError::Shape(format!(
            "ESP2013 has {} age bands (0-4 to 90+); got {} counts and {} populations",
            weights.len(),
            x.len(),
            n.len()
        )));
    }
    let bands: Vec<DsrBand> = x
        .iter()
        .zip(n)
        .zip(weights)
        .map(|((&x, &n), stdpop)| DsrBand { x, n, stdpop })
        .collect();
    calculate_dsr(&bands, confidence, multiplier)
}

/// People in one age band who had a given number of events.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrequencyCount {
    /// Events per person (f ≥ 1).
    pub events_per_person: f64,
    /// How many people had that many events; `None` counts as 0.
    pub people: Option<f64>,
}

/// One age band with its counts by event frequency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonIndependentBand {
    /// Population (> 0).
    pub n: f64,
    /// Standard population weight (≥ 0).
    pub stdpop: f64,
    /// People by number of events.
    pub counts: Vec<FrequencyCount>,
}

/// The directly standardised rate of events that are not independent (see the module docs).
///
/// # Errors
/// As [`calculate_dsr`], and a frequency below 1 or a negative count of people, each naming the
/// band.
pub fn calculate_dsr_nonindependent(
    bands: &[NonIndependentBand],
    confidence: &[f64],
    multiplier: f64,
) -> Result<Estimate, PheError> {
    let levels = confidence_pair(confidence)?;
    positive(multiplier, || "the multiplier".into())?;
    let (mut num, mut wsum, mut var, mut total) = (0.0, 0.0, 0.0, 0.0);
    for (i, b) in bands.iter().enumerate() {
        let band = i + 1;
        positive(b.n, || format!("the population of band {band}"))?;
        non_negative(b.stdpop, || {
            format!("the standard population of band {band}")
        })?;
        wsum += b.stdpop;
        for c in &b.counts {
            let f = c.events_per_person;
            let people = c.people.unwrap_or(0.0);
            require(
                f.is_finite() && f >= 1.0,
                || format!("an event frequency of band {band}"),
                "1 or more",
                f,
            )?;
            non_negative(people, || {
                format!("the people with {f} events in band {band}")
            })?;
            num += b.stdpop * f * people / b.n;
            var += f * f * b.stdpop * b.stdpop * people / (b.n * b.n);
            total += f * people;
        }
    }
    require(
        wsum > 0.0,
        || "the total standard population".into(),
        "greater than zero",
        wsum,
    )?;
    dobson(num, wsum, var, total, &levels, multiplier)
}

/// The DSR Σ(w·x/n)/Σw (`num / wsum`) with Dobson limits: DSR + √(var/O)·(O_limit − O), where
/// `var` is Σ(w²·x/n²) before dividing by (Σw)² and O_limit are Byar's limits of the total count
/// O; suppressed below 10 events.
fn dobson(
    num: f64,
    wsum: f64,
    var: f64,
    total: f64,
    levels: &[f64],
    multiplier: f64,
) -> Result<Estimate, PheError> {
    if total < 10.0 {
        return Ok(Estimate::suppressed(levels, Reason::TooFewEvents { total }));
    }
    let dsr = num / wsum;
    let spread = (var / (wsum * wsum) / total).sqrt();
    let intervals = levels
        .iter()
        .map(|&confidence| {
            let o = byar(total, confidence)?;
            Ok(Interval {
                confidence,
                lower: o.lower.map(|l| (dsr + spread * (l - total)) * multiplier),
                upper: o.upper.map(|u| (dsr + spread * (u - total)) * multiplier),
            })
        })
        .collect::<Result<Vec<_>, PheError>>()?;
    Ok(Estimate {
        value: Some(dsr * multiplier),
        intervals,
        reason: None,
    })
}
